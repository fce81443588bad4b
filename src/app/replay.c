/* replay.c: `spacetime --replay TRACE.json`: a trace is the full recipe of its run.
 *
 * The scenario, the seed, the random faults and every action the user took (events with
 * "by": "user", which name their action) are read back; the run is re-simulated through a
 * history, the actions applied at the positions where they were taken, and every event compared
 * with the file's. With --headless that is all; without, the terminal program opens on the
 * re-simulated run at its first event, ready to step.
 *
 * The file is read once, through trace_read.c, and every event is checked by --verify's checker
 * before anything of it is used (so an action's event id is its position, its process a
 * process of the trace), then the action's own numbers are range-checked before they are
 * cast. Verdicts: a file --verify calls unreadable (2) or broken (1) is refused with 2 and
 * --verify's first message; one that keeps the contract gives 0 when the re-simulation is the
 * same (3 when the recorded run violates an invariant), 1 when it differs (naming the first
 * differing event and field) or cannot be re-simulated here (another protocol, version or
 * scenario), 2 when an action is out of range. Memory: the re-simulated history, the checker's
 * record per message, and one event of the file. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/mem.h"
#include "cli.h"
#include "core/history.h"
#include "core/json_text.h"
#include "core/scenario.h"
#include "core/trace_import.h"
#include "core/trace_json.h"
#include "core/trace_read.h"
#include "core/trace_verify.h"
#include "replay.h"
#include "scenario_path.h"

/* How far a recorded action may reach: times within a day... of virtual time, rates in ppm. */
#define REPLAY_MAX_US ((int64_t)86400 * 1000000)
#define REPLAY_MAX_COPY 1024

/* Reading an action's fields: every number range-checked before it is cast; the first field
 * that is missing or out of range is kept for the message. */
typedef struct {
	const cJSON *o;
	int nprocs, ntimers;
	const char *bad;        /* the first bad field's name */
	const char *want;       /* ... and what it should have been */
} rp_rd;

static int64_t rp_get(rp_rd *r, const char *key, int64_t lo, int64_t hi, int64_t def,
		      bool need, const char *want)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(r->o, key);
	int64_t x;
	if ((!it || (cJSON_IsNull(it) && lo < 0)) && !need)
		return def;     /* absent, or null where "none" (-1) is allowed */
	if (it && json_int64(it, &x) && x >= lo && x <= hi)
		return x;
	if (!r->bad) {
		r->bad = key;
		r->want = want;
	}
	return def;
}

static int rp_proc(rp_rd *r, const char *key)
{
	return (int)rp_get(r, key, 0, r->nprocs - 1, -1, true, "a process index");
}

/* Input events name their action; each name fills a hist_act from the body. */
typedef void (*act_reader)(rp_rd *r, hist_act *a);
static void rd_proc(rp_rd *r, hist_act *a) { a->proc = rp_proc(r, "proc"); }
static void rd_cut(rp_rd *r, hist_act *a)
{
	a->proc = rp_proc(r, "from");
	a->to = rp_proc(r, "to");
}
static void rd_request(rp_rd *r, hist_act *a)
{
	a->proc = rp_proc(r, "client");
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(r->o, "f");
	if (f && !cJSON_IsString(f) && !r->bad) {
		r->bad = "f";
		r->want = "a string";
	}
	snprintf(a->op.f, sizeof a->op.f, "%s", cJSON_IsString(f) ? f->valuestring : "write");
	a->op.has_value = cJSON_GetObjectItemCaseSensitive(r->o, "value") != NULL;
	a->op.value = rp_get(r, "value", INT64_MIN, INT64_MAX, 0, false, "an integer");
	a->op.node = (int)rp_get(r, "node", -1, r->nprocs - 1, -1, false, "a process index");
}
static void rd_rate(rp_rd *r, hist_act *a)
{
	a->rate = (double)rp_get(r, "ppm", 0, 1000000, 0, false, "parts per million, 0 to "
				 "1000000") / 1e6;
}
static void rd_latency(rp_rd *r, hist_act *a)
{
	a->a_us = rp_get(r, "lo_us", 0, REPLAY_MAX_US, 0, false, "microseconds, at most a day");
	a->b_us = rp_get(r, "hi_us", 0, REPLAY_MAX_US, 0, false, "microseconds, at most a day");
}
static void rd_msg(rp_rd *r, hist_act *a)
{
	a->msg = (uint32_t)rp_get(r, "msg", 0, UINT32_MAX, 0, true, "a message id");
	a->copy = (int)rp_get(r, "copy", 0, REPLAY_MAX_COPY, 0, false, "a copy number");
	a->a_us = rp_get(r, "delay_us", 0, REPLAY_MAX_US, 0, false, "microseconds, at most a "
			 "day");
}
static void rd_timer(rp_rd *r, hist_act *a)
{
	a->proc = rp_proc(r, "proc");
	a->timer = (int)rp_get(r, "timer", 0, r->ntimers - 1, -1, true, "a timer of the protocol");
}
static void rd_manual(rp_rd *r, hist_act *a)
{
	a->proc = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r->o, "on"));
}
static void rd_clock(rp_rd *r, hist_act *a)
{
	a->proc = rp_proc(r, "proc");
	a->a_us = rp_get(r, "skew_us", -REPLAY_MAX_US, REPLAY_MAX_US, 0, false, "microseconds, "
			 "within a day");
	a->b_us = rp_get(r, "drift_ppm", -1000000, 1000000, 0, false, "parts per million");
}

