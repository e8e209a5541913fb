/* test_sweep.c: single-bit flips over a vault holding a few small documents,
 * then truncation and extension (FORMAT.md 1, 2, 6, 7, 9, 10).
 *
 * Every flip is made in place (pwrite of one byte, restored after) and
 * followed by a read-only unlock with the passphrase, an extraction of every
 * document and a check:
 *   - outside document chunks (salts, both slot areas with all 64 slots each,
 *     the filler, the four root anchors, both copies of every object, the
 *     random tail of a document's last block, free-list extents and free
 *     blocks): the vault opens and every document extracts byte-exact; check
 *     finds no error, and warns where FORMAT.md says it does (a bad copy of a
 *     current root or object, a changed slot of the level);
 *   - inside chunk j of document d: extracting d fails with SQ_ERR_DAMAGED
 *     and damage.chunk == j, after releasing exactly chunks 0..j-1, never a
 *     wrong byte; every other document extracts byte-exact; check reports one
 *     error, d's chunk j.
 * The same source builds two tests. This one is the fast default: every bit
 * of both salts, of the slots in use and of the first 24 and last 16 bytes
 * of every anchor and object block; every 29th bit of the rest of the header,
 * anchors and objects; 300 random bits in chunks and 300 in free space (under
 * ASan every 97th bit, 200 + 200). test_sweep_slow.c (SQ_SWEEP_EXHAUSTIVE)
 * takes every bit of the header, anchors and objects and 4000 + 4000 random
 * bits, runs check after every 9th of the flips that promise no error (and
 * after every flip in a chunk, salt or slot in use), and splits the flips
 * over two worker processes, each patching its own copy of the vault.
 * Each flip costs a full unlock, four extractions and a check, about 0.7 ms
 * of CPU in a Release build; the KDF memo (sq_kdf_test_memo) keeps Argon2id
 * out of every unlock but those after a flip in salt A.
 * SQ_SWEEP_RANDOM overrides the number of random flips per class,
 * SQ_SWEEP_JOBS the number of workers. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "crypto/kdf.h"
#include "sandyq/vault.h"
#include "testlib.h"
#include "util/random.h"
#include "vault/vault_internal.h"

#ifndef SQ_SWEEP_EXHAUSTIVE
#define SQ_SWEEP_EXHAUSTIVE 0
#define SQ_SWEEP_NAME       "test_sweep"
#endif

/* under ASan a flip costs about ten times as much: the default samples less */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

#if SQ_SWEEP_EXHAUSTIVE
#define STRIDE        1u       /* every bit */
#define CHECK_STRIDE  9u       /* check after every 9th flip outside chunks, salts, used slots
                                  (9 is coprime with 8: every bit position is checked) */
#define RANDOM_FLIPS  4000u    /* per class: document chunks, free space */
#define JOBS          2u       /* worker processes */
#elif SANITIZED
#define STRIDE        97u      /* strides are coprime with 8: every bit position is hit */
#define CHECK_STRIDE  1u
#define RANDOM_FLIPS  200u
#define JOBS          1u
#else
#define STRIDE        29u
#define CHECK_STRIDE  1u
#define RANDOM_FLIPS  300u
#define JOBS          1u
#endif
#define MAX_JOBS      16u
#define MAX_REPORTS   40u      /* failure lines printed before only counting */

static const sq_secret_view PASS = {(const uint8_t *)"sweep passphrase", 16};
static const sq_secret_view PASS2 = {(const uint8_t *)"second way in", 13};

/* the documents of the final state; build_vault also adds "gone.txt"
 * (removed later) and "tmp" (renamed to c/d.bin), so the free list and the
 * previous root pair hold real leftovers */
#define N_DOCS 4
static const char  *names[N_DOCS] = {"a.txt", "dir/b.bin", "empty", "c/d.bin"};
static const size_t sizes[N_DOCS] = {100, 70000, 0, 4097};
static uint8_t     *docs[N_DOCS];

typedef enum {
    R_SALT_A, R_SLOTS_A_USED, R_SLOTS_A_FREE, R_SALT_B, R_SLOTS_B_USED, R_SLOTS_B_FREE, R_FILLER,
    R_ROOT_CUR, R_ROOT_PREV, R_KEYRING, R_FREELIST_OBJ, R_INDEX, R_RECORDS,
    R_CHUNK, R_DOC_TAIL, R_FREELISTED, R_FREE, R_COUNT
} region;

static const char *region_names[R_COUNT] = {
    "salt A", "slot area A, slots in use", "slot area A, unused slots",
    "salt B", "slot area B, slots in use", "slot area B, unused slots", "filler",
    "root anchors, current pair", "root anchors, previous pair", "keyring (both copies)",
    "free list object (both copies)", "index segments (both copies)",
    "record segments (both copies)", "document chunks", "document last-block tail",
    "free list extents", "free blocks",
};

/* what check must warn about for a flip in the region (NULL: nothing is
 * required; a damaged salt, for one, goes unnoticed by check) */
