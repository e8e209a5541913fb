/* test_vault_shares.c: a level's share set through the API (FORMAT.md 13,
 * 17): every K-subset opens the level and K-1 cannot be combined; a wrong
 * key, another set and a rotated-out set open nothing; the shares are
 * reproduced exactly (re-print, a new member leaves the others unchanged);
 * certificates verify with the level's key only; rekey and removal of the
 * slot end the set; a share session cannot rekey. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "sandyq/share_cert.h"
#include "sandyq/shares.h"
#include "sandyq/vault.h"
#include "testlib.h"
#include "util/random.h"
#include "util/io.h"
#include "vault/slots.h"
#include "vault/vault_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

static char dir[4096];
static char vpath[4200];
static const sq_secret_view PASS = {(const uint8_t *)"correct horse", 13};

typedef struct {
    size_t   n;
    char     text[SQ_SLIP39_MAX_SHARES][SQ_SLIP39_MNEMONIC_CAP];
    unsigned group[SQ_SLIP39_MAX_SHARES], member[SQ_SLIP39_MAX_SHARES];
} shares;

static void
get_shares(sq_vault *v, shares *out)
{
    sq_slip39_set *set = NULL;

    CHECK_EQ_INT(sq_vault_shares_mnemonics(v, &set), SQ_OK);
    out->n = sq_slip39_set_count(set);
    for (size_t i = 0; i < out->n; i++)
        snprintf(out->text[i], sizeof out->text[i], "%s",
                 sq_slip39_set_mnemonic(set, i, &out->group[i], &out->member[i]));
    sq_slip39_set_free(set);
}

/* combine the shares picked by mask; SQ_OK and the secret, or the error */
static sq_err
combine(const shares *s, uint32_t mask, uint8_t *ms, size_t *ms_len)
{
    const char *m[32];
    size_t      lens[32], n = 0;

    for (size_t i = 0; i < s->n; i++)
        if (mask & (1u << i)) {
            m[n] = s->text[i];
            lens[n++] = strlen(s->text[i]);
        }
    return sq_slip39_combine(ms, ms_len, m, lens, n, "", 0, false, NULL);
}

static sq_err
open_with(const shares *s, uint32_t mask, bool writable, sq_vault **out)
{
    uint8_t ms[SQ_SLIP39_MAX_SECRET_BYTES];
    size_t  len = 0;
    sq_err  e = combine(s, mask, ms, &len);

    *out = NULL;
    if (e != SQ_OK)
        return e;
    e = sq_vault_open_rawkey(out, vpath, writable, ms, len);
    sodium_memzero(ms, sizeof ms);
    return e;
}

