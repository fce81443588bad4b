/* timeline.c: the space-time diagram, the picture the whole program exists to draw.
 *
 * One lane (row) per process, nodes first then clients, virtual time left to right; every
 * event a mark whose glyph says its kind, every message a line from its send to its receive
 * (or to the ✖ where the network lost it), Lamport clocks above the marks, vector clocks on
 * demand, partitions as shaded walls between the lanes they separate, crashed periods as
 * dashed lanes. Selecting an event tints its causal past (R_PAST) and future (R_AFTER) and
 * everything concurrent with it (R_CONCURRENT), as the legend says; C leaves only the cone.
 *
 * Why it is built this way:
 * - A frame costs O(what is visible), never O(trace): events are sorted by time, so the window
 *   is two binary searches. What is true at the window's left edge (who is crashed or paused,
 *   which partition holds, which messages are in the air, each process's last state) is the
 *   run index's answer (core/trace_index.h); the frame folds the window's events into a copy
 *   of it with the index's own rule. The frame keeps nothing afterwards: its scratch memory
 *   is borrowed from the grid (grid_scratch).
 * - Layers, back to front: ruler and walls, lanes, message lines, arrowheads and drops, marks,
 *   then text. An occupancy map per frame lets text go only where it covers no mark.
 * - The future (events after the cursor, when the user has stepped back) is drawn, dimmed
 *   (R_FUTURE), with the same glyphs: the shape of what is coming stays recognisable, and the
 *   ▼ on the ruler says where "now" is. Messages in flight at the cursor are R_MSG_HOT up to
 *   where they are now and dimmed beyond, so they visibly travel while playing.
 * - Everything is a function of (model, rectangle), so hit-testing recomputes the same
 *   geometry the drawing used.
 *
 * This file is the frame that composes the pane; timeline_geo.c says where things go,
 * timeline_msg.c draws the message lines, timeline_label.c the text (timeline.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timeline.h"

#define TL_PRIO_MILESTONE 100   /* a milestone's mark wins its cell over any other kind */

/* ---- tables --------------------------------------------------------------------------------- */

/* Glyphs: a grid glyph where the grid has one (so --ascii is handled there), else our own
 * code point with its ASCII form. */
static const struct { int grid; uint32_t uni; char ascii; } timeline_glyphs[TG__COUNT] = {
	[TG_START] = {-1, 0x25b6, '>'},       [TG_SEND] = {-1, 0x25cb, 'o'},
	[TG_RECV] = {-1, 0x25cf, '@'},        [TG_TIMER] = {-1, 0x25f7, 't'},
	[TG_LOCAL] = {-1, 0x25c7, '+'},       [TG_MILESTONE] = {G_DIAMOND, 0, 0},
	[TG_CRASH] = {-1, 0x2716, 'X'},       [TG_RESTART] = {-1, 0x21bb, 'R'},
	[TG_INVOKE] = {-1, '[', '['},         [TG_COMPLETE] = {-1, ']', ']'},
	[TG_DROP] = {-1, 0x2716, 'x'},        [TG_LANE] = {G_HLINE, 0, 0},
	[TG_CRASHED] = {-1, 0x2504, '.'},      [TG_PAUSED] = {-1, 0x2550, '~'},
	[TG_OPEN_OP] = {-1, 0x2501, '='},     [TG_DIAG_DOWN] = {G_DIAG_DOWN, 0, 0},
	[TG_DIAG_UP] = {G_DIAG_UP, 0, 0},     [TG_VLINE] = {G_VLINE, 0, 0},
	[TG_HLINE] = {G_HLINE, 0, 0},         [TG_CROSS] = {G_CROSS, 0, 0},
	[TG_ARROW_DOWN] = {G_ARROW_D, 0, 0},  [TG_ARROW_UP] = {G_ARROW_U, 0, 0},
	[TG_BAND] = {G_SHADE, 0, 0},          [TG_NOW] = {-1, 0x25bc, 'V'},
	[TG_TICK] = {G_TEE_D, 0, 0},          [TG_SEP] = {G_VLINE, 0, 0},
	[TG_IDLE] = {-1, 0x2248, '~'},
};

uint32_t timeline_ch(const grid *g, int gl)
{
	if (timeline_glyphs[gl].grid >= 0)
		return grid_glyph_ch(g, (grid_glyph)timeline_glyphs[gl].grid);
	return g->ascii ? (uint32_t)(unsigned char)timeline_glyphs[gl].ascii
			: timeline_glyphs[gl].uni;
}

/* A client's answer by its type (ok, fail, info). */
static const uint8_t timeline_complete_roles[3] = {R_GOOD, R_WARN, R_WARN};
/* Lane states and how a lane looks in each: the index's statuses, and a client's open op. */
enum { TLS_NONE = TI_ABSENT, TLS_UP = TI_UP, TLS_CRASHED = TI_CRASHED, TLS_PAUSED = TI_PAUSED,
       TLS_OP, TLS__COUNT };
static const struct { int glyph; uint8_t role; } timeline_lane_looks[TLS__COUNT] = {
	[TLS_NONE] = {-1, R_NORMAL}, [TLS_UP] = {TG_LANE, R_DIM},
	[TLS_CRASHED] = {TG_CRASHED, R_CRASH}, [TLS_PAUSED] = {TG_PAUSED, R_PAUSE},
	[TLS_OP] = {TG_OPEN_OP, R_CLIENT},
};

/* A process's role as its protocol names it (st_protocol.role_key and role_styles), in the
 * colour of its style and abbreviated to its first letter on a narrow lane label. */
typedef struct { const char *name; char letter; uint8_t role; } timeline_role;
static const uint8_t timeline_style_roles[] = {
	[ST_STYLE_STRONG] = R_ROLE_STRONG, [ST_STYLE_ACTIVE] = R_ROLE_ACTIVE,
	[ST_STYLE_QUIET] = R_ROLE_QUIET,
};

