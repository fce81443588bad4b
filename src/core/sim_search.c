/* sim_search.c: what an exhaustive search needs of the world (see sim.h, "search").
 *
 * A breadth-first search (search.c) keeps a frontier of worlds, restores each in turn, takes
 * each open choice and hashes what comes out. Three things here make that cheap enough:
 *   - choices read the queue and the slot pool directly (no sorting, no copies);
 *   - the fingerprint hashes only what the future depends on, and skips zero words, so
 *     a protocol's mostly empty fixed arrays (a log of 1024 entries) cost little;
 *   - the frontier stores worlds as the words that differ from one base image (runs of
 *     (start, length, words)), a few hundred bytes where a snapshot is ~200 KB.
 * After a restore the streaming trace is rebased to the restored world's event and message
 * counters, so the world appends (and its checker sees the step's events) as if it had never
 * been anywhere else. */
#include "../base/hash.h"
#include "sim_internal.h"

/* ---- the trace after a restore ---- */

static void sim_search_rebase_trace(st_sim *s)
{
	st_trace *t = s->tr;
	if (!t->flush)
		return;     /* an in-memory trace keeps its events: sim_load's re-execution rule */
	t->base = s->c.next_ev;
	t->len = 0;
	t->nkv = 0;
	t->msg_base = s->c.next_msg;
	t->nmsg = 0;
	t->nbytes = 0;
	t->step_first = t->base;
}

void sim_load_rebase(st_sim *s, const void *snap)
{
	sim_load(s, snap);
	sim_search_rebase_trace(s);
}

/* ---- choices ---- */

static bool sim_search_has_automatic(const st_sim *s)
{
	for (uint32_t i = 0; i < s->nq; i++)
		if (s->q[i].type != Q_DELIVER && s->q[i].type != Q_TIMER)
			return true;
	return false;
}

static const slot_hdr *sim_search_slot(const st_sim *s, uint32_t i)
{
	return (const slot_hdr *)(s->pool + (size_t)i * s->slot_size);
}

int sim_choices(const st_sim *s, unsigned kinds, sim_choice *out, int max)
{
	int n = 0;
#define SIM_CH_PUT(...) do { if (n < max) out[n] = (sim_choice){__VA_ARGS__}; n++; } while (0)
	/* messages in flight, by slot: one choice per live copy */
	if (kinds & ((1u << SIM_CH_DELIVER) | (1u << SIM_CH_DROP)))
		for (uint32_t i = 0; i < s->nslots; i++) {
			const slot_hdr *h = sim_search_slot(s, i);
			if (!(h->flags & SLOT_USED) || s->c.status[h->to] == PROC_PAUSED)
				continue;
			if (kinds & (1u << SIM_CH_DELIVER))
				SIM_CH_PUT(SIM_CH_DELIVER, h->to, 0, 0, i);
			if (kinds & (1u << SIM_CH_DROP))
				SIM_CH_PUT(SIM_CH_DROP, h->to, 0, 0, i);
		}
	if (kinds & (1u << SIM_CH_TIMER))
		for (int p = 0; p < s->np; p++)
			for (int t = 0; t < s->proto->n_timers && t < ST_MAX_TIMERS; t++)
				if (s->c.status[p] == PROC_UP && s->c.timer[p][t].pending)
					SIM_CH_PUT(SIM_CH_TIMER, (uint8_t)p, (uint8_t)t, 0, 0);
	for (int p = 0; p < s->nn; p++) {
		if ((kinds & (1u << SIM_CH_CRASH)) && s->c.status[p] == PROC_UP)
			SIM_CH_PUT(SIM_CH_CRASH, (uint8_t)p, 0, 0, 0);
		if ((kinds & (1u << SIM_CH_RESTART)) && s->c.status[p] == PROC_CRASHED)
			SIM_CH_PUT(SIM_CH_RESTART, (uint8_t)p, 0, 0, 0);
	}
	if (kinds & (1u << SIM_CH_REQUEST))
		for (int p = s->nn; p < s->np; p++)
			if (sim_request_fits(s, p))
				SIM_CH_PUT(SIM_CH_REQUEST, (uint8_t)p, 0, 0, 0);
	if ((kinds & (1u << SIM_CH_STEP)) && sim_search_has_automatic(s))
		SIM_CH_PUT(SIM_CH_STEP, 0, 0, 0, 0);
#undef SIM_CH_PUT
	return n;
}

