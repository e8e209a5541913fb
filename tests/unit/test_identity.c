/* test_identity.c: identity files (include/sandyq/identity.h).
 *
 * Known answers come from outside sandyq:
 *  - tests/vectors/identity/rfc-keys.txt was written by a short Python
 *    script (Bech32 from BIP 173's description, base64 from the standard
 *    library) holding the X25519 key of RFC 7748 section 6.1 (Alice) and the
 *    Ed25519 seed of RFC 8032 section 7.1 TEST 1; stock `age-keygen -y
 *    rfc-keys.txt` printed the same recipient as its "# public key:" line.
 *  - age-keygen.txt was made by stock age-keygen 1.1.1; the two
 *    age-keygen-protected*.age files by stock `age -p` (and `age -p -a`) 1.1.1
 *    from it, with the passphrase "fixture passphrase" (work factor 18).
 *  - fingerprints and the minisign public key lines were computed with
 *    Python's hashlib.blake2b (see each constant). */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "sandyq/age.h"
#include "sandyq/identity.h"
#include "testlib.h"

#define PASS     ((const uint8_t *)"correct horse battery staple")
#define PASS_LEN (sizeof "correct horse battery staple" - 1)
#define FIXTURE_PASS     ((const uint8_t *)"fixture passphrase")
#define FIXTURE_PASS_LEN (sizeof "fixture passphrase" - 1)
#define LOG_N_TEST 10

/* 2026-11-27T09:00:00Z: python3 calendar.timegm(...) */
#define CREATED_RFC INT64_C(1795770000)

/* RFC 7748 section 6.1, Alice */
static const char rfc_x_pk_hex[] = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
static const char rfc_x_sk_hex[] = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
/* RFC 8032 section 7.1, TEST 1 (also what `openssl pkey -pubout` gives for the seed) */
static const char rfc_ed_pk_hex[] = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
static const char rfc_ed_sig_empty_hex[] =
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
    "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

/* python3: h = hashlib.blake2b(b"sandyq/v1/identity-fingerprint" + x_pk + ed_pk,
 * digest_size=32).digest(); " ".join("%05d" % (int.from_bytes(h[5*j:5*j+5],
 * "little") % 100000) for j in range(6)) */
static const char rfc_fingerprint[] = "71911 28579 78406 90179 77256 35578";
/* the same with ed_pk = bytes(32) (no signing key) */
static const char rfc_fingerprint_no_ed[] = "92716 52659 79598 37898 82763 95839";
/* the same over age-keygen.txt's key (pk decoded from its Bech32 recipient
 * in Python), ed_pk = bytes(32) */
static const char keygen_fingerprint[] = "19180 29223 57426 77834 37552 42102";
static const char keygen_recipient[] = "age159j44lwl2re46d4lle6j0jxy95fjgss5a9fng3jtmwtrmexr0uxq4k9e24";

/* python3: kid = hashlib.blake2b(b"sandyq/v1/minisign-keyid" + ed_pk,
 * digest_size=32).digest()[:8]; "%016X" % int.from_bytes(kid, "little");
 * base64.b64encode(b"Ed" + kid + ed_pk) */
static const char rfc_public_text[] =
    "age recipient: age1s5s0qzvfxzn4gayt0hwtg0hhtgxm7wsdycup4a8t5j5ca25mfe4qt4hs7q\n"
    "untrusted comment: minisign public key 34E7D70CC8ACEA3D\n"
    "RWQ96qzIDNfnNNdamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea\n"
    "fingerprint: 71911 28579 78406 90179 77256 35578\n";

static const char rfc_seed_line[] = "# sandyq-ed25519-secret: nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=\n";
static const char rfc_key_line[] = "AGE-SECRET-KEY-1WURK6ZNNRZJH60QKC9E9RVNXGH05CTU8A0QFJ243WLA628DE9S4QRFH26J\n";

/* ---- helpers ---- */

static uint8_t *
read_vector(const char *name, size_t *len)
{
    const char *dir = getenv("SQ_VECTORS");
    char        path[4096];
    struct stat st;
    uint8_t    *buf;
    int         fd;

    if (dir == NULL) {
        fprintf(stderr, "SQ_VECTORS is not set\n");
        abort();
    }
    snprintf(path, sizeof path, "%s/identity/%s", dir, name);
    if ((fd = open(path, O_RDONLY)) < 0 || fstat(fd, &st) != 0 ||
        (buf = malloc((size_t)st.st_size + 1)) == NULL ||
        read(fd, buf, (size_t)st.st_size) != st.st_size) {
        fprintf(stderr, "cannot read %s\n", path);
        abort();
    }
    close(fd);
    *len = (size_t)st.st_size;
    return buf;
}

static sq_err
parse_str(sq_identity **id, const char *text)
{
    return sq_identity_parse(id, (const uint8_t *)text, strlen(text), NULL, 0, 0);
}

