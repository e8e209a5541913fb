/* cmd_keygen.c:
 *   sandyq keygen [-o FILE] [--force] [--unprotected] [--passphrase-file F | --passphrase-fd N]
 *   sandyq keygen --public FILE [--identity-passphrase-file F | --identity-passphrase-fd N]
 *
 * Makes an identity file (include/sandyq/identity.h): one X25519 key (an
 * age recipient) and one Ed25519 key (a minisign key), protected by a
 * passphrase in age's own scrypt form unless --unprotected, so stock
 * `age -d -i FILE` uses it either way.
 *
 * Where things go:
 *  - with -o FILE, the identity is written to FILE (mode 0600 whatever the
 *    umask, refused if FILE exists unless --force, named only once complete
 *    and synced) and the public text goes to stdout;
 *  - without -o (or with -o -), the identity goes to stdout, as age-keygen
 *    does, and the public text to stderr so that stdout holds only the
 *    file. The binary protected form is refused on a terminal; a clear
 *    identity on stdout is allowed (age-keygen allows it) with the warning.
 * The public text: "age recipient: age1...", the minisign public key file's
 * two lines exactly as minisign writes them, "fingerprint: 12345 ...".
 *
 * The work factor is stock age's (scrypt log N 18), except under
 * SANDYQ_INSECURE_TEST_KDF=1 (test suites only), where it is 10 and a
 * warning says so. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "crypto/kdf.h"
#include "sandyq/identity.h"
#include "util/io.h"
#include "util/outfile.h"
#include "util/secret.h"

enum {
    KG_OPT_UNPROTECTED = 1100,
    KG_OPT_PUBLIC,
    KG_OPT_ID_PASS_FILE,
    KG_OPT_ID_PASS_FD,
    KG_OPT_OUTPUT,
};

/* scrypt work factor under SANDYQ_INSECURE_TEST_KDF=1: about 1 MiB, fast */
#define KG_TEST_LOG_N 10

typedef struct {
    const char  *out_path;      /* -o, or NULL / "-" for stdout */
    bool         force;
    bool         unprotected;
    cli_pass_src src;           /* passphrase of the new file */
    const char  *public_path;   /* --public FILE */
    cli_pass_src id_src;        /* passphrase of the file read by --public */
} keygen_opts;

/* ---- reading an identity file (--public) ---- */

/* read_identity_file: path's bytes (up to SQ_IDENTITY_FILE_MAX + 1, so an
 * oversized file is seen as such) into secret memory: a clear identity is a
 * secret. "-" reads standard input. */
static int
read_identity_file(cli_secret *out, const char *path)
{
    struct stat st;
    size_t      got = 0;
    sq_err      err;
    int         fd = -1, e, ret = CLI_FAIL;
    bool        is_stdin = strcmp(path, "-") == 0;

    memset(out, 0, sizeof *out);
    out->cap = SQ_IDENTITY_FILE_MAX + 1;
    if ((out->buf = sq_secret_alloc(out->cap)) == NULL) {
        out->cap = 0;
        cli_error("cannot allocate secure memory for the identity file");
        goto out;
    }
    fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0 || fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        e = fd >= 0 && S_ISDIR(st.st_mode) ? EISDIR : errno;
        cli_error("cannot read identity file '%s' (%s)", cli_namez(path), cli_errno_str(e));
        goto out;
    }
    errno = 0;
    if ((err = sq_io_read_full(fd, out->buf, out->cap, &got)) != SQ_OK) {
        e = errno;
        cli_error("cannot read identity file '%s' (%s)", cli_namez(path),
                  e != 0 ? cli_errno_str(e) : sq_err_str(err));
        goto out;
    }
    out->len = got;
    ret = CLI_OK;
out:
    if (fd >= 0 && !is_stdin)
        close(fd);
    if (ret != CLI_OK)
        cli_secret_free(out);
    return ret;
}

