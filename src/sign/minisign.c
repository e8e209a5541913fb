/* minisign.c: minisign public key and signature files (include/sandyq/minisign.h).
 *
 * Written from minisign's documentation and the behaviour of minisign 0.11:
 * a public key is base64("Ed" || keyid || pk); a signature file is an
 * untrusted comment line, base64(alg || keyid || sig), a trusted comment
 * line and base64(Ed25519(sig || trusted comment)). sandyq makes only "ED"
 * (BLAKE2b-512 prehashed) signatures, which `minisign -V` and `-VH` both
 * accept, and verifies legacy "Ed" signatures too.
 *
 * Parsing is stricter than minisign (which ignores what follows the fourth
 * line and accepts non-canonical base64): every byte of the file is
 * accounted for, so one signature has exactly one text form. Nothing here is
 * secret except the caller's secret key, which is only passed to libsodium. */
#include "sandyq/minisign.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "util/io.h"

#define UNTRUSTED_PREFIX  "untrusted comment: "
#define TRUSTED_PREFIX    "trusted comment: "
#define PUBKEY_COMMENT    "minisign public key "
#define DEFAULT_UNTRUSTED "signature from sandyq secret key"
#define KEYID_LABEL       "sandyq/v1/minisign-keyid"

#define ALG_BYTES         2
#define PK_BLOB_BYTES     (ALG_BYTES + SQ_MINISIGN_KEYID_BYTES + SQ_MINISIGN_PK_BYTES)   /* 42 */
#define SIG_BLOB_BYTES    (ALG_BYTES + SQ_MINISIGN_KEYID_BYTES + SQ_MINISIGN_SIG_BYTES)  /* 74 */
/* base64 text lengths (with padding, without NUL) */
#define B64_LEN(n)        ((((n) + 2) / 3) * 4)
#define READ_BUF_BYTES    ((size_t)1 << 16)

/* ---- lines and base64 ---- */

typedef struct {
    const char *p;
    size_t      len;
} text_cursor;

/* next_line: the next line of c (without its "\n" or "\r\n"). *ended says
 * whether a line end was there (the last line may lack one). false for a
 * line holding a NUL or a '\r' anywhere but just before its "\n": minisign
 * cuts a line at its first '\r', so such a line would mean different things
 * to the two programs. */
static bool
next_line(text_cursor *c, const char **line, size_t *line_len, bool *ended)
{
    const char *nl = memchr(c->p, '\n', c->len);
    size_t      n = nl != NULL ? (size_t)(nl - c->p) : c->len;
    size_t      used = nl != NULL ? n + 1 : n;

    *ended = nl != NULL;
    *line = c->p;
    if (nl != NULL && n > 0 && c->p[n - 1] == '\r')
        n--;
    if (memchr(c->p, '\0', n) != NULL || memchr(c->p, '\r', n) != NULL)
        return false;
    *line_len = n;
    c->p += used;
    c->len -= used;
    return true;
}

/* b64_decode_exact: s[0..len) must be the canonical padded base64 of exactly
 * n bytes. Re-encoding and comparing refuses non-zero trailing bits too, so
 * no two texts decode to the same bytes. */
static bool
b64_decode_exact(uint8_t *out, size_t n, const char *s, size_t len)
{
    char   again[B64_LEN(SIG_BLOB_BYTES) + 1];
    size_t got = 0;

    if (len != B64_LEN(n) || len + 1 > sizeof again)
        return false;
    if (sodium_base642bin(out, n, s, len, NULL, &got, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
        got != n)
        return false;
    sodium_bin2base64(again, sizeof again, out, n, sodium_base64_VARIANT_ORIGINAL);
    return memcmp(again, s, len) == 0;
}

static bool
has_prefix(const char *line, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);

    return len >= n && memcmp(line, prefix, n) == 0;
}

/* comment_ok: text a comment line may carry (no line end, no NUL) */
static bool
comment_ok(const char *s, size_t len, size_t cap)
{
    return len <= cap && memchr(s, '\n', len) == NULL && memchr(s, '\r', len) == NULL &&
           memchr(s, '\0', len) == NULL;
}

/* ---- key ids and public keys ---- */

