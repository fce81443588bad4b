/* replag_picture.c: replication-lag's picture of a node (st_protocol.picture).
 *
 * The log, which the flat state only counts: a cell per entry the node holds, named by the
 * key it writes (x, the question; y, the answer) and coloured by key, so a follower holding a
 * y without the x before it (the consistent-prefix anomaly's cause) is plain to see. An entry
 * known to be acknowledged to its client is bold: on the leader, every entry but a
 * synchronous write still waiting for its followers; on a follower under asynchronous
 * replication, every entry (the leader acknowledged each before shipping it). Under sync a
 * follower cannot know, and draws its entries plain. Entries the node only has as a snapshot
 * (adopted from a new leader, or older than the leader's ring) are one cell "1..k". After the
 * log, a follower, which cannot know its lag, shows as dim dots the entries it knows it
 * lacks: those the leader had when it last heard from it. The leader knows each follower's
 * lag by its last Ack: the first row (short, for the nodes pane; "?" on a follower), with
 * their acknowledged positions in a last row. */
#include <stdio.h>

#include "../base/names.h"
#include "replag.h"

#define RL_PIC_GAP 8    /* missing entries drawn one by one; beyond, a count */

static bool rl_pic_acked(const rl_state *s, const rl_entry *e)
{
	if (s->role != RL_LEADER)
		return s->cfg.mode == RL_ASYNC;
	if (e->client < RL_CLIENTS && s->pend[e->client].on && s->pend[e->client].idx == e->idx)
		return false;
	return true;
}

void rl_picture(const void *state, st_role role, int self, int nnodes, int nprocs,
		st_picture *out)
{
	const rl_state *s = state;
	if (role != ST_ROLE_NODE)
		return;
	char buf[24];
	/* first row, short: the lag, which the flat fields leave out at 120 columns; the log,
	 * as wide as the log is long, would push x, y and c1 (what the narration points at)
	 * out of the nodes pane, so it is the second row (the inspector draws it) */
	out->row(out, "lag");
	if (s->role == RL_LEADER) {
		for (int f = 0, nshown = 0; f < nnodes && f < RL_NODES; f++) {
			if (f == self)
				continue;
			uint32_t d = s->match[f] < s->len ? s->len - s->match[f] : 0;
			snprintf(buf, sizeof buf, "%s%s:%u", nshown++ ? " " : "",
				 st_pname_of(f, nnodes, nprocs).s, (unsigned)d);
			out->cell(out, buf, -1, d ? ST_PIC_BOLD : ST_PIC_DIM);
		}
	} else {
		out->cell(out, "?", -1, ST_PIC_DIM);    /* a follower cannot know its lag */
	}
	out->row(out, "log");
	/* the ring holds entries from ring_from, and only the last RL_RING of them */
	uint32_t from = s->ring_from > 1 ? s->ring_from : 1;
	if (s->len >= RL_RING && from < s->len - RL_RING + 1)
		from = s->len - RL_RING + 1;
	if (from > s->len + 1)
		from = s->len + 1;
	if (s->len == 0)
		out->cell(out, "(empty)", -1, ST_PIC_DIM);
	else if (from > 1) {
		snprintf(buf, sizeof buf, "1..%u ", (unsigned)(from - 1));
		out->cell(out, buf, -1, 0);
	}
	for (uint32_t i = from; i <= s->len; i++) {
		const rl_entry *e = &s->ring[i % RL_RING];
		if (e->idx != i) {
			out->cell(out, "?", -1, ST_PIC_DIM);
			continue;
		}
		int k = e->key < RL_KEYS ? e->key : 0;
		out->cell(out, rl_key_names[k], k, rl_pic_acked(s, e) ? ST_PIC_BOLD : 0);
	}
	if (s->role != RL_LEADER) {
		/* a follower cannot know how far behind it is: it knows only the entries the
		 * leader had when it last heard from it, drawn as dim dots (the leader's row has
		 * every follower's lag) */
		uint32_t lack = s->leader_len > s->len ? s->leader_len - s->len : 0;
		for (uint32_t i = 0; i < lack && i < RL_PIC_GAP; i++)
			out->cell(out, "\u00b7", -1, ST_PIC_DIM);
		if (lack > RL_PIC_GAP) {
			snprintf(buf, sizeof buf, "+%u", (unsigned)(lack - RL_PIC_GAP));
			out->cell(out, buf, -1, ST_PIC_DIM);
		}
		return;
	}
	out->row(out, "match");
	for (int f = 0, nshown = 0; f < nnodes && f < RL_NODES; f++) {
		if (f == self)
			continue;
		snprintf(buf, sizeof buf, "%s%s:%u", nshown++ ? " " : "",
			 st_pname_of(f, nnodes, nprocs).s, (unsigned)s->match[f]);
		out->cell(out, buf, -1, s->match[f] >= s->len ? ST_PIC_BOLD : 0);
	}
}
