/* swarm.c: the fault engine of --explore (see swarm.h).
 *
 * A run is driven from outside the world: between two steps the driver looks at what comes
 * next in virtual time (the world's next event, the plan's next random fault, a client's next
 * extra request, a delayed trigger's action) and injects what is due through the world's
 * public actions, as the user would (BY_USER), so the trace records each and --replay takes
 * them again. An action due between two events is taken at the world's clock as it stands
 * (the earlier event's time), as a user's is: that is where --replay takes it too. The plan's randomness has its own PRNG stream (seeded from the seed, apart from
 * the world's), so injecting a fault never shifts the draws of the next one. Every action
 * applied is recorded with the step count and time it was applied at; a replay applies action
 * i before step i.step, or earlier once the world's next event is later than its time, which
 * for the full list is exactly where the original run applied it. */
#include <stdlib.h>
#include <string.h>

#include "base/hash.h"
#include "base/mem.h"
#include "swarm.h"

static void sw_list_push(sw_list *l, const sw_act *a)
{
	st_grow32(&l->a, &l->cap, (size_t)l->n + 1, sizeof *l->a);
	l->a[l->n++] = *a;
}

void sw_list_free(sw_list *l)
{
	free(l->a);
	memset(l, 0, sizeof *l);
}

uint32_t sw_list_requests(const sw_list *l, const bool *keep)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < l->n; i++)
		if ((!keep || keep[i]) && l->a[i].kind == SW_REQUEST)
			n++;
	return n;
}

/* ---- moments: label stems ---- */

/* "append 3-5" -> "append", "vote for n2" -> "vote for", "became leader" stays: the words
 * up to the first that is a number or a process name. */
static void sw_stem(const char *label, char *out, size_t n)
{
	size_t o = 0;
	const char *p = label;
	while (*p) {
		const char *w = p;
		while (*p && *p != ' ')
			p++;
		bool num = (*w >= '0' && *w <= '9') ||
			   ((*w == 'n' || *w == 'c') && w[1] >= '0' && w[1] <= '9');
		if (num)
			break;
		for (const char *q = o ? w - 1 : w; q < p && o + 1 < n; q++)
			out[o++] = *q;
		while (*p == ' ')
			p++;
	}
	out[o] = 0;
}

static int sw_moment_find(const sw_engine *e, const char *stem)
{
	for (int i = 0; i < e->nmoments; i++)
		if (strcmp(e->moments[i], stem) == 0)
			return i;
	return -1;
}

/* ---- coverage ---- */

void sw_engine_init(sw_engine *e, const st_scenario *sc, int base_kinds)
{
	memset(e, 0, sizeof *e);
	e->sc = sc;
	e->base_kinds = base_kinds;
	e->seen_cap = 1u << 12;
	e->seen = st_zalloc(e->seen_cap, sizeof *e->seen);
}

void sw_engine_free(sw_engine *e)
{
	free(e->seen);
	free(e->corpus);
	memset(e, 0, sizeof *e);
}

#define SW_MAX_SEEN (1u << 22)  /* abstract states remembered at most (32 MiB) */
static bool sw_seen_add(sw_engine *e, uint64_t h)
{
	if (!h)
		h = 1;
	if (e->nseen * 2 >= e->seen_cap) {
		if (e->seen_cap >= SW_MAX_SEEN)
			return false;   /* full: coverage stops growing, the search goes on */
		uint32_t oc = e->seen_cap;
		uint64_t *old = e->seen;
		e->seen_cap *= 2;
		e->seen = st_zalloc(e->seen_cap, sizeof *e->seen);
		for (uint32_t i = 0; i < oc; i++)
			if (old[i]) {
				uint32_t j = (uint32_t)old[i] & (e->seen_cap - 1);
				while (e->seen[j])
					j = (j + 1) & (e->seen_cap - 1);
				e->seen[j] = old[i];
			}
		free(old);
	}
	uint32_t j = (uint32_t)h & (e->seen_cap - 1);
	while (e->seen[j]) {
		if (e->seen[j] == h)
			return false;
		j = (j + 1) & (e->seen_cap - 1);
	}
	e->seen[j] = h;
	e->nseen++;
	return true;
}

/* ---- plans ---- */

static const int sw_fault_bits[5] = {FAULT_PARTITION, FAULT_CRASH, FAULT_LOSS, FAULT_DUP,
				     FAULT_PAUSE};

