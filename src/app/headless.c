/* headless.c: `spacetime --headless`: run a scenario without a terminal, print what happened.
 *
 * The trace streams: each finished step is counted for the summary, written to the export
 * file if one was asked for, and forgotten, so memory stays flat however long the run. On an
 * invariant violation the run stops, the trace written so far is still renamed into place,
 * and the exit status is 3. An export that cannot be written is exit 1 (a directory named
 * as the file, exit 2), and the summary is checked by main like every mode's output. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/outfile.h"
#include "core/scenario.h"
#include "core/sim.h"
#include "core/trace_json.h"
#include "run.h"

#define MAX_MILESTONES 16

typedef struct {
	tj_writer *w;
	uint64_t kinds[KIND__COUNT];
	uint64_t drops[4], completes[3];
	uint32_t ms_label[MAX_MILESTONES];
	uint64_t ms_count[MAX_MILESTONES];
	int nms;
	cli_lin *lin;   /* --check-linearizable */
} hl_stats;

static void hl_flush(st_trace *t, uint32_t first, uint32_t count, void *user)
{
	hl_stats *st = user;
	for (uint32_t id = first; id < first + count; id++) {
		const st_event *e = trace_at(t, id);
		st->kinds[e->kind]++;
		if (e->kind == KIND_DROP)
			st->drops[e->aux & 3]++;
		if (e->kind == KIND_COMPLETE)
			st->completes[e->aux % 3]++;
		if ((e->flags & EVF_MILESTONE) && e->label) {
			int i = 0;
			while (i < st->nms && st->ms_label[i] != e->label)
				i++;
			if (i == st->nms && st->nms < MAX_MILESTONES)
				st->ms_label[st->nms++] = e->label;
			if (i < st->nms)
				st->ms_count[i]++;
		}
		if (st->w)
			tj_event(st->w, t, id);
		cli_lin_event(st->lin, t, id);
	}
}

/* "commit 5" and "commit 6" are one kind of milestone: group by the label without its
 * trailing numbers. */
static size_t hl_stem(const char *l)
{
	size_t n = strlen(l);
	for (;;) {
		size_t k = n;
		while (k > 0 && l[k - 1] >= '0' && l[k - 1] <= '9')
			k--;
		if (k == n || k == 0 || l[k - 1] != ' ')
			return n;
		n = k - 1;
	}
}

static void hl_print_milestones(FILE *f, const st_trace *t, const hl_stats *st)
{
	const char *words[MAX_MILESTONES];
	size_t lens[MAX_MILESTONES];
	uint64_t counts[MAX_MILESTONES];
	int n = 0;
	for (int i = 0; i < st->nms; i++) {
		const char *l = trace_str(t, st->ms_label[i]);
		size_t wl = hl_stem(l);
		int k = 0;
		while (k < n && !(lens[k] == wl && strncmp(words[k], l, wl) == 0))
			k++;
		if (k == n) {
			words[n] = l;
			lens[n] = wl;
			counts[n++] = 0;
		}
		counts[k] += st->ms_count[i];
	}
	if (!n)
		return;
	fprintf(f, "  milestones:");
	for (int k = 0; k < n; k++)
		fprintf(f, "%s %.*s x%llu", k ? "," : "", (int)lens[k], words[k],
		       (unsigned long long)counts[k]);
	fprintf(f, "\n");
}

