/* vault_open.c: locking, the uniform unlock, loading a level's state. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crypto/derive.h"
#include "crypto/kdf.h"
#include "util/hardening.h"
#include "util/io.h"
#include "util/random.h"
#include "util/secret.h"
#include "util/utf8.h"
#include "vault/object.h"
#include "sandyq/shares.h"
#include "vault/vault_internal.h"

void
sq_set_detail(sq_vault *v, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(v->detail, sizeof v->detail, fmt, ap);
    va_end(ap);
}

/* the detail of the last failed sq_vault_open, for sq_vault_last_detail(NULL) */
static _Thread_local char open_detail[256];

const char *
sq_vault_last_detail(const sq_vault *v)
{
    return v != NULL ? v->detail : open_detail;
}

int64_t
sq_now(void)
{
    return (int64_t)time(NULL);
}

sq_err
sq_lib_init(void)
{
    if (sodium_init() < 0)
        return SQ_ERR_NOMEM;
    if (sq_harden_process() != SQ_OK)
        return SQ_ERR_IO;
    return sq_secret_init() ? SQ_OK : SQ_ERR_NOMEM;
}

sq_err
sq_passphrase_prepare(uint8_t *out, size_t out_cap, size_t *out_len, const uint8_t *in, size_t in_len)
{
    *out_len = 0;
    if (in_len > 0 && in[in_len - 1] == '\n') {
        in_len--;
        if (in_len > 0 && in[in_len - 1] == '\r')
            in_len--;
    }
    if (in_len == 0)
        return SQ_ERR_INVALID;
    return sq_utf8_nfc(out, out_cap, out_len, in, in_len);
}

sq_err
sq_level_keys(sq_vault_keys *k)
{
    sq_derive(k->kmeta, k->lk, "sandyq/v1/meta-key", NULL, 0);
    sq_derive(k->khash, k->lk, "sandyq/v1/objref-key", NULL, 0);
    sq_derive(k->kslotmac, k->lk, "sandyq/v1/slot-mac", NULL, 0);
    sq_derive(k->kfpr, k->lk, "sandyq/v1/fingerprint", NULL, 0);
    return SQ_OK;
}

/* Read the four anchors with the keys of k->lk; the authentic copy of the
 * highest generation whose parity matches its pair wins (FORMAT.md 7). */
static sq_err
load_root(int fd, uint64_t file_blocks, sq_vault_keys *k, const uint64_t anchors[4], sq_root *out)
{
    uint8_t        raw[SQ_BLOCK_BYTES];
    uint8_t       *plain = NULL;
    const uint8_t *body;
    size_t         body_len, plain_len = SQ_BLOCK_BYTES - SQ_OBJ_OVERHEAD;
    sq_root       *cand = NULL;
    bool           found = false;
    sq_err         ret = SQ_ERR_NOMEM;

    if ((plain = sq_secret_alloc(plain_len)) == NULL ||
        (cand = sq_secret_alloc(sizeof *cand)) == NULL)
        goto out;
    for (int a = 0; a < 4; a++) {
        if (anchors[a] >= file_blocks)
            continue;
        if (sq_io_pread_all(fd, raw, sizeof raw, sq_block_offset(anchors[a])) != SQ_OK)
            continue;
        if (sq_object_open(plain, &body, &body_len, raw, 1, k->kmeta, NULL, 0, SQ_OBJ_ROOT,
                           anchors[a]) != SQ_OK)
            continue;
        if (sq_root_parse(cand, body, body_len) != SQ_OK)
            continue;
        if ((cand->generation % 2) != (uint64_t)(a / 2))
            continue;                      /* a copy moved to the other pair */
        if (!found || cand->generation > out->generation) {
            *out = *cand;
            found = true;
        }
    }
    ret = found ? SQ_OK : SQ_ERR_DAMAGED;
out:
    sq_secret_free(plain, plain_len);
    sq_secret_free(cand, sizeof *cand);
    sodium_memzero(raw, sizeof raw);
    return ret;
}

