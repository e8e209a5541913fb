/* test_vault.c: the vault engine through its API: round trips at chunk
 * boundaries (from files and pipes), a tamper twin for each, wrong
 * passphrases, truncation, fault injection during commits, rm and rekey
 * destroying old keys' blocks, name rules, locking, segment merging. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandyq/vault.h"
#include "testlib.h"
#include "util/io.h"
#include "util/random.h"
#include "vault/vault_internal.h"

static char dir[4096];
static const sq_secret_view PASS = {(const uint8_t *)"correct horse", 13};
static const sq_secret_view PASS2 = {(const uint8_t *)"Кыргызча сырсөз", 28};
static const sq_secret_view WRONG = {(const uint8_t *)"correct hors", 12};

/* a path under the test folder; each distinct name keeps its own buffer */
static const char *
path_of(const char *name)
{
    static char  p[64][4200];
    static char  names[64][64];
    static int   n;

    for (int i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return p[i];
    if (n == 64 || strlen(name) >= sizeof names[0])
        abort();
    snprintf(names[n], sizeof names[n], "%s", name);
    snprintf(p[n], sizeof p[n], "%s/%s", dir, name);
    return p[n++];
}

static uint8_t *
random_bytes(size_t n)
{
    uint8_t *b = malloc(n ? n : 1);
    sq_random_buf(b, n);
    return b;
}

static void
write_file(const char *path, const uint8_t *b, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || (n > 0 && write(fd, b, n) != (ssize_t)n))
        abort();
    close(fd);
}

/* extract document name into a memory buffer through a temp file */
static sq_err
extract(sq_vault *v, const char *name, uint8_t **out, size_t *out_len, sq_damage *dmg)
{
    size_t      idx;
    sq_err      ret = sq_vault_find(v, name, strlen(name), &idx);
    const char *tmp = path_of("extract.out");
    int         fd;
    struct stat st;

    *out = NULL;
    *out_len = 0;
    if (ret != SQ_OK)
        return ret;
    fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC, 0600);
    ret = sq_vault_extract(v, idx, fd, dmg, NULL, NULL);
    fstat(fd, &st);
    *out_len = (size_t)st.st_size;
    *out = malloc(*out_len ? *out_len : 1);
    if (*out_len > 0 && pread(fd, *out, *out_len, 0) != (ssize_t)*out_len)
        abort();
    close(fd);
    unlink(tmp);
    return ret;
}

static sq_err
add_buf(sq_vault *v, const char *name, const uint8_t *b, size_t n, bool via_pipe, bool replace)
{
    sq_add_opts o = {0};
    sq_err      ret;
    int         fd;

    o.name = name;
    o.name_len = strlen(name);
    o.replace = replace;
    if (!via_pipe) {
        write_file(path_of("input"), b, n);
        fd = open(path_of("input"), O_RDONLY);
        ret = sq_vault_add_fd(v, fd, &o);
        close(fd);
        return ret;
    }
    int   p[2];
    pid_t pid;
    if (pipe(p) != 0)
        abort();
    if ((pid = fork()) == 0) {
        close(p[0]);
        size_t off = 0;
        while (off < n) {
            ssize_t w = write(p[1], b + off, n - off > 7000 ? 7000 : n - off);   /* odd pieces */
            if (w <= 0)
                _exit(1);
            off += (size_t)w;
        }
        _exit(0);
    }
    close(p[1]);
    ret = sq_vault_add_fd(v, p[0], &o);
    close(p[0]);
    waitpid(pid, NULL, 0);
    return ret;
}

