/* test_timeline.c: what the space-time diagram draws, checked as text and cell by cell.
 *
 * The world is built exactly as the app builds it (scenario file, trace, world with the
 * scenario's seed, N steps), the timeline is drawn into a grid of a fixed size, and grid_text()
 * is compared with a golden file under tests/golden/ (ST_UPDATE_GOLDEN=1 rewrites them after a
 * deliberate change: read the diff before committing it). The golden files catch any change;
 * the targeted checks below say what must stay true whatever the look: a lane per process,
 * arrows between lanes, Lamport numbers, drops on a partition's wall, the causal colouring of
 * a selection, the future dimmed, ASCII mode pure ASCII, nothing drawn outside the rectangle,
 * hit-testing that finds what was drawn, and an index (core/trace_index.h) extended or cut
 * back that gives the same picture as one built from scratch. Run from the repository root
 * (make unit does). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/scenario.h"
#include "core/sim.h"
#include "core/trace.h"
#include "views/timeline.h"
#include "views/view.h"

/* A Raft run with a partition (900-1600 ms) and a crash of n4 (2000-2400 ms): 5 nodes, one
 * client, seed 7. Ours rather than a lesson's, so editing a lesson never moves the goldens. */
#define FIXTURE "tests/fixtures/timeline-raft.json"
#define MS 1000

typedef struct {
	st_scenario *sc;
	st_trace *t;
	st_sim *s;
	trace_index *ix;    /* what the history would keep: synced whenever a model is made */
} world;

static void world_open(world *w, uint64_t steps)
{
	char err[1024];
	w->sc = scenario_load(FIXTURE, err, sizeof err);
	if (!w->sc)
		fail_msg("%s (run the tests from the repository root)", err);
	w->t = trace_new(w->sc->name, w->sc->protocol, w->sc->seed, w->sc->nnodes, w->sc->nclients,
			 NULL);
	sim_opts o = {w->sc->seed, false, 0};
	w->s = sim_new(w->sc, &o, w->t);
	assert_non_null(w->s);
	sim_run_steps(w->s, steps);
	w->ix = trace_index_new(w->t, w->sc);
}

static void world_close(world *w)
{
	trace_index_free(w->ix);
	sim_free(w->s);
	trace_free(w->t);
	scenario_free(w->sc);
}

/* The model as the app builds it: the cursor at the last event, now at the world's time. */
static view_model model(const world *w, int64_t t0_ms, int64_t us_per_col)
{
	view_model m;
	memset(&m, 0, sizeof m);
	m.sc = w->sc;
	m.sim = w->s;
	m.trace = w->t;
	trace_index_sync(w->ix);
	m.index = w->ix;
	m.cursor = trace_count(w->t) - 1;
	m.now_us = sim_now_us(w->s);
	m.seed = w->sc->seed;
	m.selected = m.marked = TRACE_NONE;
	m.sel_proc = 0;
	m.sel_flight = -1;
	m.t0_us = t0_ms * MS;
	m.us_per_col = us_per_col;
	m.show_labels = true;
	m.focus = PANE_TIMELINE;
	return m;
}

/* Step the cursor back n events (time travel): the world is gone, the trace stays. */
static void rewind_by(view_model *m, uint32_t n)
{
	m->cursor -= n;
	m->now_us = trace_at(m->trace, m->cursor)->t_us;
	m->sim = NULL;
}

static grid *draw(const view_model *m, int w, int h, bool ascii)
{
	grid *g = grid_new(w, h);
	g->ascii = ascii;
	timeline_draw(g, (grid_rect){0, 0, w, h}, m);
	return g;
}

static grid_rect full(const grid *g) { return (grid_rect){0, 0, g->w, g->h}; }

static void golden(const char *name, const grid *g)
{
	char path[256];
	snprintf(path, sizeof path, "tests/golden/%s", name);
	char *got = grid_text(g);
	assert_non_null(got);
	const char *up = getenv("ST_UPDATE_GOLDEN");
	if (up && strcmp(up, "1") == 0) {
		FILE *f = fopen(path, "w");
		if (!f)
			fail_msg("cannot write %s", path);
		fputs(got, f);
		fclose(f);
		free(got);
		return;
	}
	FILE *f = fopen(path, "rb");
	if (!f) {
		free(got);
		fail_msg("%s is missing: run with ST_UPDATE_GOLDEN=1 to write it", path);
	}
	static char want[1 << 20];
	size_t n = fread(want, 1, sizeof want - 1, f);
	want[n] = 0;
	fclose(f);
	if (strcmp(want, got) != 0) {
		/* print the first line that differs, both ways */
		const char *a = want, *b = got;
		int line = 1;
		while (*a && *a == *b) {
			if (*a == '\n')
				line++;
			a++, b++;
		}
		while (a > want && a[-1] != '\n')
			a--, b--;
		fprintf(stderr, "%s differs at line %d:\n  want: %.*s\n  got:  %.*s\n", path, line,
			(int)strcspn(a, "\n"), a, (int)strcspn(b, "\n"), b);
		fprintf(stderr, "whole picture drawn:\n%s", got);
		free(got);
		fail_msg("golden mismatch: %s (ST_UPDATE_GOLDEN=1 rewrites it)", path);
	}
	free(got);
}