static void
test_create_and_open(void)
{
    sq_vault         *v = NULL;
    sq_slip39_group   groups[2] = { { 2, 3 }, { 1, 1 } };
    sq_share_set_info info;
    sq_slip39_detail  d;
    static shares     s, again;
    uint8_t           ms[SQ_SLIP39_MAX_SECRET_BYTES];
    size_t            len;

    CHECK_EQ_INT(sq_vault_create(vpath, "test", true, PASS, "owner"), SQ_OK);
    CHECK_EQ_INT(sq_vault_open(&v, vpath, true, PASS), SQ_OK);
    CHECK_EQ_INT(sq_vault_shares_info(v, &info), SQ_ERR_NOTFOUND);
    CHECK_EQ_INT(info.generation, 0);
    CHECK_EQ_INT(sq_vault_shares_create(v, 1, groups, 1, 32, true, &d), SQ_ERR_NOTFOUND);
    /* a layout SLIP-0039 refuses: T = 1 with N = 2 */
    sq_slip39_group bad = { 1, 2 };
    CHECK_EQ_INT(sq_vault_shares_create(v, 1, &bad, 1, 32, false, &d), SQ_ERR_INVALID);
    CHECK_EQ_INT(d.problem, SQ_SLIP39_BAD_LAYOUT);
    CHECK_EQ_INT(sq_vault_ways_count(v), 1);          /* nothing was written */
    CHECK_EQ_INT(sq_vault_shares_create(v, 1, groups, 1, 32, false, &d), SQ_OK);
    CHECK_EQ_INT(sq_vault_shares_create(v, 1, groups, 1, 32, false, &d), SQ_ERR_EXISTS);
    CHECK_EQ_INT(sq_vault_shares_info(v, &info), SQ_OK);
    CHECK_EQ_INT(info.generation, 1);
    CHECK_EQ_INT(info.secret_len, 32);
    CHECK_EQ_INT(sq_vault_ways_count(v), 2);
    get_shares(v, &s);
    CHECK_EQ_INT(s.n, 3);
    CHECK_EQ_INT(sq_vault_shares_classify(v, &(sq_slip39_share){0}, &(sq_share_status){0}), SQ_OK);
    sq_vault_close(v);

    /* every 2-subset opens, read-only and writable; 1 share cannot combine */
    for (uint32_t mask = 1; mask < 8; mask++) {
        sq_err e = open_with(&s, mask, mask == 3, &v);
        if (__builtin_popcount(mask) >= 2) {
            CHECK_EQ_INT(e, SQ_OK);
            CHECK(v != NULL && sq_vault_count(v) == 0);
        } else {
            CHECK(e == SQ_ERR_INVALID);
        }
        sq_vault_close(v);
    }
    /* a wrong key of the right length opens nothing; wrong lengths refused */
    sq_random_buf(ms, 32);
    CHECK_EQ_INT(sq_vault_open_rawkey(&v, vpath, false, ms, 32), SQ_ERR_AUTH);
    CHECK_EQ_INT(sq_vault_open_rawkey(&v, vpath, false, ms, 24), SQ_ERR_INVALID);
    /* the passphrase still opens; the set is reproduced word for word */
    CHECK_EQ_INT(sq_vault_open(&v, vpath, true, PASS), SQ_OK);
    get_shares(v, &again);
    CHECK(again.n == s.n && memcmp(again.text, s.text, sizeof s.text[0] * s.n) == 0);
    /* a new member: the others unchanged, the new one combines with them */
    unsigned m = 99;
    CHECK_EQ_INT(sq_vault_shares_add_member(v, 0, &m), SQ_OK);
    CHECK_EQ_INT(m, 3);
    get_shares(v, &again);
    CHECK_EQ_INT(again.n, 4);
    CHECK(memcmp(again.text, s.text, sizeof s.text[0] * 3) == 0);
    sq_vault_close(v);
    CHECK_EQ_INT(open_with(&again, 0x9, false, &v), SQ_OK);   /* old member 0 + new member 3 */
    sq_vault_close(v);
    /* the share session: no rekey, no passphrase change; passphrase add works */
    CHECK_EQ_INT(open_with(&again, 0x6, true, &v), SQ_OK);
    CHECK_EQ_INT(sq_vault_rekey(v, NULL, 0, NULL, NULL), SQ_ERR_INVALID);
    CHECK_EQ_INT(sq_vault_passphrase_change(v, PASS), SQ_ERR_INVALID);
    sq_secret_view p2 = {(const uint8_t *)"second", 6};
    CHECK_EQ_INT(sq_vault_passphrase_add(v, p2, "new"), SQ_OK);
    sq_vault_close(v);
    CHECK_EQ_INT(sq_vault_open(&v, vpath, false, p2), SQ_OK);
    sq_vault_close(v);
    len = 0;
    (void)len;
}

