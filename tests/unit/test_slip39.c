/* test_slip39.c: SLIP-0039 against the 45 official vectors, round trips over
 * random layouts, and every refusal the spec lists, each naming the share,
 * word or group at fault. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandyq/slip39.h"
#include "share/rs1024.h"
#include "share/wordlist.h"
#include "slip39_vectors.h"
#include "testlib.h"
#include "util/random.h"

/* the expected refusal of each invalid official vector, by number */
static sq_slip39_problem
expected_problem(unsigned num)
{
    switch (num) {
    case 2: case 21: return SQ_SLIP39_BAD_CHECKSUM;
    case 3: case 22: return SQ_SLIP39_BAD_PADDING;
    case 5: case 24: return SQ_SLIP39_TOO_FEW_MEMBERS;
    case 6: case 25: return SQ_SLIP39_MIXED_ID;
    case 7: case 26: return SQ_SLIP39_MIXED_EXPONENT;
    case 8: case 27: return SQ_SLIP39_MIXED_GROUP_THRESHOLD;
    case 9: case 28: return SQ_SLIP39_MIXED_GROUP_COUNT;
    case 10: case 29: return SQ_SLIP39_BAD_GROUP_THRESHOLD;
    case 11: case 30: return SQ_SLIP39_DUPLICATE_MEMBER;
    case 12: case 31: return SQ_SLIP39_MIXED_MEMBER_THRESHOLD;
    case 13: case 32: return SQ_SLIP39_DIGEST_MISMATCH;
    case 14: case 33: return SQ_SLIP39_TOO_FEW_GROUPS;
    case 15: case 34: return SQ_SLIP39_TOO_FEW_GROUPS;
    case 16: case 35: return SQ_SLIP39_TOO_FEW_MEMBERS;
    case 39: return SQ_SLIP39_BAD_LENGTH;
    case 40: return SQ_SLIP39_BAD_LENGTH;
    default: return SQ_SLIP39_OK;
    }
}

static sq_err
combine_strs(uint8_t *out, size_t *out_len, const char *const *m, size_t n, const char *pass,
             sq_slip39_detail *d)
{
    size_t lens[SQ_SLIP39_MAX_SHARES];

    for (size_t i = 0; i < n; i++)
        lens[i] = strlen(m[i]);
    return sq_slip39_combine(out, out_len, m, lens, n, pass, strlen(pass), false, d);
}

static void
test_vectors(void)
{
    size_t nv = sizeof slip39_vectors / sizeof slip39_vectors[0];

    CHECK_EQ_INT(nv, 45);
    for (size_t v = 0; v < nv; v++) {
        const slip39_vector *t = &slip39_vectors[v];
        uint8_t              out[SQ_SLIP39_MAX_SECRET_BYTES], want[SQ_SLIP39_MAX_SECRET_BYTES];
        size_t               out_len = 0;
        sq_slip39_detail     d;
        sq_err               e = combine_strs(out, &out_len, t->mnemonics, t->count, "TREZOR", &d);
        unsigned             num = (unsigned)atoi(t->name);

        if (t->secret_hex[0] != '\0') {
            size_t wl = strlen(t->secret_hex) / 2;

            sq_test_hex(want, wl, t->secret_hex);
            if (!CHECK(e == SQ_OK && out_len == wl && memcmp(out, want, wl) == 0))
                fprintf(stderr, "  vector %s: err %d problem %s\n", t->name, e,
                        sq_slip39_problem_str(d.problem));
            CHECK(expected_problem(num) == SQ_SLIP39_OK);
        } else {
            if (!CHECK(e != SQ_OK && d.problem == expected_problem(num)))
                fprintf(stderr, "  vector %s: err %d problem %s share %u word %u\n", t->name, e,
                        sq_slip39_problem_str(d.problem), d.share, d.word);
            CHECK(out_len == 0);
        }
    }
    /* vectors 2 and 21 name the first share; vector 11 names the later duplicate */
    {
        uint8_t          out[SQ_SLIP39_MAX_SECRET_BYTES];
        size_t           ol;
        sq_slip39_detail d;

        combine_strs(out, &ol, slip39_vectors[1].mnemonics, 1, "TREZOR", &d);
        CHECK(d.problem == SQ_SLIP39_BAD_CHECKSUM && d.share == 1);
        combine_strs(out, &ol, slip39_vectors[10].mnemonics, 2, "TREZOR", &d);
        CHECK(d.problem == SQ_SLIP39_DUPLICATE_MEMBER && d.share == 2 && d.other == 1);
        combine_strs(out, &ol, slip39_vectors[4].mnemonics, 1, "TREZOR", &d);
        CHECK(d.problem == SQ_SLIP39_TOO_FEW_MEMBERS && d.group == 1 && d.have == 1 && d.need == 2);
    }
}

