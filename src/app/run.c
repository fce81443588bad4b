/* run.c: setting up a run (see run.h). */
#include <stdlib.h>
#include <string.h>

#include "run.h"
#include "scenario_path.h"

/* --param KEY=VALUE, in the order given (a later one of the same key wins). */
int run_apply_params(st_scenario *sc, const cli_opts *o, char *err, size_t errlen)
{
	for (int k = 0; k < o->nparams; k++) {
		const char *eq = strchr(o->params[k], '=');
		char key[80];
		size_t kl = eq ? (size_t)(eq - o->params[k]) : 0;
		if (!eq || kl == 0 || kl >= sizeof key) {
			snprintf(err, errlen, "--param '%.100s': expected KEY=VALUE", o->params[k]);
			return -1;
		}
		memcpy(key, o->params[k], kl);
		key[kl] = 0;
		if (scenario_set_param(sc, key, eq + 1, err, errlen) != 0)
			return -1;
	}
	return 0;
}

void run_print_params(const cli_opts *o, FILE *f)
{
	for (int k = 0; k < o->nparams; k++)
		fprintf(f, " --param %s", o->params[k]);
}

int run_setup_scenario(run_setup *r, const cli_opts *o)
{
	memset(r, 0, sizeof *r);
	char err[2048];
	if (!scenario_path_find(o->target, o->argv0, r->path, sizeof r->path)) {
		fprintf(stderr, "spacetime: %s: no such scenario file or name; see spacetime --list\n",
			o->target);
		return EXIT_BAD_INPUT;
	}
	r->sc = scenario_load(r->path, err, sizeof err);
	if (!r->sc) {
		fprintf(stderr, "spacetime: %s\n", err);
		return EXIT_BAD_INPUT;
	}
	/* --variant picks a named set of the scenario's params, then any --param goes on top */
	if ((o->variant && !scenario_use_variant(r->sc, o->variant, err, sizeof err)) ||
	    run_apply_params(r->sc, o, err, sizeof err) != 0) {
		fprintf(stderr, "spacetime: %s\n", err);
		scenario_free(r->sc);
		r->sc = NULL;
		return EXIT_BAD_INPUT;
	}
	if (o->faults) {
		r->faults = sim_parse_faults(o->faults, err, sizeof err);
		if (r->faults < 0) {
			fprintf(stderr, "spacetime: %s\n", err);
			scenario_free(r->sc);
			r->sc = NULL;
			return EXIT_BAD_INPUT;
		}
		sim_faults_string(r->faults, r->faults_str, sizeof r->faults_str);
	}
	r->seed = o->has_seed ? o->seed : r->sc->seed;
	return 0;
}

void run_setup_world(run_setup *r, uint64_t seed, bool check)
{
	sim_free(r->sim);
	trace_free(r->trace);
	r->seed = seed;
	r->trace = trace_new(r->sc->name, r->sc->protocol, seed, r->sc->nnodes, r->sc->nclients,
			     NULL);
	sim_opts so = {seed, check, r->faults};
	r->sim = r->trace ? sim_new(r->sc, &so, r->trace) : NULL;
	if (!r->trace || !r->sim) {
		fprintf(stderr, "spacetime: out of memory setting up the world\n");
		exit(EXIT_RUNTIME);
	}
}

int run_setup_open(run_setup *r, const cli_opts *o)
{
	int rc = run_setup_scenario(r, o);
	if (rc)
		return rc;
	run_setup_world(r, r->seed, o->check);
	return 0;
}

void run_setup_close(run_setup *r)
{
	sim_free(r->sim);
	trace_free(r->trace);
	scenario_free(r->sc);
	memset(r, 0, sizeof *r);
}

void run_print_repro(const run_setup *r, const cli_opts *o, FILE *f)
{
	fprintf(f, "  reproduce: spacetime --headless %s --seed %llu", r->path,
		(unsigned long long)r->seed);
	if (o->has_until)
		fprintf(f, " --until-ms %lld", (long long)o->until_ms);
	else
		fprintf(f, " --steps %llu", (unsigned long long)(o->has_steps ? o->steps : 10000));
	if (r->faults)
		fprintf(f, " --faults %s", r->faults_str);
	if (r->sc && r->sc->variant_in_use >= 0)
		fprintf(f, " --variant %s", r->sc->variant[r->sc->variant_in_use].name);
	run_print_params(o, f);
	fprintf(f, " --check --export trace.json\n");
}
