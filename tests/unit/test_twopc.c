/* test_twopc.c: the two-phase commit checker, fed events made by hand.
 *
 * The protocol's rules are pinned by the scripts (tests/script/2pc-*.txt) on the real
 * simulator; what is easier to pin here is the checker that --verify runs on traces someone
 * else may have written: which events it reads, what it does with missing or odd fields, and
 * that each rule fires on exactly the runs that break it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "src/protocols/twopc.h"

/* A hand-made event: a local step's body with txn and, optionally, vote and outcome. */
typedef struct {
	int64_t txn;
	bool has_txn;
	const char *vote, *outcome;
} tk_body;

static bool tk_body_int(const st_tev *e, const char *key, int64_t *out)
{
	const tk_body *b = e->impl;
	if (strcmp(key, "txn") != 0 || !b->has_txn)
		return false;
	*out = b->txn;
	return true;
}

static bool tk_body_str(const st_tev *e, const char *key, const char **out)
{
	const tk_body *b = e->impl;
	const char *v = strcmp(key, "vote") == 0 ? b->vote :
			strcmp(key, "outcome") == 0 ? b->outcome : NULL;
	if (!v)
		return false;
	*out = v;
	return true;
}

static bool tk_none_int(const st_tev *e, const char *key, int64_t *out)
{
	(void)e, (void)key, (void)out;
	return false;
}

static bool tk_none_str(const st_tev *e, const char *key, const char **out)
{
	(void)e, (void)key, (void)out;
	return false;
}

static uint32_t tk_id;

/* Feed one event to the trace checker; returns its verdict. */
static bool tk_feed(void *tc, const char *kind, int proc, int64_t txn, const char *vote,
		    const char *outcome, st_violation *out)
{
	tk_body b = {.txn = txn, .has_txn = true, .vote = vote, .outcome = outcome};
	st_tev e = {
		.id = ++tk_id, .t = tk_id * 1000, .kind = kind, .proc = proc, .label = "x",
		.state_int = tk_none_int, .state_str = tk_none_str,
		.body_int = tk_body_int, .body_str = tk_body_str, .impl = &b,
	};
	return twopc_trace_check(tc, &e, out);
}

static void *tk_new(int nnodes)
{
	st_role roles[8] = {0};
	st_trace_info info = {.nprocs = nnodes, .nnodes = nnodes, .nclients = 0, .roles = roles};
	return twopc_trace_check_new(&info);
}

/* All yes, then commit everywhere: fine, and counted. */
static void test_all_yes_commits(void **st)
{
	(void)st;
	void *tc = tk_new(4);
	st_violation v;
	for (int p = 1; p <= 3; p++)
		assert_true(tk_feed(tc, "local", p, 1, "yes", NULL, &v));
	for (int p = 0; p <= 3; p++)
		assert_true(tk_feed(tc, "local", p, 1, NULL, "commit", &v));
	assert_true(twopc_trace_check_end(tc, &v));
	char buf[80];
	twopc_trace_check_summary(tc, buf, sizeof buf);
	assert_string_equal(buf, "twopc: 1 transactions committed, 0 aborted");
	twopc_trace_check_free(tc);
}

/* A commit with one participant's yes missing breaks validity, and names it. */
static void test_commit_needs_all_yes(void **st)
{
	(void)st;
	void *tc = tk_new(4);
	st_violation v;
	assert_true(tk_feed(tc, "local", 1, 7, "yes", NULL, &v));
	assert_true(tk_feed(tc, "local", 3, 7, "yes", NULL, &v));
	assert_false(tk_feed(tc, "local", 0, 7, NULL, "commit", &v));
	assert_string_equal(v.invariant, "commit needs all yes");
	assert_non_null(strstr(v.detail, "n3 did not vote yes"));
	twopc_trace_check_free(tc);
}

/* A no voter aborts; a commit of the same transaction anywhere breaks atomicity, in either
 * order, the coordinator's own change of mind included. */
