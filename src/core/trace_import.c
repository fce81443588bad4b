/* trace_import.c: a JSON trace file into an in-memory st_trace (see trace_import.h for why and
 * for how the result differs from a simulated trace).
 *
 * How it reads: through trace_read.c, the reader --verify and --replay use too (the same
 * syntax, UTF-8 and size rules, the same messages): the header, then each event in order,
 * checking what the views will rely on later and building the trace as it goes. Any problem
 * stops the import with one message; the half-built trace is freed. The file may be at most
 * TRACE_IMPORT_MAX_BYTES, since the whole trace is kept.
 *
 * Positions: the reader gives each event's text and where it starts; a semantic error is
 * placed at the offending key of the event, found again only when there is one to report. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "../base/mem.h"
#include "intmap.h"
#include "json_text.h"
#include "trace_import.h"
#include "trace_verify.h"
#include "trace_read.h"

/* A place in the file; line 0 is none (the file cannot be read, out of memory). */
typedef struct {
	long line, col;
} ti_pos;
#define TI_NOWHERE ((ti_pos){0, 0})
#define TI_KEY_MAX 256          /* a flattened key ("entries[3].cmd"), NUL included */
#define TI_MAX_TYPES 256        /* st_msgrec.type is a uint8 */
#define TI_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* ---- the import's state ---- */

typedef struct {
	const char *path;
	trace_rd *rd;
	const trace_rd_value *ev;   /* the event being read */
	char *err;
	size_t errlen;
	st_trace *t;
	int64_t tmul;           /* time_unit -> microseconds */
	int64_t last_t;         /* t of the previous event, for "time runs backwards" */
	intmap msgs;            /* file msg id -> ours (the file's ids need only be unique) */
} ti_ctx;

/* ---- places ---- */

/* Where header member KEY is named (the document's start when it is absent). */
static ti_pos ti_at_top(const ti_ctx *c, const char *key)
{
	ti_pos p;
	trace_rd_member(c->rd, key, NULL, &p.line, &p.col);
	return p;
}

/* Where element idx of header array SECTION ("processes") is. */
static ti_pos ti_at_item(const ti_ctx *c, const char *section, uint32_t idx)
{
	ti_pos p;
	trace_rd_value v;
	if (!trace_rd_member(c->rd, section, &v, &p.line, &p.col))
		return p;
	trace_rd_elem(&v, idx, NULL, &p.line, &p.col);
	return p;
}

/* Where member KEY of the event being read is (the event when KEY is NULL or absent). */
static ti_pos ti_at_event(const ti_ctx *c, const char *key)
{
	ti_pos p;
	trace_rd_key(c->ev, key, &p.line, &p.col);
	return p;
}

/* ---- messages ---- */

static void ti_vfail(ti_ctx *c, ti_pos at, const char *fmt, va_list ap)
{
	int n;
	if (at.line > 0) {
		n = snprintf(c->err, c->errlen, "%s:%ld:%ld: ", c->path, at.line, at.col);
	} else {
		n = snprintf(c->err, c->errlen, "%s: ", c->path);
	}
	if (n >= 0 && (size_t)n < c->errlen)
		vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
}

static bool TI_PRINTF(3, 4) ti_fail(ti_ctx *c, ti_pos at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ti_vfail(c, at, fmt, ap);
	va_end(ap);
	return false;
}

