/* main.c: the command line picks a mode; each mode lives in its own file under src/app. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "app/cli.h"
#include "app/keys.h"
#include "app/script.h"
#include "core/outfile.h"
#include "core/trace_verify.h"

int tui_main(const cli_opts *o);
int replay_main(const cli_opts *o);

static int main_help(const cli_opts *o) { (void)o; cli_usage(stdout); return EXIT_DONE; }
static int main_version(const cli_opts *o) { (void)o; printf("spacetime %s\n", ST_VERSION); return EXIT_DONE; }
static int main_keys(const cli_opts *o) { (void)o; keys_markdown(stdout); return EXIT_DONE; }
static int main_verify(const cli_opts *o) { return trace_verify_file(o->target, stdout, stderr, NULL); }

static int (*const main_modes[])(const cli_opts *o) = {
	[MODE_TUI] = tui_main, [MODE_HEADLESS] = headless_main, [MODE_EXPLORE] = explore_main,
	[MODE_VERIFY] = main_verify, [MODE_REPLAY] = replay_main, [MODE_LIST] = list_main,
	[MODE_HELP] = main_help, [MODE_VERSION] = main_version, [MODE_KEYS] = main_keys,
	[MODE_SCRIPT] = script_main,
	[MODE_CHECK_HISTORY] = check_history_main,
	[MODE_SEARCH] = search_main,
	[MODE_MAN] = man_main,
};

/* Every mode's report goes to stdout; whether it got there is decided once, here. A full
 * disk or a closed pipe turns success into exit 1; a mode that already failed keeps its own
 * status (2 or 3 says more than "and the report was lost too"). */
static int main_check_stdout(int rc)
{
	errno = 0;
	int bad = fflush(stdout) != 0 || ferror(stdout);
	int e = errno;
	if (fclose(stdout) != 0 && !bad) {
		bad = 1;
		e = errno;
	}
	if (!bad)
		return rc;
	fprintf(stderr, "spacetime: cannot write standard output%s%s\n", e ? ": " : "",
		e ? strerror(e) : "");
	return rc == EXIT_DONE ? EXIT_RUNTIME : rc;
}

int main(int argc, char **argv)
{
	cli_opts o;
	if (!cli_parse(argc, argv, &o))
		return main_check_stdout(EXIT_BAD_INPUT);
	/* an interrupted run leaves no temporary file behind (core/outfile.h) */
	outfile_trap();
	return main_check_stdout(main_modes[o.mode](&o));
}
