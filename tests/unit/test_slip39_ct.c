/* test_slip39_ct.c: SLIP-0039 split and combine under valgrind memcheck with
 * every secret marked undefined: the master secret, the random coefficients
 * (marked inside the library), the share values, the encrypted master
 * secret and Feistel halves that derive from them, secret words and word
 * indexes. Memcheck reports any branch or memory address that depends on an
 * undefined value, so zero errors means no secret-dependent jump or table
 * read, apart from the verdicts declassified in src/share/ct.h (checksum
 * valid, word in the list, padding zero, digest match, extra share agrees).
 *
 * The binary re-runs itself under valgrind when it is not already; in a
 * sanitizer build (ASan and valgrind do not mix) or without valgrind it
 * says so and checks only that the code runs. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sandyq/slip39.h"
#include "share/ct.h"
#include "share/gf256.h"
#include "share/rs1024.h"
#include "share/wordlist.h"
#include "testlib.h"
#include "util/random.h"

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif

#ifdef SQ_CT_HAVE_VALGRIND
#define ERRORS() ((unsigned long)VALGRIND_COUNT_ERRORS)
#define ON_VALGRIND() (RUNNING_ON_VALGRIND != 0)
#else
#define ERRORS() 0ul
#define ON_VALGRIND() false
#endif

static unsigned long errors_before;

static void
step_begin(void)
{
    errors_before = ERRORS();
}

static void
step_end(const char *what)
{
    unsigned long e = ERRORS() - errors_before;

    if (!CHECK(e == 0))
        fprintf(stderr, "  %s: %lu secret-dependent branch(es) or address(es)\n", what, e);
}

static void
test_primitives(void)
{
    uint8_t  a = 0x53, b = 0xca, r;
    char     word[8] = { 's', 'a', 't', 'o', 's', 'h', 'i', 0 };
    uint16_t idx = 0, w[20];
    char     out[SQ_SLIP39_WORD_MAX];
    size_t   l;
    bool     ok;

    step_begin();
    SQ_CT_SECRET(&a, 1);
    SQ_CT_SECRET(&b, 1);
    r = sq_gf256_mul(a, b);
    r = sq_gf256_inv(r);
    SQ_CT_DECLASSIFY(&r, 1);
    step_end("gf256");
    CHECK(r == 1);

    step_begin();
    SQ_CT_SECRET(word, 7);
    ok = sq_slip39_word_index(&idx, word, 7);
    l = sq_slip39_word_at(out, idx);
    SQ_CT_DECLASSIFY(&idx, sizeof idx);
    SQ_CT_DECLASSIFY(&l, sizeof l);
    SQ_CT_DECLASSIFY(out, sizeof out);
    step_end("word list");
    CHECK(ok && l == 7 && memcmp(out, "satoshi", 7) == 0);

    step_begin();
    for (int i = 0; i < 17; i++)
        w[i] = (uint16_t)(i * 61);
    SQ_CT_SECRET(w, sizeof w);
    sq_rs1024_create(w + 17, w, 17, true);
    ok = sq_rs1024_verify(w, 20, true);
    step_end("rs1024");
    CHECK(ok);
}

static void
test_split_combine(void)
{
    uint8_t          secret[32], out[SQ_SLIP39_MAX_SECRET_BYTES];
    size_t           out_len = 0;
    sq_slip39_group  groups[2] = { { 2, 3 }, { 1, 1 } };
    sq_slip39_set   *set = NULL;
    sq_slip39_share  sh[3];
    sq_slip39_detail d;
    sq_err           e;
    const size_t     pick[3] = { 0, 2, 3 };   /* members 1 and 3 of group 1, group 2 */

    sq_random_buf(secret, sizeof secret);
    step_begin();
    SQ_CT_SECRET(secret, sizeof secret);
    e = sq_slip39_split(&set, secret, sizeof secret, "TREZOR", 6, 2, groups, 2, 0, &d);
    step_end("split");
    if (!CHECK(e == SQ_OK))
        return;
    SQ_CT_DECLASSIFY(secret, sizeof secret);
    /* the mnemonics are printed: public from here */
    for (size_t i = 0; i < sq_slip39_set_count(set); i++)
        SQ_CT_DECLASSIFY(sq_slip39_set_mnemonic(set, i, NULL, NULL), SQ_SLIP39_MNEMONIC_CAP);
    for (size_t i = 0; i < 3; i++) {
        const char *m = sq_slip39_set_mnemonic(set, pick[i], NULL, NULL);

        CHECK(sq_slip39_share_parse(&sh[i], m, strlen(m), &d) == SQ_OK);
        SQ_CT_SECRET(sh[i].value, sizeof sh[i].value);
    }
    step_begin();
    e = sq_slip39_combine_shares(out, &out_len, sh, 3, "TREZOR", 6, false, &d);
    SQ_CT_DECLASSIFY(out, sizeof out);
    step_end("combine");
    CHECK(e == SQ_OK && out_len == sizeof secret && memcmp(out, secret, sizeof secret) == 0);

    /* decoding words whose value part is secret: only the checksum and
     * padding verdicts are declassified */
    {
        uint16_t        w[SQ_SLIP39_MAX_WORDS];
        size_t          n = 0;
        char            buf[SQ_SLIP39_MNEMONIC_CAP];
        char           *save = NULL;
        sq_slip39_share one;

        snprintf(buf, sizeof buf, "%s", sq_slip39_set_mnemonic(set, 0, NULL, NULL));
        for (char *t = strtok_r(buf, " ", &save); t != NULL; t = strtok_r(NULL, " ", &save))
            CHECK(sq_slip39_word_index(&w[n++], t, strlen(t)));
        step_begin();
        SQ_CT_SECRET(w + 4, (n - 7) * sizeof w[0]);
        e = sq_slip39_share_decode(&one, w, n, &d);
        SQ_CT_DECLASSIFY(&one, sizeof one);
        step_end("decode");
        CHECK(e == SQ_OK && one.member_threshold == 2 && one.value_len == sizeof secret);
        sq_slip39_share_wipe(&one);
    }
    for (size_t i = 0; i < 3; i++)
        sq_slip39_share_wipe(&sh[i]);
    sq_slip39_set_free(set);
}

int
main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
#if defined(SANITIZED) || !defined(SQ_CT_HAVE_VALGRIND)
    fprintf(stderr, "test_slip39_ct: sanitizer build or no valgrind headers: "
                    "running without memcheck (no constant-time verdict)\n");
#else
    if (!ON_VALGRIND() && getenv("SQ_CT_NO_VALGRIND") == NULL) {
        char self[4096];
        ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);

        if (n > 0) {
            self[n] = '\0';
            execlp("valgrind", "valgrind", "-q", "--error-exitcode=99", self, (char *)NULL);
        }
        fprintf(stderr, "test_slip39_ct: valgrind not found: running without memcheck\n");
    }
#endif
    sq_test_init("slip39_ct");
    sq_ct_marking = true;            /* the library's own marks, for this test only */
    test_primitives();
    test_split_combine();
    return sq_test_done();
}
