/* trace.c: the append-only record of a run, in memory.
 *
 * Compact on purpose: a million-event consensus run must fit in well under 200 bytes an event, so
 * strings are interned once, bodies and states are flat key/value records in one arena, and
 * the vector clocks are one dense array. See trace.h for the shape and the streaming mode. */
#define _GNU_SOURCE   /* mremap: growing a large array without copying it */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "../base/hash.h"
#include "../base/mem.h"
#include "../base/names.h"
#include "trace.h"

const trace_kind_info trace_kinds[KIND__COUNT] = {
	[KIND_START]     = {"start", true, 'S'},
	[KIND_SEND]      = {"send", true, '>'},
	[KIND_RECV]      = {"recv", true, '<'},
	[KIND_TIMER]     = {"timer", true, 'T'},
	[KIND_LOCAL]     = {"local", true, '*'},
	[KIND_CRASH]     = {"crash", true, 'X'},
	[KIND_RESTART]   = {"restart", true, 'R'},
	[KIND_INVOKE]    = {"invoke", true, 'I'},
	[KIND_COMPLETE]  = {"complete", true, 'C'},
	[KIND_DROP]      = {"drop", false, 'x'},
	[KIND_PARTITION] = {"partition", false, '|'},
	[KIND_HEAL]      = {"heal", false, '='},
	[KIND_INPUT]     = {"input", false, '!'},
};
const char *const trace_by_names[3] = {NULL, "schedule", "user"};
const char *const trace_drop_names[4] = {"loss", "partition", "crashed", "user"};
const char *const trace_optype_names[3] = {"ok", "fail", "info"};

int trace_kind_from_name(const char *name)
{
	for (int k = 0; k < KIND__COUNT; k++)
		if (strcmp(trace_kinds[k].name, name) == 0)
			return k;
	return -1;
}

/* Arrays of a megabyte and more live in their own mappings: growing one is an mremap (the
 * kernel moves page tables, nothing is copied) and huge pages cut the page faults of a
 * million-event run. Smaller ones use malloc. Whether an array is mapped follows from its
 * capacity alone, so nothing else needs to remember it. */
#define TRACE_MAP_BYTES ((size_t)1 << 20)