static const struct { const char *action; hist_act_kind kind; act_reader read; } replay_inputs[] = {
	{"cut", ACT_CUT, rd_cut}, {"uncut", ACT_UNCUT, rd_cut},
	{"pause", ACT_PAUSE, rd_proc}, {"resume", ACT_RESUME, rd_proc},
	{"request", ACT_REQUEST, rd_request}, {"loss", ACT_LOSS, rd_rate},
	{"duplicate_rate", ACT_DUPLICATE_RATE, rd_rate}, {"latency", ACT_LATENCY, rd_latency},
	{"deliver", ACT_MSG_DELIVER, rd_msg}, {"duplicate_msg", ACT_MSG_DUP, rd_msg},
	{"delay", ACT_MSG_DELAY, rd_msg}, {"fire_timer", ACT_FIRE_TIMER, rd_timer},
	{"manual", ACT_MANUAL, rd_manual}, {"clock", ACT_CLOCK, rd_clock},
};

static const char *rp_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The user's action event ev (position idx, which the contract check has made its id)
 * records: 1 and *a, 0 when it records none, -1 when a field is out of range (r->bad). */
static int replay_action_of(const cJSON *ev, uint32_t idx, rp_rd *r, hist_act *a)
{
	const char *by = rp_str(ev, "by"), *kind = rp_str(ev, "kind");
	if (!by || strcmp(by, "user") != 0 || !kind)
		return 0;
	memset(a, 0, sizeof *a);
	a->at = idx;
	r->o = ev;
	if (strcmp(kind, "partition") == 0) {
		/* the contract check made groups disjoint arrays of process indexes */
		const cJSON *groups = cJSON_GetObjectItemCaseSensitive(ev, "groups"), *g;
		memset(a->group, -1, sizeof a->group);
		int gi = 0;
		cJSON_ArrayForEach(g, groups) {
			const cJSON *p;
			int64_t x;
			if (gi >= 127) {
				r->bad = "groups";
				r->want = "at most 127 groups";
				return -1;
			}
			cJSON_ArrayForEach(p, g)
				if (json_int64(p, &x) && x >= 0 && x < r->nprocs)
					a->group[x] = (int8_t)gi;
			gi++;
		}
		a->ngroups = gi;
		a->kind = ACT_PARTITION;
		return 1;
	}
	if (strcmp(kind, "heal") == 0) {
		a->kind = ACT_HEAL;
		return 1;
	}
	if (strcmp(kind, "crash") == 0 || strcmp(kind, "restart") == 0) {
		a->kind = kind[0] == 'c' ? ACT_CRASH : ACT_RESTART;
		a->proc = rp_proc(r, "proc");
		return r->bad ? -1 : 1;
	}
	if (strcmp(kind, "drop") == 0) {
		a->kind = ACT_MSG_DROP;
		a->msg = (uint32_t)rp_get(r, "msg", 0, UINT32_MAX, 0, true, "a message id");
		a->copy = (int)rp_get(r, "copy", 0, REPLAY_MAX_COPY, 0, false, "a copy number");
		return r->bad ? -1 : 1;
	}
	if (strcmp(kind, "input") == 0) {
		r->o = cJSON_GetObjectItemCaseSensitive(ev, "body");
		const char *action = rp_str(r->o, "action");
		for (size_t i = 0; action && i < sizeof replay_inputs / sizeof replay_inputs[0]; i++)
			if (strcmp(replay_inputs[i].action, action) == 0) {
				a->kind = replay_inputs[i].kind;
				replay_inputs[i].read(r, a);
				return r->bad ? -1 : 1;
			}
	}
	return 0;  /* an invoke by the user follows its request input: not an action */
}

