/* hasher.h: SHA-256 on a second thread, so hashing overlaps reading and
 * encrypting on a two-core laptop (BRIEF: read, hash and encrypt overlapped).
 * Buffers are hashed in submission order; a submitted buffer must stay
 * unchanged until sq_hasher_wait says it was consumed. */
#ifndef SQ_CRYPTO_HASHER_H
#define SQ_CRYPTO_HASHER_H

#include <stddef.h>
#include <stdint.h>

#include "sandyq/error.h"

#define SQ_HASHER_QUEUE 4

typedef struct sq_hasher sq_hasher;

/* sq_hasher_start: NULL on failure (no memory, no thread). */
sq_hasher *sq_hasher_start(void);
/* sq_hasher_submit: queue buf (blocks while SQ_HASHER_QUEUE are pending). */
void       sq_hasher_submit(sq_hasher *h, const uint8_t *buf, size_t len);
/* sq_hasher_wait: block until the first n submissions were hashed. */
void       sq_hasher_wait(sq_hasher *h, uint64_t n);
/* sq_hasher_finish: hash everything submitted, write the digest, stop the
 * thread and free h. */
void       sq_hasher_finish(sq_hasher *h, uint8_t out[32]);
/* sq_hasher_free: stop (after the pending buffers) and free without a digest; NULL ok. */
void       sq_hasher_free(sq_hasher *h);

#endif
