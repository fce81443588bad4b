/* paxos.c: single-decree Paxos (Lamport, "Paxos Made Simple"): proposers, acceptors and
 * learners agreeing on one value, and what breaks it.
 *
 * The lessons paxos and paxos-duel (topic "Broadcast, replication and consensus", between
 * broadcast and Raft). Every node is an acceptor and a learner; the first `proposers` nodes
 * also propose, each its own value (n1 "A", n2 "B"). A ballot is (round, proposer).
 *
 * Phase 1: a proposer picks a ballot higher than any it has seen and sends Prepare to every
 * acceptor. An acceptor that has promised nothing higher promises this ballot (it will accept
 * nothing lower from now on) and answers Promise with the highest ballot and value it has
 * accepted, if any; otherwise it answers Nack with the ballot it has promised.
 * Phase 2: with promises from a majority, the proposer sends Accept with the value of the
 * highest accepted ballot those promises reported, or its own value if none reported one. An
 * acceptor accepts unless it has promised a higher ballot, and tells every learner (Accepted).
 * A value is chosen when a majority of acceptors accept it in one ballot; a learner that counts
 * a majority of Accepted for one ballot has learned it.
 *
 * Deliberate choices, each a why:
 * - Proposers keep proposing: after a decision a proposer runs a fresh ballot every propose_ms,
 *   as a proposer that does not know the outcome would (one that restarted, or was asked by a
 *   new client). Paxos must make every later ballot choose the value already chosen, and the
 *   run never ends, so the checkers see thousands of ballots and the lesson never runs dry.
 * - A proposer whose own acceptor promises a higher ballot of another proposer gives up its
 *   ballot at once (it has been pre-empted: its Accept would be refused by that acceptor and,
 *   if the other proposer reached a majority, by a majority). With backoff=none it starts a
 *   higher ballot straight away, which is exactly how two proposers duel forever; with
 *   backoff=random it waits a random time first, and one of them usually gets through.
 *   random_from_ms switches a duel to random backoff at a given virtual time, so one lesson
 *   (paxos-duel) shows the livelock and its end. A proposer that has started 10 ballots
 *   without learning a value says so ("no value after 10 rounds"): liveness is reported by a
 *   label, as no check after an event can decide it.
 * - The acceptor's promise and accepted (ballot, value) are persistent, and the proposer's
 *   highest round too (a reused ballot could carry another value). The learner's knowledge is
 *   volatile: a restarted node learns again from later ballots.
 * - A message to one's own node is handled at once, without the network (a proposer is its own
 *   acceptor and learner), so the diagram shows only messages between nodes.
 * - The weakened variants are params: bug=forget-promise (an acceptor that loses its promise
 *   in a crash) and bug=ignore-accepted (a proposer that proposes its own value even when a
 *   promise reported an accepted one). Both let two values be chosen. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../base/names.h"
#include "paxos.h"

/* ---------------------------------------------------------------------------------------- */
/* Tables                                                                                     */

static const char *const paxos_msg_names[PAXOS_MSG__COUNT] = {
	[PAXOS_MSG_PREPARE] = "Prepare",
	[PAXOS_MSG_PROMISE] = "Promise",
	[PAXOS_MSG_ACCEPT] = "Accept",
	[PAXOS_MSG_ACCEPTED] = "Accepted",
	[PAXOS_MSG_NACK] = "Nack",
};

static const char *const paxos_timer_names[PAXOS_T__COUNT] = {
	[PAXOS_T_PROPOSE] = "propose",
	[PAXOS_T_TIMEOUT] = "ballot timeout",
};

static const char *const paxos_bug_names[] = {"none", "forget-promise", "ignore-accepted", NULL};
static const char *const paxos_backoff_names[] = {"random", "none", NULL};

