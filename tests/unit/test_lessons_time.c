/* test_lessons_time.c: the protocols of the lessons on time and system models (chatter,
 * clocksync, heartbeat, rpc), each rule once, against a fake context; then the same protocols
 * in the real simulator, and the shipped lesson files against the runs they narrate.
 *
 * The fake context records what a handler sent, which timers it set, how it labelled the
 * event, which local steps it recorded (with their bodies) and which client operations it
 * completed; it hands out queued "random" numbers and a local clock the test sets, so each
 * rule is driven exactly: the Lamport and vector receive rules, the offset and round-trip
 * arithmetic, a suspicion exactly at the timeout, a double apply without request ids and a
 * single one with them. The checkers are shown to catch what they exist to catch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/scenario.h"
#include "core/sim.h"
#include "core/trace.h"
#include "src/protocols/chatter.h"
#include "src/protocols/clocksync.h"
#include "src/protocols/heartbeat.h"
#include "src/protocols/rpc.h"

#define MS 1000

/* ---------------------------------------------------------------------------------------- */
/* The fake context (fake_ctx.h)                                                              */

#include "fake_ctx.h"

/* A fake whose "random" gives what the test queued with fk_rand, then 0: a test says exactly
 * what "random" gives. */
static fake *new_fake(int self, int nnodes, int nclients)
{
	fake *f = fk_new(self, nnodes, nclients);
	fk_rand(f, 0);
	return f;
}

/* The protocol's defaults, with named overrides (name, lo, hi; NULL ends). */
static st_param_val params[ST_MAX_PARAMS];
static const st_param_val *mkparams(const st_protocol *p, ...)
{
	for (int i = 0; i < p->n_params; i++) {
		params[i].lo = p->params[i].def_lo;
		params[i].hi = p->params[i].type == ST_P_RANGE ? p->params[i].def_hi :
			       p->params[i].def_lo;
	}
	va_list ap;
	va_start(ap, p);
	for (const char *name; (name = va_arg(ap, const char *)) != NULL;) {
		int64_t lo = va_arg(ap, int64_t), hi = va_arg(ap, int64_t);
		int k = 0;
		while (k < p->n_params && strcmp(p->params[k].name, name) != 0)
			k++;
		assert_true(k < p->n_params);
		params[k].lo = lo;
		params[k].hi = hi;
	}
	va_end(ap);
	return params;
}
#define P(name, lo, hi) name, (int64_t)(lo), (int64_t)(hi)

/* A sink that keeps describe()'s string and integer values, to look keys up. */
typedef struct { char key[24][24], val[24][48]; int n; } kv_list;
static void kl_add(st_sink *s, const char *k, const char *v)
{
	kv_list *l = s->user;
	if (l->n < 24) {
		snprintf(l->key[l->n], sizeof l->key[0], "%s", k);
		snprintf(l->val[l->n], sizeof l->val[0], "%s", v);
		l->n++;
	}
}
static void kl_int(st_sink *s, const char *k, int64_t v)
{
	char b[32];
	snprintf(b, sizeof b, "%lld", (long long)v);
	kl_add(s, k, b);
}
static void kl_str(st_sink *s, const char *k, const char *v) { kl_add(s, k, v); }
static void kl_proc(st_sink *s, const char *k, int p) { kl_int(s, k, p); }
static void kl_bool(st_sink *s, const char *k, bool v) { kl_add(s, k, v ? "true" : "false"); }
static void kl_begin(st_sink *s, const char *k, bool a) { (void)s, (void)k, (void)a; }
static void kl_end(st_sink *s) { (void)s; }

static const char *describe_get(const st_protocol *p, const void *state, st_role role,
				const char *key)
{
	static kv_list l;
	memset(&l, 0, sizeof l);
	st_sink s = {kl_int, kl_str, kl_proc, kl_bool, kl_begin, kl_end, &l};
	p->describe(state, role, &s);
	for (int i = 0; i < l.n; i++)
		if (strcmp(l.key[i], key) == 0)
			return l.val[i];
	return NULL;
}

static void *zalloc(size_t n)
{
	void *p = calloc(1, n);
	assert_non_null(p);
	return p;
}

/* ---------------------------------------------------------------------------------------- */
/* chatter: the Lamport and vector clock rules                                               */

static void chatter_deliver(fake *f, chatter_state *s, int from, uint64_t L, const uint32_t *vc,
			    int n)
{
	chatter_msg m;
	memset(&m, 0, sizeof m);
	m.clock = (uint8_t)s->cfg.clock;
	m.n = (uint8_t)n;
	m.L = L;
	if (vc)
		memcpy(m.vc, vc, (size_t)n * sizeof m.vc[0]);
	st_msg msg = {from, f->ctx.self, CHATTER_MSG_CHAT, &m, CHATTER_MSG_LEN(n)};
	fk_clear(f);
	chatter_protocol.on_message(&f->ctx, s, &msg);
}

