/* test_trace_index.c: the run's index answers what a plain recomputation answers.
 *
 * A long Raft run with random faults (partitions, crashes, pauses, loss and duplication
 * changes, client operations cut short) is driven through the history, as the terminal
 * program drives it; at many random positions every answer of the index (each process's last
 * state record and the one before, its status, its open operation, the network and since
 * when, the rates, the messages in the air, the milestones around) is compared with a naive
 * scan of the trace written independently of it, and, at step boundaries, with the world
 * itself (status, rates, who can send to whom). Then the run is branched (acting in the past
 * cuts the trace and grows it again differently) and the same holds, and the history's index
 * equals one built from scratch. A read-only trace is indexed the same way. The index's memory
 * stays a small fraction of the trace's. Run from the repository root (make unit does). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/history.h"
#include "core/scenario.h"
#include "core/trace_index.h"

#define EVENTS 50000u
#define PROBES 400

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

static st_scenario *load(void)
{
	char err[1024];
	st_scenario *sc = scenario_load("scenarios/raft-replication.json", err, sizeof err);
	if (!sc)
		fail_msg("%s (run the tests from the repository root)", err);
	return sc;
}

static st_history *faulty_run(const st_scenario *sc, uint32_t events)
{
	char err[256];
	int faults = sim_parse_faults("partition,crash,pause,loss,dup", err, sizeof err);
	assert_true(faults > 0);
	sim_opts o = {sc->seed, false, faults};
	st_history *h = history_new(sc, &o);
	assert_non_null(h);
	while (history_end(h) < events)
		if (history_step(h) == SIM_IDLE)
			break;
	assert_true(history_end(h) >= events);
	return h;
}

/* ---- the naive answers, each a scan of its own ---------------------------------------------- */

static const char *body_str(const st_trace *t, uint32_t list, const char *key)
{
	if (list == TRACE_NONE)
		return NULL;
	for (uint32_t i = 0; i < trace_kv_count(t, list); i++) {
		const st_kvrec *r = &trace_kv_items(t, list)[i];
		if (r->type == ST_V_STR && strcmp(trace_str(t, r->key), key) == 0)
			return trace_str(t, (uint32_t)r->v);
	}
	return NULL;
}

static bool is_action(const st_trace *t, const st_event *e, const char *action)
{
	const char *a = e->kind == KIND_INPUT ? body_str(t, e->body, "action") : NULL;
	return a && strcmp(a, action) == 0;
}

static int64_t body_int(const st_trace *t, uint32_t list, const char *key)
{
	int64_t v = -1;
	if (list != TRACE_NONE)
		trace_kv_int(t, list, key, &v);
	return v;
}

/* The last two state records of p before n, scanning back. */
static void naive_states(const st_trace *t, uint32_t n, int p, uint32_t *last, uint32_t *prev)
{
	*last = *prev = TRACE_NONE;
	for (uint32_t id = n; id-- > 0;) {
		const st_event *e = trace_at(t, id);
		if (!trace_kinds[e->kind].proc_event || e->proc != p || e->state == TRACE_NONE)
			continue;
		if (*last == TRACE_NONE) {
			*last = id;
		} else {
			*prev = id;
			return;
		}
	}
}

static int naive_status(const st_trace *t, uint32_t n, int p)
{
	int st = TI_ABSENT;
	for (uint32_t id = 0; id < n; id++) {
		const st_event *e = trace_at(t, id);
		if (trace_kinds[e->kind].proc_event && e->proc == p) {
			if (e->kind == KIND_START || e->kind == KIND_RESTART)
				st = TI_UP;
			else if (e->kind == KIND_CRASH)
				st = TI_CRASHED;
		} else if (body_int(t, e->body, "proc") == p && (st == TI_UP || st == TI_PAUSED)) {
			if (is_action(t, e, "pause"))
				st = TI_PAUSED;
			else if (is_action(t, e, "resume"))
				st = TI_UP;
		}
	}
	return st;
}

/* p's last invoke before n, unless a complete or a restart of p came after it. */
static uint32_t naive_open_op(const st_trace *t, uint32_t n, int p)
{
	for (uint32_t id = n; id-- > 0;) {
		const st_event *e = trace_at(t, id);
		if (!trace_kinds[e->kind].proc_event || e->proc != p)
			continue;
		if (e->kind == KIND_INVOKE)
			return id;
		if (e->kind == KIND_COMPLETE || e->kind == KIND_RESTART)
			return TRACE_NONE;
	}
	return TRACE_NONE;
}

