/* test_sim.c: the world's rules, tested with a tiny protocol of our own.
 *
 * "ping" nodes send a message to the next node on every timer tick, so every rule of the core
 * (queue order, the PRNG, clocks, drops and their reasons, partitions, crash and restart,
 * pause, snapshots, determinism) can be checked without depending on Raft's behaviour. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "core/sim.h"
#include "core/trace.h"

typedef struct { int count, restarts, volatile_ticks; } ping_state;
static const char *const ping_msgs[] = {"Ping"};
static const char *const ping_timers[] = {"tick"};

static void ping_init(st_ctx *c, void *st, const st_param_val *pv)
{
	(void)pv;
	memset(st, 0, sizeof(ping_state));
	if (c->role == ST_ROLE_NODE)
		st_set_timer(c, 0, 10000 + 1000 * c->self);
}
static void ping_msg(st_ctx *c, void *st, const st_msg *m)
{
	(void)m;
	((ping_state *)st)->count++;
	st_label(c, "got ping", NULL, 0);
}
static void ping_timer(st_ctx *c, void *st, int t)
{
	(void)t;
	((ping_state *)st)->volatile_ticks++;
	int v = 7;
	st_send(c, (c->self + 1) % c->nnodes, 0, &v, sizeof v);
	st_set_timer(c, 0, 10000);
}
static void ping_client(st_ctx *c, void *st, const st_op *op)
{
	(void)st;
	st_complete(c, op, ST_OP_OK);
}
static void ping_restart(st_ctx *c, void *st, const st_param_val *pv)
{
	(void)pv;
	ping_state *p = st;
	p->restarts++;
	p->volatile_ticks = 0;
	st_set_timer(c, 0, 10000);
}
static void ping_describe(const void *st, st_role r, st_sink *s)
{
	(void)r;
	const ping_state *p = st;
	s->kv_int(s, "count", p->count);
	s->kv_int(s, "restarts", p->restarts);
}
static void ping_encode(int type, const void *b, size_t len, st_sink *s)
{
	(void)type; (void)len;
	int v;
	memcpy(&v, b, sizeof v);
	s->kv_int(s, "v", v);
}

static const st_protocol ping_protocol = {
	.name = "ping", .version = "1", .summary = "test", .state_size = sizeof(ping_state),
	.max_msg_size = 8, .msg_types = ping_msgs, .n_msg_types = 1, .timer_names = ping_timers,
	.n_timers = 1, .init = ping_init, .on_message = ping_msg, .on_timer = ping_timer,
	.on_client = ping_client, .on_restart = ping_restart, .describe = ping_describe,
	.encode = ping_encode,
};

static st_scenario mk_scenario(int nodes)
{
	st_scenario sc;
	memset(&sc, 0, sizeof sc);
	sc.name = "ping";
	sc.protocol = &ping_protocol;
	sc.nnodes = nodes;
	sc.nprocs = nodes;
	sc.latency_lo_us = 1000;
	sc.latency_hi_us = 5000;
	return sc;
}

typedef struct { st_trace *t; st_sim *s; } world;
static world mk_world(const st_scenario *sc, uint64_t seed)
{
	world w;
	w.t = trace_new(sc->name, sc->protocol, seed, sc->nnodes, sc->nclients, NULL);
	sim_opts o = {seed, false, 0};
	w.s = sim_new(sc, &o, w.t);
	return w;
}
static void free_world(world *w) { sim_free(w->s); trace_free(w->t); }

static uint32_t count_kind(const st_trace *t, int kind, int aux)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < trace_count(t); i++)
		if (trace_at(t, i)->kind == kind && (aux < 0 || trace_at(t, i)->aux == aux))
			n++;
	return n;
}

static void test_rng(void **unused)
{
	(void)unused;
	st_rng a, b, c;
	rng_seed(&a, 42);
	rng_seed(&b, 42);
	rng_seed(&c, 43);
	int differ = 0;
	for (int i = 0; i < 1000; i++) {
		uint64_t x = rng_next(&a), y = rng_next(&b), z = rng_next(&c);
		assert_true(x == y);
		differ += x != z;
	}
	assert_true(differ > 990);
	int seen[7] = {0};
	for (int i = 0; i < 7000; i++) {
		int64_t v = rng_range(&a, 3, 9);
		assert_in_range(v, 3, 9);
		seen[v - 3]++;
	}
	for (int i = 0; i < 7; i++)
		assert_in_range(seen[i], 800, 1200);
	double u = rng_unit(&a);
	assert_true(u >= 0.0 && u < 1.0);
	assert_false(rng_chance(&a, 0.0));
	assert_true(rng_chance(&a, 1.0));
}

static void test_starts_and_time_order(void **unused)
{
	(void)unused;
	st_scenario sc = mk_scenario(3);
	world w = mk_world(&sc, 1);
	for (int i = 0; i < 3; i++)
		assert_int_equal(sim_step(w.s), SIM_OK);
	/* every process starts first, in index order, at t = 0, with its state */
	for (uint32_t i = 0; i < 3; i++) {
		assert_int_equal(trace_at(w.t, i)->kind, KIND_START);
		assert_int_equal(trace_at(w.t, i)->proc, i);
		assert_true(trace_at(w.t, i)->state != TRACE_NONE);
	}
	sim_run_steps(w.s, 500);
	for (uint32_t i = 1; i < trace_count(w.t); i++)
		assert_true(trace_at(w.t, i)->t_us >= trace_at(w.t, i - 1)->t_us);
	free_world(&w);
}

