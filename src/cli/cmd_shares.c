/* cmd_shares.c: sandyq shares create|rotate|reissue|verify|check
 *
 *   sandyq shares create VAULT (--threshold K --shares N |
 *                               --group-threshold G --group K/N [--group K/N ...])
 *                              [--words 20|33] [--to NAME=RECIPIENT ...] [--sheets DIR]
 *   sandyq shares rotate VAULT (same options as create)
 *   sandyq shares reissue VAULT --member G/I [--member G/I ...] [--to ...] [--sheets DIR]
 *   sandyq shares verify VAULT FILE
 *   sandyq shares check --vault-pub PUBFILE FILE
 *
 * Split keys for the level the passphrase opens (sandyq/shares.h). Each
 * share is printed once, alone on its line, with its heading lines ('#')
 * and its certificate block (never words of the SLIP-0039 list) on lines
 * of their own, so the output can be cut into pieces or fed back to
 * `--shares` and `slip39 combine` as it is. A share sent with --to is not
 * printed: it exists only inside NAME.share.age. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <sodium.h>

#include "sandyq/age.h"
#include "sandyq/identity.h"
#include "sandyq/minisign.h"
#include "sandyq/share_cert.h"
#include "sandyq/shares.h"
#include "sandyq/slip39.h"
#include "util/outfile.h"
#include "util/secret.h"

enum {
    OPT_SH_THRESHOLD = 1350, OPT_SH_COUNT, OPT_SH_GROUP_THRESHOLD, OPT_SH_GROUP, OPT_SH_WORDS,
    OPT_SH_TO, OPT_SH_SHEETS, OPT_SH_MEMBER, OPT_SH_VAULT_PUB
};

#define MAX_TO        (SQ_SLIP39_MAX_GROUPS * SQ_SLIP39_MAX_MEMBERS)
#define NAME_MAX_LEN  64
#define TMPFS_MAGIC_  0x01021994
#define FILE_CAP      ((size_t)1 << 20)

typedef struct {
    char    name[NAME_MAX_LEN + 1];
    uint8_t pk[SQ_AGE_KEY_BYTES];
} to_entry;

typedef struct {
    const char *vault;
    const char *sheets;            /* --sheets DIR, or NULL */
    to_entry    to[MAX_TO];
    size_t      n_to, next_to;
    char        fingerprint[SQ_SHARE_FPR_CHARS + 1];
    sq_share_set_info info;
} emit_ctx;

/* ---- options ---- */

/* parse_to: NAME=RECIPIENT, NAME of [A-Za-z0-9._-]+ (not "." or ".."): it
 * becomes a file name, so nothing that could leave the folder */
