/* test_raft.c: Raft's single-process rules and its checkers, against a fake context.
 *
 * The protocol is a pure state machine, so these tests drive one process directly: a fake
 * st_ctx records what a handler sent, which timers it set, how it labelled the event, what it
 * applied and which client ops it completed, and hands out a fixed random sequence. They keep
 * what a script cannot set up as well: a log built by hand (conflicts, a full log, late and
 * stale messages), the describe/encode text, and the invariant checkers fed states and trace
 * events that no correct run produces. Everything that takes several processes (an election,
 * a split vote, log repair after a partition, Figure 8 with and without the commit-old-term
 * bug) is a script on the real simulator: tests/script/raft-*.txt. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "src/protocols/raft.h"

#define P (&raft_protocol)
#define MS 1000

/* ---------------------------------------------------------------------------------------- */
/* The fake context (fake_ctx.h), with Raft's own checks                                      */

#define FK_MSG_BODY sizeof(raft_append)
#define FK_MAX_SENT 256
#define FK_MAX_LOCALS (RAFT_LOG_MAX + 8)
#define FK_MAX_DONE 64
#include "fake_ctx.h"

/* An apply's body: nothing else. */
static const fk_key apply_keys[] = {
	{"index", ST_V_INT}, {"term", ST_V_INT}, {"cmd", ST_V_STR}, {NULL, 0},
};

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                    */

static st_param_val params[RAFT_P__COUNT];

static const st_param_val *defaults(void)
{
	for (int i = 0; i < P->n_params; i++) {
		params[i].lo = P->params[i].def_lo;
		params[i].hi = P->params[i].def_hi;
	}
	return params;
}

static raft_state *new_state(void)
{
	raft_state *s = calloc(1, P->state_size);
	assert_non_null(s);
	return s;
}

static fake *new_fake(int self, int nnodes, int nclients)
{
	fake *f = fk_new(self, nnodes, nclients);
	f->label_max = 24;                      /* labels are short, for a timeline */
	f->max_msg = P->max_msg_size;
	f->ntimers = RAFT_T__COUNT;
	f->local_keys = apply_keys;
	return f;
}

static raft_cmd mkcmd(int client, int64_t value, uint32_t invoke)
{
	raft_cmd c;
	memset(&c, 0, sizeof c);
	c.client = (uint8_t)client;
	c.value = value;
	c.has_value = 1;
	c.invoke = invoke;
	snprintf(c.f, sizeof c.f, "write");
	return c;
}

/* Give a node a log of entries with these terms (values 1.. , client c1), hash-chained. */
static void set_log(raft_state *s, const uint32_t *terms, int n, int value_base)
{
	raft_node *nd = &s->n;
	nd->log_len = 0;
	for (int i = 1; i <= n; i++) {
		raft_entry *e = &nd->log[i];
		memset(e, 0, sizeof *e);
		e->cmd = mkcmd(0, value_base + i, (uint32_t)(100 + value_base + i));
		e->term = terms[i - 1];
		e->hash = raft_entry_hash(nd->log[i - 1].hash, e->term, &e->cmd);
		nd->log_len = (uint32_t)i;
	}
}

static void deliver(fake *f, raft_state *s, int from, int type, const void *body, size_t len)
{
	fk_deliver(f, P, s, from, type, body, len);
}

static void fire(fake *f, raft_state *s, int timer) { fk_fire(f, P, s, timer); }

static const fk_msg *last_sent(const fake *f, int type)
{
	for (int i = f->nsent - 1; i >= 0; i--)
		if (f->sent[i].type == type)
			return &f->sent[i];
	return NULL;
}

static raft_vote_req vote_req(uint32_t term, int cand, uint32_t lli, uint32_t llt)
{
	raft_vote_req m;
	memset(&m, 0, sizeof m);
	m.term = term;
	m.candidate = cand;
	m.last_log_index = lli;
	m.last_log_term = llt;
	return m;
}

static raft_vote_reply sent_vote(const fake *f)
{
	const fk_msg *m = last_sent(f, RAFT_MSG_VOTE_REPLY);
	assert_non_null(m);
	raft_vote_reply r;
	memcpy(&r, m->body, sizeof r);
	return r;
}

static raft_append_reply sent_append_reply(const fake *f)
{
	const fk_msg *m = last_sent(f, RAFT_MSG_APPEND_REPLY);
	assert_non_null(m);
	raft_append_reply r;
	memcpy(&r, m->body, sizeof r);
	return r;
}

/* An AppendEntries of the given entries (terms; commands value_base+1..). */
static size_t mk_append(raft_append *m, uint32_t term, int leader, uint32_t prev_index,
			uint32_t prev_term, uint32_t commit, const uint32_t *terms, int n,
			int value_base)
{
	memset(m, 0, sizeof *m);
	m->term = term;
	m->leader = leader;
	m->prev_index = prev_index;
	m->prev_term = prev_term;
	m->leader_commit = commit;
	m->n = (uint32_t)n;
	for (int i = 0; i < n; i++) {
		m->e[i].term = terms[i];
		m->e[i].cmd = mkcmd(0, value_base + (int)prev_index + i + 1,
				    (uint32_t)(100 + value_base + (int)prev_index + i + 1));
	}
	return offsetof(raft_append, e) + (size_t)n * sizeof(raft_wire_entry);
}

static raft_append_reply append_reply(uint32_t term, bool ok, uint32_t match, uint32_t hint)
{
	raft_append_reply r;
	memset(&r, 0, sizeof r);
	r.term = term;
	r.success = ok;
	r.match_index = match;
	r.hint = hint;
	return r;
}