/* Who cannot send to whom before n: the last partition or heal, then the cuts after it. */
static void naive_blocked(const st_trace *t, uint32_t n, uint32_t *blocked, uint32_t *part)
{
	memset(blocked, 0, ST_MAX_PROCS * sizeof *blocked);
	*part = TRACE_NONE;
	uint32_t from = 0;
	for (uint32_t id = n; id-- > 0;) {
		const st_event *e = trace_at(t, id);
		if (e->kind != KIND_PARTITION && e->kind != KIND_HEAL)
			continue;
		from = id + 1;
		if (e->kind == KIND_PARTITION) {
			*part = id;
			int group[ST_MAX_PROCS];
			for (int p = 0; p < ST_MAX_PROCS; p++)
				group[p] = -1;
			for (uint32_t i = 0; i < trace_kv_count(t, e->body); i++) {
				const st_kvrec *r = &trace_kv_items(t, e->body)[i];
				group[r->v] = atoi(trace_str(t, r->key));
			}
			for (int a = 0; a < t->nprocs; a++)
				for (int b = 0; b < t->nprocs; b++)
					if (group[a] >= 0 && group[b] >= 0 && group[a] != group[b])
						blocked[a] |= 1u << b;
		}
		break;
	}
	for (uint32_t id = from; id < n; id++) {
		const st_event *e = trace_at(t, id);
		bool cut = is_action(t, e, "cut"), uncut = is_action(t, e, "uncut");
		if (!cut && !uncut)
			continue;
		int a = (int)body_int(t, e->body, "from"), b = (int)body_int(t, e->body, "to");
		if (cut)
			blocked[a] |= 1u << b;
		else
			blocked[a] &= ~(1u << b);
	}
}

static int64_t naive_rate(const st_trace *t, uint32_t n, const char *action, double initial)
{
	for (uint32_t id = n; id-- > 0;)
		if (is_action(t, trace_at(t, id), action))
			return body_int(t, trace_at(t, id)->body, "ppm");
	return (int64_t)(initial * 1e6 + 0.5);
}

static uint32_t naive_in_flight(const st_trace *t, uint32_t n, uint32_t *out)
{
	uint32_t k = 0;
	for (uint32_t m = 0; m < t->nmsg; m++) {
		const st_msgrec *mr = trace_msg(t, m);
		if (mr->send_ev >= n)
			continue;
		bool ended = false;
		for (uint32_t id = mr->send_ev + 1; id < n && !ended; id++) {
			const st_event *e = trace_at(t, id);
			ended = (e->kind == KIND_RECV || e->kind == KIND_DROP) && e->ref == m;
		}
		if (!ended)
			out[k++] = m;
	}
	return k;
}

/* ---- comparing ------------------------------------------------------------------------------ */

