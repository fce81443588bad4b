/* actions.c: what keys do (see actions.h).
 *
 * The world changes only through history_act / history_step / history_seek, so every change a
 * key makes is an event in the trace, survives rewinding and is replayed by --replay. These
 * functions never draw; they leave a message when the user should be told what happened or
 * why nothing did. */
#include <limits.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "actions.h"
#include "core/trace_json.h"
#include "until.h"
#include "find.h"

#define ACTIONS_MAX_FLIGHTS 512

static bool actions_need_run(session *s)
{
	return s->h != NULL;
}

static const st_trace *actions_trace(session *s) { return history_trace(s->h); }

/* Actions on the world need one: a recorded trace opened read-only has none. */
static bool actions_need_world(session *s)
{
	if (!actions_need_run(s))
		return false;
	if (!history_sim(s->h)) {
		session_say(s, 4, "read-only: this trace cannot be re-simulated, so it cannot be "
			    "changed (stepping and rewinding work)");
		return false;
	}
	return true;
}

static void actions_proc_name(session *s, int p, char *out, size_t n)
{
	if (p >= 0 && p < s->rs.sc->nprocs)
		scenario_proc_name(s->rs.sc, p, out, n);
	else
		snprintf(out, n, "?");
}

/* The time columns of the timeline and the rectangle, from a fresh model. */
static int actions_cols(session *s)
{
	view_model m;
	session_model(s, &m);   /* brings time_cols and upc_eff up to date */
	return s->time_cols;
}

/* Bring virtual time t into the window (stop following if that means looking back). */
static void actions_reveal(session *s, int64_t t)
{
	int cols = actions_cols(s);
	int64_t upc = s->upc_eff;
	int64_t span = (int64_t)cols * upc;
	if (s->follow) {
		int64_t t0 = s->t0_us;
		if (t >= t0 && t < t0 + span)
			return;
		s->follow = false;
	}
	if (t < s->t0_us || t >= s->t0_us + span) {
		int64_t t0 = t - span / 2;
		s->t0_us = t0 > 0 ? t0 / upc * upc : 0;
	}
}

static void actions_select(session *s, uint32_t ev)
{
	s->selected = ev;
	if (ev == TRACE_NONE)
		return;
	const st_event *e = trace_at(actions_trace(s), ev);
	if (e->proc != TRACE_WORLD)
		s->sel_proc = e->proc;
	actions_reveal(s, e->t_us);
}

/* After an action: select its first event (the one flagged EVF_STEP: acting in the past
 * first cuts the record back to a step boundary, so where it starts is known only after),
 * move now up to it, and say what happened. */
static void actions_after_act(session *s, bool ok, bool in_past, const char *what)
{
	if (!ok) {
		session_say(s, 4, "%s: does not apply now", what);
		return;
	}
	uint32_t cur = history_cursor(s->h);
	if (cur > 0) {
		const st_trace *t = actions_trace(s);
		uint32_t first = cur - 1;
		while (first > 0 && !(trace_at(t, first)->flags & EVF_STEP))
			first--;
		s->selected = first;
		int64_t te = trace_at(t, cur - 1)->t_us;
		if (te > s->now_us || in_past)
			s->now_us = te;
	}
	if (in_past) {
		session_say(s, 6, "%s; a new branch: the old future is kept (R lists, U undoes)",
			    what);
	} else {
		session_say(s, 4, "%s", what);
	}
}

static bool actions_act(session *s, hist_act *a, const char *what)
{
	if (!actions_need_world(s))
		return false;
	a->at = 0;      /* the history pins it to where the world is */
	bool in_past = !history_at_end(s->h);
	uint32_t cur = history_cursor(s->h), point = history_act_point(s->h);
	int nb0, nb1;
	history_branches(s->h, &nb0);
	bool ok = history_act(s->h, a);
	history_branches(s->h, &nb1);
	in_past = in_past && nb1 != nb0;        /* a future was replaced (and kept) */
	actions_after_act(s, ok, in_past, what);
	if (ok && point != cur)
		session_say(s, 8, "%s, right after the event shown (at the end of its step, e%u)%s",
			    what, point ? point - 1 : 0, in_past ? "; a new branch: the old future "
			    "is kept (R lists, U undoes)" : "");
	s->dirty = true;
	return ok;
}

/* ---- time ---- */

void actions_step(session *s, int arg)
{
	(void)arg;
	if (!actions_need_run(s))
		return;
	session_set_playing(s, false);
	uint32_t ev;
	if (history_at_end(s->h) && history_sim(s->h) && sim_violation(history_sim(s->h), &ev)) {
		session_say(s, 5, "the run stopped at an invariant violation (event %u); b rewinds",
			    ev);
		return;
	}
	uint32_t before = history_cursor(s->h);
	session_step(s);
	if (history_cursor(s->h) > before && s->selected != TRACE_NONE)
		actions_reveal(s, trace_at(actions_trace(s), s->selected)->t_us);
}

void actions_back(session *s, int arg)
{
	(void)arg;
	if (!actions_need_run(s))
		return;
	session_set_playing(s, false);
	uint32_t cur = history_cursor(s->h);
	if (cur == 0) {
		session_say(s, 3, "at the start: nothing before this");
		return;
	}
	history_seek(s->h, cur - 1);
	session_after_seek(s);
	/* the event selected follows the cursor back; the process selected stays */
	s->selected = cur - 1 > 0 ? cur - 2 : TRACE_NONE;
	if (s->selected != TRACE_NONE)
		actions_reveal(s, trace_at(actions_trace(s), s->selected)->t_us);
}

void actions_seek_edge(session *s, int arg)
{
	if (!actions_need_run(s))
		return;
	session_set_playing(s, false);
	history_seek(s->h, arg ? history_end(s->h) : 0);
	session_after_seek(s);
	uint32_t cur = history_cursor(s->h);
	s->selected = cur ? cur - 1 : TRACE_NONE;
	s->follow = true;
	session_say(s, 3, arg ? "at the end of the record (event %u)" : "rewound to the start",
		    cur);
}

void actions_play(session *s, int arg)
{
	(void)arg;
	if (!actions_need_run(s))
		return;
	uint32_t ev;
	if (!s->playing && history_at_end(s->h) && history_sim(s->h) &&
	    sim_violation(history_sim(s->h), &ev)) {
		session_say(s, 5, "the run stopped at an invariant violation (event %u); b rewinds",
			    ev);
		return;
	}
	session_set_playing(s, !s->playing);
	if (s->playing)
		s->follow = true;   /* playing is watching the present */
}

void actions_speed(session *s, int arg)
{
	if (!session_speed_step(s, arg))
		session_say(s, 3, "already at %gx, the %s speed", session_speed(s),
			    arg > 0 ? "highest" : "lowest");
	else
		session_say(s, 3, "speed %gx", session_speed(s));
}