/* a mnemonic's words as indexes */
static size_t
to_words(uint16_t *w, const char *m)
{
    size_t n = 0;
    char   buf[SQ_SLIP39_MNEMONIC_CAP];
    char  *save = NULL;

    snprintf(buf, sizeof buf, "%s", m);
    for (char *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
        CHECK(sq_slip39_word_index(&w[n++], tok, strlen(tok)));
    return n;
}

static void
from_words(char *out, const uint16_t *w, size_t n)
{
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        char   wd[SQ_SLIP39_WORD_MAX];
        size_t l = sq_slip39_word_at(wd, w[i]);

        if (i)
            out[o++] = ' ';
        memcpy(out + o, wd, l);
        o += l;
    }
    out[o] = '\0';
}

static void
test_wordlist(void)
{
    uint16_t idx = 9999;
    char     w[SQ_SLIP39_WORD_MAX];

    CHECK(sq_slip39_word_index(&idx, "academic", 8) && idx == 0);
    CHECK(sq_slip39_word_index(&idx, "zero", 4) && idx == 1023);
    CHECK(sq_slip39_word_index(&idx, "ZeRo", 4) && idx == 1023);
    CHECK(!sq_slip39_word_index(&idx, "zer", 3));
    CHECK(!sq_slip39_word_index(&idx, "zeroo", 5));
    CHECK(!sq_slip39_word_index(&idx, "academics", 9));
    CHECK(!sq_slip39_word_index(&idx, "", 0));
    CHECK(!sq_slip39_word_index(&idx, "zer\xcf", 4));   /* 0xCF | 0x20 = 0xEF, not 'o' */
    CHECK(!sq_slip39_word_index(&idx, "zer\x0f", 4));   /* 0x0F | 0x20 = '/' */
    for (uint16_t i = 0; i < SQ_SLIP39_WORDS; i++) {
        size_t l = sq_slip39_word_at(w, i);

        CHECK(l >= 4 && l <= 8);
        CHECK(sq_slip39_word_index(&idx, w, l) && idx == i);
    }
}