/* A problem with event id, pointing at its member KEY (or the event). */
static bool TI_PRINTF(4, 5) ti_ev_fail(ti_ctx *c, uint32_t id, const char *key, const char *fmt,
				       ...)
{
	char what[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	return ti_fail(c, ti_at_event(c, key), "event %u: %s", id, what);
}

static const char *ti_pname(const ti_ctx *c, int p) { return c->t->proc_names[p]; }

/* ---- values ---- */

/* An integer in [lo, hi]. */
static bool ti_int_in(const cJSON *it, int64_t lo, int64_t hi, int64_t *out)
{
	return json_int64(it, out) && *out >= lo && *out <= hi;
}

/* The index of a string value in names[0..n), or -1. */
static int ti_index(const cJSON *it, const char *const *names, int n)
{
	if (!cJSON_IsString(it))
		return -1;
	for (int i = 0; i < n; i++)
		if (names[i] && strcmp(names[i], it->valuestring) == 0)
			return i;
	return -1;
}

/* ---- JSON values into kv lists, flattened ---- */

typedef void (*ti_scalar_fn)(st_trace *t, uint32_t list, const char *key, const cJSON *v);

static void ti_add_number(st_trace *t, uint32_t list, const char *key, const cJSON *v)
{
	int64_t i;
	if (json_int64(v, &i)) {
		trace_kv_add(t, list, key, ST_V_INT, i, NULL);
		return;
	}
	/* 0.25, 1e300: ST_V_INT would change the value; the text keeps it for the inspector */
	char buf[40];
	snprintf(buf, sizeof buf, "%.15g", v->valuedouble);
	if (strtod(buf, NULL) != v->valuedouble)
		snprintf(buf, sizeof buf, "%.17g", v->valuedouble);
	trace_kv_add(t, list, key, ST_V_STR, 0, buf);
}
static void ti_add_string(st_trace *t, uint32_t list, const char *key, const cJSON *v)
{ trace_kv_add(t, list, key, ST_V_STR, 0, v->valuestring ? v->valuestring : ""); }
static void ti_add_null(st_trace *t, uint32_t list, const char *key, const cJSON *v)
{ (void)v; trace_kv_add(t, list, key, ST_V_PROC, -1, NULL); }
static void ti_add_bool(st_trace *t, uint32_t list, const char *key, const cJSON *v)
{ trace_kv_add(t, list, key, ST_V_BOOL, cJSON_IsTrue(v), NULL); }

/* One entry per scalar JSON type. */
static const struct { int type; ti_scalar_fn add; } ti_scalars[] = {
	{cJSON_Number, ti_add_number}, {cJSON_String, ti_add_string},
	{cJSON_NULL, ti_add_null}, {cJSON_True, ti_add_bool}, {cJSON_False, ti_add_bool},
};

/* Add value v under key[0..klen) to list; objects and arrays recurse with "key.sub" and
 * "key[i]", so a protocol's nested message (AppendEntries' entries) stays readable. A key
 * that would not fit TI_KEY_MAX is skipped with everything under it. */
static void ti_flatten(st_trace *t, uint32_t list, char *key, size_t klen, const cJSON *v)
{
	for (size_t i = 0; i < sizeof ti_scalars / sizeof ti_scalars[0]; i++)
		if ((v->type & 0xFF) == ti_scalars[i].type) {
			ti_scalars[i].add(t, list, key, v);
			return;
		}
	bool array = cJSON_IsArray(v);
	if (!array && !cJSON_IsObject(v))
		return;     /* cJSON_Raw / invalid: never made by the parser */
	if (!v->child) {
		trace_kv_add(t, list, key, ST_V_STR, 0, array ? "[]" : "{}");
		return;
	}
	int idx = 0;
	for (const cJSON *ch = v->child; ch; ch = ch->next, idx++) {
		int n;
		if (array)
			n = snprintf(key + klen, TI_KEY_MAX - klen, "[%d]", idx);
		else
			n = snprintf(key + klen, TI_KEY_MAX - klen, "%s%s", klen ? "." : "",
				     ch->string ? ch->string : "");
		if (n >= 0 && (size_t)n < TI_KEY_MAX - klen)
			ti_flatten(t, list, key, klen + (size_t)n, ch);
		key[klen] = 0;
	}
}

/* An object as a kv list, leaving out member SKIP (may be NULL). */
static uint32_t ti_kv_object(st_trace *t, const cJSON *obj, const char *skip)
{
	uint32_t list = trace_kv_begin(t);
	char key[TI_KEY_MAX];
	for (const cJSON *ch = obj->child; ch; ch = ch->next) {
		const char *name = ch->string ? ch->string : "";
		if ((skip && strcmp(name, skip) == 0) || strlen(name) >= TI_KEY_MAX)
			continue;
		strcpy(key, name);
		ti_flatten(t, list, key, strlen(key), ch);
	}
	return list;
}

/* Optional object member KEY of ev as a kv list in *out (TRACE_NONE when absent or null). */
static bool ti_opt_object(ti_ctx *c, const cJSON *ev, uint32_t id, const char *key,
			  const char *skip, uint32_t *out)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(ev, key);
	*out = TRACE_NONE;
	if (!o || cJSON_IsNull(o))
		return true;
	if (!cJSON_IsObject(o)) {
		char b[80];
		return ti_ev_fail(c, id, key, "\"%s\" is %s, expected an object", key,
				  json_show(o, b, sizeof b));
	}
	*out = ti_kv_object(c->t, o, skip);
	return true;
}

/* ---- message types ---- */

static const char *ti_type_name(const st_trace *t, int type)
{
	if (t->proto)
		return type < t->proto->n_msg_types ? t->proto->msg_types[type] : "?";
	return type < t->n_foreign_types ? t->foreign_msg_types[type] : "?";
}

