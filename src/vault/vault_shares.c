/* vault_shares.c: a level's split-key share set (FORMAT.md 13, 17).
 *
 * The set's master secret is the raw key of one slot of the level; the
 * level keeps it, the layout and a seed in its keyring (the level's store
 * of secrets, encrypted under its own key and never exported with the
 * custody log), so it can re-print the exact shares later. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "sandyq/share_cert.h"
#include "sandyq/shares.h"
#include "sandyq/identity.h"
#include "util/bytes.h"
#include "util/random.h"
#include "util/secret.h"
#include "vault/vault_internal.h"

#define CREATION_EXPONENT 0        /* FORMAT.md 17: any SLIP-0039 tool recovers it quickly */

static void
fill_info(sq_share_set_info *out, const sq_share_state *sh)
{
    memset(out, 0, sizeof *out);
    out->id = sh->id;
    out->generation = sh->generation;
    out->created = sh->created;
    out->secret_len = sh->secret_len;
    out->exponent = sh->exponent;
    out->group_threshold = sh->group_threshold;
    out->group_count = sh->group_count;
    for (unsigned g = 0; g < sh->group_count; g++) {
        out->groups[g].member_threshold = sh->member_threshold[g];
        out->groups[g].member_count = sh->member_count[g];
    }
}

sq_err
sq_vault_shares_info(const sq_vault *v, sq_share_set_info *out)
{
    const sq_share_state *sh = &v->k->keyring.shares;

    fill_info(out, sh);
    if (sh->state != 1) {
        memset(out, 0, sizeof *out);
        out->generation = sh->generation;   /* the last set's, for messages */
        return SQ_ERR_NOTFOUND;
    }
    return SQ_OK;
}

bool
sq_shares_drop(sq_share_state *sh, int64_t now)
{
    uint32_t gen = sh->generation;

    if (sh->state != 1)
        return false;
    if (sh->n_superseded == SQ_SHARES_SUPERSEDED) {   /* the oldest goes */
        memmove(&sh->superseded[0], &sh->superseded[1], sizeof sh->superseded[0] * (SQ_SHARES_SUPERSEDED - 1));
        sh->n_superseded--;
    }
    sh->superseded[sh->n_superseded++] = (sq_share_superseded){ sh->id, gen, now };
    /* state 0: every field of the set zero but the generation (FORMAT.md 13) */
    sh->state = 0;
    sh->slot = 0;
    sh->id = 0;
    sh->exponent = 0;
    sh->secret_len = 0;
    sh->created = 0;
    sh->group_threshold = 0;
    sh->group_count = 0;
    sodium_memzero(sh->member_threshold, sizeof sh->member_threshold);
    sodium_memzero(sh->member_count, sizeof sh->member_count);
    sodium_memzero(sh->master_secret, sizeof sh->master_secret);
    sodium_memzero(sh->seed, sizeof sh->seed);
    sh->generation = gen;
    return true;
}

/* layout_of: the set's layout in the form sq_slip39_split takes */
static void
layout_of(sq_slip39_group groups[SQ_SLIP39_MAX_GROUPS], const sq_share_state *sh)
{
    memset(groups, 0, sizeof(sq_slip39_group) * SQ_SLIP39_MAX_GROUPS);
    for (unsigned g = 0; g < sh->group_count; g++) {
        groups[g].member_threshold = sh->member_threshold[g];
        groups[g].member_count = sh->member_count[g];
    }
}

static sq_err
record_made(sq_vault *v, const sq_share_state *sh, bool rotated)
{
    uint8_t   body[2 + 4 + 1 + 1 + 1 + 1 + 1 + 2 * SQ_SHARES_GROUPS];
    sq_writer w;

    sq_writer_init(&w, body, sizeof body);
    sq_write_u16(&w, sh->id);
    sq_write_u32(&w, sh->generation);
    sq_write_u8(&w, rotated ? 1 : 0);
    sq_write_u8(&w, sh->slot);
    sq_write_u8(&w, sh->secret_len);
    sq_write_u8(&w, sh->group_threshold);
    sq_write_u8(&w, sh->group_count);
    for (unsigned g = 0; g < sh->group_count; g++) {
        sq_write_u8(&w, sh->member_threshold[g]);
        sq_write_u8(&w, sh->member_count[g]);
    }
    if (!sq_writer_ok(&w))
        abort();
    return sq_stage_record(v, SQ_REC_SHARES_MADE, body, w.len);
}

