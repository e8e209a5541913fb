/* cmd_add.c: sandyq add VAULT PATH... [--as NAME] [--case ID | --case-file F]
 *                        [--note TEXT | --note-file F] [--replace]
 *
 * Every PATH goes into one commit: any failure closes the vault without
 * committing, so a half-added folder never appears. Inputs are opened with
 * O_NOFOLLOW|O_NONBLOCK and checked with fstat: a symlink could point a
 * trusted-looking path at another file, a FIFO could hang the add or feed it
 * bytes nobody can see again, a device could be endless or change on read. */
#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CASE_MAX   256u    /* FORMAT.md limits: case id */
#define NOTE_MAX   4096u   /* FORMAT.md limits: note */
#define DEPTH_MAX  128u    /* folder nesting; names are capped at 1024 bytes anyway */

typedef struct {
    sq_vault   *v;
    const char *vault;
    const char *case_id;  size_t case_len;
    const char *note;     size_t note_len;
    bool        replace;
    size_t      added;
} add_ctx;

/* a growable byte string for names and display paths */
typedef struct {
    char  *s;
    size_t len, cap;
} strbuf;

static bool
sb_set_len(strbuf *b, size_t len)
{
    b->len = len;
    b->s[len] = '\0';
    return true;
}

static bool
sb_append(strbuf *b, const char *s, size_t n)
{
    char  *ns;
    size_t cap;

    if (b->len + n + 1 > b->cap) {
        cap = (b->len + n + 1) * 2;
        if ((ns = realloc(b->s, cap)) == NULL) {
            cli_error("out of memory");
            return false;
        }
        b->s = ns;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
    return true;
}

static const char *
kind_of(mode_t m)
{
    if (S_ISLNK(m))  return "symbolic links are refused";
    if (S_ISFIFO(m)) return "FIFOs are refused";
    if (S_ISCHR(m) || S_ISBLK(m)) return "devices are refused";
    if (S_ISSOCK(m)) return "sockets are refused";
    return "not a regular file or folder";
}

/* open_input: opens dirfd/path as a regular file or a folder, refusing
 * anything else. Returns the descriptor (blocking again) or -1 after a
 * message. */
static int
open_input(int dirfd, const char *path, const char *shown, struct stat *st)
{
    struct stat pre;
    int         fd, e;

    if (fstatat(dirfd, path, &pre, AT_SYMLINK_NOFOLLOW) != 0) {
        e = errno;
        cli_error("cannot read '%s' (%s)", shown, cli_errno_str(e));
        return -1;
    }
    /* refuse before opening: opening a device can have effects of its own */
    if (!S_ISREG(pre.st_mode) && !S_ISDIR(pre.st_mode)) {
        cli_error("cannot add '%s' (%s)", shown, kind_of(pre.st_mode));
        return -1;
    }
    fd = openat(dirfd, path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        e = errno;
        if (e == ELOOP)
            cli_error("cannot add '%s' (symbolic links are refused)", shown);
        else
            cli_error("cannot read '%s' (%s)", shown, cli_errno_str(e));
        return -1;
    }
    if (fstat(fd, st) != 0) {
        e = errno;
        close(fd);
        cli_error("cannot read '%s' (%s)", shown, cli_errno_str(e));
        return -1;
    }
    /* the same object as checked, and still of an accepted type */
    if (st->st_dev != pre.st_dev || st->st_ino != pre.st_ino ||
        (!S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode))) {
        close(fd);
        if (!S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode))
            cli_error("cannot add '%s' (%s)", shown, kind_of(st->st_mode));
        else
            cli_error("cannot add '%s' (it was replaced while being opened)", shown);
        return -1;
    }
    if (S_ISREG(st->st_mode) && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
        e = errno;
        close(fd);
        cli_error("cannot read '%s' (%s)", shown, cli_errno_str(e));
        return -1;
    }
    return fd;
}