static void check_at(const st_scenario *sc, const trace_index *ix, const st_trace *t, uint32_t n,
		     bool flights)
{
	trace_point pt;
	trace_index_at(ix, n, &pt);
	assert_int_equal(pt.at, n);
	for (int p = 0; p < t->nprocs; p++) {
		uint32_t last, prev;
		naive_states(t, n, p, &last, &prev);
		if (pt.state_ev[p] != last || pt.prev_state_ev[p] != prev)
			fail_msg("at %u, p%d: state %u/%u, naive %u/%u", n, p, pt.state_ev[p],
				 pt.prev_state_ev[p], last, prev);
		assert_int_equal(pt.status[p], naive_status(t, n, p));
		assert_int_equal(pt.op_ev[p], naive_open_op(t, n, p));
	}
	uint32_t blocked[ST_MAX_PROCS], part;
	naive_blocked(t, n, blocked, &part);
	trace_net net;
	trace_index_net(ix, &pt, &net);
	assert_int_equal(pt.part_ev, part);
	for (int a = 0; a < t->nprocs; a++)
		if (net.blocked[a] != blocked[a])
			fail_msg("at %u: p%d blocked %x, naive %x", n, a, net.blocked[a], blocked[a]);
	if (part != TRACE_NONE)
		assert_int_equal(net.since, part);
	assert_int_equal(pt.loss_ppm, naive_rate(t, n, "loss", sc ? sc->loss : -1e-6));
	assert_int_equal(pt.dup_ppm, naive_rate(t, n, "duplicate_rate", sc ? sc->duplicate : -1e-6));
	if (flights) {
		static uint32_t want[EVENTS];
		uint32_t *got = NULL;
		unsigned cap = 0;
		uint32_t k = naive_in_flight(t, n, want);
		uint32_t g = trace_index_in_flight(ix, n, &got, &cap);
		assert_int_equal(g, k);
		for (uint32_t i = 0; i < k; i++)
			assert_int_equal(got[i], want[i]);
		free(got);
	}
	/* milestones around n, among the events the index has folded */
	uint32_t next = TRACE_NONE, prevm = TRACE_NONE, before = 0;
	for (uint32_t id = 0; id < trace_index_count(ix); id++)
		if (trace_at(t, id)->flags & EVF_MILESTONE) {
			if (id < n)
				prevm = id, before++;
			else if (next == TRACE_NONE)
				next = id;
		}
	assert_int_equal(trace_index_milestone_next(ix, n), next);
	assert_int_equal(trace_index_milestone_prev(ix, n), prevm);
	assert_int_equal(trace_index_milestones_before(ix, n), before);
}

/* At a step boundary the world is rebuilt exactly: it must agree with the index. */
static void check_world(st_history *h, uint32_t n)
{
	const st_trace *t = history_trace(h);
	while (n > 0 && !(trace_at(t, n)->flags & EVF_STEP))
		n--;
	history_seek(h, n);
	const st_sim *s = history_sim(h);
	trace_point pt;
	trace_index_at(history_index(h), n, &pt);
	static const int as_sim[] = {[TI_UP] = PROC_UP, [TI_CRASHED] = PROC_CRASHED,
				     [TI_PAUSED] = PROC_PAUSED};
	for (int p = 0; p < t->nprocs; p++)
		if (pt.status[p] != TI_ABSENT)
			assert_int_equal(as_sim[pt.status[p]], sim_proc_status_of(s, p));
	assert_int_equal(pt.loss_ppm, (int64_t)(sim_loss(s) * 1e6 + 0.5));
	assert_int_equal(pt.dup_ppm, (int64_t)(sim_duplicate(s) * 1e6 + 0.5));
	trace_net net;
	trace_index_net(history_index(h), &pt, &net);
	for (int a = 0; a < t->nprocs; a++)
		for (int b = 0; b < t->nprocs; b++)
			if (a != b && ((net.blocked[a] >> b) & 1u) != sim_blocked(s, a, b))
				fail_msg("at %u: %d->%d blocked %u, world says %d", n, a, b,
					 (net.blocked[a] >> b) & 1u, sim_blocked(s, a, b));
}

/* Everything about a run's facts, so a history's index and a fresh one can be compared. */
static void check_same(const trace_index *a, const trace_index *b, uint32_t n)
{
	trace_point pa, pb;
	trace_index_at(a, n, &pa);
	trace_index_at(b, n, &pb);
	assert_memory_equal(&pa, &pb, sizeof pa);
	assert_int_equal(trace_index_milestone_next(a, n), trace_index_milestone_next(b, n));
	assert_int_equal(trace_index_lesson_at(a, n, 0), trace_index_lesson_at(b, n, 0));
}

/* ---- tests ---------------------------------------------------------------------------------- */

