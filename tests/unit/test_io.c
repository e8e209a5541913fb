/* test_io.c: the hooked I/O layer and plaintext output files. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testlib.h"
#include "util/io.h"
#include "util/outfile.h"
#include "util/random.h"

static char dir[4096];

/* a recording, fault-injecting hook */
#define MAX_OPS 4096
typedef struct {
    sq_io_kind kinds[MAX_OPS];
    size_t     n;
    sq_io_kind fail_kind;   /* fail this kind ... */
    int        fail_errno;  /* ... with this errno (0: never) */
    size_t     short_max;   /* writes: at most this many bytes per call (0: no limit) */
} rec;

static int
hook(void *ctx, const sq_io_op *op, size_t *short_len)
{
    rec *r = ctx;

    if (r->n < MAX_OPS)
        r->kinds[r->n] = op->kind;
    r->n++;
    if (r->fail_errno != 0 && op->kind == r->fail_kind)
        return r->fail_errno;
    if (r->short_max != 0 && (op->kind == SQ_IO_WRITE || op->kind == SQ_IO_PWRITE) &&
        *short_len > r->short_max)
        *short_len = 1 + (size_t)sq_random_uniform(r->short_max);
    return 0;
}

static char *
path_in(const char *name)
{
    static char p[8][4200];
    static int  i;

    i = (i + 1) % 8;
    snprintf(p[i], sizeof p[i], "%s/%s", dir, name);
    return p[i];
}

static size_t
file_size(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 ? (size_t)st.st_size : (size_t)-1;
}

static bool
file_is(const char *path, const void *want, size_t len)
{
    uint8_t buf[256];
    int     fd = open(path, O_RDONLY);
    ssize_t n;

    if (fd < 0)
        return false;
    n = read(fd, buf, sizeof buf);
    close(fd);
    return n == (ssize_t)len && memcmp(buf, want, len) == 0;
}

/* names in dir, so tests can see that nothing is left behind */
static size_t
dir_count(void)
{
    DIR           *d = opendir(dir);
    struct dirent *e;
    size_t         n = 0;

    if (d == NULL)
        return (size_t)-1;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    }
    closedir(d);
    return n;
}

static void
test_errno_map(void)
{
    CHECK_EQ_INT(sq_errno_to_err(ENOSPC), SQ_ERR_NOSPACE);
    CHECK_EQ_INT(sq_errno_to_err(EDQUOT), SQ_ERR_NOSPACE);
    CHECK_EQ_INT(sq_errno_to_err(EROFS), SQ_ERR_READONLY);
    CHECK_EQ_INT(sq_errno_to_err(EACCES), SQ_ERR_IO);
    CHECK_EQ_INT(sq_errno_to_err(EPERM), SQ_ERR_IO);
    CHECK_EQ_INT(sq_errno_to_err(EIO), SQ_ERR_IO);
    CHECK_EQ_INT(sq_errno_to_err(ENOENT), SQ_ERR_NOTFOUND);
    CHECK_EQ_INT(sq_errno_to_err(EEXIST), SQ_ERR_EXISTS);
    CHECK_EQ_INT(sq_errno_to_err(ENOMEM), SQ_ERR_NOMEM);
    CHECK_EQ_INT(sq_errno_to_err(EWOULDBLOCK), SQ_ERR_LOCKED);
    CHECK_EQ_INT(sq_errno_to_err(0), SQ_OK);
}

