/* trace_verify.c: `spacetime --verify`, an independent checker of JSON traces.
 *
 * Why it exists: see trace_verify.h. It is written from docs/trace-format.md, not from
 * trace.c or trace_json.c, on purpose: sharing their tables would make the verifier agree
 * with the writer's mistakes.
 *
 * How it reads: trace_read.c hands it the header and then one event at a time (each parsed
 * alone, so memory stays flat apart from what pairing needs: a record per message and per
 * invoke). The per-event checks recompute the clocks the way ../shared/tools/check-trace does
 * (merge the send's recorded clocks, and after a mismatch carry on from the recorded values,
 * so one bad event gives one message and not a cascade).
 *
 * It names no protocol: what a protocol's states must hold comes from its node_fields and
 * client_fields, its invariants from its trace checker, the protocol's part of the summary
 * from trace_check_summary (protocol.h).
 *
 * Positions: every event keeps the text it came from, so a message can point at the column of
 * the offending key, found again only when there is something to report. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "../base/hash.h"
#include "../base/mem.h"
#include "intmap.h"
#include "json_text.h"
#include "trace_read.h"
#include "trace_verify.h"
#include "../protocols/protocol.h"

#define TV_MAX_SHOWN 20                     /* problems printed before "... and N more" */
#define TV_MAX_PROCS 1024                   /* clocks cost n*n while reading, n per message */
#define TV_CLOCK_MAX ((int64_t)1 << 53)     /* recorded clocks beyond this are not adopted */

#define TV_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* ---- small containers ---- */

/* Interned strings (message types): id 0 is "none", ids start at 1. */
typedef struct {
	char **s;
	size_t n, cap;
	intmap ids;         /* string hash -> id; collisions resolved by probing hash + i */
} tv_strtab;

static int64_t tv_strhash(const char *s) { return (int64_t)(st_hash_str(s) >> 1); }

static uint32_t tv_intern(tv_strtab *t, const char *s)
{
	int64_t h = tv_strhash(s);
	for (;; h++) {
		uint32_t *id = intmap_get(&t->ids, h);
		if (!id)
			break;
		if (strcmp(t->s[*id - 1], s) == 0)
			return *id;
	}
	st_grow(&t->s, &t->cap, t->n + 1, sizeof *t->s);
	char *copy = st_strdup(s);
	if (!intmap_put(&t->ids, h, (uint32_t)t->n + 1)) {
		free(copy);
		return 0;
	}
	t->s[t->n++] = copy;
	return (uint32_t)t->n;
}

static const char *tv_str(const tv_strtab *t, uint32_t id) { return id ? t->s[id - 1] : "?"; }

static void tv_strtab_free(tv_strtab *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->s[i]);
	free(t->s);
	intmap_free(&t->ids);
}

/* ---- values ---- */

