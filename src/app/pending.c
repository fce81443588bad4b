/* pending.c: temporary: modes whose files are not written yet. */
#include <stdio.h>
#include "cli.h"
int tui_main(const cli_opts *o) { (void)o; fprintf(stderr, "spacetime: the terminal program is not built yet; use --headless\n"); return EXIT_BAD_INPUT; }
int replay_main(const cli_opts *o) { (void)o; fprintf(stderr, "spacetime: --replay is not built yet\n"); return EXIT_BAD_INPUT; }
