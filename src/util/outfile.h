/* outfile.h: plaintext outputs that appear only once complete.
 *
 * BRIEF "Authenticate before release": decrypted bytes go to an unnamed
 * O_TMPFILE in the target's folder (or, where the file system lacks it, an
 * O_EXCL 0600 file ".<target>.sandyq-tmp-<16 hex>" beside it), and only
 * sq_outfile_commit, called after the last chunk authenticated, gives it the
 * target's name. A crash leaves nothing under the target's name; a stale
 * named temporary is removed by sq_outfile_cleanup_dir at the next start.
 * Outputs are mode 0600 whatever the umask. */
#ifndef SQ_UTIL_OUTFILE_H
#define SQ_UTIL_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "sandyq/error.h"

typedef struct sq_outfile sq_outfile;

/* sq_outfile_open: prepares an output for target (a path; "-" is the
 * caller's business and gives SQ_ERR_INVALID). Without force an existing
 * target (even a dangling symlink) gives SQ_ERR_EXISTS, and the check is
 * repeated atomically at commit. On success *out is owned by the caller:
 * release it with sq_outfile_abort (after commit or not). */
sq_err sq_outfile_open(sq_outfile **out, const char *target, bool force);

/* sq_outfile_fd: the descriptor of the temporary (write-only). */
int    sq_outfile_fd(const sq_outfile *f);

/* sq_outfile_write: appends len bytes (through sq_io). */
sq_err sq_outfile_write(sq_outfile *f, const void *buf, size_t len);

/* sq_outfile_commit: fsync, then give the file its name: without force,
 * linkat (SQ_ERR_EXISTS if the target appeared meanwhile); with force, link
 * to a temporary name and rename it over the target (atomic replacement).
 * Then fsync the folder. After a failure the output is not committed and
 * sq_outfile_abort removes what was made. */
sq_err sq_outfile_commit(sq_outfile *f);

/* sq_outfile_abort: removes the temporary if not committed, closes, frees.
 * NULL is ignored. */
void   sq_outfile_abort(sq_outfile *f);

/* sq_outfile_cleanup_dir: removes stale ".*.sandyq-tmp-<16 hex>" regular
 * files in target's folder (left by a crash); files another live process
 * still holds (flock) are left alone. */
void   sq_outfile_cleanup_dir(const char *target);

#endif