static void
test_write_fault(void)
{
    rec    r = { .fail_kind = SQ_IO_PWRITE, .fail_errno = ENOSPC };
    int    fd = open(path_in("nospace"), O_RDWR | O_CREAT | O_EXCL, 0600);
    sq_err e;

    CHECK(fd >= 0);
    sq_io_set_hook(hook, &r);
    e = sq_io_pwrite_all(fd, "hello", 5, 0);
    CHECK_EQ_INT(e, SQ_ERR_NOSPACE);
    CHECK_EQ_INT(sq_io_last_errno(), ENOSPC);
    CHECK_EQ_INT(file_size(path_in("nospace")), 0);    /* it did not run */
    r.fail_kind = SQ_IO_WRITE;
    r.fail_errno = EDQUOT;
    CHECK_EQ_INT(sq_io_write_all(fd, "hello", 5), SQ_ERR_NOSPACE);
    /* a failed fsync is reported once and not retried */
    r.n = 0;
    r.fail_kind = SQ_IO_FSYNC;
    r.fail_errno = EIO;
    CHECK_EQ_INT(sq_io_fsync(fd), SQ_ERR_IO);
    CHECK_EQ_INT(r.n, 1);
    CHECK_EQ_INT(sq_io_last_errno(), EIO);
    r.fail_kind = SQ_IO_FDATASYNC;
    r.fail_errno = EROFS;
    CHECK_EQ_INT(sq_io_fdatasync(fd), SQ_ERR_READONLY);
    r.fail_kind = SQ_IO_FTRUNCATE;
    r.fail_errno = EIO;
    CHECK_EQ_INT(sq_io_ftruncate(fd, 100), SQ_ERR_IO);
    CHECK_EQ_INT(file_size(path_in("nospace")), 0);
    r.fail_errno = 0;
    CHECK_EQ_INT(sq_io_fsync(fd), SQ_OK);
    CHECK_EQ_INT(sq_io_fdatasync(fd), SQ_OK);
    CHECK_EQ_INT(sq_io_ftruncate(fd, 100), SQ_OK);
    CHECK_EQ_INT(file_size(path_in("nospace")), 100);
    CHECK_EQ_INT(sq_io_fallocate(fd, 0, 4096), SQ_OK);
    CHECK(file_size(path_in("nospace")) == 4096);
    sq_io_set_hook(NULL, NULL);
    close(fd);
    CHECK_EQ_INT(sq_io_unlink(path_in("nospace")), SQ_OK);
    CHECK_EQ_INT(sq_io_unlink(path_in("nospace")), SQ_ERR_NOTFOUND);
    CHECK_EQ_INT(sq_io_last_errno(), ENOENT);
}

static void
test_short_writes(void)
{
    enum { N = 100000 };
    uint8_t *src = malloc(N), *got = malloc(N);
    rec      r = { .short_max = 777 };
    size_t   n = 0;
    int      fd = open(path_in("short"), O_RDWR | O_CREAT | O_EXCL, 0600);

    CHECK(fd >= 0 && src != NULL && got != NULL);
    if (fd < 0 || src == NULL || got == NULL)
        return;
    sq_random_buf(src, N);
    sq_io_set_hook(hook, &r);
    CHECK_EQ_INT(sq_io_pwrite_all(fd, src, N, 10), SQ_OK);
    CHECK(r.n > N / 777);                             /* completed in many short calls */
    CHECK_EQ_INT(sq_io_pread_all(fd, got, N, 10), SQ_OK);
    CHECK(memcmp(got, src, N) == 0);
    r.n = 0;
    CHECK_EQ_INT(lseek(fd, 0, SEEK_END), N + 10);
    CHECK_EQ_INT(sq_io_write_all(fd, src, N), SQ_OK);  /* appends at the offset */
    CHECK(r.n > N / 777);
    CHECK_EQ_INT(sq_io_pread_all(fd, got, N, N + 10), SQ_OK);
    CHECK(memcmp(got, src, N) == 0);
    r.short_max = 0;
    CHECK_EQ_INT(sq_io_pwrite_all(fd, src, 0, 0), SQ_OK);   /* nothing to do */
    sq_io_set_hook(NULL, NULL);

    /* reads: EOF before len is TRUNCATED; read_full stops at EOF */
    CHECK_EQ_INT(sq_io_pread_all(fd, got, 100, 2 * N), SQ_ERR_TRUNCATED);
    CHECK_EQ_INT(lseek(fd, 2 * N, SEEK_SET), 2 * N);
    CHECK_EQ_INT(sq_io_read_full(fd, got, N, &n), SQ_OK);
    CHECK_EQ_INT(n, 10);
    CHECK(memcmp(got, src + N - 10, 10) == 0);
    CHECK_EQ_INT(sq_io_read_some(fd, got, N, &n), SQ_OK);
    CHECK_EQ_INT(n, 0);                               /* EOF */
    close(fd);
    CHECK_EQ_INT(sq_io_read_some(fd, got, 1, &n), SQ_ERR_IO);  /* EBADF */
    CHECK_EQ_INT(sq_io_last_errno(), EBADF);
    unlink(path_in("short"));
    free(src);
    free(got);
}

