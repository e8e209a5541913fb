/* fuzz_slip39_mnemonic.c: sq_slip39_share_parse on arbitrary text.
 * Promises: a share that parses has fields in range and re-parses to the
 * same share from its canonical form (lowercase, single spaces); a refusal
 * is SQ_ERR_FORMAT with a problem, a word position for a bad word, and
 * for a checksum failure at most a position among the share's words (the
 * one word whose change would make the checksum pass, sq_rs1024_locate). */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "sandyq/slip39.h"
#include "share/wordlist.h"
#include "util/secret.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool      init;
    sq_slip39_share  s, again;
    sq_slip39_detail d;
    char             canon[SQ_SLIP39_MNEMONIC_CAP + 1];
    size_t           o = 0, nwords = 0;
    sq_err           ret;

    if (!init) {
        if (sodium_init() < 0 || !sq_secret_init())
            abort();
        init = true;
    }
    if (size > 4096)
        return 0;
    ret = sq_slip39_share_parse(&s, (const char *)data, size, &d);
    if (ret != SQ_OK) {
        if (ret != SQ_ERR_FORMAT || d.problem == SQ_SLIP39_OK || d.share != 1)
            abort();
        if (d.problem == SQ_SLIP39_BAD_WORD ? d.word == 0
            : d.problem == SQ_SLIP39_BAD_CHECKSUM ? d.word > SQ_SLIP39_MAX_WORDS : d.word != 0)
            abort();
        return 0;
    }
    if (s.id >= (1u << 15) || s.extendable > 1 || s.exponent > 15 || s.group_index > 15
        || s.group_threshold < 1 || s.group_threshold > s.group_count || s.group_count > 16
        || s.member_index > 15 || s.member_threshold < 1 || s.member_threshold > 16
        || s.value_len < 16 || s.value_len > SQ_SLIP39_MAX_SECRET_BYTES || s.value_len % 2 != 0)
        abort();
    /* canonical form: each word looked up again and printed from the table */
    for (size_t i = 0; i < size;) {
        size_t   b;
        uint16_t idx;
        char     w[SQ_SLIP39_WORD_MAX];
        size_t   l;

        while (i < size && strchr(" \t\r\n", data[i]) != NULL && data[i] != '\0')
            i++;
        if (i == size)
            break;
        b = i;
        while (i < size && !(strchr(" \t\r\n", data[i]) != NULL && data[i] != '\0'))
            i++;
        if (!sq_slip39_word_index(&idx, (const char *)data + b, i - b))
            abort();
        l = sq_slip39_word_at(w, idx);
        if (nwords++)
            canon[o++] = ' ';
        memcpy(canon + o, w, l);
        o += l;
    }
    if (sq_slip39_share_parse(&again, canon, o, &d) != SQ_OK || memcmp(&s, &again, sizeof s) != 0)
        abort();
    sq_slip39_share_wipe(&s);
    sq_slip39_share_wipe(&again);
    return 0;
}
