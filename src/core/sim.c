/* sim.c: the deterministic world (see sim.h).
 *
 * The shape of a step: pop the earliest queue item (time, then sequence number); run it; if it
 * produced no event (a timer cancelled since it was set, a delivery held by a paused process)
 * pop the next. Running means: append the triggering event with its clocks, hand it to the
 * protocol, which may send, set timers, label the event or record local steps through its
 * context; then record the state of every process the step touched (only when it changed),
 * run the invariant check, and tell the trace the step is done.
 *
 * All mutable state is in `c` (plain data) and a few arrays of plain data, so a snapshot is a
 * copy. Messages in flight live in a slot pool with their body and the sender's clocks, so the
 * world never reads the trace back: the trace is a record, not a dependency. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "sim.h"

enum { Q_START = 1, Q_DELIVER, Q_TIMER, Q_SCHED, Q_CLIENT, Q_FAULT };
enum { FA_DECIDE = 0, FA_HEAL, FA_RESTART, FA_LOSS_END, FA_DUP_END, FA_RESUME };

typedef struct {
	int64_t t_us;
	uint64_t seq;
	uint32_t arg;       /* slot, schedule index, timer generation, fault target */
	uint16_t aux;       /* timer index, slot generation, fault action */
	uint8_t type;
	uint8_t proc;
} qitem;

enum { SLOT_USED = 1, SLOT_LOST = 2, SLOT_BLOCKED = 4 };
typedef struct {
	uint32_t msg;
	uint32_t lamport;
	int64_t send_us, deliver_us;
	uint16_t len, gen;
	uint8_t from, to, type, flags;
	/* followed by uint32_t vc[nprocs], then the body */
} slot_hdr;

#define CLIENT_QUEUE 8
typedef struct {
	uint32_t gen;
	bool pending;
	int64_t set_us, fire_us;
} sim_timer_t;

typedef struct {
	bool busy;
	st_op cur;              /* the operation in progress while busy */
	int ops_done, ops_started;
	int64_t next_value;
	int npend;
	st_op pend[CLIENT_QUEUE];
	uint8_t pend_by[CLIENT_QUEUE];
} sim_client;

/* Everything the world is, apart from the arrays below. */
typedef struct {
	int64_t now_us;
	uint64_t seq, steps;
	st_rng rng;
	double loss, dup;
	int64_t lat_lo, lat_hi;
	uint32_t blocked[ST_MAX_PROCS];   /* bit b of blocked[a]: a -> b is cut */
	int8_t group[ST_MAX_PROCS];
	int ngroups;
	uint32_t next_msg, next_ev;
	uint8_t status[ST_MAX_PROCS];
	uint32_t lamport[ST_MAX_PROCS];
	uint64_t state_hash[ST_MAX_PROCS];
	int64_t skew_us[ST_MAX_PROCS];      /* local clocks: offset at t = 0 ... */
	int32_t drift_ppm[ST_MAX_PROCS];    /* ... and rate error, from the scenario or the user */
	sim_timer_t timer[ST_MAX_PROCS][ST_MAX_TIMERS];
	sim_client client[SC_MAX_CLIENTS];
	bool violated;
	bool manual;
	uint32_t viol_ev;
	st_violation viol;
} sim_core;

struct st_sim {
	const st_scenario *sc;
	const st_protocol *proto;
	st_trace *tr;
	sim_opts o;
	int np, nn, nc;
	sim_core c;
	uint32_t *vc;           /* np * np */
	uint8_t *states;        /* np * state_size */
	uint8_t *check;         /* check_size */
	qitem *q; uint32_t nq, qcap;
	qitem *held; uint32_t nheld, heldcap;
	uint8_t *pool; uint32_t nslots, slot_size;
	uint32_t *freel; uint32_t nfree;

	/* transient: the step being run */
	st_ctx ctx[ST_MAX_PROCS];
	uint32_t trigger_ev[ST_MAX_PROCS];  /* the event being handled: labels go here */
	uint32_t state_ev[ST_MAX_PROCS];    /* where a touched process's state goes */
	bool touched[ST_MAX_PROCS], force_state[ST_MAX_PROCS];
	int depth;
	bool op_start;          /* the next event begins a step or an action */
	uint8_t *scratch;
	const void *view_states[ST_MAX_PROCS];
	bool view_up[ST_MAX_PROCS];
};

static const struct st_ctx_ops sim_ctx_ops;

static void *sim_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q) {
		fprintf(stderr, "spacetime: out of memory (simulator)\n");
		exit(1);
	}
	return q;
}

/* ---- the queue: a binary heap on (t_us, seq) ---- */

static bool q_less(const qitem *a, const qitem *b)
{
	return a->t_us < b->t_us || (a->t_us == b->t_us && a->seq < b->seq);
}

static void q_push(st_sim *s, int64_t t_us, int type, int proc, uint16_t aux, uint32_t arg)
{
	if (s->nq == s->qcap) {
		s->qcap = s->qcap ? s->qcap * 2 : 64;
		s->q = sim_xrealloc(s->q, s->qcap * sizeof *s->q);
	}
	qitem it = {t_us, s->c.seq++, arg, aux, (uint8_t)type, (uint8_t)proc};
	uint32_t i = s->nq++;
	while (i > 0) {
		uint32_t parent = (i - 1) / 2;
		if (!q_less(&it, &s->q[parent]))
			break;
		s->q[i] = s->q[parent];
		i = parent;
	}
	s->q[i] = it;
}

