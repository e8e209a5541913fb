/* hardening.h: process-wide protections taken before any secret exists. */
#ifndef SQ_UTIL_HARDENING_H
#define SQ_UTIL_HARDENING_H

#include <stddef.h>

#include "sandyq/error.h"

/* sq_harden_process: no core dumps (RLIMIT_CORE = 0), not dumpable and not
 * ptrace-attachable by other processes of the same user (PR_SET_DUMPABLE 0),
 * and the soft RLIMIT_MEMLOCK raised to the hard limit so the secret arenas
 * can be locked. Returns SQ_OK, or SQ_ERR_IO if any step failed (all are
 * still attempted). Call it first in main(). */
sq_err sq_harden_process(void);

/* sq_harden_memlock_limit: the current soft RLIMIT_MEMLOCK in bytes
 * (SIZE_MAX when unlimited, 0 if it cannot be read). */
size_t sq_harden_memlock_limit(void);

#endif