bool
sq_root_copy_generation(sq_vault *v, uint64_t block, uint64_t *gen)
{
    uint8_t        raw[SQ_BLOCK_BYTES];
    uint8_t       *plain = sq_secret_alloc(SQ_BLOCK_BYTES - SQ_OBJ_OVERHEAD);
    sq_root       *r = sq_secret_alloc(sizeof *r);
    const uint8_t *body;
    size_t         body_len;
    bool           ok = false;

    if (plain != NULL && r != NULL && block < v->committed_blocks &&
        sq_io_pread_all(v->fd, raw, sizeof raw, sq_block_offset(block)) == SQ_OK &&
        sq_object_open(plain, &body, &body_len, raw, 1, v->k->kmeta, NULL, 0, SQ_OBJ_ROOT, block) == SQ_OK &&
        sq_root_parse(r, body, body_len) == SQ_OK) {
        *gen = r->generation;
        ok = true;
    }
    sq_secret_free(plain, SQ_BLOCK_BYTES - SQ_OBJ_OVERHEAD);
    sq_secret_free(r, sizeof *r);
    return ok;
}

typedef enum { SLOT_LISTED, SLOT_UNLISTED, SLOT_KEYRING_UNREADABLE } slot_listing;

/* Whether the level reached through slot i (keys in v->k, root in *root)
 * lists slot i in its keyring: a slot that opens but is not listed is a
 * spliced or half-removed one (FORMAT.md 13) and is passed over. A keyring
 * that cannot be read (damage, truncation) says nothing either way. */
static slot_listing
slot_registered(sq_vault *v, const sq_root *root, unsigned i)
{
    sq_keyring    *kr = sq_secret_alloc(sizeof *kr);
    uint8_t       *plain = NULL;
    size_t         plain_len = 0, body_len = 0;
    const uint8_t *body = NULL;
    slot_listing   r = SLOT_KEYRING_UNREADABLE;

    if (kr == NULL)
        return r;
    v->k->root = *root;                    /* the object AD binds its vault id and level */
    v->committed_blocks = (root->committed_length - SQ_HEADER_BYTES) / SQ_BLOCK_BYTES;
    if (sq_read_object(v, &root->keyring, SQ_OBJ_KEYRING, &plain, &plain_len, &body, &body_len, NULL) == SQ_OK &&
        sq_keyring_parse(kr, body, body_len) == SQ_OK) {
        r = SLOT_UNLISTED;
        for (uint32_t e = 0; e < kr->count; e++)
            if (kr->entries[e].slot == i)
                r = SLOT_LISTED;
    }
    sq_secret_free(plain, plain_len);
    sq_secret_free(kr, sizeof *kr);
    return r;
}

/* The uniform unlock (FORMAT.md 4): per profile, Argon2id with salt A and a
 * full scan of area A; only if nothing opened, the same with salt B. Among
 * the slots that opened and are registered by the level they reach, the one
 * whose root has the highest generation; two different level keys for one
 * passphrase are refused as tampering. A slot whose level is sound but does
 * not list it is not a way in (SQ_ERR_AUTH with a detail): a power cut
 * inside passphrase add, change or remove leaves exactly that, and the
 * passphrase must then behave as before the command. Otherwise, once a slot
 * opened, failures are precise (SQ_ERR_DAMAGED with a detail). */
