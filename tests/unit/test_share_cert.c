/* test_share_cert.c: share certificates and set statements (FORMAT.md 17).
 *
 * The layout of the signed messages is checked against bytes assembled here
 * from the spec, not against the module's own builder; the text is pinned
 * for fixed inputs; every one-byte change of a valid text must fail to parse
 * or fail to verify. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "sandyq/minisign.h"
#include "sandyq/share_cert.h"
#include "sign/domain_sig.h"
#include "testlib.h"
#include "util/bytes.h"
#include "util/random.h"

#define ISSUED_KAT INT64_C(1795780800)   /* 2026-11-27T12:00:00Z (Python calendar.timegm) */

static uint8_t pk_a[32], sk_a[64], pk_b[32], sk_b[64];

static void
keys_init(void)
{
    uint8_t seed[32];

    for (size_t i = 0; i < sizeof seed; i++)
        seed[i] = (uint8_t)i;
    crypto_sign_seed_keypair(pk_a, sk_a, seed);
    for (size_t i = 0; i < sizeof seed; i++)
        seed[i] = (uint8_t)(0xa0 + i);
    crypto_sign_seed_keypair(pk_b, sk_b, seed);
}

static void
base_cert(sq_share_cert *c)
{
    static const char mnemonic[] = "academic acid acrobat romp";

    memset(c, 0, sizeof *c);
    memcpy(c->fingerprint, "54933 58743 57387 14313 49032 09680", SQ_SHARE_FPR_CHARS + 1);
    memcpy(c->key_pk, pk_a, 32);
    c->id = 12345;
    /* every one-byte field different, and no zero byte in the generation,
     * so a swap or an endianness slip in the message shows */
    c->generation = 0x030201;
    c->group_index = 1;
    c->group_count = 4;
    c->group_threshold = 3;
    c->member_index = 5;
    c->member_threshold = 2;
    c->length = 32;
    c->issued = ISSUED_KAT;
    sq_share_hash(c->share_hash, mnemonic, strlen(mnemonic));
}

/* the fields that the text carries (key_pk is not in it) */
static bool
same_fields(const sq_share_cert *a, const sq_share_cert *b)
{
    return memcmp(a->fingerprint, b->fingerprint, sizeof a->fingerprint) == 0 && a->id == b->id &&
           a->generation == b->generation && a->group_index == b->group_index &&
           a->group_count == b->group_count && a->group_threshold == b->group_threshold &&
           a->member_index == b->member_index && a->member_threshold == b->member_threshold &&
           a->length == b->length && a->issued == b->issued &&
           memcmp(a->share_hash, b->share_hash, 32) == 0 && memcmp(a->keyid, b->keyid, 8) == 0 &&
           memcmp(a->signature, b->signature, 64) == 0;
}

/* sign_base: the base certificate's text, signed with key a */
static size_t
sign_base(char *out, size_t cap, sq_share_cert *c)
{
    size_t len = 0;

    base_cert(c);
    if (!CHECK(sq_share_cert_sign(out, cap, &len, c, sk_a) == SQ_OK))
        abort();
    return len;
}

/* parse_verify: the outcome of reading text as a certificate of key a */
static sq_err
parse_verify(const char *text, size_t len)
{
    sq_share_cert c;
    sq_err        err = sq_share_cert_parse(&c, text, len);

    return err != SQ_OK ? err : sq_share_cert_verify(&c, pk_a);
}

/* with_line: text with the line starting prefix replaced by repl (which
 * carries its own "\n"), into out; the line must exist */
static size_t
with_line(char *out, size_t cap, const char *text, const char *prefix, const char *repl)
{
    const char *at = strstr(text, prefix);
    const char *eol;
    size_t      n;

    if (at == NULL || (at != text && at[-1] != '\n') || (eol = strchr(at, '\n')) == NULL)
        abort();
    n = (size_t)(at - text);
    if (n + strlen(repl) + strlen(eol + 1) + 1 > cap)
        abort();
    memcpy(out, text, n);
    strcpy(out + n, repl);
    strcat(out, eol + 1);
    return strlen(out);
}

/* ---- share hash ---------------------------------------------------------- */

static void
test_share_hash(void)
{
    static const char mnemonic[] = "academic acid acrobat romp";
    uint8_t           buf[128], want[32], got[32], py[32];
    size_t            n = 0;

    /* assembled from the spec */
    memcpy(buf, "sandyq/v1/share-hash", 20);
    n = 20;
    buf[n++] = 0x00;
    memcpy(buf + n, mnemonic, strlen(mnemonic));
    n += strlen(mnemonic);
    crypto_hash_sha256(want, buf, n);
    sq_share_hash(got, mnemonic, strlen(mnemonic));
    CHECK(memcmp(got, want, 32) == 0);
    /* and computed outside: Python hashlib.sha256 over the same bytes */
    sq_test_hex(py, 32, "629a95f49c6cacdf2f111ad3b68d389f6aef431408ff531027e63f3f6f91c9da");
    CHECK(memcmp(got, py, 32) == 0);
    /* one letter more or less changes it */
    sq_share_hash(got, mnemonic, strlen(mnemonic) - 1);
    CHECK(memcmp(got, want, 32) != 0);
    /* the empty mnemonic is the label and the NUL alone */
    crypto_hash_sha256(want, buf, 21);
    sq_share_hash(got, "", 0);
    CHECK(memcmp(got, want, 32) == 0);
}

/* ---- known answer -------------------------------------------------------- */

static const char kat_text[] =
    "-----BEGIN SANDYQ SHARE CERTIFICATE-----\n"
    "level: 54933 58743 57387 14313 49032 09680\n"
    "key: 6D18E9FBB4CF4706\n"
    "set: 12345\n"
    "generation: 197121\n"
    "group: 2 of 4, 3 needed\n"
    "member: 6, 2 needed\n"
    "length: 32\n"
    "issued: 2026-11-27T12:00:00Z\n"
    "share-sha256: 629a95f49c6cacdf2f111ad3b68d389f6aef431408ff531027e63f3f6f91c9da\n"
    "signature: 2roID+9bPo+33sqAEvDBbynE01vvMUVJtwuplQ0EWyk3S2l3LPf00RvsYFkjHr6F2RpFu2e6C4dVbIsG+m2TBg==\n"
    "-----END SANDYQ SHARE CERTIFICATE-----\n";

