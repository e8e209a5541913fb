/* cmd_sign.c: sandyq sign -k IDENTITY_FILE [-t TRUSTED_COMMENT]
 *                        [--passphrase-file F | --passphrase-fd N] [--force] FILE
 *
 * Writes FILE.minisig: a prehashed ("ED") minisign signature made with the
 * identity's Ed25519 key, which stock `minisign -V` and `-VH` verify
 * (include/sandyq/minisign.h). The passphrase options give the identity
 * file's passphrase when it is protected (age's scrypt form), as
 * `age -d -i` would ask for it.
 *
 * The default trusted comment is minisign's own, "timestamp:<unix time>\t
 * file:<base name>\thashed", so partners see what they are used to; a
 * base name that cannot sit on one line is left out. Like `minisign -S`,
 * nothing is printed on success. The signature is complete or absent: it is
 * written through util/outfile.h, refused if FILE.minisig exists unless
 * --force. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sandyq/identity.h"
#include "sandyq/minisign.h"
#include "util/io.h"
#include "util/outfile.h"
#include "util/secret.h"

enum { OPT_SIGN_KEY = 1200, OPT_SIGN_TRUSTED };

/* read_identity: the identity file's bytes into guarded memory (its clear
 * form holds secret keys). *cap is what to give sq_secret_free. */
static int
read_identity(uint8_t **out, size_t *len, size_t *cap, const char *path)
{
    uint8_t    *buf = NULL;
    size_t      n = 0, got;
    struct stat st;
    sq_err      err;
    int         fd, e, ret = CLI_FAIL;

    *out = NULL;
    *len = 0;
    *cap = SQ_IDENTITY_FILE_MAX + 1;
    if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
        e = errno;
        cli_error("cannot open identity '%s' (%s)", cli_namez(path), cli_errno_str(e));
        return CLI_FAIL;
    }
    if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        e = S_ISDIR(st.st_mode) ? EISDIR : errno;
        cli_error("cannot read identity '%s' (%s)", cli_namez(path), cli_errno_str(e));
        goto out;
    }
    if ((buf = sq_secret_alloc(*cap)) == NULL) {
        cli_error("out of secure memory");
        goto out;
    }
    /* one byte more than the cap tells a too-large file from a full one */
    for (;;) {
        errno = 0;
        err = sq_io_read_some(fd, buf + n, *cap - n, &got);
        if (err != SQ_OK) {
            e = errno;
            cli_error("cannot read identity '%s' (%s)", cli_namez(path),
                      e != 0 ? cli_errno_str(e) : sq_err_str(err));
            goto out;
        }
        if (got == 0)
            break;
        n += got;
        if (n == *cap) {
            cli_error("identity '%s' is too large (more than %zu bytes)", cli_namez(path),
                      (size_t)SQ_IDENTITY_FILE_MAX);
            goto out;
        }
    }
    *out = buf;
    *len = n;
    buf = NULL;
    ret = CLI_OK;
out:
    sq_secret_free(buf, *cap);
    close(fd);
    return ret;
}

/* load_identity: reads and opens the identity, asking for its passphrase
 * when it is protected */
static int
load_identity(sq_identity **id, const char *path, const cli_pass_src *src)
{
    uint8_t   *data = NULL;
    size_t     len = 0, cap = 0;
    cli_secret pass = { 0 };
    char       what[1100];
    sq_err     err;
    int        ret;

    *id = NULL;
    if ((ret = read_identity(&data, &len, &cap, path)) != CLI_OK)
        goto out;
    if (sq_identity_is_protected(data, len)) {
        snprintf(what, sizeof what, "passphrase for identity '%s'", cli_namez(path));
        if ((ret = cli_read_age_passphrase(&pass, src, what, false, "--passphrase-file",
                                           "--passphrase-fd")) != CLI_OK)
            goto out;
    }
    err = sq_identity_parse(id, data, len, pass.buf, pass.len, 0);
    cli_secret_free(&pass);          /* wiped before any message */
    sq_secret_free(data, cap);
    data = NULL;
    ret = CLI_FAIL;
    switch (err) {
    case SQ_OK:
        ret = CLI_OK;
        break;
    case SQ_ERR_AUTH:
        cli_error("cannot open identity '%s' (wrong passphrase)", cli_namez(path));
        break;
    case SQ_ERR_NOTFOUND:
        cli_error("identity '%s' holds no key", cli_namez(path));
        break;
    case SQ_ERR_UNSUPPORTED:
        cli_error("identity '%s' needs an age plugin, which sandyq does not support", cli_namez(path));
        break;
    case SQ_ERR_LIMIT:
        cli_error("identity '%s' is too large (too many keys, or a work factor above the cap)",
                  cli_namez(path));
        break;
    case SQ_ERR_FORMAT:
        cli_error("identity '%s' is not an identity file (malformed)", cli_namez(path));
        break;
    default:
        cli_error("cannot open identity '%s' (%s)", cli_namez(path), sq_err_str(err));
        break;
    }
out:
    cli_secret_free(&pass);
    sq_secret_free(data, cap);
    return ret;
}

/* default_comment: minisign's default trusted comment for path */
static void
default_comment(char *out, size_t cap, const char *path)
{
    const char *base = strrchr(path, '/');
    long long   now = (long long)time(NULL);
    int         n;

    base = base != NULL ? base + 1 : path;
    n = snprintf(out, cap, "timestamp:%lld\tfile:%s\thashed", now, base);
    if (n < 0 || (size_t)n >= cap || (size_t)n > SQ_MINISIGN_TRUSTED_COMMENT_MAX ||
        strpbrk(base, "\r\n") != NULL)
        snprintf(out, cap, "timestamp:%lld\thashed", now);
}

