/* lin_check.c: the linearizability search (see lin_check.h).
 *
 * One part (one key's operations) at a time. Each operation has two entries, its call and
 * its return, in a doubly linked list in time order (an operation that never completed has
 * its return after everything). The search holds the model state and the set of linearized
 * operations (a bitset, with an incremental hash: the XOR of one 64-bit word per operation):
 *
 *   walk the list from its head;
 *   at a call: if the model accepts the operation in the current state, and the
 *     configuration (set + {op}, new state) has not been seen, remember it, push the op and
 *     the old state, unlink the op's call and return from the list, start again at the head;
 *     otherwise go on to the next entry;
 *   at a return: its operation should have been linearized by now and was not: pop the last
 *     linearized operation, restore the state, link it back in, and continue after its call.
 *     An empty stack here means no order explains the history.
 *
 * Only calls before the first return in the list are ever tried (that is Lowe's
 * just-in-time linearization: an operation is linearized no earlier than it must be), and the
 * hash set of configurations is what makes the search practical (Wing & Gong's search alone is
 * exponential on histories that are linearizable in many ways). The deepest stack reached is
 * kept for the report: its operations are the longest linearizable prefix, and the calls that
 * could have come next from there are the operations that cannot be placed. */
#include "lin_check.h"

#include <stdlib.h>
#include <string.h>

#include "../base/hash.h"
#include "../base/mem.h"
#include "intmap.h"

const char *const lin_verdict_names[4] = {"linearizable", "not linearizable",
					  "unknown (the search budget ran out)", "bad history"};

/* ---- the set of configurations: (linearized set, state), open addressing ----
 * A linearized set is kept short: the part's completed operations come first (in invocation
 * order), and in a long history all of them up to some point are linearized and none far
 * beyond it, so the key holds only the window of words between the first word not full (lo)
 * and the last word not empty, then the words of the open operations (:info ones, which may
 * stay unlinearized forever and would otherwise stretch the window). A 20,000-operation
 * history then costs a few words a configuration, not 2.5 KB. The words live in an arena; a
 * slot holds the hash (| 1: 0 is an empty slot), the state and where its words are. The slot
 * is the hash's top bits, FNV's best mixed. */
typedef struct {
	uint64_t hash, state, off;
	uint32_t lo, len;   /* the window's first word, and the words kept (window + open) */
} lc_slot;

typedef struct {
	lc_slot *slot;
	size_t cap, n;
	int shift;          /* 64 - log2(cap) */
	uint64_t *arena; size_t narena, arena_cap;
} lc_set;

static void lc_set_init(lc_set *s, size_t nops)
{
	memset(s, 0, sizeof *s);
	/* small parts start small: a key of a few operations needs a few slots, not pages */
	s->cap = 64;
	s->shift = 64 - 6;
	while (s->cap < 2 * nops && s->cap < 4096) {
		s->cap *= 2;
		s->shift--;
	}
	s->slot = st_zalloc(s->cap, sizeof *s->slot);
	s->arena_cap = 256;
	s->arena = st_alloc(s->arena_cap * sizeof *s->arena);
}

static void lc_set_free(lc_set *s)
{
	free(s->slot);
	free(s->arena);
}

static size_t lc_set_bytes(const lc_set *s)
{
	return s->cap * sizeof *s->slot + s->arena_cap * sizeof *s->arena;
}

static void lc_set_grow(lc_set *s)
{
	size_t cap = s->cap * 2;
	lc_slot *slot = st_zalloc(cap, sizeof *slot);
	int shift = s->shift - 1;
	for (size_t i = 0; i < s->cap; i++) {
		if (!s->slot[i].hash)
			continue;
		size_t j = (size_t)(s->slot[i].hash >> shift);
		while (slot[j].hash)
			j = (j + 1) & (cap - 1);
		slot[j] = s->slot[i];
	}
	free(s->slot);
	s->slot = slot;
	s->cap = cap;
	s->shift = shift;
}

/* Add the configuration (the window win[0..nwin) starting at word lo, then the open words
 * open[0..nopen)): 1 when added, 0 when it was already there, -1 when the set would grow past
 * LIN_MAX_CACHE_BYTES (checked before growing, so the memory never goes past it). */
