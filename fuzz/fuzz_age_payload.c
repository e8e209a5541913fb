/* fuzz_age_payload.c: the STREAM payload reader on arbitrary bytes under a
 * fixed file key: a fixed header (made once, with seeded randomness, for a
 * fixed identity) followed by the input as the payload. The seeds are the
 * payload of the same deterministic file (fuzz/corpus/age_payload/).
 * Promises: no crash; at most the input's size released; a failure has
 * the payload class. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "sandyq/age.h"
#include "util/random.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
    const uint8_t *a, *b;
    size_t         a_left, b_left;
} src2;

static sq_err
src_read(void *ctx, uint8_t *buf, size_t cap, size_t *got)
{
    src2  *s = ctx;
    size_t n;

    if (s->a_left > 0) {
        n = s->a_left < cap ? s->a_left : cap;
        memcpy(buf, s->a, n);
        s->a += n;
        s->a_left -= n;
    } else {
        n = s->b_left < cap ? s->b_left : cap;
        memcpy(buf, s->b, n);
        s->b += n;
        s->b_left -= n;
    }
    *got = n;
    return SQ_OK;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t   sk[32], *header;
    static size_t    header_len;
    sq_age_identities ids;
    sq_age_decryptor *d = NULL;
    src2              s;
    uint8_t           buf[65536];
    size_t            total = 0;
    sq_err            ret;

    if (header == NULL) {
        uint8_t           seed[32] = "sandyq fuzz_age_payload seed...", pk[32], *file = NULL;
        static uint8_t    sample[70000];   /* two chunks: the seeds are its payload */
        size_t            flen = 0;
        sq_age_recipients to;
        uint8_t          *mac;

        if (sodium_init() < 0)
            abort();
        sq_random_set_test_seed(seed);
        sq_random_buf(sk, sizeof sk);
        memset(&to, 0, sizeof to);
        if (sq_age_x25519_public(pk, sk) != SQ_OK)
            abort();
        to.x25519 = (const uint8_t(*)[32])pk;
        to.n_x25519 = 1;
        memset(sample, 'a', sizeof sample);
        if (sq_age_encrypt_buffer(&file, &flen, &to, sample, sizeof sample) != SQ_OK ||
            (mac = memmem(file, flen, "\n--- ", 5)) == NULL)
            abort();
        header_len = (size_t)(mac - file) + 5 + 43 + 1;
        header = file;   /* kept for the whole run */
    }
    memset(&ids, 0, sizeof ids);
    ids.x25519 = (const uint8_t(*)[32])sk;
    ids.n_x25519 = 1;
    s.a = header;
    s.a_left = header_len;
    s.b = data;
    s.b_left = size;
    ret = sq_age_decrypt_start(&d, src_read, &s);
    if (ret == SQ_OK)
        ret = sq_age_decrypt_unwrap(d, &ids);
    if (ret != SQ_OK)
        abort();   /* the header is ours and valid */
    for (;;) {
        size_t got = 0;

        ret = sq_age_decrypt_read(d, buf, (size % 3 == 0) ? 1000 : sizeof buf, &got);
        if (ret != SQ_OK || got == 0)
            break;
        total += got;
        if (total > size)
            abort();
    }
    if (ret != SQ_OK && sq_age_decryptor_failure(d) != SQ_AGE_PAYLOAD_FAILURE)
        abort();
    sq_age_decryptor_free(d);
    return 0;
}