static const st_param_spec paxos_params[PAXOS_P__COUNT] = {
	[PAXOS_P_PROPOSERS] = {"proposers", ST_P_INT, 1, 16, 2, 2, NULL,
			       "how many nodes propose (n1, n2, ...), each its own value (A, B, "
			       "...); every node accepts and learns"},
	[PAXOS_P_BACKOFF] = {"backoff", ST_P_ENUM, 0, 0, PAXOS_BACKOFF_RANDOM, 0,
			     paxos_backoff_names,
			     "what a pre-empted proposer does: random waits a random time in "
			     "backoff_ms before a higher ballot; none starts it at once (two "
			     "proposers can then duel forever)"},
	[PAXOS_P_BACKOFF_MS] = {"backoff_ms", ST_P_RANGE, 0, 600000, 20, 200, NULL,
				"the random wait of backoff=random, drawn anew each time"},
	[PAXOS_P_PROPOSE_MS] = {"propose_ms", ST_P_RANGE, 1, 600000, 300, 600, NULL,
				"a proposer's wait before its first ballot, and before a fresh "
				"ballot after each decision"},
	[PAXOS_P_TIMEOUT_MS] = {"timeout_ms", ST_P_INT, 1, 600000, 200, 200, NULL,
				"a ballot with neither a majority nor a Nack after this long is "
				"given up (messages lost, acceptors down)"},
	[PAXOS_P_BUG] = {"bug", ST_P_ENUM, 0, 0, PAXOS_BUG_NONE, 0, paxos_bug_names,
			 "a deliberate bug, to see the checker catch it: forget-promise (an "
			 "acceptor loses its promise when it restarts) or ignore-accepted (a "
			 "proposer ignores the accepted values the promises report)"},
	[PAXOS_P_RANDOM_FROM_MS] = {"random_from_ms", ST_P_INT, 0, 86400000, 0, 0, NULL,
				    "with backoff=none: from this virtual time on the proposers "
				    "back off at random after all (0: never), to watch a duel end"},
};

/* Label priorities: of the labels one event earns, the most telling stands. */
enum { PAXOS_LP_ACCEPTOR = 1, PAXOS_LP_PROPOSER, PAXOS_LP_PREEMPT, PAXOS_LP_LEARN,
       PAXOS_LP_DUEL };

/* ---------------------------------------------------------------------------------------- */
/* Ballots, values, names                                                                     */

int paxos_ballot_cmp(paxos_ballot a, paxos_ballot b)
{
	if (a.round != b.round)
		return a.round < b.round ? -1 : 1;
	if (a.round == 0)
		return 0;
	return a.pid < b.pid ? -1 : a.pid > b.pid;
}

paxos_bstr paxos_ballot_str(paxos_ballot b)
{
	paxos_bstr r;
	if (b.round == 0) {
		snprintf(r.s, sizeof r.s, "-");
		return r;
	}
	/* proposers are nodes, so any node count past the index names it right */
	snprintf(r.s, sizeof r.s, "%u.%s", (unsigned)b.round,
		 st_pname_of(b.pid, ST_MAX_PROCS, ST_MAX_PROCS).s);
	return r;
}

paxos_vstr paxos_value_str(int32_t v)
{
	paxos_vstr r;
	if (v >= 1 && v <= 26)
		snprintf(r.s, sizeof r.s, "%c", 'A' + v - 1);
	else if (v == 0)
		snprintf(r.s, sizeof r.s, "-");
	else
		snprintf(r.s, sizeof r.s, "?%d", (int)(v % 100000));   /* a garbled value: short */
	return r;
}

int paxos_majority(int nnodes) { return nnodes / 2 + 1; }

int paxos_popcount(uint32_t m)
{
	int n = 0;
	for (; m; m &= m - 1)
		n++;
	return n;
}

static st_pname paxos_pname(const paxos_state *s, int p)
{
	return st_pname_of(p, s->cfg.nnodes, s->cfg.nprocs);
}
/* A name for a format argument: the temporary lives to the end of the call. */
#define paxos_name(s, p) (paxos_pname((s), (p)).s)


/* A label at this priority (the simulator keeps the one that matters most) and its note,
 * written only when the label stands (label.c). */
#define paxos_label(c, prio, flags, ...) st_labelf((c), (flags) | ST_LABEL_PRIO(prio), __VA_ARGS__)
#define paxos_note st_notef

static void paxos_cfg_load(paxos_cfg *cfg, const st_ctx *c, const st_param_val *p)
{
	st_param_val def[PAXOS_P__COUNT];
	if (!p) {       /* no scenario (a unit test): the table's defaults */
		for (int i = 0; i < PAXOS_P__COUNT; i++) {
			def[i].lo = paxos_params[i].def_lo;
			def[i].hi = paxos_params[i].def_hi;
		}
		p = def;
	}
	memset(cfg, 0, sizeof *cfg);
	cfg->proposers = (int32_t)p[PAXOS_P_PROPOSERS].lo;
	cfg->nnodes = c->nnodes;
	cfg->nprocs = c->nprocs;
	cfg->backoff = (uint8_t)p[PAXOS_P_BACKOFF].lo;
	cfg->bug = (uint8_t)p[PAXOS_P_BUG].lo;
	cfg->backoff_lo_us = p[PAXOS_P_BACKOFF_MS].lo * 1000;
	cfg->backoff_hi_us = p[PAXOS_P_BACKOFF_MS].hi * 1000;
	cfg->propose_lo_us = p[PAXOS_P_PROPOSE_MS].lo * 1000;
	cfg->propose_hi_us = p[PAXOS_P_PROPOSE_MS].hi * 1000;
	cfg->timeout_us = p[PAXOS_P_TIMEOUT_MS].lo * 1000;
	cfg->random_from_us = p[PAXOS_P_RANDOM_FROM_MS].lo * 1000;
	cfg->proposer = c->role == ST_ROLE_NODE && c->self < cfg->proposers;
}

