/* fuzz_slots.c: the slot areas on hostile bytes. The input is the clear
 * header (both salts and slot areas, zero-padded); A_X is a fixed value, as
 * if the KDF had run. Promises: a slot opens only when its commitment
 * matched, at most 64 open per area, and nothing reads out of bounds. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "vault/slots.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static sq_header h;
    static sq_slot_plain plains[SQ_SLOT_COUNT];
    static const uint8_t a[32] = {1, 2, 3};
    bool found[SQ_SLOT_COUNT];

    if (sodium_init() < 0)
        abort();
    memset(&h, 0, sizeof h);
    memcpy(h.bytes, data, size < sizeof h.bytes ? size : sizeof h.bytes);
    for (int area = 0; area < 2; area++) {
        unsigned n = sq_slot_scan(plains, found, &h, area, a);
        unsigned count = 0;
        for (unsigned i = 0; i < SQ_SLOT_COUNT; i++) {
            if (!found[i])
                continue;
            uint8_t kek[32], kcmt[32];
            sq_slot_keys(kek, kcmt, a, sq_header_salt(&h, area), i);
            if (!sq_slot_committed(sq_header_slot_c(&h, area, i), kcmt, sq_header_salt(&h, area), i))
                abort();                   /* opened without its commitment */
            count++;
        }
        if (count != n || n > SQ_SLOT_COUNT)
            abort();
    }
    return 0;
}
