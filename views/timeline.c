/* timeline.c: the space-time diagram, the picture the whole program exists to draw.
 *
 * One lane (row) per process, nodes first then clients, virtual time left to right; every
 * event a mark whose glyph says its kind, every message a line from its send to its receive
 * (or to the ✖ where the network lost it), Lamport clocks above the marks, vector clocks on
 * demand, partitions as shaded walls between the lanes they separate, crashed periods as
 * dashed lanes. Selecting an event dims everything concurrent with it (ShiViz's trick): what
 * stays bright is exactly its causal past and future.
 *
 * Why it is built this way:
 * - A frame costs O(what is visible), never O(trace): events are sorted by time, so the window
 *   is two binary searches. What is true at the window's left edge (who is crashed or paused,
 *   which partition holds, which messages are in the air, each process's last state) is the
 *   run index's answer (core/trace_index.h); the frame folds the window's events into a copy
 *   of it with the index's own rule. The frame keeps nothing afterwards: its scratch is
 *   allocated per frame and freed.
 * - Layers, back to front: ruler and walls, lanes, message lines, arrowheads and drops, marks,
 *   then text. An occupancy map per frame lets text go only where it covers no mark.
 * - The future (events after the cursor, when the user has stepped back) is drawn, dimmed
 *   (R_FUTURE), with the same glyphs: the shape of what is coming stays recognisable, and the
 *   ▼ on the ruler says where "now" is. Messages in flight at the cursor are R_MSG_HOT up to
 *   where they are now and dimmed beyond, so they visibly travel while playing.
 * - Everything is a function of (model, rectangle), so hit-testing recomputes the same
 *   geometry the drawing used. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hash.h"
#include "base/mem.h"
#include "view.h"

#define TL_GAP_MAX 6        /* rows between lanes on tall panes; more only flattens lines */
#define TL_PICK 3           /* hit-testing looks this many columns either side */
#define TL_MAX_PERIODS 64   /* partitions remembered per frame (beyond: drops end halfway) */
#define TL_MAP_ROWS 256     /* panes taller than this look lanes up the slow way */
#define TL_Z 6              /* layers of message lines, 0 (concurrent) to 5 (selected) */

/* The grid's scratch buffers a frame uses (grid_scratch). */
enum { TL_S_OCC, TL_S_BEST, TL_S_SEG, TL_S_SET, TL_S_FLY, TL_S_ORDER, TL_S_TEXT };

/* ---- tables --------------------------------------------------------------------------------- */

/* Glyphs: a grid glyph where the grid has one (so --ascii is handled there), else our own
 * code point with its ASCII form. */
enum {
	TG_START, TG_SEND, TG_RECV, TG_TIMER, TG_LOCAL, TG_MILESTONE, TG_CRASH, TG_RESTART,
	TG_INVOKE, TG_COMPLETE, TG_DROP, TG_LANE, TG_CRASHED, TG_PAUSED, TG_OPEN_OP, TG_DIAG_DOWN,
	TG_DIAG_UP, TG_VLINE, TG_HLINE, TG_CROSS, TG_ARROW_DOWN, TG_ARROW_UP, TG_BAND, TG_NOW,
	TG_TICK, TG_SEP, TG__COUNT
};
static const struct { int grid; uint32_t uni; char ascii; } tl_glyphs[TG__COUNT] = {
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
};

static uint32_t tl_ch(const grid *g, int gl)
{
	if (tl_glyphs[gl].grid >= 0)
		return grid_glyph_ch(g, (grid_glyph)tl_glyphs[gl].grid);
	return g->ascii ? (uint32_t)(unsigned char)tl_glyphs[gl].ascii : tl_glyphs[gl].uni;
}

/* What a process event looks like, which mark a crowded cell shows (higher wins: milestones,
 * then crashes and restarts, then messages, then timers), and whose label gets the room. */