static void
test_roundtrip_boundaries(void)
{
    static const size_t sizes[] = {0, 1, 65535, 65536, 65537, 131072, 1000000};
    const char *vp = path_of("rt.sq");
    sq_vault   *v = NULL;
    uint8_t    *data[7];

    CHECK_EQ_INT(sq_vault_create(vp, "test", true, PASS, "owner"), SQ_OK);
    CHECK_EQ_INT(sq_vault_create(vp, "test", true, PASS, NULL), SQ_ERR_EXISTS);
    CHECK_EQ_INT(sq_vault_open(&v, vp, true, PASS), SQ_OK);
    for (int i = 0; i < 7; i++) {
        char name[64];
        data[i] = random_bytes(sizes[i]);
        snprintf(name, sizeof name, "file-%zu", sizes[i]);
        CHECK_EQ_INT(add_buf(v, name, data[i], sizes[i], false, false), SQ_OK);
        snprintf(name, sizeof name, "pipe/%zu", sizes[i]);
        CHECK_EQ_INT(add_buf(v, name, data[i], sizes[i], true, false), SQ_OK);
    }
    CHECK_EQ_INT(sq_vault_commit(v), SQ_OK);
    sq_vault_close(v);
    CHECK_EQ_INT(sq_vault_open(&v, vp, false, PASS), SQ_OK);
    if (v == NULL) {
        fprintf(stderr, "detail: %s\n", sq_vault_last_detail(NULL));
        return;
    }
    CHECK_EQ_INT(sq_vault_count(v), 14);
    for (int i = 0; i < 7; i++) {
        char name[64];
        for (int k = 0; k < 2; k++) {
            uint8_t  *out;
            size_t    len;
            sq_damage dmg;
            uint8_t   want[32];
            sq_doc_info info;
            size_t    idx;
            snprintf(name, sizeof name, k ? "pipe/%zu" : "file-%zu", sizes[i]);
            CHECK_EQ_INT(extract(v, name, &out, &len, &dmg), SQ_OK);
            CHECK(len == sizes[i] && (len == 0 || memcmp(out, data[i], len) == 0));
            free(out);
            CHECK_EQ_INT(sq_vault_find(v, name, strlen(name), &idx), SQ_OK);
            sq_vault_doc_at(v, idx, &info);
            crypto_hash_sha256(want, data[i], sizes[i]);
            CHECK(memcmp(info.sha256, want, 32) == 0);
            CHECK_EQ_INT(info.size, sizes[i]);
        }
    }
    sq_vault_close(v);
    /* tamper twin: one flipped byte inside the 1,000,000-byte document's chunk 7 */
    CHECK_EQ_INT(sq_vault_open(&v, vp, false, PASS), SQ_OK);
    size_t idx;
    CHECK_EQ_INT(sq_vault_find(v, "file-1000000", 12, &idx), SQ_OK);
    const sq_doc *d = v->view[idx];
    uint64_t off = 7ull * 65552 + 100, base = 0, at = 0;
    for (uint32_t e = 0; e < d->n_extents; e++) {
        uint64_t len = (uint64_t)d->extents[e].count * 4096;
        if (off < base + len) {
            at = sq_block_offset(d->extents[e].start) + (off - base);
            break;
        }
        base += len;
    }
    sq_vault_close(v);
    int fd = open(vp, O_RDWR);
    uint8_t b;
    CHECK(pread(fd, &b, 1, (off_t)at) == 1);
    b ^= 0x20;
    CHECK(pwrite(fd, &b, 1, (off_t)at) == 1);
    close(fd);
    CHECK_EQ_INT(sq_vault_open(&v, vp, false, PASS), SQ_OK);
    uint8_t  *out;
    size_t    len;
    sq_damage dmg = {0};
    CHECK_EQ_INT(extract(v, "file-1000000", &out, &len, &dmg), SQ_ERR_DAMAGED);
    CHECK_EQ_INT(dmg.chunk, 7);
    CHECK(len <= 7 * 65536);              /* nothing past the bad chunk was released */
    free(out);
    CHECK_EQ_INT(sq_vault_check(v, NULL, NULL, NULL, NULL), SQ_ERR_DAMAGED);
    /* the other documents are untouched */
    CHECK_EQ_INT(extract(v, "pipe/1000000", &out, &len, &dmg), SQ_OK);
    free(out);
    sq_vault_close(v);
    for (int i = 0; i < 7; i++)
        free(data[i]);
}

static void
test_unlock_failures(void)
{
    const char *vp = path_of("wrong.sq"), *rp = path_of("random.sq"), *ep = path_of("empty.sq");
    sq_vault   *v = NULL;
    uint8_t    *r = random_bytes(2 << 20);

    CHECK_EQ_INT(sq_vault_create(vp, "test", true, PASS, NULL), SQ_OK);
    CHECK_EQ_INT(sq_vault_open(&v, vp, false, WRONG), SQ_ERR_AUTH);
    CHECK(v == NULL);
    write_file(rp, r, 2 << 20);
    CHECK_EQ_INT(sq_vault_open(&v, rp, false, PASS), SQ_ERR_AUTH);
    write_file(ep, r, 0);
    CHECK_EQ_INT(sq_vault_open(&v, ep, false, PASS), SQ_ERR_AUTH);
    CHECK_EQ_INT(sq_vault_open(&v, path_of("missing.sq"), false, PASS), SQ_ERR_NOTFOUND);
    /* the test profile is refused without the variable, and never tried */
    unsetenv("SANDYQ_INSECURE_TEST_KDF");
    CHECK_EQ_INT(sq_vault_create(path_of("t2.sq"), "test", true, PASS, NULL), SQ_ERR_INVALID);
    setenv("SANDYQ_INSECURE_TEST_KDF", "1", 1);
    free(r);
}

