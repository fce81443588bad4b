/* replag.c: single-leader replication and its lag (DDIA chapter 5, Kleppmann's lecture 5).
 *
 * n1 leads: clients write to it, it appends each write to its log and ships the log to the
 * followers, which apply it in order. Clients read from a follower. Two modes:
 * - async: the leader acknowledges a write as soon as it is in its own log, and ships it on
 *   on a replication tick (every ship_ms, to one follower after another, so each follower
 *   lags by its own amount). Writes are fast, but a follower may be behind,
 *   so a reader sees the lag: it misses its own write (read-your-writes), sees a value go
 *   back in time when its next read goes to a slower follower (monotonic reads), or sees an
 *   answer without the question it answers (consistent prefix). And when the leader crashes
 *   the new leader may lack writes the old one acknowledged: they are lost.
 * - sync: the leader ships a write at once and acknowledges it only when every follower has
 *   it. An acknowledged write survives any failover; the price is a round trip to the
 *   slowest follower on every write, and no write at all while a follower is down.
 *
 * Failover, deliberately simple (and said so in the lesson): a follower that hears nothing from
 * its leader for failover_ms, plus RL_STAGGER_US for each node before it, promotes itself, so
 * the lowest-numbered live follower goes first. Epochs name leaders (the leader of epoch e is
 * node e % nnodes, so two nodes never claim one epoch); a node that hears of a higher epoch
 * follows it and adopts the new leader's log wholesale (a snapshot), discarding what its own
 * log had beyond it: that is where an asynchronously acknowledged write is lost, labelled.
 *
 * The client program is fixed, so the lesson can tell a story: c1 writes a question x, then
 * the answer y (which records the index of the x it answers), then reads both back;
 * every other client reads y twice, then x. Each client checks its reads against its session and
 * labels an anomaly; which ones the checker enforces is the `check` param (replag_check.c). */
#include <stdio.h>
#include <string.h>

#include "../base/names.h"
#include "replag.h"

/* ---------------------------------------------------------------------------------------- */
/* Tables                                                                                     */

static const char *const rl_msg_names[RL_MSG__COUNT] = {
	[RL_MSG_WRITE] = "Write", [RL_MSG_WRITE_OK] = "WriteOk", [RL_MSG_REDIRECT] = "Redirect",
	[RL_MSG_READ] = "Read", [RL_MSG_READ_OK] = "ReadOk", [RL_MSG_APPEND] = "Append",
	[RL_MSG_SNAPSHOT] = "Snapshot", [RL_MSG_ACK] = "Ack",
};

static const char *const rl_timer_names[RL_T__COUNT] = {
	[RL_T_SHIP] = "replicate", [RL_T_FAILOVER] = "leader silent", [RL_T_CLIENT] = "timeout",
};

static const char *const rl_mode_names[] = {"async", "sync", NULL};
const char *const rl_check_names[RL_CK_ALL + 2] = {
	"none", "read-your-writes", "monotonic-reads", "consistent-prefix", "durability", "all",
	NULL};
const char *const rl_key_names[RL_KEYS] = {"x", "y"};

static const st_param_spec rl_params[RL_P__COUNT] = {
	[RL_P_MODE] = {"mode", ST_P_ENUM, 0, 0, RL_ASYNC, RL_ASYNC, rl_mode_names,
		       "async: the leader acknowledges a write once it is in its own log; sync: "
		       "once every follower has it (durability is then enforced)"},
	[RL_P_CHECK] = {"check", ST_P_ENUM, 0, 0, RL_CK_NONE, RL_CK_NONE, rl_check_names,
			"which guarantee the checker enforces; the anomalies are labelled either "
			"way. Asynchronous replication does not give them: enforcing one there is "
			"the weakened variant --explore catches"},
	[RL_P_SHIP] = {"ship_ms", ST_P_RANGE, 1, 600000, 200, 500, NULL,
		       "every ship_ms (a random wait in the range) the leader ships its log to "
		       "one follower, each in turn; it doubles as the leader's heartbeat"},
	[RL_P_FAILOVER] = {"failover_ms", ST_P_INT, 1, 3600000, 1500, 1500, NULL,
			   "a follower that hears nothing from its leader for this long (plus "
			   "300 ms per node before it) promotes itself"},
	[RL_P_TIMEOUT] = {"timeout_ms", ST_P_INT, 1, 3600000, 500, 500, NULL,
			  "a client with no answer for this long gives up on the operation"},
};

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                    */

static void rl_cfg_load(rl_cfg *cfg, const st_param_val *p, int nnodes, int nclients)
{
	st_param_val def[RL_P__COUNT];
	if (!p) {
		for (int i = 0; i < RL_P__COUNT; i++) {
			def[i].lo = rl_params[i].def_lo;
			def[i].hi = rl_params[i].def_hi;
		}
		p = def;
	}
	memset(cfg, 0, sizeof *cfg);
	cfg->mode = (uint8_t)p[RL_P_MODE].lo;
	cfg->check = (uint8_t)p[RL_P_CHECK].lo;
	cfg->nclients = (int16_t)(nclients < RL_CLIENTS ? nclients : RL_CLIENTS);
	cfg->nnodes = (int16_t)(nnodes < RL_NODES ? nnodes : RL_NODES);
	cfg->ship_lo_us = p[RL_P_SHIP].lo * 1000;
	cfg->ship_hi_us = p[RL_P_SHIP].hi * 1000;
	cfg->failover_us = p[RL_P_FAILOVER].lo * 1000;
	cfg->timeout_us = p[RL_P_TIMEOUT].lo * 1000;
}