/* Which top-level field of two event objects differs first, for the message. */
static void replay_describe_diff(const cJSON *mine, const cJSON *theirs, char *out, size_t n)
{
	const cJSON *f;
	cJSON_ArrayForEach(f, theirs) {
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(mine, f->string);
		if (!m || !cJSON_Compare(m, f, true)) {
			char *a = m ? cJSON_PrintUnformatted(m) : NULL, *b = cJSON_PrintUnformatted(f);
			snprintf(out, n, "field \"%s\" is %.80s in the file, %.80s when re-simulated",
				 f->string, b ? b : "?", a ? a : "(absent)");
			free(a);
			free(b);
			return;
		}
	}
	cJSON_ArrayForEach(f, mine)
		if (!cJSON_GetObjectItemCaseSensitive(theirs, f->string)) {
			snprintf(out, n, "field \"%s\" is absent in the file but present when "
					 "re-simulated", f->string);
			return;
		}
	snprintf(out, n, "the events differ");
}

void replay_free(replay_run *r)
{
	history_free(r->h);
	scenario_free(r->sc);
	memset(r, 0, sizeof *r);
}

/* Can the header's run be re-simulated here? EXIT_DONE with r->sc and r->h set; EXIT_RUNTIME
 * (read-only: another protocol, version or scenario, other processes) or EXIT_BAD_INPUT,
 * with why it cannot in why: said once the file is read, and only if it keeps the contract
 * (a broken file is told as --verify tells it). The contract check has passed the header:
 * its fields have their types. */
static int replay_setup(const char *path, const cJSON *hdr, const cli_opts *o, replay_run *r,
			char *why, size_t n)
{
	char err[2048];
	const char *scname = rp_str(hdr, "scenario"), *scpath = rp_str(hdr, "scenario_path");
	const char *proto = rp_str(hdr, "protocol"), *pver = rp_str(hdr, "protocol_version");
	const char *faults = rp_str(hdr, "faults");
	int64_t seed;
	if (!json_int64(cJSON_GetObjectItemCaseSensitive(hdr, "seed"), &seed) || seed < 0 ||
	    seed > ((int64_t)1 << 53)) {
		snprintf(why, n, "%s: seed must be a whole number from 0 to 2^53 to be re-simulated",
			path);
		return EXIT_BAD_INPUT;
	}
	const st_protocol *pr = proto ? registry_find(proto) : NULL;
	if (!pr || (pver && strcmp(pver, pr->version) != 0)) {
		snprintf(why, n, "%s: protocol %s version %s cannot be re-simulated here (this build "
			"has %s)", path, proto ? proto : "?", pver ? pver : "?",
			pr ? pr->version : "no such protocol");
		r->read_only = true;
		return EXIT_RUNTIME;
	}
	char found[4096];
	if (!scname || (!(scpath && scenario_path_find(scpath, o->argv0, found, sizeof found)) &&
			!scenario_path_find(scname, o->argv0, found, sizeof found))) {
		snprintf(why, n, "%s: its scenario %s was not found (looked for %s and by name)",
			path, scname ? scname : "?", scpath ? scpath : "(no path)");
		r->read_only = true;
		return EXIT_RUNTIME;
	}
	r->sc = scenario_load(found, err, sizeof err);
	if (!r->sc) {
		snprintf(why, n, "%.2000s", err);
		return EXIT_BAD_INPUT;
	}
	int fmask = 0;
	if (faults && *faults && (fmask = sim_parse_faults(faults, err, sizeof err)) < 0) {
		snprintf(why, n, "%s: %.1000s", path, err);
		return EXIT_BAD_INPUT;
	}
	/* the processes must be the scenario's, name for name */
	const cJSON *procs = cJSON_GetObjectItemCaseSensitive(hdr, "processes"), *pj;
	int np = cJSON_GetArraySize(procs), pi = 0;
	if (np != r->sc->nprocs) {
		snprintf(why, n, "%s: %d processes, but scenario %s has %d", path, np, r->sc->name,
			r->sc->nprocs);
		return EXIT_RUNTIME;
	}
	cJSON_ArrayForEach(pj, procs) {
		char want[16];
		scenario_proc_name(r->sc, pi, want, sizeof want);
		const char *name = rp_str(pj, "name"), *role = rp_str(pj, "role");
		const char *want_role = pi < r->sc->nnodes ? "node" : "client";
		if (!name || strcmp(name, want) != 0 || !role || strcmp(role, want_role) != 0) {
			snprintf(why, n, "%s: process %d is %s (%s), the scenario's is %s (%s)", path,
				pi, name ? name : "?", role ? role : "?", want, want_role);
			return EXIT_RUNTIME;
		}
		pi++;
	}
	/* the run's params as the header records them (a --param or a variant changed them), the
	 * file's values taken over the scenario's; --verify has checked they are the protocol's */
	const cJSON *ps = cJSON_GetObjectItemCaseSensitive(hdr, "params"), *it;
	const st_protocol *sp = r->sc->protocol;
	if (cJSON_IsObject(ps))
		cJSON_ArrayForEach(it, ps)
			for (int i = 0; i < sp->n_params && i < ST_MAX_PARAMS; i++)
				if (strcmp(sp->params[i].name, it->string) == 0)
					trace_verify_param(&sp->params[i], it, &r->sc->params[i]);
	r->seed = (uint64_t)seed;
	/* the terminal program checks the invariants by default, so a violation the file records
	 * is found again and named on screen */
	sim_opts so = {r->seed, o->check || !o->headless, fmask};
	r->h = history_new(r->sc, &so);
	return EXIT_DONE;
}

