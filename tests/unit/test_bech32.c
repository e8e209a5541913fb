/* test_bech32.c: Bech32 against BIP-173's test vectors (valid and invalid
 * checksums, typed in from BIP-173), then age's keys (C2SP age examples). */
#include <string.h>

#include "crypto/bech32.h"
#include "sandyq/age.h"
#include "testlib.h"

static bool
valid5(const char *s, size_t len)
{
    char    hrp[SQ_BECH32_MAX_HRP + 1];
    uint8_t d5[SQ_BECH32_MAX_CHARS];
    size_t  hl = 0, n5 = 0;

    return sq_bech32_decode5(hrp, sizeof hrp, &hl, d5, sizeof d5, &n5, s, len) == SQ_OK;
}

static void
test_bip173(void)
{
    static const char *const valid[] = {
        "A12UEL5L",
        "a12uel5l",
        "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
        "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
        "11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqc8247j",
        "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
        "?1ezyfcl",
    };
    /* with the reason BIP-173 gives */
    static const struct {
        const char *s;
        size_t      len;
    } invalid[] = {
        { "\x20" "1nwldj5", 8 },    /* HRP character out of range */
        { "\x7f" "1axkwrx", 8 },    /* HRP character out of range */
        { "\x80" "1eym55h", 8 },    /* HRP character out of range */
        /* overall max length exceeded: the 84-character HRP is still refused */
        { "an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx", 0 },
        { "pzry9x0s0muk", 0 },      /* no separator character */
        { "1pzry9x0s0muk", 0 },     /* empty HRP */
        { "x1b4n0q5v", 0 },         /* invalid data character */
        { "li1dgmt3", 0 },          /* too short checksum */
        { "de1lg7wt" "\xff", 9 },   /* invalid character in checksum */
        { "A1G7SGD8", 0 },          /* checksum calculated with uppercase form of HRP */
        { "10a06t8", 0 },           /* empty HRP */
        { "1qzzfhee", 0 },          /* empty HRP */
        { "a12UEL5L", 0 },          /* mixed case */
        { "A12uEL5L", 0 },          /* mixed case */
    };

    for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++) {
        char   copy[128];
        size_t len = strlen(valid[i]);

        CHECK(valid5(valid[i], len));
        /* tamper twin: any one changed data character breaks the checksum */
        memcpy(copy, valid[i], len);
        copy[len - 1] = copy[len - 1] == 'q' ? 'p' : (copy[len - 1] == 'Q' ? 'P' : 'q');
        if (valid[i][0] == 'A')
            copy[len - 1] = copy[len - 1] == 'Q' ? 'P' : 'Q';
        CHECK(!valid5(copy, len));
    }
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        size_t len = invalid[i].len ? invalid[i].len : strlen(invalid[i].s);

        CHECK(!valid5(invalid[i].s, len));
    }
}

static void
test_bytes(void)
{
    char    s[256], hrp[16];
    uint8_t data[64], back[64];
    size_t  len = 0, hl = 0, n = 0;

    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 37 + 1);
    for (size_t k = 0; k <= 40; k++) {
        CHECK(sq_bech32_encode(s, sizeof s, &len, "test", data, k, false) == SQ_OK);
        CHECK(sq_bech32_decode(hrp, sizeof hrp, &hl, back, sizeof back, &n, s, len) == SQ_OK);
        CHECK(n == k && hl == 4 && strcmp(hrp, "test") == 0 && memcmp(back, data, k) == 0);
        CHECK(sq_bech32_encode(s, sizeof s, &len, "TEST", data, k, true) == SQ_OK);
        CHECK(sq_bech32_decode_secret(back, k, "TEST", s, len) == SQ_OK);
        CHECK(memcmp(back, data, k) == 0);
        CHECK(sq_bech32_decode_secret(back, k, "test", s, len) == SQ_OK);
        s[len - 1] ^= 0x01;   /* tamper: a changed checksum character (or invalid) */
        CHECK(sq_bech32_decode_secret(back, k, "TEST", s, len) != SQ_OK);
    }
    /* padding bits must be zero, and at most 4 of them */
    CHECK(sq_bech32_encode(s, sizeof s, &len, "a", (const uint8_t *)"\xff", 1, false) == SQ_OK);
    CHECK(strcmp(s, "a1lu9cgf6y") == 0);
    CHECK(sq_bech32_decode(hrp, sizeof hrp, &hl, back, sizeof back, &n, "a1lacwuu8k", 10) ==
          SQ_ERR_FORMAT);
    CHECK(sq_bech32_decode(hrp, sizeof hrp, &hl, back, sizeof back, &n, "a1q3g6mn3", 9) ==
          SQ_ERR_FORMAT);
    CHECK(sq_bech32_decode(hrp, sizeof hrp, &hl, back, sizeof back, &n, "a1qqqqqqqqughnlu", 16) ==
          SQ_OK && n == 5);
    /* cap on the whole string */
    CHECK(sq_bech32_encode(s, sizeof s, &len, "a", data, sizeof data, false) == SQ_OK);
    CHECK(sq_bech32_encode(s, 10, &len, "a", data, sizeof data, false) == SQ_ERR_INVALID);
}