static st_pname rl_name(const st_ctx *c, int p)
{
	return st_pname_of(p, c->nnodes, c->nprocs);
}

/* "3@5": a value and the log index that wrote it; "-" for never written. */
typedef struct { char s[32]; } rl_cellstr;
static rl_cellstr rl_cell_str(rl_cell v)
{
	rl_cellstr r;
	if (v.idx == 0)
		snprintf(r.s, sizeof r.s, "-");
	else
		snprintf(r.s, sizeof r.s, "%d@%u", (int)v.val, (unsigned)v.idx);
	return r;
}

static int rl_leader_of(const st_ctx *c, uint32_t epoch)
{
	return c->nnodes > 0 ? (int)(epoch % (uint32_t)c->nnodes) : 0;
}

/* A leader's own index: the node that leads its epoch. */
static int rl_self_of(const rl_state *s)
{
	return s->cfg.nnodes > 0 ? (int)(s->epoch % (uint32_t)s->cfg.nnodes) : 0;
}

static bool rl_sync(const rl_state *s) { return s->cfg.mode == RL_SYNC; }

/* ---------------------------------------------------------------------------------------- */
/* The leader                                                                                 */

static void rl_apply(rl_state *s, const rl_entry *e)
{
	s->len = e->idx;
	s->kv[e->key].val = e->val;
	s->kv[e->key].idx = e->idx;
	s->kv[e->key].dep = e->dep;
	if (e->client < RL_CLIENTS && e->seq > s->wseq[e->client])
		s->wseq[e->client] = e->seq;
	s->ring[e->idx % RL_RING] = *e;
}

static void rl_ship_to(st_ctx *c, rl_state *s, int f)
{
	uint32_t nx = s->next[f];
	bool in_ring = nx >= s->ring_from && nx >= 1 && nx + RL_RING > s->len + 1;
	if (nx == 0 || !in_ring) {
		rl_snapshot_m m;
		memset(&m, 0, sizeof m);
		m.epoch = s->epoch;
		m.len = s->len;
		m.base = s->epoch_base;
		memcpy(m.kv, s->kv, sizeof m.kv);
		memcpy(m.wseq, s->wseq, sizeof m.wseq);
		st_send(c, f, RL_MSG_SNAPSHOT, &m, sizeof m);
		return;
	}
	rl_append_m m;
	memset(&m, 0, sizeof m);
	m.epoch = s->epoch;
	m.from = nx;
	m.leader_len = s->len;
	for (uint32_t i = nx; i <= s->len && m.n < RL_BATCH; i++)
		m.e[m.n++] = s->ring[i % RL_RING];
	st_send(c, f, RL_MSG_APPEND, &m, offsetof(rl_append_m, e) + m.n * sizeof(rl_entry));
}

static void rl_ship_all(st_ctx *c, rl_state *s)
{
	for (int f = 0; f < c->nnodes && f < RL_NODES; f++)
		if (f != c->self)
			rl_ship_to(c, s, f);
}

/* One follower per tick, in turn: each follower lags by its own amount, as followers that
 * fetch at their own pace do. */
static void rl_ship_next(st_ctx *c, rl_state *s)
{
	int n = c->nnodes < RL_NODES ? c->nnodes : RL_NODES;
	for (int i = 0; i < n; i++) {
		s->rr = (uint8_t)((s->rr + 1) % n);
		if (s->rr != c->self) {
			rl_ship_to(c, s, s->rr);
			return;
		}
	}
}

static void rl_arm_failover(st_ctx *c, rl_state *s)
{
	st_set_timer(c, RL_T_FAILOVER, s->cfg.failover_us + (int64_t)c->self * RL_STAGGER_US);
}

static void rl_step_down(st_ctx *c, rl_state *s, uint32_t epoch)
{
	s->epoch = epoch;
	if (s->role == RL_LEADER) {
		s->role = RL_FOLLOWER;
		memset(s->pend, 0, sizeof s->pend);
		st_cancel_timer(c, RL_T_SHIP);
	}
	rl_arm_failover(c, s);
}

static void rl_write_ok(st_ctx *c, int client, uint32_t seq, uint32_t idx)
{
	rl_write_ok_m m = {.seq = seq, .idx = idx};
	st_send(c, client, RL_MSG_WRITE_OK, &m, sizeof m);
}

/* Sync: a write is acknowledged when every follower has acknowledged its index. */
static void rl_try_commit(st_ctx *c, rl_state *s)
{
	for (int ci = 0; ci < RL_CLIENTS; ci++) {
		rl_pending *p = &s->pend[ci];
		if (!p->on)
			continue;
		bool all = true;
		for (int f = 0; f < c->nnodes && f < RL_NODES; f++)
			if (f != c->self && s->match[f] < p->idx)
				all = false;
		if (!all)
			continue;
		p->on = false;
		char label[48], note[240];
		st_pname cn = rl_name(c, c->nnodes + ci);
		snprintf(label, sizeof label, "all have @%u: ack %s", (unsigned)p->idx, cn.s);
		snprintf(note, sizeof note, "Every follower has acknowledged index %u, so %s now "
			 "tells %s its write #%u is done: synchronous replication. It survives any "
			 "failover, since whichever follower is promoted has it.", (unsigned)p->idx,
			 rl_name(c, c->self).s, cn.s, (unsigned)p->seq);
		if (st_label(c, label, note, ST_LABEL_PRIO(20)))
			st_label_note(c, note);
		rl_write_ok(c, c->nnodes + ci, p->seq, p->idx);
	}
}

