/* structs.c: the one _parse and _serialize of each decrypted vault structure
 * (docs/FORMAT.md sections 6, 7, 8, 9, 13, 14).
 *
 * Every rule lives in one check function (*_check, *_valid) that both sides call: a parser
 * refuses what breaks it (SQ_ERR_FORMAT, SQ_ERR_LIMIT for a cap), a
 * serializer refuses to write it (SQ_ERR_INVALID), so a writer never
 * produces what a reader refuses. Parsers treat their input as hostile: an
 * object that authenticates may still have been crafted by anyone who knows a
 * passphrase of the level. Each count is checked against its cap and against
 * the bytes left before anything is allocated. */
#include "vault/structs.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "util/bytes.h"
#include "util/utf8.h"

#define DOC_CHUNK_BYTES   65536u   /* FORMAT.md 10 */
#define DOC_CHUNK_TAG     16u
#define EXTENT_BYTES      12u      /* LE64 start || LE32 count */

/* root body without the segment references (FORMAT.md 7) */
#define ROOT_FIXED_BYTES  (4u + SQ_VAULTID_BYTES + 8u + 8u + 4u + 4u + 1u + 8u + 8u + \
                           SQ_HASH_BYTES + 1u + SQ_KEYBYTES + 32u + 2u * SQ_OBJREF_BYTES + 1u + 1u)

/* doc record without its three strings and its extents (FORMAT.md 8) */
#define DOC_FIXED_BYTES   (SQ_DOCID_BYTES + 32u + 8u + 8u + 8u + 32u + 2u + 2u + 2u + 4u)
#define IDX_DELETE_BYTES  (1u + SQ_DOCID_BYTES)
/* the shortest index entry is a delete; a put is at least 128 bytes */
#define IDX_ENTRY_MIN     IDX_DELETE_BYTES

#define RECORD_HEAD_BYTES (1u + 8u + 2u)

/* the keyring's fixed body length (FORMAT.md 13) is written out there as a number */
_Static_assert(SQ_KEYRING_BODY_BYTES == 12996u, "FORMAT.md 13: K = 4 + 64 * 203");
_Static_assert(SQ_KEYRING_ENTRY_MAX_BYTES == 203u, "FORMAT.md 13: an entry with a 64-byte label");

/* ---- shared helpers ---- */

/* text_clean: well-formed UTF-8; with strict, no C0, DEL or C1 (case ids,
 * labels); otherwise only NUL is refused (notes), since the in-memory string
 * is NUL-terminated and an embedded NUL would silently shorten it. */
static bool
text_clean(const uint8_t *s, size_t len, bool strict)
{
    if (len == 0)
        return true;
    if (s == NULL || !sq_utf8_valid(s, len))
        return false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == 0x00)
            return false;
        if (!strict)
            continue;
        if (s[i] < 0x20 || s[i] == 0x7f)
            return false;
        /* in well-formed UTF-8, U+0080..U+009F is exactly C2 80..C2 9F, and
         * C2 is never a continuation byte */
        if (s[i] == 0xc2 && i + 1 < len && s[i + 1] <= 0x9f)
            return false;
    }
    return true;
}

static bool
extent_valid(const sq_extent *e)
{
    return e->count >= 1 && e->start <= SQ_MAX_BLOCKS && e->count <= SQ_MAX_BLOCKS - e->start;
}

static void
write_extent(sq_writer *w, const sq_extent *e)
{
    sq_write_u64(w, e->start);
    sq_write_u32(w, e->count);
}

static bool
read_extent(sq_reader *r, sq_extent *e)
{
    return sq_read_u64(r, &e->start) && sq_read_u32(r, &e->count);
}

/* read_string: n bytes from r into a fresh NUL-terminated copy; an empty
 * string is NULL (most case ids and notes are empty: no allocation, which
 * matters when an index of 100,000 documents is opened) */
static sq_err
read_string(char **out, size_t *out_len, sq_reader *r, size_t n)
{
    const uint8_t *v;

    if (!sq_read_view(r, &v, n))
        return SQ_ERR_FORMAT;
    if (n == 0) {
        *out = NULL;
        *out_len = 0;
        return SQ_OK;
    }
    if ((*out = malloc(n + 1)) == NULL)
        return SQ_ERR_NOMEM;
    if (n > 0)
        memcpy(*out, v, n);
    (*out)[n] = '\0';
    *out_len = n;
    return SQ_OK;
}

static sq_err
dup_string(char **out, const char *s, size_t n)
{
    if (n > 0 && s == NULL)
        return SQ_ERR_INVALID;
    if ((*out = malloc(n + 1)) == NULL)
        return SQ_ERR_NOMEM;
    if (n > 0)
        memcpy(*out, s, n);
    (*out)[n] = '\0';
    return SQ_OK;
}

/* wipe_free: document metadata is confidential, so it does not linger in the heap */
static void
wipe_free(void *p, size_t len)
{
    if (p == NULL)
        return;
    sodium_memzero(p, len);
    free(p);
}

/* ---- object references (FORMAT.md 6) ---- */

/* FORMAT.md 6 gives a reference as 92 bytes, but its fields add up to 88
 * (8 + 8 + 4 + 4 + 32 + 32). Section 7 sizes the root with 92 per
 * reference, so the 4 bytes after hash_b are kept as reserved: written as
 * zero, and refused by the root parser when not zero (no hidden channel, and
 * a parse always re-serializes to the same bytes). */
#define OBJREF_RESERVED_AT (24u + 2u * SQ_HASH_BYTES)

void
sq_objref_serialize(uint8_t out[SQ_OBJREF_BYTES], const sq_objref *ref)
{
    sq_store_le64(out, ref->block_a);
    sq_store_le64(out + 8, ref->block_b);
    sq_store_le32(out + 16, ref->nblocks);
    sq_store_le32(out + 20, ref->entries);
    memcpy(out + 24, ref->hash_a, SQ_HASH_BYTES);
    memcpy(out + 24 + SQ_HASH_BYTES, ref->hash_b, SQ_HASH_BYTES);
    memset(out + OBJREF_RESERVED_AT, 0, SQ_OBJREF_BYTES - OBJREF_RESERVED_AT);
}

void
sq_objref_parse(sq_objref *ref, const uint8_t in[SQ_OBJREF_BYTES])
{
    ref->block_a = sq_load_le64(in);
    ref->block_b = sq_load_le64(in + 8);
    ref->nblocks = sq_load_le32(in + 16);
    ref->entries = sq_load_le32(in + 20);
    memcpy(ref->hash_a, in + 24, SQ_HASH_BYTES);
    memcpy(ref->hash_b, in + 24 + SQ_HASH_BYTES, SQ_HASH_BYTES);
}

