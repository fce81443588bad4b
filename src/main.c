/* main.c: the command line picks a mode; each mode lives in its own file under src/app. */
#include <stdio.h>

#include "app/cli.h"
#include "core/trace_verify.h"

int tui_main(const cli_opts *o);
int replay_main(const cli_opts *o);

int main(int argc, char **argv)
{
	cli_opts o;
	if (!cli_parse(argc, argv, &o))
		return EXIT_BAD_INPUT;
	switch (o.mode) {
	case MODE_HELP: cli_usage(stdout); return EXIT_DONE;
	case MODE_VERSION: printf("spacetime %s\n", ST_VERSION); return EXIT_DONE;
	case MODE_LIST: return list_main(&o);
	case MODE_HEADLESS: return headless_main(&o);
	case MODE_EXPLORE: return explore_main(&o);
	case MODE_VERIFY: return trace_verify_file(o.target, stdout, stderr, NULL);
	case MODE_REPLAY: return replay_main(&o);
	case MODE_TUI: return tui_main(&o);
	}
	return EXIT_BAD_INPUT;
}