static void rl_on_write(st_ctx *c, rl_state *s, int from, const rl_write_m *m)
{
	int ci = from - c->nnodes;
	if (ci < 0 || ci >= RL_CLIENTS || m->key >= RL_KEYS)
		return;
	if (s->role != RL_LEADER) {
		int l = rl_leader_of(c, s->epoch);
		rl_redirect_m r = {.seq = m->seq, .leader = l == c->self ? -1 : l};
		st_label(c, "not the leader", "Only the leader takes writes: this node tells the "
			 "client where to go.", ST_LABEL_PRIO(5));
		st_send(c, from, RL_MSG_REDIRECT, &r, sizeof r);
		return;
	}
	if (m->seq <= s->wseq[ci])
		return;         /* a duplicate of a write already in the log */
	rl_entry e;
	memset(&e, 0, sizeof e);
	e.idx = s->len + 1;
	e.key = m->key;
	e.val = m->val;
	e.dep = m->dep;
	e.seq = m->seq;
	e.client = (uint8_t)ci;
	rl_apply(s, &e);
	char label[48], note[360];
	snprintf(label, sizeof label, "append %s=%d @%u", rl_key_names[e.key], (int)e.val,
		 (unsigned)e.idx);
	if (!rl_sync(s) || c->nnodes <= 1) {
		snprintf(note, sizeof note, "%s appends %s's write #%u as log entry %u and "
			 "acknowledges it at once%s: the followers get it on the next replication "
			 "tick. Until then it exists on %s alone.", rl_name(c, c->self).s,
			 rl_name(c, from).s,
			 (unsigned)e.seq, (unsigned)e.idx, rl_sync(s) ? "" : " (asynchronous "
			 "replication)", rl_name(c, c->self).s);
		st_label(c, label, note, ST_LABEL_PRIO(10));
		rl_write_ok(c, from, e.seq, e.idx);
		return;
	}
	snprintf(note, sizeof note, "%s appends %s's write #%u as log entry %u and ships it to "
		 "every follower now. Synchronous replication: %s hears back only when all of "
		 "them have it.", rl_name(c, c->self).s, rl_name(c, from).s, (unsigned)e.seq,
		 (unsigned)e.idx, rl_name(c, from).s);
	st_label(c, label, note, ST_LABEL_PRIO(10));
	s->pend[ci] = (rl_pending){.idx = e.idx, .seq = e.seq, .on = true};
	rl_ship_all(c, s);
}

static void rl_on_read(st_ctx *c, rl_state *s, int from, const rl_read_m *m)
{
	if (m->key >= RL_KEYS)
		return;
	rl_read_ok_m r;
	memset(&r, 0, sizeof r);
	r.seq = m->seq;
	r.pos = s->len;
	r.cell = s->kv[m->key];
	r.key = m->key;
	r.leader = s->role == RL_LEADER;
	st_send(c, from, RL_MSG_READ_OK, &r, sizeof r);
}

static void rl_on_ack(st_ctx *c, rl_state *s, int from, const rl_ack_m *m)
{
	if (from < 0 || from >= RL_NODES || from >= c->nnodes)
		return;
	if (m->epoch > s->epoch) {
		char note[240];
		snprintf(note, sizeof note, "%s learns of epoch %u, led by %s: a newer leader. It "
			 "stops leading and will take the new leader's log.", rl_name(c, c->self).s,
			 (unsigned)m->epoch, rl_name(c, rl_leader_of(c, m->epoch)).s);
		st_label(c, "step down", note, ST_LABEL_PRIO(30) | ST_LABEL_MILESTONE);
		rl_step_down(c, s, m->epoch);
		return;
	}
	if (m->epoch < s->epoch || s->role != RL_LEADER)
		return;
	if (m->need_snap) {
		s->next[from] = 0;
		return;
	}
	if (m->len > s->len)
		return;         /* cannot be: a follower of this epoch is a prefix of its leader */
	if (m->len > s->match[from])
		s->match[from] = m->len;
	s->next[from] = s->match[from] + 1;
	if (rl_sync(s))
		rl_try_commit(c, s);
}

/* ---------------------------------------------------------------------------------------- */
/* The followers                                                                              */

static void rl_ack(st_ctx *c, rl_state *s, int to, bool need_snap)
{
	rl_ack_m m;
	memset(&m, 0, sizeof m);
	m.epoch = s->epoch;
	m.len = s->len;
	m.need_snap = need_snap;
	st_send(c, to, RL_MSG_ACK, &m, sizeof m);
}

/* A message of a leader's epoch: older is answered with ours (so its sender steps down),
 * newer is followed. Returns whether to go on handling it. */
static bool rl_leader_msg(st_ctx *c, rl_state *s, int from, uint32_t epoch)
{
	if (epoch < s->epoch) {
		rl_ack(c, s, from, false);
		return false;
	}
	if (epoch > s->epoch) {
		if (s->role == RL_LEADER) {
			char note[200];
			snprintf(note, sizeof note, "%s hears from %s, leader of epoch %u: it is no "
				 "longer the leader.", rl_name(c, c->self).s, rl_name(c, from).s,
				 (unsigned)epoch);
			st_label(c, "step down", note, ST_LABEL_PRIO(30) | ST_LABEL_MILESTONE);
		}
		rl_step_down(c, s, epoch);
	} else if (s->role == RL_LEADER) {
		return false;   /* only this node leads its epoch */
	}
	rl_arm_failover(c, s);
	return true;
}

