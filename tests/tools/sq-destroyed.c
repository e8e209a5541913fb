/* sq-destroyed: test harness for "rm and rekey really destroy" (FORMAT.md 9, 13;
 * THREAT_MODEL.md "Revocation of copies").
 *
 * It plays an attacker who knew a passphrase before a command ran and kept
 * everything that passphrase gave: the level key and its subkeys, every
 * document's chunk-key inputs, sizes and layout, the keyring's slot KEKs and
 * commitment keys, and A_A/A_B of the passphrase used for the capture. After
 * the command, it tries every place of the current file under those old keys,
 * with no passphrase, and says whether anything still authenticates.
 *
 *   sq-destroyed capture VAULT STATEFILE (--passphrase-file F | --passphrase-fd N)
 *       Opens VAULT read-only with the passphrase (first line of F or of
 *       descriptor N, one trailing \n or \r\n stripped, NFC; the CLI's rule)
 *       and writes STATEFILE (created, mode 0600; an existing file is
 *       refused). STATEFILE is a SECRET TEST ARTIFACT: it holds the level
 *       key and every slot KEK of the vault in hex. Delete it after the test.
 *       With SANDYQ_INSECURE_TEST_KDF=1 only `test` vaults open (as in the CLI).
 *
 *   sq-destroyed check VAULT STATEFILE [--removed NAME]... [--rekeyed]
 *                      [--passphrase-removed] [--object-blocks N]
 *       No passphrase. At least one of:
 *       --removed NAME   every chunk j of the captured document NAME, under
 *                        its old chunk key (K_chunk(doc_id, write_salt) of the
 *                        old level key), nonce (j, final) and its AD: at its
 *                        old place (through the captured extents, so a chunk
 *                        split over two extents is read as the reader would),
 *                        and at in-block offset (j * 65552) mod 4096 of every
 *                        block of the file (every place the format can put
 *                        chunk j: extents are block-aligned).
 *       --rekeyed        the same for every captured document; every block
 *                        as the start of a metadata object under the old
 *                        K_meta: type 1 (root) with n = 1 and the root's AD
 *                        (zero vault id, level 0), types 2-5 with the vault's
 *                        id and level and n in 1..N (--object-blocks, default
 *                        8) plus every size the captured root referenced;
 *                        every slot of both areas with every old keyring
 *                        entry's KEK and commitment key (area A and B keys,
 *                        current and captured salts, AD index = the slot's
 *                        position and the entry's old index).
 *       --passphrase-removed
 *                        the capture passphrase was removed: from its A_A and
 *                        A_B, the KEK and commitment key of every index of
 *                        its area, against every slot (an unlock with that
 *                        passphrase, without early exit). An area whose salt
 *                        changed since the capture is skipped with a note:
 *                        A_X is bound to its salt, only the passphrase
 *                        itself (the CLI) can try a new one.
 *       Prints each hit (block, what authenticated; the first 20 per kind)
 *       and the number of trial decryptions and hits per kind. Exit 0: nothing authenticated; 1: something
 *       did; 2: usage, I/O or state-file error.
 *
 * "Authenticated" means the library's own open succeeded (sq_chunk_open,
 * sq_object_open: a tag that verifies, also when the body then breaks the
 * format, sq_slot_committed / sq_slot_unwrap). Not tried: a chunk or object
 * cut at a place the format cannot produce (a chunk at another in-block
 * offset, an object split over non-adjacent blocks).
 *
 * The state file is text, one record per line ('#' starts a comment):
 *   sq-destroyed-state 1
 *   vault-id HEX | level N | kdf N | generation N | file-bytes N
 *   level-key HEX | k-meta HEX | k-objref HEX
 *   salt A|B HEX | passphrase-a A|B HEX | anchors N N N N
 *   way SLOT KIND KEK_A KCMT_A KEK_B KCMT_B
 *   object TYPE BLOCK_A BLOCK_B NBLOCKS
 *   doc DOC_ID WRITE_SALT SIZE NAME_HEX START:COUNT[,START:COUNT]...
 *
 * A test tool: it may use the library's internal headers. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/chunk.h"
#include "crypto/derive.h"
#include "util/bytes.h"
#include "util/secret.h"
#include "vault/object.h"
#include "vault/slots.h"
#include "vault/structs.h"
#include "vault/vault_internal.h"

#define EXIT_CLEAN    0
#define EXIT_HIT      1
#define EXIT_TROUBLE  2

#define STATE_MAGIC      "sq-destroyed-state 1"
#define PASS_MAX         4096
#define PASS_RAW_CAP     (PASS_MAX + 2)
#define PASS_NFC_CAP     (3 * PASS_RAW_CAP + 16)
#define CT_CHUNK         ((uint64_t)SQ_CHUNK_BYTES + SQ_CHUNK_TAGBYTES)
#define CHUNK_AD_BYTES   (15 + SQ_VAULTID_BYTES + 4 + SQ_DOCID_BYTES)
#define MAX_STATE_DOCS   (1u << 20)
#define MAX_STATE_OBJS   (2u + 2u * SQ_MAX_SEGMENTS)
#define HITS_SHOWN       20u           /* per kind; the count is always exact */
#define OBJ_BLOCKS_DEF   8u
#define OBJ_BLOCKS_MAX   1024u

/* ---- the captured state ---- */

typedef struct {
    uint8_t slot;
    uint8_t kind;
    uint8_t kek[2][SQ_KEYBYTES];       /* [area]: A, B */
    uint8_t kcmt[2][SQ_KEYBYTES];
} old_way;

/* Everything secret of the state, in one guarded allocation. */
typedef struct {
    uint8_t  vault_id[SQ_VAULTID_BYTES];
    uint32_t level;
    uint32_t kdf;
    uint64_t generation;
    uint64_t file_bytes;
    uint8_t  lk[SQ_KEYBYTES];
    uint8_t  kmeta[SQ_KEYBYTES];
    uint8_t  kobjref[SQ_KEYBYTES];
    uint8_t  salt[2][SQ_SALT_BYTES];
    uint8_t  pass_a[2][SQ_KEYBYTES];   /* A_A, A_B of the capture passphrase */
    uint64_t anchors[4];
    uint32_t n_ways;
    old_way  ways[SQ_SLOT_COUNT];
    unsigned seen;                     /* bit per required line, while parsing */
} old_keys;

