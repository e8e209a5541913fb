/* cmd_encrypt.c: sandyq encrypt [-r RECIPIENT]... [-R RECIPIENTS_FILE]... [-a] [-o OUT] [--force] [IN]
 *                sandyq encrypt -p [-a] [--passphrase-file F | --passphrase-fd N] [-o OUT] [--force] [IN]
 *
 * An age v1 file (include/sandyq/age.h) that stock `age -d` opens. The
 * options mirror age's. IN and OUT default to standard input and output;
 * "-" also names them.
 *
 * Unlike age, an existing OUT is refused unless --force, and OUT appears
 * only once complete (util/outfile.h: a temporary beside it, renamed after
 * the last byte is written and synced), so an interrupted run never leaves a
 * truncated file that looks like a whole one. Binary output to a terminal is
 * refused, as age does; armored output (-a) may go to one.
 *
 * Recipients that are not X25519 "age1..." keys (post-quantum "age1pq1...",
 * plugin recipients, SSH keys) and recipients files holding anything else
 * are refused before any work with exit 2, like any other unusable argument:
 * a file half-encrypted to some of the intended recipients would be worse
 * than none. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "crypto/kdf.h"
#include "sandyq/age.h"
#include "util/io.h"
#include "util/outfile.h"

/* option ids of this file (1150..1199 are reserved for encrypt/decrypt) */
enum {
    OPT_ENC_FORCE = 1150
};

/* Streaming buffers: one read buffer and one write buffer, reused for the
 * whole input, so memory stays constant at any size and no chunk allocates. */
#define ENC_IO_BYTES ((size_t)1 << 20)
/* writes this large skip the coalescing buffer (a sealed 64 KiB chunk) */
#define ENC_DIRECT_MIN ((size_t)32 << 10)
/* inputs from this size on show progress on a terminal's stderr */
#define ENC_PROGRESS_MIN ((uint64_t)64 << 20)

/* age's own limits on recipients files (cmd/age: 16 MiB file, 8 KiB lines,
 * the same as sshd's authorized_keys) */
#define ENC_RFILE_MAX ((size_t)16 << 20)
#define ENC_RLINE_MAX ((size_t)8 << 10)

typedef struct {
    uint8_t (*pk)[SQ_AGE_KEY_BYTES];
    size_t   n;
    size_t   cap;
} recipient_list;

/* where the ciphertext goes: a buffer in front of the outfile or stdout */
typedef struct {
    sq_outfile *f;          /* NULL: standard output */
    uint8_t    *buf;
    size_t      len;
    int         err_no;     /* errno of a failed write, for the message */
    sq_err      err;
} sink;

static sq_err
sink_flush(sink *s)
{
    sq_err err;

    if (s->len == 0)
        return SQ_OK;
    errno = 0;
    err = s->f != NULL ? sq_outfile_write(s->f, s->buf, s->len)
                       : sq_io_write_all(STDOUT_FILENO, s->buf, s->len);
    if (err != SQ_OK) {
        s->err_no = errno;
        s->err = err;
        return err;
    }
    s->len = 0;
    return SQ_OK;
}

/* sink_write: the encryptor's sq_age_write_fn. Small writes (the header,
 * armor lines) are coalesced into ENC_IO_BYTES system calls; a whole sealed
 * chunk goes straight out, saving a copy of every byte. */
static sq_err
sink_write(void *ctx, const uint8_t *buf, size_t len)
{
    sink  *s = ctx;
    size_t n;

    if (len >= ENC_DIRECT_MIN) {
        if (sink_flush(s) != SQ_OK)
            return s->err;
        errno = 0;
        s->err = s->f != NULL ? sq_outfile_write(s->f, buf, len)
                              : sq_io_write_all(STDOUT_FILENO, buf, len);
        s->err_no = errno;
        return s->err;
    }
    while (len > 0) {
        if (s->len == ENC_IO_BYTES && sink_flush(s) != SQ_OK)
            return s->err;
        n = ENC_IO_BYTES - s->len;
        if (n > len)
            n = len;
        memcpy(s->buf + s->len, buf, n);
        s->len += n;
        buf += n;
        len -= n;
    }
    return SQ_OK;
}

