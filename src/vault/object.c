/* object.c: see object.h and docs/FORMAT.md section 6. */
#include "vault/object.h"

#include <sodium.h>
#include <string.h>

#include "crypto/nonce_log.h"
#include "util/bytes.h"
#include "util/random.h"

#define OBJ_AD_LABEL "sandyq/v1/object"
#define OBJ_AD_BYTES (sizeof(OBJ_AD_LABEL) - 1 + SQ_VAULTID_BYTES + 4 + 1 + 8 + 4)

size_t
sq_object_capacity(uint32_t nblocks)
{
    return (size_t)nblocks * SQ_BLOCK_BYTES - SQ_OBJ_OVERHEAD - SQ_OBJ_HEADER_BYTES;
}

uint32_t
sq_object_blocks_for(size_t body_len)
{
    size_t need = body_len + SQ_OBJ_OVERHEAD + SQ_OBJ_HEADER_BYTES;
    size_t n = (need + SQ_BLOCK_BYTES - 1) / SQ_BLOCK_BYTES;

    return n > SQ_OBJ_MAX_BLOCKS ? 0 : (uint32_t)n;
}

static void
object_ad(uint8_t ad[OBJ_AD_BYTES], const uint8_t *vault_id, uint32_t level, uint8_t type,
          uint64_t block, uint32_t nblocks)
{
    size_t o = sizeof(OBJ_AD_LABEL) - 1;

    memcpy(ad, OBJ_AD_LABEL, o);
    if (vault_id != NULL)
        memcpy(ad + o, vault_id, SQ_VAULTID_BYTES);
    else
        memset(ad + o, 0, SQ_VAULTID_BYTES);
    o += SQ_VAULTID_BYTES;
    sq_store_le32(ad + o, level);
    o += 4;
    ad[o++] = type;
    sq_store_le64(ad + o, block);
    o += 8;
    sq_store_le32(ad + o, nblocks);
}

sq_err
sq_object_seal(uint8_t *out, uint32_t nblocks, const uint8_t kmeta[32], const uint8_t *vault_id,
               uint32_t level, uint8_t type, uint64_t block, const uint8_t *body, size_t body_len)
{
    uint8_t  ad[OBJ_AD_BYTES];
    size_t   total = (size_t)nblocks * SQ_BLOCK_BYTES;
    size_t   plain_len = total - SQ_OBJ_OVERHEAD;
    uint8_t *plain = out + SQ_OBJ_NONCE_BYTES;   /* encrypt in place */

    if (nblocks == 0 || nblocks > SQ_OBJ_MAX_BLOCKS || body_len > sq_object_capacity(nblocks))
        return SQ_ERR_LIMIT;
    object_ad(ad, vault_id, level, type, block, nblocks);
    sq_random_buf(out, SQ_OBJ_NONCE_BYTES);
    plain[0] = type;
    sq_store_le32(plain + 1, (uint32_t)body_len);
    memmove(plain + SQ_OBJ_HEADER_BYTES, body, body_len);
    memset(plain + SQ_OBJ_HEADER_BYTES + body_len, 0, plain_len - SQ_OBJ_HEADER_BYTES - body_len);
    sq_nonce_log_use(kmeta, 32, out, SQ_OBJ_NONCE_BYTES);
    crypto_aead_xchacha20poly1305_ietf_encrypt(plain, NULL, plain, plain_len, ad, sizeof ad, NULL,
                                               out, kmeta);
    return SQ_OK;
}

sq_err
sq_object_open(uint8_t *plain, const uint8_t **body, size_t *body_len, const uint8_t *in,
               uint32_t nblocks, const uint8_t kmeta[32], const uint8_t *vault_id, uint32_t level,
               uint8_t type, uint64_t block)
{
    uint8_t ad[OBJ_AD_BYTES];
    size_t  total = (size_t)nblocks * SQ_BLOCK_BYTES;
    size_t  plain_len = total - SQ_OBJ_OVERHEAD;
    size_t  len;

    *body = NULL;
    *body_len = 0;
    if (nblocks == 0 || nblocks > SQ_OBJ_MAX_BLOCKS)
        return SQ_ERR_LIMIT;
    object_ad(ad, vault_id, level, type, block, nblocks);
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain, NULL, NULL, in + SQ_OBJ_NONCE_BYTES,
                                                   total - SQ_OBJ_NONCE_BYTES, ad, sizeof ad, in,
                                                   kmeta) != 0)
        return SQ_ERR_AUTH;
    len = sq_load_le32(plain + 1);
    if (plain[0] != type || len > plain_len - SQ_OBJ_HEADER_BYTES)
        return SQ_ERR_FORMAT;
    for (size_t i = SQ_OBJ_HEADER_BYTES + len; i < plain_len; i++)
        if (plain[i] != 0)                       /* not secret-dependent: authenticated bytes */
            return SQ_ERR_FORMAT;
    *body = plain + SQ_OBJ_HEADER_BYTES;
    *body_len = len;
    return SQ_OK;
}

/* The pin covers the nonce and the tag only: the tag authenticates the
 * whole ciphertext under K_meta, and the nonce is fresh for every seal, so
 * (nonce, tag) names one sealed version. Hashing 40 bytes instead of the
 * object keeps opening a 100,000-document index cheap. */
void
sq_object_hash(uint8_t out[32], const uint8_t khash[32], const uint8_t *bytes, size_t len)
{
    static const char label[] = "sandyq/v1/objref";
    crypto_generichash_state st;

    crypto_generichash_init(&st, khash, 32, 32);
    crypto_generichash_update(&st, (const uint8_t *)label, sizeof label - 1);
    crypto_generichash_update(&st, bytes, SQ_OBJ_NONCE_BYTES);
    crypto_generichash_update(&st, bytes + len - SQ_OBJ_TAG_BYTES, SQ_OBJ_TAG_BYTES);
    crypto_generichash_final(&st, out, 32);
    sodium_memzero(&st, sizeof st);
}