typedef struct {
    uint8_t    type;
    uint64_t   block_a, block_b;
    uint32_t   nblocks;
} old_obj;

typedef struct {
    uint8_t    doc_id[SQ_DOCID_BYTES];
    uint8_t    write_salt[32];
    uint64_t   size;
    char      *name;                   /* NUL-terminated: names hold no NUL (FORMAT.md 11) */
    size_t     name_len;
    sq_extent *ext;
    uint32_t   n_ext;
} old_doc;

typedef struct {
    old_keys *k;                       /* secret */
    old_obj   objs[MAX_STATE_OBJS];
    size_t    n_objs;
    old_doc  *docs;
    size_t    n_docs, cap_docs;
} state;

enum {
    SEEN_VAULT_ID = 1u << 0, SEEN_LEVEL = 1u << 1, SEEN_KDF = 1u << 2, SEEN_GEN = 1u << 3,
    SEEN_BYTES = 1u << 4, SEEN_LK = 1u << 5, SEEN_KMETA = 1u << 6, SEEN_KOBJREF = 1u << 7,
    SEEN_SALT_A = 1u << 8, SEEN_SALT_B = 1u << 9, SEEN_A_A = 1u << 10, SEEN_A_B = 1u << 11,
    SEEN_ANCHORS = 1u << 12, SEEN_ALL = (1u << 13) - 1
};

static void
state_free(state *st)
{
    for (size_t i = 0; i < st->n_docs; i++) {
        free(st->docs[i].name);
        free(st->docs[i].ext);
    }
    free(st->docs);
    sq_secret_free(st->k, sizeof *st->k);
    memset(st, 0, sizeof *st);
}

static void
usage(void)
{
    fprintf(stderr,
            "usage: sq-destroyed capture VAULT STATEFILE (--passphrase-file F | --passphrase-fd N)\n"
            "       sq-destroyed check VAULT STATEFILE [--removed NAME]... [--rekeyed]\n"
            "                          [--passphrase-removed] [--object-blocks N]\n");
}

static void
err_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
err_msg(const char *fmt, ...)
{
    va_list ap;

    fputs("sq-destroyed: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* print a document name with control bytes escaped (names are validated by
 * the library, but the state file is only our own text) */
static void
put_name(FILE *f, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f || c == '\\')
            fprintf(f, "\\x%02x", c);
        else
            fputc(c, f);
    }
}

/* ---- hex ---- */

static void
hex_put(FILE *f, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        fputc(digits[p[i] >> 4], f);
        fputc(digits[p[i] & 15], f);
    }
}

