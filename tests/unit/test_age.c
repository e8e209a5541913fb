/* test_age.c: age v1 round trips at the chunk boundaries, several
 * recipients, scrypt, armor; a tamper case beside each (header, stanza
 * body, MAC, payload, truncation, appended bytes). */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "sandyq/age.h"
#include "testlib.h"
#include "util/random.h"
#include "util/secret.h"

static uint8_t sk[3][32], pk[3][32];

/* a source that hands out at most step bytes per call */
typedef struct {
    const uint8_t *p;
    size_t         left, step;
} src;

static sq_err
src_read(void *ctx, uint8_t *buf, size_t cap, size_t *got)
{
    src   *s = ctx;
    size_t n = s->left < cap ? s->left : cap;

    if (s->step && n > s->step)
        n = s->step;
    memcpy(buf, s->p, n);
    s->p += n;
    s->left -= n;
    *got = n;
    return SQ_OK;
}

/* decrypts with reads of step bytes and outputs of at most cap bytes;
 * returns the error, the class, and the plaintext released before it */
static sq_err
decrypt(uint8_t **plain, size_t *plain_len, sq_age_failure *cls, const uint8_t *file,
        size_t len, const sq_age_identities *ids, size_t step, size_t cap)
{
    sq_age_decryptor *d = NULL;
    src               s = { file, len, step };
    uint8_t          *out = malloc(len + 1), *buf = malloc(cap);
    size_t            used = 0;
    sq_err            ret;

    ret = sq_age_decrypt_start(&d, src_read, &s);
    if (ret == SQ_OK)
        ret = sq_age_decrypt_unwrap(d, ids);
    while (ret == SQ_OK) {
        size_t got = 0;

        ret = sq_age_decrypt_read(d, buf, cap, &got);
        if (ret != SQ_OK || got == 0)
            break;
        if (used + got > len)
            abort();
        memcpy(out + used, buf, got);
        used += got;
    }
    *cls = sq_age_decryptor_failure(d);
    sq_age_decryptor_free(d);
    free(buf);
    *plain = out;
    *plain_len = used;
    return ret;
}

static sq_age_identities
ids_x25519(size_t first, size_t n)
{
    sq_age_identities ids;

    memset(&ids, 0, sizeof ids);
    ids.x25519 = (const uint8_t(*)[32])sk[first];
    ids.n_x25519 = n;
    return ids;
}

static void
check_fails(const uint8_t *file, size_t len, const sq_age_identities *ids, sq_age_failure want,
            const char *what)
{
    uint8_t       *plain = NULL;
    size_t         plen = 0;
    sq_age_failure cls = SQ_AGE_OK;
    sq_err         ret = decrypt(&plain, &plen, &cls, file, len, ids, 0, 1 << 17);

    if (!CHECK(ret != SQ_OK) || !CHECK_EQ_INT(cls, want))
        fprintf(stderr, "     case: %s (err %d)\n", what, (int)ret);
    free(plain);
}