static const char *region_warning[R_COUNT] = {
    [R_SLOTS_A_USED] = "slots", [R_SLOTS_B_USED] = "slots", [R_ROOT_CUR] = "root",
    [R_KEYRING] = "keyring", [R_FREELIST_OBJ] = "free list", [R_INDEX] = "index segment",
    [R_RECORDS] = "record segment",
};

typedef struct {
    unsigned long flips, intact, named, failed, checked, warned, silent;
    double        secs;
} region_stats;

/* what one worker found, in memory the workers share with the first */
typedef struct {
    region_stats  r[R_COUNT];
    unsigned long passed, failed;  /* its CHECKs, beyond those before the fork */
} worker_slice;

static worker_slice *shared;       /* MAP_SHARED, one slice per worker */
static unsigned      jobs = JOBS, job;  /* workers; this process's number */
static uint64_t      flip_seq;     /* flips offered so far: the same sequence in every worker */
static unsigned long n_failures;

/* the random flips, drawn before the workers start so that they share them */
static uint64_t *rnd_off;
static uint8_t  *rnd_bit;
static unsigned  n_rnd;

/* the vault under test */
static char     path[4200];
static int      vfd = -1;          /* the test's own descriptor for patching */
static uint8_t *image;             /* the pristine file */
static size_t   image_len;
static uint8_t *cls;               /* region of each byte */
static int8_t  *doc_of;            /* document of each chunk or tail byte, else -1 */
static uint32_t *chunk_of;         /* chunk of each chunk byte */
static int      out_fd = -1;       /* memfd the extractions go to */
static uint8_t *out_buf;