static void
test_salt_and_slot_damage(void)
{
    const char *vp = path_of("salt.sq");
    sq_vault   *v = NULL;
    int         fd;
    uint8_t     b;

    CHECK_EQ_INT(sq_vault_create(vp, "test", true, PASS, NULL), SQ_OK);
    /* a flipped bit in salt A: the vault still opens through salt B and area B */
    fd = open(vp, O_RDWR);
    CHECK(pread(fd, &b, 1, 5) == 1);
    b ^= 1;
    CHECK(pwrite(fd, &b, 1, 5) == 1);
    close(fd);
    CHECK_EQ_INT(sq_vault_open(&v, vp, false, PASS), SQ_OK);
    sq_vault_close(v);
    /* and with area A wiped entirely */
    fd = open(vp, O_RDWR);
    uint8_t *junk = random_bytes(64 * 136);
    CHECK(pwrite(fd, junk, 64 * 136, 32) == 64 * 136);
    close(fd);
    free(junk);
    CHECK_EQ_INT(sq_vault_open(&v, vp, false, PASS), SQ_OK);
    sq_vault_close(v);
}

/* fault injection: fail the n-th write of a commit */
typedef struct {
    int count, fail_at, err;
} fault;

static int
fault_hook(void *ctx, const sq_io_op *op, size_t *short_len)
{
    fault *f = ctx;

    (void)short_len;
    if (op->kind != SQ_IO_PWRITE && op->kind != SQ_IO_FDATASYNC && op->kind != SQ_IO_FSYNC)
        return 0;
    if (++f->count == f->fail_at)
        return f->err;
    return 0;
}

static void
test_fault_injection(void)
{
    const char *vp = path_of("fault.sq");
    sq_vault   *v = NULL;
    uint8_t    *a = random_bytes(300000), *b = random_bytes(200000);
    int         total_ops;

    CHECK_EQ_INT(sq_vault_create(vp, "test", true, PASS, NULL), SQ_OK);
    CHECK_EQ_INT(sq_vault_open(&v, vp, true, PASS), SQ_OK);
    CHECK_EQ_INT(add_buf(v, "a", a, 300000, false, false), SQ_OK);
    CHECK_EQ_INT(sq_vault_commit(v), SQ_OK);
    sq_vault_close(v);
    /* count the operations of the second add + commit */
    fault f = {0, -1, 0};
    sq_io_set_hook(fault_hook, &f);
    CHECK_EQ_INT(sq_vault_open(&v, path_of("fault.sq"), true, PASS), SQ_OK);
    f.count = 0;
    CHECK_EQ_INT(add_buf(v, "b", b, 200000, false, false), SQ_OK);
    CHECK_EQ_INT(sq_vault_remove(v, 0), SQ_OK);             /* "a" */
    CHECK_EQ_INT(sq_vault_commit(v), SQ_OK);
    total_ops = f.count;
    sq_io_set_hook(NULL, NULL);
    sq_vault_close(v);
    CHECK(total_ops > 5);
    /* now start from the one-document state again and fail each op in turn */
    for (int n = 1; n <= total_ops; n++) {
        const char *fp = path_of("fault2.sq");
        sq_vault   *w = NULL;
        unlink(fp);
        CHECK_EQ_INT(sq_vault_create(fp, "test", true, PASS, NULL), SQ_OK);
        CHECK_EQ_INT(sq_vault_open(&w, fp, true, PASS), SQ_OK);
        CHECK_EQ_INT(add_buf(w, "a", a, 300000, false, false), SQ_OK);
        CHECK_EQ_INT(sq_vault_commit(w), SQ_OK);
        sq_vault_close(w);
        fault g = {0, n, n % 2 ? ENOSPC : EIO};
        CHECK_EQ_INT(sq_vault_open(&w, fp, true, PASS), SQ_OK);
        sq_io_set_hook(fault_hook, &g);
        sq_err r1 = add_buf(w, "b", b, 200000, false, false);
        sq_err r2 = r1 == SQ_OK ? sq_vault_remove(w, 0) : r1;
        sq_err r3 = r2 == SQ_OK ? sq_vault_commit(w) : r2;
        sq_io_set_hook(NULL, NULL);
        sq_vault_close(w);
        /* whatever failed, the vault opens at a committed state */
        CHECK_EQ_INT(sq_vault_open(&w, fp, false, PASS), SQ_OK);
        if (w == NULL)
            continue;
        uint8_t *out;
        size_t   len;
        sq_damage dmg;
        size_t   idx;
        bool has_a = sq_vault_find(w, "a", 1, &idx) == SQ_OK;
        bool has_b = sq_vault_find(w, "b", 1, &idx) == SQ_OK;
        CHECK(has_a || has_b);
        if (r3 != SQ_OK)
            CHECK(r3 == SQ_ERR_NOSPACE || r3 == SQ_ERR_IO);
        if (has_a) {
            CHECK_EQ_INT(extract(w, "a", &out, &len, &dmg), SQ_OK);
            CHECK(len == 300000 && memcmp(out, a, len) == 0);
            free(out);
        }
        if (has_b) {
            CHECK_EQ_INT(extract(w, "b", &out, &len, &dmg), SQ_OK);
            CHECK(len == 200000 && memcmp(out, b, len) == 0);
            free(out);
        }
        CHECK_EQ_INT(sq_vault_check(w, NULL, NULL, NULL, NULL), SQ_OK);
        sq_vault_close(w);
    }
    free(a);
    free(b);
}

