/* chunk.c: ChaCha20-Poly1305 STREAM chunks, OpenSSL bulk path and libsodium
 * reference path. */
#include "crypto/chunk.h"

#include <openssl/evp.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/nonce_log.h"
#include "util/bytes.h"

struct sq_chunk_ctx {
    EVP_CIPHER     *cipher;   /* fetched once: no provider lookup per chunk */
    EVP_CIPHER_CTX *enc;
    EVP_CIPHER_CTX *dec;
};

sq_chunk_ctx *
sq_chunk_ctx_new(void)
{
    sq_chunk_ctx *c = calloc(1, sizeof *c);

    if (c == NULL)
        return NULL;
    if ((c->cipher = EVP_CIPHER_fetch(NULL, "ChaCha20-Poly1305", NULL)) == NULL ||
        (c->enc = EVP_CIPHER_CTX_new()) == NULL || (c->dec = EVP_CIPHER_CTX_new()) == NULL ||
        EVP_EncryptInit_ex2(c->enc, c->cipher, NULL, NULL, NULL) != 1 ||
        EVP_DecryptInit_ex2(c->dec, c->cipher, NULL, NULL, NULL) != 1 ||
        EVP_CIPHER_CTX_get_iv_length(c->enc) != SQ_CHUNK_NONCEBYTES ||
        EVP_CIPHER_CTX_get_key_length(c->enc) != SQ_CHUNK_KEYBYTES) {
        sq_chunk_ctx_free(c);
        return NULL;
    }
    return c;
}

void
sq_chunk_ctx_free(sq_chunk_ctx *c)
{
    if (c == NULL)
        return;
    EVP_CIPHER_CTX_free(c->enc);   /* the provider clears its key state on free */
    EVP_CIPHER_CTX_free(c->dec);
    EVP_CIPHER_free(c->cipher);
    free(c);
}

void
sq_chunk_nonce(uint8_t nonce[SQ_CHUNK_NONCEBYTES], uint64_t index, bool final)
{
    /* age STREAM: 11-byte big-endian counter; a uint64_t fills the low 8 */
    memset(nonce, 0, 3);
    sq_store_be64(nonce + 3, index);
    nonce[11] = final ? 0x01 : 0x00;
}

static bool
lengths_ok(size_t len, size_t ad_len)
{
    return len <= SQ_CHUNK_BYTES && ad_len <= SQ_CHUNK_AD_MAX;
}

/* OpenSSL seal with an explicit nonce; no length checks, no logging */
static sq_err
evp_seal(sq_chunk_ctx *c, uint8_t *out, const uint8_t *in, size_t len, const uint8_t key[32],
         const uint8_t nonce[SQ_CHUNK_NONCEBYTES], const uint8_t *ad, size_t ad_len)
{
    int n = 0, fin = 0;

    if (EVP_EncryptInit_ex2(c->enc, NULL, key, nonce, NULL) != 1 ||
        (ad_len > 0 && EVP_EncryptUpdate(c->enc, NULL, &n, ad, (int)ad_len) != 1) ||
        (len > 0 && (EVP_EncryptUpdate(c->enc, out, &n, in, (int)len) != 1 || n != (int)len)) ||
        EVP_EncryptFinal_ex(c->enc, out + len, &fin) != 1 || fin != 0 ||
        EVP_CIPHER_CTX_ctrl(c->enc, EVP_CTRL_AEAD_GET_TAG, SQ_CHUNK_TAGBYTES, out + len) != 1) {
        sodium_memzero(out, len + SQ_CHUNK_TAGBYTES);
        return SQ_ERR_NOMEM;            /* internal OpenSSL failure: nothing is released */
    }
    return SQ_OK;
}

/* OpenSSL open with an explicit nonce. EVP decrypts as it goes and checks
 * the tag at Final; out is wiped on any failure before returning, so the
 * caller never sees bytes whose tag did not verify. */
static sq_err
evp_open(sq_chunk_ctx *c, uint8_t *out, const uint8_t *in, size_t in_len, const uint8_t key[32],
         const uint8_t nonce[SQ_CHUNK_NONCEBYTES], const uint8_t *ad, size_t ad_len)
{
    size_t  len = in_len - SQ_CHUNK_TAGBYTES;
    uint8_t tag[SQ_CHUNK_TAGBYTES];     /* not secret; copied because in may equal out */
    int     n = 0, fin = 0;
    sq_err  ret = SQ_ERR_NOMEM;

    memcpy(tag, in + len, sizeof tag);
    if (EVP_DecryptInit_ex2(c->dec, NULL, key, nonce, NULL) != 1 ||
        EVP_CIPHER_CTX_ctrl(c->dec, EVP_CTRL_AEAD_SET_TAG, SQ_CHUNK_TAGBYTES, tag) != 1 ||
        (ad_len > 0 && EVP_DecryptUpdate(c->dec, NULL, &n, ad, (int)ad_len) != 1) ||
        (len > 0 && (EVP_DecryptUpdate(c->dec, out, &n, in, (int)len) != 1 || n != (int)len)))
        goto out;
    ret = SQ_ERR_AUTH;
    if (EVP_DecryptFinal_ex(c->dec, out + len, &fin) != 1 || fin != 0)
        goto out;                       /* the tag did not verify */
    ret = SQ_OK;
out:
    if (ret != SQ_OK)
        sodium_memzero(out, len);
    return ret;
}

