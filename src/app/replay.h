/* replay.h: re-simulating a trace (see replay.c). */
#ifndef ST_REPLAY_H
#define ST_REPLAY_H

#include <stdio.h>

#include "cli.h"
#include "core/history.h"

typedef struct {
	st_scenario *sc;
	st_history *h;
	uint64_t seed;
	bool read_only;         /* could not be re-simulated */
	uint32_t first_diff;
} replay_run;

/* Read TRACE, re-simulate it and compare; EXIT_DONE when equal (EXIT_VIOLATION when equal
 * and the run breaks an invariant), EXIT_RUNTIME when it differs or cannot be re-simulated,
 * EXIT_BAD_INPUT for a file that --verify refuses or an action out of range (see replay.c).
 * r->h is the re-simulated run when one could be made. */
int replay_load(const char *path, const cli_opts *o, replay_run *r, FILE *out, FILE *err);
void replay_free(replay_run *r);

/* The terminal program on an existing run (tui.c). */
int tui_run_history(const cli_opts *o, const st_scenario *sc, st_history *h, const char *banner);

#endif