/* the error of parsing text as a clear file (the identity is freed) */
static sq_err
parse_err(const char *text)
{
    sq_identity *id = NULL;
    sq_err       err = parse_str(&id, text);

    if (err != SQ_OK && id != NULL)
        return (sq_err)-1;   /* *out must be NULL on failure */
    sq_identity_free(id);
    return err;
}

static bool
same_keys(const sq_identity *a, const sq_identity *b)
{
    size_t i;

    if (sq_identity_x25519_count(a) != sq_identity_x25519_count(b) ||
        sq_identity_has_signing_key(a) != sq_identity_has_signing_key(b))
        return false;
    for (i = 0; i < sq_identity_x25519_count(a); i++)
        if (memcmp(sq_identity_x25519_secret(a, i), sq_identity_x25519_secret(b, i), 32) != 0 ||
            memcmp(sq_identity_x25519_public(a, i), sq_identity_x25519_public(b, i), 32) != 0)
            return false;
    if (sq_identity_has_signing_key(a) &&
        (memcmp(sq_identity_signing_secret(a), sq_identity_signing_secret(b), 64) != 0 ||
         memcmp(sq_identity_signing_public(a), sq_identity_signing_public(b), 32) != 0))
        return false;
    return true;
}

static char *
concat(const char *a, const char *b, const char *c)
{
    size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
    char  *s = malloc(la + lb + lc + 1);

    if (s == NULL)
        abort();
    memcpy(s, a, la);
    memcpy(s + la, b, lb);
    memcpy(s + la + lb, c, lc + 1);
    return s;
}

static void
free_serialized(uint8_t *p, size_t len)
{
    if (p != NULL)
        sodium_memzero(p, len);
    free(p);
}

/* ---- tests ---- */

static void
test_generate_clear_round_trip(void)
{
    sq_identity   *a = NULL, *b = NULL, *c = NULL;
    uint8_t       *file = NULL, pk[32], sig[64];
    size_t         len = 0, n_lines = 0, i;
    const uint8_t *seed;
    static const uint8_t msg[] = "evidence";

    CHECK_EQ_INT(sq_identity_generate(&a), SQ_OK);
    CHECK_EQ_INT(sq_identity_generate(&c), SQ_OK);
    if (a == NULL || c == NULL)
        goto out;
    CHECK_EQ_INT(sq_identity_x25519_count(a), 1);
    CHECK(sq_identity_has_signing_key(a));
    /* the public keys belong to the secrets */
    CHECK(crypto_scalarmult_base(pk, sq_identity_x25519_secret(a, 0)) == 0 &&
          memcmp(pk, sq_identity_x25519_public(a, 0), 32) == 0);
    crypto_sign_ed25519_sk_to_pk(pk, sq_identity_signing_secret(a));
    CHECK(memcmp(pk, sq_identity_signing_public(a), 32) == 0);
    crypto_sign_detached(sig, NULL, msg, sizeof msg, sq_identity_signing_secret(a));
    CHECK(crypto_sign_verify_detached(sig, msg, sizeof msg, sq_identity_signing_public(a)) == 0);
    /* drawn independently: the seed is not the X25519 secret, two
     * identities share nothing */
    seed = sq_identity_signing_secret(a);
    CHECK(memcmp(seed, sq_identity_x25519_secret(a, 0), 32) != 0);
    CHECK(memcmp(sq_identity_x25519_secret(a, 0), sq_identity_x25519_secret(c, 0), 32) != 0);
    CHECK(memcmp(sq_identity_signing_secret(a), sq_identity_signing_secret(c), 64) != 0);

    CHECK_EQ_INT(sq_identity_serialize(&file, &len, a, CREATED_RFC, NULL, 0, 0), SQ_OK);
    CHECK(file != NULL && !sq_identity_is_protected(file, len));
    /* four lines as identity.h shows them: 32 + 77 + 70 + 75 bytes */
    CHECK_EQ_INT(len, 254);
    if (file != NULL && len == 254) {
        for (i = 0; i < len; i++)
            n_lines += file[i] == '\n';
        CHECK_EQ_INT(n_lines, 4);
        CHECK(memcmp(file, "# created: 2026-11-27T09:00:00Z\n# public key: age1", 50) == 0);
        CHECK(memcmp(file + 109, "# sandyq-ed25519-secret: ", 25) == 0);
        CHECK(file[178] == '\n' && memcmp(file + 179, "AGE-SECRET-KEY-1", 16) == 0);
        CHECK(file[253] == '\n');
    }
    CHECK_EQ_INT(sq_identity_parse(&b, file, len, NULL, 0, 0), SQ_OK);
    CHECK(b != NULL && same_keys(a, b));
    sq_identity_free(b);
    b = NULL;

    /* tamper twins: a flipped character of the X25519 line breaks its
     * Bech32 checksum; the seed line has no checksum (the clear form is not
     * authenticated, FORMAT.md says so) and gives another signing key */
    if (file != NULL && len == 254) {
        uint8_t keep = file[200];

        file[200] = keep == 'Q' ? 'P' : 'Q';
        CHECK_EQ_INT(sq_identity_parse(&b, file, len, NULL, 0, 0), SQ_ERR_FORMAT);
        CHECK(b == NULL);
        file[200] = keep;
        keep = file[140];
        file[140] = keep == 'A' ? 'B' : 'A';
        CHECK_EQ_INT(sq_identity_parse(&b, file, len, NULL, 0, 0), SQ_OK);
        CHECK(b != NULL && sq_identity_has_signing_key(b) &&
              memcmp(sq_identity_signing_public(a), sq_identity_signing_public(b), 32) != 0 &&
              memcmp(sq_identity_x25519_secret(a, 0), sq_identity_x25519_secret(b, 0), 32) == 0);
        sq_identity_free(b);
        b = NULL;
        file[140] = keep;
        /* the "# public key:" comment is not trusted: a wrong one changes nothing */
        keep = file[50];
        file[50] = keep == 'q' ? 'p' : 'q';
        CHECK_EQ_INT(sq_identity_parse(&b, file, len, NULL, 0, 0), SQ_OK);
        CHECK(b != NULL && same_keys(a, b));
        file[50] = keep;
    }
    /* refused: invalid created times */
    free_serialized(file, len);
    file = NULL;
    CHECK_EQ_INT(sq_identity_serialize(&file, &len, a, -1, NULL, 0, 0), SQ_ERR_INVALID);
    CHECK(file == NULL && len == 0);
    CHECK_EQ_INT(sq_identity_serialize(&file, &len, a, INT64_C(253402300800), NULL, 0, 0),
                 SQ_ERR_INVALID);
    CHECK_EQ_INT(sq_identity_serialize(&file, &len, a, INT64_C(253402300799), NULL, 0, 0), SQ_OK);
    CHECK(file != NULL && len == 254 && memcmp(file, "# created: 9999-12-31T23:59:59Z\n", 32) == 0);
out:
    free_serialized(file, len);
    sq_identity_free(a);
    sq_identity_free(b);
    sq_identity_free(c);
}

