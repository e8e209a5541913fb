/* cmd_slip39.c: sandyq slip39 split | combine
 *
 *   sandyq slip39 split --secret-file F|- (--threshold K --shares N |
 *                       --group-threshold G --group K/N [--group K/N ...])
 *                       [--passphrase-file F] [--iteration-exponent E]
 *   sandyq slip39 combine [--passphrase-file F] [--allow-slow-shares] [FILE]
 *
 * Interop commands over libsandyq's SLIP-0039 module (sandyq/slip39.h).
 * Secrets never come from argv: the master secret is read as hex from a
 * file or stdin, mnemonics from a file or stdin. --passphrase-file is the
 * SLIP-0039 passphrase (printable ASCII, may be empty), not a vault one.
 * split prints each mnemonic alone on its line; its headings start with
 * '#', and combine skips such lines, so split's output can be fed back. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sandyq/slip39.h"
#include "util/secret.h"

enum {
    OPT_S39_SECRET_FILE = 1300, OPT_S39_THRESHOLD, OPT_S39_SHARES, OPT_S39_GROUP_THRESHOLD,
    OPT_S39_GROUP, OPT_S39_PASS_FILE, OPT_S39_EXPONENT, OPT_S39_ALLOW_SLOW, OPT_S39_HELP
};

#define SECRET_FILE_CAP   4096                       /* hex of 64 bytes plus blanks */
#define MNEMONIC_FILE_CAP ((size_t)1 << 20)          /* 256 shares and headings */

/* read_passphrase: the SLIP-0039 passphrase from path, or empty when path is
 * NULL. One trailing "\n" or "\r\n" is stripped; the rest must be printable
 * ASCII (SLIP-0039 "Passphrase"). */
static int
read_passphrase(cli_secret *out, const char *path)
{
    int ret;

    memset(out, 0, sizeof *out);
    if (path == NULL) {
        if ((out->buf = sq_secret_alloc(1)) == NULL) {
            cli_error("out of secure memory");
            return CLI_FAIL;
        }
        out->cap = 1;
        return CLI_OK;
    }
    if ((ret = cli_read_secret_file(out, path, SQ_SLIP39_PASSPHRASE_MAX + 2, "passphrase file")) != CLI_OK)
        return ret;
    if (out->len > 0 && out->buf[out->len - 1] == '\n') {
        out->len--;
        if (out->len > 0 && out->buf[out->len - 1] == '\r')
            out->len--;
    }
    for (size_t i = 0; i < out->len; i++) {
        if (out->buf[i] < 0x20 || out->buf[i] > 0x7e) {
            cli_secret_free(out);
            cli_error("the SLIP-0039 passphrase must be printable ASCII (space to '~') on one line");
            return CLI_USAGE;
        }
    }
    if (out->len > SQ_SLIP39_PASSPHRASE_MAX) {
        cli_secret_free(out);
        cli_error("the SLIP-0039 passphrase is longer than %d characters", SQ_SLIP39_PASSPHRASE_MAX);
        return CLI_USAGE;
    }
    return CLI_OK;
}

