/* nodes.c: one row per process, its state at the cursor, what just changed, its timers.
 *
 * The row is generic over protocols: it prints whatever describe() reports as `key value`
 * pairs, aligned in columns across the processes of one role. The state comes from the trace
 * (the last state record at or before the cursor), not from the live world, because the user
 * may be looking at the past; the world (which the app keeps at the cursor's step boundary)
 * supplies what the trace does not hold: pending timers, drawn as RaftScope-style shrinking
 * bars. Fields that the last step changed are highlighted, so stepping shows cause and effect;
 * so are the fields the selected event changed, when its record is the one shown.
 *
 * "The last state record of p at or before the cursor", the one before it (to see what changed)
 * and p's status are the run index's answers (core/trace_index.h), O(1) in the trace's length. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "view.h"

/* --- collecting describe() ----------------------------------------------------------------- */


static const char *nodes_value_of(const view_fields *c, const char *key)
{
	for (int i = 0; i < c->n; i++)
		if (strcmp(c->f[i].key, key) == 0)
			return c->f[i].val;
	return NULL;
}

/* --- one process --------------------------------------------------------------------------- */

typedef struct {
	int64_t set_us, fire_us;
	int timer;
} nodes_timer;

typedef struct {
	view_fields now;
	bool changed[VIEW_MAX_CHANGES];
	uint8_t status;     /* ti_status */
	nodes_timer timers[ST_MAX_TIMERS];
	int ntimers;
	bool known;         /* a state was found */
} nodes_row;

/* The first event of the step that ends at the cursor: a step starts with what the world
 * did (a delivery, a timer, a fault, an action); the sends, local steps and completions that
 * follow belong to it. Bounded: a step is a handful of events. */
static uint32_t nodes_step_first(const st_trace *t, uint32_t cur)
{
	static const bool inside[KIND__COUNT] = {[KIND_SEND] = true, [KIND_LOCAL] = true,
					       [KIND_COMPLETE] = true};
	uint32_t id = cur;
	for (int k = 0; k < 4096 && id > t->base; k++, id--) {
		const st_event *e = trace_at(t, id);
		if (!inside[e->kind] || trace_at(t, id - 1)->t_us != e->t_us)
			break;
	}
	return id;
}

static bool nodes_held(const st_trace *t, uint32_t id)
{
	return id != TRACE_NONE && id >= t->base && id < trace_count(t);
}

static void nodes_row_fill(const view_model *m, const trace_point *pt, int p, uint32_t step_first,
			   nodes_row *r)
{
	const st_trace *t = m->trace;
	memset(r, 0, sizeof *r);
	r->status = pt->status[p];
	st_sink s;
	view_fields_sink(&r->now, t, &s);
	uint32_t last = pt->state_ev[p], prev = pt->prev_state_ev[p];
	if (nodes_held(t, last)) {
		trace_kv_emit(t, trace_at(t, last)->state, &s);
		r->known = true;
		/* highlight what the last step changed, against the record before it; and what
		 * the selected event changed, when its record is the one shown (issue 9: select
		 * an earlier step of a process that has done nothing since, and see what it did) */
		bool picked = m->selected == last && m->selected != TRACE_NONE;
		if (nodes_held(t, prev) && (last >= step_first || picked)) {
			view_fields before;
			st_sink bs;
			view_fields_sink(&before, t, &bs);
			trace_kv_emit(t, trace_at(t, prev)->state, &bs);
			for (int k = 0; k < r->now.n; k++) {
				const char *old = nodes_value_of(&before, r->now.f[k].key);
				r->changed[k] = !old || strcmp(old, r->now.f[k].val) != 0;
			}
		}
	} else if (m->sim && t->base > 0 && m->sc && m->sc->protocol &&
		   m->sc->protocol->describe) {
		/* the record was streamed away: the world is at the cursor, ask it */
		st_role role = p < t->nnodes ? ST_ROLE_NODE : ST_ROLE_CLIENT;
		m->sc->protocol->describe(sim_proc_state(m->sim, p), role, &s);
		r->known = true;
	}
	const st_protocol *pr = t->proto ? t->proto : m->sc ? m->sc->protocol : NULL;
	if (m->sim && pr)
		for (int k = 0; k < pr->n_timers && k < ST_MAX_TIMERS; k++) {
			nodes_timer *tm = &r->timers[r->ntimers];
			if (sim_timer(m->sim, p, k, &tm->set_us, &tm->fire_us)) {
				tm->timer = k;
				r->ntimers++;
			}
		}
}