void
sq_minisign_keyid(uint8_t keyid[SQ_MINISIGN_KEYID_BYTES], const uint8_t pk[SQ_MINISIGN_PK_BYTES])
{
    crypto_generichash_state st;
    uint8_t                  h[32];

    crypto_generichash_init(&st, NULL, 0, sizeof h);
    crypto_generichash_update(&st, (const uint8_t *)KEYID_LABEL, sizeof KEYID_LABEL - 1);
    crypto_generichash_update(&st, pk, SQ_MINISIGN_PK_BYTES);
    crypto_generichash_final(&st, h, sizeof h);
    memcpy(keyid, h, SQ_MINISIGN_KEYID_BYTES);
}

/* pubkey_blob: the base64 line of a public key into pk */
static sq_err
pubkey_blob(sq_minisign_pubkey *pk, const char *line, size_t len)
{
    uint8_t blob[PK_BLOB_BYTES];

    if (!b64_decode_exact(blob, sizeof blob, line, len))
        return SQ_ERR_FORMAT;
    /* public keys say "Ed" whether the signatures are prehashed or not */
    if (blob[0] != 'E' || blob[1] != 'd')
        return SQ_ERR_UNSUPPORTED;
    memcpy(pk->keyid, blob + ALG_BYTES, SQ_MINISIGN_KEYID_BYTES);
    memcpy(pk->pk, blob + ALG_BYTES + SQ_MINISIGN_KEYID_BYTES, SQ_MINISIGN_PK_BYTES);
    return SQ_OK;
}

sq_err
sq_minisign_pubkey_parse(sq_minisign_pubkey *out, const char *text, size_t len)
{
    text_cursor c = { text, len };
    const char *line;
    size_t      line_len;
    bool        ended;
    sq_err      ret = SQ_ERR_FORMAT;

    memset(out, 0, sizeof *out);
    if (text == NULL)
        goto out;
    /* a real file is 113 bytes; the cap bounds the work before any scan */
    if (len > sizeof UNTRUSTED_PREFIX + SQ_MINISIGN_COMMENT_MAX + 2 + B64_LEN(PK_BLOB_BYTES) + 2) {
        ret = SQ_ERR_LIMIT;
        goto out;
    }
    if (!next_line(&c, &line, &line_len, &ended))
        goto out;
    if (has_prefix(line, line_len, UNTRUSTED_PREFIX)) {
        if (!ended || line_len - (sizeof UNTRUSTED_PREFIX - 1) > SQ_MINISIGN_COMMENT_MAX)
            goto out;
        if (!next_line(&c, &line, &line_len, &ended))
            goto out;
    }
    /* the base64 line (alone, as `minisign -P` takes it, or second) ends the text */
    if (c.len != 0)
        goto out;
    ret = pubkey_blob(out, line, line_len);
out:
    if (ret != SQ_OK)
        memset(out, 0, sizeof *out);
    return ret;
}

static void
hex_upper_u64(char out[17], uint64_t v)
{
    static const char digits[] = "0123456789ABCDEF";

    for (int i = 15; i >= 0; i--) {
        out[i] = digits[v & 0xf];
        v >>= 4;
    }
    out[16] = '\0';
}

sq_err
sq_minisign_pubkey_serialize(char *out, size_t cap, size_t *len, const sq_minisign_pubkey *pk)
{
    uint8_t blob[PK_BLOB_BYTES];
    char    b64[B64_LEN(PK_BLOB_BYTES) + 1];
    char    hex[17];
    int     n;

    *len = 0;
    if (cap < SQ_MINISIGN_PUBKEY_FILE_BYTES + 1)
        return SQ_ERR_INVALID;
    blob[0] = 'E';
    blob[1] = 'd';
    memcpy(blob + ALG_BYTES, pk->keyid, SQ_MINISIGN_KEYID_BYTES);
    memcpy(blob + ALG_BYTES + SQ_MINISIGN_KEYID_BYTES, pk->pk, SQ_MINISIGN_PK_BYTES);
    sodium_bin2base64(b64, sizeof b64, blob, sizeof blob, sodium_base64_VARIANT_ORIGINAL);
    /* minisign prints the id bytes as a little-endian integer (le64_load),
     * zero-padded to 16 uppercase digits */
    hex_upper_u64(hex, (uint64_t)pk->keyid[0] | (uint64_t)pk->keyid[1] << 8 |
                       (uint64_t)pk->keyid[2] << 16 | (uint64_t)pk->keyid[3] << 24 |
                       (uint64_t)pk->keyid[4] << 32 | (uint64_t)pk->keyid[5] << 40 |
                       (uint64_t)pk->keyid[6] << 48 | (uint64_t)pk->keyid[7] << 56);
    n = snprintf(out, cap, UNTRUSTED_PREFIX PUBKEY_COMMENT "%s\n%s\n", hex, b64);
    if (n != SQ_MINISIGN_PUBKEY_FILE_BYTES)
        return SQ_ERR_INVALID;   /* cannot happen: every field has a fixed length */
    *len = (size_t)n;
    return SQ_OK;
}

