/* search.h: exhaustive breadth-first search of a small world (--search).
 *
 * In the manner of TLC and DSLabs' model checker: from the scenario's world (after an optional
 * automatic prefix), every choice the world offers in manual mode (sim.h: deliver or drop a
 * message, fire a timer, crash or restart a node, a client request, the next automatic item)
 * is taken from every state, level by level, with invariants checked after each; a state whose
 * fingerprint was seen before is not expanded again. Breadth first, so the first violation
 * found is at the least depth: its path of choices is the shortest counterexample.
 *
 * Memory: the seen-set holds 8 bytes per distinct state and each state's (parent, choice)
 * 16 bytes; only the frontier keeps worlds, as compact diffs (sim_encode). max_states bounds
 * the distinct states; when it is reached the search stops and says so. No wall clock here:
 * the caller times it. */
#ifndef ST_SEARCH_H
#define ST_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scenario.h"
#include "sim.h"

typedef struct {
	uint64_t seed;
	int depth;                  /* choices deep at most */
	uint64_t max_states;        /* distinct states kept at most */
	int64_t start_us;           /* run automatically until then, then search */
	int max_crashes, max_drops, max_requests;  /* budgets along one path */
	unsigned kinds;             /* 1 << sim_choice_kind: which choices are open */
} search_opts;

typedef struct {
	uint64_t generated;         /* states reached by a choice (with repeats) */
	uint64_t distinct;          /* states not seen before */
	int depth;                  /* the deepest level fully expanded */
	bool bounded;               /* max_states stopped the search */
	bool violated;
	char invariant[64], detail[200];
	sim_choice *path;           /* the shortest path to the violation (malloc'd) */
	int npath;
	size_t frontier_bytes_max;  /* the largest frontier, encoded */
} search_result;

/* Progress after each level, for the caller's display (may be NULL). */
typedef void (*search_progress_fn)(const search_result *r, int level, uint64_t frontier,
				   void *user);

void search_opts_default(search_opts *o);
/* 0 when the search ran (r says how it ended); -1 when the world could not be made. */
int search_run(const st_scenario *sc, const search_opts *o, search_result *r,
	       search_progress_fn progress, void *user);
void search_result_free(search_result *r);

/* Bring a fresh world (made with the same scenario and seed) to the search's root, then
 * along a path: what --search does to write the counterexample as a trace. */
void search_root(st_sim *s, const search_opts *o);
/* Take choice i of a path: the client request it makes has the value `value`. */
bool search_take(st_sim *s, const st_scenario *sc, const sim_choice *c, int64_t value);

#endif