static sq_err
unlock(sq_vault *v, sq_secret_view pass, bool rawkey, uint64_t file_blocks)
{
    sq_slot_plain *plains = NULL;
    uint8_t       *a = NULL;
    sq_root       *root = NULL, *best = NULL;
    bool           found[SQ_SLOT_COUNT];
    int            profiles[3], n_profiles = 0;
    bool           opened = false, any_slot = false, two_levels = false, unlisted = false;
    bool           unreadable = false, cut = false;
    sq_err         ret = SQ_ERR_NOMEM;

    if ((plains = sq_secret_alloc(sizeof *plains * SQ_SLOT_COUNT)) == NULL ||
        (a = sq_secret_alloc(32)) == NULL || (root = sq_secret_alloc(sizeof *root)) == NULL ||
        (best = sq_secret_alloc(sizeof *best)) == NULL)
        goto out;
    if (rawkey) {
        profiles[n_profiles++] = -1;       /* no KDF: the key is already uniform */
    } else if (sq_kdf_test_allowed()) {
        profiles[n_profiles++] = SQ_KDF_TEST;
    } else {
        profiles[n_profiles++] = SQ_KDF_STANDARD;
        profiles[n_profiles++] = SQ_KDF_STRONG;
    }
    ret = SQ_ERR_AUTH;
    for (int p = 0; p < n_profiles && !any_slot; p++) {
        for (int area = 0; area < 2 && !any_slot; area++) {
            sq_err kr = SQ_OK;
            if (rawkey)
                sq_slot_a_rawkey(a, pass.bytes, pass.len, sq_header_salt(v->header, area));
            else
                kr = sq_slot_a_passphrase(a, profiles[p], pass.bytes, pass.len,
                                          sq_header_salt(v->header, area));
            if (kr != SQ_OK) {
                ret = kr;
                goto out;
            }
            if (sq_slot_scan(plains, found, v->header, area, a) == 0)
                continue;
            any_slot = true;
            for (unsigned i = 0; i < SQ_SLOT_COUNT; i++) {
                if (!found[i])
                    continue;
                memcpy(v->k->lk, plains[i].level_key, 32);
                sq_level_keys(v->k);
                if (load_root(v->fd, file_blocks, v->k, plains[i].anchors, root) != SQ_OK)
                    continue;
                slot_listing l = slot_registered(v, root, i);
                if (l == SLOT_KEYRING_UNREADABLE) {
                    unreadable = true;
                    cut |= root->committed_length > SQ_HEADER_BYTES + file_blocks * SQ_BLOCK_BYTES;
                    continue;
                }
                if (l == SLOT_UNLISTED) {
                    unlisted = true;
                    continue;
                }
                if (opened && sodium_memcmp(v->k->plain.level_key, plains[i].level_key, 32) != 0) {
                    two_levels = true;
                    continue;
                }
                if (!opened || root->generation > best->generation) {
                    *best = *root;
                    v->k->plain = plains[i];
                    v->session_slot = i;
                    v->kdf_profile = profiles[p];
                    opened = true;
                }
            }
        }
    }
    if (two_levels) {
        sq_set_detail(v, "two different level keys open with this passphrase (the slot area was tampered with)");
        ret = SQ_ERR_DAMAGED;
    } else if (opened) {
        memcpy(v->k->lk, v->k->plain.level_key, 32);
        sq_level_keys(v->k);
        v->k->root = *best;
        ret = SQ_OK;
    } else if (unreadable && cut) {
        sq_set_detail(v, "the vault file is shorter than its last commit");
        ret = SQ_ERR_TRUNCATED;
    } else if (unlisted && !unreadable) {
        sq_set_detail(v, "the passphrase matches a slot its level does not list "
                         "(left by an interrupted passphrase change, or planted)");
        ret = SQ_ERR_AUTH;
    } else if (any_slot) {
        sq_set_detail(v, "the passphrase opened a slot, but the roots of its level are damaged");
        ret = SQ_ERR_DAMAGED;
    }
out:
    sq_secret_free(plains, sizeof *plains * SQ_SLOT_COUNT);
    sq_secret_free(a, 32);
    sq_secret_free(root, sizeof *root);
    sq_secret_free(best, sizeof *best);
    return ret;
}

static sq_err
claim_ref(sq_vault *v, const sq_objref *ref)
{
    if (!sq_bm_claim(v, ref->block_a, ref->nblocks) || !sq_bm_claim(v, ref->block_b, ref->nblocks))
        return SQ_ERR_DAMAGED;
    return SQ_OK;
}

static sq_err
claim_extents(sq_vault *v, const sq_extent *e, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!sq_bm_claim(v, e[i].start, e[i].count))
            return SQ_ERR_DAMAGED;
    return SQ_OK;
}

