/* hasher.c: see hasher.h. */
#include "crypto/hasher.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/sha256.h"

struct sq_hasher {
    pthread_t       thread;
    pthread_mutex_t mu;
    pthread_cond_t  cv;
    sq_sha256      *sha;
    const uint8_t  *buf[SQ_HASHER_QUEUE];
    size_t          len[SQ_HASHER_QUEUE];
    uint64_t        submitted, done;
    bool            stop;
};

static void *
hasher_main(void *arg)
{
    sq_hasher *h = arg;

    pthread_mutex_lock(&h->mu);
    for (;;) {
        while (h->done == h->submitted && !h->stop)
            pthread_cond_wait(&h->cv, &h->mu);
        if (h->done == h->submitted && h->stop)
            break;
        unsigned       slot = (unsigned)(h->done % SQ_HASHER_QUEUE);
        const uint8_t *b = h->buf[slot];
        size_t         n = h->len[slot];
        pthread_mutex_unlock(&h->mu);
        sq_sha256_update(h->sha, b, n);        /* outside the lock: the point of the thread */
        pthread_mutex_lock(&h->mu);
        h->done++;
        pthread_cond_broadcast(&h->cv);
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

sq_hasher *
sq_hasher_start(void)
{
    sq_hasher *h = calloc(1, sizeof *h);

    if (h == NULL)
        return NULL;
    if ((h->sha = sq_sha256_new()) == NULL) {
        free(h);
        return NULL;
    }
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->cv, NULL);
    if (pthread_create(&h->thread, NULL, hasher_main, h) != 0) {
        sq_sha256_free(h->sha);
        pthread_mutex_destroy(&h->mu);
        pthread_cond_destroy(&h->cv);
        free(h);
        return NULL;
    }
    return h;
}

void
sq_hasher_submit(sq_hasher *h, const uint8_t *buf, size_t len)
{
    pthread_mutex_lock(&h->mu);
    while (h->submitted - h->done >= SQ_HASHER_QUEUE)
        pthread_cond_wait(&h->cv, &h->mu);
    h->buf[h->submitted % SQ_HASHER_QUEUE] = buf;
    h->len[h->submitted % SQ_HASHER_QUEUE] = len;
    h->submitted++;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
}

void
sq_hasher_wait(sq_hasher *h, uint64_t n)
{
    pthread_mutex_lock(&h->mu);
    while (h->done < n)
        pthread_cond_wait(&h->cv, &h->mu);
    pthread_mutex_unlock(&h->mu);
}

static void
hasher_stop(sq_hasher *h)
{
    pthread_mutex_lock(&h->mu);
    h->stop = true;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    pthread_join(h->thread, NULL);
    pthread_mutex_destroy(&h->mu);
    pthread_cond_destroy(&h->cv);
}

void
sq_hasher_finish(sq_hasher *h, uint8_t out[32])
{
    hasher_stop(h);
    sq_sha256_final(h->sha, out);
    sq_sha256_free(h->sha);
    free(h);
}

void
sq_hasher_free(sq_hasher *h)
{
    if (h == NULL)
        return;
    hasher_stop(h);
    sq_sha256_free(h->sha);
    free(h);
}
