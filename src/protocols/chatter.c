/* chatter.c: processes that chat at random, each keeping a Lamport clock and a vector clock.
 *
 * This is the protocol of the lessons on logical time (Lamport, "Time, Clocks, and the
 * Ordering of Events in a Distributed System"; Mattern and Fidge for vector clocks; lecture 4
 * of Kleppmann's course). The processes have no goal: each wakes up at random, sends a message
 * to a random peer or takes a local step, and that is all. What matters is the clocks they
 * keep, which are the algorithms being taught, written out in full here rather than read from
 * the simulator: the labels show each rule being applied ("recv max(4,7)+1=8"), and the
 * invariant check holds the protocol to the clock condition.
 *
 * Deliberate choices, each a why:
 * - Every event of the process counts, including the wake-up timer, the crash and the restart,
 *   because the simulator records all of them as events of the process. So the protocol's
 *   clocks agree with the Lamport and vector times the timeline and the inspector show, and a
 *   lesson can point at a number on the screen.
 * - The clocks survive a crash (stable storage): a process that restarted from zero would
 *   hand out timestamps it had already used, and the clock condition would fail.
 * - A "forget-max" bug (a receiver that only counts up) exists so the checker can be seen to
 *   catch a broken clock. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/mem.h"
#include "../base/names.h"
#include "chatter.h"

/* ---------------------------------------------------------------------------------------- */
/* Tables                                                                                     */

static const char *const chatter_msg_names[CHATTER_MSG__COUNT] = {
	[CHATTER_MSG_CHAT] = "Chat",
};

static const char *const chatter_timer_names[CHATTER_T__COUNT] = {
	[CHATTER_T_TICK] = "tick",
};

static const char *const chatter_clock_names[] = {"lamport", "vector", NULL};
static const char *const chatter_bug_names[] = {"none", "forget-max", NULL};

static const st_param_spec chatter_params[CHATTER_P__COUNT] = {
	[CHATTER_P_CLOCK] = {"clock", ST_P_ENUM, 0, 0, 0, 0, chatter_clock_names,
			     "the clock the processes show: lamport (one counter) or vector (one "
			     "counter per process)"},
	[CHATTER_P_EVERY] = {"every_ms", ST_P_RANGE, 1, 600000, 80, 250, NULL,
			     "a process wakes up after a random time in this range, then sends a "
			     "message or takes a local step"},
	[CHATTER_P_SEND_PCT] = {"send_percent", ST_P_INT, 0, 100, 60, 60, NULL,
				"the chance (in %) that a wake-up sends a message to a random peer "
				"rather than taking a local step"},
	[CHATTER_P_BUG] = {"bug", ST_P_ENUM, 0, 0, 0, 0, chatter_bug_names,
			   "inject a bug: forget-max makes a receiver count up without taking the "
			   "maximum with the message's timestamp"},
};

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                    */

typedef st_pname chatter_name;
static chatter_name chatter_pname(int nnodes, int p)
{
	return st_pname_of(p, nnodes, ST_MAX_PROCS);
}

void chatter_vc_str(const uint32_t *vc, int n, char *buf, size_t len)
{
	if (!buf || len < 3) {
		if (buf && len)
			buf[0] = '\0';
		return;
	}
	size_t o = 0;
	buf[o++] = '[';
	for (int i = 0; i < n; i++) {
		char item[16];
		int w = snprintf(item, sizeof item, "%s%u", i ? "," : "", (unsigned)vc[i]);
		if (w < 0 || o + (size_t)w + 2 > len)
			break;  /* no room: cut short, still bracketed */
		memcpy(buf + o, item, (size_t)w);
		o += (size_t)w;
	}
	buf[o++] = ']';
	buf[o] = '\0';
}