/* Apply the index segments: for each doc_id the newest entry decides (put:
 * live, delete: gone). Walks newest to oldest with a hash set of the doc_ids
 * seen: O(entries). */
static sq_err
build_live(sq_vault *v)
{
    size_t     total = 0, cap = 16;
    uint32_t  *set = NULL;           /* position + 1 in refs[]; 0 = empty */
    sq_doc   **refs = NULL;          /* the entries seen, by set position */
    sq_err     ret = SQ_OK;

    for (unsigned s = 0; s < v->n_segs; s++)
        total += v->segs[s].seg.count;
    uint64_t   mul[2];
    unsigned   bits = 4;

    while (cap < total * 2) {
        cap *= 2;
        bits++;
    }
    memcpy(&mul[0], v->hash_key, 8);
    memcpy(&mul[1], v->hash_key + 8, 8);
    mul[0] |= 1;
    mul[1] |= 1;
    if ((set = calloc(cap, sizeof *set)) == NULL || (refs = malloc((total + 1) * sizeof *refs)) == NULL) {
        free(set);
        return SQ_ERR_NOMEM;
    }
    size_t n_refs = 0;
    for (unsigned s = v->n_segs; s-- > 0 && ret == SQ_OK;) {
        for (uint32_t e = v->segs[s].seg.count; e-- > 0 && ret == SQ_OK;) {
            sq_idx_entry *ent = &v->segs[s].seg.entries[e];
            uint64_t      x, y, h;
            size_t        j;
            bool          seen = false;

            /* multiply-shift over both halves with the session's random odd
             * multipliers: crafted doc ids cannot aim at one bucket */
            memcpy(&x, ent->doc.doc_id, 8);
            memcpy(&y, ent->doc.doc_id + 8, 8);
            h = (x * mul[0] + y * mul[1]) >> (64 - bits);
            for (j = h & (cap - 1); set[j] != 0; j = (j + 1) & (cap - 1))
                if (memcmp(refs[set[j] - 1]->doc_id, ent->doc.doc_id, SQ_DOCID_BYTES) == 0) {
                    seen = true;
                    break;
                }
            if (seen)
                continue;                  /* a newer entry decided */
            refs[n_refs] = &ent->doc;
            set[j] = (uint32_t)++n_refs;
            if (ent->op != SQ_IDX_PUT)
                continue;
            sq_doc *d = &ent->doc;
            if (v->n_docs >= SQ_MAX_DOCUMENTS) {
                ret = SQ_ERR_LIMIT;
                break;
            }
            if (sq_names_find(v, d->name, d->name_len) != SIZE_MAX) {
                sq_set_detail(v, "the index holds two documents with the same name");
                ret = SQ_ERR_DAMAGED;
                break;
            }
            if ((ret = sq_live_push(v, d)) != SQ_OK)
                break;
            if (claim_extents(v, d->extents, d->n_extents) != SQ_OK) {
                sq_set_detail(v, "the index places two documents on the same blocks");
                ret = SQ_ERR_DAMAGED;
            }
        }
    }
    free(set);
    free(refs);
    return ret;
}

