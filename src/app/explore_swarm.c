/* explore_swarm.c: --explore with swarm plans, faults at moments, coverage and shrinking.
 *
 * The loop of explore.c, on the engine of swarm.c: learn the protocol's moments from one
 * fault-free run, then for each seed draw (or mutate) a plan, run it with invariants checked on
 * every step, and count the abstract states reached. The first violation is shrunk (shrink.c),
 * the minimal run is written as a trace through the exporter, and the commands to check,
 * replay and reproduce it are printed with the plan that found it. Everything printed on stdout
 * but the rates is a function of the command, so the same command prints the same result. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "cli.h"
#include "run.h"
#include "shrink.h"
#include "swarm.h"

#define EXPLORE_SHRINK_RUNS 600     /* replays the shrinker may spend */

static void ex_print_command(const run_setup *r, const cli_opts *o, uint64_t first, uint64_t n,
			     FILE *f)
{
	fprintf(f, "spacetime --explore %s", r->path);
	run_print_params(o, f);
	fprintf(f, " --first-seed %llu --seeds %llu --steps %llu", (unsigned long long)first,
		(unsigned long long)n, (unsigned long long)o->steps);
	if (o->faults)
		fprintf(f, " --faults %s", r->faults_str);
}

int explore_swarm_main(const cli_opts *o)
{
	run_setup r;
	cli_opts oo = *o;
	if (!oo.faults)
		oo.faults = "partition,crash,loss,dup,pause";
	int rc = run_setup_scenario(&r, &oo);
	if (rc)
		return rc;
	sw_engine e;
	sw_engine_init(&e, r.sc, r.faults);
	sw_learn_moments(&e, o->steps < 20000 ? o->steps : 20000);

	cli_progress pr;
	cli_progress_start(&pr);
	uint64_t events = 0, steps = 0, done = 0;
	int status = EXIT_DONE;
	sw_list rec = {0};
	for (uint64_t i = 0; i < o->seeds; i++) {
		uint64_t seed = o->first_seed + i;
		sw_plan plan;
		sw_plan_for(&e, seed, &plan);
		rec.n = 0;
		sw_result res;
		sw_run(&e, SW_CHECK_STATE, seed, &plan, NULL, NULL, o->steps, NULL, NULL, &rec, &res);
		events += res.events;
		steps += res.steps;
		done++;
		cli_progress_show(&pr, "  seed %llu of %llu, %llu events, %u abstract states",
				  (unsigned long long)(i + 1), (unsigned long long)o->seeds,
				  (unsigned long long)events, e.nseen);
		if (res.status != SIM_VIOLATION)
			continue;
		cli_progress_end(&pr);
		char mix[1024];
		sw_plan_describe(&e, &plan, mix, sizeof mix);
		fprintf(stderr, "spacetime: seed %llu: invariant violated: %s: %s (event %u)\n",
			(unsigned long long)seed, res.invariant, res.detail, res.viol_ev);
		fprintf(stderr, "  after %llu seeds; the mix: %s\n", (unsigned long long)done, mix);
		fprintf(stderr, "  the run: %u actions injected (%u client requests), %llu steps, "
			"%u events\n", rec.n, sw_list_requests(&rec, NULL),
			(unsigned long long)res.steps, res.events);
		/* What --verify will check is the trace: run the plan again with the trace checker
		 * instead of the state check, on until the trace itself shows the violation (a
		 * broken leader completeness shows once a node applies a different entry). */
		sw_check how = SW_CHECK_TRACE;
		sw_list trec = {0};
		sw_result tres;
		sw_run(&e, how, seed, &plan, NULL, NULL, o->steps, NULL, NULL, &trec, &tres);
		if (tres.status == SIM_VIOLATION) {
			fprintf(stderr, "  in the trace (what --verify checks): %s: %s (event %u)\n",
				tres.invariant, tres.detail, tres.viol_ev);
			sw_list_free(&rec);
			rec = trec;
			res = tres;
		} else {
			fprintf(stderr, "  the trace shows no violation within %llu steps: the shrunk "
				"run is checked by state\n", (unsigned long long)o->steps);
			sw_list_free(&trec);
			how = SW_CHECK_STATE;
		}
		bool *keep = st_zalloc(rec.n + 1, sizeof *keep);
		shrink_stats sh;
		if (!shrink_run(&e, how, seed, &rec, res.invariant, o->steps, EXPLORE_SHRINK_RUNS, keep, &sh)) {
			fprintf(stderr, "spacetime: seed %llu: the recorded run did not fail again; "
				"writing it whole\n", (unsigned long long)seed);
			for (uint32_t k = 0; k < rec.n; k++)
				keep[k] = true;
		} else {
			fprintf(stderr, "  shrunk in %u replays%s: actions %u -> %u, client requests "
				"%u -> %u, steps %llu -> %llu, events %u -> %u\n", sh.runs,
				sh.budget_spent ? " (budget spent)" : "", sh.acts_before, sh.acts_after,
				sh.requests_before, sh.requests_after,
				(unsigned long long)sh.steps_before, (unsigned long long)sh.steps_after,
				sh.events_before, sh.events_after);
		}
		char path[512];
		snprintf(path, sizeof path, "explore-%s-seed%llu.json", r.sc->name,
			 (unsigned long long)seed);
		tj_meta meta = {r.path, NULL};
		sw_result fin;
		sw_run(&e, how, seed, NULL, &rec, keep, o->steps, path, &meta, NULL, &fin);
		if (fin.export_ok) {
			fprintf(stderr, "  trace (the shrunk run, %u events): %s\n", fin.events, path);
			fprintf(stderr, "  check it: spacetime --verify %s\n", path);
			fprintf(stderr, "  watch it: spacetime --replay %s%s\n", path,
				o->nparams ? "  (the scenario with these --param values)" : "");
		} else {
			fprintf(stderr, "spacetime: %s\n", fin.export_err);
		}
		fprintf(stderr, "  reproduce: ");
		if (plan.parent < 0)
			ex_print_command(&r, o, seed, 1, stderr);
		else    /* a mutant's plan comes from the corpus of the seeds before it */
			ex_print_command(&r, o, o->first_seed, i + 1, stderr);
		fprintf(stderr, "\n");
		free(keep);
		status = EXIT_VIOLATION;
		break;
	}
	cli_progress_end(&pr);
	double secs = cli_now_s() - pr.start_s;
	if (secs <= 0)
		secs = 1e-9;
	printf("%s: %llu seeds, %llu steps, %llu events; %u abstract states, %u plans kept%s\n",
	       r.sc->name, (unsigned long long)done, (unsigned long long)steps,
	       (unsigned long long)events, e.nseen, e.ncorpus,
	       status == EXIT_DONE ? "; no invariant violated" : "");
	printf("  in %.2f s: %.0f seeds/s, %.0f events/s (swarm faults from: %s)\n", secs,
	       (double)done / secs, (double)events / secs, r.faults_str);
	sw_list_free(&rec);
	sw_engine_free(&e);
	run_setup_close(&r);
	return status;
}