/* --- columns ------------------------------------------------------------------------------- */

/* Which fields survive a narrow pane: the protocol's describe() order is its order of
 * importance (a view knows no protocol's keys), so the first three keys always stay and the
 * timer bars come right after them (rank x10: between the third key and the fourth). */
#define NODES_TIMER_RANK10 25

/* Keys whose value speaks for itself ("leader", not "role leader"). */
static const char *const nodes_bare_keys[] = {"role", "state", "status"};

/* A role value's colour, from the protocol's styles (st_protocol.role_styles). */
static const int nodes_style_roles[] = {
	[ST_STYLE_STRONG] = R_ROLE_STRONG, [ST_STYLE_ACTIVE] = R_ROLE_ACTIVE,
	[ST_STYLE_QUIET] = R_ROLE_QUIET,
};

static bool nodes_bare(const char *key)
{
	for (size_t i = 0; i < sizeof nodes_bare_keys / sizeof nodes_bare_keys[0]; i++)
		if (strcmp(nodes_bare_keys[i], key) == 0)
			return true;
	return false;
}

static int nodes_value_role(const st_protocol *pr, const char *key, const char *val, int dflt)
{
	if (!pr || !pr->role_key || !pr->role_styles || strcmp(key, pr->role_key) != 0)
		return dflt;
	for (const st_role_style *rs = pr->role_styles; rs->value; rs++)
		if (strcmp(rs->value, val) == 0 && rs->style >= ST_STYLE_STRONG &&
		    rs->style <= ST_STYLE_QUIET)
			return nodes_style_roles[rs->style];
	return dflt;
}

/* The columns of one role's rows (nodes, or clients): the union of their keys. */
typedef struct {
	char key[24];
	int w;              /* widest "key value" (or value, for bare keys) */
	int rank;
	bool shown;
} nodes_col;

typedef struct {
	nodes_col col[VIEW_MAX_CHANGES];
	int ncol;
	int bar;            /* cells of a timer bar, 0 when timers are hidden */
	bool timer_names;
	bool timer_times;   /* "120ms" after the bar */
	int timer_w;
} nodes_cols;

static int nodes_col_of(const nodes_cols *c, const char *key)
{
	for (int i = 0; i < c->ncol; i++)
		if (strcmp(c->col[i].key, key) == 0)
			return i;
	return -1;
}

/* "election" from "election timeout": the first word names the timer well enough. */
static void nodes_timer_name(const st_protocol *pr, int k, char *out, size_t n)
{
	const char *s = pr && k < pr->n_timers && pr->timer_names ? pr->timer_names[k] : "timer";
	size_t len = strcspn(s, " ");
	snprintf(out, n, "%.*s", (int)len, s);
}

/* Time left as "120ms", "1.2s". */
static void nodes_left(int64_t us, char *out, size_t n)
{
	if (us < 0)
		us = 0;
	if (us >= 10000000)
		snprintf(out, n, "%llds", (long long)(us / 1000000));
	else if (us >= 1000000)
		snprintf(out, n, "%.1fs", (double)us / 1e6);
	else
		snprintf(out, n, "%lldms", (long long)((us + 999) / 1000));
}

/* The widest timer name of the protocol. */
static int nodes_timer_name_w(const st_protocol *pr)
{
	int w = 0;
	for (int k = 0; pr && k < pr->n_timers; k++) {
		char nm[24];
		nodes_timer_name(pr, k, nm, sizeof nm);
		w = (int)strlen(nm) > w ? (int)strlen(nm) : w;
	}
	return w;
}

static int nodes_timers_width(const st_protocol *pr, const nodes_row *r, const nodes_cols *c)
{
	int w = 0;
	for (int i = 0; i < r->ntimers; i++)
		w += (i ? 2 : 0) + (c->timer_names ? nodes_timer_name_w(pr) + 1 : 0) + c->bar +
		     (c->timer_times ? 6 : 0);
	return w;
}

static int nodes_cols_width(const nodes_cols *c, int base)
{
	int w = base;
	for (int i = 0; i < c->ncol; i++)
		if (c->col[i].shown)
			w += 2 + c->col[i].w;
	if (c->bar && c->timer_w)
		w += 2 + c->timer_w;
	return w;
}

