/*
 * benchtool: the two measurements bench/run.sh cannot make well from the shell.
 *
 *   benchtool time RESULT CMD [ARG...]
 *       runs CMD (stdin/stdout/stderr inherited), then writes "SECONDS MAXRSS_KIB STATUS" to
 *       RESULT: wall time on CLOCK_MONOTONIC around fork..wait, the peak resident set of CMD
 *       and of the descendants it waited for (wait4 rusage), and the exit status (128+signal
 *       when killed). Exits with CMD's status.
 *   benchtool blockdiff OLD NEW [BLOCK]
 *       compares two files BLOCK bytes (default 4096) at a time and prints
 *       "CHANGED_BLOCKS CHANGED_BYTES OLD_SIZE NEW_SIZE": a block counts when its bytes differ
 *       or when it exists in only one file (growth or truncation).
 *
 * Build: cc -O2 bench/benchtool.c -o benchtool
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double
now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
cmd_time(const char *result, char **argv)
{
    struct rusage ru;
    FILE         *f;
    double        t0, t1;
    pid_t         pid;
    int           st = 0, code;

    t0 = now();
    pid = fork();
    if (pid < 0) {
        perror("benchtool: fork");
        return 125;
    }
    if (pid == 0) {
        execvp(argv[0], argv);
        fprintf(stderr, "benchtool: %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    memset(&ru, 0, sizeof ru);
    while (wait4(pid, &st, 0, &ru) < 0) {
        if (errno != EINTR) {
            perror("benchtool: wait4");
            return 125;
        }
    }
    t1 = now();
    code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    if ((f = fopen(result, "w")) == NULL) {
        perror(result);
        return 125;
    }
    fprintf(f, "%.6f %ld %d\n", t1 - t0, ru.ru_maxrss, code);
    if (fclose(f) != 0) {
        perror(result);
        return 125;
    }
    return code;
}

static int
cmd_blockdiff(const char *a, const char *b, size_t bs)
{
    FILE         *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    unsigned char *ba = malloc(bs), *bb = malloc(bs);
    unsigned long long blocks = 0, bytes = 0, sa = 0, sb = 0;

    if (fa == NULL || fb == NULL || ba == NULL || bb == NULL) {
        perror("benchtool: blockdiff");
        return 1;
    }
    for (;;) {
        size_t na = fread(ba, 1, bs, fa), nb = fread(bb, 1, bs, fb);

        if (na == 0 && nb == 0)
            break;
        sa += na;
        sb += nb;
        if (na != nb || memcmp(ba, bb, na) != 0) {
            blocks++;
            bytes += na > nb ? na : nb;
        }
    }
    if (ferror(fa) || ferror(fb)) {
        perror("benchtool: read");
        return 1;
    }
    printf("%llu %llu %llu %llu\n", blocks, bytes, sa, sb);
    fclose(fa);
    fclose(fb);
    free(ba);
    free(bb);
    return 0;
}

int
main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "time") == 0)
        return cmd_time(argv[2], argv + 3);
    if ((argc == 4 || argc == 5) && strcmp(argv[1], "blockdiff") == 0)
        {
        size_t bs = argc == 5 ? strtoul(argv[4], NULL, 10) : 4096;

        if (bs == 0 || bs > (64u << 20)) {
            fprintf(stderr, "benchtool: bad block size\n");
            return 2;
        }
        return cmd_blockdiff(argv[2], argv[3], bs);
    }
    fprintf(stderr, "usage: benchtool time RESULT CMD [ARG...] | benchtool blockdiff OLD NEW [BLOCK]\n");
    return 2;
}
