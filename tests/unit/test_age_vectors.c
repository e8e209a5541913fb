/* test_age_vectors.c: every file of $SQ_VECTORS/age (the age testkit format,
 * see tests/vectors/age/gen/gen_vectors.c) through sq_age_decrypt_*: the
 * failure class must be the expected one, and the plaintext released (all
 * of it on success, what came before the failure otherwise) must hash to
 * the "payload" line. The public testkit's files can be dropped in as they
 * are. */
#include <dirent.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sandyq/age.h"
#include "testlib.h"

#define MAX_IDS 8

typedef struct {
    const uint8_t *p;
    size_t         left;
} src;

static sq_err
src_read(void *ctx, uint8_t *buf, size_t cap, size_t *got)
{
    src   *s = ctx;
    size_t n = s->left < cap ? s->left : cap;

    memcpy(buf, s->p, n);
    s->p += n;
    s->left -= n;
    *got = n;
    return SQ_OK;
}

static const char *
class_name(sq_age_failure f)
{
    switch (f) {
    case SQ_AGE_OK: return "success";
    case SQ_AGE_NO_MATCH: return "no match";
    case SQ_AGE_HMAC_FAILURE: return "HMAC failure";
    case SQ_AGE_HEADER_FAILURE: return "header failure";
    case SQ_AGE_LIMIT: return "header failure";   /* a cost refused: the header is not accepted */
    case SQ_AGE_PAYLOAD_FAILURE: return "payload failure";
    case SQ_AGE_ARMOR_FAILURE: return "armor failure";
    }
    return "?";
}

/* copies a header value; a value too long for its field fails the vector */
static bool
field(char *dst, size_t cap, const char *value)
{
    size_t n = strlen(value);

    if (n >= cap)
        return false;
    memcpy(dst, value, n + 1);
    return true;
}

static uint8_t *
slurp(const char *path, size_t *len)
{
    FILE    *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    long     n;

    if (f == NULL)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)n + 1)) != NULL && fread(buf, 1, (size_t)n, f) == (size_t)n)
        *len = (size_t)n;
    fclose(f);
    return buf;
}

static void
run_file(const char *name, const uint8_t *data, size_t len)
{
    char              expect[64] = "", payload_hex[65] = "", pass[256] = "";
    uint8_t           sks[MAX_IDS][32], digest[32], buf[70000];
    size_t            n_ids = 0, pos = 0, got = 0;
    bool              have_pass = false, have_payload = false, skip = false;
    sq_age_identities ids;
    sq_age_decryptor *d = NULL;
    crypto_hash_sha256_state h;
    src               s;
    sq_err            ret;
    char              hex[65];

    /* the textual header: "key: value" lines up to an empty line */
    for (;;) {
        const uint8_t *nl = memchr(data + pos, '\n', len - pos);
        size_t         l;
        char           line[512];

        if (nl == NULL) {
            CHECK(!"vector without an empty line");
            return;
        }
        l = (size_t)(nl - (data + pos));
        if (l >= sizeof line) {
            CHECK(!"vector header line too long");
            return;
        }
        memcpy(line, data + pos, l);
        line[l] = '\0';
        pos += l + 1;
        if (l == 0)
            break;
        if (strncmp(line, "expect: ", 8) == 0)
            CHECK(field(expect, sizeof expect, line + 8));
        else if (strncmp(line, "payload: ", 9) == 0) {
            CHECK(field(payload_hex, sizeof payload_hex, line + 9));
            have_payload = true;
        } else if (strncmp(line, "identity: ", 10) == 0) {
            if (n_ids < MAX_IDS &&
                sq_age_identity_parse(sks[n_ids], line + 10, strlen(line + 10)) == SQ_OK)
                n_ids++;
            else
                skip = strncmp(line + 10, "AGE-SECRET-KEY-1", 16) != 0;   /* PQ, plugins */
        } else if (strncmp(line, "passphrase: ", 12) == 0) {
            CHECK(field(pass, sizeof pass, line + 12));
            have_pass = true;
        }
    }
    if (skip || expect[0] == '\0')
        return;
    memset(&ids, 0, sizeof ids);
    ids.x25519 = (const uint8_t(*)[32])sks;
    ids.n_x25519 = n_ids;
    if (have_pass) {
        ids.passphrase = (const uint8_t *)pass;
        ids.passphrase_len = strlen(pass);
    }
    s.p = data + pos;
    s.left = len - pos;
    crypto_hash_sha256_init(&h);
    ret = sq_age_decrypt_start(&d, src_read, &s);
    if (ret == SQ_OK)
        ret = sq_age_decrypt_unwrap(d, &ids);
    while (ret == SQ_OK) {
        ret = sq_age_decrypt_read(d, buf, sizeof buf, &got);
        if (ret != SQ_OK || got == 0)
            break;
        crypto_hash_sha256_update(&h, buf, got);
    }
    crypto_hash_sha256_final(&h, digest);
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    if (!CHECK(strcmp(class_name(ret == SQ_OK ? SQ_AGE_OK : sq_age_decryptor_failure(d)), expect) == 0))
        fprintf(stderr, "     %s: expected '%s', got '%s' (err %d)\n", name, expect,
                class_name(ret == SQ_OK ? SQ_AGE_OK : sq_age_decryptor_failure(d)), (int)ret);
    if (have_pass)
        CHECK(ret != SQ_OK || sq_age_decryptor_wants_passphrase(d));
    if (have_payload && !CHECK(strcmp(hex, payload_hex) == 0))
        fprintf(stderr, "     %s: released plaintext does not match the payload hash\n", name);
    sq_age_decryptor_free(d);
    sodium_memzero(sks, sizeof sks);
}

int
main(void)
{
    const char    *base = getenv("SQ_VECTORS");
    char           dir[4096], path[8192];
    DIR           *dp;
    struct dirent *de;
    size_t         files = 0;

    sq_test_init("test_age_vectors");
    snprintf(dir, sizeof dir, "%s/age", base ? base : "tests/vectors");
    if (!CHECK((dp = opendir(dir)) != NULL)) {
        fprintf(stderr, "     no folder %s\n", dir);
        return sq_test_done();
    }
    while ((de = readdir(dp)) != NULL) {
        struct stat st;
        uint8_t    *data;
        size_t      len = 0;

        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;   /* gen/ */
        if ((data = slurp(path, &len)) == NULL) {
            CHECK(!"unreadable vector");
            continue;
        }
        run_file(de->d_name, data, len);
        free(data);
        files++;
    }
    closedir(dp);
    /* a run over an empty folder must not pass */
    CHECK(files >= 40);
    printf("%zu age vectors\n", files);
    return sq_test_done();
}
