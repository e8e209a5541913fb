/* fuzz_bech32.c: the Bech32 decoders on arbitrary strings.
 * Promises: whatever decodes re-encodes to the same string (one encoding
 * per value: no mixed case, zero padding); the constant-time decoder used
 * for secret keys agrees with the plain one; the age key parsers never
 * accept what Bech32 refuses. */
#include <stdlib.h>
#include <string.h>

#include "crypto/bech32.h"
#include "sandyq/age.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    char        hrp[SQ_BECH32_MAX_HRP + 1], again[SQ_BECH32_MAX_CHARS + 1];
    uint8_t     bytes[SQ_BECH32_MAX_CHARS], secret[SQ_BECH32_MAX_CHARS], key[32];
    size_t      hl = 0, n = 0, len = 0;
    bool        upper = false;
    sq_err      ret;

    if (size > SQ_BECH32_MAX_CHARS + 8)
        return 0;
    for (size_t i = 0; i < size; i++)
        upper |= data[i] >= 'A' && data[i] <= 'Z';
    ret = sq_bech32_decode(hrp, sizeof hrp, &hl, bytes, sizeof bytes, &n, s, size);
    if (ret == SQ_OK) {
        if (hl == 0 || hl > SQ_BECH32_MAX_HRP || strlen(hrp) != hl)
            abort();
        if (sq_bech32_encode(again, sizeof again, &len, hrp, bytes, n, upper) != SQ_OK ||
            len != size || memcmp(again, s, size) != 0)
            abort();
        if (sq_bech32_decode_secret(secret, n, hrp, s, size) != SQ_OK ||
            memcmp(secret, bytes, n) != 0)
            abort();
    } else if (ret != SQ_ERR_FORMAT && ret != SQ_ERR_LIMIT && ret != SQ_ERR_INVALID) {
        abort();
    }
    /* the key parsers: accepted only if Bech32 accepted, and re-formatted exactly */
    if (sq_age_recipient_parse(key, s, size) == SQ_OK) {
        if (ret != SQ_OK || sq_age_recipient_format(again, sizeof again, key) != SQ_OK ||
            strlen(again) != size || memcmp(again, s, size) != 0)
            abort();
    }
    if (sq_age_identity_parse(key, s, size) == SQ_OK) {
        if (ret != SQ_OK || sq_age_identity_format(again, sizeof again, key) != SQ_OK ||
            strlen(again) != size || memcmp(again, s, size) != 0)
            abort();
    }
    return 0;
}