static void chatter_cfg_load(chatter_cfg *cfg, const st_param_val *p)
{
	st_param_val def[CHATTER_P__COUNT];
	if (!p) {       /* no scenario (a unit test, a tool): the table's defaults */
		for (int i = 0; i < CHATTER_P__COUNT; i++) {
			def[i].lo = chatter_params[i].def_lo;
			def[i].hi = chatter_params[i].def_hi;
		}
		p = def;
	}
	memset(cfg, 0, sizeof *cfg);
	cfg->clock = (int32_t)p[CHATTER_P_CLOCK].lo;
	cfg->every_lo_us = p[CHATTER_P_EVERY].lo * 1000;
	cfg->every_hi_us = p[CHATTER_P_EVERY].hi * 1000;
	cfg->send_pct = (int32_t)p[CHATTER_P_SEND_PCT].lo;
	cfg->bug = (int32_t)p[CHATTER_P_BUG].lo;
}

/* The rule both clocks share: an event of this process counts in its own entry. */
static void chatter_count(chatter_state *s, int self)
{
	s->L++;
	s->vc[self]++;
	s->events++;
}

static void chatter_arm(st_ctx *c, const chatter_state *s)
{
	st_set_timer(c, CHATTER_T_TICK, st_random_range(c, s->cfg.every_lo_us, s->cfg.every_hi_us));
}

static int chatter_nentries(const st_ctx *c)
{
	return c->nprocs < ST_MAX_PROCS ? c->nprocs : ST_MAX_PROCS;
}

/* ---------------------------------------------------------------------------------------- */
/* Handlers                                                                                   */

static void chatter_init(st_ctx *c, void *state, const st_param_val *params)
{
	chatter_state *s = state;
	memset(s, 0, sizeof *s);
	chatter_cfg_load(&s->cfg, params);
	s->n = chatter_nentries(c);
	if (c->role != ST_ROLE_NODE)
		return;
	chatter_count(s, c->self);      /* the start event */
	chatter_arm(c, s);
}

static void chatter_send(st_ctx *c, chatter_state *s)
{
	int peer = (int)st_random_range(c, 0, c->nnodes - 2);
	if (peer >= c->self)
		peer++;
	chatter_count(s, c->self);      /* the send event: the message carries its time */
	chatter_msg m;
	memset(&m, 0, sizeof m);
	m.clock = (uint8_t)s->cfg.clock;
	m.n = (uint8_t)s->n;
	m.L = s->L;
	memcpy(m.vc, s->vc, (size_t)s->n * sizeof m.vc[0]);
	st_send(c, peer, CHATTER_MSG_CHAT, &m, CHATTER_MSG_LEN(s->n));
	s->sent++;
}

static void chatter_step(st_ctx *c, chatter_state *s)
{
	chatter_count(s, c->self);      /* the local step, recorded just below */
	s->steps++;
	char label[96], vcs[64], note[320];
	chatter_name me = chatter_pname(c->nnodes, c->self);
	if (s->cfg.clock == CHATTER_CLOCK_VECTOR) {
		chatter_vc_str(s->vc, s->n, vcs, sizeof vcs);
		snprintf(label, sizeof label, "step %s", vcs);
		snprintf(note, sizeof note, "A local step of %s counts in %s's own entry only, "
			 "now %u: %s. The other entries, what %s knows of the others' events, "
			 "change only when a message brings news.", me.s, me.s,
			 (unsigned)s->vc[c->self], vcs, me.s);
	} else {
		snprintf(label, sizeof label, "step L=%llu", (unsigned long long)s->L);
		snprintf(note, sizeof note, "A local step of %s: L := L + 1 = %llu. Every event "
			 "moves the clock on, so %s's own events are in timestamp order. Nothing "
			 "here tells the other processes about it.", me.s,
			 (unsigned long long)s->L, me.s);
	}
	st_local(c, label, note, NULL, 0, 0);
}

static void chatter_on_timer(st_ctx *c, void *state, int timer)
{
	chatter_state *s = state;
	if (c->role != ST_ROLE_NODE || timer != CHATTER_T_TICK)
		return;
	chatter_count(s, c->self);      /* the wake-up is an event of its own */
	if (c->nnodes > 1 && st_random_range(c, 0, 99) < s->cfg.send_pct)
		chatter_send(c, s);
	else
		chatter_step(c, s);
	chatter_arm(c, s);
}

