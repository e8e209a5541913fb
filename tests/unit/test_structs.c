/* test_structs.c: the decrypted vault structures (docs/FORMAT.md 6-9, 13, 14).
 *
 * The expected bytes come from an encoder written here from FORMAT.md's
 * tables (raw_*), not from structs.c, so a layout drift in either shows up
 * as a mismatch. Each rule is broken once: the raw bytes must be refused by
 * the parser with the stated error, and the same struct refused by the
 * serializer (a writer never produces what a reader refuses). */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "util/random.h"
#include "util/secret.h"
#include "vault/object.h"
#include "vault/structs.h"

#define T40 (1ull << 40)

/* ---- a FORMAT.md encoder that knows no rules ---- */

static uint8_t *
put(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
    return p + n;
}

static uint8_t *
putb(uint8_t *p, const void *b, size_t n)
{
    if (n > 0)
        memcpy(p, b, n);
    return p + n;
}

static uint8_t *
raw_objref(uint8_t *p, const sq_objref *r)
{
    p = put(p, r->block_a, 8);
    p = put(p, r->block_b, 8);
    p = put(p, r->nblocks, 4);
    p = put(p, r->entries, 4);
    p = putb(p, r->hash_a, 32);
    p = putb(p, r->hash_b, 32);
    /* FORMAT.md 6 says 92 bytes but its fields add up to 88: the 4 bytes
     * left are reserved, zero */
    return put(p, 0, 4);
}

/* raw_root: writes at most 16 references per list even if the count says more */
static size_t
raw_root(uint8_t *out, const sq_root *rt)
{
    uint8_t *p = out;

    p = put(p, rt->format_version, 4);
    p = putb(p, rt->vault_id, 16);
    p = put(p, rt->generation, 8);
    p = put(p, rt->committed_length, 8);
    p = put(p, rt->level, 4);
    p = put(p, rt->flags, 4);
    p = put(p, rt->kdf_profile, 1);
    p = put(p, (uint64_t)rt->created, 8);
    p = put(p, (uint64_t)rt->committed_at, 8);
    p = putb(p, rt->slots_mac, 32);
    p = put(p, rt->has_lower, 1);
    p = putb(p, rt->lower_key, 32);
    for (int i = 0; i < 4; i++)
        p = put(p, rt->lower_anchors[i], 8);
    p = raw_objref(p, &rt->keyring);
    p = raw_objref(p, &rt->freelist);
    p = put(p, rt->n_index, 1);
    for (int i = 0; i < rt->n_index && i < 16; i++)
        p = raw_objref(p, &rt->index[i]);
    p = put(p, rt->n_records, 1);
    for (int i = 0; i < rt->n_records && i < 16; i++)
        p = raw_objref(p, &rt->records[i]);
    return (size_t)(p - out);
}

static uint8_t *
raw_doc(uint8_t *p, const sq_doc *d)
{
    p = putb(p, d->doc_id, 16);
    p = putb(p, d->write_salt, 32);
    p = put(p, d->size, 8);
    p = put(p, (uint64_t)d->added, 8);
    p = put(p, (uint64_t)d->mtime, 8);
    p = putb(p, d->sha256, 32);
    p = put(p, d->name_len, 2);
    p = putb(p, d->name, d->name_len);
    p = put(p, d->case_len, 2);
    p = putb(p, d->case_id, d->case_len);
    p = put(p, d->note_len, 2);
    p = putb(p, d->note, d->note_len);
    p = put(p, d->n_extents, 4);
    for (uint32_t i = 0; i < d->n_extents; i++) {
        p = put(p, d->extents[i].start, 8);
        p = put(p, d->extents[i].count, 4);
    }
    return p;
}

/* raw_index: op values other than 1 are written as op || doc_id */
static size_t
raw_index(uint8_t *out, const sq_index_segment *seg)
{
    uint8_t *p = put(out, seg->count, 4);

    for (uint32_t i = 0; i < seg->count; i++) {
        p = put(p, (uint64_t)seg->entries[i].op, 1);
        if (seg->entries[i].op == SQ_IDX_PUT)
            p = raw_doc(p, &seg->entries[i].doc);
        else
            p = putb(p, seg->entries[i].doc.doc_id, 16);
    }
    return (size_t)(p - out);
}

/* FORMAT.md 13: the keyring body is always K = 4 + 64 * 203 bytes; the
 * entries are followed by zero bytes up to K */
#define RAW_KEYRING_K 12996u

/* raw_keyring_entries: LE32(count) || entries (at most 64 written), unpadded */
static size_t
raw_keyring_entries(uint8_t *out, const sq_keyring *kr, uint32_t count)
{
    uint8_t *p = put(out, count, 4);

    for (uint32_t i = 0; i < count && i < 64; i++) {
        const sq_keyring_entry *e = &kr->entries[i];
        p = put(p, e->slot, 1);
        p = put(p, e->kind, 1);
        p = putb(p, e->kek_a, 32);
        p = putb(p, e->kcmt_a, 32);
        p = putb(p, e->kek_b, 32);
        p = putb(p, e->kcmt_b, 32);
        p = put(p, (uint64_t)e->created, 8);
        p = put(p, e->label_len, 1);
        p = putb(p, e->label, e->label_len);
    }
    return (size_t)(p - out);
}

/* raw_keyring: the entries, then zero bytes up to K (out holds at least K) */
static size_t
raw_keyring(uint8_t *out, const sq_keyring *kr, uint32_t count)
{
    size_t n = raw_keyring_entries(out, kr, count);

    if (n < RAW_KEYRING_K)
        memset(out + n, 0, RAW_KEYRING_K - n);
    return n > RAW_KEYRING_K ? n : RAW_KEYRING_K;
}

static size_t
raw_freelist(uint8_t *out, const sq_freelist *fl)
{
    uint8_t *p = put(out, fl->n_quarantine, 4);

    for (uint32_t i = 0; i < fl->n_quarantine; i++) {
        p = put(p, fl->quarantine[i].start, 8);
        p = put(p, fl->quarantine[i].count, 4);
    }
    p = put(p, fl->n_scrub, 4);
    for (uint32_t i = 0; i < fl->n_scrub; i++) {
        p = put(p, fl->scrub[i].start, 8);
        p = put(p, fl->scrub[i].count, 4);
    }
    return (size_t)(p - out);
}

static bool
is_zero(const void *p, size_t n)
{
    return sodium_is_zero(p, n) == 1;
}

/* ---- object references ---- */

static void
test_objref(void)
{
    sq_objref ref, back;
    uint8_t   b[SQ_OBJREF_BYTES], raw[SQ_OBJREF_BYTES];

    memset(&ref, 0, sizeof ref);
    ref.block_a = 0x0102030405060708ull;
    ref.block_b = 0x1112131415161718ull;
    ref.nblocks = 0x21222324u;
    ref.entries = 0x31323334u;
    sq_random_buf(ref.hash_a, 32);
    sq_random_buf(ref.hash_b, 32);
    sq_objref_serialize(b, &ref);
    raw_objref(raw, &ref);
    CHECK(memcmp(b, raw, sizeof b) == 0);
    CHECK_EQ_INT(b[0], 0x08);                   /* little-endian */
    CHECK_EQ_INT(b[16], 0x24);
    CHECK(is_zero(b + 88, 4));
    sq_objref_parse(&back, b);
    CHECK(memcmp(&back, &ref, sizeof ref) == 0);
}

/* ---- root ---- */

static void
base_root(sq_root *rt)
{
    memset(rt, 0, sizeof *rt);
    rt->format_version = 1;
    sq_random_buf(rt->vault_id, sizeof rt->vault_id);
    rt->generation = 7;
    rt->committed_length = SQ_HEADER_BYTES + 4096ull * 1000;
    rt->level = 0;
    rt->flags = SQ_ROOT_FLAG_GROWABLE;
    rt->kdf_profile = 1;
    rt->created = 1700000000;
    rt->committed_at = -5;                      /* informational: any value round-trips */
    sq_random_buf(rt->slots_mac, sizeof rt->slots_mac);
    rt->keyring = (sq_objref){ .block_a = 1, .block_b = 2, .nblocks = 1, .entries = 1 };
    sq_random_buf(rt->keyring.hash_a, 32);
    sq_random_buf(rt->keyring.hash_b, 32);
    rt->freelist = (sq_objref){ .block_a = 3, .block_b = 5, .nblocks = 2, .entries = 4 };
    sq_random_buf(rt->freelist.hash_a, 32);
    rt->n_index = 2;
    rt->index[0] = (sq_objref){ .block_a = 10, .block_b = 20, .nblocks = 3, .entries = 5 };
    rt->index[1] = (sq_objref){ .block_a = 30, .block_b = 40, .nblocks = 1, .entries = 1 };
    rt->n_records = 1;
    rt->records[0] = (sq_objref){ .block_a = 50, .block_b = 60, .nblocks = 1, .entries = 3 };
    sq_random_buf(rt->records[0].hash_b, 32);
}

static void
fill_refs(sq_root *rt)
{
    rt->n_index = 16;
    rt->n_records = 16;
    for (uint64_t i = 0; i < 16; i++) {
        rt->index[i] = (sq_objref){ .block_a = 100 + 4 * i, .block_b = 102 + 4 * i, .nblocks = 2,
                                    .entries = SQ_MAX_SEGMENT_ENTRIES };
        rt->records[i] = (sq_objref){ .block_a = 200 + 2 * i, .block_b = 201 + 2 * i, .nblocks = 1 };
    }
}

typedef struct {
    const char *what;
    sq_err      want;                           /* from the parser; the serializer says INVALID */
} rule;