static void
test_roundtrip_layout(uint8_t gt, const sq_slip39_group *groups, size_t gc, size_t slen,
                      uint8_t e, const char *pass)
{
    uint8_t          secret[SQ_SLIP39_MAX_SECRET_BYTES], out[SQ_SLIP39_MAX_SECRET_BYTES];
    size_t           out_len = 0;
    sq_slip39_set   *set = NULL;
    sq_slip39_detail d;
    const char      *pick[SQ_SLIP39_MAX_SHARES];
    size_t           np = 0;
    size_t           base[SQ_SLIP39_MAX_GROUPS + 1];

    if (gc < 1 || gc > SQ_SLIP39_MAX_GROUPS || slen > sizeof secret) {
        CHECK(!"layout out of range");
        return;
    }
    sq_random_buf(secret, slen);
    if (!CHECK(sq_slip39_split(&set, secret, slen, pass, strlen(pass), gt, groups, gc, e, &d)
               == SQ_OK))
        return;
    base[0] = 0;
    for (size_t g = 0; g < gc; g++)
        base[g + 1] = base[g] + groups[g].member_count;
    CHECK_EQ_INT(sq_slip39_set_count(set), base[gc]);
    /* a random choice of gt groups, and in each a random choice of members */
    {
        uint8_t gperm[SQ_SLIP39_MAX_GROUPS];

        for (size_t g = 0; g < gc && g < sizeof gperm; g++)
            gperm[g] = (uint8_t)g;
        for (size_t g = gc; g > 1; g--) {
            size_t  j = (size_t)sq_random_uniform(g);
            uint8_t t = gperm[g - 1];

            gperm[g - 1] = gperm[j];
            gperm[j] = t;
        }
        for (size_t k = 0; k < gt; k++) {
            size_t  g = gperm[k];
            uint8_t mperm[SQ_SLIP39_MAX_MEMBERS];
            size_t  mc = groups[g].member_count;

            if (g >= SQ_SLIP39_MAX_GROUPS || mc > SQ_SLIP39_MAX_MEMBERS)
                break;
            for (size_t m = 0; m < mc; m++)
                mperm[m] = (uint8_t)m;
            for (size_t m = mc; m > 1; m--) {
                size_t  j = (size_t)sq_random_uniform(m);
                uint8_t t = mperm[m - 1];

                mperm[m - 1] = mperm[j];
                mperm[j] = t;
            }
            for (size_t m = 0; m < groups[g].member_threshold; m++)
                pick[np++] = sq_slip39_set_mnemonic(set, base[g] + mperm[m], NULL, NULL);
        }
    }
    CHECK(combine_strs(out, &out_len, pick, np, pass, &d) == SQ_OK);
    CHECK(out_len == slen && memcmp(out, secret, slen) == 0);
    /* a wrong passphrase gives another secret, silently (by design) */
    if (combine_strs(out, &out_len, pick, np, "wrong", &d) == SQ_OK)
        CHECK(memcmp(out, secret, slen) != 0);
    /* one share fewer in the last group is refused */
    if (np > 0) {
        CHECK(combine_strs(out, &out_len, pick, np - 1, pass, &d) != SQ_OK);
        CHECK(d.problem == SQ_SLIP39_TOO_FEW_MEMBERS || d.problem == SQ_SLIP39_TOO_FEW_GROUPS
              || d.problem == SQ_SLIP39_NO_SHARES);
    }
    sq_slip39_set_free(set);
}

static void
test_roundtrips(void)
{
    sq_slip39_group one = { 1, 1 };
    sq_slip39_group g23 = { 2, 3 };
    sq_slip39_group big[16];
    sq_slip39_group mixed[4] = { { 1, 1 }, { 2, 2 }, { 3, 5 }, { 2, 6 } };

    for (int i = 0; i < 16; i++)
        big[i] = (sq_slip39_group){ 16, 16 };
    test_roundtrip_layout(1, &one, 1, 16, 0, "");
    test_roundtrip_layout(1, &one, 1, 32, 0, "TREZOR");
    test_roundtrip_layout(1, &g23, 1, 16, 1, "");
    test_roundtrip_layout(1, &g23, 1, 64, 0, "a b ~");
    test_roundtrip_layout(2, mixed, 4, 32, 0, "");
    test_roundtrip_layout(3, mixed, 4, 18, 2, "pass");
    test_roundtrip_layout(16, big, 16, 16, 0, "");
    for (int r = 0; r < 12; r++) {
        sq_slip39_group gs[SQ_SLIP39_MAX_GROUPS];
        size_t          gc = 1 + (size_t)sq_random_uniform(5);
        uint8_t         gt = (uint8_t)(1 + sq_random_uniform(gc));

        for (size_t g = 0; g < gc; g++) {
            uint8_t n = (uint8_t)(1 + sq_random_uniform(6));
            uint8_t t = (uint8_t)(n == 1 ? 1 : 2 + sq_random_uniform(n - 1));

            gs[g] = (sq_slip39_group){ t, n };
        }
        test_roundtrip_layout(gt, gs, gc, 16 + 2 * (size_t)sq_random_uniform(9),
                              (uint8_t)sq_random_uniform(2), r % 2 ? "TREZOR" : "");
    }
}