static uint32_t cell_ch(const grid *g, int x, int y) { return grid_at((grid *)g, x, y)->ch; }
static int cell_role(const grid *g, int x, int y) { return grid_at((grid *)g, x, y)->role; }

static int count_role(const grid *g, int role)
{
	int n = 0;
	for (int i = 0; i < g->w * g->h; i++)
		n += g->cells[i].role == role;
	return n;
}

/* The row of process p's lane, or -1. */
static int lane_row(const view_model *m, const grid *g, int p)
{
	for (int y = 0; y < g->h; y++)
		if (timeline_lane_at(m, full(g), y) == p)
			return y;
	return -1;
}

static uint32_t find_label(const st_trace *t, const char *label)
{
	for (uint32_t i = 0; i < trace_count(t); i++)
		if (trace_at(t, i)->label && strcmp(trace_str(t, trace_at(t, i)->label), label) == 0)
			return i;
	return TRACE_NONE;
}

static bool has_glyph_between(const grid *g, int y0, int y1, uint32_t a, uint32_t b)
{
	for (int y = y0 + 1; y < y1; y++)
		for (int x = 0; x < g->w; x++)
			if (cell_ch(g, x, y) == a || cell_ch(g, x, y) == b)
				return true;
	return false;
}

/* ---- goldens ------------------------------------------------------------------------------ */

/* The first election: candidates, votes, the leader's first heartbeats. */
static void test_golden_election(void **unused)
{
	(void)unused;
	world w;
	world_open(&w, 110);
	view_model m = model(&w, 200, 3000);
	grid *g = draw(&m, 120, 30, false);
	golden("timeline-raft-election-120x30.txt", g);
	grid_free(g);
	world_close(&w);
}

/* The partition: the wall between {n1 n2} and {n3 n4 n5 c1}, messages lost on it. */
static void test_golden_partition(void **unused)
{
	(void)unused;
	world w;
	world_open(&w, 1600);
	view_model m = model(&w, 850, 8000);
	grid *g = draw(&m, 120, 30, false);
	golden("timeline-raft-partition-120x30.txt", g);
	grid_free(g);
	world_close(&w);
}

/* The crash of n4 and its restart, in ASCII, on an 80x24 terminal's timeline pane. */
static void test_golden_crash_ascii(void **unused)
{
	(void)unused;
	world w;
	world_open(&w, 1600);
	view_model m = model(&w, 1900, 6000);
	m.sel_proc = 3;
	grid *g = draw(&m, 80, 10, true);
	golden("timeline-raft-crash-ascii-80x10.txt", g);
	grid_free(g);
	world_close(&w);
}

/* Time travel with a selection: the future dimmed, clocks shown, a whole run zoomed out. */
static void test_golden_select_overview(void **unused)
{
	(void)unused;
	world w;
	world_open(&w, 1600);
	view_model m = model(&w, 0, 20000);
	rewind_by(&m, 2660);       /* now at 1.3 s, inside the partition */
	m.selected = find_label(w.t, "became leader");
	m.sel_proc = trace_at(w.t, m.selected)->proc;
	m.show_vc = true;
	grid *g = draw(&m, 140, 50, false);
	golden("timeline-raft-overview-140x50.txt", g);
	grid_free(g);
	world_close(&w);
}

/* ---- what must hold whatever the look ----------------------------------------------------- */

static void test_lanes_and_labels(void **unused)
{
	(void)unused;
	world w;
	world_open(&w, 110);
	view_model m = model(&w, 200, 3000);
	grid *g = draw(&m, 120, 30, false);
	char *text = grid_text(g);
	int prev = -1;
	for (int p = 0; p < w.t->nprocs; p++) {
		int y = lane_row(&m, g, p);
		assert_true(y > prev);  /* nodes first, then clients, in order */
		prev = y;
		const char *name = w.t->proc_names[p];
		assert_int_equal(cell_ch(g, 1, y), (uint32_t)name[0]);
		assert_int_equal(cell_ch(g, 2, y), (uint32_t)name[1]);
		int role = cell_role(g, 1, y);
		if (p < w.t->nnodes)
			assert_true(role == R_ROLE_QUIET || role == R_ROLE_STRONG || role == R_ROLE_ACTIVE);
		else
			assert_int_equal(role, R_CLIENT);
	}
	/* n3 won the first election: its name in the leader's colour and its role spelt out */
	int y3 = lane_row(&m, g, 2);
	uint32_t won = find_label(w.t, "became leader");
	assert_int_equal(trace_at(w.t, won)->proc, 2);
	/* (the lane name reads the role at the cursor: n3 leads by then) */
	assert_true(cell_role(g, 1, y3) == R_ROLE_STRONG);
	assert_non_null(strstr(text, "n3 leader"));
	/* messages travel between the lanes, with arrowheads where they arrive */
	int y1 = lane_row(&m, g, 0), y2 = lane_row(&m, g, 1);
	assert_true(y2 - y1 >= 2);
	assert_true(has_glyph_between(g, y1, y2, 0x25be, 0x25b4));   /* ▾ ▴ */
	assert_true(has_glyph_between(g, y1, y2, 0x2571, 0x2572));   /* ╱ ╲ */
	/* the milestone's label, and the ruler's time */
	assert_non_null(strstr(text, "became leader"));
	assert_non_null(strstr(text, "300"));
	free(text);
	grid_free(g);
	world_close(&w);
}

