/* cmd_rekey.c: sandyq rekey VAULT [--keep-passphrase-file F]...
 *
 * BRIEF "Revocation is honest": slot KEKs kept inside a level are known to
 * everyone who ever opened it, so rekey keeps only the ways in presented in
 * this session (the passphrase that opens it, and each --keep-passphrase-file),
 * at fresh slot indices, and wipes every other slot. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define KEEP_MAX 63u   /* 64 slots, one of them the session's */

int
cmd_rekey(int argc, char **argv)
{
    static const struct option opts[] = {
        { "keep-passphrase-file", required_argument, NULL, OPT_KEEP_PASS_FILE },
        CLI_VAULT_LONGOPTS,
        { NULL, 0, NULL, 0 }
    };
    cli_pass_src   src = { NULL, -1, NULL }, ksrc;
    cli_args       args = { 0 }, keep_files = { 0 };
    cli_secret    *keep = NULL;
    sq_secret_view *views = NULL;
    sq_vault      *v = NULL;
    cli_progress   p;
    size_t         i;
    sq_err         err;
    int            c, e, ret = CLI_USAGE;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "-:h", opts, NULL)) != -1) {
        switch (c) {
        case 1:
            if (!cli_args_push(&args, optarg))
                goto out;
            break;
        case OPT_KEEP_PASS_FILE:
            if (!cli_args_push(&keep_files, optarg))
                goto out;
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
            ret = cli_command_help("rekey");
            goto out;
        default:
            ret = cli_getopt_error("rekey", c, argv);
            goto out;
        }
    }
    for (; optind < argc; optind++)
        if (!cli_args_push(&args, argv[optind]))
            goto out;
    if (args.n != 1) {
        ret = cli_usage_error("rekey", args.n == 0 ? "rekey needs a VAULT" : "rekey takes one VAULT");
        goto out;
    }
    if (keep_files.n > KEEP_MAX) {
        ret = cli_usage_error("rekey", "at most %u --keep-passphrase-file", KEEP_MAX);
        goto out;
    }
    if ((keep = calloc(keep_files.n + 1, sizeof *keep)) == NULL ||
        (views = calloc(keep_files.n + 1, sizeof *views)) == NULL) {
        cli_error("out of memory");
        ret = CLI_FAIL;
        goto out;
    }
    if ((ret = cli_open_vault(&v, args.v[0], true, &src, NULL)) != CLI_OK)
        goto out;
    for (i = 0; i < keep_files.n; i++) {
        ksrc.file = keep_files.v[i];
        ksrc.fd = -1;
        if ((ret = cli_read_passphrase(&keep[i], &ksrc, "passphrase to keep", false,
                                       "--keep-passphrase-file", "--keep-passphrase-file")) != CLI_OK)
            goto out;
        views[i].bytes = keep[i].buf;
        views[i].len = keep[i].len;
    }
    cli_progress_init(&p, "re-encrypting");
    errno = 0;
    err = sq_vault_rekey(v, views, keep_files.n, cli_progress_fn(&p), &p);
    e = errno;
    cli_progress_end(&p);
    for (i = 0; i < keep_files.n; i++)
        cli_secret_free(&keep[i]);   /* wiped before any message */
    if (err == SQ_ERR_AUTH) {
        cli_error("cannot rekey '%s' (a --keep-passphrase-file passphrase does not open it)",
                  cli_namez(args.v[0]));
        cli_hint("nothing was changed");
        ret = CLI_FAIL;
        goto out;
    }
    if (err != SQ_OK) {
        ret = cli_vault_error(v, err, e, "cannot rekey '%s'", cli_namez(args.v[0]));
        goto out;
    }
    printf("rekeyed: new level key, every document re-encrypted, %zu passphrase%s kept, "
           "every other slot wiped\n", keep_files.n + 1, keep_files.n == 0 ? "" : "s");
    ret = cli_finish_stdout(CLI_OK);
out:
    if (keep != NULL)
        for (i = 0; i < keep_files.n; i++)
            cli_secret_free(&keep[i]);
    free(keep);
    free(views);
    sq_vault_close(v);
    cli_args_free(&keep_files);
    cli_args_free(&args);
    return ret;
}
