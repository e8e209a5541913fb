/* decrypt.c: the streaming age v1 decryptor.
 *
 * Input passes through at most two layers: the caller's read function
 * behind a small pushback (the bytes read to tell armor from binary), and
 * the armor decoder when the input is armored. The header is read into a
 * growing buffer capped at SQ_AGE_HEADER_MAX_BYTES; what follows it is
 * pushed back for the payload.
 *
 * Payload: each chunk is read into one reused buffer with one byte of
 * lookahead, which tells whether the input ends right after it (then it
 * must be the final chunk, C2SP age) and is opened straight into the
 * caller's buffer when it fits, else into a plaintext buffer handed out
 * piece by piece. No plaintext leaves before its chunk's tag verified. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "age/age_internal.h"
#include "crypto/chunk.h"
#include "util/secret.h"

#define DETECT_BYTES 4096            /* read first: enough for the armor's leading whitespace */

typedef enum { ST_HEADER, ST_UNWRAPPED, ST_PAYLOAD, ST_DONE, ST_FAILED } dec_state;

struct sq_age_decryptor {
    sq_age_raw          raw;
    bool                armored;
    sq_age_armor_reader ar;
    uint8_t            *hbuf;        /* the header text (stanzas point into it) */
    size_t              hbuf_len, hbuf_cap;
    size_t              pb_off, pb_len;   /* bytes of hbuf after the header, served first */
    sq_age_header       h;
    bool                wants_pass;
    dec_state           state;
    sq_age_failure      failure;
    sq_err              err;         /* sticky once failed */
    uint8_t            *file_key;    /* secret: 16 bytes */
    uint8_t            *key;         /* secret: payload key */
    sq_chunk_ctx       *cc;
    uint8_t            *cbuf;        /* SQ_AGE_ENC_CHUNK_BYTES + 1: ciphertext and lookahead */
    size_t              cfill;       /* bytes of the next chunk already in cbuf */
    uint8_t            *pbuf;        /* SQ_AGE_CHUNK_BYTES: plaintext when the caller's buffer is small */
    size_t              out_off, out_len;  /* plaintext in pbuf not yet handed out */
    uint64_t            index;
    bool                armor_err;   /* the last source error came from the armor */
};

/* bytes of the (decoded) input: pushback after the header, then armor or raw */
static sq_err
src_read(sq_age_decryptor *d, uint8_t *buf, size_t cap, size_t *got)
{
    sq_err ret;

    *got = 0;
    if (d->pb_off < d->pb_len) {
        size_t n = d->pb_len - d->pb_off;

        if (n > cap)
            n = cap;
        memcpy(buf, d->hbuf + d->pb_off, n);
        d->pb_off += n;
        *got = n;
        return SQ_OK;
    }
    if (!d->armored)
        return sq_age_raw_read(&d->raw, buf, cap, got);
    ret = sq_age_armor_read(&d->ar, &d->raw, buf, cap, got);
    d->armor_err = ret == SQ_ERR_FORMAT;
    return ret;
}

/* fill buf with up to want bytes, short only at the end of input */
static sq_err
src_fill(sq_age_decryptor *d, uint8_t *buf, size_t want, size_t *got)
{
    size_t have = 0;

    while (have < want) {
        size_t n = 0;
        sq_err ret = src_read(d, buf + have, want - have, &n);

        if (ret != SQ_OK) {
            *got = have;
            return ret;
        }
        if (n == 0)
            break;
        have += n;
    }
    *got = have;
    return SQ_OK;
}

static sq_err
fail(sq_age_decryptor *d, sq_err err, sq_age_failure cls)
{
    if (d->armor_err && err == SQ_ERR_FORMAT)
        cls = SQ_AGE_ARMOR_FAILURE;
    d->state = ST_FAILED;
    d->err = err;
    d->failure = cls;
    return err;
}

/* armor when the input starts (after whitespace) with "-----" */
static sq_err
detect(sq_age_decryptor *d)
{
    size_t have = 0, i;
    sq_err ret;

    if ((d->raw.pb = malloc(DETECT_BYTES)) == NULL)
        return SQ_ERR_NOMEM;
    for (;;) {
        size_t n = 0;

        for (i = 0; i < have && (d->raw.pb[i] == ' ' || d->raw.pb[i] == '\t' ||
                                 d->raw.pb[i] == '\r' || d->raw.pb[i] == '\n');
             i++)
            ;
        if (have - i >= 5 || have == DETECT_BYTES)
            break;
        if ((ret = d->raw.read(d->raw.ctx, d->raw.pb + have, DETECT_BYTES - have, &n)) != SQ_OK)
            return ret;
        if (n > DETECT_BYTES - have)
            return SQ_ERR_INVALID;
        if (n == 0) {
            d->raw.eof = true;
            break;
        }
        have += n;
    }
    d->raw.pb_len = have;
    d->armored = have - i >= 5 && memcmp(d->raw.pb + i, "-----", 5) == 0;
    if (d->armored)
        return sq_age_armor_reader_init(&d->ar);
    return SQ_OK;
}

