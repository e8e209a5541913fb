/* slip39.c: SLIP-0039 shares (see sandyq/slip39.h), written from the
 * SLIP-0039 specification (satoshilabs/slips, slip-0039.md). */
#include <sodium.h>
#include <string.h>

#include "sandyq/slip39.h"
#include "crypto/pbkdf2.h"
#include "share/ct.h"
#include "share/gf256.h"
#include "share/rs1024.h"
#include "share/wordlist.h"
#include "util/random.h"
#include "util/secret.h"

#define RADIX_BITS      10
#define ID_BITS         15
#define DIGEST_BYTES    4
#define DIGEST_INDEX    254
#define SECRET_INDEX    255
#define ROUNDS          4
#define BASE_ITER_ROUND 2500u   /* 10000 / 4 rounds, shifted by the exponent */
#define META_WORDS      7       /* 2 id/ext/e + 2 group/member + 3 checksum */

static const char *const problem_str[] = {
    [SQ_SLIP39_OK] = "ok",
    [SQ_SLIP39_NO_SHARES] = "no shares given",
    [SQ_SLIP39_TOO_MANY_SHARES] = "too many shares",
    [SQ_SLIP39_BAD_WORD] = "word not in the SLIP-0039 word list",
    [SQ_SLIP39_BAD_LENGTH] = "wrong number of words for a share",
    [SQ_SLIP39_BAD_CHECKSUM] = "checksum fails",
    [SQ_SLIP39_BAD_PADDING] = "padding bits are not zero",
    [SQ_SLIP39_BAD_GROUP_THRESHOLD] = "group threshold above group count",
    [SQ_SLIP39_MIXED_ID] = "shares from different sets (identifiers differ)",
    [SQ_SLIP39_MIXED_EXTENDABLE] = "shares from different sets (extendable flags differ)",
    [SQ_SLIP39_MIXED_EXPONENT] = "shares from different sets (iteration exponents differ)",
    [SQ_SLIP39_MIXED_GROUP_THRESHOLD] = "shares from different sets (group thresholds differ)",
    [SQ_SLIP39_MIXED_GROUP_COUNT] = "shares from different sets (group counts differ)",
    [SQ_SLIP39_MIXED_LENGTH] = "shares from different sets (lengths differ)",
    [SQ_SLIP39_MIXED_MEMBER_THRESHOLD] = "member thresholds differ within a group",
    [SQ_SLIP39_DUPLICATE_MEMBER] = "duplicate member",
    [SQ_SLIP39_TOO_FEW_GROUPS] = "too few groups",
    [SQ_SLIP39_TOO_FEW_MEMBERS] = "too few shares in a group",
    [SQ_SLIP39_DIGEST_MISMATCH] = "digest mismatch (shares do not belong together)",
    [SQ_SLIP39_INCONSISTENT] = "extra share disagrees with the others",
    [SQ_SLIP39_SLOW_EXPONENT] = "iteration exponent above the cap",
    [SQ_SLIP39_BAD_PASSPHRASE] = "passphrase must be printable ASCII",
    [SQ_SLIP39_BAD_SECRET] = "secret must be 16 to 64 bytes, an even number",
    [SQ_SLIP39_BAD_LAYOUT] = "invalid threshold or count",
};

const char *
sq_slip39_problem_str(sq_slip39_problem p)
{
    if ((size_t)p >= sizeof problem_str / sizeof problem_str[0] || problem_str[p] == NULL)
        return "unknown problem";
    return problem_str[p];
}

static void
detail_set(sq_slip39_detail *d, sq_slip39_problem p, unsigned share, unsigned other)
{
    if (d == NULL)
        return;
    memset(d, 0, sizeof *d);
    d->problem = p;
    d->share = share;
    d->other = other;
}

static bool
passphrase_ok(const char *p, size_t len)
{
    if (len > SQ_SLIP39_PASSPHRASE_MAX)
        return false;
    for (size_t i = 0; i < len; i++)
        if ((uint8_t)p[i] < 0x20 || (uint8_t)p[i] > 0x7e)
            return false;
    return true;
}

static bool
secret_len_ok(size_t len)
{
    return len >= SQ_SLIP39_MIN_SECRET_BYTES && len <= SQ_SLIP39_MAX_SECRET_BYTES && len % 2 == 0;
}

void
sq_slip39_share_wipe(sq_slip39_share *s)
{
    if (s != NULL)
        sodium_memzero(s, sizeof *s);
}

/* ---- Feistel encryption of the master secret ---- */