/* The ruler's tick steps: 1-2-5 per decade, in microseconds. */
static const int64_t timeline_steps[] = {
	1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000,
	500000, 1000000, 2000000, 5000000, 10000000, 20000000, 50000000, 100000000, 200000000,
	500000000, 1000000000, 2000000000, 5000000000, 10000000000, 60000000000, 600000000000,
	3600000000000,
};


/* What a process event looks like, which mark a crowded cell shows (higher wins: milestones,
 * then crashes and restarts, then messages, then timers), and whose label gets the room. */
const timeline_kind timeline_kinds[KIND__COUNT] = {
	[KIND_START] = {TG_START, R_NODE, 60, 0},
	[KIND_SEND] = {TG_SEND, R_MSG, 30, 2},
	[KIND_RECV] = {TG_RECV, R_MSG, 35, 3},
	[KIND_TIMER] = {TG_TIMER, R_TIMER, 20, 1},
	[KIND_LOCAL] = {TG_LOCAL, R_NORMAL, 40, 3},
	[KIND_CRASH] = {TG_CRASH, R_CRASH, 90, 5},
	[KIND_RESTART] = {TG_RESTART, R_GOOD, 85, 5},
	[KIND_INVOKE] = {TG_INVOKE, R_CLIENT, 50, 4},
	[KIND_COMPLETE] = {TG_COMPLETE, R_GOOD, 55, 4},
};

/* ---- trace helpers ------------------------------------------------------------------------ */

bool timeline_held(const st_trace *t, uint32_t id)
{
	return id != TRACE_NONE && id >= t->base && id < trace_count(t);
}

const st_msgrec *timeline_msgrec(const st_trace *t, uint32_t msg)
{
	return msg >= t->msg_base && msg - t->msg_base < t->nmsg ? trace_msg(t, msg) : NULL;
}

/* A string value of a key/value list, or NULL. */
const char *timeline_kv_str(const st_trace *t, uint32_t list, const char *key)
{
	const char *v;
	return trace_kv_str(t, list, key, &v) ? v : NULL;   /* the trace's one lookup */
}

static int timeline_kv_proc(const st_trace *t, uint32_t list, const char *key, int nprocs)
{
	int64_t v;
	if (list == TRACE_NONE || !trace_kv_int(t, list, key, &v) || v < 0 || v >= nprocs)
		return -1;
	return (int)v;
}

/* The role a state record reports; false when the protocol names none or it is unknown. */
static bool timeline_role_of_state(const st_trace *t, uint32_t state, timeline_role *out)
{
	const st_protocol *pr = t->proto;
	if (!pr || !pr->role_key || !pr->role_styles)
		return false;
	const char *r = timeline_kv_str(t, state, pr->role_key);
	for (const st_role_style *rs = pr->role_styles; r && rs->value; rs++)
		if (strcmp(r, rs->value) == 0 && rs->style >= ST_STYLE_STRONG &&
		    rs->style <= ST_STYLE_QUIET) {
			out->name = rs->value;
			out->letter = (char)toupper((unsigned char)rs->value[0]);
			out->role = timeline_style_roles[rs->style];
			return true;
		}
	return false;
}

/* ---- message classes ---------------------------------------------------------------------- */

#define TL_INHERIT_BACK 64      /* events looked back for the message a reply answers */

/* The class the protocol names for message mr by itself, without inheriting. */
static int timeline_class_own(const st_trace *t, const st_msgrec *mr)
{
	const st_protocol *pr = t->proto;
	if (!pr || !pr->msg_class || pr->n_msg_classes <= 0)
		return -1;
	int k = pr->msg_class(mr->from, mr->type, trace_msg_body(t, mr), mr->body_len);
	return k == ST_CLASS_INHERIT || (k >= 0 && k < pr->n_msg_classes) ? k : -1;
}

int timeline_msg_class_of(const st_trace *t, uint32_t msg)
{
	const st_msgrec *mr = t ? timeline_msgrec(t, msg) : NULL;
	if (!mr)
		return -1;
	int k = timeline_class_own(t, mr);
	if (k != ST_CLASS_INHERIT)
		return k;
	/* the handler that sent it began with the receive just before, at the same time */
	if (!timeline_held(t, mr->send_ev))
		return -1;
	const st_event *se = trace_at(t, mr->send_ev);
	for (uint32_t id = mr->send_ev, n = 0; id > t->base && n < TL_INHERIT_BACK; n++) {
		const st_event *e = trace_at(t, --id);
		if (e->t_us != se->t_us)
			break;
		if (e->proc != se->proc)
			continue;
		if (e->kind == KIND_RECV) {
			const st_msgrec *cause = timeline_msgrec(t, e->ref);
			int c = cause ? timeline_class_own(t, cause) : -1;
			return c == ST_CLASS_INHERIT ? -1 : c;
		}
		if (e->kind != KIND_SEND && e->kind != KIND_LOCAL)
			break;
	}
	return -1;
}

int timeline_class_role(int k) { return k < 0 ? R_MSG : R_CLASS1 + k % 6; }

static bool timeline_msg_hidden(const view_model *m, uint32_t msg)
{
	int k = timeline_msg_class_of(m->trace, msg);
	return k >= 0 && k < 32 && (m->hidden_classes >> k & 1u);
}

/* A timer whose handler changed no state and only sent hidden messages (a leader's
 * heartbeat tick): with its messages hidden it has nothing left to show. */
static bool timeline_timer_hidden(const view_model *m, uint32_t id, const st_event *e)
{
	const st_trace *t = m->trace;
	if (e->state != TRACE_NONE || (e->flags & EVF_MILESTONE))
		return false;
	int sends = 0;
	for (uint32_t j = id + 1, n = 0; j < trace_count(t) && n < TL_INHERIT_BACK; j++, n++) {
		const st_event *x = trace_at(t, j);
		if (x->t_us != e->t_us)
			break;
		if (x->proc != e->proc)
			continue;
		if (x->kind != KIND_SEND)
			break;
		if (!timeline_msg_hidden(m, x->ref))
			return false;
		sends++;
	}
	return sends > 0;
}

