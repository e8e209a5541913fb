/* kdf.h: Argon2id with the profiles fixed by the format.
 *
 * The vault stores no KDF parameters (nothing in clear): a vault belongs to
 * one profile of this table, and unlock tries them cheapest first. Changing a
 * row changes every key derived under it: the rows are part of the format. */
#ifndef SQ_CRYPTO_KDF_H
#define SQ_CRYPTO_KDF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sandyq/error.h"

typedef enum { SQ_KDF_TEST = 0, SQ_KDF_STANDARD = 1, SQ_KDF_STRONG = 2 } sq_kdf_profile;

#define SQ_KDF_OUTBYTES  32
#define SQ_KDF_SALTBYTES 32
#define SQ_KDF_LANES     4     /* fixed by the format: lanes change the output */

/* sq_kdf_derive: Argon2id v0x13, no secret, no associated data:
 *   test     m = 8 MiB,  t = 1
 *   standard m = 256 MiB, t = 3
 *   strong   m = 1 GiB,  t = 3
 * lanes 4, threads min(4, online cores) (threads do not change the output).
 * Memory is mmap'd, kept out of core dumps, and wiped before release.
 * SQ_KDF_TEST is refused (SQ_ERR_INVALID) unless sq_kdf_test_allowed().
 * Returns SQ_OK, SQ_ERR_INVALID, or SQ_ERR_NOMEM; out is zeroed on failure. */
sq_err sq_kdf_derive(uint8_t out[SQ_KDF_OUTBYTES], sq_kdf_profile p, const uint8_t *pass,
                     size_t pass_len, const uint8_t salt[SQ_KDF_SALTBYTES]);

/* sq_kdf_profile_name: "test", "standard", "strong" ("unknown" otherwise). */
const char *sq_kdf_profile_name(sq_kdf_profile p);

/* sq_kdf_profile_parse: exact lowercase name -> profile. Parsing "test" is
 * allowed; using it is what sq_kdf_derive refuses. */
bool   sq_kdf_profile_parse(sq_kdf_profile *out, const char *name);

/* sq_kdf_test_allowed: SANDYQ_INSECURE_TEST_KDF is exactly "1". */
bool   sq_kdf_test_allowed(void);

/* sq_kdf_memory_bytes: the profile's Argon2 memory (0 for an unknown one). */
size_t sq_kdf_memory_bytes(sq_kdf_profile p);

/* sq_kdf_test_memo: ONLY TESTS CALL THIS (the tamper sweeps, which unlock one
 * vault hundreds of thousands of times with unchanged salts); neither the
 * library nor the CLI does. Off by default. on: sq_kdf_derive remembers its
 * last few successful results keyed by (profile, passphrase, salt) and
 * answers a repeated request from the table without running Argon2id; every
 * refusal (unknown profile, test profile without the environment variable,
 * oversized passphrase) is unchanged. off: the table is wiped
 * (sodium_memzero) and every call runs Argon2id again. Not thread-safe: a
 * single-threaded test turns it on before its opens and off after. */
void   sq_kdf_test_memo(bool on);

#endif
