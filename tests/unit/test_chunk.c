/* test_chunk.c: STREAM chunks, OpenSSL against libsodium in both directions,
 * outside known answers, and tamper sweeps. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/chunk.h"
#include "crypto/nonce_log.h"
#include "crypto/sha256.h"
#include "testlib.h"
#include "util/random.h"

#define MAXC (SQ_CHUNK_BYTES + SQ_CHUNK_TAGBYTES)

static sq_chunk_ctx *ctx;
static uint8_t      *pt, *ct, *ct2, *back;

static sq_err
seal(bool ref, uint8_t *out, const uint8_t *in, size_t len, const uint8_t key[32], uint64_t idx,
     bool final, const uint8_t *ad, size_t ad_len)
{
    return ref ? sq_chunk_seal_ref(out, in, len, key, idx, final, ad, ad_len)
               : sq_chunk_seal(ctx, out, in, len, key, idx, final, ad, ad_len);
}

static sq_err
open_(bool ref, uint8_t *out, const uint8_t *in, size_t in_len, const uint8_t key[32],
      uint64_t idx, bool final, const uint8_t *ad, size_t ad_len)
{
    return ref ? sq_chunk_open_ref(out, in, in_len, key, idx, final, ad, ad_len)
               : sq_chunk_open(ctx, out, in, in_len, key, idx, final, ad, ad_len);
}

/* RFC 8439 section 2.8.2: the AEAD_CHACHA20_POLY1305 example */
static void
test_rfc8439(void)
{
    static const char text[] = "Ladies and Gentlemen of the class of '99: If I could offer you "
                               "only one tip for the future, sunscreen would be it.";
    uint8_t key[32], nonce[12], ad[12], want[114 + 16], out[114 + 16], dec[114];
    size_t  len = sizeof text - 1;

    CHECK_EQ_INT(len, 114);
    sq_test_hex(key, 32, "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
    sq_test_hex(nonce, 12, "070000004041424344454647");
    sq_test_hex(ad, 12, "50515253c0c1c2c3c4c5c6c7");
    sq_test_hex(want, sizeof want,
                "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
                "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
                "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
                "3ff4def08e4b7a9de576d26586cec64b6116"
                "1ae10b594f09e26a7e902ecbd0600691");
    sq_nonce_log_suspend(true);          /* a published (key, nonce): reused on purpose */
    for (int ref = 0; ref < 2; ref++) {
        memset(out, 0, sizeof out);
        CHECK_EQ_INT(sq_chunk_kat_seal(ctx, ref, out, (const uint8_t *)text, len, key, nonce, ad,
                                       sizeof ad), SQ_OK);
        CHECK(memcmp(out, want, sizeof want) == 0);
        CHECK_EQ_INT(sq_chunk_kat_open(ctx, ref, dec, want, sizeof want, key, nonce, ad, sizeof ad),
                     SQ_OK);
        CHECK(memcmp(dec, text, len) == 0);
        /* tamper twin */
        want[0] ^= 1;
        memset(dec, 0x55, sizeof dec);
        CHECK_EQ_INT(sq_chunk_kat_open(ctx, ref, dec, want, sizeof want, key, nonce, ad, sizeof ad),
                     SQ_ERR_AUTH);
        CHECK(sodium_is_zero(dec, sizeof dec));
        want[0] ^= 1;
    }
    sq_nonce_log_suspend(false);
}

/* The STREAM nonce layout, checked against an outside implementation:
 * Python cryptography 48.0.0 (OpenSSL-backed), run as
 *   from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
 *   key = bytes(range(32))
 *   def nonce(i, final): return b"\0\0\0" + i.to_bytes(8, "big") + (b"\1" if final else b"\0")
 *   a = ChaCha20Poly1305(key)
 *   a.encrypt(nonce(0, True), b"", None).hex()
 *   a.encrypt(nonce(1, False), b"sandyq", b"vault").hex()
 *   a.encrypt(nonce(2**40 + 5, True), b"sandyq", b"vault").hex()
 *   big = bytes(i & 0xff for i in range(65536))
 *   ct = a.encrypt(nonce(7, True), big, b"doc"); hashlib.sha256(ct).hexdigest(), ct[-16:].hex() */
static void
test_stream_kat(void)
{
    uint8_t key[32], out[6 + 16], want[6 + 16], digest[32], want_digest[32], tag[16];

    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)i;
    sq_nonce_log_suspend(true);
    for (int ref = 0; ref < 2; ref++) {
        sq_test_hex(want, 16, "fa0e145e8775eb78c274755606de74fb");
        CHECK_EQ_INT(seal(ref, out, NULL, 0, key, 0, true, NULL, 0), SQ_OK);
        CHECK(memcmp(out, want, 16) == 0);
        CHECK_EQ_INT(open_(ref, back, want, 16, key, 0, true, NULL, 0), SQ_OK);
        CHECK_EQ_INT(open_(ref, back, want, 16, key, 0, false, NULL, 0), SQ_ERR_AUTH);

        sq_test_hex(want, 22, "c806af47d75cb97c6cbab85c953a423ee69099c356c2");
        CHECK_EQ_INT(seal(ref, out, (const uint8_t *)"sandyq", 6, key, 1, false,
                          (const uint8_t *)"vault", 5), SQ_OK);
        CHECK(memcmp(out, want, 22) == 0);

        sq_test_hex(want, 22, "fb989e3a55397928bed77f3b598e58440fa743858487");
        CHECK_EQ_INT(seal(ref, out, (const uint8_t *)"sandyq", 6, key, ((uint64_t)1 << 40) + 5,
                          true, (const uint8_t *)"vault", 5), SQ_OK);
        CHECK(memcmp(out, want, 22) == 0);
        CHECK_EQ_INT(open_(ref, back, want, 22, key, ((uint64_t)1 << 40) + 5, true,
                           (const uint8_t *)"vault", 5), SQ_OK);
        CHECK(memcmp(back, "sandyq", 6) == 0);

        for (size_t i = 0; i < SQ_CHUNK_BYTES; i++)
            pt[i] = (uint8_t)i;
        CHECK_EQ_INT(seal(ref, ct, pt, SQ_CHUNK_BYTES, key, 7, true, (const uint8_t *)"doc", 3),
                     SQ_OK);
        sq_sha256_oneshot(digest, ct, MAXC);
        sq_test_hex(want_digest, 32,
                    "5bcd149fe1eb24d601edd2b617e5b00ddb4817bc540459fe6bd63b10e42a2953");
        sq_test_hex(tag, 16, "66b1486a98efb13e49bc122bf389e7bb");
        CHECK(memcmp(digest, want_digest, 32) == 0);
        CHECK(memcmp(ct + SQ_CHUNK_BYTES, tag, 16) == 0);
    }
    sq_nonce_log_suspend(false);
}