static int
add_fd(add_ctx *a, int fd, const char *name, size_t name_len, const char *shown)
{
    sq_add_opts  o;
    cli_progress p;
    char         label[1200];
    sq_err       err;
    int          e;

    snprintf(label, sizeof label, "adding '%s'", cli_name(name, name_len));
    cli_progress_init(&p, label);
    memset(&o, 0, sizeof o);
    o.name = name;
    o.name_len = name_len;
    o.case_id = a->case_id;
    o.case_len = a->case_len;
    o.note = a->note;
    o.note_len = a->note_len;
    o.replace = a->replace;
    o.progress = cli_progress_fn(&p);
    o.progress_ctx = &p;
    errno = 0;
    err = sq_vault_add_fd(a->v, fd, &o);
    e = errno;
    cli_progress_end(&p);
    if (err == SQ_OK) {
        a->added++;
        return CLI_OK;
    }
    switch (err) {
    case SQ_ERR_EXISTS:
        if (strcmp(shown, cli_name(name, name_len)) == 0)
            cli_error("cannot add '%s' (a document with this name already exists)", shown);
        else
            cli_error("cannot add '%s' as '%s' (a document with this name already exists)",
                      shown, cli_name(name, name_len));
        cli_hint("names are compared after Unicode normalization and case folding; "
                 "use --replace to replace it, or --as to pick another name");
        break;
    case SQ_ERR_INVALID:
        cli_vault_error(a->v, err, e, "cannot add '%s' as '%s' (invalid name, case id or note)",
                        shown, cli_name(name, name_len));
        break;
    case SQ_ERR_CHANGED:
        cli_error("cannot add '%s' (it changed while it was read)", shown);
        cli_hint("add it again once nothing writes to it");
        break;
    case SQ_ERR_IO:
        if (e != 0)
            cli_error("cannot add '%s' (%s)", shown, cli_errno_str(e));
        else
            cli_vault_error(a->v, err, e, "cannot add '%s'", shown);
        break;
    default:
        cli_vault_error(a->v, err, e, "cannot add '%s'", shown);
        break;
    }
    return CLI_FAIL;
}

static int
cmp_names(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* add_dir: every entry of the folder open at fd, name prefix in name,
 * display path in shown; both restored on return */
static int
add_dir(add_ctx *a, int fd, strbuf *name, strbuf *shown, unsigned depth)
{
    DIR           *d = NULL;
    struct dirent *de;
    char         **ents = NULL;
    size_t         n = 0, cap = 0, i, name_len = name->len, shown_len = shown->len;
    struct stat    st;
    char         **ne;
    int            dfd, cfd, r, ret = CLI_FAIL, e;

    if (depth > DEPTH_MAX) {
        cli_error("cannot add '%s' (folders nested too deeply)", cli_name(shown->s, shown->len));
        return CLI_FAIL;
    }
    if ((dfd = dup(fd)) < 0 || (d = fdopendir(dfd)) == NULL) {
        e = errno;
        if (dfd >= 0)
            close(dfd);
        cli_error("cannot read folder '%s' (%s)", cli_name(shown->s, shown->len), cli_errno_str(e));
        return CLI_FAIL;
    }
    for (;;) {
        errno = 0;
        if ((de = readdir(d)) == NULL) {
            if (errno != 0) {
                e = errno;
                cli_error("cannot read folder '%s' (%s)", cli_name(shown->s, shown->len),
                          cli_errno_str(e));
                goto out;
            }
            break;
        }
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            if ((ne = realloc(ents, cap * sizeof *ne)) == NULL) {
                cli_error("out of memory");
                goto out;
            }
            ents = ne;
        }
        if ((ents[n] = strdup(de->d_name)) == NULL) {
            cli_error("out of memory");
            goto out;
        }
        n++;
    }
    /* byte order: the same folder always adds in the same order */
    if (n > 0)
        qsort(ents, n, sizeof *ents, cmp_names);
    for (i = 0; i < n; i++) {
        sb_set_len(name, name_len);
        sb_set_len(shown, shown_len);
        if (!sb_append(name, "/", 1) || !sb_append(name, ents[i], strlen(ents[i])) ||
            !sb_append(shown, "/", 1) || !sb_append(shown, ents[i], strlen(ents[i])))
            goto out;
        if ((cfd = open_input(fd, ents[i], cli_name(shown->s, shown->len), &st)) < 0)
            goto out;
        if (S_ISDIR(st.st_mode))
            r = add_dir(a, cfd, name, shown, depth + 1);
        else
            r = add_fd(a, cfd, name->s, name->len, cli_name(shown->s, shown->len));
        close(cfd);
        if (r != CLI_OK)
            goto out;
    }
    ret = CLI_OK;
out:
    sb_set_len(name, name_len);
    sb_set_len(shown, shown_len);
    for (i = 0; i < n; i++)
        free(ents[i]);
    free(ents);
    closedir(d);
    return ret;
}

/* base_name: the name a file or folder argument gets in the vault: its last
 * component ("a/b/" gives "b"); "." and ".." resolve to the real folder name.
 * malloc'd, or NULL after a message. */