/* The index of a message type name: the protocol's table when we know the protocol, else the
 * trace's own table of foreign names, grown as new names appear. -1 after a message. */
static int ti_type_index(ti_ctx *c, uint32_t id, const char *name)
{
	st_trace *t = c->t;
	if (t->proto) {
		for (int i = 0; i < t->proto->n_msg_types; i++)
			if (strcmp(t->proto->msg_types[i], name) == 0)
				return i;
		ti_ev_fail(c, id, "type", "\"type\" is \"%.60s\", which is no message type of "
			   "protocol %s", name, t->proto->name);
		return -1;
	}
	for (int i = 0; i < t->n_foreign_types; i++)
		if (strcmp(t->foreign_msg_types[i], name) == 0)
			return i;
	if (t->n_foreign_types >= TI_MAX_TYPES) {
		ti_ev_fail(c, id, "type", "more than %d message types", TI_MAX_TYPES);
		return -1;
	}
	t->foreign_msg_types = st_realloc(t->foreign_msg_types,
					  (size_t)(t->n_foreign_types + 1) * sizeof(char *));
	t->foreign_msg_types[t->n_foreign_types] = st_strdup(name);
	return t->n_foreign_types++;
}

/* ---- per-kind fields ---- */

typedef bool (*ti_kind_fn)(ti_ctx *c, const cJSON *ev, st_event *e, uint32_t id);