/* one round trip of len bytes sealed by one path and opened by the other */
static void
cross(size_t len, bool seal_ref)
{
    uint8_t  key[32], ad[64];
    uint64_t idx;
    size_t   ad_len = (size_t)sq_random_uniform(sizeof ad + 1);
    bool     final = sq_random_uniform(2) == 1;

    sq_random_buf(key, sizeof key);
    sq_random_buf(&idx, sizeof idx);
    sq_random_buf(ad, sizeof ad);
    sq_random_buf(pt, len);
    CHECK_EQ_INT(seal(seal_ref, ct, pt, len, key, idx, final, ad, ad_len), SQ_OK);
    /* the other path must produce the very same bytes (same key, nonce and
     * plaintext: a deterministic re-encryption, so not logged as a reuse) */
    sq_nonce_log_suspend(true);
    CHECK_EQ_INT(seal(!seal_ref, ct2, pt, len, key, idx, final, ad, ad_len), SQ_OK);
    sq_nonce_log_suspend(false);
    CHECK(memcmp(ct, ct2, len + SQ_CHUNK_TAGBYTES) == 0);
    memset(back, 0xa5, len);
    CHECK_EQ_INT(open_(!seal_ref, back, ct, len + SQ_CHUNK_TAGBYTES, key, idx, final, ad, ad_len),
                 SQ_OK);
    CHECK(memcmp(back, pt, len) == 0);
    /* tamper twin: one random bit */
    {
        size_t bit = (size_t)sq_random_uniform((len + SQ_CHUNK_TAGBYTES) * 8);
        ct[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        memset(back, 0xa5, len);
        CHECK_EQ_INT(open_(!seal_ref, back, ct, len + SQ_CHUNK_TAGBYTES, key, idx, final, ad,
                           ad_len), SQ_ERR_AUTH);
        CHECK(len == 0 || sodium_is_zero(back, len));
    }
}

static void
test_boundaries_and_cross(void)
{
    static const size_t sizes[] = { 0, 1, 15, 16, 17, 63, 64, 65, 4096, 65535, 65536 };
    uint8_t key[32];

    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        cross(sizes[i], false);
        cross(sizes[i], true);
    }
    for (int i = 0; i < 200; i++) {
        size_t len = (size_t)sq_random_uniform(SQ_CHUNK_BYTES + 1);
        cross(len, i % 2 == 0);
    }
    /* lengths outside the contract */
    sq_random_buf(key, sizeof key);
    for (int ref = 0; ref < 2; ref++) {
        CHECK_EQ_INT(seal(ref, ct, pt, SQ_CHUNK_BYTES + 1, key, 0, true, NULL, 0), SQ_ERR_INVALID);
        CHECK_EQ_INT(open_(ref, back, ct, MAXC + 1, key, 0, true, NULL, 0), SQ_ERR_INVALID);
        CHECK_EQ_INT(open_(ref, back, ct, 15, key, 0, true, NULL, 0), SQ_ERR_INVALID);
        CHECK_EQ_INT(seal(ref, ct, pt, 1, key, 0, true, pt, SQ_CHUNK_AD_MAX + 1), SQ_ERR_INVALID);
    }
}

