/* sim.c: the deterministic world (see sim.h; its other files are listed in sim_internal.h).
 *
 * The shape of a step: pop the earliest queue item (time, then sequence number); run it; if it
 * produced no event (a timer cancelled since it was set, a delivery held by a paused process)
 * pop the next. Running means: append the triggering event with its clocks, hand it to the
 * protocol, which may send, set timers, label the event or record local steps through its
 * context; then record the state of every process the step touched (only when it changed),
 * run the invariant check, and tell the trace the step is done.
 *
 * All mutable state is in `c` (plain data) and a few arrays of plain data, so a snapshot is a
 * copy. Messages in flight live in the network's slot pool with their body and the sender's
 * clocks, so the world never reads the trace back: the trace is a record, not a dependency. */
#include "../base/hash.h"
#include "sim_internal.h"

bool sim_replaying(const st_sim *s) { return s->c.next_ev < trace_count(s->tr); }

/* Append an event (process events get their clocks here) and return its id. While
 * re-executing a recorded past the event exists already and is left as it is. */
uint32_t sim_emit(st_sim *s, int kind, int p, uint32_t ref, st_by by, int aux)
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

st_event *sim_ev(st_sim *s, uint32_t id)
{
	return id >= s->tr->base && id < trace_count(s->tr) ? trace_at(s->tr, id) : NULL;
}

void sim_set_body(st_sim *s, uint32_t id, const st_kv *kv, int n)
{
	if (id + 1 != trace_count(s->tr) || sim_replaying(s))
		return;  /* only the event just appended takes a body */
	trace_at(s->tr, id)->body = trace_kv_from_list(s->tr, kv, n);
}

void sim_touch(st_sim *s, int p, uint32_t ev, bool force)
{
	s->touched[p] = true;
	s->trigger_ev[p] = ev;
	s->state_ev[p] = ev;
	if (force)
		s->force_state[p] = true;
}

