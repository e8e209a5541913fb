/* cmd_identity.c: sandyq identity VAULT [--purpose export|checkpoint|shares|age]
 *                                      [-o FILE] [--force]
 *
 * Prints the public keys of the level the passphrase opens (FORMAT.md 13):
 * each Ed25519 key as the two lines minisign writes for a public key file,
 * so a partner can pin it and run `minisign -V -p FILE`, and the level's age
 * recipient. With --purpose only that key is printed, exactly as the file a
 * partner keeps; -o writes it (complete or not at all, refused if the file
 * exists unless --force). The secrets never leave the library.
 *
 * A level made before identities gets one here if the vault can be written
 * (the identity is a commit like any other); read-only it says so. */
#include "cli.h"

#include "sandyq/share_cert.h"
#include "sandyq/shares.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "sandyq/age.h"
#include "sandyq/identity.h"
#include "sandyq/minisign.h"
#include "util/outfile.h"

enum { OPT_PURPOSE = 1250, OPT_IDENT_OUTPUT };

/* --purpose names; "age" selects the X25519 recipient */
#define PURPOSE_ALL  (-1)
#define PURPOSE_AGE  SQ_KEY_PURPOSES

static const char *const purpose_names[SQ_KEY_PURPOSES + 1] = { "export", "checkpoint", "shares", "age" };
static const char *const purpose_labels[SQ_KEY_PURPOSES] = {
    "export signing key (minisign)", "checkpoint signing key (minisign)",
    "share certificate key (minisign)"
};

/* text_append: grows *buf (malloc'd) by s */
static bool
text_append(char **buf, size_t *len, const char *s)
{
    size_t n = strlen(s);
    char  *p = realloc(*buf, *len + n + 1);

    if (p == NULL)
        return false;
    memcpy(p + *len, s, n + 1);
    *buf = p;
    *len += n;
    return true;
}

/* public_text: the lines for one purpose, or all of them, into *out */
static sq_err
public_text(char **out, size_t *out_len, const sq_level_public *pub, int purpose)
{
    sq_minisign_pubkey mk;
    char               line[512], rcpt[SQ_AGE_RECIPIENT_CHARS + 1], fpr[SQ_IDENTITY_FINGERPRINT_CHARS + 1];
    size_t             n;
    sq_err             ret;

    *out = NULL;
    *out_len = 0;
    for (int p = 0; p < SQ_KEY_PURPOSES; p++) {
        if (purpose != PURPOSE_ALL && purpose != p)
            continue;
        memcpy(mk.pk, pub->ed25519[p], sizeof mk.pk);
        sq_minisign_keyid(mk.keyid, mk.pk);
        if ((ret = sq_minisign_pubkey_serialize(line, sizeof line, &n, &mk)) != SQ_OK)
            goto fail;
        ret = SQ_ERR_NOMEM;
        if ((purpose == PURPOSE_ALL && (!text_append(out, out_len, purpose_labels[p]) ||
                                        !text_append(out, out_len, ":\n"))) ||
            !text_append(out, out_len, line))
            goto fail;
    }
    if (purpose == PURPOSE_ALL || purpose == PURPOSE_AGE) {
        if ((ret = sq_age_recipient_format(rcpt, sizeof rcpt, pub->x25519)) != SQ_OK)
            goto fail;
        snprintf(line, sizeof line, "%s%s\n", purpose == PURPOSE_ALL ? "age recipient: " : "", rcpt);
        ret = SQ_ERR_NOMEM;
        if (!text_append(out, out_len, line))
            goto fail;
    }
    if (purpose == PURPOSE_ALL) {
        /* the phone check covers the recipient and the export key, as for
         * identity files (sandyq/identity.h) */
        if ((ret = sq_identity_fingerprint(fpr, sizeof fpr, pub->x25519, pub->ed25519[SQ_KEY_EXPORT])) != SQ_OK)
            goto fail;
        snprintf(line, sizeof line, "fingerprint: %s\n", fpr);
        ret = SQ_ERR_NOMEM;
        if (!text_append(out, out_len, line))
            goto fail;
    }
    return SQ_OK;
fail:
    free(*out);
    *out = NULL;
    *out_len = 0;
    return ret;
}

/* level_public: the level's public keys; a level without an identity gets
 * one when the vault can be written */
/* statement: with --purpose shares, the signed line naming the level's
 * current share set (FORMAT.md 17), so holders' `shares check` can tell a
 * superseded share; "" when stmt is NULL */
static sq_err
statement(const sq_vault *v, char *stmt)
{
    size_t len = 0;

    if (stmt == NULL)
        return SQ_OK;
    return sq_vault_shares_statement(v, stmt, SQ_SHARE_STATEMENT_MAX_BYTES + 1, &len);
}