static const rule root_rules[] = {
    { "format_version 0", SQ_ERR_FORMAT },
    { "format_version 2: newer", SQ_ERR_UNSUPPORTED },
    { "format_version 0xffffffff", SQ_ERR_UNSUPPORTED },
    { "generation 0", SQ_ERR_FORMAT },
    { "generation 1", SQ_OK },
    { "committed_length 20479", SQ_ERR_FORMAT },
    { "committed_length not on a block", SQ_ERR_FORMAT },
    { "committed_length 2^40 blocks", SQ_OK },
    { "committed_length 2^40+1 blocks", SQ_ERR_FORMAT },
    { "committed_length header only", SQ_OK },
    { "level 15", SQ_OK },
    { "level 16", SQ_ERR_FORMAT },
    { "flags bit 1", SQ_ERR_FORMAT },
    { "flags bit 31", SQ_ERR_FORMAT },
    { "flags 0", SQ_OK },
    { "kdf_profile 2", SQ_OK },
    { "kdf_profile 3", SQ_ERR_FORMAT },
    { "has_lower 2", SQ_ERR_FORMAT },
    { "has_lower 0 with a lower_key byte", SQ_ERR_FORMAT },
    { "has_lower 0 with a lower anchor", SQ_ERR_FORMAT },
    { "has_lower 1 with key and anchors", SQ_OK },
    { "keyring absent", SQ_ERR_FORMAT },
    { "freelist absent", SQ_OK },
    { "absent freelist with block_a", SQ_ERR_FORMAT },
    { "absent freelist with a hash byte", SQ_ERR_FORMAT },
    { "absent freelist with entries", SQ_ERR_FORMAT },
    { "nblocks 16384", SQ_OK },
    { "nblocks 16385", SQ_ERR_FORMAT },
    { "block_a + nblocks == 2^40", SQ_OK },
    { "block_a + nblocks == 2^40 + 1", SQ_ERR_FORMAT },
    { "block_b + nblocks == 2^40 + 1", SQ_ERR_FORMAT },
    { "block_a wraps around", SQ_ERR_FORMAT },
    { "copies overlap by one block", SQ_ERR_FORMAT },
    { "copies adjacent", SQ_OK },
    { "copies identical", SQ_ERR_FORMAT },
    { "counted index reference absent", SQ_ERR_FORMAT },
    { "counted record reference absent", SQ_ERR_FORMAT },
    { "keyring entries 64", SQ_OK },
    { "keyring entries 65", SQ_ERR_FORMAT },
    { "index entries 2^20 + 1", SQ_ERR_FORMAT },
    { "16 index and 16 record segments", SQ_OK },
    { "n_index 17", SQ_ERR_LIMIT },
    { "n_records 17", SQ_ERR_LIMIT },
    { "n_index 0, n_records 0", SQ_OK },
};

static void
mutate_root(sq_root *rt, size_t rule_no)
{
    switch (rule_no) {
    case 0: rt->format_version = 0; break;
    case 1: rt->format_version = 2; break;
    case 2: rt->format_version = 0xffffffffu; break;
    case 3: rt->generation = 0; break;
    case 4: rt->generation = 1; break;
    case 5: rt->committed_length = SQ_HEADER_BYTES - 1; break;
    case 6: rt->committed_length += 1; break;
    case 7: rt->committed_length = SQ_HEADER_BYTES + 4096 * T40; break;
    case 8: rt->committed_length = SQ_HEADER_BYTES + 4096 * (T40 + 1); break;
    case 9: rt->committed_length = SQ_HEADER_BYTES; break;
    case 10: rt->level = 15; break;
    case 11: rt->level = 16; break;
    case 12: rt->flags = 2; break;
    case 13: rt->flags = 0x80000001u; break;
    case 14: rt->flags = 0; break;
    case 15: rt->kdf_profile = 2; break;
    case 16: rt->kdf_profile = 3; break;
    case 17: rt->has_lower = 2; break;
    case 18: rt->lower_key[31] = 1; break;
    case 19: rt->lower_anchors[3] = 1; break;
    case 20:
        rt->has_lower = 1;
        sq_random_buf(rt->lower_key, sizeof rt->lower_key);
        rt->lower_anchors[0] = 9;
        rt->lower_anchors[3] = 12;
        break;
    case 21: memset(&rt->keyring, 0, sizeof rt->keyring); break;
    case 22: memset(&rt->freelist, 0, sizeof rt->freelist); break;
    case 23: memset(&rt->freelist, 0, sizeof rt->freelist); rt->freelist.block_a = 5; break;
    case 24: memset(&rt->freelist, 0, sizeof rt->freelist); rt->freelist.hash_b[31] = 1; break;
    case 25: memset(&rt->freelist, 0, sizeof rt->freelist); rt->freelist.entries = 1; break;
    case 26: rt->index[0] = (sq_objref){ .block_a = 1000, .block_b = 1000 + 16384, .nblocks = 16384 }; break;
    case 27: rt->index[0] = (sq_objref){ .block_a = 1000, .block_b = 1000 + 16385, .nblocks = 16385 }; break;
    case 28: rt->index[0] = (sq_objref){ .block_a = T40 - 3, .block_b = 10, .nblocks = 3 }; break;
    case 29: rt->index[0] = (sq_objref){ .block_a = T40 - 2, .block_b = 10, .nblocks = 3 }; break;
    case 30: rt->index[0] = (sq_objref){ .block_a = 10, .block_b = T40 - 2, .nblocks = 3 }; break;
    case 31: rt->index[0] = (sq_objref){ .block_a = UINT64_MAX - 1, .block_b = 10, .nblocks = 3 }; break;
    case 32: rt->index[0] = (sq_objref){ .block_a = 10, .block_b = 12, .nblocks = 3 }; break;
    case 33: rt->index[0] = (sq_objref){ .block_a = 13, .block_b = 10, .nblocks = 3 }; break;
    case 34: rt->records[0].block_b = rt->records[0].block_a; break;
    case 35: memset(&rt->index[1], 0, sizeof rt->index[1]); break;
    case 36: memset(&rt->records[0], 0, sizeof rt->records[0]); break;
    case 37: rt->keyring.entries = 64; break;
    case 38: rt->keyring.entries = 65; break;
    case 39: rt->index[1].entries = SQ_MAX_SEGMENT_ENTRIES + 1; break;
    case 40: fill_refs(rt); break;
    case 41: fill_refs(rt); rt->n_index = 17; break;
    case 42: fill_refs(rt); rt->n_records = 17; break;
    case 43:
        /* what lies past the counts is not serialized: keep it zero to compare */
        rt->n_index = 0;
        rt->n_records = 0;
        memset(rt->index, 0, sizeof rt->index);
        memset(rt->records, 0, sizeof rt->records);
        break;
    default: abort();
    }
}

static void
test_root(void)
{
    sq_root  *rt = sq_secret_alloc(sizeof *rt), *back = sq_secret_alloc(sizeof *back);
    uint8_t   raw[4096], out[4096], again[4096];
    size_t    raw_len, len, len2;

    /* round trip, against the FORMAT.md encoder */
    base_root(rt);
    raw_len = raw_root(raw, rt);
    CHECK_EQ_INT(raw_len, 344 + 3 * 92);
    CHECK_EQ_INT(sq_root_serialize(out, sizeof out, &len, rt), SQ_OK);
    CHECK_EQ_INT(len, raw_len);
    CHECK(memcmp(out, raw, raw_len) == 0);
    CHECK_EQ_INT(sq_root_parse(back, out, len), SQ_OK);
    CHECK(memcmp(back, rt, sizeof *rt) == 0);
    CHECK_EQ_INT(sq_root_serialize(again, sizeof again, &len2, back), SQ_OK);
    CHECK(len2 == len && memcmp(again, out, len) == 0);

    /* output cap: exact fits, one short does not */
    CHECK_EQ_INT(sq_root_serialize(again, len, &len2, rt), SQ_OK);
    len2 = 99;
    CHECK_EQ_INT(sq_root_serialize(again, len - 1, &len2, rt), SQ_ERR_LIMIT);
    CHECK_EQ_INT(len2, 0);

    /* the largest root fits an object of one block */
    base_root(rt);
    fill_refs(rt);
    CHECK_EQ_INT(sq_root_serialize(out, sizeof out, &len, rt), SQ_OK);
    CHECK(len <= SQ_BLOCK_BYTES - SQ_OBJ_OVERHEAD - SQ_OBJ_HEADER_BYTES);

    for (size_t i = 0; i < sizeof root_rules / sizeof root_rules[0]; i++) {
        sq_err want = root_rules[i].want;
        bool   ok = true;

        base_root(rt);
        mutate_root(rt, i);
        raw_len = raw_root(raw, rt);
        memset(back, 0xa5, sizeof *back);
        ok &= CHECK_EQ_INT(sq_root_parse(back, raw, raw_len), want);
        ok &= CHECK_EQ_INT(sq_root_serialize(out, sizeof out, &len, rt),
                           want == SQ_OK ? SQ_OK : SQ_ERR_INVALID);
        if (want == SQ_OK) {
            ok &= CHECK(len == raw_len && memcmp(out, raw, len) == 0);
            ok &= CHECK(memcmp(back, rt, sizeof *rt) == 0);
        } else {
            ok &= CHECK(is_zero(back, sizeof *back));
        }
        if (!ok)
            fprintf(stderr, "     root rule: %s\n", root_rules[i].what);
    }

    /* a newer version is named as such even when the rest is another layout */
    memset(raw, 0, sizeof raw);
    raw[0] = 2;
    CHECK_EQ_INT(sq_root_parse(back, raw, 4), SQ_ERR_UNSUPPORTED);
    CHECK_EQ_INT(sq_root_parse(back, raw, 1000), SQ_ERR_UNSUPPORTED);

    /* the reserved tail of a reference (FORMAT.md 6: 88 bytes of fields in 92) */
    base_root(rt);
    raw_len = raw_root(raw, rt);
    {
        /* keyring, freelist, index 0 and 1 (after n_index), records 0 (after n_records) */
        static const size_t ref_at[] = { 158, 250, 343, 435, 528 };
        for (size_t at = 0; at < 5; at++) {
            raw[ref_at[at] + 88 + at % 4] = 1;
            CHECK_EQ_INT(sq_root_parse(back, raw, raw_len), SQ_ERR_FORMAT);
            raw[ref_at[at] + 88 + at % 4] = 0;
            raw[ref_at[at] + 87] ^= 1;          /* the byte before is hash_b: accepted */
            CHECK_EQ_INT(sq_root_parse(back, raw, raw_len), SQ_OK);
            raw[ref_at[at] + 87] ^= 1;
        }
    }
    CHECK_EQ_INT(sq_root_parse(back, raw, raw_len), SQ_OK);

    /* every truncation and one trailing byte */
    base_root(rt);
    CHECK_EQ_INT(sq_root_serialize(out, sizeof out, &len, rt), SQ_OK);
    {
        size_t bad = 0;
        for (size_t n = 0; n < len; n++) {
            memset(back, 0xa5, sizeof *back);
            if (sq_root_parse(back, out, n) != SQ_ERR_FORMAT || !is_zero(back, sizeof *back))
                bad++;
        }
        CHECK_EQ_INT(bad, 0);
    }
    out[len] = 0;
    CHECK_EQ_INT(sq_root_parse(back, out, len + 1), SQ_ERR_FORMAT);
    CHECK_EQ_INT(sq_root_parse(back, NULL, 0), SQ_ERR_FORMAT);

    sq_secret_free(rt, sizeof *rt);
    sq_secret_free(back, sizeof *back);
}