static void
test_protected_round_trip(void)
{
    sq_identity *a = NULL, *b = NULL;
    uint8_t     *file = NULL;
    size_t       len = 0;

    CHECK_EQ_INT(sq_identity_generate(&a), SQ_OK);
    if (a == NULL)
        return;
    CHECK_EQ_INT(sq_identity_serialize(&file, &len, a, CREATED_RFC, PASS, PASS_LEN, LOG_N_TEST),
                 SQ_OK);
    if (file == NULL)
        goto out;
    /* binary age with one scrypt stanza at the given work factor */
    CHECK(len > 22 && memcmp(file, "age-encryption.org/v1\n-> scrypt ", 32) == 0);
    CHECK(memmem(file, len, " 10\n", 4) != NULL);
    CHECK(memmem(file, len, "AGE-SECRET-KEY", 14) == NULL);
    CHECK(sq_identity_is_protected(file, len));

    CHECK_EQ_INT(sq_identity_parse(&b, file, len, NULL, 0, 0), SQ_ERR_INVALID);
    CHECK(b == NULL);
    CHECK_EQ_INT(sq_identity_parse(&b, file, len, (const uint8_t *)"wrong", 5, 0), SQ_ERR_AUTH);
    CHECK(b == NULL);
    /* one byte more or less of the passphrase is another passphrase */
    CHECK_EQ_INT(sq_identity_parse(&b, file, len, PASS, PASS_LEN - 1, 0), SQ_ERR_AUTH);
    /* the work factor is capped before any work */
    CHECK_EQ_INT(sq_identity_parse(&b, file, len, PASS, PASS_LEN, 9), SQ_ERR_LIMIT);
    CHECK(b == NULL);
    CHECK_EQ_INT(sq_identity_parse(&b, file, len, PASS, PASS_LEN, 10), SQ_OK);
    CHECK(b != NULL && same_keys(a, b));
    sq_identity_free(b);
    b = NULL;
    CHECK_EQ_INT(sq_identity_parse(&b, file, len, PASS, PASS_LEN, 0), SQ_OK);
    CHECK(b != NULL && same_keys(a, b));
    sq_identity_free(b);
    b = NULL;

    /* tamper twins: a payload byte (the last), a header byte (in the MAC) */
    file[len - 1] ^= 0x01;
    CHECK_EQ_INT(sq_identity_parse(&b, file, len, PASS, PASS_LEN, 0), SQ_ERR_AUTH);
    CHECK(b == NULL);
    file[len - 1] ^= 0x01;
    {
        uint8_t *mac = memmem(file, len, "\n--- ", 5);

        CHECK(mac != NULL);
        if (mac != NULL) {
            uint8_t keep = mac[5];

            mac[5] = keep == 'A' ? 'B' : 'A';
            CHECK_EQ_INT(sq_identity_parse(&b, file, len, PASS, PASS_LEN, 0), SQ_ERR_AUTH);
            mac[5] = keep;
        }
    }
    /* cut inside the only chunk: it fails authentication */
    CHECK_EQ_INT(sq_identity_parse(&b, file, len - 17, PASS, PASS_LEN, 0), SQ_ERR_AUTH);
    CHECK(b == NULL);
    /* cut after the payload nonce: the right passphrase, no chunk at all
     * (damage, not a wrong passphrase) */
    {
        uint8_t *mac = memmem(file, len, "\n--- ", 5), *end = NULL;

        if (mac != NULL)
            end = memchr(mac + 1, '\n', len - (size_t)(mac + 1 - file));
        CHECK(end != NULL);
        if (end != NULL) {
            CHECK_EQ_INT(sq_identity_parse(&b, file, (size_t)(end + 1 - file) + 16, PASS, PASS_LEN, 0),
                         SQ_ERR_FORMAT);
            CHECK(b == NULL);
        }
    }
    /* untouched again: opens */
    CHECK_EQ_INT(sq_identity_parse(&b, file, len, PASS, PASS_LEN, 0), SQ_OK);
    CHECK(b != NULL && same_keys(a, b));
out:
    free(file);
    sq_identity_free(a);
    sq_identity_free(b);
}

