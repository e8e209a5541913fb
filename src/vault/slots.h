/* slots.h: the two slot areas (docs/FORMAT.md sections 3-4): per-slot key
 * derivation, key-committed wraps, and the uniform unlock scan. */
#ifndef SQ_VAULT_SLOTS_H
#define SQ_VAULT_SLOTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sandyq/error.h"
#include "vault/structs.h"

/* The clear header of a vault: both salts and both slot areas, exactly as on
 * disk (offsets of FORMAT.md section 2, relative to 0). */
typedef struct {
    uint8_t bytes[SQ_AREA_B_OFFSET + SQ_SLOT_COUNT * SQ_SLOT_BYTES];
} sq_header;

#define SQ_HEADER_USED_BYTES (SQ_AREA_B_OFFSET + SQ_SLOT_COUNT * SQ_SLOT_BYTES)

const uint8_t *sq_header_salt(const sq_header *h, int area);     /* area 0 = A, 1 = B */
uint8_t       *sq_header_slot(sq_header *h, int area, unsigned i);
const uint8_t *sq_header_slot_c(const sq_header *h, int area, unsigned i);
uint64_t       sq_header_slot_offset(int area, unsigned i);

/* The slot plaintext: the level key and the four root anchors. Secret. */
typedef struct {
    uint8_t  level_key[SQ_KEYBYTES];
    uint64_t anchors[4];
} sq_slot_plain;

/* sq_slot_keys: KEK and commitment key of slot i from A_X (FORMAT.md 3). */
void sq_slot_keys(uint8_t kek[32], uint8_t kcmt[32], const uint8_t a[32], const uint8_t salt[32], unsigned i);

/* sq_slot_wrap: fill the 136-byte slot with a fresh wrap of plain. */
void sq_slot_wrap(uint8_t slot[SQ_SLOT_BYTES], const sq_slot_plain *plain, const uint8_t kek[32],
                  const uint8_t kcmt[32], const uint8_t salt[32], unsigned i);

/* sq_slot_committed: the key commitment of slot i matches kcmt (constant time). */
bool sq_slot_committed(const uint8_t slot[SQ_SLOT_BYTES], const uint8_t kcmt[32],
                       const uint8_t salt[32], unsigned i);

/* sq_slot_unwrap: authenticate and decrypt (call only after sq_slot_committed). */
sq_err sq_slot_unwrap(sq_slot_plain *plain, const uint8_t slot[SQ_SLOT_BYTES], const uint8_t kek[32],
                      const uint8_t salt[32], unsigned i);

/* sq_slot_scan: from A_X for one area, check the commitment of all 64 slots
 * (no early exit), then unwrap each committed match into plains[] (secret,
 * 64 entries). Returns the number opened; found[i] says which. */
unsigned sq_slot_scan(sq_slot_plain plains[SQ_SLOT_COUNT], bool found[SQ_SLOT_COUNT],
                      const sq_header *h, int area, const uint8_t a[32]);

/* sq_slot_area_a: A_X for a passphrase (Argon2id) or a raw key. */
sq_err sq_slot_a_passphrase(uint8_t a[32], int profile, const uint8_t *pass, size_t pass_len,
                            const uint8_t salt[32]);
void   sq_slot_a_rawkey(uint8_t a[32], const uint8_t *key, size_t key_len, const uint8_t salt[32]);

/* sq_slots_mac: FORMAT.md 7 slots_mac over the owned slots (mask of 64). */
void sq_slots_mac(uint8_t out[32], const uint8_t kslotmac[32], const sq_header *h, uint64_t owned_mask);

#endif
