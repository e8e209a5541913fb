/* nonce_log.h: the instrumented build's (key, nonce) reuse detector.
 *
 * Built with -DSQ_NONCE_LOG=1 (CMake SANDYQ_NONCE_LOG), every encryption
 * appends a 16-byte record BLAKE2b-128(key || nonce) to the file named by
 * $SANDYQ_NONCE_LOG (O_APPEND, one write per record, so parallel tests share
 * one file); the suite then fails on any repeated record. Known-answer tests
 * reuse published (key, nonce) pairs on purpose and suspend logging around
 * them. In normal builds both functions are empty. */
#ifndef SQ_CRYPTO_NONCE_LOG_H
#define SQ_CRYPTO_NONCE_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SQ_NONCE_LOG_RECORDBYTES 16

#if defined(SQ_NONCE_LOG) && SQ_NONCE_LOG
void sq_nonce_log_use(const uint8_t *key, size_t key_len, const uint8_t *nonce, size_t nonce_len);
void sq_nonce_log_suspend(bool suspend);
#else
static inline void
sq_nonce_log_use(const uint8_t *key, size_t key_len, const uint8_t *nonce, size_t nonce_len)
{
    (void)key;
    (void)key_len;
    (void)nonce;
    (void)nonce_len;
}

static inline void
sq_nonce_log_suspend(bool suspend)
{
    (void)suspend;
}
#endif

#endif
