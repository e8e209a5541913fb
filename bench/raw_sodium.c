/*
 * raw_sodium: the libsodium ceiling that sandyq's bulk path is measured against.
 *
 *   raw_sodium mem BYTES THREADS   encrypt BYTES in 64 KiB XChaCha20-Poly1305 (IETF) chunks
 *                                  from a reused in-memory buffer, split over THREADS threads;
 *                                  prints "seconds bytes" (wall time of the parallel section only)
 *   raw_sodium pipe IN OUT         a plain one-thread pipeline: read IN, encrypt each 64 KiB
 *                                  chunk, write OUT (fsync'd when OUT is a regular file);
 *                                  prints "seconds bytes" (whole pipeline, fsync included)
 *
 * Build: cc -O2 bench/raw_sodium.c -lsodium -lpthread
 *
 * Buffers are allocated once and touched before the clock starts: first-touch of fresh
 * memory costs 0.5-3 s per GiB on the reference machine and is not what we measure.
 * The key is random and the nonce a counter: this is a benchmark, nothing here is kept.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#define CHUNK     65536u
#define TAGBYTES  crypto_aead_xchacha20poly1305_ietf_ABYTES
#define IOCHUNKS  16u /* 1 MiB per read() */

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *what)
{
    fprintf(stderr, "raw_sodium: %s: %s\n", what, strerror(errno));
    exit(1);
}

static unsigned long long
parse_size(const char *s)
{
    char              *end = NULL;
    unsigned long long v = strtoull(s, &end, 10);

    switch (*end) {
    case 'k': case 'K': v <<= 10; end++; break;
    case 'm': case 'M': v <<= 20; end++; break;
    case 'g': case 'G': v <<= 30; end++; break;
    default: break;
    }
    if (*end != '\0' || v == 0) {
        fprintf(stderr, "raw_sodium: bad size %s\n", s);
        exit(2);
    }
    return v;
}

struct job {
    const uint8_t     *key;
    unsigned long long bytes;
    uint8_t           *in;
    uint8_t           *out;
    unsigned           id;
};

static void *
mem_worker(void *arg)
{
    struct job        *j = arg;
    uint8_t            nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES] = { 0 };
    unsigned long long done = 0, clen;

    nonce[23] = (uint8_t)j->id; /* distinct nonce space per thread */
    while (done < j->bytes) {
        size_t n = j->bytes - done < CHUNK ? (size_t)(j->bytes - done) : CHUNK;

        crypto_aead_xchacha20poly1305_ietf_encrypt(j->out, &clen, j->in, n, NULL, 0, NULL,
                                                   nonce, j->key);
        sodium_increment(nonce, 16);
        done += n;
    }
    return NULL;
}

static int
run_mem(unsigned long long bytes, unsigned threads)
{
    uint8_t    key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
    pthread_t  tid[64];
    struct job jobs[64];
    double     t0, t1;

    if (threads == 0 || threads > 64) {
        fprintf(stderr, "raw_sodium: threads must be 1..64\n");
        return 2;
    }
    crypto_aead_xchacha20poly1305_ietf_keygen(key);
    for (unsigned i = 0; i < threads; i++) {
        jobs[i].key = key;
        jobs[i].id = i;
        jobs[i].bytes = bytes / threads + (i == 0 ? bytes % threads : 0);
        if ((jobs[i].in = malloc(CHUNK)) == NULL || (jobs[i].out = malloc(CHUNK + TAGBYTES)) == NULL)
            die("malloc");
        randombytes_buf(jobs[i].in, CHUNK);
        memset(jobs[i].out, 0, CHUNK + TAGBYTES);
    }
    /* warm-up: one chunk per thread, outside the clock */
    for (unsigned i = 0; i < threads; i++) {
        struct job w = jobs[i];

        w.bytes = CHUNK;
        mem_worker(&w);
    }
    t0 = now();
    for (unsigned i = 1; i < threads; i++)
        if ((errno = pthread_create(&tid[i], NULL, mem_worker, &jobs[i])) != 0)
            die("pthread_create");
    mem_worker(&jobs[0]);
    for (unsigned i = 1; i < threads; i++)
        pthread_join(tid[i], NULL);
    t1 = now();
    printf("%.6f %llu\n", t1 - t0, bytes);
    for (unsigned i = 0; i < threads; i++) {
        free(jobs[i].in);
        free(jobs[i].out);
    }
    return 0;
}

static void
write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);

        if (w < 0) {
            if (errno == EINTR)
                continue;
            die("write");
        }
        p += w;
        n -= (size_t)w;
    }
}

static int
run_pipe(const char *inpath, const char *outpath)
{
    uint8_t            key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
    uint8_t            nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES] = { 0 };
    uint8_t           *in, *out;
    unsigned long long total = 0, clen;
    struct stat        st;
    int                ifd, ofd;
    double             t0, t1;

    crypto_aead_xchacha20poly1305_ietf_keygen(key);
    if ((in = malloc(CHUNK * IOCHUNKS)) == NULL || (out = malloc((CHUNK + TAGBYTES) * IOCHUNKS)) == NULL)
        die("malloc");
    memset(in, 0, CHUNK * IOCHUNKS);
    memset(out, 0, (CHUNK + TAGBYTES) * IOCHUNKS);

    t0 = now();
    if ((ifd = open(inpath, O_RDONLY | O_CLOEXEC)) < 0)
        die(inpath);
    if ((ofd = open(outpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
        die(outpath);
    for (;;) {
        size_t  have = 0, o = 0;
        ssize_t r;

        while (have < CHUNK * IOCHUNKS) {
            r = read(ifd, in + have, CHUNK * IOCHUNKS - have);
            if (r < 0 && errno == EINTR)
                continue;
            if (r < 0)
                die("read");
            if (r == 0)
                break;
            have += (size_t)r;
        }
        if (have == 0)
            break;
        for (size_t off = 0; off < have; off += CHUNK) {
            size_t n = have - off < CHUNK ? have - off : CHUNK;

            crypto_aead_xchacha20poly1305_ietf_encrypt(out + o, &clen, in + off, n, NULL, 0,
                                                       NULL, nonce, key);
            sodium_increment(nonce, sizeof nonce);
            o += (size_t)clen;
        }
        write_all(ofd, out, o);
        total += have;
        if (have < CHUNK * IOCHUNKS)
            break;
    }
    if (fstat(ofd, &st) == 0 && S_ISREG(st.st_mode) && fsync(ofd) != 0)
        die("fsync");
    if (close(ofd) != 0)
        die("close");
    close(ifd);
    t1 = now();
    printf("%.6f %llu\n", t1 - t0, total);
    free(in);
    free(out);
    return 0;
}

int
main(int argc, char **argv)
{
    if (sodium_init() < 0) {
        fprintf(stderr, "raw_sodium: sodium_init failed\n");
        return 1;
    }
    if (argc == 4 && strcmp(argv[1], "mem") == 0)
        return run_mem(parse_size(argv[2]), (unsigned)strtoul(argv[3], NULL, 10));
    if (argc == 4 && strcmp(argv[1], "pipe") == 0)
        return run_pipe(argv[2], argv[3]);
    fprintf(stderr, "usage: raw_sodium mem BYTES THREADS | raw_sodium pipe IN OUT\n");
    return 2;
}
