#include "testlib.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "util/random.h"

unsigned long sq_test_passed, sq_test_failed;
static char   tmpdir[4096];

bool
sq_test_check(bool ok, const char *what, const char *file, int line)
{
    if (ok) {
        sq_test_passed++;
    } else {
        sq_test_failed++;
        fprintf(stderr, "FAIL %s:%d: %s\n", file, line, what);
    }
    return ok;
}

bool
sq_test_check_int(long long a, long long b, const char *what, const char *file, int line)
{
    if (a != b)
        fprintf(stderr, "     %lld != %lld\n", a, b);
    return sq_test_check(a == b, what, file, line);
}

void
sq_test_init(const char *name)
{
    uint8_t seed[32];

    if (sodium_init() < 0)
        abort();
    crypto_generichash(seed, sizeof seed, (const uint8_t *)name, strlen(name), NULL, 0);
    sq_random_set_test_seed(seed);
}

int
sq_test_done(void)
{
    if (sq_test_passed + sq_test_failed == 0) {
        fprintf(stderr, "no checks ran\n");
        sq_test_failed = 1;
    }
    printf("%lu passed, %lu failed\n", sq_test_passed, sq_test_failed);
    return sq_test_failed == 0 ? 0 : 1;
}

const char *
sq_test_tmpdir(void)
{
    const char *base = getenv("SQ_TMP");

    snprintf(tmpdir, sizeof tmpdir, "%s/sqtest.XXXXXX", base ? base : "/tmp");
    if (mkdtemp(tmpdir) == NULL)
        abort();
    return tmpdir;
}

void
sq_test_hex(uint8_t *out, size_t out_len, const char *hex)
{
    size_t bin_len = 0;

    if (sodium_hex2bin(out, out_len, hex, strlen(hex), NULL, &bin_len, NULL) != 0 ||
        bin_len != out_len)
        abort();
}
