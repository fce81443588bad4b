/* smr_picture.c: state machine replication's picture of a replica (st_protocol.picture).
 *
 * The invariant made visible: how far the replica has applied the total order (1..g) and
 * its store beside it, x, y and t, the first cell coloured by the store's digest and each
 * value by the value itself, so replicas that applied the same prefix line up in the same
 * colours and a diverged one (the clock-reading command) differs in colour down the column.
 * And the hold-back queue: commands that arrived before their turn, by their place in the
 * order (the first row, as the nodes pane already has the store from describe()). */
#include <stdio.h>

#include "smr.h"

void smr_picture(const void *state, st_role role, int self, int nnodes, int nprocs,
		 st_picture *out)
{
	(void)self;
	(void)nnodes;
	(void)nprocs;
	const smr_state *s = state;
	if (role != ST_ROLE_NODE)
		return;
	char buf[24];
	/* first, the hold-back queue: the nodes pane shows the first row in what the flat
	 * fields (applied, digest, store) leave, and a queue is short */
	out->row(out, "held");
	uint32_t n = s->nheld <= SMR_HOLD ? s->nheld : SMR_HOLD;
	if (n == 0)
		out->cell(out, "-", -1, ST_PIC_DIM);
	for (uint32_t i = 0; i < n; i++) {
		snprintf(buf, sizeof buf, "%s#%u", i ? " " : "", (unsigned)s->hold[i].g);
		out->cell(out, buf, -1, 0);
	}
	out->row(out, "applied");
	snprintf(buf, sizeof buf, s->applied ? "1..%u" : "none", (unsigned)s->applied);
	out->cell(out, buf, s->applied ? (int)(s->digest % 119u) : -1,
		  s->applied ? ST_PIC_BOLD : ST_PIC_DIM);
	for (int k = 0; k < SMR_KEYS; k++) {
		snprintf(buf, sizeof buf, " %s=%lld", smr_key_names[k], (long long)s->kv[k]);
		int64_t v = s->kv[k];
		out->cell(out, buf, (int)((uint64_t)v % 119u), v ? 0 : ST_PIC_DIM);
	}
}
