/* raft.c: Raft consensus as a pure state machine.
 *
 * This is Figure 2 of the Raft paper (Ongaro and Ousterhout, "In Search of an Understandable
 * Consensus Algorithm"), written the way etcd's raft library is: it only reacts to a start, a
 * message, a timer, a client operation or a restart, and acts through the context (send, set
 * a timer, label the event, record an apply). It exists so the simulator can show, step by
 * step, how a leader is elected, how a log is replicated and committed, and what goes wrong
 * without Raft's rules (the "commit-old-term" bug of the paper's Figure 8).
 *
 * Processes 0..nnodes-1 are Raft nodes; the rest are clients that submit commands and retry.
 * Deliberate choices, each a why:
 * - No no-op entry on election (the paper's section 8 suggestion): Figure 2 has none, and
 *   without it the Figure 8 scenario plays out exactly as drawn in the paper.
 * - A client retries a command that got no answer, so one command may be appended (and
 *   applied) twice: Raft alone gives at-most-once only with client sessions, which we leave
 *   out to keep the log readable. The client ignores every answer but the first.
 * - The leader answers a client when it applies the client's entry; any leader may do so, so
 *   a retried command committed by a later leader is answered too. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../base/hash.h"
#include "../base/names.h"
#include "raft.h"

/* ---------------------------------------------------------------------------------------- */
/* Tables                                                                                     */

static const char *const raft_msg_names[RAFT_MSG__COUNT] = {
	[RAFT_MSG_REQUEST_VOTE] = "RequestVote",
	[RAFT_MSG_VOTE_REPLY] = "VoteReply",
	[RAFT_MSG_APPEND] = "AppendEntries",
	[RAFT_MSG_APPEND_REPLY] = "AppendReply",
	[RAFT_MSG_CLIENT_REQUEST] = "ClientRequest",
	[RAFT_MSG_CLIENT_REPLY] = "ClientReply",
};

static const char *const raft_timer_names[RAFT_T__COUNT] = {
	[RAFT_T_ELECTION] = "election timeout",
	[RAFT_T_HEARTBEAT] = "heartbeat",
	[RAFT_T_CLIENT] = "client timeout",
};

static const char *const raft_role_names[] = {
	[RAFT_FOLLOWER] = "follower", [RAFT_CANDIDATE] = "candidate", [RAFT_LEADER] = "leader",
};

static const char *const raft_reply_names[] = {
	[RAFT_REPLY_OK] = "ok", [RAFT_REPLY_REDIRECT] = "redirect", [RAFT_REPLY_FULL] = "full",
};

static const char *const raft_bug_names[] = {"none", "commit-old-term", NULL};

static const st_param_spec raft_params[RAFT_P__COUNT] = {
	[RAFT_P_ELECTION] = {"election_timeout_ms", ST_P_RANGE, 1, 600000, 150, 300, NULL,
			     "a follower that hears from no leader for a random time in this "
			     "range starts an election"},
	[RAFT_P_HEARTBEAT] = {"heartbeat_ms", ST_P_INT, 1, 600000, 50, 50, NULL,
			      "how often a leader sends AppendEntries when it has nothing new"},
	[RAFT_P_CLIENT_TIMEOUT] = {"client_timeout_ms", ST_P_INT, 1, 3600000, 1000, 1000, NULL,
				   "a client that gets no answer for this long asks the next node"},
	[RAFT_P_CLIENT_ATTEMPTS] = {"client_attempts", ST_P_INT, 1, 1000, 8, 8, NULL,
				    "requests per operation before the client gives up (info)"},
	[RAFT_P_MAX_BATCH] = {"max_batch", ST_P_INT, 1, RAFT_BATCH_MAX, 8, 8, NULL,
			      "log entries per AppendEntries"},
	[RAFT_P_BUG] = {"bug", ST_P_ENUM, 0, 0, 0, 0, raft_bug_names,
			"inject a bug: commit-old-term counts replicas of earlier terms' entries "
			"(the Raft paper's Figure 8)"},
};

/* Label priorities: a handler may meet several labelled moments (a higher term, an append, a
 * commit); the timeline shows the one that matters most. */
enum {
	RAFT_LP_MINOR = 1,      /* a follower learns a commit index */
	RAFT_LP_APPEND = 2,     /* append, redirect, client retries */
	RAFT_LP_DECIDE = 3,     /* a vote given or refused, an append refused, a truncation */
	RAFT_LP_STEP = 4,       /* stepping down */
	RAFT_LP_KEY = 5,        /* became candidate / leader, a leader commits */
};

/* ---------------------------------------------------------------------------------------- */
/* Small helpers                                                                              */


/* A label at this priority (the simulator keeps the one that matters most) and its note,
 * written only when the label stands (label.c). */
#define raft_label(c, prio, flags, ...) st_labelf((c), (flags) | ST_LABEL_PRIO(prio), __VA_ARGS__)
#define raft_note st_notef

/* Process names as the trace names them: n1.. for nodes, c1.. for clients. */
typedef st_pname raft_name;
static raft_name raft_pname(const st_ctx *c, int p)
{
	raft_name n = st_pname_of(p, c->nnodes, c->nprocs);
	if (p < 0)
		snprintf(n.s, sizeof n.s, "none");
	return n;
}

static int raft_majority(const st_ctx *c) { return c->nnodes / 2 + 1; }

static int raft_popcount(uint32_t x)
{
	int k = 0;
	for (; x; x &= x - 1)
		k++;
	return k;
}

static uint32_t raft_last_term(const raft_node *n) { return n->log[n->log_len].term; }

/* The length of an op name, which fills its array when it is 15 characters long (strnlen is
 * POSIX, not C11). */
static size_t raft_flen(const char *f)
{
	size_t n = 0;
	while (n < ST_NAME_MAX && f[n])
		n++;
	return n;
}

