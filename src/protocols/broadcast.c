/* broadcast.c: reliable, FIFO, causal and total order broadcast as one pure state machine.
 *
 * Lecture 4 of Kleppmann's Cambridge course (and DDIA chapter 9) builds broadcast in layers,
 * and so does this file, so the lessons can switch one layer at a time and watch what changes:
 *   relay  (reliability): none (the sender sends a copy to everyone, once), eager (whoever
 *          receives a message for the first time sends it on to everyone: a sender that
 *          crashes half-way is covered), gossip (forward to `fanout` random nodes, for
 *          `rounds` hops: fewer messages, everyone reached only with high probability);
 *   order  (delivery): none, fifo (per-sender sequence numbers, a hold-back queue), causal
 *          (vector clocks, a hold-back queue), total-sequencer (n1 numbers every message),
 *          total-lamport (Lamport timestamps, acknowledgements from every node).
 * A node delivers its own messages too (at once, except in total order, where its own wait
 * their turn like everyone's), and records every broadcast and delivery in a small log that
 * the invariant checker (broadcast_check.c) reads.
 *
 * Messages are named "n2#3": the 3rd message n2 broadcast. A node broadcasts on its timer
 * (interval_ms, count, senders), for a client (a Request), or in answer to a message it
 * delivered (reply_pct): answers are how a causal dependency arises that FIFO order misses.
 *
 * Deliberate choices, each a why:
 * - Everything but the outbox is persistent: a crash stops a node, it does not forget what it
 *   delivered (that would break no-duplication) or its counter (that would reuse names). What
 *   it missed while down is never sent again: there is no retransmission, so a crash or a
 *   loss can stall a hold-back queue forever. Safety holds, liveness does not; the lessons
 *   say so.
 * - total-lamport does not assume FIFO links (our network reorders): an acknowledgement
 *   carries how many messages its sender had broadcast, and a message is delivered only once
 *   every node acknowledged it and all the messages they had broadcast before acknowledging
 *   are in. Then no message with a lower (timestamp, sender) can still arrive.
 * - The order algorithms are one table of functions (broadcast_order.c: ready, delivered,
 *   count, notes), so the receive path here is the same for all of them. Relaying is in
 *   broadcast_relay.c, describe() and encode() in broadcast_text.c, the invariants in
 *   broadcast_check.c. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../base/names.h"
#include "broadcast.h"

/* ---------------------------------------------------------------------------------------- */
/* Tables                                                                                     */

static const char *const bc_msg_names[BC_MSG__COUNT] = {
	[BC_MSG_MSG] = "Msg", [BC_MSG_SUBMIT] = "Submit", [BC_MSG_ACK] = "Ack",
	[BC_MSG_REQUEST] = "Request", [BC_MSG_REPLY] = "Reply",
};

static const char *const bc_timer_names[BC_T__COUNT] = {
	[BC_T_BROADCAST] = "next message", [BC_T_SEND] = "send next copy",
	[BC_T_CLIENT] = "client timeout",
};

static const char *const bc_relay_names[] = {"none", "eager", "gossip", NULL};
static const char *const bc_order_names[] = {
	"none", "fifo", "causal", "total-sequencer", "total-lamport", NULL,
};
const char *const broadcast_require_names[] = {"none", "fifo", "causal", "total", NULL};