static void
test_rm_destroys(void)
{
    const char *vp = path_of("rm.sq");
    sq_vault   *v = NULL;
    uint8_t    *a = random_bytes(500000);
    sq_doc      copy;
    size_t      idx;
    sq_damage   dmg;

    CHECK_EQ_INT(sq_vault_create(vp, "test", true, PASS, NULL), SQ_OK);
    CHECK_EQ_INT(sq_vault_open(&v, vp, true, PASS), SQ_OK);
    CHECK_EQ_INT(add_buf(v, "secret.mp4", a, 500000, false, false), SQ_OK);
    CHECK_EQ_INT(add_buf(v, "keep.txt", a, 1000, false, false), SQ_OK);
    CHECK_EQ_INT(sq_vault_commit(v), SQ_OK);
    CHECK_EQ_INT(sq_vault_find(v, "secret.mp4", 10, &idx), SQ_OK);
    CHECK_EQ_INT(sq_doc_copy(&copy, v->view[idx]), SQ_OK);
    CHECK_EQ_INT(sq_vault_verify_doc(v, &copy, &dmg), SQ_OK);      /* readable before */
    CHECK_EQ_INT(sq_vault_remove(v, idx), SQ_OK);
    CHECK_EQ_INT(sq_vault_commit(v), SQ_OK);
    /* after rm returned: the old record's blocks no longer authenticate */
    CHECK_EQ_INT(sq_vault_verify_doc(v, &copy, &dmg), SQ_ERR_DAMAGED);
    CHECK_EQ_INT(dmg.chunk, 0);
    CHECK_EQ_INT(sq_vault_count(v), 1);
    sq_doc_clear(&copy);
    sq_vault_close(v);
    free(a);
}

static void
test_names_and_locks(void)
{
    const char *vp = path_of("names.sq");
    sq_vault   *v = NULL, *w = NULL;
    uint8_t     x[10] = {0};
    size_t      idx;

    CHECK_EQ_INT(sq_vault_create(vp, "test", true, PASS, NULL), SQ_OK);
    CHECK_EQ_INT(sq_vault_open(&v, vp, true, PASS), SQ_OK);
    CHECK_EQ_INT(sq_vault_open(&w, vp, true, PASS), SQ_ERR_LOCKED);
    CHECK_EQ_INT(sq_vault_open(&w, vp, false, PASS), SQ_ERR_LOCKED);
    CHECK_EQ_INT(add_buf(v, "Straße.txt", x, 10, false, false), SQ_OK);
    CHECK_EQ_INT(add_buf(v, "STRASSE.TXT", x, 10, false, false), SQ_ERR_EXISTS);
    /* NFD input is stored as NFC and collides with its NFC twin */
    CHECK_EQ_INT(add_buf(v, "\xd0\xb9.txt", x, 10, false, false), SQ_OK);           /* й */
    CHECK_EQ_INT(add_buf(v, "\xd0\xb8\xcc\x86.txt", x, 10, false, false), SQ_ERR_EXISTS);
    CHECK_EQ_INT(add_buf(v, "../etc/passwd", x, 10, false, false), SQ_ERR_INVALID);
    CHECK_EQ_INT(add_buf(v, "a//b", x, 10, false, false), SQ_ERR_INVALID);
    CHECK_EQ_INT(add_buf(v, "bell\x07", x, 10, false, false), SQ_ERR_INVALID);
    CHECK_EQ_INT(add_buf(v, "", x, 10, false, false), SQ_ERR_INVALID);
    CHECK_EQ_INT(add_buf(v, "Straße.txt", x, 5, false, true), SQ_OK);               /* --replace */
    CHECK_EQ_INT(sq_vault_find(v, "strasse.txt", 11, &idx), SQ_OK);
    CHECK_EQ_INT(sq_vault_rename(v, idx, "docs/renamed.txt", 16), SQ_OK);
    CHECK_EQ_INT(sq_vault_commit(v), SQ_OK);
    sq_vault_close(v);
    CHECK_EQ_INT(sq_vault_open(&v, vp, false, PASS), SQ_OK);
    CHECK_EQ_INT(sq_vault_count(v), 2);
    CHECK_EQ_INT(sq_vault_find(v, "docs/renamed.txt", 16, &idx), SQ_OK);
    sq_doc_info info;
    sq_vault_doc_at(v, idx, &info);
    CHECK_EQ_INT(info.size, 5);
    sq_vault_close(v);
}