/* Lamport and vector clocks exactly as trace-format.md defines them. */
static void test_clocks(void **unused)
{
	(void)unused;
	st_scenario sc = mk_scenario(3);
	world w = mk_world(&sc, 5);
	sim_run_steps(w.s, 300);
	const st_trace *t = w.t;
	uint32_t lam[3] = {0};
	uint32_t vc[3][3];
	memset(vc, 0, sizeof vc);
	uint32_t recvs = 0;
	for (uint32_t i = 0; i < trace_count(t); i++) {
		const st_event *e = trace_at(t, i);
		if (!trace_kinds[e->kind].proc_event)
			continue;
		int p = e->proc;
		if (e->kind == KIND_RECV) {
			const st_msgrec *m = trace_msg(t, e->ref);
			const st_event *se = trace_at(t, m->send_ev);
			if (se->lamport > lam[p])
				lam[p] = se->lamport;
			for (int k = 0; k < 3; k++)
				if (trace_vc(t, m->send_ev)[k] > vc[p][k])
					vc[p][k] = trace_vc(t, m->send_ev)[k];
			recvs++;
		}
		lam[p]++;
		vc[p][p]++;
		assert_int_equal(e->lamport, lam[p]);
		assert_memory_equal(trace_vc(t, i), vc[p], sizeof vc[p]);
	}
	assert_true(recvs > 50);
	/* a send happens before its receive; two starts are concurrent */
	for (uint32_t i = 0; i < trace_count(t); i++)
		if (trace_at(t, i)->kind == KIND_RECV) {
			uint32_t s = trace_msg(t, trace_at(t, i)->ref)->send_ev;
			assert_int_equal(trace_order(t, s, i), 1);
			assert_int_equal(trace_order(t, i, s), -1);
		}
	assert_int_equal(trace_order(t, 0, 1), 0);
	free_world(&w);
}

static void test_loss_drops_everything(void **unused)
{
	(void)unused;
	st_scenario sc = mk_scenario(3);
	sc.loss = 1.0;
	world w = mk_world(&sc, 2);
	sim_run_steps(w.s, 200);
	assert_int_equal(count_kind(w.t, KIND_RECV, -1), 0);
	assert_true(count_kind(w.t, KIND_DROP, DROP_LOSS) > 10);
	free_world(&w);
}

static void test_duplicate_delivers_twice(void **unused)
{
	(void)unused;
	st_scenario sc = mk_scenario(3);
	sc.duplicate = 1.0;
	world w = mk_world(&sc, 2);
	sim_run_steps(w.s, 300);
	uint32_t sends = count_kind(w.t, KIND_SEND, -1), recvs = count_kind(w.t, KIND_RECV, -1);
	assert_true(sends > 10);
	assert_true(recvs > sends * 3 / 2);
	free_world(&w);
}

