/* encrypt.c: the streaming age v1 encryptor. Plaintext accumulates in one
 * reused chunk buffer and is sealed there in place; whole chunks given at
 * once are sealed straight from the caller's memory into that buffer, so
 * each byte is copied at most once before the write. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "age/age_internal.h"
#include "crypto/chunk.h"
#include "util/random.h"
#include "util/secret.h"

struct sq_age_encryptor {
    sq_age_write_fn     write;
    void               *ctx;
    bool                armor;
    sq_age_armor_writer aw;
    sq_chunk_ctx       *cc;
    uint8_t            *key;       /* secret: payload key, 32 bytes of secret memory */
    uint8_t            *buf;       /* SQ_AGE_ENC_CHUNK_BYTES: plaintext, then ciphertext */
    size_t              fill;      /* plaintext bytes held in buf */
    uint64_t            index;
    bool                finished;
    sq_err              err;       /* sticky */
};

static sq_err
emit(sq_age_encryptor *e, const uint8_t *p, size_t n)
{
    if (e->armor)
        return sq_age_armor_write(&e->aw, p, n, e->write, e->ctx);
    return e->write(e->ctx, p, n);
}

/* the header of the stanzas for to, MAC'd under file_key, written out */
static sq_err
write_header(sq_age_encryptor *e, const sq_age_recipients *to, const uint8_t *file_key)
{
    sq_age_header h;
    char         *texts = NULL;   /* shares / salt and log N in text form */
    uint8_t      *out = NULL;
    size_t        n = to->passphrase != NULL ? 1 : to->n_x25519, cap, len = 0;
    sq_err        ret = SQ_ERR_NOMEM;

    memset(&h, 0, sizeof h);
    if ((h.stanzas = calloc(n, sizeof *h.stanzas)) == NULL ||
        (texts = calloc(n, SQ_AGE_MAC_B64_CHARS + 1)) == NULL)
        goto out;
    if (to->passphrase != NULL) {
        uint8_t log_n = to->scrypt_log_n ? to->scrypt_log_n : SQ_AGE_SCRYPT_LOG_N_DEFAULT;

        if ((ret = sq_age_scrypt_wrap(&h.stanzas[0], texts, texts + 24, to->passphrase,
                                      to->passphrase_len, log_n, file_key)) != SQ_OK)
            goto out;
        h.n = 1;
    } else {
        for (size_t i = 0; i < n; i++) {
            if ((ret = sq_age_x25519_wrap(&h.stanzas[i], texts + i * (SQ_AGE_MAC_B64_CHARS + 1),
                                          to->x25519[i], file_key)) != SQ_OK)
                goto out;
            h.n++;
        }
    }
    cap = sq_age_header_size(&h);
    ret = SQ_ERR_NOMEM;
    if ((out = malloc(cap)) == NULL)
        goto out;
    if ((ret = sq_age_header_serialize(out, cap, &len, &h, false)) != SQ_OK)
        goto out;
    sq_age_header_mac(h.mac, file_key, out, len);
    if ((ret = sq_age_header_serialize(out, cap, &len, &h, true)) != SQ_OK)
        goto out;
    ret = emit(e, out, len);
out:
    free(out);
    free(texts);
    sq_age_header_clear(&h);
    return ret;
}

