/* share_cert.c: share certificates and set statements (FORMAT.md 17;
 * include/sandyq/share_cert.h says what they are for).
 *
 * One serializer per structure (cert_text, statement_text). The parsers read
 * each line through a small text cursor with strict getters, then
 * re-serialize and compare, so the strict getters and the comparison each
 * guard against a second encoding on their own. */
#include "sandyq/share_cert.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "sandyq/minisign.h"
#include "sign/domain_sig.h"
#include "util/bytes.h"

#define SHARE_HASH_LABEL  "sandyq/v1/share-hash"
#define CERT_BEGIN        "-----BEGIN SANDYQ SHARE CERTIFICATE-----"
#define CERT_END          "-----END SANDYQ SHARE CERTIFICATE-----"
#define STATEMENT_PREFIX  "sandyq share set: "

#define MSG_VERSION       0x01
#define CERT_MSG_BYTES    (1 + 32 + SQ_SHARE_FPR_CHARS + 2 + 4 + 6 + 8 + 32)   /* 120 */
#define STATEMENT_MSG_BYTES (1 + 32 + 1 + 2 + 4 + 8)                           /* 48 */

#define ID_MAX            0x7fff           /* SLIP-0039 identifiers are 15 bits */
#define GROUPS_MAX        16
#define MEMBERS_MAX       16
#define ISSUED_MAX        INT64_C(253402300799)   /* 9999-12-31T23:59:59Z */
#define TIME_CHARS        20               /* "YYYY-MM-DDTHH:MM:SSZ" */
#define SIG_B64_CHARS     88               /* padded base64 of 64 bytes */
#define LINE_MAX_CHARS    256              /* every line we write is far shorter */

/* ---- validity of the fields ---------------------------------------------- */

/* fingerprint_ok: n is 35, six groups of five ASCII digits, single spaces
 * (FORMAT.md 16: each group is a value mod 100000, so leading zeros are part
 * of the form) */
static bool
fingerprint_ok(const char *f, size_t n)
{
    if (n != SQ_SHARE_FPR_CHARS)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (i % 6 == 5) {
            if (f[i] != ' ')
                return false;
        } else if (f[i] < '0' || f[i] > '9') {
            return false;
        }
    }
    return true;
}

static bool
issued_ok(int64_t t)
{
    return t >= 0 && t <= ISSUED_MAX;
}

static bool
cert_fields_ok(const sq_share_cert *c)
{
    return c->fingerprint[SQ_SHARE_FPR_CHARS] == '\0' &&
           fingerprint_ok(c->fingerprint, SQ_SHARE_FPR_CHARS) &&
           c->id <= ID_MAX && c->generation >= 1 &&
           c->group_count >= 1 && c->group_count <= GROUPS_MAX && c->group_index < c->group_count &&
           c->group_threshold >= 1 && c->group_threshold <= c->group_count &&
           c->member_index < MEMBERS_MAX &&
           c->member_threshold >= 1 && c->member_threshold <= MEMBERS_MAX &&
           (c->length == 16 || c->length == 32) && issued_ok(c->issued);
}

static bool
statement_fields_ok(const sq_share_statement *s)
{
    if (!issued_ok(s->issued))
        return false;
    if (s->current)
        return s->id <= ID_MAX && s->generation >= 1;
    return s->id == 0;      /* "none after generation 0": a level that never had a set */
}

/* ---- time: RFC 3339 UTC seconds ------------------------------------------ */

