/* test_history.c: rewinding a run. Seeking back and forth must rebuild exactly the world that
 * was there, user actions included; acting in the past must discard the old future. Uses the
 * Raft scenario so snapshots carry real protocol state. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/history.h"
#include "core/scenario.h"

static st_scenario *load(void)
{
	char err[1024];
	st_scenario *sc = scenario_load("scenarios/raft-replication.json", err, sizeof err);
	if (!sc)
		fail_msg("%s", err);
	return sc;
}

static void run_steps(st_history *h, int n)
{
	for (int i = 0; i < n; i++)
		history_step(h);
}

static void test_seek_rebuilds_the_same_world(void **unused)
{
	(void)unused;
	st_scenario *sc = load();
	sim_opts o = {sc->seed, true, 0};
	st_history *h = history_new(sc, &o);
	run_steps(h, 3000);
	hist_act crash = {.kind = ACT_CRASH, .proc = 0};
	assert_true(history_act(h, &crash));
	run_steps(h, 3000);
	hist_act restart = {.kind = ACT_RESTART, .proc = 0};
	assert_true(history_act(h, &restart));
	run_steps(h, 3000);
	uint32_t end = history_end(h);
	size_t n1, n2;
	void *a = sim_save(history_sim(h), &n1);
	/* back to a few places, then forward to the end again */
	uint32_t spots[] = {0, 17, end / 3, end / 2, end - 5, 1};
	for (size_t i = 0; i < sizeof spots / sizeof spots[0]; i++) {
		history_seek(h, spots[i]);
		assert_int_equal(history_cursor(h), spots[i]);
		assert_true(sim_events(history_sim(h)) <= spots[i]);
	}
	history_seek(h, end);
	assert_int_equal(history_end(h), end);
	void *b = sim_save(history_sim(h), &n2);
	assert_int_equal(n1, n2);
	assert_memory_equal(a, b, n1);
	assert_false(history_branched(h));
	free(a);
	free(b);
	history_free(h);
	scenario_free(sc);
}

static void test_act_in_the_past_branches(void **unused)
{
	(void)unused;
	st_scenario *sc = load();
	sim_opts o = {sc->seed, true, 0};
	st_history *h = history_new(sc, &o);
	run_steps(h, 2000);
	uint32_t end = history_end(h);
	history_seek(h, end / 2);
	hist_act crash = {.kind = ACT_CRASH, .proc = 1};
	assert_true(history_act(h, &crash));
	assert_true(history_branched(h));
	assert_true(history_end(h) <= end / 2 + 1);
	assert_int_equal(history_cursor(h), history_end(h));
	const st_event *e = trace_at(history_trace(h), history_end(h) - 1);
	assert_int_equal(e->kind, KIND_CRASH);
	assert_int_equal(e->by, BY_USER);
	int n;
	history_actions(h, &n);
	assert_int_equal(n, 1);
	/* and the new branch runs on */
	run_steps(h, 100);
	assert_true(history_end(h) > end / 2 + 50);
	history_free(h);
	scenario_free(sc);
}

static void test_step_in_the_past_moves_one_event(void **unused)
{
	(void)unused;
	st_scenario *sc = load();
	sim_opts o = {sc->seed, false, 0};
	st_history *h = history_new(sc, &o);
	run_steps(h, 500);
	uint32_t end = history_end(h);
	history_seek(h, end - 50);
	for (int i = 0; i < 50; i++)
		history_step(h);
	assert_int_equal(history_cursor(h), end);
	assert_int_equal(history_end(h), end);
	history_free(h);
	scenario_free(sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seek_rebuilds_the_same_world),
		cmocka_unit_test(test_act_in_the_past_branches),
		cmocka_unit_test(test_step_in_the_past_moves_one_event),
	};
	return cmocka_run_group_tests_name("history", tests, NULL, NULL);
}