sq_err
sq_load_state(sq_vault *v)
{
    sq_root       *r = &v->k->root;
    uint8_t       *plain = NULL;
    size_t         plain_len = 0, body_len = 0;
    const uint8_t *body = NULL;
    sq_err         ret;

    v->committed_blocks = (r->committed_length - SQ_HEADER_BYTES) / SQ_BLOCK_BYTES;
    if ((ret = sq_bm_resize(v, v->committed_blocks)) != SQ_OK)
        return ret;
    memset(v->used, 0, v->used_words * sizeof *v->used);
    sq_random_buf(v->hash_key, sizeof v->hash_key);
    for (int a = 0; a < 4; a++)
        if (!sq_bm_claim(v, v->k->plain.anchors[a], 1))
            goto damaged;
    /* keyring */
    if (claim_ref(v, &r->keyring) != SQ_OK)
        goto damaged;
    ret = sq_read_object(v, &r->keyring, SQ_OBJ_KEYRING, &plain, &plain_len, &body, &body_len, NULL);
    if (ret == SQ_OK)
        ret = sq_keyring_parse(&v->k->keyring, body, body_len);
    sq_secret_free(plain, plain_len);
    plain = NULL;
    if (ret != SQ_OK) {
        sq_set_detail(v, "the keyring of this level is damaged");
        return ret == SQ_ERR_NOMEM ? ret : SQ_ERR_DAMAGED;
    }
    /* free list */
    if (r->freelist.nblocks != 0) {
        if (claim_ref(v, &r->freelist) != SQ_OK)
            goto damaged;
        ret = sq_read_object(v, &r->freelist, SQ_OBJ_FREELIST, &plain, &plain_len, &body,
                             &body_len, NULL);
        if (ret == SQ_OK)
            ret = sq_freelist_parse(&v->freelist, body, body_len);
        sq_secret_free(plain, plain_len);
        plain = NULL;
        if (ret != SQ_OK) {
            sq_set_detail(v, "the free list is damaged");
            return ret == SQ_ERR_NOMEM ? ret : SQ_ERR_DAMAGED;
        }
        if (claim_extents(v, v->freelist.quarantine, v->freelist.n_quarantine) != SQ_OK ||
            claim_extents(v, v->freelist.scrub, v->freelist.n_scrub) != SQ_OK)
            goto damaged;
    }
    /* index segments, through one pair of buffers sized for the largest:
     * fresh memory is slow to touch, and the segments are read back to back */
    v->n_segs = r->n_index;
    {
        uint32_t most = 0;
        uint8_t *raw = NULL;
        for (unsigned s = 0; s < r->n_index; s++) {
            v->segs[s].ref = r->index[s];
            if (claim_ref(v, &r->index[s]) != SQ_OK)
                goto damaged;
            if (r->index[s].nblocks > most)
                most = r->index[s].nblocks;
        }
        plain_len = (size_t)most * SQ_BLOCK_BYTES - SQ_OBJ_OVERHEAD;
        if (most > 0 && ((raw = malloc((size_t)most * SQ_BLOCK_BYTES)) == NULL ||
                         (plain = sq_secret_alloc(plain_len)) == NULL)) {
            free(raw);
            return SQ_ERR_NOMEM;
        }
        ret = SQ_OK;
        for (unsigned s = 0; s < r->n_index && ret == SQ_OK; s++) {
            ret = sq_read_object_into(v, &r->index[s], SQ_OBJ_INDEX, raw, plain, &body, &body_len, NULL);
            if (ret == SQ_OK)
                ret = sq_index_segment_parse(&v->segs[s].seg, body, body_len);
            if (ret != SQ_OK)
                sq_set_detail(v, "index segment %u is damaged", s);
        }
        free(raw);
        sq_secret_free(plain, plain_len);
        plain = NULL;
        if (ret != SQ_OK)
            return ret == SQ_ERR_NOMEM ? ret : SQ_ERR_DAMAGED;
    }
    /* record segments: located now, read only when a merge needs them */
    v->n_recs = r->n_records;
    for (unsigned s = 0; s < r->n_records; s++) {
        v->recs[s].ref = r->records[s];
        if (claim_ref(v, &r->records[s]) != SQ_OK)
            goto damaged;
    }
    if ((ret = build_live(v)) != SQ_OK)
        return ret;
    return SQ_OK;
damaged:
    sq_set_detail(v, "the state references blocks twice or beyond the committed end");
    return SQ_ERR_DAMAGED;
}