/* The Lamport receive rule, with its label: a jump (the message carries a later time than the
 * receiver's clock) is the moment the max matters, so it is a milestone. */
static void chatter_label_lamport(st_ctx *c, const chatter_state *s, int from,
				  uint64_t before, uint64_t mL)
{
	char label[96], note[400];
	chatter_name me = chatter_pname(c->nnodes, c->self), fr = chatter_pname(c->nnodes, from);
	unsigned long long b = before, m = mL, L = s->L;
	int flags = 0;
	if (s->cfg.bug == CHATTER_BUG_FORGET_MAX) {
		snprintf(label, sizeof label, "recv %llu+1=%llu", b, L);
		snprintf(note, sizeof note, "bug forget-max: %s ignores the message's timestamp "
			 "L=%llu and only counts up, to %llu.%s", me.s, m, L, m >= L ?
			 " The receive now has a timestamp no larger than its send: the clock "
			 "condition is broken." : "");
	} else if (mL == before) {
		snprintf(label, sizeof label, "recv max(%llu,%llu)+1=%llu", b, m, L);
		snprintf(note, sizeof note, "%s's clock and the message from %s both read %llu: "
			 "L := max(%llu, %llu) + 1 = %llu. The receive is stamped after the send, "
			 "as every receive must be.", me.s, fr.s, b, b, m, L);
	} else if (mL > before) {
		flags = ST_LABEL_MILESTONE;
		snprintf(label, sizeof label, "recv max(%llu,%llu)+1=%llu", b, m, L);
		snprintf(note, sizeof note, "%s's clock read %llu, but the message from %s carries "
			 "L=%llu: %s had seen more events. %s sets L := max(%llu, %llu) + 1 = %llu, "
			 "so the receive is stamped after the send, and everything %s does from "
			 "now on after everything %s did before sending.", me.s, b, fr.s, m, fr.s,
			 me.s, b, m, L, me.s, fr.s);
	} else {
		snprintf(label, sizeof label, "recv max(%llu,%llu)+1=%llu", b, m, L);
		snprintf(note, sizeof note, "%s's clock (%llu) is already ahead of the message's "
			 "timestamp (L=%llu from %s): L := max(%llu, %llu) + 1 = %llu. The receive "
			 "still gets a larger timestamp than the send.", me.s, b, m, fr.s, b, m, L);
	}
	st_label(c, label, note, flags);
}

/* The vector receive rule. The milestone is transitive news: the merge raised the entry of a
 * process other than the sender, which the receiver learns about second hand. */
static void chatter_label_vector(st_ctx *c, const chatter_state *s, int from,
				 const uint32_t *before, const uint32_t *mvc)
{
	char label[96], note[400], b[64], m[64], now[64];
	chatter_name me = chatter_pname(c->nnodes, c->self), fr = chatter_pname(c->nnodes, from);
	chatter_vc_str(before, s->n, b, sizeof b);
	chatter_vc_str(mvc, s->n, m, sizeof m);
	chatter_vc_str(s->vc, s->n, now, sizeof now);
	snprintf(label, sizeof label, "recv %s", now);
	if (s->cfg.bug == CHATTER_BUG_FORGET_MAX) {
		snprintf(note, sizeof note, "bug forget-max: %s had %s and ignores the message's "
			 "%s, only counting its own entry: %s. It no longer knows what %s knew, so "
			 "the send does not look like it happened before the receive.", me.s, b, m,
			 now, fr.s);
		st_label(c, label, note, 0);
		return;
	}
	int third = -1;
	for (int j = 0; j < s->n; j++)
		if (j != from && j != c->self && mvc[j] > before[j]) {
			third = j;
			break;
		}
	int o = snprintf(note, sizeof note, "%s had %s; the message from %s carries %s. Merge: "
			 "take the larger of each entry, then count the receive in %s's own entry: "
			 "%s.", me.s, b, fr.s, m, me.s, now);
	if (third >= 0 && o > 0 && (size_t)o < sizeof note)
		snprintf(note + o, sizeof note - (size_t)o, " Through %s, %s now also knows of %s's "
			 "first %u events: causality is transitive.", fr.s, me.s,
			 chatter_pname(c->nnodes, third).s, (unsigned)s->vc[third]);
	st_label(c, label, note, third >= 0 ? ST_LABEL_MILESTONE : 0);
}

