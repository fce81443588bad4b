/* bench_render.c: how long one frame of the timeline takes on a long run.
 *
 * The timeline must cost what is visible, never what is recorded: a user who lets a Raft run
 * go for a million events and scrolls around should not feel it. This builds a 1,000,000-event
 * Raft trace, then times timeline_draw at 200x60 with the window in the middle of the run and
 * at its end (following the present, as while playing), 1000 frames each, and prints median,
 * p99 and worst. The same frame at the end of a 100,000-event prefix is printed too: the two
 * figures should match, since a frame finds its window by binary search and what holds at the
 * window's edge from the run's index (core/trace_index.h). Extending the index over the new
 * 900,000 events is timed on its own (the history does it a step at a time), with the index's
 * bytes per event. A zoomed-out frame (1 s a column, tens of thousands of events in view)
 * shows the other axis: cost grows with what is on screen. Issue 9 adds the logical axis and
 * heartbeats hidden (each at the end and in the middle), and the crossing count: cells where
 * two message lines cross, per message drawn, on raft-replication at 120x40, in real time with
 * every class and in logical time with heartbeats hidden. Wall clock is fine here, unlike in
 * the core: this measures the machine, not the simulation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/scenario.h"
#include "core/sim.h"
#include "core/trace.h"
#include "views/view.h"

#define EVENTS 1000000u
#define PREFIX 100000u
#define FRAMES 1000     /* per figure: enough that p99 is not just the worst two */
#define W 200
#define H 60