static void
test_layout_refusals(void)
{
    uint8_t          secret[64] = { 0 };
    sq_slip39_set   *set = NULL;
    sq_slip39_detail d;
    sq_slip39_group  g13 = { 1, 3 }, g23 = { 2, 3 }, g32 = { 3, 2 }, g0 = { 0, 1 };

    CHECK(sq_slip39_split(&set, secret, 16, "", 0, 1, &g13, 1, 0, &d) == SQ_ERR_INVALID);
    CHECK(d.problem == SQ_SLIP39_BAD_LAYOUT && set == NULL);
    CHECK(sq_slip39_split(&set, secret, 16, "", 0, 1, &g32, 1, 0, &d) == SQ_ERR_INVALID);
    CHECK(sq_slip39_split(&set, secret, 16, "", 0, 1, &g0, 1, 0, &d) == SQ_ERR_INVALID);
    CHECK(sq_slip39_split(&set, secret, 16, "", 0, 2, &g23, 1, 0, &d) == SQ_ERR_INVALID);
    CHECK(sq_slip39_split(&set, secret, 16, "", 0, 1, &g23, 1, 16, &d) == SQ_ERR_INVALID);
    CHECK(sq_slip39_split(&set, secret, 14, "", 0, 1, &g23, 1, 0, &d) == SQ_ERR_INVALID);
    CHECK(d.problem == SQ_SLIP39_BAD_SECRET);
    CHECK(sq_slip39_split(&set, secret, 17, "", 0, 1, &g23, 1, 0, &d) == SQ_ERR_INVALID);
    CHECK(sq_slip39_split(&set, secret, 66, "", 0, 1, &g23, 1, 0, &d) == SQ_ERR_INVALID);
    CHECK(sq_slip39_split(&set, secret, 16, "caf\xc3\xa9", 5, 1, &g23, 1, 0, &d)
          == SQ_ERR_INVALID);
    CHECK(d.problem == SQ_SLIP39_BAD_PASSPHRASE);
    CHECK(sq_slip39_split(&set, secret, 16, "a\nb", 3, 1, &g23, 1, 0, &d) == SQ_ERR_INVALID);
    CHECK(set == NULL);
}

/* every single-word change of every share is caught by the checksum (or the
 * word list), naming that share and, for an unknown word, that word */