/* The one hash over the fields one at a time (never over padding), so equal entries hash
 * equal; chained through prev, so equal hashes mean equal logs up to there. */
uint64_t raft_entry_hash(uint64_t prev, uint32_t term, const raft_cmd *cmd)
{
	uint64_t h = ST_HASH_INIT ^ prev;
	h = st_hash_add(h, &prev, sizeof prev);
	h = st_hash_add(h, &term, sizeof term);
	h = st_hash_add(h, &cmd->client, sizeof cmd->client);
	h = st_hash_add(h, &cmd->has_value, sizeof cmd->has_value);
	h = st_hash_add(h, &cmd->value, sizeof cmd->value);
	h = st_hash_add(h, &cmd->invoke, sizeof cmd->invoke);
	h = st_hash_add(h, cmd->f, raft_flen(cmd->f));
	return h;
}

void raft_cmd_str(const raft_cmd *cmd, char *buf, size_t n)
{
	int fl = (int)raft_flen(cmd->f);
	if (cmd->has_value)
		snprintf(buf, n, "c%d:%.*s %lld", cmd->client + 1, fl, cmd->f,
			 (long long)cmd->value);
	else
		snprintf(buf, n, "c%d:%.*s", cmd->client + 1, fl, cmd->f);
}

static void raft_cfg_load(raft_cfg *cfg, const st_param_val *p)
{
	st_param_val def[RAFT_P__COUNT];
	if (!p) {       /* no scenario (a unit test, a tool): the table's defaults */
		for (int i = 0; i < RAFT_P__COUNT; i++) {
			def[i].lo = raft_params[i].def_lo;
			def[i].hi = raft_params[i].def_hi;
		}
		p = def;
	}
	memset(cfg, 0, sizeof *cfg);
	cfg->election_lo_us = p[RAFT_P_ELECTION].lo * 1000;
	cfg->election_hi_us = p[RAFT_P_ELECTION].hi * 1000;
	cfg->heartbeat_us = p[RAFT_P_HEARTBEAT].lo * 1000;
	cfg->client_timeout_us = p[RAFT_P_CLIENT_TIMEOUT].lo * 1000;
	cfg->client_attempts = (int32_t)p[RAFT_P_CLIENT_ATTEMPTS].lo;
	cfg->max_batch = (int32_t)p[RAFT_P_MAX_BATCH].lo;
	if (cfg->max_batch < 1)
		cfg->max_batch = 1;
	if (cfg->max_batch > RAFT_BATCH_MAX)
		cfg->max_batch = RAFT_BATCH_MAX;
	cfg->bug = (int32_t)p[RAFT_P_BUG].lo;
}

/* A fresh random election timeout: the randomness is what breaks split votes. */
static void raft_reset_election(st_ctx *c, raft_state *s)
{
	st_set_timer(c, RAFT_T_ELECTION,
		     st_random_range(c, s->cfg.election_lo_us, s->cfg.election_hi_us));
}

/* ---------------------------------------------------------------------------------------- */
/* Nodes: terms and elections                                                                 */

static void raft_send_append(st_ctx *c, raft_state *s, int peer);
static void raft_broadcast_append(st_ctx *c, raft_state *s);

/* Figure 2, "all servers": a message with a higher term moves this node to that term as a
 * follower. A leader or a candidate of an old term steps down at once. */
static bool raft_observe_term(st_ctx *c, raft_state *s, uint32_t term)
{
	raft_node *n = &s->n;
	if (term <= n->term)
		return false;
	uint32_t old = n->term;
	n->term = term;
	n->voted_for = -1;
	n->leader = -1;
	if (n->role == RAFT_FOLLOWER)
		return false;
	bool was_leader = n->role == RAFT_LEADER;
	n->role = RAFT_FOLLOWER;
	if (was_leader) {
		/* a leader runs no election timer: start one, it now waits for a leader */
		st_cancel_timer(c, RAFT_T_HEARTBEAT);
		raft_reset_election(c, s);
	}
	/* a deposed leader is the news; a candidate's vote that follows matters more */
	if (raft_label(c, was_leader ? RAFT_LP_STEP : RAFT_LP_APPEND, 0, "step down"))
		raft_note(c, "%s sees term %u, newer than its term %u: a %s of an older term "
			  "becomes a follower at once.", raft_pname(c, c->self).s,
			  (unsigned)term, (unsigned)old, was_leader ? "leader" : "candidate");
	return was_leader;
}

static void raft_become_leader(st_ctx *c, raft_state *s)
{
	raft_node *n = &s->n;
	n->role = RAFT_LEADER;
	n->leader = c->self;
	for (int p = 0; p < c->nnodes; p++) {
		n->next[p] = n->log_len + 1;    /* optimistic: back up on a refusal */
		n->match[p] = 0;
	}
	n->match[c->self] = n->log_len;
	st_cancel_timer(c, RAFT_T_ELECTION);
	if (raft_label(c, RAFT_LP_KEY, ST_LABEL_MILESTONE, "became leader"))
		raft_note(c, "%s holds votes from %d of %d nodes in term %u, a majority. Two "
			  "majorities always share a node and a node votes once per term, so no "
			  "one else can lead term %u.", raft_pname(c, c->self).s,
			  raft_popcount(n->votes), c->nnodes, (unsigned)n->term,
			  (unsigned)n->term);
	raft_broadcast_append(c, s);    /* the first heartbeat claims the term */
	st_set_timer(c, RAFT_T_HEARTBEAT, s->cfg.heartbeat_us);
}