static bool
parse_to(to_entry *t, const char *text)
{
    const char *eq = strchr(text, '=');
    size_t      n;

    if (eq == NULL || eq == text || (size_t)(eq - text) > NAME_MAX_LEN)
        return false;
    n = (size_t)(eq - text);
    for (size_t i = 0; i < n; i++) {
        char c = text[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    if ((n == 1 && text[0] == '.') || (n == 2 && text[0] == '.' && text[1] == '.'))
        return false;
    memcpy(t->name, text, n);
    t->name[n] = '\0';
    return sq_age_recipient_parse(t->pk, eq + 1, strlen(eq + 1)) == SQ_OK;
}

typedef struct {
    unsigned g, m;     /* 0-based */
} member;

/* ---- writing one share ---- */

/* target_free: path does not exist yet (checked before the vault changes,
 * so a leftover file cannot stop the hand-out after the commit) */
static bool
target_free(const char *path)
{
    struct stat st;

    if (lstat(path, &st) == 0) {
        cli_error("'%s' exists: move it away first (share files are never overwritten)",
                  cli_namez(path));
        return false;
    }
    return true;
}

/* check_targets: every file the hand-out of list will write is free, and
 * no --to name is given twice */
static int
check_targets(const emit_ctx *x, const member *list, size_t n)
{
    char path[4200];

    for (size_t i = 0; i < x->n_to; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(x->to[i].name, x->to[j].name) == 0) {
                cli_error("--to names '%s' twice", x->to[i].name);
                return CLI_USAGE;
            }
    for (size_t k = 0; k < n; k++) {
        if (k < x->n_to) {
            snprintf(path, sizeof path, "%s%s%s.share.age", x->sheets != NULL ? x->sheets : "",
                     x->sheets != NULL ? "/" : "", x->to[k].name);
            if (!target_free(path))
                return CLI_FAIL;
        } else if (x->sheets != NULL) {
            snprintf(path, sizeof path, "%s/share-g%u-m%u.txt", x->sheets, list[k].g + 1, list[k].m + 1);
            if (!target_free(path))
                return CLI_FAIL;
            snprintf(path, sizeof path, "%s/share-g%u-m%u.html", x->sheets, list[k].g + 1, list[k].m + 1);
            if (!target_free(path))
                return CLI_FAIL;
        }
    }
    return CLI_OK;
}

/* warn_exposure: where the printed shares go, and a set one share opens */
static void
warn_exposure(const sq_slip39_group *groups, size_t ngroups, unsigned gthreshold)
{
    struct stat st;

    if (fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode) &&
        (st.st_mode & (S_IRGRP | S_IROTH)) != 0)
        cli_warning("the shares go to a file that others on this machine may read; "
                    "use --sheets on tmpfs, or --to, or a terminal");
    for (size_t g = 0; g < ngroups; g++)
        if (gthreshold == 1 && groups[g].member_threshold == 1)
            cli_warning("group %zu alone opens the vault, and it needs a single share: "
                        "whoever holds that share can open the vault alone", g + 1);
}

/* share_page: the text of one share (heading lines, numbered words, the
 * mnemonic, the certificate) for a sheet or an age file; malloc'd in
 * secret memory of *cap bytes */
static char *
share_page(size_t *len, size_t *cap, const emit_ctx *x, unsigned g, unsigned m, const char *mnemonic,
           const char *cert)
{
    char   *p;
    size_t  o = 0, nw = 0;
    const char *w = mnemonic;

    *cap = 8192 + strlen(cert);
    if ((p = sq_secret_alloc(*cap)) == NULL)
        return NULL;
#define PUT(...) (o += (size_t)snprintf(p + o, *cap - o, __VA_ARGS__))
    PUT("# sandyq split-key share: keep this page secret, and apart from the other shares\n");
    PUT("# vault level fingerprint: %s\n", x->fingerprint);
    PUT("# set %u, generation %u: group %u of %u (groups needed: %u), member %u (members of "
        "this group needed: %u)\n", x->info.id, x->info.generation, g + 1, x->info.group_count,
        x->info.group_threshold, m + 1, x->info.groups[g].member_threshold);
    PUT("# check it: sandyq shares check --vault-pub LEVEL-SHARES.pub THIS-FILE\n");
    PUT("# the words, numbered:\n#");
    while (*w != '\0') {
        const char *sp = strchr(w, ' ');
        size_t      l = sp != NULL ? (size_t)(sp - w) : strlen(w);
        PUT(" %2zu %-8.*s", ++nw, (int)l, w);
        if (nw % 6 == 0)
            PUT("\n#");
        w += l + (sp != NULL);
    }
    PUT("\n%s\n%s", mnemonic, cert);
#undef PUT
    *len = o;
    return p;
}

/* html_page: the same as a printable page; words and certificate are
 * letters, digits, base64 and a few signs, escaped anyway */
static char *
html_page(size_t *len, size_t *cap, const char *text, size_t tlen)
{
    static const char head[] =
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>sandyq share</title>\n"
        "<style>body{font-family:monospace;font-size:12pt}pre{white-space:pre-wrap}</style>"
        "</head><body>\n<pre>\n";
    static const char tail[] = "</pre>\n</body></html>\n";
    char  *p;
    size_t o;

    *cap = sizeof head + sizeof tail + 6 * tlen;
    if ((p = sq_secret_alloc(*cap)) == NULL)
        return NULL;
    memcpy(p, head, sizeof head - 1);
    o = sizeof head - 1;
    for (size_t i = 0; i < tlen; i++) {
        const char *esc = text[i] == '<' ? "&lt;" : text[i] == '>' ? "&gt;" : text[i] == '&' ? "&amp;" : NULL;
        if (esc != NULL) {
            memcpy(p + o, esc, strlen(esc));
            o += strlen(esc);
        } else {
            p[o++] = text[i];
        }
    }
    memcpy(p + o, tail, sizeof tail - 1);
    *len = o + sizeof tail - 1;
    return p;
}

static int
write_file(const char *path, const void *buf, size_t len)
{
    sq_outfile *f = NULL;
    sq_err      err;
    int         e;

    if ((err = sq_outfile_open(&f, path, false)) != SQ_OK ||
        (err = sq_outfile_write(f, buf, len)) != SQ_OK || (err = sq_outfile_commit(f)) != SQ_OK) {
        e = errno;
        sq_outfile_abort(f);
        return cli_output_error(path, err, e);
    }
    sq_outfile_abort(f);
    return CLI_OK;
}

static int
emit_share(emit_ctx *x, unsigned g, unsigned m, const char *mnemonic, const char *cert)
{
    char    path[4200];
    char   *page = NULL, *html = NULL;
    uint8_t *sealed = NULL;
    size_t  plen = 0, pcap = 0, hlen = 0, hcap = 0, slen = 0;
    int     ret = CLI_FAIL;

    if ((page = share_page(&plen, &pcap, x, g, m, mnemonic, cert)) == NULL) {
        cli_error("out of secure memory");
        return CLI_FAIL;
    }
    if (x->next_to < x->n_to) {
        /* sealed to its holder: written, not printed */
        const to_entry    *t = &x->to[x->next_to++];
        sq_age_recipients  r;
        sq_err             err;

        memset(&r, 0, sizeof r);
        r.x25519 = (const uint8_t (*)[SQ_AGE_KEY_BYTES])t->pk;
        r.n_x25519 = 1;
        snprintf(path, sizeof path, "%s%s%s.share.age", x->sheets != NULL ? x->sheets : "",
                 x->sheets != NULL ? "/" : "", t->name);
        if ((err = sq_age_encrypt_buffer(&sealed, &slen, &r, (const uint8_t *)page, plen)) != SQ_OK) {
            cli_error("cannot encrypt the share for %s (%s)", t->name, sq_err_str(err));
            goto out;
        }
        if ((ret = write_file(path, sealed, slen)) != CLI_OK)
            goto out;
        printf("# group %u, member %u: sealed to %s in %s (not printed)\n", g + 1, m + 1, t->name,
               cli_namez(path));
        ret = CLI_OK;
        goto out;
    }
    printf("# group %u of %u (%u of %u members needed), member %u\n%s\n%s", g + 1,
           x->info.group_count, x->info.groups[g].member_threshold, x->info.groups[g].member_count,
           m + 1, mnemonic, cert);
    if (x->sheets != NULL) {
        snprintf(path, sizeof path, "%s/share-g%u-m%u.txt", x->sheets, g + 1, m + 1);
        if ((ret = write_file(path, page, plen)) != CLI_OK)
            goto out;
        if ((html = html_page(&hlen, &hcap, page, plen)) == NULL) {
            cli_error("out of secure memory");
            ret = CLI_FAIL;
            goto out;
        }
        snprintf(path, sizeof path, "%s/share-g%u-m%u.html", x->sheets, g + 1, m + 1);
        if ((ret = write_file(path, html, hlen)) != CLI_OK)
            goto out;
    }
    ret = CLI_OK;
out:
    if (sealed != NULL) {
        sodium_memzero(sealed, slen);
        free(sealed);
    }
    sq_secret_free(page, pcap);
    sq_secret_free(html, hcap);
    return ret;
}

/* emit_members: the shares (g, m) of the current set, in the order given
 * (--to recipients are paired in that order), each with a fresh certificate */
static int
emit_members(emit_ctx *x, sq_vault *v, const member *list, size_t n_list)
{
    sq_slip39_set  *set = NULL;
    sq_level_public pub;
    char            cert[SQ_SHARE_CERT_MAX_BYTES];
    size_t          clen;
    sq_err          err;
    int             ret = CLI_FAIL;

    if ((err = sq_vault_shares_info(v, &x->info)) != SQ_OK ||
        (err = sq_vault_identity_public(v, &pub)) != SQ_OK ||
        (err = sq_identity_fingerprint(x->fingerprint, sizeof x->fingerprint, pub.x25519,
                                       pub.ed25519[SQ_KEY_EXPORT])) != SQ_OK ||
        (err = sq_vault_shares_mnemonics(v, &set)) != SQ_OK)
        return cli_vault_error(v, err, 0, "cannot read the share set of '%s'", cli_namez(x->vault));
    printf("# sandyq share set %u, generation %u of vault level %s\n", x->info.id,
           x->info.generation, x->fingerprint);
    printf("# groups needed to open: %u of %u\n", x->info.group_threshold, x->info.group_count);
    for (size_t k = 0; k < n_list; k++) {
        unsigned    g = list[k].g, m = list[k].m, gi, mi;
        const char *mn = NULL;

        for (size_t i = 0; i < sq_slip39_set_count(set) && mn == NULL; i++) {
            const char *t = sq_slip39_set_mnemonic(set, i, &gi, &mi);
            if (gi == g && mi == m)
                mn = t;
        }
        if (mn == NULL) {
            cli_error("group %u has no member %u", g + 1, m + 1);
            ret = CLI_FAIL;
            goto out;
        }
        if ((err = sq_vault_shares_certificate(v, g, m, cert, sizeof cert, &clen)) != SQ_OK) {
            ret = cli_vault_error(v, err, 0, "cannot sign the certificate of group %u member %u",
                                  g + 1, m + 1);
            goto out;
        }
        if ((ret = emit_share(x, g, m, mn, cert)) != CLI_OK)
            goto out;
    }
    ret = cli_finish_stdout(CLI_OK);
out:
    sq_slip39_set_free(set);
    return ret;
}

static int
sheets_ready(const char *dir)
{
    struct stat   st;
    struct statfs fs;

    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        cli_error("--sheets '%s' is not a folder", cli_namez(dir));
        return CLI_USAGE;
    }
    if (statfs(dir, &fs) == 0 && (unsigned long)fs.f_type != TMPFS_MAGIC_)
        cli_warning("'%s' is not on tmpfs: the share files will stay on that disk (and print "
                    "spoolers keep copies); delete them once printed", cli_namez(dir));
    return CLI_OK;
}

