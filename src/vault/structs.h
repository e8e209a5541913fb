/* structs.h: in-memory forms of the decrypted vault structures (docs/FORMAT.md
 * sections 6-8, 13, 14) and their one _parse / _serialize each. Parsers take
 * untrusted bytes (a colleague who knows a passphrase can craft valid
 * ciphertext): they check every length and cap before allocating, reject
 * trailing bytes, and never trust counts. */
#ifndef SQ_VAULT_STRUCTS_H
#define SQ_VAULT_STRUCTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sandyq/error.h"

#define SQ_FORMAT_VERSION        1u
#define SQ_BLOCK_BYTES           4096u
#define SQ_HEADER_BYTES          20480u
#define SQ_SALT_BYTES            32u
#define SQ_SLOT_COUNT            64u
#define SQ_SLOT_BYTES            136u
#define SQ_SLOT_PLAIN_BYTES      64u
#define SQ_SALT_A_OFFSET         0u
#define SQ_AREA_A_OFFSET         32u
#define SQ_SALT_B_OFFSET         8736u
#define SQ_AREA_B_OFFSET         8768u
#define SQ_KEYBYTES              32u
#define SQ_DOCID_BYTES           16u
#define SQ_VAULTID_BYTES         16u
#define SQ_HASH_BYTES            32u
#define SQ_MAX_BLOCKS            (1ull << 40)
#define SQ_OBJ_NONCE_BYTES       24u
#define SQ_OBJ_TAG_BYTES         16u
#define SQ_OBJ_OVERHEAD          40u     /* nonce + tag */
#define SQ_OBJ_HEADER_BYTES      5u      /* type + LE32 body_len */
#define SQ_OBJ_MAX_BLOCKS        16384u
#define SQ_OBJREF_BYTES          92u
#define SQ_MAX_SEGMENTS          16u
#define SQ_MAX_SEGMENT_ENTRIES   (1u << 20)
#define SQ_MAX_DOCUMENTS         (1u << 22)
#define SQ_MAX_DOC_SIZE          (1ull << 50)
#define SQ_MAX_NAME_BYTES        1024u
#define SQ_MAX_CASE_BYTES        256u
#define SQ_MAX_NOTE_BYTES        4096u
#define SQ_MAX_LABEL_BYTES       64u
#define SQ_MAX_EXTENTS           65536u
#define SQ_MAX_LEVELS            16u
#define SQ_MAX_RECORD_BODY       8192u
/* the keyring body's one length (FORMAT.md 13): LE32 count and room for 64
 * entries with 64-byte labels, zero-padded, so its size tells nothing about
 * how many ways in a level has. 12996 bytes: 4 blocks per copy. */
#define SQ_KEYRING_ENTRY_MAX_BYTES (1u + 1u + 4u * SQ_KEYBYTES + 8u + 1u + SQ_MAX_LABEL_BYTES)
#define SQ_KEYRING_BODY_BYTES    (4u + SQ_SLOT_COUNT * SQ_KEYRING_ENTRY_MAX_BYTES)
/* the level identity after it (FORMAT.md 13): version || X25519 secret ||
 * three Ed25519 seeds; a keyring that carries one is 13125 bytes, still 4
 * blocks per copy, so having one or not is not visible either */
#define SQ_IDENTITY_VERSION      1u
#define SQ_KEY_PURPOSE_COUNT     3u
#define SQ_KEYRING_IDENTITY_BYTES (1u + SQ_KEYBYTES + SQ_KEY_PURPOSE_COUNT * SQ_KEYBYTES)
#define SQ_KEYRING_BODY2_BYTES   (SQ_KEYRING_BODY_BYTES + SQ_KEYRING_IDENTITY_BYTES)
/* the level's share set after the identity (FORMAT.md 13): 574 bytes, a
 * keyring with it is 13699 bytes, still 4 blocks per copy */
#define SQ_SHARES_VERSION        1u
#define SQ_SHARES_GROUPS         16u
#define SQ_SHARES_SUPERSEDED     32u
#define SQ_SHARES_SECRET_MAX     32u
#define SQ_KEYRING_SHARES_BYTES  (1u + 1u + 1u + 2u + 1u + 1u + 4u + 8u + 1u + 1u + 2u * SQ_SHARES_GROUPS \
                                  + SQ_SHARES_SECRET_MAX + 32u + 1u + SQ_SHARES_SUPERSEDED * 14u + 8u)
#define SQ_KEYRING_BODY3_BYTES   (SQ_KEYRING_BODY2_BYTES + SQ_KEYRING_SHARES_BYTES)