static int
level_public(sq_level_public *pub, const char *path, const cli_pass_src *src, char *stmt)
{
    sq_vault *v = NULL;
    bool      readonly = false;
    sq_err    err;
    int       ret;

    if ((ret = cli_open_vault(&v, path, false, src, NULL)) != CLI_OK)
        return ret;
    err = sq_vault_identity_public(v, pub);
    if (err == SQ_OK)
        err = statement(v, stmt);
    sq_vault_close(v);
    v = NULL;
    if (err != SQ_ERR_NOTFOUND) {
        if (err != SQ_OK)
            return cli_vault_error(NULL, err, 0, "cannot read the identity of '%s'", cli_namez(path));
        return CLI_OK;
    }
    /* made before identities: give it one now (a commit) */
    if ((ret = cli_open_vault(&v, path, true, src, &readonly)) != CLI_OK)
        return ret;
    if (readonly) {
        sq_vault_close(v);
        cli_error("this level of '%s' has no identity yet, and the vault cannot be written here",
                  cli_namez(path));
        cli_hint("it gets one at its next commit on a writable medium");
        return CLI_FAIL;
    }
    if ((err = sq_vault_identity_ensure(v)) != SQ_OK) {
        ret = cli_vault_error(v, err, errno, "cannot give '%s' an identity", cli_namez(path));
        sq_vault_close(v);
        return ret;
    }
    if ((ret = cli_commit(v, path)) != CLI_OK) {
        sq_vault_close(v);
        return ret;
    }
    err = sq_vault_identity_public(v, pub);
    if (err == SQ_OK)
        err = statement(v, stmt);
    sq_vault_close(v);
    if (err != SQ_OK)
        return cli_vault_error(NULL, err, 0, "cannot read the identity of '%s'", cli_namez(path));
    return CLI_OK;
}

static int
write_output(const char *path, bool force, const char *text, size_t len)
{
    sq_outfile *f = NULL;
    sq_err      err;
    int         e, ret = CLI_OK;

    sq_outfile_cleanup_dir(path);
    if ((err = sq_outfile_open(&f, path, force)) != SQ_OK ||
        (err = sq_outfile_write(f, text, len)) != SQ_OK || (err = sq_outfile_commit(f)) != SQ_OK) {
        e = errno;
        ret = cli_output_error(path, err, e);
    }
    sq_outfile_abort(f);
    return ret;
}

int
cmd_identity(int argc, char **argv)
{
    static const struct option opts[] = {
        { "purpose", required_argument, NULL, OPT_PURPOSE },
        { "output",  required_argument, NULL, 'o' },
        { "force",   no_argument,       NULL, OPT_FORCE },
        CLI_VAULT_LONGOPTS,
        { NULL, 0, NULL, 0 }
    };
    cli_pass_src    src = { NULL, -1, NULL };
    cli_args        args = { 0 };
    sq_level_public pub;
    const char     *output = NULL;
    char           *text = NULL;
    size_t          text_len = 0;
    bool            force = false;
    int             purpose = PURPOSE_ALL, c, ret = CLI_USAGE;
    char            stmt[SQ_SHARE_STATEMENT_MAX_BYTES + 1] = "";
    sq_err          err;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "-:ho:", opts, NULL)) != -1) {
        switch (c) {
        case 1:
            if (!cli_args_push(&args, optarg))
                goto out;
            break;
        case OPT_PURPOSE:
            purpose = PURPOSE_ALL;
            for (int p = 0; p <= SQ_KEY_PURPOSES; p++)
                if (strcmp(optarg, purpose_names[p]) == 0)
                    purpose = p;
            if (purpose == PURPOSE_ALL) {
                ret = cli_usage_error("identity", "--purpose is export, checkpoint, shares or age, not '%s'",
                                      cli_namez(optarg));
                goto out;
            }
            break;
        case 'o':
            output = optarg;
            break;
        case OPT_FORCE:
            force = true;
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
            ret = cli_command_help("identity");
            goto out;
        default:
            ret = cli_getopt_error("identity", c, argv);
            goto out;
        }
    }
    for (; optind < argc; optind++)
        if (!cli_args_push(&args, argv[optind]))
            goto out;
    if (args.n != 1) {
        ret = cli_usage_error("identity", args.n == 0 ? "identity needs a VAULT" : "identity takes one VAULT");
        goto out;
    }
    if (output != NULL && strcmp(output, "-") == 0)
        output = NULL;
    if (output != NULL && (ret = cli_output_check(output, force)) != CLI_OK)
        goto out;                               /* before the passphrase is asked */
    if ((ret = level_public(&pub, args.v[0], &src, purpose == SQ_KEY_SHARES ? stmt : NULL)) != CLI_OK)
        goto out;
    if ((err = public_text(&text, &text_len, &pub, purpose)) != SQ_OK ||
        (stmt[0] != '\0' && !text_append(&text, &text_len, stmt))) {
        cli_error("cannot format the public keys (%s)", sq_err_str(err != SQ_OK ? err : SQ_ERR_NOMEM));
        ret = CLI_FAIL;
        goto out;
    }
    if (output != NULL) {
        ret = write_output(output, force, text, text_len);
        goto out;
    }
    fwrite(text, 1, text_len, stdout);
    ret = cli_finish_stdout(CLI_OK);
out:
    free(text);
    cli_args_free(&args);
    return ret;
}
