/* io_trace.c: linked into the traced CLI (sandyq-traced) only. When
 * SQ_IO_TRACE names a file, every hooked operation of the I/O layer is
 * appended to it (format: trace.h) before it runs, writes with their data,
 * so sq-replay can rebuild every on-disk state a power cut could leave. The
 * production binary has no such code. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trace.h"
#include "util/io.h"

static int      trace_fd = -1;
static uint64_t seen[64];   /* inodes already named by an SQ_TRACE_FILE record */
static size_t   n_seen;

static void
put(const void *p, size_t n)
{
    const uint8_t *b = p;

    while (n > 0) {
        ssize_t w = write(trace_fd, b, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            abort();            /* a trace with a gap would prove nothing */
        b += w;
        n -= (size_t)w;
    }
}

static void
record(uint32_t kind, uint64_t ino, uint64_t off, uint64_t len, const char *path, const char *path2,
       const void *data)
{
    sq_trace_head h = {0};

    h.kind = kind;
    h.ino = ino;
    h.off = off;
    h.len = len;
    h.path_len = path != NULL ? (uint32_t)strlen(path) : 0;
    h.path2_len = path2 != NULL ? (uint32_t)strlen(path2) : 0;
    put(&h, sizeof h);
    if (h.path_len > 0)
        put(path, h.path_len);
    if (h.path2_len > 0)
        put(path2, h.path2_len);
    if (data != NULL)
        put(data, (size_t)len);
}

/* the inode of fd; names it in the trace the first time it is met */
static uint64_t
inode_of(int fd)
{
    struct stat st;
    char        link[64], target[4096];
    ssize_t     n;

    if (fstat(fd, &st) != 0)
        abort();
    for (size_t i = 0; i < n_seen; i++)
        if (seen[i] == (uint64_t)st.st_ino)
            return (uint64_t)st.st_ino;
    if (n_seen == sizeof seen / sizeof seen[0])
        abort();
    seen[n_seen++] = (uint64_t)st.st_ino;
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    if ((n = readlink(link, target, sizeof target - 1)) < 0)
        abort();
    target[n] = '\0';
    record(SQ_TRACE_FILE, (uint64_t)st.st_ino, 0, 0, target, NULL, NULL);
    return (uint64_t)st.st_ino;
}

static int
trace_hook(void *ctx, const sq_io_op *op, size_t *short_len)
{
    (void)ctx;
    (void)short_len;
    switch (op->kind) {
    case SQ_IO_PWRITE:
        record(op->kind, inode_of(op->fd), op->off, op->len, NULL, NULL, op->buf);
        break;
    case SQ_IO_WRITE: {
        off_t pos = lseek(op->fd, 0, SEEK_CUR);
        /* O_APPEND or a pipe: not a vault file; recorded at its position */
        record(SQ_IO_PWRITE, inode_of(op->fd), pos < 0 ? 0 : (uint64_t)pos, op->len, NULL, NULL, op->buf);
        break;
    }
    case SQ_IO_FSYNC:
    case SQ_IO_FDATASYNC:
        record(op->kind, inode_of(op->fd), 0, 0, NULL, NULL, NULL);
        break;
    case SQ_IO_FALLOCATE:
    case SQ_IO_FTRUNCATE:
        record(op->kind, inode_of(op->fd), op->off, op->len, NULL, NULL, NULL);
        break;
    case SQ_IO_FSYNC_DIR:
        record(op->kind, 0, 0, 0, op->path, NULL, NULL);
        break;
    case SQ_IO_LINKAT:
        /* "/proc/self/fd/N" (an O_TMPFILE output): recorded by inode */
        if (strncmp(op->path, "/proc/self/fd/", 14) == 0)
            record(op->kind, inode_of(atoi(op->path + 14)), 0, 0, "", op->path2, NULL);
        else if (op->path[0] == '\0')
            record(op->kind, inode_of(op->fd), 0, 0, "", op->path2, NULL);
        else
            record(op->kind, 0, 0, 0, op->path, op->path2, NULL);
        break;
    case SQ_IO_RENAME:
    case SQ_IO_UNLINK:
        record(op->kind, 0, 0, 0, op->path, op->path2, NULL);
        break;
    }
    return 0;
}

__attribute__((constructor)) static void
trace_start(void)
{
    const char *path = getenv("SQ_IO_TRACE");

    if (path == NULL || *path == '\0')
        return;
    if ((trace_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
        abort();
    put(SQ_TRACE_MAGIC, 8);
    sq_io_set_hook(trace_hook, NULL);
}
