/* trace_index.c: what holds at any point of a run (see trace_index.h).
 *
 * One fold, trace_index_apply, says what each event does to the facts a view shows; the index
 * runs it forward once over the trace (keeping a checkpoint every TI_EVERY events) and again
 * over at most TI_EVERY events per question. Checkpoints are a fixed-size trace_point (about
 * 600 bytes) plus the ids of the messages in the air there, so the whole index costs well under
 * a byte per event on a long run. The fold reads input events by their body's "action" (what
 * sim.c writes and --replay reads back), never by their label text. */
#include <stdlib.h>
#include <string.h>

#include "../base/hash.h"
#include "../base/mem.h"
#include "trace_index.h"

#define TI_MEMO 512         /* labels remembered by the lesson matcher */

typedef enum { TL_START, TL_LABEL, TL_KIND, TL_AT, TL_NEVER } ti_when;

typedef struct {
	ti_when when;
	char *arg;              /* the label phrase; for kind, its name */
	int kind;               /* TL_KIND: st_kind, -1 unknown */
	int64_t at_us;          /* TL_AT */
} ti_rule;

typedef struct {
	trace_point pt;         /* holds at ck index * TI_EVERY */
	uint32_t fl_off, fl_n;  /* messages in the air there, in fl_arena */
} ti_ckpt;

struct trace_index {
	const st_trace *t;
	uint32_t n;                 /* events folded */
	trace_point live;           /* holds at n */
	trace_point initial;        /* holds at 0 */
	uint32_t *fl; unsigned nfl, fl_cap;            /* in the air at n (unordered) */
	ti_ckpt *ck; unsigned nck, ck_cap;
	uint32_t *arena; unsigned narena, arena_cap;
	uint32_t *ms; unsigned nms, ms_cap;            /* milestone ids, ascending */
	/* lesson moments */
	ti_rule rule[SC_MAX_LESSON];
	int nrule;
	uint32_t first[SC_MAX_LESSON];  /* first event reaching rule i, or NONE */
	struct { uint32_t label; uint64_t mask; bool used; } memo[TI_MEMO];
};

/* ---- the fold ------------------------------------------------------------------------------ */

/* Input events the fold understands, by their body's "action". */
enum { TA_OTHER = 0, TA_PAUSE, TA_RESUME, TA_CUT, TA_UNCUT, TA_LOSS, TA_DUP, TA_LATENCY };
static const struct { const char *action; int what; } ti_actions[] = {
	{"pause", TA_PAUSE}, {"resume", TA_RESUME}, {"cut", TA_CUT}, {"uncut", TA_UNCUT},
	{"loss", TA_LOSS}, {"duplicate_rate", TA_DUP}, {"latency", TA_LATENCY},
};

/* What a process event does to its process: the status after it (TI_ABSENT: unchanged), and
 * whether a client's operation opens (1) or closes (-1) with it. */
static const struct { uint8_t status; int8_t op; } ti_effects[KIND__COUNT] = {
	[KIND_START] = {TI_UP, 0}, [KIND_RESTART] = {TI_UP, -1}, [KIND_CRASH] = {TI_CRASHED, 0},
	[KIND_INVOKE] = {TI_ABSENT, 1}, [KIND_COMPLETE] = {TI_ABSENT, -1},
};

static const char *ti_kv_str(const st_trace *t, uint32_t list, const char *key)
{
	const char *v;
	return trace_kv_str(t, list, key, &v) ? v : NULL;
}

static int ti_kv_proc(const st_trace *t, uint32_t list, const char *key)
{
	int64_t v;
	if (!trace_kv_int(t, list, key, &v) || v < 0 || v >= t->nprocs || v >= ST_MAX_PROCS)
		return -1;
	return (int)v;
}

static int ti_action(const st_trace *t, const st_event *e)
{
	const char *a = ti_kv_str(t, e->body, "action");
	for (size_t i = 0; a && i < sizeof ti_actions / sizeof ti_actions[0]; i++)
		if (strcmp(a, ti_actions[i].action) == 0)
			return ti_actions[i].what;
	return TA_OTHER;
}

