/* bytes.h: bounds-checked cursors over byte buffers (in the spirit of
 * BoringSSL's CBS/CBB). Every integer is little-endian.
 *
 * Reader getters return false and leave the cursor unchanged when fewer than
 * the needed bytes remain; they never read past the end. The writer never
 * writes past cap: a write that does not fit sets overflow (sticky) and
 * writes nothing, so callers check sq_writer_ok() once at the end. */
#ifndef SQ_UTIL_BYTES_H
#define SQ_UTIL_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    const uint8_t *p;
    size_t         len;
} sq_reader;

void   sq_reader_init(sq_reader *r, const uint8_t *p, size_t len);
bool   sq_read_u8(sq_reader *r, uint8_t *v);
bool   sq_read_u16(sq_reader *r, uint16_t *v);
bool   sq_read_u32(sq_reader *r, uint32_t *v);
bool   sq_read_u64(sq_reader *r, uint64_t *v);
/* sq_read_bytes: copies n bytes into out. */
bool   sq_read_bytes(sq_reader *r, uint8_t *out, size_t n);
/* sq_read_view: *out points into the reader's buffer (borrowed, not copied). */
bool   sq_read_view(sq_reader *r, const uint8_t **out, size_t n);
bool   sq_read_skip(sq_reader *r, size_t n);
size_t sq_reader_left(const sq_reader *r);
bool   sq_reader_empty(const sq_reader *r);

typedef struct {
    uint8_t *p;
    size_t   cap;
    size_t   len;
    bool     overflow;
} sq_writer;

void sq_writer_init(sq_writer *w, uint8_t *buf, size_t cap);
void sq_write_u8(sq_writer *w, uint8_t v);
void sq_write_u16(sq_writer *w, uint16_t v);
void sq_write_u32(sq_writer *w, uint32_t v);
void sq_write_u64(sq_writer *w, uint64_t v);
void sq_write_bytes(sq_writer *w, const void *p, size_t n);
/* sq_writer_ok: false once any write would have passed cap. */
bool sq_writer_ok(const sq_writer *w);

static inline void
sq_store_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void
sq_store_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline void
sq_store_le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline void
sq_store_be64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[7 - i] = (uint8_t)(v >> (8 * i));
}

static inline uint16_t
sq_load_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (uint16_t)p[1] << 8);
}

static inline uint32_t
sq_load_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t
sq_load_le64(const uint8_t *p)
{
    return (uint64_t)sq_load_le32(p) | (uint64_t)sq_load_le32(p + 4) << 32;
}

#endif
