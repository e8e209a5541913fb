/* cmd_rm.c: sandyq rm VAULT NAME
 *
 * The library's commit after a removal also performs the second commit and
 * scrubs the freed blocks (FORMAT.md 9): once rm returns, no block of the
 * file authenticates under the removed document's keys. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <string.h>

int
cmd_rm(int argc, char **argv)
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
            ret = cli_command_help("rm");
            goto out;
        default:
            ret = cli_getopt_error("rm", c, argv);
            goto out;
        }
    }
    for (; optind < argc; optind++)
        if (!cli_args_push(&args, argv[optind]))
            goto out;
    if (args.n != 2) {
        ret = cli_usage_error("rm", "rm needs a VAULT and one NAME");
        goto out;
    }
    if ((ret = cli_open_vault(&v, args.v[0], true, &src, NULL)) != CLI_OK)
        goto out;
    if ((ret = cli_find_doc(&idx, v, args.v[0], args.v[1])) != CLI_OK)
        goto out;
    errno = 0;
    if ((err = sq_vault_remove(v, idx)) != SQ_OK) {
        e = errno;
        ret = cli_vault_error(v, err, e, "cannot remove '%s'", cli_namez(args.v[1]));
        goto out;
    }
    ret = cli_commit(v, args.v[0]);
out:
    sq_vault_close(v);
    cli_args_free(&args);
    return ret;
}
