/* bench_sim.c: how fast the world runs and records, how fast a trace exports, how much memory
 * an event costs, and how fast time travel is. Numbers for the README; tests check behaviour,
 * this measures it.
 *
 *   simulate+record: a Raft run of 1,000,000 events into an in-memory trace, one core
 *   export:          that trace written as JSON to a temporary file
 *   bytes/event:     what the in-memory trace holds, divided by its events; and what the
 *                    history adds (snapshots, the run's index), all in all
 *   time travel:     step back one event, and seek to random events, in that run */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/history.h"
#include "core/scenario.h"
#include "core/sim.h"
#include "core/trace_json.h"

#define TARGET_EVENTS 1000000u

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of this process (user + system): on a shared, loaded machine the wall clock also
 * counts the time others ran, so both are printed. */
static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void stats(double *v, int n, double *median, double *worst)
{
	qsort(v, (size_t)n, sizeof *v, cmp_d);
	*median = v[n / 2];
	*worst = v[n - 1];
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "scenarios/raft-replication.json";
	char err[2048];
	st_scenario *sc = scenario_load(path, err, sizeof err);
	if (!sc) {
		fprintf(stderr, "bench: %s\n", err);
		return 1;
	}
	/* simulate + record */
	st_trace *t = trace_new(sc->name, sc->protocol, sc->seed, sc->nnodes, sc->nclients, NULL);
	sim_opts o = {sc->seed, false, 0};
	st_sim *s = sim_new(sc, &o, t);
	double t0 = now_s(), c0 = cpu_s();
	while (trace_count(t) < TARGET_EVENTS)
		if (sim_step(s) == SIM_IDLE)
			break;
	double t1 = now_s(), c1 = cpu_s();
	uint32_t n = trace_count(t);
	printf("simulate+record: %u events (%s, %d processes) in %.3f s: %.2f M events/s "
	       "(CPU %.3f s: %.2f M events/s)\n", n, sc->name, sc->nnodes + sc->nclients, t1 - t0,
	       n / (t1 - t0) / 1e6, c1 - c0, n / (c1 - c0) / 1e6);
	printf("memory: %.1f bytes/event (trace %.1f MB)\n", (double)trace_bytes(t) / n,
	       trace_bytes(t) / 1e6);

	/* export */
	char out[] = "/tmp/spacetime-bench-XXXXXX";
	int fd = mkstemp(out);
	if (fd >= 0)
		close(fd);
	tj_meta meta = {path, NULL};
	t0 = now_s();
	c0 = cpu_s();
	if (trace_json_export(t, out, &meta, err, sizeof err) != 0) {
		fprintf(stderr, "bench: %s\n", err);
		return 1;
	}
	t1 = now_s();
	c1 = cpu_s();
	FILE *f = fopen(out, "r");
	long size = 0;
	if (f) {
		fseek(f, 0, SEEK_END);
		size = ftell(f);
		fclose(f);
	}
	unlink(out);
	printf("export: %u events, %.1f MB of JSON in %.3f s: %.2f M events/s (CPU %.3f s: "
	       "%.2f M events/s)\n", n, size / 1e6, t1 - t0, n / (t1 - t0) / 1e6, c1 - c0,
	       n / (c1 - c0) / 1e6);
	sim_free(s);
	trace_free(t);

	/* time travel over a run of the same length */
	sim_opts oc = {sc->seed, false, 0};
	st_history *h = history_new(sc, &oc);
	while (history_end(h) < TARGET_EVENTS)
		if (history_step(h) == SIM_IDLE)
			break;
	uint32_t end = history_end(h);
	enum { N = 400 };
	double back[N], seek[N];
	for (int i = 0; i < N; i++) {
		uint32_t c = history_cursor(h);
		double a = now_s();
		history_seek(h, c - 1);
		back[i] = (now_s() - a) * 1e3;
	}
	uint64_t x = 88172645463325252ULL;
	for (int i = 0; i < N; i++) {
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		uint32_t to = (uint32_t)(x % end);
		double a = now_s();
		history_seek(h, to);
		seek[i] = (now_s() - a) * 1e3;
	}
	double bm, bw, sm, sw;
	stats(back, N, &bm, &bw);
	stats(seek, N, &sm, &sw);
	int nsnap;
	size_t snap = history_snapshot_bytes(h, &nsnap);
	printf("time travel (%u events): step back median %.3f ms worst %.3f ms; "
	       "seek to a random event median %.3f ms worst %.3f ms\n", end, bm, bw, sm, sw);
	size_t ixb = trace_index_bytes(history_index(h));
	size_t trb = trace_bytes(history_trace(h));
	printf("snapshots: %d, %.1f MB (%.1f bytes/event); index %.2f MB (%.2f bytes/event); "
	       "history in all %.1f bytes/event\n", nsnap, snap / 1e6, (double)snap / end,
	       ixb / 1e6, (double)ixb / end, (double)(trb + snap + ixb) / end);
	history_free(h);
	scenario_free(sc);
	return 0;
}
