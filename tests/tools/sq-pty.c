/* sq-pty: runs a command under a new pseudo-terminal and answers its prompts.
 *
 *   sq-pty [--timeout S] [--stdin FILE] [--stdout FILE]
 *          [--expect TEXT] --answer TEXT [[--expect TEXT] --answer TEXT]... -- CMD [ARGS...]
 *
 * The command runs in a new session whose controlling terminal is the pty's
 * slave, so programs that read passphrases from /dev/tty (stock age does)
 * can be driven by a test. The slave is also the command's standard input,
 * output and error, except that --stdin FILE and --stdout FILE take their
 * places (so binary output is captured exactly, not through the terminal's
 * line discipline).
 *
 * For each --answer in order, sq-pty waits until the terminal output holds
 * the text of the --expect before it (default "passphrase", matched without
 * regard to case) after the previous match, then types the answer and a
 * newline. Everything the command writes to the terminal is relayed to
 * sq-pty's standard output. The exit status is the command's (128 + N after
 * signal N), 124 when the timeout (default 60 s) expired and the command's
 * process group was killed, 125 for sq-pty's own errors. A prompt that never
 * appeared is reported on standard error. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define PTY_FAIL      125
#define PTY_TIMEOUT   124
#define MAX_ANSWERS   256   /* a share typed word by word: 2 x 33 words and more */
#define WINDOW_BYTES  8192   /* the terminal output searched for prompts */
#define READ_BYTES    4096   /* < WINDOW_BYTES */

typedef struct {
    const char *expect;
    const char *answer;
} step;

static void
usage(void)
{
    fputs("usage: sq-pty [--timeout S] [--stdin FILE] [--stdout FILE]\n"
          "              [--expect TEXT] --answer TEXT ... -- CMD [ARGS...]\n", stderr);
    exit(PTY_FAIL);
}

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* contains: case-insensitive substring search in buf[0..len) */
static long
find_text(const char *buf, size_t len, const char *text)
{
    size_t n = strlen(text), i;

    if (n == 0)
        return 0;
    for (i = 0; i + n <= len; i++)
        if (strncasecmp(buf + i, text, n) == 0)
            return (long)(i + n);
    return -1;
}