/* ---- documents and index segments ---- */

static void
test_doc_sizes(void)
{
    /* FORMAT.md 8/10: chunks = max(1, ceil(size/65536)), ct = size + 16 chunks */
    static const struct { uint64_t size, chunks, ct, blocks; } v[] = {
        { 0, 1, 16, 1 },
        { 1, 1, 17, 1 },
        { 4080, 1, 4096, 1 },
        { 4081, 1, 4097, 2 },
        { 65535, 1, 65551, 17 },
        { 65536, 1, 65552, 17 },
        { 65537, 2, 65569, 17 },
        { 131072, 2, 131104, 33 },
        { 131073, 3, 131121, 33 },
        { 1ull << 50, 1ull << 34, (1ull << 50) + (1ull << 38), (1ull << 38) + (1ull << 26) },
    };

    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        CHECK_EQ_INT(sq_doc_chunks(v[i].size), v[i].chunks);
        CHECK_EQ_INT(sq_doc_ct_len(v[i].size), v[i].ct);
        CHECK_EQ_INT(sq_doc_blocks(v[i].size), v[i].blocks);
    }
    /* far above the cap: saturates rather than wraps to a small count */
    CHECK(sq_doc_ct_len(UINT64_MAX) == UINT64_MAX);
    CHECK(sq_doc_blocks(UINT64_MAX) > (1ull << 50) / 4096);
}

/* buffers the doc under test points into: the serializer reads them in place */
static char      name_buf[1100], case_buf[300], note_buf[4200];
static sq_extent ext_buf[SQ_MAX_EXTENTS + 1];

static void
base_doc(sq_doc *d)
{
    memset(d, 0, sizeof *d);
    sq_random_buf(d->doc_id, sizeof d->doc_id);
    sq_random_buf(d->write_salt, sizeof d->write_salt);
    sq_random_buf(d->sha256, sizeof d->sha256);
    d->size = 100000;                           /* 2 chunks, 100032 bytes, 25 blocks */
    d->added = 1700000001;
    d->mtime = 0;
    strcpy(name_buf, "reports/2024/q1 \xc3\xa9t\xc3\xa9.pdf");
    d->name = name_buf;
    d->name_len = strlen(name_buf);
    strcpy(case_buf, "CASE-42");
    d->case_id = case_buf;
    d->case_len = strlen(case_buf);
    strcpy(note_buf, "line 1\nline 2\ttab \xc2\x85 NEL");
    d->note = note_buf;
    d->note_len = strlen(note_buf);
    ext_buf[0] = (sq_extent){ 5, 10 };
    ext_buf[1] = (sq_extent){ 100, 15 };
    d->extents = ext_buf;
    d->n_extents = 2;
}

static void
set_text(char *buf, size_t *len, const char *s, size_t n)
{
    memcpy(buf, s, n);
    buf[n] = '\0';
    *len = n;
}

static void
long_name(sq_doc *d, size_t n)
{
    /* components of 200 bytes, the last shorter */
    for (size_t i = 0; i < n; i++)
        name_buf[i] = (i % 201 == 200) ? '/' : 'n';
    name_buf[n] = '\0';
    d->name_len = n;
}

static const rule doc_rules[] = {
    { "size 2^50", SQ_OK },
    { "size 2^50 + 1", SQ_ERR_LIMIT },
    { "empty document, one block", SQ_OK },
    { "name empty", SQ_ERR_FORMAT },
    { "name 1024 bytes", SQ_OK },
    { "name 1025 bytes", SQ_ERR_LIMIT },
    { "name with an empty component", SQ_ERR_FORMAT },
    { "name with ..", SQ_ERR_FORMAT },
    { "name with a C0", SQ_ERR_FORMAT },
    { "name with a C1", SQ_ERR_FORMAT },
    { "name not UTF-8", SQ_ERR_FORMAT },
    { "name not NFC", SQ_ERR_FORMAT },
    { "name component 256 bytes", SQ_ERR_FORMAT },
    { "case_id empty", SQ_OK },
    { "case_id 256 bytes", SQ_OK },
    { "case_id 257 bytes", SQ_ERR_LIMIT },
    { "case_id with a C0", SQ_ERR_FORMAT },
    { "case_id with DEL", SQ_ERR_FORMAT },
    { "case_id with a C1", SQ_ERR_FORMAT },
    { "case_id with NBSP", SQ_OK },
    { "case_id not UTF-8", SQ_ERR_FORMAT },
    { "note empty", SQ_OK },
    { "note 4096 bytes", SQ_OK },
    { "note 4097 bytes", SQ_ERR_LIMIT },
    { "note with controls", SQ_OK },
    { "note with NUL", SQ_ERR_FORMAT },
    { "note with a surrogate", SQ_ERR_FORMAT },
    { "note overlong", SQ_ERR_FORMAT },
    { "n_extents 0", SQ_ERR_FORMAT },
    { "n_extents 65536", SQ_OK },
    { "n_extents 65537", SQ_ERR_LIMIT },
    { "extent count 0", SQ_ERR_FORMAT },
    { "extent ends at 2^40", SQ_OK },
    { "extent ends past 2^40", SQ_ERR_FORMAT },
    { "extent wraps around", SQ_ERR_FORMAT },
    { "extents one block short", SQ_ERR_FORMAT },
    { "extents one block long", SQ_ERR_FORMAT },
};

static void
mutate_doc(sq_doc *d, size_t rule_no)
{
    switch (rule_no) {
    case 0:
    case 1:
        /* 2^38 + 2^26 blocks: 64 extents of 2^32 - 1, then the rest */
        d->size = (1ull << 50) + (rule_no == 1);
        for (uint32_t i = 0; i < 64; i++)
            ext_buf[i] = (sq_extent){ (uint64_t)i << 32, 0xffffffffu };
        ext_buf[64] = (sq_extent){ 64ull << 32, (1u << 26) + 64 };
        d->n_extents = 65;
        break;
    case 2: d->size = 0; ext_buf[0].count = 1; d->n_extents = 1; break;
    case 3: d->name_len = 0; break;
    case 4: long_name(d, 1024); break;
    case 5: long_name(d, 1025); break;
    case 6: set_text(name_buf, &d->name_len, "a//b", 4); break;
    case 7: set_text(name_buf, &d->name_len, "a/../b", 6); break;
    case 8: set_text(name_buf, &d->name_len, "a\tb", 3); break;
    case 9: set_text(name_buf, &d->name_len, "a\xc2\x9b", 3); break;
    case 10: set_text(name_buf, &d->name_len, "a\xff", 2); break;
    case 11: set_text(name_buf, &d->name_len, "e\xcc\x81", 3); break;   /* NFC is U+00E9 */
    case 12:
        memset(name_buf, 'c', 256);
        d->name_len = 256;
        break;
    case 13: d->case_len = 0; break;
    case 14: memset(case_buf, 'C', 256); d->case_len = 256; break;
    case 15: memset(case_buf, 'C', 257); d->case_len = 257; break;
    case 16: set_text(case_buf, &d->case_len, "A\x1f", 2); break;
    case 17: set_text(case_buf, &d->case_len, "A\x7f", 2); break;
    case 18: set_text(case_buf, &d->case_len, "A\xc2\x80", 3); break;
    case 19: set_text(case_buf, &d->case_len, "A\xc2\xa0" "B", 4); break;
    case 20: set_text(case_buf, &d->case_len, "A\xc0\x80", 3); break;
    case 21: d->note_len = 0; break;
    case 22: memset(note_buf, 'x', 4096); d->note_len = 4096; break;
    case 23: memset(note_buf, 'x', 4097); d->note_len = 4097; break;
    case 24: set_text(note_buf, &d->note_len, "\x01\x1b[31m\x7f\xc2\x9f\r\n", 11); break;
    case 25: set_text(note_buf, &d->note_len, "a\0b", 3); break;
    case 26: set_text(note_buf, &d->note_len, "\xed\xa0\x80", 3); break;
    case 27: set_text(note_buf, &d->note_len, "\xe0\x80\xaf", 3); break;
    case 28: d->n_extents = 0; break;
    case 29:
    case 30:
        /* 2^28 bytes: 4096 chunks, 65552 blocks */
        d->size = 1ull << 28;
        for (uint32_t i = 0; i < SQ_MAX_EXTENTS + 1; i++)
            ext_buf[i] = (sq_extent){ 2ull * i, 1 };
        ext_buf[SQ_MAX_EXTENTS - 1].count = 17;
        if (rule_no == 30)
            ext_buf[SQ_MAX_EXTENTS - 1].count = 16;
        d->n_extents = SQ_MAX_EXTENTS + (rule_no == 30);
        break;
    case 31: ext_buf[2] = (sq_extent){ 200, 0 }; d->n_extents = 3; break;
    case 32: ext_buf[1] = (sq_extent){ T40 - 15, 15 }; break;
    case 33: ext_buf[1] = (sq_extent){ T40 - 14, 15 }; break;
    case 34: ext_buf[1] = (sq_extent){ UINT64_MAX - 5, 15 }; break;
    case 35: ext_buf[1].count = 14; break;
    case 36: ext_buf[1].count = 16; break;
    default: abort();
    }
}

