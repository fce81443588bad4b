/* test_lin.c: unit tests of the linearizability checker, its models and the history readers.
 *
 * Why: a checker that says "linearizable" too easily finds no bugs, and one that says "not"
 * too easily cries wolf; each rule that decides a verdict (pending operations may take effect
 * or not, an unknown read accepts any state, a definite failure did not happen, a failed cas
 * saw another value, keys are independent) gets a small history on each side of it. The
 * models are stepped directly; the readers are shown to point at the right line and column
 * for each kind of malformed input; the report is shown to name the right operations. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/lin_check.h"
#include "core/scenario.h"
#include "core/sim.h"

/* ---- helpers ---- */

typedef struct {
	ophist h;
	lin_result r;
	const lin_model *m;
	char err[1024];
} tl_run;

/* Read text (EDN or log lines) and check it with model m (NULL: the guess). */
static lin_verdict tl_check(tl_run *t, const char *text, const lin_model *m, uint64_t budget)
{
	memset(t, 0, sizeof *t);
	ophist_init(&t->h);
	if (!ophist_read_text("h", text, strlen(text), &t->h, t->err, sizeof t->err))
		return LIN_BAD;
	t->m = m ? m : lin_model_guess(&t->h);
	assert_non_null(t->m);
	lin_opts o = {budget};
	lin_verdict v = lin_check(&t->h, t->m, &o, "h", &t->r);
	if (v == LIN_BAD)
		snprintf(t->err, sizeof t->err, "%s", t->r.err);
	return v;
}

static void tl_free(tl_run *t)
{
	lin_result_free(&t->r);
	ophist_free(&t->h);
}

static lin_verdict tl_verdict(const char *text)
{
	tl_run t;
	lin_verdict v = tl_check(&t, text, NULL, 0);
	tl_free(&t);
	return v;
}

/* The reader's message for a malformed text. */
static void tl_bad(const char *text, const char *want)
{
	tl_run t;
	lin_verdict v = tl_check(&t, text, NULL, 0);
	if (v != LIN_BAD || !strstr(t.err, want))
		fail_msg("expected an error containing '%s', got verdict %d: '%s'", want, v, t.err);
	tl_free(&t);
}

#define INV(p, f, v) "{:process " #p ", :type :invoke, :f :" #f ", :value " v "}\n"
#define OK(p, f, v) "{:process " #p ", :type :ok, :f :" #f ", :value " v "}\n"
#define FAIL(p, f, v) "{:process " #p ", :type :fail, :f :" #f ", :value " v "}\n"
#define INFO(p, f, v) "{:process " #p ", :type :info, :f :" #f ", :value " v "}\n"

/* ---- the models, stepped directly ---- */

