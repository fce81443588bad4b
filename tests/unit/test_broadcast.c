/* test_broadcast.c: the broadcast protocol's single-process rules and its checkers, against
 * a fake context.
 *
 * The protocol is a pure state machine, so these tests drive one node directly: a fake st_ctx
 * records what a handler sent, which timers it set, how it labelled the event and which local
 * steps (broadcast, deliver) it recorded, and hands out a fixed random sequence. They keep
 * what a script cannot set up as well: messages built by hand (gaps, early acknowledgements,
 * a full hold-back queue, bodies of the wrong size), the describe/encode text, and the
 * checkers fed logs and trace events directly. The lessons' anomalies, which take several
 * nodes (an answer overtaking its question, concurrent messages delivered in different
 * orders, each order's weakened variant caught by the checker), are scripts on the real
 * simulator: tests/script/broadcast-*.txt. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "src/protocols/broadcast.h"

#define P (&broadcast_protocol)
#define MS 1000

/* ---------------------------------------------------------------------------------------- */
/* The fake context (fake_ctx.h), with broadcast's own checks                                 */

#define FK_MSG_BODY sizeof(bc_wire)
#define FK_MAX_SENT 512
#define FK_MAX_LOCALS 256
#include "fake_ctx.h"

/* A broadcast's or a delivery's body: these three, always. */
static const fk_key step_keys[] = {
	{"from", ST_V_PROC}, {"seq", ST_V_INT}, {"id", ST_V_STR}, {NULL, 0},
};

static fake *new_fake(int self, int nnodes, int nclients)
{
	fake *f = fk_new(self, nnodes, nclients);
	f->label_max = 24;                      /* labels are short, for a timeline */
	f->note_required = true;                /* every step says why */
	f->no_self_send = true;                 /* nobody sends to itself */
	f->max_msg = P->max_msg_size;
	f->ntimers = BC_T__COUNT;
	f->local_nbody = 3;
	f->local_keys = step_keys;
	return f;
}

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                    */

static st_param_val params[BC_P__COUNT];

/* The table's defaults, then quiet ones for tests: no timer traffic unless asked. */
static const st_param_val *mkparams(int relay, int order, int require)
{
	for (int i = 0; i < P->n_params; i++) {
		params[i].lo = P->params[i].def_lo;
		params[i].hi = P->params[i].def_hi;
	}
	params[BC_P_RELAY].lo = relay;
	params[BC_P_ORDER].lo = order;
	params[BC_P_REQUIRE].lo = require;
	return params;
}

static bc_state *new_state(void)
{
	bc_state *s = calloc(1, P->state_size);
	assert_non_null(s);
	return s;
}

static void deliver(fake *f, bc_state *s, int from, int type, const void *body, size_t len)
{
	fk_deliver(f, P, s, from, type, body, len);
}

static void fire(fake *f, bc_state *s, int timer) { fk_fire(f, P, s, timer); }

static uint32_t sent_to(const fake *f, int type)
{
	uint32_t mask = 0;
	for (int i = 0; i < f->nsent; i++)
		if (f->sent[i].type == type)
			mask |= 1u << f->sent[i].to;
	return mask;
}

static bc_wire sent_wire(const fake *f, int i)
{
	bc_wire w;
	memcpy(&w, f->sent[i].body, sizeof w);
	return w;
}

/* The ids of the deliveries the last handler made, space-separated: "n1#1 n2#1". */
static const char *delivered(const fake *f)
{
	static char buf[512];
	size_t o = 0;
	buf[0] = '\0';
	for (int i = 0; i < f->nloc; i++)
		if (strncmp(f->loc[i].label, "deliver ", 8) == 0)
			o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s", o ? " " : "",
					      fk_str(&f->loc[i], "id"));
	return buf;
}

static bool has_local(const fake *f, const char *label)
{
	for (int i = 0; i < f->nloc; i++)
		if (strcmp(f->loc[i].label, label) == 0)
			return true;
	return false;
}

static bc_wire wire(int origin, uint32_t seq)
{
	bc_wire w;
	memset(&w, 0, sizeof w);
	w.origin = (uint8_t)origin;
	w.seq = seq;
	w.value = seq;
	return w;
}

/* A message with a vector clock (causal). */
static bc_wire wire_vc(int origin, uint32_t seq, const uint32_t *vc, int nn)
{
	bc_wire w = wire(origin, seq);
	w.flags |= BC_W_VC;
	for (int k = 0; k < nn; k++)
		w.vc[k] = vc[k];
	return w;
}

/* A flat sink that remembers the last value of each key as text. */
typedef struct {
	st_sink s;
	char keys[32][24];
	char vals[32][96];
	int n, depth;
} fk_sink;