/* The selection's process event for causality: the selection, or a loss's send. */
uint32_t timeline_anchor(const st_trace *t, uint32_t sel)
{
	if (!timeline_held(t, sel))
		return TRACE_NONE;
	const st_event *e = trace_at(t, sel);
	if (trace_kinds[e->kind].proc_event)
		return sel;
	if (e->kind == KIND_DROP) {
		const st_msgrec *mr = timeline_msgrec(t, e->ref);
		return mr && timeline_held(t, mr->send_ev) ? mr->send_ev : TRACE_NONE;
	}
	return TRACE_NONE;
}

/* Outside the selection's causal cone (view_model.cone): a process event concurrent with the
 * anchor, or a loss whose send is. World events (partitions, heals) stay: they are not in
 * happened-before, and they explain the cone's drops. */
static bool timeline_out_of_cone(const view_model *m, uint32_t id)
{
	const st_trace *t = m->trace;
	uint32_t a = timeline_anchor(t, m->selected);
	if (a == TRACE_NONE || id == a || !timeline_held(t, id))
		return false;
	const st_event *e = trace_at(t, id);
	if (e->kind == KIND_DROP) {
		const st_msgrec *mr = timeline_msgrec(t, e->ref);
		if (!mr || !timeline_held(t, mr->send_ev))
			return false;
		id = mr->send_ev;
		if (id == a)
			return false;
		e = trace_at(t, id);
	}
	return trace_kinds[e->kind].proc_event && trace_order(t, id, a) == 0;
}

bool timeline_ev_hidden(const view_model *m, uint32_t id)
{
	if ((!m->hidden_classes && !m->hidden_procs && !m->cone) || id == m->selected ||
	    id == m->marked)
		return false;
	if (m->cone && timeline_out_of_cone(m, id))
		return true;
	if (!m->hidden_classes && !m->hidden_procs)
		return false;
	const st_event *e = trace_at(m->trace, id);
	if (m->hidden_procs) {
		/* a hidden lane's events, and the messages to and from it */
		if (e->proc < ST_MAX_PROCS && (m->hidden_procs >> e->proc & 1u))
			return true;
		if ((e->kind == KIND_SEND || e->kind == KIND_RECV || e->kind == KIND_DROP) &&
		    timeline_held(m->trace, id)) {
			const st_msgrec *mr = timeline_msgrec(m->trace, e->ref);
			if (mr && mr->to < ST_MAX_PROCS && (m->hidden_procs >> mr->to & 1u))
				return true;
			if (mr && mr->from < ST_MAX_PROCS && (m->hidden_procs >> mr->from & 1u))
				return true;
		}
		if (!m->hidden_classes)
			return false;
	}
	if (e->kind == KIND_TIMER)
		return timeline_timer_hidden(m, id, e);
	if (e->kind != KIND_SEND && e->kind != KIND_RECV && e->kind != KIND_DROP)
		return false;
	return timeline_msg_hidden(m, e->ref);
}

/* The state record of an event (TRACE_NONE when it has none or is not held). */
static uint32_t timeline_state_of(const st_trace *t, uint32_t id)
{
	return timeline_held(t, id) ? trace_at(t, id)->state : TRACE_NONE;
}


uint8_t *timeline_occ(timeline_frame *f, int64_t x, int y)
{
	const grid_rect *in = &f->G.in;
	if (x < in->x || y < in->y || x >= in->x + in->w || y >= in->y + in->h || !f->occ)
		return NULL;
	return &f->occ[(size_t)(y - in->y) * (size_t)in->w + (size_t)(x - in->x)];
}

void timeline_put(timeline_frame *f, int64_t x, int y, int gl, int role, int attr, uint8_t occ)
{
	if (!timeline_geo_in(&f->G, x, y))
		return;
	grid_put(f->g, (int)x, y, timeline_ch(f->g, gl), role, attr);
	uint8_t *o = timeline_occ(f, x, y);
	if (o)
		*o = (uint8_t)((*o & O_LANE) | occ);
}

bool timeline_future(const timeline_frame *f, uint32_t id) { return id >= f->ncur; }

/* Causal relation to the selection: -1 in its past, 1 in its future (or the selection
 * itself), 0 concurrent, 2 no selection or not a process event. */
int timeline_rel(const timeline_frame *f, uint32_t id)
{
	if (f->anchor == TRACE_NONE || !timeline_held(f->t, id))
		return 2;
	if (id == f->anchor)
		return 1;
	if (!trace_kinds[trace_at(f->t, id)->kind].proc_event)
		return 2;
	return -trace_order(f->t, id, f->anchor);
}

static int timeline_ev_base_role(const timeline_frame *f, const st_event *e)
{
	if (e->flags & EVF_MILESTONE) {
		timeline_role r;
		return timeline_role_of_state(f->t, e->state, &r) ? r.role : R_CHANGED;
	}
	if (e->kind == KIND_COMPLETE)
		return timeline_complete_roles[e->aux % 3];
	if (e->kind == KIND_START)
		return view_proc_role(f->t, e->proc);
	return timeline_kinds[e->kind].role;
}

/* The role a mark or its label is drawn in: selection first, then the causal picture, then
 * the future, then what the event is. */
int timeline_ev_role(const timeline_frame *f, uint32_t id, int *attr)
{
	const st_event *e = trace_at(f->t, id);
	*attr = 0;
	if (id == f->m->selected) {
		*attr = A_REV_ | A_BOLD_;
		return R_SELECT;
	}
	if (id == f->m->marked) {
		*attr = A_REV_;
		return R_MARK;
	}
	int rel = timeline_rel(f, id);
	if (rel == 0)
		return R_CONCURRENT;
	if (timeline_future(f, id))
		return R_FUTURE;
	if (e->flags & EVF_MILESTONE)
		*attr = A_BOLD_;
	if (rel == -1)
		return R_PAST;
	if (rel == 1 && id != f->anchor)
		return R_AFTER;
	return timeline_ev_base_role(f, e);
}