/* Every Lamport number drawn sits above (or below) a mark of its lane whose clock it is. */
static void test_lamport_numbers(void **unused)
{
	(void)unused;
	world w;
	world_open(&w, 110);
	view_model m = model(&w, 200, 3000);
	grid *g = draw(&m, 120, 30, false);
	int found = 0;
	for (int p = 0; p < w.t->nprocs; p++) {
		int y = lane_row(&m, g, p) - 1;
		for (int x = 0; x < g->w; x++) {
			if (cell_role(g, x, y) != R_CLOCK || (x > 0 && cell_role(g, x - 1, y) == R_CLOCK))
				continue;
			unsigned v = 0;
			for (int k = x; k < g->w && cell_role(g, k, y) == R_CLOCK; k++)
				v = v * 10 + (cell_ch(g, k, y) - '0');
			uint32_t ev = timeline_event_at(&m, full(g), x, y + 1);
			assert_int_not_equal(ev, TRACE_NONE);
			assert_int_equal(trace_at(w.t, ev)->proc, p);
			assert_int_equal(trace_at(w.t, ev)->lamport, v);
			found++;
		}
	}
	assert_true(found >= 10);
	grid_free(g);
	world_close(&w);
}

static void test_partition_drops(void **unused)
{
	(void)unused;
	world w;
	world_open(&w, 1600);
	view_model m = model(&w, 850, 8000);
	grid *g = draw(&m, 120, 30, false);
	assert_true(count_role(g, R_PARTITION) > 50);
	/* the wall lies between n2 and n3; lost messages end on it, and a click finds them */
	int y2 = lane_row(&m, g, 1), y3 = lane_row(&m, g, 2), drops = 0;
	for (int y = y2 + 1; y < y3; y++)
		for (int x = 0; x < g->w; x++) {
			if (cell_ch(g, x, y) != 0x2716 || cell_role(g, x, y) != R_DROP)
				continue;
			uint32_t ev = timeline_event_at(&m, full(g), x, y);
			assert_int_not_equal(ev, TRACE_NONE);
			assert_int_equal(trace_at(w.t, ev)->kind, KIND_DROP);
			drops++;
		}
	assert_true(drops >= 5);
	char *text = grid_text(g);
	assert_non_null(strstr(text, "partition n1 n2 | n3 n4 n5 c1"));
	free(text);
	grid_free(g);
	world_close(&w);
}

static void test_crash_period(void **unused)
{
	(void)unused;
	world w;
	world_open(&w, 1600);
	view_model m = model(&w, 1900, 6000);
	grid *g = draw(&m, 120, 30, false);
	uint32_t crash = TRACE_NONE;
	for (uint32_t i = 0; i < trace_count(w.t) && crash == TRACE_NONE; i++)
		if (trace_at(w.t, i)->kind == KIND_CRASH)
			crash = i;
	assert_int_not_equal(crash, TRACE_NONE);
	int p = trace_at(w.t, crash)->proc, y = lane_row(&m, g, p);
	int x = timeline_col_of(&m, full(g), trace_at(w.t, crash)->t_us);
	assert_int_equal(cell_ch(g, x, y), 0x2716);  /* ✖ */
	assert_int_equal(cell_role(g, x, y), R_CRASH);
	assert_int_equal(timeline_event_at(&m, full(g), x, y), crash);
	/* down, dashed, until the restart */
	int dashed = 0;
	int xr = timeline_col_of(&m, full(g), 2400 * MS);
	for (int k = x + 1; k < xr; k++)
		dashed += cell_ch(g, k, y) == 0x2504 && cell_role(g, k, y) == R_CRASH;
	assert_true(dashed > (xr - x) / 2);
	grid_free(g);
	world_close(&w);
}

/* Select an event: its causal past R_PAST, everything concurrent R_CONCURRENT, itself
 * R_SELECT reversed; every mark agrees with trace_order. */
