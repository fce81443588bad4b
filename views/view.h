/* view.h: what the views read, and the views themselves.
 *
 * The app builds a view_model each frame: constant pointers into the world and the trace, plus
 * the user's selection, scroll and modes. Views draw the model into a grid and never change the
 * world (they may keep their own caches, in view_cache, which the app owns and passes back).
 * Views never include app headers: the help view draws the key table it is handed as data.
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

/* The whole screen: layout, every pane, the help overlay or the too-small notice. */
void view_draw_all(grid *g, const view_model *m);

/* The lesson text for the moment at the cursor (the last "when" reached), or NULL. */
const char *lesson_text_at(const view_model *m, int *index);

#endif