static void test_chatter_lamport_rules(void **st)
{
	(void)st;
	const st_protocol *p = &chatter_protocol;
	fake *f = new_fake(1, 4, 0);
	chatter_state *s = zalloc(p->state_size);
	p->init(&f->ctx, s, mkparams(p, NULL));
	assert_int_equal(s->L, 1);                      /* the start is an event */
	assert_true(f->timer_on[CHATTER_T_TICK]);

	/* a wake-up that sends (5 < send_percent 60) to peer 0 (n1): tick + send */
	fk_clear(f);
	fk_rand(f, 3, (uint64_t)5, (uint64_t)0, (uint64_t)0);
	p->on_timer(&f->ctx, s, CHATTER_T_TICK);
	assert_int_equal(s->L, 3);
	assert_int_equal(f->nsent, 1);
	assert_int_equal(f->sent[0].to, 0);
	chatter_msg m;
	memcpy(&m, f->sent[0].body, f->sent[0].len);
	assert_int_equal(m.L, 3);                       /* the message carries the send's time */
	assert_int_equal(m.vc[1], 3);

	/* a wake-up that steps (95 >= 60): tick + step, labelled with its time */
	fk_clear(f);
	fk_rand(f, 1, (uint64_t)95);
	p->on_timer(&f->ctx, s, CHATTER_T_TICK);
	assert_int_equal(s->L, 5);
	assert_int_equal(f->nsent, 0);
	assert_int_equal(f->nloc, 1);
	assert_string_equal(f->loc[0].label, "step L=5");

	/* receive rule: L := max(L, L_msg) + 1, a jump is a milestone */
	chatter_deliver(f, s, 2, 9, NULL, 4);
	assert_int_equal(s->L, 10);
	assert_int_equal(f->nlabels, 1);
	assert_string_equal(f->labels[0].label, "recv max(5,9)+1=10");
	assert_true(f->labels[0].flags & ST_LABEL_MILESTONE);
	chatter_deliver(f, s, 0, 2, NULL, 4);            /* an old timestamp: just + 1 */
	assert_int_equal(s->L, 11);
	assert_string_equal(f->labels[0].label, "recv max(10,2)+1=11");
	assert_false(f->labels[0].flags & ST_LABEL_MILESTONE);
	chatter_deliver(f, s, 3, 11, NULL, 4);           /* equal: still after the send */
	assert_int_equal(s->L, 12);
	assert_false(f->labels[0].flags & ST_LABEL_MILESTONE);
	assert_int_equal(s->msg_L, 11);
	assert_int_equal(s->recv_L, 12);
	assert_string_equal(describe_get(p, s, ST_ROLE_NODE, "L"), "12");
	assert_null(describe_get(p, s, ST_ROLE_NODE, "vc"));
	free(s);
	free(f);
}

static void test_chatter_vector_rules(void **st)
{
	(void)st;
	const st_protocol *p = &chatter_protocol;
	fake *f = new_fake(2, 4, 0);
	chatter_state *s = zalloc(p->state_size);
	p->init(&f->ctx, s, mkparams(p, P("clock", CHATTER_CLOCK_VECTOR, CHATTER_CLOCK_VECTOR), NULL));
	assert_string_equal(describe_get(p, s, ST_ROLE_NODE, "vc"), "[0,0,1,0]");

	/* merge, then count the receive in the own entry */
	const uint32_t a[4] = {2, 0, 0, 0};
	chatter_deliver(f, s, 0, 2, a, 4);
	assert_string_equal(describe_get(p, s, ST_ROLE_NODE, "vc"), "[2,0,2,0]");
	assert_string_equal(f->labels[0].label, "recv [2,0,2,0]");
	assert_false(f->labels[0].flags & ST_LABEL_MILESTONE);  /* only the sender's news */

	/* news of n1 and n4 through n2: transitive, a milestone */
	const uint32_t b[4] = {3, 1, 0, 4};
	chatter_deliver(f, s, 1, 5, b, 4);
	assert_string_equal(f->labels[0].label, "recv [3,1,3,4]");
	assert_true(f->labels[0].flags & ST_LABEL_MILESTONE);
	assert_non_null(strstr(f->labels[0].note, "transitive"));
	assert_true(s->msg_vc[3] == 4 && s->recv_vc[2] == 3);

	/* a step counts in the own entry only */
	fk_clear(f);
	fk_rand(f, 1, (uint64_t)95);
	p->on_timer(&f->ctx, s, CHATTER_T_TICK);
	assert_string_equal(f->loc[0].label, "step [3,1,5,4]");
	free(s);
	free(f);
}

static void test_chatter_restart_keeps_clock(void **st)
{
	(void)st;
	const st_protocol *p = &chatter_protocol;
	fake *f = new_fake(0, 3, 0);
	chatter_state *s = zalloc(p->state_size);
	p->init(&f->ctx, s, mkparams(p, NULL));
	chatter_deliver(f, s, 1, 6, NULL, 3);
	assert_int_equal(s->L, 7);
	f->timer_on[CHATTER_T_TICK] = false;
	p->on_restart(&f->ctx, s, mkparams(p, NULL));
	/* the clock is on disk; the crash and the restart are two events of the record */
	assert_int_equal(s->L, 9);
	assert_int_equal(s->vc[0], 4);
	assert_true(f->timer_on[CHATTER_T_TICK]);
	free(s);
	free(f);
}

static st_view chatter_view(const chatter_state *const *states, int n)
{
	st_view v = {n, n, 0, (const void *const *)states, NULL, 0, 0, NULL, NULL};
	return v;
}

