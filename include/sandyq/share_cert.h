/* sandyq/share_cert.h: share certificates and set statements (FORMAT.md 17).
 *
 * A share certificate is a short signed text printed beside a SLIP-0039
 * share. It names the level (its fingerprint and the minisign key id of its
 * share-certificate key), the set (identifier, generation), the share's
 * place in the set (group, member, thresholds, secret length) and the
 * SHA-256 of the share's words under a domain label. With the level's
 * public key anyone can check one share on its own, before any quorum is
 * gathered: that it belongs to this level, to which set, and that its words
 * were not mistyped or swapped, without learning anything about the secret.
 *
 * A set statement is one signed line of `sandyq identity --purpose shares`
 * saying which set (identifier and generation) is current, or that none is
 * after a given generation, so a share of a replaced set is refused as
 * superseded rather than merely failing to combine.
 *
 * Both are signed with sq_domain_sign (src/sign/domain_sig.h), purposes
 * "share-certificate" and "share-set", over binary messages that carry the
 * public key itself, so a signature cannot be moved to another key's text.
 *
 * Parsing is strict and has exactly one encoding: a reader re-serializes
 * what it parsed and compares the bytes, so two different texts never carry
 * the same certificate (nothing can be hidden in spacing, case, leading
 * zeros or base64 slack). Parsing never checks a signature; _verify does,
 * against a key the caller pinned. This module only formats and checks: it
 * never touches a vault, never prints. */
#ifndef SANDYQ_SHARE_CERT_H
#define SANDYQ_SHARE_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sandyq/error.h"

#define SQ_SHARE_CERT_MAX_BYTES 4096     /* a larger certificate text is refused */
#define SQ_SHARE_FPR_CHARS      35       /* "12345 12345 12345 12345 12345 12345" */
/* longest statement line, "\n" included, without the NUL:
 * "sandyq share set: none after generation 4294967295 issued <20> signature <88>\n" */
#define SQ_SHARE_STATEMENT_MAX_BYTES 178

typedef struct {
    char     fingerprint[SQ_SHARE_FPR_CHARS + 1];  /* the level's fingerprint text, NUL-terminated */
    uint8_t  key_pk[32];        /* the level's share-certificate Ed25519 public key (not in the text: the
                                   text has its minisign key id; _parse leaves it zero, _verify takes pk) */
    uint16_t id;                /* SLIP-0039 identifier, < 2^15 */
    uint32_t generation;        /* >= 1 */
    uint8_t  group_index, group_count, group_threshold;   /* index < count <= 16, 1 <= threshold <= count */
    uint8_t  member_index, member_threshold;              /* index < 16, 1 <= threshold <= 16 */
    uint8_t  length;            /* 16 or 32 */
    int64_t  issued;            /* unix seconds, years 1970..9999 */
    uint8_t  share_hash[32];
    uint8_t  keyid[8];          /* parsed from the key line; _sign computes it from key_pk */
    uint8_t  signature[64];
} sq_share_cert;

/* sq_share_hash: SHA-256("sandyq/v1/share-hash" || 0x00 || mnemonic), the
 * mnemonic as canonical text (lowercase words, single spaces, no line end;
 * the caller canonicalizes). The mnemonic is secret: the hash state is
 * wiped. The hash is not: 32 bytes of SHA-256 over a 128- or 256-bit
 * secret reveal nothing usable. */
void   sq_share_hash(uint8_t out[32], const char *mnemonic, size_t len);

/* sq_share_cert_sign: fills c->keyid (sq_minisign_keyid of c->key_pk) and
 * c->signature from sk (libsodium's 64-byte Ed25519 secret key; c->key_pk
 * must be the public key its seed derives: SQ_ERR_INVALID otherwise) and
 * writes the certificate text NUL-terminated into out (cap bytes;
 * SQ_ERR_LIMIT if short; SQ_SHARE_CERT_MAX_BYTES + 1 always fits); *len
 * excludes the NUL. SQ_ERR_INVALID for out-of-range fields (see the struct)
 * or a fingerprint not of the form above. On failure out is "" (when cap >
 * 0), *len is 0 and c->keyid, c->signature are zeroed. */
sq_err sq_share_cert_sign(char *out, size_t cap, size_t *len, sq_share_cert *c, const uint8_t sk[64]);

/* sq_share_cert_text: the text of c exactly as _sign writes it, from the
 * fields as they are (keyid and signature included; nothing is signed or
 * checked against a key). The one serializer: _sign writes with it and
 * _parse compares the input against it. SQ_ERR_INVALID for out-of-range
 * fields, SQ_ERR_LIMIT if cap is short; out and *len as for _sign. */
