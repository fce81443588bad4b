/* view.h: what the views read, and the views themselves.
 *
 * The app builds a view_model each frame: constant pointers into the world, the trace and the
 * trace's index (core/trace_index.h: what holds at any event), plus the user's selection,
 * scroll and modes. Views draw the model into a grid and never change the world. They keep
 * nothing between frames: whatever is a fold over the past (a process's last state, the
 * network, the lesson page) they ask the index, which the history keeps up to date.
 * Views never include app headers: the help view draws the key table it is handed as data.
 *
 * Which view may call which (make check-layers enforces it, tests/check-views.sh): the panes
 * (timeline*.c, nodes.c, inspector.c, lesson.c, status.c, help.c, network.c, messages.c,
 * picker.c) call only the shared helpers (view.c: view_*, grid.c: grid_*, theme.c: theme_*,
 * layout.c: layout_*) and their own files, never another pane; screen_all.c composes the
 * panes into the screen and is the one views file that calls them.
 *
 * Coordinates: the timeline shows virtual time left to right, one lane (row) per process; the
 * window is [t0_us, t0_us + cols * us_per_col). The cursor is "now" for every view: events
 * after it are the future (time travel shows the world as it was at the cursor). */
#ifndef ST_VIEW_H
#define ST_VIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "core/scenario.h"
#include "core/sim.h"
#include "core/trace.h"
#include "core/trace_index.h"
#include "grid.h"

/* A key binding as the help view and the status bar show it. */
typedef struct {
	const char *keys;   /* "space", "p", "+ -", "← →  h l" */
	const char *mode;   /* "" for everywhere, or a pane/mode name */
	const char *help;   /* "step one event" */
	bool in_status;     /* shown in the status bar's short list */
} view_key;

typedef enum { PANE_TIMELINE = 0, PANE_NODES, PANE_INSPECTOR, PANE_NETWORK, PANE_MESSAGES,
	       PANE__COUNT } view_pane;

typedef struct {
	/* the world and its record */
	const st_scenario *sc;
	const st_sim *sim;          /* the world at the cursor; NULL for a read-only trace */
	const st_trace *trace;
	const trace_index *index;   /* of trace, synced to its end (the history's) */
	uint32_t cursor;            /* the last event that has happened, TRACE_NONE before any */
	int64_t now_us;             /* virtual time at the cursor (may run ahead while playing) */
	uint64_t seed;

	/* selection */
	uint32_t selected;          /* event id or TRACE_NONE */
	uint32_t marked;            /* second event for comparison, or TRACE_NONE */
	int sel_proc;               /* selected lane */
	int sel_flight;             /* selected row of the messages pane, -1 none */

	/* the timeline's window */
	int64_t t0_us;
	int64_t us_per_col;
	bool follow;                /* keep the present in view */
	bool show_vc;               /* vector clocks on the timeline */
	bool show_labels;

	/* modes */
	bool playing;
	double speed;               /* virtual seconds per wall second */
	bool manual;                /* nothing is delivered unless chosen */
	bool branched;              /* the old future was discarded */
	bool read_only;             /* a trace that cannot be re-simulated */
	view_pane focus;
	bool help;                  /* the help overlay is up */
	const char *message;        /* a transient line for the status bar, or NULL */
	const char *prompt;         /* an input line ("export to: t.json"), or NULL */

	const view_key *keys;
	int nkeys;

	/* Added for the panes (layout, inspector, ...): */
	view_pane swap_pane;        /* PANE_NETWORK or PANE_MESSAGES: shown in the inspector's
				     * place when that pane has no room of its own; anything
				     * else (0 included) shows the inspector */
	int inspector_scroll;       /* first line of the inspector shown; the app scrolls it */
	int messages_scroll;        /* first row of the messages pane (it also follows
				     * sel_flight by itself) */
	int lesson_scroll;          /* first row of the narration shown, when it is longer
				     * than its pane (reset it when lesson_text_at's index
				     * changes) */
	/* issue 10: the invariant violation this run stopped at, once the cursor reached it */
	const char *violation;      /* its invariant's name, or NULL */
	const char *violation_text; /* the sentence explaining it, with event ids */
	uint32_t violation_ev;      /* the violating event */
	int user_acts;              /* the user's actions before the cursor (the run has left
				     * the lesson's script when > 0) ... */
	uint32_t user_first_ev;     /* ... the first of them at this event */
	int help_scroll;            /* first row of the help overlay when it scrolls */
	const char *menu;           /* a list to choose from (V's variants), shown in the lesson
				     * pane while the prompt is open, or NULL */

	/* The diagram's reading aids (issue 9): */
	bool logical;               /* the timeline's axis: columns follow the order of events */
	uint32_t hidden_classes;    /* bit k: the protocol's message class k is hidden */
	uint32_t hidden_procs;      /* bit p: process p's lane is hidden */
	bool cone;                  /* the timeline shows only the selected event's causal
				     * past and future (events concurrent with it leave the
				     * diagram as a hidden class's do); nothing selected: all */
} view_model;