static int timeline_prio(const timeline_frame *f, uint32_t id, const st_event *e)
{
	if (id == f->m->selected)
		return 255;
	if (id == f->m->marked)
		return 254;
	return (e->flags & EVF_MILESTONE) ? TL_PRIO_MILESTONE : timeline_kinds[e->kind].prio;
}
/* ---- ruler -------------------------------------------------------------------------------- */

/* "1250" ms or "1.25" s: the value of t in the unit, with the decimals the step needs. */
static void timeline_fmt_time(char *buf, size_t n, int64_t t, int64_t unit, int dec)
{
	static const int64_t pow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
	bool neg = t < 0;
	if (neg)
		t = -t;
	int64_t ip = t / unit, fp = t % unit;
	if (dec <= 0) {
		snprintf(buf, n, "%s%lld", neg ? "-" : "", (long long)ip);
		return;
	}
	if (dec > 6)
		dec = 6;
	int64_t scale = unit / pow10[dec];
	char frac[8];
	snprintf(frac, sizeof frac, "%06lld", (long long)((scale ? fp / scale : 0) % 1000000));
	snprintf(buf, n, "%s%lld.%s", neg ? "-" : "", (long long)ip, frac + 6 - dec);
}

static void timeline_ruler_step(const timeline_geo *G, int64_t *step, int64_t *unit, int *dec)
{
	size_t n = sizeof timeline_steps / sizeof timeline_steps[0], i = 0;
	for (; i < n; i++) {
		int64_t s = timeline_steps[i];
		*step = s;
		*unit = s >= 1000000 ? 1000000 : 1000;
		*dec = 0;
		for (int64_t u = *unit; s % u != 0 && *dec < 3; u /= 10)
			(*dec)++;
		char buf[32];
		timeline_fmt_time(buf, sizeof buf, timeline_geo_time(G, G->x0 + G->ncols), *unit, *dec);
		int need = (int)strlen(buf) + 3;
		if (need < 8)
			need = 8;
		if (s / G->upc >= need)
			return;
	}
}

/* The logical axis's ruler: real time where it changes, as far apart as the numbers need;
 * a compressed idle stretch is a ≈ of its own. */
static void timeline_draw_lruler(timeline_frame *f)
{
	grid *g = f->g;
	timeline_geo *G = &f->G;
	int xend = G->in.x + G->in.w, n = G->nlc;
	bool two = G->tick_y != G->num_y;
	if (two)
		for (int x = G->x0; x < xend; x++)
			grid_put_glyph(g, x, G->tick_y, G_HLINE, x > f->now_col ? R_FUTURE : R_DIM, 0);
	if (!G->ruler_in_border)
		view_text(g, G->in.x, G->num_y, "ms", G->gut_w - 1, R_DIM, 0);
	int last_end = G->ruler_in_border ? G->title_end : G->x0 - 1;
	int64_t last_ms = INT64_MIN;
	for (int c = 0; c < n && G->x0 + c * G->lcw < xend; c++) {
		int x = G->x0 + c * G->lcw;
		if (G->lgap[c]) {
			if (two || !G->ruler_in_border)
				grid_put(g, x, G->tick_y, timeline_ch(g, TG_IDLE), R_WARN, 0);
			continue;
		}
		int64_t ms = G->lt[c] / 1000;
		if (ms == last_ms)
			continue;
		char buf[24];
		snprintf(buf, sizeof buf, "%lld", (long long)ms);
		int w = (int)strlen(buf);
		bool over_now = !two && f->now_col >= x && f->now_col < x + w;
		if (x > last_end + 2 && x + w <= xend && !over_now) {
			if (two)
				grid_put(g, x, G->tick_y, timeline_ch(g, TG_TICK), R_DIM, 0);
			grid_text_at(g, x, G->num_y, buf, w, R_DIM, 0);
			last_end = x + w - 1;
			last_ms = ms;
		}
	}
}

static void timeline_draw_ruler(timeline_frame *f)
{
	grid *g = f->g;
	timeline_geo *G = &f->G;
	int64_t step, unit;
	int dec;
	if (G->num_y < 0)
		return;
	if (G->logical) {
		timeline_draw_lruler(f);
		return;
	}
	timeline_ruler_step(G, &step, &unit, &dec);
	int xend = G->in.x + G->in.w;
	bool two = G->tick_y != G->num_y;
	if (two)
		for (int x = G->x0; x < xend; x++)
			grid_put_glyph(g, x, G->tick_y, G_HLINE, x > f->now_col ? R_FUTURE : R_DIM, 0);
	if (!G->ruler_in_border)
		view_text(g, G->in.x, G->num_y, unit == 1000 ? "ms" : "s", G->gut_w - 1, R_DIM, 0);
	int64_t first = G->t0 >= 0 ? (G->t0 + step - 1) / step * step : -(-G->t0 / step * step);
	/* in the box's top edge the labels start after the title */
	int last_end = G->ruler_in_border ? G->title_end : G->x0 - 1;
	bool unit_said = !G->ruler_in_border;
	for (int64_t tt = first;; tt += step) {
		int64_t x = timeline_geo_col(G, tt);
		if (x >= xend)
			break;
		if (x < G->x0)
			continue;
		if (two)
			grid_put(g, (int)x, G->tick_y, timeline_ch(g, TG_TICK), R_DIM, 0);
		char buf[40];
		timeline_fmt_time(buf, sizeof buf, tt, unit, dec);
		if (!unit_said)
			strcat(buf, unit == 1000 ? "ms" : "s");
		int w = (int)strlen(buf);
		if (x > last_end + 1 && x + w <= xend) {
			grid_text_at(g, (int)x, G->num_y, buf, w, R_DIM, 0);
			last_end = (int)x + w - 1;
			unit_said = true;
		} else if (!two && !G->ruler_in_border) {
			grid_put(g, (int)x, G->num_y, '\'', R_DIM, 0);
		}
	}
}

