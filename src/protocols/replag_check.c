/* replag_check.c: the invariants of replication-lag, live (check()) and over a recorded trace
 * (--verify), by the same rules.
 *
 * Three session guarantees, judged from each client's own record (its "wrote" and "read"
 * local events, whose bodies carry the key, the log index of the value and, for y, the index
 * of the x it answers), and one durability guarantee, judged from the nodes' states:
 * - read your writes: a read of a key returns a value written at or after the client's own
 *   last acknowledged write of it;
 * - monotonic reads: a read of a key never returns an older write than one the client has read;
 * - consistent prefix: after reading an answer y, a read of x returns the question it answers
 *   or a later one;
 * - durability: the current leader (the live leader of the highest epoch) holds every write
 *   acknowledged to a client (each node's state says, per client, the last of its writes in
 *   its log). It is judged after every step, so a loss shows at the step a node lacking the
 *   write starts to lead; the client's later writes would hide it from a later look.
 * Asynchronous replication gives none of them, so by default none is enforced: the anomalies
 * are the lesson, labelled by the clients. The `check` param enforces one (or all): that is
 * the weakened variant. Synchronous replication promises durability, so it is always enforced
 * there. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/mem.h"
#include "../base/names.h"
#include "replag.h"

static bool rl_enforced(int check, int which)
{
	return check == which || check == RL_CK_ALL;
}

static int rl_check_of(const char *s, int dflt)
{
	for (int i = 0; i <= RL_CK_ALL; i++)
		if (strcmp(s, rl_check_names[i]) == 0)
			return i;
	return dflt;
}

static int rl_key_of(const char *s)
{
	for (int i = 0; i < RL_KEYS; i++)
		if (s && strcmp(s, rl_key_names[i]) == 0)
			return i;
	return -1;
}

/* One event of a client's record; false on a broken guarantee that is enforced. */
bool rl_check_event(rl_checker *k, int check, int nnodes, const st_tev *e, st_violation *out)
{
	if (!e->kind || strcmp(e->kind, "local") != 0 || e->proc < nnodes || !e->body_str)
		return true;
	int ci = e->proc - nnodes;
	const char *op = NULL, *kn = NULL;
	int64_t idx, dep = 0, seq = 0;
	if (ci >= RL_CLIENTS || !e->body_str(e, "op", &op) || !e->body_str(e, "key", &kn) ||
	    !e->body_int(e, "idx", &idx) || idx < 0 || idx > UINT32_MAX)
		return true;
	int key = rl_key_of(kn);
	if (key < 0)
		return true;
	if (strcmp(op, "write") == 0) {
		k->writes++;
		k->own_idx[ci][key] = (uint32_t)idx;
		if (e->body_int(e, "seq", &seq) && seq > k->acked[ci] && seq <= UINT32_MAX)
			k->acked[ci] = (uint32_t)seq;
		return true;
	}
	if (strcmp(op, "read") != 0)
		return true;
	k->reads++;
	if (!e->body_int(e, "dep", &dep) || dep < 0 || dep > UINT32_MAX)
		dep = 0;
	uint32_t got = (uint32_t)idx;
	bool ok = true;
	st_pname cn = st_pname_of(e->proc, nnodes, nnodes + RL_CLIENTS);
	if (got < k->own_idx[ci][key] && rl_enforced(check, RL_CK_RYW))
		ok = st_violate(out, "read your writes", "%s wrote %s as log entry %u, then read "
				"%s written at entry %u (event %u)", cn.s, kn,
				(unsigned)k->own_idx[ci][key], kn, (unsigned)got, (unsigned)e->id);
	else if (got < k->seen_idx[ci][key] && rl_enforced(check, RL_CK_MONO))
		ok = st_violate(out, "monotonic reads", "%s read the %s of log entry %u, then an "
				"older one, of entry %u (event %u)", cn.s, kn,
				(unsigned)k->seen_idx[ci][key], (unsigned)got, (unsigned)e->id);
	else if (key == 0 && got < k->seen_dep[ci] && rl_enforced(check, RL_CK_PREFIX))
		ok = st_violate(out, "consistent prefix", "%s read an answer to the question of "
				"log entry %u, then x of entry %u, before that question (event %u)",
				cn.s, (unsigned)k->seen_dep[ci], (unsigned)got, (unsigned)e->id);
	if (got > k->seen_idx[ci][key])
		k->seen_idx[ci][key] = got;
	if (key == 1 && dep > k->seen_dep[ci])
		k->seen_dep[ci] = (uint32_t)dep;
	return ok;
}

