/* derive.h: labelled subkeys. */
#ifndef SQ_CRYPTO_DERIVE_H
#define SQ_CRYPTO_DERIVE_H

#include <stddef.h>
#include <stdint.h>

/* sq_derive: out = BLAKE2b-256(key = key, label || ctx), label without its
 * NUL. Labels are fixed strings ("sandyq/v1/slot-kek"); ctx is the binding
 * (salt, indices). Labels must be prefix-free among themselves (the caller's
 * table) so that (label, ctx) pairs cannot collide. ctx may be NULL if
 * ctx_len is 0. */
void sq_derive(uint8_t out[32], const uint8_t key[32], const char *label, const uint8_t *ctx,
               size_t ctx_len);

#endif
