/* sim_ctx.c: the protocol's context, the one door through which a protocol acts on the world
 * (see protocol.h and sim_internal.h).
 *
 * Labels are the simulator's business, not the protocol's: a handler may meet several moments
 * worth a label (a higher term, an append, a commit), and offers each with a priority; the
 * highest stands (a later one of equal priority replaces an earlier), and when the handler ends
 * it goes on the event handled. A timer event keeps its timer's name as its label, so what a
 * timer's handler decides becomes a local step of its own, placed right before that process's
 * next event (or at the end of the handler): the decision ("became candidate") reads before the
 * messages it causes. Protocols therefore never buffer labels. */
#include "sim_internal.h"

static st_sim *ctx_sim(st_ctx *c) { return c->impl; }

/* The standing label of process p's handler becomes what it labels. */
static void ctx_flush_label(st_sim *s, int p)
{
	sim_label *l = &s->lbl[p];
	if (!l->set)
		return;
	l->set = false;
	const char *text = l->has_text ? l->text : NULL, *note = l->note[0] ? l->note : NULL;
	uint32_t id = s->trigger_ev[p];
	st_event *e = sim_ev(s, id);
	if (e && e->kind == KIND_TIMER && text) {
		uint32_t lid = sim_emit(s, KIND_LOCAL, p, 0, BY_NONE, 0);
		sim_label_event(s, lid, text, note, l->flags);
		s->touched[p] = true;
		s->state_ev[p] = s->trigger_ev[p] = lid;
		return;
	}
	sim_label_event(s, id, text, note, l->flags);
}

/* Before process p emits an event of its own: a timer handler's decision comes first. */
static void ctx_before_emit(st_sim *s, int p)
{
	st_event *e = sim_ev(s, s->trigger_ev[p]);
	if (s->lbl[p].set && e && e->kind == KIND_TIMER)
		ctx_flush_label(s, p);
}

void sim_ctx_handled(st_sim *s, int p) { ctx_flush_label(s, p); }

static void ctx_send(st_ctx *c, int to, int type, const void *body, size_t len)
{
	st_sim *s = ctx_sim(c);
	ctx_before_emit(s, c->self);
	net_send(s, c->self, to, type, body, len);
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
	sim_queue_push(s, tm->fire_us, Q_TIMER, c->self, (uint16_t)timer, tm->gen);
}

static void ctx_cancel_timer(st_ctx *c, int timer)
{
	st_sim *s = ctx_sim(c);
	if (timer < 0 || timer >= s->proto->n_timers || timer >= ST_MAX_TIMERS)
		sim_fatal_protocol(s, "cancel_timer() with a bad timer");
	s->c.timer[c->self][timer].gen++;
	s->c.timer[c->self][timer].pending = false;
}

static void ctx_local(st_ctx *c, const char *label, const char *note, const st_kv *body,
		      int nbody, int flags)
{
	st_sim *s = ctx_sim(c);
	ctx_before_emit(s, c->self);
	uint32_t id = sim_emit(s, KIND_LOCAL, c->self, 0, BY_NONE, 0);
	sim_label_event(s, id, label, note, flags);
	if (body && nbody > 0)
		sim_set_body(s, id, body, nbody);
	s->touched[c->self] = true;
}

static bool ctx_label(st_ctx *c, const char *label, const char *note, int flags)
{
	st_sim *s = ctx_sim(c);
	sim_label *l = &s->lbl[c->self];
	int prio = ST_LABEL_PRIO_OF(flags);
	if (l->set && prio < l->prio)
		return false;
	l->set = true;
	l->prio = prio;
	l->flags = flags;
	l->has_text = label != NULL;
	snprintf(l->text, sizeof l->text, "%s", label ? label : "");
	snprintf(l->note, sizeof l->note, "%s", note ? note : "");
	return true;
}

static void ctx_label_note(st_ctx *c, const char *note)
{
	sim_label *l = &ctx_sim(c)->lbl[c->self];
	if (l->set)
		snprintf(l->note, sizeof l->note, "%s", note ? note : "");
}

static uint64_t ctx_random(st_ctx *c) { return rng_next(&ctx_sim(c)->c.rng); }

int64_t sim_local_clock_us(const st_sim *s, int p)
{
	int64_t t = s->c.now_us;
	return t + s->c.skew_us[p] + t / 1000000 * s->c.drift_ppm[p] +
	       (t % 1000000) * s->c.drift_ppm[p] / 1000000;
}

static int64_t ctx_now_us(st_ctx *c) { return sim_local_clock_us(ctx_sim(c), c->self); }

void sim_ctx_complete(st_sim *s, int p, const st_op *op, st_optype type)
{
	if (p < s->nn)
		sim_fatal_protocol(s, "complete() from a node");
	sim_client *cl = &s->c.client[p - s->nn];
	if (!cl->busy)
		return;  /* a late second answer: the op is already complete */
	ctx_flush_label(s, p);  /* the complete becomes what the handler labels from here on */
	uint32_t id = sim_emit(s, KIND_COMPLETE, p, op->invoke, BY_NONE, type);
	st_kv body[2] = {{"f", ST_V_STR, 0, op->f}, {"value", ST_V_INT, op->value, NULL}};
	if (!op->has_value)
		body[1].type = ST_V_NULL;
	sim_set_body(s, id, body, 2);
	sim_touch(s, p, id, false);
	cl->busy = false;
	cl->ops_done++;
	if (cl->npend > 0)
		sim_client_next(s, p, 0);
	else if (cl->ops_started < s->sc->workload_ops)
		sim_client_next(s, p, rng_range(&s->c.rng, s->sc->think_lo_us, s->sc->think_hi_us));
}

static void ctx_complete(st_ctx *c, const st_op *op, st_optype type)
{
	sim_ctx_complete(ctx_sim(c), c->self, op, type);
}

const struct st_ctx_ops sim_ctx_ops = {
	.send = ctx_send, .set_timer = ctx_set_timer, .cancel_timer = ctx_cancel_timer,
	.label = ctx_label, .label_note = ctx_label_note, .local = ctx_local,
	.random = ctx_random, .now_us = ctx_now_us, .complete = ctx_complete,
};
