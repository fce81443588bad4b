/* broadcast_order.c: the delivery-order algorithms, one table, and the hold-back queue.
 *
 * Each algorithm answers the same few questions (was m delivered here already, may this held
 * message go now, what does a delivery change, how to explain a wait and a delivery), so the
 * receive path in broadcast.c is one path for all of them and a new order is one table row:
 *   none             deliver on first receipt (a window remembers what was delivered);
 *   fifo             a sender's messages in their sequence order;
 *   causal           a vector clock per message: everything it names is delivered first;
 *   total-sequencer  n1's numbering, with no gap;
 *   total-lamport    the lowest (timestamp, sender) held, once every node acknowledged it
 *                    and all it had broadcast before acknowledging is in.
 * The queue helpers live here too: the queue is a fixed array in the node's state, its order
 * is arrival order, and total-lamport keeps placeholders for early acknowledgements in it. */
#include <stdio.h>
#include <string.h>

#include "broadcast.h"

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                    */

/* "[2,0,1]": a vector over the nodes. */
void broadcast_vec_str(const uint32_t *v, int nn, char *buf, size_t len)
{
	size_t o = (size_t)snprintf(buf, len, "[");
	for (int k = 0; k < nn && o < len; k++)
		o += (size_t)snprintf(buf + o, len - o, "%s%u", k ? "," : "", (unsigned)v[k]);
	if (o < len)
		snprintf(buf + o, len - o, "]");
}

/* A prefix plus a 64-bit window past it: bit i stands for seq base + 1 + i. Adding a seq
 * more than BC_WINDOW past the base gives up the oldest gap (that message was lost). */
bool broadcast_win_has(uint32_t base, uint64_t mask, uint32_t seq)
{
	if (seq <= base)
		return true;
	uint32_t d = seq - base - 1;
	return d < BC_WINDOW && (mask >> d & 1);
}

void broadcast_win_add(uint32_t *base, uint64_t *mask, uint32_t seq)
{
	if (seq <= *base)
		return;
	uint32_t d = seq - *base - 1;
	if (d >= BC_WINDOW) {
		uint32_t shift = d - (BC_WINDOW - 1);
		*base += shift;
		*mask = shift >= 64 ? 0 : *mask >> shift;
		d = BC_WINDOW - 1;
	}
	*mask |= 1ull << d;
	while (*mask & 1) {
		(*base)++;
		*mask >>= 1;
	}
}

int broadcast_held_find(const bc_node *n, int origin, uint32_t seq)
{
	for (uint32_t i = 0; i < n->nheld; i++)
		if (n->held[i].m.origin == origin && n->held[i].m.seq == seq)
			return (int)i;
	return -1;
}

void broadcast_held_remove(bc_node *n, int i)
{
	memmove(&n->held[i], &n->held[i + 1], (n->nheld - (uint32_t)i - 1) * sizeof n->held[0]);
	n->nheld--;
}

uint32_t broadcast_nheld(const bc_node *n)
{
	uint32_t k = 0;
	for (uint32_t i = 0; i < n->nheld; i++)
		k += n->held[i].have;
	return k;
}

/* total-lamport: how many of q's messages this node has, counted without a gap: delivered
 * ones and the held ones that follow them. */
uint32_t broadcast_have_upto(const bc_node *n, int q)
{
	uint32_t r = n->delivered[q];
	for (;;) {
		int i = broadcast_held_find(n, q, r + 1);
		if (i < 0 || !n->held[i].have)
			return r;
		r++;
	}
}

static bool bc_before(const bc_wire *a, const bc_wire *b)   /* (ts, origin) order */
{
	return a->ts < b->ts || (a->ts == b->ts && a->origin < b->origin);
}

/* total-lamport: the first node h still waits for (an ack, or that node's earlier
 * messages), or -1. */
static int bc_lamport_waits(const bc_node *n, const bc_held *h, int self, int nn)
{
	for (int q = 0; q < nn; q++) {
		if (q == self)
			continue;
		if (q == h->m.origin) {
			if (broadcast_have_upto(n, q) < h->m.seq)
				return q;
		} else if (!(h->acks >> q & 1) || broadcast_have_upto(n, q) < h->need[q]) {
			return q;
		}
	}
	return -1;
}

/* total-lamport: the held message with the lowest (timestamp, sender), or -1. */
int broadcast_lamport_head(const bc_node *n)
{
	int best = -1;
	for (uint32_t i = 0; i < n->nheld; i++)
		if (n->held[i].have && (best < 0 || bc_before(&n->held[i].m, &n->held[best].m)))
			best = (int)i;
	return best;
}

/* ---------------------------------------------------------------------------------------- */
/* The order algorithms                                                                       */


