/* vault_commit.c: copy-on-write commits (FORMAT.md 9): new objects into free
 * blocks, fsync, the root into the pair that held g-1, fsync, then scrub what
 * the previous commit stopped using. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/derive.h"
#include "util/bytes.h"
#include "util/io.h"
#include "util/random.h"
#include "util/secret.h"
#include "vault/object.h"
#include "vault/vault_internal.h"

#define SCRUB_BUF (1u << 20)
/* merges stop below this size, so no segment nears the 64 MiB object cap */
#define MERGE_MAX_BYTES ((uint64_t)32 << 20)

sq_err
sq_extent_list_push(sq_extent_list *l, uint64_t start, uint64_t count)
{
    if (count == 0)
        return SQ_OK;
    if (l->n == l->cap) {
        size_t     cap = l->cap ? l->cap * 2 : 64;
        sq_extent *p = realloc(l->e, cap * sizeof *p);
        if (p == NULL)
            return SQ_ERR_NOMEM;
        l->e = p;
        l->cap = cap;
    }
    l->e[l->n].start = start;
    l->e[l->n].count = (uint32_t)count;
    l->n++;
    return SQ_OK;
}

static sq_err
list_push_ref(sq_extent_list *l, const sq_objref *ref)
{
    sq_err ret;

    if (ref->nblocks == 0)
        return SQ_OK;
    if ((ret = sq_extent_list_push(l, ref->block_a, ref->nblocks)) != SQ_OK)
        return ret;
    return sq_extent_list_push(l, ref->block_b, ref->nblocks);
}

sq_err
sq_stage_freed(sq_vault *v, uint64_t start, uint32_t count)
{
    if (v->n_freed == v->cap_freed) {
        size_t     cap = v->cap_freed ? v->cap_freed * 2 : 64;
        sq_extent *p = realloc(v->freed, cap * sizeof *p);
        if (p == NULL)
            return SQ_ERR_NOMEM;
        v->freed = p;
        v->cap_freed = cap;
    }
    v->freed[v->n_freed].start = start;
    v->freed[v->n_freed].count = count;
    v->n_freed++;
    return SQ_OK;
}

sq_err
sq_stage_record(sq_vault *v, uint8_t type, const uint8_t *body, size_t len)
{
    v->dirty = true;
    return sq_record_segment_push(&v->staged_recs, type, sq_now(), body, len);
}

/* The scrub pattern of block b after commit gen (FORMAT.md 9): the ChaCha20
 * keystream under H(K_gen, LE64(b)), K_gen from the level key and the
 * generation. A PRF output, not an encryption: no plaintext, and writing the
 * same pattern twice reveals nothing. Indistinguishable from random without
 * the level key, and recomputable, so a writer can tell an interrupted scrub
 * from a finished one by reading instead of rewriting (an O(note) commit
 * stays O(note)). */
static void
scrub_pattern(uint8_t *out, size_t blocks, const uint8_t gen_key[32], uint64_t first_block)
{
    static const uint8_t zero_nonce[8];
    uint8_t              bkey[32];         /* secret: wiped below */

    for (size_t k = 0; k < blocks; k++) {
        uint8_t le[8];
        sq_store_le64(le, first_block + k);
        sq_derive(bkey, gen_key, "sandyq/v1/scrub-block", le, sizeof le);
        crypto_stream_chacha20(out + k * SQ_BLOCK_BYTES, SQ_BLOCK_BYTES, zero_nonce, bkey);
    }
    sodium_memzero(bkey, sizeof bkey);
}

static void
scrub_key(uint8_t out[32], const sq_vault *v, uint64_t gen)
{
    uint8_t le[8];

    sq_store_le64(le, gen);
    sq_derive(out, v->k->lk, "sandyq/v1/scrub", le, sizeof le);
}

