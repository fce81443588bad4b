/* session.h: the terminal program's state.
 *
 * One struct holds everything the user has chosen (which lesson, the selection, the scroll
 * and zoom, play and speed, the focused pane, a prompt being typed) next to the rewindable run
 * it drives (st_history). Actions change it; each frame session_model() turns it into the
 * view_model the views draw, so views never see this struct and the loop (tui.c) never needs
 * to know what is in it. Wall-clock time comes in from the loop as a number: nothing here
 * reads a clock, which keeps play testable. */
#ifndef ST_SESSION_H
#define ST_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"
#include "core/history.h"
#include "lessons.h"
#include "run.h"
#include "until.h"
#include "views/view.h"

typedef enum { PROMPT_NONE = 0, PROMPT_EXPORT, PROMPT_CUT, PROMPT_CLOCK, PROMPT_LATENCY,
	       PROMPT_VARIANT, PROMPT_CONFIRM, PROMPT_BRANCH, PROMPT_SEARCH,
	       PROMPT_GOTO } session_prompt;
/* What a y at the confirm prompt goes on to do. */
typedef enum { CONFIRM_QUIT = 1, CONFIRM_LESSONS } session_confirm_what;

struct session {
	const cli_opts *o;

	/* the lesson picker (no scenario on the command line) */
	bool picking;
	bool have_lessons;
	lesson_list lessons;
	int pick;                   /* the highlighted lesson */
	int pick_top;               /* first row shown */
	picker_item *pitems;        /* the lessons as the picker view reads them */

	/* the run */
	run_setup rs;               /* the scenario: path, sc, seed, faults */
	st_history *h;              /* NULL while picking */
	bool borrowed;              /* h and rs.sc belong to the caller (a replay) */
	uint32_t selected, marked;
	int sel_proc, sel_flight;
	uint32_t sel_msg, sel_slot; /* the message selected in flight (the row follows it) */
	int64_t now_us;             /* virtual "now": the cursor's time, or ahead of it in play */
	int64_t t0_us;
	int64_t us_per_col;         /* the user's zoom, or 0: fit ~2 s to the width */
	int64_t upc_eff;            /* in force at the last frame */
	int time_cols;              /* columns of time at the last frame */
	bool follow, show_vc, show_labels;
	bool playing;
	int speed_i;                /* index into the speed ladder */
	view_pane focus;
	view_pane swap_pane;        /* shown in the inspector's place (see view_model) */
	int inspector_scroll;
	int lesson_scroll;
	int lesson_for;             /* the narration the scroll belongs to */
	uint32_t inspector_for;     /* the selection the scroll belongs to */
	bool help;
	int help_scroll;            /* the help overlay's first row, when it scrolls */
	uint32_t user_value;        /* values of the user's client writes */

	/* pacing (issue 10): lessons stop at their pages */
	bool page_pause;            /* play pauses when a page begins (A turns it off) */
	int play_page;              /* the page shown when play last looked */
	until_job job;              /* a run-until in progress (until.h), kind 0 when none */
	size_t mem_cap;             /* bytes the recorded history may hold; at it the run pauses */
	/* the invariant violation the run stopped at (the world forgets it when rewound) */
	uint32_t viol_ev;           /* TRACE_NONE when none */
	char viol_name[64];
	char viol_text[768];
	char variant_menu[1600];
	/* asking before the user's changes are dropped (q, o, ^C with actions not exported) */
	int acts_exported;          /* the history's action count at the last export (or start) */
	session_confirm_what confirm;    /* the list V shows in the lesson pane while choosing */
	/* the diagram's reading aids (issue 9) */
	bool logical;               /* the timeline's axis (see view_model) */
	uint32_t hidden_classes;    /* bit k: message class k hidden */
	uint32_t hidden_procs;      /* bit p: process p's lane hidden */
	bool cone;                  /* the diagram filtered to the selection's causal cone */
	char search[128];           /* the last search, for > and < */