static bool
recipients_add(recipient_list *r, const uint8_t pk[SQ_AGE_KEY_BYTES])
{
    uint8_t (*nv)[SQ_AGE_KEY_BYTES];
    size_t   ncap;

    if (r->n >= SQ_AGE_MAX_RECIPIENTS) {
        cli_error("too many recipients (at most %d)", SQ_AGE_MAX_RECIPIENTS);
        return false;
    }
    if (r->n == r->cap) {
        ncap = r->cap == 0 ? 8 : r->cap * 2;
        if ((nv = realloc(r->pk, ncap * sizeof *nv)) == NULL) {
            cli_error("out of memory");
            return false;
        }
        r->pk = nv;
        r->cap = ncap;
    }
    memcpy(r->pk[r->n++], pk, SQ_AGE_KEY_BYTES);
    return true;
}

/* unsupported_kind: a short name for a recipient we recognize but do not
 * implement, or NULL */
static const char *
unsupported_kind(const char *text, size_t len)
{
    if (len >= 7 && memcmp(text, "age1pq1", 7) == 0)
        return "post-quantum recipients are not supported";
    if (len >= 4 && memcmp(text, "ssh-", 4) == 0)
        return "SSH recipients are not supported; use an age1... recipient";
    if (len >= 6 && memcmp(text, "ecdsa-", 6) == 0)
        return "SSH recipients are not supported; use an age1... recipient";
    return NULL;
}

/* add_recipient_arg: one -r value. Exit code on failure (after a message). */
static int
add_recipient_arg(recipient_list *r, const char *text)
{
    uint8_t     pk[SQ_AGE_KEY_BYTES];
    size_t      len = strlen(text);
    const char *kind;
    sq_err      err;

    err = sq_age_recipient_parse(pk, text, len);
    if (err == SQ_OK)
        return recipients_add(r, pk) ? CLI_OK : CLI_USAGE;   /* over the cap, or no memory */
    if (len >= 15 && strncasecmp(text, "AGE-SECRET-KEY-", 15) == 0) {
        /* never echo a secret key into a terminal's scrollback or a log */
        cli_error("cannot use the recipient given with -r (it is a secret key, not a recipient)");
        cli_hint("give the public 'age1...' recipient; 'sandyq keygen --public FILE' prints it");
        return CLI_USAGE;
    }
    if ((kind = unsupported_kind(text, len)) != NULL || err == SQ_ERR_UNSUPPORTED) {
        cli_error("cannot use recipient '%s' (%s)", cli_namez(text),
                  kind != NULL ? kind : "post-quantum and plugin recipients are not supported");
        return CLI_USAGE;
    }
    cli_error("cannot use recipient '%s' (not an age recipient)", cli_namez(text));
    cli_hint("an age recipient looks like age1 followed by 58 letters and digits");
    return CLI_USAGE;
}

/* read_all_fd: up to cap bytes of fd into a malloc'd buffer; *over when the
 * input is longer than cap. Returns 0 or an errno value. */