static uint64_t sim_hash_kv(const st_kvrec *r, uint32_t n)
{
	uint64_t h = ST_HASH_INIT;
	for (uint32_t i = 0; i < n; i++) {
		h = st_hash_u64(h, r[i].key);
		h = st_hash_u64(h, r[i].type);
		h = st_hash_u64(h, (uint64_t)r[i].v);
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

void sim_begin(st_sim *s)
{
	if (s->depth++ == 0) {
		s->op_start = true;
		s->step_first_ev = s->c.next_ev;
	}
}

static bool sim_view_event(const st_view *v, int i, st_tev *out)
{
	const st_sim *s = v->impl;
	return i >= 0 && i < v->nevents && trace_tev(s->tr, s->step_first_ev + (uint32_t)i, out);
}

/* The end of a step or of an action: states, invariants, and the trace is told. */
void sim_end(st_sim *s)
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
		st_view v = {s->np, s->nn, s->nc, s->view_states, s->view_up, s->c.now_us,
			     (int)(s->c.next_ev - s->step_first_ev), sim_view_event, s};
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


_Noreturn void sim_fatal_protocol(st_sim *s, const char *what)
{
	fprintf(stderr, "spacetime: protocol %s: %s\n", s->proto->name, what);
	abort();
}

/* Label an event of the step being built (a replayed or finished event keeps its own). */
void sim_label_event(st_sim *s, uint32_t id, const char *label, const char *note, int flags)
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

void sim_client_next(st_sim *s, int p, int64_t delay_us)
{
	sim_queue_push(s, s->c.now_us + delay_us, Q_CLIENT, p, 0, 0);
}

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
	sim_ctx_handled(s, p);
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
	sim_ctx_handled(s, p);
	return true;
}


static bool run_timer(st_sim *s, const qitem *it)
{
	int p = it->proc, timer = it->aux;
	sim_timer_t *tm = &s->c.timer[p][timer];
	if (tm->gen != it->arg || !tm->pending || s->c.status[p] == PROC_CRASHED)
		return false;
	if (s->c.status[p] == PROC_PAUSED) {
		sim_queue_hold(s, it);
		return false;
	}
	tm->pending = false;
	uint32_t id = sim_emit(s, KIND_TIMER, p, (uint32_t)timer, BY_NONE, 0);
	sim_label_event(s, id, s->proto->timer_names[timer], NULL, 0);
	sim_touch(s, p, id, false);
	s->proto->on_timer(&s->ctx[p], sim_state_of(s, p), timer);
	sim_ctx_handled(s, p);
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


typedef bool (*run_fn)(st_sim *s, const qitem *it);
static const run_fn run_table[] = {
	[Q_START] = run_start, [Q_DELIVER] = net_run_deliver, [Q_TIMER] = run_timer,
	[Q_SCHED] = run_sched, [Q_CLIENT] = run_client, [Q_FAULT] = net_run_fault,
};


st_sim *sim_new(const st_scenario *sc, const sim_opts *o, st_trace *trace)
{
	st_sim *s = st_zalloc(1, sizeof *s);
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
	s->vc = st_zalloc((size_t)s->np * (size_t)s->np, sizeof *s->vc);
	s->states = st_zalloc((size_t)s->np, s->proto->state_size);
	s->check = st_zalloc(1, s->proto->check_size ? s->proto->check_size : 1);
	s->scratch = st_zalloc(1, s->proto->max_msg_size + 1);
	size_t ss = sizeof(slot_hdr) + (size_t)s->np * 4 + s->proto->max_msg_size;
	s->slot_size = (uint32_t)((ss + 7) & ~(size_t)7);
	for (int p = 0; p < s->np; p++) {
		s->ctx[p] = (st_ctx){p, s->np, s->nn, s->nc,
				     p < s->nn ? ST_ROLE_NODE : ST_ROLE_CLIENT, &sim_ctx_ops, s};
		s->view_states[p] = sim_state_of(s, p);
		s->state_ev[p] = s->trigger_ev[p] = TRACE_NONE;
	}
	s->tr->step_first = trace_count(s->tr);
	s->tr->has_params = s->proto->n_params > 0;
	memcpy(s->tr->params, sc->params, sizeof s->tr->params);
	for (int p = 0; p < s->np; p++)
		sim_queue_push(s, 0, Q_START, p, 0, 0);
	for (int i = 0; i < sc->nschedule; i++)
		sim_queue_push(s, sc->schedule[i].at_us, Q_SCHED, 0, 0, (uint32_t)i);
	if (sc->workload_ops > 0)
		for (int p = s->nn; p < s->np; p++)
			sim_queue_push(s, sc->workload_start_us +
				   rng_range(&s->c.rng, sc->think_lo_us, sc->think_hi_us),
			       Q_CLIENT, p, 0, 0);
	sim_fault_opts_default(&s->fo);
	if (o->faults)
		net_start_faults(s);
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
			if (!sim_queue_pop_automatic(s, &it))
				break;
		} else {
			it = sim_queue_pop(s);
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




/* ---- actions ---- */

/* An input event: a user's or the schedule's action that has no kind of its own. Its body
 * starts with "action", which is what --replay reads back (history.h names the same set). */
void sim_input(st_sim *s, const char *action, const char *label, const st_kv *body, int n,
	       st_by by)
{
	uint32_t id = sim_emit(s, KIND_INPUT, -1, 0, by, 0);
	sim_label_event(s, id, label, NULL, 0);
	st_kv all[8];
	all[0] = (st_kv){"action", ST_V_STR, 0, action};
	for (int i = 0; i < n && i < 7; i++)
		all[i + 1] = body[i];
	sim_set_body(s, id, all, n < 7 ? n + 1 : 8);
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
			sim_queue_push(s, s->c.now_us, Q_DELIVER, p, it.aux, it.arg);
		else if (it.proc != p)
			s->held[keep++] = it;
	}
	s->nheld = keep;
	/* A client that crashes mid-operation cannot know how it ended: Jepsen's "info". It
	 * completes before the crash, so the process never acts while down. */
	if (p >= s->nn && s->c.client[p - s->nn].busy) {
		sim_ctx_complete(s, p, &s->c.client[p - s->nn].cur, ST_OP_INFO);
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
	sim_ctx_handled(s, p);
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
			sim_queue_push(s, s->c.now_us, it.type, it.proc, it.aux, it.arg);
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
	return cl->npend < CLIENT_QUEUE;  /* idle with a queue (just restarted) queues too */
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

