/* tty.c: passphrases from a file, a descriptor or a no-echo prompt.
 *
 * BRIEF "Secrets": passphrases never come from argv or the environment.
 * They live only in guarded memory (util/secret.h) and are wiped before any
 * error about them is printed (signify's order). Reads are byte by byte so
 * that a descriptor shared with other data (--passphrase-fd with a pipe that
 * carries more lines) is not consumed past the first line. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "util/secret.h"

void
cli_secret_free(cli_secret *s)
{
    if (s->buf != NULL)
        sq_secret_free(s->buf, s->cap);
    s->buf = NULL;
    s->cap = 0;
    s->len = 0;
}

static bool
secret_alloc(cli_secret *s, size_t cap)
{
    s->buf = sq_secret_alloc(cap);
    s->cap = s->buf != NULL ? cap : 0;
    s->len = 0;
    return s->buf != NULL;
}

typedef enum { LINE_OK, LINE_EOF_EMPTY, LINE_TOO_LONG, LINE_IO, LINE_SIGNAL } line_result;

static volatile sig_atomic_t caught_signal;

static void
on_signal(int sig)
{
    caught_signal = sig;
}

/* read_line: bytes up to and including the first '\n' into raw (at most
 * raw->cap bytes). A line that does not fit is LINE_TOO_LONG; when drain is
 * set, its rest is read and dropped (a terminal line must not be left
 * behind for the shell). */
static line_result
read_line(cli_secret *raw, int fd, bool drain, int *err)
{
    uint8_t     c = 0;
    ssize_t     r;
    line_result ret;

    raw->len = 0;
    for (;;) {
        r = read(fd, &c, 1);
        if (r < 0) {
            if (errno == EINTR && caught_signal == 0)
                continue;
            if (errno == EINTR) {
                ret = LINE_SIGNAL;
                goto out;
            }
            *err = errno;
            ret = LINE_IO;
            goto out;
        }
        if (r == 0) {
            ret = raw->len == 0 ? LINE_EOF_EMPTY : LINE_OK;
            goto out;
        }
        if (raw->len == raw->cap) {
            /* a passphrase line ends within the cap: anything longer is not
             * one, and reading it all would let an input cost without bound */
            while (drain && read(fd, &c, 1) == 1 && c != '\n')
                ;
            ret = LINE_TOO_LONG;
            goto out;
        }
        raw->buf[raw->len++] = c;
        if (c == '\n') {
            ret = LINE_OK;
            goto out;
        }
    }
out:
    sodium_memzero(&c, sizeof c);   /* the last byte read was secret */
    return ret;
}

/* Set by cli_read_age_passphrase while it runs: age-format passphrases are
 * bytes as typed (stock age does not normalize), so NFC is skipped. */
static bool as_typed;

/* prepare: raw line -> out (stripped, checked, NFC unless as_typed). Wipes
 * raw in all cases. */
static int
prepare(cli_secret *out, cli_secret *raw, const char *where)
{
    size_t body = raw->len;
    sq_err err;

    if (body > 0 && raw->buf[body - 1] == '\n') {
        body--;
        if (body > 0 && raw->buf[body - 1] == '\r')
            body--;
    }
    if (body == 0) {
        cli_secret_free(raw);
        cli_error("empty passphrase from %s", where);
        return CLI_USAGE;
    }
    if (body > CLI_PASS_MAX) {
        cli_secret_free(raw);
        cli_error("passphrase from %s is too long (more than %d bytes)", where, CLI_PASS_MAX);
        return CLI_USAGE;
    }
    if (!secret_alloc(out, CLI_PASS_NFC_CAP)) {
        cli_secret_free(raw);
        cli_error("cannot allocate secure memory for the passphrase");
        return CLI_FAIL;
    }
    if (as_typed) {
        memcpy(out->buf, raw->buf, body);
        out->len = body;
        err = memchr(out->buf, '\0', body) != NULL ? SQ_ERR_INVALID : SQ_OK;
    } else {
        err = sq_passphrase_prepare(out->buf, out->cap, &out->len, raw->buf, raw->len);
    }
    cli_secret_free(raw);
    if (err != SQ_OK) {
        cli_secret_free(out);
        if (err == SQ_ERR_INVALID)
            cli_error("passphrase from %s is not usable (not valid UTF-8, or unassigned "
                      "or control characters)", where);
        else
            cli_error("passphrase from %s is not usable (%s)", where, sq_err_str(err));
        return err == SQ_ERR_NOMEM ? CLI_FAIL : CLI_USAGE;
    }
    return CLI_OK;
}

