/* test_kdf_slow.c: the standard (256 MiB) and strong (1 GiB) profiles
 * against Debian's argon2 tool (see tests/vectors/argon2_profiles.txt for
 * the command lines: argon2 SALT -id -t 3 -m 18 -p 4 -l 32 and -m 20). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/kdf.h"
#include "testlib.h"

#include "kdf_vectors.h"

int
main(void)
{
    sq_test_init("test_kdf_slow");
    CHECK_EQ_INT(sq_kdf_check_vectors("standard"), 1);
    CHECK_EQ_INT(sq_kdf_check_vectors("strong"), 1);
    return sq_test_done();
}
