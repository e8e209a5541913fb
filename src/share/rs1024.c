/* rs1024.c: see rs1024.h; the generator constants are those of SLIP-0039. */
#include "share/ct.h"
#include "share/rs1024.h"

static const uint32_t gen[10] = {
    0x00E0E040, 0x01C1C080, 0x03838100, 0x07070200, 0x0E0E0009,
    0x1C0C2412, 0x38086C24, 0x3090FC48, 0x21B1F890, 0x03F3F120,
};

static uint32_t
step(uint32_t chk, uint32_t v)
{
    uint32_t b = chk >> 20;

    chk = ((chk & 0xFFFFFu) << 10) ^ (v & 0x3FFu);
    for (unsigned i = 0; i < 10; i++)
        chk ^= gen[i] & (0u - ((b >> i) & 1u));   /* mask, not a branch */
    return chk;
}

static uint32_t
polymod_prefix(bool extendable)
{
    static const char cs0[] = "shamir";
    static const char cs1[] = "shamir_extendable";
    const char *cs = extendable ? cs1 : cs0;     /* public flag */
    uint32_t    chk = 1;

    for (const char *p = cs; *p != '\0'; p++)
        chk = step(chk, (uint8_t)*p);
    return chk;
}

void
sq_rs1024_create(uint16_t out[SQ_RS1024_CHECKSUM_WORDS], const uint16_t *data, size_t len,
                 bool extendable)
{
    uint32_t chk = polymod_prefix(extendable);

    for (size_t i = 0; i < len; i++)
        chk = step(chk, data[i]);
    for (int i = 0; i < SQ_RS1024_CHECKSUM_WORDS; i++)
        chk = step(chk, 0);
    chk ^= 1;
    for (int i = 0; i < SQ_RS1024_CHECKSUM_WORDS; i++)
        out[i] = (uint16_t)((chk >> (10 * (2 - i))) & 0x3FFu);
}

bool
sq_rs1024_verify(const uint16_t *words, size_t len, bool extendable)
{
    uint32_t chk = polymod_prefix(extendable);
    bool     ok;

    for (size_t i = 0; i < len; i++)
        chk = step(chk, words[i]);
    ok = chk == 1;
    SQ_CT_DECLASSIFY(&ok, sizeof ok);   /* the verdict alone is public */
    return ok;
}

/* The checksum is affine over GF(2) in the words: changing word i by XOR
 * with e changes the final residue by P^(len-1-i)(e), where P is a step
 * with a zero word (step is linear in the state and the word: its masks
 * are linear in the bits). Each position's 10 basis images come from the
 * next position's by one more step, and the 1023 candidate changes are
 * walked in Gray-code order, one XOR each. Word 1 holds the extendable
 * flag, which picks the customization string: flipping it also adds the
 * difference of the two prefixes carried through every word. */
unsigned
sq_rs1024_locate(const uint16_t *words, size_t len)
{
    uint32_t r, basis[10], flip;
    unsigned at = 0;
    bool     ext;

    if (len < 2)
        return 0;
    ext = ((words[1] >> 4) & 1u) != 0;
    r = polymod_prefix(ext);
    for (size_t i = 0; i < len; i++)
        r = step(r, words[i]);
    flip = polymod_prefix(false) ^ polymod_prefix(true);
    for (size_t i = 0; i < len; i++)
        flip = step(flip, 0);
    for (unsigned k = 0; k < 10; k++)
        basis[k] = 1u << k;                      /* the last word: no steps after it */
    for (size_t i = len; i-- > 0;) {
        uint32_t delta = 0;

        for (uint32_t g = 1; g < 1024; g++) {
            uint32_t e = g ^ (g >> 1);           /* Gray code: one bit changes */
            uint32_t extra = (i == 1 && ((e >> 4) & 1u)) ? flip : 0;

            delta ^= basis[__builtin_ctz(g)];
            if ((r ^ delta ^ extra) == 1 && at == 0)
                at = (unsigned)i + 1;
        }
        for (unsigned k = 0; k < 10; k++)
            basis[k] = step(basis[k], 0);
    }
    return at;
}