void actions_milestone(session *s, int arg)
{
	(void)arg;
	if (!actions_need_run(s))
		return;
	uint32_t ev;
	if (history_at_end(s->h) && history_sim(s->h) && sim_violation(history_sim(s->h), &ev)) {
		session_say(s, 5, "the run stopped at an invariant violation (event %u); b rewinds",
			    ev);
		return;
	}
	until_start(s, arg ? UNTIL_MILESTONE : UNTIL_PAGE);     /* in slices on the loop (until.c) */
	until_work(s, 500);             /* most pages are a few steps away: no flicker */
}

/* The lesson page at position n, reached by the time of event n - 1 (what `n` stops at). */
static int actions_page_at(session *s, uint32_t n)
{
	const st_trace *t = actions_trace(s);
	int64_t now = n ? trace_at(t, n - 1)->t_us : 0;
	return trace_index_lesson_at(history_index(s->h), n, now);
}

void actions_page_back(session *s, int arg)
{
	(void)arg;
	if (!actions_need_run(s))
		return;
	until_stop(s, NULL);
	session_set_playing(s, false);
	int page = until_page_at(s);
	if (page <= 0) {
		session_say(s, 3, page < 0 ? "this lesson has no pages" : "at the first page");
		return;
	}
	/* The page index never falls as the run goes on, so the first position showing page
	 * page - 1 (or a later one, when that page was skipped) is found by bisection. */
	uint32_t lo = 0, hi = history_cursor(s->h);
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (actions_page_at(s, mid) >= page - 1)
			hi = mid;
		else
			lo = mid + 1;
	}
	/* to the end of the step that reached it: where `n` would have stopped */
	const st_trace *t = actions_trace(s);
	uint32_t end = history_end(s->h), b = lo;
	if (history_sim(s->h))
		while (b > 0 && b < end && !(trace_at(t, b)->flags & EVF_STEP))
			b++;
	history_seek(s->h, b);
	session_after_seek(s);
	uint32_t cur = history_cursor(s->h);
	s->selected = cur ? cur - 1 : TRACE_NONE;
	if (s->selected != TRACE_NONE && history_sim(s->h))
		while (s->selected > 0 && !(trace_at(t, s->selected)->flags & EVF_STEP))
			s->selected--;
	if (s->selected != TRACE_NONE)
		actions_reveal(s, trace_at(t, s->selected)->t_us);
	s->follow = true;
	int now = until_page_at(s);
	session_say(s, 5, "back to page %d/%d, at its moment (event %u)", now + 1,
		    s->rs.sc->nlesson, cur);
}

/* ---- selection and the window ---- */

void actions_time_move(session *s, int arg)
{
	if (!actions_need_run(s))
		return;
	const st_trace *t = actions_trace(s);
	uint32_t cur = history_cursor(s->h);
	int lane = s->sel_proc;
	/* Along the selected lane, like a cursor along a row: j/k change rows, h/l move in
	 * one; space and b walk all events in order. */
	int64_t from = s->selected != TRACE_NONE ? (int64_t)s->selected : (int64_t)cur;
	int64_t i = from + arg;
	for (; i >= 0 && i < (int64_t)cur; i += arg)
		if (trace_at(t, (uint32_t)i)->proc == lane)
			break;
	if (i < 0 || i >= (int64_t)cur) {
		char who[16];
		actions_proc_name(s, lane, who, sizeof who);
		session_say(s, 3, "no %s event on %s%s", arg < 0 ? "earlier" : "later", who,
			    arg > 0 ? " yet (space steps)" : "");
		return;
	}
	actions_select(s, (uint32_t)i);
}

/* The latest event of lane p at or before event id `at` (or the earliest after it). */
static uint32_t actions_lane_event(session *s, int p, uint32_t at)
{
	const st_trace *t = actions_trace(s);
	uint32_t cur = history_cursor(s->h);
	if (cur == 0)
		return TRACE_NONE;
	if (at == TRACE_NONE || at >= cur)
		at = cur - 1;
	for (int64_t i = at; i >= 0; i--)
		if (trace_at(t, (uint32_t)i)->proc == p)
			return (uint32_t)i;
	for (uint32_t i = at + 1; i < cur; i++)
		if (trace_at(t, i)->proc == p)
			return i;
	return TRACE_NONE;
}

void actions_lane_move(session *s, int arg)
{
	if (!actions_need_run(s))
		return;
	int p = s->sel_proc + arg;
	if (p < 0 || p >= s->rs.sc->nprocs)
		return;
	s->sel_proc = p;
	uint32_t ev = actions_lane_event(s, p, s->selected);
	s->selected = ev;
	if (ev != TRACE_NONE)
		actions_reveal(s, trace_at(actions_trace(s), ev)->t_us);
}

void actions_pane(session *s, int arg)
{
	if (!actions_need_run(s))
		return;
	/* Every pane is reachable: one with no room of its own at this size (network and
	 * messages on a small terminal) is shown in the inspector's place while it has focus
	 * and after, until the inspector is focused again. */
	int f = ((int)s->focus + (arg < 0 ? PANE__COUNT - 1 : 1)) % PANE__COUNT;
	s->focus = (view_pane)f;
	if (f == PANE_NETWORK || f == PANE_MESSAGES || f == PANE_INSPECTOR)
		s->swap_pane = (view_pane)f;
	if (s->focus == PANE_MESSAGES && s->sel_flight < 0)
		s->sel_flight = 0;
}

void actions_lesson_scroll(session *s, int arg)
{
	int before = s->lesson_scroll, v = s->lesson_scroll + arg;
	s->lesson_scroll = v > 0 ? v : 0;
	actions_cols(s);        /* the model clamps the scroll to the text */
	if (s->lesson_scroll == before)
		session_say(s, 3, arg > 0 ? "the end of this page (n: the next one)"
					  : "the top of this page (B: the page before)");
}

void actions_inspector_scroll(session *s, int arg)
{
	int v = s->inspector_scroll + arg;
	s->inspector_scroll = v > 0 ? v : 0;
}

void actions_mark(session *s, int arg)
{
	(void)arg;
	if (!actions_need_run(s))
		return;
	if (s->selected == TRACE_NONE) {
		session_say(s, 3, "select an event first (space steps, h/l move)");
	} else if (s->marked == s->selected) {
		s->marked = TRACE_NONE;
		session_say(s, 3, "mark removed");
	} else {
		s->marked = s->selected;
		session_say(s, 4, "marked event %u: select another to compare", s->marked);
	}
}