typedef enum {
    SQ_OBJ_ROOT = 1,
    SQ_OBJ_INDEX = 2,
    SQ_OBJ_RECORDS = 3,
    SQ_OBJ_KEYRING = 4,
    SQ_OBJ_FREELIST = 5
} sq_obj_type;

typedef struct {
    uint64_t start;
    uint32_t count;
} sq_extent;

/* A reference to an object stored twice (FORMAT.md section 6). An all-zero
 * reference (nblocks == 0) means "absent" where the format allows it. */
typedef struct {
    uint64_t block_a, block_b;
    uint32_t nblocks;
    uint32_t entries;
    uint8_t  hash_a[SQ_HASH_BYTES], hash_b[SQ_HASH_BYTES];
} sq_objref;

typedef struct {
    uint32_t  format_version;
    uint8_t   vault_id[SQ_VAULTID_BYTES];
    uint64_t  generation;
    uint64_t  committed_length;
    uint32_t  level;
    uint32_t  flags;                  /* SQ_ROOT_FLAG_* */
    uint8_t   kdf_profile;
    int64_t   created;
    int64_t   committed_at;
    uint8_t   slots_mac[SQ_HASH_BYTES];
    uint8_t   has_lower;
    uint8_t   lower_key[SQ_KEYBYTES]; /* secret: the struct lives in secret memory */
    uint64_t  lower_anchors[4];
    sq_objref keyring;
    sq_objref freelist;               /* nblocks == 0: empty */
    uint8_t   n_index;
    sq_objref index[SQ_MAX_SEGMENTS];
    uint8_t   n_records;
    sq_objref records[SQ_MAX_SEGMENTS];
} sq_root;

#define SQ_ROOT_FLAG_GROWABLE 1u

/* A document record (FORMAT.md section 8). Strings are owned (malloc'd),
 * not NUL-terminated inside the format but kept with a NUL for convenience. */
typedef struct {
    uint8_t    doc_id[SQ_DOCID_BYTES];
    uint8_t    write_salt[32];
    uint64_t   size;
    int64_t    added;
    int64_t    mtime;
    uint8_t    sha256[32];
    char      *name;      size_t name_len;
    char      *case_id;   size_t case_len;
    char      *note;      size_t note_len;
    sq_extent *extents;   uint32_t n_extents;
} sq_doc;

typedef enum { SQ_IDX_PUT = 1, SQ_IDX_DELETE = 2 } sq_idx_op;

typedef struct {
    sq_idx_op op;
    sq_doc    doc;        /* for DELETE only doc.doc_id is meaningful */
} sq_idx_entry;

typedef struct {
    sq_idx_entry *entries;
    uint32_t      count;
    uint32_t      cap;
} sq_index_segment;

typedef struct {
    uint8_t  type;
    int64_t  time;
    uint16_t len;
    uint8_t *body;        /* owned */
} sq_record;

typedef struct {
    sq_record *records;
    uint32_t   count;
    uint32_t   cap;
} sq_record_segment;

typedef enum { SQ_SLOT_PASSPHRASE = 1, SQ_SLOT_RAWKEY = 2 } sq_slot_kind;

typedef struct {
    uint8_t slot;
    uint8_t kind;
    uint8_t kek_a[SQ_KEYBYTES], kcmt_a[SQ_KEYBYTES];
    uint8_t kek_b[SQ_KEYBYTES], kcmt_b[SQ_KEYBYTES];
    int64_t created;
    uint8_t label_len;
    char    label[SQ_MAX_LABEL_BYTES + 1];
} sq_keyring_entry;

/* A level's identity (FORMAT.md 13): its age X25519 secret and one Ed25519
 * seed per purpose (sq_key_purpose order: export, checkpoint, shares). */
typedef struct {
    uint8_t x25519[SQ_KEYBYTES];
    uint8_t ed25519_seed[SQ_KEY_PURPOSE_COUNT][SQ_KEYBYTES];
} sq_level_identity;

/* A set this level had before (FORMAT.md 13): for "replaced on ..." */
typedef struct {
    uint16_t id;
    uint32_t generation;
    int64_t  ended;
} sq_share_superseded;

/* The level's share set (FORMAT.md 13, 17). state 0: none (generation
 * keeps the last set's number); state 1: the raw-key slot `slot` opens
 * with master_secret. */
