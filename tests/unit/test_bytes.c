/* test_bytes.c: the bounds-checked reader and writer. */
#include <string.h>

#include "testlib.h"
#include "util/bytes.h"

static void
test_reader(void)
{
    static const uint8_t buf[] = { 0x01, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12, 0xf0, 0xde, 0xbc,
                                   0x9a, 0x78, 0x56, 0x34, 0x12, 0xaa, 0xbb, 0xcc };
    sq_reader      r;
    uint8_t        u8 = 0, two[2];
    uint16_t       u16 = 0;
    uint32_t       u32 = 0;
    uint64_t       u64 = 0;
    const uint8_t *view = NULL;

    sq_reader_init(&r, buf, sizeof buf);
    CHECK_EQ_INT(sq_reader_left(&r), sizeof buf);
    CHECK(sq_read_u8(&r, &u8) && u8 == 0x01);
    CHECK(sq_read_u16(&r, &u16) && u16 == 0x1234);
    CHECK(sq_read_u32(&r, &u32) && u32 == 0x12345678);
    CHECK(sq_read_u64(&r, &u64) && u64 == 0x123456789abcdef0ull);
    CHECK_EQ_INT(sq_reader_left(&r), 3);
    /* short input: false, cursor unchanged, output untouched */
    u32 = 0xdeadbeef;
    CHECK(!sq_read_u32(&r, &u32));
    CHECK(u32 == 0xdeadbeef);
    CHECK(!sq_read_u64(&r, &u64));
    CHECK(!sq_read_bytes(&r, two, 4));
    CHECK(!sq_read_view(&r, &view, 4) && view == NULL);
    CHECK(!sq_read_skip(&r, 4));
    CHECK(!sq_read_skip(&r, SIZE_MAX));
    CHECK_EQ_INT(sq_reader_left(&r), 3);
    CHECK(sq_read_view(&r, &view, 1) && view == buf + 15);
    CHECK(sq_read_bytes(&r, two, 2) && two[0] == 0xbb && two[1] == 0xcc);
    CHECK(sq_reader_empty(&r));
    CHECK(!sq_read_u8(&r, &u8));
    CHECK(sq_read_bytes(&r, two, 0));   /* zero bytes always fit */
    CHECK(sq_read_skip(&r, 0));

    sq_reader_init(&r, buf, 1);
    CHECK(!sq_read_u16(&r, &u16));
    CHECK(sq_read_skip(&r, 1) && sq_reader_empty(&r));
    sq_reader_init(&r, NULL, 5);        /* NULL buffer reads as empty */
    CHECK(sq_reader_empty(&r));
}

static void
test_writer(void)
{
    uint8_t   buf[16];
    sq_writer w;
    static const uint8_t want[15] = { 0x01, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12,
                                      0xf0, 0xde, 0xbc, 0x9a, 0x78, 0x56, 0x34, 0x12 };

    memset(buf, 0xee, sizeof buf);
    sq_writer_init(&w, buf, 15);        /* byte 15 is a canary */
    sq_write_u8(&w, 0x01);
    sq_write_u16(&w, 0x1234);
    sq_write_u32(&w, 0x12345678);
    sq_write_u64(&w, 0x123456789abcdef0ull);
    CHECK(sq_writer_ok(&w));
    CHECK_EQ_INT(w.len, 15);
    CHECK(memcmp(buf, want, sizeof want) == 0);
    sq_write_u8(&w, 0x99);              /* one past cap */
    CHECK(!sq_writer_ok(&w));
    CHECK_EQ_INT(buf[15], 0xee);
    CHECK_EQ_INT(w.len, 15);

    /* overflow is sticky: a later write that would fit writes nothing */
    memset(buf, 0xee, sizeof buf);
    sq_writer_init(&w, buf, 4);
    sq_write_u16(&w, 0x0102);
    sq_write_u32(&w, 0x03040506);       /* does not fit: nothing written */
    CHECK(!sq_writer_ok(&w));
    CHECK_EQ_INT(buf[2], 0xee);
    sq_write_u8(&w, 0x07);
    CHECK_EQ_INT(buf[2], 0xee);
    CHECK_EQ_INT(w.len, 2);

    sq_writer_init(&w, buf, sizeof buf);
    sq_write_bytes(&w, "abc", 3);
    sq_write_bytes(&w, NULL, 0);
    CHECK(sq_writer_ok(&w) && w.len == 3 && memcmp(buf, "abc", 3) == 0);
    sq_write_bytes(&w, buf, SIZE_MAX);  /* no overflow of len arithmetic */
    CHECK(!sq_writer_ok(&w));
    CHECK_EQ_INT(w.len, 3);

    sq_writer_init(&w, buf, 0);
    sq_write_bytes(&w, NULL, 0);
    CHECK(sq_writer_ok(&w));
    sq_write_u8(&w, 1);
    CHECK(!sq_writer_ok(&w));
}

static void
test_inline(void)
{
    uint8_t b[8];
    static const uint8_t be[8] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08 };

    sq_store_le32(b, 0x04030201u);
    CHECK(b[0] == 1 && b[1] == 2 && b[2] == 3 && b[3] == 4);
    CHECK(sq_load_le32(b) == 0x04030201u);
    sq_store_le64(b, 0x0807060504030201ull);
    CHECK(memcmp(b, be, 8) == 0);
    CHECK(sq_load_le64(b) == 0x0807060504030201ull);
    sq_store_be64(b, 0x0102030405060708ull);
    CHECK(memcmp(b, be, 8) == 0);
    sq_store_le64(b, UINT64_MAX);
    CHECK(sq_load_le64(b) == UINT64_MAX);
    sq_store_le32(b, 0x80000000u);
    CHECK(sq_load_le32(b) == 0x80000000u);   /* no sign extension */
}

int
main(void)
{
    sq_test_init("test_bytes");
    test_reader();
    test_writer();
    test_inline();
    return sq_test_done();
}
