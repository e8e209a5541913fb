/* identity.c: identity files (include/sandyq/identity.h, FORMAT.md
 * "Identity files").
 *
 * The clear form is the format of age-keygen's files plus one comment line
 * that carries the Ed25519 seed, so stock age (which skips '#' lines) uses
 * the X25519 key of a sandyq identity, and sandyq uses age-keygen's files.
 * The parser follows stock age's reading of identity files (cmd/age
 * parseIdentities: lines split at "\n", one "\r" before it dropped, a last
 * line without "\n" accepted, empty lines and lines starting with '#'
 * skipped, every other line must be a key) and is stricter where sandyq
 * adds something: the seed line must be exact, and appear at most once.
 *
 * Every secret (the whole sq_identity, the clear text while it is built or
 * decrypted, the seed and its base64) lives in sq_secret memory, wiped when
 * released on every path. */
#include "sandyq/identity.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "util/bytes.h"
#include "util/random.h"
#include "util/secret.h"

#define SEED_BYTES      crypto_sign_SEEDBYTES        /* 32 */
#define ED_PK_BYTES     crypto_sign_PUBLICKEYBYTES   /* 32 */
#define ED_SK_BYTES     crypto_sign_SECRETKEYBYTES   /* 64: seed || pk */
/* standard padded base64 of the 32-byte seed: 44 characters */
#define SEED_B64_CHARS  (sodium_base64_ENCODED_LEN(SEED_BYTES, sodium_base64_VARIANT_ORIGINAL) - 1)

/* The recognized prefix of the seed line, and the exact form it must have.
 * Any comment that starts like the seed line but is not exact is refused
 * rather than skipped: skipping it would silently drop the signing key of a
 * damaged file. */
static const char seed_tag[] = "# sandyq-ed25519-secret";
static const char seed_prefix[] = "# sandyq-ed25519-secret: ";
static const char x25519_prefix[] = "AGE-SECRET-KEY-1";
/* identities stock age 1.1.1 would hand to a plugin, and post-quantum keys
 * of later age versions: known kinds sandyq does not implement */
static const char plugin_prefix[] = "AGE-PLUGIN-";
static const char pq_prefix[] = "AGE-SECRET-KEY-PQ-";

/* what stock age looks for at the start of an encrypted identity file */
static const char age_binary_magic[] = "age-encryption.org/v1\n";
static const char age_armor_magic[] = "-----BEGIN AGE ENCRYPTED FILE-----";

static const char fingerprint_label[] = "sandyq/v1/identity-fingerprint";

/* the clear form: four lines, 254 bytes today; room for a longer time */
#define CLEAR_CAP 512

struct sq_identity {
    size_t  n_x25519;
    uint8_t x25519_sk[SQ_IDENTITY_MAX_KEYS][SQ_AGE_KEY_BYTES];
    uint8_t x25519_pk[SQ_IDENTITY_MAX_KEYS][SQ_AGE_KEY_BYTES];
    bool    has_signing;
    uint8_t ed25519_sk[ED_SK_BYTES];
    uint8_t ed25519_pk[ED_PK_BYTES];
    /* scratch for the seed while it is decoded or drawn: always zero
     * outside the functions that fill it */
    uint8_t seed[SEED_BYTES];
};

/* scratch for serialization, in secret memory */
typedef struct {
    char text[CLEAR_CAP];
    char age_sk[SQ_AGE_IDENTITY_CHARS + 1];
    char seed_b64[SEED_B64_CHARS + 1];
} serial_scratch;

static sq_identity *
identity_new(void)
{
    return sq_secret_alloc(sizeof(sq_identity));   /* zeroed */
}

void
sq_identity_free(sq_identity *id)
{
    if (id != NULL)
        sq_secret_free(id, sizeof *id);   /* wipes every key */
}

/* sets the signing key from id->seed, then wipes the seed */
static void
set_signing_from_seed(sq_identity *id)
{
    crypto_sign_seed_keypair(id->ed25519_pk, id->ed25519_sk, id->seed);
    sodium_memzero(id->seed, sizeof id->seed);
    id->has_signing = true;
}

