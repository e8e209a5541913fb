/* sha256.c: EVP SHA-256.
 *
 * Once the context exists, EVP_DigestUpdate/Final for SHA-256 can fail only
 * through an internal OpenSSL error (no allocation, no input-dependent
 * failure). Carrying on would record a wrong intake hash, which courts and
 * partners compare, so such a failure abort()s. */
#include "crypto/sha256.h"

#include <openssl/evp.h>
#include <stdlib.h>

struct sq_sha256 {
    EVP_MD_CTX *ctx;
};

static void
sha_init(EVP_MD_CTX *ctx)
{
    if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
        abort();
}

sq_sha256 *
sq_sha256_new(void)
{
    sq_sha256 *h = calloc(1, sizeof *h);

    if (h == NULL)
        return NULL;
    if ((h->ctx = EVP_MD_CTX_new()) == NULL) {
        free(h);
        return NULL;
    }
    sha_init(h->ctx);
    return h;
}

void
sq_sha256_update(sq_sha256 *h, const void *p, size_t len)
{
    if (len > 0 && EVP_DigestUpdate(h->ctx, p, len) != 1)
        abort();
}

void
sq_sha256_final(sq_sha256 *h, uint8_t out[SQ_SHA256_BYTES])
{
    unsigned int n = 0;

    if (EVP_DigestFinal_ex(h->ctx, out, &n) != 1 || n != SQ_SHA256_BYTES)
        abort();
    sha_init(h->ctx);
}

void
sq_sha256_free(sq_sha256 *h)
{
    if (h == NULL)
        return;
    EVP_MD_CTX_free(h->ctx);
    free(h);
}

void
sq_sha256_oneshot(uint8_t out[SQ_SHA256_BYTES], const void *p, size_t len)
{
    unsigned int n = 0;

    /* EVP_Digest allocates a context: if that fails there is no hash to give */
    if (EVP_Digest(p, len, out, &n, EVP_sha256(), NULL) != 1 || n != SQ_SHA256_BYTES)
        abort();
}