/* Lay out the columns of the rows of one role to fit avail columns: shorten the timer bars,
 * then drop fields (and the bars) from the least important up. */
static void nodes_cols_fit(nodes_cols *c, const st_protocol *pr, const grid *g,
			   const nodes_row *rows, const bool *in_group, int np, int base, int avail)
{
	memset(c, 0, sizeof *c);
	for (int p = 0; p < np; p++) {
		if (!in_group[p])
			continue;
		const view_fields *f = &rows[p].now;
		for (int k = 0; k < f->n; k++) {
			int i = nodes_col_of(c, f->f[k].key);
			if (i < 0) {
				if (c->ncol >= VIEW_MAX_CHANGES)
					continue;
				i = c->ncol++;
				snprintf(c->col[i].key, sizeof c->col[i].key, "%s", f->f[k].key);
				c->col[i].rank = i;
				c->col[i].shown = true;
			}
			int w = view_width(g, f->f[k].val) +
				(nodes_bare(f->f[k].key) ? 0 : view_width(g, f->f[k].key) + 1);
			if (w > c->col[i].w)
				c->col[i].w = w;
		}
	}
	c->bar = 8;
	c->timer_names = c->timer_times = true;
	for (;;) {
		c->timer_w = 0;
		for (int p = 0; p < np && c->bar; p++)
			if (in_group[p]) {
				int w = nodes_timers_width(pr, &rows[p], c);
				if (w > c->timer_w)
					c->timer_w = w;
			}
		if (nodes_cols_width(c, base) <= avail)
			return;
		/* Give up the least important thing still shown, in one order of ranks
		 * (x10): long bars first, then the less telling fields (a timer's name is
		 * worth more than who the leader is, less than whom a node voted for), the
		 * time left after the bars, and the bars themselves; role, term and commit
		 * stay (the row is clipped if even they do not fit). */
		int best = -1, best_rank = 20;     /* ranks 0-2 (x10) never go */
		enum { SHORTEN_BARS = -2, DROP_NAMES = -3, DROP_BARS = -4, DROP_TIMES = -5 };
		if (c->bar == 8)
			best = SHORTEN_BARS, best_rank = 1000;
		if (c->bar && c->timer_w && c->timer_names && 45 > best_rank)
			best = DROP_NAMES, best_rank = 45;
		if (c->bar && c->timer_w && c->timer_times && 35 > best_rank)
			best = DROP_TIMES, best_rank = 35;
		if (c->bar && c->timer_w && NODES_TIMER_RANK10 > best_rank)
			best = DROP_BARS, best_rank = NODES_TIMER_RANK10;
		for (int i = 0; i < c->ncol; i++)
			if (c->col[i].shown && c->col[i].rank * 10 > best_rank)
				best = i, best_rank = c->col[i].rank * 10;
		if (best == SHORTEN_BARS)
			c->bar = 5;
		else if (best == DROP_NAMES)
			c->timer_names = false;
		else if (best == DROP_TIMES)
			c->timer_times = false;
		else if (best == DROP_BARS)
			c->bar = 0;
		else if (best >= 0)
			c->col[best].shown = false;
		else
			return;
	}
}

/* --- drawing ------------------------------------------------------------------------------- */

static void nodes_draw_timers(grid *g, int x, int y, int maxw, const view_model *m,
			      const st_protocol *pr, const nodes_row *r, const nodes_cols *c)
{
	int64_t now = m->now_us;
	if (m->sim && now < sim_now_us(m->sim))
		now = sim_now_us(m->sim);
	int end = x + maxw;
	for (int i = 0; i < r->ntimers && x < end; i++) {
		const nodes_timer *tm = &r->timers[i];
		if (i)
			x += 2;
		if (c->timer_names) {
			char nm[24];
			nodes_timer_name(pr, tm->timer, nm, sizeof nm);
			view_text(g, x, y, nm, end - x, R_DIM, 0);
			x += nodes_timer_name_w(pr) + 1;   /* names padded: the bars line up */
		}
		int64_t total = tm->fire_us - tm->set_us, left = tm->fire_us - now;
		if (left < 0)
			left = 0;
		int full = total > 0 ? (int)((left * c->bar + total - 1) / total) : 0;
		if (full > c->bar)
			full = c->bar;
		for (int k = 0; k < c->bar && x < end; k++, x++)
			grid_put_glyph(g, x, y, k < full ? G_BLOCK : G_SHADE, R_TIMER, 0);
		if (c->timer_times) {
			char t[16];
			nodes_left(left, t, sizeof t);
			x++;
			x += view_text(g, x, y, t, end - x < 5 ? end - x : 5, R_TIMER, 0);
		}
	}
}

