/* alloc.c: the block bitmap, random placement and growth (FORMAT.md 9, 12). */
#include <stdlib.h>
#include <string.h>

#include "util/io.h"
#include "util/random.h"
#include "vault/vault_internal.h"

uint64_t
sq_block_offset(uint64_t block)
{
    return SQ_HEADER_BYTES + block * (uint64_t)SQ_BLOCK_BYTES;
}

bool
sq_bm_test(const sq_vault *v, uint64_t b)
{
    return b < v->nblocks && (v->used[b / 64] >> (b % 64)) & 1u;
}

void
sq_bm_set_range(sq_vault *v, uint64_t start, uint64_t count)
{
    for (uint64_t b = start; b < start + count; b++)
        v->used[b / 64] |= 1ull << (b % 64);
}

void
sq_bm_clear_range(sq_vault *v, uint64_t start, uint64_t count)
{
    for (uint64_t b = start; b < start + count; b++)
        v->used[b / 64] &= ~(1ull << (b % 64));
}

bool
sq_bm_claim(sq_vault *v, uint64_t start, uint64_t count)
{
    if (count == 0 || start >= v->nblocks || count > v->nblocks - start)
        return false;
    for (uint64_t b = start; b < start + count; b++)
        if (sq_bm_test(v, b))
            return false;
    sq_bm_set_range(v, start, count);
    return true;
}

sq_err
sq_bm_resize(sq_vault *v, uint64_t nblocks)
{
    size_t    words = (size_t)((nblocks + 63) / 64);
    uint64_t *p;

    if (nblocks > SQ_MAX_BLOCKS)
        return SQ_ERR_LIMIT;
    if (words > v->used_words) {
        if ((p = realloc(v->used, words * sizeof *p)) == NULL)
            return SQ_ERR_NOMEM;
        memset(p + v->used_words, 0, (words - v->used_words) * sizeof *p);
        v->used = p;
        v->used_words = words;
    }
    v->nblocks = nblocks;
    return SQ_OK;
}

/* Padmé (Nikitin et al., PETS 2019): keep the top floor(log2 E)+1 bits. */
uint64_t
sq_padme(uint64_t len)
{
    unsigned e, s, z;
    uint64_t mask;

    if (len < 2)
        return len;
    e = 63 - (unsigned)__builtin_clzll(len);
    s = 32 - (unsigned)__builtin_clz(e);          /* floor(log2 e) + 1 */
    z = e - s;
    mask = (1ull << z) - 1;
    return (len + mask) & ~mask;
}

/* Grow the block area so that at least extra more blocks exist: Padmé size,
 * reserved with fallocate. The new blocks are free; commit fills the ones it
 * did not use with random bytes (FORMAT.md 9). */
static sq_err
grow(sq_vault *v, uint64_t extra)
{
    uint64_t need = sq_block_offset(v->nblocks + extra);
    uint64_t target = sq_padme(need);
    uint64_t nb = (target - SQ_HEADER_BYTES + SQ_BLOCK_BYTES - 1) / SQ_BLOCK_BYTES;
    uint64_t old = v->nblocks;
    sq_err   ret;

    if (nb < v->nblocks + extra)
        nb = v->nblocks + extra;
    if ((ret = sq_bm_resize(v, nb)) != SQ_OK)
        return ret;
    ret = sq_io_fallocate(v->fd, sq_block_offset(old), (nb - old) * SQ_BLOCK_BYTES);
    if (ret != SQ_OK) {
        v->nblocks = old;
        return ret;
    }
    return SQ_OK;
}

static bool
find_free_from(const sq_vault *v, uint64_t from, uint64_t *out)
{
    for (uint64_t n = 0; n < v->nblocks; n++) {
        uint64_t b = from + n;
        if (b >= v->nblocks)
            b -= v->nblocks;
        if ((b % 64) == 0 && v->used[b / 64] == ~0ull && n + 64 <= v->nblocks) {
            n += 63;
            continue;
        }
        if (!sq_bm_test(v, b)) {
            *out = b;
            return true;
        }
    }
    return false;
}

sq_err
sq_alloc_run(sq_vault *v, uint64_t want, sq_extent *out)
{
    uint64_t b, n = 0;
    sq_err   ret;

    if (want == 0)
        return SQ_ERR_INVALID;
    if (want > UINT32_MAX)
        want = UINT32_MAX;
    if (v->nblocks == 0 || !find_free_from(v, sq_random_uniform(v->nblocks ? v->nblocks : 1), &b)) {
        b = v->nblocks;
        if ((ret = grow(v, want)) != SQ_OK)
            return ret;
    }
    while (n < want && b + n < v->nblocks && !sq_bm_test(v, b + n))
        n++;
    sq_bm_set_range(v, b, n);
    out->start = b;
    out->count = (uint32_t)n;
    return SQ_OK;
}

sq_err
sq_alloc_contig(sq_vault *v, uint32_t n, uint64_t *start)
{
    uint64_t from, run = 0, b;
    sq_err   ret;

    if (n == 0)
        return SQ_ERR_INVALID;
    from = v->nblocks ? sq_random_uniform(v->nblocks) : 0;
    /* scan once around from the random start for a run of n free blocks */
    for (uint64_t i = 0; i < v->nblocks + n && v->nblocks > 0; i++) {
        b = (from + i) % v->nblocks;
        if (b == 0)
            run = 0;                      /* runs do not wrap around the end */
        if (sq_bm_test(v, b)) {
            run = 0;
            continue;
        }
        if (++run == n) {
            *start = b + 1 - n;
            sq_bm_set_range(v, *start, n);
            return SQ_OK;
        }
    }
    *start = v->nblocks;
    if ((ret = grow(v, n)) != SQ_OK)
        return ret;
    sq_bm_set_range(v, *start, n);
    return SQ_OK;
}