bool sim_apply_choice(st_sim *s, const sim_choice *c, const st_op *op)
{
	switch (c->kind) {
	case SIM_CH_DELIVER: return sim_msg_deliver_now(s, c->slot, BY_USER);
	case SIM_CH_DROP: return sim_msg_drop(s, c->slot, BY_USER);
	case SIM_CH_TIMER: return sim_fire_timer(s, c->proc, c->timer, BY_USER);
	case SIM_CH_CRASH:
		if (s->c.status[c->proc] != PROC_UP)
			return false;
		sim_crash(s, c->proc, BY_USER);
		return true;
	case SIM_CH_RESTART:
		if (s->c.status[c->proc] != PROC_CRASHED)
			return false;
		sim_restart(s, c->proc, BY_USER);
		return true;
	case SIM_CH_REQUEST:
		if (!op || !sim_request_fits(s, c->proc))
			return false;
		sim_request(s, c->proc, op, BY_USER);
		return true;
	case SIM_CH_STEP: return sim_step(s) != SIM_IDLE;
	}
	return false;
}

/* ---- fingerprint ---- */

/* The live bytes of process p's state (protocol.h, live_size), rounded up to words. */
static size_t sim_search_live(const st_sim *s, int p)
{
	size_t ss = s->proto->state_size;
	if (!s->proto->live_size)
		return ss;
	size_t n = s->proto->live_size(sim_state_of((st_sim *)s, p),
				       p < s->nn ? ST_ROLE_NODE : ST_ROLE_CLIENT);
	n = (n + 7) & ~(size_t)7;
	return n < ss ? n : ss;
}

/* Hash the nonzero 8-byte words of a region with their positions (zero runs cost a load and
 * a test, nothing else); a tail shorter than a word is padded with zeros. */
/* Whether the 8 words at a and b are equal (b NULL: whether a's are zero): one OR of eight
 * XORs, which the compiler turns into vector code; zero and unchanged runs go by fast. */
static bool sim_search_block_same(const uint8_t *a, const uint8_t *b)
{
	uint64_t x[8], y[8] = {0}, acc = 0;
	memcpy(x, a, sizeof x);
	if (b)
		memcpy(y, b, sizeof y);
	for (int i = 0; i < 8; i++)
		acc |= x[i] ^ y[i];
	return acc == 0;
}

static uint64_t sim_search_hash_sparse(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t words = n / 8, i = 0;
	while (i < words) {
		if (i + 8 <= words && sim_search_block_same(b + i * 8, NULL)) {
			i += 8;
			continue;
		}
		uint64_t w;
		memcpy(&w, b + i * 8, 8);
		if (w)
			h = st_hash_u64(st_hash_u64(h, i), w);
		i++;
	}
	if (n % 8) {
		uint64_t w = 0;
		memcpy(&w, b + words * 8, n % 8);
		h = st_hash_u64(st_hash_u64(h, words), w);
	}
	return h;
}

static uint64_t sim_search_mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

static uint64_t sim_search_check_hash(const st_sim *s)
{
	return s->proto->check_size ? sim_search_hash_sparse(ST_HASH_INIT, s->check,
							     s->proto->check_size) : 0;
}

