/* cmd_init.c: sandyq init VAULT [--kdf standard|strong|test] [--growable] [--label TEXT] */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int
cmd_init(int argc, char **argv)
{
    static const struct option opts[] = {
        { "kdf",      required_argument, NULL, OPT_KDF },
        { "growable", no_argument,       NULL, OPT_GROWABLE },
        { "label",    required_argument, NULL, OPT_LABEL },
        CLI_COMMON_LONGOPTS,
        { NULL, 0, NULL, 0 }
    };
    cli_pass_src   src = { NULL, -1, NULL };
    cli_args       args = { 0 };
    cli_secret     pass = { 0 };
    sq_secret_view view;
    const char    *kdf = "standard", *label = NULL, *path, *env;
    bool           growable = false;
    struct stat    st;
    char           what[600];
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
        case OPT_KDF:
            kdf = optarg;
            break;
        case OPT_GROWABLE:
            growable = true;
            break;
        case OPT_LABEL:
            label = optarg;
            break;
        case OPT_PASS_FILE:
            if (!cli_set_pass_file(&src, optarg))
                goto out;
            break;
        case OPT_PASS_FD:
            if (!cli_set_pass_fd(&src, optarg))
                goto out;
            break;
        case 'h':
            ret = cli_command_help("init");
            goto out;
        default:
            ret = cli_getopt_error("init", c, argv);
            goto out;
        }
    }
    for (; optind < argc; optind++)
        if (!cli_args_push(&args, argv[optind]))
            goto out;
    if (args.n != 1) {
        ret = cli_usage_error("init", args.n == 0 ? "init needs a VAULT path" : "init takes one VAULT path");
        goto out;
    }
    path = args.v[0];
    if (strcmp(kdf, "standard") != 0 && strcmp(kdf, "strong") != 0 && strcmp(kdf, "test") != 0) {
        ret = cli_usage_error("init", "unknown --kdf profile '%s' (standard, strong or test)",
                              cli_namez(kdf));
        goto out;
    }
    /* BRIEF "KDF": the test profile must be impossible to select by accident;
     * the library refuses it too, this only says so before the prompt */
    env = getenv("SANDYQ_INSECURE_TEST_KDF");
    if (strcmp(kdf, "test") == 0 && (env == NULL || strcmp(env, "1") != 0)) {
        cli_error("the 'test' KDF profile is insecure and only for test suites");
        cli_hint("it needs SANDYQ_INSECURE_TEST_KDF=1 in the environment; "
                 "use 'standard' or 'strong' for real vaults");
        ret = CLI_USAGE;
        goto out;
    }
    if (lstat(path, &st) == 0) {
        cli_error("cannot create vault '%s' (file exists)", cli_namez(path));
        ret = CLI_FAIL;
        goto out;
    }
    snprintf(what, sizeof what, "passphrase for the new vault '%s'", cli_namez(path));
    if ((ret = cli_read_passphrase(&pass, &src, what, true, "--passphrase-file",
                                   "--passphrase-fd")) != CLI_OK)
        goto out;
    view.bytes = pass.buf;
    view.len = pass.len;
    errno = 0;
    err = sq_vault_create(path, kdf, growable, view, label);
    e = errno;
    cli_secret_free(&pass);
    ret = CLI_OK;
    switch (err) {
    case SQ_OK:
        break;
    case SQ_ERR_EXISTS:
        cli_error("cannot create vault '%s' (file exists)", cli_namez(path));
        ret = CLI_FAIL;
        break;
    case SQ_ERR_INVALID:
        cli_error("cannot create vault '%s' (invalid profile, label or passphrase)", cli_namez(path));
        ret = CLI_USAGE;
        break;
    default:
        ret = cli_vault_error(NULL, err, e, "cannot create vault '%s'", cli_namez(path));
        break;
    }
out:
    cli_secret_free(&pass);
    cli_args_free(&args);
    return ret;
}