static int lc_set_add(lc_set *s, uint64_t hash, uint64_t state, uint32_t lo,
		      const uint64_t *win, size_t nwin, const uint64_t *open, size_t nopen)
{
	hash |= 1;
	size_t len = nwin + nopen, j = (size_t)(hash >> s->shift);
	for (;; j = (j + 1) & (s->cap - 1)) {
		const lc_slot *e = &s->slot[j];
		if (!e->hash)
			break;
		if (e->hash != hash || e->state != state || e->lo != lo || e->len != len)
			continue;
		const uint64_t *w = s->arena + e->off;
		if ((!nwin || memcmp(w, win, nwin * sizeof *w) == 0) &&
		    (!nopen || memcmp(w + nwin, open, nopen * sizeof *w) == 0))
			return 0;
	}
	/* new: room first, within the bound (the old table and the new while growing) */
	bool grow_t = (s->n + 1) * 10 > s->cap * 7, grow_a = s->narena + len > s->arena_cap;
	size_t need = lc_set_bytes(s) + (grow_t ? 2 * s->cap * sizeof *s->slot : 0) +
		      (grow_a ? 2 * (s->arena_cap + len) * sizeof *s->arena : 0);
	if (need > LIN_MAX_CACHE_BYTES)
		return -1;
	if (grow_a) {
		while (s->narena + len > s->arena_cap)
			s->arena_cap *= 2;
		s->arena = st_realloc(s->arena, s->arena_cap * sizeof *s->arena);
	}
	if (grow_t) {
		lc_set_grow(s);
		for (j = (size_t)(hash >> s->shift); s->slot[j].hash; j = (j + 1) & (s->cap - 1))
			;
	}
	if (nwin)
		memcpy(s->arena + s->narena, win, nwin * sizeof *win);
	if (nopen)
		memcpy(s->arena + s->narena + nwin, open, nopen * sizeof *open);
	s->slot[j] = (lc_slot){hash, state, s->narena, lo, (uint32_t)len};
	s->narena += len;
	s->n++;
	return 1;
}

/* The linearized set: completed operations [0, nc) in bc, open ones [nc, n) in bo; lo is
 * the first word of bc that is not full, hi one past the last that is not empty. */
typedef struct {
	uint64_t *bc, *bo;
	uint32_t nc, ncw, now, lo, hi;
} lc_bits;

static inline bool lc_bits_get(const lc_bits *b, uint32_t k)
{
	if (k < b->nc)
		return (b->bc[k / 64] >> (k % 64)) & 1;
	k -= b->nc;
	return (b->bo[k / 64] >> (k % 64)) & 1;
}

static inline void lc_bits_set(lc_bits *b, uint32_t k)
{
	if (k >= b->nc) {
		k -= b->nc;
		b->bo[k / 64] |= 1ull << (k % 64);
		return;
	}
	uint32_t w = k / 64;
	b->bc[w] |= 1ull << (k % 64);
	if (w + 1 > b->hi)
		b->hi = w + 1;
	while (b->lo < b->ncw && b->bc[b->lo] == ~0ull)
		b->lo++;
}

static inline void lc_bits_clear(lc_bits *b, uint32_t k)
{
	if (k >= b->nc) {
		k -= b->nc;
		b->bo[k / 64] &= ~(1ull << (k % 64));
		return;
	}
	uint32_t w = k / 64;
	b->bc[w] &= ~(1ull << (k % 64));
	if (w < b->lo)
		b->lo = w;
	while (b->hi > 0 && !b->bc[b->hi - 1])
		b->hi--;
}

/* ---- one part ---- */
typedef struct {
	lin_opv v;
	uint32_t op;        /* ophist index */
	uint32_t call, ret;
} lc_op;

typedef struct {
	uint32_t op;        /* index into the part's ops */
	uint16_t forced;    /* it left the state as it was: no other choice is worth trying */
	uint16_t pass;      /* the pass it was chosen in (0: completed operations, 1: open) */
	uint64_t state;     /* the state before it */
} lc_frame;

/* The entries' order: by time; the returns of operations that never completed, all at
 * infinity, by operation. Entry 2k is op k's call, 2k + 1 its return. */
static uint64_t lc_entry_time(const lc_op *ops, uint32_t e)
{
	const lc_op *o = &ops[e / 2];
	uint32_t t = e & 1 ? o->ret : o->call;
	return t == OPHIST_OPEN_RET ? ((uint64_t)1 << 32) + e / 2 : t;
}

