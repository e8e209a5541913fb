/* secret.h: guarded arenas for keys, passphrases and decrypted buffers.
 *
 * Why arenas: every sodium_malloc region costs three or four mappings and
 * mlock()ed pages, so one region per object fails after about 16,000 objects
 * (vm.max_map_count) and stops locking past RLIMIT_MEMLOCK without saying so.
 * A few large sodium_malloc regions (guard pages, mlock, MADV_DONTDUMP) are
 * carved up here instead. Free memory inside an arena is always zero. */
#ifndef SQ_UTIL_SECRET_H
#define SQ_UTIL_SECRET_H

#include <stdbool.h>
#include <stddef.h>

#define SQ_SECRET_ARENA_BYTES   ((size_t)1 << 20)   /* default arena size */
#define SQ_SECRET_MAX_ALLOC     ((size_t)64 << 20)  /* largest single request */
#define SQ_SECRET_MAX_ARENAS    64

/* sq_secret_init: creates the first arena; idempotent. Returns false if it
 * cannot be created. sodium_init() must have run. */
bool sq_secret_init(void);

/* sq_secret_alloc: len zeroed bytes, 16-byte aligned, from an arena (a new
 * one is added when needed). NULL when len > SQ_SECRET_MAX_ALLOC or all
 * arenas are full. len 0 gives a valid, distinct pointer. Thread-safe. */
void *sq_secret_alloc(size_t len);

/* sq_secret_free: wipes p's len bytes and returns them to the arena. NULL is
 * ignored. len must be the length given to sq_secret_alloc: a pointer that is
 * not the start of a live allocation of that length is misuse and abort()s. */
void sq_secret_free(void *p, size_t len);

/* sq_secret_shutdown: wipes and frees every arena (tests, exit paths). Every
 * pointer handed out before is invalid afterwards. */
void sq_secret_shutdown(void);

/* sq_secret_unlocked_bytes: bytes of arena memory that mlock() could not pin
 * (RLIMIT_MEMLOCK too low); the CLI may warn that secrets could reach swap. */
size_t sq_secret_unlocked_bytes(void);

#endif