static char *
base_name(const char *path)
{
    char       *copy, *end, *slash, *res, *real;
    const char *base;

    if ((copy = strdup(path)) == NULL) {
        cli_error("out of memory");
        return NULL;
    }
    end = copy + strlen(copy);
    while (end > copy + 1 && end[-1] == '/')
        *--end = '\0';
    slash = strrchr(copy, '/');
    base = slash != NULL ? slash + 1 : copy;
    if (strcmp(base, ".") == 0 || strcmp(base, "..") == 0 || base[0] == '\0') {
        if ((real = realpath(path, NULL)) == NULL || strcmp(real, "/") == 0) {
            free(real);
            free(copy);
            cli_error("cannot derive a document name from '%s'", cli_namez(path));
            cli_hint("name a file or a folder below the root");
            return NULL;
        }
        res = strdup(strrchr(real, '/') + 1);
        free(real);
    } else {
        res = strdup(base);
    }
    free(copy);
    if (res == NULL)
        cli_error("out of memory");
    return res;
}

static int
add_path(add_ctx *a, const char *path, const char *as)
{
    strbuf      name = { 0 }, shown = { 0 };
    struct stat st;
    char       *base = NULL;
    int         fd, ret = CLI_FAIL;

    if ((fd = open_input(AT_FDCWD, path, cli_namez(path), &st)) < 0)
        return CLI_FAIL;
    if (as != NULL && S_ISDIR(st.st_mode)) {
        cli_usage_error("add", "--as names one file; '%s' is a folder", cli_namez(path));
        ret = CLI_USAGE;
        goto out;
    }
    if (as != NULL) {
        ret = add_fd(a, fd, as, strlen(as), cli_namez(path));
        goto out;
    }
    if ((base = base_name(path)) == NULL)
        goto out;
    if (!sb_append(&name, base, strlen(base)) || !sb_append(&shown, path, strlen(path)))
        goto out;
    if (S_ISDIR(st.st_mode)) {
        /* display paths without a doubled slash when the argument ends in '/' */
        while (shown.len > 1 && shown.s[shown.len - 1] == '/')
            sb_set_len(&shown, shown.len - 1);
        ret = add_dir(a, fd, &name, &shown, 0);
    } else {
        ret = add_fd(a, fd, name.s, name.len, cli_namez(path));
    }
out:
    free(base);
    free(name.s);
    free(shown.s);
    close(fd);
    return ret;
}