/* Time per column: a 1-2-5 ladder from 100 us to 10 s. */
static int64_t actions_zoom_step(int64_t upc, int dir)
{
	static const int64_t ladder[] = {100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000,
		100000, 200000, 500000, 1000000, 2000000, 5000000, 10000000};
	int n = (int)(sizeof ladder / sizeof ladder[0]), i = 0;
	while (i < n - 1 && ladder[i] < upc)
		i++;
	i += dir > 0 ? -1 : 1;     /* zooming in: less time per column */
	if (i < 0)
		i = 0;
	if (i >= n)
		i = n - 1;
	return ladder[i];
}

void actions_zoom(session *s, int arg)
{
	if (!actions_need_run(s))
		return;
	int cols = actions_cols(s);
	int64_t old = s->upc_eff, upc = actions_zoom_step(old, arg);
	if (upc == old) {
		session_say(s, 3, "zoomed %s as far as it goes", arg > 0 ? "in" : "out");
		return;
	}
	/* Keep the middle of the window (or the selection, when shown) where it is. */
	int64_t anchor = s->t0_us + (int64_t)cols * old / 2;
	if (s->selected != TRACE_NONE) {
		int64_t ts = trace_at(actions_trace(s), s->selected)->t_us;
		if (ts >= s->t0_us && ts < s->t0_us + (int64_t)cols * old)
			anchor = ts;
	}
	double frac = (double)(anchor - s->t0_us) / ((double)cols * (double)old);
	s->us_per_col = s->upc_eff = upc;
	if (!s->follow) {
		int64_t t0 = anchor - (int64_t)(frac * cols * (double)upc);
		s->t0_us = t0 > 0 ? t0 / upc * upc : 0;
	}
	int64_t span = (int64_t)cols * upc;
	if (span >= 1000000)
		session_say(s, 3, "%.1f s across the timeline", (double)span / 1e6);
	else
		session_say(s, 3, "%lld ms across the timeline", (long long)(span / 1000));
}

void actions_scroll(session *s, int arg)
{
	if (!actions_need_run(s))
		return;
	int cols = actions_cols(s);
	s->follow = false;
	int64_t t0 = s->t0_us + (int64_t)arg * (cols / 4) * s->upc_eff;
	s->t0_us = t0 > 0 ? t0 : 0;
}

/* The on/off switches of the view, one table: which flag, and what to say either way. */
static const struct { size_t flag; const char *on, *off; } actions_toggles[] = {
	[TOGGLE_FOLLOW] = {offsetof(session, follow), "following the present",
			   "not following: the window stays"},
	[TOGGLE_VC] = {offsetof(session, show_vc), "vector clocks shown", "vector clocks hidden"},
	[TOGGLE_LABELS] = {offsetof(session, show_labels), "labels shown", "labels hidden"},
	[TOGGLE_PAGE_PAUSE] = {offsetof(session, page_pause), "play pauses when a page begins",
			       "play runs on through the pages"},
};

void actions_toggle(session *s, int arg)
{
	if (arg < 0 || arg >= (int)(sizeof actions_toggles / sizeof actions_toggles[0]))
		return;
	bool *flag = (bool *)((char *)s + actions_toggles[arg].flag);
	*flag = !*flag;
	session_say(s, 3, "%s", *flag ? actions_toggles[arg].on : actions_toggles[arg].off);
}

static int actions_flights(session *s, sim_flight *f);

/* A click on a row of the nodes or messages pane selects what the row shows. The rows are
 * laid out as the panes lay them out (one per process or message inside the box, the
 * selected one kept in view), so the same arithmetic finds the row's subject. */
static void actions_click_row(session *s, view_pane p, grid_rect r, int y)
{
	int row = y - r.y - 1, rows = r.h - 2;
	if (row < 0 || row >= rows)
		return;
	if (p == PANE_NODES) {
		int np = s->rs.sc->nprocs, first = 0;
		if (np > rows && s->sel_proc >= rows)
			first = s->sel_proc - rows + 1;
		if (first > np - rows)
			first = np - rows > 0 ? np - rows : 0;
		int q = first + row;
		if (q < np) {
			s->sel_proc = q;
			s->selected = actions_lane_event(s, q, s->selected);
		}
		return;
	}
	static sim_flight f[ACTIONS_MAX_FLIGHTS];
	int n = actions_flights(s, f);
	if (history_sim(s->h) && sim_manual(history_sim(s->h))) {
		row--;          /* the "(manual: ...)" line comes first */
		rows--;
	}
	session_flight_sync(s);
	int first = 0, sel = s->sel_flight;
	if (sel >= 0 && rows > 0 && sel >= first + rows)
		first = sel - rows + 1;
	if (row >= 0 && first + row < n)
		session_flight_pick(s, first + row);
}

void actions_click(session *s, int arg)
{
	(void)arg;
	if (s->picking || !s->h)
		return;
	view_model m;
	session_model(s, &m);
	view_layout lay;
	layout_compute(s->cols, s->rows, &m, &lay);
	int x = s->mouse_x, y = s->mouse_y;
	const grid_rect panes[PANE__COUNT] = {lay.timeline, lay.nodes, lay.inspector, lay.network,
					      lay.messages};
	for (int p = 0; p < PANE__COUNT; p++) {
		const grid_rect *r = &panes[p];
		if (r->w <= 0 || x < r->x || y < r->y || x >= r->x + r->w || y >= r->y + r->h)
			continue;
		s->focus = (view_pane)p;
		if (p == PANE_NETWORK || p == PANE_MESSAGES || p == PANE_INSPECTOR)
			s->swap_pane = (view_pane)p;
		if (p == PANE_NODES || p == PANE_MESSAGES)
			actions_click_row(s, (view_pane)p, *r, y);
		if (p == PANE_TIMELINE) {
			uint32_t ev = timeline_event_at(&m, *r, x, y);
			if (ev != TRACE_NONE && ev <= m.cursor) {
				actions_select(s, ev);
			} else {
				int lane = timeline_lane_at(&m, *r, y);
				if (lane >= 0) {
					s->sel_proc = lane;
					s->selected = actions_lane_event(s, lane, s->selected);
				}
			}
		}
		return;
	}
}

/* ---- the world ---- */

static bool actions_need_proc(session *s, bool node_only)
{
	if (!actions_need_world(s))
		return false;
	if (s->sel_proc < 0 || s->sel_proc >= s->rs.sc->nprocs ||
	    (node_only && s->sel_proc >= s->rs.sc->nnodes)) {
		session_say(s, 3, "select a %s first (j/k)", node_only ? "node" : "process");
		return false;
	}
	return true;
}

/* The two on/off states of a process the keys flip, one table: the status that means "on",
 * the actions that turn it off and on, and what to say. */
