/* sandyq/identity.h: identity files, usable by sandyq and by stock age.
 *
 * Clear form (docs/FORMAT.md "Identity files"), lines ending in "\n":
 *   # created: 2026-11-27T09:00:00Z
 *   # public key: age1...
 *   # sandyq-ed25519-secret: <standard base64 of the 32-byte Ed25519 seed>
 *   AGE-SECRET-KEY-1...
 * Stock age reads only '#' lines, AGE-SECRET-KEY-1 and AGE-PLUGIN- lines,
 * so it uses the X25519 key and ignores the rest. The X25519 and Ed25519
 * keys are drawn independently.
 *
 * Protected form (the default): an age file (binary or armored) with a
 * single scrypt stanza whose plaintext is the clear form, which stock
 * `age -d -i FILE` also accepts after asking for the passphrase.
 *
 * Parsing accepts files written by sandyq or by age-keygen: any number of
 * AGE-SECRET-KEY-1 lines, '#' comment lines, blank lines; at most one
 * sandyq-ed25519-secret line; AGE-PLUGIN- (and AGE-SECRET-KEY-PQ-) lines
 * are refused (SQ_ERR_UNSUPPORTED). Lines are read as stock age reads them:
 * split at "\n", one "\r" before it dropped, the last "\n" optional. Every
 * secret lives in sq_secret memory. */
#ifndef SANDYQ_IDENTITY_H
#define SANDYQ_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sandyq/age.h"
#include "sandyq/error.h"
#include "sandyq/minisign.h"

#define SQ_IDENTITY_MAX_KEYS      64               /* X25519 keys in one file */
#define SQ_IDENTITY_FILE_MAX      ((size_t)1 << 16) /* larger files are refused */
/* "12345 67890 12345 67890 12345 67890": six groups of five digits */
#define SQ_IDENTITY_FINGERPRINT_CHARS 35

typedef struct sq_identity sq_identity;

/* sq_identity_generate: one fresh X25519 key and one fresh Ed25519 key. */
sq_err sq_identity_generate(sq_identity **out);

/* sq_identity_parse: the keys of an identity file's bytes. A protected file
 * (it starts as an age file does) needs passphrase (bytes as typed; NULL
 * gives SQ_ERR_INVALID, so the caller can ask sq_identity_is_protected
 * first); a wrong one gives SQ_ERR_AUTH. Malformed text: SQ_ERR_FORMAT; no
 * key at all: SQ_ERR_NOTFOUND; plugin identities: SQ_ERR_UNSUPPORTED;
 * files over SQ_IDENTITY_FILE_MAX (either form; also the plaintext of a
 * protected one) or more than SQ_IDENTITY_MAX_KEYS keys: SQ_ERR_LIMIT. A
 * protected file that decrypts but is damaged (no final chunk) is
 * SQ_ERR_FORMAT, as is one whose plaintext is not a clear form (one layer
 * only). max_log_n caps the scrypt work factor of a protected file
 * (0: SQ_AGE_SCRYPT_LOG_N_MAX). */
sq_err sq_identity_parse(sq_identity **out, const uint8_t *data, size_t len,
                         const uint8_t *passphrase, size_t passphrase_len, uint8_t max_log_n);

/* sq_identity_is_protected: true when data is an age file (binary header
 * line or armor), i.e. a passphrase is needed. */
bool   sq_identity_is_protected(const uint8_t *data, size_t len);

/* sq_identity_serialize: the file's bytes into a malloc'd *out: the clear
 * form when passphrase is NULL, else the protected form (binary age, scrypt
 * with work factor log_n; 0 gives SQ_AGE_SCRYPT_LOG_N_DEFAULT). created is a
 * Unix time for the "# created:" line. Only for an identity that has exactly
 * one X25519 key and a signing key (SQ_ERR_INVALID otherwise). The clear form
 * is built in secret memory; *out of a clear form holds secrets: the caller
 * wipes it (sodium_memzero) before free. */
sq_err sq_identity_serialize(uint8_t **out, size_t *out_len, const sq_identity *id, int64_t created,
                             const uint8_t *passphrase, size_t passphrase_len, uint8_t log_n);

/* Keys held. */
size_t sq_identity_x25519_count(const sq_identity *id);
/* the secret and public X25519 keys number i (< count); pointers into id */
const uint8_t *sq_identity_x25519_secret(const sq_identity *id, size_t i);
const uint8_t *sq_identity_x25519_public(const sq_identity *id, size_t i);
bool   sq_identity_has_signing_key(const sq_identity *id);
/* libsodium's 64-byte Ed25519 secret key, or NULL without a signing key */
const uint8_t *sq_identity_signing_secret(const sq_identity *id);
/* the Ed25519 public key, or NULL */
const uint8_t *sq_identity_signing_public(const sq_identity *id);

/* sq_identity_fingerprint: what a person reads over the phone to compare
 * two copies of the public keys: six groups of five decimal digits
 * separated by spaces, NUL-terminated (cap > SQ_IDENTITY_FINGERPRINT_CHARS).
 * Group j is LE40(h[5j..5j+5)) mod 100000, h = BLAKE2b-256(
 * "sandyq/v1/identity-fingerprint" || x25519 public || ed25519 public),
 * where a missing Ed25519 key counts as 32 zero bytes. Over the first
 * X25519 key. */
sq_err sq_identity_fingerprint(char *out, size_t cap, const uint8_t x25519_pk[SQ_AGE_KEY_BYTES],
                               const uint8_t *ed25519_pk);

/* sq_identity_public_text: what `keygen` and `keygen --public` print, into
 * a malloc'd NUL-terminated *out:
 *   age recipient: age1...
 *   <minisign public key file, two lines>
 *   fingerprint: 12345 67890 ...
 * (minisign lines only with a signing key; one "age recipient:" line per
 * X25519 key, in file order; the fingerprint over the first). */
sq_err sq_identity_public_text(char **out, size_t *out_len, const sq_identity *id);

/* sq_identity_free: wipes every secret; NULL is ignored. */
void   sq_identity_free(sq_identity *id);

#endif