/* age files that are not sandyq's protected form */
static void
test_protected_odd(void)
{
    sq_age_recipients to;
    sq_identity      *b = NULL;
    uint8_t          *inner = NULL, *outer = NULL, pk[32];
    size_t            inner_len = 0, outer_len = 0;
    uint8_t           recip[1][32];
    static const char clear[] = "# nothing but a comment\n";

    /* an empty clear form inside: no key */
    memset(&to, 0, sizeof to);
    to.passphrase = PASS;
    to.passphrase_len = PASS_LEN;
    to.scrypt_log_n = LOG_N_TEST;
    CHECK_EQ_INT(sq_age_encrypt_buffer(&inner, &inner_len, &to, (const uint8_t *)clear,
                                       sizeof clear - 1), SQ_OK);
    CHECK_EQ_INT(sq_identity_parse(&b, inner, inner_len, PASS, PASS_LEN, 0), SQ_ERR_NOTFOUND);
    CHECK(b == NULL);
    /* a protected file inside a protected file: one layer only */
    CHECK_EQ_INT(sq_age_encrypt_buffer(&outer, &outer_len, &to, inner, inner_len), SQ_OK);
    CHECK_EQ_INT(sq_identity_parse(&b, outer, outer_len, PASS, PASS_LEN, 0), SQ_ERR_FORMAT);
    CHECK(b == NULL);
    free(outer);
    outer = NULL;
    /* encrypted to a recipient rather than a passphrase: the passphrase
     * opens nothing */
    memset(&to, 0, sizeof to);
    sq_test_hex(pk, sizeof pk, rfc_x_pk_hex);
    memcpy(recip[0], pk, 32);
    to.x25519 = (const uint8_t(*)[32])recip;
    to.n_x25519 = 1;
    CHECK_EQ_INT(sq_age_encrypt_buffer(&outer, &outer_len, &to, (const uint8_t *)clear,
                                       sizeof clear - 1), SQ_OK);
    CHECK(sq_identity_is_protected(outer, outer_len));
    CHECK_EQ_INT(sq_identity_parse(&b, outer, outer_len, PASS, PASS_LEN, 0), SQ_ERR_AUTH);
    CHECK(b == NULL);
    free(inner);
    free(outer);
}