static void fks_put(st_sink *s, const char *k, const char *v)
{
	fk_sink *f = (fk_sink *)s;
	if (!k || f->depth > 0 || f->n >= 32)
		return;
	snprintf(f->keys[f->n], sizeof f->keys[0], "%s", k);
	snprintf(f->vals[f->n], sizeof f->vals[0], "%s", v);
	f->n++;
}
static void fks_int(st_sink *s, const char *k, int64_t v)
{
	char b[32];
	snprintf(b, sizeof b, "%lld", (long long)v);
	fks_put(s, k, b);
}
static void fks_str(st_sink *s, const char *k, const char *v) { fks_put(s, k, v); }
static void fks_proc(st_sink *s, const char *k, int p)
{
	char b[32];
	snprintf(b, sizeof b, "p%d", p);
	fks_put(s, k, b);
}
static void fks_bool(st_sink *s, const char *k, bool v) { fks_put(s, k, v ? "true" : "false"); }
static void fks_begin(st_sink *s, const char *k, bool a)
{
	fks_put(s, k, a ? "[...]" : "{...}");
	((fk_sink *)s)->depth++;
}
static void fks_end(st_sink *s) { ((fk_sink *)s)->depth--; }

static void fks_init(fk_sink *f)
{
	memset(f, 0, sizeof *f);
	f->s = (st_sink){fks_int, fks_str, fks_proc, fks_bool, fks_begin, fks_end, f};
}

static const char *fks_get(const fk_sink *f, const char *k)
{
	for (int i = f->n - 1; i >= 0; i--)
		if (strcmp(f->keys[i], k) == 0)
			return f->vals[i];
	return NULL;
}

static fk_sink describe(const bc_state *s, st_role role)
{
	fk_sink f;
	fks_init(&f);
	P->describe(s, role, &f.s);
	return f;
}

/* ---------------------------------------------------------------------------------------- */
/* The descriptor, timers, broadcasting                                                       */

static void test_descriptor(void **st)
{
	(void)st;
	assert_string_equal(P->name, "broadcast");
	assert_string_equal(P->version, "1");
	assert_int_equal(P->n_msg_types, BC_MSG__COUNT);
	assert_string_equal(P->msg_types[BC_MSG_ACK], "Ack");
	assert_string_equal(P->timer_names[BC_T_BROADCAST], "next message");
	assert_int_equal(P->n_params, BC_P__COUNT);
	assert_true(P->n_params <= ST_MAX_PARAMS);
	assert_string_equal(P->params[BC_P_ORDER].choices[BC_ORDER_LAMPORT], "total-lamport");
	assert_string_equal(P->params[BC_P_REQUIRE].choices[BC_REQ_TOTAL], "total");
	assert_string_equal(P->params[BC_P_RELAY].choices[BC_RELAY_GOSSIP], "gossip");
	assert_true(P->max_msg_size >= sizeof(bc_wire) && P->max_msg_size >= sizeof(bc_ack));
	assert_true(P->check_size > 0 && P->check_size <= 64 * 1024);
	assert_non_null(P->trace_check_new);
}

static void test_init_arms_timer_for_senders_only(void **st)
{
	(void)st;
	mkparams(BC_RELAY_NONE, BC_ORDER_NONE, BC_REQ_NONE);
	params[BC_P_SENDERS].lo = 2;
	for (int p = 0; p < 3; p++) {
		fake *f = new_fake(p, 3, 0);
		bc_state *s = new_state();
		P->init(&f->ctx, s, params);
		assert_int_equal(f->timer_on[BC_T_BROADCAST], p < 2);
		if (p < 2)
			assert_in_range(f->timer_delay[BC_T_BROADCAST], 200 * MS, 600 * MS);
		free(s);
		free(f);
	}
}

static void test_count_limits_timer_broadcasts(void **st)
{
	(void)st;
	mkparams(BC_RELAY_NONE, BC_ORDER_NONE, BC_REQ_NONE);
	params[BC_P_COUNT].lo = 2;
	fake *f = new_fake(0, 3, 0);
	bc_state *s = new_state();
	P->init(&f->ctx, s, params);
	fire(f, s, BC_T_BROADCAST);
	assert_true(f->timer_on[BC_T_BROADCAST]);
	fire(f, s, BC_T_BROADCAST);
	assert_false(f->timer_on[BC_T_BROADCAST]);      /* two sent: no more */
	fire(f, s, BC_T_BROADCAST);
	assert_int_equal(f->nsent, 0);
	assert_int_equal(s->n.sent, 2);
	free(s);
	free(f);
}

static void test_broadcast_sends_to_all_and_delivers_own(void **st)
{
	(void)st;
	mkparams(BC_RELAY_NONE, BC_ORDER_FIFO, BC_REQ_FIFO);
	fake *f = new_fake(1, 4, 0);
	bc_state *s = new_state();
	P->init(&f->ctx, s, params);
	fire(f, s, BC_T_BROADCAST);
	assert_true(has_local(f, "broadcast n2#1"));
	assert_string_equal(delivered(f), "n2#1");       /* the sender is a receiver too */
	assert_int_equal(fk_int(&f->loc[0], "from"), 1);
	assert_int_equal(fk_int(&f->loc[0], "seq"), 1);
	assert_string_equal(fk_str(&f->loc[0], "id"), "n2#1");
	assert_int_equal(sent_to(f, BC_MSG_MSG), 0xD);  /* n1, n3, n4 */
	bc_wire w = sent_wire(f, 0);
	assert_int_equal(w.origin, 1);
	assert_int_equal(w.seq, 1);
	assert_int_equal(s->n.ndelivered, 1);
	assert_int_equal(f->nloc, 2);                   /* broadcast, deliver: for the checker */
	assert_string_equal(f->loc[0].label, "broadcast n2#1");
	assert_string_equal(f->loc[1].label, "deliver n2#1");
	free(s);
	free(f);
}

