/* fuzz_identity.c: sq_identity_parse on arbitrary bytes (FORMAT.md
 * "Identity files"). Clear files go through the line parser; protected
 * ones (an age header at the start) are decrypted with the fixed
 * passphrase below under a work-factor cap of FUZZ_MAX_LOG_N, so the seeds
 * made with that passphrase reach the clear parser inside while runs stay
 * fast. Asserts what identity.h promises: the error set, *out NULL on
 * failure, the caps (size, key count), keys that match their public
 * halves, and an exact re-serialization of single-key identities. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "sandyq/identity.h"
#include "util/secret.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_PASS       ((const uint8_t *)"fuzz passphrase")
#define FUZZ_PASS_LEN   (sizeof "fuzz passphrase" - 1)
#define FUZZ_MAX_LOG_N  8    /* 2^8 * 1 KiB of scrypt memory: milliseconds */

static void
check_keys(const sq_identity *id)
{
    uint8_t pk[32];
    size_t  n = sq_identity_x25519_count(id), i;

    if (n == 0 || n > SQ_IDENTITY_MAX_KEYS)
        abort();
    for (i = 0; i < n; i++)
        if (crypto_scalarmult_base(pk, sq_identity_x25519_secret(id, i)) != 0 ||
            memcmp(pk, sq_identity_x25519_public(id, i), 32) != 0)
            abort();
    if (sq_identity_has_signing_key(id)) {
        if (sq_identity_signing_secret(id) == NULL || sq_identity_signing_public(id) == NULL)
            abort();
        crypto_sign_ed25519_sk_to_pk(pk, sq_identity_signing_secret(id));
        if (memcmp(pk, sq_identity_signing_public(id), 32) != 0)
            abort();
    } else if (sq_identity_signing_secret(id) != NULL || sq_identity_signing_public(id) != NULL) {
        abort();
    }
}

/* a single-key identity with a signing key writes a clear file that parses
 * back to the same keys */
static void
check_round_trip(const sq_identity *id)
{
    sq_identity *again = NULL;
    uint8_t     *file = NULL;
    size_t       len = 0;
    sq_err       err;

    err = sq_identity_serialize(&file, &len, id, 1795770000, NULL, 0, 0);
    if (sq_identity_x25519_count(id) != 1 || !sq_identity_has_signing_key(id)) {
        if (err != SQ_ERR_INVALID || file != NULL)
            abort();
        return;
    }
    if (err == SQ_ERR_NOMEM)
        return;
    if (err != SQ_OK || sq_identity_parse(&again, file, len, NULL, 0, 0) != SQ_OK ||
        memcmp(sq_identity_x25519_secret(id, 0), sq_identity_x25519_secret(again, 0), 32) != 0 ||
        !sq_identity_has_signing_key(again) ||
        memcmp(sq_identity_signing_secret(id), sq_identity_signing_secret(again), 64) != 0)
        abort();
    sodium_memzero(file, len);
    free(file);
    sq_identity_free(again);
}

static void
check_public_text(const sq_identity *id)
{
    char  *text = NULL, *p;
    size_t len = 0, lines = 0;

    if (sq_identity_public_text(&text, &len, id) != SQ_OK)
        abort();
    if (strlen(text) != len || len == 0 || text[len - 1] != '\n')
        abort();
    for (p = text; (p = strchr(p, '\n')) != NULL; p++)
        lines++;
    /* recipients, two minisign lines with a signing key, the fingerprint */
    if (lines != sq_identity_x25519_count(id) + (sq_identity_has_signing_key(id) ? 2 : 0) + 1)
        abort();
    free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sq_identity *id = (sq_identity *)1;   /* must be overwritten */
    sq_err       err;

    if (sodium_init() < 0 || !sq_secret_init())
        abort();
    err = sq_identity_parse(&id, data, size, FUZZ_PASS, FUZZ_PASS_LEN, FUZZ_MAX_LOG_N);
    if (err != SQ_OK) {
        if (id != NULL)
            abort();
        switch (err) {
        case SQ_ERR_FORMAT:
        case SQ_ERR_LIMIT:
        case SQ_ERR_NOTFOUND:
        case SQ_ERR_UNSUPPORTED:
        case SQ_ERR_AUTH:
        case SQ_ERR_NOMEM:
            break;
        default:
            abort();   /* INVALID cannot happen: a passphrase was given */
        }
        if (err == SQ_ERR_AUTH && !sq_identity_is_protected(data, size))
            abort();   /* clear files carry no authentication */
        return 0;
    }
    if (size > SQ_IDENTITY_FILE_MAX)
        abort();
    check_keys(id);
    check_public_text(id);
    check_round_trip(id);
    /* a clear file does not need the passphrase */
    if (!sq_identity_is_protected(data, size)) {
        sq_identity *again = NULL;

        if (sq_identity_parse(&again, data, size, NULL, 0, 0) != SQ_OK ||
            sq_identity_x25519_count(again) != sq_identity_x25519_count(id))
            abort();
        sq_identity_free(again);
    }
    sq_identity_free(id);
    return 0;
}
