/* armor.c: the ASCII armor (C2SP age "ASCII armor"): strict PEM (RFC 7468
 * section 3) with label "AGE ENCRYPTED FILE", padded canonical base64 in
 * lines of 64 columns, every line full except the last, which is not empty.
 * Strict like Go's age: LF or CRLF line ends; up to 1024 bytes of
 * whitespace before the BEGIN line and after the END line and nothing
 * else; no headers, no spaces inside lines, no empty lines. */
#include <stdlib.h>
#include <string.h>

#include "age/age_internal.h"

#define ARMOR_OUT_LINES 1024                   /* lines buffered before one write */
#define ARMOR_IN_CAP    ((size_t)64 << 10)

/* ---- writer ---- */

sq_err
sq_age_armor_writer_init(sq_age_armor_writer *w)
{
    memset(w, 0, sizeof *w);
    w->out_cap = ARMOR_OUT_LINES * (SQ_AGE_COLUMNS + 1) + sizeof SQ_AGE_ARMOR_BEGIN + 1;
    if ((w->out = malloc(w->out_cap)) == NULL)
        return SQ_ERR_NOMEM;
    return SQ_OK;
}

void
sq_age_armor_writer_free(sq_age_armor_writer *w)
{
    free(w->out);   /* ciphertext only */
    memset(w, 0, sizeof *w);
}

static sq_err
flush_out(sq_age_armor_writer *w, sq_age_write_fn write, void *ctx)
{
    sq_err ret = SQ_OK;

    if (w->out_len > 0)
        ret = write(ctx, (const uint8_t *)w->out, w->out_len);
    w->out_len = 0;
    return ret;
}

static void
put_line(sq_age_armor_writer *w, const uint8_t *p, size_t n)
{
    sq_age_b64_encode(w->out + w->out_len, p, n, true);
    w->out_len += sq_age_b64_len(n, true);
    w->out[w->out_len++] = '\n';
}

static void
start(sq_age_armor_writer *w)
{
    if (!w->started) {
        memcpy(w->out, SQ_AGE_ARMOR_BEGIN "\n", sizeof SQ_AGE_ARMOR_BEGIN);
        w->out_len = sizeof SQ_AGE_ARMOR_BEGIN;
        w->started = true;
    }
}

sq_err
sq_age_armor_write(sq_age_armor_writer *w, const uint8_t *p, size_t n,
                   sq_age_write_fn write, void *ctx)
{
    sq_err ret;

    start(w);
    while (n > 0) {
        size_t take = SQ_AGE_BYTES_PER_LINE - w->pend_len;

        if (take > n)
            take = n;
        if (w->pend_len == 0 && take == SQ_AGE_BYTES_PER_LINE) {
            put_line(w, p, take);     /* straight from the input */
        } else {
            memcpy(w->pend + w->pend_len, p, take);
            w->pend_len += take;
            if (w->pend_len < SQ_AGE_BYTES_PER_LINE)
                break;
            put_line(w, w->pend, SQ_AGE_BYTES_PER_LINE);
            w->pend_len = 0;
        }
        p += take;
        n -= take;
        if (w->out_cap - w->out_len < SQ_AGE_COLUMNS + 1 && (ret = flush_out(w, write, ctx)) != SQ_OK)
            return ret;
    }
    return SQ_OK;
}

sq_err
sq_age_armor_finish(sq_age_armor_writer *w, sq_age_write_fn write, void *ctx)
{
    sq_err ret;

    start(w);
    if (w->out_cap - w->out_len < 2 * (SQ_AGE_COLUMNS + 1) + sizeof SQ_AGE_ARMOR_END &&
        (ret = flush_out(w, write, ctx)) != SQ_OK)
        return ret;
    /* the last line is short and not empty; a full last line is followed
     * directly by the END line */
    if (w->pend_len > 0)
        put_line(w, w->pend, w->pend_len);
    w->pend_len = 0;
    memcpy(w->out + w->out_len, SQ_AGE_ARMOR_END "\n", sizeof SQ_AGE_ARMOR_END);
    w->out_len += sizeof SQ_AGE_ARMOR_END;
    return flush_out(w, write, ctx);
}

/* ---- raw source ---- */

sq_err
sq_age_raw_read(sq_age_raw *r, uint8_t *buf, size_t cap, size_t *got)
{
    sq_err ret;

    *got = 0;
    if (cap == 0)
        return SQ_OK;
    if (r->pb_off < r->pb_len) {
        size_t n = r->pb_len - r->pb_off;

        if (n > cap)
            n = cap;
        memcpy(buf, r->pb + r->pb_off, n);
        r->pb_off += n;
        *got = n;
        return SQ_OK;
    }
    if (r->eof)
        return SQ_OK;
    if ((ret = r->read(r->ctx, buf, cap, got)) != SQ_OK)
        return ret;
    if (*got > cap)
        return SQ_ERR_INVALID;        /* a read function that overran its buffer */
    if (*got == 0)
        r->eof = true;
    return SQ_OK;
}

/* ---- reader ---- */

sq_err
sq_age_armor_reader_init(sq_age_armor_reader *a)
{
    memset(a, 0, sizeof *a);
    a->in_cap = ARMOR_IN_CAP;
    if ((a->in = malloc(a->in_cap)) == NULL)
        return SQ_ERR_NOMEM;
    return SQ_OK;
}

