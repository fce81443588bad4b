/* test_import.c: unit tests of trace_import (a JSON trace back into an st_trace).
 *
 * Why: the importer is how a trace we cannot re-simulate (another tool's, an old build's) is
 * opened read-only, so every view must find in the imported st_trace what it finds in a
 * simulated one. The strongest check of that is a round trip: simulate real Raft runs, export
 * them, import the file, and compare event by event with the trace still in memory (kinds,
 * clocks, strings, states, bodies, message pairing), and export the import again. Then
 * hand-written foreign traces (unknown protocol, interleaved processes, milliseconds, sparse
 * message ids, nested bodies; compact and pretty-printed), and every error the brief names,
 * each with the exact place (path:line:col) where the file says where. Last, garbage: every
 * truncation and thousands of random mutations of a trace, and the bad-trace corpus of
 * --verify, must give a message or a trace, never a crash (these tests also run under ASan).
 *
 * Foreign traces are written with single quotes for readability; q2j() makes them JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/scenario.h"
#include "core/sim.h"
#include "core/trace.h"
#include "core/trace_import.h"
#include "core/trace_verify.h"
#include "core/trace_json.h"

/* ---- files ---- */

typedef struct {
	char path[64];
	char err[1024];
	st_trace *t;
} imp;

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void tmp_path(char *path)
{
	strcpy(path, "/tmp/st-import-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = malloc((size_t)n + 1);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	b[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return b;
}

/* Import bytes from a fresh temporary file. */
static void imp_bytes(imp *r, const char *text, size_t len)
{
	memset(r, 0, sizeof *r);
	tmp_path(r->path);
	write_file(r->path, text, len);
	r->t = trace_import(r->path, r->err, sizeof r->err);
}

/* Single quotes to double quotes (the texts here use no apostrophes). */
static char *q2j(const char *s)
{
	char *d = strdup(s);
	assert_non_null(d);
	for (char *p = d; *p; p++)
		if (*p == '\'')
			*p = '"';
	return d;
}

static void imp_text(imp *r, const char *q)
{
	char *j = q2j(q);
	imp_bytes(r, j, strlen(j));
	free(j);
}

static void imp_done(imp *r)
{
	trace_free(r->t);
	unlink(r->path);
}

/* The import must fail with exactly "PATH:LOC: WHAT..." (LOC "line:col", or NULL for none)
 * and a message containing WHAT. */
static void expect_fail(imp *r, const char *loc, const char *what)
{
	if (r->t)
		fail_msg("imported, expected \"%s\"", what);
	char want[256];
	if (loc)
		snprintf(want, sizeof want, "%s:%s: ", r->path, loc);
	else
		snprintf(want, sizeof want, "%s: ", r->path);
	if (strncmp(r->err, want, strlen(want)) != 0 || !strstr(r->err, what))
		fail_msg("message \"%s\", expected \"%s...%s\"", r->err, want, what);
}

static void expect_ok(const imp *r)
{
	if (!r->t)
		fail_msg("import failed: %s", r->err);
}

/* ---- kv lists compared by value ---- */

/* A value as the file can say it: a process index and an int are both integers, null is
 * a proc -1 (ST_V_NULL and ST_V_PROC -1 alike). */
typedef struct { int cls; int64_t v; const char *s; } kv_val;
static kv_val kv_value(const st_trace *t, const st_kvrec *r)
{
	switch (r->type) {
	case ST_V_STR: return (kv_val){1, 0, trace_str(t, (uint32_t)r->v)};
	case ST_V_BOOL: return (kv_val){2, r->v != 0, NULL};
	case ST_V_NULL: return (kv_val){3, -1, NULL};
	case ST_V_PROC: return (kv_val){r->v < 0 ? 3 : 0, r->v < 0 ? -1 : r->v, NULL};
	default: return (kv_val){0, r->v, NULL};
	}
}

static void same_kv(const char *what, uint32_t id, const st_trace *a, uint32_t la,
		    const st_trace *b, uint32_t lb)
{
	if (la == TRACE_NONE || lb == TRACE_NONE) {
		if (la != lb)
			fail_msg("event %u: %s present in one trace only", id, what);
		return;
	}
	uint32_t n = trace_kv_count(a, la);
	if (n != trace_kv_count(b, lb))
		fail_msg("event %u: %s has %u entries, imported %u", id, what, n,
			 trace_kv_count(b, lb));
	const st_kvrec *ra = trace_kv_items(a, la), *rb = trace_kv_items(b, lb);
	for (uint32_t i = 0; i < n; i++) {
		const char *ka = trace_str(a, ra[i].key), *kb = trace_str(b, rb[i].key);
		if (strcmp(ka, kb) != 0)
			fail_msg("event %u: %s key %u is \"%s\", imported \"%s\"", id, what, i, ka, kb);
		kv_val va = kv_value(a, &ra[i]), vb = kv_value(b, &rb[i]);
		if (va.cls != vb.cls || va.v != vb.v || (va.s && strcmp(va.s, vb.s) != 0))
			fail_msg("event %u: %s \"%s\" differs (%d:%lld:%s vs %d:%lld:%s)", id, what,
				 ka, va.cls, (long long)va.v, va.s ? va.s : "", vb.cls,
				 (long long)vb.v, vb.s ? vb.s : "");
	}
}

/* A kv entry of an imported list, for the hand-written traces. */
static const st_kvrec *kv_find(const st_trace *t, uint32_t list, const char *key)
{
	assert_int_not_equal(list, TRACE_NONE);
	const st_kvrec *r = trace_kv_items(t, list);
	for (uint32_t i = 0; i < trace_kv_count(t, list); i++)
		if (strcmp(trace_str(t, r[i].key), key) == 0)
			return &r[i];
	fail_msg("no key \"%s\"", key);
	return NULL;
}
static void kv_is_int(const st_trace *t, uint32_t list, const char *key, st_vtype type, int64_t v)
{
	const st_kvrec *r = kv_find(t, list, key);
	assert_int_equal(r->type, type);
	assert_int_equal(r->v, v);
}
static void kv_is_str(const st_trace *t, uint32_t list, const char *key, const char *s)
{
	const st_kvrec *r = kv_find(t, list, key);
	assert_int_equal(r->type, ST_V_STR);
	assert_string_equal(trace_str(t, (uint32_t)r->v), s);
}

/* ---- what a message body should become: the protocol's encode(), flattened by a sink
 * written here from the convention ("a.b", "a[i]", "[]" / "{}" when empty), not from the
 * importer's code ---- */

typedef struct {
	st_trace *t;
	uint32_t list;
	char key[256];
	size_t len[16];
	bool arr[16];
	int idx[16], nchild[16];
	int depth;
} flat_sink;

static const char *flat_key(flat_sink *f, const char *name)
{
	int d = f->depth;
	f->key[f->len[d]] = 0;
	size_t n = f->len[d];
	if (f->arr[d])
		snprintf(f->key + n, sizeof f->key - n, "[%d]", f->idx[d]++);
	else
		snprintf(f->key + n, sizeof f->key - n, "%s%s", n ? "." : "", name);
	f->nchild[d]++;
	return f->key;
}
static void fs_int(st_sink *s, const char *k, int64_t v)
{ flat_sink *f = s->user; trace_kv_add(f->t, f->list, flat_key(f, k), ST_V_INT, v, NULL); }
static void fs_str(st_sink *s, const char *k, const char *v)
{ flat_sink *f = s->user; trace_kv_add(f->t, f->list, flat_key(f, k), ST_V_STR, 0, v); }
static void fs_proc(st_sink *s, const char *k, int p)
{ flat_sink *f = s->user; trace_kv_add(f->t, f->list, flat_key(f, k), ST_V_PROC, p, NULL); }
static void fs_bool(st_sink *s, const char *k, bool v)
{ flat_sink *f = s->user; trace_kv_add(f->t, f->list, flat_key(f, k), ST_V_BOOL, v, NULL); }
static void fs_begin(st_sink *s, const char *k, bool array)
{
	flat_sink *f = s->user;
	const char *key = flat_key(f, k);
	assert_true(f->depth < 15);
	f->depth++;
	f->len[f->depth] = strlen(key);
	f->arr[f->depth] = array;
	f->idx[f->depth] = 0;
	f->nchild[f->depth] = 0;
}
static void fs_end(st_sink *s)
{
	flat_sink *f = s->user;
	int d = f->depth;
	f->key[f->len[d]] = 0;
	if (f->nchild[d] == 0)
		trace_kv_add(f->t, f->list, f->key, ST_V_STR, 0, f->arr[d] ? "[]" : "{}");
	f->depth--;
}

/* ---- round trips of simulated runs ---- */

static st_trace *simulate(const char *scenario, uint64_t steps, bool faults)
{
	char err[512];
	st_scenario *sc = scenario_load(scenario, err, sizeof err);
	if (!sc)
		fail_msg("%s", err);
	st_trace *t = trace_new(sc->name, sc->protocol, sc->seed, sc->nnodes, sc->nclients, NULL);
	assert_non_null(t);
	sim_opts o = {sc->seed, false, 0};
	st_sim *s = sim_new(sc, &o, t);
	assert_non_null(s);
	if (faults) {   /* the user's hand: drops of every reason, duplicates, inputs */
		sim_set_loss(s, 0.05, BY_USER);
		sim_set_duplicate(s, 0.1, BY_USER);
	}
	sim_run_steps(s, steps);
	sim_free(s);
	scenario_free(sc);
	return t;
}

static void compare_traces(const st_trace *a, const st_trace *b)
{
	assert_int_equal(trace_count(a), trace_count(b));
	assert_string_equal(a->scenario, b->scenario);
	assert_string_equal(a->protocol, b->protocol);
	assert_string_equal(a->protocol_version, b->protocol_version);
	assert_ptr_equal(a->proto, b->proto);
	assert_int_equal(a->seed, b->seed);
	assert_int_equal(a->nprocs, b->nprocs);
	assert_int_equal(a->nnodes, b->nnodes);
	assert_int_equal(a->nclients, b->nclients);
	for (int p = 0; p < a->nprocs; p++)
		assert_string_equal(a->proc_names[p], b->proc_names[p]);
	assert_int_equal(b->n_foreign_types, 0);

	st_trace *scratch = trace_new("x", NULL, 0, 1, 0, NULL);
	for (uint32_t id = 0; id < trace_count(a); id++) {
		const st_event *x = trace_at(a, id), *y = trace_at(b, id);
		if (x->kind != y->kind || x->proc != y->proc || x->t_us != y->t_us ||
		    x->lamport != y->lamport || x->by != y->by || x->aux != y->aux ||
		    x->ref != y->ref || (x->flags & EVF_MILESTONE) != y->flags)
			fail_msg("event %u: kind %d/%d proc %d/%d t %lld/%lld lamport %u/%u by %d/%d "
				 "aux %d/%d ref %u/%u flags %d/%d", id, x->kind, y->kind, x->proc,
				 y->proc, (long long)x->t_us, (long long)y->t_us, x->lamport,
				 y->lamport, x->by, y->by, x->aux, y->aux, x->ref, y->ref, x->flags,
				 y->flags);
		if (memcmp(trace_vc(a, id), trace_vc(b, id), sizeof(uint32_t) * (size_t)a->nprocs))
			fail_msg("event %u: vector clocks differ", id);
		assert_string_equal(trace_str(a, x->label), trace_str(b, y->label));
		assert_string_equal(trace_str(a, x->note), trace_str(b, y->note));
		same_kv("state", id, a, x->state, b, y->state);
		if (x->kind == KIND_SEND) {
			/* the import keeps the body as the encoder wrote it, as a kv list */
			const st_msgrec *m = trace_msg(a, x->ref);
			flat_sink f = {.t = scratch, .list = trace_kv_begin(scratch)};
			st_sink s = {fs_int, fs_str, fs_proc, fs_bool, fs_begin, fs_end, &f};
			a->proto->encode(m->type, trace_msg_body(a, m), m->body_len, &s);
			assert_int_equal(f.depth, 0);
			same_kv("message body", id, scratch, f.list, b, y->body);
		} else if (x->kind == KIND_PARTITION) {
			/* exactly the simulator's layout: the network view parses the keys */
			assert_int_equal(trace_kv_count(a, x->body), trace_kv_count(b, y->body));
			const st_kvrec *ra = trace_kv_items(a, x->body);
			const st_kvrec *rb = trace_kv_items(b, y->body);
			for (uint32_t i = 0; i < trace_kv_count(a, x->body); i++) {
				assert_string_equal(trace_str(a, ra[i].key), trace_str(b, rb[i].key));
				assert_int_equal(rb[i].type, ST_V_PROC);
				assert_int_equal(ra[i].v, rb[i].v);
			}
		} else {
			same_kv("body", id, a, x->body, b, y->body);
		}
	}
	trace_free(scratch);
	assert_int_equal(a->nmsg, b->nmsg);
	for (uint32_t i = 0; i < a->nmsg; i++) {
		const st_msgrec *x = &a->msg[i], *y = &b->msg[i];
		if (x->send_ev != y->send_ev || x->end_ev != y->end_ev || x->from != y->from ||
		    x->to != y->to || x->type != y->type)
			fail_msg("msg %u: send %u/%u end %u/%u from %d/%d to %d/%d type %d/%d", i,
				 x->send_ev, y->send_ev, x->end_ev, y->end_ev, x->from, y->from,
				 x->to, y->to, x->type, y->type);
		assert_int_equal(y->body_len, 0);
	}
}

/* Export the import again: every field must come back, but message bodies (an imported
 * message has no protocol bytes for encode(); its body lives on the send event). */
static void compare_reexport(const char *first, const st_trace *b)
{
	char second[64], err[512];
	tmp_path(second);
	if (trace_json_export(b, second, NULL, err, sizeof err) != 0)
		fail_msg("%s", err);
	size_t la, lb;
	char *ta = read_all(first, &la), *tb = read_all(second, &lb);
	cJSON *da = cJSON_Parse(ta), *db = cJSON_Parse(tb);
	assert_non_null(da);
	assert_non_null(db);
	cJSON *ea = cJSON_DetachItemFromObject(da, "events");
	cJSON *eb = cJSON_DetachItemFromObject(db, "events");
	assert_true(cJSON_Compare(da, db, true));
	assert_int_equal(cJSON_GetArraySize(ea), cJSON_GetArraySize(eb));
	cJSON *x, *y = eb->child;
	int id = 0;
	cJSON_ArrayForEach(x, ea) {
		const char *kind = cJSON_GetStringValue(cJSON_GetObjectItem(x, "kind"));
		if (strcmp(kind, "send") == 0 || strcmp(kind, "recv") == 0) {
			cJSON_DeleteItemFromObject(x, "body");
			cJSON_DeleteItemFromObject(y, "body");
		}
		if (!cJSON_Compare(x, y, true)) {
			char *px = cJSON_PrintUnformatted(x), *py = cJSON_PrintUnformatted(y);
			fail_msg("event %d re-exported differs:\n%s\n%s", id, px, py);
		}
		y = y->next;
		id++;
	}
	cJSON_Delete(ea);
	cJSON_Delete(eb);
	cJSON_Delete(da);
	cJSON_Delete(db);
	free(ta);
	free(tb);
	unlink(second);
}

static void round_trip(const char *scenario, uint64_t steps, bool faults, uint32_t *kinds)
{
	st_trace *a = simulate(scenario, steps, faults);
	char path[64], err[512];
	tmp_path(path);
	if (trace_json_export(a, path, NULL, err, sizeof err) != 0)
		fail_msg("%s", err);
	struct stat before, after;
	size_t l0, l1;
	assert_int_equal(stat(path, &before), 0);
	char *bytes0 = read_all(path, &l0);
	st_trace *b = trace_import(path, err, sizeof err);
	if (!b)
		fail_msg("import failed: %s", err);
	/* the file is only read */
	assert_int_equal(stat(path, &after), 0);
	char *bytes1 = read_all(path, &l1);
	assert_int_equal(l0, l1);
	assert_memory_equal(bytes0, bytes1, l0);
	assert_int_equal(before.st_mtim.tv_sec, after.st_mtim.tv_sec);
	assert_int_equal(before.st_mtim.tv_nsec, after.st_mtim.tv_nsec);
	free(bytes0);
	free(bytes1);

	compare_traces(a, b);
	compare_reexport(path, b);
	memset(kinds, 0, sizeof(uint32_t) * KIND__COUNT);
	for (uint32_t id = 0; id < trace_count(b); id++)
		kinds[trace_at(b, id)->kind]++;
	trace_free(a);
	trace_free(b);
	unlink(path);
}

static void test_round_trip_election(void **state)
{
	(void)state;
	uint32_t k[KIND__COUNT];
	round_trip("scenarios/raft-election.json", 300, false, k);
	/* the run must hold what we claim to compare */
	assert_true(k[KIND_START] == 5 && k[KIND_SEND] > 20 && k[KIND_RECV] > 20 && k[KIND_TIMER] > 0);
	assert_true(k[KIND_LOCAL] > 0 && k[KIND_CRASH] == 1);
}

static void test_round_trip_partition_faults(void **state)
{
	(void)state;
	uint32_t k[KIND__COUNT];
	round_trip("scenarios/raft-partition.json", 1500, true, k);
	for (int kind = 0; kind < KIND__COUNT; kind++)
		if (kind != KIND_CRASH && kind != KIND_RESTART && !k[kind])
			fail_msg("no %s event in the run", trace_kinds[kind].name);
}

/* ---- foreign traces ---- */

#define F_HEAD \
	"{'format':'spacetime-trace','version':1,'scenario':'echo-demo','protocol':'echo'," \
	"'seed':5,'time_unit':'ms',\n" \
	"'processes':[{'name':'c1','role':'client'},{'name':'n1','role':'node'}," \
	"{'name':'node-two','role':'node'}],\n'events':[\n"
#define F_FIRST_LINE 4      /* event i is on line F_FIRST_LINE + i */

static const char *const FOREIGN[] = {
	"{'id':0,'t':0,'kind':'start','proc':1,'lamport':1,'vc':[0,1,0],"
	"'state':{'up':true,'peers':['n2'],'leader':null,'load':{'cpu':3}}}",
	"{'id':1,'t':0,'kind':'start','proc':2,'lamport':1,'vc':[0,0,1]}",
	"{'id':2,'t':0,'kind':'start','proc':0,'lamport':1,'vc':[1,0,0]}",
	"{'id':3,'t':1,'kind':'invoke','proc':0,'lamport':2,'vc':[2,0,0],"
	"'op':{'f':'echo','value':'hi'},'by':'user'}",
	"{'id':4,'t':1,'kind':'send','proc':0,'lamport':3,'vc':[3,0,0],'msg':17,'to':1,"
	"'type':'echo','body':{'echo':'hi','meta':{'hops':1,'path':[0,1]},'ratio':0.25,"
	"'empty':[],'none':{}}}",
	"{'id':5,'t':2,'kind':'recv','proc':1,'lamport':4,'vc':[3,2,0],'msg':17,'from':0,"
	"'type':'echo','body':{'echo':'hi'},'label':'got echo','note':'n1 answers at once.'}",
	"{'id':6,'t':2,'kind':'send','proc':1,'lamport':5,'vc':[3,3,0],'msg':4,'to':0,"
	"'type':'echo_ok','body':{'echo':'hi'}}",
	"{'id':7,'t':2,'kind':'send','proc':1,'lamport':6,'vc':[3,4,0],'msg':9,'to':2,"
	"'type':'gossip'}",
	"{'id':8,'t':3,'kind':'partition','groups':[[0,1],[],[2]],'by':'schedule'}",
	"{'id':9,'t':3,'kind':'drop','msg':9,'reason':'partition'}",
	"{'id':10,'t':4,'kind':'recv','proc':0,'lamport':7,'vc':[4,4,0],'msg':4,'from':1,"
	"'type':'echo_ok'}",
	"{'id':11,'t':4,'kind':'recv','proc':0,'lamport':8,'vc':[5,4,0],'msg':4,'from':1,"
	"'type':'echo_ok'}",
	"{'id':12,'t':4,'kind':'complete','proc':0,'lamport':9,'vc':[6,4,0],"
	"'op':{'f':'echo','value':'hi','type':'info'},'invoke':3,'milestone':true}",
	"{'id':13,'t':5,'kind':'heal'}",
	"{'id':14,'t':5,'kind':'local','proc':2,'lamport':2,'vc':[0,0,2],'label':'tick',"
	"'body':{'n':1}}",
	"{'id':15,'t':6,'kind':'timer','proc':1,'lamport':7,'vc':[3,5,0],'label':'retry'}",
	"{'id':16,'t':6,'kind':'input','label':'loss 10%','body':{'action':'loss','ppm':100000}}",
	"{'id':17,'t':7,'kind':'crash','proc':2,'lamport':3,'vc':[0,0,3]}",
	"{'id':18,'t':8,'kind':'restart','proc':2,'lamport':4,'vc':[0,0,4],'state':{'up':true}}",
};
#define NFOREIGN (sizeof FOREIGN / sizeof FOREIGN[0])

/* "LINE:COL" of the first NEEDLE in text (found, not counted by hand, so the tests say
 * which key a message must point at). */
static const char *loc_in(const char *text, const char *needle)
{
	static char buf[32];
	const char *at = strstr(text, needle);
	if (!at)
		fail_msg("no \"%s\" in the text", needle);
	int line = 1, col = 1;
	for (const char *c = text; c < at; c++) {
		if (*c == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	snprintf(buf, sizeof buf, "%d:%d", line, col);
	return buf;
}

/* Where NEEDLE is in event idx's line (NULL: the event's start); each event of a foreign
 * trace is alone on its line, from column 1. */
static const char *ev_at(size_t idx, const char *line, const char *needle)
{
	static char buf[32];
	int col = 1;
	if (needle) {
		const char *at = strstr(line, needle);
		if (!at)
			fail_msg("no \"%s\" in %s", needle, line);
		col = (int)(at - line) + 1;
	}
	snprintf(buf, sizeof buf, "%d:%d", F_FIRST_LINE + (int)idx, col);
	return buf;
}

/* F_HEAD and FOREIGN with event idx replaced by line (dropped when NULL; idx past the end:
 * nothing replaced). */
static char *foreign_with(const char *head, size_t idx, const char *line)
{
	size_t cap = strlen(head) + 16 + (line ? strlen(line) + 2 : 0);
	for (size_t i = 0; i < NFOREIGN; i++)
		cap += strlen(FOREIGN[i]) + 2;
	char *s = malloc(cap);
	assert_non_null(s);
	strcpy(s, head);
	bool first = true;
	for (size_t i = 0; i < NFOREIGN; i++) {
		const char *ev = i == idx ? line : FOREIGN[i];
		if (!ev)
			continue;
		if (!first)
			strcat(s, ",\n");
		strcat(s, ev);
		first = false;
	}
	strcat(s, "\n]}\n");
	return s;
}

static void imp_foreign(imp *r, size_t idx, const char *line)
{
	char *q = foreign_with(F_HEAD, idx, line);
	imp_text(r, q);
	free(q);
}

static void check_foreign(const st_trace *t)
{
	assert_null(t->proto);
	assert_string_equal(t->protocol, "echo");
	assert_string_equal(t->protocol_version, "");
	assert_string_equal(t->scenario, "echo-demo");
	assert_int_equal(t->seed, 5);
	assert_int_equal(trace_count(t), NFOREIGN);
	/* interleaved: the file's order, counts from the roles, names kept (cut to 7 bytes) */
	assert_int_equal(t->nprocs, 3);
	assert_int_equal(t->nnodes, 2);
	assert_int_equal(t->nclients, 1);
	assert_string_equal(t->proc_names[0], "c1");
	assert_string_equal(t->proc_names[1], "n1");
	assert_string_equal(t->proc_names[2], "node-tw");
	/* milliseconds */
	assert_int_equal(trace_at(t, 5)->t_us, 2000);
	assert_int_equal(trace_at(t, 18)->t_us, 8000);
	/* message types by name, in order of appearance */
	assert_int_equal(t->n_foreign_types, 3);
	assert_string_equal(t->foreign_msg_types[0], "echo");
	assert_string_equal(t->foreign_msg_types[1], "echo_ok");
	assert_string_equal(t->foreign_msg_types[2], "gossip");
	/* messages: file ids 17, 4, 9 become 0, 1, 2; ends at the first recv or the drop */
	assert_int_equal(t->nmsg, 3);
	static const uint32_t want[3][5] = {{4, 5, 0, 1, 0}, {6, 10, 1, 0, 1}, {7, 9, 1, 2, 2}};
	for (int i = 0; i < 3; i++) {
		const st_msgrec *m = trace_msg(t, (uint32_t)i);
		assert_int_equal(m->send_ev, want[i][0]);
		assert_int_equal(m->end_ev, want[i][1]);
		assert_int_equal(m->from, want[i][2]);
		assert_int_equal(m->to, want[i][3]);
		assert_int_equal(m->type, want[i][4]);
		assert_int_equal(m->body_len, 0);
		assert_int_equal(trace_at(t, m->send_ev)->ref, (uint32_t)i);
	}
	assert_int_equal(trace_at(t, 5)->ref, 0);
	assert_int_equal(trace_at(t, 10)->ref, 1);
	assert_int_equal(trace_at(t, 11)->ref, 1);   /* a duplicate delivery */
	assert_int_equal(trace_at(t, 5)->body, TRACE_NONE);
	assert_int_equal(trace_at(t, 9)->ref, 2);
	assert_int_equal(trace_at(t, 9)->aux, DROP_PARTITION);
	assert_int_equal(trace_at(t, 9)->proc, TRACE_WORLD);
	/* the message body, flattened */
	uint32_t body = trace_at(t, 4)->body;
	assert_int_equal(trace_kv_count(t, body), 7);
	kv_is_str(t, body, "echo", "hi");
	kv_is_int(t, body, "meta.hops", ST_V_INT, 1);
	kv_is_int(t, body, "meta.path[0]", ST_V_INT, 0);
	kv_is_int(t, body, "meta.path[1]", ST_V_INT, 1);
	kv_is_str(t, body, "ratio", "0.25");
	kv_is_str(t, body, "empty", "[]");
	kv_is_str(t, body, "none", "{}");
	assert_int_equal(trace_at(t, 7)->body, TRACE_NONE);
	/* states: bool, array, null, nested */
	uint32_t st = trace_at(t, 0)->state;
	assert_int_equal(trace_kv_count(t, st), 4);
	kv_is_int(t, st, "up", ST_V_BOOL, 1);
	kv_is_str(t, st, "peers[0]", "n2");
	kv_is_int(t, st, "leader", ST_V_PROC, -1);
	kv_is_int(t, st, "load.cpu", ST_V_INT, 3);
	assert_int_equal(trace_at(t, 1)->state, TRACE_NONE);
	/* partition: key = group index, value = process; the empty group has no entries */
	const st_event *p = trace_at(t, 8);
	assert_int_equal(p->by, BY_SCHEDULE);
	assert_int_equal(trace_kv_count(t, p->body), 3);
	const st_kvrec *g = trace_kv_items(t, p->body);
	static const char *const gk[3] = {"0", "0", "2"};
	for (int i = 0; i < 3; i++) {
		assert_string_equal(trace_str(t, g[i].key), gk[i]);
		assert_int_equal(g[i].type, ST_V_PROC);
		assert_int_equal(g[i].v, i);
	}
	/* client ops */
	const st_event *inv = trace_at(t, 3), *cpl = trace_at(t, 12);
	assert_int_equal(inv->by, BY_USER);
	assert_int_equal(trace_kv_count(t, inv->body), 2);
	kv_is_str(t, inv->body, "f", "echo");
	kv_is_str(t, inv->body, "value", "hi");
	assert_int_equal(cpl->aux, ST_OP_INFO);
	assert_int_equal(cpl->ref, 3);
	assert_int_equal(cpl->flags, EVF_MILESTONE);
	assert_int_equal(trace_kv_count(t, cpl->body), 2);     /* "type" went to aux */
	/* labels and notes, local and input bodies, world events, clocks */
	assert_string_equal(trace_str(t, trace_at(t, 5)->label), "got echo");
	assert_string_equal(trace_str(t, trace_at(t, 5)->note), "n1 answers at once.");
	assert_int_equal(trace_at(t, 4)->label, 0);
	kv_is_int(t, trace_at(t, 14)->body, "n", ST_V_INT, 1);
	assert_string_equal(trace_str(t, trace_at(t, 15)->label), "retry");
	assert_int_equal(trace_at(t, 15)->ref, 0);
	kv_is_str(t, trace_at(t, 16)->body, "action", "loss");
	kv_is_int(t, trace_at(t, 16)->body, "ppm", ST_V_INT, 100000);
	assert_int_equal(trace_at(t, 13)->proc, TRACE_WORLD);
	assert_int_equal(trace_at(t, 17)->kind, KIND_CRASH);
	assert_int_equal(trace_at(t, 11)->lamport, 8);
	const uint32_t *vc = trace_vc(t, 11);
	assert_true(vc[0] == 5 && vc[1] == 4 && vc[2] == 0);
	assert_int_equal(trace_order(t, 4, 5), 1);
	assert_int_equal(trace_order(t, 14, 5), 0);
}

static void test_foreign_minimal(void **state)
{
	(void)state;
	imp r;
	imp_foreign(&r, NFOREIGN, NULL);
	expect_ok(&r);
	check_foreign(r.t);
	imp_done(&r);
}

/* A known protocol: type names map to its table, timers to their index, and a type it does
 * not have is an error. */
static void test_foreign_known_protocol(void **state)
{
	(void)state;
	const char *q =
		"{'scenario':'x','protocol':'raft','seed':1,'processes':[{'name':'n1','role':'node'},"
		"{'name':'n2','role':'node'}],'events':[\n"
		"{'id':0,'t':0,'kind':'start','proc':0,'lamport':1,'vc':[1,0]},\n"
		"{'id':1,'t':5,'kind':'timer','proc':0,'lamport':2,'vc':[2,0],'label':'heartbeat'},\n"
		"{'id':2,'t':5,'kind':'send','proc':0,'lamport':3,'vc':[3,0],'msg':0,'to':1,"
		"'type':'AppendReply','body':{'term':1}}\n]}";
	imp r;
	imp_text(&r, q);
	expect_ok(&r);
	assert_non_null(r.t->proto);
	assert_string_equal(r.t->proto->name, "raft");
	const st_protocol *pr = r.t->proto;
	int want = -1, timer = -1;
	for (int i = 0; i < pr->n_msg_types; i++)
		if (strcmp(pr->msg_types[i], "AppendReply") == 0)
			want = i;
	for (int i = 0; i < pr->n_timers; i++)
		if (strcmp(pr->timer_names[i], "heartbeat") == 0)
			timer = i;
	assert_true(want >= 0 && timer >= 0);
	assert_int_equal(trace_msg(r.t, 0)->type, want);
	assert_int_equal(trace_msg(r.t, 0)->end_ev, TRACE_NONE);
	assert_int_equal(trace_at(r.t, 1)->ref, (uint32_t)timer);
	assert_int_equal(r.t->n_foreign_types, 0);
	imp_done(&r);

	char *bad = strdup(q), *p = strstr(bad, "AppendReply");
	memcpy(p, "AppendReplz", 11);
	imp_text(&r, bad);
	expect_fail(&r, loc_in(bad, "'type'"), "event 2: \"type\" is \"AppendReplz\", which is no "
		    "message type of protocol raft");
	imp_done(&r);
	free(bad);
}

/* Seeds exactly (cJSON's doubles lose digits past 2^53; our exporter writes a seed of 2^63
 * and more as a negative int64) and the time units. */
static void test_header_seed_and_units(void **state)
{
	(void)state;
	static const struct { const char *seed, *unit; uint64_t want; int64_t t_us; } cases[] = {
		{"-1", "", UINT64_MAX, 7},
		{"12345678901234567891", "'time_unit':'s',", 12345678901234567891ull, 7000000},
		{"9007199254740993", "'time_unit':'us',", 9007199254740993ull, 7},
		{"42", "'time_unit':'ms',", 42, 7000},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char q[512];
		snprintf(q, sizeof q, "{'scenario':'s','protocol':'p','seed':%s,%s'processes':"
			 "[{'name':'n1','role':'node'}],'events':[{'id':0,'t':7,'kind':'start',"
			 "'proc':0,'lamport':1,'vc':[1]}]}", cases[i].seed, cases[i].unit);
		imp r;
		imp_text(&r, q);
		expect_ok(&r);
		assert_int_equal(r.t->seed, cases[i].want);
		assert_int_equal(trace_at(r.t, 0)->t_us, cases[i].t_us);
		imp_done(&r);
	}
	/* and through our own exporter */
	st_trace *t = trace_new("s", NULL, UINT64_MAX - 5, 1, 0, NULL);
	st_event e = {.kind = KIND_START, .lamport = 1, .body = TRACE_NONE, .state = TRACE_NONE};
	uint32_t vc[1] = {1};
	trace_append(t, &e, vc);
	char path[64], err[512];
	tmp_path(path);
	assert_int_equal(trace_json_export(t, path, NULL, err, sizeof err), 0);
	st_trace *u = trace_import(path, err, sizeof err);
	if (!u)
		fail_msg("%s", err);
	assert_int_equal(u->seed, UINT64_MAX - 5);
	trace_free(u);
	trace_free(t);
	unlink(path);
}

/* The same trace pretty-printed across many lines imports the same, and its errors are
 * placed on the right line and column. */
static void test_foreign_pretty(void **state)
{
	(void)state;
	char *q = foreign_with(F_HEAD, NFOREIGN, NULL), *j = q2j(q);
	cJSON *doc = cJSON_Parse(j);
	assert_non_null(doc);
	char *pretty = cJSON_Print(doc);
	assert_non_null(strchr(pretty, '\n'));
	imp r;
	imp_bytes(&r, pretty, strlen(pretty));
	expect_ok(&r);
	check_foreign(r.t);
	imp_done(&r);
	free(pretty);

	/* event 5's vc made one entry short; find where its "vc" key lands in the printout */
	cJSON *ev5 = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "events"), 5);
	cJSON_DeleteItemFromArray(cJSON_GetObjectItem(ev5, "vc"), 2);
	pretty = cJSON_Print(doc);
	const char *at = pretty;
	for (int i = 0; i <= 5; i++) {
		at = strstr(at + 1, "\"vc\"");
		assert_non_null(at);
	}
	int line = 1, col = 1;
	for (const char *c = pretty; c < at; c++) {
		if (*c == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	assert_true(line > 50);
	char loc[32];
	snprintf(loc, sizeof loc, "%d:%d", line, col);
	imp_bytes(&r, pretty, strlen(pretty));
	expect_fail(&r, loc, "event 5: \"vc\" is [3,2], expected an array of 3 integers");
	imp_done(&r);
	free(pretty);
	cJSON_Delete(doc);
	free(j);
	free(q);
}

/* ---- errors ---- */

static void test_error_syntax(void **state)
{
	(void)state;
	imp r;
	/* a missing comma on line 4 */
	imp_text(&r, "{'scenario':'x','protocol':'p','seed':1,\n'processes':[\n"
		     "  {'name':'n1','role':'node'}\n  {'name':'n2','role':'node'}],\n'events':[]}");
	expect_fail(&r, "4:3", "invalid JSON: unexpected '{'");
	imp_done(&r);
	/* a stray character inside an event of our one-event-per-line shape */
	const char *stray = "{'id':2,'t':0,'kind':'start';'proc':0,'lamport':1,'vc':[1,0,0]}";
	imp_foreign(&r, 2, stray);
	expect_fail(&r, ev_at(2, stray, ";"), "invalid JSON: unexpected ';'");
	imp_done(&r);
}

static void test_error_cut_short(void **state)
{
	(void)state;
	char *q = foreign_with(F_HEAD, NFOREIGN, NULL), *j = q2j(q);
	char *cut = strstr(j, "\"echo_ok\",\"body\"");
	assert_non_null(cut);
	size_t len = (size_t)(cut - j) + 4;     /* inside the string "echo_ok" */
	const char *line_start = cut;
	while (line_start > j && line_start[-1] != '\n')
		line_start--;
	char loc[32];
	snprintf(loc, sizeof loc, "%d:%d", F_FIRST_LINE + 6, (int)(j + len - line_start) + 1);
	imp r;
	imp_bytes(&r, j, len);
	expect_fail(&r, loc, "invalid JSON: this event ends in the middle of a value");
	imp_done(&r);
	/* trailing text after the document */
	size_t n = strlen(j);
	char *more = malloc(n + 8);
	memcpy(more, j, n);
	memcpy(more + n, "  {}\n", 6);
	imp_bytes(&r, more, strlen(more));
	char loc2[32];
	snprintf(loc2, sizeof loc2, "%d:3", F_FIRST_LINE + (int)NFOREIGN + 1);
	expect_fail(&r, loc2, "invalid JSON: text after the end of the document");
	imp_done(&r);
	free(more);
	free(j);
	free(q);
}

static void test_error_id_gap(void **state)
{
	(void)state;
	imp r;
	imp_foreign(&r, 3, NULL);      /* event 4 now sits at index 3 */
	expect_fail(&r, ev_at(3, FOREIGN[4], "'id'"), "event 3: id is 4, expected 3");
	imp_done(&r);
	imp_foreign(&r, 0, "{'id':'zero','t':0,'kind':'heal'}");
	expect_fail(&r, ev_at(0, FOREIGN[0], "'id'"), "event 0: \"id\" is \"zero\", expected 0");
	imp_done(&r);
}

static void test_error_unknown_kind(void **state)
{
	(void)state;
	imp r;
	const char *tele = "{'id':13,'t':5,'kind':'teleport'}";
	imp_foreign(&r, 13, tele);
	expect_fail(&r, ev_at(13, tele, "'kind'"), "event 13: unknown kind \"teleport\"");
	imp_done(&r);
	imp_foreign(&r, 13, "{'id':13,'t':5}");
	expect_fail(&r, ev_at(13, NULL, NULL), "event 13: unknown kind missing");
	imp_done(&r);
}

static void test_error_vc_length(void **state)
{
	(void)state;
	static const struct { const char *line, *needle, *what; } cases[] = {
		{"{'id':1,'t':0,'kind':'start','proc':2,'lamport':1,'vc':[0,0,1,0]}", "'vc'",
		 "event 1: \"vc\" is [0,0,1,0], expected an array of 3 integers, one per process"},
		{"{'id':1,'t':0,'kind':'start','proc':2,'lamport':1,'vc':[0,1]}", "'vc'",
		 "event 1: \"vc\" is [0,1], expected an array of 3"},
		{"{'id':1,'t':0,'kind':'start','proc':2,'lamport':1}", NULL,
		 "event 1: \"vc\" is missing"},
		{"{'id':1,'t':0,'kind':'start','proc':2,'lamport':1,'vc':[0,-1,1]}", "'vc'",
		 "event 1: vc[1] is -1"},
		{"{'id':1,'t':0,'kind':'start','proc':3,'lamport':1,'vc':[0,0,1]}", "'proc'",
		 "event 1: \"proc\" is 3, expected a process index below 3"},
		{"{'id':1,'t':0,'kind':'start','proc':2,'lamport':1.5,'vc':[0,0,1]}", "'lamport'",
		 "event 1: \"lamport\" is 1.5"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		imp r;
		imp_foreign(&r, 1, cases[i].line);
		expect_fail(&r, ev_at(1, cases[i].line, cases[i].needle), cases[i].what);
		imp_done(&r);
	}
}

static void test_error_recv_unknown_msg(void **state)
{
	(void)state;
	static const struct { size_t idx; const char *line, *needle, *what; } cases[] = {
		{5, "{'id':5,'t':2,'kind':'recv','proc':1,'lamport':4,'vc':[3,2,0],'msg':99,"
		 "'from':0,'type':'echo'}", "'msg'", "event 5: recv of msg 99 has no matching send"},
		/* a drop of an unknown message, a recv before its send */
		{9, "{'id':9,'t':3,'kind':'drop','msg':10,'reason':'partition'}", "'msg'",
		 "event 9: drop of msg 10 has no matching send"},
		{2, "{'id':2,'t':0,'kind':'recv','proc':1,'lamport':2,'vc':[0,2,0],'msg':17}", "'msg'",
		 "event 2: recv of msg 17 has no matching send"},
		/* a recv by a process the message was not for, a message sent twice */
		{5, "{'id':5,'t':2,'kind':'recv','proc':2,'lamport':4,'vc':[3,2,0],'msg':17,"
		 "'from':0,'type':'echo'}", "'proc'", "event 5: msg 17 was sent to process 1 (n1) "
		 "but received by process 2 (node-tw)"},
		{6, "{'id':6,'t':2,'kind':'send','proc':1,'lamport':5,'vc':[3,3,0],'msg':17,'to':0,"
		 "'type':'echo_ok'}", "'msg'", "event 6: msg 17 is sent twice (first at event 4)"},
		{10, "{'id':10,'t':4,'kind':'recv','proc':0,'lamport':7,'vc':[4,4,0],'msg':4,"
		 "'from':1,'type':'gossip'}", "'type'", "event 10: \"type\" is \"gossip\", but msg 4 "
		 "was sent as \"echo_ok\""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		imp r;
		imp_foreign(&r, cases[i].idx, cases[i].line);
		expect_fail(&r, ev_at(cases[i].idx, cases[i].line, cases[i].needle), cases[i].what);
		imp_done(&r);
	}
}

static void test_error_too_many_processes(void **state)
{
	(void)state;
	char q[4096] = "{'scenario':'x','protocol':'p','seed':1,\n'processes':[";
	for (int i = 0; i < ST_MAX_PROCS + 1; i++)
		snprintf(q + strlen(q), sizeof q - strlen(q), "%s{'name':'n%d','role':'node'}",
			 i ? "," : "", i + 1);
	strcat(q, "],'events':[]}");
	imp r;
	imp_text(&r, q);
	expect_fail(&r, "2:1", "33 processes; a trace needs 1 to 32");
	imp_done(&r);
	/* exactly the maximum imports */
	char *last = strstr(q, ",{'name':'n33'");
	strcpy(last, "],'events':[]}");
	imp_text(&r, q);
	expect_ok(&r);
	assert_int_equal(r.t->nprocs, ST_MAX_PROCS);
	imp_done(&r);
	imp_text(&r, "{'scenario':'x','protocol':'p','seed':1,'processes':[],'events':[]}");
	expect_fail(&r, "1:41", "0 processes");
	imp_done(&r);
}

static void test_error_not_an_object(void **state)
{
	(void)state;
	imp r;
	imp_text(&r, "\n  [1, 2]\n");
	expect_fail(&r, "2:3", "the document is not a JSON object (it is an array");
	imp_done(&r);
	imp_text(&r, "42");
	expect_fail(&r, "1:1", "the document is not a JSON object (it is a number");
	imp_done(&r);
	imp_text(&r, "{'events':[]}");
	expect_fail(&r, "1:1", "\"scenario\" is missing, expected a string");
	imp_done(&r);
}

/* The other ways a file can be wrong, each with its message. */
static void test_error_others(void **state)
{
	(void)state;
	imp r;
	static const struct { size_t idx; const char *line, *needle, *what; } cases[] = {
		{6, "{'id':6,'t':1,'kind':'heal'}", "'t'", "event 6: time runs backwards: t is 1, "
		 "after 2 at event 5"},
		{12, "{'id':12,'t':4,'kind':'complete','proc':0,'lamport':9,'vc':[6,4,0],"
		 "'op':{'f':'echo','type':'ok'},'invoke':5}", "'invoke'", "event 12: complete names "
		 "invoke 5, which is no earlier invoke event"},
		{12, "{'id':12,'t':4,'kind':'complete','proc':0,'lamport':9,'vc':[6,4,0],"
		 "'op':{'f':'echo','type':'maybe'},'invoke':3}", "'op'", "event 12: the op's "
		 "\"type\" is \"maybe\", expected \"ok\", \"fail\" or \"info\""},
		{3, "{'id':3,'t':1,'kind':'invoke','proc':0,'lamport':2,'vc':[2,0,0]}", "{",
		 "event 3: \"op\" is missing, expected an object"},
		{9, "{'id':9,'t':3,'kind':'drop','msg':9,'reason':'gremlins'}", "'reason'",
		 "event 9: \"reason\" is \"gremlins\", expected \"loss\""},
		{8, "{'id':8,'t':3,'kind':'partition','groups':[[0,1],[1,2]]}", "'groups'",
		 "event 8: process 1 (n1) is in two groups"},
		{8, "{'id':8,'t':3,'kind':'partition','groups':[[0,7]]}", "'groups'",
		 "event 8: group 0 holds 7, expected a process index below 3"},
		{8, "{'id':8,'t':3,'kind':'partition'}", "{",
		 "event 8: \"groups\" is missing, expected an array of arrays"},
		{13, "{'id':13,'t':5,'kind':'heal','by':'gremlins'}", "'by'",
		 "event 13: \"by\" is \"gremlins\", expected \"schedule\" or \"user\""},
		{13, "{'id':13,'t':5,'kind':'heal','milestone':1}", "'milestone'",
		 "event 13: \"milestone\" is 1, expected true or false"},
		{13, "{'id':13,'t':5,'kind':'heal','label':7}", "'label'",
		 "event 13: \"label\" is 7, expected a string"},
		{13, "{'id':13,'t':5,'kind':'heal','state':[1]}", "'state'",
		 "event 13: \"state\" is [1], expected an object"},
		{13, "{'id':13,'t':5.5,'kind':'heal'}", "'t'", "event 13: \"t\" is 5.5"},
		{13, "[13]", "[", "event 13: is [13], expected an object"},
		{7, "{'id':7,'t':2,'kind':'send','proc':1,'lamport':6,'vc':[3,4,0],'msg':9,'to':2}",
		 "{", "event 7: \"type\" is missing, expected a string"},
		{7, "{'id':7,'t':2,'kind':'send','proc':1,'lamport':6,'vc':[3,4,0],'msg':9,'to':5,"
		 "'type':'gossip'}", "'to'", "event 7: \"to\" is 5, expected a process index below 3"},
		{7, "{'id':7,'t':2,'kind':'send','proc':1,'lamport':6,'vc':[3,4,0],'msg':9,'to':2,"
		 "'type':'gossip','body':'text'}", "'body'",
		 "event 7: \"body\" is \"text\", expected an object"},
		{10, "{'id':10,'t':4,'kind':'recv','proc':0,'lamport':7,'vc':[4,4,0],'msg':4,'from':2,"
		 "'type':'echo_ok'}", "'from'", "event 10: \"from\" is 2, but msg 4 was sent by "
		 "process 1 (n1)"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		imp_foreign(&r, cases[i].idx, cases[i].line);
		expect_fail(&r, ev_at(cases[i].idx, cases[i].line, cases[i].needle), cases[i].what);
		imp_done(&r);
	}
	/* header fields */
	static const struct { const char *from, *to, *needle, *what; } heads[] = {
		{"'version':1", "'version':2", "'version'",
		 "\"version\" is 2; this build reads version 1"},
		{"'format':'spacetime-trace'", "'format':'other'", "'format'",
		 "\"format\" is \"other\", expected \"spacetime-trace\""},
		{"'time_unit':'ms'", "'time_unit':'ns'", "'time_unit'",
		 "\"time_unit\" is \"ns\", expected \"us\", \"ms\" or \"s\""},
		{"'seed':5", "'seed':'five'", "'seed'", "\"seed\" is \"five\", expected an integer"},
		{"'seed':5", "'seed':5.5", "'seed'", "\"seed\" is 5.5, expected an integer"},
		{"'protocol':'echo'", "'protocol':7", "'protocol'",
		 "\"protocol\" is 7, expected a string"},
		{"'role':'client'", "'role':'server'", "{'name':'c1'", "process 0 is {\"name\":\"c1\","
		 "\"role\":\"server\"}; it needs a \"name\" and a \"role\" \"node\" or \"client\""},
		{"'name':'n1',", "", "{'role'", "process 1 is {\"role\":\"node\"}; it needs"},
		{"'events':[", "'evts':[", "{", "\"events\" is missing, expected an array"},
	};
	for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++) {
		char *h = strdup(F_HEAD), *p = strstr(h, heads[i].from);
		assert_non_null(p);
		char *nh = malloc(strlen(h) + 32);
		snprintf(nh, strlen(h) + 32, "%.*s%s%s", (int)(p - h), h, heads[i].to,
			 p + strlen(heads[i].from));
		char *q = foreign_with(nh, NFOREIGN, NULL);
		imp_text(&r, q);
		expect_fail(&r, loc_in(nh, heads[i].needle), heads[i].what);
		imp_done(&r);
		free(q);
		free(nh);
		free(h);
	}
}

static void test_error_files(void **state)
{
	(void)state;
	char err[512];
	assert_null(trace_import("/tmp/st-import-no-such-file.json", err, sizeof err));
	assert_string_equal(err, "/tmp/st-import-no-such-file.json: cannot open: No such file or "
			    "directory");
	assert_null(trace_import("/tmp", err, sizeof err));
	assert_string_equal(err, "/tmp: is a directory, not a trace");
	imp r;
	imp_bytes(&r, "", 0);
	expect_fail(&r, "1:1", "invalid JSON: the file is empty");
	imp_done(&r);
	imp_bytes(&r, " \n\t", 3);
	expect_fail(&r, "1:1", "invalid JSON: the file is only white space");
	imp_done(&r);
	imp_bytes(&r, "{\"a\":\"\xC3\x28\"}", 10);
	expect_fail(&r, "1:7", "byte 0xc3 is not valid UTF-8");
	imp_done(&r);
	imp_bytes(&r, "{\"a\":\n\"x\0y\"}", 12);
	expect_fail(&r, "2:3", "control character 0x00");
	imp_done(&r);
	/* too large: a sparse file costs no disk */
	char path[64];
	tmp_path(path);
	FILE *f = fopen(path, "r+b");
	assert_non_null(f);
	assert_int_equal(ftruncate(fileno(f), (off_t)TRACE_IMPORT_MAX_BYTES + 1), 0);
	fclose(f);
	assert_null(trace_import(path, err, sizeof err));
	char want[128];
	snprintf(want, sizeof want, "%s: 536870913 bytes is too large to import (at most 512 MiB)",
		 path);
	assert_string_equal(err, want);
	unlink(path);
	/* no err buffer at all: still NULL, no crash */
	assert_null(trace_import("/tmp/st-import-no-such-file.json", NULL, 0));
	assert_null(trace_import(NULL, err, sizeof err));
}

/* ---- garbage ---- */

static uint64_t lcg(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return *s >> 33;
}

/* Every prefix of a trace and thousands of mutations: a trace or a message, never a crash;
 * a failure always names the file. */
static void test_garbage(void **state)
{
	(void)state;
	char *q = foreign_with(F_HEAD, NFOREIGN, NULL), *j = q2j(q);
	size_t n = strlen(j);
	char path[64], err[512];
	tmp_path(path);
	for (size_t len = 0; len < n; len++) {
		write_file(path, j, len);
		st_trace *t = trace_import(path, err, sizeof err);
		if (t) {    /* only the whole document (less its final newline) is a trace */
			assert_true(len >= n - 1);
			trace_free(t);
		} else {
			assert_true(strncmp(err, path, strlen(path)) == 0);
		}
	}
	static const char pool[] = "{}[],:\"0123456789-.eEtrufalsn \n\\x\xC3\xFF";
	uint64_t seed = 12345;
	char *m = malloc(n + 64);
	unsigned ok = 0;
	for (int round = 0; round < 4000; round++) {
		memcpy(m, j, n);
		size_t len = n;
		int edits = 1 + (int)(lcg(&seed) % 4);
		for (int e = 0; e < edits; e++) {
			size_t at = lcg(&seed) % len;
			switch (lcg(&seed) % 3) {
			case 0: m[at] = pool[lcg(&seed) % (sizeof pool - 1)]; break;
			case 1: memmove(m + at, m + at + 1, len - at - 1); len--; break;
			default:
				memmove(m + at + 1, m + at, len - at);
				m[at] = pool[lcg(&seed) % (sizeof pool - 1)];
				len++;
			}
		}
		write_file(path, m, len);
		st_trace *t = trace_import(path, err, sizeof err);
		if (t) {
			ok++;
			trace_free(t);
		} else {
			assert_true(strncmp(err, path, strlen(path)) == 0);
		}
	}
	assert_true(ok > 0 && ok < 4000);   /* both outcomes happened */
	free(m);
	unlink(path);
	free(j);
	free(q);
}

/* --verify's corpus of broken traces: the JSON ones fail with a place, a well-formed one
 * imports, none crashes. */
static void test_bad_trace_corpus(void **state)
{
	(void)state;
	DIR *d = opendir("tests/bad-traces");
	assert_non_null(d);
	struct dirent *de;
	int seen = 0;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l < 5 || (strcmp(de->d_name + l - 5, ".json") != 0 &&
			      strcmp(de->d_name + l - 4, ".txt") != 0) ||
		    strcmp(de->d_name, "expect.txt") == 0)
			continue;
		char path[512], err[1024];
		snprintf(path, sizeof path, "tests/bad-traces/%s", de->d_name);
		st_trace *t = trace_import(path, err, sizeof err);
		if (strncmp(de->d_name, "notjson-", 8) == 0) {
			if (t || !strstr(err, "invalid JSON"))
				fail_msg("%s: %s", de->d_name, t ? "imported" : err);
			assert_true(strncmp(err, path, strlen(path)) == 0 && err[strlen(path)] == ':');
			/* one reader, one message: --verify refuses it in the same words */
			char *vout = NULL;
			size_t vlen = 0;
			FILE *ve = open_memstream(&vout, &vlen);
			assert_non_null(ve);
			assert_int_equal(trace_verify_file(path, NULL, ve, NULL), 2);
			fclose(ve);
			char *nl = strchr(vout, '\n');
			if (nl)
				*nl = '\0';
			assert_string_equal(err, vout);
			free(vout);
		}
		if (strcmp(de->d_name, "ok-control.json") == 0 && !t)
			fail_msg("%s", err);
		if (strcmp(de->d_name, "recv-without-send.json") == 0 &&
		    (t || !strstr(err, "recv-without-send.json:9:65: event 5: recv of msg 9 has no "
				  "matching send")))
			fail_msg("%s", t ? "imported" : err);
		trace_free(t);
		seen++;
	}
	closedir(d);
	assert_true(seen >= 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_election),
		cmocka_unit_test(test_round_trip_partition_faults),
		cmocka_unit_test(test_foreign_minimal),
		cmocka_unit_test(test_foreign_known_protocol),
		cmocka_unit_test(test_foreign_pretty),
		cmocka_unit_test(test_header_seed_and_units),
		cmocka_unit_test(test_error_syntax),
		cmocka_unit_test(test_error_cut_short),
		cmocka_unit_test(test_error_id_gap),
		cmocka_unit_test(test_error_unknown_kind),
		cmocka_unit_test(test_error_vc_length),
		cmocka_unit_test(test_error_recv_unknown_msg),
		cmocka_unit_test(test_error_too_many_processes),
		cmocka_unit_test(test_error_not_an_object),
		cmocka_unit_test(test_error_others),
		cmocka_unit_test(test_error_files),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_bad_trace_corpus),
	};
	return cmocka_run_group_tests_name("import", tests, NULL, NULL);
}