/* ---- signature files ---- */

sq_err
sq_minisign_sig_parse(sq_minisign_sig *out, const char *text, size_t len)
{
    text_cursor c = { text, len };
    const char *line;
    size_t      line_len, tc_len;
    uint8_t     blob[SIG_BLOB_BYTES];
    bool        ended;
    sq_err      ret = SQ_ERR_FORMAT;

    memset(out, 0, sizeof *out);
    if (text == NULL)
        goto out;
    if (len > SQ_MINISIGN_SIG_FILE_MAX) {
        ret = SQ_ERR_LIMIT;
        goto out;
    }
    /* 1: untrusted comment (not covered by any signature: only checked) */
    if (!next_line(&c, &line, &line_len, &ended) || !ended ||
        !has_prefix(line, line_len, UNTRUSTED_PREFIX) ||
        line_len - (sizeof UNTRUSTED_PREFIX - 1) > SQ_MINISIGN_COMMENT_MAX)
        goto out;
    /* 2: alg || keyid || sig */
    if (!next_line(&c, &line, &line_len, &ended) || !ended ||
        !b64_decode_exact(blob, sizeof blob, line, line_len))
        goto out;
    if (blob[0] == 'E' && blob[1] == 'D') {
        out->prehashed = true;
    } else if (blob[0] == 'E' && blob[1] == 'd') {
        out->prehashed = false;
    } else {
        ret = SQ_ERR_UNSUPPORTED;
        goto out;
    }
    memcpy(out->keyid, blob + ALG_BYTES, SQ_MINISIGN_KEYID_BYTES);
    memcpy(out->sig, blob + ALG_BYTES + SQ_MINISIGN_KEYID_BYTES, SQ_MINISIGN_SIG_BYTES);
    /* 3: trusted comment (minisign needs its "\n" too) */
    if (!next_line(&c, &line, &line_len, &ended) || !ended ||
        !has_prefix(line, line_len, TRUSTED_PREFIX))
        goto out;
    tc_len = line_len - (sizeof TRUSTED_PREFIX - 1);
    if (tc_len > SQ_MINISIGN_TRUSTED_COMMENT_MAX)
        goto out;
    memcpy(out->trusted_comment, line + sizeof TRUSTED_PREFIX - 1, tc_len);
    out->trusted_comment[tc_len] = '\0';
    out->trusted_comment_len = tc_len;
    /* 4: global signature, final line end optional, nothing after it */
    if (!next_line(&c, &line, &line_len, &ended) ||
        !b64_decode_exact(out->global_sig, sizeof out->global_sig, line, line_len) ||
        c.len != 0)
        goto out;
    ret = SQ_OK;
out:
    if (ret != SQ_OK)
        memset(out, 0, sizeof *out);
    return ret;
}

