/* test_distinguisher_slow.c: the format-aware distinguisher of
 * test_distinguisher.c at a larger sample: 256 vaults with 1 way in and as
 * many random files, 48 vaults with 64 ways in (about 6000 Argon2id runs).
 * The bounds scale with the sample; the code is the same file. */
#define DZ_NAME   "test_distinguisher_slow"
#define DZ_N_ONE  256
#define DZ_N_MANY 48
#include "test_distinguisher.c"