static void
test_rfc_vector(void)
{
    sq_identity *id = NULL, *again = NULL;
    uint8_t     *text, *file = NULL, want[64], sig[64];
    size_t       len = 0, file_len = 0, pub_len = 0;
    char         fp[SQ_IDENTITY_FINGERPRINT_CHARS + 1], *pub = NULL, *crlf, *p;

    text = read_vector("rfc-keys.txt", &len);
    CHECK_EQ_INT(sq_identity_parse(&id, text, len, NULL, 0, 0), SQ_OK);
    if (id == NULL)
        goto out;
    CHECK_EQ_INT(sq_identity_x25519_count(id), 1);
    sq_test_hex(want, 32, rfc_x_sk_hex);
    CHECK(memcmp(sq_identity_x25519_secret(id, 0), want, 32) == 0);
    sq_test_hex(want, 32, rfc_x_pk_hex);
    CHECK(memcmp(sq_identity_x25519_public(id, 0), want, 32) == 0);
    CHECK(sq_identity_has_signing_key(id));
    sq_test_hex(want, 32, rfc_ed_pk_hex);
    CHECK(memcmp(sq_identity_signing_public(id), want, 32) == 0);
    /* RFC 8032 TEST 1: the signature of the empty message */
    crypto_sign_detached(sig, NULL, (const uint8_t *)"", 0, sq_identity_signing_secret(id));
    sq_test_hex(want, 64, rfc_ed_sig_empty_hex);
    CHECK(memcmp(sig, want, 64) == 0);

    CHECK_EQ_INT(sq_identity_fingerprint(fp, sizeof fp, sq_identity_x25519_public(id, 0),
                                         sq_identity_signing_public(id)), SQ_OK);
    CHECK(strcmp(fp, rfc_fingerprint) == 0);
    CHECK_EQ_INT(sq_identity_fingerprint(fp, sizeof fp, sq_identity_x25519_public(id, 0), NULL),
                 SQ_OK);
    CHECK(strcmp(fp, rfc_fingerprint_no_ed) == 0);
    CHECK_EQ_INT(sq_identity_fingerprint(fp, SQ_IDENTITY_FINGERPRINT_CHARS,
                                         sq_identity_x25519_public(id, 0), NULL), SQ_ERR_INVALID);

    CHECK_EQ_INT(sq_identity_public_text(&pub, &pub_len, id), SQ_OK);
    CHECK(pub != NULL && strcmp(pub, rfc_public_text) == 0 && pub_len == strlen(rfc_public_text));
    free(pub);
    pub = NULL;

    /* our serializer writes this file byte for byte */
    CHECK_EQ_INT(sq_identity_serialize(&file, &file_len, id, CREATED_RFC, NULL, 0, 0), SQ_OK);
    CHECK(file != NULL && file_len == len && memcmp(file, text, len) == 0);

    /* "\r\n" line endings and a last line without one, as stock age reads */
    crlf = malloc(2 * len + 1);
    if (crlf == NULL)
        abort();
    for (p = crlf, file_len = 0; file_len < len; file_len++) {
        if (text[file_len] == '\n')
            *p++ = '\r';
        *p++ = (char)text[file_len];
    }
    CHECK_EQ_INT(sq_identity_parse(&again, (uint8_t *)crlf, (size_t)(p - crlf), NULL, 0, 0), SQ_OK);
    CHECK(again != NULL && same_keys(id, again));
    sq_identity_free(again);
    again = NULL;
    CHECK_EQ_INT(sq_identity_parse(&again, (uint8_t *)crlf, (size_t)(p - crlf) - 2, NULL, 0, 0), SQ_OK);
    CHECK(again != NULL && same_keys(id, again));
    sq_identity_free(again);
    again = NULL;
    CHECK_EQ_INT(sq_identity_parse(&again, text, len - 1, NULL, 0, 0), SQ_OK);
    CHECK(again != NULL && same_keys(id, again));
    sq_identity_free(again);
    again = NULL;
    /* a "\r" that is not before the "\n" stays part of the line */
    memcpy(crlf, text, len);
    crlf[len - 1] = '\r';
    crlf[len] = '\n';
    CHECK_EQ_INT(sq_identity_parse(&again, (uint8_t *)crlf, len + 1, NULL, 0, 0), SQ_OK);
    sq_identity_free(again);
    again = NULL;
    crlf[len] = '\r';
    crlf[len + 1] = '\n';
    CHECK_EQ_INT(sq_identity_parse(&again, (uint8_t *)crlf, len + 2, NULL, 0, 0), SQ_ERR_FORMAT);
    CHECK(again == NULL);
    free(crlf);
out:
    free_serialized(file, file_len);
    free(text);
    sq_identity_free(id);
}

