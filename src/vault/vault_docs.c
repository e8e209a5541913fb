/* vault_docs.c: documents: streaming intake, authenticated extraction,
 * removal, renaming, listing (FORMAT.md 8, 10). */
#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crypto/derive.h"
#include "crypto/hasher.h"
#include "crypto/sha256.h"
#include "util/bytes.h"
#include "util/io.h"
#include "util/random.h"
#include "util/secret.h"
#include "util/utf8.h"
#include "vault/vault_internal.h"

#define CT_CHUNK   (SQ_CHUNK_BYTES + SQ_CHUNK_TAGBYTES)
#define IO_CHUNKS  16u                       /* 1 MiB of plaintext per I/O */

enum { REC_CREATED = 1, REC_ADDED = 2, REC_EXTRACTED = 3, REC_RENAMED = 4, REC_REMOVED = 5,
       REC_REPLACED = 9 };

static void
chunk_key_lk(uint8_t key[32], const uint8_t lk[32], const sq_doc *d)
{
    uint8_t ctx[SQ_DOCID_BYTES + 32];

    memcpy(ctx, d->doc_id, SQ_DOCID_BYTES);
    memcpy(ctx + SQ_DOCID_BYTES, d->write_salt, 32);
    sq_derive(key, lk, "sandyq/v1/chunk-key", ctx, sizeof ctx);
}

static void
chunk_key(uint8_t key[32], const sq_vault *v, const sq_doc *d)
{
    chunk_key_lk(key, v->k->lk, d);
}

static void
chunk_ad(uint8_t ad[15 + 16 + 4 + 16], const sq_vault *v, const sq_doc *d)
{
    memcpy(ad, "sandyq/v1/chunk", 15);
    memcpy(ad + 15, v->k->root.vault_id, 16);
    sq_store_le32(ad + 31, v->k->root.level);
    memcpy(ad + 35, d->doc_id, 16);
}

/* Give back blocks that hold ciphertext of a document this session wrote and
 * then dropped (removed, replaced, or refused as changed while read). Inside
 * the committed region they are overwritten at once: no commit references
 * them, and nothing should authenticate under the dropped document's key.
 * Grown blocks get random bytes at commit, or are cut off at the next open. */
static void
release_blocks(sq_vault *v, uint64_t start, uint64_t count)
{
    sq_bm_clear_range(v, start, count);
    if (start < v->committed_blocks) {
        uint64_t n = count < v->committed_blocks - start ? count : v->committed_blocks - start;
        (void)sq_scrub_random(v, start, n);   /* best effort: the blocks are free either way */
    }
}

/* ---- records ---- */

static sq_err
stage_doc_record(sq_vault *v, uint8_t type, const sq_doc *d, const sq_doc *other)
{
    uint8_t   buf[16 + 16 + 32 + 8 + 2 * (2 + SQ_MAX_NAME_BYTES)];
    sq_writer w;

    sq_writer_init(&w, buf, sizeof buf);
    switch (type) {
    case REC_ADDED:
        sq_write_bytes(&w, d->doc_id, 16);
        sq_write_bytes(&w, d->sha256, 32);
        sq_write_u64(&w, d->size);
        break;
    case REC_EXTRACTED:
        sq_write_bytes(&w, d->doc_id, 16);
        break;
    case REC_RENAMED:
        sq_write_bytes(&w, d->doc_id, 16);
        sq_write_u16(&w, (uint16_t)other->name_len);
        sq_write_bytes(&w, other->name, other->name_len);
        break;
    case REC_REMOVED:
        sq_write_bytes(&w, d->doc_id, 16);
        sq_write_bytes(&w, d->sha256, 32);
        break;
    case REC_REPLACED:
        sq_write_bytes(&w, other->doc_id, 16);
        sq_write_bytes(&w, d->doc_id, 16);
        sq_write_bytes(&w, d->sha256, 32);
        break;
    default:
        abort();
    }
    sq_write_u16(&w, (uint16_t)d->name_len);
    sq_write_bytes(&w, d->name, d->name_len);
    if (!sq_writer_ok(&w))
        return SQ_ERR_LIMIT;
    return sq_stage_record(v, type, buf, w.len);
}

/* ---- listing ---- */

size_t
sq_vault_count(const sq_vault *v)
{
    return v->n_docs;
}

