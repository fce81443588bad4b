/* test_views.c: the panes draw what a learner needs, from a small real Raft run.
 *
 * Each test builds a world from the scenario below, steps it, points a view_model at some
 * moment of it and draws one pane into a grid, then reads the grid back as text (and colour
 * roles) the way a user would read the screen. Events are picked by construction (a send and
 * its receive are ordered; the starts of two processes are concurrent; the event labelled
 * "became candidate" changed that node's role), so the assertions are about meaning, not
 * about one particular run's numbers. Runs under ASan/LSan in `make sanitize`. */
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
#include "views/theme.h"
#include "views/view.h"

/* A Raft election with a client writing, a partition, a crash and a heal; the lesson has one
 * entry of every kind of "when", and non-ASCII text for the --ascii test. */
static const char scenario_text[] =
	"{\n"
	"  \"name\": \"raft-election\",\n"
	"  \"title\": \"Raft: electing a leader \u2014 test\",\n"
	"  \"topic\": \"Broadcast, replication and consensus\",\n"
	"  \"protocol\": \"raft\",\n"
	"  \"nodes\": 5, \"clients\": 1, \"seed\": 7,\n"
	"  \"network\": {\"latency_ms\": [10, 40], \"loss\": 0.0, \"duplicate\": 0.0},\n"
	"  \"params\": {\"election_timeout_ms\": [150, 300], \"heartbeat_ms\": 50},\n"
	"  \"workload\": {\"ops\": 3, \"start_ms\": 400, \"think_ms\": [50, 100], \"f\": \"write\"},\n"
	"  \"schedule\": [\n"
	"    {\"at_ms\": 900, \"do\": \"partition\", \"groups\": [[\"n1\", \"n2\"], [\"n3\", \"n4\", \"n5\"]]},\n"
	"    {\"at_ms\": 1000, \"do\": \"crash\", \"proc\": \"n3\"},\n"
	"    {\"at_ms\": 1200, \"do\": \"heal\"}\n"
	"  ],\n"
	"  \"lesson\": [\n"
	"    {\"when\": \"start\", \"text\": \"START: five followers wait \u2192 for a leader\u2026\"},\n"
	"    {\"when\": \"label:became candidate\", \"text\": \"CANDIDATE: a timer fired.\"},\n"
	"    {\"when\": \"label:vote for\", \"text\": \"VOTE: a prefix without a number matches.\"},\n"
	"    {\"when\": \"label:became leader\", \"text\": \"LEADER: a majority voted.\"},\n"
	"    {\"when\": \"kind:partition\", \"text\": \"PARTITION: the network splits.\"},\n"
	"    {\"when\": \"at_ms:5000\", \"text\": \"LATE: never reached here.\"}\n"
	"  ]\n"
	"}\n";

enum { L_START, L_CANDIDATE, L_VOTE, L_LEADER, L_PARTITION, L_LATE };

static const view_key test_keys[] = {
	{"space", "", "step one event", true},
	{"p", "", "play or pause", true},
	{"?", "", "this help", true},
	{"x", "nodes", "crash or restart the process", false},
	{"d", "messages", "deliver the message now", false},
	{"D", "messages", "drop the message", false},
};
#define NKEYS ((int)(sizeof test_keys / sizeof test_keys[0]))

typedef struct {
	st_scenario *sc;
	st_trace *t;
	st_sim *s;
	trace_index *ix;    /* as the history keeps it: synced by world_new and world_at */
	view_model m;
} world;

static void world_new(world *w, uint64_t steps)
{
	char err[512];
	w->sc = scenario_parse(scenario_text, strlen(scenario_text), "test.json", err, sizeof err);
	if (!w->sc)
		fail_msg("scenario: %s", err);
	w->t = trace_new(w->sc->name, w->sc->protocol, w->sc->seed, w->sc->nnodes, w->sc->nclients,
			 NULL);
	sim_opts o = {w->sc->seed, true, 0};
	w->s = sim_new(w->sc, &o, w->t);
	sim_run_steps(w->s, steps);
	w->ix = trace_index_new(w->t, w->sc);
	trace_index_sync(w->ix);
	memset(&w->m, 0, sizeof w->m);
	w->m.index = w->ix;
	w->m.sc = w->sc;
	w->m.sim = w->s;
	w->m.trace = w->t;
	w->m.cursor = trace_count(w->t) - 1;
	w->m.now_us = sim_now_us(w->s);
	w->m.seed = w->sc->seed;
	w->m.selected = TRACE_NONE;
	w->m.marked = TRACE_NONE;
	w->m.sel_proc = 0;
	w->m.sel_flight = -1;
	w->m.us_per_col = 10000;
	w->m.speed = 0.25;
	w->m.keys = test_keys;
	w->m.nkeys = NKEYS;
}

static void world_free(world *w)
{
	trace_index_free(w->ix);
	sim_free(w->s);
	trace_free(w->t);
	scenario_free(w->sc);
}

