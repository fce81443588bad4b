/* broadcast_picture.c: broadcast's picture of a node (st_protocol.picture).
 *
 * What the ordering layers are about and a flat state only counts: which messages each node
 * has delivered (the prefix of every sender's stream, and under total order the global
 * sequence) and which wait in its hold-back queue, each named "n2#3" and coloured by the node
 * that broadcast it, so a message held at one node and delivered at another is the same
 * colour in both rows. Placeholders of total-lamport (acknowledgements ahead of their
 * message) are dim and in brackets. */
#include <stdio.h>

#include "broadcast.h"

void broadcast_picture(const void *state, st_role role, int self, int nnodes, int nprocs,
		       st_picture *out)
{
	(void)self;
	(void)nprocs;
	const bc_state *s = state;
	if (role != ST_ROLE_NODE)
		return;
	const bc_node *n = &s->n;
	int nn = n->nn <= BC_MAX_NODES ? n->nn : BC_MAX_NODES;
	if (nn > nnodes)
		nn = nnodes;
	out->row(out, "delivered");
	/* under a sequencer the delivered sequence is the global one */
	for (int q = 0; q < nn && s->cfg.order != BC_ORDER_SEQUENCER; q++) {
		char buf[24];
		snprintf(buf, sizeof buf, "%sn%d:%u", q ? " " : "", q + 1, n->delivered[q]);
		out->cell(out, buf, q, n->delivered[q] ? 0 : ST_PIC_DIM);
	}
	if (s->cfg.order == BC_ORDER_SEQUENCER) {
		char buf[24];
		snprintf(buf, sizeof buf, "global 1..%u", n->gdone);
		out->cell(out, buf, -1, ST_PIC_BOLD);
	}
	out->row(out, "held");
	uint32_t nheld = n->nheld <= BC_HOLD_MAX ? n->nheld : BC_HOLD_MAX;
	if (nheld == 0)
		out->cell(out, "(none)", -1, ST_PIC_DIM);
	for (uint32_t i = 0; i < nheld; i++) {
		const bc_held *h = &n->held[i];
		bc_str name = broadcast_mname(h->m.origin, h->m.seq);
		char buf[40];
		snprintf(buf, sizeof buf, h->have ? "%s%s" : "%s(%s)", i ? " " : "", name.s);
		out->cell(out, buf, h->m.origin, h->have ? 0 : ST_PIC_DIM);
	}
}