int
cmd_add(int argc, char **argv)
{
    static const struct option opts[] = {
        { "as",        required_argument, NULL, OPT_AS },
        { "case",      required_argument, NULL, OPT_CASE },
        { "case-file", required_argument, NULL, OPT_CASE_FILE },
        { "note",      required_argument, NULL, OPT_NOTE },
        { "note-file", required_argument, NULL, OPT_NOTE_FILE },
        { "replace",   no_argument,       NULL, OPT_REPLACE },
        CLI_VAULT_LONGOPTS,
        { NULL, 0, NULL, 0 }
    };
    cli_pass_src src = { NULL, -1, NULL };
    cli_args     args = { 0 };
    add_ctx      a;
    const char  *as = NULL, *case_arg = NULL, *case_file = NULL, *note_arg = NULL, *note_file = NULL;
    char        *case_buf = NULL, *note_buf = NULL;
    struct stat  st;
    size_t       i, n_stdin = 0;
    int          c, e, ret = CLI_USAGE;

    memset(&a, 0, sizeof a);
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "-:h", opts, NULL)) != -1) {
        switch (c) {
        case 1:
            if (!cli_args_push(&args, optarg))
                goto out;
            break;
        case OPT_AS:        as = optarg; break;
        case OPT_CASE:      case_arg = optarg; break;
        case OPT_CASE_FILE: case_file = optarg; break;
        case OPT_NOTE:      note_arg = optarg; break;
        case OPT_NOTE_FILE: note_file = optarg; break;
        case OPT_REPLACE:   a.replace = true; break;
        case OPT_PASS_FILE:
            if (!cli_set_pass_file(&src, optarg))
                goto out;
            break;
        case OPT_PASS_FD:
            if (!cli_set_pass_fd(&src, optarg))
                goto out;
            break;
        case OPT_SHARES:
            if (!cli_set_shares(&src, optarg))
                goto out;
            break;
        case 'h':
            ret = cli_command_help("add");
            goto out;
        default:
            ret = cli_getopt_error("add", c, argv);
            goto out;
        }
    }
    for (; optind < argc; optind++)
        if (!cli_args_push(&args, argv[optind]))
            goto out;

    /* usage checks, all before the passphrase is asked */
    if (args.n < 2) {
        ret = cli_usage_error("add", args.n == 0 ? "add needs a VAULT and at least one PATH"
                                                 : "add needs at least one PATH");
        goto out;
    }
    if (case_arg != NULL && case_file != NULL) {
        ret = cli_usage_error("add", "give --case or --case-file, not both");
        goto out;
    }
    if (note_arg != NULL && note_file != NULL) {
        ret = cli_usage_error("add", "give --note or --note-file, not both");
        goto out;
    }
    for (i = 1; i < args.n; i++)
        if (strcmp(args.v[i], "-") == 0)
            n_stdin++;
    if (n_stdin > 1) {
        ret = cli_usage_error("add", "'-' (standard input) can be given once");
        goto out;
    }
    if (n_stdin == 1 && as == NULL) {
        ret = cli_usage_error("add", "'-' (standard input) needs --as NAME");
        goto out;
    }
    if (as != NULL && args.n > 2) {
        ret = cli_usage_error("add", "--as names one document; give one PATH with it");
        goto out;
    }
    if (n_stdin == 1 && src.fd == STDIN_FILENO) {
        ret = cli_usage_error("add", "--passphrase-fd 0 cannot be used with '-': standard input "
                                     "carries the document");
        goto out;
    }
    if (case_arg != NULL && strlen(case_arg) > CASE_MAX) {
        ret = cli_usage_error("add", "--case is too long (more than %u bytes)", CASE_MAX);
        goto out;
    }
    if (note_arg != NULL && strlen(note_arg) > NOTE_MAX) {
        ret = cli_usage_error("add", "--note is too long (more than %u bytes)", NOTE_MAX);
        goto out;
    }
    if (case_file != NULL &&
        (ret = cli_read_text_file(&case_buf, &a.case_len, case_file, CASE_MAX, "--case-file")) != CLI_OK)
        goto out;
    if (note_file != NULL &&
        (ret = cli_read_text_file(&note_buf, &a.note_len, note_file, NOTE_MAX, "--note-file")) != CLI_OK)
        goto out;
    a.case_id = case_buf != NULL ? case_buf : case_arg;
    if (case_arg != NULL)
        a.case_len = strlen(case_arg);
    a.note = note_buf != NULL ? note_buf : note_arg;
    if (note_arg != NULL)
        a.note_len = strlen(note_arg);
    if (n_stdin == 1 && fstat(STDIN_FILENO, &st) == 0 && S_ISDIR(st.st_mode)) {
        ret = cli_usage_error("add", "standard input is a folder");
        goto out;
    }
    /* missing or refused inputs are reported before the prompt and the KDF */
    for (i = 1; i < args.n; i++) {
        if (strcmp(args.v[i], "-") == 0)
            continue;
        if (lstat(args.v[i], &st) != 0) {
            e = errno;
            cli_error("cannot read '%s' (%s)", cli_namez(args.v[i]), cli_errno_str(e));
            ret = CLI_FAIL;
            goto out;
        }
        if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
            cli_error("cannot add '%s' (%s)", cli_namez(args.v[i]), kind_of(st.st_mode));
            ret = CLI_FAIL;
            goto out;
        }
        if (as != NULL && S_ISDIR(st.st_mode)) {
            ret = cli_usage_error("add", "--as names one file; '%s' is a folder",
                                  cli_namez(args.v[i]));
            goto out;
        }
    }

    a.vault = args.v[0];
    if ((ret = cli_open_vault(&a.v, a.vault, true, &src, NULL)) != CLI_OK)
        goto out;
    for (i = 1; i < args.n; i++) {
        if (strcmp(args.v[i], "-") == 0)
            ret = add_fd(&a, STDIN_FILENO, as, strlen(as), "-");
        else
            ret = add_path(&a, args.v[i], as);
        if (ret != CLI_OK)
            break;
    }
    if (ret != CLI_OK) {
        /* sq_vault_close drops everything staged: nothing of this add lands */
        cli_hint("nothing was added; the vault is unchanged");
        goto out;
    }
    if (a.added == 0) {
        cli_warning("nothing to add (the folders are empty)");
        goto out;
    }
    if ((ret = cli_commit(a.v, a.vault)) != CLI_OK)
        cli_hint("nothing was added; the vault stays at its last commit");
out:
    sq_vault_close(a.v);
    free(case_buf);
    free(note_buf);
    cli_args_free(&args);
    return ret;
}
