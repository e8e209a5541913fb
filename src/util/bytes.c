/* bytes.c: the reader and writer cursors. */
#include "util/bytes.h"

#include <string.h>

void
sq_reader_init(sq_reader *r, const uint8_t *p, size_t len)
{
    r->p = p;
    r->len = p == NULL ? 0 : len;
}

bool
sq_read_view(sq_reader *r, const uint8_t **out, size_t n)
{
    if (r->len < n)
        return false;
    *out = r->p;
    r->p += n;
    r->len -= n;
    return true;
}

bool
sq_read_bytes(sq_reader *r, uint8_t *out, size_t n)
{
    const uint8_t *v;

    if (!sq_read_view(r, &v, n))
        return false;
    if (n > 0)
        memcpy(out, v, n);
    return true;
}

bool
sq_read_skip(sq_reader *r, size_t n)
{
    const uint8_t *v;

    return sq_read_view(r, &v, n);
}

bool
sq_read_u8(sq_reader *r, uint8_t *v)
{
    const uint8_t *b;

    if (!sq_read_view(r, &b, 1))
        return false;
    *v = b[0];
    return true;
}

bool
sq_read_u16(sq_reader *r, uint16_t *v)
{
    const uint8_t *b;

    if (!sq_read_view(r, &b, 2))
        return false;
    *v = sq_load_le16(b);
    return true;
}

bool
sq_read_u32(sq_reader *r, uint32_t *v)
{
    const uint8_t *b;

    if (!sq_read_view(r, &b, 4))
        return false;
    *v = sq_load_le32(b);
    return true;
}

bool
sq_read_u64(sq_reader *r, uint64_t *v)
{
    const uint8_t *b;

    if (!sq_read_view(r, &b, 8))
        return false;
    *v = sq_load_le64(b);
    return true;
}

size_t
sq_reader_left(const sq_reader *r)
{
    return r->len;
}

bool
sq_reader_empty(const sq_reader *r)
{
    return r->len == 0;
}

void
sq_writer_init(sq_writer *w, uint8_t *buf, size_t cap)
{
    w->p = buf;
    w->cap = buf == NULL ? 0 : cap;
    w->len = 0;
    w->overflow = false;
}

/* reserve n bytes; NULL (and overflow set) if they do not fit */
static uint8_t *
writer_reserve(sq_writer *w, size_t n)
{
    uint8_t *at;

    if (w->overflow || n > w->cap - w->len) {
        w->overflow = true;
        return NULL;
    }
    at = w->p + w->len;
    w->len += n;
    return at;
}

void
sq_write_bytes(sq_writer *w, const void *p, size_t n)
{
    uint8_t *at = writer_reserve(w, n);

    if (at != NULL && n > 0)
        memcpy(at, p, n);
}

void
sq_write_u8(sq_writer *w, uint8_t v)
{
    uint8_t *at = writer_reserve(w, 1);

    if (at != NULL)
        at[0] = v;
}

void
sq_write_u16(sq_writer *w, uint16_t v)
{
    uint8_t *at = writer_reserve(w, 2);

    if (at != NULL)
        sq_store_le16(at, v);
}

void
sq_write_u32(sq_writer *w, uint32_t v)
{
    uint8_t *at = writer_reserve(w, 4);

    if (at != NULL)
        sq_store_le32(at, v);
}

void
sq_write_u64(sq_writer *w, uint64_t v)
{
    uint8_t *at = writer_reserve(w, 8);

    if (at != NULL)
        sq_store_le64(at, v);
}

bool
sq_writer_ok(const sq_writer *w)
{
    return !w->overflow;
}