static void
test_age_keys(void)
{
    /* C2SP age, "The X25519 recipient type": the example identity and
     * recipient (they are independent examples, not a pair) */
    static const char id_text[] =
        "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX";
    static const char rc_text[] = "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj";
    uint8_t           sk[32], pk[32], pk2[32];
    char              out[SQ_AGE_IDENTITY_CHARS + 1], copy[80];

    CHECK(sq_age_identity_parse(sk, id_text, strlen(id_text)) == SQ_OK);
    /* 0x42 ("B") repeated: GFPYYSJZ decodes to that pattern */
    for (int i = 0; i < 32; i++)
        CHECK_EQ_INT(sk[i], 0x42);
    CHECK(sq_age_identity_format(out, sizeof out, sk) == SQ_OK && strcmp(out, id_text) == 0);
    CHECK(sq_age_recipient_parse(pk, rc_text, strlen(rc_text)) == SQ_OK);
    CHECK(sq_age_recipient_format(out, sizeof out, pk) == SQ_OK && strcmp(out, rc_text) == 0);
    CHECK_EQ_INT(strlen(rc_text), SQ_AGE_RECIPIENT_CHARS);
    CHECK_EQ_INT(strlen(id_text), SQ_AGE_IDENTITY_CHARS);
    /* the testkit's identity and its public key */
    CHECK(sq_age_identity_parse(sk, "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0", 74) == SQ_OK);
    CHECK(sq_age_x25519_public(pk2, sk) == SQ_OK);

    /* tamper twins and case rules */
    memcpy(copy, id_text, sizeof id_text);
    copy[40] = copy[40] == 'Z' ? 'Y' : 'Z';
    CHECK(sq_age_identity_parse(sk, copy, strlen(copy)) == SQ_ERR_FORMAT);
    memcpy(copy, id_text, sizeof id_text);
    copy[40] = (char)(copy[40] + 32);   /* one lowercase character: mixed case */
    CHECK(sq_age_identity_parse(sk, copy, strlen(copy)) == SQ_ERR_FORMAT);
    CHECK(sq_age_identity_parse(sk, id_text, strlen(id_text) - 1) == SQ_ERR_FORMAT);
    CHECK(sq_age_identity_parse(sk, rc_text, strlen(rc_text)) == SQ_ERR_FORMAT);
    memcpy(copy, rc_text, sizeof rc_text);
    copy[20] = copy[20] == 'q' ? 'p' : 'q';
    CHECK(sq_age_recipient_parse(pk, copy, strlen(copy)) == SQ_ERR_FORMAT);
    for (size_t i = 0; rc_text[i]; i++)
        copy[i] = (char)(rc_text[i] >= 'a' && rc_text[i] <= 'z' ? rc_text[i] - 32 : rc_text[i]);
    CHECK(sq_age_recipient_parse(pk, copy, strlen(rc_text)) == SQ_ERR_FORMAT);
    CHECK(sq_age_recipient_parse(pk, id_text, strlen(id_text)) == SQ_ERR_FORMAT);
    CHECK(sq_age_recipient_parse(pk, "", 0) == SQ_ERR_FORMAT);
    /* other kinds of recipient: unsupported, not malformed */
    CHECK(sq_age_recipient_parse(pk, "age1pq1x34nzsvr0rxjsgdn8zgyhfe8j7ceq5r9rdelkjuh3y235jzxshfg87", 61) ==
          SQ_ERR_UNSUPPORTED);
    CHECK(sq_age_recipient_parse(pk, "age1yubikey1qwerty", 18) == SQ_ERR_UNSUPPORTED);
    CHECK(sq_age_recipient_parse(pk, "age1tag1qt8lw0ual6avlwmwatk888yqnmdamm7xfd0wak53ut6elz5c4swx2yqdj4e", 66) ==
          SQ_ERR_UNSUPPORTED);
    CHECK(sq_age_recipient_format(out, SQ_AGE_RECIPIENT_CHARS, pk) == SQ_ERR_INVALID);
    CHECK(sq_age_identity_format(out, SQ_AGE_IDENTITY_CHARS, sk) == SQ_ERR_INVALID);
}

int
main(void)
{
    sq_test_init("test_bech32");
    test_bip173();
    test_bytes();
    test_age_keys();
    return sq_test_done();
}
