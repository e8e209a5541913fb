/* domain_sig.h: Ed25519 signatures for sandyq's own structures (private).
 *
 * sandyq signs things that are not minisign files (share certificates,
 * custody checkpoints). Each such signature is Ed25519 (pure, RFC 8032) over
 *
 *     "sandyq/v1/sig/" || purpose || 0x00 || message
 *
 * where purpose is a fixed label naming what is signed. Why:
 *  - across purposes: the label is NUL-terminated and cannot hold a NUL, so
 *    the signed bytes of two different purposes never coincide, whatever the
 *    messages; a checkpoint signature cannot pass as a share certificate's;
 *  - against minisign: sandyq's minisign signatures sign a 64-byte BLAKE2b
 *    digest ("ED") and sig || trusted comment (the global signature); for
 *    either to begin with the 14 ASCII bytes "sandyq/v1/sig/" someone would
 *    need a 112-bit partial preimage of BLAKE2b-512, or an Ed25519 signature
 *    whose R starts with them. sandyq never makes legacy "Ed" signatures,
 *    which sign the file itself; a domain signature shown as one is still
 *    refused by any minisign verifier, for want of the global signature,
 *    and by sandyq's verify-sig in the same way.
 * Keys are separate per purpose too (BRIEF "Signatures"): the prefix is
 * defence in depth, not a licence to share keys. */
#ifndef SQ_SIGN_DOMAIN_SIG_H
#define SQ_SIGN_DOMAIN_SIG_H

#include <stddef.h>
#include <stdint.h>

#include "sandyq/error.h"

#define SQ_DOMAIN_SIG_BYTES     64
#define SQ_DOMAIN_PK_BYTES      32
#define SQ_DOMAIN_SK_BYTES      64          /* libsodium's Ed25519 secret key */
#define SQ_DOMAIN_PURPOSE_MAX   64          /* bytes of a purpose label */
#define SQ_DOMAIN_MSG_MAX       ((size_t)1 << 24)   /* signed messages are small structures */

/* Purposes in use; a new structure gets a new label, never a reused one. */
#define SQ_DOMAIN_SHARE_CERT    "share-certificate"
#define SQ_DOMAIN_SHARE_SET     "share-set"
#define SQ_DOMAIN_CHECKPOINT    "custody-checkpoint"

/* sq_domain_sign: sig = Ed25519(sk, "sandyq/v1/sig/" || purpose || 0 || msg).
 * purpose: 1..SQ_DOMAIN_PURPOSE_MAX bytes of [a-z0-9-] (else SQ_ERR_INVALID,
 * sig zeroed); msg above SQ_DOMAIN_MSG_MAX: SQ_ERR_LIMIT. */
sq_err sq_domain_sign(uint8_t sig[SQ_DOMAIN_SIG_BYTES], const uint8_t sk[SQ_DOMAIN_SK_BYTES],
                      const char *purpose, const uint8_t *msg, size_t msg_len);

/* sq_domain_verify: SQ_OK when sig is pk's signature of msg for purpose;
 * SQ_ERR_AUTH otherwise; SQ_ERR_INVALID / SQ_ERR_LIMIT as for signing. */
sq_err sq_domain_verify(const uint8_t sig[SQ_DOMAIN_SIG_BYTES], const uint8_t pk[SQ_DOMAIN_PK_BYTES],
                        const char *purpose, const uint8_t *msg, size_t msg_len);

#endif
