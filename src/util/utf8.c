/* utf8.c: strict UTF-8, NFC, canonical caseless keys and document name rules,
 * following Unicode 15.0 (UAX #15; chapter 3: table 3-7, 3.11 canonical
 * ordering and composition, 3.12 Hangul, 3.13 D145) over the tables that
 * tools/gen_unicode.py generates into unicode_data.c.
 *
 * Work happens on code points in a fixed stack scratch sized from the input
 * cap and the generator's checked expansion bound; the part that was used is
 * wiped before every return, because passphrases pass through here. */
#include "util/utf8.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "util/unicode_data.h"

/* Hangul syllables (3.12) */
#define H_SBASE  0xAC00u
#define H_LBASE  0x1100u
#define H_VBASE  0x1161u
#define H_TBASE  0x11A7u
#define H_LCOUNT 19u
#define H_VCOUNT 21u
#define H_TCOUNT 28u
#define H_NCOUNT (H_VCOUNT * H_TCOUNT)
#define H_SCOUNT (H_LCOUNT * H_NCOUNT)

/* The most code points SQ_TEXT_MAX_BYTES of input can become, under NFD or
 * under the caseless key (the generator proves the per-byte bounds). */
#define SCRATCH_NFD (SQ_TEXT_MAX_BYTES * SQ_UNI_NFD_CP_PER_BYTE_NUM / SQ_UNI_NFD_CP_PER_BYTE_DEN)
#define SCRATCH_KEY (SQ_TEXT_MAX_BYTES * SQ_UNI_KEY_CP_PER_BYTE_NUM / SQ_UNI_KEY_CP_PER_BYTE_DEN)
#define SCRATCH_CPS (SCRATCH_NFD > SCRATCH_KEY ? SCRATCH_NFD : SCRATCH_KEY)
_Static_assert(SCRATCH_CPS * sizeof(uint32_t) <= 32 * 1024, "scratch must stay small on the stack");
_Static_assert(SQ_UNI_MAX_BYTE_GROWTH <= 3, "the API promises out_cap >= 3 * in_len suffices");

/* A short stretch of the caseless key (a letter and its marks) uses a small
 * scratch: the full one is for long runs of marks only. */
#define SMALL_BYTES 32
#define SMALL_CPS   (SMALL_BYTES * SQ_UNI_KEY_CP_PER_BYTE_NUM / SQ_UNI_KEY_CP_PER_BYTE_DEN)

typedef struct {
    uint32_t *cp;
    size_t    cap;
    size_t    used; /* high-water mark: how much to wipe */
} scratch;

static void
scratch_wipe(scratch *sc)
{
    sodium_memzero(sc->cp, sc->used * sizeof sc->cp[0]);
    sc->used = 0;
}

static inline bool
decode(uint32_t *cp, const uint8_t *s, size_t len, size_t *pos)
{
    size_t   i = *pos, n;
    uint32_t c;
    uint8_t  lo = 0x80, hi = 0xBF; /* allowed range of the second byte */

    if (i >= len)
        return false;
    c = s[i];
    if (c < 0x80) {
        *cp = c;
        *pos = i + 1;
        return true;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        n = 1;
        c &= 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 2;
        c &= 0x0F;
        if (s[i] == 0xE0)
            lo = 0xA0;                     /* overlong */
        else if (s[i] == 0xED)
            hi = 0x9F;                     /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 3;
        c &= 0x07;
        if (s[i] == 0xF0)
            lo = 0x90;                     /* overlong */
        else if (s[i] == 0xF4)
            hi = 0x8F;                     /* above U+10FFFF */
    } else {
        return false;                      /* continuation, C0/C1 overlong, F5..FF */
    }
    if (len - i - 1 < n || s[i + 1] < lo || s[i + 1] > hi)
        return false;
    for (size_t k = 1; k <= n; k++) {
        if ((s[i + k] & 0xC0) != 0x80)
            return false;
        c = (c << 6) | (s[i + k] & 0x3F);
    }
    *cp = c;
    *pos = i + 1 + n;
    return true;
}

bool
sq_utf8_decode(uint32_t *cp, const uint8_t *s, size_t len, size_t *pos)
{
    return decode(cp, s, len, pos);
}