sq_err
sq_minisign_sig_serialize(char **out, size_t *out_len, const sq_minisign_sig *sig,
                          const char *untrusted_comment)
{
    uint8_t blob[SIG_BLOB_BYTES];
    char    b64_sig[B64_LEN(SIG_BLOB_BYTES) + 1];
    char    b64_global[B64_LEN(SQ_MINISIGN_SIG_BYTES) + 1];
    char   *buf = NULL;
    size_t  ulen, cap;
    int     n;

    *out = NULL;
    *out_len = 0;
    if (untrusted_comment == NULL)
        untrusted_comment = DEFAULT_UNTRUSTED;
    ulen = strlen(untrusted_comment);
    if (!comment_ok(untrusted_comment, ulen, SQ_MINISIGN_COMMENT_MAX) ||
        !comment_ok(sig->trusted_comment, sig->trusted_comment_len, SQ_MINISIGN_TRUSTED_COMMENT_MAX))
        return SQ_ERR_INVALID;
    blob[0] = 'E';
    blob[1] = sig->prehashed ? 'D' : 'd';
    memcpy(blob + ALG_BYTES, sig->keyid, SQ_MINISIGN_KEYID_BYTES);
    memcpy(blob + ALG_BYTES + SQ_MINISIGN_KEYID_BYTES, sig->sig, SQ_MINISIGN_SIG_BYTES);
    sodium_bin2base64(b64_sig, sizeof b64_sig, blob, sizeof blob, sodium_base64_VARIANT_ORIGINAL);
    sodium_bin2base64(b64_global, sizeof b64_global, sig->global_sig, sizeof sig->global_sig,
                      sodium_base64_VARIANT_ORIGINAL);
    cap = sizeof UNTRUSTED_PREFIX + ulen + sizeof b64_sig + sizeof TRUSTED_PREFIX +
          sig->trusted_comment_len + sizeof b64_global + 1;
    if ((buf = malloc(cap)) == NULL)
        return SQ_ERR_NOMEM;
    n = snprintf(buf, cap, UNTRUSTED_PREFIX "%s\n%s\n" TRUSTED_PREFIX "%.*s\n%s\n", untrusted_comment,
                 b64_sig, (int)sig->trusted_comment_len, sig->trusted_comment, b64_global);
    if (n < 0 || (size_t)n >= cap) {
        free(buf);
        return SQ_ERR_INVALID;   /* cannot happen: cap counts every field */
    }
    *out = buf;
    *out_len = (size_t)n;
    return SQ_OK;
}

/* ---- hashing and signing ---- */

/* hash_fd: BLAKE2b-512 of everything fd still holds, through one buffer */
static sq_err
hash_fd(uint8_t digest[crypto_generichash_BYTES_MAX], int fd)
{
    crypto_generichash_state st;
    uint8_t                 *buf = NULL;
    size_t                   got;
    sq_err                   ret = SQ_ERR_NOMEM;

    if ((buf = malloc(READ_BUF_BYTES)) == NULL)
        goto out;
    crypto_generichash_init(&st, NULL, 0, crypto_generichash_BYTES_MAX);
    for (;;) {
        if ((ret = sq_io_read_some(fd, buf, READ_BUF_BYTES, &got)) != SQ_OK)
            goto out;
        if (got == 0)
            break;
        crypto_generichash_update(&st, buf, got);
    }
    crypto_generichash_final(&st, digest, crypto_generichash_BYTES_MAX);
    ret = SQ_OK;
out:
    free(buf);
    return ret;
}

/* sign_digest: the whole signature file for a BLAKE2b-512 digest */
static sq_err
sign_digest(char **out, size_t *out_len, const uint8_t digest[crypto_generichash_BYTES_MAX],
            const uint8_t sk[SQ_MINISIGN_SK_BYTES], const char *trusted_comment,
            const char *untrusted_comment)
{
    sq_minisign_sig s;
    uint8_t         global_msg[SQ_MINISIGN_SIG_BYTES + SQ_MINISIGN_TRUSTED_COMMENT_MAX];
    size_t          tc_len;
    int             n;

    *out = NULL;
    *out_len = 0;
    memset(&s, 0, sizeof s);
    if (trusted_comment == NULL) {
        n = snprintf(s.trusted_comment, sizeof s.trusted_comment, "timestamp:%lld",
                     (long long)time(NULL));
        tc_len = n > 0 ? (size_t)n : 0;
    } else {
        tc_len = strlen(trusted_comment);
        if (!comment_ok(trusted_comment, tc_len, SQ_MINISIGN_TRUSTED_COMMENT_MAX))
            return SQ_ERR_INVALID;
        memcpy(s.trusted_comment, trusted_comment, tc_len);
    }
    s.trusted_comment_len = tc_len;
    if (untrusted_comment != NULL &&
        !comment_ok(untrusted_comment, strlen(untrusted_comment), SQ_MINISIGN_COMMENT_MAX))
        return SQ_ERR_INVALID;
    s.prehashed = true;
    /* libsodium's secret key ends with the public key: the id follows from it */
    sq_minisign_keyid(s.keyid, sk + 32);
    if (crypto_sign_detached(s.sig, NULL, digest, crypto_generichash_BYTES_MAX, sk) != 0)
        return SQ_ERR_INVALID;
    memcpy(global_msg, s.sig, SQ_MINISIGN_SIG_BYTES);
    memcpy(global_msg + SQ_MINISIGN_SIG_BYTES, s.trusted_comment, tc_len);
    if (crypto_sign_detached(s.global_sig, NULL, global_msg, SQ_MINISIGN_SIG_BYTES + tc_len, sk) != 0)
        return SQ_ERR_INVALID;
    return sq_minisign_sig_serialize(out, out_len, &s, untrusted_comment);
}