static void test_chatter_checker(void **st)
{
	(void)st;
	const st_protocol *p = &chatter_protocol;
	st_violation out;
	for (int mode = 0; mode < 2; mode++) {
		fake *f0 = new_fake(0, 2, 0), *f1 = new_fake(1, 2, 0);
		chatter_state *s0 = zalloc(p->state_size), *s1 = zalloc(p->state_size);
		const chatter_state *states[2] = {s0, s1};
		void *k = zalloc(p->check_size);
		int64_t bug = mode ? CHATTER_BUG_FORGET_MAX : CHATTER_BUG_NONE;
		p->init(&f0->ctx, s0, mkparams(p, P("bug", bug, bug), NULL));
		p->init(&f1->ctx, s1, mkparams(p, P("bug", bug, bug), NULL));
		st_view v = chatter_view(states, 2);
		assert_true(p->check(k, NULL, &v, &out));
		/* n1 runs ahead (three steps), then tells n2 */
		for (int i = 0; i < 3; i++) {
			fk_clear(f0);
			fk_rand(f0, 1, (uint64_t)99);
			p->on_timer(&f0->ctx, s0, CHATTER_T_TICK);
			assert_true(p->check(k, NULL, &v, &out));
		}
		chatter_deliver(f1, s1, 0, s0->L, s0->vc, 2);
		bool ok = p->check(k, NULL, &v, &out);
		if (mode == 0) {
			assert_true(ok);
		} else {
			assert_false(ok);               /* forget-max: stamped before its send */
			assert_string_equal(out.invariant, "clock condition");
		}
		free(k);
		free(s0), free(s1), free(f0), free(f1);
	}

	/* a clock that moves without an event, and (vector) knowledge beyond the source */
	chatter_state *a = zalloc(p->state_size), *b = zalloc(p->state_size);
	const chatter_state *states[2] = {a, b};
	fake *fa = new_fake(0, 2, 0), *fb = new_fake(1, 2, 0);
	const st_param_val *vp = mkparams(p, P("clock", CHATTER_CLOCK_VECTOR, CHATTER_CLOCK_VECTOR),
					  NULL);
	p->init(&fa->ctx, a, vp);
	p->init(&fb->ctx, b, vp);
	void *k = zalloc(p->check_size);
	st_view v = chatter_view(states, 2);
	assert_true(p->check(k, NULL, &v, &out));
	a->L += 1;
	assert_false(p->check(k, NULL, &v, &out));
	assert_string_equal(out.invariant, "own clock strictly increases");
	memset(k, 0, p->check_size);
	a->L -= 1;
	a->vc[1] = 5;           /* n1 claims n2 has had 5 events; n2 has had 1 */
	assert_false(p->check(k, NULL, &v, &out));
	assert_string_equal(out.invariant, "vector clock bound");
	free(k), free(a), free(b), free(fa), free(fb);
}

/* ---------------------------------------------------------------------------------------- */
/* clocksync: the offset and round-trip arithmetic, and the error bound                      */

static void test_clocksync_arithmetic(void **st)
{
	(void)st;
	/* the client is 40 ms ahead; 10 ms there, 30 ms back, 5 ms at the server */
	clocksync_round r = {.t1 = 1040 * MS, .t2 = 1010 * MS, .t3 = 1015 * MS, .t4 = 1085 * MS};
	clocksync_compute(&r);
	assert_int_equal(r.theta, ((1010 - 1040) + (1015 - 1085)) * MS / 2);   /* -50 ms */
	assert_int_equal(r.delta, (1085 - 1040 - (1015 - 1010)) * MS);          /* 40 ms */
	/* the truth is -40 ms: off by (10 - 30)/2 = -10 ms, within delta/2 = 20 ms */
	assert_true(r.theta - (-40 * MS) == -10 * MS);
	assert_true(10 * MS <= r.delta / 2);
	/* the bound: delta/2, the server's error, 2 rho since t1, and a little rounding */
	int64_t b = clocksync_bound_us(&r, r.t1 + 1000 * MS, 2 * MS, 100);
	assert_int_equal(b, 20 * MS + 2 * MS + 200 + 1 + 5);
}

/* One whole round through the handlers: n2 (40 ms ahead) asks n1. */
static void test_clocksync_round(void **st)
{
	(void)st;
	const st_protocol *p = &clocksync_protocol;
	fake *cl = new_fake(1, 3, 0), *sv = new_fake(0, 3, 0);
	clocksync_state *c = zalloc(p->state_size), *s = zalloc(p->state_size);
	const st_param_val *pv = mkparams(p, NULL);
	cl->now = 40 * MS;
	p->init(&cl->ctx, c, pv);
	p->init(&sv->ctx, s, pv);
	assert_true(cl->timer_on[CLOCKSYNC_T_POLL]);
	assert_false(sv->timer_on[CLOCKSYNC_T_POLL]);
	assert_string_equal(describe_get(p, c, ST_ROLE_NODE, "corr"), "unsynced");

	cl->now = 1040 * MS;
	fk_clear(cl);
	p->on_timer(&cl->ctx, c, CLOCKSYNC_T_POLL);
	assert_int_equal(cl->nsent, 1);
	assert_int_equal(cl->sent[0].to, 0);
	st_msg req = {1, 0, CLOCKSYNC_MSG_REQ, cl->sent[0].body, cl->sent[0].len};

	sv->now = 1010 * MS;
	p->on_message(&sv->ctx, s, &req);
	assert_string_equal(sv->labels[0].label, "t2=1010.0");
	assert_true(sv->timer_on[CLOCKSYNC_T_SERVE]);
	assert_int_equal(sv->timer_delay[CLOCKSYNC_T_SERVE], 3 * MS);
	sv->now = 1015 * MS;        /* a slow server: 5 ms between t2 and t3 */
	p->on_timer(&sv->ctx, s, CLOCKSYNC_T_SERVE);
	assert_int_equal(sv->nsent, 1);
	st_msg rep = {0, 1, CLOCKSYNC_MSG_REPLY, sv->sent[0].body, sv->sent[0].len};

	cl->now = 1085 * MS;
	fk_clear(cl);
	p->on_message(&cl->ctx, c, &rep);
	assert_int_equal(c->correction_us, -50 * MS);
	assert_int_equal(c->last.delta, 40 * MS);
	assert_int_equal(cl->nloc, 1);
	assert_string_equal(cl->loc[0].label, "θ=-50.0 δ=40.0 ±20.0");
	assert_true(cl->loc[0].flags & ST_LABEL_MILESTONE);
	int64_t v;
	assert_true(fk_body(&cl->loc[0], "t3", &v) && v == 1015 * MS);
	assert_true(fk_body(&cl->loc[0], "theta", &v) && v == -50 * MS);
	assert_string_equal(describe_get(p, c, ST_ROLE_NODE, "corr"), "1035.0");
	assert_string_equal(describe_get(p, c, ST_ROLE_NODE, "θ"), "-50.0");
	assert_string_equal(describe_get(p, c, ST_ROLE_NODE, "±"), "20.0");

	/* the same reply again (a duplicate): it matches no request in flight */
	fk_clear(cl);
	p->on_message(&cl->ctx, c, &rep);
	assert_int_equal(c->syncs, 1);
	assert_int_equal(cl->nloc, 0);
	assert_string_equal(cl->labels[0].label, "late reply: ignored");

	/* a restart forgets the correction, not the request number */
	p->on_restart(&cl->ctx, c, pv);
	assert_false(c->synced);
	assert_int_equal(c->seq, 1);
	free(c), free(s), free(cl), free(sv);
}

