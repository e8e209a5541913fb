/* header.c: the age v1 header (C2SP age, "ABNF definition of file header"):
 *
 *   header     = v1-line 1*stanza end
 *   v1-line    = "age-encryption.org/v1" LF
 *   end        = "--- " 43base64char LF
 *   stanza     = arg-line *full-line final-line
 *   arg-line   = "-> " argument *(SP argument) LF     argument = 1*VCHAR
 *   full-line  = 64base64char LF
 *   final-line = *63base64char LF
 *
 * Exactly one serialization is accepted for each header, so what parses
 * re-serializes byte for byte (the fuzz target checks it). */
#include <stdlib.h>
#include <string.h>

#include "age/age_internal.h"

size_t
sq_age_header_end(const uint8_t *buf, size_t len)
{
    size_t start = 0;

    while (start < len) {
        const uint8_t *nl = memchr(buf + start, '\n', len - start);

        if (nl == NULL)
            return 0;
        if (len - start >= 3 && memcmp(buf + start, "---", 3) == 0)
            return (size_t)(nl - buf) + 1;
        start = (size_t)(nl - buf) + 1;
    }
    return 0;
}

bool
sq_age_stanza_is(const sq_age_stanza *s, const char *type)
{
    size_t n = strlen(type);

    return s->argc >= 1 && s->argl[0] == n && memcmp(s->argv[0], type, n) == 0;
}

void
sq_age_header_clear(sq_age_header *h)
{
    if (h->stanzas != NULL) {
        for (size_t i = 0; i < h->n; i++)
            free(h->stanzas[i].body);   /* ciphertext of the file key: not secret */
        free(h->stanzas);
    }
    memset(h, 0, sizeof *h);
}

/* one argument line after "-> ": space-separated non-empty VCHAR strings */
static sq_err
parse_args(sq_age_stanza *s, const char *p, size_t len)
{
    size_t i = 0;

    s->argc = 0;
    for (;;) {
        size_t start = i;

        while (i < len && p[i] != ' ') {
            if ((uint8_t)p[i] < 33 || (uint8_t)p[i] > 126)
                return SQ_ERR_FORMAT;
            i++;
        }
        if (i == start)
            return SQ_ERR_FORMAT;     /* empty argument: double or trailing space */
        if (s->argc == SQ_AGE_STANZA_MAX_ARGS)
            return SQ_ERR_LIMIT;
        s->argv[s->argc] = p + start;
        s->argl[s->argc] = i - start;
        s->argc++;
        if (i == len)
            return SQ_OK;
        i++;                          /* the single space */
    }
}

static bool
is_b64_char(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '+' || c == '/';
}

sq_err
sq_age_header_parse(sq_age_header *h, const uint8_t *buf, size_t len)
{
    const size_t vlen = sizeof SQ_AGE_VERSION_LINE - 1;
    size_t       pos = vlen, cap = 0;
    sq_err       ret = SQ_ERR_FORMAT;

    memset(h, 0, sizeof *h);
    if (len < vlen || memcmp(buf, SQ_AGE_VERSION_LINE, vlen) != 0)
        goto fail;
    for (;;) {
        const uint8_t *nl;
        size_t         llen;

        if (pos >= len || (nl = memchr(buf + pos, '\n', len - pos)) == NULL)
            goto fail;
        llen = (size_t)(nl - (buf + pos));
        if (llen >= 3 && memcmp(buf + pos, "---", 3) == 0) {
            /* end = "--- " 43base64char LF, and nothing after it */
            if (h->n == 0 || llen != 4 + SQ_AGE_MAC_B64_CHARS || buf[pos + 3] != ' ' ||
                pos + llen + 1 != len ||
                !sq_age_b64_decode_exact(h->mac, sizeof h->mac, (const char *)buf + pos + 4,
                                         SQ_AGE_MAC_B64_CHARS))
                goto fail;
            h->mac_input_len = pos + 3;
            h->len = len;
            return SQ_OK;
        }
        if (llen < 3 || memcmp(buf + pos, "-> ", 3) != 0)
            goto fail;
        if (h->n == SQ_AGE_MAX_RECIPIENTS) {
            ret = SQ_ERR_LIMIT;       /* caps the unwrapping work before any of it */
            goto fail;
        }
        if (h->n == cap) {
            size_t         ncap = cap ? cap * 2 : 4;
            sq_age_stanza *ns;

            if (ncap > SQ_AGE_MAX_RECIPIENTS)
                ncap = SQ_AGE_MAX_RECIPIENTS;
            if ((ns = realloc(h->stanzas, ncap * sizeof *ns)) == NULL) {
                ret = SQ_ERR_NOMEM;
                goto fail;
            }
            h->stanzas = ns;
            cap = ncap;
        }
        {
            sq_age_stanza *s = &h->stanzas[h->n];
            size_t         body_cap = 0;

            memset(s, 0, sizeof *s);
            h->n++;
            if ((ret = parse_args(s, (const char *)buf + pos + 3, llen - 3)) != SQ_OK)
                goto fail;
            ret = SQ_ERR_FORMAT;
            pos += llen + 1;
            /* body lines: 64 columns each, until one shorter (maybe empty) */
            for (;;) {
                size_t got = 0;

                if (pos >= len || (nl = memchr(buf + pos, '\n', len - pos)) == NULL)
                    goto fail;
                llen = (size_t)(nl - (buf + pos));
                if (llen > SQ_AGE_COLUMNS)
                    goto fail;
                for (size_t i = 0; i < llen; i++)
                    if (!is_b64_char(buf[pos + i]))
                        goto fail;    /* also the "->" or "---" of a missing final line */
                if (s->body_len + SQ_AGE_BYTES_PER_LINE > body_cap) {
                    size_t   ncap = body_cap ? body_cap * 2 : SQ_AGE_BYTES_PER_LINE;
                    uint8_t *nb;

                    if ((nb = realloc(s->body, ncap)) == NULL) {
                        ret = SQ_ERR_NOMEM;
                        goto fail;
                    }
                    s->body = nb;
                    body_cap = ncap;
                }
                if (!sq_age_b64_decode(s->body + s->body_len, body_cap - s->body_len, &got,
                                       (const char *)buf + pos, llen, false))
                    goto fail;
                s->body_len += got;
                pos += llen + 1;
                if (llen < SQ_AGE_COLUMNS)
                    break;
            }
            if (s->body_len == 0) {
                free(s->body);
                s->body = NULL;
            }
        }
    }
fail:
    sq_age_header_clear(h);
    return ret;
}

