/* search_main.c: `spacetime --search SCENARIO --depth N`: every interleaving of a small world.
 *
 * Runs the breadth-first search of src/core/search.c on the scenario (with --param, --seed,
 * --until-ms as the automatic prefix before the search begins, --budget for the crashes, drops
 * and client requests a path may take), prints what it covered, and on a violation writes the
 * shortest path as a trace (the choices are the user's actions, so --replay re-simulates it
 * and the terminal program opens it). Exit 3 on a violation, 0 when none was found within the
 * depth, as headless and explore do. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/search.h"
#include "core/trace_json.h"
#include "run.h"

static const char *const search_choice_names[SIM_CH__COUNT] = {
	[SIM_CH_DELIVER] = "deliver", [SIM_CH_DROP] = "drop", [SIM_CH_TIMER] = "fire timer",
	[SIM_CH_CRASH] = "crash", [SIM_CH_RESTART] = "restart", [SIM_CH_REQUEST] = "request",
	[SIM_CH_STEP] = "next scheduled item",
};

/* "crashes=1,drops=0,requests=2" */
static bool search_parse_budget(const char *v, search_opts *so)
{
	static const char *const keys[3] = {"crashes", "drops", "requests"};
	int *vals[3] = {&so->max_crashes, &so->max_drops, &so->max_requests};
	const char *p = v;
	while (*p) {
		size_t n = strcspn(p, "=,");
		int k = 0;
		while (k < 3 && !(strlen(keys[k]) == n && strncmp(p, keys[k], n) == 0))
			k++;
		if (k == 3 || p[n] != '=')
			goto bad;
		char *end;
		long x = strtol(p + n + 1, &end, 10);
		if (end == p + n + 1 || x < 0 || x > 16 || (*end && *end != ','))
			goto bad;
		*vals[k] = (int)x;
		p = *end ? end + 1 : end;
	}
	return true;
bad:
	fprintf(stderr, "spacetime: --budget '%s': expected a comma-separated list of crashes=N, "
		"drops=N, requests=N (each 0..16)\n", v);
	return false;
}

typedef struct {
	cli_progress pr;
	double start_s;
} search_ui;

static void search_show(const search_result *r, int level, uint64_t frontier, void *user)
{
	search_ui *ui = user;
	double secs = cli_now_s() - ui->start_s;
	cli_progress_show(&ui->pr, "  depth %d: %llu generated, %llu distinct, frontier %llu, "
			  "%.0f states/s", level, (unsigned long long)r->generated,
			  (unsigned long long)r->distinct, (unsigned long long)frontier,
			  secs > 0 ? (double)r->generated / secs : 0.0);
}

static void search_print_command(const run_setup *r, const cli_opts *o, FILE *f)
{
	fprintf(f, "spacetime --search %s --seed %llu --depth %llu", r->path,
		(unsigned long long)r->seed, (unsigned long long)o->depth);
	run_print_params(o, f);
	if (o->has_until)
		fprintf(f, " --until-ms %lld", (long long)o->until_ms);
	if (o->budget)
		fprintf(f, " --budget %s", o->budget);
	if (o->max_states)
		fprintf(f, " --max-states %llu", (unsigned long long)o->max_states);
}

/* The shortest path again, on a fresh world, written down. */
static int search_write_trace(const run_setup *r, const search_opts *so, const search_result *sr,
			      const char *path)
{
	st_trace *tr = trace_new(r->sc->name, r->sc->protocol, so->seed, r->sc->nnodes,
				 r->sc->nclients, NULL);
	sim_opts sim_o = {so->seed, true, 0};
	st_sim *s = sim_new(r->sc, &sim_o, tr);
	char err[1024];
	tj_meta meta = {r->path, NULL};
	tj_writer *w = tj_open(path, tr, &meta, err, sizeof err);
	if (!w) {
		fprintf(stderr, "spacetime: %s\n", err);
		sim_free(s);
		trace_free(tr);
		return EXIT_RUNTIME;
	}
	tj_stream(tr, w);
	search_root(s, so);
	int64_t requests = 0;
	bool ok = true;
	for (int i = 0; i < sr->npath && ok; i++) {
		if (sr->path[i].kind == SIM_CH_REQUEST)
			requests++;
		ok = search_take(s, r->sc, &sr->path[i], requests);
	}
	bool again = sim_violation(s, NULL) != NULL;
	int rc = tj_close(w, err, sizeof err);
	sim_free(s);
	trace_free(tr);
	if (rc != 0) {
		fprintf(stderr, "spacetime: %s\n", err);
		return EXIT_RUNTIME;
	}
	if (!ok || !again) {
		fprintf(stderr, "spacetime: the path did not break the invariant again when "
			"re-executed (a bug of the search)\n");
		return EXIT_RUNTIME;
	}
	return 0;
}

