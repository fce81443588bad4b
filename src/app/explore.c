/* explore.c: `spacetime --explore`: many seeds, random faults, invariants on every step.
 *
 * Each seed is a whole run with the nemesis of sim.c (partitions, crashes, loss, duplication,
 * pauses drawn from the seed). Nothing is kept of a run that holds; the first violation is
 * re-run with its trace exported (the run is a function of the seed, so the re-run is the
 * same run) and the command that reproduces it is printed. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "core/trace_json.h"
#include "run.h"

static void ex_discard(st_trace *t, uint32_t first, uint32_t count, void *user)
{
	(void)t; (void)first; (void)count; (void)user;
}

int explore_main(const cli_opts *o)
{
	if (!o->uniform_faults)
		return explore_swarm_main(o);  /* swarm plans, moments, coverage, shrinking */
	run_setup r;
	cli_opts oo = *o;
	if (!oo.faults)
		oo.faults = "partition,crash,loss,dup";
	int rc = run_setup_scenario(&r, &oo);
	if (rc)
		return rc;
	cli_progress pr;
	cli_progress_start(&pr);
	uint64_t events = 0, steps = 0, done = 0;
	int status = EXIT_DONE;
	for (uint64_t i = 0; i < o->seeds; i++) {
		uint64_t seed = o->first_seed + i;
		run_setup_world(&r, seed, true);
		r.trace->flush = ex_discard;
		sim_status ss = sim_run_steps(r.sim, o->steps);
		events += trace_count(r.trace);
		steps += sim_steps(r.sim);
		done++;
		cli_progress_show(&pr, "  seed %llu of %llu, %llu events",
				  (unsigned long long)(i + 1), (unsigned long long)o->seeds,
				  (unsigned long long)events);
		if (ss != SIM_VIOLATION)
			continue;
		cli_progress_end(&pr);
		uint32_t vev;
		const st_violation *v = sim_violation(r.sim, &vev);
		fprintf(stderr, "spacetime: seed %llu: invariant violated: %s: %s (event %u)\n",
			(unsigned long long)seed, v->invariant, v->detail, vev);
		/* The same run again, this time written down. */
		char path[256], err[1024];
		snprintf(path, sizeof path, "explore-%s-seed%llu.json", r.sc->name,
			 (unsigned long long)seed);
		run_setup_world(&r, seed, true);
		tj_meta meta = {r.path, r.faults_str};
		tj_writer *w = tj_open(path, r.trace, &meta, err, sizeof err);
		if (w) {
			tj_stream(r.trace, w);
			sim_run_steps(r.sim, o->steps);
			if (tj_close(w, err, sizeof err) == 0)
				fprintf(stderr, "  trace: %s\n", path);
			else
				fprintf(stderr, "spacetime: %s\n", err);
		} else {
			fprintf(stderr, "spacetime: %s\n", err);
		}
		cli_opts ro = oo;
		ro.has_steps = true;
		run_print_repro(&r, &ro, stderr);
		status = EXIT_VIOLATION;
		break;
	}
	cli_progress_end(&pr);
	double secs = cli_now_s() - pr.start_s;
	if (secs <= 0)
		secs = 1e-9;
	printf("%s: %llu seeds, %llu steps, %llu events in %.2f s: %.0f seeds/s, %.0f events/s "
	       "(faults: %s)%s\n", r.sc->name, (unsigned long long)done, (unsigned long long)steps,
	       (unsigned long long)events, secs, (double)done / secs, (double)events / secs,
	       r.faults_str, status == EXIT_DONE ? "; no invariant violated" : "");
	run_setup_close(&r);
	return status;
}