static bool lc_alike(const lin_opv *x, const lin_opv *y)
{
	return x->f == y->f && x->known == y->known && x->failed == y->failed && x->a == y->a &&
	       x->b == y->b && x->out == y->out;
}

typedef struct {
	lin_vals *vals;
	const lin_model *m;
	uint64_t budget;        /* configurations left */
	uint64_t states;
} lc_ctx;

/* Search one part: its n operations, and its 2n entries in time order. On LIN_NOT,
 * best[0..*nbest) is the deepest prefix (part indexes) and *best_state the state after it. */
static lin_verdict lc_part(lc_ctx *c, const lc_op *ops, uint32_t n, const uint32_t *order,
			   uint32_t *best, size_t *nbest, uint64_t *best_state)
{
	uint32_t ne = 2 * n, head = ne;   /* entry ne is the list's head (and its end) */
	uint32_t *next = st_alloc((ne + 1) * sizeof *next), *prev = st_alloc((ne + 1) * sizeof *prev);
	uint32_t last = head;
	for (uint32_t k = 0; k < ne; k++) {
		next[last] = order[k];
		prev[order[k]] = last;
		last = order[k];
	}
	next[last] = head;
	prev[head] = last;

	/* the completed operations come first (lin_check numbers them so) */
	uint32_t nc = 0;
	while (nc < n && ops[nc].ret != OPHIST_OPEN_RET)
		nc++;
	lc_bits bits = {0};
	bits.nc = nc;
	bits.ncw = (nc + 63) / 64;
	bits.now = (n - nc + 63) / 64;
	bits.bc = st_zalloc(bits.ncw ? bits.ncw : 1, sizeof *bits.bc);
	bits.bo = st_zalloc(bits.now ? bits.now : 1, sizeof *bits.bo);
	uint64_t *z = st_alloc((n ? n : 1) * sizeof *z);
	for (uint32_t k = 0; k < n; k++)
		z[k] = st_hash_u64(ST_HASH_INIT, k) * 0x9e3779b97f4a7c15ull;
	lc_frame *stack = st_alloc((n ? n : 1) * sizeof *stack);
	size_t sp = 0;
	lc_set set;
	lc_set_init(&set, n);
	uint64_t state = c->m->init(c->vals), hbits = 0;
	*nbest = 0;
	*best_state = state;
	lin_verdict v = LIN_LINEARIZABLE;

	/* An operation that never changes the state (a read, a failed cas) and that the model
	 * accepts now is linearized now, with no other choice tried at this point: any order
	 * that places it later can place it here instead (it is a candidate, so nothing still
	 * open must precede it, and it sees this state and leaves it). So when its configuration
	 * fails, the one before it fails too, and the search backs up past it (`forced`). */
	uint8_t *pure = st_alloc(n ? n : 1), *open = st_alloc(n ? n : 1);
	for (uint32_t k = 0; k < n; k++) {
		pure[k] = !c->m->writes(&ops[k].v);
		open[k] = ops[k].ret == OPHIST_OPEN_RET;
	}
	/* Open operations that are alike (the same function and values: Jepsen's timed-out
	 * write(3)s) are interchangeable: any order that uses a later-invoked one where an
	 * earlier-invoked one is still unused can swap them (both may take effect any time after
	 * their invocations). So alike open operations are linearized only in invocation order:
	 * twin[k] is the previous one alike, which must be linearized before k is tried. */
	uint32_t *twin = st_alloc((n ? n : 1) * sizeof *twin);
	intmap alike = {0};
	for (uint32_t k = 0; k < n; k++) {
		twin[k] = UINT32_MAX;
		if (!open[k])
			continue;
		const lin_opv *a = &ops[k].v;
		uint64_t key = st_hash_u64(st_hash_u64(st_hash_u64(ST_HASH_INIT, a->f), a->a), a->b);
		uint32_t *prev_k = intmap_get(&alike, (int64_t)key);
		if (prev_k && lc_alike(&ops[*prev_k].v, a))
			twin[k] = *prev_k;
		if (!intmap_put(&alike, (int64_t)key, k))
			st_oom(sizeof(intmap_slot));
	}
	intmap_free(&alike);
	/* The candidates are tried in two passes: the completed operations first, then the open
	 * ones, which can go anywhere and are best left until something needs them. */
	uint16_t pass = 0;
	uint32_t e = next[head];
	while (next[head] != head) {
		if (!(e & 1)) {
			uint32_t k = e / 2;
			uint64_t ns;
			if (open[k] != pass || (twin[k] != UINT32_MAX && !lc_bits_get(&bits, twin[k]))) {
				e = next[e];
				continue;
			}
			if (c->m->step(c->vals, state, &ops[k].v, &ns)) {
				uint64_t hb = hbits ^ z[k];
				lc_bits_set(&bits, k);
				int added = lc_set_add(&set, st_hash_u64(hb, ns), ns, bits.lo,
						       bits.bc + bits.lo, bits.hi > bits.lo ?
						       bits.hi - bits.lo : 0, bits.bo, bits.now);
				if (added) {
					/* out of budget: states, the set's memory, or the values the
					 * model made (a key-value store's strings) */
					if (added < 0 || ++c->states > c->budget ||
					    c->vals->nbytes > LIN_MAX_CACHE_BYTES / 2) {
						v = LIN_UNKNOWN;
						break;
					}
					stack[sp++] = (lc_frame){k, pure[k], pass, state};
					pass = 0;
					state = ns;
					hbits = hb;
					/* lift: the call, then its return */
					next[prev[e]] = next[e];
					prev[next[e]] = prev[e];
					next[prev[e + 1]] = next[e + 1];
					prev[next[e + 1]] = prev[e + 1];
					if (sp > *nbest) {
						for (size_t i = 0; i < sp; i++)
							best[i] = stack[i].op;
						*nbest = sp;
						*best_state = state;
					}
					e = next[head];
					continue;
				}
				lc_bits_clear(&bits, k);
				if (!pure[k]) {
					e = next[e];
					continue;
				}
				/* a pure operation into a configuration known to fail: so is this one */
			} else {
				e = next[e];
				continue;
			}
		}
		/* the end of the candidates: the second pass, or else back up */
		if ((e & 1) && pass == 0) {
			pass = 1;
			e = next[head];
			continue;
		}
		/* a return whose operation is not linearized, or a dead end: back up, past every
		 * forced step */
		bool forced = true;
		uint32_t ce = 0;
		while (forced && sp) {
			lc_frame f = stack[--sp];
			uint32_t k = f.op;
			ce = 2 * k;
			forced = f.forced;
			pass = f.pass;
			state = f.state;
			hbits ^= z[k];
			lc_bits_clear(&bits, k);
			/* unlift in the reverse order: the return, then the call */
			next[prev[ce + 1]] = ce + 1;
			prev[next[ce + 1]] = ce + 1;
			next[prev[ce]] = ce;
			prev[next[ce]] = ce;
		}
		if (forced) {
			v = LIN_NOT;
			break;
		}
		e = next[ce];
	}
	free(pure);
	free(open);
	free(twin);
	lc_set_free(&set);
	free(next);
	free(prev);
	free(bits.bc);
	free(bits.bo);
	free(z);
	free(stack);
	return v;
}

