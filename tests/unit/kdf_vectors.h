/* kdf_vectors.h: the known-answer check shared by test_kdf.c and
 * test_kdf_slow.c (header-only: each test is one binary). */
#ifndef SQ_TEST_KDF_VECTORS_H
#define SQ_TEST_KDF_VECTORS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/kdf.h"
#include "testlib.h"

/* Reads tests/vectors/argon2_profiles.txt ($SQ_VECTORS, else relative to
 * this source file) and checks every line of the given profile through
 * sq_kdf_derive, with a tamper twin per line. Returns the lines checked.
 */
static FILE *
kdf_vectors_open(void)
{
    const char *dir = getenv("SQ_VECTORS");
    char        path[4096];

    if (dir != NULL) {
        snprintf(path, sizeof path, "%s/argon2_profiles.txt", dir);
    } else {
        const char *slash = strrchr(__FILE__, '/');
        int         n = slash == NULL ? 1 : (int)(slash - __FILE__);

        snprintf(path, sizeof path, "%.*s/../vectors/argon2_profiles.txt", n,
                 slash == NULL ? "." : __FILE__);
    }
    return fopen(path, "r");
}

static size_t
sq_kdf_check_vectors(const char *profile)
{
    FILE          *f = kdf_vectors_open();
    char           line[1024], name[32], salt_hex[128], pass_hex[512], out_hex[128];
    uint8_t        salt[SQ_KDF_SALTBYTES], pass[256], want[SQ_KDF_OUTBYTES], out[SQ_KDF_OUTBYTES];
    size_t         pass_len, checked = 0;
    sq_kdf_profile p;

    CHECK(f != NULL);
    if (f == NULL)
        return 0;
    while (fgets(line, sizeof line, f) != NULL) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        if (sscanf(line, "%31s %127s %511s %127s", name, salt_hex, pass_hex, out_hex) != 4) {
            CHECK(!"malformed vector line");
            continue;
        }
        if (strcmp(name, profile) != 0)
            continue;
        CHECK(sq_kdf_profile_parse(&p, name));
        sq_test_hex(salt, sizeof salt, salt_hex);
        pass_len = strlen(pass_hex) / 2;
        sq_test_hex(pass, pass_len, pass_hex);
        sq_test_hex(want, sizeof want, out_hex);
        CHECK_EQ_INT(sq_kdf_derive(out, p, pass, pass_len, salt), SQ_OK);
        CHECK(memcmp(out, want, sizeof want) == 0);
        /* tamper twin: one bit of the passphrase, then of the salt */
        pass[pass_len - 1] ^= 0x01;
        CHECK_EQ_INT(sq_kdf_derive(out, p, pass, pass_len, salt), SQ_OK);
        CHECK(memcmp(out, want, sizeof want) != 0);
        pass[pass_len - 1] ^= 0x01;
        salt[31] ^= 0x80;
        CHECK_EQ_INT(sq_kdf_derive(out, p, pass, pass_len, salt), SQ_OK);
        CHECK(memcmp(out, want, sizeof want) != 0);
        checked++;
    }
    fclose(f);
    return checked;
}

#endif