static const struct {
	sim_proc_status on;
	hist_act_kind off_kind, on_kind;
	const char *off_msg, *on_msg;
} actions_proc_flips[] = {
	{PROC_CRASHED, ACT_RESTART, ACT_CRASH, "restarted %s: persistent state kept",
	 "crashed %s: volatile state lost (x restarts it)"},
	{PROC_PAUSED, ACT_RESUME, ACT_PAUSE, "resumed %s", "paused %s (P resumes it)"},
};

static void actions_flip_proc(session *s, int which)
{
	if (!actions_need_proc(s, false))
		return;
	int p = s->sel_proc;
	char who[16], what[96];
	actions_proc_name(s, p, who, sizeof who);
	bool on = sim_proc_status_of(history_sim(s->h), p) == actions_proc_flips[which].on;
	hist_act a = {.kind = on ? actions_proc_flips[which].off_kind
				 : actions_proc_flips[which].on_kind, .proc = p};
	snprintf(what, sizeof what, on ? actions_proc_flips[which].off_msg
				      : actions_proc_flips[which].on_msg, who);
	actions_act(s, &a, what);
}

void actions_crash(session *s, int arg) { (void)arg; actions_flip_proc(s, 0); }
void actions_pause_proc(session *s, int arg) { (void)arg; actions_flip_proc(s, 1); }

void actions_isolate(session *s, int arg)
{
	(void)arg;
	if (!actions_need_proc(s, false))
		return;
	const st_scenario *sc = s->rs.sc;
	hist_act a = {.kind = ACT_PARTITION, .ngroups = 2};
	for (int p = 0; p < sc->nprocs; p++)
		a.group[p] = p == s->sel_proc ? 0 : 1;
	char who[16], what[96];
	actions_proc_name(s, s->sel_proc, who, sizeof who);
	snprintf(what, sizeof what, "isolated %s from everyone (H heals)", who);
	actions_act(s, &a, what);
}

void actions_split(session *s, int arg)
{
	(void)arg;
	if (!actions_need_proc(s, true))
		return;
	const st_scenario *sc = s->rs.sc;
	int n = sc->nnodes, minority = (n - 1) / 2;
	if (minority < 1)
		minority = 1;
	hist_act a = {.kind = ACT_PARTITION, .ngroups = 2};
	for (int p = 0; p < sc->nprocs; p++)
		a.group[p] = 1;             /* the majority side, clients with it */
	char list[128] = "";
	for (int k = 0; k < minority; k++) {
		int p = (s->sel_proc + k) % n;
		a.group[p] = 0;
		char who[16];
		actions_proc_name(s, p, who, sizeof who);
		size_t l = strlen(list);
		snprintf(list + l, sizeof list - l, "%s%s", k ? " " : "", who);
	}
	char what[200];
	snprintf(what, sizeof what, "split: {%s} cut off from the majority (H heals)", list);
	actions_act(s, &a, what);
}

void actions_heal(session *s, int arg)
{
	(void)arg;
	if (!actions_need_run(s))
		return;
	hist_act a = {.kind = ACT_HEAL};
	actions_act(s, &a, "healed the network");
}

void actions_request(session *s, int arg)
{
	(void)arg;
	if (!actions_need_run(s))
		return;
	const st_scenario *sc = s->rs.sc;
	if (sc->nclients == 0) {
		session_say(s, 4, "this lesson has no clients to send a request");
		return;
	}
	hist_act a = {.kind = ACT_REQUEST, .proc = sc->nnodes};
	snprintf(a.op.f, sizeof a.op.f, "write");
	a.op.value = ++s->user_value;
	a.op.has_value = true;
	a.op.node = s->sel_proc < sc->nnodes ? s->sel_proc : -1;
	char cl[16], who[16], what[96];
	actions_proc_name(s, sc->nnodes, cl, sizeof cl);
	if (a.op.node >= 0)
		actions_proc_name(s, a.op.node, who, sizeof who);
	else
		snprintf(who, sizeof who, "the cluster");
	snprintf(what, sizeof what, "%s asks %s to write %lld", cl, who, (long long)a.op.value);
	actions_act(s, &a, what);
}

void actions_fire_timer(session *s, int arg)
{
	(void)arg;
	if (!actions_need_proc(s, false))
		return;
	const st_sim *sim = history_sim(s->h);
	const st_protocol *pr = s->rs.sc->protocol;
	int best = -1;
	int64_t best_at = INT64_MAX, set, fire;
	for (int k = 0; k < pr->n_timers; k++)
		if (sim_timer(sim, s->sel_proc, k, &set, &fire) && fire < best_at) {
			best = k;
			best_at = fire;
		}
	char who[16], what[128];
	actions_proc_name(s, s->sel_proc, who, sizeof who);
	if (best < 0) {
		session_say(s, 3, "%s has no timer pending", who);
		return;
	}
	hist_act a = {.kind = ACT_FIRE_TIMER, .proc = s->sel_proc, .timer = best};
	snprintf(what, sizeof what, "fired %s's %s now", who,
		 best < pr->n_timers && pr->timer_names ? pr->timer_names[best] : "timer");
	actions_act(s, &a, what);
}

void actions_manual(session *s, int arg)
{
	(void)arg;
	if (!actions_need_world(s))
		return;
	bool on = !sim_manual(history_sim(s->h));
	hist_act a = {.kind = ACT_MANUAL, .proc = on};
	if (actions_act(s, &a, on ? "manual mode: nothing is delivered or fires unless you "
				    "choose (Tab to messages, enter delivers; t fires a timer)"
				  : "manual mode off: the network delivers by itself again") &&
	    on && s->focus != PANE_MESSAGES) {
		s->focus = PANE_MESSAGES;
		s->swap_pane = PANE_MESSAGES;
		s->sel_flight = 0;
	}
}

/* ---- the messages pane ---- */

static int actions_flights(session *s, sim_flight *f)
{
	if (!history_sim(s->h))
		return 0;   /* a recorded trace: nothing is in flight to act on */
	return sim_inflight(history_sim(s->h), f, ACTIONS_MAX_FLIGHTS);
}

void actions_flight_move(session *s, int arg)
{
	if (!actions_need_run(s))
		return;
	static sim_flight f[ACTIONS_MAX_FLIGHTS];
	int n = actions_flights(s, f);
	session_flight_sync(s);         /* the row of the message selected, wherever it moved */
	int i = s->sel_flight + arg;
	if (i >= n)
		i = n - 1;
	if (i < 0)
		i = 0;
	session_flight_pick(s, n ? i : -1);
}

