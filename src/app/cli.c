/* cli.c: the option table, its parser and --help (see cli.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

typedef enum { ARG_NONE, ARG_U64, ARG_I64, ARG_STR } arg_kind;

#define CLI_MAX_UNTIL_MS (366LL * 24 * 3600 * 1000)
typedef struct {
	const char *name;
	arg_kind arg;
	const char *metavar;
	const char *help;
	void (*set)(cli_opts *o, const char *v, uint64_t u);
} cli_opt;

static void set_headless(cli_opts *o, const char *v, uint64_t u)
{ (void)v; (void)u; o->headless = true; if (o->mode == MODE_TUI) o->mode = MODE_HEADLESS; }
static void set_explore(cli_opts *o, const char *v, uint64_t u) { (void)v; (void)u; o->mode = MODE_EXPLORE; }
static void set_verify(cli_opts *o, const char *v, uint64_t u) { (void)v; (void)u; o->mode = MODE_VERIFY; }
static void set_replay(cli_opts *o, const char *v, uint64_t u) { (void)v; (void)u; o->mode = MODE_REPLAY; }
static void set_list(cli_opts *o, const char *v, uint64_t u) { (void)v; (void)u; o->mode = MODE_LIST; }
static void set_help(cli_opts *o, const char *v, uint64_t u) { (void)v; (void)u; o->mode = MODE_HELP; }
static void set_version(cli_opts *o, const char *v, uint64_t u) { (void)v; (void)u; o->mode = MODE_VERSION; }
static void set_keys(cli_opts *o, const char *v, uint64_t u) { (void)v; (void)u; o->mode = MODE_KEYS; }
static void set_seed(cli_opts *o, const char *v, uint64_t u) { (void)v; o->has_seed = true; o->seed = u; }
static void set_steps(cli_opts *o, const char *v, uint64_t u) { (void)v; o->has_steps = true; o->steps = u; }
static void set_until(cli_opts *o, const char *v, uint64_t u)
{ (void)v; o->has_until = true; o->until_ms = u > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)u; }
static void set_export(cli_opts *o, const char *v, uint64_t u) { (void)u; o->export_path = v; }
static void set_check(cli_opts *o, const char *v, uint64_t u) { (void)v; (void)u; o->check = true; }
static void set_faults(cli_opts *o, const char *v, uint64_t u) { (void)u; o->faults = v; }
static void set_seeds(cli_opts *o, const char *v, uint64_t u) { (void)v; o->seeds = u; }
static void set_first_seed(cli_opts *o, const char *v, uint64_t u) { (void)v; o->first_seed = u; }
static void set_quiet(cli_opts *o, const char *v, uint64_t u) { (void)v; (void)u; o->quiet = true; }
static void set_ascii(cli_opts *o, const char *v, uint64_t u) { (void)v; (void)u; o->ascii = true; }
static void set_no_color(cli_opts *o, const char *v, uint64_t u) { (void)v; (void)u; o->no_color = true; }
static void set_theme(cli_opts *o, const char *v, uint64_t u) { (void)u; o->theme = v; }
static void set_manual(cli_opts *o, const char *v, uint64_t u) { (void)v; (void)u; o->manual = true; }
static void set_script(cli_opts *o, const char *v, uint64_t u) { (void)v; (void)u; o->mode = MODE_SCRIPT; }
static void set_check_history(cli_opts *o, const char *v, uint64_t u)
{ (void)u; o->mode = MODE_CHECK_HISTORY; o->history = v; }
static void set_model(cli_opts *o, const char *v, uint64_t u) { (void)u; o->model = v; }
static void set_max_states(cli_opts *o, const char *v, uint64_t u) { (void)v; o->max_states = u; }
static void set_check_lin(cli_opts *o, const char *v, uint64_t u) { (void)v; (void)u; o->check_lin = true; }

static void set_param(cli_opts *o, const char *v, uint64_t u)
{
	(void)u;
	if (o->nparams < CLI_MAX_PARAMS)
		o->params[o->nparams++] = v;
	else
		o->params_overflow = true;
}
static void set_search(cli_opts *o, const char *v, uint64_t u) { (void)v; (void)u; o->mode = MODE_SEARCH; }
static void set_depth(cli_opts *o, const char *v, uint64_t u) { (void)v; o->depth = u; }
static void set_budget(cli_opts *o, const char *v, uint64_t u) { (void)u; o->budget = v; }
static void set_uniform(cli_opts *o, const char *v, uint64_t u) { (void)v; (void)u; o->uniform_faults = true; }
static void set_history_mb(cli_opts *o, const char *v, uint64_t u) { (void)v; o->history_mb = u; }
static void set_man(cli_opts *o, const char *v, uint64_t u) { (void)v; (void)u; o->mode = MODE_MAN; }
static void set_no_page_pause(cli_opts *o, const char *v, uint64_t u) { (void)v; (void)u; o->no_page_pause = true; }
static void set_variant(cli_opts *o, const char *v, uint64_t u) { (void)u; o->variant = v; }

static const cli_opt cli_opts_table[] = {
	{"--headless", ARG_NONE, NULL, "run without the terminal UI and print a summary", set_headless},
	{"--explore", ARG_NONE, NULL, "run many seeds with random faults, checking invariants", set_explore},
	{"--verify", ARG_NONE, NULL, "check the trace file given as the argument", set_verify},
	{"--replay", ARG_NONE, NULL, "re-simulate a trace and compare (with --headless: only verify)", set_replay},
	{"--list", ARG_NONE, NULL, "list the scenarios by topic", set_list},
	{"--script", ARG_NONE, NULL, "run protocol test scripts FILE... and compare (ST_SCRIPT_REWRITE=1 rewrites)", set_script},
	{"--seed", ARG_U64, "N", "the seed (default: the scenario's)", set_seed},
	{"--steps", ARG_U64, "N", "how many steps to run (headless default 10000)", set_steps},
	{"--until-ms", ARG_U64, "T", "run until virtual time T milliseconds", set_until},
	{"--export", ARG_STR, "FILE", "write the trace as JSON (- for standard output)", set_export},
	{"--check", ARG_NONE, NULL, "check the protocol's invariants after every step", set_check},
	{"--faults", ARG_STR, "LIST", "random faults from the seed: partition,crash,loss,dup,pause", set_faults},
	{"--seeds", ARG_U64, "N", "--explore: how many seeds", set_seeds},
	{"--first-seed", ARG_U64, "N", "--explore: the first seed (default 1)", set_first_seed},
	{"--quiet", ARG_NONE, NULL, "print only errors and the verdict", set_quiet},
	{"--manual", ARG_NONE, NULL, "terminal: start in manual delivery mode", set_manual},
	{"--check-history", ARG_STR, "FILE", "is this history linearizable? (exit 0 yes, 3 no)", set_check_history},
	{"--model", ARG_STR, "NAME", "--check-history: register or kv (default: from the history)", set_model},
	{"--check-linearizable", ARG_NONE, NULL, "--headless: check the clients' history at the end", set_check_lin},
	{"--ascii", ARG_NONE, NULL, "terminal: draw with ASCII only", set_ascii},
	{"--no-color", ARG_NONE, NULL, "terminal: no colours (NO_COLOR is honoured too)", set_no_color},
	{"--theme", ARG_STR, "NAME", "terminal: a theme from assets/themes", set_theme},
	/* issue 10 */
	{"--variant", ARG_STR, "NAME", "run the scenario's variant NAME (a named set of its params)", set_variant},
	{"--no-page-pause", ARG_NONE, NULL, "terminal: play runs on through the lesson's pages (A toggles)", set_no_page_pause},
	{"--history-mb", ARG_U64, "MB", "terminal: memory cap of the recorded run (default 1/4 of RAM)", set_history_mb},
	{"--keys", ARG_NONE, NULL, "print the terminal program's key bindings (Markdown)", set_keys},
	{"--param", ARG_STR, "KEY=VALUE", "set a scenario parameter (repeatable), as its \"params\" would", set_param},
	{"--search", ARG_NONE, NULL, "search every interleaving of a small world, breadth first", set_search},
	{"--depth", ARG_U64, "N", "--search: how many choices deep (default 12)", set_depth},
	{"--max-states", ARG_U64, "N", "--search: distinct states kept at most (default 2000000); "
	 "--check-history: the checker's budget (then: unknown, exit 1)", set_max_states},
	{"--budget", ARG_STR, "LIST", "--search: per path, e.g. crashes=1,drops=1,requests=2 (the defaults)", set_budget},
	{"--uniform-faults", ARG_NONE, NULL, "--explore: one fault mix for every seed (no swarm, no shrinking)", set_uniform},
	{"--man", ARG_NONE, NULL, "print the manual page (roff; assets/spacetime.1 is this)", set_man},
	{"--help", ARG_NONE, NULL, "this help", set_help},
	{"--version", ARG_NONE, NULL, "print the version", set_version},
};
#define NOPTS ((int)(sizeof cli_opts_table / sizeof cli_opts_table[0]))