bool
sq_utf8_valid(const uint8_t *s, size_t len)
{
    size_t   pos = 0;
    uint32_t cp;

    while (pos < len) {
        if (s[pos] < 0x80) {
            pos++;
            continue;
        }
        if (!decode(&cp, s, len, &pos))
            return false;
    }
    return true;
}

static size_t
utf8_put(uint8_t *out, uint32_t cp)
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

static size_t
utf8_len(uint32_t cp)
{
    return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/* encode: appends cps as UTF-8 at out[*out_len]; SQ_ERR_LIMIT if it does not fit. */
static sq_err
encode(uint8_t *out, size_t out_cap, size_t *out_len, const uint32_t *cps, size_t n)
{
    size_t w = *out_len;

    for (size_t i = 0; i < n; i++) {
        if (out_cap - w < utf8_len(cps[i]))
            return SQ_ERR_LIMIT;
        w += utf8_put(out + w, cps[i]);
    }
    *out_len = w;
    return SQ_OK;
}

static uint8_t
ccc_of(uint32_t cp)
{
    return cp < 0x300 ? 0 : sq_uni_get(cp)->ccc;   /* nothing below U+0300 combines */
}

/* decompose: the full canonical decomposition of in, appended at sc->cp[*n];
 * refuses ill-formed UTF-8 and code points unassigned in 15.0. */
static sq_err
decompose(scratch *sc, size_t *n, const uint8_t *in, size_t in_len)
{
    size_t   pos = 0, w = *n, k;
    uint32_t cp;
    sq_err   ret = SQ_OK;

    while (pos < in_len) {
        const sq_uni_props *p;

        if (!decode(&cp, in, in_len, &pos)) {
            ret = SQ_ERR_INVALID;
            break;
        }
        p = sq_uni_get(cp);
        if (!(p->flags & SQ_UNI_ASSIGNED)) {
            ret = SQ_ERR_INVALID;
            break;
        }
        k = cp - H_SBASE < H_SCOUNT ? 3 : p->decomp_len != 0 ? p->decomp_len : 1;
        if (sc->cap - w < k) {             /* unreachable: the bound is proven */
            ret = SQ_ERR_LIMIT;
            break;
        }
        if (cp - H_SBASE < H_SCOUNT) {
            uint32_t s = cp - H_SBASE;

            sc->cp[w++] = H_LBASE + s / H_NCOUNT;
            sc->cp[w++] = H_VBASE + (s % H_NCOUNT) / H_TCOUNT;
            if (s % H_TCOUNT != 0)
                sc->cp[w++] = H_TBASE + s % H_TCOUNT;
        } else if (p->decomp_len != 0) {
            memcpy(&sc->cp[w], &sq_uni_pool[p->decomp_off], p->decomp_len * sizeof sc->cp[0]);
            w += p->decomp_len;
        } else {
            sc->cp[w++] = cp;
        }
    }
    *n = w;
    if (w > sc->used)
        sc->used = w;
    return ret;
}

/* reorder: canonical ordering (3.11, D109): a stable sort of every run of
 * non-starters by combining class. Runs are short in real text; insertion
 * sort is quadratic only in a run, which the input cap bounds. */
static void
reorder(uint32_t *cps, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint32_t c = cps[i];
        uint8_t  cc = ccc_of(c);
        size_t   j = i;

        if (cc == 0)
            continue;
        while (j > 0 && ccc_of(cps[j - 1]) > cc) {
            cps[j] = cps[j - 1];
            j--;
        }
        cps[j] = c;
    }
}