/* The durability rule over one picture of the nodes: leader[p], epoch[p], up[p] and the
 * last write of each client in p's log, wseq(p, ci). */
typedef struct {
	int nnodes, nclients;
	bool (*leader)(const void *u, int p, uint32_t *epoch, const uint32_t **wseq);
	const void *u;
} rl_nodes;

static bool rl_durable(const rl_checker *k, const rl_nodes *n, st_violation *out)
{
	int best = -1;
	uint32_t best_epoch = 0;
	const uint32_t *best_w = NULL;
	for (int p = 0; p < n->nnodes; p++) {
		uint32_t ep;
		const uint32_t *w;
		if (n->leader(n->u, p, &ep, &w) && (best < 0 || ep > best_epoch)) {
			best = p;
			best_epoch = ep;
			best_w = w;
		}
	}
	if (best < 0)
		return true;    /* no leader now: nothing is served, nothing claimed */
	int np = n->nnodes + n->nclients;
	for (int ci = 0; ci < n->nclients && ci < RL_CLIENTS; ci++) {
		if (best_w[ci] >= k->acked[ci])
			continue;
		st_pname cn = st_pname_of(n->nnodes + ci, n->nnodes, np);
		return st_violate(out, "durability", "%s's write #%u was acknowledged, but %s, "
				  "leader of epoch %u, has %s's writes only up to #%u: lost in the "
				  "failover", cn.s, (unsigned)k->acked[ci],
				  st_pname_of(best, n->nnodes, np).s, (unsigned)best_epoch, cn.s,
				  (unsigned)best_w[ci]);
	}
	return true;
}

static bool rl_live_leader(const void *u, int p, uint32_t *epoch, const uint32_t **wseq)
{
	const st_view *v = u;
	const rl_state *s = v->states[p];
	if (!v->up[p] || s->role != RL_LEADER)
		return false;
	*epoch = s->epoch;
	*wseq = s->wseq;
	return true;
}

bool rl_check(void *check_state, const st_param_val *params, const st_view *v,
	      st_violation *out)
{
	rl_checker *k = check_state;
	if (!k || !v || !v->states || !out)
		return true;
	out->detail[0] = '\0';
	int check = params ? (int)params[RL_P_CHECK].lo : RL_CK_NONE;
	bool sync = params && params[RL_P_MODE].lo == RL_SYNC;
	for (int i = 0; i < v->nevents; i++) {
		st_tev e;
		if (v->event(v, i, &e) && !rl_check_event(k, check, v->nnodes, &e, out))
			return false;
	}
	if (!sync && !rl_enforced(check, RL_CK_DURABLE))
		return true;
	rl_nodes n = {.nnodes = v->nnodes < RL_NODES ? v->nnodes : RL_NODES,
		      .nclients = v->nclients, .leader = rl_live_leader, .u = v};
	return rl_durable(k, &n, out);
}

/* ---------------------------------------------------------------------------------------- */
/* Over a trace: the same rules, with the nodes' states as their recorded "state" shows them. */

typedef struct {
	bool up, leader;
	uint32_t epoch;
	uint32_t wseq[RL_CLIENTS];
} rl_tnode;