/* Put `it` at hole i and move it up or down until the heap holds again. */
static void q_place(st_sim *s, uint32_t i, qitem it)
{
	while (i > 0 && q_less(&it, &s->q[(i - 1) / 2])) {
		s->q[i] = s->q[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = i;
		const qitem *best = &it;
		if (l < s->nq && q_less(&s->q[l], best)) {
			m = l;
			best = &s->q[l];
		}
		if (r < s->nq && q_less(&s->q[r], best))
			m = r;
		if (m == i)
			break;
		s->q[i] = s->q[m];
		i = m;
	}
	s->q[i] = it;
}

/* Remove the item at index i (the last one fills its hole). */
static void q_remove_at(st_sim *s, uint32_t i)
{
	qitem last = s->q[--s->nq];
	if (i < s->nq)
		q_place(s, i, last);
}

static qitem q_pop(st_sim *s)
{
	qitem top = s->q[0];
	q_remove_at(s, 0);
	return top;
}

/* Manual mode: the earliest item that is neither a delivery nor a timer (those wait to be
 * chosen). A linear scan: manual mode is driven by a person, one choice at a time. */
static bool q_pop_automatic(st_sim *s, qitem *out)
{
	uint32_t best = UINT32_MAX;
	for (uint32_t i = 0; i < s->nq; i++) {
		if (s->q[i].type == Q_DELIVER || s->q[i].type == Q_TIMER)
			continue;
		if (best == UINT32_MAX || q_less(&s->q[i], &s->q[best]))
			best = i;
	}
	if (best == UINT32_MAX)
		return false;
	*out = s->q[best];
	q_remove_at(s, best);
	return true;
}

/* ---- the slot pool of messages in flight ---- */

static slot_hdr *slot_at(const st_sim *s, uint32_t i)
{
	return (slot_hdr *)(s->pool + (size_t)i * s->slot_size);
}
static uint32_t *slot_vc(const st_sim *s, slot_hdr *h) { (void)s; return (uint32_t *)(h + 1); }
static uint8_t *slot_body(const st_sim *s, slot_hdr *h)
{
	return (uint8_t *)(h + 1) + (size_t)s->np * sizeof(uint32_t);
}

static uint32_t slot_alloc(st_sim *s)
{
	if (s->nfree == 0) {
		uint32_t old = s->nslots, grow = old ? old : 16;
		s->nslots += grow;
		s->pool = sim_xrealloc(s->pool, (size_t)s->nslots * s->slot_size);
		memset(s->pool + (size_t)old * s->slot_size, 0, (size_t)grow * s->slot_size);
		s->freel = sim_xrealloc(s->freel, s->nslots * sizeof *s->freel);
		for (uint32_t i = s->nslots; i > old; i--)
			s->freel[s->nfree++] = i - 1;
	}
	uint32_t i = s->freel[--s->nfree];
	slot_hdr *h = slot_at(s, i);
	h->flags = SLOT_USED;
	return i;
}

static void slot_free(st_sim *s, uint32_t i)
{
	slot_hdr *h = slot_at(s, i);
	h->flags = 0;
	h->gen++;
	s->freel[s->nfree++] = i;
}

/* ---- recording ---- */

static bool sim_replaying(const st_sim *s) { return s->c.next_ev < trace_count(s->tr); }

/* Append an event (process events get their clocks here) and return its id. While
 * re-executing a recorded past the event exists already and is left as it is. */
static uint32_t sim_emit(st_sim *s, int kind, int p, uint32_t ref, st_by by, int aux)
{
	uint32_t id = s->c.next_ev++;
	uint32_t *vc = NULL;
	if (id < trace_count(s->tr))
		s->op_start = false;
	if (p >= 0) {
		s->c.lamport[p]++;
		vc = &s->vc[(size_t)p * (size_t)s->np];
		vc[p]++;
	}
	if (id < trace_count(s->tr))
		return id;
	st_event e;
	memset(&e, 0, sizeof e);
	e.t_us = s->c.now_us;
	e.kind = (uint8_t)kind;
	e.proc = p >= 0 ? (uint8_t)p : TRACE_WORLD;
	e.lamport = p >= 0 ? s->c.lamport[p] : 0;
	e.ref = ref;
	e.body = TRACE_NONE;
	e.state = TRACE_NONE;
	e.by = (uint8_t)by;
	e.aux = (uint8_t)aux;
	if (s->op_start) {
		e.flags = EVF_STEP;
		s->op_start = false;
	}
	return trace_append(s->tr, &e, vc);
}

static st_event *sim_ev(st_sim *s, uint32_t id)
{
	return id >= s->tr->base && id < trace_count(s->tr) ? trace_at(s->tr, id) : NULL;
}

static void sim_set_body(st_sim *s, uint32_t id, const st_kv *kv, int n)
{
	if (id + 1 != trace_count(s->tr) || sim_replaying(s))
		return;  /* only the event just appended takes a body */
	trace_at(s->tr, id)->body = trace_kv_from_list(s->tr, kv, n);
}

static void sim_touch(st_sim *s, int p, uint32_t ev, bool force)
{
	s->touched[p] = true;
	s->trigger_ev[p] = ev;
	s->state_ev[p] = ev;
	if (force)
		s->force_state[p] = true;
}

static uint64_t sim_hash_kv(const st_kvrec *r, uint32_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t x[3] = {r[i].key, r[i].type, (uint64_t)r[i].v};
		for (int j = 0; j < 3; j++)
			h = (h ^ x[j]) * 1099511628211ULL;
	}
	return h;
}

/* The state sink: describe() writes straight into the trace's kv arena; if nothing changed
 * the records are taken back. */
typedef struct { st_trace *t; uint32_t list; } rec_sink;
static void rec_int(st_sink *k, const char *key, int64_t v)
{ rec_sink *r = k->user; trace_kv_add(r->t, r->list, key, ST_V_INT, v, NULL); }
static void rec_str(st_sink *k, const char *key, const char *v)
{ rec_sink *r = k->user; trace_kv_add(r->t, r->list, key, ST_V_STR, 0, v); }
static void rec_proc(st_sink *k, const char *key, int p)
{ rec_sink *r = k->user; trace_kv_add(r->t, r->list, key, ST_V_PROC, p, NULL); }
static void rec_bool(st_sink *k, const char *key, bool v)
{ rec_sink *r = k->user; trace_kv_add(r->t, r->list, key, ST_V_BOOL, v, NULL); }
static void rec_begin(st_sink *k, const char *key, bool array) { (void)k; (void)key; (void)array; }
static void rec_end(st_sink *k) { (void)k; }

static void sim_record_state(st_sim *s, int p)
{
	st_trace *t = s->tr;
	uint32_t ev = s->state_ev[p];
	st_event *e = sim_ev(s, ev);
	if (!e || ev < t->step_first)
		return;  /* replaying: the recorded event already has what it had */
	uint32_t mark = t->nkv;
	rec_sink r = {t, trace_kv_begin(t)};
	st_sink k = {rec_int, rec_str, rec_proc, rec_bool, rec_begin, rec_end, &r};
	s->proto->describe(s->states + (size_t)p * s->proto->state_size,
			   p < s->nn ? ST_ROLE_NODE : ST_ROLE_CLIENT, &k);
	uint64_t h = sim_hash_kv(trace_kv_items(t, r.list), trace_kv_count(t, r.list));
	if (h == s->c.state_hash[p] && !s->force_state[p]) {
		t->nkv = mark;
		return;
	}
	s->c.state_hash[p] = h;
	e->state = r.list;
}

/* Keep the state hash current while re-executing, without writing. */
static void sim_rehash_state(st_sim *s, int p)
{
	st_trace *t = s->tr;
	uint32_t mark = t->nkv;
	rec_sink r = {t, trace_kv_begin(t)};
	st_sink k = {rec_int, rec_str, rec_proc, rec_bool, rec_begin, rec_end, &r};
	s->proto->describe(s->states + (size_t)p * s->proto->state_size,
			   p < s->nn ? ST_ROLE_NODE : ST_ROLE_CLIENT, &k);
	s->c.state_hash[p] = sim_hash_kv(trace_kv_items(t, r.list), trace_kv_count(t, r.list));
	t->nkv = mark;
}

static void sim_begin(st_sim *s)
{
	if (s->depth++ == 0)
		s->op_start = true;
}

/* The end of a step or of an action: states, invariants, and the trace is told. */
static void sim_end(st_sim *s)
{
	if (--s->depth > 0)
		return;
	s->op_start = false;
	for (int p = 0; p < s->np; p++) {
		if (!s->touched[p])
			continue;
		if (s->c.next_ev <= trace_count(s->tr) && sim_ev(s, s->state_ev[p]) &&
		    s->state_ev[p] >= s->tr->step_first)
			sim_record_state(s, p);
		else
			sim_rehash_state(s, p);
		s->touched[p] = s->force_state[p] = false;
	}
	if (s->o.check && s->proto->check && !s->c.violated) {
		st_view v = {s->np, s->nn, s->nc, s->view_states, s->view_up, s->c.now_us};
		for (int p = 0; p < s->np; p++)
			s->view_up[p] = s->c.status[p] != PROC_CRASHED;
		if (!s->proto->check(s->check, s->sc->params, &v, &s->c.viol)) {
			s->c.violated = true;
			s->c.viol_ev = s->c.next_ev ? s->c.next_ev - 1 : 0;
		}
	}
	if (!sim_replaying(s))
		trace_step_done(s->tr);
	else
		s->tr->step_first = trace_count(s->tr);
}

/* ---- the protocol's context ---- */

static st_sim *ctx_sim(st_ctx *c) { return c->impl; }
static void *sim_state_of(st_sim *s, int p) { return s->states + (size_t)p * s->proto->state_size; }

static void sim_fatal_protocol(st_sim *s, const char *what)
{
	fprintf(stderr, "spacetime: protocol %s: %s\n", s->proto->name, what);
	abort();
}

static bool sim_is_blocked(const st_sim *s, int from, int to)
{
	return (s->c.blocked[from] >> to) & 1u;
}

static void sim_queue_delivery(st_sim *s, uint32_t slot, int64_t delay_us)
{
	slot_hdr *h = slot_at(s, slot);
	h->deliver_us = s->c.now_us + delay_us;
	q_push(s, h->deliver_us, Q_DELIVER, h->to, h->gen, slot);
}

static uint32_t sim_copy_slot(st_sim *s, uint32_t from_slot)
{
	uint32_t n = slot_alloc(s);
	slot_hdr *a = slot_at(s, from_slot), *b = slot_at(s, n);
	uint16_t gen = b->gen;
	memcpy(b, a, s->slot_size);
	b->gen = gen;
	b->flags = SLOT_USED;
	return n;
}