/* Layout: which rectangle each pane gets at this size; panes that do not fit get w = 0. */
typedef struct {
	grid_rect timeline, nodes, inspector, lesson, status, network, messages;
	bool too_small;             /* below the minimum: say so instead of drawing */
} view_layout;
#define VIEW_MIN_W 60
#define VIEW_MIN_H 16
void layout_compute(int w, int h, const view_model *m, view_layout *out);

/* Each view draws its pane. */
void timeline_draw(grid *g, grid_rect r, const view_model *m);
void nodes_draw(grid *g, grid_rect r, const view_model *m);
void inspector_draw(grid *g, grid_rect r, const view_model *m);
void lesson_draw(grid *g, grid_rect r, const view_model *m);
void status_draw(grid *g, grid_rect r, const view_model *m);
void help_draw(grid *g, grid_rect r, const view_model *m);
void network_draw(grid *g, grid_rect r, const view_model *m);
void messages_draw(grid *g, grid_rect r, const view_model *m);

/* Hit-testing for the mouse and for keys that move the selection: the event drawn nearest to
 * (x, y) of the timeline pane, or TRACE_NONE; the lane at row y, or -1. */
uint32_t timeline_event_at(const view_model *m, grid_rect r, int x, int y);
int timeline_lane_at(const view_model *m, grid_rect r, int y);
/* The column of virtual time t in the timeline pane (for scrolling and tests). */
int timeline_col_of(const view_model *m, grid_rect r, int64_t t_us);
/* The column event id is drawn in (on either axis; for tests and the app). */
int timeline_event_col(const view_model *m, grid_rect r, uint32_t id);

/* The crossings of one frame, for the benchmark: message lines drawn (with at least one cell
 * in the pane) and the cells where a line is drawn over another line. Draws into g. */
typedef struct { uint32_t messages, crossings; } timeline_stats;
void timeline_draw_stats(grid *g, grid_rect r, const view_model *m, timeline_stats *out);
/* The class of a message as the diagram shows it (st_protocol.msg_class, a reply inheriting
 * the class of the message it answers), or -1. */
int timeline_msg_class_of(const st_trace *t, uint32_t msg);

/* The whole screen: layout, every pane, the help overlay or the too-small notice. */
void view_draw_all(grid *g, const view_model *m);

/* The lesson text for the moment at the cursor (the last "when" reached), or NULL. */
const char *lesson_text_at(const view_model *m, int *index);
/* Rows the lesson pane's text takes at width w (the note, a violation and the narration, as
 * it scrolls them): for the app to stop scrolling at the end. */
int lesson_rows(const view_model *m, int w);

/* ---- Shared by the panes (view.c): every pane may call these, and no pane calls another -- */

/* Text as every pane writes it: UTF-8 that is folded to ASCII when g->ascii ("→" becomes
 * "->", "▶" ">", "…" "...", anything unknown "?"), so --ascii holds for scenario and protocol
 * text too. Clipped at max_w columns (-1: the grid's edge) with a trailing "…" when cut.
 * Returns the columns written. view_width() is the columns the same text takes. */
