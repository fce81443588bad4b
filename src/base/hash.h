/* hash.h: the one hash of the program, 64-bit FNV-1a.
 *
 * Interned strings, state fingerprints (the search's seen-set, coverage), the lesson pane's
 * text identity and the checkers' maps all hash with these, so one offset basis and one prime
 * are written once. Inline because callers hash in their inner loops. Not for adversaries: a
 * map fed by an input file bounds its size instead. */
#ifndef ST_HASH_H
#define ST_HASH_H

#include <stddef.h>
#include <stdint.h>

#define ST_HASH_INIT 14695981039346656037ull   /* the FNV-1a 64 offset basis */
#define ST_HASH_PRIME 1099511628211ull

/* Fold n bytes into h (start from ST_HASH_INIT). */
static inline uint64_t st_hash_add(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * ST_HASH_PRIME;
	return h;
}
static inline uint64_t st_hash_bytes(const void *p, size_t n)
{ return st_hash_add(ST_HASH_INIT, p, n); }
/* A NUL-terminated string. */
static inline uint64_t st_hash_str(const char *s)
{
	uint64_t h = ST_HASH_INIT;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * ST_HASH_PRIME;
	return h;
}
/* Fold one 64-bit value into h as one word (FNV-1a over words: eight times fewer multiplies
 * than over its bytes, for the hot state fingerprints; the value, not its bytes, is hashed,
 * so the result is the same on any byte order). */
static inline uint64_t st_hash_u64(uint64_t h, uint64_t v)
{
	return (h ^ v) * ST_HASH_PRIME;
}

#endif
