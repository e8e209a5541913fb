/* gen_vectors.c: writes the age test vectors of tests/vectors/age/, one file
 * per failure mode, in the format of the public age testkit (C2SP CCTV):
 *
 *   expect: success | no match | HMAC failure | header failure |
 *           payload failure | armor failure
 *   payload: <hex SHA-256 of the plaintext released before the end or failure>
 *   file key: <hex>
 *   identity: AGE-SECRET-KEY-1...      (repeatable)
 *   passphrase: ...                    (repeatable)
 *   armored: yes
 *   comment: ...
 *   <empty line>
 *   <the age file's bytes>
 *
 * The files are built here from the specification with libsodium's
 * primitives (X25519, ChaCha20-Poly1305, scrypt, HMAC) and the in-tree
 * HKDF and Bech32, not with sandyq's age code, so they test it from the
 * outside. Randomness is a fixed ChaCha20 stream: the output is the same
 * on every run, and the generated files are committed.
 *
 * Build and run (from the repository root, after building libsandyq):
 *   cc -O2 -Isrc -Iinclude tests/vectors/age/gen/gen_vectors.c \
 *      BUILD/libsandyq.a -lsodium -largon2 -lcrypto -lpthread -o /tmp/gen_vectors
 *   /tmp/gen_vectors tests/vectors/age
 */
#define _GNU_SOURCE 1
#include <sodium.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/bech32.h"
#include "crypto/hkdf.h"

#define BUF_CAP (1u << 20)
#define CHUNK   65536

static const char *outdir;
static uint64_t    rand_block;

static void
det_rand(uint8_t *out, size_t n)
{
    static const uint8_t key[32] = "sandyq age vectors, not secret!";
    uint8_t              nonce[8] = { 0 };

    /* each call takes a fresh 64-byte block index range */
    memset(out, 0, n);
    crypto_stream_chacha20_xor_ic(out, out, n, nonce, rand_block, key);
    rand_block += (n + 63) / 64;
}

typedef struct {
    uint8_t    *buf;
    size_t      len;
    uint8_t     file_key[16];
    uint8_t     stream_key[32];
    uint8_t     nonce[12];
    uint8_t    *payload;   /* plaintext released (success) or before the failure */
    size_t      payload_len;
    const char *expect;
    const char *comment;
    char        idents[4][80];
    int         n_idents;
    const char *passes[2];
    int         n_passes;
    bool        armored;
} tf;

static void
tf_init(tf *f)
{
    memset(f, 0, sizeof *f);
    f->buf = malloc(BUF_CAP);
    f->payload = malloc(BUF_CAP);
    memcpy(f->file_key, "YELLOW SUBMARINE", 16);
    f->expect = "success";
}

static void
put(tf *f, const void *p, size_t n)
{
    if (f->len + n > BUF_CAP)
        abort();
    memcpy(f->buf + f->len, p, n);
    f->len += n;
}

static void
line(tf *f, const char *fmt, ...)
{
    char    tmp[4096];
    va_list ap;
    int     n;

    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    put(f, tmp, (size_t)n);
    put(f, "\n", 1);
}