/* filter: a round worse than the current correction's bound is not taken. */
static void test_clocksync_filter(void **st)
{
	(void)st;
	const st_protocol *p = &clocksync_protocol;
	fake *cl = new_fake(1, 2, 0);
	clocksync_state *c = zalloc(p->state_size);
	p->init(&cl->ctx, c, mkparams(p, P("filter", 1, 1), NULL));
	const int64_t rounds[3][4] = {      /* t1, t2, t3, t4 (ms); deltas 40, 300, 20 */
		{1000, 1010, 1015, 1045}, {1500, 1700, 1705, 1805}, {2000, 2005, 2010, 2025},
	};
	for (int i = 0; i < 3; i++) {
		cl->now = rounds[i][0] * MS;
		p->on_timer(&cl->ctx, c, CLOCKSYNC_T_POLL);
		clocksync_reply r = {c->seq, 0, rounds[i][0] * MS, rounds[i][1] * MS,
				     rounds[i][2] * MS};
		st_msg m = {0, 1, CLOCKSYNC_MSG_REPLY, &r, sizeof r};
		cl->now = rounds[i][3] * MS;
		fk_clear(cl);
		p->on_message(&cl->ctx, c, &m);
		if (i == 1) {
			assert_int_equal(c->rejected, 1);
			assert_int_equal(cl->nloc, 0);
			assert_string_equal(cl->labels[0].label, "δ=300.0: kept old θ");
			assert_int_equal(c->last.delta, 40 * MS);   /* the old round stays */
		} else {
			assert_int_equal(cl->nloc, 1);
		}
	}
	assert_int_equal(c->syncs, 2);
	assert_int_equal(c->last.delta, 20 * MS);
	free(c), free(cl);
}

/* The checker holds a synced node to |corrected - true| <= its bound, with true time from
 * the view; it only looks when the node acted (its events changed). */
static void test_clocksync_checker(void **st)
{
	(void)st;
	const st_protocol *p = &clocksync_protocol;
	clocksync_state *sv = zalloc(p->state_size), *c = zalloc(p->state_size);
	const clocksync_state *states[2] = {sv, c};
	void *k = zalloc(p->check_size);
	st_view v = {2, 2, 0, (const void *const *)states, NULL, 1085 * MS, 0, NULL, NULL};
	st_violation out;
	sv->server = true;
	sv->events = 1;
	sv->local_us = 1085 * MS;           /* the server is exact */
	c->cfg.max_drift_ppm = 100;
	c->events = 1;
	c->synced = true;
	c->last = (clocksync_round){.t1 = 1040 * MS, .t2 = 1010 * MS, .t3 = 1015 * MS,
				    .t4 = 1125 * MS};
	clocksync_compute(&c->last);        /* theta -70 ms, delta 80 ms: bound 40 ms */
	c->correction_us = c->last.theta;
	c->local_us = 1125 * MS;            /* corrected 1055 at true 1085: 30 ms off */
	assert_true(p->check(k, NULL, &v, &out));
	c->events++;                        /* later: true time ran on, the local clock did not */
	v.now_us = 1140 * MS;
	assert_false(p->check(k, NULL, &v, &out));
	assert_string_equal(out.invariant, "error bound");
	c->events++;
	v.now_us = 1085 * MS;
	c->correction_us += 1;              /* a correction that is not the round's offset */
	assert_false(p->check(k, NULL, &v, &out));
	assert_string_equal(out.invariant, "round arithmetic");
	free(k), free(sv), free(c);
}

/* ---------------------------------------------------------------------------------------- */
/* heartbeat: suspicion after the timeout, restore after a late heartbeat                    */

static void hb_beat_from(fake *f, heartbeat_state *s, int from)
{
	heartbeat_msg m = {1};
	st_msg msg = {from, f->ctx.self, HEARTBEAT_MSG_BEAT, &m, sizeof m};
	fk_clear(f);
	heartbeat_protocol.on_message(&f->ctx, s, &msg);
}

