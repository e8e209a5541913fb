/* keys.c: the text forms of X25519 recipients ("age1...", lowercase Bech32,
 * HRP "age") and identities ("AGE-SECRET-KEY-1...", uppercase Bech32, HRP
 * "AGE-SECRET-KEY-"), C2SP age "The X25519 recipient type". */
#include <sodium.h>
#include <string.h>

#include "age/age_internal.h"
#include "crypto/bech32.h"

#define RECIPIENT_HRP "age"
#define IDENTITY_HRP  "AGE-SECRET-KEY-"

sq_err
sq_age_recipient_parse(uint8_t pk[SQ_AGE_KEY_BYTES], const char *text, size_t len)
{
    char    hrp[SQ_BECH32_MAX_HRP + 1];
    uint8_t data[SQ_AGE_KEY_BYTES];
    size_t  hrp_len = 0, data_len = 0, sep = 0;
    bool    found = false;
    sq_err  ret;

    memset(pk, 0, SQ_AGE_KEY_BYTES);
    if (text == NULL || len > SQ_BECH32_MAX_CHARS)
        return SQ_ERR_FORMAT;
    for (size_t i = 0; i < len; i++)
        if (text[i] == '1') {
            sep = i;
            found = true;
        }
    /* "age1pq1...", "age1tag1...", "age1yubikey1...": recipient kinds whose
     * HRP extends "age1"; recognized by their form, refused as unsupported */
    if (found && sep > 4 && (memcmp(text, "age1", 4) == 0 || memcmp(text, "AGE1", 4) == 0))
        return SQ_ERR_UNSUPPORTED;
    /* recipients are written in lowercase; an uppercase one is not age's */
    for (size_t i = 0; i < len; i++)
        if (text[i] >= 'A' && text[i] <= 'Z')
            return SQ_ERR_FORMAT;
    ret = sq_bech32_decode(hrp, sizeof hrp, &hrp_len, data, sizeof data, &data_len, text, len);
    if (ret == SQ_ERR_INVALID || ret == SQ_ERR_LIMIT)
        ret = SQ_ERR_FORMAT;
    if (ret != SQ_OK)
        return ret;
    if (hrp_len != 3 || memcmp(hrp, RECIPIENT_HRP, 3) != 0 || data_len != SQ_AGE_KEY_BYTES)
        return SQ_ERR_FORMAT;
    memcpy(pk, data, SQ_AGE_KEY_BYTES);
    return SQ_OK;
}

sq_err
sq_age_recipient_format(char *out, size_t cap, const uint8_t pk[SQ_AGE_KEY_BYTES])
{
    if (cap < SQ_AGE_RECIPIENT_CHARS + 1)
        return SQ_ERR_INVALID;
    return sq_bech32_encode(out, cap, NULL, RECIPIENT_HRP, pk, SQ_AGE_KEY_BYTES, false);
}

sq_err
sq_age_identity_parse(uint8_t sk[SQ_AGE_KEY_BYTES], const char *text, size_t len)
{
    if (text == NULL) {
        sodium_memzero(sk, SQ_AGE_KEY_BYTES);
        return SQ_ERR_FORMAT;
    }
    /* identities are written in uppercase; the constant-time decoder checks
     * the case of every character, so a lowercase copy only needs the HRP */
    if (len < sizeof IDENTITY_HRP || memcmp(text, IDENTITY_HRP, sizeof IDENTITY_HRP - 1) != 0) {
        sodium_memzero(sk, SQ_AGE_KEY_BYTES);
        return SQ_ERR_FORMAT;
    }
    return sq_bech32_decode_secret(sk, SQ_AGE_KEY_BYTES, IDENTITY_HRP, text, len);
}

sq_err
sq_age_identity_format(char *out, size_t cap, const uint8_t sk[SQ_AGE_KEY_BYTES])
{
    if (cap < SQ_AGE_IDENTITY_CHARS + 1)
        return SQ_ERR_INVALID;
    return sq_bech32_encode(out, cap, NULL, IDENTITY_HRP, sk, SQ_AGE_KEY_BYTES, true);
}

sq_err
sq_age_x25519_public(uint8_t pk[SQ_AGE_KEY_BYTES], const uint8_t sk[SQ_AGE_KEY_BYTES])
{
    if (crypto_scalarmult_base(pk, sk) != 0 || sodium_is_zero(pk, SQ_AGE_KEY_BYTES)) {
        memset(pk, 0, SQ_AGE_KEY_BYTES);
        return SQ_ERR_INVALID;
    }
    return SQ_OK;
}
