/* test_sweep.c: single-bit flips at sampled offsets of everything a vault's
 * state depends on outside document chunks: both salts and slot areas, the
 * four root anchors, both copies of every object. After each flip the vault
 * must still open with the passphrase and every document must extract to
 * its exact bytes (FORMAT.md 1: one bad byte outside a document's own chunks
 * never loses a committed document). The step between offsets is
 * SQ_SWEEP_STEP (default 61; 1 is every byte); the bit rotates. The
 * exhaustive every-bit sweep belongs to the next issue's proofs. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandyq/vault.h"
#include "testlib.h"
#include "util/random.h"
#include "vault/vault_internal.h"

static const sq_secret_view PASS = {(const uint8_t *)"sweep passphrase", 16};
static uint8_t    *image;
static size_t      image_len;
static char        path[4200];
static uint8_t    *docs[3];
static const size_t sizes[3] = {100, 70000, 0};
static const char *names[3] = {"a.txt", "dir/b.bin", "empty"};

static void
flip_and_check(size_t off, int bit)
{
    uint8_t  *m = malloc(image_len);
    sq_vault *v = NULL;
    int       fd;

    memcpy(m, image, image_len);
    m[off] ^= (uint8_t)(1u << bit);
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, m, image_len) != (ssize_t)image_len)
        abort();
    close(fd);
    free(m);
    if (!CHECK_EQ_INT(sq_vault_open(&v, path, false, PASS), SQ_OK)) {
        fprintf(stderr, "     flip at offset %zu bit %d: %s\n", off, bit, sq_vault_last_detail(NULL));
        return;
    }
    for (int i = 0; i < 3; i++) {
        size_t      idx;
        sq_damage   dmg;
        struct stat st;
        int         out;
        uint8_t    *b;

        if (!CHECK_EQ_INT(sq_vault_find(v, names[i], strlen(names[i]), &idx), SQ_OK))
            continue;
        out = memfd_create("out", 0);
        if (CHECK_EQ_INT(sq_vault_extract(v, idx, out, &dmg, NULL, NULL), SQ_OK)) {
            fstat(out, &st);
            b = malloc((size_t)st.st_size + 1);
            if (pread(out, b, (size_t)st.st_size, 0) != st.st_size)
                abort();
            CHECK((size_t)st.st_size == sizes[i] && memcmp(b, docs[i], sizes[i]) == 0);
            free(b);
        } else {
            fprintf(stderr, "     flip at offset %zu bit %d lost %s\n", off, bit, names[i]);
        }
        close(out);
    }
    sq_vault_close(v);
}

int
main(void)
{
    sq_vault  *v = NULL;
    uint64_t   meta[512];
    int        nm = 0, n = 0;
    size_t     step = getenv("SQ_SWEEP_STEP") ? (size_t)atol(getenv("SQ_SWEEP_STEP")) : 61;
    struct stat st;
    int        fd;

    sq_test_init("test_sweep");
    setenv("SANDYQ_INSECURE_TEST_KDF", "1", 1);
    CHECK_EQ_INT(sq_lib_init(), SQ_OK);
    if (step == 0)
        step = 61;
    snprintf(path, sizeof path, "%s/sweep.sq", sq_test_tmpdir());
    CHECK_EQ_INT(sq_vault_create(path, "test", true, PASS, NULL), SQ_OK);
    CHECK_EQ_INT(sq_vault_open(&v, path, true, PASS), SQ_OK);
    if (v == NULL)
        return sq_test_done();
    for (int i = 0; i < 3; i++) {
        sq_add_opts o = {0};
        docs[i] = malloc(sizes[i] + 1);
        sq_random_buf(docs[i], sizes[i]);
        fd = memfd_create("in", 0);
        if (write(fd, docs[i], sizes[i]) != (ssize_t)sizes[i] || lseek(fd, 0, SEEK_SET) != 0)
            abort();
        o.name = names[i];
        o.name_len = strlen(names[i]);
        CHECK_EQ_INT(sq_vault_add_fd(v, fd, &o), SQ_OK);
        close(fd);
    }
    CHECK_EQ_INT(sq_vault_commit(v), SQ_OK);
    /* every block the state depends on besides document chunks */
    {
        sq_root  *r = &v->k->root;
        sq_objref refs[2 + 2 * SQ_MAX_SEGMENTS];
        int       nr = 0;
        for (int a = 0; a < 4; a++)
            meta[nm++] = v->k->plain.anchors[a];
        refs[nr++] = r->keyring;
        if (r->freelist.nblocks != 0)
            refs[nr++] = r->freelist;
        for (int i = 0; i < r->n_index; i++)
            refs[nr++] = r->index[i];
        for (int i = 0; i < r->n_records; i++)
            refs[nr++] = r->records[i];
        for (int i = 0; i < nr; i++)
            for (uint32_t b = 0; b < refs[i].nblocks && nm + 2 <= 512; b++) {
                meta[nm++] = refs[i].block_a + b;
                meta[nm++] = refs[i].block_b + b;
            }
    }
    sq_vault_close(v);
    fd = open(path, O_RDONLY);
    fstat(fd, &st);
    image_len = (size_t)st.st_size;
    image = malloc(image_len);
    if (pread(fd, image, image_len, 0) != (ssize_t)image_len)
        abort();
    close(fd);
    CHECK(nm >= 8);
    for (size_t off = 0; off < SQ_HEADER_USED_BYTES; off += step, n++)
        flip_and_check(off, n % 8);
    for (int m = 0; m < nm; m++)
        for (size_t off = (size_t)m % step; off < SQ_BLOCK_BYTES; off += step, n++)
            flip_and_check(sq_block_offset(meta[m]) + off, n % 8);
    printf("%d flips over the header and %d metadata blocks\n", n, nm);
    unlink(path);
    free(image);
    for (int i = 0; i < 3; i++)
        free(docs[i]);
    return sq_test_done();
}