static void
failure(uint64_t off, int bit, const char *fmt, ...)
{
    va_list ap;

    n_failures++;                  /* the flip's CHECK fails; this line says why */
    if (n_failures > MAX_REPORTS)
        return;
    fprintf(stderr, "     flip at offset %llu bit %d (%s, block %lld): ", (unsigned long long)off, bit,
            region_names[cls[off]],
            off >= SQ_HEADER_BYTES ? (long long)((off - SQ_HEADER_BYTES) / SQ_BLOCK_BYTES) : -1LL);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static void
put_byte(uint64_t off, uint8_t b)
{
    if (pwrite(vfd, &b, 1, (off_t)off) != 1)
        abort();
}

/* restore the pristine image (after truncation, extension or a commit) */
static void
restore_image(void)
{
    if (ftruncate(vfd, (off_t)image_len) != 0 || pwrite(vfd, image, image_len, 0) != (ssize_t)image_len)
        abort();
}

/* the file's length if its bytes are a prefix of the pristine image, else UINT64_MAX */
static uint64_t
file_prefix_len(void)
{
    struct stat st;
    uint8_t    *b;
    bool        same;

    if (fstat(vfd, &st) != 0)
        abort();
    b = malloc((size_t)st.st_size + 1);
    if (pread(vfd, b, (size_t)st.st_size, 0) != st.st_size)
        abort();
    same = (size_t)st.st_size <= image_len && memcmp(b, image, (size_t)st.st_size) == 0;
    free(b);
    return same ? (uint64_t)st.st_size : UINT64_MAX;
}

/* extract document d of v into out_buf; *len its length */
static sq_err
extract(sq_vault *v, int d, sq_damage *dmg, size_t *len)
{
    struct stat st;
    size_t      idx;
    sq_err      ret;

    *len = 0;
    dmg->chunk = UINT64_MAX;
    if ((ret = sq_vault_find(v, names[d], strlen(names[d]), &idx)) != SQ_OK)
        return ret;
    if (ftruncate(out_fd, 0) != 0 || lseek(out_fd, 0, SEEK_SET) != 0)
        abort();
    ret = sq_vault_extract(v, idx, out_fd, dmg, NULL, NULL);
    if (fstat(out_fd, &st) != 0 || (size_t)st.st_size > sizes[d] + 65536 ||
        pread(out_fd, out_buf, (size_t)st.st_size, 0) != st.st_size)
        abort();
    *len = (size_t)st.st_size;
    return ret;
}

static bool
exact(int d, size_t len)
{
    return len == sizes[d] && memcmp(out_buf, docs[d], len) == 0;
}

/* released bytes of a failed extraction: a prefix of the document */
static bool
prefix(int d, size_t len)
{
    return len <= sizes[d] && memcmp(out_buf, docs[d], len) == 0;
}

typedef struct {
    unsigned errors, doc_errors, state_errors, truncated, warnings;
    bool     warned_slots, warned_root, warned_obj;
    char     what[64];             /* the last stale-copy warning */
    char     doc[64];
    uint64_t chunk;
} check_seen;

static void
on_check(void *ctx, sq_check_kind kind, const char *name, size_t name_len, uint64_t chunk,
         const char *what)
{
    check_seen *s = ctx;

    switch (kind) {
    case SQ_CHECK_DOC_DAMAGED:
        s->errors++;
        s->doc_errors++;
        snprintf(s->doc, sizeof s->doc, "%.*s", (int)name_len, name);
        s->chunk = chunk;
        break;
    case SQ_CHECK_STATE_DAMAGED:
        s->errors++;
        s->state_errors++;
        break;
    case SQ_CHECK_TRUNCATED:
        s->errors++;
        s->truncated++;
        break;
    case SQ_CHECK_STALE_COPY:
        s->warnings++;
        if (strcmp(what, "root") == 0)
            s->warned_root = true;
        else
            s->warned_obj = true;
        snprintf(s->what, sizeof s->what, "%s", what);
        break;
    case SQ_CHECK_SLOTS_CHANGED:
        s->warnings++;
        s->warned_slots = true;
        break;
    }
}

static bool
warned_as(const check_seen *s, region r)
{
    const char *want = region_warning[r];

    if (want == NULL)
        return true;
    if (strcmp(want, "slots") == 0)
        return s->warned_slots;
    if (strcmp(want, "root") == 0)
        return s->warned_root;
    return s->warned_obj && strcmp(s->what, want) == 0;
}

/* The outcome of the flip in place at off: true when it is what the region
 * promises (see the top of the file). */
static bool
flip_outcome(uint64_t off, int bit, bool *checked, bool *warned)
{
    region     r = (region)cls[off];
    int        hit = doc_of[off];
    bool       in_chunk = r == R_CHUNK;
    sq_vault  *v = NULL;
    sq_damage  dmg;
    check_seen seen;
    size_t     len;
    sq_err     ret;
    bool       ok = true;

    ret = sq_vault_open(&v, path, false, PASS);
    if (ret != SQ_OK) {
        failure(off, bit, "the vault did not open: %s (%s)", sq_err_str(ret), sq_vault_last_detail(NULL));
        return false;
    }
    for (int d = 0; d < N_DOCS; d++) {
        ret = extract(v, d, &dmg, &len);
        if (in_chunk && d == hit) {
            char want[64];

            snprintf(want, sizeof want, "chunk %u failed authentication", chunk_of[off]);
            if (ret != SQ_ERR_DAMAGED) {
                failure(off, bit, "extracting %s (chunk %u hit) gave %s, %s bytes", names[d],
                        chunk_of[off], sq_err_str(ret), exact(d, len) ? "the right" : "WRONG");
                ok = false;
            } else if (dmg.chunk != chunk_of[off] || strcmp(sq_vault_last_detail(v), want) != 0) {
                failure(off, bit, "damage in %s named chunk %llu (\"%s\"), not chunk %u", names[d],
                        (unsigned long long)dmg.chunk, sq_vault_last_detail(v), chunk_of[off]);
                ok = false;
            } else if (len != (size_t)chunk_of[off] * SQ_CHUNK_BYTES || !prefix(d, len)) {
                failure(off, bit, "damaged %s released %zu bytes%s, not chunks 0..%u", names[d], len,
                        prefix(d, len) ? "" : " that are NOT the document's", chunk_of[off]);
                ok = false;
            }
        } else if (ret != SQ_OK) {
            failure(off, bit, "LOST %s: %s (%s)%s", names[d], sq_err_str(ret), sq_vault_last_detail(v),
                    prefix(d, len) ? "" : ", and released WRONG bytes");
            ok = false;
        } else if (!exact(d, len)) {
            failure(off, bit, "WRONG PLAINTEXT for %s (%zu bytes)", names[d], len);
            ok = false;
        }
    }
    /* the exhaustive sweep checks a sample of the flips that promise no error */
    *checked = in_chunk || r == R_SALT_A || r == R_SALT_B || r == R_SLOTS_A_USED || r == R_SLOTS_B_USED ||
               (off * 8 + (uint64_t)bit) % CHECK_STRIDE == 0;
    if (!*checked) {
        sq_vault_close(v);
        return ok;
    }
    memset(&seen, 0, sizeof seen);
    ret = sq_vault_check(v, on_check, &seen, NULL, NULL);
    *warned = seen.warnings > 0;
    if (in_chunk) {
        if (ret != SQ_ERR_DAMAGED || seen.errors != 1 || seen.doc_errors != 1 ||
            strcmp(seen.doc, names[hit]) != 0 || seen.chunk != chunk_of[off]) {
            failure(off, bit, "check gave %s with %u errors (document '%s' chunk %llu), want %s chunk %u",
                    sq_err_str(ret), seen.errors, seen.doc, (unsigned long long)seen.chunk, names[hit],
                    chunk_of[off]);
            ok = false;
        }
    } else if (ret != SQ_OK || seen.errors != 0) {
        failure(off, bit, "check gave %s with %u errors", sq_err_str(ret), seen.errors);
        ok = false;
    } else if (!warned_as(&seen, r)) {
        failure(off, bit, "check did not warn about the %s (FORMAT.md 4, 6, 7)", region_warning[r]);
        ok = false;
    }
    sq_vault_close(v);
    return ok;
}

/* One flip, if it falls to this worker: patch, judge, restore, count. */
static void
flip_and_check(uint64_t off, int bit)
{
    region          r = (region)cls[off];
    region_stats   *st = &shared[job].r[r];
    bool            ok, checked = false, warned = false;
    struct timespec t0, t1;

    if (flip_seq++ % jobs != job)
        return;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    put_byte(off, (uint8_t)(image[off] ^ (1u << bit)));
    ok = flip_outcome(off, bit, &checked, &warned);
    put_byte(off, image[off]);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK(ok);
    st->flips++;
    st->secs += (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (!ok)
        st->failed++;
    else if (r == R_CHUNK)
        st->named++;
    else
        st->intact++;
    if (checked) {
        st->checked++;
        if (warned)
            st->warned++;
        else
            st->silent++;
    }
}

/* ---- building the vault and its map ---- */

static void
add_doc(sq_vault *v, const char *name, const uint8_t *data, size_t size)
{
    sq_add_opts o = {0};
    int         fd = memfd_create("in", 0);

    if (fd < 0 || write(fd, data, size) != (ssize_t)size || lseek(fd, 0, SEEK_SET) != 0)
        abort();
    o.name = name;
    o.name_len = strlen(name);
    CHECK_EQ_INT(sq_vault_add_fd(v, fd, &o), SQ_OK);
    close(fd);
}

static size_t
find(sq_vault *v, const char *name)
{
    size_t idx = 0;

    if (!CHECK_EQ_INT(sq_vault_find(v, name, strlen(name), &idx), SQ_OK))
        abort();
    return idx;
}

/* five commits, a removal, a rename, a second way in and a custody record:
 * several index and record segments, a free list, both root pairs in use */
static bool
build_vault(void)
{
    sq_vault *v = NULL;
    uint8_t   gone[5000];

    for (int d = 0; d < N_DOCS; d++) {
        docs[d] = malloc(sizes[d] + 1);
        sq_random_buf(docs[d], sizes[d]);
    }
    sq_random_buf(gone, sizeof gone);
    CHECK_EQ_INT(sq_vault_create(path, "test", true, PASS, NULL), SQ_OK);
    if (!CHECK_EQ_INT(sq_vault_open(&v, path, true, PASS), SQ_OK))
        return false;
    for (int d = 0; d < 3; d++)
        add_doc(v, names[d], docs[d], sizes[d]);
    CHECK_EQ_INT(sq_vault_commit(v), SQ_OK);
    add_doc(v, "gone.txt", gone, sizeof gone);
    add_doc(v, "tmp", docs[3], sizes[3]);
    CHECK_EQ_INT(sq_vault_commit(v), SQ_OK);
    CHECK_EQ_INT(sq_vault_rename(v, find(v, "tmp"), names[3], strlen(names[3])), SQ_OK);
    CHECK_EQ_INT(sq_vault_remove(v, find(v, "gone.txt")), SQ_OK);
    CHECK_EQ_INT(sq_vault_commit(v), SQ_OK);
    CHECK_EQ_INT(sq_vault_passphrase_add(v, PASS2, "backup"), SQ_OK);
    CHECK_EQ_INT(sq_vault_note_extracted(v, find(v, names[0])), SQ_OK);
    CHECK_EQ_INT(sq_vault_commit(v), SQ_OK);
    sq_vault_close(v);
    return true;
}

static void
mark_blocks(uint64_t start, uint64_t count, region r)
{
    for (uint64_t b = start; b < start + count; b++) {
        uint64_t off = sq_block_offset(b);
        if (off + SQ_BLOCK_BYTES > image_len || cls[off] != R_FREE) {
            CHECK(false);          /* the map itself must be a partition */
            fprintf(stderr, "     block %llu claimed twice or beyond the file\n", (unsigned long long)b);
            continue;
        }
        memset(cls + off, r, SQ_BLOCK_BYTES);
    }
}

static void
mark_ref(const sq_objref *ref, region r)
{
    if (ref->nblocks == 0)
        return;
    mark_blocks(ref->block_a, ref->nblocks, r);
    mark_blocks(ref->block_b, ref->nblocks, r);
}

/* the region of every byte, from the state a read-only open loaded */
static void
build_map(sq_vault *v)
{
    const sq_root *root = &v->k->root;
    uint64_t       owned = sq_keyring_owned(&v->k->keyring);

    cls = malloc(image_len);
    doc_of = malloc(image_len);
    chunk_of = calloc(image_len, sizeof *chunk_of);
    memset(cls, R_FREE, image_len);
    memset(doc_of, -1, image_len);
    memset(cls + SQ_SALT_A_OFFSET, R_SALT_A, SQ_SALT_BYTES);
    memset(cls + SQ_SALT_B_OFFSET, R_SALT_B, SQ_SALT_BYTES);
    for (unsigned i = 0; i < SQ_SLOT_COUNT; i++) {
        bool used = (owned >> i) & 1u;
        memset(cls + sq_header_slot_offset(0, i), used ? R_SLOTS_A_USED : R_SLOTS_A_FREE, SQ_SLOT_BYTES);
        memset(cls + sq_header_slot_offset(1, i), used ? R_SLOTS_B_USED : R_SLOTS_B_FREE, SQ_SLOT_BYTES);
    }
    memset(cls + SQ_HEADER_USED_BYTES, R_FILLER, SQ_HEADER_BYTES - SQ_HEADER_USED_BYTES);
    for (int a = 0; a < 4; a++)
        mark_blocks(v->k->plain.anchors[a], 1, (uint64_t)(a / 2) == root->generation % 2 ? R_ROOT_CUR : R_ROOT_PREV);
    mark_ref(&root->keyring, R_KEYRING);
    mark_ref(&root->freelist, R_FREELIST_OBJ);
    for (unsigned s = 0; s < root->n_index; s++)
        mark_ref(&root->index[s], R_INDEX);
    for (unsigned s = 0; s < root->n_records; s++)
        mark_ref(&root->records[s], R_RECORDS);
    for (uint32_t e = 0; e < v->freelist.n_quarantine; e++)
        mark_blocks(v->freelist.quarantine[e].start, v->freelist.quarantine[e].count, R_FREELISTED);
    for (uint32_t e = 0; e < v->freelist.n_scrub; e++)
        mark_blocks(v->freelist.scrub[e].start, v->freelist.scrub[e].count, R_FREELISTED);
    for (int d = 0; d < N_DOCS; d++) {
        const sq_doc *doc;
        uint64_t      ct_len, s = 0;

        sq_view_build(v);
        doc = v->view[find(v, names[d])];
        ct_len = sq_doc_ct_len(doc->size);
        for (uint32_t e = 0; e < doc->n_extents; e++) {
            mark_blocks(doc->extents[e].start, doc->extents[e].count, R_DOC_TAIL);
            for (uint64_t i = 0; i < (uint64_t)doc->extents[e].count * SQ_BLOCK_BYTES; i++, s++) {
                uint64_t off = sq_block_offset(doc->extents[e].start) + i;
                doc_of[off] = (int8_t)d;
                if (s < ct_len) {
                    cls[off] = R_CHUNK;
                    chunk_of[off] = (uint32_t)(s / (SQ_CHUNK_BYTES + SQ_CHUNK_TAGBYTES));  /* FORMAT.md 10 */
                }
            }
        }
    }
    printf("vault: %zu bytes, %llu blocks, generation %llu, %u index and %u record segments, "
           "free list %s (%u quarantine, %u scrub extents), %u ways in\n",
           image_len, (unsigned long long)v->committed_blocks, (unsigned long long)root->generation,
           root->n_index, root->n_records, root->freelist.nblocks ? "present" : "absent",
           v->freelist.n_quarantine, v->freelist.n_scrub, v->k->keyring.count);
    CHECK(root->n_index >= 1 && root->n_records >= 1 && v->k->keyring.count == 2);
}

/* ---- the sweeps ---- */

/* The fast default still takes every bit of the salts, of the slots in use,
 * and of the first 24 and last 16 bytes of every anchor and object block (in
 * a one-block object: the nonce and tag, which its reference pins, FORMAT.md
 * 6); the middle of a ciphertext, where every bit is alike to the AEAD, is
 * sampled. */
static bool
swept_fully(uint64_t off)
{
    region   r = (region)cls[off];
    uint64_t in_block = (off - SQ_HEADER_BYTES) % SQ_BLOCK_BYTES;

    if (SQ_SWEEP_EXHAUSTIVE || r == R_SALT_A || r == R_SALT_B || r == R_SLOTS_A_USED ||
        r == R_SLOTS_B_USED)
        return true;
    return off >= SQ_HEADER_BYTES && (in_block < SQ_OBJ_NONCE_BYTES ||
                                      in_block >= SQ_BLOCK_BYTES - SQ_OBJ_TAG_BYTES);
}

static bool
swept_systematically(region r)
{
    return r < R_CHUNK;            /* header, anchors, objects; the rest is sampled at random */
}

static void
systematic_sweep(void)
{
    for (uint64_t off = 0; off < image_len; off++) {
        region r = (region)cls[off];
        if (!swept_systematically(r))
            continue;
        for (int bit = 0; bit < 8; bit++)
            if (swept_fully(off) || (off * 8 + (uint64_t)bit) % STRIDE == 0)
                flip_and_check(off, bit);
    }
}

/* n random flips in document chunks, then n in free space (a document's
 * last-block tail, free-list extents, free blocks) */
static void
draw_random(unsigned n)
{
    rnd_off = malloc(2 * (size_t)n * sizeof *rnd_off + 1);
    rnd_bit = malloc(2 * (size_t)n + 1);
    for (n_rnd = 0; n_rnd < 2 * n; n_rnd++) {
        bool     chunks = n_rnd < n;
        uint64_t off;
        region   r;
        do {
            off = SQ_HEADER_BYTES + sq_random_uniform(image_len - SQ_HEADER_BYTES);
            r = (region)cls[off];
        } while (chunks ? r != R_CHUNK : (r != R_DOC_TAIL && r != R_FREELISTED && r != R_FREE));
        rnd_off[n_rnd] = off;
        rnd_bit[n_rnd] = (uint8_t)sq_random_uniform(8);
    }
}

static void
random_sweep(void)
{
    for (unsigned i = 0; i < n_rnd; i++)
        flip_and_check(rnd_off[i], rnd_bit[i]);
}

/* Worker w > 0 sweeps its own copy of the vault (a flip is patched into one
 * file at a time) with its own output file; the first keeps the original. */
static void
worker_setup(const char *dir)
{
    if (job == 0)
        return;
    snprintf(path, sizeof path, "%s/sweep-%u.sq", dir, job);
    close(vfd);
    close(out_fd);
    if ((vfd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600)) < 0 ||
        pwrite(vfd, image, image_len, 0) != (ssize_t)image_len || (out_fd = memfd_create("out", 0)) < 0)
        abort();
}

/* Run the sweeps over jobs workers; the first process is worker 0. */
static void
sweep_all(const char *dir)
{
    pid_t         pids[MAX_JOBS];
    unsigned long base_passed = sq_test_passed, base_failed = sq_test_failed;

    shared = mmap(NULL, MAX_JOBS * sizeof *shared, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED)
        abort();
    memset(shared, 0, MAX_JOBS * sizeof *shared);
    fflush(stdout);
    fflush(stderr);
    for (job = 1; job < jobs; job++) {
        if ((pids[job] = fork()) < 0)
            abort();
        if (pids[job] == 0)
            break;
    }
    if (job == jobs)
        job = 0;
    worker_setup(dir);
    systematic_sweep();
    random_sweep();
    if (job != 0) {
        shared[job].passed = sq_test_passed - base_passed;
        shared[job].failed = sq_test_failed - base_failed;
        if (file_prefix_len() != image_len)    /* every flip was restored */
            shared[job].failed++;
        close(vfd);
        unlink(path);
        _exit(0);
    }
    for (unsigned w = 1; w < jobs; w++) {
        int status = 0;
        if (!CHECK(waitpid(pids[w], &status, 0) == pids[w] && WIFEXITED(status) && WEXITSTATUS(status) == 0))
            fprintf(stderr, "     worker %u ended abnormally (status %d)\n", w, status);
        sq_test_passed += shared[w].passed;
        sq_test_failed += shared[w].failed;
    }
}

static void
print_stats(double secs)
{
    unsigned long total = 0;
    double        busy = 0;

    printf("%-34s %8s %8s %8s %8s %8s %8s %8s %8s\n", "region", "flips", "intact", "named", "FAILED",
           "checked", "warned", "silent", "ms/flip");
    for (int r = 0; r < R_COUNT; r++) {
        region_stats t = {0};
        for (unsigned w = 0; w < jobs; w++) {
            const region_stats *s = &shared[w].r[r];
            t.flips += s->flips;
            t.intact += s->intact;
            t.named += s->named;
            t.failed += s->failed;
            t.checked += s->checked;
            t.warned += s->warned;
            t.silent += s->silent;
            t.secs += s->secs;
        }
        total += t.flips;
        busy += t.secs;
        printf("%-34s %8lu %8lu %8lu %8lu %8lu %8lu %8lu %8.3f\n", region_names[r], t.flips, t.intact,
               t.named, t.failed, t.checked, t.warned, t.silent,
               t.flips ? t.secs * 1000 / (double)t.flips : 0.0);
    }
    printf("%lu flips in %.1f s with %u worker%s (%.3f ms each)\n", total, secs, jobs, jobs == 1 ? "" : "s",
           total ? busy * 1000 / (double)total : 0.0);
}

/* ---- truncation and extension (FORMAT.md 2) ---- */

typedef struct {
    unsigned long lengths, refused_precise, refused_uniform, uniform_whole_header, opened;
    unsigned long docs_exact, docs_damaged;
} trunc_counts;

/* A file cut to len is damaged (FORMAT.md 2): a reader refuses it cleanly
 * (SQ_ERR_AUTH, SQ_ERR_DAMAGED or SQ_ERR_TRUNCATED), or opens it and check
 * reports the truncation and fails; no document yields a wrong byte, and a
 * document whose blocks all lie before the cut still extracts. A writer
 * refuses it and leaves the file as it was. */
static void
truncated_at(uint64_t len, trunc_counts *c)
{
    sq_vault  *v = NULL;
    check_seen seen;
    sq_damage  dmg;
    size_t     got;
    sq_err     ret;

    c->lengths++;
    if (ftruncate(vfd, (off_t)len) != 0)
        abort();
    ret = sq_vault_open(&v, path, false, PASS);
    if (ret != SQ_OK) {
        if (ret == SQ_ERR_AUTH) {
            c->refused_uniform++;
            c->uniform_whole_header += len >= SQ_HEADER_USED_BYTES;
        } else {
            c->refused_precise++;
        }
        if (!CHECK(ret == SQ_ERR_AUTH || ret == SQ_ERR_DAMAGED || ret == SQ_ERR_TRUNCATED))
            fprintf(stderr, "     cut to %llu: open gave %s (%s)\n", (unsigned long long)len, sq_err_str(ret),
                    sq_vault_last_detail(NULL));
    } else {
        c->opened++;
        memset(&seen, 0, sizeof seen);
        if (!CHECK_EQ_INT(sq_vault_check(v, on_check, &seen, NULL, NULL), SQ_ERR_DAMAGED) ||
            !CHECK(seen.truncated == 1))
            fprintf(stderr, "     cut to %llu: check did not report the truncation\n", (unsigned long long)len);
        for (int d = 0; d < N_DOCS; d++) {
            const sq_doc *doc = v->view[find(v, names[d])];
            bool          whole = true;

            for (uint32_t e = 0; e < doc->n_extents; e++)
                whole &= sq_block_offset(doc->extents[e].start + doc->extents[e].count) <= len;
            ret = extract(v, d, &dmg, &got);
            if (ret == SQ_OK) {
                c->docs_exact++;
                if (!CHECK(exact(d, got)))
                    fprintf(stderr, "     cut to %llu: WRONG PLAINTEXT for %s\n", (unsigned long long)len, names[d]);
            } else {
                c->docs_damaged++;
                if (!CHECK(ret == SQ_ERR_DAMAGED || ret == SQ_ERR_TRUNCATED) || !CHECK(prefix(d, got)) ||
                    !CHECK(!whole))
                    fprintf(stderr, "     cut to %llu: %s gave %s (whole before the cut: %d)\n",
                            (unsigned long long)len, names[d], sq_err_str(ret), whole);
            }
        }
        sq_vault_close(v);
    }
    v = NULL;
    ret = sq_vault_open(&v, path, true, PASS);
    if (!CHECK(ret == SQ_ERR_AUTH || ret == SQ_ERR_DAMAGED || ret == SQ_ERR_TRUNCATED))
        fprintf(stderr, "     cut to %llu: a writer got %s (%s)\n", (unsigned long long)len, sq_err_str(ret),
                sq_vault_last_detail(NULL));
    sq_vault_close(v);
    if (!CHECK(file_prefix_len() == len))
        fprintf(stderr, "     cut to %llu: the refused writer changed the file\n", (unsigned long long)len);
    restore_image();
}

static void
truncation_sweep(void)
{
    trunc_counts c = {0};
    /* inside the header (salts, slot areas, filler), and inside blocks: one
     * past a boundary, mid-block, one byte short of the end */
    const uint64_t odd[] = {0, 1, 31, 32, 8735, 8736, 17471, 17472, 20479, SQ_HEADER_BYTES + 1,
                            SQ_HEADER_BYTES + 5 * SQ_BLOCK_BYTES + 1000, image_len - SQ_BLOCK_BYTES / 2,
                            image_len - 1};

    for (uint64_t len = SQ_HEADER_BYTES; len < image_len; len += SQ_BLOCK_BYTES)
        truncated_at(len, &c);
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++)
        truncated_at(odd[i], &c);
    printf("truncation: %lu lengths (every block boundary below %zu, %zu others): refused at open %lu "
           "(%lu precise, %lu as a wrong passphrase, %lu of them with the header whole), opened %lu "
           "with check failing on the truncation (documents: %lu exact, %lu damaged, none wrong)\n",
           c.lengths, image_len, sizeof odd / sizeof odd[0], c.refused_precise + c.refused_uniform,
           c.refused_precise, c.refused_uniform, c.uniform_whole_header, c.opened, c.docs_exact,
           c.docs_damaged);
}

