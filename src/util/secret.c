/* secret.c: a bitmap allocator over a few sodium_malloc arenas.
 *
 * Each arena is one sodium_malloc region (guard pages before and after,
 * mlock, canary) split into 16-byte granules. Book-keeping lives outside the
 * secret memory, in two bitmaps per arena:
 *   used:  the granule belongs to a live allocation;
 *   start: the granule is the first of a live allocation.
 * Together they let sq_secret_free check that (p, len) is exactly one live
 * allocation (start bit at p, used and no other start inside, the next granule
 * free or another start) and abort() otherwise. Allocation is first fit from a
 * per-arena hint, skipping full 64-granule words, which keeps 16,000+ small
 * live objects cheap. Free granules are kept zero (wiped on free, zeroed when
 * the arena is made), and sq_secret_alloc checks that they still are, so a
 * write after free or past an allocation's end is caught at the next reuse. */
#include "util/secret.h"

#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define GRANULE      16u
#define WORD_BITS    64u

typedef struct {
    uint8_t  *base;          /* sodium_malloc region */
    size_t    size;          /* bytes, a multiple of the page size */
    size_t    granules;      /* size / GRANULE, a multiple of 64 */
    uint64_t *used;          /* bitmaps: granules / 64 words each */
    uint64_t *start;
    size_t    free_granules;
    size_t    hint;          /* word index where the search starts */
    bool      locked;        /* mlock succeeded */
} arena;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static arena           arenas[SQ_SECRET_MAX_ARENAS];
static size_t          n_arenas;

static bool
bit_get(const uint64_t *bm, size_t i)
{
    return (bm[i / WORD_BITS] >> (i % WORD_BITS)) & 1u;
}

static void
bits_set(uint64_t *bm, size_t from, size_t n, bool on)
{
    for (size_t i = from; i < from + n; i++) {
        uint64_t m = (uint64_t)1 << (i % WORD_BITS);
        if (on)
            bm[i / WORD_BITS] |= m;
        else
            bm[i / WORD_BITS] &= ~m;
    }
}

static bool
arena_add(size_t size)
{
    arena *a = &arenas[n_arenas];
    size_t words;

    if (n_arenas >= SQ_SECRET_MAX_ARENAS)
        return false;
    memset(a, 0, sizeof *a);
    a->size = size;
    a->granules = size / GRANULE;
    words = a->granules / WORD_BITS;
    a->used = calloc(words, sizeof *a->used);        /* not secret: book-keeping */
    a->start = calloc(words, sizeof *a->start);
    a->base = sodium_malloc(size);
    if (a->used == NULL || a->start == NULL || a->base == NULL) {
        free(a->used);
        free(a->start);
        if (a->base != NULL)
            sodium_free(a->base);
        memset(a, 0, sizeof *a);
        return false;
    }
    /* sodium_malloc puts the region's end against the trailing guard page;
     * with size a multiple of the page size the start is page aligned too. */
    if (((uintptr_t)a->base % GRANULE) != 0)
        abort();
    /* sodium_malloc fills with 0xdb and ignores an mlock failure; lock again
     * (pages already locked are not counted twice) to know the truth. */
    a->locked = mlock(a->base, size) == 0;
    sodium_memzero(a->base, size);
    a->free_granules = a->granules;
    n_arenas++;
    return true;
}

bool
sq_secret_init(void)
{
    bool ok = true;

    pthread_mutex_lock(&lock);
    if (n_arenas == 0)
        ok = arena_add(SQ_SECRET_ARENA_BYTES);
    pthread_mutex_unlock(&lock);
    return ok;
}

/* first fit of n free granules starting in [from, to); SIZE_MAX if none */
static size_t
arena_scan(const arena *a, size_t from, size_t to, size_t n)
{
    size_t run = 0;

    for (size_t i = from; i < a->granules && (run > 0 || i < to);) {
        uint64_t w = a->used[i / WORD_BITS];

        if (i % WORD_BITS == 0 && w == UINT64_MAX) {        /* a full word */
            run = 0;
            i += WORD_BITS;
        } else if (i % WORD_BITS == 0 && w == 0 && run + WORD_BITS < n) {
            run += WORD_BITS;                               /* an empty word, not enough yet */
            i += WORD_BITS;
        } else if (bit_get(a->used, i)) {
            run = 0;
            i++;
        } else {
            if (++run == n)
                return i + 1 - n;
            i++;
        }
    }
    return SIZE_MAX;
}