static void
write_all(int fd, const char *buf, size_t len)
{
    ssize_t w;

    while (len > 0) {
        w = write(fd, buf, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        buf += w;
        len -= (size_t)w;
    }
}

static void
child(const char *slave, const char *in_file, const char *out_file, char **cmd)
{
    struct termios t;
    int            fd, in = -1, out = -1;

    if (setsid() < 0)
        _exit(PTY_FAIL);
    if ((fd = open(slave, O_RDWR)) < 0)
        _exit(PTY_FAIL);
    (void)ioctl(fd, TIOCSCTTY, 0);
    /* bytes through the terminal stay bytes: no "\n" -> "\r\n" */
    if (tcgetattr(fd, &t) == 0) {
        t.c_oflag &= (tcflag_t)~OPOST;
        (void)tcsetattr(fd, TCSANOW, &t);
    }
    if (in_file != NULL && (in = open(in_file, O_RDONLY)) < 0) {
        fprintf(stderr, "sq-pty: cannot open %s: %s\n", in_file, strerror(errno));
        _exit(PTY_FAIL);
    }
    if (out_file != NULL && (out = open(out_file, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0) {
        fprintf(stderr, "sq-pty: cannot open %s: %s\n", out_file, strerror(errno));
        _exit(PTY_FAIL);
    }
    if (dup2(in >= 0 ? in : fd, 0) < 0 || dup2(out >= 0 ? out : fd, 1) < 0 || dup2(fd, 2) < 0)
        _exit(PTY_FAIL);
    if (fd > 2)
        close(fd);
    if (in > 2)
        close(in);
    if (out > 2)
        close(out);
    execvp(cmd[0], cmd);
    fprintf(stderr, "sq-pty: cannot run %s: %s\n", cmd[0], strerror(errno));
    _exit(127);
}

int
main(int argc, char **argv)
{
    step        steps[MAX_ANSWERS];
    size_t      n_steps = 0, next = 0, win_len = 0;
    const char *pending_expect = NULL, *in_file = NULL, *out_file = NULL;
    char        win[WINDOW_BYTES], buf[READ_BYTES];
    char      **cmd = NULL;
    double      timeout = 60.0, deadline, answer_at = 0;
    int         i, master, status = 0, code;
    bool        exited = false, eof = false;
    char       *slave;
    pid_t       pid;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            cmd = argv + i + 1;
            break;
        }
        if (i + 1 >= argc)
            usage();
        if (strcmp(argv[i], "--timeout") == 0) {
            timeout = atof(argv[++i]);
            if (timeout <= 0)
                usage();
        } else if (strcmp(argv[i], "--stdin") == 0) {
            in_file = argv[++i];
        } else if (strcmp(argv[i], "--stdout") == 0) {
            out_file = argv[++i];
        } else if (strcmp(argv[i], "--expect") == 0) {
            pending_expect = argv[++i];
        } else if (strcmp(argv[i], "--answer") == 0) {
            if (n_steps == MAX_ANSWERS)
                usage();
            steps[n_steps].expect = pending_expect != NULL ? pending_expect : "passphrase";
            steps[n_steps].answer = argv[++i];
            n_steps++;
            pending_expect = NULL;
        } else {
            usage();
        }
    }
    if (cmd == NULL || cmd[0] == NULL)
        usage();

    if ((master = posix_openpt(O_RDWR | O_NOCTTY)) < 0 || grantpt(master) != 0 ||
        unlockpt(master) != 0 || (slave = ptsname(master)) == NULL) {
        fprintf(stderr, "sq-pty: cannot make a pseudo-terminal: %s\n", strerror(errno));
        return PTY_FAIL;
    }
    fflush(NULL);
    if ((pid = fork()) < 0) {
        fprintf(stderr, "sq-pty: fork: %s\n", strerror(errno));
        return PTY_FAIL;
    }
    if (pid == 0) {
        close(master);
        child(slave, in_file, out_file, cmd);
    }

    deadline = now_s() + timeout;
    while (!eof) {
        struct pollfd pfd = { master, POLLIN, 0 };
        double        left = deadline - now_s(), wait_s = left;
        ssize_t       r;
        long          at;

        if (left <= 0) {
            fprintf(stderr, "sq-pty: timeout after %.0f s; killing %s\n", timeout, cmd[0]);
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
            return PTY_TIMEOUT;
        }
        if (answer_at > 0 && answer_at - now_s() < wait_s)
            wait_s = answer_at - now_s();
        if (wait_s < 0)
            wait_s = 0;
        if (poll(&pfd, 1, (int)(wait_s * 1000) + 1) < 0 && errno != EINTR)
            break;
        if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
            r = read(master, buf, sizeof buf);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0) {
                eof = true;   /* EIO once every slave descriptor closed */
            } else {
                write_all(STDOUT_FILENO, buf, (size_t)r);
                /* keep the newest output in the window (buf is smaller) */
                if (win_len + (size_t)r > sizeof win) {
                    size_t drop = win_len + (size_t)r - sizeof win;

                    memmove(win, win + drop, win_len - drop);
                    win_len -= drop;
                }
                memcpy(win + win_len, buf, (size_t)r);
                win_len += (size_t)r;
            }
        }
        if (next < n_steps && answer_at == 0 &&
            (at = find_text(win, win_len, steps[next].expect)) >= 0) {
            /* consume up to the match so the next prompt must be new text;
             * answer a moment later, once the program has turned echo off */
            memmove(win, win + at, win_len - (size_t)at);
            win_len -= (size_t)at;
            answer_at = now_s() + 0.15;
        }
        if (answer_at > 0 && now_s() >= answer_at) {
            write_all(master, steps[next].answer, strlen(steps[next].answer));
            write_all(master, "\n", 1);
            next++;
            answer_at = 0;
        }
    }
    while (!exited) {
        pid_t w = waitpid(pid, &status, WNOHANG);

        if (w == pid) {
            exited = true;
            break;
        }
        if (w < 0 && errno != EINTR)
            break;
        if (now_s() > deadline) {
            fprintf(stderr, "sq-pty: timeout after %.0f s; killing %s\n", timeout, cmd[0]);
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
            return PTY_TIMEOUT;
        }
        usleep(10000);
    }
    close(master);
    if (next < n_steps)
        fprintf(stderr, "sq-pty: the prompt '%s' never appeared (%zu of %zu answers given)\n",
                steps[next].expect, next, n_steps);
    if (!exited)
        return PTY_FAIL;
    if (WIFEXITED(status))
        code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        code = 128 + WTERMSIG(status);
    else
        code = PTY_FAIL;
    return code;
}