/* The selected message in flight; false (and a message) when there is none. */
static bool actions_flight(session *s, sim_flight *out)
{
	if (!actions_need_run(s))
		return false;
	static sim_flight f[ACTIONS_MAX_FLIGHTS];
	int n = actions_flights(s, f);
	if (n == 0) {
		session_say(s, 3, "no message in flight");
		return false;
	}
	session_flight_sync(s);
	if (s->sel_flight < 0 || s->sel_flight >= n)
		session_flight_pick(s, s->sel_flight >= n ? n - 1 : 0);
	*out = f[s->sel_flight];
	return true;
}

static void actions_msg(session *s, hist_act_kind kind, int64_t delay_us, const char *verb)
{
	sim_flight f;
	if (!actions_flight(s, &f))
		return;
	const st_protocol *pr = s->rs.sc->protocol;
	char a_[16], b_[16], what[160];
	actions_proc_name(s, f.from, a_, sizeof a_);
	actions_proc_name(s, f.to, b_, sizeof b_);
	const char *type = f.type >= 0 && f.type < pr->n_msg_types ? pr->msg_types[f.type] : "msg";
	snprintf(what, sizeof what, "%s %s %s\u2192%s (msg %u)", verb, type, a_, b_, f.msg);
	/* which copy of the message (a duplicated one is listed once per copy) */
	static sim_flight all[ACTIONS_MAX_FLIGHTS];
	int n = actions_flights(s, all), copy = 0;
	for (int i = 0; i < n && i < s->sel_flight; i++)
		copy += all[i].msg == f.msg;
	hist_act a = {.kind = kind, .msg = f.msg, .copy = copy, .a_us = delay_us};
	actions_act(s, &a, what);
	/* the list changed under the selection: keep it in range */
	actions_flight_move(s, 0);
}

void actions_msg_drop(session *s, int arg) { (void)arg; actions_msg(s, ACT_MSG_DROP, 0, "dropped"); }
void actions_msg_dup(session *s, int arg) { (void)arg; actions_msg(s, ACT_MSG_DUP, 0, "duplicated"); }
void actions_msg_deliver(session *s, int arg)
{ (void)arg; actions_msg(s, ACT_MSG_DELIVER, 0, "delivering now"); }
void actions_msg_delay(session *s, int arg)
{
	char verb[32];
	snprintf(verb, sizeof verb, "delayed by %d ms:", arg);
	actions_msg(s, ACT_MSG_DELAY, (int64_t)arg * 1000, verb);
}

/* ---- the program ---- */

void actions_export(session *s, int arg)
{
	(void)arg;
	if (!actions_need_run(s))
		return;
	session_set_playing(s, false);
	s->prompt = PROMPT_EXPORT;
	snprintf(s->input, sizeof s->input, "%s-seed%llu.json", s->rs.sc->name,
		 (unsigned long long)s->rs.seed);
}

void actions_export_write(session *s, const char *path)
{
	tj_meta meta = {s->rs.path, s->rs.faults ? s->rs.faults_str : NULL};
	char err[512];
	const st_trace *t = actions_trace(s);
	if (trace_json_export(t, path, &meta, err, sizeof err) != 0) {
		session_say(s, 8, "export failed: %s", err);
		return;
	}
	char *full = realpath(path, NULL);
	history_actions(s->h, &s->acts_exported);
	session_say(s, 8, "exported %u events to %s", trace_count(t), full ? full : path);
	free(full);
}

/* ---- prompts: what enter does with the typed line, and the line's label ---- */

static int actions_parse_proc(session *s, const char *name)
{
	while (*name == ' ')
		name++;
	char buf[16];
	size_t n = strcspn(name, " ");
	snprintf(buf, sizeof buf, "%.*s", (int)(n < 15 ? n : 15), name);
	return scenario_proc_index(s->rs.sc, buf);
}

static void prompt_export(session *s, const char *in)
{
	if (!*in)
		session_say(s, 3, "export cancelled: no file name");
	else
		actions_export_write(s, in);
}

static void prompt_cut(session *s, const char *in)
{
	int to = actions_parse_proc(s, in);
	if (to < 0 || to == s->sel_proc) {
		session_say(s, 5, "no such other process: '%s' (names are n1.., c1..)", in);
		return;
	}
	hist_act a = {.kind = ACT_CUT, .proc = s->sel_proc, .to = to};
	char what[200], from[16], dst[16];
	actions_proc_name(s, s->sel_proc, from, sizeof from);
	actions_proc_name(s, to, dst, sizeof dst);
	snprintf(what, sizeof what, "one-way cut: %s can no longer reach %s (%s still reaches %s; "
		 "H heals)", from, dst, dst, from);
	actions_act(s, &a, what);
}

static void prompt_clock(session *s, const char *in)
{
	long long skew_ms;
	int drift = 0;
	int n = sscanf(in, "%lld %d", &skew_ms, &drift);
	if (n < 1 || skew_ms < -3600000 || skew_ms > 3600000 || drift < -100000 || drift > 100000) {
		session_say(s, 5, "expected: SKEW_MS [DRIFT_PPM], e.g. '40 200' (|skew| <= 1 h, "
			    "|drift| <= 100000 ppm)");
		return;
	}
	hist_act a = {.kind = ACT_CLOCK, .proc = s->sel_proc, .a_us = skew_ms * 1000, .b_us = drift};
	char what[96], who[16];
	actions_proc_name(s, s->sel_proc, who, sizeof who);
	snprintf(what, sizeof what, "%s's clock now reads true time %+lld ms, drifting %+d ppm",
		 who, skew_ms, drift);
	actions_act(s, &a, what);
}

static void prompt_latency(session *s, const char *in)
{
	long long lo, hi;
	int n = sscanf(in, "%lld %lld", &lo, &hi);
	if (n == 1)
		hi = lo;
	if (n < 1 || lo < 0 || hi < lo || hi > 60000) {
		session_say(s, 5, "expected: LO_MS [HI_MS], e.g. '200 400' (0..60000)");
		return;
	}
	hist_act a = {.kind = ACT_LATENCY, .a_us = lo * 1000, .b_us = hi * 1000};
	char what[96];
	snprintf(what, sizeof what, "network latency now %lld-%lld ms", lo, hi);
	actions_act(s, &a, what);
}

static void prompt_branch(session *s, const char *in)
{
	int n;
	history_branches(s->h, &n);
	char *end;
	long k = strtol(in, &end, 10);
	if (end == in || *end || k < 1 || k > n) {
		session_say(s, 4, "no branch '%s': type a number from the list (1..%d)", in, n);
		return;
	}
	uint32_t at = history_cursor(s->h);
	int64_t now = s->now_us;
	history_restore_branch(s->h, n - (int)k, at);
	session_after_seek(s);
	if (s->now_us < now && history_cursor(s->h) == at)
		s->now_us = now;
	uint32_t cur = history_cursor(s->h);
	s->selected = cur ? cur - 1 : TRACE_NONE;
	s->viol_ev = TRACE_NONE;
	session_say(s, 8, "back on branch %ld: %u events recorded, the cursor at event %u (the "
		    "run you left is kept: R)", k, history_end(s->h), cur);
}

