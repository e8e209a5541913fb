/* vault_slots.c: creating a vault and changing its ways in (FORMAT.md 4, 13). */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "crypto/kdf.h"
#include "util/bytes.h"
#include "util/io.h"
#include "util/random.h"
#include "util/secret.h"
#include "vault/vault_internal.h"

#define INITIAL_BLOCKS 64u                /* 256 KiB of blocks; growth is Padmé-sized */

enum { REC_CREATED = 1 };

uint64_t
sq_keyring_owned(const sq_keyring *kr)
{
    uint64_t m = 0;

    for (uint32_t i = 0; i < kr->count; i++)
        m |= 1ull << kr->entries[i].slot;
    return m;
}

/* Fill a keyring entry for slot i from the passphrase (profile >= 0: two
 * Argon2id runs, one per salt) or the raw key (profile < 0), and wrap the
 * level's slot plaintext into slot i of both areas (in memory). */
static sq_err
make_way_in(sq_vault *v, sq_keyring_entry *e, unsigned i, int profile, sq_secret_view pass,
            const char *label, const sq_slot_plain *plain)
{
    uint8_t *a = sq_secret_alloc(32);
    sq_err   ret = SQ_ERR_NOMEM;

    if (a == NULL)
        return ret;
    memset(e, 0, sizeof *e);
    e->slot = (uint8_t)i;
    e->kind = profile >= 0 ? SQ_SLOT_PASSPHRASE : SQ_SLOT_RAWKEY;
    e->created = sq_now();
    if (label != NULL) {
        size_t n = strlen(label);
        if (n > SQ_MAX_LABEL_BYTES) {
            ret = SQ_ERR_LIMIT;
            goto out;
        }
        memcpy(e->label, label, n);
        e->label_len = (uint8_t)n;
    }
    for (int area = 0; area < 2; area++) {
        const uint8_t *salt = sq_header_salt(v->header, area);
        uint8_t *kek = area == 0 ? e->kek_a : e->kek_b, *kcmt = area == 0 ? e->kcmt_a : e->kcmt_b;
        if (profile < 0)
            sq_slot_a_rawkey(a, pass.bytes, pass.len, salt);
        else if ((ret = sq_slot_a_passphrase(a, profile, pass.bytes, pass.len, salt)) != SQ_OK)
            goto out;
        sq_slot_keys(kek, kcmt, a, salt, i);
        sq_slot_wrap(sq_header_slot(v->header, area, i), plain, kek, kcmt, salt, i);
    }
    ret = SQ_OK;
out:
    sq_secret_free(a, 32);
    return ret;
}

sq_err
sq_make_way_in(sq_vault *v, sq_keyring_entry *e, unsigned i, int profile, sq_secret_view pass,
               const char *label, const sq_slot_plain *plain)
{
    if (profile < 0)
        return SQ_ERR_INVALID;             /* a passphrase always has a KDF profile */
    return make_way_in(v, e, i, profile, pass, label, plain);
}

sq_err
sq_make_rawkey_way_in(sq_vault *v, sq_keyring_entry *e, unsigned i, const uint8_t *key,
                      size_t key_len, const char *label, const sq_slot_plain *plain)
{
    return make_way_in(v, e, i, -1, (sq_secret_view){key, key_len}, label, plain);
}

sq_err
sq_write_slot(sq_vault *v, unsigned i)
{
    sq_err ret;

    for (int area = 0; area < 2; area++)
        if ((ret = sq_io_pwrite_all(v->fd, sq_header_slot(v->header, area, i), SQ_SLOT_BYTES,
                                    sq_header_slot_offset(area, i))) != SQ_OK)
            return sq_fail_writes(v, ret);
    return sq_fail_writes(v, sq_io_fdatasync(v->fd));
}

sq_err
sq_wipe_slot(sq_vault *v, unsigned i)
{
    sq_err ret;

    for (int area = 0; area < 2; area++)
        sq_random_buf(sq_header_slot(v->header, area, i), SQ_SLOT_BYTES);
    if ((ret = sq_write_slot(v, i)) != SQ_OK)
        return ret;
    v->k->keyring.shares.wipe_pending &= ~(1ull << i);
    return SQ_OK;
}

/* retire: the wipe of a slot the durable root no longer lists, then a
 * commit that records it done (FORMAT.md 13 wipe_pending), so a later
 * writable open has nothing to redo and writes nothing */
static sq_err
retire(sq_vault *v, unsigned i)
{
    sq_err ret;

    if ((ret = sq_wipe_slot(v, i)) != SQ_OK)
        return ret;
    v->keyring_dirty = true;
    return sq_vault_commit(v);
}

sq_err
sq_retire_slot(sq_vault *v, unsigned i)
{
    return retire(v, i);
}

