/* main.c: the sandyq program: a table of commands over libsandyq.
 *
 * One file per command (cmd_<name>.c), in the manner of git; this file
 * initializes the library, finds the command and prints usage. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PASS_OPTS "[--passphrase-file F | --passphrase-fd N]"

static const cli_command commands[] = {
    { "init", cmd_init,
      "sandyq init VAULT [--kdf standard|strong|test] [--growable] [--label TEXT] " PASS_OPTS,
      "create a new vault file (the passphrase is asked twice)" },
    { "add", cmd_add,
      "sandyq add VAULT PATH... [--as NAME] [--case ID | --case-file F]\n"
      "    [--note TEXT | --note-file F] [--replace] " PASS_OPTS,
      "add files, folders (recursively) or stdin ('-', with --as) in one commit" },
    { "ls", cmd_ls,
      "sandyq ls VAULT [--json] " PASS_OPTS,
      "list the documents" },
    { "get", cmd_get,
      "sandyq get VAULT NAME [-o PATH] [--force] " PASS_OPTS "\n"
      "sandyq get VAULT (--all | --case ID) -o DIR [--force] " PASS_OPTS,
      "extract documents (to stdout when -o is absent or '-')" },
    { "rm", cmd_rm,
      "sandyq rm VAULT NAME " PASS_OPTS,
      "remove a document and scrub its blocks" },
    { "mv", cmd_mv,
      "sandyq mv VAULT NAME NEWNAME " PASS_OPTS,
      "rename a document" },
    { "check", cmd_check,
      "sandyq check VAULT [--json] " PASS_OPTS,
      "authenticate every block of the vault" },
    { "info", cmd_info,
      "sandyq info VAULT [--json] " PASS_OPTS,
      "show size, free space, generation, state fingerprint and profile" },
    { "passphrase", cmd_passphrase,
      "sandyq passphrase add VAULT [--label TEXT] [--new-passphrase-file F | --new-passphrase-fd N]\n"
      "sandyq passphrase remove VAULT [--slot N]\n"
      "sandyq passphrase change VAULT [--new-passphrase-file F | --new-passphrase-fd N]\n"
      "sandyq passphrase list VAULT [--json]\n"
      "    (each also takes " PASS_OPTS ")",
      "manage the passphrases (ways in) of a vault" },
    { "rekey", cmd_rekey,
      "sandyq rekey VAULT [--keep-passphrase-file F]... " PASS_OPTS,
      "new level key, every document re-encrypted; keeps only the passphrases given" },
    { "keygen", cmd_keygen,
      "sandyq keygen [-o FILE] [--force] [--unprotected] " PASS_OPTS "\n"
      "sandyq keygen --public FILE [--identity-passphrase-file F | --identity-passphrase-fd N]",
      "make an identity file (age recipient, minisign key); print its public keys" },
    { "identity", cmd_identity,
      "sandyq identity VAULT [--purpose export|checkpoint|shares] [-o FILE] [--force] " PASS_OPTS,
      "print the public keys of the vault level the passphrase opens" },
    { "encrypt", cmd_encrypt,
      "sandyq encrypt [-r RECIPIENT]... [-R RECIPIENTS_FILE]... [-a] [-o OUT] [--force] [IN]\n"
      "sandyq encrypt -p [-a] " PASS_OPTS " [-o OUT] [--force] [IN]",
      "encrypt to age recipients or a passphrase (age v1 format)" },
    { "decrypt", cmd_decrypt,
      "sandyq decrypt [-i IDENTITY_FILE]... [--identity-passphrase-file F | --identity-passphrase-fd N] " PASS_OPTS "\n"
      "               [-o OUT] [--force] [IN]",
      "decrypt an age file with identity files or its passphrase" },
    { "sign", cmd_sign,
      "sandyq sign -k IDENTITY_FILE [-t TRUSTED_COMMENT] " PASS_OPTS " [--force] FILE",
      "sign FILE in minisign's format (writes FILE.minisig)" },
    { "verify-sig", cmd_verify_sig,
      "sandyq verify-sig -p PUBKEY_FILE [-x SIGFILE] [--json] FILE",
      "check a minisign signature (FILE.minisig unless -x)" },
    { "slip39", cmd_slip39,
      "sandyq slip39 split --secret-file F|- (--threshold K --shares N |\n"
      "                    --group-threshold G --group K/N [--group K/N ...])\n"
      "                    [--passphrase-file F] [--iteration-exponent E]\n"
      "sandyq slip39 combine [--passphrase-file F] [--allow-slow-shares] [FILE]",
      "split a secret into SLIP-0039 shares, or recover it" },
    { "shares", cmd_shares,
      "sandyq shares create VAULT (--threshold K --shares N |\n"
      "                            --group-threshold G --group K/N [--group K/N ...])\n"
      "                           [--words 20|33] [--to NAME=RECIPIENT ...] [--sheets DIR]\n"
      "sandyq shares rotate VAULT (the options of create)\n"
      "sandyq shares reissue VAULT --member G/I|G/new [--member ...] [--to ...] [--sheets DIR]\n"
      "sandyq shares verify VAULT FILE\n"
      "sandyq shares check --vault-pub PUBFILE FILE",
      "split keys: SLIP-0039 shares that open the vault level without its passphrase" },
    { "help", cmd_help,
      "sandyq help [COMMAND]",
      "show the usage of sandyq or of one command" },
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

const cli_command *
cli_find_command(const char *name)
{
    size_t i;

    for (i = 0; i < N_COMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

void
cli_usage(FILE *out, const cli_command *cmd)
{
    size_t i;

    if (cmd != NULL) {
        const char *l = cmd->synopsis, *nl;

        /* continuation lines line up under the first */
        fputs("usage: ", out);
        while ((nl = strchr(l, '\n')) != NULL) {
            fprintf(out, "%.*s\n       ", (int)(nl - l), l);
            l = nl + 1;
        }
        fprintf(out, "%s\n\n%s\n", l, cmd->summary);
        if (strcmp(cmd->name, "help") != 0 && strcmp(cmd->name, "verify-sig") != 0 &&
            strcmp(cmd->name, "slip39") != 0)
        {
            fputs("\nWithout --passphrase-file or --passphrase-fd the passphrase is asked on the\n"
                  "terminal without echo.", out);
            if (cmd->run != cmd_init && cmd->run != cmd_keygen && cmd->run != cmd_encrypt &&
                cmd->run != cmd_decrypt && cmd->run != cmd_sign && cmd->run != cmd_shares)
                fputs("\n--shares FILE|- opens the vault with a quorum of its split-key shares\n"
                      "instead (typed word by word on the terminal with '-').", out);
            fputs(" See sandyq(1).\n", out);
        }
        return;
    }
    fputs("usage: sandyq COMMAND ARGS [options]\n\ncommands:\n", out);
    for (i = 0; i < N_COMMANDS; i++)
        fprintf(out, "  %-11s %s\n", commands[i].name, commands[i].summary);
    fputs("\nRun 'sandyq help COMMAND' or 'sandyq COMMAND --help' for a command's usage.\n"
          "Exit status: 0 success, 1 the operation failed (authentication included), 2 usage error.\n",
          out);
}

