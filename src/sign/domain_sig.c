/* domain_sig.c: domain-separated Ed25519 signatures (domain_sig.h says why). */
#include "sign/domain_sig.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#define DOMAIN_PREFIX "sandyq/v1/sig/"

/* purpose_ok: a label that can never contain the separator, nor look like
 * another label followed by part of a message */
static bool
purpose_ok(const char *purpose, size_t *len)
{
    size_t n;

    if (purpose == NULL)
        return false;
    n = strnlen(purpose, SQ_DOMAIN_PURPOSE_MAX + 1);
    if (n == 0 || n > SQ_DOMAIN_PURPOSE_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = purpose[i];

        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    }
    *len = n;
    return true;
}

/* framed: the bytes actually signed, in a malloc'd *out */
static sq_err
framed(uint8_t **out, size_t *out_len, const char *purpose, const uint8_t *msg, size_t msg_len)
{
    size_t   plen = 0, n;
    uint8_t *buf;

    *out = NULL;
    *out_len = 0;
    if (!purpose_ok(purpose, &plen) || (msg == NULL && msg_len != 0))
        return SQ_ERR_INVALID;
    if (msg_len > SQ_DOMAIN_MSG_MAX)
        return SQ_ERR_LIMIT;
    n = sizeof DOMAIN_PREFIX - 1 + plen + 1 + msg_len;
    if ((buf = malloc(n)) == NULL)
        return SQ_ERR_NOMEM;
    memcpy(buf, DOMAIN_PREFIX, sizeof DOMAIN_PREFIX - 1);
    memcpy(buf + sizeof DOMAIN_PREFIX - 1, purpose, plen);
    buf[sizeof DOMAIN_PREFIX - 1 + plen] = 0x00;
    if (msg_len > 0)
        memcpy(buf + sizeof DOMAIN_PREFIX + plen, msg, msg_len);
    *out = buf;
    *out_len = n;
    return SQ_OK;
}

sq_err
sq_domain_sign(uint8_t sig[SQ_DOMAIN_SIG_BYTES], const uint8_t sk[SQ_DOMAIN_SK_BYTES],
               const char *purpose, const uint8_t *msg, size_t msg_len)
{
    uint8_t *m = NULL;
    size_t   m_len = 0;
    sq_err   ret;

    memset(sig, 0, SQ_DOMAIN_SIG_BYTES);
    if ((ret = framed(&m, &m_len, purpose, msg, msg_len)) != SQ_OK)
        return ret;
    ret = crypto_sign_detached(sig, NULL, m, m_len, sk) == 0 ? SQ_OK : SQ_ERR_INVALID;
    free(m);   /* not secret: the message is what gets published with sig */
    if (ret != SQ_OK)
        memset(sig, 0, SQ_DOMAIN_SIG_BYTES);
    return ret;
}

sq_err
sq_domain_verify(const uint8_t sig[SQ_DOMAIN_SIG_BYTES], const uint8_t pk[SQ_DOMAIN_PK_BYTES],
                 const char *purpose, const uint8_t *msg, size_t msg_len)
{
    uint8_t *m = NULL;
    size_t   m_len = 0;
    sq_err   ret;

    if ((ret = framed(&m, &m_len, purpose, msg, msg_len)) != SQ_OK)
        return ret;
    ret = crypto_sign_verify_detached(sig, m, m_len, pk) == 0 ? SQ_OK : SQ_ERR_AUTH;
    free(m);
    return ret;
}
