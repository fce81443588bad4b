/* mem.c: allocation with one out-of-memory policy (see mem.h). */
#include "mem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Noreturn void st_oom(size_t bytes)
{
	fprintf(stderr, "spacetime: out of memory (asked for %zu bytes)\n", bytes);
	exit(1);
}

void *st_alloc(size_t bytes)
{
	void *p = malloc(bytes ? bytes : 1);
	if (!p)
		st_oom(bytes);
	return p;
}

void *st_zalloc(size_t count, size_t elem)
{
	if (elem && count > SIZE_MAX / elem)
		st_oom(SIZE_MAX);
	void *p = calloc(count ? count : 1, elem ? elem : 1);
	if (!p)
		st_oom(count * elem);
	return p;
}

void *st_realloc(void *p, size_t bytes)
{
	void *q = realloc(p, bytes ? bytes : 1);
	if (!q)
		st_oom(bytes);
	return q;
}

char *st_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = st_alloc(n);
	memcpy(d, s, n);
	return d;
}

/* The new capacity for need elements: doubling from 16, or exactly need past the top. */
static size_t mem_next_cap(size_t cap, size_t need, size_t elem, size_t limit)
{
	size_t c = cap ? cap : 16;
	while (c < need && c <= limit / 2)
		c *= 2;
	if (c < need)
		c = need;
	if (c > limit || (elem && c > SIZE_MAX / elem))
		st_oom(SIZE_MAX);
	return c;
}

static void mem_grow_to(void **p, size_t old, size_t c, size_t elem)
{
	char *q = st_realloc(*p, c * elem);
	memset(q + old * elem, 0, (c - old) * elem);
	*p = q;
}

void st_grow(void *pp, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return;
	size_t c = mem_next_cap(*cap, need, elem, SIZE_MAX);
	mem_grow_to(pp, *cap, c, elem);
	*cap = c;
}

void st_grow32(void *pp, unsigned *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return;
	size_t c = mem_next_cap(*cap, need, elem, UINT32_MAX);
	mem_grow_to(pp, *cap, c, elem);
	*cap = (unsigned)c;
}
