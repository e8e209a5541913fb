/* cli.h: what the sandyq program's files share.
 *
 * The program is a thin layer over libsandyq (include/sandyq/vault.h): it
 * parses arguments, reads secrets (tty.c), opens vaults and turns library
 * errors into messages (session.c), prints messages, JSON and progress
 * (output.c). Only this folder prints or exits (STYLE.md). */
#ifndef SQ_CLI_CLI_H
#define SQ_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sandyq/slip39.h"
#include "sandyq/vault.h"

/* exit codes (BRIEF "Interface conventions") */
#define CLI_OK     0
#define CLI_FAIL   1   /* the operation failed, authentication included */
#define CLI_USAGE  2   /* bad command line or unusable input before any work */

/* Longest passphrase line accepted, without its line ending. */
#define CLI_PASS_MAX      4096
/* Raw read buffer: the line plus "\r\n". */
#define CLI_PASS_RAW_CAP  (CLI_PASS_MAX + 2)
/* NFC can make a string at most three times longer (UAX #15, "Stream-Safe
 * Text Format" bounds); the prepared buffer is sized for the worst case. */
#define CLI_PASS_NFC_CAP  (3 * CLI_PASS_RAW_CAP + 16)

/* ---- commands (main.c holds the table) ---- */

typedef struct {
    const char *name;
    int       (*run)(int argc, char **argv);   /* argv[0] is the command name */
    const char *synopsis;                      /* one or more lines */
    const char *summary;
} cli_command;