/* fresh_id: a 15-bit identifier this level has not used lately, so that
 * a superseded share is told apart from a current one by its id alone */
static uint16_t
fresh_id(const sq_share_state *sh)
{
    for (;;) {
        uint16_t id = (uint16_t)sq_random_uniform(1u << 15);
        bool     used = sh->state == 1 && sh->id == id;

        for (unsigned i = 0; i < sh->n_superseded; i++)
            used |= sh->superseded[i].id == id;
        if (!used)
            return id;
    }
}

sq_err
sq_vault_shares_create(sq_vault *v, uint8_t group_threshold, const sq_slip39_group *groups,
                       size_t group_count, size_t secret_len, bool rotate, sq_slip39_detail *d)
{
    sq_keyring     *kr = &v->k->keyring;
    sq_share_state *next = NULL;                 /* secret: the new set */
    sq_slip39_set  *trial = NULL;
    sq_keyring_entry *e;
    char            label[SQ_MAX_LABEL_BYTES + 1];
    unsigned        slot, old_slot = 0;
    bool            had = kr->shares.state == 1;
    sq_err          ret;

    if (d != NULL)
        memset(d, 0, sizeof *d);
    if ((ret = sq_write_gate(v)) != SQ_OK)
        return ret;
    if (rotate && !had)
        return SQ_ERR_NOTFOUND;
    if (!rotate && had)
        return SQ_ERR_EXISTS;
    if (secret_len != 16 && secret_len != 32)
        return SQ_ERR_INVALID;
    if (group_count < 1 || group_count > SQ_SHARES_GROUPS) {
        if (d != NULL)
            d->problem = SQ_SLIP39_BAD_LAYOUT;
        return SQ_ERR_INVALID;
    }
    if (kr->count >= SQ_SLOT_COUNT)
        return SQ_ERR_LIMIT;
    if ((ret = sq_vault_identity_ensure(v)) != SQ_OK)   /* certificates need the key */
        return ret;
    if ((next = sq_secret_alloc(sizeof *next)) == NULL)
        return SQ_ERR_NOMEM;
    *next = kr->shares;
    if (had) {
        old_slot = kr->shares.slot;
        (void)sq_shares_drop(next, sq_now());
    }
    if (next->generation == UINT32_MAX) {
        ret = SQ_ERR_LIMIT;
        goto out;
    }
    next->state = 1;
    next->id = fresh_id(next);
    next->exponent = CREATION_EXPONENT;
    next->secret_len = (uint8_t)secret_len;
    next->generation++;
    next->created = sq_now();
    next->group_threshold = group_threshold;
    next->group_count = (uint8_t)group_count;
    for (size_t g = 0; g < group_count; g++) {
        next->member_threshold[g] = groups[g].member_threshold;
        next->member_count[g] = groups[g].member_count;
    }
    sq_random_buf(next->master_secret, secret_len);
    sq_random_buf(next->seed, sizeof next->seed);
    /* the layout is checked by the split itself, before anything is written */
    if ((ret = sq_slip39_split_seeded(&trial, next->master_secret, secret_len, next->id,
                                      group_threshold, groups, group_count, next->exponent,
                                      next->seed, d)) != SQ_OK)
        goto out;
    /* the new slot is durable before the root that lists it (FORMAT.md 13) */
    slot = sq_free_slot_index(v);
    next->slot = (uint8_t)slot;
    snprintf(label, sizeof label, "shares: set %u, generation %u", (unsigned)next->id,
             (unsigned)next->generation);
    e = &kr->entries[kr->count];
    if ((ret = sq_make_rawkey_way_in(v, e, slot, next->master_secret, secret_len, label,
                                     &v->k->plain)) != SQ_OK)
        goto out;
    if ((ret = sq_write_slot(v, slot)) != SQ_OK)
        goto out;
    kr->count++;
    v->keyring_dirty = true;
    if ((ret = sq_record_slot(v, SQ_REC_SLOT_ADDED, e)) != SQ_OK)
        goto out;
    if (had && (ret = sq_keyring_remove_slot(v, (uint8_t)old_slot)) != SQ_OK)
        goto out;
    next->wipe_pending = kr->shares.wipe_pending;   /* the old slot's, just marked */
    kr->shares = *next;
    if ((ret = record_made(v, next, had)) != SQ_OK)
        goto out;
    if ((ret = sq_vault_commit(v)) != SQ_OK)
        goto out;
    /* the old set's slot stops opening anything once the root without it
     * is durable; the root marks it wipe_pending, so if this overwrite
     * fails, the next writable open does it (FORMAT.md 13). The new set is
     * in force either way: the caller must hand it out. */
    if (had)
        (void)sq_retire_slot(v, old_slot);
    ret = SQ_OK;
out:
    sq_slip39_set_free(trial);
    sq_secret_free(next, sizeof *next);
    return ret;
}