static void rl_on_append(st_ctx *c, rl_state *s, int from, const rl_append_m *m)
{
	if (!rl_leader_msg(c, s, from, m->epoch))
		return;
	if (s->log_epoch != s->epoch) {
		rl_ack(c, s, from, true);       /* our log may differ from this leader's */
		return;
	}
	uint32_t was = s->len;
	for (int i = 0; i < m->n && i < RL_BATCH; i++) {
		if (m->e[i].idx <= s->len)
			continue;
		if (m->e[i].idx != s->len + 1 || m->e[i].key >= RL_KEYS)
			break;
		rl_apply(s, &m->e[i]);
	}
	s->leader_len = m->leader_len;
	if (s->len > was) {
		char label[48], note[300];
		snprintf(label, sizeof label, "apply %u..%u", (unsigned)was + 1, (unsigned)s->len);
		snprintf(note, sizeof note, "%s applies entries %u to %u from %s; it was %u behind "
			 "until now. Reads here now see x=%s, y=%s.", rl_name(c, c->self).s,
			 (unsigned)was + 1, (unsigned)s->len, rl_name(c, from).s,
			 (unsigned)(m->leader_len > was ? m->leader_len - was : 0),
			 rl_cell_str(s->kv[0]).s, rl_cell_str(s->kv[1]).s);
		st_label(c, label, note, ST_LABEL_PRIO(10));
	}
	rl_ack(c, s, from, false);
}

static void rl_on_snapshot(st_ctx *c, rl_state *s, int from, const rl_snapshot_m *m)
{
	if (!rl_leader_msg(c, s, from, m->epoch))
		return;
	s->leader_len = m->len;
	if (s->log_epoch == s->epoch && s->len >= m->len) {
		rl_ack(c, s, from, false);      /* we have all of it already */
		return;
	}
	/* What adopting the new log throws away: our entries past the point where its leader
	 * took over, when they came from an older epoch (they are not in the new log). */
	char lost[120] = "";
	uint32_t nlost = 0;
	size_t at = 0;
	if (s->log_epoch < m->epoch && s->len > m->base) {
		nlost = s->len - m->base;
		for (uint32_t i = m->base + 1; i <= s->len; i++) {
			const rl_entry *e = &s->ring[i % RL_RING];
			if (i < s->ring_from || i + RL_RING <= s->len || e->idx != i)
				continue;
			if (at + 24 < sizeof lost)
				at += (size_t)snprintf(lost + at, sizeof lost - at, "%s%s=%d (%s#%u)",
						       at ? ", " : "", rl_key_names[e->key % RL_KEYS],
						       (int)e->val, rl_name(c, c->nnodes + e->client).s,
						       (unsigned)e->seq);
		}
	}
	uint32_t was = s->len;
	s->len = m->len;
	memcpy(s->kv, m->kv, sizeof s->kv);
	memcpy(s->wseq, m->wseq, sizeof s->wseq);
	s->log_epoch = s->epoch;
	s->epoch_base = m->base;
	s->ring_from = s->len + 1;
	char label[48], note[768];
	if (nlost) {
		s->discarded += nlost;
		snprintf(label, sizeof label, "discard %u write%s!", (unsigned)nlost,
			 nlost == 1 ? "" : "s");
		snprintf(note, sizeof note, "%s takes the log of %s, leader of epoch %u, which took "
			 "over at position %u. %s's own log went on to %u: entries %u..%u (%s) are not "
			 "in the new log and are thrown away. Acknowledged to the client by the old "
			 "leader, they are now lost.", rl_name(c, c->self).s, rl_name(c, from).s,
			 (unsigned)m->epoch, (unsigned)m->base, rl_name(c, c->self).s, (unsigned)was,
			 (unsigned)m->base + 1, (unsigned)was, lost[0] ? lost : "no longer kept");
		st_label(c, label, note, ST_LABEL_PRIO(40) | ST_LABEL_MILESTONE);
	} else {
		snprintf(label, sizeof label, "take %s's log @%u", rl_name(c, from).s, (unsigned)m->len);
		snprintf(note, sizeof note, "%s takes the whole log state of %s (epoch %u, position "
			 "%u) in one snapshot: x=%s, y=%s.", rl_name(c, c->self).s, rl_name(c, from).s,
			 (unsigned)m->epoch, (unsigned)m->len, rl_cell_str(s->kv[0]).s,
			 rl_cell_str(s->kv[1]).s);
		st_label(c, label, note, ST_LABEL_PRIO(10));
	}
	rl_ack(c, s, from, false);
}

static void rl_promote(st_ctx *c, rl_state *s)
{
	uint32_t n = (uint32_t)c->nnodes, e = s->epoch + 1;
	e += ((uint32_t)c->self + n - e % n) % n;       /* the next epoch this node leads */
	s->epoch = e;
	s->log_epoch = e;
	s->epoch_base = s->len;
	s->role = RL_LEADER;
	memset(s->match, 0, sizeof s->match);
	memset(s->next, 0, sizeof s->next);
	memset(s->pend, 0, sizeof s->pend);
	char label[48], note[400];
	snprintf(label, sizeof label, "promoted %s (epoch %u)", rl_name(c, c->self).s, (unsigned)e);
	snprintf(note, sizeof note, "%s heard nothing from its leader for %lld ms. The rule here "
		 "is simple: the lowest-numbered live follower takes over after a timeout (each "
		 "node waits 300 ms longer than the one before it). %s leads epoch %u with the log "
		 "it has, position %u, x=%s, y=%s; what the old leader had beyond it is gone.",
		 rl_name(c, c->self).s, (long long)((s->cfg.failover_us + (int64_t)c->self *
		 RL_STAGGER_US) / 1000), rl_name(c, c->self).s, (unsigned)e, (unsigned)s->len,
		 rl_cell_str(s->kv[0]).s, rl_cell_str(s->kv[1]).s);
	st_label(c, label, note, ST_LABEL_PRIO(40) | ST_LABEL_MILESTONE);
	st_cancel_timer(c, RL_T_FAILOVER);
	rl_ship_all(c, s);
	st_set_timer(c, RL_T_SHIP, st_random_range(c, s->cfg.ship_lo_us, s->cfg.ship_hi_us));
}

