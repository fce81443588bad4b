/* timeline_label.c: the words and numbers on the timeline (a part of timeline.c's pane).
 *
 * Labels, Lamport numbers, vector clocks and the legend go where they cover no mark, arrowhead
 * or other text (the frame's occupancy map says where that is): the selection and milestones
 * choose first and may move above or below their mark over message lines; the rest take what
 * room is left, in time order so crowded stretches fill evenly from the left. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timeline.h"

#define TL_LPRIO_MILESTONE 6    /* whose label gets the room: milestones */
#define TL_LPRIO_SELECTED 9     /* ... and the selection before all */

/* Labels for marks the protocol does not label. */
static const char *const timeline_label_defaults[KIND__COUNT] = {
	[KIND_CRASH] = "crash", [KIND_RESTART] = "restart",
};


/* ---- text: labels, clocks, legend --------------------------------------------------------- */

static bool timeline_label_free_run(timeline_frame *f, int64_t x, int y, int w, uint8_t forbid)
{
	for (int i = 0; i < w; i++) {
		if (!timeline_geo_in(&f->G, x + i, y))
			return false;
		uint8_t *o = timeline_occ(f, x + i, y);
		if (o && (*o & forbid))
			return false;
	}
	return true;
}

static void timeline_label_claim(timeline_frame *f, int64_t x, int y, int w)
{
	for (int i = 0; i < w; i++) {
		uint8_t *o = timeline_occ(f, x + i, y);
		if (o)
			*o = O_TEXT;
	}
}

/* The label of an event: the protocol's, else what the kind implies (a client's op). */
static const char *timeline_label_of(const st_trace *t, const st_event *e, char *buf, size_t n)
{
	if (e->label)
		return trace_str(t, e->label);
	if (e->kind == KIND_INVOKE || e->kind == KIND_COMPLETE) {
		const char *fn = timeline_kv_str(t, e->body, "f");
		int64_t v;
		bool hv = trace_kv_int(t, e->body, "value", &v);
		if (e->kind == KIND_COMPLETE)
			snprintf(buf, n, "%s", trace_optype_names[e->aux % 3]);
		else if (hv)
			snprintf(buf, n, "%s %lld", fn ? fn : "op", (long long)v);
		else
			snprintf(buf, n, "%s", fn ? fn : "op");
		return buf;
	}
	return timeline_label_defaults[e->kind];
}

typedef struct { uint32_t id; int x, y, prio; } timeline_cand;

static int timeline_label_cmp(const void *a, const void *b)
{
	const timeline_cand *p = a, *q = b;
	if (p->prio != q->prio)
		return q->prio - p->prio;
	return p->id < q->id ? -1 : p->id > q->id;
}

/* A row between lanes (or above the first, below the last) where text may go. */
static bool timeline_label_text_row(const timeline_geo *G, int y)
{
	return y >= G->in.y && y < G->in.y + G->in.h && y != G->legend_y && y != G->num_y &&
	       y != G->tick_y && !timeline_geo_lane_row(G, y);
}

/* A text row that touches only one lane (lane_y +- 1), so what is written there cannot be
 * read as belonging to the lane on its other side. */
static bool timeline_label_own_row(const timeline_geo *G, int lane_y, int y)
{
	int other = lane_y + (lane_y - y);
	return timeline_label_text_row(G, y) && !timeline_geo_lane_row(G, y + (y - lane_y)) && other != y;
}

/* Labels: on the lane to the right of the mark, with a blank either side, never over a mark,
 * an arrowhead or other text. When the lane is crowded, the labels that matter (the
 * selection, milestones) go just above or below the mark instead, over message lines if they
 * must; others only where the space is empty. The selection and milestones choose first. */