static void
b64(char *out, const uint8_t *in, size_t n)
{
    sodium_bin2base64(out, n * 2 + 8, in, n, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
}

/* a body in 48-byte lines, ending with a short (maybe empty) line */
static void
body(tf *f, const uint8_t *p, size_t n)
{
    char tmp[128];

    for (;;) {
        size_t take = n > 48 ? 48 : n;

        b64(tmp, p, take);
        line(f, "%s", tmp);
        p += take;
        n -= take;
        if (take < 48)
            break;
    }
}

static void
aead_body(tf *f, const uint8_t key[32], const uint8_t *pt, size_t n)
{
    static const uint8_t zero[12];
    uint8_t              ct[128];

    crypto_aead_chacha20poly1305_ietf_encrypt(ct, NULL, pt, n, NULL, 0, NULL, zero, key);
    body(f, ct, n + 16);
}

static void
record_identity(tf *f, const uint8_t sk[32])
{
    sq_bech32_encode(f->idents[f->n_idents++], 80, NULL, "AGE-SECRET-KEY-", sk, 32, true);
}

/* an X25519 stanza for identity sk with a given share (its discrete log
 * unknown for some tests: computed as [sk]share like the testkit does) */
static void
x25519_stanza_share(tf *f, const uint8_t share[32], const uint8_t sk[32], const uint8_t *fk,
                    size_t fk_len)
{
    uint8_t recipient[32], secret[32], salt[64], key[32];
    char    s64[64];

    crypto_scalarmult_base(recipient, sk);
    if (crypto_scalarmult(secret, sk, share) != 0)
        memset(secret, 0, 32);
    memcpy(salt, share, 32);
    memcpy(salt + 32, recipient, 32);
    sq_hkdf_sha256(key, 32, salt, 64, secret, 32, (const uint8_t *)"age-encryption.org/v1/X25519",
                   28);
    b64(s64, share, 32);
    line(f, "-> X25519 %s", s64);
    aead_body(f, key, fk, fk_len);
}

static void
x25519_stanza(tf *f, const uint8_t sk[32])
{
    uint8_t eph[32], share[32];

    det_rand(eph, 32);
    crypto_scalarmult_base(share, eph);
    x25519_stanza_share(f, share, sk, f->file_key, 16);
}

static void
scrypt_stanza(tf *f, const char *pass, int log_n)
{
    uint8_t salt[16], full[44], key[32];
    char    s64[32];

    det_rand(salt, 16);
    memcpy(full, "age-encryption.org/v1/scrypt", 28);
    memcpy(full + 28, salt, 16);
    if (crypto_pwhash_scryptsalsa208sha256_ll((const uint8_t *)pass, strlen(pass), full, 44,
                                              (uint64_t)1 << log_n, 8, 1, key, 32) != 0)
        abort();
    b64(s64, salt, 16);
    line(f, "-> scrypt %s %d", s64, log_n);
    aead_body(f, key, f->file_key, 16);
}

static void
mac_of(tf *f, uint8_t mac[32])
{
    uint8_t                      key[32];
    crypto_auth_hmacsha256_state st;

    sq_hkdf_sha256(key, 32, NULL, 0, f->file_key, 16, (const uint8_t *)"header", 6);
    crypto_auth_hmacsha256_init(&st, key, 32);
    crypto_auth_hmacsha256_update(&st, f->buf, f->len);
    crypto_auth_hmacsha256_update(&st, (const uint8_t *)"---", 3);
    crypto_auth_hmacsha256_final(&st, mac);
}

static void
hmac(tf *f)
{
    uint8_t mac[32];
    char    m64[64];

    mac_of(f, mac);
    b64(m64, mac, 32);
    line(f, "--- %s", m64);
}

static void
nonce(tf *f)
{
    uint8_t n[16];

    det_rand(n, 16);
    sq_hkdf_sha256(f->stream_key, 32, n, 16, f->file_key, 16, (const uint8_t *)"payload", 7);
    put(f, n, 16);
    memset(f->nonce, 0, 12);
}

static void
chunk(tf *f, const uint8_t *pt, size_t n, bool final, bool released)
{
    uint8_t *ct = malloc(n + 16);

    f->nonce[11] = final ? 1 : 0;
    crypto_aead_chacha20poly1305_ietf_encrypt(ct, NULL, pt, n, NULL, 0, NULL, f->nonce,
                                              f->stream_key);
    put(f, ct, n + 16);
    free(ct);
    if (released) {
        memcpy(f->payload + f->payload_len, pt, n);
        f->payload_len += n;
    }
    /* 11-byte big-endian counter: the tests stay below 256 chunks */
    f->nonce[10]++;
}

static void
payload(tf *f, const char *text)
{
    nonce(f);
    chunk(f, (const uint8_t *)text, strlen(text), true, true);
}

static void
emit(tf *f, const char *name)
{
    char          path[4096], hex[65];
    uint8_t       h[32];
    FILE         *out;
    bool          with_payload = strcmp(f->expect, "success") == 0 ||
                        strcmp(f->expect, "payload failure") == 0;

    snprintf(path, sizeof path, "%s/%s", outdir, name);
    if ((out = fopen(path, "wb")) == NULL)
        abort();
    fprintf(out, "expect: %s\n", f->expect);
    if (with_payload) {
        crypto_hash_sha256(h, f->payload, f->payload_len);
        sodium_bin2hex(hex, sizeof hex, h, 32);
        fprintf(out, "payload: %s\n", hex);
    }
    sodium_bin2hex(hex, sizeof hex, f->file_key, 16);
    fprintf(out, "file key: %s\n", hex);
    for (int i = 0; i < f->n_idents; i++)
        fprintf(out, "identity: %s\n", f->idents[i]);
    for (int i = 0; i < f->n_passes; i++)
        fprintf(out, "passphrase: %s\n", f->passes[i]);
    if (f->armored)
        fprintf(out, "armored: yes\n");
    if (f->comment)
        fprintf(out, "comment: %s\n", f->comment);
    fprintf(out, "\n");
    fwrite(f->buf, 1, f->len, out);
    fclose(out);
    free(f->buf);
    free(f->payload);
}

/* wraps f's bytes in PEM armor, lines of 64 columns (cols to override) */
static void
armor(tf *f, int cols, const char *eol, const char *end_label, const char *before,
      const char *after, bool pad)
{
    uint8_t *raw = malloc(f->len);
    size_t   n = f->len, per = (size_t)cols / 4 * 3;
    char     tmp[256];

    memcpy(raw, f->buf, n);
    f->len = 0;
    put(f, before, strlen(before));
    put(f, "-----BEGIN AGE ENCRYPTED FILE-----", 34);
    put(f, eol, strlen(eol));
    for (size_t off = 0; off < n; off += per) {
        size_t take = n - off < per ? n - off : per;

        sodium_bin2base64(tmp, sizeof tmp, raw + off, take,
                          pad ? sodium_base64_VARIANT_ORIGINAL
                              : sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
        put(f, tmp, strlen(tmp));
        put(f, eol, strlen(eol));
    }
    snprintf(tmp, sizeof tmp, "-----END %s-----", end_label);
    put(f, tmp, strlen(tmp));
    put(f, eol, strlen(eol));
    put(f, after, strlen(after));
    f->armored = true;
    free(raw);
}

static uint8_t id_a[32], id_b[32];

/* the usual start: version, one X25519 stanza for id_a, the MAC */
static void
basic_header(tf *f)
{
    line(f, "age-encryption.org/v1");
    x25519_stanza(f, id_a);
    record_identity(f, id_a);
    hmac(f);
}

static void
stream_file(const char *name, const char *expect, const char *comment, const size_t *chunks,
            const bool *finals, int n_chunks, size_t trailing)
{
    tf       f;
    uint8_t *pt = malloc(CHUNK);
    bool     failed = false;

    tf_init(&f);
    f.expect = expect;
    f.comment = comment;
    basic_header(&f);
    nonce(&f);
    for (int i = 0; i < n_chunks; i++) {
        memset(pt, 'a' + i, CHUNK);
        /* released: every chunk of a success; in a failure, the full
         * non-final chunks before it (a reader opens them as such) */
        chunk(&f, pt, chunks[i], finals[i],
              !failed && (strcmp(expect, "success") == 0 || (!finals[i] && chunks[i] == CHUNK)));
        if (finals[i])
            failed = true;
    }
    for (size_t i = 0; i < trailing; i++)
        put(&f, "\0", 1);
    emit(&f, name);
    free(pt);
}

int
main(int argc, char **argv)
{
    tf f;

    if (argc != 2 || sodium_init() < 0)
        return 2;
    outdir = argv[1];
    det_rand(id_a, 32);
    det_rand(id_b, 32);

    /* ---- successes ---- */
    tf_init(&f);
    f.comment = "one X25519 stanza, a short final chunk";
    basic_header(&f);
    payload(&f, "age");
    emit(&f, "x25519_success");

    {
        static const size_t c0[] = { 0 }, c1[] = { 1 }, c64[] = { CHUNK }, c65[] = { CHUNK, 1 };
        static const bool   t[] = { true }, ft[] = { false, true };

        stream_file("stream_size_0", "success", "the empty payload: one empty final chunk", c0, t, 1, 0);
        stream_file("stream_size_1", "success", "one byte", c1, t, 1, 0);
        stream_file("stream_size_65536", "success", "one full final chunk", c64, t, 1, 0);
        stream_file("stream_size_65537", "success", "a full chunk and a 1-byte final chunk", c65, ft, 2, 0);
    }

    tf_init(&f);
    f.comment = "an unknown stanza type is skipped";
    line(&f, "age-encryption.org/v1");
    line(&f, "-> example.com/enigma arg1 arg2");
    {
        uint8_t junk[70];

        det_rand(junk, sizeof junk);
        body(&f, junk, sizeof junk);
    }
    x25519_stanza(&f, id_a);
    record_identity(&f, id_a);
    hmac(&f);
    payload(&f, "skipped");
    emit(&f, "stanza_unknown_skipped");

    tf_init(&f);
    f.comment = "two identities, the second one matches the second stanza";
    line(&f, "age-encryption.org/v1");
    x25519_stanza(&f, id_b);
    x25519_stanza(&f, id_a);
    record_identity(&f, id_a);
    hmac(&f);
    payload(&f, "two");
    emit(&f, "x25519_second_stanza");

    tf_init(&f);
    f.comment = "scrypt with a small work factor";
    line(&f, "age-encryption.org/v1");
    scrypt_stanza(&f, "password", 10);
    f.passes[f.n_passes++] = "password";
    hmac(&f);
    payload(&f, "scrypt");
    emit(&f, "scrypt_success");

    /* ---- no match ---- */
    tf_init(&f);
    f.expect = "no match";
    f.comment = "encrypted to another identity";
    line(&f, "age-encryption.org/v1");
    x25519_stanza(&f, id_b);
    record_identity(&f, id_a);
    hmac(&f);
    payload(&f, "age");
    emit(&f, "x25519_wrong_identity");

    tf_init(&f);
    f.expect = "no match";
    f.comment = "wrong passphrase";
    line(&f, "age-encryption.org/v1");
    scrypt_stanza(&f, "password", 10);
    f.passes[f.n_passes++] = "passw0rd";
    hmac(&f);
    payload(&f, "age");
    emit(&f, "scrypt_wrong_passphrase");

    /* ---- HMAC failure ---- */
    tf_init(&f);
    f.expect = "HMAC failure";
    f.comment = "the MAC of other bytes";
    basic_header(&f);
    f.buf[f.len - 2] = f.buf[f.len - 2] == 'A' ? 'E' : 'A';   /* keeps it canonical (low bits 0) */
    payload(&f, "age");
    emit(&f, "hmac_bad");

    /* ---- header failures ---- */
    tf_init(&f);
    f.expect = "header failure";
    f.comment = "the MAC in non-canonical base64 (spare bits set)";
    basic_header(&f);
    f.buf[f.len - 2]++;   /* last character + 1: same bytes, a spare bit set */
    payload(&f, "age");
    emit(&f, "hmac_not_canonical");

    tf_init(&f);
    f.expect = "header failure";
    f.comment = "the X25519 share in non-canonical base64";
    line(&f, "age-encryption.org/v1");
    {
        uint8_t eph[32], share[32];
        size_t  at;

        det_rand(eph, 32);
        crypto_scalarmult_base(share, eph);
        at = f.len + 9 + 43;   /* "-> X25519 " then the last character */
        x25519_stanza_share(&f, share, id_a, f.file_key, 16);
        f.buf[at]++;
    }
    record_identity(&f, id_a);
    hmac(&f);
    payload(&f, "age");
    emit(&f, "stanza_arg_not_canonical");

    tf_init(&f);
    f.expect = "header failure";
    f.comment = "the stanza body in non-canonical base64";
    basic_header(&f);
    f.len = 0;
    line(&f, "age-encryption.org/v1");
    x25519_stanza(&f, id_a);
    f.buf[f.len - 2]++;
    hmac(&f);
    payload(&f, "age");
    f.n_idents = 0;
    record_identity(&f, id_a);
    emit(&f, "stanza_body_not_canonical");

    tf_init(&f);
    f.expect = "header failure";
    f.comment = "scrypt work factor 23, above the cap (never derived)";
    line(&f, "age-encryption.org/v1");
    line(&f, "-> scrypt rF0/NwblUHHTpgQgRpe5CQ 23");
    line(&f, "qW9eVsT0NVb/Vswtw8kPIxUnaYmm9Px1dYmq2+4+qZA");
    f.passes[f.n_passes++] = "password";
    hmac(&f);
    payload(&f, "age");
    emit(&f, "scrypt_work_factor_23");

    tf_init(&f);
    f.expect = "header failure";
    f.comment = "scrypt work factor 40";
    line(&f, "age-encryption.org/v1");
    line(&f, "-> scrypt rF0/NwblUHHTpgQgRpe5CQ 40");
    line(&f, "qW9eVsT0NVb/Vswtw8kPIxUnaYmm9Px1dYmq2+4+qZA");
    f.passes[f.n_passes++] = "password";
    hmac(&f);
    payload(&f, "age");
    emit(&f, "scrypt_work_factor_40");

    tf_init(&f);
    f.expect = "header failure";
    f.comment = "scrypt work factor with a leading zero";
    line(&f, "age-encryption.org/v1");
    line(&f, "-> scrypt rF0/NwblUHHTpgQgRpe5CQ 010");
    line(&f, "qW9eVsT0NVb/Vswtw8kPIxUnaYmm9Px1dYmq2+4+qZA");
    f.passes[f.n_passes++] = "password";
    hmac(&f);
    payload(&f, "age");
    emit(&f, "scrypt_work_factor_leading_zero");

    tf_init(&f);
    f.expect = "header failure";
    f.comment = "X25519 body of 31 bytes (checked before decrypting)";
    line(&f, "age-encryption.org/v1");
    {
        uint8_t eph[32], share[32];

        det_rand(eph, 32);
        crypto_scalarmult_base(share, eph);
        x25519_stanza_share(&f, share, id_a, f.file_key, 15);
    }
    record_identity(&f, id_a);
    hmac(&f);
    payload(&f, "age");
    emit(&f, "x25519_body_short");

    tf_init(&f);
    f.expect = "header failure";
    f.comment = "X25519 body of 33 bytes";
    line(&f, "age-encryption.org/v1");
    {
        uint8_t eph[32], share[32], fk[17];

        det_rand(eph, 32);
        crypto_scalarmult_base(share, eph);
        memcpy(fk, f.file_key, 16);
        fk[16] = 0;
        x25519_stanza_share(&f, share, id_a, fk, 17);
    }
    record_identity(&f, id_a);
    hmac(&f);
    payload(&f, "age");
    emit(&f, "x25519_body_long");

    tf_init(&f);
    f.expect = "header failure";
    f.comment = "scrypt body of 31 bytes";
    line(&f, "age-encryption.org/v1");
    line(&f, "-> scrypt rF0/NwblUHHTpgQgRpe5CQ 10");
    {
        uint8_t b[31];

        det_rand(b, sizeof b);
        body(&f, b, sizeof b);
    }
    f.passes[f.n_passes++] = "password";
    hmac(&f);
    payload(&f, "age");
    emit(&f, "scrypt_body_short");

    tf_init(&f);
    f.expect = "header failure";
    f.comment = "scrypt mixed with X25519";
    line(&f, "age-encryption.org/v1");
    x25519_stanza(&f, id_a);
    scrypt_stanza(&f, "password", 10);
    record_identity(&f, id_a);
    f.passes[f.n_passes++] = "password";
    hmac(&f);
    payload(&f, "age");
    emit(&f, "scrypt_and_x25519");

    tf_init(&f);
    f.expect = "header failure";
    f.comment = "scrypt with an unknown stanza: not alone";
    line(&f, "age-encryption.org/v1");
    scrypt_stanza(&f, "password", 10);
    line(&f, "-> example.com/enigma");
    line(&f, "");
    f.passes[f.n_passes++] = "password";
    hmac(&f);
    payload(&f, "age");
    emit(&f, "scrypt_not_alone");

    tf_init(&f);
    f.expect = "header failure";
    f.comment = "two scrypt stanzas";
    line(&f, "age-encryption.org/v1");
    scrypt_stanza(&f, "password", 10);
    scrypt_stanza(&f, "password", 10);
    f.passes[f.n_passes++] = "password";
    hmac(&f);
    payload(&f, "age");
    emit(&f, "scrypt_double");

    tf_init(&f);
    f.expect = "header failure";
    f.comment = "a body line of 65 columns";
    line(&f, "age-encryption.org/v1");
    line(&f, "-> example.com/enigma");
    line(&f, "%s", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    line(&f, "");
    x25519_stanza(&f, id_a);
    record_identity(&f, id_a);
    hmac(&f);
    payload(&f, "age");
    emit(&f, "stanza_body_65_columns");

    tf_init(&f);
    f.expect = "header failure";
    f.comment = "a final body line of exactly 64 columns with no empty line after it";
    line(&f, "age-encryption.org/v1");
    x25519_stanza(&f, id_a);
    line(&f, "-> example.com/enigma");
    line(&f, "%s", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    record_identity(&f, id_a);
    hmac(&f);
    payload(&f, "age");
    emit(&f, "stanza_full_last_line");

    tf_init(&f);
    f.expect = "header failure";
    f.comment = "the file ends right after the MAC, without its newline";
    basic_header(&f);
    f.len--;
    emit(&f, "hmac_no_final_newline");

    tf_init(&f);
    f.expect = "header failure";
    f.comment = "the MAC line runs into the payload (no newline)";
    basic_header(&f);
    f.len--;
    payload(&f, "age");
    emit(&f, "hmac_newline_missing_before_payload");

    tf_init(&f);
    f.expect = "header failure";
    f.comment = "the last body line of a stanza without its newline at the end of the file";
    line(&f, "age-encryption.org/v1");
    x25519_stanza(&f, id_a);
    f.len--;
    record_identity(&f, id_a);
    emit(&f, "stanza_no_final_newline");

    tf_init(&f);
    f.expect = "header failure";
    f.comment = "a low-order X25519 share: the shared secret is all zero";
    line(&f, "age-encryption.org/v1");
    {
        uint8_t zero[32] = { 0 };

        x25519_stanza_share(&f, zero, id_a, f.file_key, 16);
    }
    record_identity(&f, id_a);
    hmac(&f);
    payload(&f, "age");
    emit(&f, "x25519_low_order");

    tf_init(&f);
    f.expect = "header failure";
    f.comment = "X25519 with an extra argument";
    line(&f, "age-encryption.org/v1");
    x25519_stanza(&f, id_a);
    {
        /* rewrite the argument line with " extra" */
        uint8_t *nl = memchr(f.buf + 22, '\n', f.len - 22);
        size_t   at = (size_t)(nl - f.buf), rest = f.len - at;

        memmove(f.buf + at + 6, f.buf + at, rest);
        memcpy(f.buf + at, " extra", 6);
        f.len += 6;
    }
    record_identity(&f, id_a);
    hmac(&f);
    payload(&f, "age");
    emit(&f, "x25519_extra_argument");

    tf_init(&f);
    f.expect = "header failure";
    f.comment = "two spaces between arguments (an empty argument)";
    line(&f, "age-encryption.org/v1");
    line(&f, "-> example.com/enigma  arg");
    line(&f, "");
    x25519_stanza(&f, id_a);
    record_identity(&f, id_a);
    hmac(&f);
    payload(&f, "age");
    emit(&f, "stanza_empty_argument");

    tf_init(&f);
    f.expect = "header failure";
    f.comment = "an unknown version";
    line(&f, "age-encryption.org/v2");
    x25519_stanza(&f, id_a);
    record_identity(&f, id_a);
    hmac(&f);
    payload(&f, "age");
    emit(&f, "version_unknown");

    /* ---- payload failures ---- */
    {
        static const size_t one_full[] = { CHUNK }, full_empty[] = { CHUNK, 0 },
                            short_[] = { 3 }, full_final[] = { CHUNK };
        static const bool   nf[] = { false }, f_t[] = { false, true }, t[] = { true };

        stream_file("stream_truncated", "payload failure",
                    "a full non-final chunk, then the end of the file", one_full, nf, 1, 0);
        stream_file("stream_empty_final_after_full", "payload failure",
                    "an empty final chunk after a full chunk", full_empty, f_t, 2, 0);
        stream_file("stream_trailing_data", "payload failure",
                    "one byte after a short final chunk", short_, t, 1, 1);
        stream_file("stream_trailing_after_full_final", "payload failure",
                    "one byte after a full final chunk", full_final, t, 1, 1);
        stream_file("stream_no_final_flag", "payload failure",
                    "a short chunk sealed as non-final at the end of the file", short_, nf, 1, 0);
    }

    tf_init(&f);
    f.expect = "payload failure";
    f.comment = "no chunk at all after the nonce";
    basic_header(&f);
    nonce(&f);
    emit(&f, "stream_missing_chunk");

    tf_init(&f);
    f.expect = "payload failure";
    f.comment = "the last byte of the tag flipped";
    basic_header(&f);
    payload(&f, "age");
    f.payload_len = 0;
    f.buf[f.len - 1] ^= 0x01;
    emit(&f, "stream_bad_tag");

    /* ---- armor ---- */
    tf_init(&f);
    f.comment = "armored";
    basic_header(&f);
    payload(&f, "armored age file");
    armor(&f, 64, "\n", "AGE ENCRYPTED FILE", "", "", true);
    emit(&f, "armor_success");

    tf_init(&f);
    f.comment = "armored with CRLF line ends and whitespace around";
    basic_header(&f);
    payload(&f, "armored age file");
    armor(&f, 64, "\r\n", "AGE ENCRYPTED FILE", "\n \n", "  \n", true);
    emit(&f, "armor_crlf_whitespace");

    tf_init(&f);
    f.expect = "armor failure";
    f.comment = "data after the END line";
    basic_header(&f);
    payload(&f, "armored age file");
    armor(&f, 64, "\n", "AGE ENCRYPTED FILE", "", "garbage\n", true);
    emit(&f, "armor_trailing_garbage");

    tf_init(&f);
    f.expect = "armor failure";
    f.comment = "lines of 68 columns";
    basic_header(&f);
    payload(&f, "armored age file");
    armor(&f, 68, "\n", "AGE ENCRYPTED FILE", "", "", true);
    emit(&f, "armor_long_line");

    tf_init(&f);
    f.expect = "armor failure";
    f.comment = "no padding on the last line";
    basic_header(&f);
    payload(&f, "armored age file!");
    armor(&f, 64, "\n", "AGE ENCRYPTED FILE", "", "", false);
    emit(&f, "armor_no_padding");

    tf_init(&f);
    f.expect = "armor failure";
    f.comment = "a wrong END label";
    basic_header(&f);
    payload(&f, "armored age file");
    armor(&f, 64, "\n", "AGE ENCRYPTED FILES", "", "", true);
    emit(&f, "armor_wrong_end");

    tf_init(&f);
    f.expect = "armor failure";
    f.comment = "a space at the end of a data line";
    basic_header(&f);
    payload(&f, "armored age file");
    armor(&f, 64, " \n", "AGE ENCRYPTED FILE", "", "", true);
    emit(&f, "armor_whitespace_eol");

    tf_init(&f);
    f.expect = "armor failure";
    f.comment = "non-canonical base64 in the last line";
    basic_header(&f);
    payload(&f, "armored age file!");
    armor(&f, 64, "\n", "AGE ENCRYPTED FILE", "", "", true);
    {
        /* the character before the padding carries spare bits */
        uint8_t *end = memmem(f.buf, f.len, "=\n-----END", 10);

        if (end == NULL)
            abort();   /* pick a payload whose armor ends in padding */
        while (end[-1] == '=')
            end--;
        end[-1]++;
    }
    emit(&f, "armor_not_canonical");

    tf_init(&f);
    f.expect = "header failure";
    f.comment = "a low-order share in a stanza after the one that matches (found by review: the "
                "verdict must not depend on the order in which identities or stanzas are tried)";
    line(&f, "age-encryption.org/v1");
    x25519_stanza(&f, id_a);
    {
        uint8_t zero[32] = { 0 };

        x25519_stanza_share(&f, zero, id_b, f.file_key, 16);
    }
    record_identity(&f, id_a);
    hmac(&f);
    payload(&f, "age");
    emit(&f, "x25519_low_order_after_match");
    return 0;
}