/* Look at the past with no world (the read-only case): everything from the trace. */
static void world_at(world *w, uint32_t cursor)
{
	trace_index_sync(w->ix);    /* the trace may have grown (actions) or been cut (a branch) */
	w->m.sim = NULL;
	w->m.cursor = cursor;
	w->m.now_us = cursor == TRACE_NONE ? 0 : trace_at(w->t, cursor)->t_us;
}

/* --- reading a grid ------------------------------------------------------------------------ */

static bool has(const grid *g, const char *needle)
{
	char *s = grid_text(g);
	bool found = strstr(s, needle) != NULL;
	free(s);
	return found;
}

/* As has(), and on failure show the screen: a failing view test should show what it drew. */
#define assert_has(g, needle) do { \
	if (!has(g, needle)) { \
		char *s_ = grid_text(g); \
		fprintf(stderr, "--- \"%s\" is not in:\n%s---\n", needle, s_); \
		free(s_); \
		fail(); \
	} \
} while (0)

/* Where an ASCII needle starts in the grid (row y from y0 on), as cells; false if nowhere. */
static bool find_cells(const grid *g, const char *needle, int y0, int *x, int *y)
{
	int n = (int)strlen(needle);
	*x = *y = -1;
	for (int r = y0; r < g->h; r++)
		for (int c = 0; c + n <= g->w; c++) {
			int k = 0;
			while (k < n && g->cells[r * g->w + c + k].ch == (unsigned char)needle[k])
				k++;
			if (k == n) {
				*x = c;
				*y = r;
				return true;
			}
		}
	return false;
}

static int role_at(const grid *g, int x, int y)
{
	return x >= 0 && y >= 0 && x < g->w && y < g->h ? g->cells[y * g->w + x].role : -1;
}

static int count_role(const grid *g, int role, int y)
{
	int n = 0;
	for (int x = 0; x < g->w; x++)
		n += role_at(g, x, y) == role;
	return n;
}

/* The row of the nodes pane that starts with a process name. */
static int proc_row(const grid *g, const char *name)
{
	char pat[16];
	snprintf(pat, sizeof pat, "%s ", name);
	for (int y = 0; y < g->h; y++)
		for (int x = 0; x < 4; x++) {
			int k = 0;
			while (pat[k] && x + k < g->w && g->cells[y * g->w + x + k].ch == (unsigned char)pat[k])
				k++;
			if (!pat[k])
				return y;
		}
	return -1;
}

/* --- finding events by construction -------------------------------------------------------- */

static uint32_t find_label(const st_trace *t, const char *prefix, uint32_t from)
{
	for (uint32_t i = from; i < trace_count(t); i++) {
		const st_event *e = trace_at(t, i);
		if (e->label && strncmp(trace_str(t, e->label), prefix, strlen(prefix)) == 0)
			return i;
	}
	return TRACE_NONE;
}

static uint32_t find_kind(const st_trace *t, int kind, uint32_t from)
{
	for (uint32_t i = from; i < trace_count(t); i++)
		if (trace_at(t, i)->kind == kind)
			return i;
	return TRACE_NONE;
}

static grid *draw_pane(void (*draw)(grid *, grid_rect, const view_model *), const view_model *m,
		       int w, int h)
{
	grid *g = grid_new(w, h);
	draw(g, (grid_rect){0, 0, w, h}, m);
	return g;
}

/* --- nodes --------------------------------------------------------------------------------- */

static void test_nodes_shows_leader(void **state)
{
	(void)state;
	world w;
	world_new(&w, 300);
	grid *g = draw_pane(nodes_draw, &w.m, 100, 10);
	assert_has(g, "leader");
	int leaders = 0;
	for (int y = 0; y < g->h; y++)
		leaders += count_role(g, R_ROLE_STRONG, y) > 0;
	assert_true(leaders >= 1);
	assert_has(g, "term");
	assert_has(g, "commit");
	grid_free(g);

	/* at the very start everyone is a follower: no leader role anywhere; the state comes
	 * from the trace at the cursor, even when the live world (here at the end, where
	 * there is a leader) is at hand */
	for (int with_world = 0; with_world < 2; with_world++) {
		world_at(&w, 0);
		if (with_world)
			w.m.sim = w.s;
		g = draw_pane(nodes_draw, &w.m, 100, 10);
		for (int y = 0; y < g->h; y++)
			assert_int_equal(count_role(g, R_ROLE_STRONG, y), 0);
		assert_has(g, "follower");
		grid_free(g);
	}
	world_free(&w);
}

