/* fuzz_share_cert.c: share certificates and set statements (FORMAT.md 17)
 * from arbitrary text, as they arrive on paper scans, in mail, in public
 * identity files.
 *
 * The same bytes go to sq_share_cert_parse, sq_share_cert_find and
 * sq_share_statement_find_parse. Asserts: a refusal zeroes the struct and
 * is one of the documented errors; an accepted certificate has its fields
 * in range and re-serializes to exactly the input (the final "\n" aside),
 * which parses back to the same struct; a found block lies inside the input
 * and starts with the BEGIN marker; an accepted statement re-serializes to
 * the very line it was read from. Signatures are checked against a fixed
 * key (nothing may crash; a forged input verifying would need a forgery). */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "sandyq/share_cert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BEGIN_MARKER "-----BEGIN SANDYQ SHARE CERTIFICATE-----"
#define STMT_PREFIX  "sandyq share set: "

static uint8_t fixed_pk[32];

static void
init_once(void)
{
    static int done;
    uint8_t    seed[32], sk[64];

    if (done)
        return;
    /* the key the seed corpus is signed with (tests/unit/test_share_cert.c) */
    for (size_t i = 0; i < sizeof seed; i++)
        seed[i] = (uint8_t)i;
    if (sodium_init() < 0)
        abort();
    crypto_sign_seed_keypair(fixed_pk, sk, seed);
    sodium_memzero(sk, sizeof sk);
    done = 1;
}

static bool
fingerprint_ok(const char *f)
{
    for (size_t i = 0; i < SQ_SHARE_FPR_CHARS; i++)
        if (i % 6 == 5 ? f[i] != ' ' : (f[i] < '0' || f[i] > '9'))
            return false;
    return f[SQ_SHARE_FPR_CHARS] == '\0';
}

static void
check_cert(const uint8_t *data, size_t size)
{
    static const sq_share_cert zero;
    sq_share_cert              c, back;
    char                       out[SQ_SHARE_CERT_MAX_BYTES + 1];
    size_t                     len = 0;
    sq_err                     err = sq_share_cert_parse(&c, (const char *)data, size);

    if (err != SQ_OK) {
        if (memcmp(&c, &zero, sizeof c) != 0)
            abort();
        if (err != SQ_ERR_FORMAT && err != SQ_ERR_LIMIT)
            abort();
        if (err == SQ_ERR_LIMIT && size <= SQ_SHARE_CERT_MAX_BYTES)
            abort();
        return;
    }
    if (size > SQ_SHARE_CERT_MAX_BYTES || !fingerprint_ok(c.fingerprint) || c.id > 0x7fff ||
        c.generation < 1 || c.group_count < 1 || c.group_count > 16 || c.group_index >= c.group_count ||
        c.group_threshold < 1 || c.group_threshold > c.group_count || c.member_index >= 16 ||
        c.member_threshold < 1 || c.member_threshold > 16 || (c.length != 16 && c.length != 32) ||
        c.issued < 0 || c.issued > INT64_C(253402300799) || !sodium_is_zero(c.key_pk, 32))
        abort();
    /* one encoding: the text written from the fields is the input */
    if (sq_share_cert_text(out, sizeof out, &len, &c) != SQ_OK || out[len] != '\0')
        abort();
    if (len == size) {
        if (memcmp(out, data, size) != 0)
            abort();
    } else if (len == size + 1) {
        if (memcmp(out, data, size) != 0 || out[size] != '\n')
            abort();
    } else {
        abort();
    }
    if (sq_share_cert_parse(&back, out, len) != SQ_OK || memcmp(&back, &c, sizeof c) != 0)
        abort();
    err = sq_share_cert_verify(&c, fixed_pk);
    if (err != SQ_OK && err != SQ_ERR_AUTH)
        abort();
}

static void
check_find(const uint8_t *data, size_t size)
{
    size_t off = 1, blen = 1;
    sq_err err = sq_share_cert_find((const char *)data, size, &off, &blen);

    if (err != SQ_OK) {
        if ((err != SQ_ERR_NOTFOUND && err != SQ_ERR_FORMAT) || off != 0 || blen != 0)
            abort();
        return;
    }
    if (off > size || blen > size - off || blen < sizeof BEGIN_MARKER ||
        memcmp(data + off, BEGIN_MARKER, sizeof BEGIN_MARKER - 1) != 0 || (off > 0 && data[off - 1] != '\n'))
        abort();
    /* what _find hands over is what _parse judges: no crash, documented errors */
    {
        sq_share_cert c;

        err = sq_share_cert_parse(&c, (const char *)data + off, blen);
        if (err != SQ_OK && err != SQ_ERR_FORMAT && err != SQ_ERR_LIMIT)
            abort();
    }
}

static void
check_statement(const uint8_t *data, size_t size)
{
    static const sq_share_statement zero;
    sq_share_statement              s;
    char                            out[SQ_SHARE_STATEMENT_MAX_BYTES + 1];
    size_t                          len = 0, at = 0;
    sq_err                          err = sq_share_statement_find_parse(&s, (const char *)data, size);

    if (err != SQ_OK) {
        if (memcmp(&s, &zero, sizeof s) != 0 || (err != SQ_ERR_FORMAT && err != SQ_ERR_NOTFOUND))
            abort();
        return;
    }
    if ((s.current && (s.id > 0x7fff || s.generation < 1)) || (!s.current && s.id != 0) || s.issued < 0 ||
        s.issued > INT64_C(253402300799))
        abort();
    if (sq_share_statement_text(out, sizeof out, &len, &s) != SQ_OK || len < 2 || out[len - 1] != '\n')
        abort();
    /* the line it came from: the first line starting with the prefix */
    for (;;) {
        const uint8_t *nl;

        if (at >= size)
            abort();
        if (size - at >= sizeof STMT_PREFIX - 1 && memcmp(data + at, STMT_PREFIX, sizeof STMT_PREFIX - 1) == 0)
            break;
        if ((nl = memchr(data + at, '\n', size - at)) == NULL)
            abort();
        at = (size_t)(nl - data) + 1;
    }
    /* the whole line, its "\n" or the end of the input after it */
    if (size - at < len - 1 || memcmp(data + at, out, len - 1) != 0 ||
        (size - at > len - 1 && data[at + len - 1] != '\n'))
        abort();
    err = sq_share_statement_verify(&s, fixed_pk);
    if (err != SQ_OK && err != SQ_ERR_AUTH)
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init_once();
    check_cert(data, size);
    check_find(data, size);
    check_statement(data, size);
    return 0;
}
