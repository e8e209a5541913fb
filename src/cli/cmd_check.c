/* cmd_check.c: sandyq check VAULT [--json]
 *
 * Authenticates every block the current state uses. Exit 1 on any error (a
 * damaged committed document, a damaged state, a file shorter than its last
 * commit); warnings (a stale redundant copy after a crash, changed slots)
 * keep exit 0. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    sq_check_kind kind;
    char         *name;    /* NULL when the finding is not about a document */
    size_t        name_len;
    uint64_t      chunk;
    char         *what;
} finding;

typedef struct {
    finding *f;
    size_t   n, cap;
    bool     oom;
} findings;

static bool
is_error(sq_check_kind k)
{
    return k == SQ_CHECK_DOC_DAMAGED || k == SQ_CHECK_STATE_DAMAGED || k == SQ_CHECK_TRUNCATED;
}

static const char *
kind_str(sq_check_kind k)
{
    switch (k) {
    case SQ_CHECK_DOC_DAMAGED:   return "document_damaged";
    case SQ_CHECK_STATE_DAMAGED: return "state_damaged";
    case SQ_CHECK_TRUNCATED:     return "truncated";
    case SQ_CHECK_STALE_COPY:    return "stale_copy";
    case SQ_CHECK_SLOTS_CHANGED: return "slots_changed";
    }
    return "unknown";
}