/* ---------------------------------------------------------------------------------------- */
/* The relay layer                                                                            */

static void test_eager_relays_once(void **st)
{
	(void)st;
	mkparams(BC_RELAY_EAGER, BC_ORDER_NONE, BC_REQ_NONE);
	fake *f = new_fake(2, 5, 0);
	bc_state *s = new_state();
	P->init(&f->ctx, s, params);
	bc_wire w = wire(0, 1);
	deliver(f, s, 1, BC_MSG_MSG, &w, sizeof w);     /* n1's message, relayed by n2 */
	/* to everyone but itself (n3), the sender n1 and n2 it came from */
	assert_int_equal(sent_to(f, BC_MSG_MSG), 0x18);
	assert_string_equal(f->label, "relay n1#1");
	assert_string_equal(delivered(f), "n1#1");
	assert_int_equal(s->n.relayed, 1);
	/* the same message again: neither relayed nor delivered */
	deliver(f, s, 0, BC_MSG_MSG, &w, sizeof w);
	assert_int_equal(f->nsent, 0);
	assert_string_equal(delivered(f), "");
	assert_int_equal(s->n.ndelivered, 1);
	free(s);
	free(f);
}

static void test_no_relay_sends_nothing_on(void **st)
{
	(void)st;
	mkparams(BC_RELAY_NONE, BC_ORDER_NONE, BC_REQ_NONE);
	fake *f = new_fake(2, 5, 0);
	bc_state *s = new_state();
	P->init(&f->ctx, s, params);
	bc_wire w = wire(0, 1);
	deliver(f, s, 0, BC_MSG_MSG, &w, sizeof w);
	assert_int_equal(f->nsent, 0);
	assert_string_equal(delivered(f), "n1#1");
	free(s);
	free(f);
}

static void test_gossip_fanout_and_rounds(void **st)
{
	(void)st;
	mkparams(BC_RELAY_GOSSIP, BC_ORDER_NONE, BC_REQ_NONE);
	params[BC_P_FANOUT].lo = 2;
	params[BC_P_ROUNDS].lo = 2;
	fake *f = new_fake(0, 6, 0);
	bc_state *s = new_state();
	P->init(&f->ctx, s, params);
	fire(f, s, BC_T_BROADCAST);
	assert_int_equal(fk_count_sent(f, BC_MSG_MSG), 2);  /* fanout 2 of 5 */
	assert_int_equal(sent_wire(f, 0).rounds, 2);
	assert_int_equal(sent_to(f, BC_MSG_MSG) & 1, 0);
	/* a receiver forwards to 2 random nodes, not back to where it came from */
	fake *g = new_fake(3, 6, 0);
	bc_state *t = new_state();
	P->init(&g->ctx, t, params);
	bc_wire w = wire(0, 1);
	w.rounds = 2;
	deliver(g, t, 0, BC_MSG_MSG, &w, sizeof w);
	assert_int_equal(fk_count_sent(g, BC_MSG_MSG), 2);
	assert_int_equal(sent_to(g, BC_MSG_MSG) & 0x9, 0);
	assert_int_equal(sent_wire(g, 0).rounds, 1);
	/* the last hop is not forwarded */
	bc_wire w2 = wire(0, 2);
	w2.rounds = 1;
	deliver(g, t, 1, BC_MSG_MSG, &w2, sizeof w2);
	assert_int_equal(fk_count_sent(g, BC_MSG_MSG), 0);
	assert_string_equal(delivered(g), "n1#2");
	free(s);
	free(f);
	free(t);
	free(g);
}

/* A sender with stagger_ms sends one copy now and the rest on a timer; a crash loses the
 * rest, which is what eager relaying covers for. */
static void test_stagger_and_crash_loses_rest(void **st)
{
	(void)st;
	mkparams(BC_RELAY_EAGER, BC_ORDER_NONE, BC_REQ_NONE);
	params[BC_P_STAGGER].lo = 15;
	fake *f = new_fake(0, 4, 0);
	bc_state *s = new_state();
	P->init(&f->ctx, s, params);
	fire(f, s, BC_T_BROADCAST);
	assert_int_equal(sent_to(f, BC_MSG_MSG), 0x2);  /* n2 first */
	assert_true(f->timer_on[BC_T_SEND]);
	assert_int_equal(f->timer_delay[BC_T_SEND], 15 * MS);
	fire(f, s, BC_T_SEND);
	assert_int_equal(sent_to(f, BC_MSG_MSG), 0x4);  /* then n3 */
	assert_true(f->timer_on[BC_T_SEND]);
	/* crash now: the copy for n4 was only in memory */
	fk_clear(f);
	P->on_restart(&f->ctx, s, params);
	assert_false(f->timer_on[BC_T_SEND]);
	assert_int_equal(s->n.nout, 0);
	assert_int_equal(s->n.sent, 1);                 /* persistent: no name reused */
	assert_int_equal(s->n.ndelivered, 1);
	assert_true(f->timer_on[BC_T_BROADCAST]);
	free(s);
	free(f);
}

/* ---------------------------------------------------------------------------------------- */
/* FIFO                                                                                       */