/* Make node s (fake f) the leader of `term` by hand, as raft_become_leader leaves it. */
static void make_leader(fake *f, raft_state *s, uint32_t term)
{
	raft_node *n = &s->n;
	n->term = term;
	n->role = RAFT_CANDIDATE;
	n->voted_for = f->ctx.self;
	n->votes = 1u << f->ctx.self;
	for (int p = 0; p < f->ctx.nnodes && n->role != RAFT_LEADER; p++) {
		if (p == f->ctx.self)
			continue;
		raft_vote_reply r = {.term = term, .granted = 1};
		deliver(f, s, p, RAFT_MSG_VOTE_REPLY, &r, sizeof r);
	}
	assert_int_equal(n->role, RAFT_LEADER);
}

/* ---------------------------------------------------------------------------------------- */
/* Elections                                                                                  */

static void test_descriptor(void **st)
{
	(void)st;
	assert_string_equal(P->name, "raft");
	assert_string_equal(P->version, "1");
	assert_int_equal(P->n_msg_types, 6);
	assert_string_equal(P->msg_types[RAFT_MSG_APPEND], "AppendEntries");
	assert_string_equal(P->timer_names[RAFT_T_ELECTION], "election timeout");
	assert_string_equal(P->params[RAFT_P_BUG].choices[1], "commit-old-term");
	assert_true(P->max_msg_size >= offsetof(raft_append, e) +
		    (size_t)P->params[RAFT_P_MAX_BATCH].max * sizeof(raft_wire_entry));
	assert_true(P->check_size > 0 && P->check_size <= 64 * 1024);
}

static void test_init_sets_random_election_timer(void **st)
{
	(void)st;
	fake *f = new_fake(0, 3, 0);
	raft_state *s = new_state();
	P->init(&f->ctx, s, defaults());
	assert_true(f->timer_on[RAFT_T_ELECTION]);
	assert_in_range(f->timer_delay[RAFT_T_ELECTION], 150 * MS, 300 * MS);
	assert_int_equal(s->n.role, RAFT_FOLLOWER);
	assert_int_equal(s->n.voted_for, -1);
	assert_int_equal(s->n.term, 0);
	free(s);
	free(f);
}

static void test_vote_granted_once_per_term(void **st)
{
	(void)st;
	fake *f = new_fake(2, 3, 0);
	raft_state *s = new_state();
	P->init(&f->ctx, s, defaults());
	raft_vote_req a = vote_req(1, 0, 0, 0), b = vote_req(1, 1, 0, 0);
	deliver(f, s, 0, RAFT_MSG_REQUEST_VOTE, &a, sizeof a);
	assert_true(sent_vote(f).granted);
	assert_string_equal(f->label, "vote for n1");
	assert_int_equal(s->n.voted_for, 0);
	assert_int_equal(s->n.term, 1);
	deliver(f, s, 1, RAFT_MSG_REQUEST_VOTE, &b, sizeof b);
	assert_false(sent_vote(f).granted);
	assert_string_equal(f->label, "reject vote");
	assert_non_null(strstr(f->note, "already voted for n1"));
	/* the same candidate asking again (its reply was lost) gets the vote again */
	deliver(f, s, 0, RAFT_MSG_REQUEST_VOTE, &a, sizeof a);
	assert_true(sent_vote(f).granted);
	/* a new term is a new vote */
	raft_vote_req c = vote_req(2, 1, 0, 0);
	deliver(f, s, 1, RAFT_MSG_REQUEST_VOTE, &c, sizeof c);
	assert_true(sent_vote(f).granted);
	assert_int_equal(s->n.voted_for, 1);
	/* a stale term gets no vote, and the reply carries the newer term */
	raft_vote_req d = vote_req(1, 0, 0, 0);
	deliver(f, s, 0, RAFT_MSG_REQUEST_VOTE, &d, sizeof d);
	assert_false(sent_vote(f).granted);
	assert_int_equal(sent_vote(f).term, 2);
	free(s);
	free(f);
}

static void test_vote_refused_to_less_up_to_date_log(void **st)
{
	(void)st;
	fake *f = new_fake(2, 3, 0);
	raft_state *s = new_state();
	P->init(&f->ctx, s, defaults());
	static const uint32_t terms[] = {1, 1, 2};
	set_log(s, terms, 3, 0);
	s->n.term = 2;
	/* lower last term, longer log: refused */
	raft_vote_req a = vote_req(3, 0, 5, 1);
	deliver(f, s, 0, RAFT_MSG_REQUEST_VOTE, &a, sizeof a);
	assert_false(sent_vote(f).granted);
	assert_string_equal(f->label, "reject vote");
	assert_non_null(strstr(f->note, "n3's log is more up-to-date than n1's: last term 2 > 1"));
	assert_int_equal(s->n.term, 3);         /* the term is still adopted */
	assert_int_equal(s->n.voted_for, -1);
	/* same last term, shorter: refused */
	raft_vote_req b = vote_req(3, 1, 2, 2);
	deliver(f, s, 1, RAFT_MSG_REQUEST_VOTE, &b, sizeof b);
	assert_false(sent_vote(f).granted);
	assert_non_null(strstr(f->note, "same last term 2"));
	/* same last term, same length: granted */
	raft_vote_req c = vote_req(3, 1, 3, 2);
	deliver(f, s, 1, RAFT_MSG_REQUEST_VOTE, &c, sizeof c);
	assert_true(sent_vote(f).granted);
	free(s);
	free(f);
}