static const st_param_spec bc_params[BC_P__COUNT] = {
	[BC_P_RELAY] = {"relay", ST_P_ENUM, 0, 0, BC_RELAY_EAGER, BC_RELAY_EAGER, bc_relay_names,
			"reliability: none sends each copy once; eager re-sends a message to "
			"everyone on first receipt; gossip forwards it to fanout random nodes"},
	[BC_P_ORDER] = {"order", ST_P_ENUM, 0, 0, 0, 0, bc_order_names,
			"delivery order: fifo (sequence numbers), causal (vector clocks), "
			"total-sequencer (n1 numbers messages), total-lamport (timestamps + acks)"},
	[BC_P_REQUIRE] = {"require", ST_P_ENUM, 0, 0, 0, 0, broadcast_require_names,
			  "the order the invariant checker demands (validity and no duplication "
			  "always): set it above `order` to see a weak algorithm caught"},
	[BC_P_INTERVAL] = {"interval_ms", ST_P_RANGE, 1, 600000, 200, 600, NULL,
			   "a node broadcasts a message every random time in this range"},
	[BC_P_COUNT] = {"count", ST_P_INT, 0, 1000000, 0, 0, NULL,
			"messages each node broadcasts on its timer; 0 = no limit"},
	[BC_P_SENDERS] = {"senders", ST_P_INT, 0, BC_MAX_NODES, 0, 0, NULL,
			  "only n1..nK broadcast on a timer; 0 = every node"},
	[BC_P_REPLY] = {"reply_pct", ST_P_INT, 0, 100, 0, 0, NULL,
			"chance (percent) that a node answers a message it delivers, unless that "
			"is an answer itself, with a broadcast of its own"},
	[BC_P_FANOUT] = {"fanout", ST_P_INT, 1, BC_MAX_NODES - 1, 2, 2, NULL,
			 "gossip: random nodes each copy goes to"},
	[BC_P_ROUNDS] = {"rounds", ST_P_INT, 1, 32, 3, 3, NULL,
			 "gossip: hops a message makes, the sender's own sends included"},
	[BC_P_STAGGER] = {"stagger_ms", ST_P_INT, 0, 60000, 0, 0, NULL,
			  "a node sends the copies of its own broadcast one at a time, this far "
			  "apart, so a crash in between reaches only some nodes"},
	[BC_P_CLIENT_TIMEOUT] = {"client_timeout_ms", ST_P_INT, 1, 3600000, 2000, 2000, NULL,
				 "a client that hears nothing this long gives up (info)"},
};

/* ---------------------------------------------------------------------------------------- */
/* Small helpers                                                                              */

/* Offer a label of this priority; the simulator keeps the one that matters most. */
void broadcast_put(bc_run *r, int prio, int flags, const char *text, const char *fmt, ...)
{
	if (r->quiet || !r->c)
		return;
	char note[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(note, sizeof note, fmt, ap);
	va_end(ap);
	st_label(r->c, text, note[0] ? note : NULL, flags | ST_LABEL_PRIO(prio));
}

/* A label of at most 24 characters (longer is cut: only absurd seqs get there). */
void broadcast_lfmt(char *out, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out, 25, fmt, ap);
	va_end(ap);
}

void broadcast_msg_name(int origin, uint32_t seq, char *buf, size_t n)
{
	snprintf(buf, n, "n%d#%u", origin + 1, (unsigned)seq);
}

bc_str broadcast_mname(int origin, uint32_t seq)
{
	bc_str s;
	broadcast_msg_name(origin, seq, s.s, sizeof s.s);
	return s;
}

bc_str broadcast_pname(const st_ctx *c, int p)
{
	bc_str s;
	st_proc_name(p, c->nnodes, c->nprocs, s.s, sizeof s.s);
	return s;
}

static int bc_nn(int nnodes) { return nnodes < BC_MAX_NODES ? nnodes : BC_MAX_NODES; }


/* ---------------------------------------------------------------------------------------- */
/* Delivering                                                                                 */

