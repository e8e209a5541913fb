/* test_kdf.c: Argon2id through libargon2 (RFC 9106) and the test profile's
 * known answer from Debian's argon2 tool (tests/vectors/argon2_profiles.txt). */
#include <argon2.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/kdf.h"
#include "testlib.h"

#include "kdf_vectors.h"

/* RFC 9106 section 5.3, Argon2id: password 32 x 0x01, salt 16 x 0x02,
 * secret 8 x 0x03, associated data 12 x 0x04, m = 32 KiB, t = 3, p = 4,
 * tag 32 bytes, version 0x13. */
static void
test_rfc9106(void)
{
    uint8_t        pwd[32], salt[16], secret[8], ad[12], out[32], want[32];
    argon2_context ctx;

    memset(pwd, 0x01, sizeof pwd);
    memset(salt, 0x02, sizeof salt);
    memset(secret, 0x03, sizeof secret);
    memset(ad, 0x04, sizeof ad);
    sq_test_hex(want, sizeof want,
                "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659");
    memset(&ctx, 0, sizeof ctx);
    ctx.out = out;
    ctx.outlen = sizeof out;
    ctx.pwd = pwd;
    ctx.pwdlen = sizeof pwd;
    ctx.salt = salt;
    ctx.saltlen = sizeof salt;
    ctx.secret = secret;
    ctx.secretlen = sizeof secret;
    ctx.ad = ad;
    ctx.adlen = sizeof ad;
    ctx.t_cost = 3;
    ctx.m_cost = 32;
    ctx.lanes = 4;
    ctx.threads = 4;
    ctx.version = ARGON2_VERSION_13;
    ctx.flags = ARGON2_DEFAULT_FLAGS;
    CHECK_EQ_INT(argon2_ctx(&ctx, Argon2_id), ARGON2_OK);
    CHECK(memcmp(out, want, sizeof want) == 0);
    /* tamper twin: one bit of the secret */
    secret[0] ^= 1;
    CHECK_EQ_INT(argon2_ctx(&ctx, Argon2_id), ARGON2_OK);
    CHECK(memcmp(out, want, sizeof want) != 0);
}

static void
test_profiles_table(void)
{
    sq_kdf_profile p = SQ_KDF_STRONG;

    CHECK(strcmp(sq_kdf_profile_name(SQ_KDF_TEST), "test") == 0);
    CHECK(strcmp(sq_kdf_profile_name(SQ_KDF_STANDARD), "standard") == 0);
    CHECK(strcmp(sq_kdf_profile_name(SQ_KDF_STRONG), "strong") == 0);
    CHECK(strcmp(sq_kdf_profile_name((sq_kdf_profile)7), "unknown") == 0);
    CHECK(sq_kdf_profile_parse(&p, "standard") && p == SQ_KDF_STANDARD);
    CHECK(sq_kdf_profile_parse(&p, "strong") && p == SQ_KDF_STRONG);
    CHECK(sq_kdf_profile_parse(&p, "test") && p == SQ_KDF_TEST);
    CHECK(!sq_kdf_profile_parse(&p, "Standard"));
    CHECK(!sq_kdf_profile_parse(&p, "standard "));
    CHECK(!sq_kdf_profile_parse(&p, ""));
    CHECK_EQ_INT(sq_kdf_memory_bytes(SQ_KDF_TEST), 8u << 20);
    CHECK_EQ_INT(sq_kdf_memory_bytes(SQ_KDF_STANDARD), 256u << 20);
    CHECK_EQ_INT(sq_kdf_memory_bytes(SQ_KDF_STRONG), 1u << 30);
    CHECK_EQ_INT(sq_kdf_memory_bytes((sq_kdf_profile)3), 0);
}

static void
test_refusal(void)
{
    uint8_t     out[SQ_KDF_OUTBYTES], salt[SQ_KDF_SALTBYTES] = { 0 };
    static const char *not_one[] = { "0", "", "1 ", " 1", "true", "yes", "11" };

    unsetenv("SANDYQ_INSECURE_TEST_KDF");
    CHECK(!sq_kdf_test_allowed());
    memset(out, 0xaa, sizeof out);
    CHECK_EQ_INT(sq_kdf_derive(out, SQ_KDF_TEST, (const uint8_t *)"pw", 2, salt), SQ_ERR_INVALID);
    CHECK(sodium_is_zero(out, sizeof out));
    for (size_t i = 0; i < sizeof not_one / sizeof not_one[0]; i++) {
        setenv("SANDYQ_INSECURE_TEST_KDF", not_one[i], 1);
        CHECK(!sq_kdf_test_allowed());
        CHECK_EQ_INT(sq_kdf_derive(out, SQ_KDF_TEST, (const uint8_t *)"pw", 2, salt),
                     SQ_ERR_INVALID);
    }
    setenv("SANDYQ_INSECURE_TEST_KDF", "1", 1);
    CHECK(sq_kdf_test_allowed());
    CHECK_EQ_INT(sq_kdf_derive(out, (sq_kdf_profile)3, (const uint8_t *)"pw", 2, salt),
                 SQ_ERR_INVALID);
    CHECK_EQ_INT(sq_kdf_derive(out, SQ_KDF_TEST, NULL, 2, salt), SQ_ERR_INVALID);
}

static void
test_known_answers(void)
{
    size_t n;

    /* the two "test" lines of tests/vectors/argon2_profiles.txt, from
     *   printf '%s' 'correct horse battery staple' |
     *       argon2 'sandyq/kat/salt/0123456789abcdef' -id -t 1 -m 13 -p 4 -l 32 -r
     * -> 9054e76627d973642a4042c29c0bdc50c2b52da3c947b485e76a2c0ea9775543, and the same
     * command for the UTF-8 passphrase 'Кыргызстан жана Қазақстан'
     * -> d14d166c5418831dec48fee2a0622f9bfc96ea01b8006e26ad1c8d85ec564437 */
    setenv("SANDYQ_INSECURE_TEST_KDF", "1", 1);
    n = sq_kdf_check_vectors("test");
    CHECK_EQ_INT(n, 2);
}

int
main(void)
{
    sq_test_init("test_kdf");
    test_rfc9106();
    test_profiles_table();
    test_refusal();
    test_known_answers();
    return sq_test_done();
}