/* a parsed string is NUL-terminated, or NULL when empty (no allocation) */
static bool
text_equal(const char *a, size_t al, const char *b, size_t bl)
{
    if (al != bl)
        return false;
    if (bl == 0)
        return b == NULL || b[0] == '\0';
    return b != NULL && memcmp(a, b, al) == 0 && b[bl] == '\0';
}

static bool
docs_equal(const sq_doc *a, const sq_doc *b)
{
    return memcmp(a->doc_id, b->doc_id, 16) == 0 && memcmp(a->write_salt, b->write_salt, 32) == 0 &&
           a->size == b->size && a->added == b->added && a->mtime == b->mtime &&
           memcmp(a->sha256, b->sha256, 32) == 0 && a->name_len == b->name_len &&
           memcmp(a->name, b->name, a->name_len) == 0 && b->name[b->name_len] == '\0' &&
           text_equal(a->case_id, a->case_len, b->case_id, b->case_len) &&
           text_equal(a->note, a->note_len, b->note, b->note_len) &&
           a->n_extents == b->n_extents &&
           memcmp(a->extents, b->extents, a->n_extents * sizeof *a->extents) == 0;
}

static void
test_doc_rules(void)
{
    size_t            cap = 4 + 2 * (1 + 200 + 1100 + 300 + 4200 + 12 * (SQ_MAX_EXTENTS + 1));
    uint8_t          *raw = malloc(cap), *out = malloc(cap);
    sq_idx_entry      ent[2];
    sq_index_segment  seg = { ent, 2, 2 }, back;
    size_t            raw_len, len;

    for (size_t i = 0; i < sizeof doc_rules / sizeof doc_rules[0]; i++) {
        sq_err want = doc_rules[i].want;
        bool   ok = true;

        /* a put after a delete, so the rule is checked past the first entry */
        memset(ent, 0, sizeof ent);
        ent[0].op = SQ_IDX_DELETE;
        sq_random_buf(ent[0].doc.doc_id, 16);
        ent[1].op = SQ_IDX_PUT;
        base_doc(&ent[1].doc);
        mutate_doc(&ent[1].doc, i);
        raw_len = raw_index(raw, &seg);
        ok &= CHECK_EQ_INT(sq_index_segment_parse(&back, raw, raw_len), want);
        ok &= CHECK_EQ_INT(sq_index_segment_serialize(out, cap, &len, &seg),
                           want == SQ_OK ? SQ_OK : SQ_ERR_INVALID);
        if (want == SQ_OK) {
            ok &= CHECK(len == raw_len && memcmp(out, raw, len) == 0);
            ok &= CHECK(back.count == 2 && back.entries[1].op == SQ_IDX_PUT &&
                        docs_equal(&ent[1].doc, &back.entries[1].doc));
            ok &= CHECK_EQ_INT(sq_index_segment_size(&back), raw_len);
            sq_index_segment_free(&back);
        } else {
            ok &= CHECK(back.entries == NULL && back.count == 0 && back.cap == 0);
        }
        if (!ok)
            fprintf(stderr, "     doc rule: %s\n", doc_rules[i].what);
    }
    free(raw);
    free(out);
}

static void
test_index(void)
{
    sq_index_segment seg = { 0 }, back;
    sq_doc           d;
    uint8_t         *out, *raw, *out2;
    size_t           len, len2, cap = 1 << 16;
    static const uint64_t sizes[] = { 0, 1, 65535, 65536, 65537, 131072 };

    out = malloc(cap);
    raw = malloc(cap);
    out2 = malloc(cap);

    /* the chunk boundaries, as one segment built by push */
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        base_doc(&d);
        d.size = sizes[i];
        ext_buf[0] = (sq_extent){ 1000 * i, 1 };
        ext_buf[1] = (sq_extent){ 1000 * i + 500, (uint32_t)(sq_doc_blocks(sizes[i]) - 1) };
        d.n_extents = ext_buf[1].count > 0 ? 2 : 1;
        CHECK_EQ_INT(sq_index_segment_push(&seg, SQ_IDX_PUT, &d), SQ_OK);
        CHECK_EQ_INT(sq_index_segment_push(&seg, SQ_IDX_DELETE, &d), SQ_OK);
    }
    CHECK_EQ_INT(seg.count, 12);
    CHECK(seg.cap >= seg.count);
    /* a push copies deeply: the caller's buffers can change */
    memset(name_buf, 'Z', 8);
    CHECK(seg.entries[0].doc.name[0] == 'r');
    /* a delete keeps only the id, as a parse of it would */
    CHECK(seg.entries[1].doc.name == NULL && seg.entries[1].doc.n_extents == 0 &&
          seg.entries[1].doc.size == 0);

    CHECK_EQ_INT(sq_index_segment_serialize(out, cap, &len, &seg), SQ_OK);
    CHECK_EQ_INT(len, raw_index(raw, &seg));
    CHECK(memcmp(out, raw, len) == 0);
    CHECK_EQ_INT(sq_index_segment_size(&seg), len);
    CHECK_EQ_INT(sq_index_segment_parse(&back, out, len), SQ_OK);
    CHECK_EQ_INT(back.count, 12);
    for (uint32_t i = 0; i < back.count && i < seg.count; i += 2)
        CHECK(docs_equal(&seg.entries[i].doc, &back.entries[i].doc));
    CHECK_EQ_INT(sq_index_segment_serialize(out2, cap, &len2, &back), SQ_OK);
    CHECK(len2 == len && memcmp(out2, out, len) == 0);
    CHECK_EQ_INT(sq_index_segment_serialize(out2, len, &len2, &back), SQ_OK);
    CHECK_EQ_INT(sq_index_segment_serialize(out2, len - 1, &len2, &back), SQ_ERR_LIMIT);
    CHECK_EQ_INT(len2, 0);

    /* sq_doc_copy / sq_doc_clear */
    {
        sq_doc c;
        CHECK_EQ_INT(sq_doc_copy(&c, &back.entries[2].doc), SQ_OK);
        CHECK(docs_equal(&back.entries[2].doc, &c));
        CHECK(c.name != back.entries[2].doc.name && c.extents != back.entries[2].doc.extents);
        sq_doc_clear(&c);
        CHECK(is_zero(&c, sizeof c));
        sq_doc_clear(NULL);
    }
    sq_index_segment_free(&back);

    /* every truncation refused (LeakSanitizer checks nothing stays allocated) */
    {
        size_t bad = 0;
        for (size_t n = 0; n < len; n++) {
            memset(&back, 0xa5, sizeof back);
            if (sq_index_segment_parse(&back, out, n) == SQ_OK || back.entries != NULL ||
                back.count != 0)
                bad++;
        }
        CHECK_EQ_INT(bad, 0);
    }
    out[len] = 0;
    CHECK_EQ_INT(sq_index_segment_parse(&back, out, len + 1), SQ_ERR_FORMAT);
    out[len] = 2;                               /* even a trailing byte that looks like an op */
    CHECK_EQ_INT(sq_index_segment_parse(&back, out, len + 1), SQ_ERR_FORMAT);

    /* op neither put nor delete */
    put(raw, 1, 4);
    raw[4] = 3;
    memset(raw + 5, 0, 16);
    CHECK_EQ_INT(sq_index_segment_parse(&back, raw, 21), SQ_ERR_FORMAT);
    raw[4] = 0;
    CHECK_EQ_INT(sq_index_segment_parse(&back, raw, 21), SQ_ERR_FORMAT);
    raw[4] = 2;
    CHECK_EQ_INT(sq_index_segment_parse(&back, raw, 21), SQ_OK);
    sq_index_segment_free(&back);
    {
        sq_idx_entry e = { .op = (sq_idx_op)3 };
        sq_index_segment bad = { &e, 1, 1 };
        CHECK_EQ_INT(sq_index_segment_serialize(out, cap, &len, &bad), SQ_ERR_INVALID);
        CHECK_EQ_INT(sq_index_segment_push(&seg, (sq_idx_op)3, &d), SQ_ERR_INVALID);
    }

    /* empty segment */
    memset(raw, 0, 4);
    CHECK_EQ_INT(sq_index_segment_parse(&back, raw, 4), SQ_OK);
    CHECK(back.count == 0 && back.entries == NULL);
    CHECK_EQ_INT(sq_index_segment_serialize(out, cap, &len, &back), SQ_OK);
    CHECK_EQ_INT(len, 4);

    /* a count within the cap that the bytes cannot hold: refused before allocating */
    put(raw, SQ_MAX_SEGMENT_ENTRIES, 4);
    CHECK_EQ_INT(sq_index_segment_parse(&back, raw, 4), SQ_ERR_FORMAT);
    put(raw, 2, 4);
    CHECK_EQ_INT(sq_index_segment_parse(&back, raw, 4 + 2 * 17 - 1), SQ_ERR_FORMAT);
    put(raw, SQ_MAX_SEGMENT_ENTRIES + 1, 4);
    CHECK_EQ_INT(sq_index_segment_parse(&back, raw, 4), SQ_ERR_LIMIT);
    put(raw, UINT32_MAX, 4);
    CHECK_EQ_INT(sq_index_segment_parse(&back, raw, 4), SQ_ERR_LIMIT);
    CHECK(back.entries == NULL && back.count == 0);

    sq_index_segment_free(&seg);
    CHECK(seg.entries == NULL && seg.count == 0 && seg.cap == 0);
    sq_index_segment_free(NULL);

    /* the cap exactly: 2^20 deletes, grown by push; one more is refused */
    {
        uint32_t pushes_ok = 0;
        size_t   big = 4 + (size_t)17 * (SQ_MAX_SEGMENT_ENTRIES + 1);
        uint8_t *b1 = malloc(big), *b2 = malloc(big);

        memset(&d, 0, sizeof d);
        for (uint32_t i = 0; i < SQ_MAX_SEGMENT_ENTRIES; i++) {
            put(d.doc_id, i, 4);
            pushes_ok += sq_index_segment_push(&seg, SQ_IDX_DELETE, &d) == SQ_OK;
        }
        CHECK_EQ_INT(pushes_ok, SQ_MAX_SEGMENT_ENTRIES);
        CHECK_EQ_INT(seg.cap, SQ_MAX_SEGMENT_ENTRIES);
        CHECK_EQ_INT(sq_index_segment_push(&seg, SQ_IDX_DELETE, &d), SQ_ERR_LIMIT);
        CHECK_EQ_INT(sq_index_segment_serialize(b1, big, &len, &seg), SQ_OK);
        CHECK_EQ_INT(len, 4 + (size_t)17 * SQ_MAX_SEGMENT_ENTRIES);
        CHECK_EQ_INT(sq_index_segment_parse(&back, b1, len), SQ_OK);
        CHECK_EQ_INT(back.count, SQ_MAX_SEGMENT_ENTRIES);
        CHECK_EQ_INT(sq_index_segment_serialize(b2, big, &len2, &back), SQ_OK);
        CHECK(len2 == len && memcmp(b1, b2, len) == 0);
        sq_index_segment_free(&back);
        /* cap + 1 entries on the wire */
        put(b1, SQ_MAX_SEGMENT_ENTRIES + 1, 4);
        memset(b1 + len, 0, 17);
        b1[len] = 2;
        CHECK_EQ_INT(sq_index_segment_parse(&back, b1, len + 17), SQ_ERR_LIMIT);
        /* and in memory */
        seg.count = SQ_MAX_SEGMENT_ENTRIES + 1;  /* no entry past count is read */
        CHECK_EQ_INT(sq_index_segment_serialize(b2, big, &len2, &seg), SQ_ERR_INVALID);
        seg.count = SQ_MAX_SEGMENT_ENTRIES;
        sq_index_segment_free(&seg);
        free(b1);
        free(b2);
    }
    free(out);
    free(raw);
    free(out2);
}