static void bc_deliver(const bc_env *e, const bc_wire *m, bc_run *r)
{
	bc_state *s = e->s;
	bc_node *n = &s->n;
	const bc_order_ops *ops = broadcast_order_ops(s);
	char note[400];
	ops->deliver_note(e, m, note, sizeof note);
	/* An answer delivered before the message it answers: FIFO order allows it. */
	if ((m->flags & BC_W_REPLY) && m->origin != e->self && m->re_origin < e->nn &&
	    s->cfg.order != BC_ORDER_SEQUENCER) {
		bc_wire q;
		memset(&q, 0, sizeof q);
		q.origin = m->re_origin;
		q.seq = m->re_seq;
		if (!ops->delivered(n, &q))
			broadcast_put(r, BC_LP_KEY, ST_LABEL_MILESTONE, "out of causal order",
			       "n%d delivers %s, n%d's answer to %s, before %s itself: n%d delivered "
			       "%s before sending its answer, so the question happened before the "
			       "answer, yet n%d sees them the other way round. %s order keeps each "
			       "sender's messages in order, not messages of different senders.",
			       e->self + 1, broadcast_mname(m->origin, m->seq).s, m->origin + 1,
			       broadcast_mname(q.origin, q.seq).s, broadcast_mname(q.origin, q.seq).s,
			       m->origin + 1, broadcast_mname(q.origin, q.seq).s, e->self + 1,
			       s->cfg.order == BC_ORDER_FIFO ? "FIFO" : "This");
	}
	ops->count(n, m);
	n->ndelivered++;
	if (m->origin == e->self)
		n->own_delivered++;
	bc_str id = broadcast_mname(m->origin, m->seq);
	char lbl[25];
	broadcast_lfmt(lbl, "deliver %s", id.s);
	st_kv body[3] = {
		{.key = "from", .type = ST_V_PROC, .i = m->origin},
		{.key = "seq", .type = ST_V_INT, .i = m->seq},
		{.key = "id", .type = ST_V_STR, .s = id.s},
	};
	st_local(e->c, lbl, note, body, 3, 0);
	if (m->origin == e->self && (m->flags & BC_W_CLIENT) && m->client < e->c->nclients) {
		bc_reply rep;
		memset(&rep, 0, sizeof rep);
		rep.invoke = m->invoke;
		rep.origin = m->origin;
		rep.seq = m->seq;
		st_send(e->c, e->c->nnodes + m->client, BC_MSG_REPLY, &rep, sizeof rep);
	}
	if (s->cfg.reply_pct > 0 && r->nreply < BC_REPLIES_MAX && m->origin != e->self &&
	    !(m->flags & BC_W_REPLY) &&
	    (s->cfg.reply_pct >= 100 || st_random_range(e->c, 0, 99) < s->cfg.reply_pct)) {
		r->re[r->nreply].origin = m->origin;
		r->re[r->nreply].seq = m->seq;
		r->nreply++;
	}
}

/* Deliver whatever the hold-back queue now allows, until nothing more goes. */
static void bc_release(const bc_env *e, bc_run *r)
{
	bc_node *n = &e->s->n;
	const bc_order_ops *ops = broadcast_order_ops(e->s);
	for (;;) {
		int pick = -1;
		for (uint32_t i = 0; i < n->nheld && pick < 0; i++)
			if (n->held[i].have && ops->ready(n, &n->held[i], e->self, e->nn))
				pick = (int)i;
		if (pick < 0)
			return;
		bc_wire m = n->held[pick].m;
		broadcast_held_remove(n, pick);
		bc_deliver(e, &m, r);
	}
}

/* Whether m can be taken now: delivered at once, or there is a place in the queue. */
static bool bc_room(const bc_env *e, const bc_wire *m)
{
	const bc_node *n = &e->s->n;
	const bc_order_ops *ops = broadcast_order_ops(e->s);
	bc_held tmp;
	memset(&tmp, 0, sizeof tmp);
	tmp.m = *m;
	tmp.have = 1;
	if (!ops->hold_all && ops->ready(n, &tmp, e->self, e->nn))
		return true;
	return broadcast_held_find(n, m->origin, m->seq) >= 0 || n->nheld < BC_HOLD_MAX;
}

/* Put m in the hold-back queue (taking over a placeholder of early acks), or deliver it at
 * once when the order allows. The caller checked bc_room. */
static void bc_accept(const bc_env *e, const bc_wire *m, bc_run *r)
{
	bc_node *n = &e->s->n;
	const bc_order_ops *ops = broadcast_order_ops(e->s);
	bc_held tmp;
	memset(&tmp, 0, sizeof tmp);
	tmp.m = *m;
	tmp.have = 1;
	if (!ops->hold_all && ops->ready(n, &tmp, e->self, e->nn)) {
		bc_deliver(e, m, r);
		return;
	}
	int i = broadcast_held_find(n, m->origin, m->seq);
	if (i < 0) {
		i = (int)n->nheld++;
		memset(&n->held[i], 0, sizeof n->held[i]);
	}
	bc_held *h = &n->held[i];
	h->m = *m;
	h->have = 1;
	h->acks |= 1u << e->self | 1u << m->origin;
	h->need[m->origin] = m->seq;
	if (m->origin == e->self)
		return;     /* total-lamport's own message: waiting is the rule, not news */
	char lbl[25], note[400];
	broadcast_lfmt(lbl, "hold %s", broadcast_mname(m->origin, m->seq).s);
	ops->hold_note(e, m, note, sizeof note);
	broadcast_put(r, BC_LP_HOLD, ops->hold_milestone ? ST_LABEL_MILESTONE : 0, lbl, "%s", note);
}