static const cJSON *ti_get(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

/* "msg" of a recv or drop: our id of a message sent earlier. */
static bool ti_sent_msg(ti_ctx *c, const cJSON *ev, uint32_t id, uint32_t *mid, int64_t *fid)
{
	*mid = TRACE_NONE;    /* every path sets it; gcc -O3 cannot see that ti_ev_fail returns false */
	const cJSON *m = ti_get(ev, "msg");
	if (!json_int64(m, fid)) {
		char b[80];
		return ti_ev_fail(c, id, m ? "msg" : NULL, "\"msg\" is %s, expected a message id",
				  json_show(m, b, sizeof b));
	}
	const uint32_t *s = intmap_get(&c->msgs, *fid);
	if (!s)
		return ti_ev_fail(c, id, "msg", "%s of msg %lld has no matching send",
				  cJSON_GetStringValue(ti_get(ev, "kind")), (long long)*fid);
	*mid = *s;
	return true;
}

/* A message reaches its end at its first recv or drop. */
static void ti_end_msg(ti_ctx *c, uint32_t mid, uint32_t id)
{
	st_msgrec *m = trace_msg(c->t, mid);
	if (m->end_ev == TRACE_NONE)
		m->end_ev = id;
}

static bool ti_rd_send(ti_ctx *c, const cJSON *ev, st_event *e, uint32_t id)
{
	const cJSON *m = ti_get(ev, "msg"), *to = ti_get(ev, "to"), *type = ti_get(ev, "type");
	char b[80];
	int64_t fid, dest;
	if (!json_int64(m, &fid))
		return ti_ev_fail(c, id, m ? "msg" : NULL, "\"msg\" is %s, expected a message id",
				  json_show(m, b, sizeof b));
	const uint32_t *s = intmap_get(&c->msgs, fid);
	if (s)
		return ti_ev_fail(c, id, "msg", "msg %lld is sent twice (first at event %u)",
				  (long long)fid, trace_msg(c->t, *s)->send_ev);
	if (!ti_int_in(to, 0, c->t->nprocs - 1, &dest))
		return ti_ev_fail(c, id, to ? "to" : NULL, "\"to\" is %s, expected a process index "
				  "below %d", json_show(to, b, sizeof b), c->t->nprocs);
	if (!cJSON_IsString(type))
		return ti_ev_fail(c, id, type ? "type" : NULL, "\"type\" is %s, expected a string",
				  json_show(type, b, sizeof b));
	int ti = ti_type_index(c, id, type->valuestring);
	if (ti < 0)
		return false;
	uint32_t mid = trace_add_msg(c->t, id, e->proc, (int)dest, ti, NULL, 0);
	if (!intmap_put(&c->msgs, fid, mid))
		return ti_fail(c, TI_NOWHERE, "out of memory");
	e->ref = mid;
	return ti_opt_object(c, ev, id, "body", NULL, &e->body);
}

static bool ti_rd_recv(ti_ctx *c, const cJSON *ev, st_event *e, uint32_t id)
{
	uint32_t mid;
	int64_t fid, from;
	if (!ti_sent_msg(c, ev, id, &mid, &fid))
		return false;
	const st_msgrec *m = trace_msg(c->t, mid);
	if (m->to != e->proc)
		return ti_ev_fail(c, id, "proc", "msg %lld was sent to process %d (%s) but received "
				  "by process %d (%s)", (long long)fid, m->to, ti_pname(c, m->to),
				  e->proc, ti_pname(c, e->proc));
	const cJSON *fr = ti_get(ev, "from"), *type = ti_get(ev, "type");
	if (fr && (!json_int64(fr, &from) || from != m->from)) {
		char b[80];
		return ti_ev_fail(c, id, "from", "\"from\" is %s, but msg %lld was sent by process "
				  "%d (%s)", json_show(fr, b, sizeof b), (long long)fid, m->from,
				  ti_pname(c, m->from));
	}
	const char *tn = ti_type_name(c->t, m->type);
	if (type && (!cJSON_IsString(type) || strcmp(type->valuestring, tn) != 0)) {
		char b[80];
		return ti_ev_fail(c, id, "type", "\"type\" is %s, but msg %lld was sent as \"%s\"",
				  json_show(type, b, sizeof b), (long long)fid, tn);
	}
	/* the body is the send's (a recv repeats it): shared kv offsets would confuse
	 * trace_truncate, and the inspector finds the send through the message */
	e->ref = mid;
	ti_end_msg(c, mid, id);
	return true;
}

static bool ti_rd_drop(ti_ctx *c, const cJSON *ev, st_event *e, uint32_t id)
{
	uint32_t mid;
	int64_t fid;
	if (!ti_sent_msg(c, ev, id, &mid, &fid))
		return false;
	const cJSON *r = ti_get(ev, "reason");
	int why = ti_index(r, trace_drop_names, 4);
	if (why < 0) {
		char b[80];
		return ti_ev_fail(c, id, r ? "reason" : NULL, "\"reason\" is %s, expected \"loss\", "
				  "\"partition\", \"crashed\" or \"user\"", json_show(r, b, sizeof b));
	}
	e->ref = mid;
	e->aux = (uint8_t)why;
	ti_end_msg(c, mid, id);
	return true;
}

static bool ti_rd_timer(ti_ctx *c, const cJSON *ev, st_event *e, uint32_t id)
{
	(void)id;
	/* the simulator keeps the timer's index; the file has its name, as the label */
	const st_protocol *pr = c->t->proto;
	int k = pr ? ti_index(ti_get(ev, "label"), pr->timer_names, pr->n_timers) : -1;
	e->ref = k >= 0 ? (uint32_t)k : 0;
	return true;
}

static bool ti_rd_body(ti_ctx *c, const cJSON *ev, st_event *e, uint32_t id)
{
	return ti_opt_object(c, ev, id, "body", NULL, &e->body);
}

static bool ti_rd_invoke(ti_ctx *c, const cJSON *ev, st_event *e, uint32_t id)
{
	const cJSON *op = ti_get(ev, "op");
	if (!cJSON_IsObject(op)) {
		char b[80];
		return ti_ev_fail(c, id, "op", "\"op\" is %s, expected an object like "
				  "{\"f\": \"write\", \"value\": 3}", json_show(op, b, sizeof b));
	}
	return ti_opt_object(c, ev, id, "op", NULL, &e->body);
}

static bool ti_rd_complete(ti_ctx *c, const cJSON *ev, st_event *e, uint32_t id)
{
	const cJSON *op = ti_get(ev, "op"), *inv = ti_get(ev, "invoke");
	char b[80];
	if (!cJSON_IsObject(op))
		return ti_ev_fail(c, id, "op", "\"op\" is %s, expected an object like "
				  "{\"f\": \"write\", \"value\": 3, \"type\": \"ok\"}",
				  json_show(op, b, sizeof b));
	const cJSON *type = ti_get(op, "type");
	int k = ti_index(type, trace_optype_names, 3);
	if (k < 0)
		return ti_ev_fail(c, id, "op", "the op's \"type\" is %s, expected \"ok\", \"fail\" "
				  "or \"info\"", json_show(type, b, sizeof b));
	int64_t ref;
	if (!json_int64(inv, &ref) || ref < 0 || ref >= id || trace_at(c->t, (uint32_t)ref)->kind !=
	    KIND_INVOKE)
		return ti_ev_fail(c, id, inv ? "invoke" : NULL, "complete names invoke %s, which is "
				  "no earlier invoke event", json_show(inv, b, sizeof b));
	e->aux = (uint8_t)k;
	e->ref = (uint32_t)ref;
	/* the op's type goes to aux, as the simulator keeps it; the exporter writes it back */
	return ti_opt_object(c, ev, id, "op", "type", &e->body);
}

/* Groups as the simulator stores them (trace_json.c and the network view read this): one
 * entry per member, key = the group's index as a string, value = the process. An empty group
 * has no entries; the indexes of the others stay as in the file. */
static bool ti_rd_partition(ti_ctx *c, const cJSON *ev, st_event *e, uint32_t id)
{
	const cJSON *groups = ti_get(ev, "groups"), *g;
	char b[80];
	if (!cJSON_IsArray(groups))
		return ti_ev_fail(c, id, groups ? "groups" : NULL, "\"groups\" is %s, expected an "
				  "array of arrays of process indexes", json_show(groups, b, sizeof b));
	uint64_t seen = 0;
	uint32_t list = trace_kv_begin(c->t);
	int gi = 0;
	cJSON_ArrayForEach(g, groups) {
		const cJSON *p;
		char key[16];
		snprintf(key, sizeof key, "%d", gi++);
		if (!cJSON_IsArray(g))
			return ti_ev_fail(c, id, "groups", "group %d is %s, expected an array of "
					  "process indexes", gi - 1, json_show(g, b, sizeof b));
		cJSON_ArrayForEach(p, g) {
			int64_t v;
			if (!ti_int_in(p, 0, c->t->nprocs - 1, &v))
				return ti_ev_fail(c, id, "groups", "group %d holds %s, expected a "
						  "process index below %d", gi - 1,
						  json_show(p, b, sizeof b), c->t->nprocs);
			if ((seen >> v) & 1)
				return ti_ev_fail(c, id, "groups", "process %lld (%s) is in two groups",
						  (long long)v, ti_pname(c, (int)v));
			seen |= 1ull << v;
			trace_kv_add(c->t, list, key, ST_V_PROC, v, NULL);
		}
	}
	e->body = list;
	return true;
}

/* What each kind reads beyond the common fields; NULL: nothing (start, crash, restart, heal
 * carry only what every event may carry). */
static const ti_kind_fn ti_kind_readers[KIND__COUNT] = {
	[KIND_SEND] = ti_rd_send, [KIND_RECV] = ti_rd_recv, [KIND_TIMER] = ti_rd_timer,
	[KIND_LOCAL] = ti_rd_body, [KIND_INPUT] = ti_rd_body, [KIND_INVOKE] = ti_rd_invoke,
	[KIND_COMPLETE] = ti_rd_complete, [KIND_DROP] = ti_rd_drop, [KIND_PARTITION] = ti_rd_partition,
};

/* ---- one event ---- */

/* Optional string member KEY interned into *out (0 when absent). */
static bool ti_opt_string(ti_ctx *c, const cJSON *ev, uint32_t id, const char *key,
			  uint32_t *out)
{
	const cJSON *s = ti_get(ev, key);
	*out = 0;
	if (!s || cJSON_IsNull(s))
		return true;
	if (!cJSON_IsString(s)) {
		char b[80];
		return ti_ev_fail(c, id, key, "\"%s\" is %s, expected a string", key,
				  json_show(s, b, sizeof b));
	}
	*out = trace_intern(c->t, s->valuestring);
	return true;
}

/* proc, lamport and vc of a process event. */
static bool ti_clocks(ti_ctx *c, const cJSON *ev, st_event *e, uint32_t id, uint32_t *vc)
{
	const cJSON *p = ti_get(ev, "proc"), *l = ti_get(ev, "lamport"), *v = ti_get(ev, "vc");
	int n = c->t->nprocs;
	char b[160];
	int64_t x;
	if (!ti_int_in(p, 0, n - 1, &x))
		return ti_ev_fail(c, id, p ? "proc" : NULL, "\"proc\" is %s, expected a process "
				  "index below %d", json_show(p, b, sizeof b), n);
	e->proc = (uint8_t)x;
	if (!ti_int_in(l, 0, UINT32_MAX, &x))
		return ti_ev_fail(c, id, l ? "lamport" : NULL, "\"lamport\" is %s, expected an "
				  "integer from 0 to %u", json_show(l, b, sizeof b), UINT32_MAX);
	e->lamport = (uint32_t)x;
	if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != n)
		return ti_ev_fail(c, id, v ? "vc" : NULL, "\"vc\" is %s, expected an array of %d "
				  "integers, one per process", json_show(v, b, sizeof b), n);
	const cJSON *it;
	int i = 0;
	cJSON_ArrayForEach(it, v) {
		if (!ti_int_in(it, 0, UINT32_MAX, &x))
			return ti_ev_fail(c, id, "vc", "vc[%d] is %s, expected an integer from 0 to %u",
					  i, json_show(it, b, sizeof b), UINT32_MAX);
		vc[i++] = (uint32_t)x;
	}
	return true;
}

