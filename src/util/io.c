/* io.c: hooked writes, syncs and renames; plain reads. */
#include "util/io.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* one system call at most this long: Linux writes at most 0x7ffff000 anyway */
#define SQ_IO_MAX_CALL ((size_t)1 << 30)

static pthread_mutex_t     hook_lock = PTHREAD_MUTEX_INITIALIZER;
static sq_io_hook_fn       hook_fn;
static void               *hook_ctx;
static _Thread_local int   last_errno;

void
sq_io_set_hook(sq_io_hook_fn fn, void *ctx)
{
    pthread_mutex_lock(&hook_lock);
    hook_fn = fn;
    hook_ctx = ctx;
    pthread_mutex_unlock(&hook_lock);
}

/* runs the hook if any; returns 0 or the errno it injects */
static int
run_hook(const sq_io_op *op, size_t *short_len)
{
    sq_io_hook_fn fn;
    void         *ctx;
    size_t        dummy = op->len;

    pthread_mutex_lock(&hook_lock);
    fn = hook_fn;
    ctx = hook_ctx;
    pthread_mutex_unlock(&hook_lock);
    if (fn == NULL)
        return 0;
    return fn(ctx, op, short_len != NULL ? short_len : &dummy);
}

static sq_err
fail(int e)
{
    last_errno = e;
    return sq_errno_to_err(e);
}

int
sq_io_last_errno(void)
{
    return last_errno;
}

sq_err
sq_errno_to_err(int e)
{
    switch (e) {
    case 0:
        return SQ_OK;
    case ENOSPC:
    case EDQUOT:
        return SQ_ERR_NOSPACE;
    case EROFS:
        return SQ_ERR_READONLY;
    case ENOENT:
    case ENOTDIR:
        return SQ_ERR_NOTFOUND;
    case EEXIST:
        return SQ_ERR_EXISTS;
    case ENOMEM:
        return SQ_ERR_NOMEM;
    case EWOULDBLOCK:
        return SQ_ERR_LOCKED;
    case EOPNOTSUPP:
    case EISDIR:
        return SQ_ERR_UNSUPPORTED;
    case ENAMETOOLONG:
    case EINVAL:
        return SQ_ERR_INVALID;
    case EFBIG:
        return SQ_ERR_LIMIT;
    default:
        return SQ_ERR_IO;               /* EACCES, EPERM, EIO, ... */
    }
}

/* shared loop of write_all and pwrite_all */
static sq_err
write_loop(sq_io_kind kind, int fd, const uint8_t *buf, size_t len, uint64_t off)
{
    while (len > 0) {
        sq_io_op op = { kind, fd, off, len > SQ_IO_MAX_CALL ? SQ_IO_MAX_CALL : len, buf, NULL, NULL };
        size_t   n = op.len;
        ssize_t  w;
        int      e;

        if ((e = run_hook(&op, &n)) != 0)
            return fail(e);
        if (n == 0)
            n = 1;                     /* a zero-length write would never progress */
        if (n > op.len)
            n = op.len;
        if (kind == SQ_IO_PWRITE && off > (uint64_t)INT64_MAX - n)
            return fail(EFBIG);
        do {
            w = kind == SQ_IO_PWRITE ? pwrite(fd, buf, n, (off_t)off) : write(fd, buf, n);
        } while (w < 0 && errno == EINTR);
        if (w < 0)
            return fail(errno);
        if (w == 0)
            return fail(EIO);          /* no progress on a non-empty write */
        buf += w;
        len -= (size_t)w;
        off += (uint64_t)w;
    }
    return SQ_OK;
}

sq_err
sq_io_pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
    return write_loop(SQ_IO_PWRITE, fd, buf, len, off);
}

sq_err
sq_io_write_all(int fd, const void *buf, size_t len)
{
    return write_loop(SQ_IO_WRITE, fd, buf, len, 0);
}

sq_err
sq_io_pread_all(int fd, void *buf, size_t len, uint64_t off)
{
    uint8_t *p = buf;

    while (len > 0) {
        size_t  n = len > SQ_IO_MAX_CALL ? SQ_IO_MAX_CALL : len;
        ssize_t r;

        if (off > (uint64_t)INT64_MAX - n)
            return fail(EFBIG);
        do {
            r = pread(fd, p, n, (off_t)off);
        } while (r < 0 && errno == EINTR);
        if (r < 0)
            return fail(errno);
        if (r == 0)
            return SQ_ERR_TRUNCATED;
        p += r;
        len -= (size_t)r;
        off += (uint64_t)r;
    }
    return SQ_OK;
}

