/* slots.c: see slots.h and docs/FORMAT.md sections 3-4. */
#include "vault/slots.h"

#include <sodium.h>
#include <string.h>

#include "crypto/kdf.h"
#include "crypto/nonce_log.h"
#include "util/bytes.h"
#include "util/random.h"

#define SLOT_NONCE 24
#define SLOT_WRAP  (SQ_SLOT_PLAIN_BYTES + 16)
#define SLOT_CMT   32

const uint8_t *
sq_header_salt(const sq_header *h, int area)
{
    return h->bytes + (area == 0 ? SQ_SALT_A_OFFSET : SQ_SALT_B_OFFSET);
}

uint64_t
sq_header_slot_offset(int area, unsigned i)
{
    return (area == 0 ? SQ_AREA_A_OFFSET : SQ_AREA_B_OFFSET) + (uint64_t)i * SQ_SLOT_BYTES;
}

uint8_t *
sq_header_slot(sq_header *h, int area, unsigned i)
{
    return h->bytes + sq_header_slot_offset(area, i);
}

const uint8_t *
sq_header_slot_c(const sq_header *h, int area, unsigned i)
{
    return h->bytes + sq_header_slot_offset(area, i);
}

/* H(a, label || salt || LE32(i)) */
static void
slot_derive(uint8_t out[32], const uint8_t a[32], const char *label, const uint8_t salt[32], unsigned i)
{
    crypto_generichash_state st;
    uint8_t le[4];

    sq_store_le32(le, i);
    crypto_generichash_init(&st, a, 32, 32);
    crypto_generichash_update(&st, (const uint8_t *)label, strlen(label));
    crypto_generichash_update(&st, salt, SQ_SALT_BYTES);
    crypto_generichash_update(&st, le, 4);
    crypto_generichash_final(&st, out, 32);
    sodium_memzero(&st, sizeof st);
}

void
sq_slot_keys(uint8_t kek[32], uint8_t kcmt[32], const uint8_t a[32], const uint8_t salt[32], unsigned i)
{
    slot_derive(kek, a, "sandyq/v1/slot-kek", salt, i);
    slot_derive(kcmt, a, "sandyq/v1/slot-commit", salt, i);
}

static void
slot_ad(uint8_t ad[14 + 32 + 4], const uint8_t salt[32], unsigned i)
{
    memcpy(ad, "sandyq/v1/slot", 14);
    memcpy(ad + 14, salt, 32);
    sq_store_le32(ad + 46, i);
}

static void
slot_commitment(uint8_t out[32], const uint8_t slot[SQ_SLOT_BYTES], const uint8_t kcmt[32],
                const uint8_t salt[32], unsigned i)
{
    static const char label[] = "sandyq/v1/commit";
    crypto_generichash_state st;
    uint8_t le[4];

    sq_store_le32(le, i);
    crypto_generichash_init(&st, kcmt, 32, 32);
    crypto_generichash_update(&st, (const uint8_t *)label, sizeof label - 1);
    crypto_generichash_update(&st, salt, SQ_SALT_BYTES);
    crypto_generichash_update(&st, le, 4);
    crypto_generichash_update(&st, slot, SLOT_NONCE + SLOT_WRAP);
    crypto_generichash_final(&st, out, 32);
    sodium_memzero(&st, sizeof st);        /* keyed state: holds the commitment key */
}

static void
plain_encode(uint8_t buf[SQ_SLOT_PLAIN_BYTES], const sq_slot_plain *p)
{
    memcpy(buf, p->level_key, 32);
    for (int k = 0; k < 4; k++)
        sq_store_le64(buf + 32 + 8 * k, p->anchors[k]);
}

void
sq_slot_wrap(uint8_t slot[SQ_SLOT_BYTES], const sq_slot_plain *plain, const uint8_t kek[32],
             const uint8_t kcmt[32], const uint8_t salt[32], unsigned i)
{
    uint8_t buf[SQ_SLOT_PLAIN_BYTES];   /* secret: wiped below */
    uint8_t ad[50];

    plain_encode(buf, plain);
    slot_ad(ad, salt, i);
    sq_random_buf(slot, SLOT_NONCE);
    sq_nonce_log_use(kek, 32, slot, SLOT_NONCE);
    crypto_aead_xchacha20poly1305_ietf_encrypt(slot + SLOT_NONCE, NULL, buf, sizeof buf, ad,
                                               sizeof ad, NULL, slot, kek);
    slot_commitment(slot + SLOT_NONCE + SLOT_WRAP, slot, kcmt, salt, i);
    sodium_memzero(buf, sizeof buf);
}

bool
sq_slot_committed(const uint8_t slot[SQ_SLOT_BYTES], const uint8_t kcmt[32], const uint8_t salt[32],
                  unsigned i)
{
    uint8_t c[32];

    slot_commitment(c, slot, kcmt, salt, i);
    return sodium_memcmp(c, slot + SLOT_NONCE + SLOT_WRAP, 32) == 0;
}

