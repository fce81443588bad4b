/* check_history.c: `spacetime --check-history FILE`, and --check-linearizable for a run.
 *
 * --check-history reads a history (a Jepsen EDN history, Jepsen log lines or one of our
 * traces: ophist.h finds which from the content), picks the model (--model, else the one the
 * history fits: the key-value store when operations have keys, the register when not), runs
 * the linearizability checker and says what it found. Exit 0 linearizable, 3 not (with the
 * longest linearizable prefix and the operations that cannot come next), 2 bad input
 * (file:line:col), 1 when the search's budget (--max-states) ran out before a verdict.
 *
 * --check-linearizable is the same question about the run being made: "the clients' history
 * is linearizable" as an invariant checked at the end of a headless run. The trace streams
 * away as the run goes, so the history is built event by event from the flush (cli_lin_event)
 * and checked once the run is over (cli_lin_end). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "cli.h"
#include "core/lin_check.h"

/* The model named, or the one the history fits; when it fits none, the default one, whose
 * reading of the operations then names the first it does not know, with its place. */
static const lin_model *ch_model(const cli_opts *o, const ophist *h)
{
	if (o->model) {
		const lin_model *m = lin_model_find(o->model);
		if (!m) {
			fprintf(stderr, "spacetime: --model %s is not a model; the models are:", o->model);
			for (int i = 0; lin_models[i]; i++)
				fprintf(stderr, " %s", lin_models[i]->name);
			fprintf(stderr, "\n");
		}
		return m;
	}
	const lin_model *m = lin_model_guess(h);
	return m ? m : h->keyed ? &lin_model_kv : &lin_model_register;
}

static int ch_status(lin_verdict v)
{
	static const int status[] = {[LIN_LINEARIZABLE] = EXIT_DONE, [LIN_NOT] = EXIT_VIOLATION,
				     [LIN_UNKNOWN] = EXIT_RUNTIME, [LIN_BAD] = EXIT_BAD_INPUT};
	return status[v];
}

int check_history_main(const cli_opts *o)
{
	ophist h;
	ophist_init(&h);
	char err[1024];
	if (!ophist_read_file(o->history, &h, err, sizeof err)) {
		fprintf(stderr, "spacetime: %s\n", err);
		ophist_free(&h);
		return EXIT_BAD_INPUT;
	}
	const lin_model *m = ch_model(o, &h);
	if (!m) {
		ophist_free(&h);
		return EXIT_BAD_INPUT;
	}
	lin_opts lo = {o->max_states};
	lin_result r;
	double t0 = cli_now_s();
	lin_verdict v = lin_check(&h, m, &lo, o->history, &r);
	double ms = (cli_now_s() - t0) * 1e3;
	if (v == LIN_BAD) {
		fprintf(stderr, "spacetime: %s\n", r.err);
	} else if (o->quiet) {
		printf("%s: %s\n", o->history, lin_verdict_names[v]);
	} else {
		printf("%s: %s history, %zu operations, checked in %.3f ms\n", o->history, h.format,
		       h.n, ms);
		lin_result_print(stdout, &h, m, &r);
		if (v == LIN_UNKNOWN)
			printf("  (raise --max-states, now %llu, to search further)\n",
			       (unsigned long long)(o->max_states ? o->max_states :
						    LIN_DEFAULT_MAX_STATES));
	}
	lin_result_free(&r);
	ophist_free(&h);
	return ch_status(v);
}

/* ---- --check-linearizable during a run ---- */

struct cli_lin {
	const cli_opts *o;
	ophist h;
	bool bad;
	char err[512];
};

cli_lin *cli_lin_begin(const cli_opts *o)
{
	if (!o->check_lin)
		return NULL;
	cli_lin *l = st_zalloc(1, sizeof *l);
	l->o = o;
	ophist_init(&l->h);
	return l;
}

void cli_lin_event(cli_lin *l, const struct st_trace *t, uint32_t id)
{
	if (l && !l->bad && !ophist_trace_event(&l->h, t, id, l->err, sizeof l->err))
		l->bad = true;
}

int cli_lin_end(cli_lin *l, FILE *out)
{
	if (!l)
		return EXIT_DONE;
	int status;
	if (l->bad) {
		fprintf(stderr, "spacetime: the clients' history cannot be checked: %s\n", l->err);
		status = EXIT_RUNTIME;
	} else {
		const lin_model *m = ch_model(l->o, &l->h);
		lin_opts lo = {l->o->max_states};
		lin_result r;
		lin_verdict v = m ? lin_check(&l->h, m, &lo, "the run", &r) : LIN_BAD;
		if (v == LIN_BAD) {
			if (m)
				fprintf(stderr, "spacetime: the clients' history cannot be checked: %s\n",
					r.err);
			status = EXIT_RUNTIME;
		} else {
			status = ch_status(v);
			if (v == LIN_NOT)
				fprintf(stderr, "spacetime: invariant violated: linearizable: the "
					"clients' history is not linearizable\n");
			if (!l->o->quiet || v != LIN_LINEARIZABLE) {
				fprintf(out, "  clients' history: ");
				lin_result_print(out, &l->h, m, &r);
			}
		}
		if (m)
			lin_result_free(&r);
	}
	ophist_free(&l->h);
	free(l);
	return status;
}