static int
read_all_fd(uint8_t **out, size_t *len, bool *over, int fd, size_t cap)
{
    uint8_t *buf;
    size_t   n = 0;
    ssize_t  r;

    *out = NULL;
    *len = 0;
    *over = false;
    if ((buf = malloc(cap + 1)) == NULL)
        return ENOMEM;
    for (;;) {
        r = read(fd, buf + n, cap + 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;

            free(buf);
            return e;
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (n > cap) {
            *over = true;
            break;
        }
    }
    *out = buf;
    *len = n;
    return 0;
}

/* add_recipients_file: one -R file, parsed as age does: one recipient per
 * line, lines starting with '#' and empty lines ignored, a final "\r"
 * dropped (bufio.ScanLines). A bad line is named by number only: the file
 * might be an identity file given by mistake, and its line a secret key. */
static int
add_recipients_file(recipient_list *r, const char *path, bool *stdin_used)
{
    uint8_t    *data = NULL;
    size_t      len = 0, pos = 0, line_no = 0, before = r->n;
    const char *shown = strcmp(path, "-") == 0 ? "standard input" : cli_namez(path);
    bool        over = false;
    int         fd = -1, e, ret = CLI_FAIL;

    if (strcmp(path, "-") == 0) {
        if (*stdin_used) {
            ret = cli_usage_error("encrypt", "standard input is used for more than one purpose");
            goto out;
        }
        *stdin_used = true;
        fd = STDIN_FILENO;
    } else if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
        e = errno;
        cli_error("cannot open recipients file '%s' (%s)", shown, cli_errno_str(e));
        goto out;
    }
    if ((e = read_all_fd(&data, &len, &over, fd, ENC_RFILE_MAX)) != 0) {
        cli_error("cannot read recipients file '%s' (%s)", shown, cli_errno_str(e));
        goto out;
    }
    if (over) {
        cli_error("cannot use recipients file '%s' (larger than 16 MiB)", shown);
        ret = CLI_USAGE;
        goto out;
    }
    while (pos < len) {
        const uint8_t *nl = memchr(data + pos, '\n', len - pos);
        size_t         end = nl != NULL ? (size_t)(nl - data) : len;
        const char    *line = (const char *)data + pos;
        size_t         n = end - pos;
        uint8_t        pk[SQ_AGE_KEY_BYTES];
        const char    *kind;
        sq_err         err;

        pos = nl != NULL ? end + 1 : len;
        line_no++;
        if (n > 0 && line[n - 1] == '\r')
            n--;
        if (n == 0 || line[0] == '#')
            continue;
        if (n > ENC_RLINE_MAX) {
            cli_error("cannot use recipients file '%s' (line %zu is too long)", shown, line_no);
            ret = CLI_USAGE;
            goto out;
        }
        err = sq_age_recipient_parse(pk, line, n);
        if (err == SQ_OK) {
            if (!recipients_add(r, pk)) {
                ret = CLI_USAGE;
                goto out;
            }
            continue;
        }
        if ((kind = unsupported_kind(line, n)) != NULL || err == SQ_ERR_UNSUPPORTED) {
            cli_error("cannot use recipients file '%s' (line %zu: %s)", shown, line_no,
                      kind != NULL ? kind : "post-quantum and plugin recipients are not supported");
        } else {
            cli_error("cannot use recipients file '%s' (malformed recipient at line %zu)",
                      shown, line_no);
            if (n >= 15 && strncasecmp(line, "AGE-SECRET-KEY-", 15) == 0)
                cli_hint("that line is a secret key: -R takes recipients (age1...), "
                         "'sandyq keygen --public FILE' prints them");
        }
        ret = CLI_USAGE;
        goto out;
    }
    if (r->n == before) {
        cli_error("cannot use recipients file '%s' (no recipients in it)", shown);
        ret = CLI_USAGE;
        goto out;
    }
    ret = CLI_OK;
out:
    if (fd > STDIN_FILENO)
        close(fd);
    if (data != NULL) {
        sodium_memzero(data, len);   /* might have been an identity file */
        free(data);
    }
    return ret;
}

/* run: the streaming part, once recipients and the output are settled */
static int
run(const sq_age_recipients *to, int in_fd, const char *in_shown, sink *s,
    const char *out_shown)
{
    sq_age_encryptor *e = NULL;
    uint8_t          *in = NULL;
    cli_progress      p;
    struct stat       st;
    uint64_t          done = 0, total = 0;
    size_t            got;
    sq_err            err;
    int               en, ret = CLI_FAIL;

    /* progress only for long work: unknown sizes, or at least ENC_PROGRESS_MIN */
    if (fstat(in_fd, &st) == 0 && S_ISREG(st.st_mode))
        total = (uint64_t)st.st_size;
    cli_progress_init(&p, "encrypting");
    if (total > 0 && total < ENC_PROGRESS_MIN)
        p.active = false;
    if ((in = malloc(ENC_IO_BYTES)) == NULL) {
        cli_error("out of memory");
        goto out;
    }
    err = sq_age_encrypt_start(&e, to, sink_write, s);
    for (;;) {
        if (err != SQ_OK)
            break;
        errno = 0;
        err = sq_io_read_full(in_fd, in, ENC_IO_BYTES, &got);
        if (err != SQ_OK) {
            en = errno;
            cli_error("cannot read %s (%s)", in_shown,
                      en != 0 ? cli_errno_str(en) : sq_err_str(err));
            goto out;
        }
        if (got == 0) {
            err = sq_age_encrypt_finish(e);
            break;
        }
        err = sq_age_encrypt_update(e, in, got);
        done += got;
        cli_progress_cb(&p, done, total);
    }
    cli_progress_end(&p);
    if (err == SQ_OK)
        err = sink_flush(s);
    if (err != SQ_OK) {
        if (s->err != SQ_OK)
            cli_error("cannot write %s (%s)", out_shown,
                      s->err == SQ_ERR_IO && s->err_no != 0 ? cli_errno_str(s->err_no)
                      : s->err == SQ_ERR_NOSPACE ? "no space left on device"
                      : sq_err_str(s->err));
        else
            cli_error("cannot encrypt (%s)", sq_err_str(err));
        goto out;
    }
    ret = CLI_OK;
out:
    sq_age_encryptor_free(e);
    if (in != NULL) {
        sodium_memzero(in, ENC_IO_BYTES);   /* plaintext */
        free(in);
    }
    return ret;
}

