/* test_utf8.c: UTF-8 validation, NFC, caseless keys and name rules.
 *
 * Known answers come from outside: the whole of Unicode's NormalizationTest.txt
 * (15.0, from Debian's unicode-data: $SQ_UNICODE_TEST, or bzcat of
 * /usr/share/unicode/NormalizationTest.txt.bz2) and its general categories
 * (extracted/DerivedGeneralCategory.txt, or $SQ_UNICODE_GC) for "assigned".
 * Missing data fails the test: a skipped conformance test is a passing one. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "util/utf8.h"

#define MAXBUF (3 * SQ_TEXT_MAX_BYTES + 16)

static size_t
enc(uint8_t *out, uint32_t cp)
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

/* repeat: n copies of the string u into buf; returns the length. */
static size_t
repeat(uint8_t *buf, const char *u, size_t n)
{
    size_t ul = strlen(u);

    for (size_t i = 0; i < n; i++)
        memcpy(buf + i * ul, u, ul);
    return n * ul;
}

static bool
nfc_is(const char *in, const char *want)
{
    uint8_t out[MAXBUF];
    size_t  out_len = 99;

    return sq_utf8_nfc(out, sizeof out, &out_len, (const uint8_t *)in, strlen(in)) == SQ_OK &&
           out_len == strlen(want) && memcmp(out, want, out_len) == 0;
}

static sq_err
nfc_err(const char *in, size_t len)
{
    uint8_t out[MAXBUF];
    size_t  out_len = 99;
    sq_err  ret = sq_utf8_nfc(out, sizeof out, &out_len, (const uint8_t *)in, len);

    if (ret != SQ_OK && out_len != 0)
        return SQ_ERR_NOMEM;   /* an error must leave *out_len 0: flag it */
    return ret;
}

static bool
key_is(const char *in, const char *want)
{
    uint8_t out[MAXBUF];
    size_t  out_len = 99;

    return sq_utf8_fold_key(out, sizeof out, &out_len, (const uint8_t *)in, strlen(in)) == SQ_OK &&
           out_len == strlen(want) && memcmp(out, want, out_len) == 0;
}

static bool
same_key(const char *a, const char *b)
{
    uint8_t ka[MAXBUF], kb[MAXBUF];
    size_t  la, lb;

    return sq_utf8_fold_key(ka, sizeof ka, &la, (const uint8_t *)a, strlen(a)) == SQ_OK &&
           sq_utf8_fold_key(kb, sizeof kb, &lb, (const uint8_t *)b, strlen(b)) == SQ_OK &&
           la == lb && memcmp(ka, kb, la) == 0;
}

static sq_err
name_err(const uint8_t *in, size_t len)
{
    uint8_t out[MAXBUF];
    size_t  out_len = 99;
    sq_err  ret = sq_name_normalize(out, sizeof out, &out_len, in, len);

    if (ret == SQ_OK && !sq_name_valid(out, out_len))
        return SQ_ERR_NOMEM;   /* an accepted name must pass sq_name_valid: flag it */
    if (ret != SQ_OK && out_len != 0)
        return SQ_ERR_NOMEM;
    return ret;
}

static sq_err
name_s(const char *in)
{
    return name_err((const uint8_t *)in, strlen(in));
}

/* ---- NormalizationTest.txt ---- */

typedef struct {
    uint8_t b[5][256];
    size_t  len[5];
} nt_line;

static bool
parse_nt(nt_line *t, char *line, uint32_t *first_cp, size_t *ncps_c1)
{
    char *p = line;

    for (int col = 0; col < 5; col++) {
        char *end = strchr(p, ';');
        size_t w = 0, count = 0;

        if (end == NULL)
            return false;
        *end = '\0';
        for (char *tok = strtok(p, " "); tok != NULL; tok = strtok(NULL, " ")) {
            uint32_t cp = (uint32_t)strtoul(tok, NULL, 16);

            if (w + 4 > sizeof t->b[col])
                return false;
            if (col == 0 && count == 0)
                *first_cp = cp;
            w += enc(t->b[col] + w, cp);
            count++;
        }
        if (col == 0)
            *ncps_c1 = count;
        t->len[col] = w;
        p = end + 1;
    }
    return true;
}

static int failures_shown;

static bool
nfc_eq(const uint8_t *in, size_t in_len, const uint8_t *want, size_t want_len, const char *what, unsigned long line)
{
    uint8_t out[MAXBUF];
    size_t  out_len;
    bool    ok = sq_utf8_nfc(out, sizeof out, &out_len, in, in_len) == SQ_OK && out_len == want_len &&
              memcmp(out, want, want_len) == 0;

    if (!ok && failures_shown++ < 10)
        fprintf(stderr, "NormalizationTest line %lu: %s\n", line, what);
    return ok;
}