void trace_index_point_clear(trace_point *pt)
{
	memset(pt, 0, sizeof *pt);
	for (int p = 0; p < ST_MAX_PROCS; p++)
		pt->state_ev[p] = pt->prev_state_ev[p] = pt->op_ev[p] = TRACE_NONE;
	pt->topo_ev = pt->part_ev = pt->cut_ev = TRACE_NONE;
	pt->loss_ppm = pt->dup_ppm = -1;
	pt->lat_lo_us = pt->lat_hi_us = -1;
}

static int32_t ti_ppm(int64_t v) { return v < 0 ? 0 : v > 1000000 ? 1000000 : (int32_t)v; }

static void ti_apply_input(const st_trace *t, trace_point *pt, uint32_t id, const st_event *e)
{
	int a = ti_action(t, e);
	int64_t v, w;
	if (a == TA_PAUSE || a == TA_RESUME) {
		int q = ti_kv_proc(t, e->body, "proc");
		/* a crashed process is not paused; one that never started is not resumed */
		if (q >= 0 && pt->status[q] != TI_CRASHED && pt->status[q] != TI_ABSENT)
			pt->status[q] = a == TA_PAUSE ? TI_PAUSED : TI_UP;
	} else if (a == TA_CUT || a == TA_UNCUT) {
		int from = ti_kv_proc(t, e->body, "from"), to = ti_kv_proc(t, e->body, "to");
		if (from < 0 || to < 0)
			return;
		if (a == TA_CUT)
			pt->cut[from] |= 1u << to;
		else
			pt->cut[from] &= ~(1u << to);
		bool any = false;
		for (int q = 0; q < t->nprocs && q < ST_MAX_PROCS; q++)
			any = any || pt->cut[q];
		if (!any)
			pt->cut_ev = TRACE_NONE;
		else if (pt->cut_ev == TRACE_NONE)
			pt->cut_ev = id;
	} else if (a == TA_LOSS && trace_kv_int(t, e->body, "ppm", &v)) {
		pt->loss_ppm = ti_ppm(v);
	} else if (a == TA_DUP && trace_kv_int(t, e->body, "ppm", &v)) {
		pt->dup_ppm = ti_ppm(v);
	} else if (a == TA_LATENCY && trace_kv_int(t, e->body, "lo_us", &v) &&
		   trace_kv_int(t, e->body, "hi_us", &w)) {
		pt->lat_lo_us = v;
		pt->lat_hi_us = w;
	}
}

void trace_index_apply(const trace_index *ix, trace_point *pt, uint32_t id)
{
	const st_trace *t = ix->t;
	const st_event *e = trace_at(t, id);
	pt->at = id + 1;
	if (e->kind >= KIND__COUNT)
		return;
	if (trace_kinds[e->kind].proc_event) {
		int p = e->proc;
		if (p >= t->nprocs || p >= ST_MAX_PROCS)
			return;     /* a foreign trace's nonsense: ignore rather than trust */
		if (e->state != TRACE_NONE) {
			pt->prev_state_ev[p] = pt->state_ev[p];
			pt->state_ev[p] = id;
		}
		if (ti_effects[e->kind].status != TI_ABSENT)
			pt->status[p] = ti_effects[e->kind].status;
		if (ti_effects[e->kind].op)
			pt->op_ev[p] = ti_effects[e->kind].op > 0 ? id : TRACE_NONE;
		return;
	}
	switch (e->kind) {
	case KIND_PARTITION:
	case KIND_HEAL:
		/* the world replaces every cut with the new partition (or none) */
		pt->topo_ev = id;
		pt->part_ev = e->kind == KIND_PARTITION ? id : TRACE_NONE;
		pt->cut_ev = TRACE_NONE;
		memset(pt->cut, 0, sizeof pt->cut);
		break;
	case KIND_INPUT:
		ti_apply_input(t, pt, id, e);
		break;
	default:
		break;
	}
}

