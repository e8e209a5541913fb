/* trace.h: the I/O trace that the traced CLI writes and sq-replay reads.
 *
 * A trace is "SQTRACE1" followed by records, each a fixed 48-byte head
 *   u32 kind, u32 path_len, u32 path2_len, u32 zero,
 *   u64 ino, u64 off, u64 len, u64 zero       (little-endian, host order)
 * then path_len bytes of path, path2_len bytes of path2, and for writes
 * len bytes of the data written. kind is an sq_io_kind, or SQ_TRACE_FILE: the
 * first time the tracer meets a file descriptor's inode it records the path
 * the inode had then (from /proc/self/fd), so the replayer can tie inodes to
 * names. Only basenames matter to the replayer: a command's files live in
 * one folder. */
#ifndef SQ_TESTS_TRACE_H
#define SQ_TESTS_TRACE_H

#include <stdint.h>

#define SQ_TRACE_MAGIC     "SQTRACE1"
#define SQ_TRACE_FILE      100
#define SQ_TRACE_HEADBYTES 48

typedef struct {
    uint32_t kind;
    uint32_t path_len;
    uint32_t path2_len;
    uint32_t zero0;
    uint64_t ino;
    uint64_t off;
    uint64_t len;
    uint64_t zero1;
} sq_trace_head;

_Static_assert(sizeof(sq_trace_head) == SQ_TRACE_HEADBYTES, "trace head is 48 bytes");

#endif