sq_err
sq_age_encrypt_start(sq_age_encryptor **out, const sq_age_recipients *to, sq_age_write_fn write,
                     void *ctx)
{
    sq_age_encryptor *e = NULL;
    uint8_t          *file_key = NULL;   /* secret */
    uint8_t           nonce[SQ_AGE_NONCE_BYTES];
    sq_err            ret = SQ_ERR_INVALID;

    *out = NULL;
    if (to == NULL || write == NULL ||
        (to->passphrase != NULL) == (to->n_x25519 > 0) ||
        to->n_x25519 > SQ_AGE_MAX_RECIPIENTS || (to->n_x25519 > 0 && to->x25519 == NULL) ||
        to->scrypt_log_n > SQ_AGE_SCRYPT_LOG_N_MAX)
        return SQ_ERR_INVALID;
    ret = SQ_ERR_NOMEM;
    if ((e = calloc(1, sizeof *e)) == NULL)
        goto out;
    e->write = write;
    e->ctx = ctx;
    e->armor = to->armor;
    if ((e->armor && sq_age_armor_writer_init(&e->aw) != SQ_OK) ||
        (e->cc = sq_chunk_ctx_new()) == NULL || (e->key = sq_secret_alloc(32)) == NULL ||
        (file_key = sq_secret_alloc(SQ_AGE_FILE_KEY_BYTES)) == NULL ||
        (e->buf = sq_secret_alloc(SQ_AGE_ENC_CHUNK_BYTES)) == NULL)
        goto out;   /* the chunk buffer holds plaintext: guarded, locked, wiped */
    /* C2SP age: 16 bytes of CSPRNG output, never reused across files */
    sq_random_buf(file_key, SQ_AGE_FILE_KEY_BYTES);
    if ((ret = write_header(e, to, file_key)) != SQ_OK)
        goto out;
    sq_random_buf(nonce, sizeof nonce);
    sq_age_payload_key(e->key, file_key, nonce);
    if ((ret = emit(e, nonce, sizeof nonce)) != SQ_OK)
        goto out;
    *out = e;
    e = NULL;
    ret = SQ_OK;
out:
    sq_secret_free(file_key, SQ_AGE_FILE_KEY_BYTES);
    sq_age_encryptor_free(e);
    return ret;
}

static sq_err
seal_out(sq_age_encryptor *e, const uint8_t *in, size_t len, bool final)
{
    sq_err ret;

    if ((ret = sq_chunk_seal(e->cc, e->buf, in, len, e->key, e->index, final, NULL, 0)) != SQ_OK)
        return ret;
    e->index++;
    return emit(e, e->buf, len + SQ_CHUNK_TAGBYTES);
}

sq_err
sq_age_encrypt_update(sq_age_encryptor *e, const uint8_t *in, size_t len)
{
    if (e->err != SQ_OK)
        return e->err;
    if (e->finished)
        return SQ_ERR_INVALID;
    while (len > 0) {
        size_t take;

        if (e->fill == SQ_AGE_CHUNK_BYTES) {
            /* more data came, so the held chunk was not the last */
            if ((e->err = seal_out(e, e->buf, SQ_AGE_CHUNK_BYTES, false)) != SQ_OK)
                return e->err;
            e->fill = 0;
        }
        if (e->fill == 0 && len > SQ_AGE_CHUNK_BYTES) {
            if ((e->err = seal_out(e, in, SQ_AGE_CHUNK_BYTES, false)) != SQ_OK)
                return e->err;
            in += SQ_AGE_CHUNK_BYTES;
            len -= SQ_AGE_CHUNK_BYTES;
            continue;
        }
        take = SQ_AGE_CHUNK_BYTES - e->fill;
        if (take > len)
            take = len;
        memcpy(e->buf + e->fill, in, take);
        e->fill += take;
        in += take;
        len -= take;
    }
    return SQ_OK;
}

sq_err
sq_age_encrypt_finish(sq_age_encryptor *e)
{
    if (e->err != SQ_OK)
        return e->err;
    if (e->finished)
        return SQ_ERR_INVALID;
    e->finished = true;
    /* the final chunk: short, full, or empty only when nothing came at all */
    if ((e->err = seal_out(e, e->buf, e->fill, true)) != SQ_OK)
        return e->err;
    e->fill = 0;
    if (e->armor && (e->err = sq_age_armor_finish(&e->aw, e->write, e->ctx)) != SQ_OK)
        return e->err;
    return SQ_OK;
}

void
sq_age_encryptor_free(sq_age_encryptor *e)
{
    if (e == NULL)
        return;
    sq_secret_free(e->buf, SQ_AGE_ENC_CHUNK_BYTES);   /* wipes: may hold plaintext */
    sq_secret_free(e->key, 32);
    sq_chunk_ctx_free(e->cc);
    if (e->armor)
        sq_age_armor_writer_free(&e->aw);
    free(e);
}