static void test_partition_and_heal(void **unused)
{
	(void)unused;
	st_scenario sc = mk_scenario(4);
	world w = mk_world(&sc, 3);
	sim_run_steps(w.s, 20);
	int8_t g[ST_MAX_PROCS];
	memset(g, -1, sizeof g);
	g[0] = 0; g[1] = 0; g[2] = 1; g[3] = 1;
	sim_partition(w.s, g, 2, BY_USER);
	assert_true(sim_blocked(w.s, 1, 2));
	assert_true(sim_blocked(w.s, 3, 0));
	assert_false(sim_blocked(w.s, 0, 1));
	uint32_t mark = trace_count(w.t);
	sim_run_until_us(w.s, sim_now_us(w.s) + 200000);
	/* n2 -> n3 and n4 -> n1 cross the wall: every such message is dropped */
	uint32_t crossed = 0;
	for (uint32_t i = mark; i < trace_count(w.t); i++) {
		const st_event *e = trace_at(w.t, i);
		if (e->kind == KIND_RECV) {
			const st_msgrec *m = trace_msg(w.t, e->ref);
			assert_false(g[m->from] != g[m->to]);
		}
		if (e->kind == KIND_DROP && e->aux == DROP_PARTITION)
			crossed++;
	}
	assert_true(crossed > 5);
	assert_int_equal(count_kind(w.t, KIND_PARTITION, -1), 1);
	assert_int_equal(trace_at(w.t, mark - 1)->by, BY_USER);
	sim_heal(w.s, BY_USER);
	assert_false(sim_blocked(w.s, 1, 2));
	mark = trace_count(w.t);
	sim_run_until_us(w.s, sim_now_us(w.s) + 200000);
	uint32_t after = 0;
	for (uint32_t i = mark; i < trace_count(w.t); i++)
		if (trace_at(w.t, i)->kind == KIND_RECV &&
		    trace_msg(w.t, trace_at(w.t, i)->ref)->send_ev > mark)
			after++;
	assert_true(after > 5);
	free_world(&w);
}

/* A process in no group reaches everyone; a one-way cut blocks one direction only. */
static void test_unlisted_and_one_way(void **unused)
{
	(void)unused;
	st_scenario sc = mk_scenario(3);
	world w = mk_world(&sc, 3);
	int8_t g[ST_MAX_PROCS];
	memset(g, -1, sizeof g);
	g[0] = 0; g[1] = 1;
	sim_partition(w.s, g, 2, BY_USER);
	assert_true(sim_blocked(w.s, 0, 1));
	assert_false(sim_blocked(w.s, 2, 0));
	assert_false(sim_blocked(w.s, 1, 2));
	sim_heal(w.s, BY_USER);
	sim_cut(w.s, 0, 1, true, BY_USER);
	assert_true(sim_blocked(w.s, 0, 1));
	assert_false(sim_blocked(w.s, 1, 0));
	free_world(&w);
}

static void test_crash_and_restart(void **unused)
{
	(void)unused;
	st_scenario sc = mk_scenario(3);
	world w = mk_world(&sc, 4);
	sim_run_steps(w.s, 30);
	const ping_state *ps = sim_proc_state(w.s, 1);
	int count_before = ps->count;
	sim_crash(w.s, 1, BY_USER);
	assert_int_equal(sim_proc_status_of(w.s, 1), PROC_CRASHED);
	int64_t a, b;
	assert_false(sim_timer(w.s, 1, 0, &a, &b));   /* timers die with the process */
	uint32_t mark = trace_count(w.t);
	sim_run_until_us(w.s, sim_now_us(w.s) + 100000);
	for (uint32_t i = mark; i < trace_count(w.t); i++) {
		const st_event *e = trace_at(w.t, i);
		if (trace_kinds[e->kind].proc_event)
			assert_int_not_equal(e->proc, 1);   /* a crashed process does nothing */
	}
	assert_true(count_kind(w.t, KIND_DROP, DROP_CRASHED) > 0);
	sim_restart(w.s, 1, BY_USER);
	ps = sim_proc_state(w.s, 1);
	assert_int_equal(ps->restarts, 1);
	assert_int_equal(ps->count, count_before);     /* what the protocol keeps, it keeps */
	assert_true(sim_timer(w.s, 1, 0, &a, &b));
	const st_event *re = trace_at(w.t, trace_count(w.t) - 1);
	assert_int_equal(re->kind, KIND_RESTART);
	assert_true(re->state != TRACE_NONE);
	assert_int_equal(re->by, BY_USER);
	free_world(&w);
}