static void
test_kat(void)
{
    sq_share_cert c, p;
    char          text[SQ_SHARE_CERT_MAX_BYTES + 1], keyline[32];
    size_t        len = 0, n = 0;
    uint8_t       msg[120], framed[256], h[32], keyid[8];
    static const char prefix[] = "sandyq/v1/sig/share-certificate";

    len = sign_base(text, sizeof text, &c);
    if (getenv("SQ_PRINT_KAT") != NULL)
        printf("%s", text);
    CHECK_EQ_INT(len, strlen(kat_text));
    CHECK(strcmp(text, kat_text) == 0);

    /* the key line: BLAKE2b-256("sandyq/v1/minisign-keyid" || pk)[0..8),
     * printed as minisign does (little-endian u64, upper-case hex) */
    {
        crypto_generichash_state st;

        crypto_generichash_init(&st, NULL, 0, 32);
        crypto_generichash_update(&st, (const uint8_t *)"sandyq/v1/minisign-keyid", 24);
        crypto_generichash_update(&st, pk_a, 32);
        crypto_generichash_final(&st, h, 32);
    }
    memcpy(keyid, h, 8);
    CHECK(memcmp(c.keyid, keyid, 8) == 0);
    snprintf(keyline, sizeof keyline, "\nkey: %016" PRIX64 "\n", sq_load_le64(keyid));
    CHECK(strstr(text, keyline) != NULL);

    /* msg assembled byte by byte from FORMAT.md 17 */
    msg[n++] = 0x01;
    memcpy(msg + n, pk_a, 32);
    n += 32;
    memcpy(msg + n, "54933 58743 57387 14313 49032 09680", 35);
    n += 35;
    msg[n++] = 12345 & 0xff;          /* LE16(id) */
    msg[n++] = 12345 >> 8;
    msg[n++] = 0x01;                  /* LE32(generation = 0x030201) */
    msg[n++] = 0x02;
    msg[n++] = 0x03;
    msg[n++] = 0x00;
    msg[n++] = 1;                     /* group_index */
    msg[n++] = 4;                     /* group_count */
    msg[n++] = 3;                     /* group_threshold */
    msg[n++] = 5;                     /* member_index */
    msg[n++] = 2;                     /* member_threshold */
    msg[n++] = 32;                    /* length */
    for (int i = 0; i < 8; i++)       /* LE64(issued) */
        msg[n++] = (uint8_t)((uint64_t)ISSUED_KAT >> (8 * i));
    memcpy(msg + n, c.share_hash, 32);
    n += 32;
    CHECK_EQ_INT(n, sizeof msg);
    CHECK(sq_domain_verify(c.signature, pk_a, SQ_DOMAIN_SHARE_CERT, msg, n) == SQ_OK);
    /* and the framing of domain_sig.h, straight to Ed25519 */
    memcpy(framed, prefix, sizeof prefix);   /* its NUL is the separator */
    memcpy(framed + sizeof prefix, msg, n);
    CHECK(crypto_sign_verify_detached(c.signature, framed, sizeof prefix + n, pk_a) == 0);
    framed[sizeof prefix + 40] ^= 0x01;
    CHECK(crypto_sign_verify_detached(c.signature, framed, sizeof prefix + n, pk_a) != 0);

    /* the pinned text parses to the same fields and verifies */
    CHECK(sq_share_cert_parse(&p, kat_text, strlen(kat_text)) == SQ_OK);
    CHECK(same_fields(&p, &c));
    CHECK(sq_share_cert_verify(&p, pk_a) == SQ_OK);
}

/* ---- round trip, tamper -------------------------------------------------- */

static void
test_round_trip(void)
{
    sq_share_cert c, p;
    char          text[SQ_SHARE_CERT_MAX_BYTES + 1], again[SQ_SHARE_CERT_MAX_BYTES + 1];
    size_t        len, alen = 0;
    static const sq_share_cert zero;

    len = sign_base(text, sizeof text, &c);
    CHECK(sq_share_cert_parse(&p, text, len) == SQ_OK);
    CHECK(same_fields(&p, &c));
    CHECK(sodium_is_zero(p.key_pk, 32));
    CHECK(sq_share_cert_verify(&p, pk_a) == SQ_OK);
    CHECK(sq_share_cert_verify(&c, pk_a) == SQ_OK);
    CHECK(sq_share_cert_text(again, sizeof again, &alen, &p) == SQ_OK);
    CHECK(alen == len && strcmp(again, text) == 0);

    /* another key: its key id differs, and with the key id forged to match
     * the signature still does not */
    CHECK(sq_share_cert_verify(&p, pk_b) == SQ_ERR_AUTH);
    sq_minisign_keyid(p.keyid, pk_b);
    CHECK(sq_share_cert_verify(&p, pk_b) == SQ_ERR_AUTH);
    CHECK(sq_share_cert_verify(&p, pk_a) == SQ_ERR_AUTH);

    /* every field is covered by the signature */
    CHECK(sq_share_cert_parse(&p, text, len) == SQ_OK);
#define TAMPER(stmt)                                                   \
    do {                                                               \
        sq_share_cert t = p;                                           \
        stmt;                                                          \
        CHECK(sq_share_cert_verify(&t, pk_a) == SQ_ERR_AUTH);          \
    } while (0)
    TAMPER(t.fingerprint[0] = '6');
    TAMPER(t.id ^= 1);
    TAMPER(t.generation++);
    TAMPER(t.group_index = 0);
    TAMPER(t.group_count = 5);
    TAMPER(t.group_threshold = 2);
    TAMPER(t.member_index = 4);
    TAMPER(t.member_threshold = 3);
    TAMPER(t.length = 16);
    TAMPER(t.issued++);
    TAMPER(t.share_hash[31] ^= 1);
    TAMPER(t.keyid[0] ^= 1);
    TAMPER(t.signature[0] ^= 1);
    TAMPER(t.signature[63] ^= 0x80);
    TAMPER(t.group_index = 5);        /* out of range: never verifies */
    TAMPER(t.fingerprint[35] = 'x');
#undef TAMPER

    /* a failed parse leaves a zeroed struct */
    CHECK(sq_share_cert_parse(&p, text, len - 2) == SQ_ERR_FORMAT);
    CHECK(memcmp(&p, &zero, sizeof p) == 0);
}