static void raft_start_election(st_ctx *c, raft_state *s)
{
	raft_node *n = &s->n;
	n->term++;
	n->role = RAFT_CANDIDATE;
	n->voted_for = c->self;
	n->votes = 1u << c->self;
	n->leader = -1;
	raft_reset_election(c, s);      /* a split vote times out and tries again */
	if (raft_label(c, RAFT_LP_KEY, 0, "became candidate"))
		raft_note(c, "%s heard from no leader within its election timeout, so it starts "
			  "term %u, votes for itself and asks every other node for its vote.",
			  raft_pname(c, c->self).s, (unsigned)n->term);
	raft_vote_req m;
	memset(&m, 0, sizeof m);
	m.term = n->term;
	m.candidate = c->self;
	m.last_log_index = n->log_len;
	m.last_log_term = raft_last_term(n);
	for (int p = 0; p < c->nnodes; p++)
		if (p != c->self)
			st_send(c, p, RAFT_MSG_REQUEST_VOTE, &m, sizeof m);
	if (raft_popcount(n->votes) >= raft_majority(c))       /* a one-node cluster */
		raft_become_leader(c, s);
}

static void raft_on_request_vote(st_ctx *c, raft_state *s, int from, const void *body)
{
	raft_vote_req m;
	memcpy(&m, body, sizeof m);
	raft_node *n = &s->n;
	raft_observe_term(c, s, m.term);
	raft_vote_reply r;
	memset(&r, 0, sizeof r);
	r.term = n->term;
	raft_name me = raft_pname(c, c->self);  /* a named copy: .s of a temporary dies with it */
	raft_name cand = raft_pname(c, from);
	uint32_t my_term = raft_last_term(n);
	/* Section 5.4.1: vote only for a log at least as up-to-date as ours, compared by last
	 * term, then by length. This is what keeps committed entries in every future leader. */
	bool up_to_date = m.last_log_term > my_term ||
			  (m.last_log_term == my_term && m.last_log_index >= n->log_len);
	if (m.term < n->term) {
		if (raft_label(c, RAFT_LP_DECIDE, 0, "reject vote"))
			raft_note(c, "%s asks for a vote in term %u, but %s is already in term "
				  "%u: a candidate of an old term gets no vote.", cand.s,
				  (unsigned)m.term, me.s, (unsigned)n->term);
	} else if (n->voted_for != -1 && n->voted_for != from) {
		if (raft_label(c, RAFT_LP_DECIDE, 0, "reject vote"))
			raft_note(c, "%s already voted for %s in term %u. One vote per node per "
				  "term is what makes two leaders of one term impossible.", me.s,
				  raft_pname(c, n->voted_for).s, (unsigned)n->term);
	} else if (!up_to_date) {
		if (raft_label(c, RAFT_LP_DECIDE, 0, "reject vote")) {
			if (m.last_log_term != my_term)
				raft_note(c, "%s's log is more up-to-date than %s's: last term %u > "
					  "%u. A leader must hold every committed entry, so it "
					  "refuses.", me.s, cand.s, (unsigned)my_term,
					  (unsigned)m.last_log_term);
			else
				raft_note(c, "%s's log is more up-to-date than %s's: same last "
					  "term %u but %u entries > %u. A leader must hold every "
					  "committed entry, so it refuses.", me.s, cand.s,
					  (unsigned)my_term, (unsigned)n->log_len,
					  (unsigned)m.last_log_index);
		}
	} else {
		n->voted_for = from;
		r.granted = 1;
		raft_reset_election(c, s);      /* give the candidate time to win */
		if (raft_label(c, RAFT_LP_DECIDE, 0, "vote for %s", cand.s))
			raft_note(c, "%s's log is at least as up-to-date as %s's (last term %u, "
				  "%u entries) and %s has not voted for anyone else in term %u.",
				  cand.s, me.s, (unsigned)m.last_log_term,
				  (unsigned)m.last_log_index, me.s, (unsigned)n->term);
	}
	st_send(c, from, RAFT_MSG_VOTE_REPLY, &r, sizeof r);
}

static void raft_on_vote_reply(st_ctx *c, raft_state *s, int from, const void *body)
{
	raft_vote_reply m;
	memcpy(&m, body, sizeof m);
	raft_node *n = &s->n;
	raft_observe_term(c, s, m.term);
	if (n->role != RAFT_CANDIDATE || m.term != n->term || !m.granted)
		return;         /* late, stale or a refusal */
	n->votes |= 1u << from;
	if (raft_popcount(n->votes) >= raft_majority(c))
		raft_become_leader(c, s);
}

/* ---------------------------------------------------------------------------------------- */
/* Nodes: replication, commit, apply                                                          */

static void raft_send_append(st_ctx *c, raft_state *s, int peer)
{
	raft_node *n = &s->n;
	raft_append m;
	uint32_t next = n->next[peer];
	if (next < 1)
		next = 1;
	if (next > n->log_len + 1)
		next = n->log_len + 1;
	uint32_t prev = next - 1;
	uint32_t cnt = n->log_len - prev;
	if (cnt > (uint32_t)s->cfg.max_batch)
		cnt = (uint32_t)s->cfg.max_batch;
	size_t len = offsetof(raft_append, e) + cnt * sizeof(raft_wire_entry);
	memset(&m, 0, len);
	m.term = n->term;
	m.leader = c->self;
	m.prev_index = prev;
	m.prev_term = n->log[prev].term;
	m.leader_commit = n->commit;
	m.n = cnt;
	for (uint32_t k = 0; k < cnt; k++) {
		m.e[k].cmd = n->log[next + k].cmd;
		m.e[k].term = n->log[next + k].term;
	}
	st_send(c, peer, RAFT_MSG_APPEND, &m, len);
}

static void raft_broadcast_append(st_ctx *c, raft_state *s)
{
	for (int p = 0; p < c->nnodes; p++)
		if (p != c->self)
			raft_send_append(c, s, p);
}

/* Apply every committed entry not applied yet, in order. A leader answers the entry's client;
 * a client that is no longer waiting for it ignores the answer. */