static void sim_msg_pending(st_sim *s, uint32_t msg, int delta)
{
	if (msg >= s->tr->msg_base && msg < s->tr->msg_base + s->tr->nmsg && !sim_replaying(s))
		trace_msg(s->tr, msg)->pending = (uint8_t)(trace_msg(s->tr, msg)->pending + delta);
}

static void ctx_send(st_ctx *c, int to, int type, const void *body, size_t len)
{
	st_sim *s = ctx_sim(c);
	if (to < 0 || to >= s->np || type < 0 || type >= s->proto->n_msg_types ||
	    len > s->proto->max_msg_size)
		sim_fatal_protocol(s, "send() with a bad destination, type or size");
	uint32_t msg = s->c.next_msg++;
	uint32_t ev = sim_emit(s, KIND_SEND, c->self, msg, BY_NONE, 0);
	if (msg >= s->tr->msg_base + s->tr->nmsg)
		trace_add_msg(s->tr, ev, c->self, to, type, body, len);
	uint32_t slot = slot_alloc(s);
	slot_hdr *h = slot_at(s, slot);
	h->msg = msg;
	h->lamport = s->c.lamport[c->self];
	h->send_us = s->c.now_us;
	h->len = (uint16_t)len;
	h->from = (uint8_t)c->self;
	h->to = (uint8_t)to;
	h->type = (uint8_t)type;
	memcpy(slot_vc(s, h), &s->vc[(size_t)c->self * (size_t)s->np], (size_t)s->np * 4);
	if (len)
		memcpy(slot_body(s, h), body, len);
	/* The draws happen in a fixed order, so the run is a function of the seed. */
	int64_t lat = rng_range(&s->c.rng, s->c.lat_lo, s->c.lat_hi);
	if (rng_chance(&s->c.rng, s->c.loss))
		h->flags |= SLOT_LOST;
	if (sim_is_blocked(s, c->self, to))
		h->flags |= SLOT_BLOCKED;
	bool dup = rng_chance(&s->c.rng, s->c.dup);
	sim_queue_delivery(s, slot, lat);
	sim_msg_pending(s, msg, 1);
	if (dup) {
		uint32_t d = sim_copy_slot(s, slot);
		slot_at(s, d)->flags &= (uint8_t)~SLOT_LOST;
		sim_queue_delivery(s, d, rng_range(&s->c.rng, s->c.lat_lo, s->c.lat_hi));
		sim_msg_pending(s, msg, 1);
	}
}

static void ctx_set_timer(st_ctx *c, int timer, int64_t delay_us)
{
	st_sim *s = ctx_sim(c);
	if (timer < 0 || timer >= s->proto->n_timers || timer >= ST_MAX_TIMERS || delay_us < 0)
		sim_fatal_protocol(s, "set_timer() with a bad timer or delay");
	sim_timer_t *tm = &s->c.timer[c->self][timer];
	tm->gen++;
	tm->pending = true;
	tm->set_us = s->c.now_us;
	tm->fire_us = s->c.now_us + delay_us;
	q_push(s, tm->fire_us, Q_TIMER, c->self, (uint16_t)timer, tm->gen);
}

static void ctx_cancel_timer(st_ctx *c, int timer)
{
	st_sim *s = ctx_sim(c);
	if (timer < 0 || timer >= s->proto->n_timers || timer >= ST_MAX_TIMERS)
		sim_fatal_protocol(s, "cancel_timer() with a bad timer");
	s->c.timer[c->self][timer].gen++;
	s->c.timer[c->self][timer].pending = false;
}

static void sim_label_event(st_sim *s, uint32_t id, const char *label, const char *note,
			    int flags)
{
	st_event *e = sim_ev(s, id);
	if (!e || id < s->tr->step_first)
		return;
	if (label)
		e->label = trace_intern(s->tr, label);
	if (note)
		e->note = trace_intern(s->tr, note);
	if (flags & ST_LABEL_MILESTONE)
		e->flags |= EVF_MILESTONE;
}

static void ctx_local(st_ctx *c, const char *label, const char *note, const st_kv *body,
		      int nbody, int flags)
{
	st_sim *s = ctx_sim(c);
	uint32_t id = sim_emit(s, KIND_LOCAL, c->self, 0, BY_NONE, 0);
	sim_label_event(s, id, label, note, flags);
	if (body && nbody > 0)
		sim_set_body(s, id, body, nbody);
	s->touched[c->self] = true;
}

static void ctx_label(st_ctx *c, const char *label, const char *note, int flags)
{
	st_sim *s = ctx_sim(c);
	uint32_t id = s->trigger_ev[c->self];
	st_event *e = sim_ev(s, id);
	/* A timer event's label is the timer's name; what the protocol makes of it is a local
	 * step of its own, so neither is lost, and the state change shows on that step. */
	if (e && e->kind == KIND_TIMER && label) {
		ctx_local(c, label, note, NULL, 0, flags);
		s->state_ev[c->self] = s->c.next_ev - 1;
		s->trigger_ev[c->self] = s->c.next_ev - 1;
		return;
	}
	if (!e && sim_replaying(s)) {
		return;
	}
	sim_label_event(s, id, label, note, flags);
}

static uint64_t ctx_random(st_ctx *c) { return rng_next(&ctx_sim(c)->c.rng); }

int64_t sim_local_clock_us(const st_sim *s, int p)
{
	int64_t t = s->c.now_us;
	return t + s->c.skew_us[p] + t / 1000000 * s->c.drift_ppm[p] +
	       (t % 1000000) * s->c.drift_ppm[p] / 1000000;
}

static int64_t ctx_now_us(st_ctx *c) { return sim_local_clock_us(ctx_sim(c), c->self); }

static void sim_client_next(st_sim *s, int p, int64_t delay_us)
{
	q_push(s, s->c.now_us + delay_us, Q_CLIENT, p, 0, 0);
}

static void ctx_complete(st_ctx *c, const st_op *op, st_optype type)
{
	st_sim *s = ctx_sim(c);
	if (c->role != ST_ROLE_CLIENT)
		sim_fatal_protocol(s, "complete() from a node");
	sim_client *cl = &s->c.client[c->self - s->nn];
	if (!cl->busy)
		return;  /* a late second answer: the op is already complete */
	uint32_t id = sim_emit(s, KIND_COMPLETE, c->self, op->invoke, BY_NONE, type);
	st_kv body[2] = {{"f", ST_V_STR, 0, op->f}, {"value", ST_V_INT, op->value, NULL}};
	if (!op->has_value)
		body[1].type = ST_V_NULL;
	sim_set_body(s, id, body, 2);
	sim_touch(s, c->self, id, false);
	cl->busy = false;
	cl->ops_done++;
	if (cl->npend > 0)
		sim_client_next(s, c->self, 0);
	else if (cl->ops_started < s->sc->workload_ops)
		sim_client_next(s, c->self, rng_range(&s->c.rng, s->sc->think_lo_us,
						       s->sc->think_hi_us));
}

static const struct st_ctx_ops sim_ctx_ops = {
	ctx_send, ctx_set_timer, ctx_cancel_timer, ctx_label, ctx_local, ctx_random, ctx_now_us,
	ctx_complete,
};

/* ---- what queue items do; each returns true when it produced an event ---- */

static void sim_invoke(st_sim *s, int p, st_op op, st_by by)
{
	sim_client *cl = &s->c.client[p - s->nn];
	uint32_t id = sim_emit(s, KIND_INVOKE, p, 0, by, 0);
	st_kv body[2] = {{"f", ST_V_STR, 0, op.f}, {"value", ST_V_INT, op.value, NULL}};
	if (!op.has_value)
		body[1].type = ST_V_NULL;
	sim_set_body(s, id, body, 2);
	op.invoke = id;
	cl->busy = true;
	cl->cur = op;
	sim_touch(s, p, id, false);
	s->proto->on_client(&s->ctx[p], sim_state_of(s, p), &op);
}

