/* derive.c: BLAKE2b-256 keyed derivation. */
#include "crypto/derive.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

void
sq_derive(uint8_t out[32], const uint8_t key[32], const char *label, const uint8_t *ctx,
          size_t ctx_len)
{
    crypto_generichash_state st;   /* secret: holds the key; wiped below */

    if (crypto_generichash_init(&st, key, 32, 32) != 0 ||
        crypto_generichash_update(&st, (const uint8_t *)label, strlen(label)) != 0 ||
        (ctx_len > 0 && crypto_generichash_update(&st, ctx, ctx_len) != 0) ||
        crypto_generichash_final(&st, out, 32) != 0)
        abort();                   /* cannot fail with these lengths: a broken libsodium */
    sodium_memzero(&st, sizeof st);
}