/* identity_error: the message for a failed sq_identity_parse */
static int
identity_error(const char *path, sq_err err)
{
    const char *p = cli_namez(path);

    switch (err) {
    case SQ_ERR_AUTH:
        cli_error("cannot open identity file '%s' (wrong passphrase, or the file was altered)", p);
        break;
    case SQ_ERR_NOTFOUND:
        cli_error("cannot use identity file '%s' (it holds no secret key)", p);
        break;
    case SQ_ERR_UNSUPPORTED:
        cli_error("cannot use identity file '%s' (plugin and post-quantum identities are not "
                  "supported)", p);
        break;
    case SQ_ERR_LIMIT:
        cli_error("cannot use identity file '%s' (over %zu bytes, more than %d keys, or a work "
                  "factor above 2^%d)", p, SQ_IDENTITY_FILE_MAX, SQ_IDENTITY_MAX_KEYS,
                  SQ_AGE_SCRYPT_LOG_N_MAX);
        break;
    case SQ_ERR_FORMAT:
        /* never echo the line: it may hold a secret key */
        cli_error("cannot use identity file '%s' (not a valid identity file)", p);
        break;
    default:
        cli_error("cannot use identity file '%s' (%s)", p, sq_err_str(err));
        break;
    }
    return CLI_FAIL;
}

/* print_public: the public text of id to out */
static int
print_public(FILE *out, const sq_identity *id)
{
    char  *text = NULL;
    size_t len = 0;
    sq_err err;

    if ((err = sq_identity_public_text(&text, &len, id)) != SQ_OK) {
        cli_error("cannot format the public keys (%s)", sq_err_str(err));
        return CLI_FAIL;
    }
    fwrite(text, 1, len, out);
    free(text);
    return CLI_OK;
}

static int
show_public(const keygen_opts *o)
{
    cli_secret   file = { 0 }, pass = { 0 };
    sq_identity *id = NULL;
    char         what[600];
    sq_err       err;
    int          ret;

    if ((ret = read_identity_file(&file, o->public_path)) != CLI_OK)
        goto out;
    if (file.len > SQ_IDENTITY_FILE_MAX) {
        ret = identity_error(o->public_path, SQ_ERR_LIMIT);
        goto out;
    }
    if (sq_identity_is_protected(file.buf, file.len)) {
        snprintf(what, sizeof what, "passphrase for the identity file '%s'",
                 cli_namez(o->public_path));
        if ((ret = cli_read_age_passphrase(&pass, &o->id_src, what, false,
                                           "--identity-passphrase-file",
                                           "--identity-passphrase-fd")) != CLI_OK)
            goto out;
    }
    err = sq_identity_parse(&id, file.buf, file.len, pass.buf, pass.len, 0);
    cli_secret_free(&pass);   /* wiped before any message about it */
    cli_secret_free(&file);
    if (err != SQ_OK) {
        ret = identity_error(o->public_path, err);
        goto out;
    }
    if ((ret = print_public(stdout, id)) != CLI_OK)
        goto out;
    if (!sq_identity_has_signing_key(id))
        cli_warning("identity file '%s' holds no signing key (age-keygen makes such files): "
                    "it can decrypt but not sign", cli_namez(o->public_path));
    ret = cli_finish_stdout(CLI_OK);
out:
    sq_identity_free(id);
    cli_secret_free(&pass);
    cli_secret_free(&file);
    return ret;
}

/* ---- making an identity file ---- */

/* stdout_world_readable: stdout is a regular file that others may read (a
 * shell redirection follows the umask, not 0600) */
static bool
stdout_world_readable(void)
{
    struct stat st;

    return fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode) &&
           (st.st_mode & (S_IRGRP | S_IROTH)) != 0;
}