void trace_index_net(const trace_index *ix, const trace_point *pt, trace_net *out)
{
	const st_trace *t = ix->t;
	int np = t->nprocs < ST_MAX_PROCS ? t->nprocs : ST_MAX_PROCS;
	memset(out, 0, sizeof *out);
	memset(out->group, -1, sizeof out->group);
	out->since = pt->part_ev != TRACE_NONE ? pt->part_ev : pt->cut_ev;
	uint32_t pe = pt->part_ev;
	if (pe != TRACE_NONE && pe >= t->base && pe < trace_count(t)) {
		/* groups are stored as (key = group index, value = process) pairs */
		const st_event *e = trace_at(t, pe);
		if (e->body != TRACE_NONE && e->body < t->nkv) {
			const st_kvrec *r = trace_kv_items(t, e->body);
			for (uint32_t i = 0; i < trace_kv_count(t, e->body); i++) {
				int g = atoi(trace_str(t, r[i].key));
				if (r[i].v >= 0 && r[i].v < np && g >= 0 && g < SC_MAX_GROUPS) {
					out->group[r[i].v] = (int8_t)g;
					if (g + 1 > out->ngroups)
						out->ngroups = g + 1;
				}
			}
		}
		for (int a = 0; a < np; a++)
			for (int b = 0; b < np; b++)
				if (out->group[a] >= 0 && out->group[b] >= 0 &&
				    out->group[a] != out->group[b])
					out->blocked[a] |= 1u << b;
	}
	for (int a = 0; a < np; a++)
		out->blocked[a] |= pt->cut[a];
}

/* ---- lesson moments ------------------------------------------------------------------------ */

static const struct { const char *prefix; ti_when when; } ti_whens[] = {
	{"label:", TL_LABEL}, {"kind:", TL_KIND}, {"at_ms:", TL_AT}, {"start", TL_START},
};

static void ti_rules_free(trace_index *ix)
{
	for (int i = 0; i < ix->nrule; i++)
		free(ix->rule[i].arg);
	ix->nrule = 0;
}

static bool ti_label_matches(const char *want, const char *label)
{
	size_t n = strlen(want);
	if (n && want[n - 1] >= '0' && want[n - 1] <= '9')
		return strcmp(want, label) == 0;
	return strncmp(want, label, n) == 0;
}

/* Which label rules an interned label satisfies, as a bit mask (memoised per label id). */
static uint64_t ti_label_mask(trace_index *ix, uint32_t label)
{
	unsigned slot = (unsigned)(st_hash_u64(ST_HASH_INIT, label) % TI_MEMO);
	if (ix->memo[slot].used && ix->memo[slot].label == label)
		return ix->memo[slot].mask;
	uint64_t mask = 0;
	const char *text = trace_str(ix->t, label);
	for (int i = 0; i < ix->nrule; i++)
		if (ix->rule[i].when == TL_LABEL && ti_label_matches(ix->rule[i].arg, text))
			mask |= 1ull << i;
	ix->memo[slot].label = label;
	ix->memo[slot].mask = mask;
	ix->memo[slot].used = true;
	return mask;
}

/* The rules not reached yet, and which rules each kind satisfies. */
static uint64_t ti_pending(const trace_index *ix, uint64_t *kind_mask)
{
	uint64_t pending = 0;
	memset(kind_mask, 0, KIND__COUNT * sizeof *kind_mask);
	for (int i = 0; i < ix->nrule; i++) {
		const ti_rule *r = &ix->rule[i];
		if (r->when == TL_KIND && r->kind >= 0)
			kind_mask[r->kind] |= 1ull << i;
		if ((r->when == TL_LABEL || (r->when == TL_KIND && r->kind >= 0)) &&
		    ix->first[i] == TRACE_NONE)
			pending |= 1ull << i;
	}
	return pending;
}