static uint64_t sim_fingerprint_with(const st_sim *s, uint64_t check_hash)
{
	uint64_t h = ST_HASH_INIT;
	for (int p = 0; p < s->np; p++) {
		h = sim_search_hash_sparse(st_hash_u64(h, (uint64_t)p << 8 | s->c.status[p]),
					   sim_state_of((st_sim *)s, p), sim_search_live(s, p));
		uint64_t pend = 0;
		for (int t = 0; t < ST_MAX_TIMERS; t++)
			pend |= (uint64_t)s->c.timer[p][t].pending << t;
		h = st_hash_u64(h, pend);
		h = st_hash_u64(h, s->c.blocked[p]);
	}
	for (int c = 0; c < s->nc; c++) {
		const sim_client *cl = &s->c.client[c];
		h = st_hash_u64(h, (uint64_t)cl->busy | (uint64_t)cl->npend << 1 |
				   (uint64_t)(uint32_t)cl->ops_started << 8);
		for (int k = 0; k < cl->npend; k++)
			h = st_hash_u64(st_hash_bytes(cl->pend[k].f, strlen(cl->pend[k].f)) ^ h,
					(uint64_t)cl->pend[k].value);
	}
	h = st_hash_u64(h, check_hash);
	/* in flight: a multiset, so the sum of each message's own mixed hash */
	uint64_t flight = 0;
	for (uint32_t i = 0; i < s->nslots; i++) {
		const slot_hdr *m = sim_search_slot(s, i);
		if (!(m->flags & SLOT_USED))
			continue;
		uint64_t mh = st_hash_u64(ST_HASH_INIT, (uint64_t)m->from | (uint64_t)m->to << 8 |
					  (uint64_t)m->type << 16 |
					  (uint64_t)(m->flags & (SLOT_LOST | SLOT_BLOCKED)) << 24);
		const uint8_t *body = (const uint8_t *)(m + 1) + (size_t)s->np * sizeof(uint32_t);
		flight += sim_search_mix(st_hash_add(mh, body, m->len));
	}
	/* automatic items still to come (starts, the schedule, the workload): which, not when */
	uint64_t autos = 0;
	for (uint32_t i = 0; i < s->nq; i++)
		if (s->q[i].type != Q_DELIVER && s->q[i].type != Q_TIMER)
			autos += sim_search_mix((uint64_t)s->q[i].type << 40 |
						(uint64_t)s->q[i].proc << 32 | s->q[i].arg);
	return st_hash_u64(st_hash_u64(h, flight), autos);
}

uint64_t sim_fingerprint(const st_sim *s)
{
	return sim_fingerprint_with(s, sim_search_check_hash(s));
}

struct sim_search_cache {
	uint8_t *check;
	size_t n;
	uint64_t hash;
};

sim_search_cache *sim_search_cache_new(const st_sim *s)
{
	sim_search_cache *c = st_zalloc(1, sizeof *c);
	c->n = s->proto->check_size;
	c->check = st_zalloc(c->n + 8, 1);
	return c;
}

void sim_search_cache_free(sim_search_cache *c)
{
	if (c)
		free(c->check);
	free(c);
}

void sim_search_cache_parent(sim_search_cache *c, const st_sim *s)
{
	memcpy(c->check, s->check, c->n);
	c->hash = sim_search_check_hash(s);
}

uint64_t sim_fingerprint_cached(const st_sim *s, sim_search_cache *c)
{
	bool same = memcmp(s->check, c->check, c->n) == 0;
	return sim_fingerprint_with(s, same ? c->hash : sim_search_check_hash(s));
}

/* ---- compact snapshots ----
 *
 * An encoding is a list of 8-byte words: the counts (queue, held, slots, free list), then for
 * the core, the vector clocks and the checker the runs of words that differ from the base
 * ((start << 32 | count), then the words; UINT64_MAX ends a region); for each process its live
 * length and the runs of its live bytes that differ from the base; then the queue, the held
 * items and the free list as raw words, and each slot's header with, for a slot in use, its
 * clocks and body. What a process or a free slot holds past its live part is never read, so it
 * is neither stored nor restored. */

struct sim_base {
	sim_core c;
	uint8_t *vc, *states, *check;
	size_t nvc, nstates, ncheck;
};

sim_base *sim_base_new(const st_sim *s)
{
	sim_base *b = st_zalloc(1, sizeof *b);
	b->c = s->c;
	b->nvc = (size_t)s->np * (size_t)s->np * sizeof *s->vc;
	b->nstates = (size_t)s->np * s->proto->state_size;
	b->ncheck = s->proto->check_size;
	b->vc = st_alloc(b->nvc + 8);
	b->states = st_alloc(b->nstates + 8);
	b->check = st_alloc(b->ncheck + 8);
	memcpy(b->vc, s->vc, b->nvc);
	memcpy(b->states, s->states, b->nstates);
	memcpy(b->check, s->check, b->ncheck);
	return b;
}