static void test_fifo_holds_and_releases(void **st)
{
	(void)st;
	mkparams(BC_RELAY_NONE, BC_ORDER_FIFO, BC_REQ_FIFO);
	fake *f = new_fake(2, 3, 0);
	bc_state *s = new_state();
	P->init(&f->ctx, s, params);
	bc_wire m2 = wire(0, 2), m3 = wire(0, 3), m1 = wire(0, 1), o1 = wire(1, 1);
	deliver(f, s, 0, BC_MSG_MSG, &m2, sizeof m2);
	assert_string_equal(f->label, "hold n1#2");
	assert_int_equal(f->label_flags & 0xff, ST_LABEL_MILESTONE);
	assert_non_null(strstr(f->note, "n1#1"));
	assert_string_equal(delivered(f), "");
	deliver(f, s, 0, BC_MSG_MSG, &m3, sizeof m3);
	fk_sink d = describe(s, ST_ROLE_NODE);
	assert_string_equal(fks_get(&d, "holdback"), "n1#2 n1#3");
	assert_string_equal(fks_get(&d, "held"), "2");
	/* another sender is not held up by n1's gap */
	deliver(f, s, 1, BC_MSG_MSG, &o1, sizeof o1);
	assert_string_equal(delivered(f), "n2#1");
	/* the gap fills: all three, in order */
	deliver(f, s, 0, BC_MSG_MSG, &m1, sizeof m1);
	assert_string_equal(delivered(f), "n1#1 n1#2 n1#3");
	d = describe(s, ST_ROLE_NODE);
	assert_string_equal(fks_get(&d, "holdback"), "-");
	assert_string_equal(fks_get(&d, "seqs"), "[3,1,0]");
	/* a copy of a delivered one is ignored */
	deliver(f, s, 0, BC_MSG_MSG, &m2, sizeof m2);
	assert_string_equal(delivered(f), "");
	free(s);
	free(f);
}

/* ---------------------------------------------------------------------------------------- */
/* Causal                                                                                     */

static void test_causal_broadcast_carries_delivered_vector(void **st)
{
	(void)st;
	mkparams(BC_RELAY_NONE, BC_ORDER_CAUSAL, BC_REQ_CAUSAL);
	fake *f = new_fake(1, 3, 0);
	bc_state *s = new_state();
	P->init(&f->ctx, s, params);
	uint32_t v[3] = {1, 0, 0};
	bc_wire m = wire_vc(0, 1, v, 3);
	deliver(f, s, 0, BC_MSG_MSG, &m, sizeof m);
	fire(f, s, BC_T_BROADCAST);
	bc_wire out = sent_wire(f, 0);
	assert_true(out.flags & BC_W_VC);
	assert_int_equal(out.vc[0], 1);
	assert_int_equal(out.vc[1], 1);         /* its own entry counts this message */
	assert_int_equal(out.vc[2], 0);
	fk_sink d = describe(s, ST_ROLE_NODE);
	assert_string_equal(fks_get(&d, "vc"), "[1,1,0]");
	free(s);
	free(f);
}

static void test_causal_hold_needs_sender_gap_too(void **st)
{
	(void)st;
	mkparams(BC_RELAY_NONE, BC_ORDER_CAUSAL, BC_REQ_CAUSAL);
	fake *f = new_fake(2, 3, 0);
	bc_state *s = new_state();
	P->init(&f->ctx, s, params);
	uint32_t v2[3] = {2, 0, 0}, v1[3] = {1, 0, 0};
	bc_wire m2 = wire_vc(0, 2, v2, 3), m1 = wire_vc(0, 1, v1, 3);
	deliver(f, s, 0, BC_MSG_MSG, &m2, sizeof m2);
	assert_string_equal(f->label, "hold n1#2");
	assert_non_null(strstr(f->note, "comes after n1#1"));
	deliver(f, s, 0, BC_MSG_MSG, &m1, sizeof m1);
	assert_string_equal(delivered(f), "n1#1 n1#2");
	free(s);
	free(f);
}

/* ---------------------------------------------------------------------------------------- */
/* Total order                                                                                */

static void test_sequencer_holds_gap(void **st)
{
	(void)st;
	mkparams(BC_RELAY_NONE, BC_ORDER_SEQUENCER, BC_REQ_TOTAL);
	fake *f = new_fake(1, 3, 0);
	bc_state *s = new_state();
	P->init(&f->ctx, s, params);
	bc_wire a = wire(2, 1), b = wire(0, 1);
	a.flags = b.flags = BC_W_G;
	a.g = 2;
	b.g = 1;
	deliver(f, s, 0, BC_MSG_MSG, &a, sizeof a);
	assert_string_equal(f->label, "hold n3#1");
	assert_non_null(strstr(f->note, "numbered it 2"));
	fk_sink d = describe(s, ST_ROLE_NODE);
	assert_string_equal(fks_get(&d, "holdback"), "n3#1@g2");
	deliver(f, s, 0, BC_MSG_MSG, &b, sizeof b);
	assert_string_equal(delivered(f), "n1#1 n3#1");
	/* unnumbered copies do not exist in total-sequencer */
	bc_wire c = wire(2, 2);
	deliver(f, s, 2, BC_MSG_MSG, &c, sizeof c);
	assert_string_equal(delivered(f), "");
	assert_int_equal(s->n.nheld, 0);
	free(s);
	free(f);
}

