/* cmd_decrypt.c: sandyq decrypt [-i IDENTITY_FILE]... [--identity-passphrase-file F]
 *                               [--passphrase-file F | --passphrase-fd N] [-o OUT] [--force] [IN]
 *
 * Opens an age v1 file (include/sandyq/age.h), binary or armored, made by
 * sandyq or by stock age, with identity files (sandyq's or age-keygen's,
 * clear or passphrase-protected, several keys each) or with the file's own
 * passphrase (a file with an scrypt stanza). IN and OUT default to standard
 * input and output; "-" also names them.
 *
 * BRIEF "Authenticate before release": to a file, plaintext goes to a
 * temporary beside OUT (util/outfile.h, mode 0600) that takes OUT's name only
 * after the final chunk authenticated; a damaged or truncated file leaves no
 * output at all. An existing OUT is refused unless --force (age would
 * overwrite it). To standard output, each chunk is released as soon as its
 * tag verified and a later failure exits 1: the bytes already written are
 * then incomplete and must be discarded. Plaintext to a terminal is refused.
 *
 * Exit status: 0 success; 1 the file did not open (no identity matched or
 * none given, wrong passphrase, header MAC failure, damaged or truncated
 * payload, I/O);
 * 2 usage errors, including identity files that cannot be used (malformed,
 * plugin or post-quantum identities). */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "sandyq/age.h"
#include "sandyq/identity.h"
#include "util/io.h"
#include "util/outfile.h"
#include "util/secret.h"

/* option ids of this file (1150..1199 are reserved for encrypt/decrypt) */
enum {
    OPT_DEC_FORCE = 1160,
    OPT_DEC_ID_PASS_FILE,
    OPT_DEC_ID_PASS_FD
};

/* one reused plaintext buffer: constant memory at any size */
#define DEC_IO_BYTES ((size_t)1 << 20)
/* identity files on one command line */
#define DEC_MAX_ID_FILES 64
/* inputs from this size on show progress on a terminal's stderr */
#define DEC_PROGRESS_MIN ((uint64_t)64 << 20)

/* where the ciphertext comes from */
typedef struct {
    int          fd;
    bool         failed;    /* a read() failed: the message names the input, not the format */
    int          err_no;
    uint64_t     consumed;  /* bytes read, for progress */
    uint64_t     total;     /* the input's size when known, else 0 */
    cli_progress progress;
} source;

static sq_err
source_read(void *ctx, uint8_t *buf, size_t cap, size_t *got)
{
    source *s = ctx;
    ssize_t r;

    *got = 0;
    for (;;) {
        r = read(s->fd, buf, cap);
        if (r >= 0)
            break;
        if (errno != EINTR) {
            s->failed = true;
            s->err_no = errno;
            return SQ_ERR_IO;
        }
    }
    *got = (size_t)r;
    s->consumed += (uint64_t)r;
    cli_progress_cb(&s->progress, s->consumed, s->total);
    return SQ_OK;
}

/* the keys of every identity file, in one secret array */
typedef struct {
    sq_identity *ids[DEC_MAX_ID_FILES];
    size_t       n_ids;
    uint8_t     *keys;       /* secret: n_keys * SQ_AGE_KEY_BYTES */
    size_t       n_keys;
    size_t       keys_cap;   /* bytes allocated */
    cli_secret   pw;         /* --identity-passphrase-file/-fd, read once */
} keyring;

static void
keyring_free(keyring *k)
{
    size_t i;

    for (i = 0; i < k->n_ids; i++)
        sq_identity_free(k->ids[i]);
    k->n_ids = 0;
    if (k->keys != NULL)
        sq_secret_free(k->keys, k->keys_cap);   /* wipes */
    k->keys = NULL;
    cli_secret_free(&k->pw);
}