/* objref_check: an absent reference (nblocks 0) is all zero and allowed only
 * where the format says so; a present one has 1..16384 blocks, both copies
 * inside the 2^40-block space and not overlapping each other. entries is
 * capped so that merge arithmetic on it cannot overflow. Overlap with other
 * objects and the committed length are the engine's to check. */
static bool
objref_check(const sq_objref *ref, bool may_be_absent, uint32_t max_entries)
{
    uint64_t n = ref->nblocks;

    if (n == 0)
        return may_be_absent && ref->block_a == 0 && ref->block_b == 0 && ref->entries == 0 &&
               sodium_is_zero(ref->hash_a, SQ_HASH_BYTES) &&
               sodium_is_zero(ref->hash_b, SQ_HASH_BYTES);
    if (n > SQ_OBJ_MAX_BLOCKS || ref->entries > max_entries)
        return false;
    if (ref->block_a > SQ_MAX_BLOCKS - n || ref->block_b > SQ_MAX_BLOCKS - n)
        return false;
    return ref->block_a + n <= ref->block_b || ref->block_b + n <= ref->block_a;
}

/* ---- root (FORMAT.md 7) ---- */

static sq_err
root_check(const sq_root *root)
{
    uint64_t data;

    if (root->format_version == 0)
        return SQ_ERR_FORMAT;
    if (root->format_version > SQ_FORMAT_VERSION)
        return SQ_ERR_UNSUPPORTED;              /* made by a newer sandyq */
    if (root->n_index > SQ_MAX_SEGMENTS || root->n_records > SQ_MAX_SEGMENTS)
        return SQ_ERR_LIMIT;
    if (root->generation < 1)
        return SQ_ERR_FORMAT;
    if (root->committed_length < SQ_HEADER_BYTES)
        return SQ_ERR_FORMAT;
    data = root->committed_length - SQ_HEADER_BYTES;
    if (data % SQ_BLOCK_BYTES != 0 || data / SQ_BLOCK_BYTES > SQ_MAX_BLOCKS)
        return SQ_ERR_FORMAT;
    if (root->level >= SQ_MAX_LEVELS || (root->flags & ~SQ_ROOT_FLAG_GROWABLE) != 0 ||
        root->kdf_profile > 2 || root->has_lower > 1)
        return SQ_ERR_FORMAT;
    if (root->has_lower == 0) {
        /* the key chain is unused until the deniability issue: nothing may hide there */
        if (!sodium_is_zero(root->lower_key, sizeof root->lower_key))
            return SQ_ERR_FORMAT;
        for (size_t i = 0; i < 4; i++)
            if (root->lower_anchors[i] != 0)
                return SQ_ERR_FORMAT;
    }
    if (!objref_check(&root->keyring, false, SQ_SLOT_COUNT) ||
        !objref_check(&root->freelist, true, UINT32_MAX))
        return SQ_ERR_FORMAT;
    for (size_t i = 0; i < root->n_index; i++)
        if (!objref_check(&root->index[i], false, SQ_MAX_SEGMENT_ENTRIES))
            return SQ_ERR_FORMAT;
    for (size_t i = 0; i < root->n_records; i++)
        if (!objref_check(&root->records[i], false, SQ_MAX_SEGMENT_ENTRIES))
            return SQ_ERR_FORMAT;
    return SQ_OK;
}

static void
write_objref(sq_writer *w, const sq_objref *ref)
{
    uint8_t b[SQ_OBJREF_BYTES];

    sq_objref_serialize(b, ref);
    sq_write_bytes(w, b, sizeof b);
}

static bool
read_objref(sq_reader *r, sq_objref *ref)
{
    const uint8_t *v;

    if (!sq_read_view(r, &v, SQ_OBJREF_BYTES) ||
        !sodium_is_zero(v + OBJREF_RESERVED_AT, SQ_OBJREF_BYTES - OBJREF_RESERVED_AT))
        return false;
    sq_objref_parse(ref, v);
    return true;
}

sq_err
sq_root_serialize(uint8_t *out, size_t cap, size_t *len, const sq_root *root)
{
    sq_writer w;
    size_t    need;

    *len = 0;
    if (root_check(root) != SQ_OK)
        return SQ_ERR_INVALID;
    need = ROOT_FIXED_BYTES + SQ_OBJREF_BYTES * ((size_t)root->n_index + root->n_records);
    if (need > cap)
        return SQ_ERR_LIMIT;
    sq_writer_init(&w, out, cap);
    sq_write_u32(&w, root->format_version);
    sq_write_bytes(&w, root->vault_id, SQ_VAULTID_BYTES);
    sq_write_u64(&w, root->generation);
    sq_write_u64(&w, root->committed_length);
    sq_write_u32(&w, root->level);
    sq_write_u32(&w, root->flags);
    sq_write_u8(&w, root->kdf_profile);
    sq_write_u64(&w, (uint64_t)root->created);
    sq_write_u64(&w, (uint64_t)root->committed_at);
    sq_write_bytes(&w, root->slots_mac, SQ_HASH_BYTES);
    sq_write_u8(&w, root->has_lower);
    sq_write_bytes(&w, root->lower_key, SQ_KEYBYTES);
    for (size_t i = 0; i < 4; i++)
        sq_write_u64(&w, root->lower_anchors[i]);
    write_objref(&w, &root->keyring);
    write_objref(&w, &root->freelist);
    sq_write_u8(&w, root->n_index);
    for (size_t i = 0; i < root->n_index; i++)
        write_objref(&w, &root->index[i]);
    sq_write_u8(&w, root->n_records);
    for (size_t i = 0; i < root->n_records; i++)
        write_objref(&w, &root->records[i]);
    if (!sq_writer_ok(&w) || w.len != need)
        abort();                                /* need was computed wrong: a bug, not input */
    *len = w.len;
    return SQ_OK;
}

