/* cmd_get.c: sandyq get VAULT NAME [-o PATH] [--force]
 *            sandyq get VAULT (--all | --case ID) -o DIR [--force]
 *
 * BRIEF "Authenticate before release": to a file, plaintext goes to a
 * temporary beside the target (util/outfile.h) that takes the target's name
 * only after the last chunk authenticated; a damaged document leaves no
 * output. To stdout, chunks are released as they verify, and a later
 * failure exits 1 (the reader must treat the bytes as incomplete: the man
 * page says so). Binary output to a terminal is refused.
 *
 * Each successful get stages an "extracted" custody record and commits it;
 * on a medium that cannot be written the documents are still extracted and
 * a warning says the event was not recorded. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/outfile.h"

typedef struct {
    sq_vault   *v;
    const char *vault;
    bool        force;
    bool        readonly;     /* opened read-only: custody cannot be recorded */
    size_t     *done;         /* indices extracted, for custody records */
    size_t      n_done;
} get_ctx;

static void
doc_name(const get_ctx *g, size_t idx, const char **name, size_t *len)
{
    sq_doc_info d;

    sq_vault_doc_at(g->v, idx, &d);
    *name = d.name;
    *len = d.name_len;
}

/* extract_error: the message for a failed sq_vault_extract of idx */
static void
extract_error(const get_ctx *g, size_t idx, sq_err err, int e, const sq_damage *dmg,
              const char *dest)
{
    const char *name;
    size_t      len;

    doc_name(g, idx, &name, &len);
    if (err == SQ_ERR_DAMAGED) {
        cli_error("document '%s' is damaged (chunk %" PRIu64 " failed authentication)",
                  cli_name(name, len), dmg->chunk);
        return;
    }
    if (err == SQ_ERR_TRUNCATED) {
        cli_error("document '%s' is damaged (the vault file is shorter than its last commit)",
                  cli_name(name, len));
        return;
    }
    if (err == SQ_ERR_NOSPACE) {
        cli_error("cannot write document '%s' to %s (no space left on device)", cli_name(name, len), dest);
        return;
    }
    if (err == SQ_ERR_IO && e != 0) {
        cli_error("cannot write document '%s' to %s (%s)", cli_name(name, len), dest,
                  cli_errno_str(e));
        return;
    }
    (void)cli_vault_error(g->v, err, e, "cannot extract document '%s' to %s", cli_name(name, len), dest);
}

static int
to_stdout(get_ctx *g, size_t idx)
{
    cli_progress p;
    sq_damage    dmg = { 0 };
    const char  *name;
    size_t       len;
    char         label[1200];
    sq_err       err;
    int          e;

    doc_name(g, idx, &name, &len);
    snprintf(label, sizeof label, "extracting '%s'", cli_name(name, len));
    cli_progress_init(&p, label);
    errno = 0;
    err = sq_vault_extract(g->v, idx, STDOUT_FILENO, &dmg, cli_progress_fn(&p), &p);
    e = errno;
    cli_progress_end(&p);
    if (err != SQ_OK) {
        extract_error(g, idx, err, e, &dmg, "standard output");
        if (err == SQ_ERR_DAMAGED || err == SQ_ERR_TRUNCATED)
            cli_hint("the bytes already written to standard output are incomplete: discard them");
        return CLI_FAIL;
    }
    g->done[g->n_done++] = idx;
    return CLI_OK;
}

/* to_file: extract idx into target (a path the outfile layer can use);
 * shown is the path for messages, already escaped */