static void test_nodes_highlights_changes(void **state)
{
	(void)state;
	world w;
	world_new(&w, 300);
	uint32_t c = find_label(w.t, "became candidate", 0);
	assert_int_not_equal(c, TRACE_NONE);
	int p = trace_at(w.t, c)->proc;
	const char *name = w.t->proc_names[p];

	world_at(&w, c);
	grid *g = draw_pane(nodes_draw, &w.m, 120, 10);
	int y = proc_row(g, name), x, yy;
	assert_true(y >= 0);
	assert_true(find_cells(g, "candidate", y, &x, &yy));
	assert_int_equal(yy, y);
	assert_int_equal(role_at(g, x, y), R_CHANGED);
	/* the term went up too, and it is on the same row */
	assert_true(find_cells(g, "term ", y, &x, &yy));
	assert_int_equal(yy, y);
	assert_int_equal(role_at(g, x + 5, y), R_CHANGED);
	/* another node did nothing in this step: nothing of its row is highlighted */
	int q = p == 0 ? 1 : 0;
	int yq = proc_row(g, w.t->proc_names[q]);
	assert_true(yq >= 0);
	assert_int_equal(count_role(g, R_CHANGED, yq), 0);
	grid_free(g);

	/* a later step of another process: p's candidacy is no longer news */
	uint32_t later = TRACE_NONE;
	for (uint32_t i = c + 1; i < trace_count(w.t); i++) {
		const st_event *e = trace_at(w.t, i);
		if ((e->kind == KIND_RECV || e->kind == KIND_TIMER) && e->proc != p) {
			later = i;
			break;
		}
	}
	assert_int_not_equal(later, TRACE_NONE);
	world_at(&w, later);
	g = draw_pane(nodes_draw, &w.m, 120, 10);
	y = proc_row(g, name);
	assert_int_equal(count_role(g, R_CHANGED, y), 0);
	grid_free(g);

	/* ... unless the candidacy is the selected event: the row shows what it changed (the
	 * record shown is still the one it wrote) */
	trace_point pt;
	trace_index_at(w.ix, later + 1, &pt);
	uint32_t rec = pt.state_ev[p];
	assert_true(rec >= c && rec < later);
	w.m.selected = rec;
	g = draw_pane(nodes_draw, &w.m, 120, 10);
	y = proc_row(g, name);
	assert_true(find_cells(g, "candidate", y, &x, &yy));
	assert_int_equal(yy, y);
	assert_int_equal(role_at(g, x, y), R_CHANGED);
	/* and the other rows keep to the step at the cursor */
	assert_int_equal(count_role(g, R_CHANGED, yq), 0);
	grid_free(g);
	world_free(&w);
}

static void test_nodes_status_from_trace(void **state)
{
	(void)state;
	world w;
	world_new(&w, 600);
	uint32_t k = find_kind(w.t, KIND_CRASH, 0);
	assert_int_not_equal(k, TRACE_NONE);
	const char *name = w.t->proc_names[trace_at(w.t, k)->proc];
	world_at(&w, k);
	grid *g = draw_pane(nodes_draw, &w.m, 120, 10);
	int y = proc_row(g, name), x, yy;
	assert_true(find_cells(g, "crashed", y, &x, &yy));
	assert_int_equal(yy, y);
	grid_free(g);
	world_at(&w, k - 1);
	g = draw_pane(nodes_draw, &w.m, 120, 10);
	y = proc_row(g, name);
	assert_true(find_cells(g, "up", y, &x, &yy));
	assert_int_equal(yy, y);
	assert_false(find_cells(g, "crashed", 0, &x, &yy));
	grid_free(g);
	world_free(&w);
}

/* At 80 columns the least important fields go, role, term and commit stay; timers show as
 * bars when there is a world. */
static void test_nodes_narrow(void **state)
{
	(void)state;
	world w;
	world_new(&w, 300);
	view_layout l;
	layout_compute(80, 24, &w.m, &l);
	grid *g = grid_new(80, 24);
	nodes_draw(g, l.nodes, &w.m);
	assert_has(g, "term");
	assert_has(g, "commit");
	assert_false(has(g, "last_log_term"));
	int bars = 0;
	for (int i = 0; i < g->w * g->h; i++)
		bars += g->cells[i].role == R_TIMER;
	assert_true(bars > 0);
	grid_free(g);
	world_free(&w);
}

/* --- inspector ----------------------------------------------------------------------------- */

static void test_inspector_recv_and_order(void **state)
{
	(void)state;
	world w;
	world_new(&w, 300);
	uint32_t r = find_kind(w.t, KIND_RECV, 0);
	assert_int_not_equal(r, TRACE_NONE);
	const st_event *er = trace_at(w.t, r);
	const st_msgrec *mr = trace_msg(w.t, er->ref);
	uint32_t s = mr->send_ev;
	w.m.selected = r;
	w.m.marked = s;
	grid *g = draw_pane(inspector_draw, &w.m, 70, 50);
	char buf[160];
	snprintf(buf, sizeof buf, "e%u recv at %s", r, w.t->proc_names[er->proc]);
	assert_has(g, buf);
	snprintf(buf, sizeof buf, "lamport %u", er->lamport);
	assert_has(g, buf);
	snprintf(buf, sizeof buf, "sent by %s at t=", w.t->proc_names[mr->from]);
	assert_has(g, buf);
	assert_has(g, "in flight");
	/* the vector clock, process names above it */
	assert_has(g, "n1 n2 n3 n4 n5 c1");
	const uint32_t *vc = trace_vc(w.t, r);
	snprintf(buf, sizeof buf, "%u,", vc[0]);
	assert_has(g, buf);
	/* the send happened before its receive, and the inspector says why */
	snprintf(buf, sizeof buf, "e%u \u2192 e%u", s, r);
	assert_has(g, buf);
	assert_has(g, "happened before");
	assert_false(has(g, "concurrent"));
	grid_free(g);

	/* the starts of two different processes know nothing of each other */
	assert_int_equal(trace_at(w.t, 0)->kind, KIND_START);
	assert_int_equal(trace_at(w.t, 1)->kind, KIND_START);
	assert_int_not_equal(trace_at(w.t, 0)->proc, trace_at(w.t, 1)->proc);
	w.m.selected = 0;
	w.m.marked = 1;
	g = draw_pane(inspector_draw, &w.m, 70, 50);
	assert_has(g, "e0 \u2225 e1");
	assert_has(g, "concurrent: e0 knows 1 event of n1, e1 only 0");
	assert_false(has(g, "happened before"));
	grid_free(g);
	world_free(&w);
}