static void
test_word_changes(void)
{
    uint8_t          secret[16], out[64];
    size_t           ol;
    sq_slip39_set   *set = NULL;
    sq_slip39_group  g = { 2, 3 };
    sq_slip39_detail d;
    uint16_t         w[SQ_SLIP39_MAX_WORDS];
    char             bad[SQ_SLIP39_MNEMONIC_CAP];
    const char      *m[3];
    unsigned long    tried = 0, caught = 0;

    sq_random_buf(secret, sizeof secret);
    if (!CHECK(sq_slip39_split(&set, secret, 16, "", 0, 1, &g, 1, 0, &d) == SQ_OK))
        return;
    m[0] = sq_slip39_set_mnemonic(set, 0, NULL, NULL);
    m[1] = sq_slip39_set_mnemonic(set, 1, NULL, NULL);
    m[2] = sq_slip39_set_mnemonic(set, 2, NULL, NULL);
    for (int s = 0; s < 2; s++) {
        size_t n = to_words(w, m[s]);

        CHECK_EQ_INT(n, 20);
        for (size_t pos = 0; pos < n; pos++) {
            uint16_t orig = w[pos];

            /* every other word: RS1024 detects any single-word error */
            for (uint16_t alt = 0; alt < SQ_SLIP39_WORDS; alt++) {
                const char *mm[2];

                if (alt == orig)
                    continue;
                w[pos] = alt;
                from_words(bad, w, n);
                mm[0] = s == 0 ? bad : m[0];
                mm[1] = s == 1 ? bad : m[1];
                tried++;
                if (combine_strs(out, &ol, mm, 2, "", &d) == SQ_ERR_FORMAT
                    && d.problem == SQ_SLIP39_BAD_CHECKSUM && d.share == (unsigned)s + 1)
                    caught++;
            }
            w[pos] = orig;
            /* a word not in the list is named by position */
            {
                char   txt[SQ_SLIP39_MNEMONIC_CAP + 8];
                size_t o = 0;

                for (size_t i = 0; i < n; i++) {
                    char   wd[SQ_SLIP39_WORD_MAX];
                    size_t l = sq_slip39_word_at(wd, w[i]);

                    if (i)
                        txt[o++] = ' ';
                    memcpy(txt + o, wd, l);
                    o += l;
                    if (i == pos)
                        txt[o++] = 'q';   /* no SLIP-0039 word ends in q */
                }
                txt[o] = '\0';
                {
                    const char *mm[2] = { s == 0 ? txt : m[0], s == 1 ? txt : m[1] };

                    CHECK(combine_strs(out, &ol, mm, 2, "", &d) == SQ_ERR_FORMAT);
                    CHECK(d.problem == SQ_SLIP39_BAD_WORD && d.share == (unsigned)s + 1
                          && d.word == pos + 1);
                }
            }
        }
    }
    CHECK(tried == caught);
    CHECK_EQ_INT(tried, 2 * 20 * 1023);
    /* K + 1 shares, the extra one checksum-valid but from another split of
     * the same identifier? Simulate: three genuine shares work ... */
    CHECK(combine_strs(out, &ol, m, 3, "", &d) == SQ_OK && ol == 16
          && memcmp(out, secret, 16) == 0);
    /* ... and a corrupted third share (value changed, checksum recomputed)
     * is named as the one that disagrees */
    {
        size_t         n = to_words(w, m[2]);
        const char    *mm[3] = { m[0], m[1], bad };

        w[10] ^= 1;
        sq_rs1024_create(w + n - 3, w, n - 3, true);
        from_words(bad, w, n);
        CHECK(combine_strs(out, &ol, mm, 3, "", &d) == SQ_ERR_AUTH);
        CHECK(d.problem == SQ_SLIP39_INCONSISTENT && d.share == 3 && d.group == 1);
        /* with the corrupted share among the first K, the digest fails */
        mm[0] = bad;
        mm[2] = m[0];
        CHECK(combine_strs(out, &ol, mm, 3, "", &d) == SQ_ERR_AUTH);
        CHECK(d.problem == SQ_SLIP39_DIGEST_MISMATCH && d.group == 1);
        /* and a checksum-failing one is named by the checksum */
        w[11] ^= 1;
        from_words(bad, w, n);
        CHECK(combine_strs(out, &ol, mm, 3, "", &d) == SQ_ERR_FORMAT);
        CHECK(d.problem == SQ_SLIP39_BAD_CHECKSUM && d.share == 1);
    }
    sq_slip39_set_free(set);
}

/* extendable and non-extendable shares both read; a mixed set is refused;
 * exponents above 5 need allow_slow */