/* ---- the whole history ---- */

/* Completed with an answer; :info is no answer: the operation may still take effect, at any
 * time, as one never completed. */
static bool lc_done(const oph_op *o) { return o->type == OPH_OK || o->type == OPH_FAIL; }

static int lc_outcome(const oph_op *o)
{
	return o->type == OPH_OK ? LIN_DONE : o->type == OPH_FAIL ? LIN_FAILED : LIN_OPEN;
}

lin_verdict lin_check(ophist *h, const lin_model *m, const lin_opts *o, const char *name,
		      lin_result *r)
{
	memset(r, 0, sizeof *r);
	r->key = LIN_NONE;
	r->nopv = h->n;
	r->opv = st_zalloc(h->n, sizeof *r->opv);
	r->dropped = st_zalloc(h->n, 1);
	uint32_t *keep = st_alloc((h->n ? h->n : 1) * sizeof *keep);
	size_t nkeep = 0;
	for (size_t i = 0; i < h->n; i++) {
		const oph_op *op = &h->op[i];
		char why[256];
		lin_make_rc rc = m->make(&h->vals, lin_vals_raw(&h->vals, op->f), lc_outcome(op),
					 op->in, op->out, &r->opv[i], why, sizeof why);
		if (rc == LIN_MAKE_BAD) {
			if (op->col)
				snprintf(r->err, sizeof r->err, "%s:%u:%u: %s", name, op->line, op->col, why);
			else
				snprintf(r->err, sizeof r->err, "%s: event %u: %s", name, op->line, why);
			free(keep);
			return r->verdict = LIN_BAD;
		}
		if (rc == LIN_MAKE_DROP) {
			r->dropped[i] = 1;
			r->ndropped++;
		} else {
			keep[nkeep++] = (uint32_t)i;
		}
	}
	r->nops = nkeep;
	/* The parts: operations grouped by key (LIN_NONE is a key too), the keys in the order of
	 * their first operations, each part's operations in history (invocation) order. */
	intmap partof = {0};
	uint32_t *part = st_alloc((nkeep ? nkeep : 1) * sizeof *part),
		 *local = st_alloc((nkeep ? nkeep : 1) * sizeof *local), *psize = NULL;
	size_t npart = 0, psize_cap = 0;
	for (size_t i = 0; i < nkeep; i++) {
		int64_t key = h->op[keep[i]].key;
		uint32_t *pp = intmap_get(&partof, key), pi;
		if (pp) {
			pi = *pp;
		} else {
			pi = (uint32_t)npart++;
			st_grow(&psize, &psize_cap, npart, sizeof *psize);
			psize[pi] = 0;
			if (!intmap_put(&partof, key, pi))
				st_oom(sizeof(intmap_slot));
		}
		part[i] = pi;
		psize[pi]++;
	}
	intmap_free(&partof);
	/* each part's completed operations first, then its open ones (lc_part's bitset wants
	 * them so), each group in invocation order */
	uint32_t *ncomp = st_zalloc(npart ? npart : 1, sizeof *ncomp),
		 *nextc = st_zalloc(npart ? npart : 1, sizeof *nextc),
		 *nexto = st_zalloc(npart ? npart : 1, sizeof *nexto);
	for (size_t i = 0; i < nkeep; i++)
		if (lc_done(&h->op[keep[i]]))
			ncomp[part[i]]++;
	for (size_t i = 0; i < nkeep; i++)
		local[i] = lc_done(&h->op[keep[i]]) ? nextc[part[i]]++ :
			   ncomp[part[i]] + nexto[part[i]]++;
	free(ncomp);
	free(nextc);
	free(nexto);
	uint32_t *pstart = st_alloc((npart + 1) * sizeof *pstart), *fill = st_alloc((npart + 1) * sizeof *fill);
	pstart[0] = 0;
	for (size_t p = 0; p < npart; p++)
		pstart[p + 1] = pstart[p] + psize[p];
	lc_op *ops = st_alloc((nkeep ? nkeep : 1) * sizeof *ops);
	for (size_t i = 0; i < nkeep; i++) {
		const oph_op *op = &h->op[keep[i]];
		uint32_t ret = lc_done(op) ? op->ret : OPHIST_OPEN_RET;
		ops[pstart[part[i]] + local[i]] = (lc_op){r->opv[keep[i]], keep[i], op->call, ret};
	}
	/* Each part's entries in time order, with no sort: the history's places are dense, so
	 * one pass over them deals every entry to its part; the returns of open operations
	 * (at infinity) go last, in operation order. */
	uint32_t *at = st_alloc((h->nev ? h->nev : 1) * sizeof *at),
		 *ent = st_alloc((nkeep ? 2 * nkeep : 1) * sizeof *ent);
	for (uint32_t t = 0; t < h->nev; t++)
		at[t] = UINT32_MAX;
	for (size_t i = 0; i < nkeep; i++) {
		const lc_op *o = &ops[pstart[part[i]] + local[i]];
		at[o->call] = (uint32_t)(2 * i);
		if (o->ret != OPHIST_OPEN_RET)
			at[o->ret] = (uint32_t)(2 * i + 1);
	}
	for (size_t p = 0; p < npart; p++)
		fill[p] = 2 * pstart[p];
	for (uint32_t t = 0; t < h->nev; t++) {
		if (at[t] == UINT32_MAX)
			continue;
		uint32_t i = at[t] / 2;
		ent[fill[part[i]]++] = 2 * local[i] + (at[t] & 1);
	}
	for (size_t i = 0; i < nkeep; i++)
		if (ops[pstart[part[i]] + local[i]].ret == OPHIST_OPEN_RET)
			ent[fill[part[i]]++] = 2 * local[i] + 1;
	free(at);

	lc_ctx c = {&h->vals, m, o && o->max_states ? o->max_states : LIN_DEFAULT_MAX_STATES, 0};
	uint32_t *best = st_alloc((nkeep ? nkeep : 1) * sizeof *best);
	lin_verdict v = LIN_LINEARIZABLE;
	for (size_t p = 0; p < npart && v != LIN_NOT; p++) {
		const lc_op *pops = ops + pstart[p];
		uint32_t n = psize[p];
		size_t nbest;
		uint64_t bstate;
		r->nparts++;
		lin_verdict pv = lc_part(&c, pops, n, ent + 2 * pstart[p], best, &nbest, &bstate);
		if (pv == LIN_UNKNOWN) {
			v = LIN_UNKNOWN;
			if (c.states > c.budget)
				break;      /* the budget is spent for every part after this one too */
			continue;   /* out of memory for this part: the others may still fail */
		}
		if (pv != LIN_NOT)
			continue;
		/* the first part that fails, in the order of the keys' first operations */
		v = LIN_NOT;
		r->key = h->op[pops[0].op].key;
		r->prefix = st_alloc((nbest ? nbest : 1) * sizeof *r->prefix);
		r->nprefix = nbest;
		uint8_t *in = st_zalloc(n, 1);
		for (size_t i = 0; i < nbest; i++) {
			r->prefix[i] = pops[best[i]].op;
			in[best[i]] = 1;
		}
		r->state = bstate;
		/* what could come next: calls before the earliest return still open */
		uint64_t min_ret = UINT64_MAX;
		for (uint32_t k = 0; k < n; k++)
			if (!in[k] && lc_entry_time(pops, 2 * k + 1) < min_ret)
				min_ret = lc_entry_time(pops, 2 * k + 1);
		r->stuck = st_alloc(n * sizeof *r->stuck);
		r->nstuck = 0;
		for (uint32_t k = 0; k < n; k++)
			if (!in[k] && pops[k].call < min_ret)
				r->stuck[r->nstuck++] = pops[k].op;
		free(in);
	}
	free(part);
	free(local);
	free(psize);
	free(pstart);
	free(fill);
	free(ent);
	r->states = c.states;
	free(ops);
	free(best);
	free(keep);
	return r->verdict = v;
}