static void sw_draw_windows(st_rng *r, sw_plan *p)
{
	sim_fault_opts *fo = &p->fo;
	sim_fault_opts_default(fo);
	fo->first_lo_us = rng_range(r, 0, 1500000);
	fo->first_hi_us = fo->first_lo_us + rng_range(r, 0, 1500000);
	fo->gap_lo_us = rng_range(r, 20000, 600000);
	fo->gap_hi_us = fo->gap_lo_us * rng_range(r, 1, 8);
	fo->last_lo_us = rng_range(r, 20000, 800000);
	fo->last_hi_us = fo->last_lo_us * rng_range(r, 1, 6);
	fo->loss_lo_pct = (int)rng_range(r, 1, 30);
	fo->loss_hi_pct = fo->loss_lo_pct + (int)rng_range(r, 0, 40);
	fo->dup_lo_pct = (int)rng_range(r, 1, 20);
	fo->dup_hi_pct = fo->dup_lo_pct + (int)rng_range(r, 0, 30);
	p->end_us = rng_range(r, 0, 2) == 0 ? 0 : rng_range(r, 1000000, 20000000);
}

static void sw_draw_kinds(const sw_engine *e, st_rng *r, sw_plan *p)
{
	p->kinds = 0;
	for (int i = 0; i < 5; i++)
		if ((e->base_kinds & sw_fault_bits[i]) && rng_range(r, 0, 1))
			p->kinds |= sw_fault_bits[i];
	if (!p->kinds && e->base_kinds) {
		int on[5], n = 0;
		for (int i = 0; i < 5; i++)
			if (e->base_kinds & sw_fault_bits[i])
				on[n++] = sw_fault_bits[i];
		p->kinds = on[rng_range(r, 0, n - 1)];
	}
}

static void sw_draw_requests(const sw_engine *e, st_rng *r, sw_plan *p)
{
	p->req_clients = 0;
	p->req_lo_us = p->req_hi_us = 0;
	if (e->sc->nclients == 0 || e->sc->workload_ops == 0 || rng_range(r, 0, 3) == 0)
		return;
	p->req_clients = (int)rng_range(r, 1, e->sc->nclients);
	p->req_lo_us = rng_range(r, 2000, 150000);
	p->req_hi_us = p->req_lo_us * rng_range(r, 1, 10);
}

static void sw_draw_trigger(const sw_engine *e, st_rng *r, sw_plan *p, int i)
{
	p->trig[i].moment = (int)rng_range(r, 0, e->nmoments - 1);
	p->trig[i].fault = (int)rng_range(r, 0, TF__COUNT - 1);
	p->trig[i].delay_us = rng_range(r, 0, 1) ? 0 : rng_range(r, 1000, 60000);
	p->trig[i].last_us = rng_range(r, 20000, 1500000);
	p->trig[i].times = (int)rng_range(r, 1, 4);
}

static void sw_draw_triggers(const sw_engine *e, st_rng *r, sw_plan *p)
{
	p->ntrig = e->nmoments ? (int)rng_range(r, 0, SW_MAX_TRIG) : 0;
	for (int i = 0; i < p->ntrig; i++)
		sw_draw_trigger(e, r, p, i);
}

/* A plan's randomness: its own stream, apart from the world's (which starts from the seed). */
static void sw_plan_rng(st_rng *r, uint64_t seed, uint64_t salt)
{
	rng_seed(r, st_hash_u64(st_hash_u64(ST_HASH_INIT, seed), salt));
}

static void sw_mutate(const sw_engine *e, st_rng *r, sw_plan *p)
{
	int n = (int)rng_range(r, 1, 3);
	for (int k = 0; k < n; k++)
		switch (rng_range(r, 0, 4)) {
		case 0: sw_draw_kinds(e, r, p); break;
		case 1: sw_draw_windows(r, p); break;
		case 2: sw_draw_requests(e, r, p); break;
		case 3:
			if (e->nmoments && p->ntrig > 0)
				sw_draw_trigger(e, r, p, (int)rng_range(r, 0, p->ntrig - 1));
			else
				sw_draw_triggers(e, r, p);
			break;
		default:
			/* keep the schedule's shape, move its time window */
			p->fo.first_lo_us = rng_range(r, 0, 1500000);
			p->fo.first_hi_us = p->fo.first_lo_us + rng_range(r, 0, 1500000);
			break;
		}
}