static void
test_age_keygen_files(void)
{
    sq_identity *id = NULL, *p = NULL;
    uint8_t     *text, *prot, *armor, *dummy = NULL;
    size_t       len = 0, plen = 0, alen = 0, dlen = 0, pub_len = 0;
    char         fp[SQ_IDENTITY_FINGERPRINT_CHARS + 1], rec[SQ_AGE_RECIPIENT_CHARS + 1];
    char        *pub = NULL;
    char         want_pub[256];

    text = read_vector("age-keygen.txt", &len);
    prot = read_vector("age-keygen-protected.age", &plen);
    armor = read_vector("age-keygen-protected-armor.age", &alen);
    CHECK(!sq_identity_is_protected(text, len));
    CHECK(sq_identity_is_protected(prot, plen));
    CHECK(sq_identity_is_protected(armor, alen));

    CHECK_EQ_INT(sq_identity_parse(&id, text, len, NULL, 0, 0), SQ_OK);
    if (id == NULL)
        goto out;
    CHECK_EQ_INT(sq_identity_x25519_count(id), 1);
    CHECK(!sq_identity_has_signing_key(id));
    CHECK(sq_identity_signing_secret(id) == NULL && sq_identity_signing_public(id) == NULL);
    CHECK(sq_age_recipient_format(rec, sizeof rec, sq_identity_x25519_public(id, 0)) == SQ_OK &&
          strcmp(rec, keygen_recipient) == 0);
    CHECK_EQ_INT(sq_identity_fingerprint(fp, sizeof fp, sq_identity_x25519_public(id, 0), NULL),
                 SQ_OK);
    CHECK(strcmp(fp, keygen_fingerprint) == 0);
    CHECK_EQ_INT(sq_identity_public_text(&pub, &pub_len, id), SQ_OK);
    snprintf(want_pub, sizeof want_pub, "age recipient: %s\nfingerprint: %s\n", keygen_recipient,
             keygen_fingerprint);
    CHECK(pub != NULL && strcmp(pub, want_pub) == 0 && pub_len == strlen(want_pub));
    /* no signing key: sandyq does not write such a file */
    CHECK_EQ_INT(sq_identity_serialize(&dummy, &dlen, id, CREATED_RFC, NULL, 0, 0), SQ_ERR_INVALID);
    CHECK(dummy == NULL && dlen == 0);

    /* stock `age -p` and `age -p -a` (work factor 18): capped, then opened */
    CHECK_EQ_INT(sq_identity_parse(&p, prot, plen, FIXTURE_PASS, FIXTURE_PASS_LEN, 17), SQ_ERR_LIMIT);
    CHECK_EQ_INT(sq_identity_parse(&p, armor, alen, FIXTURE_PASS, FIXTURE_PASS_LEN, 17), SQ_ERR_LIMIT);
    CHECK_EQ_INT(sq_identity_parse(&p, prot, plen, FIXTURE_PASS, FIXTURE_PASS_LEN, 0), SQ_OK);
    CHECK(p != NULL && same_keys(id, p));
    sq_identity_free(p);
    p = NULL;
    CHECK_EQ_INT(sq_identity_parse(&p, armor, alen, FIXTURE_PASS, FIXTURE_PASS_LEN, 18), SQ_OK);
    CHECK(p != NULL && same_keys(id, p));
out:
    free(pub);
    free(text);
    free(prot);
    free(armor);
    sq_identity_free(id);
    sq_identity_free(p);
}

static void
test_multiple_keys(void)
{
    sq_identity *id = NULL;
    uint8_t     *a, *b, *both, *out = NULL;
    size_t       la = 0, lb = 0, lout = 0, pub_len = 0;
    char        *pub = NULL, want[512];

    a = read_vector("age-keygen.txt", &la);
    b = read_vector("rfc-keys.txt", &lb);
    both = malloc(la + lb + 1);
    if (both == NULL)
        abort();
    memcpy(both, a, la);
    both[la] = '\n';                     /* a blank line between them */
    memcpy(both + la + 1, b, lb);
    CHECK_EQ_INT(sq_identity_parse(&id, both, la + lb + 1, NULL, 0, 0), SQ_OK);
    if (id != NULL) {
        CHECK_EQ_INT(sq_identity_x25519_count(id), 2);
        CHECK(sq_identity_has_signing_key(id));
        /* one recipient line per key, the fingerprint over the first */
        CHECK_EQ_INT(sq_identity_public_text(&pub, &pub_len, id), SQ_OK);
        snprintf(want, sizeof want, "age recipient: %s\n%s", keygen_recipient, rfc_public_text);
        CHECK(pub != NULL && strncmp(pub, want, strlen(want) - 36) == 0);
        CHECK(pub != NULL && strstr(pub, rfc_fingerprint) == NULL);
        /* sandyq writes only single-key files */
        CHECK_EQ_INT(sq_identity_serialize(&out, &lout, id, CREATED_RFC, NULL, 0, 0), SQ_ERR_INVALID);
        CHECK(out == NULL);
    }
    free(pub);
    sq_identity_free(id);
    free(a);
    free(b);
    free(both);
}

