/* shrink.h: making a failing run small (delta debugging over its injected actions).
 *
 * A failing explore run is its seed plus the list of actions the fault engine injected
 * (swarm.h: faults, extra client requests, drops, each at its step and time). Shrinking looks
 * for a small sublist under which the same invariant still breaks: Zeller's ddmin, testing a
 * sublist by replaying the seed with only those actions, down to a list from which no single
 * action can be removed (or until the budget of runs is spent). Fewer actions make fewer
 * client operations and fewer steps: the replay stops at the violation. */
#ifndef ST_SHRINK_H
#define ST_SHRINK_H

#include <stdbool.h>
#include <stdint.h>

#include "swarm.h"

typedef struct {
	uint32_t acts_before, acts_after;
	uint32_t requests_before, requests_after;
	uint64_t steps_before, steps_after;
	uint32_t events_before, events_after;
	uint32_t runs;          /* replays tried */
	bool budget_spent;      /* stopped by max_runs, not at a 1-minimal list */
} shrink_stats;

/* keep (rec->n entries) comes back marking the minimal sublist. False when even the whole
 * list no longer breaks `invariant` (it always should: the replay is exact). */
bool shrink_run(sw_engine *e, sw_check how, uint64_t seed, const sw_list *rec,
		const char *invariant, uint64_t max_steps, uint32_t max_runs, bool *keep,
		shrink_stats *st);

#endif
