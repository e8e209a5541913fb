/* vault_internal.h: the session state behind sq_vault, shared by the vault_*.c
 * files (one concern each: open, commit, documents, slots, check). */
#ifndef SQ_VAULT_INTERNAL_H
#define SQ_VAULT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sandyq/vault.h"
#include "crypto/chunk.h"
#include "vault/slots.h"
#include "vault/structs.h"

/* Keys of the open level, kept together in one secret allocation. */
typedef struct {
    uint8_t    lk[SQ_KEYBYTES];
    uint8_t    kmeta[SQ_KEYBYTES];
    uint8_t    khash[SQ_KEYBYTES];
    uint8_t    kslotmac[SQ_KEYBYTES];
    uint8_t    kfpr[SQ_KEYBYTES];
    sq_root    root;
    sq_keyring keyring;
    sq_slot_plain plain;          /* the slot plaintext that opened */
    uint8_t    pass[3 * 4096];    /* the session's passphrase (NFC), kept for rekey */
    size_t     pass_len;
} sq_vault_keys;

typedef struct {
    sq_objref        ref;
    sq_index_segment seg;
} sq_idx_seg;

typedef struct {
    sq_objref         ref;
    bool              loaded;
    sq_record_segment seg;
} sq_rec_seg;

/* A live document: where its record lives and its folded-name hash. */
typedef struct {
    sq_doc  *doc;            /* NULL once removed in this session */
    uint64_t fold_hash;
} sq_live;

/* Open-addressing table from folded-name hash to live position. */
typedef struct {
    uint32_t *slots;         /* live position + 1; 0 = empty */
    size_t    cap;           /* power of two */
    size_t    used;
} sq_name_table;

struct sq_vault {
    int            fd;
    char          *path;
    bool           writable;
    bool           failed;            /* a write or sync failed: this handle writes no more */
    bool           truncated;         /* file shorter than committed */
    sq_header     *header;            /* clear salts and slot areas, as on disk */
    sq_vault_keys *k;                 /* secret */
    unsigned       session_slot;      /* slot index that opened */
    bool           rawkey_session;    /* opened with a raw key (shares), not a passphrase */
    int            kdf_profile;
    uint8_t        hash_key[16];      /* SipHash key for the name table (random) */

    uint64_t       committed_blocks;  /* from the root */
    uint64_t       nblocks;           /* blocks the session may use (>= committed) */
    uint64_t      *used;              /* bitmap: live set + session allocations */
    size_t         used_words;

    sq_idx_seg     segs[SQ_MAX_SEGMENTS + 1];
    unsigned       n_segs;
    sq_rec_seg     recs[SQ_MAX_SEGMENTS + 1];
    unsigned       n_recs;
    sq_freelist    freelist;          /* of the current root */

    sq_live       *live;
    size_t         n_live, cap_live, n_docs;
    sq_name_table  names;
    sq_doc       **view;              /* sorted by name, built lazily */
    size_t         n_view;
    bool           view_dirty;

    /* staged changes */
    sq_doc       **pending;           /* owned new/renamed doc records, all live */
    bool          *pending_fresh;     /* true: content written this session */
    size_t         n_pending, cap_pending;
    uint8_t      (*deletes)[SQ_DOCID_BYTES];
    size_t         n_deletes, cap_deletes;
    sq_extent     *freed;             /* extents the staged changes stop using */
    size_t         n_freed, cap_freed;
    sq_record_segment staged_recs;
    bool           dirty;
    bool           keyring_dirty;
    bool           second_commit;     /* rm, rekey: scrub before returning */

    sq_chunk_ctx  *chunk;
    char           detail[256];
};

/* ---- bitmap and allocation (alloc.c) ---- */
bool   sq_bm_test(const sq_vault *v, uint64_t b);
void   sq_bm_set_range(sq_vault *v, uint64_t start, uint64_t count);
void   sq_bm_clear_range(sq_vault *v, uint64_t start, uint64_t count);
/* mark a range used; false if any block was already used or is out of range */
bool   sq_bm_claim(sq_vault *v, uint64_t start, uint64_t count);
sq_err sq_bm_resize(sq_vault *v, uint64_t nblocks);
/* a run of up to want free blocks at a random place (grows the file if none) */
sq_err sq_alloc_run(sq_vault *v, uint64_t want, sq_extent *out);
/* exactly n contiguous free blocks at a random place */
sq_err sq_alloc_contig(sq_vault *v, uint32_t n, uint64_t *start);
uint64_t sq_padme(uint64_t len);
uint64_t sq_block_offset(uint64_t block);

/* ---- names (names.c) ---- */
uint64_t sq_name_fold_hash(const sq_vault *v, const char *name, size_t len);
sq_err   sq_names_insert(sq_vault *v, size_t live_pos);
/* the live position of the document whose name folds like name, or SIZE_MAX */
size_t   sq_names_find(const sq_vault *v, const char *name, size_t len);
void     sq_names_remove(sq_vault *v, size_t live_pos);
void     sq_names_free(sq_name_table *t);
sq_err   sq_live_push(sq_vault *v, sq_doc *doc);   /* append + index by name */
void     sq_view_build(sq_vault *v);

/* ---- objects on disk (vault_objects.c) ---- */
/* read the object of ref into a secret buffer (*plain, *plain_len for
 * sq_secret_free); *stale set when copy a was bad and b served */
sq_err sq_read_object(sq_vault *v, const sq_objref *ref, uint8_t type, uint8_t **plain,
                      size_t *plain_len, const uint8_t **body, size_t *body_len, bool *stale);
/* the same into caller buffers of ref->nblocks blocks (raw) and that less
 * 40 bytes (plain, secret memory) */