/* read_identity_file: its bytes into secret memory (it may hold clear keys) */
static int
read_identity_file(uint8_t **out, size_t *len, size_t *cap, const char *path, const char *shown)
{
    uint8_t *buf;
    size_t   n = 0, c = SQ_IDENTITY_FILE_MAX + 1;
    ssize_t  r;
    int      fd, e = 0;

    *out = NULL;
    *len = 0;
    *cap = 0;
    if (strcmp(path, "-") == 0) {
        fd = STDIN_FILENO;
    } else if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
        e = errno;
        cli_error("cannot open identity file %s (%s)", shown, cli_errno_str(e));
        return CLI_FAIL;
    }
    if ((buf = sq_secret_alloc(c)) == NULL) {
        if (fd != STDIN_FILENO)
            close(fd);
        cli_error("cannot allocate secure memory for identity file %s", shown);
        return CLI_FAIL;
    }
    for (;;) {
        r = read(fd, buf + n, c - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            e = errno;
            break;
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (n == c)
            break;   /* one byte over the cap: the parser says SQ_ERR_LIMIT */
    }
    if (fd != STDIN_FILENO)
        close(fd);
    if (e != 0) {
        sq_secret_free(buf, c);
        cli_error("cannot read identity file %s (%s)", shown, cli_errno_str(e));
        return CLI_FAIL;
    }
    *out = buf;
    *len = n;
    *cap = c;
    return CLI_OK;
}

/* load_identity: parses one -i file into k. Exit code after a message. */
static int
load_identity(keyring *k, const char *path, const cli_pass_src *id_src)
{
    uint8_t    *data = NULL;
    size_t      len = 0, cap = 0;
    cli_secret  tty_pw = { 0 };
    cli_secret *pw = NULL;
    char        shown[600], what[700];
    sq_err      err;
    int         ret;

    if (strcmp(path, "-") == 0)
        snprintf(shown, sizeof shown, "standard input");
    else
        snprintf(shown, sizeof shown, "'%s'", cli_namez(path));
    if ((ret = read_identity_file(&data, &len, &cap, path, shown)) != CLI_OK)
        return ret;
    if (sq_identity_is_protected(data, len)) {
        if (id_src->file != NULL || id_src->fd >= 0) {
            /* one passphrase for every protected file, read once: a
             * descriptor or FIFO cannot be read twice */
            if (k->pw.buf == NULL &&
                (ret = cli_read_age_passphrase(&k->pw, id_src, "identity passphrase", false,
                                               "--identity-passphrase-file",
                                               "--identity-passphrase-fd")) != CLI_OK)
                goto out;
            pw = &k->pw;
        } else {
            snprintf(what, sizeof what, "passphrase for identity file %s", shown);
            if ((ret = cli_read_age_passphrase(&tty_pw, NULL, what, false,
                                               "--identity-passphrase-file",
                                               "--identity-passphrase-fd")) != CLI_OK)
                goto out;
            pw = &tty_pw;
        }
    }
    err = sq_identity_parse(&k->ids[k->n_ids], data, len, pw != NULL ? pw->buf : NULL,
                            pw != NULL ? pw->len : 0, 0);
    cli_secret_free(&tty_pw);
    ret = CLI_USAGE;
    switch (err) {
    case SQ_OK:
        k->n_ids++;
        ret = CLI_OK;
        break;
    case SQ_ERR_AUTH:
        cli_error("cannot use identity file %s (wrong passphrase)", shown);
        ret = CLI_FAIL;
        break;
    case SQ_ERR_UNSUPPORTED:
        cli_error("cannot use identity file %s (plugin and post-quantum identities are not "
                  "supported)", shown);
        break;
    case SQ_ERR_NOTFOUND:
        cli_error("cannot use identity file %s (no AGE-SECRET-KEY-1 key in it)", shown);
        break;
    case SQ_ERR_LIMIT:
        cli_error("cannot use identity file %s (over the caps: %zu bytes, %d keys, scrypt "
                  "work factor 2^%d)", shown, SQ_IDENTITY_FILE_MAX, SQ_IDENTITY_MAX_KEYS,
                  SQ_AGE_SCRYPT_LOG_N_MAX);
        break;
    case SQ_ERR_FORMAT:
        /* the file's contents are never echoed: they may be secret */
        cli_error("cannot use identity file %s (not an age identity file, or malformed)", shown);
        cli_hint("identity files hold AGE-SECRET-KEY-1... lines, as 'sandyq keygen' and "
                 "age-keygen write them; SSH keys are not supported");
        break;
    case SQ_ERR_INVALID:
        cli_error("cannot use identity file %s (it is protected and no passphrase was given)",
                  shown);
        break;
    default:
        cli_error("cannot use identity file %s (%s)", shown, sq_err_str(err));
        ret = CLI_FAIL;
        break;
    }
out:
    cli_secret_free(&tty_pw);
    if (data != NULL)
        sq_secret_free(data, cap);
    return ret;
}