static int
from_fd(cli_secret *out, int fd, const char *where)
{
    cli_secret  raw = { 0 };
    line_result lr;
    int         e = 0;

    if (!secret_alloc(&raw, CLI_PASS_RAW_CAP)) {
        cli_error("cannot allocate secure memory for the passphrase");
        return CLI_FAIL;
    }
    caught_signal = 0;
    lr = read_line(&raw, fd, false, &e);
    switch (lr) {
    case LINE_OK:
        return prepare(out, &raw, where);
    case LINE_EOF_EMPTY:
        cli_secret_free(&raw);
        cli_error("empty passphrase from %s", where);
        return CLI_USAGE;
    case LINE_TOO_LONG:
        cli_secret_free(&raw);
        cli_error("passphrase from %s is too long (more than %d bytes)", where, CLI_PASS_MAX);
        return CLI_USAGE;
    case LINE_IO:
    case LINE_SIGNAL:
        break;
    }
    cli_secret_free(&raw);
    cli_error("cannot read the passphrase from %s (%s)", where, cli_errno_str(e != 0 ? e : EINTR));
    return CLI_FAIL;
}

static int
from_file(cli_secret *out, const char *path)
{
    char        where[600];
    struct stat st;
    int         fd, ret, e;

    snprintf(where, sizeof where, "'%s'", cli_namez(path));
    /* O_NONBLOCK so a FIFO nobody writes to cannot hang the open; cleared
     * below so process substitution (<(...)) and pipes still work */
    if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0) {
        e = errno;
        cli_error("cannot open passphrase file '%s' (%s)", cli_namez(path), cli_errno_str(e));
        return CLI_FAIL;
    }
    if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        e = S_ISDIR(st.st_mode) ? EISDIR : errno;
        close(fd);
        cli_error("cannot read passphrase file '%s' (%s)", cli_namez(path), cli_errno_str(e));
        return CLI_FAIL;
    }
    (void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    ret = from_fd(out, fd, where);
    close(fd);
    return ret;
}

/* terminal state to restore, set while a prompt runs */
typedef struct {
    int              fd;
    struct termios   saved;
    bool             echo_off;
    struct sigaction old[4];
} tty_state;

static const int prompt_signals[4] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

static void
tty_restore(tty_state *t)
{
    size_t i;

    if (t->echo_off) {
        (void)tcsetattr(t->fd, TCSAFLUSH, &t->saved);
        t->echo_off = false;
    }
    for (i = 0; i < 4; i++)
        (void)sigaction(prompt_signals[i], &t->old[i], NULL);
}

/* prompt_once: writes prompt to the terminal, reads one line without echo */
static line_result
prompt_once(cli_secret *raw, tty_state *t, const char *prompt, int *err)
{
    struct termios   quiet;
    struct sigaction sa;
    line_result      lr;
    size_t           i;
    ssize_t          w;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;   /* no SA_RESTART: read() must return */
    sigemptyset(&sa.sa_mask);
    caught_signal = 0;
    for (i = 0; i < 4; i++)
        (void)sigaction(prompt_signals[i], &sa, &t->old[i]);

    if (tcgetattr(t->fd, &t->saved) == 0) {
        quiet = t->saved;
        quiet.c_lflag &= (tcflag_t)~(ECHO | ECHOE | ECHOK | ECHONL);
        quiet.c_lflag |= ICANON;
        if (tcsetattr(t->fd, TCSAFLUSH, &quiet) == 0)
            t->echo_off = true;
    }
    w = write(t->fd, prompt, strlen(prompt));
    (void)w;
    lr = read_line(raw, t->fd, true, err);
    w = write(t->fd, "\n", 1);
    (void)w;
    tty_restore(t);
    return lr;
}

