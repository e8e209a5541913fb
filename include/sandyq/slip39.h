/* sandyq/slip39.h: SLIP-0039 Shamir secret sharing for mnemonic codes.
 *
 * Follows SLIP-0039 exactly (two-level group sharing over GF(256) with the
 * digest share, RS1024 checksum, 4-round PBKDF2-HMAC-SHA256 Feistel
 * encryption), so any SLIP-0039 implementation recovers what we split and
 * we recover theirs. New shares are written with the extendable flag set;
 * shares with either flag are read. Mnemonics and recovered secrets are
 * secret: they live in sq_secret_alloc memory and are wiped when freed.
 *
 * Every refusal comes with an sq_slip39_detail naming the problem, the share
 * (1-based, in input order) and where useful the word (1-based), so a user
 * can find the word they mistyped. */
#ifndef SANDYQ_SLIP39_H
#define SANDYQ_SLIP39_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sandyq/error.h"

#define SQ_SLIP39_MIN_SECRET_BYTES  16   /* 128 bits, by the spec */
#define SQ_SLIP39_MAX_SECRET_BYTES  64   /* our cap: 512 bits, 59-word shares */
#define SQ_SLIP39_MAX_GROUPS        16
#define SQ_SLIP39_MAX_MEMBERS       16
#define SQ_SLIP39_MAX_SHARES        256  /* most mnemonics combine accepts */
#define SQ_SLIP39_MAX_EXPONENT      15   /* 4 bits */
#define SQ_SLIP39_READ_EXPONENT_CAP 5    /* above: refused unless allow_slow */
#define SQ_SLIP39_MIN_WORDS         20
#define SQ_SLIP39_MAX_WORDS         59   /* 7 + ceil(8 * 64 / 10) */
/* longest mnemonic text written: 59 words of at most 8 letters, spaces, NUL */
#define SQ_SLIP39_MNEMONIC_CAP      (SQ_SLIP39_MAX_WORDS * 9)
#define SQ_SLIP39_PASSPHRASE_MAX    1024

typedef enum {
    SQ_SLIP39_OK = 0,
    SQ_SLIP39_NO_SHARES,        /* combine called with no mnemonics */
    SQ_SLIP39_TOO_MANY_SHARES,  /* more than SQ_SLIP39_MAX_SHARES */
    SQ_SLIP39_BAD_WORD,         /* share, word: not in the word list */
    SQ_SLIP39_BAD_LENGTH,       /* share: word count not a valid share length */
    SQ_SLIP39_BAD_CHECKSUM,     /* share: RS1024 checksum fails; word: the one
                                   position whose change would make it pass
                                   (0: more than one word is wrong) */
    SQ_SLIP39_BAD_PADDING,      /* share: padding bits not zero */
    SQ_SLIP39_BAD_GROUP_THRESHOLD, /* share: group threshold above group count */
    SQ_SLIP39_MIXED_ID,         /* share vs other: different identifiers */
    SQ_SLIP39_MIXED_EXTENDABLE, /* share vs other: different extendable flags */
    SQ_SLIP39_MIXED_EXPONENT,   /* share vs other: different iteration exponents */
    SQ_SLIP39_MIXED_GROUP_THRESHOLD,
    SQ_SLIP39_MIXED_GROUP_COUNT,
    SQ_SLIP39_MIXED_LENGTH,     /* share vs other: different secret lengths */
    SQ_SLIP39_MIXED_MEMBER_THRESHOLD, /* share vs other, same group */
    SQ_SLIP39_DUPLICATE_MEMBER, /* share vs other: same group and member index */
    SQ_SLIP39_TOO_FEW_GROUPS,   /* have groups of need */
    SQ_SLIP39_TOO_FEW_MEMBERS,  /* group: have shares of need */
    SQ_SLIP39_DIGEST_MISMATCH,  /* group (0: the group level): wrong shares */
    SQ_SLIP39_INCONSISTENT,     /* share (group if share is 0): an extra share
                                   beyond the threshold disagrees with the rest */
    SQ_SLIP39_SLOW_EXPONENT,    /* share: iteration exponent above the read cap */
    SQ_SLIP39_BAD_PASSPHRASE,   /* passphrase not printable ASCII */
    SQ_SLIP39_BAD_SECRET,       /* split: secret length not 16..64 and even */
    SQ_SLIP39_BAD_LAYOUT        /* split: thresholds/counts out of range */
} sq_slip39_problem;

typedef struct {
    sq_slip39_problem problem;
    unsigned share;        /* 1-based input position, 0 when not about one share */
    unsigned other;        /* the earlier share it conflicts with, 0 if none */
    unsigned word;         /* 1-based word position, 0 if none */
    unsigned group;        /* 1-based group number, 0 if none / the group level */
    unsigned have, need;   /* counts for TOO_FEW_* */
    unsigned value;        /* the offending value (exponent, ...) */
} sq_slip39_detail;

/* sq_slip39_problem_str: a short lowercase phrase for a problem, never NULL. */
const char *sq_slip39_problem_str(sq_slip39_problem p);

/* One decoded share. value is secret: wipe with sq_slip39_share_wipe. */
typedef struct {
    uint16_t id;                /* 15 bits */
    uint8_t  extendable;        /* 0 or 1 */
    uint8_t  exponent;          /* 0..15 */
    uint8_t  group_index;       /* 0..15 */
    uint8_t  group_threshold;   /* 1..16 */
    uint8_t  group_count;       /* 1..16 */
    uint8_t  member_index;      /* 0..15 */
    uint8_t  member_threshold;  /* 1..16 */
    size_t   value_len;         /* 16..64, even */
    uint8_t  value[SQ_SLIP39_MAX_SECRET_BYTES];
} sq_slip39_share;

