/* fuzz_age_header.c: the age v1 reader on arbitrary bytes: armor detection
 * and decoding, header and stanza parsing, the checks of recognized
 * stanzas, unwrapping with one fixed X25519 identity and no passphrase (so
 * no scrypt work), and a bounded read of the payload.
 * Promises: a header that parses re-serializes byte for byte (the format
 * has one encoding per header); parsed counts within their caps; a refused
 * input has a failure class; nothing is released past the input's size. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "age/age_internal.h"
#include "sandyq/age.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
    const uint8_t *p;
    size_t         left;
} src;

static sq_err
src_read(void *ctx, uint8_t *buf, size_t cap, size_t *got)
{
    src   *s = ctx;
    size_t n = s->left < cap ? s->left : cap;

    /* short reads on purpose: the reader must not depend on read sizes */
    if (n > 777)
        n = 777;
    memcpy(buf, s->p, n);
    s->p += n;
    s->left -= n;
    *got = n;
    return SQ_OK;
}

static void
check_header_roundtrip(const uint8_t *data, size_t size)
{
    size_t        end = sq_age_header_end(data, size), len = 0;
    sq_age_header h;
    uint8_t      *out;

    if (end == 0)
        return;
    if (sq_age_header_parse(&h, data, end) != SQ_OK) {
        if (h.n != 0 || h.stanzas != NULL)
            abort();   /* a refused header leaves nothing behind */
        return;
    }
    if (h.n == 0 || h.n > SQ_AGE_MAX_RECIPIENTS || h.len != end ||
        h.mac_input_len + 1 + SQ_AGE_MAC_B64_CHARS + 1 != end)
        abort();
    for (size_t i = 0; i < h.n; i++)
        if (h.stanzas[i].argc == 0 || h.stanzas[i].argc > SQ_AGE_STANZA_MAX_ARGS)
            abort();
    if (sq_age_header_size(&h) != end || (out = malloc(end)) == NULL)
        abort();
    if (sq_age_header_serialize(out, end, &len, &h, true) != SQ_OK || len != end ||
        memcmp(out, data, end) != 0)
        abort();
    free(out);
    sq_age_header_clear(&h);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t    sk[32];
    static bool       ready;
    sq_age_identities ids;
    sq_age_decryptor *d = NULL;
    src               s = { data, size };
    uint8_t           buf[4096];
    size_t            total = 0;
    sq_err            ret;

    if (!ready) {
        if (sodium_init() < 0)
            abort();
        /* the testkit's identity, so its vectors work as seeds */
        if (sq_age_identity_parse(sk, "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0",
                                  74) != SQ_OK)
            abort();
        ready = true;
    }
    check_header_roundtrip(data, size);

    memset(&ids, 0, sizeof ids);
    ids.x25519 = (const uint8_t(*)[32])sk;
    ids.n_x25519 = 1;
    ret = sq_age_decrypt_start(&d, src_read, &s);
    if (ret == SQ_OK)
        ret = sq_age_decrypt_unwrap(d, &ids);
    /* at most a few chunks: the payload has its own target */
    for (int i = 0; ret == SQ_OK && i < 64; i++) {
        size_t got = 0;

        ret = sq_age_decrypt_read(d, buf, sizeof buf, &got);
        if (ret != SQ_OK || got == 0)
            break;
        total += got;
        if (total > size)
            abort();
    }
    if (ret != SQ_OK && sq_age_decryptor_failure(d) == SQ_AGE_OK)
        abort();
    sq_age_decryptor_free(d);
    return 0;
}