static void bc_refuse(const bc_env *e, const bc_wire *m, bc_run *r)
{
	e->s->n.refused++;
	broadcast_put(r, BC_LP_KEY, ST_LABEL_MILESTONE, "holdback full",
	       "n%d's hold-back queue is full (%d messages): it refuses %s as if it were lost. "
	       "A later copy may still get in; until then every message that depends on it "
	       "waits too.", e->self + 1, BC_HOLD_MAX, broadcast_mname(m->origin, m->seq).s);
}

/* ---------------------------------------------------------------------------------------- */
/* Broadcasting                                                                               */

/* total-sequencer, at n1: number m, send the numbered copies, deliver it here. */
static void bc_sequence(const bc_env *e, bc_wire *m, bc_run *r)
{
	bc_node *n = &e->s->n;
	m->g = ++n->assigned;
	m->flags |= BC_W_G;
	broadcast_disseminate(e, m);
	bc_deliver(e, m, r);
	bc_release(e, r);
}

static void bc_own_direct(const bc_env *e, bc_wire *m, bc_run *r)   /* none, fifo, causal */
{
	broadcast_disseminate(e, m);
	bc_deliver(e, m, r);
	bc_release(e, r);
}

static void bc_own_sequencer(const bc_env *e, bc_wire *m, bc_run *r)
{
	if (e->self == 0)
		bc_sequence(e, m, r);
	else
		st_send(e->c, 0, BC_MSG_SUBMIT, m, sizeof *m);
}

static void bc_own_lamport(const bc_env *e, bc_wire *m, bc_run *r)
{
	bc_node *n = &e->s->n;
	broadcast_disseminate(e, m);
	if (n->nheld >= BC_HOLD_MAX) {  /* its own copy cannot wait here: it is lost here */
		bc_refuse(e, m, r);
		return;
	}
	bc_accept(e, m, r);
	bc_release(e, r);
}

static void (*const bc_own[BC_ORDER__COUNT])(const bc_env *e, bc_wire *m, bc_run *r) = {
	[BC_ORDER_NONE] = bc_own_direct, [BC_ORDER_FIFO] = bc_own_direct,
	[BC_ORDER_CAUSAL] = bc_own_direct, [BC_ORDER_SEQUENCER] = bc_own_sequencer,
	[BC_ORDER_LAMPORT] = bc_own_lamport,
};