sq_err
sq_vault_shares_mnemonics(const sq_vault *v, sq_slip39_set **out)
{
    const sq_share_state *sh = &v->k->keyring.shares;
    sq_slip39_group       groups[SQ_SLIP39_MAX_GROUPS];

    *out = NULL;
    if (sh->state != 1)
        return SQ_ERR_NOTFOUND;
    layout_of(groups, sh);
    return sq_slip39_split_seeded(out, sh->master_secret, sh->secret_len, sh->id, sh->group_threshold,
                                  groups, sh->group_count, sh->exponent, sh->seed, NULL);
}

sq_err
sq_vault_shares_note_reissue(sq_vault *v, unsigned g, unsigned member, bool added)
{
    const sq_share_state *sh = &v->k->keyring.shares;
    uint8_t               body[9];
    sq_writer             w;

    if (sh->state != 1)
        return SQ_ERR_NOTFOUND;
    sq_writer_init(&w, body, sizeof body);
    sq_write_u16(&w, sh->id);
    sq_write_u32(&w, sh->generation);
    sq_write_u8(&w, (uint8_t)g);
    sq_write_u8(&w, (uint8_t)member);
    sq_write_u8(&w, added ? 1 : 0);
    return sq_stage_record(v, SQ_REC_SHARE_REISSUED, body, w.len);
}

sq_err
sq_vault_shares_add_member(sq_vault *v, unsigned g, unsigned *member)
{
    sq_share_state *sh = &v->k->keyring.shares;
    sq_err          ret;

    if ((ret = sq_write_gate(v)) != SQ_OK)
        return ret;
    if (sh->state != 1)
        return SQ_ERR_NOTFOUND;
    if (g >= sh->group_count || sh->member_threshold[g] == 1)
        return SQ_ERR_INVALID;
    if (sh->member_count[g] >= SQ_SLIP39_MAX_MEMBERS)
        return SQ_ERR_LIMIT;
    *member = sh->member_count[g];
    sh->member_count[g]++;
    v->keyring_dirty = true;
    if ((ret = sq_vault_shares_note_reissue(v, g, *member, true)) != SQ_OK)
        return ret;
    return sq_vault_commit(v);
}

/* level_signing: the fingerprint text and the share-certificate key pair */
static sq_err
level_signing(const sq_vault *v, char fpr[SQ_SHARE_FPR_CHARS + 1], uint8_t pk[32], uint8_t *sk)
{
    sq_level_public pub;
    sq_err          ret;

    if ((ret = sq_vault_identity_public(v, &pub)) != SQ_OK)
        return ret;
    if ((ret = sq_identity_fingerprint(fpr, SQ_SHARE_FPR_CHARS + 1, pub.x25519,
                                       pub.ed25519[SQ_KEY_EXPORT])) != SQ_OK)
        return ret;
    if (crypto_sign_seed_keypair(pk, sk, v->k->keyring.identity.ed25519_seed[SQ_KEY_SHARES]) != 0)
        return SQ_ERR_INVALID;
    return SQ_OK;
}

