/* object.h: encrypted objects (docs/FORMAT.md section 6): n consecutive blocks
 * sealed as one XChaCha20-Poly1305 message under K_meta, bound to the vault,
 * level, type and position. */
#ifndef SQ_VAULT_OBJECT_H
#define SQ_VAULT_OBJECT_H

#include <stddef.h>
#include <stdint.h>

#include "sandyq/error.h"
#include "vault/structs.h"

/* largest body an object of nblocks can carry */
size_t sq_object_capacity(uint32_t nblocks);
/* smallest nblocks that can carry body_len bytes (0 if above the cap) */
uint32_t sq_object_blocks_for(size_t body_len);

/* sq_object_seal: out receives nblocks * 4096 bytes. vault_id NULL means
 * zeros (roots). A fresh random nonce per call. */
sq_err sq_object_seal(uint8_t *out, uint32_t nblocks, const uint8_t kmeta[32],
                      const uint8_t *vault_id, uint32_t level, uint8_t type, uint64_t block,
                      const uint8_t *body, size_t body_len);

/* sq_object_open: in holds nblocks * 4096 bytes; plain is a caller buffer of
 * nblocks * 4096 - 40 bytes (secret memory when the object holds secrets).
 * On success *body points inside plain. SQ_ERR_AUTH on a bad tag,
 * SQ_ERR_FORMAT on a bad header or padding (after authentication). */
sq_err sq_object_open(uint8_t *plain, const uint8_t **body, size_t *body_len,
                      const uint8_t *in, uint32_t nblocks, const uint8_t kmeta[32],
                      const uint8_t *vault_id, uint32_t level, uint8_t type, uint64_t block);

/* sq_object_hash: the hash an object reference pins (FORMAT.md 6): over the
 * nonce and the tag of the len sealed bytes. */
void sq_object_hash(uint8_t out[32], const uint8_t khash[32], const uint8_t *bytes, size_t len);

#endif