/* A new message of this node: name it, stamp it as the order needs, send and deliver it. */
static void bc_broadcast(const bc_env *e, int64_t value, int client, uint32_t invoke,
			 int re_origin, uint32_t re_seq, bc_run *r)
{
	bc_state *s = e->s;
	bc_node *n = &s->n;
	bc_wire m;
	memset(&m, 0, sizeof m);
	m.origin = (uint8_t)e->self;
	m.seq = ++n->sent;
	m.value = client >= 0 ? value : (int64_t)m.seq;
	if (s->cfg.relay == BC_RELAY_GOSSIP)
		m.rounds = (uint8_t)s->cfg.rounds;
	char extra[200] = "";
	if (re_origin >= 0) {
		m.flags |= BC_W_REPLY;
		m.re_origin = (uint8_t)re_origin;
		m.re_seq = re_seq;
		snprintf(extra, sizeof extra, " It answers %s, which it just delivered.",
			 broadcast_mname(re_origin, re_seq).s);
	}
	if (client >= 0) {
		m.flags |= BC_W_CLIENT;
		m.client = (uint8_t)client;
		m.invoke = invoke;
		snprintf(extra, sizeof extra, " It carries c%d's value %lld.", client + 1,
			 (long long)value);
	}
	size_t xl = strlen(extra);
	if (s->cfg.order == BC_ORDER_CAUSAL) {
		m.flags |= BC_W_VC;
		for (int k = 0; k < e->nn; k++)
			m.vc[k] = n->delivered[k];
		m.vc[e->self] = m.seq;
		char v[96];
		broadcast_vec_str(m.vc, e->nn, v, sizeof v);
		snprintf(extra + xl, sizeof extra - xl, " Its vector clock %s: what n%d has "
			 "delivered, and this message.", v, e->self + 1);
	} else if (s->cfg.order == BC_ORDER_LAMPORT) {
		m.flags |= BC_W_TS;
		m.ts = ++n->clock;
		snprintf(extra + xl, sizeof extra - xl, " Its Lamport timestamp is %u.",
			 (unsigned)m.ts);
	} else if (s->cfg.order == BC_ORDER_SEQUENCER && e->self != 0) {
		snprintf(extra + xl, sizeof extra - xl, " It goes to the sequencer n1 first, "
			 "which numbers it.");
	} else if (s->cfg.order == BC_ORDER_FIFO) {
		snprintf(extra + xl, sizeof extra - xl, " Its sequence number %u tells receivers "
			 "where it goes among n%d's messages.", (unsigned)m.seq, e->self + 1);
	}
	bc_str id = broadcast_mname(e->self, m.seq);
	char lbl[25], note[400];
	broadcast_lfmt(lbl, "broadcast %s", id.s);
	snprintf(note, sizeof note, "n%d broadcasts its message number %u, %s.%s", e->self + 1,
		 (unsigned)m.seq, id.s, extra);
	st_kv body[3] = {
		{.key = "from", .type = ST_V_PROC, .i = e->self},
		{.key = "seq", .type = ST_V_INT, .i = m.seq},
		{.key = "id", .type = ST_V_STR, .s = id.s},
	};
	st_local(e->c, lbl, note, body, 3, 0);
	int o = s->cfg.order >= 0 && s->cfg.order < BC_ORDER__COUNT ? s->cfg.order : 0;
	bc_own[o](e, &m, r);
}

/* ---------------------------------------------------------------------------------------- */
/* Receiving                                                                                  */

static bool bc_wire_ok(const bc_env *e, const bc_wire *m)
{
	return m->origin < e->nn && m->seq > 0;
}

/* A copy of a message: first receipt is relayed, then delivered or held. */
static void bc_on_msg(const bc_env *e, int from, const void *body, bc_run *r)
{
	bc_state *s = e->s;
	bc_node *n = &s->n;
	const bc_order_ops *ops = broadcast_order_ops(s);
	bc_wire m;
	memcpy(&m, body, sizeof m);
	if (!bc_wire_ok(e, &m))
		return;
	if (s->cfg.order == BC_ORDER_SEQUENCER && (!(m.flags & BC_W_G) || m.g == 0))
		return;         /* only numbered copies travel in total-sequencer */
	int i = broadcast_held_find(n, m.origin, m.seq);
	if (ops->delivered(n, &m) || (i >= 0 && n->held[i].have))
		return;         /* a copy we have: relaying is why most copies are redundant */
	if (!bc_room(e, &m)) {
		bc_refuse(e, &m, r);
		return;
	}
	if (m.flags & BC_W_TS)
		n->clock = (m.ts > n->clock ? m.ts : n->clock) + 1;
	broadcast_relay(e, &m, from, r);
	bc_accept(e, &m, r);
	if (s->cfg.order == BC_ORDER_LAMPORT) {
		bc_ack a;
		memset(&a, 0, sizeof a);
		a.origin = m.origin;
		a.seq = m.seq;
		a.count = n->sent;
		for (int p = 0; p < e->nn; p++)
			if (p != e->self)
				st_send(e->c, p, BC_MSG_ACK, &a, sizeof a);
	}
	bc_release(e, r);
}

