/* fuzz_state.c: the whole open/use path on hostile but validly sealed
 * metadata. Anyone who knows a passphrase of a level holds K_meta and can
 * seal any root, index, record, keyring or free-list body so that it
 * authenticates (FORMAT.md 6); this target plays that colleague. A small real
 * vault is built once (test KDF, skipped anyway: the level is opened with its
 * known slot plaintext); each input is a list of object bodies that are
 * sealed with the vault's real K_meta and the AD the library uses
 * (sq_object_seal, sq_object_hash), placed in a copy of the image, and
 * referenced from a root that is either built by the harness or itself taken
 * from the input. Then the vault is opened, every document listed, found by
 * name, extracted and checked; opened writable, one small change is
 * committed and the result must open again.
 *
 * Seeds are the base vault's own decrypted objects, so they start from valid
 * states; they embed bodies in the current format, so after a format change
 * write them again:
 *   SQ_FUZZ_STATE_SEED_OUT=fuzz/corpus/state BUILD/fuzz/fuzz_state_replay /dev/null
 * SQ_FUZZ_STATE_VERBOSE=1 prints what each input opened and committed.
 *
 * Input:
 *
 *   header, 12 bytes:
 *     [0]  flags: bit 0 open read-only (no change, no commit); bit 1 wipe the
 *          base vault's roots; bit 2 keep the hashes of a raw root's
 *          references as given (no fix-up); bit 3 custom anchors from [4..11];
 *          bit 4 the added document is large enough to grow the file; bit 5
 *          the added and the renamed document take an existing name (in
 *          upper case); bit 6 the add replaces
 *     [1]  file end: bit 7 clear: cut (value x 2048) bytes after sealing
 *          (odd values leave a partial block); bit 7 set: append (low 7 bits)
 *          zero blocks past the committed end
 *     [2]  objects are placed from block (base blocks - value), so they can
 *          land on the base vault's own blocks
 *     [3]  change when writable: bit 0 add a document, bit 1 remove one,
 *          bit 2 rename one, bit 3 note an extraction, bit 4 remove a way in;
 *          bits 4-7 also pick the documents
 *     [4..11] four LE16 anchors (modulo the block count) when flags bit 3
 *   then records, up to 40: tag (1) || LE16 len || body (cut at the end)
 *     tag bits 0-2: object type (1 root, 2 index segment, 3 record segment,
 *          4 keyring, 5 free list; 0, 6, 7 are sealed as such: type confusion)
 *     bit 3 / bit 4: damage copy a / copy b after sealing (the pin still
 *          matches, the AEAD fails); bit 5: one more block than needed;
 *     bit 6: lie in the reference's entry count; bit 7 (roots): write into the
 *          other pair than the generation's parity says
 *
 * Root: without a type-1 record the harness builds one from the base root
 * (generation + 1, committed length of the new image) pointing at the first
 * keyring and free-list records and at every index and record-segment
 * record in order (a record of length 0 means "none"); base objects stay
 * referenced where the input gives none. A type-1 record is a raw root body,
 * sealed as given into the anchors of its generation's pair, with three
 * fix-ups so the fuzzer can reach past it: a committed length of 0 becomes
 * the image's; a reference whose reserved bytes are not zero is a link
 * (byte 88: which sealed record, modulo their count; byte 89 bits 0-3: keep
 * the given nblocks, entries, block_a, block_b instead of the record's;
 * bytes 90-91: anything, a marker); and the hashes of
 * every present reference are recomputed from the image, since the holder of
 * K_objref can pin whatever it likes. Objects are sealed with the raw
 * root's vault id and level, as that colleague would.
 *
 * Promises checked, beyond no crash, leak, hang or out-of-bounds access: a
 * failed open is not NOMEM or IO; the listing is sorted and unique, and
 * every listed name finds its own index, in ASCII upper case too (case
 * folding, FORMAT.md 11); an extraction that succeeds wrote exactly the
 * recorded size, and if the document's key is one of the base vault's,
 * exactly that document's bytes; check reports a damaged document
 * exactly when its extraction failed; a commit that succeeds leaves a
 * vault that opens again with the expected documents. */
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
#include "util/secret.h"
#include "vault/object.h"
#include "vault/vault_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HDR_BYTES       12u
#define MAX_RECORDS     40u             /* 16 + 16 segments, keyring, free list, spares */
/* offsets in a root body (FORMAT.md 7) and in an object reference (6) */
#define ROOT_OFF_GEN    20u
#define ROOT_OFF_LEN    28u
#define ROOT_OFF_LEVEL  36u
#define ROOT_OFF_KR     158u
#define ROOT_OFF_FL     250u
#define ROOT_OFF_NIDX   342u
#define REF_RESERVED    88u

#define F_READONLY      0x01u
#define F_WIPE_ROOTS    0x02u
#define F_LITERAL_HASH  0x04u
#define F_ANCHORS       0x08u
#define F_BIG_ADD       0x10u
#define F_NAME_CLASH    0x20u
#define F_REPLACE       0x40u

#define T_TYPE          0x07u
#define T_DAMAGE_A      0x08u
#define T_DAMAGE_B      0x10u
#define T_EXTRA_BLOCK   0x20u
#define T_LIE_ENTRIES   0x40u
#define T_OTHER_PAIR    0x80u

#define M_ADD           0x01u
#define M_REMOVE        0x02u
#define M_RENAME        0x04u
#define M_NOTE          0x08u
#define M_WAY_OUT       0x10u

#define N_DOCS          4u
#define BIG_ADD_BYTES   (200u * 1024u)  /* more than the base image has free: growth */

/* ---- the base vault, built once ---- */

typedef struct {
    const char *name;
    size_t      size;
    bool        removed;          /* removed in the base vault's last commit */
    uint8_t     sha256[32];
    uint8_t     doc_id[SQ_DOCID_BYTES];
    uint8_t     write_salt[32];
} base_doc;

static base_doc docs[N_DOCS] = {
    {"empty", 0, false, {0}, {0}, {0}},
    {"note.txt", 1000, true, {0}, {0}, {0}},
    {"photos/ы.jpg", 70000, false, {0}, {0}, {0}},      /* two chunks */
    {"later/readme", 10, false, {0}, {0}, {0}},
};

/* Not secret: a fuzz vault. The harness keeps its keys in plain statics. */
static struct {
    bool          ready;
    uint8_t      *image;
    size_t        image_len;
    uint64_t      blocks;         /* block count of the base image */
    sq_slot_plain plain;
    unsigned      slot;
    sq_root       root;
    uint8_t       kmeta[SQ_KEYBYTES];
    uint8_t       khash[SQ_KEYBYTES];
    char          path[256];
    int           sink;           /* memfd: extraction output */
    bool          verbose;
} base;