/* ST_LABEL_MILESTONE the first time this node has moment f. */
static int paxos_first_time(paxos_state *s, uint32_t f)
{
	if (s->firsts & f)
		return 0;
	s->firsts |= f;
	return ST_LABEL_MILESTONE;
}

static bool paxos_is_proposer(const st_ctx *c, const paxos_state *s)
{
	(void)c;
	return s->cfg.proposer;
}

/* ---------------------------------------------------------------------------------------- */
/* Sending: to another node over the network, to oneself at once                             */

static void paxos_handle(st_ctx *c, paxos_state *s, int from, int type, const paxos_msg *m);

static void paxos_post(st_ctx *c, paxos_state *s, int to, int type, const paxos_msg *m)
{
	if (to == c->self)
		paxos_handle(c, s, to, type, m);
	else
		st_send(c, to, type, m, sizeof *m);
}

/* To every node. A Prepare (sent from a timer's handler, where the first send turns the
 * standing label into a local event) reaches oneself first, so the local promise's label
 * competes before that; the rest leave first, so an Accept goes out before the Accepted its
 * local acceptance causes. */
static void paxos_post_all(st_ctx *c, paxos_state *s, int type, const paxos_msg *m)
{
	bool self_first = type == PAXOS_MSG_PREPARE;
	if (self_first)
		paxos_post(c, s, c->self, type, m);
	for (int p = 0; p < c->nnodes; p++)
		if (p != c->self)
			st_send(c, p, type, m, sizeof *m);
	if (!self_first)
		paxos_post(c, s, c->self, type, m);
}

static paxos_msg paxos_mk(paxos_ballot b, paxos_ballot b2, int32_t v)
{
	paxos_msg m;
	memset(&m, 0, sizeof m);
	m.b = b;
	m.b2 = b2;
	m.value = v;
	return m;
}

/* ---------------------------------------------------------------------------------------- */
/* The proposer                                                                               */

static void paxos_start_ballot(st_ctx *c, paxos_state *s)
{
	/* higher than any round seen, its own acceptor's promise included */
	if (s->promised.round > s->max_round)
		s->max_round = s->promised.round;
	s->max_round++;
	s->bal = (paxos_ballot){s->max_round, c->self};
	s->phase = PAXOS_PREPARING;
	s->promises = s->accepts = 0;
	s->best_b = (paxos_ballot){0, -1};
	s->best_v = 0;
	s->value = c->self + 1;
	s->ballots++;
	s->undecided++;
	paxos_bstr b = paxos_ballot_str(s->bal);
	if (s->undecided == PAXOS_DUEL_ROUNDS && s->chosen == 0) {
		if (paxos_label(c, PAXOS_LP_DUEL, ST_LABEL_MILESTONE, "no value after %d rounds",
				PAXOS_DUEL_ROUNDS))
			paxos_note(c, "%s starts ballot %s, its %dth in a row with nothing chosen. "
				   "Each ballot was pre-empted by the other proposer's higher one "
				   "before it could finish: a livelock. Safety holds (nothing wrong "
				   "is chosen) but nothing is chosen at all.", paxos_name(s, c->self),
				   b.s, PAXOS_DUEL_ROUNDS);
	} else if (paxos_label(c, PAXOS_LP_PROPOSER, paxos_first_time(s, PAXOS_F_PREPARE),
			       "prepare %s", b.s)) {
		paxos_note(c, "%s starts ballot %s (round %u, higher than any round it has seen) "
			   "and asks every acceptor to promise it: Prepare %s.",
			   paxos_name(s, c->self), b.s, (unsigned)s->bal.round, b.s);
	}
	st_set_timer(c, PAXOS_T_TIMEOUT, s->cfg.timeout_us);
	paxos_msg m = paxos_mk(s->bal, (paxos_ballot){0, -1}, 0);
	paxos_post_all(c, s, PAXOS_MSG_PREPARE, &m);
}