/* Record the first events in [from, to) that reach pending rules. */
static void ti_moments(trace_index *ix, uint32_t from, uint32_t to)
{
	uint64_t kind_mask[KIND__COUNT];
	uint64_t pending = ti_pending(ix, kind_mask);
	for (uint32_t id = from; id < to && pending; id++) {
		const st_event *e = trace_at(ix->t, id);
		if (e->by == BY_USER)
			continue;       /* the lesson's moments are the script's, not the user's */
		uint64_t hit = e->kind < KIND__COUNT ? kind_mask[e->kind] : 0;
		if (e->label)
			hit |= ti_label_mask(ix, e->label);
		hit &= pending;
		for (int i = 0; hit; i++, hit >>= 1)
			if (hit & 1) {
				ix->first[i] = id;
				pending &= ~(1ull << i);
			}
	}
}

void trace_index_set_lessons(trace_index *ix, const st_scenario *sc)
{
	ti_rules_free(ix);
	memset(ix->memo, 0, sizeof ix->memo);
	for (int i = 0; sc && i < sc->nlesson && i < SC_MAX_LESSON && i < 64; i++) {
		ti_rule *r = &ix->rule[ix->nrule++];
		const char *when = sc->lesson[i].when ? sc->lesson[i].when : "";
		r->when = TL_NEVER;
		r->arg = NULL;
		r->kind = -1;
		for (size_t k = 0; k < sizeof ti_whens / sizeof ti_whens[0]; k++) {
			size_t n = strlen(ti_whens[k].prefix);
			if (strncmp(when, ti_whens[k].prefix, n) == 0) {
				r->when = ti_whens[k].when;
				r->arg = st_strdup(when + n);
				break;
			}
		}
		if (r->when == TL_KIND)
			r->kind = trace_kind_from_name(r->arg);
		if (r->when == TL_AT)
			r->at_us = (int64_t)atoll(r->arg) * 1000;
		ix->first[i] = TRACE_NONE;
	}
	ti_moments(ix, ix->t->base, ix->n);
}

int trace_index_lesson_at(const trace_index *ix, uint32_t n, int64_t now_us)
{
	const st_trace *t = ix->t;
	if (n > ix->n)
		n = ix->n;
	if (n > t->base && trace_at(t, n - 1)->t_us > now_us)
		now_us = trace_at(t, n - 1)->t_us;
	for (int i = ix->nrule - 1; i >= 0; i--) {
		const ti_rule *r = &ix->rule[i];
		bool reached = false;
		switch (r->when) {
		case TL_START: reached = true; break;
		case TL_LABEL:
		case TL_KIND: reached = ix->first[i] != TRACE_NONE && ix->first[i] < n; break;
		case TL_AT: reached = now_us >= r->at_us; break;
		case TL_NEVER: break;
		}
		if (reached)
			return i;
	}
	return -1;
}

/* ---- building ------------------------------------------------------------------------------ */

trace_index *trace_index_new(const st_trace *t, const st_scenario *sc)
{
	trace_index *ix = st_zalloc(1, sizeof *ix);
	ix->t = t;
	trace_index_point_clear(&ix->initial);
	if (sc) {
		ix->initial.loss_ppm = ti_ppm((int64_t)(sc->loss * 1e6 + 0.5));
		ix->initial.dup_ppm = ti_ppm((int64_t)(sc->duplicate * 1e6 + 0.5));
		ix->initial.lat_lo_us = sc->latency_lo_us;
		ix->initial.lat_hi_us = sc->latency_hi_us;
	}
	ix->n = t->base;
	ix->live = ix->initial;
	ix->live.at = t->base;
	trace_index_set_lessons(ix, sc);
	return ix;
}

void trace_index_free(trace_index *ix)
{
	if (!ix)
		return;
	ti_rules_free(ix);
	free(ix->fl);
	free(ix->ck);
	free(ix->arena);
	free(ix->ms);
	free(ix);
}

uint32_t trace_index_count(const trace_index *ix) { return ix->n; }