static bool
key_eq(const uint8_t *a, size_t al, const uint8_t *b, size_t bl, unsigned long line)
{
    uint8_t ka[MAXBUF], kb[MAXBUF];
    size_t  la, lb;
    bool    ok = sq_utf8_fold_key(ka, sizeof ka, &la, a, al) == SQ_OK &&
              sq_utf8_fold_key(kb, sizeof kb, &lb, b, bl) == SQ_OK && la == lb && memcmp(ka, kb, la) == 0;

    if (!ok && failures_shown++ < 10)
        fprintf(stderr, "NormalizationTest line %lu: canonical equivalents have different keys\n", line);
    return ok;
}

static void
test_normalization_file(void)
{
    const char   *path = getenv("SQ_UNICODE_TEST");
    FILE         *f;
    char          line[4096];
    static nt_line t;
    static uint8_t in_part1[0x110000];
    unsigned long lineno = 0, tests = 0, nfc_fail = 0, qc_fail = 0, key_fail = 0, part1_fail = 0;
    int           part = -1;
    bool          version_ok = false;

    if (path != NULL)
        f = fopen(path, "r");
    else
        f = popen("bzcat /usr/share/unicode/NormalizationTest.txt.bz2", "r");
    if (!CHECK(f != NULL)) {
        fprintf(stderr, "NormalizationTest.txt unavailable: install unicode-data or set SQ_UNICODE_TEST\n");
        return;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        uint32_t first_cp = 0;
        size_t   ncps = 0;

        lineno++;
        if (lineno == 1)
            version_ok = strncmp(line, "# NormalizationTest-15.0.0.txt", 30) == 0;
        if (line[0] == '#' || line[0] == '\n')
            continue;
        if (line[0] == '@') {
            part = line[5] - '0';
            continue;
        }
        if (!parse_nt(&t, line, &first_cp, &ncps)) {
            nfc_fail++;
            continue;
        }
        tests++;
        if (part == 1 && ncps == 1)
            in_part1[first_cp] = 1;
        /* c2 == NFC(c1) == NFC(c2) == NFC(c3); c4 == NFC(c4) == NFC(c5) */
        nfc_fail += !nfc_eq(t.b[0], t.len[0], t.b[1], t.len[1], "NFC(c1) != c2", lineno);
        nfc_fail += !nfc_eq(t.b[1], t.len[1], t.b[1], t.len[1], "NFC(c2) != c2", lineno);
        nfc_fail += !nfc_eq(t.b[2], t.len[2], t.b[1], t.len[1], "NFC(c3) != c2", lineno);
        nfc_fail += !nfc_eq(t.b[3], t.len[3], t.b[3], t.len[3], "NFC(c4) != c4", lineno);
        nfc_fail += !nfc_eq(t.b[4], t.len[4], t.b[3], t.len[3], "NFC(c5) != c4", lineno);
        /* is_nfc(x) iff x == NFC(x) */
        for (int col = 0; col < 5; col++) {
            bool is_c2 = t.len[col] == t.len[1] && memcmp(t.b[col], t.b[1], t.len[1]) == 0;
            bool is_c4 = t.len[col] == t.len[3] && memcmp(t.b[col], t.b[3], t.len[3]) == 0;
            bool want = col <= 2 ? is_c2 : is_c4;

            if (sq_utf8_is_nfc(t.b[col], t.len[col]) != want) {
                qc_fail++;
                if (failures_shown++ < 10)
                    fprintf(stderr, "NormalizationTest line %lu: is_nfc(c%d) wrong\n", lineno, col + 1);
            }
        }
        /* canonical equivalents (c1, c2, c3 and c4, c5) share one caseless key */
        key_fail += !key_eq(t.b[0], t.len[0], t.b[1], t.len[1], lineno);
        key_fail += !key_eq(t.b[2], t.len[2], t.b[1], t.len[1], lineno);
        key_fail += !key_eq(t.b[3], t.len[3], t.b[4], t.len[4], lineno);
    }
    if (path != NULL)
        CHECK(fclose(f) == 0);
    else
        CHECK_EQ_INT(pclose(f), 0);
    CHECK(version_ok);
    CHECK(tests > 19000);   /* 15.0 has 19,074 lines of tests: a short read fails */
    CHECK_EQ_INT(nfc_fail, 0);
    CHECK_EQ_INT(qc_fail, 0);
    CHECK_EQ_INT(key_fail, 0);
    printf("NormalizationTest: %lu lines, 5 NFC + 5 is_nfc + 3 key checks each\n", tests);

    /* Part 1: every code point not listed there is unchanged by NFC. */
    for (uint32_t cp = 0; cp < 0x110000; cp++) {
        uint8_t in[4], out[16];
        size_t  n, out_len;
        sq_err  ret;

        if ((cp >= 0xD800 && cp <= 0xDFFF) || in_part1[cp])
            continue;
        n = enc(in, cp);
        ret = sq_utf8_nfc(out, sizeof out, &out_len, in, n);
        if (ret == SQ_OK && (out_len != n || memcmp(out, in, n) != 0))
            part1_fail++;
    }
    CHECK_EQ_INT(part1_fail, 0);
}