static void
round_trip(size_t size, bool armor)
{
    uint8_t          *in = malloc(size + 1), *file = NULL, *plain = NULL, *copy;
    size_t            flen = 0, plen = 0, hdr_end;
    sq_age_recipients to;
    sq_age_identities ids = ids_x25519(1, 1), wrong = ids_x25519(2, 1);
    sq_age_failure    cls;
    static const size_t steps[][2] = { { 0, 1 << 17 }, { 1000, 4096 }, { 65537, 65536 }, { 7, 65535 } };

    sq_random_buf(in, size + 1);
    memset(&to, 0, sizeof to);
    to.x25519 = (const uint8_t(*)[32])pk[0];
    to.n_x25519 = 2;   /* recipients 0 and 1 */
    to.armor = armor;
    CHECK(sq_age_encrypt_buffer(&file, &flen, &to, in, size) == SQ_OK);
    for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
        CHECK(decrypt(&plain, &plen, &cls, file, flen, &ids, steps[k][0], steps[k][1]) == SQ_OK);
        if (!CHECK(plen == size && memcmp(plain, in, size) == 0))
            fprintf(stderr, "     size %zu armor %d step %zu\n", size, armor, steps[k][0]);
        free(plain);
    }
    /* the first recipient opens it too; a third does not */
    {
        sq_age_identities first = ids_x25519(0, 1);

        CHECK(decrypt(&plain, &plen, &cls, file, flen, &first, 0, 4096) == SQ_OK && plen == size);
        free(plain);
    }
    check_fails(file, flen, &wrong, SQ_AGE_NO_MATCH, "wrong identity");

    /* whole-buffer decryption and its cap */
    {
        uint8_t       *out = NULL;
        size_t         olen = 0, ocap = 0;
        sq_age_failure f = SQ_AGE_OK;

        CHECK(sq_age_decrypt_buffer(&out, &olen, &ocap, &ids, file, flen, size, &f) == SQ_OK);
        CHECK(olen == size && (size == 0 || memcmp(out, in, size) == 0) && f == SQ_AGE_OK);
        sq_secret_free(out, ocap);
        if (size > 0) {
            CHECK(sq_age_decrypt_buffer(&out, &olen, &ocap, &ids, file, flen, size - 1, &f) ==
                  SQ_ERR_LIMIT);
            CHECK(out == NULL && f == SQ_AGE_LIMIT);
        }
    }

    if (armor) {
        /* armor tampering: a changed character, a lowercase END line,
         * something after the END line */
        copy = malloc(flen + 8);
        memcpy(copy, file, flen);
        copy[40] = copy[40] == 'A' ? 'B' : 'A';
        {
            uint8_t       *p2 = NULL;
            size_t         l2 = 0;
            sq_age_failure c2;

            CHECK(decrypt(&p2, &l2, &c2, copy, flen, &ids, 0, 65536) != SQ_OK);
            free(p2);
        }
        memcpy(copy, file, flen);
        memcpy(copy + flen, "x\n", 2);
        check_fails(copy, flen + 2, &ids, SQ_AGE_ARMOR_FAILURE, "armor trailing");
        memcpy(copy, file, flen);
        copy[flen - 5] = 'e';
        check_fails(copy, flen, &ids, SQ_AGE_ARMOR_FAILURE, "armor end line");
        memcpy(copy, file, flen);
        copy[flen - 2 - 32 - 1] = ' ';   /* inside the last data line */
        check_fails(copy, flen, &ids, SQ_AGE_ARMOR_FAILURE, "armor space");
        free(copy);
        free(file);
        free(in);
        return;
    }

    copy = malloc(flen + 70000);
    hdr_end = (size_t)((uint8_t *)memmem(file, flen, "\n---", 4) - file) + 1;
    /* header text: version line */
    memcpy(copy, file, flen);
    copy[3] ^= 0x01;
    check_fails(copy, flen, &ids, SQ_AGE_HEADER_FAILURE, "version line");
    /* stanza argument (the share of the second stanza: ours) -> the MAC or no match */
    memcpy(copy, file, flen);
    {
        uint8_t *second = memmem(copy + 30, flen - 30, "-> X25519 ", 10);

        second[12] = second[12] == 'A' ? 'B' : 'A';
        check_fails(copy, flen, &ids, SQ_AGE_NO_MATCH, "share");
    }
    /* stanza body: first character of the first body line -> no match for
     * identity 0 (the other stanza still opens for 1, then the MAC fails) */
    memcpy(copy, file, flen);
    {
        uint8_t          *body = (uint8_t *)memchr(copy + 22, '\n', flen) + 1;
        sq_age_identities first = ids_x25519(0, 1);

        body[0] = body[0] == 'A' ? 'B' : 'A';
        check_fails(copy, flen, &first, SQ_AGE_NO_MATCH, "stanza body");
    }
    /* the MAC itself */
    memcpy(copy, file, flen);
    copy[hdr_end + 4] = copy[hdr_end + 4] == 'A' ? 'B' : 'A';
    check_fails(copy, flen, &ids, SQ_AGE_HMAC_FAILURE, "mac");
    /* payload: nonce, first and last byte */
    memcpy(copy, file, flen);
    copy[hdr_end + 3 + 1 + 43 + 1] ^= 0x80;
    check_fails(copy, flen, &ids, SQ_AGE_PAYLOAD_FAILURE, "nonce");
    memcpy(copy, file, flen);
    copy[flen - 1] ^= 0x01;
    check_fails(copy, flen, &ids, SQ_AGE_PAYLOAD_FAILURE, "last byte");
    /* truncations: inside the last chunk, at a chunk boundary, the whole payload */
    check_fails(file, flen - 1, &ids, SQ_AGE_PAYLOAD_FAILURE, "truncated by one");
    if (size > 65536)
        check_fails(file, flen - (size % 65536 ? size % 65536 + 16 : 65536 + 16), &ids,
                    SQ_AGE_PAYLOAD_FAILURE, "truncated at a chunk boundary");
    {
        size_t payload_start = hdr_end + 3 + 1 + 43 + 1;

        check_fails(file, payload_start + 16, &ids, SQ_AGE_PAYLOAD_FAILURE, "no chunk");
        check_fails(file, payload_start + 5, &ids, SQ_AGE_PAYLOAD_FAILURE, "short nonce");
        check_fails(file, hdr_end + 10, &ids, SQ_AGE_HEADER_FAILURE, "cut MAC");
    }
    /* appended bytes: one, and a whole chunk's worth */
    memcpy(copy, file, flen);
    copy[flen] = 0;
    check_fails(copy, flen + 1, &ids, SQ_AGE_PAYLOAD_FAILURE, "appended byte");
    memset(copy + flen, 0, 70000);
    check_fails(copy, flen + 70000, &ids, SQ_AGE_PAYLOAD_FAILURE, "appended chunk");
    free(copy);
    free(file);
    free(in);
}