static void test_heartbeat_suspects_after_timeout(void **st)
{
	(void)st;
	const st_protocol *p = &heartbeat_protocol;
	fake *f = new_fake(0, 4, 0);
	heartbeat_state *s = zalloc(p->state_size);
	p->init(&f->ctx, s, mkparams(p, NULL));
	assert_false(f->timer_on[HEARTBEAT_T_BEAT]);            /* the monitor only listens */
	assert_true(f->timer_on[HEARTBEAT_T_CHECK]);
	assert_int_equal(f->timer_delay[HEARTBEAT_T_CHECK], 250 * MS);
	assert_string_equal(describe_get(p, s, ST_ROLE_NODE, "n2"), "alive");
	assert_null(describe_get(p, s, ST_ROLE_NODE, "n1"));      /* not itself */

	f->now = 200 * MS;
	hb_beat_from(f, s, 1);                                  /* n2 is heard at 200 ms */
	assert_int_equal(f->timer_delay[HEARTBEAT_T_CHECK], 50 * MS);
	f->now = 250 * MS - 1;
	fk_clear(f);
	p->on_timer(&f->ctx, s, HEARTBEAT_T_CHECK);
	assert_int_equal(f->nloc, 0);                        /* 1 us short: no suspicion */
	f->now = 250 * MS;
	fk_clear(f);
	p->on_timer(&f->ctx, s, HEARTBEAT_T_CHECK);
	assert_int_equal(f->nloc, 2);
	assert_string_equal(f->loc[0].label, "suspect n3");
	assert_string_equal(f->loc[1].label, "suspect n4");
	assert_true(f->loc[0].flags & ST_LABEL_MILESTONE);
	int64_t v;
	assert_true(fk_body(&f->loc[0], "silent_us", &v) && v == 250 * MS);
	assert_string_equal(describe_get(p, s, ST_ROLE_NODE, "n2"), "alive");
	assert_string_equal(describe_get(p, s, ST_ROLE_NODE, "n3"), "SUSPECT");
	/* the next deadline is n2's: 200 + 250 ms */
	assert_int_equal(f->timer_delay[HEARTBEAT_T_CHECK], 200 * MS);

	/* n3 was only slow: restore it, and wait longer for it from now on */
	f->now = 400 * MS;
	hb_beat_from(f, s, 2);
	assert_int_equal(f->nloc, 1);
	assert_string_equal(f->loc[0].label, "restore n3");
	assert_true(f->loc[0].flags & ST_LABEL_MILESTONE);
	assert_int_equal(s->timeout[2], 350 * MS);
	assert_string_equal(describe_get(p, s, ST_ROLE_NODE, "n3"), "alive");
	free(s), free(f);
}

static void test_heartbeat_sender(void **st)
{
	(void)st;
	const st_protocol *p = &heartbeat_protocol;
	fake *f = new_fake(2, 4, 0);
	heartbeat_state *s = zalloc(p->state_size);
	fk_rand(f, 1, (uint64_t)(10 * MS));
	p->init(&f->ctx, s, mkparams(p, NULL));
	assert_true(f->timer_on[HEARTBEAT_T_BEAT]);
	assert_false(f->timer_on[HEARTBEAT_T_CHECK]);           /* it watches no one */
	fk_clear(f);
	p->on_timer(&f->ctx, s, HEARTBEAT_T_BEAT);
	assert_int_equal(f->nsent, 1);
	assert_int_equal(f->sent[0].to, 0);
	assert_int_equal(f->timer_delay[HEARTBEAT_T_BEAT], 100 * MS);
	assert_string_equal(describe_get(p, s, ST_ROLE_NODE, "beats"), "1");
	free(s), free(f);
}

/* all-to-all: a node suspects the others, never itself; and the checker's three rules. */
static void test_heartbeat_checker(void **st)
{
	(void)st;
	const st_protocol *p = &heartbeat_protocol;
	const st_param_val *pv = mkparams(p, P("mode", HEARTBEAT_ALL, HEARTBEAT_ALL), NULL);
	fake *f[3];
	heartbeat_state *s[3];
	const heartbeat_state *states[3];
	for (int i = 0; i < 3; i++) {
		f[i] = new_fake(i, 3, 0);
		s[i] = zalloc(p->state_size);
		states[i] = s[i];
		p->init(&f[i]->ctx, s[i], pv);
	}
	void *k = zalloc(p->check_size);
	st_view v = {3, 3, 0, (const void *const *)states, NULL, 0, 0, NULL, NULL};
	st_violation out;
	assert_true(p->check(k, NULL, &v, &out));
	f[1]->now = 250 * MS;
	fk_clear(f[1]);
	p->on_timer(&f[1]->ctx, s[1], HEARTBEAT_T_CHECK);
	assert_int_equal(f[1]->nloc, 2);                     /* n1 and n3, not n2 */
	assert_false(s[1]->suspect[1]);
	assert_true(p->check(k, NULL, &v, &out));

	s[1]->suspect[1] = true;
	assert_false(p->check(k, NULL, &v, &out));
	assert_string_equal(out.invariant, "no self-suspicion");
	s[1]->suspect[1] = false;

	s[1]->suspected_at[0] = s[1]->last_heard[0] + 100 * MS; /* raised too early */
	assert_false(p->check(k, NULL, &v, &out));
	assert_string_equal(out.invariant, "suspicion only after timeout");
	s[1]->suspected_at[0] = 250 * MS;

	s[0]->events++;                                         /* n1 acts, long past n2's */
	s[0]->local_us = 300 * MS;                              /* deadline, still trusting */
	assert_false(p->check(k, NULL, &v, &out));
	assert_string_equal(out.invariant, "no missed suspicion");
	free(k);
	for (int i = 0; i < 3; i++)
		free(s[i]), free(f[i]);
}

/* ---------------------------------------------------------------------------------------- */
/* rpc: a retry applies twice without request ids, once with them                           */

static void rpc_call(fake *f, rpc_state *s, uint32_t seq)
{
	rpc_req m = {seq, 0};
	st_msg msg = {1, 0, RPC_MSG_REQ, &m, sizeof m};
	fk_clear(f);
	rpc_protocol.on_message(&f->ctx, s, &msg);
}

static rpc_reply rpc_sent_reply(const fake *f)
{
	rpc_reply r;
	assert_int_equal(f->nsent, 1);
	assert_int_equal(f->sent[0].type, RPC_MSG_REPLY);
	memcpy(&r, f->sent[0].body, sizeof r);
	return r;
}