/* Assigned (not Cn) per extracted/DerivedGeneralCategory.txt: NFC accepts
 * exactly those, surrogates aside. */
static void
test_assigned_file(void)
{
    const char    *path = getenv("SQ_UNICODE_GC");
    FILE          *f = fopen(path != NULL ? path : "/usr/share/unicode/extracted/DerivedGeneralCategory.txt", "r");
    static uint8_t cn[0x110000];
    char           line[512];
    unsigned long  ranges = 0, wrong = 0, assigned = 0;
    bool           version_ok = false;

    if (!CHECK(f != NULL)) {
        fprintf(stderr, "DerivedGeneralCategory.txt unavailable: install unicode-data or set SQ_UNICODE_GC\n");
        return;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        unsigned long lo, hi;
        char          cat[8];

        if (strncmp(line, "# DerivedGeneralCategory-15.0.0.txt", 35) == 0)
            version_ok = true;
        if (line[0] == '#' || line[0] == '\n')
            continue;
        if (sscanf(line, "%lx..%lx ; %2s", &lo, &hi, cat) == 3) {
            /* range */
        } else if (sscanf(line, "%lx ; %2s", &lo, cat) == 2) {
            hi = lo;
        } else {
            continue;
        }
        if (strcmp(cat, "Cn") == 0 && hi < 0x110000) {
            ranges++;
            for (unsigned long c = lo; c <= hi; c++)
                cn[c] = 1;
        }
    }
    fclose(f);
    CHECK(version_ok);
    CHECK(ranges > 600);
    for (uint32_t cp = 0; cp < 0x110000; cp++) {
        uint8_t in[4], out[16];
        size_t  n, out_len;
        sq_err  ret;

        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        n = enc(in, cp);
        ret = sq_utf8_nfc(out, sizeof out, &out_len, in, n);
        if ((ret == SQ_OK) == (cn[cp] != 0) || (ret != SQ_OK && ret != SQ_ERR_INVALID))
            wrong++;
        if (cn[cp] == 0) {
            assigned++;
            /* fold_key and is_nfc agree on what is assigned */
            if (sq_utf8_fold_key(out, sizeof out, &out_len, in, n) != SQ_OK)
                wrong++;
        } else if (sq_utf8_is_nfc(in, n) || sq_utf8_fold_key(out, sizeof out, &out_len, in, n) != SQ_ERR_INVALID) {
            wrong++;
        }
    }
    CHECK_EQ_INT(wrong, 0);
    /* Unicode 15.0: 149,186 characters + 65 controls + 137,468 private use */
    CHECK_EQ_INT(assigned, 149186 + 65 + 137468);
}