static void test_majority_of_votes_makes_leader(void **st)
{
	(void)st;
	fake *f = new_fake(0, 5, 0);
	raft_state *s = new_state();
	P->init(&f->ctx, s, defaults());
	static const uint32_t terms[] = {1, 1};
	set_log(s, terms, 2, 0);
	s->n.term = 1;
	fire(f, s, RAFT_T_ELECTION);
	assert_int_equal(s->n.term, 2);
	raft_vote_reply yes = {.term = 2, .granted = 1}, no = {.term = 2, .granted = 0};
	deliver(f, s, 1, RAFT_MSG_VOTE_REPLY, &yes, sizeof yes);
	deliver(f, s, 2, RAFT_MSG_VOTE_REPLY, &no, sizeof no);
	deliver(f, s, 1, RAFT_MSG_VOTE_REPLY, &yes, sizeof yes);    /* a duplicate counts once */
	assert_int_equal(s->n.role, RAFT_CANDIDATE);
	assert_int_equal(f->nsent, 0);
	deliver(f, s, 3, RAFT_MSG_VOTE_REPLY, &yes, sizeof yes);
	assert_int_equal(s->n.role, RAFT_LEADER);
	assert_int_equal(s->n.leader, 0);
	assert_string_equal(f->label, "became leader");
	assert_int_equal(f->label_flags & ST_LABEL_MILESTONE, ST_LABEL_MILESTONE);
	assert_int_equal(fk_count_sent(f, RAFT_MSG_APPEND), 4);
	raft_append m;
	memcpy(&m, last_sent(f, RAFT_MSG_APPEND)->body, offsetof(raft_append, e));
	assert_int_equal(m.term, 2);
	assert_int_equal(m.prev_index, 2);      /* nextIndex starts past the leader's log */
	assert_int_equal(m.prev_term, 1);
	assert_int_equal(m.n, 0);
	assert_false(f->timer_on[RAFT_T_ELECTION]);
	assert_true(f->timer_on[RAFT_T_HEARTBEAT]);
	assert_int_equal(f->timer_delay[RAFT_T_HEARTBEAT], 50 * MS);
	fire(f, s, RAFT_T_HEARTBEAT);
	assert_int_equal(fk_count_sent(f, RAFT_MSG_APPEND), 4);
	assert_true(f->timer_on[RAFT_T_HEARTBEAT]);
	/* an election timeout left over does not unseat a leader */
	fire(f, s, RAFT_T_ELECTION);
	assert_int_equal(s->n.role, RAFT_LEADER);
	assert_int_equal(s->n.term, 2);
	free(s);
	free(f);
}

static void test_higher_term_steps_down_leader(void **st)
{
	(void)st;
	fake *f = new_fake(0, 3, 0);
	raft_state *s = new_state();
	P->init(&f->ctx, s, defaults());
	make_leader(f, s, 3);
	assert_true(f->timer_on[RAFT_T_HEARTBEAT]);
	raft_append_reply r = append_reply(5, false, 0, 0);
	deliver(f, s, 2, RAFT_MSG_APPEND_REPLY, &r, sizeof r);
	assert_int_equal(s->n.role, RAFT_FOLLOWER);
	assert_int_equal(s->n.term, 5);
	assert_int_equal(s->n.voted_for, -1);
	assert_int_equal(s->n.leader, -1);
	assert_string_equal(f->label, "step down");
	assert_false(f->timer_on[RAFT_T_HEARTBEAT]);
	assert_true(f->timer_on[RAFT_T_ELECTION]);
	assert_int_equal(f->nsent, 0);
	/* a candidate hearing from the leader of its own term follows it */
	fake *g = new_fake(1, 3, 0);
	raft_state *t = new_state();
	P->init(&g->ctx, t, defaults());
	fire(g, t, RAFT_T_ELECTION);
	raft_append m;
	size_t len = mk_append(&m, 1, 2, 0, 0, 0, NULL, 0, 0);
	deliver(g, t, 2, RAFT_MSG_APPEND, &m, len);
	assert_int_equal(t->n.role, RAFT_FOLLOWER);
	assert_int_equal(t->n.leader, 2);
	assert_true(sent_append_reply(g).success);
	free(t);
	free(g);
	free(s);
	free(f);
}

/* ---------------------------------------------------------------------------------------- */
/* Replication                                                                                */

static void test_append_consistency_check_rejects_mismatch(void **st)
{
	(void)st;
	fake *f = new_fake(1, 3, 0);
	raft_state *s = new_state();
	P->init(&f->ctx, s, defaults());
	static const uint32_t mine[] = {1, 1, 1};
	set_log(s, mine, 3, 0);
	s->n.term = 2;
	static const uint32_t one[] = {2};
	raft_append m;
	/* prev 3 has term 1 here, the leader says 2: refuse, hint at the start of term 1 */
	size_t len = mk_append(&m, 2, 0, 3, 2, 0, one, 1, 50);
	deliver(f, s, 0, RAFT_MSG_APPEND, &m, len);
	raft_append_reply r = sent_append_reply(f);
	assert_false(r.success);
	assert_int_equal(r.term, 2);
	assert_int_equal(r.hint, 1);
	assert_string_equal(f->label, "reject append");
	assert_int_equal(s->n.log_len, 3);      /* nothing changed */
	assert_int_equal(s->n.leader, 0);
	/* prev past our log: hint = our length + 1 */
	len = mk_append(&m, 2, 0, 6, 2, 0, one, 1, 50);
	deliver(f, s, 0, RAFT_MSG_APPEND, &m, len);
	r = sent_append_reply(f);
	assert_false(r.success);
	assert_int_equal(r.hint, 4);
	/* a stale leader is refused with our term */
	len = mk_append(&m, 1, 2, 0, 0, 0, NULL, 0, 0);
	deliver(f, s, 2, RAFT_MSG_APPEND, &m, len);
	r = sent_append_reply(f);
	assert_false(r.success);
	assert_int_equal(r.term, 2);
	assert_int_equal(s->n.leader, 0);
	/* the matching prev is accepted */
	len = mk_append(&m, 2, 0, 3, 1, 0, one, 1, 0);
	deliver(f, s, 0, RAFT_MSG_APPEND, &m, len);
	r = sent_append_reply(f);
	assert_true(r.success);
	assert_int_equal(r.match_index, 4);
	assert_int_equal(s->n.log_len, 4);
	assert_string_equal(f->label, "append 4");
	free(s);
	free(f);
}