sq_err
sq_scrub(sq_vault *v, const sq_extent *ext, size_t n, uint64_t gen, bool only_if_needed)
{
    uint8_t *buf = NULL, *old = NULL;
    uint8_t  key[32];                      /* secret: wiped below */
    bool     wrote = false;
    sq_err   ret = SQ_OK;

    if (n == 0)
        return SQ_OK;
    scrub_key(key, v, gen);
    if ((buf = malloc(SCRUB_BUF)) == NULL || (only_if_needed && (old = malloc(SCRUB_BUF)) == NULL)) {
        ret = SQ_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < n && ret == SQ_OK; i++) {
        uint64_t b = ext[i].start, left = ext[i].count;
        while (left > 0 && ret == SQ_OK) {
            size_t blocks = left < SCRUB_BUF / SQ_BLOCK_BYTES ? (size_t)left : SCRUB_BUF / SQ_BLOCK_BYTES;
            size_t len = blocks * SQ_BLOCK_BYTES;
            scrub_pattern(buf, blocks, key, b);
            if (only_if_needed && b + blocks <= v->nblocks &&
                sq_io_pread_all(v->fd, old, len, sq_block_offset(b)) == SQ_OK &&
                memcmp(old, buf, len) == 0) {
                /* already scrubbed by the commit that listed it */
            } else {
                ret = sq_io_pwrite_all(v->fd, buf, len, sq_block_offset(b));
                wrote = true;
            }
            b += blocks;
            left -= blocks;
        }
    }
    if (ret == SQ_OK && wrote)
        ret = sq_io_fdatasync(v->fd);
out:
    sodium_memzero(key, sizeof key);
    free(buf);
    free(old);
    return ret;
}

sq_err
sq_scrub_random(sq_vault *v, uint64_t start, uint64_t count)
{
    uint8_t *buf = malloc(SCRUB_BUF);
    sq_err   ret = SQ_OK;

    if (buf == NULL)
        return SQ_ERR_NOMEM;
    while (count > 0 && ret == SQ_OK) {
        size_t blocks = count < SCRUB_BUF / SQ_BLOCK_BYTES ? (size_t)count : SCRUB_BUF / SQ_BLOCK_BYTES;
        sq_random_buf(buf, blocks * SQ_BLOCK_BYTES);
        ret = sq_io_pwrite_all(v->fd, buf, blocks * SQ_BLOCK_BYTES, sq_block_offset(start));
        start += blocks;
        count -= blocks;
    }
    free(buf);
    return ret;
}

/* Blocks the session grew the file by and did not use get random bytes, so
 * free space is indistinguishable from ciphertext (FORMAT.md 1). */
sq_err
sq_fill_fresh(sq_vault *v)
{
    sq_extent_list l = {0};
    sq_err      ret = SQ_OK;
    uint64_t    b = v->committed_blocks;

    while (b < v->nblocks && ret == SQ_OK) {
        if (sq_bm_test(v, b)) {
            b++;
            continue;
        }
        uint64_t s = b;
        while (b < v->nblocks && !sq_bm_test(v, b) && b - s < UINT32_MAX)
            b++;
        ret = sq_extent_list_push(&l, s, b - s);
    }
    if (ret == SQ_OK && l.n > 0) {
        uint8_t *buf = malloc(SCRUB_BUF);
        if (buf == NULL)
            ret = SQ_ERR_NOMEM;
        for (size_t i = 0; i < l.n && ret == SQ_OK; i++) {
            uint64_t off = sq_block_offset(l.e[i].start), left = (uint64_t)l.e[i].count * SQ_BLOCK_BYTES;
            while (left > 0 && ret == SQ_OK) {
                size_t part = left < SCRUB_BUF ? (size_t)left : SCRUB_BUF;
                sq_random_buf(buf, part);
                ret = sq_io_pwrite_all(v->fd, buf, part, off);
                off += part;
                left -= part;
            }
        }
        free(buf);
    }
    free(l.e);
    return ret;
}

sq_err
sq_write_root(sq_vault *v, const sq_root *root, const uint64_t anchors[4], const uint8_t kmeta[32])
{
    uint8_t *body = NULL;
    uint8_t  raw[SQ_BLOCK_BYTES];
    size_t   len = 0, cap = sq_object_capacity(1);
    unsigned pair = (unsigned)(root->generation % 2);
    sq_err   ret = SQ_ERR_NOMEM;

    if ((body = sq_secret_alloc(cap)) == NULL)
        goto out;
    if ((ret = sq_root_serialize(body, cap, &len, root)) != SQ_OK)
        goto out;
    for (unsigned c = 0; c < 2; c++) {
        uint64_t b = anchors[2 * pair + c];
        if ((ret = sq_object_seal(raw, 1, kmeta, NULL, 0, SQ_OBJ_ROOT, b, body, len)) != SQ_OK)
            goto out;
        if ((ret = sq_io_pwrite_all(v->fd, raw, sizeof raw, sq_block_offset(b))) != SQ_OK)
            goto out;
    }
    ret = sq_io_fdatasync(v->fd);
out:
    sq_secret_free(body, cap);
    return ret;
}

