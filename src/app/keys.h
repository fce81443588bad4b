/* keys.h: THE key table of the terminal program.
 *
 * Every binding lives in one table (keys.c): the key codes it answers to, the mode it works
 * in, the action it runs, the help text and whether the status bar shows it. The dispatcher,
 * the help overlay (handed the table as view_key data: views never include app headers) and
 * the README's key list (keys_markdown) all read that one table, so they cannot disagree. */
#ifndef ST_KEYS_H
#define ST_KEYS_H

#include <stdbool.h>
#include <stdio.h>

#include "views/view.h"

typedef struct session session;
/* An action: what a key does to the session; arg comes from the table (a direction, a
 * factor), so "h" and "l" share one function. */
typedef void (*keys_action)(session *s, int arg);

/* One key code a binding answers to, with the argument its action gets. */
typedef struct {
	int code;           /* a character or an ncurses KEY_* code; 0 ends the list */
	int arg;
} keys_code;

#define KEYS_MAX_CODES 6

typedef struct {
	const char *keys;   /* as people read it: "← → h l" */
	const char *mode;   /* "" everywhere in a run, else a pane ("messages") or "picker" */
	keys_code codes[KEYS_MAX_CODES];
	keys_action fn;
	const char *help;   /* what it does, short: the help overlay and the README show it */
	bool in_status;     /* one of the few the status bar lists */
} keys_binding;

/* The binding for a key code in a mode: the mode's own rows win over the "" rows (a pane can
 * give j/k its own meaning). NULL when the key means nothing there; *arg gets the row's
 * argument for that code. */
const keys_binding *keys_lookup(int code, const char *mode, int *arg);


/* The run's bindings as the views want them (picker rows left out); a static array, nothing
 * to free. */
const view_key *keys_view(int *n);

/* The table as a markdown list for the README, grouped by mode. */
void keys_markdown(FILE *f);
/* The same list as the man page's KEYS section (roff). */
void keys_man(FILE *f);

#endif