void sw_plan_for(sw_engine *e, uint64_t seed, sw_plan *p)
{
	st_rng r;
	sw_plan_rng(&r, seed, 0x706c616eULL);  /* "plan" */
	memset(p, 0, sizeof *p);
	/* half the seeds, once the corpus has plans, mutate one of them */
	if (e->ncorpus > 0 && rng_range(&r, 0, 1)) {
		uint32_t i = (uint32_t)rng_range(&r, 0, e->ncorpus - 1);
		*p = e->corpus[i];
		p->parent = (int64_t)p->seed;
		p->seed = seed;
		sw_mutate(e, &r, p);
		return;
	}
	p->seed = seed;
	p->parent = -1;
	sw_draw_kinds(e, &r, p);
	sw_draw_windows(&r, p);
	sw_draw_requests(e, &r, p);
	sw_draw_triggers(e, &r, p);
}

static const char *const sw_tf_names[TF__COUNT] = {
	[TF_CRASH_SELF] = "crash it", [TF_ISOLATE_SELF] = "isolate it",
	[TF_CRASH_NEXT_TIMER] = "crash the node whose timer fires next",
	[TF_DROP_SENT] = "drop what it sent", [TF_PAUSE_SELF] = "pause it",
};

void sw_plan_describe(const sw_engine *e, const sw_plan *p, char *out, size_t n)
{
	char kinds[64];
	sim_faults_string(p->kinds, kinds, sizeof kinds);
	size_t o = 0;
#define SW_PUT(...) do { if (o < n) o += (size_t)snprintf(out + o, n - o, __VA_ARGS__); } while (0)
	if (p->parent >= 0)
		SW_PUT("mutant of seed %lld; ", (long long)p->parent);
	SW_PUT("faults %s, first at %.2f-%.2f s, every %.2f-%.2f s, lasting %.2f-%.2f s",
	       kinds, p->fo.first_lo_us / 1e6, p->fo.first_hi_us / 1e6, p->fo.gap_lo_us / 1e6,
	       p->fo.gap_hi_us / 1e6, p->fo.last_lo_us / 1e6, p->fo.last_hi_us / 1e6);
	if (p->kinds & FAULT_LOSS)
		SW_PUT(", loss %d-%d%%", p->fo.loss_lo_pct, p->fo.loss_hi_pct);
	if (p->kinds & FAULT_DUP)
		SW_PUT(", dup %d-%d%%", p->fo.dup_lo_pct, p->fo.dup_hi_pct);
	if (p->end_us)
		SW_PUT(", until %.1f s", p->end_us / 1e6);
	if (p->req_clients)
		SW_PUT("; requests from %d client%s every %.0f-%.0f ms", p->req_clients,
		       p->req_clients > 1 ? "s" : "", p->req_lo_us / 1e3, p->req_hi_us / 1e3);
	for (int i = 0; i < p->ntrig; i++)
		SW_PUT("; after '%s' %s%s (x%d)", e->moments[p->trig[i].moment],
		       sw_tf_names[p->trig[i].fault], p->trig[i].delay_us ? " later" : "",
		       p->trig[i].times);
#undef SW_PUT
}

/* ---- the run ---- */

#define SW_MAX_PENDING 64
#define SW_MAX_HITS 32
typedef struct {
	sw_engine *e;
	st_sim *sim;
	st_trace *tr;
	tj_writer *w;
	bool stepping;          /* collect the moments of a step (not of injected actions) */
	struct { int moment, proc; } hit[SW_MAX_HITS];
	int nhit;
	uint32_t sent[SW_MAX_HITS]; int sent_proc[SW_MAX_HITS]; int nsent;
	bool learn;             /* sw_learn_moments: add unseen stems to the table */
	sw_act pend[SW_MAX_PENDING];    /* delayed actions, by time then order of queueing */
	int npend;
	sw_list *rec;
	void *tc;               /* SW_CHECK_TRACE: the protocol's trace checker */
	bool tviol;
	st_violation tv;
	uint32_t tv_ev;
	uint32_t requests;
	int64_t next_value;
} sw_drv;