static void
test_in_place(void)
{
    uint8_t key[32];
    size_t  len = 1000;

    sq_random_buf(key, sizeof key);
    for (int ref = 0; ref < 2; ref++) {
        sq_random_buf(pt, len);
        memcpy(ct, pt, len);
        CHECK_EQ_INT(seal(ref, ct, ct, len, key, 3 + (uint64_t)ref, false, NULL, 0), SQ_OK);
        CHECK_EQ_INT(open_(!ref, ct, ct, len + 16, key, 3 + (uint64_t)ref, false, NULL, 0), SQ_OK);
        CHECK(memcmp(ct, pt, len) == 0);
    }
}

/* every single-bit change of ciphertext, tag, index, final flag, ad and key
 * fails with SQ_ERR_AUTH and a zeroed output, on both paths */
static void
test_tamper_sweep(void)
{
    enum { LEN = 37, ADL = 9 };
    uint8_t  key[32], ad[ADL], c[LEN + 16];
    uint64_t idx;
    bool     all_auth = true, all_zero = true;
    int      tries = 0;

    sq_random_buf(key, sizeof key);
    sq_random_buf(ad, sizeof ad);
    sq_random_buf(&idx, sizeof idx);
    sq_random_buf(pt, LEN);
    CHECK_EQ_INT(sq_chunk_seal(ctx, c, pt, LEN, key, idx, false, ad, ADL), SQ_OK);
    for (int ref = 0; ref < 2; ref++) {
#define TRY(expr)                                                                 \
    do {                                                                          \
        memset(back, 0xa5, LEN);                                                  \
        all_auth &= (expr) == SQ_ERR_AUTH;                                        \
        all_zero &= sodium_is_zero(back, LEN) == 1;                               \
        tries++;                                                                  \
    } while (0)
        for (size_t bit = 0; bit < sizeof c * 8; bit++) {          /* ciphertext and tag */
            c[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            TRY(open_(ref, back, c, sizeof c, key, idx, false, ad, ADL));
            c[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        }
        for (int bit = 0; bit < 64; bit++)                         /* index */
            TRY(open_(ref, back, c, sizeof c, key, idx ^ ((uint64_t)1 << bit), false, ad, ADL));
        TRY(open_(ref, back, c, sizeof c, key, idx, true, ad, ADL)); /* final flag */
        for (size_t bit = 0; bit < sizeof ad * 8; bit++) {          /* ad */
            ad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            TRY(open_(ref, back, c, sizeof c, key, idx, false, ad, ADL));
            ad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        }
        TRY(open_(ref, back, c, sizeof c, key, idx, false, ad, ADL - 1)); /* ad shortened */
        /* chunk shortened by one byte: its output is LEN - 1 bytes */
        memset(back, 0xa5, LEN);
        all_auth &= open_(ref, back, c, sizeof c - 1, key, idx, false, ad, ADL) == SQ_ERR_AUTH;
        all_zero &= sodium_is_zero(back, LEN - 1) == 1 && back[LEN - 1] == 0xa5;
        tries++;
        for (size_t bit = 0; bit < sizeof key * 8; bit++) {         /* key */
            key[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            TRY(open_(ref, back, c, sizeof c, key, idx, false, ad, ADL));
            key[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        }
#undef TRY
        /* and the untouched chunk still opens */
        CHECK_EQ_INT(open_(ref, back, c, sizeof c, key, idx, false, ad, ADL), SQ_OK);
        CHECK(memcmp(back, pt, LEN) == 0);
    }
    CHECK(all_auth);
    CHECK(all_zero);
    CHECK_EQ_INT(tries, 2 * ((LEN + 16) * 8 + 64 + 1 + ADL * 8 + 2 + 256));
    /* a full-size chunk, a few random bits */
    sq_random_buf(pt, SQ_CHUNK_BYTES);
    CHECK_EQ_INT(sq_chunk_seal(ctx, ct, pt, SQ_CHUNK_BYTES, key, 0, true, ad, ADL), SQ_OK);
    for (int i = 0; i < 32; i++) {
        size_t bit = (size_t)sq_random_uniform((uint64_t)MAXC * 8);
        ct[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        memset(back, 0xa5, SQ_CHUNK_BYTES);
        CHECK_EQ_INT(open_(i % 2, back, ct, MAXC, key, 0, true, ad, ADL), SQ_ERR_AUTH);
        CHECK(sodium_is_zero(back, SQ_CHUNK_BYTES));
        ct[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
}

static void
test_nonce(void)
{
    uint8_t n[12], want[12];

    sq_chunk_nonce(n, 0x0102030405060708ull, true);
    sq_test_hex(want, 12, "000000010203040506070801");
    CHECK(memcmp(n, want, 12) == 0);
    sq_chunk_nonce(n, 0, false);
    CHECK(sodium_is_zero(n, 12));
}

int
main(void)
{
    sq_test_init("test_chunk");
    ctx = sq_chunk_ctx_new();
    pt = malloc(MAXC);
    ct = malloc(MAXC);
    ct2 = malloc(MAXC);
    back = malloc(MAXC);
    CHECK(ctx != NULL && pt != NULL && ct != NULL && ct2 != NULL && back != NULL);
    if (ctx == NULL || pt == NULL || ct == NULL || ct2 == NULL || back == NULL)
        return sq_test_done();
    test_nonce();
    test_rfc8439();
    test_stream_kat();
    test_boundaries_and_cross();
    test_in_place();
    test_tamper_sweep();
    sq_chunk_ctx_free(ctx);
    sq_chunk_ctx_free(NULL);
    free(pt);
    free(ct);
    free(ct2);
    free(back);
    return sq_test_done();
}