static sq_err
feistel(uint8_t *out, const uint8_t *in, size_t len, const char *pass, size_t pass_len,
        uint8_t e, uint16_t id, bool ext, bool decrypt)
{
    size_t   half = len / 2;
    uint8_t *buf = NULL;       /* secret: L | R | F | password */
    uint8_t *l, *r, *f, *pw;
    uint8_t  salt[6 + 2 + SQ_SLIP39_MAX_SECRET_BYTES / 2];
    size_t   prefix = 0;
    sq_err   ret = SQ_ERR_INVALID;

    if (!secret_len_ok(len) || e > SQ_SLIP39_MAX_EXPONENT || !passphrase_ok(pass, pass_len))
        goto out;
    ret = SQ_ERR_NOMEM;
    if ((buf = sq_secret_alloc(3 * half + 1 + pass_len)) == NULL)
        goto out;
    l = buf;
    r = buf + half;
    f = buf + 2 * half;
    pw = buf + 3 * half;
    memcpy(l, in, half);
    memcpy(r, in + half, half);
    memcpy(pw + 1, pass, pass_len);
    if (!ext) {
        /* salt = "shamir" || id (2 bytes, big-endian); empty when extendable */
        memcpy(salt, "shamir", 6);
        salt[6] = (uint8_t)(id >> 8);
        salt[7] = (uint8_t)id;
        prefix = 8;
    }
    for (int k = 0; k < ROUNDS; k++) {
        int i = decrypt ? ROUNDS - 1 - k : k;

        pw[0] = (uint8_t)i;
        memcpy(salt + prefix, r, half);
        ret = sq_pbkdf2_sha256(f, half, pw, pass_len + 1, salt, prefix + half,
                               (uint64_t)BASE_ITER_ROUND << e);
        if (ret != SQ_OK)
            goto out;
        /* (L, R) = (R, L xor F(i, R)) */
        for (size_t j = 0; j < half; j++) {
            uint8_t t = r[j];

            r[j] = l[j] ^ f[j];
            l[j] = t;
        }
    }
    memcpy(out, r, half);       /* result is R || L */
    memcpy(out + half, l, half);
    ret = SQ_OK;
out:
    sodium_memzero(salt, sizeof salt);
    sq_secret_free(buf, 3 * half + 1 + pass_len);
    return ret;
}

sq_err
sq_slip39_encrypt(uint8_t *out, const uint8_t *in, size_t len, const char *passphrase,
                  size_t passphrase_len, uint8_t exponent, uint16_t id, bool extendable)
{
    return feistel(out, in, len, passphrase, passphrase_len, exponent, id, extendable, false);
}

sq_err
sq_slip39_decrypt(uint8_t *out, const uint8_t *in, size_t len, const char *passphrase,
                  size_t passphrase_len, uint8_t exponent, uint16_t id, bool extendable)
{
    return feistel(out, in, len, passphrase, passphrase_len, exponent, id, extendable, true);
}

/* ---- share encoding ---- */

/* words[] <- share; returns the word count. */
static size_t
share_to_words(uint16_t *words, const sq_slip39_share *s)
{
    size_t   vw = (s->value_len * 8 + RADIX_BITS - 1) / RADIX_BITS;
    size_t   pad = vw * RADIX_BITS - s->value_len * 8;
    uint32_t acc = 0;
    unsigned bits = (unsigned)pad;   /* leading zero padding bits */
    size_t   n = 0;
    uint32_t a = ((uint32_t)s->id << 5) | ((uint32_t)s->extendable << 4) | s->exponent;
    uint32_t b = ((uint32_t)s->group_index << 16) | ((uint32_t)(s->group_threshold - 1) << 12)
               | ((uint32_t)(s->group_count - 1) << 8) | ((uint32_t)s->member_index << 4)
               | (uint32_t)(s->member_threshold - 1);

    words[n++] = (uint16_t)(a >> 10);
    words[n++] = (uint16_t)(a & 0x3ff);
    words[n++] = (uint16_t)(b >> 10);
    words[n++] = (uint16_t)(b & 0x3ff);
    for (size_t i = 0; i < s->value_len; i++) {
        acc = (acc << 8) | s->value[i];
        bits += 8;
        if (bits >= RADIX_BITS) {        /* depends on the position only */
            bits -= RADIX_BITS;
            words[n++] = (uint16_t)((acc >> bits) & 0x3ff);
        }
    }
    sodium_memzero(&acc, sizeof acc);
    sq_rs1024_create(words + n, words, n, s->extendable != 0);
    return n + SQ_RS1024_CHECKSUM_WORDS;
}

bool
sq_slip39_word_lookup(uint16_t *index, const char *word, size_t len)
{
    return sq_slip39_word_index(index, word, len);
}