/* Re-simulate up to event ev (at position idx, its id by the contract check) and compare
 * it: EXIT_DONE while equal, else the status after a message. */
static int replay_event(const char *path, replay_run *r, tj_buf *b, const trace_rd_value *ev,
			uint32_t idx, FILE *errf)
{
	st_history *h = r->h;
	hist_act a;
	rp_rd rr = {.nprocs = r->sc->nprocs, .ntimers = r->sc->protocol->n_timers};
	int k = replay_action_of(ev->json, idx, &rr, &a);
	long line, col;
	trace_rd_key(ev, k < 0 ? "body" : NULL, &line, &col);
	if (k < 0) {
		char sa[64];
		const cJSON *o = cJSON_IsObject(rr.o) ? rr.o : ev->json;
		fprintf(errf, "%s:%ld:%ld: event %u: the user's action has \"%s\" %s, expected %s\n",
			path, line, col, idx, rr.bad,
			json_show(cJSON_GetObjectItemCaseSensitive(o, rr.bad), sa, sizeof sa),
			rr.want);
		return EXIT_BAD_INPUT;
	}
	if (k > 0) {
		while (history_end(h) < a.at && history_step(h) != SIM_IDLE)
			;
		if (history_end(h) != a.at || !history_act(h, &a)) {
			fprintf(errf, "%s:%ld:%ld: event %u: the user's action could not be taken "
				"again (the run differs before it)\n", path, line, col, idx);
			r->first_diff = idx;
			return EXIT_RUNTIME;
		}
	}
	while (history_end(h) <= idx && history_step(h) != SIM_IDLE)
		;
	if (history_end(h) <= idx) {
		fprintf(errf, "%s:%ld:%ld: event %u: the re-simulated run stops at %u events\n",
			path, line, col, idx, history_end(h));
		r->first_diff = idx;
		return EXIT_RUNTIME;
	}
	b->len = 0;
	tj_event_json(b, history_trace(h), idx);
	cJSON *mine = cJSON_ParseWithLength(b->buf, b->len);
	int rc = EXIT_DONE;
	if (!mine || !cJSON_Compare(mine, ev->json, true)) {
		char why[256];
		replay_describe_diff(mine, ev->json, why, sizeof why);
		fprintf(errf, "%s:%ld:%ld: event %u differs: %s\n", path, line, col, idx, why);
		r->first_diff = idx;
		rc = EXIT_RUNTIME;
	}
	cJSON_Delete(mine);
	return rc;
}