	/* a transient message for the status bar */
	char message[512];
	double message_until;       /* wall seconds; 0 = until the next key */

	/* a prompt being typed */
	session_prompt prompt;
	char input[1024];
	char prompt_line[1100];

	/* the loop's inputs */
	double wall_s;              /* wall-clock seconds, set by the loop */
	int cols, rows;             /* the screen */
	int mouse_x, mouse_y;       /* the last click */
	bool ascii;                 /* draw with ASCII only */

	/* the loop's outputs */
	bool dirty;                 /* something changed: redraw */
	bool quit;
	int exit_status;
};
typedef struct session session;

/* A session for these options: with a target, the scenario is loaded and a run set up (an
 * error is printed and *status set when it cannot be: nothing has touched the terminal yet);
 * without, the lesson picker. NULL on failure. */
session *session_new(const cli_opts *o, int *status);
/* A session on a run someone else owns (--replay): h and sc are not freed here. */
session *session_new_history(const cli_opts *o, const st_scenario *sc, st_history *h);
void session_free(session *s);

/* Open the scenario at path (from the picker); false and a message when it fails. */
bool session_open(session *s, const char *path);

/* The lessons as picker rows (built on first use; *n gets the count). */
const picker_item *session_picker_items(session *s, int *n);

/* The pane or mode that keys are looked up in: "picker", "prompt" or the focused pane. */
const char *session_mode(const session *s);

/* One key: the prompt, the help overlay and the picker first, then the key table. */
void session_key(session *s, int key);

/* Advance play by wall_dt seconds of wall-clock time. Returns true while still playing. */
bool session_tick(session *s, double wall_dt);

/* Step the run once (history_step) and keep the selection, now and follow in step; returns
 * the status. Used by the step, play and milestone actions. */
sim_status session_step(session *s);
/* The recorded history reached its memory cap (and the run stands at its end): play and
 * run-until stop, and the status says so. False otherwise. */
bool session_full(session *s);
/* Variants (V): the list as text, and switching. Switching simulates the lesson again under
 * variant k's params (-1: the file's own), with the same seed and the user's actions up to the
 * cursor, each at the virtual time it was taken, and stops at the moment that was shown (or
 * at a violation before it). False, with a message, when it cannot. */
const char *session_variant_menu(session *s);
/* The kept branches (R) as a list, newest first, numbered from 1. */
const char *session_branch_menu(session *s);
bool session_switch_variant(session *s, int k);
/* The user changed the run since it started or was last exported. */
bool session_unexported(const session *s);
/* Before dropping the run: true to go ahead now; false when a y/n question was opened instead
 * (its y does `what`). Asks once: while the question is open, going ahead is the answer. */
bool session_may_drop(session *s, session_confirm_what what);
/* The messages pane's selection follows the message, not the row: find its row again after
 * the list changed (or, when it is gone, keep the row and take the message now there). */
void session_flight_sync(session *s);
/* Select row i of the messages in flight (-1: none). */
void session_flight_pick(session *s, int i);
/* After the cursor moved (seek): the selection and now follow it. */
void session_after_seek(session *s);

/* Say something on the status line for a few seconds (secs <= 0: until the next key). */
void session_say(session *s, double secs, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Playing speed, virtual seconds per wall second. */
double session_speed(const session *s);
/* One step up (dir > 0) or down the speed ladder; false at its end. */
bool session_speed_step(session *s, int dir);
void session_set_playing(session *s, bool on);

/* Fill the view model for a screen of cols x rows (the strings point into the session). */
void session_model(session *s, view_model *m);

/* The timeline rectangle at the current size (for clicks, follow and scrolling). */
grid_rect session_timeline_rect(session *s, const view_model *m);
/* Columns of the timeline that show time (its width less the lane names). */
int session_time_cols(session *s, const view_model *m, grid_rect *r);

/* The next event time the run would reach by stepping, or -1 when nothing is left. */
int64_t session_next_time(const session *s);

#endif
