/* timeline.h: what the files of the timeline pane share; no other view includes it.
 *
 * The timeline is one pane in four files: timeline.c (the frame: tables, what holds at the
 * window's edge, ruler, partitions, lanes, marks, the entry points and hit-testing),
 * timeline_geo.c (columns, time <-> x, zoom, lanes), timeline_msg.c (message lines and their
 * routing) and timeline_label.c (labels, clocks, legend). A frame is drawn back to front:
 * ruler and walls, lanes, message lines, arrowheads and drops, marks, then text; the
 * occupancy map of the frame (O_*) lets text go only where it covers no mark. */
#ifndef ST_VIEWS_TIMELINE_H
#define ST_VIEWS_TIMELINE_H

#include "view.h"

#define TL_GAP_MAX 6        /* rows between lanes on tall panes; more only flattens lines */
#define TL_PICK 3           /* hit-testing looks this many columns either side */
#define TL_MAX_PERIODS 64   /* partitions remembered per frame (beyond: drops end halfway) */
#define TL_MAP_ROWS 256     /* panes taller than this look lanes up the slow way */
#define TL_MAX_COLS 1024   /* columns of time a logical axis tracks (wider panes: the rest clip) */
#define TL_OFF_ROW (-100000) /* the row of a hidden lane: far outside any pane */
#define TL_LCOL_MIN 30      /* logical columns a pane keeps before they take two cells: a
			     * blank between steps keeps steep lines apart */
#define TL_Z 6              /* layers of message lines, 0 (concurrent) to 5 (selected) */

/* The grid's scratch buffers a frame uses (grid_scratch). */
enum { TL_S_OCC, TL_S_BEST, TL_S_SEG, TL_S_SET, TL_S_FLY, TL_S_ORDER, TL_S_TEXT, TL_S_OWNER };

/* Glyphs: a grid glyph where the grid has one (so --ascii is handled there), else our own
 * code point with its ASCII form. */
enum {
	TG_START, TG_SEND, TG_RECV, TG_TIMER, TG_LOCAL, TG_MILESTONE, TG_CRASH, TG_RESTART,
	TG_INVOKE, TG_COMPLETE, TG_DROP, TG_LANE, TG_CRASHED, TG_PAUSED, TG_OPEN_OP, TG_DIAG_DOWN,
	TG_DIAG_UP, TG_VLINE, TG_HLINE, TG_CROSS, TG_ARROW_DOWN, TG_ARROW_UP, TG_BAND, TG_NOW,
	TG_TICK, TG_SEP, TG_IDLE, TG__COUNT
};

/* Occupancy of a cell, so text never covers a mark and lines know what they cross. */
enum { O_MARK = 1, O_END = 2, O_LINE = 4, O_TEXT = 8, O_LANE = 16, O_BAND = 32, O_XING = 64 };

/* What a process event looks like, which mark a crowded cell shows (higher wins: milestones,
 * then crashes and restarts, then messages, then timers), and whose label gets the room. */
typedef struct { int glyph; uint8_t role, prio, label_prio; } timeline_kind;
extern const timeline_kind timeline_kinds[KIND__COUNT];

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
} timeline_seg;

typedef struct {
	grid_rect in;               /* inside the box */
	int x0, ncols;              /* first column of time (absolute) and how many */
	int style;                  /* lane names: 0 "n1 L", 1 "n1 leader", 2 "n1 leader t3" */
	int gut_w;
	int num_y, tick_y;          /* ruler rows (tick_y == num_y for a one-row ruler) */
	bool ruler_in_border;
	int title_end;              /* first column after the box's title (ruler in the border) */
	int nl, first, nvis;        /* processes; the first position shown, how many are shown */
	/* Positions: the lanes top to bottom, hidden processes left out (view_model.hidden_procs).
	 * first and nvis count positions; lane_y is by process. */
	int npos, nhidden;
	uint8_t pos[ST_MAX_PROCS];  /* the process at each position */
	int8_t pos_of[ST_MAX_PROCS];/* the position of each process, -1 hidden */
	int lane_y[ST_MAX_PROCS];   /* absolute rows; lanes not shown lie outside the pane */
	int gap;                    /* smallest gap between shown lanes */
	int legend_y;               /* -1: no legend */
	int border_y;               /* the box's bottom edge (the classes' legend), -1 no box */
	int64_t t0, upc;
	uint8_t lane_rows[TL_MAP_ROWS]; /* 1 where a shown lane runs (rows from in.y) */
	/* The logical axis: column c (from x0) stands for the events at time lt[c]; a column with
	 * lgap[c] set stands for an idle stretch (no event) compressed into it. */
	bool logical;
	int lcw;                    /* cells a logical column takes (2 when the pane is wide) */
	int nlc;                    /* logical columns in the pane */
	int nlt;                    /* columns with events (the rest lie past the trace's end) */
	uint32_t lend;              /* the first event after the last of those columns */
	uint32_t lid[TL_MAX_COLS];  /* the first event of each column */
	int64_t lt[TL_MAX_COLS];    /* its time */
	uint8_t lgap[TL_MAX_COLS];
} timeline_geo;