void
sq_vault_unload(sq_vault *v)
{
    for (unsigned s = 0; s < v->n_segs; s++)
        sq_index_segment_free(&v->segs[s].seg);
    for (unsigned s = 0; s < v->n_recs; s++)
        if (v->recs[s].loaded)
            sq_record_segment_free(&v->recs[s].seg);
    memset(v->segs, 0, sizeof v->segs);
    memset(v->recs, 0, sizeof v->recs);
    v->n_segs = v->n_recs = 0;
    sq_freelist_free(&v->freelist);
    memset(&v->freelist, 0, sizeof v->freelist);
    for (size_t i = 0; i < v->n_pending; i++) {
        sq_doc_clear(v->pending[i]);
        free(v->pending[i]);
    }
    free(v->pending);
    free(v->pending_fresh);
    v->pending = NULL;
    v->pending_fresh = NULL;
    v->n_pending = v->cap_pending = 0;
    free(v->deletes);
    v->deletes = NULL;
    v->n_deletes = v->cap_deletes = 0;
    free(v->freed);
    v->freed = NULL;
    v->n_freed = v->cap_freed = 0;
    sq_record_segment_free(&v->staged_recs);
    memset(&v->staged_recs, 0, sizeof v->staged_recs);
    free(v->live);
    v->live = NULL;
    v->n_live = v->cap_live = v->n_docs = 0;
    sq_names_free(&v->names);
    free(v->view);
    v->view = NULL;
    v->n_view = 0;
    v->view_dirty = true;
    v->dirty = v->keyring_dirty = v->second_commit = false;
}