/* total-sequencer, at n1: a message to number. A duplicate Submit is numbered once. */
static void bc_on_submit(const bc_env *e, int from, const void *body, bc_run *r)
{
	(void)from;
	bc_node *n = &e->s->n;
	bc_wire m;
	memcpy(&m, body, sizeof m);
	if (e->s->cfg.order != BC_ORDER_SEQUENCER || e->self != 0 || !bc_wire_ok(e, &m))
		return;
	if (broadcast_win_has(n->sq_base[m.origin], n->sq_window[m.origin], m.seq))
		return;
	broadcast_win_add(&n->sq_base[m.origin], &n->sq_window[m.origin], m.seq);
	char lbl[25];
	broadcast_lfmt(lbl, "order %s as %u", broadcast_mname(m.origin, m.seq).s,
		 (unsigned)n->assigned + 1);
	broadcast_put(r, BC_LP_ORDER, 0, lbl, "The sequencer n1 gives %s the next number, %u, and "
	       "sends the numbered message to every node. Whatever order messages reach n1 in "
	       "becomes the one order everyone delivers in.", broadcast_mname(m.origin, m.seq).s,
	       (unsigned)n->assigned + 1);
	bc_sequence(e, &m, r);
}

/* total-lamport: q acknowledges a message, perhaps before that message reaches us. */
static void bc_on_ack(const bc_env *e, int from, const void *body, bc_run *r)
{
	bc_node *n = &e->s->n;
	bc_ack a;
	memcpy(&a, body, sizeof a);
	if (e->s->cfg.order != BC_ORDER_LAMPORT || a.origin >= e->nn || a.seq == 0 ||
	    from >= e->nn)
		return;
	if (a.seq <= n->delivered[a.origin])
		return;
	int i = broadcast_held_find(n, a.origin, a.seq);
	if (i < 0) {
		if (n->nheld >= BC_HOLD_MAX) {
			bc_wire m;
			memset(&m, 0, sizeof m);
			m.origin = a.origin;
			m.seq = a.seq;
			bc_refuse(e, &m, r);
			return;
		}
		i = (int)n->nheld++;
		memset(&n->held[i], 0, sizeof n->held[i]);
		n->held[i].m.origin = a.origin;
		n->held[i].m.seq = a.seq;
	}
	n->held[i].acks |= 1u << from;
	n->held[i].need[from] = a.count;
	bc_release(e, r);
}

static void bc_on_request(const bc_env *e, int from, const void *body, bc_run *r)
{
	bc_request q;
	memcpy(&q, body, sizeof q);
	if (from < e->c->nnodes)
		return;
	bc_broadcast(e, q.value, from - e->c->nnodes, q.invoke, -1, 0, r);
}

static void bc_client_finish(st_ctx *c, bc_state *s, st_optype t)
{
	st_cancel_timer(c, BC_T_CLIENT);
	s->c.busy = 0;
	s->c.done++;
	st_complete(c, &s->c.op, t);
}

static void bc_on_reply(const bc_env *e, int from, const void *body, bc_run *r)
{
	(void)from, (void)r;
	bc_reply rep;
	memcpy(&rep, body, sizeof rep);
	if (e->s->c.busy && rep.invoke == e->s->c.op.invoke)
		bc_client_finish(e->c, e->s, ST_OP_OK);
}

typedef void (*bc_handler)(const bc_env *e, int from, const void *body, bc_run *r);
static const struct {
	bc_handler fn;
	st_role role;
	size_t len;
} bc_handlers[BC_MSG__COUNT] = {
	[BC_MSG_MSG] = {bc_on_msg, ST_ROLE_NODE, sizeof(bc_wire)},
	[BC_MSG_SUBMIT] = {bc_on_submit, ST_ROLE_NODE, sizeof(bc_wire)},
	[BC_MSG_ACK] = {bc_on_ack, ST_ROLE_NODE, sizeof(bc_ack)},
	[BC_MSG_REQUEST] = {bc_on_request, ST_ROLE_NODE, sizeof(bc_request)},
	[BC_MSG_REPLY] = {bc_on_reply, ST_ROLE_CLIENT, sizeof(bc_reply)},
};

