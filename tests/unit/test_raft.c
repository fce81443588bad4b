/* test_raft.c: Raft's rules, one test each, against a fake context.
 *
 * The protocol is a pure state machine, so these tests drive it directly: a fake st_ctx
 * records what a handler sent, which timers it set, how it labelled the event, what it
 * applied and which client ops it completed, and hands out a fixed random sequence. A small
 * harness (fk_world) wires several fake processes together with a message queue the test
 * delivers or drops by hand, which is how Figure 8 of the Raft paper is replayed exactly and
 * how the invariant checker is shown to catch the "commit-old-term" bug. */
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

static void test_election_timeout_makes_candidate(void **st)
{
	(void)st;
	fake *f = new_fake(1, 5, 0);
	raft_state *s = new_state();
	P->init(&f->ctx, s, defaults());
	fire(f, s, RAFT_T_ELECTION);
	assert_int_equal(s->n.role, RAFT_CANDIDATE);
	assert_int_equal(s->n.term, 1);
	assert_int_equal(s->n.voted_for, 1);
	assert_string_equal(f->label, "became candidate");
	assert_true(f->timer_on[RAFT_T_ELECTION]);      /* a split vote must time out again */
	assert_int_equal(fk_count_sent(f, RAFT_MSG_REQUEST_VOTE), 4);
	bool to[5] = {0};
	for (int i = 0; i < f->nsent; i++) {
		raft_vote_req m;
		memcpy(&m, f->sent[i].body, sizeof m);
		assert_int_equal(m.term, 1);
		assert_int_equal(m.candidate, 1);
		to[f->sent[i].to] = true;
	}
	assert_false(to[1]);
	assert_true(to[0] && to[2] && to[3] && to[4]);
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

static void test_vote_reply_of_old_term_ignored(void **st)
{
	(void)st;
	fake *f = new_fake(0, 3, 0);
	raft_state *s = new_state();
	P->init(&f->ctx, s, defaults());
	fire(f, s, RAFT_T_ELECTION);    /* term 1 */
	fire(f, s, RAFT_T_ELECTION);    /* split vote: term 2 */
	raft_vote_reply old = {.term = 1, .granted = 1};
	deliver(f, s, 1, RAFT_MSG_VOTE_REPLY, &old, sizeof old);
	assert_int_equal(s->n.role, RAFT_CANDIDATE);
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

static void commit_old_term(bool bug)
{
	fake *f = new_fake(0, 3, 1);
	raft_state *s = new_state();
	st_param_val *pv = (st_param_val *)defaults();
	pv[RAFT_P_BUG].lo = bug ? RAFT_BUG_COMMIT_OLD_TERM : RAFT_BUG_NONE;
	P->init(&f->ctx, s, pv);
	static const uint32_t terms[] = {1, 2};
	set_log(s, terms, 2, 0);
	make_leader(f, s, 4);
	/* a follower now stores entries 1 and 2 (terms 1 and 2): 2 of 3 nodes */
	raft_append_reply r = append_reply(4, true, 2, 0);
	deliver(f, s, 1, RAFT_MSG_APPEND_REPLY, &r, sizeof r);
	if (!bug) {
		assert_int_equal(s->n.commit, 0);       /* not of the current term: wait */
		assert_int_equal(f->nloc, 0);
		/* a term-4 entry on a majority commits it and, indirectly, all before it */
		raft_client_req q;
		memset(&q, 0, sizeof q);
		q.cmd = mkcmd(0, 9, 77);
		deliver(f, s, 3, RAFT_MSG_CLIENT_REQUEST, &q, sizeof q);
		assert_int_equal(s->n.log_len, 3);
		assert_int_equal(s->n.log[3].term, 4);
		assert_string_equal(f->label, "append 3");
		assert_int_equal(fk_count_sent(f, RAFT_MSG_APPEND), 2);
		r = append_reply(4, true, 3, 0);
		deliver(f, s, 1, RAFT_MSG_APPEND_REPLY, &r, sizeof r);
		assert_int_equal(s->n.commit, 3);
		assert_int_equal(f->nloc, 3);
		/* the leader answers the waiting client when it applies its entry */
		const fk_msg *a = last_sent(f, RAFT_MSG_CLIENT_REPLY);
		assert_non_null(a);
		raft_client_reply cr;
		memcpy(&cr, a->body, sizeof cr);
		assert_int_equal(a->to, 3);
		assert_int_equal(cr.invoke, 77);
		assert_int_equal(cr.status, RAFT_REPLY_OK);
		assert_int_equal(cr.index, 3);
	} else {
		assert_int_equal(s->n.commit, 2);       /* Figure 8's mistake */
		assert_int_equal(f->nloc, 2);
		assert_non_null(strstr(f->note, "bug commit-old-term"));
	}
	assert_string_equal(f->label, bug ? "commit 2" : "commit 3");
	assert_int_equal(f->label_flags & ST_LABEL_MILESTONE, ST_LABEL_MILESTONE);
	free(s);
	free(f);
}

static void test_commit_only_current_term(void **st)
{
	(void)st;
	commit_old_term(false);
}

static void test_bug_commits_old_term(void **st)
{
	(void)st;
	commit_old_term(true);
}

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

static void test_client_redirect(void **st)
{
	(void)st;
	fake *fc = new_fake(3, 3, 1), *fn = new_fake(1, 3, 1);
	raft_state *c = new_state(), *n = new_state();
	P->init(&fc->ctx, c, defaults());
	P->init(&fn->ctx, n, defaults());
	st_op op = mkop(3, 1, 11);
	fk_clear(fc);
	P->on_client(&fc->ctx, c, &op);
	const fk_msg *req = last_sent(fc, RAFT_MSG_CLIENT_REQUEST);
	assert_non_null(req);
	assert_int_equal(req->to, 1);           /* the op's node first */
	assert_true(fc->timer_on[RAFT_T_CLIENT]);
	assert_int_equal(fc->timer_delay[RAFT_T_CLIENT], 1000 * MS);
	/* n2 follows n3 */
	n->n.term = 1;
	n->n.leader = 2;
	deliver(fn, n, 3, RAFT_MSG_CLIENT_REQUEST, req->body, req->len);
	assert_string_equal(fn->label, "redirect");
	assert_non_null(strstr(fn->note, "n3"));
	assert_int_equal(n->n.log_len, 0);
	const fk_msg *red = last_sent(fn, RAFT_MSG_CLIENT_REPLY);
	assert_non_null(red);
	assert_int_equal(red->to, 3);
	deliver(fc, c, 1, RAFT_MSG_CLIENT_REPLY, red->body, red->len);
	req = last_sent(fc, RAFT_MSG_CLIENT_REQUEST);
	assert_non_null(req);
	assert_int_equal(req->to, 2);
	assert_int_equal(c->c.attempts, 2);
	assert_int_equal(c->c.leader, 2);
	/* a redirect with no hint: wait, then the next node */
	n->n.leader = -1;
	fk_msg copy = *req;
	deliver(fn, n, 3, RAFT_MSG_CLIENT_REQUEST, copy.body, copy.len);
	red = last_sent(fn, RAFT_MSG_CLIENT_REPLY);
	fk_msg r2 = *red;
	r2.from = 2;
	deliver(fc, c, 2, RAFT_MSG_CLIENT_REPLY, r2.body, r2.len);
	assert_int_equal(fc->nsent, 0);
	assert_true(fc->timer_on[RAFT_T_CLIENT]);
	assert_true(fc->timer_delay[RAFT_T_CLIENT] < 1000 * MS);
	fire(fc, c, RAFT_T_CLIENT);
	req = last_sent(fc, RAFT_MSG_CLIENT_REQUEST);
	assert_non_null(req);
	assert_int_equal(req->to, 0);           /* after n3 comes n1 */
	assert_int_equal(fc->ndone, 0);
	free(c);
	free(n);
	free(fc);
	free(fn);
}

static void test_client_retries_then_info(void **st)
{
	(void)st;
	fake *f = new_fake(5, 5, 2);
	raft_state *s = new_state();
	P->init(&f->ctx, s, defaults());
	st_op op = mkop(7, -1, 21);
	fk_clear(f);
	P->on_client(&f->ctx, s, &op);
	assert_int_equal(last_sent(f, RAFT_MSG_CLIENT_REQUEST)->to, 0);  /* c1's first guess */
	for (int k = 2; k <= 8; k++) {
		fire(f, s, RAFT_T_CLIENT);
		const fk_msg *req = last_sent(f, RAFT_MSG_CLIENT_REQUEST);
		assert_non_null(req);
		assert_int_equal(req->to, (k - 1) % 5);   /* the next node each time */
		assert_int_equal(s->c.attempts, k);
		assert_int_equal(f->ndone, 0);
		char want[16];
		snprintf(want, sizeof want, "retry n%d", (k - 1) % 5 + 1);
		assert_string_equal(f->label, want);
	}
	fire(f, s, RAFT_T_CLIENT);
	assert_int_equal(f->nsent, 0);
	assert_int_equal(f->ndone, 1);
	assert_int_equal(f->done[0].type, ST_OP_INFO);
	assert_int_equal(f->done[0].invoke, 21);
	assert_string_equal(f->label, "give up");
	assert_false(s->c.busy);
	assert_false(f->timer_on[RAFT_T_CLIENT]);
	/* a late answer to the finished op is ignored */
	raft_client_reply r = {.invoke = 21, .status = RAFT_REPLY_OK, .leader = 1};
	deliver(f, s, 1, RAFT_MSG_CLIENT_REPLY, &r, sizeof r);
	assert_int_equal(f->ndone, 0);
	free(s);
	free(f);
}

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
	/* the next op goes to the leader it learned; a full log is a definite fail */
	op = mkop(2, -1, 31);
	fk_clear(f);
	P->on_client(&f->ctx, s, &op);
	assert_int_equal(last_sent(f, RAFT_MSG_CLIENT_REQUEST)->to, 2);
	fake *fl = new_fake(2, 3, 1);
	raft_state *l = new_state();
	P->init(&fl->ctx, l, defaults());
	static uint32_t full[RAFT_LOG_MAX];
	for (int i = 0; i < RAFT_LOG_MAX; i++)
		full[i] = 1;
	set_log(l, full, RAFT_LOG_MAX, 0);
	make_leader(fl, l, 1);
	const fk_msg *req = last_sent(f, RAFT_MSG_CLIENT_REQUEST);
	deliver(fl, l, 3, RAFT_MSG_CLIENT_REQUEST, req->body, req->len);
	assert_int_equal(l->n.log_len, RAFT_LOG_MAX);
	const fk_msg *rep = last_sent(fl, RAFT_MSG_CLIENT_REPLY);
	assert_non_null(rep);
	deliver(f, s, 2, RAFT_MSG_CLIENT_REPLY, rep->body, rep->len);
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
/* A little world: processes wired by a queue the test delivers or drops                       */

#define W_MAX 8
typedef struct {
	int nn, nc;
	fake *f[W_MAX];
	raft_state *s[W_MAX];
	bool up[W_MAX];
	fk_msg *q;
	int nq;
	ck_fix ck;
	bool violated;
	st_violation viol;
	int applies[W_MAX];
	st_param_val pv[RAFT_P__COUNT];         /* the world's params, for restarts too */
} world;

static void w_collect(world *w, int p)
{
	for (int i = 0; i < w->f[p]->nsent; i++) {
		assert_true(w->nq < 4096);
		w->q[w->nq++] = w->f[p]->sent[i];
	}
	w->applies[p] += w->f[p]->nloc;
	w->f[p]->nsent = 0;
}

static void w_check(world *w)
{
	if (w->violated)
		return;
	for (int p = 0; p < w->nn; p++)
		w->ck.up[p] = w->up[p];
	if (!P->check(w->ck.ck, w->pv, &w->ck.v, &w->viol))
		w->violated = true;
}

static void w_init(world *w, int nn, int nc, const st_param_val *pv)
{
	memset(w, 0, sizeof *w);
	w->nn = nn;
	w->nc = nc;
	memcpy(w->pv, pv, sizeof w->pv);
	w->q = calloc(4096, sizeof *w->q);
	assert_non_null(w->q);
	ck_init(&w->ck, nn);
	for (int p = 0; p < nn + nc; p++) {
		w->f[p] = new_fake(p, nn, nc);
		if (p < nn) {
			w->s[p] = w->ck.st[p];
		} else {
			w->s[p] = new_state();
		}
		w->ck.ptr[p] = w->s[p];
		w->up[p] = true;
		P->init(&w->f[p]->ctx, w->s[p], w->pv);
		w_collect(w, p);
	}
	w->ck.v.nprocs = nn + nc;
	w_check(w);
}

static void w_free(world *w)
{
	for (int p = 0; p < w->nn + w->nc; p++) {
		if (p >= w->nn)
			free(w->s[p]);
		free(w->f[p]);
	}
	ck_free(&w->ck);
	free(w->q);
}

static void w_timer(world *w, int p, int timer)
{
	assert_true(w->up[p]);
	fire(w->f[p], w->s[p], timer);
	w_collect(w, p);
	w_check(w);
}

/* Deliver (or, when blocked, drop) every queued message, including those their delivery
 * sends, in FIFO order. blocked(from, to) may be NULL. */
static int w_run(world *w, bool (*blocked)(int from, int to))
{
	int steps = 0;
	while (w->nq > 0 && steps < 100000) {
		fk_msg m = w->q[0];
		memmove(w->q, w->q + 1, (size_t)(w->nq - 1) * sizeof *w->q);
		w->nq--;
		steps++;
		if (!w->up[m.to] || (blocked && blocked(m.from, m.to)))
			continue;
		deliver(w->f[m.to], w->s[m.to], m.from, m.type, m.body, m.len);
		w_collect(w, m.to);
		w_check(w);
	}
	return steps;
}

static void w_crash(world *w, int p)
{
	w->up[p] = false;
	w_check(w);
}

static void w_restart(world *w, int p)
{
	w->up[p] = true;
	fk_clear(w->f[p]);
	P->on_restart(&w->f[p]->ctx, w->s[p], w->pv);
	w_collect(w, p);
	w_check(w);
}

static void w_request(world *w, int client, int node, int64_t value, uint32_t invoke)
{
	st_op op = mkop(value, node, invoke);
	fk_clear(w->f[client]);
	P->on_client(&w->f[client]->ctx, w->s[client], &op);
	w_collect(w, client);
}

static int g_group[W_MAX];
static bool by_group(int from, int to) { return g_group[from] != g_group[to]; }

static void test_world_elects_and_commits(void **st)
{
	(void)st;
	world w;
	w_init(&w, 3, 1, defaults());
	w.nq = 0;
	w_timer(&w, 1, RAFT_T_ELECTION);
	w_run(&w, NULL);
	assert_int_equal(w.s[1]->n.role, RAFT_LEADER);
	assert_int_equal(w.s[0]->n.leader, 1);
	w_request(&w, 3, 0, 5, 1);      /* to a follower: redirected to n2 */
	w_run(&w, NULL);
	/* the leader answered the client as soon as it committed; the followers learn the
	 * commit index with the next heartbeat */
	for (int p = 0; p < 3; p++)
		assert_int_equal(w.s[p]->n.log_len, 1);
	assert_int_equal(w.s[1]->n.commit, 1);
	assert_int_equal(w.s[3]->c.done, 1);
	w_timer(&w, 1, RAFT_T_HEARTBEAT);
	w_run(&w, NULL);
	for (int p = 0; p < 3; p++) {
		assert_int_equal(w.s[p]->n.commit, 1);
		assert_int_equal(w.applies[p], 1);
	}
	assert_false(w.violated);
	w_free(&w);
}

/* Figure 8 of the Raft paper, message by message. Returns whether the checker fired. */
static bool figure8(bool bug, st_violation *out)
{
	world w;
	st_param_val *pv = (st_param_val *)defaults();
	pv[RAFT_P_BUG].lo = bug ? RAFT_BUG_COMMIT_OLD_TERM : RAFT_BUG_NONE;
	w_init(&w, 5, 1, pv);
	w.nq = 0;
	/* term 1: n1 leads, entry 1 committed everywhere */
	w_timer(&w, 0, RAFT_T_ELECTION);
	w_run(&w, NULL);
	w_request(&w, 5, 0, 1, 1);
	w_run(&w, NULL);
	w_timer(&w, 0, RAFT_T_HEARTBEAT);
	w_run(&w, NULL);
	for (int p = 0; p < 5; p++)
		assert_int_equal(w.s[p]->n.commit, 1);
	/* (a) n1 leads term 2 and gets entry 2 only to n2 */
	w_crash(&w, 0);
	w_restart(&w, 0);
	w.nq = 0;
	w_timer(&w, 0, RAFT_T_ELECTION);
	w_run(&w, NULL);
	assert_int_equal(w.s[0]->n.role, RAFT_LEADER);
	assert_int_equal(w.s[0]->n.term, 2);
	for (int p = 0; p < 6; p++)
		g_group[p] = p <= 1 ? 0 : 1;
	g_group[5] = 0;
	w_request(&w, 5, 0, 2, 2);
	w_run(&w, by_group);
	assert_int_equal(w.s[1]->n.log_len, 2);
	assert_int_equal(w.s[2]->n.log_len, 1);
	/* (b) n1 crashes; n5 wins term 3 with n3, n4; takes entry 2 (term 3) alone */
	w_crash(&w, 0);
	w_timer(&w, 4, RAFT_T_ELECTION);
	w_run(&w, NULL);
	assert_int_equal(w.s[4]->n.role, RAFT_LEADER);
	assert_int_equal(w.s[4]->n.term, 3);
	for (int p = 0; p < 6; p++)
		g_group[p] = p == 4 || p == 5 ? 0 : 1;
	w_request(&w, 5, 4, 3, 3);
	w_run(&w, by_group);
	assert_int_equal(w.s[4]->n.log_len, 2);
	assert_int_equal(w.s[4]->n.log[2].term, 3);
	/* (c) n5 crashes; n1 restarts, wins term 4, replicates entry 2 (term 2) to n3 */
	w_crash(&w, 4);
	w_restart(&w, 0);
	w.nq = 0;
	w_timer(&w, 0, RAFT_T_ELECTION);        /* term 3: n3, n4 voted for n5 already */
	w_run(&w, NULL);
	assert_int_equal(w.s[0]->n.role, RAFT_CANDIDATE);
	w_timer(&w, 0, RAFT_T_ELECTION);        /* term 4: n2, n3, n4 vote */
	w_run(&w, NULL);
	assert_int_equal(w.s[0]->n.role, RAFT_LEADER);
	assert_int_equal(w.s[0]->n.term, 4);
	assert_int_equal(w.s[2]->n.log_len, 2);
	assert_int_equal(w.s[2]->n.log[2].term, 2);
	assert_int_equal(w.s[0]->n.commit, bug ? 2 : 0);
	/* (d) n1 crashes before any term-4 entry spreads; n5 restarts and wins term 5 with
	 * n2, n3, n4 (its last term 3 beats their 2) and overwrites entry 2 everywhere */
	w_crash(&w, 0);
	w_restart(&w, 4);
	w.nq = 0;
	w_timer(&w, 4, RAFT_T_ELECTION);        /* term 4: already voted, for n1 */
	w_run(&w, NULL);
	assert_int_equal(w.s[4]->n.role, RAFT_CANDIDATE);
	w_timer(&w, 4, RAFT_T_ELECTION);        /* term 5 */
	w_run(&w, NULL);
	bool fired = w.violated;
	if (fired)
		*out = w.viol;
	if (!bug) {
		assert_int_equal(w.s[4]->n.role, RAFT_LEADER);
		assert_int_equal(w.s[4]->n.term, 5);
		assert_int_equal(w.s[1]->n.log[2].term, 3);
		/* a term-5 entry commits everything, entry 2 of term 3 included */
		w_request(&w, 5, 4, 4, 4);
		w_run(&w, NULL);
		w_timer(&w, 4, RAFT_T_HEARTBEAT);
		w_run(&w, NULL);
		assert_int_equal(w.s[1]->n.commit, 3);
		fired = w.violated;
	}
	w_free(&w);
	return fired;
}

static void test_figure8_safe_without_bug(void **st)
{
	(void)st;
	st_violation v;
	assert_false(figure8(false, &v));
}

static void test_figure8_bug_is_caught(void **st)
{
	(void)st;
	st_violation v;
	memset(&v, 0, sizeof v);
	assert_true(figure8(true, &v));
	assert_string_equal(v.invariant, "leader completeness");
	assert_non_null(strstr(v.detail, "n5 leads term 5"));
	assert_non_null(strstr(v.detail, "n1 committed an entry of term 2 in term 4"));
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
		cmocka_unit_test(test_election_timeout_makes_candidate),
		cmocka_unit_test(test_vote_granted_once_per_term),
		cmocka_unit_test(test_vote_refused_to_less_up_to_date_log),
		cmocka_unit_test(test_majority_of_votes_makes_leader),
		cmocka_unit_test(test_vote_reply_of_old_term_ignored),
		cmocka_unit_test(test_higher_term_steps_down_leader),
		cmocka_unit_test(test_append_consistency_check_rejects_mismatch),
		cmocka_unit_test(test_conflict_truncates),
		cmocka_unit_test(test_stale_append_does_not_truncate),
		cmocka_unit_test(test_leader_backs_up_next_index),
		cmocka_unit_test(test_batch_respects_max_batch),
		cmocka_unit_test(test_commit_only_current_term),
		cmocka_unit_test(test_bug_commits_old_term),
		cmocka_unit_test(test_commit_needs_majority),
		cmocka_unit_test(test_follower_applies_in_order),
		cmocka_unit_test(test_restart_keeps_persistent_state),
		cmocka_unit_test(test_client_redirect),
		cmocka_unit_test(test_client_retries_then_info),
		cmocka_unit_test(test_client_ok_fail_and_stale),
		cmocka_unit_test(test_describe_and_encode),
		cmocka_unit_test(test_check_two_leaders_in_one_term),
		cmocka_unit_test(test_check_log_matching),
		cmocka_unit_test(test_check_leader_completeness_and_state_machine),
		cmocka_unit_test(test_world_elects_and_commits),
		cmocka_unit_test(test_figure8_safe_without_bug),
		cmocka_unit_test(test_figure8_bug_is_caught),
		cmocka_unit_test(test_trace_check),
	};
	return cmocka_run_group_tests_name("raft", tests, NULL, NULL);
}
