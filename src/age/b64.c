/* b64.c: base64 (RFC 4648 section 4), canonical only (section 3.5).
 * C2SP age: unpadded in the header, "decoders MUST reject non-canonical
 * encodings and encodings ending with = padding"; the armor is padded.
 * Header and armor text is not secret (the stanza bodies are ciphertext),
 * so a lookup table is fine here. */
#include <string.h>

#include "age/age_internal.h"

static const char ALPHABET[65] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t
sq_age_b64_len(size_t n, bool pad)
{
    return pad ? (n + 2) / 3 * 4 : (n * 8 + 5) / 6;
}

void
sq_age_b64_encode(char *out, const uint8_t *in, size_t n, bool pad)
{
    size_t i = 0, o = 0;

    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

        out[o++] = ALPHABET[v >> 18];
        out[o++] = ALPHABET[(v >> 12) & 63];
        out[o++] = ALPHABET[(v >> 6) & 63];
        out[o++] = ALPHABET[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;

        out[o++] = ALPHABET[v >> 18];
        out[o++] = ALPHABET[(v >> 12) & 63];
        if (pad) {
            out[o++] = '=';
            out[o++] = '=';
        }
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;

        out[o++] = ALPHABET[v >> 18];
        out[o++] = ALPHABET[(v >> 12) & 63];
        out[o++] = ALPHABET[(v >> 6) & 63];
        if (pad)
            out[o++] = '=';
    }
}

static int
value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

bool
sq_age_b64_decode(uint8_t *out, size_t cap, size_t *out_len, const char *in, size_t len,
                  bool pad)
{
    size_t   chars = len, n, o = 0;
    uint32_t acc = 0;
    unsigned bits = 0;

    if (pad) {
        /* exact padding: a multiple of 4 with at most two '=' at the end */
        if (len % 4 != 0)
            return false;
        if (len >= 1 && in[len - 1] == '=')
            chars--;
        if (len >= 2 && in[len - 2] == '=')
            chars--;
    }
    if (chars % 4 == 1)
        return false;                 /* 6 bits cannot end a byte */
    n = chars * 6 / 8;
    if (n > cap)
        return false;
    for (size_t i = 0; i < chars; i++) {
        int v = value(in[i]);

        if (v < 0)
            return false;             /* also '=' anywhere else, CR, LF, spaces */
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    if ((acc & ((1u << bits) - 1u)) != 0)
        return false;                 /* non-canonical: spare bits set */
    *out_len = o;
    return true;
}

bool
sq_age_b64_decode_exact(uint8_t *out, size_t n, const char *in, size_t len)
{
    size_t got = 0;

    return len == sq_age_b64_len(n, false) && sq_age_b64_decode(out, n, &got, in, len, false) &&
           got == n;
}
