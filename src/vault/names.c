/* names.c: live documents, the folded-name table (duplicates under canonical
 * caseless matching, FORMAT.md 11) and the sorted view for listing. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "util/utf8.h"
#include "vault/vault_internal.h"

/* SipHash of the fold key under a random per-session key: hostile names
 * cannot be chosen to collide in the table. */
uint64_t
sq_name_fold_hash(const sq_vault *v, const char *name, size_t len)
{
    uint8_t  stackbuf[512];
    uint8_t *key = stackbuf;
    size_t   cap = len * 3 * 3 + 16, key_len = 0;
    uint8_t  h[8];
    uint64_t out;

    if (cap > sizeof stackbuf && (key = malloc(cap)) == NULL)
        abort();                          /* names are capped at 1 KiB: tiny */
    if (sq_utf8_fold_key(key, cap, &key_len, (const uint8_t *)name, len) != SQ_OK) {
        memcpy(key, name, len < cap ? len : cap);
        key_len = len < cap ? len : cap;
    }
    crypto_shorthash(h, key, key_len, v->hash_key);
    memcpy(&out, h, 8);
    if (key != stackbuf)
        free(key);
    return out;
}

static bool
same_folded(const sq_vault *v, const sq_doc *d, const char *name, size_t len)
{
    uint8_t a[SQ_MAX_NAME_BYTES * 9 + 16], b[SQ_MAX_NAME_BYTES * 9 + 16];
    size_t  al = 0, bl = 0;

    (void)v;
    if (sq_utf8_fold_key(a, sizeof a, &al, (const uint8_t *)d->name, d->name_len) != SQ_OK ||
        sq_utf8_fold_key(b, sizeof b, &bl, (const uint8_t *)name, len) != SQ_OK)
        return d->name_len == len && memcmp(d->name, name, len) == 0;
    return al == bl && memcmp(a, b, al) == 0;
}

static sq_err
table_grow(sq_vault *v)
{
    sq_name_table *t = &v->names;
    size_t         cap = t->cap ? t->cap * 2 : 1024;
    uint32_t      *s = calloc(cap, sizeof *s);

    if (s == NULL)
        return SQ_ERR_NOMEM;
    for (size_t i = 0; i < t->cap; i++) {
        uint32_t pos1 = t->slots[i];
        if (pos1 == 0)
            continue;
        size_t j = v->live[pos1 - 1].fold_hash & (cap - 1);
        while (s[j] != 0)
            j = (j + 1) & (cap - 1);
        s[j] = pos1;
    }
    free(t->slots);
    t->slots = s;
    t->cap = cap;
    return SQ_OK;
}

sq_err
sq_names_insert(sq_vault *v, size_t live_pos)
{
    sq_name_table *t = &v->names;
    size_t         j;
    sq_err         ret;

    if (live_pos >= UINT32_MAX)
        return SQ_ERR_LIMIT;
    if ((t->used + 1) * 2 > t->cap && (ret = table_grow(v)) != SQ_OK)
        return ret;
    j = v->live[live_pos].fold_hash & (t->cap - 1);
    while (t->slots[j] != 0)
        j = (j + 1) & (t->cap - 1);
    t->slots[j] = (uint32_t)live_pos + 1;
    t->used++;
    return SQ_OK;
}

static size_t
table_find_slot(const sq_vault *v, const char *name, size_t len, uint64_t h)
{
    const sq_name_table *t = &v->names;

    if (t->cap == 0)
        return SIZE_MAX;
    for (size_t j = h & (t->cap - 1);; j = (j + 1) & (t->cap - 1)) {
        uint32_t pos1 = t->slots[j];
        if (pos1 == 0)
            return SIZE_MAX;
        const sq_live *l = &v->live[pos1 - 1];
        if (l->fold_hash == h && l->doc != NULL && same_folded(v, l->doc, name, len))
            return j;
    }
}

size_t
sq_names_find(const sq_vault *v, const char *name, size_t len)
{
    size_t j = table_find_slot(v, name, len, sq_name_fold_hash(v, name, len));

    return j == SIZE_MAX ? SIZE_MAX : (size_t)v->names.slots[j] - 1;
}

/* linear probing deletion with backward shift (no tombstones) */
void
sq_names_remove(sq_vault *v, size_t live_pos)
{
    sq_name_table *t = &v->names;
    size_t         j = SIZE_MAX, k;

    if (t->cap == 0)
        return;
    for (size_t i = v->live[live_pos].fold_hash & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
        if (t->slots[i] == 0)
            return;
        if (t->slots[i] == live_pos + 1) {
            j = i;
            break;
        }
    }
    t->slots[j] = 0;
    t->used--;
    for (k = (j + 1) & (t->cap - 1); t->slots[k] != 0; k = (k + 1) & (t->cap - 1)) {
        size_t home = v->live[t->slots[k] - 1].fold_hash & (t->cap - 1);
        /* move k back to j if its home is not cyclically within (j, k] */
        bool stays = (j < k) ? (home > j && home <= k) : (home > j || home <= k);
        if (!stays) {
            t->slots[j] = t->slots[k];
            t->slots[k] = 0;
            j = k;
        }
    }
}

void
sq_names_free(sq_name_table *t)
{
    free(t->slots);
    memset(t, 0, sizeof *t);
}

sq_err
sq_live_push(sq_vault *v, sq_doc *doc)
{
    if (v->n_live == v->cap_live) {
        size_t   cap = v->cap_live ? v->cap_live * 2 : 256;
        sq_live *p = realloc(v->live, cap * sizeof *p);
        if (p == NULL)
            return SQ_ERR_NOMEM;
        v->live = p;
        v->cap_live = cap;
    }
    v->live[v->n_live].doc = doc;
    v->live[v->n_live].fold_hash = sq_name_fold_hash(v, doc->name, doc->name_len);
    v->n_live++;
    v->n_docs++;
    v->view_dirty = true;
    return sq_names_insert(v, v->n_live - 1);
}

static int
cmp_doc_name(const void *a, const void *b)
{
    const sq_doc *x = *(const sq_doc *const *)a, *y = *(const sq_doc *const *)b;
    size_t        n = x->name_len < y->name_len ? x->name_len : y->name_len;
    int           c = memcmp(x->name, y->name, n);

    if (c != 0)
        return c;
    return (x->name_len > y->name_len) - (x->name_len < y->name_len);
}

void
sq_view_build(sq_vault *v)
{
    size_t n = 0;

    if (!v->view_dirty && v->view != NULL)
        return;
    free(v->view);
    v->view = malloc((v->n_docs ? v->n_docs : 1) * sizeof *v->view);
    if (v->view == NULL)
        abort();                          /* listing cannot proceed without memory */
    for (size_t i = 0; i < v->n_live; i++)
        if (v->live[i].doc != NULL)
            v->view[n++] = v->live[i].doc;
    qsort(v->view, n, sizeof *v->view, cmp_doc_name);
    v->n_view = n;
    v->view_dirty = false;
}
