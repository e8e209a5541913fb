/* io.h: the one I/O layer for every vault and output write.
 *
 * Every write, sync, rename, link, unlink, fallocate and truncate goes
 * through here so a test hook can record them (to replay power cuts at each
 * point) or fail them (fault injection). Plain write/pwrite/fsync/fdatasync/
 * rename/linkat through the C library: no O_SYNC, no mmap writes. Reads are
 * not hooked. */
#ifndef SQ_UTIL_IO_H
#define SQ_UTIL_IO_H

#include <stddef.h>
#include <stdint.h>

#include "sandyq/error.h"

typedef enum {
    SQ_IO_PWRITE,
    SQ_IO_WRITE,
    SQ_IO_FSYNC,
    SQ_IO_FDATASYNC,
    SQ_IO_FSYNC_DIR,
    SQ_IO_RENAME,
    SQ_IO_LINKAT,
    SQ_IO_UNLINK,
    SQ_IO_FALLOCATE,
    SQ_IO_FTRUNCATE
} sq_io_kind;

/* One operation as the hook sees it. Unused fields are 0/NULL.
 *   PWRITE/WRITE: fd, off (PWRITE), len, buf: this one system call
 *   FSYNC/FDATASYNC: fd;  FSYNC_DIR: fd of the folder, path = the folder
 *   RENAME: path -> path2;  LINKAT: fd = olddirfd, path -> path2
 *   UNLINK: path;  FALLOCATE: fd, off, len;  FTRUNCATE: fd, off = new length */
typedef struct {
    sq_io_kind  kind;
    int         fd;
    uint64_t    off;
    size_t      len;
    const void *buf;
    const char *path;
    const char *path2;
} sq_io_op;

/* sq_io_hook_fn: called before each operation (once per system call; not
 * again when the call is retried after EINTR). Return 0 to let it run, or an
 * errno value to fail it without running it. For writes, *short_len (preset
 * to op->len) may be lowered to make the call write only that many bytes (a
 * short write; 0 counts as 1); the layer then loops for the rest. */
typedef int (*sq_io_hook_fn)(void *ctx, const sq_io_op *op, size_t *short_len);

/* sq_io_set_hook: installs fn (NULL removes it) for the whole process. */
void   sq_io_set_hook(sq_io_hook_fn fn, void *ctx);

/* Writers: loop on short writes and EINTR. */
sq_err sq_io_pwrite_all(int fd, const void *buf, size_t len, uint64_t off);
sq_err sq_io_write_all(int fd, const void *buf, size_t len);

/* Readers. sq_io_pread_all: SQ_ERR_TRUNCATED if EOF comes before len bytes.
 * sq_io_read_some: one read() (retried on EINTR); *got 0 means EOF.
 * sq_io_read_full: loops until len bytes or EOF; *got says how many. */
sq_err sq_io_pread_all(int fd, void *buf, size_t len, uint64_t off);
sq_err sq_io_read_some(int fd, void *buf, size_t len, size_t *got);
sq_err sq_io_read_full(int fd, void *buf, size_t len, size_t *got);

/* Syncs. A failure is fatal for the caller and is never retried: after a
 * failed fsync Linux may already have marked the dirty pages clean, so a
 * second fsync can "succeed" over lost data. */
sq_err sq_io_fsync(int fd);
sq_err sq_io_fdatasync(int fd);
/* sq_io_fsync_dir_of: fsyncs the folder that contains path (makes a
 * rename/link/unlink there durable). */
sq_err sq_io_fsync_dir_of(const char *path);

sq_err sq_io_rename(const char *from, const char *to);
/* sq_io_linkat: linkat(2); EEXIST (SQ_ERR_EXISTS) when newpath exists. */
sq_err sq_io_linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int flags);
sq_err sq_io_unlink(const char *path);
/* sq_io_fallocate: allocates [off, off+len); when the file system cannot
 * (EOPNOTSUPP) it does nothing and returns SQ_OK (no zero-filling emulation:
 * callers fill preallocated space with random bytes themselves). */
sq_err sq_io_fallocate(int fd, uint64_t off, uint64_t len);
sq_err sq_io_ftruncate(int fd, uint64_t len);

/* sq_errno_to_err: ENOSPC/EDQUOT -> SQ_ERR_NOSPACE, EROFS -> SQ_ERR_READONLY,
 * ENOENT/ENOTDIR -> SQ_ERR_NOTFOUND, EEXIST -> SQ_ERR_EXISTS, ENOMEM ->
 * SQ_ERR_NOMEM, EWOULDBLOCK -> SQ_ERR_LOCKED, EOPNOTSUPP/EISDIR ->
 * SQ_ERR_UNSUPPORTED, ENAMETOOLONG/EINVAL -> SQ_ERR_INVALID, EFBIG ->
 * SQ_ERR_LIMIT, anything else (EACCES, EPERM, EIO, ...) -> SQ_ERR_IO. */
sq_err sq_errno_to_err(int e);

/* sq_io_last_errno: errno of the last failure in this thread (for the CLI's
 * messages); 0 if none. */
int    sq_io_last_errno(void);

#endif