static void test_pause_holds(void **unused)
{
	(void)unused;
	st_scenario sc = mk_scenario(2);
	world w = mk_world(&sc, 4);
	sim_run_steps(w.s, 10);
	sim_pause(w.s, 1, BY_USER);
	uint32_t mark = trace_count(w.t);
	sim_run_until_us(w.s, sim_now_us(w.s) + 100000);
	for (uint32_t i = mark; i < trace_count(w.t); i++)
		if (trace_kinds[trace_at(w.t, i)->kind].proc_event)
			assert_int_not_equal(trace_at(w.t, i)->proc, 1);
	sim_resume(w.s, 1, BY_USER);
	mark = trace_count(w.t);
	sim_run_steps(w.s, 5);
	uint32_t n1 = 0;
	for (uint32_t i = mark; i < trace_count(w.t); i++)
		if (trace_at(w.t, i)->proc == 1 && trace_at(w.t, i)->kind == KIND_RECV)
			n1++;
	assert_true(n1 > 0);  /* what waited is delivered */
	free_world(&w);
}

static void test_determinism(void **unused)
{
	(void)unused;
	st_scenario sc = mk_scenario(4);
	sc.loss = 0.2;
	sc.duplicate = 0.1;
	world a = mk_world(&sc, 9), b = mk_world(&sc, 9), c = mk_world(&sc, 10);
	sim_run_steps(a.s, 2000);
	sim_run_steps(b.s, 2000);
	sim_run_steps(c.s, 2000);
	assert_int_equal(trace_count(a.t), trace_count(b.t));
	assert_memory_equal(a.t->ev, b.t->ev, trace_count(a.t) * sizeof(st_event));
	bool same = trace_count(a.t) == trace_count(c.t) &&
		    memcmp(a.t->ev, c.t->ev, trace_count(a.t) * sizeof(st_event)) == 0;
	assert_false(same);
	free_world(&a);
	free_world(&b);
	free_world(&c);
}

/* Restoring a snapshot and re-executing gives the same events as the first time. */
static void test_snapshot_reexecution(void **unused)
{
	(void)unused;
	st_scenario sc = mk_scenario(3);
	sc.loss = 0.1;
	world w = mk_world(&sc, 11);
	sim_run_steps(w.s, 100);
	size_t n;
	void *snap = sim_save(w.s, &n);
	uint32_t at = trace_count(w.t);
	sim_run_steps(w.s, 400);
	uint32_t end = trace_count(w.t);
	st_event *copy = malloc(end * sizeof *copy);
	memcpy(copy, w.t->ev, end * sizeof *copy);
	/* branch: throw the future away and live it again */
	trace_truncate(w.t, at);
	sim_load(w.s, snap);
	sim_run_steps(w.s, 400);
	assert_int_equal(trace_count(w.t), end);
	assert_memory_equal(copy, w.t->ev, end * sizeof *copy);
	/* re-execution over a recorded future leaves it as it is */
	sim_load(w.s, snap);
	sim_run_steps(w.s, 400);
	assert_int_equal(trace_count(w.t), end);
	assert_memory_equal(copy, w.t->ev, end * sizeof *copy);
	free(copy);
	free(snap);
	free_world(&w);
}

static void test_user_message_actions(void **unused)
{
	(void)unused;
	st_scenario sc = mk_scenario(3);
	world w = mk_world(&sc, 12);
	sim_run_steps(w.s, 10);
	sim_flight f[16];
	int n = sim_inflight(w.s, f, 16);
	assert_true(n > 0);
	assert_true(sim_msg_drop(w.s, f[0].slot, BY_USER));
	const st_event *e = trace_at(w.t, trace_count(w.t) - 1);
	assert_int_equal(e->kind, KIND_DROP);
	assert_int_equal(e->aux, DROP_USER);
	assert_int_equal(e->ref, f[0].msg);
	assert_false(sim_msg_drop(w.s, f[0].slot, BY_USER));  /* gone already */
	n = sim_inflight(w.s, f, 16);
	if (n > 0) {
		assert_true(sim_msg_duplicate(w.s, f[0].slot, BY_USER));
		assert_int_equal(sim_inflight(w.s, f, 16), n + 1);
	}
	free_world(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rng),
		cmocka_unit_test(test_starts_and_time_order),
		cmocka_unit_test(test_clocks),
		cmocka_unit_test(test_loss_drops_everything),
		cmocka_unit_test(test_duplicate_delivers_twice),
		cmocka_unit_test(test_partition_and_heal),
		cmocka_unit_test(test_unlisted_and_one_way),
		cmocka_unit_test(test_crash_and_restart),
		cmocka_unit_test(test_pause_holds),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_snapshot_reexecution),
		cmocka_unit_test(test_user_message_actions),
	};
	return cmocka_run_group_tests_name("sim", tests, NULL, NULL);
}