static void test_causality(void **unused)
{
	(void)unused;
	world w;
	world_open(&w, 110);
	view_model m = model(&w, 200, 3000);
	m.selected = find_label(w.t, "became leader");
	m.sel_proc = trace_at(w.t, m.selected)->proc;
	grid *g = draw(&m, 120, 30, false);
	int past = 0, conc = 0, sel = 0, after = 0;
	for (int p = 0; p < w.t->nprocs; p++) {
		int y = lane_row(&m, g, p);
		for (int x = 0; x < g->w; x++) {
			uint32_t ev = timeline_event_at(&m, full(g), x, y);
			if (ev == TRACE_NONE || timeline_col_of(&m, full(g), trace_at(w.t, ev)->t_us) != x)
				continue;
			int role = cell_role(g, x, y);
			if (ev == m.selected) {
				assert_int_equal(role, R_SELECT);
				assert_true(grid_at(g, x, y)->attr & A_REV_);
				sel++;
				continue;
			}
			int o = trace_order(w.t, ev, m.selected);
			if (o == 1) {
				assert_int_equal(role, R_PAST);
				past++;
			} else if (o == 0) {
				assert_int_equal(role, R_CONCURRENT);
				conc++;
			} else {
				assert_int_equal(role, R_AFTER);
				after++;
			}
		}
	}
	assert_int_equal(sel, 1);
	assert_true(past >= 5);
	assert_true(conc >= 5);
	assert_true(after >= 3);
	/* the selected lane's name is highlighted */
	assert_true(grid_at(g, 1, lane_row(&m, g, m.sel_proc))->attr & A_REV_);
	/* the bottom edge says what each tint means, each word in its tint */
	int words = 0;
	static const struct { const char *w; int role; } tints[] = {
		{"before", R_PAST}, {"after", R_AFTER}, {"concurrent", R_CONCURRENT}};
	for (size_t i = 0; i < 3; i++)
		for (int x = 0; x + 6 < g->w; x++) {
			int k = 0;
			while (tints[i].w[k] && cell_ch(g, x + k, g->h - 1) == (uint32_t)tints[i].w[k])
				k++;
			if (!tints[i].w[k]) {
				assert_int_equal(cell_role(g, x, g->h - 1), tints[i].role);
				words++;
				break;
			}
		}
	assert_int_equal(words, 3);
	grid_free(g);
	/* nothing selected: no tints, and no words for them */
	m.selected = TRACE_NONE;
	g = draw(&m, 120, 30, false);
	assert_int_equal(count_role(g, R_AFTER), 0);
	assert_int_equal(count_role(g, R_CONCURRENT), 0);
	char *txt = grid_text(g);
	assert_null(strstr(txt, "before  after"));
	free(txt);
	grid_free(g);
	world_close(&w);
}

/* C: the diagram keeps only the selected event's causal past and future. Every mark left is
 * ordered with the selection, the concurrent ones (and their messages) are gone, the edge
 * names the cone, and turning it off gives the same screen back. With nothing selected the
 * filter changes nothing. */
static void test_cone_filter(void **unused)
{
	(void)unused;
	world w;
	world_open(&w, 110);
	view_model m = model(&w, 200, 3000);
	m.selected = find_label(w.t, "became leader");
	m.sel_proc = trace_at(w.t, m.selected)->proc;
	grid *g = draw(&m, 120, 30, false);
	char *before = grid_text(g);
	int conc_before = count_role(g, R_CONCURRENT);
	assert_true(conc_before > 0);
	grid_free(g);

	m.cone = true;
	g = draw(&m, 120, 30, false);
	assert_int_equal(count_role(g, R_CONCURRENT), 0);
	assert_true(count_role(g, R_PAST) >= 5);
	assert_true(count_role(g, R_AFTER) >= 3);
	int marks = 0;
	for (int p = 0; p < w.t->nprocs; p++) {
		int y = lane_row(&m, g, p);
		for (int x = 0; x < g->w; x++) {
			uint32_t ev = timeline_event_at(&m, full(g), x, y);
			if (ev == TRACE_NONE || ev == m.selected ||
			    timeline_col_of(&m, full(g), trace_at(w.t, ev)->t_us) != x)
				continue;
			assert_int_not_equal(trace_order(w.t, ev, m.selected), 0);
			marks++;
		}
	}
	assert_true(marks >= 5);
	/* the concurrent events report themselves hidden, the ordered ones not */
	int hidden = 0;
	for (uint32_t id = 0; id < trace_count(w.t); id++) {
		const st_event *e = trace_at(w.t, id);
		if (!trace_kinds[e->kind].proc_event || id == m.selected)
			continue;
		bool conc = trace_order(w.t, id, m.selected) == 0;
		assert_int_equal(timeline_ev_hidden(&m, id), conc);
		hidden += conc;
	}
	assert_true(hidden > 0);
	char *txt = grid_text(g), want[48];
	snprintf(want, sizeof want, "cone of e%u: before  after", m.selected);
	assert_non_null(strstr(txt, want));
	assert_null(strstr(txt, "concurrent"));
	free(txt);
	grid_free(g);

	m.cone = false;
	g = draw(&m, 120, 30, false);
	char *again = grid_text(g);
	assert_string_equal(before, again);
	free(again);
	grid_free(g);

	/* nothing selected: the cone changes nothing but the edge's note */
	m.selected = TRACE_NONE;
	g = draw(&m, 120, 30, false);
	char *plain = grid_text(g);
	grid_free(g);
	m.cone = true;
	g = draw(&m, 120, 30, false);
	char *coned = grid_text(g);
	assert_non_null(strstr(coned, "cone: select an event"));
	/* the same picture above the bottom edge */
	char *pe = strrchr(plain, '\n'), *ce = strrchr(coned, '\n');
	*pe = *ce = 0;
	pe = strrchr(plain, '\n'), ce = strrchr(coned, '\n');
	assert_int_equal(pe - plain, ce - coned);
	assert_memory_equal(plain, coned, (size_t)(pe - plain));
	for (uint32_t id = 0; id < trace_count(w.t); id++)
		assert_false(timeline_ev_hidden(&m, id));
	free(plain);
	free(coned);
	free(before);
	grid_free(g);
	world_close(&w);
}

/* Stepped back: what comes after the cursor is dimmed, not hidden; what is in the air at the
 * cursor is hot, and "now" is marked on the ruler. */