void sim_base_free(sim_base *b)
{
	if (!b)
		return;
	free(b->vc);
	free(b->states);
	free(b->check);
	free(b);
}

typedef struct {
	uint64_t *w;
	size_t n, cap;
} sim_words;

static uint64_t *sim_words_room(sim_words *o, size_t k)
{
	if (o->n + k > o->cap) {
		while (o->n + k > o->cap)
			o->cap = o->cap ? o->cap * 2 : 512;
		o->w = st_realloc(o->w, o->cap * sizeof *o->w);
	}
	uint64_t *at = o->w + o->n;
	o->n += k;
	return at;
}

static void sim_words_put(sim_words *o, uint64_t v) { *sim_words_room(o, 1) = v; }

/* Both p and ref hold n bytes, n a multiple of 8 (every region here is). */
static void sim_search_diff(sim_words *o, const uint8_t *p, const uint8_t *ref, size_t n)
{
	size_t words = n / 8, i = 0;
	while (i < words) {
		if (i + 8 <= words && sim_search_block_same(p + i * 8, ref + i * 8)) {
			i += 8;
			continue;
		}
		if (memcmp(p + i * 8, ref + i * 8, 8) == 0) {
			i++;
			continue;
		}
		/* a run ends at two equal words in a row: one equal word inside is cheaper
		 * carried than a new header */
		size_t start = i, end = i + 1;
		for (size_t k = i + 1; k < words && k < end + 2; k++)
			if (memcmp(p + k * 8, ref + k * 8, 8) != 0)
				end = k + 1;
		sim_words_put(o, (uint64_t)start << 32 | (uint64_t)(end - start));
		memcpy(sim_words_room(o, end - start), p + start * 8, (end - start) * 8);
		i = end;
	}
	sim_words_put(o, UINT64_MAX);
}

static const uint64_t *sim_search_patch(uint8_t *p, const uint64_t *in)
{
	for (;;) {
		uint64_t hdr = *in++;
		if (hdr == UINT64_MAX)
			return in;
		size_t start = (size_t)(hdr >> 32), count = (size_t)(hdr & 0xffffffffu);
		memcpy(p + start * 8, in, count * 8);
		in += count;
	}
}

static void sim_search_raw(sim_words *o, const void *p, size_t n)
{
	size_t w = (n + 7) / 8;
	if (!w)
		return;
	uint64_t *at = sim_words_room(o, w);
	at[w - 1] = 0;
	memcpy(at, p, n);
}

static const uint64_t *sim_search_unraw(void *p, size_t n, const uint64_t *in)
{
	if (n)
		memcpy(p, in, n);
	return in + (n + 7) / 8;
}

/* A slot's part that is stored: its header, and for one in use its clocks and body. */
static size_t sim_search_slot_bytes(const st_sim *s, const slot_hdr *h)
{
	if (!(h->flags & SLOT_USED))
		return sizeof *h;
	return sizeof *h + (size_t)s->np * sizeof(uint32_t) + h->len;
}

uint64_t *sim_encode(const st_sim *s, const sim_base *b, size_t *nwords)
{
	sim_words o = {0};
	sim_words_put(&o, (uint64_t)s->nq << 32 | s->nheld);
	sim_words_put(&o, (uint64_t)s->nslots << 32 | s->nfree);
	sim_search_diff(&o, (const uint8_t *)&s->c, (const uint8_t *)&b->c, sizeof s->c);
	sim_search_diff(&o, (const uint8_t *)s->vc, b->vc, b->nvc);
	sim_search_diff(&o, s->check, b->check, b->ncheck);
	size_t ss = s->proto->state_size;
	for (int p = 0; p < s->np; p++) {
		size_t live = sim_search_live(s, p);
		sim_words_put(&o, live);
		sim_search_diff(&o, s->states + (size_t)p * ss, b->states + (size_t)p * ss, live);
	}
	sim_search_raw(&o, s->q, (size_t)s->nq * sizeof *s->q);
	sim_search_raw(&o, s->held, (size_t)s->nheld * sizeof *s->held);
	sim_search_raw(&o, s->freel, (size_t)s->nfree * sizeof *s->freel);
	for (uint32_t i = 0; i < s->nslots; i++) {
		const slot_hdr *h = sim_search_slot(s, i);
		sim_search_raw(&o, h, sim_search_slot_bytes(s, h));
	}
	*nwords = o.n;
	return st_realloc(o.w, o.n * sizeof *o.w);
}

