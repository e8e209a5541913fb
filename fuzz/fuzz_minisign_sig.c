/* fuzz_minisign_sig.c: sq_minisign_sig_parse on arbitrary .minisig text,
 * then verification of what came out and of raw structs built from the
 * bytes. Asserts: a refusal zeroes the struct; an accepted signature has a
 * NUL-terminated trusted comment within its cap with no line end or NUL,
 * re-serializes to text that parses to the same struct; verification of any
 * struct (bogus lengths included) returns an error code and never crashes,
 * and accepts only under the one key that the corpus's stock signature was
 * made with. */
#include <stdlib.h>
#include <string.h>

#include "sandyq/minisign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the stock minisign key of fuzz/corpus/minisign_sig/stock_*: signatures
 * over STOCK_MSG with it may verify */
static const char STOCK_PUB[] =
    "untrusted comment: minisign public key 99F9D4CB168D4D8E\n"
    "RWSOTY0Wy9T5me5tp7y4t3IB0k5mFZ3Uo9tSs2uPuPIOhjrFouOaDTg7\n";
static const char STOCK_MSG[] = "sandyq known answer: stock minisign signed this\n";

static bool
same_sig(const sq_minisign_sig *a, const sq_minisign_sig *b)
{
    return a->prehashed == b->prehashed && memcmp(a->keyid, b->keyid, sizeof a->keyid) == 0 &&
           memcmp(a->sig, b->sig, sizeof a->sig) == 0 &&
           a->trusted_comment_len == b->trusted_comment_len &&
           memcmp(a->trusted_comment, b->trusted_comment, a->trusted_comment_len + 1) == 0 &&
           memcmp(a->global_sig, b->global_sig, sizeof a->global_sig) == 0;
}

static void
verify_any(const sq_minisign_pubkey *pk, const sq_minisign_sig *sig, const uint8_t *msg, size_t len)
{
    sq_err err = sq_minisign_verify_buffer(pk, sig, msg, len);

    if (err != SQ_OK && err != SQ_ERR_AUTH && err != SQ_ERR_INVALID && err != SQ_ERR_LIMIT &&
        !(err == SQ_ERR_UNSUPPORTED && !sig->prehashed && len == 64))
        abort();                    /* UNSUPPORTED: a legacy signature over 64 bytes, refused */
    if (!sig->prehashed && len == 64 && err == SQ_OK)
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const sq_minisign_sig zero;
    static sq_minisign_sig       sig, back, raw;   /* large: off the stack */
    sq_minisign_pubkey           pk;
    char                        *out = NULL;
    size_t                       len = 0, n;
    sq_err                       err;

    if (sq_minisign_pubkey_parse(&pk, STOCK_PUB, sizeof STOCK_PUB - 1) != SQ_OK)
        abort();

    /* any bytes as a struct: lengths beyond the cap included */
    memset(&raw, 0, sizeof raw);
    n = size < sizeof raw.sig ? size : sizeof raw.sig;
    memcpy(raw.sig, data, n);
    memcpy(raw.keyid, pk.keyid, sizeof raw.keyid);   /* reach the Ed25519 checks */
    raw.prehashed = size > 0 && (data[0] & 1);
    raw.trusted_comment_len = size > 2 ? (size_t)data[1] << 8 | data[2] : 0;
    if (raw.trusted_comment_len <= SQ_MINISIGN_TRUSTED_COMMENT_MAX && size > 3) {
        n = size - 3 < raw.trusted_comment_len ? size - 3 : raw.trusted_comment_len;
        memcpy(raw.trusted_comment, data + 3, n);
    }
    verify_any(&pk, &raw, data, size);
    if (raw.trusted_comment_len > SQ_MINISIGN_TRUSTED_COMMENT_MAX &&
        sq_minisign_verify_buffer(&pk, &raw, data, size) != SQ_ERR_INVALID)
        abort();

    err = sq_minisign_sig_parse(&sig, (const char *)data, size);
    if (err != SQ_OK) {
        if (memcmp(&sig, &zero, sizeof sig) != 0)
            abort();
        if (err != SQ_ERR_FORMAT && err != SQ_ERR_LIMIT && err != SQ_ERR_UNSUPPORTED)
            abort();
        return 0;
    }
    if (size > SQ_MINISIGN_SIG_FILE_MAX || sig.trusted_comment_len > SQ_MINISIGN_TRUSTED_COMMENT_MAX ||
        sig.trusted_comment[sig.trusted_comment_len] != '\0' ||
        memchr(sig.trusted_comment, '\0', sig.trusted_comment_len) != NULL ||
        memchr(sig.trusted_comment, '\n', sig.trusted_comment_len) != NULL ||
        memchr(sig.trusted_comment, '\r', sig.trusted_comment_len) != NULL)
        abort();
    if (sq_minisign_sig_serialize(&out, &len, &sig, NULL) != SQ_OK || out == NULL ||
        strlen(out) != len)
        abort();
    if (sq_minisign_sig_parse(&back, out, len) != SQ_OK || !same_sig(&back, &sig))
        abort();
    free(out);

    verify_any(&pk, &sig, (const uint8_t *)STOCK_MSG, sizeof STOCK_MSG - 1);
    verify_any(&pk, &sig, data, size);
    return 0;
}
