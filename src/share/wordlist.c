/* wordlist.c: see wordlist.h. */
#include <string.h>

#include "share/ct.h"
#include "share/wordlist.h"

static uint64_t
load8(const char *p)
{
    uint64_t v;

    memcpy(&v, p, sizeof v);
    return v;
}

/* all ones when a == b, else zero, without a branch */
static uint64_t
eq_mask64(uint64_t a, uint64_t b)
{
    uint64_t d = a ^ b;

    return ((d | (0 - d)) >> 63) - 1;
}

bool
sq_slip39_word_index(uint16_t *index, const char *word, size_t len)
{
    char     padded[SQ_SLIP39_WORD_MAX] = { 0 };
    uint64_t w, found = 0, idx = 0;
    unsigned bad = 0;

    *index = 0;
    if (len == 0 || len > SQ_SLIP39_WORD_MAX)   /* length is public */
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned c = (uint8_t)word[i];
        unsigned lower = c | 0x20u;             /* folds A-Z onto a-z */

        /* anything outside a-z after folding makes the word unmatchable */
        bad |= ((lower - 'a') & 0xffffff00u) | (('z' - lower) & 0xffffff00u);
        padded[i] = (char)lower;
    }
    w = load8(padded);
    for (uint64_t i = 0; i < SQ_SLIP39_WORDS; i++) {
        uint64_t m = eq_mask64(w, load8(sq_slip39_wordlist[i]));

        found |= m;
        idx |= m & i;
    }
    /* Folding with | 0x20 also maps some non-letters onto letters (for
     * example 'A'-1 = '@' stays '`', but 0xC1 becomes 0xE1): any byte that is
     * not a letter after folding voids the match. */
    found &= (uint64_t)0 - (uint64_t)(bad == 0);
    *index = (uint16_t)(idx & found);
    memset(padded, 0, sizeof padded);
    SQ_CT_DECLASSIFY(&found, sizeof found);   /* "in the list" is public; the index is not */
    return found != 0;
}

size_t
sq_slip39_word_at(char out[SQ_SLIP39_WORD_MAX], uint16_t index)
{
    uint64_t w = 0, target = index & (SQ_SLIP39_WORDS - 1), len = 0;

    for (uint64_t i = 0; i < SQ_SLIP39_WORDS; i++)
        w |= eq_mask64(i, target) & load8(sq_slip39_wordlist[i]);
    memcpy(out, &w, sizeof w);
    /* length = number of nonzero bytes (words are left-aligned letters) */
    for (int i = 0; i < SQ_SLIP39_WORD_MAX; i++)
        len += (uint64_t)(out[i] != 0);
    w = 0;
    return (size_t)len;
}