/* Bytes beyond the committed length are ignored by readers, and a writer
 * truncates them away before its commit (FORMAT.md 2). */
static void
extended_by(size_t extra)
{
    uint8_t        *junk = malloc(extra);
    sq_vault       *v = NULL;
    sq_vault_info_t info;
    check_seen      seen;
    sq_damage       dmg;
    struct stat     st;
    size_t          got;

    sq_random_buf(junk, extra);
    if (pwrite(vfd, junk, extra, (off_t)image_len) != (ssize_t)extra)
        abort();
    free(junk);
    if (CHECK_EQ_INT(sq_vault_open(&v, path, false, PASS), SQ_OK)) {
        for (int d = 0; d < N_DOCS; d++)
            CHECK(extract(v, d, &dmg, &got) == SQ_OK && exact(d, got));
        memset(&seen, 0, sizeof seen);
        CHECK_EQ_INT(sq_vault_check(v, on_check, &seen, NULL, NULL), SQ_OK);
        CHECK(seen.errors == 0 && seen.warnings == 0);
        CHECK_EQ_INT(sq_vault_info(v, &info), SQ_OK);
        CHECK(info.committed_bytes == image_len && info.file_bytes == image_len + extra);
        sq_vault_close(v);
        v = NULL;
    }
    if (CHECK_EQ_INT(sq_vault_open(&v, path, true, PASS), SQ_OK)) {
        CHECK_EQ_INT(sq_vault_note_extracted(v, find(v, names[1])), SQ_OK);
        CHECK_EQ_INT(sq_vault_commit(v), SQ_OK);
        CHECK_EQ_INT(sq_vault_info(v, &info), SQ_OK);
        CHECK(fstat(vfd, &st) == 0 && (uint64_t)st.st_size == info.committed_bytes);
        sq_vault_close(v);
        v = NULL;
    }
    if (CHECK_EQ_INT(sq_vault_open(&v, path, false, PASS), SQ_OK)) {
        for (int d = 0; d < N_DOCS; d++)
            CHECK(extract(v, d, &dmg, &got) == SQ_OK && exact(d, got));
        sq_vault_close(v);
    }
    restore_image();
}