lin_verdict lin_check_trace(const st_trace *t, const lin_model *m, const lin_opts *o,
			    ophist *h, lin_result *r)
{
	ophist_init(h);
	char err[400];
	lin_verdict v;
	if (!ophist_from_trace(h, t, err, sizeof err)) {
		memset(r, 0, sizeof *r);
		snprintf(r->err, sizeof r->err, "%s: %s", t->scenario ? t->scenario : "trace", err);
		v = r->verdict = LIN_BAD;
	} else {
		if (!m)
			m = lin_model_guess(h);
		if (!m) {
			memset(r, 0, sizeof *r);
			snprintf(r->err, sizeof r->err, "the clients' operations fit no model "
				 "(register: read, write, cas; kv: get, put, append)");
			v = r->verdict = LIN_BAD;
		} else {
			v = lin_check(h, m, o, t->scenario ? t->scenario : "trace", r);
		}
	}
	return v;
}

void lin_result_free(lin_result *r)
{
	free(r->prefix);
	free(r->stuck);
	free(r->opv);
	free(r->dropped);
	memset(r, 0, sizeof *r);
}

static bool lc_model_knows(const lin_model *m, const ophist *h)
{
	for (size_t i = 0; i < h->n; i++) {
		const char *f = lin_vals_raw(&h->vals, h->op[i].f);
		int k = 0;
		while (m->fs[k] && strcmp(m->fs[k], f))
			k++;
		if (!m->fs[k])
			return false;
	}
	return true;
}