static bool bc_delivered_seq(const bc_node *n, const bc_wire *m)
{
	return m->seq <= n->delivered[m->origin];
}
static void bc_count_seq(bc_node *n, const bc_wire *m) { n->delivered[m->origin] = m->seq; }
static uint64_t bc_key_sender(const bc_held *h)
{
	return (uint64_t)h->m.origin << 32 | h->m.seq;
}

/* none: deliver on first receipt; a window remembers what was delivered. */
static bool bc_none_delivered(const bc_node *n, const bc_wire *m)
{
	return broadcast_win_has(n->delivered[m->origin], n->window[m->origin], m->seq);
}
static bool bc_none_ready(const bc_node *n, const bc_held *h, int self, int nn)
{
	(void)n, (void)h, (void)self, (void)nn;
	return true;
}
static void bc_none_count(bc_node *n, const bc_wire *m)
{
	broadcast_win_add(&n->delivered[m->origin], &n->window[m->origin], m->seq);
}
static void bc_none_hold(const bc_env *e, const bc_wire *m, char *b, size_t len)
{
	(void)e, (void)m;
	snprintf(b, len, "(never held)");
}
static void bc_none_deliver(const bc_env *e, const bc_wire *m, char *b, size_t len)
{
	if (m->origin == e->self)
		snprintf(b, len, "n%d delivers its own message at once.", e->self + 1);
	else
		snprintf(b, len, "n%d delivers %s the first time it receives it. Reliable broadcast "
			 "promises that every node that stays up delivers every message exactly "
			 "once, in no particular order.", e->self + 1, broadcast_mname(m->origin, m->seq).s);
}

/* fifo: a sender's messages in the order it sent them. */
static bool bc_fifo_ready(const bc_node *n, const bc_held *h, int self, int nn)
{
	(void)self, (void)nn;
	return h->m.seq == n->delivered[h->m.origin] + 1;
}
static void bc_fifo_hold(const bc_env *e, const bc_wire *m, char *b, size_t len)
{
	uint32_t next = e->s->n.delivered[m->origin] + 1;
	snprintf(b, len, "n%d holds %s back: the next message it may deliver from n%d is %s. "
		 "FIFO order: each sender's messages are delivered in the order it sent them, "
		 "whatever order the network brings them in.", e->self + 1,
		 broadcast_mname(m->origin, m->seq).s, m->origin + 1, broadcast_mname(m->origin, next).s);
}
static void bc_fifo_deliver(const bc_env *e, const bc_wire *m, char *b, size_t len)
{
	if (m->origin == e->self)
		snprintf(b, len, "n%d delivers its own %s at once.", e->self + 1,
			 broadcast_mname(m->origin, m->seq).s);
	else
		snprintf(b, len, "n%d delivers %s: the next in n%d's sequence (it has delivered "
			 "n%d's messages up to #%u).", e->self + 1, broadcast_mname(m->origin, m->seq).s,
			 m->origin + 1, m->origin + 1, (unsigned)(m->seq - 1));
}

/* causal: m from s when vc[s] = delivered[s] + 1 and vc[k] <= delivered[k] for k != s. */
static bool bc_causal_ready(const bc_node *n, const bc_held *h, int self, int nn)
{
	(void)self;
	int o = h->m.origin;
	if (h->m.vc[o] != n->delivered[o] + 1)
		return false;
	for (int k = 0; k < nn; k++)
		if (k != o && h->m.vc[k] > n->delivered[k])
			return false;
	return true;
}
static void bc_causal_hold(const bc_env *e, const bc_wire *m, char *b, size_t len)
{
	const bc_node *n = &e->s->n;
	int miss = m->origin;       /* the sender's own earlier message first, else the first */
	for (int k = 0; k < e->nn && m->vc[m->origin] <= n->delivered[m->origin] + 1; k++)
		if (k != m->origin && m->vc[k] > n->delivered[k]) {
			miss = k;
			break;
		}
	char vm[96], vd[96];
	broadcast_vec_str(m->vc, e->nn, vm, sizeof vm);
	broadcast_vec_str(n->delivered, e->nn, vd, sizeof vd);
	snprintf(b, len, "n%d holds %s back: its vector clock %s says it comes after %s, and "
		 "n%d has delivered only %s. Causal order: nothing is delivered before what "
		 "happened before it.", e->self + 1, broadcast_mname(m->origin, m->seq).s, vm,
		 broadcast_mname(miss, n->delivered[miss] + 1).s, e->self + 1, vd);
}
static void bc_causal_deliver(const bc_env *e, const bc_wire *m, char *b, size_t len)
{
	char vm[96], vd[96];
	broadcast_vec_str(m->vc, e->nn, vm, sizeof vm);
	broadcast_vec_str(e->s->n.delivered, e->nn, vd, sizeof vd);
	if (m->origin == e->self)
		snprintf(b, len, "n%d delivers its own %s at once; its vector clock %s is what n%d "
			 "had delivered, plus this message.", e->self + 1,
			 broadcast_mname(m->origin, m->seq).s, vm, e->self + 1);
	else
		snprintf(b, len, "n%d delivers %s: its vector clock %s asks for nothing n%d has not "
			 "delivered (%s), so everything that happened before it is delivered here "
			 "first.", e->self + 1, broadcast_mname(m->origin, m->seq).s, vm, e->self + 1, vd);
}

