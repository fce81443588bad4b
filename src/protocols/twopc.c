/* twopc.c: two-phase commit, and why it blocks.
 *
 * The lesson on atomic commit (lecture 7 of Kleppmann's course, DDIA chapters 7 and 9): n1
 * coordinates a stream of transactions over the participants n2..nN. For each it sends
 * Prepare; a participant takes its locks, does its part (the "work" timer) and votes. A yes
 * vote is a promise written to the participant's disk: from then on it may not abort on its
 * own, it is prepared and uncertain, holding its locks, until it hears the outcome. The
 * coordinator decides commit only if every participant voted yes, forces the decision to its
 * persistent decision log (the "log write" timer), and only then sends Commit or Abort. A no,
 * or a vote that does not come in time (a participant crashed before voting), aborts.
 *
 * If the coordinator crashes after the yes votes, the participants can do nothing but wait:
 * any of them may not abort (the coordinator may have logged commit) nor commit (it may have
 * decided abort). They ask n1 again and again ("uncertain" timer) until it restarts, reads its
 * log and tells them: that is the blocking the lesson is about.
 *
 * Deliberate choices, each a why:
 * - Presumed abort: a transaction with no decision record was never decided, so the
 *   recovering coordinator (or one asked about an id it has no record of) aborts it. That is
 *   safe only because a record is kept until every participant acknowledged its decision: the
 *   log has TWOPC_LOG slots, and the coordinator waits ("log full") rather than reuse a slot
 *   someone may still ask about.
 * - A participant prepared for one transaction votes no on the next (its locks are taken):
 *   blocking spreads to the transactions that follow.
 * - A participant that crashes while working (before its vote) aborts on its restart: it
 *   never promised anything. One that crashes prepared is still prepared when it restarts.
 * - The weakened variants are params: bug=unilateral-abort (a prepared participant that
 *   times out aborts on its own: a "no" after a "yes") and bug=no-log (the coordinator sends
 *   its decision before the record is on disk, so a crash in between makes it forget a commit
 *   it announced). The invariants in twopc_check.c catch both. */
#include <stdio.h>
#include <string.h>

#include "../base/names.h"
#include "twopc.h"

/* ---------------------------------------------------------------------------------------- */
/* Tables                                                                                     */

static const char *const twopc_msg_names[TWOPC_MSG__COUNT] = {
	[TWOPC_MSG_PREPARE] = "Prepare", [TWOPC_MSG_VOTE] = "Vote",
	[TWOPC_MSG_COMMIT] = "Commit", [TWOPC_MSG_ABORT] = "Abort",
	[TWOPC_MSG_ACK] = "Ack", [TWOPC_MSG_ASK] = "Ask",
};

static const char *const twopc_timer_names[TWOPC_T__COUNT] = {
	[TWOPC_T_NEXT] = "next txn", [TWOPC_T_VOTES] = "vote timeout",
	[TWOPC_T_LOG] = "log write", [TWOPC_T_RESEND] = "resend",
	[TWOPC_T_WORK] = "work done", [TWOPC_T_ASK] = "uncertain",
};

static const char *const twopc_bug_names[] = {"none", "unilateral-abort", "no-log", NULL};

static const st_param_spec twopc_params[TWOPC_P__COUNT] = {
	[TWOPC_P_NO_PERCENT] = {"no_percent", ST_P_INT, 0, 100, 0, 0, NULL,
				"the chance, in percent, that a participant votes no on a "
				"transaction"},
	[TWOPC_P_NO_TXN] = {"no_txn", ST_P_INT, 0, 1000000, 0, 0, NULL,
			    "a scripted no: in this transaction the last participant votes no "
			    "(0: none)"},
	[TWOPC_P_WORK] = {"work_ms", ST_P_RANGE, 0, 600000, 20, 150, NULL,
			  "how long a participant works on its part of a transaction (locks "
			  "held) before it votes"},
	[TWOPC_P_VOTE_TIMEOUT] = {"vote_timeout_ms", ST_P_INT, 1, 3600000, 400, 400, NULL,
				  "the coordinator aborts a transaction whose votes are not all in "
				  "after this long"},
	[TWOPC_P_ASK] = {"uncertain_ms", ST_P_INT, 1, 3600000, 200, 200, NULL,
			 "a prepared participant with no outcome asks the coordinator again "
			 "every this long (with the bug, it aborts instead)"},
	[TWOPC_P_LOG_WRITE] = {"log_write_ms", ST_P_INT, 0, 600000, 20, 20, NULL,
			       "how long the coordinator's forced write of a decision record "
			       "takes"},
	[TWOPC_P_GAP] = {"gap_ms", ST_P_RANGE, 0, 600000, 100, 300, NULL,
			 "the pause between one transaction's decision and the next's Prepare"},
	[TWOPC_P_RESEND] = {"resend_ms", ST_P_INT, 1, 3600000, 300, 300, NULL,
			    "the coordinator resends a decision not yet acknowledged every this "
			    "long"},
	[TWOPC_P_BUG] = {"bug", ST_P_ENUM, 0, 0, 0, 0, twopc_bug_names,
			 "a deliberate bug: unilateral-abort (a prepared participant that "
			 "times out aborts on its own) or no-log (the coordinator sends its "
			 "decision before writing it to its log)"},
};