static void test_future_and_in_flight(void **unused)
{
	(void)unused;
	world w;
	world_open(&w, 110);
	view_model m = model(&w, 200, 2000);
	rewind_by(&m, 150);
	grid *g = draw(&m, 100, 22, false);
	int now_x = timeline_col_of(&m, full(g), m.now_us);
	bool marker = false;
	for (int y = 0; y < 4; y++)
		marker = marker || cell_ch(g, now_x, y) == 0x25bc;
	assert_true(marker);
	int future = 0, hot = 0;
	for (int y = 0; y < g->h; y++)
		for (int x = 0; x < g->w; x++) {
			int r = cell_role(g, x, y);
			future += r == R_FUTURE;
			hot += r == R_MSG_HOT;
			if (r == R_MSG_HOT)
				assert_true(x <= now_x);
			/* the past keeps its colours */
			if (x < now_x - 1 && x > 14 && y > 3 && cell_ch(g, x, y) != ' ')
				assert_true(r != R_FUTURE);
		}
	assert_true(future > 100);
	assert_true(hot > 3);
	grid_free(g);
	world_close(&w);
}

static void test_ascii_is_ascii(void **unused)
{
	(void)unused;
	world w;
	world_open(&w, 1600);
	const struct { int64_t t0_ms, upc; int w, h; uint32_t back; } cases[] = {
		{200, 3000, 120, 30, 0}, {850, 8000, 120, 30, 0}, {1900, 6000, 80, 10, 0},
		{0, 20000, 140, 50, 600}, {1000, 1000, 60, 16, 900},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		view_model m = model(&w, cases[i].t0_ms, cases[i].upc);
		if (cases[i].back)
			rewind_by(&m, cases[i].back);
		m.selected = find_label(w.t, "became leader");
		m.show_vc = true;
		grid *g = draw(&m, cases[i].w, cases[i].h, true);
		char *text = grid_text(g);
		for (const unsigned char *p = (const unsigned char *)text; *p; p++)
			if (*p >= 0x80)
				fail_msg("case %zu: byte 0x%02x in ASCII mode:\n%s", i, *p, text);
		free(text);
		grid_free(g);
	}
	world_close(&w);
}

/* Whatever the size, the timeline draws inside its rectangle and nowhere else. */
static void test_stays_inside(void **unused)
{
	(void)unused;
	world w;
	world_open(&w, 1600);
	const grid_rect rects[] = {
		{7, 5, 60, 20}, {7, 5, 80, 10}, {3, 2, 30, 6}, {7, 5, 24, 5}, {7, 5, 23, 4},
		{7, 5, 10, 3}, {7, 5, 3, 2}, {7, 5, 1, 1}, {7, 5, 0, 0}, {0, 0, 100, 3},
	};
	for (size_t i = 0; i < sizeof rects / sizeof rects[0]; i++)
		for (int variant = 0; variant < 3; variant++) {
			grid *g = grid_new(110, 40);
			g->ascii = variant == 2;
			grid_fill(g, full(g), '#', R_WARN, 0);
			view_model m = model(&w, variant == 1 ? 1900 : 850, variant == 1 ? 2000 : 8000);
			if (variant == 1) {
				m.selected = find_label(w.t, "became leader");
				m.show_vc = true;
				m.sel_proc = 5;
			}
			grid_rect r = rects[i];
			timeline_draw(g, r, &m);
			for (int y = 0; y < g->h; y++)
				for (int x = 0; x < g->w; x++) {
					bool in = x >= r.x && y >= r.y && x < r.x + r.w && y < r.y + r.h;
					if (!in && (cell_ch(g, x, y) != '#' || cell_role(g, x, y) != R_WARN))
						fail_msg("rect %zu variant %d wrote (%d, %d)", i, variant, x, y);
				}
			/* and hit-testing anywhere is safe */
			for (int y = r.y - 1; y <= r.y + r.h; y++)
				for (int x = r.x - 1; x <= r.x + r.w; x += 3)
					(void)timeline_event_at(&m, r, x, y);
			grid_free(g);
		}
	world_close(&w);
}

static void test_hit_testing(void **unused)
{
	(void)unused;
	world w;
	world_open(&w, 110);
	view_model m = model(&w, 200, 3000);
	grid *g = draw(&m, 120, 30, false);
	grid_rect r = full(g);
	/* the time axis: one column per us_per_col from the first column of time */
	int x0 = timeline_col_of(&m, r, m.t0_us);
	assert_true(x0 > 2 && x0 < 30);
	assert_int_equal(timeline_col_of(&m, r, m.t0_us + 10 * 3000), x0 + 10);
	assert_int_equal(timeline_col_of(&m, r, m.t0_us + 10 * 3000 + 2999), x0 + 10);
	assert_int_equal(timeline_col_of(&m, r, m.t0_us - 1), x0 - 1);
	/* the milestone is found where it is drawn, and a column or two off */
	uint32_t won = find_label(w.t, "became leader");
	const st_event *e = trace_at(w.t, won);
	int x = timeline_col_of(&m, r, e->t_us), y = lane_row(&m, g, e->proc);
	assert_int_equal(cell_ch(g, x, y), 0x25c6);   /* ◆ */
	assert_int_equal(timeline_event_at(&m, r, x, y), won);
	uint32_t near = timeline_event_at(&m, r, x + 1, y);
	assert_int_not_equal(near, TRACE_NONE);
	assert_int_equal(trace_at(w.t, near)->proc, e->proc);
	/* nothing: the gutter, the ruler's empty end, a lane with no events around */
	assert_int_equal(timeline_event_at(&m, r, 2, y), TRACE_NONE);
	int yc = lane_row(&m, g, 5);
	assert_int_equal(timeline_event_at(&m, r, x0 + 5, yc), TRACE_NONE);
	assert_int_equal(timeline_lane_at(&m, r, 0), -1);
	assert_int_equal(timeline_lane_at(&m, r, y), e->proc);
	assert_int_equal(timeline_lane_at(&m, r, y + 1), -1);
	grid_free(g);
	world_close(&w);
}