sq_err
sq_root_parse(sq_root *root, const uint8_t *in, size_t len)
{
    sq_reader r;
    uint64_t  u;
    sq_err    ret = SQ_ERR_FORMAT;

    sodium_memzero(root, sizeof *root);
    sq_reader_init(&r, in, len);
    if (!sq_read_u32(&r, &root->format_version))
        goto out;
    if (root->format_version > SQ_FORMAT_VERSION) {
        ret = SQ_ERR_UNSUPPORTED;               /* a newer layout: read no further */
        goto out;
    }
    if (!sq_read_bytes(&r, root->vault_id, SQ_VAULTID_BYTES) ||
        !sq_read_u64(&r, &root->generation) || !sq_read_u64(&r, &root->committed_length) ||
        !sq_read_u32(&r, &root->level) || !sq_read_u32(&r, &root->flags) ||
        !sq_read_u8(&r, &root->kdf_profile))
        goto out;
    if (!sq_read_u64(&r, &u))
        goto out;
    root->created = (int64_t)u;
    if (!sq_read_u64(&r, &u))
        goto out;
    root->committed_at = (int64_t)u;
    if (!sq_read_bytes(&r, root->slots_mac, SQ_HASH_BYTES) || !sq_read_u8(&r, &root->has_lower) ||
        !sq_read_bytes(&r, root->lower_key, SQ_KEYBYTES))
        goto out;
    for (size_t i = 0; i < 4; i++)
        if (!sq_read_u64(&r, &root->lower_anchors[i]))
            goto out;
    if (!read_objref(&r, &root->keyring) || !read_objref(&r, &root->freelist) ||
        !sq_read_u8(&r, &root->n_index))
        goto out;
    if (root->n_index > SQ_MAX_SEGMENTS) {
        ret = SQ_ERR_LIMIT;
        goto out;
    }
    for (size_t i = 0; i < root->n_index; i++)
        if (!read_objref(&r, &root->index[i]))
            goto out;
    if (!sq_read_u8(&r, &root->n_records))
        goto out;
    if (root->n_records > SQ_MAX_SEGMENTS) {
        ret = SQ_ERR_LIMIT;
        goto out;
    }
    for (size_t i = 0; i < root->n_records; i++)
        if (!read_objref(&r, &root->records[i]))
            goto out;
    if (!sq_reader_empty(&r))
        goto out;
    ret = root_check(root);
out:
    if (ret != SQ_OK)
        sodium_memzero(root, sizeof *root);     /* lower_key may have been read */
    return ret;
}

/* ---- documents (FORMAT.md 8, 10) ---- */

uint64_t
sq_doc_chunks(uint64_t size)
{
    uint64_t c = size / DOC_CHUNK_BYTES + (size % DOC_CHUNK_BYTES != 0);

    return c == 0 ? 1 : c;                      /* an empty document is one empty chunk */
}

/* sq_doc_ct_len: saturates at UINT64_MAX for sizes far above SQ_MAX_DOC_SIZE */
uint64_t
sq_doc_ct_len(uint64_t size)
{
    uint64_t c = sq_doc_chunks(size);

    if (c > (UINT64_MAX - size) / DOC_CHUNK_TAG)
        return UINT64_MAX;
    return size + DOC_CHUNK_TAG * c;
}

uint64_t
sq_doc_blocks(uint64_t size)
{
    uint64_t ct = sq_doc_ct_len(size);

    return ct / SQ_BLOCK_BYTES + (ct % SQ_BLOCK_BYTES != 0);
}

bool
sq_doc_extents_valid(const sq_doc *doc)
{
    uint64_t total = 0;

    if (doc->size > SQ_MAX_DOC_SIZE || doc->n_extents == 0 || doc->n_extents > SQ_MAX_EXTENTS ||
        doc->extents == NULL)
        return false;
    for (uint32_t i = 0; i < doc->n_extents; i++)
        total += doc->extents[i].count;         /* at most 2^16 * 2^32: no overflow */
    return total == sq_doc_blocks(doc->size);
}

/* doc_check: every rule of a doc record (FORMAT.md 8, 11) */
static sq_err
doc_check(const sq_doc *d)
{
    if (d->size > SQ_MAX_DOC_SIZE)
        return SQ_ERR_LIMIT;
    if (d->name_len > SQ_MAX_NAME_BYTES || d->case_len > SQ_MAX_CASE_BYTES ||
        d->note_len > SQ_MAX_NOTE_BYTES || d->n_extents > SQ_MAX_EXTENTS)
        return SQ_ERR_LIMIT;
    if (d->name_len == 0 || d->name == NULL ||
        !sq_name_valid((const uint8_t *)d->name, d->name_len))
        return SQ_ERR_FORMAT;
    if (!text_clean((const uint8_t *)d->case_id, d->case_len, true) ||
        !text_clean((const uint8_t *)d->note, d->note_len, false))
        return SQ_ERR_FORMAT;
    if (d->n_extents == 0 || d->extents == NULL)
        return SQ_ERR_FORMAT;
    for (uint32_t i = 0; i < d->n_extents; i++)
        if (!extent_valid(&d->extents[i]))
            return SQ_ERR_FORMAT;
    if (!sq_doc_extents_valid(d))
        return SQ_ERR_FORMAT;
    return SQ_OK;
}

void
sq_doc_clear(sq_doc *doc)
{
    if (doc == NULL)
        return;
    wipe_free(doc->name, doc->name_len);
    wipe_free(doc->case_id, doc->case_len);
    wipe_free(doc->note, doc->note_len);
    wipe_free(doc->extents, (size_t)doc->n_extents * sizeof *doc->extents);
    sodium_memzero(doc, sizeof *doc);
}

sq_err
sq_doc_copy(sq_doc *dst, const sq_doc *src)
{
    sq_err ret;

    memset(dst, 0, sizeof *dst);
    memcpy(dst->doc_id, src->doc_id, sizeof dst->doc_id);
    memcpy(dst->write_salt, src->write_salt, sizeof dst->write_salt);
    dst->size = src->size;
    dst->added = src->added;
    dst->mtime = src->mtime;
    memcpy(dst->sha256, src->sha256, sizeof dst->sha256);
    if ((ret = dup_string(&dst->name, src->name, src->name_len)) != SQ_OK)
        goto out;
    dst->name_len = src->name_len;
    if ((ret = dup_string(&dst->case_id, src->case_id, src->case_len)) != SQ_OK)
        goto out;
    dst->case_len = src->case_len;
    if ((ret = dup_string(&dst->note, src->note, src->note_len)) != SQ_OK)
        goto out;
    dst->note_len = src->note_len;
    if (src->n_extents > 0) {
        ret = SQ_ERR_INVALID;
        if (src->extents == NULL)
            goto out;
        ret = SQ_ERR_NOMEM;
        if ((dst->extents = malloc((size_t)src->n_extents * sizeof *dst->extents)) == NULL)
            goto out;
        memcpy(dst->extents, src->extents, (size_t)src->n_extents * sizeof *dst->extents);
        dst->n_extents = src->n_extents;
    }
    ret = SQ_OK;
out:
    if (ret != SQ_OK)
        sq_doc_clear(dst);
    return ret;
}