/* A violation is named where the violating event is inspected (issue 10), as a warning, and
 * on the latest event when nothing is selected; another selected event does not repeat it. */
static void test_inspector_names_violation(void **state)
{
	(void)state;
	world w;
	world_new(&w, 300);
	uint32_t v = find_label(w.t, "became leader", 0);
	assert_int_not_equal(v, TRACE_NONE);
	char text[160];
	snprintf(text, sizeof text, "The invariant \"election safety\" broke at event e%u.", v);
	w.m.violation = "election safety";
	w.m.violation_text = text;
	w.m.violation_ev = v;
	w.m.selected = v;
	grid *g = draw_pane(inspector_draw, &w.m, 70, 40);
	assert_has(g, "invariant violated: election safety");
	char buf[64];
	snprintf(buf, sizeof buf, "violation at e%u", v);
	assert_has(g, buf);
	snprintf(buf, sizeof buf, "broke at event e%u", v);
	assert_has(g, buf);
	int x, y;
	assert_true(find_cells(g, "invariant violated", 0, &x, &y));
	assert_int_equal(role_at(g, x, y), R_WARN);
	grid_free(g);

	/* nothing selected: the latest event's inspector leads with it and says where it is */
	w.m.selected = TRACE_NONE;
	g = draw_pane(inspector_draw, &w.m, 70, 40);
	assert_has(g, "invariant violated: election safety");
	snprintf(buf, sizeof buf, "at e%u (! returns to it)", v);
	assert_has(g, buf);
	grid_free(g);

	/* another event selected: about that event only */
	w.m.selected = 0;
	g = draw_pane(inspector_draw, &w.m, 70, 40);
	assert_false(has(g, "invariant violated"));
	grid_free(g);
	world_free(&w);
}

/* What an event changed (issue 9): the fields its state record changed against the record
 * before it, old value to new, the new value highlighted; unchanged fields are not listed. */
static void test_inspector_what_changed(void **state)
{
	(void)state;
	world w;
	world_new(&w, 300);
	uint32_t c = find_label(w.t, "became candidate", 0);
	assert_int_not_equal(c, TRACE_NONE);
	int p = trace_at(w.t, c)->proc;
	trace_point pt;
	trace_index_at(w.ix, c + 1, &pt);
	uint32_t ev = pt.state_ev[p], prev = pt.prev_state_ev[p];
	assert_int_not_equal(ev, TRACE_NONE);
	assert_int_not_equal(prev, TRACE_NONE);
	view_change ch[VIEW_MAX_CHANGES];
	int n = view_changes(w.t, prev, ev, ch, VIEW_MAX_CHANGES);
	int kt = -1, kr = -1;
	for (int k = 0; k < n; k++) {
		if (strcmp(ch[k].key, "term") == 0)
			kt = k;
		if (strcmp(ch[k].key, "role") == 0)
			kr = k;
		assert_true(ch[k].had_old);
		assert_string_not_equal(ch[k].old, ch[k].val);
	}
	assert_true(kt >= 0 && kr >= 0);
	assert_string_equal(ch[kr].old, "follower");
	assert_string_equal(ch[kr].val, "candidate");
	assert_int_equal(atoi(ch[kt].val), atoi(ch[kt].old) + 1);
	/* the same record against itself changed nothing; a first record marks nothing */
	assert_int_equal(view_changes(w.t, ev, ev, ch, VIEW_MAX_CHANGES), 0);
	assert_int_equal(view_changes(w.t, TRACE_NONE, ev, ch, VIEW_MAX_CHANGES), 0);

	w.m.selected = ev;
	grid *g = draw_pane(inspector_draw, &w.m, 70, 50);
	char buf[96];
	snprintf(buf, sizeof buf, "term %s\u2192%s", ch[kt].old, ch[kt].val);
	assert_has(g, buf);
	assert_has(g, "role follower\u2192candidate");
	int x, y, yc;
	assert_true(find_cells(g, "changed", 0, &x, &yc));
	assert_true(find_cells(g, "candidate", yc, &x, &y));
	assert_int_equal(role_at(g, x, y), R_CHANGED);
	assert_true(find_cells(g, "follower", yc, &x, &y));
	assert_int_equal(role_at(g, x, y), R_DIM);
	/* a field that stayed (the commit index) is not in the list */
	assert_false(has(g, "commit 0\u2192"));
	grid_free(g);
	world_free(&w);
}