static void raft_apply(st_ctx *c, raft_state *s)
{
	raft_node *n = &s->n;
	while (n->applied < n->commit) {
		uint32_t i = ++n->applied;
		const raft_entry *e = &n->log[i];
		char cmd[RAFT_CMD_STR];
		raft_cmd_str(&e->cmd, cmd, sizeof cmd);
		st_kv body[3] = {
			{.key = "index", .type = ST_V_INT, .i = i},
			{.key = "term", .type = ST_V_INT, .i = e->term},
			{.key = "cmd", .type = ST_V_STR, .s = cmd},
		};
		st_local(c, "apply", NULL, body, 3, 0);
		if (n->role == RAFT_LEADER && e->cmd.client < c->nclients) {
			raft_client_reply r;
			memset(&r, 0, sizeof r);
			r.invoke = e->cmd.invoke;
			r.status = RAFT_REPLY_OK;
			r.leader = c->self;
			r.index = i;
			st_send(c, c->nnodes + e->cmd.client, RAFT_MSG_CLIENT_REPLY, &r, sizeof r);
		}
	}
}

/* Figure 2, leaders: commit the highest N stored on a majority (matchIndex) whose entry is
 * from the current term; the entries before it are then committed too. Section 5.4.2 and
 * Figure 8 explain why counting replicas of an earlier term's entry is not enough: the
 * "commit-old-term" bug does exactly that. */
static void raft_advance_commit(st_ctx *c, raft_state *s)
{
	raft_node *n = &s->n;
	bool bug = s->cfg.bug == RAFT_BUG_COMMIT_OLD_TERM;
	n->match[c->self] = n->log_len;
	for (uint32_t N = n->log_len; N > n->commit; N--) {
		/* terms only grow along a log: below the first old-term entry all are old */
		if (!bug && n->log[N].term != n->term)
			break;
		int count = 0;
		for (int p = 0; p < c->nnodes; p++)
			if (n->match[p] >= N)
				count++;
		if (count < raft_majority(c))
			continue;
		uint32_t old = n->commit;
		n->commit = N;
		if (raft_label(c, RAFT_LP_KEY, ST_LABEL_MILESTONE, "commit %u", (unsigned)N)) {
			if (n->log[N].term != n->term)
				raft_note(c, "bug commit-old-term: entry %u is from term %u, not %s's "
					  "term %u, yet it is committed because %d of %d nodes store "
					  "it. Figure 8 of the Raft paper shows how a later leader "
					  "can still overwrite it.", (unsigned)N,
					  (unsigned)n->log[N].term, raft_pname(c, c->self).s,
					  (unsigned)n->term, count, c->nnodes);
			else if (n->log[old + 1].term != n->term)
				raft_note(c, "Entry %u of the current term %u is stored on %d of %d "
					  "nodes, a majority: it is committed, and with it the "
					  "earlier-term entries before it (from %u), which a leader "
					  "never commits by counting alone.", (unsigned)N,
					  (unsigned)n->term, count, c->nnodes,
					  (unsigned)old + 1);
			else
				raft_note(c, "Entry %u (term %u) is stored on %d of %d nodes, a "
					  "majority: it is committed, and so is every entry before "
					  "it. Any future leader must hold it.", (unsigned)N,
					  (unsigned)n->term, count, c->nnodes);
		}
		raft_apply(c, s);
		return;
	}
}