/* "now" on the ruler, over the partition bands */
static void timeline_draw_now(timeline_frame *f)
{
	timeline_geo *G = &f->G;
	int from = G->ruler_in_border ? G->title_end + 1 : G->x0;   /* never over the title */
	if (G->tick_y >= 0 && f->now_col >= from && f->now_col < G->in.x + G->in.w)
		grid_put(f->g, (int)f->now_col, G->tick_y, timeline_ch(f->g, TG_NOW), R_FOCUS, A_BOLD_);
}

/* ---- partitions and cuts ------------------------------------------------------------------ */

/* group[p] of a partition event, -1 for processes in no group. */
void timeline_groups(const st_trace *t, uint32_t id, int8_t *group)
{
	memset(group, -1, ST_MAX_PROCS);
	const st_event *e = trace_at(t, id);
	if (e->body == TRACE_NONE || e->body >= t->nkv)
		return;
	const st_kvrec *r = trace_kv_items(t, e->body);
	for (uint32_t i = 0; i < trace_kv_count(t, e->body); i++) {
		int p = (int)r[i].v, gi = atoi(trace_str(t, r[i].key));
		if (p >= 0 && p < ST_MAX_PROCS)
			group[p] = (int8_t)gi;
	}
}

/* "n1 n2 | n3 n4 n5" for the ruler. */
static void timeline_groups_text(const st_trace *t, const int8_t *group, char *out, size_t n)
{
	size_t len = 0;
	out[0] = 0;
	for (int gi = 0; gi < ST_MAX_PROCS && len + 8 < n; gi++) {
		bool any = false;
		for (int p = 0; p < t->nprocs && len + 8 < n; p++)
			if (group[p] == gi) {
				len += (size_t)snprintf(out + len, n - len, "%s%s",
							any ? " " : gi ? " | " : "", t->proc_names[p]);
				any = true;
			}
		if (!any && gi > 0)
			break;
	}
}

/* One period of a partition (part != NONE) or of one-way cuts, from column a to b. */
static void timeline_draw_period(timeline_frame *f, int64_t a, int64_t b, uint32_t part,
				 uint32_t cut_ev, const uint32_t *cut)
{
	grid *g = f->g;
	timeline_geo *G = &f->G;
	int64_t xa = a < G->x0 ? G->x0 : a, xb = b >= G->in.x + G->in.w ? G->in.x + G->in.w - 1 : b;
	if (xa > xb)
		return;
	int8_t group[ST_MAX_PROCS];
	char text[160];
	text[0] = 0;
	if (part != TRACE_NONE) {
		timeline_groups(f->t, part, group);
		char gs[128];
		timeline_groups_text(f->t, group, gs, sizeof gs);
		snprintf(text, sizeof text, " partition %s ", gs);
		/* walls between neighbouring lanes on different sides */
		for (int k = G->first; k + 1 < G->first + G->nvis; k++) {
			int pa = G->pos[k], pb = G->pos[k + 1];
			int ga = group[pa], gb = group[pb];
			int y0 = G->lane_y[pa], y1 = G->lane_y[pb];
			if (ga < 0 || gb < 0 || ga == gb || y1 - y0 < 2)
				continue;
			int yw = timeline_geo_wall_row(y0, y1);
			for (int64_t x = xa; x <= xb; x++)
				timeline_put(f, x, yw, TG_BAND, R_PARTITION, 0, O_BAND);
		}
	} else if (cut_ev != TRACE_NONE) {
		size_t len = (size_t)snprintf(text, sizeof text, " cut");
		for (int p = 0; p < f->t->nprocs; p++)
			for (int q = 0; q < f->t->nprocs; q++)
				if ((cut[p] >> q & 1u) && len + 20 < sizeof text)
					len += (size_t)snprintf(text + len, sizeof text - len,
								" %s\u21f8%s", f->t->proc_names[p],
								f->t->proc_names[q]);
		if (len + 2 < sizeof text)
			strcat(text, " ");
	}
	if (G->ruler_in_border || G->tick_y < 0)
		return;
	/* the ruler's tick row becomes the band, its text the groups */
	int y = G->tick_y;
	for (int64_t x = xa; x <= xb; x++) {
		grid_cell *c = grid_at(g, (int)x, y);
		if (!c)
			continue;
		bool blank = c->ch == ' ' || c->ch == grid_glyph_ch(g, G_HLINE) ||
			     c->ch == grid_glyph_ch(g, G_TEE_D);
		if (blank)
			c->ch = grid_glyph_ch(g, G_SHADE);
		if (c->ch != timeline_ch(g, TG_NOW))
			c->role = R_PARTITION;
	}
	/* the text as near the band's start as it goes clear of the "now" marker (and of the
	 * numbers of a one-row ruler); the groups in full where they fit, else just a sign */
	const char *texts[2] = {text, part != TRACE_NONE ? " \u2225 " : " cut "};
	int64_t lo = a + 1 < G->x0 ? G->x0 : a + 1;
	for (int k = 0; k < 2; k++) {
		int w = view_width(g, texts[k]);
		for (int64_t at = lo; at + w - 1 <= xb; at++) {
			if (!texts[k][0] ||
			    (f->now_col >= at && f->now_col < at + w))
				continue;
			/* a one-row ruler has its numbers here: the text goes only between them */
			bool clear = true;
			for (int64_t x = at - 1; x <= at + w && clear; x++) {
				grid_cell *c = grid_at(g, (int)x, y);
				clear = !c || c->ch < '0' || c->ch > '9';
			}
			if (!clear)
				continue;
			view_text(g, (int)at, y, texts[k], w, R_PARTITION, A_BOLD_);
			return;
		}
	}
}