/* ---- create / rotate / reissue ---- */

static int
open_writable(sq_vault **v, const char *vault, const cli_pass_src *src)
{
    cli_pass_src only_pass = *src;

    only_pass.shares = NULL;           /* shares commands take the vault passphrase */
    return cli_open_vault(v, vault, true, &only_pass, NULL);
}

static int
make_set(int argc, char **argv, bool rotate)
{
    static const struct option opts[] = {
        { "threshold",       required_argument, NULL, OPT_SH_THRESHOLD },
        { "shares",          required_argument, NULL, OPT_SH_COUNT },
        { "group-threshold", required_argument, NULL, OPT_SH_GROUP_THRESHOLD },
        { "group",           required_argument, NULL, OPT_SH_GROUP },
        { "words",           required_argument, NULL, OPT_SH_WORDS },
        { "to",              required_argument, NULL, OPT_SH_TO },
        { "sheets",          required_argument, NULL, OPT_SH_SHEETS },
        CLI_COMMON_LONGOPTS,
        { NULL, 0, NULL, 0 }
    };
    const char      *cmd = rotate ? "shares rotate" : "shares create";
    static emit_ctx  x;
    cli_pass_src     src = { NULL, -1, NULL };
    cli_args         args = { 0 };
    static cli_layout lay;
    sq_slip39_group *groups = lay.groups;
    static member    list[SQ_SLIP39_MAX_GROUPS * SQ_SLIP39_MAX_MEMBERS];
    size_t           n_list = 0, total = 0;
    unsigned         words = 33;
    sq_vault        *v = NULL;
    sq_slip39_detail d;
    sq_err           err;
    int              c, ret = CLI_USAGE;

    memset(&x, 0, sizeof x);
    memset(&lay, 0, sizeof lay);
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "-:h", opts, NULL)) != -1) {
        switch (c) {
        case 1:
            if (!cli_args_push(&args, optarg))
                goto out;
            break;
        case OPT_SH_THRESHOLD:
        case OPT_SH_COUNT:
        case OPT_SH_GROUP_THRESHOLD:
        case OPT_SH_GROUP:
            if ((ret = cli_layout_option(&lay, (cli_layout_opt)(c - OPT_SH_THRESHOLD), optarg,
                                         "shares")) != CLI_OK)
                goto out;
            ret = CLI_USAGE;
            break;
        case OPT_SH_WORDS:
            if (strcmp(optarg, "20") == 0)
                words = 20;
            else if (strcmp(optarg, "33") == 0)
                words = 33;
            else {
                ret = cli_usage_error("shares", "--words is 20 (128-bit key) or 33 (256-bit key)");
                goto out;
            }
            break;
        case OPT_SH_TO:
            if (x.n_to == MAX_TO || !parse_to(&x.to[x.n_to], optarg)) {
                ret = cli_usage_error("shares", "--to takes NAME=RECIPIENT: NAME of letters, digits, "
                                      "'.', '_' or '-', and an age1... X25519 recipient");
                goto out;
            }
            x.n_to++;
            break;
        case OPT_SH_SHEETS:
            x.sheets = optarg;
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
            ret = cli_command_help("shares");
            goto out;
        default:
            ret = cli_getopt_error("shares", c, argv);
            goto out;
        }
    }
    for (; optind < argc; optind++)
        if (!cli_args_push(&args, argv[optind]))
            goto out;
    if (args.n != 1) {
        ret = cli_usage_error("shares", "%s needs one VAULT", cmd);
        goto out;
    }
    x.vault = args.v[0];
    if ((ret = cli_layout_finish(&lay, "shares")) != CLI_OK)
        goto out;
    ret = CLI_USAGE;
    for (size_t g = 0; g < lay.ngroups; g++) {
        for (unsigned m = 0; m < groups[g].member_count; m++)
            list[n_list++] = (member){ (unsigned)g, m };
        total += groups[g].member_count;
    }
    if (x.n_to > total) {
        ret = cli_usage_error("shares", "%zu --to recipients for %zu shares", x.n_to, total);
        goto out;
    }
    if (x.sheets != NULL && (ret = sheets_ready(x.sheets)) != CLI_OK)
        goto out;
    if ((ret = check_targets(&x, list, n_list)) != CLI_OK)
        goto out;
    warn_exposure(groups, lay.ngroups, lay.gthreshold);
    if ((ret = open_writable(&v, x.vault, &src)) != CLI_OK)
        goto out;
    err = sq_vault_shares_create(v, (uint8_t)lay.gthreshold, groups, lay.ngroups, words == 20 ? 16 : 32,
                                 rotate, &d);
    if (err == SQ_ERR_EXISTS) {
        cli_error("this level of '%s' already has a share set", cli_namez(x.vault));
        cli_hint("'sandyq shares rotate' replaces it (the old shares stop opening the vault)");
        ret = CLI_FAIL;
        goto out;
    }
    if (err == SQ_ERR_NOTFOUND) {
        cli_error("this level of '%s' has no share set to rotate", cli_namez(x.vault));
        cli_hint("make one with 'sandyq shares create'");
        ret = CLI_FAIL;
        goto out;
    }
    if (err != SQ_OK) {
        ret = cli_vault_error(v, err, errno, "cannot make the share set of '%s'", cli_namez(x.vault));
        goto out;
    }
    if (sq_vault_wipe_pending(v))
        cli_warning("the old set's slot could not be overwritten yet (%s); the next writable "
                    "open of '%s' does it", cli_errno_str(errno), cli_namez(x.vault));
    ret = emit_members(&x, v, list, n_list);
    if (ret != CLI_OK)
        cli_hint("the new set IS in force%s; 'sandyq shares reissue' prints any of its shares again",
                 rotate ? " and the old shares no longer open the vault" : "");
    if (ret == CLI_OK && rotate)
        cli_hint("the old shares no longer open '%s'; an old copy of the vault file still "
                 "opens with them: after a hostile departure, also run 'sandyq rekey'",
                 cli_namez(x.vault));