/* ---- record segments ---- */

static void
test_records(void)
{
    sq_record_segment seg = { 0 }, back;
    uint8_t           body[SQ_MAX_RECORD_BODY + 1];
    size_t            cap = 4 + 3 * (11 + SQ_MAX_RECORD_BODY) + 64, len, len2;
    uint8_t          *out = malloc(cap), *out2 = malloc(cap);

    sq_random_buf(body, sizeof body);
    CHECK_EQ_INT(sq_record_segment_push(&seg, 1, 1700000000, body, 1), SQ_OK);
    CHECK_EQ_INT(sq_record_segment_push(&seg, 8, -1, NULL, 0), SQ_OK);
    CHECK_EQ_INT(sq_record_segment_push(&seg, 200, INT64_MIN, body, SQ_MAX_RECORD_BODY), SQ_OK);
    CHECK_EQ_INT(sq_record_segment_push(&seg, 2, 0, body, SQ_MAX_RECORD_BODY + 1), SQ_ERR_INVALID);
    CHECK_EQ_INT(sq_record_segment_push(&seg, 2, 0, NULL, 3), SQ_ERR_INVALID);
    CHECK_EQ_INT(seg.count, 3);
    body[0] ^= 1;                               /* the push copied */
    CHECK(seg.records[0].body[0] == (uint8_t)(body[0] ^ 1));

    CHECK_EQ_INT(sq_record_segment_serialize(out, cap, &len, &seg), SQ_OK);
    CHECK_EQ_INT(len, 4 + 11 * 3 + 1 + SQ_MAX_RECORD_BODY);
    CHECK_EQ_INT(sq_record_segment_size(&seg), len);
    /* FORMAT.md 14 layout: count, then type || LE64 time || LE16 len || body */
    CHECK(out[0] == 3 && out[1] == 0 && out[4] == 1 && out[5] == 0x00 && out[6] == 0xf1 &&
          out[13] == 1 && out[14] == 0 && out[15] == seg.records[0].body[0]);
    CHECK_EQ_INT(sq_record_segment_parse(&back, out, len), SQ_OK);
    CHECK(back.count == 3 && back.records[1].len == 0 && back.records[2].type == 200 &&
          back.records[2].time == INT64_MIN && back.records[1].time == -1);
    CHECK_EQ_INT(sq_record_segment_serialize(out2, cap, &len2, &back), SQ_OK);
    CHECK(len2 == len && memcmp(out, out2, len) == 0);
    CHECK_EQ_INT(sq_record_segment_serialize(out2, len - 1, &len2, &back), SQ_ERR_LIMIT);
    sq_record_segment_free(&back);

    {
        size_t bad = 0;
        for (size_t n = 0; n < len; n++) {
            memset(&back, 0xa5, sizeof back);
            if (sq_record_segment_parse(&back, out, n) != SQ_ERR_FORMAT || back.records != NULL ||
                back.count != 0)
                bad++;
        }
        CHECK_EQ_INT(bad, 0);
    }
    out[len] = 0;
    CHECK_EQ_INT(sq_record_segment_parse(&back, out, len + 1), SQ_ERR_FORMAT);

    /* len 8193 on the wire and in memory */
    {
        uint8_t *p = put(out, 1, 4);
        p = put(p, 1, 1);
        p = put(p, 0, 8);
        p = put(p, SQ_MAX_RECORD_BODY + 1, 2);
        memset(p, 0, SQ_MAX_RECORD_BODY + 1);
        CHECK_EQ_INT(sq_record_segment_parse(&back, out, 15 + SQ_MAX_RECORD_BODY + 1), SQ_ERR_LIMIT);
        put(out + 13, SQ_MAX_RECORD_BODY, 2);
        CHECK_EQ_INT(sq_record_segment_parse(&back, out, 15 + SQ_MAX_RECORD_BODY), SQ_OK);
        sq_record_segment_free(&back);
        seg.records[1].len = SQ_MAX_RECORD_BODY + 1;
        seg.records[1].body = body;
        CHECK_EQ_INT(sq_record_segment_serialize(out2, cap, &len2, &seg), SQ_ERR_INVALID);
        seg.records[1].len = 0;
        seg.records[1].body = NULL;
    }
    sq_record_segment_free(&seg);

    /* counts: cap exactly, cap + 1, and a count the bytes cannot hold */
    {
        size_t   big = 4 + (size_t)11 * (SQ_MAX_SEGMENT_ENTRIES + 1);
        uint8_t *b = calloc(1, big), *b2 = malloc(big);

        put(b, SQ_MAX_SEGMENT_ENTRIES, 4);
        CHECK_EQ_INT(sq_record_segment_parse(&back, b, big - 11), SQ_OK);
        CHECK_EQ_INT(back.count, SQ_MAX_SEGMENT_ENTRIES);
        CHECK_EQ_INT(sq_record_segment_serialize(b2, big, &len, &back), SQ_OK);
        CHECK(len == big - 11 && memcmp(b, b2, len) == 0);
        sq_record_segment_free(&back);
        put(b, SQ_MAX_SEGMENT_ENTRIES + 1, 4);
        CHECK_EQ_INT(sq_record_segment_parse(&back, b, big), SQ_ERR_LIMIT);
        put(b, SQ_MAX_SEGMENT_ENTRIES, 4);
        CHECK_EQ_INT(sq_record_segment_parse(&back, b, 4), SQ_ERR_FORMAT);
        free(b);
        free(b2);
    }
    /* push at the cap (no record past count is touched) */
    {
        sq_record_segment full = { NULL, SQ_MAX_SEGMENT_ENTRIES, SQ_MAX_SEGMENT_ENTRIES };
        CHECK_EQ_INT(sq_record_segment_push(&full, 1, 0, NULL, 0), SQ_ERR_LIMIT);
    }
    /* geometric growth */
    {
        uint32_t grows = 0, last_cap = 0;
        for (uint32_t i = 0; i < 5000; i++) {
            sq_record_segment_push(&seg, 7, i, body, 1);
            if (seg.cap != last_cap) {
                grows++;
                last_cap = seg.cap;
            }
        }
        CHECK(seg.count == 5000 && grows <= 10);
        sq_record_segment_free(&seg);
    }
    free(out);
    free(out2);
}

/* ---- keyring ---- */

static void
base_keyring(sq_keyring *kr, uint32_t count)
{
    memset(kr, 0, sizeof *kr);
    kr->count = count;
    for (uint32_t i = 0; i < count; i++) {
        sq_keyring_entry *e = &kr->entries[i];
        e->slot = (uint8_t)((i * 37 + 5) % 64);   /* unique, unordered */
        e->kind = (i % 2) ? SQ_SLOT_RAWKEY : SQ_SLOT_PASSPHRASE;
        sq_random_buf(e->kek_a, 32);
        sq_random_buf(e->kcmt_a, 32);
        sq_random_buf(e->kek_b, 32);
        sq_random_buf(e->kcmt_b, 32);
        e->created = 1700000000 + i;
        snprintf(e->label, sizeof e->label, "way in %u \xe2\x9c\x93", i);
        e->label_len = (uint8_t)strlen(e->label);
    }
}