static void
test_many_documents_and_merging(void)
{
    const char *vp = path_of("many.sq");
    sq_vault   *v = NULL;
    uint8_t     x[100];
    int         n = 0;

    sq_random_buf(x, sizeof x);
    CHECK_EQ_INT(sq_vault_create(vp, "test", true, PASS, NULL), SQ_OK);
    for (int session = 0; session < 12; session++) {
        CHECK_EQ_INT(sq_vault_open(&v, vp, true, PASS), SQ_OK);
        if (v == NULL)
            return;
        for (int i = 0; i < (session % 3 == 0 ? 150 : 7); i++) {
            char name[64];
            snprintf(name, sizeof name, "notes/%04d.txt", n++);
            CHECK_EQ_INT(add_buf(v, name, x, sizeof x, false, false), SQ_OK);
        }
        if (session == 5) {                /* remove a few committed ones */
            for (int k = 0; k < 5; k++)
                CHECK_EQ_INT(sq_vault_remove(v, 0), SQ_OK);
            n -= 0;
        }
        CHECK_EQ_INT(sq_vault_commit(v), SQ_OK);
        CHECK(v->n_segs <= SQ_MAX_SEGMENTS);
        sq_vault_close(v);
    }
    CHECK_EQ_INT(sq_vault_open(&v, vp, false, PASS), SQ_OK);
    CHECK_EQ_INT(sq_vault_count(v), n - 5);
    CHECK_EQ_INT(sq_vault_check(v, NULL, NULL, NULL, NULL), SQ_OK);
    sq_vault_close(v);
}

static void
test_ways_in_and_rekey(void)
{
    const char *vp = path_of("keys.sq");
    sq_vault   *v = NULL;
    uint8_t    *a = random_bytes(200000);
    sq_doc      copy;
    size_t      idx;
    sq_damage   dmg;
    uint8_t     old_lk[32];

    CHECK_EQ_INT(sq_vault_create(vp, "test", true, PASS, "owner"), SQ_OK);
    CHECK_EQ_INT(sq_vault_open(&v, vp, true, PASS), SQ_OK);
    CHECK_EQ_INT(add_buf(v, "a", a, 200000, false, false), SQ_OK);
    CHECK_EQ_INT(sq_vault_commit(v), SQ_OK);
    CHECK_EQ_INT(sq_vault_passphrase_add(v, PASS2, "colleague"), SQ_OK);
    CHECK_EQ_INT(sq_vault_ways_count(v), 2);
    sq_vault_close(v);
    CHECK_EQ_INT(sq_vault_open(&v, vp, true, PASS2), SQ_OK);
    sq_way_in way;
    sq_vault_way_at(v, 1, &way);
    CHECK(way.current && strcmp(way.label, "colleague") == 0);
    /* remove the owner's passphrase, then the last one is refused */
    sq_vault_way_at(v, 0, &way);
    CHECK_EQ_INT(sq_vault_passphrase_remove(v, way.slot), SQ_OK);
    sq_vault_way_at(v, 0, &way);
    CHECK_EQ_INT(sq_vault_passphrase_remove(v, way.slot), SQ_ERR_LAST_WAY_IN);
    sq_vault_close(v);
    CHECK_EQ_INT(sq_vault_open(&v, vp, false, PASS), SQ_ERR_AUTH);
    /* change back to PASS */
    CHECK_EQ_INT(sq_vault_open(&v, vp, true, PASS2), SQ_OK);
    CHECK_EQ_INT(sq_vault_passphrase_change(v, PASS), SQ_OK);
    sq_vault_close(v);
    CHECK_EQ_INT(sq_vault_open(&v, vp, false, PASS2), SQ_ERR_AUTH);
    CHECK_EQ_INT(sq_vault_open(&v, vp, true, PASS), SQ_OK);
    CHECK_EQ_INT(sq_vault_passphrase_add(v, PASS2, "second"), SQ_OK);
    /* rekey keeping only the session's passphrase */
    CHECK_EQ_INT(sq_vault_find(v, "a", 1, &idx), SQ_OK);
    CHECK_EQ_INT(sq_doc_copy(&copy, v->view[idx]), SQ_OK);
    memcpy(old_lk, v->k->lk, 32);
    CHECK_EQ_INT(sq_vault_rekey(v, NULL, 0, NULL, NULL), SQ_OK);
    CHECK(memcmp(old_lk, v->k->lk, 32) != 0);
    /* the old document key no longer opens anything at the old places */
    memcpy(v->k->lk, old_lk, 32);
    CHECK_EQ_INT(sq_vault_verify_doc(v, &copy, &dmg), SQ_ERR_DAMAGED);
    sq_doc_clear(&copy);
    sq_vault_close(v);
    CHECK_EQ_INT(sq_vault_open(&v, vp, false, PASS2), SQ_ERR_AUTH);
    CHECK_EQ_INT(sq_vault_open(&v, vp, false, PASS), SQ_OK);
    if (v != NULL) {
        uint8_t *out;
        size_t   len;
        CHECK_EQ_INT(extract(v, "a", &out, &len, &dmg), SQ_OK);
        CHECK(len == 200000 && memcmp(out, a, len) == 0);
        free(out);
        CHECK_EQ_INT(sq_vault_check(v, NULL, NULL, NULL, NULL), SQ_OK);
        sq_vault_close(v);
    }
    free(a);
}