static void chatter_on_message(st_ctx *c, void *state, const st_msg *msg)
{
	chatter_state *s = state;
	if (c->role != ST_ROLE_NODE || msg->type != CHATTER_MSG_CHAT || !msg->body ||
	    msg->len < offsetof(chatter_msg, vc) || msg->from < 0 || msg->from >= c->nprocs)
		return;
	chatter_msg m;
	memset(&m, 0, sizeof m);
	memcpy(&m, msg->body, offsetof(chatter_msg, vc));
	int mn = m.n < s->n ? m.n : s->n;
	if (msg->len < CHATTER_MSG_LEN(m.n) || m.n > ST_MAX_PROCS)
		return;
	memcpy(m.vc, (const char *)msg->body + offsetof(chatter_msg, vc),
	       (size_t)mn * sizeof m.vc[0]);
	uint64_t before = s->L;
	uint32_t old[ST_MAX_PROCS];
	memcpy(old, s->vc, sizeof old);
	s->msg_L = m.L;
	memset(s->msg_vc, 0, sizeof s->msg_vc);
	memcpy(s->msg_vc, m.vc, (size_t)mn * sizeof m.vc[0]);
	if (s->cfg.bug != CHATTER_BUG_FORGET_MAX) {
		/* Lamport: L := max(L, L_msg); vector: the elementwise max. Then count the
		 * receive, below, like any event. */
		if (m.L > s->L)
			s->L = m.L;
		for (int j = 0; j < mn; j++)
			if (m.vc[j] > s->vc[j])
				s->vc[j] = m.vc[j];
	}
	chatter_count(s, c->self);
	s->recvd++;
	s->recv_L = s->L;
	memcpy(s->recv_vc, s->vc, sizeof s->recv_vc);
	if (s->cfg.clock == CHATTER_CLOCK_VECTOR)
		chatter_label_vector(c, s, msg->from, old, m.vc);
	else
		chatter_label_lamport(c, s, msg->from, before, m.L);
}

/* Clients have nothing to do in this lesson; answer at once so a workload cannot hang. */
static void chatter_on_client(st_ctx *c, void *state, const st_op *op)
{
	chatter_state *s = state;
	if (c->role != ST_ROLE_CLIENT)
		return;
	s->ops++;
	st_complete(c, op, ST_OP_OK);
}

static void chatter_on_restart(st_ctx *c, void *state, const st_param_val *params)
{
	chatter_state *s = state;
	chatter_cfg_load(&s->cfg, params);
	if (c->role != ST_ROLE_NODE)
		return;
	/* The clocks come back from stable storage, and the crash and the restart are two
	 * events of this process in the record: count both. */
	chatter_count(s, c->self);
	chatter_count(s, c->self);
	chatter_arm(c, s);
}

static void chatter_describe(const void *state, st_role role, st_sink *k)
{
	const chatter_state *s = state;
	if (role != ST_ROLE_NODE) {
		k->kv_int(k, "ops", s->ops);
		return;
	}
	if (s->cfg.clock == CHATTER_CLOCK_VECTOR) {
		char vcs[ST_MAX_PROCS * 11 + 3];
		chatter_vc_str(s->vc, s->n, vcs, sizeof vcs);
		k->kv_str(k, "vc", vcs);
	} else {
		k->kv_int(k, "L", (int64_t)s->L);
	}
	k->kv_int(k, "sent", s->sent);
	k->kv_int(k, "recvd", s->recvd);
	k->kv_int(k, "steps", s->steps);
}