/* ---------------------------------------------------------------------------------------- */
/* The protocol's entry points                                                                */

static void bc_cfg_load(bc_cfg *cfg, const st_param_val *p)
{
	st_param_val def[BC_P__COUNT];
	if (!p) {       /* no scenario (a unit test, a tool): the table's defaults */
		for (int i = 0; i < BC_P__COUNT; i++) {
			def[i].lo = bc_params[i].def_lo;
			def[i].hi = bc_params[i].def_hi;
		}
		p = def;
	}
	memset(cfg, 0, sizeof *cfg);
	cfg->relay = (int32_t)p[BC_P_RELAY].lo;
	cfg->order = (int32_t)p[BC_P_ORDER].lo;
	cfg->require = (int32_t)p[BC_P_REQUIRE].lo;
	cfg->interval_lo_us = p[BC_P_INTERVAL].lo * 1000;
	cfg->interval_hi_us = p[BC_P_INTERVAL].hi * 1000;
	cfg->count = (int32_t)p[BC_P_COUNT].lo;
	cfg->senders = (int32_t)p[BC_P_SENDERS].lo;
	cfg->reply_pct = (int32_t)p[BC_P_REPLY].lo;
	cfg->fanout = (int32_t)p[BC_P_FANOUT].lo;
	cfg->rounds = (int32_t)p[BC_P_ROUNDS].lo;
	cfg->stagger_us = p[BC_P_STAGGER].lo * 1000;
	cfg->client_timeout_us = p[BC_P_CLIENT_TIMEOUT].lo * 1000;
	if (cfg->relay < 0 || cfg->relay >= BC_RELAY__COUNT)
		cfg->relay = BC_RELAY_NONE;
	if (cfg->order < 0 || cfg->order >= BC_ORDER__COUNT)
		cfg->order = BC_ORDER_NONE;
	if (cfg->require < 0 || cfg->require >= BC_REQ__COUNT)
		cfg->require = BC_REQ_NONE;
	if (cfg->rounds > 255)
		cfg->rounds = 255;
}

static bc_env bc_env_of(st_ctx *c, void *state)
{
	bc_env e = {c, state, c->self, bc_nn(c->nnodes)};
	return e;
}

/* Whether this node broadcasts on its timer, now. */
static bool bc_timer_due(const bc_env *e)
{
	const bc_cfg *cfg = &e->s->cfg;
	return e->self < e->nn && (cfg->senders == 0 || e->self < cfg->senders) &&
	       (cfg->count == 0 || e->s->n.timer_sent < (uint32_t)cfg->count);
}

static void bc_arm(const bc_env *e)
{
	if (bc_timer_due(e))
		st_set_timer(e->c, BC_T_BROADCAST, st_random_range(e->c, e->s->cfg.interval_lo_us,
								   e->s->cfg.interval_hi_us));
}

static void bc_init(st_ctx *c, void *state, const st_param_val *params)
{
	bc_state *s = state;
	memset(s, 0, sizeof *s);
	bc_cfg_load(&s->cfg, params);
	bc_env e = bc_env_of(c, state);
	if (c->role == ST_ROLE_NODE) {
		s->n.self = (uint8_t)c->self;
		s->n.nn = (uint8_t)e.nn;
		bc_arm(&e);
	}
}

static void bc_on_message(st_ctx *c, void *state, const st_msg *msg)
{
	if (msg->type < 0 || msg->type >= BC_MSG__COUNT || !msg->body ||
	    msg->len < bc_handlers[msg->type].len || bc_handlers[msg->type].role != c->role ||
	    msg->from < 0 || msg->from >= c->nprocs)
		return;
	bc_env e = bc_env_of(c, state);
	if (c->role == ST_ROLE_NODE && (e.self >= e.nn ||
					(msg->type != BC_MSG_REQUEST && msg->from >= e.nn)))
		return;
	bc_run r = {.c = c};
	bc_handlers[msg->type].fn(&e, msg->from, msg->body, &r);
	for (int i = 0; i < r.nreply; i++) {
		/* an answer's own deliveries owe no further answers, and label nothing */
		bc_run r2 = {.c = c, .quiet = true};
		bc_broadcast(&e, 0, -1, 0, r.re[i].origin, r.re[i].seq, &r2);
	}
}