/* A slot the keyring no longer lists (a removal whose wipe was lost in a
 * crash) is passed over: the same passphrase still opens through its
 * registered slot. */
static void
test_half_removed_slot(void)
{
    const char *vp = path_of("half.sq");
    sq_vault   *v = NULL;
    uint8_t     saved[2][136];
    sq_way_in   way;
    unsigned    first;
    int         fd;

    CHECK_EQ_INT(sq_vault_create(vp, "test", true, PASS, NULL), SQ_OK);
    CHECK_EQ_INT(sq_vault_open(&v, vp, true, PASS), SQ_OK);
    CHECK_EQ_INT(sq_vault_passphrase_add(v, PASS, "same passphrase twice"), SQ_OK);
    sq_vault_way_at(v, 0, &way);
    first = way.slot;
    for (int area = 0; area < 2; area++)
        memcpy(saved[area], sq_header_slot(v->header, area, first), 136);
    CHECK_EQ_INT(sq_vault_passphrase_remove(v, (uint8_t)first), SQ_OK);
    sq_vault_close(v);
    /* the crash: the wipe of the removed slot never reached the disk */
    fd = open(vp, O_RDWR);
    for (int area = 0; area < 2; area++)
        CHECK(pwrite(fd, saved[area], 136, (off_t)sq_header_slot_offset(area, first)) == 136);
    close(fd);
    CHECK_EQ_INT(sq_vault_open(&v, vp, false, PASS), SQ_OK);
    if (v != NULL) {
        CHECK(v->session_slot != first);
        sq_vault_close(v);
    }
}

/* A second level planted in the file (a slot for the same passphrase that
 * wraps another level key with a valid root and keyring) is refused as
 * tampering instead of being opened silently. The plant is built with the
 * engine's own functions, as a colleague who kept a KEK could. */
