/* test_escape.c: terminal and JSON escaping of untrusted names.
 *
 * Known answers per escaped class, then every code point through both
 * escapers: terminal output must hold no control or bidi character, and the
 * JSON literal must decode (with the small RFC 8259 decoder below, written
 * independently of the encoder) back to exactly the input bytes. */
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "util/escape.h"
#include "util/utf8.h"

static bool
term_is(const char *in, size_t len, const char *want)
{
    char *got = sq_escape_terminal((const uint8_t *)in, len);
    bool  ok = got != NULL && strcmp(got, want) == 0;

    if (!ok)
        fprintf(stderr, "     terminal: got \"%s\", want \"%s\"\n", got ? got : "(null)", want);
    free(got);
    return ok;
}

static bool
json_is(const char *in, size_t len, const char *want)
{
    char *got = sq_escape_json((const uint8_t *)in, len);
    bool  ok = got != NULL && strcmp(got, want) == 0;

    if (!ok)
        fprintf(stderr, "     json: got %s, want %s\n", got ? got : "(null)", want);
    free(got);
    return ok;
}

static int
hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
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

/* json_decode: a JSON string literal (RFC 8259, 7) to bytes; false if it is not
 * exactly one well-formed literal (raw controls, bad escapes, lone surrogates,
 * trailing bytes). out must hold strlen(lit) bytes. */