static bc_ack ack(int origin, uint32_t seq, uint32_t count)
{
	bc_ack a;
	memset(&a, 0, sizeof a);
	a.origin = (uint8_t)origin;
	a.seq = seq;
	a.count = count;
	return a;
}

static void test_lamport_waits_for_every_ack(void **st)
{
	(void)st;
	mkparams(BC_RELAY_NONE, BC_ORDER_LAMPORT, BC_REQ_TOTAL);
	fake *f = new_fake(0, 3, 0);
	bc_state *s = new_state();
	P->init(&f->ctx, s, params);
	fire(f, s, BC_T_BROADCAST);             /* n1#1, timestamp 1: its own waits too */
	assert_string_equal(delivered(f), "");
	assert_int_equal(sent_wire(f, 0).ts, 1);
	fk_sink d = describe(s, ST_ROLE_NODE);
	assert_string_equal(fks_get(&d, "holdback"), "n1#1@1");
	assert_string_equal(fks_get(&d, "waits"), "n2 n3");
	bc_ack a2 = ack(0, 1, 0), a3 = ack(0, 1, 0);
	deliver(f, s, 1, BC_MSG_ACK, &a2, sizeof a2);
	assert_string_equal(delivered(f), "");
	d = describe(s, ST_ROLE_NODE);
	assert_string_equal(fks_get(&d, "waits"), "n3");
	deliver(f, s, 2, BC_MSG_ACK, &a3, sizeof a3);
	assert_string_equal(delivered(f), "n1#1");
	free(s);
	free(f);
}

/* Two messages with equal timestamps go in sender order; an ack that arrives before its
 * message is kept; and an ack that says "I had broadcast 1 message" makes the receiver wait
 * for that message, which may carry a lower timestamp. */
static void test_lamport_order_and_early_acks(void **st)
{
	(void)st;
	mkparams(BC_RELAY_NONE, BC_ORDER_LAMPORT, BC_REQ_TOTAL);
	fake *f = new_fake(1, 3, 0);
	bc_state *s = new_state();
	P->init(&f->ctx, s, params);
	bc_wire c1 = wire(2, 1);
	c1.flags = BC_W_TS;
	c1.ts = 1;
	/* n1 acks n3#1 before n3#1 reaches us; n1 says it had broadcast 1 message */
	bc_ack early = ack(2, 1, 1);
	deliver(f, s, 0, BC_MSG_ACK, &early, sizeof early);
	assert_int_equal(s->n.nheld, 1);
	assert_int_equal(s->n.held[0].have, 0);
	deliver(f, s, 2, BC_MSG_MSG, &c1, sizeof c1);
	assert_int_equal(fk_count_sent(f, BC_MSG_ACK), 2);  /* we ack to n1 and n3 */
	assert_string_equal(delivered(f), "");      /* n1#1 (which n1 had sent) is not in */
	fk_sink d = describe(s, ST_ROLE_NODE);
	assert_string_equal(fks_get(&d, "waits"), "n1");
	assert_int_equal(s->n.clock, 2);
	/* n1#1 has timestamp 1 too: it goes first (sender order), once n3 acks it */
	bc_wire a1 = wire(0, 1);
	a1.flags = BC_W_TS;
	a1.ts = 1;
	deliver(f, s, 0, BC_MSG_MSG, &a1, sizeof a1);
	assert_string_equal(delivered(f), "");
	bc_ack a3 = ack(0, 1, 1);
	deliver(f, s, 2, BC_MSG_ACK, &a3, sizeof a3);
	assert_string_equal(delivered(f), "n1#1 n3#1");
	free(s);
	free(f);
}

/* ---------------------------------------------------------------------------------------- */
/* Limits, clients, describe and encode                                                       */

static void test_holdback_full_refuses(void **st)
{
	(void)st;
	mkparams(BC_RELAY_EAGER, BC_ORDER_FIFO, BC_REQ_FIFO);
	fake *f = new_fake(2, 3, 0);
	bc_state *s = new_state();
	P->init(&f->ctx, s, params);
	for (uint32_t q = 2; q < 2 + BC_HOLD_MAX; q++) {
		bc_wire m = wire(0, q);
		deliver(f, s, 0, BC_MSG_MSG, &m, sizeof m);
	}
	assert_int_equal(s->n.nheld, BC_HOLD_MAX);
	fk_sink d = describe(s, ST_ROLE_NODE);
	assert_true(strlen(fks_get(&d, "holdback")) <= 31);
	assert_non_null(strstr(fks_get(&d, "holdback"), " +"));
	bc_wire m = wire(0, 100);
	deliver(f, s, 0, BC_MSG_MSG, &m, sizeof m);
	assert_string_equal(f->label, "holdback full");
	assert_int_equal(f->nsent, 0);                  /* refused: not relayed either */
	assert_int_equal(s->n.refused, 1);
	/* the missing one still fits (it is delivered at once) and releases them all */
	bc_wire m1 = wire(0, 1);
	deliver(f, s, 0, BC_MSG_MSG, &m1, sizeof m1);
	assert_int_equal(s->n.ndelivered, 1 + BC_HOLD_MAX);
	assert_int_equal(s->n.nheld, 0);
	free(s);
	free(f);
}

