/* broadcast_relay.c: the reliability layer: who gets a copy of a message.
 *
 * Kept apart from the order algorithms because the two are independent choices in the
 * lessons: the sender's own copies (at once, or one per stagger_ms through the outbox, so a
 * crash half-way reaches only some nodes) and, on first receipt, relaying: eager (to every
 * node that may lack it) or gossip (to `fanout` random nodes while hops remain). */
#include <stdio.h>
#include <string.h>

#include "broadcast.h"

/* Who gets a copy: own says this node disseminates (the sender, or n1 for sequenced copies),
 * else it relays what it got from `from`. A node never sends to itself, nor back to where a
 * copy came from, nor (relaying) to the message's sender, which has it; in total-sequencer
 * the sender needs the numbered copy, and n1 is the one that has it. */
static uint32_t bc_targets(const bc_env *e, const bc_wire *m, int from, bool own)
{
	const bc_cfg *cfg = &e->s->cfg;
	if (!own && cfg->relay == BC_RELAY_NONE)
		return 0;
	if (!own && cfg->relay == BC_RELAY_GOSSIP && m->rounds <= 1)
		return 0;
	int has = cfg->order == BC_ORDER_SEQUENCER ? 0 : m->origin;
	int cand[BC_MAX_NODES], k = 0;
	for (int p = 0; p < e->nn; p++)
		if (p != e->self && (own || (p != from && p != has)))
			cand[k++] = p;
	uint32_t mask = 0;
	int want = cfg->relay == BC_RELAY_GOSSIP && cfg->fanout < k ? cfg->fanout : k;
	for (int i = 0; i < want; i++) {    /* a partial shuffle: want distinct random nodes */
		int j = cfg->relay == BC_RELAY_GOSSIP ?
			i + (int)st_random_range(e->c, 0, k - 1 - i) : i;
		int t = cand[i];
		cand[i] = cand[j];
		cand[j] = t;
		mask |= 1u << cand[i];
	}
	return mask;
}

static void bc_send_mask(st_ctx *c, uint32_t mask, int type, const bc_wire *m)
{
	for (int p = 0; mask; p++, mask >>= 1)
		if (mask & 1)
			st_send(c, p, type, m, sizeof *m);
}

/* The sender's own copies: all at once, or through the outbox one per stagger_ms (a full
 * outbox sends at once rather than lose a broadcast). */
void broadcast_disseminate(const bc_env *e, const bc_wire *m0)
{
	bc_wire m = *m0;
	bc_node *n = &e->s->n;
	if (e->s->cfg.relay == BC_RELAY_GOSSIP)
		m.rounds = (uint8_t)e->s->cfg.rounds;
	uint32_t mask = bc_targets(e, &m, e->self, true);
	if (e->s->cfg.stagger_us <= 0 || n->nout >= BC_OUTBOX_MAX || !mask) {
		bc_send_mask(e->c, mask, BC_MSG_MSG, &m);
		return;
	}
	/* the first copy goes now, the rest on the timer */
	int first = 0;
	while (!(mask >> first & 1))
		first++;
	st_send(e->c, first, BC_MSG_MSG, &m, sizeof m);
	mask &= ~(1u << first);
	if (!mask)
		return;
	bc_out *o = &n->out[n->nout++];
	memset(o, 0, sizeof *o);
	o->m = m;
	o->next = mask;
	if (n->nout == 1)
		st_set_timer(e->c, BC_T_SEND, e->s->cfg.stagger_us);
}

/* First receipt of a message from another node: pass it on (eager, gossip). */
void broadcast_relay(const bc_env *e, const bc_wire *m0, int from, bc_run *r)
{
	bc_wire m = *m0;
	if (e->s->cfg.relay == BC_RELAY_GOSSIP)
		m.rounds--;
	uint32_t mask = bc_targets(e, m0, from, false);
	if (!mask)
		return;
	bc_send_mask(e->c, mask, BC_MSG_MSG, &m);
	e->s->n.relayed++;
	char to[96];
	size_t o = 0;
	to[0] = '\0';
	for (int p = 0; p < e->nn && o < sizeof to; p++)
		if (mask >> p & 1)
			o += (size_t)snprintf(to + o, sizeof to - o, "%sn%d", o ? ", " : "", p + 1);
	char lbl[25];
	broadcast_lfmt(lbl, "relay %s", broadcast_mname(m.origin, m.seq).s);
	if (e->s->cfg.relay == BC_RELAY_GOSSIP)
		broadcast_put(r, BC_LP_RELAY, 0, lbl, "n%d got %s for the first time, from %s: it gossips it "
		       "on to %s (%d hop%s left). Gossip reaches everyone only with high "
		       "probability, with far fewer messages than eager relaying.", e->self + 1,
		       broadcast_mname(m.origin, m.seq).s, broadcast_pname(e->c, from).s, to, m.rounds - 1,
		       m.rounds - 1 == 1 ? "" : "s");
	else
		broadcast_put(r, BC_LP_RELAY, 0, lbl, "n%d got %s for the first time, from %s: before "
		       "delivering it, it sends it on to %s. Eager reliable broadcast: if the "
		       "sender crashed half-way through its sends, the relays still reach "
		       "everyone.", e->self + 1, broadcast_mname(m.origin, m.seq).s,
		       broadcast_pname(e->c, from).s, to);
}