static void
test_ext_and_exponent(void)
{
    uint8_t          out[64];
    size_t           ol, lens[2];
    sq_slip39_detail d;
    /* vector 4 (ext 0) and vector 43 (ext 1) */
    const char      *mixed[2] = { slip39_vectors[3].mnemonics[0], slip39_vectors[42].mnemonics[0] };
    uint16_t         w[SQ_SLIP39_MAX_WORDS];
    char             slow[SQ_SLIP39_MNEMONIC_CAP];
    const char      *ms[1] = { slow };
    size_t           n;

    lens[0] = strlen(mixed[0]);
    lens[1] = strlen(mixed[1]);
    CHECK(sq_slip39_combine(out, &ol, mixed, lens, 2, "TREZOR", 6, false, &d) != SQ_OK);
    CHECK(d.problem == SQ_SLIP39_MIXED_ID || d.problem == SQ_SLIP39_MIXED_EXTENDABLE);
    /* same identifier, flipped ext bit, checksum recomputed for the new flag */
    n = to_words(w, slip39_vectors[3].mnemonics[1]);
    {
        char        flipped[SQ_SLIP39_MNEMONIC_CAP];
        const char *mm[2] = { slip39_vectors[3].mnemonics[0], flipped };

        w[1] ^= 1u << 4;
        sq_rs1024_create(w + n - 3, w, n - 3, true);
        from_words(flipped, w, n);
        CHECK(combine_strs(out, &ol, mm, 2, "TREZOR", &d) == SQ_ERR_INVALID);
        CHECK(d.problem == SQ_SLIP39_MIXED_EXTENDABLE && d.share == 2 && d.other == 1);
    }
    /* exponent 6 on a 1-of-1 share: refused before any work, unless allowed */
    n = to_words(w, slip39_vectors[41].mnemonics[0]);
    w[1] = (uint16_t)((w[1] & ~0xfu) | 6u);
    sq_rs1024_create(w + n - 3, w, n - 3, true);
    from_words(slow, w, n);
    lens[0] = strlen(slow);
    CHECK(sq_slip39_combine(out, &ol, ms, lens, 1, "", 0, false, &d) == SQ_ERR_LIMIT);
    CHECK(d.problem == SQ_SLIP39_SLOW_EXPONENT && d.share == 1 && d.value == 6);
    CHECK(sq_slip39_combine(out, &ol, ms, lens, 1, "", 0, true, &d) == SQ_OK);
    /* the passphrase must be printable ASCII */
    lens[0] = strlen(slip39_vectors[0].mnemonics[0]);
    CHECK(sq_slip39_combine(out, &ol, slip39_vectors[0].mnemonics, lens, 1, "T\x7f", 2, false, &d)
          == SQ_ERR_INVALID && d.problem == SQ_SLIP39_BAD_PASSPHRASE);
    /* more words than any share */
    {
        char big[SQ_SLIP39_MNEMONIC_CAP * 2] = "";

        for (int i = 0; i < 60; i++)
            strcat(big, "academic ");
        lens[0] = strlen(big);
        ms[0] = big;
        CHECK(sq_slip39_combine(out, &ol, ms, lens, 1, "", 0, false, &d) == SQ_ERR_FORMAT);
        CHECK(d.problem == SQ_SLIP39_BAD_LENGTH);
    }
    CHECK(sq_slip39_combine(out, &ol, ms, lens, 0, "", 0, false, &d) == SQ_ERR_INVALID);
    CHECK(d.problem == SQ_SLIP39_NO_SHARES);
}

/* the Feistel cipher inverts, and the salt depends on ext and id */
static void
test_feistel(void)
{
    uint8_t in[32], a[32], b[32], c[32];

    sq_random_buf(in, sizeof in);
    CHECK(sq_slip39_encrypt(a, in, 32, "x", 1, 0, 7, false) == SQ_OK);
    CHECK(sq_slip39_decrypt(b, a, 32, "x", 1, 0, 7, false) == SQ_OK);
    CHECK(memcmp(b, in, 32) == 0);
    CHECK(sq_slip39_encrypt(c, in, 32, "x", 1, 0, 8, false) == SQ_OK);
    CHECK(memcmp(a, c, 32) != 0);
    CHECK(sq_slip39_encrypt(c, in, 32, "x", 1, 0, 7, true) == SQ_OK);
    CHECK(memcmp(a, c, 32) != 0);
    CHECK(sq_slip39_encrypt(b, in, 32, "x", 1, 0, 8, true) == SQ_OK);   /* ext: id unused */
    CHECK(memcmp(b, c, 32) == 0);
    CHECK(sq_slip39_encrypt(c, in, 32, "x", 1, 1, 7, true) == SQ_OK);
    CHECK(memcmp(b, c, 32) != 0);
}