static void
test_dir_ops(void)
{
    rec r = { 0 };
    int fd = open(path_in("a"), O_RDWR | O_CREAT | O_EXCL, 0600);

    CHECK(fd >= 0);
    close(fd);
    sq_io_set_hook(hook, &r);
    CHECK_EQ_INT(sq_io_rename(path_in("a"), path_in("b")), SQ_OK);
    CHECK_EQ_INT(sq_io_fsync_dir_of(path_in("b")), SQ_OK);
    CHECK_EQ_INT(r.n, 2);
    CHECK(r.kinds[0] == SQ_IO_RENAME && r.kinds[1] == SQ_IO_FSYNC_DIR);
    r.fail_kind = SQ_IO_FSYNC_DIR;
    r.fail_errno = EIO;
    CHECK_EQ_INT(sq_io_fsync_dir_of(path_in("b")), SQ_ERR_IO);
    r.fail_kind = SQ_IO_RENAME;
    CHECK_EQ_INT(sq_io_rename(path_in("b"), path_in("c")), SQ_ERR_IO);
    CHECK(file_size(path_in("b")) == 0);               /* not renamed */
    sq_io_set_hook(NULL, NULL);
    CHECK_EQ_INT(sq_io_fsync_dir_of("relative-name"), SQ_OK);   /* the current folder */
    CHECK_EQ_INT(sq_io_fsync_dir_of("/etc"), SQ_OK);            /* "/" */
    CHECK_EQ_INT(sq_io_fsync_dir_of("/no/such/folder/x"), SQ_ERR_NOTFOUND);
    unlink(path_in("b"));
}