static const uint64_t *sim_search_skip_runs(const uint64_t *in)
{
	for (;;) {
		uint64_t hdr = *in++;
		if (hdr == UINT64_MAX)
			return in;
		in += hdr & 0xffffffffu;
	}
}

static void sim_decode_with(st_sim *s, const sim_base *b, const uint64_t *enc,
			    const sim_search_cache *c)
{
	uint32_t nq = (uint32_t)(enc[0] >> 32), nheld = (uint32_t)enc[0];
	uint32_t nslots = (uint32_t)(enc[1] >> 32), nfree = (uint32_t)enc[1];
	enc += 2;
	st_grow32(&s->q, &s->qcap, nq ? nq : 1, sizeof *s->q);
	st_grow32(&s->held, &s->heldcap, nheld ? nheld : 1, sizeof *s->held);
	if (nslots > s->nslots) {
		s->pool = st_realloc(s->pool, ((size_t)nslots ? nslots : 1) * s->slot_size);
		s->freel = st_realloc(s->freel, (nslots ? nslots : 1) * sizeof *s->freel);
	}
	s->c = b->c;
	enc = sim_search_patch((uint8_t *)&s->c, enc);
	memcpy(s->vc, b->vc, b->nvc);
	enc = sim_search_patch((uint8_t *)s->vc, enc);
	if (c) {
		/* the parent's checker memory is in the cache: copy it back only if changed */
		if (memcmp(s->check, c->check, c->n) != 0)
			memcpy(s->check, c->check, c->n);
		enc = sim_search_skip_runs(enc);
	} else {
		memcpy(s->check, b->check, b->ncheck);
		enc = sim_search_patch(s->check, enc);
	}
	size_t ss = s->proto->state_size;
	for (int p = 0; p < s->np; p++) {
		size_t live = (size_t)*enc++;
		uint8_t *st = s->states + (size_t)p * ss;
		memcpy(st, b->states + (size_t)p * ss, live);
		enc = sim_search_patch(st, enc);
	}
	s->nq = nq;
	s->nheld = nheld;
	s->nfree = nfree;
	enc = sim_search_unraw(s->q, (size_t)nq * sizeof *s->q, enc);
	enc = sim_search_unraw(s->held, (size_t)nheld * sizeof *s->held, enc);
	enc = sim_search_unraw(s->freel, (size_t)nfree * sizeof *s->freel, enc);
	/* the slot count exactly as it was (it decides where the next message goes); the
	 * memory may stay larger */
	s->nslots = nslots;
	for (uint32_t i = 0; i < nslots; i++) {
		slot_hdr *h = (slot_hdr *)(s->pool + (size_t)i * s->slot_size);
		memcpy(h, enc, sizeof *h);
		enc = sim_search_unraw(h, sim_search_slot_bytes(s, h), enc);
	}
	for (int q = 0; q < s->np; q++) {
		s->touched[q] = s->force_state[q] = false;
		s->state_ev[q] = s->trigger_ev[q] = TRACE_NONE;
		s->lbl[q].set = false;
	}
	s->depth = 0;
	sim_search_rebase_trace(s);
}

void sim_decode(st_sim *s, const sim_base *b, const uint64_t *enc)
{
	sim_decode_with(s, b, enc, NULL);
}

void sim_decode_cached(st_sim *s, const sim_base *b, const uint64_t *enc, sim_search_cache *c)
{
	sim_decode_with(s, b, enc, c);
}