static void test_describe_and_encode(void **st)
{
	(void)st;
	mkparams(BC_RELAY_EAGER, BC_ORDER_CAUSAL, BC_REQ_CAUSAL);
	fake *f = new_fake(0, 3, 0);
	bc_state *s = new_state();
	P->init(&f->ctx, s, params);
	fire(f, s, BC_T_BROADCAST);
	fk_sink d = describe(s, ST_ROLE_NODE);
	assert_string_equal(d.keys[0], "holdback");     /* the most telling first */
	assert_string_equal(d.keys[1], "vc");
	assert_string_equal(fks_get(&d, "delivered"), "1");
	assert_string_equal(fks_get(&d, "held"), "0");
	assert_string_equal(fks_get(&d, "sent"), "1");
	assert_string_equal(fks_get(&d, "relayed"), "0");
	assert_string_equal(fks_get(&d, "require"), "causal");
	assert_null(fks_get(&d, "refused"));
	fk_sink e;
	fks_init(&e);
	P->encode(BC_MSG_MSG, f->sent[0].body, f->sent[0].len, &e.s);
	assert_string_equal(fks_get(&e, "id"), "n1#1");
	assert_string_equal(fks_get(&e, "origin"), "p0");
	assert_string_equal(fks_get(&e, "vc"), "[...]");
	assert_null(fks_get(&e, "ts"));
	assert_null(fks_get(&e, "re"));
	/* order none: no hold-back keys at all */
	mkparams(BC_RELAY_NONE, BC_ORDER_NONE, BC_REQ_NONE);
	bc_state *t = new_state();
	P->init(&f->ctx, t, params);
	d = describe(t, ST_ROLE_NODE);
	assert_null(fks_get(&d, "holdback"));
	assert_null(fks_get(&d, "require"));
	/* a short body is not read */
	fks_init(&e);
	P->encode(BC_MSG_MSG, f->sent[0].body, 3, &e.s);
	assert_int_equal(e.n, 0);
	bc_ack a = ack(1, 4, 2);
	fks_init(&e);
	P->encode(BC_MSG_ACK, &a, sizeof a, &e.s);
	assert_string_equal(fks_get(&e, "id"), "n2#4");
	assert_string_equal(fks_get(&e, "count"), "2");
	free(s);
	free(t);
	free(f);
}

/* A body of the wrong size or from a stranger is ignored, never read past. */
static void test_bad_messages_ignored(void **st)
{
	(void)st;
	mkparams(BC_RELAY_EAGER, BC_ORDER_FIFO, BC_REQ_FIFO);
	fake *f = new_fake(1, 3, 1);
	bc_state *s = new_state();
	P->init(&f->ctx, s, params);
	bc_wire m = wire(0, 1);
	deliver(f, s, 0, BC_MSG_MSG, &m, 10);
	assert_int_equal(f->nsent + f->nloc, 0);
	deliver(f, s, 3, BC_MSG_MSG, &m, sizeof m);     /* a client is no node */
	assert_int_equal(f->nsent + f->nloc, 0);
	bc_wire bad = wire(9, 1);                       /* no such node */
	deliver(f, s, 0, BC_MSG_MSG, &bad, sizeof bad);
	assert_int_equal(f->nsent + f->nloc, 0);
	bc_wire zero = wire(0, 0);
	deliver(f, s, 0, BC_MSG_MSG, &zero, sizeof zero);
	assert_int_equal(f->nsent + f->nloc, 0);
	deliver(f, s, 0, 99, &m, sizeof m);
	assert_int_equal(f->nsent + f->nloc, 0);
	free(s);
	free(f);
}

/* ---------------------------------------------------------------------------------------- */
/* The checkers                                                                               */

/* The events of the step the checker is shown next: "broadcast"/"deliver" local steps made by
 * hand, as the protocol would record them (the checker reads no state). */
enum { BC_REC_BROADCAST = 1, BC_REC_DELIVER = 2 };
typedef struct { int proc, kind, origin; uint32_t seq; char label[32]; } ck_rec;
static ck_rec recs[64];
static int nrecs;

static void rec(int p, int kind, int origin, uint32_t seq)
{
	assert_true(nrecs < 64);
	ck_rec *r = &recs[nrecs++];
	r->proc = p;
	r->kind = kind;
	r->origin = origin;
	r->seq = seq;
	snprintf(r->label, sizeof r->label, "%s n%d#%u",
		 kind == BC_REC_BROADCAST ? "broadcast" : "deliver", origin + 1, (unsigned)seq);
}

static bool ck_body_int(const st_tev *e, const char *key, int64_t *out)
{
	const ck_rec *r = &recs[e->id];
	if (strcmp(key, "from") == 0)
		*out = r->origin;
	else if (strcmp(key, "seq") == 0)
		*out = r->seq;
	else
		return false;
	return true;
}

static bool ck_event(const st_view *v, int i, st_tev *out)
{
	(void)v;
	if (i < 0 || i >= nrecs)
		return false;
	memset(out, 0, sizeof *out);
	out->id = (uint32_t)i;
	out->kind = "local";
	out->proc = recs[i].proc;
	out->label = recs[i].label;
	out->body_int = ck_body_int;
	return true;
}