int
cmd_sign(int argc, char **argv)
{
    static const struct option opts[] = {
        { "identity",        required_argument, NULL, 'k' },
        { "trusted-comment", required_argument, NULL, 't' },
        { "force",           no_argument,       NULL, OPT_FORCE },
        CLI_COMMON_LONGOPTS,
        { NULL, 0, NULL, 0 }
    };
    cli_pass_src src = { NULL, -1, NULL };
    cli_args     args = { 0 };
    const char  *key_path = NULL, *tc = NULL, *file;
    char        *sig_path = NULL, *sig_text = NULL;
    char         tc_buf[SQ_MINISIGN_TRUSTED_COMMENT_MAX + 1];
    size_t       sig_len = 0;
    sq_identity *id = NULL;
    sq_outfile  *of = NULL;
    struct stat  st;
    bool         force = false;
    sq_err       err;
    int          c, e, fd = -1, ret = CLI_USAGE;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "-:hk:t:", opts, NULL)) != -1) {
        switch (c) {
        case 1:
            if (!cli_args_push(&args, optarg))
                goto out;
            break;
        case 'k':
            key_path = optarg;
            break;
        case 't':
            tc = optarg;
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
        case 'h':
            ret = cli_command_help("sign");
            goto out;
        default:
            ret = cli_getopt_error("sign", c, argv);
            goto out;
        }
    }
    for (; optind < argc; optind++)
        if (!cli_args_push(&args, argv[optind]))
            goto out;
    if (key_path == NULL) {
        ret = cli_usage_error("sign", "sign needs an identity file (-k IDENTITY_FILE)");
        goto out;
    }
    if (args.n != 1) {
        ret = cli_usage_error("sign", args.n == 0 ? "sign needs a FILE" : "sign takes one FILE");
        goto out;
    }
    file = args.v[0];
    if (strcmp(file, "-") == 0) {
        ret = cli_usage_error("sign", "sign needs a file name, not '-' (the signature goes to FILE.minisig)");
        goto out;
    }
    /* an empty -t gives the default, as minisign does */
    if (tc != NULL && tc[0] != '\0') {
        if (strpbrk(tc, "\r\n") != NULL) {
            ret = cli_usage_error("sign", "the trusted comment must be one line");
            goto out;
        }
        if (strlen(tc) > SQ_MINISIGN_TRUSTED_COMMENT_MAX) {
            ret = cli_usage_error("sign", "the trusted comment is too long (more than %d bytes)",
                                  SQ_MINISIGN_TRUSTED_COMMENT_MAX);
            goto out;
        }
    } else {
        default_comment(tc_buf, sizeof tc_buf, file);
        tc = tc_buf;
    }
    if (asprintf(&sig_path, "%s.minisig", file) < 0) {
        sig_path = NULL;
        cli_error("out of memory");
        ret = CLI_FAIL;
        goto out;
    }
    ret = CLI_FAIL;
    /* said before any prompt; sq_outfile checks again, atomically */
    if ((ret = cli_output_check(sig_path, force)) != CLI_OK)
        goto out;
    if ((fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
        e = errno;
        cli_error("cannot open '%s' (%s)", cli_namez(file), cli_errno_str(e));
        goto out;
    }
    if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        e = S_ISDIR(st.st_mode) ? EISDIR : errno;
        cli_error("cannot read '%s' (%s)", cli_namez(file), cli_errno_str(e));
        goto out;
    }

    if ((ret = load_identity(&id, key_path, &src)) != CLI_OK)
        goto out;
    ret = CLI_FAIL;
    if (!sq_identity_has_signing_key(id)) {
        cli_error("identity '%s' has no signing key", cli_namez(key_path));
        cli_hint("identities made by age-keygen hold only an age key; make one with 'sandyq keygen'");
        goto out;
    }
    errno = 0;
    err = sq_minisign_sign_fd(&sig_text, &sig_len, fd, sq_identity_signing_secret(id), tc, NULL);
    e = errno;
    sq_identity_free(id);   /* the secret key is not needed any more */
    id = NULL;
    if (err != SQ_OK) {
        cli_error("cannot sign '%s' (%s)", cli_namez(file),
                  err == SQ_ERR_IO && e != 0 ? cli_errno_str(e) : sq_err_str(err));
        goto out;
    }

    sq_outfile_cleanup_dir(sig_path);   /* temporaries a crash left beside it */
    errno = 0;
    err = sq_outfile_open(&of, sig_path, force);
    if (err == SQ_OK)
        err = sq_outfile_write(of, sig_text, sig_len);
    if (err == SQ_OK)
        err = sq_outfile_commit(of);
    e = errno;
    if (err == SQ_ERR_EXISTS) {
        cli_error("cannot write '%s' (file exists)", cli_namez(sig_path));
        cli_hint("use --force to replace it");
        goto out;
    }
    if (err != SQ_OK) {
        cli_error("cannot write '%s' (%s)", cli_namez(sig_path),
                  err == SQ_ERR_IO && e != 0 ? cli_errno_str(e) : sq_err_str(err));
        goto out;
    }
    ret = CLI_OK;
out:
    sq_outfile_abort(of);
    sq_identity_free(id);
    if (fd >= 0)
        close(fd);
    free(sig_text);
    free(sig_path);
    cli_args_free(&args);
    return ret;
}