out:
    sq_vault_close(v);
    cli_args_free(&args);
    sodium_memzero(&x, sizeof x);
    return ret;
}

/* parse_member: "G/I" (1-based), I may be "new" */
static bool
parse_member(unsigned *g, unsigned *m, bool *is_new, const char *text)
{
    char buf[16];
    char *slash;

    if (strlen(text) >= sizeof buf)
        return false;
    snprintf(buf, sizeof buf, "%s", text);
    if ((slash = strchr(buf, '/')) == NULL)
        return false;
    *slash = '\0';
    if (!cli_parse_small(g, buf, 1, SQ_SLIP39_MAX_GROUPS))
        return false;
    *is_new = strcmp(slash + 1, "new") == 0;
    if (*is_new)
        return true;
    return cli_parse_small(m, slash + 1, 1, SQ_SLIP39_MAX_MEMBERS);
}

static int
reissue(int argc, char **argv)
{
    static const struct option opts[] = {
        { "member", required_argument, NULL, OPT_SH_MEMBER },
        { "to",     required_argument, NULL, OPT_SH_TO },
        { "sheets", required_argument, NULL, OPT_SH_SHEETS },
        CLI_COMMON_LONGOPTS,
        { NULL, 0, NULL, 0 }
    };
    static emit_ctx  x;
    cli_pass_src     src = { NULL, -1, NULL };
    cli_args         args = { 0 }, members = { 0 };
    static member    list[SQ_SLIP39_MAX_GROUPS * SQ_SLIP39_MAX_MEMBERS];
    static bool      is_new[SQ_SLIP39_MAX_GROUPS * SQ_SLIP39_MAX_MEMBERS];
    size_t           n_list = 0;
    unsigned         added[SQ_SLIP39_MAX_GROUPS] = { 0 };
    sq_share_set_info info;
    sq_vault        *v = NULL;
    sq_err           err;
    int              c, ret = CLI_USAGE;

    memset(&x, 0, sizeof x);
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "-:h", opts, NULL)) != -1) {
        switch (c) {
        case 1:
            if (!cli_args_push(&args, optarg))
                goto out;
            break;
        case OPT_SH_MEMBER:
            if (!cli_args_push(&members, optarg))
                goto out;
            break;
        case OPT_SH_TO:
            if (x.n_to == MAX_TO || !parse_to(&x.to[x.n_to], optarg)) {
                ret = cli_usage_error("shares", "--to takes NAME=RECIPIENT: NAME of letters, digits, "
                                      "'.', '_' or '-', and an age1... X25519 recipient");
                goto out;
            }
            x.n_to++;
            break;
        case OPT_SH_SHEETS:
            x.sheets = optarg;
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
            ret = cli_command_help("shares");
            goto out;
        default:
            ret = cli_getopt_error("shares", c, argv);
            goto out;
        }
    }
    for (; optind < argc; optind++)
        if (!cli_args_push(&args, argv[optind]))
            goto out;
    if (args.n != 1 || members.n == 0) {
        ret = cli_usage_error("shares", "shares reissue needs one VAULT and --member G/I (or G/new)");
        goto out;
    }
    x.vault = args.v[0];
    if (members.n > sizeof list / sizeof list[0]) {
        ret = cli_usage_error("shares", "too many --member");
        goto out;
    }
    for (size_t i = 0; i < members.n; i++) {
        unsigned g = 0, m = 0;
        bool     fresh = false;
        if (!parse_member(&g, &m, &fresh, members.v[i])) {
            ret = cli_usage_error("shares", "--member takes GROUP/MEMBER (1-based) or GROUP/new, "
                                  "not '%s'", cli_namez(members.v[i]));
            goto out;
        }
    }
    if (x.n_to > members.n) {
        ret = cli_usage_error("shares", "%zu --to recipients for %zu members", x.n_to, members.n);
        goto out;
    }
    if (x.sheets != NULL && (ret = sheets_ready(x.sheets)) != CLI_OK)
        goto out;
    if ((ret = open_writable(&v, x.vault, &src)) != CLI_OK)
        goto out;
    ret = CLI_FAIL;
    if (sq_vault_shares_info(v, &info) != SQ_OK) {
        cli_error("this level of '%s' has no share set", cli_namez(x.vault));
        goto out;
    }
    /* every --member resolved, checked and paired with its --to before
     * anything changes: --to goes with the --member of the same rank */
    for (size_t i = 0; i < members.n; i++) {
        unsigned g = 0, m = 0;
        bool     fresh = false;

        (void)parse_member(&g, &m, &fresh, members.v[i]);
        g--;
        if (g >= info.group_count) {
            cli_error("--member %s: the set has %u groups", cli_namez(members.v[i]), info.group_count);
            goto out;
        }
        if (!fresh && m - 1 == info.groups[g].member_count + added[g])
            fresh = true;                  /* the next index: a new member */
        if (fresh) {
            if (info.groups[g].member_threshold == 1 ||
                info.groups[g].member_count + added[g] >= SQ_SLIP39_MAX_MEMBERS) {
                cli_error("--member %s: group %u %s", cli_namez(members.v[i]), g + 1,
                          info.groups[g].member_threshold == 1
                              ? "has a threshold of 1 and so exactly one member"
                              : "already has 16 members");
                goto out;
            }
            m = info.groups[g].member_count + added[g]++;
        } else {
            m--;
            if (m >= info.groups[g].member_count) {
                cli_error("--member %s: group %u has %u members (use %u/new to add one)",
                          cli_namez(members.v[i]), g + 1, info.groups[g].member_count, g + 1);
                goto out;
            }
        }
        for (size_t j = 0; j < n_list; j++)
            if (list[j].g == g && list[j].m == m) {
                cli_error("--member %s is given twice", cli_namez(members.v[i]));
                goto out;
            }
        is_new[n_list] = fresh;
        list[n_list++] = (member){ g, m };
    }
    if ((ret = check_targets(&x, list, n_list)) != CLI_OK)
        goto out;
    ret = CLI_FAIL;
    for (size_t i = 0; i < n_list; i++) {
        unsigned g = list[i].g, m = list[i].m;

        if (is_new[i]) {
            unsigned got = 0;
            if ((err = sq_vault_shares_add_member(v, g, &got)) != SQ_OK) {
                ret = cli_vault_error(v, err, errno, "cannot add a member to '%s'", cli_namez(x.vault));
                goto out;
            }
            if (got != m)
                abort();                   /* the index was predicted above: a bug */
        } else if ((err = sq_vault_shares_note_reissue(v, g, m, false)) != SQ_OK) {
            ret = cli_vault_error(v, err, 0, "cannot record the reissue");
            goto out;
        }
    }
    if ((ret = cli_commit(v, x.vault)) != CLI_OK)   /* the custody records of re-prints */
        goto out;
    ret = emit_members(&x, v, list, n_list);
    if (ret == CLI_OK)
        cli_hint("a re-printed share is the same share: the lost copy still opens the vault "
                 "with others; 'sandyq shares rotate' revokes it");
