/* chunk.h: STREAM chunks of document content (age v1's STREAM construction).
 *
 * ChaCha20-Poly1305 (RFC 8439, 96-bit nonce) under a per-document chunk key;
 * nonce = 11-byte big-endian chunk index || 0x01 for the last chunk, 0x00
 * otherwise. Plaintext chunks are SQ_CHUNK_BYTES except the last, which may
 * be shorter (or empty for an empty document). The counter makes reordering
 * and the final flag makes truncation detectable; associated data binds vault,
 * level and document (the caller's). The (key, nonce) rule: the chunk key is
 * fresh for each (document, write_salt) and encrypts that document once.
 *
 * sq_chunk_seal/open use OpenSSL's EVP (AVX-512 code, ~2.5x libsodium 1.0.18
 * here); the _ref versions use libsodium and exist for the differential test
 * and as a fallback. Both give identical bytes. */
#ifndef SQ_CRYPTO_CHUNK_H
#define SQ_CRYPTO_CHUNK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sandyq/error.h"

#define SQ_CHUNK_BYTES      65536
#define SQ_CHUNK_TAGBYTES   16
#define SQ_CHUNK_KEYBYTES   32
#define SQ_CHUNK_NONCEBYTES 12
#define SQ_CHUNK_AD_MAX     ((size_t)1 << 20)   /* far above any real use; fits an int */

/* reusable OpenSSL cipher contexts; one per thread, not shared */
typedef struct sq_chunk_ctx sq_chunk_ctx;

/* sq_chunk_ctx_new: NULL if memory is short. The last key used stays in the
 * context's (OpenSSL heap) state until the next call or _free, which wipes. */
sq_chunk_ctx *sq_chunk_ctx_new(void);
void          sq_chunk_ctx_free(sq_chunk_ctx *c);   /* NULL is ignored */

/* sq_chunk_seal: out gets len + 16 bytes (ciphertext || tag); out may equal
 * in (in place) but must not otherwise overlap it. len <= SQ_CHUNK_BYTES and
 * ad_len <= SQ_CHUNK_AD_MAX, else SQ_ERR_INVALID. Logs (key, nonce) for the
 * instrumented build. Returns SQ_OK, or SQ_ERR_NOMEM if OpenSSL failed
 * internally (out is then zeroed). */
sq_err sq_chunk_seal(sq_chunk_ctx *c, uint8_t *out, const uint8_t *in, size_t len,
                     const uint8_t key[32], uint64_t index, bool final, const uint8_t *ad,
                     size_t ad_len);

/* sq_chunk_open: in is ciphertext || tag, 16 <= in_len <= SQ_CHUNK_BYTES + 16
 * (else SQ_ERR_INVALID); out gets in_len - 16 bytes. SQ_ERR_AUTH on a bad tag
 * (wrong key, index, final flag, ad, or altered bytes); then out is zeroed:
 * callers never see unauthenticated plaintext. */
sq_err sq_chunk_open(sq_chunk_ctx *c, uint8_t *out, const uint8_t *in, size_t in_len,
                     const uint8_t key[32], uint64_t index, bool final, const uint8_t *ad,
                     size_t ad_len);

/* The same through libsodium's crypto_aead_chacha20poly1305_ietf_*. */
sq_err sq_chunk_seal_ref(uint8_t *out, const uint8_t *in, size_t len, const uint8_t key[32],
                         uint64_t index, bool final, const uint8_t *ad, size_t ad_len);
sq_err sq_chunk_open_ref(uint8_t *out, const uint8_t *in, size_t in_len, const uint8_t key[32],
                         uint64_t index, bool final, const uint8_t *ad, size_t ad_len);

/* sq_chunk_nonce: the STREAM nonce for (index, final). */
void   sq_chunk_nonce(uint8_t nonce[SQ_CHUNK_NONCEBYTES], uint64_t index, bool final);

/* Known-answer tests only: the raw AEAD with an arbitrary 12-byte nonce
 * (RFC 8439's vector has a nonce no chunk index produces). ref selects
 * libsodium. Production code must use sq_chunk_seal/open, whose nonce rule
 * is what keeps (key, nonce) pairs unique. */
sq_err sq_chunk_kat_seal(sq_chunk_ctx *c, bool ref, uint8_t *out, const uint8_t *in, size_t len,
                         const uint8_t key[32], const uint8_t nonce[SQ_CHUNK_NONCEBYTES],
                         const uint8_t *ad, size_t ad_len);
sq_err sq_chunk_kat_open(sq_chunk_ctx *c, bool ref, uint8_t *out, const uint8_t *in,
                         size_t in_len, const uint8_t key[32],
                         const uint8_t nonce[SQ_CHUNK_NONCEBYTES], const uint8_t *ad,
                         size_t ad_len);

#endif