/* One pass over the file: every event is checked against the contract (the same checker as
 * --verify, so both modes refuse the same files with the same first message) and, while the
 * run can be re-simulated and still agrees, re-simulated and compared. Memory: the
 * re-simulated history, the checker's record per message, and one event of the file. */
int replay_load(const char *path, const cli_opts *o, replay_run *r, FILE *out, FILE *errf)
{
	memset(r, 0, sizeof *r);
	trace_rd *rd = trace_rd_open(path);
	trace_verify *v = trace_verify_begin(rd, errf);
	const cJSON *hdr = trace_rd_header(rd);
	int status = EXIT_DONE;
	char why[2048] = "";
	if (hdr && trace_verify_broken(v) == 0)
		status = replay_setup(path, hdr, o, r, why, sizeof why);
	bool live = status == EXIT_DONE && r->h;
	tj_buf b = {0};
	trace_rd_value ev;
	uint64_t idx, nev = 0;
	int got = 0;
	bool refused = false;   /* an action out of range: stop there */
	while (!refused && trace_verify_broken(v) == 0 &&
	       (got = trace_rd_next(rd, &ev, &idx)) > 0) {
		nev = idx + 1;
		if (!trace_verify_event(v, &ev, idx) || !live)
			continue;
		int st = replay_event(path, r, &b, &ev, (uint32_t)idx, errf);
		if (st != EXIT_DONE) {
			status = st;
			live = false;
			refused = st == EXIT_BAD_INPUT;
		}
	}
	tj_buf_free(&b);
	if (got < 0)
		trace_verify_refused(v, trace_rd_error(rd));
	uint64_t violations = trace_verify_violations(v);
	int vrc = trace_verify_end(v, NULL, NULL);
	trace_rd_close(rd);
	if (refused || vrc == TRACE_VERIFY_UNREADABLE || vrc == TRACE_VERIFY_BROKEN) {
		r->read_only = false;   /* refused: not opened read-only either */
		return EXIT_BAD_INPUT;  /* the checker said why, as --verify does */
	}
	if (why[0])
		fprintf(errf, "%s\n", why);
	if (status != EXIT_DONE)
		return status;
	fprintf(out, "%s: replay matches: %llu events re-simulated from %s, seed %llu\n", path,
		(unsigned long long)nev, r->sc->name, (unsigned long long)r->seed);
	return violations ? EXIT_VIOLATION : EXIT_DONE;
}

/* A trace that cannot be re-simulated opens read-only: imported as recorded, with a
 * scenario made up from its header so the views have names and a title. */
static int replay_read_only(const cli_opts *o)
{
	char err[2048];
	st_trace *t = trace_import(o->target, err, sizeof err);
	if (!t) {
		fprintf(stderr, "spacetime: %s\n", err);
		return EXIT_BAD_INPUT;
	}
	st_scenario *sc = st_zalloc(1, sizeof *sc);
	st_history *h = history_open_trace(t);
	char title[160];
	snprintf(title, sizeof title, "read-only: %s", o->target);
	sc->path = st_strdup(o->target);
	sc->name = st_strdup(t->scenario);
	sc->title = st_strdup(title);
	sc->topic = st_strdup("");
	sc->protocol_name = st_strdup(t->protocol);
	sc->protocol = t->proto;
	sc->nnodes = t->nnodes;
	sc->nclients = t->nclients;
	sc->nprocs = t->nprocs;
	sc->seed = t->seed;
	int rc = tui_run_history(o, sc, h, "read-only: this trace cannot be re-simulated here; "
				 "every view works, stepping moves through the recorded events");
	history_free(h);
	scenario_free(sc);
	return rc;
}

int replay_main(const cli_opts *o)
{
	replay_run r;
	int st = replay_load(o->target, o, &r, stdout, stderr);
	if (!o->headless && r.read_only) {
		replay_free(&r);
		return replay_read_only(o);
	}
	if (o->headless || st == EXIT_BAD_INPUT || !r.h) {
		replay_free(&r);
		return st;
	}
	history_seek(r.h, 0);
	int rc = tui_run_history(o, r.sc, r.h, st == EXIT_DONE ? "replayed: the run matches the file"
								: "replayed: differs from the file");
	replay_free(&r);
	return rc;
}
