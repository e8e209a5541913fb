/* cmd_mv.c: sandyq mv VAULT NAME NEWNAME */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <string.h>

int
cmd_mv(int argc, char **argv)
{
    static const struct option opts[] = {
        CLI_VAULT_LONGOPTS,
        { NULL, 0, NULL, 0 }
    };
    cli_pass_src src = { NULL, -1, NULL };
    cli_args     args = { 0 };
    sq_vault    *v = NULL;
    size_t       idx;
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
            ret = cli_command_help("mv");
            goto out;
        default:
            ret = cli_getopt_error("mv", c, argv);
            goto out;
        }
    }
    for (; optind < argc; optind++)
        if (!cli_args_push(&args, argv[optind]))
            goto out;
    if (args.n != 3) {
        ret = cli_usage_error("mv", "mv needs a VAULT, a NAME and a NEWNAME");
        goto out;
    }
    if ((ret = cli_open_vault(&v, args.v[0], true, &src, NULL)) != CLI_OK)
        goto out;
    if ((ret = cli_find_doc(&idx, v, args.v[0], args.v[1])) != CLI_OK)
        goto out;
    errno = 0;
    err = sq_vault_rename(v, idx, args.v[2], strlen(args.v[2]));
    e = errno;
    if (err == SQ_ERR_EXISTS) {
        cli_error("cannot rename '%s' to '%s' (a document with this name already exists)",
                  cli_namez(args.v[1]), cli_namez(args.v[2]));
        cli_hint("names are compared after Unicode normalization and case folding");
        ret = CLI_FAIL;
        goto out;
    }
    if (err != SQ_OK) {
        ret = cli_vault_error(v, err, e, "cannot rename '%s' to '%s'", cli_namez(args.v[1]),
                              cli_namez(args.v[2]));
        goto out;
    }
    ret = cli_commit(v, args.v[0]);
out:
    sq_vault_close(v);
    cli_args_free(&args);
    return ret;
}
