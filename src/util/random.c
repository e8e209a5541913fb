/* random.c: randombytes_buf, or a seeded ChaCha20 stream for tests. */
#include "util/random.h"

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define SQ_CHACHA_BLOCK 64u

static pthread_mutex_t test_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_bool     test_mode;          /* set once; production never sets it */
static uint8_t         test_key[crypto_stream_chacha20_KEYBYTES];
static uint64_t        test_block;         /* next unused ChaCha20 block */

void
sq_random_set_test_seed(const uint8_t seed[32])
{
    pthread_mutex_lock(&test_lock);
    memcpy(test_key, seed, sizeof test_key);
    test_block = 0;
    atomic_store(&test_mode, true);
    pthread_mutex_unlock(&test_lock);
}

static void
test_stream(uint8_t *buf, size_t len)
{
    static const uint8_t nonce[crypto_stream_chacha20_NONCEBYTES]; /* zero: the key is per test */
    uint64_t blocks;

    pthread_mutex_lock(&test_lock);
    blocks = (uint64_t)(len / SQ_CHACHA_BLOCK) + (len % SQ_CHACHA_BLOCK != 0);
    /* 2^64 blocks is 2^70 bytes: a test never gets there, but wrapping would
     * repeat the stream, so refuse rather than repeat. */
    if (test_block > UINT64_MAX - blocks)
        abort();
    memset(buf, 0, len);
    crypto_stream_chacha20_xor_ic(buf, buf, (unsigned long long)len, nonce, test_block, test_key);
    test_block += blocks;                  /* a partial last block is discarded, never reused */
    pthread_mutex_unlock(&test_lock);
}

/* Large requests (filler for free space, scrub, padding) are expanded in
 * user space: a fresh 256-bit key from the kernel per call, then the
 * ChaCha20 keystream under it (a CSPRNG as good as getrandom's own, and
 * several times faster than asking the kernel for megabytes). */
#define SQ_RANDOM_EXPAND_MIN 4096

void
sq_random_buf(void *buf, size_t len)
{
    if (len == 0)
        return;
    if (atomic_load(&test_mode)) {
        test_stream(buf, len);
    } else if (len < SQ_RANDOM_EXPAND_MIN) {
        randombytes_buf(buf, len);
    } else {
        static const uint8_t nonce[crypto_stream_chacha20_NONCEBYTES]; /* zero: the key is fresh */
        uint8_t key[crypto_stream_chacha20_KEYBYTES];
        randombytes_buf(key, sizeof key);
        crypto_stream_chacha20(buf, (unsigned long long)len, nonce, key);
        sodium_memzero(key, sizeof key);
    }
}

uint64_t
sq_random_uniform(uint64_t upper)
{
    uint64_t min, r;

    if (upper == 0)
        abort();                           /* misuse: empty range */
    if (upper == 1)
        return 0;
    /* 2^64 mod upper: values below it would make the low residues more likely */
    min = (0 - upper) % upper;
    for (;;) {
        sq_random_buf(&r, sizeof r);
        if (r >= min)
            return r % upper;
    }
}