static void test_conflict_truncates(void **st)
{
	(void)st;
	fake *f = new_fake(1, 3, 0);
	raft_state *s = new_state();
	P->init(&f->ctx, s, defaults());
	static const uint32_t mine[] = {1, 1, 2, 2, 2};
	set_log(s, mine, 5, 0);
	s->n.term = 2;
	static const uint32_t theirs[] = {3};
	raft_append m;
	size_t len = mk_append(&m, 3, 0, 2, 1, 0, theirs, 1, 0);
	deliver(f, s, 0, RAFT_MSG_APPEND, &m, len);
	raft_append_reply r = sent_append_reply(f);
	assert_true(r.success);
	assert_int_equal(r.match_index, 3);
	assert_int_equal(s->n.log_len, 3);      /* 4 and 5 went with the conflicting 3 */
	assert_int_equal(s->n.log[3].term, 3);
	assert_int_equal(s->n.log[3].cmd.value, 3);
	assert_string_equal(f->label, "truncate at 3");
	/* the hash chain is recomputed locally */
	assert_int_equal(s->n.log[3].hash,
			 raft_entry_hash(s->n.log[2].hash, 3, &s->n.log[3].cmd));
	free(s);
	free(f);
}

static void test_stale_append_does_not_truncate(void **st)
{
	(void)st;
	fake *f = new_fake(1, 3, 0);
	raft_state *s = new_state();
	P->init(&f->ctx, s, defaults());
	static const uint32_t mine[] = {1, 1, 1, 1};
	set_log(s, mine, 4, 0);
	s->n.term = 1;
	uint64_t h4 = s->n.log[4].hash;
	/* an old AppendEntries carrying entry 2 only, delivered late */
	static const uint32_t two[] = {1};
	raft_append m;
	size_t len = mk_append(&m, 1, 0, 1, 1, 0, two, 1, 0);
	deliver(f, s, 0, RAFT_MSG_APPEND, &m, len);
	raft_append_reply r = sent_append_reply(f);
	assert_true(r.success);
	assert_int_equal(r.match_index, 2);     /* what this message proves, not log_len */
	assert_int_equal(s->n.log_len, 4);
	assert_int_equal(s->n.log[4].hash, h4);
	assert_int_equal(f->nlabels, 0);        /* nothing happened worth a label */
	free(s);
	free(f);
}

static void test_leader_backs_up_next_index(void **st)
{
	(void)st;
	fake *f = new_fake(0, 3, 0);
	raft_state *s = new_state();
	P->init(&f->ctx, s, defaults());
	static const uint32_t terms[] = {1, 1, 2, 2, 3};
	set_log(s, terms, 5, 0);
	make_leader(f, s, 3);
	assert_int_equal(s->n.next[1], 6);
	raft_append_reply r = append_reply(3, false, 0, 3);
	deliver(f, s, 1, RAFT_MSG_APPEND_REPLY, &r, sizeof r);
	assert_int_equal(s->n.next[1], 3);
	const fk_msg *sent = last_sent(f, RAFT_MSG_APPEND);
	assert_non_null(sent);
	assert_int_equal(sent->to, 1);
	raft_append m;
	memcpy(&m, sent->body, sent->len);
	assert_int_equal(m.prev_index, 2);
	assert_int_equal(m.prev_term, 1);
	assert_int_equal(m.n, 3);
	/* no hint: back up by one */
	r = append_reply(3, false, 0, 0);
	deliver(f, s, 1, RAFT_MSG_APPEND_REPLY, &r, sizeof r);
	assert_int_equal(s->n.next[1], 2);
	/* success moves both; a stale failure afterwards never goes below match + 1 */
	r = append_reply(3, true, 5, 0);
	deliver(f, s, 1, RAFT_MSG_APPEND_REPLY, &r, sizeof r);
	assert_int_equal(s->n.match[1], 5);
	assert_int_equal(s->n.next[1], 6);
	r = append_reply(3, false, 0, 1);
	deliver(f, s, 1, RAFT_MSG_APPEND_REPLY, &r, sizeof r);
	assert_int_equal(s->n.next[1], 6);
	/* a smaller, late success does not lower match */
	r = append_reply(3, true, 2, 0);
	deliver(f, s, 1, RAFT_MSG_APPEND_REPLY, &r, sizeof r);
	assert_int_equal(s->n.match[1], 5);
	free(s);
	free(f);
}

static void test_batch_respects_max_batch(void **st)
{
	(void)st;
	fake *f = new_fake(0, 3, 0);
	raft_state *s = new_state();
	st_param_val *pv = (st_param_val *)defaults();
	pv[RAFT_P_MAX_BATCH].lo = 2;
	P->init(&f->ctx, s, pv);
	static const uint32_t terms[] = {1, 1, 1, 1, 1};
	set_log(s, terms, 5, 0);
	make_leader(f, s, 2);
	s->n.next[2] = 1;
	fk_clear(f);
	fire(f, s, RAFT_T_HEARTBEAT);
	for (int i = 0; i < f->nsent; i++) {
		raft_append m;
		memcpy(&m, f->sent[i].body, f->sent[i].len);
		if (f->sent[i].to == 2) {
			assert_int_equal(m.n, 2);
			assert_int_equal(f->sent[i].len,
					 offsetof(raft_append, e) + 2 * sizeof(raft_wire_entry));
		}
	}
	free(s);
	free(f);
}

/* ---------------------------------------------------------------------------------------- */
/* Commit and apply                                                                           */