sq_err
sq_minisign_sign_fd(char **out, size_t *out_len, int fd, const uint8_t sk[SQ_MINISIGN_SK_BYTES],
                    const char *trusted_comment, const char *untrusted_comment)
{
    uint8_t digest[crypto_generichash_BYTES_MAX];
    sq_err  ret;

    *out = NULL;
    *out_len = 0;
    if ((ret = hash_fd(digest, fd)) != SQ_OK)
        return ret;
    return sign_digest(out, out_len, digest, sk, trusted_comment, untrusted_comment);
}

sq_err
sq_minisign_sign_buffer(char **out, size_t *out_len, const uint8_t *msg, size_t msg_len,
                        const uint8_t sk[SQ_MINISIGN_SK_BYTES], const char *trusted_comment,
                        const char *untrusted_comment)
{
    uint8_t digest[crypto_generichash_BYTES_MAX];

    *out = NULL;
    *out_len = 0;
    if (msg == NULL && msg_len != 0)
        return SQ_ERR_INVALID;
    if (msg == NULL)
        msg = (const uint8_t *)"";   /* an empty message, never a NULL pointer for libsodium */
    crypto_generichash(digest, sizeof digest, msg, msg_len, NULL, 0);
    return sign_digest(out, out_len, digest, sk, trusted_comment, untrusted_comment);
}

/* ---- verification ---- */

/* check_global: the signature over sig || trusted comment. The length is
 * checked because sig structs may come from anywhere (fuzzing, callers). */
static sq_err
check_global(const sq_minisign_pubkey *pk, const sq_minisign_sig *sig)
{
    uint8_t msg[SQ_MINISIGN_SIG_BYTES + SQ_MINISIGN_TRUSTED_COMMENT_MAX];

    if (sig->trusted_comment_len > SQ_MINISIGN_TRUSTED_COMMENT_MAX)
        return SQ_ERR_INVALID;
    memcpy(msg, sig->sig, SQ_MINISIGN_SIG_BYTES);
    memcpy(msg + SQ_MINISIGN_SIG_BYTES, sig->trusted_comment, sig->trusted_comment_len);
    if (crypto_sign_verify_detached(sig->global_sig, msg, SQ_MINISIGN_SIG_BYTES + sig->trusted_comment_len,
                                    pk->pk) != 0)
        return SQ_ERR_AUTH;
    return SQ_OK;
}

/* precheck: what is refused before reading any of the message */
static sq_err
precheck(const sq_minisign_pubkey *pk, const sq_minisign_sig *sig)
{
    if (sig->trusted_comment_len > SQ_MINISIGN_TRUSTED_COMMENT_MAX)
        return SQ_ERR_INVALID;
    /* not a secret: ids are public, and a mismatch only says "another key" */
    if (memcmp(pk->keyid, sig->keyid, SQ_MINISIGN_KEYID_BYTES) != 0)
        return SQ_ERR_INVALID;
    return SQ_OK;
}

/* read_all_capped: fd's remaining bytes into a malloc'd buffer, refusing
 * more than SQ_MINISIGN_LEGACY_MAX (legacy signatures sign the message
 * itself, so it must be held whole) */
static sq_err
read_all_capped(uint8_t **out, size_t *out_len, int fd)
{
    uint8_t    *buf = NULL, *nb;
    size_t      cap = 0, len = 0, got;
    struct stat st;
    off_t       pos;
    sq_err      ret;

    *out = NULL;
    *out_len = 0;
    /* a regular file says its size: refuse before reading a gigabyte */
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (pos = lseek(fd, 0, SEEK_CUR)) >= 0 &&
        st.st_size > pos && (uint64_t)(st.st_size - pos) > SQ_MINISIGN_LEGACY_MAX)
        return SQ_ERR_LIMIT;
    for (;;) {
        if (len == cap) {
            size_t ncap = cap == 0 ? READ_BUF_BYTES : cap * 2;

            if (cap >= SQ_MINISIGN_LEGACY_MAX + 1) {
                ret = SQ_ERR_LIMIT;
                goto out;
            }
            if (ncap > SQ_MINISIGN_LEGACY_MAX + 1)
                ncap = SQ_MINISIGN_LEGACY_MAX + 1;
            if ((nb = realloc(buf, ncap)) == NULL) {
                ret = SQ_ERR_NOMEM;
                goto out;
            }
            buf = nb;
            cap = ncap;
        }
        if ((ret = sq_io_read_some(fd, buf + len, cap - len, &got)) != SQ_OK)
            goto out;
        if (got == 0)
            break;
        len += got;
        if (len > SQ_MINISIGN_LEGACY_MAX) {
            ret = SQ_ERR_LIMIT;
            goto out;
        }
    }
    *out = buf;
    *out_len = len;
    buf = NULL;
    ret = SQ_OK;