static int
generate(const keygen_opts *o)
{
    sq_outfile  *f = NULL;
    sq_identity *id = NULL;
    cli_secret   pass = { 0 };
    uint8_t     *file = NULL;   /* the clear form holds secrets: wiped below */
    size_t       file_len = 0;
    uint8_t      log_n = SQ_AGE_SCRYPT_LOG_N_DEFAULT;
    bool         to_stdout = o->out_path == NULL || strcmp(o->out_path, "-") == 0;
    FILE        *pub_out = to_stdout ? stderr : stdout;
    sq_err       err;
    int          e, ret = CLI_FAIL;

    if (to_stdout && !o->unprotected && isatty(STDOUT_FILENO)) {
        cli_error("refusing to write a protected identity file (binary) to a terminal");
        cli_hint("use -o FILE, or redirect standard output to a file");
        ret = CLI_USAGE;
        goto out;
    }
    if (to_stdout && o->src.fd == STDOUT_FILENO) {
        ret = cli_usage_error("keygen", "--passphrase-fd 1 cannot be used when the identity goes "
                                        "to standard output");
        goto out;
    }
    if (!to_stdout) {
        if ((ret = cli_output_check(o->out_path, o->force)) != CLI_OK)
            goto out;
        sq_outfile_cleanup_dir(o->out_path);   /* temporaries a crash left */
        errno = 0;
        err = sq_outfile_open(&f, o->out_path, o->force);
        if (err != SQ_OK) {
            ret = cli_output_error(o->out_path, err, errno);
            goto out;
        }
    }
    if (!o->unprotected) {
        if ((ret = cli_read_age_passphrase(&pass, &o->src, "passphrase for the new identity file",
                                           true, "--passphrase-file", "--passphrase-fd")) != CLI_OK)
            goto out;
        ret = CLI_FAIL;
        if (sq_kdf_test_allowed()) {
            /* BRIEF "KDF": the test switch must be visible when it weakens
             * something a person might keep */
            log_n = KG_TEST_LOG_N;
            cli_warning("SANDYQ_INSECURE_TEST_KDF=1: the identity file uses the insecure test "
                        "work factor (scrypt 2^%d); for tests only", KG_TEST_LOG_N);
        }
    }
    if ((err = sq_identity_generate(&id)) != SQ_OK) {
        cli_error("cannot make the keys (%s)", sq_err_str(err));
        goto out;
    }
    err = sq_identity_serialize(&file, &file_len, id, (int64_t)time(NULL),
                                o->unprotected ? NULL : pass.buf, pass.len, log_n);
    cli_secret_free(&pass);
    if (err != SQ_OK) {
        cli_error("cannot make the identity file (%s)", sq_err_str(err));
        goto out;
    }
    if (to_stdout) {
        errno = 0;
        fflush(stdout);
        if ((err = sq_io_write_all(STDOUT_FILENO, file, file_len)) != SQ_OK) {
            e = errno;
            cli_error("cannot write the identity to standard output (%s)",
                      e != 0 ? cli_errno_str(e) : sq_err_str(err));
            goto out;
        }
    } else {
        errno = 0;
        if ((err = sq_outfile_write(f, file, file_len)) != SQ_OK ||
            (err = sq_outfile_commit(f)) != SQ_OK) {
            ret = cli_output_error(o->out_path, err, errno);
            goto out;
        }
    }
    if (o->unprotected)
        cli_warning("the identity file is not protected by a passphrase; anyone who reads it "
                    "can decrypt and sign as you");
    if (to_stdout && stdout_world_readable())
        cli_warning("standard output is a file that others may read; use -o FILE for a file "
                    "only you can read (mode 0600)");
    if ((ret = print_public(pub_out, id)) != CLI_OK)
        goto out;
    ret = cli_finish_stdout(CLI_OK);
out:
    if (file != NULL) {
        sodium_memzero(file, file_len);
        free(file);
    }
    cli_secret_free(&pass);
    sq_identity_free(id);
    sq_outfile_abort(f);   /* removes the temporary unless committed */
    return ret;
}