/* Does a pre-empted proposer wait a random time (or start again at once)? */
static bool paxos_random_backoff(st_ctx *c, const paxos_state *s)
{
	if (s->cfg.backoff == PAXOS_BACKOFF_RANDOM)
		return true;
	return s->cfg.random_from_us > 0 && st_now_us(c) >= s->cfg.random_from_us;
}

/* Give up the ballot in progress; try a higher one after the backoff. */
static void paxos_abandon(st_ctx *c, paxos_state *s, paxos_ballot seen)
{
	if (seen.round > s->max_round)
		s->max_round = seen.round;
	s->phase = PAXOS_IDLE;
	st_cancel_timer(c, PAXOS_T_TIMEOUT);
	if (!paxos_random_backoff(c, s)) {
		paxos_start_ballot(c, s);
		return;
	}
	int64_t wait = st_random_range(c, s->cfg.backoff_lo_us, s->cfg.backoff_hi_us);
	st_set_timer(c, PAXOS_T_PROPOSE, wait);
	if (s->cfg.backoff == PAXOS_BACKOFF_NONE &&
	    paxos_label(c, PAXOS_LP_DUEL, paxos_first_time(s, PAXOS_F_BACKOFF),
			"back off %lld ms", (long long)(wait / 1000)))
		paxos_note(c, "From %lld ms on the proposers back off at random: %s waits %lld ms "
			   "(drawn from %lld..%lld ms) before its next ballot, instead of starting "
			   "it at once. The two proposers no longer move in step, so one of them "
			   "can finish both phases while the other waits.",
			   (long long)(s->cfg.random_from_us / 1000), paxos_name(s, c->self),
			   (long long)(wait / 1000), (long long)(s->cfg.backoff_lo_us / 1000),
			   (long long)(s->cfg.backoff_hi_us / 1000));
}

static void paxos_on_promise(st_ctx *c, paxos_state *s, int from, const paxos_msg *m)
{
	if (s->phase != PAXOS_PREPARING || paxos_ballot_cmp(m->b, s->bal) != 0)
		return;
	s->promises |= 1u << from;
	if (m->b2.round && paxos_ballot_cmp(m->b2, s->best_b) > 0) {
		s->best_b = m->b2;
		s->best_v = m->value;
	}
	int n = paxos_popcount(s->promises), need = paxos_majority(c->nnodes);
	if (n < need)
		return;
	s->phase = PAXOS_ACCEPTING;
	paxos_bstr b = paxos_ballot_str(s->bal), bb = paxos_ballot_str(s->best_b);
	bool adopt = s->best_b.round != 0 && s->cfg.bug != PAXOS_BUG_IGNORE_ACCEPTED;
	s->value = adopt ? s->best_v : c->self + 1;
	paxos_vstr v = paxos_value_str(s->value), own = paxos_value_str(c->self + 1);
	int first = paxos_first_time(s, PAXOS_F_PROPOSE);
	if (adopt && s->best_v != c->self + 1)
		first |= paxos_first_time(s, PAXOS_F_ADOPT);
	if (paxos_label(c, PAXOS_LP_PROPOSER, first, "propose %s %s", b.s, v.s)) {
		if (adopt)
			paxos_note(c, "%s holds promises for %s from %d of %d acceptors, a "
				   "majority. One of them reported it had accepted %s in ballot "
				   "%s, the highest reported: that value may already be chosen, "
				   "so %s must propose %s, not its own %s: Accept %s %s.",
				   paxos_name(s, c->self), b.s, n, c->nnodes,
				   paxos_value_str(s->best_v).s, bb.s, paxos_name(s, c->self), v.s,
				   own.s, b.s, v.s);
		else if (s->best_b.round != 0)
			paxos_note(c, "bug ignore-accepted: a promise reported value %s accepted "
				   "in ballot %s, and %s proposes its own %s anyway: Accept %s %s. "
				   "If %s was chosen, a second value can now be chosen.",
				   paxos_value_str(s->best_v).s, bb.s, paxos_name(s, c->self), v.s,
				   b.s, v.s, paxos_value_str(s->best_v).s);
		else
			paxos_note(c, "%s holds promises for %s from %d of %d acceptors, a "
				   "majority, and none of them has accepted anything: %s is free "
				   "to propose its own value: Accept %s %s.", paxos_name(s, c->self),
				   b.s, n, c->nnodes, paxos_name(s, c->self), b.s, v.s);
	}
	paxos_msg a = paxos_mk(s->bal, (paxos_ballot){0, -1}, s->value);
	paxos_post_all(c, s, PAXOS_MSG_ACCEPT, &a);
}

