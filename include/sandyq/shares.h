/* sandyq/shares.h: split keys for a vault level (FORMAT.md 13, 17).
 *
 * A level's share set is a SLIP-0039 sharing of a fresh master secret that
 * is the raw key of one of the level's slots: a quorum of colleagues
 * combines their shares and opens the level without the passphrase, and
 * fewer learn nothing. The level keeps the master secret, the layout and a
 * seed inside its encrypted keyring, so the owner can re-print any share
 * of the current set, add a member, and sign share certificates with the
 * level's share-certificate key; nothing about the set is visible from
 * another level or without a key.
 *
 * Every call that changes the set commits itself (it touches the slot
 * areas, like passphrase changes). */
#ifndef SANDYQ_SHARES_H
#define SANDYQ_SHARES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sandyq/error.h"
#include "sandyq/slip39.h"
#include "sandyq/vault.h"

typedef struct {
    uint16_t        id;              /* SLIP-0039 identifier */
    uint32_t        generation;      /* 1 for the level's first set, +1 per rotate/create */
    int64_t         created;
    uint8_t         secret_len;      /* 16 (20-word shares) or 32 (33-word shares) */
    uint8_t         exponent;
    uint8_t         group_threshold;
    uint8_t         group_count;
    sq_slip39_group groups[SQ_SLIP39_MAX_GROUPS];
} sq_share_set_info;

/* sq_vault_shares_info: the current set. SQ_ERR_NOTFOUND when the level has
 * none (never made, or dropped by rekey); *last_generation (may be NULL)
 * is then the last set's generation, 0 if none. */
sq_err sq_vault_shares_info(const sq_vault *v, sq_share_set_info *out);

/* sq_vault_shares_create: draws a new master secret (secret_len 16 or 32),
 * identifier and seed, adds a raw-key slot for it and commits. rotate
 * false: the level must have no current set (SQ_ERR_EXISTS otherwise);
 * rotate true: it must have one (SQ_ERR_NOTFOUND otherwise), whose slot is
 * wiped after the commit and whose identifier is remembered as superseded.
 * SQ_OK once the commit is durable, even if that wipe failed (then
 * sq_vault_wipe_pending says so): the new set is in force.
 * A layout SLIP-0039 cannot split: SQ_ERR_INVALID with *d filled. */
sq_err sq_vault_shares_create(sq_vault *v, uint8_t group_threshold, const sq_slip39_group *groups,
                              size_t group_count, size_t secret_len, bool rotate,
                              sq_slip39_detail *d);

/* sq_vault_wipe_pending: a slot this level stopped listing could not be
 * overwritten yet (an I/O error after the commit); the next writable open
 * overwrites it. Until then a copy of its old way in (revoked shares, a
 * removed passphrase) could still unwrap the level key by hand. */
bool   sq_vault_wipe_pending(const sq_vault *v);

/* sq_vault_shares_mnemonics: every share of the current set, reproduced
 * from the level's seed (the same words each time), group by group. */
sq_err sq_vault_shares_mnemonics(const sq_vault *v, sq_slip39_set **out);

/* sq_vault_shares_add_member: one more member in group g (0-based) of the
 * current set; *member is its index. Commits. SQ_ERR_LIMIT past 16
 * members; SQ_ERR_INVALID for a group with threshold 1 (SLIP-0039: T = 1
 * implies N = 1) or g out of range. */
sq_err sq_vault_shares_add_member(sq_vault *v, unsigned g, unsigned *member);

/* sq_vault_shares_note_reissue: stage the custody record of a re-printed
 * share (the next commit writes it). */
sq_err sq_vault_shares_note_reissue(sq_vault *v, unsigned g, unsigned member, bool added);

/* sq_vault_shares_certificate: the share certificate (FORMAT.md 17) of
 * member m of group g of the current set, signed now with the level's
 * share-certificate key, NUL-terminated into out. */
sq_err sq_vault_shares_certificate(const sq_vault *v, unsigned g, unsigned m, char *out,
                                   size_t cap, size_t *len);

/* sq_vault_shares_statement: the signed "sandyq share set:" line
 * (FORMAT.md 17) for the level's current set, or "none after generation N". */
sq_err sq_vault_shares_statement(const sq_vault *v, char *out, size_t cap, size_t *len);

typedef enum {
    SQ_SHARE_CURRENT = 0,     /* a share of the current set, exactly as issued */
    SQ_SHARE_ALTERED,         /* current set's id and index, but other words */
    SQ_SHARE_SUPERSEDED,      /* a set this level had before */
    SQ_SHARE_FOREIGN          /* no set this level knows of */
} sq_share_verdict;

typedef struct {
    sq_share_verdict verdict;
    uint32_t         generation;   /* CURRENT, ALTERED, SUPERSEDED */
    int64_t          ended;        /* SUPERSEDED: when it stopped opening the level */
} sq_share_status;

/* sq_vault_shares_classify: what the level knows of a decoded share. */
sq_err sq_vault_shares_classify(const sq_vault *v, const sq_slip39_share *sh, sq_share_status *out);

/* sq_vault_open_rawkey: unlock with a raw key (a SLIP-0039 master secret
 * combined from shares, 16 or 32 bytes) instead of a passphrase. Every
 * failure before a slot opened is SQ_ERR_AUTH, as for passphrases. A
 * session opened this way cannot rekey or change "its" passphrase. */
sq_err sq_vault_open_rawkey(sq_vault **out, const char *path, bool writable, const uint8_t *key,
                            size_t key_len);

#endif