/* keyring_collect: every X25519 secret of every identity, contiguous, as
 * sq_age_identities wants them */
static int
keyring_collect(keyring *k)
{
    size_t i, j, n = 0;

    for (i = 0; i < k->n_ids; i++)
        n += sq_identity_x25519_count(k->ids[i]);
    if (n == 0)
        return CLI_OK;
    k->keys_cap = n * SQ_AGE_KEY_BYTES;
    if ((k->keys = sq_secret_alloc(k->keys_cap)) == NULL) {
        k->keys_cap = 0;
        cli_error("cannot allocate secure memory for the identities");
        return CLI_FAIL;
    }
    for (i = 0; i < k->n_ids; i++)
        for (j = 0; j < sq_identity_x25519_count(k->ids[i]); j++)
            memcpy(k->keys + SQ_AGE_KEY_BYTES * k->n_keys++,
                   sq_identity_x25519_secret(k->ids[i], j), SQ_AGE_KEY_BYTES);
    /* the copies are all we need: the parsed identities go now */
    for (i = 0; i < k->n_ids; i++)
        sq_identity_free(k->ids[i]);
    k->n_ids = 0;
    return CLI_OK;
}

/* payload_detail: why the payload failed, from the library's error */
static const char *
payload_detail(sq_err err)
{
    switch (err) {
    case SQ_ERR_AUTH:
        return "a chunk failed authentication";
    case SQ_ERR_TRUNCATED:
        return "the file ends before its final chunk";
    case SQ_ERR_FORMAT:
        return "data after the final chunk, or a misplaced empty chunk";
    default:
        return sq_err_str(err);
    }
}

/* report: the message for a failure of the decryptor (start, unwrap or read) */
/* limit_error: which cap a file went over. The scrypt cap protects against
 * a file that would cost minutes of CPU or more memory than the machine has
 * before any passphrase could be checked. */
static void
limit_error(const sq_age_decryptor *d, const char *in_shown)
{
    if (d != NULL && sq_age_decryptor_wants_passphrase(d)) {
        cli_error("cannot decrypt %s (its scrypt work factor is above what sandyq allows: "
                  "2^%d, or what the free memory here can hold)", in_shown, SQ_AGE_SCRYPT_LOG_N_MAX);
        cli_hint("a file made by stock age with its default work factor (2^18) opens here");
    } else {
        cli_error("cannot decrypt %s (its header is larger than sandyq allows: over %zu bytes, "
                  "%d stanzas, or too many arguments in one)", in_shown, SQ_AGE_HEADER_MAX_BYTES,
                  SQ_AGE_MAX_RECIPIENTS);
    }
}

