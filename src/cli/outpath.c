/* outpath.c: the checks and messages every command that writes an output
 * file shares (decrypt, encrypt, keygen, sign, identity). */
#include "cli.h"

#include <sys/stat.h>

int
cli_output_check(const char *path, bool force)
{
    struct stat st;

    if (lstat(path, &st) != 0)
        return CLI_OK;
    if (S_ISDIR(st.st_mode)) {
        cli_error("cannot write '%s' (is a folder)", cli_namez(path));
        return CLI_FAIL;
    }
    if (!force) {
        cli_error("cannot write '%s' (file exists)", cli_namez(path));
        cli_hint("use --force to replace it");
        return CLI_FAIL;
    }
    return CLI_OK;
}

int
cli_output_error(const char *path, sq_err err, int saved_errno)
{
    if (err == SQ_ERR_EXISTS) {
        cli_error("cannot write '%s' (file exists)", cli_namez(path));
        cli_hint("use --force to replace it");
    } else {
        cli_error("cannot write '%s' (%s)", cli_namez(path),
                  err == SQ_ERR_IO && saved_errno != 0 ? cli_errno_str(saved_errno) : sq_err_str(err));
    }
    return CLI_FAIL;
}
