/* replay.c: `spacetime --replay TRACE.json`: a trace is the full recipe of its run.
 *
 * The scenario, the seed, the random faults and every action the user took (events with
 * "by": "user", which name their action) are read back; the run is re-simulated through a
 * history, the actions applied at the positions where they were taken, and every event compared
 * with the file's. With --headless that is all (exit 0 equal, 1 different, naming the first
 * differing event and field); without, the terminal program opens on the re-simulated run at
 * its first event, ready to step. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "core/history.h"
#include "core/json_text.h"
#include "core/scenario.h"
#include "core/trace_import.h"
#include "core/trace_json.h"
#include "replay.h"

#define REPLAY_MAX_BYTES ((size_t)512 << 20)

static char *replay_read(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		return NULL;
	}
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		if (n == cap) {
			if (cap >= REPLAY_MAX_BYTES) {
				snprintf(err, errlen, "%s: larger than %zu MiB; too large to replay",
					 path, REPLAY_MAX_BYTES >> 20);
				free(buf);
				fclose(f);
				return NULL;
			}
			char *nb = realloc(buf, cap * 2);
			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	if (!buf || ferror(f)) {
		snprintf(err, errlen, "%s: cannot read: %s", path, buf ? strerror(errno) : "out of memory");
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*len = n;
	return buf;
}

/* The 1-based line on which each event object starts, when the file has our shape (one
 * event per line); 0 when unknown. */
static int replay_event_line(const char *text, size_t len, int first_line_of_events, int id)
{
	(void)text; (void)len;
	return first_line_of_events > 0 ? first_line_of_events + id : 0;
}

static int replay_events_first_line(const char *text, size_t len)
{
	const char *p = strstr(text, "\"events\":[\n");
	if (!p || (size_t)(p - text) > len)
		return 0;
	int line = 1;
	for (const char *q = text; q < p; q++)
		line += *q == '\n';
	return line + 1;
}

static int json_int(const cJSON *o, const char *key, int def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNumber(v) ? (int)v->valuedouble : def;
}
static double json_num(const cJSON *o, const char *key, double def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNumber(v) ? v->valuedouble : def;
}
static const char *json_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Input events name their action; each name fills a hist_act from the body. */
typedef bool (*act_reader)(const cJSON *body, hist_act *a);
static bool rd_proc(const cJSON *b, hist_act *a) { a->proc = json_int(b, "proc", -1); return a->proc >= 0; }
static bool rd_cut(const cJSON *b, hist_act *a)
{
	a->proc = json_int(b, "from", -1);
	a->to = json_int(b, "to", -1);
	return a->proc >= 0 && a->to >= 0;
}
static bool rd_request(const cJSON *b, hist_act *a)
{
	a->proc = json_int(b, "client", -1);
	const char *f = json_str(b, "f");
	snprintf(a->op.f, sizeof a->op.f, "%s", f ? f : "write");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(b, "value");
	a->op.has_value = cJSON_IsNumber(v);
	a->op.value = a->op.has_value ? (int64_t)v->valuedouble : 0;
	a->op.node = json_int(b, "node", -1);
	return a->proc >= 0;
}
static bool rd_rate(const cJSON *b, hist_act *a) { a->rate = json_num(b, "ppm", 0) / 1e6; return true; }
static bool rd_latency(const cJSON *b, hist_act *a)
{
	a->a_us = (int64_t)json_num(b, "lo_us", 0);
	a->b_us = (int64_t)json_num(b, "hi_us", 0);
	return true;
}
static bool rd_msg(const cJSON *b, hist_act *a)
{
	a->msg = (uint32_t)json_num(b, "msg", -1);
	a->copy = json_int(b, "copy", 0);
	a->a_us = (int64_t)json_num(b, "delay_us", 0);
	return true;
}
static bool rd_timer(const cJSON *b, hist_act *a)
{
	a->proc = json_int(b, "proc", -1);
	a->timer = json_int(b, "timer", -1);
	return a->proc >= 0 && a->timer >= 0;
}
static bool rd_manual(const cJSON *b, hist_act *a)
{
	a->proc = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(b, "on"));
	return true;
}