static void test_long_faulty_run(void **unused)
{
	(void)unused;
	st_scenario *sc = load();
	st_history *h = faulty_run(sc, EVENTS);
	const st_trace *t = history_trace(h);
	const trace_index *ix = history_index(h);
	assert_int_equal(trace_index_count(ix), trace_count(t));
	/* the run has what is being checked: crashes, pauses, partitions, rate changes, ops */
	int kinds[KIND__COUNT] = {0}, pauses = 0, rates = 0;
	for (uint32_t id = 0; id < trace_count(t); id++) {
		const st_event *e = trace_at(t, id);
		kinds[e->kind]++;
		pauses += is_action(t, e, "pause");
		rates += is_action(t, e, "loss") || is_action(t, e, "duplicate_rate");
	}
	assert_true(kinds[KIND_CRASH] > 0 && kinds[KIND_PARTITION] > 0 && kinds[KIND_INVOKE] > 0);
	assert_true(pauses > 0 && rates > 0);
	uint32_t end = trace_count(t);
	check_at(sc, ix, t, 0, true);
	check_at(sc, ix, t, end, true);
	for (int i = 0; i < PROBES; i++)
		check_at(sc, ix, t, rnd(end + 1), i % 8 == 0);
	/* positions just around checkpoints */
	for (uint32_t k = 1; k * TI_EVERY + 1 < end && k < 8; k++)
		for (uint32_t d = 0; d < 3; d++)
			check_at(sc, ix, t, k * TI_EVERY - 1 + d, false);
	for (int i = 0; i < 60; i++)
		check_world(h, rnd(end));
	/* small: the budget for everything is 200 bytes/event, the trace takes about 99 */
	double per = (double)trace_index_bytes(ix) / end;
	fprintf(stderr, "index: %.2f bytes/event over %u events\n", per, end);
	assert_true(per < 4.0);
	history_free(h);
	scenario_free(sc);
}

static void test_branch_cuts_the_index(void **unused)
{
	(void)unused;
	st_scenario *sc = load();
	st_history *h = faulty_run(sc, EVENTS / 2);
	const st_trace *t = history_trace(h);
	uint32_t old_end = trace_count(t);
	/* act in the past: the old future goes, a different one grows */
	for (int tries = 0; tries < 50; tries++) {
		history_seek(h, old_end / 3 + (uint32_t)tries * 37);
		hist_act crash = {.kind = ACT_CRASH, .proc = tries % 5};
		if (history_act(h, &crash))
			break;
	}
	assert_true(history_branched(h));
	uint32_t cut = trace_count(t);
	assert_true(cut < old_end);
	const trace_index *ix = history_index(h);
	assert_int_equal(trace_index_count(ix), cut);
	for (int i = 0; i < 100; i++)
		check_at(sc, ix, t, rnd(cut + 1), i % 10 == 0);
	while (history_end(h) < old_end + 2000)
		if (history_step(h) == SIM_IDLE)
			break;
	uint32_t end = trace_count(t);
	assert_int_equal(trace_index_count(ix), end);
	trace_index *fresh = trace_index_new(t, sc);
	trace_index_sync(fresh);
	for (int i = 0; i < PROBES / 2; i++) {
		uint32_t n = rnd(end + 1);
		check_at(sc, ix, t, n, i % 10 == 0);
		check_same(ix, fresh, n);
	}
	check_same(ix, fresh, end);
	trace_index_free(fresh);
	/* a cut right on a checkpoint and just after one */
	trace_index *b = trace_index_new(t, sc);
	trace_index_sync(b);
	trace_index_truncate(b, 2 * TI_EVERY);
	assert_int_equal(trace_index_count(b), 2 * TI_EVERY);
	check_at(sc, b, t, 2 * TI_EVERY, true);
	check_at(sc, b, t, TI_EVERY + 5, false);
	trace_index_truncate(b, TI_EVERY + 1);
	check_at(sc, b, t, TI_EVERY + 1, true);
	trace_index_sync(b);    /* and forward again to the end */
	for (int i = 0; i < 50; i++)
		check_same(ix, b, rnd(end + 1));
	trace_index_free(b);
	history_free(h);
	scenario_free(sc);
}

/* A recorded trace with no world: the history indexes it whole when it opens it. */
static void test_read_only_trace(void **unused)
{
	(void)unused;
	st_scenario *sc = load();
	char err[256];
	int faults = sim_parse_faults("partition,crash,pause", err, sizeof err);
	st_trace *t = trace_new(sc->name, sc->protocol, sc->seed, sc->nnodes, sc->nclients, NULL);
	sim_opts o = {sc->seed, false, faults};
	st_sim *s = sim_new(sc, &o, t);
	while (trace_count(t) < EVENTS / 5)
		sim_step(s);
	sim_free(s);
	st_history *h = history_open_trace(t);
	const trace_index *ix = history_index(h);
	assert_int_equal(trace_index_count(ix), trace_count(t));
	/* the network settings a run starts with are not in a trace: unknown until set */
	trace_point pt;
	trace_index_at(ix, 0, &pt);
	assert_int_equal(pt.loss_ppm, -1);
	for (int i = 0; i < 100; i++) {
		uint32_t n = rnd(trace_count(t) + 1);
		trace_index_at(ix, n, &pt);
		for (int p = 0; p < t->nprocs; p++) {
			assert_int_equal(pt.status[p], naive_status(t, n, p));
			assert_int_equal(pt.op_ev[p], naive_open_op(t, n, p));
		}
	}
	/* no narration until its scenario is given; then its moments come from the trace */
	assert_int_equal(trace_index_lesson_at(ix, trace_count(t), 0), -1);
	history_set_lessons(h, sc);
	if (sc->nlesson > 0)
		assert_true(trace_index_lesson_at(ix, trace_count(t), 0) >= 0);
	history_free(h);
	scenario_free(sc);
}