out:
    sq_vault_close(v);
    cli_args_free(&args);
    cli_args_free(&members);
    sodium_memzero(&x, sizeof x);
    return ret;
}

/* ---- verify (owner) and check (holder) ---- */

/* read_share_file: the mnemonic lines of FILE and its text */
static int
read_share_file(cli_secret *text, const char **lines, size_t *lens, size_t *n, const char *path)
{
    int ret;

    if ((ret = cli_read_secret_file(text, path, FILE_CAP, "share file")) != CLI_OK)
        return ret;
    if ((ret = cli_mnemonic_lines(text->buf, text->len, lines, lens, n)) != CLI_OK)
        return ret;
    if (*n == 0) {
        cli_error("no share in '%s' (a mnemonic on a line of its own)", cli_namez(path));
        return CLI_FAIL;
    }
    return CLI_OK;
}

static const char *
when(char buf[32], int64_t t)
{
    return cli_time_rfc3339(buf, t);
}

/* cert_matches: the share is the one the certificate describes: the hash
 * of its canonical text and every field */
static bool
cert_matches(const sq_share_cert *cert, const sq_slip39_share *sh)
{
    char   *canon = sq_secret_alloc(SQ_SLIP39_MNEMONIC_CAP);
    uint8_t h[32];
    bool    ok = false;

    if (canon != NULL && sq_slip39_share_text(canon, sh) == SQ_OK) {
        sq_share_hash(h, canon, strlen(canon));
        ok = sodium_memcmp(h, cert->share_hash, sizeof h) == 0 && sh->id == cert->id &&
             sh->group_index == cert->group_index && sh->member_index == cert->member_index &&
             sh->group_count == cert->group_count && sh->group_threshold == cert->group_threshold &&
             sh->member_threshold == cert->member_threshold && sh->value_len == cert->length;
    }
    sq_secret_free(canon, SQ_SLIP39_MNEMONIC_CAP);
    return ok;
}