static void timeline_add_period(timeline_frame *f, int64_t t_a, int64_t t_b, uint32_t part)
{
	if (part == TRACE_NONE || f->nper >= TL_MAX_PERIODS)
		return;
	f->per[f->nper].t_a = t_a;
	f->per[f->nper].t_b = t_b;
	f->per[f->nper++].part = part;
}

static void timeline_draw_partitions(timeline_frame *f, const trace_point *at_i0)
{
	const st_trace *t = f->t;
	int64_t start = f->G.x0 - 1, start_t = INT64_MIN;
	uint32_t part = at_i0->part_ev, cut_ev = at_i0->cut_ev;
	uint32_t cut[ST_MAX_PROCS];
	memcpy(cut, at_i0->cut, sizeof cut);
	trace_point s = *at_i0;
	for (uint32_t id = f->i0; id < f->i1; id++) {
		const st_event *e = trace_at(t, id);
		if (e->kind != KIND_PARTITION && e->kind != KIND_HEAL && e->kind != KIND_INPUT)
			continue;
		trace_index_apply(f->m->index, &s, id);
		if (s.part_ev == part && s.cut_ev == cut_ev && !memcmp(s.cut, cut, sizeof cut))
			continue;
		int64_t x = timeline_geo_ecol(&f->G, e, id);
		if (part != TRACE_NONE || cut_ev != TRACE_NONE)
			timeline_draw_period(f, start, x - 1, part, cut_ev, cut);
		timeline_add_period(f, start_t, e->t_us, part);
		part = s.part_ev;
		cut_ev = s.cut_ev;
		memcpy(cut, s.cut, sizeof cut);
		start = x;
		start_t = e->t_us;
	}
	if (part != TRACE_NONE || cut_ev != TRACE_NONE)
		timeline_draw_period(f, start, f->end_col, part, cut_ev, cut);
	timeline_add_period(f, start_t, INT64_MAX, part);
}

/* ---- lanes -------------------------------------------------------------------------------- */

static void timeline_lane_fill(timeline_frame *f, int p, int64_t a, int64_t b, int st)
{
	if (st == TLS_NONE)
		return;
	timeline_geo *G = &f->G;
	if (a < G->x0)
		a = G->x0;
	if (b > f->end_col)
		b = f->end_col;
	int y = G->lane_y[p];
	for (int64_t x = a; x <= b; x++) {
		int role = timeline_lane_looks[st].role;
		if (x > f->now_col)
			role = R_FUTURE;
		else if (p == f->m->sel_proc && st == TLS_UP)
			role = R_FOCUS;
		uint8_t *o = timeline_occ(f, x, y);
		if (o && (*o & O_BAND))
			continue;
		timeline_put(f, x, y, timeline_lane_looks[st].glyph, role, 0, O_LANE);
		if (o)
			*o = O_LANE;
	}
}

static int timeline_lane_state(const trace_point *s, int p)
{
	if (s->status[p] == TLS_UP && s->op_ev[p] != TRACE_NONE)
		return TLS_OP;
	return s->status[p];
}

static void timeline_draw_lanes(timeline_frame *f, const trace_point *at_i0)
{
	const st_trace *t = f->t;
	timeline_geo *G = &f->G;
	int64_t start[ST_MAX_PROCS];
	int st[ST_MAX_PROCS];
	for (int p = 0; p < G->nl; p++) {
		start[p] = G->x0;
		st[p] = timeline_lane_state(at_i0, p);
	}
	trace_point s = *at_i0;
	for (uint32_t id = f->i0; id < f->i1; id++) {
		const st_event *e = trace_at(t, id);
		int p = e->proc;
		if (e->kind == KIND_INPUT) {
			trace_index_apply(f->m->index, &s, id);
			p = timeline_kv_proc(t, e->body, "proc", t->nprocs);
			if (p < 0)
				continue;
		} else if (p < G->nl && e->kind != KIND_SEND && e->kind != KIND_RECV &&
			   e->kind != KIND_TIMER && e->kind != KIND_LOCAL) {
			trace_index_apply(f->m->index, &s, id);
		} else {
			continue;
		}
		int ns = timeline_lane_state(&s, p);
		if (ns == st[p])
			continue;
		int64_t x = timeline_geo_ecol(G, e, id);
		if (timeline_geo_lane_shown(G, p))
			timeline_lane_fill(f, p, start[p], x - 1, st[p]);
		start[p] = x;
		st[p] = ns;
	}
	for (int k = G->first; k < G->first + G->nvis; k++) {
		int p = G->pos[k];
		timeline_lane_fill(f, p, start[p], G->in.x + G->in.w - 1, st[p]);
	}
}

/* ---- gutter ------------------------------------------------------------------------------- */

static void timeline_draw_gutter(timeline_frame *f, const trace_point *at_cursor)
{
	grid *g = f->g;
	timeline_geo *G = &f->G;
	const st_trace *t = f->t;
	int sep = G->x0 - 1;
	for (int y = G->in.y; y < G->in.y + G->in.h; y++)
		if (y != G->legend_y)
			grid_put(g, sep, y, timeline_ch(g, TG_SEP), R_BORDER, 0);
	for (int k = G->first; k < G->first + G->nvis; k++) {
		int p = G->pos[k];
		int y = G->lane_y[p];
		if (y < G->in.y || y >= G->in.y + G->in.h)
			continue;
		bool client = p >= t->nnodes;
		uint32_t state = timeline_state_of(t, at_cursor->state_ev[p]);
		timeline_role ro;
		bool known = timeline_role_of_state(t, state, &ro);
		int role = client ? R_CLIENT : known ? ro.role : R_NODE;
		const char *word = client ? "client" : known ? ro.name : "";
		char letter[2] = {known && !client ? ro.letter : 0, 0};
		int st = at_cursor->status[p];
		if (st == TLS_CRASHED || st == TLS_PAUSED) {
			role = st == TLS_CRASHED ? R_CRASH : R_PAUSE;
			word = st == TLS_CRASHED ? "crashed" : "paused";
			letter[0] = st == TLS_CRASHED ? 'X' : 'P';
		}
		int attr = p == f->m->sel_proc ? A_REV_ | A_BOLD_ : A_BOLD_;
		int n = view_text(g, G->in.x, y, t->proc_names[p], sep - G->in.x, role, attr);
		char rest[40];
		int64_t epoch;
		const char *ek = t->proto ? t->proto->epoch_key : NULL;
		if (G->style == 0)
			snprintf(rest, sizeof rest, " %s", letter);
		else if (G->style == 2 && !client && st != TLS_CRASHED && ek &&
			 trace_kv_int(t, state, ek, &epoch))
			snprintf(rest, sizeof rest, " %-9s %c%lld", word, ek[0], (long long)epoch);
		else
			snprintf(rest, sizeof rest, " %s", word);
		view_text(g, G->in.x + n, y, rest, sep - G->in.x - n, role, 0);
	}
}