static size_t
doc_size(const sq_doc *d)
{
    return DOC_FIXED_BYTES + d->name_len + d->case_len + d->note_len +
           (size_t)d->n_extents * EXTENT_BYTES;
}

static void
write_doc(sq_writer *w, const sq_doc *d)
{
    sq_write_bytes(w, d->doc_id, SQ_DOCID_BYTES);
    sq_write_bytes(w, d->write_salt, sizeof d->write_salt);
    sq_write_u64(w, d->size);
    sq_write_u64(w, (uint64_t)d->added);
    sq_write_u64(w, (uint64_t)d->mtime);
    sq_write_bytes(w, d->sha256, sizeof d->sha256);
    sq_write_u16(w, (uint16_t)d->name_len);     /* lengths checked by doc_check */
    sq_write_bytes(w, d->name, d->name_len);
    sq_write_u16(w, (uint16_t)d->case_len);
    sq_write_bytes(w, d->case_id, d->case_len);
    sq_write_u16(w, (uint16_t)d->note_len);
    sq_write_bytes(w, d->note, d->note_len);
    sq_write_u32(w, d->n_extents);
    for (uint32_t i = 0; i < d->n_extents; i++)
        write_extent(w, &d->extents[i]);
}

/* doc_parse: one doc record from r into d (zeroed first, cleared on failure) */
static sq_err
doc_parse(sq_doc *d, sq_reader *r)
{
    uint64_t u;
    uint16_t n;
    uint32_t ne;
    sq_err   ret = SQ_ERR_FORMAT;

    memset(d, 0, sizeof *d);
    if (!sq_read_bytes(r, d->doc_id, SQ_DOCID_BYTES) ||
        !sq_read_bytes(r, d->write_salt, sizeof d->write_salt) || !sq_read_u64(r, &d->size))
        goto out;
    if (!sq_read_u64(r, &u))
        goto out;
    d->added = (int64_t)u;
    if (!sq_read_u64(r, &u))
        goto out;
    d->mtime = (int64_t)u;
    if (!sq_read_bytes(r, d->sha256, sizeof d->sha256))
        goto out;

    if (!sq_read_u16(r, &n))
        goto out;
    if (n > SQ_MAX_NAME_BYTES) {
        ret = SQ_ERR_LIMIT;
        goto out;
    }
    if (n == 0)
        goto out;
    if ((ret = read_string(&d->name, &d->name_len, r, n)) != SQ_OK)
        goto out;

    ret = SQ_ERR_FORMAT;
    if (!sq_read_u16(r, &n))
        goto out;
    if (n > SQ_MAX_CASE_BYTES) {
        ret = SQ_ERR_LIMIT;
        goto out;
    }
    if ((ret = read_string(&d->case_id, &d->case_len, r, n)) != SQ_OK)
        goto out;

    ret = SQ_ERR_FORMAT;
    if (!sq_read_u16(r, &n))
        goto out;
    if (n > SQ_MAX_NOTE_BYTES) {
        ret = SQ_ERR_LIMIT;
        goto out;
    }
    if ((ret = read_string(&d->note, &d->note_len, r, n)) != SQ_OK)
        goto out;

    ret = SQ_ERR_FORMAT;
    if (!sq_read_u32(r, &ne) || ne == 0)
        goto out;
    if (ne > SQ_MAX_EXTENTS) {
        ret = SQ_ERR_LIMIT;
        goto out;
    }
    if (ne > sq_reader_left(r) / EXTENT_BYTES)
        goto out;                               /* cannot be there: refuse before allocating */
    ret = SQ_ERR_NOMEM;
    if ((d->extents = calloc(ne, sizeof *d->extents)) == NULL)
        goto out;
    d->n_extents = ne;
    ret = SQ_ERR_FORMAT;
    for (uint32_t i = 0; i < ne; i++)
        if (!read_extent(r, &d->extents[i]))
            goto out;
    ret = doc_check(d);
out:
    if (ret != SQ_OK)
        sq_doc_clear(d);
    return ret;
}

/* ---- index segments (FORMAT.md 8) ---- */

static sq_err
index_check(const sq_index_segment *seg)
{
    sq_err ret;

    if (seg->count > SQ_MAX_SEGMENT_ENTRIES)
        return SQ_ERR_LIMIT;
    if (seg->count > 0 && seg->entries == NULL)
        return SQ_ERR_FORMAT;
    for (uint32_t i = 0; i < seg->count; i++) {
        const sq_idx_entry *e = &seg->entries[i];
        if (e->op == SQ_IDX_DELETE)
            continue;
        if (e->op != SQ_IDX_PUT)
            return SQ_ERR_FORMAT;
        if ((ret = doc_check(&e->doc)) != SQ_OK)
            return ret;
    }
    return SQ_OK;
}

size_t
sq_index_segment_size(const sq_index_segment *seg)
{
    size_t n = 4;

    for (uint32_t i = 0; i < seg->count; i++)
        n += seg->entries[i].op == SQ_IDX_PUT ? 1 + doc_size(&seg->entries[i].doc)
                                              : IDX_DELETE_BYTES;
    return n;
}

sq_err
sq_index_segment_serialize(uint8_t *out, size_t cap, size_t *len, const sq_index_segment *seg)
{
    sq_writer w;
    size_t    need;

    *len = 0;
    if (index_check(seg) != SQ_OK)
        return SQ_ERR_INVALID;
    need = sq_index_segment_size(seg);
    if (need > cap)
        return SQ_ERR_LIMIT;
    sq_writer_init(&w, out, cap);
    sq_write_u32(&w, seg->count);
    for (uint32_t i = 0; i < seg->count; i++) {
        const sq_idx_entry *e = &seg->entries[i];
        sq_write_u8(&w, (uint8_t)e->op);
        if (e->op == SQ_IDX_PUT)
            write_doc(&w, &e->doc);
        else
            sq_write_bytes(&w, e->doc.doc_id, SQ_DOCID_BYTES);
    }
    if (!sq_writer_ok(&w) || w.len != need)
        abort();                                /* size and writer disagree: a bug */
    *len = w.len;
    return SQ_OK;
}