/* cert_matches_line: one of the n mnemonic lines is the certificate's share */
static bool
cert_matches_line(const sq_share_cert *cert, const char *const *lines, const size_t *lens, size_t n,
                  size_t *which)
{
    for (size_t i = 0; i < n; i++) {
        sq_slip39_share sh;
        bool            ok = sq_slip39_share_parse(&sh, lines[i], lens[i], NULL) == SQ_OK &&
                             cert_matches(cert, &sh);

        sq_slip39_share_wipe(&sh);
        if (ok) {
            *which = i;
            return true;
        }
    }
    return false;
}

static int
verify(int argc, char **argv)
{
    static const struct option opts[] = {
        CLI_COMMON_LONGOPTS,
        { NULL, 0, NULL, 0 }
    };
    cli_pass_src     src = { NULL, -1, NULL };
    cli_args         args = { 0 };
    cli_secret       text = { 0 };
    const char      *lines[SQ_SLIP39_MAX_SHARES];
    size_t           lens[SQ_SLIP39_MAX_SHARES], n = 0, bad = 0;
    sq_vault        *v = NULL;
    sq_level_public  pub;
    int              c, ret = CLI_USAGE;

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
        case 'h':
            ret = cli_command_help("shares");
            goto out;
        default:
            ret = cli_getopt_error("shares", c, argv);
            goto out;
        }
    }
    for (; optind < argc; optind++)
        if (!cli_args_push(&args, argv[optind]))
            goto out;
    if (args.n != 2) {
        ret = cli_usage_error("shares", "shares verify needs a VAULT and a FILE of shares");
        goto out;
    }
    if ((ret = read_share_file(&text, lines, lens, &n, args.v[1])) != CLI_OK)
        goto out;
    if ((ret = cli_open_vault(&v, args.v[0], false, &src, NULL)) != CLI_OK)
        goto out;
    ret = CLI_FAIL;
    if (sq_vault_identity_public(v, &pub) != SQ_OK)
        memset(&pub, 0, sizeof pub);
    for (size_t i = 0; i < n; i++) {
        sq_slip39_share  sh;
        sq_slip39_detail d;
        sq_share_status  st;
        char             t[32];

        if (sq_slip39_share_parse(&sh, lines[i], lens[i], &d) != SQ_OK) {
            d.share = (unsigned)i + 1;
            cli_slip39_report(SQ_ERR_FORMAT, &d);
            bad++;
            continue;
        }
        if (sq_vault_shares_classify(v, &sh, &st) != SQ_OK) {
            sq_slip39_share_wipe(&sh);
            cli_error("out of memory");
            goto out;
        }
        switch (st.verdict) {
        case SQ_SHARE_CURRENT:
            printf("share %zu: genuine and current: group %u, member %u of set %u, generation %u\n",
                   i + 1, sh.group_index + 1u, sh.member_index + 1u, sh.id, st.generation);
            break;
        case SQ_SHARE_ALTERED:
            printf("share %zu: NOT the share this level issued as group %u, member %u of set %u "
                   "(its checksum holds, but its words differ)\n", i + 1, sh.group_index + 1u,
                   sh.member_index + 1u, sh.id);
            bad++;
            break;
        case SQ_SHARE_SUPERSEDED:
            printf("share %zu: superseded: set %u, generation %u, stopped opening this level on %s\n",
                   i + 1, sh.id, st.generation, when(t, st.ended));
            bad++;
            break;
        default:
            printf("share %zu: not from any share set of this level (set %u)\n", i + 1, sh.id);
            bad++;
            break;
        }
        sq_slip39_share_wipe(&sh);
    }
    /* each certificate in the file: signed by this level's share key, for
     * a share in the file, of the current set */
    {
        size_t            off = 0, blen = 0, at = 0;
        sq_share_cert     cert;
        sq_share_set_info info;
        const char       *tx = (const char *)text.buf;
        bool              have_set = sq_vault_shares_info(v, &info) == SQ_OK;

        while (at < text.len && sq_share_cert_find(tx + at, text.len - at, &off, &blen) == SQ_OK) {
            const char *verdict = NULL;
            size_t      which = 0;

            if (sq_share_cert_parse(&cert, tx + at + off, blen) != SQ_OK ||
                sq_share_cert_verify(&cert, pub.ed25519[SQ_KEY_SHARES]) != SQ_OK)
                verdict = "NOT signed by this level's share-certificate key";
            else if (!cert_matches_line(&cert, lines, lens, n, &which))
                verdict = "signed by this level, but for none of the shares in this file";
            else if (!have_set || cert.id != info.id || cert.generation != info.generation)
                verdict = "signed by this level for a set it no longer uses";
            if (verdict != NULL) {
                printf("certificate: %s\n", verdict);
                bad++;
            } else {
                printf("certificate of share %zu: signed by this level (set %u, generation %u, "
                       "group %u, member %u)\n", which + 1, cert.id, cert.generation,
                       cert.group_index + 1u, cert.member_index + 1u);
            }
            at += off + blen;
        }
    }
    ret = cli_finish_stdout(bad == 0 ? CLI_OK : CLI_FAIL);
