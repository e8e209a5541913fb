/* fuzz_utf8.c: NFC, caseless keys, name rules and both escapers on arbitrary
 * bytes, asserting their promises, not only the absence of crashes:
 *   - NFC output is valid UTF-8, is NFC (sq_utf8_is_nfc), and NFC is idempotent;
 *   - is_nfc(x) iff NFC(x) == x; the key of x equals the key of NFC(x);
 *   - errors leave *out_len 0; out_cap = 3 * in_len always suffices;
 *   - sq_name_normalize output passes sq_name_valid;
 *   - terminal output holds no C0, DEL, C1 or bidi control and is valid UTF-8;
 *   - JSON output decodes back to exactly the input (NULL iff ill-formed). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/escape.h"
#include "util/utf8.h"

#define BUF (3 * SQ_TEXT_MAX_BYTES)

static void
must(bool ok)
{
    if (!ok)
        abort();
}

static bool
bidi_control(uint32_t cp)
{
    return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF || cp == 0x2028 || cp == 0x2029;
}

static int
hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static bool
hex4(const char *p, uint32_t *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(p[i]);

        if (h < 0)
            return false;
        *v = (*v << 4) | (uint32_t)h;
    }
    return true;
}

static size_t
put_utf8(uint8_t *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (uint8_t)(0xC0 | (cp >> 6));
        out[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (uint8_t)(0xE0 | (cp >> 12));
        out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (uint8_t)(0xF0 | (cp >> 18));
    out[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

/* json_decode: one JSON string literal (RFC 8259) to bytes, or false. */
static bool
json_decode(uint8_t *out, size_t *out_len, const char *p)
{
    size_t w = 0;

    if (*p++ != '"')
        return false;
    for (;;) {
        unsigned char c = (unsigned char)*p++;
        uint32_t      u, lo;

        if (c < 0x20)
            return false;
        if (c == '"')
            break;
        if (c != '\\') {
            out[w++] = c;
            continue;
        }
        switch (*p++) {
        case '"': out[w++] = '"'; break;
        case '\\': out[w++] = '\\'; break;
        case 'b': out[w++] = '\b'; break;
        case 'f': out[w++] = '\f'; break;
        case 'n': out[w++] = '\n'; break;
        case 'r': out[w++] = '\r'; break;
        case 't': out[w++] = '\t'; break;
        case 'u':
            if (!hex4(p, &u))
                return false;
            p += 4;
            if (u >= 0xDC00 && u <= 0xDFFF)
                return false;
            if (u >= 0xD800 && u <= 0xDBFF) {
                if (p[0] != '\\' || p[1] != 'u' || !hex4(p + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF)
                    return false;
                p += 6;
                u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
            }
            w += put_utf8(out + w, u);
            break;
        default:
            return false;
        }
    }
    if (*p != '\0')
        return false;
    *out_len = w;
    return true;
}

static void
check_escapes(const uint8_t *data, size_t size)
{
    char    *t = sq_escape_terminal(data, size);
    char    *j = sq_escape_json(data, size);
    size_t   tl, pos = 0;
    uint32_t cp;

    must(t != NULL);
    tl = strlen(t);
    while (pos < tl) {
        must(sq_utf8_decode(&cp, (const uint8_t *)t, tl, &pos));
        must(cp >= 0x20 && !(cp >= 0x7F && cp <= 0x9F) && !bidi_control(cp));
    }
    if (sq_utf8_valid(data, size)) {
        uint8_t *back;
        size_t   back_len = 0;

        must(j != NULL);
        must((back = malloc(strlen(j) + 1)) != NULL);
        must(json_decode(back, &back_len, j));
        must(back_len == size && memcmp(back, data, size) == 0);
        for (size_t i = 0; j[i] != '\0'; i++)
            must((unsigned char)j[i] >= 0x20 && j[i] != 0x7F);
        free(back);
    } else {
        must(j == NULL);
    }
    free(t);
    free(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t nfc[BUF], nfc2[BUF], key[BUF], key2[BUF], name[BUF];
    size_t         nfc_len = 1, nfc2_len = 1, key_len = 1, key2_len = 1, name_len = 1;
    sq_err         r_nfc, r_key, r_name;
    size_t         cap = 3 * size;

    check_escapes(data, size);
    if (size > SQ_TEXT_MAX_BYTES) {
        must(sq_utf8_nfc(nfc, sizeof nfc, &nfc_len, data, size) == SQ_ERR_LIMIT && nfc_len == 0);
        must(sq_utf8_fold_key(key, sizeof key, &key_len, data, size) == SQ_ERR_LIMIT && key_len == 0);
        must(sq_name_normalize(name, sizeof name, &name_len, data, size) == SQ_ERR_LIMIT);
        return 0;
    }

    r_nfc = sq_utf8_nfc(nfc, cap, &nfc_len, data, size);
    must(r_nfc == SQ_OK || r_nfc == SQ_ERR_INVALID);   /* 3 * size suffices */
    must(r_nfc == SQ_OK || nfc_len == 0);
    if (!sq_utf8_valid(data, size))
        must(r_nfc == SQ_ERR_INVALID);
    must(sq_utf8_is_nfc(data, size) == (r_nfc == SQ_OK && nfc_len == size && memcmp(nfc, data, size) == 0));

    r_key = sq_utf8_fold_key(key, cap, &key_len, data, size);
    must(r_key == r_nfc);
    must(r_key == SQ_OK || key_len == 0);

    if (r_nfc == SQ_OK) {
        must(sq_utf8_valid(nfc, nfc_len));
        must(sq_utf8_is_nfc(nfc, nfc_len));
        must(sq_utf8_valid(key, key_len));
        if (nfc_len <= SQ_TEXT_MAX_BYTES) {
            /* idempotent, and the key does not depend on the normalization form */
            must(sq_utf8_nfc(nfc2, sizeof nfc2, &nfc2_len, nfc, nfc_len) == SQ_OK);
            must(nfc2_len == nfc_len && memcmp(nfc2, nfc, nfc_len) == 0);
            must(sq_utf8_fold_key(key2, sizeof key2, &key2_len, nfc, nfc_len) == SQ_OK);
            must(key2_len == key_len && memcmp(key2, key, key_len) == 0);
        }
        /* out one byte short of what NFC needs: refused, nothing left behind */
        if (nfc_len > 0) {
            bool untouched = true, wiped = true;

            memset(nfc2, 0xAA, nfc_len);
            must(sq_utf8_nfc(nfc2, nfc_len - 1, &nfc2_len, data, size) == SQ_ERR_LIMIT && nfc2_len == 0);
            for (size_t i = 0; i + 1 < nfc_len; i++) {
                untouched = untouched && nfc2[i] == 0xAA;
                wiped = wiped && nfc2[i] == 0;
            }
            must(untouched || wiped);
        }
    }

    r_name = sq_name_normalize(name, cap, &name_len, data, size);
    must(r_name == SQ_OK || r_name == SQ_ERR_INVALID || r_name == SQ_ERR_LIMIT);
    if (r_name == SQ_OK) {
        must(r_nfc == SQ_OK && name_len == nfc_len && memcmp(name, nfc, nfc_len) == 0);
        must(sq_name_valid(name, name_len));
        must(name_len > 0 && name_len <= SQ_NAME_MAX_BYTES);
    } else {
        must(name_len == 0);
        must(!sq_name_valid(data, size));
    }
    if (sq_name_valid(data, size))
        must(r_name == SQ_OK && name_len == size);
    return 0;
}