/* A message delayed for seconds crosses a window that holds neither its send nor its
 * receive: it is still drawn (found through the index's messages in the air at the window's edge,
 * not by scanning the trace). */
static void test_message_crossing_window(void **unused)
{
	(void)unused;
	world w;
	world_open(&w, 3000);
	assert_true(trace_count(w.t) > 3000);     /* several index checkpoints behind */
	sim_flight fl[64];
	int n = sim_inflight(w.s, fl, 64);
	assert_true(n > 0);
	uint32_t msg = fl[0].msg;
	assert_true(sim_msg_delay(w.s, fl[0].slot, 3000 * MS, BY_USER));
	int64_t sent = fl[0].send_us;
	sim_run_until_us(w.s, sent + 4000 * MS);
	const st_msgrec *mr = trace_msg(w.t, msg);
	assert_int_not_equal(mr->end_ev, TRACE_NONE);
	view_model m = model(&w, (sent + 1500 * MS) / MS, 1000);
	m.selected = mr->send_ev;     /* its line is then the only R_SELECT on the screen */
	m.sel_proc = fl[0].from;
	grid *g = draw(&m, 100, 24, false);
	int on_line = 0;
	for (int y = 0; y < g->h; y++)
		for (int x = 14; x < g->w - 1; x++)
			on_line += cell_role(g, x, y) == R_SELECT;
	if (on_line <= 20) {
		char *t = grid_text(g);
		fprintf(stderr, "%s", t);
		free(t);
		fail_msg("the delayed message is not drawn across the window (above)");
	}
	/* and an index built from scratch draws the very same picture */
	char *a = grid_text(g);
	trace_index *fresh = trace_index_new(w.t, w.sc);
	trace_index_sync(fresh);
	m.index = fresh;
	grid *g2 = draw(&m, 100, 24, false);
	trace_index_free(fresh);
	char *b = grid_text(g2);
	assert_string_equal(a, b);
	for (int i = 0; i < g->w * g->h; i++)
		assert_int_equal(g->cells[i].role, g2->cells[i].role);
	free(a);
	free(b);
	grid_free(g);
	grid_free(g2);
	world_close(&w);
}

/* The index follows a branch: the trace cut back and grown again differently (what acting in
 * the past does; the history cuts its index back with the trace) gives the same picture as an
 * index built from scratch. */
static void test_cache_follows_a_branch(void **unused)
{
	(void)unused;
	world w;
	world_open(&w, 2500);
	view_model m = model(&w, 1200, 4000);
	grid *g = draw(&m, 100, 24, false);     /* the index now covers the whole trace */
	grid_free(g);
	uint32_t n = trace_count(w.t), cut = n / 2;
	int64_t t_cut = trace_at(w.t, cut)->t_us;
	trace_truncate(w.t, cut);
	trace_index_truncate(w.ix, cut);
	for (uint32_t i = 0; i < n - cut + 50; i++) {
		st_event e;
		memset(&e, 0, sizeof e);
		e.t_us = t_cut + (int64_t)i * 100;
		e.kind = (uint8_t)(i % 2 ? KIND_HEAL : KIND_PARTITION);
		e.proc = TRACE_WORLD;
		e.ref = 0;
		e.body = e.state = TRACE_NONE;
		e.by = BY_USER;
		trace_append(w.t, &e, NULL);
	}
	assert_true(trace_count(w.t) > n);
	m = model(&w, t_cut / MS - 60, 1000);
	m.sim = NULL;               /* the world no longer matches this trace */
	m.now_us = trace_at(w.t, trace_count(w.t) - 1)->t_us;
	grid *a = draw(&m, 100, 24, false);
	char *ta = grid_text(a);
	trace_index *fresh = trace_index_new(w.t, w.sc);
	trace_index_sync(fresh);
	m.index = fresh;
	grid *b = draw(&m, 100, 24, false);
	trace_index_free(fresh);
	char *tb = grid_text(b);
	assert_string_equal(ta, tb);
	for (int i = 0; i < a->w * a->h; i++)
		assert_int_equal(a->cells[i].role, b->cells[i].role);
	free(ta);
	free(tb);
	grid_free(a);
	grid_free(b);
	world_close(&w);
}


/* ---- issue 9: classes, the logical axis, the screens of raft-replication ------------------- */

#define REPL "scenarios/raft-replication.json"
#define REPL_STEPS 700      /* replicating, n3 and n4 crashed, heartbeats throughout */

