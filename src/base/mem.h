/* mem.h: the one allocation helper, with the one out-of-memory policy.
 *
 * spacetime bounds what it holds by limits on its inputs (event counts, line lengths, the
 * history's cap), so running out of memory is not an input error to report and recover from:
 * it is the machine refusing. Every allocation in the program goes through these functions,
 * and they all answer it the same way: a message naming what was asked for on stderr and exit
 * status 1 (the terminal program restores the terminal from its atexit handler). No caller
 * checks for NULL, and no file keeps a grow helper of its own.
 *
 * It lives in src/base, below core and protocols alike: it includes nothing of the project. */
#ifndef ST_MEM_H
#define ST_MEM_H

#include <stddef.h>

/* malloc, calloc (zeroed), realloc and strdup that never return NULL. A size of 0 is
 * allocated as 1 so the result is always a pointer that free() takes. */
void *st_alloc(size_t bytes);
void *st_zalloc(size_t count, size_t elem);
void *st_realloc(void *p, size_t bytes);
char *st_strdup(const char *s);

/* Grow *p, an array of elements of elem bytes with room for *cap of them, to hold at least
 * need: capacity doubles (from 16), new room is zeroed. The array and cap may be 0 / NULL.
 * Counts overflowing size_t are treated as out of memory. */
void st_grow(void *pp, size_t *cap, size_t need, size_t elem);
/* The same for a uint32_t capacity (the trace's and the views' counters). */
void st_grow32(void *pp, unsigned *cap, size_t need, size_t elem);

/* Report running out of memory and exit 1: for the few places that allocate by other means
 * (mmap) and must fail the same way. */
_Noreturn void st_oom(size_t bytes);

#endif
