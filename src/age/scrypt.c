/* scrypt.c: the scrypt recipient stanza (C2SP age "scrypt recipient stanza"):
 *
 *   -> scrypt <base64(16-byte salt)> <log2 N in decimal>
 *   <base64(ChaCha20-Poly1305(wrap key, zero nonce, file key))>
 *
 * wrap key = scrypt(N, r = 8, p = 1, dkLen = 32,
 *                   S = "age-encryption.org/v1/scrypt" || salt, P = passphrase)
 *
 * The work factor comes from the file: it is capped (SQ_AGE_SCRYPT_LOG_N_MAX,
 * the caller's max_log_n, and the memory available now) before any work. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "age/age_internal.h"
#include "crypto/nonce_log.h"
#include "util/random.h"
#include "util/secret.h"

static const char SCRYPT_LABEL[] = "age-encryption.org/v1/scrypt";
#define SCRYPT_R 8u
#define SCRYPT_P 1u

/* decimal without sign or leading zeros (%x31-39 *DIGIT); more than three
 * digits is above any cap anyway */
static sq_err
parse_log_n(uint8_t *out, const char *p, size_t len)
{
    unsigned v = 0;

    if (len == 0 || p[0] < '1' || p[0] > '9')
        return SQ_ERR_FORMAT;
    for (size_t i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9')
            return SQ_ERR_FORMAT;
        if (v < 1000)
            v = v * 10 + (unsigned)(p[i] - '0');
    }
    if (v > SQ_AGE_SCRYPT_LOG_N_MAX)
        return SQ_ERR_LIMIT;
    *out = (uint8_t)v;
    return SQ_OK;
}

sq_err
sq_age_scrypt_check(const sq_age_stanza *s, uint8_t *log_n)
{
    uint8_t salt[SQ_AGE_SCRYPT_SALT_BYTES];
    sq_err  ret;

    if (s->argc != 3 || !sq_age_b64_decode_exact(salt, sizeof salt, s->argv[1], s->argl[1]))
        return SQ_ERR_FORMAT;
    if ((ret = parse_log_n(log_n, s->argv[2], s->argl[2])) != SQ_OK)
        return ret;
    if (s->body_len != SQ_AGE_WRAPPED_BYTES)
        return SQ_ERR_FORMAT;     /* before decrypting: partitioning oracles */
    return SQ_OK;
}

/* bytes of memory available now: MemAvailable, else free physical pages */
static uint64_t
available_bytes(void)
{
    FILE              *f = fopen("/proc/meminfo", "re");
    char               line[256];
    unsigned long long kb = 0;
    long               pages, psize;

    if (f != NULL) {
        while (fgets(line, sizeof line, f) != NULL)
            if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
                break;
        fclose(f);
        if (kb > 0)
            return (uint64_t)kb * 1024u;
    }
    pages = sysconf(_SC_AVPHYS_PAGES);
    psize = sysconf(_SC_PAGESIZE);
    if (pages > 0 && psize > 0)
        return (uint64_t)pages * (uint64_t)psize;
    return 0;
}

bool
sq_age_scrypt_fits(uint8_t log_n)
{
    /* scrypt's V array is 128 * r * N bytes; leave it no more than what the
     * system can give without swapping */
    uint64_t need = (uint64_t)128 * SCRYPT_R * ((uint64_t)1 << log_n);

    return log_n <= SQ_AGE_SCRYPT_LOG_N_MAX && need <= available_bytes();
}

static sq_err
derive(uint8_t key[32], const uint8_t *pass, size_t pass_len,
       const uint8_t salt[SQ_AGE_SCRYPT_SALT_BYTES], uint8_t log_n)
{
    uint8_t full[sizeof SCRYPT_LABEL - 1 + SQ_AGE_SCRYPT_SALT_BYTES];   /* public */

    memcpy(full, SCRYPT_LABEL, sizeof SCRYPT_LABEL - 1);
    memcpy(full + sizeof SCRYPT_LABEL - 1, salt, SQ_AGE_SCRYPT_SALT_BYTES);
    if (crypto_pwhash_scryptsalsa208sha256_ll(pass_len ? pass : (const uint8_t *)"", pass_len,
                                              full, sizeof full, (uint64_t)1 << log_n, SCRYPT_R,
                                              SCRYPT_P, key, 32) != 0)
        return SQ_ERR_NOMEM;
    return SQ_OK;
}