static void
test_valid(void)
{
    static const struct {
        const char *s;
        size_t      len;
        bool        ok;
    } v[] = {
        {"", 0, true},
        {"abc", 3, true},
        {"\x00", 1, true},
        {"\x7f", 1, true},
        {"\xc2\x80", 2, true},          /* U+0080 */
        {"\xdf\xbf", 2, true},          /* U+07FF */
        {"\xe0\xa0\x80", 3, true},      /* U+0800 */
        {"\xed\x9f\xbf", 3, true},      /* U+D7FF */
        {"\xee\x80\x80", 3, true},      /* U+E000 */
        {"\xef\xbf\xbf", 3, true},      /* U+FFFF: well-formed, unassigned */
        {"\xf0\x90\x80\x80", 4, true},  /* U+10000 */
        {"\xf4\x8f\xbf\xbf", 4, true},  /* U+10FFFF */
        {"\xc0\x80", 2, false},         /* overlong NUL */
        {"\xc1\xbf", 2, false},         /* overlong */
        {"\xe0\x80\x80", 3, false},     /* overlong */
        {"\xe0\x9f\xbf", 3, false},     /* overlong U+07FF */
        {"\xf0\x80\x80\x80", 4, false}, /* overlong */
        {"\xf0\x8f\xbf\xbf", 4, false}, /* overlong U+FFFF */
        {"\xed\xa0\x80", 3, false},     /* surrogate D800 */
        {"\xed\xbf\xbf", 3, false},     /* surrogate DFFF */
        {"\xed\xa0\xbd\xed\xb8\x80", 6, false}, /* CESU-8 pair */
        {"\xf4\x90\x80\x80", 4, false}, /* U+110000 */
        {"\xf5\x80\x80\x80", 4, false},
        {"\xf8\x88\x80\x80\x80", 5, false},
        {"\xff", 1, false},
        {"\xfe", 1, false},
        {"\x80", 1, false},             /* lone continuation */
        {"a\xbf", 2, false},
        {"\xc2", 1, false},             /* truncated */
        {"\xe2\x82", 2, false},
        {"\xf0\x9f\x98", 3, false},
        {"\xe2\x82" "a", 3, false},
        {"\xc2\xc2\x80", 3, false},
        {"\xe2\x28\xa1", 3, false},
    };

    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        const uint8_t *s = (const uint8_t *)v[i].s;
        uint8_t        out[64];
        size_t         out_len = 7;

        CHECK(sq_utf8_valid(s, v[i].len) == v[i].ok);
        if (!v[i].ok) {
            CHECK_EQ_INT(nfc_err(v[i].s, v[i].len), SQ_ERR_INVALID);
            CHECK_EQ_INT(sq_utf8_fold_key(out, sizeof out, &out_len, s, v[i].len), SQ_ERR_INVALID);
            CHECK_EQ_INT(out_len, 0);
            CHECK(!sq_utf8_is_nfc(s, v[i].len));
            CHECK_EQ_INT(name_err(s, v[i].len), SQ_ERR_INVALID);
            CHECK(!sq_name_valid(s, v[i].len));
        }
    }
}