static void test_register_model(void **st)
{
	(void)st;
	lin_vals p;
	lin_vals_init(&p);
	const lin_model *m = &lin_model_register;
	char err[128];
	uint32_t one = lin_vals_scalar(&p, LV_INT, NULL, 0, 1),
		 two = lin_vals_scalar(&p, LV_INT, NULL, 0, 2);
	uint32_t pair[2] = {one, two}, cas12 = lin_vals_compound(&p, LV_VEC, pair, 2);
	assert_int_equal(one, lin_vals_scalar(&p, LV_INT, NULL, 0, 1));   /* interned */
	assert_string_equal(lin_vals_text(&p, cas12), "[1 2]");
	lin_opv w, r, c, cf, cp;
	assert_int_equal(m->make(&p, "write", LIN_DONE, one, one, &w, err, sizeof err), LIN_MAKE_KEEP);
	assert_int_equal(m->make(&p, "read", LIN_DONE, LIN_NIL, one, &r, err, sizeof err), LIN_MAKE_KEEP);
	assert_int_equal(m->make(&p, "cas", LIN_DONE, cas12, cas12, &c, err, sizeof err), LIN_MAKE_KEEP);
	assert_int_equal(m->make(&p, "cas", LIN_FAILED, cas12, cas12, &cf, err, sizeof err), LIN_MAKE_KEEP);
	assert_int_equal(m->make(&p, "cas", LIN_OPEN, cas12, LIN_NIL, &cp, err, sizeof err), LIN_MAKE_KEEP);
	uint64_t s = m->init(&p), n;
	assert_int_equal(s, LIN_NIL);
	assert_false(m->step(&p, s, &r, &n));           /* nil is not 1 */
	assert_false(m->step(&p, s, &c, &n));           /* cas 1 -> 2 needs 1 */
	assert_true(m->step(&p, s, &cf, &n));           /* a failed cas saw not-1 */
	assert_int_equal(n, s);
	assert_true(m->step(&p, s, &cp, &n));           /* pending: may do nothing */
	assert_int_equal(n, s);
	assert_true(m->step(&p, s, &w, &n));
	assert_int_equal(n, one);
	s = n;
	assert_true(m->step(&p, s, &r, &n));
	assert_false(m->step(&p, s, &cf, &n));          /* it held 1, so a cas from 1 succeeds */
	assert_true(m->step(&p, s, &c, &n));
	assert_int_equal(n, two);
	assert_true(m->step(&p, s, &cp, &n));           /* pending: takes effect when it can */
	assert_int_equal(n, two);
	/* what cannot matter is dropped, what is malformed is said */
	assert_int_equal(m->make(&p, "read", LIN_FAILED, LIN_NIL, LIN_NIL, &r, err, sizeof err), LIN_MAKE_DROP);
	assert_int_equal(m->make(&p, "read", LIN_OPEN, LIN_NIL, LIN_NIL, &r, err, sizeof err), LIN_MAKE_DROP);
	assert_int_equal(m->make(&p, "write", LIN_FAILED, one, one, &w, err, sizeof err), LIN_MAKE_DROP);
	assert_int_equal(m->make(&p, "cas", LIN_DONE, one, one, &c, err, sizeof err), LIN_MAKE_BAD);
	assert_non_null(strstr(err, "cas needs a value [from to], got 1"));
	assert_int_equal(m->make(&p, "get", LIN_DONE, one, one, &c, err, sizeof err), LIN_MAKE_BAD);
	char b[128];
	m->describe_op(&p, &cf, " by process 2", b, sizeof b);
	assert_string_equal(b, "cas(1 -> 2) by process 2 failed");
	m->describe_state(&p, two, b, sizeof b);
	assert_string_equal(b, "holds 2");
	assert_ptr_equal(lin_model_find("register"), m);
	assert_null(lin_model_find("queue"));
	lin_vals_free(&p);
}

static void test_kv_model(void **st)
{
	(void)st;
	lin_vals p;
	lin_vals_init(&p);
	const lin_model *m = &lin_model_kv;
	char err[128];
	uint32_t x = lin_vals_scalar(&p, LV_STR, "x", 1, 0), y = lin_vals_scalar(&p, LV_STR, "y", 1, 0),
		 xy = lin_vals_scalar(&p, LV_STR, "xy", 2, 0), empty = lin_vals_scalar(&p, LV_STR, "", 0, 0);
	lin_opv put, app, get, get0;
	assert_int_equal(m->make(&p, "put", LIN_DONE, x, x, &put, err, sizeof err), LIN_MAKE_KEEP);
	assert_int_equal(m->make(&p, "append", LIN_DONE, y, y, &app, err, sizeof err), LIN_MAKE_KEEP);
	assert_int_equal(m->make(&p, "get", LIN_DONE, LIN_NIL, xy, &get, err, sizeof err), LIN_MAKE_KEEP);
	assert_int_equal(m->make(&p, "get", LIN_DONE, LIN_NIL, LIN_NIL, &get0, err, sizeof err), LIN_MAKE_KEEP);
	uint64_t s = m->init(&p), n;
	assert_int_equal(s, empty);
	assert_true(m->step(&p, s, &get0, &n));         /* nil reads as "" */
	assert_false(m->step(&p, s, &get, &n));
	assert_true(m->step(&p, s, &put, &n));
	assert_true(m->step(&p, n, &app, &n));
	assert_int_equal(n, xy);                        /* the concatenation is interned */
	assert_true(m->step(&p, n, &get, &n));
	assert_int_equal(m->make(&p, "read", LIN_DONE, x, x, &put, err, sizeof err), LIN_MAKE_BAD);
	lin_vals_free(&p);
}

/* ---- the checker ---- */