int view_text(grid *g, int x, int y, const char *utf8, int max_w, int role, int attr);
int view_printf(grid *g, int x, int y, int max_w, int role, int attr, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
int view_width(const grid *g, const char *utf8);
/* Word-wrap text into rows [y, y + max_rows) of width w from x; returns the rows it needs
 * (which may be more than max_rows: the rest is not drawn). Rows before skip are counted but
 * not drawn, for scrolling. */
int view_wrap(grid *g, int x, int y, int w, int max_rows, int skip, const char *text, int role,
	      int attr);

/* Every pane draws its own box: the title in the top edge, R_FOCUS when focused. Returns the
 * inside (w or h may be 0 when r is too small). */
grid_rect view_box(grid *g, grid_rect r, const char *title, bool focused);

/* "↑ more" on the top edge of a pane's box and "more ↓" on the bottom edge, at the right,
 * when some of its content is scrolled away above or below. */
void view_more(grid *g, grid_rect r, bool above, bool below);

/* A protocol's picture of process p (st_protocol.picture), from the world at the cursor:
 * false when there is none (no hook, a recorded trace with no world, a crashed process). */
#define VIEW_PIC_ROWS 8
#define VIEW_PIC_CELLS 96
typedef struct { char text[12]; int8_t hue; uint8_t flags; } view_pic_cell;
typedef struct { char label[16]; int n; bool more; view_pic_cell c[VIEW_PIC_CELLS]; } view_pic_row;
typedef struct { int nrows; view_pic_row r[VIEW_PIC_ROWS]; } view_pic;
bool view_picture(const view_model *m, int p, view_pic *out);
/* Columns row takes drawn with its label ("log " first) or without. */
int view_pic_width(const grid *g, const view_pic_row *row, bool label);
/* Draw row at (x, y) in at most max_w columns: when it does not fit, its end is kept (the
 * newest entries of a log) behind a "…". Returns the columns written. */
int view_pic_draw(grid *g, int x, int y, int max_w, const view_pic_row *row, bool label);

/* What a state record changed against the one before it (issue 9, "what changed"): the flat
 * fields of after whose value differs from before's or that before has not (had_old false),
 * in after's order. before may be TRACE_NONE or no longer held: then nothing is reported (a
 * first state is news of everything, so it marks nothing). Returns how many (at most max). */
#define VIEW_MAX_CHANGES 24
typedef struct { char key[24]; char old[32]; char val[32]; bool had_old; } view_change;
int view_changes(const st_trace *t, uint32_t before, uint32_t after, view_change *out, int max);
/* A state's flat fields as text, in describe() order (the nodes pane and view_changes): a sink
 * that fills c (nested values are skipped; at most VIEW_MAX_CHANGES fields). */
typedef struct {
	view_change f[VIEW_MAX_CHANGES];
	int n, depth;
	const st_trace *t;
} view_fields;
void view_fields_sink(view_fields *c, const st_trace *t, st_sink *s);

/* "n3", "c1", or "-" for a negative index (a null process). */
const char *view_proc_name(const st_trace *t, int p);
int view_proc_role(const st_trace *t, int p);  /* R_NODE or R_CLIENT */

/* What holds at the cursor (after the event it names; nothing before any), from the index. */
void view_point(const view_model *m, trace_point *out);
/* "{n1 n2} | {n3 n4 n5}  n1 ⇸ n2" into out; empty when the network is whole. */
void view_net_summary(const st_trace *t, const trace_net *ns, char *out, size_t outlen);
/* Blocked a -> b beyond what the groups explain: a one-way cut. */
bool view_net_extra_cut(const trace_net *ns, int a, int b);

/* The lesson picker: scenarios grouped under their topic headings, in the order given (the
 * learning path), the selected one highlighted. scroll is the first display row (headings
 * count as rows); picker_scroll() returns one that keeps the selection visible on a grid of
 * height h, starting from the app's current scroll. */
typedef struct { const char *name, *title, *topic; } picker_item;
void picker_draw(grid *g, const picker_item *items, int n, int selected, int scroll);
int picker_scroll(int h, const picker_item *items, int n, int selected, int scroll);

#endif