/* every one-byte change, deletion or insertion: refused or unverified */
static void
test_every_byte(void)
{
    sq_share_cert c;
    char          text[SQ_SHARE_CERT_MAX_BYTES + 1], m[SQ_SHARE_CERT_MAX_BYTES + 2];
    size_t        len;
    unsigned long tried = 0, verified = 0, parsed = 0;
    static const unsigned char subs[] = { '0', '1', '9', 'a', 'A', 'f', 'F', ' ', '\n', '\r',
                                          '\0', '=', '+', '/', '-', 0x80, 0xff };

    len = sign_base(text, sizeof text, &c);
    for (size_t i = 0; i < len; i++) {
        unsigned char orig = (unsigned char)text[i];
        unsigned char alt[sizeof subs + 3];
        size_t        na = 0;

        memcpy(alt, subs, sizeof subs);
        na = sizeof subs;
        alt[na++] = orig ^ 0x01;
        alt[na++] = orig ^ 0x20;
        alt[na++] = (unsigned char)(orig + 1);
        for (size_t k = 0; k < na; k++) {
            sq_err err;

            if (alt[k] == orig)
                continue;
            memcpy(m, text, len);
            m[i] = (char)alt[k];
            err = parse_verify(m, len);
            tried++;
            parsed += err == SQ_ERR_AUTH;
            verified += err == SQ_OK;
        }
        /* deletion */
        memcpy(m, text, i);
        memcpy(m + i, text + i + 1, len - i - 1);
        tried++;
        /* dropping the final "\n" is the one allowed change */
        if (i == len - 1)
            CHECK(parse_verify(m, len - 1) == SQ_OK);
        else
            verified += parse_verify(m, len - 1) == SQ_OK;
        /* insertion of a space or a digit */
        for (int k = 0; k < 2; k++) {
            memcpy(m, text, i);
            m[i] = k == 0 ? ' ' : '0';
            memcpy(m + i + 1, text + i, len - i);
            tried++;
            verified += parse_verify(m, len + 1) == SQ_OK;
        }
    }
    CHECK(tried > 5000);
    CHECK_EQ_INT(verified, 0);
    /* some changes do parse (a digit of a field): the signature is what stops them */
    CHECK(parsed > 0);
    printf("every byte: %lu changes, %lu parsed but failed to verify, %lu verified\n", tried, parsed,
           verified);
}

/* ---- strict text --------------------------------------------------------- */