static sq_err
ref_seal(uint8_t *out, const uint8_t *in, size_t len, const uint8_t key[32],
         const uint8_t nonce[SQ_CHUNK_NONCEBYTES], const uint8_t *ad, size_t ad_len)
{
    unsigned long long clen = 0;

    if (crypto_aead_chacha20poly1305_ietf_encrypt(out, &clen, in, len, ad, ad_len, NULL, nonce,
                                                  key) != 0 ||
        clen != len + SQ_CHUNK_TAGBYTES) {
        sodium_memzero(out, len + SQ_CHUNK_TAGBYTES);
        return SQ_ERR_NOMEM;
    }
    return SQ_OK;
}

static sq_err
ref_open(uint8_t *out, const uint8_t *in, size_t in_len, const uint8_t key[32],
         const uint8_t nonce[SQ_CHUNK_NONCEBYTES], const uint8_t *ad, size_t ad_len)
{
    unsigned long long mlen = 0;

    /* libsodium verifies the tag before decrypting anything */
    if (crypto_aead_chacha20poly1305_ietf_decrypt(out, &mlen, NULL, in, in_len, ad, ad_len, nonce,
                                                  key) != 0 ||
        mlen != in_len - SQ_CHUNK_TAGBYTES) {
        sodium_memzero(out, in_len - SQ_CHUNK_TAGBYTES);
        return SQ_ERR_AUTH;
    }
    return SQ_OK;
}

sq_err
sq_chunk_seal(sq_chunk_ctx *c, uint8_t *out, const uint8_t *in, size_t len,
              const uint8_t key[32], uint64_t index, bool final, const uint8_t *ad, size_t ad_len)
{
    uint8_t nonce[SQ_CHUNK_NONCEBYTES];   /* not secret */

    if (!lengths_ok(len, ad_len))
        return SQ_ERR_INVALID;
    sq_chunk_nonce(nonce, index, final);
    sq_nonce_log_use(key, SQ_CHUNK_KEYBYTES, nonce, sizeof nonce);
    return evp_seal(c, out, in, len, key, nonce, ad, ad_len);
}

sq_err
sq_chunk_open(sq_chunk_ctx *c, uint8_t *out, const uint8_t *in, size_t in_len,
              const uint8_t key[32], uint64_t index, bool final, const uint8_t *ad, size_t ad_len)
{
    uint8_t nonce[SQ_CHUNK_NONCEBYTES];

    if (in_len < SQ_CHUNK_TAGBYTES || !lengths_ok(in_len - SQ_CHUNK_TAGBYTES, ad_len))
        return SQ_ERR_INVALID;
    sq_chunk_nonce(nonce, index, final);
    return evp_open(c, out, in, in_len, key, nonce, ad, ad_len);
}

sq_err
sq_chunk_seal_ref(uint8_t *out, const uint8_t *in, size_t len, const uint8_t key[32],
                  uint64_t index, bool final, const uint8_t *ad, size_t ad_len)
{
    uint8_t nonce[SQ_CHUNK_NONCEBYTES];

    if (!lengths_ok(len, ad_len))
        return SQ_ERR_INVALID;
    sq_chunk_nonce(nonce, index, final);
    sq_nonce_log_use(key, SQ_CHUNK_KEYBYTES, nonce, sizeof nonce);
    return ref_seal(out, in, len, key, nonce, ad, ad_len);
}

sq_err
sq_chunk_open_ref(uint8_t *out, const uint8_t *in, size_t in_len, const uint8_t key[32],
                  uint64_t index, bool final, const uint8_t *ad, size_t ad_len)
{
    uint8_t nonce[SQ_CHUNK_NONCEBYTES];

    if (in_len < SQ_CHUNK_TAGBYTES || !lengths_ok(in_len - SQ_CHUNK_TAGBYTES, ad_len))
        return SQ_ERR_INVALID;
    sq_chunk_nonce(nonce, index, final);
    return ref_open(out, in, in_len, key, nonce, ad, ad_len);
}

sq_err
sq_chunk_kat_seal(sq_chunk_ctx *c, bool ref, uint8_t *out, const uint8_t *in, size_t len,
                  const uint8_t key[32], const uint8_t nonce[SQ_CHUNK_NONCEBYTES],
                  const uint8_t *ad, size_t ad_len)
{
    if (!lengths_ok(len, ad_len))
        return SQ_ERR_INVALID;
    sq_nonce_log_use(key, SQ_CHUNK_KEYBYTES, nonce, SQ_CHUNK_NONCEBYTES);
    return ref ? ref_seal(out, in, len, key, nonce, ad, ad_len)
               : evp_seal(c, out, in, len, key, nonce, ad, ad_len);
}

sq_err
sq_chunk_kat_open(sq_chunk_ctx *c, bool ref, uint8_t *out, const uint8_t *in, size_t in_len,
                  const uint8_t key[32], const uint8_t nonce[SQ_CHUNK_NONCEBYTES],
                  const uint8_t *ad, size_t ad_len)
{
    if (in_len < SQ_CHUNK_TAGBYTES || !lengths_ok(in_len - SQ_CHUNK_TAGBYTES, ad_len))
        return SQ_ERR_INVALID;
    return ref ? ref_open(out, in, in_len, key, nonce, ad, ad_len)
               : evp_open(c, out, in, in_len, key, nonce, ad, ad_len);
}