static const char *const twopc_pstate_names[] = {
	[TWOPC_S_IDLE] = "idle", [TWOPC_S_WORKING] = "working",
	[TWOPC_S_PREPARED] = "prepared (uncertain)", [TWOPC_S_COMMITTED] = "committed",
	[TWOPC_S_ABORTED] = "aborted",
};

static const char *const twopc_cphase_names[] = {
	[TWOPC_C_IDLE] = "idle", [TWOPC_C_VOTING] = "collecting votes",
	[TWOPC_C_LOGGING] = "writing log", [TWOPC_C_DONE] = "decided",
	[TWOPC_C_FULL] = "log full",
};

static const char *const twopc_vote_names[] = {
	[TWOPC_V_NONE] = "-", [TWOPC_V_YES] = "yes", [TWOPC_V_NO] = "no",
};

static const char *const twopc_outcome_names[] = {
	[TWOPC_NONE] = "none", [TWOPC_COMMIT] = "commit", [TWOPC_ABORT] = "abort",
};

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                    */

static void twopc_cfg_load(twopc_cfg *cfg, const st_param_val *p)
{
	st_param_val def[TWOPC_P__COUNT];
	if (!p) {       /* no scenario (a unit test, a tool): the table's defaults */
		for (int i = 0; i < TWOPC_P__COUNT; i++) {
			def[i].lo = twopc_params[i].def_lo;
			def[i].hi = twopc_params[i].def_hi;
		}
		p = def;
	}
	memset(cfg, 0, sizeof *cfg);
	cfg->no_percent = (int32_t)p[TWOPC_P_NO_PERCENT].lo;
	cfg->no_txn = (uint32_t)p[TWOPC_P_NO_TXN].lo;
	cfg->work_lo_us = p[TWOPC_P_WORK].lo * 1000;
	cfg->work_hi_us = p[TWOPC_P_WORK].hi * 1000;
	cfg->vote_timeout_us = p[TWOPC_P_VOTE_TIMEOUT].lo * 1000;
	cfg->ask_us = p[TWOPC_P_ASK].lo * 1000;
	cfg->log_write_us = p[TWOPC_P_LOG_WRITE].lo * 1000;
	cfg->gap_lo_us = p[TWOPC_P_GAP].lo * 1000;
	cfg->gap_hi_us = p[TWOPC_P_GAP].hi * 1000;
	cfg->resend_us = p[TWOPC_P_RESEND].lo * 1000;
	cfg->bug = (int32_t)p[TWOPC_P_BUG].lo;
}

/* A process's name for a label or a note; valid to the end of the full expression (C11's
 * temporary lifetime of a returned struct with an array member). */
#define twopc_name(c, p) (st_pname_of((p), (c)->nnodes, (c)->nprocs).s)

/* The participants: nodes 1..nnodes-1, as process bits. */
static uint32_t twopc_all(const st_ctx *c)
{
	int n = c->nnodes < 32 ? c->nnodes : 32;
	return (n >= 32 ? 0xffffffffu : ((1u << n) - 1)) & ~1u;
}

static int twopc_popcount(uint32_t m)
{
	int n = 0;
	for (; m; m &= m - 1)
		n++;
	return n;
}

static void twopc_send(st_ctx *c, int to, int type, uint32_t txn, bool yes)
{
	twopc_msg m;
	memset(&m, 0, sizeof m);
	m.txn = txn;
	m.yes = yes;
	st_send(c, to, type, &m, sizeof m);
}

/* A step the checker reads: the process's vote and/or outcome in txn, as a local event. */
static void twopc_record(st_ctx *c, const char *label, const char *note, uint32_t txn,
			 int vote, int outcome, int flags)
{
	st_kv body[3];
	int n = 0;
	body[n++] = (st_kv){.key = "txn", .type = ST_V_INT, .i = txn};
	if (vote != TWOPC_V_NONE)
		body[n++] = (st_kv){.key = "vote", .type = ST_V_STR, .s = twopc_vote_names[vote]};
	if (outcome != TWOPC_NONE)
		body[n++] = (st_kv){.key = "outcome", .type = ST_V_STR,
				    .s = twopc_outcome_names[outcome]};
	st_local(c, label, note, body, n, flags);
}

