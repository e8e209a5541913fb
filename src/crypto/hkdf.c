/* hkdf.c: HKDF-SHA256 (RFC 5869 section 2). */
#include "crypto/hkdf.h"

#include <sodium.h>
#include <string.h>

void
sq_hkdf_extract(uint8_t prk[SQ_HKDF_PRK_BYTES], const uint8_t *salt, size_t salt_len,
                const uint8_t *ikm, size_t ikm_len)
{
    crypto_auth_hmacsha256_state st;   /* secret: holds the keyed pads; wiped below */

    /* the _init form takes keys of any length (the one-shot API wants 32) */
    crypto_auth_hmacsha256_init(&st, salt_len ? salt : (const uint8_t *)"", salt_len);
    if (ikm_len > 0)
        crypto_auth_hmacsha256_update(&st, ikm, ikm_len);
    crypto_auth_hmacsha256_final(&st, prk);
    sodium_memzero(&st, sizeof st);
}

sq_err
sq_hkdf_expand(uint8_t *out, size_t out_len, const uint8_t prk[SQ_HKDF_PRK_BYTES],
               const uint8_t *info, size_t info_len)
{
    crypto_auth_hmacsha256_state st;                    /* secret: wiped below */
    uint8_t                      t[SQ_HKDF_PRK_BYTES];  /* secret: previous block T(i) */
    size_t                       done = 0;
    uint8_t                      counter = 0;

    if (out_len > SQ_HKDF_MAX_OUT)
        return SQ_ERR_INVALID;
    while (done < out_len) {
        size_t take = out_len - done < sizeof t ? out_len - done : sizeof t;

        counter++;   /* never wraps: out_len <= 255 blocks */
        crypto_auth_hmacsha256_init(&st, prk, SQ_HKDF_PRK_BYTES);
        if (counter > 1)
            crypto_auth_hmacsha256_update(&st, t, sizeof t);
        if (info_len > 0)
            crypto_auth_hmacsha256_update(&st, info, info_len);
        crypto_auth_hmacsha256_update(&st, &counter, 1);
        crypto_auth_hmacsha256_final(&st, t);
        memcpy(out + done, t, take);
        done += take;
    }
    sodium_memzero(&st, sizeof st);
    sodium_memzero(t, sizeof t);
    return SQ_OK;
}

sq_err
sq_hkdf_sha256(uint8_t *out, size_t out_len, const uint8_t *salt, size_t salt_len,
               const uint8_t *ikm, size_t ikm_len, const uint8_t *info, size_t info_len)
{
    uint8_t prk[SQ_HKDF_PRK_BYTES];   /* secret: wiped below */
    sq_err  ret;

    if (out_len > SQ_HKDF_MAX_OUT)
        return SQ_ERR_INVALID;
    sq_hkdf_extract(prk, salt, salt_len, ikm, ikm_len);
    ret = sq_hkdf_expand(out, out_len, prk, info, info_len);
    sodium_memzero(prk, sizeof prk);
    return ret;
}
