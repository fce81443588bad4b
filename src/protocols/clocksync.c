/* clocksync.c: physical clock synchronisation, Cristian's algorithm with NTP's four timestamps.
 *
 * The lesson on physical time (lecture 3 of Kleppmann's course, DDIA chapter 8 "Unreliable
 * clocks"). Every process has a quartz clock that is off by a skew and runs fast or slow by a
 * drift (the scenario's "clocks"; the protocol reads it with st_now_us, the only clock a real
 * process has). n1 is the time server. Every other node asks it the time now and then:
 *
 *   t1  the client sends a request            (client's clock)
 *   t2  the server receives it                (server's clock)
 *   t3  the server replies                    (server's clock)
 *   t4  the client receives the reply         (client's clock)
 *
 *   offset      θ = ((t2 - t1) + (t3 - t4)) / 2
 *   round trip  δ = (t4 - t1) - (t3 - t2)
 *
 * and sets corrected = local + θ. The client cannot know how δ split between the two
 * directions, so the corrected clock is within δ/2 of the server's, and drifts away from it
 * again until the next round. That error bound is the point of the lesson, and the invariant
 * checks it against true time (which the checker sees and the protocol never does).
 *
 * Deliberate choices, each a why:
 * - The correction is a term kept beside the raw clock (corrected = local + correction), set
 *   afresh from each round, so the arithmetic shows as is. A real NTP daemon slews the clock
 *   gradually rather than stepping it, so time never runs backwards; here a step is the
 *   clearer picture.
 * - The server holds each request for server_delay_ms (its processing time), one at a time,
 *   so t3 - t2 is not zero and the formula's correction for it shows.
 * - The correction is volatile: after a crash a node runs on its raw clock until it syncs
 *   again. The request number is persistent, so a reply to a request from before the crash
 *   can never be taken for a new one. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clocksync.h"

/* ---------------------------------------------------------------------------------------- */
/* Tables                                                                                     */

static const char *const clocksync_msg_names[CLOCKSYNC_MSG__COUNT] = {
	[CLOCKSYNC_MSG_REQ] = "TimeRequest",
	[CLOCKSYNC_MSG_REPLY] = "TimeReply",
};

static const char *const clocksync_timer_names[CLOCKSYNC_T__COUNT] = {
	[CLOCKSYNC_T_POLL] = "poll",
	[CLOCKSYNC_T_SERVE] = "serve",
};

static const st_param_spec clocksync_params[CLOCKSYNC_P__COUNT] = {
	[CLOCKSYNC_P_POLL] = {"poll_ms", ST_P_RANGE, 1, 3600000, 400, 600, NULL,
			      "a node asks the time server again after a random time in this range"},
	[CLOCKSYNC_P_SERVER_DELAY] = {"server_delay_ms", ST_P_INT, 0, 60000, 3, 3, NULL,
				      "how long the server holds a request between t2 and t3 (its "
				      "processing time); requests wait their turn"},
	[CLOCKSYNC_P_MAX_DRIFT] = {"max_drift_ppm", ST_P_INT, 0, 100000, 500, 500, NULL,
				   "the drift the error bound allows for (microseconds per second); "
				   "the invariant fails if a clock drifts faster"},
	[CLOCKSYNC_P_FILTER] = {"filter", ST_P_BOOL, 0, 1, 0, 0, NULL,
				"keep the current offset when a new round's bound (δ/2) is worse than "
				"the current one's, grown by drift since (NTP keeps its best samples)"},
};

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                    */

/* Milliseconds with one decimal: "-40.2". */
typedef struct { char s[24]; } clocksync_txt;
static clocksync_txt clocksync_ms(int64_t us)
{
	clocksync_txt t;
	int64_t a = us < 0 ? -us : us;
	long long whole = (long long)(a / 1000), tenth = (long long)((a % 1000 + 50) / 100);
	if (tenth == 10) {
		whole++;
		tenth = 0;
	}
	snprintf(t.s, sizeof t.s, "%s%lld.%lld", us < 0 && (whole || tenth) ? "-" : "", whole,
		 tenth);
	return t;
}