static void
test_certificates(void)
{
    sq_vault       *v = NULL;
    static shares   s;
    char            cert[SQ_SHARE_CERT_MAX_BYTES];
    size_t          len = 0;
    sq_share_cert   c;
    sq_level_public pub;
    sq_slip39_share sh;
    sq_share_status st;
    uint8_t         h[32];

    CHECK_EQ_INT(sq_vault_open(&v, vpath, false, PASS), SQ_OK);
    get_shares(v, &s);
    CHECK_EQ_INT(sq_vault_identity_public(v, &pub), SQ_OK);
    for (size_t i = 0; i < s.n; i++) {
        CHECK_EQ_INT(sq_vault_shares_certificate(v, s.group[i], s.member[i], cert, sizeof cert, &len), SQ_OK);
        CHECK_EQ_INT(sq_share_cert_parse(&c, cert, len), SQ_OK);
        CHECK_EQ_INT(sq_share_cert_verify(&c, pub.ed25519[SQ_KEY_SHARES]), SQ_OK);
        CHECK_EQ_INT(sq_share_cert_verify(&c, pub.ed25519[SQ_KEY_EXPORT]), SQ_ERR_AUTH);
        sq_share_hash(h, s.text[i], strlen(s.text[i]));
        CHECK(memcmp(h, c.share_hash, 32) == 0);
        CHECK_EQ_INT(c.group_index, s.group[i]);
        CHECK_EQ_INT(c.member_index, s.member[i]);
        CHECK_EQ_INT(c.generation, 1);
        CHECK(strlen(cert) == len && strstr(s.text[i], "\n") == NULL);
        /* classify: the share as issued is current; one word changed is not */
        CHECK_EQ_INT(sq_slip39_share_parse(&sh, s.text[i], strlen(s.text[i]), NULL), SQ_OK);
        CHECK_EQ_INT(sq_vault_shares_classify(v, &sh, &st), SQ_OK);
        CHECK_EQ_INT(st.verdict, SQ_SHARE_CURRENT);
        sh.value[3] ^= 1;
        CHECK_EQ_INT(sq_vault_shares_classify(v, &sh, &st), SQ_OK);
        CHECK_EQ_INT(st.verdict, SQ_SHARE_ALTERED);
        sq_slip39_share_wipe(&sh);
    }
    CHECK_EQ_INT(sq_vault_shares_certificate(v, 0, 9, cert, sizeof cert, &len), SQ_ERR_INVALID);
    CHECK_EQ_INT(sq_vault_shares_certificate(v, 5, 0, cert, sizeof cert, &len), SQ_ERR_INVALID);
    /* the statement names the current set */
    sq_share_statement stm;
    CHECK_EQ_INT(sq_vault_shares_statement(v, cert, sizeof cert, &len), SQ_OK);
    CHECK_EQ_INT(sq_share_statement_find_parse(&stm, cert, len), SQ_OK);
    CHECK(stm.current && stm.generation == 1);
    CHECK_EQ_INT(sq_share_statement_verify(&stm, pub.ed25519[SQ_KEY_SHARES]), SQ_OK);
    sq_vault_close(v);
}