sq_err
sq_vault_shares_certificate(const sq_vault *v, unsigned g, unsigned m, char *out, size_t cap,
                            size_t *len)
{
    const sq_share_state *sh = &v->k->keyring.shares;
    sq_slip39_set        *set = NULL;
    sq_share_cert         c;
    uint8_t              *sk = NULL;
    sq_err                ret;

    *len = 0;
    if (sh->state != 1)
        return SQ_ERR_NOTFOUND;
    if (g >= sh->group_count || m >= sh->member_count[g])
        return SQ_ERR_INVALID;
    memset(&c, 0, sizeof c);
    if ((sk = sq_secret_alloc(crypto_sign_SECRETKEYBYTES)) == NULL)
        return SQ_ERR_NOMEM;
    if ((ret = level_signing(v, c.fingerprint, c.key_pk, sk)) != SQ_OK)
        goto out;
    if ((ret = sq_vault_shares_mnemonics(v, &set)) != SQ_OK)
        goto out;
    ret = SQ_ERR_INVALID;
    for (size_t i = 0; i < sq_slip39_set_count(set); i++) {
        unsigned    gi, mi;
        const char *text = sq_slip39_set_mnemonic(set, i, &gi, &mi);

        if (gi == g && mi == m) {
            sq_share_hash(c.share_hash, text, strlen(text));
            ret = SQ_OK;
        }
    }
    if (ret != SQ_OK)
        goto out;
    c.id = sh->id;
    c.generation = sh->generation;
    c.group_index = (uint8_t)g;
    c.group_count = sh->group_count;
    c.group_threshold = sh->group_threshold;
    c.member_index = (uint8_t)m;
    c.member_threshold = sh->member_threshold[g];
    c.length = sh->secret_len;
    c.issued = sq_now();
    ret = sq_share_cert_sign(out, cap, len, &c, sk);
out:
    sq_slip39_set_free(set);
    sq_secret_free(sk, crypto_sign_SECRETKEYBYTES);
    return ret;
}

sq_err
sq_vault_shares_statement(const sq_vault *v, char *out, size_t cap, size_t *len)
{
    const sq_share_state *sh = &v->k->keyring.shares;
    sq_share_statement    st;
    char                  fpr[SQ_SHARE_FPR_CHARS + 1];
    uint8_t               pk[32], *sk = NULL;
    sq_err                ret;

    *len = 0;
    memset(&st, 0, sizeof st);
    if ((sk = sq_secret_alloc(crypto_sign_SECRETKEYBYTES)) == NULL)
        return SQ_ERR_NOMEM;
    if ((ret = level_signing(v, fpr, pk, sk)) != SQ_OK)
        goto out;
    st.current = sh->state == 1;
    st.id = st.current ? sh->id : 0;
    st.generation = sh->generation;
    st.issued = sq_now();
    ret = sq_share_statement_sign(out, cap, len, &st, pk, sk);
out:
    sq_secret_free(sk, crypto_sign_SECRETKEYBYTES);
    return ret;
}

sq_err
sq_vault_shares_classify(const sq_vault *v, const sq_slip39_share *share, sq_share_status *out)
{
    const sq_share_state *sh = &v->k->keyring.shares;
    sq_slip39_set        *set = NULL;
    char                 *text = NULL;
    sq_err                ret = SQ_OK;

    memset(out, 0, sizeof *out);
    out->verdict = SQ_SHARE_FOREIGN;
    if (sh->state == 1 && share->id == sh->id) {
        out->generation = sh->generation;
        out->verdict = SQ_SHARE_ALTERED;
        if ((text = sq_secret_alloc(SQ_SLIP39_MNEMONIC_CAP)) == NULL)
            return SQ_ERR_NOMEM;
        if (sq_slip39_share_text(text, share) != SQ_OK)
            goto out;
        if ((ret = sq_vault_shares_mnemonics(v, &set)) != SQ_OK)
            goto out;
        /* the same group and member, every word the same (the share's text
         * is compared in constant time: it is secret) */
        for (size_t i = 0; i < sq_slip39_set_count(set); i++) {
            unsigned    g, m;
            const char *mine = sq_slip39_set_mnemonic(set, i, &g, &m);

            if (g == share->group_index && m == share->member_index &&
                sodium_memcmp(mine, text, SQ_SLIP39_MNEMONIC_CAP) == 0)
                out->verdict = SQ_SHARE_CURRENT;
        }
        goto out;
    }
    for (unsigned i = 0; i < sh->n_superseded; i++) {
        if (sh->superseded[i].id == share->id) {
            out->verdict = SQ_SHARE_SUPERSEDED;
            out->generation = sh->superseded[i].generation;
            out->ended = sh->superseded[i].ended;
        }
    }
out:
    sq_slip39_set_free(set);
    sq_secret_free(text, SQ_SLIP39_MNEMONIC_CAP);
    return ret;
}

bool
sq_vault_wipe_pending(const sq_vault *v)
{
    return v->k->keyring.shares.wipe_pending != 0;
}