static void test_rpc_double_apply_without_dedupe(void **st)
{
	(void)st;
	const st_protocol *p = &rpc_protocol;
	fake *f = new_fake(0, 1, 1);
	rpc_state *s = zalloc(p->state_size);
	p->init(&f->ctx, s, mkparams(p, NULL));
	rpc_call(f, s, 1);
	assert_string_equal(f->loc[0].label, "apply c1#1");
	assert_int_equal(rpc_sent_reply(f).result, 1);
	rpc_call(f, s, 1);                                      /* the retry */
	assert_int_equal(s->counter, 2);
	assert_int_equal(s->twice, 1);
	assert_string_equal(f->loc[0].label, "applied twice!");
	assert_true(f->loc[0].flags & ST_LABEL_MILESTONE);
	assert_int_equal(rpc_sent_reply(f).result, 2);
	assert_string_equal(describe_get(p, s, ST_ROLE_NODE, "counter"), "2");
	assert_string_equal(describe_get(p, s, ST_ROLE_NODE, "twice"), "1");
	free(s), free(f);
}

static void test_rpc_once_with_dedupe(void **st)
{
	(void)st;
	const st_protocol *p = &rpc_protocol;
	fake *f = new_fake(0, 1, 1);
	rpc_state *s = zalloc(p->state_size);
	p->init(&f->ctx, s, mkparams(p, P("dedupe", 1, 1), NULL));
	rpc_call(f, s, 1);
	rpc_call(f, s, 1);                                      /* the retry: the saved reply */
	assert_int_equal(s->counter, 1);
	assert_int_equal(f->nloc, 0);
	assert_string_equal(f->labels[0].label, "seen c1#1: resend");
	rpc_reply r = rpc_sent_reply(f);
	assert_int_equal(r.result, 1);
	assert_true(r.dup);
	rpc_call(f, s, 2);
	rpc_call(f, s, 1);                                      /* a late copy of an old one */
	assert_int_equal(s->counter, 2);
	assert_int_equal(f->nsent, 0);
	assert_string_equal(f->labels[0].label, "old c1#1: ignored");
	/* ids far apart still work (the window slides) */
	rpc_call(f, s, 200);
	rpc_call(f, s, 200);
	assert_int_equal(s->counter, 3);
	assert_string_equal(describe_get(p, s, ST_ROLE_NODE, "dedupe"), "on");
	free(s), free(f);
}

static void test_rpc_client_retries(void **st)
{
	(void)st;
	const st_protocol *p = &rpc_protocol;
	fake *f = new_fake(1, 1, 1);
	rpc_state *s = zalloc(p->state_size);
	p->init(&f->ctx, s, mkparams(p, P("max_attempts", 2, 2), NULL));
	st_op op = {.f = "incr", .node = -1, .invoke = 7};
	p->on_client(&f->ctx, s, &op);
	assert_int_equal(f->nsent, 1);
	rpc_req q;
	memcpy(&q, f->sent[0].body, sizeof q);
	assert_int_equal(q.seq, 1);
	assert_int_equal(q.client, 0);
	assert_true(f->timer_on[RPC_T_RETRY]);
	assert_int_equal(f->timer_delay[RPC_T_RETRY], 100 * MS);

	fk_clear(f);
	p->on_timer(&f->ctx, s, RPC_T_RETRY);                   /* no reply: the same id again */
	assert_string_equal(f->labels[0].label, "retry c1#1");
	memcpy(&q, f->sent[0].body, sizeof q);
	assert_int_equal(q.seq, 1);

	rpc_reply r = {1, 0, {0}, 5};
	st_msg m = {0, 1, RPC_MSG_REPLY, &r, sizeof r};
	fk_clear(f);
	p->on_message(&f->ctx, s, &m);
	assert_int_equal(f->ndone, 1);
	assert_int_equal(f->done[0].type, ST_OP_OK);
	assert_int_equal(f->done[0].invoke, 7);
	assert_false(f->timer_on[RPC_T_RETRY]);
	fk_clear(f);
	p->on_message(&f->ctx, s, &m);                          /* the other attempt's reply */
	assert_int_equal(f->ndone, 0);
	assert_string_equal(f->labels[0].label, "stale reply");

	op.invoke = 9;                                          /* two silent attempts: info */
	fk_clear(f);
	p->on_client(&f->ctx, s, &op);
	p->on_timer(&f->ctx, s, RPC_T_RETRY);
	fk_clear(f);
	p->on_timer(&f->ctx, s, RPC_T_RETRY);
	assert_int_equal(f->ndone, 1);
	assert_int_equal(f->done[0].type, ST_OP_INFO);
	assert_string_equal(f->labels[0].label, "give up c1#2");
	assert_string_equal(describe_get(p, s, ST_ROLE_CLIENT, "ok"), "1");
	assert_string_equal(describe_get(p, s, ST_ROLE_CLIENT, "info"), "1");
	free(s), free(f);
}

static void test_rpc_checker(void **st)
{
	(void)st;
	const st_protocol *p = &rpc_protocol;
	for (int mode = 0; mode < 3; mode++) {    /* off; check_exactly_once; dedupe */
		fake *f = new_fake(0, 1, 1);
		rpc_state *s = zalloc(p->state_size), *c = zalloc(p->state_size);
		const rpc_state *states[2] = {s, c};
		const st_param_val *pv = mkparams(p, P("check_exactly_once", mode == 1, mode == 1),
						  P("dedupe", mode == 2, mode == 2), NULL);
		p->init(&f->ctx, s, pv);
		void *k = zalloc(p->check_size);
		st_view v = {2, 1, 1, (const void *const *)states, NULL, 0, 0, NULL, NULL};
		st_violation out;
		rpc_call(f, s, 1);
		fk_view_events(f, &v);
		assert_true(p->check(k, pv, &v, &out));
		rpc_call(f, s, 1);
		fk_view_events(f, &v);
		bool ok = p->check(k, pv, &v, &out);
		if (mode == 1) {
			assert_false(ok);       /* the double apply, caught */
			assert_string_equal(out.invariant, "exactly once");
		} else {
			assert_true(ok);        /* reported, not enforced; or never happened */
		}
		s->counter++;
		assert_false(p->check(k, pv, &v, &out));
		assert_string_equal(out.invariant, "counter consistency");
		free(k), free(s), free(c), free(f);
	}
}