out:
    sq_vault_close(v);
    cli_secret_free(&text);
    cli_args_free(&args);
    return ret;
}

/* find_keys: every minisign public key in the public file */
static size_t
find_keys(sq_minisign_pubkey *keys, size_t cap, const char *text, size_t len)
{
    static const char marker[] = "untrusted comment: minisign public key ";
    const char       *p = text, *end = text + len, *nl, *nl2;
    size_t            n = 0;

    while (p < end && n < cap) {
        nl = memchr(p, '\n', (size_t)(end - p));
        if ((size_t)(end - p) >= sizeof marker - 1 && memcmp(p, marker, sizeof marker - 1) == 0 &&
            nl != NULL) {
            nl2 = memchr(nl + 1, '\n', (size_t)(end - nl - 1));
            nl2 = nl2 != NULL ? nl2 + 1 : end;
            if (sq_minisign_pubkey_parse(&keys[n], p, (size_t)(nl2 - p)) == SQ_OK)
                n++;
        }
        if (nl == NULL)
            break;
        p = nl + 1;
    }
    return n;
}

/* best_statement: of the "sandyq share set:" lines in text, each parsed
 * and verified with pk (any that fails: refused), the one of the highest
 * generation, the latest issued among equals; two different claims for
 * one generation are refused */
static int
best_statement(sq_share_statement *best, bool *have, const char *text, size_t len,
               const uint8_t pk[32], const char *pubfile)
{
    static const char marker[] = "sandyq share set:";
    const char       *p = text, *end = text + len;

    *have = false;
    while (p < end) {
        const char        *nl = memchr(p, '\n', (size_t)(end - p));
        size_t             l = nl != NULL ? (size_t)(nl - p) + 1 : (size_t)(end - p);
        sq_share_statement st;

        if (l >= sizeof marker - 1 && memcmp(p, marker, sizeof marker - 1) == 0) {
            if (sq_share_statement_find_parse(&st, p, l) != SQ_OK ||
                sq_share_statement_verify(&st, pk) != SQ_OK) {
                cli_error("a 'sandyq share set:' line in '%s' is damaged or not signed by the "
                          "vault key", cli_namez(pubfile));
                return CLI_FAIL;
            }
            if (*have && st.generation == best->generation &&
                (st.current != best->current || st.id != best->id)) {
                cli_error("'%s' holds two different statements for generation %u",
                          cli_namez(pubfile), st.generation);
                return CLI_FAIL;
            }
            if (!*have || st.generation > best->generation ||
                (st.generation == best->generation && st.issued > best->issued))
                *best = st;
            *have = true;
        }
        p += l;
    }
    return CLI_OK;
}