static double clock_ms(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double now_ms(void) { return clock_ms(CLOCK_MONOTONIC); }
/* CPU time of this thread: on a shared machine the wall-clock worst case is often another
 * process's time slice, not ours; both are printed. */
static double cpu_ms(void) { return clock_ms(CLOCK_THREAD_CPUTIME_ID); }

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

typedef struct { double median, p99, worst, cpu_p99, cpu_worst; } timing;

/* FRAMES frames of the model as given (the app redraws the same window while nothing moves,
 * and that is the frame that has to be cheap). */
static timing time_frames(grid *g, const view_model *m)
{
	double t[FRAMES], c[FRAMES];
	for (int i = 0; i < FRAMES; i++) {
		double a = now_ms(), b = cpu_ms();
		grid_clear(g);
		timeline_draw(g, (grid_rect){0, 0, W, H}, m);
		t[i] = now_ms() - a;
		c[i] = cpu_ms() - b;
	}
	qsort(t, FRAMES, sizeof t[0], cmp_double);
	qsort(c, FRAMES, sizeof c[0], cmp_double);
	return (timing){t[FRAMES / 2], t[FRAMES * 99 / 100], t[FRAMES - 1], c[FRAMES * 99 / 100],
			c[FRAMES - 1]};
}

static view_model model_at(const st_scenario *sc, const st_sim *s, const st_trace *t,
			   const trace_index *ix, int64_t us_per_col)
{
	view_model m;
	memset(&m, 0, sizeof m);
	m.sc = sc;
	m.sim = s;
	m.trace = t;
	m.index = ix;
	m.cursor = trace_count(t) - 1;
	m.now_us = sim_now_us(s);
	m.selected = m.marked = TRACE_NONE;
	m.sel_flight = -1;
	m.us_per_col = us_per_col;
	m.show_labels = true;
	m.focus = PANE_TIMELINE;
	/* following the present: now three quarters across, as the app keeps it */
	int cols = W - (timeline_col_of(&m, (grid_rect){0, 0, W, H}, 0) - 0) - 1;
	int64_t t0 = m.now_us - (int64_t)cols * 3 / 4 * us_per_col;
	m.t0_us = t0 > 0 ? t0 / us_per_col * us_per_col : 0;
	m.follow = true;
	return m;
}

/* ---- crossings: how readable the diagram is on a busy stretch ---------------------------- */

#define XW 120
#define XH 40
#define XSTEPS 700      /* raft-replication to here: replicating with n3 and n4 down */

/* Crossing cells per message drawn, in the timeline pane of a 120x40 screen, on
 * raft-replication at the end of XSTEPS steps (following the present): in real time with
 * every class, and in logical time with the heartbeats hidden. Returns 0 when the lesson is
 * not there. */
static int bench_crossings(void)
{
	char err[1024];
	st_scenario *sc = scenario_load("scenarios/raft-replication.json", err, sizeof err);
	if (!sc) {
		printf("crossings: skipped (%s)\n", err);
		return 0;
	}
	st_trace *t = trace_new(sc->name, sc->protocol, sc->seed, sc->nnodes, sc->nclients, NULL);
	sim_opts o = {sc->seed, false, 0};
	st_sim *s = sim_new(sc, &o, t);
	sim_run_steps(s, XSTEPS);
	trace_index *ix = trace_index_new(t, sc);
	trace_index_sync(ix);
	view_model m = model_at(sc, s, t, ix, 5000);    /* the app's zoom at this width */
	view_layout L;
	layout_compute(XW, XH, &m, &L);
	grid *g = grid_new(XW, XH);
	timeline_stats all, thin;
	timeline_draw_stats(g, L.timeline, &m, &all);
	int hb = -1;
	for (int k = 0; k < t->proto->n_msg_classes; k++)
		if (strcmp(t->proto->msg_classes[k], "heartbeat") == 0)
			hb = k;
	view_model lm = m;
	lm.logical = true;
	lm.hidden_classes = hb >= 0 ? 1u << hb : 0;
	grid_clear(g);
	timeline_draw_stats(g, L.timeline, &lm, &thin);
	double a = all.messages ? (double)all.crossings / all.messages : 0;
	double b = thin.messages ? (double)thin.crossings / thin.messages : 0;
	printf("crossings: raft-replication at %dx%d after %d steps: real time, every class: %u "
	       "crossing cells / %u messages = %.2f per message; logical time, heartbeats hidden: "
	       "%u / %u = %.2f per message (%.0f%% of the first)\n", XW, XH, XSTEPS, all.crossings,
	       all.messages, a, thin.crossings, thin.messages, b, a > 0 ? 100 * b / a : 0);
	grid_free(g);
	trace_index_free(ix);
	sim_free(s);
	trace_free(t);
	scenario_free(sc);
	return 0;
}

int main(void)
{
	bench_crossings();
	static const char *const candidates[] = {
		"scenarios/raft-replication.json", "scenarios/raft-election.json",
		"tests/fixtures/timeline-raft.json",
	};
	char err[1024];
	st_scenario *sc = NULL;
	const char *path = NULL;
	for (size_t i = 0; i < sizeof candidates / sizeof candidates[0] && !sc; i++) {
		FILE *f = fopen(candidates[i], "r");
		if (!f)
			continue;
		fclose(f);
		path = candidates[i];
		sc = scenario_load(path, err, sizeof err);
		if (!sc)
			fprintf(stderr, "bench_render: %s\n", err);
	}
	if (!sc) {
		fprintf(stderr, "bench_render: no Raft scenario found (run from the repository root)\n");
		return 1;
	}
	st_trace *t = trace_new(sc->name, sc->protocol, sc->seed, sc->nnodes, sc->nclients, NULL);
	sim_opts o = {sc->seed, false, 0};
	st_sim *s = sim_new(sc, &o, t);
	grid *g = grid_new(W, H);
	trace_index *ix = t ? trace_index_new(t, sc) : NULL;
	if (!t || !s || !g) {
		fprintf(stderr, "bench_render: out of memory\n");
		return 1;
	}
	const int64_t upc = 10000;    /* 10 ms a column: about two seconds across, the app's default */

	double build = now_ms();
	timing prefix = {0, 0, 0, 0, 0};
	bool prefix_done = false;
	while (trace_count(t) < EVENTS) {
		if (sim_step(s) != SIM_OK) {
			fprintf(stderr, "bench_render: %s stopped after %u events\n", path,
				trace_count(t));
			return 1;
		}
		if (!prefix_done && trace_count(t) >= PREFIX) {
			trace_index_sync(ix);
			view_model m = model_at(sc, s, t, ix, upc);
			time_frames(g, &m);
			prefix = time_frames(g, &m);
			prefix_done = true;
		}
	}
	build = now_ms() - build;

	double first = now_ms();
	trace_index_sync(ix);       /* the index over the new 900,000 events */
	first = now_ms() - first;
	view_model m = model_at(sc, s, t, ix, upc);
	timing end = time_frames(g, &m);

	view_model mid = m;
	mid.follow = false;
	int64_t tm = trace_at(t, trace_count(t) / 2)->t_us;
	mid.t0_us = tm - 90 * upc;
	timing middle = time_frames(g, &mid);

	view_model wide = mid;
	wide.us_per_col = 1000000;
	wide.t0_us = tm - 90 * wide.us_per_col;
	timing zoomed = time_frames(g, &wide);
	uint32_t in_view = 0;
	for (uint32_t i = 0; i < trace_count(t); i++) {
		int64_t x = trace_at(t, i)->t_us;
		in_view += x >= wide.t0_us && x < wide.t0_us + 182 * wide.us_per_col;
	}

	/* the other axis, and the heartbeats hidden (the commonest way to thin a Raft run) */
	int hb = -1;
	for (int k = 0; t->proto && k < t->proto->n_msg_classes; k++)
		if (strcmp(t->proto->msg_classes[k], "heartbeat") == 0)
			hb = k;
	view_model lend = m, lmid = mid, hend = m, lhend = m;
	lend.logical = lmid.logical = lhend.logical = true;
	hend.hidden_classes = lhend.hidden_classes = hb >= 0 ? 1u << hb : 0;
	timing l_end = time_frames(g, &lend), l_mid = time_frames(g, &lmid);
	timing h_end = time_frames(g, &hend), lh_end = time_frames(g, &lhend);

	printf("render: logical axis: end median %.3f ms p99 %.3f ms (cpu p99 %.3f ms); middle "
	       "median %.3f ms p99 %.3f ms (cpu p99 %.3f ms)\n", l_end.median, l_end.p99,
	       l_end.cpu_p99, l_mid.median, l_mid.p99, l_mid.cpu_p99);
	printf("render: heartbeats hidden: real end median %.3f ms p99 %.3f ms (cpu p99 %.3f ms); "
	       "logical end median %.3f ms p99 %.3f ms (cpu p99 %.3f ms)\n", h_end.median, h_end.p99,
	       h_end.cpu_p99, lh_end.median, lh_end.p99, lh_end.cpu_p99);
	printf("render: timeline %dx%d, %u events: middle median %.3f ms p99 %.3f ms worst "
	       "%.3f ms; end median %.3f ms p99 %.3f ms worst %.3f ms\n", W, H, trace_count(t),
	       middle.median, middle.p99, middle.worst, end.median, end.p99, end.worst);
	printf("render: cpu time p99 / worst: middle %.3f / %.3f ms, end %.3f / %.3f ms (the rest "
	       "of a wall-clock p99 or worst is other processes)\n", middle.cpu_p99, middle.cpu_worst,
	       end.cpu_p99, end.cpu_worst);
	printf("render: same frame at the end of the first %u events: median %.3f ms p99 %.3f ms "
	       "worst %.3f ms, cpu worst %.3f ms (no growth with length)\n", PREFIX, prefix.median,
	       prefix.p99, prefix.worst, prefix.cpu_worst);
	printf("render: zoomed out to 1 s a column (%u events in view): median %.3f ms p99 "
	       "%.3f ms worst %.3f ms, cpu worst %.3f ms\n", in_view, zoomed.median, zoomed.p99,
	       zoomed.worst, zoomed.cpu_worst);
	printf("render: index extended over %u new events in %.1f ms; index %.2f bytes/event; "
	       "trace built in %.0f ms (%s, %.1f s virtual)\n", EVENTS - PREFIX, first,
	       (double)trace_index_bytes(ix) / trace_count(t), build, path,
	       (double)sim_now_us(s) / 1e6);

	grid_free(g);
	trace_index_free(ix);
	sim_free(s);
	trace_free(t);
	scenario_free(sc);
	return 0;
}