void
sq_index_segment_free(sq_index_segment *seg)
{
    if (seg == NULL)
        return;
    for (uint32_t i = 0; i < seg->count; i++)
        sq_doc_clear(&seg->entries[i].doc);
    free(seg->entries);
    memset(seg, 0, sizeof *seg);
}

sq_err
sq_index_segment_parse(sq_index_segment *seg, const uint8_t *in, size_t len)
{
    sq_reader r;
    uint32_t  count;
    uint8_t   op;
    sq_err    ret = SQ_ERR_FORMAT;

    memset(seg, 0, sizeof *seg);
    sq_reader_init(&r, in, len);
    if (!sq_read_u32(&r, &count))
        goto out;
    if (count > SQ_MAX_SEGMENT_ENTRIES) {
        ret = SQ_ERR_LIMIT;
        goto out;
    }
    if (count > sq_reader_left(&r) / IDX_ENTRY_MIN)
        goto out;                               /* cannot be there: refuse before allocating */
    if (count > 0) {
        ret = SQ_ERR_NOMEM;
        if ((seg->entries = calloc(count, sizeof *seg->entries)) == NULL)
            goto out;
        seg->cap = count;
    }
    for (uint32_t i = 0; i < count; i++) {
        sq_idx_entry *e = &seg->entries[i];

        ret = SQ_ERR_FORMAT;
        if (!sq_read_u8(&r, &op))
            goto out;
        if (op == SQ_IDX_DELETE) {
            if (!sq_read_bytes(&r, e->doc.doc_id, SQ_DOCID_BYTES))
                goto out;
        } else if (op == SQ_IDX_PUT) {
            if ((ret = doc_parse(&e->doc, &r)) != SQ_OK)
                goto out;
        } else {
            goto out;
        }
        e->op = (sq_idx_op)op;
        seg->count = i + 1;                     /* what _free walks on failure */
    }
    ret = SQ_ERR_FORMAT;
    if (!sq_reader_empty(&r))
        goto out;
    ret = SQ_OK;
out:
    if (ret != SQ_OK)
        sq_index_segment_free(seg);
    return ret;
}

sq_err
sq_index_segment_push(sq_index_segment *seg, sq_idx_op op, const sq_doc *doc)
{
    sq_idx_entry *e;
    sq_err        ret;

    if (op != SQ_IDX_PUT && op != SQ_IDX_DELETE)
        return SQ_ERR_INVALID;
    if (seg->count >= SQ_MAX_SEGMENT_ENTRIES)
        return SQ_ERR_LIMIT;
    if (seg->count == seg->cap) {
        uint32_t      ncap = seg->cap < 16 ? 16 : seg->cap * 2;
        sq_idx_entry *grown;

        if (ncap > SQ_MAX_SEGMENT_ENTRIES)
            ncap = SQ_MAX_SEGMENT_ENTRIES;
        if ((grown = realloc(seg->entries, (size_t)ncap * sizeof *grown)) == NULL)
            return SQ_ERR_NOMEM;
        memset(grown + seg->cap, 0, (size_t)(ncap - seg->cap) * sizeof *grown);
        seg->entries = grown;
        seg->cap = ncap;
    }
    e = &seg->entries[seg->count];
    memset(e, 0, sizeof *e);
    if (op == SQ_IDX_PUT) {
        if ((ret = sq_doc_copy(&e->doc, doc)) != SQ_OK)
            return ret;
    } else {
        /* a delete carries only the id: what a parse of it would give back */
        memcpy(e->doc.doc_id, doc->doc_id, SQ_DOCID_BYTES);
    }
    e->op = op;
    seg->count++;
    return SQ_OK;
}

/* ---- record segments (FORMAT.md 14) ---- */

static bool
records_valid(const sq_record_segment *seg)
{
    if (seg->count > SQ_MAX_SEGMENT_ENTRIES || (seg->count > 0 && seg->records == NULL))
        return false;
    for (uint32_t i = 0; i < seg->count; i++) {
        const sq_record *rec = &seg->records[i];
        if (rec->len > SQ_MAX_RECORD_BODY || (rec->len > 0 && rec->body == NULL))
            return false;
    }
    return true;
}

size_t
sq_record_segment_size(const sq_record_segment *seg)
{
    size_t n = 4;

    for (uint32_t i = 0; i < seg->count; i++)
        n += RECORD_HEAD_BYTES + seg->records[i].len;
    return n;
}

sq_err
sq_record_segment_serialize(uint8_t *out, size_t cap, size_t *len, const sq_record_segment *seg)
{
    sq_writer w;
    size_t    need;

    *len = 0;
    if (!records_valid(seg))
        return SQ_ERR_INVALID;
    need = sq_record_segment_size(seg);
    if (need > cap)
        return SQ_ERR_LIMIT;
    sq_writer_init(&w, out, cap);
    sq_write_u32(&w, seg->count);
    for (uint32_t i = 0; i < seg->count; i++) {
        const sq_record *rec = &seg->records[i];
        sq_write_u8(&w, rec->type);
        sq_write_u64(&w, (uint64_t)rec->time);
        sq_write_u16(&w, rec->len);
        sq_write_bytes(&w, rec->body, rec->len);
    }
    if (!sq_writer_ok(&w) || w.len != need)
        abort();
    *len = w.len;
    return SQ_OK;
}

void
sq_record_segment_free(sq_record_segment *seg)
{
    if (seg == NULL)
        return;
    for (uint32_t i = 0; i < seg->count; i++)
        wipe_free(seg->records[i].body, seg->records[i].len);
    free(seg->records);
    memset(seg, 0, sizeof *seg);
}

