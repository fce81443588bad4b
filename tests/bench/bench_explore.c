/* bench_explore.c: how fast the bug-finding tools go, and how soon they find the bugs (issue
 * 11). Numbers for the README; tests/explore.sh checks the behaviour.
 *
 *   search:   states generated per second of --search on three-node Raft (the search fixture
 *             from its set-up at 3 s, correct Raft), by depth, and the bug's depth and states
 *   explore:  seeds per second of --explore on correct Raft (raft-replication, swarm plans,
 *             5000 steps a seed)
 *   variants: for each weakened variant of a shipped lesson (set by --param), the seeds
 *             --explore needs to find its bug, the median over five base seeds */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/swarm.h"
#include "core/scenario.h"
#include "core/search.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static st_scenario *load(const char *path, const char *const *params)
{
	char err[1024];
	st_scenario *sc = scenario_load(path, err, sizeof err);
	if (!sc) {
		fprintf(stderr, "bench_explore: %s\n", err);
		exit(1);
	}
	for (int i = 0; params && params[i]; i += 2)
		if (scenario_set_param(sc, params[i], params[i + 1], err, sizeof err) != 0) {
			fprintf(stderr, "bench_explore: %s\n", err);
			exit(1);
		}
	return sc;
}

static void bench_search(void)
{
	static const char *const correct[] = {"bug", "none", NULL};
	st_scenario *sc = load("tests/fixtures/raft-search-bug.json", correct);
	for (int depth = 4; depth <= 6; depth++) {
		search_opts so;
		search_opts_default(&so);
		so.seed = sc->seed;
		so.depth = depth;
		so.start_us = 3000000;
		so.max_states = 4000000;
		search_result r;
		double t0 = now_s();
		search_run(sc, &so, &r, NULL, NULL);
		double secs = now_s() - t0;
		printf("search raft x3 (correct), depth %d: %llu generated, %llu distinct in %.2f s: "
		       "%.0f states/s%s%s; frontier %.1f MiB\n", depth,
		       (unsigned long long)r.generated, (unsigned long long)r.distinct, secs,
		       (double)r.generated / secs, r.violated ? "; VIOLATION" : "",
		       r.bounded ? "; bounded" : "", (double)r.frontier_bytes_max / (1 << 20));
		search_result_free(&r);
	}
	scenario_free(sc);
	sc = load("tests/fixtures/raft-search-bug.json", NULL);
	search_opts so;
	search_opts_default(&so);
	so.seed = sc->seed;
	so.depth = 8;
	so.start_us = 3000000;
	search_result r;
	double t0 = now_s();
	search_run(sc, &so, &r, NULL, NULL);
	double secs = now_s() - t0;
	printf("search raft x3 (commit-old-term): %s at depth %d after %llu generated, %llu "
	       "distinct, %.2f s\n", r.violated ? r.invariant : "not found", r.npath,
	       (unsigned long long)r.generated, (unsigned long long)r.distinct, secs);
	search_result_free(&r);
	scenario_free(sc);
}

/* Seeds until the first violation from base, at most max; max + 1 when none was found. */
static uint64_t seeds_to_find(const st_scenario *sc, int kinds, uint64_t base, uint64_t max,
			      uint64_t steps)
{
	sw_engine e;
	sw_engine_init(&e, sc, kinds);
	sw_learn_moments(&e, steps);
	sw_list rec = {0};
	uint64_t found = max + 1;
	for (uint64_t i = 0; i < max; i++) {
		sw_plan p;
		sw_plan_for(&e, base + i, &p);
		rec.n = 0;
		sw_result res;
		sw_run(&e, SW_CHECK_STATE, base + i, &p, NULL, NULL, steps, NULL, NULL, &rec, &res);
		if (res.status == SIM_VIOLATION) {
			found = i + 1;
			break;
		}
	}
	sw_list_free(&rec);
	sw_engine_free(&e);
	return found;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void bench_explore(void)
{
	const int kinds = FAULT_PARTITION | FAULT_CRASH | FAULT_LOSS | FAULT_DUP | FAULT_PAUSE;
	st_scenario *sc = load("scenarios/raft-replication.json", NULL);
	sw_engine e;
	sw_engine_init(&e, sc, kinds);
	sw_learn_moments(&e, 5000);
	sw_list rec = {0};
	uint64_t n = 200, viol = 0, events = 0;
	double t0 = now_s();
	for (uint64_t i = 0; i < n; i++) {
		sw_plan p;
		sw_plan_for(&e, 1 + i, &p);
		rec.n = 0;
		sw_result res;
		sw_run(&e, SW_CHECK_STATE, 1 + i, &p, NULL, NULL, 5000, NULL, NULL, &rec, &res);
		viol += res.status == SIM_VIOLATION;
		events += res.events;
	}
	double secs = now_s() - t0;
	printf("explore raft-replication (correct), %llu seeds x 5000 steps: %.1f seeds/s, %.0f "
	       "events/s, %u abstract states, %llu violations\n", (unsigned long long)n,
	       (double)n / secs, (double)events / secs, e.nseen, (unsigned long long)viol);
	sw_list_free(&rec);
	sw_engine_free(&e);
	scenario_free(sc);

	static const struct {
		const char *name, *path;
		const char *params[8];
		uint64_t max, steps;
	} variants[] = {
		{"raft commit-old-term", "scenarios/raft-replication.json",
		 {"bug", "commit-old-term", NULL}, 1000, 20000},
		{"broadcast fifo without fifo order", "scenarios/broadcast-fifo.json",
		 {"relay", "eager", "order", "none", "require", "fifo", NULL}, 1000, 2000},
		{"broadcast causal with fifo order", "scenarios/broadcast-causal.json",
		 {"relay", "none", "order", "fifo", "require", "causal", NULL}, 1000, 2000},
		{"broadcast total with causal order", "scenarios/broadcast-total.json",
		 {"relay", "eager", "order", "causal", "require", "total", NULL}, 1000, 2000},
		{"rpc without exactly once", "scenarios/rpc-retries.json",
		 {"check_exactly_once", "true", NULL}, 1000, 2000},
	};
	static const uint64_t bases[5] = {1, 10001, 20001, 30001, 40001};
	for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
		st_scenario *vs = load(variants[v].path, variants[v].params);
		uint64_t need[5];
		double t1 = now_s();
		for (int b = 0; b < 5; b++)
			need[b] = seeds_to_find(vs, kinds, bases[b], variants[v].max, variants[v].steps);
		double vsecs = now_s() - t1;
		uint64_t sorted[5];
		memcpy(sorted, need, sizeof sorted);
		qsort(sorted, 5, sizeof sorted[0], cmp_u64);
		printf("variant %-36s seeds to find: median %llu (%llu %llu %llu %llu %llu; >%llu = "
		       "not found), %.1f s\n", variants[v].name, (unsigned long long)sorted[2],
		       (unsigned long long)need[0], (unsigned long long)need[1],
		       (unsigned long long)need[2], (unsigned long long)need[3],
		       (unsigned long long)need[4], (unsigned long long)variants[v].max, vsecs);
		scenario_free(vs);
	}
}

int main(void)
{
	bench_search();
	bench_explore();
	return 0;
}