sq_err sq_share_cert_text(char *out, size_t cap, size_t *len, const sq_share_cert *c);

/* sq_share_cert_parse: exactly one certificate block, from the BEGIN line
 * through the END line and its "\n" (that last "\n" may be missing);
 * nothing before or after. Strict: exact line order and spelling, decimal
 * without leading zeros, upper-case hex for the key id and lower-case for
 * the hash, canonical padded base64, "\n" line ends only (no "\r"), ranges
 * checked, and re-serializing the parsed fields must give the same bytes.
 * SQ_ERR_FORMAT for anything else; SQ_ERR_LIMIT above
 * SQ_SHARE_CERT_MAX_BYTES (checked first). Does not verify the signature;
 * c->key_pk is left zero. On failure *c is zeroed. */
sq_err sq_share_cert_parse(sq_share_cert *c, const char *text, size_t len);

/* sq_share_cert_find: the first certificate block inside a larger text (a
 * file with the share's words, a mail): *off is where its BEGIN line starts
 * (a line starting with the BEGIN marker), *blen runs through the first
 * later line starting with the END marker, its "\n" included when present;
 * pass them to _parse, which judges the block. SQ_ERR_NOTFOUND if no line
 * starts with the BEGIN marker; SQ_ERR_FORMAT if no END line follows it.
 * *off and *blen are 0 on failure. */
sq_err sq_share_cert_find(const char *text, size_t len, size_t *off, size_t *blen);

/* sq_share_cert_verify: SQ_OK when c->signature is pk's signature (purpose
 * "share-certificate") of the message of FORMAT.md 17 built from c's fields
 * and this pk (c->key_pk is ignored), and c->keyid equals
 * sq_minisign_keyid(pk). SQ_ERR_AUTH otherwise: a keyid mismatch too
 * (callers compare keyids first to word their message), and a struct with
 * out-of-range fields, which _parse never gives. */
sq_err sq_share_cert_verify(const sq_share_cert *c, const uint8_t pk[32]);

typedef struct {
    bool     current;           /* false: "none after generation N" */
    uint16_t id;                /* 0 when !current; else < 2^15 */
    uint32_t generation;        /* current: >= 1; none: >= 0 */
    int64_t  issued;            /* unix seconds, years 1970..9999 */
    uint8_t  signature[64];
} sq_share_statement;

/* sq_share_statement_sign: fills s->signature (purpose "share-set") and
 * writes the one line "sandyq share set: ...\n" (FORMAT.md 17)
 * NUL-terminated into out (SQ_SHARE_STATEMENT_MAX_BYTES + 1 always fits;
 * SQ_ERR_LIMIT if cap is short); *len excludes the NUL. pk must be the
 * public key sk's seed derives, and the fields in range (a "none" statement
 * has id 0): SQ_ERR_INVALID otherwise. On failure out is "" (when cap > 0),
 * *len is 0 and s->signature is zeroed. */
sq_err sq_share_statement_sign(char *out, size_t cap, size_t *len, sq_share_statement *s,
                               const uint8_t pk[32], const uint8_t sk[64]);

/* sq_share_statement_text: the line of s exactly as _sign writes it, from
 * the fields as they are (the one serializer, as sq_share_cert_text).
 * SQ_ERR_INVALID for out-of-range fields, SQ_ERR_LIMIT if cap is short. */
sq_err sq_share_statement_text(char *out, size_t cap, size_t *len, const sq_share_statement *s);

/* sq_share_statement_find_parse: scans text line by line (lines end at
 * "\n"; the last may lack it) for the first line starting
 * "sandyq share set: " and parses that line strictly (one encoding, as for
 * certificates; a "\r" before its "\n" is refused): SQ_ERR_FORMAT if it is
 * malformed, SQ_ERR_NOTFOUND if no line starts so. Later statement lines
 * are not looked at. Does not verify. On failure *s is zeroed. */
sq_err sq_share_statement_find_parse(sq_share_statement *s, const char *text, size_t len);

/* sq_share_statement_verify: SQ_OK when s->signature is pk's signature
 * (purpose "share-set") of the statement message of FORMAT.md 17 built
 * from s's fields and pk; SQ_ERR_AUTH otherwise (out-of-range fields
 * included). */
sq_err sq_share_statement_verify(const sq_share_statement *s, const uint8_t pk[32]);

#endif