void
sq_vault_doc_at(const sq_vault *v, size_t index, sq_doc_info *out)
{
    sq_vault     *mv = (sq_vault *)v;    /* the sorted view is a cache */
    const sq_doc *d;

    sq_view_build(mv);
    if (index >= mv->n_view)
        abort();                          /* misuse: index out of range */
    d = mv->view[index];
    out->name = d->name;
    out->name_len = d->name_len;
    out->case_id = d->case_id ? d->case_id : "";
    out->case_len = d->case_len;
    out->note = d->note ? d->note : "";
    out->note_len = d->note_len;
    out->size = d->size;
    out->added = d->added;
    out->mtime = d->mtime;
    memcpy(out->sha256, d->sha256, 32);
}

static sq_err
normalize_name(char **out, size_t *out_len, const char *name, size_t len)
{
    size_t cap = len * 3 + 16;
    char  *buf;
    sq_err ret;

    *out = NULL;
    if (len > SQ_TEXT_MAX_BYTES)
        return SQ_ERR_LIMIT;
    if ((buf = malloc(cap + 1)) == NULL)
        return SQ_ERR_NOMEM;
    if ((ret = sq_name_normalize((uint8_t *)buf, cap, out_len, (const uint8_t *)name, len)) != SQ_OK) {
        free(buf);
        return ret;
    }
    buf[*out_len] = '\0';
    *out = buf;
    return SQ_OK;
}

sq_err
sq_vault_find(const sq_vault *v, const char *name, size_t name_len, size_t *index)
{
    sq_vault *mv = (sq_vault *)v;
    char     *norm = NULL;
    size_t    norm_len = 0, pos, lo, hi;
    sq_err    ret;

    if ((ret = normalize_name(&norm, &norm_len, name, name_len)) != SQ_OK)
        return ret == SQ_ERR_NOMEM ? ret : SQ_ERR_NOTFOUND;
    pos = sq_names_find(v, norm, norm_len);
    free(norm);
    if (pos == SIZE_MAX)
        return SQ_ERR_NOTFOUND;
    sq_view_build(mv);
    /* binary search of the sorted view for that record */
    const sq_doc *d = v->live[pos].doc;
    lo = 0;
    hi = mv->n_view;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const sq_doc *m = mv->view[mid];
        size_t n = m->name_len < d->name_len ? m->name_len : d->name_len;
        int    c = memcmp(m->name, d->name, n);
        if (c == 0)
            c = (m->name_len > d->name_len) - (m->name_len < d->name_len);
        if (c == 0) {
            *index = mid;
            return SQ_OK;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return SQ_ERR_NOTFOUND;
}

static bool
text_ok(const char *s, size_t len, size_t cap, bool allow_controls)
{
    if (len > cap || (len > 0 && !sq_utf8_valid((const uint8_t *)s, len)))
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0 || (!allow_controls && (c < 0x20 || c == 0x7f)))
            return false;
        if (!allow_controls && c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] < 0xa0)
            return false;                 /* C1 controls U+0080..U+009F */
    }
    return true;
}