static void test_inspector_drop_and_body(void **state)
{
	(void)state;
	world w;
	world_new(&w, 600);
	uint32_t d;
	for (d = find_kind(w.t, KIND_DROP, 0); d != TRACE_NONE; d = find_kind(w.t, KIND_DROP, d + 1))
		if (trace_at(w.t, d)->aux == DROP_PARTITION)
			break;
	assert_int_not_equal(d, TRACE_NONE);
	w.m.selected = d;
	grid *g = draw_pane(inspector_draw, &w.m, 70, 40);
	assert_has(g, "dropped:");
	assert_has(g, "different sides of a partition");
	grid_free(g);

	/* an AppendEntries carrying entries shows them nested under "entries:" */
	bool nested = false;
	for (uint32_t i = 0; i < trace_count(w.t) && !nested; i++) {
		const st_event *e = trace_at(w.t, i);
		if (e->kind != KIND_SEND)
			continue;
		w.m.selected = i;
		g = draw_pane(inspector_draw, &w.m, 70, 60);
		char *s = grid_text(g);
		nested = strstr(s, "entries:") != NULL && strstr(s, "    - term: ") != NULL &&
			 strstr(s, "      cmd: ") != NULL;
		free(s);
		grid_free(g);
	}
	assert_true(nested);
	world_free(&w);
}

/* --- lesson -------------------------------------------------------------------------------- */

static void test_lesson_moments(void **state)
{
	(void)state;
	world w;
	world_new(&w, 600);
	int idx;
	world_at(&w, TRACE_NONE);
	assert_string_equal(lesson_text_at(&w.m, &idx), w.sc->lesson[L_START].text);
	assert_int_equal(idx, L_START);
	world_at(&w, 0);
	assert_int_equal((lesson_text_at(&w.m, &idx), idx), L_START);

	uint32_t c = find_label(w.t, "became candidate", 0);
	world_at(&w, c - 1);
	assert_int_equal((lesson_text_at(&w.m, &idx), idx), L_START);
	world_at(&w, c);
	assert_string_equal(lesson_text_at(&w.m, &idx), w.sc->lesson[L_CANDIDATE].text);

	/* "label:vote for" has no trailing number: it matches "vote for n3" */
	uint32_t v = find_label(w.t, "vote for ", 0);
	uint32_t l = find_label(w.t, "became leader", 0);
	assert_true(v != TRACE_NONE && l != TRACE_NONE && v < l);
	world_at(&w, v);
	assert_int_equal((lesson_text_at(&w.m, &idx), idx), L_VOTE);
	world_at(&w, l);
	assert_int_equal((lesson_text_at(&w.m, &idx), idx), L_LEADER);
	uint32_t p = find_kind(w.t, KIND_PARTITION, 0);
	world_at(&w, p);
	assert_int_equal((lesson_text_at(&w.m, &idx), idx), L_PARTITION);
	/* at_ms:5000 is beyond this run; back in time the earlier text returns */
	world_at(&w, trace_count(w.t) - 1);
	assert_int_equal((lesson_text_at(&w.m, &idx), idx), L_PARTITION);
	world_at(&w, 3);
	assert_int_equal((lesson_text_at(&w.m, &idx), idx), L_START);

	/* the pane: title, progress, the text */
	world_at(&w, c);
	grid *g = draw_pane(lesson_draw, &w.m, 60, 6);
	assert_has(g, "CANDIDATE: a timer fired.");
	assert_has(g, "2/6");
	assert_has(g, "Raft: electing a leader");
	grid_free(g);

	/* a narration longer than its pane says so, and scrolls */
	world_at(&w, 0);
	g = draw_pane(lesson_draw, &w.m, 20, 4);
	assert_has(g, "START: five");
	assert_has(g, "more \u2193");
	assert_false(has(g, "leader"));
	w.m.lesson_scroll = 99;         /* clamped to the last page */
	g = (grid_free(g), draw_pane(lesson_draw, &w.m, 20, 4));
	assert_has(g, "leader");
	assert_has(g, "\u2191 more");
	assert_false(has(g, "START"));
	grid_free(g);
	w.m.lesson_scroll = 0;

	/* a branch: the future is cut off before the candidacy, and the cache must notice */
	trace_truncate(w.t, c);
	world_at(&w, trace_count(w.t) - 1);
	assert_int_equal((lesson_text_at(&w.m, &idx), idx), L_START);
	world_free(&w);
}

/* --- status, help, size -------------------------------------------------------------------- */