static bool rd_clock(const cJSON *b, hist_act *a)
{
	a->proc = json_int(b, "proc", -1);
	a->a_us = (int64_t)json_num(b, "skew_us", 0);
	a->b_us = (int64_t)json_num(b, "drift_ppm", 0);
	return a->proc >= 0;
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

/* The user's action an event records, if it is one. */
static bool replay_action_of(const cJSON *ev, hist_act *a)
{
	const char *by = json_str(ev, "by");
	if (!by || strcmp(by, "user") != 0)
		return false;
	memset(a, 0, sizeof *a);
	a->at = (uint32_t)json_num(ev, "id", 0);
	const char *kind = json_str(ev, "kind");
	if (!kind)
		return false;
	if (strcmp(kind, "partition") == 0) {
		const cJSON *groups = cJSON_GetObjectItemCaseSensitive(ev, "groups"), *g;
		memset(a->group, -1, sizeof a->group);
		int gi = 0;
		cJSON_ArrayForEach(g, groups) {
			const cJSON *p;
			cJSON_ArrayForEach(p, g)
				if (cJSON_IsNumber(p) && p->valuedouble >= 0 && p->valuedouble < ST_MAX_PROCS)
					a->group[(int)p->valuedouble] = (int8_t)gi;
			gi++;
		}
		a->ngroups = gi;
		a->kind = ACT_PARTITION;
		return true;
	}
	if (strcmp(kind, "heal") == 0) {
		a->kind = ACT_HEAL;
		return true;
	}
	if (strcmp(kind, "crash") == 0 || strcmp(kind, "restart") == 0) {
		a->kind = kind[0] == 'c' ? ACT_CRASH : ACT_RESTART;
		a->proc = json_int(ev, "proc", -1);
		return a->proc >= 0;
	}
	if (strcmp(kind, "drop") == 0) {
		a->kind = ACT_MSG_DROP;
		a->msg = (uint32_t)json_num(ev, "msg", -1);
		a->copy = json_int(ev, "copy", 0);
		return true;
	}
	if (strcmp(kind, "input") == 0) {
		const cJSON *body = cJSON_GetObjectItemCaseSensitive(ev, "body");
		const char *action = json_str(body, "action");
		for (size_t i = 0; action && i < sizeof replay_inputs / sizeof replay_inputs[0]; i++)
			if (strcmp(replay_inputs[i].action, action) == 0) {
				a->kind = replay_inputs[i].kind;
				return replay_inputs[i].read(body, a);
			}
	}
	return false;  /* an invoke by the user follows its request input: not an action */
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

int replay_load(const char *path, const cli_opts *o, replay_run *r, FILE *out, FILE *errf)
{
	memset(r, 0, sizeof *r);
	char err[2048];
	size_t len;
	char *text = replay_read(path, &len, err, sizeof err);
	if (!text) {
		fprintf(errf, "spacetime: %s\n", err);
		return EXIT_BAD_INPUT;
	}
	const char *end = NULL;
	cJSON *doc = cJSON_ParseWithLengthOpts(text, len, &end, false);
	if (!doc) {
		int line, col;
		size_t off = end && end >= text ? (size_t)(end - text) : 0;
		json_line_col(text, off, &line, &col);
		fprintf(errf, "spacetime: %s:%d:%d: invalid JSON\n", path, line, col);
		free(text);
		return EXIT_BAD_INPUT;
	}
	int first_line = replay_events_first_line(text, len);
	int status = EXIT_DONE;
	const char *fmt = json_str(doc, "format"), *scname = json_str(doc, "scenario");
	const char *scpath = json_str(doc, "scenario_path"), *proto = json_str(doc, "protocol");
	const char *pver = json_str(doc, "protocol_version"), *faults = json_str(doc, "faults");
	const cJSON *events = cJSON_GetObjectItemCaseSensitive(doc, "events");
	const cJSON *seedj = cJSON_GetObjectItemCaseSensitive(doc, "seed");
	if (!fmt || strcmp(fmt, "spacetime-trace") != 0 || !cJSON_IsArray(events) ||
	    !cJSON_IsNumber(seedj) || !scname || !proto) {
		fprintf(errf, "spacetime: %s: not a spacetime trace (needs format, scenario, protocol, "
			      "seed and events)\n", path);
		status = EXIT_BAD_INPUT;
		goto done;
	}
	const cJSON *ver = cJSON_GetObjectItemCaseSensitive(doc, "version");
	if (!cJSON_IsNumber(ver) || ver->valuedouble != 1) {
		fprintf(errf, "spacetime: %s: trace format version %s; this build reads version 1\n",
			path, cJSON_IsNumber(ver) ? "other than 1" : "missing");
		status = EXIT_BAD_INPUT;
		goto done;
	}
	if (seedj->valuedouble < 0 || seedj->valuedouble > 9007199254740992.0 ||
	    seedj->valuedouble != (double)(uint64_t)seedj->valuedouble) {
		fprintf(errf, "spacetime: %s: seed must be a whole number from 0 to 2^53\n", path);
		status = EXIT_BAD_INPUT;
		goto done;
	}
	const st_protocol *pr = registry_find(proto);
	if (!pr || (pver && strcmp(pver, pr->version) != 0)) {
		fprintf(errf, "spacetime: %s: protocol %s version %s cannot be re-simulated here "
			      "(this build has %s)\n", path, proto, pver ? pver : "?",
			pr ? pr->version : "no such protocol");
		r->read_only = true;
		status = EXIT_RUNTIME;
		goto done;
	}
	char found[4096];
	if (!(scpath && scenario_find(scpath, o->argv0, found, sizeof found)) &&
	    !scenario_find(scname, o->argv0, found, sizeof found)) {
		fprintf(errf, "spacetime: %s: its scenario %s was not found (looked for %s and by "
			      "name)\n", path, scname, scpath ? scpath : "(no path)");
		r->read_only = true;
		status = EXIT_RUNTIME;
		goto done;
	}
	r->sc = scenario_load(found, err, sizeof err);
	if (!r->sc) {
		fprintf(errf, "spacetime: %s\n", err);
		status = EXIT_BAD_INPUT;
		goto done;
	}
	int fmask = 0;
	if (faults && *faults && (fmask = sim_parse_faults(faults, err, sizeof err)) < 0) {
		fprintf(errf, "spacetime: %s: %s\n", path, err);
		status = EXIT_BAD_INPUT;
		goto done;
	}
	/* the processes must be the scenario's, name for name */
	const cJSON *procs = cJSON_GetObjectItemCaseSensitive(doc, "processes"), *pj;
	int np = cJSON_GetArraySize(procs), pi = 0;
	if (!cJSON_IsArray(procs) || np != r->sc->nprocs) {
		fprintf(errf, "spacetime: %s: %d processes, but scenario %s has %d\n", path, np,
			r->sc->name, r->sc->nprocs);
		status = EXIT_RUNTIME;
		goto done;
	}
	cJSON_ArrayForEach(pj, procs) {
		char want[16];
		scenario_proc_name(r->sc, pi, want, sizeof want);
		const char *name = json_str(pj, "name"), *role = json_str(pj, "role");
		const char *want_role = pi < r->sc->nnodes ? "node" : "client";
		if (!name || strcmp(name, want) != 0 || !role || strcmp(role, want_role) != 0) {
			fprintf(errf, "spacetime: %s: process %d is %s (%s), the scenario's is %s (%s)\n",
				path, pi, name ? name : "?", role ? role : "?", want, want_role);
			status = EXIT_RUNTIME;
			goto done;
		}
		pi++;
	}
	r->seed = (uint64_t)seedj->valuedouble;
	sim_opts so = {r->seed, o->check, fmask};
	r->h = history_new(r->sc, &so);
	if (!r->h) {
		fprintf(errf, "spacetime: out of memory\n");
		status = EXIT_RUNTIME;
		goto done;
	}
	/* re-simulate: run to each action's position, take it, then run to the end */
	int nev = cJSON_GetArraySize(events);
	const cJSON *ev;
	hist_act a;
	st_trace *t = history_trace(r->h);
	cJSON_ArrayForEach(ev, events) {
		if (!replay_action_of(ev, &a))
			continue;
		while (history_end(r->h) < a.at && history_step(r->h) != SIM_IDLE)
			;
		if (history_end(r->h) != a.at || !history_act(r->h, &a)) {
			fprintf(errf, "spacetime: %s: the user's action at event %u could not be taken "
				      "again (the run differs before it)\n", path, a.at);
			break;
		}
	}
	while (history_end(r->h) < (uint32_t)nev)
		if (history_step(r->h) == SIM_IDLE)
			break;
	/* compare, event by event */
	tj_buf b = {0};
	uint32_t id = 0;
	cJSON_ArrayForEach(ev, events) {
		if (id >= history_end(r->h)) {
			fprintf(errf, "spacetime: %s:%d: event %u: the file has %d events, the "
				      "re-simulated run stops at %u\n", path,
				replay_event_line(text, len, first_line, (int)id), id, nev,
				history_end(r->h));
			status = EXIT_RUNTIME;
			break;
		}
		b.len = 0;
		tj_event_json(&b, t, id);
		cJSON *mine = cJSON_ParseWithLength(b.buf, b.len);
		if (!mine || !cJSON_Compare(mine, ev, true)) {
			char why[256];
			replay_describe_diff(mine, ev, why, sizeof why);
			int line = replay_event_line(text, len, first_line, (int)id);
			if (line)
				fprintf(errf, "spacetime: %s:%d: event %u differs: %s\n", path, line, id, why);
			else
				fprintf(errf, "spacetime: %s: event %u differs: %s\n", path, id, why);
			cJSON_Delete(mine);
			status = EXIT_RUNTIME;
			r->first_diff = id;
			break;
		}
		cJSON_Delete(mine);
		id++;
	}
	tj_buf_free(&b);
	if (status == EXIT_DONE)
		fprintf(out, "%s: replay matches: %d events re-simulated from %s, seed %llu\n", path,
			nev, r->sc->name, (unsigned long long)r->seed);
done:
	cJSON_Delete(doc);
	free(text);
	return status;
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
	st_scenario *sc = calloc(1, sizeof *sc);
	st_history *h = sc ? history_open_trace(t) : NULL;
	if (!h) {
		free(sc);
		trace_free(t);
		fprintf(stderr, "spacetime: out of memory\n");
		return EXIT_RUNTIME;
	}
	char title[160];
	snprintf(title, sizeof title, "read-only: %s", o->target);
	sc->path = strdup(o->target);
	sc->name = strdup(t->scenario);
	sc->title = strdup(title);
	sc->topic = strdup("");
	sc->protocol_name = strdup(t->protocol);
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
