/* cmd_verify_sig.c: sandyq verify-sig -p PUBKEY_FILE [-x SIGFILE] [--json] FILE
 *
 * Checks a minisign signature (FILE.minisig unless -x), prehashed "ED" or
 * legacy "Ed", as `minisign -V` does, and prints the trusted comment, which
 * the signature covers (escaped: it is text from someone else's file).
 *
 * PUBKEY_FILE is a minisign public key file, or a file holding only its
 * base64 line; the output of `sandyq keygen` / `identity` is accepted too
 * (its two minisign lines are found inside it).
 *
 * Which part failed is said precisely, since a partner needs to know
 * whether to suspect the file or the signature: another key (by key id),
 * a trusted comment or signature file that was altered (the global
 * signature fails), or a file that does not match its signature. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandyq/minisign.h"
#include "util/io.h"

enum { OPT_VSIG_JSON = 1210 };

#define PUBKEY_FILE_CAP ((size_t)1 << 16)   /* keygen output and the like: small */

/* read_small: a small non-secret file, whole, refused above cap */
static int
read_small(char **out, size_t *len, const char *path, size_t cap, const char *what)
{
    char       *buf = NULL;
    size_t      n = 0, got;
    struct stat st;
    sq_err      err;
    int         fd, e, ret = CLI_FAIL;

    *out = NULL;
    *len = 0;
    if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
        e = errno;
        cli_error("cannot open %s '%s' (%s)", what, cli_namez(path), cli_errno_str(e));
        return CLI_FAIL;
    }
    if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        e = S_ISDIR(st.st_mode) ? EISDIR : errno;
        cli_error("cannot read %s '%s' (%s)", what, cli_namez(path), cli_errno_str(e));
        goto out;
    }
    if ((buf = malloc(cap + 2)) == NULL) {
        cli_error("out of memory");
        goto out;
    }
    for (;;) {
        errno = 0;
        err = sq_io_read_some(fd, buf + n, cap + 1 - n, &got);
        if (err != SQ_OK) {
            e = errno;
            cli_error("cannot read %s '%s' (%s)", what, cli_namez(path),
                      e != 0 ? cli_errno_str(e) : sq_err_str(err));
            goto out;
        }
        if (got == 0)
            break;
        n += got;
        if (n > cap) {
            cli_error("%s '%s' is too large (more than %zu bytes)", what, cli_namez(path), cap);
            goto out;
        }
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    buf = NULL;
    ret = CLI_OK;
out:
    free(buf);
    close(fd);
    return ret;
}

/* find_pubkey_lines: inside a larger text (keygen's output), the line
 * "untrusted comment: minisign public key ..." and the line after it */
static bool
find_pubkey_lines(sq_minisign_pubkey *pk, const char *text, size_t len)
{
    static const char marker[] = "untrusted comment: minisign public key ";
    const char       *p = text, *end = text + len, *nl, *nl2;

    while (p < end) {
        nl = memchr(p, '\n', (size_t)(end - p));
        if ((size_t)(end - p) >= sizeof marker - 1 && memcmp(p, marker, sizeof marker - 1) == 0 &&
            nl != NULL) {
            nl2 = memchr(nl + 1, '\n', (size_t)(end - nl - 1));
            nl2 = nl2 != NULL ? nl2 + 1 : end;
            return sq_minisign_pubkey_parse(pk, p, (size_t)(nl2 - p)) == SQ_OK;
        }
        if (nl == NULL)
            break;
        p = nl + 1;
    }
    return false;
}

static uint64_t
keyid_u64(const uint8_t id[SQ_MINISIGN_KEYID_BYTES])
{
    uint64_t v = 0;

    /* as minisign prints it: the bytes as a little-endian integer */
    for (int i = SQ_MINISIGN_KEYID_BYTES - 1; i >= 0; i--)
        v = v << 8 | id[i];
    return v;
}

static void
json_failure(bool json, const char *reason)
{
    if (json)
        printf("{\"verified\":false,\"reason\":\"%s\"}\n", reason);
}