sq_err
sq_record_segment_parse(sq_record_segment *seg, const uint8_t *in, size_t len)
{
    sq_reader      r;
    uint32_t       count;
    uint64_t       t;
    const uint8_t *body;
    sq_err         ret = SQ_ERR_FORMAT;

    memset(seg, 0, sizeof *seg);
    sq_reader_init(&r, in, len);
    if (!sq_read_u32(&r, &count))
        goto out;
    if (count > SQ_MAX_SEGMENT_ENTRIES) {
        ret = SQ_ERR_LIMIT;
        goto out;
    }
    if (count > sq_reader_left(&r) / RECORD_HEAD_BYTES)
        goto out;                               /* cannot be there: refuse before allocating */
    if (count > 0) {
        ret = SQ_ERR_NOMEM;
        if ((seg->records = calloc(count, sizeof *seg->records)) == NULL)
            goto out;
        seg->cap = count;
    }
    for (uint32_t i = 0; i < count; i++) {
        sq_record *rec = &seg->records[i];

        ret = SQ_ERR_FORMAT;
        if (!sq_read_u8(&r, &rec->type) || !sq_read_u64(&r, &t) || !sq_read_u16(&r, &rec->len))
            goto out;
        rec->time = (int64_t)t;
        if (rec->len > SQ_MAX_RECORD_BODY) {
            ret = SQ_ERR_LIMIT;
            goto out;
        }
        if (!sq_read_view(&r, &body, rec->len))
            goto out;
        if (rec->len > 0) {
            ret = SQ_ERR_NOMEM;
            if ((rec->body = malloc(rec->len)) == NULL)
                goto out;
            memcpy(rec->body, body, rec->len);
        }
        seg->count = i + 1;                     /* what _free walks on failure */
    }
    ret = SQ_ERR_FORMAT;
    if (!sq_reader_empty(&r))
        goto out;
    ret = SQ_OK;
out:
    if (ret != SQ_OK)
        sq_record_segment_free(seg);            /* a body is only allocated once counted */
    return ret;
}

sq_err
sq_record_segment_push(sq_record_segment *seg, uint8_t type, int64_t time,
                       const uint8_t *body, size_t body_len)
{
    sq_record *rec;
    uint8_t   *copy = NULL;

    if (body_len > SQ_MAX_RECORD_BODY || (body_len > 0 && body == NULL))
        return SQ_ERR_INVALID;
    if (seg->count >= SQ_MAX_SEGMENT_ENTRIES)
        return SQ_ERR_LIMIT;
    if (seg->count == seg->cap) {
        uint32_t   ncap = seg->cap < 16 ? 16 : seg->cap * 2;
        sq_record *grown;

        if (ncap > SQ_MAX_SEGMENT_ENTRIES)
            ncap = SQ_MAX_SEGMENT_ENTRIES;
        if ((grown = realloc(seg->records, (size_t)ncap * sizeof *grown)) == NULL)
            return SQ_ERR_NOMEM;
        memset(grown + seg->cap, 0, (size_t)(ncap - seg->cap) * sizeof *grown);
        seg->records = grown;
        seg->cap = ncap;
    }
    if (body_len > 0) {
        if ((copy = malloc(body_len)) == NULL)
            return SQ_ERR_NOMEM;
        memcpy(copy, body, body_len);
    }
    rec = &seg->records[seg->count];
    rec->type = type;
    rec->time = time;
    rec->len = (uint16_t)body_len;
    rec->body = copy;
    seg->count++;
    return SQ_OK;
}

/* ---- keyring (FORMAT.md 13) ---- */

/* The share set section's rules (FORMAT.md 13): one encoding, a layout
 * SLIP-0039 can split, and an active set's slot listed as a raw key. */
static bool
shares_valid(const sq_share_state *sh, const sq_keyring *kr)
{
    if (sh->state > 1 || sh->n_superseded > SQ_SHARES_SUPERSEDED)
        return false;
    for (uint32_t i = 0; i < kr->count; i++)
        if ((sh->wipe_pending >> kr->entries[i].slot) & 1)
            return false;                       /* a listed slot is never due for a wipe */
    for (unsigned i = sh->n_superseded; i < SQ_SHARES_SUPERSEDED; i++)
        if (sh->superseded[i].id != 0 || sh->superseded[i].generation != 0 || sh->superseded[i].ended != 0)
            return false;
    if (sh->state == 0) {
        return sh->slot == 0 && sh->id == 0 && sh->exponent == 0 && sh->secret_len == 0 &&
               sh->created == 0 && sh->group_threshold == 0 && sh->group_count == 0 &&
               sodium_is_zero(sh->member_threshold, sizeof sh->member_threshold) == 1 &&
               sodium_is_zero(sh->member_count, sizeof sh->member_count) == 1 &&
               sodium_is_zero(sh->master_secret, sizeof sh->master_secret) == 1 &&
               sodium_is_zero(sh->seed, sizeof sh->seed) == 1;
    }
    bool listed = false;
    for (uint32_t i = 0; i < kr->count; i++)
        if (kr->entries[i].slot == sh->slot && kr->entries[i].kind == SQ_SLOT_RAWKEY)
            listed = true;
    if (!listed || sh->slot >= SQ_SLOT_COUNT || sh->id >= (1u << 15) || sh->exponent > 15 ||
        (sh->secret_len != 16 && sh->secret_len != 32) || sh->generation == 0 ||
        sh->group_count < 1 || sh->group_count > SQ_SHARES_GROUPS || sh->group_threshold < 1 ||
        sh->group_threshold > sh->group_count)
        return false;
    for (unsigned g = 0; g < SQ_SHARES_GROUPS; g++) {
        uint8_t t = sh->member_threshold[g], n = sh->member_count[g];
        if (g >= sh->group_count) {
            if (t != 0 || n != 0)
                return false;
        } else if (n < 1 || n > 16 || t < 1 || t > n || (t == 1 && n != 1)) {
            return false;
        }
    }
    if (sodium_is_zero(sh->master_secret + sh->secret_len, SQ_SHARES_SECRET_MAX - sh->secret_len) != 1)
        return false;
    return true;
}

static void
shares_write(uint8_t *p, const sq_share_state *sh)
{
    sq_writer w;

    sq_writer_init(&w, p, SQ_KEYRING_SHARES_BYTES);
    sq_write_u8(&w, SQ_SHARES_VERSION);
    sq_write_u8(&w, sh->state);
    sq_write_u8(&w, sh->slot);
    sq_write_u16(&w, sh->id);
    sq_write_u8(&w, sh->exponent);
    sq_write_u8(&w, sh->secret_len);
    sq_write_u32(&w, sh->generation);
    sq_write_u64(&w, (uint64_t)sh->created);
    sq_write_u8(&w, sh->group_threshold);
    sq_write_u8(&w, sh->group_count);
    for (unsigned g = 0; g < SQ_SHARES_GROUPS; g++) {
        sq_write_u8(&w, sh->member_threshold[g]);
        sq_write_u8(&w, sh->member_count[g]);
    }
    sq_write_bytes(&w, sh->master_secret, SQ_SHARES_SECRET_MAX);
    sq_write_bytes(&w, sh->seed, 32);
    sq_write_u8(&w, sh->n_superseded);
    for (unsigned i = 0; i < SQ_SHARES_SUPERSEDED; i++) {
        sq_write_u16(&w, sh->superseded[i].id);
        sq_write_u32(&w, sh->superseded[i].generation);
        sq_write_u64(&w, (uint64_t)sh->superseded[i].ended);
    }
    sq_write_u64(&w, sh->wipe_pending);
    if (!sq_writer_ok(&w) || w.len != SQ_KEYRING_SHARES_BYTES)
        abort();                                /* the layout and its size disagree: a bug */
}