/* ---------------------------------------------------------------------------------------- */
/* The clients                                                                                */

static void rl_client_send(st_ctx *c, rl_state *s)
{
	if (s->kind == RL_OP_WRITE) {
		rl_write_m m;
		memset(&m, 0, sizeof m);
		m.seq = s->seq;
		m.key = s->key;
		m.val = s->val;
		m.dep = s->key == 1 ? s->own_idx[0] : 0;
		st_send(c, s->target, RL_MSG_WRITE, &m, sizeof m);
	} else {
		rl_read_m m;
		memset(&m, 0, sizeof m);
		m.seq = s->nops;
		m.key = s->key;
		st_send(c, s->target, RL_MSG_READ, &m, sizeof m);
	}
}

static void rl_finish(st_ctx *c, rl_state *s, st_optype t)
{
	st_cancel_timer(c, RL_T_CLIENT);
	s->busy = false;
	if (t != ST_OP_OK)
		s->fails++;
	st_complete(c, &s->op, t);
}

static void rl_on_client(st_ctx *c, void *state, const st_op *op)
{
	rl_state *s = state;
	if (c->role != ST_ROLE_CLIENT || c->nnodes <= 0)
		return;
	if (s->busy)
		rl_finish(c, s, ST_OP_INFO);
	int ci = c->self - c->nnodes;
	s->op = *op;
	s->busy = true;
	s->nops++;
	s->redirects = 0;
	uint32_t k = s->nops - 1;
	if (ci == 0) {          /* the writer: a question, its answer, then reads them back */
		s->kind = k % 4 < 2 ? RL_OP_WRITE : RL_OP_READ;
		s->key = (uint8_t)(k % 2);
		s->val = (int32_t)(k / 4 + 1);
	} else {                /* a reader: the answer, again, then the question */
		s->kind = RL_OP_READ;
		s->key = k % 3 < 2 ? 1 : 0;
	}
	if (s->leader_guess < 0 || s->leader_guess >= c->nnodes)
		s->leader_guess = 0;
	if (s->kind == RL_OP_WRITE) {
		s->seq++;
		s->target = s->leader_guess;
	} else if (op->node >= 0 && op->node < c->nnodes) {
		s->target = op->node;
	} else if (c->nnodes == 1) {
		s->target = 0;
	} else {                /* any follower, as far as this client knows who leads */
		int64_t r = st_random_range(c, 0, c->nnodes - 2);
		s->target = (int)r >= s->leader_guess ? (int)r + 1 : (int)r;
	}
	rl_client_send(c, s);
	st_set_timer(c, RL_T_CLIENT, s->cfg.timeout_us);
}

static void rl_on_redirect(st_ctx *c, rl_state *s, const rl_redirect_m *m)
{
	if (!s->busy || s->kind != RL_OP_WRITE || m->seq != s->seq)
		return;
	if (++s->redirects > c->nnodes) {
		rl_finish(c, s, ST_OP_FAIL);
		return;
	}
	s->leader_guess = m->leader >= 0 && m->leader < c->nnodes ? m->leader :
		(s->target + 1) % c->nnodes;
	s->target = s->leader_guess;
	rl_client_send(c, s);
}

static void rl_on_write_ok(st_ctx *c, rl_state *s, int from, const rl_write_ok_m *m)
{
	if (!s->busy || s->kind != RL_OP_WRITE || m->seq != s->seq)
		return;
	s->leader_guess = from;
	s->own_idx[s->key] = m->idx;
	s->acked = m->seq;
	char label[48], note[300];
	snprintf(label, sizeof label, "wrote %s=%d @%u", rl_key_names[s->key], (int)s->val,
		 (unsigned)m->idx);
	snprintf(note, sizeof note, "%s's write #%u (%s=%d) is acknowledged by %s as log entry "
		 "%u. From now on this client expects to read it back (read your writes).",
		 rl_name(c, c->self).s, (unsigned)m->seq, rl_key_names[s->key], (int)s->val,
		 rl_name(c, from).s, (unsigned)m->idx);
	st_kv body[5] = {
		{.key = "op", .type = ST_V_STR, .s = "write"},
		{.key = "key", .type = ST_V_STR, .s = rl_key_names[s->key]},
		{.key = "val", .type = ST_V_INT, .i = s->val},
		{.key = "idx", .type = ST_V_INT, .i = m->idx},
		{.key = "seq", .type = ST_V_INT, .i = m->seq},
	};
	st_local(c, label, note, body, 5, 0);
	rl_finish(c, s, ST_OP_OK);
}

