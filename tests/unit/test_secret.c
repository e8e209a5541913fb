/* test_secret.c: the guarded arena allocator. */
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"
#include "util/random.h"
#include "util/secret.h"

#define MANY 20000

typedef struct {
    uint8_t *p;
    size_t   len;
} obj;

static bool
filled(const uint8_t *p, size_t len, uint8_t v)
{
    for (size_t i = 0; i < len; i++) {
        if (p[i] != v)
            return false;
    }
    return true;
}

/* more live objects than sodium_malloc alone survives (~16,000 regions) */
static void
test_many(void)
{
    obj  *o = calloc(MANY, sizeof *o);
    bool  ok = true, aligned = true, zeroed = true, intact = true;

    CHECK(o != NULL);
    if (o == NULL)
        return;
    for (size_t i = 0; i < MANY; i++) {
        o[i].len = 1 + (size_t)sq_random_uniform(128);
        o[i].p = sq_secret_alloc(o[i].len);
        if (o[i].p == NULL) {
            ok = false;
            break;
        }
        aligned &= ((uintptr_t)o[i].p % 16) == 0;
        zeroed &= sodium_is_zero(o[i].p, o[i].len) == 1;
        memset(o[i].p, (int)(i % 251) + 1, o[i].len);
    }
    CHECK(ok);
    CHECK(aligned);
    CHECK(zeroed);
    for (size_t i = 0; ok && i < MANY; i++)     /* no two objects overlap */
        intact &= filled(o[i].p, o[i].len, (uint8_t)(i % 251 + 1));
    CHECK(intact);
    /* free every other one, reallocate in the holes, check again */
    for (size_t i = 0; ok && i < MANY; i += 2) {
        sq_secret_free(o[i].p, o[i].len);
        o[i].len = 1 + (size_t)sq_random_uniform(48);
        o[i].p = sq_secret_alloc(o[i].len);
        ok &= o[i].p != NULL && sodium_is_zero(o[i].p, o[i].len);
        if (o[i].p != NULL)
            memset(o[i].p, (int)(i % 251) + 1, o[i].len);
    }
    CHECK(ok);
    intact = true;
    for (size_t i = 0; ok && i < MANY; i++)
        intact &= filled(o[i].p, o[i].len, (uint8_t)(i % 251 + 1));
    CHECK(intact);
    for (size_t i = 0; i < MANY; i++)
        sq_secret_free(o[i].p, o[i].len);
    free(o);
}

/* freed memory is wiped: the next allocation of the same place is zero
 * (sq_secret_alloc does not clear; it checks that free memory is zero) */
static void
test_wipe_on_free(void)
{
    uint8_t *a, *b;

    sq_secret_shutdown();
    CHECK(sq_secret_init());
    CHECK(sq_secret_init());                    /* idempotent */
    a = sq_secret_alloc(64);
    CHECK(a != NULL);
    if (a == NULL)
        return;
    memset(a, 0xaa, 64);
    sq_secret_free(a, 64);
    b = sq_secret_alloc(64);
    CHECK(b == a);                              /* first fit: the same granules */
    CHECK(b != NULL && sodium_is_zero(b, 64));
    memset(b, 0xbb, 64);
    sq_secret_free(b, 64);
    /* a smaller request inside the same freed space, and a larger one over it */
    b = sq_secret_alloc(5);
    CHECK(b == a && sodium_is_zero(b, 16));
    sq_secret_free(b, 5);
    b = sq_secret_alloc(200);
    CHECK(b == a && b != NULL && sodium_is_zero(b, 200));
    sq_secret_free(b, 200);
    sq_secret_free(NULL, 10);                   /* NULL is ignored */
}

static void
test_zero_len(void)
{
    uint8_t *a = sq_secret_alloc(0), *b = sq_secret_alloc(0);

    CHECK(a != NULL && b != NULL && a != b);
    sq_secret_free(a, 0);
    sq_secret_free(b, 0);
}

static void
test_large(void)
{
    uint8_t *big, *max, *small;

    CHECK(sq_secret_alloc(SQ_SECRET_MAX_ALLOC + 1) == NULL);
    CHECK(sq_secret_alloc(SIZE_MAX) == NULL);
    big = sq_secret_alloc((5u << 20) + 3);          /* its own 6 MiB arena */
    CHECK(big != NULL && ((uintptr_t)big % 16) == 0);
    if (big != NULL) {
        CHECK(sodium_is_zero(big, (5u << 20) + 3));
        memset(big, 0x11, (5u << 20) + 3);
    }
    max = sq_secret_alloc(SQ_SECRET_MAX_ALLOC);     /* a 64 MiB arena */
    CHECK(max != NULL);
    if (max != NULL) {
        memset(max, 0x22, SQ_SECRET_MAX_ALLOC);
        max[SQ_SECRET_MAX_ALLOC - 1] = 0x23;        /* the very last byte is usable */
    }
    small = sq_secret_alloc(32);
    CHECK(small != NULL);
    CHECK(big == NULL || filled(big, (5u << 20) + 3, 0x11));
    sq_secret_free(max, SQ_SECRET_MAX_ALLOC);
    sq_secret_free(big, (5u << 20) + 3);
    sq_secret_free(small, 32);
    /* the space of a freed large object is reusable and zero */
    big = sq_secret_alloc(SQ_SECRET_MAX_ALLOC);
    CHECK(big != NULL && sodium_is_zero(big, SQ_SECRET_MAX_ALLOC));
    sq_secret_free(big, SQ_SECRET_MAX_ALLOC);
}