static void
test_rotate_and_rekey(void)
{
    sq_vault         *v = NULL;
    static shares     old, cur;
    sq_slip39_group   groups[3] = { { 2, 2 }, { 3, 5 }, { 1, 1 } };
    sq_slip39_share   sh;
    sq_share_status   st;
    sq_share_set_info info;
    size_t            ways;

    CHECK_EQ_INT(sq_vault_open(&v, vpath, true, PASS), SQ_OK);
    get_shares(v, &old);
    ways = sq_vault_ways_count(v);
    CHECK_EQ_INT(sq_vault_shares_create(v, 2, groups, 3, 16, true, NULL), SQ_OK);
    CHECK_EQ_INT(sq_vault_ways_count(v), ways);      /* the old slot replaced */
    CHECK_EQ_INT(sq_vault_shares_info(v, &info), SQ_OK);
    CHECK_EQ_INT(info.generation, 2);
    CHECK_EQ_INT(info.secret_len, 16);
    get_shares(v, &cur);
    CHECK_EQ_INT(cur.n, 8);
    CHECK_EQ_INT(sq_slip39_share_parse(&sh, old.text[0], strlen(old.text[0]), NULL), SQ_OK);
    CHECK_EQ_INT(sq_vault_shares_classify(v, &sh, &st), SQ_OK);
    CHECK_EQ_INT(st.verdict, SQ_SHARE_SUPERSEDED);
    CHECK_EQ_INT(st.generation, 1);
    CHECK(st.ended > 0);
    sq_slip39_share_wipe(&sh);
    sq_vault_close(v);
    /* the old set opens nothing now; the new one opens with 2 groups */
    CHECK_EQ_INT(open_with(&old, 0x3, false, &v), SQ_ERR_AUTH);
    CHECK_EQ_INT(open_with(&cur, 0x3 | 0x80, false, &v), SQ_OK);  /* group 1 (2/2) + group 3 */
    sq_vault_close(v);
    CHECK(open_with(&cur, 0x3, false, &v) == SQ_ERR_INVALID);    /* one group of two */
    CHECK_EQ_INT(open_with(&cur, 0x1c | 0x80, false, &v), SQ_OK); /* group 2 (3 of 5) + 3 */
    sq_vault_close(v);

    /* rekey ends the set; the keyring remembers both as superseded */
    CHECK_EQ_INT(sq_vault_open(&v, vpath, true, PASS), SQ_OK);
    CHECK_EQ_INT(sq_vault_rekey(v, NULL, 0, NULL, NULL), SQ_OK);
    CHECK_EQ_INT(sq_vault_shares_info(v, &info), SQ_ERR_NOTFOUND);
    CHECK_EQ_INT(info.generation, 2);
    sq_vault_close(v);
    CHECK_EQ_INT(open_with(&cur, 0x3 | 0x80, false, &v), SQ_ERR_AUTH);
    CHECK_EQ_INT(sq_vault_open(&v, vpath, true, PASS), SQ_OK);
    CHECK_EQ_INT(sq_vault_shares_info(v, &info), SQ_ERR_NOTFOUND);
    CHECK_EQ_INT(v->k->keyring.shares.n_superseded, 2);
    /* a new set after rekey is generation 3; removing its slot ends it */
    CHECK_EQ_INT(sq_vault_shares_create(v, 1, groups, 1, 32, false, NULL), SQ_OK);
    CHECK_EQ_INT(sq_vault_shares_info(v, &info), SQ_OK);
    CHECK_EQ_INT(info.generation, 3);
    uint8_t slot = v->k->keyring.shares.slot;
    get_shares(v, &cur);
    CHECK_EQ_INT(sq_vault_passphrase_remove(v, slot), SQ_OK);
    CHECK_EQ_INT(sq_vault_shares_info(v, &info), SQ_ERR_NOTFOUND);
    CHECK_EQ_INT(v->k->keyring.shares.n_superseded, 3);
    sq_vault_close(v);
    CHECK_EQ_INT(open_with(&cur, 0x3, false, &v), SQ_ERR_AUTH);
}

/* slots_opened_by: how many slots of the file's two areas a raw key
 * unwraps, read straight from the header (what an attacker with the file
 * and the key would do, whatever the keyring lists) */
static unsigned
slots_opened_by(const uint8_t *key, size_t len)
{
    static sq_header h;
    static sq_slot_plain plains[SQ_SLOT_COUNT];
    bool     found[SQ_SLOT_COUNT];
    uint8_t  a[32];
    unsigned n = 0;
    int      fd = open(vpath, O_RDONLY);

    if (fd < 0 || pread(fd, h.bytes, sizeof h.bytes, 0) != (ssize_t)sizeof h.bytes)
        abort();
    close(fd);
    for (int area = 0; area < 2; area++) {
        sq_slot_a_rawkey(a, key, len, sq_header_salt(&h, area));
        n += sq_slot_scan(plains, found, &h, area, a);
    }
    sodium_memzero(plains, sizeof plains);
    return n;
}

typedef struct {
    uint64_t off;
    bool     fired;
} fail_at;

static int
fail_slot_write(void *ctx, const sq_io_op *op, size_t *short_len)
{
    fail_at *f = ctx;

    (void)short_len;
    if (op->kind == SQ_IO_PWRITE && op->off == f->off && !f->fired) {
        f->fired = true;
        return EIO;
    }
    return 0;
}

/* FORMAT.md 13 wipe_pending: the old set's slot survives a failed wipe
 * after rotate only until the next writable open */