static void raft_on_append(st_ctx *c, raft_state *s, int from, const void *body)
{
	/* the body may be shorter than the struct: only n entries travel */
	static const raft_append zero;
	raft_append m = zero;
	raft_node *n = &s->n;
	memcpy(&m, body, offsetof(raft_append, e));
	memcpy(m.e, (const char *)body + offsetof(raft_append, e), m.n * sizeof m.e[0]);
	bool deposed = raft_observe_term(c, s, m.term);

	raft_append_reply r;
	memset(&r, 0, sizeof r);
	r.term = n->term;
	raft_name me = raft_pname(c, c->self);
	if (m.term < n->term) {
		/* our reply carries the newer term: that deposes the stale leader */
		if (raft_label(c, RAFT_LP_DECIDE, 0, "reject append"))
			raft_note(c, "%s is in term %u; this AppendEntries is from the leader of "
				  "the older term %u, and the reply tells it to step down.", me.s,
				  (unsigned)n->term, (unsigned)m.term);
		st_send(c, from, RAFT_MSG_APPEND_REPLY, &r, sizeof r);
		return;
	}
	if (n->role == RAFT_LEADER)
		return;         /* two leaders in one term: the checker reports it; do not obey */
	if (n->role == RAFT_CANDIDATE) {
		n->role = RAFT_FOLLOWER;
		if (raft_label(c, RAFT_LP_STEP, 0, "step down"))
			raft_note(c, "%s hears from %s, the leader of its own term %u: it lost "
				  "this election and follows.", me.s, raft_pname(c, from).s,
				  (unsigned)n->term);
	}
	n->leader = from;
	raft_reset_election(c, s);      /* the leader is alive */

	/* Consistency check: our log must hold prev_index with prev_term. */
	if (m.prev_index > n->log_len || n->log[m.prev_index].term != m.prev_term) {
		if (m.prev_index > n->log_len) {
			r.hint = n->log_len + 1;
			if (raft_label(c, RAFT_LP_DECIDE, 0, "reject append"))
				raft_note(c, "%s's log has %u entries, none at index %u where the "
					  "leader's new entries would attach: the leader must back "
					  "up to index %u.", me.s, (unsigned)n->log_len,
					  (unsigned)m.prev_index, (unsigned)r.hint);
		} else {
			/* hint: the first index of our conflicting term, skipping it whole */
			uint32_t ct = n->log[m.prev_index].term, i = m.prev_index;
			while (i > 1 && n->log[i - 1].term == ct)
				i--;
			r.hint = i;
			if (raft_label(c, RAFT_LP_DECIDE, 0, "reject append"))
				raft_note(c, "%s's entry %u has term %u, the leader's has term %u: "
					  "the logs differ there, so the leader backs up to index %u "
					  "and tries again.", me.s, (unsigned)m.prev_index,
					  (unsigned)ct, (unsigned)m.prev_term, (unsigned)r.hint);
		}
		st_send(c, from, RAFT_MSG_APPEND_REPLY, &r, sizeof r);
		return;
	}

	/* Append, truncating only on a real conflict: an entry we already have (same index and
	 * term) is the same entry by log matching, so a late or duplicated AppendEntries never
	 * deletes anything, in particular not entries a newer AppendEntries added after it. */
	uint32_t last = m.prev_index, first_new = 0, truncated = 0;
	for (uint32_t k = 0; k < m.n; k++) {
		uint32_t idx = m.prev_index + 1 + k;
		if (idx > RAFT_LOG_MAX)
			break;
		if (idx <= n->log_len) {
			if (n->log[idx].term == m.e[k].term) {
				last = idx;
				continue;
			}
			n->log_len = idx - 1;
			if (!truncated)
				truncated = idx;
			/* Only a broken protocol (the bug param) deletes a committed entry: keep
			 * commit <= log_len and let the node apply the replacement, so the damage
			 * shows as two different applies at one index. */
			if (n->commit > n->log_len)
				n->commit = n->log_len;
			if (n->applied > n->log_len)
				n->applied = n->log_len;
		}
		raft_entry *e = &n->log[idx];
		memset(e, 0, sizeof *e);
		e->cmd = m.e[k].cmd;
		e->term = m.e[k].term;
		e->hash = raft_entry_hash(n->log[idx - 1].hash, e->term, &e->cmd);
		n->log_len = idx;
		last = idx;
		if (!first_new)
			first_new = idx;
	}
	if (first_new && !truncated) {
		bool won = last > first_new
			   ? raft_label(c, RAFT_LP_APPEND, 0, "append %u-%u", (unsigned)first_new,
					(unsigned)last)
			   : raft_label(c, RAFT_LP_APPEND, 0, "append %u", (unsigned)last);
		if (won)
			raft_note(c, "%s's log matches the leader's up to index %u (term %u), so "
				  "it takes the new entries; a majority of such copies commits "
				  "them.", me.s, (unsigned)m.prev_index, (unsigned)m.prev_term);
	} else if (truncated && deposed) {
		/* the label stays "step down"; say what it cost */
		if (raft_label(c, RAFT_LP_STEP, 0, "step down"))
			raft_note(c, "%s sees term %u, newer than its own: a leader of an older term "
				  "becomes a follower at once. Its entries from index %u on were never "
				  "committed; they are replaced by the new leader's.", me.s,
				  (unsigned)m.term, (unsigned)truncated);
	} else if (truncated) {
		if (raft_label(c, RAFT_LP_DECIDE, 0, "truncate at %u", (unsigned)truncated))
			raft_note(c, "%s's entry %u is from another term than the leader's: a "
				  "conflict. It deletes that entry and all after it (never "
				  "committed, or the leader would hold them) and takes the "
				  "leader's entries up to %u.", me.s, (unsigned)truncated,
				  (unsigned)last);
	}
	/* Learn the commit index, but only up to what this message proved we share with the
	 * leader: entries past `last` may be a stale leader's leftovers. */
	if (m.leader_commit > n->commit) {
		uint32_t nc = m.leader_commit < last ? m.leader_commit : last;
		if (nc > n->commit) {
			n->commit = nc;
			if (raft_label(c, RAFT_LP_MINOR, 0, "commit %u", (unsigned)nc))
				raft_note(c, "The leader has committed up to index %u; %s applies "
					  "its entries up to there, in order.", (unsigned)nc, me.s);
		}
	}
	raft_apply(c, s);
	r.success = 1;
	r.match_index = last;
	st_send(c, from, RAFT_MSG_APPEND_REPLY, &r, sizeof r);
}

static void raft_on_append_reply(st_ctx *c, raft_state *s, int from, const void *body)
{
	raft_append_reply m;
	memcpy(&m, body, sizeof m);
	raft_node *n = &s->n;
	raft_observe_term(c, s, m.term);
	if (n->role != RAFT_LEADER || m.term != n->term)
		return;
	if (m.success) {
		/* replies may arrive late and out of order: matchIndex only grows */
		if (m.match_index > n->match[from] && m.match_index <= n->log_len)
			n->match[from] = m.match_index;
		if (n->next[from] < n->match[from] + 1)
			n->next[from] = n->match[from] + 1;
		raft_advance_commit(c, s);
		if (n->next[from] <= n->log_len)
			raft_send_append(c, s, from);   /* catch it up without waiting */
		return;
	}
	/* Back up nextIndex: to the follower's hint when it helps, else by one; never below
	 * what it is known to match. Then retry at once. */
	uint32_t nx = n->next[from];
	nx = (m.hint >= 1 && m.hint < nx) ? m.hint : (nx > 1 ? nx - 1 : 1);
	if (nx < n->match[from] + 1)
		nx = n->match[from] + 1;
	n->next[from] = nx;
	raft_send_append(c, s, from);
}

static void raft_client_reply_send(st_ctx *c, int to, uint32_t invoke, int status, int leader)
{
	raft_client_reply r;
	memset(&r, 0, sizeof r);
	r.invoke = invoke;
	r.status = (uint8_t)status;
	r.leader = leader;
	st_send(c, to, RAFT_MSG_CLIENT_REPLY, &r, sizeof r);
}