/* Show the checker the events recorded since the last check, as one step. */
static bool check(bc_checker *k, bc_state **s, int n, st_violation *out)
{
	const void *states[ST_MAX_PROCS];
	for (int p = 0; p < n; p++)
		states[p] = s[p];
	st_view v = {.nprocs = n, .nnodes = n, .states = states, .nevents = nrecs,
		     .event = ck_event};
	memset(out, 0, sizeof *out);
	bool ok = P->check(k, params, &v, out);
	nrecs = 0;
	return ok;
}

static void test_check_validity_and_duplication(void **st)
{
	(void)st;
	mkparams(BC_RELAY_NONE, BC_ORDER_NONE, BC_REQ_NONE);
	bc_checker *k = calloc(1, P->check_size);
	bc_state *s[2] = {new_state(), new_state()};
	st_violation v;
	rec(0, BC_REC_BROADCAST, 0, 1);
	rec(0, BC_REC_DELIVER, 0, 1);
	rec(1, BC_REC_DELIVER, 0, 1);
	assert_true(check(k, s, 2, &v));
	rec(1, BC_REC_DELIVER, 0, 1);
	assert_false(check(k, s, 2, &v));
	assert_string_equal(v.invariant, "no duplication");
	assert_non_null(strstr(v.detail, "n2 delivers n1#1 a second time"));
	assert_true(check(k, s, 2, &v));                /* reported once */
	rec(1, BC_REC_DELIVER, 0, 2);
	assert_false(check(k, s, 2, &v));
	assert_string_equal(v.invariant, "validity");
	assert_non_null(strstr(v.detail, "n1 has broadcast only 1"));
	/* order none: out-of-order is fine, duplicates beyond the prefix are still caught */
	rec(0, BC_REC_BROADCAST, 0, 2);
	rec(0, BC_REC_BROADCAST, 0, 3);
	rec(0, BC_REC_DELIVER, 0, 3);
	assert_true(check(k, s, 2, &v));
	rec(0, BC_REC_DELIVER, 0, 3);
	assert_false(check(k, s, 2, &v));
	assert_string_equal(v.invariant, "no duplication");
	free(s[0]);
	free(s[1]);
	free(k);
}

/* Causal order is judged by what nodes delivered before they broadcast, transitively: n3's
 * message depends on n1#1 through n2#1 even though n3 never delivered n1#1 directly... */
static void test_check_causal_is_transitive(void **st)
{
	(void)st;
	mkparams(BC_RELAY_NONE, BC_ORDER_NONE, BC_REQ_CAUSAL);
	bc_checker *k = calloc(1, P->check_size);
	bc_state *s[4] = {new_state(), new_state(), new_state(), new_state()};
	st_violation v;
	rec(0, BC_REC_BROADCAST, 0, 1);              /* n1#1 */
	rec(1, BC_REC_DELIVER, 0, 1);                /* n2 delivers it, sends n2#1 */
	rec(1, BC_REC_BROADCAST, 1, 1);
	rec(2, BC_REC_DELIVER, 1, 1);                /* n3 causally had n1#1? no: ... */
	assert_false(check(k, s, 4, &v));               /* ...n3 delivered n2#1 without n1#1 */
	assert_string_equal(v.invariant, "causal order");
	memset(k, 0, P->check_size);
	nrecs = 0;
	rec(0, BC_REC_BROADCAST, 0, 1);
	rec(1, BC_REC_DELIVER, 0, 1);
	rec(1, BC_REC_BROADCAST, 1, 1);
	rec(2, BC_REC_DELIVER, 0, 1);
	rec(2, BC_REC_DELIVER, 1, 1);
	rec(2, BC_REC_BROADCAST, 2, 1);              /* n3#1: after n1#1 via n2#1 */
	assert_true(check(k, s, 4, &v));
	rec(3, BC_REC_DELIVER, 2, 1);                /* n4 delivers n3#1 first: caught */
	assert_false(check(k, s, 4, &v));
	assert_string_equal(v.invariant, "causal order");
	assert_non_null(strstr(v.detail, "n4 delivers n3#1 before n1#1"));
	free(s[0]);
	free(s[1]);
	free(s[2]);
	free(s[3]);
	free(k);
}

typedef struct {
	st_tev e;
	int64_t from, seq;
	const char *require;
} fk_tev;

static bool tv_state_int(const st_tev *e, const char *key, int64_t *out)
{
	(void)e, (void)key, (void)out;
	return false;
}
static bool tv_state_str(const st_tev *e, const char *key, const char **out)
{
	const fk_tev *t = (const fk_tev *)e;
	if (strcmp(key, "require") != 0 || !t->require)
		return false;
	*out = t->require;
	return true;
}
static bool tv_body_int(const st_tev *e, const char *key, int64_t *out)
{
	const fk_tev *t = (const fk_tev *)e;
	if (strcmp(key, "from") == 0)
		*out = t->from;
	else if (strcmp(key, "seq") == 0)
		*out = t->seq;
	else
		return false;
	return true;
}
static bool tv_body_str(const st_tev *e, const char *key, const char **out)
{
	(void)e, (void)key, (void)out;
	return false;
}