static void sw_flush(st_trace *t, uint32_t first, uint32_t count, void *user)
{
	sw_drv *d = user;
	for (uint32_t id = first; id < first + count; id++) {
		const st_event *ev = trace_at(t, id);
		if (d->w)
			tj_event(d->w, t, id);
		st_tev te;
		if (d->tc && !d->tviol && trace_tev(t, id, &te) &&
		    !d->e->sc->protocol->trace_check(d->tc, &te, &d->tv)) {
			d->tviol = true;
			d->tv_ev = id;
		}
		if (!d->stepping)
			continue;
		if (ev->kind == KIND_SEND && d->nsent < SW_MAX_HITS) {
			d->sent_proc[d->nsent] = ev->proc;
			d->sent[d->nsent++] = ev->ref;
		}
		if (!ev->label || ev->proc == TRACE_WORLD)
			continue;
		char stem[32];
		sw_stem(trace_str(t, ev->label), stem, sizeof stem);
		if (!stem[0])
			continue;
		int m = sw_moment_find(d->e, stem);
		if (m < 0 && d->learn && d->e->nmoments < SW_MAX_MOMENTS) {
			m = d->e->nmoments++;
			snprintf(d->e->moments[m], sizeof d->e->moments[m], "%s", stem);
		}
		if (m >= 0 && d->nhit < SW_MAX_HITS) {
			d->hit[d->nhit].moment = m;
			d->hit[d->nhit++].proc = ev->proc;
		}
	}
}

/* Apply one action now; false when it could not be taken (then it is not recorded). */
static bool sw_apply(sw_drv *d, const sw_act *a)
{
	st_sim *s = d->sim;
	switch (a->kind) {
	case SW_CRASH: sim_crash(s, a->proc, BY_USER); return true;
	case SW_RESTART: sim_restart(s, a->proc, BY_USER); return true;
	case SW_PAUSE: sim_pause(s, a->proc, BY_USER); return true;
	case SW_RESUME: sim_resume(s, a->proc, BY_USER); return true;
	case SW_PARTITION: sim_partition(s, a->group, 2, BY_USER); return true;
	case SW_HEAL: sim_heal(s, BY_USER); return true;
	case SW_LOSS: sim_set_loss(s, (double)a->value / 1e6, BY_USER); return true;
	case SW_DUP: sim_set_duplicate(s, (double)a->value / 1e6, BY_USER); return true;
	case SW_REQUEST: {
		if (!sim_request_fits(s, a->proc))
			return false;
		st_op op;
		memset(&op, 0, sizeof op);
		snprintf(op.f, sizeof op.f, "%s", d->e->sc->workload_f[0] ? d->e->sc->workload_f : "write");
		op.value = a->value;
		op.has_value = true;
		op.node = -1;
		sim_request(s, a->proc, &op, BY_USER);
		d->requests++;
		return true;
	}
	case SW_DROP: {
		uint32_t slot;
		return sim_msg_slot(s, a->msg, a->copy, &slot) && sim_msg_drop(s, slot, BY_USER);
	}
	}
	return false;
}

/* Apply and record (the clock is already at the action's time). */
static void sw_take(sw_drv *d, sw_act a)
{
	a.step = sim_steps(d->sim);
	a.at_us = sim_now_us(d->sim);
	if (sw_apply(d, &a) && d->rec)
		sw_list_push(d->rec, &a);
}

static void sw_pend(sw_drv *d, const sw_act *a)
{
	if (d->npend >= SW_MAX_PENDING)
		return;
	int i = d->npend++;
	while (i > 0 && d->pend[i - 1].at_us > a->at_us) {
		d->pend[i] = d->pend[i - 1];
		i--;
	}
	d->pend[i] = *a;
}

static sw_act sw_act_of(int kind, int proc, int64_t at_us)
{
	sw_act a;
	memset(&a, 0, sizeof a);
	memset(a.group, -1, sizeof a.group);
	a.kind = (uint8_t)kind;
	a.proc = (int8_t)proc;
	a.at_us = at_us;
	return a;
}

static int sw_pick_node(st_sim *s, int nn, st_rng *r, sim_proc_status want)
{
	int cand[ST_MAX_PROCS], n = 0;
	for (int p = 0; p < nn; p++)
		if (sim_proc_status_of(s, p) == want)
			cand[n++] = p;
	return n ? cand[rng_range(r, 0, n - 1)] : -1;
}

