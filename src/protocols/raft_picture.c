/* raft_picture.c: Raft's picture of a server (st_protocol.picture), as RaftScope draws it.
 *
 * The log is what Figure 8 is about and what a flat state can only summarise as log_len: each
 * entry a cell showing its term, coloured by term (equal terms, equal colours, so where two
 * logs diverge shows at a glance), committed entries bold and the rest dim, with a bar after
 * the commit index. A leader also shows, per follower, nextIndex (the entry it will send
 * next) and matchIndex (how far it knows their logs agree with its own). */
#include <stdio.h>

#include "../base/names.h"
#include "raft.h"

/* One character a term: 1-9, then a-z, then '+' (a cell stays one column). */
static void raft_picture_term(uint32_t term, char *out)
{
	static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	out[0] = term < sizeof digits - 1 ? digits[term] : '+';
	out[1] = 0;
}

static void raft_picture_indexes(const raft_node *n, const uint32_t *v, const char *label,
				 int self, int nnodes, int nprocs, st_picture *out)
{
	out->row(out, label);
	for (int q = 0; q < nnodes; q++) {
		if (q == self)
			continue;
		char buf[24];
		st_pname who = st_pname_of(q, nnodes, nprocs);
		snprintf(buf, sizeof buf, "%s%s:%u", q == 0 || (q == 1 && self == 0) ? "" : " ",
			 who.s, v[q]);
		/* a follower whose log matches the leader's to its end is caught up */
		out->cell(out, buf, -1, v[q] >= n->log_len && v == n->match ? ST_PIC_BOLD : 0);
	}
}

void raft_picture(const void *state, st_role role, int self, int nnodes, int nprocs,
		  st_picture *out)
{
	const raft_state *s = state;
	if (role != ST_ROLE_NODE)
		return;
	const raft_node *n = &s->n;
	uint32_t len = n->log_len <= RAFT_LOG_MAX ? n->log_len : RAFT_LOG_MAX;
	out->row(out, "log");
	if (len == 0)
		out->cell(out, "(empty)", -1, ST_PIC_DIM);
	for (uint32_t i = 1; i <= len; i++) {
		char t[2];
		raft_picture_term(n->log[i].term, t);
		out->cell(out, t, (int)n->log[i].term, i <= n->commit ? ST_PIC_BOLD : ST_PIC_DIM);
		if (i == n->commit && i < len)
			out->cell(out, "\u2502", -1, ST_PIC_SEP);
	}
	if (n->role == RAFT_LEADER) {
		raft_picture_indexes(n, n->next, "next", self, nnodes, nprocs, out);
		raft_picture_indexes(n, n->match, "match", self, nnodes, nprocs, out);
	}
}
