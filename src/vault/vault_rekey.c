/* vault_rekey.c: a new level key (FORMAT.md 13, "rekey"): every document
 * re-encrypted under a fresh write_salt, every object rewritten, the ways in
 * presented in this session moved to fresh slot indices, every other slot
 * wiped, and every old block scrubbed once the new state is durable. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "util/io.h"
#include "util/random.h"
#include "util/secret.h"
#include "vault/object.h"
#include "vault/vault_internal.h"

enum { REC_REKEYED = 8 };

/* The keyring entry (of this level) that pass opens, or -1. */
static int
way_in_of(sq_vault *v, sq_secret_view pass)
{
    sq_slot_plain *plains = sq_secret_alloc(sizeof *plains * SQ_SLOT_COUNT);
    uint8_t       *a = sq_secret_alloc(32);
    bool           found[SQ_SLOT_COUNT];
    int            at = -1;

    if (plains == NULL || a == NULL)
        goto out;
    for (int area = 0; area < 2 && at < 0; area++) {
        if (sq_slot_a_passphrase(a, v->kdf_profile, pass.bytes, pass.len,
                                 sq_header_salt(v->header, area)) != SQ_OK)
            goto out;
        if (sq_slot_scan(plains, found, v->header, area, a) == 0)
            continue;
        for (uint32_t e = 0; e < v->k->keyring.count && at < 0; e++) {
            unsigned i = v->k->keyring.entries[e].slot;
            if (found[i] && sodium_memcmp(plains[i].level_key, v->k->lk, 32) == 0)
                at = (int)e;
        }
    }
out:
    sq_secret_free(plains, sizeof *plains * SQ_SLOT_COUNT);
    sq_secret_free(a, 32);
    return at;
}

/* every block of the old state, as extents (the bitmap before rekey) */
static sq_err
old_blocks(const sq_vault *v, sq_extent_list *out)
{
    uint64_t b = 0;
    sq_err   ret = SQ_OK;

    while (b < v->committed_blocks && ret == SQ_OK) {
        if (!sq_bm_test(v, b)) {
            b++;
            continue;
        }
        uint64_t s = b;
        while (b < v->committed_blocks && sq_bm_test(v, b) && b - s < UINT32_MAX)
            b++;
        ret = sq_extent_list_push(out, s, b - s);
    }
    return ret;
}