sq_err
sq_finish_wipes(sq_vault *v)
{
    uint64_t due = v->k->keyring.shares.wipe_pending;
    sq_err   ret;

    if (due == 0)
        return SQ_OK;                      /* the usual case: no write at open */
    for (unsigned i = 0; i < SQ_SLOT_COUNT; i++)
        if (((due >> i) & 1) && (ret = sq_wipe_slot(v, i)) != SQ_OK)
            return ret;
    v->keyring_dirty = true;
    return sq_vault_commit(v);
}

sq_err
sq_record_slot(sq_vault *v, uint8_t type, const sq_keyring_entry *e)
{
    uint8_t buf[3 + SQ_MAX_LABEL_BYTES];
    size_t  n = 1;

    buf[0] = e->slot;
    if (type == SQ_REC_SLOT_ADDED) {
        buf[1] = e->kind;
        buf[2] = e->label_len;
        memcpy(buf + 3, e->label, e->label_len);
        n = 3 + e->label_len;
    }
    return sq_stage_record(v, type, buf, n);
}

unsigned
sq_free_slot_index(const sq_vault *v)
{
    /* a slot still due for its wipe is not reused: its wipe would destroy
     * the new way in (FORMAT.md 13 wipe_pending) */
    uint64_t owned = sq_keyring_owned(&v->k->keyring) | v->k->keyring.shares.wipe_pending;
    unsigned free_count = (unsigned)(SQ_SLOT_COUNT - __builtin_popcountll(owned));
    unsigned pick = (unsigned)sq_random_uniform(free_count);

    for (unsigned i = 0; i < SQ_SLOT_COUNT; i++)
        if (!(owned & (1ull << i)) && pick-- == 0)
            return i;
    abort();                               /* callers check that a slot is free */
}