/* ---------------------------------------------------------------------------------------- */
/* The protocols in the real simulator                                                        */

typedef struct { st_scenario *sc; st_trace *t; st_sim *s; } world;

static world world_new(st_scenario *sc, uint64_t seed, int faults)
{
	world w = {sc, NULL, NULL};
	w.t = trace_new(sc->name, sc->protocol, seed, sc->nnodes, sc->nclients, NULL);
	sim_opts o = {seed, true, faults};
	w.s = sim_new(sc, &o, w.t);
	assert_non_null(w.s);
	return w;
}
static void world_free(world *w) { sim_free(w->s); trace_free(w->t); }

static st_scenario *parse(const char *text)
{
	char err[1024];
	st_scenario *sc = scenario_parse(text, strlen(text), "test.json", err, sizeof err);
	if (!sc)
		fail_msg("%s", err);
	return sc;
}

/* Seeds with random faults: the first violation, or 0 when none (returns its seed). */
static uint64_t explore(const char *text, int seeds, int steps, const char *faults, char *why,
			size_t whylen)
{
	st_scenario *sc = parse(text);
	char err[256];
	int mask = sim_parse_faults(faults, err, sizeof err);
	assert_true(mask >= 0);
	uint64_t bad = 0;
	for (int seed = 1; seed <= seeds && !bad; seed++) {
		world w = world_new(sc, (uint64_t)seed, mask);
		if (sim_run_steps(w.s, (uint64_t)steps) == SIM_VIOLATION) {
			const st_violation *v = sim_violation(w.s, NULL);
			snprintf(why, whylen, "%s: %s", v->invariant, v->detail);
			bad = (uint64_t)seed;
		}
		world_free(&w);
	}
	scenario_free(sc);
	return bad;
}

/* The protocol's own clocks are the simulator's: what the timeline shows is what the
 * algorithm computed, through crashes, restarts, pauses, loss and duplication. */
static void test_chatter_agrees_with_simulator(void **st)
{
	(void)st;
	static const char text[] = "{\"name\": \"t\", \"title\": \"t\", \"topic\": \"Failure and "
		"time\", \"protocol\": \"chatter\", \"nodes\": 4, \"seed\": 9, \"params\": "
		"{\"clock\": \"vector\", \"every_ms\": [20, 80]}}";
	st_scenario *sc = parse(text);
	world w = world_new(sc, 9, FAULT_CRASH | FAULT_PAUSE | FAULT_LOSS | FAULT_DUP);
	assert_int_equal(sim_run_steps(w.s, 6000), SIM_OK);
	int checked = 0;
	for (int p = 0; p < sc->nnodes; p++) {
		if (sim_proc_status_of(w.s, p) == PROC_CRASHED)
			continue;       /* the crash is counted when it restarts */
		uint32_t last = TRACE_NONE;
		for (uint32_t id = 0; id < trace_count(w.t); id++)
			if (trace_at(w.t, id)->proc == p)
				last = id;
		assert_true(last != TRACE_NONE);
		const chatter_state *s = sim_proc_state(w.s, p);
		assert_int_equal(s->L, trace_at(w.t, last)->lamport);
		for (int j = 0; j < sc->nprocs; j++)
			assert_int_equal(s->vc[j], trace_vc(w.t, last)[j]);
		checked++;
	}
	assert_true(checked >= 2);
	world_free(&w);
	scenario_free(sc);
}

static const char rpc_text[] = "{\"name\": \"t\", \"title\": \"t\", \"topic\": \"System "
	"models\", \"protocol\": \"rpc\", \"nodes\": 1, \"clients\": 2, \"network\": {\"loss\": "
	"0.2}, \"workload\": {\"ops\": 1000, \"think_ms\": [10, 50]}, \"params\": {%s}}";

static void test_rpc_explore(void **st)
{
	(void)st;
	char text[1024], why[300] = "";
	/* dedupe on (and checked): exactly once under every fault the model tolerates */
	snprintf(text, sizeof text, rpc_text, "\"dedupe\": true, \"check_exactly_once\": true");
	assert_int_equal(explore(text, 60, 2000, "partition,crash,loss,dup,pause", why,
				 sizeof why), 0);
	/* dedupe off, checked: the double apply is caught */
	snprintf(text, sizeof text, rpc_text, "\"check_exactly_once\": true");
	assert_true(explore(text, 60, 2000, "loss,dup", why, sizeof why) != 0);
	assert_non_null(strstr(why, "exactly once"));
	/* dedupe off, not checked: reported (labelled), not enforced */
	snprintf(text, sizeof text, rpc_text, "\"dedupe\": false");
	assert_int_equal(explore(text, 20, 2000, "loss,dup", why, sizeof why), 0);
}

/* The clock checker catches the broken receive rule in a real run, in both lessons. */
static void test_chatter_bug_caught_in_simulator(void **st)
{
	(void)st;
	static const char *const modes[] = {"lamport", "vector"};
	for (int i = 0; i < 2; i++) {
		char text[512], why[300] = "";
		snprintf(text, sizeof text, "{\"name\": \"t\", \"title\": \"t\", \"topic\": "
			 "\"Failure and time\", \"protocol\": \"chatter\", \"nodes\": 4, \"params\": "
			 "{\"clock\": \"%s\", \"bug\": \"forget-max\"}}", modes[i]);
		assert_true(explore(text, 5, 3000, "loss", why, sizeof why) != 0);
		assert_non_null(strstr(why, "clock condition"));
	}
}