static const rule keyring_rules[] = {
    { "64 entries", SQ_OK },
    { "65 entries", SQ_ERR_LIMIT },
    { "no entries", SQ_OK },
    { "slot 63", SQ_OK },
    { "slot 64", SQ_ERR_FORMAT },
    { "slot 255", SQ_ERR_FORMAT },
    { "duplicate slot", SQ_ERR_FORMAT },
    { "kind 0", SQ_ERR_FORMAT },
    { "kind 3", SQ_ERR_FORMAT },
    { "label empty", SQ_OK },
    { "label 64 bytes", SQ_OK },
    { "label 65 bytes", SQ_ERR_LIMIT },
    { "label with a C0", SQ_ERR_FORMAT },
    { "label with DEL", SQ_ERR_FORMAT },
    { "label with a C1", SQ_ERR_FORMAT },
    { "label not UTF-8", SQ_ERR_FORMAT },
    { "label with NUL", SQ_ERR_FORMAT },
};

static void
mutate_keyring(sq_keyring *kr, uint32_t *count, size_t rule_no)
{
    sq_keyring_entry *e = &kr->entries[2];

    switch (rule_no) {
    case 0: base_keyring(kr, 64); break;
    case 1: base_keyring(kr, 64); kr->count = 65; break;
    case 2: kr->count = 0; break;
    case 3: e->slot = 63; break;
    case 4: e->slot = 64; break;
    case 5: e->slot = 255; break;
    case 6: e->slot = kr->entries[0].slot; break;
    case 7: e->kind = 0; break;
    case 8: e->kind = 3; break;
    case 9: e->label_len = 0; break;
    case 10: memset(e->label, 'L', 64); e->label_len = 64; break;
    case 11: e->label_len = 65; break;          /* the raw encoder writes 65 bytes from label[] */
    case 12: e->label[1] = '\n'; break;
    case 13: e->label[1] = 0x7f; break;
    case 14: e->label[1] = (char)0xc2; e->label[2] = (char)0x8d; break;
    case 15: e->label[1] = (char)0xfe; break;
    case 16: e->label[1] = '\0'; break;
    default: abort();
    }
    *count = kr->count;
}

static void
test_keyring(void)
{
    sq_keyring *kr = sq_secret_alloc(sizeof *kr), *back = sq_secret_alloc(sizeof *back);
    size_t      cap = RAW_KEYRING_K + 4096, len, len2, raw_len, used;
    uint8_t    *out = sq_secret_alloc(cap), *raw = sq_secret_alloc(cap), *out2 = sq_secret_alloc(cap);
    uint32_t    count;

    /* the fixed length is FORMAT.md's number, and 4 blocks per copy */
    CHECK_EQ_INT(SQ_KEYRING_BODY_BYTES, RAW_KEYRING_K);
    CHECK_EQ_INT(sq_object_blocks_for(SQ_KEYRING_BODY_BYTES), 4);

    /* padded round trip: entries, then zeros up to K */
    base_keyring(kr, 5);
    CHECK_EQ_INT(sq_keyring_serialize(out, cap, &len, kr), SQ_OK);
    raw_len = raw_keyring(raw, kr, kr->count);
    used = raw_keyring_entries(raw, kr, kr->count);
    CHECK_EQ_INT(len, RAW_KEYRING_K);
    CHECK(len == raw_len && memcmp(out, raw, len) == 0);
    CHECK(used < len && is_zero(out + used, len - used));
    CHECK_EQ_INT(sq_keyring_parse(back, out, len), SQ_OK);
    CHECK(memcmp(back, kr, sizeof *kr) == 0);
    CHECK_EQ_INT(sq_keyring_serialize(out2, cap, &len2, back), SQ_OK);
    CHECK(len2 == len && memcmp(out, out2, len) == 0);
    sodium_memzero(out2, cap);
    CHECK_EQ_INT(sq_keyring_serialize(out2, len - 1, &len2, back), SQ_ERR_LIMIT);
    CHECK(is_zero(out2, cap));                  /* nothing half-written */
    CHECK_EQ_INT(len2, 0);

    /* the length tells nothing: 0, 1, 5 and 64 entries, empty and 64-byte
     * labels, all serialize to K bytes and parse back */
    {
        static const uint32_t counts[] = {0, 1, 5, 64};
        size_t bad = 0;
        for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
            for (int longest = 0; longest < 2; longest++) {
                base_keyring(kr, counts[c]);
                for (uint32_t k = 0; k < kr->count; k++) {
                    memset(kr->entries[k].label, 0, sizeof kr->entries[k].label);
                    memset(kr->entries[k].label, 'L', longest ? 64 : 0);
                    kr->entries[k].label_len = longest ? 64 : 0;
                }
                memset(back, 0xa5, sizeof *back);
                if (sq_keyring_serialize(out, cap, &len, kr) != SQ_OK || len != RAW_KEYRING_K ||
                    raw_keyring(raw, kr, kr->count) != len || memcmp(out, raw, len) != 0 ||
                    sq_keyring_parse(back, out, len) != SQ_OK || memcmp(back, kr, sizeof *kr) != 0)
                    bad++;
            }
        }
        CHECK_EQ_INT(bad, 0);
        /* 64 entries with 64-byte labels fill K exactly: no padding at all */
        CHECK_EQ_INT(raw_keyring_entries(raw, kr, kr->count), RAW_KEYRING_K);
        /* no entries: K zero bytes but for the count, itself zero */
        base_keyring(kr, 0);
        CHECK_EQ_INT(sq_keyring_serialize(out, cap, &len, kr), SQ_OK);
        CHECK(len == RAW_KEYRING_K && is_zero(out, len));
    }

    /* wrong lengths: every length below K (including the old unpadded
     * encoding), K + 1, K + 4096, and the most an object of 4 blocks holds */
    base_keyring(kr, 5);
    CHECK_EQ_INT(sq_keyring_serialize(out, cap, &len, kr), SQ_OK);
    used = raw_keyring_entries(raw, kr, kr->count);
    {
        size_t bad = 0;
        for (size_t n = 0; n < len; n++) {
            memset(back, 0xa5, sizeof *back);
            if (sq_keyring_parse(back, out, n) != SQ_ERR_FORMAT || !is_zero(back, sizeof *back))
                bad++;
        }
        CHECK_EQ_INT(bad, 0);
    }
    memset(out + len, 0, cap - len);
    {
        static const size_t longer[] = {1, 4096, 4 * 4096 - 45 - RAW_KEYRING_K};
        for (size_t i = 0; i < sizeof longer / sizeof longer[0]; i++) {
            memset(back, 0xa5, sizeof *back);
            CHECK_EQ_INT(sq_keyring_parse(back, out, len + longer[i]), SQ_ERR_FORMAT);
            CHECK(is_zero(back, sizeof *back));
        }
    }
    CHECK_EQ_INT(sq_keyring_parse(back, raw, used), SQ_ERR_FORMAT);    /* the old encoding */
    CHECK(is_zero(back, sizeof *back));

    /* non-zero padding: any one padding byte set is refused */
    {
        size_t bad = 0;
        for (size_t n = used; n < len; n++) {
            out[n] = (uint8_t)(1u << (n % 8));
            memset(back, 0xa5, sizeof *back);
            if (sq_keyring_parse(back, out, len) != SQ_ERR_FORMAT || !is_zero(back, sizeof *back))
                bad++;
            out[n] = 0;
        }
        CHECK_EQ_INT(bad, 0);
        CHECK_EQ_INT(sq_keyring_parse(back, out, len), SQ_OK);             /* restored */
    }

    /* a count that disagrees with the entries present: one less leaves an
     * entry in the padding, one more reads zeros as an entry (kind 0); both
     * refused, so the count is never ambiguous */
    put(out, 4, 4);
    CHECK_EQ_INT(sq_keyring_parse(back, out, len), SQ_ERR_FORMAT);
    CHECK(is_zero(back, sizeof *back));
    put(out, 6, 4);
    CHECK_EQ_INT(sq_keyring_parse(back, out, len), SQ_ERR_FORMAT);
    CHECK(is_zero(back, sizeof *back));
    put(out, 64, 4);
    CHECK_EQ_INT(sq_keyring_parse(back, out, len), SQ_ERR_FORMAT);

    /* a count above 64, at the right length: refused as a cap */
    {
        static const uint32_t over[] = {65, 255, 0x80000000u, 0xffffffffu};
        for (size_t i = 0; i < sizeof over / sizeof over[0]; i++) {
            put(out, over[i], 4);
            memset(back, 0xa5, sizeof *back);
            CHECK_EQ_INT(sq_keyring_parse(back, out, len), SQ_ERR_LIMIT);
            CHECK(is_zero(back, sizeof *back));
        }
        /* with a count above 64 and a wrong length, the length decides */
        CHECK_EQ_INT(sq_keyring_parse(back, out, len - 1), SQ_ERR_FORMAT);
    }

    for (size_t i = 0; i < sizeof keyring_rules / sizeof keyring_rules[0]; i++) {
        sq_err want = keyring_rules[i].want;
        bool   ok = true;

        base_keyring(kr, 5);
        mutate_keyring(kr, &count, i);
        raw_len = raw_keyring(raw, kr, count);
        if (count == 65) {
            /* a 65th entry on the wire, in what would be padding, so only
             * the count is wrong: still K bytes (64 short labels leave room) */
            used = raw_keyring_entries(raw, kr, count);
            ok &= CHECK(used + 139 + kr->entries[0].label_len <= RAW_KEYRING_K);
            memcpy(raw + used, raw + 4, 139 + kr->entries[0].label_len);
            ok &= CHECK_EQ_INT(raw_len, RAW_KEYRING_K);
        }
        memset(back, 0xa5, sizeof *back);
        ok &= CHECK_EQ_INT(sq_keyring_parse(back, raw, raw_len), want);
        ok &= CHECK_EQ_INT(sq_keyring_serialize(out, cap, &len, kr),
                           want == SQ_OK ? SQ_OK : SQ_ERR_INVALID);
        if (want == SQ_OK) {
            ok &= CHECK(len == raw_len && memcmp(out, raw, len) == 0);
            ok &= CHECK(back->count == kr->count);
            for (uint32_t k = 0; k < kr->count && k < 64; k++)
                ok &= CHECK(back->entries[k].label[back->entries[k].label_len] == '\0' &&
                            memcmp(back->entries[k].kcmt_b, kr->entries[k].kcmt_b, 32) == 0);
        } else {
            ok &= CHECK(is_zero(back, sizeof *back));
        }
        if (!ok)
            fprintf(stderr, "     keyring rule: %s\n", keyring_rules[i].what);
    }

    sq_secret_free(kr, sizeof *kr);
    sq_secret_free(back, sizeof *back);
    sq_secret_free(out, cap);
    sq_secret_free(raw, cap);
    sq_secret_free(out2, cap);
}