static void prompt_variant(session *s, const char *in)
{
	char *end;
	long k = strtol(in, &end, 10);
	while (*end == ' ')
		end++;
	if (end == in || *end) {
		/* a name works too */
		int i = scenario_variant_index(s->rs.sc, in);
		if (i < 0) {
			session_say(s, 5, "'%s' is no variant here: type its number (V lists them)",
				    in);
			return;
		}
		k = i + 1;
	}
	session_switch_variant(s, (int)k - 1);
}

/* ---- the diagram's reading aids (issue 9): time axis, classes, search, go-to ---- */

#define ACTIONS_FIND_STEPS 100000   /* search and go-to run ahead at most this many steps */

static void actions_open_prompt(session *s, session_prompt kind, const char *initial);

/* Make event id happen (run or move the cursor forward up to it) and select it. False when
 * the run ends before it. */
static bool actions_reach(session *s, uint32_t id)
{
	for (int i = 0; history_cursor(s->h) <= id && i < ACTIONS_FIND_STEPS; i++) {
		if (history_cursor(s->h) < history_end(s->h)) {
			uint32_t end = history_end(s->h);
			history_seek(s->h, id < end ? id + 1 : end);
			session_after_seek(s);
			continue;
		}
		if (!history_sim(s->h))
			break;
		uint32_t before = history_cursor(s->h);
		sim_status st = session_step(s);
		if (st == SIM_VIOLATION || history_cursor(s->h) == before)
			break;
	}
	if (id >= history_end(s->h))
		return false;
	session_after_seek(s);      /* now is the cursor's time, wherever the run got to */
	actions_select(s, id);
	return true;
}

/* The first event from `from` on (dir > 0) or before it (dir < 0) that matches; forward, the
 * run goes on while the record has none. */
static uint32_t actions_find(session *s, uint32_t from, int dir)
{
	const st_trace *t = actions_trace(s);
	if (dir < 0) {
		for (uint32_t id = from; id > t->base;)
			if (find_match(t, --id, s->search))
				return id;
		return TRACE_NONE;
	}
	for (uint32_t id = from, steps = 0;; id++) {
		while (id >= trace_count(t)) {
			if (!history_sim(s->h) || history_cursor(s->h) < history_end(s->h) ||
			    steps++ >= ACTIONS_FIND_STEPS)
				return TRACE_NONE;
			uint32_t before = history_end(s->h);
			sim_status st = history_step(s->h);
			if (st == SIM_VIOLATION || history_end(s->h) == before)
				return TRACE_NONE;
		}
		if (find_match(t, id, s->search))
			return id;
	}
}

/* Select the next (dir > 0) or previous match of the search, saying which of how many. */
static void actions_search_go(session *s, int dir)
{
	const st_trace *t = actions_trace(s);
	uint32_t sel = s->selected;
	uint32_t from = dir > 0 ? (sel == TRACE_NONE ? t->base : sel + 1)
				: (sel == TRACE_NONE ? trace_count(t) : sel);
	uint32_t hit = actions_find(s, from, dir);
	if (hit == TRACE_NONE) {
		session_say(s, 5, "'%s': no %s match%s", s->search, dir > 0 ? "further" : "earlier",
			    dir > 0 && history_sim(s->h) ? " (the run went quiet)" : "");
		return;
	}
	if (!actions_reach(s, hit)) {
		session_say(s, 5, "'%s': event %u is beyond the run", s->search, hit);
		return;
	}
	uint32_t rank = 0, total = 0;
	for (uint32_t id = t->base; id < trace_count(t); id++)
		if (find_match(t, id, s->search)) {
			total++;
			rank += id <= hit;
		}
	session_say(s, 0, "'%s': match %u of %u (event %u; } next, { previous)", s->search, rank,
		    total, hit);
}

static void prompt_search(session *s, const char *in)
{
	if (!*in) {
		session_say(s, 3, "search cancelled: nothing to look for");
		return;
	}
	snprintf(s->search, sizeof s->search, "%s", in);
	actions_search_go(s, 1);
}

/* The first milestone whose label starts with name (ignoring case), or NONE. */
static uint32_t actions_milestone_named(session *s, const char *name)
{
	const st_trace *t = actions_trace(s);
	size_t n = strlen(name);
	for (uint32_t id = t->base, steps = 0;; id++) {
		while (id >= trace_count(t)) {
			if (!history_sim(s->h) || history_cursor(s->h) < history_end(s->h) ||
			    steps++ >= ACTIONS_FIND_STEPS)
				return TRACE_NONE;
			uint32_t before = history_end(s->h);
			if (history_step(s->h) == SIM_VIOLATION || history_end(s->h) == before)
				return TRACE_NONE;
		}
		const st_event *e = trace_at(t, id);
		if ((e->flags & EVF_MILESTONE) && e->label &&
		    strncasecmp(trace_str(t, e->label), name, n) == 0)
			return id;
	}
}

static void prompt_goto(session *s, const char *in)
{
	int64_t v = 0;
	find_goto k = find_goto_parse(in, &v);
	const st_trace *t = actions_trace(s);
	uint32_t id = TRACE_NONE;
	if (k == FIND_GOTO_BAD) {
		session_say(s, 5, "go to: an event (e741), a time (1.5s, 1500ms) or a milestone");
		return;
	}
	if (k == FIND_GOTO_EVENT) {
		id = (uint32_t)v;
		if (id < t->base) {
			session_say(s, 5, "event %u is not held", id);
			return;
		}
	} else if (k == FIND_GOTO_TIME) {
		/* the first event at or after that time, running on to it if need be */
		for (uint32_t steps = 0; id == TRACE_NONE; steps++) {
			uint32_t n = trace_count(t);
			if (n > t->base && trace_at(t, n - 1)->t_us >= v) {
				uint32_t lo = t->base, hi = n;
				while (lo < hi) {
					uint32_t mid = lo + (hi - lo) / 2;
					if (trace_at(t, mid)->t_us < v)
						lo = mid + 1;
					else
						hi = mid;
				}
				id = lo;
				break;
			}
			uint32_t before = history_end(s->h);
			if (!history_sim(s->h) || history_cursor(s->h) < before ||
			    steps >= ACTIONS_FIND_STEPS || history_step(s->h) == SIM_VIOLATION ||
			    history_end(s->h) == before)
				break;
		}
	} else {
		id = actions_milestone_named(s, in);
	}
	if (id == TRACE_NONE || !actions_reach(s, id)) {
		session_say(s, 5, "go to '%s': not in this run", in);
		return;
	}
	const st_event *e = trace_at(t, id);
	session_say(s, 6, "event %u at %lld.%03lld ms%s%s", id, (long long)(e->t_us / 1000),
		    (long long)(e->t_us % 1000), e->label ? ": " : "",
		    e->label ? trace_str(t, e->label) : "");
}