/* clocksync: a clock drifting beyond what the bound assumes is caught. */
static void test_clocksync_drift_beyond_bound_caught(void **st)
{
	(void)st;
	static const char text[] = "{\"name\": \"t\", \"title\": \"t\", \"topic\": \"Failure and "
		"time\", \"protocol\": \"clocksync\", \"nodes\": 2, \"clocks\": {\"n2\": "
		"{\"drift_ppm\": 50000}}, \"params\": {\"poll_ms\": [2000, 3000], \"max_drift_ppm\": "
		"100}}";
	char why[300] = "";
	assert_true(explore(text, 3, 2000, "loss", why, sizeof why) != 0);
	assert_non_null(strstr(why, "error bound"));
}

/* ---------------------------------------------------------------------------------------- */
/* The shipped lessons: they load, they hold under their faults, and every moment their
 * narration names happens in the run, in the order the narration tells it                   */

typedef struct { const char *name, *protocol, *topic, *faults; } shipped;
static const shipped lessons[] = {
	{"clocks-lamport", "chatter", "Failure and time", "partition,crash,loss,dup,pause"},
	{"clocks-vector", "chatter", "Failure and time", "partition,crash,loss,dup,pause"},
	{"clocks-physical", "clocksync", "Failure and time", "partition,crash,loss,dup,pause"},
	{"failure-detector", "heartbeat", "System models", "partition,crash,loss,dup,pause"},
	{"rpc-retries", "rpc", "System models", "partition,crash,loss,dup,pause"},
};

/* The lesson pane's rule: a phrase ending in a digit matches exactly, else as a prefix. */
static bool label_matches(const char *want, const char *label)
{
	size_t n = strlen(want);
	if (n && want[n - 1] >= '0' && want[n - 1] <= '9')
		return strcmp(want, label) == 0;
	return strncmp(want, label, n) == 0;
}

/* When a lesson entry's moment first comes in the run, in microseconds; -1 never. */
static int64_t moment_us(const st_trace *t, const char *when)
{
	if (strcmp(when, "start") == 0)
		return 0;
	if (strncmp(when, "at_ms:", 6) == 0)
		return atoll(when + 6) * 1000;
	bool label = strncmp(when, "label:", 6) == 0;
	int kind = label ? -1 : trace_kind_from_name(when + 5);
	for (uint32_t id = 0; id < trace_count(t); id++) {
		const st_event *e = trace_at(t, id);
		if (label ? e->label && label_matches(when + 6, trace_str(t, e->label))
			  : e->kind == kind)
			return e->t_us;
	}
	return -1;
}

static void test_shipped_lessons(void **st)
{
	(void)st;
	for (size_t i = 0; i < sizeof lessons / sizeof lessons[0]; i++) {
		char path[128], err[1024];
		snprintf(path, sizeof path, "scenarios/%s.json", lessons[i].name);
		st_scenario *sc = scenario_load(path, err, sizeof err);
		if (!sc)
			fail_msg("%s", err);
		assert_string_equal(sc->protocol_name, lessons[i].protocol);
		assert_string_equal(sc->topic, lessons[i].topic);
		world w = world_new(sc, sc->seed, 0);
		assert_int_equal(sim_run_until_us(w.s, 6000 * MS), SIM_OK);
		int64_t prev = 0;
		for (int k = 0; k < sc->nlesson; k++) {
			int64_t at = moment_us(w.t, sc->lesson[k].when);
			if (at < 0 || at < prev)
				fail_msg("%s: lesson[%d] \"%s\" %s", lessons[i].name, k,
					 sc->lesson[k].when, at < 0 ? "never happens in the run" :
					 "comes before the moment narrated above it");
			/* at the default 0.05x, 1 s of virtual time is 20 s of play: the
			 * first moment comes within half a minute, the story within 80 s */
			assert_true(at <= 4000 * MS);
			if (k == 1)
				assert_true(at <= 1500 * MS);
			prev = at;
		}
		world_free(&w);
		char why[300] = "";
		scenario_free(sc);
		/* explore with the faults the lesson's model tolerates */
		FILE *fp = fopen(path, "rb");
		assert_non_null(fp);
		static char buf[1 << 16];
		size_t n = fread(buf, 1, sizeof buf - 1, fp);
		fclose(fp);
		buf[n] = '\0';
		uint64_t bad = explore(buf, 40, 2000, lessons[i].faults, why, sizeof why);
		if (bad)
			fail_msg("%s: seed %llu: %s", lessons[i].name, (unsigned long long)bad, why);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chatter_lamport_rules),
		cmocka_unit_test(test_chatter_vector_rules),
		cmocka_unit_test(test_chatter_restart_keeps_clock),
		cmocka_unit_test(test_chatter_checker),
		cmocka_unit_test(test_clocksync_arithmetic),
		cmocka_unit_test(test_clocksync_round),
		cmocka_unit_test(test_clocksync_filter),
		cmocka_unit_test(test_clocksync_checker),
		cmocka_unit_test(test_heartbeat_suspects_after_timeout),
		cmocka_unit_test(test_heartbeat_sender),
		cmocka_unit_test(test_heartbeat_checker),
		cmocka_unit_test(test_rpc_double_apply_without_dedupe),
		cmocka_unit_test(test_rpc_once_with_dedupe),
		cmocka_unit_test(test_rpc_client_retries),
		cmocka_unit_test(test_rpc_checker),
		cmocka_unit_test(test_chatter_agrees_with_simulator),
		cmocka_unit_test(test_chatter_bug_caught_in_simulator),
		cmocka_unit_test(test_clocksync_drift_beyond_bound_caught),
		cmocka_unit_test(test_rpc_explore),
		cmocka_unit_test(test_shipped_lessons),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
