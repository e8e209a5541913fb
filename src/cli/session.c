/* session.c: opening vaults and turning library errors into messages.
 *
 * BRIEF "Uniform before unlock, precise after": every unlock failure gets
 * the same one message, whatever the cause; once a slot opened, messages
 * name the document and chunk (sq_vault_last_detail). */
#include "cli.h"

#include "sandyq/shares.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
cli_vault_error(const sq_vault *v, sq_err err, int saved_errno, const char *fmt, ...)
{
    const char *detail = v != NULL ? sq_vault_last_detail(v) : "";
    const char *reason;
    char        what[1024];
    va_list     ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (detail != NULL && detail[0] != '\0')
        reason = detail;
    else if (err == SQ_ERR_IO && saved_errno != 0)
        reason = cli_errno_str(saved_errno);
    else if (err == SQ_ERR_LOCKED)
        reason = "vault is in use by another sandyq process";
    else
        reason = sq_err_str(err);
    /* detail comes from the library: lowercase text, but it may quote a
     * name; escaping it as a whole keeps a crafted name from the terminal */
    cli_error("%s (%s)", what, detail != NULL && reason == detail ? cli_namez(reason) : reason);
    if (err == SQ_ERR_NOSPACE)
        cli_hint("free some space and try again");
    return CLI_FAIL;
}

/* probe: the vault file exists, is a regular file and can be opened with
 * flags. Done before the passphrase is asked for, so a typo in the path
 * does not cost a prompt and a KDF run. Returns 0 or an errno value. The
 * descriptor is closed at once: flock locks belong to the library's own
 * open file description, so this cannot disturb them. */
static int
probe(const char *path, int flags)
{
    struct stat st;
    int         fd, e;

    if ((fd = open(path, flags | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0)
        return errno;
    e = 0;
    if (fstat(fd, &st) != 0)
        e = errno;
    else if (S_ISDIR(st.st_mode))
        e = EISDIR;
    else if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
        e = EINVAL;
    close(fd);
    return e;
}

int
cli_open_vault(sq_vault **out, const char *path, bool writable, const cli_pass_src *src,
               bool *readonly_fallback)
{
    cli_secret     pass = { 0 };
    sq_secret_view view;
    char           what[600];
    const char    *detail;
    sq_err         err;
    int            e, ret;

    *out = NULL;
    if (readonly_fallback != NULL)
        *readonly_fallback = false;
    if ((e = probe(path, O_RDONLY)) != 0) {
        if (e == EINVAL)
            cli_error("cannot open vault '%s' (not a regular file)", cli_namez(path));
        else
            cli_error("cannot open vault '%s' (%s)", cli_namez(path), cli_errno_str(e));
        return CLI_FAIL;
    }
    if (writable && (e = probe(path, O_RDWR)) != 0) {
        if (readonly_fallback != NULL && (e == EROFS || e == EACCES || e == EPERM)) {
            writable = false;
            *readonly_fallback = true;
        } else {
            cli_error("cannot open vault '%s' for writing (%s)", cli_namez(path), cli_errno_str(e));
            return CLI_FAIL;
        }
    }

    if (src->shares != NULL) {
        /* a quorum of colleagues: the shares combine to the raw key of the
         * level's share slot (sandyq/shares.h) */
        if ((ret = cli_shares_secret(&pass, src->shares, path)) != CLI_OK)
            return ret;
    } else {
        snprintf(what, sizeof what, "passphrase for '%s'", cli_namez(path));
        if ((ret = cli_read_passphrase(&pass, src, what, false, "--passphrase-file",
                                       "--passphrase-fd")) != CLI_OK)
            return ret;
    }
    view.bytes = pass.buf;
    view.len = pass.len;
    errno = 0;
    err = src->shares != NULL ? sq_vault_open_rawkey(out, path, writable, pass.buf, pass.len)
                              : sq_vault_open(out, path, writable, view);
    e = errno;
    if ((err == SQ_ERR_READONLY || err == SQ_ERR_NOSPACE) && writable && readonly_fallback != NULL) {
        /* the medium refused writing only once the library tried (a
         * read-only mount, or a full disk when the open had to finish an
         * interrupted scrub): read-only instead (get still extracts,
         * without its custody record) */
        writable = false;
        *readonly_fallback = true;
        errno = 0;
        err = src->shares != NULL ? sq_vault_open_rawkey(out, path, false, pass.buf, pass.len)
                                  : sq_vault_open(out, path, false, view);
        e = errno;
    }
    cli_secret_free(&pass);   /* wiped before any message */
    if (err == SQ_OK)
        return CLI_OK;
    *out = NULL;
    switch (err) {
    case SQ_ERR_AUTH:
        /* one message for all three causes: telling them apart would tell
         * an adversary holding the file which one it is */
        if (src->shares != NULL) {
            cli_error("cannot unlock '%s' with these shares (they fit together, but open no "
                      "level of this file: a set replaced by 'shares rotate' or 'rekey', "
                      "another vault's shares, or not a vault)", cli_namez(path));
            cli_hint("the owner can tell with 'sandyq shares verify VAULT FILE'");
        } else {
            cli_error("cannot unlock '%s' (wrong passphrase, or not a vault, or damaged)",
                      cli_namez(path));
        }
        break;
    case SQ_ERR_LOCKED:
        cli_error("cannot open vault '%s' (vault is in use by another sandyq process)",
                  cli_namez(path));
        cli_hint("wait for the other process to finish, then try again");
        break;
    case SQ_ERR_READONLY:
        cli_error("cannot open vault '%s' for writing (read-only file system)", cli_namez(path));
        break;
    case SQ_ERR_TRUNCATED:
        cli_error("cannot open vault '%s' (the file is shorter than its last commit: truncated)",
                  cli_namez(path));
        cli_hint("restore the vault from a backup copy");
        break;
    case SQ_ERR_DAMAGED:
        /* after a slot opened: precise (the library keeps the detail of a
         * failed open where sq_vault_last_detail(NULL) can reach it) */
        detail = sq_vault_last_detail(NULL);
        cli_error("cannot open vault '%s' (%s)", cli_namez(path),
                  detail != NULL && detail[0] != '\0' ? cli_namez(detail)
                                                      : "its current state is damaged");
        cli_hint("run 'sandyq check' on it, or restore it from a backup copy");
        break;
    case SQ_ERR_IO:
        cli_error("cannot open vault '%s' (%s)", cli_namez(path),
                  e != 0 ? cli_errno_str(e) : sq_err_str(err));
        break;
    default:
        cli_error("cannot open vault '%s' (%s)", cli_namez(path), sq_err_str(err));
        break;
    }
    return CLI_FAIL;
}

int
cli_find_doc(size_t *index, const sq_vault *v, const char *vault_path, const char *name)
{
    sq_err err = sq_vault_find(v, name, strlen(name), index);

    if (err == SQ_OK)
        return CLI_OK;
    if (err == SQ_ERR_NOTFOUND || err == SQ_ERR_INVALID) {
        cli_error("no document named '%s' in '%s'", cli_namez(name), cli_namez(vault_path));
        cli_hint("run 'sandyq ls' to list the documents");
        return CLI_FAIL;
    }
    return cli_vault_error(v, err, 0, "cannot look up '%s' in '%s'", cli_namez(name),
                           cli_namez(vault_path));
}

int
cli_commit(sq_vault *v, const char *vault_path)
{
    sq_err err;
    int    e;

    errno = 0;
    err = sq_vault_commit(v);
    e = errno;
    if (err == SQ_OK)
        return CLI_OK;
    return cli_vault_error(v, err, e, "cannot commit to vault '%s'", cli_namez(vault_path));
}
