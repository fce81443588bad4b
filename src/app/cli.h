/* cli.h: the command line, parsed once into a plain struct that every mode reads.
 *
 * The options live in one table (cli.c) that also prints --help, so the help cannot drift from
 * what is parsed. Modes: the terminal program (default), --headless, --explore, --verify,
 * --replay, --list. */
#ifndef ST_CLI_H
#define ST_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef enum { MODE_TUI = 0, MODE_HEADLESS, MODE_EXPLORE, MODE_VERIFY, MODE_REPLAY, MODE_LIST,
	       MODE_HELP, MODE_VERSION, MODE_KEYS, MODE_SCRIPT,
	       MODE_CHECK_HISTORY, MODE_SEARCH, MODE_MAN } cli_mode;

/* Exit statuses, everywhere. */
enum { EXIT_DONE = 0, EXIT_RUNTIME = 1, EXIT_BAD_INPUT = 2, EXIT_VIOLATION = 3 };

typedef struct {
	cli_mode mode;
	bool headless;          /* --headless given (also with --replay) */
	const char *target;     /* scenario name/path, or a trace file */
	const char *argv0;
	bool has_seed; uint64_t seed;
	bool has_steps; uint64_t steps;
	bool has_until; int64_t until_ms;
	const char *export_path;
	bool check;
	const char *faults;
	uint64_t seeds;         /* --explore */
	uint64_t first_seed;
	bool quiet;
	bool ascii, no_color;
	const char *theme;
	bool manual;            /* start in manual delivery mode */
	const char *const *files; int nfiles;   /* every file argument (--script takes many) */
	const char *history;    /* --check-history FILE */
	const char *model;      /* --model NAME (lin_model.h), NULL: from the history */
	uint64_t max_states;    /* --max-states N: the search's bound on distinct states, the
				   linearizability checker's budget; 0 = the default */
	bool check_lin;         /* --check-linearizable: the clients' history, at the end */
	/* --param KEY=VALUE (repeatable): scenario parameters set after loading */
#define CLI_MAX_PARAMS 16
	const char *params[CLI_MAX_PARAMS];
	int nparams;
	bool params_overflow;
	/* --search: exhaustive breadth-first search of a small world (search_main.c) */
	uint64_t depth;
	const char *budget;     /* --search: "crashes=1,drops=1,requests=2" */
	bool uniform_faults;    /* --explore with the world's one nemesis, not swarm plans */
	const char *variant;    /* --variant NAME: the scenario's named set of params */
	uint64_t history_mb;    /* --history-mb: the terminal's memory cap (0: a quarter of RAM) */
	bool no_page_pause;     /* --no-page-pause: play does not pause when a page begins */
} cli_opts;

/* Parse argv; on a usage error prints the message to stderr and returns false. */
bool cli_parse(int argc, char **argv, cli_opts *o);
void cli_usage(FILE *f);
/* issue 10: the options as the man page's OPTIONS section (roff), from the same table. */
void cli_man_options(FILE *f);
/* --man: the whole manual page (man.c), generated so it cannot drift from the code. */
int man_main(const cli_opts *o);

/* A progress line on stderr for long runs, only when stderr is a terminal; wall-clock based,
 * which is why it lives in app and not in core. */
typedef struct {
	double start_s, last_s;
	bool tty, shown;
} cli_progress;
double cli_now_s(void);
void cli_progress_start(cli_progress *p);
/* Prints at most a few times a second; what is the caller's text. */
void cli_progress_show(cli_progress *p, const char *fmt, ...);
void cli_progress_end(cli_progress *p);

int headless_main(const cli_opts *o);
int explore_main(const cli_opts *o);
int list_main(const cli_opts *o);
int check_history_main(const cli_opts *o);

/* check_history.c: --check-linearizable for a run whose trace streams away: feed every event
 * as it is flushed, then check at the end (prints the verdict; returns EXIT_DONE, or
 * EXIT_VIOLATION when not linearizable, EXIT_RUNTIME when undecided or unreadable). */
typedef struct cli_lin cli_lin;
cli_lin *cli_lin_begin(const cli_opts *o);
struct st_trace;
void cli_lin_event(cli_lin *l, const struct st_trace *t, uint32_t id);
int cli_lin_end(cli_lin *l, FILE *out);
int search_main(const cli_opts *o);
int explore_swarm_main(const cli_opts *o);   /* explore_swarm.c */

#endif