static void
test_strict(void)
{
    sq_share_cert c, p;
    char          text[SQ_SHARE_CERT_MAX_BYTES + 1], m[2 * SQ_SHARE_CERT_MAX_BYTES + 64];
    size_t        len, n, j;
    const char   *sig;
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    len = sign_base(text, sizeof text, &c);

    /* missing final newline: accepted and verifies; anything else around the block is not */
    CHECK(parse_verify(text, len - 1) == SQ_OK);
    CHECK(sq_share_cert_parse(&p, text, len - 1 - strlen("-----END SANDYQ SHARE CERTIFICATE-----")) ==
          SQ_ERR_FORMAT);
    n = (size_t)snprintf(m, sizeof m, "%s\n", text);
    CHECK(sq_share_cert_parse(&p, m, n) == SQ_ERR_FORMAT);          /* an empty line after */
    n = (size_t)snprintf(m, sizeof m, "%sx", text);
    CHECK(sq_share_cert_parse(&p, m, n) == SQ_ERR_FORMAT);          /* trailing text */
    n = (size_t)snprintf(m, sizeof m, "\n%s", text);
    CHECK(sq_share_cert_parse(&p, m, n) == SQ_ERR_FORMAT);          /* leading line */
    n = (size_t)snprintf(m, sizeof m, " %s", text);
    CHECK(sq_share_cert_parse(&p, m, n) == SQ_ERR_FORMAT);
    memcpy(m, text, len);
    m[len] = '\0';
    CHECK(sq_share_cert_parse(&p, m, len + 1) == SQ_ERR_FORMAT);    /* a NUL after */
    CHECK(sq_share_cert_parse(&p, "", 0) == SQ_ERR_FORMAT);
    CHECK(sq_share_cert_parse(&p, NULL, 0) == SQ_ERR_FORMAT);

    /* CRLF, everywhere or on one line */
    for (size_t i = 0, k = 0; i < len; i++) {
        if (text[i] == '\n')
            m[k++] = '\r';
        m[k++] = text[i];
        n = k;
    }
    CHECK(sq_share_cert_parse(&p, m, n) == SQ_ERR_FORMAT);
    n = with_line(m, sizeof m, text, "length: ", "length: 32\r\n");
    CHECK(sq_share_cert_parse(&p, m, n) == SQ_ERR_FORMAT);

    /* the size cap comes first, whatever the bytes */
    memset(m, 'x', sizeof m);
    CHECK(sq_share_cert_parse(&p, m, SQ_SHARE_CERT_MAX_BYTES + 1) == SQ_ERR_LIMIT);
    memcpy(m, text, len);
    CHECK(sq_share_cert_parse(&p, m, SQ_SHARE_CERT_MAX_BYTES + 1) == SQ_ERR_LIMIT);
    CHECK(sq_share_cert_parse(&p, m, SQ_SHARE_CERT_MAX_BYTES) == SQ_ERR_FORMAT);

    /* spelling and order */
    static const char *const bad_lines[][2] = {
        { "level: ", "level:  54933 58743 57387 14313 49032 09680\n" },
        { "level: ", "level: 54933 58743 57387 14313 49032 09680 \n" },
        { "level: ", "level: 54933  58743 57387 14313 49032 0968\n" },
        { "level: ", "level: 54933 58743 57387 14313 49032 0968a\n" },
        { "level: ", "level: 549335 8743 57387 14313 49032 09680\n" },
        { "level: ", "level: 54933 58743 57387 14313 49032\n" },
        { "level: ", "Level: 54933 58743 57387 14313 49032 09680\n" },
        { "key: ", "key: 0\n" },
        { "set: ", "set: 012345\n" },
        { "set: ", "set: +12345\n" },
        { "set: ", "set:  12345\n" },
        { "set: ", "set: 12345 \n" },
        { "set: ", "set: 32768\n" },
        { "set: ", "set: 99999999999999999999999\n" },
        { "set: ", "set: \n" },
        { "set: ", "set: 00\n" },
        { "set: ", "set: -1\n" },
        { "generation: ", "generation: 0\n" },
        { "generation: ", "generation: 03\n" },
        { "generation: ", "generation: 4294967296\n" },
        { "generation: ", "generation: 18446744073709551619\n" },
        { "group: ", "group: 01 of 2, 2 needed\n" },
        { "group: ", "group: 1 of 02, 2 needed\n" },
        { "group: ", "group: 1 of 2, 02 needed\n" },
        { "group: ", "group: 0 of 2, 2 needed\n" },
        { "group: ", "group: 3 of 2, 2 needed\n" },
        { "group: ", "group: 1 of 2, 3 needed\n" },
        { "group: ", "group: 1 of 2, 0 needed\n" },
        { "group: ", "group: 1 of 0, 0 needed\n" },
        { "group: ", "group: 17 of 17, 2 needed\n" },
        { "group: ", "group: 1 of 17, 2 needed\n" },
        { "group: ", "group: 1 of 2,2 needed\n" },
        { "group: ", "group: 1 of 2, 2 need\n" },
        { "group: ", "group: 1/2, 2 needed\n" },
        { "member: ", "member: 0, 2 needed\n" },
        { "member: ", "member: 17, 2 needed\n" },
        { "member: ", "member: 3, 0 needed\n" },
        { "member: ", "member: 3, 17 needed\n" },
        { "member: ", "member: 03, 2 needed\n" },
        { "member: ", "member: 3 of 4, 2 needed\n" },
        { "length: ", "length: 24\n" },
        { "length: ", "length: 0\n" },
        { "length: ", "length: 032\n" },
        { "length: ", "length: 64\n" },
        { "issued: ", "issued: 1969-12-31T23:59:59Z\n" },
        { "issued: ", "issued: 2026-02-29T12:00:00Z\n" },   /* not a leap year */
        { "issued: ", "issued: 2100-02-29T12:00:00Z\n" },   /* nor is 2100 */
        { "issued: ", "issued: 2026-13-01T12:00:00Z\n" },
        { "issued: ", "issued: 2026-00-01T12:00:00Z\n" },
        { "issued: ", "issued: 2026-04-31T12:00:00Z\n" },
        { "issued: ", "issued: 2026-11-00T12:00:00Z\n" },
        { "issued: ", "issued: 2026-11-27T24:00:00Z\n" },
        { "issued: ", "issued: 2026-11-27T12:60:00Z\n" },
        { "issued: ", "issued: 2026-11-27T12:00:60Z\n" },
        { "issued: ", "issued: 2026-11-27T12:00:00\n" },
        { "issued: ", "issued: 2026-11-27T12:00:00z\n" },
        { "issued: ", "issued: 2026-11-27t12:00:00Z\n" },
        { "issued: ", "issued: 2026-11-27 12:00:00Z\n" },
        { "issued: ", "issued: 2026-11-27T12:00:00+00:00\n" },
        { "issued: ", "issued: 2026-11-27T12:00:00.0Z\n" },
        { "issued: ", "issued: 1795780800\n" },
        { "issued: ", "issued: 10000-01-01T00:00:00Z\n" },
        { "issued: ", "issued: 2026-1-27T12:00:00Z\n" },
        { "share-sha256: ", "share-sha256: 629a95f49c6cacdf2f111ad3b68d389f6aef431408ff531027e63f3f6f91c9d\n" },
        { "share-sha256: ", "share-sha256: 629a95f49c6cacdf2f111ad3b68d389f6aef431408ff531027e63f3f6f91c9da0\n" },
        { "share-sha256: ", "share-sha256: 629A95F49C6CACDF2F111AD3B68D389F6AEF431408FF531027E63F3F6F91C9DA\n" },
        { "share-sha256: ", "share-sha256: 629a95f49c6cacdf2f111ad3b68d389f6aef431408ff531027e63f3f6f91c9dA\n" },
        { "share-sha256: ", "share-sha256: 629a95f49c6cacdf2f111ad3b68d389f6aef431408ff531027e63f3f6f91c9dg\n" },
        { "signature: ", "signature: \n" },
        { "-----END", "-----END SANDYQ SHARE CERTIFICATE----\n" },
        { "-----BEGIN", "-----BEGIN SANDYQ SHARE CERTIFICATE-----\n\n" },
        { "length: ", "\n" },
        { "length: ", "length: 32\nlength: 32\n" },
        { "length: ", "" },
    };
    for (size_t i = 0; i < sizeof bad_lines / sizeof bad_lines[0]; i++) {
        n = with_line(m, sizeof m, text, bad_lines[i][0], bad_lines[i][1]);
        if (!CHECK(sq_share_cert_parse(&p, m, n) == SQ_ERR_FORMAT))
            printf("  accepted: %s", bad_lines[i][1]);
    }
    /* two lines swapped */
    {
        char tmp[SQ_SHARE_CERT_MAX_BYTES + 1];

        with_line(tmp, sizeof tmp, text, "set: ", "generation: 197121\n");
        n = with_line(m, sizeof m, tmp, "generation: 197121\ngroup", "set: 12345\n");
        CHECK(strstr(m, "generation: 197121\nset: 12345\ngroup: 2 of 4, 3 needed\nmember") != NULL);
        CHECK(sq_share_cert_parse(&p, m, n) == SQ_ERR_FORMAT);
    }

    /* key id: upper case only, exactly 16 digits */
    {
        char  line[64];
        const char *k = strstr(text, "\nkey: ") + 6;

        snprintf(line, sizeof line, "key: %.16s\n", k);
        n = with_line(m, sizeof m, text, "key: ", line);
        CHECK(parse_verify(m, n) == SQ_OK);
        for (j = 0; j < 16 && !(line[5 + j] >= 'A' && line[5 + j] <= 'F'); j++)
            ;
        if (CHECK(j < 16)) {
            line[5 + j] = (char)(line[5 + j] - 'A' + 'a');
            n = with_line(m, sizeof m, text, "key: ", line);
            CHECK(sq_share_cert_parse(&p, m, n) == SQ_ERR_FORMAT);
        }
        snprintf(line, sizeof line, "key: %.15s\n", k);
        n = with_line(m, sizeof m, text, "key: ", line);
        CHECK(sq_share_cert_parse(&p, m, n) == SQ_ERR_FORMAT);
        snprintf(line, sizeof line, "key: 0%.16s\n", k);
        n = with_line(m, sizeof m, text, "key: ", line);
        CHECK(sq_share_cert_parse(&p, m, n) == SQ_ERR_FORMAT);
    }

    /* base64: canonical, padded, 88 characters */
    sig = strstr(text, "\nsignature: ") + 12;
    CHECK(sig[86] == '=' && sig[87] == '=' && sig[88] == '\n');
    {
        char        line[128];
        const char *pos = strchr(b64, sig[85]);
        size_t      v = (size_t)(pos - b64);

        /* the 4 low bits of the 86th character carry no data: set one */
        CHECK(pos != NULL && (v & 0x0f) == 0);
        snprintf(line, sizeof line, "signature: %.85s%c==\n", sig, b64[v | 1]);
        n = with_line(m, sizeof m, text, "signature: ", line);
        CHECK(sq_share_cert_parse(&p, m, n) == SQ_ERR_FORMAT);
        snprintf(line, sizeof line, "signature: %.86s=\n", sig);     /* one pad */
        n = with_line(m, sizeof m, text, "signature: ", line);
        CHECK(sq_share_cert_parse(&p, m, n) == SQ_ERR_FORMAT);
        snprintf(line, sizeof line, "signature: %.86s\n", sig);      /* no pad */
        n = with_line(m, sizeof m, text, "signature: ", line);
        CHECK(sq_share_cert_parse(&p, m, n) == SQ_ERR_FORMAT);
        snprintf(line, sizeof line, "signature: %.88s=\n", sig);     /* extra pad */
        n = with_line(m, sizeof m, text, "signature: ", line);
        CHECK(sq_share_cert_parse(&p, m, n) == SQ_ERR_FORMAT);
        snprintf(line, sizeof line, "signature: %.44s %.44s\n", sig, sig + 44);
        n = with_line(m, sizeof m, text, "signature: ", line);
        CHECK(sq_share_cert_parse(&p, m, n) == SQ_ERR_FORMAT);
        snprintf(line, sizeof line, "signature: AAAA%.88s\n", sig);  /* 67 bytes */
        n = with_line(m, sizeof m, text, "signature: ", line);
        CHECK(sq_share_cert_parse(&p, m, n) == SQ_ERR_FORMAT);
        snprintf(line, sizeof line, "signature: %.88s\n", sig);      /* itself: fine */
        n = with_line(m, sizeof m, text, "signature: ", line);
        CHECK(parse_verify(m, n) == SQ_OK);
        /* url-safe alphabet */
        snprintf(line, sizeof line, "signature: %.88s\n", sig);
        for (j = 11; j < 11 + 86; j++) {
            if (line[j] == '+')
                line[j] = '-';
            else if (line[j] == '/')
                line[j] = '_';
        }
        n = with_line(m, sizeof m, text, "signature: ", line);
        if (strchr(line, '-') != NULL || strchr(line, '_') != NULL)
            CHECK(sq_share_cert_parse(&p, m, n) == SQ_ERR_FORMAT);
    }
}