static char *
dup_bytes(const char *s, size_t len)
{
    char *d = malloc(len + 1);

    if (d != NULL) {
        if (len > 0)
            memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}

static void
on_finding(void *ctx, sq_check_kind kind, const char *name, size_t name_len, uint64_t chunk,
           const char *what)
{
    findings *fs = ctx;
    finding  *nf;
    size_t    cap;

    if (fs->n == fs->cap) {
        cap = fs->cap ? fs->cap * 2 : 16;
        if ((nf = realloc(fs->f, cap * sizeof *nf)) == NULL) {
            fs->oom = true;
            return;
        }
        fs->f = nf;
        fs->cap = cap;
    }
    nf = &fs->f[fs->n];
    nf->kind = kind;
    nf->name = name != NULL ? dup_bytes(name, name_len) : NULL;
    nf->name_len = name != NULL ? name_len : 0;
    nf->chunk = chunk;
    nf->what = dup_bytes(what != NULL ? what : "", what != NULL ? strlen(what) : 0);
    if ((name != NULL && nf->name == NULL) || nf->what == NULL) {
        free(nf->name);
        free(nf->what);
        fs->oom = true;
        return;
    }
    fs->n++;
}

static void
json_items(const findings *fs, bool errors)
{
    size_t i;
    bool   first = true;

    putchar('[');
    for (i = 0; i < fs->n; i++) {
        const finding *f = &fs->f[i];

        if (is_error(f->kind) != errors)
            continue;
        fputs(first ? "{" : ",{", stdout);
        first = false;
        cli_json_key("kind");
        cli_json_strz(kind_str(f->kind));
        putchar(',');
        cli_json_key("name");
        if (f->name != NULL)
            cli_json_str(f->name, f->name_len);
        else
            fputs("null", stdout);
        putchar(',');
        cli_json_key("chunk");
        if (f->kind == SQ_CHECK_DOC_DAMAGED)
            printf("%" PRIu64, f->chunk);
        else
            fputs("null", stdout);
        putchar(',');
        cli_json_key("what");
        cli_json_strz(f->what);
        putchar('}');
    }
    putchar(']');
}

static void
print_json(const findings *fs, bool ok)
{
    printf("{\"ok\":%s,\"errors\":", ok ? "true" : "false");
    json_items(fs, true);
    fputs(",\"warnings\":", stdout);
    json_items(fs, false);
    fputs("}\n", stdout);
}

static void
print_text(const findings *fs)
{
    size_t i;

    for (i = 0; i < fs->n; i++) {
        const finding *f = &fs->f[i];
        const char    *what = cli_namez(f->what);

        switch (f->kind) {
        case SQ_CHECK_DOC_DAMAGED:
            cli_error("document '%s' is damaged (chunk %" PRIu64 "%s%s)",
                      cli_name(f->name, f->name_len), f->chunk, what[0] ? ": " : "", what);
            break;
        case SQ_CHECK_STATE_DAMAGED:
            cli_error("the vault state is damaged (%s)", what[0] ? what : "unreadable");
            break;
        case SQ_CHECK_TRUNCATED:
            cli_error("the vault file is shorter than its last commit (%s)", what[0] ? what : "truncated");
            break;
        case SQ_CHECK_STALE_COPY:
            cli_warning("a redundant copy is stale or damaged (%s)", what[0] ? what : "expected after a crash");
            break;
        case SQ_CHECK_SLOTS_CHANGED:
            cli_warning("the slot area differs from what the level committed (%s)",
                        what[0] ? what : "changed");
            break;
        }
    }
}

int
cmd_check(int argc, char **argv)
{
    static const struct option opts[] = {
        { "json", no_argument, NULL, OPT_JSON },
        CLI_VAULT_LONGOPTS,
        { NULL, 0, NULL, 0 }
    };
    cli_pass_src src = { NULL, -1, NULL };
    cli_args     args = { 0 };
    sq_vault    *v = NULL;
    findings     fs = { NULL, 0, 0, false };
    cli_progress p;
    bool         json = false, ok;
    size_t       i, n_err = 0;
    sq_err       err;
    int          c, e, ret = CLI_USAGE;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "-:h", opts, NULL)) != -1) {
        switch (c) {
        case 1:
            if (!cli_args_push(&args, optarg))
                goto out;
            break;
        case OPT_JSON:
            json = true;
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
            ret = cli_command_help("check");
            goto out;
        default:
            ret = cli_getopt_error("check", c, argv);
            goto out;
        }
    }
    for (; optind < argc; optind++)
        if (!cli_args_push(&args, argv[optind]))
            goto out;
    if (args.n != 1) {
        ret = cli_usage_error("check", args.n == 0 ? "check needs a VAULT" : "check takes one VAULT");
        goto out;
    }
    /* read-only: check must work on a vault others read, and on read-only media */
    if ((ret = cli_open_vault(&v, args.v[0], false, &src, NULL)) != CLI_OK) {
        if (json)
            /* the message said why; the JSON says not ok, and names nothing
             * a wrong passphrase could not also produce */
            print_json(&fs, false);
        ret = cli_finish_stdout(ret);
        goto out;
    }
    cli_progress_init(&p, "checking");
    errno = 0;
    err = sq_vault_check(v, on_finding, &fs, cli_progress_fn(&p), &p);
    e = errno;
    cli_progress_end(&p);
    if (fs.oom) {
        cli_error("out of memory");
        ret = CLI_FAIL;
        goto out;
    }
    for (i = 0; i < fs.n; i++)
        if (is_error(fs.f[i].kind))
            n_err++;
    if (err != SQ_OK && err != SQ_ERR_DAMAGED && err != SQ_ERR_TRUNCATED) {
        /* the check itself could not run to its end (I/O error, memory) */
        if (json)
            print_json(&fs, false);
        (void)cli_finish_stdout(CLI_FAIL);
        ret = cli_vault_error(v, err, e, "cannot check '%s'", cli_namez(args.v[0]));
        goto out;
    }
    ok = err == SQ_OK && n_err == 0;
    if (json) {
        print_json(&fs, ok);
    } else {
        print_text(&fs);
        if (ok)
            printf("ok: every block of '%s' authenticated (%zu document%s)\n",
                   cli_namez(args.v[0]), sq_vault_count(v), sq_vault_count(v) == 1 ? "" : "s");
        else
            cli_error("vault '%s' is damaged (%zu error%s)", cli_namez(args.v[0]),
                      n_err > 0 ? n_err : 1, n_err == 1 ? "" : "s");
    }
    ret = cli_finish_stdout(ok ? CLI_OK : CLI_FAIL);
out:
    for (i = 0; i < fs.n; i++) {
        free(fs.f[i].name);
        free(fs.f[i].what);
    }
    free(fs.f);
    sq_vault_close(v);
    cli_args_free(&args);
    return ret;
}
