/* test_pbkdf2.c: PBKDF2-HMAC-SHA256 against RFC 7914 section 11. */
#include <string.h>

#include "crypto/pbkdf2.h"
#include "testlib.h"

int
main(void)
{
    uint8_t out[64], want[64];

    sq_test_init("pbkdf2");
    /* RFC 7914 s. 11: P = "passwd", S = "salt", c = 1, dkLen = 64 */
    sq_test_hex(want, 64,
                "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
                "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783");
    CHECK(sq_pbkdf2_sha256(out, 64, (const uint8_t *)"passwd", 6, (const uint8_t *)"salt", 4, 1)
          == SQ_OK);
    CHECK(memcmp(out, want, 64) == 0);
    /* tamper: another salt, another key */
    CHECK(sq_pbkdf2_sha256(out, 64, (const uint8_t *)"passwd", 6, (const uint8_t *)"salu", 4, 1)
          == SQ_OK);
    CHECK(memcmp(out, want, 64) != 0);
    /* P = "Password", S = "NaCl", c = 80000, dkLen = 64 */
    sq_test_hex(want, 64,
                "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
                "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d");
    CHECK(sq_pbkdf2_sha256(out, 64, (const uint8_t *)"Password", 8, (const uint8_t *)"NaCl", 4,
                           80000) == SQ_OK);
    CHECK(memcmp(out, want, 64) == 0);
    /* a prefix of the output is the same as a shorter output */
    CHECK(sq_pbkdf2_sha256(out, 20, (const uint8_t *)"Password", 8, (const uint8_t *)"NaCl", 4,
                           80000) == SQ_OK);
    CHECK(memcmp(out, want, 20) == 0);
    CHECK(sq_pbkdf2_sha256(out, 64, (const uint8_t *)"Password", 8, (const uint8_t *)"NaCl", 4,
                           79999) == SQ_OK);
    CHECK(memcmp(out, want, 64) != 0);
    CHECK(sq_pbkdf2_sha256(out, 16, (const uint8_t *)"p", 1, (const uint8_t *)"s", 1, 0)
          == SQ_ERR_INVALID);
    return sq_test_done();
}
