/* hkdf.h: HKDF-SHA256 (RFC 5869) on libsodium's HMAC-SHA256, as age v1
 * uses it (C2SP age: "HKDF-Extract with the specified salt followed by
 * HKDF-Expand with the specified info"). */
#ifndef SQ_CRYPTO_HKDF_H
#define SQ_CRYPTO_HKDF_H

#include <stddef.h>
#include <stdint.h>

#include "sandyq/error.h"

#define SQ_HKDF_PRK_BYTES 32
#define SQ_HKDF_MAX_OUT   (255 * 32)   /* RFC 5869 2.3: L <= 255 * HashLen */

/* sq_hkdf_extract: prk = HMAC-SHA256(key = salt, ikm). An empty salt is an
 * HMAC key of zero length, which HMAC pads to the same block as RFC 5869's
 * "HashLen zeros", so both give the same PRK. salt/ikm may be NULL when
 * their length is 0. */
void   sq_hkdf_extract(uint8_t prk[SQ_HKDF_PRK_BYTES], const uint8_t *salt, size_t salt_len,
                       const uint8_t *ikm, size_t ikm_len);

/* sq_hkdf_expand: out_len bytes of T(1) || T(2) || ... under prk.
 * SQ_ERR_INVALID when out_len > SQ_HKDF_MAX_OUT (out untouched). */
sq_err sq_hkdf_expand(uint8_t *out, size_t out_len, const uint8_t prk[SQ_HKDF_PRK_BYTES],
                      const uint8_t *info, size_t info_len);

/* sq_hkdf_sha256: extract then expand; intermediate PRK wiped. */
sq_err sq_hkdf_sha256(uint8_t *out, size_t out_len, const uint8_t *salt, size_t salt_len,
                      const uint8_t *ikm, size_t ikm_len, const uint8_t *info, size_t info_len);

#endif
