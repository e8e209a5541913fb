/* unlock_timing.c: the slot-check phase of unlock (sq_slot_scan: the
 * commitment of all 64 slots of one area, then the AEAD of committed
 * matches) with the matching slot at index 0, 31, 63, and with no match
 * (a wrong passphrase, not a vault, a damaged area). Prints the median of
 * many runs per case and the spread between the no-match case and each
 * match position, and the largest spread over all four cases. A benchmark,
 * not a test: it reports, it does not gate.
 * The KDF before this phase is the same Argon2id run in every case. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <time.h>

#include "vault/slots.h"

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double
now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

int
main(int argc, char **argv)
{
    static sq_header     h[4];
    static sq_slot_plain plains[SQ_SLOT_COUNT];
    const int            positions[4] = {0, 31, 63, -1};
    const char          *labels[4] = {"match at slot 0", "match at slot 31", "match at slot 63", "no match"};
    uint8_t              a[32];
    int                  runs = argc > 1 ? atoi(argv[1]) : 3000;
    double              *t = malloc(sizeof *t * (size_t)runs), med[4];
    bool                 found[SQ_SLOT_COUNT];

    if (sodium_init() < 0 || t == NULL)
        return 1;
    randombytes_buf(a, sizeof a);
    for (int c = 0; c < 4; c++) {
        sq_slot_plain p;
        randombytes_buf(h[c].bytes, sizeof h[c].bytes);   /* unused slots: random */
        randombytes_buf(&p, sizeof p);
        if (positions[c] >= 0) {
            uint8_t kek[32], kcmt[32];
            sq_slot_keys(kek, kcmt, a, sq_header_salt(&h[c], 0), (unsigned)positions[c]);
            sq_slot_wrap(sq_header_slot(&h[c], 0, (unsigned)positions[c]), &p, kek, kcmt,
                         sq_header_salt(&h[c], 0), (unsigned)positions[c]);
        }
    }
    /* interleave the cases so drift of a shared machine hits them alike */
    double *all[4];
    for (int c = 0; c < 4; c++)
        all[c] = malloc(sizeof(double) * (size_t)runs);
    for (int r = 0; r < runs; r++)
        for (int c = 0; c < 4; c++) {
            double t0 = now_us();
            unsigned n = sq_slot_scan(plains, found, &h[c], 0, a);
            all[c][r] = now_us() - t0;
            if ((positions[c] >= 0) != (n == 1))
                return 2;                  /* the scan did not find what it should */
        }
    printf("slot-check phase (one area, 64 slots), median of %d runs, microseconds\n", runs);
    for (int c = 0; c < 4; c++) {
        memcpy(t, all[c], sizeof *t * (size_t)runs);
        qsort(t, (size_t)runs, sizeof *t, cmp_double);
        med[c] = t[runs / 2];
    }
    for (int c = 0; c < 4; c++)
        printf("  %-18s %8.2f us  (%+.2f%% vs no match)\n", labels[c], med[c],
               100.0 * (med[c] - med[3]) / med[3]);
    double lo = med[0], hi = med[0];
    for (int c = 1; c < 3; c++) {
        lo = med[c] < lo ? med[c] : lo;
        hi = med[c] > hi ? med[c] : hi;
    }
    printf("spread among match positions: %.2f%%\n", 100.0 * (hi - lo) / lo);
    lo = med[3] < lo ? med[3] : lo;
    hi = med[3] > hi ? med[3] : hi;
    printf("spread over all four cases: %.2f%% (target < 1%%)\n", 100.0 * (hi - lo) / lo);
    printf("note: with no commitment matched the scan still runs one (failing) AEAD open, so the\n"
           "      no-match case (a wrong passphrase) costs what a single match costs.\n");
    for (int c = 0; c < 4; c++)
        free(all[c]);
    free(t);
    return 0;
}