void actions_search(session *s, int arg)
{
	(void)arg;
	if (actions_need_run(s))
		actions_open_prompt(s, PROMPT_SEARCH, "");
}

void actions_search_step(session *s, int arg)
{
	if (!actions_need_run(s))
		return;
	if (!s->search[0]) {
		session_say(s, 4, "no search yet: / searches");
		return;
	}
	actions_search_go(s, arg);
}

void actions_goto(session *s, int arg)
{
	(void)arg;
	if (actions_need_run(s))
		actions_open_prompt(s, PROMPT_GOTO, "");
}

void actions_axis(session *s, int arg)
{
	(void)arg;
	s->logical = !s->logical;
	if (s->logical)
		session_say(s, 4, "logical time: a column per instant, idle stretches compressed "
			    "(%s on the ruler)", s->ascii ? "~" : "\u2248");
	else
		session_say(s, 4, "real time: columns are equal spans of time");
	s->dirty = true;
}

void actions_class_toggle(session *s, int arg)
{
	if (!actions_need_run(s))
		return;
	const st_protocol *pr = actions_trace(s)->proto;
	if (!pr || !pr->msg_class || arg < 0 || arg >= pr->n_msg_classes) {
		session_say(s, 4, "this protocol names no message class %d", arg + 1);
		return;
	}
	s->hidden_classes ^= 1u << arg;
	bool hidden = s->hidden_classes >> arg & 1u;
	session_say(s, 4, "%s messages %s", pr->msg_classes[arg],
		    hidden ? "hidden (their arrows go; in logical time their events too)" : "shown");
	s->dirty = true;
}

void actions_cone_toggle(session *s, int arg)
{
	(void)arg;
	if (!actions_need_run(s))
		return;
	s->cone = !s->cone;
	if (s->cone)
		session_say(s, 5, "only the selected event's causal cone: before and after it (C: all)");
	else
		session_say(s, 4, "every event shown");
	s->dirty = true;
}

void actions_lane_hide(session *s, int arg)
{
	(void)arg;
	if (!actions_need_run(s) || s->sel_proc < 0 || s->sel_proc >= ST_MAX_PROCS ||
	    s->sel_proc >= actions_trace(s)->nprocs)
		return;
	s->hidden_procs ^= 1u << s->sel_proc;
	char who[16];
	actions_proc_name(s, s->sel_proc, who, sizeof who);
	if (s->hidden_procs >> s->sel_proc & 1u)
		session_say(s, 5, "%s's lane hidden: its events and messages leave the diagram (y "
			    "with %s selected shows it)", who, who);
	else
		session_say(s, 4, "%s's lane shown", who);
	s->dirty = true;
}

static const struct {
	session_prompt kind;
	const char *label;
	void (*enter)(session *s, const char *in);
} prompt_table[] = {
	{PROMPT_BRANCH, "branch: its number (listed in the lesson pane), enter; esc cancels: ",
	 prompt_branch},
	{PROMPT_VARIANT, "variant: its number (listed in the lesson pane), enter; esc cancels: ",
	 prompt_variant},
	{PROMPT_SEARCH, "search events (label, note, kind, type, process, 'term 7'): ",
	 prompt_search},
	{PROMPT_GOTO, "go to (e741, 1.5s, 1500ms, a milestone): ", prompt_goto},
	{PROMPT_EXPORT, "export to: ", prompt_export},
	{PROMPT_CUT, "cut one way, from the selected process to: ", prompt_cut},
	{PROMPT_CLOCK, "clock of the selected process: skew ms, drift ppm: ", prompt_clock},
	{PROMPT_LATENCY, "network latency ms (lo hi): ", prompt_latency},
};

void actions_prompt_enter(session *s, session_prompt kind, const char *input)
{
	for (size_t i = 0; i < sizeof prompt_table / sizeof prompt_table[0]; i++)
		if (prompt_table[i].kind == kind)
			prompt_table[i].enter(s, input);
}

const char *actions_prompt_label(const session *s, session_prompt kind)
{
	(void)s;
	for (size_t i = 0; i < sizeof prompt_table / sizeof prompt_table[0]; i++)
		if (prompt_table[i].kind == kind)
			return prompt_table[i].label;
	return "";
}

static void actions_open_prompt(session *s, session_prompt kind, const char *initial)
{
	session_set_playing(s, false);
	s->prompt = kind;
	snprintf(s->input, sizeof s->input, "%s", initial);
}

void actions_branches(session *s, int arg)
{
	(void)arg;
	if (!actions_need_world(s))
		return;
	int n;
	history_branches(s->h, &n);
	if (n == 0) {
		session_say(s, 4, "no other branch: acting in the past (or U) keeps the future it "
			    "replaces here");
		return;
	}
	until_stop(s, NULL);
	actions_open_prompt(s, PROMPT_BRANCH, "");
}

void actions_undo(session *s, int arg)
{
	(void)arg;
	if (!actions_need_world(s))
		return;
	int n;
	const hist_act *a = history_actions(s->h, &n);
	if (n == 0 || (n == 1 && s->o->manual && a[0].kind == ACT_MANUAL)) {
		session_say(s, 3, "nothing to undo: you have not changed the run");
		return;
	}
	until_stop(s, NULL);
	session_set_playing(s, false);
	hist_act last = a[n - 1];
	history_undo(s->h);
	session_after_seek(s);
	uint32_t cur = history_cursor(s->h);
	s->selected = cur ? cur - 1 : TRACE_NONE;
	s->follow = true;
	s->viol_ev = TRACE_NONE;
	session_say(s, 6, "undone: the action at e%u; the run is as before it (R brings it back)",
		    last.at);
}

void actions_variants(session *s, int arg)
{
	(void)arg;
	if (!actions_need_world(s))
		return;
	if (s->rs.sc->nvariant == 0) {
		session_say(s, 4, "this lesson has no variants");
		return;
	}
	until_stop(s, NULL);
	actions_open_prompt(s, PROMPT_VARIANT, "");
}

void actions_cut(session *s, int arg)
{
	(void)arg;
	if (actions_need_proc(s, false))
		actions_open_prompt(s, PROMPT_CUT, "");
}