/* shares_read: the fixed-size section into *sh (validated by keyring_valid) */
static bool
shares_read(sq_share_state *sh, const uint8_t *p)
{
    sq_reader r;
    uint8_t   version;
    uint64_t  t = 0;
    bool      ok;

    sq_reader_init(&r, p, SQ_KEYRING_SHARES_BYTES);
    ok = sq_read_u8(&r, &version) && version == SQ_SHARES_VERSION && sq_read_u8(&r, &sh->state) &&
         sq_read_u8(&r, &sh->slot) && sq_read_u16(&r, &sh->id) && sq_read_u8(&r, &sh->exponent) &&
         sq_read_u8(&r, &sh->secret_len) && sq_read_u32(&r, &sh->generation) && sq_read_u64(&r, &t);
    sh->created = (int64_t)t;
    ok = ok && sq_read_u8(&r, &sh->group_threshold) && sq_read_u8(&r, &sh->group_count);
    for (unsigned g = 0; ok && g < SQ_SHARES_GROUPS; g++)
        ok = sq_read_u8(&r, &sh->member_threshold[g]) && sq_read_u8(&r, &sh->member_count[g]);
    ok = ok && sq_read_bytes(&r, sh->master_secret, SQ_SHARES_SECRET_MAX) &&
         sq_read_bytes(&r, sh->seed, 32) && sq_read_u8(&r, &sh->n_superseded);
    for (unsigned i = 0; ok && i < SQ_SHARES_SUPERSEDED; i++) {
        ok = sq_read_u16(&r, &sh->superseded[i].id) && sq_read_u32(&r, &sh->superseded[i].generation) &&
             sq_read_u64(&r, &t);
        sh->superseded[i].ended = (int64_t)t;
    }
    ok = ok && sq_read_u64(&r, &sh->wipe_pending);
    return ok && sq_reader_left(&r) == 0;
}

static bool
keyring_valid(const sq_keyring *kr)
{
    uint64_t seen = 0;                          /* not secret: slot numbers */

    if (kr->count > SQ_SLOT_COUNT)
        return false;
    for (uint32_t i = 0; i < kr->count; i++) {
        const sq_keyring_entry *e = &kr->entries[i];
        if (e->slot >= SQ_SLOT_COUNT || ((seen >> e->slot) & 1) != 0)
            return false;
        seen |= (uint64_t)1 << e->slot;
        if (e->kind != SQ_SLOT_PASSPHRASE && e->kind != SQ_SLOT_RAWKEY)
            return false;
        if (e->label_len > SQ_MAX_LABEL_BYTES ||
            !text_clean((const uint8_t *)e->label, e->label_len, true))
            return false;
    }
    return shares_valid(&kr->shares, kr);
}

sq_err
sq_keyring_serialize(uint8_t *out, size_t cap, size_t *len, const sq_keyring *kr)
{
    sq_writer w;

    size_t    total = kr->has_identity ? SQ_KEYRING_BODY3_BYTES : SQ_KEYRING_BODY_BYTES;

    *len = 0;
    if (!keyring_valid(kr))
        return SQ_ERR_INVALID;
    if (cap < total)
        return SQ_ERR_LIMIT;                    /* checked first: no half-written secrets */
    sq_writer_init(&w, out, cap);
    sq_write_u32(&w, kr->count);
    for (uint32_t i = 0; i < kr->count; i++) {
        const sq_keyring_entry *e = &kr->entries[i];
        sq_write_u8(&w, e->slot);
        sq_write_u8(&w, e->kind);
        sq_write_bytes(&w, e->kek_a, SQ_KEYBYTES);
        sq_write_bytes(&w, e->kcmt_a, SQ_KEYBYTES);
        sq_write_bytes(&w, e->kek_b, SQ_KEYBYTES);
        sq_write_bytes(&w, e->kcmt_b, SQ_KEYBYTES);
        sq_write_u64(&w, (uint64_t)e->created);
        sq_write_u8(&w, e->label_len);
        sq_write_bytes(&w, e->label, e->label_len);
    }
    if (!sq_writer_ok(&w) || w.len > SQ_KEYRING_BODY_BYTES)
        abort();                                /* keyring_valid let through what cannot fit: a bug */
    /* zero padding up to the one length (FORMAT.md 13): the size of the
     * object must not tell how many ways in there are */
    memset(out + w.len, 0, SQ_KEYRING_BODY_BYTES - w.len);
    if (kr->has_identity) {
        uint8_t *p = out + SQ_KEYRING_BODY_BYTES;
        *p++ = SQ_IDENTITY_VERSION;
        memcpy(p, kr->identity.x25519, SQ_KEYBYTES);
        p += SQ_KEYBYTES;
        for (unsigned i = 0; i < SQ_KEY_PURPOSE_COUNT; i++, p += SQ_KEYBYTES)
            memcpy(p, kr->identity.ed25519_seed[i], SQ_KEYBYTES);
        shares_write(p, &kr->shares);
    } else if (kr->shares.state != 0 || kr->shares.generation != 0 || kr->shares.n_superseded != 0) {
        sodium_memzero(out, total);
        return SQ_ERR_INVALID;                  /* the share section rides only with an identity */
    }
    *len = total;
    return SQ_OK;
}

/* sq_keyring_parse reads straight into the caller's (secret) struct: no key
 * byte is ever copied anywhere else. The body has one valid length and one
 * valid padding (FORMAT.md 13), so a keyring has one encoding and nothing can
 * hide after its entries. */