static void test_commit_needs_majority(void **st)
{
	(void)st;
	fake *f = new_fake(0, 5, 0);
	raft_state *s = new_state();
	P->init(&f->ctx, s, defaults());
	static const uint32_t terms[] = {2, 2};
	set_log(s, terms, 2, 0);
	make_leader(f, s, 2);
	raft_append_reply r = append_reply(2, true, 2, 0);
	deliver(f, s, 1, RAFT_MSG_APPEND_REPLY, &r, sizeof r);
	assert_int_equal(s->n.commit, 0);       /* 2 of 5 */
	r = append_reply(2, true, 1, 0);
	deliver(f, s, 3, RAFT_MSG_APPEND_REPLY, &r, sizeof r);
	assert_int_equal(s->n.commit, 1);       /* 3 of 5 hold entry 1 */
	r = append_reply(2, true, 2, 0);
	deliver(f, s, 4, RAFT_MSG_APPEND_REPLY, &r, sizeof r);
	assert_int_equal(s->n.commit, 2);
	free(s);
	free(f);
}

static void test_follower_applies_in_order(void **st)
{
	(void)st;
	fake *f = new_fake(1, 3, 1);
	raft_state *s = new_state();
	P->init(&f->ctx, s, defaults());
	static const uint32_t terms[] = {1, 1, 2};
	raft_append m;
	size_t len = mk_append(&m, 2, 0, 0, 0, 2, terms, 3, 0);
	deliver(f, s, 0, RAFT_MSG_APPEND, &m, len);
	assert_int_equal(s->n.log_len, 3);
	assert_int_equal(s->n.commit, 2);
	assert_int_equal(f->nloc, 2);
	for (int i = 0; i < 2; i++) {
		assert_string_equal(f->loc[i].label, "apply");
		assert_int_equal(f->loc[i].nbody, 3);
		assert_int_equal(fk_int(&f->loc[i], "index"), i + 1);
		assert_int_equal(fk_int(&f->loc[i], "term"), 1);
	}
	assert_string_equal(fk_str(&f->loc[0], "cmd"), "c1:write 1");
	assert_string_equal(fk_str(&f->loc[1], "cmd"), "c1:write 2");
	assert_int_equal(fk_count_sent(f, RAFT_MSG_CLIENT_REPLY), 0);     /* followers don't answer */
	/* commit learned is capped by what the message proves: a heartbeat with prev 1 and
	 * leader_commit 3 proves only index 1 */
	len = mk_append(&m, 2, 0, 1, 1, 3, NULL, 0, 0);
	deliver(f, s, 0, RAFT_MSG_APPEND, &m, len);
	assert_int_equal(s->n.commit, 2);
	assert_int_equal(f->nloc, 0);
	len = mk_append(&m, 2, 0, 3, 2, 3, NULL, 0, 0);
	deliver(f, s, 0, RAFT_MSG_APPEND, &m, len);
	assert_int_equal(s->n.commit, 3);
	assert_int_equal(f->nloc, 1);
	assert_int_equal(fk_int(&f->loc[0], "index"), 3);
	assert_int_equal(fk_int(&f->loc[0], "term"), 2);
	assert_string_equal(f->label, "commit 3");
	assert_int_equal(f->label_flags & ST_LABEL_MILESTONE, 0);   /* only a leader's commit */
	free(s);
	free(f);
}

static void test_restart_keeps_persistent_state(void **st)
{
	(void)st;
	fake *f = new_fake(0, 3, 0);
	raft_state *s = new_state();
	P->init(&f->ctx, s, defaults());
	static const uint32_t terms[] = {1, 2, 2};
	set_log(s, terms, 3, 0);
	make_leader(f, s, 2);
	raft_append_reply r = append_reply(2, true, 3, 0);
	deliver(f, s, 1, RAFT_MSG_APPEND_REPLY, &r, sizeof r);
	assert_int_equal(s->n.commit, 3);
	assert_int_equal(s->n.applied, 3);
	fk_clear(f);
	f->timer_on[RAFT_T_ELECTION] = f->timer_on[RAFT_T_HEARTBEAT] = false;
	P->on_restart(&f->ctx, s, defaults());
	assert_int_equal(s->n.term, 2);
	assert_int_equal(s->n.voted_for, 0);
	assert_int_equal(s->n.log_len, 3);
	assert_int_equal(s->n.log[2].term, 2);
	assert_int_equal(s->n.role, RAFT_FOLLOWER);
	assert_int_equal(s->n.commit, 0);
	assert_int_equal(s->n.applied, 0);
	assert_int_equal(s->n.leader, -1);
	assert_true(f->timer_on[RAFT_T_ELECTION]);
	assert_false(f->timer_on[RAFT_T_HEARTBEAT]);
	/* it applies again from index 1 as it learns the commit index */
	raft_append m;
	size_t len = mk_append(&m, 3, 1, 3, 2, 3, NULL, 0, 0);
	deliver(f, s, 1, RAFT_MSG_APPEND, &m, len);
	assert_int_equal(f->nloc, 3);
	assert_int_equal(fk_int(&f->loc[0], "index"), 1);
	free(s);
	free(f);
}

/* ---------------------------------------------------------------------------------------- */
/* Clients                                                                                    */

static st_op mkop(int64_t value, int node, uint32_t invoke)
{
	st_op op;
	memset(&op, 0, sizeof op);
	snprintf(op.f, sizeof op.f, "write");
	op.value = value;
	op.has_value = true;
	op.node = node;
	op.invoke = invoke;
	return op;
}

/* One client's answers, handed to it by hand: a stale answer (another op's invoke) is ignored,
 * an ok completes the op and teaches the leader; and a leader whose log is full (a state no
 * script reaches in reasonable time) refuses with "full", which the client takes as a
 * definite fail. The redirect and retry paths are tests/script/raft-client.txt. */