static sq_err
read_header(sq_age_decryptor *d)
{
    const size_t vlen = sizeof SQ_AGE_VERSION_LINE - 1;
    size_t       end = 0, scan = 0;
    sq_err       ret;

    for (;;) {
        size_t n = 0;

        if (d->hbuf_len == d->hbuf_cap) {
            size_t   ncap = d->hbuf_cap ? d->hbuf_cap * 2 : 4096;
            uint8_t *nb;

            if (d->hbuf_cap >= SQ_AGE_HEADER_MAX_BYTES)
                return fail(d, SQ_ERR_LIMIT, SQ_AGE_LIMIT);
            if (ncap > SQ_AGE_HEADER_MAX_BYTES)
                ncap = SQ_AGE_HEADER_MAX_BYTES;
            if ((nb = realloc(d->hbuf, ncap)) == NULL)
                return fail(d, SQ_ERR_NOMEM, SQ_AGE_HEADER_FAILURE);
            d->hbuf = nb;
            d->hbuf_cap = ncap;
        }
        if ((ret = src_read(d, d->hbuf + d->hbuf_len, d->hbuf_cap - d->hbuf_len, &n)) != SQ_OK)
            return fail(d, ret, SQ_AGE_HEADER_FAILURE);
        d->hbuf_len += n;
        /* not age at all: say so without reading a megabyte first */
        if (memcmp(d->hbuf, SQ_AGE_VERSION_LINE, d->hbuf_len < vlen ? d->hbuf_len : vlen) != 0)
            return fail(d, SQ_ERR_FORMAT, SQ_AGE_HEADER_FAILURE);
        /* look for the MAC line from the last incomplete line on, so a large
         * header arriving in small reads is scanned once */
        for (;;) {
            const uint8_t *nl = memchr(d->hbuf + scan, '\n', d->hbuf_len - scan);

            if (nl == NULL)
                break;
            if (nl - (d->hbuf + scan) >= 3 && memcmp(d->hbuf + scan, "---", 3) == 0) {
                end = (size_t)(nl - d->hbuf) + 1;
                break;
            }
            scan = (size_t)(nl - d->hbuf) + 1;
        }
        if (end != 0)
            break;
        if (n == 0)
            return fail(d, SQ_ERR_FORMAT, SQ_AGE_HEADER_FAILURE);   /* ended inside */
    }
    if ((ret = sq_age_header_parse(&d->h, d->hbuf, end)) != SQ_OK)
        return fail(d, ret, ret == SQ_ERR_LIMIT ? SQ_AGE_LIMIT : SQ_AGE_HEADER_FAILURE);
    d->pb_off = end;
    d->pb_len = d->hbuf_len;
    return SQ_OK;
}

/* the recognized stanzas must be well formed, and scrypt alone */
static sq_err
check_stanzas(sq_age_decryptor *d)
{
    for (size_t i = 0; i < d->h.n; i++) {
        const sq_age_stanza *s = &d->h.stanzas[i];
        uint8_t              log_n = 0;
        sq_err               ret;

        if (sq_age_stanza_is(s, "X25519")) {
            if (sq_age_x25519_check(s) != SQ_OK)
                return fail(d, SQ_ERR_FORMAT, SQ_AGE_HEADER_FAILURE);
        } else if (sq_age_stanza_is(s, "scrypt")) {
            /* C2SP age: an scrypt stanza MUST be the only stanza */
            if (d->h.n != 1)
                return fail(d, SQ_ERR_FORMAT, SQ_AGE_HEADER_FAILURE);
            /* set first, so a caller told SQ_AGE_LIMIT can say which cap */
            d->wants_pass = true;
            if ((ret = sq_age_scrypt_check(s, &log_n)) != SQ_OK)
                return fail(d, ret, ret == SQ_ERR_LIMIT ? SQ_AGE_LIMIT : SQ_AGE_HEADER_FAILURE);
        }
    }
    return SQ_OK;
}

sq_err
sq_age_decrypt_start(sq_age_decryptor **out, sq_age_read_fn read, void *ctx)
{
    sq_age_decryptor *d;
    sq_err            ret;

    *out = NULL;
    if (read == NULL)
        return SQ_ERR_INVALID;
    if ((d = calloc(1, sizeof *d)) == NULL)
        return SQ_ERR_NOMEM;
    *out = d;
    d->raw.read = read;
    d->raw.ctx = ctx;
    d->state = ST_HEADER;
    if ((ret = detect(d)) != SQ_OK)
        return fail(d, ret, SQ_AGE_HEADER_FAILURE);
    if ((ret = read_header(d)) != SQ_OK)
        return ret;
    return check_stanzas(d);
}

