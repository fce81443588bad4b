/* broadcast_text.c: what a node and a message look like to a person.
 *
 * describe() feeds the nodes pane and the trace's state: a flat list of short values, the
 * most telling first, because the pane drops fields from the end when it runs out of room
 * (the hold-back queue as "n2#3 n3#1", the order's own state: seqs, vc, g, whom the head
 * waits for; then the counts). encode() writes a message body for the trace and the
 * inspector, with only the fields its flags say mean something. */
#include <stdio.h>
#include <string.h>

#include "../base/names.h"
#include "broadcast.h"

/* The least body each message type needs (encode is handed whatever the trace holds). */
static const size_t bc_min_len[BC_MSG__COUNT] = {
	[BC_MSG_MSG] = sizeof(bc_wire), [BC_MSG_SUBMIT] = sizeof(bc_wire),
	[BC_MSG_ACK] = sizeof(bc_ack), [BC_MSG_REQUEST] = sizeof(bc_request),
	[BC_MSG_REPLY] = sizeof(bc_reply),
};

/* The hold-back queue as "n2#3 n3#1", in the order it will go, cut to fit a column. */
static void bc_holdback_str(const bc_state *s, char *buf, size_t len)
{
	const bc_node *n = &s->n;
	const bc_order_ops *ops = broadcast_order_ops(s);
	int idx[BC_HOLD_MAX], k = 0;
	for (uint32_t i = 0; i < n->nheld && i < BC_HOLD_MAX; i++) {
		if (!n->held[i].have)
			continue;
		int j = k++;
		while (j > 0 && ops->key(&n->held[idx[j - 1]]) > ops->key(&n->held[i])) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = (int)i;
	}
	if (k == 0) {
		snprintf(buf, len, "-");
		return;
	}
	size_t o = 0, cap = len < 31 ? len : 31;   /* the nodes pane shows 31 characters */
	buf[0] = '\0';
	for (int j = 0; j < k; j++) {
		const bc_wire *m = &n->held[idx[j]].m;
		char one[32];
		bc_str id = broadcast_mname(m->origin, m->seq);
		if (s->cfg.order == BC_ORDER_SEQUENCER)
			snprintf(one, sizeof one, "%s@g%u", id.s, (unsigned)m->g);
		else if (s->cfg.order == BC_ORDER_LAMPORT)
			snprintf(one, sizeof one, "%s@%u", id.s, (unsigned)m->ts);
		else
			snprintf(one, sizeof one, "%s", id.s);
		size_t need = strlen(one) + (j ? 1 : 0);
		size_t rest = (size_t)(k - j - 1) ? 4 : 0;      /* room for " +N" */
		if (o + need + rest > cap - 1) {
			snprintf(buf + o, len - o, " +%d", k - j);
			return;
		}
		o += (size_t)snprintf(buf + o, len - o, "%s%s", j ? " " : "", one);
	}
}

static void bc_describe_fifo(const bc_state *s, int nn, st_sink *k)
{
	char v[96];
	broadcast_vec_str(s->n.delivered, nn, v, sizeof v);
	k->kv_str(k, "seqs", v);
}
static void bc_describe_causal(const bc_state *s, int nn, st_sink *k)
{
	char v[96];
	broadcast_vec_str(s->n.delivered, nn, v, sizeof v);
	k->kv_str(k, "vc", v);
}
static void bc_describe_seq(const bc_state *s, int nn, st_sink *k)
{
	(void)nn;
	k->kv_int(k, "g", s->n.gdone);
	/* its own messages gone to the sequencer and not back: what a sequencer crash loses */
	k->kv_int(k, "pending", s->n.sent - s->n.own_delivered);
	if (s->n.self == 0)
		k->kv_int(k, "numbered", s->n.assigned);
}
static void bc_describe_lamport(const bc_state *s, int nn, st_sink *k)
{
	const bc_node *n = &s->n;
	int h = broadcast_lamport_head(n);
	char waits[64] = "-";
	if (h >= 0) {
		size_t o = 0;
		for (int q = 0; q < nn && o < sizeof waits; q++) {
			if (q == n->self)
				continue;
			const bc_held *e = &n->held[h];
			bool miss = q == e->m.origin ? broadcast_have_upto(n, q) < e->m.seq :
				    !(e->acks >> q & 1) || broadcast_have_upto(n, q) < e->need[q];
			if (miss)
				o += (size_t)snprintf(waits + o, sizeof waits - o, "%sn%d",
						      o ? " " : "", q + 1);
		}
	}
	k->kv_str(k, "waits", waits);       /* whom the first in line waits for: the point */
	k->kv_int(k, "clock", n->clock);
}
static void (*const bc_describers[BC_ORDER__COUNT])(const bc_state *s, int nn, st_sink *k) = {
	[BC_ORDER_FIFO] = bc_describe_fifo, [BC_ORDER_CAUSAL] = bc_describe_causal,
	[BC_ORDER_SEQUENCER] = bc_describe_seq, [BC_ORDER_LAMPORT] = bc_describe_lamport,
};