int
cli_command_help(const char *name)
{
    cli_usage(stdout, cli_find_command(name));
    return cli_finish_stdout(CLI_OK);
}

int
cmd_help(int argc, char **argv)
{
    const cli_command *cmd;

    if (argc <= 1) {
        cli_usage(stdout, NULL);
        return cli_finish_stdout(CLI_OK);
    }
    if (argc > 2)
        return cli_usage_error("help", "too many arguments");
    if ((cmd = cli_find_command(argv[1])) == NULL)
        return cli_usage_error(NULL, "unknown command '%s'", cli_namez(argv[1]));
    cli_usage(stdout, cmd);
    return cli_finish_stdout(CLI_OK);
}

/* std_fds_open: a program started with descriptor 0, 1 or 2 closed would
 * hand that number to the next open(): a vault opened as descriptor 1 would
 * then receive a document written "to stdout". /dev/null fills the gaps. */
static void
std_fds_open(void)
{
    int fd;

    for (fd = 0; fd <= 2; fd++)
        if (fcntl(fd, F_GETFD) == -1 && errno == EBADF &&
            open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
            _exit(CLI_FAIL);   /* cannot make the descriptors safe: do nothing */
}

int
main(int argc, char **argv)
{
    const cli_command *cmd;
    sq_err             err;

    std_fds_open();
    /* before anything else: hardening, secret arenas (BRIEF "Secrets") */
    if ((err = sq_lib_init()) != SQ_OK) {
        cli_error("cannot initialize (%s)", sq_err_str(err));
        return CLI_FAIL;
    }
    /* a closed pipe is an error we report (exit 1), not a silent death */
    signal(SIGPIPE, SIG_IGN);

    if (argc < 2) {
        cli_usage(stderr, NULL);
        return CLI_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        cli_usage(stdout, NULL);
        return cli_finish_stdout(CLI_OK);
    }
    if (strcmp(argv[1], "--version") == 0) {
        puts("sandyq 0.1.0");
        return cli_finish_stdout(CLI_OK);
    }
    if ((cmd = cli_find_command(argv[1])) == NULL) {
        if (argv[1][0] == '-')
            return cli_usage_error(NULL, "unknown option '%s' (a command comes first)",
                                   cli_namez(argv[1]));
        return cli_usage_error(NULL, "unknown command '%s'", cli_namez(argv[1]));
    }
    return cmd->run(argc - 1, argv + 1);
}
