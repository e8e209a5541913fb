/* testlib.h: a minimal harness for unit tests. CHECK records a failure and
 * goes on; sq_test_done() prints "N passed, N failed" and returns the exit
 * code. A test that checked nothing fails. */
#ifndef SQ_TESTLIB_H
#define SQ_TESTLIB_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

extern unsigned long sq_test_passed, sq_test_failed;

#define CHECK(cond) sq_test_check((cond), #cond, __FILE__, __LINE__)
#define CHECK_EQ_INT(a, b) sq_test_check_int((long long)(a), (long long)(b), #a " == " #b, __FILE__, __LINE__)

bool sq_test_check(bool ok, const char *what, const char *file, int line);
bool sq_test_check_int(long long a, long long b, const char *what, const char *file, int line);
/* sq_test_init: sodium_init, deterministic randomness seeded from the test name. */
void sq_test_init(const char *name);
int  sq_test_done(void);
/* sq_test_tmpdir: a fresh folder under $SQ_TMP (or /tmp), removed by the caller. */
const char *sq_test_tmpdir(void);
/* sq_test_hex: decode hex into out (exact length), aborts on bad input. */
void sq_test_hex(uint8_t *out, size_t out_len, const char *hex);

#endif
