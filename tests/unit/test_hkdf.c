/* test_hkdf.c: HKDF-SHA256 against RFC 5869 Appendix A, test cases 1-3. */
#include <string.h>

#include "crypto/hkdf.h"
#include "testlib.h"

static void
check_case(const char *ikm_hex, size_t ikm_len, const char *salt_hex, size_t salt_len,
           const char *info_hex, size_t info_len, const char *prk_hex, const char *okm_hex,
           size_t okm_len)
{
    uint8_t ikm[80], salt[80], info[80], prk[32], want_prk[32], okm[82], want_okm[82];
    uint8_t got_prk[32];

    sq_test_hex(ikm, ikm_len, ikm_hex);
    if (salt_len)
        sq_test_hex(salt, salt_len, salt_hex);
    if (info_len)
        sq_test_hex(info, info_len, info_hex);
    sq_test_hex(want_prk, 32, prk_hex);
    sq_test_hex(want_okm, okm_len, okm_hex);

    sq_hkdf_extract(got_prk, salt_len ? salt : NULL, salt_len, ikm, ikm_len);
    CHECK(memcmp(got_prk, want_prk, 32) == 0);
    memcpy(prk, got_prk, 32);
    CHECK(sq_hkdf_expand(okm, okm_len, prk, info_len ? info : NULL, info_len) == SQ_OK);
    CHECK(memcmp(okm, want_okm, okm_len) == 0);
    memset(okm, 0, sizeof okm);
    CHECK(sq_hkdf_sha256(okm, okm_len, salt_len ? salt : NULL, salt_len, ikm, ikm_len,
                         info_len ? info : NULL, info_len) == SQ_OK);
    CHECK(memcmp(okm, want_okm, okm_len) == 0);
    /* a prefix of the output is the shorter output (expand is a stream) */
    memset(okm, 0, sizeof okm);
    CHECK(sq_hkdf_expand(okm, 33, prk, info_len ? info : NULL, info_len) == SQ_OK);
    CHECK(memcmp(okm, want_okm, 33) == 0);
    /* tamper twin: one bit of the ikm changes everything */
    ikm[0] ^= 1;
    CHECK(sq_hkdf_sha256(okm, okm_len, salt_len ? salt : NULL, salt_len, ikm, ikm_len,
                         info_len ? info : NULL, info_len) == SQ_OK);
    CHECK(memcmp(okm, want_okm, okm_len) != 0);
}

int
main(void)
{
    uint8_t prk[32] = { 0 }, big[SQ_HKDF_MAX_OUT + 1];

    sq_test_init("test_hkdf");
    /* A.1 */
    check_case("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", 22, "000102030405060708090a0b0c", 13,
               "f0f1f2f3f4f5f6f7f8f9", 10,
               "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
               "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
               42);
    /* A.2 */
    check_case("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
               "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
               "404142434445464748494a4b4c4d4e4f", 80,
               "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
               "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
               "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf", 80,
               "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
               "d0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef"
               "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", 80,
               "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
               "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
               "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
               "cc30c58179ec3e87c14c01d5c1f3434f1d87", 82);
    /* A.3: empty salt and info */
    check_case("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", 22, "", 0, "", 0,
               "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
               "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8",
               42);
    /* RFC 5869 2.3: at most 255 blocks */
    CHECK(sq_hkdf_expand(big, SQ_HKDF_MAX_OUT, prk, NULL, 0) == SQ_OK);
    CHECK(sq_hkdf_expand(big, SQ_HKDF_MAX_OUT + 1, prk, NULL, 0) == SQ_ERR_INVALID);
    CHECK(sq_hkdf_sha256(big, SQ_HKDF_MAX_OUT + 1, NULL, 0, prk, 32, NULL, 0) == SQ_ERR_INVALID);
    return sq_test_done();
}