static size_t
arena_find(const arena *a, size_t n)
{
    size_t g = arena_scan(a, a->hint * WORD_BITS, a->granules, n);

    if (g == SIZE_MAX && a->hint != 0)
        g = arena_scan(a, 0, a->hint * WORD_BITS, n);
    return g;
}

static bool
all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;

    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

void *
sq_secret_alloc(size_t len)
{
    size_t   n, g = SIZE_MAX, ai;
    uint8_t *p = NULL;

    if (len > SQ_SECRET_MAX_ALLOC)
        return NULL;
    n = len == 0 ? 1 : (len + GRANULE - 1) / GRANULE;
    pthread_mutex_lock(&lock);
    for (ai = 0; ai < n_arenas; ai++) {
        if (arenas[ai].free_granules >= n && (g = arena_find(&arenas[ai], n)) != SIZE_MAX)
            break;
    }
    if (g == SIZE_MAX) {
        size_t size = SQ_SECRET_ARENA_BYTES;

        if (n * GRANULE > size)            /* large request: round up to whole MiB */
            size = (n * GRANULE + SQ_SECRET_ARENA_BYTES - 1) & ~(SQ_SECRET_ARENA_BYTES - 1);
        if (!arena_add(size))
            goto out;
        ai = n_arenas - 1;
        g = 0;
    }
    {
        arena *a = &arenas[ai];

        bits_set(a->used, g, n, true);
        bits_set(a->start, g, 1, true);
        a->free_granules -= n;
        a->hint = (g + n) / WORD_BITS;
        if (a->hint >= a->granules / WORD_BITS)
            a->hint = 0;
        p = a->base + g * GRANULE;
        /* free memory is kept zero; anything else means someone wrote into
         * memory they did not own */
        if (!all_zero(p, n * GRANULE))
            abort();
    }
out:
    pthread_mutex_unlock(&lock);
    return p;
}

void
sq_secret_free(void *ptr, size_t len)
{
    uint8_t *p = ptr;
    arena   *a = NULL;
    size_t   n, g;

    if (p == NULL)
        return;
    n = len == 0 ? 1 : (len + GRANULE - 1) / GRANULE;
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < n_arenas; i++) {
        if (p >= arenas[i].base && p < arenas[i].base + arenas[i].size) {
            a = &arenas[i];
            break;
        }
    }
    if (a == NULL || (size_t)(p - a->base) % GRANULE != 0)
        abort();                           /* not ours: misuse */
    g = (size_t)(p - a->base) / GRANULE;
    if (n > a->granules - g || !bit_get(a->start, g))
        abort();                           /* not the start of a live allocation */
    for (size_t i = g; i < g + n; i++) {
        if (!bit_get(a->used, i) || (i > g && bit_get(a->start, i)))
            abort();                       /* double free or len too long */
    }
    if (g + n < a->granules && bit_get(a->used, g + n) && !bit_get(a->start, g + n))
        abort();                           /* len shorter than the allocation */
    sodium_memzero(p, n * GRANULE);        /* the whole granules: free memory stays zero */
    bits_set(a->used, g, n, false);
    bits_set(a->start, g, 1, false);
    a->free_granules += n;
    if (g / WORD_BITS < a->hint)
        a->hint = g / WORD_BITS;
    pthread_mutex_unlock(&lock);
}

void
sq_secret_shutdown(void)
{
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < n_arenas; i++) {
        arena *a = &arenas[i];

        sodium_memzero(a->base, a->size);
        sodium_free(a->base);              /* also munlocks and unmaps the guard pages */
        free(a->used);
        free(a->start);
        memset(a, 0, sizeof *a);
    }
    n_arenas = 0;
    pthread_mutex_unlock(&lock);
}

size_t
sq_secret_unlocked_bytes(void)
{
    size_t n = 0;

    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < n_arenas; i++) {
        if (!arenas[i].locked)
            n += arenas[i].size;
    }
    pthread_mutex_unlock(&lock);
    return n;
}