static void
test_nfc_cases(void)
{
    uint8_t in[SQ_TEXT_MAX_BYTES + 8], out[MAXBUF];
    size_t  n, out_len;

    /* Cyrillic: й typed precomposed (Russian layouts) or as и + breve */
    CHECK(nfc_is("\xd0\xb9", "\xd0\xb9"));
    CHECK(nfc_is("\xd0\xb8\xcc\x86", "\xd0\xb9"));
    CHECK(nfc_is("\xd0\x95\xcc\x88", "\xd0\x81"));           /* Е + ◌̈ = Ё */
    CHECK(nfc_is("\xd0\xbf\xd0\xb0\xd1\x80\xd0\xbe\xd0\xbb\xd0\xb8\xcc\x86",
                  "\xd0\xbf\xd0\xb0\xd1\x80\xd0\xbe\xd0\xbb\xd0\xb9"));
    /* Kyrgyz ү ө ң have no decomposition: unchanged, already NFC */
    CHECK(nfc_is("\xd2\xaf\xd3\xa9\xd2\xa3", "\xd2\xaf\xd3\xa9\xd2\xa3"));
    CHECK(sq_utf8_is_nfc((const uint8_t *)"\xd2\xaf\xd3\xa9\xd2\xa3", 6));
    /* Hangul: conjoining jamo compose algorithmically; LV + T too */
    CHECK(nfc_is("\xe1\x84\x92\xe1\x85\xa1\xe1\x86\xab", "\xed\x95\x9c"));   /* 한 */
    CHECK(nfc_is("\xed\x95\x98\xe1\x86\xab", "\xed\x95\x9c"));               /* 하 + ᆫ */
    CHECK(nfc_is("\xed\x95\x9c\xe1\x86\xab", "\xed\x95\x9c\xe1\x86\xab"));   /* LVT + T stays */
    CHECK(nfc_is("\xe1\x84\x92\xcc\x81\xe1\x85\xa1", "\xe1\x84\x92\xcc\x81\xe1\x85\xa1")); /* blocked */
    CHECK(!sq_utf8_is_nfc((const uint8_t *)"\xe1\x84\x92\xe1\x85\xa1", 6));
    /* canonical order, composition, blocking */
    CHECK(nfc_is("e\xcc\x81", "\xc3\xa9"));
    CHECK(nfc_is("a\xcc\x81\xcc\xa3", "\xe1\xba\xa1\xcc\x81"));        /* ạ́: reorder, then compose */
    CHECK(nfc_is("a\xcc\xa3\xcc\x81", "\xe1\xba\xa1\xcc\x81"));
    CHECK(nfc_is("\xcc\x81" "a", "\xcc\x81" "a"));                    /* leading mark */
    CHECK(nfc_is("\xe2\x84\xab", "\xc3\x85"));                        /* Å ANGSTROM SIGN */
    CHECK(nfc_is("\xe0\xa5\x98", "\xe0\xa4\x95\xe0\xa4\xbc"));        /* excluded U+0958 */
    CHECK(!sq_utf8_is_nfc((const uint8_t *)"a\xcc\x81\xcc\xa3", 5));
    CHECK(!sq_utf8_is_nfc((const uint8_t *)"e\xcc\x81", 3));
    CHECK(sq_utf8_is_nfc((const uint8_t *)"\xe1\xba\xa1\xcc\x81", 5));
    CHECK(sq_utf8_is_nfc((const uint8_t *)"", 0));
    /* unassigned and noncharacters refused; private use accepted */
    CHECK_EQ_INT(nfc_err("\xcd\xb8", 2), SQ_ERR_INVALID);              /* U+0378 */
    CHECK_EQ_INT(nfc_err("a\xef\xbf\xbf", 4), SQ_ERR_INVALID);         /* U+FFFF */
    CHECK_EQ_INT(nfc_err("\xef\xb7\x90", 3), SQ_ERR_INVALID);          /* U+FDD0 */
    CHECK_EQ_INT(nfc_err("\xf4\x8f\xbf\xbf", 4), SQ_ERR_INVALID);      /* U+10FFFF */
    CHECK_EQ_INT(nfc_err("\xf0\xb1\x8d\x90", 4), SQ_OK);               /* U+31350: CJK ext H, new in 15.0 */
    CHECK_EQ_INT(nfc_err("\xf0\xb2\x8e\xb0", 4), SQ_ERR_INVALID);      /* U+323B0: unassigned in 15.0 */
    CHECK_EQ_INT(nfc_err("\xf0\xae\xaf\xb0", 4), SQ_ERR_INVALID);      /* U+2EBF0: CJK ext I, new in 15.1 */
    CHECK_EQ_INT(nfc_err("\xee\x80\x80", 3), SQ_OK);                   /* U+E000 */
    CHECK(!sq_utf8_is_nfc((const uint8_t *)"\xcd\xb8", 2));
    CHECK(!sq_utf8_is_nfc((const uint8_t *)"\xef\xbf\xbf", 3));

    /* the input cap, before any work */
    memset(in, 'a', sizeof in);
    CHECK_EQ_INT(sq_utf8_nfc(out, sizeof out, &out_len, in, SQ_TEXT_MAX_BYTES), SQ_OK);
    CHECK_EQ_INT(out_len, SQ_TEXT_MAX_BYTES);
    CHECK_EQ_INT(sq_utf8_nfc(out, sizeof out, &out_len, in, SQ_TEXT_MAX_BYTES + 1), SQ_ERR_LIMIT);
    CHECK_EQ_INT(sq_utf8_fold_key(out, sizeof out, &out_len, in, SQ_TEXT_MAX_BYTES + 1), SQ_ERR_LIMIT);
    CHECK_EQ_INT(sq_utf8_nfc(out, SQ_TEXT_MAX_BYTES - 1, &out_len, in, SQ_TEXT_MAX_BYTES), SQ_ERR_LIMIT);

    /* worst cases at the cap: U+01D5 gives 3 code points per 2 bytes (the
     * scratch bound); U+1D160 grows 3x in UTF-8 (the out_cap bound) */
    n = repeat(in, "\xc7\x95", SQ_TEXT_MAX_BYTES / 2);
    CHECK_EQ_INT(sq_utf8_nfc(out, sizeof out, &out_len, in, n), SQ_OK);
    CHECK(out_len == n && memcmp(out, in, n) == 0);
    CHECK(sq_utf8_is_nfc(in, n));
    n = repeat(in, "\xf0\x9d\x85\xa0", SQ_TEXT_MAX_BYTES / 4);
    CHECK_EQ_INT(sq_utf8_nfc(out, 3 * n, &out_len, in, n), SQ_OK);
    CHECK_EQ_INT(out_len, 3 * n);
    CHECK(memcmp(out, "\xf0\x9d\x85\x98\xf0\x9d\x85\xa5\xf0\x9d\x85\xae", 12) == 0);
    /* out one byte short: SQ_ERR_LIMIT, and nothing of the input left in out */
    memset(out, 0xAA, sizeof out);
    CHECK_EQ_INT(sq_utf8_nfc(out, 3 * n - 1, &out_len, in, n), SQ_ERR_LIMIT);
    CHECK_EQ_INT(out_len, 0);
    CHECK(sodium_is_zero(out, 3 * n - 1));
    /* a long run of marks out of order (insertion sort's worst case) */
    n = repeat(in, "\xcc\x81\xcc\xa3", SQ_TEXT_MAX_BYTES / 4);
    CHECK_EQ_INT(sq_utf8_nfc(out, sizeof out, &out_len, in, n), SQ_OK);
    CHECK(out_len == n && memcmp(out, "\xcc\xa3\xcc\xa3", 4) == 0 &&
          memcmp(out + n - 4, "\xcc\x81\xcc\x81", 4) == 0);
    /* a stretch needing the full check longer than the cap is not NFC */
    n = repeat(in, "\xcc\x81", SQ_TEXT_MAX_BYTES / 2);
    CHECK(sq_utf8_is_nfc(in, n));
    memcpy(in + n, "\xcc\x81", 2);
    CHECK(!sq_utf8_is_nfc(in, n + 2));
}