sq_err
sq_slip39_share_decode(sq_slip39_share *out, const uint16_t *words, size_t n,
                       sq_slip39_detail *d)
{
    size_t   vw, pad;
    uint32_t acc = 0, a, b;
    unsigned bits = 0, padbits = 0, padbad;
    sq_err   ret = SQ_ERR_FORMAT;

    memset(out, 0, sizeof *out);
    detail_set(d, SQ_SLIP39_OK, 1, 0);
    /* length: at least 20 words; value words give a whole number of 16-bit
     * units with at most 8 padding bits (SLIP-0039 "Format of the share
     * mnemonic"). The count of words is public. */
    if (n < SQ_SLIP39_MIN_WORDS || n > SQ_SLIP39_MAX_WORDS) {
        detail_set(d, SQ_SLIP39_BAD_LENGTH, 1, 0);
        goto out;
    }
    vw = n - META_WORDS;
    pad = (vw * RADIX_BITS) % 16;
    if (pad > 8) {
        detail_set(d, SQ_SLIP39_BAD_LENGTH, 1, 0);
        goto out;
    }
    /* the extendable flag picks the checksum customization string */
    a = ((uint32_t)words[0] << 10) | words[1];
    if (!sq_rs1024_verify(words, n, (a >> 4) & 1)) {
        detail_set(d, SQ_SLIP39_BAD_CHECKSUM, 1, 0);
        if (d != NULL)
        {
            d->word = sq_rs1024_locate(words, n);   /* the position only: never corrected */
            d->have = (unsigned)n;                  /* the word count, for "near" ranges */
        }
        goto out;
    }
    b = ((uint32_t)words[2] << 10) | words[3];
    out->id = (uint16_t)(a >> 5);
    out->extendable = (uint8_t)((a >> 4) & 1);
    out->exponent = (uint8_t)(a & 0xf);
    out->group_index = (uint8_t)(b >> 16);
    out->group_threshold = (uint8_t)(((b >> 12) & 0xf) + 1);
    out->group_count = (uint8_t)(((b >> 8) & 0xf) + 1);
    out->member_index = (uint8_t)((b >> 4) & 0xf);
    out->member_threshold = (uint8_t)((b & 0xf) + 1);
    out->value_len = (vw * RADIX_BITS - pad) / 8;
    /* value: the padding bits come first and must be zero; shifts and
     * masks depend on positions only */
    for (size_t w = 0, o = 0; w < vw; w++) {
        acc = (acc << RADIX_BITS) | words[4 + w];
        bits += RADIX_BITS;
        if (w == 0) {
            padbits = (acc >> (bits - pad)) & ((1u << pad) - 1);
            bits -= (unsigned)pad;
            acc &= (1u << bits) - 1;
        }
        while (bits >= 8) {
            bits -= 8;
            out->value[o++] = (uint8_t)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    padbad = padbits != 0;
    SQ_CT_DECLASSIFY(&padbad, sizeof padbad);   /* the verdict alone is public */
    if (padbad) {
        detail_set(d, SQ_SLIP39_BAD_PADDING, 1, 0);
        goto out;
    }
    if (out->value_len < SQ_SLIP39_MIN_SECRET_BYTES) {
        detail_set(d, SQ_SLIP39_BAD_LENGTH, 1, 0);
        goto out;
    }
    if (out->group_threshold > out->group_count) {
        detail_set(d, SQ_SLIP39_BAD_GROUP_THRESHOLD, 1, 0);
        goto out;
    }
    ret = SQ_OK;
out:
    sodium_memzero(&acc, sizeof acc);
    sodium_memzero(&padbits, sizeof padbits);
    if (ret != SQ_OK)
        sq_slip39_share_wipe(out);
    return ret;
}

static bool
is_sep(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

sq_err
sq_slip39_share_parse(sq_slip39_share *out, const char *text, size_t len, sq_slip39_detail *d)
{
    uint16_t words[SQ_SLIP39_MAX_WORDS];   /* secret: wiped below */
    size_t   n = 0, i = 0;
    sq_err   ret = SQ_ERR_FORMAT;

    memset(out, 0, sizeof *out);
    detail_set(d, SQ_SLIP39_OK, 1, 0);
    /* words: runs of non-separator bytes; the count is capped before lookup.
     * Word boundaries (lengths) are public, as they are on paper. */
    while (i < len) {
        size_t start;

        while (i < len && is_sep(text[i]))
            i++;
        if (i == len)
            break;
        start = i;
        while (i < len && !is_sep(text[i]))
            i++;
        if (n == SQ_SLIP39_MAX_WORDS) {
            detail_set(d, SQ_SLIP39_BAD_LENGTH, 1, 0);
            goto out;
        }
        if (!sq_slip39_word_index(&words[n], text + start, i - start)) {
            detail_set(d, SQ_SLIP39_BAD_WORD, 1, 0);
            if (d != NULL)
                d->word = (unsigned)n + 1;
            goto out;
        }
        n++;
    }
    ret = sq_slip39_share_decode(out, words, n, d);
out:
    sodium_memzero(words, sizeof words);
    if (ret != SQ_OK)
        sq_slip39_share_wipe(out);
    return ret;
}

/* ---- sharing ---- */

/* HMAC-SHA256(key = random_part, msg = secret)[:4] */
static void
make_digest(uint8_t digest[DIGEST_BYTES], const uint8_t *random_part, size_t rlen,
            const uint8_t *secret, size_t slen)
{
    crypto_auth_hmacsha256_state st;
    uint8_t mac[crypto_auth_hmacsha256_BYTES];

    crypto_auth_hmacsha256_init(&st, random_part, rlen);
    crypto_auth_hmacsha256_update(&st, secret, slen);
    crypto_auth_hmacsha256_final(&st, mac);
    memcpy(digest, mac, DIGEST_BYTES);
    sodium_memzero(mac, sizeof mac);
    sodium_memzero(&st, sizeof st);
}

/* Where a split's random values come from: the system generator, or
 * (a vault's reproducible share set, FORMAT.md 17) a ChaCha20 keystream of a
 * seed, one stream per split (stream 0xff the group level, g group g). */
typedef struct {
    const uint8_t *seed;   /* NULL: sq_random_buf */
    uint8_t        stream;
} split_rng;

#define SEED_NONCE_PREFIX "sandyq-s39"   /* 10 bytes, then stream, 0 */

/* rng_fill: the bytes [off, off + n) of the split's random stream. */
static void
rng_fill(const split_rng *rng, uint8_t *out, size_t off, size_t n)
{
    uint8_t nonce[crypto_stream_chacha20_ietf_NONCEBYTES];
    uint8_t block[64];

    if (rng->seed == NULL) {
        sq_random_buf(out, n);
        return;
    }
    memcpy(nonce, SEED_NONCE_PREFIX, 10);
    nonce[10] = rng->stream;
    nonce[11] = 0;
    /* keystream from byte off: the block counter is off / 64, the rest skipped */
    for (size_t done = 0; done < n;) {
        size_t   at = off + done, skip = at % 64, take = 64 - skip;

        if (take > n - done)
            take = n - done;
        memset(block, 0, sizeof block);
        crypto_stream_chacha20_ietf_xor_ic(block, block, sizeof block, nonce, (uint32_t)(at / 64),
                                           rng->seed);
        memcpy(out + done, block + skip, take);
        done += take;
    }
    sodium_memzero(block, sizeof block);
}

/* split_secret: count shares (x = 0..count-1) of secret with threshold t,
 * written to shares + x * len. scratch holds (t) * len secret bytes. The
 * random values are stream bytes [0, (t-1)·len - 4) whatever count is, so
 * a seeded split gives the same share x for any count > x. */
static void
split_secret(uint8_t *shares, uint8_t t, uint8_t count, const uint8_t *secret, size_t len,
             uint8_t *scratch, const split_rng *rng)
{
    uint8_t        xs[SQ_SLIP39_MAX_MEMBERS + 2];
    const uint8_t *ys[SQ_SLIP39_MAX_MEMBERS + 2];
    uint8_t       *digest_share = scratch;
    size_t         nbase;

    if (t == 1) {
        for (unsigned x = 0; x < count; x++)
            memcpy(shares + x * len, secret, len);
        return;
    }
    /* t - 2 random shares (uniform bytes, zero included), the digest share
     * at 254 and the secret at 255 fix the polynomial of degree t - 1. */
    nbase = 0;
    for (unsigned x = 0; x + 2 < t; x++) {
        rng_fill(rng, shares + x * len, x * len, len);
        SQ_CT_SECRET(shares + x * len, len);   /* the constant-time test tracks them */
        xs[nbase] = (uint8_t)x;
        ys[nbase++] = shares + x * len;
    }
    rng_fill(rng, digest_share + DIGEST_BYTES, (size_t)(t - 2) * len, len - DIGEST_BYTES);
    SQ_CT_SECRET(digest_share + DIGEST_BYTES, len - DIGEST_BYTES);
    make_digest(digest_share, digest_share + DIGEST_BYTES, len - DIGEST_BYTES, secret, len);
    xs[nbase] = DIGEST_INDEX;
    ys[nbase++] = digest_share;
    xs[nbase] = SECRET_INDEX;
    ys[nbase++] = secret;
    for (unsigned x = t - 2u; x < count; x++)
        sq_gf256_interpolate(shares + x * len, len, xs, ys, nbase, (uint8_t)x);
    sodium_memzero(digest_share, len);
}

struct sq_slip39_set {
    size_t   count;
    char    *text;       /* secret: count * SQ_SLIP39_MNEMONIC_CAP bytes */
    uint8_t  group[SQ_SLIP39_MAX_SHARES];
    uint8_t  member[SQ_SLIP39_MAX_SHARES];
};

size_t
sq_slip39_set_count(const sq_slip39_set *set)
{
    return set == NULL ? 0 : set->count;
}

const char *
sq_slip39_set_mnemonic(const sq_slip39_set *set, size_t i, unsigned *group, unsigned *member)
{
    if (set == NULL || i >= set->count)
        return NULL;
    if (group != NULL)
        *group = set->group[i];
    if (member != NULL)
        *member = set->member[i];
    return set->text + i * SQ_SLIP39_MNEMONIC_CAP;
}

void
sq_slip39_set_free(sq_slip39_set *set)
{
    if (set == NULL)
        return;
    sq_secret_free(set->text, SQ_SLIP39_MAX_SHARES * SQ_SLIP39_MNEMONIC_CAP);
    sodium_memzero(set, sizeof *set);
    sodium_free(set);
}

/* lt_mask: all ones when a < b (both below 2^31), without a branch */
static uint32_t
lt_mask(uint32_t a, uint32_t b)
{
    return 0u - ((a - b) >> 31);
}

/* words_to_text: the words, single spaces, NUL-terminated, into out
 * (SQ_SLIP39_MNEMONIC_CAP bytes). Word lengths depend on the secret words,
 * so each word is placed at a secret offset by writing every output position
 * through masks: no address or branch depends on a word. (Printing the text
 * reveals it anyway; the library itself does not.) */
static void
words_to_text(char *out, const uint16_t *words, size_t n)
{
    char     w[SQ_SLIP39_WORD_MAX + 1];
    uint32_t o = 0;     /* secret: where the next word starts */

    memset(out, 0, SQ_SLIP39_MNEMONIC_CAP);
    for (size_t i = 0; i < n; i++) {
        uint32_t wl = (uint32_t)sq_slip39_word_at(w, words[i]);

        /* the word and its trailing space, wl + 1 bytes */
        w[SQ_SLIP39_WORD_MAX] = 0;
        for (uint32_t k = 0; k <= SQ_SLIP39_WORD_MAX; k++) {
            uint32_t at = ~(lt_mask(k, wl) | lt_mask(wl, k));   /* k == wl */

            w[k] = (char)(((uint32_t)(uint8_t)w[k] & ~at) | (' ' & at));
        }
        for (uint32_t p = 0; p < SQ_SLIP39_MNEMONIC_CAP; p++) {
            uint32_t k = p - o;                                  /* wraps when p < o */
            uint32_t in = lt_mask(k, wl + 1) & ~lt_mask(p, o);
            uint32_t byte = 0;

            for (uint32_t j = 0; j <= SQ_SLIP39_WORD_MAX; j++) {
                uint32_t sel = ~(lt_mask(j, k) | lt_mask(k, j)); /* j == k */

                byte |= sel & (uint8_t)w[j];
            }
            out[p] = (char)((uint32_t)(uint8_t)out[p] | (byte & in));
        }
        o += wl + 1;
    }
    /* the last trailing space becomes the terminator */
    for (uint32_t p = 0; p < SQ_SLIP39_MNEMONIC_CAP; p++) {
        uint32_t last = ~(lt_mask(p, o - 1) | lt_mask(o - 1, p));

        out[p] = (char)((uint32_t)(uint8_t)out[p] & ~last);
    }
    sodium_memzero(w, sizeof w);
    sodium_memzero(&o, sizeof o);
}

static sq_err
split_common(sq_slip39_set **out, const uint8_t *secret, size_t secret_len,
             const char *passphrase, size_t passphrase_len, uint8_t group_threshold,
             const sq_slip39_group *groups, size_t group_count, uint8_t exponent,
             const uint8_t *seed, int fixed_id, sq_slip39_detail *d)
{
    split_rng        rng = { seed, 0xff };
    sq_slip39_set   *set = NULL;
    uint8_t         *mem = NULL;   /* secret: ems | group shares | member shares | scratch */
    size_t           memlen = 0;
    uint8_t         *ems, *gshares, *mshares, *scratch;
    uint16_t         words[SQ_SLIP39_MAX_WORDS];
    sq_slip39_share  sh;
    uint16_t         id;
    sq_err           ret = SQ_ERR_INVALID;

    *out = NULL;
    memset(&sh, 0, sizeof sh);
    detail_set(d, SQ_SLIP39_OK, 0, 0);
    if (!secret_len_ok(secret_len)) {
        detail_set(d, SQ_SLIP39_BAD_SECRET, 0, 0);
        goto out;
    }
    if (!passphrase_ok(passphrase, passphrase_len)) {
        detail_set(d, SQ_SLIP39_BAD_PASSPHRASE, 0, 0);
        goto out;
    }
    if (exponent > SQ_SLIP39_MAX_EXPONENT || group_count < 1
        || group_count > SQ_SLIP39_MAX_GROUPS || group_threshold < 1
        || group_threshold > group_count) {
        detail_set(d, SQ_SLIP39_BAD_LAYOUT, 0, 0);
        goto out;
    }
    for (size_t g = 0; g < group_count; g++) {
        const sq_slip39_group *gr = &groups[g];

        /* T = 1 implies N = 1: copies of one share would pose as many */
        if (gr->member_count < 1 || gr->member_count > SQ_SLIP39_MAX_MEMBERS
            || gr->member_threshold < 1 || gr->member_threshold > gr->member_count
            || (gr->member_threshold == 1 && gr->member_count != 1)) {
            detail_set(d, SQ_SLIP39_BAD_LAYOUT, 0, 0);
            if (d != NULL)
                d->group = (unsigned)g + 1;
            goto out;
        }
    }
    ret = SQ_ERR_NOMEM;
    memlen = secret_len * (1 + SQ_SLIP39_MAX_GROUPS + SQ_SLIP39_MAX_MEMBERS + 1);
    if ((mem = sq_secret_alloc(memlen)) == NULL)
        goto out;
    ems = mem;
    gshares = ems + secret_len;
    mshares = gshares + SQ_SLIP39_MAX_GROUPS * secret_len;
    scratch = mshares + SQ_SLIP39_MAX_MEMBERS * secret_len;
    if ((set = sodium_malloc(sizeof *set)) == NULL)
        goto out;
    memset(set, 0, sizeof *set);
    if ((set->text = sq_secret_alloc(SQ_SLIP39_MAX_SHARES * SQ_SLIP39_MNEMONIC_CAP)) == NULL)
        goto out;
    if (fixed_id >= 0) {
        id = (uint16_t)fixed_id;
    } else {
        sq_random_buf(&id, sizeof id);
        id &= (1u << ID_BITS) - 1;
    }
    ret = sq_slip39_encrypt(ems, secret, secret_len, passphrase, passphrase_len, exponent, id, true);
    if (ret != SQ_OK)
        goto out;
    split_secret(gshares, group_threshold, (uint8_t)group_count, ems, secret_len, scratch, &rng);
    for (size_t g = 0; g < group_count; g++) {
        rng.stream = (uint8_t)g;
        split_secret(mshares, groups[g].member_threshold, groups[g].member_count,
                     gshares + g * secret_len, secret_len, scratch, &rng);
        for (unsigned m = 0; m < groups[g].member_count; m++) {
            size_t nw;

            sh.id = id;
            sh.extendable = 1;
            sh.exponent = exponent;
            sh.group_index = (uint8_t)g;
            sh.group_threshold = group_threshold;
            sh.group_count = (uint8_t)group_count;
            sh.member_index = (uint8_t)m;
            sh.member_threshold = groups[g].member_threshold;
            sh.value_len = secret_len;
            memcpy(sh.value, mshares + m * secret_len, secret_len);
            nw = share_to_words(words, &sh);
            words_to_text(set->text + set->count * SQ_SLIP39_MNEMONIC_CAP, words, nw);
            set->group[set->count] = (uint8_t)g;
            set->member[set->count] = (uint8_t)m;
            set->count++;
        }
    }
    *out = set;
    set = NULL;
    ret = SQ_OK;
out:
    sq_slip39_share_wipe(&sh);
    sodium_memzero(words, sizeof words);
    sq_secret_free(mem, memlen);
    sq_slip39_set_free(set);
    return ret;
}

sq_err
sq_slip39_split(sq_slip39_set **out, const uint8_t *secret, size_t secret_len,
                const char *passphrase, size_t passphrase_len, uint8_t group_threshold,
                const sq_slip39_group *groups, size_t group_count, uint8_t exponent,
                sq_slip39_detail *d)
{
    return split_common(out, secret, secret_len, passphrase, passphrase_len, group_threshold,
                        groups, group_count, exponent, NULL, -1, d);
}

sq_err
sq_slip39_split_seeded(sq_slip39_set **out, const uint8_t *secret, size_t secret_len,
                       uint16_t id, uint8_t group_threshold, const sq_slip39_group *groups,
                       size_t group_count, uint8_t exponent, const uint8_t seed[32],
                       sq_slip39_detail *d)
{
    *out = NULL;
    if (id >= (1u << ID_BITS)) {
        detail_set(d, SQ_SLIP39_BAD_LAYOUT, 0, 0);
        return SQ_ERR_INVALID;
    }
    return split_common(out, secret, secret_len, "", 0, group_threshold, groups, group_count,
                        exponent, seed, id, d);
}

sq_err
sq_slip39_share_text(char out[SQ_SLIP39_MNEMONIC_CAP], const sq_slip39_share *s)
{
    uint16_t words[SQ_SLIP39_MAX_WORDS];
    size_t   nw;

    if (!secret_len_ok(s->value_len) || s->id >= (1u << ID_BITS) || s->extendable > 1
        || s->exponent > SQ_SLIP39_MAX_EXPONENT || s->group_count < 1
        || s->group_count > SQ_SLIP39_MAX_GROUPS || s->group_threshold < 1
        || s->group_threshold > s->group_count || s->group_index >= s->group_count
        || s->member_threshold < 1 || s->member_threshold > SQ_SLIP39_MAX_MEMBERS
        || s->member_index >= SQ_SLIP39_MAX_MEMBERS)
        return SQ_ERR_INVALID;
    nw = share_to_words(words, s);
    words_to_text(out, words, nw);
    sodium_memzero(words, sizeof words);
    return SQ_OK;
}

/* ---- combining ---- */

/* recover: the secret shared with threshold t among the given shares
 * (xs public, ys secret, n >= t). Uses the first t; every further share is
 * checked against the polynomial. For t >= 2 the digest share is checked.
 * Returns SQ_SLIP39_OK, SQ_SLIP39_DIGEST_MISMATCH or SQ_SLIP39_INCONSISTENT
 * (*bad = index among the n of the disagreeing share). */
static sq_slip39_problem
recover(uint8_t *out, size_t len, uint8_t t, const uint8_t *xs, const uint8_t *const *ys,
        size_t n, uint8_t *scratch, size_t *bad)
{
    sq_slip39_problem p = SQ_SLIP39_OK;
    uint8_t           digest[DIGEST_BYTES];
    int               bad_digest, differs;

    if (t == 1) {
        memcpy(out, ys[0], len);
    } else {
        sq_gf256_interpolate(out, len, xs, ys, t, SECRET_INDEX);
        sq_gf256_interpolate(scratch, len, xs, ys, t, DIGEST_INDEX);
        make_digest(digest, scratch + DIGEST_BYTES, len - DIGEST_BYTES, out, len);
        /* constant-time compare; only the verdict is revealed */
        bad_digest = sodium_memcmp(digest, scratch, DIGEST_BYTES) != 0;
        SQ_CT_DECLASSIFY(&bad_digest, sizeof bad_digest);
        if (bad_digest)
            p = SQ_SLIP39_DIGEST_MISMATCH;
    }
    for (size_t i = t; p == SQ_SLIP39_OK && i < n; i++) {
        if (t == 1)
            memcpy(scratch, ys[0], len);
        else
            sq_gf256_interpolate(scratch, len, xs, ys, t, xs[i]);
        differs = sodium_memcmp(scratch, ys[i], len) != 0;
        SQ_CT_DECLASSIFY(&differs, sizeof differs);   /* the verdict alone */
        if (differs) {
            p = SQ_SLIP39_INCONSISTENT;
            *bad = i;
        }
    }
    sodium_memzero(digest, sizeof digest);
    sodium_memzero(scratch, len);
    return p;
}

sq_err
sq_slip39_combine(uint8_t *out, size_t *out_len, const char *const *mnemonics,
                  const size_t *lens, size_t count, const char *passphrase,
                  size_t passphrase_len, bool allow_slow, sq_slip39_detail *d)
{
    sq_slip39_share *sh = NULL;      /* secret: count decoded shares */
    sq_err           ret = SQ_ERR_INVALID;

    *out_len = 0;
    sodium_memzero(out, SQ_SLIP39_MAX_SECRET_BYTES);
    detail_set(d, SQ_SLIP39_OK, 0, 0);
    if (count == 0) {
        detail_set(d, SQ_SLIP39_NO_SHARES, 0, 0);
        goto out;
    }
    if (count > SQ_SLIP39_MAX_SHARES) {
        ret = SQ_ERR_LIMIT;
        detail_set(d, SQ_SLIP39_TOO_MANY_SHARES, 0, 0);
        goto out;
    }
    if (!passphrase_ok(passphrase, passphrase_len)) {
        detail_set(d, SQ_SLIP39_BAD_PASSPHRASE, 0, 0);
        goto out;
    }
    ret = SQ_ERR_NOMEM;
    if ((sh = sq_secret_alloc(count * sizeof *sh)) == NULL)
        goto out;
    for (size_t i = 0; i < count; i++) {
        ret = sq_slip39_share_parse(&sh[i], mnemonics[i], lens[i], d);
        if (ret != SQ_OK) {
            if (d != NULL)
                d->share = (unsigned)i + 1;
            goto out;
        }
    }
    ret = sq_slip39_combine_shares(out, out_len, sh, count, passphrase, passphrase_len,
                                   allow_slow, d);
out:
    if (sh != NULL)
        sq_secret_free(sh, count * sizeof *sh);
    return ret;
}

sq_err
sq_slip39_combine_shares(uint8_t *out, size_t *out_len, const sq_slip39_share *sh,
                         size_t count, const char *passphrase, size_t passphrase_len,
                         bool allow_slow, sq_slip39_detail *d)
{
    uint8_t         *mem = NULL;     /* secret: group secrets | ems | scratch */
    size_t           memlen = 0;
    uint8_t         *gsecret, *ems, *scratch;
    size_t           len;
    unsigned         first_in_group[SQ_SLIP39_MAX_GROUPS];   /* 1-based share, 0 none */
    unsigned         have[SQ_SLIP39_MAX_GROUPS];
    unsigned         groups_present = 0;
    uint8_t          xs[SQ_SLIP39_MAX_SHARES];
    const uint8_t   *ys[SQ_SLIP39_MAX_SHARES];
    size_t           who[SQ_SLIP39_MAX_SHARES];
    const sq_slip39_share *s0;
    sq_err           ret = SQ_ERR_INVALID;

    *out_len = 0;
    detail_set(d, SQ_SLIP39_OK, 0, 0);
    if (count == 0) {
        detail_set(d, SQ_SLIP39_NO_SHARES, 0, 0);
        goto out;
    }
    if (count > SQ_SLIP39_MAX_SHARES) {
        ret = SQ_ERR_LIMIT;
        detail_set(d, SQ_SLIP39_TOO_MANY_SHARES, 0, 0);
        goto out;
    }
    if (!passphrase_ok(passphrase, passphrase_len)) {
        detail_set(d, SQ_SLIP39_BAD_PASSPHRASE, 0, 0);
        goto out;
    }
    /* set-wide parameters must agree with the first share */
    s0 = &sh[0];
    for (size_t i = 1; i < count; i++) {
        sq_slip39_problem p = SQ_SLIP39_OK;

        if (sh[i].id != s0->id)
            p = SQ_SLIP39_MIXED_ID;
        else if (sh[i].extendable != s0->extendable)
            p = SQ_SLIP39_MIXED_EXTENDABLE;
        else if (sh[i].exponent != s0->exponent)
            p = SQ_SLIP39_MIXED_EXPONENT;
        else if (sh[i].group_threshold != s0->group_threshold)
            p = SQ_SLIP39_MIXED_GROUP_THRESHOLD;
        else if (sh[i].group_count != s0->group_count)
            p = SQ_SLIP39_MIXED_GROUP_COUNT;
        else if (sh[i].value_len != s0->value_len)
            p = SQ_SLIP39_MIXED_LENGTH;
        if (p != SQ_SLIP39_OK) {
            detail_set(d, p, (unsigned)i + 1, 1);
            goto out;
        }
    }
    /* the cost cap comes before any PBKDF2 work */
    if (s0->exponent > SQ_SLIP39_READ_EXPONENT_CAP && !allow_slow) {
        ret = SQ_ERR_LIMIT;
        detail_set(d, SQ_SLIP39_SLOW_EXPONENT, 1, 0);
        if (d != NULL)
            d->value = s0->exponent;
        goto out;
    }
    memset(first_in_group, 0, sizeof first_in_group);
    memset(have, 0, sizeof have);
    for (size_t i = 0; i < count; i++) {
        unsigned g = sh[i].group_index;

        if (first_in_group[g] == 0) {
            first_in_group[g] = (unsigned)i + 1;
            groups_present++;
        } else if (sh[i].member_threshold != sh[first_in_group[g] - 1].member_threshold) {
            detail_set(d, SQ_SLIP39_MIXED_MEMBER_THRESHOLD, (unsigned)i + 1, first_in_group[g]);
            if (d != NULL)
                d->group = g + 1;
            goto out;
        }
        for (size_t j = 0; j < i; j++) {
            if (sh[j].group_index == g && sh[j].member_index == sh[i].member_index) {
                detail_set(d, SQ_SLIP39_DUPLICATE_MEMBER, (unsigned)i + 1, (unsigned)j + 1);
                if (d != NULL)
                    d->group = g + 1;
                goto out;
            }
        }
        have[g]++;
    }
    if (groups_present < s0->group_threshold) {
        detail_set(d, SQ_SLIP39_TOO_FEW_GROUPS, 0, 0);
        if (d != NULL) {
            d->have = groups_present;
            d->need = s0->group_threshold;
        }
        goto out;
    }
    for (unsigned g = 0; g < SQ_SLIP39_MAX_GROUPS; g++) {
        if (first_in_group[g] != 0 && have[g] < sh[first_in_group[g] - 1].member_threshold) {
            detail_set(d, SQ_SLIP39_TOO_FEW_MEMBERS, 0, 0);
            if (d != NULL) {
                d->group = g + 1;
                d->have = have[g];
                d->need = sh[first_in_group[g] - 1].member_threshold;
            }
            goto out;
        }
    }
    len = s0->value_len;
    ret = SQ_ERR_NOMEM;
    memlen = len * (SQ_SLIP39_MAX_GROUPS + 2);
    if ((mem = sq_secret_alloc(memlen)) == NULL)
        goto out;
    gsecret = mem;
    ems = gsecret + SQ_SLIP39_MAX_GROUPS * len;
    scratch = ems + len;
    ret = SQ_ERR_AUTH;
    for (unsigned g = 0; g < SQ_SLIP39_MAX_GROUPS; g++) {
        size_t            n = 0, bad = 0;
        sq_slip39_problem p;

        if (first_in_group[g] == 0)
            continue;
        for (size_t i = 0; i < count; i++) {
            if (sh[i].group_index == g) {
                xs[n] = sh[i].member_index;
                ys[n] = sh[i].value;
                who[n++] = i;
            }
        }
        p = recover(gsecret + g * len, len, sh[first_in_group[g] - 1].member_threshold, xs, ys,
                    n, scratch, &bad);
        if (p != SQ_SLIP39_OK) {
            detail_set(d, p, p == SQ_SLIP39_INCONSISTENT ? (unsigned)who[bad] + 1 : 0, 0);
            if (d != NULL)
                d->group = g + 1;
            goto out;
        }
    }
    {
        size_t            n = 0, bad = 0;
        sq_slip39_problem p;

        for (unsigned g = 0; g < SQ_SLIP39_MAX_GROUPS; g++) {
            if (first_in_group[g] != 0) {
                xs[n] = (uint8_t)g;
                ys[n] = gsecret + g * len;
                who[n++] = g;
            }
        }
        p = recover(ems, len, s0->group_threshold, xs, ys, n, scratch, &bad);
        if (p != SQ_SLIP39_OK) {
            detail_set(d, p, 0, 0);
            if (d != NULL && p == SQ_SLIP39_INCONSISTENT)
                d->group = (unsigned)who[bad] + 1;
            goto out;
        }
    }
    ret = sq_slip39_decrypt(out, ems, len, passphrase, passphrase_len, s0->exponent, s0->id,
                            s0->extendable != 0);
    if (ret != SQ_OK)
        goto out;
    *out_len = len;
out:
    sq_secret_free(mem, memlen);
    if (ret != SQ_OK)
        sodium_memzero(out, SQ_SLIP39_MAX_SECRET_BYTES);
    return ret;
}