static void timeline_label_draw_labels(timeline_frame *f, timeline_cand *cands, size_t nc)
{
	grid *g = f->g;
	for (size_t i = 0; i < nc; i++) {
		const st_event *e = trace_at(f->t, cands[i].id);
		char buf[64];
		const char *l = timeline_label_of(f->t, e, buf, sizeof buf);
		bool selected = cands[i].id == f->m->selected;
		bool key = selected || (e->flags & EVF_MILESTONE);
		if (!l || !*l || (!f->m->show_labels && !selected))
			continue;
		int w = view_width(g, l);
		int64_t x = cands[i].x;
		int y = cands[i].y;
		int attr, role = timeline_ev_role(f, cands[i].id, &attr);
		if (!selected && role != R_CONCURRENT && role != R_FUTURE && role != R_PAST &&
		    role != R_MARK && !(e->flags & EVF_MILESTONE))
			role = R_NORMAL;
		attr &= ~A_REV_;
		/* on the lane: right of the mark, else (the ones that matter) left of it */
		int64_t at = timeline_label_free_run(f, x + 1, y, w + 2, O_MARK | O_END | O_TEXT) ? x + 1
			   : key && timeline_label_free_run(f, x - w - 2, y, w + 2, O_MARK | O_END | O_TEXT)
				   ? x - w - 2 : INT64_MIN;
		if (at != INT64_MIN) {
			grid_put(g, (int)at, y, ' ', R_NORMAL, 0);
			view_text(g, (int)at + 1, y, l, w, role, attr);
			grid_put(g, (int)at + 1 + w, y, ' ', R_NORMAL, 0);
			timeline_label_claim(f, at, y, w + 2);
			continue;
		}
		uint8_t forbid = O_MARK | O_END | O_TEXT;
		/* just above or below, starting near the mark's column, else ending there */
		const int dxs[] = {1, 0, 2, 3, 4, -w / 2, -w, -w + 1, -w - 1};
		const int ndx = (int)(sizeof dxs / sizeof dxs[0]);
		for (int k = 0; k < 2 * ndx; k++) {
			int yy = y + (k < ndx ? -1 : 1);
			int64_t xx = x + dxs[k % ndx];
			if (!key || !timeline_label_own_row(&f->G, y, yy) ||
			    !timeline_label_free_run(f, xx, yy, w, forbid))
				continue;
			/* apart from other text, so two labels never read as one */
			uint8_t *lo = timeline_occ(f, xx - 1, yy), *ro = timeline_occ(f, xx + w, yy);
			if ((lo && (*lo & forbid)) || (ro && (*ro & forbid)))
				continue;
			view_text(g, (int)xx, yy, l, w, role, attr);
			timeline_label_claim(f, xx, yy, w);
			break;
		}
	}
}

/* Small numbers in the row above a mark (or below), where the cells are blank and apart from
 * other text. */
static bool timeline_label_small(timeline_frame *f, int64_t x, int y, const char *s, int role,
				int attr, bool force)
{
	timeline_geo *G = &f->G;
	int w = (int)strlen(s);
	if (!timeline_label_text_row(G, y))
		return false;
	if (x + w > G->in.x + G->in.w)
		x = G->in.x + G->in.w - w;
	if (x < G->x0)
		x = G->x0;
	uint8_t forbid = force ? (O_MARK | O_END | O_TEXT) : 0xff;
	if (!timeline_label_free_run(f, x, y, w, forbid))
		return false;
	if (!force) {
		uint8_t *l = timeline_occ(f, x - 1, y), *r = timeline_occ(f, x + w, y);
		if ((l && (*l & O_TEXT)) || (r && (*r & O_TEXT)))
			return false;
	}
	grid_text_at(f->g, (int)x, y, s, w, role, attr);
	timeline_label_claim(f, x, y, w);
	return true;
}

static void timeline_label_vc_text(const st_trace *t, uint32_t id, char *buf, size_t n)
{
	const uint32_t *vc = trace_vc(t, id);
	size_t len = 0;
	buf[len++] = '[';
	for (int p = 0; p < t->nprocs && len + 14 < n; p++)
		len += (size_t)snprintf(buf + len, n - len, "%s%u", p ? "," : "", vc[p]);
	snprintf(buf + len, n - len, "]");
}

/* The selection's vector clock goes first, with lines under it given up: below the mark,
 * else above, centred, else starting at it or ending at it. */
static void timeline_label_sel_vc(timeline_frame *f, timeline_cand *cands, size_t nc)
{
	uint32_t sel = f->m->selected;
	for (size_t i = 0; f->m->show_vc && i < nc; i++) {
		if (cands[i].id != sel || !trace_kinds[trace_at(f->t, sel)->kind].proc_event)
			continue;
		char buf[ST_MAX_PROCS * 11 + 4];
		timeline_label_vc_text(f->t, sel, buf, sizeof buf);
		int w = (int)strlen(buf);
		const int dy[4] = {1, -1, 2, -2};
		const int dx[5] = {-w / 2, 0, -w + 1, 2, -w - 1};
		for (int a = 0; a < 4; a++)
			for (int b = 0; b < 5; b++)
				if (timeline_label_small(f, cands[i].x + dx[b], cands[i].y + dy[a], buf, R_SELECT,
						   A_BOLD_, true))
					return;
	}
}