int headless_main(const cli_opts *o)
{
	run_setup r;
	int rc = run_setup_open(&r, o);
	if (rc)
		return rc;
	hl_stats st;
	memset(&st, 0, sizeof st);
	char err[1024];
	tj_meta meta = {r.path, r.faults_str};
	if (o->export_path) {
		st.w = tj_open(o->export_path, r.trace, &meta, err, sizeof err);
		if (!st.w) {
			/* a directory named as the file is bad usage; anything else, the machine */
			int why = outfile_bad_usage(errno) ? EXIT_BAD_INPUT : EXIT_RUNTIME;
			fprintf(stderr, "spacetime: %s\n", err);
			run_setup_close(&r);
			return why;
		}
	}
	st.lin = cli_lin_begin(o);
	r.trace->flush = hl_flush;
	r.trace->flush_user = &st;

	uint64_t steps = o->has_steps ? o->steps : 10000;
	cli_progress pr;
	cli_progress_start(&pr);
	sim_status ss = SIM_OK;
	if (o->has_until) {
		int64_t until_us = o->until_ms * 1000;
		while (ss == SIM_OK) {
			int64_t next = sim_next_us(r.sim);
			if (next < 0 || next > until_us)
				break;
			ss = sim_step(r.sim);
			if ((sim_steps(r.sim) & 0xffff) == 0)
				cli_progress_show(&pr, "  virtual time %.1f of %.1f s",
						  sim_now_us(r.sim) / 1e6, until_us / 1e6);
		}
	} else {
		for (uint64_t i = 0; i < steps && ss == SIM_OK; i++) {
			ss = sim_step(r.sim);
			if ((i & 0xffff) == 0xffff)
				cli_progress_show(&pr, "  step %llu of %llu (%.0f%%)",
						  (unsigned long long)i, (unsigned long long)steps,
						  100.0 * (double)i / (double)steps);
		}
	}
	cli_progress_end(&pr);

	int status = EXIT_DONE;
	if (st.w && tj_close(st.w, err, sizeof err) != 0) {
		fprintf(stderr, "spacetime: %s\n", err);
		status = EXIT_RUNTIME;
	}
	const st_trace *t = r.trace;
	/* the summary goes where the trace does not: --export - streams JSON to stdout */
	FILE *sf = outfile_is_stdout(o->export_path) ? stderr : stdout;
	if (!o->quiet) {
		fprintf(sf, "%s (%s), seed %llu: %llu steps, %u events, virtual time %.3f s%s\n",
		       r.sc->name, r.sc->protocol->name, (unsigned long long)r.seed,
		       (unsigned long long)sim_steps(r.sim), trace_count(t),
		       sim_now_us(r.sim) / 1e6, ss == SIM_IDLE ? " (nothing left to happen)" : "");
		fprintf(sf, "  messages: %llu sent, %llu received, %llu dropped "
		       "(loss %llu, partition %llu, crashed %llu, user %llu)\n",
		       (unsigned long long)st.kinds[KIND_SEND], (unsigned long long)st.kinds[KIND_RECV],
		       (unsigned long long)st.kinds[KIND_DROP], (unsigned long long)st.drops[0],
		       (unsigned long long)st.drops[1], (unsigned long long)st.drops[2],
		       (unsigned long long)st.drops[3]);
		if (st.kinds[KIND_INVOKE])
			fprintf(sf, "  client ops: %llu invoked, %llu ok, %llu fail, %llu info, %llu open\n",
			       (unsigned long long)st.kinds[KIND_INVOKE],
			       (unsigned long long)st.completes[0], (unsigned long long)st.completes[1],
			       (unsigned long long)st.completes[2],
			       (unsigned long long)(st.kinds[KIND_INVOKE] - st.kinds[KIND_COMPLETE]));
		if (st.kinds[KIND_CRASH] || st.kinds[KIND_PARTITION])
			fprintf(sf, "  faults: %llu crashes, %llu restarts, %llu partitions, %llu heals\n",
			       (unsigned long long)st.kinds[KIND_CRASH],
			       (unsigned long long)st.kinds[KIND_RESTART],
			       (unsigned long long)st.kinds[KIND_PARTITION],
			       (unsigned long long)st.kinds[KIND_HEAL]);
		hl_print_milestones(sf, t, &st);
		if (o->export_path && status == EXIT_DONE)
			fprintf(sf, "  trace: %s\n", o->export_path);
	}
	int lin_status = cli_lin_end(st.lin, sf);
	if (lin_status && status == EXIT_DONE)
		status = lin_status;
	uint32_t vev;
	const st_violation *v = sim_violation(r.sim, &vev);
	if (v) {
		fprintf(stderr, "spacetime: invariant violated: %s: %s\n", v->invariant, v->detail);
		fprintf(stderr, "  at event %u (t = %.3f ms), seed %llu\n", vev,
			sim_now_us(r.sim) / 1e3, (unsigned long long)r.seed);
		run_print_repro(&r, o, stderr);
		status = EXIT_VIOLATION;
	}
	run_setup_close(&r);
	return status;
}
