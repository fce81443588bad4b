/* search.c: breadth-first search of a small world (see search.h).
 *
 * One world is reused for everything: each frontier state is decoded into it (sim_decode, a
 * copy of the base image patched with the state's diff), one choice is taken, the result is
 * fingerprinted and, if new, encoded into the next frontier; then the parent is decoded again
 * for the next choice. The budgets a path has used (crashes, drops, requests) are part of a
 * state: two worlds alike but with different budgets left have different futures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/mem.h"
#include "search.h"

typedef struct {
	uint32_t parent;
	sim_choice choice;
	uint8_t crashes, drops, requests;
} search_node;

typedef struct {
	uint32_t node;
	uint64_t *enc;
} search_front;

typedef struct {
	uint64_t *slot;
	uint64_t cap, n;
} search_set;

static bool search_set_add(search_set *s, uint64_t h)
{
	if (!h)
		h = 1;  /* 0 marks an empty slot */
	uint64_t mask = s->cap - 1, i = h & mask;
	while (s->slot[i]) {
		if (s->slot[i] == h)
			return false;
		i = (i + 1) & mask;
	}
	s->slot[i] = h;
	s->n++;
	return true;
}

void search_opts_default(search_opts *o)
{
	memset(o, 0, sizeof *o);
	o->depth = 12;
	o->max_states = 2000000;
	o->max_crashes = 1;
	o->max_drops = 1;
	o->max_requests = 2;
	o->kinds = (1u << SIM_CH__COUNT) - 1;
}

static void search_discard(st_trace *t, uint32_t first, uint32_t count, void *user)
{
	(void)t; (void)first; (void)count; (void)user;
}

void search_root(st_sim *s, const search_opts *o)
{
	sim_run_until_us(s, o->start_us);
	sim_set_manual(s, true);
}

bool search_take(st_sim *s, const st_scenario *sc, const sim_choice *c, int64_t value)
{
	st_op op;
	memset(&op, 0, sizeof op);
	snprintf(op.f, sizeof op.f, "%s", sc->workload_f[0] ? sc->workload_f : "write");
	op.value = value;
	op.has_value = true;
	op.node = -1;
	return sim_apply_choice(s, c, &op);
}

static uint64_t search_budget_mix(const search_node *n)
{
	uint64_t x = (uint64_t)n->crashes | (uint64_t)n->drops << 8 | (uint64_t)n->requests << 16;
	x *= 0x9e3779b97f4a7c15ULL;
	return x ^ (x >> 29);
}

static void search_path(search_result *r, const search_node *nodes, uint32_t leaf,
			const sim_choice *last)
{
	int n = 1;
	for (uint32_t i = leaf; i != 0; i = nodes[i].parent)
		n++;
	r->path = st_alloc((size_t)n * sizeof *r->path);
	r->npath = n;
	r->path[n - 1] = *last;
	int k = n - 2;
	for (uint32_t i = leaf; i != 0; i = nodes[i].parent)
		r->path[k--] = nodes[i].choice;
}