static bool ti_event(ti_ctx *c, const cJSON *ev, uint32_t id)
{
	char b[80];
	if (!cJSON_IsObject(ev))
		return ti_ev_fail(c, id, NULL, "is %s, expected an object", json_show(ev, b, sizeof b));
	const cJSON *idj = ti_get(ev, "id"), *kj = ti_get(ev, "kind"), *tj = ti_get(ev, "t");
	int64_t x;
	if (!json_int64(idj, &x))
		return ti_ev_fail(c, id, idj ? "id" : NULL, "\"id\" is %s, expected %u",
				  json_show(idj, b, sizeof b), id);
	if (x != (int64_t)id)
		return ti_ev_fail(c, id, "id", "id is %lld, expected %u (ids are dense from 0)",
				  (long long)x, id);
	int kind = cJSON_IsString(kj) ? trace_kind_from_name(kj->valuestring) : -1;
	if (kind < 0)
		return ti_ev_fail(c, id, kj ? "kind" : NULL, "unknown kind %s",
				  json_show(kj, b, sizeof b));
	if (!json_int64(tj, &x) || x < 0 || x > INT64_MAX / c->tmul)
		return ti_ev_fail(c, id, tj ? "t" : NULL, "\"t\" is %s, expected a time, an integer "
				  "from 0", json_show(tj, b, sizeof b));
	x *= c->tmul;
	if (x < c->last_t)
		return ti_ev_fail(c, id, "t", "time runs backwards: t is %lld, after %lld at event "
				  "%u", (long long)(x / c->tmul), (long long)(c->last_t / c->tmul),
				  id - 1);
	c->last_t = x;

	st_event e;
	memset(&e, 0, sizeof e);
	e.t_us = x;
	e.kind = (uint8_t)kind;
	e.proc = TRACE_WORLD;
	e.body = TRACE_NONE;
	e.state = TRACE_NONE;
	uint32_t vc[ST_MAX_PROCS];
	/* a world event's proc, lamport or vc, if a writer adds them, are ignored */
	if (trace_kinds[kind].proc_event && !ti_clocks(c, ev, &e, id, vc))
		return false;
	const cJSON *by = ti_get(ev, "by"), *ms = ti_get(ev, "milestone");
	if (by && !cJSON_IsNull(by)) {
		int k = ti_index(by, trace_by_names, 3);
		if (k < 0)
			return ti_ev_fail(c, id, "by", "\"by\" is %s, expected \"schedule\" or \"user\"",
					  json_show(by, b, sizeof b));
		e.by = (uint8_t)k;
	}
	if (ms && !cJSON_IsBool(ms))
		return ti_ev_fail(c, id, "milestone", "\"milestone\" is %s, expected true or false",
				  json_show(ms, b, sizeof b));
	if (cJSON_IsTrue(ms))
		e.flags |= EVF_MILESTONE;
	if (!ti_opt_string(c, ev, id, "label", &e.label) ||
	    !ti_opt_string(c, ev, id, "note", &e.note))
		return false;
	if (ti_kind_readers[kind] && !ti_kind_readers[kind](c, ev, &e, id))
		return false;
	if (!ti_opt_object(c, ev, id, "state", NULL, &e.state))
		return false;
	trace_append(c->t, &e, trace_kinds[kind].proc_event ? vc : NULL);
	return true;
}