void actions_clock(session *s, int arg)
{
	(void)arg;
	if (!actions_need_proc(s, false))
		return;
	int64_t skew;
	int32_t drift;
	sim_clock_of(history_sim(s->h), s->sel_proc, &skew, &drift);
	char init[48];
	snprintf(init, sizeof init, "%lld %d", (long long)(skew / 1000), (int)drift);
	actions_open_prompt(s, PROMPT_CLOCK, init);
}

void actions_latency(session *s, int arg)
{
	(void)arg;
	if (!actions_need_run(s))
		return;
	char init[48];
	snprintf(init, sizeof init, "%lld %lld", (long long)(s->rs.sc->latency_lo_us / 1000) * 10,
		 (long long)(s->rs.sc->latency_hi_us / 1000) * 10);
	actions_open_prompt(s, PROMPT_LATENCY, init);
}

/* ---- the network pane: drag the selected process across the wall ---- */

void actions_net_drag(session *s, int arg)
{
	if (!actions_need_proc(s, false))
		return;
	const st_scenario *sc = s->rs.sc;
	int8_t g[ST_MAX_PROCS];
	int ng = sim_groups(history_sim(s->h), g);
	int p = s->sel_proc;
	if (ng == 0) {
		/* a whole network: the nodes stand in one group; the rest (the clients) reach
		 * everyone and stay that way unless they are the one dragged */
		ng = 1;
		for (int q = 0; q < sc->nprocs; q++)
			g[q] = q < sc->nnodes ? 0 : -1;
	}
	int from = g[p] < 0 ? 0 : g[p], to = from + arg;
	int alone = 0;
	for (int q = 0; q < sc->nprocs; q++)
		alone += g[q] == from || (q == p && g[q] < 0);
	alone = alone == 1;
	if (to < 0 || to >= ng) {
		if (alone) {
			session_say(s, 3, "already on its own at the edge");
			return;
		}
		if (to < 0) {   /* a new group on the left */
			for (int q = 0; q < sc->nprocs; q++)
				if (g[q] >= 0)
					g[q]++;
			ng++;
			to = 0;
		} else {
			ng++;
		}
	}
	g[p] = (int8_t)to;      /* only the dragged process moves */
	/* renumber, dropping groups left empty; processes in no group stay in none */
	int8_t map[ST_MAX_PROCS];
	int k = 0;
	memset(map, -1, sizeof map);
	for (int gi = 0; gi < ng; gi++)
		for (int q = 0; q < sc->nprocs; q++)
			if (g[q] == gi) {
				map[gi] = (int8_t)k++;
				break;
			}
	hist_act a = {.kind = k > 1 ? ACT_PARTITION : ACT_HEAL, .ngroups = k};
	for (int q = 0; q < sc->nprocs; q++)
		a.group[q] = g[q] >= 0 ? map[g[q]] : -1;
	for (int q = sc->nprocs; q < ST_MAX_PROCS; q++)
		a.group[q] = -1;
	char who[16], what[96];
	actions_proc_name(s, p, who, sizeof who);
	if (k > 1)
		snprintf(what, sizeof what, "%s moved %s the wall: %d groups", who,
			 arg > 0 ? "right across" : "left across", k);
	else
		snprintf(what, sizeof what, "%s rejoined: the network is whole", who);
	actions_act(s, &a, what);
}

/* ---- run until ---- */

void actions_until_change(session *s, int arg)
{
	(void)arg;
	if (!actions_need_proc(s, false))
		return;
	session_set_playing(s, false);
	until_start(s, UNTIL_CHANGE);
}

/* The violation recorded in this run, if any (the world stops at it). */
static bool actions_recorded_violation(session *s, uint32_t *ev)
{
	*ev = s->viol_ev;
	return s->viol_ev != TRACE_NONE && s->viol_ev < history_end(s->h);
}

void actions_until_violation(session *s, int arg)
{
	(void)arg;
	if (!actions_need_run(s))
		return;
	session_set_playing(s, false);
	uint32_t ev;
	/* Once found, the same key goes back to it from anywhere in the run. */
	if (actions_recorded_violation(s, &ev)) {
		history_seek(s->h, history_end(s->h));
		session_after_seek(s);
		actions_select(s, ev);
		s->focus = PANE_TIMELINE;
		session_say(s, 0, "back to the violation: %s at e%u (b rewinds, e exports)",
			    s->viol_name, ev);
		return;
	}
	until_start(s, UNTIL_VIOLATION);
}

/* ---- time travel: go to the selected event ---- */

void actions_jump(session *s, int arg)
{
	(void)arg;
	if (!actions_need_run(s) || s->selected == TRACE_NONE)
		return;
	uint32_t target = s->selected + 1;
	uint32_t sel = s->selected;
	history_seek(s->h, target);
	session_after_seek(s);
	s->selected = sel;
	session_say(s, 6, "at event %u of %u: the world as it was then (space steps on, acting "
		    "here starts a new branch)", sel, history_end(s->h));
}

void actions_help(session *s, int arg)
{
	(void)arg;
	s->help = true;
	s->help_scroll = 0;
}

void actions_quit(session *s, int arg)
{
	(void)arg;
	if (!session_may_drop(s, CONFIRM_QUIT))
		return;
	s->quit = true;
	s->exit_status = EXIT_DONE;
}

void actions_lessons(session *s, int arg)
{
	(void)arg;
	if (!s->picking && !session_may_drop(s, CONFIRM_LESSONS))
		return;
	s->prompt = PROMPT_NONE;
	if (!s->have_lessons) {
		if (lessons_gather(&s->lessons, s->o->argv0) != 0 || s->lessons.n == 0) {
			lessons_free(&s->lessons);
			session_say(s, 4, "no lessons found next to this program");
			return;
		}
		s->have_lessons = true;
		for (int i = 0; i < s->lessons.n; i++)
			if (s->rs.sc && strcmp(s->lessons.items[i].name, s->rs.sc->name) == 0)
				s->pick = i;
	}
	session_set_playing(s, false);
	s->picking = true;
}

/* ---- the lesson picker ---- */

void actions_pick_move(session *s, int arg)
{
	int i = s->pick + arg;
	if (i < 0)
		i = 0;
	if (i >= s->lessons.n)
		i = s->lessons.n - 1;
	s->pick = i;
}

void actions_pick_open(session *s, int arg)
{
	(void)arg;
	if (s->pick < 0 || s->pick >= s->lessons.n)
		return;
	session_open(s, s->lessons.items[s->pick].path);
}

void actions_pick_back(session *s, int arg)
{
	(void)arg;
	if (s->h)
		s->picking = false;
	else    /* the first picker: nothing to go back to, and esc is too easy to hit to quit */
		session_say(s, 4, "no lesson open yet: enter opens the highlighted one, q quits");
}
