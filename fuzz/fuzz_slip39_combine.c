/* fuzz_slip39_combine.c: sq_slip39_combine on a set of mnemonics built from
 * fuzz bytes. The first byte picks the mode: even, the rest is text with one
 * mnemonic per line; odd, the rest is read as 10-bit words (a 0xff byte
 * ends a share) and each share gets a valid RS1024 checksum and iteration
 * exponent 0, so the fuzzer reaches the set checks and the interpolation
 * instead of stopping at the checksum. Promises: no crash; success gives a
 * secret of a valid length; a refusal names a problem, and a share number
 * within the input. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "sandyq/slip39.h"
#include "share/rs1024.h"
#include "share/wordlist.h"
#include "util/secret.h"

#define MAX_IN 24

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t
words_to_text(char *out, const uint16_t *w, size_t n)
{
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        char   wd[SQ_SLIP39_WORD_MAX];
        size_t l = sq_slip39_word_at(wd, w[i]);

        if (i)
            out[o++] = ' ';
        memcpy(out + o, wd, l);
        o += l;
    }
    return o;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool      init;
    static char      text[MAX_IN][SQ_SLIP39_MNEMONIC_CAP + 16];
    const char      *m[MAX_IN];
    size_t           lens[MAX_IN], n = 0;
    uint8_t          out[SQ_SLIP39_MAX_SECRET_BYTES];
    size_t           out_len = 0;
    sq_slip39_detail d;
    sq_err           ret;

    if (!init) {
        if (sodium_init() < 0 || !sq_secret_init())
            abort();
        init = true;
    }
    if (size < 1 || size > 8192)
        return 0;
    if ((data[0] & 1) == 0) {
        for (size_t i = 1; i < size && n < MAX_IN;) {
            size_t b = i;

            while (i < size && data[i] != '\n')
                i++;
            m[n] = (const char *)data + b;
            lens[n++] = i - b;
            i++;
        }
    } else {
        uint16_t w[SQ_SLIP39_MAX_WORDS];
        size_t   nw = 0;
        uint32_t acc = 0;
        unsigned bits = 0;

        for (size_t i = 1; i <= size && n < MAX_IN; i++) {
            bool end = i == size || data[i] == 0xff;

            if (!end) {
                acc = (acc << 8) | data[i];
                bits += 8;
                if (bits >= 10) {
                    /* always consume the bits (once the share is full they
                     * are dropped), so bits stays below 18 and acc small */
                    bits -= 10;
                    if (nw < SQ_SLIP39_MAX_WORDS - 3)
                        w[nw++] = (uint16_t)((acc >> bits) & 0x3ff);
                }
                acc &= (1u << bits) - 1;
            }
            if (end && nw >= 2) {
                w[1] &= (uint16_t)~0xfu;            /* exponent 0: cheap PBKDF2 */
                sq_rs1024_create(w + nw, w, nw, (w[1] >> 4) & 1);
                lens[n] = words_to_text(text[n], w, nw + 3);
                m[n] = text[n];
                n++;
            }
            if (end) {
                nw = 0;
                bits = 0;
                acc = 0;
            }
        }
    }
    ret = sq_slip39_combine(out, &out_len, m, lens, n, "", 0, false, &d);
    if (ret == SQ_OK) {
        if (out_len < 16 || out_len > SQ_SLIP39_MAX_SECRET_BYTES || out_len % 2 != 0)
            abort();
    } else {
        if (d.problem == SQ_SLIP39_OK || d.share > n || d.other > n || out_len != 0)
            abort();
    }
    return 0;
}
