/* args.c: helpers for getopt_long and the options every command shares. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int
cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fflush(stdout);
    fputs("sandyq: error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (cmd != NULL)
        cli_hint("run 'sandyq help %s' for its usage", cmd);
    else
        cli_hint("run 'sandyq help' for the list of commands");
    return CLI_USAGE;
}

/* strict decimal: digits only, no sign, no spaces, no overflow */
static bool
parse_decimal(unsigned long *out, const char *text, unsigned long max)
{
    unsigned long v = 0;
    const char   *p = text;

    if (*p == '\0')
        return false;
    for (; *p != '\0'; p++) {
        if (*p < '0' || *p > '9')
            return false;
        if (v > (max - (unsigned long)(*p - '0')) / 10)
            return false;
        v = v * 10 + (unsigned long)(*p - '0');
    }
    *out = v;
    return true;
}

bool
cli_parse_fd(int *out, const char *opt, const char *text)
{
    unsigned long v;

    if (!parse_decimal(&v, text, INT_MAX)) {
        cli_error("%s needs a file descriptor number, not '%s'", opt, cli_namez(text));
        return false;
    }
    *out = (int)v;
    return true;
}

bool
cli_parse_u8(uint8_t *out, const char *opt, const char *text)
{
    unsigned long v;

    if (!parse_decimal(&v, text, 255)) {
        cli_error("%s needs a number from 0 to 255, not '%s'", opt, cli_namez(text));
        return false;
    }
    *out = (uint8_t)v;
    return true;
}

bool
cli_set_pass_file(cli_pass_src *src, const char *file)
{
    if (src->file != NULL || src->fd >= 0 || src->shares != NULL) {
        cli_error("give the passphrase once: --passphrase-file, --passphrase-fd or --shares");
        return false;
    }
    src->file = file;
    return true;
}

bool
cli_set_shares(cli_pass_src *src, const char *file)
{
    if (src->file != NULL || src->fd >= 0 || src->shares != NULL) {
        cli_error("give the way in once: --shares, --passphrase-file or --passphrase-fd");
        return false;
    }
    src->shares = file;
    return true;
}

bool
cli_set_pass_fd(cli_pass_src *src, const char *text)
{
    int fd;

    if (src->file != NULL || src->fd >= 0 || src->shares != NULL) {
        cli_error("give the passphrase once: --passphrase-file, --passphrase-fd or --shares");
        return false;
    }
    if (!cli_parse_fd(&fd, "--passphrase-fd", text))
        return false;
    src->fd = fd;
    return true;
}

int
cli_getopt_error(const char *cmd, int c, char **argv)
{
    /* with opterr = 0 getopt_long says nothing: the message is ours. The
     * offending word is argv[optind - 1] for long options. */
    const char *word = optind > 0 ? argv[optind - 1] : "";

    if (c == ':') {
        if (optopt > 0 && optopt < 256 && word[0] == '-' && word[1] != '-')
            return cli_usage_error(cmd, "option '-%c' needs a value", optopt);
        return cli_usage_error(cmd, "option '%s' needs a value", cli_namez(word));
    }
    if (optopt != 0 && optopt < 256)
        return cli_usage_error(cmd, "unknown option '-%c'", optopt);
    if (optopt != 0)
        /* a long option that takes no value was given one (--json=x) */
        return cli_usage_error(cmd, "option '%s' takes no value", cli_namez(word));
    return cli_usage_error(cmd, "unknown option '%s'", cli_namez(word));
}

bool
cli_args_push(cli_args *a, char *arg)
{
    char **nv;

    if ((nv = realloc(a->v, (a->n + 1) * sizeof *nv)) == NULL) {
        cli_error("out of memory");
        return false;
    }
    a->v = nv;
    a->v[a->n++] = arg;
    return true;
}

void
cli_args_free(cli_args *a)
{
    free(a->v);
    a->v = NULL;
    a->n = 0;
}