static bool
json_decode(uint8_t *out, size_t *out_len, const char *lit)
{
    size_t      w = 0;
    const char *p = lit;

    if (*p++ != '"')
        return false;
    for (;;) {
        unsigned char c = (unsigned char)*p++;
        uint32_t      u, lo;

        if (c == '\0' || c < 0x20)
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
        case '/': out[w++] = '/'; break;
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

static bool
json_roundtrip(const uint8_t *s, size_t len)
{
    char    *lit = sq_escape_json(s, len);
    uint8_t *back = NULL;
    size_t   back_len = 0;
    bool     ok = false;

    if (lit == NULL || (back = malloc(strlen(lit) + 1)) == NULL)
        goto out;
    ok = json_decode(back, &back_len, lit) && back_len == len && memcmp(back, s, len) == 0;
out:
    free(back);
    free(lit);
    return ok;
}

static bool
is_bidi_or_invisible(uint32_t cp)
{
    return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF || cp == 0x2028 || cp == 0x2029;
}

/* safe_for_terminal: valid UTF-8 without C0, DEL, C1, bidi controls, U+2028/9, BOM. */
static bool
safe_for_terminal(const char *t)
{
    size_t   len = strlen(t), pos = 0;
    uint32_t cp;

    while (pos < len) {
        if (!sq_utf8_decode(&cp, (const uint8_t *)t, len, &pos))
            return false;
        if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || is_bidi_or_invisible(cp))
            return false;
    }
    return true;
}

static void
test_terminal(void)
{
    CHECK(term_is("", 0, ""));
    CHECK(term_is("report 2024.pdf", 15, "report 2024.pdf"));
    CHECK(term_is("a\\b", 3, "a\\\\b"));
    CHECK(term_is("\\x41", 4, "\\\\x41"));                 /* no confusion with an escape */
    CHECK(term_is("\x1b[31mred", 8, "\\x1b[31mred"));
    CHECK(term_is("a\0b", 3, "a\\x00b"));
    CHECK(term_is("\t\n\r\x1f", 4, "\\x09\\x0a\\x0d\\x1f"));
    CHECK(term_is("\x7f", 1, "\\x7f"));
    CHECK(term_is("\xc2\x80\xc2\x85\xc2\x9b\xc2\x9f", 8, "\\x80\\x85\\x9b\\x9f"));   /* C1 by code point */
    CHECK(term_is("\xc2\xa0\xc2\xa9", 4, "\xc2\xa0\xc2\xa9"));                       /* NBSP, © kept */
    /* bidi controls: "Trojan Source" */
    CHECK(term_is("\xd8\x9c", 2, "\\u{061c}"));
    CHECK(term_is("\xe2\x80\x8e\xe2\x80\x8f", 6, "\\u{200e}\\u{200f}"));
    CHECK(term_is("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad\xe2\x80\xae", 15,
                  "\\u{202a}\\u{202b}\\u{202c}\\u{202d}\\u{202e}"));
    CHECK(term_is("\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9", 12,
                  "\\u{2066}\\u{2067}\\u{2068}\\u{2069}"));
    CHECK(term_is("invoice\xe2\x80\xae" "fdp.exe", 17, "invoice\\u{202e}fdp.exe"));
    /* other invisible format characters and separators */
    CHECK(term_is("\xef\xbb\xbf", 3, "\\u{feff}"));
    CHECK(term_is("\xe2\x80\xa8\xe2\x80\xa9", 6, "\\u{2028}\\u{2029}"));
    CHECK(term_is("\xe2\x80\x8b", 3, "\\u{200b}"));                  /* ZWSP */
    CHECK(term_is("\xc2\xad", 2, "\\u{00ad}"));                      /* soft hyphen */
    CHECK(term_is("\xe2\x81\xa0", 3, "\\u{2060}"));                  /* word joiner */
    CHECK(term_is("\xf3\xa0\x80\x81\xf3\xa0\x81\x81", 8, "\\u{e0001}\\u{e0041}")); /* tags */
    CHECK(term_is("\xef\xbf\xb9", 3, "\\u{fff9}"));                  /* interlinear annotation */
    /* unassigned and noncharacters */
    CHECK(term_is("\xcd\xb8", 2, "\\u{0378}"));
    CHECK(term_is("\xef\xbf\xbf", 3, "\\u{ffff}"));
    CHECK(term_is("\xf4\x8f\xbf\xbf", 4, "\\u{10ffff}"));
    /* kept: joiners scripts need, letters, emoji, private use */
    CHECK(term_is("\xd9\x85\xdb\x8c\xe2\x80\x8c\xd8\xae", 9, "\xd9\x85\xdb\x8c\xe2\x80\x8c\xd8\xae")); /* Persian ZWNJ */
    CHECK(term_is("\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb", 11,
                  "\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb"));                              /* ZWJ emoji */
    CHECK(term_is("\xd0\x9e\xd1\x82\xd1\x87\xd1\x91\xd1\x82 \xd2\xaf\xd3\xa9\xd2\xa3", 17,
                  "\xd0\x9e\xd1\x82\xd1\x87\xd1\x91\xd1\x82 \xd2\xaf\xd3\xa9\xd2\xa3"));
    CHECK(term_is("\xd8\x80", 2, "\xd8\x80"));                       /* visible Arabic number sign */
    /* ill-formed UTF-8: each byte */
    CHECK(term_is("\xff", 1, "\\xff"));
    CHECK(term_is("\xc0\x80", 2, "\\xc0\\x80"));
    CHECK(term_is("\xed\xa0\x80", 3, "\\xed\\xa0\\x80"));
    CHECK(term_is("\xf4\x90\x80\x80", 4, "\\xf4\\x90\\x80\\x80"));
    CHECK(term_is("\xe2\x82" "a\xe2\x82\xac", 6, "\\xe2\\x82a\xe2\x82\xac"));  /* truncated, then € */
    CHECK(term_is("\x80\xc2", 2, "\\x80\\xc2"));
}

static void
test_json(void)
{
    CHECK(json_is("", 0, "\"\""));
    CHECK(json_is("plain", 5, "\"plain\""));
    CHECK(json_is("a\"b\\c/", 6, "\"a\\\"b\\\\c/\""));
    CHECK(json_is("\b\f\n\r\t", 5, "\"\\b\\f\\n\\r\\t\""));
    CHECK(json_is("\0\x01\x1b\x1f", 4, "\"\\u0000\\u0001\\u001b\\u001f\""));
    CHECK(json_is("\x7f\xc2\x85\xc2\x9f", 5, "\"\\u007f\\u0085\\u009f\""));
    CHECK(json_is("\xe2\x80\xae\xd8\x9c\xe2\x81\xa6", 8, "\"\\u202e\\u061c\\u2066\""));
    CHECK(json_is("\xe2\x80\xa8\xe2\x80\xa9\xef\xbb\xbf", 9, "\"\\u2028\\u2029\\ufeff\""));
    CHECK(json_is("\xf3\xa0\x80\x81", 4, "\"\\udb40\\udc01\""));      /* U+E0001 as a surrogate pair */
    CHECK(json_is("\xf4\x8f\xbf\xbf", 4, "\"\\udbff\\udfff\""));      /* U+10FFFF */
    CHECK(json_is("\xd0\xb9\xf0\x9f\x98\x80", 6, "\"\xd0\xb9\xf0\x9f\x98\x80\""));   /* й 😀 kept */
    /* ill-formed UTF-8 has no JSON form */
    CHECK(sq_escape_json((const uint8_t *)"\xff", 1) == NULL);
    CHECK(sq_escape_json((const uint8_t *)"ok\xed\xa0\x80", 5) == NULL);
    CHECK(sq_escape_json((const uint8_t *)"\xc0\x80", 2) == NULL);
    CHECK(sq_escape_json((const uint8_t *)"\xe2\x82", 2) == NULL);
    /* the decoder itself refuses what it must (so round trips prove something) */
    {
        uint8_t b[32];
        size_t  n;

        CHECK(!json_decode(b, &n, "\"a"));
        CHECK(!json_decode(b, &n, "\"a\"x"));
        CHECK(!json_decode(b, &n, "\"\x01\""));
        CHECK(!json_decode(b, &n, "\"\\x41\""));
        CHECK(!json_decode(b, &n, "\"\\udc00\""));
        CHECK(!json_decode(b, &n, "\"\\ud800x\""));
        CHECK(json_decode(b, &n, "\"\\ud83d\\ude00\"") && n == 4 && memcmp(b, "\xf0\x9f\x98\x80", 4) == 0);
    }
}

/* Every code point through both escapers, in strings of 64 with neighbours
 * that would be reordered or joined if an escape leaked. */
static void
test_all_code_points(void)
{
    uint8_t       s[64 * 4 + 8];
    unsigned long term_bad = 0, json_bad = 0, kept = 0;

    for (uint32_t base = 0; base < 0x110000; base += 64) {
        size_t n = 0;

        for (uint32_t cp = base; cp < base + 64; cp++) {
            if (cp >= 0xD800 && cp <= 0xDFFF)
                continue;
            n += put_utf8(s + n, cp);
        }
        s[n++] = 'z';
        {
            char *t = sq_escape_terminal(s, n);

            if (t == NULL || !safe_for_terminal(t))
                term_bad++;
            free(t);
        }
        if (!json_roundtrip(s, n))
            json_bad++;
        {
            char *j = sq_escape_json(s, n);

            if (j == NULL || !safe_for_terminal(j))
                json_bad++;
            free(j);
        }
    }
    /* letters and marks pass through untouched */
    for (uint32_t cp = 0x0400; cp < 0x0530; cp++) {
        size_t n = put_utf8(s, cp);
        char  *t = sq_escape_terminal(s, n);

        if (t != NULL && strlen(t) == n && memcmp(t, s, n) == 0)
            kept++;
        free(t);
    }
    CHECK_EQ_INT(term_bad, 0);
    CHECK_EQ_INT(json_bad, 0);
    CHECK_EQ_INT(kept, 0x0530 - 0x0400);
}

/* Random bytes (mostly ill-formed): terminal output stays safe. */
static void
test_random_bytes(void)
{
    uint8_t       s[97];
    uint32_t      x = 2463534242u;
    unsigned long bad = 0;

    for (int round = 0; round < 20000; round++) {
        size_t n = (size_t)(round % (int)sizeof s);
        char  *t;

        for (size_t i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            s[i] = (uint8_t)x;
        }
        t = sq_escape_terminal(s, n);
        if (t == NULL || !safe_for_terminal(t))
            bad++;
        free(t);
        if (sq_utf8_valid(s, n) ? !json_roundtrip(s, n) : sq_escape_json(s, n) != NULL)
            bad++;
    }
    CHECK_EQ_INT(bad, 0);
}

int
main(void)
{
    sq_test_init("test_escape");
    test_terminal();
    test_json();
    test_all_code_points();
    test_random_bytes();
    return sq_test_done();
}