static const sq_secret_view PASS = {(const uint8_t *)"fuzz state pass", 15};
static const uint8_t BUILD_SEED[32] = {0x5a, 0x71};

/* Any error is a fine answer to a hostile state except these two: NOMEM
 * never comes from a small input (one would be a leak, of secret arena
 * memory too, which LeakSanitizer does not see), nor IO on tmpfs (one would
 * be a wild offset). */
static void
expect_err(sq_err e, const char *what)
{
    if (e == SQ_ERR_NOMEM || e == SQ_ERR_IO) {
        fprintf(stderr, "fuzz_state: %s returned %s\n", what, sq_err_str(e));
        abort();
    }
}

static int
memfd_with(const void *bytes, size_t len)
{
    int fd = memfd_create("sq-fuzz-in", MFD_CLOEXEC);

    if (fd < 0 || (len > 0 && write(fd, bytes, len) != (ssize_t)len) || lseek(fd, 0, SEEK_SET) != 0)
        abort();
    return fd;
}

static void
add_doc(sq_vault *v, const char *name, const uint8_t *bytes, size_t len)
{
    sq_add_opts o = {0};
    int         fd = memfd_with(bytes, len);

    o.name = name;
    o.name_len = strlen(name);
    if (sq_vault_add_fd(v, fd, &o) != SQ_OK)
        abort();
    close(fd);
}

static size_t
find_or_die(sq_vault *v, const char *name)
{
    size_t i = 0;

    if (sq_vault_find(v, name, strlen(name), &i) != SQ_OK)
        abort();
    return i;
}

static const char *
work_dir(void)
{
    const char *t = getenv("TMPDIR");

    if (t != NULL && t[0] != '\0')
        return t;
    return access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
}

static void
remove_work_file(void)
{
    unlink(base.path);
}

static void write_seeds(const char *dir);

/* Build the base vault: create (generation 1), three documents including an
 * empty one and a two-chunk one (2), one more added and one removed (3,
 * and the removal's second commit, 4), so the state has several record
 * segments and a free list with both lists. */
