/* cmd_passphrase.c: sandyq passphrase add|remove|change|list VAULT
 *                   [--label TEXT] [--slot N] [--new-passphrase-file F | --new-passphrase-fd N]
 *
 * BRIEF "Revocation is honest": removing or changing a passphrase does not
 * revoke copies of the vault taken earlier; remove and change say so and
 * point at rekey. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define LABEL_MAX 64u   /* FORMAT.md limits: label */

typedef enum { PP_ADD, PP_REMOVE, PP_CHANGE, PP_LIST } pp_action;

static void
revocation_hint(void)
{
    cli_hint("copies of the vault taken earlier still open with the old passphrase; "
             "run 'sandyq rekey' to make them useless");
}

static int
list_ways(const sq_vault *v, bool json)
{
    size_t    i, n = sq_vault_ways_count(v);
    sq_way_in w;
    char      t[32];

    if (json)
        putchar('[');
    for (i = 0; i < n; i++) {
        sq_vault_way_at(v, i, &w);
        cli_time_rfc3339(t, w.created);
        if (json) {
            printf("%s{\"slot\":%u,", i == 0 ? "" : ",", (unsigned)w.slot);
            cli_json_key("kind");
            cli_json_strz(w.passphrase ? "passphrase" : "key");
            putchar(',');
            cli_json_key("created");
            cli_json_strz(t);
            putchar(',');
            cli_json_key("label");
            cli_json_strz(w.label != NULL ? w.label : "");
            printf(",\"current\":%s}", w.current ? "true" : "false");
        } else {
            printf("slot %2u  %-10s  %s  %s%s\n", (unsigned)w.slot,
                   w.passphrase ? "passphrase" : "key", t,
                   w.label != NULL && w.label[0] != '\0' ? cli_namez(w.label) : "-",
                   w.current ? "  (used now)" : "");
        }
    }
    if (json)
        puts("]");
    return cli_finish_stdout(CLI_OK);
}

/* slot_of_current: the slot of the way in that opened the session */
static bool
slot_of_current(const sq_vault *v, uint8_t *slot)
{
    size_t    i, n = sq_vault_ways_count(v);
    sq_way_in w;

    for (i = 0; i < n; i++) {
        sq_vault_way_at(v, i, &w);
        if (w.current) {
            *slot = w.slot;
            return true;
        }
    }
    return false;
}

static bool
has_slot(const sq_vault *v, uint8_t slot)
{
    size_t    i, n = sq_vault_ways_count(v);
    sq_way_in w;

    for (i = 0; i < n; i++) {
        sq_vault_way_at(v, i, &w);
        if (w.slot == slot)
            return true;
    }
    return false;
}