typedef struct {
    const uint8_t *doc_id;
    uint64_t       seq;
    sq_idx_entry  *entry;
} merge_item;

static int
cmp_merge(const void *a, const void *b)
{
    const merge_item *x = a, *y = b;
    int c = memcmp(x->doc_id, y->doc_id, SQ_DOCID_BYTES);

    if (c != 0)
        return c;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* merge index segment b (newer) into a (older): the last entry per doc wins;
 * deletes are dropped when a is the oldest segment. */
static sq_err
merge_index(sq_index_segment *out, const sq_index_segment *a, const sq_index_segment *b, bool oldest)
{
    size_t      n = (size_t)a->count + b->count, k = 0;
    merge_item *items = n ? malloc(n * sizeof *items) : NULL;
    sq_err      ret = SQ_OK;

    memset(out, 0, sizeof *out);
    if (n > 0 && items == NULL)
        return SQ_ERR_NOMEM;
    for (uint32_t i = 0; i < a->count; i++, k++)
        items[k] = (merge_item){a->entries[i].doc.doc_id, i, &a->entries[i]};
    for (uint32_t i = 0; i < b->count; i++, k++)
        items[k] = (merge_item){b->entries[i].doc.doc_id, (1ull << 32) | i, &b->entries[i]};
    if (n > 0)
        qsort(items, n, sizeof *items, cmp_merge);
    for (size_t i = 0; i < n && ret == SQ_OK; i++) {
        if (i + 1 < n && memcmp(items[i].doc_id, items[i + 1].doc_id, SQ_DOCID_BYTES) == 0)
            continue;
        if (items[i].entry->op == SQ_IDX_DELETE && oldest)
            continue;
        ret = sq_index_segment_push(out, items[i].entry->op, &items[i].entry->doc);
    }
    free(items);
    if (ret != SQ_OK)
        sq_index_segment_free(out);
    return ret;
}

static sq_err
merge_records(sq_record_segment *out, const sq_record_segment *a, const sq_record_segment *b)
{
    sq_err ret = SQ_OK;

    memset(out, 0, sizeof *out);
    for (uint32_t i = 0; i < a->count && ret == SQ_OK; i++)
        ret = sq_record_segment_push(out, a->records[i].type, a->records[i].time, a->records[i].body,
                                     a->records[i].len);
    for (uint32_t i = 0; i < b->count && ret == SQ_OK; i++)
        ret = sq_record_segment_push(out, b->records[i].type, b->records[i].time, b->records[i].body,
                                     b->records[i].len);
    if (ret != SQ_OK)
        sq_record_segment_free(out);
    return ret;
}

/* Serialize and write an index segment; fills ref. */
static sq_err
write_index(sq_vault *v, const sq_index_segment *seg, sq_objref *ref)
{
    size_t   cap = sq_index_segment_size(seg), len = 0;
    uint8_t *buf = sq_secret_alloc(cap ? cap : 1);
    sq_err   ret = SQ_ERR_NOMEM;

    if (buf == NULL)
        return ret;
    if ((ret = sq_index_segment_serialize(buf, cap, &len, seg)) == SQ_OK &&
        (ret = sq_write_object(v, SQ_OBJ_INDEX, buf, len, ref)) == SQ_OK)
        ref->entries = seg->count;
    sq_secret_free(buf, cap ? cap : 1);
    return ret;
}

static sq_err
write_records(sq_vault *v, const sq_record_segment *seg, sq_objref *ref)
{
    size_t   cap = sq_record_segment_size(seg), len = 0;
    uint8_t *buf = sq_secret_alloc(cap ? cap : 1);
    sq_err   ret = SQ_ERR_NOMEM;

    if (buf == NULL)
        return ret;
    if ((ret = sq_record_segment_serialize(buf, cap, &len, seg)) == SQ_OK &&
        (ret = sq_write_object(v, SQ_OBJ_RECORDS, buf, len, ref)) == SQ_OK)
        ref->entries = seg->count;
    sq_secret_free(buf, cap ? cap : 1);
    return ret;
}

/* The staged index changes as one segment: deletes, then the puts of pending
 * records still live. */
static sq_err
staged_segment(sq_vault *v, sq_index_segment *seg)
{
    sq_doc del;
    sq_err ret = SQ_OK;

    memset(seg, 0, sizeof *seg);
    memset(&del, 0, sizeof del);
    for (size_t i = 0; i < v->n_deletes && ret == SQ_OK; i++) {
        memcpy(del.doc_id, v->deletes[i], SQ_DOCID_BYTES);
        ret = sq_index_segment_push(seg, SQ_IDX_DELETE, &del);
    }
    /* every pending record is live: removing one in the same session drops it */
    for (size_t i = 0; i < v->n_pending && ret == SQ_OK; i++)
        ret = sq_index_segment_push(seg, SQ_IDX_PUT, v->pending[i]);
    return ret;
}

static sq_err
commit_index(sq_vault *v, sq_root *nr, sq_extent_list *q)
{
    sq_idx_seg segs[SQ_MAX_SEGMENTS + 1];
    bool       owned[SQ_MAX_SEGMENTS + 1];   /* segments built here, freed below */
    unsigned   n = v->n_segs;
    sq_err     ret;

    memcpy(segs, v->segs, sizeof segs[0] * n);
    memset(owned, 0, sizeof owned);
    if (v->n_deletes == 0 && v->n_pending == 0)
        goto write;
    memset(&segs[n], 0, sizeof segs[n]);
    if ((ret = staged_segment(v, &segs[n].seg)) != SQ_OK)
        return ret;
    owned[n] = true;
    n++;
    /* binary-counter merging (FORMAT.md 8), bounded in bytes and entries */
    while (n >= 2 && (segs[n - 2].seg.count <= 2ull * segs[n - 1].seg.count || n > SQ_MAX_SEGMENTS) &&
           (uint64_t)sq_index_segment_size(&segs[n - 2].seg) + sq_index_segment_size(&segs[n - 1].seg) <= MERGE_MAX_BYTES &&
           (uint64_t)segs[n - 2].seg.count + segs[n - 1].seg.count <= SQ_MAX_SEGMENT_ENTRIES) {
        sq_index_segment merged;
        if ((ret = merge_index(&merged, &segs[n - 2].seg, &segs[n - 1].seg, n == 2)) != SQ_OK)
            goto fail;
        for (unsigned s = n - 2; s < n; s++) {
            if (owned[s])
                sq_index_segment_free(&segs[s].seg);
            else if ((ret = list_push_ref(q, &segs[s].ref)) != SQ_OK)
                goto fail;
        }
        n--;
        memset(&segs[n - 1], 0, sizeof segs[n - 1]);
        segs[n - 1].seg = merged;
        owned[n - 1] = true;
        owned[n] = false;
    }
write:
    if (n > SQ_MAX_SEGMENTS) {
        sq_set_detail(v, "the index is full (%u segments)", n);
        ret = SQ_ERR_LIMIT;
        goto fail;
    }
    for (unsigned s = 0; s < n; s++) {
        if (owned[s]) {
            if (segs[s].seg.count == 0) {
                /* an empty segment (everything deleted) is not worth a place */
                sq_index_segment_free(&segs[s].seg);
                owned[s] = false;
                memmove(&segs[s], &segs[s + 1], sizeof segs[0] * (n - s - 1));
                memmove(&owned[s], &owned[s + 1], sizeof owned[0] * (n - s - 1));
                n--;
                s--;
                continue;
            }
            if ((ret = write_index(v, &segs[s].seg, &segs[s].ref)) != SQ_OK)
                goto fail;
        }
        nr->index[s] = segs[s].ref;
    }
    nr->n_index = (uint8_t)n;
    ret = SQ_OK;
fail:
    for (unsigned s = 0; s < n + 1 && s <= SQ_MAX_SEGMENTS; s++)
        if (owned[s])
            sq_index_segment_free(&segs[s].seg);
    return ret;
}

static sq_err
commit_records(sq_vault *v, sq_root *nr, sq_extent_list *q)
{
    sq_rec_seg recs[SQ_MAX_SEGMENTS + 1];
    bool       owned[SQ_MAX_SEGMENTS + 1];
    unsigned   n = v->n_recs;
    sq_err     ret = SQ_OK;

    memcpy(recs, v->recs, sizeof recs[0] * n);
    memset(owned, 0, sizeof owned);
    if (v->staged_recs.count > 0) {
        memset(&recs[n], 0, sizeof recs[n]);
        if ((ret = merge_records(&recs[n].seg, &(sq_record_segment){0}, &v->staged_recs)) != SQ_OK)
            return ret;
        owned[n] = true;
        n++;
        while (n >= 2 && (recs[n - 2].ref.entries <= 2ull * (owned[n - 1] ? recs[n - 1].seg.count : recs[n - 1].ref.entries) ||
                          n > SQ_MAX_SEGMENTS) &&
               (uint64_t)recs[n - 2].ref.nblocks * SQ_BLOCK_BYTES + (owned[n - 1] ? sq_record_segment_size(&recs[n - 1].seg) : (uint64_t)recs[n - 1].ref.nblocks * SQ_BLOCK_BYTES) <= MERGE_MAX_BYTES &&
               (uint64_t)recs[n - 2].ref.entries + (owned[n - 1] ? recs[n - 1].seg.count : recs[n - 1].ref.entries) <= SQ_MAX_SEGMENT_ENTRIES) {
            sq_record_segment merged;
            for (unsigned s = n - 2; s < n; s++)
                if (!owned[s] && (ret = sq_load_records(v, &v->recs[s])) != SQ_OK)
                    goto fail;
                else if (!owned[s])
                    recs[s] = v->recs[s];
            if ((ret = merge_records(&merged, &recs[n - 2].seg, &recs[n - 1].seg)) != SQ_OK)
                goto fail;
            for (unsigned s = n - 2; s < n; s++) {
                if (owned[s])
                    sq_record_segment_free(&recs[s].seg);
                else if ((ret = list_push_ref(q, &recs[s].ref)) != SQ_OK)
                    goto fail;
            }
            n--;
            memset(&recs[n - 1], 0, sizeof recs[n - 1]);
            recs[n - 1].seg = merged;
            recs[n - 1].ref.entries = merged.count;
            owned[n - 1] = true;
            owned[n] = false;
        }
    }
    if (n > SQ_MAX_SEGMENTS) {
        sq_set_detail(v, "the custody log is full (%u segments)", n);
        ret = SQ_ERR_LIMIT;
        goto fail;
    }
    for (unsigned s = 0; s < n; s++) {
        if (owned[s] && (ret = write_records(v, &recs[s].seg, &recs[s].ref)) != SQ_OK)
            goto fail;
        nr->records[s] = recs[s].ref;
    }
    nr->n_records = (uint8_t)n;
fail:
    for (unsigned s = 0; s < n + 1 && s <= SQ_MAX_SEGMENTS; s++)
        if (owned[s])
            sq_record_segment_free(&recs[s].seg);
    return ret;
}

static sq_err
commit_keyring(sq_vault *v, sq_root *nr, sq_extent_list *q)
{
    size_t   cap = SQ_KEYRING_BODY3_BYTES, len = 0;
    uint8_t *buf;
    sq_err   ret;

    if (!v->keyring_dirty)
        return SQ_OK;
    if ((buf = sq_secret_alloc(cap)) == NULL)
        return SQ_ERR_NOMEM;
    if ((ret = sq_keyring_serialize(buf, cap, &len, &v->k->keyring)) == SQ_OK &&
        (ret = list_push_ref(q, &v->k->root.keyring)) == SQ_OK &&
        (ret = sq_write_object(v, SQ_OBJ_KEYRING, buf, len, &nr->keyring)) == SQ_OK)
        nr->keyring.entries = v->k->keyring.count;
    sq_secret_free(buf, cap);
    return ret;
}

static sq_err
commit_freelist(sq_vault *v, sq_root *nr, sq_extent_list *q)
{
    sq_freelist fl;
    size_t      cap, len = 0;
    uint8_t    *buf;
    sq_err      ret;

    if ((ret = list_push_ref(q, &v->k->root.freelist)) != SQ_OK)
        return ret;
    fl.quarantine = q->e;
    fl.n_quarantine = (uint32_t)q->n;
    fl.scrub = v->freelist.quarantine;
    fl.n_scrub = v->freelist.n_quarantine;
    memset(&nr->freelist, 0, sizeof nr->freelist);
    if (fl.n_quarantine == 0 && fl.n_scrub == 0)
        return SQ_OK;
    cap = sq_freelist_size(&fl);
    if ((buf = malloc(cap)) == NULL)       /* block numbers only: not secret */
        return SQ_ERR_NOMEM;
    if ((ret = sq_freelist_serialize(buf, cap, &len, &fl)) == SQ_OK)
        ret = sq_write_object(v, SQ_OBJ_FREELIST, buf, len, &nr->freelist);
    free(buf);
    return ret;
}

sq_err
sq_write_gate(const sq_vault *v)
{
    if (v->failed)
        return SQ_ERR_IO;
    return v->writable ? SQ_OK : SQ_ERR_INVALID;
}

sq_err
sq_fail_writes(sq_vault *v, sq_err ret)
{
    /* no detail: the caller's message names the cause (errno) */
    if (ret == SQ_ERR_IO || ret == SQ_ERR_NOSPACE || ret == SQ_ERR_READONLY)
        v->failed = true;
    return ret;
}

/* one commit; sq_commit wraps it so that any failure ends writing */
static sq_err
commit_once(sq_vault *v)
{
    sq_root    *nr = NULL;
    sq_extent_list q = {0};
    sq_extent  *scrub = NULL;
    size_t      n_scrub = 0;
    sq_err      ret;

    if ((ret = sq_write_gate(v)) != SQ_OK)
        return ret;
    ret = SQ_ERR_NOMEM;
    if ((nr = sq_secret_alloc(sizeof *nr)) == NULL)
        goto out;
    *nr = v->k->root;
    for (size_t i = 0; i < v->n_freed; i++)
        if ((ret = sq_extent_list_push(&q, v->freed[i].start, v->freed[i].count)) != SQ_OK)
            goto out;
    if ((ret = commit_index(v, nr, &q)) != SQ_OK ||
        (ret = commit_records(v, nr, &q)) != SQ_OK ||
        (ret = commit_keyring(v, nr, &q)) != SQ_OK ||
        (ret = commit_freelist(v, nr, &q)) != SQ_OK)
        goto out;
    if ((ret = sq_fill_fresh(v)) != SQ_OK || (ret = sq_io_fdatasync(v->fd)) != SQ_OK)
        goto out;
    nr->generation = v->k->root.generation + 1;
    nr->committed_length = sq_block_offset(v->nblocks);
    nr->committed_at = sq_now();
    sq_slots_mac(nr->slots_mac, v->k->kslotmac, v->header, sq_keyring_owned(&v->k->keyring));
    if ((ret = sq_write_root(v, nr, v->k->plain.anchors, v->k->kmeta)) != SQ_OK)
        goto out;
    /* durable: what the previous commit quarantined is referenced by neither pair */
    n_scrub = v->freelist.n_quarantine;
    if (n_scrub > 0) {
        if ((scrub = malloc(n_scrub * sizeof *scrub)) == NULL) {
            ret = SQ_ERR_NOMEM;
            goto out;
        }
        memcpy(scrub, v->freelist.quarantine, n_scrub * sizeof *scrub);
    }
    v->k->root = *nr;
    sq_vault_unload(v);
    if ((ret = sq_scrub(v, scrub, n_scrub, nr->generation, false)) != SQ_OK)
        goto out;
    ret = sq_load_state(v);
out:
    free(scrub);
    free(q.e);
    sq_secret_free(nr, sizeof *nr);
    return ret;
}

sq_err
sq_commit(sq_vault *v)
{
    sq_err ret = commit_once(v);

    /* a commit that stopped half-way may have left the handle unloaded or
     * ahead of the file (a scrub after the root, a sync that failed): after
     * any failure it writes no more, whatever the cause */
    if (ret != SQ_OK && ret != SQ_ERR_INVALID)
        v->failed = true;
    return ret;
}

sq_err
sq_vault_commit(sq_vault *v)
{
    bool   second = v->second_commit;
    sq_err ret;

    if (!v->dirty && !v->keyring_dirty && v->n_freed == 0)
        return SQ_OK;
    /* a level made before identities gets one with its next commit */
    if ((ret = sq_vault_identity_ensure(v)) != SQ_OK)
        return ret;
    if ((ret = sq_commit(v)) != SQ_OK)
        return ret;
    if (second) {
        /* rm/rekey: a second commit so the freed blocks leave both root pairs,
         * then they are scrubbed before we return (FORMAT.md 9) */
        v->second_commit = false;
        ret = sq_commit(v);
    }
    return ret;
}