static int
hex_val(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* hex_get: exactly 2n lowercase hex digits into out */
static bool
hex_get(uint8_t *out, size_t n, const char *s)
{
    if (s == NULL || strlen(s) != 2 * n)
        return false;
    for (size_t i = 0; i < n; i++) {
        int hi = hex_val(s[2 * i]), lo = hex_val(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

/* parse_u64: decimal, no sign, no leading garbage, at most max */
static bool
parse_u64(uint64_t *out, const char *s, uint64_t max)
{
    char              *end;
    unsigned long long v;

    if (s == NULL || *s < '0' || *s > '9')
        return false;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v > max)
        return false;
    *out = v;
    return true;
}

/* ---- capture ---- */

/* read_passphrase: the first line of fd into a secret buffer, then
 * sq_passphrase_prepare (strip, UTF-8, NFC) like the CLI. */
static bool
read_passphrase(uint8_t *nfc, size_t *nfc_len, int fd)
{
    uint8_t *raw = sq_secret_alloc(PASS_RAW_CAP);
    size_t   n = 0;
    bool     ok = false, line = false;

    if (raw == NULL) {
        err_msg("out of secure memory");
        return false;
    }
    while (!line) {
        uint8_t c;
        ssize_t r = read(fd, &c, 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            err_msg("cannot read the passphrase (%s)", strerror(errno));
            goto out;
        }
        if (r == 0)
            break;
        if (n == PASS_RAW_CAP) {
            err_msg("passphrase is too long");
            goto out;
        }
        raw[n++] = c;
        line = c == '\n';
        sodium_memzero(&c, sizeof c);
    }
    if (sq_passphrase_prepare(nfc, PASS_NFC_CAP, nfc_len, raw, n) != SQ_OK) {
        err_msg("passphrase is empty or not usable");
        goto out;
    }
    ok = true;
out:
    sq_secret_free(raw, PASS_RAW_CAP);
    return ok;
}

static void
put_key_line(FILE *f, const char *label, const uint8_t *k, size_t n)
{
    fprintf(f, "%s ", label);
    hex_put(f, k, n);
    fputc('\n', f);
}

/* write_state: the capture of an open vault v (see the file header). */
static bool
write_state(FILE *f, sq_vault *v, const uint8_t pass_a[2][SQ_KEYBYTES], uint64_t file_bytes,
            uint64_t *chunks)
{
    const sq_root *r = &v->k->root;

    fprintf(f, "# sq-destroyed state file: SECRET TEST ARTIFACT. It holds the level key, every\n"
               "# slot KEK and the chunk-key inputs of every document of a vault, as an\n"
               "# attacker who knew a passphrase would keep them. Delete it after the test.\n");
    fprintf(f, "%s\n", STATE_MAGIC);
    put_key_line(f, "vault-id", r->vault_id, SQ_VAULTID_BYTES);
    fprintf(f, "level %" PRIu32 "\n", r->level);
    fprintf(f, "kdf %d\n", v->kdf_profile);
    fprintf(f, "generation %" PRIu64 "\n", r->generation);
    fprintf(f, "file-bytes %" PRIu64 "\n", file_bytes);
    put_key_line(f, "level-key", v->k->lk, SQ_KEYBYTES);
    put_key_line(f, "k-meta", v->k->kmeta, SQ_KEYBYTES);
    put_key_line(f, "k-objref", v->k->khash, SQ_KEYBYTES);
    put_key_line(f, "salt A", sq_header_salt(v->header, 0), SQ_SALT_BYTES);
    put_key_line(f, "salt B", sq_header_salt(v->header, 1), SQ_SALT_BYTES);
    put_key_line(f, "passphrase-a A", pass_a[0], SQ_KEYBYTES);
    put_key_line(f, "passphrase-a B", pass_a[1], SQ_KEYBYTES);
    fprintf(f, "anchors %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", v->k->plain.anchors[0],
            v->k->plain.anchors[1], v->k->plain.anchors[2], v->k->plain.anchors[3]);
    for (uint32_t e = 0; e < v->k->keyring.count; e++) {
        const sq_keyring_entry *w = &v->k->keyring.entries[e];
        fprintf(f, "way %u %u ", w->slot, w->kind);
        hex_put(f, w->kek_a, SQ_KEYBYTES);
        fputc(' ', f);
        hex_put(f, w->kcmt_a, SQ_KEYBYTES);
        fputc(' ', f);
        hex_put(f, w->kek_b, SQ_KEYBYTES);
        fputc(' ', f);
        hex_put(f, w->kcmt_b, SQ_KEYBYTES);
        fputc('\n', f);
    }
    fprintf(f, "object %d %" PRIu64 " %" PRIu64 " %" PRIu32 "\n", SQ_OBJ_KEYRING, r->keyring.block_a,
            r->keyring.block_b, r->keyring.nblocks);
    if (r->freelist.nblocks != 0)
        fprintf(f, "object %d %" PRIu64 " %" PRIu64 " %" PRIu32 "\n", SQ_OBJ_FREELIST,
                r->freelist.block_a, r->freelist.block_b, r->freelist.nblocks);
    for (unsigned s = 0; s < r->n_index; s++)
        fprintf(f, "object %d %" PRIu64 " %" PRIu64 " %" PRIu32 "\n", SQ_OBJ_INDEX, r->index[s].block_a,
                r->index[s].block_b, r->index[s].nblocks);
    for (unsigned s = 0; s < r->n_records; s++)
        fprintf(f, "object %d %" PRIu64 " %" PRIu64 " %" PRIu32 "\n", SQ_OBJ_RECORDS,
                r->records[s].block_a, r->records[s].block_b, r->records[s].nblocks);
    sq_view_build(v);
    *chunks = 0;
    for (size_t i = 0; i < v->n_view; i++) {
        const sq_doc *d = v->view[i];
        fputs("doc ", f);
        hex_put(f, d->doc_id, SQ_DOCID_BYTES);
        fputc(' ', f);
        hex_put(f, d->write_salt, 32);
        fprintf(f, " %" PRIu64 " ", d->size);
        hex_put(f, (const uint8_t *)d->name, d->name_len);
        fputc(' ', f);
        for (uint32_t e = 0; e < d->n_extents; e++)
            fprintf(f, "%s%" PRIu64 ":%" PRIu32, e ? "," : "", d->extents[e].start, d->extents[e].count);
        fputc('\n', f);
        *chunks += sq_doc_chunks(d->size);
    }
    return ferror(f) == 0;
}

static int
cmd_capture(int argc, char **argv)
{
    const char    *vault = NULL, *out = NULL, *pass_file = NULL;
    int            pass_fd = -1, fd = -1, e, ret = EXIT_TROUBLE;
    bool           created = false;
    uint8_t       *pass = NULL;
    uint8_t      (*a)[SQ_KEYBYTES] = NULL;  /* secret: A_A, A_B */
    size_t         pass_len = 0;
    sq_vault      *v = NULL;
    FILE          *f = NULL;
    struct stat    sb;
    uint64_t       chunks = 0;
    sq_err         err;

    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "--passphrase-file=", 18) == 0) {
            pass_file = argv[i] + 18;
        } else if (strcmp(argv[i], "--passphrase-file") == 0 && i + 1 < argc) {
            pass_file = argv[++i];
        } else if (strcmp(argv[i], "--passphrase-fd") == 0 && i + 1 < argc) {
            uint64_t n;
            if (!parse_u64(&n, argv[++i], INT32_MAX)) {
                usage();
                return EXIT_TROUBLE;
            }
            pass_fd = (int)n;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            usage();
            return EXIT_TROUBLE;
        } else if (vault == NULL) {
            vault = argv[i];
        } else if (out == NULL) {
            out = argv[i];
        } else {
            usage();
            return EXIT_TROUBLE;
        }
    }
    if (vault == NULL || out == NULL || (pass_file == NULL) == (pass_fd < 0)) {
        usage();
        return EXIT_TROUBLE;
    }
    if ((pass = sq_secret_alloc(PASS_NFC_CAP)) == NULL || (a = sq_secret_alloc(2 * SQ_KEYBYTES)) == NULL) {
        err_msg("out of secure memory");
        goto out;
    }
    /* created first (never over an existing file), so a refusal costs no KDF run */
    if ((fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0) {
        err_msg("cannot create state file '%s' (%s)", out, strerror(errno));
        goto out;
    }
    created = true;
    if ((f = fdopen(fd, "w")) == NULL) {
        err_msg("cannot write state file '%s' (%s)", out, strerror(errno));
        close(fd);
        goto out;
    }
    if (pass_file != NULL) {
        int pfd = open(pass_file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (pfd < 0) {
            err_msg("cannot open passphrase file '%s' (%s)", pass_file, strerror(errno));
            goto out;
        }
        bool ok = read_passphrase(pass, &pass_len, pfd);
        close(pfd);
        if (!ok)
            goto out;
    } else if (!read_passphrase(pass, &pass_len, pass_fd)) {
        goto out;
    }
    err = sq_vault_open(&v, vault, false, (sq_secret_view){pass, pass_len});
    if (err != SQ_OK) {
        err_msg("cannot open vault '%s' (%s%s%s)", vault, sq_err_str(err),
                sq_vault_last_detail(NULL)[0] ? ": " : "", sq_vault_last_detail(NULL));
        goto out;
    }
    /* A_X of this passphrase, as its holder could keep it (FORMAT.md 3) */
    for (int area = 0; area < 2; area++)
        if ((err = sq_slot_a_passphrase(a[area], v->kdf_profile, pass, pass_len,
                                        sq_header_salt(v->header, area))) != SQ_OK) {
            err_msg("cannot derive A_%c (%s)", area ? 'B' : 'A', sq_err_str(err));
            goto out;
        }
    sq_secret_free(pass, PASS_NFC_CAP);    /* wiped as soon as it is no longer needed */
    pass = NULL;
    if (fstat(v->fd, &sb) != 0) {
        err_msg("cannot stat vault '%s' (%s)", vault, strerror(errno));
        goto out;
    }
    if (!write_state(f, v, (const uint8_t(*)[SQ_KEYBYTES])a, (uint64_t)sb.st_size, &chunks) ||
        fflush(f) != 0 || fsync(fileno(f)) != 0) {
        err_msg("cannot write state file '%s' (%s)", out, strerror(errno));
        goto out;
    }
    e = fclose(f);
    f = NULL;
    if (e != 0) {
        err_msg("cannot write state file '%s' (%s)", out, strerror(errno));
        goto out;
    }
    printf("captured '%s': generation %" PRIu64 ", %zu documents (%" PRIu64 " chunks), %" PRIu32
           " ways in -> '%s' (secret: delete after use)\n",
           vault, v->k->root.generation, v->n_view, chunks, v->k->keyring.count, out);
    ret = EXIT_CLEAN;
out:
    if (f != NULL)
        fclose(f);
    if (ret != EXIT_CLEAN && created)
        unlink(out);                       /* no half-written secret file left behind */
    sq_vault_close(v);
    sq_secret_free(pass, PASS_NFC_CAP);
    sq_secret_free(a, 2 * SQ_KEYBYTES);
    return ret;
}

/* ---- state file parsing ---- */

static bool
parse_extents(old_doc *d, char *s)
{
    char  *save = NULL, *tok;
    size_t n = 1;

    for (const char *p = s; *p; p++)
        n += *p == ',';
    if (n > SQ_MAX_EXTENTS || (d->ext = calloc(n, sizeof *d->ext)) == NULL)
        return false;
    for (tok = strtok_r(s, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        char    *colon = strchr(tok, ':');
        uint64_t start, count;
        if (colon == NULL || d->n_ext == n)
            return false;
        *colon = '\0';
        if (!parse_u64(&start, tok, SQ_MAX_BLOCKS - 1) || !parse_u64(&count, colon + 1, UINT32_MAX) ||
            count == 0)
            return false;
        d->ext[d->n_ext].start = start;
        d->ext[d->n_ext].count = (uint32_t)count;
        d->n_ext++;
    }
    return d->n_ext == n;
}

static bool
parse_doc(state *st, char **tok, int ntok)
{
    old_doc *d;
    size_t   hex_len;

    if (ntok != 6 || st->n_docs == MAX_STATE_DOCS)
        return false;
    if (st->n_docs == st->cap_docs) {
        size_t   cap = st->cap_docs ? st->cap_docs * 2 : 16;
        old_doc *p = realloc(st->docs, cap * sizeof *p);
        if (p == NULL)
            return false;
        st->docs = p;
        st->cap_docs = cap;
    }
    d = &st->docs[st->n_docs];
    memset(d, 0, sizeof *d);
    st->n_docs++;                          /* counted now, so state_free frees its parts */
    hex_len = strlen(tok[4]);
    if (!hex_get(d->doc_id, SQ_DOCID_BYTES, tok[1]) || !hex_get(d->write_salt, 32, tok[2]) ||
        !parse_u64(&d->size, tok[3], SQ_MAX_DOC_SIZE) || hex_len % 2 != 0 ||
        hex_len / 2 > SQ_MAX_NAME_BYTES || hex_len == 0)
        return false;
    if ((d->name = calloc(hex_len / 2 + 1, 1)) == NULL ||
        !hex_get((uint8_t *)d->name, hex_len / 2, tok[4]))
        return false;
    d->name_len = hex_len / 2;
    if (memchr(d->name, '\0', d->name_len) != NULL || !parse_extents(d, tok[5]))
        return false;
    uint64_t blocks = 0;
    for (uint32_t e = 0; e < d->n_ext; e++)
        blocks += d->ext[e].count;
    return blocks == sq_doc_blocks(d->size);
}

/* parse_line: one record; false means a malformed line */
static bool
parse_line(state *st, char *line)
{
    old_keys *k = st->k;
    char     *tok[8], *save = NULL;
    int       n = 0;
    uint64_t  x;

    if (line[strspn(line, " \t")] == '#')
        return true;                       /* a comment */
    for (char *t = strtok_r(line, " \t\r\n", &save); t != NULL; t = strtok_r(NULL, " \t\r\n", &save)) {
        if (n == 8)
            return false;
        tok[n++] = t;
    }
    if (n == 0)
        return true;
    if (strcmp(tok[0], "vault-id") == 0 && n == 2 && hex_get(k->vault_id, SQ_VAULTID_BYTES, tok[1])) {
        k->seen |= SEEN_VAULT_ID;
    } else if (strcmp(tok[0], "level") == 0 && n == 2 && parse_u64(&x, tok[1], SQ_MAX_LEVELS - 1)) {
        k->level = (uint32_t)x;
        k->seen |= SEEN_LEVEL;
    } else if (strcmp(tok[0], "kdf") == 0 && n == 2 && parse_u64(&x, tok[1], 2)) {
        k->kdf = (uint32_t)x;
        k->seen |= SEEN_KDF;
    } else if (strcmp(tok[0], "generation") == 0 && n == 2 && parse_u64(&k->generation, tok[1], UINT64_MAX)) {
        k->seen |= SEEN_GEN;
    } else if (strcmp(tok[0], "file-bytes") == 0 && n == 2 && parse_u64(&k->file_bytes, tok[1], UINT64_MAX)) {
        k->seen |= SEEN_BYTES;
    } else if (strcmp(tok[0], "level-key") == 0 && n == 2 && hex_get(k->lk, SQ_KEYBYTES, tok[1])) {
        k->seen |= SEEN_LK;
    } else if (strcmp(tok[0], "k-meta") == 0 && n == 2 && hex_get(k->kmeta, SQ_KEYBYTES, tok[1])) {
        k->seen |= SEEN_KMETA;
    } else if (strcmp(tok[0], "k-objref") == 0 && n == 2 && hex_get(k->kobjref, SQ_KEYBYTES, tok[1])) {
        k->seen |= SEEN_KOBJREF;
    } else if (strcmp(tok[0], "salt") == 0 && n == 3 &&
               (strcmp(tok[1], "A") == 0 || strcmp(tok[1], "B") == 0)) {
        int area = tok[1][0] == 'B';
        if (!hex_get(k->salt[area], SQ_SALT_BYTES, tok[2]))
            return false;
        k->seen |= area ? SEEN_SALT_B : SEEN_SALT_A;
    } else if (strcmp(tok[0], "passphrase-a") == 0 && n == 3 &&
               (strcmp(tok[1], "A") == 0 || strcmp(tok[1], "B") == 0)) {
        int area = tok[1][0] == 'B';
        if (!hex_get(k->pass_a[area], SQ_KEYBYTES, tok[2]))
            return false;
        k->seen |= area ? SEEN_A_B : SEEN_A_A;
    } else if (strcmp(tok[0], "anchors") == 0 && n == 5) {
        for (int i = 0; i < 4; i++)
            if (!parse_u64(&k->anchors[i], tok[1 + i], SQ_MAX_BLOCKS - 1))
                return false;
        k->seen |= SEEN_ANCHORS;
    } else if (strcmp(tok[0], "way") == 0 && n == 7) {
        uint64_t slot, kind;
        old_way *w;
        if (k->n_ways == SQ_SLOT_COUNT || !parse_u64(&slot, tok[1], SQ_SLOT_COUNT - 1) ||
            !parse_u64(&kind, tok[2], 255))
            return false;
        w = &k->ways[k->n_ways];
        w->slot = (uint8_t)slot;
        w->kind = (uint8_t)kind;
        if (!hex_get(w->kek[0], SQ_KEYBYTES, tok[3]) || !hex_get(w->kcmt[0], SQ_KEYBYTES, tok[4]) ||
            !hex_get(w->kek[1], SQ_KEYBYTES, tok[5]) || !hex_get(w->kcmt[1], SQ_KEYBYTES, tok[6]))
            return false;
        k->n_ways++;
    } else if (strcmp(tok[0], "object") == 0 && n == 5) {
        uint64_t type, ba, bb, nb;
        if (st->n_objs == MAX_STATE_OBJS || !parse_u64(&type, tok[1], SQ_OBJ_FREELIST) ||
            type < SQ_OBJ_INDEX ||
            !parse_u64(&ba, tok[2], SQ_MAX_BLOCKS - 1) || !parse_u64(&bb, tok[3], SQ_MAX_BLOCKS - 1) ||
            !parse_u64(&nb, tok[4], SQ_OBJ_MAX_BLOCKS) || nb == 0)
            return false;
        st->objs[st->n_objs++] = (old_obj){(uint8_t)type, ba, bb, (uint32_t)nb};
    } else if (strcmp(tok[0], "doc") == 0) {
        return parse_doc(st, tok, n);
    } else {
        return false;
    }
    return true;
}

static bool
read_state(state *st, const char *path)
{
    FILE    *f = NULL;
    char    *line = NULL;
    size_t   cap = 0;
    ssize_t  len;
    unsigned lineno = 0;
    bool     magic = false, ok = false;
    uint8_t  check[SQ_KEYBYTES];           /* secret: wiped below */

    memset(st, 0, sizeof *st);
    if ((st->k = sq_secret_alloc(sizeof *st->k)) == NULL) {
        err_msg("out of secure memory");
        return false;
    }
    if ((f = fopen(path, "re")) == NULL) {
        err_msg("cannot open state file '%s' (%s)", path, strerror(errno));
        return false;
    }
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (!magic && line[0] != '#') {
            if (strncmp(line, STATE_MAGIC, strlen(STATE_MAGIC)) != 0 ||
                strspn(line + strlen(STATE_MAGIC), "\r\n") != strlen(line + strlen(STATE_MAGIC))) {
                err_msg("'%s' is not an sq-destroyed state file", path);
                goto out;
            }
            magic = true;
            continue;
        }
        if (!parse_line(st, line)) {
            err_msg("state file '%s': line %u is malformed", path, lineno);
            goto out;
        }
    }
    if (ferror(f)) {
        err_msg("cannot read state file '%s' (%s)", path, strerror(errno));
        goto out;
    }
    if (!magic || st->k->seen != SEEN_ALL || st->k->n_ways == 0) {
        err_msg("state file '%s' is incomplete", path);
        goto out;
    }
    /* the stored subkeys must be the level key's (FORMAT.md 5) */
    sq_derive(check, st->k->lk, "sandyq/v1/meta-key", NULL, 0);
    if (sodium_memcmp(check, st->k->kmeta, SQ_KEYBYTES) != 0) {
        err_msg("state file '%s': k-meta is not derived from level-key", path);
        goto out;
    }
    ok = true;
out:
    sodium_memzero(check, sizeof check);
    if (line != NULL) {
        sodium_memzero(line, cap);
        free(line);
    }
    fclose(f);
    return ok;
}

/* ---- check ---- */

enum { KIND_CHUNK, KIND_OBJECT, KIND_SLOT, KIND_PASSPHRASE, N_KINDS };
static const char *const kind_name[N_KINDS] = {
    "document chunks", "metadata objects", "slots under old KEKs", "slots under the removed passphrase"
};

typedef struct {
    const uint8_t *map;                /* the whole vault file, read-only */
    uint64_t       size;
    uint64_t       nblocks;            /* whole blocks after the header */
    sq_chunk_ctx  *chunk;
    uint8_t       *buf;                /* scratch: a chunk read through extents */
    uint8_t       *plain;              /* scratch: decrypted bytes (wiped; should stay unused) */
    size_t         plain_cap;
    uint64_t       trials[N_KINDS];
    uint64_t       hits[N_KINDS];
} scan;

static bool
report_hit(scan *s, int kind)
{
    s->hits[kind]++;
    if (s->hits[kind] > HITS_SHOWN) {
        if (s->hits[kind] == HITS_SHOWN + 1)
            printf("HIT  ... more %s hits not shown (counted below)\n", kind_name[kind]);
        return false;
    }
    fputs("HIT  ", stdout);
    return true;
}

static uint64_t
block_offset(uint64_t b)
{
    return SQ_HEADER_BYTES + b * SQ_BLOCK_BYTES;
}

/* read len bytes at stream offset off of d's old layout into out; false if
 * a part lies beyond the current file (it cannot authenticate there).
 * *file_off gets the file offset of the first byte, *contiguous whether
 * the bytes lie in one run. */
static bool
layout_read(const scan *s, const old_doc *d, uint64_t off, uint8_t *out, size_t len, uint64_t *file_off,
            bool *contiguous)
{
    uint64_t base = 0, next = UINT64_MAX;
    bool     first = true;

    *contiguous = true;
    for (uint32_t e = 0; e < d->n_ext && len > 0; e++) {
        uint64_t ext_len = (uint64_t)d->ext[e].count * SQ_BLOCK_BYTES;
        if (off < base + ext_len) {
            uint64_t in_ext = off - base;
            uint64_t at = block_offset(d->ext[e].start) + in_ext;
            size_t   part = len < ext_len - in_ext ? len : (size_t)(ext_len - in_ext);
            if (at > s->size || part > s->size - at)
                return false;
            if (first)
                *file_off = at;
            else if (at != next)
                *contiguous = false;
            first = false;
            memcpy(out, s->map + at, part);
            next = at + part;
            out += part;
            len -= part;
            off += part;
        }
        base += ext_len;
    }
    return len == 0;
}

/* one chunk trial: does in authenticate as chunk j of d under key? */
static bool
chunk_opens(scan *s, const uint8_t *in, size_t len, const uint8_t key[32], uint64_t j, bool final,
            const uint8_t ad[CHUNK_AD_BYTES])
{
    sq_err r;

    s->trials[KIND_CHUNK]++;
    r = sq_chunk_open(s->chunk, s->plain, in, len, key, j, final, ad, CHUNK_AD_BYTES);
    if (r == SQ_ERR_INVALID || r == SQ_ERR_NOMEM) {
        err_msg("chunk open refused its arguments (%s)", sq_err_str(r));
        exit(EXIT_TROUBLE);
    }
    if (r != SQ_OK)
        return false;
    sodium_memzero(s->plain, len - SQ_CHUNK_TAGBYTES);
    return true;
}

/* try_doc: every chunk of d under its old key, at its old place and at the
 * chunk's in-block offset of every block (see the file header) */
static void
try_doc(scan *s, const state *st, const old_doc *d, const char *why)
{
    uint8_t  ctx[SQ_DOCID_BYTES + 32];
    uint8_t  key[32];                      /* secret: wiped below */
    uint8_t  ad[CHUNK_AD_BYTES];
    uint64_t chunks = sq_doc_chunks(d->size);

    memcpy(ctx, d->doc_id, SQ_DOCID_BYTES);
    memcpy(ctx + SQ_DOCID_BYTES, d->write_salt, 32);
    sq_derive(key, st->k->lk, "sandyq/v1/chunk-key", ctx, sizeof ctx);   /* FORMAT.md 5 */
    memcpy(ad, "sandyq/v1/chunk", 15);                                    /* FORMAT.md 10 */
    memcpy(ad + 15, st->k->vault_id, SQ_VAULTID_BYTES);
    sq_store_le32(ad + 31, st->k->level);
    memcpy(ad + 35, d->doc_id, SQ_DOCID_BYTES);
    for (uint64_t j = 0; j < chunks; j++) {
        bool     final = j + 1 == chunks;
        uint64_t plain = final ? d->size - j * (uint64_t)SQ_CHUNK_BYTES : SQ_CHUNK_BYTES;
        size_t   len = (size_t)plain + SQ_CHUNK_TAGBYTES;
        uint32_t in_block = (uint32_t)((j * CT_CHUNK) % SQ_BLOCK_BYTES);
        uint64_t old_at = UINT64_MAX;
        bool     contiguous = false;

        /* at its old place, through the old extents */
        if (layout_read(s, d, j * CT_CHUNK, s->buf, len, &old_at, &contiguous) &&
            chunk_opens(s, s->buf, len, key, j, final, ad) && report_hit(s, KIND_CHUNK)) {
            uint64_t rel = old_at - SQ_HEADER_BYTES;
            printf("block %" PRIu64 " +%u (its old place%s): chunk %" PRIu64 "/%" PRIu64 " of %s '",
                   rel / SQ_BLOCK_BYTES, (unsigned)(rel % SQ_BLOCK_BYTES),
                   contiguous ? "" : ", split over extents", j, chunks, why);
            put_name(stdout, d->name, d->name_len);
            printf("' authenticates under its old chunk key\n");
        }
        if (!contiguous)
            old_at = UINT64_MAX;           /* the scan below reads contiguous bytes only */
        /* anywhere the format can place chunk j */
        for (uint64_t b = 0; b < s->nblocks; b++) {
            uint64_t at = block_offset(b) + in_block;
            if (at > s->size || len > s->size - at)
                break;
            if (at == old_at)
                continue;                  /* tried above */
            if (chunk_opens(s, s->map + at, len, key, j, final, ad) && report_hit(s, KIND_CHUNK)) {
                printf("block %" PRIu64 " +%u: chunk %" PRIu64 "/%" PRIu64 " of %s '", b, in_block, j,
                       chunks, why);
                put_name(stdout, d->name, d->name_len);
                printf("' authenticates under its old chunk key (not its old place)\n");
            }
        }
    }
    sodium_memzero(key, sizeof key);
}

static const char *
obj_type_name(unsigned t)
{
    static const char *const names[] = {
        "?", "root", "index segment", "record segment", "keyring", "free list"
    };

    return t <= SQ_OBJ_FREELIST ? names[t] : "?";
}

/* try_objects: every block as the start of every object the old K_meta
 * sealed, for each type and each size in sizes[] (FORMAT.md 6, 7) */
static void
try_objects(scan *s, const state *st, const uint32_t *sizes, size_t n_sizes)
{
    for (uint64_t b = 0; b < s->nblocks; b++) {
        for (unsigned t = SQ_OBJ_ROOT; t <= SQ_OBJ_FREELIST; t++) {
            for (size_t z = 0; z < n_sizes; z++) {
                uint32_t       n = sizes[z];
                const uint8_t *body;
                size_t         body_len;
                sq_err         r;
                if (t == SQ_OBJ_ROOT && n != 1)
                    continue;              /* a root is one block */
                if (n > s->nblocks - b || block_offset(b + n) > s->size)
                    continue;
                s->trials[KIND_OBJECT]++;
                /* a root's AD has a zero vault id and level 0 (FORMAT.md 6) */
                r = sq_object_open(s->plain, &body, &body_len, s->map + block_offset(b), n, st->k->kmeta,
                                   t == SQ_OBJ_ROOT ? NULL : st->k->vault_id,
                                   t == SQ_OBJ_ROOT ? 0 : st->k->level, (uint8_t)t, b);
                sodium_memzero(s->plain, (size_t)n * SQ_BLOCK_BYTES - SQ_OBJ_OVERHEAD);
                /* SQ_ERR_FORMAT comes after the tag verified: it authenticated */
                if ((r == SQ_OK || r == SQ_ERR_FORMAT) && report_hit(s, KIND_OBJECT))
                    printf("blocks %" PRIu64 "..%" PRIu64 ": an object of type %u (%s) authenticates "
                           "under the old K_meta\n", b, b + n - 1, t, obj_type_name(t));
            }
        }
    }
}

/* one slot trial: commitment, then the wrap (FORMAT.md 4) */
static void
slot_try(scan *s, int kind, const uint8_t *slot, int area, unsigned pos, const uint8_t kek[32],
         const uint8_t kcmt[32], const uint8_t salt[32], unsigned idx, const char *what)
{
    sq_slot_plain p;                       /* secret: wiped below */
    bool          cmt, open;

    s->trials[kind] += 2;
    cmt = sq_slot_committed(slot, kcmt, salt, idx);
    open = sq_slot_unwrap(&p, slot, kek, salt, idx) == SQ_OK;
    sodium_memzero(&p, sizeof p);
    if ((cmt || open) && report_hit(s, kind))
        printf("slot %u of area %c (file offset %" PRIu64 "): %s%s%s (AD index %u)\n", pos, area ? 'B' : 'A',
               sq_header_slot_offset(area, pos), what, cmt ? ", commitment matches" : "",
               open ? ", wrap opens" : "", idx);
}

/* the salts to try with area X: the file's now, and the captured one */
static size_t
salts_for(const uint8_t *out[2], const scan *s, const state *st, int area)
{
    out[0] = s->map + (area ? SQ_SALT_B_OFFSET : SQ_SALT_A_OFFSET);
    out[1] = st->k->salt[area];
    return memcmp(out[0], out[1], SQ_SALT_BYTES) == 0 ? 1 : 2;
}

/* try_slots_old_keks: every slot of both areas under every old keyring
 * entry's keys of both areas (a KEK is bound to its salt and index by
 * derivation; the trials do not assume the layout was kept) */
static void
try_slots_old_keks(scan *s, const state *st)
{
    char what[96];

    for (int area = 0; area < 2; area++) {
        for (unsigned pos = 0; pos < SQ_SLOT_COUNT; pos++) {
            const uint8_t *slot = s->map + sq_header_slot_offset(area, pos);
            for (uint32_t w = 0; w < st->k->n_ways; w++) {
                const old_way *ow = &st->k->ways[w];
                for (int ka = 0; ka < 2; ka++) {
                    for (int sa = 0; sa < 2; sa++) {
                        const uint8_t *salts[2];
                        size_t         ns = salts_for(salts, s, st, sa);
                        for (size_t z = 0; z < ns; z++) {
                            snprintf(what, sizeof what, "the old area-%c key of old slot %u with %s salt %c",
                                     ka ? 'B' : 'A', ow->slot, z == 0 ? "the current" : "the captured",
                                     sa ? 'B' : 'A');
                            slot_try(s, KIND_SLOT, slot, area, pos, ow->kek[ka], ow->kcmt[ka], salts[z], pos,
                                     what);
                            if (ow->slot != pos)
                                slot_try(s, KIND_SLOT, slot, area, pos, ow->kek[ka], ow->kcmt[ka], salts[z],
                                         ow->slot, what);
                        }
                    }
                }
            }
        }
    }
}

/* try_slots_passphrase: what an unlock with the removed passphrase would
 * try (every index of each area, FORMAT.md 3-4), from its kept A_X */
static void
try_slots_passphrase(scan *s, const state *st)
{
    uint8_t kek[32], kcmt[32];             /* secret: wiped below */
    char    what[64];

    for (int area = 0; area < 2; area++) {
        const uint8_t *now = s->map + (area ? SQ_SALT_B_OFFSET : SQ_SALT_A_OFFSET);
        if (memcmp(now, st->k->salt[area], SQ_SALT_BYTES) != 0) {
            /* A_X is Argon2id of (passphrase, salt_X): it does not carry
             * over to a new salt; only the passphrase itself (the CLI) can */
            printf("note: salt %c changed since the capture: A_%c does not apply, its trials are skipped\n",
                   area ? 'B' : 'A', area ? 'B' : 'A');
            continue;
        }
        for (unsigned idx = 0; idx < SQ_SLOT_COUNT; idx++) {
            sq_slot_keys(kek, kcmt, st->k->pass_a[area], now, idx);
            snprintf(what, sizeof what, "the removed passphrase's keys for index %u", idx);
            slot_try(s, KIND_PASSPHRASE, s->map + sq_header_slot_offset(area, idx), area, idx, kek, kcmt,
                     now, idx, what);
        }
    }
    sodium_memzero(kek, sizeof kek);
    sodium_memzero(kcmt, sizeof kcmt);
}

static const old_doc *
find_doc(const state *st, const char *name)
{
    size_t len = strlen(name);

    for (size_t i = 0; i < st->n_docs; i++)
        if (st->docs[i].name_len == len && memcmp(st->docs[i].name, name, len) == 0)
            return &st->docs[i];
    return NULL;
}

static int
cmd_check(int argc, char **argv)
{
    const char   *vault = NULL, *path = NULL;
    const char  **removed = NULL;
    size_t        n_removed = 0;
    bool          rekeyed = false, pass_removed = false;
    uint64_t      obj_blocks = OBJ_BLOCKS_DEF;
    uint32_t      sizes[OBJ_BLOCKS_MAX + MAX_STATE_OBJS];
    size_t        n_sizes = 0;
    state         st = {0};
    scan          s = {0};
    struct stat   sb;
    void         *map = MAP_FAILED;
    int           fd = -1, ret = EXIT_TROUBLE;
    uint64_t      total = 0, hits = 0;

    if ((removed = calloc((size_t)argc + 1, sizeof *removed)) == NULL) {
        err_msg("out of memory");
        return EXIT_TROUBLE;
    }
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--removed") == 0 && i + 1 < argc) {
            removed[n_removed++] = argv[++i];
        } else if (strcmp(argv[i], "--rekeyed") == 0) {
            rekeyed = true;
        } else if (strcmp(argv[i], "--passphrase-removed") == 0) {
            pass_removed = true;
        } else if (strcmp(argv[i], "--object-blocks") == 0 && i + 1 < argc) {
            if (!parse_u64(&obj_blocks, argv[++i], OBJ_BLOCKS_MAX) || obj_blocks == 0) {
                usage();
                goto out;
            }
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            usage();
            goto out;
        } else if (vault == NULL) {
            vault = argv[i];
        } else if (path == NULL) {
            path = argv[i];
        } else {
            usage();
            goto out;
        }
    }
    if (vault == NULL || path == NULL || (n_removed == 0 && !rekeyed && !pass_removed)) {
        usage();
        goto out;
    }
    if (!read_state(&st, path))
        goto out;
    for (size_t i = 0; i < n_removed; i++)
        if (find_doc(&st, removed[i]) == NULL) {
            err_msg("state file '%s' has no document named '%s'", path, removed[i]);
            goto out;
        }
    /* the shared lock keeps a writer from changing the file under the scan */
    if ((fd = open(vault, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0 || fstat(fd, &sb) != 0) {
        err_msg("cannot open vault '%s' (%s)", vault, strerror(errno));
        goto out;
    }
    if (flock(fd, LOCK_SH | LOCK_NB) != 0) {
        err_msg("cannot lock vault '%s' (%s)", vault, errno == EWOULDBLOCK ? "in use" : strerror(errno));
        goto out;
    }
    if (!S_ISREG(sb.st_mode) || (uint64_t)sb.st_size < SQ_HEADER_BYTES) {
        err_msg("'%s' is not a regular file of at least %u bytes", vault, SQ_HEADER_BYTES);
        goto out;
    }
    if ((map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_SHARED, fd, 0)) == MAP_FAILED) {
        err_msg("cannot map vault '%s' (%s)", vault, strerror(errno));
        goto out;
    }
    s.map = map;
    s.size = (uint64_t)sb.st_size;
    s.nblocks = (s.size - SQ_HEADER_BYTES) / SQ_BLOCK_BYTES;
    /* object sizes: 1..N and every size the captured root referenced */
    for (uint32_t n = 1; n <= obj_blocks; n++)
        sizes[n_sizes++] = n;
    for (size_t o = 0; o < st.n_objs; o++) {
        bool dup = false;
        for (size_t z = 0; z < n_sizes; z++)
            dup |= sizes[z] == st.objs[o].nblocks;
        if (!dup)
            sizes[n_sizes++] = st.objs[o].nblocks;
    }
    s.plain_cap = SQ_CHUNK_BYTES;
    for (size_t z = 0; z < n_sizes; z++)
        if ((size_t)sizes[z] * SQ_BLOCK_BYTES > s.plain_cap)
            s.plain_cap = (size_t)sizes[z] * SQ_BLOCK_BYTES;
    if ((s.chunk = sq_chunk_ctx_new()) == NULL || (s.buf = malloc(CT_CHUNK)) == NULL ||
        (s.plain = malloc(s.plain_cap)) == NULL) {
        err_msg("out of memory");
        goto out;
    }
    printf("checking '%s' (%" PRIu64 " blocks) against '%s' (generation %" PRIu64 ", %zu documents, %" PRIu32
           " ways in)\n", vault, s.nblocks, path, st.k->generation, st.n_docs, st.k->n_ways);
    if (s.size < st.k->file_bytes)
        printf("note: the file is shorter than at the capture (%" PRIu64 " < %" PRIu64 " bytes)\n", s.size,
               st.k->file_bytes);
    for (size_t i = 0; i < n_removed; i++)
        try_doc(&s, &st, find_doc(&st, removed[i]), "removed document");
    if (rekeyed) {
        for (size_t i = 0; i < st.n_docs; i++)
            try_doc(&s, &st, &st.docs[i], "old document");
        try_objects(&s, &st, sizes, n_sizes);
        try_slots_old_keks(&s, &st);
    }
    if (pass_removed)
        try_slots_passphrase(&s, &st);
    for (int k = 0; k < N_KINDS; k++) {
        if (s.trials[k] == 0)
            continue;
        printf("%-36s %12" PRIu64 " trial decryptions, %" PRIu64 " authenticated\n", kind_name[k],
               s.trials[k], s.hits[k]);
        total += s.trials[k];
        hits += s.hits[k];
    }
    printf("total: %" PRIu64 " trial decryptions, %" PRIu64 " authenticated: %s\n", total, hits,
           hits == 0 ? "nothing authenticates under the old keys" : "NOT DESTROYED");
    ret = hits == 0 ? EXIT_CLEAN : EXIT_HIT;
out:
    if (fflush(stdout) != 0 && ret != EXIT_TROUBLE) {
        err_msg("cannot write the report (%s)", strerror(errno));
        ret = EXIT_TROUBLE;
    }
    if (map != MAP_FAILED)
        munmap(map, (size_t)sb.st_size);
    if (fd >= 0)
        close(fd);
    sq_chunk_ctx_free(s.chunk);
    free(s.buf);
    if (s.plain != NULL) {
        sodium_memzero(s.plain, s.plain_cap);
        free(s.plain);
    }
    free(removed);
    state_free(&st);
    return ret;
}

int
main(int argc, char **argv)
{
    int ret;

    if (sq_lib_init() != SQ_OK) {
        err_msg("cannot initialise libsandyq");
        return EXIT_TROUBLE;
    }
    if (argc >= 2 && strcmp(argv[1], "capture") == 0)
        ret = cmd_capture(argc - 2, argv + 2);
    else if (argc >= 2 && strcmp(argv[1], "check") == 0)
        ret = cmd_check(argc - 2, argv + 2);
    else {
        usage();
        ret = EXIT_TROUBLE;
    }
    return ret;
}