static void test_status_bar(void **state)
{
	(void)state;
	world w;
	world_new(&w, 300);
	uint32_t n = trace_count(w.t);
	char buf[64];
	grid *g = draw_pane(status_draw, &w.m, 120, 2);
	snprintf(buf, sizeof buf, "event %u/%u", n, n);
	assert_has(g, buf);
	assert_has(g, "raft-election");
	assert_has(g, "paused");
	assert_has(g, "space step one event");
	assert_false(has(g, "in the past: acting here starts a branch"));
	grid_free(g);

	w.m.cursor = 9;
	w.m.playing = true;
	w.m.manual = true;
	w.m.message = "exported to t.json";
	g = draw_pane(status_draw, &w.m, 120, 2);
	snprintf(buf, sizeof buf, "event 10/%u", n);
	assert_has(g, buf);
	assert_has(g, "in the past: acting here starts a branch");
	assert_has(g, "playing 0.25x");
	assert_has(g, "manual");
	assert_has(g, "exported to t.json");
	assert_false(has(g, "space step"));
	grid_free(g);
	w.m.prompt = "export to: t.json";
	g = draw_pane(status_draw, &w.m, 120, 2);
	assert_has(g, "export to: t.json");
	assert_false(has(g, "exported"));
	grid_free(g);
	w.m.prompt = w.m.message = NULL;
	world_free(&w);

	/* the partition summary, from the trace at the cursor */
	world_new(&w, 600);
	uint32_t p = find_kind(w.t, KIND_PARTITION, 0), h = find_kind(w.t, KIND_HEAL, 0);
	assert_true(p != TRACE_NONE && h != TRACE_NONE);
	world_at(&w, p);
	g = draw_pane(status_draw, &w.m, 120, 2);
	assert_has(g, "{n1 n2} | {n3 n4 n5}");
	grid_free(g);
	world_at(&w, h);
	g = draw_pane(status_draw, &w.m, 120, 2);
	assert_false(has(g, "{n1 n2}"));
	grid_free(g);
	world_free(&w);
}

static void test_help_lists_every_key(void **state)
{
	(void)state;
	world w;
	world_new(&w, 10);
	grid *g = draw_pane(help_draw, &w.m, 80, 24);
	for (int i = 0; i < NKEYS; i++) {
		/* the help text, and its key to the left of it on the same row */
		int x, y, kx, ky;
		assert_true(find_cells(g, test_keys[i].help, 0, &x, &y));
		assert_true(find_cells(g, test_keys[i].keys, y, &kx, &ky));
		assert_int_equal(ky, y);
		assert_true(kx < x);
		assert_int_equal(role_at(g, kx, ky), R_KEY);
	}
	assert_has(g, "everywhere");
	assert_has(g, "nodes");
	assert_has(g, "messages");
	/* keys aligned: every help text starts in the same column */
	int col = -1;
	for (int i = 0; i < NKEYS; i++) {
		int x, y;
		assert_true(find_cells(g, test_keys[i].help, 0, &x, &y));
		if (col < 0)
			col = x;
		assert_int_equal(x, col);
	}
	grid_free(g);
	world_free(&w);
}

static void test_too_small(void **state)
{
	(void)state;
	world w;
	world_new(&w, 50);
	const int sizes[][3] = {{59, 16, 1}, {60, 15, 1}, {40, 12, 1}, {60, 16, 0}, {80, 24, 0}};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		grid *g = grid_new(sizes[i][0], sizes[i][1]);
		view_draw_all(g, &w.m);
		char want[64];
		snprintf(want, sizeof want, "terminal too small: %dx%d, need 60x16", sizes[i][0],
			 sizes[i][1]);
		char *s = grid_text(g);
		assert_int_equal(strstr(s, want) != NULL, sizes[i][2]);
		free(s);
		view_layout l;
		layout_compute(sizes[i][0], sizes[i][1], &w.m, &l);
		assert_int_equal(l.too_small, sizes[i][2]);
		grid_free(g);
	}
	world_free(&w);
}

/* --- layout -------------------------------------------------------------------------------- */

static bool rect_overlap(grid_rect a, grid_rect b)
{
	return a.w && b.w && a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

static void test_layout(void **state)
{
	(void)state;
	world w;
	world_new(&w, 10);
	const int sizes[][2] = {{60, 16}, {80, 24}, {100, 30}, {120, 40}, {200, 60}, {300, 90}};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		int W = sizes[i][0], H = sizes[i][1];
		view_layout l;
		layout_compute(W, H, &w.m, &l);
		grid_rect r[] = {l.timeline, l.nodes, l.inspector, l.lesson, l.status, l.network,
				 l.messages};
		int n = (int)(sizeof r / sizeof r[0]);
		for (int a = 0; a < n; a++) {
			if (!r[a].w)
				continue;
			assert_true(r[a].x >= 0 && r[a].y >= 0 && r[a].x + r[a].w <= W &&
				    r[a].y + r[a].h <= H);
			for (int b = a + 1; b < n; b++)
				assert_false(rect_overlap(r[a], r[b]));
		}
		/* the always-there panes, the timeline the biggest */
		assert_true(l.timeline.w >= W / 2 && l.timeline.h >= 5);
		assert_true(l.nodes.w > 0 && l.inspector.w > 0 && l.lesson.w > 0);
		assert_true(l.status.y + l.status.h == H && l.status.w == W);
		assert_true(l.timeline.w * l.timeline.h > l.nodes.w * l.nodes.h);
	}
	view_layout l;
	layout_compute(200, 60, &w.m, &l);
	assert_true(l.network.w > 0 && l.messages.w > 0);
	layout_compute(80, 24, &w.m, &l);
	assert_true(l.network.w == 0 && l.messages.w == 0);
	grid_rect ins = l.inspector;
	w.m.swap_pane = PANE_MESSAGES;
	layout_compute(80, 24, &w.m, &l);
	assert_int_equal(l.inspector.w, 0);
	assert_memory_equal(&l.messages, &ins, sizeof ins);
	world_free(&w);
}