/* ---- the header ---- */

static const struct { const char *name; int64_t mul; } ti_units[] = {
	{"us", 1}, {"ms", 1000}, {"s", 1000000},
};

/* The run's parameters, when the header records them and this build knows the protocol:
 * the defaults, then each recorded value that the protocol takes (--verify reports the rest). */
static void ti_params(st_trace *t, const cJSON *ps)
{
	const st_protocol *pr = t->proto;
	if (!pr || !cJSON_IsObject(ps))
		return;
	int np = pr->n_params < ST_MAX_PARAMS ? pr->n_params : ST_MAX_PARAMS;
	for (int i = 0; i < np; i++)
		t->params[i] = (st_param_val){pr->params[i].def_lo,
			pr->params[i].type == ST_P_RANGE ? pr->params[i].def_hi : pr->params[i].def_lo};
	const cJSON *it;
	cJSON_ArrayForEach(it, ps)
		for (int i = 0; i < np; i++)
			if (strcmp(pr->params[i].name, it->string) == 0)
				trace_verify_param(&pr->params[i], it, &t->params[i]);
	t->has_params = np > 0;
}

/* The seed, exactly: cJSON holds numbers as doubles, which lose digits past 2^53, so a large
 * seed is read again from its text. Our exporter writes a seed of 2^63 and more as a negative
 * int64; that comes back as the same uint64. */