static bool repl_open(world *w)
{
	char err[1024];
	FILE *f = fopen(REPL, "r");
	if (!f)
		return false;
	fclose(f);
	w->sc = scenario_load(REPL, err, sizeof err);
	if (!w->sc)
		fail_msg("%s", err);
	w->t = trace_new(w->sc->name, w->sc->protocol, w->sc->seed, w->sc->nnodes,
			 w->sc->nclients, NULL);
	sim_opts o = {w->sc->seed, false, 0};
	w->s = sim_new(w->sc, &o, w->t);
	sim_run_steps(w->s, REPL_STEPS);
	w->ix = trace_index_new(w->t, w->sc);
	return true;
}

static int class_index(const st_trace *t, const char *name)
{
	for (int k = 0; k < t->proto->n_msg_classes; k++)
		if (strcmp(t->proto->msg_classes[k], name) == 0)
			return k;
	fail_msg("no class %s", name);
	return -1;
}

/* Following the present at 5 ms a column, as the app shows it at 120 columns. */
static view_model repl_model(const world *w, bool logical, bool no_heartbeats)
{
	view_model m = model(w, 0, 5000);
	int64_t t0 = m.now_us - 5000 * 60;
	m.t0_us = t0 > 0 ? t0 / 5000 * 5000 : 0;
	m.follow = true;
	m.logical = logical;
	m.hidden_classes = no_heartbeats ? 1u << class_index(w->t, "heartbeat") : 0;
	return m;
}

/* An event the diagram leaves out with its class: a send or receive of a hidden message, or
 * the tick whose only sends those are. */
static bool repl_hidden(const view_model *m, uint32_t id)
{
	const st_event *e = trace_at(m->trace, id);
	if (e->kind == KIND_TIMER && id + 1 < trace_count(m->trace))
		return e->state == TRACE_NONE && repl_hidden(m, id + 1) &&
		       trace_at(m->trace, id + 1)->kind == KIND_SEND;
	if (e->kind != KIND_SEND && e->kind != KIND_RECV && e->kind != KIND_DROP)
		return false;
	int k = timeline_msg_class_of(m->trace, e->ref);
	return k >= 0 && (m->hidden_classes >> k & 1u);
}

/* Raft names its classes, and each message gets the right one: an AppendEntries with no
 * entries is a heartbeat, so is the reply to it; with entries it is replication. */
static void test_raft_classes(void **state)
{
	(void)state;
	world w;
	if (!repl_open(&w)) {
		skip();
		return;
	}
	int hb = class_index(w.t, "heartbeat"), rep = class_index(w.t, "replication");
	int el = class_index(w.t, "election"), cl = class_index(w.t, "client");
	int seen[4] = {0};
	for (uint32_t msg = 0; msg < w.t->nmsg; msg++) {
		const st_msgrec *mr = trace_msg(w.t, msg);
		const char *type = w.t->proto->msg_types[mr->type];
		int k = timeline_msg_class_of(w.t, msg);
		assert_true(k >= 0 && k < 4);
		seen[k]++;
		if (strcmp(type, "RequestVote") == 0 || strcmp(type, "VoteReply") == 0)
			assert_int_equal(k, el);
		else if (strncmp(type, "Client", 6) == 0)
			assert_int_equal(k, cl);
		else
			assert_true(k == hb || k == rep);   /* AppendReply: as what it answers */
	}
	for (int k = 0; k < 4; k++)
		assert_true(seen[k] > 0);
	world_close(&w);
}

/* Each class is drawn in its own role and named in the box's bottom edge; hiding one takes
 * its lines away (and says so in the legend) and leaves the others. */
static void test_classes_drawn_and_hidden(void **state)
{
	(void)state;
	world w;
	if (!repl_open(&w)) {
		skip();
		return;
	}
	int hb = class_index(w.t, "heartbeat");
	view_model m = repl_model(&w, false, false);
	grid *g = draw(&m, 120, 30, false);
	int hb_role = R_CLASS1 + hb;
	assert_true(count_role(g, hb_role) > 10);
	char *txt = grid_text(g);
	assert_non_null(strstr(txt, "3 heartbeat"));
	assert_null(strstr(txt, "(hidden)"));
	free(txt);
	int rep_cells = count_role(g, R_CLASS1 + class_index(w.t, "replication"));
	grid_free(g);
	m.hidden_classes = 1u << hb;
	g = draw(&m, 120, 30, false);
	txt = grid_text(g);
	assert_non_null(strstr(txt, "heartbeat (hidden)"));
	free(txt);
	/* only the legend's sample is left in the heartbeat role: no line */
	assert_int_equal(count_role(g, hb_role), 0);
	assert_true(count_role(g, R_CLASS1 + class_index(w.t, "replication")) >= rep_cells / 2);
	grid_free(g);
	world_close(&w);
}

/* The logical axis: columns follow the order of events, so every message's receive is drawn
 * right of its send (an arrow spans a column at least); a column holds one step per lane;
 * hidden heartbeats leave the columns (the window then reaches further back). */
