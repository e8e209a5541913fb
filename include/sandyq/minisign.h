/* sandyq/minisign.h: signatures in minisign's format, so that stock
 * `minisign -V` verifies what sandyq signs, and sandyq verifies minisign's.
 *
 * Public key file:  "untrusted comment: <text>\n" + base64("Ed" || keyid[8] || pk[32]) + "\n"
 * Signature file:   "untrusted comment: <text>\n"
 *                   base64(alg[2] || keyid[8] || sig[64]) + "\n"
 *                   "trusted comment: <text>\n"
 *                   base64(global_sig[64]) + "\n"
 * alg "ED": sig = Ed25519(BLAKE2b-512(file)) (prehashed; the only kind
 * sandyq makes); alg "Ed": sig = Ed25519(file) (legacy; verified only).
 * global_sig = Ed25519(sig || trusted comment text).
 *
 * Base64 is standard with padding and must decode to exactly the expected
 * length (non-canonical trailing bits included); anything else is
 * SQ_ERR_FORMAT. Lines end in "\n" or "\r\n"; no other '\r', no NUL.
 *
 * Comment caps follow what stock minisign 0.11 reads (fixed fgets buffers of
 * 1024 bytes for the untrusted comment line and 8192 for the trusted one,
 * prefix and "\n" included), so every comment sandyq writes is read back
 * whole by minisign and every signature minisign writes is read here. */
#ifndef SANDYQ_MINISIGN_H
#define SANDYQ_MINISIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sandyq/error.h"

#define SQ_MINISIGN_KEYID_BYTES     8
#define SQ_MINISIGN_PK_BYTES        32
#define SQ_MINISIGN_SK_BYTES        64   /* libsodium's Ed25519 secret key (seed || pk) */
#define SQ_MINISIGN_SIG_BYTES       64
#define SQ_MINISIGN_COMMENT_MAX     1003 /* bytes of an untrusted comment's text */
#define SQ_MINISIGN_TRUSTED_COMMENT_MAX 8173 /* bytes of the trusted comment's text */
#define SQ_MINISIGN_SIG_FILE_MAX    16384 /* a larger .minisig file is refused */
/* legacy (non-prehashed) signatures need the whole file in memory */
#define SQ_MINISIGN_LEGACY_MAX      ((uint64_t)1 << 30)

typedef struct {
    uint8_t keyid[SQ_MINISIGN_KEYID_BYTES];
    uint8_t pk[SQ_MINISIGN_PK_BYTES];
} sq_minisign_pubkey;

typedef struct {
    bool    prehashed;                         /* "ED" (true) or "Ed" */
    uint8_t keyid[SQ_MINISIGN_KEYID_BYTES];
    uint8_t sig[SQ_MINISIGN_SIG_BYTES];
    char    trusted_comment[SQ_MINISIGN_TRUSTED_COMMENT_MAX + 1];   /* NUL-terminated */
    size_t  trusted_comment_len;
    uint8_t global_sig[SQ_MINISIGN_SIG_BYTES];
} sq_minisign_sig;

/* sq_minisign_keyid: sandyq's key id for an Ed25519 public key (minisign
 * draws its ids at random; sandyq derives them so that `keygen --public`
 * and `identity` print the same file every time): the first 8 bytes of
 * BLAKE2b-256("sandyq/v1/minisign-keyid" || pk). */
void   sq_minisign_keyid(uint8_t keyid[SQ_MINISIGN_KEYID_BYTES], const uint8_t pk[SQ_MINISIGN_PK_BYTES]);

/* sq_minisign_pubkey_parse: a public key file ("untrusted comment: " line of
 * at most SQ_MINISIGN_COMMENT_MAX bytes of text, then the base64 line; a
 * final newline optional; \r\n accepted; nothing after it) or the bare
 * base64 line alone (as `minisign -P` takes it). SQ_ERR_FORMAT for anything
 * else, SQ_ERR_UNSUPPORTED for an algorithm other than "Ed", SQ_ERR_LIMIT
 * for text far longer than a key file; on failure *out is zeroed. */
sq_err sq_minisign_pubkey_parse(sq_minisign_pubkey *out, const char *text, size_t len);

/* sq_minisign_pubkey_serialize: exactly what `minisign -G` writes:
 * "untrusted comment: minisign public key <KEYID>\n<base64>\n", KEYID
 * printed as minisign prints it: the 8 id bytes read as a little-endian u64,
 * in uppercase hex zero-padded to 16 digits (printf "%016" PRIX64), so the
 * bytes c7 f3 8d e7 57 f9 99 cc print as CC99F957E78DF3C7. NUL-terminated;
 * *len without the NUL. SQ_ERR_INVALID if cap is too small
 * (SQ_MINISIGN_PUBKEY_FILE_BYTES + 1 always fits). */