/* A process that has not started yet reads as up: it is about to. */
static const struct { const char *word; int role; } nodes_status_words[] = {
	[TI_ABSENT] = {"up", R_GOOD}, [TI_UP] = {"up", R_GOOD}, [TI_CRASHED] = {"crashed", R_CRASH},
	[TI_PAUSED] = {"paused", R_PAUSE},
};

static void nodes_draw_row(grid *g, grid_rect in, int y, const view_model *m,
			   const st_protocol *pr, const nodes_row *r, int p, const nodes_cols *c,
			   int name_w, int status_w)
{
	const st_trace *t = m->trace;
	int x = in.x, end = in.x + in.w;
	bool sel = p == m->sel_proc;
	if (sel)
		grid_put_glyph(g, x, y, G_TRI_R, R_SELECT, A_BOLD_);
	x++;
	view_text(g, x, y, view_proc_name(t, p), end - x, sel ? R_SELECT : view_proc_role(t, p),
		  A_BOLD_);
	x += name_w + 1;
	view_text(g, x, y, nodes_status_words[r->status].word, end - x,
		  nodes_status_words[r->status].role,
		  r->status == TI_CRASHED || r->status == TI_PAUSED ? A_BOLD_ : 0);
	x += status_w;
	bool down = r->status == TI_CRASHED;
	if (!r->known) {
		view_text(g, x + 2, y, "(no state recorded yet)", end - x - 2, R_DIM, 0);
		return;
	}
	for (int i = 0; i < c->ncol && x < end; i++) {
		if (!c->col[i].shown)
			continue;
		x += 2;
		int k;
		for (k = 0; k < r->now.n; k++)
			if (strcmp(r->now.f[k].key, c->col[i].key) == 0)
				break;
		if (k < r->now.n) {
			const view_change *f = &r->now.f[k];
			int cx = x;
			if (!nodes_bare(f->key))
				cx += view_text(g, cx, y, f->key, end - cx, R_DIM, 0) + 1;
			int role = down ? R_DIM : nodes_value_role(m->trace->proto, f->key, f->val, R_NORMAL);
			int attr = 0;
			if (r->changed[k] && !down)
				role = R_CHANGED, attr = A_BOLD_;
			view_text(g, cx, y, f->val, end - cx, role, attr);
		}
		x += c->col[i].w;
	}
	if (c->bar && r->ntimers && x + 2 < end)
		nodes_draw_timers(g, x + 2, y, end - x - 2, m, pr, r, c);
}

/* The label of the first picture row any process has ("log"). */
static const char *pics_label(const view_pic *pics, int np)
{
	for (int p = 0; p < np; p++)
		if (pics[p].nrows)
			return pics[p].r[0].label;
	return "";
}