/* Open and lock the vault file; check that the path still names it. */
static sq_err
open_locked(sq_vault *v, const char *path, bool writable)
{
    struct stat a, b;
    int         flags = (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NOFOLLOW;

    if ((v->fd = open(path, flags)) < 0) {
        int e = errno;
        if (e == ENOENT)
            return SQ_ERR_NOTFOUND;
        return sq_errno_to_err(e);
    }
    if (flock(v->fd, (writable ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0)
        return errno == EWOULDBLOCK ? SQ_ERR_LOCKED : SQ_ERR_IO;
    if (fstat(v->fd, &a) != 0 || stat(path, &b) != 0 || a.st_dev != b.st_dev || a.st_ino != b.st_ino)
        return SQ_ERR_LOCKED;             /* replaced while we took the lock */
    if (!S_ISREG(a.st_mode))
        return SQ_ERR_UNSUPPORTED;
    return SQ_OK;
}

static sq_vault *
vault_alloc(const char *path)
{
    sq_vault *v = calloc(1, sizeof *v);

    if (v == NULL)
        return NULL;
    v->fd = -1;
    v->view_dirty = true;
    if ((v->path = strdup(path)) == NULL || (v->header = calloc(1, sizeof *v->header)) == NULL ||
        (v->k = sq_secret_alloc(sizeof *v->k)) == NULL || (v->chunk = sq_chunk_ctx_new()) == NULL) {
        sq_vault_close(v);
        return NULL;
    }
    return v;
}

/* Open with a passphrase, or (tests and fuzzing only: plain != NULL) with a
 * known slot plaintext, skipping the KDF. */
static sq_err
open_common(sq_vault **out, const char *path, bool writable, sq_secret_view pass, bool rawkey,
            const sq_slot_plain *plain, unsigned slot)
{
    sq_vault   *v = NULL;
    struct stat st;
    uint64_t    file_blocks = 0;
    size_t      got = 0;
    sq_err      ret = SQ_ERR_NOMEM;

    *out = NULL;
    open_detail[0] = '\0';
    if ((v = vault_alloc(path)) == NULL)
        goto out;
    v->writable = writable;
    if ((ret = open_locked(v, path, writable)) != SQ_OK)
        goto out;
    if (fstat(v->fd, &st) != 0) {
        ret = SQ_ERR_IO;
        goto out;
    }
    if ((uint64_t)st.st_size > SQ_HEADER_BYTES)
        file_blocks = ((uint64_t)st.st_size - SQ_HEADER_BYTES) / SQ_BLOCK_BYTES;
    /* A short or foreign file still costs the full unlock: one answer, one timing. */
    if ((ret = sq_io_read_full(v->fd, v->header->bytes, sizeof v->header->bytes, &got)) != SQ_OK)
        goto out;
    (void)got;
    if (plain != NULL) {
        v->k->plain = *plain;
        memcpy(v->k->lk, plain->level_key, 32);
        sq_level_keys(v->k);
        v->session_slot = slot;
        v->kdf_profile = SQ_KDF_TEST;
        if ((ret = load_root(v->fd, file_blocks, v->k, plain->anchors, &v->k->root)) != SQ_OK)
            goto out;
    } else if ((ret = unlock(v, pass, rawkey, file_blocks)) != SQ_OK) {
        goto out;
    }
    v->rawkey_session = rawkey;
    if (rawkey)
        v->kdf_profile = v->k->root.kdf_profile;   /* for passphrases this session adds */
    else if (pass.bytes != NULL && pass.len <= sizeof v->k->pass) {
        memcpy(v->k->pass, pass.bytes, pass.len);  /* secret memory; for rekey */
        v->k->pass_len = pass.len;
    }
    if ((uint64_t)st.st_size < v->k->root.committed_length) {
        v->truncated = true;
        /* a crafted root must not size the bitmap: 2^40 blocks is 128 GiB of it */
        if (v->k->root.committed_length - (uint64_t)st.st_size > (uint64_t)st.st_size + ((uint64_t)1 << 30)) {
            sq_set_detail(v, "the vault file is far shorter than its last commit");
            ret = SQ_ERR_TRUNCATED;
            goto out;
        }
    }
    if ((ret = sq_load_state(v)) != SQ_OK)
        goto out;
    /* the way in that opened must belong to this level (FORMAT.md 13) */
    ret = SQ_ERR_AUTH;
    for (uint32_t i = 0; i < v->k->keyring.count; i++)
        if (v->k->keyring.entries[i].slot == v->session_slot)
            ret = SQ_OK;
    if (ret != SQ_OK) {
        sq_set_detail(v, "the slot that opened is not registered in this level");
        goto out;
    }
    if (writable) {
        if (v->truncated) {
            sq_set_detail(v, "the vault file is shorter than its last commit");
            ret = SQ_ERR_TRUNCATED;
            goto out;
        }
        /* drop the remains of an interrupted growth, finish an interrupted scrub */
        if ((uint64_t)st.st_size > v->k->root.committed_length &&
            (ret = sq_io_ftruncate(v->fd, v->k->root.committed_length)) != SQ_OK)
            goto out;
        if ((ret = sq_scrub(v, v->freelist.scrub, v->freelist.n_scrub, v->k->root.generation, true)) != SQ_OK)
            goto out;
        /* and the wipes of removed ways in that a kill or an error cut short */
        if ((ret = sq_finish_wipes(v)) != SQ_OK)
            goto out;
    }
    *out = v;
    v = NULL;
    ret = SQ_OK;
out:
    if (v != NULL && ret != SQ_OK)
        snprintf(open_detail, sizeof open_detail, "%s", ret == SQ_ERR_AUTH && v->detail[0] == '\0' ? "" : v->detail);
    {
        int saved = errno;                 /* the CLI names the cause: keep it across cleanup */
        sq_vault_close(v);
        errno = saved;
    }
    return ret;
}

sq_err
sq_vault_open(sq_vault **out, const char *path, bool writable, sq_secret_view pass)
{
    return open_common(out, path, writable, pass, false, NULL, 0);
}

sq_err
sq_vault_open_rawkey(sq_vault **out, const char *path, bool writable, const uint8_t *key,
                     size_t key_len)
{
    *out = NULL;
    if (key == NULL || (key_len != 16 && key_len != 32))
        return SQ_ERR_INVALID;
    return open_common(out, path, writable, (sq_secret_view){key, key_len}, true, NULL, 0);
}

sq_err
sq_vault_open_keyed(sq_vault **out, const char *path, bool writable, const sq_slot_plain *plain,
                    unsigned slot)
{
    return open_common(out, path, writable, (sq_secret_view){NULL, 0}, false, plain, slot);
}

void
sq_vault_close(sq_vault *v)
{
    if (v == NULL)
        return;
    sq_vault_unload(v);
    if (v->fd >= 0)
        close(v->fd);                      /* releases the flock */
    sq_chunk_ctx_free(v->chunk);
    sq_secret_free(v->k, sizeof *v->k);
    free(v->used);
    free(v->header);
    free(v->path);
    free(v);
}
