/* test_paxos.c: Paxos's rules against the fake context, where a script would need a long
 * set-up: ballot order, the proposer's choice among several reported values (the highest
 * accepted ballot wins, whatever order the promises come in), the acceptor's two refusals,
 * what a restart keeps, and the live checker's count of a majority in one ballot. The rules
 * as they play out between nodes are tests/script/paxos-*.txt. */
#include "fake_ctx.h"

#include "src/protocols/paxos.h"

static const st_protocol *const P = &paxos_protocol;

static void params_with(st_param_val *p, int bug)
{
	for (int i = 0; i < PAXOS_P__COUNT; i++) {
		p[i].lo = P->params[i].def_lo;
		p[i].hi = P->params[i].def_hi;
	}
	p[PAXOS_P_BUG].lo = bug;
}

static fake *new_fake(int self, int nnodes)
{
	fake *f = fk_new(self, nnodes, 0);
	f->label_max = 31;
	f->max_msg = P->max_msg_size;
	f->ntimers = PAXOS_T__COUNT;
	f->no_self_send = true;         /* a node's messages to itself are handled at once */
	return f;
}

static paxos_msg mk(paxos_ballot b, paxos_ballot b2, int32_t v)
{
	paxos_msg m;
	memset(&m, 0, sizeof m);
	m.b = b;
	m.b2 = b2;
	m.value = v;
	return m;
}

static void deliver(fake *f, paxos_state *s, int from, int type, paxos_msg m)
{
	st_msg msg = {.from = from, .to = f->ctx.self, .type = type, .body = &m, .len = sizeof m};
	P->on_message(&f->ctx, s, &msg);
}

/* The last message of this type sent, or NULL. */
static const paxos_msg *last_sent(const fake *f, int type, paxos_msg *out)
{
	for (int i = f->nsent - 1; i >= 0; i--)
		if (f->sent[i].type == type) {
			memcpy(out, f->sent[i].body, sizeof *out);
			return out;
		}
	return NULL;
}

static void test_ballots(void **st)
{
	(void)st;
	paxos_ballot a = {1, 0}, b = {1, 1}, c = {2, 0}, none = {0, -1};
	assert_true(paxos_ballot_cmp(a, b) < 0);        /* same round: the proposer decides */
	assert_true(paxos_ballot_cmp(b, c) < 0);        /* the round first */
	assert_true(paxos_ballot_cmp(none, a) < 0);
	assert_int_equal(paxos_ballot_cmp(none, (paxos_ballot){0, 0}), 0);
	assert_string_equal(paxos_ballot_str(b).s, "1.n2");
	assert_string_equal(paxos_ballot_str(none).s, "-");
	assert_string_equal(paxos_value_str(2).s, "B");
	assert_string_equal(paxos_value_str(0).s, "-");
	assert_int_equal(paxos_majority(3), 2);
	assert_int_equal(paxos_majority(5), 3);
}

/* n2 of five, in ballot 6.n2, hears (4.n1, A) and then (3.n2, B): it must propose A, the value
 * of the highest accepted ballot, though B (its own, and reported last) was accepted too.
 * With bug=ignore-accepted it proposes its own B. */
static void run_choice(int bug, int32_t want)
{
	st_param_val p[PAXOS_P__COUNT];
	params_with(p, bug);
	fake *f = new_fake(1, 5);
	paxos_state *s = calloc(1, P->state_size);
	assert_non_null(s);
	P->init(&f->ctx, s, p);
	assert_true(f->timer_on[PAXOS_T_PROPOSE]);
	s->max_round = 5;
	fk_clear(f);
	P->on_timer(&f->ctx, s, PAXOS_T_PROPOSE);
	assert_int_equal(f->nsent, 4);                  /* Prepare to the other four */
	paxos_msg got;
	assert_non_null(last_sent(f, PAXOS_MSG_PREPARE, &got));
	paxos_ballot bal = {6, 1};
	assert_int_equal(paxos_ballot_cmp(got.b, bal), 0);
	assert_int_equal(s->phase, PAXOS_PREPARING);
	fk_clear(f);
	deliver(f, s, 3, PAXOS_MSG_PROMISE, mk(bal, (paxos_ballot){4, 0}, 1));
	assert_int_equal(f->nsent, 0);                  /* two of five: not yet */
	deliver(f, s, 2, PAXOS_MSG_PROMISE, mk(bal, (paxos_ballot){3, 1}, 2));
	assert_int_equal(s->phase, PAXOS_ACCEPTING);
	assert_non_null(last_sent(f, PAXOS_MSG_ACCEPT, &got));
	assert_int_equal(paxos_ballot_cmp(got.b, bal), 0);
	assert_int_equal(got.value, want);
	/* its own acceptor accepted at once */
	assert_int_equal(paxos_ballot_cmp(s->acc_b, bal), 0);
	assert_int_equal(s->acc_v, want);
	free(s);
	free(f);
}