bool
sq_age_decryptor_wants_passphrase(const sq_age_decryptor *d)
{
    return d != NULL && d->wants_pass;
}

sq_age_failure
sq_age_decryptor_failure(const sq_age_decryptor *d)
{
    return d == NULL ? SQ_AGE_OK : d->failure;
}

/* the file key from the first stanza an identity opens */
static sq_err
find_file_key(sq_age_decryptor *d, const sq_age_identities *ids)
{
    uint8_t pk[SQ_AGE_KEY_BYTES];
    sq_err  ret;

    for (size_t i = 0; i < d->h.n; i++) {
        const sq_age_stanza *s = &d->h.stanzas[i];

        if (sq_age_stanza_is(s, "scrypt")) {
            if (ids->passphrase == NULL)
                continue;
            ret = sq_age_scrypt_unwrap(d->file_key, s, ids->passphrase, ids->passphrase_len,
                                       ids->max_log_n);
            if (ret != SQ_ERR_NOTFOUND)
                return ret;
        } else if (sq_age_stanza_is(s, "X25519")) {
            for (size_t k = 0; k < ids->n_x25519; k++) {
                if (sq_age_x25519_public(pk, ids->x25519[k]) != SQ_OK)
                    continue;
                ret = sq_age_x25519_unwrap(d->file_key, s, ids->x25519[k], pk);
                if (ret != SQ_ERR_NOTFOUND)
                    return ret;
            }
        }
        /* other types: not ours, skipped (C2SP age: MUST ignore) */
    }
    return SQ_ERR_NOTFOUND;
}

sq_err
sq_age_decrypt_unwrap(sq_age_decryptor *d, const sq_age_identities *ids)
{
    uint8_t mac[SQ_AGE_MAC_BYTES];
    sq_err  ret;

    if (d->state == ST_FAILED)
        return d->err;
    if (d->state != ST_HEADER || ids == NULL || (ids->n_x25519 > 0 && ids->x25519 == NULL))
        return SQ_ERR_INVALID;
    if ((d->file_key = sq_secret_alloc(SQ_AGE_FILE_KEY_BYTES)) == NULL)
        return fail(d, SQ_ERR_NOMEM, SQ_AGE_HEADER_FAILURE);
    ret = find_file_key(d, ids);
    if (ret == SQ_ERR_NOTFOUND)
        return fail(d, ret, SQ_AGE_NO_MATCH);
    if (ret != SQ_OK)
        return fail(d, ret, ret == SQ_ERR_LIMIT ? SQ_AGE_LIMIT : SQ_AGE_HEADER_FAILURE);
    sq_age_header_mac(mac, d->file_key, d->hbuf, d->h.mac_input_len);
    if (crypto_verify_32(mac, d->h.mac) != 0)
        return fail(d, SQ_ERR_AUTH, SQ_AGE_HMAC_FAILURE);
    d->state = ST_UNWRAPPED;
    return SQ_OK;
}

static sq_err
start_payload(sq_age_decryptor *d)
{
    uint8_t nonce[SQ_AGE_NONCE_BYTES];
    size_t  got = 0;
    void   *mem = NULL;
    sq_err  ret;

    if ((d->key = sq_secret_alloc(32)) == NULL || (d->cc = sq_chunk_ctx_new()) == NULL ||
        posix_memalign(&mem, 64, SQ_AGE_ENC_CHUNK_BYTES + 1) != 0)
        return fail(d, SQ_ERR_NOMEM, SQ_AGE_PAYLOAD_FAILURE);
    d->cbuf = mem;
    if ((ret = src_fill(d, nonce, sizeof nonce, &got)) != SQ_OK)
        return fail(d, ret, SQ_AGE_PAYLOAD_FAILURE);
    if (got != sizeof nonce)
        return fail(d, SQ_ERR_TRUNCATED, SQ_AGE_PAYLOAD_FAILURE);
    sq_age_payload_key(d->key, d->file_key, nonce);
    d->state = ST_PAYLOAD;
    return SQ_OK;
}

/* reads and opens the next chunk, straight into out when it fits
 * (*direct), else into pbuf. The ciphertext stays intact in cbuf, so a
 * failed open can be retried under the other final flag to tell the cases
 * apart. */
