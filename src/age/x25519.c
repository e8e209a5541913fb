/* x25519.c: the X25519 recipient stanza (C2SP age "X25519 recipient stanza"):
 *
 *   -> X25519 <base64(ephemeral share)>
 *   <base64(ChaCha20-Poly1305(wrap key, zero nonce, file key))>
 *
 * wrap key = HKDF-SHA-256(ikm = X25519(eph, recipient),
 *                         salt = share || recipient, "age-encryption.org/v1/X25519") */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "age/age_internal.h"
#include "crypto/hkdf.h"
#include "crypto/nonce_log.h"
#include "util/random.h"

static const char X25519_LABEL[] = "age-encryption.org/v1/X25519";

static void
wrap_key(uint8_t key[32], const uint8_t shared[32], const uint8_t share[32],
         const uint8_t recipient[32])
{
    uint8_t salt[64];   /* public: both points */

    memcpy(salt, share, 32);
    memcpy(salt + 32, recipient, 32);
    (void)sq_hkdf_sha256(key, 32, salt, sizeof salt, shared, 32, (const uint8_t *)X25519_LABEL,
                         sizeof X25519_LABEL - 1);
}

sq_err
sq_age_x25519_check(const sq_age_stanza *s)
{
    /* any clamped scalar: a multiple of the cofactor, so the product is zero
     * exactly when the share is of low order, whoever the identity is */
    static const uint8_t probe[32] = { 8, [31] = 64 };
    uint8_t              share[32], q[32];

    /* exactly two arguments (type and share), a canonical 32-byte share and a
     * 32-byte body, checked before any decryption (partitioning oracles) */
    if (s->argc != 2 || !sq_age_b64_decode_exact(share, sizeof share, s->argv[1], s->argl[1]) ||
        s->body_len != SQ_AGE_WRAPPED_BYTES)
        return SQ_ERR_FORMAT;
    /* a low-order share gives an all-zero shared secret, which C2SP age says
     * MUST abort: checked here for every stanza, so whether a file opens
     * does not depend on the order in which identities are tried */
    if (crypto_scalarmult(q, probe, share) != 0)
        return SQ_ERR_FORMAT;
    return SQ_OK;
}

sq_err
sq_age_x25519_wrap(sq_age_stanza *s, char share_b64[SQ_AGE_MAC_B64_CHARS + 1],
                   const uint8_t pk[SQ_AGE_KEY_BYTES], const uint8_t *file_key)
{
    static const uint8_t zero_nonce[12] = { 0 };
    uint8_t              eph[32], shared[32], key[32];   /* secret: wiped below */
    uint8_t              share[32];
    sq_err               ret = SQ_ERR_INVALID;

    memset(s, 0, sizeof *s);
    sq_random_buf(eph, sizeof eph);
    if (crypto_scalarmult_base(share, eph) != 0 || crypto_scalarmult(shared, eph, pk) != 0)
        goto out;                     /* a low-order recipient key: refuse it */
    wrap_key(key, shared, share, pk);
    if ((s->body = malloc(SQ_AGE_WRAPPED_BYTES)) == NULL) {
        ret = SQ_ERR_NOMEM;
        goto out;
    }
    /* the wrap key is fresh for every stanza (new ephemeral), so the fixed
     * zero nonce is used once under it */
    sq_nonce_log_use(key, sizeof key, zero_nonce, sizeof zero_nonce);
    crypto_aead_chacha20poly1305_ietf_encrypt(s->body, NULL, file_key, SQ_AGE_FILE_KEY_BYTES,
                                              NULL, 0, NULL, zero_nonce, key);
    s->body_len = SQ_AGE_WRAPPED_BYTES;
    sq_age_b64_encode(share_b64, share, sizeof share, false);
    share_b64[SQ_AGE_MAC_B64_CHARS] = '\0';
    s->argc = 2;
    s->argv[0] = "X25519";
    s->argl[0] = 6;
    s->argv[1] = share_b64;
    s->argl[1] = SQ_AGE_MAC_B64_CHARS;
    ret = SQ_OK;
out:
    sodium_memzero(eph, sizeof eph);
    sodium_memzero(shared, sizeof shared);
    sodium_memzero(key, sizeof key);
    if (ret != SQ_OK) {
        free(s->body);
        memset(s, 0, sizeof *s);
    }
    return ret;
}

sq_err
sq_age_x25519_unwrap(uint8_t *file_key, const sq_age_stanza *s,
                     const uint8_t sk[SQ_AGE_KEY_BYTES], const uint8_t pk[SQ_AGE_KEY_BYTES])
{
    static const uint8_t zero_nonce[12] = { 0 };
    uint8_t              share[32], shared[32], key[32];   /* shared, key: secret */
    sq_err               ret = SQ_ERR_FORMAT;

    if (sq_age_x25519_check(s) != SQ_OK ||
        !sq_age_b64_decode_exact(share, sizeof share, s->argv[1], s->argl[1]))
        goto out;
    /* libsodium returns -1 when the shared secret is all zero (a low-order
     * share): C2SP age says the implementation MUST abort */
    if (crypto_scalarmult(shared, sk, share) != 0)
        goto out;
    wrap_key(key, shared, share, pk);
    ret = SQ_ERR_NOTFOUND;
    if (crypto_aead_chacha20poly1305_ietf_decrypt(file_key, NULL, NULL, s->body, s->body_len,
                                                  NULL, 0, zero_nonce, key) != 0)
        goto out;
    ret = SQ_OK;
out:
    sodium_memzero(shared, sizeof shared);
    sodium_memzero(key, sizeof key);
    if (ret != SQ_OK)
        sodium_memzero(file_key, SQ_AGE_FILE_KEY_BYTES);
    return ret;
}
