/* outfile.c: O_TMPFILE + linkat outputs, with an O_EXCL fallback. */
#include "util/outfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/io.h"
#include "util/random.h"

#define TMP_TAG        ".sandyq-tmp-"
#define TMP_HEX        16            /* 8 random bytes */
#define TMP_BASE_MAX   200           /* keeps ".<base>.sandyq-tmp-<hex>" under NAME_MAX */
#define TMP_TRIES      16

struct sq_outfile {
    int   fd;
    char *target;
    char *dir;        /* the target's folder */
    const char *base; /* last component of target (points into target) */
    char *tmp_path;   /* named temporary (fallback, or the force link), else NULL */
    bool  anonymous;  /* O_TMPFILE */
    bool  force;
    bool  committed;
};

/* splits path into a malloc'd folder and a pointer to the last component */
static char *
dir_of(const char *path, const char **base)
{
    const char *slash = strrchr(path, '/');
    char       *dir;

    if (slash == NULL) {
        *base = path;
        return strdup(".");
    }
    *base = slash + 1;
    if (slash == path)
        return strdup("/");
    if ((dir = malloc((size_t)(slash - path) + 1)) == NULL)
        return NULL;
    memcpy(dir, path, (size_t)(slash - path));
    dir[slash - path] = '\0';
    return dir;
}

/* "<dir>/.<base>.sandyq-tmp-<16 random hex>", malloc'd */
static char *
tmp_name(const char *dir, const char *base)
{
    uint8_t rnd[TMP_HEX / 2];
    char    hex[TMP_HEX + 1];
    size_t  base_len = strlen(base), n;
    char   *s;

    if (base_len > TMP_BASE_MAX)
        base_len = TMP_BASE_MAX;
    sq_random_buf(rnd, sizeof rnd);    /* not secret: only avoids collisions */
    for (size_t i = 0; i < sizeof rnd; i++)
        snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
    n = strlen(dir) + 2 + base_len + sizeof TMP_TAG + TMP_HEX + 1;
    if ((s = malloc(n)) == NULL)
        return NULL;
    snprintf(s, n, "%s/.%.*s%s%s", dir, (int)base_len, base, TMP_TAG, hex);
    return s;
}

