/* fuzz_chunk.c: the STREAM chunk reader on hostile ciphertext. Input:
 * key (32) || LE64 index || final (1) || ad_len (1) || ad || ciphertext.
 * Promises: the OpenSSL and libsodium paths agree on accept/refuse and on
 * the plaintext; a refused chunk leaves the output zeroed. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/chunk.h"
#include "util/bytes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static sq_chunk_ctx *ctx;
    const uint8_t *key, *ad, *ct;
    uint64_t       index;
    bool           final;
    size_t         ad_len, ct_len;
    uint8_t       *a, *b;

    if (ctx == NULL && (sodium_init() < 0 || (ctx = sq_chunk_ctx_new()) == NULL))
        abort();
    if (size < 42)
        return 0;
    key = data;
    index = sq_load_le64(data + 32);
    final = data[40] & 1;
    ad_len = data[41];
    if (size < 42 + ad_len)
        return 0;
    ad = data + 42;
    ct = ad + ad_len;
    ct_len = size - 42 - ad_len;
    if (ct_len < 16 || ct_len > 65536 + 16)
        return 0;
    a = malloc(ct_len);
    b = malloc(ct_len);
    memset(a, 0xaa, ct_len);
    memset(b, 0xbb, ct_len);
    sq_err ra = sq_chunk_open(ctx, a, ct, ct_len, key, index, final, ad, ad_len);
    sq_err rb = sq_chunk_open_ref(b, ct, ct_len, key, index, final, ad, ad_len);
    if ((ra == SQ_OK) != (rb == SQ_OK))
        abort();
    if (ra == SQ_OK && memcmp(a, b, ct_len - 16) != 0)
        abort();
    if (ra != SQ_OK)
        for (size_t i = 0; i < ct_len - 16; i++)
            if (a[i] != 0)
                abort();
    free(a);
    free(b);
    return 0;
}