/* ---- marks -------------------------------------------------------------------------------- */

static int timeline_mark_glyph(const timeline_frame *f, const st_event *e)
{
	if (e->flags & EVF_MILESTONE)
		return TG_MILESTONE;
	if (e->kind == KIND_RECV) {
		/* no free row before the receiver (lanes that touch): the arrowhead has nowhere to
		 * go but the mark itself, which then says where the message came from */
		const st_msgrec *mr = timeline_msgrec(f->t, e->ref);
		int from = mr ? mr->from : -1;
		if (from >= 0 && from < f->G.nl && e->proc < f->G.nl && from != e->proc) {
			int y = f->G.lane_y[e->proc], dir = y > f->G.lane_y[from] ? 1 : -1;
			if (timeline_geo_lane_row(&f->G, y - dir))
				return dir > 0 ? TG_ARROW_DOWN : TG_ARROW_UP;
		}
	}
	return timeline_kinds[e->kind].glyph;
}

/* best[(p - first) * ncols + c]: the event a cell shows. */
static void timeline_pick_marks(timeline_frame *f)
{
	timeline_geo *G = &f->G;
	size_t n = (size_t)G->nvis * (size_t)G->ncols;
	f->best = grid_scratch(f->g, TL_S_BEST, (n + 1) * sizeof *f->best);
	for (size_t i = 0; i < n; i++)
		f->best[i] = TRACE_NONE;
	for (uint32_t id = f->i0; id < f->i1; id++) {
		const st_event *e = trace_at(f->t, id);
		if (!trace_kinds[e->kind].proc_event || !timeline_geo_lane_shown(G, e->proc) ||
		    timeline_ev_hidden(f->m, id))
			continue;
		int64_t c = timeline_geo_ecol(G, e, id) - G->x0;
		if (c < 0 || c >= G->ncols)
			continue;
		uint32_t *b = &f->best[(size_t)(G->pos_of[e->proc] - G->first) * (size_t)G->ncols +
				       (size_t)c];
		if (*b == TRACE_NONE || timeline_prio(f, id, e) > timeline_prio(f, *b, trace_at(f->t, *b)))
			*b = id;
	}
}

static void timeline_draw_marks(timeline_frame *f)
{
	timeline_geo *G = &f->G;
	if (!f->best)
		return;
	for (int k = 0; k < G->nvis; k++)
		for (int c = 0; c < G->ncols; c++) {
			uint32_t id = f->best[(size_t)k * (size_t)G->ncols + (size_t)c];
			if (id == TRACE_NONE)
				continue;
			const st_event *e = trace_at(f->t, id);
			int attr, role = timeline_ev_role(f, id, &attr);
			timeline_put(f, G->x0 + c, G->lane_y[G->pos[G->first + k]], timeline_mark_glyph(f, e),
				     role, attr, O_MARK);
		}
}

/* ---- entry points ------------------------------------------------------------------------- */

static void timeline_draw_frame(grid *g, grid_rect r, const view_model *m, timeline_stats *st)
{
	if (r.w <= 0 || r.h <= 0)
		return;
	timeline_frame F;
	memset(&F, 0, sizeof F);
	F.stats = st;
	F.g = g;
	F.m = m;
	F.t = m->trace;
	timeline_geo_compute(m, r, &F.G);
	timeline_geo *G = &F.G;
	char title[64];
	snprintf(title, sizeof title, "timeline");
	if (r.w >= 40 && G->logical) {
		snprintf(title, sizeof title, "timeline \u00b7 logical time");
	} else if (r.w >= 40) {
		int64_t upc = G->upc;
		if (upc >= 1000)
			snprintf(title, sizeof title, "timeline \u00b7 %lld ms/col%s", (long long)(upc / 1000),
				 upc % 1000 ? "+" : "");
		else
			snprintf(title, sizeof title, "timeline \u00b7 %lld \u00b5s/col", (long long)upc);
	}
	if (G->nhidden > 0 && r.w >= 40) {
		size_t n = strlen(title);
		snprintf(title + n, sizeof title - n, " \u00b7 %d hidden", G->nhidden);
	}
	if (timeline_geo_boxed(r)) {
		view_box(g, r, title, m->focus == PANE_TIMELINE);
		G->title_end = r.x + 3 + view_width(g, title);
	}
	const st_trace *t = m->trace;
	if (!t || G->nl == 0 || G->in.w < 4 || G->in.h < 1) {
		if (G->in.w > 0 && G->in.h > 0)
			view_text(g, G->in.x, G->in.y, "no run", G->in.w, R_DIM, 0);
		return;
	}
	if (!m->index) {
		view_text(g, G->in.x, G->in.y, "no index of the run", G->in.w, R_DIM, 0);
		return;
	}
	size_t occ_n = (size_t)G->in.w * (size_t)G->in.h;
	F.occ = grid_scratch(g, TL_S_OCC, occ_n);
	memset(F.occ, 0, occ_n);
	uint32_t count = trace_count(t);
	F.ncur = m->cursor == TRACE_NONE ? t->base : m->cursor + 1;
	if (F.ncur > count)
		F.ncur = count;
	if (F.ncur < t->base)
		F.ncur = t->base;
	F.anchor = timeline_anchor(t, m->selected);
	F.i0 = timeline_geo_first_at(t, G->t0);
	F.i1 = timeline_geo_first_at(t, timeline_geo_time(G, G->x0 + G->ncols));
	F.now_col = timeline_geo_col(G, m->now_us);
	int64_t last_t = count > t->base ? trace_at(t, count - 1)->t_us : 0;
	F.end_col = timeline_geo_col(G, last_t > m->now_us ? last_t : m->now_us);
	if (G->logical) {
		/* the window is a run of events; now is the cursor's column */
		F.i0 = G->lid[0];
		F.i1 = G->lend;
		F.now_col = F.ncur > t->base ? timeline_geo_ecol(G, trace_at(t, F.ncur - 1), F.ncur - 1)
					     : G->x0;
		int64_t last = count > t->base ? timeline_geo_ecol(G, trace_at(t, count - 1), count - 1)
					       : G->x0;
		F.end_col = last > F.now_col ? last : F.now_col;
	}

	trace_point at_i0, at_cur;
	trace_index_at(m->index, F.i0, &at_i0);
	trace_index_at(m->index, F.ncur, &at_cur);

	timeline_draw_ruler(&F);
	timeline_draw_partitions(&F, &at_i0);
	timeline_draw_now(&F);
	timeline_draw_lanes(&F, &at_i0);
	timeline_draw_gutter(&F, &at_cur);
	timeline_pick_marks(&F);
	timeline_msg_draw(&F);
	timeline_draw_marks(&F);
	timeline_label_draw(&F);
	timeline_label_legend(&F);
	timeline_label_classes(&F);
}

