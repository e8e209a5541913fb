/* escape.c: terminal and JSON escaping of untrusted text. Each escaper runs
 * twice over the input: once to size the output exactly, once to write it. */
#include "util/escape.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/unicode_data.h"
#include "util/utf8.h"

/* An output that either counts (buf == NULL) or writes. */
typedef struct {
    char  *buf;
    size_t len;
} sink;

static const char hexdig[] = "0123456789abcdef";

static void
put(sink *k, const void *p, size_t n)
{
    if (k->buf != NULL)
        memcpy(k->buf + k->len, p, n);
    k->len += n;
}

static void
put_hex(sink *k, uint32_t v, int digits)
{
    char d[8];

    for (int i = digits - 1; i >= 0; i--) {
        d[i] = hexdig[v & 0xF];
        v >>= 4;
    }
    put(k, d, (size_t)digits);
}

static bool
is_control(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);   /* C0, DEL, C1 */
}

static bool
needs_unicode_escape(uint32_t cp)
{
    return (sq_uni_get(cp)->flags & SQ_UNI_ESCAPE) != 0;
}

static void
terminal(sink *k, const uint8_t *s, size_t len)
{
    size_t pos = 0;

    while (pos < len) {
        size_t   at = pos;
        uint32_t cp;

        if (!sq_utf8_decode(&cp, s, len, &pos)) {
            put(k, "\\x", 2);              /* one ill-formed byte; resync on the next */
            put_hex(k, s[at], 2);
            pos = at + 1;
        } else if (cp == '\\') {
            put(k, "\\\\", 2);
        } else if (is_control(cp)) {
            put(k, "\\x", 2);
            put_hex(k, cp, 2);
        } else if (cp >= 0x80 && needs_unicode_escape(cp)) {
            put(k, "\\u{", 3);
            put_hex(k, cp, cp > 0xFFFFF ? 6 : cp > 0xFFFF ? 5 : 4);
            put(k, "}", 1);
        } else {
            put(k, s + at, pos - at);
        }
    }
}

char *
sq_escape_terminal(const uint8_t *s, size_t len)
{
    sink k = {NULL, 0};

    if (s == NULL && len != 0)
        abort();
    if (len > SIZE_MAX / 16)               /* at most 12 output bytes per input byte */
        return NULL;
    terminal(&k, s, len);
    if ((k.buf = malloc(k.len + 1)) == NULL)
        return NULL;
    k.len = 0;
    terminal(&k, s, len);
    k.buf[k.len] = '\0';
    return k.buf;
}

static void
put_u(sink *k, uint32_t unit)
{
    put(k, "\\u", 2);
    put_hex(k, unit, 4);
}

static bool
json(sink *k, const uint8_t *s, size_t len)
{
    size_t pos = 0;

    put(k, "\"", 1);
    while (pos < len) {
        size_t   at = pos;
        uint32_t cp;

        if (!sq_utf8_decode(&cp, s, len, &pos))
            return false;
        switch (cp) {
        case '"': put(k, "\\\"", 2); continue;
        case '\\': put(k, "\\\\", 2); continue;
        case '\b': put(k, "\\b", 2); continue;
        case '\f': put(k, "\\f", 2); continue;
        case '\n': put(k, "\\n", 2); continue;
        case '\r': put(k, "\\r", 2); continue;
        case '\t': put(k, "\\t", 2); continue;
        default: break;
        }
        if (is_control(cp) || (cp >= 0x80 && needs_unicode_escape(cp))) {
            if (cp > 0xFFFF) {             /* RFC 8259, 7: a UTF-16 surrogate pair */
                put_u(k, 0xD800 + ((cp - 0x10000) >> 10));
                put_u(k, 0xDC00 + ((cp - 0x10000) & 0x3FF));
            } else {
                put_u(k, cp);
            }
        } else {
            put(k, s + at, pos - at);
        }
    }
    put(k, "\"", 1);
    return true;
}

char *
sq_escape_json(const uint8_t *s, size_t len)
{
    sink k = {NULL, 0};

    if (s == NULL && len != 0)
        abort();
    if (len > SIZE_MAX / 16)
        return NULL;
    if (!json(&k, s, len))
        return NULL;
    if ((k.buf = malloc(k.len + 1)) == NULL)
        return NULL;
    k.len = 0;
    json(&k, s, len);
    k.buf[k.len] = '\0';
    return k.buf;
}