static int
to_file(get_ctx *g, size_t idx, const char *target, const char *shown)
{
    sq_outfile  *f = NULL;
    cli_progress p;
    sq_damage    dmg = { 0 };
    const char  *name;
    size_t       len;
    char         label[1200], dest[1100];
    sq_err       err;
    int          e, ret = CLI_FAIL;

    doc_name(g, idx, &name, &len);
    sq_outfile_cleanup_dir(target);   /* temporaries a crash left beside it */
    errno = 0;
    err = sq_outfile_open(&f, target, g->force);
    e = errno;
    if (err == SQ_ERR_EXISTS) {
        cli_error("cannot write '%s' (file exists)", shown);
        cli_hint("use --force to replace it");
        goto out;
    }
    if (err != SQ_OK) {
        cli_error("cannot write '%s' (%s)", shown,
                  err == SQ_ERR_IO && e != 0 ? cli_errno_str(e) : sq_err_str(err));
        goto out;
    }
    snprintf(label, sizeof label, "extracting '%s'", cli_name(name, len));
    snprintf(dest, sizeof dest, "'%s'", shown);
    cli_progress_init(&p, label);
    errno = 0;
    err = sq_vault_extract(g->v, idx, sq_outfile_fd(f), &dmg, cli_progress_fn(&p), &p);
    e = errno;
    cli_progress_end(&p);
    if (err != SQ_OK) {
        extract_error(g, idx, err, e, &dmg, dest);
        if (err == SQ_ERR_DAMAGED || err == SQ_ERR_TRUNCATED)
            cli_hint("nothing was written to '%s'", shown);
        goto out;
    }
    errno = 0;
    err = sq_outfile_commit(f);
    e = errno;
    if (err == SQ_ERR_EXISTS) {
        cli_error("cannot write '%s' (file exists: it appeared while extracting)", shown);
        cli_hint("use --force to replace it");
        goto out;
    }
    if (err != SQ_OK) {
        cli_error("cannot write '%s' (%s)", shown,
                  err == SQ_ERR_IO && e != 0 ? cli_errno_str(e) : sq_err_str(err));
        goto out;
    }
    g->done[g->n_done++] = idx;
    ret = CLI_OK;
out:
    sq_outfile_abort(f);   /* removes the temporary unless committed */
    return ret;
}

/* ---- several documents into a folder ---- */

/* name_ok: a vault name as a relative path under DIR. The library validates
 * names at add, but an index is untrusted input (a colleague who knows a
 * passphrase can craft one): refuse anything that could leave DIR. */
static bool
name_ok(const char *name, size_t len)
{
    size_t i, start = 0;

    if (len == 0 || memchr(name, '\0', len) != NULL)
        return false;
    for (i = 0; i <= len; i++) {
        if (i == len || name[i] == '/') {
            size_t n = i - start;

            if (n == 0 || (n == 1 && name[start] == '.') ||
                (n == 2 && name[start] == '.' && name[start + 1] == '.') || n > 255)
                return false;
            start = i + 1;
        }
    }
    return true;
}

/* open_parent: the folder that will hold the name's last component, below
 * dirfd, creating missing folders with mode 0700. Every component is opened
 * with O_NOFOLLOW relative to the one before, so a symlink placed in DIR
 * cannot redirect the output. Returns a descriptor or -1 after a message;
 * *leaf points at the last component inside rel (which is modified). */