/* ---- ranges at the edges ------------------------------------------------- */

static void
test_ranges(void)
{
    sq_share_cert c, p;
    char          text[SQ_SHARE_CERT_MAX_BYTES + 1], m[SQ_SHARE_CERT_MAX_BYTES + 1];
    size_t        len = 0, n;

    /* the extreme accepted values sign, parse and verify */
    base_cert(&c);
    c.id = 0x7fff;
    c.generation = UINT32_MAX;
    c.group_index = 15;
    c.group_count = 16;
    c.group_threshold = 16;
    c.member_index = 15;
    c.member_threshold = 16;
    c.length = 16;
    c.issued = INT64_C(253402300799);
    CHECK(sq_share_cert_sign(text, sizeof text, &len, &c, sk_a) == SQ_OK);
    CHECK(strstr(text, "\nset: 32767\ngeneration: 4294967295\ngroup: 16 of 16, 16 needed\n"
                       "member: 16, 16 needed\nlength: 16\nissued: 9999-12-31T23:59:59Z\n") != NULL);
    CHECK(parse_verify(text, len) == SQ_OK);
    base_cert(&c);
    c.id = 0;
    c.generation = 1;
    c.group_index = 0;
    c.group_count = 1;
    c.group_threshold = 1;
    c.member_index = 0;
    c.member_threshold = 1;
    c.issued = 0;
    memcpy(c.fingerprint, "00000 00000 00000 00000 00000 00000", 36);
    CHECK(sq_share_cert_sign(text, sizeof text, &len, &c, sk_a) == SQ_OK);
    CHECK(strstr(text, "\nset: 0\ngeneration: 1\ngroup: 1 of 1, 1 needed\nmember: 1, 1 needed\n"
                       "length: 32\nissued: 1970-01-01T00:00:00Z\n") != NULL);
    CHECK(parse_verify(text, len) == SQ_OK);

    /* leap days parse where they exist */
    len = sign_base(text, sizeof text, &c);
    n = with_line(m, sizeof m, text, "issued: ", "issued: 2000-02-29T00:00:00Z\n");
    CHECK(sq_share_cert_parse(&p, m, n) == SQ_OK && p.issued == INT64_C(951782400));
    CHECK(sq_share_cert_verify(&p, pk_a) == SQ_ERR_AUTH);
    n = with_line(m, sizeof m, text, "issued: ", "issued: 2024-02-29T23:59:59Z\n");
    CHECK(sq_share_cert_parse(&p, m, n) == SQ_OK && p.issued == INT64_C(1709251199));

    /* each field out of range is refused at signing, key id and signature zeroed */
#define BAD(stmt)                                                                      \
    do {                                                                               \
        base_cert(&c);                                                                 \
        memset(c.keyid, 0x55, 8);                                                      \
        memset(c.signature, 0x55, 64);                                                 \
        stmt;                                                                          \
        len = 99;                                                                      \
        text[0] = 'x';                                                                 \
        CHECK(sq_share_cert_sign(text, sizeof text, &len, &c, sk_a) == SQ_ERR_INVALID); \
        CHECK(len == 0 && text[0] == '\0');                                            \
        CHECK(sodium_is_zero(c.keyid, 8) && sodium_is_zero(c.signature, 64));          \
        CHECK(sq_share_cert_text(text, sizeof text, &len, &c) == SQ_ERR_INVALID);      \
    } while (0)
    BAD(c.id = 0x8000);
    BAD(c.generation = 0);
    BAD(c.group_count = 0);
    BAD(c.group_count = 17);
    BAD(c.group_index = 4);
    BAD((c.group_count = 17, c.group_index = 16, c.group_threshold = 1));
    BAD(c.group_threshold = 0);
    BAD(c.group_threshold = 5);
    BAD(c.member_index = 16);
    BAD(c.member_threshold = 0);
    BAD(c.member_threshold = 17);
    BAD(c.length = 0);
    BAD(c.length = 24);
    BAD(c.length = 64);
    BAD(c.issued = -1);
    BAD(c.issued = INT64_C(253402300800));
    BAD(c.issued = INT64_MIN);
    BAD(c.fingerprint[35] = ' ');
    BAD(c.fingerprint[5] = '0');
    BAD(c.fingerprint[0] = 'a');
    BAD(memcpy(c.fingerprint, "54933 58743 57387 14313 49032", 30));
#undef BAD
    /* the public key must be the secret key's */
    {
        uint8_t mixed[64];    /* a's seed with b's public half */

        base_cert(&c);
        memcpy(mixed, sk_a, 32);
        memcpy(mixed + 32, pk_b, 32);
        memcpy(c.key_pk, pk_b, 32);
        CHECK(sq_share_cert_sign(text, sizeof text, &len, &c, mixed) == SQ_ERR_INVALID);
        memcpy(c.key_pk, pk_a, 32);
        CHECK(sq_share_cert_sign(text, sizeof text, &len, &c, mixed) == SQ_ERR_INVALID);
        sodium_memzero(mixed, sizeof mixed);
        base_cert(&c);
        memcpy(c.key_pk, pk_b, 32);
        memset(c.signature, 0x55, 64);
        CHECK(sq_share_cert_sign(text, sizeof text, &len, &c, sk_a) == SQ_ERR_INVALID);
        CHECK(len == 0 && text[0] == '\0' && sodium_is_zero(c.signature, 64));
    }

    /* output too short: SQ_ERR_LIMIT, nothing half-written */
    len = sign_base(text, sizeof text, &c);
    {
        char   small[SQ_SHARE_CERT_MAX_BYTES + 1];
        size_t l2 = 99;

        memset(small, 'x', sizeof small);
        CHECK(sq_share_cert_sign(small, len, &l2, &c, sk_a) == SQ_ERR_LIMIT);
        CHECK(l2 == 0 && small[0] == '\0');
        CHECK(sq_share_cert_text(small, 0, &l2, &c) == SQ_ERR_LIMIT && small[0] == '\0');
        CHECK(sq_share_cert_sign(small, len + 1, &l2, &c, sk_a) == SQ_OK);
        CHECK(l2 == len && strcmp(small, text) == 0);
    }
}