/* The memo answers only what sq_kdf_derive would: the same bytes, and the
 * same refusals (the test profile without its environment variable). */
static void
memo_selftest(void)
{
    uint8_t salt[SQ_KDF_SALTBYTES], plain[SQ_KDF_OUTBYTES], memo1[SQ_KDF_OUTBYTES],
            memo2[SQ_KDF_OUTBYTES], other[SQ_KDF_OUTBYTES];

    sq_random_buf(salt, sizeof salt);
    CHECK_EQ_INT(sq_kdf_derive(plain, SQ_KDF_TEST, PASS.bytes, PASS.len, salt), SQ_OK);
    sq_kdf_test_memo(true);
    CHECK_EQ_INT(sq_kdf_derive(memo1, SQ_KDF_TEST, PASS.bytes, PASS.len, salt), SQ_OK);
    CHECK_EQ_INT(sq_kdf_derive(memo2, SQ_KDF_TEST, PASS.bytes, PASS.len, salt), SQ_OK);
    CHECK(memcmp(plain, memo1, sizeof plain) == 0 && memcmp(plain, memo2, sizeof plain) == 0);
    CHECK_EQ_INT(sq_kdf_derive(other, SQ_KDF_TEST, PASS2.bytes, PASS2.len, salt), SQ_OK);
    CHECK(memcmp(plain, other, sizeof plain) != 0);
    salt[31] ^= 1;
    CHECK_EQ_INT(sq_kdf_derive(other, SQ_KDF_TEST, PASS.bytes, PASS.len, salt), SQ_OK);
    CHECK(memcmp(plain, other, sizeof plain) != 0);
    salt[31] ^= 1;
    unsetenv("SANDYQ_INSECURE_TEST_KDF");
    CHECK_EQ_INT(sq_kdf_derive(other, SQ_KDF_TEST, PASS.bytes, PASS.len, salt), SQ_ERR_INVALID);
    setenv("SANDYQ_INSECURE_TEST_KDF", "1", 1);
    sq_kdf_test_memo(false);
    CHECK_EQ_INT(sq_kdf_derive(memo1, SQ_KDF_TEST, PASS.bytes, PASS.len, salt), SQ_OK);
    CHECK(memcmp(plain, memo1, sizeof plain) == 0);
}

