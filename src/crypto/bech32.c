/* bech32.c: Bech32 (BIP-173) with a constant-time decoder for secrets. */
#include "crypto/bech32.h"

#include <sodium.h>
#include <string.h>

static const char CHARSET[33] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/* BIP-173's BCH generator; the step is branch-free (masks, not ifs), so the
 * checksum of secret data takes the same time whatever the data. */
static uint32_t
polymod_step(uint32_t chk, uint32_t v)
{
    static const uint32_t GEN[5] = { 0x3b6a57b2u, 0x26508e6du, 0x1ea119fau, 0x3d4233ddu,
                                     0x2a1462b3u };
    uint32_t b = chk >> 25;

    chk = ((chk & 0x1ffffffu) << 5) ^ v;
    for (int i = 0; i < 5; i++)
        chk ^= GEN[i] & (0u - ((b >> i) & 1u));
    return chk;
}

/* the checksum state after the (lowercase) HRP's expansion */
static uint32_t
hrp_state(const char *hrp, size_t hl)
{
    uint32_t chk = 1;

    for (size_t i = 0; i < hl; i++)
        chk = polymod_step(chk, (uint8_t)hrp[i] >> 5);
    chk = polymod_step(chk, 0);
    for (size_t i = 0; i < hl; i++)
        chk = polymod_step(chk, (uint8_t)hrp[i] & 31u);
    return chk;
}

static char
lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

static bool
hrp_char_ok(char c)
{
    return (uint8_t)c >= 33 && (uint8_t)c <= 126;
}

/* the character of a 5-bit value, by comparing with all 32 (no lookup
 * indexed by the value: identities are encoded here too) */
static char
value_char(uint32_t v)
{
    uint32_t c = 0;

    for (uint32_t k = 0; k < 32; k++)
        c |= (uint8_t)CHARSET[k] & (0u - (((k ^ v) - 1u) >> 31));
    return (char)c;
}

sq_err
sq_bech32_encode(char *out, size_t cap, size_t *out_len, const char *hrp, const uint8_t *data,
                 size_t len, bool upper)
{
    char     lhrp[SQ_BECH32_MAX_HRP];
    size_t   hl = strlen(hrp), n5, total, pos = 0;
    uint32_t chk, acc = 0;
    unsigned bits = 0;

    if (hl == 0 || hl > SQ_BECH32_MAX_HRP || len > SQ_BECH32_MAX_CHARS)
        return SQ_ERR_INVALID;
    n5 = (len * 8 + 4) / 5;
    total = hl + 1 + n5 + 6;
    if (total > SQ_BECH32_MAX_CHARS || cap < total + 1)
        return SQ_ERR_INVALID;
    for (size_t i = 0; i < hl; i++) {
        if (!hrp_char_ok(hrp[i]))
            return SQ_ERR_INVALID;
        lhrp[i] = lower(hrp[i]);
    }
    chk = hrp_state(lhrp, hl);
    memcpy(out, lhrp, hl);
    pos = hl;
    out[pos++] = '1';
    for (size_t i = 0; i < len; i++) {
        acc = (acc << 8) | data[i];
        bits += 8;
        while (bits >= 5) {
            uint32_t v = (acc >> (bits - 5)) & 31u;

            bits -= 5;
            chk = polymod_step(chk, v);
            out[pos++] = value_char(v);
        }
    }
    if (bits > 0) {
        uint32_t v = (acc << (5 - bits)) & 31u;

        chk = polymod_step(chk, v);
        out[pos++] = value_char(v);
    }
    for (int i = 0; i < 6; i++)
        chk = polymod_step(chk, 0);
    chk ^= 1;
    for (int i = 0; i < 6; i++)
        out[pos++] = value_char((chk >> (5 * (5 - i))) & 31u);
    out[pos] = '\0';
    if (upper)
        for (size_t i = 0; i < pos; i++) {
            uint32_t c = (uint8_t)out[i];
            uint32_t lo = (1u ^ ((c - 'a') >> 31)) & (1u ^ (('z' - c) >> 31));

            out[i] = (char)(c ^ (lo << 5));   /* branch-free: secret characters */
        }
    if (out_len != NULL)
        *out_len = pos;
    sodium_memzero(&acc, sizeof acc);
    return SQ_OK;
}

static int
charset_index(char c)
{
    const char *p;

    if (c == '\0' || (p = memchr(CHARSET, c, 32)) == NULL)
        return -1;
    return (int)(p - CHARSET);
}

sq_err
sq_bech32_decode5(char *hrp, size_t hrp_cap, size_t *hrp_len, uint8_t *data5, size_t data5_cap,
                  size_t *data5_len, const char *s, size_t len)
{
    bool     has_upper = false, has_lower = false;
    size_t   sep = 0, n;
    bool     found = false;
    uint32_t chk;

    if (len > SQ_BECH32_MAX_CHARS)
        return SQ_ERR_LIMIT;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];

        if (!hrp_char_ok(c))
            return SQ_ERR_FORMAT;
        has_upper |= (c >= 'A' && c <= 'Z');
        has_lower |= (c >= 'a' && c <= 'z');
        if (c == '1') {
            sep = i;
            found = true;
        }
    }
    if (has_upper && has_lower)
        return SQ_ERR_FORMAT;                      /* mixed case */
    if (!found || sep == 0 || sep > SQ_BECH32_MAX_HRP || len - sep - 1 < 6)
        return SQ_ERR_FORMAT;                      /* no separator, empty HRP, short checksum */
    n = len - sep - 1 - 6;
    if (hrp_cap < sep + 1 || data5_cap < n)
        return SQ_ERR_INVALID;
    for (size_t i = 0; i < sep; i++)
        hrp[i] = lower(s[i]);
    hrp[sep] = '\0';
    chk = hrp_state(hrp, sep);
    for (size_t i = sep + 1; i < len; i++) {
        int v = charset_index(lower(s[i]));

        if (v < 0)
            return SQ_ERR_FORMAT;
        chk = polymod_step(chk, (uint32_t)v);
        if (i < sep + 1 + n)
            data5[i - sep - 1] = (uint8_t)v;
    }
    if (chk != 1)
        return SQ_ERR_FORMAT;
    *hrp_len = sep;
    *data5_len = n;
    return SQ_OK;
}

