/* sha256.h: SHA-256 through OpenSSL's libcrypto (SHA-NI: ~5x libsodium's
 * portable code here). Used for the intake hash of documents. */
#ifndef SQ_CRYPTO_SHA256_H
#define SQ_CRYPTO_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SQ_SHA256_BYTES 32

typedef struct sq_sha256 sq_sha256;

/* sq_sha256_new: a fresh hashing state, or NULL if memory is short. */
sq_sha256 *sq_sha256_new(void);
void       sq_sha256_update(sq_sha256 *h, const void *p, size_t len);
/* sq_sha256_final: writes the digest; the state is then reset to empty and
 * may be reused. */
void       sq_sha256_final(sq_sha256 *h, uint8_t out[SQ_SHA256_BYTES]);
/* sq_sha256_free: NULL is ignored. */
void       sq_sha256_free(sq_sha256 *h);
void       sq_sha256_oneshot(uint8_t out[SQ_SHA256_BYTES], const void *p, size_t len);

#endif
