/* gf256.h: arithmetic in GF(2^8) modulo x^8+x^4+x^3+x+1 (0x11b, the AES and
 * SLIP-0039 field), for Shamir sharing of secret bytes.
 *
 * Why no tables: the share values and the secret are the operands, and a
 * log/exp table read indexed by them leaks through the cache. Multiplication
 * is a fixed 8-step shift-and-add with masks, inversion is x^254 by a fixed
 * square-and-multiply chain; neither branches on or indexes by its operands. */
#ifndef SQ_SHARE_GF256_H
#define SQ_SHARE_GF256_H

#include <stddef.h>
#include <stdint.h>

/* sq_gf256_mul: a * b in the field. Constant time. */
uint8_t sq_gf256_mul(uint8_t a, uint8_t b);

/* sq_gf256_inv: a^-1 (a^254); 0 maps to 0. Constant time. */
uint8_t sq_gf256_inv(uint8_t a);

/* sq_gf256_interpolate: out[k] = f_k(x) for k < len, where f_k is the
 * polynomial of degree < n through (xs[i], ys[i][k]). The xs (share indexes)
 * are public; they must be pairwise distinct (misuse: abort()). The ys and
 * out are secret and handled in constant time. n >= 1. */
void sq_gf256_interpolate(uint8_t *out, size_t len, const uint8_t *xs,
                          const uint8_t *const *ys, size_t n, uint8_t x);

#endif