/* pair_compose: the primary composite of (a, b), or 0 if there is none. */
static uint32_t
pair_compose(uint32_t a, uint32_t b)
{
    size_t lo = 0, hi = SQ_UNI_NPAIRS;

    if (a - H_LBASE < H_LCOUNT && b - H_VBASE < H_VCOUNT)
        return H_SBASE + ((a - H_LBASE) * H_VCOUNT + (b - H_VBASE)) * H_TCOUNT;
    if (a - H_SBASE < H_SCOUNT && (a - H_SBASE) % H_TCOUNT == 0 && b - H_TBASE - 1 < H_TCOUNT - 1)
        return a + (b - H_TBASE);
    if (!(sq_uni_get(a)->flags & SQ_UNI_COMP_FIRST) || !(sq_uni_get(b)->flags & SQ_UNI_COMP_SECOND))
        return 0;
    while (lo < hi) {
        size_t             mid = lo + (hi - lo) / 2;
        const sq_uni_pair *pr = &sq_uni_pairs[mid];

        if (pr->first == a && pr->second == b)
            return pr->composite;
        if (pr->first < a || (pr->first == a && pr->second < b))
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* compose: canonical composition (3.11, D117) in place: each character joins
 * the last starter unless blocked (a character between them with class 0 or
 * a class at least its own). Full composition exclusions have no pair. */
static void
compose(uint32_t *cps, size_t *n)
{
    size_t  starter = 0, w = 1;
    bool    have_starter;
    uint8_t last = 0;   /* class of the last character kept after the starter */

    if (*n == 0)
        return;
    have_starter = ccc_of(cps[0]) == 0;
    for (size_t i = 1; i < *n; i++) {
        uint32_t c = cps[i], comp;
        uint8_t  cc = ccc_of(c);

        if (have_starter && (last == 0 || last < cc) && (comp = pair_compose(cps[starter], c)) != 0) {
            cps[starter] = comp;
            continue;
        }
        if (cc == 0) {
            starter = w;
            have_starter = true;
        }
        last = cc;
        cps[w++] = c;
    }
    *n = w;
}

/* nfc_cps: NFC of in as code points in sc->cp[0..*n). */
static sq_err
nfc_cps(scratch *sc, size_t *n, const uint8_t *in, size_t in_len)
{
    sq_err ret;

    *n = 0;
    if ((ret = decompose(sc, n, in, in_len)) != SQ_OK)
        return ret;
    reorder(sc->cp, *n);
    compose(sc->cp, n);
    return SQ_OK;
}

static bool
all_ascii(const uint8_t *s, size_t len)
{
    uint8_t acc = 0;

    for (size_t i = 0; i < len; i++)
        acc |= s[i];
    return acc < 0x80;
}

/* nfc_slow: the whole algorithm, in its own frame so that its scratch and
 * that of sq_utf8_is_nfc are never on the stack together. */
static sq_err __attribute__((noinline))
nfc_slow(uint8_t *out, size_t out_cap, size_t *out_len, const uint8_t *in, size_t in_len)
{
    uint32_t buf[SCRATCH_CPS];   /* secret: a passphrase's code points; wiped below */
    scratch  sc = {buf, SCRATCH_CPS, 0};
    size_t   n = 0;
    sq_err   ret;

    ret = nfc_cps(&sc, &n, in, in_len);
    if (ret == SQ_OK)
        ret = encode(out, out_cap, out_len, sc.cp, n);
    scratch_wipe(&sc);
    return ret;
}

sq_err
sq_utf8_nfc(uint8_t *out, size_t out_cap, size_t *out_len, const uint8_t *in, size_t in_len)
{
    sq_err ret;

    if (out_len == NULL || (in == NULL && in_len != 0) || (out == NULL && out_cap != 0))
        abort();
    *out_len = 0;
    if (in_len > SQ_TEXT_MAX_BYTES)
        return SQ_ERR_LIMIT;               /* cap before any work */
    if (sq_utf8_is_nfc(in, in_len)) {      /* the common case: already NFC (ASCII first) */
        if (out_cap < in_len)
            return SQ_ERR_LIMIT;
        if (in_len != 0)
            memcpy(out, in, in_len);
        *out_len = in_len;
        return SQ_OK;
    }
    ret = nfc_slow(out, out_cap, out_len, in, in_len);
    if (ret != SQ_OK && out_cap != 0) {
        sodium_memzero(out, out_cap);      /* no partial passphrase left behind */
        *out_len = 0;
    }
    return ret;
}

/* segment_is_nfc: s is valid and assigned; is NFC(s) == s? */
static bool
segment_is_nfc(const uint8_t *s, size_t len)
{
    uint32_t buf[SCRATCH_CPS];
    scratch  sc = {buf, SCRATCH_CPS, 0};
    size_t   n = 0, pos = 0, k = 0;
    uint32_t cp;
    bool     same;

    if (len > SQ_TEXT_MAX_BYTES)
        return false;
    same = nfc_cps(&sc, &n, s, len) == SQ_OK;
    while (same && pos < len) {
        same = decode(&cp, s, len, &pos) && k < n && sc.cp[k] == cp;
        k++;
    }
    same = same && k == n;
    scratch_wipe(&sc);
    return same;
}

/* NFC quick check (UAX #15, 9.1), and the full check only on stretches that
 * follow an NFC_QC=Maybe character. Stretches are cut before each starter
 * with NFC_QC=Yes: nothing composes with or reorders across such a character
 * (the generator verifies this on the data). */
bool
sq_utf8_is_nfc(const uint8_t *s, size_t len)
{
    size_t   pos = 0, seg = 0;
    uint8_t  last = 0;
    bool     maybe = false;
    uint32_t cp;

    if (s == NULL && len != 0)
        abort();
    if (all_ascii(s, len))
        return true;
    while (pos < len) {
        size_t  at = pos;
        uint8_t cc = 0, flags = 0;
        bool    stable;   /* assigned starter with NFC_QC=Yes: a cut point */

        if (s[pos] < 0x80) {
            pos++;
            stable = true;
        } else if (s[pos] >= 0xC2 && s[pos] <= 0xDF && len - pos >= 2 && (s[pos + 1] & 0xC0) == 0x80 &&
                   (cp = (((s[pos] & 0x1Fu) << 6) | (s[pos + 1] & 0x3Fu)) - 0x80,
                    (sq_uni_nfc2[cp >> 3] >> (cp & 7)) & 1)) {
            pos += 2;                      /* two-byte fast path: one bit */
            stable = true;
        } else {
            const sq_uni_props *p;

            if (!decode(&cp, s, len, &pos))
                return false;
            p = sq_uni_get(cp);
            flags = p->flags;
            cc = p->ccc;
            if (!(flags & SQ_UNI_ASSIGNED) || (flags & SQ_UNI_QC_NO))
                return false;
            if (cc != 0 && cc < last)
                return false;              /* not in canonical order */
            stable = cc == 0 && !(flags & SQ_UNI_QC_MAYBE);
        }
        if (stable) {
            if (maybe && !segment_is_nfc(s + seg, at - seg))
                return false;
            maybe = false;
            seg = at;
        }
        if (flags & SQ_UNI_QC_MAYBE)
            maybe = true;
        last = cc;
    }
    return !maybe || segment_is_nfc(s + seg, len - seg);
}

static sq_err key_stretch(scratch *sc, uint8_t *out, size_t out_cap, size_t *out_len, const uint8_t *in,
                          size_t in_len);

/* key_segment_large: key_stretch with the full scratch, in its own frame so
 * that the common short stretch does not pay for it. */
static sq_err __attribute__((noinline))
key_segment_large(uint8_t *out, size_t out_cap, size_t *out_len, const uint8_t *in, size_t in_len)
{
    uint32_t buf[SCRATCH_CPS];
    scratch  sc = {buf, SCRATCH_CPS, 0};
    sq_err   ret = key_stretch(&sc, out, out_cap, out_len, in, in_len);

    scratch_wipe(&sc);
    return ret;
}

/* key_stretch: the caseless key of in (a stretch between cut points),
 * appended at out[*out_len], working in sc. NFD first, then each code point
 * folded (the folded forms are stored decomposed), then canonical order
 * again: folding can change classes (U+0345 -> U+03B9), so it must see
 * NFD(X), not X. */
static sq_err
key_stretch(scratch *sc, uint8_t *out, size_t out_cap, size_t *out_len, const uint8_t *in, size_t in_len)
{
    size_t n = 0, m = 0, w = 0;
    sq_err ret;

    if ((ret = decompose(sc, &n, in, in_len)) != SQ_OK)
        return ret;
    reorder(sc->cp, n);
    for (size_t i = 0; i < n; i++) {
        uint8_t fl = sq_uni_get(sc->cp[i])->fold_len;
        m += fl != 0 ? fl : 1;
    }
    if (m > sc->cap)                       /* unreachable: the bound is proven */
        return SQ_ERR_LIMIT;
    if (m > sc->used)
        sc->used = m;
    /* Move NFD(X) to the end and expand from the front: every code point
     * expands to at least one, so writes never pass the next one to read. */
    memmove(&sc->cp[m - n], &sc->cp[0], n * sizeof sc->cp[0]);
    for (size_t i = 0; i < n; i++) {
        uint32_t            c = sc->cp[m - n + i];
        const sq_uni_props *p = sq_uni_get(c);

        if (p->fold_len == 0) {
            sc->cp[w++] = c;
        } else {
            memmove(&sc->cp[w], &sq_uni_pool[p->fold_off], p->fold_len * sizeof sc->cp[0]);
            w += p->fold_len;
        }
    }
    reorder(sc->cp, m);
    return encode(out, out_cap, out_len, sc->cp, m);
}

/* key_segment: key_stretch with a scratch sized for in. Not secret (names),
 * wiped all the same: the code is shared with passphrases. */
static sq_err
key_segment(uint8_t *out, size_t out_cap, size_t *out_len, const uint8_t *in, size_t in_len)
{
    uint32_t small[SMALL_CPS];
    scratch  sc = {small, SMALL_CPS, 0};
    sq_err   ret;

    if (in_len > SMALL_BYTES)
        return key_segment_large(out, out_cap, out_len, in, in_len);
    ret = key_stretch(&sc, out, out_cap, out_len, in, in_len);
    scratch_wipe(&sc);
    return ret;
}

/* key_lone: the key of the one character cp (a key boundary) when its
 * stretch holds nothing else: algorithmic for Hangul, else from the table. */
static sq_err
key_lone(uint8_t *out, size_t out_cap, size_t *out_len, uint32_t cp, const sq_uni_props *p)
{
    uint32_t buf[3];
    size_t   n = 0;

    if (cp - H_SBASE < H_SCOUNT) {
        uint32_t s = cp - H_SBASE;

        buf[n++] = H_LBASE + s / H_NCOUNT;
        buf[n++] = H_VBASE + (s % H_NCOUNT) / H_TCOUNT;
        if (s % H_TCOUNT != 0)
            buf[n++] = H_TBASE + s % H_TCOUNT;
        return encode(out, out_cap, out_len, buf, n);
    }
    if (p->fold_len == 0)
        return encode(out, out_cap, out_len, &cp, 1);
    return encode(out, out_cap, out_len, &sq_uni_pool[p->fold_off], p->fold_len);
}

sq_err
sq_utf8_fold_key(uint8_t *out, size_t out_cap, size_t *out_len, const uint8_t *in, size_t in_len)
{
    size_t              pos = 0, w = 0, seg = SIZE_MAX;
    uint32_t            cp, seg_cp = 0;
    const sq_uni_props *seg_p = NULL;   /* set while the open stretch is one boundary character */
    sq_err              ret = SQ_OK;

    if (out_len == NULL || (in == NULL && in_len != 0) || (out == NULL && out_cap != 0))
        abort();
    *out_len = 0;
    if (in_len > SQ_TEXT_MAX_BYTES)
        return SQ_ERR_LIMIT;
    if (all_ascii(in, in_len)) {           /* the key of ASCII is its lowercase */
        if (out_cap < in_len)
            return SQ_ERR_LIMIT;
        for (size_t i = 0; i < in_len; i++)
            out[i] = (uint8_t)((unsigned)(in[i] - 'A') < 26u ? in[i] + ('a' - 'A') : in[i]);
        *out_len = in_len;
        return SQ_OK;
    }
    /* The key of a text is the concatenation of the keys of its stretches cut
     * before each key boundary, a character whose NFD starts with a starter:
     * neither reordering nor folding crosses it (the generator checks). A
     * key-simple character (a starter without decomposition that folds to
     * one such starter) maps directly; a lone boundary character (й) maps
     * through its precomputed key; only a stretch with marks after it runs
     * the whole algorithm. */
    while (pos <= in_len) {
        size_t              at = pos;
        const sq_uni_props *p = NULL;
        bool                simple = true, boundary = true;

        if (pos == in_len) {
            pos++;                         /* the end closes the last stretch */
            simple = false;
        } else if (in[pos] < 0x80) {
            cp = in[pos++];
            if (cp - 'A' < 26)
                cp += 'a' - 'A';
        } else if (in[pos] >= 0xC2 && in[pos] <= 0xDF && in_len - pos >= 2 && (in[pos + 1] & 0xC0) == 0x80 &&
                   (cp = sq_uni_key2[(((in[pos] & 0x1Fu) << 6) | (in[pos + 1] & 0x3Fu)) - 0x80]) != 0) {
            pos += 2;                      /* two-byte key-simple: one table load */
        } else {
            if (!decode(&cp, in, in_len, &pos)) {
                ret = SQ_ERR_INVALID;
                goto out;
            }
            p = sq_uni_get(cp);
            if (!(p->flags & SQ_UNI_ASSIGNED)) {
                ret = SQ_ERR_INVALID;
                goto out;
            }
            simple = (p->flags & SQ_UNI_KEY_SIMPLE) != 0;
            boundary = (p->flags & SQ_UNI_KEY_BOUNDARY) != 0;
            if (simple && p->fold_len != 0)
                cp = sq_uni_pool[p->fold_off];
        }
        if (!boundary) {                   /* a mark: the open stretch grows */
            if (seg == SIZE_MAX)
                seg = at;
            seg_p = NULL;
            continue;
        }
        if (seg != SIZE_MAX) {             /* close the open stretch */
            ret = seg_p != NULL ? key_lone(out, out_cap, &w, seg_cp, seg_p)
                                : key_segment(out, out_cap, &w, in + seg, at - seg);
            if (ret != SQ_OK)
                goto out;
            seg = SIZE_MAX;
        }
        if (simple) {
            if (out_cap - w < utf8_len(cp)) {
                ret = SQ_ERR_LIMIT;
                goto out;
            }
            w += utf8_put(out + w, cp);
        } else if (p != NULL) {            /* a boundary that needs more: open a stretch */
            seg = at;
            seg_cp = cp;
            seg_p = p;
        }
    }
out:
    if (ret == SQ_OK)
        *out_len = w;
    return ret;
}

/* name_rules: the rules of sq_name_normalize on valid UTF-8 s. Every byte
 * below 0x80 in UTF-8 is the ASCII character itself, and C1 U+0080-009F is
 * exactly C2 80..C2 9F, so the checks can run on bytes. */
static sq_err
name_rules(const uint8_t *s, size_t len)
{
    size_t comp = 0;
    bool   too_long = len > SQ_NAME_MAX_BYTES;

    if (len == 0)
        return SQ_ERR_INVALID;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || s[i] == '/') {
            size_t         clen = i - comp;
            const uint8_t *c = s + comp;

            if (clen == 0 || (clen == 1 && c[0] == '.') || (clen == 2 && c[0] == '.' && c[1] == '.'))
                return SQ_ERR_INVALID;
            if (clen > SQ_NAME_COMPONENT_MAX_BYTES)
                too_long = true;
            comp = i + 1;
        } else if (s[i] < 0x20 || s[i] == 0x7F) {
            return SQ_ERR_INVALID;         /* C0, DEL */
        } else if (s[i] == 0xC2 && i + 1 < len && s[i + 1] <= 0x9F) {
            return SQ_ERR_INVALID;         /* C1 */
        }
    }
    return too_long ? SQ_ERR_LIMIT : SQ_OK;
}

sq_err
sq_name_normalize(uint8_t *out, size_t out_cap, size_t *out_len, const uint8_t *in, size_t in_len)
{
    size_t n = 0;
    sq_err ret;

    if (out_len == NULL)
        abort();
    *out_len = 0;
    if ((ret = sq_utf8_nfc(out, out_cap, &n, in, in_len)) != SQ_OK)
        return ret;
    if ((ret = name_rules(out, n)) != SQ_OK)
        return ret;
    *out_len = n;
    return SQ_OK;
}

bool
sq_name_valid(const uint8_t *s, size_t len)
{
    if (len > SQ_NAME_MAX_BYTES)
        return false;
    return sq_utf8_is_nfc(s, len) && name_rules(s, len) == SQ_OK;
}