/* Lesson moments: the last entry reached, labels matched whole or as a prefix, back in time
 * the earlier entry, and a truncate forgets what it cut. */
static void test_lesson_moments(void **unused)
{
	(void)unused;
	static const char text[] =
		"{\"name\": \"t\", \"title\": \"t\", \"topic\": \"Broadcast, replication and consensus\","
		" \"protocol\": \"raft\", \"nodes\": 3, \"clients\": 1, \"seed\": 3,"
		" \"network\": {\"latency_ms\": [10, 20]},"
		" \"params\": {\"election_timeout_ms\": [150, 300], \"heartbeat_ms\": 50},"
		" \"lesson\": ["
		"  {\"when\": \"start\", \"text\": \"S\"},"
		"  {\"when\": \"label:became candidate\", \"text\": \"C\"},"
		"  {\"when\": \"label:became leader\", \"text\": \"L\"},"
		"  {\"when\": \"kind:crash\", \"text\": \"X\"},"
		"  {\"when\": \"at_ms:100000\", \"text\": \"late\"}]}";
	char err[512];
	st_scenario *sc = scenario_parse(text, strlen(text), "t.json", err, sizeof err);
	if (!sc)
		fail_msg("%s", err);
	sim_opts o = {sc->seed, false, 0};
	st_history *h = history_new(sc, &o);
	while (history_end(h) < 400)
		history_step(h);
	const st_trace *t = history_trace(h);
	const trace_index *ix = history_index(h);
	uint32_t cand = TRACE_NONE, lead = TRACE_NONE;
	for (uint32_t id = 0; id < trace_count(t); id++) {
		const char *l = trace_at(t, id)->label ? trace_str(t, trace_at(t, id)->label) : "";
		if (cand == TRACE_NONE && strcmp(l, "became candidate") == 0)
			cand = id;
		if (lead == TRACE_NONE && strcmp(l, "became leader") == 0)
			lead = id;
	}
	assert_true(cand != TRACE_NONE && lead != TRACE_NONE && cand < lead);
	assert_int_equal(trace_index_lesson_at(ix, 0, 0), 0);
	assert_int_equal(trace_index_lesson_at(ix, cand, 0), 0);
	assert_int_equal(trace_index_lesson_at(ix, cand + 1, 0), 1);
	assert_int_equal(trace_index_lesson_at(ix, lead + 1, 0), 2);
	assert_int_equal(trace_index_lesson_at(ix, lead + 1, 100000000), 4);
	hist_act crash = {.kind = ACT_CRASH, .proc = 1};
	assert_true(history_act(h, &crash));
	uint32_t end = history_end(h);
	/* issue 10: the user's crash is not the script's: "kind:crash" waits for a crash the
	 * lesson itself brings, so the page stays */
	assert_int_equal(trace_index_lesson_at(ix, end, 0), 2);
	/* back before the crash, and a branch there: the crash entry is no longer reached */
	uint32_t b = lead + 1;
	while (b < end && !(trace_at(t, b)->flags & EVF_STEP))
		b++;
	history_seek(h, b);
	hist_act pause = {.kind = ACT_PAUSE, .proc = 2};
	assert_true(history_act(h, &pause));
	assert_int_equal(trace_index_lesson_at(ix, history_end(h), 0), 2);
	history_free(h);
	scenario_free(sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long_faulty_run),
		cmocka_unit_test(test_branch_cuts_the_index),
		cmocka_unit_test(test_read_only_trace),
		cmocka_unit_test(test_lesson_moments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