/* ---- find ---------------------------------------------------------------- */

static void
test_find(void)
{
    sq_share_cert c, p;
    char          text[SQ_SHARE_CERT_MAX_BYTES + 1], m[3 * SQ_SHARE_CERT_MAX_BYTES];
    size_t        len, n, off = 9, blen = 9;

    len = sign_base(text, sizeof text, &c);
    n = (size_t)snprintf(m, sizeof m, "share 1 of group 1\r\n\nacademic acid acrobat romp\n%sprinted by sandyq\n",
                         text);
    CHECK(sq_share_cert_find(m, n, &off, &blen) == SQ_OK);
    CHECK(off == strlen("share 1 of group 1\r\n\nacademic acid acrobat romp\n") && blen == len);
    CHECK(sq_share_cert_parse(&p, m + off, blen) == SQ_OK && sq_share_cert_verify(&p, pk_a) == SQ_OK);
    /* at the end of the text, without its last newline */
    n = (size_t)snprintf(m, sizeof m, "words\n%.*s", (int)(len - 1), text);
    CHECK(sq_share_cert_find(m, n, &off, &blen) == SQ_OK && off == 6 && blen == len - 1);
    CHECK(parse_verify(m + off, blen) == SQ_OK);
    /* the first of two */
    n = (size_t)snprintf(m, sizeof m, "%s%s", text, text);
    CHECK(sq_share_cert_find(m, n, &off, &blen) == SQ_OK && off == 0 && blen == len);
    /* the block alone */
    CHECK(sq_share_cert_find(text, len, &off, &blen) == SQ_OK && off == 0 && blen == len);
    /* none */
    CHECK(sq_share_cert_find("academic acid\n", 14, &off, &blen) == SQ_ERR_NOTFOUND);
    CHECK(off == 0 && blen == 0);
    CHECK(sq_share_cert_find("", 0, &off, &blen) == SQ_ERR_NOTFOUND);
    n = (size_t)snprintf(m, sizeof m, "> %s", text);    /* not at a line start */
    CHECK(sq_share_cert_find(m, n, &off, &blen) == SQ_ERR_NOTFOUND);
    /* BEGIN without END */
    n = (size_t)snprintf(m, sizeof m, "x\n%.*s", (int)(len - 40), text);
    CHECK(sq_share_cert_find(m, n, &off, &blen) == SQ_ERR_FORMAT);
    CHECK(off == 0 && blen == 0);
    CHECK(sq_share_cert_find("-----BEGIN SANDYQ SHARE CERTIFICATE-----", 40, &off, &blen) == SQ_ERR_FORMAT);
    /* a BEGIN line with more on it is found, and _parse refuses it */
    n = (size_t)snprintf(m, sizeof m, "-----BEGIN SANDYQ SHARE CERTIFICATE----- %s", text + 41);
    CHECK(sq_share_cert_find(m, n, &off, &blen) == SQ_OK && off == 0 && blen == n);
    CHECK(sq_share_cert_parse(&p, m + off, blen) == SQ_ERR_FORMAT);
    /* an END line with CRLF: the block runs through its "\n", _parse refuses it */
    n = (size_t)snprintf(m, sizeof m, "%.*s\r\nafter\n", (int)(len - 1), text);
    CHECK(sq_share_cert_find(m, n, &off, &blen) == SQ_OK && off == 0 && blen == len + 1);
    CHECK(sq_share_cert_parse(&p, m + off, blen) == SQ_ERR_FORMAT);
}

/* ---- statements ---------------------------------------------------------- */

static const char stmt_kat_current[] =
    "sandyq share set: 12345 generation 3 issued 2026-11-27T12:00:00Z signature "
    "8OwF1fhom4gM+m311mDKdHmp4mYIpfVjka1tOUOwzxYh3+6TKeEJcBQoG8a7+HyKpULKcCHBfhD0fGk850EKBw==\n";
static const char stmt_kat_none[] =
    "sandyq share set: none after generation 3 issued 2026-11-27T12:00:00Z signature "
    "T1qiNC7LOKBvw9bBc7JUhnlBEMLMHH0Ms/PQ7Q5MqVSTAgtxniQwNdlLFpONKZuKbqO78hnsQE+I7bMhZw4iAg==\n";

static void
statement_msg_check(const sq_share_statement *s, const uint8_t pk[32])
{
    uint8_t msg[48];
    size_t  n = 0;

    msg[n++] = 0x01;
    memcpy(msg + n, pk, 32);
    n += 32;
    msg[n++] = s->current ? 1 : 0;
    msg[n++] = (uint8_t)(s->current ? s->id : 0);
    msg[n++] = (uint8_t)((s->current ? s->id : 0) >> 8);
    for (int i = 0; i < 4; i++)
        msg[n++] = (uint8_t)(s->generation >> (8 * i));
    for (int i = 0; i < 8; i++)
        msg[n++] = (uint8_t)((uint64_t)s->issued >> (8 * i));
    CHECK_EQ_INT(n, sizeof msg);
    CHECK(sq_domain_verify(s->signature, pk, SQ_DOMAIN_SHARE_SET, msg, n) == SQ_OK);
    /* not a certificate signature */
    CHECK(sq_domain_verify(s->signature, pk, SQ_DOMAIN_SHARE_CERT, msg, n) == SQ_ERR_AUTH);
}