static void
test_outfile(void)
{
    sq_outfile *f = NULL;
    struct stat st;
    ino_t       old_ino;
    size_t      before;
    rec         r = { 0 };
    int         fd;

    umask(0);
    /* basic: nothing visible until commit; mode 0600 even under umask 0 */
    before = dir_count();
    CHECK_EQ_INT(sq_outfile_open(&f, path_in("out.txt"), false), SQ_OK);
    CHECK(f != NULL && sq_outfile_fd(f) >= 0);
    CHECK_EQ_INT(sq_outfile_write(f, "plain", 5), SQ_OK);
    CHECK_EQ_INT(dir_count(), before);                  /* O_TMPFILE: no name yet */
    CHECK(access(path_in("out.txt"), F_OK) != 0);
    sq_io_set_hook(hook, &r);
    CHECK_EQ_INT(sq_outfile_commit(f), SQ_OK);
    sq_io_set_hook(NULL, NULL);
    /* the order that makes it durable: data, then name, then folder */
    CHECK_EQ_INT(r.n, 3);
    CHECK(r.kinds[0] == SQ_IO_FSYNC && r.kinds[1] == SQ_IO_LINKAT && r.kinds[2] == SQ_IO_FSYNC_DIR);
    sq_outfile_abort(f);                                 /* after commit: just frees */
    CHECK(stat(path_in("out.txt"), &st) == 0 && (st.st_mode & 07777) == 0600);
    CHECK(file_is(path_in("out.txt"), "plain", 5));
    CHECK_EQ_INT(dir_count(), before + 1);

    /* an existing target is refused without force, at open ... */
    f = (sq_outfile *)1;
    CHECK_EQ_INT(sq_outfile_open(&f, path_in("out.txt"), false), SQ_ERR_EXISTS);
    CHECK(f == NULL);
    CHECK(symlink("/nonexistent", path_in("dangling")) == 0);
    CHECK_EQ_INT(sq_outfile_open(&f, path_in("dangling"), false), SQ_ERR_EXISTS);
    /* ... and at commit, if it appeared meanwhile */
    CHECK_EQ_INT(sq_outfile_open(&f, path_in("race.txt"), false), SQ_OK);
    CHECK_EQ_INT(sq_outfile_write(f, "mine", 4), SQ_OK);
    fd = open(path_in("race.txt"), O_WRONLY | O_CREAT | O_EXCL, 0600);
    CHECK(fd >= 0 && write(fd, "theirs", 6) == 6);
    close(fd);
    CHECK_EQ_INT(sq_outfile_commit(f), SQ_ERR_EXISTS);
    sq_outfile_abort(f);
    CHECK(file_is(path_in("race.txt"), "theirs", 6));   /* untouched */

    /* force replaces atomically: the old file stays until the rename */
    CHECK(stat(path_in("out.txt"), &st) == 0);
    old_ino = st.st_ino;
    before = dir_count();
    CHECK_EQ_INT(sq_outfile_open(&f, path_in("out.txt"), true), SQ_OK);
    CHECK_EQ_INT(sq_outfile_write(f, "replaced", 8), SQ_OK);
    CHECK(file_is(path_in("out.txt"), "plain", 5));
    r.n = 0;
    sq_io_set_hook(hook, &r);
    CHECK_EQ_INT(sq_outfile_commit(f), SQ_OK);
    sq_io_set_hook(NULL, NULL);
    CHECK_EQ_INT(r.n, 4);
    CHECK(r.kinds[0] == SQ_IO_FSYNC && r.kinds[1] == SQ_IO_LINKAT && r.kinds[2] == SQ_IO_RENAME &&
          r.kinds[3] == SQ_IO_FSYNC_DIR);
    sq_outfile_abort(f);
    CHECK(file_is(path_in("out.txt"), "replaced", 8));
    CHECK(stat(path_in("out.txt"), &st) == 0 && st.st_ino != old_ino &&
          (st.st_mode & 07777) == 0600);
    CHECK_EQ_INT(dir_count(), before);                  /* no temporary left */

    /* force, but the rename fails: the old file stays, the temp is removed */
    CHECK_EQ_INT(sq_outfile_open(&f, path_in("out.txt"), true), SQ_OK);
    CHECK_EQ_INT(sq_outfile_write(f, "lost", 4), SQ_OK);
    r = (rec){ .fail_kind = SQ_IO_RENAME, .fail_errno = EIO };
    sq_io_set_hook(hook, &r);
    CHECK_EQ_INT(sq_outfile_commit(f), SQ_ERR_IO);
    sq_io_set_hook(NULL, NULL);
    CHECK_EQ_INT(dir_count(), before + 1);              /* the linked temporary */
    sq_outfile_abort(f);
    CHECK_EQ_INT(dir_count(), before);
    CHECK(file_is(path_in("out.txt"), "replaced", 8));

    /* abort leaves no file; a failed write or fsync commits nothing */
    CHECK_EQ_INT(sq_outfile_open(&f, path_in("never.txt"), false), SQ_OK);
    CHECK_EQ_INT(sq_outfile_write(f, "secret", 6), SQ_OK);
    sq_outfile_abort(f);
    CHECK(access(path_in("never.txt"), F_OK) != 0);
    CHECK_EQ_INT(sq_outfile_open(&f, path_in("never.txt"), false), SQ_OK);
    r = (rec){ .fail_kind = SQ_IO_WRITE, .fail_errno = ENOSPC };
    sq_io_set_hook(hook, &r);
    CHECK_EQ_INT(sq_outfile_write(f, "secret", 6), SQ_ERR_NOSPACE);
    r = (rec){ .fail_kind = SQ_IO_FSYNC, .fail_errno = EIO };
    CHECK_EQ_INT(sq_outfile_commit(f), SQ_ERR_IO);
    sq_io_set_hook(NULL, NULL);
    sq_outfile_abort(f);
    CHECK(access(path_in("never.txt"), F_OK) != 0);
    CHECK_EQ_INT(dir_count(), before);

    CHECK_EQ_INT(sq_outfile_open(&f, "-", false), SQ_ERR_INVALID);
    CHECK_EQ_INT(sq_outfile_open(&f, path_in(""), false), SQ_ERR_INVALID);
    CHECK_EQ_INT(sq_outfile_open(&f, path_in("no/such/dir/x"), false), SQ_ERR_NOTFOUND);
    sq_outfile_abort(NULL);
    umask(022);
}