static void paxos_on_nack(st_ctx *c, paxos_state *s, int from, const paxos_msg *m)
{
	if (s->phase == PAXOS_IDLE || paxos_ballot_cmp(m->b, s->bal) != 0 ||
	    paxos_ballot_cmp(m->b2, s->bal) <= 0)
		return;
	paxos_bstr b = paxos_ballot_str(s->bal), hi = paxos_ballot_str(m->b2);
	if (paxos_label(c, PAXOS_LP_PREEMPT, paxos_first_time(s, PAXOS_F_PREEMPTED),
			"pre-empted by %s", hi.s))
		paxos_note(c, "%s refused ballot %s: it has promised %s, a higher ballot. %s gives "
			   "%s up and %s.", paxos_name(s, from), b.s, hi.s, paxos_name(s, c->self),
			   b.s, s->cfg.backoff == PAXOS_BACKOFF_NONE ? "starts a higher one at once "
			   "(backoff=none)" : "will try a higher one after a random wait");
	paxos_abandon(c, s, m->b2);
}

/* This node's own acceptor has just promised another proposer's higher ballot: ours cannot
 * finish here any more, and most likely not at a majority either. */
static void paxos_preempted_locally(st_ctx *c, paxos_state *s, paxos_ballot hi)
{
	if (!paxos_is_proposer(c, s) || s->phase == PAXOS_IDLE ||
	    paxos_ballot_cmp(hi, s->bal) <= 0 || hi.pid == c->self)
		return;
	paxos_bstr b = paxos_ballot_str(s->bal), h = paxos_ballot_str(hi);
	if (paxos_label(c, PAXOS_LP_PREEMPT, paxos_first_time(s, PAXOS_F_PREEMPTED),
			"pre-empted by %s", h.s))
		paxos_note(c, "%s has just promised %s, higher than its own ballot %s, so it will "
			   "refuse its own Accept: %s gives %s up and %s.", paxos_name(s, c->self),
			   h.s, b.s, paxos_name(s, c->self), b.s,
			   s->cfg.backoff == PAXOS_BACKOFF_NONE ? "starts a higher one at once "
			   "(backoff=none)" : "will try a higher one after a random wait");
	paxos_abandon(c, s, hi);
}

/* ---------------------------------------------------------------------------------------- */
/* The acceptor                                                                               */

static void paxos_on_prepare(st_ctx *c, paxos_state *s, int from, const paxos_msg *m)
{
	paxos_bstr b = paxos_ballot_str(m->b), pr = paxos_ballot_str(s->promised);
	if (paxos_ballot_cmp(m->b, s->promised) < 0) {
		if (paxos_label(c, PAXOS_LP_ACCEPTOR, 0, "nack %s", b.s))
			paxos_note(c, "%s has promised %s, higher than %s: it refuses (Nack) and "
				   "tells %s the ballot to beat.", paxos_name(s, c->self), pr.s, b.s,
				   paxos_name(s, from));
		paxos_msg n = paxos_mk(m->b, s->promised, 0);
		paxos_post(c, s, from, PAXOS_MSG_NACK, &n);
		return;
	}
	bool outbid = s->promised.round != 0 && s->promised.pid != m->b.pid;
	int was_pid = s->promised.pid;
	paxos_bstr was = pr;
	s->promised = m->b;
	paxos_bstr ab = paxos_ballot_str(s->acc_b);
	if (outbid && paxos_ballot_cmp(m->b, s->acc_b) > 0 && s->acc_b.round == 0 &&
	    paxos_label(c, PAXOS_LP_ACCEPTOR + 1, paxos_first_time(s, PAXOS_F_OUTBID),
			"promise %s", b.s)) {
		paxos_note(c, "%s had promised %s; %s is higher, so it promises %s instead. From "
			   "now on it refuses %s's Accept for %s: a higher ballot pre-empts a "
			   "lower one that has not finished.", paxos_name(s, c->self), was.s, b.s,
			   b.s, paxos_name(s, was_pid), was.s);
		paxos_msg p = paxos_mk(m->b, s->acc_b, s->acc_v);
		paxos_post(c, s, from, PAXOS_MSG_PROMISE, &p);
		paxos_preempted_locally(c, s, m->b);
		return;
	}
	paxos_vstr av = paxos_value_str(s->acc_v);
	bool stands = s->acc_b.round
		? paxos_label(c, PAXOS_LP_ACCEPTOR, 0, "promise %s (%s %s)", b.s, ab.s, av.s)
		: paxos_label(c, PAXOS_LP_ACCEPTOR, 0, "promise %s", b.s);
	if (stands)
		paxos_note(c, "%s promises %s: it will accept no ballot lower than it from now on. "
			   "%s", paxos_name(s, c->self), b.s, s->acc_b.round ?
			   "It has accepted a value before, and says which: the proposer must "
			   "carry the highest such value forward." : "It has accepted nothing yet.");
	paxos_msg p = paxos_mk(m->b, s->acc_b, s->acc_v);
	paxos_post(c, s, from, PAXOS_MSG_PROMISE, &p);
	paxos_preempted_locally(c, s, m->b);
}