static fk_tev tv(uint32_t id, const char *kind, int proc, const char *label, int from,
		 int seq)
{
	fk_tev t;
	memset(&t, 0, sizeof t);
	t.e.id = id;
	t.e.kind = kind;
	t.e.proc = proc;
	t.e.label = label;
	t.e.state_int = tv_state_int;
	t.e.state_str = tv_state_str;
	t.e.body_int = tv_body_int;
	t.e.body_str = tv_body_str;
	t.from = from;
	t.seq = seq;
	return t;
}

static void test_trace_check(void **st)
{
	(void)st;
	st_violation v;
	void *tc = P->trace_check_new(&(st_trace_info){.nprocs = 3, .nnodes = 3});
	assert_non_null(tc);
	fk_tev start = tv(0, "start", 0, NULL, 0, 0);
	start.e.has_state = true;
	start.require = "total";
	fk_tev evs[] = {
		start,
		tv(1, "local", 0, "broadcast n1#1", 0, 1),
		tv(2, "local", 0, "deliver n1#1", 0, 1),
		tv(3, "local", 1, "broadcast n2#1", 1, 1),
		tv(4, "local", 1, "deliver n2#1", 1, 1),    /* n2's 1st: n2#1, n1's was n1#1 */
	};
	for (size_t i = 0; i < 4; i++)
		assert_true(P->trace_check(tc, &evs[i].e, &v));
	assert_false(P->trace_check(tc, &evs[4].e, &v));
	assert_string_equal(v.invariant, "total order");
	assert_non_null(strstr(v.detail, "n2's 1st delivery is n2#1"));
	fk_tev dup = tv(5, "local", 1, "deliver n2#1", 1, 1);
	assert_false(P->trace_check(tc, &dup.e, &v));
	assert_string_equal(v.invariant, "no duplication");
	fk_tev ghost = tv(6, "local", 2, "deliver n2#5", 1, 5);
	assert_false(P->trace_check(tc, &ghost.e, &v));
	assert_string_equal(v.invariant, "validity");
	fk_tev bad = tv(7, "local", 2, "deliver", 7, 1);
	assert_false(P->trace_check(tc, &bad.e, &v));
	assert_string_equal(v.invariant, "broadcast format");
	fk_tev other = tv(8, "local", 2, "delivery-ish", 7, 1);     /* not ours: ignored */
	assert_true(P->trace_check(tc, &other.e, &v));
	assert_true(P->trace_check_end(tc, &v));
	P->trace_check_free(tc);
}

static void test_trace_check_fifo_and_causal(void **st)
{
	(void)st;
	st_violation v;
	void *tc = P->trace_check_new(&(st_trace_info){.nprocs = 3, .nnodes = 3});
	fk_tev start = tv(0, "start", 0, NULL, 0, 0);
	start.e.has_state = true;
	start.require = "causal";
	fk_tev evs[] = {
		start,
		tv(1, "local", 0, "broadcast n1#1", 0, 1),
		tv(2, "local", 1, "deliver n1#1", 0, 1),
		tv(3, "local", 1, "broadcast n2#1", 1, 1),
		tv(4, "local", 0, "broadcast n1#2", 0, 2),
	};
	for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++)
		assert_true(P->trace_check(tc, &evs[i].e, &v));
	fk_tev c = tv(5, "local", 2, "deliver n2#1", 1, 1);
	assert_false(P->trace_check(tc, &c.e, &v));
	assert_string_equal(v.invariant, "causal order");
	assert_non_null(strstr(v.detail, "before n1#1"));
	fk_tev f = tv(6, "local", 1, "deliver n1#2", 0, 2);    /* fine: n1#1 came first */
	assert_true(P->trace_check(tc, &f.e, &v));
	fk_tev g = tv(7, "local", 2, "deliver n1#2", 0, 2);    /* n3 skips n1#1 */
	assert_false(P->trace_check(tc, &g.e, &v));
	assert_string_equal(v.invariant, "FIFO order");
	P->trace_check_free(tc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_descriptor),
		cmocka_unit_test(test_init_arms_timer_for_senders_only),
		cmocka_unit_test(test_count_limits_timer_broadcasts),
		cmocka_unit_test(test_broadcast_sends_to_all_and_delivers_own),
		cmocka_unit_test(test_eager_relays_once),
		cmocka_unit_test(test_no_relay_sends_nothing_on),
		cmocka_unit_test(test_gossip_fanout_and_rounds),
		cmocka_unit_test(test_stagger_and_crash_loses_rest),
		cmocka_unit_test(test_fifo_holds_and_releases),
		cmocka_unit_test(test_causal_broadcast_carries_delivered_vector),
		cmocka_unit_test(test_causal_hold_needs_sender_gap_too),
		cmocka_unit_test(test_sequencer_holds_gap),
		cmocka_unit_test(test_lamport_waits_for_every_ack),
		cmocka_unit_test(test_lamport_order_and_early_acks),
		cmocka_unit_test(test_holdback_full_refuses),
		cmocka_unit_test(test_describe_and_encode),
		cmocka_unit_test(test_bad_messages_ignored),
		cmocka_unit_test(test_check_validity_and_duplication),
		cmocka_unit_test(test_check_causal_is_transitive),
		cmocka_unit_test(test_trace_check),
		cmocka_unit_test(test_trace_check_fifo_and_causal),
	};
	return cmocka_run_group_tests_name("broadcast", tests, NULL, NULL);
}
