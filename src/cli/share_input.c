/* share_input.c: reading SLIP-0039 shares for `slip39 combine`, `shares`
 * and `--shares` unlock, and the messages for refused shares.
 *
 * A share file holds one mnemonic per line. Blank lines, lines starting
 * with '#' (headings), share certificate blocks and "sandyq share set:"
 * lines are skipped, so the output of `shares create`, a share sheet and a
 * decrypted NAME.share.age can be given as they are. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "sandyq/slip39.h"
#include "util/secret.h"

/* read_file: up to cap bytes of path ("-" = stdin) into guarded memory.
 * Larger input is refused, not truncated. */
int
cli_read_secret_file(cli_secret *out, const char *path, size_t cap, const char *what)
{
    int     fd = -1, ret = CLI_FAIL;
    ssize_t got;

    memset(out, 0, sizeof *out);
    if ((out->buf = sq_secret_alloc(cap + 1)) == NULL) {
        cli_error("cannot read %s (out of secure memory)", what);
        return CLI_FAIL;
    }
    out->cap = cap + 1;
    if (strcmp(path, "-") == 0)
        fd = STDIN_FILENO;
    else if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
        cli_error("cannot open %s '%s' (%s)", what, cli_namez(path), cli_errno_str(errno));
        goto out;
    }
    for (;;) {
        got = read(fd, out->buf + out->len, out->cap - out->len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            cli_error("cannot read %s '%s' (%s)", what, cli_namez(path), cli_errno_str(errno));
            goto out;
        }
        if (got == 0)
            break;
        out->len += (size_t)got;
        if (out->len > cap) {
            cli_error("%s '%s' is too large (over %zu bytes)", what, cli_namez(path), cap);
            goto out;
        }
    }
    ret = CLI_OK;
out:
    if (fd > STDIN_FILENO)
        close(fd);
    if (ret != CLI_OK)
        cli_secret_free(out);
    return ret;
}

bool
cli_is_blank(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* parse_k_of_n: "K/N" with 1 <= K <= N <= 16 */
bool
cli_parse_k_of_n(sq_slip39_group *g, const char *text)
{
    char         *end = NULL;
    unsigned long k, n;

    errno = 0;
    k = strtoul(text, &end, 10);
    if (errno != 0 || end == text || *end != '/' || text[0] < '0' || text[0] > '9')
        return false;
    text = end + 1;
    if (text[0] < '0' || text[0] > '9')
        return false;
    n = strtoul(text, &end, 10);
    if (errno != 0 || *end != '\0' || k < 1 || n > SQ_SLIP39_MAX_MEMBERS || k > n)
        return false;
    g->member_threshold = (uint8_t)k;
    g->member_count = (uint8_t)n;
    return true;
}

/* report: one message for a combine refusal, naming the share/word/group */
void
cli_slip39_report(sq_err err, const sq_slip39_detail *d)
{
    const char *what = sq_slip39_problem_str(d->problem);

    switch (d->problem) {
    case SQ_SLIP39_BAD_WORD:
        cli_error("word %u of share %u is not in the SLIP-0039 word list", d->word, d->share);
        break;
    case SQ_SLIP39_BAD_CHECKSUM:
        /* the position RS1024 points at, never a corrected word: the
         * holder looks at the paper (sq_rs1024_locate) */
        if (d->word != 0)
            cli_error("share %u: checksum fails: check words near %u-%u (one word is wrong)",
                      d->share, d->word > 1 ? d->word - 1 : 1,
                      d->have != 0 && d->word + 1 > d->have ? d->have : d->word + 1);
        else
            cli_error("share %u: checksum fails: more than one word is wrong, missing or "
                      "swapped; check every word", d->share);
        break;
    case SQ_SLIP39_BAD_LENGTH:
    case SQ_SLIP39_BAD_PADDING:
    case SQ_SLIP39_BAD_GROUP_THRESHOLD:
        cli_error("share %u: %s", d->share, what);
        break;
    case SQ_SLIP39_MIXED_ID: case SQ_SLIP39_MIXED_EXTENDABLE: case SQ_SLIP39_MIXED_EXPONENT:
    case SQ_SLIP39_MIXED_GROUP_THRESHOLD: case SQ_SLIP39_MIXED_GROUP_COUNT:
    case SQ_SLIP39_MIXED_LENGTH:
        cli_error("share %u and share %u: %s", d->other, d->share, what);
        break;
    case SQ_SLIP39_MIXED_MEMBER_THRESHOLD:
        cli_error("share %u and share %u: member thresholds differ in group %u",
                  d->other, d->share, d->group);
        break;
    case SQ_SLIP39_DUPLICATE_MEMBER:
        cli_error("share %u: duplicate member (same group %u and member as share %u)",
                  d->share, d->group, d->other);
        break;
    case SQ_SLIP39_TOO_FEW_GROUPS:
        cli_error("too few groups (have %u of %u)", d->have, d->need);
        break;
    case SQ_SLIP39_TOO_FEW_MEMBERS:
        cli_error("too few shares: %u of %u from group %u", d->have, d->need, d->group);
        break;
    case SQ_SLIP39_DIGEST_MISMATCH:
        if (d->group != 0)
            cli_error("digest mismatch in group %u (its shares do not belong together)", d->group);
        else
            cli_error("digest mismatch between groups (the groups do not belong together)");
        break;
    case SQ_SLIP39_INCONSISTENT:
        if (d->share != 0)
            cli_error("share %u disagrees with the other shares of group %u", d->share, d->group);
        else
            cli_error("group %u disagrees with the other groups", d->group);
        break;
    case SQ_SLIP39_SLOW_EXPONENT:
        cli_error("share %u: iteration exponent %u is above %d (slow to open); "
                  "use --allow-slow-shares if you trust these shares", d->share, d->value,
                  SQ_SLIP39_READ_EXPONENT_CAP);
        break;
    default:
        cli_error("cannot combine the shares (%s)", d->problem != SQ_SLIP39_OK ? what
                  : sq_err_str(err));
        break;
    }
}

#define CERT_BEGIN "-----BEGIN SANDYQ SHARE CERTIFICATE-----"
#define CERT_END   "-----END SANDYQ SHARE CERTIFICATE-----"
#define STATEMENT  "sandyq share set:"

static bool
starts(const uint8_t *p, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);

    return n >= k && memcmp(p, prefix, k) == 0;
}