typedef struct {
    uint8_t  state;
    uint8_t  slot;
    uint16_t id;
    uint8_t  exponent;
    uint8_t  secret_len;
    uint32_t generation;
    int64_t  created;
    uint8_t  group_threshold, group_count;
    uint8_t  member_threshold[SQ_SHARES_GROUPS], member_count[SQ_SHARES_GROUPS];
    uint8_t  master_secret[SQ_SHARES_SECRET_MAX];
    uint8_t  seed[32];
    uint8_t  n_superseded;
    sq_share_superseded superseded[SQ_SHARES_SUPERSEDED];
    uint64_t wipe_pending;    /* slots this level stopped listing, not yet surely wiped */
} sq_share_state;

/* The keyring holds secrets: callers allocate it with sq_secret_alloc. */
typedef struct {
    uint32_t          count;
    sq_keyring_entry  entries[SQ_SLOT_COUNT];
    bool              has_identity;   /* false only for a level made before identities */
    sq_level_identity identity;
    sq_share_state    shares;         /* all zero for a keyring written before share sets */
} sq_keyring;

typedef struct {
    sq_extent *quarantine; uint32_t n_quarantine;
    sq_extent *scrub;      uint32_t n_scrub;
} sq_freelist;

/* ---- _parse / _serialize. Serializers write into a caller buffer of cap
 * bytes and set *len; SQ_ERR_LIMIT if it does not fit. Parsers read exactly
 * len bytes (trailing bytes: SQ_ERR_FORMAT) and cap every count before
 * allocating (SQ_ERR_LIMIT). Parsed structures are freed with _free. ---- */
sq_err sq_root_serialize(uint8_t *out, size_t cap, size_t *len, const sq_root *root);
sq_err sq_root_parse(sq_root *root, const uint8_t *in, size_t len);

sq_err sq_index_segment_serialize(uint8_t *out, size_t cap, size_t *len, const sq_index_segment *seg);
size_t sq_index_segment_size(const sq_index_segment *seg);     /* exact serialized size */
sq_err sq_index_segment_parse(sq_index_segment *seg, const uint8_t *in, size_t len);
void   sq_index_segment_free(sq_index_segment *seg);            /* frees contents, keeps seg */
sq_err sq_index_segment_push(sq_index_segment *seg, sq_idx_op op, const sq_doc *doc); /* deep copy */

sq_err sq_doc_copy(sq_doc *dst, const sq_doc *src);  /* deep copy */
void   sq_doc_clear(sq_doc *doc);                     /* frees contents */
bool   sq_doc_extents_valid(const sq_doc *doc);      /* block total matches size (FORMAT.md 8) */
uint64_t sq_doc_chunks(uint64_t size);
uint64_t sq_doc_ct_len(uint64_t size);
uint64_t sq_doc_blocks(uint64_t size);

sq_err sq_record_segment_serialize(uint8_t *out, size_t cap, size_t *len, const sq_record_segment *seg);
size_t sq_record_segment_size(const sq_record_segment *seg);
sq_err sq_record_segment_parse(sq_record_segment *seg, const uint8_t *in, size_t len);
void   sq_record_segment_free(sq_record_segment *seg);
sq_err sq_record_segment_push(sq_record_segment *seg, uint8_t type, int64_t time,
                              const uint8_t *body, size_t body_len);    /* copies body */

/* The keyring body is SQ_KEYRING_BODY3_BYTES with an identity (and the
 * share set section) and SQ_KEYRING_BODY_BYTES without; _parse also reads
 * SQ_KEYRING_BODY2_BYTES (an identity, no share section: state 0).
 * _serialize pads the entries with zeros
 * (*len is that length; cap below it: SQ_ERR_LIMIT), _parse refuses any
 * other length, any non-zero padding and an identity version other than 1
 * (SQ_ERR_FORMAT). */
sq_err sq_keyring_serialize(uint8_t *out, size_t cap, size_t *len, const sq_keyring *kr);
sq_err sq_keyring_parse(sq_keyring *kr, const uint8_t *in, size_t len);

sq_err sq_freelist_serialize(uint8_t *out, size_t cap, size_t *len, const sq_freelist *fl);
size_t sq_freelist_size(const sq_freelist *fl);
sq_err sq_freelist_parse(sq_freelist *fl, const uint8_t *in, size_t len);
void   sq_freelist_free(sq_freelist *fl);

void   sq_objref_serialize(uint8_t out[SQ_OBJREF_BYTES], const sq_objref *ref);
void   sq_objref_parse(sq_objref *ref, const uint8_t in[SQ_OBJREF_BYTES]);

#endif