static char *
dup_text(const char *s, size_t len)
{
    char *p = malloc(len + 1);

    if (p != NULL) {
        if (len > 0)
            memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

static sq_err
pending_push(sq_vault *v, sq_doc *d, bool fresh)
{
    if (v->n_pending == v->cap_pending) {
        size_t   cap = v->cap_pending ? v->cap_pending * 2 : 64;
        sq_doc **p = realloc(v->pending, cap * sizeof *p);
        bool    *f;
        if (p == NULL)
            return SQ_ERR_NOMEM;
        v->pending = p;
        if ((f = realloc(v->pending_fresh, cap * sizeof *f)) == NULL)
            return SQ_ERR_NOMEM;
        v->pending_fresh = f;
        v->cap_pending = cap;
    }
    v->pending[v->n_pending] = d;
    v->pending_fresh[v->n_pending] = fresh;
    v->n_pending++;
    return SQ_OK;
}

static size_t
pending_index(const sq_vault *v, const sq_doc *d)
{
    for (size_t i = 0; i < v->n_pending; i++)
        if (v->pending[i] == d)
            return i;
    return SIZE_MAX;
}

static sq_err
push_delete(sq_vault *v, const uint8_t doc_id[SQ_DOCID_BYTES])
{
    if (v->n_deletes == v->cap_deletes) {
        size_t cap = v->cap_deletes ? v->cap_deletes * 2 : 64;
        void  *p = realloc(v->deletes, cap * SQ_DOCID_BYTES);
        if (p == NULL)
            return SQ_ERR_NOMEM;
        v->deletes = p;
        v->cap_deletes = cap;
    }
    memcpy(v->deletes[v->n_deletes++], doc_id, SQ_DOCID_BYTES);
    return SQ_OK;
}

/* Drop the live document at pos from the session: committed content goes to
 * the quarantine (FORMAT.md 9), content written this session is freed now. */
static sq_err
drop_live(sq_vault *v, size_t pos)
{
    sq_doc *d = v->live[pos].doc;
    size_t  p = pending_index(v, d);
    bool    fresh = p != SIZE_MAX && v->pending_fresh[p];
    sq_err  ret = SQ_OK;

    if (fresh) {
        for (uint32_t e = 0; e < d->n_extents; e++)
            release_blocks(v, d->extents[e].start, d->extents[e].count);
    } else {
        if ((ret = push_delete(v, d->doc_id)) != SQ_OK)
            return ret;
        for (uint32_t e = 0; e < d->n_extents && ret == SQ_OK; e++)
            ret = sq_stage_freed(v, d->extents[e].start, d->extents[e].count);
        if (ret != SQ_OK)
            return ret;
    }
    sq_names_remove(v, pos);
    v->live[pos].doc = NULL;
    v->n_docs--;
    v->view_dirty = true;
    if (p != SIZE_MAX) {
        sq_doc_clear(d);
        free(d);
        v->pending[p] = v->pending[v->n_pending - 1];
        v->pending_fresh[p] = v->pending_fresh[v->n_pending - 1];
        v->n_pending--;
    }
    v->dirty = true;
    return SQ_OK;
}

/* ---- intake ---- */

typedef struct {
    sq_vault *v;
    sq_doc   *d;
    uint64_t  want_blocks;     /* estimate of blocks still needed, 0 = unknown */
    uint64_t  pos;             /* bytes used in the last extent */
    sq_extent *ext;
    uint32_t  n_ext, cap_ext;
} stream_writer;

static sq_err
writer_room(stream_writer *w)
{
    sq_extent e;
    sq_err    ret;

    if (w->n_ext > 0 && w->pos < (uint64_t)w->ext[w->n_ext - 1].count * SQ_BLOCK_BYTES)
        return SQ_OK;
    if ((ret = sq_alloc_run(w->v, w->want_blocks ? w->want_blocks : 256, &e)) != SQ_OK)
        return ret;
    w->want_blocks = w->want_blocks > e.count ? w->want_blocks - e.count : 0;
    if (w->n_ext > 0 && w->ext[w->n_ext - 1].start + w->ext[w->n_ext - 1].count == e.start &&
        (uint64_t)w->ext[w->n_ext - 1].count + e.count <= UINT32_MAX) {
        w->ext[w->n_ext - 1].count += e.count;          /* contiguous: extend */
        return SQ_OK;
    }
    if (w->n_ext == SQ_MAX_EXTENTS) {
        sq_bm_clear_range(w->v, e.start, e.count);
        return SQ_ERR_LIMIT;
    }
    if (w->n_ext == w->cap_ext) {
        uint32_t   cap = w->cap_ext ? w->cap_ext * 2 : 8;
        sq_extent *p = realloc(w->ext, cap * sizeof *p);
        if (p == NULL) {
            sq_bm_clear_range(w->v, e.start, e.count);
            return SQ_ERR_NOMEM;
        }
        w->ext = p;
        w->cap_ext = cap;
    }
    w->ext[w->n_ext++] = e;
    w->pos = 0;
    return SQ_OK;
}

static sq_err
writer_put(stream_writer *w, const uint8_t *buf, size_t len)
{
    sq_err ret;

    while (len > 0) {
        if ((ret = writer_room(w)) != SQ_OK)
            return ret;
        sq_extent *e = &w->ext[w->n_ext - 1];
        uint64_t room = (uint64_t)e->count * SQ_BLOCK_BYTES - w->pos;
        size_t   part = len < room ? len : (size_t)room;
        if ((ret = sq_io_pwrite_all(w->v->fd, buf, part, sq_block_offset(e->start) + w->pos)) != SQ_OK)
            return ret;
        w->pos += part;
        buf += part;
        len -= part;
    }
    return SQ_OK;
}

/* give back the blocks of the last extent the stream did not reach */
static void
writer_trim(stream_writer *w)
{
    if (w->n_ext == 0)
        return;
    sq_extent *e = &w->ext[w->n_ext - 1];
    uint64_t used = (w->pos + SQ_BLOCK_BYTES - 1) / SQ_BLOCK_BYTES;
    if (used < e->count) {
        sq_bm_clear_range(w->v, e->start + used, e->count - used);
        e->count = (uint32_t)used;
    }
}

static void
writer_release(stream_writer *w)
{
    for (uint32_t i = 0; i < w->n_ext; i++)
        release_blocks(w->v, w->ext[i].start, w->ext[i].count);
    free(w->ext);
    w->ext = NULL;
    w->n_ext = 0;
}

static bool
same_file_state(const struct stat *a, const struct stat *b)
{
    return a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
           a->st_mtim.tv_nsec == b->st_mtim.tv_nsec && a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
           a->st_ctim.tv_nsec == b->st_ctim.tv_nsec && a->st_ino == b->st_ino;
}

#define BATCH_BYTES ((size_t)IO_CHUNKS * SQ_CHUNK_BYTES)
#define RING        3u

/* Intake pipeline: batch i+1 is read (and handed to the hashing thread)
 * before batch i is sealed, which also tells whether batch i holds the final
 * chunk (STREAM's final flag). Three batch buffers: one being sealed, one
 * being read and hashed, one whose hash may still be running. */
static sq_err
stream_in(sq_vault *v, sq_doc *d, int fd, uint64_t known_size, sq_progress_fn progress, void *pctx)
{
    uint8_t       key[32];                 /* secret: wiped below */
    uint8_t       ad[51];
    uint8_t      *ring = NULL, *out = NULL;
    size_t        len[RING] = {0};
    size_t        batch_bytes = BATCH_BYTES;   /* smaller for small files: less memory to touch */
    sq_hasher    *hasher = NULL;             /* a thread, for inputs over one batch */
    sq_sha256    *sha = NULL;                /* inline, for small files */
    stream_writer w = {v, d, 0, 0, NULL, 0, 0};
    uint64_t      index = 0, total = 0, batch = 0;
    size_t        out_len;
    sq_err        ret = SQ_ERR_NOMEM;

    chunk_key(key, v, d);
    chunk_ad(ad, v, d);
    if (known_size != UINT64_MAX)
        w.want_blocks = sq_doc_blocks(known_size);
    if (known_size != UINT64_MAX && known_size < BATCH_BYTES)
        batch_bytes = (size_t)(known_size / SQ_CHUNK_BYTES + 1) * SQ_CHUNK_BYTES;
    if ((ring = malloc(RING * batch_bytes)) == NULL ||
        (out = malloc(batch_bytes / SQ_CHUNK_BYTES * CT_CHUNK + SQ_BLOCK_BYTES)) == NULL)
        goto out;
    if (batch_bytes < BATCH_BYTES ? (sha = sq_sha256_new()) == NULL : (hasher = sq_hasher_start()) == NULL)
        goto out;
    if ((ret = sq_io_read_full(fd, ring, batch_bytes, &len[0])) != SQ_OK)
        goto out;
    if (hasher != NULL)
        sq_hasher_submit(hasher, ring, len[0]);
    else
        sq_sha256_update(sha, ring, len[0]);
    for (;;) {
        unsigned cur = (unsigned)(batch % RING), nxt = (unsigned)((batch + 1) % RING);
        uint8_t *b = ring + (size_t)cur * batch_bytes;
        bool     last_batch;

        len[nxt] = 0;
        if (len[cur] == batch_bytes) {
            /* the next buffer held batch-2: its hash must be done */
            if (hasher != NULL)
                sq_hasher_wait(hasher, batch >= 1 ? batch - 1 : 0);
            if ((ret = sq_io_read_full(fd, ring + (size_t)nxt * batch_bytes, batch_bytes, &len[nxt])) != SQ_OK)
                goto out;
            if (len[nxt] > 0 && hasher != NULL)
                sq_hasher_submit(hasher, ring + (size_t)nxt * batch_bytes, len[nxt]);
            else if (len[nxt] > 0)
                sq_sha256_update(sha, ring + (size_t)nxt * batch_bytes, len[nxt]);
        }
        last_batch = len[nxt] == 0;
        total += len[cur];
        if (total > SQ_MAX_DOC_SIZE) {
            ret = SQ_ERR_LIMIT;
            goto out;
        }
        out_len = 0;
        for (size_t off = 0; off < len[cur] || (off == 0 && len[cur] == 0); off += SQ_CHUNK_BYTES) {
            size_t clen = len[cur] - off < SQ_CHUNK_BYTES ? len[cur] - off : SQ_CHUNK_BYTES;
            bool   final = last_batch && off + clen == len[cur];
            if ((ret = sq_chunk_seal(v->chunk, out + out_len, b + off, clen, key, index, final, ad,
                                     sizeof ad)) != SQ_OK)
                goto out;
            out_len += clen + SQ_CHUNK_TAGBYTES;
            index++;
            if (len[cur] == 0)
                break;                     /* the empty document: one empty final chunk */
        }
        if (last_batch) {
            size_t pad = (SQ_BLOCK_BYTES - (sq_doc_ct_len(total) % SQ_BLOCK_BYTES)) % SQ_BLOCK_BYTES;
            sq_random_buf(out + out_len, pad);   /* the tail of the last block looks like the rest */
            out_len += pad;
        }
        if ((ret = writer_put(&w, out, out_len)) != SQ_OK)
            goto out;
        if (progress != NULL)
            progress(pctx, total, known_size == UINT64_MAX ? 0 : known_size);
        if (last_batch)
            break;
        batch++;
    }
    writer_trim(&w);
    if (hasher != NULL)
        sq_hasher_finish(hasher, d->sha256);
    else
        sq_sha256_final(sha, d->sha256);
    hasher = NULL;
    d->size = total;
    d->extents = w.ext;
    d->n_extents = w.n_ext;
    w.ext = NULL;
    ret = sq_doc_extents_valid(d) ? SQ_OK : SQ_ERR_FORMAT;
out:
    sq_hasher_free(hasher);                /* waits for the thread before buffers go */
    sq_sha256_free(sha);
    if (ret != SQ_OK)
        writer_release(&w);
    sodium_memzero(key, sizeof key);
    if (ring != NULL) {
        sodium_memzero(ring, RING * batch_bytes);
        free(ring);
    }
    free(out);
    return ret;
}

sq_err
sq_vault_add_fd(sq_vault *v, int fd, const sq_add_opts *o)
{
    struct stat before, after;
    sq_doc     *d = NULL, *old = NULL;
    size_t      old_pos = SIZE_MAX;
    bool        regular;
    sq_err      ret = SQ_ERR_NOMEM;

    v->detail[0] = '\0';
    if (sq_write_gate(v) != SQ_OK)
        return sq_write_gate(v);
    if (!text_ok(o->case_id, o->case_len, SQ_MAX_CASE_BYTES, false)) {
        sq_set_detail(v, "invalid case id");
        return SQ_ERR_INVALID;
    }
    if (!text_ok(o->note, o->note_len, SQ_MAX_NOTE_BYTES, true)) {
        sq_set_detail(v, "invalid note");
        return SQ_ERR_INVALID;
    }
    if (v->n_docs + 1 >= SQ_MAX_DOCUMENTS || v->n_pending + v->n_deletes + 1 >= SQ_MAX_SEGMENT_ENTRIES) {
        sq_set_detail(v, "too many documents");
        return SQ_ERR_LIMIT;
    }
    if ((d = calloc(1, sizeof *d)) == NULL)
        return SQ_ERR_NOMEM;
    if ((ret = normalize_name(&d->name, &d->name_len, o->name, o->name_len)) != SQ_OK) {
        sq_set_detail(v, "invalid document name");
        goto out;
    }
    ret = SQ_ERR_NOMEM;
    if ((d->case_id = dup_text(o->case_id, o->case_len)) == NULL ||
        (d->note = dup_text(o->note, o->note_len)) == NULL)
        goto out;
    d->case_len = o->case_len;
    d->note_len = o->note_len;
    old_pos = sq_names_find(v, d->name, d->name_len);
    if (old_pos != SIZE_MAX && !o->replace) {
        ret = SQ_ERR_EXISTS;
        goto out;
    }
    if (fstat(fd, &before) != 0) {
        ret = SQ_ERR_IO;
        goto out;
    }
    regular = S_ISREG(before.st_mode);
    sq_random_buf(d->doc_id, sizeof d->doc_id);
    sq_random_buf(d->write_salt, sizeof d->write_salt);
    d->added = sq_now();
    d->mtime = regular ? (int64_t)before.st_mtim.tv_sec : 0;
    ret = stream_in(v, d, fd, regular ? (uint64_t)before.st_size : UINT64_MAX, o->progress,
                    o->progress_ctx);
    if (ret != SQ_OK)
        goto out;
    if (regular && (fstat(fd, &after) != 0 || !same_file_state(&before, &after) ||
                    d->size != (uint64_t)before.st_size)) {
        for (uint32_t e = 0; e < d->n_extents; e++)
            release_blocks(v, d->extents[e].start, d->extents[e].count);
        ret = SQ_ERR_CHANGED;
        goto out;
    }
    if (old_pos != SIZE_MAX) {
        old = v->live[old_pos].doc;
        sq_doc copy;
        if ((ret = sq_doc_copy(&copy, old)) != SQ_OK)
            goto undo;
        if ((ret = drop_live(v, old_pos)) != SQ_OK) {
            sq_doc_clear(&copy);
            goto undo;
        }
        ret = stage_doc_record(v, REC_REPLACED, d, &copy);
        sq_doc_clear(&copy);
    } else {
        ret = stage_doc_record(v, REC_ADDED, d, NULL);
    }
    if (ret != SQ_OK)
        goto undo;
    if ((ret = pending_push(v, d, true)) != SQ_OK)
        goto undo;
    if ((ret = sq_live_push(v, d)) != SQ_OK)
        return ret;                       /* pending owns d now; the session is unusable */
    v->dirty = true;
    return SQ_OK;
undo:
    for (uint32_t e = 0; e < d->n_extents; e++)
        release_blocks(v, d->extents[e].start, d->extents[e].count);
out:
    sq_doc_clear(d);
    free(d);
    return sq_fail_writes(v, ret);
}

/* ---- extraction ---- */

/* read len bytes at stream offset off of a document's ciphertext */
static sq_err
stream_read(sq_vault *v, const sq_doc *d, uint64_t off, uint8_t *buf, size_t len)
{
    uint64_t base = 0;

    for (uint32_t e = 0; e < d->n_extents && len > 0; e++) {
        uint64_t ext_len = (uint64_t)d->extents[e].count * SQ_BLOCK_BYTES;
        if (off < base + ext_len) {
            uint64_t in_ext = off - base;
            size_t   part = len < ext_len - in_ext ? len : (size_t)(ext_len - in_ext);
            sq_err   ret = sq_io_pread_all(v->fd, buf, part, sq_block_offset(d->extents[e].start) + in_ext);
            if (ret != SQ_OK)
                return ret;
            buf += part;
            len -= part;
            off += part;
        }
        base += ext_len;
    }
    return len == 0 ? SQ_OK : SQ_ERR_FORMAT;
}

static const sq_doc *
doc_at(sq_vault *v, size_t index)
{
    sq_view_build(v);
    if (index >= v->n_view)
        abort();                          /* misuse: index out of range */
    return v->view[index];
}

/* Authenticate (and, with out_fd >= 0, release) every chunk of d. */
static sq_err
stream_out(sq_vault *v, const sq_doc *d, int out_fd, sq_damage *damage, sq_progress_fn progress,
           void *pctx)
{
    uint8_t  key[32];                      /* secret: wiped below */
    uint8_t  ad[51];
    uint8_t *ct = NULL, *pt = NULL;
    uint64_t chunks = sq_doc_chunks(d->size), done = 0;
    size_t   per = chunks < IO_CHUNKS ? (size_t)chunks : IO_CHUNKS;   /* chunks per read */
    size_t   pt_cap = chunks == 1 ? (size_t)d->size : per * SQ_CHUNK_BYTES;
    sq_err   ret = SQ_ERR_NOMEM;

    if (damage != NULL)
        damage->chunk = 0;
    chunk_key(key, v, d);
    chunk_ad(ad, v, d);
    if ((ct = malloc(per * CT_CHUNK)) == NULL || (pt = malloc(pt_cap ? pt_cap : 1)) == NULL)
        goto out;
    for (uint64_t j = 0; j < chunks; j += per) {
        uint64_t n = chunks - j < per ? chunks - j : per;
        uint64_t last_plain = d->size - (chunks - 1) * (uint64_t)SQ_CHUNK_BYTES;
        size_t   ct_len = (size_t)((n - 1) * CT_CHUNK);
        size_t   pt_len = 0;

        ct_len += (j + n == chunks) ? (size_t)last_plain + SQ_CHUNK_TAGBYTES : CT_CHUNK;
        ret = stream_read(v, d, j * CT_CHUNK, ct, ct_len);
        for (uint64_t c = 0; c < n; c++) {
            uint64_t idx = j + c;
            bool     final = idx + 1 == chunks;
            size_t   clen = final ? (size_t)last_plain : SQ_CHUNK_BYTES;
            if (ret == SQ_OK)
                ret = sq_chunk_open(v->chunk, pt + pt_len, ct + c * CT_CHUNK, clen + SQ_CHUNK_TAGBYTES,
                                    key, idx, final, ad, sizeof ad);
            if (ret != SQ_OK) {
                /* release what authenticated before the bad chunk, then stop */
                if (out_fd >= 0 && pt_len > 0)
                    (void)sq_io_write_all(out_fd, pt, pt_len);
                if (damage != NULL)
                    damage->chunk = idx;
                sq_set_detail(v, "chunk %llu failed authentication", (unsigned long long)idx);
                ret = SQ_ERR_DAMAGED;
                goto out;
            }
            pt_len += clen;
        }
        if (out_fd >= 0 && (ret = sq_io_write_all(out_fd, pt, pt_len)) != SQ_OK)
            goto out;
        done += pt_len;
        if (progress != NULL)
            progress(pctx, done, d->size);
    }
    ret = SQ_OK;
out:
    sodium_memzero(key, sizeof key);
    if (pt != NULL) {
        sodium_memzero(pt, pt_cap ? pt_cap : 1);
        free(pt);
    }
    free(ct);
    return ret;
}

sq_err
sq_vault_extract(sq_vault *v, size_t index, int out_fd, sq_damage *damage, sq_progress_fn progress,
                 void *progress_ctx)
{
    v->detail[0] = '\0';
    return stream_out(v, doc_at(v, index), out_fd, damage, progress, progress_ctx);
}

/* used by check: authenticate without releasing */
sq_err
sq_vault_verify_doc(sq_vault *v, const sq_doc *d, sq_damage *damage)
{
    return stream_out(v, d, -1, damage, NULL, NULL);
}

sq_err
sq_vault_note_extracted(sq_vault *v, size_t index)
{
    if (sq_write_gate(v) != SQ_OK)
        return sq_write_gate(v);
    return stage_doc_record(v, REC_EXTRACTED, doc_at(v, index), NULL);
}

sq_err
sq_vault_remove(sq_vault *v, size_t index)
{
    const sq_doc *d;
    size_t        pos;
    sq_err        ret;

    if (sq_write_gate(v) != SQ_OK)
        return sq_write_gate(v);
    d = doc_at(v, index);
    if ((ret = stage_doc_record(v, REC_REMOVED, d, NULL)) != SQ_OK)
        return ret;
    pos = sq_names_find(v, d->name, d->name_len);
    if (pos == SIZE_MAX)
        abort();                          /* the view and the table disagree: a bug */
    if ((ret = drop_live(v, pos)) != SQ_OK)
        return ret;
    v->second_commit = true;
    return SQ_OK;
}

sq_err
sq_vault_rename(sq_vault *v, size_t index, const char *new_name, size_t new_len)
{
    sq_doc *d, *copy = NULL;
    char   *norm = NULL;
    size_t  norm_len = 0, pos, other, p;
    sq_err  ret;

    if (sq_write_gate(v) != SQ_OK)
        return sq_write_gate(v);
    d = (sq_doc *)doc_at(v, index);
    if ((ret = normalize_name(&norm, &norm_len, new_name, new_len)) != SQ_OK) {
        sq_set_detail(v, "invalid document name");
        return ret;
    }
    pos = sq_names_find(v, d->name, d->name_len);
    other = sq_names_find(v, norm, norm_len);
    if (other != SIZE_MAX && other != pos) {
        free(norm);
        return SQ_ERR_EXISTS;
    }
    p = pending_index(v, d);
    if (p == SIZE_MAX) {
        /* a committed record: a new put with the same doc_id supersedes it */
        if ((copy = calloc(1, sizeof *copy)) == NULL || (ret = sq_doc_copy(copy, d)) != SQ_OK) {
            free(copy);
            free(norm);
            return SQ_ERR_NOMEM;
        }
        if ((ret = pending_push(v, copy, false)) != SQ_OK) {
            sq_doc_clear(copy);
            free(copy);
            free(norm);
            return ret;
        }
    } else {
        copy = d;
    }
    sq_names_remove(v, pos);
    {
        sq_doc old_name = {0};
        old_name.name = copy->name;
        old_name.name_len = copy->name_len;
        copy->name = norm;
        copy->name_len = norm_len;
        ret = stage_doc_record(v, REC_RENAMED, copy, &old_name);
        free(old_name.name);
    }
    v->live[pos].doc = copy;
    v->live[pos].fold_hash = sq_name_fold_hash(v, copy->name, copy->name_len);
    v->view_dirty = true;
    v->dirty = true;
    if (ret != SQ_OK)
        return ret;
    return sq_names_insert(v, pos);
}

/* sq_doc_reencrypt: rekey (FORMAT.md 13): read every chunk of old under
 * old_lk, authenticate it, and seal it under the chunk key of new_lk and a
 * fresh write_salt into newly allocated blocks. out gets a deep copy of old
 * with the new write_salt and extents. */
sq_err
sq_doc_reencrypt(sq_vault *v, sq_doc *out, const sq_doc *old, const uint8_t old_lk[32],
                 const uint8_t new_lk[32], sq_damage *damage)
{
    uint8_t       okey[32], nkey[32];      /* secret: wiped below */
    uint8_t       ad[51];
    uint8_t      *ct = NULL, *pt = NULL, *oc = NULL;
    stream_writer w = {v, out, 0, 0, NULL, 0, 0};
    uint64_t      chunks = sq_doc_chunks(old->size);
    sq_err        ret;

    if ((ret = sq_doc_copy(out, old)) != SQ_OK)
        return ret;
    free(out->extents);
    out->extents = NULL;
    out->n_extents = 0;
    sq_random_buf(out->write_salt, sizeof out->write_salt);
    chunk_key_lk(okey, old_lk, old);
    chunk_key_lk(nkey, new_lk, out);
    chunk_ad(ad, v, old);                  /* vault_id, level and doc_id do not change */
    w.want_blocks = sq_doc_blocks(old->size);
    ret = SQ_ERR_NOMEM;
    if ((ct = malloc(CT_CHUNK)) == NULL || (pt = malloc(SQ_CHUNK_BYTES)) == NULL ||
        (oc = malloc((size_t)IO_CHUNKS * CT_CHUNK + SQ_BLOCK_BYTES)) == NULL)
        goto out;
    size_t oc_len = 0;
    for (uint64_t j = 0; j < chunks; j++) {
        bool   final = j + 1 == chunks;
        size_t clen = final ? (size_t)(old->size - j * (uint64_t)SQ_CHUNK_BYTES) : SQ_CHUNK_BYTES;
        ret = stream_read(v, old, j * CT_CHUNK, ct, clen + SQ_CHUNK_TAGBYTES);
        if (ret == SQ_OK)
            ret = sq_chunk_open(v->chunk, pt, ct, clen + SQ_CHUNK_TAGBYTES, okey, j, final, ad, sizeof ad);
        if (ret != SQ_OK) {
            if (damage != NULL)
                damage->chunk = j;
            ret = SQ_ERR_DAMAGED;
            goto out;
        }
        if ((ret = sq_chunk_seal(v->chunk, oc + oc_len, pt, clen, nkey, j, final, ad, sizeof ad)) != SQ_OK)
            goto out;
        oc_len += clen + SQ_CHUNK_TAGBYTES;
        if (final) {
            size_t pad = (SQ_BLOCK_BYTES - (sq_doc_ct_len(old->size) % SQ_BLOCK_BYTES)) % SQ_BLOCK_BYTES;
            sq_random_buf(oc + oc_len, pad);
            oc_len += pad;
        }
        if (final || (j + 1) % IO_CHUNKS == 0) {
            if ((ret = writer_put(&w, oc, oc_len)) != SQ_OK)
                goto out;
            oc_len = 0;
        }
    }
    writer_trim(&w);
    out->extents = w.ext;
    out->n_extents = w.n_ext;
    w.ext = NULL;
    ret = sq_doc_extents_valid(out) ? SQ_OK : SQ_ERR_FORMAT;
out:
    if (ret != SQ_OK) {
        writer_release(&w);
        sq_doc_clear(out);
    }
    sodium_memzero(okey, sizeof okey);
    sodium_memzero(nkey, sizeof nkey);
    if (pt != NULL) {
        sodium_memzero(pt, SQ_CHUNK_BYTES);
        free(pt);
    }
    free(ct);
    free(oc);
    return ret;
}