static void clocksync_cfg_load(clocksync_cfg *cfg, const st_param_val *p)
{
	st_param_val def[CLOCKSYNC_P__COUNT];
	if (!p) {       /* no scenario (a unit test, a tool): the table's defaults */
		for (int i = 0; i < CLOCKSYNC_P__COUNT; i++) {
			def[i].lo = clocksync_params[i].def_lo;
			def[i].hi = clocksync_params[i].def_hi;
		}
		p = def;
	}
	memset(cfg, 0, sizeof *cfg);
	cfg->poll_lo_us = p[CLOCKSYNC_P_POLL].lo * 1000;
	cfg->poll_hi_us = p[CLOCKSYNC_P_POLL].hi * 1000;
	cfg->server_delay_us = p[CLOCKSYNC_P_SERVER_DELAY].lo * 1000;
	cfg->max_drift_ppm = p[CLOCKSYNC_P_MAX_DRIFT].lo;
	cfg->filter = p[CLOCKSYNC_P_FILTER].lo != 0;
}

void clocksync_compute(clocksync_round *r)
{
	r->theta = ((r->t2 - r->t1) + (r->t3 - r->t4)) / 2;
	r->delta = (r->t4 - r->t1) - (r->t3 - r->t2);
}

int64_t clocksync_bound_us(const clocksync_round *r, int64_t now_local_us, int64_t server_err_us,
			   int64_t max_drift_ppm)
{
	int64_t since = now_local_us - r->t1;
	if (since < 0)
		since = 0;
	/* 2 rho (since): the client's drift spoils both the measured round trip and, from then
	 * on, the corrected clock; 5 us: the halvings and the clocks' whole microseconds. */
	int64_t drift = since / 1000000 * 2 * max_drift_ppm +
			(since % 1000000) * 2 * max_drift_ppm / 1000000 + 1;
	int64_t half = r->delta > 0 ? (r->delta + 1) / 2 : 0;
	return half + server_err_us + drift + 5;
}

/* Every handler starts here: an event of this process, and a reading of its own clock. */
static void clocksync_event(st_ctx *c, clocksync_state *s)
{
	s->events++;
	s->local_us = st_now_us(c);
}

static bool clocksync_is_server(const st_ctx *c) { return c->self == CLOCKSYNC_SERVER; }

static void clocksync_arm_poll(st_ctx *c, const clocksync_state *s, bool first)
{
	/* the first rounds are spread over one poll interval, so they do not come together */
	int64_t lo = first ? 1000 : s->cfg.poll_lo_us;
	int64_t hi = first ? s->cfg.poll_lo_us : s->cfg.poll_hi_us;
	st_set_timer(c, CLOCKSYNC_T_POLL, st_random_range(c, lo, hi > lo ? hi : lo));
}

/* ---------------------------------------------------------------------------------------- */
/* The client side (every node but n1)                                                        */

static void clocksync_poll(st_ctx *c, clocksync_state *s)
{
	s->seq++;
	s->t1 = s->local_us;
	s->waiting = true;
	clocksync_req m;
	memset(&m, 0, sizeof m);
	m.seq = s->seq;
	m.t1 = s->t1;
	st_send(c, CLOCKSYNC_SERVER, CLOCKSYNC_MSG_REQ, &m, sizeof m);
	clocksync_arm_poll(c, s, false);
}

/* filter: is this round's bound worse than what the current correction still guarantees?
 * Then say so and keep the current one (a slow, lopsided round trip is a poor sample). */
static bool clocksync_reject(st_ctx *c, clocksync_state *s, const clocksync_round *r)
{
	int64_t now_bound = clocksync_bound_us(&s->last, r->t4, 0, s->cfg.max_drift_ppm);
	int64_t new_bound = clocksync_bound_us(r, r->t4, 0, s->cfg.max_drift_ppm);
	if (new_bound <= now_bound)
		return false;
	s->rejected++;
	char label[64], note[400];
	clocksync_txt nb = clocksync_ms(r->delta / 2), ob = clocksync_ms(now_bound);
	snprintf(label, sizeof label, "δ=%s: kept old θ", clocksync_ms(r->delta).s);
	snprintf(note, sizeof note, "filter: this round trip took %s ms, so its offset is only "
		 "good to ±%s ms, while the current correction, grown by drift since its round, is "
		 "still good to ±%s ms. n%d keeps the current one, as NTP keeps its best samples.",
		 clocksync_ms(r->delta).s, nb.s, ob.s, c->self + 1);
	st_label(c, label, note, 0);
	return true;
}

