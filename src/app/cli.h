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
	       MODE_HELP, MODE_VERSION, MODE_KEYS, MODE_SCRIPT, MODE_MAN } cli_mode;

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
	/* issue 10 */
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

#endif