static void test_sequential_and_concurrent(void **st)
{
	(void)st;
	/* one after another */
	assert_int_equal(tl_verdict(INV(0, write, "1") OK(0, write, "1") INV(1, read, "nil")
				    OK(1, read, "1")), LIN_LINEARIZABLE);
	/* the read overlaps the write: either value is fine */
	assert_int_equal(tl_verdict(INV(0, write, "1") INV(1, read, "nil") OK(1, read, "nil")
				    OK(0, write, "1")), LIN_LINEARIZABLE);
	assert_int_equal(tl_verdict(INV(0, write, "1") INV(1, read, "nil") OK(1, read, "1")
				    OK(0, write, "1")), LIN_LINEARIZABLE);
	/* a value nobody wrote */
	assert_int_equal(tl_verdict(INV(0, write, "1") INV(1, read, "nil") OK(1, read, "2")
				    OK(0, write, "1")), LIN_NOT);
	/* a stale read after the write completed */
	assert_int_equal(tl_verdict(INV(0, write, "1") OK(0, write, "1") INV(1, read, "nil")
				    OK(1, read, "nil")), LIN_NOT);
	/* new-old inversion: two reads in order see 2 then 1 while a write of 2 follows 1 */
	assert_int_equal(tl_verdict(INV(0, write, "1") OK(0, write, "1") INV(0, write, "2")
				    INV(1, read, "nil") OK(1, read, "2") INV(2, read, "nil")
				    OK(2, read, "1") OK(0, write, "2")), LIN_NOT);
	/* an empty history */
	assert_int_equal(tl_verdict(""), LIN_LINEARIZABLE);
}

static void test_pending_operations(void **st)
{
	(void)st;
	/* :info write: it may have happened (a later read sees it) ... */
	assert_int_equal(tl_verdict(INV(0, write, "1") INFO(0, write, ":timed-out")
				    INV(1, read, "nil") OK(1, read, "1")), LIN_LINEARIZABLE);
	/* ... or not (a later read sees the old value) ... */
	assert_int_equal(tl_verdict(INV(0, write, "1") INFO(0, write, ":timed-out")
				    INV(1, read, "nil") OK(1, read, "nil")), LIN_LINEARIZABLE);
	/* ... and it may take effect late, after other operations */
	assert_int_equal(tl_verdict(INV(0, write, "1") INFO(0, write, ":timed-out")
				    INV(1, write, "2") OK(1, write, "2") INV(1, read, "nil")
				    OK(1, read, "1")), LIN_LINEARIZABLE);
	/* but once seen it cannot be unseen */
	assert_int_equal(tl_verdict(INV(0, write, "1") INFO(0, write, ":timed-out")
				    INV(1, read, "nil") OK(1, read, "1") INV(1, read, "nil")
				    OK(1, read, "nil")), LIN_NOT);
	/* never completed at all is the same as :info */
	assert_int_equal(tl_verdict(INV(0, write, "1") INV(1, read, "nil") OK(1, read, "1")
				    INV(1, read, "nil") OK(1, read, "1")), LIN_LINEARIZABLE);
	/* a pending cas takes effect or not */
	assert_int_equal(tl_verdict(INV(0, write, "1") OK(0, write, "1") INV(1, cas, "[1 2]")
				    INFO(1, cas, "[1 2]") INV(2, read, "nil") OK(2, read, "2")),
			 LIN_LINEARIZABLE);
	assert_int_equal(tl_verdict(INV(0, write, "3") OK(0, write, "3") INV(1, cas, "[1 2]")
				    INFO(1, cas, "[1 2]") INV(2, read, "nil") OK(2, read, "2")),
			 LIN_NOT);
}

static void test_unknown_reads_and_failures(void **st)
{
	(void)st;
	/* :fail :read :timed-out saw nothing: any state accepts it */
	assert_int_equal(tl_verdict(INV(0, write, "1") OK(0, write, "1") INV(1, read, "nil")
				    FAIL(1, read, ":timed-out")), LIN_LINEARIZABLE);
	/* a definite :fail of a write did not happen */
	assert_int_equal(tl_verdict(INV(0, write, "1") FAIL(0, write, "1") INV(1, read, "nil")
				    OK(1, read, "1")), LIN_NOT);
	assert_int_equal(tl_verdict(INV(0, write, "1") FAIL(0, write, "1") INV(1, read, "nil")
				    OK(1, read, "nil")), LIN_LINEARIZABLE);
	/* a cas that succeeded needs its from-value; a failed one needs another value */
	assert_int_equal(tl_verdict(INV(0, write, "1") OK(0, write, "1") INV(1, cas, "[1 2]")
				    OK(1, cas, "[1 2]") INV(1, read, "nil") OK(1, read, "2")),
			 LIN_LINEARIZABLE);
	assert_int_equal(tl_verdict(INV(0, write, "1") OK(0, write, "1") INV(1, cas, "[1 2]")
				    FAIL(1, cas, "[1 2]")), LIN_NOT);
	assert_int_equal(tl_verdict(INV(0, write, "3") OK(0, write, "3") INV(1, cas, "[1 2]")
				    FAIL(1, cas, "[1 2]")), LIN_LINEARIZABLE);
	assert_int_equal(tl_verdict(INV(0, write, "3") OK(0, write, "3") INV(1, cas, "[1 2]")
				    OK(1, cas, "[1 2]")), LIN_NOT);
}