static void clocksync_on_reply(st_ctx *c, clocksync_state *s, const clocksync_reply *m)
{
	if (!s->waiting || m->seq != s->seq || m->t1 != s->t1) {
		st_label(c, "late reply: ignored", "A reply to an earlier request (lost, "
			 "duplicated or overtaken by a newer one). Its t1 is not the one in flight, "
			 "so it says nothing about this round.", 0);
		return;
	}
	s->waiting = false;
	clocksync_round r = {m->t1, m->t2, m->t3, s->local_us, 0, 0};
	clocksync_compute(&r);
	if (s->cfg.filter && s->synced && clocksync_reject(c, s, &r))
		return;
	s->last = r;
	s->correction_us = r.theta;
	s->synced = true;
	s->syncs++;

	char label[128], note[1024];
	int me = c->self + 1;
	int64_t tb = r.t3 - r.t4;       /* written as "a - 49.6", not "a + -49.6" */
	clocksync_txt t1 = clocksync_ms(r.t1), t2 = clocksync_ms(r.t2), t3 = clocksync_ms(r.t3),
		      t4 = clocksync_ms(r.t4), a = clocksync_ms(r.t2 - r.t1),
		      b = clocksync_ms(tb < 0 ? -tb : tb), th = clocksync_ms(r.theta),
		      rt = clocksync_ms(r.t4 - r.t1), hold = clocksync_ms(r.t3 - r.t2),
		      d = clocksync_ms(r.delta), half = clocksync_ms(r.delta / 2);
	snprintf(label, sizeof label, "θ=%s δ=%s ±%s", th.s, d.s, half.s);
	snprintf(note, sizeof note, "n%d sent at t1=%s on its own clock; n1 stamped t2=%s and "
		 "t3=%s; the reply came back at t4=%s. Offset θ = ((t2-t1)+(t3-t4))/2 = "
		 "(%s %s %s)/2 = %s ms; round trip δ = (t4-t1)-(t3-t2) = %s - %s = %s ms. n%d "
		 "cannot tell how δ split between the two ways, so its corrected clock is within "
		 "δ/2 = %s ms of n1's.", me, t1.s, t2.s, t3.s, t4.s, a.s, tb < 0 ? "-" : "+", b.s,
		 th.s, rt.s, hold.s,
		 d.s, me, half.s);
	st_kv body[7] = {
		{.key = "t1", .type = ST_V_INT, .i = r.t1},
		{.key = "t2", .type = ST_V_INT, .i = r.t2},
		{.key = "t3", .type = ST_V_INT, .i = r.t3},
		{.key = "t4", .type = ST_V_INT, .i = r.t4},
		{.key = "theta", .type = ST_V_INT, .i = r.theta},
		{.key = "delta", .type = ST_V_INT, .i = r.delta},
		{.key = "max_drift_ppm", .type = ST_V_INT, .i = s->cfg.max_drift_ppm},
	};
	st_local(c, label, note, body, 7, ST_LABEL_MILESTONE);
}

/* ---------------------------------------------------------------------------------------- */
/* The server side (n1)                                                                       */

static void clocksync_on_request(st_ctx *c, clocksync_state *s, int from, const clocksync_req *m)
{
	char label[48], note[512];
	if (s->nheld >= CLOCKSYNC_QUEUE) {
		s->refused++;
		snprintf(note, sizeof note, "n1 already holds %d requests: it drops this one. n%d "
			 "will ask again at its next poll.", CLOCKSYNC_QUEUE, from + 1);
		st_label(c, "busy: dropped", note, 0);
		return;
	}
	clocksync_held *h = &s->held[(s->head + s->nheld++) % CLOCKSYNC_QUEUE];
	h->from = from;
	h->seq = m->seq;
	h->t1 = m->t1;
	h->t2 = s->local_us;
	snprintf(label, sizeof label, "t2=%s", clocksync_ms(h->t2).s);
	snprintf(note, sizeof note, "n1 stamps the request's arrival with its own clock: t2 = %s "
		 "ms. It replies after %s ms of processing, stamping t3, so the client can take "
		 "the time spent at the server out of the round trip.", clocksync_ms(h->t2).s,
		 clocksync_ms(s->cfg.server_delay_us).s);
	st_label(c, label, note, 0);
	if (!s->serving) {
		s->serving = true;
		st_set_timer(c, CLOCKSYNC_T_SERVE, s->cfg.server_delay_us);
	}
}