static bool run_client(st_sim *s, const qitem *it)
{
	int p = it->proc;
	sim_client *cl = &s->c.client[p - s->nn];
	if (cl->busy || s->c.status[p] == PROC_CRASHED)
		return false;
	if (cl->npend > 0) {
		st_op op = cl->pend[0];
		st_by by = cl->pend_by[0];
		memmove(cl->pend, cl->pend + 1, (size_t)(cl->npend - 1) * sizeof cl->pend[0]);
		memmove(cl->pend_by, cl->pend_by + 1, (size_t)(cl->npend - 1));
		cl->npend--;
		sim_invoke(s, p, op, by);
		return true;
	}
	if (cl->ops_started >= s->sc->workload_ops)
		return false;
	cl->ops_started++;
	st_op op;
	memset(&op, 0, sizeof op);
	snprintf(op.f, sizeof op.f, "%s", s->sc->workload_f);
	op.value = ++cl->next_value;
	op.has_value = true;
	op.node = -1;
	sim_invoke(s, p, op, BY_NONE);
	return true;
}

static bool run_start(st_sim *s, const qitem *it)
{
	int p = it->proc;
	uint32_t id = sim_emit(s, KIND_START, p, 0, BY_NONE, 0);
	sim_touch(s, p, id, true);
	s->proto->init(&s->ctx[p], sim_state_of(s, p), s->sc->params);
	return true;
}

static void sim_hold(st_sim *s, const qitem *it)
{
	if (s->nheld == s->heldcap) {
		s->heldcap = s->heldcap ? s->heldcap * 2 : 16;
		s->held = sim_xrealloc(s->held, s->heldcap * sizeof *s->held);
	}
	s->held[s->nheld++] = *it;
}

static uint32_t sim_drop(st_sim *s, uint32_t msg, st_drop_reason why, st_by by)
{
	uint32_t id = sim_emit(s, KIND_DROP, -1, msg, by, why);
	if (msg >= s->tr->msg_base && msg < s->tr->msg_base + s->tr->nmsg && !sim_replaying(s) &&
	    id + 1 == trace_count(s->tr)) {
		st_msgrec *m = trace_msg(s->tr, msg);
		if (m->end_ev == TRACE_NONE)
			m->end_ev = id;
	}
	sim_msg_pending(s, msg, -1);
	return id;
}

static bool run_deliver(st_sim *s, const qitem *it)
{
	uint32_t slot = it->arg;
	slot_hdr *h = slot_at(s, slot);
	if (!(h->flags & SLOT_USED) || h->gen != it->aux)
		return false;  /* dropped, delivered or rescheduled since */
	int to = h->to, from = h->from;
	uint32_t msg = h->msg;
	if (h->flags & SLOT_LOST) {
		sim_drop(s, msg, DROP_LOSS, BY_NONE);
	} else if ((h->flags & SLOT_BLOCKED) || sim_is_blocked(s, from, to)) {
		sim_drop(s, msg, DROP_PARTITION, BY_NONE);
	} else if (s->c.status[to] == PROC_CRASHED) {
		sim_drop(s, msg, DROP_CRASHED, BY_NONE);
	} else if (s->c.status[to] == PROC_PAUSED) {
		sim_hold(s, it);
		return false;
	} else {
		/* Merge the sender's clocks, then count the receive. */
		uint32_t *vc = &s->vc[(size_t)to * (size_t)s->np], *svc = slot_vc(s, h);
		for (int i = 0; i < s->np; i++)
			if (svc[i] > vc[i])
				vc[i] = svc[i];
		if (h->lamport > s->c.lamport[to])
			s->c.lamport[to] = h->lamport;
		uint32_t id = sim_emit(s, KIND_RECV, to, msg, BY_NONE, 0);
		if (msg >= s->tr->msg_base && msg < s->tr->msg_base + s->tr->nmsg &&
		    id + 1 == trace_count(s->tr) && !sim_replaying(s)) {
			st_msgrec *m = trace_msg(s->tr, msg);
			if (m->end_ev == TRACE_NONE)
				m->end_ev = id;
		}
		sim_msg_pending(s, msg, -1);
		memcpy(s->scratch, slot_body(s, h), h->len);
		st_msg m = {from, to, h->type, s->scratch, h->len};
		slot_free(s, slot);
		sim_touch(s, to, id, false);
		s->proto->on_message(&s->ctx[to], sim_state_of(s, to), &m);
		return true;
	}
	slot_free(s, slot);
	return true;
}

static bool run_timer(st_sim *s, const qitem *it)
{
	int p = it->proc, timer = it->aux;
	sim_timer_t *tm = &s->c.timer[p][timer];
	if (tm->gen != it->arg || !tm->pending || s->c.status[p] == PROC_CRASHED)
		return false;
	if (s->c.status[p] == PROC_PAUSED) {
		sim_hold(s, it);
		return false;
	}
	tm->pending = false;
	uint32_t id = sim_emit(s, KIND_TIMER, p, (uint32_t)timer, BY_NONE, 0);
	sim_label_event(s, id, s->proto->timer_names[timer], NULL, 0);
	sim_touch(s, p, id, false);
	s->proto->on_timer(&s->ctx[p], sim_state_of(s, p), timer);
	return true;
}

/* Scheduled actions, one entry per sc_action. */
typedef void (*sched_fn)(st_sim *s, const sc_item *it);
static void sched_partition(st_sim *s, const sc_item *it)
{ sim_partition(s, it->group, it->ngroups, BY_SCHEDULE); }
static void sched_heal(st_sim *s, const sc_item *it) { (void)it; sim_heal(s, BY_SCHEDULE); }
static void sched_crash(st_sim *s, const sc_item *it) { sim_crash(s, it->proc, BY_SCHEDULE); }
static void sched_restart(st_sim *s, const sc_item *it) { sim_restart(s, it->proc, BY_SCHEDULE); }
static void sched_pause(st_sim *s, const sc_item *it) { sim_pause(s, it->proc, BY_SCHEDULE); }
static void sched_resume(st_sim *s, const sc_item *it) { sim_resume(s, it->proc, BY_SCHEDULE); }
static void sched_request(st_sim *s, const sc_item *it)
{
	st_op op = it->op;
	op.node = it->node;
	sim_request(s, it->proc, &op, BY_SCHEDULE);
}
static void sched_loss(st_sim *s, const sc_item *it) { sim_set_loss(s, it->rate, BY_SCHEDULE); }
static void sched_dup(st_sim *s, const sc_item *it) { sim_set_duplicate(s, it->rate, BY_SCHEDULE); }
static void sched_latency(st_sim *s, const sc_item *it)
{ sim_set_latency(s, it->lo_us, it->hi_us, BY_SCHEDULE); }

static const sched_fn sched_table[DO__COUNT] = {
	[DO_PARTITION] = sched_partition, [DO_HEAL] = sched_heal, [DO_CRASH] = sched_crash,
	[DO_RESTART] = sched_restart, [DO_PAUSE] = sched_pause, [DO_RESUME] = sched_resume,
	[DO_REQUEST] = sched_request, [DO_LOSS] = sched_loss, [DO_DUPLICATE] = sched_dup,
	[DO_LATENCY] = sched_latency,
};

static bool run_sched(st_sim *s, const qitem *it)
{
	uint32_t before = s->c.next_ev;
	const sc_item *si = &s->sc->schedule[it->arg];
	if (si->action > 0 && si->action < DO__COUNT && sched_table[si->action])
		sched_table[si->action](s, si);
	return s->c.next_ev != before;
}

/* ---- random faults (the nemesis of --explore), drawn from the world's PRNG ---- */

static int sim_pick_node(st_sim *s, int want_status)
{
	int cand[ST_MAX_PROCS], n = 0;
	for (int p = 0; p < s->nn; p++)
		if (s->c.status[p] == want_status)
			cand[n++] = p;
	return n ? cand[rng_range(&s->c.rng, 0, n - 1)] : -1;
}