static bool ti_seed(ti_ctx *c, const cJSON *it, uint64_t *out)
{
	if (!cJSON_IsNumber(it))
		return false;
	double d = it->valuedouble;
	if (!(d >= -9223372036854775808.0 && d < 18446744073709551616.0))
		return false;
	if (d > -9007199254740992.0 && d < 9007199254740992.0) {
		int64_t i = (int64_t)d;
		*out = (uint64_t)i;
		return (double)i == d;
	}
	*out = d < 0 ? (uint64_t)(int64_t)d : (uint64_t)d;
	trace_rd_value sv;
	if (trace_rd_member(c->rd, "seed", &sv, NULL, NULL)) {
		/* the member's text is NUL-terminated: strtoull stops there at worst */
		char *end;
		errno = 0;
		uint64_t u = sv.text[0] == '-' ? (uint64_t)strtoll(sv.text, &end, 10)
					       : (uint64_t)strtoull(sv.text, &end, 10);
		if (errno == 0 && *end != '.' && *end != 'e' && *end != 'E')
			*out = u;
	}
	return true;
}

/* A process name into 8 bytes, cut at a character boundary. */
static void ti_name(char dst[8], const char *s)
{
	size_t n = strlen(s);
	if (n > 7) {
		n = 7;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(dst, s, n);
	dst[n] = 0;
}

static const char *const ti_roles[] = {"node", "client"};

static bool ti_processes(ti_ctx *c, const cJSON *procs, char names[][8], int *nnodes,
			 int *nclients)
{
	char b[80];
	int n = cJSON_GetArraySize(procs), i = 0;
	if (n < 1 || n > ST_MAX_PROCS)
		return ti_fail(c, ti_at_top(c, "processes"), "%d processes; a trace needs 1 to %d",
			       n, ST_MAX_PROCS);
	const cJSON *p;
	cJSON_ArrayForEach(p, procs) {
		const cJSON *name = ti_get(p, "name");
		int role = ti_index(ti_get(p, "role"), ti_roles, 2);
		if (!cJSON_IsObject(p) || !cJSON_IsString(name) || !*name->valuestring || role < 0)
			return ti_fail(c, ti_at_item(c, "processes", (uint32_t)i),
				       "process %d is %s; it needs a \"name\" and a \"role\" \"node\" "
				       "or \"client\"", i, json_show(p, b, sizeof b));
		ti_name(names[i], name->valuestring);
		/* the file's order is kept: a client before a node is a foreign trace's choice
		 * (see trace_import.h on what that limits) */
		*(role == ST_ROLE_NODE ? nnodes : nclients) += 1;
		i++;
	}
	return true;
}

/* A required string member of the header. */
static const char *ti_head_str(ti_ctx *c, const cJSON *doc, const char *key)
{
	const cJSON *v = ti_get(doc, key);
	if (cJSON_IsString(v))
		return v->valuestring;
	char b[80];
	ti_fail(c, ti_at_top(c, key), "\"%s\" is %s, expected a string", key, json_show(v, b, sizeof b));
	return NULL;
}

static st_trace *ti_header(ti_ctx *c, const cJSON *doc)
{
	char b[80];
	const cJSON *fmt = ti_get(doc, "format"), *ver = ti_get(doc, "version");
	const cJSON *unit = ti_get(doc, "time_unit"), *procs = ti_get(doc, "processes");
	const cJSON *pver = ti_get(doc, "protocol_version");
	int64_t x;
	/* format and version are optional (a minimal foreign trace may leave them out), but
	 * another format or a later version may mean something else: refuse those */
	if (fmt && (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, "spacetime-trace") != 0)) {
		ti_fail(c, ti_at_top(c, "format"), "\"format\" is %s, expected \"spacetime-trace\"",
			json_show(fmt, b, sizeof b));
		return NULL;
	}
	if (ver && (!json_int64(ver, &x) || x != 1)) {
		ti_fail(c, ti_at_top(c, "version"), "\"version\" is %s; this build reads version 1",
			json_show(ver, b, sizeof b));
		return NULL;
	}
	const char *scenario = ti_head_str(c, doc, "scenario");
	const char *protocol = scenario ? ti_head_str(c, doc, "protocol") : NULL;
	if (!protocol)
		return NULL;
	if (pver && !cJSON_IsString(pver)) {
		ti_fail(c, ti_at_top(c, "protocol_version"), "\"protocol_version\" is %s, expected a "
			"string", json_show(pver, b, sizeof b));
		return NULL;
	}
	uint64_t seed;
	if (!ti_seed(c, ti_get(doc, "seed"), &seed)) {
		ti_fail(c, ti_at_top(c, "seed"), "\"seed\" is %s, expected an integer",
			json_show(ti_get(doc, "seed"), b, sizeof b));
		return NULL;
	}
	c->tmul = 0;
	const char *uname = unit ? cJSON_GetStringValue(unit) : "us";
	for (size_t i = 0; uname && i < sizeof ti_units / sizeof ti_units[0]; i++)
		if (strcmp(uname, ti_units[i].name) == 0) {
			c->tmul = ti_units[i].mul;
			break;
		}
	if (!c->tmul) {
		ti_fail(c, ti_at_top(c, "time_unit"), "\"time_unit\" is %s, expected \"us\", \"ms\" "
			"or \"s\"", json_show(unit, b, sizeof b));
		return NULL;
	}
	if (!cJSON_IsArray(procs)) {
		ti_fail(c, ti_at_top(c, "processes"), "\"processes\" is %s, expected an array of "
			"{\"name\", \"role\"}", json_show(procs, b, sizeof b));
		return NULL;
	}
	if (!trace_rd_has_events(c->rd)) {
		ti_fail(c, ti_at_top(c, "events"), "\"events\" is %s, expected an array",
			json_show(ti_get(doc, "events"), b, sizeof b));
		return NULL;
	}
	char names[ST_MAX_PROCS][8];
	int nn = 0, nc = 0;
	if (!ti_processes(c, procs, names, &nn, &nc))
		return NULL;
	const st_protocol *pr = registry_find(protocol);
	st_trace *t = trace_new(scenario, pr, seed, nn, nc, NULL);
	if (!t) {
		ti_fail(c, TI_NOWHERE, "out of memory");
		return NULL;
	}
	char *pname = st_strdup(protocol), *pv = st_strdup(pver ? pver->valuestring : "");
	/* the file's words, not this build's: an unknown protocol keeps its name, and a known
	 * one the version the file was written with */
	free(t->protocol);
	t->protocol = pname;
	free(t->protocol_version);
	t->protocol_version = pv;
	memcpy(t->proc_names, names, sizeof(names[0]) * (size_t)(nn + nc));
	ti_params(t, ti_get(doc, "params"));
	return t;
}