static void
report(const sq_age_decryptor *d, sq_err err, const source *src, const char *in_shown,
       bool by_passphrase)
{
    sq_age_failure f = d != NULL ? sq_age_decryptor_failure(d) : SQ_AGE_OK;

    if (src->failed) {
        cli_error("cannot read %s (%s)", in_shown, cli_errno_str(src->err_no));
        return;
    }
    if (err == SQ_ERR_NOMEM) {
        cli_error("cannot decrypt %s (out of memory)", in_shown);
        return;
    }
    switch (f) {
    case SQ_AGE_NO_MATCH:
        if (by_passphrase) {
            cli_error("cannot decrypt %s (wrong passphrase)", in_shown);
        } else {
            cli_error("cannot decrypt %s (no identity matched)", in_shown);
            cli_hint("the file was encrypted to other recipients: check the -i files");
        }
        return;
    case SQ_AGE_HMAC_FAILURE:
        cli_error("cannot decrypt %s (header MAC failed: the header was altered or damaged)",
                  in_shown);
        return;
    case SQ_AGE_HEADER_FAILURE:
        cli_error("cannot decrypt %s (not an age file, or its header is damaged)", in_shown);
        return;
    case SQ_AGE_PAYLOAD_FAILURE:
        cli_error("cannot decrypt %s: the file is damaged or truncated (payload failure: %s)",
                  in_shown, payload_detail(err));
        return;
    case SQ_AGE_ARMOR_FAILURE:
        cli_error("cannot decrypt %s (its ASCII armor is malformed)", in_shown);
        return;
    case SQ_AGE_LIMIT:
        limit_error(d, in_shown);
        return;
    case SQ_AGE_OK:
        break;
    }
    switch (err) {
    case SQ_ERR_NOTFOUND:
        cli_error("cannot decrypt %s (%s)", in_shown,
                  by_passphrase ? "wrong passphrase" : "no identity matched");
        break;
    case SQ_ERR_AUTH:
        cli_error("cannot decrypt %s (header MAC failed: the header was altered or damaged)",
                  in_shown);
        break;
    case SQ_ERR_LIMIT:
        limit_error(d, in_shown);
        break;
    case SQ_ERR_FORMAT:
        cli_error("cannot decrypt %s (not an age file, or it is malformed)", in_shown);
        break;
    case SQ_ERR_UNSUPPORTED:
        cli_error("cannot decrypt %s (it uses a feature sandyq does not support)", in_shown);
        break;
    default:
        cli_error("cannot decrypt %s (%s)", in_shown, sq_err_str(err));
        break;
    }
}

/* out_error: the message for a failed write of plaintext */
static void
out_error(sq_err err, int e, const char *out_shown)
{
    if (err == SQ_ERR_NOSPACE)
        cli_error("cannot write %s (no space left on device)", out_shown);
    else if (err == SQ_ERR_IO && e != 0)
        cli_error("cannot write %s (%s)", out_shown, cli_errno_str(e));
    else
        cli_error("cannot write %s (%s)", out_shown, sq_err_str(err));
}