static void
test_refused_lines(void)
{
    char *s;

    /* the RFC file's lines, recombined */
    s = concat(rfc_seed_line, rfc_key_line, "");
    CHECK_EQ_INT(parse_err(s), SQ_OK);
    free(s);
    /* a duplicate seed line, even the same one */
    s = concat(rfc_seed_line, rfc_seed_line, rfc_key_line);
    CHECK_EQ_INT(parse_err(s), SQ_ERR_FORMAT);
    free(s);
    /* a seed without any X25519 key: no identity */
    CHECK_EQ_INT(parse_err(rfc_seed_line), SQ_ERR_NOTFOUND);
    CHECK_EQ_INT(parse_err(""), SQ_ERR_NOTFOUND);
    CHECK_EQ_INT(parse_err("# created: 2026-11-27T09:00:00Z\n\n#\n"), SQ_ERR_NOTFOUND);

    /* bad base64 in the seed line */
    static const char *bad_seeds[] = {
        "# sandyq-ed25519-secret: nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A\n",    /* unpadded */
        "# sandyq-ed25519-secret: nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A==\n",  /* too long */
        "# sandyq-ed25519-secret: nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2B=\n",   /* padding bits */
        "# sandyq-ed25519-secret: nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=\n",   /* URL-safe */
        "# sandyq-ed25519-secret: nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyu=2A=\n",   /* '=' inside */
        "# sandyq-ed25519-secret: nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A= \n",  /* space */
        "# sandyq-ed25519-secret:  nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=\n",  /* two spaces */
        "# sandyq-ed25519-secret:nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=\n",    /* no space */
        "# sandyq-ed25519-secret: nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2AA=\n",  /* 33 bytes-ish */
        "# sandyq-ed25519-secret: \n",
        "# sandyq-ed25519-secret\n",
        "# sandyq-ed25519-secrets: nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=\n",
    };
    for (size_t i = 0; i < sizeof bad_seeds / sizeof bad_seeds[0]; i++) {
        s = concat(bad_seeds[i], rfc_key_line, "");
        if (!CHECK_EQ_INT(parse_err(s), SQ_ERR_FORMAT))
            fprintf(stderr, "     seed line %zu\n", i);
        free(s);
    }
    /* a NUL inside the line: the bytes given, not a C string */
    {
        static const char nul[] = "# sandyq-ed25519-secret: nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2\0=\n"
                                  "AGE-SECRET-KEY-1WURK6ZNNRZJH60QKC9E9RVNXGH05CTU8A0QFJ243WLA628DE9S4QRFH26J\n";
        sq_identity *id = NULL;

        CHECK_EQ_INT(sq_identity_parse(&id, (const uint8_t *)nul, sizeof nul - 1, NULL, 0, 0),
                     SQ_ERR_FORMAT);
        CHECK(id == NULL);
    }
    /* other comments are skipped whatever they hold */
    {
        static const char odd[] = "#\xff\xfe\x01 anything\n# sandyq is nice\n#sandyq-ed25519-secret: x\n"
                                  "AGE-SECRET-KEY-1WURK6ZNNRZJH60QKC9E9RVNXGH05CTU8A0QFJ243WLA628DE9S4QRFH26J\n"
                                  "#\0\n";
        sq_identity *id = NULL;

        CHECK_EQ_INT(sq_identity_parse(&id, (const uint8_t *)odd, sizeof odd - 1, NULL, 0, 0), SQ_OK);
        CHECK(id != NULL && !sq_identity_has_signing_key(id));
        sq_identity_free(id);
    }

    /* plugin and post-quantum identities: known, not supported */
    s = concat(rfc_key_line, "AGE-PLUGIN-YUBIKEY-1QYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGP\n", "");
    CHECK_EQ_INT(parse_err(s), SQ_ERR_UNSUPPORTED);
    free(s);
    CHECK_EQ_INT(parse_err("AGE-SECRET-KEY-PQ-1XXXX\n"), SQ_ERR_UNSUPPORTED);
    /* garbage and near misses */
    static const char *garbage[] = {
        "hello\n",
        " AGE-SECRET-KEY-1WURK6ZNNRZJH60QKC9E9RVNXGH05CTU8A0QFJ243WLA628DE9S4QRFH26J\n",
        "AGE-SECRET-KEY-1WURK6ZNNRZJH60QKC9E9RVNXGH05CTU8A0QFJ243WLA628DE9S4QRFH26J \n",
        "age-secret-key-1wurk6znnrzjh60qkc9e9rvnxgh05ctu8a0qfj243wla628de9s4qrfh26j\n",
        "AGE-SECRET-KEY-1WURK6ZNNRZJH60QKC9E9RVNXGH05CTU8A0QFJ243WLA628DE9S4QRFH26K\n",
        "AGE-SECRET-KEY-1\n",
        "age1s5s0qzvfxzn4gayt0hwtg0hhtgxm7wsdycup4a8t5j5ca25mfe4qt4hs7q\n",
        " \n",
        "\t\n",
        "\r\r\n",
        "-----BEGIN OPENSSH PRIVATE KEY-----\n",
        "age-encryption.org/v1\r\n",
    };
    for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++) {
        s = concat(rfc_key_line, garbage[i], "");
        if (!CHECK_EQ_INT(parse_err(s), SQ_ERR_FORMAT))
            fprintf(stderr, "     garbage line %zu\n", i);
        free(s);
    }
}