static void paxos_on_accept(st_ctx *c, paxos_state *s, int from, const paxos_msg *m)
{
	paxos_bstr b = paxos_ballot_str(m->b), pr = paxos_ballot_str(s->promised);
	paxos_vstr v = paxos_value_str(m->value);
	if (paxos_ballot_cmp(m->b, s->promised) < 0) {
		if (paxos_label(c, PAXOS_LP_ACCEPTOR, 0, "nack %s", b.s))
			paxos_note(c, "%s has promised %s since it promised %s's ballot %s: it "
				   "refuses to accept %s in %s (Nack).", paxos_name(s, c->self), pr.s,
				   paxos_name(s, from), b.s, v.s, b.s);
		paxos_msg n = paxos_mk(m->b, s->promised, 0);
		paxos_post(c, s, from, PAXOS_MSG_NACK, &n);
		return;
	}
	s->promised = m->b;
	s->acc_b = m->b;
	s->acc_v = m->value;
	if (paxos_label(c, PAXOS_LP_ACCEPTOR, 0, "accept %s %s", b.s, v.s))
		paxos_note(c, "%s has promised nothing higher than %s, so it accepts %s in ballot "
			   "%s, keeps it on disk, and tells every learner (Accepted).",
			   paxos_name(s, c->self), b.s, v.s, b.s);
	paxos_msg a = paxos_mk(m->b, (paxos_ballot){0, -1}, m->value);
	paxos_post_all(c, s, PAXOS_MSG_ACCEPTED, &a);
	paxos_preempted_locally(c, s, m->b);
}

/* ---------------------------------------------------------------------------------------- */
/* The learner                                                                                */

static void paxos_on_accepted(st_ctx *c, paxos_state *s, int from, const paxos_msg *m)
{
	int cmp = paxos_ballot_cmp(m->b, s->learn_b);
	if (cmp < 0)
		return;         /* an older ballot: a newer one is being counted */
	if (cmp > 0) {
		s->learn_b = m->b;
		s->learn_mask = 0;
		s->learn_v = m->value;
	}
	s->learn_mask |= 1u << from;
	int n = paxos_popcount(s->learn_mask), need = paxos_majority(c->nnodes);
	if (n < need || paxos_ballot_cmp(s->chosen_b, m->b) == 0)
		return;
	bool again = s->chosen != 0 && s->chosen == s->learn_v;
	s->chosen = s->learn_v;
	s->chosen_b = s->learn_b;
	s->undecided = 0;
	paxos_bstr b = paxos_ballot_str(s->learn_b);
	paxos_vstr v = paxos_value_str(s->learn_v);
	if (again) {
		if (paxos_label(c, PAXOS_LP_LEARN, paxos_first_time(s, PAXOS_F_AGAIN),
				"chosen again %s", v.s))
			paxos_note(c, "%d of %d acceptors accepted %s in ballot %s: the value chosen "
				   "before, chosen again by a later ballot, as Paxos guarantees.", n,
				   c->nnodes, v.s, b.s);
	} else if (paxos_label(c, PAXOS_LP_LEARN, ST_LABEL_MILESTONE, "learned %s", v.s)) {
		paxos_note(c, "%s counts Accepted %s %s from %d of %d acceptors, a majority in one "
			   "ballot: %s is chosen, and %s has learned it.", paxos_name(s, c->self),
			   b.s, v.s, n, c->nnodes, v.s, paxos_name(s, c->self));
	}
	if (paxos_is_proposer(c, s) && s->phase == PAXOS_ACCEPTING &&
	    paxos_ballot_cmp(m->b, s->bal) == 0) {
		s->phase = PAXOS_IDLE;
		st_cancel_timer(c, PAXOS_T_TIMEOUT);
		st_set_timer(c, PAXOS_T_PROPOSE,
			     st_random_range(c, s->cfg.propose_lo_us, s->cfg.propose_hi_us));
	}
}