int
cli_mnemonic_lines(const uint8_t *buf, size_t len, const char **lines, size_t *lens, size_t *n)
{
    bool in_cert = false;

    *n = 0;
    for (size_t i = 0; i < len;) {
        size_t b = i, e;

        while (i < len && buf[i] != '\n')
            i++;
        e = i;
        if (i < len)
            i++;
        while (b < e && cli_is_blank(buf[b]))
            b++;
        if (in_cert) {
            in_cert = !starts(buf + b, e - b, CERT_END);
            continue;
        }
        if (starts(buf + b, e - b, CERT_BEGIN)) {
            in_cert = true;
            continue;
        }
        if (b == e || buf[b] == '#' || starts(buf + b, e - b, STATEMENT))
            continue;
        if (*n == SQ_SLIP39_MAX_SHARES) {
            cli_error("more than %d mnemonics", SQ_SLIP39_MAX_SHARES);
            return CLI_FAIL;
        }
        lines[*n] = (const char *)buf + b;
        lens[(*n)++] = e - b;
    }
    return CLI_OK;
}

/* ---- --shares: the master secret of a vault's share set ---- */

#define SHARE_FILE_CAP ((size_t)1 << 20)
#define TTY_LINE_CAP   256

/* tty_word: one line from the terminal into w (secret, TTY_LINE_CAP),
 * trimmed; false at end of input. Typed words are shown: a share is read
 * off paper word by word, and a hidden typo could not be found. */
static bool
tty_word(FILE *tty, char *w, size_t *wl)
{
    size_t b = 0, e;

    if (fgets(w, TTY_LINE_CAP, tty) == NULL)
        return false;
    e = strlen(w);
    while (e > 0 && cli_is_blank((uint8_t)w[e - 1]))
        e--;
    while (b < e && cli_is_blank((uint8_t)w[b]))
        b++;
    memmove(w, w + b, e - b);
    w[e - b] = '\0';
    *wl = e - b;
    return true;
}

/* progress: "2 of 3 from group 1" for each group begun, and how many
 * groups are complete of those needed (share metadata only, not secret) */
static void
progress(FILE *tty, const sq_slip39_share *sh, size_t n)
{
    unsigned have[SQ_SLIP39_MAX_GROUPS] = { 0 }, need[SQ_SLIP39_MAX_GROUPS] = { 0 }, complete = 0;

    for (size_t i = 0; i < n; i++) {
        have[sh[i].group_index]++;
        need[sh[i].group_index] = sh[i].member_threshold;
    }
    for (unsigned g = 0; g < SQ_SLIP39_MAX_GROUPS; g++) {
        if (have[g] == 0)
            continue;
        fprintf(tty, "%u of %u from group %u\n", have[g] < need[g] ? have[g] : need[g], need[g], g + 1);
        complete += have[g] >= need[g];
    }
    if (n > 0 && sh[0].group_count > 1)
        fprintf(tty, "groups complete: %u of the %u needed\n", complete, sh[0].group_threshold);
}