sq_err
sq_slot_unwrap(sq_slot_plain *plain, const uint8_t slot[SQ_SLOT_BYTES], const uint8_t kek[32],
               const uint8_t salt[32], unsigned i)
{
    uint8_t buf[SQ_SLOT_PLAIN_BYTES];   /* secret: wiped below */
    uint8_t ad[50];
    sq_err  ret = SQ_ERR_AUTH;

    slot_ad(ad, salt, i);
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(buf, NULL, NULL, slot + SLOT_NONCE, SLOT_WRAP,
                                                   ad, sizeof ad, slot, kek) != 0)
        goto out;
    memcpy(plain->level_key, buf, 32);
    for (int k = 0; k < 4; k++)
        plain->anchors[k] = sq_load_le64(buf + 32 + 8 * k);
    ret = SQ_OK;
out:
    sodium_memzero(buf, sizeof buf);
    return ret;
}

unsigned
sq_slot_scan(sq_slot_plain plains[SQ_SLOT_COUNT], bool found[SQ_SLOT_COUNT], const sq_header *h,
             int area, const uint8_t a[32])
{
    uint8_t        kek[32], kcmt[32];     /* secret: wiped below */
    bool           committed[SQ_SLOT_COUNT];
    const uint8_t *salt = sq_header_salt(h, area);
    unsigned       opened = 0;

    /* Every commitment is computed before any AEAD call, with no early exit:
     * the time of this loop does not depend on which slot (if any) matches. */
    for (unsigned i = 0; i < SQ_SLOT_COUNT; i++) {
        sq_slot_keys(kek, kcmt, a, salt, i);
        committed[i] = sq_slot_committed(sq_header_slot_c(h, area, i), kcmt, salt, i);
    }
    unsigned attempts = 0;
    for (unsigned i = 0; i < SQ_SLOT_COUNT; i++) {
        found[i] = false;
        if (!committed[i])
            continue;
        attempts++;
        sq_slot_keys(kek, kcmt, a, salt, i);
        if (sq_slot_unwrap(&plains[i], sq_header_slot_c(h, area, i), kek, salt, i) == SQ_OK) {
            found[i] = true;
            opened++;
        }
    }
    if (attempts == 0) {
        /* no commitment matched: still pay for one AEAD open (which fails on
         * the commitment-less slot 0), so "no match" costs what "one match"
         * costs (bench/unlock_timing.sh) */
        sq_slot_plain dummy;
        sq_slot_keys(kek, kcmt, a, salt, 0);
        (void)sq_slot_unwrap(&dummy, sq_header_slot_c(h, area, 0), kek, salt, 0);
        sodium_memzero(&dummy, sizeof dummy);
    }
    sodium_memzero(kek, sizeof kek);
    sodium_memzero(kcmt, sizeof kcmt);
    return opened;
}

sq_err
sq_slot_a_passphrase(uint8_t a[32], int profile, const uint8_t *pass, size_t pass_len,
                     const uint8_t salt[32])
{
    return sq_kdf_derive(a, (sq_kdf_profile)profile, pass, pass_len, salt);
}

void
sq_slot_a_rawkey(uint8_t a[32], const uint8_t *key, size_t key_len, const uint8_t salt[32])
{
    static const char label[] = "sandyq/v1/raw-key";
    crypto_generichash_state st;

    crypto_generichash_init(&st, key, key_len, 32);
    crypto_generichash_update(&st, (const uint8_t *)label, sizeof label - 1);
    crypto_generichash_update(&st, salt, SQ_SALT_BYTES);
    crypto_generichash_final(&st, a, 32);
    sodium_memzero(&st, sizeof st);
}

void
sq_slots_mac(uint8_t out[32], const uint8_t kslotmac[32], const sq_header *h, uint64_t owned_mask)
{
    static const char label[] = "sandyq/v1/slots";
    crypto_generichash_state st;
    uint8_t le[4];

    crypto_generichash_init(&st, kslotmac, 32, 32);
    crypto_generichash_update(&st, (const uint8_t *)label, sizeof label - 1);
    for (unsigned i = 0; i < SQ_SLOT_COUNT; i++) {
        if (!(owned_mask & (1ull << i)))
            continue;
        sq_store_le32(le, i);
        crypto_generichash_update(&st, le, 4);
        crypto_generichash_update(&st, sq_header_slot_c(h, 0, i), SQ_SLOT_BYTES);
        crypto_generichash_update(&st, sq_header_slot_c(h, 1, i), SQ_SLOT_BYTES);
    }
    crypto_generichash_final(&st, out, 32);
    sodium_memzero(&st, sizeof st);
}
