/* intmap.h: an open-addressing hash map from 64-bit keys to 32-bit values.
 *
 * The readers of traces need a few of these (a file's message ids to ours, invokes to their
 * process, a protocol checker's records by index or term, interned strings by hash): one small map
 * serves all of them. Zero-initialised is empty; intmap_free releases it. */
#ifndef ST_INTMAP_H
#define ST_INTMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
	int64_t key;
	uint32_t val;
	uint32_t used;
} intmap_slot;

typedef struct {
	intmap_slot *s;
	size_t cap, n;
} intmap;

/* The value of key k, or NULL. */
uint32_t *intmap_get(const intmap *m, int64_t k);
/* Insert or overwrite; false when out of memory. */
bool intmap_put(intmap *m, int64_t k, uint32_t v);
void intmap_free(intmap *m);

#endif
