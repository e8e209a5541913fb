/* random.h: the one source of randomness in libsandyq.
 *
 * Production: libsodium's randombytes_buf. Tests: sq_random_set_test_seed
 * switches the whole process to a deterministic ChaCha20 stream, so a test run
 * (and the nonce-reuse log it produces) can be replayed exactly. */
#ifndef SQ_UTIL_RANDOM_H
#define SQ_UTIL_RANDOM_H

#include <stddef.h>
#include <stdint.h>

/* sq_random_buf: fills buf with len random bytes. Never fails. */
void sq_random_buf(void *buf, size_t len);

/* sq_random_uniform: a uniform value in [0, upper), without modulo bias
 * (rejection sampling). upper == 0 is misuse: abort(). */
uint64_t sq_random_uniform(uint64_t upper);

/* sq_random_set_test_seed: tests only. From now on every sq_random_buf call
 * returns the next bytes of ChaCha20(key = seed, nonce = 0) from a 64-bit
 * block counter that only advances, so no output block is ever repeated.
 * Thread-safe. */
void sq_random_set_test_seed(const uint8_t seed[32]);

#endif