int
main(void)
{
    sq_vault       *v = NULL;
    struct stat     st;
    struct timespec t0, t1;
    const char     *env = getenv("SQ_SWEEP_RANDOM");
    const char     *env_jobs = getenv("SQ_SWEEP_JOBS");
    unsigned        n_random = env != NULL ? (unsigned)atoi(env) : RANDOM_FLIPS;
    char            dir[4000];

    sq_test_init(SQ_SWEEP_NAME);
    setenv("SANDYQ_INSECURE_TEST_KDF", "1", 1);
    CHECK_EQ_INT(sq_lib_init(), SQ_OK);
    memo_selftest();
    if (env_jobs != NULL && atoi(env_jobs) >= 1)
        jobs = (unsigned)atoi(env_jobs) < MAX_JOBS ? (unsigned)atoi(env_jobs) : MAX_JOBS;
    snprintf(dir, sizeof dir, "%s", sq_test_tmpdir());
    snprintf(path, sizeof path, "%s/sweep.sq", dir);
    if (!build_vault())
        return sq_test_done();
    if ((vfd = open(path, O_RDWR)) < 0 || fstat(vfd, &st) != 0)
        abort();
    image_len = (size_t)st.st_size;
    image = malloc(image_len);
    if (pread(vfd, image, image_len, 0) != (ssize_t)image_len)
        abort();
    if ((out_fd = memfd_create("out", 0)) < 0 || (out_buf = malloc(70000 + 65536)) == NULL)
        abort();
    /* from here on, unchanged salts cost no Argon2id run */
    sq_kdf_test_memo(true);
    if (!CHECK_EQ_INT(sq_vault_open(&v, path, false, PASS), SQ_OK))
        return sq_test_done();
    build_map(v);
    sq_vault_close(v);
    draw_random(n_random);

    clock_gettime(CLOCK_MONOTONIC, &t0);
    sweep_all(dir);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    print_stats((double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    CHECK(file_prefix_len() == image_len);      /* every flip was restored */

    truncation_sweep();
    extended_by(1);
    extended_by(SQ_BLOCK_BYTES);
    extended_by(64 * SQ_BLOCK_BYTES);
    printf("extension by 1 byte, 1 block and 64 blocks of random bytes: ignored by readers, cut by a writer\n");
    sq_kdf_test_memo(false);

    close(vfd);
    close(out_fd);
    unlink(path);
    rmdir(dir);
    munmap(shared, MAX_JOBS * sizeof *shared);
    free(rnd_off);
    free(rnd_bit);
    free(image);
    free(cls);
    free(doc_of);
    free(chunk_of);
    free(out_buf);
    for (int d = 0; d < N_DOCS; d++)
        free(docs[d]);
    return sq_test_done();
}