static int
split(int argc, char **argv)
{
    static const struct option opts[] = {
        { "secret-file",        required_argument, NULL, OPT_S39_SECRET_FILE },
        { "threshold",          required_argument, NULL, OPT_S39_THRESHOLD },
        { "shares",             required_argument, NULL, OPT_S39_SHARES },
        { "group-threshold",    required_argument, NULL, OPT_S39_GROUP_THRESHOLD },
        { "group",              required_argument, NULL, OPT_S39_GROUP },
        { "passphrase-file",    required_argument, NULL, OPT_S39_PASS_FILE },
        { "iteration-exponent", required_argument, NULL, OPT_S39_EXPONENT },
        { "help",               no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char      *secret_file = NULL, *pass_file = NULL;
    unsigned         exponent = 0;
    cli_layout       lay = { 0 };
    sq_slip39_group *groups = lay.groups;
    cli_secret       raw = { 0 }, pass = { 0 };
    uint8_t         *secret = NULL;          /* secret: the decoded master secret */
    size_t           slen = 0;
    const char      *hex_end = NULL;
    sq_slip39_set   *set = NULL;
    sq_slip39_detail d;
    sq_err           err;
    int              c, ret = CLI_USAGE;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "-:h", opts, NULL)) != -1) {
        switch (c) {
        case 1:
            ret = cli_usage_error("slip39", "slip39 split takes no arguments (the secret comes "
                                  "from --secret-file, never from the command line)");
            goto out;
        case OPT_S39_SECRET_FILE:
            secret_file = optarg;
            break;
        case OPT_S39_PASS_FILE:
            pass_file = optarg;
            break;
        case OPT_S39_THRESHOLD:
        case OPT_S39_SHARES:
        case OPT_S39_GROUP_THRESHOLD:
        case OPT_S39_GROUP:
            if ((ret = cli_layout_option(&lay, (cli_layout_opt)(c - OPT_S39_THRESHOLD), optarg,
                                         "slip39")) != CLI_OK)
                goto out;
            ret = CLI_USAGE;
            break;
        case OPT_S39_EXPONENT:
            if (!cli_parse_small(&exponent, optarg, 0, SQ_SLIP39_MAX_EXPONENT)) {
                ret = cli_usage_error("slip39", "--iteration-exponent must be 0 to 15");
                goto out;
            }
            break;
        case 'h':
            ret = cli_command_help("slip39");
            goto out;
        default:
            ret = cli_getopt_error("slip39", c, argv);
            goto out;
        }
    }
    if (optind < argc) {
        ret = cli_usage_error("slip39", "slip39 split takes no arguments (the secret comes "
                              "from --secret-file, never from the command line)");
        goto out;
    }
    if (secret_file == NULL) {
        ret = cli_usage_error("slip39", "slip39 split needs --secret-file FILE (or - for stdin)");
        goto out;
    }
    if ((ret = cli_layout_finish(&lay, "slip39")) != CLI_OK)
        goto out;
    if ((ret = read_passphrase(&pass, pass_file)) != CLI_OK)
        goto out;
    if ((ret = cli_read_secret_file(&raw, secret_file, SECRET_FILE_CAP, "secret file")) != CLI_OK)
        goto out;
    ret = CLI_USAGE;
    {
        size_t b = 0, e = raw.len;

        while (b < e && cli_is_blank(raw.buf[b]))
            b++;
        while (e > b && cli_is_blank(raw.buf[e - 1]))
            e--;
        if ((e - b) % 2 != 0 || (e - b) / 2 < SQ_SLIP39_MIN_SECRET_BYTES
            || (e - b) / 2 > SQ_SLIP39_MAX_SECRET_BYTES || ((e - b) / 2) % 2 != 0) {
            cli_error("the secret must be 16 to 64 bytes (an even number) written as hex; "
                      "got %zu hex digits", e - b);
            goto out;
        }
        if ((secret = sq_secret_alloc(SQ_SLIP39_MAX_SECRET_BYTES)) == NULL) {
            cli_error("out of secure memory");
            ret = CLI_FAIL;
            goto out;
        }
        /* sodium_hex2bin runs in constant time over the digits */
        if (sodium_hex2bin(secret, SQ_SLIP39_MAX_SECRET_BYTES, (const char *)raw.buf + b, e - b,
                           NULL, &slen, &hex_end) != 0
            || hex_end != (const char *)raw.buf + e || slen != (e - b) / 2) {
            /* the position only: the secret itself is never echoed */
            cli_error("the secret file holds a non-hex character near position %zu",
                      hex_end != NULL ? (size_t)(hex_end - (const char *)raw.buf) + 1 : b + 1);
            slen = 0;
            goto out;
        }
    }
    err = sq_slip39_split(&set, secret, slen, (const char *)pass.buf, pass.len,
                          (uint8_t)lay.gthreshold, groups, lay.ngroups, (uint8_t)exponent, &d);
    if (err != SQ_OK) {
        cli_error("cannot split the secret (%s)", err == SQ_ERR_INVALID
                  ? sq_slip39_problem_str(d.problem) : sq_err_str(err));
        ret = err == SQ_ERR_INVALID ? CLI_USAGE : CLI_FAIL;
        goto out;
    }
    for (size_t i = 0; i < sq_slip39_set_count(set); i++) {
        unsigned    g = 0, m = 0;
        const char *mn = sq_slip39_set_mnemonic(set, i, &g, &m);

        if (m == 0) {
            if (i > 0)
                fputs("\n", stdout);
            if (lay.ngroups > 1 || lay.gthreshold > 1)
                printf("# group %u of %zu (%u of %u shares needed; %u groups needed)\n", g + 1,
                       lay.ngroups, groups[g].member_threshold, groups[g].member_count, lay.gthreshold);
            else
                printf("# %u of %u shares needed\n", groups[g].member_threshold,
                       groups[g].member_count);
        }
        printf("# share %u\n%s\n", m + 1, mn);
    }
    ret = cli_finish_stdout(CLI_OK);