void cli_usage(FILE *f)
{
	fprintf(f,
		"spacetime %s: watch distributed systems run, as space-time diagrams\n\n"
		"usage:\n"
		"  spacetime                         open the lesson picker\n"
		"  spacetime SCENARIO                open a lesson (a name from --list, or a file)\n"
		"  spacetime --headless SCENARIO [--seed N] [--steps N | --until-ms T]\n"
		"                        [--export FILE] [--check] [--faults LIST]\n"
		"  spacetime --explore SCENARIO --seeds N --steps M [--faults LIST]\n"
		"  spacetime --search SCENARIO --depth N [--until-ms T] [--budget LIST]\n"
		"                        [--max-states N] [--param KEY=VALUE]\n"
		"  spacetime --verify TRACE.json\n"
		"  spacetime --replay TRACE.json [--headless]\n"
		"  spacetime --list\n"
		"  spacetime --script FILE...\n"
		"  spacetime --check-history FILE [--model register|kv] [--max-states N]\n"
		"                        FILE: Jepsen EDN or log lines, or a spacetime trace\n"
		"\noptions:\n", ST_VERSION);
	for (int i = 0; i < NOPTS; i++) {
		char lhs[32];
		snprintf(lhs, sizeof lhs, "%s%s%s", cli_opts_table[i].name,
			 cli_opts_table[i].metavar ? " " : "",
			 cli_opts_table[i].metavar ? cli_opts_table[i].metavar : "");
		fprintf(f, "  %-20s %s\n", lhs, cli_opts_table[i].help);
	}
	fprintf(f,
		"\nexit status: 0 done, 1 runtime failure, 2 bad input or usage,\n"
		"             3 an invariant was violated\n");
}

