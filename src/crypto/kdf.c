/* kdf.c: Argon2id through libargon2's argon2_ctx with our own allocator. */
#include "crypto/kdf.h"

#include <argon2.h>
#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef struct {
    const char *name;
    uint32_t    m_kib;
    uint32_t    t;
} kdf_row;

/* indexed by sq_kdf_profile; part of the format (kdf.h) */
static const kdf_row profiles[] = {
    [SQ_KDF_TEST]     = { "test", 8u << 10, 1 },
    [SQ_KDF_STANDARD] = { "standard", 256u << 10, 3 },
    [SQ_KDF_STRONG]   = { "strong", 1024u << 10, 3 },
};
#define N_PROFILES (sizeof profiles / sizeof profiles[0])

static bool
profile_ok(sq_kdf_profile p)
{
    return (unsigned)p < N_PROFILES;
}

const char *
sq_kdf_profile_name(sq_kdf_profile p)
{
    return profile_ok(p) ? profiles[p].name : "unknown";
}

bool
sq_kdf_profile_parse(sq_kdf_profile *out, const char *name)
{
    for (unsigned i = 0; i < N_PROFILES; i++) {
        if (strcmp(name, profiles[i].name) == 0) {
            *out = (sq_kdf_profile)i;
            return true;
        }
    }
    return false;
}

bool
sq_kdf_test_allowed(void)
{
    const char *v = getenv("SANDYQ_INSECURE_TEST_KDF");

    return v != NULL && strcmp(v, "1") == 0;
}

size_t
sq_kdf_memory_bytes(sq_kdf_profile p)
{
    return profile_ok(p) ? (size_t)profiles[p].m_kib << 10 : 0;
}

/* Argon2 memory is a function of the passphrase: keep it out of core dumps
 * (MADV_DONTDUMP) and out of the heap, so it is returned to the kernel, not
 * recycled in-process, once wiped. Huge pages cut TLB misses for 1 GiB. */
static int
kdf_alloc(uint8_t **memory, size_t bytes)
{
    void *p;

    *memory = NULL;
    p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return ARGON2_MEMORY_ALLOCATION_ERROR;
    if (madvise(p, bytes, MADV_DONTDUMP) != 0) {
        munmap(p, bytes);              /* fail closed rather than dumpable */
        return ARGON2_MEMORY_ALLOCATION_ERROR;
    }
    /* EINVAL: kernel without transparent huge pages; only a speed loss */
    if (madvise(p, bytes, MADV_HUGEPAGE) != 0 && errno != EINVAL) {
        munmap(p, bytes);
        return ARGON2_MEMORY_ALLOCATION_ERROR;
    }
    *memory = p;
    return ARGON2_OK;
}

static void
kdf_free(uint8_t *memory, size_t bytes)
{
    if (memory == NULL)
        return;
    /* libargon2 already wipes when its global FLAG_clear_internal_memory is
     * set (the default); wipe here too so that does not depend on a global */
    sodium_memzero(memory, bytes);
    munmap(memory, bytes);
}

/* The test memo (kdf.h: only tests turn it on). A slot is keyed by
 * H(profile || LE64(pass_len) || pass || salt) rather than the passphrase
 * itself, compared in constant time, and least recently used goes first. */
#define MEMO_ENTRIES 32   /* the power-loss replay opens with 4 passphrases x 2 salts */

typedef struct {
    bool     full;
    uint64_t last_use;
    uint8_t  key[32];                  /* secret-derived: wiped when the memo goes off */
    uint8_t  out[SQ_KDF_OUTBYTES];     /* secret: wiped when the memo goes off */
} memo_entry;

static struct {
    bool       on;
    uint64_t   clock;
    memo_entry e[MEMO_ENTRIES];
} memo;

void
sq_kdf_test_memo(bool on)
{
    sodium_memzero(&memo, sizeof memo);
    memo.on = on;
}

static void
memo_key(uint8_t key[32], sq_kdf_profile p, const uint8_t *pass, size_t pass_len,
         const uint8_t salt[SQ_KDF_SALTBYTES])
{
    crypto_generichash_state st;
    uint8_t                  head[9];

    head[0] = (uint8_t)p;
    for (int i = 0; i < 8; i++)
        head[1 + i] = (uint8_t)((uint64_t)pass_len >> (8 * i));
    crypto_generichash_init(&st, NULL, 0, 32);
    crypto_generichash_update(&st, head, sizeof head);
    if (pass_len > 0)
        crypto_generichash_update(&st, pass, pass_len);
    crypto_generichash_update(&st, salt, SQ_KDF_SALTBYTES);
    crypto_generichash_final(&st, key, 32);
    sodium_memzero(&st, sizeof st);
}

