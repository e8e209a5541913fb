/* nonce_log.c: appends (key, nonce) fingerprints in instrumented builds. */
#include "crypto/nonce_log.h"

#if defined(SQ_NONCE_LOG) && SQ_NONCE_LOG

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static int             log_fd = -1;     /* opened on first use */
static bool            log_off;         /* no SANDYQ_NONCE_LOG in the environment */
static atomic_int      suspended;

void
sq_nonce_log_suspend(bool suspend)
{
    atomic_store(&suspended, suspend ? 1 : 0);
}

void
sq_nonce_log_use(const uint8_t *key, size_t key_len, const uint8_t *nonce, size_t nonce_len)
{
    crypto_generichash_state st;
    uint8_t                  rec[SQ_NONCE_LOG_RECORDBYTES];
    ssize_t                  w;

    if (atomic_load(&suspended))
        return;
    /* unkeyed: the record must be the same for equal pairs across processes;
     * this is a test build, its log holds no more than fingerprints */
    crypto_generichash_init(&st, NULL, 0, sizeof rec);
    crypto_generichash_update(&st, key, key_len);
    crypto_generichash_update(&st, nonce, nonce_len);
    crypto_generichash_final(&st, rec, sizeof rec);
    sodium_memzero(&st, sizeof st);
    pthread_mutex_lock(&log_lock);
    if (log_fd < 0 && !log_off) {
        const char *path = getenv("SANDYQ_NONCE_LOG");

        if (path == NULL || *path == '\0')
            log_off = true;
        else if ((log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) < 0)
            abort();                    /* a silent gap would let a reuse pass */
    }
    if (log_fd >= 0) {
        do {
            w = write(log_fd, rec, sizeof rec);   /* one write: records never interleave */
        } while (w < 0 && errno == EINTR);
        if (w != (ssize_t)sizeof rec)
            abort();
    }
    pthread_mutex_unlock(&log_lock);
}

#else

/* ISO C forbids an empty translation unit */
typedef int sq_nonce_log_unused;

#endif