static void
test_scrypt(void)
{
    static const uint8_t pass[] = "correct horse battery staple";
    uint8_t             *file = NULL, *plain = NULL, in[1000];
    size_t               flen = 0, plen = 0;
    sq_age_recipients    to;
    sq_age_identities    ids;
    sq_age_failure       cls;

    sq_random_buf(in, sizeof in);
    memset(&to, 0, sizeof to);
    to.passphrase = pass;
    to.passphrase_len = sizeof pass - 1;
    to.scrypt_log_n = 10;
    CHECK(sq_age_encrypt_buffer(&file, &flen, &to, in, sizeof in) == SQ_OK);
    CHECK(memmem(file, flen, " 10\n", 4) != NULL);
    memset(&ids, 0, sizeof ids);
    ids.passphrase = pass;
    ids.passphrase_len = sizeof pass - 1;
    {
        sq_age_decryptor *d = NULL;
        src               s = { file, flen, 0 };

        CHECK(sq_age_decrypt_start(&d, src_read, &s) == SQ_OK);
        CHECK(sq_age_decryptor_wants_passphrase(d));
        sq_age_decryptor_free(d);
    }
    CHECK(decrypt(&plain, &plen, &cls, file, flen, &ids, 0, 4096) == SQ_OK);
    CHECK(plen == sizeof in && memcmp(plain, in, sizeof in) == 0);
    free(plain);
    /* the caller's cap below the file's work factor */
    ids.max_log_n = 9;
    check_fails(file, flen, &ids, SQ_AGE_LIMIT, "max_log_n");
    ids.max_log_n = 0;
    /* wrong passphrase, no passphrase, an X25519 identity only */
    ids.passphrase_len--;
    check_fails(file, flen, &ids, SQ_AGE_NO_MATCH, "wrong passphrase");
    ids.passphrase = NULL;
    ids.passphrase_len = 0;
    check_fails(file, flen, &ids, SQ_AGE_NO_MATCH, "no passphrase");
    {
        sq_age_identities x = ids_x25519(0, 1);

        check_fails(file, flen, &x, SQ_AGE_NO_MATCH, "x25519 for scrypt");
    }
    /* armored scrypt */
    free(file);
    to.armor = true;
    CHECK(sq_age_encrypt_buffer(&file, &flen, &to, in, sizeof in) == SQ_OK);
    ids.passphrase = pass;
    ids.passphrase_len = sizeof pass - 1;
    CHECK(decrypt(&plain, &plen, &cls, file, flen, &ids, 3, 100) == SQ_OK && plen == sizeof in);
    free(plain);
    free(file);
    /* encryption refuses work factors above the cap and mixed recipients */
    to.scrypt_log_n = SQ_AGE_SCRYPT_LOG_N_MAX + 1;
    CHECK(sq_age_encrypt_buffer(&file, &flen, &to, in, sizeof in) == SQ_ERR_INVALID);
    to.scrypt_log_n = 10;
    to.x25519 = (const uint8_t(*)[32])pk[0];
    to.n_x25519 = 1;
    CHECK(sq_age_encrypt_buffer(&file, &flen, &to, in, sizeof in) == SQ_ERR_INVALID);
    to.passphrase = NULL;
    to.n_x25519 = 0;
    CHECK(sq_age_encrypt_buffer(&file, &flen, &to, in, sizeof in) == SQ_ERR_INVALID);
}