void
sq_age_armor_reader_free(sq_age_armor_reader *a)
{
    free(a->in);
    memset(a, 0, sizeof *a);
}

static bool
is_space(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* the next line without its LF (and a CR before it); at the end of input a
 * last line without LF counts, no line at all is SQ_ERR_FORMAT. Lines are
 * capped (a data line has 64 columns, BEGIN/END fewer; leading blank lines
 * are capped by the whitespace rule), so the buffer never grows. */
static sq_err
get_line(sq_age_armor_reader *a, sq_age_raw *raw, const uint8_t **line, size_t *len)
{
    for (;;) {
        uint8_t *start = a->in + a->in_off;
        size_t   have = a->in_len - a->in_off;
        uint8_t *nl = memchr(start, '\n', have);
        size_t   got = 0;
        sq_err   ret;

        if (nl != NULL || (raw->eof && have > 0)) {
            size_t l = nl != NULL ? (size_t)(nl - start) : have;

            a->in_off += nl != NULL ? l + 1 : l;
            if (l > 0 && start[l - 1] == '\r')
                l--;
            *line = start;
            *len = l;
            return SQ_OK;
        }
        if (raw->eof)
            return SQ_ERR_FORMAT;     /* unexpected end of the armor */
        if (have > 2 * SQ_AGE_ARMOR_MAX_WS)
            return SQ_ERR_FORMAT;     /* column limit far exceeded */
        memmove(a->in, start, have);
        a->in_off = 0;
        a->in_len = have;
        if ((ret = sq_age_raw_read(raw, a->in + a->in_len, a->in_cap - a->in_len, &got)) != SQ_OK)
            return ret;
        a->in_len += got;
    }
}

/* after END: at most 1024 bytes of whitespace, then the end of input */
static sq_err
drain_trailing(sq_age_armor_reader *a, sq_age_raw *raw)
{
    size_t total = 0;

    for (;;) {
        size_t got = 0;
        sq_err ret;

        for (size_t i = a->in_off; i < a->in_len; i++)
            if (!is_space(a->in[i]))
                return SQ_ERR_FORMAT;
        total += a->in_len - a->in_off;
        if (total >= SQ_AGE_ARMOR_MAX_WS)
            return SQ_ERR_FORMAT;
        a->in_off = a->in_len = 0;
        if ((ret = sq_age_raw_read(raw, a->in, a->in_cap, &got)) != SQ_OK)
            return ret;
        if (got == 0)
            return SQ_OK;
        a->in_len = got;
    }
}

static sq_err
next_data_line(sq_age_armor_reader *a, sq_age_raw *raw)
{
    const uint8_t *line = NULL;
    size_t         len = 0, n = 0;
    sq_err         ret;

    if (!a->started) {
        size_t ws = 0;

        for (;;) {
            bool blank = true;

            if ((ret = get_line(a, raw, &line, &len)) != SQ_OK)
                return ret;
            for (size_t i = 0; i < len; i++)
                blank &= is_space(line[i]);
            if (!blank)
                break;
            ws += len + 1;
            if (ws > SQ_AGE_ARMOR_MAX_WS)
                return SQ_ERR_FORMAT;
        }
        if (len != sizeof SQ_AGE_ARMOR_BEGIN - 1 || memcmp(line, SQ_AGE_ARMOR_BEGIN, len) != 0)
            return SQ_ERR_FORMAT;
        a->started = true;
    }
    if ((ret = get_line(a, raw, &line, &len)) != SQ_OK)
        return ret;
    if (len == sizeof SQ_AGE_ARMOR_END - 1 && memcmp(line, SQ_AGE_ARMOR_END, len) == 0) {
        a->done = true;               /* after a full line (or no data at all) */
        return drain_trailing(a, raw);
    }
    if (len == 0 || len > SQ_AGE_COLUMNS ||
        !sq_age_b64_decode(a->line, sizeof a->line, &n, (const char *)line, len, true))
        return SQ_ERR_FORMAT;
    a->line_off = 0;
    a->line_len = n;
    if (n < SQ_AGE_BYTES_PER_LINE) {
        /* a short line is the last one: END must follow */
        if ((ret = get_line(a, raw, &line, &len)) != SQ_OK)
            return ret;
        if (len != sizeof SQ_AGE_ARMOR_END - 1 || memcmp(line, SQ_AGE_ARMOR_END, len) != 0)
            return SQ_ERR_FORMAT;
        a->done = true;
        return drain_trailing(a, raw);
    }
    return SQ_OK;
}

sq_err
sq_age_armor_read(sq_age_armor_reader *a, sq_age_raw *raw, uint8_t *buf, size_t cap,
                  size_t *got)
{
    size_t out = 0;
    sq_err ret;

    *got = 0;
    while (out < cap) {
        if (a->line_off == a->line_len) {
            if (a->done)
                break;
            if ((ret = next_data_line(a, raw)) != SQ_OK)
                return ret;
            continue;
        }
        {
            size_t n = a->line_len - a->line_off;

            if (n > cap - out)
                n = cap - out;
            memcpy(buf + out, a->line + a->line_off, n);
            a->line_off += n;
            out += n;
        }
    }
    *got = out;
    return SQ_OK;
}