static void bc_on_timer(st_ctx *c, void *state, int timer)
{
	bc_state *s = state;
	bc_env e = bc_env_of(c, state);
	/* a timer's broadcast is labelled by its own local "broadcast" step, not by the timer */
	bc_run r = {.c = c, .quiet = true};
	if (c->role == ST_ROLE_CLIENT) {
		if (timer == BC_T_CLIENT && s->c.busy)
			bc_client_finish(c, s, ST_OP_INFO);
		return;
	}
	bc_node *n = &s->n;
	if (timer == BC_T_BROADCAST && bc_timer_due(&e)) {
		n->timer_sent++;
		bc_broadcast(&e, 0, -1, 0, -1, 0, &r);
		bc_arm(&e);
	} else if (timer == BC_T_SEND && n->nout > 0) {
		bc_out *o = &n->out[0];
		int p = 0;
		while (p < 31 && !(o->next >> p & 1))
			p++;
		st_send(c, p, BC_MSG_MSG, &o->m, sizeof o->m);
		o->next &= ~(1u << p);
		if (!o->next) {
			memmove(&n->out[0], &n->out[1], (n->nout - 1) * sizeof n->out[0]);
			n->nout--;
		}
		if (n->nout > 0)
			st_set_timer(c, BC_T_SEND, s->cfg.stagger_us);
	}
}

static void bc_on_client(st_ctx *c, void *state, const st_op *op)
{
	bc_state *s = state;
	if (c->role != ST_ROLE_CLIENT || c->nnodes <= 0)
		return;
	if (s->c.busy)
		bc_client_finish(c, s, ST_OP_INFO);
	s->c.op = *op;
	s->c.busy = 1;
	int nn = bc_nn(c->nnodes);
	int target = op->node >= 0 && op->node < nn ? op->node :
		     (int)((uint32_t)(c->self - c->nnodes) + s->c.done) % nn;
	bc_request q;
	memset(&q, 0, sizeof q);
	q.value = op->value;
	q.invoke = op->invoke;
	st_send(c, target, BC_MSG_REQUEST, &q, sizeof q);
	st_set_timer(c, BC_T_CLIENT, s->cfg.client_timeout_us);
}

static void bc_on_restart(st_ctx *c, void *state, const st_param_val *params)
{
	bc_state *s = state;
	bc_cfg_load(&s->cfg, params);
	bc_env e = bc_env_of(c, state);
	if (c->role == ST_ROLE_NODE) {
		/* the outbox was in memory: copies not sent by the crash are never sent */
		s->n.nout = 0;
		st_cancel_timer(c, BC_T_SEND);
		bc_arm(&e);
	} else {
		s->c.busy = 0;
		st_cancel_timer(c, BC_T_CLIENT);
	}
}

const st_protocol broadcast_protocol = {
	.name = "broadcast",
	.version = "1",
	.summary = "Broadcast: eager and gossip relaying; FIFO, causal and total order delivery",
	.state_size = sizeof(bc_state),
	.max_msg_size = sizeof(bc_wire),
	.msg_types = bc_msg_names, .n_msg_types = BC_MSG__COUNT,
	.timer_names = bc_timer_names, .n_timers = BC_T__COUNT,
	.params = bc_params, .n_params = BC_P__COUNT,
	.init = bc_init,
	.on_message = bc_on_message,
	.on_timer = bc_on_timer,
	.on_client = bc_on_client,
	.on_restart = bc_on_restart,
	.describe = broadcast_describe,
	.encode = broadcast_encode,
	.check_size = sizeof(bc_checker),
	.check = broadcast_check,
	.trace_check_new = broadcast_trace_check_new,
	.trace_check = broadcast_trace_check,
	.trace_check_end = broadcast_trace_check_end,
	.trace_check_free = broadcast_trace_check_free,
	.msg_classes = broadcast_msg_classes, .n_msg_classes = BC_MSG_CLASSES,
	.msg_class = broadcast_msg_class,
	.picture = broadcast_picture,
};
