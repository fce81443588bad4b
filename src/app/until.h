/* until.h: long runs ("run until ...") done in slices on the event loop.
 *
 * `n` (the next page or milestone), `N` (until the selected process changes) and `!` (until an
 * invariant breaks) may need thousands of steps. Done in one go they freeze the keys (40
 * presses of `!` once ignored input for 30 s). So a key only starts a job; the loop calls
 * until_work() for one slice at a time while nothing else is pending, the status line shows
 * the progress, and Esc (or any other key) stops it. A job that finds nothing within its
 * budget of steps and virtual time says so; `n` then goes back to where it started ("stays"),
 * so pressing it past the end of a lesson never jumps the run far ahead. */
#ifndef ST_UNTIL_H
#define ST_UNTIL_H

#include <stdbool.h>
#include <stdint.h>

typedef struct session session;

typedef enum { UNTIL_NONE = 0, UNTIL_PAGE, UNTIL_MILESTONE, UNTIL_CHANGE, UNTIL_VIOLATION }
	until_kind;

typedef struct {
	until_kind kind;
	uint32_t from;          /* the cursor when it started */
	int64_t from_now_us;    /* and the virtual time shown then */
	uint32_t from_sel;
	int page;               /* UNTIL_PAGE: the page shown when it started */
	int proc;               /* UNTIL_CHANGE: the process watched */
	uint64_t steps, limit;  /* steps run, the budget */
	int64_t t_limit_us;     /* virtual time it gives up at (-1: none) */
	bool was_playing;
} until_job;

/* The lesson page at the cursor (as the lesson pane shows it), -1 when there is none. */
int until_page_at(const session *s);

/* Start a job of this kind (replacing one that runs). */
void until_start(session *s, until_kind kind);
/* Run one slice of at most `steps` steps; true while the job goes on. */
bool until_work(session *s, int steps);
/* Stop the running job where it is, saying why (NULL: quietly). */
void until_stop(session *s, const char *why);
bool until_running(const session *s);

#endif