void timeline_draw(grid *g, grid_rect r, const view_model *m) { timeline_draw_frame(g, r, m, NULL); }

void timeline_draw_stats(grid *g, grid_rect r, const view_model *m, timeline_stats *out)
{
	memset(out, 0, sizeof *out);
	timeline_draw_frame(g, r, m, out);
}

int timeline_lane_at(const view_model *m, grid_rect r, int y)
{
	timeline_geo G;
	timeline_geo_compute(m, r, &G);
	for (int k = G.first; k < G.first + G.nvis; k++)
		if (G.lane_y[G.pos[k]] == y)
			return G.pos[k];
	return -1;
}

int timeline_col_of(const view_model *m, grid_rect r, int64_t t_us)
{
	timeline_geo G;
	timeline_geo_compute(m, r, &G);
	return (int)timeline_geo_col(&G, t_us);
}

int timeline_event_col(const view_model *m, grid_rect r, uint32_t id)
{
	if (!m->trace || !timeline_held(m->trace, id))
		return -1;
	timeline_geo G;
	timeline_geo_compute(m, r, &G);
	return (int)timeline_geo_ecol(&G, trace_at(m->trace, id), id);
}

uint32_t timeline_event_at(const view_model *m, grid_rect r, int x, int y)
{
	const st_trace *t = m->trace;
	if (!t || trace_count(t) == t->base)
		return TRACE_NONE;
	timeline_geo G;
	timeline_geo_compute(m, r, &G);
	if (x < G.x0 || x >= G.in.x + G.in.w || y < G.in.y || y >= G.in.y + G.in.h)
		return TRACE_NONE;
	/* the lane: this row or the one next to it */
	int lane = -1, bestd = 2;
	for (int k = G.first; k < G.first + G.nvis; k++) {
		int p = G.pos[k];
		int d = G.lane_y[p] - y;
		d = d < 0 ? -d : d;
		if (d < bestd)
			bestd = d, lane = p;
	}
	uint32_t lo = timeline_geo_first_at(t, timeline_geo_time(&G, x - TL_PICK));
	uint32_t hi = timeline_geo_first_at(t, timeline_geo_time(&G, x + TL_PICK + 1));
	timeline_frame F;
	memset(&F, 0, sizeof F);
	F.m = m;
	F.t = t;
	F.G = G;
	uint32_t best = TRACE_NONE;
	int bd = TL_PICK + 1, bp = -1;
	for (uint32_t id = lo; id < hi; id++) {
		const st_event *e = trace_at(t, id);
		int d, prio;
		if (timeline_ev_hidden(m, id))
			continue;       /* not drawn (a hidden class or lane, outside the cone) */
		if (trace_kinds[e->kind].proc_event) {
			if (e->proc != lane || bestd > 1)
				continue;
			d = (int)(timeline_geo_ecol(&G, e, id) - x);
			prio = timeline_prio(&F, id, e);
		} else if (e->kind == KIND_DROP) {
			/* a lost message's ✖ sits between the lanes */
			const st_msgrec *mr = timeline_msgrec(t, e->ref);
			if (!mr || mr->from >= G.nl || mr->to >= G.nl)
				continue;
			int8_t group[ST_MAX_PROCS];
			trace_point s;
			if (!m->index)
				continue;
			trace_index_at(m->index, id, &s);
			if (e->aux == DROP_PARTITION && s.part_ev != TRACE_NONE)
				timeline_groups(t, s.part_ev, group);
			if (timeline_geo_drop_row(&G, mr->from, mr->to,
					e->aux == DROP_PARTITION && s.part_ev != TRACE_NONE ? group
											 : NULL) != y)
				continue;
			d = (int)(timeline_geo_ecol(&G, e, id) - x);
			prio = 1;
		} else {
			/* partitions, heals and inputs live on the ruler */
			if (y != G.num_y && y != G.tick_y)
				continue;
			d = (int)(timeline_geo_ecol(&G, e, id) - x);
			prio = 0;
		}
		d = d < 0 ? -d : d;
		if (d < bd || (d == bd && prio > bp))
			bd = d, bp = prio, best = id;
	}
	return best;
}