static void *trace_resize(void *p, size_t old_bytes, size_t new_bytes)
{
	if (new_bytes < TRACE_MAP_BYTES) {
		return st_realloc(p, new_bytes);
	}
	void *q;
	if (old_bytes >= TRACE_MAP_BYTES) {
		q = mremap(p, old_bytes, new_bytes, MREMAP_MAYMOVE);
	} else {
		q = mmap(NULL, new_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (q != MAP_FAILED && old_bytes)
			memcpy(q, p, old_bytes);
		if (q != MAP_FAILED)
			free(p);
	}
	if (q == MAP_FAILED)
		st_oom(new_bytes);
#ifdef MADV_HUGEPAGE
	madvise(q, new_bytes, MADV_HUGEPAGE);
#endif
	return q;
}

static void trace_release(void *p, size_t bytes)
{
	if (!p)
		return;
	if (bytes >= TRACE_MAP_BYTES)
		munmap(p, bytes);
	else
		free(p);
}

static void *trace_grow(void *p, uint32_t *cap, uint32_t need, size_t elem)
{
	if (need <= *cap)
		return p;
	uint64_t c = *cap ? *cap : 64;
	while (c < need)
		c *= 2;
	if (c > UINT32_MAX)
		c = UINT32_MAX;
	void *q = trace_resize(p, (size_t)*cap * elem, (size_t)c * elem);
	*cap = (uint32_t)c;
	return q;
}

st_trace *trace_new(const char *scenario, const st_protocol *proto, uint64_t seed, int nnodes,
		    int nclients, const char (*names)[8])
{
	st_trace *t = st_zalloc(1, sizeof *t);
	t->scenario = st_strdup(scenario ? scenario : "");
	t->protocol = st_strdup(proto ? proto->name : "");
	t->protocol_version = st_strdup(proto && proto->version ? proto->version : "");
	t->proto = proto;
	t->seed = seed;
	t->nnodes = nnodes;
	t->nclients = nclients;
	t->nprocs = nnodes + nclients;
	for (int p = 0; p < t->nprocs && p < ST_MAX_PROCS; p++) {
		if (names)
			memcpy(t->proc_names[p], names[p], 8);
		else
			st_proc_name(p, nnodes, t->nprocs, t->proc_names[p], 8);
		t->proc_names[p][7] = 0;
	}
	trace_intern(t, "");
	return t;
}

void trace_free(st_trace *t)
{
	if (!t)
		return;
	for (uint32_t i = 0; i < t->nstr; i++)
		free(t->str[i]);
	trace_release(t->str, (size_t)t->str_cap * sizeof *t->str);
	free(t->str_hash);
	trace_release(t->ev, (size_t)t->cap * sizeof *t->ev);
	trace_release(t->vc, (size_t)t->vc_cap_events * (size_t)t->nprocs * sizeof *t->vc);
	trace_release(t->msg, (size_t)t->msg_cap * sizeof *t->msg);
	trace_release(t->bytes, t->bytes_cap);
	trace_release(t->kv, (size_t)t->kv_cap * sizeof *t->kv);
	for (int i = 0; i < t->n_foreign_types; i++)
		free(t->foreign_msg_types[i]);
	free(t->foreign_msg_types);
	free(t->scenario);
	free(t->protocol);
	free(t->protocol_version);
	free(t);
}

static uint32_t trace_hash_str(const char *s) { return (uint32_t)st_hash_str(s); }

/* Open addressing over ids + 1 (0 marks an empty slot). */
static void trace_rehash(st_trace *t, uint32_t cap)
{
	uint32_t *h = st_zalloc(cap, sizeof *h);
	for (uint32_t id = 0; id < t->nstr; id++) {
		uint32_t i = trace_hash_str(t->str[id]) & (cap - 1);
		while (h[i])
			i = (i + 1) & (cap - 1);
		h[i] = id + 1;
	}
	free(t->str_hash);
	t->str_hash = h;
	t->str_hash_cap = cap;
}

/* Keys and most values are string literals handed over again and again: a pointer cache,
 * verified by strcmp so a reused buffer with new text is never mistaken. */
static uint32_t trace_intern_cached(st_trace *t, const char *s)
{
	size_t slot = ((uintptr_t)s >> 3) & 255;
	if (t->str_cache[slot].p == s && strcmp(t->str[t->str_cache[slot].id], s) == 0)
		return t->str_cache[slot].id;
	uint32_t id = trace_intern(t, s);
	t->str_cache[slot].p = s;
	t->str_cache[slot].id = id;
	return id;
}

uint32_t trace_intern(st_trace *t, const char *s)
{
	if (!s)
		return 0;
	if (t->str_hash_cap == 0)
		trace_rehash(t, 256);
	uint32_t mask = t->str_hash_cap - 1;
	uint32_t i = trace_hash_str(s) & mask;
	while (t->str_hash[i]) {
		uint32_t id = t->str_hash[i] - 1;
		if (strcmp(t->str[id], s) == 0)
			return id;
		i = (i + 1) & mask;
	}
	t->str = trace_grow(t->str, &t->str_cap, t->nstr + 1, sizeof *t->str);
	uint32_t id = t->nstr++;
	t->str[id] = st_strdup(s);
	t->str_hash[i] = id + 1;
	if (t->nstr * 2 > t->str_hash_cap)
		trace_rehash(t, t->str_hash_cap * 2);
	return id;
}

uint32_t trace_append(st_trace *t, const st_event *e, const uint32_t *vc)
{
	t->ev = trace_grow(t->ev, &t->cap, t->len + 1, sizeof *t->ev);
	static const uint32_t zero[ST_MAX_PROCS];
	size_t row = (size_t)t->nprocs * sizeof(uint32_t);
	/* vc shares the event capacity; realloc when the event array grew. */
	if (t->vc_cap_events < t->cap) {
		t->vc = trace_resize(t->vc, (size_t)t->vc_cap_events * row, (size_t)t->cap * row);
		t->vc_cap_events = t->cap;
	}
	memcpy(&t->vc[(size_t)t->len * (size_t)t->nprocs], vc ? vc : zero, row);
	t->ev[t->len] = *e;
	return t->base + t->len++;
}

uint32_t trace_add_msg(st_trace *t, uint32_t send_ev, int from, int to, int type,
		       const void *body, size_t len)
{
	t->msg = trace_grow(t->msg, &t->msg_cap, t->nmsg + 1, sizeof *t->msg);
	t->bytes = trace_grow(t->bytes, &t->bytes_cap, t->nbytes + (uint32_t)len + 1, 1);
	st_msgrec *m = &t->msg[t->nmsg];
	memset(m, 0, sizeof *m);
	m->send_ev = send_ev;
	m->end_ev = TRACE_NONE;
	m->body_off = t->nbytes;
	m->body_len = (uint16_t)len;
	m->type = (uint8_t)type;
	m->from = (uint8_t)from;
	m->to = (uint8_t)to;
	if (len)
		memcpy(t->bytes + t->nbytes, body, len);
	t->nbytes += (uint32_t)len;
	return t->msg_base + t->nmsg++;
}

uint32_t trace_kv_begin(st_trace *t)
{
	t->kv = trace_grow(t->kv, &t->kv_cap, t->nkv + 1, sizeof *t->kv);
	uint32_t at = t->nkv++;
	memset(&t->kv[at], 0, sizeof t->kv[at]);
	return at;
}

void trace_kv_add(st_trace *t, uint32_t list, const char *key, st_vtype type, int64_t v,
		  const char *s)
{
	uint32_t k = trace_intern_cached(t, key);
	if (type == ST_V_STR)
		v = trace_intern_cached(t, s ? s : "");
	t->kv = trace_grow(t->kv, &t->kv_cap, t->nkv + 1, sizeof *t->kv);
	st_kvrec *r = &t->kv[t->nkv++];
	memset(r, 0, sizeof *r);
	r->key = k;
	r->type = (uint8_t)type;
	r->v = v;
	t->kv[list].key++;
}

uint32_t trace_kv_from_list(st_trace *t, const st_kv *kv, int n)
{
	uint32_t list = trace_kv_begin(t);
	for (int i = 0; i < n; i++)
		trace_kv_add(t, list, kv[i].key, kv[i].type, kv[i].i, kv[i].s);
	return list;
}

bool trace_kv_int(const st_trace *t, uint32_t list, const char *key, int64_t *out)
{
	if (list == TRACE_NONE || list >= t->nkv)
		return false;
	const st_kvrec *r = trace_kv_items(t, list);
	for (uint32_t i = 0; i < trace_kv_count(t, list); i++)
		if (strcmp(t->str[r[i].key], key) == 0 && r[i].type != ST_V_STR) {
			*out = r[i].v;
			return true;
		}
	return false;
}

bool trace_kv_str(const st_trace *t, uint32_t list, const char *key, const char **out)
{
	if (list == TRACE_NONE || list >= t->nkv)
		return false;
	const st_kvrec *r = trace_kv_items(t, list);
	for (uint32_t i = 0; i < trace_kv_count(t, list); i++)
		if (strcmp(t->str[r[i].key], key) == 0 && r[i].type == ST_V_STR) {
			*out = t->str[r[i].v];
			return true;
		}
	return false;
}

/* st_tev over a recorded event: impl is the trace, id the event. */
static const st_event *trace_tev_ev(const st_tev *e)
{
	return trace_at((const st_trace *)e->impl, e->id);
}
static bool trace_tev_state_int(const st_tev *e, const char *key, int64_t *out)
{
	return trace_kv_int(e->impl, trace_tev_ev(e)->state, key, out);
}
static bool trace_tev_state_str(const st_tev *e, const char *key, const char **out)
{
	return trace_kv_str(e->impl, trace_tev_ev(e)->state, key, out);
}
static bool trace_tev_body_int(const st_tev *e, const char *key, int64_t *out)
{
	return trace_kv_int(e->impl, trace_tev_ev(e)->body, key, out);
}
static bool trace_tev_body_str(const st_tev *e, const char *key, const char **out)
{
	return trace_kv_str(e->impl, trace_tev_ev(e)->body, key, out);
}

bool trace_tev(const st_trace *t, uint32_t id, st_tev *out)
{
	if (id < t->base || id >= trace_count(t))
		return false;
	const st_event *e = trace_at(t, id);
	memset(out, 0, sizeof *out);
	out->id = id;
	out->t = e->t_us;
	out->kind = trace_kinds[e->kind].name;
	out->proc = e->proc == TRACE_WORLD ? -1 : e->proc;
	out->label = e->label ? t->str[e->label] : NULL;
	out->has_state = e->state != TRACE_NONE;
	out->state_int = trace_tev_state_int;
	out->state_str = trace_tev_state_str;
	out->body_int = trace_tev_body_int;
	out->body_str = trace_tev_body_str;
	out->impl = (void *)t;
	return true;
}

void trace_kv_emit(const st_trace *t, uint32_t list, st_sink *s)
{
	if (list == TRACE_NONE)
		return;
	const st_kvrec *r = trace_kv_items(t, list);
	for (uint32_t i = 0; i < trace_kv_count(t, list); i++) {
		const char *k = t->str[r[i].key];
		switch (r[i].type) {
		case ST_V_STR: s->kv_str(s, k, t->str[r[i].v]); break;
		case ST_V_PROC: s->kv_proc(s, k, (int)r[i].v); break;
		case ST_V_BOOL: s->kv_bool(s, k, r[i].v != 0); break;
		case ST_V_NULL: s->kv_proc(s, k, -1); break;
		default: s->kv_int(s, k, r[i].v); break;
		}
	}
}

/* Forget the messages at the front that nobody will receive any more, so a streamed run
 * keeps only what is in flight. */
static void trace_forget_msgs(st_trace *t)
{
	uint32_t k = 0;
	while (k < t->nmsg && t->msg[k].pending == 0 && t->msg[k].send_ev < t->base)
		k++;
	if (k == 0)
		return;
	uint32_t keep = t->nmsg - k;
	uint32_t off = keep ? t->msg[k].body_off : t->nbytes;
	memmove(t->msg, t->msg + k, (size_t)keep * sizeof *t->msg);
	for (uint32_t i = 0; i < keep; i++)
		t->msg[i].body_off -= off;
	memmove(t->bytes, t->bytes + off, t->nbytes - off);
	t->nbytes -= off;
	t->nmsg = keep;
	t->msg_base += k;
}

void trace_step_done(st_trace *t)
{
	if (!t->flush) {
		t->step_first = trace_count(t);
		return;
	}
	if (t->len)
		t->flush(t, t->base, t->len, t->flush_user);
	t->base += t->len;
	t->len = 0;
	t->nkv = 0;
	t->step_first = t->base;
	trace_forget_msgs(t);
}

void trace_truncate(st_trace *t, uint32_t id)
{
	if (id < t->base || id >= trace_count(t))
		return;
	/* bodies and states are appended in event order: the first one the cut events own
	 * marks where the arena ends now */
	uint32_t kv_end = t->nkv;
	for (uint32_t i = id - t->base; i < t->len; i++) {
		if (t->ev[i].body != TRACE_NONE && t->ev[i].body < kv_end)
			kv_end = t->ev[i].body;
		if (t->ev[i].state != TRACE_NONE && t->ev[i].state < kv_end)
			kv_end = t->ev[i].state;
	}
	t->nkv = kv_end;
	t->len = id - t->base;
	uint32_t keep = t->nmsg;
	while (keep > 0 && t->msg[keep - 1].send_ev >= id)
		keep--;
	if (keep < t->nmsg)
		t->nbytes = t->msg[keep].body_off;
	t->nmsg = keep;
	for (uint32_t i = 0; i < t->nmsg; i++)
		if (t->msg[i].end_ev != TRACE_NONE && t->msg[i].end_ev >= id)
			t->msg[i].end_ev = TRACE_NONE;
	if (t->step_first > id)
		t->step_first = id;
}

int trace_order(const st_trace *t, uint32_t a, uint32_t b)
{
	if (a == b)
		return 0;
	const st_event *ea = trace_at(t, a), *eb = trace_at(t, b);
	if (!trace_kinds[ea->kind].proc_event || !trace_kinds[eb->kind].proc_event)
		return 0;
	const uint32_t *va = trace_vc(t, a), *vb = trace_vc(t, b);
	bool le = true, ge = true;
	for (int p = 0; p < t->nprocs; p++) {
		if (va[p] > vb[p])
			le = false;
		if (va[p] < vb[p])
			ge = false;
	}
	if (le && !ge)
		return 1;
	if (ge && !le)
		return -1;
	return 0;
}

size_t trace_bytes(const st_trace *t)
{
	size_t n = sizeof *t;
	n += (size_t)t->cap * sizeof *t->ev;
	n += (size_t)t->vc_cap_events * (size_t)t->nprocs * sizeof(uint32_t);
	n += (size_t)t->msg_cap * sizeof *t->msg + t->bytes_cap;
	n += (size_t)t->kv_cap * sizeof *t->kv;
	n += (size_t)t->str_cap * sizeof *t->str + (size_t)t->str_hash_cap * sizeof(uint32_t);
	for (uint32_t i = 0; i < t->nstr; i++)
		n += strlen(t->str[i]) + 1;
	return n;
}