static void timeline_label_clocks(timeline_frame *f, timeline_cand *cands, size_t nc)
{
	const st_trace *t = f->t;
	uint32_t sel = f->m->selected;
	/* Lamport times: the selected lane's first, then the rest, each where there is room */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < nc; i++) {
			const st_event *e = trace_at(t, cands[i].id);
			if ((e->proc == f->m->sel_proc) != (pass == 0))
				continue;
			char buf[16];
			snprintf(buf, sizeof buf, "%u", e->lamport);
			int attr, role = timeline_ev_role(f, cands[i].id, &attr);
			if (role != R_CONCURRENT && role != R_FUTURE && role != R_SELECT)
				role = R_CLOCK;
			bool force = cands[i].id == sel;
			/* numbers sit above their mark; below only where that row is the lane's own */
			if (!timeline_label_small(f, cands[i].x, cands[i].y - 1, buf, role, 0, force) &&
			    (force || e->proc == f->m->sel_proc) &&
			    timeline_label_own_row(&f->G, cands[i].y, cands[i].y + 1))
				timeline_label_small(f, cands[i].x, cands[i].y + 1, buf, role, 0, force);
		}
	if (!f->m->show_vc)
		return;
	for (size_t i = 0; i < nc; i++) {
		if (cands[i].id == sel || !timeline_label_own_row(&f->G, cands[i].y, cands[i].y + 1))
			continue;
		char buf[ST_MAX_PROCS * 11 + 4];
		timeline_label_vc_text(t, cands[i].id, buf, sizeof buf);
		int attr, role = timeline_ev_role(f, cands[i].id, &attr);
		if (role != R_CONCURRENT && role != R_FUTURE)
			role = R_CLOCK;
		timeline_label_small(f, cands[i].x, cands[i].y + 1, buf, role, 0, false);
	}
}

void timeline_label_draw(timeline_frame *f)
{
	timeline_geo *G = &f->G;
	if (!f->best)
		return;
	size_t n = 0;
	for (size_t i = 0; i < (size_t)G->nvis * (size_t)G->ncols; i++)
		n += f->best[i] != TRACE_NONE;
	timeline_cand *c = grid_scratch(f->g, TL_S_TEXT, (n + 1) * sizeof *c);
	size_t nc = 0;
	for (int k = 0; k < G->nvis; k++)
		for (int col = 0; col < G->ncols; col++) {
			uint32_t id = f->best[(size_t)k * (size_t)G->ncols + (size_t)col];
			if (id == TRACE_NONE)
				continue;
			const st_event *e = trace_at(f->t, id);
			int lp = timeline_kinds[e->kind].label_prio;
			if (e->flags & EVF_MILESTONE)
				lp = TL_LPRIO_MILESTONE;
			if (id == f->m->selected)
				lp = TL_LPRIO_SELECTED;
			c[nc++] = (timeline_cand){id, G->x0 + col, G->lane_y[G->pos[G->first + k]], lp};
		}
	qsort(c, nc, sizeof *c, timeline_label_cmp);
	timeline_label_sel_vc(f, c, nc);
	timeline_label_draw_labels(f, c, nc);
	/* clocks in time order, so crowded stretches fill evenly from the left */
	for (size_t i = 0; i < nc; i++)
		c[i].prio = c[i].id == f->m->selected ? 1 : 0;
	qsort(c, nc, sizeof *c, timeline_label_cmp);
	timeline_label_clocks(f, c, nc);
}

void timeline_label_legend(timeline_frame *f)
{
	timeline_geo *G = &f->G;
	if (G->legend_y < 0)
		return;
	static const struct { int glyph; uint8_t role; const char *text; } items[] = {
		{TG_SEND, R_MSG, "send"}, {TG_RECV, R_MSG, "receive"}, {TG_TIMER, R_TIMER, "timer"},
		{TG_LOCAL, R_NORMAL, "step"}, {TG_MILESTONE, R_CHANGED, "milestone"},
		{TG_CRASH, R_CRASH, "crash"}, {TG_RESTART, R_GOOD, "restart"},
		{TG_DROP, R_DROP, "lost"}, {TG_CRASHED, R_CRASH, "down"},
		{TG_PAUSED, R_PAUSE, "paused"},
		{TG_BAND, R_PARTITION, "partition"}, {TG_NOW, R_FOCUS, "now"},
		{TG_INVOKE, R_CLIENT, "client op"},
	};
	int x = G->in.x + 1, xend = G->in.x + G->in.w;
	for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) {
		int w = (int)strlen(items[i].text) + 2 + (items[i].glyph == TG_INVOKE);
		if (x + w > xend)
			break;
		grid_put(f->g, x, G->legend_y, timeline_ch(f->g, items[i].glyph), items[i].role, 0);
		int o = 1;
		if (items[i].glyph == TG_INVOKE)
			grid_put(f->g, x + o++, G->legend_y, timeline_ch(f->g, TG_COMPLETE), items[i].role, 0);
		grid_text_at(f->g, x + o + 1, G->legend_y, items[i].text, -1, R_DIM, 0);
		x += w + 2;
	}
}