static void test_keys_apart(void **st)
{
	(void)st;
	/* each key is its own register: a history linearizable per key is linearizable */
	const char *ok =
		"{:process 0, :type :invoke, :f :put, :key \"a\", :value \"x\"}\n"
		"{:process 1, :type :invoke, :f :append, :key \"b\", :value \"y\"}\n"
		"{:process 0, :type :ok, :f :put, :key \"a\", :value \"x\"}\n"
		"{:process 1, :type :ok, :f :append, :key \"b\", :value \"y\"}\n"
		"{:process 0, :type :invoke, :f :append, :key \"a\", :value \"z\"}\n"
		"{:process 0, :type :ok, :f :append, :key \"a\", :value \"z\"}\n"
		"{:process 1, :type :invoke, :f :get, :key \"a\", :value nil}\n"
		"{:process 1, :type :ok, :f :get, :key \"a\", :value \"xz\"}\n"
		"{:process 1, :type :invoke, :f :get, :key \"b\", :value nil}\n"
		"{:process 1, :type :ok, :f :get, :key \"b\", :value \"y\"}\n";
	tl_run t;
	assert_int_equal(tl_check(&t, ok, NULL, 0), LIN_LINEARIZABLE);
	assert_ptr_equal(t.m, &lin_model_kv);
	assert_int_equal(t.r.nparts, 2);
	tl_free(&t);
	/* key b reads a's value: not linearizable, and the report names key b */
	const char *bad =
		"{:process 0, :type :invoke, :f :put, :key \"a\", :value \"x\"}\n"
		"{:process 0, :type :ok, :f :put, :key \"a\", :value \"x\"}\n"
		"{:process 1, :type :invoke, :f :get, :key \"b\", :value nil}\n"
		"{:process 1, :type :ok, :f :get, :key \"b\", :value \"x\"}\n";
	assert_int_equal(tl_check(&t, bad, NULL, 0), LIN_NOT);
	assert_int_equal(t.r.nstuck, 1);
	char s[512];
	lin_stuck_sentence(&t.h, t.m, &t.r, 0, s, sizeof s);
	assert_string_equal(s, "get by process 1 returned \"x\", but key \"b\" holds \"\", as it did "
			    "at the start");
	tl_free(&t);
}

static void test_report(void **st)
{
	(void)st;
	/* write 1, write 2 (done), then a read of 1: the prefix is both writes, the read is
	 * stuck and the sentence names the write it would follow */
	const char *h =
		"INFO  jepsen.util - 2\t:invoke\t:write\t1\n"
		"INFO  jepsen.util - 2\t:ok\t:write\t1\n"
		"INFO  jepsen.util - 1\t:invoke\t:write\t4\n"
		"INFO  jepsen.util - 1\t:ok\t:write\t4\n"
		"INFO  jepsen.util - 3\t:invoke\t:read\tnil\n"
		"INFO  jepsen.util - 3\t:ok\t:read\t1\n";
	tl_run t;
	assert_int_equal(tl_check(&t, h, NULL, 0), LIN_NOT);
	assert_ptr_equal(t.m, &lin_model_register);
	assert_int_equal(t.r.nprefix, 2);
	assert_int_equal(t.r.prefix[0], 0);
	assert_int_equal(t.r.prefix[1], 1);
	assert_int_equal(t.r.nstuck, 1);
	assert_int_equal(t.r.stuck[0], 2);
	char s[512];
	lin_stuck_sentence(&t.h, t.m, &t.r, 0, s, sizeof s);
	assert_string_equal(s, "read by process 3 returned 1, but the register holds 4 after "
			    "write(4) by process 1");
	char *buf;
	size_t len;
	FILE *f = open_memstream(&buf, &len);
	lin_result_print(f, &t.h, t.m, &t.r);
	fclose(f);
	assert_non_null(strstr(buf, "not linearizable (register model)"));
	assert_non_null(strstr(buf, "1. write(1) by process 2"));
	assert_non_null(strstr(buf, "cannot be placed next:"));
	free(buf);
	tl_free(&t);
}

