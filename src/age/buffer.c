/* buffer.c: whole-buffer encryption and decryption over the streaming API
 * (identity files, tests). */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "age/age_internal.h"
#include "util/secret.h"

typedef struct {
    uint8_t *p;
    size_t   len, cap;
} grow_buf;

static sq_err
grow_write(void *ctx, const uint8_t *buf, size_t len)
{
    grow_buf *g = ctx;

    if (len > g->cap - g->len) {
        size_t   ncap = g->cap ? g->cap : 1024;
        uint8_t *np;

        while (ncap - g->len < len) {
            if (ncap > SIZE_MAX / 2)
                return SQ_ERR_NOMEM;
            ncap *= 2;
        }
        if ((np = realloc(g->p, ncap)) == NULL)
            return SQ_ERR_NOMEM;
        g->p = np;
        g->cap = ncap;
    }
    memcpy(g->p + g->len, buf, len);
    g->len += len;
    return SQ_OK;
}

sq_err
sq_age_encrypt_buffer(uint8_t **out, size_t *out_len, const sq_age_recipients *to,
                      const uint8_t *in, size_t len)
{
    sq_age_encryptor *e = NULL;
    grow_buf          g = { NULL, 0, 0 };
    sq_err            ret;

    *out = NULL;
    *out_len = 0;
    if ((ret = sq_age_encrypt_start(&e, to, grow_write, &g)) != SQ_OK ||
        (len > 0 && (ret = sq_age_encrypt_update(e, in, len)) != SQ_OK) ||
        (ret = sq_age_encrypt_finish(e)) != SQ_OK)
        goto out;
    *out = g.p;
    *out_len = g.len;
    g.p = NULL;
out:
    sq_age_encryptor_free(e);
    free(g.p);   /* ciphertext only */
    return ret;
}

typedef struct {
    const uint8_t *p;
    size_t         left;
} mem_src;

static sq_err
mem_read(void *ctx, uint8_t *buf, size_t cap, size_t *got)
{
    mem_src *m = ctx;
    size_t   n = m->left < cap ? m->left : cap;

    if (n > 0)
        memcpy(buf, m->p, n);
    m->p += n;
    m->left -= n;
    *got = n;
    return SQ_OK;
}

sq_err
sq_age_decrypt_buffer(uint8_t **out, size_t *out_len, size_t *out_cap,
                      const sq_age_identities *ids, const uint8_t *in, size_t len,
                      size_t max_plain, sq_age_failure *failure)
{
    sq_age_decryptor *d = NULL;
    mem_src           m = { in, len };
    uint8_t          *buf = NULL;   /* secret: the plaintext */
    size_t            cap, used = 0;
    sq_age_failure    cls = SQ_AGE_OK;
    sq_err            ret;

    *out = NULL;
    *out_len = 0;
    *out_cap = 0;
    /* the plaintext is never longer than the file */
    cap = len < max_plain ? len : max_plain;
    if (cap > SQ_SECRET_MAX_ALLOC)
        cap = SQ_SECRET_MAX_ALLOC;
    ret = sq_age_decrypt_start(&d, mem_read, &m);
    if (ret == SQ_OK)
        ret = sq_age_decrypt_unwrap(d, ids);
    if (ret != SQ_OK) {
        cls = sq_age_decryptor_failure(d);
        goto out;
    }
    if ((buf = sq_secret_alloc(cap)) == NULL) {
        ret = SQ_ERR_NOMEM;
        goto out;
    }
    for (;;) {
        size_t  got = 0;
        uint8_t probe;

        if (used == cap) {
            /* full: only the end of the payload may come now */
            ret = sq_age_decrypt_read(d, &probe, 1, &got);
            sodium_memzero(&probe, 1);
            if (ret == SQ_OK && got > 0)
                ret = SQ_ERR_LIMIT;
        } else {
            ret = sq_age_decrypt_read(d, buf + used, cap - used, &got);
        }
        if (ret != SQ_OK) {
            cls = ret == SQ_ERR_LIMIT ? SQ_AGE_LIMIT : sq_age_decryptor_failure(d);
            goto out;
        }
        if (got == 0)
            break;
        used += got;
    }
    *out = buf;
    *out_len = used;
    *out_cap = cap;
    buf = NULL;
out:
    sq_secret_free(buf, cap);
    sq_age_decryptor_free(d);
    if (failure != NULL)
        *failure = cls;
    return ret;
}
