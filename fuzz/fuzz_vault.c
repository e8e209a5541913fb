/* fuzz_vault.c: the ciphertext side of every vault parser at once (slot
 * areas, roots, objects, index and record segments, free list, chunk
 * reader). A small vault is built once; each input is a list of patches
 * (LE32 offset, XOR byte) applied to its image, optionally a truncation.
 * The KDF and the slot scan are skipped (fuzz_slots covers them); the
 * level is opened with its known slot plaintext. The promise checked: whatever the damage, a document that extracts
 * without error has exactly its original bytes (SHA-256), and nothing
 * crashes, leaks or reads out of bounds. */
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandyq/vault.h"
#include "util/bytes.h"
#include "util/random.h"
#include "vault/vault_internal.h"

static uint8_t *image;
static size_t   image_len;
static char     path[256];
static uint8_t  sums[3][32];
static const char *names[3] = {"empty", "note.txt", "photos/ы.jpg"};
static const size_t sizes[3] = {0, 1000, 70000};
static const sq_secret_view PASS = {(const uint8_t *)"fuzz pass", 9};
static sq_slot_plain plain;              /* the level's slot plaintext: skips the KDF */
static unsigned      slot;

static void
build_image(void)
{
    uint8_t   seed[32] = {7};
    sq_vault *v = NULL;
    int       fd;
    struct stat st;

    setenv("SANDYQ_INSECURE_TEST_KDF", "1", 1);
    if (sq_lib_init() != SQ_OK)
        abort();
    sq_random_set_test_seed(seed);
    snprintf(path, sizeof path, "%s/sq-fuzz-vault-%d", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
             (int)getpid());
    unlink(path);
    if (sq_vault_create(path, "test", true, PASS, NULL) != SQ_OK ||
        sq_vault_open(&v, path, true, PASS) != SQ_OK)
        abort();
    for (int i = 0; i < 3; i++) {
        uint8_t    *b = malloc(sizes[i] + 1);
        int         p[2];
        sq_add_opts o = {0};
        sq_random_buf(b, sizes[i]);
        crypto_hash_sha256(sums[i], b, sizes[i]);
        if ((fd = memfd_create("in", 0)) < 0 || write(fd, b, sizes[i]) != (ssize_t)sizes[i] ||
            lseek(fd, 0, SEEK_SET) != 0)
            abort();
        (void)p;
        o.name = names[i];
        o.name_len = strlen(names[i]);
        if (sq_vault_add_fd(v, fd, &o) != SQ_OK)
            abort();
        close(fd);
        free(b);
    }
    if (sq_vault_commit(v) != SQ_OK)
        abort();
    plain = v->k->plain;
    slot = v->session_slot;
    sq_vault_close(v);
    fd = open(path, O_RDONLY);
    fstat(fd, &st);
    image_len = (size_t)st.st_size;
    image = malloc(image_len);
    if (pread(fd, image, image_len, 0) != (ssize_t)image_len)
        abort();
    close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t  *img;
    size_t    len;
    sq_vault *v = NULL;
    int       fd;

    if (image == NULL)
        build_image();
    img = malloc(image_len);
    memcpy(img, image, image_len);
    len = image_len;
    for (size_t i = 0; i + 5 <= size; i += 5) {
        uint32_t off = sq_load_le32(data + i);
        if (off == 0xffffffffu) {                 /* truncation marker: cut at the XOR byte's block */
            len = len * data[i + 4] / 256;
            continue;
        }
        img[off % image_len] ^= data[i + 4] ? data[i + 4] : 1;
    }
    if ((fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) < 0 || write(fd, img, len) != (ssize_t)len)
        abort();
    close(fd);
    if (sq_vault_open_keyed(&v, path, false, &plain, slot) == SQ_OK) {
        size_t n = sq_vault_count(v);
        for (size_t i = 0; i < n; i++) {
            sq_doc_info info;
            sq_damage   dmg;
            int         out = memfd_create("out", 0);
            sq_vault_doc_at(v, i, &info);
            if (sq_vault_extract(v, i, out, &dmg, NULL, NULL) == SQ_OK) {
                struct stat st;
                uint8_t    *b, sum[32];
                int         k = -1;
                fstat(out, &st);
                b = malloc((size_t)st.st_size + 1);
                if (pread(out, b, (size_t)st.st_size, 0) != st.st_size)
                    abort();
                crypto_hash_sha256(sum, b, (size_t)st.st_size);
                for (int j = 0; j < 3; j++)
                    if (info.name_len == strlen(names[j]) && memcmp(info.name, names[j], info.name_len) == 0)
                        k = j;
                /* authenticated output is the original, always */
                if (k < 0 || memcmp(sum, sums[k], 32) != 0 || (size_t)st.st_size != sizes[k])
                    abort();
                free(b);
            }
            close(out);
        }
        (void)sq_vault_check(v, NULL, NULL, NULL, NULL);
        sq_vault_close(v);
    }
    free(img);
    return 0;
}