/* creates a fresh O_EXCL 0600 file beside the target; sets f->fd, *path */
static sq_err
open_named(sq_outfile *f, const char *base, char **path)
{
    for (int i = 0; i < TMP_TRIES; i++) {
        if ((*path = tmp_name(f->dir, base)) == NULL)
            return SQ_ERR_NOMEM;
        f->fd = open(*path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (f->fd >= 0)
            return SQ_OK;
        if (errno != EEXIST)
            return sq_errno_to_err(errno);
        free(*path);
        *path = NULL;
    }
    return SQ_ERR_EXISTS;
}

sq_err
sq_outfile_open(sq_outfile **out, const char *target, bool force)
{
    sq_outfile *f = NULL;
    const char *base;
    struct stat st;
    sq_err      ret = SQ_ERR_NOMEM;

    *out = NULL;
    if (target == NULL || strcmp(target, "-") == 0)
        return SQ_ERR_INVALID;
    if ((f = calloc(1, sizeof *f)) == NULL)
        return SQ_ERR_NOMEM;
    f->fd = -1;
    f->force = force;
    if ((f->target = strdup(target)) == NULL || (f->dir = dir_of(f->target, &f->base)) == NULL)
        goto out;
    base = f->base;
    ret = SQ_ERR_INVALID;
    if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
        goto out;                      /* a folder is not an output file */
    if (!force && lstat(target, &st) == 0) {
        ret = SQ_ERR_EXISTS;
        goto out;
    }
    f->fd = open(f->dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
    if (f->fd >= 0) {
        f->anonymous = true;
    } else if (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL) {
        /* file system (or kernel) without O_TMPFILE */
        if ((ret = open_named(f, base, &f->tmp_path)) != SQ_OK)
            goto out;
    } else {
        ret = sq_errno_to_err(errno);
        goto out;
    }
    /* the mode given to open() is filtered by the umask; 0600 is not optional */
    if (fchmod(f->fd, 0600) != 0) {
        ret = sq_errno_to_err(errno);
        goto out;
    }
    /* marks it live for sq_outfile_cleanup_dir in other processes */
    (void)flock(f->fd, LOCK_EX | LOCK_NB);
    *out = f;
    f = NULL;
    ret = SQ_OK;
out:
    sq_outfile_abort(f);
    return ret;
}

int
sq_outfile_fd(const sq_outfile *f)
{
    return f->fd;
}

sq_err
sq_outfile_write(sq_outfile *f, const void *buf, size_t len)
{
    if (f->committed)
        abort();                       /* misuse: writing after release */
    return sq_io_write_all(f->fd, buf, len);
}

/* links the anonymous file to path; EEXIST -> SQ_ERR_EXISTS */
static sq_err
link_anonymous(sq_outfile *f, const char *path)
{
    char   proc[64];
    sq_err ret;

    /* linkat(fd, "", ..., AT_EMPTY_PATH) needs CAP_DAC_READ_SEARCH; the
     * /proc/self/fd form (open(2), O_TMPFILE) works for everyone */
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", f->fd);
    ret = sq_io_linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW);
    if (ret == SQ_ERR_NOTFOUND && sq_io_last_errno() == ENOENT && access("/proc/self/fd", F_OK) != 0)
        ret = sq_io_linkat(f->fd, "", AT_FDCWD, path, AT_EMPTY_PATH);  /* no /proc */
    return ret;
}

sq_err
sq_outfile_commit(sq_outfile *f)
{
    sq_err ret;

    if (f->committed)
        abort();                       /* misuse */
    if ((ret = sq_io_fsync(f->fd)) != SQ_OK)
        return ret;
    if (!f->force) {
        /* linkat never replaces: a target created since open() wins */
        if (f->anonymous)
            ret = link_anonymous(f, f->target);
        else
            ret = sq_io_linkat(AT_FDCWD, f->tmp_path, AT_FDCWD, f->target, 0);
        if (ret != SQ_OK)
            return ret;
        if (!f->anonymous) {
            /* the target holds the data now; a leftover name would be
             * removed by the next cleanup, so this cannot fail the commit */
            (void)sq_io_unlink(f->tmp_path);
            free(f->tmp_path);
            f->tmp_path = NULL;
        }
    } else {
        if (f->anonymous) {
            for (int i = 0; i < TMP_TRIES; i++) {
                if ((f->tmp_path = tmp_name(f->dir, f->base)) == NULL)
                    return SQ_ERR_NOMEM;
                if ((ret = link_anonymous(f, f->tmp_path)) != SQ_ERR_EXISTS)
                    break;
                free(f->tmp_path);
                f->tmp_path = NULL;
            }
            if (ret != SQ_OK)
                return ret;
        }
        /* rename replaces the target atomically: readers see old or new */
        if ((ret = sq_io_rename(f->tmp_path, f->target)) != SQ_OK)
            return ret;
        free(f->tmp_path);
        f->tmp_path = NULL;
    }
    f->committed = true;
    return sq_io_fsync_dir_of(f->target);
}

void
sq_outfile_abort(sq_outfile *f)
{
    if (f == NULL)
        return;
    /* an uncommitted named temporary holds released plaintext: remove it */
    if (!f->committed && f->tmp_path != NULL)
        (void)sq_io_unlink(f->tmp_path);
    if (f->fd >= 0)
        close(f->fd);                  /* an anonymous file vanishes here */
    free(f->tmp_path);
    free(f->dir);
    free(f->target);
    free(f);
}

/* ".<anything>.sandyq-tmp-<16 lowercase hex>" */
static bool
is_stale_name(const char *name)
{
    size_t      n = strlen(name), tag = strlen(TMP_TAG);
    const char *hex;

    if (name[0] != '.' || n < 1 + tag + TMP_HEX)
        return false;
    hex = name + n - TMP_HEX;
    if (strncmp(hex - tag, TMP_TAG, tag) != 0)
        return false;
    for (int i = 0; i < TMP_HEX; i++) {
        if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
            return false;
    }
    return true;
}

void
sq_outfile_cleanup_dir(const char *target)
{
    const char    *base;
    char          *dir = dir_of(target, &base);
    DIR           *d = NULL;
    struct dirent *e;
    int            dfd;

    if (dir == NULL || (d = opendir(dir)) == NULL)
        goto out;
    dfd = dirfd(d);
    while ((e = readdir(d)) != NULL) {
        struct stat st;
        char       *path;
        size_t      n;
        int         fd;

        if (!is_stale_name(e->d_name))
            continue;
        /* regular files only, and never through a symlink */
        fd = openat(dfd, e->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
            continue;
        if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || flock(fd, LOCK_EX | LOCK_NB) != 0) {
            close(fd);                 /* not a file, or another process is writing it */
            continue;
        }
        n = strlen(dir) + strlen(e->d_name) + 2;
        if ((path = malloc(n)) != NULL) {
            snprintf(path, n, "%s/%s", dir, e->d_name);
            (void)sq_io_unlink(path);
            free(path);
        }
        close(fd);
    }
out:
    if (d != NULL)
        closedir(d);
    free(dir);
}
