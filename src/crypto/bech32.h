/* bech32.h: Bech32 (BIP-173; not Bech32m) as age v1 uses it.
 *
 * Strict: no mixed case, every character of the data part in the Bech32
 * alphabet, HRP of 1..83 characters in 33..126, a valid checksum computed
 * over the lowercase string, at least 6 checksum characters, and for byte
 * payloads at most 4 padding bits, all zero. BIP-173's overall limit of 90
 * characters is lifted (age's own strings are longer: C2SP age says "without
 * length limits"); SQ_BECH32_MAX_CHARS caps what is accepted instead. */
#ifndef SQ_CRYPTO_BECH32_H
#define SQ_CRYPTO_BECH32_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sandyq/error.h"

#define SQ_BECH32_MAX_CHARS 8192   /* whole string; far above age's 74 and the PQ recipients' ~2000 */
#define SQ_BECH32_MAX_HRP   83     /* BIP-173 */

/* sq_bech32_encode: hrp (any case; lowercased for the checksum) || "1" ||
 * data in 5-bit groups || checksum, all uppercase when upper, else all
 * lowercase, NUL-terminated into out; *out_len (may be NULL) excludes the
 * NUL. SQ_ERR_INVALID for a bad HRP, an oversized result or too small cap. */
sq_err sq_bech32_encode(char *out, size_t cap, size_t *out_len, const char *hrp,
                        const uint8_t *data, size_t len, bool upper);

/* sq_bech32_decode5: the raw 5-bit groups (checksum excluded) and the
 * lowercase HRP (NUL-terminated, hrp_cap >= its length + 1). SQ_ERR_FORMAT
 * for anything BIP-173 rejects, SQ_ERR_LIMIT above SQ_BECH32_MAX_CHARS,
 * SQ_ERR_INVALID when a buffer is too small. Not constant time. */
sq_err sq_bech32_decode5(char *hrp, size_t hrp_cap, size_t *hrp_len, uint8_t *data5,
                         size_t data5_cap, size_t *data5_len, const char *s, size_t len);

/* sq_bech32_decode: as _decode5, then the groups converted to bytes (at most
 * 4 padding bits, all zero, else SQ_ERR_FORMAT). For public data only. */
sq_err sq_bech32_decode(char *hrp, size_t hrp_cap, size_t *hrp_len, uint8_t *data,
                        size_t data_cap, size_t *data_len, const char *s, size_t len);

/* sq_bech32_decode_secret: exactly data_len bytes under the expected HRP
 * (compared ignoring case), for secret keys. The time taken depends only on
 * len, the HRP and data_len: characters are mapped without table lookups or
 * branches on their values, and every check accumulates into one flag that
 * is tested once at the end. SQ_ERR_FORMAT on any failure (data zeroed). */
sq_err sq_bech32_decode_secret(uint8_t *data, size_t data_len, const char *hrp, const char *s,
                               size_t len);

#endif