sq_err
sq_vault_create(const char *path, const char *kdf, bool growable, sq_secret_view pass, const char *label)
{
    sq_kdf_profile profile;
    sq_vault      *v = NULL;
    char          *tmp = NULL;
    uint8_t        filler[SQ_HEADER_BYTES - SQ_HEADER_USED_BYTES];
    uint8_t        kind = 0;
    sq_err         ret = SQ_ERR_INVALID;

    if (!sq_kdf_profile_parse(&profile, kdf != NULL ? kdf : "standard"))
        return SQ_ERR_INVALID;
    if (profile == SQ_KDF_TEST && !sq_kdf_test_allowed())
        return SQ_ERR_INVALID;
    if (access(path, F_OK) == 0)
        return SQ_ERR_EXISTS;
    if ((v = calloc(1, sizeof *v)) == NULL)
        return SQ_ERR_NOMEM;
    v->fd = -1;
    v->writable = true;
    v->view_dirty = true;
    ret = SQ_ERR_NOMEM;
    if ((v->path = strdup(path)) == NULL || (v->header = calloc(1, sizeof *v->header)) == NULL ||
        (v->k = sq_secret_alloc(sizeof *v->k)) == NULL || (v->chunk = sq_chunk_ctx_new()) == NULL ||
        (tmp = malloc(strlen(path) + 64)) == NULL)
        goto out;
    /* built under a temporary name and linked into place complete: a crash
     * never leaves a half-made vault under the user's name */
    {
        uint8_t r[8];
        sq_random_buf(r, sizeof r);
        sprintf(tmp, "%s.sandyq-new-%02x%02x%02x%02x%02x%02x%02x%02x", path, r[0], r[1], r[2], r[3],
                r[4], r[5], r[6], r[7]);
    }
    if ((v->fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0) {
        ret = sq_errno_to_err(errno);
        goto out_nofile;
    }
    if (flock(v->fd, LOCK_EX | LOCK_NB) != 0) {
        ret = SQ_ERR_LOCKED;
        goto out;
    }
    sq_random_buf(v->header->bytes, sizeof v->header->bytes);
    sq_random_buf(filler, sizeof filler);
    if ((ret = sq_io_pwrite_all(v->fd, v->header->bytes, sizeof v->header->bytes, 0)) != SQ_OK ||
        (ret = sq_io_pwrite_all(v->fd, filler, sizeof filler, SQ_HEADER_USED_BYTES)) != SQ_OK)
        goto out;
    if ((ret = sq_bm_resize(v, INITIAL_BLOCKS)) != SQ_OK)
        goto out;
    if ((ret = sq_io_fallocate(v->fd, SQ_HEADER_BYTES, (uint64_t)INITIAL_BLOCKS * SQ_BLOCK_BYTES)) != SQ_OK)
        goto out;
    v->committed_blocks = 0;               /* every unused block gets random bytes at commit */
    sq_random_buf(v->k->plain.level_key, SQ_KEYBYTES);
    for (int a = 0; a < 4; a++) {
        uint8_t rnd[SQ_BLOCK_BYTES];
        if ((ret = sq_alloc_contig(v, 1, &v->k->plain.anchors[a])) != SQ_OK)
            goto out;
        sq_random_buf(rnd, sizeof rnd);    /* the unused pair looks like the rest */
        if ((ret = sq_io_pwrite_all(v->fd, rnd, sizeof rnd, sq_block_offset(v->k->plain.anchors[a]))) != SQ_OK)
            goto out;
    }
    memcpy(v->k->lk, v->k->plain.level_key, SQ_KEYBYTES);
    sq_level_keys(v->k);
    v->kdf_profile = profile;
    v->session_slot = (unsigned)sq_random_uniform(SQ_SLOT_COUNT);
    if ((ret = sq_make_way_in(v, &v->k->keyring.entries[0], v->session_slot, profile, pass, label, &v->k->plain)) != SQ_OK)
        goto out;
    v->k->keyring.count = 1;
    if ((ret = sq_vault_identity_ensure(v)) != SQ_OK)
        goto out;
    if ((ret = sq_io_pwrite_all(v->fd, v->header->bytes, sizeof v->header->bytes, 0)) != SQ_OK)
        goto out;
    sq_root *r = &v->k->root;
    r->format_version = SQ_FORMAT_VERSION;
    sq_random_buf(r->vault_id, sizeof r->vault_id);
    r->generation = 0;                     /* the first commit makes it 1 */
    r->flags = growable ? SQ_ROOT_FLAG_GROWABLE : 0;
    r->flags |= SQ_ROOT_FLAG_GROWABLE;     /* until small vaults exist, every vault grows */
    r->kdf_profile = (uint8_t)profile;
    r->created = sq_now();
    v->keyring_dirty = true;
    kind = (uint8_t)profile;
    if ((ret = sq_stage_record(v, REC_CREATED, &kind, 1)) != SQ_OK ||
        (ret = sq_record_slot(v, SQ_REC_SLOT_ADDED, &v->k->keyring.entries[0])) != SQ_OK)
        goto out;
    if ((ret = sq_commit(v)) != SQ_OK)
        goto out;
    if ((ret = sq_io_fsync(v->fd)) != SQ_OK)
        goto out;
    /* through the I/O layer, so power-loss replay sees the name appear */
    if ((ret = sq_io_linkat(AT_FDCWD, tmp, AT_FDCWD, path, 0)) != SQ_OK)
        goto out;
    (void)sq_io_unlink(tmp);
    ret = sq_io_fsync_dir_of(path);
    goto out_nofile;
out:
    if (v != NULL && v->fd >= 0)
        (void)sq_io_unlink(tmp);
out_nofile:
    free(tmp);
    sq_vault_close(v);
    return ret;
}

size_t
sq_vault_ways_count(const sq_vault *v)
{
    return v->k->keyring.count;
}

void
sq_vault_way_at(const sq_vault *v, size_t i, sq_way_in *out)
{
    const sq_keyring_entry *e;

    if (i >= v->k->keyring.count)
        abort();                           /* misuse */
    e = &v->k->keyring.entries[i];
    out->slot = e->slot;
    out->passphrase = e->kind == SQ_SLOT_PASSPHRASE;
    out->current = e->slot == v->session_slot;
    out->created = e->created;
    out->label = e->label;
}

sq_err
sq_vault_passphrase_add(sq_vault *v, sq_secret_view pass, const char *label)
{
    sq_keyring *kr = &v->k->keyring;
    unsigned    i;
    sq_err      ret;

    if (sq_write_gate(v) != SQ_OK)
        return sq_write_gate(v);
    if (kr->count >= SQ_SLOT_COUNT)
        return SQ_ERR_LIMIT;
    i = sq_free_slot_index(v);
    if ((ret = sq_make_way_in(v, &kr->entries[kr->count], i, v->k->root.kdf_profile, pass, label, &v->k->plain)) != SQ_OK)
        return ret;
    /* the slot is durable before the root that lists it (FORMAT.md 13) */
    if ((ret = sq_write_slot(v, i)) != SQ_OK)
        return ret;
    kr->count++;
    v->keyring_dirty = true;
    if ((ret = sq_record_slot(v, SQ_REC_SLOT_ADDED, &kr->entries[kr->count - 1])) != SQ_OK)
        return ret;
    return sq_vault_commit(v);
}

sq_err
sq_keyring_remove_slot(sq_vault *v, uint8_t slot)
{
    sq_keyring *kr = &v->k->keyring;
    uint32_t    at = UINT32_MAX;
    sq_err      ret;

    for (uint32_t e = 0; e < kr->count; e++)
        if (kr->entries[e].slot == slot)
            at = e;
    if (at == UINT32_MAX)
        return SQ_ERR_NOTFOUND;
    if (kr->count == 1)
        return SQ_ERR_LAST_WAY_IN;
    if ((ret = sq_record_slot(v, SQ_REC_SLOT_REMOVED, &kr->entries[at])) != SQ_OK)
        return ret;
    /* due for a wipe from the commit that stops listing it, until one is
     * surely done: a kill or an I/O error between that commit and the wipe
     * must not leave a wrap of the current level key behind for good */
    kr->shares.wipe_pending |= 1ull << slot;
    kr->entries[at] = kr->entries[kr->count - 1];
    sodium_memzero(&kr->entries[kr->count - 1], sizeof kr->entries[0]);
    kr->count--;
    v->keyring_dirty = true;
    return SQ_OK;
}

sq_err
sq_vault_passphrase_remove(sq_vault *v, uint8_t slot)
{
    sq_err ret;

    if (sq_write_gate(v) != SQ_OK)
        return sq_write_gate(v);
    if (slot == v->session_slot && v->rawkey_session) {
        sq_set_detail(v, "this session opened with shares: remove the share set from a passphrase session");
        return SQ_ERR_INVALID;
    }
    {
        /* a level keeps a passphrase: with only a share set left, it could
         * neither rekey nor rotate (both need a passphrase session) */
        unsigned n_pass = 0;
        bool     is_pass = false;
        for (uint32_t e = 0; e < v->k->keyring.count; e++) {
            const sq_keyring_entry *en = &v->k->keyring.entries[e];
            n_pass += en->kind == SQ_SLOT_PASSPHRASE;
            is_pass |= en->slot == slot && en->kind == SQ_SLOT_PASSPHRASE;
        }
        if (is_pass && n_pass == 1) {
            sq_set_detail(v, "it is the level's last passphrase");
            return SQ_ERR_LAST_WAY_IN;
        }
    }
    if ((ret = sq_keyring_remove_slot(v, slot)) != SQ_OK)
        return ret;
    /* the share set's slot: removing it ends the set (FORMAT.md 13) */
    if (v->k->keyring.shares.state == 1 && v->k->keyring.shares.slot == slot) {
        sq_share_state *sh = &v->k->keyring.shares;
        uint8_t body[7];
        body[0] = (uint8_t)sh->id;
        body[1] = (uint8_t)(sh->id >> 8);
        for (int k = 0; k < 4; k++)
            body[2 + k] = (uint8_t)(sh->generation >> (8 * k));
        body[6] = 2;                           /* cause: the way in was removed */
        (void)sq_shares_drop(sh, sq_now());
        if ((ret = sq_stage_record(v, SQ_REC_SHARES_DROPPED, body, sizeof body)) != SQ_OK)
            return ret;
    }
    /* the root stops listing the slot first, then the slot is wiped */
    if ((ret = sq_vault_commit(v)) != SQ_OK)
        return ret;
    return retire(v, slot);
}

sq_err
sq_vault_passphrase_change(sq_vault *v, sq_secret_view pass)
{
    sq_keyring *kr = &v->k->keyring;
    unsigned    old = v->session_slot, i;
    char        label[SQ_MAX_LABEL_BYTES + 1] = "";
    sq_err      ret;

    if (sq_write_gate(v) != SQ_OK)
        return sq_write_gate(v);
    if (v->rawkey_session) {
        sq_set_detail(v, "this session opened with shares, not a passphrase: use 'passphrase add'");
        return SQ_ERR_INVALID;
    }
    if (kr->count >= SQ_SLOT_COUNT)
        return SQ_ERR_LIMIT;
    for (uint32_t e = 0; e < kr->count; e++)
        if (kr->entries[e].slot == old)
            memcpy(label, kr->entries[e].label, kr->entries[e].label_len);
    i = sq_free_slot_index(v);
    if ((ret = sq_make_way_in(v, &kr->entries[kr->count], i, v->k->root.kdf_profile, pass, label, &v->k->plain)) != SQ_OK)
        return ret;
    if ((ret = sq_write_slot(v, i)) != SQ_OK)
        return ret;
    kr->count++;
    if ((ret = sq_record_slot(v, SQ_REC_SLOT_ADDED, &kr->entries[kr->count - 1])) != SQ_OK)
        return ret;
    if ((ret = sq_keyring_remove_slot(v, (uint8_t)old)) != SQ_OK)
        return ret;
    v->session_slot = i;
    if ((ret = sq_vault_commit(v)) != SQ_OK)
        return ret;
    return retire(v, old);
}
