/* vault_objects.c: reading and writing objects stored twice (FORMAT.md 6). */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "util/io.h"
#include "util/secret.h"
#include "vault/object.h"
#include "vault/vault_internal.h"

void
sq_objref_extents(const sq_objref *ref, sq_extent out[2])
{
    out[0].start = ref->block_a;
    out[0].count = ref->nblocks;
    out[1].start = ref->block_b;
    out[1].count = ref->nblocks;
}

static sq_err
read_copy(sq_vault *v, uint64_t block, uint32_t nblocks, const uint8_t hash[32], uint8_t type,
          uint8_t *raw, uint8_t *plain, const uint8_t **body, size_t *body_len)
{
    uint8_t h[32];
    size_t  len = (size_t)nblocks * SQ_BLOCK_BYTES;
    sq_err  ret;

    if (block + nblocks > v->committed_blocks)
        return SQ_ERR_FORMAT;
    if ((ret = sq_io_pread_all(v->fd, raw, len, sq_block_offset(block))) != SQ_OK)
        return ret;
    sq_object_hash(h, v->k->khash, raw, len);
    if (sodium_memcmp(h, hash, 32) != 0)
        return SQ_ERR_AUTH;                /* an older or foreign copy */
    return sq_object_open(plain, body, body_len, raw, nblocks, v->k->kmeta,
                          v->k->root.vault_id, v->k->root.level, type, block);
}

sq_err
sq_read_object_into(sq_vault *v, const sq_objref *ref, uint8_t type, uint8_t *raw, uint8_t *plain,
                    const uint8_t **body, size_t *body_len, bool *stale)
{
    sq_err ret;

    if (stale != NULL)
        *stale = false;
    if (ref->nblocks == 0 || ref->nblocks > SQ_OBJ_MAX_BLOCKS)
        return SQ_ERR_FORMAT;
    ret = read_copy(v, ref->block_a, ref->nblocks, ref->hash_a, type, raw, plain, body, body_len);
    if (ret != SQ_OK) {
        if (stale != NULL)
            *stale = true;
        ret = read_copy(v, ref->block_b, ref->nblocks, ref->hash_b, type, raw, plain, body, body_len);
    }
    return ret;
}

sq_err
sq_read_object(sq_vault *v, const sq_objref *ref, uint8_t type, uint8_t **plain_out,
               size_t *plain_len_out, const uint8_t **body, size_t *body_len, bool *stale)
{
    size_t   len = (size_t)ref->nblocks * SQ_BLOCK_BYTES;
    uint8_t *raw = NULL, *plain = NULL;
    sq_err   ret = SQ_ERR_NOMEM;

    *plain_out = NULL;
    *plain_len_out = 0;
    if (stale != NULL)
        *stale = false;
    if (ref->nblocks == 0 || ref->nblocks > SQ_OBJ_MAX_BLOCKS)
        return SQ_ERR_FORMAT;
    if ((raw = malloc(len)) == NULL)       /* ciphertext: not secret */
        goto out;
    if ((plain = sq_secret_alloc(len - SQ_OBJ_OVERHEAD)) == NULL)
        goto out;
    ret = read_copy(v, ref->block_a, ref->nblocks, ref->hash_a, type, raw, plain, body, body_len);
    if (ret != SQ_OK) {
        if (stale != NULL)
            *stale = true;
        ret = read_copy(v, ref->block_b, ref->nblocks, ref->hash_b, type, raw, plain, body, body_len);
    }
    if (ret != SQ_OK)
        goto out;
    *plain_out = plain;
    *plain_len_out = len - SQ_OBJ_OVERHEAD;
    plain = NULL;
out:
    free(raw);
    sq_secret_free(plain, len - SQ_OBJ_OVERHEAD);
    return ret;
}

sq_err
sq_write_object(sq_vault *v, uint8_t type, const uint8_t *body, size_t body_len, sq_objref *ref)
{
    uint32_t n = sq_object_blocks_for(body_len);
    size_t   len;
    uint8_t *buf = NULL;
    uint64_t blocks[2];
    sq_err   ret;

    if (n == 0)
        return SQ_ERR_LIMIT;
    len = (size_t)n * SQ_BLOCK_BYTES;
    /* the body is copied in before sealing in place: secret memory, wiped on free */
    if ((buf = sq_secret_alloc(len)) == NULL)
        return SQ_ERR_NOMEM;
    memset(ref, 0, sizeof *ref);
    for (int c = 0; c < 2; c++) {
        if ((ret = sq_alloc_contig(v, n, &blocks[c])) != SQ_OK)
            goto out;
        if ((ret = sq_object_seal(buf, n, v->k->kmeta, v->k->root.vault_id, v->k->root.level, type,
                                  blocks[c], body, body_len)) != SQ_OK)
            goto out;
        sq_object_hash(c == 0 ? ref->hash_a : ref->hash_b, v->k->khash, buf, len);
        if ((ret = sq_io_pwrite_all(v->fd, buf, len, sq_block_offset(blocks[c]))) != SQ_OK)
            goto out;
    }
    ref->block_a = blocks[0];
    ref->block_b = blocks[1];
    ref->nblocks = n;
out:
    sq_secret_free(buf, len);
    return ret;
}

sq_err
sq_load_records(sq_vault *v, sq_rec_seg *r)
{
    uint8_t       *plain = NULL;
    size_t         plain_len = 0, body_len = 0;
    const uint8_t *body = NULL;
    sq_err         ret;

    if (r->loaded)
        return SQ_OK;
    ret = sq_read_object(v, &r->ref, SQ_OBJ_RECORDS, &plain, &plain_len, &body, &body_len, NULL);
    if (ret == SQ_OK)
        ret = sq_record_segment_parse(&r->seg, body, body_len);
    sq_secret_free(plain, plain_len);
    if (ret == SQ_OK)
        r->loaded = true;
    return ret;
}