static void
test_fold_keys(void)
{
    uint8_t in[SQ_TEXT_MAX_BYTES], out[MAXBUF];
    size_t  n, out_len;

    CHECK(key_is("Stra\xc3\x9f" "e", "strasse"));
    CHECK(same_key("Stra\xc3\x9f" "e", "STRASSE"));
    CHECK(same_key("\xe1\xba\x9e", "ss"));                          /* ẞ */
    CHECK(key_is("REPORT.pdf", "report.pdf"));
    /* ǅ ǆ Ǆ (titlecase digraph) share a key; the compatibility "dž" does not */
    CHECK(key_is("\xc7\x85", "\xc7\x86"));
    CHECK(same_key("\xc7\x84", "\xc7\x86"));
    CHECK(!same_key("\xc7\x85", "d\xc5\xbe"));
    /* İ: full folding gives i + U+0307 (not the Turkic i) */
    CHECK(key_is("\xc4\xb0", "i\xcc\x87"));
    CHECK(same_key("\xc4\xb0", "I\xcc\x87"));
    CHECK(!same_key("\xc4\xb0", "i"));
    CHECK(same_key("I", "i"));
    CHECK(!same_key("\xc4\xb1", "i"));                              /* ı stays ı */
    /* Cyrillic Ё ё and their decomposed forms */
    CHECK(key_is("\xd0\x81", "\xd0\xb5\xcc\x88"));
    CHECK(same_key("\xd0\x81", "\xd1\x91"));
    CHECK(same_key("\xd0\x81", "\xd0\xb5\xcc\x88"));
    CHECK(same_key("\xd0\x99", "\xd0\xb8\xcc\x86"));                /* Й, и + breve */
    CHECK(!same_key("\xd0\xb9", "\xd0\xb8"));                        /* й is not и */
    CHECK(!same_key("\xd0\x95", "\xd0\x81"));                        /* Е is not Ё */
    CHECK(same_key("\xd2\xae\xd3\xa8\xd2\xa2", "\xd2\xaf\xd3\xa9\xd2\xa3")); /* Kyrgyz ҮӨҢ */
    CHECK(!same_key("\xd2\xaf", "\xd1\x83"));                        /* ү is not у */
    /* Greek sigmas: ς σ Σ are one key */
    CHECK(key_is("\xcf\x82", "\xcf\x83"));
    CHECK(same_key("\xce\xa3", "\xcf\x82"));
    CHECK(same_key("\xce\xbf\xce\xb4\xcf\x8c\xcf\x82", "\xce\x9f\xce\x94\xce\x8c\xce\xa3"));
    /* Folding sees NFD(X): U+0345 (class 240) is ordered after U+0301 (230)
     * before it folds to U+03B9 (class 0), so both orders give one key. */
    CHECK(key_is("a\xcd\x85\xcc\x81", "a\xcc\x81\xce\xb9"));
    CHECK(key_is("a\xcc\x81\xcd\x85", "a\xcc\x81\xce\xb9"));
    CHECK(key_is("\xe1\xbe\xb3", "\xce\xb1\xce\xb9"));               /* ᾳ */
    CHECK(same_key("\xe2\x84\xaa", "k"));                           /* KELVIN SIGN */
    CHECK(key_is("\xe2\x84\xab", "a\xcc\x8a"));                      /* ANGSTROM SIGN */
    CHECK(same_key("\xc7\xb0", "J\xcc\x8c"));                        /* ǰ */
    CHECK(key_is("\xef\xac\x81", "fi"));                            /* ﬁ */
    CHECK(key_is("\xed\x95\x9c", "\xe1\x84\x92\xe1\x85\xa1\xe1\x86\xab")); /* Hangul: NFD */
    CHECK(key_is("", ""));
    CHECK(key_is("\xd0\x9e\xd1\x82\xd1\x87\xd1\x91\xd1\x82 2024",
                 "\xd0\xbe\xd1\x82\xd1\x87\xd0\xb5\xcc\x88\xd1\x82 2024"));
    /* refused like NFC */
    CHECK_EQ_INT(sq_utf8_fold_key(out, sizeof out, &out_len, (const uint8_t *)"A\xcd\xb8", 3), SQ_ERR_INVALID);
    /* out_cap = 3 * in_len suffices at the worst case (U+0390: 2 bytes -> 6),
     * and one byte less does not */
    n = repeat(in, "\xce\x90", SQ_TEXT_MAX_BYTES / 2);
    CHECK_EQ_INT(sq_utf8_fold_key(out, 3 * n, &out_len, in, n), SQ_OK);
    CHECK_EQ_INT(out_len, 3 * n);
    CHECK(memcmp(out, "\xce\xb9\xcc\x88\xcc\x81", 6) == 0);
    CHECK_EQ_INT(sq_utf8_fold_key(out, 3 * n - 1, &out_len, in, n), SQ_ERR_LIMIT);
    CHECK_EQ_INT(out_len, 0);
    n = repeat(in, "A", SQ_TEXT_MAX_BYTES);
    CHECK_EQ_INT(sq_utf8_fold_key(out, n - 1, &out_len, in, n), SQ_ERR_LIMIT);
    n = repeat(in, "\xc7\x95", SQ_TEXT_MAX_BYTES / 2);             /* Ǖ: 3 code points each */
    CHECK_EQ_INT(sq_utf8_fold_key(out, sizeof out, &out_len, in, n), SQ_OK);
    CHECK(out_len == 5 * n / 2 && memcmp(out, "u\xcc\x88\xcc\x84", 5) == 0);
}