#define TL_PRIO_MILESTONE 100
#define TL_LPRIO_MILESTONE 6
#define TL_LPRIO_SELECTED 9
static const struct { int glyph; uint8_t role, prio, label_prio; } tl_kinds[KIND__COUNT] = {
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
/* A client's answer by its type (ok, fail, info). */
static const uint8_t tl_complete_roles[3] = {R_GOOD, R_WARN, R_WARN};
/* Labels for marks the protocol does not label. */
static const char *const tl_default_labels[KIND__COUNT] = {
	[KIND_CRASH] = "crash", [KIND_RESTART] = "restart",
};

/* Lane states and how a lane looks in each: the index's statuses, and a client's open op. */
enum { TLS_NONE = TI_ABSENT, TLS_UP = TI_UP, TLS_CRASHED = TI_CRASHED, TLS_PAUSED = TI_PAUSED,
       TLS_OP, TLS__COUNT };
static const struct { int glyph; uint8_t role; } tl_lane_looks[TLS__COUNT] = {
	[TLS_NONE] = {-1, R_NORMAL}, [TLS_UP] = {TG_LANE, R_DIM},
	[TLS_CRASHED] = {TG_CRASHED, R_CRASH}, [TLS_PAUSED] = {TG_PAUSED, R_PAUSE},
	[TLS_OP] = {TG_OPEN_OP, R_CLIENT},
};

/* A process's role as its protocol names it (st_protocol.role_key and role_styles), in the
 * colour of its style and abbreviated to its first letter on a narrow lane label. */
typedef struct { const char *name; char letter; uint8_t role; } tl_role;
static const uint8_t tl_style_roles[] = {
	[ST_STYLE_STRONG] = R_ROLE_STRONG, [ST_STYLE_ACTIVE] = R_ROLE_ACTIVE,
	[ST_STYLE_QUIET] = R_ROLE_QUIET,
};

/* The ruler's tick steps: 1-2-5 per decade, in microseconds. */
static const int64_t tl_steps[] = {
	1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000,
	500000, 1000000, 2000000, 5000000, 10000000, 20000000, 50000000, 100000000, 200000000,
	500000000, 1000000000, 2000000000, 5000000000, 10000000000, 60000000000, 600000000000,
	3600000000000,
};

/* Occupancy of a cell, so text never covers a mark and lines know what they cross. */
enum { O_MARK = 1, O_END = 2, O_LINE = 4, O_TEXT = 8, O_LANE = 16, O_BAND = 32 };

/* ---- trace helpers ------------------------------------------------------------------------ */

static bool tl_held(const st_trace *t, uint32_t id)
{
	return id != TRACE_NONE && id >= t->base && id < trace_count(t);
}

static const st_msgrec *tl_msg(const st_trace *t, uint32_t msg)
{
	return msg >= t->msg_base && msg - t->msg_base < t->nmsg ? trace_msg(t, msg) : NULL;
}

/* A string value of a key/value list, or NULL. */
static const char *tl_kv_str(const st_trace *t, uint32_t list, const char *key)
{
	if (list == TRACE_NONE || list >= t->nkv)
		return NULL;
	const st_kvrec *r = trace_kv_items(t, list);
	for (uint32_t i = 0; i < trace_kv_count(t, list); i++)
		if (r[i].type == ST_V_STR && strcmp(trace_str(t, r[i].key), key) == 0)
			return trace_str(t, (uint32_t)r[i].v);
	return NULL;
}

static int tl_kv_proc(const st_trace *t, uint32_t list, const char *key, int nprocs)
{
	int64_t v;
	if (list == TRACE_NONE || !trace_kv_int(t, list, key, &v) || v < 0 || v >= nprocs)
		return -1;
	return (int)v;
}

/* The role a state record reports; false when the protocol names none or it is unknown. */
static bool tl_role_of_state(const st_trace *t, uint32_t state, tl_role *out)
{
	const st_protocol *pr = t->proto;
	if (!pr || !pr->role_key || !pr->role_styles)
		return false;
	const char *r = tl_kv_str(t, state, pr->role_key);
	for (const st_role_style *rs = pr->role_styles; r && rs->value; rs++)
		if (strcmp(r, rs->value) == 0 && rs->style >= ST_STYLE_STRONG &&
		    rs->style <= ST_STYLE_QUIET) {
			out->name = rs->value;
			out->letter = (char)toupper((unsigned char)rs->value[0]);
			out->role = tl_style_roles[rs->style];
			return true;
		}
	return false;
}

/* The state record of an event (TRACE_NONE when it has none or is not held). */
static uint32_t tl_state_of(const st_trace *t, uint32_t id)
{
	return tl_held(t, id) ? trace_at(t, id)->state : TRACE_NONE;
}

/* First held event with t_us >= t (binary search: events never go back in time). */
static uint32_t tl_lower(const st_trace *t, int64_t t_us)
{
	uint32_t lo = t->base, hi = trace_count(t);
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (trace_at(t, mid)->t_us < t_us)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* ---- a message line ------------------------------------------------------------------- */

typedef struct {
	int64_t xs, xe;                   /* columns of the two ends */
	int ys, yend, dir;                /* sender's lane row, last row of the line, +1 down */
	int64_t split;                    /* columns after this take role_late */
	uint8_t role, role_late, end_role;
	uint8_t z;                        /* drawing order: higher is on top */
	bool late_hidden;                 /* the part after split is not known: not drawn */
	bool head;                        /* in flight: an arrowhead where it is now */
	int end;                          /* TG_ARROW_* or TG_DROP at the last cell, -1 none */
} tl_seg;

/* ---- geometry ----------------------------------------------------------------------------- */

typedef struct {
	grid_rect in;               /* inside the box */
	int x0, ncols;              /* first column of time (absolute) and how many */
	int style;                  /* lane names: 0 "n1 L", 1 "n1 leader", 2 "n1 leader t3" */
	int gut_w;
	int num_y, tick_y;          /* ruler rows (tick_y == num_y for a one-row ruler) */
	bool ruler_in_border;
	int title_end;              /* first column after the box's title (ruler in the border) */
	int nl, first, nvis;        /* lanes, the first shown, how many are shown */
	int lane_y[ST_MAX_PROCS];   /* absolute rows; lanes not shown lie outside the pane */
	int gap;                    /* smallest gap between shown lanes */
	int legend_y;               /* -1: no legend */
	int64_t t0, upc;
	uint8_t lane_rows[TL_MAP_ROWS]; /* 1 where a shown lane runs (rows from in.y) */
} tl_geo;

static bool tl_box(grid_rect r) { return r.w >= 24 && r.h >= 5; }

static void tl_geometry(const view_model *m, grid_rect r, tl_geo *G)
{
	memset(G, 0, sizeof *G);
	G->in = tl_box(r) ? (grid_rect){r.x + 1, r.y + 1, r.w - 2, r.h - 2} : r;
	grid_rect in = G->in;
	const st_trace *t = m->trace;
	G->nl = t ? t->nprocs : 0;
	if (G->nl > ST_MAX_PROCS)
		G->nl = ST_MAX_PROCS;
	int namew = 2;
	for (int p = 0; p < G->nl; p++) {
		int n = (int)strlen(t->proc_names[p]);
		namew = n > namew ? n : namew;
	}
	G->style = in.w >= 130 ? 2 : in.w >= 96 ? 1 : 0;
	static const int style_w[3] = {2, 10, 15};
	G->gut_w = namew + style_w[G->style] + 1;
	if (G->gut_w > in.w / 3)
		G->gut_w = in.w / 3;
	G->x0 = in.x + G->gut_w;
	G->ncols = in.w - G->gut_w;
	if (G->ncols < 1)
		G->ncols = 1;

	/* Rows: a ruler (two rows when there is room, one, or the box's top edge), then the
	 * lanes with as many rows between them as fit, up to TL_GAP_MAX; then a legend. */
	int nl = G->nl > 0 ? G->nl : 1, h = in.h;
	int ruler = h >= 2 + nl + 2 * (nl - 1) + 1 ? 2 : h >= 1 + nl + (nl - 1) ? 1 : 0;
	G->ruler_in_border = ruler == 0 && tl_box(r);
	G->num_y = ruler ? in.y : G->ruler_in_border ? r.y : -1;   /* -1: no ruler at all */
	G->tick_y = ruler == 2 ? in.y + 1 : G->num_y;
	int top = in.y + ruler;
	int rest = h - ruler;
	G->legend_y = -1;
	if (rest >= nl + 3 * (nl - 1) + 3) {
		G->legend_y = in.y + h - 1;
		rest -= 2;
	}
	int extra = rest - nl;
	int gaps[ST_MAX_PROCS] = {0};
	G->first = 0;
	G->nvis = G->nl;
	if (extra < 0) {
		/* more lanes than rows: show a slice of adjacent lanes around the selected one */
		G->nvis = rest > 0 ? rest : 0;
		int sel = m->sel_proc >= 0 && m->sel_proc < G->nl ? m->sel_proc : 0;
		G->first = sel - G->nvis / 2;
		if (G->first > G->nl - G->nvis)
			G->first = G->nl - G->nvis;
		if (G->first < 0)
			G->first = 0;
	} else if (nl > 1) {
		int pad = extra >= nl + 1 ? 1 : 0;   /* a row above the first lane for its clocks */
		int g = (extra - pad) / (nl - 1);
		if (g > TL_GAP_MAX)
			g = TL_GAP_MAX;
		for (int k = 0; k < nl - 1; k++)
			gaps[k] = g;
		if (g == 0)     /* some lanes touch: spread the rows there are evenly */
			for (int k = 0; k < nl - 1; k++)
				gaps[k] = (k + 1) * extra / (nl - 1) - k * extra / (nl - 1);
		top += pad;
	}
	G->gap = TL_GAP_MAX;
	int y = top - (G->first > 0 ? G->first : 0);
	for (int k = 0; k < G->nl; k++) {
		G->lane_y[k] = y;
		y += 1 + (k < nl - 1 ? gaps[k] : 0);
		if (k + 1 < G->nl && gaps[k] < G->gap)
			G->gap = gaps[k];
	}
	if (G->nl < 2)
		G->gap = 0;
	for (int p = G->first; p < G->first + G->nvis; p++)
		if (G->lane_y[p] >= in.y && G->lane_y[p] - in.y < TL_MAP_ROWS)
			G->lane_rows[G->lane_y[p] - in.y] = 1;

	G->upc = m->us_per_col > 0 ? m->us_per_col : 10000;
	G->t0 = m->t0_us;
	int64_t span = (int64_t)G->ncols * G->upc;
	if (m->follow && (m->now_us < G->t0 || m->now_us >= G->t0 + span)) {
		/* the app keeps the present in view; this only guards a model that did not */
		int64_t t0 = m->now_us - span * 3 / 4;
		G->t0 = t0 > 0 ? t0 / G->upc * G->upc : 0;
	}
}

static bool tl_lane_shown(const tl_geo *G, int p)
{
	return p >= G->first && p < G->first + G->nvis;
}

static bool tl_lane_row(const tl_geo *G, int y)
{
	if (y < G->in.y || y >= G->in.y + G->in.h)
		return false;   /* shown lanes are inside the pane */
	if (G->in.h <= TL_MAP_ROWS)
		return G->lane_rows[y - G->in.y];
	for (int p = G->first; p < G->first + G->nvis; p++)
		if (G->lane_y[p] == y)
			return true;
	return false;
}

/* Column of time t, absolute, clamped far outside so arithmetic on it cannot overflow. */
static int64_t tl_col64(const tl_geo *G, int64_t t)
{
	int64_t d = t - G->t0;
	int64_t c = d >= 0 ? d / G->upc : -((-d + G->upc - 1) / G->upc);
	if (c > 1000000000)
		c = 1000000000;
	if (c < -1000000000)
		c = -1000000000;
	return G->x0 + c;
}

static int64_t tl_time_of(const tl_geo *G, int64_t col)
{
	return G->t0 + (col - G->x0) * G->upc;
}

static bool tl_in(const tl_geo *G, int64_t x, int y)
{
	return x >= G->x0 && x < G->in.x + G->in.w && y >= G->in.y && y < G->in.y + G->in.h;
}

/* The row of the wall between two neighbouring lanes (the same whichever way it is asked). */
static int tl_wall_row(int ya, int yb)
{
	return ya < yb ? ya + (yb - ya) / 2 : yb + (ya - yb) / 2;
}

/* The row where a lost message ends: on the wall it hit when a partition dropped it (group:
 * the groups then in force), else halfway to its receiver; never on a lane. */
static int tl_drop_row(const tl_geo *G, int from, int to, const int8_t *group)
{
	int ys = G->lane_y[from], yb = G->lane_y[to], dir = yb > ys ? 1 : -1;
	int step = to > from ? 1 : -1;
	for (int k = from; group && group[from] >= 0 && k != to; k += step) {
		int ga = group[k], gb = group[k + step];
		int y0 = G->lane_y[k], y1 = G->lane_y[k + step];
		if (ga >= 0 && gb >= 0 && ga != gb && (y1 - y0) * dir >= 2)
			return tl_wall_row(y0, y1);
	}
	/* the free row nearest halfway; with none (lanes touch), the receiver's own row */
	int d = (yb - ys) * dir, best = yb, bestd = d + 1;
	for (int k = 1; k < d; k++) {
		int y = ys + dir * k, off = 2 * k - d < 0 ? d - 2 * k : 2 * k - d;
		if (!tl_lane_row(G, y) && off < bestd)
			best = y, bestd = off;
	}
	return best;
}

/* ---- the frame ---------------------------------------------------------------------------- */

typedef struct {
	grid *g;
	const view_model *m;
	const st_trace *t;
	tl_geo G;
	uint32_t i0, i1;            /* events in the window */
	uint32_t anchor;            /* the selection's process event for causality, or NONE */
	int64_t now_col, end_col;   /* now; where the lanes end (the last event or now) */
	uint32_t ncur;              /* events that have happened: cursor + 1 */
	uint8_t *occ;
	/* scratch of this frame, in the grid's scratch buffers */
	uint32_t *best;                     /* the event each mark cell shows */
	tl_seg *seg; size_t nseg, seg_cap;  /* message lines queued */
	uint32_t *hs; size_t hs_cap;        /* a set of queued lines (index + 1, 0 empty) */
	sim_flight *fly; size_t nfly;       /* the world's messages in the air */
	/* partitions met in the window, so a message a partition dropped ends on its wall */
	struct { int64_t t_a, t_b; uint32_t part; } per[TL_MAX_PERIODS];
	int nper;
} tl_frame;

static uint8_t *tl_occ(tl_frame *f, int64_t x, int y)
{
	const grid_rect *in = &f->G.in;
	if (x < in->x || y < in->y || x >= in->x + in->w || y >= in->y + in->h || !f->occ)
		return NULL;
	return &f->occ[(size_t)(y - in->y) * (size_t)in->w + (size_t)(x - in->x)];
}

static void tl_put(tl_frame *f, int64_t x, int y, int gl, int role, int attr, uint8_t occ)
{
	if (!tl_in(&f->G, x, y))
		return;
	grid_put(f->g, (int)x, y, tl_ch(f->g, gl), role, attr);
	uint8_t *o = tl_occ(f, x, y);
	if (o)
		*o = (uint8_t)((*o & O_LANE) | occ);
}

static bool tl_future(const tl_frame *f, uint32_t id) { return id >= f->ncur; }

/* Causal relation to the selection: -1 in its past, 1 in its future (or the selection
 * itself), 0 concurrent, 2 no selection or not a process event. */
static int tl_rel(const tl_frame *f, uint32_t id)
{
	if (f->anchor == TRACE_NONE || !tl_held(f->t, id))
		return 2;
	if (id == f->anchor)
		return 1;
	if (!trace_kinds[trace_at(f->t, id)->kind].proc_event)
		return 2;
	return -trace_order(f->t, id, f->anchor);
}

static int tl_ev_base_role(const tl_frame *f, const st_event *e)
{
	if (e->flags & EVF_MILESTONE) {
		tl_role r;
		return tl_role_of_state(f->t, e->state, &r) ? r.role : R_CHANGED;
	}
	if (e->kind == KIND_COMPLETE)
		return tl_complete_roles[e->aux % 3];
	if (e->kind == KIND_START)
		return view_proc_role(f->t, e->proc);
	return tl_kinds[e->kind].role;
}

/* The role a mark or its label is drawn in: selection first, then the causal picture, then
 * the future, then what the event is. */
static int tl_ev_role(const tl_frame *f, uint32_t id, int *attr)
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
	int rel = tl_rel(f, id);
	if (rel == 0)
		return R_CONCURRENT;
	if (tl_future(f, id))
		return R_FUTURE;
	if (e->flags & EVF_MILESTONE)
		*attr = A_BOLD_;
	if (rel == -1)
		return R_PAST;
	return tl_ev_base_role(f, e);
}

static int tl_prio(const tl_frame *f, uint32_t id, const st_event *e)
{
	if (id == f->m->selected)
		return 255;
	if (id == f->m->marked)
		return 254;
	return (e->flags & EVF_MILESTONE) ? TL_PRIO_MILESTONE : tl_kinds[e->kind].prio;
}

/* ---- ruler -------------------------------------------------------------------------------- */

/* "1250" ms or "1.25" s: the value of t in the unit, with the decimals the step needs. */
static void tl_fmt_time(char *buf, size_t n, int64_t t, int64_t unit, int dec)
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

static void tl_ruler_step(const tl_geo *G, int64_t *step, int64_t *unit, int *dec)
{
	size_t n = sizeof tl_steps / sizeof tl_steps[0], i = 0;
	for (; i < n; i++) {
		int64_t s = tl_steps[i];
		*step = s;
		*unit = s >= 1000000 ? 1000000 : 1000;
		*dec = 0;
		for (int64_t u = *unit; s % u != 0 && *dec < 3; u /= 10)
			(*dec)++;
		char buf[32];
		tl_fmt_time(buf, sizeof buf, tl_time_of(G, G->x0 + G->ncols), *unit, *dec);
		int need = (int)strlen(buf) + 3;
		if (need < 8)
			need = 8;
		if (s / G->upc >= need)
			return;
	}
}

static void tl_draw_ruler(tl_frame *f)
{
	grid *g = f->g;
	tl_geo *G = &f->G;
	int64_t step, unit;
	int dec;
	if (G->num_y < 0)
		return;
	tl_ruler_step(G, &step, &unit, &dec);
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
		int64_t x = tl_col64(G, tt);
		if (x >= xend)
			break;
		if (x < G->x0)
			continue;
		if (two)
			grid_put(g, (int)x, G->tick_y, tl_ch(g, TG_TICK), R_DIM, 0);
		char buf[40];
		tl_fmt_time(buf, sizeof buf, tt, unit, dec);
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
static void tl_draw_now(tl_frame *f)
{
	tl_geo *G = &f->G;
	int from = G->ruler_in_border ? G->title_end + 1 : G->x0;   /* never over the title */
	if (G->tick_y >= 0 && f->now_col >= from && f->now_col < G->in.x + G->in.w)
		grid_put(f->g, (int)f->now_col, G->tick_y, tl_ch(f->g, TG_NOW), R_FOCUS, A_BOLD_);
}

/* ---- partitions and cuts ------------------------------------------------------------------ */

/* group[p] of a partition event, -1 for processes in no group. */
static void tl_groups(const st_trace *t, uint32_t id, int8_t *group)
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
static void tl_groups_text(const st_trace *t, const int8_t *group, char *out, size_t n)
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
static void tl_draw_period(tl_frame *f, int64_t a, int64_t b, uint32_t part, uint32_t cut_ev,
			   const uint32_t *cut)
{
	grid *g = f->g;
	tl_geo *G = &f->G;
	int64_t xa = a < G->x0 ? G->x0 : a, xb = b >= G->in.x + G->in.w ? G->in.x + G->in.w - 1 : b;
	if (xa > xb)
		return;
	int8_t group[ST_MAX_PROCS];
	char text[160];
	text[0] = 0;
	if (part != TRACE_NONE) {
		tl_groups(f->t, part, group);
		char gs[128];
		tl_groups_text(f->t, group, gs, sizeof gs);
		snprintf(text, sizeof text, " partition %s ", gs);
		/* walls between neighbouring lanes on different sides */
		for (int k = G->first; k + 1 < G->first + G->nvis; k++) {
			int ga = group[k], gb = group[k + 1];
			int y0 = G->lane_y[k], y1 = G->lane_y[k + 1];
			if (ga < 0 || gb < 0 || ga == gb || y1 - y0 < 2)
				continue;
			int yw = tl_wall_row(y0, y1);
			for (int64_t x = xa; x <= xb; x++)
				tl_put(f, x, yw, TG_BAND, R_PARTITION, 0, O_BAND);
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
		if (c->ch != tl_ch(g, TG_NOW))
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

static void tl_add_period(tl_frame *f, int64_t t_a, int64_t t_b, uint32_t part)
{
	if (part == TRACE_NONE || f->nper >= TL_MAX_PERIODS)
		return;
	f->per[f->nper].t_a = t_a;
	f->per[f->nper].t_b = t_b;
	f->per[f->nper++].part = part;
}

static void tl_draw_partitions(tl_frame *f, const trace_point *at_i0)
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
		int64_t x = tl_col64(&f->G, e->t_us);
		if (part != TRACE_NONE || cut_ev != TRACE_NONE)
			tl_draw_period(f, start, x - 1, part, cut_ev, cut);
		tl_add_period(f, start_t, e->t_us, part);
		part = s.part_ev;
		cut_ev = s.cut_ev;
		memcpy(cut, s.cut, sizeof cut);
		start = x;
		start_t = e->t_us;
	}
	if (part != TRACE_NONE || cut_ev != TRACE_NONE)
		tl_draw_period(f, start, f->end_col, part, cut_ev, cut);
	tl_add_period(f, start_t, INT64_MAX, part);
}

/* ---- lanes -------------------------------------------------------------------------------- */

static void tl_lane_fill(tl_frame *f, int p, int64_t a, int64_t b, int st)
{
	if (st == TLS_NONE)
		return;
	tl_geo *G = &f->G;
	if (a < G->x0)
		a = G->x0;
	if (b > f->end_col)
		b = f->end_col;
	int y = G->lane_y[p];
	for (int64_t x = a; x <= b; x++) {
		int role = tl_lane_looks[st].role;
		if (x > f->now_col)
			role = R_FUTURE;
		else if (p == f->m->sel_proc && st == TLS_UP)
			role = R_FOCUS;
		uint8_t *o = tl_occ(f, x, y);
		if (o && (*o & O_BAND))
			continue;
		tl_put(f, x, y, tl_lane_looks[st].glyph, role, 0, O_LANE);
		if (o)
			*o = O_LANE;
	}
}

static int tl_lane_state(const trace_point *s, int p)
{
	if (s->status[p] == TLS_UP && s->op_ev[p] != TRACE_NONE)
		return TLS_OP;
	return s->status[p];
}

static void tl_draw_lanes(tl_frame *f, const trace_point *at_i0)
{
	const st_trace *t = f->t;
	tl_geo *G = &f->G;
	int64_t start[ST_MAX_PROCS];
	int st[ST_MAX_PROCS];
	for (int p = 0; p < G->nl; p++) {
		start[p] = G->x0;
		st[p] = tl_lane_state(at_i0, p);
	}
	trace_point s = *at_i0;
	for (uint32_t id = f->i0; id < f->i1; id++) {
		const st_event *e = trace_at(t, id);
		int p = e->proc;
		if (e->kind == KIND_INPUT) {
			trace_index_apply(f->m->index, &s, id);
			p = tl_kv_proc(t, e->body, "proc", t->nprocs);
			if (p < 0)
				continue;
		} else if (p < G->nl && e->kind != KIND_SEND && e->kind != KIND_RECV &&
			   e->kind != KIND_TIMER && e->kind != KIND_LOCAL) {
			trace_index_apply(f->m->index, &s, id);
		} else {
			continue;
		}
		int ns = tl_lane_state(&s, p);
		if (ns == st[p])
			continue;
		int64_t x = tl_col64(G, e->t_us);
		if (tl_lane_shown(G, p))
			tl_lane_fill(f, p, start[p], x - 1, st[p]);
		start[p] = x;
		st[p] = ns;
	}
	for (int p = G->first; p < G->first + G->nvis; p++)
		tl_lane_fill(f, p, start[p], G->in.x + G->in.w - 1, st[p]);
}

/* ---- gutter ------------------------------------------------------------------------------- */

static void tl_draw_gutter(tl_frame *f, const trace_point *at_cursor)
{
	grid *g = f->g;
	tl_geo *G = &f->G;
	const st_trace *t = f->t;
	int sep = G->x0 - 1;
	for (int y = G->in.y; y < G->in.y + G->in.h; y++)
		if (y != G->legend_y)
			grid_put(g, sep, y, tl_ch(g, TG_SEP), R_BORDER, 0);
	for (int p = G->first; p < G->first + G->nvis; p++) {
		int y = G->lane_y[p];
		if (y < G->in.y || y >= G->in.y + G->in.h)
			continue;
		bool client = p >= t->nnodes;
		uint32_t state = tl_state_of(t, at_cursor->state_ev[p]);
		tl_role ro;
		bool known = tl_role_of_state(t, state, &ro);
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

/* ---- messages ----------------------------------------------------------------------------- */

static void tl_seg_cell(tl_frame *f, const tl_seg *s, int64_t x, int y, int gl)
{
	bool late = x > s->split;
	if (late && s->late_hidden)
		return;
	uint8_t *o = tl_occ(f, x, y);
	if (o && (*o & (O_MARK | O_END)))
		return;
	/* crossing a lane: the line passes behind it, showing only where it goes through */
	if (gl == TG_HLINE && o && (*o & O_LANE))
		return;
	if (gl == TG_VLINE && o && (*o & O_LANE))
		gl = TG_CROSS;
	tl_put(f, x, y, gl, late ? s->role_late : s->role, 0, O_LINE);
}

#define TL_MAX_SPAN 512      /* rows a line may cross (lanes far off screen are clipped) */

/* The cells of a message line, row by row: rows after the sender's lane up to s->yend share
 * the columns from xs to xe as a staircase, so slope is latency. A lane on the way is crossed
 * in one cell (a flat run there would read as the lane itself); the columns go to the rows
 * between lanes. Row k spans [a[k], b[k]]. Returns the number of rows. */
static int tl_seg_spans(const tl_frame *f, const tl_seg *s, int64_t *a, int64_t *b, int *y)
{
	int n = (s->yend - s->ys) * s->dir;
	if (n > TL_MAX_SPAN)
		n = TL_MAX_SPAN;
	bool lane[TL_MAX_SPAN + 1];
	int nlane = 0;
	for (int k = 1; k <= n; k++) {
		y[k] = s->ys + s->dir * k;
		lane[k] = tl_lane_row(&f->G, y[k]);
		nlane += lane[k];
	}
	if (nlane == n)     /* lanes that touch: nothing between them to spread over */
		for (int k = 1; k <= n; k++)
			lane[k] = false, nlane = 0;
	int64_t dx = s->xe - s->xs;
	int rows = n - nlane;
	int64_t cross = dx >= n ? 1 : 0;     /* a flat line steps one column at each lane */
	int64_t share = dx - cross * nlane;
	int64_t prev = s->xs, used = 0;
	for (int k = 1, j = 0; k <= n; k++) {
		if (lane[k]) {
			used += cross;
			a[k] = b[k] = prev + cross;
		} else {
			j++;
			b[k] = s->xs + used + (share * j + rows / 2) / rows;
			a[k] = b[k] > prev ? prev + 1 : b[k];
		}
		prev = b[k];
	}
	return n;
}

static void tl_seg_body(tl_frame *f, const tl_seg *s)
{
	tl_geo *G = &f->G;
	int64_t xmin = G->x0, xmax = G->in.x + G->in.w - 1;
	if (s->xe < xmin || s->xs > xmax)
		return;
	int64_t a[TL_MAX_SPAN + 1], b[TL_MAX_SPAN + 1];
	int y[TL_MAX_SPAN + 1];
	int n = tl_seg_spans(f, s, a, b, y);
	int diag = s->dir > 0 ? TG_DIAG_DOWN : TG_DIAG_UP;
	int64_t prev = s->xs;
	for (int k = 1; k <= n; prev = b[k], k++) {
		if (y[k] < G->in.y || y[k] >= G->in.y + G->in.h || b[k] < xmin || a[k] > xmax)
			continue;
		int64_t lo = a[k] < xmin ? xmin : a[k], hi = b[k] > xmax ? xmax : b[k];
		for (int64_t x = lo; x <= hi; x++) {
			/* a step to the right leans; along a row it runs; straight down it falls */
			int gl = x != a[k] ? TG_HLINE : a[k] == prev ? TG_VLINE : diag;
			tl_seg_cell(f, s, x, y[k], gl);
		}
	}
}

/* Where a line is at column x (its row), for the in-flight head. */
static int tl_seg_row_at(const tl_frame *f, const tl_seg *s, int64_t x)
{
	int64_t a[TL_MAX_SPAN + 1], b[TL_MAX_SPAN + 1];
	int y[TL_MAX_SPAN + 1];
	int n = tl_seg_spans(f, s, a, b, y);
	for (int k = 1; k <= n; k++)
		if (b[k] >= x && !tl_lane_row(&f->G, y[k]))
			return y[k];
	return s->yend;
}

static void tl_seg_ends(tl_frame *f, const tl_seg *s)
{
	int n = (s->yend - s->ys) * s->dir;
	bool late = s->xe > s->split;
	bool on_lane = tl_lane_row(&f->G, s->yend) && s->end != TG_DROP;
	if (s->end >= 0 && !(late && s->late_hidden) && n > 0 && !on_lane)
		tl_put(f, s->xe, s->yend, s->end, late ? s->role_late : s->end_role, 0, O_END);
	else if (s->end == TG_DROP && n == 0 && !(late && s->late_hidden))
		tl_put(f, s->xe, s->yend, TG_DROP, late ? s->role_late : s->end_role, 0, O_END);
	if (s->head && n > 0) {
		int64_t x = s->split < s->xe ? s->split : s->xe;
		if (x < s->xs)
			x = s->xs;
		int y = tl_seg_row_at(f, s, x);
		tl_put(f, x, y, s->dir > 0 ? TG_ARROW_DOWN : TG_ARROW_UP, R_MSG_HOT, A_BOLD_, O_END);
	}
}

/* When a message still in the air at the cursor will arrive: its end event if the trace has
 * it (the cursor is in the past), else the world's delivery time, else a guess. */
static int64_t tl_arrival(const tl_frame *f, uint32_t msg, int64_t send_us, size_t nfly)
{
	for (size_t i = 0; i < nfly; i++)
		if (f->fly[i].msg == msg)
			return f->fly[i].deliver_us;
	int64_t hi = f->m->sc ? f->m->sc->latency_hi_us : 0;
	int64_t guess = send_us + (hi > 0 ? hi : 10 * f->G.upc);
	return guess > f->m->now_us ? guess : f->m->now_us;
}

static uint64_t tl_seg_hash(const tl_seg *s)
{
	/* what tells strokes apart, packed into two words (equal keys are compared whole), and
	 * the hash's high half folded into the low bits that pick the slot */
	uint64_t where = ((uint64_t)s->xs & 0xffffffff) | (uint64_t)s->xe << 32;
	uint64_t looks = ((uint64_t)s->ys & 0xffff) | ((uint64_t)s->yend & 0xffff) << 16 |
			 (uint64_t)s->role << 32 | (uint64_t)s->z << 40 | ((uint64_t)s->split & 0xffff) << 48;
	uint64_t h = st_hash_u64(st_hash_u64(ST_HASH_INIT, where), looks);
	return h ^ h >> 32;
}

/* Put segment idx in the frame's set; false when an identical one is there already. */
static bool tl_hs_insert(tl_frame *f, uint32_t idx)
{
	size_t mask = f->hs_cap - 1;
	for (size_t i = tl_seg_hash(&f->seg[idx]) & mask;; i = (i + 1) & mask) {
		if (f->hs[i] == 0) {
			f->hs[i] = idx + 1;
			return true;
		}
		if (memcmp(&f->seg[f->hs[i] - 1], &f->seg[idx], sizeof *f->seg) == 0)
			return false;
	}
}

/* Queue a segment unless the very same stroke is queued already (zoomed out, thousands of
 * messages draw it). Segments are memset before they are filled, so equal looks compare
 * equal byte for byte. */
static void tl_queue_seg(tl_frame *f, const tl_seg *s)
{
	if (f->nseg + 1 > f->seg_cap) {
		f->seg_cap = 2 * (f->nseg + 1);
		f->seg = grid_scratch(f->g, TL_S_SEG, f->seg_cap * sizeof *f->seg);
	}
	f->seg[f->nseg] = *s;
	if (f->hs_cap < 2 * (f->nseg + 1)) {
		f->hs_cap = f->hs_cap ? f->hs_cap * 2 : 1024;
		f->hs = grid_scratch(f->g, TL_S_SET, f->hs_cap * sizeof *f->hs);
		memset(f->hs, 0, f->hs_cap * sizeof *f->hs);
		for (uint32_t i = 0; i < f->nseg; i++)
			tl_hs_insert(f, i);
	}
	if (tl_hs_insert(f, (uint32_t)f->nseg))
		f->nseg++;
}

/* Queue the line of message msg from its send to end_id (a recv or drop; NONE: in flight). */
static void tl_add_msg(tl_frame *f, uint32_t msg, uint32_t end_id, size_t nfly)
{
	const st_trace *t = f->t;
	const st_msgrec *mr = tl_msg(t, msg);
	if (!mr || !tl_held(t, mr->send_ev))
		return;
	const st_event *se = trace_at(t, mr->send_ev);
	int from = se->proc, to = mr->to;
	if (from >= f->G.nl || to >= f->G.nl || from == to)
		return;
	if (!tl_lane_shown(&f->G, from) && !tl_lane_shown(&f->G, to) &&
	    !((from < f->G.first) != (to < f->G.first)))
		return;
	const st_event *ee = tl_held(t, end_id) ? trace_at(t, end_id) : NULL;
	bool drop = ee && ee->kind == KIND_DROP;
	tl_seg s;
	memset(&s, 0, sizeof s);
	s.xs = tl_col64(&f->G, se->t_us);
	s.ys = f->G.lane_y[from];
	s.dir = f->G.lane_y[to] > s.ys ? 1 : -1;
	const int8_t *walls = NULL;
	int8_t group[ST_MAX_PROCS];
	for (int i = 0; drop && ee->aux == DROP_PARTITION && i < f->nper; i++)
		if (ee->t_us >= f->per[i].t_a && ee->t_us <= f->per[i].t_b) {
			tl_groups(t, f->per[i].part, group);
			walls = group;
		}
	s.yend = drop ? tl_drop_row(&f->G, from, to, walls) : f->G.lane_y[to] - s.dir;
	if ((s.yend - s.ys) * s.dir < 0)
		s.yend = s.ys;
	s.end = drop ? TG_DROP : s.dir > 0 ? TG_ARROW_DOWN : TG_ARROW_UP;
	s.split = INT64_MAX;
	int64_t end_t;
	bool sent = !tl_future(f, mr->send_ev);
	bool arrived = ee && !tl_future(f, end_id);
	if (ee)
		end_t = ee->t_us;
	else
		end_t = tl_arrival(f, msg, se->t_us, nfly);
	s.xe = tl_col64(&f->G, end_t);
	if (s.xe < s.xs)
		s.xe = s.xs;

	/* roles: the causal picture first, then time */
	int rel_send = tl_rel(f, mr->send_ev), rel_end = ee ? tl_rel(f, end_id) : 2;
	bool sel = f->m->selected != TRACE_NONE &&
		   (f->m->selected == mr->send_ev || f->m->selected == end_id);
	bool mark = f->m->marked != TRACE_NONE &&
		    (f->m->marked == mr->send_ev || f->m->marked == end_id);
	int role = R_MSG, z = 2;
	if (f->anchor != TRACE_NONE) {
		if (rel_end == -1 || end_id == f->anchor)
			role = R_PAST, z = 3;
		else if (rel_send == 1)
			role = R_MSG, z = 2;
		else
			role = R_CONCURRENT, z = 0;
	}
	s.role = s.role_late = s.end_role = (uint8_t)role;
	if (drop && role != R_CONCURRENT)
		s.end_role = R_DROP;
	if (!sent) {
		s.role = s.role_late = s.end_role = role == R_CONCURRENT ? R_CONCURRENT : R_FUTURE;
		z = role == R_CONCURRENT ? 0 : 1;
	} else if (!arrived) {
		/* in the air at the cursor: hot up to where it is now, dimmed beyond */
		s.role = R_MSG_HOT;
		s.role_late = R_FUTURE;
		s.split = tl_col64(&f->G, f->m->now_us);
		s.late_hidden = !ee;
		s.head = true;
		z = 4;
	}
	if (sel || mark) {
		s.role = s.end_role = sel ? R_SELECT : R_MARK;
		if (!s.head)
			s.role_late = s.role;
		z = 5;
	}
	s.z = (uint8_t)z;
	tl_queue_seg(f, &s);
}

static void tl_draw_messages(tl_frame *f)
{
	const st_trace *t = f->t;
	if (f->m->sim) {
		/* all of them: sim_inflight fills at most the room given */
		for (size_t cap = 1024;; cap *= 2) {
			f->fly = grid_scratch(f->g, TL_S_FLY, cap * sizeof *f->fly);
			f->nfly = (size_t)sim_inflight(f->m->sim, f->fly, (int)cap);
			if (f->nfly < cap || cap >= (1u << 20))
				break;
		}
	}
	size_t nfly = f->nfly;
	/* messages crossing the whole window: in the air at its left edge, ending after it */
	uint32_t *air = NULL;
	unsigned air_cap = 0;
	uint32_t nair = trace_index_in_flight(f->m->index, f->i0, &air, &air_cap);
	/* room for a line per message met, so the set is sized once, not rehashed as it grows */
	size_t est = (size_t)nair + (f->i1 - f->i0) + 1;
	f->seg_cap = est;
	f->seg = grid_scratch(f->g, TL_S_SEG, est * sizeof *f->seg);
	for (f->hs_cap = 1024; f->hs_cap < 2 * est; f->hs_cap *= 2)
		;
	f->hs = grid_scratch(f->g, TL_S_SET, f->hs_cap * sizeof *f->hs);
	memset(f->hs, 0, f->hs_cap * sizeof *f->hs);
	for (uint32_t i = 0; i < nair; i++) {
		const st_msgrec *mr = tl_msg(t, air[i]);
		if (mr && mr->send_ev < f->i0 && (mr->end_ev == TRACE_NONE || mr->end_ev >= f->i1))
			tl_add_msg(f, air[i], mr->end_ev, nfly);
	}
	free(air);
	/* messages sent in the window, and those ending in it that were sent before */
	for (uint32_t id = f->i0; id < f->i1; id++) {
		const st_event *e = trace_at(t, id);
		if (e->kind == KIND_SEND) {
			const st_msgrec *mr = tl_msg(t, e->ref);
			if (mr)
				tl_add_msg(f, e->ref, mr->end_ev, nfly);
		} else if (e->kind == KIND_RECV || e->kind == KIND_DROP) {
			const st_msgrec *mr = tl_msg(t, e->ref);
			if (mr && (mr->send_ev < f->i0 || mr->end_ev != id))
				tl_add_msg(f, e->ref, id, nfly);
		}
	}
	/* bottom layer first, in a stable order so frames do not flicker: bodies, then the
	 * arrowheads and crosses on top of every body */
	uint32_t *order = grid_scratch(f->g, TL_S_ORDER, (f->nseg + 1) * sizeof *order);
	size_t start[TL_Z + 1] = {0};
	for (size_t i = 0; i < f->nseg; i++)
		start[f->seg[i].z + 1]++;
	for (int z = 0; z < TL_Z; z++)
		start[z + 1] += start[z];
	for (size_t i = 0; i < f->nseg; i++)
		order[start[f->seg[i].z]++] = (uint32_t)i;
	for (size_t i = 0; i < f->nseg; i++)
		tl_seg_body(f, &f->seg[order[i]]);
	for (size_t i = 0; i < f->nseg; i++)
		tl_seg_ends(f, &f->seg[order[i]]);
}

/* ---- marks -------------------------------------------------------------------------------- */

static int tl_mark_glyph(const tl_frame *f, const st_event *e)
{
	if (e->flags & EVF_MILESTONE)
		return TG_MILESTONE;
	if (e->kind == KIND_RECV) {
		/* no free row before the receiver (lanes that touch): the arrowhead has nowhere to
		 * go but the mark itself, which then says where the message came from */
		const st_msgrec *mr = tl_msg(f->t, e->ref);
		int from = mr ? mr->from : -1;
		if (from >= 0 && from < f->G.nl && e->proc < f->G.nl && from != e->proc) {
			int y = f->G.lane_y[e->proc], dir = y > f->G.lane_y[from] ? 1 : -1;
			if (tl_lane_row(&f->G, y - dir))
				return dir > 0 ? TG_ARROW_DOWN : TG_ARROW_UP;
		}
	}
	return tl_kinds[e->kind].glyph;
}

/* best[(p - first) * ncols + c]: the event a cell shows. */
static void tl_pick_marks(tl_frame *f)
{
	tl_geo *G = &f->G;
	size_t n = (size_t)G->nvis * (size_t)G->ncols;
	f->best = grid_scratch(f->g, TL_S_BEST, (n + 1) * sizeof *f->best);
	for (size_t i = 0; i < n; i++)
		f->best[i] = TRACE_NONE;
	for (uint32_t id = f->i0; id < f->i1; id++) {
		const st_event *e = trace_at(f->t, id);
		if (!trace_kinds[e->kind].proc_event || !tl_lane_shown(G, e->proc))
			continue;
		int64_t c = tl_col64(G, e->t_us) - G->x0;
		if (c < 0 || c >= G->ncols)
			continue;
		uint32_t *b = &f->best[(size_t)(e->proc - G->first) * (size_t)G->ncols + (size_t)c];
		if (*b == TRACE_NONE || tl_prio(f, id, e) > tl_prio(f, *b, trace_at(f->t, *b)))
			*b = id;
	}
}

static void tl_draw_marks(tl_frame *f)
{
	tl_geo *G = &f->G;
	if (!f->best)
		return;
	for (int k = 0; k < G->nvis; k++)
		for (int c = 0; c < G->ncols; c++) {
			uint32_t id = f->best[(size_t)k * (size_t)G->ncols + (size_t)c];
			if (id == TRACE_NONE)
				continue;
			const st_event *e = trace_at(f->t, id);
			int attr, role = tl_ev_role(f, id, &attr);
			tl_put(f, G->x0 + c, G->lane_y[G->first + k], tl_mark_glyph(f, e), role, attr,
			       O_MARK);
		}
}

/* ---- text: labels, clocks, legend --------------------------------------------------------- */

static bool tl_free_run(tl_frame *f, int64_t x, int y, int w, uint8_t forbid)
{
	for (int i = 0; i < w; i++) {
		if (!tl_in(&f->G, x + i, y))
			return false;
		uint8_t *o = tl_occ(f, x + i, y);
		if (o && (*o & forbid))
			return false;
	}
	return true;
}

static void tl_mark_text(tl_frame *f, int64_t x, int y, int w)
{
	for (int i = 0; i < w; i++) {
		uint8_t *o = tl_occ(f, x + i, y);
		if (o)
			*o = O_TEXT;
	}
}

/* The label of an event: the protocol's, else what the kind implies (a client's op). */
static const char *tl_label(const st_trace *t, const st_event *e, char *buf, size_t n)
{
	if (e->label)
		return trace_str(t, e->label);
	if (e->kind == KIND_INVOKE || e->kind == KIND_COMPLETE) {
		const char *fn = tl_kv_str(t, e->body, "f");
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
	return tl_default_labels[e->kind];
}

typedef struct { uint32_t id; int x, y, prio; } tl_cand;

static int tl_cand_cmp(const void *a, const void *b)
{
	const tl_cand *p = a, *q = b;
	if (p->prio != q->prio)
		return q->prio - p->prio;
	return p->id < q->id ? -1 : p->id > q->id;
}

/* A row between lanes (or above the first, below the last) where text may go. */
static bool tl_text_row(const tl_geo *G, int y)
{
	return y >= G->in.y && y < G->in.y + G->in.h && y != G->legend_y && y != G->num_y &&
	       y != G->tick_y && !tl_lane_row(G, y);
}

/* A text row that touches only one lane (lane_y +- 1), so what is written there cannot be
 * read as belonging to the lane on its other side. */
static bool tl_own_row(const tl_geo *G, int lane_y, int y)
{
	int other = lane_y + (lane_y - y);
	return tl_text_row(G, y) && !tl_lane_row(G, y + (y - lane_y)) && other != y;
}

/* Labels: on the lane to the right of the mark, with a blank either side, never over a mark,
 * an arrowhead or other text. When the lane is crowded, the labels that matter (the
 * selection, milestones) go just above or below the mark instead, over message lines if they
 * must; others only where the space is empty. The selection and milestones choose first. */
static void tl_draw_labels(tl_frame *f, tl_cand *cands, size_t nc)
{
	grid *g = f->g;
	for (size_t i = 0; i < nc; i++) {
		const st_event *e = trace_at(f->t, cands[i].id);
		char buf[64];
		const char *l = tl_label(f->t, e, buf, sizeof buf);
		bool selected = cands[i].id == f->m->selected;
		bool key = selected || (e->flags & EVF_MILESTONE);
		if (!l || !*l || (!f->m->show_labels && !selected))
			continue;
		int w = view_width(g, l);
		int64_t x = cands[i].x;
		int y = cands[i].y;
		int attr, role = tl_ev_role(f, cands[i].id, &attr);
		if (!selected && role != R_CONCURRENT && role != R_FUTURE && role != R_PAST &&
		    role != R_MARK && !(e->flags & EVF_MILESTONE))
			role = R_NORMAL;
		attr &= ~A_REV_;
		/* on the lane: right of the mark, else (the ones that matter) left of it */
		int64_t at = tl_free_run(f, x + 1, y, w + 2, O_MARK | O_END | O_TEXT) ? x + 1
			   : key && tl_free_run(f, x - w - 2, y, w + 2, O_MARK | O_END | O_TEXT)
				   ? x - w - 2 : INT64_MIN;
		if (at != INT64_MIN) {
			grid_put(g, (int)at, y, ' ', R_NORMAL, 0);
			view_text(g, (int)at + 1, y, l, w, role, attr);
			grid_put(g, (int)at + 1 + w, y, ' ', R_NORMAL, 0);
			tl_mark_text(f, at, y, w + 2);
			continue;
		}
		uint8_t forbid = O_MARK | O_END | O_TEXT;
		/* just above or below, starting near the mark's column, else ending there */
		const int dxs[] = {1, 0, 2, 3, 4, -w / 2, -w, -w + 1, -w - 1};
		const int ndx = (int)(sizeof dxs / sizeof dxs[0]);
		for (int k = 0; k < 2 * ndx; k++) {
			int yy = y + (k < ndx ? -1 : 1);
			int64_t xx = x + dxs[k % ndx];
			if (!key || !tl_own_row(&f->G, y, yy) || !tl_free_run(f, xx, yy, w, forbid))
				continue;
			/* apart from other text, so two labels never read as one */
			uint8_t *lo = tl_occ(f, xx - 1, yy), *ro = tl_occ(f, xx + w, yy);
			if ((lo && (*lo & forbid)) || (ro && (*ro & forbid)))
				continue;
			view_text(g, (int)xx, yy, l, w, role, attr);
			tl_mark_text(f, xx, yy, w);
			break;
		}
	}
}

/* Small numbers in the row above a mark (or below), where the cells are blank and apart from
 * other text. */
static bool tl_place_small(tl_frame *f, int64_t x, int y, const char *s, int role, int attr,
			   bool force)
{
	tl_geo *G = &f->G;
	int w = (int)strlen(s);
	if (!tl_text_row(G, y))
		return false;
	if (x + w > G->in.x + G->in.w)
		x = G->in.x + G->in.w - w;
	if (x < G->x0)
		x = G->x0;
	uint8_t forbid = force ? (O_MARK | O_END | O_TEXT) : 0xff;
	if (!tl_free_run(f, x, y, w, forbid))
		return false;
	if (!force) {
		uint8_t *l = tl_occ(f, x - 1, y), *r = tl_occ(f, x + w, y);
		if ((l && (*l & O_TEXT)) || (r && (*r & O_TEXT)))
			return false;
	}
	grid_text_at(f->g, (int)x, y, s, w, role, attr);
	tl_mark_text(f, x, y, w);
	return true;
}

static void tl_vc_text(const st_trace *t, uint32_t id, char *buf, size_t n)
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
static void tl_draw_sel_vc(tl_frame *f, tl_cand *cands, size_t nc)
{
	uint32_t sel = f->m->selected;
	for (size_t i = 0; f->m->show_vc && i < nc; i++) {
		if (cands[i].id != sel || !trace_kinds[trace_at(f->t, sel)->kind].proc_event)
			continue;
		char buf[ST_MAX_PROCS * 11 + 4];
		tl_vc_text(f->t, sel, buf, sizeof buf);
		int w = (int)strlen(buf);
		const int dy[4] = {1, -1, 2, -2};
		const int dx[5] = {-w / 2, 0, -w + 1, 2, -w - 1};
		for (int a = 0; a < 4; a++)
			for (int b = 0; b < 5; b++)
				if (tl_place_small(f, cands[i].x + dx[b], cands[i].y + dy[a], buf, R_SELECT,
						   A_BOLD_, true))
					return;
	}
}

static void tl_draw_clocks(tl_frame *f, tl_cand *cands, size_t nc)
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
			int attr, role = tl_ev_role(f, cands[i].id, &attr);
			if (role != R_CONCURRENT && role != R_FUTURE && role != R_SELECT)
				role = R_CLOCK;
			bool force = cands[i].id == sel;
			/* numbers sit above their mark; below only where that row is the lane's own */
			if (!tl_place_small(f, cands[i].x, cands[i].y - 1, buf, role, 0, force) &&
			    (force || e->proc == f->m->sel_proc) &&
			    tl_own_row(&f->G, cands[i].y, cands[i].y + 1))
				tl_place_small(f, cands[i].x, cands[i].y + 1, buf, role, 0, force);
		}
	if (!f->m->show_vc)
		return;
	for (size_t i = 0; i < nc; i++) {
		if (cands[i].id == sel || !tl_own_row(&f->G, cands[i].y, cands[i].y + 1))
			continue;
		char buf[ST_MAX_PROCS * 11 + 4];
		tl_vc_text(t, cands[i].id, buf, sizeof buf);
		int attr, role = tl_ev_role(f, cands[i].id, &attr);
		if (role != R_CONCURRENT && role != R_FUTURE)
			role = R_CLOCK;
		tl_place_small(f, cands[i].x, cands[i].y + 1, buf, role, 0, false);
	}
}

static void tl_draw_text(tl_frame *f)
{
	tl_geo *G = &f->G;
	if (!f->best)
		return;
	size_t n = 0;
	for (size_t i = 0; i < (size_t)G->nvis * (size_t)G->ncols; i++)
		n += f->best[i] != TRACE_NONE;
	tl_cand *c = grid_scratch(f->g, TL_S_TEXT, (n + 1) * sizeof *c);
	size_t nc = 0;
	for (int k = 0; k < G->nvis; k++)
		for (int col = 0; col < G->ncols; col++) {
			uint32_t id = f->best[(size_t)k * (size_t)G->ncols + (size_t)col];
			if (id == TRACE_NONE)
				continue;
			const st_event *e = trace_at(f->t, id);
			int lp = tl_kinds[e->kind].label_prio;
			if (e->flags & EVF_MILESTONE)
				lp = TL_LPRIO_MILESTONE;
			if (id == f->m->selected)
				lp = TL_LPRIO_SELECTED;
			c[nc++] = (tl_cand){id, G->x0 + col, G->lane_y[G->first + k], lp};
		}
	qsort(c, nc, sizeof *c, tl_cand_cmp);
	tl_draw_sel_vc(f, c, nc);
	tl_draw_labels(f, c, nc);
	/* clocks in time order, so crowded stretches fill evenly from the left */
	for (size_t i = 0; i < nc; i++)
		c[i].prio = c[i].id == f->m->selected ? 1 : 0;
	qsort(c, nc, sizeof *c, tl_cand_cmp);
	tl_draw_clocks(f, c, nc);
}

static void tl_draw_legend(tl_frame *f)
{
	tl_geo *G = &f->G;
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
		grid_put(f->g, x, G->legend_y, tl_ch(f->g, items[i].glyph), items[i].role, 0);
		int o = 1;
		if (items[i].glyph == TG_INVOKE)
			grid_put(f->g, x + o++, G->legend_y, tl_ch(f->g, TG_COMPLETE), items[i].role, 0);
		grid_text_at(f->g, x + o + 1, G->legend_y, items[i].text, -1, R_DIM, 0);
		x += w + 2;
	}
	/* and how to read the colours of a selection */
	const char *hint = f->anchor != TRACE_NONE ? "dim = concurrent with the selection" : NULL;
	if (hint && x + (int)strlen(hint) < xend)
		grid_text_at(f->g, x, G->legend_y, hint, -1, R_CONCURRENT, 0);
}

/* ---- entry points ------------------------------------------------------------------------- */

static uint32_t tl_anchor(const st_trace *t, uint32_t sel)
{
	if (!tl_held(t, sel))
		return TRACE_NONE;
	const st_event *e = trace_at(t, sel);
	if (trace_kinds[e->kind].proc_event)
		return sel;
	if (e->kind == KIND_DROP) {
		const st_msgrec *mr = tl_msg(t, e->ref);
		return mr && tl_held(t, mr->send_ev) ? mr->send_ev : TRACE_NONE;
	}
	return TRACE_NONE;
}

void timeline_draw(grid *g, grid_rect r, const view_model *m)
{
	if (r.w <= 0 || r.h <= 0)
		return;
	tl_frame F;
	memset(&F, 0, sizeof F);
	F.g = g;
	F.m = m;
	F.t = m->trace;
	tl_geometry(m, r, &F.G);
	tl_geo *G = &F.G;
	char title[64];
	snprintf(title, sizeof title, "timeline");
	if (r.w >= 40) {
		int64_t upc = G->upc;
		if (upc >= 1000)
			snprintf(title, sizeof title, "timeline \u00b7 %lld ms/col%s", (long long)(upc / 1000),
				 upc % 1000 ? "+" : "");
		else
			snprintf(title, sizeof title, "timeline \u00b7 %lld \u00b5s/col", (long long)upc);
	}
	if (tl_box(r)) {
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
	F.anchor = tl_anchor(t, m->selected);
	F.i0 = tl_lower(t, G->t0);
	F.i1 = tl_lower(t, G->t0 + (int64_t)G->ncols * G->upc);
	F.now_col = tl_col64(G, m->now_us);
	int64_t last_t = count > t->base ? trace_at(t, count - 1)->t_us : 0;
	F.end_col = tl_col64(G, last_t > m->now_us ? last_t : m->now_us);

	trace_point at_i0, at_cur;
	trace_index_at(m->index, F.i0, &at_i0);
	trace_index_at(m->index, F.ncur, &at_cur);

	tl_draw_ruler(&F);
	tl_draw_partitions(&F, &at_i0);
	tl_draw_now(&F);
	tl_draw_lanes(&F, &at_i0);
	tl_draw_gutter(&F, &at_cur);
	tl_pick_marks(&F);
	tl_draw_messages(&F);
	tl_draw_marks(&F);
	tl_draw_text(&F);
	tl_draw_legend(&F);
}

int timeline_lane_at(const view_model *m, grid_rect r, int y)
{
	tl_geo G;
	tl_geometry(m, r, &G);
	for (int p = G.first; p < G.first + G.nvis; p++)
		if (G.lane_y[p] == y)
			return p;
	return -1;
}

int timeline_col_of(const view_model *m, grid_rect r, int64_t t_us)
{
	tl_geo G;
	tl_geometry(m, r, &G);
	return (int)tl_col64(&G, t_us);
}

uint32_t timeline_event_at(const view_model *m, grid_rect r, int x, int y)
{
	const st_trace *t = m->trace;
	if (!t || trace_count(t) == t->base)
		return TRACE_NONE;
	tl_geo G;
	tl_geometry(m, r, &G);
	if (x < G.x0 || x >= G.in.x + G.in.w || y < G.in.y || y >= G.in.y + G.in.h)
		return TRACE_NONE;
	/* the lane: this row or the one next to it */
	int lane = -1, bestd = 2;
	for (int p = G.first; p < G.first + G.nvis; p++) {
		int d = G.lane_y[p] - y;
		d = d < 0 ? -d : d;
		if (d < bestd)
			bestd = d, lane = p;
	}
	uint32_t lo = tl_lower(t, tl_time_of(&G, x - TL_PICK));
	uint32_t hi = tl_lower(t, tl_time_of(&G, x + TL_PICK + 1));
	tl_frame F;
	memset(&F, 0, sizeof F);
	F.m = m;
	F.t = t;
	F.G = G;
	uint32_t best = TRACE_NONE;
	int bd = TL_PICK + 1, bp = -1;
	for (uint32_t id = lo; id < hi; id++) {
		const st_event *e = trace_at(t, id);
		int d, prio;
		if (trace_kinds[e->kind].proc_event) {
			if (e->proc != lane || bestd > 1)
				continue;
			d = (int)(tl_col64(&G, e->t_us) - x);
			prio = tl_prio(&F, id, e);
		} else if (e->kind == KIND_DROP) {
			/* a lost message's ✖ sits between the lanes */
			const st_msgrec *mr = tl_msg(t, e->ref);
			if (!mr || mr->from >= G.nl || mr->to >= G.nl)
				continue;
			int8_t group[ST_MAX_PROCS];
			trace_point s;
			if (!m->index)
				continue;
			trace_index_at(m->index, id, &s);
			if (e->aux == DROP_PARTITION && s.part_ev != TRACE_NONE)
				tl_groups(t, s.part_ev, group);
			if (tl_drop_row(&G, mr->from, mr->to,
					e->aux == DROP_PARTITION && s.part_ev != TRACE_NONE ? group
											 : NULL) != y)
				continue;
			d = (int)(tl_col64(&G, e->t_us) - x);
			prio = 1;
		} else {
			/* partitions, heals and inputs live on the ruler */
			if (y != G.num_y && y != G.tick_y)
				continue;
			d = (int)(tl_col64(&G, e->t_us) - x);
			prio = 0;
		}
		d = d < 0 ? -d : d;
		if (d < bd || (d == bd && prio > bp))
			bd = d, bp = prio, best = id;
	}
	return best;
}
