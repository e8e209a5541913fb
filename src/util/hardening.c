/* hardening.c: core dumps off, dumpable off, memlock raised. */
#include "util/hardening.h"

#include <stdint.h>
#include <sys/prctl.h>
#include <sys/resource.h>

sq_err
sq_harden_process(void)
{
    struct rlimit rl = { 0, 0 };
    sq_err        ret = SQ_OK;

    /* a core file would hold keys and plaintext in the clear */
    if (setrlimit(RLIMIT_CORE, &rl) != 0)
        ret = SQ_ERR_IO;
    /* also blocks /proc/self/mem readers and ptrace by same-uid processes */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
        ret = SQ_ERR_IO;
    /* sodium_malloc's mlock fails silently past the soft limit */
    if (getrlimit(RLIMIT_MEMLOCK, &rl) != 0) {
        ret = SQ_ERR_IO;
    } else if (rl.rlim_cur != rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_MEMLOCK, &rl) != 0)
            ret = SQ_ERR_IO;
    }
    return ret;
}

size_t
sq_harden_memlock_limit(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_MEMLOCK, &rl) != 0)
        return 0;
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > SIZE_MAX)
        return SIZE_MAX;
    return (size_t)rl.rlim_cur;
}