/* from_tty: shares typed word by word on /dev/tty until they combine */
static int
from_tty(uint8_t *ms, size_t *ms_len, const char *vault)
{
    FILE            *tty = NULL;
    sq_slip39_share *sh = NULL;
    uint16_t         words[SQ_SLIP39_MAX_WORDS];
    char            *w = NULL;
    size_t           n_sh = 0, nw = 0, wl;
    sq_slip39_detail d;
    int              ret = CLI_FAIL;

    if ((tty = fopen("/dev/tty", "r+e")) == NULL) {
        cli_error("--shares - needs a terminal to type the shares on (%s); give a FILE instead",
                  cli_errno_str(errno));
        return CLI_USAGE;
    }
    setvbuf(tty, NULL, _IONBF, 0);   /* no stdio copy of typed words */
    if ((sh = sq_secret_alloc(sizeof *sh * SQ_SLIP39_MAX_SHARES)) == NULL ||
        (w = sq_secret_alloc(TTY_LINE_CAP)) == NULL) {
        cli_error("out of secure memory");
        goto out;
    }
    fprintf(tty, "Type the shares for '%s' one word per line; an empty line ends a share.\n",
            cli_namez(vault));
    for (;;) {
        fprintf(tty, "share %zu, word %zu: ", n_sh + 1, nw + 1);
        if (!tty_word(tty, w, &wl)) {
            cli_error("end of input before enough shares");
            goto out;
        }
        if (wl > 0) {
            if (nw == SQ_SLIP39_MAX_WORDS) {
                fprintf(tty, "a share has at most %d words: end it with an empty line\n",
                        SQ_SLIP39_MAX_WORDS);
                continue;
            }
            if (!sq_slip39_word_lookup(&words[nw], w, wl)) {
                fprintf(tty, "that is not a SLIP-0039 word: type word %zu again\n", nw + 1);
                continue;
            }
            nw++;
            continue;
        }
        if (nw == 0)
            continue;
        if (n_sh == SQ_SLIP39_MAX_SHARES) {
            cli_error("more than %d shares", SQ_SLIP39_MAX_SHARES);
            goto out;
        }
        if (sq_slip39_share_decode(&sh[n_sh], words, nw, &d) != SQ_OK) {
            d.share = (unsigned)n_sh + 1;
            cli_slip39_report(SQ_ERR_FORMAT, &d);
            fprintf(tty, "share %zu was not kept: type it again\n", n_sh + 1);
            nw = 0;
            continue;
        }
        nw = 0;
        n_sh++;
        sq_err e = sq_slip39_combine_shares(ms, ms_len, sh, n_sh, "", 0, false, &d);
        if (e == SQ_OK)
            break;
        if (d.problem == SQ_SLIP39_TOO_FEW_MEMBERS || d.problem == SQ_SLIP39_TOO_FEW_GROUPS) {
            progress(tty, sh, n_sh);
            continue;
        }
        cli_slip39_report(e, &d);
        if (e == SQ_ERR_AUTH)
            goto out;               /* which one is wrong is not knowable: start over */
        sq_slip39_share_wipe(&sh[--n_sh]);
        fprintf(tty, "share %zu was not kept: type another\n", n_sh + 1);
    }
    ret = CLI_OK;
out:
    sodium_memzero(words, sizeof words);
    sq_secret_free(w, TTY_LINE_CAP);
    if (sh != NULL) {
        for (size_t i = 0; i < SQ_SLIP39_MAX_SHARES; i++)
            sq_slip39_share_wipe(&sh[i]);
        sq_secret_free(sh, sizeof *sh * SQ_SLIP39_MAX_SHARES);
    }
    fclose(tty);
    return ret;
}