static void clocksync_serve(st_ctx *c, clocksync_state *s)
{
	if (s->nheld == 0) {
		s->serving = false;
		return;
	}
	clocksync_held h = s->held[s->head];
	s->head = (s->head + 1) % CLOCKSYNC_QUEUE;
	s->nheld--;
	clocksync_reply r;
	memset(&r, 0, sizeof r);
	r.seq = h.seq;
	r.t1 = h.t1;
	r.t2 = h.t2;
	r.t3 = s->local_us;
	st_send(c, h.from, CLOCKSYNC_MSG_REPLY, &r, sizeof r);
	s->served++;
	if (s->nheld > 0)
		st_set_timer(c, CLOCKSYNC_T_SERVE, s->cfg.server_delay_us);
	else
		s->serving = false;
}

/* ---------------------------------------------------------------------------------------- */
/* Entry points                                                                               */

static void clocksync_init(st_ctx *c, void *state, const st_param_val *params)
{
	clocksync_state *s = state;
	memset(s, 0, sizeof *s);
	clocksync_cfg_load(&s->cfg, params);
	if (c->role != ST_ROLE_NODE)
		return;
	s->server = clocksync_is_server(c);
	clocksync_event(c, s);
	if (!s->server)
		clocksync_arm_poll(c, s, true);
}

static void clocksync_on_message(st_ctx *c, void *state, const st_msg *msg)
{
	clocksync_state *s = state;
	if (c->role != ST_ROLE_NODE || !msg->body || msg->from < 0 || msg->from >= c->nnodes)
		return;
	clocksync_event(c, s);
	if (msg->type == CLOCKSYNC_MSG_REQ && clocksync_is_server(c) &&
	    msg->len >= sizeof(clocksync_req)) {
		clocksync_req m;
		memcpy(&m, msg->body, sizeof m);
		clocksync_on_request(c, s, msg->from, &m);
	} else if (msg->type == CLOCKSYNC_MSG_REPLY && !clocksync_is_server(c) &&
		   msg->len >= sizeof(clocksync_reply)) {
		clocksync_reply m;
		memcpy(&m, msg->body, sizeof m);
		clocksync_on_reply(c, s, &m);
	}
}

static void clocksync_on_timer(st_ctx *c, void *state, int timer)
{
	clocksync_state *s = state;
	if (c->role != ST_ROLE_NODE)
		return;
	clocksync_event(c, s);
	if (timer == CLOCKSYNC_T_POLL && !clocksync_is_server(c))
		clocksync_poll(c, s);
	else if (timer == CLOCKSYNC_T_SERVE && clocksync_is_server(c))
		clocksync_serve(c, s);
}

/* Spacetime's clients (c1..) have no part in this lesson; answer at once. */
static void clocksync_on_client(st_ctx *c, void *state, const st_op *op)
{
	clocksync_state *s = state;
	if (c->role != ST_ROLE_CLIENT)
		return;
	s->ops++;
	st_complete(c, op, ST_OP_OK);
}

static void clocksync_on_restart(st_ctx *c, void *state, const st_param_val *params)
{
	clocksync_state *s = state;
	clocksync_cfg_load(&s->cfg, params);
	if (c->role != ST_ROLE_NODE)
		return;
	clocksync_event(c, s);
	/* volatile: the correction, the round in flight, the server's queue */
	s->correction_us = 0;
	s->synced = s->waiting = false;
	s->head = s->nheld = 0;
	s->serving = false;
	if (clocksync_is_server(c))
		st_cancel_timer(c, CLOCKSYNC_T_SERVE);
	else
		clocksync_arm_poll(c, s, true);
}

/* The row must fit beside the poll timer's bar in an 80-column nodes pane (the pane drops
 * protocol keys before timer bars), so the keys are short and the values plain milliseconds:
 * raw (the local quartz clock as read), corr (corrected = raw + θ), θ (the last offset), δ
 * (the last round trip) and ± (the error bound, δ/2). The
 * server shows only keys the others have, so no column exists for one row: its clock is the
 * reference, corrected by nothing. */
