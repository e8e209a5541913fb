/* cmd_info.c: sandyq info VAULT [--json]
 *
 * BRIEF "Authenticate before release": replacing the whole file by an older
 * copy cannot be detected from the file, so info shows the generation and
 * the state fingerprint for partners to note as checkpoints. */
#include "cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <string.h>

int
cmd_info(int argc, char **argv)
{
    static const struct option opts[] = {
        { "json", no_argument, NULL, OPT_JSON },
        CLI_VAULT_LONGOPTS,
        { NULL, 0, NULL, 0 }
    };
    cli_pass_src    src = { NULL, -1, NULL };
    cli_args        args = { 0 };
    sq_vault       *v = NULL;
    sq_vault_info_t in;
    bool            json = false;
    char            t[32], fp[33];
    sq_err          err;
    int             c, ret = CLI_USAGE;

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
            ret = cli_command_help("info");
            goto out;
        default:
            ret = cli_getopt_error("info", c, argv);
            goto out;
        }
    }
    for (; optind < argc; optind++)
        if (!cli_args_push(&args, argv[optind]))
            goto out;
    if (args.n != 1) {
        ret = cli_usage_error("info", args.n == 0 ? "info needs a VAULT" : "info takes one VAULT");
        goto out;
    }
    if ((ret = cli_open_vault(&v, args.v[0], false, &src, NULL)) != CLI_OK)
        goto out;
    memset(&in, 0, sizeof in);
    if ((err = sq_vault_info(v, &in)) != SQ_OK) {
        ret = cli_vault_error(v, err, 0, "cannot read the state of '%s'", cli_namez(args.v[0]));
        goto out;
    }
    cli_hex(fp, in.fingerprint, sizeof in.fingerprint);
    cli_time_rfc3339(t, in.created);
    if (json) {
        printf("{\"file_bytes\":%" PRIu64 ",\"committed_bytes\":%" PRIu64
               ",\"free_bytes\":%" PRIu64 ",\"documents\":%" PRIu64
               ",\"content_bytes\":%" PRIu64 ",\"generation\":%" PRIu64 ",",
               in.file_bytes, in.committed_bytes, in.free_bytes, in.documents,
               in.content_bytes, in.generation);
        cli_json_key("fingerprint");
        cli_json_strz(fp);
        putchar(',');
        cli_json_key("kdf");
        cli_json_strz(in.kdf != NULL ? in.kdf : "");
        printf(",\"growable\":%s,\"level\":%" PRIu32 ",\"format_version\":%" PRIu32
               ",\"ways_in\":%" PRIu32 ",",
               in.growable ? "true" : "false", in.level, in.format_version, in.ways_in);
        cli_json_key("created");
        cli_json_strz(t);
        fputs("}\n", stdout);
    } else {
        printf("vault:           %s\n", cli_namez(args.v[0]));
        printf("file size:       %" PRIu64 " bytes (%" PRIu64 " committed, %" PRIu64 " free)\n",
               in.file_bytes, in.committed_bytes, in.free_bytes);
        printf("documents:       %" PRIu64 " (%" PRIu64 " bytes of content)\n",
               in.documents, in.content_bytes);
        printf("generation:      %" PRIu64 "\n", in.generation);
        printf("fingerprint:     %s\n", fp);
        printf("kdf profile:     %s\n", cli_namez(in.kdf != NULL ? in.kdf : ""));
        printf("growable:        %s\n", in.growable ? "yes" : "no");
        printf("format version:  %" PRIu32 "\n", in.format_version);
        printf("ways in:         %" PRIu32 "\n", in.ways_in);
        printf("created:         %s\n", t);
        printf("note: a whole-file copy from earlier cannot be told apart from the file itself;\n"
               "      keep the generation and fingerprint to compare later\n");
    }
    ret = cli_finish_stdout(CLI_OK);
out:
    sq_vault_close(v);
    cli_args_free(&args);
    return ret;
}