static void
build_base(void)
{
    sq_vault   *v = NULL;
    uint8_t    *content[N_DOCS];
    struct stat st;
    int         fd;

    setenv("SANDYQ_INSECURE_TEST_KDF", "1", 1);
    if (sq_lib_init() != SQ_OK)
        abort();
    sq_random_set_test_seed(BUILD_SEED);
    base.verbose = getenv("SQ_FUZZ_STATE_VERBOSE") != NULL;
    snprintf(base.path, sizeof base.path, "%s/sq-fuzz-state-%d", work_dir(), (int)getpid());
    unlink(base.path);
    atexit(remove_work_file);
    for (unsigned i = 0; i < N_DOCS; i++) {
        if ((content[i] = malloc(docs[i].size + 1)) == NULL)
            abort();
        sq_random_buf(content[i], docs[i].size);
        crypto_hash_sha256(docs[i].sha256, content[i], docs[i].size);
    }
    if (sq_vault_create(base.path, "test", true, PASS, "fuzz") != SQ_OK ||
        sq_vault_open(&v, base.path, true, PASS) != SQ_OK)
        abort();
    for (unsigned i = 0; i < 3; i++)
        add_doc(v, docs[i].name, content[i], docs[i].size);
    if (sq_vault_commit(v) != SQ_OK)
        abort();
    add_doc(v, docs[3].name, content[3], docs[3].size);
    if (sq_vault_remove(v, find_or_die(v, docs[1].name)) != SQ_OK || sq_vault_commit(v) != SQ_OK)
        abort();
    /* the document keys, for the "authenticated means original" promise */
    sq_view_build(v);
    for (unsigned i = 0; i < N_DOCS; i++) {
        const sq_doc *d;
        if (docs[i].removed) {
            /* its key is gone from the state; a crafted index could still
             * name it, and its blocks are scrubbed, so it never opens */
            continue;
        }
        d = v->view[find_or_die(v, docs[i].name)];
        memcpy(docs[i].doc_id, d->doc_id, SQ_DOCID_BYTES);
        memcpy(docs[i].write_salt, d->write_salt, 32);
    }
    base.plain = v->k->plain;
    base.slot = v->session_slot;
    base.root = v->k->root;
    memcpy(base.kmeta, v->k->kmeta, SQ_KEYBYTES);
    memcpy(base.khash, v->k->khash, SQ_KEYBYTES);
    sq_vault_close(v);                           /* its exclusive lock would stop the seed writer */
    if (getenv("SQ_FUZZ_STATE_SEED_OUT") != NULL)
        write_seeds(getenv("SQ_FUZZ_STATE_SEED_OUT"));
    if ((fd = open(base.path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) != 0)
        abort();
    base.image_len = (size_t)st.st_size;
    if (base.image_len != base.root.committed_length || (base.image_len - SQ_HEADER_BYTES) % SQ_BLOCK_BYTES != 0)
        abort();                                 /* a writer leaves exactly the committed length */
    base.blocks = (base.image_len - SQ_HEADER_BYTES) / SQ_BLOCK_BYTES;
    if ((base.image = malloc(base.image_len)) == NULL ||
        pread(fd, base.image, base.image_len, 0) != (ssize_t)base.image_len)
        abort();
    close(fd);
    for (unsigned i = 0; i < N_DOCS; i++)
        free(content[i]);
    if ((base.sink = memfd_create("sq-fuzz-out", MFD_CLOEXEC)) < 0)
        abort();
    base.ready = true;
}

/* ---- one input: the image ---- */

typedef struct {
    uint8_t        tag;
    const uint8_t *body;
    size_t         len;
    sq_objref      ref;           /* where it was sealed (nblocks 0: not placed) */
} record;

typedef struct {
    uint8_t  *img;
    size_t    cap;
    uint64_t  blocks;             /* blocks the image holds (file = header + these) */
} image;

static void
img_grow(image *im, uint64_t blocks)
{
    size_t need = (size_t)sq_block_offset(blocks);

    if (blocks <= im->blocks)
        return;
    if (need > im->cap) {
        size_t   cap = need * 2;
        uint8_t *p = realloc(im->img, cap);
        if (p == NULL)
            abort();
        im->img = p;
        im->cap = cap;
    }
    memset(im->img + sq_block_offset(im->blocks), 0, need - (size_t)sq_block_offset(im->blocks));
    im->blocks = blocks;
}

static uint32_t
body_count(const record *r)
{
    return r->len >= 4 ? sq_load_le32(r->body) : 0;
}

/* the entry count a writer would put in the reference, capped like the root
 * parser's objref_check (or a lie, on request) */
static uint32_t
ref_entries(const record *r)
{
    uint32_t type = r->tag & T_TYPE, cap, n = body_count(r);

    if (type == SQ_OBJ_FREELIST)                 /* a writer leaves it 0 */
        return (r->tag & T_LIE_ENTRIES) ? n | 1u : 0;
    cap = type == SQ_OBJ_KEYRING ? SQ_SLOT_COUNT : SQ_MAX_SEGMENT_ENTRIES;
    if (r->tag & T_LIE_ENTRIES)
        return n == 0 ? cap : 0;
    return n < cap ? n : cap;
}

static void
seal_record(image *im, record *r, uint64_t *next, const uint8_t vault_id[16], uint32_t level)
{
    uint32_t n = sq_object_blocks_for(r->len);
    uint8_t  type = r->tag & T_TYPE;

    if (n == 0)
        return;
    if ((r->tag & T_EXTRA_BLOCK) && n < SQ_OBJ_MAX_BLOCKS)
        n++;
    img_grow(im, *next + 2ull * n);
    for (int c = 0; c < 2; c++) {
        uint64_t b = *next + (uint64_t)c * n;
        uint8_t *at = im->img + sq_block_offset(b);
        if (sq_object_seal(at, n, base.kmeta, vault_id, level, type, b, r->body, r->len) != SQ_OK)
            abort();
        sq_object_hash(c == 0 ? r->ref.hash_a : r->ref.hash_b, base.khash, at, (size_t)n * SQ_BLOCK_BYTES);
        /* the pin covers nonce and tag: a flipped ciphertext byte keeps the
         * pin and fails the AEAD, the path a bit rot takes */
        if (r->tag & (c == 0 ? T_DAMAGE_A : T_DAMAGE_B))
            at[SQ_OBJ_NONCE_BYTES + 7] ^= 0x40;
    }
    r->ref.block_a = *next;
    r->ref.block_b = *next + n;
    r->ref.nblocks = n;
    r->ref.entries = ref_entries(r);
    *next += 2ull * n;
}

/* recompute the pins of a present reference from the image (FORMAT.md 6:
 * the holder of K_objref pins whatever it likes) */
static void
repin(const image *im, sq_objref *ref)
{
    if (ref->nblocks == 0 || ref->nblocks > SQ_OBJ_MAX_BLOCKS)
        return;
    if (ref->block_a < im->blocks && ref->nblocks <= im->blocks - ref->block_a)
        sq_object_hash(ref->hash_a, base.khash, im->img + sq_block_offset(ref->block_a),
                       (size_t)ref->nblocks * SQ_BLOCK_BYTES);
    if (ref->block_b < im->blocks && ref->nblocks <= im->blocks - ref->block_b)
        sq_object_hash(ref->hash_b, base.khash, im->img + sq_block_offset(ref->block_b),
                       (size_t)ref->nblocks * SQ_BLOCK_BYTES);
}

/* one 92-byte reference inside a raw root body: resolve a link, repin */
static void
fix_raw_ref(uint8_t *p, const image *im, const record *recs, const unsigned *placed, unsigned n_placed,
            bool literal_hash)
{
    sq_objref ref;

    sq_objref_parse(&ref, p);
    if (!sodium_is_zero(p + REF_RESERVED, SQ_OBJREF_BYTES - REF_RESERVED) && n_placed > 0) {
        const sq_objref *to = &recs[placed[p[REF_RESERVED] % n_placed]].ref;
        uint8_t          keep = p[REF_RESERVED + 1];
        if (!(keep & 1))
            ref.nblocks = to->nblocks;
        if (!(keep & 2))
            ref.entries = to->entries;
        if (!(keep & 4))
            ref.block_a = to->block_a;
        if (!(keep & 8))
            ref.block_b = to->block_b;
        memcpy(ref.hash_a, to->hash_a, SQ_HASH_BYTES);
        memcpy(ref.hash_b, to->hash_b, SQ_HASH_BYTES);
    }
    if (!literal_hash)
        repin(im, &ref);
    sq_objref_serialize(p, &ref);            /* also clears the reserved bytes */
}

static void
fix_raw_root(uint8_t *r, size_t len, const image *im, const record *recs, const unsigned *placed,
             unsigned n_placed, bool literal_hash)
{
    size_t off;

    if (len >= ROOT_OFF_LEN + 8 && sq_load_le64(r + ROOT_OFF_LEN) == 0)
        sq_store_le64(r + ROOT_OFF_LEN, sq_block_offset(im->blocks));
    for (off = ROOT_OFF_KR; off <= ROOT_OFF_FL && off + SQ_OBJREF_BYTES <= len; off += SQ_OBJREF_BYTES)
        fix_raw_ref(r + off, im, recs, placed, n_placed, literal_hash);
    off = ROOT_OFF_NIDX;
    for (int list = 0; list < 2 && off < len; list++) {
        unsigned n = r[off++];
        for (unsigned i = 0; i < n && off + SQ_OBJREF_BYTES <= len; i++, off += SQ_OBJREF_BYTES)
            fix_raw_ref(r + off, im, recs, placed, n_placed, literal_hash);
    }
}

static void
seal_root(image *im, const uint8_t *body, size_t len, uint64_t block, bool damage)
{
    uint8_t *at;

    if (block >= im->blocks || len > sq_object_capacity(1))
        return;
    at = im->img + sq_block_offset(block);
    if (sq_object_seal(at, 1, base.kmeta, NULL, 0, SQ_OBJ_ROOT, block, body, len) != SQ_OK)
        abort();
    if (damage)
        at[SQ_OBJ_NONCE_BYTES + 7] ^= 0x40;
}

/* the root the harness builds when the input has none (FORMAT.md 7) */
static bool
build_root(uint8_t *out, size_t *len, const image *im, const record *recs, unsigned n)
{
    sq_root root = base.root;
    bool    kr = false, fl = false, idx = false, rec = false;

    root.generation = base.root.generation + 1;
    root.committed_length = sq_block_offset(im->blocks);
    for (unsigned i = 0; i < n; i++) {
        const record *r = &recs[i];
        bool          none = r->len == 0;
        switch (r->tag & T_TYPE) {
        case SQ_OBJ_KEYRING:
            if (!kr)
                root.keyring = r->ref;            /* zero (absent) when none or unplaced */
            kr = true;
            break;
        case SQ_OBJ_FREELIST:
            if (!fl)
                root.freelist = r->ref;
            fl = true;
            break;
        case SQ_OBJ_INDEX:
            if (!idx)
                root.n_index = 0;
            idx = true;
            if (!none && r->ref.nblocks != 0 && root.n_index < SQ_MAX_SEGMENTS)
                root.index[root.n_index++] = r->ref;
            break;
        case SQ_OBJ_RECORDS:
            if (!rec)
                root.n_records = 0;
            rec = true;
            if (!none && r->ref.nblocks != 0 && root.n_records < SQ_MAX_SEGMENTS)
                root.records[root.n_records++] = r->ref;
            break;
        default:
            break;
        }
    }
    return sq_root_serialize(out, sq_object_capacity(1), len, &root) == SQ_OK;
}

typedef struct {
    uint8_t       flags, end, back, change;
    sq_slot_plain plain;
} setup;

/* Lay the input out into im and write it to the work file. */
static void
make_image(image *im, setup *s, const uint8_t *data, size_t size)
{
    record   recs[MAX_RECORDS];
    unsigned n = 0, placed[MAX_RECORDS], n_placed = 0;
    uint8_t  vault_id[SQ_VAULTID_BYTES];
    uint32_t level = base.root.level;
    uint64_t next;
    size_t   pos = HDR_BYTES, file_len;
    bool     raw_root = false;
    int      fd;

    memset(recs, 0, sizeof recs);
    memcpy(vault_id, base.root.vault_id, sizeof vault_id);
    s->flags = data[0];
    s->end = data[1];
    s->back = data[2];
    s->change = data[3];
    s->plain = base.plain;
    while (pos + 3 <= size && n < MAX_RECORDS) {
        record *r = &recs[n++];
        size_t  len = sq_load_le16(data + pos + 1);
        r->tag = data[pos];
        r->body = data + pos + 3;
        r->len = len < size - pos - 3 ? len : size - pos - 3;
        pos += 3 + r->len;
        if ((r->tag & T_TYPE) == SQ_OBJ_ROOT && !raw_root) {
            raw_root = true;            /* objects carry the first raw root's binding */
            if (r->len >= SQ_VAULTID_BYTES + 4)
                memcpy(vault_id, r->body + 4, SQ_VAULTID_BYTES);
            level = r->len >= ROOT_OFF_LEVEL + 4 ? sq_load_le32(r->body + ROOT_OFF_LEVEL) : 0;
        }
    }
    memcpy(im->img, base.image, base.image_len);
    im->blocks = base.blocks;
    if (s->flags & F_WIPE_ROOTS)
        for (int a = 0; a < 4; a++)
            memset(im->img + sq_block_offset(base.plain.anchors[a]), 0, SQ_BLOCK_BYTES);
    next = base.blocks - (s->back < base.blocks ? s->back : base.blocks);
    for (unsigned i = 0; i < n; i++) {
        if ((recs[i].tag & T_TYPE) == SQ_OBJ_ROOT || recs[i].len == 0)
            continue;
        seal_record(im, &recs[i], &next, vault_id, level);
        if (recs[i].ref.nblocks != 0)
            placed[n_placed++] = i;
    }
    if (s->flags & F_ANCHORS)
        for (int a = 0; a < 4; a++)
            s->plain.anchors[a] = sq_load_le16(data + 4 + 2 * a) % im->blocks;
    if (raw_root) {
        uint8_t body[SQ_BLOCK_BYTES];
        for (unsigned i = 0; i < n; i++) {
            const record *r = &recs[i];
            unsigned      pair;
            if ((r->tag & T_TYPE) != SQ_OBJ_ROOT || r->len > sq_object_capacity(1))
                continue;
            memcpy(body, r->body, r->len);
            fix_raw_root(body, r->len, im, recs, placed, n_placed, (s->flags & F_LITERAL_HASH) != 0);
            pair = r->len >= ROOT_OFF_GEN + 8 ? (unsigned)(sq_load_le64(body + ROOT_OFF_GEN) % 2) : 0;
            pair ^= (r->tag & T_OTHER_PAIR) ? 1 : 0;
            seal_root(im, body, r->len, s->plain.anchors[2 * pair], (r->tag & T_DAMAGE_A) != 0);
            seal_root(im, body, r->len, s->plain.anchors[2 * pair + 1], (r->tag & T_DAMAGE_B) != 0);
        }
    } else {
        uint8_t  body[SQ_BLOCK_BYTES];
        size_t   len = 0;
        unsigned pair = (unsigned)((base.root.generation + 1) % 2);
        if (build_root(body, &len, im, recs, n)) {
            seal_root(im, body, len, s->plain.anchors[2 * pair], false);
            seal_root(im, body, len, s->plain.anchors[2 * pair + 1], false);
        }
    }
    file_len = (size_t)sq_block_offset(im->blocks);
    if (s->end & 0x80) {
        img_grow(im, im->blocks + (s->end & 0x7fu));
        file_len = (size_t)sq_block_offset(im->blocks);
    } else {
        size_t cut = (size_t)s->end * (SQ_BLOCK_BYTES / 2);
        file_len = cut < file_len ? file_len - cut : 0;
    }
    if ((fd = open(base.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0 ||
        write(fd, im->img, file_len) != (ssize_t)file_len || close(fd) != 0)
        abort();
}

/* ---- one input: using the vault ---- */

static void
sink_reset(void)
{
    if (ftruncate(base.sink, 0) != 0 || lseek(base.sink, 0, SEEK_SET) != 0)
        abort();
}

static size_t
sink_size(void)
{
    struct stat st;

    if (fstat(base.sink, &st) != 0)
        abort();
    return (size_t)st.st_size;
}

static void
sink_sha256(uint8_t out[32], size_t len)
{
    uint8_t *b = malloc(len + 1);

    if (b == NULL || pread(base.sink, b, len, 0) != (ssize_t)len)
        abort();
    crypto_hash_sha256(out, b, len);
    free(b);
}

static void
count_doc_damage(void *ctx, sq_check_kind kind, const char *name, size_t name_len, uint64_t chunk,
                 const char *what)
{
    (void)name;
    (void)name_len;
    (void)chunk;
    (void)what;
    if (kind == SQ_CHECK_DOC_DAMAGED)
        (*(size_t *)ctx)++;
}

static bool
same_vault_binding(const sq_vault *v)
{
    return memcmp(v->k->root.vault_id, base.root.vault_id, SQ_VAULTID_BYTES) == 0 &&
           v->k->root.level == base.root.level;
}

/* list, find, extract, check, info: everything a reader does */
static void
use_vault(sq_vault *v)
{
    size_t          n = sq_vault_count(v), bad = 0, reported = 0;
    sq_doc_info     prev = {0};
    sq_vault_info_t info;
    sq_err          ret;

    for (size_t i = 0; i < n; i++) {
        sq_doc_info d;
        size_t      at = SIZE_MAX, got;
        sq_damage   dmg;
        const sq_doc *doc;

        sq_vault_doc_at(v, i, &d);
        if (d.name_len == 0 || d.name_len > SQ_MAX_NAME_BYTES)
            abort();
        if (i > 0) {                          /* byte order, no two alike */
            size_t m = prev.name_len < d.name_len ? prev.name_len : d.name_len;
            int    c = memcmp(prev.name, d.name, m);
            if (c > 0 || (c == 0 && prev.name_len >= d.name_len))
                abort();
        }
        prev = d;
        ret = sq_vault_find(v, d.name, d.name_len, &at);
        if (ret != SQ_OK || at != i) {
            fprintf(stderr, "fuzz_state: listed name %zu does not find itself (%s, %zu)\n", i,
                    sq_err_str(ret), at);
            abort();
        }
        {
            /* found under case folding too (FORMAT.md 11): ASCII upper case
             * is enough to make a different string with the same fold */
            char upper[SQ_MAX_NAME_BYTES];
            for (size_t k = 0; k < d.name_len; k++)
                upper[k] = d.name[k] >= 'a' && d.name[k] <= 'z' ? (char)(d.name[k] - 32) : d.name[k];
            at = SIZE_MAX;
            ret = sq_vault_find(v, upper, d.name_len, &at);
            if (ret != SQ_OK || at != i) {
                fprintf(stderr, "fuzz_state: listed name %zu is not found in upper case (%s, %zu)\n", i,
                        sq_err_str(ret), at);
                abort();
            }
        }
        sink_reset();
        ret = sq_vault_extract(v, i, base.sink, &dmg, NULL, NULL);
        expect_err(ret, "extract");
        got = sink_size();
        if (ret != SQ_OK) {
            bad++;
            if (ret != SQ_ERR_DAMAGED || got > d.size)
                abort();
            continue;
        }
        if (got != d.size)
            abort();                          /* authenticated output is the whole document */
        doc = v->view[i];
        for (unsigned k = 0; k < N_DOCS; k++) {
            uint8_t sum[32];
            if (docs[k].removed || memcmp(doc->doc_id, docs[k].doc_id, SQ_DOCID_BYTES) != 0 ||
                memcmp(doc->write_salt, docs[k].write_salt, 32) != 0 || !same_vault_binding(v))
                continue;
            /* the key and AD of a base document: only its own ciphertext opens */
            sink_sha256(sum, got);
            if (d.size != docs[k].size || memcmp(sum, docs[k].sha256, 32) != 0)
                abort();
        }
    }
    ret = sq_vault_check(v, count_doc_damage, &reported, NULL, NULL);
    if (ret != SQ_OK && ret != SQ_ERR_DAMAGED)
        abort();
    if (reported != bad || (bad > 0 && ret == SQ_OK))
        abort();                              /* check and extract must agree */
    if (sq_vault_info(v, &info) != SQ_OK || info.documents != n)
        abort();
    for (size_t i = 0; i < sq_vault_ways_count(v); i++) {
        sq_way_in w;
        sq_vault_way_at(v, i, &w);
        if (w.label == NULL || strlen(w.label) > SQ_MAX_LABEL_BYTES)
            abort();
    }
    if (base.verbose)
        fprintf(stderr, "fuzz_state: opened gen %llu, %zu docs, %zu failed, check %s\n",
                (unsigned long long)v->k->root.generation, n, bad, sq_err_str(ret));
}

static bool
doc_name_is(const sq_vault *v, size_t i, const char *name)
{
    sq_doc_info d;

    sq_vault_doc_at(v, i, &d);
    return d.name_len == strlen(name) && memcmp(d.name, name, d.name_len) == 0;
}

/* the name of document i in ASCII upper case: the same under case folding */
static void
clash_name(char out[SQ_MAX_NAME_BYTES + 1], const sq_vault *v, size_t i)
{
    sq_doc_info d;

    sq_vault_doc_at(v, i, &d);
    for (size_t k = 0; k < d.name_len; k++)
        out[k] = d.name[k] >= 'a' && d.name[k] <= 'z' ? (char)(d.name[k] - 32) : d.name[k];
    out[d.name_len] = '\0';
}

static void
dump_names(const sq_vault *v, const char *what)
{
    for (size_t i = 0; base.verbose && i < sq_vault_count(v); i++) {
        sq_doc_info d;
        sq_vault_doc_at(v, i, &d);
        fprintf(stderr, "fuzz_state: %s %zu: %.*s\n", what, i, (int)d.name_len, d.name);
    }
}

/* one small change and a commit; a commit that succeeds must reopen */
static void
change_vault(sq_vault **vp, const setup *s)
{
    static uint8_t content[BIG_ADD_BYTES];
    static char    added[SQ_MAX_NAME_BYTES + 1], renamed[SQ_MAX_NAME_BYTES + 1];
    sq_vault      *v = *vp;
    size_t         expect = sq_vault_count(v), pick = s->change >> 4;
    size_t         content_len = (s->flags & F_BIG_ADD) ? sizeof content : 32;
    sq_err         ret;

    memset(content, s->change, content_len);
    added[0] = '\0';
    if (s->change & M_ADD) {
        sq_add_opts o = {0};
        int         fd = memfd_with(content, content_len);
        bool        clash = (s->flags & F_NAME_CLASH) && expect > 0;
        if (clash)
            clash_name(added, v, pick % expect);
        else
            snprintf(added, sizeof added, "fuzz/added-%u.txt", (unsigned)s->change);
        o.name = added;
        o.name_len = strlen(added);
        o.note = "a note";
        o.note_len = 6;
        o.replace = (s->flags & F_REPLACE) != 0;
        ret = sq_vault_add_fd(v, fd, &o);
        close(fd);
        expect_err(ret, "add");
        if (ret == SQ_OK && !(clash && o.replace))
            expect++;
        if (ret != SQ_OK)
            added[0] = '\0';
    }
    if ((s->change & M_REMOVE) && sq_vault_count(v) > 0) {
        size_t i = pick % sq_vault_count(v);
        bool   was_added = added[0] != '\0' && doc_name_is(v, i, added);
        ret = sq_vault_remove(v, i);
        expect_err(ret, "remove");
        if (ret == SQ_OK) {
            expect--;
            if (was_added)
                added[0] = '\0';
        }
    }
    if ((s->change & M_RENAME) && sq_vault_count(v) > 0) {
        size_t i = (pick + 1) % sq_vault_count(v);
        bool   was_added = added[0] != '\0' && doc_name_is(v, i, added);
        if (s->flags & F_NAME_CLASH)
            clash_name(renamed, v, (pick + 2) % sq_vault_count(v));
        else
            snprintf(renamed, sizeof renamed, "fuzz/renamed-%u", (unsigned)s->change);
        ret = sq_vault_rename(v, i, renamed, strlen(renamed));
        expect_err(ret, "rename");
        if (ret == SQ_OK && was_added)
            memcpy(added, renamed, sizeof added);
    }
    if ((s->change & M_NOTE) && sq_vault_count(v) > 0)
        expect_err(sq_vault_note_extracted(v, pick % sq_vault_count(v)), "note");
    if ((s->change & M_WAY_OUT) && sq_vault_ways_count(v) > 0) {
        sq_way_in w;
        sq_vault_way_at(v, (pick + 2) % sq_vault_ways_count(v), &w);
        /* the way in that opened is the harness's only key: keep it */
        if (!w.current)
            expect_err(sq_vault_passphrase_remove(v, w.slot), "way out");
    }
    dump_names(v, "staged");
    ret = sq_vault_commit(v);
    expect_err(ret, "commit");
    dump_names(v, "committed");
    if (base.verbose)
        fprintf(stderr, "fuzz_state: change 0x%02x, commit %s\n", (unsigned)s->change, sq_err_str(ret));
    if (ret != SQ_OK)
        return;
    if (sq_vault_count(v) != expect) {
        fprintf(stderr, "fuzz_state: %zu documents after the commit, %zu expected\n", sq_vault_count(v), expect);
        abort();
    }
    sq_vault_close(v);
    *vp = NULL;
    /* what the library committed, it must open again */
    ret = sq_vault_open_keyed(vp, base.path, false, &s->plain, base.slot);
    if (ret != SQ_OK) {
        fprintf(stderr, "fuzz_state: the committed state does not open: %s (%s)\n", sq_err_str(ret),
                sq_vault_last_detail(NULL));
        abort();
    }
    v = *vp;
    if (sq_vault_count(v) != expect)
        abort();
    if (added[0] != '\0') {
        size_t  i = SIZE_MAX;
        uint8_t sum[32], want[32];
        if (sq_vault_find(v, added, strlen(added), &i) != SQ_OK)
            abort();
        sink_reset();
        if (sq_vault_extract(v, i, base.sink, NULL, NULL, NULL) != SQ_OK || sink_size() != content_len)
            abort();
        sink_sha256(sum, content_len);
        crypto_hash_sha256(want, content, content_len);
        if (memcmp(sum, want, 32) != 0)
            abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static image im;
    setup        s;
    sq_vault    *v = NULL;
    uint8_t      exec_seed[32];
    sq_err       ret;

    if (!base.ready)
        build_base();
    if (size < HDR_BYTES)
        return 0;
    /* Every run of an input draws the same nonces, ids and placements, so a
     * finding replays. Seeded from the input, not a constant: with a
     * constant the fuzzer learns the next doc_id from a comparison and
     * plants it in the index, a 2^-128 event for a real colleague. */
    crypto_generichash(exec_seed, sizeof exec_seed, data, size, NULL, 0);
    sq_random_set_test_seed(exec_seed);
    if (im.img == NULL) {
        im.cap = base.image_len * 2;
        if ((im.img = malloc(im.cap)) == NULL)
            abort();
    }
    make_image(&im, &s, data, size);
    ret = sq_vault_open_keyed(&v, base.path, !(s.flags & F_READONLY), &s.plain, base.slot);
    expect_err(ret, "open");
    if (base.verbose && ret != SQ_OK)
        fprintf(stderr, "fuzz_state: open %s (%s)\n", sq_err_str(ret), sq_vault_last_detail(NULL));
    if (ret != SQ_OK) {
        unlink(base.path);
        return 0;
    }
    use_vault(v);
    if (!(s.flags & F_READONLY))
        change_vault(&v, &s);
    sq_vault_close(v);
    unlink(base.path);               /* a crash leaves at most one behind */
    return 0;
}

/* ---- the seed corpus: the base vault's own decrypted objects ---- */

#define KEYRING_CAP SQ_KEYRING_BODY3_BYTES            /* the longest keyring length */

typedef struct {
    uint8_t buf[1 << 16];
    size_t  len;
} seed;

static void
seed_header(seed *sd, uint8_t flags, uint8_t end, uint8_t back, uint8_t change)
{
    memset(sd->buf, 0, HDR_BYTES);
    sd->buf[0] = flags;
    sd->buf[1] = end;
    sd->buf[2] = back;
    sd->buf[3] = change;
    sd->len = HDR_BYTES;
}

static void
seed_record(seed *sd, uint8_t tag, const uint8_t *body, size_t len)
{
    if (sd->len + 3 + len > sizeof sd->buf)
        abort();
    sd->buf[sd->len] = tag;
    sq_store_le16(sd->buf + sd->len + 1, (uint16_t)len);
    if (len > 0)
        memcpy(sd->buf + sd->len + 3, body, len);
    sd->len += 3 + len;
}

static void
seed_write(const char *dir, const char *name, const seed *sd)
{
    char  path[512];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    if ((f = fopen(path, "wb")) == NULL || fwrite(sd->buf, 1, sd->len, f) != sd->len || fclose(f) != 0)
        abort();
}

/* the decrypted body of one of the base vault's objects */
static void
seed_object(seed *sd, sq_vault *v, const sq_objref *ref, uint8_t type, uint8_t tag_bits)
{
    uint8_t       *plain = NULL;
    size_t         plain_len = 0, len = 0;
    const uint8_t *body = NULL;

    if (sq_read_object(v, ref, type, &plain, &plain_len, &body, &len, NULL) != SQ_OK)
        abort();
    seed_record(sd, (uint8_t)(type | tag_bits), body, len);
    sq_secret_free(plain, plain_len);
}

/* every object of the base state, in the order build_root reads them. The
 * keyring only on request: it is a fixed 12996-byte body (FORMAT.md 13) that
 * would make every seed 13 KiB of mostly zeros; without it the harness's root
 * keeps the base keyring. */
static void
seed_all_objects(seed *sd, sq_vault *v, bool keyring)
{
    const sq_root *r = &v->k->root;

    if (keyring)
        seed_object(sd, v, &r->keyring, SQ_OBJ_KEYRING, 0);
    if (r->freelist.nblocks != 0)
        seed_object(sd, v, &r->freelist, SQ_OBJ_FREELIST, 0);
    for (unsigned i = 0; i < r->n_index; i++)
        seed_object(sd, v, &r->index[i], SQ_OBJ_INDEX, 0);
    for (unsigned i = 0; i < r->n_records; i++)
        seed_object(sd, v, &r->records[i], SQ_OBJ_RECORDS, 0);
}

/* a link to placed record rec: byte 88 the record, byte 90 a marker so
 * that record 0 is a link too */
static void
seed_link(uint8_t *ref, uint8_t rec)
{
    ref[REF_RESERVED] = rec;
    ref[REF_RESERVED + 2] = 1;
}

/* the base root as a raw root body with generation gen and committed
 * length 0 (the image's); with links, every reference but the keyring's
 * (left literal: the base keyring) links to the record that
 * seed_all_objects(..., false) put in its place */
static size_t
seed_raw_root(uint8_t *out, const sq_vault *v, uint64_t gen, bool links)
{
    sq_root r = v->k->root;
    size_t  len = 0, off;
    uint8_t rec = 0;                                /* record numbers count placed records */

    r.generation = gen;
    if (sq_root_serialize(out, sq_object_capacity(1), &len, &r) != SQ_OK)
        abort();
    sq_store_le64(out + ROOT_OFF_LEN, 0);
    if (!links)
        return len;
    if (r.freelist.nblocks != 0)
        seed_link(out + ROOT_OFF_FL, rec++);
    off = ROOT_OFF_NIDX + 1;
    for (unsigned i = 0; i < r.n_index; i++, off += SQ_OBJREF_BYTES)
        seed_link(out + off, rec++);
    off++;
    for (unsigned i = 0; i < r.n_records; i++, off += SQ_OBJREF_BYTES)
        seed_link(out + off, rec++);
    return len;
}

static void
write_seeds(const char *dir)
{
    static seed          sd;
    static uint8_t       root[SQ_BLOCK_BYTES];
    const sq_root       *r;
    sq_index_segment     idx, one;
    uint8_t             *plain = NULL, *buf;
    size_t               plain_len = 0, body_len = 0, len, cap;
    const uint8_t       *body = NULL;
    sq_vault            *v = NULL;

    /* a fresh read-only session: the builder's has staged nothing, but keep
     * the seeds independent of its state */
    if (sq_vault_open_keyed(&v, base.path, false, &base.plain, base.slot) != SQ_OK)
        abort();
    r = &v->k->root;

    /* 1. the base state recommitted, with a change */
    seed_header(&sd, 0, 0, 0, M_ADD | M_REMOVE | 0x10);
    seed_write(dir, "recommit", &sd);

    /* 2. every object resealed, root built by the harness */
    seed_header(&sd, 0, 0, 0, M_ADD | M_RENAME | M_NOTE | 0x20);
    seed_all_objects(&sd, v, true);
    seed_write(dir, "objects", &sd);

    /* 3. the same with a raw root linking to them, wiping the base roots */
    seed_header(&sd, F_WIPE_ROOTS, 0, 0, M_REMOVE | M_ADD | 0x30);
    seed_all_objects(&sd, v, false);
    len = seed_raw_root(root, v, r->generation + 1, true);
    seed_record(&sd, SQ_OBJ_ROOT, root, len);
    seed_write(dir, "raw-root", &sd);

    /* 4. two raw roots with literal references to the base objects,
     *    read-only: generations g+1 and g+2, the newer with a bad first copy */
    seed_header(&sd, F_READONLY, 0, 0, 0);
    len = seed_raw_root(root, v, r->generation + 1, false);
    seed_record(&sd, SQ_OBJ_ROOT, root, len);
    len = seed_raw_root(root, v, r->generation + 2, false);
    seed_record(&sd, SQ_OBJ_ROOT | T_DAMAGE_A, root, len);
    seed_write(dir, "raw-root-literal", &sd);

    /* 5. the index split into one segment per document, a delete segment
     *    and a rename (a newer put of the same doc_id), with damaged first
     *    copies and lying entry counts */
    if (sq_read_object(v, &r->index[0], SQ_OBJ_INDEX, &plain, &plain_len, &body, &body_len, NULL) != SQ_OK ||
        sq_index_segment_parse(&idx, body, body_len) != SQ_OK)
        abort();
    sq_secret_free(plain, plain_len);
    cap = body_len + 4096;
    if ((buf = malloc(cap)) == NULL)
        abort();
    seed_header(&sd, 0, 0, 0, M_ADD | M_REMOVE | M_WAY_OUT);
    {
        /* a second way in, for the removal of a way in */
        sq_keyring *kr = sq_secret_alloc(sizeof *kr);
        uint8_t    *krbuf = sq_secret_alloc(KEYRING_CAP);
        if (kr == NULL || krbuf == NULL ||
            sq_read_object(v, &r->keyring, SQ_OBJ_KEYRING, &plain, &plain_len, &body, &body_len, NULL) != SQ_OK ||
            sq_keyring_parse(kr, body, body_len) != SQ_OK || kr->count != 1)
            abort();
        sq_secret_free(plain, plain_len);
        kr->entries[1] = kr->entries[0];
        kr->entries[1].slot = (uint8_t)((base.slot + 1) % SQ_SLOT_COUNT);
        kr->entries[1].kind = SQ_SLOT_RAWKEY;
        memcpy(kr->entries[1].label, "old", 4);
        kr->entries[1].label_len = 3;
        kr->count = 2;
        if (sq_keyring_serialize(krbuf, KEYRING_CAP, &len, kr) != SQ_OK)
            abort();
        seed_record(&sd, SQ_OBJ_KEYRING | T_DAMAGE_B, krbuf, len);
        sq_secret_free(krbuf, KEYRING_CAP);
        sq_secret_free(kr, sizeof *kr);
    }
    for (uint32_t i = 0; i < idx.count; i++) {
        memset(&one, 0, sizeof one);
        if (sq_index_segment_push(&one, idx.entries[i].op, &idx.entries[i].doc) != SQ_OK ||
            sq_index_segment_serialize(buf, cap, &len, &one) != SQ_OK)
            abort();
        seed_record(&sd, (uint8_t)(SQ_OBJ_INDEX | (i == 0 ? T_DAMAGE_A | T_LIE_ENTRIES : 0)), buf, len);
        sq_index_segment_free(&one);
    }
    if (idx.count > 1) {
        sq_doc d;
        memset(&one, 0, sizeof one);
        if (sq_doc_copy(&d, &idx.entries[1].doc) != SQ_OK)
            abort();
        free(d.name);
        if ((d.name = strdup("Renamed/Photo")) == NULL)
            abort();
        d.name_len = strlen(d.name);
        if (sq_index_segment_push(&one, SQ_IDX_DELETE, &idx.entries[0].doc) != SQ_OK ||
            sq_index_segment_push(&one, SQ_IDX_PUT, &d) != SQ_OK ||
            sq_index_segment_serialize(buf, cap, &len, &one) != SQ_OK)
            abort();
        seed_record(&sd, SQ_OBJ_INDEX | T_EXTRA_BLOCK, buf, len);
        sq_doc_clear(&d);
        sq_index_segment_free(&one);
    }
    for (unsigned i = 0; i < r->n_records; i++)
        seed_object(&sd, v, &r->records[i], SQ_OBJ_RECORDS, T_LIE_ENTRIES);
    seed_write(dir, "split-index", &sd);

    /* 6. custom anchors in blocks the base state leaves free, base roots
     *    wiped, no free list; once with a raw root of nothing (refused: the
     *    fuzzer's start for anchors that see no root), once built */
    {
        uint64_t free_blocks[4];
        unsigned nf = 0;
        for (uint64_t b = 0; b < v->committed_blocks && nf < 4; b++)
            if (!sq_bm_test(v, b))
                free_blocks[nf++] = b;
        for (unsigned pass = 0; pass < 2; pass++) {
            seed_header(&sd, F_ANCHORS | F_WIPE_ROOTS, 0, 0, M_ADD | M_RENAME | 0x40);
            for (unsigned a = 0; a < 4; a++)
                sq_store_le16(sd.buf + 4 + 2 * a, (uint16_t)(nf == 4 ? free_blocks[a] : base.plain.anchors[a]));
            seed_record(&sd, SQ_OBJ_FREELIST, NULL, 0);
            seed_object(&sd, v, &r->index[0], SQ_OBJ_INDEX, 0);
            for (unsigned i = 0; i < r->n_records; i++)
                seed_object(&sd, v, &r->records[i], SQ_OBJ_RECORDS, 0);
            if (pass == 0)
                seed_record(&sd, SQ_OBJ_ROOT, NULL, 0);
            seed_write(dir, pass == 0 ? "anchors-no-root" : "anchors", &sd);
        }
    }

    /* 7. the base state cut by half a block (read-only: a writer refuses it) */
    seed_header(&sd, F_READONLY, 1, 0, 0);
    seed_write(dir, "truncated", &sd);

    /* 8. the remains of an interrupted growth past the committed end, and a
     *    document that grows the file again */
    seed_header(&sd, F_BIG_ADD, 0x80 | 5, 0, M_ADD);
    seed_all_objects(&sd, v, false);
    seed_write(dir, "grown", &sd);

    /* 9. every document deleted, an empty record segment added */
    seed_header(&sd, 0, 0, 0, M_ADD | M_REMOVE);
    seed_object(&sd, v, &r->index[0], SQ_OBJ_INDEX, 0);
    memset(&one, 0, sizeof one);
    for (uint32_t i = 0; i < idx.count; i++)
        if (sq_index_segment_push(&one, SQ_IDX_DELETE, &idx.entries[i].doc) != SQ_OK)
            abort();
    if (sq_index_segment_serialize(buf, cap, &len, &one) != SQ_OK)
        abort();
    seed_record(&sd, SQ_OBJ_INDEX, buf, len);
    sq_index_segment_free(&one);
    for (unsigned i = 0; i < r->n_records; i++)
        seed_object(&sd, v, &r->records[i], SQ_OBJ_RECORDS, 0);
    {
        static const uint8_t empty_records[4] = {0};
        seed_record(&sd, SQ_OBJ_RECORDS, empty_records, sizeof empty_records);
    }
    seed_write(dir, "all-deleted", &sd);

    /* 10. an add that replaces an existing name, a rename onto one */
    seed_header(&sd, F_NAME_CLASH | F_REPLACE, 0, 0, M_ADD | M_RENAME | 0x10);
    seed_write(dir, "replace", &sd);

    /* 11. one document, removed: the merged index is empty */
    seed_header(&sd, 0, 0, 0, M_REMOVE);
    memset(&one, 0, sizeof one);
    if (sq_index_segment_push(&one, SQ_IDX_PUT, &idx.entries[0].doc) != SQ_OK ||
        sq_index_segment_serialize(buf, cap, &len, &one) != SQ_OK)
        abort();
    seed_record(&sd, SQ_OBJ_INDEX, buf, len);
    sq_index_segment_free(&one);
    seed_write(dir, "last-removed", &sd);

    /* 12. two names alike under case folding (damaged), and a segment of
     *     many deletes before the puts */
    for (unsigned pass = 0; pass < 2; pass++) {
        sq_doc d;
        seed_header(&sd, F_READONLY, 0, 0, 0);
            memset(&one, 0, sizeof one);
        memset(&d, 0, sizeof d);
        for (unsigned i = 0; pass == 1 && i < 24; i++) {
            d.doc_id[0] = (uint8_t)i;
            d.doc_id[15] = 0xde;
            if (sq_index_segment_push(&one, SQ_IDX_DELETE, &d) != SQ_OK)
                abort();
        }
        for (uint32_t i = 0; i < idx.count; i++)
            if (sq_index_segment_push(&one, SQ_IDX_PUT, &idx.entries[i].doc) != SQ_OK)
                abort();
        if (pass == 0) {
            if (sq_doc_copy(&d, &idx.entries[0].doc) != SQ_OK)
                abort();
            d.doc_id[0] ^= 1;
            for (size_t k = 0; k < d.name_len; k++)
                if (d.name[k] >= 'a' && d.name[k] <= 'z')
                    d.name[k] = (char)(d.name[k] - 32);
            if (sq_index_segment_push(&one, SQ_IDX_PUT, &d) != SQ_OK)
                abort();
            sq_doc_clear(&d);
        }
        if (sq_index_segment_serialize(buf, cap, &len, &one) != SQ_OK)
            abort();
        seed_record(&sd, SQ_OBJ_INDEX, buf, len);
        sq_index_segment_free(&one);
        seed_write(dir, pass == 0 ? "names-alike" : "many-deletes", &sd);
    }

    free(buf);
    sq_index_segment_free(&idx);
    sq_vault_close(v);
}
