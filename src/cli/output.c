/* output.c: messages, escaped names, JSON strings and progress.
 *
 * Messages follow BRIEF "Interface conventions": "sandyq: error: " then
 * what failed first, lowercase, no trailing period. Every name that came
 * from a vault or from the file system is escaped (C0/C1, DEL, bidi
 * controls) before it reaches a terminal: a crafted name must not be able
 * to rewrite what the user sees. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/escape.h"

static void
vmessage(const char *kind, const char *fmt, va_list ap)
{
    fflush(stdout);   /* keep the order of stdout and stderr on one terminal */
    fprintf(stderr, "sandyq: %s: ", kind);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void
cli_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmessage("error", fmt, ap);
    va_end(ap);
}

void
cli_warning(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmessage("warning", fmt, ap);
    va_end(ap);
}

void
cli_hint(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmessage("hint", fmt, ap);
    va_end(ap);
}

static char *name_ring[CLI_NAME_RING];
static bool  json_failed;   /* a JSON string could not be written */
static size_t name_next;

const char *
cli_name(const char *s, size_t len)
{
    char *e;

    if (s == NULL)
        len = 0;
    e = sq_escape_terminal((const uint8_t *)(s != NULL ? s : ""), len);
    free(name_ring[name_next]);
    name_ring[name_next] = e;
    name_next = (name_next + 1) % CLI_NAME_RING;
    return e != NULL ? e : "?";   /* out of memory: still say something */
}

const char *
cli_namez(const char *s)
{
    return cli_name(s, s != NULL ? strlen(s) : 0);
}

const char *
cli_errno_str(int e)
{
    static char buf[128];
    const char *s = strerror(e);
    size_t      n = strlen(s);

    if (n >= sizeof buf)
        n = sizeof buf - 1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    /* "Permission denied" -> "permission denied"; keep acronyms like "I/O" */
    if (n > 1 && buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
        buf[0] = (char)(buf[0] - 'A' + 'a');
    return buf;
}

const char *
cli_time_rfc3339(char buf[32], int64_t t)
{
    struct tm tm;
    time_t    tt = (time_t)t;

    if (gmtime_r(&tt, &tm) == NULL ||
        strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, 32, "1970-01-01T00:00:00Z");   /* out of range: not from our clock */
    return buf;
}

const char *
cli_hex(char *buf, const uint8_t *b, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < len; i++) {
        buf[2 * i] = digits[b[i] >> 4];
        buf[2 * i + 1] = digits[b[i] & 15];
    }
    buf[2 * len] = '\0';
    return buf;
}

void
cli_json_str(const char *s, size_t len)
{
    const uint8_t *b = (const uint8_t *)(s != NULL ? s : "");
    char          *e, *t;

    if (s == NULL)
        len = 0;
    /* a complete literal, quotes included; NULL for ill-formed UTF-8, which
     * JSON cannot carry exactly: then the terminal form (\xNN, valid UTF-8)
     * is written instead, visibly escaped rather than silently altered */
    e = sq_escape_json(b, len);
    if (e == NULL && (t = sq_escape_terminal(b, len)) != NULL) {
        e = sq_escape_json((const uint8_t *)t, strlen(t));
        free(t);
    }
    if (e == NULL) {
        /* out of memory: keep the JSON valid, and make the exit code say
         * the output is incomplete */
        fputs("\"\"", stdout);
        json_failed = true;
        return;
    }
    fputs(e, stdout);
    free(e);
}

void
cli_json_strz(const char *s)
{
    cli_json_str(s, s != NULL ? strlen(s) : 0);
}

void
cli_json_key(const char *key)
{
    printf("\"%s\":", key);
}

int
cli_finish_stdout(int code)
{
    int failed = 0;
    int e = 0;

    errno = 0;
    if (ferror(stdout) || json_failed)
        failed = 1;
    if (fflush(stdout) != 0) {
        failed = 1;
        e = errno;
    }
    if (failed) {
        if (e != 0)
            cli_error("cannot write to standard output (%s)", cli_errno_str(e));
        else
            cli_error("cannot write to standard output");
        return CLI_FAIL;
    }
    return code;
}

/* ---- progress ---- */

static int64_t
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
human(char *buf, size_t cap, uint64_t n)
{
    static const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    double v = (double)n;
    size_t u = 0;

    while (v >= 1024.0 && u + 1 < sizeof units / sizeof units[0]) {
        v /= 1024.0;
        u++;
    }
    if (u == 0)
        snprintf(buf, cap, "%llu B", (unsigned long long)n);
    else
        snprintf(buf, cap, "%.1f %s", v, units[u]);
}

void
cli_progress_init(cli_progress *p, const char *label)
{
    p->label = label;
    p->active = isatty(STDERR_FILENO) == 1;
    p->last_ms = 0;
    p->shown = false;
}

sq_progress_fn
cli_progress_fn(const cli_progress *p)
{
    return p->active ? cli_progress_cb : NULL;
}

void
cli_progress_cb(void *ctx, uint64_t done, uint64_t total)
{
    cli_progress *p = ctx;
    char    a[32], b[32];
    int64_t t;

    if (p == NULL || !p->active)
        return;
    t = now_ms();
    if (p->shown && t - p->last_ms < 200 && done != total)
        return;
    p->last_ms = t;
    p->shown = true;
    human(a, sizeof a, done);
    if (total > 0) {
        human(b, sizeof b, total);
        fprintf(stderr, "\r\033[Ksandyq: %s: %3u%% (%s of %s)", p->label,
                (unsigned)(done >= total ? 100 : (double)done * 100.0 / (double)total), a, b);
    } else {
        fprintf(stderr, "\r\033[Ksandyq: %s: %s", p->label, a);
    }
    fflush(stderr);
}

void
cli_progress_end(cli_progress *p)
{
    if (p->active && p->shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    p->shown = false;
}