int
cmd_verify_sig(int argc, char **argv)
{
    static const struct option opts[] = {
        { "pubkey",  required_argument, NULL, 'p' },
        { "sigfile", required_argument, NULL, 'x' },
        { "json",    no_argument,       NULL, OPT_VSIG_JSON },
        { "help",    no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    static sq_minisign_sig sig;   /* large (the trusted comment): off the stack */
    sq_minisign_pubkey     pk;
    cli_args               args = { 0 };
    const char            *pub_path = NULL, *sig_opt = NULL, *file;
    char                  *sig_path = NULL, *pub_text = NULL, *sig_text = NULL;
    size_t                 pub_len = 0, sig_len = 0;
    struct stat            st;
    bool                   json = false;
    sq_err                 err;
    int                    c, e, fd = -1, ret = CLI_USAGE;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "-:hp:x:", opts, NULL)) != -1) {
        switch (c) {
        case 1:
            if (!cli_args_push(&args, optarg))
                goto out;
            break;
        case 'p':
            pub_path = optarg;
            break;
        case 'x':
            sig_opt = optarg;
            break;
        case OPT_VSIG_JSON:
            json = true;
            break;
        case 'h':
            ret = cli_command_help("verify-sig");
            goto out;
        default:
            ret = cli_getopt_error("verify-sig", c, argv);
            goto out;
        }
    }
    for (; optind < argc; optind++)
        if (!cli_args_push(&args, argv[optind]))
            goto out;
    if (pub_path == NULL) {
        ret = cli_usage_error("verify-sig", "verify-sig needs a public key file (-p PUBKEY_FILE)");
        goto out;
    }
    if (args.n != 1) {
        ret = cli_usage_error("verify-sig", args.n == 0 ? "verify-sig needs a FILE"
                                                        : "verify-sig takes one FILE");
        goto out;
    }
    file = args.v[0];
    if (sig_opt != NULL) {
        sig_path = strdup(sig_opt);
    } else if (asprintf(&sig_path, "%s.minisig", file) < 0) {
        sig_path = NULL;
    }
    ret = CLI_FAIL;
    if (sig_path == NULL) {
        cli_error("out of memory");
        goto out;
    }

    /* the public key */
    if (read_small(&pub_text, &pub_len, pub_path, PUBKEY_FILE_CAP, "public key") != CLI_OK)
        goto out;
    err = sq_minisign_pubkey_parse(&pk, pub_text, pub_len);
    if (err == SQ_ERR_UNSUPPORTED) {
        cli_error("public key '%s' uses an algorithm minisign does not define", cli_namez(pub_path));
        goto out;
    }
    if (err != SQ_OK && !find_pubkey_lines(&pk, pub_text, pub_len)) {
        cli_error("'%s' is not a minisign public key", cli_namez(pub_path));
        cli_hint("give the file written by 'minisign -G', or the lines printed by 'sandyq keygen'");
        goto out;
    }

    /* the signature */
    if (read_small(&sig_text, &sig_len, sig_path, SQ_MINISIGN_SIG_FILE_MAX, "signature") != CLI_OK)
        goto out;
    err = sq_minisign_sig_parse(&sig, sig_text, sig_len);
    if (err != SQ_OK) {
        if (err == SQ_ERR_UNSUPPORTED)
            cli_error("signature '%s' uses an algorithm minisign does not define", cli_namez(sig_path));
        else
            cli_error("'%s' is not a minisign signature file (malformed)", cli_namez(sig_path));
        goto out;
    }
    if (memcmp(sig.keyid, pk.keyid, SQ_MINISIGN_KEYID_BYTES) != 0) {
        cli_error("signature was made with another key (key id %016" PRIX64 ", this key is %016" PRIX64 ")",
                  keyid_u64(sig.keyid), keyid_u64(pk.keyid));
        cli_hint("check that '%s' is the public key of whoever signed '%s'", cli_namez(pub_path),
                 cli_namez(file));
        json_failure(json, "wrong_key");
        goto out;
    }
    /* the trusted comment first: it needs no message, and its failure
     * points at the signature file rather than at FILE */
    if ((err = sq_minisign_verify_comment(&pk, &sig)) != SQ_OK) {
        cli_error("bad trusted comment: signature '%s' was altered or damaged (its trusted comment "
                  "does not verify)", cli_namez(sig_path));
        json_failure(json, "bad_trusted_comment");
        goto out;
    }

    /* the file */
    if ((fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
        e = errno;
        cli_error("cannot open '%s' (%s)", cli_namez(file), cli_errno_str(e));
        goto out;
    }
    if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        e = S_ISDIR(st.st_mode) ? EISDIR : errno;
        cli_error("cannot read '%s' (%s)", cli_namez(file), cli_errno_str(e));
        goto out;
    }
    errno = 0;
    err = sq_minisign_verify_fd(&pk, &sig, fd);
    e = errno;
    if (err == SQ_ERR_AUTH) {
        cli_error("bad signature: '%s' does not match '%s' (the file was changed since it was signed, "
                  "or the signature is for another file)", cli_namez(file), cli_namez(sig_path));
        json_failure(json, "bad_signature");
        goto out;
    }
    if (err == SQ_ERR_LIMIT) {
        cli_error("cannot verify '%s' (a legacy minisign signature needs the whole file in memory, "
                  "and files above 1 GiB are refused)", cli_namez(file));
        cli_hint("ask the signer for a prehashed signature (minisign 0.11 makes them by default)");
        goto out;
    }
    if (err == SQ_ERR_UNSUPPORTED) {
        cli_error("refusing a legacy signature over a 64-byte file: '%s' may be a prehashed "
                  "signature relabelled as legacy, which would vouch for a hash, not a file",
                  cli_namez(sig_path));
        json_failure(json, "ambiguous_legacy");
        goto out;
    }
    if (err != SQ_OK) {
        cli_error("cannot verify '%s' (%s)", cli_namez(file),
                  err == SQ_ERR_IO && e != 0 ? cli_errno_str(e) : sq_err_str(err));
        goto out;
    }

    if (json) {
        printf("{\"verified\":true,\"key_id\":\"%016" PRIX64 "\",\"prehashed\":%s,",
               keyid_u64(sig.keyid), sig.prehashed ? "true" : "false");
        cli_json_key("trusted_comment");
        cli_json_str(sig.trusted_comment, sig.trusted_comment_len);
        fputs("}\n", stdout);
    } else {
        printf("signature verified%s\ntrusted comment: %s\n",
               sig.prehashed ? "" : " (legacy, not prehashed)",
               cli_name(sig.trusted_comment, sig.trusted_comment_len));
    }
    ret = CLI_OK;
out:
    if (fd >= 0)
        close(fd);
    free(pub_text);
    free(sig_text);
    free(sig_path);
    cli_args_free(&args);
    return cli_finish_stdout(ret);
}
