/* fuzz_minisign_key.c: sq_minisign_pubkey_parse on arbitrary text (a
 * public key file or a bare base64 line, as partners hand them over).
 * Asserts: a refusal zeroes the struct and says why with one of the parse
 * errors; an accepted key re-serializes to minisign's exact framing, which
 * parses back to the same key; the bare base64 line alone does too. */
#include <stdlib.h>
#include <string.h>

#include "sandyq/minisign.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const sq_minisign_pubkey zero;
    sq_minisign_pubkey pk, back;
    char               out[SQ_MINISIGN_PUBKEY_FILE_BYTES + 1];
    size_t             len = 0;
    sq_err             err = sq_minisign_pubkey_parse(&pk, (const char *)data, size);

    if (err != SQ_OK) {
        if (memcmp(&pk, &zero, sizeof pk) != 0)
            abort();
        if (err != SQ_ERR_FORMAT && err != SQ_ERR_LIMIT && err != SQ_ERR_UNSUPPORTED)
            abort();
        return 0;
    }
    if (sq_minisign_pubkey_serialize(out, sizeof out, &len, &pk) != SQ_OK ||
        len != SQ_MINISIGN_PUBKEY_FILE_BYTES || out[len] != '\0' ||
        strncmp(out, "untrusted comment: minisign public key ", 39) != 0 || out[55] != '\n' ||
        out[len - 1] != '\n')
        abort();
    if (sq_minisign_pubkey_parse(&back, out, len) != SQ_OK || memcmp(&back, &pk, sizeof pk) != 0)
        abort();
    if (sq_minisign_pubkey_parse(&back, out + 56, len - 56) != SQ_OK ||
        memcmp(&back, &pk, sizeof pk) != 0)
        abort();
    return 0;
}