static void raft_on_client_request(st_ctx *c, raft_state *s, int from, const void *body)
{
	raft_client_req m;
	memcpy(&m, body, sizeof m);
	raft_node *n = &s->n;
	raft_name me = raft_pname(c, c->self);
	if (from < c->nnodes)
		return;         /* only clients submit commands */
	if (n->role != RAFT_LEADER) {
		raft_client_reply_send(c, from, m.cmd.invoke, RAFT_REPLY_REDIRECT, n->leader);
		if (raft_label(c, RAFT_LP_APPEND, 0, "redirect")) {
			if (n->leader >= 0)
				raft_note(c, "%s is not the leader; only the leader appends to the "
					  "log. It sends the client to %s, the leader of term %u as "
					  "far as it knows.", me.s, raft_pname(c, n->leader).s,
					  (unsigned)n->term);
			else
				raft_note(c, "%s is not the leader and knows of none in term %u "
					  "(an election may be going on): the client must try "
					  "again.", me.s, (unsigned)n->term);
		}
		return;
	}
	if (n->log_len >= RAFT_LOG_MAX) {
		raft_client_reply_send(c, from, m.cmd.invoke, RAFT_REPLY_FULL, c->self);
		if (raft_label(c, RAFT_LP_APPEND, 0, "log full"))
			raft_note(c, "%s's log holds %d entries, its capacity: it refuses the "
				  "command.", me.s, RAFT_LOG_MAX);
		return;
	}
	uint32_t idx = ++n->log_len;
	raft_entry *e = &n->log[idx];
	memset(e, 0, sizeof *e);
	e->cmd = m.cmd;
	e->cmd.client = (uint8_t)(from - c->nnodes);
	e->cmd.f[ST_NAME_MAX - 1] = '\0';
	e->term = n->term;
	e->hash = raft_entry_hash(n->log[idx - 1].hash, e->term, &e->cmd);
	if (raft_label(c, RAFT_LP_APPEND, 0, "append %u", (unsigned)idx))
		raft_note(c, "%s leads term %u: it appends the command at index %u and sends "
			  "it to every follower. It answers the client once a majority stores "
			  "it and it is committed.", me.s, (unsigned)n->term, (unsigned)idx);
	raft_broadcast_append(c, s);
	raft_advance_commit(c, s);   /* a one-node cluster commits at once */
}

/* ---------------------------------------------------------------------------------------- */
/* Clients                                                                                    */

static void raft_client_finish(st_ctx *c, raft_state *s, st_optype t)
{
	raft_client *cl = &s->c;
	st_cancel_timer(c, RAFT_T_CLIENT);
	cl->busy = false;
	cl->done++;
	st_complete(c, &cl->op, t);
}

/* One attempt: send the command to cl->target, or give up after client_attempts. */
static void raft_client_attempt(st_ctx *c, raft_state *s)
{
	raft_client *cl = &s->c;
	if (cl->attempts >= (uint32_t)s->cfg.client_attempts) {
		/* completing first puts the label on the complete event */
		raft_client_finish(c, s, ST_OP_INFO);
		if (raft_label(c, RAFT_LP_APPEND, 0, "give up"))
			raft_note(c, "%s sent the command %u times without an answer. It may or "
				  "may not be in the log, so the outcome is unknown: info.",
				  raft_pname(c, c->self).s, (unsigned)cl->attempts);
		return;
	}
	cl->attempts++;
	raft_client_req m;
	memset(&m, 0, sizeof m);
	m.cmd.value = cl->op.value;
	m.cmd.has_value = cl->op.has_value;
	m.cmd.invoke = cl->op.invoke;
	m.cmd.client = (uint8_t)(c->self - c->nnodes);
	memcpy(m.cmd.f, cl->op.f, sizeof m.cmd.f);
	m.cmd.f[ST_NAME_MAX - 1] = '\0';
	st_send(c, cl->target, RAFT_MSG_CLIENT_REQUEST, &m, sizeof m);
	st_set_timer(c, RAFT_T_CLIENT, s->cfg.client_timeout_us);
}

static void raft_on_client_reply(st_ctx *c, raft_state *s, int from, const void *body)
{
	raft_client_reply m;
	memcpy(&m, body, sizeof m);
	raft_client *cl = &s->c;
	if (!cl->busy || m.invoke != cl->op.invoke)
		return;         /* an answer to an op already completed: stale */
	if (m.status == RAFT_REPLY_OK) {
		cl->leader = from;
		raft_client_finish(c, s, ST_OP_OK);
		return;
	}
	if (m.status == RAFT_REPLY_FULL) {
		cl->leader = from;
		raft_client_finish(c, s, ST_OP_FAIL);   /* a definite refusal: nothing appended */
		return;
	}
	if (from != cl->target)
		return;         /* a redirect from an earlier attempt */
	if (m.leader >= 0 && m.leader < c->nnodes && m.leader != from) {
		cl->leader = m.leader;
		cl->target = m.leader;
		if (raft_label(c, RAFT_LP_APPEND, 0, "try %s", raft_pname(c, m.leader).s))
			raft_note(c, "%s is not the leader and points to %s: the client asks "
				  "there.", raft_pname(c, from).s, raft_pname(c, m.leader).s);
		raft_client_attempt(c, s);
		return;
	}
	/* No leader known (an election is on): wait a short election timeout, then ask the
	 * next node (the timer moves target on). */
	cl->leader = -1;
	if (cl->attempts >= (uint32_t)s->cfg.client_attempts) {
		raft_client_attempt(c, s);   /* gives up */
		return;
	}
	st_set_timer(c, RAFT_T_CLIENT, s->cfg.election_lo_us);
	if (raft_label(c, RAFT_LP_APPEND, 0, "no leader"))
		raft_note(c, "%s knows no leader; the client waits an election timeout and "
			  "tries the next node.", raft_pname(c, from).s);
}

/* ---------------------------------------------------------------------------------------- */
/* The protocol's entry points                                                                */

static void raft_init(st_ctx *c, void *state, const st_param_val *params)
{
	raft_state *s = state;
	memset(s, 0, sizeof *s);
	raft_cfg_load(&s->cfg, params);
	if (c->role == ST_ROLE_NODE) {
		s->n.voted_for = -1;
		s->n.leader = -1;
		s->n.role = RAFT_FOLLOWER;
		raft_reset_election(c, s);
	} else {
		/* spread clients over nodes for their first guess, deterministically */
		s->c.leader = c->nnodes > 0 ? (c->self - c->nnodes) % c->nnodes : -1;
		s->c.target = s->c.leader;
	}
}