static void
test_limits(void)
{
    size_t       key_len = strlen(rfc_key_line), i, len;
    uint8_t     *buf = malloc(SQ_IDENTITY_FILE_MAX + 1);
    sq_identity *id = NULL;

    if (buf == NULL)
        abort();
    /* exactly the cap: comments, then a key at the end */
    memset(buf, '#', SQ_IDENTITY_FILE_MAX);
    for (i = 99; i < SQ_IDENTITY_FILE_MAX; i += 100)
        buf[i] = '\n';
    buf[SQ_IDENTITY_FILE_MAX - key_len - 1] = '\n';
    memcpy(buf + SQ_IDENTITY_FILE_MAX - key_len, rfc_key_line, key_len);
    CHECK_EQ_INT(sq_identity_parse(&id, buf, SQ_IDENTITY_FILE_MAX, NULL, 0, 0), SQ_OK);
    sq_identity_free(id);
    id = NULL;
    /* one byte more */
    buf[SQ_IDENTITY_FILE_MAX] = '\n';
    CHECK_EQ_INT(sq_identity_parse(&id, buf, SQ_IDENTITY_FILE_MAX + 1, NULL, 0, 0), SQ_ERR_LIMIT);
    CHECK(id == NULL);
    /* also for what looks protected (no decryption is tried) */
    memcpy(buf, "age-encryption.org/v1\n", 22);
    CHECK_EQ_INT(sq_identity_parse(&id, buf, SQ_IDENTITY_FILE_MAX + 1, PASS, PASS_LEN, 0), SQ_ERR_LIMIT);

    /* SQ_IDENTITY_MAX_KEYS keys, then one more */
    for (i = 0, len = 0; i < SQ_IDENTITY_MAX_KEYS; i++, len += key_len)
        memcpy(buf + len, rfc_key_line, key_len);
    CHECK_EQ_INT(sq_identity_parse(&id, buf, len, NULL, 0, 0), SQ_OK);
    CHECK(id != NULL && sq_identity_x25519_count(id) == SQ_IDENTITY_MAX_KEYS);
    sq_identity_free(id);
    id = NULL;
    memcpy(buf + len, rfc_key_line, key_len);
    CHECK_EQ_INT(sq_identity_parse(&id, buf, len + key_len, NULL, 0, 0), SQ_ERR_LIMIT);
    CHECK(id == NULL);
    free(buf);
}

static void
test_detection(void)
{
    CHECK(sq_identity_is_protected((const uint8_t *)"age-encryption.org/v1\n", 22));
    CHECK(!sq_identity_is_protected((const uint8_t *)"age-encryption.org/v1", 21));
    CHECK(!sq_identity_is_protected((const uint8_t *)"age-encryption.org/v2\n", 22));
    CHECK(sq_identity_is_protected((const uint8_t *)"-----BEGIN AGE ENCRYPTED FILE-----\n", 35));
    CHECK(!sq_identity_is_protected((const uint8_t *)" -----BEGIN AGE ENCRYPTED FILE-----\n", 36));
    CHECK(!sq_identity_is_protected((const uint8_t *)"", 0));
    CHECK(!sq_identity_is_protected((const uint8_t *)rfc_key_line, strlen(rfc_key_line)));
    /* a damaged protected file is refused as such, not read as clear text */
    CHECK_EQ_INT(parse_err("age-encryption.org/v1\n-> scrypt\n"), SQ_ERR_INVALID);
    {
        sq_identity *id = NULL;
        sq_err       e = sq_identity_parse(&id, (const uint8_t *)"age-encryption.org/v1\n-> x\n", 27,
                                           PASS, PASS_LEN, 0);

        CHECK(e == SQ_ERR_FORMAT || e == SQ_ERR_AUTH);
        CHECK(id == NULL);
    }
}

/* An empty passphrase is refused both ways (FORMAT.md 16; stock age too). */
static void
test_empty_passphrase(void)
{
    sq_identity *a = NULL, *b = NULL;
    uint8_t     *file = NULL;
    size_t       len = 0;

    CHECK_EQ_INT(sq_identity_generate(&a), SQ_OK);
    CHECK_EQ_INT(sq_identity_serialize(&file, &len, a, CREATED_RFC, (const uint8_t *)"", 0, 10), SQ_ERR_INVALID);
    CHECK(file == NULL);
    CHECK_EQ_INT(sq_identity_serialize(&file, &len, a, CREATED_RFC, (const uint8_t *)"pw", 2, 10), SQ_OK);
    CHECK_EQ_INT(sq_identity_parse(&b, file, len, (const uint8_t *)"", 0, 0), SQ_ERR_INVALID);
    CHECK(b == NULL);
    CHECK_EQ_INT(sq_identity_parse(&b, file, len, (const uint8_t *)"pw", 2, 0), SQ_OK);
    free(file);
    sq_identity_free(a);
    sq_identity_free(b);
}

int
main(void)
{
    sq_test_init("identity");
    test_detection();
    test_refused_lines();
    test_limits();
    test_rfc_vector();
    test_age_keygen_files();
    test_multiple_keys();
    test_generate_clear_round_trip();
    test_protected_round_trip();
    test_protected_odd();
    test_empty_passphrase();
    return sq_test_done();
}