static void test_highest_accepted_wins(void **st)
{
	(void)st;
	run_choice(PAXOS_BUG_NONE, 1);
	run_choice(PAXOS_BUG_IGNORE_ACCEPTED, 2);
}

/* An acceptor refuses a Prepare below its promise and an Accept below its promise (Nack with
 * the promise); it keeps the promise over a restart, unless bug=forget-promise. */
static void run_acceptor(int bug)
{
	st_param_val p[PAXOS_P__COUNT];
	params_with(p, bug);
	fake *f = new_fake(2, 3);
	paxos_state *s = calloc(1, P->state_size);
	assert_non_null(s);
	P->init(&f->ctx, s, p);
	assert_false(f->timer_on[PAXOS_T_PROPOSE]);     /* n3 only accepts */
	paxos_ballot b1 = {1, 0}, b2 = {1, 1}, none = {0, -1};
	deliver(f, s, 1, PAXOS_MSG_PREPARE, mk(b2, none, 0));
	paxos_msg got;
	assert_non_null(last_sent(f, PAXOS_MSG_PROMISE, &got));
	assert_int_equal(f->sent[0].to, 1);
	fk_clear(f);
	deliver(f, s, 0, PAXOS_MSG_PREPARE, mk(b1, none, 0));
	assert_non_null(last_sent(f, PAXOS_MSG_NACK, &got));
	assert_int_equal(paxos_ballot_cmp(got.b2, b2), 0);
	fk_clear(f);
	P->on_restart(&f->ctx, s, p);
	fk_clear(f);
	deliver(f, s, 0, PAXOS_MSG_ACCEPT, mk(b1, none, 1));
	if (bug == PAXOS_BUG_FORGET_PROMISE) {
		assert_int_equal(paxos_ballot_cmp(s->acc_b, b1), 0);    /* the harm */
		assert_int_equal(f->nsent, 2);                          /* Accepted to n1, n2 */
	} else {
		assert_int_equal(s->acc_b.round, 0);
		assert_non_null(last_sent(f, PAXOS_MSG_NACK, &got));
		assert_int_equal(paxos_ballot_cmp(got.b2, b2), 0);
	}
	free(s);
	free(f);
}

static void test_acceptor_rules(void **st)
{
	(void)st;
	run_acceptor(PAXOS_BUG_NONE);
	run_acceptor(PAXOS_BUG_FORGET_PROMISE);
}

/* The live checker: a ballot accepted by a majority is chosen; a second value chosen in
 * another ballot is a violation, though the acceptors now hold only the second. */
static void test_checker_counts_one_ballot(void **st)
{
	(void)st;
	st_param_val p[PAXOS_P__COUNT];
	params_with(p, PAXOS_BUG_NONE);
	paxos_state s[3];
	memset(s, 0, sizeof s);
	const void *states[3] = {&s[0], &s[1], &s[2]};
	bool up[3] = {true, true, true};
	st_view v = {.nprocs = 3, .nnodes = 3, .states = states, .up = up};
	paxos_checker *k = calloc(1, sizeof *k);
	assert_non_null(k);
	st_violation out;
	s[0].acc_b = (paxos_ballot){1, 0};
	s[0].acc_v = 1;
	assert_true(paxos_check(k, p, &v, &out));
	s[1].acc_b = (paxos_ballot){2, 1};      /* another ballot: no majority in either */
	s[1].acc_v = 2;
	assert_true(paxos_check(k, p, &v, &out));
	assert_int_equal(k->chosen, 0);
	s[2].acc_b = (paxos_ballot){1, 0};      /* 1.n1 A by n1 and n3: A chosen */
	s[2].acc_v = 1;
	assert_true(paxos_check(k, p, &v, &out));
	assert_int_equal(k->chosen, 1);
	s[2].acc_b = (paxos_ballot){2, 1};      /* 2.n2 B by n2 and n3: B chosen too */
	s[2].acc_v = 2;
	assert_false(paxos_check(k, p, &v, &out));
	assert_string_equal(out.invariant, "agreement");
	free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ballots),
		cmocka_unit_test(test_highest_accepted_wins),
		cmocka_unit_test(test_acceptor_rules),
		cmocka_unit_test(test_checker_counts_one_ballot),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