/* ---- free list ---- */

static const rule freelist_rules[] = {
    { "both lists empty", SQ_OK },
    { "extent count 0", SQ_ERR_FORMAT },
    { "extent ends at 2^40", SQ_OK },
    { "extent ends past 2^40", SQ_ERR_FORMAT },
    { "extent wraps around", SQ_ERR_FORMAT },
    { "scrub extent count 0", SQ_ERR_FORMAT },
};

static void
test_freelist(void)
{
    sq_extent   q[3], s[2];
    sq_freelist fl, back;
    size_t      len, len2, raw_len;
    uint8_t     out[256], out2[256], raw[256];

    for (size_t i = 0; i < sizeof freelist_rules / sizeof freelist_rules[0]; i++) {
        sq_err want = freelist_rules[i].want;
        bool   ok = true;

        q[0] = (sq_extent){ 7, 3 };
        q[1] = (sq_extent){ 100, 1 };
        q[2] = (sq_extent){ 50, 0xffffffffu };
        s[0] = (sq_extent){ 0, 2 };
        s[1] = (sq_extent){ 90, 9 };
        fl = (sq_freelist){ q, 3, s, 2 };
        switch (i) {
        case 0: fl = (sq_freelist){ NULL, 0, NULL, 0 }; break;
        case 1: q[1].count = 0; break;
        case 2: q[1] = (sq_extent){ T40 - 1, 1 }; break;
        case 3: q[1] = (sq_extent){ T40, 1 }; break;
        case 4: q[1] = (sq_extent){ UINT64_MAX, 2 }; break;
        case 5: s[1].count = 0; break;
        default: abort();
        }
        raw_len = raw_freelist(raw, &fl);
        ok &= CHECK_EQ_INT(sq_freelist_parse(&back, raw, raw_len), want);
        ok &= CHECK_EQ_INT(sq_freelist_serialize(out, sizeof out, &len, &fl),
                           want == SQ_OK ? SQ_OK : SQ_ERR_INVALID);
        if (want == SQ_OK) {
            ok &= CHECK(len == raw_len && memcmp(out, raw, len) == 0);
            ok &= CHECK_EQ_INT(sq_freelist_size(&back), len);
            ok &= CHECK_EQ_INT(sq_freelist_serialize(out2, sizeof out2, &len2, &back), SQ_OK);
            ok &= CHECK(len2 == len && memcmp(out2, out, len) == 0);
            sq_freelist_free(&back);
        } else {
            ok &= CHECK(is_zero(&back, sizeof back));
        }
        if (!ok)
            fprintf(stderr, "     freelist rule: %s\n", freelist_rules[i].what);
    }

    /* truncation, trailing byte, output cap */
    q[2] = (sq_extent){ 50, 5 };
    s[1] = (sq_extent){ 90, 9 };
    fl = (sq_freelist){ q, 3, s, 2 };
    CHECK_EQ_INT(sq_freelist_serialize(out, sizeof out, &len, &fl), SQ_OK);
    CHECK_EQ_INT(len, 8 + 5 * 12);
    CHECK_EQ_INT(sq_freelist_serialize(out2, len - 1, &len2, &fl), SQ_ERR_LIMIT);
    {
        size_t bad = 0;
        for (size_t n = 0; n < len; n++) {
            memset(&back, 0xa5, sizeof back);
            if (sq_freelist_parse(&back, out, n) != SQ_ERR_FORMAT || !is_zero(&back, sizeof back))
                bad++;
        }
        CHECK_EQ_INT(bad, 0);
    }
    out[len] = 0;
    CHECK_EQ_INT(sq_freelist_parse(&back, out, len + 1), SQ_ERR_FORMAT);

    /* counts: each list at the cap, cap + 1, a count the bytes cannot hold */
    {
        size_t   n = SQ_MAX_SEGMENT_ENTRIES, big = 8 + 2 * 12 * (n + 1);
        uint8_t *b = malloc(big), *b2 = malloc(big), *p;

        p = put(b, n, 4);
        for (size_t i = 0; i < n; i++) {
            p = put(p, 3 * i, 8);
            p = put(p, 1, 4);
        }
        p = put(p, n, 4);
        for (size_t i = 0; i < n; i++) {
            p = put(p, 3 * i + 1, 8);
            p = put(p, 2, 4);
        }
        len = (size_t)(p - b);
        CHECK_EQ_INT(sq_freelist_parse(&back, b, len), SQ_OK);
        CHECK(back.n_quarantine == n && back.n_scrub == n);
        CHECK_EQ_INT(sq_freelist_serialize(b2, big, &len2, &back), SQ_OK);
        CHECK(len2 == len && memcmp(b, b2, len) == 0);
        sq_freelist_free(&back);
        CHECK(is_zero(&back, sizeof back));
        put(b, n + 1, 4);
        CHECK_EQ_INT(sq_freelist_parse(&back, b, len), SQ_ERR_LIMIT);
        put(b, n, 4);
        put(b + 4 + 12 * n, n + 1, 4);
        CHECK_EQ_INT(sq_freelist_parse(&back, b, len), SQ_ERR_LIMIT);
        CHECK(is_zero(&back, sizeof back));
        put(b, n, 4);
        CHECK_EQ_INT(sq_freelist_parse(&back, b, 8), SQ_ERR_FORMAT);
        free(b);
        free(b2);
    }
    sq_freelist_free(NULL);
}

/* FORMAT.md 13: a keyring with the level identity is K2 = K + 129 bytes:
 * the K bytes as before, then version 1 and the four keys; the same 4
 * blocks per copy, exactly one encoding. */
static void
test_keyring_identity(void)
{
    sq_keyring *kr = sq_secret_alloc(sizeof *kr), *back = sq_secret_alloc(sizeof *back);
    size_t      cap = RAW_KEYRING_K + 4096, len = 0, len2 = 0;
    uint8_t    *out = sq_secret_alloc(cap), *out2 = sq_secret_alloc(cap);
    static const uint8_t bad_versions[] = {0, 2, 255};

    CHECK_EQ_INT(SQ_KEYRING_BODY2_BYTES, RAW_KEYRING_K + 129);
    CHECK_EQ_INT(sq_object_blocks_for(SQ_KEYRING_BODY2_BYTES), 4);
    base_keyring(kr, 5);
    kr->has_identity = true;
    sq_random_buf(&kr->identity, sizeof kr->identity);
    CHECK_EQ_INT(sq_keyring_serialize(out, cap, &len, kr), SQ_OK);
    CHECK_EQ_INT(len, RAW_KEYRING_K + 129 + 574);   /* writers add the share section (K3) */
    CHECK_EQ_INT(out[RAW_KEYRING_K], 1);
    CHECK(memcmp(out + RAW_KEYRING_K + 1, kr->identity.x25519, 32) == 0);
    for (unsigned i = 0; i < 3; i++)
        CHECK(memcmp(out + RAW_KEYRING_K + 33 + 32 * i, kr->identity.ed25519_seed[i], 32) == 0);
    CHECK_EQ_INT(sq_keyring_parse(back, out, len), SQ_OK);
    CHECK(memcmp(back, kr, sizeof *kr) == 0);
    CHECK_EQ_INT(sq_keyring_serialize(out2, cap, &len2, back), SQ_OK);
    CHECK(len2 == len && memcmp(out, out2, len) == 0);
    CHECK_EQ_INT(sq_keyring_serialize(out2, len - 1, &len2, back), SQ_ERR_LIMIT);
    /* the first K bytes alone: the same keyring without an identity */
    CHECK_EQ_INT(sq_keyring_parse(back, out, RAW_KEYRING_K), SQ_OK);
    CHECK(!back->has_identity && sodium_is_zero((const uint8_t *)&back->identity, sizeof back->identity) == 1);
    CHECK(back->count == kr->count && memcmp(back->entries, kr->entries, sizeof kr->entries) == 0);
    /* the first K2 bytes: a keyring written before share sets, state 0 */
    CHECK_EQ_INT(sq_keyring_parse(back, out, RAW_KEYRING_K + 129), SQ_OK);
    CHECK(back->has_identity && memcmp(&back->identity, &kr->identity, sizeof kr->identity) == 0);
    CHECK(is_zero(&back->shares, sizeof back->shares));
    /* an all-zero identity is still one (one encoding per length) */
    sodium_memzero(&kr->identity, sizeof kr->identity);
    CHECK_EQ_INT(sq_keyring_serialize(out, cap, &len, kr), SQ_OK);
    CHECK_EQ_INT(len, RAW_KEYRING_K + 129 + 574);
    CHECK_EQ_INT(sq_keyring_parse(back, out, len), SQ_OK);
    CHECK(back->has_identity);
    /* any other version, and K2 +- 1, are refused with a zeroed struct */
    for (size_t i = 0; i < sizeof bad_versions; i++) {
        out[RAW_KEYRING_K] = bad_versions[i];
        memset(back, 0xa5, sizeof *back);
        CHECK_EQ_INT(sq_keyring_parse(back, out, len), SQ_ERR_FORMAT);
        CHECK(is_zero(back, sizeof *back));
    }
    out[RAW_KEYRING_K] = 1;
    memset(back, 0xa5, sizeof *back);
    CHECK_EQ_INT(sq_keyring_parse(back, out, len - 1), SQ_ERR_FORMAT);
    CHECK(is_zero(back, sizeof *back));
    CHECK_EQ_INT(sq_keyring_parse(back, out, len + 1), SQ_ERR_FORMAT);
    /* the padding rule still holds with an identity after it */
    out[RAW_KEYRING_K - 1] = 1;
    CHECK_EQ_INT(sq_keyring_parse(back, out, len), SQ_ERR_FORMAT);
    sq_secret_free(kr, sizeof *kr);
    sq_secret_free(back, sizeof *back);
    sq_secret_free(out, cap);
    sq_secret_free(out2, cap);
}