sq_err
sq_age_scrypt_wrap(sq_age_stanza *s, char salt_b64[24], char log_n_text[4], const uint8_t *pass,
                   size_t pass_len, uint8_t log_n, const uint8_t *file_key)
{
    static const uint8_t zero_nonce[12] = { 0 };
    uint8_t              salt[SQ_AGE_SCRYPT_SALT_BYTES];
    uint8_t             *key = NULL;   /* secret */
    sq_err               ret = SQ_ERR_INVALID;

    memset(s, 0, sizeof *s);
    if (log_n == 0 || log_n > SQ_AGE_SCRYPT_LOG_N_MAX)
        goto out;
    ret = SQ_ERR_LIMIT;
    if (!sq_age_scrypt_fits(log_n))
        goto out;
    ret = SQ_ERR_NOMEM;
    if ((key = sq_secret_alloc(32)) == NULL || (s->body = malloc(SQ_AGE_WRAPPED_BYTES)) == NULL)
        goto out;
    sq_random_buf(salt, sizeof salt);
    if ((ret = derive(key, pass, pass_len, salt, log_n)) != SQ_OK)
        goto out;
    /* fresh salt, so a fresh key: the zero nonce is used once under it */
    sq_nonce_log_use(key, 32, zero_nonce, sizeof zero_nonce);
    crypto_aead_chacha20poly1305_ietf_encrypt(s->body, NULL, file_key, SQ_AGE_FILE_KEY_BYTES,
                                              NULL, 0, NULL, zero_nonce, key);
    s->body_len = SQ_AGE_WRAPPED_BYTES;
    sq_age_b64_encode(salt_b64, salt, sizeof salt, false);
    salt_b64[22] = '\0';
    snprintf(log_n_text, 4, "%u", (unsigned)log_n);
    s->argc = 3;
    s->argv[0] = "scrypt";
    s->argl[0] = 6;
    s->argv[1] = salt_b64;
    s->argl[1] = 22;
    s->argv[2] = log_n_text;
    s->argl[2] = strlen(log_n_text);
    ret = SQ_OK;
out:
    if (key != NULL)
        sq_secret_free(key, 32);   /* wipes */
    if (ret != SQ_OK) {
        free(s->body);
        memset(s, 0, sizeof *s);
    }
    return ret;
}

sq_err
sq_age_scrypt_unwrap(uint8_t *file_key, const sq_age_stanza *s, const uint8_t *pass,
                     size_t pass_len, uint8_t max_log_n)
{
    static const uint8_t zero_nonce[12] = { 0 };
    uint8_t              salt[SQ_AGE_SCRYPT_SALT_BYTES], log_n = 0;
    uint8_t             *key = NULL;   /* secret */
    sq_err               ret;

    if ((ret = sq_age_scrypt_check(s, &log_n)) != SQ_OK)
        return ret;
    if (max_log_n == 0 || max_log_n > SQ_AGE_SCRYPT_LOG_N_MAX)
        max_log_n = SQ_AGE_SCRYPT_LOG_N_MAX;
    if (log_n > max_log_n || !sq_age_scrypt_fits(log_n))
        return SQ_ERR_LIMIT;          /* refused before deriving anything */
    if (!sq_age_b64_decode_exact(salt, sizeof salt, s->argv[1], s->argl[1]))
        return SQ_ERR_FORMAT;
    if ((key = sq_secret_alloc(32)) == NULL)
        return SQ_ERR_NOMEM;
    if ((ret = derive(key, pass, pass_len, salt, log_n)) != SQ_OK)
        goto out;
    ret = SQ_ERR_NOTFOUND;
    if (crypto_aead_chacha20poly1305_ietf_decrypt(file_key, NULL, NULL, s->body, s->body_len,
                                                  NULL, 0, zero_nonce, key) != 0)
        goto out;
    ret = SQ_OK;
out:
    sq_secret_free(key, 32);
    if (ret != SQ_OK)
        sodium_memzero(file_key, SQ_AGE_FILE_KEY_BYTES);
    return ret;
}