/* A checksum failure names the one mistyped word's position (each
 * position of a 20- and a 33-word share), and none when two are wrong. */
static void
test_checksum_location(void)
{
    static const size_t lens[2] = { 16, 32 };

    for (int k = 0; k < 2; k++) {
        uint8_t          secret[32];
        sq_slip39_group  g = { 2, 3 };
        sq_slip39_set   *set = NULL;
        sq_slip39_share  sh;
        sq_slip39_detail d;
        uint16_t         w[SQ_SLIP39_MAX_WORDS], bad[SQ_SLIP39_MAX_WORDS];
        size_t           n;

        sq_random_buf(secret, lens[k]);
        CHECK_EQ_INT(sq_slip39_split(&set, secret, lens[k], "", 0, 1, &g, 1, 0, NULL), SQ_OK);
        n = to_words(w, sq_slip39_set_mnemonic(set, 1, NULL, NULL));
        CHECK_EQ_INT(n, lens[k] == 16 ? 20 : 33);
        for (size_t i = 0; i < n; i++) {
            memcpy(bad, w, sizeof bad);
            bad[i] = (uint16_t)((bad[i] + 1 + sq_random_uniform(1023)) & 0x3ff);
            CHECK_EQ_INT(sq_slip39_share_decode(&sh, bad, n, &d), SQ_ERR_FORMAT);
            if (!CHECK(d.problem == SQ_SLIP39_BAD_CHECKSUM && d.word == i + 1))
                fprintf(stderr, "  word %zu: located %u\n", i + 1, d.word);
            /* a second wrong word: no single position can be named */
            size_t j = (i + 1 + sq_random_uniform(n - 1)) % n;
            bad[j] ^= 1;
            CHECK_EQ_INT(sq_slip39_share_decode(&sh, bad, n, &d), SQ_ERR_FORMAT);
            CHECK(d.problem == SQ_SLIP39_BAD_CHECKSUM && d.word == 0);
        }
        sq_slip39_set_free(set);
    }
}

/* FORMAT.md 17: the seeded split is reproducible, a larger member count
 * keeps the earlier shares, its random values are the keystream bytes at
 * the documented offsets (the first member's share of a 3-of-n group is
 * the stream's first n bytes), and the shares combine to the secret. */