static void test_client_ok_fail_and_stale(void **st)
{
	(void)st;
	fake *f = new_fake(3, 3, 1);
	raft_state *s = new_state();
	P->init(&f->ctx, s, defaults());
	st_op op = mkop(1, -1, 30);
	fk_clear(f);
	P->on_client(&f->ctx, s, &op);
	raft_client_reply stale = {.invoke = 29, .status = RAFT_REPLY_OK, .leader = 0};
	deliver(f, s, 0, RAFT_MSG_CLIENT_REPLY, &stale, sizeof stale);
	assert_int_equal(f->ndone, 0);
	assert_true(s->c.busy);
	raft_client_reply ok = {.invoke = 30, .status = RAFT_REPLY_OK, .leader = 2, .index = 4};
	deliver(f, s, 2, RAFT_MSG_CLIENT_REPLY, &ok, sizeof ok);
	assert_int_equal(f->ndone, 1);
	assert_int_equal(f->done[0].type, ST_OP_OK);
	assert_int_equal(s->c.leader, 2);
	assert_int_equal(s->c.done, 1);
	/* the next op goes to the leader it learned */
	op = mkop(2, -1, 31);
	fk_clear(f);
	P->on_client(&f->ctx, s, &op);
	assert_int_equal(last_sent(f, RAFT_MSG_CLIENT_REQUEST)->to, 2);
	/* a leader with a full log refuses */
	fake *fl = new_fake(2, 3, 1);
	raft_state *l = new_state();
	P->init(&fl->ctx, l, defaults());
	static uint32_t full[RAFT_LOG_MAX];
	for (int i = 0; i < RAFT_LOG_MAX; i++)
		full[i] = 1;
	set_log(l, full, RAFT_LOG_MAX, 0);
	make_leader(fl, l, 1);
	raft_client_req q;
	memset(&q, 0, sizeof q);
	q.cmd = mkcmd(0, 2, 31);
	deliver(fl, l, 3, RAFT_MSG_CLIENT_REQUEST, &q, sizeof q);
	assert_int_equal(l->n.log_len, RAFT_LOG_MAX);
	assert_string_equal(fl->label, "log full");
	const fk_msg *rep = last_sent(fl, RAFT_MSG_CLIENT_REPLY);
	assert_non_null(rep);
	raft_client_reply r;
	memcpy(&r, rep->body, sizeof r);
	assert_int_equal(r.status, RAFT_REPLY_FULL);
	assert_int_equal(r.invoke, 31);
	/* the client takes "full" as a definite fail */
	raft_client_reply fr = {.invoke = 31, .status = RAFT_REPLY_FULL, .leader = 2};
	deliver(f, s, 2, RAFT_MSG_CLIENT_REPLY, &fr, sizeof fr);
	assert_int_equal(f->ndone, 1);
	assert_int_equal(f->done[0].type, ST_OP_FAIL);
	free(l);
	free(fl);
	free(s);
	free(f);
}

/* ---------------------------------------------------------------------------------------- */
/* describe and encode                                                                        */

typedef struct {
	st_sink s;
	char out[2048];
	int depth;
} txt_sink;

static void ts_put(st_sink *s, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void ts_put(st_sink *s, const char *key, const char *fmt, ...)
{
	txt_sink *t = (txt_sink *)s;
	size_t l = strlen(t->out);
	if (key)
		l += (size_t)snprintf(t->out + l, sizeof t->out - l, "%s=", key);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->out + l, sizeof t->out - l, fmt, ap);
	va_end(ap);
	l = strlen(t->out);
	snprintf(t->out + l, sizeof t->out - l, " ");
}
static void ts_int(st_sink *s, const char *k, int64_t v) { ts_put(s, k, "%lld", (long long)v); }
static void ts_str(st_sink *s, const char *k, const char *v) { ts_put(s, k, "'%s'", v); }
static void ts_proc(st_sink *s, const char *k, int p) { ts_put(s, k, "p%d", p); }
static void ts_bool(st_sink *s, const char *k, bool v) { ts_put(s, k, "%s", v ? "T" : "F"); }
static void ts_begin(st_sink *s, const char *k, bool arr)
{
	((txt_sink *)s)->depth++;
	ts_put(s, k, "%s", arr ? "[" : "{");
}
static void ts_end(st_sink *s)
{
	((txt_sink *)s)->depth--;
	ts_put(s, NULL, "%s", "}");
}
static void ts_init(txt_sink *t)
{
	memset(t, 0, sizeof *t);
	t->s.kv_int = ts_int;
	t->s.kv_str = ts_str;
	t->s.kv_proc = ts_proc;
	t->s.kv_bool = ts_bool;
	t->s.begin = ts_begin;
	t->s.end = ts_end;
}

static void test_describe_and_encode(void **st)
{
	(void)st;
	fake *f = new_fake(1, 3, 1);
	raft_state *s = new_state();
	P->init(&f->ctx, s, defaults());
	static const uint32_t terms[] = {1, 2};
	set_log(s, terms, 2, 0);
	s->n.term = 3;
	s->n.commit = 1;
	s->n.leader = 0;
	txt_sink t;
	ts_init(&t);
	P->describe(s, ST_ROLE_NODE, &t.s);
	assert_string_equal(t.out, "role='follower' term=3 commit=1 voted_for=p-1 log_len=2 "
			    "last_log_term=2 leader=p0 ");
	raft_append m;
	size_t len = mk_append(&m, 3, 0, 1, 1, 1, terms + 1, 1, 0);
	ts_init(&t);
	P->encode(RAFT_MSG_APPEND, &m, len, &t.s);
	assert_string_equal(t.out, "term=3 leader=p0 prev_index=1 prev_term=1 entries=[ { term=2 "
			    "cmd='c1:write 2' } } leader_commit=1 ");
	assert_int_equal(t.depth, 0);
	/* a truncated body is not read past its end */
	ts_init(&t);
	P->encode(RAFT_MSG_APPEND, &m, len - 1, &t.s);
	assert_string_equal(t.out, "");
	raft_state *c = new_state();
	fake *fc = new_fake(3, 3, 1);
	P->init(&fc->ctx, c, defaults());
	ts_init(&t);
	P->describe(c, ST_ROLE_CLIENT, &t.s);
	assert_string_equal(t.out, "op=-1 done=0 leader=p0 attempts=0 ");
	free(c);
	free(fc);
	free(s);
	free(f);
}