/* FORMAT.md 13 "Share set": K3 = K2 + 574, the section's fields at their
 * offsets, one encoding, and every rule refused with a zeroed struct. */
static void
shares_base(sq_keyring *kr)
{
    base_keyring(kr, 5);
    kr->entries[3].kind = SQ_SLOT_RAWKEY;
    kr->has_identity = true;
    sq_random_buf(&kr->identity, sizeof kr->identity);
    memset(&kr->shares, 0, sizeof kr->shares);
    kr->shares.state = 1;
    kr->shares.slot = kr->entries[3].slot;
    kr->shares.id = 0x7abc;
    kr->shares.exponent = 0;
    kr->shares.secret_len = 16;
    kr->shares.generation = 7;
    kr->shares.created = 1795430400;
    kr->shares.group_threshold = 2;
    kr->shares.group_count = 3;
    kr->shares.member_threshold[0] = 1; kr->shares.member_count[0] = 1;
    kr->shares.member_threshold[1] = 2; kr->shares.member_count[1] = 3;
    kr->shares.member_threshold[2] = 16; kr->shares.member_count[2] = 16;
    sq_random_buf(kr->shares.master_secret, 16);
    sq_random_buf(kr->shares.seed, 32);
    kr->shares.n_superseded = 2;
    kr->shares.superseded[0] = (sq_share_superseded){ 11, 5, 1700000000 };
    kr->shares.superseded[1] = (sq_share_superseded){ 12, 6, 1700000100 };
    kr->shares.wipe_pending = (1ull << 63) | (1ull << 0);   /* slots no entry uses */
}

static void
test_keyring_shares(void)
{
    sq_keyring *kr = sq_secret_alloc(sizeof *kr), *back = sq_secret_alloc(sizeof *back);
    size_t      cap = RAW_KEYRING_K + 4096, len = 0, len2 = 0;
    uint8_t    *out = sq_secret_alloc(cap), *out2 = sq_secret_alloc(cap);
    const size_t S = RAW_KEYRING_K + 129;     /* where the section starts */

    CHECK_EQ_INT(SQ_KEYRING_BODY3_BYTES, RAW_KEYRING_K + 129 + 574);
    CHECK_EQ_INT(sq_object_blocks_for(SQ_KEYRING_BODY3_BYTES), 4);
    shares_base(kr);
    CHECK_EQ_INT(sq_keyring_serialize(out, cap, &len, kr), SQ_OK);
    CHECK_EQ_INT(len, SQ_KEYRING_BODY3_BYTES);
    /* offsets of FORMAT.md 13 */
    CHECK_EQ_INT(out[S + 0], 1);                       /* version */
    CHECK_EQ_INT(out[S + 1], 1);                       /* state */
    CHECK_EQ_INT(out[S + 2], kr->shares.slot);
    CHECK_EQ_INT(out[S + 3] | out[S + 4] << 8, 0x7abc);
    CHECK_EQ_INT(out[S + 6], 16);                      /* secret_len */
    CHECK_EQ_INT(out[S + 7], 7);                       /* generation LE32 */
    CHECK_EQ_INT(out[S + 19], 2);                      /* group_threshold */
    CHECK_EQ_INT(out[S + 20], 3);                      /* group_count */
    CHECK_EQ_INT(out[S + 23], 2);                      /* group 1 threshold */
    CHECK_EQ_INT(out[S + 24], 3);                      /* group 1 count */
    CHECK(memcmp(out + S + 53, kr->shares.master_secret, 16) == 0);
    CHECK(is_zero(out + S + 69, 16));                  /* the unused half of the secret */
    CHECK(memcmp(out + S + 85, kr->shares.seed, 32) == 0);
    CHECK_EQ_INT(out[S + 117], 2);                     /* superseded_count */
    CHECK_EQ_INT(out[S + 118], 11);
    CHECK_EQ_INT(out[S + 132], 12);
    CHECK_EQ_INT(out[S + 566], 1);                     /* wipe_pending LE64 */
    CHECK_EQ_INT(out[S + 573], 0x80);
    CHECK_EQ_INT(sq_keyring_parse(back, out, len), SQ_OK);
    CHECK(memcmp(back, kr, sizeof *kr) == 0);
    CHECK_EQ_INT(sq_keyring_serialize(out2, cap, &len2, back), SQ_OK);
    CHECK(len2 == len && memcmp(out, out2, len) == 0);
    /* every byte of the section: a change either is refused or parses to
     * something that serializes back to the changed bytes (one encoding) */
    for (size_t i = S; i < len; i++) {
        for (unsigned bit = 0; bit < 8; bit += 3) {
            memcpy(out2, out, len);
            out2[i] ^= (uint8_t)(1u << bit);
            memset(back, 0xa5, sizeof *back);
            sq_err e = sq_keyring_parse(back, out2, len);
            if (e != SQ_OK) {
                CHECK_EQ_INT(e, SQ_ERR_FORMAT);
                CHECK(is_zero(back, sizeof *back));
                continue;
            }
            uint8_t *again = sq_secret_alloc(cap);
            size_t   l3 = 0;
            CHECK_EQ_INT(sq_keyring_serialize(again, cap, &l3, back), SQ_OK);
            CHECK(l3 == len && memcmp(again, out2, len) == 0);
            sq_secret_free(again, cap);
        }
    }
    /* rules */
    for (int rule_no = 0; rule_no < 15; rule_no++) {
        shares_base(kr);
        sq_share_state *sh = &kr->shares;
        switch (rule_no) {
        case 0: sh->state = 2; break;
        case 1: sh->slot = kr->entries[2].slot; break;          /* a passphrase slot */
        case 2: sh->slot = 63; kr->entries[3].slot = 62; break; /* not listed */
        case 3: sh->id = 0x8000; break;
        case 4: sh->secret_len = 24; break;
        case 5: sh->generation = 0; break;
        case 6: sh->group_threshold = 4; break;
        case 7: sh->member_count[0] = 2; break;                 /* T = 1 with N = 2 */
        case 8: sh->member_threshold[3] = 1; break;             /* past group_count */
        case 9: sh->master_secret[20] = 1; break;               /* past secret_len */
        case 10: sh->n_superseded = 33; break;
        case 11: sh->superseded[5].id = 1; break;               /* past n_superseded */
        case 12: sh->exponent = 16; break;
        case 13: memset(sh, 0, sizeof *sh); sh->seed[0] = 1; break; /* state 0 with a seed */
        case 14: sh->wipe_pending |= 1ull << kr->entries[1].slot; break; /* a listed slot */
        }
        CHECK_EQ_INT(sq_keyring_serialize(out2, cap, &len2, kr), SQ_ERR_INVALID);
    }
    /* the same rules on the parse side, by editing valid bytes */
    shares_base(kr);
    CHECK_EQ_INT(sq_keyring_serialize(out, cap, &len, kr), SQ_OK);
    static const struct { size_t off; uint8_t v; } edits[] = {
        { 0, 2 }, { 0, 0 }, { 1, 2 }, { 4, 0x80 }, { 6, 24 }, { 6, 0 }, { 19, 0 }, { 19, 4 },
        { 21, 2 }, { 25, 1 }, { 70, 1 }, { 117, 33 }, { 118 + 14 * 3, 1 }, { 5, 16 },
    };
    for (size_t k = 0; k < sizeof edits / sizeof edits[0]; k++) {
        memcpy(out2, out, len);
        out2[S + edits[k].off] = edits[k].v;
        memset(back, 0xa5, sizeof *back);
        CHECK_EQ_INT(sq_keyring_parse(back, out2, len), SQ_ERR_FORMAT);
        CHECK(is_zero(back, sizeof *back));
    }
    /* state 0 keeps the generation and the superseded list */
    shares_base(kr);
    uint32_t gen = kr->shares.generation;
    uint8_t  nsup = kr->shares.n_superseded;
    sq_share_superseded sup[2] = { kr->shares.superseded[0], kr->shares.superseded[1] };
    memset(&kr->shares, 0, sizeof kr->shares);
    kr->shares.generation = gen;
    kr->shares.n_superseded = nsup;
    memcpy(kr->shares.superseded, sup, sizeof sup);
    CHECK_EQ_INT(sq_keyring_serialize(out, cap, &len, kr), SQ_OK);
    CHECK_EQ_INT(sq_keyring_parse(back, out, len), SQ_OK);
    CHECK(memcmp(&back->shares, &kr->shares, sizeof kr->shares) == 0);
    sq_secret_free(kr, sizeof *kr);
    sq_secret_free(back, sizeof *back);
    sq_secret_free(out, cap);
    sq_secret_free(out2, cap);
}

int
main(void)
{
    sq_test_init("structs");
    if (!sq_secret_init())
        abort();
    test_objref();
    test_root();
    test_doc_sizes();
    test_doc_rules();
    test_index();
    test_records();
    test_keyring();
    test_keyring_identity();
    test_keyring_shares();
    test_freelist();
    sq_secret_shutdown();
    return sq_test_done();
}