static void clocksync_describe(const void *state, st_role role, st_sink *k)
{
	const clocksync_state *s = state;
	char b[40];
	if (role != ST_ROLE_NODE) {
		k->kv_int(k, "ops", s->ops);
		return;
	}
	k->kv_str(k, "raw", clocksync_ms(s->local_us).s);
	if (s->server) {
		k->kv_str(k, "corr", clocksync_ms(s->local_us).s);  /* the reference: no correction */
		return;
	}
	k->kv_str(k, "corr", s->synced ? clocksync_ms(s->local_us + s->correction_us).s : "unsynced");
	snprintf(b, sizeof b, "%s%s", s->last.theta > 0 ? "+" : "", clocksync_ms(s->last.theta).s);
	k->kv_str(k, "θ", s->syncs ? b : "-");
	k->kv_str(k, "δ", s->syncs ? clocksync_ms(s->last.delta).s : "-");
	k->kv_str(k, "±", s->syncs ? clocksync_ms(s->last.delta / 2).s : "-");
}

static void clocksync_encode(int type, const void *body, size_t len, st_sink *k)
{
	if (!body)
		return;
	if (type == CLOCKSYNC_MSG_REQ && len >= sizeof(clocksync_req)) {
		clocksync_req m;
		memcpy(&m, body, sizeof m);
		k->kv_int(k, "seq", m.seq);
		k->kv_int(k, "t1", m.t1);
	} else if (type == CLOCKSYNC_MSG_REPLY && len >= sizeof(clocksync_reply)) {
		clocksync_reply m;
		memcpy(&m, body, sizeof m);
		k->kv_int(k, "seq", m.seq);
		k->kv_int(k, "t1", m.t1);
		k->kv_int(k, "t2", m.t2);
		k->kv_int(k, "t3", m.t3);
	}
}

/* ---------------------------------------------------------------------------------------- */
/* The invariant, over process states                                                         */

static int64_t clocksync_abs(int64_t x) { return x < 0 ? -x : x; }

/* The checker knows true time (v->now_us) and sees a process's state change in the step it
 * acted in, when local_us is the reading of its clock at that true time. So it measures the
 * server's error as it goes, and holds every synced node that acts to its error bound. */
static bool clocksync_check(void *check_state, const st_param_val *params, const st_view *v,
			    st_violation *out)
{
	(void)params;
	clocksync_checker *k = check_state;
	if (!k || !v || !v->states || !out)
		return true;
	out->detail[0] = '\0';
	int nn = v->nnodes < ST_MAX_PROCS ? v->nnodes : ST_MAX_PROCS;
	if (nn < 1)
		return true;
	const clocksync_state *srv = v->states[CLOCKSYNC_SERVER];
	if (srv->events && (!k->seen[0] || srv->events != k->events[0])) {
		int64_t e = clocksync_abs(srv->local_us - v->now_us);
		if (e > k->server_err_us)
			k->server_err_us = e;
		k->seen[0] = true;
		k->events[0] = srv->events;
	}
	for (int p = 1; p < nn; p++) {
		const clocksync_state *s = v->states[p];
		if (!s->events || (k->seen[p] && s->events == k->events[p]))
			continue;
		k->seen[p] = true;
		k->events[p] = s->events;
		if (!s->synced)
			continue;
		const clocksync_round *r = &s->last;
		clocksync_round want = *r;
		clocksync_compute(&want);
		if (want.theta != r->theta || want.delta != r->delta)
			return st_violate(out, "round arithmetic", "n%d computed offset %lld us "
					      "and round trip %lld us from its four timestamps, "
					      "which give %lld and %lld", p + 1, (long long)r->theta,
					      (long long)r->delta, (long long)want.theta,
					      (long long)want.delta);
		if (s->correction_us != r->theta)
			return st_violate(out, "round arithmetic", "n%d's correction %lld us is "
					      "not its last offset %lld us", p + 1,
					      (long long)s->correction_us, (long long)r->theta);
		int64_t err = s->local_us + s->correction_us - v->now_us;
		int64_t bound = clocksync_bound_us(r, s->local_us, k->server_err_us,
						   s->cfg.max_drift_ppm);
		if (clocksync_abs(err) > bound)
			return st_violate(out, "error bound", "n%d's corrected clock reads "
					      "%s ms at true time %s ms: off by %s ms, beyond its "
					      "bound of %s ms (delta/2 %s, n1's error %s, drift)", p + 1,
					      clocksync_ms(s->local_us + s->correction_us).s,
					      clocksync_ms(v->now_us).s, clocksync_ms(err).s,
					      clocksync_ms(bound).s, clocksync_ms(r->delta / 2).s,
					      clocksync_ms(k->server_err_us).s);
	}
	return true;
}