#define SQ_MINISIGN_PUBKEY_FILE_BYTES 113
sq_err sq_minisign_pubkey_serialize(char *out, size_t cap, size_t *len, const sq_minisign_pubkey *pk);

/* sq_minisign_sig_parse: a .minisig file (four lines as above; final newline
 * optional; nothing after it). Comments must be at most
 * SQ_MINISIGN_COMMENT_MAX (untrusted) or SQ_MINISIGN_TRUSTED_COMMENT_MAX
 * (trusted) bytes and hold no NUL or lone '\r' (else SQ_ERR_FORMAT); an
 * algorithm other than "ED"/"Ed" is SQ_ERR_UNSUPPORTED; a file above
 * SQ_MINISIGN_SIG_FILE_MAX bytes is SQ_ERR_LIMIT. On failure *out is
 * zeroed. */
sq_err sq_minisign_sig_parse(sq_minisign_sig *out, const char *text, size_t len);

/* sq_minisign_sig_serialize: the four-line file of sig into a malloc'd
 * NUL-terminated *out ("\n" line ends). untrusted_comment as for
 * sq_minisign_sign_fd. SQ_ERR_INVALID for a comment that breaks the caps or
 * holds '\r', '\n' or (trusted) a NUL inside trusted_comment_len. */
sq_err sq_minisign_sig_serialize(char **out, size_t *out_len, const sq_minisign_sig *sig,
                                 const char *untrusted_comment);

/* sq_minisign_sign_fd: reads fd to its end (streaming BLAKE2b-512) and makes
 * a prehashed signature file into a malloc'd NUL-terminated *out. sk is the
 * 64-byte libsodium secret key; the key id is derived from its public half.
 * trusted_comment: no '\r' or '\n', <= SQ_MINISIGN_TRUSTED_COMMENT_MAX
 * bytes (else SQ_ERR_INVALID); NULL gives "timestamp:<unix time>" (minisign
 * starts its default the same way). untrusted_comment: no '\r' or '\n',
 * <= SQ_MINISIGN_COMMENT_MAX bytes; NULL gives "signature from sandyq
 * secret key". SQ_ERR_IO for a read failure. */
sq_err sq_minisign_sign_fd(char **out, size_t *out_len, int fd, const uint8_t sk[SQ_MINISIGN_SK_BYTES],
                           const char *trusted_comment, const char *untrusted_comment);

/* sq_minisign_verify_fd: reads fd to its end and checks sig against pk:
 * SQ_ERR_INVALID if the key ids differ (the signature is for another key;
 * checked before reading) or trusted_comment_len is above its cap,
 * SQ_ERR_AUTH if the signature or the global signature (trusted comment)
 * does not verify, SQ_ERR_LIMIT for a legacy signature over a file above
 * SQ_MINISIGN_LEGACY_MAX, SQ_ERR_UNSUPPORTED for a legacy signature over
 * exactly 64 bytes (indistinguishable from a prehashed signature relabelled
 * as legacy: the algorithm bytes are not signed), SQ_ERR_IO for a read
 * failure. sq_minisign_verify_buffer follows the same rules. */
sq_err sq_minisign_verify_fd(const sq_minisign_pubkey *pk, const sq_minisign_sig *sig, int fd);

/* sq_minisign_verify_comment: only the global signature (sig || trusted
 * comment), which needs no message: SQ_OK, SQ_ERR_AUTH when the trusted
 * comment or the signature bytes were altered, SQ_ERR_INVALID for a key id
 * mismatch or a bogus trusted_comment_len. Lets a caller say which part of
 * a signature file failed; sq_minisign_verify_fd checks it too. */
sq_err sq_minisign_verify_comment(const sq_minisign_pubkey *pk, const sq_minisign_sig *sig);

/* The same over a buffer (tests, fuzzing, small messages). */
sq_err sq_minisign_sign_buffer(char **out, size_t *out_len, const uint8_t *msg, size_t msg_len,
                               const uint8_t sk[SQ_MINISIGN_SK_BYTES], const char *trusted_comment,
                               const char *untrusted_comment);
sq_err sq_minisign_verify_buffer(const sq_minisign_pubkey *pk, const sq_minisign_sig *sig,
                                 const uint8_t *msg, size_t msg_len);

#endif
