/* stream.c: the keys age v1 derives from the file key (C2SP age "Header
 * MAC" and "Payload"). The chunks themselves are sq_chunk_seal/open
 * (src/crypto/chunk.h), which is age's STREAM with empty associated data. */
#include <sodium.h>

#include "age/age_internal.h"
#include "crypto/hkdf.h"

void
sq_age_header_mac(uint8_t mac[SQ_AGE_MAC_BYTES], const uint8_t *file_key, const uint8_t *text,
                  size_t len)
{
    uint8_t                      key[32];   /* secret: wiped below */
    crypto_auth_hmacsha256_state st;        /* secret: wiped below */

    /* HMAC key = HKDF-SHA-256(ikm = file key, salt = empty, info = "header") */
    (void)sq_hkdf_sha256(key, sizeof key, NULL, 0, file_key, SQ_AGE_FILE_KEY_BYTES,
                         (const uint8_t *)"header", 6);
    crypto_auth_hmacsha256_init(&st, key, sizeof key);
    crypto_auth_hmacsha256_update(&st, text, len);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_memzero(&st, sizeof st);
    sodium_memzero(key, sizeof key);
}

void
sq_age_payload_key(uint8_t key[32], const uint8_t *file_key,
                   const uint8_t nonce[SQ_AGE_NONCE_BYTES])
{
    (void)sq_hkdf_sha256(key, 32, nonce, SQ_AGE_NONCE_BYTES, file_key, SQ_AGE_FILE_KEY_BYTES,
                         (const uint8_t *)"payload", 7);
}