sq_err
sq_vault_rekey(sq_vault *v, const sq_secret_view *keep, size_t n_keep, sq_progress_fn progress,
               void *pctx)
{
    sq_vault_keys    *old = NULL;
    sq_keyring       *kr = NULL;
    int              *kept = NULL;         /* keyring entries to keep, by old position */
    sq_extent_list          oldb = {0};
    sq_index_segment  seg = {0};
    sq_record_segment recs = {0};
    sq_slot_plain     plain;
    uint64_t          done = 0, total = 0, taken = 0;
    uint8_t           used_new[SQ_SLOT_COUNT] = {0};
    sq_header        *oldhdr = NULL, *step = NULL;
    bool              switched = false;
    sq_err            ret = SQ_ERR_NOMEM;

    if (sq_write_gate(v) != SQ_OK)
        return sq_write_gate(v);
    if (v->dirty || v->keyring_dirty || v->n_freed > 0)
        return SQ_ERR_INVALID;             /* rekey is a session of its own */
    if (n_keep + 1 > SQ_SLOT_COUNT)
        return SQ_ERR_LIMIT;
    if ((old = sq_secret_alloc(sizeof *old)) == NULL || (kr = sq_secret_alloc(sizeof *kr)) == NULL ||
        (kept = calloc(n_keep + 1, sizeof *kept)) == NULL)
        goto out;
    /* 1. every kept way in must be one of this level's; the session's own first */
    kept[0] = -1;
    for (uint32_t e = 0; e < v->k->keyring.count; e++)
        if (v->k->keyring.entries[e].slot == v->session_slot)
            kept[0] = (int)e;
    ret = SQ_ERR_AUTH;
    if (v->rawkey_session) {
        sq_set_detail(v, "this session opened with shares: add a passphrase, open with it, then rekey");
        ret = SQ_ERR_INVALID;
        goto out;
    }
    if (kept[0] < 0 || v->k->pass_len == 0)
        goto out;
    for (size_t i = 0; i < n_keep; i++) {
        if ((kept[i + 1] = way_in_of(v, keep[i])) < 0) {
            sq_set_detail(v, "a passphrase to keep does not open this vault");
            goto out;
        }
    }
    /* 2. the old state: keys, every record, every block */
    *old = *v->k;
    for (unsigned s = 0; s < v->n_recs; s++)
        if ((ret = sq_load_records(v, &v->recs[s])) != SQ_OK)
            goto out;
    if ((ret = old_blocks(v, &oldb)) != SQ_OK)
        goto out;
    for (unsigned s = 0; s < v->n_recs; s++)
        for (uint32_t r = 0; r < v->recs[s].seg.count && ret == SQ_OK; r++)
            ret = sq_record_segment_push(&recs, v->recs[s].seg.records[r].type,
                                         v->recs[s].seg.records[r].time,
                                         v->recs[s].seg.records[r].body, v->recs[s].seg.records[r].len);
    if (ret != SQ_OK)
        goto out;
    {
        uint8_t body = (uint8_t)(n_keep + 1);
        if ((ret = sq_record_segment_push(&recs, REC_REKEYED, sq_now(), &body, 1)) != SQ_OK)
            goto out;
    }
    /* the share set ends with the old level key: rekey is the remedy after
     * a hostile departure, and a share holder may be the one who left */
    if (v->k->keyring.shares.state == 1) {
        const sq_share_state *sh = &v->k->keyring.shares;
        uint8_t drop[7] = { (uint8_t)sh->id, (uint8_t)(sh->id >> 8), (uint8_t)sh->generation,
                            (uint8_t)(sh->generation >> 8), (uint8_t)(sh->generation >> 16),
                            (uint8_t)(sh->generation >> 24), 1 /* cause: rekey */ };
        if ((ret = sq_record_segment_push(&recs, SQ_REC_SHARES_DROPPED, sq_now(), drop, sizeof drop)) != SQ_OK)
            goto out;
    }
    /* 3. the new level key and anchors */
    sq_random_buf(plain.level_key, sizeof plain.level_key);
    for (int a = 0; a < 4; a++) {
        uint8_t rnd[SQ_BLOCK_BYTES];
        if ((ret = sq_alloc_contig(v, 1, &plain.anchors[a])) != SQ_OK)
            goto out;
        sq_random_buf(rnd, sizeof rnd);
        if ((ret = sq_io_pwrite_all(v->fd, rnd, sizeof rnd, sq_block_offset(plain.anchors[a]))) != SQ_OK)
            goto out;
    }
    /* 4. every document under the new key */
    sq_view_build(v);
    for (size_t i = 0; i < v->n_view; i++)
        total += v->view[i]->size;
    for (size_t i = 0; i < v->n_view; i++) {
        sq_doc    nd;
        sq_damage dmg = {0};
        const sq_doc *d = v->view[i];
        if ((ret = sq_doc_reencrypt(v, &nd, d, old->lk, plain.level_key, &dmg)) != SQ_OK) {
            if (ret == SQ_ERR_DAMAGED)
                sq_set_detail(v, "document '%.*s' is damaged (chunk %llu failed authentication)",
                              (int)(d->name_len > 200 ? 200 : d->name_len), d->name,
                              (unsigned long long)dmg.chunk);
            goto out;
        }
        ret = sq_index_segment_push(&seg, SQ_IDX_PUT, &nd);
        sq_doc_clear(&nd);
        if (ret != SQ_OK)
            goto out;
        done += d->size;
        if (progress != NULL)
            progress(pctx, done, total);
    }
    /* 5. the new keyring: each kept way in at a fresh index under two fresh
     * salts (new KEKs: a KEK kept from any earlier state opens nothing). The
     * new header is built in memory; step 7 writes it in an order that
     * never lets one passphrase reach two levels in the same area. */
    if ((oldhdr = malloc(sizeof *oldhdr)) == NULL) {
        ret = SQ_ERR_NOMEM;
        goto out;
    }
    *oldhdr = *v->header;
    sq_random_buf(v->header->bytes, sizeof v->header->bytes);   /* salts and every slot */
    memset(kr, 0, sizeof *kr);
    /* the identity stays: partners pin its public keys (FORMAT.md 13) */
    if ((ret = sq_vault_identity_ensure(v)) != SQ_OK)
        goto out;
    kr->has_identity = true;
    kr->identity = v->k->keyring.identity;
    kr->shares = v->k->keyring.shares;
    (void)sq_shares_drop(&kr->shares, sq_now());   /* its slot is not kept */
    kr->shares.wipe_pending = 0;                   /* the new header has every slot anew */
    for (unsigned i = 0; i < SQ_SLOT_COUNT; i++)
        used_new[i] = 0;
    for (uint32_t e = 0; e < v->k->keyring.count; e++)
        used_new[v->k->keyring.entries[e].slot] = 1;   /* never reuse an old index */
    for (size_t k = 0; k < n_keep + 1; k++) {
        bool dup = false;
        for (size_t j = 0; j < k; j++)
            dup |= kept[j] == kept[k];
        if (dup)
            continue;                      /* the same way in presented twice */
        unsigned free_count = 0, pick, idx = SQ_SLOT_COUNT;
        for (unsigned i = 0; i < SQ_SLOT_COUNT; i++)
            free_count += !used_new[i];
        if (free_count == 0) {
            ret = SQ_ERR_LIMIT;
            goto out;
        }
        pick = (unsigned)sq_random_uniform(free_count);
        for (unsigned i = 0; i < SQ_SLOT_COUNT && idx == SQ_SLOT_COUNT; i++)
            if (!used_new[i] && pick-- == 0)
                idx = i;
        used_new[idx] = 2;
        const sq_keyring_entry *oe = &old->keyring.entries[kept[k]];
        char label[SQ_MAX_LABEL_BYTES + 1];
        memcpy(label, oe->label, oe->label_len);
        label[oe->label_len] = '\0';
        sq_secret_view pv = k == 0 ? (sq_secret_view){old->pass, old->pass_len} : keep[k - 1];
        if ((ret = sq_make_way_in(v, &kr->entries[kr->count], idx, v->kdf_profile, pv, label,
                                  &plain)) != SQ_OK)
            goto out;
        if (k == 0)
            v->session_slot = idx;
        kr->count++;
        taken++;
    }
    /* 6. switch the session to the new level key and write the new state;
     * from here a failure leaves the session unusable for writing (its keys
     * no longer match what is durable) */
    switched = true;
    memcpy(v->k->lk, plain.level_key, 32);
    sq_level_keys(v->k);
    v->k->plain = plain;
    v->k->keyring = *kr;
    {
        sq_root *nr = &v->k->root;
        sq_freelist fl = {oldb.e, (uint32_t)oldb.n, NULL, 0};
        size_t cap, len = 0;
        uint8_t *buf;

        memset(&nr->keyring, 0, sizeof nr->keyring);
        memset(&nr->freelist, 0, sizeof nr->freelist);
        nr->n_index = 0;
        nr->n_records = 0;
        /* index */
        if (seg.count > 0) {
            cap = sq_index_segment_size(&seg);
            if ((buf = sq_secret_alloc(cap)) == NULL) { ret = SQ_ERR_NOMEM; goto out; }
            if ((ret = sq_index_segment_serialize(buf, cap, &len, &seg)) == SQ_OK)
                ret = sq_write_object(v, SQ_OBJ_INDEX, buf, len, &nr->index[0]);
            sq_secret_free(buf, cap);
            if (ret != SQ_OK) goto out;
            nr->index[0].entries = seg.count;
            nr->n_index = 1;
        }
        /* records */
        cap = sq_record_segment_size(&recs);
        if ((buf = sq_secret_alloc(cap)) == NULL) { ret = SQ_ERR_NOMEM; goto out; }
        if ((ret = sq_record_segment_serialize(buf, cap, &len, &recs)) == SQ_OK)
            ret = sq_write_object(v, SQ_OBJ_RECORDS, buf, len, &nr->records[0]);
        sq_secret_free(buf, cap);
        if (ret != SQ_OK) goto out;
        nr->records[0].entries = recs.count;
        nr->n_records = 1;
        /* keyring */
        cap = SQ_KEYRING_BODY3_BYTES;
        if ((buf = sq_secret_alloc(cap)) == NULL) { ret = SQ_ERR_NOMEM; goto out; }
        if ((ret = sq_keyring_serialize(buf, cap, &len, kr)) == SQ_OK)
            ret = sq_write_object(v, SQ_OBJ_KEYRING, buf, len, &nr->keyring);
        sq_secret_free(buf, cap);
        if (ret != SQ_OK) goto out;
        nr->keyring.entries = kr->count;
        /* free list: every old block waits in quarantine for the second commit */
        cap = sq_freelist_size(&fl);
        if ((buf = malloc(cap)) == NULL) { ret = SQ_ERR_NOMEM; goto out; }
        if ((ret = sq_freelist_serialize(buf, cap, &len, &fl)) == SQ_OK)
            ret = sq_write_object(v, SQ_OBJ_FREELIST, buf, len, &nr->freelist);
        free(buf);
        if (ret != SQ_OK) goto out;
        if ((ret = sq_fill_fresh(v)) != SQ_OK || (ret = sq_io_fdatasync(v->fd)) != SQ_OK)
            goto out;
        nr->generation = old->root.generation + 1;
        nr->committed_length = sq_block_offset(v->nblocks);
        nr->committed_at = sq_now();
        /* slots_mac over the new slots: wrap them in memory first */
        uint64_t mask = sq_keyring_owned(kr);
        sq_slots_mac(nr->slots_mac, v->k->kslotmac, v->header, mask);
        /* 7. durable new root, then the slot areas in three durable steps.
         * Unlock scans area B only when nothing opened in area A, so:
         *  a. area A: new salt, every slot random; area B: only the kept
         *     ways in's old slots survive (removed ones stop opening);
         *  b. area A: the new slots (the kept passphrases now reach the new
         *     level; before this they reach the old one through area B);
         *  c. area B: new salt and the new slots.
         * A cut anywhere leaves each passphrase reaching exactly one level:
         * the old one until b is durable, the new one after. */
        if ((ret = sq_write_root(v, nr, plain.anchors, v->k->kmeta)) != SQ_OK)
            goto out;
        if ((step = malloc(sizeof *step)) == NULL) {
            ret = SQ_ERR_NOMEM;
            goto out;
        }
        *step = *v->header;
        sq_random_buf(step->bytes, sizeof step->bytes);
        memcpy(step->bytes, sq_header_salt(v->header, 0), 32);               /* new salt_A */
        memcpy(step->bytes + SQ_SALT_B_OFFSET, sq_header_salt(oldhdr, 1), 32); /* old salt_B */
        for (size_t k = 0; k < n_keep + 1; k++) {
            unsigned i = old->keyring.entries[kept[k]].slot;
            memcpy(sq_header_slot(step, 1, i), sq_header_slot_c(oldhdr, 1, i), SQ_SLOT_BYTES);
        }
        if ((ret = sq_io_pwrite_all(v->fd, step->bytes, sizeof step->bytes, 0)) != SQ_OK ||
            (ret = sq_io_fdatasync(v->fd)) != SQ_OK ||
            (ret = sq_io_pwrite_all(v->fd, v->header->bytes, SQ_SALT_B_OFFSET, 0)) != SQ_OK ||
            (ret = sq_io_fdatasync(v->fd)) != SQ_OK ||
            (ret = sq_io_pwrite_all(v->fd, v->header->bytes + SQ_SALT_B_OFFSET,
                                    sizeof v->header->bytes - SQ_SALT_B_OFFSET, SQ_SALT_B_OFFSET)) != SQ_OK ||
            (ret = sq_io_fdatasync(v->fd)) != SQ_OK)
            goto out;
    }
    /* 8. reload under the new key, then the second commit scrubs every old block */
    sq_vault_unload(v);
    if ((ret = sq_load_state(v)) != SQ_OK)
        goto out;
    v->dirty = true;
    ret = sq_commit(v);
out:
    (void)taken;
    if (ret != SQ_OK && switched) {
        v->writable = false;
        if (v->detail[0] == '\0')
            sq_set_detail(v, "rekey failed; reopen the vault to see its state");
    }
    (void)sq_fail_writes(v, ret);
    if (ret != SQ_OK && oldhdr != NULL && !switched)
        *v->header = *oldhdr;              /* nothing was written: the session goes on */
    free(oldhdr);
    free(step);
    sq_index_segment_free(&seg);
    sq_record_segment_free(&recs);
    free(oldb.e);
    free(kept);
    sq_secret_free(old, sizeof *old);
    sq_secret_free(kr, sizeof *kr);
    sodium_memzero(&plain, sizeof plain);
    return ret;
}