static bool run_fault(st_sim *s, const qitem *it)
{
	uint32_t before = s->c.next_ev;
	int64_t later = rng_range(&s->c.rng, 200000, 3000000);
	switch (it->aux) {
	case FA_DECIDE: {
		int kinds[5], nk = 0;
		static const int all[5] = {FAULT_PARTITION, FAULT_CRASH, FAULT_LOSS, FAULT_DUP,
					   FAULT_PAUSE};
		for (int i = 0; i < 5; i++)
			if (s->o.faults & all[i])
				kinds[nk++] = all[i];
		int k = kinds[rng_range(&s->c.rng, 0, nk - 1)];
		if (k == FAULT_PARTITION && s->nn > 1) {
			int8_t g[ST_MAX_PROCS];
			memset(g, -1, sizeof g);
			int side[2] = {0, 0};
			for (int p = 0; p < s->nn; p++)
				side[g[p] = (int8_t)rng_range(&s->c.rng, 0, 1)]++;
			/* a split that leaves one side empty cuts nothing: move one node over */
			if (!side[0] || !side[1]) {
				int p = (int)rng_range(&s->c.rng, 0, s->nn - 1);
				g[p] = (int8_t)!g[p];
			}
			/* clients (in no group) reach both sides, as a client library would */
			sim_partition(s, g, 2, BY_SCHEDULE);
			q_push(s, s->c.now_us + later, Q_FAULT, 0, FA_HEAL, 0);
		} else if (k == FAULT_CRASH) {
			int p = sim_pick_node(s, PROC_UP);
			if (p >= 0) {
				sim_crash(s, p, BY_SCHEDULE);
				q_push(s, s->c.now_us + later, Q_FAULT, p, FA_RESTART, 0);
			}
		} else if (k == FAULT_PAUSE) {
			int p = sim_pick_node(s, PROC_UP);
			if (p >= 0) {
				sim_pause(s, p, BY_SCHEDULE);
				q_push(s, s->c.now_us + later, Q_FAULT, p, FA_RESUME, 0);
			}
		} else if (k == FAULT_LOSS) {
			sim_set_loss(s, rng_range(&s->c.rng, 5, 40) / 100.0, BY_SCHEDULE);
			q_push(s, s->c.now_us + later, Q_FAULT, 0, FA_LOSS_END, 0);
		} else if (k == FAULT_DUP) {
			sim_set_duplicate(s, rng_range(&s->c.rng, 5, 30) / 100.0, BY_SCHEDULE);
			q_push(s, s->c.now_us + later, Q_FAULT, 0, FA_DUP_END, 0);
		}
		q_push(s, s->c.now_us + rng_range(&s->c.rng, 100000, 1500000), Q_FAULT, 0,
		       FA_DECIDE, 0);
		break;
	}
	case FA_HEAL: sim_heal(s, BY_SCHEDULE); break;
	case FA_RESTART: sim_restart(s, it->proc, BY_SCHEDULE); break;
	case FA_RESUME: sim_resume(s, it->proc, BY_SCHEDULE); break;
	case FA_LOSS_END: sim_set_loss(s, s->sc->loss, BY_SCHEDULE); break;
	case FA_DUP_END: sim_set_duplicate(s, s->sc->duplicate, BY_SCHEDULE); break;
	}
	return s->c.next_ev != before;
}

typedef bool (*run_fn)(st_sim *s, const qitem *it);
static const run_fn run_table[] = {
	[Q_START] = run_start, [Q_DELIVER] = run_deliver, [Q_TIMER] = run_timer,
	[Q_SCHED] = run_sched, [Q_CLIENT] = run_client, [Q_FAULT] = run_fault,
};

/* ---- public ---- */

static const struct { const char *name; int bit; } fault_names[] = {
	{"partition", FAULT_PARTITION}, {"crash", FAULT_CRASH}, {"loss", FAULT_LOSS},
	{"dup", FAULT_DUP}, {"pause", FAULT_PAUSE},
};
#define NFAULT_NAMES ((int)(sizeof fault_names / sizeof fault_names[0]))

int sim_parse_faults(const char *str, char *err, size_t errlen)
{
	int mask = 0;
	const char *p = str;
	while (*p) {
		size_t n = strcspn(p, ",");
		int found = 0;
		for (int i = 0; i < NFAULT_NAMES; i++)
			if (strlen(fault_names[i].name) == n && strncmp(p, fault_names[i].name, n) == 0)
				found = fault_names[i].bit;
		if (!found) {
			snprintf(err, errlen,
				 "--faults: unknown fault '%.*s'; expected a comma-separated list of "
				 "partition, crash, loss, dup, pause", (int)n, p);
			return -1;
		}
		mask |= found;
		p += n;
		if (*p == ',')
			p++;
	}
	return mask;
}

void sim_faults_string(int mask, char *out, size_t outlen)
{
	size_t at = 0;
	out[0] = 0;
	for (int i = 0; i < NFAULT_NAMES; i++)
		if (mask & fault_names[i].bit)
			at += (size_t)snprintf(out + at, at < outlen ? outlen - at : 0, "%s%s",
					       at ? "," : "", fault_names[i].name);
}

st_sim *sim_new(const st_scenario *sc, const sim_opts *o, st_trace *trace)
{
	st_sim *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->sc = sc;
	s->proto = sc->protocol;
	s->tr = trace;
	s->o = *o;
	s->nn = sc->nnodes;
	s->nc = sc->nclients;
	s->np = sc->nnodes + sc->nclients;
	rng_seed(&s->c.rng, o->seed);
	s->c.loss = sc->loss;
	s->c.dup = sc->duplicate;
	s->c.lat_lo = sc->latency_lo_us;
	s->c.lat_hi = sc->latency_hi_us;
	memset(s->c.group, -1, sizeof s->c.group);
	memcpy(s->c.skew_us, sc->clock_skew_us, sizeof s->c.skew_us);
	memcpy(s->c.drift_ppm, sc->clock_drift_ppm, sizeof s->c.drift_ppm);
	s->vc = calloc((size_t)s->np * (size_t)s->np, sizeof *s->vc);
	s->states = calloc((size_t)s->np, s->proto->state_size);
	s->check = calloc(1, s->proto->check_size ? s->proto->check_size : 1);
	s->scratch = calloc(1, s->proto->max_msg_size + 1);
	size_t ss = sizeof(slot_hdr) + (size_t)s->np * 4 + s->proto->max_msg_size;
	s->slot_size = (uint32_t)((ss + 7) & ~(size_t)7);
	if (!s->vc || !s->states || !s->check || !s->scratch) {
		sim_free(s);
		return NULL;
	}
	for (int p = 0; p < s->np; p++) {
		s->ctx[p] = (st_ctx){p, s->np, s->nn, s->nc,
				     p < s->nn ? ST_ROLE_NODE : ST_ROLE_CLIENT, &sim_ctx_ops, s};
		s->view_states[p] = sim_state_of(s, p);
		s->state_ev[p] = s->trigger_ev[p] = TRACE_NONE;
	}
	s->tr->step_first = trace_count(s->tr);
	for (int p = 0; p < s->np; p++)
		q_push(s, 0, Q_START, p, 0, 0);
	for (int i = 0; i < sc->nschedule; i++)
		q_push(s, sc->schedule[i].at_us, Q_SCHED, 0, 0, (uint32_t)i);
	if (sc->workload_ops > 0)
		for (int p = s->nn; p < s->np; p++)
			q_push(s, sc->workload_start_us +
				   rng_range(&s->c.rng, sc->think_lo_us, sc->think_hi_us),
			       Q_CLIENT, p, 0, 0);
	if (o->faults)
		q_push(s, rng_range(&s->c.rng, 300000, 1500000), Q_FAULT, 0, FA_DECIDE, 0);
	return s;
}

void sim_free(st_sim *s)
{
	if (!s)
		return;
	free(s->vc);
	free(s->states);
	free(s->check);
	free(s->scratch);
	free(s->q);
	free(s->held);
	free(s->pool);
	free(s->freel);
	free(s);
}