static void chatter_encode(int type, const void *body, size_t len, st_sink *k)
{
	if (type != CHATTER_MSG_CHAT || !body || len < offsetof(chatter_msg, vc))
		return;
	chatter_msg m;
	memset(&m, 0, sizeof m);
	memcpy(&m, body, offsetof(chatter_msg, vc));
	if (m.n > ST_MAX_PROCS || len < CHATTER_MSG_LEN(m.n))
		return;
	memcpy(m.vc, (const char *)body + offsetof(chatter_msg, vc), (size_t)m.n * sizeof m.vc[0]);
	if (m.clock == CHATTER_CLOCK_VECTOR) {
		char vcs[ST_MAX_PROCS * 11 + 3];
		chatter_vc_str(m.vc, m.n, vcs, sizeof vcs);
		k->kv_str(k, "vc", vcs);
	} else {
		k->kv_int(k, "L", (int64_t)m.L);
	}
}

/* ---------------------------------------------------------------------------------------- */
/* The invariants, over process states                                                        */

/* a < b in the vector order: every entry <=, and not equal. */
static bool chatter_vc_less(const uint32_t *a, const uint32_t *b, int n)
{
	bool differ = false;
	for (int j = 0; j < n; j++) {
		if (a[j] > b[j])
			return false;
		differ |= a[j] != b[j];
	}
	return differ;
}

/* One process against what the checker saw of it last time: its clock moves exactly with
 * its events, and its last receive is stamped after the message's send. Both clocks are
 * kept, but each lesson is held to the clock it shows, so a violation names what the learner
 * sees. */
static bool chatter_ck_proc(chatter_checker *k, int p, int np, const chatter_state *s,
			    st_violation *out)
{
	int n = s->n < np ? s->n : np;
	char a[64], b[64];
	if (k->seen[p] && s->events != k->events[p]) {
		if (s->events < k->events[p])
			return st_violate(out, "own clock strictly increases", "n%d counted %u "
					    "events, then %u", p + 1, (unsigned)k->events[p],
					    (unsigned)s->events);
		uint32_t d = s->events - k->events[p];
		if (s->L < k->L[p] + d)
			return st_violate(out, "own clock strictly increases", "n%d's Lamport "
					    "clock went from %llu to %llu over %u event%s", p + 1,
					    (unsigned long long)k->L[p], (unsigned long long)s->L,
					    (unsigned)d, d == 1 ? "" : "s");
		bool vec = s->cfg.clock == CHATTER_CLOCK_VECTOR;
		if (vec && p < n && s->vc[p] != k->vc[p][p] + d)
			return st_violate(out, "own clock strictly increases", "n%d's own vector "
					    "entry went from %u to %u over %u events", p + 1,
					    (unsigned)k->vc[p][p], (unsigned)s->vc[p], (unsigned)d);
		for (int j = 0; vec && j < n; j++)
			if (s->vc[j] < k->vc[p][j])
				return st_violate(out, "own clock strictly increases", "n%d's "
						    "vector entry for process %d went back from %u "
						    "to %u", p + 1, j + 1, (unsigned)k->vc[p][j],
						    (unsigned)s->vc[j]);
	} else if (k->seen[p] && (s->L != k->L[p] ||
				  memcmp(s->vc, k->vc[p], (size_t)n * sizeof s->vc[0]) != 0)) {
		return st_violate(out, "own clock strictly increases", "n%d's clock changed "
				    "without an event", p + 1);
	}
	if (s->recvd > 0 && (!k->seen[p] || s->recvd != k->recvd[p])) {
		if (s->msg_L >= s->recv_L)
			return st_violate(out, "clock condition", "n%d received a message stamped "
					    "L=%llu and stamped the receive L=%llu: a send must be "
					    "stamped before its receive", p + 1,
					    (unsigned long long)s->msg_L,
					    (unsigned long long)s->recv_L);
		if (s->cfg.clock == CHATTER_CLOCK_VECTOR &&
		    !chatter_vc_less(s->msg_vc, s->recv_vc, n)) {
			chatter_vc_str(s->msg_vc, n, a, sizeof a);
			chatter_vc_str(s->recv_vc, n, b, sizeof b);
			return st_violate(out, "clock condition", "n%d received a message stamped "
					    "%s and stamped the receive %s: the send's vector must "
					    "be below the receive's", p + 1, a, b);
		}
	}
	k->seen[p] = true;
	k->events[p] = s->events;
	k->recvd[p] = s->recvd;
	k->L[p] = s->L;
	memcpy(k->vc[p], s->vc, sizeof k->vc[p]);
	return true;
}