int
cmd_encrypt(int argc, char **argv)
{
    static const struct option opts[] = {
        { "recipient",       required_argument, NULL, 'r' },
        { "recipients-file", required_argument, NULL, 'R' },
        { "passphrase",      no_argument,       NULL, 'p' },
        { "armor",           no_argument,       NULL, 'a' },
        { "output",          required_argument, NULL, 'o' },
        { "force",           no_argument,       NULL, OPT_ENC_FORCE },
        CLI_COMMON_LONGOPTS,
        { NULL, 0, NULL, 0 }
    };
    cli_pass_src      src = { NULL, -1, NULL };
    cli_args          args = { 0 }, rargs = { 0 }, rfiles = { 0 };
    recipient_list    rl = { 0 };
    cli_secret        pw = { 0 };
    sq_age_recipients to;
    sink              s = { 0 };
    struct stat       st;
    const char       *out_path = NULL, *in_path = NULL, *in_shown = "standard input";
    char              out_shown[600], in_label[600];
    bool              use_pass = false, armor = false, force = false, use_stdout, stdin_used;
    size_t            i;
    int               c, in_fd = -1, e, ret = CLI_USAGE;
    sq_err            err;

    memset(&to, 0, sizeof to);
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "-:hr:R:pao:", opts, NULL)) != -1) {
        switch (c) {
        case 1:
            if (!cli_args_push(&args, optarg))
                goto out;
            break;
        case 'r':
            if (!cli_args_push(&rargs, optarg))
                goto out;
            break;
        case 'R':
            if (!cli_args_push(&rfiles, optarg))
                goto out;
            break;
        case 'p':
            use_pass = true;
            break;
        case 'a':
            armor = true;
            break;
        case 'o':
            out_path = optarg;
            break;
        case OPT_ENC_FORCE:
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
            ret = cli_command_help("encrypt");
            goto out;
        default:
            ret = cli_getopt_error("encrypt", c, argv);
            goto out;
        }
    }
    for (; optind < argc; optind++)
        if (!cli_args_push(&args, argv[optind]))
            goto out;

    /* ---- the command line, checked before any work ---- */
    if (args.n > 1) {
        ret = cli_usage_error("encrypt", "encrypt takes at most one input file");
        goto out;
    }
    if (use_pass && (rargs.n > 0 || rfiles.n > 0)) {
        ret = cli_usage_error("encrypt", "-p cannot be combined with -r or -R (a passphrase must "
                                         "be the only recipient of an age file)");
        goto out;
    }
    if (!use_pass && rargs.n == 0 && rfiles.n == 0) {
        ret = cli_usage_error("encrypt", "give at least one recipient (-r or -R), or -p for a "
                                         "passphrase");
        goto out;
    }
    if (!use_pass && (src.file != NULL || src.fd >= 0)) {
        ret = cli_usage_error("encrypt", "--passphrase-file and --passphrase-fd need -p");
        goto out;
    }
    if (args.n == 1 && strcmp(args.v[0], "-") != 0)
        in_path = args.v[0];
    use_stdout = out_path == NULL || strcmp(out_path, "-") == 0;
    stdin_used = in_path == NULL;
    if (stdin_used && src.fd == STDIN_FILENO) {
        ret = cli_usage_error("encrypt", "--passphrase-fd 0 cannot be used when the input is "
                                         "standard input");
        goto out;
    }
    if (use_stdout && src.fd == STDOUT_FILENO) {
        ret = cli_usage_error("encrypt", "--passphrase-fd 1 cannot be used when the output is "
                                         "standard output");
        goto out;
    }
    if (use_stdout && !armor && isatty(STDOUT_FILENO)) {
        cli_error("refusing to write binary age data to a terminal");
        cli_hint("use -o FILE, redirect standard output, or use -a for armored text");
        goto out;
    }
    if (!use_stdout && (ret = cli_output_check(out_path, force)) != CLI_OK)
        goto out;
    for (i = 0; i < rargs.n; i++)
        if ((ret = add_recipient_arg(&rl, rargs.v[i])) != CLI_OK)
            goto out;
    for (i = 0; i < rfiles.n; i++)
        if ((ret = add_recipients_file(&rl, rfiles.v[i], &stdin_used)) != CLI_OK)
            goto out;

    /* ---- input, passphrase, output ---- */
    ret = CLI_FAIL;
    if (in_path != NULL) {
        if ((in_fd = open(in_path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
            e = errno;
            cli_error("cannot open '%s' (%s)", cli_namez(in_path), cli_errno_str(e));
            goto out;
        }
        if (fstat(in_fd, &st) == 0 && S_ISDIR(st.st_mode)) {
            cli_error("cannot encrypt '%s' (is a folder)", cli_namez(in_path));
            goto out;
        }
        (void)posix_fadvise(in_fd, 0, 0, POSIX_FADV_SEQUENTIAL);
        snprintf(in_label, sizeof in_label, "'%s'", cli_namez(in_path));
        in_shown = in_label;
    } else {
        in_fd = STDIN_FILENO;
    }

    if (use_pass) {
        ret = cli_read_age_passphrase(&pw, &src, "passphrase for the age file", true,
                                      "--passphrase-file", "--passphrase-fd");
        if (ret != CLI_OK)
            goto out;
        ret = CLI_FAIL;
        to.passphrase = pw.buf;
        to.passphrase_len = pw.len;
        to.scrypt_log_n = SQ_AGE_SCRYPT_LOG_N_DEFAULT;
        if (sq_kdf_test_allowed()) {
            /* the project's test switch: cheap scrypt so suites stay fast */
            to.scrypt_log_n = 10;
            cli_warning("SANDYQ_INSECURE_TEST_KDF=1: the passphrase is protected by the weak "
                        "test work factor (scrypt log N 10)");
        }
    } else {
        to.x25519 = (const uint8_t (*)[SQ_AGE_KEY_BYTES])rl.pk;
        to.n_x25519 = rl.n;
    }
    to.armor = armor;

    if ((s.buf = malloc(ENC_IO_BYTES)) == NULL) {
        cli_error("out of memory");
        goto out;
    }
    if (use_stdout) {
        snprintf(out_shown, sizeof out_shown, "standard output");
    } else {
        snprintf(out_shown, sizeof out_shown, "'%s'", cli_namez(out_path));
        sq_outfile_cleanup_dir(out_path);   /* temporaries a crash left beside it */
        errno = 0;
        err = sq_outfile_open(&s.f, out_path, force);
        e = errno;
        if (err == SQ_ERR_EXISTS) {
            cli_error("cannot write %s (file exists)", out_shown);
            cli_hint("use --force to replace it");
            goto out;
        }
        if (err != SQ_OK) {
            cli_error("cannot write %s (%s)", out_shown,
                      err == SQ_ERR_IO && e != 0 ? cli_errno_str(e) : sq_err_str(err));
            goto out;
        }
    }
    if ((ret = run(&to, in_fd, in_shown, &s, out_shown)) != CLI_OK) {
        if (!use_stdout)
            cli_hint("nothing was written to %s", out_shown);
        goto out;
    }
    ret = CLI_FAIL;
    if (s.f != NULL) {
        errno = 0;
        err = sq_outfile_commit(s.f);
        e = errno;
        if (err == SQ_ERR_EXISTS) {
            cli_error("cannot write %s (file exists: it appeared while encrypting)", out_shown);
            cli_hint("use --force to replace it");
            goto out;
        }
        if (err != SQ_OK) {
            cli_error("cannot write %s (%s)", out_shown,
                      err == SQ_ERR_IO && e != 0 ? cli_errno_str(e) : sq_err_str(err));
            goto out;
        }
    }
    ret = cli_finish_stdout(CLI_OK);
out:
    sq_outfile_abort(s.f);   /* removes the temporary unless committed */
    free(s.buf);
    if (in_fd > STDIN_FILENO)
        close(in_fd);
    cli_secret_free(&pw);
    free(rl.pk);             /* public keys: not secret */
    cli_args_free(&args);
    cli_args_free(&rargs);
    cli_args_free(&rfiles);
    return ret;
}