static void rl_on_read_ok(st_ctx *c, rl_state *s, int from, const rl_read_ok_m *m)
{
	if (!s->busy || s->kind != RL_OP_READ || m->seq != s->nops || m->key != s->key)
		return;
	int key = m->key;
	const char *kn = rl_key_names[key];
	char label[48], note[520];
	int flags = 0;          /* a client's first anomaly of each kind is a milestone */
	rl_cellstr got = rl_cell_str(m->cell);
	if (m->cell.idx < s->own_idx[key]) {
		s->stale++;
		snprintf(label, sizeof label, "stale read!");
		snprintf(note, sizeof note, "%s wrote %s as log entry %u and was told it is done, "
			 "yet %s, at position %u, answers %s=%s: the follower has not caught up, and "
			 "this client does not read its own write (read-your-writes broken).",
			 rl_name(c, c->self).s, kn, (unsigned)s->own_idx[key], rl_name(c, from).s,
			 (unsigned)m->pos, kn, got.s);
		flags = s->stale == 1 ? ST_LABEL_MILESTONE : 0;
	} else if (m->cell.idx < s->seen_idx[key]) {
		s->backward++;
		snprintf(label, sizeof label, "back in time!");
		snprintf(note, sizeof note, "%s already read the %s written at log entry %u, but "
			 "%s, at position %u, answers %s=%s, an older value: its reads went to a "
			 "follower further behind (monotonic reads broken).", rl_name(c, c->self).s, kn,
			 (unsigned)s->seen_idx[key], rl_name(c, from).s, (unsigned)m->pos, kn, got.s);
		flags = s->backward == 1 ? ST_LABEL_MILESTONE : 0;
	} else if (key == 0 && m->cell.idx < s->seen_dep) {
		s->unprefix++;
		snprintf(label, sizeof label, "answer before question!");
		snprintf(note, sizeof note, "%s has read an answer y that replies to the question "
			 "written at entry %u, but %s, at position %u, has x=%s: no such question "
			 "yet. The reader saw the writes out of their order (consistent prefix "
			 "reads broken).", rl_name(c, c->self).s, (unsigned)s->seen_dep,
			 rl_name(c, from).s, (unsigned)m->pos, got.s);
		flags = s->unprefix == 1 ? ST_LABEL_MILESTONE : 0;
	} else {
		snprintf(label, sizeof label, "read %s=%s", kn, got.s);
		snprintf(note, sizeof note, "%s reads %s=%s from %s, whose log is at position %u.",
			 rl_name(c, c->self).s, kn, got.s, rl_name(c, from).s, (unsigned)m->pos);
	}
	if (m->cell.idx > s->seen_idx[key])
		s->seen_idx[key] = m->cell.idx;
	if (key == 1 && m->cell.dep > s->seen_dep)
		s->seen_dep = m->cell.dep;
	s->last = m->cell;
	s->last_key = (uint8_t)key;
	s->last_node = from;
	st_kv body[7] = {
		{.key = "op", .type = ST_V_STR, .s = "read"},
		{.key = "key", .type = ST_V_STR, .s = kn},
		{.key = "val", .type = ST_V_INT, .i = m->cell.val},
		{.key = "idx", .type = ST_V_INT, .i = m->cell.idx},
		{.key = "dep", .type = ST_V_INT, .i = m->cell.dep},
		{.key = "pos", .type = ST_V_INT, .i = m->pos},
		{.key = "node", .type = ST_V_PROC, .i = from},
	};
	st_local(c, label, note, body, 7, flags);
	rl_finish(c, s, ST_OP_OK);
}

static void rl_on_client_timeout(st_ctx *c, rl_state *s)
{
	if (!s->busy)
		return;
	char note[240];
	snprintf(note, sizeof note, "No answer from %s within %lld ms: %s gives up on this "
		 "operation%s.", rl_name(c, s->target).s, (long long)(s->cfg.timeout_us / 1000),
		 rl_name(c, c->self).s, s->kind == RL_OP_WRITE ? " (the write may or may not have "
		 "happened) and will try the next node for the next write" : "");
	bool w = s->kind == RL_OP_WRITE;
	if (w)
		s->write_timeouts++;
	/* the first write that finds no leader is a key moment: the price of a failover */
	st_label(c, w ? "write timed out" : "read timed out", note,
		 w && s->write_timeouts == 1 ? ST_LABEL_MILESTONE : 0);
	if (w)
		s->leader_guess = (s->target + 1) % c->nnodes;
	rl_finish(c, s, ST_OP_INFO);
}

/* ---------------------------------------------------------------------------------------- */
/* Entry points                                                                               */

static void rl_init(st_ctx *c, void *state, const st_param_val *params)
{
	rl_state *s = state;
	memset(s, 0, sizeof *s);
	rl_cfg_load(&s->cfg, params, c->nnodes, c->nclients);
	s->ring_from = 1;
	s->last_node = -1;
	if (c->role != ST_ROLE_NODE)
		return;
	if (c->self == 0) {
		s->role = RL_LEADER;
		for (int f = 0; f < RL_NODES; f++)
			s->next[f] = 1;         /* every log starts empty, in epoch 0 */
		st_set_timer(c, RL_T_SHIP, st_random_range(c, s->cfg.ship_lo_us,
							   s->cfg.ship_hi_us));
	} else {
		rl_arm_failover(c, s);
	}
}