static cJSON *tv_get(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

static bool tv_in(const cJSON *it, const char *const *names)
{
	if (!cJSON_IsString(it))
		return false;
	for (; *names; names++)
		if (strcmp(it->valuestring, *names) == 0)
			return true;
	return false;
}

static void tv_fmt_clock(char *buf, size_t n, const int64_t *vc, int count)
{
	size_t k = 0;
	buf[k++] = '[';
	for (int i = 0; i < count && k + 24 < n; i++) {
		if (i == 32) {
			k += (size_t)snprintf(buf + k, n - k, ",...");
			break;
		}
		k += (size_t)snprintf(buf + k, n - k, "%s%lld", i ? "," : "", (long long)vc[i]);
	}
	snprintf(buf + k, n - k, "]");
}

/* ---- the verifier ---- */

typedef struct {
	int64_t ev, lamport;
	int32_t proc, to;       /* to: -1 when the send named no valid process */
	uint32_t type;          /* interned, 0 when the send had none */
} tv_msg;

/* Kinds, in the order of the contract's tables (and of st_kind). */
enum {
	TK_START, TK_SEND, TK_RECV, TK_TIMER, TK_LOCAL, TK_CRASH, TK_RESTART, TK_INVOKE,
	TK_COMPLETE, TK_DROP, TK_PARTITION, TK_HEAL, TK_INPUT, TV_NKINDS
};

struct trace_verify {
	const char *path;
	FILE *out, *err;
	bool fatal;             /* unreadable or not JSON: stop, status 2 */
	bool not_object;        /* ... or JSON that is no object: stop, status 1 */
	uint64_t nproblems, nshown;
	uint64_t ninvariant;     /* of the problems, how many are protocol invariants */
	unsigned top_seen;      /* tv_top fields present when the header was read */
	trace_rd *rd;           /* the reader, for the header's positions */

	/* from the header */
	int n;
	char **names;
	uint8_t *is_client;
	st_role *roles;
	const st_protocol *proto;
	void *tc;               /* the protocol's trace checker, when it has one */
	st_param_val params[ST_MAX_PARAMS];

	/* per process */
	int64_t *lam, *vc, *scratch, *life_ev;
	uint8_t *life, *seen;

	/* along the events */
	uint64_t nevents, kind_count[TV_NKINDS], received;
	int64_t next_id;
	bool have_t;
	int64_t last_t, last_t_ev;

	intmap msgs;            /* msg id -> index into msg */
	tv_msg *msg;
	int64_t *msg_vc;        /* nmsg * n */
	size_t nmsg, msg_cap, msg_vc_cap;
	tv_strtab types;
	intmap invokes;         /* invoke event id -> proc << 1 | completed */
};
typedef struct trace_verify tv;

/* One event being checked, with the text it came from. */
typedef struct {
	cJSON *obj;
	const char *text;
	size_t len;
	long line, col;         /* where text starts */
	int64_t id;             /* its own id when that is an integer, else -1 */
	uint64_t pos;
	int kind;               /* index into tv_kinds, -1 when unknown */
	int proc;               /* -1 for world events and bad procs */
	bool t_ok;
	int64_t t;
	bool adopt;             /* a recv without its send: take its clocks as they are */
} tv_ev;

/* ---- reporting ---- */

static void tv_vreport(tv *v, long line, long col, const char *what, const char *fmt,
		       va_list ap)
{
	v->nproblems++;
	if (v->nshown >= TV_MAX_SHOWN || !v->err)
		return;
	v->nshown++;
	if (line > 0)
		fprintf(v->err, "%s:%ld:%ld: ", v->path, line, col);
	else
		fprintf(v->err, "%s: ", v->path);
	if (what)
		fprintf(v->err, "%s: ", what);
	vfprintf(v->err, fmt, ap);
	fputc('\n', v->err);
}

static void TV_PRINTF(5, 6) tv_report(tv *v, long line, long col, const char *what,
				      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tv_vreport(v, line, col, what, fmt, ap);
	va_end(ap);
}

/* The file cannot be taken as JSON (or not at all): always shown, and reading stops. */
static void TV_PRINTF(4, 5) tv_fatal(tv *v, long line, long col, const char *fmt, ...)
{
	v->fatal = true;
	v->nproblems++;
	if (!v->err)
		return;
	if (line > 0)
		fprintf(v->err, "%s:%ld:%ld: ", v->path, line, col);
	else
		fprintf(v->err, "%s: ", v->path);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(v->err, fmt, ap);
	va_end(ap);
	fputc('\n', v->err);
}

static void tv_oom(tv *v)
{
	if (!v->fatal)
		tv_fatal(v, 0, 0, "out of memory");
}

/* A problem with event e, at the column of its member KEY (or of the object when KEY is NULL
 * or absent). */
static void TV_PRINTF(4, 5) tv_evp(tv *v, const tv_ev *e, const char *key, const char *fmt, ...)
{
	long line = e->line, col = e->col;
	size_t koff;
	if (key && json_member(e->text, e->len, json_ws(e->text, e->len, 0), key, &koff, NULL))
		json_advance(e->text, koff, &line, &col);
	char what[48];
	if (e->id >= 0)
		snprintf(what, sizeof what, "event %lld", (long long)e->id);
	else
		snprintf(what, sizeof what, "event at position %llu", (unsigned long long)e->pos);
	va_list ap;
	va_start(ap, fmt);
	tv_vreport(v, line, col, what, fmt, ap);
	va_end(ap);
}

static const char *tv_pname(const tv *v, int64_t p, char *buf, size_t n)
{
	if (p >= 0 && p < v->n && v->names[p])
		snprintf(buf, n, "process %lld (%.20s)", (long long)p, v->names[p]);
	else
		snprintf(buf, n, "process %lld", (long long)p);
	return buf;
}

/* ---- field rules: one table of fields, one table of kinds that need them ---- */

static const char *const tv_reasons[] = {"loss", "partition", "crashed", "user", NULL};
static const char *const tv_optypes[] = {"ok", "fail", "info", NULL};
static const char *const tv_bys[] = {"schedule", "user", NULL};
static const char *const tv_roles[] = {"node", "client", NULL};

static bool tv_ok_int(tv *v, const cJSON *it)
{
	(void)v;
	int64_t x;
	return json_int64(it, &x);
}
static bool tv_ok_proc(tv *v, const cJSON *it)
{
	int64_t x;
	return json_int64(it, &x) && x >= 0 && x < v->n;
}
static bool tv_ok_proc_or_null(tv *v, const cJSON *it)
{
	return cJSON_IsNull(it) || tv_ok_proc(v, it);
}
static bool tv_ok_str(tv *v, const cJSON *it) { (void)v; return cJSON_IsString(it); }
static bool tv_ok_name(tv *v, const cJSON *it)
{
	(void)v;
	return cJSON_IsString(it) && it->valuestring[0];
}
static bool tv_ok_object(tv *v, const cJSON *it) { (void)v; return cJSON_IsObject(it); }
static bool tv_ok_array(tv *v, const cJSON *it) { (void)v; return cJSON_IsArray(it); }
static bool tv_ok_op(tv *v, const cJSON *it)
{
	return cJSON_IsObject(it) && tv_ok_name(v, tv_get(it, "f"));
}
static bool tv_ok_reason(tv *v, const cJSON *it) { (void)v; return tv_in(it, tv_reasons); }
static bool tv_ok_by(tv *v, const cJSON *it) { (void)v; return tv_in(it, tv_bys); }
static bool tv_ok_format(tv *v, const cJSON *it)
{
	(void)v;
	return cJSON_IsString(it) && strcmp(it->valuestring, "spacetime-trace") == 0;
}
static bool tv_ok_version(tv *v, const cJSON *it)
{
	(void)v;
	int64_t x;
	return json_int64(it, &x) && x == 1;
}
/* A seed is a uint64 that writers may print signed: any integral number will do. */
static bool tv_ok_seed(tv *v, const cJSON *it)
{
	(void)v;
	int64_t x;
	return json_int64(it, &x) || (cJSON_IsNumber(it) && (it->valuedouble >= 9223372036854775808.0 ||
							 it->valuedouble < -9223372036854775808.0));
}
/* Disjoint process indexes, at least one. */
static bool tv_ok_groups(tv *v, const cJSON *it)
{
	if (!cJSON_IsArray(it))
		return false;
	memset(v->seen, 0, (size_t)v->n);
	size_t count = 0;
	const cJSON *g, *x;
	cJSON_ArrayForEach(g, it) {
		if (!cJSON_IsArray(g))
			return false;
		cJSON_ArrayForEach(x, g) {
			int64_t p;
			if (!json_int64(x, &p) || p < 0 || p >= v->n || v->seen[p])
				return false;
			v->seen[p] = 1;
			count++;
		}
	}
	return count > 0;
}

typedef bool (*tv_ok_fn)(tv *v, const cJSON *it);
typedef struct {
	const char *key;
	tv_ok_fn ok;
	const char *want;
} tv_field;

enum {
	TF_MSG, TF_TO, TF_FROM, TF_TYPE, TF_BODY, TF_LABEL, TF_NOTE, TF_STATE, TF_BY, TF_OP,
	TF_INVOKE, TF_REASON, TF_GROUPS, TF__COUNT
};
#define TF(x) (1u << TF_##x)

static const tv_field tv_fields[TF__COUNT] = {
	[TF_MSG] = {"msg", tv_ok_int, "an integer message id"},
	[TF_TO] = {"to", tv_ok_proc, "a process index"},
	[TF_FROM] = {"from", tv_ok_proc, "a process index"},
	[TF_TYPE] = {"type", tv_ok_name, "a message type (a non-empty string)"},
	[TF_BODY] = {"body", tv_ok_object, "an object"},
	[TF_LABEL] = {"label", tv_ok_str, "a string"},
	[TF_NOTE] = {"note", tv_ok_str, "a string"},
	[TF_STATE] = {"state", tv_ok_object, "an object"},
	[TF_BY] = {"by", tv_ok_by, "\"schedule\" or \"user\""},
	[TF_OP] = {"op", tv_ok_op, "an object with a string \"f\""},
	[TF_INVOKE] = {"invoke", tv_ok_int, "the id of an invoke event"},
	[TF_REASON] = {"reason", tv_ok_reason, "\"loss\", \"partition\", \"crashed\" or \"user\""},
	[TF_GROUPS] = {"groups", tv_ok_groups, "an array of disjoint arrays of process indexes"},
};
/* Any event may carry these; they are checked when present. */
#define TV_OPTIONAL (TF(LABEL) | TF(NOTE) | TF(STATE) | TF(BY) | TF(BODY))

/* A process's life: not started, up, crashed. Each kind moves it by one rule row. After a
 * complaint the process is taken to be where the event says it is, so a missing start or
 * restart is one message, not one per later event. */
enum { LIFE_UNSTARTED, LIFE_UP, LIFE_CRASHED };
typedef enum { TL_NONE, TL_RUN, TL_START, TL_CRASH, TL_RESTART, TL__COUNT } tv_life_rule;
static const struct {
	uint8_t next;
	const char *why;    /* NULL: allowed */
} tv_life[TL__COUNT][3] = {
	[TL_RUN] = {{LIFE_UP, "acts before its start event"}, {LIFE_UP, NULL},
		    {LIFE_UP, "acts while crashed"}},
	[TL_START] = {{LIFE_UP, NULL}, {LIFE_UP, "starts twice"}, {LIFE_UP, "starts twice"}},
	[TL_CRASH] = {{LIFE_CRASHED, "crashes before its start event"}, {LIFE_CRASHED, NULL},
		      {LIFE_CRASHED, "crashes while already crashed"}},
	[TL_RESTART] = {{LIFE_UP, "restarts before its start event"},
			{LIFE_UP, "restarts without having crashed"}, {LIFE_UP, NULL}},
};

typedef void (*tv_hook)(tv *v, tv_ev *e);
static void tv_before_recv(tv *v, tv_ev *e);
static void tv_after_send(tv *v, tv_ev *e);
static void tv_after_invoke(tv *v, tv_ev *e);
static void tv_after_complete(tv *v, tv_ev *e);
static void tv_after_drop(tv *v, tv_ev *e);

typedef struct {
	const char *name;
	bool proc_event;        /* has proc, lamport, vc */
	tv_life_rule life;
	unsigned need;          /* TF_* bits it must carry */
	bool client_only;
	tv_hook before_clock;   /* recv merges its send's clocks here */
	tv_hook after;
} tv_kind;

/* The contract's two tables (trace-format.md, "Events"), in the order of st_kind. */
static const tv_kind tv_kinds[TV_NKINDS] = {
	[TK_START] = {"start", true, TL_START, TF(STATE), false, NULL, NULL},
	[TK_SEND] = {"send", true, TL_RUN, TF(MSG) | TF(TO) | TF(TYPE) | TF(BODY), false, NULL,
		     tv_after_send},
	[TK_RECV] = {"recv", true, TL_RUN, TF(MSG) | TF(FROM) | TF(TYPE) | TF(BODY), false,
		     tv_before_recv, NULL},
	[TK_TIMER] = {"timer", true, TL_RUN, TF(LABEL), false, NULL, NULL},
	[TK_LOCAL] = {"local", true, TL_RUN, TF(LABEL), false, NULL, NULL},
	[TK_CRASH] = {"crash", true, TL_CRASH, 0, false, NULL, NULL},
	[TK_RESTART] = {"restart", true, TL_RESTART, TF(STATE), false, NULL, NULL},
	[TK_INVOKE] = {"invoke", true, TL_RUN, TF(OP), true, NULL, tv_after_invoke},
	[TK_COMPLETE] = {"complete", true, TL_RUN, TF(OP) | TF(INVOKE), true, NULL,
			 tv_after_complete},
	[TK_DROP] = {"drop", false, TL_NONE, TF(MSG) | TF(REASON), false, NULL, tv_after_drop},
	[TK_PARTITION] = {"partition", false, TL_NONE, TF(GROUPS), false, NULL, NULL},
	[TK_HEAL] = {"heal", false, TL_NONE, 0, false, NULL, NULL},
	[TK_INPUT] = {"input", false, TL_NONE, TF(LABEL), false, NULL, NULL},
};
static const char *const tv_world_forbidden[] = {"proc", "lamport", "vc"};

/* The top-level fields (trace-format.md, "Document"). */
static const tv_field tv_top[] = {
	{"format", tv_ok_format, "\"spacetime-trace\""},
	{"version", tv_ok_version, "1"},
	{"scenario", tv_ok_str, "a string"},
	{"protocol", tv_ok_str, "a string"},
	{"seed", tv_ok_seed, "an integer"},
	{"time_unit", tv_ok_name, "a non-empty string"},
	{"processes", tv_ok_array, "an array"},
	{"events", tv_ok_array, "an array"},
};
#define TV_NTOP (sizeof tv_top / sizeof tv_top[0])

/* ---- the header ---- */

/* Where header member KEY is named (1:1 when absent). */
static void tv_at_key(const tv *v, const char *key, long *line, long *col)
{
	trace_rd_member(v->rd, key, NULL, line, col);
}

static void tv_alloc_procs(tv *v)
{
	size_t n = v->n ? (size_t)v->n : 1;
	v->names = st_zalloc(n, sizeof *v->names);
	v->is_client = st_zalloc(n, 1);
	v->roles = st_zalloc(n, sizeof *v->roles);
	v->lam = st_zalloc(n, sizeof *v->lam);
	v->vc = st_zalloc(n * n, sizeof *v->vc);
	v->scratch = st_zalloc(n, sizeof *v->scratch);
	v->life_ev = st_zalloc(n, sizeof *v->life_ev);
	v->life = st_zalloc(n, 1);
	v->seen = st_zalloc(n, 1);
}

/* A parameter as a header's "params" gives it, in the scenario's words: an integer, a
 * [lo, hi] pair, a choice by name, true or false (trace_verify.h). */
bool trace_verify_param(const st_param_spec *sp, const cJSON *it, st_param_val *out)
{
	int64_t lo, hi;
	switch (sp->type) {
	case ST_P_INT:
		if (!json_int64(it, &lo) || lo < sp->min || lo > sp->max)
			return false;
		*out = (st_param_val){lo, lo};
		return true;
	case ST_P_RANGE:
		if (cJSON_GetArraySize(it) != 2 || !cJSON_IsArray(it) ||
		    !json_int64(cJSON_GetArrayItem(it, 0), &lo) ||
		    !json_int64(cJSON_GetArrayItem(it, 1), &hi) || lo > hi || lo < sp->min ||
		    hi > sp->max)
			return false;
		*out = (st_param_val){lo, hi};
		return true;
	case ST_P_ENUM:
		for (int64_t i = 0; cJSON_IsString(it) && sp->choices && sp->choices[i]; i++)
			if (strcmp(sp->choices[i], it->valuestring) == 0) {
				*out = (st_param_val){i, i};
				return true;
			}
		return false;
	case ST_P_BOOL:
		if (!cJSON_IsBool(it))
			return false;
		*out = (st_param_val){cJSON_IsTrue(it), cJSON_IsTrue(it)};
		return true;
	}
	return false;
}

/* The protocol's parameters: its defaults, then what the header's "params" (when a writer
 * records them) says. */
static void tv_params(tv *v, const cJSON *doc)
{
	const st_protocol *pr = v->proto;
	int np = pr->n_params < ST_MAX_PARAMS ? pr->n_params : ST_MAX_PARAMS;
	for (int i = 0; i < np; i++)
		v->params[i] = (st_param_val){pr->params[i].def_lo,
			pr->params[i].type == ST_P_RANGE ? pr->params[i].def_hi : pr->params[i].def_lo};
	const cJSON *ps = tv_get(doc, "params"), *it;
	if (!ps)
		return;
	char sa[64];
	long line, col;
	trace_rd_value pv;
	trace_rd_member(v->rd, "params", &pv, &line, &col);
	if (!cJSON_IsObject(ps)) {
		tv_report(v, line, col, NULL, "\"params\" is %s, expected an object of the "
			  "protocol's parameters", json_show(ps, sa, sizeof sa));
		return;
	}
	cJSON_ArrayForEach(it, ps) {
		int i = 0;
		while (i < np && strcmp(pr->params[i].name, it->string) != 0)
			i++;
		trace_rd_key(&pv, it->string, &line, &col);
		if (i == np)
			tv_report(v, line, col, NULL, "params.%.40s: protocol %s has no such "
				  "parameter", it->string, pr->name);
		else if (!trace_verify_param(&pr->params[i], it, &v->params[i]))
			tv_report(v, line, col, NULL, "params.%s is %s, not a value it takes (%s)",
				  it->string, json_show(it, sa, sizeof sa),
				  pr->params[i].help ? pr->params[i].help : "see --list");
	}
}

/* The top-level fields, present ones when the header is read; at the end (final), the
 * ones that were absent then, since a pipe's header may end after the events. "events"
 * itself is the reader's: told at the end when it is absent or no array. */
static void tv_top_fields(tv *v, const cJSON *doc, bool final)
{
	char sa[64];
	long line, col;
	for (size_t i = 0; i < TV_NTOP; i++) {
		const tv_field *f = &tv_top[i];
		if (strcmp(f->key, "events") == 0 || (final && (v->top_seen & (1u << i))))
			continue;
		const cJSON *it = tv_get(doc, f->key);
		if (it)
			v->top_seen |= 1u << i;
		if ((it && f->ok(v, it)) || (!it && !final))
			continue;
		tv_at_key(v, f->key, &line, &col);
		if (!it)
			tv_report(v, line, col, NULL, "missing top-level field \"%s\"", f->key);
		else
			tv_report(v, line, col, NULL, "\"%s\" is %s, expected %s", f->key,
				  json_show(it, sa, sizeof sa), f->want);
	}
}

/* Check the document's top level (everything but the events) and set up for the events.
 * False when reading must stop. */
static bool tv_header(tv *v, const cJSON *doc)
{
	char sa[64];
	long line, col;
	tv_top_fields(v, doc, false);

	const cJSON *procs = tv_get(doc, "processes");
	int n = cJSON_IsArray(procs) ? cJSON_GetArraySize(procs) : 0;
	if (n > TV_MAX_PROCS) {
		tv_at_key(v, "processes", &line, &col);
		tv_fatal(v, line, col, "%d processes: --verify handles at most %d", n,
			 TV_MAX_PROCS);
		return false;
	}
	v->n = n;
	tv_alloc_procs(v);
	if (cJSON_IsArray(procs) && n == 0) {
		tv_at_key(v, "processes", &line, &col);
		tv_report(v, line, col, NULL, "no processes");
	}
	trace_rd_value pv;
	bool have_pv = trace_rd_member(v->rd, "processes", &pv, NULL, NULL);
	int nnodes = 0;
	for (int p = 0; p < n; p++) {
		const cJSON *pr = cJSON_GetArrayItem(procs, p);
		const cJSON *name = tv_get(pr, "name");
		const cJSON *role = tv_get(pr, "role");
		bool ok = cJSON_IsObject(pr) && tv_ok_name(v, name) && tv_in(role, tv_roles);
		int dup = -1;
		if (ok) {
			for (int q = 0; q < p && dup < 0; q++)
				if (v->names[q] && strcmp(v->names[q], name->valuestring) == 0)
					dup = q;
			v->names[p] = st_strdup(name->valuestring);
			v->is_client[p] = strcmp(role->valuestring, "client") == 0;
		}
		v->roles[p] = v->is_client[p] ? ST_ROLE_CLIENT : ST_ROLE_NODE;
		nnodes += !v->is_client[p];
		if (ok && dup < 0)
			continue;
		line = col = 1;
		if (have_pv)
			trace_rd_elem(&pv, (size_t)p, NULL, &line, &col);
		if (!ok)
			tv_report(v, line, col, NULL, "process %d: needs a \"name\" and a \"role\" "
				  "\"node\" or \"client\": %s", p, json_show(pr, sa, sizeof sa));
		else
			tv_report(v, line, col, NULL, "process %d: name \"%.20s\" is process %d's "
				  "too", p, name->valuestring, dup);
	}

	const cJSON *proto = tv_get(doc, "protocol");
	if (cJSON_IsString(proto))
		v->proto = registry_find(proto->valuestring);
	if (v->proto) {
		tv_params(v, doc);
		if (v->proto->trace_check_new && v->proto->trace_check && n > 0) {
			st_trace_info info = {n, nnodes, n - nnodes, v->roles, v->params};
			v->tc = v->proto->trace_check_new(&info);
		}
	}
	return true;
}

/* ---- events ---- */

static tv_msg *tv_msg_find(tv *v, int64_t m)
{
	uint32_t *i = intmap_get(&v->msgs, m);
	return i ? &v->msg[*i] : NULL;
}

static void tv_before_recv(tv *v, tv_ev *e)
{
	char sa[64], pa[48], pb[48];
	int64_t m, from;
	if (!json_int64(tv_get(e->obj, "msg"), &m))
		return;     /* reported by the field rules */
	tv_msg *s = tv_msg_find(v, m);
	if (!s) {
		/* Its clocks cannot be recomputed without the send; one message is enough. */
		tv_evp(v, e, "msg", "recv of msg %lld has no matching send", (long long)m);
		e->adopt = true;
		return;
	}
	int p = e->proc;
	if (s->to >= 0 && s->to != p)
		tv_evp(v, e, "msg", "msg %lld was sent to %s but received by %s", (long long)m,
		       tv_pname(v, s->to, pa, sizeof pa), tv_pname(v, p, pb, sizeof pb));
	const cJSON *jf = tv_get(e->obj, "from");
	if (jf && (!json_int64(jf, &from) || from != s->proc))
		tv_evp(v, e, "from", "from is %s, but msg %lld was sent by %s",
		       json_show(jf, sa, sizeof sa), (long long)m,
		       tv_pname(v, s->proc, pa, sizeof pa));
	const cJSON *jt = tv_get(e->obj, "type");
	if (cJSON_IsString(jt) && s->type && strcmp(jt->valuestring, tv_str(&v->types, s->type)))
		tv_evp(v, e, "type", "type \"%.40s\" differs from the send's \"%.40s\"",
		       jt->valuestring, tv_str(&v->types, s->type));
	/* Merge the send's clocks before the receive counts (trace-format.md, "Clocks"). */
	const int64_t *svc = v->msg_vc + (size_t)(s - v->msg) * (size_t)v->n;
	int64_t *vc = v->vc + (size_t)p * (size_t)v->n;
	if (s->lamport > v->lam[p])
		v->lam[p] = s->lamport;
	for (int q = 0; q < v->n; q++)
		if (svc[q] > vc[q])
			vc[q] = svc[q];
	v->received++;
}

static void tv_after_send(tv *v, tv_ev *e)
{
	int64_t m, to;
	if (!json_int64(tv_get(e->obj, "msg"), &m))
		return;
	uint32_t *old = intmap_get(&v->msgs, m);
	uint32_t idx;
	if (old) {
		tv_evp(v, e, "msg", "msg id %lld is sent twice (first by event %lld); ids are "
		       "unique", (long long)m, (long long)v->msg[*old].ev);
		idx = *old;    /* like check-trace, the later send is the one recvs pair with */
	} else {
		size_t n = (size_t)v->n;
		st_grow(&v->msg, &v->msg_cap, v->nmsg + 1, sizeof *v->msg);
		st_grow(&v->msg_vc, &v->msg_vc_cap, (v->nmsg + 1) * n, sizeof *v->msg_vc);
		if (!intmap_put(&v->msgs, m, (uint32_t)v->nmsg)) {
			tv_oom(v);
			return;
		}
		idx = (uint32_t)v->nmsg++;
	}
	tv_msg *s = &v->msg[idx];
	const cJSON *jt = tv_get(e->obj, "type");
	s->ev = e->id;
	s->proc = e->proc;
	s->to = json_int64(tv_get(e->obj, "to"), &to) && to >= 0 && to < v->n ? (int32_t)to : -1;
	s->type = 0;
	if (cJSON_IsString(jt) && !(s->type = tv_intern(&v->types, jt->valuestring))) {
		tv_oom(v);
		return;
	}
	s->lamport = v->lam[e->proc];
	memcpy(v->msg_vc + (size_t)idx * (size_t)v->n, v->vc + (size_t)e->proc * (size_t)v->n,
	       (size_t)v->n * sizeof *v->msg_vc);
}

static void tv_after_drop(tv *v, tv_ev *e)
{
	int64_t m;
	if (json_int64(tv_get(e->obj, "msg"), &m) && !tv_msg_find(v, m))
		tv_evp(v, e, "msg", "drop of msg %lld, which was never sent", (long long)m);
}

static void tv_after_invoke(tv *v, tv_ev *e)
{
	if (e->id >= 0 && !intmap_put(&v->invokes, e->id, (uint32_t)e->proc << 1))
		tv_oom(v);
}

static void tv_after_complete(tv *v, tv_ev *e)
{
	char sa[64], pa[48], pb[48];
	int64_t inv;
	const cJSON *op = tv_get(e->obj, "op");
	if (cJSON_IsObject(op) && !tv_in(tv_get(op, "type"), tv_optypes))
		tv_evp(v, e, "op", "op.type is %s, expected \"ok\", \"fail\" or \"info\"",
		       json_show(tv_get(op, "type"), sa, sizeof sa));
	if (!json_int64(tv_get(e->obj, "invoke"), &inv))
		return;
	uint32_t *rec = intmap_get(&v->invokes, inv);
	if (!rec)
		tv_evp(v, e, "invoke", "complete names invoke %lld, which is no earlier invoke "
		       "event", (long long)inv);
	else if ((int)(*rec >> 1) != e->proc)
		tv_evp(v, e, "invoke", "complete by %s names invoke %lld of %s",
		       tv_pname(v, e->proc, pa, sizeof pa), (long long)inv,
		       tv_pname(v, *rec >> 1, pb, sizeof pb));
	else if (*rec & 1)
		tv_evp(v, e, "invoke", "invoke %lld is completed twice", (long long)inv);
	else
		*rec |= 1;
}

/* The protocol's declared state fields (protocol.h, st_state_field): every recorded state of
 * a node, or of a client, holds each with a value of its type. */
static const char *const tv_ftype_want[] = {
	[ST_F_INT] = "an integer", [ST_F_UINT] = "a non-negative integer",
	[ST_F_STR] = "a string", [ST_F_PROC] = "a process index",
	[ST_F_PROC_OR_NULL] = "a process index or null", [ST_F_BOOL] = "true or false",
};

static bool tv_field_ok(tv *v, const st_state_field *f, const cJSON *it)
{
	int64_t x;
	switch (f->type) {
	case ST_F_INT: return json_int64(it, &x);
	case ST_F_UINT: return json_int64(it, &x) && x >= 0;
	case ST_F_STR: return cJSON_IsString(it);
	case ST_F_ENUM: return f->allowed && tv_in(it, f->allowed);
	case ST_F_PROC: return tv_ok_proc(v, it);
	case ST_F_PROC_OR_NULL: return tv_ok_proc_or_null(v, it);
	case ST_F_BOOL: return cJSON_IsBool(it);
	}
	return false;
}

/* "one of \"a\", \"b\"" or the type's words. */
static void tv_field_want(const st_state_field *f, char *buf, size_t n)
{
	unsigned t = (unsigned)f->type;
	const char *w = t < sizeof tv_ftype_want / sizeof *tv_ftype_want && tv_ftype_want[t]
		? tv_ftype_want[t] : "a value";
	if (f->type != ST_F_ENUM || !f->allowed || !f->allowed[0]) {
		snprintf(buf, n, "%s", w);
		return;
	}
	size_t k = 0;
	for (int i = 0; f->allowed[i] && k < n; i++)
		k += (size_t)snprintf(buf + k, n - k, "%s\"%s\"", i == 0 ? "" :
				      f->allowed[i + 1] ? ", " : " or ", f->allowed[i]);
}

static void tv_state_fields(tv *v, tv_ev *e)
{
	const cJSON *st = tv_get(e->obj, "state");
	if (!v->proto || !cJSON_IsObject(st))
		return;
	bool client = v->is_client[e->proc];
	const st_state_field *fs = client ? v->proto->client_fields : v->proto->node_fields;
	int nf = client ? v->proto->n_client_fields : v->proto->n_node_fields;
	for (int i = 0; fs && i < nf; i++) {
		const cJSON *it = tv_get(st, fs[i].key);
		if (it && tv_field_ok(v, &fs[i], it))
			continue;
		char sa[64], want[160], keys[200];
		size_t k = 0;
		keys[0] = '\0';
		for (int j = 0; j < nf && k < sizeof keys; j++)
			k += (size_t)snprintf(keys + k, sizeof keys - k, "%s%s",
					      j == 0 ? "" : j == nf - 1 ? " and " : ", ", fs[j].key);
		tv_field_want(&fs[i], want, sizeof want);
		tv_evp(v, e, "state", "state.%s is %s, expected %s (a %s %s's state has %s)",
		       fs[i].key, json_show(it, sa, sizeof sa), want, v->proto->name,
		       client ? "client" : "node", keys);
	}
}

/* Count the event on its process's clocks and compare with what it records. */
static void tv_clock(tv *v, tv_ev *e)
{
	char sa[64], ca[768], cb[768];
	int p = e->proc, n = v->n;
	int64_t *vc = v->vc + (size_t)p * (size_t)n;
	v->lam[p]++;
	vc[p]++;

	const cJSON *jl = tv_get(e->obj, "lamport");
	int64_t l;
	bool l_ok = json_int64(jl, &l);
	if (!l_ok || l != v->lam[p]) {
		if (!l_ok || !e->adopt)
			tv_evp(v, e, jl ? "lamport" : NULL, "lamport is %s, the causal structure "
			       "gives %lld", json_show(jl, sa, sizeof sa), (long long)v->lam[p]);
		if (l_ok && l >= 0 && l < TV_CLOCK_MAX)
			v->lam[p] = l;
	}

	const cJSON *jv = tv_get(e->obj, "vc");
	bool shape = cJSON_IsArray(jv) && cJSON_GetArraySize(jv) == n;
	bool same = shape;
	if (shape) {
		int q = 0;
		const cJSON *x;
		cJSON_ArrayForEach(x, jv) {
			if (!json_int64(x, &v->scratch[q]) || v->scratch[q] < 0 ||
			    v->scratch[q] >= TV_CLOCK_MAX) {
				shape = same = false;
				break;
			}
			same = same && v->scratch[q] == vc[q];
			q++;
		}
	}
	if (same)
		return;
	tv_fmt_clock(cb, sizeof cb, vc, n);
	if (shape) {
		tv_fmt_clock(ca, sizeof ca, v->scratch, n);
		if (!e->adopt)
			tv_evp(v, e, "vc", "vc is %s, the causal structure gives %s", ca, cb);
		memcpy(vc, v->scratch, (size_t)n * sizeof *vc);
	} else {
		tv_evp(v, e, jv ? "vc" : NULL, "vc is %s, expected %d integers (one per "
		       "process): %s", json_show(jv, sa, sizeof sa), n, cb);
	}
}

static void tv_proc_event(tv *v, tv_ev *e, const tv_kind *k)
{
	char sa[64], pa[48];
	const cJSON *jp = tv_get(e->obj, "proc");
	int64_t p;
	if (!json_int64(jp, &p) || p < 0 || p >= v->n) {
		tv_evp(v, e, jp ? "proc" : NULL, "proc is %s, expected a process index (0..%d)",
		       json_show(jp, sa, sizeof sa), v->n - 1);
		return;
	}
	e->proc = (int)p;
	uint8_t was = v->life[p];
	const char *why = tv_life[k->life][was].why;
	if (why) {
		if (was == LIFE_CRASHED)
			tv_evp(v, e, "kind", "%s %s (%s since event %lld)",
			       tv_pname(v, p, pa, sizeof pa), why,
			       k->life == TL_RUN ? "crashed" : "down", (long long)v->life_ev[p]);
		else
			tv_evp(v, e, "kind", "%s %s", tv_pname(v, p, pa, sizeof pa), why);
	}
	v->life[p] = tv_life[k->life][was].next;
	if (k->life == TL_CRASH)
		v->life_ev[p] = e->id;
	if (k->client_only && !v->is_client[p])
		tv_evp(v, e, "proc", "%s by %s, which is not a client", k->name,
		       tv_pname(v, p, pa, sizeof pa));
	if (k->before_clock)
		k->before_clock(v, e);
	tv_clock(v, e);
	if (k->after)
		k->after(v, e);
	tv_state_fields(v, e);
}

/* The st_tev view a protocol's trace checker reads: lookups into the event's cJSON. */
static bool tv_tev_int(const st_tev *e, const char *obj, const char *key, int64_t *out)
{
	const cJSON *it = tv_get(tv_get(e->impl, obj), key);
	if (cJSON_IsNull(it)) {
		*out = -1;
		return true;
	}
	return json_int64(it, out);
}
static bool tv_tev_str(const st_tev *e, const char *obj, const char *key, const char **out)
{
	const cJSON *it = tv_get(tv_get(e->impl, obj), key);
	if (!cJSON_IsString(it))
		return false;
	*out = it->valuestring;
	return true;
}
static bool tv_tev_state_int(const st_tev *e, const char *k, int64_t *o)
{ return tv_tev_int(e, "state", k, o); }
static bool tv_tev_body_int(const st_tev *e, const char *k, int64_t *o)
{ return tv_tev_int(e, "body", k, o); }
static bool tv_tev_state_str(const st_tev *e, const char *k, const char **o)
{ return tv_tev_str(e, "state", k, o); }
static bool tv_tev_body_str(const st_tev *e, const char *k, const char **o)
{ return tv_tev_str(e, "body", k, o); }

static void tv_feed_checker(tv *v, tv_ev *e)
{
	if (!v->tc || e->kind < 0 || e->id < 0 || e->id > (int64_t)UINT32_MAX || !e->t_ok)
		return;
	const tv_kind *k = &tv_kinds[e->kind];
	if (k->proc_event && e->proc < 0)
		return;
	const cJSON *label = tv_get(e->obj, "label");
	st_tev te = {
		.id = (uint32_t)e->id, .t = e->t, .kind = k->name,
		.proc = k->proc_event ? e->proc : -1,
		.label = cJSON_IsString(label) ? label->valuestring : NULL,
		.has_state = cJSON_IsObject(tv_get(e->obj, "state")),
		.state_int = tv_tev_state_int, .state_str = tv_tev_state_str,
		.body_int = tv_tev_body_int, .body_str = tv_tev_body_str, .impl = e->obj,
	};
	st_violation viol;
	memset(&viol, 0, sizeof viol);
	if (!v->proto->trace_check(v->tc, &te, &viol)) {
		viol.detail[sizeof viol.detail - 1] = '\0';
		const char *key = te.has_state ? "state" : tv_get(e->obj, "body") ? "body" : NULL;
		v->ninvariant++;
		tv_evp(v, e, key, "%s: %s", viol.invariant ? viol.invariant : "invariant",
		       viol.detail);
	}
}

/* Check one event. text/len is its JSON text, starting at line:col. */
static void tv_event(tv *v, cJSON *obj, const char *text, size_t len, long line, long col)
{
	char sa[64], sb[64];
	tv_ev ev = {obj, text, len, line, col, -1, v->nevents++, -1, -1, false, 0, false};
	tv_ev *e = &ev;
	if (!cJSON_IsObject(obj)) {
		tv_evp(v, e, NULL, "is %s, not an object", json_show(obj, sa, sizeof sa));
		v->next_id++;
		return;
	}
	const cJSON *jid = tv_get(obj, "id");
	int64_t id;
	if (json_int64(jid, &id))
		e->id = id;
	if (!jid || e->id != v->next_id)
		tv_evp(v, e, jid ? "id" : NULL, "id is %s, expected %lld (ids are dense from 0, in "
		       "order)", json_show(jid, sa, sizeof sa), (long long)v->next_id);
	/* After a gap, follow the trace's numbering so one gap is one message. */
	v->next_id = e->id >= 0 && e->id < INT64_MAX ? e->id + 1 : v->next_id + 1;

	const cJSON *jt = tv_get(obj, "t");
	if (!json_int64(jt, &e->t)) {
		tv_evp(v, e, jt ? "t" : NULL, "t is %s, expected an integer (virtual time)",
		       json_show(jt, sa, sizeof sa));
	} else if (v->have_t && e->t < v->last_t) {
		e->t_ok = true;
		tv_evp(v, e, "t", "time runs backwards: t is %lld, after %lld at event %lld",
		       (long long)e->t, (long long)v->last_t, (long long)v->last_t_ev);
	} else {
		e->t_ok = true;
		v->have_t = true;
		v->last_t = e->t;
		v->last_t_ev = e->id;
	}

	const cJSON *jk = tv_get(obj, "kind");
	for (int k = 0; k < TV_NKINDS && cJSON_IsString(jk); k++)
		if (strcmp(jk->valuestring, tv_kinds[k].name) == 0)
			e->kind = k;
	if (e->kind < 0) {
		tv_evp(v, e, jk ? "kind" : NULL, "unknown kind %s", json_show(jk, sa, sizeof sa));
		return;
	}
	const tv_kind *k = &tv_kinds[e->kind];
	v->kind_count[e->kind]++;

	unsigned mask = k->need | TV_OPTIONAL;
	for (int f = 0; f < TF__COUNT; f++) {
		const tv_field *fd = &tv_fields[f];
		if (!(mask & (1u << f)))
			continue;
		const cJSON *it = tv_get(obj, fd->key);
		if (!it) {
			if (k->need & (1u << f))
				tv_evp(v, e, NULL, "%s has no \"%s\" (%s)", k->name, fd->key,
				       fd->want);
		} else if (!fd->ok(v, it)) {
			tv_evp(v, e, fd->key, "\"%s\" is %s, expected %s", fd->key,
			       json_show(it, sb, sizeof sb), fd->want);
		}
	}

	if (k->proc_event) {
		tv_proc_event(v, e, k);
	} else {
		for (size_t i = 0; i < sizeof tv_world_forbidden / sizeof *tv_world_forbidden; i++)
			if (tv_get(obj, tv_world_forbidden[i]))
				tv_evp(v, e, tv_world_forbidden[i], "world event %s carries \"%s\" "
				       "(only process events have proc, lamport and vc)", k->name,
				       tv_world_forbidden[i]);
		if (k->after)
			k->after(v, e);
	}
	tv_feed_checker(v, e);
}

/* ---- the whole ---- */

/* "1 event", "2 events". */
static const char *tv_pl(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void tv_summary(const tv *v, char *buf, size_t n)
{
	uint64_t ev = v->nevents, sent = v->nmsg, drop = v->kind_count[TK_DROP];
	int k = snprintf(buf, n, "%llu %s, %d %s, %llu %s sent, %llu received, %llu dropped",
			 (unsigned long long)ev, tv_pl(ev, "event", "events"), v->n,
			 tv_pl((uint64_t)v->n, "process", "processes"), (unsigned long long)sent,
			 tv_pl(sent, "message", "messages"), (unsigned long long)v->received,
			 (unsigned long long)drop);
	if (v->tc && v->proto->trace_check_summary && k > 0 && (size_t)k + 2 < n) {
		memcpy(buf + k, "; ", 3);
		v->proto->trace_check_summary(v->tc, buf + k + 2, n - (size_t)k - 2);
	}
}

static void tv_free(tv *v)
{
	if (v->tc && v->proto->trace_check_free)
		v->proto->trace_check_free(v->tc);
	for (int p = 0; v->names && p < v->n; p++)
		free(v->names[p]);
	free(v->names);
	free(v->is_client);
	free(v->roles);
	free(v->lam);
	free(v->vc);
	free(v->scratch);
	free(v->life_ev);
	free(v->life);
	free(v->seen);
	intmap_free(&v->msgs);
	free(v->msg);
	free(v->msg_vc);
	tv_strtab_free(&v->types);
	intmap_free(&v->invokes);
	free(v);
}

/* The reader's refusal, shown as it is (it already names the file and the place). */
static void tv_refused(tv *v, const char *msg)
{
	v->fatal = true;
	v->nproblems++;
	if (v->err)
		fprintf(v->err, "%s\n", msg);
}

trace_verify *trace_verify_begin(trace_rd *rd, FILE *errout)
{
	tv *v = st_zalloc(1, sizeof *v);
	v->path = trace_rd_path(rd);
	v->err = errout;
	v->rd = rd;
	const cJSON *h = trace_rd_header(rd);
	if (!h && trace_rd_not_object(rd)) {
		/* JSON, but not a trace: a broken contract, not an unreadable file */
		v->nproblems++;
		if (errout)
			fprintf(errout, "%s\n", trace_rd_error(rd));
		v->nshown++;
		v->fatal = true;
		v->not_object = true;
		return v;
	}
	if (!h) {
		tv_refused(v, trace_rd_error(rd));
		return v;
	}
	/* "events" is never in the header: the reader streams it. Absent altogether, or not
	 * an array, is told once the document is read (trace_verify_end). */
	tv_header(v, h);
	return v;
}

bool trace_verify_event(trace_verify *v, const trace_rd_value *ev, uint64_t index)
{
	if (v->fatal)
		return false;
	uint64_t before = v->nproblems - v->ninvariant;
	(void)index;
	tv_event(v, (cJSON *)ev->json, ev->text, ev->len, ev->line, ev->col);
	return !v->fatal && v->nproblems - v->ninvariant == before;
}

uint64_t trace_verify_broken(const trace_verify *v)
{
	return v->fatal ? v->nproblems : v->nproblems - v->ninvariant;
}

uint64_t trace_verify_violations(const trace_verify *v) { return v->ninvariant; }

void trace_verify_refused(trace_verify *v, const char *msg)
{
	if (!v->fatal)
		tv_refused(v, msg);
}

int trace_verify_end(trace_verify *v, FILE *out, trace_verify_stats *stats)
{
	const char *path = v->path;
	FILE *errout = v->err;
	if (!v->fatal) {
		/* the whole document is read: a trace without an events array is told now */
		long line, col;
		const cJSON *h = trace_rd_header(v->rd);
		const cJSON *evs = h ? tv_get(h, "events") : NULL;
		if (h)
			tv_top_fields(v, h, true);
		bool arr = trace_rd_has_events(v->rd);
		if (!arr && !evs) {
			tv_at_key(v, "events", &line, &col);
			tv_report(v, line, col, NULL, "missing top-level field \"events\"");
		} else if (!arr) {
			char sa[64];
			tv_at_key(v, "events", &line, &col);
			tv_report(v, line, col, NULL, "\"events\" is %s, expected an array",
				  json_show(evs, sa, sizeof sa));
		}
	}
	if (!v->fatal && v->tc && v->proto->trace_check_end) {
		st_violation viol;
		memset(&viol, 0, sizeof viol);
		if (!v->proto->trace_check_end(v->tc, &viol)) {
			viol.detail[sizeof viol.detail - 1] = '\0';
			v->ninvariant++;
			tv_report(v, 0, 0, "after the last event", "%s: %s",
				  viol.invariant ? viol.invariant : "invariant", viol.detail);
		}
	}

	/* A trace that keeps the contract but shows a protocol invariant broken answers 3, like
	 * every mode of spacetime does for a violation. */
	int rc = v->not_object ? TRACE_VERIFY_BROKEN : v->fatal ? TRACE_VERIFY_UNREADABLE
		: v->nproblems && v->ninvariant == v->nproblems ? TRACE_VERIFY_VIOLATION
		: v->nproblems ? TRACE_VERIFY_BROKEN : TRACE_VERIFY_OK;
	char sum[320];
	tv_summary(v, sum, sizeof sum);
	if (errout && v->nproblems > v->nshown + (v->fatal ? 1 : 0))
		fprintf(errout, "%s: ... and %llu more problems\n", path,
			(unsigned long long)(v->nproblems - v->nshown - (v->fatal ? 1 : 0)));
	if (rc == TRACE_VERIFY_OK && out)
		fprintf(out, "%s: ok: %s\n", path, sum);
	else if ((rc == TRACE_VERIFY_BROKEN || rc == TRACE_VERIFY_VIOLATION) && errout)
		fprintf(errout, "%s: not ok: %llu problem%s; %s\n", path,
			(unsigned long long)v->nproblems, v->nproblems == 1 ? "" : "s", sum);
	if (stats) {
		*stats = (trace_verify_stats){
			.events = v->nevents, .sent = v->nmsg, .received = v->received,
			.dropped = v->kind_count[TK_DROP], .processes = v->n,
			.problems = v->nproblems,
			.streamed = trace_rd_one_pass(v->rd), .protocol_checked = v->tc != NULL,
		};
		if (v->tc && v->proto->trace_check_summary)
			v->proto->trace_check_summary(v->tc, stats->protocol_summary,
						      sizeof stats->protocol_summary);
	}
	tv_free(v);
	return rc;
}

int trace_verify_file(const char *path, FILE *out, FILE *errout, trace_verify_stats *stats)
{
	trace_rd *rd = trace_rd_open(path);
	trace_verify *v = trace_verify_begin(rd, errout);
	trace_rd_value ev;
	uint64_t idx;
	int got;
	while (!v->fatal && (got = trace_rd_next(rd, &ev, &idx)) > 0) {
		trace_verify_event(v, &ev, idx);
	}
	if (!v->fatal && trace_rd_error(rd))
		tv_refused(v, trace_rd_error(rd));
	int rc = trace_verify_end(v, out, stats);
	trace_rd_close(rd);
	return rc;
}