int search_main(const cli_opts *o)
{
	run_setup r;
	int rc = run_setup_scenario(&r, o);
	if (rc)
		return rc;
	search_opts so;
	search_opts_default(&so);
	so.seed = r.seed;
	if (o->depth)
		so.depth = o->depth > 1000 ? 1000 : (int)o->depth;
	if (o->max_states)
		so.max_states = o->max_states;
	if (o->has_until)
		so.start_us = o->until_ms * 1000;
	if (o->budget && !search_parse_budget(o->budget, &so)) {
		run_setup_close(&r);
		return EXIT_BAD_INPUT;
	}
	cli_opts oo = *o;
	oo.depth = (uint64_t)so.depth;
	search_ui ui;
	cli_progress_start(&ui.pr);
	ui.start_s = cli_now_s();
	search_result sr;
	if (search_run(r.sc, &so, &sr, search_show, &ui) != 0) {
		fprintf(stderr, "spacetime: out of memory setting up the world\n");
		run_setup_close(&r);
		return EXIT_RUNTIME;
	}
	cli_progress_end(&ui.pr);
	double secs = cli_now_s() - ui.start_s;
	if (secs <= 0)
		secs = 1e-9;
	int depth = sr.violated ? sr.npath : sr.depth;
	printf("%s: search to depth %d (budget: %d crashes, %d drops, %d requests per path): "
	       "%llu states generated, %llu distinct, depth %d reached%s\n", r.sc->name, so.depth,
	       so.max_crashes, so.max_drops, so.max_requests, (unsigned long long)sr.generated,
	       (unsigned long long)sr.distinct, depth,
	       sr.violated ? "" : sr.bounded ? "; stopped by --max-states" :
	       sr.depth < so.depth ? "; every state explored" : "; no invariant violated");
	printf("  in %.2f s: %.0f states/s; largest frontier %.1f MiB encoded\n", secs,
	       (double)sr.generated / secs, (double)sr.frontier_bytes_max / (1 << 20));
	int status = EXIT_DONE;
	if (sr.bounded)
		printf("  the bound of %llu distinct states stopped the search at depth %d; raise "
		       "--max-states (8 bytes each in the seen-set, 16 for the path)\n",
		       (unsigned long long)so.max_states, sr.depth);
	if (sr.violated) {
		fprintf(stderr, "spacetime: invariant violated: %s: %s\n", sr.invariant, sr.detail);
		fprintf(stderr, "  the shortest path, %d choices:", sr.npath);
		for (int i = 0; i < sr.npath; i++) {
			char who[16];
			scenario_proc_name(r.sc, sr.path[i].proc, who, sizeof who);
			fprintf(stderr, "%s %s", i ? "," : "", search_choice_names[sr.path[i].kind]);
			if (sr.path[i].kind == SIM_CH_DELIVER || sr.path[i].kind == SIM_CH_DROP)
				fprintf(stderr, " to %s", who);
			else if (sr.path[i].kind != SIM_CH_STEP)
				fprintf(stderr, " %s", who);
		}
		fprintf(stderr, "\n");
		char path[512];
		snprintf(path, sizeof path, "%s", o->export_path ? o->export_path : "");
		if (!path[0])
			snprintf(path, sizeof path, "search-%s.json", r.sc->name);
		if (search_write_trace(&r, &so, &sr, path) == 0) {
			fprintf(stderr, "  trace: %s\n", path);
			fprintf(stderr, "  watch it: spacetime --replay %s\n", path);
		}
		fprintf(stderr, "  reproduce: ");
		search_print_command(&r, &oo, stderr);
		fprintf(stderr, "\n");
		status = EXIT_VIOLATION;
	}
	search_result_free(&sr);
	run_setup_close(&r);
	return status;
}
