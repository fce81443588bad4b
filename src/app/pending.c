/* pending.c: temporary: modes whose files are not written yet. */
#include <stdio.h>
#include "cli.h"
int tui_main(const cli_opts *o) { (void)o; fprintf(stderr, "spacetime: the terminal program is not built yet; use --headless\n"); return EXIT_BAD_INPUT; }
#include "replay.h"
/* tui_run_history: the terminal program on a replayed run; until tui.c provides it. */
int tui_run_history(const cli_opts *o, const st_scenario *sc, st_history *h, const char *banner)
{ (void)o; (void)sc; (void)h; fprintf(stderr, "spacetime: %s (use --headless; the terminal view of a replay is not built yet)\n", banner); return EXIT_DONE; }