/* name_of_len: a name of exactly len bytes, components of at most comp 'x'
 * separated by '/'. */
static size_t
name_of_len(uint8_t *buf, size_t len, size_t comp)
{
    size_t w = 0, c = 0;

    while (w < len) {
        if (c == comp && w + 1 < len) {
            buf[w++] = '/';
            c = 0;
        } else {
            buf[w++] = 'x';
            c++;
        }
    }
    return w;
}

static void
test_names(void)
{
    uint8_t in[SQ_TEXT_MAX_BYTES + 8], out[MAXBUF];
    size_t  n, out_len;

    /* accepted */
    CHECK_EQ_INT(name_s("report.pdf"), SQ_OK);
    CHECK_EQ_INT(name_s("a/b/c"), SQ_OK);
    CHECK_EQ_INT(name_s(".hidden"), SQ_OK);
    CHECK_EQ_INT(name_s("..."), SQ_OK);
    CHECK_EQ_INT(name_s("a..b/.c/d."), SQ_OK);
    CHECK_EQ_INT(name_s("\xd0\x9e\xd1\x82\xd1\x87\xd1\x91\xd1\x82/2024/\xd0\xb9.txt"), SQ_OK);
    CHECK_EQ_INT(name_s("\xd0\x9a\xd1\x8b\xd1\x80\xd0\xb3\xd1\x8b\xd0\xb7\xd1\x87\xd0\xb0 \xd2\xaf\xd3\xa9\xd2\xa3"), SQ_OK);
    CHECK_EQ_INT(name_s(" ~"), SQ_OK);                                /* U+0020, U+007E */
    CHECK_EQ_INT(name_s("a\xc2\xa0" "b"), SQ_OK);                     /* U+00A0 follows C1 */
    CHECK_EQ_INT(name_s("\xe2\x80\xae" "fdp.exe"), SQ_OK);            /* bidi: allowed, escaped on output */
    /* normalized on the way in */
    CHECK_EQ_INT(sq_name_normalize(out, sizeof out, &out_len, (const uint8_t *)"\xd0\xb8\xcc\x86", 4), SQ_OK);
    CHECK(out_len == 2 && memcmp(out, "\xd0\xb9", 2) == 0);
    CHECK(sq_name_valid(out, out_len));
    CHECK(!sq_name_valid((const uint8_t *)"\xd0\xb8\xcc\x86", 4));     /* valid name, not NFC */
    /* refused: one case per rule */
    CHECK_EQ_INT(name_s(""), SQ_ERR_INVALID);
    CHECK_EQ_INT(name_s("/a"), SQ_ERR_INVALID);
    CHECK_EQ_INT(name_s("a/"), SQ_ERR_INVALID);
    CHECK_EQ_INT(name_s("/"), SQ_ERR_INVALID);
    CHECK_EQ_INT(name_s("a//b"), SQ_ERR_INVALID);
    CHECK_EQ_INT(name_s("."), SQ_ERR_INVALID);
    CHECK_EQ_INT(name_s(".."), SQ_ERR_INVALID);
    CHECK_EQ_INT(name_s("a/./b"), SQ_ERR_INVALID);
    CHECK_EQ_INT(name_s("a/../b"), SQ_ERR_INVALID);
    CHECK_EQ_INT(name_s("a/.."), SQ_ERR_INVALID);
    CHECK_EQ_INT(name_s("./a"), SQ_ERR_INVALID);
    CHECK_EQ_INT(name_err((const uint8_t *)"a\0b", 3), SQ_ERR_INVALID);
    CHECK_EQ_INT(name_s("a\x01" "b"), SQ_ERR_INVALID);
    CHECK_EQ_INT(name_s("a\tb"), SQ_ERR_INVALID);
    CHECK_EQ_INT(name_s("a\nb"), SQ_ERR_INVALID);
    CHECK_EQ_INT(name_s("\x1b[31m"), SQ_ERR_INVALID);
    CHECK_EQ_INT(name_s("a\x1f"), SQ_ERR_INVALID);
    CHECK_EQ_INT(name_s("a\x7f"), SQ_ERR_INVALID);
    CHECK_EQ_INT(name_s("a\xc2\x80"), SQ_ERR_INVALID);                /* U+0080 */
    CHECK_EQ_INT(name_s("a\xc2\x85"), SQ_ERR_INVALID);                /* NEL */
    CHECK_EQ_INT(name_s("a\xc2\x9f"), SQ_ERR_INVALID);                /* U+009F */
    CHECK_EQ_INT(name_s("\xcd\xb8"), SQ_ERR_INVALID);                 /* unassigned */
    CHECK_EQ_INT(name_s("a\xef\xbf\xbe"), SQ_ERR_INVALID);            /* noncharacter */
    CHECK_EQ_INT(name_s("a\xff"), SQ_ERR_INVALID);
    static const char *bad[] = {"", "/a", "a/", "a//b", ".", "..", "a/./b", "a/../b", "a\x01",
                                "a\x7f", "a\xc2\x85", "e\xcc\x81", "\xcd\xb8", "\xc0\x80"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(!sq_name_valid((const uint8_t *)bad[i], strlen(bad[i])));
    CHECK(sq_name_valid((const uint8_t *)"a/b", 3));

    /* length caps at the boundary: a component, then a whole name */
    n = name_of_len(in, SQ_NAME_COMPONENT_MAX_BYTES, 1000);
    CHECK_EQ_INT(name_err(in, n), SQ_OK);
    CHECK(sq_name_valid(in, n));
    n = name_of_len(in, SQ_NAME_COMPONENT_MAX_BYTES + 1, 1000);
    CHECK_EQ_INT(name_err(in, n), SQ_ERR_LIMIT);
    CHECK(!sq_name_valid(in, n));
    n = repeat(in, "\xd0\xb9", 127);                                  /* 254 bytes + 'a' */
    in[n++] = 'a';
    CHECK_EQ_INT(name_err(in, n), SQ_OK);
    in[n++] = 'a';
    CHECK_EQ_INT(name_err(in, n), SQ_ERR_LIMIT);
    n = name_of_len(in, SQ_NAME_MAX_BYTES, 200);
    CHECK_EQ_INT(name_err(in, n), SQ_OK);
    CHECK(sq_name_valid(in, n));
    n = name_of_len(in, SQ_NAME_MAX_BYTES + 1, 200);
    CHECK_EQ_INT(name_err(in, n), SQ_ERR_LIMIT);
    CHECK(!sq_name_valid(in, n));
    /* the cap applies after NFC: 2044 bytes of decomposed й that compose to 1024 */
    n = 0;
    for (int comp = 0; comp < 5; comp++) {
        n += repeat(in + n, "\xd0\xb8\xcc\x86", comp == 4 ? 110 : 100);
        if (comp < 4)
            in[n++] = '/';
    }
    CHECK_EQ_INT(n, 2044);
    CHECK_EQ_INT(sq_name_normalize(out, 3 * n, &out_len, in, n), SQ_OK);
    CHECK_EQ_INT(out_len, SQ_NAME_MAX_BYTES);
    CHECK(sq_name_valid(out, out_len));
    /* out_cap too small is SQ_ERR_LIMIT */
    CHECK_EQ_INT(sq_name_normalize(out, 1023, &out_len, in, n), SQ_ERR_LIMIT);
    /* input cap before work */
    n = name_of_len(in, SQ_TEXT_MAX_BYTES + 1, 200);
    CHECK_EQ_INT(name_err(in, n), SQ_ERR_LIMIT);
}

int
main(void)
{
    sq_test_init("test_utf8");
    test_valid();
    test_nfc_cases();
    test_fold_keys();
    test_names();
    test_normalization_file();
    test_assigned_file();
    return sq_test_done();
}
