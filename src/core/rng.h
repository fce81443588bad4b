/* rng.h: the world's one seeded PRNG.
 *
 * xoshiro256** seeded through splitmix64: fast, small (32 bytes of state, so a snapshot copies
 * it), and the same sequence on every machine. Nothing in the simulation may draw randomness
 * from anywhere else; that is what makes a run a function of (scenario, seed, actions). */
#ifndef ST_RNG_H
#define ST_RNG_H

#include <stdint.h>

typedef struct { uint64_t s[4]; } st_rng;

void rng_seed(st_rng *r, uint64_t seed);
uint64_t rng_next(st_rng *r);
/* Uniform in [lo, hi] (inclusive), without modulo bias. */
int64_t rng_range(st_rng *r, int64_t lo, int64_t hi);
/* Uniform in [0, 1). */
double rng_unit(st_rng *r);
/* True with probability p. */
int rng_chance(st_rng *r, double p);

#endif