const lin_model *lin_model_guess(const ophist *h)
{
	const lin_model *first = h->keyed ? &lin_model_kv : &lin_model_register;
	if (lc_model_knows(first, h))
		return first;
	for (int i = 0; lin_models[i]; i++)
		if (lc_model_knows(lin_models[i], h))
			return lin_models[i];
	return NULL;
}

/* ---- words ---- */

void lin_op_words(const ophist *h, const lin_model *m, const lin_result *r, uint32_t op,
		  char *buf, size_t n)
{
	const oph_op *o = &h->op[op];
	char who[48];
	ophist_who(h, o, who, sizeof who);
	if (r && op < r->nopv && !r->dropped[op]) {
		m->describe_op(&h->vals, &r->opv[op], who, buf, n);
		return;
	}
	char in[72];
	lin_vals_show(&h->vals, o->in, in, sizeof in);
	snprintf(buf, n, "%s(%s)%s, %s", lin_vals_raw(&h->vals, o->f), in, who,
		 ophist_type_names[o->type]);
}

/* "the register" / "register 3" / "key \"7\"" */
static void lc_subject(const ophist *h, const lin_model *m, uint32_t key, char *buf, size_t n)
{
	if (key == LIN_NONE) {
		snprintf(buf, n, "the %s", m->noun);
		return;
	}
	char k[72];
	lin_vals_show(&h->vals, key, k, sizeof k);
	snprintf(buf, n, "%s %s", m->noun, k);
}