typedef struct {
	grid *g;
	const view_model *m;
	const st_trace *t;
	timeline_geo G;
	uint32_t i0, i1;            /* events in the window */
	uint32_t anchor;            /* the selection's process event for causality, or NONE */
	int64_t now_col, end_col;   /* now; where the lanes end (the last event or now) */
	uint32_t ncur;              /* events that have happened: cursor + 1 */
	uint8_t *occ;
	/* scratch of this frame, in the grid's scratch buffers */
	uint32_t *best;                     /* the event each mark cell shows */
	timeline_seg *seg; size_t nseg, seg_cap;  /* message lines queued */
	uint32_t *hs; size_t hs_cap;        /* a set of queued lines (index + 1, 0 empty) */
	sim_flight *fly; size_t nfly;       /* the world's messages in the air */
	/* partitions met in the window, so a message a partition dropped ends on its wall */
	struct { int64_t t_a, t_b; uint32_t part; } per[TL_MAX_PERIODS];
	int nper;
	timeline_stats *stats;      /* counted while drawing, or NULL */
	uint32_t *owner;            /* with stats: the line (index + 1) drawn last in each cell */
} timeline_frame;

/* ---- timeline.c: the frame's helpers ------------------------------------------------------ */

uint32_t timeline_ch(const grid *g, int gl);            /* a TG_* glyph's code point */
bool timeline_held(const st_trace *t, uint32_t id);     /* an event the trace holds */
const st_msgrec *timeline_msgrec(const st_trace *t, uint32_t msg);  /* or NULL */
const char *timeline_kv_str(const st_trace *t, uint32_t list, const char *key);
/* group[p] of a partition event, -1 for processes in no group. */
void timeline_groups(const st_trace *t, uint32_t id, int8_t *group);
uint8_t *timeline_occ(timeline_frame *f, int64_t x, int y);  /* the cell's occupancy, or NULL */
/* A glyph at (x, y) if it is inside the pane, marking the cell occupied by occ. */
void timeline_put(timeline_frame *f, int64_t x, int y, int gl, int role, int attr, uint8_t occ);
bool timeline_future(const timeline_frame *f, uint32_t id);  /* after the cursor */
/* Causal relation to the selection: -1 in its past, 1 in its future (or the selection
 * itself), 0 concurrent, 2 no selection or not a process event. */
int timeline_rel(const timeline_frame *f, uint32_t id);
/* The role (and attributes) a mark or its label is drawn in. */
int timeline_ev_role(const timeline_frame *f, uint32_t id, int *attr);
/* The colour role of message class k. */
int timeline_class_role(int k);
/* An event the diagram leaves out: a send, receive or loss of a message in a hidden class
 * (never the selection or the mark). */
bool timeline_ev_hidden(const view_model *m, uint32_t id);
/* The selection's event for causality (the selection, or the send of a selected loss), or
 * TRACE_NONE (nothing selected, a world event). */
uint32_t timeline_anchor(const st_trace *t, uint32_t sel);

/* ---- timeline_geo.c ----------------------------------------------------------------------- */

bool timeline_geo_boxed(grid_rect r);   /* big enough to draw a box around */
void timeline_geo_compute(const view_model *m, grid_rect r, timeline_geo *G);
/* The logical axis's columns (timeline_geo_compute calls it when m->logical). */
void timeline_geo_logical(const view_model *m, timeline_geo *G);
bool timeline_geo_lane_shown(const timeline_geo *G, int p);
bool timeline_geo_lane_row(const timeline_geo *G, int y);   /* a shown lane runs in row y */
/* Column of time t, absolute, clamped far outside so arithmetic on it cannot overflow. */
int64_t timeline_geo_col(const timeline_geo *G, int64_t t);
int64_t timeline_geo_time(const timeline_geo *G, int64_t col);
/* The column of event id (e is trace_at(id)): its time's on the real axis, its place in the
 * order of events on the logical one. */
int64_t timeline_geo_ecol(const timeline_geo *G, const st_event *e, uint32_t id);
bool timeline_geo_in(const timeline_geo *G, int64_t x, int y);
/* The row of the wall between two neighbouring lanes (the same whichever way it is asked). */
int timeline_geo_wall_row(int ya, int yb);
/* The row where a lost message ends: on the wall it hit when a partition dropped it (group:
 * the groups then in force), else halfway to its receiver; never on a lane. */
int timeline_geo_drop_row(const timeline_geo *G, int from, int to, const int8_t *group);
/* First held event with t_us >= t (binary search: events never go back in time). */
uint32_t timeline_geo_first_at(const st_trace *t, int64_t t_us);

/* ---- timeline_msg.c ----------------------------------------------------------------------- */

void timeline_msg_draw(timeline_frame *f);   /* every message line of the window */

/* ---- timeline_label.c --------------------------------------------------------------------- */

void timeline_label_draw(timeline_frame *f);     /* labels, Lamport and vector clocks */
void timeline_label_legend(timeline_frame *f);
/* The protocol's message classes, each in its colour with the key that hides it. */
void timeline_label_classes(timeline_frame *f);

#endif