typedef void (*raft_handler)(st_ctx *c, raft_state *s, int from, const void *body);
/* Who handles which message, and the body size it needs at least. */
static const struct {
	raft_handler fn;
	st_role role;
	size_t min_len;
} raft_handlers[RAFT_MSG__COUNT] = {
	[RAFT_MSG_REQUEST_VOTE] = {raft_on_request_vote, ST_ROLE_NODE, sizeof(raft_vote_req)},
	[RAFT_MSG_VOTE_REPLY] = {raft_on_vote_reply, ST_ROLE_NODE, sizeof(raft_vote_reply)},
	[RAFT_MSG_APPEND] = {raft_on_append, ST_ROLE_NODE, offsetof(raft_append, e)},
	[RAFT_MSG_APPEND_REPLY] = {raft_on_append_reply, ST_ROLE_NODE, sizeof(raft_append_reply)},
	[RAFT_MSG_CLIENT_REQUEST] = {raft_on_client_request, ST_ROLE_NODE,
				     sizeof(raft_client_req)},
	[RAFT_MSG_CLIENT_REPLY] = {raft_on_client_reply, ST_ROLE_CLIENT,
				   sizeof(raft_client_reply)},
};

/* The body the simulator hands over may sit at any alignment: handlers copy it out. This
 * also checks that an AppendEntries carries the entries it announces. */
static bool raft_body_ok(int type, const void *body, size_t len)
{
	if (type < 0 || type >= RAFT_MSG__COUNT || !body || len < raft_handlers[type].min_len)
		return false;
	if (type == RAFT_MSG_APPEND) {
		uint32_t cnt;
		memcpy(&cnt, (const char *)body + offsetof(raft_append, n), sizeof cnt);
		if (cnt > RAFT_BATCH_MAX || len < offsetof(raft_append, e) + cnt *
		    sizeof(raft_wire_entry))
			return false;
	}
	return true;
}

static void raft_on_message(st_ctx *c, void *state, const st_msg *msg)
{
	if (!raft_body_ok(msg->type, msg->body, msg->len))
		return;
	if (raft_handlers[msg->type].role != c->role || msg->from < 0 || msg->from >= c->nprocs)
		return;
	if (c->role == ST_ROLE_NODE && msg->type != RAFT_MSG_CLIENT_REQUEST &&
	    msg->from >= c->nnodes)
		return;
	raft_handlers[msg->type].fn(c, state, msg->from, msg->body);
}

static void raft_on_timer(st_ctx *c, void *state, int timer)
{
	raft_state *s = state;
	if (c->role == ST_ROLE_NODE) {
		if (timer == RAFT_T_ELECTION && s->n.role != RAFT_LEADER) {
			raft_start_election(c, s);
		} else if (timer == RAFT_T_HEARTBEAT && s->n.role == RAFT_LEADER) {
			raft_broadcast_append(c, s);
			st_set_timer(c, RAFT_T_HEARTBEAT, s->cfg.heartbeat_us);
		}
	} else if (timer == RAFT_T_CLIENT && s->c.busy && c->nnodes > 0) {
		raft_client *cl = &s->c;
		int was = cl->target;
		cl->target = (cl->target + 1) % c->nnodes;
		if (cl->attempts < (uint32_t)s->cfg.client_attempts &&
		    raft_label(c, RAFT_LP_APPEND, 0, "retry %s", raft_pname(c, cl->target).s))
			raft_note(c, "No answer from %s in time; the client asks the next "
				  "node. A retried command may end up in the log twice.",
				  raft_pname(c, was).s);
		raft_client_attempt(c, s);
	}
}

static void raft_on_client(st_ctx *c, void *state, const st_op *op)
{
	raft_state *s = state;
	raft_client *cl = &s->c;
	if (c->role != ST_ROLE_CLIENT || c->nnodes <= 0)
		return;
	if (cl->busy)           /* the simulator runs one op at a time; be safe anyway */
		raft_client_finish(c, s, ST_OP_INFO);
	cl->op = *op;
	cl->busy = true;
	cl->attempts = 0;
	if (op->node >= 0 && op->node < c->nnodes)
		cl->target = op->node;
	else
		cl->target = cl->leader >= 0 ? cl->leader : 0;
	raft_client_attempt(c, s);
}

static void raft_on_restart(st_ctx *c, void *state, const st_param_val *params)
{
	raft_state *s = state;
	raft_cfg_load(&s->cfg, params);
	if (c->role == ST_ROLE_NODE) {
		/* term, voted_for and the log are persistent; the rest is rebuilt: the node
		 * learns the commit index again and re-applies from index 1. */
		raft_node *n = &s->n;
		n->role = RAFT_FOLLOWER;
		n->leader = -1;
		n->commit = 0;
		n->applied = 0;
		n->votes = 0;
		memset(n->next, 0, sizeof n->next);
		memset(n->match, 0, sizeof n->match);
		st_cancel_timer(c, RAFT_T_HEARTBEAT);
		raft_reset_election(c, s);
	} else {
		s->c.busy = false;
		s->c.attempts = 0;
		st_cancel_timer(c, RAFT_T_CLIENT);
	}
}

static void raft_describe(const void *state, st_role role, st_sink *k)
{
	const raft_state *s = state;
	if (role == ST_ROLE_NODE) {
		const raft_node *n = &s->n;
		/* most telling first: a narrow nodes pane keeps the first keys */
		k->kv_str(k, "role", raft_role_names[n->role <= RAFT_LEADER ? n->role : 0]);
		k->kv_int(k, "term", n->term);
		k->kv_int(k, "commit", n->commit);
		k->kv_proc(k, "voted_for", n->voted_for);
		k->kv_int(k, "log_len", n->log_len);
		k->kv_int(k, "last_log_term", raft_last_term(n));
		k->kv_proc(k, "leader", n->leader);
	} else {
		const raft_client *cl = &s->c;
		k->kv_int(k, "op", cl->busy && cl->op.has_value ? cl->op.value : -1);
		k->kv_int(k, "done", cl->done);
		k->kv_proc(k, "leader", cl->leader);
		k->kv_int(k, "attempts", cl->attempts);
	}
}