static memo_entry *
memo_find(const uint8_t key[32])
{
    for (unsigned i = 0; i < MEMO_ENTRIES; i++)
        if (memo.e[i].full && sodium_memcmp(memo.e[i].key, key, 32) == 0)
            return &memo.e[i];
    return NULL;
}

static void
memo_put(const uint8_t key[32], const uint8_t out[SQ_KDF_OUTBYTES])
{
    memo_entry *victim = &memo.e[0];

    for (unsigned i = 0; i < MEMO_ENTRIES; i++) {
        if (!memo.e[i].full) {
            victim = &memo.e[i];
            break;
        }
        if (memo.e[i].last_use < victim->last_use)
            victim = &memo.e[i];
    }
    victim->full = true;
    victim->last_use = ++memo.clock;
    memcpy(victim->key, key, 32);
    memcpy(victim->out, out, SQ_KDF_OUTBYTES);
}

static uint32_t
kdf_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    if (n < 1)
        return 1;
    return n > SQ_KDF_LANES ? SQ_KDF_LANES : (uint32_t)n;
}

sq_err
sq_kdf_derive(uint8_t out[SQ_KDF_OUTBYTES], sq_kdf_profile p, const uint8_t *pass, size_t pass_len,
              const uint8_t salt[SQ_KDF_SALTBYTES])
{
    uint8_t        salt_copy[SQ_KDF_SALTBYTES]; /* not secret: argon2_context wants non-const */
    uint8_t        mkey[32];           /* test memo only; wiped below */
    memo_entry    *hit;
    argon2_context ctx;
    sq_err         ret = SQ_ERR_INVALID;
    int            rc;

    sodium_memzero(out, SQ_KDF_OUTBYTES);
    if (!profile_ok(p) || (p == SQ_KDF_TEST && !sq_kdf_test_allowed()))
        goto out;                      /* the test profile is never used by accident */
    if (pass_len > ARGON2_MAX_PWD_LENGTH || (pass == NULL && pass_len != 0))
        goto out;
    if (memo.on) {
        memo_key(mkey, p, pass, pass_len, salt);
        if ((hit = memo_find(mkey)) != NULL) {
            memcpy(out, hit->out, SQ_KDF_OUTBYTES);
            hit->last_use = ++memo.clock;
            ret = SQ_OK;
            goto out;
        }
    }
    memcpy(salt_copy, salt, sizeof salt_copy);
    memset(&ctx, 0, sizeof ctx);
    ctx.out = out;
    ctx.outlen = SQ_KDF_OUTBYTES;
    ctx.pwd = (uint8_t *)(uintptr_t)pass; /* read only: ARGON2_FLAG_CLEAR_PASSWORD is not set */
    ctx.pwdlen = (uint32_t)pass_len;
    ctx.salt = salt_copy;
    ctx.saltlen = sizeof salt_copy;
    ctx.t_cost = profiles[p].t;
    ctx.m_cost = profiles[p].m_kib;
    ctx.lanes = SQ_KDF_LANES;
    ctx.threads = kdf_threads();
    ctx.version = ARGON2_VERSION_13;
    ctx.allocate_cbk = kdf_alloc;
    ctx.free_cbk = kdf_free;
    ctx.flags = ARGON2_DEFAULT_FLAGS;
    rc = argon2_ctx(&ctx, Argon2_id);
    if (rc == ARGON2_OK) {
        ret = SQ_OK;
        if (memo.on)
            memo_put(mkey, out);
    } else if (rc == ARGON2_MEMORY_ALLOCATION_ERROR || rc == ARGON2_THREAD_FAIL) {
        ret = SQ_ERR_NOMEM;
    } else {
        ret = SQ_ERR_INVALID;
    }
out:
    sodium_memzero(mkey, sizeof mkey);
    if (ret != SQ_OK)
        sodium_memzero(out, SQ_KDF_OUTBYTES);
    return ret;
}