static int
open_parent(int dirfd, char *rel, const char **leaf, const char *shown)
{
    char *comp = rel, *slash;
    int   cur, next, e;

    if ((cur = dup(dirfd)) < 0) {
        e = errno;
        cli_error("cannot write '%s' (%s)", shown, cli_errno_str(e));
        return -1;
    }
    while ((slash = strchr(comp, '/')) != NULL) {
        *slash = '\0';
        next = openat(cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (next < 0 && errno == ENOENT) {
            if (mkdirat(cur, comp, 0700) != 0 && errno != EEXIST) {
                e = errno;
                *slash = '/';
                cli_error("cannot create a folder for '%s' (%s)", shown, cli_errno_str(e));
                close(cur);
                return -1;
            }
            next = openat(cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (next >= 0)
                (void)fchmod(next, 0700);   /* 0700 whatever the umask */
        }
        e = errno;
        *slash = '/';
        if (next < 0) {
            if (e == ELOOP || e == ENOTDIR)
                cli_error("cannot write '%s' (a folder on its path is a symbolic link or a file)",
                          shown);
            else
                cli_error("cannot write '%s' (%s)", shown, cli_errno_str(e));
            close(cur);
            return -1;
        }
        close(cur);
        cur = next;
        comp = slash + 1;
    }
    *leaf = comp;
    return cur;
}

static int
to_folder(get_ctx *g, const char *dir, bool all, const char *case_id)
{
    size_t      n = sq_vault_count(g->v), i, n_sel = 0, n_fail = 0, n_exist = 0;
    size_t     *sel = NULL;
    sq_doc_info d;
    struct stat st;
    char       *rel = NULL, *target = NULL, *shown_path = NULL;
    const char *leaf;
    bool        proc_ok = access("/proc/self/fd", X_OK) == 0;
    int         dirfd = -1, pfd, e, r, ret = CLI_FAIL;

    if ((sel = calloc(n > 0 ? n : 1, sizeof *sel)) == NULL) {
        cli_error("out of memory");
        return CLI_FAIL;
    }
    for (i = 0; i < n; i++) {
        sq_vault_doc_at(g->v, i, &d);
        if (all || (d.case_len == strlen(case_id) && memcmp(d.case_id, case_id, d.case_len) == 0))
            sel[n_sel++] = i;
    }
    if (n_sel == 0) {
        if (all) {
            cli_warning("vault '%s' holds no documents", cli_namez(g->vault));
            ret = CLI_OK;
        } else {
            cli_error("no document has case '%s' in '%s'", cli_namez(case_id), cli_namez(g->vault));
            cli_hint("run 'sandyq ls' to see the case of each document");
        }
        goto out;
    }
    if (mkdir(dir, 0700) == 0) {
        (void)chmod(dir, 0700);   /* 0700 whatever the umask */
    } else if (errno != EEXIST) {
        e = errno;
        cli_error("cannot create folder '%s' (%s)", cli_namez(dir), cli_errno_str(e));
        goto out;
    }
    if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        e = errno;
        cli_error("cannot open folder '%s' (%s)", cli_namez(dir), cli_errno_str(e));
        goto out;
    }
    /* first pass: validate every name and refuse existing outputs before
     * writing anything */
    for (i = 0; i < n_sel; i++) {
        sq_vault_doc_at(g->v, sel[i], &d);
        if (!name_ok(d.name, d.name_len)) {
            cli_error("refusing to write document '%s' (its name would leave '%s')",
                      cli_name(d.name, d.name_len), cli_namez(dir));
            goto out;
        }
        free(rel);
        if ((rel = strndup(d.name, d.name_len)) == NULL) {
            cli_error("out of memory");
            goto out;
        }
        if (!g->force && fstatat(dirfd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0) {
            if (n_exist++ < 10)
                cli_error("cannot write '%s/%s' (file exists)", cli_namez(dir),
                          cli_name(d.name, d.name_len));
        }
    }
    if (n_exist > 0) {
        if (n_exist > 10)
            cli_error("and %zu more existing outputs", n_exist - 10);
        cli_hint("use --force to replace them; nothing was written");
        goto out;
    }
    for (i = 0; i < n_sel; i++) {
        sq_vault_doc_at(g->v, sel[i], &d);
        free(rel);
        free(target);
        free(shown_path);
        target = shown_path = NULL;
        if ((rel = strndup(d.name, d.name_len)) == NULL ||
            asprintf(&shown_path, "%s/%s", cli_namez(dir), cli_name(d.name, d.name_len)) < 0) {
            shown_path = NULL;
            cli_error("out of memory");
            goto out;
        }
        if ((pfd = open_parent(dirfd, rel, &leaf, shown_path)) < 0) {
            n_fail++;
            continue;
        }
        /* through /proc/self/fd the outfile layer works inside the folder
         * we hold open, not a path someone could swap meanwhile */
        if (proc_ok)
            r = asprintf(&target, "/proc/self/fd/%d/%s", pfd, leaf);
        else
            r = asprintf(&target, "%s/%s", dir, rel);
        if (r < 0) {
            target = NULL;
            close(pfd);
            cli_error("out of memory");
            goto out;
        }
        r = to_file(g, sel[i], target, shown_path);
        close(pfd);
        if (r != CLI_OK)
            n_fail++;
    }
    if (n_fail > 0) {
        cli_error("%zu of %zu documents could not be extracted", n_fail, n_sel);
        goto out;
    }
    ret = CLI_OK;
out:
    if (dirfd >= 0)
        close(dirfd);
    free(rel);
    free(target);
    free(shown_path);
    free(sel);
    return ret;
}

/* record_custody: one "extracted" record per document, one commit */
static void
record_custody(get_ctx *g)
{
    size_t i;
    sq_err err = SQ_OK;
    int    e = 0;

    if (g->n_done == 0)
        return;
    if (g->readonly) {
        cli_warning("vault '%s' cannot be written: the extraction's custody event not recorded",
                    cli_namez(g->vault));
        return;
    }
    for (i = 0; i < g->n_done && err == SQ_OK; i++) {
        errno = 0;
        err = sq_vault_note_extracted(g->v, g->done[i]);
        e = errno;
    }
    if (err == SQ_OK) {
        errno = 0;
        err = sq_vault_commit(g->v);
        e = errno;
    }
    if (err != SQ_OK)
        cli_warning("the extraction's custody event not recorded (%s)",
                    err == SQ_ERR_IO && e != 0 ? cli_errno_str(e) : sq_err_str(err));
}

int
cmd_get(int argc, char **argv)
{
    static const struct option opts[] = {
        { "output", required_argument, NULL, 'o' },
        { "force",  no_argument,       NULL, OPT_FORCE },
        { "all",    no_argument,       NULL, OPT_ALL },
        { "case",   required_argument, NULL, OPT_CASE },
        CLI_VAULT_LONGOPTS,
        { NULL, 0, NULL, 0 }
    };
    cli_pass_src src = { NULL, -1, NULL };
    cli_args     args = { 0 };
    get_ctx      g;
    const char  *out_path = NULL, *case_id = NULL;
    bool         all = false, many, use_stdout;
    struct stat  st;
    size_t       idx;
    int          c, ret = CLI_USAGE;

    memset(&g, 0, sizeof g);
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "-:ho:", opts, NULL)) != -1) {
        switch (c) {
        case 1:
            if (!cli_args_push(&args, optarg))
                goto out;
            break;
        case 'o':
            out_path = optarg;
            break;
        case OPT_FORCE:
            g.force = true;
            break;
        case OPT_ALL:
            all = true;
            break;
        case OPT_CASE:
            case_id = optarg;
            break;
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
            ret = cli_command_help("get");
            goto out;
        default:
            ret = cli_getopt_error("get", c, argv);
            goto out;
        }
    }
    for (; optind < argc; optind++)
        if (!cli_args_push(&args, argv[optind]))
            goto out;

    many = all || case_id != NULL;
    if (all && case_id != NULL) {
        ret = cli_usage_error("get", "give --all or --case, not both");
        goto out;
    }
    if (many && args.n != 1) {
        ret = cli_usage_error("get", args.n == 0 ? "get needs a VAULT"
                                                 : "--all and --case take no NAME");
        goto out;
    }
    if (!many && args.n != 2) {
        ret = cli_usage_error("get", args.n < 2 ? "get needs a VAULT and a NAME (or --all, or --case ID)"
                                                : "get takes one NAME");
        goto out;
    }
    if (many && (out_path == NULL || strcmp(out_path, "-") == 0)) {
        ret = cli_usage_error("get", "%s needs -o DIR", all ? "--all" : "--case");
        goto out;
    }
    use_stdout = !many && (out_path == NULL || strcmp(out_path, "-") == 0);
    if (use_stdout && isatty(STDOUT_FILENO)) {
        cli_error("refusing to write a document to a terminal");
        cli_hint("use -o PATH, or redirect standard output to a file or a pipe");
        goto out;
    }
    if (use_stdout && src.fd == STDOUT_FILENO) {
        ret = cli_usage_error("get", "--passphrase-fd 1 cannot be used when the document goes to "
                                     "standard output");
        goto out;
    }
    if (!use_stdout && !many && lstat(out_path, &st) == 0 && S_ISDIR(st.st_mode)) {
        cli_error("cannot write '%s' (is a folder)", cli_namez(out_path));
        cli_hint("give a file name with -o, or use --all or --case with -o DIR");
        ret = CLI_FAIL;
        goto out;
    }
    if (!use_stdout && !many && !g.force && lstat(out_path, &st) == 0) {
        /* said before the prompt; sq_outfile_open checks again, atomically */
        cli_error("cannot write '%s' (file exists)", cli_namez(out_path));
        cli_hint("use --force to replace it");
        ret = CLI_FAIL;
        goto out;
    }

    g.vault = args.v[0];
    if ((ret = cli_open_vault(&g.v, g.vault, true, &src, &g.readonly)) != CLI_OK)
        goto out;
    if ((g.done = calloc(sq_vault_count(g.v) + 1, sizeof *g.done)) == NULL) {
        cli_error("out of memory");
        ret = CLI_FAIL;
        goto out;
    }
    if (many) {
        ret = to_folder(&g, out_path, all, case_id);
    } else {
        if ((ret = cli_find_doc(&idx, g.v, g.vault, args.v[1])) != CLI_OK)
            goto out;
        if (use_stdout)
            ret = to_stdout(&g, idx);
        else
            ret = to_file(&g, idx, out_path, cli_namez(out_path));
    }
    /* what was extracted is recorded, even when another document failed */
    record_custody(&g);
out:
    free(g.done);
    sq_vault_close(g.v);
    cli_args_free(&args);
    return ret;
}
