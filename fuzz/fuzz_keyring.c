/* fuzz_keyring.c: sq_keyring_parse on decrypted keyring bodies (FORMAT.md
 * 13), AEAD bypassed. Asserts the rules on what is accepted (exactly
 * SQ_KEYRING_BODY_BYTES long without an identity, SQ_KEYRING_BODY2_BYTES
 * or SQ_KEYRING_BODY3_BYTES with one (the second with the share set
 * section; a K2 body re-serializes as its K3 form with a zero section), slots below 64 and unique, known kinds, labels capped and
 * NUL-terminated), an exact re-serialization (so the padding was zero, the
 * identity version 1, and there is one encoding), a refusal of any other
 * length as SQ_ERR_FORMAT before anything else, and a zeroed struct on
 * refusal (it would hold keys). */
#include <sodium.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "vault/structs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static sq_keyring kr;                       /* not secret: fuzz input */
    static uint8_t    out[SQ_KEYRING_BODY3_BYTES];
    uint64_t          seen = 0;
    size_t            len = 0;
    sq_err            err = sq_keyring_parse(&kr, data, size);

    if (err != SQ_OK) {
        if (sodium_is_zero((const uint8_t *)&kr, sizeof kr) != 1)
            abort();
        if (err != SQ_ERR_FORMAT && err != SQ_ERR_LIMIT)
            abort();
        if (size != SQ_KEYRING_BODY_BYTES && size != SQ_KEYRING_BODY2_BYTES &&
            size != SQ_KEYRING_BODY3_BYTES && err != SQ_ERR_FORMAT)
            abort();                            /* the length is checked first */
        return 0;
    }
    if (kr.count > SQ_SLOT_COUNT || (kr.has_identity ? size == SQ_KEYRING_BODY_BYTES : size != SQ_KEYRING_BODY_BYTES))
        abort();
    if (size == SQ_KEYRING_BODY2_BYTES && sodium_is_zero((const uint8_t *)&kr.shares, sizeof kr.shares) != 1)
        abort();                                /* no section: state 0, nothing remembered */
    if (kr.shares.state == 1) {
        bool listed = false;                    /* an active set's slot is a listed raw key */
        for (uint32_t i = 0; i < kr.count; i++)
            listed |= kr.entries[i].slot == kr.shares.slot && kr.entries[i].kind == SQ_SLOT_RAWKEY;
        if (!listed)
            abort();
    }
    for (uint32_t i = 0; i < kr.count; i++) {
        const sq_keyring_entry *e = &kr.entries[i];
        if (e->slot >= SQ_SLOT_COUNT || ((seen >> e->slot) & 1) != 0 ||
            (e->kind != SQ_SLOT_PASSPHRASE && e->kind != SQ_SLOT_RAWKEY) ||
            e->label_len > SQ_MAX_LABEL_BYTES || e->label[e->label_len] != '\0' ||
            memchr(e->label, '\0', e->label_len) != NULL)
            abort();
        seen |= (uint64_t)1 << e->slot;
    }
    if (sq_keyring_serialize(out, sizeof out, &len, &kr) != SQ_OK ||
        memcmp(out, data, size < len ? size : len) != 0)
        abort();
    if (len != size && !(size == SQ_KEYRING_BODY2_BYTES && len == SQ_KEYRING_BODY3_BYTES))
        abort();
    sodium_memzero(&kr, sizeof kr);
    sodium_memzero(out, len);
    return 0;
}