static void test_budget(void **st)
{
	(void)st;
	/* many overlapping writes and a read nobody explains: the whole space must be searched,
	 * and a budget of 10 states is not enough */
	char h[8192] = "";
	for (int p = 0; p < 8; p++) {
		char b[128];
		snprintf(b, sizeof b, INV(%d, write, "%d"), p, p);
		strcat(h, b);
	}
	strcat(h, INV(9, read, "nil") OK(9, read, "99"));
	for (int p = 0; p < 8; p++) {
		char b[128];
		snprintf(b, sizeof b, OK(%d, write, "%d"), p, p);
		strcat(h, b);
	}
	tl_run t;
	assert_int_equal(tl_check(&t, h, NULL, 10), LIN_UNKNOWN);
	assert_true(t.r.states >= 10);
	tl_free(&t);
	assert_int_equal(tl_check(&t, h, NULL, 0), LIN_NOT);
	tl_free(&t);
}

/* ---- the readers ---- */

static void test_edn_reader(void **st)
{
	(void)st;
	lin_vals p;
	lin_vals_init(&p);
	const char *text = "{:a [1 -2 \"s\\\"q\\u00e9\"], :b #{nil true}, ; comment\n :c (x/y 1.5), "
			   "#_ :gone :d #inst \"2020\", :e -9223372036854775808}";
	char err[256];
	edn_reader r = {.name = "t", .s = text, .len = strlen(text), .err = err, .errlen = sizeof err};
	uint32_t v;
	assert_true(edn_read(&r, &p, &v));
	assert_string_equal(lin_vals_text(&p, v), "{:a [1 -2 \"s\\\"q\xc3\xa9\"], :b [nil true], "
			    ":c [x/y 1.5], :d \"2020\", :e -9223372036854775808}");
	uint32_t a = lin_vals_map_get(&p, v, ":a");
	assert_int_equal(lin_vals_get(&p, a)->nkids, 3);
	assert_string_equal(lin_vals_raw(&p, p.kid[lin_vals_get(&p, a)->kids + 2]), "s\"q\xc3\xa9");
	assert_int_equal(lin_vals_map_get(&p, v, ":zz"), LIN_NONE);
	lin_vals_free(&p);
}

static void test_reader_errors(void **st)
{
	(void)st;
	tl_bad(INV(0, read, "nil") "{:process 1, :type :invoke, :f :write, :val",
	       "h:2:1: this form is not closed (expected '}'");
	tl_bad(INV(0, write, "1") "{:process 0, :type :retry, :f :write, :value 1}\n",
	       "h:2:20: unknown :type :retry");
	tl_bad(INV(0, write, "1") OK(0, write, "1") OK(2, read, "1"),
	       "h:3:1: process 2 completes read :ok, but it invoked nothing");
	tl_bad("{:process 0, :type :invoke, :f :write, :value 123456789012345678901}\n",
	       "h:1:47: the number 123456789012345678901 does not fit in 64 bits");
	tl_bad("{:process 0, :type :invoke, :f :write, :value 1}\n\x01\x02garbage",
	       "h:2:1: byte 0x01: this is binary data");
	tl_bad("{:process 0, :type :invoke, :f :write, :value [1 2}\n",
	       "h:1:51: unexpected '}' where ']' closes the form");
	tl_bad("{:process 0 :type}\n", "h:1:1: this map has a key without a value");
	tl_bad("[1 2]\n", "h:1:2: expected an operation map");
	tl_bad(INV(0, write, "1") INV(0, write, "2"), "h:2:1: process 0 invokes write while");
	tl_bad(INV(0, cas, "5") OK(0, cas, "5"), "h:1:1: cas needs a value [from to], got 5");
	tl_bad("{:type :invoke, :f :read}\n", "h:1:1: the operation has no :process");
	tl_bad("{:process \"p\", :type :invoke, :f :read}\n", "h:1:11: the :process is \"p\"");
	/* log lines */
	tl_bad("INFO  jepsen.util - 0\t:invoke\t:write\t1\nINFO  jepsen.util - 0\t:done\t:write\t1\n",
	       "h:2:23: unknown type :done");
	tl_bad("INFO  jepsen.util - 0\t:invoke\n", "h:1:30: expected the operation");
	tl_bad("INFO  jepsen.util - 0\t:invoke\t:write\t1 2\n", "h:1:40: unexpected text after");
	tl_bad("INFO  jepsen.util - 0\t:invoke\t:write\t\"abc\n", "h:1:38: this string is not closed");
	tl_bad("just some words\n", "h:1:1: no operations here");
}