int
cli_shares_secret(cli_secret *out, const char *path, const char *vault)
{
    cli_secret       text = { 0 };
    const char     **lines = NULL;
    size_t          *lens = NULL, n = 0;
    sq_slip39_detail d;
    sq_err           err;
    int              ret;

    memset(out, 0, sizeof *out);
    if ((out->buf = sq_secret_alloc(SQ_SLIP39_MAX_SECRET_BYTES)) == NULL) {
        cli_error("out of secure memory");
        return CLI_FAIL;
    }
    out->cap = SQ_SLIP39_MAX_SECRET_BYTES;
    if (strcmp(path, "-") == 0) {
        if ((ret = from_tty(out->buf, &out->len, vault)) != CLI_OK)
            cli_secret_free(out);
        return ret;
    }
    if ((ret = cli_read_secret_file(&text, path, SHARE_FILE_CAP, "share file")) != CLI_OK)
        goto out;
    ret = CLI_FAIL;
    if ((lines = calloc(SQ_SLIP39_MAX_SHARES, sizeof *lines)) == NULL ||
        (lens = calloc(SQ_SLIP39_MAX_SHARES, sizeof *lens)) == NULL) {
        cli_error("out of memory");
        goto out;
    }
    if ((ret = cli_mnemonic_lines(text.buf, text.len, lines, lens, &n)) != CLI_OK)
        goto out;
    ret = CLI_FAIL;
    if (n == 0) {
        cli_error("no shares in '%s' (one mnemonic per line)", cli_namez(path));
        goto out;
    }
    err = sq_slip39_combine(out->buf, &out->len, lines, lens, n, "", 0, false, &d);
    if (err != SQ_OK) {
        cli_slip39_report(err, &d);
        goto out;
    }
    ret = CLI_OK;
out:
    free(lines);
    free(lens);
    cli_secret_free(&text);
    if (ret != CLI_OK)
        cli_secret_free(out);
    return ret;
}

/* ---- the layout options of `slip39 split` and `shares create|rotate` ---- */

bool
cli_parse_small(unsigned *out, const char *text, unsigned lo, unsigned hi)
{
    char         *end = NULL;
    unsigned long v;

    if (text[0] < '0' || text[0] > '9')
        return false;
    errno = 0;
    v = strtoul(text, &end, 10);
    if (errno != 0 || *end != '\0' || v < lo || v > hi)
        return false;
    *out = (unsigned)v;
    return true;
}

int
cli_layout_option(cli_layout *l, cli_layout_opt which, const char *arg, const char *cmd)
{
    switch (which) {
    case CLI_LAYOUT_THRESHOLD:
        if (!cli_parse_small(&l->threshold, arg, 1, SQ_SLIP39_MAX_MEMBERS))
            return cli_usage_error(cmd, "--threshold must be 1 to 16");
        l->have_t = true;
        break;
    case CLI_LAYOUT_SHARES:
        if (!cli_parse_small(&l->count, arg, 1, SQ_SLIP39_MAX_MEMBERS))
            return cli_usage_error(cmd, "--shares must be 1 to 16");
        l->have_n = true;
        break;
    case CLI_LAYOUT_GROUP_THRESHOLD:
        if (!cli_parse_small(&l->gthreshold, arg, 1, SQ_SLIP39_MAX_GROUPS))
            return cli_usage_error(cmd, "--group-threshold must be 1 to 16");
        l->have_gt = true;
        break;
    case CLI_LAYOUT_GROUP:
        if (l->ngroups == SQ_SLIP39_MAX_GROUPS)
            return cli_usage_error(cmd, "at most 16 --group options");
        if (!cli_parse_k_of_n(&l->groups[l->ngroups], arg))
            return cli_usage_error(cmd, "--group wants K/N with 1 <= K <= N <= 16, not '%s'",
                                   cli_namez(arg));
        l->ngroups++;
        break;
    }
    return CLI_OK;
}

int
cli_layout_finish(cli_layout *l, const char *cmd)
{
    if ((l->have_t || l->have_n) && (l->have_gt || l->ngroups > 0))
        return cli_usage_error(cmd, "use either --threshold/--shares or --group-threshold/--group, "
                               "not both");
    if (l->have_t || l->have_n) {
        if (!l->have_t || !l->have_n)
            return cli_usage_error(cmd, "--threshold and --shares go together");
        if (l->threshold > l->count)
            return cli_usage_error(cmd, "--threshold %u is above --shares %u", l->threshold, l->count);
        l->groups[0].member_threshold = (uint8_t)l->threshold;
        l->groups[0].member_count = (uint8_t)l->count;
        l->ngroups = 1;
        l->gthreshold = 1;
    } else if (!l->have_gt || l->ngroups == 0) {
        return cli_usage_error(cmd, "give --threshold K --shares N, or --group-threshold G with one "
                               "--group K/N per group");
    } else if (l->gthreshold > l->ngroups) {
        return cli_usage_error(cmd, "--group-threshold %u is above the %zu groups given",
                               l->gthreshold, l->ngroups);
    }
    for (size_t g = 0; g < l->ngroups; g++)
        if (l->groups[g].member_threshold == 1 && l->groups[g].member_count != 1)
            return cli_usage_error(cmd, "a threshold of 1 needs exactly 1 share (group %zu: 1/%u); "
                                   "copies of one share would pose as several",
                                   g + 1, l->groups[g].member_count);
    return CLI_OK;
}
