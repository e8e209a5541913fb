/* fuzz_freelist.c: sq_freelist_parse on decrypted free list bodies
 * (FORMAT.md 9), AEAD bypassed. Asserts the caps and extent rules on what is
 * accepted, an exact re-serialization, and a zeroed struct on refusal. */
#include <stdlib.h>
#include <string.h>

#include "vault/structs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_list(const sq_extent *ext, uint32_t n)
{
    if (n > SQ_MAX_SEGMENT_ENTRIES || (n > 0) != (ext != NULL))
        abort();
    for (uint32_t i = 0; i < n; i++)
        if (ext[i].count == 0 || ext[i].start > SQ_MAX_BLOCKS ||
            ext[i].count > SQ_MAX_BLOCKS - ext[i].start)
            abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sq_freelist fl;
    uint8_t    *out;
    size_t      len = 0;
    sq_err      err = sq_freelist_parse(&fl, data, size);

    if (err != SQ_OK) {
        if (fl.quarantine != NULL || fl.scrub != NULL || fl.n_quarantine != 0 || fl.n_scrub != 0)
            abort();
        if (err != SQ_ERR_FORMAT && err != SQ_ERR_LIMIT && err != SQ_ERR_NOMEM)
            abort();
        return 0;
    }
    check_list(fl.quarantine, fl.n_quarantine);
    check_list(fl.scrub, fl.n_scrub);
    if (sq_freelist_size(&fl) != size || (out = malloc(size)) == NULL)
        abort();
    if (sq_freelist_serialize(out, size, &len, &fl) != SQ_OK || len != size ||
        memcmp(out, data, size) != 0)
        abort();
    free(out);
    sq_freelist_free(&fl);
    return 0;
}