typedef struct {
	rl_checker k;
	int check;
	bool sync;
	int nnodes, nclients;
	rl_tnode *nodes;
	uint32_t violations;
} rl_tc;

void *rl_trace_check_new(const st_trace_info *info)
{
	rl_tc *tc = st_zalloc(1, sizeof *tc);
	tc->nnodes = info && info->nnodes > 0 ? info->nnodes : 0;
	tc->nclients = info && info->nclients > 0 ? info->nclients : 0;
	tc->check = info && info->params ? (int)info->params[RL_P_CHECK].lo : RL_CK_NONE;
	tc->sync = info && info->params && info->params[RL_P_MODE].lo == RL_SYNC;
	tc->nodes = st_zalloc((size_t)(tc->nnodes ? tc->nnodes : 1), sizeof *tc->nodes);
	return tc;
}

static bool rl_trace_leader(const void *u, int p, uint32_t *epoch, const uint32_t **wseq)
{
	const rl_tc *tc = u;
	if (!tc->nodes[p].up || !tc->nodes[p].leader)
		return false;
	*epoch = tc->nodes[p].epoch;
	*wseq = tc->nodes[p].wseq;
	return true;
}

bool rl_trace_check(void *tcv, const st_tev *e, st_violation *out)
{
	rl_tc *tc = tcv;
	if (!tc || !e || !out || !e->kind)
		return true;
	out->detail[0] = '\0';
	if (e->proc >= 0 && e->proc < tc->nnodes) {
		rl_tnode *n = &tc->nodes[e->proc];
		if (strcmp(e->kind, "crash") == 0)
			n->up = false;
		else if (strcmp(e->kind, "start") == 0 || strcmp(e->kind, "restart") == 0)
			n->up = true;
		const char *role, *v;
		int64_t epoch;
		/* the states say what the run enforced (a trace may not record its params) */
		if (e->has_state && e->state_str && e->state_str(e, "mode", &v))
			tc->sync = strcmp(v, "sync") == 0;
		if (e->has_state && e->state_str && e->state_str(e, "check", &v))
			tc->check = rl_check_of(v, tc->check);
		if (e->has_state && e->state_str && e->state_str(e, "role", &role) &&
		    e->state_int(e, "epoch", &epoch) && epoch >= 0 && epoch <= UINT32_MAX) {
			n->leader = strcmp(role, "leader") == 0;
			n->epoch = (uint32_t)epoch;
			for (int ci = 0; ci < tc->nclients && ci < RL_CLIENTS; ci++) {
				int64_t w;
				st_pname key = st_pname_of(tc->nnodes + ci, tc->nnodes,
							   tc->nnodes + tc->nclients);
				if (e->state_int(e, key.s, &w) && w >= 0 && w <= UINT32_MAX)
					n->wseq[ci] = (uint32_t)w;
			}
		}
	}
	if (!rl_check_event(&tc->k, tc->check, tc->nnodes, e, out)) {
		tc->violations++;
		return false;
	}
	if (!tc->sync && !rl_enforced(tc->check, RL_CK_DURABLE))
		return true;
	rl_nodes n = {.nnodes = tc->nnodes, .nclients = tc->nclients, .leader = rl_trace_leader,
		      .u = tc};
	return rl_durable(&tc->k, &n, out);
}

bool rl_trace_check_end(void *tc, st_violation *out)
{
	(void)tc, (void)out;
	return true;
}

void rl_trace_check_free(void *tcv)
{
	rl_tc *tc = tcv;
	if (!tc)
		return;
	free(tc->nodes);
	free(tc);
}

void rl_trace_check_summary(void *tcv, char *buf, size_t n)
{
	const rl_tc *tc = tcv;
	if (!tc || !buf || n == 0)
		return;
	snprintf(buf, n, "replag: %u reads and %u acknowledged writes checked (%s replication)",
		 (unsigned)tc->k.reads, (unsigned)tc->k.writes, tc->sync ? "sync" : "async");
}