sim_status sim_step(st_sim *s)
{
	if (s->c.violated)
		return SIM_VIOLATION;
	sim_begin(s);
	bool did = false;
	while (!did && s->nq > 0) {
		qitem it;
		if (s->c.manual) {
			if (!q_pop_automatic(s, &it))
				break;
		} else {
			it = q_pop(s);
		}
		if (it.t_us > s->c.now_us)
			s->c.now_us = it.t_us;
		did = run_table[it.type](s, &it);
	}
	sim_end(s);
	if (!did)
		return SIM_IDLE;
	s->c.steps++;
	return s->c.violated ? SIM_VIOLATION : SIM_OK;
}

sim_status sim_run_steps(st_sim *s, uint64_t steps)
{
	sim_status st = SIM_OK;
	for (uint64_t i = 0; i < steps && st == SIM_OK; i++)
		st = sim_step(s);
	return st;
}

sim_status sim_run_until_us(st_sim *s, int64_t t_us)
{
	sim_status st = s->c.violated ? SIM_VIOLATION : SIM_OK;
	while (st == SIM_OK) {
		int64_t next = sim_next_us(s);
		if (next < 0 || next > t_us)
			break;
		st = sim_step(s);
	}
	if (st != SIM_VIOLATION && t_us > s->c.now_us)
		s->c.now_us = t_us;
	return st == SIM_IDLE ? SIM_OK : st;
}

int64_t sim_now_us(const st_sim *s) { return s->c.now_us; }
uint32_t sim_events(const st_sim *s) { return s->c.next_ev; }
int64_t sim_next_us(const st_sim *s) { return s->nq ? s->q[0].t_us : -1; }
uint64_t sim_steps(const st_sim *s) { return s->c.steps; }
const st_violation *sim_violation(const st_sim *s, uint32_t *event_id)
{
	if (!s->c.violated)
		return NULL;
	if (event_id)
		*event_id = s->c.viol_ev;
	return &s->c.viol;
}

sim_proc_status sim_proc_status_of(const st_sim *s, int p) { return s->c.status[p]; }
const void *sim_proc_state(const st_sim *s, int p)
{
	return s->states + (size_t)p * s->proto->state_size;
}

bool sim_timer(const st_sim *s, int p, int timer, int64_t *set_us, int64_t *fire_us)
{
	if (timer < 0 || timer >= ST_MAX_TIMERS || !s->c.timer[p][timer].pending)
		return false;
	*set_us = s->c.timer[p][timer].set_us;
	*fire_us = s->c.timer[p][timer].fire_us;
	return true;
}

bool sim_blocked(const st_sim *s, int from, int to) { return sim_is_blocked(s, from, to); }

int sim_groups(const st_sim *s, int8_t *group)
{
	memcpy(group, s->c.group, sizeof s->c.group);
	return s->c.ngroups;
}
double sim_loss(const st_sim *s) { return s->c.loss; }
double sim_duplicate(const st_sim *s) { return s->c.dup; }

static int flight_cmp(const void *a, const void *b)
{
	const sim_flight *x = a, *y = b;
	if (x->deliver_us != y->deliver_us)
		return x->deliver_us < y->deliver_us ? -1 : 1;
	if (x->msg != y->msg)
		return x->msg < y->msg ? -1 : 1;
	return x->slot < y->slot ? -1 : x->slot > y->slot;
}

/* Copies of one message in flight (a duplicated one has several) are told apart by their
 * place among that message's copies, in the order the pane lists them: that is what a user
 * picks, and what the trace records so a replay picks the same one. */
static bool sim_copy_before(const slot_hdr *a, uint32_t ia, const slot_hdr *b, uint32_t ib)
{
	return a->deliver_us < b->deliver_us || (a->deliver_us == b->deliver_us && ia < ib);
}

static int sim_copy_index(const st_sim *s, uint32_t slot)
{
	const slot_hdr *h = slot_at(s, slot);
	int n = 0;
	for (uint32_t i = 0; i < s->nslots; i++) {
		const slot_hdr *o = slot_at(s, i);
		if (i != slot && (o->flags & SLOT_USED) && o->msg == h->msg &&
		    sim_copy_before(o, i, h, slot))
			n++;
	}
	return n;
}

int sim_inflight(const st_sim *s, sim_flight *out, int max)
{
	int n = 0;
	for (uint32_t i = 0; i < s->nq && n < max; i++) {
		const qitem *it = &s->q[i];
		if (it->type != Q_DELIVER)
			continue;
		slot_hdr *h = slot_at(s, it->arg);
		if (!(h->flags & SLOT_USED) || h->gen != it->aux)
			continue;
		out[n++] = (sim_flight){h->msg, it->arg, h->from, h->to, h->type, h->send_us,
					h->deliver_us, (h->flags & (SLOT_LOST | SLOT_BLOCKED)) != 0};
	}
	qsort(out, (size_t)n, sizeof *out, flight_cmp);
	return n;
}

/* ---- actions ---- */

/* An input event: a user's or the schedule's action that has no kind of its own. Its body
 * starts with "action", which is what --replay reads back (history.h names the same set). */
static void sim_input(st_sim *s, const char *action, const char *label, const st_kv *body,
		      int n, st_by by)
{
	uint32_t id = sim_emit(s, KIND_INPUT, -1, 0, by, 0);
	sim_label_event(s, id, label, NULL, 0);
	st_kv all[8];
	all[0] = (st_kv){"action", ST_V_STR, 0, action};
	for (int i = 0; i < n && i < 7; i++)
		all[i + 1] = body[i];
	sim_set_body(s, id, all, n < 7 ? n + 1 : 8);
}

void sim_partition(st_sim *s, const int8_t *group, int ngroups, st_by by)
{
	sim_begin(s);
	memset(s->c.blocked, 0, sizeof s->c.blocked);
	memset(s->c.group, -1, sizeof s->c.group);
	for (int a = 0; a < s->np; a++) {
		s->c.group[a] = group[a];
		for (int b = 0; b < s->np; b++)
			if (group[a] >= 0 && group[b] >= 0 && group[a] != group[b])
				s->c.blocked[a] |= 1u << b;
	}
	s->c.ngroups = ngroups;
	uint32_t id = sim_emit(s, KIND_PARTITION, -1, 0, by, 0);
	if (id + 1 == trace_count(s->tr) && !sim_replaying(s)) {
		/* groups are stored as (key = group index, value = process) pairs */
		uint32_t list = trace_kv_begin(s->tr);
		char key[12];
		for (int g = 0; g < ngroups; g++)
			for (int p = 0; p < s->np; p++)
				if (group[p] == g) {
					snprintf(key, sizeof key, "%d", g);
					trace_kv_add(s->tr, list, key, ST_V_PROC, p, NULL);
				}
		trace_at(s->tr, id)->body = list;
	}
	sim_end(s);
}

void sim_cut(st_sim *s, int from, int to, bool blocked, st_by by)
{
	sim_begin(s);
	if (blocked)
		s->c.blocked[from] |= 1u << to;
	else
		s->c.blocked[from] &= ~(1u << to);
	st_kv body[2] = {{"from", ST_V_PROC, from, NULL}, {"to", ST_V_PROC, to, NULL}};
	sim_input(s, blocked ? "cut" : "uncut", blocked ? "cut one way" : "uncut one way", body, 2, by);
	sim_end(s);
}

void sim_heal(st_sim *s, st_by by)
{
	sim_begin(s);
	memset(s->c.blocked, 0, sizeof s->c.blocked);
	memset(s->c.group, -1, sizeof s->c.group);
	s->c.ngroups = 0;
	sim_emit(s, KIND_HEAL, -1, 0, by, 0);
	sim_end(s);
}