static bool cli_number(const char *opt, const char *v, uint64_t *out)
{
	if (!v || !*v || *v == '-' || *v == '+') {
		fprintf(stderr, "spacetime: %s needs a non-negative whole number, got '%s'\n", opt,
			v ? v : "");
		return false;
	}
	errno = 0;
	char *end;
	unsigned long long u = strtoull(v, &end, 10);
	if (errno || *end) {
		fprintf(stderr, "spacetime: %s needs a non-negative whole number, got '%s'\n", opt, v);
		return false;
	}
	*out = u;
	return true;
}

/* The file arguments, in order: pointers into argv, so nothing to free. */
#define CLI_MAX_FILES 1024
static const char *cli_files[CLI_MAX_FILES];

bool cli_parse(int argc, char **argv, cli_opts *o)
{
	memset(o, 0, sizeof *o);
	o->argv0 = argv[0];
	o->first_seed = 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-' || strcmp(a, "-") == 0) {
			if (o->nfiles >= CLI_MAX_FILES) {
				fprintf(stderr, "spacetime: more than %d file arguments\n", CLI_MAX_FILES);
				return false;
			}
			cli_files[o->nfiles++] = a;
			o->files = cli_files;
			if (o->target && o->mode != MODE_SCRIPT) {
				fprintf(stderr, "spacetime: unexpected argument '%s' (one scenario or "
						"trace at a time); see --help\n", a);
				return false;
			}
			o->target = a;
			continue;
		}
		const cli_opt *opt = NULL;
		for (int k = 0; k < NOPTS; k++)
			if (strcmp(cli_opts_table[k].name, a) == 0)
				opt = &cli_opts_table[k];
		if (!opt && strcmp(a, "-h") == 0)
			opt = &cli_opts_table[NOPTS - 2];  /* --help */
		if (!opt) {
			fprintf(stderr, "spacetime: unknown option '%s'; see --help\n", a);
			return false;
		}
		const char *v = NULL;
		uint64_t u = 0;
		if (opt->arg != ARG_NONE) {
			if (i + 1 >= argc) {
				fprintf(stderr, "spacetime: %s needs a value (%s)\n", a, opt->metavar);
				return false;
			}
			v = argv[++i];
			if (opt->arg != ARG_STR && !cli_number(a, v, &u))
				return false;
		}
		opt->set(o, v, u);
	}
	if (o->mode == MODE_HELP || o->mode == MODE_VERSION || o->mode == MODE_LIST ||
	    o->mode == MODE_KEYS || o->mode == MODE_MAN)
		return true;
	if (o->mode == MODE_SCRIPT) {
		if (!o->nfiles) {
			fprintf(stderr, "spacetime: --script needs at least one script file; see --help\n");
			return false;
		}
		return true;
	}
	if (o->params_overflow) {
		fprintf(stderr, "spacetime: --param given more than %d times\n", CLI_MAX_PARAMS);
		return false;
	}
	for (int k = 0; k < o->nparams; k++)
		if (!strchr(o->params[k], '=') || o->params[k][0] == '=') {
			fprintf(stderr, "spacetime: --param needs KEY=VALUE, got '%s'\n", o->params[k]);
			return false;
		}
	bool needs_target = o->mode == MODE_SEARCH || o->mode == MODE_HEADLESS || o->mode == MODE_EXPLORE ||
			    o->mode == MODE_VERIFY || o->mode == MODE_REPLAY;
	if (needs_target && !o->target) {
		fprintf(stderr, "spacetime: %s needs a %s; see --help\n",
			o->mode == MODE_VERIFY || o->mode == MODE_REPLAY ? "this mode" : "this mode",
			o->mode == MODE_VERIFY || o->mode == MODE_REPLAY ? "trace file" : "scenario");
		return false;
	}
	if (o->has_until && o->until_ms > CLI_MAX_UNTIL_MS) {
		fprintf(stderr, "spacetime: --until-ms %lld is too far; at most %lld (a year)\n",
			(long long)o->until_ms, (long long)CLI_MAX_UNTIL_MS);
		return false;
	}
	if (o->has_steps && o->has_until) {
		fprintf(stderr, "spacetime: give --steps or --until-ms, not both\n");
		return false;
	}
	if (o->mode == MODE_EXPLORE && (!o->seeds || !o->has_steps)) {
		fprintf(stderr, "spacetime: --explore needs --seeds N and --steps M (both > 0)\n");
		return false;
	}
	return true;
}

