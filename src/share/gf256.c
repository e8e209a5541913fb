/* gf256.c: see gf256.h. */
#include <stdlib.h>
#include <string.h>

#include "share/ct.h"
#include "share/gf256.h"

uint8_t
sq_gf256_mul(uint8_t a, uint8_t b)
{
    unsigned r = 0, x = a, y = b;

    for (int i = 0; i < 8; i++) {
        r ^= x & (0u - (y & 1u));          /* add x when the low bit of y is set */
        y >>= 1;
        /* x *= X: shift, and reduce by 0x11b when bit 8 appears */
        x = ((x << 1) ^ (0x11bu & (0u - (x >> 7)))) & 0xffu;
    }
    return (uint8_t)r;
}

uint8_t
sq_gf256_inv(uint8_t a)
{
    /* 254 = 0b11111110: the exponent is public, so the chain is fixed. */
    uint8_t a2 = sq_gf256_mul(a, a);         /* a^2 */
    uint8_t r = a2;                          /* a^2 */
    uint8_t p = a2;

    for (int i = 0; i < 6; i++) {
        p = sq_gf256_mul(p, p);              /* a^4, a^8, ..., a^128 */
        r = sq_gf256_mul(r, p);
    }
    return r;                                /* a^(2+4+...+128) = a^254 */
}

void
sq_gf256_interpolate(uint8_t *out, size_t len, const uint8_t *xs,
                     const uint8_t *const *ys, size_t n, uint8_t x)
{
    memset(out, 0, len);
    for (size_t i = 0; i < n; i++) {
        uint8_t num = 1, den = 1, coef;

        /* Lagrange basis l_i(x) = prod_{j != i} (x - x_j) / (x_i - x_j);
         * subtraction is XOR in characteristic 2. Indexes are public. */
        for (size_t j = 0; j < n; j++) {
            if (j == i)
                continue;
            if (xs[i] == xs[j])
                abort();                     /* caller must refuse duplicates */
            num = sq_gf256_mul(num, (uint8_t)(x ^ xs[j]));
            den = sq_gf256_mul(den, (uint8_t)(xs[i] ^ xs[j]));
        }
        coef = sq_gf256_mul(num, sq_gf256_inv(den));
        for (size_t k = 0; k < len; k++)
            out[k] ^= sq_gf256_mul(coef, ys[i][k]);
    }
}

bool sq_ct_marking = false;