static void test_reader_skips(void **st)
{
	(void)st;
	/* the nemesis and other loggers are not the clients; a vector of maps is a history */
	tl_run t;
	assert_int_equal(tl_check(&t, "INFO  jepsen.core - Worker 0 starting\n"
				  "INFO  jepsen.util - :nemesis\t:info\t:start\tnil\n"
				  "INFO  jepsen.util - 0\t:invoke\t:write\t1\n"
				  "INFO  jepsen.util - 0\t:ok\t:write\t1\n"
				  "1   :invoke :read   nil\n1   :ok     :read   1\n", NULL, 0),
			 LIN_LINEARIZABLE);
	assert_int_equal(t.h.n, 2);
	assert_string_equal(t.h.format, "jepsen-log");
	tl_free(&t);
	/* annotations after the value (Porcupine's larger etcd logs carry :hint N) */
	assert_int_equal(tl_check(&t, "INFO  jepsen.util - 6 \t:invoke :write \t38 \t:hint 0\n"
				  "INFO  jepsen.util - 6 \t:ok :write \t38 \t:hint 2\n"
				  "INFO  jepsen.util - 4 \t:invoke :read \tnil \t:hint 0\n"
				  "INFO  jepsen.util - 4 \t:ok :read \t38 \t:hint 2 :at 5\n", NULL, 0),
			 LIN_LINEARIZABLE);
	assert_int_equal(t.h.n, 2);
	tl_free(&t);
	assert_int_equal(tl_check(&t, "[" INV(0, write, "1") "{:process :nemesis, :type :info, "
				  ":f :start}" OK(0, write, "1") "]", NULL, 0), LIN_LINEARIZABLE);
	assert_int_equal(t.h.n, 1);
	assert_string_equal(t.h.format, "edn");
	tl_free(&t);
}

/* A run of our own simulator, checked from its trace in memory. */
static void test_trace(void **st)
{
	(void)st;
	char err[1024];
	st_scenario *sc = scenario_load("scenarios/raft-replication.json", err, sizeof err);
	if (!sc) {
		fail_msg("%s", err);
		return;
	}
	st_trace *tr = trace_new(sc->name, sc->protocol, sc->seed, sc->nnodes, sc->nclients, NULL);
	sim_opts so = {sc->seed, false, 0};
	st_sim *s = sim_new(sc, &so, tr);
	assert_non_null(s);
	for (int i = 0; i < 3000 && sim_step(s) == SIM_OK; i++)
		;
	ophist h;
	lin_result r;
	lin_verdict v = lin_check_trace(tr, NULL, NULL, &h, &r);
	assert_int_equal(v, LIN_LINEARIZABLE);
	assert_true(h.n > 0);
	assert_string_equal(h.format, "trace");
	char w[128];
	lin_op_words(&h, &lin_model_register, &r, 0, w, sizeof w);
	assert_non_null(strstr(w, "write("));
	assert_non_null(strstr(w, " by c"));
	lin_result_free(&r);
	ophist_free(&h);
	sim_free(s);
	trace_free(tr);
	scenario_free(sc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register_model),
		cmocka_unit_test(test_kv_model),
		cmocka_unit_test(test_sequential_and_concurrent),
		cmocka_unit_test(test_pending_operations),
		cmocka_unit_test(test_unknown_reads_and_failures),
		cmocka_unit_test(test_keys_apart),
		cmocka_unit_test(test_report),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_edn_reader),
		cmocka_unit_test(test_reader_errors),
		cmocka_unit_test(test_reader_skips),
		cmocka_unit_test(test_trace),
	};
	return cmocka_run_group_tests_name("lin", tests, NULL, NULL);
}