/* ---------------------------------------------------------------------------------------- */
/* The invariant checker over states                                                          */

typedef struct {
	raft_state *st[ST_MAX_PROCS];
	const void *ptr[ST_MAX_PROCS];
	bool up[ST_MAX_PROCS];
	st_view v;
	raft_checker *ck;
} ck_fix;

static void ck_init(ck_fix *x, int nn)
{
	memset(x, 0, sizeof *x);
	for (int p = 0; p < nn; p++) {
		x->st[p] = new_state();
		x->st[p]->n.voted_for = -1;
		x->st[p]->n.leader = -1;
		x->ptr[p] = x->st[p];
		x->up[p] = true;
	}
	x->v.nprocs = x->v.nnodes = nn;
	x->v.states = x->ptr;
	x->v.up = x->up;
	x->ck = calloc(1, P->check_size);
	assert_non_null(x->ck);
}

static void ck_free(ck_fix *x)
{
	for (int p = 0; p < x->v.nnodes; p++)
		free(x->st[p]);
	free(x->ck);
}

static bool ck_run(ck_fix *x, st_violation *out)
{
	memset(out, 0, sizeof *out);
	return P->check(x->ck, defaults(), &x->v, out);
}

static void test_check_two_leaders_in_one_term(void **st)
{
	(void)st;
	ck_fix x;
	ck_init(&x, 3);
	st_violation v;
	x.st[0]->n.role = RAFT_LEADER;
	x.st[0]->n.term = 3;
	assert_true(ck_run(&x, &v));
	/* n1 steps down, n3 claims the same term later: caught across time */
	x.st[0]->n.role = RAFT_FOLLOWER;
	x.st[2]->n.role = RAFT_LEADER;
	x.st[2]->n.term = 3;
	assert_false(ck_run(&x, &v));
	assert_string_equal(v.invariant, "election safety");
	assert_non_null(strstr(v.detail, "n1 and n3"));
	assert_non_null(strstr(v.detail, "term 3"));
	ck_free(&x);
	/* and at the same moment */
	ck_init(&x, 3);
	x.st[0]->n.role = x.st[1]->n.role = RAFT_LEADER;
	x.st[0]->n.term = x.st[1]->n.term = 2;
	assert_false(ck_run(&x, &v));
	assert_string_equal(v.invariant, "election safety");
	/* leaders of different terms are fine */
	x.st[1]->n.term = 3;
	ck_free(&x);
	ck_init(&x, 3);
	x.st[0]->n.role = x.st[1]->n.role = RAFT_LEADER;
	x.st[0]->n.term = 2;
	x.st[1]->n.term = 3;
	assert_true(ck_run(&x, &v));
	ck_free(&x);
}

static void test_check_log_matching(void **st)
{
	(void)st;
	ck_fix x;
	ck_init(&x, 3);
	st_violation v;
	static const uint32_t a[] = {1, 1, 2, 2}, b[] = {1, 1, 2}, c[] = {1, 3};
	set_log(x.st[0], a, 4, 0);
	set_log(x.st[1], b, 3, 0);
	set_log(x.st[2], c, 2, 0);
	assert_true(ck_run(&x, &v));    /* prefixes and a diverging tail of another term */
	/* by hand: n2's entry 2 has the same term as n1's but another command, and entry 3
	 * (term 2) is the same command: the terms agree at 3, the logs differ at 2 */
	x.st[1]->n.log[2].cmd.value = 99;
	for (int i = 2; i <= 3; i++)
		x.st[1]->n.log[i].hash = raft_entry_hash(x.st[1]->n.log[i - 1].hash,
							 x.st[1]->n.log[i].term,
							 &x.st[1]->n.log[i].cmd);
	assert_false(ck_run(&x, &v));
	assert_string_equal(v.invariant, "log matching");
	assert_non_null(strstr(v.detail, "n1 and n2"));
	assert_non_null(strstr(v.detail, "index 3"));
	assert_non_null(strstr(v.detail, "differ at index 2"));
	ck_free(&x);
}

static void test_check_leader_completeness_and_state_machine(void **st)
{
	(void)st;
	ck_fix x;
	ck_init(&x, 3);
	st_violation v;
	static const uint32_t a[] = {1, 2}, b[] = {1, 3};
	set_log(x.st[0], a, 2, 0);
	set_log(x.st[1], a, 2, 0);
	set_log(x.st[2], b, 2, 0);
	/* n1 leads term 4 and commits entry 2 of term 2 (the bug) */
	x.st[0]->n.role = RAFT_LEADER;
	x.st[0]->n.term = 4;
	x.st[0]->n.commit = x.st[0]->n.applied = 2;
	x.st[2]->n.term = 3;
	assert_true(ck_run(&x, &v));
	/* n3 becomes leader of term 5 without it */
	x.st[0]->n.role = RAFT_FOLLOWER;
	x.st[2]->n.role = RAFT_LEADER;
	x.st[2]->n.term = 5;
	assert_false(ck_run(&x, &v));
	assert_string_equal(v.invariant, "leader completeness");
	assert_non_null(strstr(v.detail, "n3 leads term 5"));
	assert_non_null(strstr(v.detail, "n1 committed"));
	assert_non_null(strstr(v.detail, "in term 4"));
	ck_free(&x);
	/* state machine safety: two nodes apply different entries at index 2 */
	ck_init(&x, 3);
	set_log(x.st[0], a, 2, 0);
	set_log(x.st[1], b, 2, 0);
	x.st[0]->n.commit = x.st[0]->n.applied = 2;
	assert_true(ck_run(&x, &v));
	x.st[1]->n.commit = x.st[1]->n.applied = 2;
	assert_false(ck_run(&x, &v));
	assert_string_equal(v.invariant, "state machine safety");
	assert_non_null(strstr(v.detail, "n2 applies index 2 as term 3"));
	ck_free(&x);
}