/* days_from_civil / civil_from_days: proleptic Gregorian calendar, days from
 * 1970-01-01, through the March-based year (the leap day falls last), in
 * 400-year eras of 146097 days. Only years 1970..9999 reach here, so every
 * value is non-negative. */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t  era, yoe, doy, doe;

    y -= m <= 2;
    era = y / 400;
    yoe = y - era * 400;                                            /* 0..399 */
    doy = (153 * (int64_t)(m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* 0..365 */
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                    /* 0..146096 */
    return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = z / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
    *m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static unsigned
days_in_month(int64_t y, unsigned m)
{
    static const unsigned days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : days[m - 1];
}

/* put_digits: v as exactly width decimal digits, zero-padded */
static void
put_digits(char *p, uint64_t v, size_t width)
{
    for (size_t i = width; i > 0; i--) {
        p[i - 1] = (char)('0' + v % 10);
        v /= 10;
    }
}

/* time_write: t in 0..ISSUED_MAX (checked by the caller) into out[21] */
static void
time_write(char out[TIME_CHARS + 1], int64_t t)
{
    int64_t  y;
    unsigned mo, d;
    int64_t  days = t / 86400, secs = t % 86400;

    civil_from_days(days, &y, &mo, &d);
    memcpy(out, "0000-00-00T00:00:00Z", TIME_CHARS + 1);
    put_digits(out, (uint64_t)y, 4);
    put_digits(out + 5, mo, 2);
    put_digits(out + 8, d, 2);
    put_digits(out + 11, (uint64_t)(secs / 3600), 2);
    put_digits(out + 14, (uint64_t)(secs / 60 % 60), 2);
    put_digits(out + 17, (uint64_t)(secs % 60), 2);
}

/* ---- text cursor ---------------------------------------------------------- */

typedef struct {
    const char *p;
    size_t      n;
} cur;

/* lit: consume exactly s */
static bool
lit(cur *c, const char *s)
{
    size_t k = strlen(s);

    if (c->n < k || memcmp(c->p, s, k) != 0)
        return false;
    c->p += k;
    c->n -= k;
    return true;
}

/* dec: the longest run of ASCII digits, at least one, no leading zero (a
 * lone "0" is zero), value at most max */
static bool
dec(cur *c, uint64_t max, uint64_t *v)
{
    size_t   k = 0;
    uint64_t x = 0;

    while (k < c->n && c->p[k] >= '0' && c->p[k] <= '9') {
        unsigned digit = (unsigned)(c->p[k] - '0');

        if (digit > max || x > (max - digit) / 10)
            return false;       /* above max, and never overflows */
        x = x * 10 + digit;
        k++;
    }
    if (k == 0 || (k > 1 && c->p[0] == '0'))
        return false;
    c->p += k;
    c->n -= k;
    *v = x;
    return true;
}

/* fixed_digits: exactly k ASCII digits (leading zeros are part of the form) */
static bool
fixed_digits(cur *c, size_t k, unsigned *v)
{
    unsigned x = 0;

    if (c->n < k)
        return false;
    for (size_t i = 0; i < k; i++) {
        if (c->p[i] < '0' || c->p[i] > '9')
            return false;
        x = x * 10 + (unsigned)(c->p[i] - '0');
    }
    c->p += k;
    c->n -= k;
    *v = x;
    return true;
}

/* rfc3339: "YYYY-MM-DDTHH:MM:SSZ", a real calendar date, no leap second */
static bool
rfc3339(cur *c, int64_t *t)
{
    unsigned y, mo, d, h, mi, s;

    if (!fixed_digits(c, 4, &y) || !lit(c, "-") || !fixed_digits(c, 2, &mo) || !lit(c, "-") ||
        !fixed_digits(c, 2, &d) || !lit(c, "T") || !fixed_digits(c, 2, &h) || !lit(c, ":") ||
        !fixed_digits(c, 2, &mi) || !lit(c, ":") || !fixed_digits(c, 2, &s) || !lit(c, "Z"))
        return false;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 ||
        s > 59)
        return false;
    *t = days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60 + s;
    return true;
}

static int
hex_value(char ch, bool upper)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (!upper && ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (upper && ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* hex_lower: exactly 2 * n lower-case hex digits into out */
static bool
hex_lower(cur *c, uint8_t *out, size_t n)
{
    if (c->n < 2 * n)
        return false;
    for (size_t i = 0; i < n; i++) {
        int hi = hex_value(c->p[2 * i], false), lo = hex_value(c->p[2 * i + 1], false);

        if (hi < 0 || lo < 0)
            return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    c->p += 2 * n;
    c->n -= 2 * n;
    return true;
}

/* keyid_upper: 16 upper-case hex digits, minisign's way of printing a key
 * id (the 8 bytes read as a little-endian u64) */
static bool
keyid_upper(cur *c, uint8_t keyid[8])
{
    uint64_t v = 0;

    if (c->n < 16)
        return false;
    for (size_t i = 0; i < 16; i++) {
        int x = hex_value(c->p[i], true);

        if (x < 0)
            return false;
        v = v << 4 | (uint64_t)x;
    }
    sq_store_le64(keyid, v);
    c->p += 16;
    c->n -= 16;
    return true;
}

/* sig_b64: exactly 88 characters of padded base64 that decode to 64 bytes
 * and re-encode to the same characters (no slack in the last group) */
static bool
sig_b64(cur *c, uint8_t sig[64])
{
    char        again[SIG_B64_CHARS + 1];
    size_t      bin_len = 0;
    const char *end = NULL;

    if (c->n < SIG_B64_CHARS)
        return false;
    if (sodium_base642bin(sig, 64, c->p, SIG_B64_CHARS, NULL, &bin_len, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        bin_len != 64 || end != c->p + SIG_B64_CHARS)
        return false;
    sodium_bin2base64(again, sizeof again, sig, 64, sodium_base64_VARIANT_ORIGINAL);
    if (memcmp(again, c->p, SIG_B64_CHARS) != 0)
        return false;
    c->p += SIG_B64_CHARS;
    c->n -= SIG_B64_CHARS;
    return true;
}

/* next_line: the next line of *c (without its "\n") into *line; *nl says
 * whether a "\n" ended it. False at the end of the text. */
static bool
next_line(cur *c, cur *line, bool *nl)
{
    const char *e;

    if (c->n == 0)
        return false;
    e = memchr(c->p, '\n', c->n);
    line->p = c->p;
    line->n = e != NULL ? (size_t)(e - c->p) : c->n;
    *nl = e != NULL;
    c->p += line->n + (*nl ? 1 : 0);
    c->n -= line->n + (*nl ? 1 : 0);
    return true;
}

/* ---- text writer ---------------------------------------------------------- */

typedef struct {
    char  *p;
    size_t cap, len;
    bool   overflow;
} out_buf;

static void
put(out_buf *o, const char *s, size_t n)
{
    if (o->overflow || o->cap - o->len <= n) {     /* keep one byte for the NUL */
        o->overflow = true;
        return;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
    o->p[o->len] = '\0';
}

static void
put_str(out_buf *o, const char *s)
{
    put(o, s, strlen(s));
}

static void
put_u64(out_buf *o, uint64_t v)
{
    char buf[24];

    snprintf(buf, sizeof buf, "%" PRIu64, v);
    put_str(o, buf);
}

static void
put_time(out_buf *o, int64_t t)
{
    char buf[TIME_CHARS + 1];

    time_write(buf, t);
    put(o, buf, TIME_CHARS);
}

static void
put_sig(out_buf *o, const uint8_t sig[64])
{
    char buf[SIG_B64_CHARS + 1];

    sodium_bin2base64(buf, sizeof buf, sig, 64, sodium_base64_VARIANT_ORIGINAL);
    put(o, buf, SIG_B64_CHARS);
}

/* finish: the common epilogue of the serializers */
static sq_err
finish(out_buf *o, char *out, size_t cap, size_t *len)
{
    if (o->overflow) {
        if (cap > 0)
            out[0] = '\0';
        *len = 0;
        return SQ_ERR_LIMIT;
    }
    *len = o->len;
    return SQ_OK;
}

/* ---- share hash and signed messages --------------------------------------- */

void
sq_share_hash(uint8_t out[32], const char *mnemonic, size_t len)
{
    crypto_hash_sha256_state st;     /* secret: has absorbed the mnemonic; wiped */
    static const uint8_t     zero = 0x00;

    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const uint8_t *)SHARE_HASH_LABEL, sizeof SHARE_HASH_LABEL - 1);
    crypto_hash_sha256_update(&st, &zero, 1);
    crypto_hash_sha256_update(&st, (const uint8_t *)mnemonic, len);
    crypto_hash_sha256_final(&st, out);
    sodium_memzero(&st, sizeof st);
}

/* cert_msg: the signed bytes (FORMAT.md 17); fields already checked */
static void
cert_msg(uint8_t msg[CERT_MSG_BYTES], const sq_share_cert *c, const uint8_t pk[32])
{
    sq_writer w;

    sq_writer_init(&w, msg, CERT_MSG_BYTES);
    sq_write_u8(&w, MSG_VERSION);
    sq_write_bytes(&w, pk, 32);
    sq_write_bytes(&w, c->fingerprint, SQ_SHARE_FPR_CHARS);
    sq_write_u16(&w, c->id);
    sq_write_u32(&w, c->generation);
    sq_write_u8(&w, c->group_index);
    sq_write_u8(&w, c->group_count);
    sq_write_u8(&w, c->group_threshold);
    sq_write_u8(&w, c->member_index);
    sq_write_u8(&w, c->member_threshold);
    sq_write_u8(&w, c->length);
    sq_write_u64(&w, (uint64_t)c->issued);
    sq_write_bytes(&w, c->share_hash, 32);
    /* the sizes are constants: a mismatch is a bug here, not bad input */
    if (!sq_writer_ok(&w) || w.len != CERT_MSG_BYTES)
        abort();
}

static void
statement_msg(uint8_t msg[STATEMENT_MSG_BYTES], const sq_share_statement *s, const uint8_t pk[32])
{
    sq_writer w;

    sq_writer_init(&w, msg, STATEMENT_MSG_BYTES);
    sq_write_u8(&w, MSG_VERSION);
    sq_write_bytes(&w, pk, 32);
    sq_write_u8(&w, s->current ? 1 : 0);
    sq_write_u16(&w, s->current ? s->id : 0);
    sq_write_u32(&w, s->generation);
    sq_write_u64(&w, (uint64_t)s->issued);
    if (!sq_writer_ok(&w) || w.len != STATEMENT_MSG_BYTES)
        abort();
}

/* key_matches: pk is the public key sk's seed derives. libsodium signs with
 * the public half stored in sk, so a mismatched sk would sign with a key
 * that is not the one the text and message name. */
static bool
key_matches(const uint8_t sk[64], const uint8_t pk[32])
{
    uint8_t seed[32], sk2[64], pk2[32];   /* secret: seed and sk2 wiped below */
    bool    ok;

    crypto_sign_ed25519_sk_to_seed(seed, sk);
    ok = crypto_sign_seed_keypair(pk2, sk2, seed) == 0 && memcmp(pk2, pk, 32) == 0 &&
         memcmp(sk + 32, pk, 32) == 0;
    sodium_memzero(seed, sizeof seed);
    sodium_memzero(sk2, sizeof sk2);
    return ok;
}

/* ---- certificates --------------------------------------------------------- */

sq_err
sq_share_cert_text(char *out, size_t cap, size_t *len, const sq_share_cert *c)
{
    out_buf o = { out, cap, 0, cap == 0 };
    char    hex[65];
    char    keyid[17];

    *len = 0;
    if (cap > 0)
        out[0] = '\0';
    if (!cert_fields_ok(c))
        return SQ_ERR_INVALID;
    sodium_bin2hex(hex, sizeof hex, c->share_hash, 32);
    snprintf(keyid, sizeof keyid, "%016" PRIX64, sq_load_le64(c->keyid));

    put_str(&o, CERT_BEGIN "\n");
    put_str(&o, "level: ");
    put(&o, c->fingerprint, SQ_SHARE_FPR_CHARS);
    put_str(&o, "\nkey: ");
    put(&o, keyid, 16);
    put_str(&o, "\nset: ");
    put_u64(&o, c->id);
    put_str(&o, "\ngeneration: ");
    put_u64(&o, c->generation);
    put_str(&o, "\ngroup: ");
    put_u64(&o, (uint64_t)c->group_index + 1);
    put_str(&o, " of ");
    put_u64(&o, c->group_count);
    put_str(&o, ", ");
    put_u64(&o, c->group_threshold);
    put_str(&o, " needed\nmember: ");
    put_u64(&o, (uint64_t)c->member_index + 1);
    put_str(&o, ", ");
    put_u64(&o, c->member_threshold);
    put_str(&o, " needed\nlength: ");
    put_u64(&o, c->length);
    put_str(&o, "\nissued: ");
    put_time(&o, c->issued);
    put_str(&o, "\nshare-sha256: ");
    put(&o, hex, 64);
    put_str(&o, "\nsignature: ");
    put_sig(&o, c->signature);
    put_str(&o, "\n" CERT_END "\n");
    return finish(&o, out, cap, len);
}

sq_err
sq_share_cert_sign(char *out, size_t cap, size_t *len, sq_share_cert *c, const uint8_t sk[64])
{
    uint8_t msg[CERT_MSG_BYTES];     /* not secret: published with the signature */
    sq_err  ret = SQ_ERR_INVALID;

    *len = 0;
    if (cap > 0)
        out[0] = '\0';
    if (!cert_fields_ok(c) || !key_matches(sk, c->key_pk))
        goto out;
    sq_minisign_keyid(c->keyid, c->key_pk);
    cert_msg(msg, c, c->key_pk);
    if ((ret = sq_domain_sign(c->signature, sk, SQ_DOMAIN_SHARE_CERT, msg, sizeof msg)) != SQ_OK)
        goto out;
    ret = sq_share_cert_text(out, cap, len, c);
out:
    if (ret != SQ_OK) {
        sodium_memzero(c->keyid, sizeof c->keyid);
        sodium_memzero(c->signature, sizeof c->signature);
    }
    return ret;
}

/* cert_lines: the fields of a block, line by line; the caller then compares
 * the re-serialization */
static bool
cert_lines(sq_share_cert *c, cur *t)
{
    cur      l;
    bool     nl = false;
    uint64_t v, gi, gc, gt, mi, mt;

    /* every line but the last must end in "\n" */
    if (!next_line(t, &l, &nl) || !nl || !lit(&l, CERT_BEGIN) || l.n != 0)
        return false;
    if (!next_line(t, &l, &nl) || !nl || !lit(&l, "level: ") || !fingerprint_ok(l.p, l.n))
        return false;
    memcpy(c->fingerprint, l.p, SQ_SHARE_FPR_CHARS);
    c->fingerprint[SQ_SHARE_FPR_CHARS] = '\0';
    if (!next_line(t, &l, &nl) || !nl || !lit(&l, "key: ") || !keyid_upper(&l, c->keyid) || l.n != 0)
        return false;
    if (!next_line(t, &l, &nl) || !nl || !lit(&l, "set: ") || !dec(&l, ID_MAX, &v) || l.n != 0)
        return false;
    c->id = (uint16_t)v;
    if (!next_line(t, &l, &nl) || !nl || !lit(&l, "generation: ") || !dec(&l, UINT32_MAX, &v) ||
        l.n != 0 || v < 1)
        return false;
    c->generation = (uint32_t)v;
    if (!next_line(t, &l, &nl) || !nl || !lit(&l, "group: ") || !dec(&l, GROUPS_MAX, &gi) ||
        !lit(&l, " of ") || !dec(&l, GROUPS_MAX, &gc) || !lit(&l, ", ") ||
        !dec(&l, GROUPS_MAX, &gt) || !lit(&l, " needed") || l.n != 0)
        return false;
    if (gi < 1 || gi > gc || gt < 1 || gt > gc)
        return false;
    c->group_index = (uint8_t)(gi - 1);
    c->group_count = (uint8_t)gc;
    c->group_threshold = (uint8_t)gt;
    if (!next_line(t, &l, &nl) || !nl || !lit(&l, "member: ") || !dec(&l, MEMBERS_MAX, &mi) ||
        !lit(&l, ", ") || !dec(&l, MEMBERS_MAX, &mt) || !lit(&l, " needed") || l.n != 0)
        return false;
    if (mi < 1 || mt < 1)
        return false;
    c->member_index = (uint8_t)(mi - 1);
    c->member_threshold = (uint8_t)mt;
    if (!next_line(t, &l, &nl) || !nl || !lit(&l, "length: ") || !dec(&l, 32, &v) || l.n != 0 ||
        (v != 16 && v != 32))
        return false;
    c->length = (uint8_t)v;
    if (!next_line(t, &l, &nl) || !nl || !lit(&l, "issued: ") || !rfc3339(&l, &c->issued) || l.n != 0)
        return false;
    if (!next_line(t, &l, &nl) || !nl || !lit(&l, "share-sha256: ") || !hex_lower(&l, c->share_hash, 32) ||
        l.n != 0)
        return false;
    if (!next_line(t, &l, &nl) || !nl || !lit(&l, "signature: ") || !sig_b64(&l, c->signature) ||
        l.n != 0)
        return false;
    /* the END line, its "\n" optional, and nothing after it */
    if (!next_line(t, &l, &nl) || !lit(&l, CERT_END) || l.n != 0 || t->n != 0)
        return false;
    return true;
}

sq_err
sq_share_cert_parse(sq_share_cert *c, const char *text, size_t len)
{
    char   again[SQ_SHARE_CERT_MAX_BYTES + 1];
    size_t again_len = 0;
    cur    t = { text, len };
    sq_err ret = SQ_ERR_LIMIT;

    memset(c, 0, sizeof *c);
    if (len > SQ_SHARE_CERT_MAX_BYTES)
        goto out;                           /* cap before any work */
    ret = SQ_ERR_FORMAT;
    if (text == NULL || !cert_lines(c, &t))
        goto out;
    /* one encoding: what we would write is what we read (the final "\n"
     * aside, which a copy-paste may lose) */
    if (sq_share_cert_text(again, sizeof again, &again_len, c) != SQ_OK)
        goto out;
    if (!(again_len == len || (again_len == len + 1 && len > 0 && text[len - 1] != '\n')) ||
        memcmp(again, text, len) != 0)
        goto out;
    ret = SQ_OK;
out:
    if (ret != SQ_OK)
        memset(c, 0, sizeof *c);
    return ret;
}

/* line_starts: the offset of the first line at or after from that starts
 * with prefix, or len */
static size_t
line_starts(const char *text, size_t len, size_t from, const char *prefix)
{
    size_t k = strlen(prefix);
    size_t i = from;

    while (i < len) {
        const char *e;

        if (len - i >= k && memcmp(text + i, prefix, k) == 0)
            return i;
        if ((e = memchr(text + i, '\n', len - i)) == NULL)
            break;
        i = (size_t)(e - text) + 1;
    }
    return len;
}

sq_err
sq_share_cert_find(const char *text, size_t len, size_t *off, size_t *blen)
{
    size_t      begin, end;
    const char *nl;

    *off = 0;
    *blen = 0;
    if (text == NULL)
        return SQ_ERR_NOTFOUND;
    if ((begin = line_starts(text, len, 0, CERT_BEGIN)) == len)
        return SQ_ERR_NOTFOUND;
    /* the END line is searched from the line after BEGIN */
    if ((nl = memchr(text + begin, '\n', len - begin)) == NULL)
        return SQ_ERR_FORMAT;
    if ((end = line_starts(text, len, (size_t)(nl - text) + 1, CERT_END)) == len)
        return SQ_ERR_FORMAT;
    nl = memchr(text + end, '\n', len - end);
    *off = begin;
    *blen = (nl != NULL ? (size_t)(nl - text) + 1 : len) - begin;
    return SQ_OK;
}

sq_err
sq_share_cert_verify(const sq_share_cert *c, const uint8_t pk[32])
{
    uint8_t msg[CERT_MSG_BYTES];
    uint8_t keyid[SQ_MINISIGN_KEYID_BYTES];

    if (!cert_fields_ok(c))
        return SQ_ERR_AUTH;
    sq_minisign_keyid(keyid, pk);
    if (memcmp(keyid, c->keyid, sizeof keyid) != 0)
        return SQ_ERR_AUTH;
    cert_msg(msg, c, pk);
    return sq_domain_verify(c->signature, pk, SQ_DOMAIN_SHARE_CERT, msg, sizeof msg) == SQ_OK
               ? SQ_OK : SQ_ERR_AUTH;
}

/* ---- set statements ------------------------------------------------------- */

sq_err
sq_share_statement_text(char *out, size_t cap, size_t *len, const sq_share_statement *s)
{
    out_buf o = { out, cap, 0, cap == 0 };

    *len = 0;
    if (cap > 0)
        out[0] = '\0';
    if (!statement_fields_ok(s))
        return SQ_ERR_INVALID;
    put_str(&o, STATEMENT_PREFIX);
    if (s->current) {
        put_u64(&o, s->id);
        put_str(&o, " generation ");
    } else {
        put_str(&o, "none after generation ");
    }
    put_u64(&o, s->generation);
    put_str(&o, " issued ");
    put_time(&o, s->issued);
    put_str(&o, " signature ");
    put_sig(&o, s->signature);
    put_str(&o, "\n");
    return finish(&o, out, cap, len);
}

sq_err
sq_share_statement_sign(char *out, size_t cap, size_t *len, sq_share_statement *s,
                        const uint8_t pk[32], const uint8_t sk[64])
{
    uint8_t msg[STATEMENT_MSG_BYTES];   /* not secret */
    sq_err  ret = SQ_ERR_INVALID;

    *len = 0;
    if (cap > 0)
        out[0] = '\0';
    if (!statement_fields_ok(s) || !key_matches(sk, pk))
        goto out;
    statement_msg(msg, s, pk);
    if ((ret = sq_domain_sign(s->signature, sk, SQ_DOMAIN_SHARE_SET, msg, sizeof msg)) != SQ_OK)
        goto out;
    ret = sq_share_statement_text(out, cap, len, s);
out:
    if (ret != SQ_OK)
        sodium_memzero(s->signature, sizeof s->signature);
    return ret;
}

/* statement_line: the fields of one line (without its "\n") */
static bool
statement_line(sq_share_statement *s, cur *l)
{
    uint64_t v;

    if (!lit(l, STATEMENT_PREFIX))
        return false;
    if (lit(l, "none after generation ")) {
        s->current = false;
        s->id = 0;
        if (!dec(l, UINT32_MAX, &v))
            return false;
    } else {
        s->current = true;
        if (!dec(l, ID_MAX, &v))
            return false;
        s->id = (uint16_t)v;
        if (!lit(l, " generation ") || !dec(l, UINT32_MAX, &v) || v < 1)
            return false;
    }
    s->generation = (uint32_t)v;
    return lit(l, " issued ") && rfc3339(l, &s->issued) && lit(l, " signature ") &&
           sig_b64(l, s->signature) && l->n == 0;
}

sq_err
sq_share_statement_find_parse(sq_share_statement *s, const char *text, size_t len)
{
    char   again[SQ_SHARE_STATEMENT_MAX_BYTES + 1];
    size_t again_len = 0, at;
    cur    t, line, fields;
    bool   nl = false;
    sq_err ret = SQ_ERR_NOTFOUND;

    memset(s, 0, sizeof *s);
    if (text == NULL || (at = line_starts(text, len, 0, STATEMENT_PREFIX)) == len)
        goto out;
    t.p = text + at;
    t.n = len - at;
    ret = SQ_ERR_FORMAT;
    if (!next_line(&t, &line, &nl) || line.n > LINE_MAX_CHARS)
        goto out;
    fields = line;
    if (!statement_line(s, &fields))
        goto out;
    /* one encoding: the line as we would write it, its "\n" aside (the
     * last line of a file may lack it) */
    if (sq_share_statement_text(again, sizeof again, &again_len, s) != SQ_OK ||
        again_len != line.n + 1 || memcmp(again, line.p, line.n) != 0)
        goto out;
    ret = SQ_OK;
out:
    if (ret != SQ_OK)
        memset(s, 0, sizeof *s);
    return ret;
}

sq_err
sq_share_statement_verify(const sq_share_statement *s, const uint8_t pk[32])
{
    uint8_t msg[STATEMENT_MSG_BYTES];

    if (!statement_fields_ok(s))
        return SQ_ERR_AUTH;
    statement_msg(msg, s, pk);
    return sq_domain_verify(s->signature, pk, SQ_DOMAIN_SHARE_SET, msg, sizeof msg) == SQ_OK
               ? SQ_OK : SQ_ERR_AUTH;
}