static int
check(int argc, char **argv)
{
    static const struct option opts[] = {
        { "vault-pub", required_argument, NULL, OPT_SH_VAULT_PUB },
        { "help",      no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    cli_args            args = { 0 };
    cli_secret          text = { 0 }, pubtext = { 0 };
    const char         *pubfile = NULL;
    const char         *lines[SQ_SLIP39_MAX_SHARES];
    size_t              lens[SQ_SLIP39_MAX_SHARES], n = 0, nkeys, off = 0, blen = 0;
    sq_minisign_pubkey  keys[8];
    const sq_minisign_pubkey *key = NULL;
    sq_share_cert       cert;
    sq_share_statement  stm = { 0 };
    sq_slip39_share     sh;
    sq_slip39_detail    d;
    char                t[32];
    bool                have_stm = false;
    int                 c, ret = CLI_USAGE;

    memset(&sh, 0, sizeof sh);
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "-:h", opts, NULL)) != -1) {
        switch (c) {
        case 1:
            if (!cli_args_push(&args, optarg))
                goto out;
            break;
        case OPT_SH_VAULT_PUB:
            pubfile = optarg;
            break;
        case 'h':
            ret = cli_command_help("shares");
            goto out;
        default:
            ret = cli_getopt_error("shares", c, argv);
            goto out;
        }
    }
    for (; optind < argc; optind++)
        if (!cli_args_push(&args, argv[optind]))
            goto out;
    if (args.n != 1 || pubfile == NULL) {
        ret = cli_usage_error("shares", "shares check needs --vault-pub PUBFILE and one FILE");
        goto out;
    }
    if ((ret = cli_read_secret_file(&pubtext, pubfile, 65536, "public file")) != CLI_OK)
        goto out;
    ret = CLI_FAIL;
    nkeys = find_keys(keys, sizeof keys / sizeof keys[0], (const char *)pubtext.buf, pubtext.len);
    if (nkeys == 0) {
        cli_error("no minisign public key in '%s' (save the output of 'sandyq identity VAULT "
                  "--purpose shares')", cli_namez(pubfile));
        goto out;
    }
    if ((ret = read_share_file(&text, lines, lens, &n, args.v[0])) != CLI_OK)
        goto out;
    ret = CLI_FAIL;
    if (n != 1) {
        cli_error("'%s' holds %zu shares; shares check takes one share and its certificate",
                  cli_namez(args.v[0]), n);
        goto out;
    }
    if (sq_slip39_share_parse(&sh, lines[0], lens[0], &d) != SQ_OK) {
        cli_slip39_report(SQ_ERR_FORMAT, &d);
        goto out;
    }
    if (sq_share_cert_find((const char *)text.buf, text.len, &off, &blen) != SQ_OK ||
        sq_share_cert_parse(&cert, (const char *)text.buf + off, blen) != SQ_OK) {
        cli_error("no valid share certificate in '%s' (the block from '-----BEGIN SANDYQ SHARE "
                  "CERTIFICATE-----' that came with the share)", cli_namez(args.v[0]));
        goto out;
    }
    for (size_t i = 0; i < nkeys; i++)
        if (memcmp(keys[i].keyid, cert.keyid, sizeof cert.keyid) == 0)
            key = &keys[i];
    if (key == NULL || sq_share_cert_verify(&cert, key->pk) != SQ_OK) {
        cli_error("NOT GENUINE: the certificate is not signed by the vault key in '%s'%s",
                  cli_namez(pubfile), key == NULL ? " (it names another key: another vault's share?)" : "");
        goto out;
    }
    /* the share is the one the certificate describes */
    if (!cert_matches(&cert, &sh)) {
        cli_error("NOT GENUINE: the share is not the one its certificate describes (a word "
                  "differs, or the certificate belongs to another share)");
        goto out;
    }
    /* the owner's statements of the current set: every one must be sound,
     * and the latest counts (a holder may keep old and new in one file) */
    if ((ret = best_statement(&stm, &have_stm, (const char *)pubtext.buf, pubtext.len, key->pk,
                              pubfile)) != CLI_OK)
        goto out;
    ret = CLI_FAIL;
    if (have_stm) {
        if (!stm.current || stm.id != cert.id || stm.generation != cert.generation) {
            cli_error("SUPERSEDED: this share is from set %u, generation %u; as of %s the level's "
                      "current set is %s", cert.id, cert.generation, when(t, stm.issued),
                      stm.current ? "a newer one" : "none (its shares were revoked)");
            if (stm.current)
                printf("current: set %u, generation %u\n", stm.id, stm.generation);
            goto out;
        }
    }
    printf("genuine: set %u, generation %u, group %u of %u (groups needed: %u), member %u "
           "(members needed: %u); vault level %s; certified %s\n", cert.id, cert.generation,
           cert.group_index + 1u, cert.group_count, cert.group_threshold, cert.member_index + 1u,
           cert.member_threshold, cert.fingerprint, when(t, cert.issued));
    if (have_stm)
        printf("current: yes, per the owner's statement of %s\n", when(t, stm.issued));
    else
        printf("current: unknown (the public file has no 'sandyq share set:' line; ask the "
               "owner for a fresh 'sandyq identity VAULT --purpose shares')\n");
    ret = cli_finish_stdout(CLI_OK);
out:
    sq_slip39_share_wipe(&sh);
    cli_secret_free(&text);
    cli_secret_free(&pubtext);
    cli_args_free(&args);
    return ret;
}

int
cmd_shares(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
        return argc < 2 ? cli_usage_error("shares", "shares needs create, rotate, reissue, verify "
                                          "or check")
                        : cli_command_help("shares");
    if (strcmp(argv[1], "create") == 0)
        return make_set(argc - 1, argv + 1, false);
    if (strcmp(argv[1], "rotate") == 0)
        return make_set(argc - 1, argv + 1, true);
    if (strcmp(argv[1], "reissue") == 0)
        return reissue(argc - 1, argv + 1);
    if (strcmp(argv[1], "verify") == 0)
        return verify(argc - 1, argv + 1);
    if (strcmp(argv[1], "check") == 0)
        return check(argc - 1, argv + 1);
    return cli_usage_error("shares", "unknown shares command '%s' (create, rotate, reissue, "
                           "verify or check)", cli_namez(argv[1]));
}