/* tty_line: one prompt, its line prepared into out */
static int
tty_line(cli_secret *out, tty_state *t, const char *prompt)
{
    cli_secret  raw = { 0 };
    line_result lr;
    int         e = 0, sig;

    if (!secret_alloc(&raw, CLI_PASS_RAW_CAP)) {
        cli_error("cannot allocate secure memory for the passphrase");
        return CLI_FAIL;
    }
    lr = prompt_once(&raw, t, prompt, &e);
    if (lr == LINE_OK)
        return prepare(out, &raw, "the terminal");
    cli_secret_free(&raw);
    sig = caught_signal;
    if (lr == LINE_SIGNAL && sig != 0) {
        /* terminal restored and the line wiped: now die of the signal */
        signal(sig, SIG_DFL);
        raise(sig);
    }
    if (lr == LINE_EOF_EMPTY) {
        cli_error("no passphrase entered");
        return CLI_USAGE;
    }
    if (lr == LINE_TOO_LONG) {
        cli_error("passphrase is too long (more than %d bytes)", CLI_PASS_MAX);
        return CLI_USAGE;
    }
    cli_error("cannot read the passphrase from the terminal (%s)",
              cli_errno_str(e != 0 ? e : EINTR));
    return CLI_FAIL;
}

static int
from_tty(cli_secret *out, const char *what, bool confirm, const char *opt_file, const char *opt_fd)
{
    tty_state  t;
    cli_secret again = { 0 };
    char       prompt[700];
    int        ret;

    memset(&t, 0, sizeof t);
    /* the prompt goes to the controlling terminal, never to stdin/stdout,
     * which may carry a document. Without one it fails now, never hangs. */
    if ((t.fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
        cli_error("cannot ask for the %s (no terminal)", what);
        cli_hint("give it with %s FILE or %s N", opt_file, opt_fd);
        return CLI_USAGE;
    }
    snprintf(prompt, sizeof prompt, "Enter the %s: ", what);
    ret = tty_line(out, &t, prompt);
    if (ret == CLI_OK && confirm) {
        ret = tty_line(&again, &t, "Repeat it: ");
        if (ret == CLI_OK && (again.len != out->len ||
                              sodium_memcmp(again.buf, out->buf, out->len) != 0)) {
            cli_secret_free(&again);
            cli_secret_free(out);
            cli_error("the two passphrases do not match");
            ret = CLI_USAGE;
        }
        cli_secret_free(&again);
        if (ret != CLI_OK)
            cli_secret_free(out);
    }
    close(t.fd);
    return ret;
}

int
cli_read_passphrase(cli_secret *out, const cli_pass_src *src, const char *what,
                    bool confirm, const char *opt_file, const char *opt_fd)
{
    char where[64];

    memset(out, 0, sizeof *out);
    if (src != NULL && src->file != NULL)
        return from_file(out, src->file);
    if (src != NULL && src->fd >= 0) {
        snprintf(where, sizeof where, "descriptor %d", src->fd);
        return from_fd(out, src->fd, where);
    }
    return from_tty(out, what, confirm, opt_file, opt_fd);
}

int
cli_read_age_passphrase(cli_secret *out, const cli_pass_src *src, const char *what,
                        bool confirm, const char *opt_file, const char *opt_fd)
{
    int ret;

    as_typed = true;
    ret = cli_read_passphrase(out, src, what, confirm, opt_file, opt_fd);
    as_typed = false;
    return ret;
}

int
cli_read_text_file(char **out, size_t *len, const char *path, size_t cap, const char *opt)
{
    char       *buf = NULL;
    size_t      n = 0;
    ssize_t     r;
    struct stat st;
    int         fd, e, ret = CLI_FAIL;

    *out = NULL;
    *len = 0;
    if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0) {
        e = errno;
        cli_error("cannot open %s '%s' (%s)", opt, cli_namez(path), cli_errno_str(e));
        return CLI_FAIL;
    }
    if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        e = S_ISDIR(st.st_mode) ? EISDIR : errno;
        cli_error("cannot read %s '%s' (%s)", opt, cli_namez(path), cli_errno_str(e));
        goto out;
    }
    (void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    if ((buf = malloc(cap + 2)) == NULL) {
        cli_error("out of memory");
        goto out;
    }
    for (;;) {
        r = read(fd, buf + n, cap + 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            e = errno;
            cli_error("cannot read %s '%s' (%s)", opt, cli_namez(path), cli_errno_str(e));
            goto out;
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (n > cap) {
            cli_error("%s '%s' is too long (more than %zu bytes)", opt, cli_namez(path), cap);
            ret = CLI_USAGE;
            goto out;
        }
    }
    if (n > 0 && buf[n - 1] == '\n') {
        n--;
        if (n > 0 && buf[n - 1] == '\r')
            n--;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    buf = NULL;
    ret = CLI_OK;
out:
    free(buf);
    close(fd);
    return ret;
}