double cli_now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cli_progress_start(cli_progress *p)
{
	p->start_s = p->last_s = cli_now_s();
	p->tty = isatty(2);
	p->shown = false;
}

void cli_progress_show(cli_progress *p, const char *fmt, ...)
{
	if (!p->tty)
		return;
	double now = cli_now_s();
	if (now - p->last_s < 0.25 || now - p->start_s < 0.5)
		return;
	p->last_s = now;
	va_list ap;
	va_start(ap, fmt);
	fputs("\r\033[K", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
	p->shown = true;
}

void cli_progress_end(cli_progress *p)
{
	if (p->shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	p->shown = false;
}

/* roff text: a backslash doubled, every '-' a minus (so options copy and paste), and a line
 * that would start with '.' or '\'' protected. */
static void cli_roff(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '-')
			fputs("\\-", f);
		else
			fputc(*s, f);
	}
}

void cli_man_options(FILE *f)
{
	for (int i = 0; i < NOPTS; i++) {
		const cli_opt *c = &cli_opts_table[i];
		fputs(".TP\n", f);
		if (c->metavar) {
			fputs(".BI ", f);
			cli_roff(f, c->name);
			fprintf(f, " \" %s\"\n", c->metavar);
		} else {
			fputs(".B ", f);
			cli_roff(f, c->name);
			fputc('\n', f);
		}
		fputs("\\&", f);
		cli_roff(f, c->help);
		fputs(".\n", f);
	}
}