static void rl_on_message(st_ctx *c, void *state, const st_msg *msg)
{
	rl_state *s = state;
	if (!msg->body || msg->from < 0 || msg->from >= c->nprocs)
		return;
	union {
		rl_write_m w; rl_write_ok_m wo; rl_redirect_m r; rl_read_m rd; rl_read_ok_m ro;
		rl_append_m a; rl_snapshot_m sn; rl_ack_m ak;
	} u;
	memset(&u, 0, sizeof u);
	size_t n = msg->len < sizeof u ? msg->len : sizeof u;
	memcpy(&u, msg->body, n);
	bool node = c->role == ST_ROLE_NODE, from_node = msg->from < c->nnodes;
	switch (msg->type) {
	case RL_MSG_WRITE:
		if (node && !from_node && n >= sizeof u.w)
			rl_on_write(c, s, msg->from, &u.w);
		break;
	case RL_MSG_READ:
		if (node && !from_node && n >= sizeof u.rd)
			rl_on_read(c, s, msg->from, &u.rd);
		break;
	case RL_MSG_APPEND:
		if (node && from_node && n >= offsetof(rl_append_m, e) &&
		    n >= offsetof(rl_append_m, e) + (size_t)u.a.n * sizeof(rl_entry))
			rl_on_append(c, s, msg->from, &u.a);
		break;
	case RL_MSG_SNAPSHOT:
		if (node && from_node && n >= sizeof u.sn)
			rl_on_snapshot(c, s, msg->from, &u.sn);
		break;
	case RL_MSG_ACK:
		if (node && from_node && n >= sizeof u.ak)
			rl_on_ack(c, s, msg->from, &u.ak);
		break;
	case RL_MSG_WRITE_OK:
		if (!node && from_node && n >= sizeof u.wo)
			rl_on_write_ok(c, s, msg->from, &u.wo);
		break;
	case RL_MSG_REDIRECT:
		if (!node && from_node && n >= sizeof u.r)
			rl_on_redirect(c, s, &u.r);
		break;
	case RL_MSG_READ_OK:
		if (!node && from_node && n >= sizeof u.ro)
			rl_on_read_ok(c, s, msg->from, &u.ro);
		break;
	default:
		break;
	}
}

static void rl_on_timer(st_ctx *c, void *state, int timer)
{
	rl_state *s = state;
	if (c->role == ST_ROLE_CLIENT) {
		if (timer == RL_T_CLIENT)
			rl_on_client_timeout(c, s);
		return;
	}
	if (timer == RL_T_SHIP && s->role == RL_LEADER) {
		rl_ship_next(c, s);
		st_set_timer(c, RL_T_SHIP, st_random_range(c, s->cfg.ship_lo_us,
							   s->cfg.ship_hi_us));
	} else if (timer == RL_T_FAILOVER && s->role != RL_LEADER) {
		rl_promote(c, s);
	}
}

static void rl_on_restart(st_ctx *c, void *state, const st_param_val *params)
{
	rl_state *s = state;
	rl_cfg_load(&s->cfg, params, c->nnodes, c->nclients);
	if (c->role == ST_ROLE_CLIENT) {
		s->busy = false;        /* the session (what it wrote and read) is kept */
		st_cancel_timer(c, RL_T_CLIENT);
		return;
	}
	/* the log, the epoch and the keys are on disk; who leads is not: a restarted node
	 * comes back as a follower and waits to hear from a leader */
	s->role = RL_FOLLOWER;
	s->leader_len = 0;
	memset(s->match, 0, sizeof s->match);
	memset(s->next, 0, sizeof s->next);
	memset(s->pend, 0, sizeof s->pend);
	st_cancel_timer(c, RL_T_SHIP);
	rl_arm_failover(c, s);
}

static void rl_describe(const void *state, st_role role, st_sink *k)
{
	const rl_state *s = state;
	if (role == ST_ROLE_NODE) {
		k->kv_str(k, "role", s->role == RL_LEADER ? "leader" : "follower");
		k->kv_int(k, "log", s->len);
		k->kv_str(k, "x", rl_cell_str(s->kv[0]).s);
		k->kv_str(k, "y", rl_cell_str(s->kv[1]).s);
		for (int ci = 0; ci < s->cfg.nclients && ci < 1; ci++) {  /* c1 alone writes */
			st_pname key = st_pname_of(s->cfg.nnodes + ci, s->cfg.nnodes,
						   s->cfg.nnodes + s->cfg.nclients);
			k->kv_int(k, key.s, s->wseq[ci]);
		}
		/* the leader knows how far behind each follower is (by its last Ack); a follower
		 * cannot know how far behind it is */
		char lag[64] = "-";
		size_t at = 0;
		for (int f = 0; s->role == RL_LEADER && f < s->cfg.nnodes; f++) {
			if (f == rl_self_of(s) || at + 12 >= sizeof lag)
				continue;
			uint32_t d = s->match[f] < s->len ? s->len - s->match[f] : 0;
			at += (size_t)snprintf(lag + at, sizeof lag - at, "%s%s:%u", at ? " " : "",
					       st_pname_of(f, s->cfg.nnodes, s->cfg.nnodes).s,
					       (unsigned)d);
		}
		k->kv_str(k, "lag", lag);
		k->kv_int(k, "epoch", s->epoch);
		k->kv_int(k, "discarded", s->discarded);
		k->kv_str(k, "mode", s->cfg.mode == RL_SYNC ? "sync" : "async");
		/* what the checker enforces, so a trace without its params still says */
		k->kv_str(k, "check", s->cfg.check < RL_CK_ALL + 1 ? rl_check_names[s->cfg.check] :
			  "none");
		return;
	}
	char op[48] = "-", last[64] = "-";
	if (s->busy)
		snprintf(op, sizeof op, s->kind == RL_OP_WRITE ? "write %s=%d" : "read %s",
			 rl_key_names[s->key], (int)s->val);
	if (s->last_node >= 0)
		snprintf(last, sizeof last, "%s=%s %s", rl_key_names[s->last_key],
			 rl_cell_str(s->last).s, st_pname_of(s->last_node, s->cfg.nnodes,
			 s->cfg.nnodes + s->cfg.nclients).s);
	k->kv_str(k, "op", op);
	k->kv_str(k, "last read", last);
	k->kv_int(k, "acked", s->acked);
	k->kv_int(k, "stale", s->stale);
	k->kv_int(k, "backward", s->backward);
	k->kv_int(k, "unprefixed", s->unprefix);
	k->kv_int(k, "failed", s->fails);
}

static void rl_encode_cell(st_sink *k, const char *key, rl_cell v)
{
	k->kv_str(k, key, rl_cell_str(v).s);
}