static void
test_wipe_after_failure(void)
{
    sq_vault       *v = NULL;
    sq_slip39_group g = { 2, 2 };
    uint8_t         old_ms[32];
    size_t          old_len;
    unsigned        old_slot;
    fail_at         f = { 0, false };

    (void)unlink(vpath);
    CHECK_EQ_INT(sq_vault_create(vpath, "test", true, PASS, "owner"), SQ_OK);
    CHECK_EQ_INT(sq_vault_open(&v, vpath, true, PASS), SQ_OK);
    CHECK_EQ_INT(sq_vault_shares_create(v, 1, &g, 1, 32, false, NULL), SQ_OK);
    old_len = v->k->keyring.shares.secret_len;
    memcpy(old_ms, v->k->keyring.shares.master_secret, old_len);
    old_slot = v->k->keyring.shares.slot;
    CHECK_EQ_INT(slots_opened_by(old_ms, old_len), 2);          /* both areas */
    f.off = sq_header_slot_offset(0, old_slot);
    sq_io_set_hook(fail_slot_write, &f);
    CHECK_EQ_INT(sq_vault_shares_create(v, 1, &g, 1, 32, true, NULL), SQ_OK);
    sq_io_set_hook(NULL, NULL);
    CHECK(f.fired);
    CHECK(sq_vault_wipe_pending(v));
    sq_vault_close(v);
    /* the durable root says the slot is due; the bytes are still there */
    CHECK_EQ_INT(slots_opened_by(old_ms, old_len), 2);
    CHECK_EQ_INT(sq_vault_open_rawkey(&v, vpath, false, old_ms, old_len), SQ_ERR_AUTH);
    /* a read-only open changes nothing; a writable one finishes the wipe */
    CHECK_EQ_INT(sq_vault_open(&v, vpath, false, PASS), SQ_OK);
    sq_vault_close(v);
    CHECK_EQ_INT(slots_opened_by(old_ms, old_len), 2);
    CHECK_EQ_INT(sq_vault_open(&v, vpath, true, PASS), SQ_OK);
    CHECK_EQ_INT(slots_opened_by(old_ms, old_len), 0);
    CHECK(!sq_vault_wipe_pending(v));
    /* the index is free again once a keyring write records the wipe */
    sq_secret_view p2 = {(const uint8_t *)"another", 7};
    CHECK_EQ_INT(sq_vault_passphrase_add(v, p2, "x"), SQ_OK);
    sq_vault_close(v);
    CHECK_EQ_INT(sq_vault_open(&v, vpath, false, PASS), SQ_OK);
    CHECK_EQ_INT(v->k->keyring.shares.wipe_pending, 0);
    sq_vault_close(v);
    /* passphrase remove marks its slot too, and clears it once wiped */
    CHECK_EQ_INT(sq_vault_open(&v, vpath, true, PASS), SQ_OK);
    unsigned s2 = 99;
    for (size_t i = 0; i < sq_vault_ways_count(v); i++) {
        sq_way_in w;
        sq_vault_way_at(v, i, &w);
        if (w.passphrase && !w.current)
            s2 = w.slot;
    }
    CHECK(s2 < 64);
    f = (fail_at){ sq_header_slot_offset(1, s2), false };
    sq_io_set_hook(fail_slot_write, &f);
    CHECK_EQ_INT(sq_vault_passphrase_remove(v, (uint8_t)s2), SQ_ERR_IO);
    sq_io_set_hook(NULL, NULL);
    sq_vault_close(v);
    CHECK_EQ_INT(sq_vault_open(&v, vpath, false, PASS), SQ_OK);
    CHECK(v->k->keyring.shares.wipe_pending == (1ull << s2));
    sq_vault_close(v);
    CHECK_EQ_INT(sq_vault_open(&v, vpath, false, p2), SQ_ERR_AUTH);
    CHECK_EQ_INT(sq_vault_open(&v, vpath, true, PASS), SQ_OK);
    sq_vault_close(v);
    sodium_memzero(old_ms, sizeof old_ms);
}

int
main(void)
{
    sq_test_init("test_vault_shares");
    setenv("SANDYQ_INSECURE_TEST_KDF", "1", 1);
    CHECK_EQ_INT(sq_lib_init(), SQ_OK);
    snprintf(dir, sizeof dir, "%s", sq_test_tmpdir());
    snprintf(vpath, sizeof vpath, "%s/shares.sq", dir);
    test_create_and_open();
    test_certificates();
    test_rotate_and_rekey();
    test_wipe_after_failure();
    {
        char cmd[4200];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            CHECK(0);
    }
    return sq_test_done();
}
