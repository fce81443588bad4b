/* paxos_picture.c: Paxos's picture of a node (st_protocol.picture).
 *
 * What the safety argument is about, per node: as an acceptor, the ballot it promised and the
 * (ballot, value) it accepted; as a proposer, its ballot, its phase and which acceptors have
 * promised it (a cell per acceptor, so a majority is counted at a glance) or, in phase 2,
 * accepted; as a learner, the value it learned, marked. Values are coloured by value (A one
 * colour, B another) wherever they appear, so two acceptors holding different values, or a
 * chosen value that differs between learners, stand out. The first row, the one the nodes
 * pane shows, is the acceptor's, short (the pane gives it what the first three fields leave;
 * a cut row keeps its end, the accepted value), its value marked once it is the chosen one. */
#include <stdio.h>

#include "../base/names.h"
#include "paxos.h"

static const char *const paxos_phase_names[] = {
	[PAXOS_IDLE] = "idle", [PAXOS_PREPARING] = "phase 1", [PAXOS_ACCEPTING] = "phase 2",
};

/* a cell per acceptor: bold and marked when its bit is in mask */
static void paxos_picture_mask(uint32_t mask, int nnodes, int nprocs, st_picture *out)
{
	for (int q = 0; q < nnodes && q < 32; q++) {
		char buf[16];
		snprintf(buf, sizeof buf, q ? " %s" : "%s", st_pname_of(q, nnodes, nprocs).s);
		bool in = (mask >> q) & 1u;
		out->cell(out, buf, -1, in ? ST_PIC_BOLD | ST_PIC_MARK : ST_PIC_DIM);
	}
}

void paxos_picture(const void *state, st_role role, int self, int nnodes, int nprocs,
		   st_picture *out)
{
	(void)self;
	const paxos_state *s = state;
	if (role != ST_ROLE_NODE)
		return;
	char buf[32];
	/* compact: the nodes pane gives the first row what the first three fields leave */
	out->row(out, "acc");
	snprintf(buf, sizeof buf, "p%s", paxos_ballot_str(s->promised).s);
	out->cell(out, buf, s->promised.round ? s->promised.pid : -1,
		  s->promised.round ? 0 : ST_PIC_DIM);
	if (s->acc_v) {
		snprintf(buf, sizeof buf, " a%s=", paxos_ballot_str(s->acc_b).s);
		out->cell(out, buf, -1, 0);
		out->cell(out, paxos_value_str(s->acc_v).s, s->acc_v,
			  s->acc_v == s->chosen ? ST_PIC_BOLD | ST_PIC_MARK : ST_PIC_BOLD);
	} else {
		out->cell(out, " a-", -1, ST_PIC_DIM);
	}
	if (s->cfg.proposer) {
		out->row(out, "proposer");
		snprintf(buf, sizeof buf, "b %s", paxos_ballot_str(s->bal).s);
		out->cell(out, buf, s->bal.round ? s->bal.pid : -1, ST_PIC_BOLD);
		uint8_t ph = s->phase <= PAXOS_ACCEPTING ? s->phase : PAXOS_IDLE;
		snprintf(buf, sizeof buf, " %s", paxos_phase_names[ph]);
		out->cell(out, buf, -1, ph == PAXOS_IDLE ? ST_PIC_DIM : 0);
		if (ph == PAXOS_ACCEPTING) {
			snprintf(buf, sizeof buf, " %s", paxos_value_str(s->value).s);
			out->cell(out, buf, s->value, ST_PIC_BOLD);
		}
		out->row(out, "promises");
		paxos_picture_mask(s->promises, nnodes, nprocs, out);
		if (s->best_v) {
			snprintf(buf, sizeof buf, " best %s=", paxos_ballot_str(s->best_b).s);
			out->cell(out, buf, -1, 0);
			out->cell(out, paxos_value_str(s->best_v).s, s->best_v, ST_PIC_BOLD);
		}
		if (ph == PAXOS_ACCEPTING) {
			out->row(out, "accepts");
			paxos_picture_mask(s->accepts, nnodes, nprocs, out);
		}
	}
	out->row(out, "learned");
	if (s->chosen) {
		out->cell(out, paxos_value_str(s->chosen).s, s->chosen, ST_PIC_BOLD | ST_PIC_MARK);
		snprintf(buf, sizeof buf, " in %s", paxos_ballot_str(s->chosen_b).s);
		out->cell(out, buf, -1, 0);
	} else {
		out->cell(out, "(nothing)", -1, ST_PIC_DIM);
		if (s->learn_b.round) {
			snprintf(buf, sizeof buf, " %s:", paxos_ballot_str(s->learn_b).s);
			out->cell(out, buf, -1, ST_PIC_DIM);
			paxos_picture_mask(s->learn_mask, nnodes, nprocs, out);
		}
	}
}