sq_err sq_read_object_into(sq_vault *v, const sq_objref *ref, uint8_t type, uint8_t *raw, uint8_t *plain,
                           const uint8_t **body, size_t *body_len, bool *stale);
/* allocate two copies, seal, write; fills ref (entries set by caller) */
sq_err sq_write_object(sq_vault *v, uint8_t type, const uint8_t *body, size_t body_len,
                       sq_objref *ref);
sq_err sq_load_records(sq_vault *v, sq_rec_seg *r);
void   sq_objref_extents(const sq_objref *ref, sq_extent out[2]);

/* ---- documents (vault_docs.c) ---- */
sq_err sq_doc_reencrypt(sq_vault *v, sq_doc *out, const sq_doc *old, const uint8_t old_lk[32],
                        const uint8_t new_lk[32], sq_damage *damage);
sq_err sq_vault_verify_doc(sq_vault *v, const sq_doc *d, sq_damage *damage);

/* ---- slots (vault_slots.c) ---- */
uint64_t sq_keyring_owned(const sq_keyring *kr);   /* bit i: slot i belongs to this level */
sq_err sq_make_way_in(sq_vault *v, sq_keyring_entry *e, unsigned i, int profile, sq_secret_view pass,
                      const char *label, const sq_slot_plain *plain);
/* the same for a raw key (a share set's master secret): no KDF */
sq_err sq_make_rawkey_way_in(sq_vault *v, sq_keyring_entry *e, unsigned i, const uint8_t *key,
                             size_t key_len, const char *label, const sq_slot_plain *plain);
sq_err sq_write_slot(sq_vault *v, unsigned i);
sq_err sq_wipe_slot(sq_vault *v, unsigned i);
/* sq_retire_slot: wipe a slot the durable root stopped listing, then
 * commit the keyring that records it done */
sq_err sq_retire_slot(sq_vault *v, unsigned i);
/* sq_finish_wipes: overwrite every slot the keyring marks wipe_pending and
 * commit (writable opens: an earlier command may have stopped before its
 * wipe); nothing at all when none is marked */
sq_err sq_finish_wipes(sq_vault *v);
unsigned sq_free_slot_index(const sq_vault *v);     /* a random free index (callers check one is free) */
/* sq_keyring_remove_slot: drop the keyring entry of slot (staged, with its
 * record); SQ_ERR_NOTFOUND, SQ_ERR_LAST_WAY_IN */
sq_err sq_keyring_remove_slot(sq_vault *v, uint8_t slot);
enum { SQ_REC_SLOT_ADDED = 6, SQ_REC_SLOT_REMOVED = 7, SQ_REC_SHARES_MADE = 10,
       SQ_REC_SHARE_REISSUED = 11, SQ_REC_SHARES_DROPPED = 12 };
sq_err sq_record_slot(sq_vault *v, uint8_t type, const sq_keyring_entry *e);

/* ---- share sets (vault_shares.c) ---- */
/* sq_shares_drop: end the current set in *sh (remembered as superseded at
 * now); false when there was none. The caller removes its slot. */
bool   sq_shares_drop(sq_share_state *sh, int64_t now);

/* ---- commit (vault_commit.c) ---- */
typedef struct {
    sq_extent *e;
    size_t     n, cap;
} sq_extent_list;
sq_err sq_extent_list_push(sq_extent_list *l, uint64_t start, uint64_t count);  /* count 0: no-op */
sq_err sq_commit(sq_vault *v);                 /* one durable commit; any failure ends writing */
/* sq_write_gate: SQ_OK when this handle may write; SQ_ERR_IO once a write or
 * sync failed (io.h: never retried; the handle's picture of the file may be
 * wrong), SQ_ERR_INVALID when it was opened read-only. */
sq_err sq_write_gate(const sq_vault *v);
/* sq_fail_writes: returns ret; an I/O failure (SQ_ERR_IO, SQ_ERR_NOSPACE,
 * SQ_ERR_READONLY) ends writing through v: the command stops, the file
 * stays at its last durable commit, reopening is the only way on. */
sq_err sq_fail_writes(sq_vault *v, sq_err ret);
sq_err sq_fill_fresh(sq_vault *v);
/* overwrite count blocks from start with random bytes (no fsync: the commit's covers it) */
sq_err sq_scrub_random(sq_vault *v, uint64_t start, uint64_t count);
/* overwrite ext with the scrub pattern of generation gen; with
 * only_if_needed, blocks that already hold it are only read */
sq_err sq_scrub(sq_vault *v, const sq_extent *ext, size_t n, uint64_t gen, bool only_if_needed);
sq_err sq_write_root(sq_vault *v, const sq_root *root, const uint64_t anchors[4], const uint8_t kmeta[32]);
sq_err sq_stage_record(sq_vault *v, uint8_t type, const uint8_t *body, size_t len);
sq_err sq_stage_freed(sq_vault *v, uint64_t start, uint32_t count);

/* ---- open (vault_open.c) ---- */
sq_err sq_level_keys(sq_vault_keys *k);        /* subkeys from k->lk */
sq_err sq_load_state(sq_vault *v);             /* root is set: load the rest */
/* sq_vault_open_keyed: tests and fuzz targets only: open with a known slot
 * plaintext, skipping the KDF (the fuzzers would otherwise spend every
 * execution in Argon2id). Not in the public API. */
sq_err sq_vault_open_keyed(sq_vault **out, const char *path, bool writable, const sq_slot_plain *plain,
                           unsigned slot);
void   sq_vault_unload(sq_vault *v);           /* free loaded state, keep fd/keys */
/* the generation in the root copy at block, if it authenticates */
bool   sq_root_copy_generation(sq_vault *v, uint64_t block, uint64_t *gen);

void   sq_set_detail(sq_vault *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int64_t sq_now(void);

#endif