static size_t
stanza_size(const sq_age_stanza *s)
{
    size_t n = 2;   /* "->" */

    for (size_t i = 0; i < s->argc; i++)
        n += 1 + s->argl[i];
    n += 1;         /* LF */
    /* full lines of 64 columns, then a final line of fewer (maybe none) */
    n += s->body_len / SQ_AGE_BYTES_PER_LINE * (SQ_AGE_COLUMNS + 1);
    n += sq_age_b64_len(s->body_len % SQ_AGE_BYTES_PER_LINE, false) + 1;
    return n;
}

size_t
sq_age_header_size(const sq_age_header *h)
{
    size_t n = sizeof SQ_AGE_VERSION_LINE - 1;

    for (size_t i = 0; i < h->n; i++)
        n += stanza_size(&h->stanzas[i]);
    return n + 3 + 1 + SQ_AGE_MAC_B64_CHARS + 1;
}

sq_err
sq_age_header_serialize(uint8_t *out, size_t cap, size_t *len, const sq_age_header *h,
                        bool with_mac)
{
    size_t need = sq_age_header_size(h), pos = 0;

    if (!with_mac)
        need -= 1 + SQ_AGE_MAC_B64_CHARS + 1;
    if (cap < need || h->n == 0)
        return SQ_ERR_INVALID;
    memcpy(out, SQ_AGE_VERSION_LINE, sizeof SQ_AGE_VERSION_LINE - 1);
    pos = sizeof SQ_AGE_VERSION_LINE - 1;
    for (size_t i = 0; i < h->n; i++) {
        const sq_age_stanza *s = &h->stanzas[i];
        size_t               off = 0;

        out[pos++] = '-';
        out[pos++] = '>';
        for (size_t a = 0; a < s->argc; a++) {
            out[pos++] = ' ';
            memcpy(out + pos, s->argv[a], s->argl[a]);
            pos += s->argl[a];
        }
        out[pos++] = '\n';
        for (;;) {
            size_t take = s->body_len - off;

            if (take > SQ_AGE_BYTES_PER_LINE)
                take = SQ_AGE_BYTES_PER_LINE;
            if (take > 0) {
                sq_age_b64_encode((char *)out + pos, s->body + off, take, false);
                pos += sq_age_b64_len(take, false);
            }
            out[pos++] = '\n';
            off += take;
            if (take < SQ_AGE_BYTES_PER_LINE)
                break;
        }
    }
    memcpy(out + pos, "---", 3);
    pos += 3;
    if (with_mac) {
        out[pos++] = ' ';
        sq_age_b64_encode((char *)out + pos, h->mac, sizeof h->mac, false);
        pos += SQ_AGE_MAC_B64_CHARS;
        out[pos++] = '\n';
    }
    *len = pos;
    return SQ_OK;
}
