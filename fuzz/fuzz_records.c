/* fuzz_records.c: sq_record_segment_parse on decrypted record segment bodies
 * (FORMAT.md 14), AEAD bypassed. Asserts the caps on what is accepted, an
 * exact re-serialization, and a zeroed struct on refusal. */
#include <stdlib.h>
#include <string.h>

#include "vault/structs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sq_record_segment seg;
    uint8_t          *out;
    size_t            len = 0;
    sq_err            err = sq_record_segment_parse(&seg, data, size);

    if (err != SQ_OK) {
        if (seg.records != NULL || seg.count != 0 || seg.cap != 0)
            abort();
        if (err != SQ_ERR_FORMAT && err != SQ_ERR_LIMIT && err != SQ_ERR_NOMEM)
            abort();
        return 0;
    }
    if (seg.count > SQ_MAX_SEGMENT_ENTRIES || seg.count > seg.cap)
        abort();
    for (uint32_t i = 0; i < seg.count; i++)
        if (seg.records[i].len > SQ_MAX_RECORD_BODY ||
            (seg.records[i].len > 0) != (seg.records[i].body != NULL))
            abort();
    if (sq_record_segment_size(&seg) != size || (out = malloc(size > 0 ? size : 1)) == NULL)
        abort();
    if (sq_record_segment_serialize(out, size, &len, &seg) != SQ_OK || len != size ||
        memcmp(out, data, size) != 0)
        abort();
    free(out);
    sq_record_segment_free(&seg);
    return 0;
}