sq_err
sq_bech32_decode(char *hrp, size_t hrp_cap, size_t *hrp_len, uint8_t *data, size_t data_cap,
                 size_t *data_len, const char *s, size_t len)
{
    uint8_t  groups[SQ_BECH32_MAX_CHARS];
    size_t   n5 = 0, hl = 0, out = 0;
    uint32_t acc = 0;
    unsigned bits = 0;
    sq_err   ret;

    if ((ret = sq_bech32_decode5(hrp, hrp_cap, &hl, groups, sizeof groups, &n5, s, len)) != SQ_OK)
        return ret;
    if (n5 * 5 / 8 > data_cap)
        return SQ_ERR_INVALID;
    for (size_t i = 0; i < n5; i++) {
        acc = (acc << 5) | groups[i];
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            data[out++] = (uint8_t)(acc >> bits);
        }
    }
    /* BIP-173: at most 4 bits of padding, all zero */
    if (bits >= 5 || (acc & ((1u << bits) - 1u)) != 0)
        return SQ_ERR_FORMAT;
    *hrp_len = hl;
    *data_len = out;
    return SQ_OK;
}

/* constant-time helpers on values 0..255: 1 or 0, without branches */
static uint32_t
ct_lt(uint32_t a, uint32_t b)
{
    return (a - b) >> 31;
}

static uint32_t
ct_eq(uint32_t a, uint32_t b)
{
    return ((a ^ b) - 1u) >> 31;
}

/* 1 when x != 0 (any 32-bit x) */
static uint32_t
ct_nz(uint32_t x)
{
    return (x | (0u - x)) >> 31;
}

static uint32_t
ct_in(uint32_t c, uint32_t lo, uint32_t hi)
{
    return (1u ^ ct_lt(c, lo)) & (1u ^ ct_lt(hi, c));
}

sq_err
sq_bech32_decode_secret(uint8_t *data, size_t data_len, const char *hrp, const char *s,
                        size_t len)
{
    char     lhrp[SQ_BECH32_MAX_HRP];
    size_t   hl = strlen(hrp), n5, out = 0;
    uint32_t bad = 0, saw_upper = 0, saw_lower = 0, chk, acc = 0;
    unsigned bits = 0;

    /* only public facts decide these early exits: the lengths and the HRP */
    if (hl == 0 || hl > SQ_BECH32_MAX_HRP || data_len > SQ_BECH32_MAX_CHARS)
        return SQ_ERR_FORMAT;
    n5 = (data_len * 8 + 4) / 5;
    if (len != hl + 1 + n5 + 6) {
        sodium_memzero(data, data_len);
        return SQ_ERR_FORMAT;
    }
    for (size_t i = 0; i < hl; i++)
        lhrp[i] = lower(hrp[i]);
    chk = hrp_state(lhrp, hl);
    for (size_t i = 0; i < len; i++) {
        uint32_t c = (uint8_t)s[i];
        uint32_t up = ct_in(c, 'A', 'Z'), lo = ct_in(c, 'a', 'z');
        uint32_t lc = c | (up << 5);   /* 'A'..'Z' + 32 */

        saw_upper |= up;
        saw_lower |= lo;
        bad |= 1u ^ ct_in(c, 33, 126);
        if (i < hl) {
            bad |= 1u ^ ct_eq(lc, (uint8_t)lhrp[i]);
        } else if (i == hl) {
            bad |= 1u ^ ct_eq(c, '1');
        } else {
            uint32_t v = 0, hit = 0;

            /* map the character by comparing it with all 32, no lookup */
            for (uint32_t k = 0; k < 32; k++) {
                uint32_t m = ct_eq(lc, (uint8_t)CHARSET[k]);

                v |= k & (0u - m);
                hit |= m;
            }
            bad |= 1u ^ hit;
            chk = polymod_step(chk, v);
            if (i < hl + 1 + n5) {
                acc = (acc << 5) | v;
                bits += 5;               /* bits depends on the position only */
                if (bits >= 8) {
                    bits -= 8;
                    data[out++] = (uint8_t)(acc >> bits);
                }
            }
        }
    }
    bad |= saw_upper & saw_lower;
    bad |= ct_nz(chk ^ 1u);
    bad |= ct_nz(acc & ((1u << bits) - 1u));   /* padding bits must be zero */
    sodium_memzero(&acc, sizeof acc);
    if (bad != 0) {
        sodium_memzero(data, data_len);
        return SQ_ERR_FORMAT;
    }
    return SQ_OK;
}