/* --- ASCII mode ---------------------------------------------------------------------------- */

static void assert_ascii(const grid *g, const char *what)
{
	char *s = grid_text(g);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p >= 0x80)
			fail_msg("%s: byte 0x%02x in --ascii output:\n%s", what, *p, s);
	free(s);
}

static void test_ascii_everywhere(void **state)
{
	(void)state;
	world w;
	world_new(&w, 600);
	uint32_t r = find_kind(w.t, KIND_RECV, 0);
	w.m.selected = r;
	w.m.marked = 1;
	w.m.manual = true;
	w.m.playing = true;
	w.m.sel_flight = 0;
	const struct { const char *name; void (*draw)(grid *, grid_rect, const view_model *); } panes[] = {
		{"nodes", nodes_draw}, {"inspector", inspector_draw}, {"lesson", lesson_draw},
		{"status", status_draw}, {"help", help_draw}, {"network", network_draw},
		{"messages", messages_draw},
	};
	uint32_t p = find_kind(w.t, KIND_PARTITION, 0);
	for (int pass = 0; pass < 3; pass++) {
		/* now (with a world), at the partition (a wall), and at the start (the lesson's
		 * first text has an arrow and an ellipsis) */
		if (pass == 1)
			world_at(&w, p);
		if (pass == 2)
			world_at(&w, 0);
		for (size_t i = 0; i < sizeof panes / sizeof panes[0]; i++) {
			grid *g = grid_new(70, 30);
			g->ascii = true;
			panes[i].draw(g, (grid_rect){0, 0, 70, 30}, &w.m);
			assert_ascii(g, panes[i].name);
			grid_free(g);
		}
	}
	const picker_item items[] = {{"raft-election", "Raft: electing \u2014 a leader", "Replication"}};
	grid *g = grid_new(80, 24);
	g->ascii = true;
	picker_draw(g, items, 1, 0, 0);
	assert_ascii(g, "picker");
	grid_free(g);
	world_free(&w);
}

/* --- network, messages, picker ------------------------------------------------------------- */

static void test_network_and_messages(void **state)
{
	(void)state;
	world w;
	world_new(&w, 600);
	uint32_t p = find_kind(w.t, KIND_PARTITION, 0);
	world_at(&w, p);
	grid *g = draw_pane(network_draw, &w.m, 40, 8);
	assert_has(g, "n1  n2   \u2503  n3  n4  n5");
	assert_has(g, "c1  reach everyone");
	grid_free(g);
	world_at(&w, 2);
	g = draw_pane(network_draw, &w.m, 40, 8);
	assert_has(g, "no partition");
	grid_free(g);

	/* user actions at the end: a one-way cut and a pause, read back from the trace */
	sim_cut(w.s, 0, 1, true, BY_USER);
	sim_pause(w.s, 3, BY_USER);
	world_at(&w, trace_count(w.t) - 1);
	g = draw_pane(network_draw, &w.m, 40, 8);
	assert_has(g, "n1 \u21f8 n2");
	grid_free(g);
	g = draw_pane(status_draw, &w.m, 120, 2);
	assert_has(g, "n1 \u21f8 n2");
	grid_free(g);
	trace_point pt;
	view_point(&w.m, &pt);
	assert_int_equal(pt.status[3], TI_PAUSED);
	assert_int_equal(pt.status[4], TI_UP);
	g = draw_pane(nodes_draw, &w.m, 120, 10);
	int x, y;
	assert_true(find_cells(g, "paused", proc_row(g, "n4"), &x, &y));
	assert_int_equal(y, proc_row(g, "n4"));
	grid_free(g);

	world_free(&w);
	world_new(&w, 40);
	sim_flight f[64];
	int n = sim_inflight(w.s, f, 64);
	assert_true(n > 0);
	w.m.manual = true;
	w.m.sel_flight = 0;
	g = draw_pane(messages_draw, &w.m, 60, 12);
	char buf[64];
	snprintf(buf, sizeof buf, "#%u ", f[0].msg);
	assert_has(g, buf);
	snprintf(buf, sizeof buf, "%s\u2192%s", w.t->proc_names[f[0].from], w.t->proc_names[f[0].to]);
	assert_has(g, buf);
	assert_has(g, "(manual: choose a message to deliver)");
	assert_true(find_cells(g, "#", 2, &x, &y));
	assert_int_equal(role_at(g, x, y), R_SELECT);
	grid_free(g);
	world_free(&w);
}