typedef struct {
    uint8_t *p;
    size_t   len;
} sink;

static sq_err
sink_write(void *ctx, const uint8_t *buf, size_t len)
{
    sink *s = ctx;

    memcpy(s->p + s->len, buf, len);
    s->len += len;
    return SQ_OK;
}

/* the streaming encryptor fed in odd pieces gives a file that decrypts */
static void
test_streaming_pieces(void)
{
    size_t            size = 3 * 65536 + 5, flen = 0, plen = 0;
    uint8_t          *in = malloc(size), *plain = NULL;
    sq_age_recipients to;
    sq_age_encryptor *e = NULL;
    sq_age_identities ids = ids_x25519(0, 1);
    sq_age_failure    cls;
    sink              out = { malloc(size + 4096), 0 };
    static const size_t pieces[] = { 1, 65535, 65536, 2, 65536, 3 };

    sq_random_buf(in, size);
    memset(&to, 0, sizeof to);
    to.x25519 = (const uint8_t(*)[32])pk[0];
    to.n_x25519 = 1;
    {
        size_t off = 0;

        CHECK(sq_age_encrypt_start(&e, &to, sink_write, &out) == SQ_OK);
        for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++) {
            CHECK(sq_age_encrypt_update(e, in + off, pieces[i]) == SQ_OK);
            off += pieces[i];
        }
        CHECK(off == size);
        CHECK(sq_age_encrypt_finish(e) == SQ_OK);
        CHECK(sq_age_encrypt_finish(e) == SQ_ERR_INVALID);
        CHECK(sq_age_encrypt_update(e, in, 1) == SQ_ERR_INVALID);
        sq_age_encryptor_free(e);
    }
    flen = out.len;
    CHECK(decrypt(&plain, &plen, &cls, out.p, flen, &ids, 0, 1 << 20) == SQ_OK);
    CHECK(plen == size && memcmp(plain, in, size) == 0);
    free(plain);
    free(out.p);
    free(in);
}

static void
test_many_recipients(void)
{
    uint8_t (*many)[32] = malloc(SQ_AGE_MAX_RECIPIENTS * 32 + 32);
    uint8_t          *file = NULL, *plain = NULL;
    size_t            flen = 0, plen = 0;
    sq_age_recipients to;
    sq_age_identities ids = ids_x25519(2, 1);
    sq_age_failure    cls;

    for (size_t i = 0; i < SQ_AGE_MAX_RECIPIENTS + 1; i++)
        memcpy(many[i], pk[i % 3], 32);
    memset(&to, 0, sizeof to);
    to.x25519 = (const uint8_t(*)[32])many;
    to.n_x25519 = 5;
    CHECK(sq_age_encrypt_buffer(&file, &flen, &to, (const uint8_t *)"x", 1) == SQ_OK);
    CHECK(decrypt(&plain, &plen, &cls, file, flen, &ids, 0, 10) == SQ_OK && plen == 1);
    free(plain);
    free(file);
    to.n_x25519 = SQ_AGE_MAX_RECIPIENTS + 1;
    CHECK(sq_age_encrypt_buffer(&file, &flen, &to, (const uint8_t *)"x", 1) == SQ_ERR_INVALID);
    /* a low-order recipient key is refused */
    memset(many[0], 0, 32);
    to.n_x25519 = 1;
    CHECK(sq_age_encrypt_buffer(&file, &flen, &to, (const uint8_t *)"x", 1) == SQ_ERR_INVALID);
    free(many);
}

/* an armored file whose length is a multiple of 48: the last data line is
 * full and END follows it directly (no empty line) */
