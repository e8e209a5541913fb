/* test_sha256.c: FIPS 180-2 appendix B vectors through OpenSSL EVP. */
#include <stdlib.h>
#include <string.h>

#include "crypto/sha256.h"
#include "testlib.h"

/* FIPS 180-2, appendix B.1, B.2, B.3 (also NIST CSRC example values) */
#define ABC_HEX   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define MSG448    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
#define MSG448_HEX "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
#define MILLION_A_HEX "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
/* the empty message (NIST CSRC SHA-256 examples) */
#define EMPTY_HEX "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static void
check_hex(const uint8_t got[32], const char *hex)
{
    uint8_t want[32];

    sq_test_hex(want, sizeof want, hex);
    CHECK(memcmp(got, want, 32) == 0);
}

int
main(void)
{
    uint8_t    out[32], out2[32];
    sq_sha256 *h;
    char      *million;

    sq_test_init("test_sha256");
    sq_sha256_oneshot(out, "abc", 3);
    check_hex(out, ABC_HEX);
    sq_sha256_oneshot(out, MSG448, strlen(MSG448));
    check_hex(out, MSG448_HEX);
    sq_sha256_oneshot(out, NULL, 0);
    check_hex(out, EMPTY_HEX);

    million = malloc(1000000);
    CHECK(million != NULL);
    if (million == NULL)
        return sq_test_done();
    memset(million, 'a', 1000000);
    sq_sha256_oneshot(out, million, 1000000);
    check_hex(out, MILLION_A_HEX);

    /* streaming, in uneven pieces crossing block boundaries */
    h = sq_sha256_new();
    CHECK(h != NULL);
    for (size_t off = 0, step = 1; off < 1000000; off += step, step = step * 3 % 997 + 1)
        sq_sha256_update(h, million + off, off + step > 1000000 ? 1000000 - off : step);
    sq_sha256_final(h, out);
    check_hex(out, MILLION_A_HEX);
    /* final resets: the state is reusable */
    sq_sha256_update(h, "ab", 2);
    sq_sha256_update(h, "", 0);
    sq_sha256_update(h, "c", 1);
    sq_sha256_final(h, out2);
    check_hex(out2, ABC_HEX);
    sq_sha256_final(h, out2);
    check_hex(out2, EMPTY_HEX);
    /* tamper twin: one bit changes the digest */
    million[500000] ^= 1;
    sq_sha256_oneshot(out2, million, 1000000);
    CHECK(memcmp(out, out2, 32) != 0);
    sq_sha256_free(h);
    sq_sha256_free(NULL);
    free(million);
    return sq_test_done();
}