/* What the tints of a selection mean, in the box's bottom edge after the classes: its causal
 * past ("before"), its future ("after") and what nothing orders with it ("concurrent"), each
 * word in its tint. With C on, the concurrent are gone and the edge says whose cone is shown:
 * "cone of e12: before  after". The longest form that fits, else a shorter one, else none. */
static void timeline_label_cone(timeline_frame *f, int y, int x, int xend)
{
	bool any = f->anchor != TRACE_NONE, cone = f->m->cone;
	if (!any && !cone)
		return;
	char heads[2][48] = {"", ""};
	if (cone && any) {
		snprintf(heads[0], sizeof heads[0], "cone of e%u:", f->anchor);
		snprintf(heads[1], sizeof heads[1], "cone:");
	} else if (cone) {
		snprintf(heads[0], sizeof heads[0], "cone: select an event");
		snprintf(heads[1], sizeof heads[1], "cone");
	}
	static const struct { uint8_t role; const char *word; } tints[] = {
		{R_PAST, "before"}, {R_AFTER, "after"}, {R_CONCURRENT, "concurrent"},
	};
	int nt = !any ? 0 : cone ? 2 : 3;
	/* forms, longest first: two blanks between words, then one; the long head, then short */
	for (int form = 0; form < 4; form++) {
		int gap = form % 2 == 0 ? 2 : 1;
		const char *head = heads[form / 2];
		if (form >= 2 && !heads[1][0])
			break;
		int w = 2 + (head[0] ? view_width(f->g, head) + (nt ? 1 : 0) : 0);
		for (int i = 0; i < nt; i++)
			w += (int)strlen(tints[i].word) + (i ? gap : 0);
		if (x + w > xend)
			continue;
		int cx = x;
		grid_put(f->g, cx++, y, ' ', R_NORMAL, 0);
		if (head[0]) {
			cx += view_text(f->g, cx, y, head, xend - cx, R_FOCUS, 0);
			if (nt)
				grid_put(f->g, cx++, y, ' ', R_NORMAL, 0);
		}
		for (int i = 0; i < nt; i++) {
			for (int k = 0; i && k < gap; k++)
				grid_put(f->g, cx++, y, ' ', R_NORMAL, 0);
			cx += view_text(f->g, cx, y, tints[i].word, xend - cx, tints[i].role, 0);
		}
		grid_put(f->g, cx, y, ' ', R_NORMAL, 0);
		return;
	}
}

/* The classes of the protocol's messages, in the box's bottom edge (or the legend's row):
 * "1 election  2 replication  3 heartbeat (hidden)", each name in its class's colour and
 * attribute, the digit the key that hides and shows it. */
void timeline_label_classes(timeline_frame *f)
{
	timeline_geo *G = &f->G;
	const st_protocol *pr = f->t->proto;
	int y = G->border_y >= 0 ? G->border_y : G->legend_y;
	if (y < 0)
		return;
	int x = G->in.x + 1, xend = G->in.x + G->in.w - 1;
	for (int k = 0; pr && pr->msg_class && k < pr->n_msg_classes && k < 9; k++) {
		bool hidden = f->m->hidden_classes >> k & 1u;
		char buf[64];
		snprintf(buf, sizeof buf, "%s%s", pr->msg_classes[k], hidden ? " (hidden)" : "");
		int w = view_width(f->g, buf) + 4;
		if (x + w > xend)
			break;
		grid_put(f->g, x, y, ' ', R_NORMAL, 0);
		grid_put(f->g, x + 1, y, (uint32_t)('1' + k), R_KEY, 0);
		grid_put(f->g, x + 2, y, ' ', R_NORMAL, 0);
		view_text(f->g, x + 3, y, buf, w - 4, hidden ? R_DIM : timeline_class_role(k), 0);
		grid_put(f->g, x + w - 1, y, ' ', R_NORMAL, 0);
		x += w;
	}
	timeline_label_cone(f, y, x, xend);
}