void sim_crash(st_sim *s, int p, st_by by)
{
	if (p < 0 || p >= s->np || s->c.status[p] == PROC_CRASHED)
		return;
	sim_begin(s);
	for (int t = 0; t < ST_MAX_TIMERS; t++) {
		s->c.timer[p][t].gen++;
		s->c.timer[p][t].pending = false;
	}
	/* What a paused process held goes back to the queue, to be dropped as crashed. */
	uint32_t keep = 0;
	for (uint32_t i = 0; i < s->nheld; i++) {
		qitem it = s->held[i];
		if (it.proc == p && it.type == Q_DELIVER)
			q_push(s, s->c.now_us, Q_DELIVER, p, it.aux, it.arg);
		else if (it.proc != p)
			s->held[keep++] = it;
	}
	s->nheld = keep;
	/* A client that crashes mid-operation cannot know how it ended: Jepsen's "info". It
	 * completes before the crash, so the process never acts while down. */
	if (p >= s->nn && s->c.client[p - s->nn].busy) {
		ctx_complete(&s->ctx[p], &s->c.client[p - s->nn].cur, ST_OP_INFO);
		sim_label_event(s, s->c.next_ev - 1, "unknown outcome",
				"The client crashed while waiting: whether the operation took "
				"effect cannot be known, so it completes as info.", 0);
	}
	s->c.status[p] = PROC_CRASHED;
	sim_emit(s, KIND_CRASH, p, 0, by, 0);
	sim_end(s);
}

void sim_restart(st_sim *s, int p, st_by by)
{
	if (p < 0 || p >= s->np || s->c.status[p] != PROC_CRASHED)
		return;
	sim_begin(s);
	s->c.status[p] = PROC_UP;
	uint32_t id = sim_emit(s, KIND_RESTART, p, 0, by, 0);
	sim_touch(s, p, id, true);
	s->proto->on_restart(&s->ctx[p], sim_state_of(s, p), s->sc->params);
	if (p >= s->nn) {
		/* the workload (and any queued request) goes on where it stopped */
		sim_client *cl = &s->c.client[p - s->nn];
		cl->busy = false;
		if (cl->npend > 0 || cl->ops_started < s->sc->workload_ops)
			sim_client_next(s, p, 0);
	}
	sim_end(s);
}

void sim_pause(st_sim *s, int p, st_by by)
{
	if (p < 0 || p >= s->np || s->c.status[p] != PROC_UP)
		return;
	sim_begin(s);
	s->c.status[p] = PROC_PAUSED;
	char label[24];
	snprintf(label, sizeof label, "pause %s", s->tr->proc_names[p]);
	st_kv body[1] = {{"proc", ST_V_PROC, p, NULL}};
	sim_input(s, "pause", label, body, 1, by);
	sim_end(s);
}

void sim_resume(st_sim *s, int p, st_by by)
{
	if (p < 0 || p >= s->np || s->c.status[p] != PROC_PAUSED)
		return;
	sim_begin(s);
	s->c.status[p] = PROC_UP;
	uint32_t keep = 0;
	for (uint32_t i = 0; i < s->nheld; i++) {
		qitem it = s->held[i];
		if (it.proc == p)
			q_push(s, s->c.now_us, it.type, it.proc, it.aux, it.arg);
		else
			s->held[keep++] = it;
	}
	s->nheld = keep;
	char label[24];
	snprintf(label, sizeof label, "resume %s", s->tr->proc_names[p]);
	st_kv body[1] = {{"proc", ST_V_PROC, p, NULL}};
	sim_input(s, "resume", label, body, 1, by);
	sim_end(s);
}

bool sim_request_fits(const st_sim *s, int client)
{
	if (client < s->nn || client >= s->np || s->c.status[client] == PROC_CRASHED)
		return false;
	const sim_client *cl = &s->c.client[client - s->nn];
	return !(cl->busy && cl->npend >= CLIENT_QUEUE);
}

void sim_request(st_sim *s, int client, const st_op *op, st_by by)
{
	if (!sim_request_fits(s, client))
		return;
	sim_client *cl = &s->c.client[client - s->nn];
	sim_begin(s);
	char label[48];
	snprintf(label, sizeof label, "request %.15s at %s", op->f, s->tr->proc_names[client]);
	st_kv body[4] = {{"client", ST_V_PROC, client, NULL}, {"f", ST_V_STR, 0, op->f},
			 {"value", ST_V_INT, op->value, NULL}, {"node", ST_V_PROC, op->node, NULL}};
	if (!op->has_value)
		body[2].type = ST_V_NULL;
	sim_input(s, "request", label, body, 4, by);
	if (!cl->busy && cl->npend == 0) {
		sim_invoke(s, client, *op, by);
	} else {
		cl->pend[cl->npend] = *op;
		cl->pend_by[cl->npend++] = (uint8_t)by;
	}
	sim_end(s);
}

void sim_set_loss(st_sim *s, double rate, st_by by)
{
	sim_begin(s);
	s->c.loss = rate;
	char label[24];
	snprintf(label, sizeof label, "loss %.2f", rate);
	st_kv body[1] = {{"ppm", ST_V_INT, (int64_t)(rate * 1e6 + 0.5), NULL}};
	sim_input(s, "loss", label, body, 1, by);
	sim_end(s);
}

void sim_set_duplicate(st_sim *s, double rate, st_by by)
{
	sim_begin(s);
	s->c.dup = rate;
	char label[24];
	snprintf(label, sizeof label, "duplicate %.2f", rate);
	st_kv body[1] = {{"ppm", ST_V_INT, (int64_t)(rate * 1e6 + 0.5), NULL}};
	sim_input(s, "duplicate_rate", label, body, 1, by);
	sim_end(s);
}

void sim_set_latency(st_sim *s, int64_t lo_us, int64_t hi_us, st_by by)
{
	sim_begin(s);
	s->c.lat_lo = lo_us;
	s->c.lat_hi = hi_us;
	char label[64];
	snprintf(label, sizeof label, "latency %lld-%lld ms", (long long)(lo_us / 1000),
		 (long long)(hi_us / 1000));
	st_kv body[2] = {{"lo_us", ST_V_INT, lo_us, NULL}, {"hi_us", ST_V_INT, hi_us, NULL}};
	sim_input(s, "latency", label, body, 2, by);
	sim_end(s);
}

static slot_hdr *sim_live_slot(const st_sim *s, uint32_t slot)
{
	if (slot >= s->nslots)
		return NULL;
	slot_hdr *h = slot_at(s, slot);
	return (h->flags & SLOT_USED) ? h : NULL;
}

bool sim_msg_drop(st_sim *s, uint32_t slot, st_by by)
{
	slot_hdr *h = sim_live_slot(s, slot);
	if (!h)
		return false;
	sim_begin(s);
	st_kv body[1] = {{"copy", ST_V_INT, sim_copy_index(s, slot), NULL}};
	uint32_t id = sim_drop(s, h->msg, DROP_USER, by);
	sim_set_body(s, id, body, 1);   /* which copy: what --replay needs to drop it again */
	slot_free(s, slot);
	sim_end(s);
	return true;
}

static void sim_note_msg_action(st_sim *s, const char *action, const char *what, uint32_t slot,
				st_by by)
{
	uint32_t msg = slot_at(s, slot)->msg;
	st_kv body[2] = {{"msg", ST_V_INT, msg, NULL}, {"copy", ST_V_INT, sim_copy_index(s, slot), NULL}};
	char label[40];
	snprintf(label, sizeof label, "%s msg %u", what, msg);
	sim_input(s, action, label, body, 2, by);
}

bool sim_msg_deliver_now(st_sim *s, uint32_t slot, st_by by)
{
	slot_hdr *h = sim_live_slot(s, slot);
	if (!h)
		return false;
	sim_begin(s);
	sim_note_msg_action(s, "deliver", "deliver now", slot, by);
	h->gen++;  /* the old queue item is stale now */
	if (s->c.manual) {
		qitem it = {s->c.now_us, s->c.seq++, slot, h->gen, Q_DELIVER, h->to};
		run_deliver(s, &it);
	} else {
		sim_queue_delivery(s, slot, 0);
	}
	sim_end(s);
	return true;
}