void nodes_draw(grid *g, grid_rect r, const view_model *m)
{
	bool focused = m->focus == PANE_NODES;
	grid_rect in = view_box(g, r, "nodes", focused);
	if (in.w <= 0 || in.h <= 0)
		return;
	const st_trace *t = m->trace;
	if (!t || t->nprocs == 0) {
		view_text(g, in.x + 1, in.y, "no processes", in.w - 1, R_DIM, 0);
		return;
	}
	int np = t->nprocs < ST_MAX_PROCS ? t->nprocs : ST_MAX_PROCS;
	uint32_t n = trace_count(t);
	uint32_t cur = m->cursor == TRACE_NONE || n == 0 ? TRACE_NONE : m->cursor < n ? m->cursor : n - 1;
	uint32_t step_first = cur == TRACE_NONE ? 0 : nodes_step_first(t, cur);
	trace_point pt;
	view_point(m, &pt);
	nodes_row *rows = st_zalloc((size_t)np, sizeof *rows);
	for (int p = 0; p < np; p++)
		nodes_row_fill(m, &pt, p, step_first, &rows[p]);
	const st_protocol *pr = t->proto ? t->proto : m->sc ? m->sc->protocol : NULL;

	int name_w = 0, status_w = 0;
	for (int p = 0; p < np; p++) {
		int w = view_width(g, view_proc_name(t, p));
		name_w = w > name_w ? w : name_w;
		w = (int)strlen(nodes_status_words[rows[p].status].word);
		status_w = w > status_w ? w : status_w;
	}
	int base = 1 + name_w + 1 + status_w;

	/* nodes and clients are aligned separately: they describe different things */
	bool group[2][ST_MAX_PROCS] = {{false}};
	for (int p = 0; p < np; p++)
		group[p < t->nnodes ? 0 : 1][p] = true;
	nodes_cols cols[2];
	for (int k = 0; k < 2; k++)
		nodes_cols_fit(&cols[k], pr, g, rows, group[k], np, base, in.w);
	/* the protocol's picture (Raft: the log) takes the right of the row, after the first
	 * three fields; what does not fit is cut from its front, so the newest entries show */
	view_pic *pics = st_zalloc((size_t)np, sizeof *pics);
	int pic_w = 0;
	for (int p = 0; p < np; p++)
		if (view_picture(m, p, &pics[p])) {
			int w = view_pic_width(g, &pics[p].r[0], true);
			pic_w = w > pic_w ? w : pic_w;
		}
	if (pic_w > 0) {
		/* as wide as it can be while the first three fields and a timer bar (which rank
		 * before it) still fit; else not at all */
		bool bars[2] = {cols[0].timer_w > 0 && cols[0].bar > 0,
				cols[1].timer_w > 0 && cols[1].bar > 0};
		nodes_cols trial[2];
		int w = pic_w < in.w - base - 8 ? pic_w : in.w - base - 8;
		/* at least the label, a "…" and a cell, or the whole row when it is shorter */
		int least = view_width(g, pics_label(pics, np)) + 3;
		least = pic_w < least ? pic_w : least;
		for (; w >= least; w -= 1) {
			for (int k = 0; k < 2; k++)
				nodes_cols_fit(&trial[k], pr, g, rows, group[k], np, base, in.w - w - 2);
			bool firsts = true;
			for (int i = 0; i < trial[0].ncol && i < 3; i++)
				firsts &= trial[0].col[i].shown;
			bool kept = true;
			for (int k = 0; k < 2; k++)
				kept &= !bars[k] || (trial[k].bar > 0 && trial[k].timer_w > 0);
			if (firsts && kept)
				break;
		}
		pic_w = w >= least ? w : 0;
		if (pic_w)
			memcpy(cols, trial, sizeof trial);
	}
	/* timer bars look the same in every row: the more compact form of the two groups */
	if (cols[0].timer_w && cols[1].timer_w) {
		int bar = cols[0].bar < cols[1].bar ? cols[0].bar : cols[1].bar;
		bool names = cols[0].timer_names && cols[1].timer_names;
		bool times = cols[0].timer_times && cols[1].timer_times;
		for (int k = 0; k < 2; k++) {
			cols[k].bar = bar;
			cols[k].timer_names = names;
			cols[k].timer_times = times;
		}
	}

	/* more processes than rows: keep the selected one in view */
	int first = 0;
	if (np > in.h && m->sel_proc >= in.h)
		first = m->sel_proc - in.h + 1;
	if (first > np - in.h)
		first = np - in.h > 0 ? np - in.h : 0;
	for (int p = first; p < np && p - first < in.h; p++) {
		nodes_draw_row(g, (grid_rect){in.x, in.y, in.w - (pic_w ? pic_w + 2 : 0), in.h},
			       in.y + p - first, m, pr, &rows[p], p, &cols[p < t->nnodes ? 0 : 1],
			       name_w, status_w);
		if (pic_w && pics[p].nrows)
			view_pic_draw(g, in.x + in.w - pic_w, in.y + p - first, pic_w, &pics[p].r[0],
				      true);
	}
	/* rows to spare: the selected process's other rows (a leader's nextIndex, matchIndex) */
	int y = in.y + np - first, sp = m->sel_proc;
	if (pic_w && sp >= 0 && sp < np && y < in.y + in.h && pics[sp].nrows > 1) {
		for (int k = 1; k < pics[sp].nrows && y < in.y + in.h; k++, y++) {
			int x = in.x + 1 + view_text(g, in.x + 1, y, view_proc_name(t, sp), in.w - 1,
						     R_SELECT, A_BOLD_);
			view_pic_draw(g, x + 1, y, in.x + in.w - x - 1, &pics[sp].r[k], true);
		}
	}
	free(pics);
	free(rows);
}