static void test_commit_and_abort_conflict(void **st)
{
	(void)st;
	st_violation v;
	void *tc = tk_new(4);
	for (int p = 1; p <= 3; p++)
		assert_true(tk_feed(tc, "local", p, 2, "yes", NULL, &v));
	assert_true(tk_feed(tc, "local", 2, 2, NULL, "abort", &v));   /* gave up on its own */
	assert_false(tk_feed(tc, "local", 0, 2, NULL, "commit", &v));
	assert_string_equal(v.invariant, "atomicity");
	assert_non_null(strstr(v.detail, "n1 commits t2, which n3 aborted"));
	twopc_trace_check_free(tc);

	tc = tk_new(4);
	for (int p = 1; p <= 3; p++)
		assert_true(tk_feed(tc, "local", p, 3, "yes", NULL, &v));
	assert_true(tk_feed(tc, "local", 0, 3, NULL, "commit", &v));
	assert_false(tk_feed(tc, "local", 0, 3, NULL, "abort", &v)); /* forgot it after a crash */
	assert_string_equal(v.invariant, "atomicity");
	assert_non_null(strstr(v.detail, "n1 aborts t3, which n1 committed"));
	twopc_trace_check_free(tc);
}

/* Aborts need no votes at all (a timeout, a no, a restart before voting). */
static void test_aborts_need_nothing(void **st)
{
	(void)st;
	void *tc = tk_new(4);
	st_violation v;
	assert_true(tk_feed(tc, "local", 3, 4, "no", "abort", &v));
	assert_true(tk_feed(tc, "local", 0, 4, NULL, "abort", &v));
	assert_true(tk_feed(tc, "local", 1, 4, NULL, "abort", &v));
	twopc_trace_check_free(tc);
}

/* What the checker does not read: other kinds, world events, processes past the nodes, a
 * missing or absurd txn, a body without vote or outcome. None of it trips a rule. */
static void test_ignores_what_it_cannot_read(void **st)
{
	(void)st;
	void *tc = tk_new(3);
	st_violation v;
	assert_true(tk_feed(tc, "recv", 0, 1, NULL, "commit", &v));
	assert_true(tk_feed(tc, "local", -1, 1, NULL, "commit", &v));
	assert_true(tk_feed(tc, "local", 5, 1, NULL, "commit", &v));
	assert_true(tk_feed(tc, "local", 0, 0, NULL, "commit", &v));
	assert_true(tk_feed(tc, "local", 0, -3, NULL, "commit", &v));
	assert_true(tk_feed(tc, "local", 0, (int64_t)1 << 40, NULL, "commit", &v));
	assert_true(tk_feed(tc, "local", 0, 1, "maybe", "perhaps", &v));
	tk_body b = {.has_txn = false};
	st_tev e = {.id = 99, .kind = "local", .proc = 0, .body_int = tk_body_int,
		    .body_str = tk_body_str, .impl = &b};
	assert_true(twopc_trace_check(tc, &e, &v));
	e.body_int = NULL;
	assert_true(twopc_trace_check(tc, &e, &v));
	assert_true(twopc_trace_check(tc, NULL, &v));
	twopc_trace_check_free(tc);
	twopc_trace_check_free(NULL);
}

/* The ring: a transaction id TWOPC_CK_TXNS later takes the slot over, and a late event of
 * the old one is ignored rather than judged against the new one's votes. */
static void test_ring_reuse(void **st)
{
	(void)st;
	void *tc = tk_new(2);
	st_violation v;
	assert_true(tk_feed(tc, "local", 1, 5, NULL, "abort", &v));
	uint32_t later = 5 + TWOPC_CK_TXNS;
	assert_true(tk_feed(tc, "local", 1, later, "yes", NULL, &v));
	assert_true(tk_feed(tc, "local", 0, later, NULL, "commit", &v)); /* t5's abort forgotten */
	assert_true(tk_feed(tc, "local", 1, 5, NULL, "commit", &v));     /* older: not judged */
	twopc_trace_check_free(tc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_yes_commits),
		cmocka_unit_test(test_commit_needs_all_yes),
		cmocka_unit_test(test_commit_and_abort_conflict),
		cmocka_unit_test(test_aborts_need_nothing),
		cmocka_unit_test(test_ignores_what_it_cannot_read),
		cmocka_unit_test(test_ring_reuse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