static void
test_planted_level_refused(void)
{
    const char    *vp = path_of("plant.sq");
    sq_vault      *v = NULL;
    sq_vault_keys *real = NULL, *fake = NULL;
    unsigned       j;

    CHECK_EQ_INT(sq_vault_create(vp, "test", true, PASS, NULL), SQ_OK);
    CHECK_EQ_INT(sq_vault_open(&v, vp, true, PASS), SQ_OK);
    if (v == NULL)
        return;
    real = malloc(sizeof *real);
    fake = malloc(sizeof *fake);
    *real = *v->k;
    *fake = *v->k;
    j = (v->session_slot + 1) % 64;
    sq_random_buf(fake->plain.level_key, 32);
    memcpy(fake->lk, fake->plain.level_key, 32);
    sq_level_keys(fake);
    for (int a = 0; a < 4; a++)
        CHECK_EQ_INT(sq_alloc_contig(v, 1, &fake->plain.anchors[a]), SQ_OK);
    /* the fake level: a keyring listing slot j, and a root */
    memcpy(v->k, fake, sizeof *fake);
    v->k->keyring.count = 1;
    CHECK_EQ_INT(sq_make_way_in(v, &v->k->keyring.entries[0], j, 0, PASS, "planted", &fake->plain), SQ_OK);
    uint8_t body[SQ_KEYRING_BODY3_BYTES];
    size_t  len = 0;
    CHECK_EQ_INT(sq_keyring_serialize(body, sizeof body, &len, &v->k->keyring), SQ_OK);
    CHECK_EQ_INT(sq_write_object(v, SQ_OBJ_KEYRING, body, len, &v->k->root.keyring), SQ_OK);
    v->k->root.keyring.entries = 1;
    v->k->root.n_index = 0;
    v->k->root.n_records = 0;
    memset(&v->k->root.freelist, 0, sizeof v->k->root.freelist);
    v->k->root.generation = 1001;
    v->k->root.committed_length = sq_block_offset(v->nblocks);
    CHECK_EQ_INT(sq_fill_fresh(v), SQ_OK);
    CHECK_EQ_INT(sq_write_root(v, &v->k->root, fake->plain.anchors, fake->kmeta), SQ_OK);
    CHECK_EQ_INT(sq_write_slot(v, j), SQ_OK);
    memcpy(v->k, real, sizeof *real);
    v->writable = false;                   /* nothing more from this session */
    sq_vault_close(v);
    /* the honest slot and the planted one both open: refused, with a reason */
    CHECK_EQ_INT(sq_vault_open(&v, vp, false, PASS), SQ_ERR_DAMAGED);
    CHECK(strstr(sq_vault_last_detail(NULL), "two different level keys") != NULL);
    sodium_memzero(real, sizeof *real);
    sodium_memzero(fake, sizeof *fake);
    free(real);
    free(fake);
}

/* A root (validly sealed, e.g. by a colleague) that claims 2^39 blocks for a
 * small file is refused before anything is sized by it. */
static void
test_crafted_committed_length(void)
{
    const char *vp = path_of("huge.sq");
    sq_vault   *v = NULL;
    sq_root    *r;

    CHECK_EQ_INT(sq_vault_create(vp, "test", true, PASS, NULL), SQ_OK);
    CHECK_EQ_INT(sq_vault_open(&v, vp, true, PASS), SQ_OK);
    if (v == NULL)
        return;
    r = malloc(sizeof *r);
    *r = v->k->root;
    r->generation++;
    r->committed_length = sq_block_offset(1ull << 39);
    CHECK_EQ_INT(sq_write_root(v, r, v->k->plain.anchors, v->k->kmeta), SQ_OK);
    v->writable = false;
    sq_vault_close(v);
    free(r);
    CHECK_EQ_INT(sq_vault_open(&v, vp, false, PASS), SQ_ERR_TRUNCATED);
    CHECK(v == NULL);
}

static void
test_truncation(void)
{
    const char *vp = path_of("trunc.sq");
    sq_vault   *v = NULL;
    uint8_t    *a = random_bytes(3000000);
    struct stat st;

    CHECK_EQ_INT(sq_vault_create(vp, "test", true, PASS, NULL), SQ_OK);
    CHECK_EQ_INT(sq_vault_open(&v, vp, true, PASS), SQ_OK);
    CHECK_EQ_INT(add_buf(v, "a", a, 3000000, false, false), SQ_OK);
    CHECK_EQ_INT(sq_vault_commit(v), SQ_OK);
    sq_vault_close(v);
    stat(vp, &st);
    CHECK(truncate(vp, st.st_size - 4096) == 0);
    /* either the state is unreadable, or check reports the truncation */
    sq_err r = sq_vault_open(&v, vp, false, PASS);
    if (r == SQ_OK) {
        CHECK_EQ_INT(sq_vault_check(v, NULL, NULL, NULL, NULL), SQ_ERR_DAMAGED);
        sq_vault_close(v);
        CHECK_EQ_INT(sq_vault_open(&v, vp, true, PASS), SQ_ERR_TRUNCATED);
    } else {
        CHECK(r == SQ_ERR_DAMAGED || r == SQ_ERR_AUTH);
    }
    free(a);
}

/* The level identity (FORMAT.md 13): made at init, stable across commits,
 * passphrase changes and rekey, distinct per purpose; a level made before
 * identities (a keyring of the short form) reads as having none and gets
 * one at its next commit. */