/* total-sequencer: in the sequencer's numbering, with no gap. */
static bool bc_seq_delivered(const bc_node *n, const bc_wire *m) { return m->g <= n->gdone; }
static bool bc_seq_ready(const bc_node *n, const bc_held *h, int self, int nn)
{
	(void)self, (void)nn;
	return h->m.g == n->gdone + 1;
}
static void bc_seq_count(bc_node *n, const bc_wire *m) { n->gdone = m->g; }
static uint64_t bc_key_g(const bc_held *h) { return h->m.g; }
static void bc_seq_hold(const bc_env *e, const bc_wire *m, char *b, size_t len)
{
	snprintf(b, len, "n%d holds %s back: the sequencer n1 numbered it %u, and n%d has "
		 "delivered numbers 1 to %u only. Every node delivers in the sequencer's order, "
		 "so it waits for number %u.", e->self + 1, broadcast_mname(m->origin, m->seq).s,
		 (unsigned)m->g, e->self + 1, (unsigned)e->s->n.gdone,
		 (unsigned)e->s->n.gdone + 1);
}
static void bc_seq_deliver(const bc_env *e, const bc_wire *m, char *b, size_t len)
{
	snprintf(b, len, "n%d delivers %s, number %u of the sequencer's order, right after "
		 "number %u. Every node delivers the same messages in the same order.",
		 e->self + 1, broadcast_mname(m->origin, m->seq).s, (unsigned)m->g, (unsigned)m->g - 1);
}

/* total-lamport: the lowest (timestamp, sender) held, once nothing lower can arrive. */
static bool bc_lamport_ready(const bc_node *n, const bc_held *h, int self, int nn)
{
	if (!h->have || broadcast_lamport_head(n) != (int)(h - n->held))
		return false;
	return bc_lamport_waits(n, h, self, nn) < 0;
}
static uint64_t bc_key_ts(const bc_held *h) { return (uint64_t)h->m.ts << 8 | h->m.origin; }
static void bc_lamport_hold(const bc_env *e, const bc_wire *m, char *b, size_t len)
{
	snprintf(b, len, "n%d holds %s (timestamp %u) back until no message with a lower "
		 "(timestamp, sender) can still arrive: every node must acknowledge it, and all "
		 "they had broadcast before acknowledging must be in.", e->self + 1,
		 broadcast_mname(m->origin, m->seq).s, (unsigned)m->ts);
}
static void bc_lamport_deliver(const bc_env *e, const bc_wire *m, char *b, size_t len)
{
	snprintf(b, len, "n%d delivers %s (timestamp %u): the lowest (timestamp, sender) it "
		 "holds, acknowledged by every node, so nothing lower can still come. Every node "
		 "delivers in timestamp order.", e->self + 1, broadcast_mname(m->origin, m->seq).s,
		 (unsigned)m->ts);
}

static const bc_order_ops bc_orders[BC_ORDER__COUNT] = {
	[BC_ORDER_NONE] = {bc_none_delivered, bc_none_ready, bc_none_count, bc_none_hold,
			   bc_none_deliver, bc_key_sender, false, false},
	[BC_ORDER_FIFO] = {bc_delivered_seq, bc_fifo_ready, bc_count_seq, bc_fifo_hold,
			   bc_fifo_deliver, bc_key_sender, false, true},
	[BC_ORDER_CAUSAL] = {bc_delivered_seq, bc_causal_ready, bc_count_seq, bc_causal_hold,
			     bc_causal_deliver, bc_key_sender, false, true},
	[BC_ORDER_SEQUENCER] = {bc_seq_delivered, bc_seq_ready, bc_seq_count, bc_seq_hold,
				bc_seq_deliver, bc_key_g, false, true},
	[BC_ORDER_LAMPORT] = {bc_delivered_seq, bc_lamport_ready, bc_count_seq, bc_lamport_hold,
			      bc_lamport_deliver, bc_key_ts, true, false},
};

const bc_order_ops *broadcast_order_ops(const bc_state *s)
{
	int o = s->cfg.order;
	return &bc_orders[o >= 0 && o < BC_ORDER__COUNT ? o : 0];
}

