/* sq-nonce-check: fails on a repeated (key, nonce) pair.
 *
 *   sq-nonce-check LOG [MIN_RECORDS]
 *
 * LOG is what a -DSANDYQ_NONCE_LOG=ON build appended to $SANDYQ_NONCE_LOG
 * during a test run: one 16-byte BLAKE2b-128(key || nonce) per encryption,
 * seal or wrap (src/crypto/nonce_log.h). Sorts the records and reports every
 * value seen twice. Exit 0: no repeat and at least MIN_RECORDS (default 1000)
 * records, so a run whose logging silently did nothing cannot pass; 1: a
 * repeat or too few records; 2: usage or I/O error. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crypto/nonce_log.h"

#define REC SQ_NONCE_LOG_RECORDBYTES

static int
cmp_rec(const void *a, const void *b)
{
    return memcmp(a, b, REC);
}

int
main(int argc, char **argv)
{
    FILE         *f;
    struct stat   st;
    uint8_t      *recs;
    size_t        n, repeats = 0;
    unsigned long min = 1000;

    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: sq-nonce-check LOG [MIN_RECORDS]\n");
        return 2;
    }
    if (argc == 3)
        min = strtoul(argv[2], NULL, 10);
    if ((f = fopen(argv[1], "rb")) == NULL || fstat(fileno(f), &st) != 0) {
        fprintf(stderr, "sq-nonce-check: cannot read %s\n", argv[1]);
        return 2;
    }
    if (st.st_size % REC != 0) {
        fprintf(stderr, "sq-nonce-check: %s is not a whole number of records\n", argv[1]);
        return 2;
    }
    n = (size_t)st.st_size / REC;
    if ((recs = malloc(n * REC + 1)) == NULL || fread(recs, REC, n, f) != n) {
        fprintf(stderr, "sq-nonce-check: cannot read %s\n", argv[1]);
        return 2;
    }
    fclose(f);
    qsort(recs, n, REC, cmp_rec);
    for (size_t i = 1; i < n; i++) {
        if (memcmp(recs + (i - 1) * REC, recs + i * REC, REC) != 0)
            continue;
        if (repeats++ < 20) {
            printf("sq-nonce-check: repeated (key, nonce) fingerprint ");
            for (int k = 0; k < REC; k++)
                printf("%02x", recs[i * REC + k]);
            printf("\n");
        }
    }
    free(recs);
    printf("sq-nonce-check: %zu (key, nonce) pairs, %zu repeated\n", n, repeats);
    if (n < min) {
        printf("sq-nonce-check: fewer than %lu records: was the build instrumented?\n", min);
        return 1;
    }
    return repeats == 0 ? 0 : 1;
}