static void
test_statement(void)
{
    sq_share_statement s, p;
    char               line[SQ_SHARE_STATEMENT_MAX_BYTES + 1], m[1024];
    size_t             len = 0, n;
    unsigned long      verified = 0, tried = 0;
    static const sq_share_statement zero;

    /* current */
    memset(&s, 0, sizeof s);
    s.current = true;
    s.id = 12345;
    s.generation = 3;
    s.issued = ISSUED_KAT;
    CHECK(sq_share_statement_sign(line, sizeof line, &len, &s, pk_a, sk_a) == SQ_OK);
    if (getenv("SQ_PRINT_KAT") != NULL)
        printf("%s", line);
    CHECK(len == strlen(line) && strcmp(line, stmt_kat_current) == 0);
    statement_msg_check(&s, pk_a);
    n = (size_t)snprintf(m, sizeof m, "untrusted comment: minisign public key 0123\nRWQ...\n%sfingerprint: x\n",
                         line);
    CHECK(sq_share_statement_find_parse(&p, m, n) == SQ_OK);
    CHECK(p.current && p.id == 12345 && p.generation == 3 && p.issued == ISSUED_KAT &&
          memcmp(p.signature, s.signature, 64) == 0);
    CHECK(sq_share_statement_verify(&p, pk_a) == SQ_OK);
    CHECK(sq_share_statement_verify(&p, pk_b) == SQ_ERR_AUTH);
    {
        sq_share_statement t = p;

        t.generation = 4;
        CHECK(sq_share_statement_verify(&t, pk_a) == SQ_ERR_AUTH);
        t = p;
        t.id ^= 1;
        CHECK(sq_share_statement_verify(&t, pk_a) == SQ_ERR_AUTH);
        t = p;
        t.issued++;
        CHECK(sq_share_statement_verify(&t, pk_a) == SQ_ERR_AUTH);
        t = p;
        t.current = false;
        t.id = 0;
        CHECK(sq_share_statement_verify(&t, pk_a) == SQ_ERR_AUTH);
        t = p;
        t.signature[10] ^= 4;
        CHECK(sq_share_statement_verify(&t, pk_a) == SQ_ERR_AUTH);
    }

    /* every one-byte change of the line */
    for (size_t i = 0; i < len; i++) {
        static const char subs[] = { '0', '1', '9', 'a', 'A', ' ', '\n', '\r', '=', '+', '\0' };

        for (size_t k = 0; k < sizeof subs + 1; k++) {
            char   alt = k < sizeof subs ? subs[k] : (char)(line[i] ^ 0x01);
            sq_err err;

            if (alt == line[i])
                continue;
            memcpy(m, line, len);
            m[i] = alt;
            err = sq_share_statement_find_parse(&p, m, len);
            if (err == SQ_OK)
                err = sq_share_statement_verify(&p, pk_a);
            tried++;
            verified += err == SQ_OK;
        }
    }
    CHECK(tried > 1000);
    CHECK_EQ_INT(verified, 0);

    /* none after */
    memset(&s, 0, sizeof s);
    s.current = false;
    s.generation = 3;
    s.issued = ISSUED_KAT;
    CHECK(sq_share_statement_sign(line, sizeof line, &len, &s, pk_a, sk_a) == SQ_OK);
    if (getenv("SQ_PRINT_KAT") != NULL)
        printf("%s", line);
    CHECK(strcmp(line, stmt_kat_none) == 0);
    statement_msg_check(&s, pk_a);
    /* the last line of a text may lack its newline */
    n = (size_t)snprintf(m, sizeof m, "a\n%.*s", (int)(len - 1), line);
    CHECK(sq_share_statement_find_parse(&p, m, n) == SQ_OK);
    CHECK(!p.current && p.id == 0 && p.generation == 3 && sq_share_statement_verify(&p, pk_a) == SQ_OK);
    {
        sq_share_statement t = p;

        t.current = true;
        t.id = 0;
        CHECK(sq_share_statement_verify(&t, pk_a) == SQ_ERR_AUTH);
        t = p;
        t.id = 1;       /* out of range for "none" */
        CHECK(sq_share_statement_verify(&t, pk_a) == SQ_ERR_AUTH);
    }
    /* generation 0 is a "none" statement's to make, never a current one's */
    s.generation = 0;
    CHECK(sq_share_statement_sign(line, sizeof line, &len, &s, pk_a, sk_a) == SQ_OK);
    CHECK(strncmp(line, "sandyq share set: none after generation 0 issued ",
                  strlen("sandyq share set: none after generation 0 issued ")) == 0);
    CHECK(sq_share_statement_find_parse(&p, line, len) == SQ_OK && sq_share_statement_verify(&p, pk_a) == SQ_OK);

    /* the longest line fits the advertised size */
    s.generation = UINT32_MAX;
    s.issued = INT64_C(253402300799);
    CHECK(sq_share_statement_sign(line, sizeof line, &len, &s, pk_a, sk_a) == SQ_OK);
    CHECK_EQ_INT(len, SQ_SHARE_STATEMENT_MAX_BYTES);
    CHECK(sq_share_statement_find_parse(&p, line, len) == SQ_OK && sq_share_statement_verify(&p, pk_a) == SQ_OK);
    CHECK(sq_share_statement_sign(line, len, &n, &s, pk_a, sk_a) == SQ_ERR_LIMIT);
    CHECK(n == 0 && line[0] == '\0' && sodium_is_zero(s.signature, 64));

    /* refused at signing */
#define BAD(stmt)                                                                              \
    do {                                                                                       \
        memset(&s, 0, sizeof s);                                                               \
        s.current = true;                                                                      \
        s.id = 7;                                                                              \
        s.generation = 2;                                                                      \
        s.issued = ISSUED_KAT;                                                                 \
        stmt;                                                                                  \
        CHECK(sq_share_statement_sign(line, sizeof line, &len, &s, pk_a, sk_a) == SQ_ERR_INVALID); \
        CHECK(len == 0 && line[0] == '\0');                                                    \
    } while (0)
    BAD(s.id = 0x8000);
    BAD(s.generation = 0);
    BAD(s.issued = -1);
    BAD(s.issued = INT64_C(253402300800));
    BAD((s.current = false, s.id = 7));
    /* a's public key with b's secret key */
    memset(&s, 0, sizeof s);
    s.current = true;
    s.id = 7;
    s.generation = 2;
    s.issued = ISSUED_KAT;
    CHECK(sq_share_statement_sign(line, sizeof line, &len, &s, pk_a, sk_b) == SQ_ERR_INVALID);
#undef BAD

    /* strict reading */
    {
        /* each: the text before the signature, and after it (NULL: no signature) */
        static const char *const bad[][2] = {
            { "sandyq share set: 012345 generation 3 issued 2026-11-27T12:00:00Z signature ", "\n" },
            { "sandyq share set: 12345 generation 03 issued 2026-11-27T12:00:00Z signature ", "\n" },
            { "sandyq share set: 12345 generation 0 issued 2026-11-27T12:00:00Z signature ", "\n" },
            { "sandyq share set: 32768 generation 3 issued 2026-11-27T12:00:00Z signature ", "\n" },
            { "sandyq share set: 12345 generation 4294967296 issued 2026-11-27T12:00:00Z signature ", "\n" },
            { "sandyq share set: none after generation 03 issued 2026-11-27T12:00:00Z signature ", "\n" },
            { "sandyq share set: none after generation -1 issued 2026-11-27T12:00:00Z signature ", "\n" },
            { "sandyq share set: none generation 3 issued 2026-11-27T12:00:00Z signature ", "\n" },
            { "sandyq share set: 12345 generation 3 issued 2026-02-29T12:00:00Z signature ", "\n" },
            { "sandyq share set: 12345 generation 3 issued 2026-11-27T12:00:00Z signature ", " \n" },
            { "sandyq share set: 12345 generation 3 issued 2026-11-27T12:00:00Z signature ", "\r\n" },
            { "sandyq share set: 12345 generation 3 issued 2026-11-27T12:00:00Z signature ", "=\n" },
            { "sandyq share set: 12345  generation 3 issued 2026-11-27T12:00:00Z signature ", "\n" },
            { "sandyq share set: 12345 generation 3 issued 2026-11-27T12:00:00Z  signature ", "\n" },
            { "Sandyq share set: 12345 generation 3 issued 2026-11-27T12:00:00Z\nsandyq share set: 1", NULL },
            { "sandyq share set: 12345 generation 3 issued 2026-11-27T12:00:00Z\n", NULL },
            { "sandyq share set: \n", NULL },
            { "sandyq share set: ", NULL },
        };
        char sig[SQ_SHARE_STATEMENT_MAX_BYTES];

        memset(&s, 0, sizeof s);
        s.current = true;
        s.id = 12345;
        s.generation = 3;
        s.issued = ISSUED_KAT;
        CHECK(sq_share_statement_sign(line, sizeof line, &len, &s, pk_a, sk_a) == SQ_OK);
        memcpy(sig, strstr(line, " signature ") + 11, 88);
        sig[88] = '\0';
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            if (bad[i][1] != NULL)
                n = (size_t)snprintf(m, sizeof m, "%s%s%s", bad[i][0], sig, bad[i][1]);
            else
                n = (size_t)snprintf(m, sizeof m, "%s", bad[i][0]);
            if (!CHECK(sq_share_statement_find_parse(&p, m, n) == SQ_ERR_FORMAT))
                printf("  accepted: %s", m);
            CHECK(memcmp(&p, &zero, sizeof p) == 0);
        }
        /* as written, it reads */
        n = (size_t)snprintf(m, sizeof m,
                             "sandyq share set: 12345 generation 3 issued 2026-11-27T12:00:00Z signature %s\n", sig);
        CHECK(sq_share_statement_find_parse(&p, m, n) == SQ_OK && sq_share_statement_verify(&p, pk_a) == SQ_OK);
        /* the first statement line counts; a malformed first one is not skipped */
        n = (size_t)snprintf(m, sizeof m, "sandyq share set: x\n%s", line);
        CHECK(sq_share_statement_find_parse(&p, m, n) == SQ_ERR_FORMAT);
        /* not at a line start, or another prefix: not a statement */
        n = (size_t)snprintf(m, sizeof m, " %s", line);
        CHECK(sq_share_statement_find_parse(&p, m, n) == SQ_ERR_NOTFOUND);
        n = (size_t)snprintf(m, sizeof m, "sandyq share set:%s", line + 18);
        CHECK(sq_share_statement_find_parse(&p, m, n) == SQ_ERR_NOTFOUND);
        CHECK(sq_share_statement_find_parse(&p, "", 0) == SQ_ERR_NOTFOUND);
        CHECK(sq_share_statement_find_parse(&p, NULL, 0) == SQ_ERR_NOTFOUND);
        /* a long line is refused, not read past */
        memcpy(m, line, len - 1);
        memset(m + len - 1, 'A', 600);
        CHECK(sq_share_statement_find_parse(&p, m, len - 1 + 600) == SQ_ERR_FORMAT);
    }
}