static bool chatter_check(void *check_state, const st_param_val *params, const st_view *v,
			  st_violation *out)
{
	(void)params;
	chatter_checker *k = check_state;
	if (!k || !v || !v->states || !out)
		return true;
	out->detail[0] = '\0';
	int nn = v->nnodes < ST_MAX_PROCS ? v->nnodes : ST_MAX_PROCS;
	int np = v->nprocs < ST_MAX_PROCS ? v->nprocs : ST_MAX_PROCS;
	for (int p = 0; p < nn; p++)
		if (!chatter_ck_proc(k, p, np, v->states[p], out))
			return false;
	/* Nobody knows of more events of j than j has had: knowledge only travels in
	 * messages, which carry what the sender knew. */
	for (int i = 0; i < nn; i++) {
		const chatter_state *si = v->states[i];
		if (si->cfg.clock != CHATTER_CLOCK_VECTOR)
			continue;       /* the Lamport lesson is held to its own clock only */
		for (int j = 0; j < nn && j < si->n; j++) {
			const chatter_state *sj = v->states[j];
			if (j != i && si->vc[j] > sj->vc[j])
				return st_violate(out, "vector clock bound", "n%d's vector clock "
						    "says n%d has had %u events, but n%d has had "
						    "only %u", i + 1, j + 1, (unsigned)si->vc[j],
						    j + 1, (unsigned)sj->vc[j]);
		}
	}
	return true;
}

/* ---------------------------------------------------------------------------------------- */
/* The invariants, over a trace (--verify): from the `state` and the message `body`          */

typedef struct {
	int nprocs;
	bool *hasL, *hasvc;
	int64_t *L;
	int64_t *vc;        /* nprocs * nprocs */
	int64_t *tmp, *tmp2;
} chatter_tc;

static void *chatter_trace_check_new(const st_trace_info *info)
{
	int nprocs = info ? info->nprocs : 1;
	if (nprocs < 1)
		nprocs = 1;
	chatter_tc *tc = st_zalloc(1, sizeof *tc);
	size_t np = (size_t)nprocs;
	tc->nprocs = nprocs;
	tc->hasL = st_zalloc(np, sizeof *tc->hasL);
	tc->hasvc = st_zalloc(np, sizeof *tc->hasvc);
	tc->L = st_zalloc(np, sizeof *tc->L);
	tc->vc = st_zalloc(np * np, sizeof *tc->vc);
	tc->tmp = st_zalloc(np, sizeof *tc->tmp);
	tc->tmp2 = st_zalloc(np, sizeof *tc->tmp2);
	return tc;
}

/* "[2,0,1]" into out[0..n); false unless exactly n non-negative integers. */
static bool chatter_vc_parse(const char *s, int64_t *out, int n)
{
	if (*s++ != '[')
		return false;
	for (int i = 0; i < n; i++) {
		if (i && *s++ != ',')
			return false;
		if (*s < '0' || *s > '9')
			return false;
		char *end;
		out[i] = strtoll(s, &end, 10);
		s = end;
	}
	return s[0] == ']' && s[1] == '\0';
}

static bool chatter_tc_vc_less(const int64_t *a, const int64_t *b, int n)
{
	bool differ = false;
	for (int j = 0; j < n; j++) {
		if (a[j] > b[j])
			return false;
		differ |= a[j] != b[j];
	}
	return differ;
}

