/* chatter_picture.c: the clock lessons' picture of a process (st_protocol.picture).
 *
 * The clocks themselves, the subject of the lessons: the Lamport clock, and the vector clock
 * as one cell per process coloured by whose entry it is (the process's own entry bold), so
 * comparing two processes' vectors entry by entry is reading down a column. */
#include <stdio.h>

#include "chatter.h"

void chatter_picture(const void *state, st_role role, int self, int nnodes, int nprocs,
		     st_picture *out)
{
	(void)role;
	(void)nnodes;
	const chatter_state *s = state;
	char buf[32];
	out->row(out, "lamport");
	snprintf(buf, sizeof buf, "%llu", (unsigned long long)s->L);
	out->cell(out, buf, -1, ST_PIC_BOLD);
	out->row(out, "vc");
	int n = s->n > 0 && s->n <= ST_MAX_PROCS ? s->n : nprocs;
	for (int q = 0; q < n && q < ST_MAX_PROCS; q++) {
		snprintf(buf, sizeof buf, "%s%u", q ? " " : "[", s->vc[q]);
		out->cell(out, buf, q, q == self ? ST_PIC_BOLD : (s->vc[q] ? 0 : ST_PIC_DIM));
	}
	out->cell(out, "]", -1, 0);
}