sq_err
sq_keyring_parse(sq_keyring *kr, const uint8_t *in, size_t len)
{
    sq_reader      r;
    uint32_t       count;
    uint64_t       t;
    const uint8_t *label, *pad;
    size_t         pad_len;
    bool           with_identity;
    sq_err         ret = SQ_ERR_FORMAT;

    sodium_memzero(kr, sizeof *kr);
    if (len != SQ_KEYRING_BODY_BYTES && len != SQ_KEYRING_BODY2_BYTES && len != SQ_KEYRING_BODY3_BYTES)
        goto out;                               /* the exact lengths, before anything else */
    with_identity = len != SQ_KEYRING_BODY_BYTES;
    if (len == SQ_KEYRING_BODY3_BYTES && !shares_read(&kr->shares, in + SQ_KEYRING_BODY2_BYTES))
        goto out;
    if (with_identity) {
        const uint8_t *p = in + SQ_KEYRING_BODY_BYTES;
        if (*p++ != SQ_IDENTITY_VERSION)
            goto out;
        memcpy(kr->identity.x25519, p, SQ_KEYBYTES);
        p += SQ_KEYBYTES;
        for (unsigned i = 0; i < SQ_KEY_PURPOSE_COUNT; i++, p += SQ_KEYBYTES)
            memcpy(kr->identity.ed25519_seed[i], p, SQ_KEYBYTES);
        len = SQ_KEYRING_BODY_BYTES;            /* the entries part, read as before */
    }
    sq_reader_init(&r, in, len);
    if (!sq_read_u32(&r, &count))
        goto out;
    if (count > SQ_SLOT_COUNT) {
        ret = SQ_ERR_LIMIT;
        goto out;
    }
    /* 64 entries of at most SQ_KEYRING_ENTRY_MAX_BYTES always fit in the
     * fixed length: no read below can run short */
    for (uint32_t i = 0; i < count; i++) {
        sq_keyring_entry *e = &kr->entries[i];

        if (!sq_read_u8(&r, &e->slot) || !sq_read_u8(&r, &e->kind) ||
            !sq_read_bytes(&r, e->kek_a, SQ_KEYBYTES) ||
            !sq_read_bytes(&r, e->kcmt_a, SQ_KEYBYTES) ||
            !sq_read_bytes(&r, e->kek_b, SQ_KEYBYTES) ||
            !sq_read_bytes(&r, e->kcmt_b, SQ_KEYBYTES) || !sq_read_u64(&r, &t) ||
            !sq_read_u8(&r, &e->label_len))
            goto out;
        e->created = (int64_t)t;
        if (e->label_len > SQ_MAX_LABEL_BYTES) {
            ret = SQ_ERR_LIMIT;
            goto out;
        }
        if (!sq_read_view(&r, &label, e->label_len))
            goto out;
        memcpy(e->label, label, e->label_len);
        e->label[e->label_len] = '\0';
    }
    pad_len = sq_reader_left(&r);
    if (!sq_read_view(&r, &pad, pad_len) || (pad_len > 0 && sodium_is_zero(pad, pad_len) != 1))
        goto out;                               /* padding MUST be zero: no hidden channel */
    kr->count = count;
    kr->has_identity = with_identity;
    ret = keyring_valid(kr) ? SQ_OK : SQ_ERR_FORMAT;
out:
    if (ret != SQ_OK)
        sodium_memzero(kr, sizeof *kr);
    return ret;
}

/* ---- free list (FORMAT.md 9) ---- */

static bool
extent_list_valid(const sq_extent *ext, uint32_t n)
{
    if (n > SQ_MAX_SEGMENT_ENTRIES || (n > 0 && ext == NULL))
        return false;
    for (uint32_t i = 0; i < n; i++)
        if (!extent_valid(&ext[i]))
            return false;
    return true;
}

size_t
sq_freelist_size(const sq_freelist *fl)
{
    return 8 + ((size_t)fl->n_quarantine + fl->n_scrub) * EXTENT_BYTES;
}

sq_err
sq_freelist_serialize(uint8_t *out, size_t cap, size_t *len, const sq_freelist *fl)
{
    sq_writer w;
    size_t    need;

    *len = 0;
    if (!extent_list_valid(fl->quarantine, fl->n_quarantine) ||
        !extent_list_valid(fl->scrub, fl->n_scrub))
        return SQ_ERR_INVALID;
    need = sq_freelist_size(fl);
    if (need > cap)
        return SQ_ERR_LIMIT;
    sq_writer_init(&w, out, cap);
    sq_write_u32(&w, fl->n_quarantine);
    for (uint32_t i = 0; i < fl->n_quarantine; i++)
        write_extent(&w, &fl->quarantine[i]);
    sq_write_u32(&w, fl->n_scrub);
    for (uint32_t i = 0; i < fl->n_scrub; i++)
        write_extent(&w, &fl->scrub[i]);
    if (!sq_writer_ok(&w) || w.len != need)
        abort();
    *len = w.len;
    return SQ_OK;
}

/* extent_list_parse: LE32(n) || n extents; *out is NULL when n is 0 */
static sq_err
extent_list_parse(sq_extent **out, uint32_t *out_n, sq_reader *r)
{
    uint32_t n;

    if (!sq_read_u32(r, &n))
        return SQ_ERR_FORMAT;
    if (n > SQ_MAX_SEGMENT_ENTRIES)
        return SQ_ERR_LIMIT;
    if (n > sq_reader_left(r) / EXTENT_BYTES)
        return SQ_ERR_FORMAT;                   /* cannot be there: refuse before allocating */
    if (n == 0)
        return SQ_OK;
    if ((*out = calloc(n, sizeof **out)) == NULL)
        return SQ_ERR_NOMEM;
    *out_n = n;                                 /* set now so the caller's _free releases it */
    for (uint32_t i = 0; i < n; i++)
        if (!read_extent(r, &(*out)[i]) || !extent_valid(&(*out)[i]))
            return SQ_ERR_FORMAT;
    return SQ_OK;
}

void
sq_freelist_free(sq_freelist *fl)
{
    if (fl == NULL)
        return;
    free(fl->quarantine);
    free(fl->scrub);
    memset(fl, 0, sizeof *fl);
}

sq_err
sq_freelist_parse(sq_freelist *fl, const uint8_t *in, size_t len)
{
    sq_reader r;
    sq_err    ret;

    memset(fl, 0, sizeof *fl);
    sq_reader_init(&r, in, len);
    if ((ret = extent_list_parse(&fl->quarantine, &fl->n_quarantine, &r)) != SQ_OK)
        goto out;
    if ((ret = extent_list_parse(&fl->scrub, &fl->n_scrub, &r)) != SQ_OK)
        goto out;
    ret = sq_reader_empty(&r) ? SQ_OK : SQ_ERR_FORMAT;
out:
    if (ret != SQ_OK)
        sq_freelist_free(fl);
    return ret;
}