/* ---------------------------------------------------------------------------------------- */
/* The trace checker (--verify)                                                               */

typedef struct {
	st_tev e;
	const char *role;
	int64_t term, index;
	const char *cmd;
} fk_tev;

static bool tv_state_int(const st_tev *e, const char *key, int64_t *out)
{
	const fk_tev *t = (const fk_tev *)e;
	if (strcmp(key, "term") == 0 && t->role) {
		*out = t->term;
		return true;
	}
	return false;
}
static bool tv_state_str(const st_tev *e, const char *key, const char **out)
{
	const fk_tev *t = (const fk_tev *)e;
	if (strcmp(key, "role") == 0 && t->role) {
		*out = t->role;
		return true;
	}
	return false;
}
static bool tv_body_int(const st_tev *e, const char *key, int64_t *out)
{
	const fk_tev *t = (const fk_tev *)e;
	if (!t->cmd)
		return false;
	if (strcmp(key, "index") == 0)
		*out = t->index;
	else if (strcmp(key, "term") == 0)
		*out = t->term;
	else
		return false;
	return true;
}
static bool tv_body_str(const st_tev *e, const char *key, const char **out)
{
	const fk_tev *t = (const fk_tev *)e;
	if (strcmp(key, "cmd") != 0 || !t->cmd)
		return false;
	*out = t->cmd;
	return true;
}

static fk_tev tv(uint32_t id, const char *kind, int proc, const char *label)
{
	fk_tev t;
	memset(&t, 0, sizeof t);
	t.e.id = id;
	t.e.kind = kind;
	t.e.proc = proc;
	t.e.label = label;
	t.e.state_int = tv_state_int;
	t.e.state_str = tv_state_str;
	t.e.body_int = tv_body_int;
	t.e.body_str = tv_body_str;
	return t;
}

static fk_tev tv_state(uint32_t id, int proc, const char *role, int64_t term)
{
	fk_tev t = tv(id, "recv", proc, NULL);
	t.e.has_state = true;
	t.role = role;
	t.term = term;
	return t;
}

static fk_tev tv_apply(uint32_t id, int proc, int64_t index, int64_t term, const char *cmd)
{
	fk_tev t = tv(id, "local", proc, "apply");
	t.index = index;
	t.term = term;
	t.cmd = cmd;
	return t;
}

static void test_trace_check(void **st)
{
	(void)st;
	st_violation v;
	void *tc = P->trace_check_new(&(st_trace_info){.nprocs = 4, .nnodes = 3, .nclients = 1});
	assert_non_null(tc);
	fk_tev evs[] = {
		tv_state(0, 0, "leader", 1),
		tv_state(1, 1, "follower", 1),
		tv_apply(2, 0, 1, 1, "c1:write 1"),
		tv_apply(3, 1, 1, 1, "c1:write 1"),
		tv_apply(4, 0, 2, 1, "c1:write 2"),
		tv(5, "restart", 0, NULL),
		tv_apply(6, 0, 1, 1, "c1:write 1"),    /* again from 1 after a restart */
		tv_state(7, 1, "leader", 2),
		tv_state(8, 0, "leader", 1),            /* the same leader again: fine */
	};
	for (size_t i = 0; i < sizeof evs / sizeof evs[0]; i++)
		assert_true(P->trace_check(tc, &evs[i].e, &v));
	fk_tev bad = tv_apply(9, 1, 2, 2, "c1:write 9");
	assert_false(P->trace_check(tc, &bad.e, &v));
	assert_string_equal(v.invariant, "state machine safety");
	assert_non_null(strstr(v.detail, "index 2"));
	fk_tev skip = tv_apply(10, 2, 2, 1, "c1:write 2");
	assert_false(P->trace_check(tc, &skip.e, &v));  /* index 2 before index 1 */
	assert_string_equal(v.invariant, "state machine safety");
	fk_tev two = tv_state(11, 2, "leader", 2);
	assert_false(P->trace_check(tc, &two.e, &v));
	assert_string_equal(v.invariant, "election safety");
	assert_non_null(strstr(v.detail, "n2 and n3"));
	fk_tev again = tv_state(12, 1, "leader", 2);      /* reported once, not at every state */
	assert_true(P->trace_check(tc, &again.e, &v));
	assert_true(P->trace_check_end(tc, &v));
	P->trace_check_free(tc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_descriptor),
		cmocka_unit_test(test_init_sets_random_election_timer),
		cmocka_unit_test(test_vote_granted_once_per_term),
		cmocka_unit_test(test_vote_refused_to_less_up_to_date_log),
		cmocka_unit_test(test_majority_of_votes_makes_leader),
		cmocka_unit_test(test_higher_term_steps_down_leader),
		cmocka_unit_test(test_append_consistency_check_rejects_mismatch),
		cmocka_unit_test(test_conflict_truncates),
		cmocka_unit_test(test_stale_append_does_not_truncate),
		cmocka_unit_test(test_leader_backs_up_next_index),
		cmocka_unit_test(test_batch_respects_max_batch),
		cmocka_unit_test(test_commit_needs_majority),
		cmocka_unit_test(test_follower_applies_in_order),
		cmocka_unit_test(test_restart_keeps_persistent_state),
		cmocka_unit_test(test_client_ok_fail_and_stale),
		cmocka_unit_test(test_describe_and_encode),
		cmocka_unit_test(test_check_two_leaders_in_one_term),
		cmocka_unit_test(test_check_log_matching),
		cmocka_unit_test(test_check_leader_completeness_and_state_machine),
		cmocka_unit_test(test_trace_check),
	};
	return cmocka_run_group_tests_name("raft", tests, NULL, NULL);
}
