/* sandyq/vault.h: the vault API of libsandyq. The library never prints and
 * never exits; the CLI (src/cli/) is a thin layer over these calls.
 *
 * A session: sq_vault_open (or sq_vault_create), any number of reads and
 * staged changes, sq_vault_commit (one commit for all staged changes),
 * sq_vault_close. Secrets passed in (passphrases) are copied into guarded
 * memory as needed; the caller wipes its own copy. */
#ifndef SANDYQ_VAULT_H
#define SANDYQ_VAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sandyq/error.h"

typedef struct sq_vault sq_vault;

/* sq_lib_init: sodium_init, process hardening (no core dumps, not dumpable,
 * RLIMIT_MEMLOCK raised), secret arenas. Call once before anything else. */
sq_err sq_lib_init(void);

/* Passphrase bytes as read (UTF-8, one trailing \n or \r\n already stripped
 * by the caller or not: sq_passphrase_prepare strips it). */
typedef struct {
    const uint8_t *bytes;
    size_t         len;
} sq_secret_view;

/* sq_vault_create: new vault file at path (refuses an existing path:
 * SQ_ERR_EXISTS). kdf: "standard", "strong" or "test" (test only with
 * SANDYQ_INSECURE_TEST_KDF=1: SQ_ERR_INVALID otherwise). label may be NULL. */
sq_err sq_vault_create(const char *path, const char *kdf, bool growable,
                       sq_secret_view passphrase, const char *label);

/* sq_vault_open: unlock. writable takes an exclusive lock (SQ_ERR_LOCKED if
 * held), otherwise a shared one. Every unlock failure before a slot opened is
 * SQ_ERR_AUTH (wrong passphrase, not a vault, damaged slot area alike). */
sq_err sq_vault_open(sq_vault **out, const char *path, bool writable, sq_secret_view passphrase);
void   sq_vault_close(sq_vault *v);   /* NULL ok; drops staged changes, wipes keys */

typedef struct {
    const char    *name;     size_t name_len;    /* not NUL-terminated-safe: use the length */
    const char    *case_id;  size_t case_len;
    const char    *note;     size_t note_len;
    uint64_t       size;
    int64_t        added;
    int64_t        mtime;
    uint8_t        sha256[32];
} sq_doc_info;

/* Documents are listed in byte order of their names; indices are valid until
 * the next change. Pointers inside sq_doc_info live as long as the vault. */
size_t sq_vault_count(const sq_vault *v);
void   sq_vault_doc_at(const sq_vault *v, size_t index, sq_doc_info *out);
/* sq_vault_find: by name (normalized like add, matched under case folding). */
sq_err sq_vault_find(const sq_vault *v, const char *name, size_t name_len, size_t *index);

typedef void (*sq_progress_fn)(void *ctx, uint64_t done, uint64_t total);

typedef struct {
    const char *name;     size_t name_len;   /* NFC-normalized and validated by the library */
    const char *case_id;  size_t case_len;   /* may be NULL/0 */
    const char *note;     size_t note_len;   /* may be NULL/0 */
    bool        replace;                     /* an existing name is replaced */
    sq_progress_fn progress; void *progress_ctx;
} sq_add_opts;

/* sq_vault_add_fd: stream fd to its end into a new document (staged until
 * sq_vault_commit). If fd is a regular file it must not change while read
 * (size, mtime, ctime compared before and after: SQ_ERR_CHANGED). */
sq_err sq_vault_add_fd(sq_vault *v, int fd, const sq_add_opts *opts);

typedef struct {
    uint64_t chunk;          /* the chunk that failed, on SQ_ERR_DAMAGED */
} sq_damage;

/* sq_vault_extract: write document index's plaintext to out_fd, each chunk
 * only after it authenticated. On SQ_ERR_DAMAGED, damage->chunk names the
 * chunk; chunks before it were already written (callers writing to a file
 * write to a temporary and discard it). */
sq_err sq_vault_extract(sq_vault *v, size_t index, int out_fd, sq_damage *damage,
                        sq_progress_fn progress, void *progress_ctx);
/* sq_vault_note_extracted: stage an "extracted" custody record. */
sq_err sq_vault_note_extracted(sq_vault *v, size_t index);

sq_err sq_vault_remove(sq_vault *v, size_t index);                 /* staged */
sq_err sq_vault_rename(sq_vault *v, size_t index, const char *new_name, size_t new_len); /* staged */

/* sq_vault_commit: one durable commit of everything staged (FORMAT.md 9).
 * After rm it also performs the second commit and scrubs freed blocks.
 * Any failure of a commit, and any I/O failure of add, passphrase or rekey
 * operations, ends writing through this handle: later writes return
 * SQ_ERR_IO without touching the file, which stays at its last durable
 * commit; reopen to go on. A failed sync is never retried (a second fsync
 * can "succeed" over pages the kernel already dropped). */
sq_err sq_vault_commit(sq_vault *v);

