/* ct.h: marks for the constant-time test (tests/unit/test_slip39_ct.c).
 *
 * That test runs under valgrind memcheck with secret bytes marked undefined
 * (SQ_CT_SECRET); memcheck then reports any branch or memory address that
 * depends on them. The few verdicts that must become public (a checksum is
 * valid, a word is in the list, padding is zero, a digest matches) are
 * declassified here, at the one place each is decided, so the test shows
 * nothing else leaks. Outside valgrind these client requests are a handful
 * of no-op instructions; without the valgrind headers they vanish. */
#ifndef SQ_SHARE_CT_H
#define SQ_SHARE_CT_H

#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define SQ_CT_HAVE_VALGRIND 1
#endif
#endif

/* sq_ct_marking: set only by the constant-time test. Without it the marks
 * do nothing, so ordinary memcheck runs of programs that split (the vault
 * share tests, a user's valgrind) do not see shares as uninitialised. */
#include <stdbool.h>
extern bool sq_ct_marking;

#ifdef SQ_CT_HAVE_VALGRIND
#define SQ_CT_SECRET(p, len) \
    ((void)(sq_ct_marking ? VALGRIND_MAKE_MEM_UNDEFINED((p), (len)) : 0))
#define SQ_CT_DECLASSIFY(p, len) ((void)VALGRIND_MAKE_MEM_DEFINED((p), (len)))
#else
#define SQ_CT_SECRET(p, len)     ((void)(p), (void)(len))
#define SQ_CT_DECLASSIFY(p, len) ((void)(p), (void)(len))
#endif

#endif