/* at most SQ_SECRET_MAX_ARENAS arenas: then NULL, not a crash */
static void
test_exhaustion(void)
{
    void  *p[SQ_SECRET_MAX_ARENAS + 1];
    size_t n = 0;

    sq_secret_shutdown();
    while (n < SQ_SECRET_MAX_ARENAS + 1 && (p[n] = sq_secret_alloc(SQ_SECRET_ARENA_BYTES)) != NULL)
        n++;
    CHECK_EQ_INT(n, SQ_SECRET_MAX_ARENAS);         /* one whole arena each */
    CHECK(sq_secret_alloc(16) == NULL);
    sq_secret_free(p[10], SQ_SECRET_ARENA_BYTES);
    CHECK((p[10] = sq_secret_alloc(16)) != NULL);  /* space returns after a free */
    sq_secret_free(p[10], 16);
    for (size_t i = 0; i < n; i++) {
        if (i != 10)
            sq_secret_free(p[i], SQ_SECRET_ARENA_BYTES);
    }
    sq_secret_shutdown();
    CHECK(sq_secret_init());
}

/* misuse aborts: run each case in a child */
static void
expect_abort(void (*fn)(void))
{
    pid_t pid = fork();
    int   st = 0;

    if (pid == 0) {
        fn();
        _exit(0);                                   /* reaching here is the failure */
    }
    CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
}

static void
misuse_foreign(void)
{
    static uint8_t not_ours[32];

    sq_secret_free(not_ours, sizeof not_ours);
}

static void
misuse_double(void)
{
    void *p = sq_secret_alloc(32);

    sq_secret_free(p, 32);
    sq_secret_free(p, 32);
}

static void
misuse_short_len(void)
{
    void *p = sq_secret_alloc(64);
    void *q = sq_secret_alloc(64);

    (void)q;
    sq_secret_free(p, 32);
}

static void
misuse_long_len(void)
{
    void *p = sq_secret_alloc(32);
    void *q = sq_secret_alloc(32);

    (void)q;
    sq_secret_free(p, 64);
}

static void
misuse_interior(void)
{
    uint8_t *p = sq_secret_alloc(64);

    sq_secret_free(p + 16, 48);
}

static void
misuse_write_after_free(void)
{
    uint8_t *p = sq_secret_alloc(64);

    sq_secret_free(p, 64);
    p[3] = 1;                                       /* caught at the next reuse */
    (void)sq_secret_alloc(64);
}

#define PER_THREAD 20000

static void *
churn(void *arg)
{
    bool *ok = arg;

    for (int i = 0; i < PER_THREAD; i++) {
        size_t   len = 1 + (size_t)(i % 200);
        uint8_t *p = sq_secret_alloc(len);

        if (p == NULL || !sodium_is_zero(p, len)) {
            *ok = false;
            return NULL;
        }
        memset(p, 0x5a, len);
        sq_secret_free(p, len);
    }
    return NULL;
}

static void
test_threads(void)
{
    pthread_t t1, t2;
    bool      ok1 = true, ok2 = true;

    pthread_create(&t1, NULL, churn, &ok1);
    pthread_create(&t2, NULL, churn, &ok2);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    CHECK(ok1 && ok2);
}

int
main(void)
{
    sq_test_init("test_secret");
    CHECK(sq_secret_init());
    test_many();
    test_wipe_on_free();
    test_zero_len();
    test_large();
    test_exhaustion();
    test_threads();
    expect_abort(misuse_foreign);
    expect_abort(misuse_double);
    expect_abort(misuse_short_len);
    expect_abort(misuse_long_len);
    expect_abort(misuse_interior);
    expect_abort(misuse_write_after_free);
    sq_secret_shutdown();
    /* after shutdown the allocator starts again on demand */
    {
        void *p = sq_secret_alloc(10);
        CHECK(p != NULL);
        sq_secret_free(p, 10);
    }
    sq_secret_shutdown();
    return sq_test_done();
}
