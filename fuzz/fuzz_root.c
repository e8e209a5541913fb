/* fuzz_root.c: sq_root_parse on decrypted root bodies (FORMAT.md 7). The AEAD
 * is bypassed: anyone who knows a passphrase of the level can make any body
 * authenticate. Asserts the parser's promises, not only the absence of
 * crashes: every rule holds on what it accepts, the result re-serializes to
 * exactly the input, and a refusal leaves the struct zeroed. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "vault/structs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_ref(const sq_objref *ref, bool may_be_absent)
{
    if (ref->nblocks == 0) {
        if (!may_be_absent)
            abort();
        return;
    }
    if (ref->nblocks > SQ_OBJ_MAX_BLOCKS || ref->block_a > SQ_MAX_BLOCKS - ref->nblocks ||
        ref->block_b > SQ_MAX_BLOCKS - ref->nblocks)
        abort();
    if (ref->block_a < ref->block_b + ref->nblocks && ref->block_b < ref->block_a + ref->nblocks)
        abort();                                /* the two copies overlap */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static sq_root root;                        /* not secret: fuzz input */
    static uint8_t out[SQ_BLOCK_BYTES];
    size_t         len = 0;
    sq_err         err = sq_root_parse(&root, data, size);

    if (err != SQ_OK) {
        if (sodium_is_zero((const uint8_t *)&root, sizeof root) != 1)
            abort();
        if (err != SQ_ERR_FORMAT && err != SQ_ERR_LIMIT && err != SQ_ERR_UNSUPPORTED)
            abort();
        return 0;
    }
    if (root.format_version != SQ_FORMAT_VERSION || root.generation < 1 ||
        root.committed_length < SQ_HEADER_BYTES ||
        (root.committed_length - SQ_HEADER_BYTES) % SQ_BLOCK_BYTES != 0 ||
        (root.committed_length - SQ_HEADER_BYTES) / SQ_BLOCK_BYTES > SQ_MAX_BLOCKS ||
        root.level >= SQ_MAX_LEVELS || (root.flags & ~SQ_ROOT_FLAG_GROWABLE) != 0 ||
        root.kdf_profile > 2 || root.has_lower > 1 || root.n_index > SQ_MAX_SEGMENTS ||
        root.n_records > SQ_MAX_SEGMENTS)
        abort();
    if (root.has_lower == 0 &&
        (sodium_is_zero(root.lower_key, sizeof root.lower_key) != 1 ||
         sodium_is_zero((const uint8_t *)root.lower_anchors, sizeof root.lower_anchors) != 1))
        abort();
    check_ref(&root.keyring, false);
    check_ref(&root.freelist, true);
    for (size_t i = 0; i < root.n_index; i++)
        check_ref(&root.index[i], false);
    for (size_t i = 0; i < root.n_records; i++)
        check_ref(&root.records[i], false);
    /* an accepted root is one a writer could have produced, byte for byte */
    if (sq_root_serialize(out, size, &len, &root) != SQ_OK || len != size ||
        memcmp(out, data, size) != 0)
        abort();
    if (size > SQ_BLOCK_BYTES - SQ_OBJ_OVERHEAD - SQ_OBJ_HEADER_BYTES)
        abort();                                /* must fit its one-block object */
    sodium_memzero(&root, sizeof root);
    return 0;
}