out:
    free(buf);
    return ret;
}

sq_err
sq_minisign_verify_comment(const sq_minisign_pubkey *pk, const sq_minisign_sig *sig)
{
    sq_err ret;

    if ((ret = precheck(pk, sig)) != SQ_OK)
        return ret;
    return check_global(pk, sig);
}

/* The global signature covers the signature and the trusted comment, not
 * the 2-byte algorithm: anyone can relabel a prehashed "ED" signature of a
 * file F as a legacy "Ed" one, which then verifies over the 64 bytes
 * BLAKE2b-512(F), with F's trusted comment ("file:F ... hashed"). Stock
 * `minisign -V` accepts that; a legacy signature over exactly 64 bytes is
 * refused here (SQ_ERR_UNSUPPORTED), since it cannot be told from such a
 * relabelling, and no honest legacy use needs it. */
#define LEGACY_AMBIGUOUS_BYTES crypto_generichash_BYTES_MAX

sq_err
sq_minisign_verify_fd(const sq_minisign_pubkey *pk, const sq_minisign_sig *sig, int fd)
{
    uint8_t  digest[crypto_generichash_BYTES_MAX];
    uint8_t *msg = NULL;
    size_t   msg_len = 0;
    sq_err   ret;

    if ((ret = precheck(pk, sig)) != SQ_OK)
        return ret;
    if (sig->prehashed) {
        if ((ret = hash_fd(digest, fd)) != SQ_OK)
            return ret;
        if (crypto_sign_verify_detached(sig->sig, digest, sizeof digest, pk->pk) != 0)
            return SQ_ERR_AUTH;
        return check_global(pk, sig);
    }
    if ((ret = read_all_capped(&msg, &msg_len, fd)) != SQ_OK)
        return ret;
    ret = SQ_ERR_UNSUPPORTED;
    if (msg_len == LEGACY_AMBIGUOUS_BYTES)
        goto legacy_out;                      /* see LEGACY_AMBIGUOUS_BYTES */
    ret = SQ_ERR_AUTH;
    if (crypto_sign_verify_detached(sig->sig, msg != NULL ? msg : (const uint8_t *)"", msg_len, pk->pk) == 0)
        ret = check_global(pk, sig);
legacy_out:
    free(msg);
    return ret;
}

sq_err
sq_minisign_verify_buffer(const sq_minisign_pubkey *pk, const sq_minisign_sig *sig,
                          const uint8_t *msg, size_t msg_len)
{
    uint8_t digest[crypto_generichash_BYTES_MAX];
    sq_err  ret;

    if (msg == NULL && msg_len != 0)
        return SQ_ERR_INVALID;
    if (msg == NULL)
        msg = (const uint8_t *)"";
    if ((ret = precheck(pk, sig)) != SQ_OK)
        return ret;
    if (sig->prehashed) {
        crypto_generichash(digest, sizeof digest, msg, msg_len, NULL, 0);
        if (crypto_sign_verify_detached(sig->sig, digest, sizeof digest, pk->pk) != 0)
            return SQ_ERR_AUTH;
    } else {
        /* the same cap as for a file, so both entry points agree */
        if (msg_len > SQ_MINISIGN_LEGACY_MAX)
            return SQ_ERR_LIMIT;
        if (msg_len == LEGACY_AMBIGUOUS_BYTES)
            return SQ_ERR_UNSUPPORTED;        /* see LEGACY_AMBIGUOUS_BYTES */
        if (crypto_sign_verify_detached(sig->sig, msg, msg_len, pk->pk) != 0)
            return SQ_ERR_AUTH;
    }
    return check_global(pk, sig);
}