void sim_set_clock(st_sim *s, int p, int64_t skew_us, int32_t drift_ppm, st_by by)
{
	if (p < 0 || p >= s->np)
		return;
	sim_begin(s);
	/* keep the local clock continuous at the moment of change: the new skew is what the
	 * user asked for as the offset from true time now */
	int64_t t = s->c.now_us;
	s->c.drift_ppm[p] = drift_ppm;
	s->c.skew_us[p] = skew_us - (t / 1000000 * drift_ppm + (t % 1000000) * drift_ppm / 1000000);
	char label[48];
	snprintf(label, sizeof label, "clock %s %+lldms %+dppm", s->tr->proc_names[p],
		 (long long)(skew_us / 1000), (int)drift_ppm);
	st_kv body[3] = {{"proc", ST_V_PROC, p, NULL}, {"skew_us", ST_V_INT, skew_us, NULL},
			 {"drift_ppm", ST_V_INT, drift_ppm, NULL}};
	sim_input(s, "clock", label, body, 3, by);
	sim_end(s);
}

void sim_clock_of(const st_sim *s, int p, int64_t *skew_us, int32_t *drift_ppm)
{
	int64_t t = s->c.now_us;
	*drift_ppm = s->c.drift_ppm[p];
	*skew_us = sim_local_clock_us(s, p) - t;
}

bool sim_msg_slot(const st_sim *s, uint32_t msg, int copy, uint32_t *slot)
{
	for (uint32_t i = 0; i < s->nslots; i++) {
		slot_hdr *h = slot_at(s, i);
		if ((h->flags & SLOT_USED) && h->msg == msg && sim_copy_index(s, i) == copy) {
			*slot = i;
			return true;
		}
	}
	return false;
}

void sim_set_manual(st_sim *s, bool manual)
{
	if (s->c.manual == manual)
		return;
	sim_begin(s);
	s->c.manual = manual;
	st_kv body[1] = {{"on", ST_V_BOOL, manual, NULL}};
	sim_input(s, "manual", manual ? "manual mode on" : "manual mode off", body, 1, BY_USER);
	sim_end(s);
}

bool sim_manual(const st_sim *s) { return s->c.manual; }

bool sim_fire_timer(st_sim *s, int p, int timer, st_by by)
{
	if (p < 0 || p >= s->np || timer < 0 || timer >= s->proto->n_timers ||
	    !s->c.timer[p][timer].pending || s->c.status[p] != PROC_UP)
		return false;
	sim_begin(s);
	st_kv body[2] = {{"proc", ST_V_PROC, p, NULL}, {"timer", ST_V_INT, timer, NULL}};
	sim_input(s, "fire_timer", "fire timer", body, 2, by);
	qitem it = {s->c.now_us, s->c.seq++, s->c.timer[p][timer].gen, (uint16_t)timer, Q_TIMER,
		    (uint8_t)p};
	run_timer(s, &it);
	sim_end(s);
	return true;
}

bool sim_msg_duplicate(st_sim *s, uint32_t slot, st_by by)
{
	slot_hdr *h = sim_live_slot(s, slot);
	if (!h)
		return false;
	sim_begin(s);
	sim_note_msg_action(s, "duplicate_msg", "duplicate", slot, by);
	uint32_t d = sim_copy_slot(s, slot);
	/* as the network's own duplication: the copy is not lost with the original (a
	 * partition still stops it on arrival) */
	slot_at(s, d)->flags &= (uint8_t)~SLOT_LOST;
	sim_queue_delivery(s, d, rng_range(&s->c.rng, s->c.lat_lo, s->c.lat_hi));
	sim_msg_pending(s, slot_at(s, d)->msg, 1);
	sim_end(s);
	return true;
}

bool sim_msg_delay(st_sim *s, uint32_t slot, int64_t delay_us, st_by by)
{
	slot_hdr *h = sim_live_slot(s, slot);
	if (!h || delay_us < 0)
		return false;
	sim_begin(s);
	int64_t at = h->deliver_us + delay_us;
	h->gen++;
	st_kv body[3] = {{"msg", ST_V_INT, h->msg, NULL}, {"delay_us", ST_V_INT, delay_us, NULL},
			 {"copy", ST_V_INT, sim_copy_index(s, slot), NULL}};
	char label[40];
	snprintf(label, sizeof label, "delay msg %u", h->msg);
	sim_input(s, "delay", label, body, 3, by);
	h->deliver_us = at;
	q_push(s, at, Q_DELIVER, h->to, h->gen, slot);
	sim_end(s);
	return true;
}

/* ---- snapshots: the core struct, then each array, each with its length ---- */

typedef struct {
	sim_core c;
	uint32_t nq, nheld, nslots, nfree;
} snap_hdr;

void *sim_save(const st_sim *s, size_t *size)
{
	size_t vcb = (size_t)s->np * (size_t)s->np * sizeof *s->vc;
	size_t stb = (size_t)s->np * s->proto->state_size;
	size_t ckb = s->proto->check_size;
	size_t n = sizeof(snap_hdr) + vcb + stb + ckb + s->nq * sizeof(qitem) +
		   s->nheld * sizeof(qitem) + (size_t)s->nslots * s->slot_size +
		   s->nfree * sizeof(uint32_t);
	uint8_t *b = malloc(n), *p = b;
	if (!b) {
		fprintf(stderr, "spacetime: out of memory (snapshot)\n");
		exit(1);
	}
	snap_hdr h = {s->c, s->nq, s->nheld, s->nslots, s->nfree};
	memcpy(p, &h, sizeof h); p += sizeof h;
	memcpy(p, s->vc, vcb); p += vcb;
	memcpy(p, s->states, stb); p += stb;
	memcpy(p, s->check, ckb); p += ckb;
	if (s->nq) { memcpy(p, s->q, s->nq * sizeof(qitem)); p += s->nq * sizeof(qitem); }
	if (s->nheld) { memcpy(p, s->held, s->nheld * sizeof(qitem)); p += s->nheld * sizeof(qitem); }
	if (s->nslots) { memcpy(p, s->pool, (size_t)s->nslots * s->slot_size); p += (size_t)s->nslots * s->slot_size; }
	if (s->nfree) { memcpy(p, s->freel, s->nfree * sizeof(uint32_t)); p += s->nfree * sizeof(uint32_t); }
	*size = n;
	return b;
}

void sim_load(st_sim *s, const void *snap)
{
	const uint8_t *p = snap;
	snap_hdr h;
	memcpy(&h, p, sizeof h); p += sizeof h;
	s->c = h.c;
	size_t vcb = (size_t)s->np * (size_t)s->np * sizeof *s->vc;
	size_t stb = (size_t)s->np * s->proto->state_size;
	memcpy(s->vc, p, vcb); p += vcb;
	memcpy(s->states, p, stb); p += stb;
	memcpy(s->check, p, s->proto->check_size); p += s->proto->check_size;
	if (h.nq > s->qcap) { s->qcap = h.nq; s->q = sim_xrealloc(s->q, s->qcap * sizeof(qitem)); }
	s->nq = h.nq;
	if (h.nq)
		memcpy(s->q, p, h.nq * sizeof(qitem));
	p += h.nq * sizeof(qitem);
	if (h.nheld > s->heldcap) { s->heldcap = h.nheld; s->held = sim_xrealloc(s->held, s->heldcap * sizeof(qitem)); }
	s->nheld = h.nheld;
	if (h.nheld)
		memcpy(s->held, p, h.nheld * sizeof(qitem));
	p += h.nheld * sizeof(qitem);
	s->pool = sim_xrealloc(s->pool, (size_t)h.nslots * s->slot_size);
	s->nslots = h.nslots;
	memcpy(s->pool, p, (size_t)h.nslots * s->slot_size); p += (size_t)h.nslots * s->slot_size;
	s->freel = sim_xrealloc(s->freel, (h.nslots ? h.nslots : 1) * sizeof(uint32_t));
	s->nfree = h.nfree;
	if (h.nfree)
		memcpy(s->freel, p, h.nfree * sizeof(uint32_t));
	for (int q = 0; q < s->np; q++) {
		s->touched[q] = s->force_state[q] = false;
		s->state_ev[q] = s->trigger_ev[q] = TRACE_NONE;
	}
	s->depth = 0;
}
