/* main.c: the command line picks a mode; each mode lives in its own file under src/app. */
#include <stdio.h>

#include "app/cli.h"
#include "app/keys.h"
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
	[MODE_SEARCH] = search_main,
};

int main(int argc, char **argv)
{
	cli_opts o;
	if (!cli_parse(argc, argv, &o))
		return EXIT_BAD_INPUT;
	return main_modes[o.mode](&o);
}