static void test_logical_axis(void **state)
{
	(void)state;
	world w;
	if (!repl_open(&w)) {
		skip();
		return;
	}
	grid_rect r = {0, 0, 120, 30};
	for (int hide = 0; hide < 2; hide++) {
		view_model m = repl_model(&w, true, hide);
		int checked = 0;
		for (uint32_t msg = 0; msg < w.t->nmsg; msg++) {
			const st_msgrec *mr = trace_msg(w.t, msg);
			int k = timeline_msg_class_of(w.t, msg);
			if (mr->end_ev == TRACE_NONE || (m.hidden_classes >> k & 1u))
				continue;   /* hidden: takes no column, is not drawn */
			int a = timeline_event_col(&m, r, mr->send_ev);
			int b = timeline_event_col(&m, r, mr->end_ev);
			if (a < 14 || b >= 119)
				continue;
			assert_true(b > a);
			checked++;
		}
		assert_true(checked > 10);
		/* one step per lane and column: an event of another instant than the lane's last
		 * one opens a column (a run of receives may share one: they end at one mark) */
		for (uint32_t id = w.t->base + 1; id < trace_count(w.t); id++) {
			const st_event *e = trace_at(w.t, id), *p = trace_at(w.t, id - 1);
			if (hide && (repl_hidden(&m, id) || repl_hidden(&m, id - 1)))
				continue;
			if (e->proc == p->proc && e->proc != TRACE_WORLD && e->t_us != p->t_us &&
			    e->kind != KIND_RECV) {
				int a = timeline_event_col(&m, r, id - 1), b = timeline_event_col(&m, r, id);
				if (a >= 14 && b < 119)
					assert_true(b > a);
			}
		}
	}
	/* with heartbeats hidden the same width holds more of the run */
	view_model all = repl_model(&w, true, false), thin = repl_model(&w, true, true);
	uint32_t first_all = 0, first_thin = 0;
	while (timeline_event_col(&all, r, first_all) < 14)
		first_all++;
	while (timeline_event_col(&thin, r, first_thin) < 14)
		first_thin++;
	assert_true(first_thin < first_all);
	world_close(&w);
}

/* A hidden lane goes with its events and messages (no lane row, no marks, the other lanes
 * spread into its rows, the title says how many are hidden); showing it again gives the
 * same picture back. */
static void test_hidden_lane(void **state)
{
	(void)state;
	world w;
	if (!repl_open(&w)) {
		skip();
		return;
	}
	view_model m = repl_model(&w, false, false);
	grid_rect r = {0, 0, 120, 30};
	grid *g = draw(&m, 120, 30, false);
	char *before = grid_text(g);
	bool n5_row = false;
	for (int y = 0; y < 30; y++)
		n5_row |= timeline_lane_at(&m, r, y) == 4;
	assert_true(n5_row);
	grid_free(g);
	m.hidden_procs = 1u << 4;
	g = draw(&m, 120, 30, false);
	char *hidden = grid_text(g);
	assert_non_null(strstr(hidden, "1 hidden"));
	assert_null(strstr(hidden, "\nn5 ") );
	assert_null(strstr(hidden, "\u2502n5 "));
	for (int y = 0; y < 30; y++)
		assert_int_not_equal(timeline_lane_at(&m, r, y), 4);
	free(hidden);
	grid_free(g);
	m.hidden_procs = 0;
	g = draw(&m, 120, 30, false);
	char *after = grid_text(g);
	assert_string_equal(before, after);
	free(before);
	free(after);
	grid_free(g);
	world_close(&w);
}

/* The screens of raft-replication at three sizes, in both axes, heartbeats shown and
 * hidden: the whole screen, as a user sees it. */
static void test_golden_replication_screens(void **state)
{
	(void)state;
	world w;
	if (!repl_open(&w)) {
		skip();
		return;
	}
	static const int sizes[3][2] = {{80, 24}, {120, 40}, {200, 60}};
	for (int s = 0; s < 3; s++)
		for (int axis = 0; axis < 2; axis++)
			for (int hide = 0; hide < 2; hide++) {
				view_model m = repl_model(&w, axis, hide);
				grid *g = grid_new(sizes[s][0], sizes[s][1]);
				view_draw_all(g, &m);
				char name[96];
				snprintf(name, sizeof name, "screen-raft-replication-%dx%d-%s-%s.txt",
					 sizes[s][0], sizes[s][1], axis ? "logical" : "real",
					 hide ? "no-heartbeats" : "all");
				golden(name, g);
				grid_free(g);
			}
	world_close(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_election),
		cmocka_unit_test(test_golden_partition),
		cmocka_unit_test(test_golden_crash_ascii),
		cmocka_unit_test(test_golden_select_overview),
		cmocka_unit_test(test_lanes_and_labels),
		cmocka_unit_test(test_lamport_numbers),
		cmocka_unit_test(test_partition_drops),
		cmocka_unit_test(test_crash_period),
		cmocka_unit_test(test_causality),
		cmocka_unit_test(test_cone_filter),
		cmocka_unit_test(test_future_and_in_flight),
		cmocka_unit_test(test_ascii_is_ascii),
		cmocka_unit_test(test_stays_inside),
		cmocka_unit_test(test_hit_testing),
		cmocka_unit_test(test_message_crossing_window),
		cmocka_unit_test(test_cache_follows_a_branch),
		cmocka_unit_test(test_raft_classes),
		cmocka_unit_test(test_classes_drawn_and_hidden),
		cmocka_unit_test(test_logical_axis),
		cmocka_unit_test(test_hidden_lane),
		cmocka_unit_test(test_golden_replication_screens),
	};
	return cmocka_run_group_tests_name("timeline", tests, NULL, NULL);
}