/* Fold events [ix->n, end) in: checkpoints, the messages in the air, milestones (when
 * record: a truncate refolds events whose milestones are kept already), the point. */
static void ti_fold_to(trace_index *ix, uint32_t end, bool record)
{
	const st_trace *t = ix->t;
	for (uint32_t id = ix->n; id < end; id++) {
		if ((id - t->base) % TI_EVERY == 0 && (id - t->base) / TI_EVERY == ix->nck) {
			st_grow32(&ix->ck, &ix->ck_cap, (size_t)ix->nck + 1, sizeof *ix->ck);
			st_grow32(&ix->arena, &ix->arena_cap, (size_t)ix->narena + ix->nfl,
				  sizeof *ix->arena);
			ti_ckpt *c = &ix->ck[ix->nck++];
			c->pt = ix->live;
			c->fl_off = ix->narena;
			c->fl_n = ix->nfl;
			if (ix->nfl)
				memcpy(ix->arena + ix->narena, ix->fl, ix->nfl * sizeof *ix->fl);
			ix->narena += ix->nfl;
		}
		const st_event *e = trace_at(t, id);
		if (e->kind == KIND_SEND) {
			st_grow32(&ix->fl, &ix->fl_cap, (size_t)ix->nfl + 1, sizeof *ix->fl);
			ix->fl[ix->nfl++] = e->ref;
		} else if (e->kind == KIND_RECV || e->kind == KIND_DROP) {
			for (unsigned i = ix->nfl; i-- > 0;)
				if (ix->fl[i] == e->ref) {
					ix->fl[i] = ix->fl[--ix->nfl];
					break;
				}
		}
		if (record && (e->flags & EVF_MILESTONE)) {
			st_grow32(&ix->ms, &ix->ms_cap, (size_t)ix->nms + 1, sizeof *ix->ms);
			ix->ms[ix->nms++] = id;
		}
		trace_index_apply(ix, &ix->live, id);
		ix->n = id + 1;
	}
}

void trace_index_sync(trace_index *ix)
{
	uint32_t end = trace_count(ix->t);
	if (end < ix->n)
		trace_index_truncate(ix, end);
	uint32_t from = ix->n;
	ti_fold_to(ix, end, true);
	ti_moments(ix, from, end);
}

/* Back to the last checkpoint at or before n, then forward to n again. */
void trace_index_truncate(trace_index *ix, uint32_t n)
{
	const st_trace *t = ix->t;
	if (n < t->base)
		n = t->base;
	if (n >= ix->n)
		return;
	while (ix->nms > 0 && ix->ms[ix->nms - 1] >= n)
		ix->nms--;
	for (int i = 0; i < ix->nrule; i++)
		if (ix->first[i] != TRACE_NONE && ix->first[i] >= n)
			ix->first[i] = TRACE_NONE;
	unsigned keep = (n - t->base) / TI_EVERY + 1;
	if (keep > ix->nck)
		keep = ix->nck;
	if (keep == 0) {
		ix->live = ix->initial;
		ix->live.at = t->base;
		ix->nfl = ix->narena = ix->nck = 0;
		ix->n = t->base;
	} else {
		/* the fold takes this checkpoint again, at the same place */
		const ti_ckpt c = ix->ck[keep - 1];
		ix->nck = keep - 1;
		ix->live = c.pt;
		st_grow32(&ix->fl, &ix->fl_cap, c.fl_n, sizeof *ix->fl);
		if (c.fl_n)
			memcpy(ix->fl, ix->arena + c.fl_off, c.fl_n * sizeof *ix->fl);
		ix->nfl = c.fl_n;
		ix->narena = c.fl_off;
		ix->n = t->base + (keep - 1) * TI_EVERY;
	}
	ti_fold_to(ix, n, false);
}

/* ---- questions ----------------------------------------------------------------------------- */

static uint32_t ti_clamp(const trace_index *ix, uint32_t n)
{
	uint32_t end = trace_count(ix->t);
	if (n > end)
		n = end;
	if (n < ix->t->base)
		n = ix->t->base;
	return n;
}