int
cmd_decrypt(int argc, char **argv)
{
    static const struct option opts[] = {
        { "identity",                 required_argument, NULL, 'i' },
        { "output",                   required_argument, NULL, 'o' },
        { "force",                    no_argument,       NULL, OPT_DEC_FORCE },
        { "identity-passphrase-file", required_argument, NULL, OPT_DEC_ID_PASS_FILE },
        { "identity-passphrase-fd",   required_argument, NULL, OPT_DEC_ID_PASS_FD },
        CLI_COMMON_LONGOPTS,
        { NULL, 0, NULL, 0 }
    };
    cli_pass_src      src = { NULL, -1, NULL }, id_src = { NULL, -1, NULL };
    cli_args          args = { 0 }, ifiles = { 0 };
    keyring           k;
    cli_secret        pw = { 0 };
    sq_age_identities ids;
    sq_age_decryptor *d = NULL;
    sq_outfile       *f = NULL;
    source            in;
    struct stat       st;
    const char       *out_path = NULL, *in_path = NULL;
    char              in_shown[600], out_shown[600];
    uint8_t          *buf = NULL;
    bool              force = false, use_stdout, stdin_used = false, by_pass = false;
    size_t            i, got;
    int               c, e, ret = CLI_USAGE;
    sq_err            err;

    memset(&k, 0, sizeof k);
    memset(&ids, 0, sizeof ids);
    memset(&in, 0, sizeof in);
    in.fd = STDIN_FILENO;
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "-:hi:o:", opts, NULL)) != -1) {
        switch (c) {
        case 1:
            if (!cli_args_push(&args, optarg))
                goto out;
            break;
        case 'i':
            if (!cli_args_push(&ifiles, optarg))
                goto out;
            break;
        case 'o':
            out_path = optarg;
            break;
        case OPT_DEC_FORCE:
            force = true;
            break;
        case OPT_DEC_ID_PASS_FILE:
            if (!cli_set_pass_file(&id_src, optarg))
                goto out;
            break;
        case OPT_DEC_ID_PASS_FD:
            if (!cli_set_pass_fd(&id_src, optarg))
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
            ret = cli_command_help("decrypt");
            goto out;
        default:
            ret = cli_getopt_error("decrypt", c, argv);
            goto out;
        }
    }
    for (; optind < argc; optind++)
        if (!cli_args_push(&args, argv[optind]))
            goto out;

    /* ---- the command line, checked before any work ---- */
    if (args.n > 1) {
        ret = cli_usage_error("decrypt", "decrypt takes at most one input file");
        goto out;
    }
    if (ifiles.n > DEC_MAX_ID_FILES) {
        ret = cli_usage_error("decrypt", "too many identity files (at most %d)", DEC_MAX_ID_FILES);
        goto out;
    }
    if ((id_src.file != NULL || id_src.fd >= 0) && ifiles.n == 0) {
        ret = cli_usage_error("decrypt", "--identity-passphrase-file and -fd need -i");
        goto out;
    }
    if (args.n == 1 && strcmp(args.v[0], "-") != 0)
        in_path = args.v[0];
    use_stdout = out_path == NULL || strcmp(out_path, "-") == 0;
    if (in_path == NULL)
        stdin_used = true;
    for (i = 0; i < ifiles.n; i++) {
        if (strcmp(ifiles.v[i], "-") != 0)
            continue;
        if (stdin_used) {
            ret = cli_usage_error("decrypt", "standard input is used for more than one purpose");
            goto out;
        }
        stdin_used = true;
    }
    if ((src.fd == STDIN_FILENO || id_src.fd == STDIN_FILENO) && stdin_used) {
        ret = cli_usage_error("decrypt", "descriptor 0 cannot carry a passphrase when standard "
                                         "input carries the file or an identity");
        goto out;
    }
    if (src.fd >= 0 && src.fd == id_src.fd) {
        ret = cli_usage_error("decrypt", "--passphrase-fd and --identity-passphrase-fd need "
                                         "different descriptors");
        goto out;
    }
    if (use_stdout && (src.fd == STDOUT_FILENO || id_src.fd == STDOUT_FILENO)) {
        ret = cli_usage_error("decrypt", "descriptor 1 cannot carry a passphrase when the "
                                         "output is standard output");
        goto out;
    }
    if (use_stdout && isatty(STDOUT_FILENO)) {
        cli_error("refusing to write decrypted data to a terminal");
        cli_hint("use -o FILE, or redirect standard output to a file or a pipe");
        goto out;
    }
    if (!use_stdout && (ret = cli_output_check(out_path, force)) != CLI_OK)
        goto out;
    if (in_path != NULL)
        snprintf(in_shown, sizeof in_shown, "'%s'", cli_namez(in_path));
    else
        snprintf(in_shown, sizeof in_shown, "standard input");
    if (use_stdout)
        snprintf(out_shown, sizeof out_shown, "standard output");
    else
        snprintf(out_shown, sizeof out_shown, "'%s'", cli_namez(out_path));

    /* ---- the input, opened before any prompt so a typo costs no typing ---- */
    ret = CLI_FAIL;
    if (in_path != NULL) {
        if ((in.fd = open(in_path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
            e = errno;
            cli_error("cannot open %s (%s)", in_shown, cli_errno_str(e));
            goto out;
        }
        if (fstat(in.fd, &st) == 0 && S_ISDIR(st.st_mode)) {
            cli_error("cannot decrypt %s (is a folder)", in_shown);
            goto out;
        }
        (void)posix_fadvise(in.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    }
    if (fstat(in.fd, &st) == 0 && S_ISREG(st.st_mode))
        in.total = (uint64_t)st.st_size;
    cli_progress_init(&in.progress, "decrypting");
    in.progress.active = false;   /* switched on once the prompts are over */

    /* ---- identities (their prompts come first, as age's do) ---- */
    for (i = 0; i < ifiles.n; i++)
        if ((ret = load_identity(&k, ifiles.v[i], &id_src)) != CLI_OK)
            goto out;
    cli_secret_free(&k.pw);
    if ((ret = keyring_collect(&k)) != CLI_OK)
        goto out;

    /* ---- the header ---- */
    ret = CLI_FAIL;
    err = sq_age_decrypt_start(&d, source_read, &in);
    if (err != SQ_OK) {
        report(d, err, &in, in_shown, false);
        goto out;
    }
    if (sq_age_decryptor_wants_passphrase(d)) {
        if (k.n_keys > 0 && src.file == NULL && src.fd < 0) {
            cli_error("cannot decrypt %s (it is encrypted with a passphrase, not to an identity)",
                      in_shown);
            cli_hint("run without -i to be asked for its passphrase, or give --passphrase-file");
            goto out;
        }
        ret = cli_read_age_passphrase(&pw, &src, "passphrase of the age file", false,
                                      "--passphrase-file", "--passphrase-fd");
        if (ret != CLI_OK)
            goto out;
        ret = CLI_FAIL;
        ids.passphrase = pw.buf;
        ids.passphrase_len = pw.len;
        by_pass = true;
    } else if (k.n_keys == 0) {
        cli_error("cannot decrypt %s (it is encrypted to recipients, and no identity was given)",
                  in_shown);
        cli_hint("give the identity file with -i FILE");
        goto out;
    }
    ids.x25519 = (const uint8_t (*)[SQ_AGE_KEY_BYTES])k.keys;
    ids.n_x25519 = k.n_keys;
    err = sq_age_decrypt_unwrap(d, &ids);
    cli_secret_free(&pw);          /* the file key is all that is needed now */
    keyring_free(&k);
    if (err != SQ_OK) {
        report(d, err, &in, in_shown, by_pass);
        goto out;
    }

    /* ---- the payload, released only chunk by authenticated chunk ---- */
    cli_progress_init(&in.progress, "decrypting");
    if (in.total > 0 && in.total < DEC_PROGRESS_MIN)
        in.progress.active = false;
    if ((buf = malloc(DEC_IO_BYTES)) == NULL) {
        cli_error("out of memory");
        goto out;
    }
    if (!use_stdout) {
        sq_outfile_cleanup_dir(out_path);   /* temporaries a crash left beside it */
        errno = 0;
        err = sq_outfile_open(&f, out_path, force);
        e = errno;
        if (err == SQ_ERR_EXISTS) {
            cli_error("cannot write %s (file exists)", out_shown);
            cli_hint("use --force to replace it");
            goto out;
        }
        if (err != SQ_OK) {
            out_error(err, e, out_shown);
            goto out;
        }
    }
    for (;;) {
        err = sq_age_decrypt_read(d, buf, DEC_IO_BYTES, &got);
        if (err != SQ_OK) {
            cli_progress_end(&in.progress);
            report(d, err, &in, in_shown, by_pass);
            if (use_stdout)
                cli_hint("the bytes already written to standard output are incomplete: "
                         "discard them");
            else
                cli_hint("nothing was written to %s", out_shown);
            goto out;
        }
        if (got == 0)
            break;
        errno = 0;
        err = f != NULL ? sq_outfile_write(f, buf, got) : sq_io_write_all(STDOUT_FILENO, buf, got);
        e = errno;
        if (err != SQ_OK) {
            out_error(err, e, out_shown);
            goto out;
        }
    }
    if (f != NULL) {
        errno = 0;
        err = sq_outfile_commit(f);
        e = errno;
        if (err == SQ_ERR_EXISTS) {
            cli_error("cannot write %s (file exists: it appeared while decrypting)", out_shown);
            cli_hint("use --force to replace it");
            goto out;
        }
        if (err != SQ_OK) {
            out_error(err, e, out_shown);
            goto out;
        }
    }
    ret = cli_finish_stdout(CLI_OK);
out:
    cli_progress_end(&in.progress);
    sq_outfile_abort(f);   /* removes the temporary unless committed */
    sq_age_decryptor_free(d);
    if (buf != NULL) {
        sodium_memzero(buf, DEC_IO_BYTES);   /* plaintext */
        free(buf);
    }
    if (in.fd > STDIN_FILENO)
        close(in.fd);
    cli_secret_free(&pw);
    keyring_free(&k);
    cli_args_free(&args);
    cli_args_free(&ifiles);
    return ret;
}