int
cmd_passphrase(int argc, char **argv)
{
    static const struct option opts[] = {
        { "label",               required_argument, NULL, OPT_LABEL },
        { "slot",                required_argument, NULL, OPT_SLOT },
        { "new-passphrase-file", required_argument, NULL, OPT_NEW_PASS_FILE },
        { "new-passphrase-fd",   required_argument, NULL, OPT_NEW_PASS_FD },
        { "json",                no_argument,       NULL, OPT_JSON },
        CLI_VAULT_LONGOPTS,
        { NULL, 0, NULL, 0 }
    };
    cli_pass_src   src = { NULL, -1, NULL }, nsrc = { NULL, -1, NULL };
    cli_args       args = { 0 };
    cli_secret     np = { 0 };
    sq_secret_view view;
    sq_vault      *v = NULL;
    pp_action      act;
    const char    *label = NULL, *vault, *sub;
    bool           json = false, have_slot = false;
    uint8_t        slot = 0, before[256], s2;
    char           what[700];
    size_t         i, n;
    sq_way_in      w;
    sq_err         err;
    int            c, e, fd, ret = CLI_USAGE;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "-:h", opts, NULL)) != -1) {
        switch (c) {
        case 1:
            if (!cli_args_push(&args, optarg))
                goto out;
            break;
        case OPT_LABEL:
            label = optarg;
            break;
        case OPT_SLOT:
            if (!cli_parse_u8(&slot, "--slot", optarg))
                goto out;
            have_slot = true;
            break;
        case OPT_NEW_PASS_FILE:
            if (nsrc.file != NULL || nsrc.fd >= 0) {
                ret = cli_usage_error("passphrase", "give the new passphrase once");
                goto out;
            }
            nsrc.file = optarg;
            break;
        case OPT_NEW_PASS_FD:
            if (nsrc.file != NULL || nsrc.fd >= 0) {
                ret = cli_usage_error("passphrase", "give the new passphrase once");
                goto out;
            }
            if (!cli_parse_fd(&fd, "--new-passphrase-fd", optarg))
                goto out;
            nsrc.fd = fd;
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
            ret = cli_command_help("passphrase");
            goto out;
        default:
            ret = cli_getopt_error("passphrase", c, argv);
            goto out;
        }
    }
    for (; optind < argc; optind++)
        if (!cli_args_push(&args, argv[optind]))
            goto out;
    if (args.n != 2) {
        ret = cli_usage_error("passphrase", "passphrase needs an action (add, remove, change or "
                                            "list) and a VAULT");
        goto out;
    }
    sub = args.v[0];
    vault = args.v[1];
    if (strcmp(sub, "add") == 0)
        act = PP_ADD;
    else if (strcmp(sub, "remove") == 0)
        act = PP_REMOVE;
    else if (strcmp(sub, "change") == 0)
        act = PP_CHANGE;
    else if (strcmp(sub, "list") == 0)
        act = PP_LIST;
    else {
        ret = cli_usage_error("passphrase", "unknown action '%s' (add, remove, change or list)",
                              cli_namez(sub));
        goto out;
    }
    if (label != NULL && act != PP_ADD) {
        ret = cli_usage_error("passphrase", "--label goes with 'passphrase add'");
        goto out;
    }
    if (label != NULL && strlen(label) > LABEL_MAX) {
        ret = cli_usage_error("passphrase", "--label is too long (more than %u bytes)", LABEL_MAX);
        goto out;
    }
    if (have_slot && act != PP_REMOVE) {
        ret = cli_usage_error("passphrase", "--slot goes with 'passphrase remove'");
        goto out;
    }
    if ((nsrc.file != NULL || nsrc.fd >= 0) && act != PP_ADD && act != PP_CHANGE) {
        ret = cli_usage_error("passphrase", "--new-passphrase-file/-fd go with 'passphrase add' "
                                            "and 'passphrase change'");
        goto out;
    }
    if (json && act != PP_LIST) {
        ret = cli_usage_error("passphrase", "--json goes with 'passphrase list'");
        goto out;
    }

    if ((ret = cli_open_vault(&v, vault, act != PP_LIST, &src, NULL)) != CLI_OK)
        goto out;
    if (act == PP_LIST) {
        ret = list_ways(v, json);
        goto out;
    }
    if (act == PP_REMOVE) {
        if (!have_slot && !slot_of_current(v, &slot)) {
            cli_error("cannot tell which way in opened '%s'", cli_namez(vault));
            cli_hint("give --slot N (see 'sandyq passphrase list')");
            ret = CLI_FAIL;
            goto out;
        }
        if (!has_slot(v, slot)) {
            cli_error("no way in at slot %u of '%s'", (unsigned)slot, cli_namez(vault));
            cli_hint("run 'sandyq passphrase list' to see the slots in use");
            ret = CLI_FAIL;
            goto out;
        }
        errno = 0;
        err = sq_vault_passphrase_remove(v, slot);
        e = errno;
        if (err == SQ_ERR_LAST_WAY_IN) {
            if (sq_vault_ways_count(v) > 1)
                cli_error("cannot remove the last passphrase of '%s' (a level opened only by "
                          "shares could not rekey or rotate them)", cli_namez(vault));
            else
                cli_error("cannot remove the last way in to '%s' (nothing else would open it)",
                          cli_namez(vault));
            cli_hint("add another passphrase first");
            ret = CLI_FAIL;
            goto out;
        }
        if (err != SQ_OK) {
            ret = cli_vault_error(v, err, e, "cannot remove slot %u of '%s'", (unsigned)slot,
                                  cli_namez(vault));
            goto out;
        }
        printf("removed the way in at slot %u\n", (unsigned)slot);
        revocation_hint();
        ret = cli_finish_stdout(CLI_OK);
        goto out;
    }

    /* add or change: the new passphrase, asked only now that the current
     * one proved right */
    snprintf(what, sizeof what, "new passphrase for '%s'", cli_namez(vault));
    if ((ret = cli_read_passphrase(&np, &nsrc, what, true, "--new-passphrase-file",
                                   "--new-passphrase-fd")) != CLI_OK)
        goto out;
    view.bytes = np.buf;
    view.len = np.len;
    n = sq_vault_ways_count(v);
    memset(before, 0, sizeof before);
    for (i = 0; i < n; i++) {
        sq_vault_way_at(v, i, &w);
        before[w.slot] = 1;
    }
    errno = 0;
    if (act == PP_ADD)
        err = sq_vault_passphrase_add(v, view, label);
    else
        err = sq_vault_passphrase_change(v, view);
    e = errno;
    cli_secret_free(&np);   /* wiped before any message */
    if (err != SQ_OK) {
        ret = cli_vault_error(v, err, e, "cannot %s a passphrase of '%s'",
                              act == PP_ADD ? "add" : "change", cli_namez(vault));
        goto out;
    }
    if (act == PP_ADD) {
        n = sq_vault_ways_count(v);
        s2 = 0;
        for (i = 0; i < n; i++) {
            sq_vault_way_at(v, i, &w);
            if (!before[w.slot])
                s2 = w.slot;
        }
        printf("added a passphrase at slot %u\n", (unsigned)s2);
    } else {
        printf("changed the passphrase\n");
        revocation_hint();
    }
    ret = cli_finish_stdout(CLI_OK);
out:
    cli_secret_free(&np);
    sq_vault_close(v);
    cli_args_free(&args);
    return ret;
}