static void
make_file(const char *name)
{
    int fd = open(path_in(name), O_WRONLY | O_CREAT | O_EXCL, 0600);

    CHECK(fd >= 0);
    if (fd >= 0)
        close(fd);
}

static void
test_cleanup(void)
{
    size_t before = dir_count();
    int    held;

    make_file(".report.pdf.sandyq-tmp-0123456789abcdef");    /* stale: removed */
    make_file(".x.sandyq-tmp-fedcba9876543210");             /* stale: removed */
    make_file(".held.sandyq-tmp-00112233445566aa");          /* live (flock): kept */
    make_file(".report.pdf.sandyq-tmp-0123");                /* not our pattern */
    make_file("report.pdf.sandyq-tmp-0123456789abcdef");     /* no leading dot */
    make_file(".report.pdf.sandyq-tmp-0123456789ABCDEF");    /* not our hex */
    CHECK(mkdir(path_in(".d.sandyq-tmp-0123456789abcdef"), 0700) == 0);  /* not a file */
    CHECK(symlink(path_in("out.txt"), path_in(".l.sandyq-tmp-0123456789abcdef")) == 0);
    held = open(path_in(".held.sandyq-tmp-00112233445566aa"), O_RDONLY);
    CHECK(held >= 0 && flock(held, LOCK_EX | LOCK_NB) == 0);
    sq_outfile_cleanup_dir(path_in("anything"));
    CHECK(access(path_in(".report.pdf.sandyq-tmp-0123456789abcdef"), F_OK) != 0);
    CHECK(access(path_in(".x.sandyq-tmp-fedcba9876543210"), F_OK) != 0);
    CHECK(access(path_in(".held.sandyq-tmp-00112233445566aa"), F_OK) == 0);
    CHECK(access(path_in(".report.pdf.sandyq-tmp-0123"), F_OK) == 0);
    CHECK(access(path_in("report.pdf.sandyq-tmp-0123456789abcdef"), F_OK) == 0);
    CHECK(access(path_in(".report.pdf.sandyq-tmp-0123456789ABCDEF"), F_OK) == 0);
    CHECK(access(path_in(".d.sandyq-tmp-0123456789abcdef"), F_OK) == 0);
    CHECK(faccessat(AT_FDCWD, path_in(".l.sandyq-tmp-0123456789abcdef"), F_OK,
                    AT_SYMLINK_NOFOLLOW) == 0);
    CHECK(access(path_in("out.txt"), F_OK) == 0);             /* a symlink's target is safe */
    CHECK_EQ_INT(dir_count(), before + 6);
    close(held);
}

static void
remove_tree(void)
{
    char cmd[4200];

    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

int
main(void)
{
    sq_test_init("test_io");
    snprintf(dir, sizeof dir, "%s", sq_test_tmpdir());
    test_errno_map();
    test_write_fault();
    test_short_writes();
    test_dir_ops();
    test_outfile();
    test_cleanup();
    remove_tree();
    return sq_test_done();
}