sq_err
sq_identity_generate(sq_identity **out)
{
    sq_identity *id = NULL;
    sq_err       ret = SQ_ERR_NOMEM;

    *out = NULL;
    if ((id = identity_new()) == NULL)
        goto out;
    /* BRIEF "Signatures": the two keys are drawn independently, so neither
     * can be computed from the other */
    sq_random_buf(id->x25519_sk[0], SQ_AGE_KEY_BYTES);
    if ((ret = sq_age_x25519_public(id->x25519_pk[0], id->x25519_sk[0])) != SQ_OK)
        goto out;
    id->n_x25519 = 1;
    sq_random_buf(id->seed, sizeof id->seed);
    set_signing_from_seed(id);
    *out = id;
    id = NULL;
    ret = SQ_OK;
out:
    sq_identity_free(id);
    return ret;
}

static bool
has_prefix(const uint8_t *line, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);

    return len >= n && memcmp(line, prefix, n) == 0;
}

/* parse_seed_line: "# sandyq-ed25519-secret: " + 44 characters of padded
 * standard base64 that decode to exactly 32 bytes (libsodium also refuses
 * non-zero padding bits, so the encoding is canonical). */
static sq_err
parse_seed_line(sq_identity *id, const uint8_t *line, size_t len)
{
    const size_t plen = sizeof seed_prefix - 1;
    const char  *b64, *b64_end = NULL;
    size_t       bin_len = 0;
    sq_err       ret = SQ_ERR_FORMAT;

    if (id->has_signing)          /* two seeds: which one signs is unclear */
        goto out;
    if (len != plen + SEED_B64_CHARS || memcmp(line, seed_prefix, plen) != 0)
        goto out;
    b64 = (const char *)line + plen;
    if (sodium_base642bin(id->seed, sizeof id->seed, b64, SEED_B64_CHARS, NULL, &bin_len,
                          &b64_end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
        bin_len != sizeof id->seed || b64_end != b64 + SEED_B64_CHARS)
        goto out;
    set_signing_from_seed(id);
    ret = SQ_OK;
out:
    sodium_memzero(id->seed, sizeof id->seed);
    return ret;
}

/* parse_x25519_line: one AGE-SECRET-KEY-1 line (the message for a bad one
 * must not echo it: the caller reports only the error code) */
static sq_err
parse_x25519_line(sq_identity *id, const uint8_t *line, size_t len)
{
    size_t i = id->n_x25519;

    if (i == SQ_IDENTITY_MAX_KEYS)
        return SQ_ERR_LIMIT;
    if (sq_age_identity_parse(id->x25519_sk[i], (const char *)line, len) != SQ_OK ||
        sq_age_x25519_public(id->x25519_pk[i], id->x25519_sk[i]) != SQ_OK) {
        sodium_memzero(id->x25519_sk[i], SQ_AGE_KEY_BYTES);
        sodium_memzero(id->x25519_pk[i], SQ_AGE_KEY_BYTES);
        return SQ_ERR_FORMAT;
    }
    id->n_x25519 = i + 1;
    return SQ_OK;
}

/* parse_line: one line without its line ending */
static sq_err
parse_line(sq_identity *id, const uint8_t *line, size_t len)
{
    if (len == 0)
        return SQ_OK;                                  /* blank */
    if (line[0] == '#') {
        if (has_prefix(line, len, seed_tag))
            return parse_seed_line(id, line, len);
        return SQ_OK;    /* "# created:", "# public key:" (never trusted), any note */
    }
    if (has_prefix(line, len, pq_prefix) || has_prefix(line, len, plugin_prefix))
        return SQ_ERR_UNSUPPORTED;
    if (has_prefix(line, len, x25519_prefix))
        return parse_x25519_line(id, line, len);
    return SQ_ERR_FORMAT;
}

/* parse_clear: the clear form into id (empty on entry). */
static sq_err
parse_clear(sq_identity *id, const uint8_t *data, size_t len)
{
    const uint8_t *nl;
    size_t         pos = 0, end, next, line_len;
    sq_err         ret;

    while (pos < len) {
        nl = memchr(data + pos, '\n', len - pos);
        end = nl != NULL ? (size_t)(nl - data) : len;   /* a last line may lack "\n" */
        next = nl != NULL ? end + 1 : len;
        line_len = end - pos;
        if (line_len > 0 && data[end - 1] == '\r')      /* "\r\n", as stock age reads it */
            line_len--;
        if ((ret = parse_line(id, data + pos, line_len)) != SQ_OK)
            return ret;
        pos = next;
    }
    /* a file without an X25519 key is no identity for age either, even if
     * it holds a seed line */
    return id->n_x25519 == 0 ? SQ_ERR_NOTFOUND : SQ_OK;
}

bool
sq_identity_is_protected(const uint8_t *data, size_t len)
{
    const size_t nb = sizeof age_binary_magic - 1, na = sizeof age_armor_magic - 1;

    return (len >= nb && memcmp(data, age_binary_magic, nb) == 0) ||
           (len >= na && memcmp(data, age_armor_magic, na) == 0);
}

/* decrypt_protected: the clear form inside a protected file, into secret
 * memory (*plain, *plain_cap for sq_secret_free). */
static sq_err
decrypt_protected(uint8_t **plain, size_t *plain_len, size_t *plain_cap, const uint8_t *data,
                  size_t len, const uint8_t *passphrase, size_t passphrase_len, uint8_t max_log_n)
{
    sq_age_identities ids;
    sq_age_failure    failure = SQ_AGE_OK;
    sq_err            err;

    memset(&ids, 0, sizeof ids);
    ids.passphrase = passphrase;
    ids.passphrase_len = passphrase_len;
    ids.max_log_n = max_log_n;
    err = sq_age_decrypt_buffer(plain, plain_len, plain_cap, &ids, data, len,
                                SQ_IDENTITY_FILE_MAX, &failure);
    switch (err) {
    case SQ_OK:
    case SQ_ERR_NOMEM:
    case SQ_ERR_LIMIT:          /* work factor above the cap, or too large */
    case SQ_ERR_FORMAT:
    case SQ_ERR_UNSUPPORTED:
        return err;
    case SQ_ERR_NOTFOUND:       /* "no match": the passphrase opened no stanza */
    case SQ_ERR_AUTH:           /* header MAC or a chunk failed */
        return SQ_ERR_AUTH;
    case SQ_ERR_TRUNCATED:      /* the right passphrase, a file cut short */
        return SQ_ERR_FORMAT;
    default:
        return failure == SQ_AGE_NO_MATCH ? SQ_ERR_AUTH : SQ_ERR_FORMAT;
    }
}

sq_err
sq_identity_parse(sq_identity **out, const uint8_t *data, size_t len,
                  const uint8_t *passphrase, size_t passphrase_len, uint8_t max_log_n)
{
    sq_identity *id = NULL;
    uint8_t     *plain = NULL;   /* secret: the decrypted clear form */
    size_t       plain_len = 0, plain_cap = 0;
    sq_err       ret;

    *out = NULL;
    ret = SQ_ERR_LIMIT;
    if (len > SQ_IDENTITY_FILE_MAX)   /* cap before any work, either form */
        goto out;
    ret = SQ_ERR_NOMEM;
    if ((id = identity_new()) == NULL)
        goto out;
    if (sq_identity_is_protected(data, len)) {
        ret = SQ_ERR_INVALID;
        if (passphrase == NULL || passphrase_len == 0)
            goto out;                       /* stock age refuses empty passphrases too */
        if ((ret = decrypt_protected(&plain, &plain_len, &plain_cap, data, len, passphrase,
                                     passphrase_len, max_log_n)) != SQ_OK)
            goto out;
        /* the plaintext is untrusted too (anyone with the passphrase can
         * write it): the same strict parser, and no second layer */
        ret = parse_clear(id, plain, plain_len);
    } else {
        ret = parse_clear(id, data, len);
    }
    if (ret != SQ_OK)
        goto out;
    *out = id;
    id = NULL;
out:
    if (plain != NULL)
        sq_secret_free(plain, plain_cap);
    sq_identity_free(id);
    return ret;
}

/* rfc3339_utc: "2026-11-27T09:00:00Z" (20 characters) into out[21] */
static bool
rfc3339_utc(char out[21], int64_t t)
{
    struct tm tm;
    time_t    tt;

    /* years 1970 to 9999 keep the fixed four-digit form */
    if (t < 0 || t > INT64_C(253402300799))
        return false;
    tt = (time_t)t;
    if (gmtime_r(&tt, &tm) == NULL)
        return false;
    return snprintf(out, 21, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec) == 20;
}

static void
put_str(sq_writer *w, const char *s)
{
    sq_write_bytes(w, s, strlen(s));
}

/* build_clear: the clear form of id (one X25519 key and a signing key) into
 * sc->text; sc is secret memory. */
static sq_err
build_clear(serial_scratch *sc, size_t *text_len, const sq_identity *id, int64_t created)
{
    sq_writer w;
    char      when[21];                               /* not secret */
    char      recipient[SQ_AGE_RECIPIENT_CHARS + 1];  /* not secret */
    sq_err    ret;

    if (!rfc3339_utc(when, created))
        return SQ_ERR_INVALID;
    if ((ret = sq_age_recipient_format(recipient, sizeof recipient, id->x25519_pk[0])) != SQ_OK ||
        (ret = sq_age_identity_format(sc->age_sk, sizeof sc->age_sk, id->x25519_sk[0])) != SQ_OK)
        return ret;
    /* the seed is the first half of libsodium's secret key */
    sodium_bin2base64(sc->seed_b64, sizeof sc->seed_b64, id->ed25519_sk, SEED_BYTES,
                      sodium_base64_VARIANT_ORIGINAL);
    sq_writer_init(&w, (uint8_t *)sc->text, sizeof sc->text);
    put_str(&w, "# created: ");
    put_str(&w, when);
    put_str(&w, "\n# public key: ");
    put_str(&w, recipient);
    put_str(&w, "\n");
    put_str(&w, seed_prefix);
    put_str(&w, sc->seed_b64);
    put_str(&w, "\n");
    put_str(&w, sc->age_sk);
    put_str(&w, "\n");
    if (!sq_writer_ok(&w))
        return SQ_ERR_INVALID;   /* cannot happen: CLEAR_CAP covers the longest form */
    *text_len = w.len;
    return SQ_OK;
}

sq_err
sq_identity_serialize(uint8_t **out, size_t *out_len, const sq_identity *id, int64_t created,
                      const uint8_t *passphrase, size_t passphrase_len, uint8_t log_n)
{
    serial_scratch   *sc = NULL;
    sq_age_recipients to;
    size_t            text_len = 0;
    sq_err            ret;

    *out = NULL;
    *out_len = 0;
    ret = SQ_ERR_INVALID;
    /* the file has room for one X25519 key beside the seed; writing only the
     * first of several would lose the others without a word */
    if (id->n_x25519 != 1 || !id->has_signing)
        goto out;
    ret = SQ_ERR_NOMEM;
    if ((sc = sq_secret_alloc(sizeof *sc)) == NULL)
        goto out;
    if ((ret = build_clear(sc, &text_len, id, created)) != SQ_OK)
        goto out;
    if (passphrase == NULL) {
        ret = SQ_ERR_NOMEM;
        if ((*out = malloc(text_len)) == NULL)
            goto out;
        memcpy(*out, sc->text, text_len);   /* the caller wipes it (identity.h) */
        *out_len = text_len;
        ret = SQ_OK;
        goto out;
    }
    ret = SQ_ERR_INVALID;
    if (passphrase_len == 0)
        goto out;                           /* FORMAT.md 16: empty passphrases are refused */
    memset(&to, 0, sizeof to);
    to.passphrase = passphrase;
    to.passphrase_len = passphrase_len;
    to.scrypt_log_n = log_n;       /* 0: the library's default, stock age's 18 */
    to.armor = false;              /* binary, as `age -p` writes by default */
    ret = sq_age_encrypt_buffer(out, out_len, &to, (const uint8_t *)sc->text, text_len);
out:
    if (sc != NULL)
        sq_secret_free(sc, sizeof *sc);
    if (ret != SQ_OK && *out != NULL) {
        sodium_memzero(*out, *out_len);
        free(*out);
        *out = NULL;
        *out_len = 0;
    }
    return ret;
}

size_t
sq_identity_x25519_count(const sq_identity *id)
{
    return id->n_x25519;
}

const uint8_t *
sq_identity_x25519_secret(const sq_identity *id, size_t i)
{
    if (i >= id->n_x25519)
        abort();   /* misuse: an index the caller did not check */
    return id->x25519_sk[i];
}

const uint8_t *
sq_identity_x25519_public(const sq_identity *id, size_t i)
{
    if (i >= id->n_x25519)
        abort();
    return id->x25519_pk[i];
}

bool
sq_identity_has_signing_key(const sq_identity *id)
{
    return id->has_signing;
}

const uint8_t *
sq_identity_signing_secret(const sq_identity *id)
{
    return id->has_signing ? id->ed25519_sk : NULL;
}

const uint8_t *
sq_identity_signing_public(const sq_identity *id)
{
    return id->has_signing ? id->ed25519_pk : NULL;
}

sq_err
sq_identity_fingerprint(char *out, size_t cap, const uint8_t x25519_pk[SQ_AGE_KEY_BYTES],
                        const uint8_t *ed25519_pk)
{
    static const uint8_t     zero_pk[ED_PK_BYTES];   /* "no signing key" */
    crypto_generichash_state st;
    uint8_t                  h[32];   /* not secret: a hash of public keys */
    uint64_t                 v;
    size_t                   j, k;

    if (cap <= SQ_IDENTITY_FINGERPRINT_CHARS)
        return SQ_ERR_INVALID;
    crypto_generichash_init(&st, NULL, 0, sizeof h);
    crypto_generichash_update(&st, (const uint8_t *)fingerprint_label, sizeof fingerprint_label - 1);
    crypto_generichash_update(&st, x25519_pk, SQ_AGE_KEY_BYTES);
    crypto_generichash_update(&st, ed25519_pk != NULL ? ed25519_pk : zero_pk, ED_PK_BYTES);
    crypto_generichash_final(&st, h, sizeof h);
    /* 6 groups of 40 bits reduced mod 10^5: the bias (2^40 is not a
     * multiple of 10^5) is below 10^-7 per group, irrelevant for a
     * comparison by voice; about 100 bits in all */
    for (j = 0; j < 6; j++) {
        v = 0;
        for (k = 0; k < 5; k++)
            v |= (uint64_t)h[5 * j + k] << (8 * k);
        snprintf(out + 6 * j, cap - 6 * j, j < 5 ? "%05u " : "%05u", (unsigned)(v % 100000));
    }
    return SQ_OK;
}

sq_err
sq_identity_public_text(char **out, size_t *out_len, const sq_identity *id)
{
    static const char   rlabel[] = "age recipient: ", flabel[] = "fingerprint: ";
    char                recipient[SQ_AGE_RECIPIENT_CHARS + 1];
    char                fp[SQ_IDENTITY_FINGERPRINT_CHARS + 1];
    char                mpub[512];
    size_t              mpub_len = 0, cap, i;
    sq_minisign_pubkey  mpk;
    sq_writer           w;
    char               *text = NULL;
    sq_err              ret = SQ_ERR_INVALID;

    *out = NULL;
    *out_len = 0;
    if (id->n_x25519 == 0)
        goto out;
    if (id->has_signing) {
        memcpy(mpk.pk, id->ed25519_pk, sizeof mpk.pk);
        sq_minisign_keyid(mpk.keyid, mpk.pk);
        if ((ret = sq_minisign_pubkey_serialize(mpub, sizeof mpub, &mpub_len, &mpk)) != SQ_OK)
            goto out;
    }
    if ((ret = sq_identity_fingerprint(fp, sizeof fp, id->x25519_pk[0],
                                       sq_identity_signing_public(id))) != SQ_OK)
        goto out;
    /* one recipient line per X25519 key (a file may hold several, as
     * age-keygen's files appended together do); the fingerprint covers the
     * first, the one sandyq writes */
    cap = id->n_x25519 * (sizeof rlabel + SQ_AGE_RECIPIENT_CHARS) + mpub_len +
          sizeof flabel + SQ_IDENTITY_FINGERPRINT_CHARS + 2;
    ret = SQ_ERR_NOMEM;
    if ((text = malloc(cap)) == NULL)
        goto out;
    sq_writer_init(&w, (uint8_t *)text, cap);
    for (i = 0; i < id->n_x25519; i++) {
        if ((ret = sq_age_recipient_format(recipient, sizeof recipient, id->x25519_pk[i])) != SQ_OK)
            goto out;
        put_str(&w, rlabel);
        put_str(&w, recipient);
        put_str(&w, "\n");
    }
    sq_write_bytes(&w, mpub, mpub_len);
    put_str(&w, flabel);
    put_str(&w, fp);
    put_str(&w, "\n");
    sq_write_u8(&w, 0);
    ret = SQ_ERR_INVALID;
    if (!sq_writer_ok(&w))
        goto out;
    *out_len = w.len - 1;
    *out = text;
    text = NULL;
    ret = SQ_OK;
out:
    free(text);
    return ret;
}