static void raft_encode_cmd(st_sink *k, const char *key, const raft_cmd *cmd)
{
	char buf[RAFT_CMD_STR];
	raft_cmd_str(cmd, buf, sizeof buf);
	k->kv_str(k, key, buf);
}

/* Encoders, one per message type: each copies the body out (any alignment) and writes it
 * with readable keys. */
static void raft_enc_vote_req(const void *body, st_sink *k)
{
	raft_vote_req m;
	memcpy(&m, body, sizeof m);
	k->kv_int(k, "term", m.term);
	k->kv_proc(k, "candidate", m.candidate);
	k->kv_int(k, "last_log_index", m.last_log_index);
	k->kv_int(k, "last_log_term", m.last_log_term);
}

static void raft_enc_vote_reply(const void *body, st_sink *k)
{
	raft_vote_reply m;
	memcpy(&m, body, sizeof m);
	k->kv_int(k, "term", m.term);
	k->kv_bool(k, "granted", m.granted);
}

static void raft_enc_append(const void *body, st_sink *k)
{
	raft_append h;
	memcpy(&h, body, offsetof(raft_append, e));
	k->kv_int(k, "term", h.term);
	k->kv_proc(k, "leader", h.leader);
	k->kv_int(k, "prev_index", h.prev_index);
	k->kv_int(k, "prev_term", h.prev_term);
	k->begin(k, "entries", true);
	for (uint32_t i = 0; i < h.n; i++) {
		raft_wire_entry e;
		memcpy(&e, (const char *)body + offsetof(raft_append, e) + i * sizeof e, sizeof e);
		k->begin(k, NULL, false);
		k->kv_int(k, "term", e.term);
		raft_encode_cmd(k, "cmd", &e.cmd);
		k->end(k);
	}
	k->end(k);
	k->kv_int(k, "leader_commit", h.leader_commit);
}

static void raft_enc_append_reply(const void *body, st_sink *k)
{
	raft_append_reply m;
	memcpy(&m, body, sizeof m);
	k->kv_int(k, "term", m.term);
	k->kv_bool(k, "success", m.success);
	if (m.success)
		k->kv_int(k, "match_index", m.match_index);
	else
		k->kv_int(k, "hint", m.hint);
}

static void raft_enc_client_req(const void *body, st_sink *k)
{
	raft_client_req m;
	memcpy(&m, body, sizeof m);
	raft_encode_cmd(k, "cmd", &m.cmd);
	k->kv_int(k, "invoke", m.cmd.invoke);
}

static void raft_enc_client_reply(const void *body, st_sink *k)
{
	raft_client_reply m;
	memcpy(&m, body, sizeof m);
	k->kv_int(k, "invoke", m.invoke);
	k->kv_str(k, "result", raft_reply_names[m.status <= RAFT_REPLY_FULL ? m.status : 0]);
	if (m.status == RAFT_REPLY_OK)
		k->kv_int(k, "index", m.index);
	else
		k->kv_proc(k, "leader", m.leader);
}

static void (*const raft_encoders[RAFT_MSG__COUNT])(const void *body, st_sink *k) = {
	[RAFT_MSG_REQUEST_VOTE] = raft_enc_vote_req,
	[RAFT_MSG_VOTE_REPLY] = raft_enc_vote_reply,
	[RAFT_MSG_APPEND] = raft_enc_append,
	[RAFT_MSG_APPEND_REPLY] = raft_enc_append_reply,
	[RAFT_MSG_CLIENT_REQUEST] = raft_enc_client_req,
	[RAFT_MSG_CLIENT_REPLY] = raft_enc_client_reply,
};

static void raft_encode(int type, const void *body, size_t len, st_sink *k)
{
	if (raft_body_ok(type, body, len))
		raft_encoders[type](body, k);
}

static const st_role_style raft_role_styles[] = {
	{"leader", ST_STYLE_STRONG}, {"candidate", ST_STYLE_ACTIVE}, {"follower", ST_STYLE_QUIET},
	{NULL, 0},
};

const st_protocol raft_protocol = {
	.name = "raft",
	.version = "1",
	.summary = "Raft: leader election, log replication and commit (Figure 2 of the paper)",
	.state_size = sizeof(raft_state),
	.max_msg_size = sizeof(raft_append),    /* the largest body: a full batch */
	.msg_types = raft_msg_names, .n_msg_types = RAFT_MSG__COUNT,
	.timer_names = raft_timer_names, .n_timers = RAFT_T__COUNT,
	.params = raft_params, .n_params = RAFT_P__COUNT,
	.init = raft_init,
	.on_message = raft_on_message,
	.on_timer = raft_on_timer,
	.on_client = raft_on_client,
	.on_restart = raft_on_restart,
	.describe = raft_describe,
	.role_key = "role", .role_styles = raft_role_styles, .epoch_key = "term",
	.encode = raft_encode,
	.check_size = sizeof(raft_checker),
	.check = raft_check,
	.trace_check_new = raft_trace_check_new,
	.trace_check = raft_trace_check,
	.trace_check_end = raft_trace_check_end,
	.trace_check_free = raft_trace_check_free,
	.trace_check_summary = raft_trace_check_summary,
	.node_fields = raft_state_fields, .n_node_fields = RAFT_STATE_FIELDS,
	.abstract = raft_abstract,
	.live_size = raft_live_size,
	.msg_classes = raft_msg_classes, .n_msg_classes = RAFT_MSG_CLASSES, .msg_class = raft_msg_class,
	.picture = raft_picture,
};
