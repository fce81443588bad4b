/* intmap.c: see intmap.h. */
#include <stdlib.h>

#include "../base/mem.h"
#include "intmap.h"

static size_t intmap_hash(int64_t k, size_t cap)
{
	uint64_t x = (uint64_t)k;
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (size_t)(x & (cap - 1));
}

uint32_t *intmap_get(const intmap *m, int64_t k)
{
	if (!m->cap)
		return NULL;
	for (size_t i = intmap_hash(k, m->cap);; i = (i + 1) & (m->cap - 1)) {
		if (!m->s[i].used)
			return NULL;
		if (m->s[i].key == k)
			return &m->s[i].val;
	}
}

bool intmap_put(intmap *m, int64_t k, uint32_t v)
{
	uint32_t *old = intmap_get(m, k);
	if (old) {
		*old = v;
		return true;
	}
	if ((m->n + 1) * 2 > m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		intmap_slot *s = st_zalloc(cap, sizeof *s);
		for (size_t i = 0; i < m->cap; i++) {
			if (!m->s[i].used)
				continue;
			size_t j = intmap_hash(m->s[i].key, cap);
			while (s[j].used)
				j = (j + 1) & (cap - 1);
			s[j] = m->s[i];
		}
		free(m->s);
		m->s = s;
		m->cap = cap;
	}
	size_t i = intmap_hash(k, m->cap);
	while (m->s[i].used)
		i = (i + 1) & (m->cap - 1);
	m->s[i] = (intmap_slot){k, v, 1};
	m->n++;
	return true;
}

void intmap_free(intmap *m)
{
	free(m->s);
	m->s = NULL;
	m->cap = m->n = 0;
}
