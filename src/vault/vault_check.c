/* vault_check.c: check (authenticate everything the state uses) and info. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crypto/kdf.h"
#include "util/io.h"
#include "util/secret.h"
#include "vault/object.h"
#include "vault/vault_internal.h"

static void
check_ref(sq_vault *v, const sq_objref *ref, uint8_t type, const char *what, sq_check_fn report,
          void *ctx, bool *error)
{
    uint8_t       *plain = NULL;
    size_t         plain_len = 0, body_len = 0;
    const uint8_t *body = NULL;
    bool           stale = false;
    sq_err         ret;

    if (ref->nblocks == 0)
        return;
    ret = sq_read_object(v, ref, type, &plain, &plain_len, &body, &body_len, &stale);
    sq_secret_free(plain, plain_len);
    if (ret != SQ_OK) {
        *error = true;
        if (report != NULL)
            report(ctx, SQ_CHECK_STATE_DAMAGED, NULL, 0, 0, what);
        return;
    }
    if (stale && report != NULL)
        report(ctx, SQ_CHECK_STALE_COPY, NULL, 0, 0, what);
    /* also authenticate copy b when a served, so a bad second copy is reported */
    if (!stale) {
        sq_objref only_b = *ref;
        only_b.block_a = ref->block_b;
        memcpy(only_b.hash_a, ref->hash_b, 32);
        ret = sq_read_object(v, &only_b, type, &plain, &plain_len, &body, &body_len, &stale);
        sq_secret_free(plain, plain_len);
        if ((ret != SQ_OK || stale) && report != NULL)
            report(ctx, SQ_CHECK_STALE_COPY, NULL, 0, 0, what);
    }
}

sq_err
sq_vault_check(sq_vault *v, sq_check_fn report, void *ctx, sq_progress_fn progress, void *pctx)
{
    struct stat st;
    bool        error = false;
    uint64_t    total = 0, done = 0;
    uint8_t     mac[32];

    if (fstat(v->fd, &st) == 0 && (uint64_t)st.st_size < v->k->root.committed_length) {
        error = true;
        if (report != NULL)
            report(ctx, SQ_CHECK_TRUNCATED, NULL, 0, 0, "the file is shorter than its last commit");
    }
    sq_slots_mac(mac, v->k->kslotmac, v->header, sq_keyring_owned(&v->k->keyring));
    if (sodium_memcmp(mac, v->k->root.slots_mac, 32) != 0 && report != NULL)
        report(ctx, SQ_CHECK_SLOTS_CHANGED, NULL, 0, 0,
               "the slot area differs from what this level committed");
    /* both copies of the current root (the other pair holds g-1, or nothing yet) */
    for (unsigned c = 0; c < 2; c++) {
        uint64_t gen = 0, block = v->k->plain.anchors[2 * (v->k->root.generation % 2) + c];
        if ((!sq_root_copy_generation(v, block, &gen) || gen != v->k->root.generation) && report != NULL)
            report(ctx, SQ_CHECK_STALE_COPY, NULL, 0, 0, "root");
    }
    check_ref(v, &v->k->root.keyring, SQ_OBJ_KEYRING, "keyring", report, ctx, &error);
    check_ref(v, &v->k->root.freelist, SQ_OBJ_FREELIST, "free list", report, ctx, &error);
    for (unsigned s = 0; s < v->k->root.n_index; s++)
        check_ref(v, &v->k->root.index[s], SQ_OBJ_INDEX, "index segment", report, ctx, &error);
    for (unsigned s = 0; s < v->k->root.n_records; s++)
        check_ref(v, &v->k->root.records[s], SQ_OBJ_RECORDS, "record segment", report, ctx, &error);
    sq_view_build(v);
    for (size_t i = 0; i < v->n_view; i++)
        total += v->view[i]->size;
    for (size_t i = 0; i < v->n_view; i++) {
        const sq_doc *d = v->view[i];
        sq_damage     dmg;
        if (sq_vault_verify_doc(v, d, &dmg) != SQ_OK) {
            error = true;
            if (report != NULL)
                report(ctx, SQ_CHECK_DOC_DAMAGED, d->name, d->name_len, dmg.chunk,
                       "chunk failed authentication");
        }
        done += d->size;
        if (progress != NULL)
            progress(pctx, done, total);
    }
    return error ? SQ_ERR_DAMAGED : SQ_OK;
}

sq_err
sq_vault_info(const sq_vault *v, sq_vault_info_t *out)
{
    struct stat st;
    uint8_t     h[32];
    uint8_t    *body = NULL;
    size_t      len = 0, cap = sq_object_capacity(1);
    uint64_t    used = 0;

    memset(out, 0, sizeof *out);
    if (fstat(v->fd, &st) != 0)
        return SQ_ERR_IO;
    out->file_bytes = (uint64_t)st.st_size;
    out->committed_bytes = v->k->root.committed_length;
    for (uint64_t b = 0; b < v->committed_blocks; b++)
        used += sq_bm_test(v, b);
    out->free_bytes = (v->committed_blocks - used) * SQ_BLOCK_BYTES;
    out->documents = v->n_docs;
    for (size_t i = 0; i < v->n_live; i++)
        if (v->live[i].doc != NULL)
            out->content_bytes += v->live[i].doc->size;
    out->generation = v->k->root.generation;
    if ((body = sq_secret_alloc(cap)) == NULL)
        return SQ_ERR_NOMEM;
    if (sq_root_serialize(body, cap, &len, &v->k->root) == SQ_OK) {
        crypto_generichash_state s;
        crypto_generichash_init(&s, v->k->kfpr, 32, 32);
        crypto_generichash_update(&s, (const uint8_t *)"sandyq/v1/state", 15);
        crypto_generichash_update(&s, body, len);
        crypto_generichash_final(&s, h, 32);
        sodium_memzero(&s, sizeof s);
        memcpy(out->fingerprint, h, 16);
    }
    sq_secret_free(body, cap);
    out->kdf = sq_kdf_profile_name((sq_kdf_profile)v->k->root.kdf_profile);
    out->growable = (v->k->root.flags & SQ_ROOT_FLAG_GROWABLE) != 0;
    out->level = v->k->root.level;
    out->format_version = v->k->root.format_version;
    out->ways_in = v->k->keyring.count;
    out->created = v->k->root.created;
    return SQ_OK;
}