/* The plan's nemesis decides: one fault of a kind the plan has on, and its end. */
static void sw_decide(sw_drv *d, const sw_plan *p, st_rng *r, int64_t due_us)
{
	st_sim *s = d->sim;
	const st_scenario *sc = d->e->sc;
	int on[5], n = 0;
	for (int i = 0; i < 5; i++)
		if (p->kinds & sw_fault_bits[i])
			on[n++] = sw_fault_bits[i];
	if (!n)
		return;
	int k = on[rng_range(r, 0, n - 1)];
	int64_t now = sim_now_us(s);
	int64_t end = due_us + rng_range(r, p->fo.last_lo_us, p->fo.last_hi_us);
	if (k == FAULT_PARTITION && sc->nnodes > 1) {
		sw_act a = sw_act_of(SW_PARTITION, -1, now);
		int side[2] = {0, 0};
		for (int q = 0; q < sc->nnodes; q++)
			side[a.group[q] = (int8_t)rng_range(r, 0, 1)]++;
		if (!side[0] || !side[1]) {
			int q = (int)rng_range(r, 0, sc->nnodes - 1);
			a.group[q] = (int8_t)!a.group[q];
		}
		sw_take(d, a);
		sw_pend(d, &(sw_act){.kind = SW_HEAL, .proc = -1, .at_us = end});
	} else if (k == FAULT_CRASH || k == FAULT_PAUSE) {
		int q = sw_pick_node(s, sc->nnodes, r, PROC_UP);
		if (q >= 0) {
			sw_take(d, sw_act_of(k == FAULT_CRASH ? SW_CRASH : SW_PAUSE, q, now));
			sw_act b = sw_act_of(k == FAULT_CRASH ? SW_RESTART : SW_RESUME, q, end);
			sw_pend(d, &b);
		}
	} else if (k == FAULT_LOSS || k == FAULT_DUP) {
		bool loss = k == FAULT_LOSS;
		sw_act a = sw_act_of(loss ? SW_LOSS : SW_DUP, -1, now);
		a.value = 10000 * rng_range(r, loss ? p->fo.loss_lo_pct : p->fo.dup_lo_pct,
					    loss ? p->fo.loss_hi_pct : p->fo.dup_hi_pct);
		sw_take(d, a);
		sw_act b = sw_act_of(loss ? SW_LOSS : SW_DUP, -1, end);
		b.value = (int64_t)((loss ? sc->loss : sc->duplicate) * 1e6 + 0.5);
		sw_pend(d, &b);
	}
}

/* A moment came: its trigger's fault, at once or after its delay. */
static void sw_fire(sw_drv *d, const sw_plan *p, int t, int proc, st_rng *r)
{
	st_sim *s = d->sim;
	const st_scenario *sc = d->e->sc;
	int64_t now = sim_now_us(s), at = now + p->trig[t].delay_us;
	int64_t end = at + p->trig[t].last_us;
	switch (p->trig[t].fault) {
	case TF_CRASH_SELF:
	case TF_PAUSE_SELF: {
		bool crash = p->trig[t].fault == TF_CRASH_SELF;
		sw_act a = sw_act_of(crash ? SW_CRASH : SW_PAUSE, proc, at);
		sw_act b = sw_act_of(crash ? SW_RESTART : SW_RESUME, proc, end);
		if (at == now)
			sw_take(d, a);
		else
			sw_pend(d, &a);
		sw_pend(d, &b);
		break;
	}
	case TF_ISOLATE_SELF: {
		if (proc >= sc->nnodes)
			break;
		sw_act a = sw_act_of(SW_PARTITION, -1, at);
		for (int q = 0; q < sc->nnodes; q++)
			a.group[q] = q == proc ? 0 : 1;
		if (at == now)
			sw_take(d, a);
		else
			sw_pend(d, &a);
		sw_act b = sw_act_of(SW_HEAL, -1, end);
		sw_pend(d, &b);
		break;
	}
	case TF_CRASH_NEXT_TIMER: {
		int best = -1;
		int64_t best_us = 0;
		for (int q = 0; q < sc->nnodes; q++)
			for (int k = 0; k < sc->protocol->n_timers && k < ST_MAX_TIMERS; k++) {
				int64_t set_us, fire_us;
				if (sim_proc_status_of(s, q) == PROC_UP &&
				    sim_timer(s, q, k, &set_us, &fire_us) && (best < 0 || fire_us < best_us)) {
					best = q;
					best_us = fire_us;
				}
			}
		if (best < 0)
			break;
		/* just before it fires, unless the delay says later */
		int64_t when = p->trig[t].delay_us ? at : (best_us > now ? best_us - 1 : now);
		sw_act a = sw_act_of(SW_CRASH, best, when);
		sw_act b = sw_act_of(SW_RESTART, best, when + p->trig[t].last_us);
		if (when == now)
			sw_take(d, a);
		else
			sw_pend(d, &a);
		sw_pend(d, &b);
		break;
	}
	case TF_DROP_SENT:
		for (int i = 0; i < d->nsent; i++) {
			if (d->sent_proc[i] != proc || rng_range(r, 0, 1) == 0)
				continue;   /* half of them: the reply that would complete a quorum */
			sw_act a = sw_act_of(SW_DROP, -1, at);
			a.msg = d->sent[i];
			if (at == now)
				sw_take(d, a);
			else
				sw_pend(d, &a);
		}
		break;
	}
}