static twopc_rec *twopc_find(twopc_state *s, uint32_t txn)
{
	twopc_rec *r = &s->log[txn % TWOPC_LOG];
	return r->outcome != TWOPC_NONE && r->txn == txn ? r : NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* The coordinator                                                                            */

static void twopc_next_later(st_ctx *c, twopc_state *s)
{
	st_set_timer(c, TWOPC_T_NEXT, st_random_range(c, s->cfg.gap_lo_us, s->cfg.gap_hi_us));
}

static bool twopc_unacked(const st_ctx *c, const twopc_state *s)
{
	for (int i = 0; i < TWOPC_LOG; i++)
		if (s->log[i].outcome != TWOPC_NONE && s->log[i].acked != twopc_all(c))
			return true;
	return false;
}

/* The decision goes out: the event the checker reads, then Commit or Abort to everyone. */
static void twopc_announce(st_ctx *c, twopc_state *s, bool logged)
{
	uint32_t t = s->last_txn;
	bool commit = s->decided == TWOPC_COMMIT;
	char label[48], note[400];
	snprintf(label, sizeof label, "%s t%u", commit ? "commit" : "abort", (unsigned)t);
	if (logged)
		snprintf(note, sizeof note, "The record \"%s t%u\" is on n1's disk now, so the "
			 "decision survives a crash. Only now does n1 send %s to the participants: "
			 "whatever happens next, n1 will tell the same outcome to anyone who asks.",
			 commit ? "commit" : "abort", (unsigned)t, commit ? "Commit" : "Abort");
	else
		snprintf(note, sizeof note, "n1 sends %s for t%u before its decision record is "
			 "on disk (the no-log bug). If it crashes before the write completes, it "
			 "will not know, when it restarts, that it ever decided.",
			 commit ? "Commit" : "Abort", (unsigned)t);
	if (commit)
		s->commits++;
	else
		s->aborts++;
	twopc_record(c, label, note, t, TWOPC_V_NONE, s->decided, ST_LABEL_MILESTONE);
	for (int p = 1; p < c->nnodes; p++)
		twopc_send(c, p, commit ? TWOPC_MSG_COMMIT : TWOPC_MSG_ABORT, t, false);
}

/* Decide: with the log, force the record first (the log write timer announces it); with
 * the no-log bug, announce at once and write afterwards. */
static void twopc_decide(st_ctx *c, twopc_state *s, int outcome)
{
	st_cancel_timer(c, TWOPC_T_VOTES);
	s->decided = (uint8_t)outcome;
	s->phase = TWOPC_C_LOGGING;
	if (s->cfg.bug == TWOPC_BUG_NO_LOG)
		twopc_announce(c, s, false);
	st_set_timer(c, TWOPC_T_LOG, s->cfg.log_write_us);
}

static void twopc_start_txn(st_ctx *c, twopc_state *s)
{
	if (s->phase == TWOPC_C_VOTING || s->phase == TWOPC_C_LOGGING)
		return;
	uint32_t t = s->last_txn + 1;
	twopc_rec *slot = &s->log[t % TWOPC_LOG];
	char label[48], note[400];
	if (slot->outcome != TWOPC_NONE && slot->acked != twopc_all(c)) {
		s->phase = TWOPC_C_FULL;
		snprintf(label, sizeof label, "log full: keep t%u", (unsigned)slot->txn);
		snprintf(note, sizeof note, "t%u's record would go in the slot of t%u, which not "
			 "every participant has acknowledged: one of them may still ask about it. "
			 "n1 keeps the record and waits.", (unsigned)t, (unsigned)slot->txn);
		st_label(c, label, note, 0);
		twopc_next_later(c, s);
		return;
	}
	s->last_txn = t;
	s->phase = TWOPC_C_VOTING;
	s->decided = TWOPC_NONE;
	s->yes = s->no = 0;
	snprintf(label, sizeof label, "prepare t%u", (unsigned)t);
	snprintf(note, sizeof note, "n1 begins transaction t%u: it asks each participant to "
		 "do its part and vote. It will commit only if all of them vote yes, and waits "
		 "%lld ms for the votes.", (unsigned)t, (long long)(s->cfg.vote_timeout_us / 1000));
	st_label(c, label, note, 0);
	for (int p = 1; p < c->nnodes; p++)
		twopc_send(c, p, TWOPC_MSG_PREPARE, t, false);
	if (twopc_all(c) == 0) {    /* nobody to ask: a one-node run commits at once */
		twopc_decide(c, s, TWOPC_COMMIT);
		return;
	}
	st_set_timer(c, TWOPC_T_VOTES, s->cfg.vote_timeout_us);
}

static void twopc_on_vote(st_ctx *c, twopc_state *s, int from, const twopc_msg *m)
{
	char label[64], note[400];
	if (m->txn != s->last_txn || s->phase != TWOPC_C_VOTING) {
		snprintf(label, sizeof label, "late vote t%u", (unsigned)m->txn);
		st_label(c, label, "A vote for a transaction n1 has already decided (or is "
			 "deciding): it changes nothing.", 0);
		return;
	}
	uint32_t bit = 1u << from;
	if (!m->yes) {
		s->no |= bit;
		snprintf(label, sizeof label, "%s votes no: abort t%u", twopc_name(c, from),
			 (unsigned)m->txn);
		snprintf(note, sizeof note, "One no is enough: t%u cannot commit anywhere. n1 "
			 "decides abort and writes it to its decision log before telling anyone.",
			 (unsigned)m->txn);
		st_label(c, label, note, ST_LABEL_MILESTONE | ST_LABEL_PRIO(2));
		twopc_decide(c, s, TWOPC_ABORT);
		return;
	}
	s->yes |= bit;
	int have = twopc_popcount(s->yes & twopc_all(c)), want = twopc_popcount(twopc_all(c));
	if ((s->yes & twopc_all(c)) == twopc_all(c)) {
		snprintf(label, sizeof label, "all voted yes t%u", (unsigned)m->txn);
		snprintf(note, sizeof note, "All %d participants voted yes: n1 decides commit. "
			 "It writes the decision to its log first (%lld ms); until it sends Commit, "
			 "the participants are prepared and cannot know the outcome.", want,
			 (long long)(s->cfg.log_write_us / 1000));
		st_label(c, label, note, ST_LABEL_MILESTONE | ST_LABEL_PRIO(2));
		twopc_decide(c, s, TWOPC_COMMIT);
		return;
	}
	snprintf(label, sizeof label, "yes from %s (%d/%d)", twopc_name(c, from), have, want);
	st_label(c, label, NULL, ST_LABEL_PRIO(1));
}

static void twopc_on_ack(st_ctx *c, twopc_state *s, int from, const twopc_msg *m)
{
	twopc_rec *r = twopc_find(s, m->txn);
	if (r)
		r->acked |= 1u << from;
	if (!twopc_unacked(c, s))
		st_cancel_timer(c, TWOPC_T_RESEND);
}

static void twopc_on_ask(st_ctx *c, twopc_state *s, int from, const twopc_msg *m)
{
	char label[48];
	twopc_rec *r = twopc_find(s, m->txn);
	if (r) {
		snprintf(label, sizeof label, "tell %s: %s t%u", twopc_name(c, from),
			 twopc_outcome_names[r->outcome], (unsigned)m->txn);
		st_label(c, label, "The decision log has the answer.", 0);
		twopc_send(c, from, r->outcome == TWOPC_COMMIT ? TWOPC_MSG_COMMIT : TWOPC_MSG_ABORT,
			   m->txn, false);
		return;
	}
	if (m->txn == s->last_txn && (s->phase == TWOPC_C_VOTING || s->phase == TWOPC_C_LOGGING)) {
		snprintf(label, sizeof label, "t%u not decided yet", (unsigned)m->txn);
		st_label(c, label, "The decision is not on disk yet: n1 has nothing to tell.", 0);
		return;
	}
	if (m->txn > s->last_txn)
		return;         /* an id n1 never handed out */
	snprintf(label, sizeof label, "no record of t%u: abort", (unsigned)m->txn);
	st_label(c, label, "n1 keeps every decision until all participants acknowledged it, "
		 "so a transaction with no record was never decided: it is aborted (presumed "
		 "abort).", 0);
	twopc_send(c, from, TWOPC_MSG_ABORT, m->txn, false);
}

static void twopc_on_log_written(st_ctx *c, twopc_state *s)
{
	if (s->phase != TWOPC_C_LOGGING)
		return;
	uint32_t t = s->last_txn;
	twopc_rec *r = &s->log[t % TWOPC_LOG];
	memset(r, 0, sizeof *r);
	r->txn = t;
	r->outcome = s->decided;
	r->acked = 0;
	s->phase = TWOPC_C_DONE;
	if (s->cfg.bug == TWOPC_BUG_NO_LOG) {
		char label[48];
		snprintf(label, sizeof label, "logged %s t%u", twopc_outcome_names[s->decided],
			 (unsigned)t);
		st_label(c, label, "The decision record reaches the disk, after the decision "
			 "went out.", 0);
	} else {
		twopc_announce(c, s, true);
	}
	st_set_timer(c, TWOPC_T_RESEND, s->cfg.resend_us);
	twopc_next_later(c, s);
}

static void twopc_on_vote_timeout(st_ctx *c, twopc_state *s)
{
	if (s->phase != TWOPC_C_VOTING)
		return;
	char label[96], missing[48] = "";
	size_t at = 0;
	for (int p = 1; p < c->nnodes && p < 32; p++)
		if (!((s->yes | s->no) >> p & 1u) && at + 5 < sizeof missing)
			at += (size_t)snprintf(missing + at, sizeof missing - at, "%s%s",
					       at ? "," : "", twopc_name(c, p));
	snprintf(label, sizeof label, "no vote from %s: abort t%u", missing,
		 (unsigned)s->last_txn);
	st_label(c, label, "n1 waited long enough. A participant that has not voted may have "
		 "crashed or be cut off; it has promised nothing, so aborting is safe.",
		 ST_LABEL_MILESTONE);
	twopc_decide(c, s, TWOPC_ABORT);
}

static void twopc_on_resend(st_ctx *c, twopc_state *s)
{
	bool any = false;
	for (int i = 0; i < TWOPC_LOG; i++) {
		twopc_rec *r = &s->log[i];
		if (r->outcome == TWOPC_NONE)
			continue;
		for (int p = 1; p < c->nnodes && p < 32; p++) {
			if (r->acked >> p & 1u)
				continue;
			any = true;
			twopc_send(c, p, r->outcome == TWOPC_COMMIT ? TWOPC_MSG_COMMIT : TWOPC_MSG_ABORT,
				   r->txn, false);
		}
	}
	if (any)
		st_set_timer(c, TWOPC_T_RESEND, s->cfg.resend_us);
}

/* The coordinator restarts: its log is all it has. An in-flight transaction without a
 * record was never decided: abort it (through the log like any decision). */
static void twopc_coord_restart(st_ctx *c, twopc_state *s)
{
	uint32_t t = s->last_txn;
	char label[64], note[400];
	s->yes = s->no = 0;
	if (t > 0 && !twopc_find(s, t)) {
		snprintf(label, sizeof label, "recover: t%u undecided, abort", (unsigned)t);
		snprintf(note, sizeof note, "n1 reads its decision log: there is no record for "
			 "t%u, so it never decided it (a commit is only announced once logged). "
			 "Aborting is safe; it logs abort and tells the participants, who have been "
			 "waiting since their yes votes.", (unsigned)t);
		st_label(c, label, note, ST_LABEL_MILESTONE);
		s->decided = TWOPC_NONE;
		s->phase = TWOPC_C_VOTING;
		twopc_decide(c, s, TWOPC_ABORT);
	} else {
		twopc_rec *r = t > 0 ? twopc_find(s, t) : NULL;
		if (r)
			snprintf(label, sizeof label, "recover: log says %s t%u",
				 twopc_outcome_names[r->outcome], (unsigned)t);
		else
			snprintf(label, sizeof label, "recover: empty log");
		st_label(c, label, "n1 reads its decision log and resends each decision not "
			 "yet acknowledged.", t > 0 ? ST_LABEL_MILESTONE : 0);
		s->phase = TWOPC_C_DONE;
		s->decided = r ? r->outcome : TWOPC_NONE;
		twopc_next_later(c, s);
	}
	if (twopc_unacked(c, s)) {
		/* resend now: whoever waits has waited long enough */
		st_set_timer(c, TWOPC_T_RESEND, 0);
	}
}

/* ---------------------------------------------------------------------------------------- */
/* The participants                                                                           */

static bool twopc_last_participant(const st_ctx *c) { return c->self == c->nnodes - 1; }

static void twopc_finish(st_ctx *c, twopc_state *s, int outcome, bool milestone)
{
	bool commit = outcome == TWOPC_COMMIT;
	char label[48], note[320];
	uint32_t asks = s->asks;
	st_cancel_timer(c, TWOPC_T_ASK);
	st_cancel_timer(c, TWOPC_T_WORK);
	s->state = commit ? TWOPC_S_COMMITTED : TWOPC_S_ABORTED;
	if (commit)
		s->commits++;
	else
		s->aborts++;
	snprintf(label, sizeof label, "%s t%u", commit ? "commit" : "abort", (unsigned)s->txn);
	if (asks)
		snprintf(note, sizeof note, "%s learns the outcome at last, after asking %u "
			 "times: it %s t%u and releases its locks. Until now it could do neither.",
			 twopc_name(c, c->self), (unsigned)asks, commit ? "commits" : "aborts",
			 (unsigned)s->txn);
	else
		snprintf(note, sizeof note, "%s %s t%u and releases its locks.",
			 twopc_name(c, c->self), commit ? "commits" : "aborts", (unsigned)s->txn);
	twopc_record(c, label, note, s->txn, TWOPC_V_NONE, outcome,
		     milestone && asks >= TWOPC_BLOCKED_ASKS ? ST_LABEL_MILESTONE : 0);
}

static void twopc_on_prepare(st_ctx *c, twopc_state *s, const twopc_msg *m)
{
	char label[48], note[400];
	if (m->txn <= s->txn) {
		snprintf(label, sizeof label, "old Prepare t%u", (unsigned)m->txn);
		st_label(c, label, "A copy of a Prepare this participant has handled already.", 0);
		return;
	}
	if (s->state == TWOPC_S_PREPARED) {
		/* still uncertain about s->txn: its locks are taken, so this one cannot run */
		snprintf(label, sizeof label, "vote no t%u", (unsigned)m->txn);
		snprintf(note, sizeof note, "%s still holds t%u's locks (prepared, uncertain), so "
			 "it cannot do its part of t%u: it votes no. Blocking spreads.",
			 twopc_name(c, c->self), (unsigned)s->txn, (unsigned)m->txn);
		twopc_record(c, label, note, m->txn, TWOPC_V_NO, TWOPC_ABORT, 0);
		twopc_send(c, TWOPC_COORD, TWOPC_MSG_VOTE, m->txn, false);
		return;
	}
	if (s->state == TWOPC_S_WORKING) {
		/* n1 moved on, so it decided the old one without this vote: abort */
		twopc_finish(c, s, TWOPC_ABORT, false);
	}
	s->txn = m->txn;
	s->state = TWOPC_S_WORKING;
	s->vote = TWOPC_V_NONE;
	s->asks = 0;
	snprintf(label, sizeof label, "lock for t%u", (unsigned)m->txn);
	st_label(c, label, "The participant takes the locks for its part of the transaction "
		 "and does the work; then it votes.", 0);
	st_set_timer(c, TWOPC_T_WORK, st_random_range(c, s->cfg.work_lo_us, s->cfg.work_hi_us));
}

static void twopc_on_work_done(st_ctx *c, twopc_state *s)
{
	if (s->state != TWOPC_S_WORKING)
		return;
	bool no = (s->cfg.no_txn != 0 && s->txn == s->cfg.no_txn && twopc_last_participant(c)) ||
		  st_random_range(c, 0, 99) < s->cfg.no_percent;
	char label[48], note[400];
	snprintf(label, sizeof label, "vote %s t%u", no ? "no" : "yes", (unsigned)s->txn);
	if (no) {
		s->vote = TWOPC_V_NO;
		s->state = TWOPC_S_ABORTED;
		s->aborts++;
		snprintf(note, sizeof note, "%s cannot do its part of t%u (a constraint fails, say): "
			 "it votes no, aborts at once and releases its locks. A participant may "
			 "abort on its own as long as it has not voted yes.", twopc_name(c, c->self),
			 (unsigned)s->txn);
		twopc_record(c, label, note, s->txn, TWOPC_V_NO, TWOPC_ABORT, 0);
		twopc_send(c, TWOPC_COORD, TWOPC_MSG_VOTE, s->txn, false);
		return;
	}
	s->vote = TWOPC_V_YES;
	s->state = TWOPC_S_PREPARED;
	snprintf(note, sizeof note, "%s has done its part of t%u and written a prepare record "
		 "to its disk: it votes yes. That is a promise: from now on it may not abort on its "
		 "own. It holds its locks, uncertain, until n1 tells it the outcome.",
		 twopc_name(c, c->self), (unsigned)s->txn);
	twopc_record(c, label, note, s->txn, TWOPC_V_YES, TWOPC_NONE, 0);
	twopc_send(c, TWOPC_COORD, TWOPC_MSG_VOTE, s->txn, true);
	st_set_timer(c, TWOPC_T_ASK, s->cfg.ask_us);
}

static void twopc_on_uncertain(st_ctx *c, twopc_state *s)
{
	if (s->state != TWOPC_S_PREPARED)
		return;
	char label[48], note[400];
	if (s->cfg.bug == TWOPC_BUG_UNILATERAL) {
		snprintf(label, sizeof label, "gave up: abort t%u", (unsigned)s->txn);
		snprintf(note, sizeof note, "The bug: %s voted yes on t%u but heard nothing for "
			 "%lld ms, and aborts on its own. But n1 may have decided commit on its yes "
			 "vote.", twopc_name(c, c->self), (unsigned)s->txn,
			 (long long)(s->cfg.ask_us / 1000));
		s->state = TWOPC_S_ABORTED;
		s->aborts++;
		twopc_record(c, label, note, s->txn, TWOPC_V_NONE, TWOPC_ABORT, ST_LABEL_MILESTONE);
		return;
	}
	s->asks++;
	snprintf(label, sizeof label, "uncertain t%u: ask n1", (unsigned)s->txn);
	snprintf(note, sizeof note, "%s voted yes on t%u and has not heard the outcome. It may "
		 "not abort (n1 may have decided commit) nor commit (n1 may have decided abort): "
		 "it keeps its locks and asks n1 again (%u times so far).", twopc_name(c, c->self),
		 (unsigned)s->txn, (unsigned)s->asks);
	st_label(c, label, note, s->asks == TWOPC_BLOCKED_ASKS ? ST_LABEL_MILESTONE : 0);
	twopc_send(c, TWOPC_COORD, TWOPC_MSG_ASK, s->txn, false);
	st_set_timer(c, TWOPC_T_ASK, s->cfg.ask_us);
}

static void twopc_on_decision(st_ctx *c, twopc_state *s, int from, int type,
			      const twopc_msg *m)
{
	int outcome = type == TWOPC_MSG_COMMIT ? TWOPC_COMMIT : TWOPC_ABORT;
	char label[48];
	if (m->txn == s->txn && (s->state == TWOPC_S_PREPARED ||
				 (s->state == TWOPC_S_WORKING && outcome == TWOPC_ABORT))) {
		twopc_finish(c, s, outcome, true);
		twopc_send(c, from, TWOPC_MSG_ACK, m->txn, false);
		return;
	}
	if (m->txn == s->txn && s->state == TWOPC_S_WORKING)
		return;         /* a commit it never voted for: not to be obeyed */
	if (m->txn > s->txn && outcome == TWOPC_COMMIT)
		return;         /* the same: it never voted on it */
	if (m->txn == s->txn && s->state == (outcome == TWOPC_COMMIT ? TWOPC_S_ABORTED
								 : TWOPC_S_COMMITTED)) {
		snprintf(label, sizeof label, "already %s t%u!",
			 s->state == TWOPC_S_ABORTED ? "aborted" : "committed", (unsigned)m->txn);
		st_label(c, label, "The outcome n1 sends is not the one this participant already "
			 "applied: the transaction is not atomic.", ST_LABEL_MILESTONE);
	}
	/* decided here already, an old one, or an abort of one it voted no on: acknowledge,
	 * so n1 may forget it */
	twopc_send(c, from, TWOPC_MSG_ACK, m->txn, false);
}

static void twopc_part_restart(st_ctx *c, twopc_state *s)
{
	char label[64], note[320];
	if (s->state == TWOPC_S_WORKING) {
		snprintf(label, sizeof label, "restart: abort t%u", (unsigned)s->txn);
		snprintf(note, sizeof note, "%s crashed before voting on t%u: it promised nothing, "
			 "so it aborts its part and releases the locks.", twopc_name(c, c->self),
			 (unsigned)s->txn);
		s->state = TWOPC_S_ABORTED;
		s->aborts++;
		twopc_record(c, label, note, s->txn, TWOPC_V_NONE, TWOPC_ABORT, 0);
		return;
	}
	if (s->state == TWOPC_S_PREPARED) {
		snprintf(label, sizeof label, "restart: prepared t%u", (unsigned)s->txn);
		st_label(c, label, "Its prepare record survived the crash: it is still bound by "
			 "its yes vote, uncertain, and asks n1.", 0);
		st_set_timer(c, TWOPC_T_ASK, 0);
	}
}

/* ---------------------------------------------------------------------------------------- */
/* Entry points                                                                               */

static void twopc_init(st_ctx *c, void *state, const st_param_val *params)
{
	twopc_state *s = state;
	memset(s, 0, sizeof *s);
	twopc_cfg_load(&s->cfg, params);
	s->coord = c->role == ST_ROLE_NODE && c->self == TWOPC_COORD;
	s->nparts = (uint8_t)(c->nnodes > 1 ? c->nnodes - 1 : 0);
	if (s->coord)
		twopc_next_later(c, s);
}

static void twopc_on_message(st_ctx *c, void *state, const st_msg *msg)
{
	twopc_state *s = state;
	if (!msg->body || msg->len < sizeof(twopc_msg) || c->role != ST_ROLE_NODE ||
	    msg->from < 0 || msg->from >= c->nnodes || msg->from >= 32)
		return;
	twopc_msg m;
	memcpy(&m, msg->body, sizeof m);
	bool coord = c->self == TWOPC_COORD;
	if (coord && msg->from != TWOPC_COORD) {
		if (msg->type == TWOPC_MSG_VOTE)
			twopc_on_vote(c, s, msg->from, &m);
		else if (msg->type == TWOPC_MSG_ACK)
			twopc_on_ack(c, s, msg->from, &m);
		else if (msg->type == TWOPC_MSG_ASK)
			twopc_on_ask(c, s, msg->from, &m);
	} else if (!coord && msg->from == TWOPC_COORD) {
		if (msg->type == TWOPC_MSG_PREPARE)
			twopc_on_prepare(c, s, &m);
		else if (msg->type == TWOPC_MSG_COMMIT || msg->type == TWOPC_MSG_ABORT)
			twopc_on_decision(c, s, msg->from, msg->type, &m);
	}
}

static void (*const twopc_timer_handlers[TWOPC_T__COUNT])(st_ctx *, twopc_state *) = {
	[TWOPC_T_NEXT] = twopc_start_txn, [TWOPC_T_VOTES] = twopc_on_vote_timeout,
	[TWOPC_T_LOG] = twopc_on_log_written, [TWOPC_T_RESEND] = twopc_on_resend,
	[TWOPC_T_WORK] = twopc_on_work_done, [TWOPC_T_ASK] = twopc_on_uncertain,
};

static void twopc_on_timer(st_ctx *c, void *state, int timer)
{
	if (c->role == ST_ROLE_NODE && timer >= 0 && timer < TWOPC_T__COUNT)
		twopc_timer_handlers[timer](c, state);
}

/* Transactions come from n1's own stream; a client operation is refused at once, so a
 * scenario with a workload cannot hang. */
static void twopc_on_client(st_ctx *c, void *state, const st_op *op)
{
	twopc_state *s = state;
	s->ops++;
	st_label(c, "refused", "In this lesson n1 runs its own transactions; clients are not "
		 "served.", 0);
	st_complete(c, op, ST_OP_FAIL);
}

static void twopc_on_restart(st_ctx *c, void *state, const st_param_val *params)
{
	twopc_state *s = state;
	twopc_cfg_load(&s->cfg, params);
	if (c->role != ST_ROLE_NODE)
		return;
	if (c->self == TWOPC_COORD)
		twopc_coord_restart(c, s);
	else
		twopc_part_restart(c, s);
}

static void twopc_describe(const void *state, st_role role, st_sink *k)
{
	const twopc_state *s = state;
	char buf[40];
	if (role != ST_ROLE_NODE) {
		k->kv_int(k, "refused", s->ops);
		return;
	}
	/* The nodes pane makes one column per key, in the order the keys first appear (n1's
	 * first), and drops the last columns first: so both roles write txn, state, locks and
	 * vote first (at 80 columns the first three fit: a blocked participant reads
	 * "prepared (uncertain)  locks held"), and the role (the lane label shows it) last. */
	if (s->coord) {
		k->kv_int(k, "txn", s->last_txn);
		k->kv_str(k, "state", s->phase == TWOPC_C_DONE && s->decided != TWOPC_NONE
			  ? (s->decided == TWOPC_COMMIT ? "committed" : "aborted")
			  : twopc_cphase_names[s->phase <= TWOPC_C_FULL ? s->phase : 0]);
		if (s->no)
			snprintf(buf, sizeof buf, "%d yes, %d no", twopc_popcount(s->yes),
				 twopc_popcount(s->no));
		else
			snprintf(buf, sizeof buf, "%d/%d yes", twopc_popcount(s->yes), s->nparts);
		k->kv_str(k, "locks", "none");  /* the data's locks are the participants' */
		/* after a restart the votes are forgotten (they were in memory): "-" */
		k->kv_str(k, "vote", s->phase == TWOPC_C_IDLE || (s->yes | s->no) == 0 ? "-" : buf);
		const twopc_rec *r = s->last_txn ? &s->log[s->last_txn % TWOPC_LOG] : NULL;
		if (r && r->outcome != TWOPC_NONE && r->txn == s->last_txn)
			snprintf(buf, sizeof buf, "%s t%u", twopc_outcome_names[r->outcome],
				 (unsigned)r->txn);
		else
			snprintf(buf, sizeof buf, "no record");
		k->kv_str(k, "log", s->last_txn ? buf : "empty");
		k->kv_int(k, "commits", s->commits);
		k->kv_int(k, "aborts", s->aborts);
		k->kv_str(k, "role", "coordinator");
		return;
	}
	bool locks = s->state == TWOPC_S_WORKING || s->state == TWOPC_S_PREPARED;
	k->kv_int(k, "txn", s->txn);
	k->kv_str(k, "state", twopc_pstate_names[s->state <= TWOPC_S_ABORTED ? s->state : 0]);
	k->kv_str(k, "locks", locks ? "held" : "none");     /* the txn column says whose */
	k->kv_str(k, "vote", twopc_vote_names[s->vote <= TWOPC_V_NO ? s->vote : 0]);
	k->kv_int(k, "commits", s->commits);
	k->kv_int(k, "aborts", s->aborts);
	k->kv_str(k, "role", "participant");
}

static void twopc_encode(int type, const void *body, size_t len, st_sink *k)
{
	if (!body || len < sizeof(twopc_msg) || type < 0 || type >= TWOPC_MSG__COUNT)
		return;
	twopc_msg m;
	memcpy(&m, body, sizeof m);
	k->kv_int(k, "txn", m.txn);
	if (type == TWOPC_MSG_VOTE)
		k->kv_str(k, "vote", m.yes ? "yes" : "no");
}

static const st_role_style twopc_role_styles[] = {
	{"coordinator", ST_STYLE_STRONG}, {"participant", ST_STYLE_QUIET}, {NULL, 0},
};

const st_protocol twopc_protocol = {
	.name = "twopc",
	.version = "1",
	.summary = "Two-phase commit: atomic commit, and blocking when the coordinator fails",
	.state_size = sizeof(twopc_state),
	.max_msg_size = sizeof(twopc_msg),
	.msg_types = twopc_msg_names, .n_msg_types = TWOPC_MSG__COUNT,
	.timer_names = twopc_timer_names, .n_timers = TWOPC_T__COUNT,
	.params = twopc_params, .n_params = TWOPC_P__COUNT,
	.role_key = "role", .role_styles = twopc_role_styles, .epoch_key = "txn",
	.init = twopc_init,
	.on_message = twopc_on_message,
	.on_timer = twopc_on_timer,
	.on_client = twopc_on_client,
	.on_restart = twopc_on_restart,
	.describe = twopc_describe,
	.encode = twopc_encode,
	.check_size = sizeof(twopc_checker),
	.check = twopc_check,
	.trace_check_new = twopc_trace_check_new,
	.trace_check = twopc_trace_check,
	.trace_check_end = twopc_trace_check_end,
	.trace_check_free = twopc_trace_check_free,
	.trace_check_summary = twopc_trace_check_summary,
	.node_fields = twopc_state_fields, .n_node_fields = TWOPC_STATE_FIELDS,
	.msg_classes = twopc_msg_classes, .n_msg_classes = TWOPC_MSG_CLASSES,
	.msg_class = twopc_msg_class,
	.picture = twopc_picture,
};