static void rl_encode(int type, const void *body, size_t len, st_sink *k)
{
	if (!body)
		return;
	union {
		rl_write_m w; rl_write_ok_m wo; rl_redirect_m r; rl_read_m rd; rl_read_ok_m ro;
		rl_append_m a; rl_snapshot_m sn; rl_ack_m ak;
	} u;
	memset(&u, 0, sizeof u);
	size_t n = len < sizeof u ? len : sizeof u;
	memcpy(&u, body, n);
	switch (type) {
	case RL_MSG_WRITE:
		if (n < sizeof u.w || u.w.key >= RL_KEYS)
			return;
		k->kv_int(k, "seq", u.w.seq);
		k->kv_str(k, "key", rl_key_names[u.w.key]);
		k->kv_int(k, "val", u.w.val);
		if (u.w.key == 1)
			k->kv_int(k, "answers", u.w.dep);
		break;
	case RL_MSG_WRITE_OK:
		if (n < sizeof u.wo)
			return;
		k->kv_int(k, "seq", u.wo.seq);
		k->kv_int(k, "idx", u.wo.idx);
		break;
	case RL_MSG_REDIRECT:
		if (n < sizeof u.r)
			return;
		k->kv_int(k, "seq", u.r.seq);
		k->kv_proc(k, "leader", u.r.leader);
		break;
	case RL_MSG_READ:
		if (n < sizeof u.rd || u.rd.key >= RL_KEYS)
			return;
		k->kv_str(k, "key", rl_key_names[u.rd.key]);
		break;
	case RL_MSG_READ_OK:
		if (n < sizeof u.ro || u.ro.key >= RL_KEYS)
			return;
		rl_encode_cell(k, rl_key_names[u.ro.key], u.ro.cell);
		k->kv_int(k, "pos", u.ro.pos);
		break;
	case RL_MSG_APPEND:
		if (n < offsetof(rl_append_m, e) || u.a.n > RL_BATCH ||
		    n < offsetof(rl_append_m, e) + (size_t)u.a.n * sizeof(rl_entry))
			return;
		k->kv_int(k, "epoch", u.a.epoch);
		k->kv_int(k, "from", u.a.from);
		k->kv_int(k, "n", u.a.n);
		k->kv_int(k, "leader_log", u.a.leader_len);
		k->begin(k, "entries", true);
		for (int i = 0; i < u.a.n; i++) {
			char e[48];
			snprintf(e, sizeof e, "%u:%s=%d", (unsigned)u.a.e[i].idx,
				 u.a.e[i].key < RL_KEYS ? rl_key_names[u.a.e[i].key] : "?",
				 (int)u.a.e[i].val);
			k->kv_str(k, NULL, e);
		}
		k->end(k);
		break;
	case RL_MSG_SNAPSHOT:
		if (n < sizeof u.sn)
			return;
		k->kv_int(k, "epoch", u.sn.epoch);
		k->kv_int(k, "log", u.sn.len);
		rl_encode_cell(k, "x", u.sn.kv[0]);
		rl_encode_cell(k, "y", u.sn.kv[1]);
		break;
	case RL_MSG_ACK:
		if (n < sizeof u.ak)
			return;
		k->kv_int(k, "epoch", u.ak.epoch);
		k->kv_int(k, "log", u.ak.len);
		if (u.ak.need_snap)
			k->kv_bool(k, "need_snapshot", true);
		break;
	default:
		break;
	}
}

static const char *const rl_role_values[] = {"leader", "follower", NULL};
static const st_role_style rl_roles[] = {
	{"leader", ST_STYLE_STRONG}, {"follower", ST_STYLE_QUIET}, {NULL, 0},
};
static const st_state_field rl_node_fields[] = {
	{"role", ST_F_ENUM, rl_role_values},
	{"epoch", ST_F_UINT, NULL},
	{"log", ST_F_UINT, NULL},
	{"lag", ST_F_STR, NULL},
	{"x", ST_F_STR, NULL},
	{"y", ST_F_STR, NULL},
};
static const st_state_field rl_client_fields[] = {
	{"acked", ST_F_UINT, NULL},
	{"stale", ST_F_UINT, NULL},
};

const st_protocol replag_protocol = {
	.name = "replag",
	.version = "1",
	.summary = "Leader-follower replication, sync or async: replication lag and failover",
	.state_size = sizeof(rl_state),
	.max_msg_size = sizeof(rl_append_m),
	.msg_types = rl_msg_names, .n_msg_types = RL_MSG__COUNT,
	.timer_names = rl_timer_names, .n_timers = RL_T__COUNT,
	.params = rl_params, .n_params = RL_P__COUNT,
	.role_key = "role",
	.role_styles = rl_roles,
	.epoch_key = "epoch",
	.init = rl_init,
	.on_message = rl_on_message,
	.on_timer = rl_on_timer,
	.on_client = rl_on_client,
	.on_restart = rl_on_restart,
	.describe = rl_describe,
	.encode = rl_encode,
	.check_size = sizeof(rl_checker),
	.check = rl_check,
	.trace_check_new = rl_trace_check_new,
	.trace_check = rl_trace_check,
	.trace_check_end = rl_trace_check_end,
	.trace_check_free = rl_trace_check_free,
	.trace_check_summary = rl_trace_check_summary,
	.node_fields = rl_node_fields, .n_node_fields = 6,
	.client_fields = rl_client_fields, .n_client_fields = 2,
	.msg_classes = rl_msg_classes, .n_msg_classes = RL_MSG_CLASSES,
	.msg_class = rl_msg_class,
	.picture = rl_picture,
};