int cmd_init(int argc, char **argv);
int cmd_add(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_get(int argc, char **argv);
int cmd_rm(int argc, char **argv);
int cmd_mv(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_passphrase(int argc, char **argv);
int cmd_rekey(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_identity(int argc, char **argv);
int cmd_encrypt(int argc, char **argv);
int cmd_decrypt(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_verify_sig(int argc, char **argv);
int cmd_slip39(int argc, char **argv);
int cmd_shares(int argc, char **argv);
int cmd_help(int argc, char **argv);

/* cli_find_command: the table entry for name, or NULL. */
const cli_command *cli_find_command(const char *name);
/* cli_command_help: usage of the named command on stdout; CLI_OK. */
int  cli_command_help(const char *name);
/* cli_usage: prints the synopsis of cmd (all commands when NULL) to out. */
void cli_usage(FILE *out, const cli_command *cmd);

/* ---- argument parsing (args.c) ---- */

/* Positional arguments collected while getopt_long runs in "return in
 * order" mode, so options and arguments mix freely whatever POSIXLY_CORRECT
 * says, and "--" ends options. */
typedef struct {
    char  **v;
    size_t  n;
} cli_args;

/* Options every vault-opening command takes. */
typedef struct {
    const char *file;    /* --passphrase-file, or NULL */
    int         fd;      /* --passphrase-fd, or -1 */
    const char *shares;  /* --shares FILE|- (a split-key quorum instead), or NULL */
} cli_pass_src;

/* Long option ids above the byte range. */
enum {
    OPT_PASS_FILE = 1000, OPT_PASS_FD, OPT_HELP, OPT_JSON, OPT_FORCE, OPT_KDF,
    OPT_GROWABLE, OPT_LABEL, OPT_AS, OPT_CASE, OPT_CASE_FILE, OPT_NOTE,
    OPT_NOTE_FILE, OPT_REPLACE, OPT_ALL, OPT_SLOT, OPT_NEW_PASS_FILE,
    OPT_NEW_PASS_FD, OPT_KEEP_PASS_FILE, OPT_SHARES
};

/* Entries every vault-opening command puts in its getopt_long table. */
#define CLI_COMMON_LONGOPTS \
    { "passphrase-file", required_argument, NULL, OPT_PASS_FILE }, \
    { "passphrase-fd",   required_argument, NULL, OPT_PASS_FD }, \
    { "help",            no_argument,       NULL, 'h' }

/* ... and every command that opens a vault: --shares too */
#define CLI_VAULT_LONGOPTS \
    CLI_COMMON_LONGOPTS, \
    { "shares",          required_argument, NULL, OPT_SHARES }

/* cli_parse_fd: a descriptor number ("0".."2147483647", decimal, no sign).
 * Returns false (after a usage message naming opt) otherwise. */
bool cli_parse_fd(int *out, const char *opt, const char *text);
/* cli_parse_u8: 0..255, decimal. */
bool cli_parse_u8(uint8_t *out, const char *opt, const char *text);

/* cli_set_pass_file / cli_set_pass_fd: record --passphrase-file/-fd; false
 * (after a usage message) when both are given. */
bool cli_set_pass_file(cli_pass_src *src, const char *file);
bool cli_set_shares(cli_pass_src *src, const char *file);
bool cli_set_pass_fd(cli_pass_src *src, const char *text);

/* cli_getopt_error: reports getopt_long's '?' or ':' for command cmd and
 * returns CLI_USAGE. */
int  cli_getopt_error(const char *cmd, int c, char **argv);

/* cli_args_push: appends a positional argument (argv storage, not copied). */
bool cli_args_push(cli_args *a, char *arg);
void cli_args_free(cli_args *a);

/* cli_usage_error: "sandyq: error: <msg>" then a hint to run help for cmd;
 * returns CLI_USAGE. */
int  cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- secrets (tty.c) ---- */

/* A secret in guarded memory (util/secret.h). */
typedef struct {
    uint8_t *buf;
    size_t   cap;
    size_t   len;
} cli_secret;

/* cli_secret_free: wipes and frees; safe on a zeroed or freed struct. */
void cli_secret_free(cli_secret *s);

/* cli_read_passphrase: a prepared (stripped, checked, NFC) passphrase into
 * *out, from src when it names a file or descriptor, else from a no-echo
 * prompt on /dev/tty (twice and compared when confirm). what names the
 * passphrase in prompts ("passphrase for 'v'"); opt names the options that
 * would give it ("--passphrase-file"). Returns CLI_OK, or the exit code after
 * printing a message; nothing secret is left in memory on failure, and it is
 * wiped before the message is printed. */
int  cli_read_passphrase(cli_secret *out, const cli_pass_src *src, const char *what,
                         bool confirm, const char *opt_file, const char *opt_fd);

/* cli_read_age_passphrase: the same for passphrases of age-format files
 * (encrypt -p, decrypt, protected identity files): the bytes as typed, line
 * ending stripped, without NFC, because stock age uses them unchanged and a
 * file it made must open here. Empty and NUL-containing ones are refused. */
int  cli_read_age_passphrase(cli_secret *out, const cli_pass_src *src, const char *what,
                             bool confirm, const char *opt_file, const char *opt_fd);

/* cli_read_text_file: the contents of a small non-secret file (case ids and
 * notes kept out of shell history), up to cap bytes; one trailing \n or \r\n
 * stripped. malloc'd, NUL-terminated; *len without the NUL. */
int  cli_read_text_file(char **out, size_t *len, const char *path, size_t cap, const char *opt);

/* ---- vault sessions (session.c) ---- */

/* cli_open_vault: reads the passphrase, unlocks path and prints the message
 * for a failure. writable takes the exclusive lock. When readonly_fallback
 * is not NULL, a vault on a medium that cannot be written is opened
 * read-only instead and *readonly_fallback is set. */
int  cli_open_vault(sq_vault **out, const char *path, bool writable, const cli_pass_src *src,
                    bool *readonly_fallback);

/* cli_find_doc: the index of name, or CLI_FAIL after "no document named". */
int  cli_find_doc(size_t *index, const sq_vault *v, const char *vault_path, const char *name);

/* cli_commit: sq_vault_commit with its message ("cannot commit ..."). */
int  cli_commit(sq_vault *v, const char *vault_path);

/* cli_vault_error: prints "cannot <action> (<reason>)" for err, using the
 * vault's last detail where it has one, and errno for I/O. Returns CLI_FAIL. */
int  cli_vault_error(const sq_vault *v, sq_err err, int saved_errno, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- output files (outpath.c) ---- */

/* cli_output_check: before any prompt or work, so nobody types a passphrase
 * for nothing: CLI_FAIL after a message when path is a folder, or exists
 * and force is false; CLI_OK otherwise. sq_outfile checks again,
 * atomically, when the output is named. */
int  cli_output_check(const char *path, bool force);
/* cli_output_error: "cannot write 'path' (...)" for a failed sq_outfile
 * step (with the --force hint for SQ_ERR_EXISTS); returns CLI_FAIL. */
int  cli_output_error(const char *path, sq_err err, int saved_errno);

/* ---- output (output.c) ---- */

void cli_error(const char *fmt, ...)   __attribute__((format(printf, 1, 2)));
void cli_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_hint(const char *fmt, ...)    __attribute__((format(printf, 1, 2)));

/* cli_name: s[0..len) escaped for a terminal (util/escape.h). The result
 * stays valid for the next CLI_NAME_RING calls, so several may appear in one
 * message. Never NULL. */
#define CLI_NAME_RING 8
const char *cli_name(const char *s, size_t len);
const char *cli_namez(const char *s);     /* NUL-terminated s */

/* cli_errno_str: strerror(e) with a lowercase first letter ("permission
 * denied"), as the message style wants. */
const char *cli_errno_str(int e);

/* cli_time_rfc3339: "2024-05-01T12:34:56Z" into buf (at least 32 bytes). */
const char *cli_time_rfc3339(char buf[32], int64_t t);
/* cli_hex: lowercase hex of len bytes into buf (2*len+1 bytes). */
const char *cli_hex(char *buf, const uint8_t *b, size_t len);

/* JSON output to stdout: every string goes through sq_escape_json. */
void cli_json_str(const char *s, size_t len);
void cli_json_strz(const char *s);
void cli_json_key(const char *key);        /* "key": (key is a plain literal) */

/* cli_finish_stdout: flushes stdout; CLI_FAIL with a message if anything
 * written to it failed (full disk, closed pipe). */
int  cli_finish_stdout(int code);

/* Progress on stderr, only when stderr is a terminal. */
typedef struct {
    const char *label;      /* already escaped */
    bool        active;
    int64_t     last_ms;
    bool        shown;
} cli_progress;

void cli_progress_init(cli_progress *p, const char *label);
void cli_progress_cb(void *ctx, uint64_t done, uint64_t total);   /* sq_progress_fn */
void cli_progress_end(cli_progress *p);
/* cli_progress_fn: cli_progress_cb when p->active, else NULL. */
sq_progress_fn cli_progress_fn(const cli_progress *p);

/* ---- shares (share_input.c) ---- */

/* cli_read_secret_file: up to cap bytes of path ("-" = stdin) into guarded
 * memory; larger input is refused, not truncated. what names it in messages. */
int  cli_read_secret_file(cli_secret *out, const char *path, size_t cap, const char *what);
bool cli_is_blank(uint8_t c);
/* cli_parse_small: decimal lo..hi, digits only */
bool cli_parse_small(unsigned *out, const char *text, unsigned lo, unsigned hi);
/* cli_parse_k_of_n: "K/N" with 1 <= K <= N <= 16 */
bool cli_parse_k_of_n(sq_slip39_group *g, const char *text);
/* cli_slip39_report: one message for a refused share or set, naming the
 * share, word or group (and where a checksum points) */
void cli_slip39_report(sq_err err, const sq_slip39_detail *d);
/* The layout options of `slip39 split` and `shares create|rotate`:
 * --threshold K --shares N (one group), or --group-threshold G with one
 * --group K/N per group. */
typedef struct {
    unsigned        threshold, count, gthreshold;
    bool            have_t, have_n, have_gt;
    sq_slip39_group groups[SQ_SLIP39_MAX_GROUPS];
    size_t          ngroups;
} cli_layout;
typedef enum {
    CLI_LAYOUT_THRESHOLD, CLI_LAYOUT_SHARES, CLI_LAYOUT_GROUP_THRESHOLD, CLI_LAYOUT_GROUP
} cli_layout_opt;
/* cli_layout_option: one such option's value; CLI_OK or a usage error */
int  cli_layout_option(cli_layout *l, cli_layout_opt which, const char *arg, const char *cmd);
/* cli_layout_finish: the two forms exclusive, thresholds within counts,
 * T = 1 only with N = 1; fills groups, ngroups and gthreshold */
int  cli_layout_finish(cli_layout *l, const char *cmd);
/* cli_mnemonic_lines: the mnemonic lines of a share file (blank lines, '#'
 * lines, certificate blocks and statement lines skipped); lines/lens hold
 * SQ_SLIP39_MAX_SHARES entries pointing into buf. */
int  cli_mnemonic_lines(const uint8_t *buf, size_t len, const char **lines, size_t *lens, size_t *n);
/* cli_shares_secret: --shares FILE|-: the master secret the shares combine
 * to (empty SLIP-0039 passphrase), into secret memory; "-" prompts word by
 * word on /dev/tty until the shares combine. */
int  cli_shares_secret(cli_secret *out, const char *path, const char *vault);

#endif