int
cmd_keygen(int argc, char **argv)
{
    static const struct option opts[] = {
        { "output",                   required_argument, NULL, KG_OPT_OUTPUT },
        { "force",                    no_argument,       NULL, OPT_FORCE },
        { "unprotected",              no_argument,       NULL, KG_OPT_UNPROTECTED },
        { "public",                   required_argument, NULL, KG_OPT_PUBLIC },
        { "identity-passphrase-file", required_argument, NULL, KG_OPT_ID_PASS_FILE },
        { "identity-passphrase-fd",   required_argument, NULL, KG_OPT_ID_PASS_FD },
        CLI_COMMON_LONGOPTS,
        { NULL, 0, NULL, 0 }
    };
    keygen_opts o;
    cli_args    args = { 0 };
    bool        gen_opts = false;   /* an option only generation takes */
    int         c, fd, ret = CLI_USAGE;

    memset(&o, 0, sizeof o);
    o.src.fd = -1;
    o.id_src.fd = -1;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "-:ho:", opts, NULL)) != -1) {
        switch (c) {
        case 1:
            if (!cli_args_push(&args, optarg))
                goto out;
            break;
        case 'o':
        case KG_OPT_OUTPUT:
            if (o.out_path != NULL) {
                ret = cli_usage_error("keygen", "give -o once");
                goto out;
            }
            o.out_path = optarg;
            gen_opts = true;
            break;
        case OPT_FORCE:
            o.force = true;
            gen_opts = true;
            break;
        case KG_OPT_UNPROTECTED:
            o.unprotected = true;
            gen_opts = true;
            break;
        case KG_OPT_PUBLIC:
            if (o.public_path != NULL) {
                ret = cli_usage_error("keygen", "give --public once");
                goto out;
            }
            o.public_path = optarg;
            break;
        case OPT_PASS_FILE:
            if (!cli_set_pass_file(&o.src, optarg))
                goto out;
            gen_opts = true;
            break;
        case OPT_PASS_FD:
            if (!cli_set_pass_fd(&o.src, optarg))
                goto out;
            gen_opts = true;
            break;
        case KG_OPT_ID_PASS_FILE:
        case KG_OPT_ID_PASS_FD:
            if (o.id_src.file != NULL || o.id_src.fd >= 0) {
                ret = cli_usage_error("keygen", "give the identity file's passphrase once");
                goto out;
            }
            if (c == KG_OPT_ID_PASS_FILE) {
                o.id_src.file = optarg;
            } else {
                if (!cli_parse_fd(&fd, "--identity-passphrase-fd", optarg))
                    goto out;
                o.id_src.fd = fd;
            }
            break;
        case 'h':
            ret = cli_command_help("keygen");
            goto out;
        default:
            ret = cli_getopt_error("keygen", c, argv);
            goto out;
        }
    }
    for (; optind < argc; optind++)
        if (!cli_args_push(&args, argv[optind]))
            goto out;
    if (args.n != 0) {
        ret = cli_usage_error("keygen", "keygen takes no arguments (unexpected '%s')",
                              cli_namez(args.v[0]));
        goto out;
    }
    if (o.public_path != NULL) {
        if (gen_opts) {
            ret = cli_usage_error("keygen", "--public takes only --identity-passphrase-file or "
                                            "--identity-passphrase-fd");
            goto out;
        }
        if (strcmp(o.public_path, "-") == 0 && o.id_src.fd == STDIN_FILENO) {
            ret = cli_usage_error("keygen", "--identity-passphrase-fd 0 cannot be used when the "
                                            "identity file comes from standard input");
            goto out;
        }
        ret = show_public(&o);
        goto out;
    }
    if (o.id_src.file != NULL || o.id_src.fd >= 0) {
        ret = cli_usage_error("keygen", "--identity-passphrase-file and --identity-passphrase-fd "
                                        "go with --public");
        goto out;
    }
    if (o.unprotected && (o.src.file != NULL || o.src.fd >= 0)) {
        ret = cli_usage_error("keygen", "--unprotected takes no passphrase");
        goto out;
    }
    ret = generate(&o);
out:
    cli_args_free(&args);
    return ret;
}