/* The checkpoint at or before n, or NULL (then the fold starts from the initial point). */
static const ti_ckpt *ti_ckpt_at(const trace_index *ix, uint32_t n)
{
	if (ix->nck == 0)
		return NULL;
	uint32_t b = (n - ix->t->base) / TI_EVERY;
	if (b >= ix->nck)
		b = ix->nck - 1;
	return &ix->ck[b];
}

static uint32_t ti_ckpt_pos(const trace_index *ix, const ti_ckpt *c)
{
	return c ? ix->t->base + (uint32_t)(c - ix->ck) * TI_EVERY : ix->t->base;
}

void trace_index_at(const trace_index *ix, uint32_t n, trace_point *out)
{
	n = ti_clamp(ix, n);
	const ti_ckpt *c = ti_ckpt_at(ix, n);
	uint32_t from = ti_ckpt_pos(ix, c);
	if (c) {
		*out = c->pt;
	} else {
		*out = ix->initial;
		out->at = from;
	}
	if (n >= ix->n && ix->n >= from) {  /* the live point is nearer */
		*out = ix->live;
		from = ix->n;
	}
	for (uint32_t id = from; id < n; id++)
		trace_index_apply(ix, out, id);
	out->at = n;
}

static int ti_cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

uint32_t trace_index_in_flight(const trace_index *ix, uint32_t n, uint32_t **ids, unsigned *cap)
{
	const st_trace *t = ix->t;
	n = ti_clamp(ix, n);
	const ti_ckpt *c = ti_ckpt_at(ix, n);
	uint32_t from = ti_ckpt_pos(ix, c);
	const uint32_t *base_ids = c ? ix->arena + c->fl_off : NULL;
	uint32_t nbase = c ? c->fl_n : 0;
	if (n >= ix->n && ix->n >= from) {
		base_ids = ix->fl;
		nbase = ix->nfl;
		from = ix->n;
	}
	/* the checkpoint's messages and those sent since, kept when still in the air at n */
	st_grow32(ids, cap, (size_t)nbase + (n - from) + 1, sizeof **ids);
	uint32_t k = 0;
	for (uint32_t i = 0; i < nbase; i++)
		(*ids)[k++] = base_ids[i];
	for (uint32_t id = from; id < n; id++)
		if (trace_at(t, id)->kind == KIND_SEND)
			(*ids)[k++] = trace_at(t, id)->ref;
	uint32_t out = 0;
	for (uint32_t i = 0; i < k; i++) {
		uint32_t m = (*ids)[i];
		if (m < t->msg_base || m - t->msg_base >= t->nmsg)
			continue;
		const st_msgrec *mr = trace_msg(t, m);
		if (mr->send_ev < n && (mr->end_ev == TRACE_NONE || mr->end_ev >= n))
			(*ids)[out++] = m;
	}
	qsort(*ids, out, sizeof **ids, ti_cmp_u32);
	return out;
}

/* The number of milestones with id < n. */
uint32_t trace_index_milestones_before(const trace_index *ix, uint32_t n)
{
	uint32_t lo = 0, hi = ix->nms;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (ix->ms[mid] < n)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

uint32_t trace_index_milestone_next(const trace_index *ix, uint32_t n)
{
	uint32_t i = trace_index_milestones_before(ix, n);
	return i < ix->nms ? ix->ms[i] : TRACE_NONE;
}

uint32_t trace_index_milestone_prev(const trace_index *ix, uint32_t n)
{
	uint32_t i = trace_index_milestones_before(ix, n);
	return i > 0 ? ix->ms[i - 1] : TRACE_NONE;
}

size_t trace_index_bytes(const trace_index *ix)
{
	return sizeof *ix + (size_t)ix->ck_cap * sizeof *ix->ck +
	       (size_t)ix->arena_cap * sizeof *ix->arena + (size_t)ix->fl_cap * sizeof *ix->fl +
	       (size_t)ix->ms_cap * sizeof *ix->ms;
}
