/* cmd_ls.c: sandyq ls VAULT [--json] */
#include "cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <string.h>

static void
print_json(const sq_vault *v)
{
    sq_doc_info d;
    size_t      i, n = sq_vault_count(v);
    char        t[32], hex[65];

    putchar('[');
    for (i = 0; i < n; i++) {
        sq_vault_doc_at(v, i, &d);
        fputs(i == 0 ? "\n  {" : ",\n  {", stdout);
        cli_json_key("name");
        cli_json_str(d.name, d.name_len);
        printf(",\"size\":%" PRIu64 ",", d.size);
        cli_json_key("added");
        cli_json_strz(cli_time_rfc3339(t, d.added));
        putchar(',');
        cli_json_key("case");
        cli_json_str(d.case_id, d.case_len);
        putchar(',');
        cli_json_key("sha256");
        cli_json_strz(cli_hex(hex, d.sha256, sizeof d.sha256));
        if (d.note_len > 0) {
            putchar(',');
            cli_json_key("note");
            cli_json_str(d.note, d.note_len);
        }
        putchar('}');
    }
    fputs(n > 0 ? "\n]\n" : "]\n", stdout);
}

static void
print_text(const sq_vault *v)
{
    sq_doc_info d;
    size_t      i, n = sq_vault_count(v);
    char        t[32];

    /* size, time added, case (or -), then the name last: names may hold
     * spaces, and every field is escaped for the terminal */
    for (i = 0; i < n; i++) {
        sq_vault_doc_at(v, i, &d);
        printf("%14" PRIu64 "  %s  %s  %s\n", d.size, cli_time_rfc3339(t, d.added),
               d.case_len > 0 ? cli_name(d.case_id, d.case_len) : "-", cli_name(d.name, d.name_len));
    }
}

int
cmd_ls(int argc, char **argv)
{
    static const struct option opts[] = {
        { "json", no_argument, NULL, OPT_JSON },
        CLI_VAULT_LONGOPTS,
        { NULL, 0, NULL, 0 }
    };
    cli_pass_src src = { NULL, -1, NULL };
    cli_args     args = { 0 };
    sq_vault    *v = NULL;
    bool         json = false;
    int          c, ret = CLI_USAGE;

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
            ret = cli_command_help("ls");
            goto out;
        default:
            ret = cli_getopt_error("ls", c, argv);
            goto out;
        }
    }
    for (; optind < argc; optind++)
        if (!cli_args_push(&args, argv[optind]))
            goto out;
    if (args.n != 1) {
        ret = cli_usage_error("ls", args.n == 0 ? "ls needs a VAULT" : "ls takes one VAULT");
        goto out;
    }
    if ((ret = cli_open_vault(&v, args.v[0], false, &src, NULL)) != CLI_OK)
        goto out;
    if (json)
        print_json(v);
    else
        print_text(v);
    ret = cli_finish_stdout(CLI_OK);
out:
    sq_vault_close(v);
    cli_args_free(&args);
    return ret;
}
