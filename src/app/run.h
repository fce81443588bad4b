/* run.h: what every mode does first: find and load the scenario, pick the seed, parse the
 * faults, make a trace and a world. One place, so headless, explore, the terminal program and
 * the benchmarks set a run up identically (and so replay identically). */
#ifndef ST_RUN_H
#define ST_RUN_H

#include <stdio.h>

#include "cli.h"
#include "core/scenario.h"
#include "core/sim.h"
#include "core/trace.h"

typedef struct {
	char path[4096];
	st_scenario *sc;
	st_trace *trace;
	st_sim *sim;
	uint64_t seed;
	int faults;
	char faults_str[64];
} run_setup;

/* Returns 0, or an exit status after printing the message. */
int run_setup_open(run_setup *r, const cli_opts *o);
/* Only the scenario (path, sc), for modes that make their own worlds. */
int run_setup_scenario(run_setup *r, const cli_opts *o);
/* A fresh trace and world for (r->sc, seed, faults). */
void run_setup_world(run_setup *r, uint64_t seed, bool check);
void run_setup_close(run_setup *r);
/* The command that reproduces this run. */
void run_print_repro(const run_setup *r, const cli_opts *o, FILE *f);

/* Apply --param KEY=VALUE to a loaded scenario (scenario_set_param); 0, or -1 and err. */
int run_apply_params(st_scenario *sc, const cli_opts *o, char *err, size_t errlen);
/* " --param K=V" for each, for the commands printed to reproduce a run. */
void run_print_params(const cli_opts *o, FILE *f);

#endif