/* ---------------------------------------------------------------------------------------- */
/* The invariant, over a trace (--verify)                                                     */

/* The trace has true time on every event: a reply sent by n1 (its body's t3) measures n1's
 * error; a sync (a local event with the round in its body) is checked for its arithmetic and
 * against its error bound at that moment. */
typedef struct {
	int64_t server_err_us;
} clocksync_tc;

static void *clocksync_trace_check_new(const st_trace_info *info)
{
	(void)info;
	return calloc(1, sizeof(clocksync_tc));
}

static bool clocksync_trace_check(void *tcv, const st_tev *e, st_violation *out)
{
	clocksync_tc *tc = tcv;
	if (!tc || !e || !out || !e->kind || e->proc < 0 || !e->body_int)
		return true;
	out->detail[0] = '\0';
	int64_t t3, t2;
	if (e->proc == CLOCKSYNC_SERVER && strcmp(e->kind, "send") == 0 &&
	    e->body_int(e, "t3", &t3) && e->body_int(e, "t2", &t2)) {
		/* at t3 the event's time is true time; t2 was read t3 - t2 (server time)
		 * earlier, when the error differed by at most the drift over the hold */
		int64_t err = clocksync_abs(t3 - e->t) + clocksync_abs(t3 - t2) / 10;
		if (err > tc->server_err_us)
			tc->server_err_us = err;
		return true;
	}
	if (strcmp(e->kind, "local") != 0)
		return true;
	clocksync_round r;
	int64_t rho;
	if (!e->body_int(e, "t1", &r.t1) || !e->body_int(e, "t2", &r.t2) ||
	    !e->body_int(e, "t3", &r.t3) || !e->body_int(e, "t4", &r.t4) ||
	    !e->body_int(e, "theta", &r.theta) || !e->body_int(e, "delta", &r.delta) ||
	    !e->body_int(e, "max_drift_ppm", &rho))
		return true;
	clocksync_round want = r;
	clocksync_compute(&want);
	if (want.theta != r.theta || want.delta != r.delta)
		return st_violate(out, "round arithmetic", "n%d's sync says offset %lld us and "
				      "round trip %lld us; its timestamps give %lld and %lld",
				      e->proc + 1, (long long)r.theta, (long long)r.delta,
				      (long long)want.theta, (long long)want.delta);
	int64_t err = r.t4 + r.theta - e->t;
	int64_t bound = clocksync_bound_us(&r, r.t4, tc->server_err_us, rho);
	if (clocksync_abs(err) > bound)
		return st_violate(out, "error bound", "n%d's corrected clock is off true time "
				      "by %lld us right after a sync, beyond its bound of %lld us",
				      e->proc + 1, (long long)err, (long long)bound);
	return true;
}

static bool clocksync_trace_check_end(void *tc, st_violation *out)
{
	(void)tc;
	(void)out;
	return true;
}

static void clocksync_trace_check_free(void *tc) { free(tc); }

const st_protocol clocksync_protocol = {
	.name = "clocksync",
	.version = "1",
	.summary = "Clock synchronisation with a time server: offset, round trip, error bound",
	.state_size = sizeof(clocksync_state),
	.max_msg_size = sizeof(clocksync_reply),
	.msg_types = clocksync_msg_names, .n_msg_types = CLOCKSYNC_MSG__COUNT,
	.timer_names = clocksync_timer_names, .n_timers = CLOCKSYNC_T__COUNT,
	.params = clocksync_params, .n_params = CLOCKSYNC_P__COUNT,
	.init = clocksync_init,
	.on_message = clocksync_on_message,
	.on_timer = clocksync_on_timer,
	.on_client = clocksync_on_client,
	.on_restart = clocksync_on_restart,
	.describe = clocksync_describe,
	.encode = clocksync_encode,
	.check_size = sizeof(clocksync_checker),
	.check = clocksync_check,
	.trace_check_new = clocksync_trace_check_new,
	.trace_check = clocksync_trace_check,
	.trace_check_end = clocksync_trace_check_end,
	.trace_check_free = clocksync_trace_check_free,
};
