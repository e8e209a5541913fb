/* test_sweep_slow.c: the exhaustive tamper sweep: every bit of both salts,
 * both slot areas (all 64 slots each), the filler, the four root anchors and
 * both copies of every object, plus 4000 random bits in document chunks and
 * 4000 in free space; two worker processes, about 900,000 flips. The
 * implementation is test_sweep.c's; only the mode differs (its top comment
 * says what each flip must and must not do). */
#define SQ_SWEEP_EXHAUSTIVE 1
#define SQ_SWEEP_NAME       "test_sweep_slow"
#include "test_sweep.c"
