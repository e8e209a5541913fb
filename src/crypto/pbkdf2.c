/* pbkdf2.c: see pbkdf2.h. */
#include <sodium.h>
#include <string.h>

#include "crypto/pbkdf2.h"

sq_err
sq_pbkdf2_sha256(uint8_t *out, size_t out_len, const uint8_t *pass, size_t pass_len,
                 const uint8_t *salt, size_t salt_len, uint64_t iter)
{
    crypto_auth_hmacsha256_state keyed, st;   /* secret: wiped below */
    uint8_t u[crypto_auth_hmacsha256_BYTES];  /* secret */
    uint8_t t[crypto_auth_hmacsha256_BYTES];  /* secret */
    uint8_t be[4];
    sq_err  ret = SQ_ERR_INVALID;

    if (iter == 0 || (uint64_t)out_len / 32u >= 0xffffffffu) {
        sodium_memzero(out, out_len);
        return ret;
    }
    /* The key schedule (pass hashed into the inner and outer pads) is done
     * once and copied for every HMAC: the same result at half the cost. */
    crypto_auth_hmacsha256_init(&keyed, pass, pass_len);
    for (uint32_t block = 1; out_len > 0; block++) {
        size_t take = out_len < sizeof t ? out_len : sizeof t;

        be[0] = (uint8_t)(block >> 24);
        be[1] = (uint8_t)(block >> 16);
        be[2] = (uint8_t)(block >> 8);
        be[3] = (uint8_t)block;
        st = keyed;
        crypto_auth_hmacsha256_update(&st, salt, salt_len);
        crypto_auth_hmacsha256_update(&st, be, sizeof be);
        crypto_auth_hmacsha256_final(&st, u);
        memcpy(t, u, sizeof t);
        for (uint64_t i = 1; i < iter; i++) {
            st = keyed;
            crypto_auth_hmacsha256_update(&st, u, sizeof u);
            crypto_auth_hmacsha256_final(&st, u);
            for (size_t k = 0; k < sizeof t; k++)
                t[k] ^= u[k];
        }
        memcpy(out, t, take);
        out += take;
        out_len -= take;
    }
    ret = SQ_OK;
    sodium_memzero(&keyed, sizeof keyed);
    sodium_memzero(&st, sizeof st);
    sodium_memzero(u, sizeof u);
    sodium_memzero(t, sizeof t);
    return ret;
}