typedef enum {
    SQ_CHECK_DOC_DAMAGED,     /* a committed document failed authentication: error */
    SQ_CHECK_STATE_DAMAGED,   /* root/index/records/keyring unreadable: error */
    SQ_CHECK_TRUNCATED,       /* the file is shorter than committed: error */
    SQ_CHECK_STALE_COPY,      /* one redundant copy bad (expected after a crash): warning */
    SQ_CHECK_SLOTS_CHANGED    /* the slot area differs from what the level committed: warning */
} sq_check_kind;

typedef void (*sq_check_fn)(void *ctx, sq_check_kind kind, const char *name, size_t name_len,
                            uint64_t chunk, const char *what);

/* sq_vault_check: authenticate every block the current state uses. Returns
 * SQ_OK when there was no error (warnings allowed), SQ_ERR_DAMAGED otherwise. */
sq_err sq_vault_check(sq_vault *v, sq_check_fn report, void *ctx,
                      sq_progress_fn progress, void *progress_ctx);

typedef struct {
    uint64_t file_bytes;
    uint64_t committed_bytes;
    uint64_t free_bytes;
    uint64_t documents;
    uint64_t content_bytes;   /* sum of document sizes */
    uint64_t generation;
    uint8_t  fingerprint[16];
    const char *kdf;          /* profile name */
    bool     growable;
    uint32_t level;
    uint32_t format_version;
    uint32_t ways_in;         /* keyring entries of this level */
    int64_t  created;
} sq_vault_info_t;

sq_err sq_vault_info(const sq_vault *v, sq_vault_info_t *out);

typedef struct {
    uint8_t     slot;
    bool        passphrase;   /* false: raw key */
    bool        current;      /* the way in that opened this session */
    int64_t     created;
    const char *label;        /* NUL-terminated, may be "" */
} sq_way_in;

size_t sq_vault_ways_count(const sq_vault *v);
void   sq_vault_way_at(const sq_vault *v, size_t i, sq_way_in *out);

/* Slot changes commit themselves (they touch the slot areas, FORMAT.md 13). */
sq_err sq_vault_passphrase_add(sq_vault *v, sq_secret_view passphrase, const char *label);
/* remove the way in at slot; SQ_ERR_LAST_WAY_IN if it is the only one */
sq_err sq_vault_passphrase_remove(sq_vault *v, uint8_t slot);
/* change the passphrase of the way in that opened this session */
sq_err sq_vault_passphrase_change(sq_vault *v, sq_secret_view new_passphrase);

/* sq_vault_rekey: new level key, every document re-encrypted, the session's
 * passphrase and each of keep[] moved to fresh slots, every other slot wiped,
 * old blocks scrubbed after the new state is durable. keep[] entries must be
 * current ways in (SQ_ERR_AUTH otherwise). */
sq_err sq_vault_rekey(sq_vault *v, const sq_secret_view *keep, size_t n_keep,
                      sq_progress_fn progress, void *progress_ctx);

/* ---- the level's identity (FORMAT.md 13) ----
 * Each level holds an age X25519 key and one Ed25519 signing key per
 * purpose, inside its encrypted keyring: the secrets never leave the
 * library; only public keys come out. */
typedef enum {
    SQ_KEY_EXPORT = 0,       /* signs exported bundles */
    SQ_KEY_CHECKPOINT = 1,   /* signs custody-log checkpoints */
    SQ_KEY_SHARES = 2        /* signs split-key share certificates */
} sq_key_purpose;
#define SQ_KEY_PURPOSES 3

typedef struct {
    uint8_t x25519[32];                  /* age recipient of the level */
    uint8_t ed25519[SQ_KEY_PURPOSES][32];
} sq_level_public;

/* sq_vault_identity_public: the level's public keys. SQ_ERR_NOTFOUND for a
 * level made before identities that has not committed since (a writable
 * session gives it one with sq_vault_identity_ensure). */
sq_err sq_vault_identity_public(const sq_vault *v, sq_level_public *out);
/* sq_vault_identity_ensure: stages a fresh identity for a level without
 * one (the next sq_vault_commit writes it; every commit does this anyway);
 * SQ_OK at once when the level has one. Writable sessions only. */
sq_err sq_vault_identity_ensure(sq_vault *v);

/* sq_passphrase_prepare: strip one trailing \n or \r\n, check UTF-8, refuse
 * empty, NFC-normalize into out (secret memory of out_cap bytes). */
sq_err sq_passphrase_prepare(uint8_t *out, size_t out_cap, size_t *out_len, const uint8_t *in, size_t in_len);

/* sq_vault_last_detail: for the CLI's messages, a short lowercase detail of
 * the last failure of this vault ("chunk 12 failed authentication"), or "".
 * With v == NULL: the detail of this thread's last failed sq_vault_open
 * (empty for SQ_ERR_AUTH before a slot opened: those failures are alike). */
const char *sq_vault_last_detail(const sq_vault *v);

#endif
