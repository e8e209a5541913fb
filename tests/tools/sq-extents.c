/* sq-extents: where the current state of a vault lies in its file, for the
 * CLI tamper tests (tests/cli/test_tamper_sweep.sh), which must know whether
 * a flipped bit fell inside a document's chunks.
 *
 *   sq-extents VAULT --passphrase-file F     (or --passphrase-file=F)
 *
 * Opens VAULT read-only with the passphrase (first line of F, one trailing
 * \n or \r\n stripped, NFC: the CLI's rule) and prints one line per byte
 * range of the file, fields separated by tabs, ranges as [start, end) file
 * offsets:
 *
 *   chunk  NAME  J  START  END   chunk J of document NAME (FORMAT.md 10:
 *                                 stream offset J * 65552; a chunk split over
 *                                 two extents gives two lines)
 *   tail   NAME  -  START  END   the random tail of NAME's last block: in its
 *                                 extents but in no chunk
 *   meta   WHAT  -  START  END   a root anchor ("root-current", "root-previous")
 *                                 or one copy of an object ("keyring",
 *                                 "freelist", "index", "records")
 *   listed -     -  START  END   a quarantine or scrub extent of the free list
 *   salt   A|B   -  START  END   a salt (FORMAT.md 2)
 *   slot   A|B   I  START  END   slot I of an area, for each slot the keyring
 *                                 lists (the others are random)
 *   header -     -  0      20480 the whole header: salts, slot areas, filler
 *
 * Blocks not printed are free. Exit 0, or 1 with a message. A test tool: it
 * reads the library's internal state (vault/vault_internal.h). Names with a
 * tab, newline or other control byte are refused rather than printed. */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sandyq/vault.h"
#include "util/secret.h"
#include "vault/vault_internal.h"

#define PASS_RAW_CAP 8192u
#define PASS_NFC_CAP (3u * 4096u)

static bool
read_passphrase(uint8_t *nfc, size_t *nfc_len, const char *file)
{
    uint8_t *raw = sq_secret_alloc(PASS_RAW_CAP);
    size_t   n = 0;
    ssize_t  r;
    bool     ok = false;
    int      fd;

    if (raw == NULL || (fd = open(file, O_RDONLY | O_CLOEXEC)) < 0) {
        fprintf(stderr, "sq-extents: cannot read the passphrase file\n");
        sq_secret_free(raw, PASS_RAW_CAP);
        return false;
    }
    while (n < PASS_RAW_CAP && (r = read(fd, raw + n, PASS_RAW_CAP - n)) > 0)
        n += (size_t)r;
    close(fd);
    for (size_t i = 0; i < n; i++)
        if (raw[i] == '\n') {
            n = i + 1;                     /* the first line, with its \n */
            break;
        }
    if (sq_passphrase_prepare(nfc, PASS_NFC_CAP, nfc_len, raw, n) != SQ_OK)
        fprintf(stderr, "sq-extents: the passphrase is empty or not usable\n");
    else
        ok = true;
    sq_secret_free(raw, PASS_RAW_CAP);
    return ok;
}

static void
range(const char *kind, const char *what, const char *j, uint64_t start, uint64_t end)
{
    printf("%s\t%s\t%s\t%" PRIu64 "\t%" PRIu64 "\n", kind, what, j, start, end);
}

static void
blocks(const char *kind, const char *what, uint64_t block, uint64_t count)
{
    range(kind, what, "-", sq_block_offset(block), sq_block_offset(block + count));
}

static void
object(const char *what, const sq_objref *ref)
{
    if (ref->nblocks == 0)
        return;
    blocks("meta", what, ref->block_a, ref->nblocks);
    blocks("meta", what, ref->block_b, ref->nblocks);
}

static bool
name_ok(const sq_doc *d)
{
    for (size_t i = 0; i < d->name_len; i++)
        if ((unsigned char)d->name[i] < 0x20 || d->name[i] == 0x7f)
            return false;
    return true;
}

