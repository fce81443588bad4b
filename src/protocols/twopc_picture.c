/* twopc_picture.c: two-phase commit's picture of a node (st_protocol.picture).
 *
 * The coordinator: the votes it holds for the transaction in progress, a cell per
 * participant (Y, N, or ? for a vote still missing: the first row, short, for the nodes
 * pane), the decision it reached and its decision log (the records it keeps until every
 * participant has acknowledged them: what it answers an uncertain participant with after a
 * restart). A participant: its vote (first), its transaction and state, the uncertain one
 * (prepared: voted yes, cannot decide alone) marked, and whether it holds the transaction's
 * locks (working and prepared do), which is the cost of blocking the lesson is about.
 * Outcomes are coloured by outcome, commit one colour and abort another,
 * in both roles. */
#include <stdio.h>

#include "../base/names.h"
#include "twopc.h"

static const char *const twopc_pic_states[] = {
	[TWOPC_S_IDLE] = "idle", [TWOPC_S_WORKING] = "working", [TWOPC_S_PREPARED] = "prepared",
	[TWOPC_S_COMMITTED] = "committed", [TWOPC_S_ABORTED] = "aborted",
};
static const char *const twopc_pic_outcomes[] = {
	[TWOPC_NONE] = "undecided", [TWOPC_COMMIT] = "commit", [TWOPC_ABORT] = "abort",
};
static const char *const twopc_pic_phases[] = {
	[TWOPC_C_IDLE] = "idle", [TWOPC_C_VOTING] = "voting", [TWOPC_C_LOGGING] = "logging",
	[TWOPC_C_DONE] = "done", [TWOPC_C_FULL] = "log full",
};

static void twopc_picture_coord(const twopc_state *s, int nnodes, int nprocs, st_picture *out)
{
	char buf[32];
	/* first row, compact (the nodes pane gives it what the first three fields leave): a
	 * letter per participant, n2 first, Y yes, N no, ? missing */
	out->row(out, "votes");
	for (int q = 1; q < nnodes && q < 32; q++) {
		bool yes = (s->yes >> q) & 1u, no = (s->no >> q) & 1u;
		out->cell(out, no ? "N" : yes ? "Y" : "?", no ? TWOPC_ABORT : yes ? TWOPC_COMMIT : -1,
			  no ? ST_PIC_BOLD : yes ? 0 : ST_PIC_DIM);
	}
	out->row(out, "decision");
	uint8_t ph = s->phase <= TWOPC_C_FULL ? s->phase : TWOPC_C_IDLE;
	uint8_t d = s->decided <= TWOPC_ABORT ? s->decided : TWOPC_NONE;
	snprintf(buf, sizeof buf, "t%u ", (unsigned)s->last_txn);
	out->cell(out, buf, -1, 0);
	out->cell(out, d ? twopc_pic_outcomes[d] : twopc_pic_phases[ph], d ? d : -1,
		  d ? ST_PIC_BOLD | ST_PIC_MARK : 0);
	for (int q = 1; q < nnodes && q < 32; q++) {
		bool yes = (s->yes >> q) & 1u, no = (s->no >> q) & 1u;
		snprintf(buf, sizeof buf, " %s:%s", st_pname_of(q, nnodes, nprocs).s,
			 no ? "no" : yes ? "yes" : "?");
		out->cell(out, buf, no ? TWOPC_ABORT : yes ? TWOPC_COMMIT : -1,
			  no ? ST_PIC_BOLD : yes ? 0 : ST_PIC_DIM);
	}
	out->row(out, "log");
	int nrec = 0;
	uint32_t all = 0;
	for (int q = 1; q < nnodes && q < 32; q++)
		all |= 1u << q;
	for (int i = 0; i < TWOPC_LOG; i++) {
		const twopc_rec *r = &s->log[i];
		if (r->outcome == TWOPC_NONE || r->outcome > TWOPC_ABORT)
			continue;
		snprintf(buf, sizeof buf, "%st%u:%s", nrec ? " " : "", (unsigned)r->txn,
			 r->outcome == TWOPC_COMMIT ? "C" : "A");
		/* acknowledged by all: about to be dropped, dim */
		out->cell(out, buf, r->outcome, (r->acked & all) == all ? ST_PIC_DIM : ST_PIC_BOLD);
		nrec++;
	}
	if (nrec == 0)
		out->cell(out, "(empty)", -1, ST_PIC_DIM);
}

void twopc_picture(const void *state, st_role role, int self, int nnodes, int nprocs,
		   st_picture *out)
{
	const twopc_state *s = state;
	if (role != ST_ROLE_NODE)
		return;
	if (self == TWOPC_COORD) {
		twopc_picture_coord(s, nnodes, nprocs, out);
		return;
	}
	char buf[32];
	uint8_t st = s->state <= TWOPC_S_ABORTED ? s->state : TWOPC_S_IDLE;
	/* first row, compact: the vote, which the flat fields do not show */
	out->row(out, "vote");
	uint8_t v = s->vote <= TWOPC_V_NO ? s->vote : TWOPC_V_NONE;
	out->cell(out, v == TWOPC_V_YES ? "yes" : v == TWOPC_V_NO ? "no" : "-",
		  v == TWOPC_V_YES ? TWOPC_COMMIT : v == TWOPC_V_NO ? TWOPC_ABORT : -1,
		  v ? ST_PIC_BOLD : ST_PIC_DIM);
	out->row(out, "txn");
	snprintf(buf, sizeof buf, "t%u ", (unsigned)s->txn);
	out->cell(out, buf, -1, st == TWOPC_S_IDLE ? ST_PIC_DIM : 0);
	int hue = st == TWOPC_S_COMMITTED ? TWOPC_COMMIT : st == TWOPC_S_ABORTED ? TWOPC_ABORT : -1;
	out->cell(out, twopc_pic_states[st], hue,
		  st == TWOPC_S_PREPARED ? ST_PIC_BOLD | ST_PIC_MARK
		  : st == TWOPC_S_IDLE ? ST_PIC_DIM : ST_PIC_BOLD);
	if (st == TWOPC_S_PREPARED)
		out->cell(out, " uncertain", -1, ST_PIC_BOLD | ST_PIC_MARK);
	out->row(out, "locks");
	out->cell(out, st == TWOPC_S_WORKING || st == TWOPC_S_PREPARED ? "held" : "none", -1,
		  st == TWOPC_S_WORKING || st == TWOPC_S_PREPARED ? ST_PIC_BOLD : ST_PIC_DIM);
	if (st == TWOPC_S_PREPARED && s->asks) {
		snprintf(buf, sizeof buf, " asked %u", (unsigned)s->asks);
		out->cell(out, buf, -1, 0);
	}
}