static void test_picker(void **state)
{
	(void)state;
	const picker_item items[] = {
		{"time-clocks", "Lamport clocks", "Foundations"},
		{"time-vector", "Vector clocks", "Foundations"},
		{"fail-detect", "Failure detectors", "Failure and time"},
		{"raft-election", "Raft: electing a leader", "Broadcast, replication and consensus"},
		{"raft-replication", "Raft: replicating a log", "Broadcast, replication and consensus"},
	};
	grid *g = grid_new(80, 24);
	picker_draw(g, items, 5, 3, 0);
	int xf, yf, xa, ya, xb, yb;
	assert_true(find_cells(g, "Foundations", 0, &xf, &yf));
	assert_true(find_cells(g, "Failure and time", 0, &xa, &ya));
	assert_true(find_cells(g, "Broadcast, replication and consensus", 0, &xb, &yb));
	assert_true(yf < ya && ya < yb);
	int x, y;
	assert_true(find_cells(g, "raft-election", 0, &x, &y));
	assert_int_equal(role_at(g, x, y), R_SELECT);
	assert_true(find_cells(g, "Raft: electing a leader", 0, &x, &y));
	assert_true(find_cells(g, "time-vector", 0, &x, &y));
	assert_int_not_equal(role_at(g, x, y), R_SELECT);
	assert_has(g, "enter open");
	grid_free(g);

	/* a short screen (4 list rows) scrolls just enough to keep the selection in view:
	 * rows are Foundations, time-clocks, time-vector, blank, Failure and time, fail-detect,
	 * blank, Broadcast..., raft-election, raft-replication */
	assert_int_equal(picker_scroll(10, items, 5, 0, 0), 0);
	assert_int_equal(picker_scroll(10, items, 5, 2, 0), 2);
	assert_int_equal(picker_scroll(10, items, 5, 4, 0), 6);
	assert_int_equal(picker_scroll(10, items, 5, 0, 6), 0);      /* back up: heading too */
	for (int sel = 0; sel < 5; sel++) {
		g = grid_new(80, 10);
		picker_draw(g, items, 5, sel, 0);
		assert_true(find_cells(g, items[sel].name, 0, &x, &y));
		assert_int_equal(role_at(g, x, y), R_SELECT);
		assert_true(y >= 3 && y < 10 - 3);      /* inside the list, not over the footer */
		grid_free(g);
	}
}

/* --- theme --------------------------------------------------------------------------------- */

static void test_theme(void **state)
{
	(void)state;
	theme t, d;
	char err[1024];
	theme_default(&d);
	const char *ok = "{\"name\": \"mine\", \"role_strong\": {\"fg\": \"bright_green\", \"bg\": 17, "
			 "\"attrs\": [\"bold\", \"underline\"]}}";
	assert_int_equal(theme_parse(&t, ok, strlen(ok), "mine.json", err, sizeof err), 0);
	assert_string_equal(t.name, "mine");
	assert_int_equal(t.role[R_ROLE_STRONG].fg, 10);
	assert_int_equal(t.role[R_ROLE_STRONG].bg, 17);
	assert_int_equal(t.role[R_ROLE_STRONG].attr, A_BOLD_ | A_UND_);
	assert_memory_equal(&t.role[R_DROP], &d.role[R_DROP], sizeof d.role[R_DROP]);

	const char *bad_role = "{\"role_strnog\": {\"fg\": \"green\"}}";
	assert_int_equal(theme_parse(&t, bad_role, strlen(bad_role), "x.json", err, sizeof err), -1);
	assert_non_null(strstr(err, "x.json: \"role_strnog\" is not a role"));
	assert_non_null(strstr(err, "role_strong"));
	const char *bad_color = "{\"drop\": {\"fg\": \"redd\"}}";
	assert_int_equal(theme_parse(&t, bad_color, strlen(bad_color), "x.json", err, sizeof err), -1);
	assert_non_null(strstr(err, "x.json: drop.fg: \"redd\" is not a colour; expected"));
	const char *bad_json = "{\n  \"drop\": {\"fg\": }\n}";
	assert_int_equal(theme_parse(&t, bad_json, strlen(bad_json), "x.json", err, sizeof err), -1);
	assert_non_null(strstr(err, "x.json:2:"));
	assert_memory_equal(t.role, d.role, sizeof d.role);     /* a bad file leaves the default */

	/* the shipped default.json says exactly what the built-in table says */
	assert_int_equal(theme_load(&t, "assets/themes/default.json", NULL, err, sizeof err), 0);
	for (int r = 0; r < R__COUNT; r++)
		if (memcmp(&t.role[r], &d.role[r], sizeof d.role[r]) != 0)
			fail_msg("default.json and the built-in theme differ at \"%s\"", grid_role_names[r]);
	assert_int_equal(theme_load(&t, "no-such-theme", NULL, err, sizeof err), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nodes_shows_leader),
		cmocka_unit_test(test_nodes_highlights_changes),
		cmocka_unit_test(test_nodes_status_from_trace),
		cmocka_unit_test(test_nodes_narrow),
		cmocka_unit_test(test_inspector_recv_and_order),
		cmocka_unit_test(test_inspector_drop_and_body),
		cmocka_unit_test(test_inspector_names_violation),
		cmocka_unit_test(test_inspector_what_changed),
		cmocka_unit_test(test_lesson_moments),
		cmocka_unit_test(test_status_bar),
		cmocka_unit_test(test_help_lists_every_key),
		cmocka_unit_test(test_too_small),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_ascii_everywhere),
		cmocka_unit_test(test_network_and_messages),
		cmocka_unit_test(test_picker),
		cmocka_unit_test(test_theme),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