void broadcast_describe(const void *state, st_role role, st_sink *k)
{
	const bc_state *s = state;
	if (role == ST_ROLE_CLIENT) {
		k->kv_int(k, "op", s->c.busy && s->c.op.has_value ? s->c.op.value : -1);
		k->kv_int(k, "done", s->c.done);
		return;
	}
	const bc_node *n = &s->n;
	int nn = n->nn ? n->nn : 1;
	/* The nodes pane drops the last keys first when short of room. With an order, the
	 * hold-back queue and the order's own state (seqs, vc, g, waits) are the lesson; the
	 * counts come after. */
	if (s->cfg.order != BC_ORDER_NONE) {
		char hb[64];
		bc_holdback_str(s, hb, sizeof hb);
		k->kv_str(k, "holdback", hb);
		bc_describers[s->cfg.order](s, nn, k);
	}
	k->kv_int(k, "delivered", n->ndelivered);
	if (s->cfg.order != BC_ORDER_NONE)
		k->kv_int(k, "held", broadcast_nheld(n));
	k->kv_int(k, "sent", n->sent);
	if (s->cfg.relay != BC_RELAY_NONE)
		k->kv_int(k, "relayed", n->relayed);
	if (n->refused)
		k->kv_int(k, "refused", n->refused);
	if (s->cfg.require != BC_REQ_NONE)
		k->kv_str(k, "require", broadcast_require_names[s->cfg.require]);
}

/* ---------------------------------------------------------------------------------------- */
/* Encoding                                                                                   */

static void bc_enc_wire(const void *body, st_sink *k)
{
	bc_wire m;
	memcpy(&m, body, sizeof m);
	k->kv_str(k, "id", broadcast_mname(m.origin, m.seq).s);
	k->kv_proc(k, "origin", m.origin);
	k->kv_int(k, "seq", m.seq);
	if (m.flags & BC_W_REPLY)
		k->kv_str(k, "re", broadcast_mname(m.re_origin, m.re_seq).s);
	if (m.flags & BC_W_G)
		k->kv_int(k, "g", m.g);
	if (m.flags & BC_W_TS)
		k->kv_int(k, "ts", m.ts);
	if (m.flags & BC_W_VC) {
		int nn = m.origin + 1;      /* the vector's length: up to its last non-zero entry */
		for (int i = 0; i < BC_MAX_NODES; i++)
			if (m.vc[i])
				nn = i + 1;
		k->begin(k, "vc", true);
		for (int i = 0; i < nn; i++)
			k->kv_int(k, NULL, m.vc[i]);
		k->end(k);
	}
	if (m.rounds)
		k->kv_int(k, "rounds", m.rounds);
	if (m.flags & BC_W_CLIENT) {
		/* a client's ordinal, named as the clients after zero nodes */
		k->kv_str(k, "client", st_pname_of(m.client, 0, m.client + 1).s);
	}
	k->kv_int(k, "value", m.value);
}

static void bc_enc_ack(const void *body, st_sink *k)
{
	bc_ack a;
	memcpy(&a, body, sizeof a);
	k->kv_str(k, "id", broadcast_mname(a.origin, a.seq).s);
	k->kv_int(k, "count", a.count);
}

static void bc_enc_request(const void *body, st_sink *k)
{
	bc_request q;
	memcpy(&q, body, sizeof q);
	k->kv_int(k, "value", q.value);
	k->kv_int(k, "invoke", q.invoke);
}

static void bc_enc_reply(const void *body, st_sink *k)
{
	bc_reply r;
	memcpy(&r, body, sizeof r);
	k->kv_int(k, "invoke", r.invoke);
	k->kv_str(k, "id", broadcast_mname(r.origin, r.seq).s);
}

static void (*const bc_encoders[BC_MSG__COUNT])(const void *body, st_sink *k) = {
	[BC_MSG_MSG] = bc_enc_wire, [BC_MSG_SUBMIT] = bc_enc_wire, [BC_MSG_ACK] = bc_enc_ack,
	[BC_MSG_REQUEST] = bc_enc_request, [BC_MSG_REPLY] = bc_enc_reply,
};

void broadcast_encode(int type, const void *body, size_t len, st_sink *k)
{
	if (type >= 0 && type < BC_MSG__COUNT && body && len >= bc_min_len[type])
		bc_encoders[type](body, k);
}

