/* fuzz_index.c: sq_index_segment_parse on decrypted index segment bodies
 * (FORMAT.md 8), AEAD bypassed (anyone who knows a passphrase can craft
 * valid ciphertext). Asserts the caps and rules on what is accepted, an
 * exact re-serialization, and a zeroed struct on refusal. */
#include <stdlib.h>
#include <string.h>

#include "vault/structs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* a parsed string: NULL exactly when empty, else NUL-terminated with no NUL inside */
static bool
text_ok(const char *s, size_t len, size_t cap)
{
    if (len == 0)
        return s == NULL;
    return s != NULL && len <= cap && s[len] == '\0' && memchr(s, '\0', len) == NULL;
}

static void
check_doc(const sq_doc *d)
{
    if (d->size > SQ_MAX_DOC_SIZE || d->name_len == 0 || !text_ok(d->name, d->name_len, SQ_MAX_NAME_BYTES) ||
        !text_ok(d->case_id, d->case_len, SQ_MAX_CASE_BYTES) || !text_ok(d->note, d->note_len, SQ_MAX_NOTE_BYTES) ||
        d->n_extents == 0 || d->n_extents > SQ_MAX_EXTENTS || !sq_doc_extents_valid(d))
        abort();
    for (uint32_t i = 0; i < d->n_extents; i++)
        if (d->extents[i].count == 0 || d->extents[i].start > SQ_MAX_BLOCKS ||
            d->extents[i].count > SQ_MAX_BLOCKS - d->extents[i].start)
            abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sq_index_segment seg;
    uint8_t         *out;
    size_t           len = 0;
    sq_err           err = sq_index_segment_parse(&seg, data, size);

    if (err != SQ_OK) {
        if (seg.entries != NULL || seg.count != 0 || seg.cap != 0)
            abort();
        if (err != SQ_ERR_FORMAT && err != SQ_ERR_LIMIT && err != SQ_ERR_NOMEM)
            abort();
        return 0;
    }
    if (seg.count > SQ_MAX_SEGMENT_ENTRIES || seg.count > seg.cap ||
        (size_t)seg.count * 17 > size)
        abort();
    for (uint32_t i = 0; i < seg.count; i++) {
        if (seg.entries[i].op == SQ_IDX_PUT)
            check_doc(&seg.entries[i].doc);
        else if (seg.entries[i].op != SQ_IDX_DELETE)
            abort();
    }
    if (sq_index_segment_size(&seg) != size || (out = malloc(size)) == NULL)
        abort();
    if (sq_index_segment_serialize(out, size, &len, &seg) != SQ_OK || len != size ||
        memcmp(out, data, size) != 0)
        abort();
    free(out);
    sq_index_segment_free(&seg);
    return 0;
}