void sw_run(sw_engine *e, sw_check how, uint64_t seed, const sw_plan *plan, const sw_list *replay,
	    const bool *keep, uint64_t max_steps, const char *export_path, const tj_meta *meta,
	    sw_list *rec, sw_result *res)
{
	const st_scenario *sc = e->sc;
	memset(res, 0, sizeof *res);
	st_trace *tr = trace_new(sc->name, sc->protocol, seed, sc->nnodes, sc->nclients, NULL);
	const st_protocol *pr = sc->protocol;
	bool by_trace = how == SW_CHECK_TRACE && pr->trace_check_new && pr->trace_check;
	sim_opts so = {seed, !by_trace, 0};
	st_sim *s = tr ? sim_new(sc, &so, tr) : NULL;
	if (!tr || !s) {
		fprintf(stderr, "spacetime: out of memory setting up the world\n");
		exit(1);
	}
	tj_writer *w = NULL;
	if (export_path) {
		w = tj_open(export_path, tr, meta, res->export_err, sizeof res->export_err);
		if (!w) {
			sim_free(s);
			trace_free(tr);
			return;
		}
	}
	sw_drv d;
	memset(&d, 0, sizeof d);
	d.e = e;
	d.sim = s;
	d.tr = tr;
	d.w = w;
	d.rec = rec;
	d.learn = !plan && !replay;
	st_role roles[ST_MAX_PROCS];
	for (int p = 0; p < sc->nprocs && p < ST_MAX_PROCS; p++)
		roles[p] = p < sc->nnodes ? ST_ROLE_NODE : ST_ROLE_CLIENT;
	st_trace_info info = {sc->nprocs, sc->nnodes, sc->nclients, roles, sc->params};
	if (by_trace)
		d.tc = pr->trace_check_new(&info);
	tr->flush = sw_flush;
	tr->flush_user = &d;

	st_rng r;
	sw_plan_rng(&r, seed, 0x72756eULL);  /* "run" */
	int64_t decide_at = -1, req_at[SC_MAX_CLIENTS];
	int trig_left[SW_MAX_TRIG] = {0};
	for (int c = 0; c < SC_MAX_CLIENTS; c++)
		req_at[c] = -1;
	if (plan) {
		if (plan->kinds)
			decide_at = rng_range(&r, plan->fo.first_lo_us, plan->fo.first_hi_us);
		for (int c = 0; c < plan->req_clients && c < sc->nclients; c++)
			req_at[c] = sc->workload_start_us + rng_range(&r, 0, plan->req_hi_us);
		for (int t = 0; t < plan->ntrig; t++)
			trig_left[t] = plan->trig[t].times;
	}
	d.next_value = 1000000;
	uint32_t ri = 0;
	const bool cover = plan && sc->protocol->abstract;
	const void *states[ST_MAX_PROCS];
	bool up[ST_MAX_PROCS];
	st_view view = {sc->nprocs, sc->nnodes, sc->nclients, states, up, 0, 0, NULL, NULL};
	for (int q = 0; q < sc->nprocs; q++)
		states[q] = sim_proc_state(s, q);

	sim_status st = SIM_OK;
	while (!sim_violation(s, NULL) && !d.tviol && sim_steps(s) < max_steps) {
		int64_t next = sim_next_us(s);
		/* replay: the recorded actions, each at its place */
		if (replay) {
			while (ri < replay->n && keep && !keep[ri])
				ri++;
			if (ri < replay->n) {
				const sw_act *a = &replay->a[ri];
				if (sim_steps(s) >= a->step || next < 0 || next > a->at_us) {
					sw_act b = *a;
					sw_take(&d, b);
					ri++;
					continue;
				}
			}
		} else if (plan) {
			/* the earliest thing the plan has due before the world's next event */
			int64_t t = -1;
			int which = -1;     /* 0 decide, 1 pending, 2 + c request of client c */
			if (decide_at >= 0 && (!plan->end_us || decide_at <= plan->end_us)) {
				t = decide_at;
				which = 0;
			}
			if (d.npend && (t < 0 || d.pend[0].at_us < t)) {
				t = d.pend[0].at_us;
				which = 1;
			}
			for (int c = 0; c < plan->req_clients && c < sc->nclients; c++)
				if (req_at[c] >= 0 && (t < 0 || req_at[c] < t)) {
					t = req_at[c];
					which = 2 + c;
				}
			/* a world with nothing left to happen takes what is pending (restarts,
			 * heals) but no new fault or request: the run ends when that is done */
			if (which >= 0 && next < 0 && which != 1)
				which = d.npend ? 1 : -1;
			if (which == 1)
				t = d.pend[0].at_us;
			if (which >= 0 && (next < 0 || next > t)) {
				if (which == 0) {
					sw_decide(&d, plan, &r, t);
					decide_at = t + rng_range(&r, plan->fo.gap_lo_us, plan->fo.gap_hi_us);
				} else if (which == 1) {
					sw_act a = d.pend[0];
					memmove(d.pend, d.pend + 1, (size_t)--d.npend * sizeof d.pend[0]);
					sw_take(&d, a);
				} else {
					int c = which - 2;
					sw_act a = sw_act_of(SW_REQUEST, sc->nnodes + c, t);
					a.value = ++d.next_value;
					sw_take(&d, a);
					req_at[c] = t + rng_range(&r, plan->req_lo_us, plan->req_hi_us);
				}
				continue;
			}
		}
		if (next < 0)
			break;
		d.stepping = true;
		d.nhit = d.nsent = 0;
		st = sim_step(s);
		d.stepping = false;
		if (st == SIM_IDLE && (!replay || ri >= replay->n))
			break;
		if (cover) {
			for (int q = 0; q < sc->nprocs; q++)
				up[q] = sim_proc_status_of(s, q) != PROC_CRASHED;
			if (sw_seen_add(e, sc->protocol->abstract(&view)))
				res->new_states++;
		}
		if (plan && st == SIM_OK)
			for (int h = 0; h < d.nhit; h++)
				for (int t = 0; t < plan->ntrig; t++)
					if (trig_left[t] > 0 && plan->trig[t].moment == d.hit[h].moment) {
						trig_left[t]--;
						sw_fire(&d, plan, t, d.hit[h].proc, &r);
					}
	}
	uint32_t vev;
	const st_violation *v = sim_violation(s, &vev);
	if (d.tviol) {
		v = &d.tv;
		vev = d.tv_ev;
	}
	res->status = v ? SIM_VIOLATION : st;
	if (v) {
		snprintf(res->invariant, sizeof res->invariant, "%s", v->invariant);
		snprintf(res->detail, sizeof res->detail, "%s", v->detail);
		res->viol_ev = vev;
	}
	res->steps = sim_steps(s);
	res->events = sim_events(s);
	res->requests = d.requests;
	if (plan && res->new_states && e->ncorpus < 4096) {
		st_grow32(&e->corpus, &e->corpus_cap, (size_t)e->ncorpus + 1, sizeof *e->corpus);
		e->corpus[e->ncorpus++] = *plan;
	}
	if (d.tc)
		pr->trace_check_free(d.tc);
	if (w)
		res->export_ok = tj_close(w, res->export_err, sizeof res->export_err) == 0;
	sim_free(s);
	trace_free(tr);
}

void sw_learn_moments(sw_engine *e, uint64_t steps)
{
	sw_result res;
	sw_run(e, SW_CHECK_STATE, e->sc->seed, NULL, NULL, NULL, steps, NULL, NULL, NULL, &res);
}