/* the chunk ranges of d: walk its stream over the extents in order */
static void
document(const sq_doc *d)
{
    const uint64_t ct_chunk = SQ_CHUNK_BYTES + SQ_CHUNK_TAGBYTES;
    uint64_t       ct_len = sq_doc_ct_len(d->size), s = 0;
    char           j[24];

    for (uint32_t e = 0; e < d->n_extents; e++) {
        uint64_t off = sq_block_offset(d->extents[e].start);
        uint64_t end = off + (uint64_t)d->extents[e].count * SQ_BLOCK_BYTES;

        while (off < end) {
            uint64_t part;
            if (s >= ct_len) {
                range("tail", d->name, "-", off, end);
                break;
            }
            part = ct_chunk - s % ct_chunk;           /* to the end of this chunk */
            if (part > ct_len - s)
                part = ct_len - s;
            if (part > end - off)
                part = end - off;
            snprintf(j, sizeof j, "%" PRIu64, s / ct_chunk);
            range("chunk", d->name, j, off, off + part);
            off += part;
            s += part;
        }
    }
}

int
main(int argc, char **argv)
{
    sq_vault   *v = NULL;
    uint8_t    *pass = NULL;
    const char *pass_file = NULL;
    size_t      pass_len = 0;
    sq_err      err;
    int         ret = 1;

    if (argc == 4 && strcmp(argv[2], "--passphrase-file") == 0)
        pass_file = argv[3];
    else if (argc == 3 && strncmp(argv[2], "--passphrase-file=", 18) == 0)
        pass_file = argv[2] + 18;
    if (pass_file == NULL || pass_file[0] == '\0') {
        fprintf(stderr, "usage: sq-extents VAULT --passphrase-file F\n");
        return 2;
    }
    if (sq_lib_init() != SQ_OK || (pass = sq_secret_alloc(PASS_NFC_CAP)) == NULL) {
        fprintf(stderr, "sq-extents: cannot initialise the library\n");
        return 1;
    }
    if (!read_passphrase(pass, &pass_len, pass_file))
        goto out;
    err = sq_vault_open(&v, argv[1], false, (sq_secret_view){pass, pass_len});
    if (err != SQ_OK) {
        fprintf(stderr, "sq-extents: cannot open '%s' (%s%s%s)\n", argv[1], sq_err_str(err),
                sq_vault_last_detail(NULL)[0] ? ": " : "", sq_vault_last_detail(NULL));
        goto out;
    }
    {
        const sq_root *r = &v->k->root;

        range("salt", "A", "-", SQ_SALT_A_OFFSET, SQ_SALT_A_OFFSET + SQ_SALT_BYTES);
        range("salt", "B", "-", SQ_SALT_B_OFFSET, SQ_SALT_B_OFFSET + SQ_SALT_BYTES);
        for (uint32_t e = 0; e < v->k->keyring.count; e++) {
            char i[8];
            snprintf(i, sizeof i, "%u", v->k->keyring.entries[e].slot);
            for (int area = 0; area < 2; area++) {
                uint64_t off = sq_header_slot_offset(area, v->k->keyring.entries[e].slot);
                range("slot", area == 0 ? "A" : "B", i, off, off + SQ_SLOT_BYTES);
            }
        }
        range("header", "-", "-", 0, SQ_HEADER_BYTES);
        for (int a = 0; a < 4; a++)
            blocks("meta", (uint64_t)(a / 2) == r->generation % 2 ? "root-current" : "root-previous",
                   v->k->plain.anchors[a], 1);
        object("keyring", &r->keyring);
        object("freelist", &r->freelist);
        for (unsigned s = 0; s < r->n_index; s++)
            object("index", &r->index[s]);
        for (unsigned s = 0; s < r->n_records; s++)
            object("records", &r->records[s]);
        for (uint32_t e = 0; e < v->freelist.n_quarantine; e++)
            blocks("listed", "-", v->freelist.quarantine[e].start, v->freelist.quarantine[e].count);
        for (uint32_t e = 0; e < v->freelist.n_scrub; e++)
            blocks("listed", "-", v->freelist.scrub[e].start, v->freelist.scrub[e].count);
        sq_view_build(v);
        for (size_t i = 0; i < v->n_view; i++) {
            if (!name_ok(v->view[i])) {
                fprintf(stderr, "sq-extents: a document name holds a control byte\n");
                goto out;
            }
            document(v->view[i]);
        }
    }
    ret = fflush(stdout) == 0 ? 0 : 1;
out:
    sq_vault_close(v);
    sq_secret_free(pass, PASS_NFC_CAP);
    return ret;
}