static void
test_level_identity(void)
{
    const char     *vp = path_of("ident.sq");
    sq_vault       *v = NULL;
    sq_level_public a, b, c;
    uint8_t         pk[32];
    uint8_t         one = 1;

    unlink(vp);
    CHECK_EQ_INT(sq_vault_create(vp, "test", true, PASS, NULL), SQ_OK);
    CHECK_EQ_INT(sq_vault_open(&v, vp, false, PASS), SQ_OK);
    CHECK_EQ_INT(sq_vault_identity_public(v, &a), SQ_OK);
    CHECK(v->k->keyring.has_identity);
    CHECK(crypto_scalarmult_base(pk, v->k->keyring.identity.x25519) == 0 && memcmp(pk, a.x25519, 32) == 0);
    CHECK(memcmp(a.ed25519[0], a.ed25519[1], 32) != 0 && memcmp(a.ed25519[1], a.ed25519[2], 32) != 0 &&
          memcmp(a.ed25519[0], a.ed25519[2], 32) != 0);
    CHECK(sodium_is_zero(a.x25519, 32) != 1);
    sq_vault_close(v);

    /* a commit, a new passphrase, a rekey: the same public keys */
    CHECK_EQ_INT(sq_vault_open(&v, vp, true, PASS), SQ_OK);
    CHECK_EQ_INT(add_buf(v, "a.txt", &one, 1, false, false), SQ_OK);
    CHECK_EQ_INT(sq_vault_commit(v), SQ_OK);
    CHECK_EQ_INT(sq_vault_passphrase_add(v, PASS2, "second"), SQ_OK);
    sq_vault_close(v);
    CHECK_EQ_INT(sq_vault_open(&v, vp, true, PASS2), SQ_OK);
    CHECK_EQ_INT(sq_vault_rekey(v, NULL, 0, NULL, NULL), SQ_OK);
    sq_vault_close(v);
    CHECK_EQ_INT(sq_vault_open(&v, vp, false, PASS2), SQ_OK);
    CHECK_EQ_INT(sq_vault_identity_public(v, &b), SQ_OK);
    CHECK(memcmp(&a, &b, sizeof a) == 0);
    sq_vault_close(v);

    /* turn the level into one made before identities: a short keyring
     * written by the internal commit, which does not add one */
    CHECK_EQ_INT(sq_vault_open(&v, vp, true, PASS2), SQ_OK);
    v->k->keyring.has_identity = false;
    sodium_memzero(&v->k->keyring.identity, sizeof v->k->keyring.identity);
    v->keyring_dirty = true;
    CHECK_EQ_INT(sq_commit(v), SQ_OK);
    sq_vault_close(v);
    CHECK_EQ_INT(sq_vault_open(&v, vp, false, PASS2), SQ_OK);
    CHECK(!v->k->keyring.has_identity);
    CHECK_EQ_INT(sq_vault_identity_public(v, &c), SQ_ERR_NOTFOUND);
    CHECK(sodium_is_zero((const uint8_t *)&c, sizeof c) == 1);
    CHECK_EQ_INT(sq_vault_identity_ensure(v), SQ_ERR_INVALID);   /* read-only session */
    sq_vault_close(v);
    /* its next commit gives it a fresh identity, kept from then on */
    CHECK_EQ_INT(sq_vault_open(&v, vp, true, PASS2), SQ_OK);
    CHECK_EQ_INT(sq_vault_commit(v), SQ_OK);                     /* nothing staged: no commit */
    CHECK_EQ_INT(sq_vault_identity_public(v, &c), SQ_ERR_NOTFOUND);
    CHECK_EQ_INT(add_buf(v, "b.txt", &one, 1, false, false), SQ_OK);
    CHECK_EQ_INT(sq_vault_commit(v), SQ_OK);
    CHECK_EQ_INT(sq_vault_identity_public(v, &c), SQ_OK);
    sq_vault_close(v);
    CHECK_EQ_INT(sq_vault_open(&v, vp, false, PASS2), SQ_OK);
    CHECK_EQ_INT(sq_vault_identity_public(v, &b), SQ_OK);
    CHECK(memcmp(&b, &c, sizeof b) == 0 && memcmp(&a, &b, sizeof a) != 0);
    sq_vault_close(v);
    unlink(vp);
}

int
main(void)
{
    sq_test_init("test_vault");
    setenv("SANDYQ_INSECURE_TEST_KDF", "1", 1);
    CHECK_EQ_INT(sq_lib_init(), SQ_OK);
    snprintf(dir, sizeof dir, "%s", sq_test_tmpdir());
    test_roundtrip_boundaries();
    test_unlock_failures();
    test_salt_and_slot_damage();
    test_fault_injection();
    test_rm_destroys();
    test_names_and_locks();
    test_many_documents_and_merging();
    test_ways_in_and_rekey();
    test_level_identity();
    test_truncation();
    test_half_removed_slot();
    test_planted_level_refused();
    test_crafted_committed_length();
    {
        char cmd[4200];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            CHECK(0);
    }
    return sq_test_done();
}