sq_err
sq_io_read_some(int fd, void *buf, size_t len, size_t *got)
{
    ssize_t r;

    *got = 0;
    if (len > SQ_IO_MAX_CALL)
        len = SQ_IO_MAX_CALL;
    do {
        r = read(fd, buf, len);
    } while (r < 0 && errno == EINTR);
    if (r < 0)
        return fail(errno);
    *got = (size_t)r;
    return SQ_OK;
}

sq_err
sq_io_read_full(int fd, void *buf, size_t len, size_t *got)
{
    uint8_t *p = buf;
    size_t   n;
    sq_err   ret;

    *got = 0;
    while (*got < len) {
        if ((ret = sq_io_read_some(fd, p + *got, len - *got, &n)) != SQ_OK)
            return ret;
        if (n == 0)
            break;
        *got += n;
    }
    return SQ_OK;
}

static sq_err
sync_fd(sq_io_kind kind, int fd)
{
    sq_io_op op = { kind, fd, 0, 0, NULL, NULL, NULL };
    int      e;

    if ((e = run_hook(&op, NULL)) != 0)
        return fail(e);
    if ((kind == SQ_IO_FDATASYNC ? fdatasync(fd) : fsync(fd)) != 0)
        return fail(errno);            /* never retried: see io.h */
    return SQ_OK;
}

sq_err
sq_io_fsync(int fd)
{
    return sync_fd(SQ_IO_FSYNC, fd);
}

sq_err
sq_io_fdatasync(int fd)
{
    return sync_fd(SQ_IO_FDATASYNC, fd);
}

sq_err
sq_io_fsync_dir_of(const char *path)
{
    char      *dir = NULL;
    char      *slash;
    int        fd = -1, e;
    sq_err     ret = SQ_ERR_NOMEM;
    sq_io_op   op = { SQ_IO_FSYNC_DIR, -1, 0, 0, NULL, NULL, NULL };

    if ((dir = strdup(path)) == NULL)
        goto out;
    /* the folder: everything before the last '/', "/" for "/x", "." for "x" */
    slash = strrchr(dir, '/');
    if (slash == NULL)
        strcpy(dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        ret = fail(errno);
        goto out;
    }
    op.fd = fd;
    op.path = dir;
    if ((e = run_hook(&op, NULL)) != 0) {
        ret = fail(e);
        goto out;
    }
    ret = fsync(fd) == 0 ? SQ_OK : fail(errno);
out:
    if (fd >= 0)
        close(fd);
    free(dir);
    return ret;
}

sq_err
sq_io_rename(const char *from, const char *to)
{
    sq_io_op op = { SQ_IO_RENAME, -1, 0, 0, NULL, from, to };
    int      e;

    if ((e = run_hook(&op, NULL)) != 0)
        return fail(e);
    return rename(from, to) == 0 ? SQ_OK : fail(errno);
}

sq_err
sq_io_linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int flags)
{
    sq_io_op op = { SQ_IO_LINKAT, olddirfd, 0, 0, NULL, oldpath, newpath };
    int      e;

    if ((e = run_hook(&op, NULL)) != 0)
        return fail(e);
    return linkat(olddirfd, oldpath, newdirfd, newpath, flags) == 0 ? SQ_OK : fail(errno);
}

sq_err
sq_io_unlink(const char *path)
{
    sq_io_op op = { SQ_IO_UNLINK, -1, 0, 0, NULL, path, NULL };
    int      e;

    if ((e = run_hook(&op, NULL)) != 0)
        return fail(e);
    return unlink(path) == 0 ? SQ_OK : fail(errno);
}

sq_err
sq_io_fallocate(int fd, uint64_t off, uint64_t len)
{
    sq_io_op op = { SQ_IO_FALLOCATE, fd, off, (size_t)len, NULL, NULL, NULL };
    int      e, r;

    if (off > (uint64_t)INT64_MAX || len > (uint64_t)INT64_MAX - off)
        return fail(EFBIG);
    if ((e = run_hook(&op, NULL)) != 0)
        return fail(e);
    do {
        r = fallocate(fd, 0, (off_t)off, (off_t)len);
    } while (r != 0 && errno == EINTR);
    if (r != 0 && errno == EOPNOTSUPP)
        return SQ_OK;                  /* e.g. tmpfs without support: nothing to do */
    return r == 0 ? SQ_OK : fail(errno);
}

sq_err
sq_io_ftruncate(int fd, uint64_t len)
{
    sq_io_op op = { SQ_IO_FTRUNCATE, fd, len, 0, NULL, NULL, NULL };
    int      e, r;

    if (len > (uint64_t)INT64_MAX)
        return fail(EFBIG);
    if ((e = run_hook(&op, NULL)) != 0)
        return fail(e);
    do {
        r = ftruncate(fd, (off_t)len);
    } while (r != 0 && errno == EINTR);
    return r == 0 ? SQ_OK : fail(errno);
}