void lin_stuck_sentence(const ophist *h, const lin_model *m, const lin_result *r, size_t i,
			char *buf, size_t n)
{
	char op[160], subj[96], st[96], after[200] = "";
	lin_op_words(h, m, r, r->stuck[i], op, sizeof op);
	lc_subject(h, m, r->key, subj, sizeof subj);
	m->describe_state(&h->vals, r->state, st, sizeof st);
	size_t w = r->nprefix;
	while (w > 0 && !m->writes(&r->opv[r->prefix[w - 1]]))
		w--;
	if (w) {
		char wr[160];
		lin_op_words(h, m, r, r->prefix[w - 1], wr, sizeof wr);
		snprintf(after, sizeof after, " after %s", wr);
	} else {
		snprintf(after, sizeof after, ", as it did at the start");
	}
	snprintf(buf, n, "%s, but %s %s%s", op, subj, st, after);
}

static void lc_print_op(FILE *f, const ophist *h, const lin_model *m, const lin_result *r,
			size_t num, uint32_t op)
{
	char w[200];
	lin_op_words(h, m, r, op, w, sizeof w);
	const oph_op *o = &h->op[op];
	if (h->pname)
		fprintf(f, "    %4zu. %-56s (event %u)\n", num, w, o->line);
	else
		fprintf(f, "    %4zu. %-56s (line %u)\n", num, w, o->line);
}

void lin_result_print(FILE *f, const ophist *h, const lin_model *m, const lin_result *r)
{
	fprintf(f, "%s (%s model): %zu operations checked, %zu dropped as unable to matter, "
		"%zu part%s, %llu states explored\n", lin_verdict_names[r->verdict], m->name,
		r->nops, r->ndropped, r->nparts, r->nparts == 1 ? "" : "s",
		(unsigned long long)r->states);
	if (r->verdict != LIN_NOT)
		return;
	char subj[96];
	lc_subject(h, m, r->key, subj, sizeof subj);
	fprintf(f, "  %s: the longest linearizable prefix found has %zu operation%s:\n", subj,
		r->nprefix, r->nprefix == 1 ? "" : "s");
	/* a long prefix: its start and its end, where the trouble is */
	for (size_t i = 0; i < r->nprefix; i++) {
		if (r->nprefix > 60 && i == 10) {
			fprintf(f, "          ... %zu more ...\n", r->nprefix - 50);
			i = r->nprefix - 40;
		}
		lc_print_op(f, h, m, r, i + 1, r->prefix[i]);
	}
	fprintf(f, "  after it %s ", subj);
	char st[96];
	m->describe_state(&h->vals, r->state, st, sizeof st);
	fprintf(f, "%s, and %s cannot be placed next:\n", st,
		r->nstuck == 1 ? "this operation" : "these operations");
	for (size_t i = 0; i < r->nstuck; i++) {
		char s[512];
		lin_stuck_sentence(h, m, r, i, s, sizeof s);
		const oph_op *o = &h->op[r->stuck[i]];
		fprintf(f, "    %s (%s %u)\n", s, h->pname ? "event" : "line", o->line);
	}
}