static bool chatter_trace_check(void *tcv, const st_tev *e, st_violation *out)
{
	chatter_tc *tc = tcv;
	if (!tc || !e || !out || !e->kind || e->proc < 0 || e->proc >= tc->nprocs || !e->has_state)
		return true;
	out->detail[0] = '\0';
	int p = e->proc, n = tc->nprocs;
	bool recv = strcmp(e->kind, "recv") == 0;
	int64_t L, bL;
	if (e->state_int && e->state_int(e, "L", &L)) {
		if (tc->hasL[p] && L <= tc->L[p])
			return st_violate(out, "own clock strictly increases", "n%d's Lamport clock "
					    "went from %lld to %lld", p + 1, (long long)tc->L[p],
					    (long long)L);
		tc->hasL[p] = true;
		tc->L[p] = L;
		if (recv && e->body_int && e->body_int(e, "L", &bL) && bL >= L)
			return st_violate(out, "clock condition", "n%d received a message stamped "
					    "L=%lld and stamped the receive L=%lld", p + 1,
					    (long long)bL, (long long)L);
	}
	const char *vs, *bvs;
	if (e->state_str && e->state_str(e, "vc", &vs)) {
		int64_t *now = tc->tmp, *old = tc->vc + (size_t)p * (size_t)n;
		if (!chatter_vc_parse(vs, now, n))
			return st_violate(out, "vector clock format", "n%d's vc \"%.40s\" is not "
					    "%d integers in brackets", p + 1, vs, n);
		if (tc->hasvc[p]) {
			if (now[p] <= old[p])
				return st_violate(out, "own clock strictly increases", "n%d's own "
						    "vector entry went from %lld to %lld", p + 1,
						    (long long)old[p], (long long)now[p]);
			for (int j = 0; j < n; j++)
				if (now[j] < old[j])
					return st_violate(out, "own clock strictly increases",
							    "n%d's vector entry %d went back from "
							    "%lld to %lld", p + 1, j + 1,
							    (long long)old[j], (long long)now[j]);
		}
		tc->hasvc[p] = true;
		memcpy(old, now, (size_t)n * sizeof *now);
		if (recv && e->body_str && e->body_str(e, "vc", &bvs)) {
			if (!chatter_vc_parse(bvs, tc->tmp2, n))
				return st_violate(out, "vector clock format", "the message's vc "
						    "\"%.40s\" is not %d integers", bvs, n);
			if (!chatter_tc_vc_less(tc->tmp2, now, n))
				return st_violate(out, "clock condition", "n%d received a message "
						    "stamped %.40s and stamped the receive %.40s", p + 1,
						    bvs, vs);
		}
	}
	return true;
}

static bool chatter_trace_check_end(void *tc, st_violation *out)
{
	(void)tc;
	(void)out;
	return true;    /* every property is checked as the events come */
}

static void chatter_trace_check_free(void *tcv)
{
	chatter_tc *tc = tcv;
	if (!tc)
		return;
	free(tc->hasL);
	free(tc->hasvc);
	free(tc->L);
	free(tc->vc);
	free(tc->tmp);
	free(tc->tmp2);
	free(tc);
}

const st_protocol chatter_protocol = {
	.name = "chatter",
	.version = "1",
	.summary = "Processes chatting at random, keeping Lamport and vector clocks",
	.state_size = sizeof(chatter_state),
	.max_msg_size = sizeof(chatter_msg),
	.msg_types = chatter_msg_names, .n_msg_types = CHATTER_MSG__COUNT,
	.timer_names = chatter_timer_names, .n_timers = CHATTER_T__COUNT,
	.params = chatter_params, .n_params = CHATTER_P__COUNT,
	.init = chatter_init,
	.on_message = chatter_on_message,
	.on_timer = chatter_on_timer,
	.on_client = chatter_on_client,
	.on_restart = chatter_on_restart,
	.describe = chatter_describe,
	.encode = chatter_encode,
	.check_size = sizeof(chatter_checker),
	.check = chatter_check,
	.trace_check_new = chatter_trace_check_new,
	.trace_check = chatter_trace_check,
	.trace_check_end = chatter_trace_check_end,
	.trace_check_free = chatter_trace_check_free,
	.picture = chatter_picture,
};