static void
test_armor_full_last_line(void)
{
    uint8_t          *file = NULL, *plain = NULL, in[40] = "forty bytes of plaintext, no more, no...";
    size_t            flen = 0, plen = 0;
    sq_age_recipients to;
    sq_age_identities ids = ids_x25519(0, 1);
    sq_age_failure    cls;
    const char       *end;

    memset(&to, 0, sizeof to);
    to.x25519 = (const uint8_t(*)[32])pk[0];
    to.n_x25519 = 1;
    to.armor = true;
    /* one recipient: a 168-byte header, a 16-byte nonce, 40 + 16 of chunk: 240 = 5 * 48 */
    CHECK(sq_age_encrypt_buffer(&file, &flen, &to, in, sizeof in) == SQ_OK);
    end = memmem(file, flen, "\n-----END", 9);
    CHECK(end != NULL && memmem(file, flen, "\n\n", 2) == NULL);
    CHECK(end != NULL && end[-1] != '=' && end - 64 > (const char *)file && end[-65] == '\n');
    CHECK(decrypt(&plain, &plen, &cls, file, flen, &ids, 5, 7) == SQ_OK && plen == sizeof in);
    free(plain);
    /* an empty line before END is an armor failure */
    {
        uint8_t *copy = malloc(flen + 1);
        size_t   at = (size_t)((const uint8_t *)end - file) + 1;

        memcpy(copy, file, at);
        copy[at] = '\n';
        memcpy(copy + at + 1, file + at, flen - at);
        check_fails(copy, flen + 1, &ids, SQ_AGE_ARMOR_FAILURE, "empty last line");
        free(copy);
    }
    free(file);
}

/* the caps on what a header may cost: stanzas, arguments, size */
static void
test_header_caps(void)
{
    sq_age_identities ids = ids_x25519(0, 1);
    size_t            cap = (size_t)3 << 20, len = 0;
    char             *h = malloc(cap);

    len = (size_t)sprintf(h, "age-encryption.org/v1\n");
    for (int i = 0; i < SQ_AGE_MAX_RECIPIENTS + 1; i++)
        len += (size_t)sprintf(h + len, "-> x\n\n");
    len += (size_t)sprintf(h + len, "--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n");
    check_fails((uint8_t *)h, len, &ids, SQ_AGE_LIMIT, "1025 stanzas");

    len = (size_t)sprintf(h, "age-encryption.org/v1\n->");
    for (int i = 0; i < 33; i++)
        len += (size_t)sprintf(h + len, " a");
    len += (size_t)sprintf(h + len, "\n\n--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n");
    check_fails((uint8_t *)h, len, &ids, SQ_AGE_LIMIT, "33 arguments");
    /* 32 are fine: the unknown stanza is skipped, and nothing else matches */
    len = (size_t)sprintf(h, "age-encryption.org/v1\n->");
    for (int i = 0; i < 32; i++)
        len += (size_t)sprintf(h + len, " a");
    len += (size_t)sprintf(h + len, "\n\n--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n");
    check_fails((uint8_t *)h, len, &ids, SQ_AGE_NO_MATCH, "32 arguments");

    /* a header over 1 MiB: one stanza with a long body, refused at the cap */
    len = (size_t)sprintf(h, "age-encryption.org/v1\n-> x\n");
    while (len < SQ_AGE_HEADER_MAX_BYTES + 100) {
        memset(h + len, 'A', 64);
        h[len + 64] = '\n';
        len += 65;
    }
    len += (size_t)sprintf(h + len, "\n--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n");
    check_fails((uint8_t *)h, len, &ids, SQ_AGE_LIMIT, "header over 1 MiB");
    free(h);
}

static void
test_not_age(void)
{
    sq_age_identities ids = ids_x25519(0, 1);

    check_fails((const uint8_t *)"", 0, &ids, SQ_AGE_HEADER_FAILURE, "empty");
    check_fails((const uint8_t *)"hello world\n", 12, &ids, SQ_AGE_HEADER_FAILURE, "text");
    check_fails((const uint8_t *)"age-encryption.org/v1\n", 22, &ids, SQ_AGE_HEADER_FAILURE,
                "version only");
    check_fails((const uint8_t *)"-----BEGIN AGE ENCRYPTED FILE-----\n", 35, &ids,
                SQ_AGE_ARMOR_FAILURE, "armor without end");
}

int
main(void)
{
    static const size_t sizes[] = { 0, 1, 65535, 65536, 65537, 131072, 3u << 20 };

    sq_test_init("test_age");
    for (int i = 0; i < 3; i++) {
        sq_random_buf(sk[i], 32);
        CHECK(sq_age_x25519_public(pk[i], sk[i]) == SQ_OK);
    }
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        round_trip(sizes[i], false);
        round_trip(sizes[i], true);
    }
    test_scrypt();
    test_streaming_pieces();
    test_many_recipients();
    test_armor_full_last_line();
    test_header_caps();
    test_not_age();
    return sq_test_done();
}