/* ---- time ---------------------------------------------------------------- */

/* the RFC 3339 writer and reader against gmtime_r, through statement lines */
static void
test_times(void)
{
    static const int64_t fixed[] = { 0, 59, 60, 86399, 86400, 68169600 /* 1972-02-29 */,
                                     951782400 /* 2000-02-29 */, 951868800, 4107542400 /* 2100-03-01 */,
                                     ISSUED_KAT, INT64_C(253402300799), INT64_C(253402214400) };
    sq_share_statement s, p;
    char               line[SQ_SHARE_STATEMENT_MAX_BYTES + 1], want[32];
    size_t             len = 0;
    unsigned long      bad = 0;

    memset(&s, 0, sizeof s);
    s.current = true;
    s.id = 1;
    s.generation = 1;
    for (size_t i = 0; i < 4000; i++) {
        time_t    tt;
        struct tm tm;

        if (i < sizeof fixed / sizeof fixed[0]) {
            s.issued = fixed[i];
        } else {
            s.issued = (int64_t)sq_random_uniform(UINT64_C(253402300799) + 1);
        }
        tt = (time_t)s.issued;
        if (gmtime_r(&tt, &tm) == NULL)
            abort();
        strftime(want, sizeof want, " issued %Y-%m-%dT%H:%M:%SZ ", &tm);
        if (sq_share_statement_text(line, sizeof line, &len, &s) != SQ_OK || strstr(line, want) == NULL ||
            sq_share_statement_find_parse(&p, line, len) != SQ_OK || p.issued != s.issued) {
            if (bad++ < 5)
                printf("  time %" PRId64 ": %s", s.issued, line);
        }
    }
    CHECK_EQ_INT(bad, 0);
}

int
main(void)
{
    sq_test_init("share_cert");
    keys_init();
    test_share_hash();
    test_kat();
    test_round_trip();
    test_every_byte();
    test_strict();
    test_ranges();
    test_find();
    test_statement();
    test_times();
    return sq_test_done();
}