int search_run(const st_scenario *sc, const search_opts *o, search_result *r,
	       search_progress_fn progress, void *user)
{
	memset(r, 0, sizeof *r);
	st_trace *tr = trace_new(sc->name, sc->protocol, o->seed, sc->nnodes, sc->nclients, NULL);
	if (!tr)
		return -1;
	tr->flush = search_discard;
	sim_opts so = {o->seed, true, 0};
	st_sim *s = sim_new(sc, &so, tr);
	search_root(s, o);

	search_set seen = {0};
	seen.cap = 1024;
	while (seen.cap < o->max_states * 2 && seen.cap < ((uint64_t)1 << 34))
		seen.cap *= 2;
	seen.slot = st_zalloc(seen.cap, sizeof *seen.slot);
	search_node *nodes = NULL;
	uint32_t nnodes = 0, nodes_cap = 0;
	search_front *cur = NULL, *next = NULL;
	uint32_t ncur = 0, ccap = 0, nnext = 0, ncap = 0;

	sim_base *base = sim_base_new(s);
	sim_search_cache *cache = sim_search_cache_new(s);
	st_grow32(&nodes, &nodes_cap, 1, sizeof *nodes);
	memset(&nodes[0], 0, sizeof nodes[0]);
	nnodes = 1;
	search_set_add(&seen, sim_fingerprint(s) ^ search_budget_mix(&nodes[0]));
	r->distinct = 1;
	size_t nw;
	st_grow32(&cur, &ccap, 1, sizeof *cur);
	cur[0] = (search_front){0, sim_encode(s, base, &nw)};
	ncur = 1;
	if (sim_violation(s, NULL)) {
		/* broken before any choice: the path is empty */
		const st_violation *v = sim_violation(s, NULL);
		r->violated = true;
		snprintf(r->invariant, sizeof r->invariant, "%s", v->invariant);
		snprintf(r->detail, sizeof r->detail, "%s", v->detail);
		ncur = 0;
	}

	sim_choice ch[512];
	for (int level = 0; level < o->depth && ncur > 0 && !r->violated && !r->bounded; level++) {
		size_t front_bytes = 0;
		nnext = 0;
		for (uint32_t f = 0; f < ncur && !r->violated && !r->bounded; f++) {
			sim_decode(s, base, cur[f].enc);
			sim_search_cache_parent(cache, s);
			search_node pn = nodes[cur[f].node];
			int nch = sim_choices(s, o->kinds, ch, (int)(sizeof ch / sizeof ch[0]));
			if (nch > (int)(sizeof ch / sizeof ch[0]))
				nch = (int)(sizeof ch / sizeof ch[0]);
			bool dirty = false;
			for (int c = 0; c < nch && !r->violated; c++) {
				search_node kid = {cur[f].node, ch[c], pn.crashes, pn.drops, pn.requests};
				if (ch[c].kind == SIM_CH_CRASH && kid.crashes++ >= o->max_crashes)
					continue;
				if (ch[c].kind == SIM_CH_DROP && kid.drops++ >= o->max_drops)
					continue;
				if (ch[c].kind == SIM_CH_REQUEST && kid.requests++ >= o->max_requests)
					continue;
				if (dirty)
					sim_decode_cached(s, base, cur[f].enc, cache);
				dirty = true;
				if (!search_take(s, sc, &ch[c], kid.requests))
					continue;
				r->generated++;
				const st_violation *v = sim_violation(s, NULL);
				if (v) {
					r->violated = true;
					snprintf(r->invariant, sizeof r->invariant, "%s", v->invariant);
					snprintf(r->detail, sizeof r->detail, "%s", v->detail);
					search_path(r, nodes, cur[f].node, &ch[c]);
					break;
				}
				if (!search_set_add(&seen, sim_fingerprint_cached(s, cache) ^
							    search_budget_mix(&kid)))
					continue;
				r->distinct++;
				st_grow32(&nodes, &nodes_cap, (size_t)nnodes + 1, sizeof *nodes);
				nodes[nnodes] = kid;
				if (level + 1 < o->depth) {
					st_grow32(&next, &ncap, (size_t)nnext + 1, sizeof *next);
					next[nnext].node = nnodes;
					next[nnext].enc = sim_encode(s, base, &nw);
					front_bytes += nw * 8;
					nnext++;
				}
				nnodes++;
				if (r->distinct >= o->max_states) {
					r->bounded = true;
					break;
				}
			}
			free(cur[f].enc);
			cur[f].enc = NULL;
		}
		for (uint32_t f = 0; f < ncur; f++)
			free(cur[f].enc);
		if (front_bytes > r->frontier_bytes_max)
			r->frontier_bytes_max = front_bytes;
		if (!r->violated && !r->bounded)
			r->depth = level + 1;
		if (progress)
			progress(r, level + 1, nnext, user);
		search_front *t = cur;
		cur = next;
		next = t;
		uint32_t tc = ccap;
		ccap = ncap;
		ncap = tc;
		ncur = nnext;
	}
	for (uint32_t f = 0; f < ncur; f++)
		free(cur[f].enc);
	free(cur);
	free(next);
	free(nodes);
	free(seen.slot);
	sim_base_free(base);
	sim_search_cache_free(cache);
	sim_free(s);
	trace_free(tr);
	return 0;
}

void search_result_free(search_result *r)
{
	free(r->path);
	r->path = NULL;
}