/* ---- the file ---- */

st_trace *trace_import(const char *path, char *err, size_t errlen)
{
	char scratch[1];
	if (!err || errlen == 0) {
		err = scratch;
		errlen = sizeof scratch;
	}
	if (!path) {
		snprintf(err, errlen, "no trace file given");
		return NULL;
	}
	struct stat st;
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    (uint64_t)st.st_size > TRACE_IMPORT_MAX_BYTES) {
		snprintf(err, errlen, "%s: %llu bytes is too large to import (at most %zu MiB)",
			 path, (unsigned long long)st.st_size, TRACE_IMPORT_MAX_BYTES >> 20);
		return NULL;
	}
	trace_rd *rd = trace_rd_open(path);
	ti_ctx c = {.path = path, .rd = rd, .err = err, .errlen = errlen};
	st_trace *t = NULL;
	const cJSON *doc = trace_rd_header(rd);
	if (!doc)
		goto refused;
	t = c.t = ti_header(&c, doc);
	if (!t)
		goto done;
	trace_rd_value ev;
	uint64_t idx;
	int got;
	while ((got = trace_rd_next(rd, &ev, &idx)) > 0) {
		c.ev = &ev;
		if (!ti_event(&c, ev.json, (uint32_t)idx))
			goto fail;
	}
	if (got < 0)
		goto refused;
	trace_step_done(t);     /* every event is a finished step: nothing is being built */
	goto done;
refused:
	snprintf(err, errlen, "%s", trace_rd_error(rd));
fail:
	trace_free(t);
	t = NULL;
done:
	intmap_free(&c.msgs);
	trace_rd_close(rd);
	return t;
}