/* sq_slip39_share_parse: decodes one mnemonic (words separated by spaces,
 * tabs or line ends; case-insensitive). The only entry point for untrusted
 * text. SQ_ERR_FORMAT with *d filled (share = 1, word) when it is not a
 * valid share; d may be NULL. *out is wiped on failure. */
sq_err sq_slip39_share_parse(sq_slip39_share *out, const char *text, size_t len,
                             sq_slip39_detail *d);

void sq_slip39_share_wipe(sq_slip39_share *s);

/* sq_slip39_word_lookup: the index of one word of the list (letters,
 * either case), found in constant time (a typed word is secret); false if
 * it is not in the list. */
bool sq_slip39_word_lookup(uint16_t *index, const char *word, size_t len);

/* sq_slip39_share_decode: the same from word indexes (10-bit values, e.g.
 * typed word by word); n is the word count. */
sq_err sq_slip39_share_decode(sq_slip39_share *out, const uint16_t *words, size_t n,
                              sq_slip39_detail *d);

/* A member layout for one group: member_threshold of member_count. */
typedef struct {
    uint8_t member_threshold;   /* 1..16; 1 requires member_count 1 */
    uint8_t member_count;       /* 1..16 */
} sq_slip39_group;

typedef struct sq_slip39_set sq_slip39_set;

/* sq_slip39_split: splits secret (16..64 bytes, even) into mnemonics with
 * group_threshold of group_count groups, group i needing groups[i]. The
 * passphrase must be printable ASCII (may be empty); exponent 0..15. New
 * shares carry ext = 1 and a random 15-bit identifier. SQ_ERR_INVALID with
 * *d filled for a bad layout, secret or passphrase. */
sq_err sq_slip39_split(sq_slip39_set **out, const uint8_t *secret, size_t secret_len,
                       const char *passphrase, size_t passphrase_len,
                       uint8_t group_threshold, const sq_slip39_group *groups,
                       size_t group_count, uint8_t exponent, sq_slip39_detail *d);

/* sq_slip39_split_seeded: the split of a vault's share set (FORMAT.md 17):
 * empty passphrase, identifier id (< 2^15), and every random value taken
 * from a ChaCha20 keystream of seed, one stream per split. The same inputs
 * give the same mnemonics, and raising a group's member_count adds shares
 * without changing the others. The seed is as secret as the secret. */
sq_err sq_slip39_split_seeded(sq_slip39_set **out, const uint8_t *secret, size_t secret_len,
                              uint16_t id, uint8_t group_threshold, const sq_slip39_group *groups,
                              size_t group_count, uint8_t exponent, const uint8_t seed[32],
                              sq_slip39_detail *d);

/* sq_slip39_share_text: the canonical mnemonic of a decoded share
 * (lowercase, single spaces, NUL-terminated; secret). SQ_ERR_INVALID for
 * fields out of range. */
sq_err sq_slip39_share_text(char out[SQ_SLIP39_MNEMONIC_CAP], const sq_slip39_share *s);

/* The mnemonics of a set, group by group, member by member. */
size_t      sq_slip39_set_count(const sq_slip39_set *set);
/* sq_slip39_set_mnemonic: mnemonic i (NUL-terminated, lowercase, single
 * spaces); *group and *member (0-based) may be NULL. NULL past the end. */
const char *sq_slip39_set_mnemonic(const sq_slip39_set *set, size_t i,
                                   unsigned *group, unsigned *member);
void        sq_slip39_set_free(sq_slip39_set *set);

/* sq_slip39_combine: recovers the master secret from count mnemonics.
 * out must hold SQ_SLIP39_MAX_SECRET_BYTES. Every share given is either used
 * or checked against the ones used; an incomplete group is refused. Share
 * exponents above SQ_SLIP39_READ_EXPONENT_CAP are refused before any work
 * unless allow_slow. Errors: SQ_ERR_FORMAT (a share does not decode),
 * SQ_ERR_INVALID (a set that does not fit together, too few shares, bad
 * passphrase), SQ_ERR_AUTH (digest mismatch or inconsistent extra share),
 * SQ_ERR_LIMIT (slow exponent, too many shares), SQ_ERR_NOMEM; *d says
 * which share, word or group (d may be NULL). A wrong passphrase is not
 * detectable (SLIP-0039 by design): it gives a different secret. */
sq_err sq_slip39_combine(uint8_t *out, size_t *out_len, const char *const *mnemonics,
                         const size_t *lens, size_t count, const char *passphrase,
                         size_t passphrase_len, bool allow_slow, sq_slip39_detail *d);

/* sq_slip39_combine_shares: the same from decoded shares (share numbers in
 * *d are 1-based positions in sh). */
sq_err sq_slip39_combine_shares(uint8_t *out, size_t *out_len, const sq_slip39_share *sh,
                                size_t count, const char *passphrase, size_t passphrase_len,
                                bool allow_slow, sq_slip39_detail *d);

/* sq_slip39_encrypt / _decrypt: the SLIP-0039 Feistel cipher on len bytes
 * (even, 16..64); exposed for tests. */
sq_err sq_slip39_encrypt(uint8_t *out, const uint8_t *in, size_t len, const char *passphrase,
                         size_t passphrase_len, uint8_t exponent, uint16_t id, bool extendable);
sq_err sq_slip39_decrypt(uint8_t *out, const uint8_t *in, size_t len, const char *passphrase,
                         size_t passphrase_len, uint8_t exponent, uint16_t id, bool extendable);

#endif