static sq_err
next_chunk(sq_age_decryptor *d, uint8_t *out, size_t cap, size_t *got, bool *direct)
{
    size_t   n = 0, len;
    bool     final;
    uint8_t *dst;
    sq_err   ret;

    *got = 0;
    *direct = false;
    ret = src_fill(d, d->cbuf + d->cfill, SQ_AGE_ENC_CHUNK_BYTES + 1 - d->cfill, &n);
    if (ret != SQ_OK)
        return fail(d, ret, SQ_AGE_PAYLOAD_FAILURE);
    n += d->cfill;
    d->cfill = 0;
    /* the input ends within this chunk exactly when it is not followed by
     * the lookahead byte; then it must be the final chunk */
    final = n <= SQ_AGE_ENC_CHUNK_BYTES;
    if (n < SQ_CHUNK_TAGBYTES) {
        /* nothing, or less than a tag: the file ended before a final chunk */
        return fail(d, SQ_ERR_TRUNCATED, SQ_AGE_PAYLOAD_FAILURE);
    }
    len = (final ? n : SQ_AGE_ENC_CHUNK_BYTES) - SQ_CHUNK_TAGBYTES;
    *direct = cap >= len;
    if (!*direct && d->pbuf == NULL && (d->pbuf = sq_secret_alloc(SQ_AGE_CHUNK_BYTES)) == NULL)
        return fail(d, SQ_ERR_NOMEM, SQ_AGE_PAYLOAD_FAILURE);
    dst = *direct ? out : d->pbuf;
    ret = sq_chunk_open(d->cc, dst, d->cbuf, len + SQ_CHUNK_TAGBYTES, d->key, d->index, final,
                        NULL, 0);
    if (ret == SQ_ERR_AUTH && !final) {
        /* a full final chunk followed by more bytes is trailing data; it
         * is never released (dst is wiped again) */
        if (sq_chunk_open(d->cc, dst, d->cbuf, SQ_AGE_ENC_CHUNK_BYTES, d->key, d->index, true,
                          NULL, 0) == SQ_OK) {
            sodium_memzero(dst, len);
            ret = SQ_ERR_FORMAT;
        }
    } else if (ret == SQ_ERR_AUTH && len == SQ_AGE_CHUNK_BYTES) {
        /* a full chunk at the end of the input that opens as non-final is
         * authentic: release it, as age does, and report the missing final
         * chunk at the next read (nothing more can come) */
        if (sq_chunk_open(d->cc, dst, d->cbuf, SQ_AGE_ENC_CHUNK_BYTES, d->key, d->index, false,
                          NULL, 0) == SQ_OK) {
            ret = SQ_OK;
            final = false;
        }
    }
    if (ret != SQ_OK)
        return fail(d, ret, SQ_AGE_PAYLOAD_FAILURE);
    if (final && len == 0 && d->index > 0)
        return fail(d, SQ_ERR_FORMAT, SQ_AGE_PAYLOAD_FAILURE);  /* empty final after others */
    if (!final && n > SQ_AGE_ENC_CHUNK_BYTES) {
        /* keep the lookahead byte for the next chunk */
        d->cbuf[0] = d->cbuf[SQ_AGE_ENC_CHUNK_BYTES];
        d->cfill = 1;
    }
    d->index++;
    if (final)
        d->state = ST_DONE;
    *got = len;
    return SQ_OK;
}

sq_err
sq_age_decrypt_read(sq_age_decryptor *d, uint8_t *out, size_t cap, size_t *got)
{
    sq_err ret;

    *got = 0;
    if (d->state == ST_FAILED)
        return d->err;
    if (d->state == ST_HEADER || cap == 0)
        return SQ_ERR_INVALID;
    if (d->state == ST_UNWRAPPED && (ret = start_payload(d)) != SQ_OK)
        return ret;
    for (;;) {
        size_t n = 0;
        bool   direct = false;

        if (d->out_off < d->out_len) {
            n = d->out_len - d->out_off;
            if (n > cap)
                n = cap;
            memcpy(out, d->pbuf + d->out_off, n);
            d->out_off += n;
            *got = n;
            if (d->out_off == d->out_len) {
                sodium_memzero(d->pbuf, d->out_len);
                d->out_off = d->out_len = 0;
            }
            return SQ_OK;
        }
        if (d->state == ST_DONE)
            return SQ_OK;
        if ((ret = next_chunk(d, out, cap, &n, &direct)) != SQ_OK)
            return ret;
        if (direct) {
            *got = n;
            if (n > 0 || d->state == ST_DONE)
                return SQ_OK;
            continue;
        }
        d->out_off = 0;
        d->out_len = n;
    }
}

void
sq_age_decryptor_free(sq_age_decryptor *d)
{
    if (d == NULL)
        return;
    sq_secret_free(d->file_key, SQ_AGE_FILE_KEY_BYTES);
    sq_secret_free(d->key, 32);
    sq_chunk_ctx_free(d->cc);
    if (d->cbuf != NULL) {
        free(d->cbuf);   /* ciphertext */
    }
    sq_secret_free(d->pbuf, SQ_AGE_CHUNK_BYTES);   /* wipes the plaintext */
    sq_age_header_clear(&d->h);
    free(d->hbuf);
    free(d->raw.pb);
    if (d->armored)
        sq_age_armor_reader_free(&d->ar);
    free(d);
}
