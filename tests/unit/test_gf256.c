/* test_gf256.c: the table-free GF(256) arithmetic against a slow reference
 * (polynomial multiplication then reduction by 0x11b), and interpolation. */
#include <string.h>

#include "share/gf256.h"
#include "testlib.h"
#include "util/random.h"

static uint8_t
ref_mul(uint8_t a, uint8_t b)
{
    unsigned p = 0;

    for (int i = 0; i < 8; i++)
        if (b & (1u << i))
            p ^= (unsigned)a << i;
    for (int i = 14; i >= 8; i--)
        if (p & (1u << i))
            p ^= 0x11bu << (i - 8);
    return (uint8_t)p;
}

int
main(void)
{
    unsigned bad_mul = 0, bad_inv = 0;

    sq_test_init("gf256");
    for (unsigned a = 0; a < 256; a++)
        for (unsigned b = 0; b < 256; b++)
            bad_mul += sq_gf256_mul((uint8_t)a, (uint8_t)b) != ref_mul((uint8_t)a, (uint8_t)b);
    CHECK_EQ_INT(bad_mul, 0);
    CHECK(sq_gf256_mul(0x53, 0xca) == 0x01);   /* FIPS 197 s. 4.2 example pair */
    CHECK(sq_gf256_mul(0x57, 0x83) == 0xc1);   /* FIPS 197 s. 4.2 */
    CHECK(sq_gf256_inv(0) == 0);
    for (unsigned a = 1; a < 256; a++)
        bad_inv += sq_gf256_mul((uint8_t)a, sq_gf256_inv((uint8_t)a)) != 1;
    CHECK_EQ_INT(bad_inv, 0);
    /* interpolation: a random polynomial of degree 3 per byte, sampled at
     * 4 points, gives back its value at 255 and at every other point */
    for (int r = 0; r < 50; r++) {
        uint8_t        coef[4][8], xs[4], pts[4][8], out[8], want[8];
        const uint8_t *ys[4] = { pts[0], pts[1], pts[2], pts[3] };

        sq_random_buf(coef, sizeof coef);
        for (int i = 0; i < 4; i++)
            xs[i] = (uint8_t)(r + 3 * i);
        for (int i = 0; i < 5; i++) {
            uint8_t x = i < 4 ? xs[i] : 255;
            uint8_t *dst = i < 4 ? pts[i] : want;

            for (int k = 0; k < 8; k++) {
                uint8_t v = 0, xp = 1;

                for (int c = 0; c < 4; c++) {
                    v ^= ref_mul(coef[c][k], xp);
                    xp = ref_mul(xp, x);
                }
                dst[k] = v;
            }
        }
        sq_gf256_interpolate(out, 8, xs, ys, 4, 255);
        CHECK(memcmp(out, want, 8) == 0);
        sq_gf256_interpolate(out, 8, xs, ys, 4, xs[2]);
        CHECK(memcmp(out, pts[2], 8) == 0);
        /* tamper: one changed point moves the value at 255 */
        pts[1][0] ^= 1;
        sq_gf256_interpolate(out, 8, xs, ys, 4, 255);
        CHECK(memcmp(out, want, 8) != 0);
    }
    return sq_test_done();
}