/* ---------------------------------------------------------------------------------------- */
/* Entry points                                                                               */

typedef void (*paxos_handler)(st_ctx *c, paxos_state *s, int from, const paxos_msg *m);
static const paxos_handler paxos_handlers[PAXOS_MSG__COUNT] = {
	[PAXOS_MSG_PREPARE] = paxos_on_prepare,
	[PAXOS_MSG_PROMISE] = paxos_on_promise,
	[PAXOS_MSG_ACCEPT] = paxos_on_accept,
	[PAXOS_MSG_ACCEPTED] = paxos_on_accepted,
	[PAXOS_MSG_NACK] = paxos_on_nack,
};

static void paxos_handle(st_ctx *c, paxos_state *s, int from, int type, const paxos_msg *m)
{
	if (type < 0 || type >= PAXOS_MSG__COUNT || from < 0 || from >= c->nnodes || from >= 32)
		return;
	/* a proposer only hears back about its own ballots */
	bool to_proposer = type == PAXOS_MSG_PROMISE || type == PAXOS_MSG_NACK;
	if (to_proposer && !paxos_is_proposer(c, s))
		return;
	paxos_handlers[type](c, s, from, m);
}

static void paxos_init(st_ctx *c, void *state, const st_param_val *params)
{
	paxos_state *s = state;
	memset(s, 0, sizeof *s);
	paxos_cfg_load(&s->cfg, c, params);
	s->bal = s->best_b = s->promised = s->acc_b = (paxos_ballot){0, -1};
	s->learn_b = s->chosen_b = (paxos_ballot){0, -1};
	if (paxos_is_proposer(c, s))
		st_set_timer(c, PAXOS_T_PROPOSE,
			     st_random_range(c, s->cfg.propose_lo_us, s->cfg.propose_hi_us));
}

static void paxos_on_message(st_ctx *c, void *state, const st_msg *msg)
{
	paxos_state *s = state;
	if (c->role != ST_ROLE_NODE || !msg->body || msg->len < sizeof(paxos_msg))
		return;
	paxos_msg m;
	memcpy(&m, msg->body, sizeof m);
	paxos_handle(c, s, msg->from, msg->type, &m);
}

static void paxos_on_timer(st_ctx *c, void *state, int timer)
{
	paxos_state *s = state;
	if (!paxos_is_proposer(c, s))
		return;
	if (timer == PAXOS_T_PROPOSE) {
		if (s->phase == PAXOS_IDLE)
			paxos_start_ballot(c, s);
		return;
	}
	if (timer == PAXOS_T_TIMEOUT && s->phase != PAXOS_IDLE) {
		paxos_bstr b = paxos_ballot_str(s->bal);
		if (paxos_label(c, PAXOS_LP_PREEMPT, 0, "give up %s", b.s))
			paxos_note(c, "Ballot %s has had neither a majority nor a refusal for %lld "
				   "ms (messages lost, or acceptors down): %s gives it up.", b.s,
				   (long long)(s->cfg.timeout_us / 1000), paxos_name(s, c->self));
		paxos_abandon(c, s, s->bal);
	}
}

static void paxos_on_client(st_ctx *c, void *state, const st_op *op)
{
	(void)state;
	st_complete(c, op, ST_OP_FAIL);     /* this lesson has no clients; never hang one */
}

static void paxos_on_restart(st_ctx *c, void *state, const st_param_val *params)
{
	paxos_state *s = state;
	paxos_cfg_load(&s->cfg, c, params);
	paxos_bstr was = paxos_ballot_str(s->promised);
	int first = paxos_first_time(s, PAXOS_F_RESTART);
	if (s->cfg.bug == PAXOS_BUG_FORGET_PROMISE) {
		s->promised = (paxos_ballot){0, -1};
		if (paxos_label(c, PAXOS_LP_PREEMPT, first, "forgot promise %s", was.s))
			paxos_note(c, "bug forget-promise: %s kept its promise in memory only, and "
				   "the crash lost it. It will now accept a ballot lower than %s, "
				   "which it promised to refuse.", paxos_name(s, c->self), was.s);
	} else if (s->promised.round != 0 &&
		   paxos_label(c, PAXOS_LP_PREEMPT, first, "kept promise %s", was.s)) {
		paxos_note(c, "%s restarts with what it keeps on disk: its promise %s and its "
			   "accepted ballot %s. A promise forgotten in a crash would let it accept "
			   "a ballot lower than one it promised to refuse.", paxos_name(s, c->self),
			   was.s, paxos_ballot_str(s->acc_b).s);
	}
	/* the proposer's ballot in flight and the learner's counts are lost; max_round and
	 * the acceptor's ballots are on disk */
	s->phase = PAXOS_IDLE;
	s->promises = s->accepts = 0;
	s->learn_b = s->chosen_b = (paxos_ballot){0, -1};
	s->learn_mask = 0;
	s->learn_v = s->chosen = 0;
	s->undecided = 0;
	st_cancel_timer(c, PAXOS_T_TIMEOUT);
	if (paxos_is_proposer(c, s))
		st_set_timer(c, PAXOS_T_PROPOSE,
			     st_random_range(c, s->cfg.propose_lo_us, s->cfg.propose_hi_us));
}