static void
test_seeded_split(void)
{
    uint8_t          secret[32], seed[32], out[64];
    size_t           out_len = 0;
    sq_slip39_group  g3[2] = { { 3, 4 }, { 2, 2 } }, g5[2] = { { 3, 6 }, { 2, 2 } };
    sq_slip39_set   *a = NULL, *b = NULL, *c = NULL;
    sq_slip39_share  sh;

    sq_random_buf(secret, sizeof secret);
    sq_random_buf(seed, sizeof seed);
    CHECK_EQ_INT(sq_slip39_split_seeded(&a, secret, 32, 12345, 2, g3, 2, 0, seed, NULL), SQ_OK);
    CHECK_EQ_INT(sq_slip39_split_seeded(&b, secret, 32, 12345, 2, g3, 2, 0, seed, NULL), SQ_OK);
    CHECK_EQ_INT(sq_slip39_split_seeded(&c, secret, 32, 12345, 2, g5, 2, 0, seed, NULL), SQ_OK);
    CHECK_EQ_INT(sq_slip39_set_count(a), 6);
    CHECK_EQ_INT(sq_slip39_set_count(c), 8);
    for (size_t i = 0; i < 6; i++)
        CHECK(strcmp(sq_slip39_set_mnemonic(a, i, NULL, NULL), sq_slip39_set_mnemonic(b, i, NULL, NULL)) == 0);
    for (size_t i = 0; i < 4; i++)          /* group 1's first four, then group 2 */
        CHECK(strcmp(sq_slip39_set_mnemonic(a, i, NULL, NULL), sq_slip39_set_mnemonic(c, i, NULL, NULL)) == 0);
    for (size_t i = 4; i < 6; i++)
        CHECK(strcmp(sq_slip39_set_mnemonic(a, i, NULL, NULL), sq_slip39_set_mnemonic(c, i + 2, NULL, NULL)) == 0);
    /* keystream layout: group 0 (stream 0), member 0 = bytes [0, 32) */
    {
        uint8_t nonce[12] = { 's', 'a', 'n', 'd', 'y', 'q', '-', 's', '3', '9', 0, 0 };
        uint8_t ks[32];
        memset(ks, 0, sizeof ks);
        crypto_stream_chacha20_ietf(ks, sizeof ks, nonce, seed);
        const char *m0 = sq_slip39_set_mnemonic(a, 0, NULL, NULL);
        CHECK_EQ_INT(sq_slip39_share_parse(&sh, m0, strlen(m0), NULL), SQ_OK);
        CHECK(sh.value_len == 32 && memcmp(sh.value, ks, 32) == 0 && sh.id == 12345 && sh.extendable == 1);
        sq_slip39_share_wipe(&sh);
    }
    /* members 4 and 5 of c (new) with member 0 of a, and group 2: the secret */
    {
        const char *m[5] = { sq_slip39_set_mnemonic(a, 0, NULL, NULL), sq_slip39_set_mnemonic(c, 4, NULL, NULL),
                             sq_slip39_set_mnemonic(c, 5, NULL, NULL), sq_slip39_set_mnemonic(c, 6, NULL, NULL),
                             sq_slip39_set_mnemonic(c, 7, NULL, NULL) };
        size_t l[5];
        for (int i = 0; i < 5; i++)
            l[i] = strlen(m[i]);
        CHECK_EQ_INT(sq_slip39_combine(out, &out_len, m, l, 5, "", 0, false, NULL), SQ_OK);
        CHECK(out_len == 32 && memcmp(out, secret, 32) == 0);
    }
    /* another seed: other shares; an id of 16 bits: refused */
    seed[0] ^= 1;
    sq_slip39_set_free(b);
    CHECK_EQ_INT(sq_slip39_split_seeded(&b, secret, 32, 12345, 2, g3, 2, 0, seed, NULL), SQ_OK);
    CHECK(strcmp(sq_slip39_set_mnemonic(a, 0, NULL, NULL), sq_slip39_set_mnemonic(b, 0, NULL, NULL)) != 0);
    sq_slip39_set_free(b);
    CHECK_EQ_INT(sq_slip39_split_seeded(&b, secret, 32, 0x8000, 2, g3, 2, 0, seed, NULL), SQ_ERR_INVALID);
    CHECK(b == NULL);
    /* share_text gives back the canonical mnemonic */
    {
        char        t[SQ_SLIP39_MNEMONIC_CAP];
        const char *m2 = sq_slip39_set_mnemonic(a, 2, NULL, NULL);
        CHECK_EQ_INT(sq_slip39_share_parse(&sh, m2, strlen(m2), NULL), SQ_OK);
        CHECK_EQ_INT(sq_slip39_share_text(t, &sh), SQ_OK);
        CHECK(strcmp(t, m2) == 0);
        sh.member_index = 16;
        CHECK_EQ_INT(sq_slip39_share_text(t, &sh), SQ_ERR_INVALID);
        sq_slip39_share_wipe(&sh);
    }
    sq_slip39_set_free(a);
    sq_slip39_set_free(c);
}

int
main(void)
{
    sq_test_init("slip39");
    test_checksum_location();
    test_seeded_split();
    test_wordlist();
    test_vectors();
    test_feistel();
    test_layout_refusals();
    test_ext_and_exponent();
    test_word_changes();
    test_roundtrips();
    return sq_test_done();
}
