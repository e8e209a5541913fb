/* pbkdf2.h: PBKDF2 (RFC 8018) with HMAC-SHA256 as the PRF, on libsodium's
 * crypto_auth_hmacsha256. SLIP-0039 uses it as its Feistel round function. */
#ifndef SQ_CRYPTO_PBKDF2_H
#define SQ_CRYPTO_PBKDF2_H

#include <stddef.h>
#include <stdint.h>

#include "sandyq/error.h"

/* sq_pbkdf2_sha256: out[0..out_len) = PBKDF2-HMAC-SHA256(pass, salt, iter).
 * iter >= 1, out_len <= 32 * (2^32 - 1), else SQ_ERR_INVALID (out zeroed). */
sq_err sq_pbkdf2_sha256(uint8_t *out, size_t out_len, const uint8_t *pass, size_t pass_len,
                        const uint8_t *salt, size_t salt_len, uint64_t iter);

#endif