static const char *const paxos_phase_names[] = {"idle", "prepare", "accept"};

static void paxos_describe(const void *state, st_role role, st_sink *k)
{
	const paxos_state *s = state;
	if (role != ST_ROLE_NODE) {
		k->kv_str(k, "role", "client");
		return;
	}
	/* the outcome first, then the acceptor's two persistent ballots: the lesson. The role
	 * comes after them, as the lane label shows it already (P, A) */
	k->kv_str(k, "chosen", paxos_value_str(s->chosen).s);
	k->kv_str(k, "promised", paxos_ballot_str(s->promised).s);
	k->kv_str(k, "accepted_ballot", paxos_ballot_str(s->acc_b).s);
	k->kv_str(k, "accepted_value", paxos_value_str(s->acc_v).s);
	k->kv_str(k, "role", s->cfg.proposer ? "proposer" : "acceptor");
	if (s->cfg.proposer) {
		k->kv_str(k, "ballot", paxos_ballot_str(s->bal).s);
		k->kv_str(k, "phase", paxos_phase_names[s->phase <= PAXOS_ACCEPTING ? s->phase : 0]);
		k->kv_int(k, "ballots", s->ballots);
	}
}

static void paxos_encode(int type, const void *body, size_t len, st_sink *k)
{
	if (!body || len < sizeof(paxos_msg) || type < 0 || type >= PAXOS_MSG__COUNT)
		return;
	paxos_msg m;
	memcpy(&m, body, sizeof m);
	k->kv_str(k, "ballot", paxos_ballot_str(m.b).s);
	switch (type) {
	case PAXOS_MSG_PROMISE:
		k->kv_str(k, "accepted_ballot", paxos_ballot_str(m.b2).s);
		k->kv_str(k, "accepted_value", paxos_value_str(m.value).s);
		break;
	case PAXOS_MSG_ACCEPT:
	case PAXOS_MSG_ACCEPTED:
		k->kv_str(k, "value", paxos_value_str(m.value).s);
		break;
	case PAXOS_MSG_NACK:
		k->kv_str(k, "promised", paxos_ballot_str(m.b2).s);
		break;
	default:
		break;
	}
}

static const st_role_style paxos_role_styles[] = {
	{"proposer", ST_STYLE_ACTIVE}, {"acceptor", ST_STYLE_QUIET}, {NULL, 0},
};

const st_protocol paxos_protocol = {
	.name = "paxos",
	.version = "1",
	.summary = "Single-decree Paxos: prepare, promise, accept; duels and backoff",
	.state_size = sizeof(paxos_state),
	.max_msg_size = sizeof(paxos_msg),
	.msg_types = paxos_msg_names, .n_msg_types = PAXOS_MSG__COUNT,
	.timer_names = paxos_timer_names, .n_timers = PAXOS_T__COUNT,
	.params = paxos_params, .n_params = PAXOS_P__COUNT,
	.role_key = "role", .role_styles = paxos_role_styles, .epoch_key = "promised",
	.init = paxos_init,
	.on_message = paxos_on_message,
	.on_timer = paxos_on_timer,
	.on_client = paxos_on_client,
	.on_restart = paxos_on_restart,
	.describe = paxos_describe,
	.encode = paxos_encode,
	.check_size = sizeof(paxos_checker),
	.check = paxos_check,
	.trace_check_new = paxos_trace_check_new,
	.trace_check = paxos_trace_check,
	.trace_check_end = paxos_trace_check_end,
	.trace_check_free = paxos_trace_check_free,
	.trace_check_summary = paxos_trace_check_summary,
	.node_fields = paxos_state_fields, .n_node_fields = PAXOS_STATE_FIELDS,
	.msg_classes = paxos_msg_classes, .n_msg_classes = PAXOS_MSG_CLASSES,
	.msg_class = paxos_msg_class,
	.picture = paxos_picture,
};