out:
    sq_slip39_set_free(set);
    sq_secret_free(secret, SQ_SLIP39_MAX_SECRET_BYTES);
    cli_secret_free(&raw);
    cli_secret_free(&pass);
    return ret;
}

static int
combine(int argc, char **argv)
{
    static const struct option opts[] = {
        { "passphrase-file",   required_argument, NULL, OPT_S39_PASS_FILE },
        { "allow-slow-shares", no_argument,       NULL, OPT_S39_ALLOW_SLOW },
        { "help",              no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char      *pass_file = NULL;
    bool             allow_slow = false;
    cli_args         args = { 0 };
    cli_secret       text = { 0 }, pass = { 0 };
    const char     **lines = NULL;
    size_t          *lens = NULL, n = 0;
    uint8_t         *secret = NULL;   /* secret: the recovered master secret */
    char            *hex = NULL;      /* secret: its hex form */
    size_t           slen = 0;
    sq_slip39_detail d;
    sq_err           err;
    int              c, ret = CLI_USAGE;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "-:h", opts, NULL)) != -1) {
        switch (c) {
        case 1:
            if (!cli_args_push(&args, optarg))
                goto out;
            break;
        case OPT_S39_PASS_FILE:
            pass_file = optarg;
            break;
        case OPT_S39_ALLOW_SLOW:
            allow_slow = true;
            break;
        case 'h':
            ret = cli_command_help("slip39");
            goto out;
        default:
            ret = cli_getopt_error("slip39", c, argv);
            goto out;
        }
    }
    for (; optind < argc; optind++)
        if (!cli_args_push(&args, argv[optind]))
            goto out;
    if (args.n > 1) {
        ret = cli_usage_error("slip39", "slip39 combine takes at most one FILE of mnemonics "
                              "(one per line; shares never go on the command line)");
        goto out;
    }
    if ((ret = read_passphrase(&pass, pass_file)) != CLI_OK)
        goto out;
    if ((ret = cli_read_secret_file(&text, args.n == 1 ? args.v[0] : "-", MNEMONIC_FILE_CAP,
                         "mnemonic file")) != CLI_OK)
        goto out;
    ret = CLI_FAIL;
    if ((lines = calloc(SQ_SLIP39_MAX_SHARES, sizeof *lines)) == NULL
        || (lens = calloc(SQ_SLIP39_MAX_SHARES, sizeof *lens)) == NULL) {
        cli_error("out of memory");
        goto out;
    }
    /* one mnemonic per line; headings, certificates skipped (share_input.c) */
    if ((ret = cli_mnemonic_lines(text.buf, text.len, lines, lens, &n)) != CLI_OK)
        goto out;
    ret = CLI_FAIL;
    if (n == 0) {
        cli_error("no mnemonics given (one per line)");
        ret = CLI_USAGE;
        goto out;
    }
    if ((secret = sq_secret_alloc(SQ_SLIP39_MAX_SECRET_BYTES)) == NULL
        || (hex = sq_secret_alloc(2 * SQ_SLIP39_MAX_SECRET_BYTES + 1)) == NULL) {
        cli_error("out of secure memory");
        goto out;
    }
    err = sq_slip39_combine(secret, &slen, lines, lens, n, (const char *)pass.buf, pass.len,
                            allow_slow, &d);
    if (err != SQ_OK) {
        cli_slip39_report(err, &d);
        goto out;
    }
    sodium_bin2hex(hex, 2 * SQ_SLIP39_MAX_SECRET_BYTES + 1, secret, slen);
    printf("%s\n", hex);
    ret = cli_finish_stdout(CLI_OK);
out:
    sq_secret_free(hex, 2 * SQ_SLIP39_MAX_SECRET_BYTES + 1);
    sq_secret_free(secret, SQ_SLIP39_MAX_SECRET_BYTES);
    free(lines);
    free(lens);
    cli_secret_free(&text);
    cli_secret_free(&pass);
    cli_args_free(&args);
    return ret;
}

int
cmd_slip39(int argc, char **argv)
{
    if (sodium_init() < 0 || !sq_secret_init()) {
        cli_error("cannot initialise libsodium or secure memory");
        return CLI_FAIL;
    }
    if (argc >= 2 && strcmp(argv[1], "split") == 0)
        return split(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "combine") == 0)
        return combine(argc - 1, argv + 1);
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
        return cli_command_help("slip39");
    return cli_usage_error("slip39", "slip39 needs 'split' or 'combine'");
}
