/* test_scenario.c: the scenario loader turns good files into the right struct and bad ones
 * into one precise message.
 *
 * The loader's messages are the user interface of a lesson author, so most of these tests
 * assert on them: the file name, the line:col, the field path, and the word "expected". The
 * protocol params are tested against whatever spec tables the registry holds, so the tests
 * follow raft.c (and later protocols) without being edited. Runs under ASan/LSan in
 * `make sanitize`: every error path must free what it allocated. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "src/app/scenario_path.h"
#include "src/core/json_text.h"
#include "src/core/scenario.h"

#define F "t.json"

/* A full scenario: every field set, the schedule out of order (with a tie at 1600). */
static const char full[] =
	"{\n"
	"  \"name\": \"raft-full\",\n"
	"  \"title\": \"Raft: électing a leader\",\n"
	"  \"topic\": \"Broadcast, replication and consensus\",\n"
	"  \"protocol\": \"raft\",\n"
	"  \"nodes\": 5, \"clients\": 2, \"seed\": 9007199254740992,\n"
	"  \"network\": {\"latency_ms\": [5, 50], \"loss\": 0.25, \"duplicate\": 0.5},\n"
	"  \"params\": {\"election_timeout_ms\": [200, 400], \"heartbeat_ms\": 60},\n"
	"  \"clocks\": {\"n1\": {\"skew_ms\": -20, \"drift_ppm\": 150}, \"c2\": {\"drift_ppm\": -7}},\n"
	"  \"workload\": {\"ops\": 20, \"start_ms\": 500, \"think_ms\": [50, 200], \"f\": \"cas\"},\n"
	"  \"schedule\": [\n"
	"    {\"at_ms\": 1600, \"do\": \"heal\"},\n"
	"    {\"at_ms\": 900, \"do\": \"partition\", \"groups\": [[\"n1\", \"n2\"], [\"n3\", \"n4\", \"c1\"]]},\n"
	"    {\"do\": \"crash\", \"at_ms\": 1600, \"proc\": \"n3\"},\n"
	"    {\"at_ms\": 100, \"do\": \"restart\", \"proc\": \"n2\"},\n"
	"    {\"at_ms\": 101, \"do\": \"pause\", \"proc\": \"c2\"},\n"
	"    {\"at_ms\": 102, \"do\": \"resume\", \"proc\": \"n5\"},\n"
	"    {\"at_ms\": 500, \"do\": \"request\", \"client\": \"c1\", \"op\": {\"f\": \"write\", \"value\": -3}, \"node\": \"n2\"},\n"
	"    {\"at_ms\": 501, \"do\": \"request\", \"client\": \"c2\", \"op\": {\"f\": \"read\"}},\n"
	"    {\"at_ms\": 10, \"do\": \"loss\", \"rate\": 0.1},\n"
	"    {\"at_ms\": 11, \"do\": \"duplicate\", \"rate\": 1},\n"
	"    {\"at_ms\": 0, \"do\": \"latency\", \"latency_ms\": [5, 50]},\n"
	"    {\"at_ms\": 86400000, \"do\": \"latency\", \"latency_ms\": 7}\n"
	"  ],\n"
	"  \"lesson\": [\n"
	"    {\"when\": \"start\", \"text\": \"Five servers start.\\nEach waits.\"},\n"
	"    {\"when\": \"label:became leader\", \"text\": \"A majority!\"},\n"
	"    {\"text\": \"Dropped.\", \"when\": \"kind:drop\"},\n"
	"    {\"when\": \"at_ms:1600\", \"text\": \"Healed.\"}\n"
	"  ]\n"
	"}\n";

static const char minimal[] =
	"{\"name\": \"m\", \"title\": \"M\", \"topic\": \"Foundations\", \"protocol\": \"raft\", "
	"\"nodes\": 1}";

static st_scenario *parse(const char *text, char *err, size_t errlen)
{
	return scenario_parse(text, strlen(text), F, err, errlen);
}

static void test_full(void **state)
{
	(void)state;
	char err[1024] = "";
	st_scenario *sc = parse(full, err, sizeof err);
	if (!sc)
		fail_msg("%s", err);
	assert_string_equal(sc->path, F);
	assert_string_equal(sc->name, "raft-full");
	assert_string_equal(sc->title, "Raft: électing a leader");
	assert_string_equal(sc->topic, "Broadcast, replication and consensus");
	assert_string_equal(sc->protocol_name, "raft");
	assert_non_null(sc->protocol);
	assert_string_equal(sc->protocol->name, "raft");
	assert_int_equal(sc->nnodes, 5);
	assert_int_equal(sc->nclients, 2);
	assert_int_equal(sc->nprocs, 7);
	assert_true(sc->seed == 9007199254740992ULL);
	assert_int_equal(sc->latency_lo_us, 5000);
	assert_int_equal(sc->latency_hi_us, 50000);
	/* params: the two set, the others at their defaults */
	const st_protocol *pr = sc->protocol;
	int set = 0;
	for (int k = 0; k < pr->n_params; k++) {
		const st_param_spec *ps = &pr->params[k];
		if (strcmp(ps->name, "election_timeout_ms") == 0) {
			assert_int_equal(sc->params[k].lo, 200);
			assert_int_equal(sc->params[k].hi, 400);
			set++;
		} else if (strcmp(ps->name, "heartbeat_ms") == 0) {
			assert_int_equal(sc->params[k].lo, 60);
			assert_int_equal(sc->params[k].hi, 60);
			set++;
		} else {
			assert_int_equal(sc->params[k].lo, ps->def_lo);
		}
	}
	assert_int_equal(set, 2);
	assert_true(sc->loss == 0.25);
	assert_true(sc->duplicate == 0.5);
	assert_int_equal(sc->clock_skew_us[0], -20000);
	assert_int_equal(sc->clock_drift_ppm[0], 150);
	assert_int_equal(sc->clock_skew_us[6], 0);
	assert_int_equal(sc->clock_drift_ppm[6], -7);
	assert_int_equal(sc->clock_drift_ppm[1], 0);
	assert_int_equal(sc->workload_ops, 20);
	assert_int_equal(sc->workload_start_us, 500000);
	assert_int_equal(sc->think_lo_us, 50000);
	assert_int_equal(sc->think_hi_us, 200000);
	assert_string_equal(sc->workload_f, "cas");

	/* Sorted by time, stable: the heal (first in the file) stays before the crash. */
	static const struct { int64_t at; sc_action a; } order[] = {
		{0, DO_LATENCY}, {10000, DO_LOSS}, {11000, DO_DUPLICATE}, {100000, DO_RESTART},
		{101000, DO_PAUSE}, {102000, DO_RESUME}, {500000, DO_REQUEST},
		{501000, DO_REQUEST}, {900000, DO_PARTITION}, {1600000, DO_HEAL},
		{1600000, DO_CRASH}, {86400000000LL, DO_LATENCY},
	};
	assert_int_equal(sc->nschedule, 12);
	for (int k = 0; k < 12; k++) {
		assert_int_equal(sc->schedule[k].at_us, order[k].at);
		assert_int_equal(sc->schedule[k].action, order[k].a);
	}
	const sc_item *it = &sc->schedule[0];
	assert_int_equal(it->lo_us, 5000);
	assert_int_equal(it->hi_us, 50000);
	assert_int_equal(it->proc, -1);
	assert_true(sc->schedule[1].rate == 0.1);
	assert_true(sc->schedule[2].rate == 1.0);
	assert_int_equal(sc->schedule[3].proc, 1);
	assert_int_equal(sc->schedule[4].proc, 6);
	assert_int_equal(sc->schedule[5].proc, 4);
	it = &sc->schedule[6];
	assert_int_equal(it->proc, 5);
	assert_int_equal(it->node, 1);
	assert_int_equal(it->op.node, 1);
	assert_string_equal(it->op.f, "write");
	assert_true(it->op.has_value);
	assert_int_equal(it->op.value, -3);
	it = &sc->schedule[7];
	assert_int_equal(it->proc, 6);
	assert_int_equal(it->node, -1);
	assert_int_equal(it->op.node, -1);
	assert_string_equal(it->op.f, "read");
	assert_false(it->op.has_value);
	it = &sc->schedule[8];
	assert_int_equal(it->ngroups, 2);
	static const int8_t groups[7] = {0, 0, 1, 1, -1, 1, -1};
	for (int p = 0; p < 7; p++)
		assert_int_equal(it->group[p], groups[p]);
	assert_int_equal(sc->schedule[10].proc, 2);
	assert_int_equal(sc->schedule[11].lo_us, 7000);
	assert_int_equal(sc->schedule[11].hi_us, 7000);

	assert_int_equal(sc->nlesson, 4);
	assert_string_equal(sc->lesson[0].when, "start");
	assert_string_equal(sc->lesson[0].text, "Five servers start.\nEach waits.");
	assert_string_equal(sc->lesson[1].when, "label:became leader");
	assert_string_equal(sc->lesson[2].when, "kind:drop");
	assert_string_equal(sc->lesson[2].text, "Dropped.");
	assert_string_equal(sc->lesson[3].when, "at_ms:1600");
	scenario_free(sc);
}

static void test_defaults(void **state)
{
	(void)state;
	char err[1024] = "";
	st_scenario *sc = parse(minimal, err, sizeof err);
	if (!sc)
		fail_msg("%s", err);
	assert_int_equal(sc->nnodes, 1);
	assert_int_equal(sc->nclients, 0);
	assert_int_equal(sc->nprocs, 1);
	assert_true(sc->seed == 1);
	assert_int_equal(sc->latency_lo_us, 10000);
	assert_int_equal(sc->latency_hi_us, 40000);
	assert_true(sc->loss == 0 && sc->duplicate == 0);
	assert_int_equal(sc->workload_ops, 0);
	assert_int_equal(sc->workload_start_us, 0);
	assert_int_equal(sc->think_lo_us, 100000);
	assert_int_equal(sc->think_hi_us, 100000);
	assert_string_equal(sc->workload_f, "write");
	assert_int_equal(sc->nschedule, 0);
	assert_null(sc->schedule);
	assert_int_equal(sc->nlesson, 0);
	const st_protocol *pr = sc->protocol;
	for (int k = 0; k < pr->n_params; k++) {
		assert_int_equal(sc->params[k].lo, pr->params[k].def_lo);
		if (pr->params[k].type == ST_P_RANGE)
			assert_int_equal(sc->params[k].hi, pr->params[k].def_hi);
		else
			assert_int_equal(sc->params[k].hi, pr->params[k].def_lo);
	}
	scenario_free(sc);
}

/* ---- errors: each case is a JSON text and the substrings its message must contain. ---- */

typedef struct {
	const char *text;
	const char *want[4];
} bad_case;

/* The minimal scenario with extra top-level text spliced in before the closing brace. */
#define M(extra) "{\"name\": \"m\", \"title\": \"M\", \"topic\": \"Foundations\", " \
		 "\"protocol\": \"raft\", \"nodes\": 5, \"clients\": 1" extra "}"

static const bad_case syntax_cases[] = {
	{"", {F ":1:1: invalid JSON", "empty", "expected"}},
	{"  \n ", {F ":2:2: invalid JSON", "white space", "expected"}},
	{"{\"name\": \"x\"", {F ":1:13: invalid JSON", "end of file", "expected ',' or '}'",
			     "opened at 1:1"}},
	{"{\"a\": [1, 2,]}", {F ":1:12:", "trailing comma", "expected another value"}},
	{"{\"a\": 1,\n}", {F ":1:8:", "trailing comma", "expected another field"}},
	{"{\"a\": 1 \"b\": 2}", {F ":1:9:", "expected ',' or '}'", "missing"}},
	{"[1 2]", {F ":1:4:", "expected ',' or ']'"}},
	{"{\"a\" 1}", {F ":1:6:", "expected ':'"}},
	{"{a: 1}", {F ":1:2:", "word 'a'", "double quotes"}},
	{"{\"nodes\": NaN}", {F ":1:11:", "word 'NaN'", "expected a value"}},
	{"{\"nodes\": 'x'}", {F ":1:11:", "single quote", "expected"}},
	{"{\"nodes\": 05}", {F ":1:11:", "leading zero", "expected"}},
	{"{\"nodes\": -}", {F ":1:12:", "expected a digit"}},
	{"{\"nodes\": 1.}", {F ":1:13:", "expected a digit"}},
	{"{\"nodes\": +1}", {F ":1:11:", "unexpected '+'", "expected a value"}},
	{"{\"a\": \"x\ny\"}", {F ":1:9:", "line break inside the string opened at 1:7",
			      "expected"}},
	{"{\"a\": \"x\ty\"}", {F ":1:9:", "control character 0x09", "expected"}},
	{"{\"a\": \"\\q\"}", {F ":1:8:", "invalid escape '\\q'", "expected"}},
	{"{\"a\": \"\\u12\"}", {F ":1:8:", "invalid escape '\\u12\"'", "expected 4 hex digits"}},
	{"{\"a\": \"\\u0000\"}", {F ":1:8:", "NUL", "expected"}},
	{"{\"a\": \"\\udc00\"}", {F ":1:8:", "lone low surrogate", "expected"}},
	{"{\"a\": \"\\ud800x\"}", {F ":1:8:", "lone high surrogate", "expected"}},
	{"{\"a\": \"abc", {F ":1:11:", "end of file inside the string opened at 1:7"}},
	{"{} x", {F ":1:4:", "after the top-level value", "expected the end"}},
	{"\xef\xbb\xbf{}", {F ":1:1:", "byte order mark"}},
	{"{\"a\":\n  \"\xff\"}", {F ":2:4: invalid JSON", "0xff", "UTF-8"}},
	{"{\"a\": \"\xc0\xaf\"}", {F ":1:8:", "0xc0", "UTF-8"}},       /* overlong '/' */
	{"{\"a\": \"\xed\xa0\x80\"}", {F ":1:8:", "0xed", "UTF-8"}},   /* a surrogate */
	{"{\"a\": \"\xe2\x82\"}", {F ":1:8:", "0xe2", "UTF-8"}},       /* truncated */
	{"{\"\xc3\xa9\xc3\xa9\": ]}", {F ":1:8:", "unexpected ']'"}},  /* columns count chars */
};

#define D10 "\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f\x7f"

static const bad_case value_cases[] = {
	/* the top level */
	{"[]", {F ":1:1: ", "top level is an array", "expected an object"}},
	{"{\"name\": \"m\"}", {F ":1:1: title: missing", "expected"}},
	{M(", \"bogus\": 1"), {"bogus: unknown field", "expected one of name, title, topic"}},
	{M(", \"nodes\": 3"), {"nodes: ", "given twice", "expected"}},
	/* name, title, topic, protocol */
	{"{\"name\": \"Raft X\"}", {F ":1:10: name: ", "\"Raft X\"", "expected 1..48"}},
	{"{\"name\": \"\"}", {"name: the empty string", "expected 1..48"}},
	{"{\"name\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
	 {"name: ", "49 characters", "expected 1..48"}},
	{"{\"name\": 7}", {F ":1:10: name: got a number (7)", "expected"}},
	/* long values of bytes shown escaped (\x7f, 4 characters each) are cut to fit */
	{"{\"name\": \"" D10 D10 D10 D10 D10 D10 "\"}", {"name: \"\\x7f\\x7f", "...\"",
							      "a-z, 0-9 and '-'"}},
	{"{\"name\": \"a\", \"title\": \"" D10 D10 D10 D10 D10 D10 "\"}",
	 {"title: \"\\x7f", "...\" has a control character (U+007F)"}},
	{"{\"name\": \"a\", \"title\": \"\\u001b[31mred\"}",
	 {"title: ", "control character", "expected a title"}},
	{"{\"name\": \"a\", \"title\": [\"x\"]}", {"title: got an array", "expected a title"}},
	{"{\"name\": \"a\", \"title\": \"t\", \"topic\": \"Raft\"}",
	 {"topic: \"Raft\" is not a topic", "expected one of \"Foundations\"",
	  "\"Real systems\""}},
	{"{\"name\": \"a\", \"title\": \"t\", \"topic\": \"Foundations\", \"protocol\": \"paxos9\"}",
	 {F ":1:65: protocol: \"paxos9\" is not a known protocol", "expected one of ", "\"raft\""}},
	{"{\"name\": \"a\", \"title\": \"t\", \"topic\": \"Foundations\", \"protocol\": null}",
	 {"protocol: got null", "expected a protocol name"}},
	/* nodes, clients, seed */
	{"{\"name\": \"a\", \"title\": \"t\", \"topic\": \"Foundations\", \"protocol\": \"raft\", "
	 "\"nodes\": 0}", {":1:82: nodes: 0 is out of range", "expected an integer 1..16"}},
	{"{\"name\": \"a\", \"title\": \"t\", \"topic\": \"Foundations\", \"protocol\": \"raft\", "
	 "\"nodes\": 10000}", {"nodes: 10000 is out of range", "expected an integer 1..16"}},
	{"{\"name\": \"a\", \"title\": \"t\", \"topic\": \"Foundations\", \"protocol\": \"raft\", "
	 "\"nodes\": 3.5}", {"nodes: 3.5 is not an integer", "expected an integer 1..16"}},
	{"{\"name\": \"a\", \"title\": \"t\", \"topic\": \"Foundations\", \"protocol\": \"raft\", "
	 "\"nodes\": 1e999}", {"nodes: the number is too large", "expected"}},
	{"{\"name\": \"a\", \"title\": \"t\", \"topic\": \"Foundations\", \"protocol\": \"raft\", "
	 "\"nodes\": \"5\"}", {"nodes: got a string (\"5\")", "expected an integer"}},
	{"{\"name\": \"a\", \"title\": \"t\", \"topic\": \"Foundations\", \"protocol\": \"raft\"}",
	 {":1:1: nodes: missing", "expected an integer 1..16"}},
	{"{\"name\": \"a\", \"title\": \"t\", \"topic\": \"Foundations\", \"protocol\": \"raft\", "
	 "\"nodes\": 3, \"clients\": 9}", {"clients: 9 is out of range", "expected an integer 0..8"}},
	{M(", \"seed\": -1"), {"seed: -1 is out of range", "expected an integer 0..9007199254740992"}},
	{M(", \"seed\": 1e300"), {"seed: ", "out of range", "expected"}},
	{M(", \"seed\": true"), {"seed: got true", "expected"}},
	/* network */
	{M(", \"network\": []"), {"network: got an array", "expected an object with fields "
				   "latency_ms, loss, duplicate"}},
	{M(", \"network\": {\"jitter\": 1}"),
	 {"network.jitter: unknown field", "expected one of latency_ms, loss, duplicate"}},
	{M(", \"network\": {\"latency_ms\": [40, 10]}"),
	 {"network.latency_ms: [40, 10] has lo > hi", "expected [lo, hi] with lo <= hi"}},
	{M(", \"network\": {\"latency_ms\": [10, 60001]}"),
	 {"network.latency_ms[1]: 60001 is out of range", "expected an integer 0..60000"}},
	{M(", \"network\": {\"latency_ms\": [10, \"x\"]}"),
	 {"network.latency_ms[1]: got a string", "expected an integer 0..60000"}},
	{M(", \"network\": {\"latency_ms\": [1, 2, 3]}"),
	 {"network.latency_ms: an array of 3 values", "expected [lo, hi]"}},
	{M(", \"network\": {\"latency_ms\": -1}"),
	 {"network.latency_ms: -1 is out of range", "expected"}},
	{M(", \"network\": {\"loss\": 1.5}"),
	 {"network.loss: 1.5 is out of range", "expected a number 0..1"}},
	{M(", \"network\": {\"duplicate\": -0.1}"),
	 {"network.duplicate: -0.1 is out of range", "expected a number 0..1"}},
	/* params */
	{M(", \"params\": {\"no_such_param\": 1}"),
	 {"params.no_such_param: unknown parameter of raft", "expected"}},
	{M(", \"params\": 3"), {"params: got a number (3)", "expected an object of raft "
				"parameters"}},
	/* clocks */
	{M(", \"clocks\": {\"n6\": {\"skew_ms\": 1}}"),
	 {"clocks.n6: \"n6\" is not a process of this scenario", "expected one of n1..n5, c1"}},
	{M(", \"clocks\": {\"n1\": {\"skew_ms\": 3600001}}"),
	 {"clocks.n1.skew_ms: 3600001 is out of range", "expected an integer -3600000..3600000"}},
	{M(", \"clocks\": {\"n1\": {\"drift_ppm\": -100001}}"),
	 {"clocks.n1.drift_ppm: -100001 is out of range", "expected"}},
	{M(", \"clocks\": {\"n1\": {\"skew\": 1}}"),
	 {"clocks.n1.skew: unknown field", "expected one of skew_ms, drift_ppm"}},
	{M(", \"clocks\": {\"n1\": {}, \"n1\": {}}"), {"clocks.n1: ", "given twice"}},
	/* workload */
	{"{\"name\": \"a\", \"title\": \"t\", \"topic\": \"Foundations\", \"protocol\": \"raft\", "
	 "\"nodes\": 3, \"workload\": {\"ops\": 5}}",
	 {"workload.ops: 5 operations but the scenario has no clients", "expected \"clients\""}},
	{M(", \"workload\": {\"ops\": 1000001}"),
	 {"workload.ops: 1000001 is out of range", "expected an integer 0..1000000"}},
	{M(", \"workload\": {\"start_ms\": -5}"), {"workload.start_ms: -5 is out of range"}},
	{M(", \"workload\": {\"think_ms\": [9, 1]}"), {"workload.think_ms: [9, 1] has lo > hi"}},
	{M(", \"workload\": {\"f\": \"a-very-long-operation\"}"),
	 {"workload.f: ", "not a valid operation name", "expected an operation name of 1..15"}},
	{M(", \"workload\": {\"f\": \"\"}"), {"workload.f: ", "expected an operation name"}},
	/* schedule */
	{M(", \"schedule\": {}"), {"schedule: got an object", "expected an array"}},
	{M(", \"schedule\": [7]"), {"schedule[0]: got a number (7)", "expected an object"}},
	{M(", \"schedule\": [{\"at_ms\": 1}]"), {"schedule[0]: no \"do\" field",
					       "expected \"do\": one of partition, heal"}},
	{M(", \"schedule\": [{\"at_ms\": 1, \"do\": \"explode\"}]"),
	 {"schedule[0].do: \"explode\" is not an action", "expected one of partition, heal, "
	  "crash"}},
	{M(", \"schedule\": [{\"at_ms\": 1, \"do\": 4}]"),
	 {"schedule[0].do: got a number (4); expected an action: one of partition"}},
	{M(", \"schedule\": [{\"do\": \"heal\"}]"), {"schedule[0].at_ms: missing", "expected"}},
	{M(", \"schedule\": [{\"at_ms\": -1, \"do\": \"heal\"}]"),
	 {"schedule[0].at_ms: -1 is out of range", "expected an integer 0..86400000"}},
	{M(", \"schedule\": [{\"at_ms\": 86400001, \"do\": \"heal\"}]"),
	 {"schedule[0].at_ms: 86400001 is out of range"}},
	{M(", \"schedule\": [{\"at_ms\": 1.5, \"do\": \"heal\"}]"),
	 {"schedule[0].at_ms: 1.5 is not an integer"}},
	{M(", \"schedule\": [{\"at_ms\": 1, \"do\": \"heal\", \"proc\": \"n1\"}]"),
	 {"schedule[0].proc: unknown field for \"do\": \"heal\"", "expected one of at_ms, do"}},
	{M(", \"schedule\": [{\"at_ms\": 1, \"do\": \"crash\"}]"),
	 {"schedule[0].proc: missing", "expected a process name"}},
	{M(", \"schedule\": [{\"at_ms\": 1, \"do\": \"crash\", \"proc\": \"n6\"}]"),
	 {"schedule[0].proc: \"n6\" is not a process of this scenario",
	  "expected one of n1..n5, c1"}},
	{M(", \"schedule\": [{\"at_ms\": 1, \"do\": \"crash\", \"proc\": \"n0\"}]"),
	 {"schedule[0].proc: \"n0\" is not a process"}},
	{M(", \"schedule\": [{\"at_ms\": 1, \"do\": \"pause\", \"proc\": 1}]"),
	 {"schedule[0].proc: got a number (1)", "expected a process: one of n1..n5, c1"}},
	{M(", \"schedule\": [{\"at_ms\": 1, \"do\": \"heal\"}, {\"at_ms\": 2, \"do\": "
	   "\"partition\", \"groups\": [[\"n1\", \"n2\"], [\"n9\"]]}]"),
	 {"schedule[1].groups[1][0]: \"n9\" is not a process of this scenario",
	  "expected one of n1..n5, c1"}},
	{M(", \"schedule\": [{\"at_ms\": 2, \"do\": \"partition\", \"groups\": [[\"n1\", "
	   "\"n2\"], [\"n3\", \"n2\"]]}]"),
	 {"schedule[0].groups[1][1]: \"n2\" is already in groups[0]",
	  "expected each process in at most one group"}},
	{M(", \"schedule\": [{\"at_ms\": 2, \"do\": \"partition\", \"groups\": [[\"n1\", "
	   "\"n1\"]]}]"), {"schedule[0].groups[0][1]: \"n1\" is listed twice", "expected"}},
	{M(", \"schedule\": [{\"at_ms\": 2, \"do\": \"partition\", \"groups\": []}]"),
	 {"schedule[0].groups: no groups", "expected at least one group"}},
	{M(", \"schedule\": [{\"at_ms\": 2, \"do\": \"partition\", \"groups\": [[\"n1\"], []]}]"),
	 {"schedule[0].groups[1]: an empty group", "expected at least one process"}},
	{M(", \"schedule\": [{\"at_ms\": 2, \"do\": \"partition\", \"groups\": [\"n1\"]}]"),
	 {"schedule[0].groups[0]: got a string (\"n1\")", "expected a group"}},
	{M(", \"schedule\": [{\"at_ms\": 2, \"do\": \"partition\", \"groups\": "
	   "[[\"n1\"],[\"n2\"],[\"n3\"],[\"n4\"],[\"n5\"],[\"c1\"],[],[],[]]}]"),
	 {"schedule[0].groups: 9 groups", "expected at most 8"}},
	{M(", \"schedule\": [{\"at_ms\": 5, \"do\": \"request\", \"client\": \"n1\", "
	   "\"op\": {\"f\": \"write\"}}]"),
	 {"schedule[0].client: \"n1\" is a node", "expected a client: one of c1"}},
	{M(", \"schedule\": [{\"at_ms\": 5, \"do\": \"request\", \"client\": \"c2\", "
	   "\"op\": {\"f\": \"write\"}}]"),
	 {"schedule[0].client: \"c2\" is not a client of this scenario", "expected one of c1"}},
	{M(", \"schedule\": [{\"at_ms\": 5, \"do\": \"request\", \"client\": \"c1\", "
	   "\"op\": {\"f\": \"write\"}, \"node\": \"c1\"}]"),
	 {"schedule[0].node: \"c1\" is a client", "expected a node: one of n1..n5"}},
	{M(", \"schedule\": [{\"at_ms\": 5, \"do\": \"request\", \"client\": \"c1\", "
	   "\"op\": {\"value\": 1}}]"), {"schedule[0].op.f: missing", "expected"}},
	{M(", \"schedule\": [{\"at_ms\": 5, \"do\": \"request\", \"client\": \"c1\", "
	   "\"op\": {\"f\": \"write\", \"value\": 0.5}}]"),
	 {"schedule[0].op.value: 0.5 is not an integer"}},
	{M(", \"schedule\": [{\"at_ms\": 5, \"do\": \"request\", \"client\": \"c1\", "
	   "\"op\": {\"f\": \"write\", \"key\": 1}}]"),
	 {"schedule[0].op.key: unknown field", "expected one of f, value"}},
	{"{\"name\": \"a\", \"title\": \"t\", \"topic\": \"Foundations\", \"protocol\": \"raft\", "
	 "\"nodes\": 3, \"schedule\": [{\"at_ms\": 5, \"do\": \"request\", \"client\": \"c1\"}]}",
	 {"schedule[0].client: this scenario has no clients", "expected a client"}},
	{M(", \"schedule\": [{\"at_ms\": 5, \"do\": \"loss\", \"rate\": 2}]"),
	 {"schedule[0].rate: 2 is out of range", "expected a number 0..1"}},
	{M(", \"schedule\": [{\"at_ms\": 5, \"do\": \"latency\", \"latency_ms\": [9, 3]}]"),
	 {"schedule[0].latency_ms: [9, 3] has lo > hi"}},
	/* lesson */
	{M(", \"lesson\": {}"), {"lesson: got an object", "expected an array"}},
	{M(", \"lesson\": [{\"when\": \"start\", \"text\": \"\"}]"),
	 {"lesson[0].text: the empty string is 0 characters long", "expected a text of "
	  "1..2000"}},
	{M(", \"lesson\": [{\"when\": \"start\"}]"), {"lesson[0].text: missing", "expected"}},
	{M(", \"lesson\": [{\"when\": \"soon\", \"text\": \"x\"}]"),
	 {"lesson[0].when: \"soon\" is not a moment", "expected \"start\", \"label:<text>\""}},
	{M(", \"lesson\": [{\"when\": \"started\", \"text\": \"x\"}]"),
	 {"lesson[0].when: \"started\" is not a moment"}},
	{M(", \"lesson\": [{\"when\": \"kind:explode\", \"text\": \"x\"}]"),
	 {"lesson[0].when: \"explode\" is not an event kind", "expected kind: and one of start "
	  "send recv timer local crash restart invoke complete drop partition heal input"}},
	{M(", \"lesson\": [{\"when\": \"label:\", \"text\": \"x\"}]"),
	 {"lesson[0].when: the label is empty", "expected"}},
	{M(", \"lesson\": [{\"when\": \"at_ms:12x\", \"text\": \"x\"}]"),
	 {"lesson[0].when: \"12x\" is not a time", "expected at_ms: and an integer"}},
	{M(", \"lesson\": [{\"when\": \"at_ms:-1\", \"text\": \"x\"}]"),
	 {"lesson[0].when: \"-1\" is not a time"}},
	{M(", \"lesson\": [{\"when\": \"start\", \"text\": \"x\", \"style\": 1}]"),
	 {"lesson[0].style: unknown field", "expected one of when, text"}},
	{M(", \"lesson\": [{\"when\": \"start\", \"text\": \"bell\\u0007\"}]"),
	 {"lesson[0].text: ", "control character", "expected"}},
	{M(", \"lesson\": [{\"when\": \"start\", \"text\": \"c1 control \\u0085\"}]"),
	 {"lesson[0].text: ", "control character (U+0085)"}},
};

static void check_cases(const bad_case *cases, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		char err[1024] = "";
		st_scenario *sc = parse(cases[k].text, err, sizeof err);
		if (sc) {
			scenario_free(sc);
			fail_msg("case %zu parsed but should not: %s", k, cases[k].text);
		}
		if (strncmp(err, F ":", strlen(F ":")) != 0)
			fail_msg("case %zu: message does not start with the path: %s", k, err);
		if (!strstr(err, "expected"))
			fail_msg("case %zu: no \"expected\" in: %s", k, err);
		if (strchr(err, '\n'))
			fail_msg("case %zu: a newline in: %s", k, err);
		for (int w = 0; w < 4 && cases[k].want[w]; w++)
			if (!strstr(err, cases[k].want[w]))
				fail_msg("case %zu: want \"%s\" in:\n  %s", k, cases[k].want[w],
					 err);
	}
}

static void test_syntax_errors(void **state)
{
	(void)state;
	check_cases(syntax_cases, sizeof syntax_cases / sizeof syntax_cases[0]);
}

static void test_value_errors(void **state)
{
	(void)state;
	check_cases(value_cases, sizeof value_cases / sizeof value_cases[0]);
}

/* Values get their line and column, in characters, on their own line of the file. */
static void test_value_position(void **state)
{
	(void)state;
	char err[1024];
	const char *text = "{\"name\": \"m\", \"title\": \"M\", \"topic\": \"Foundations\",\n"
			   " \"protocol\": \"raft\", \"nodes\": 5,\n"
			   " \"schedule\": [\n"
			   "  {\"at_ms\": 1, \"do\": \"heal\"},\n"
			   "  {\"at_ms\": 2, \"do\": \"partition\", \"groups\": [[\"n1\"], [\"n3\", \"n9\"]]}\n"
			   " ]}";
	assert_null(parse(text, err, sizeof err));
	assert_string_equal(err, F ":5:61: schedule[1].groups[1][1]: \"n9\" is not a process of "
			    "this scenario; expected one of n1..n5");
	/* an unknown field points at its key */
	text = "{\"name\": \"m\",\n   \"colour\": 1}";
	assert_null(parse(text, err, sizeof err));
	assert_string_equal(err, F ":2:4: colour: unknown field; expected one of name, title, "
			    "topic, order, protocol, nodes, clients, seed, network, params, variants, clocks, "
			    "workload, schedule, lesson");
}

static void test_nesting(void **state)
{
	(void)state;
	char err[1024];
	char *deep = malloc(2001);
	memset(deep, '[', 1000);
	memset(deep + 1000, ']', 1000);
	deep[2000] = 0;
	assert_null(parse(deep, err, sizeof err));
	assert_non_null(strstr(err, F ":1:33: invalid JSON"));
	assert_non_null(strstr(err, "nesting deeper than 32 levels"));
	assert_non_null(strstr(err, "expected at most 32"));
	/* 32 levels is still fine as JSON (and then the wrong shape) */
	memset(deep, 0, 2001);
	memset(deep, '[', 32);
	memset(deep + 32, ']', 32);
	assert_null(parse(deep, err, sizeof err));
	assert_non_null(strstr(err, "top level is an array"));
	free(deep);
}

static void test_limits(void **state)
{
	(void)state;
	char err[1024];
	/* too many schedule items */
	size_t cap = 200000, o = 0;
	char *t = malloc(cap);
	o += (size_t)snprintf(t + o, cap - o, "%s", M(", \"schedule\": ["));
	o -= 1;   /* drop M's closing brace: the array goes inside the object */
	for (int k = 0; k <= SC_MAX_SCHEDULE; k++)
		o += (size_t)snprintf(t + o, cap - o, "%s{\"at_ms\": %d, \"do\": \"heal\"}",
				      k ? "," : "", SC_MAX_SCHEDULE - k);
	snprintf(t + o, cap - o, "]}");
	assert_null(parse(t, err, sizeof err));
	assert_non_null(strstr(err, "schedule: 4097 items; expected at most 4096"));
	/* exactly the limit is accepted, and sorted */
	char *last = strrchr(t, '{');
	strcpy(last - 1, "]}");
	st_scenario *sc = parse(t, err, sizeof err);
	if (!sc)
		fail_msg("%s", err);
	assert_int_equal(sc->nschedule, SC_MAX_SCHEDULE);
	for (int k = 1; k < sc->nschedule; k++)
		assert_true(sc->schedule[k - 1].at_us <= sc->schedule[k].at_us);
	scenario_free(sc);
	free(t);
	/* too many lesson items */
	t = malloc(cap);
	o = (size_t)snprintf(t, cap, "%s", M(", \"lesson\": [")) - 1;
	for (int k = 0; k <= SC_MAX_LESSON; k++)
		o += (size_t)snprintf(t + o, cap - o, "%s{\"when\": \"start\", \"text\": \"x\"}",
				      k ? "," : "");
	snprintf(t + o, cap - o, "]}");
	assert_null(parse(t, err, sizeof err));
	assert_non_null(strstr(err, "lesson: 65 items; expected at most 64"));
	free(t);
	/* over 4 MiB, before any parsing */
	size_t big = (4u << 20) + 1;
	t = malloc(big);
	memset(t, ' ', big);
	assert_null(scenario_parse(t, big, F, err, sizeof err));
	assert_non_null(strstr(err, F ": the file is 4194305 bytes; expected at most"));
	free(t);
	/* a lesson text of 2000 characters (multi-byte) is fine, 2001 is not */
	t = malloc(cap);
	o = (size_t)snprintf(t, cap, "%s", M(", \"lesson\": [{\"when\": \"start\", \"text\": \"")) - 1;
	for (int k = 0; k < 2000; k++)
		o += (size_t)snprintf(t + o, cap - o, "\xc3\xa9");
	snprintf(t + o, cap - o, "\"}]}");
	sc = parse(t, err, sizeof err);
	if (!sc)
		fail_msg("%s", err);
	scenario_free(sc);
	snprintf(t + o, cap - o, "e\"}]}");
	assert_null(parse(t, err, sizeof err));
	assert_non_null(strstr(err, "2001 characters long; expected a text of 1..2000"));
	free(t);
}

/* A NUL inside the text (scenario_parse takes a length, so it can see one). */
static void test_nul(void **state)
{
	(void)state;
	char err[1024];
	static const char t[] = "{\"name\":\n \"a\0b\"}";
	assert_null(scenario_parse(t, sizeof t - 1, F, err, sizeof err));
	assert_non_null(strstr(err, F ":2:4: invalid JSON: a NUL byte"));
}

/* Every prefix of a good file, and every single-byte corruption of it, is refused or
 * accepted without a crash or a leak, always with one message naming the file. */
static void test_truncations_and_mutations(void **state)
{
	(void)state;
	size_t n = strlen(full);
	char err[1024];
	char *t = malloc(n + 1);
	for (size_t k = 0; k + 1 < n; k++) {     /* all but the final newline */
		memcpy(t, full, k);
		st_scenario *sc = scenario_parse(t, k, F, err, sizeof err);
		if (sc)
			fail_msg("prefix of %zu bytes parsed", k);
		if (strncmp(err, F ":", 7) != 0 || !strstr(err, "expected"))
			fail_msg("prefix %zu: %s", k, err);
	}
	static const char bytes[] = {'"', ',', '}', ']', '[', '{', '0', 'x', '\\', ' ', '\x80'};
	for (size_t k = 0; k < n; k++) {
		for (size_t b = 0; b < sizeof bytes; b++) {
			memcpy(t, full, n + 1);
			t[k] = bytes[b];
			err[0] = 0;
			st_scenario *sc = scenario_parse(t, n, F, err, sizeof err);
			if (sc) {
				scenario_free(sc);
				continue;
			}
			if (strncmp(err, F ":", 7) != 0 || !strstr(err, "expected"))
				fail_msg("mutation %zu=%02x: %s", k, (unsigned char)bytes[b], err);
		}
	}
	free(t);
}

/* Param validation, driven by the protocols' own spec tables. */
static void test_params(void **state)
{
	(void)state;
	char text[2048], err[1024];
	int tested = 0;
	for (int r = 0; registry_at(r); r++) {
		const st_protocol *pr = registry_at(r);
		for (int k = 0; k < pr->n_params; k++) {
			const st_param_spec *ps = &pr->params[k];
			char good[128], bad[128], want[128];
			int64_t lo = ps->min, hi = ps->max;
			switch (ps->type) {
			case ST_P_INT:
				snprintf(good, sizeof good, "%lld", (long long)hi);
				snprintf(bad, sizeof bad, "%lld", (long long)hi + 1);
				snprintf(want, sizeof want, "out of range; expected an integer "
					 "%lld..%lld", (long long)lo, (long long)hi);
				break;
			case ST_P_RANGE:
				snprintf(good, sizeof good, "[%lld, %lld]", (long long)lo,
					 (long long)hi);
				snprintf(bad, sizeof bad, "[%lld, %lld]", (long long)lo - 1,
					 (long long)hi);
				snprintf(want, sizeof want, "params.%s[0]: ", ps->name);
				break;
			case ST_P_ENUM:
				snprintf(good, sizeof good, "\"%s\"", ps->choices[0]);
				snprintf(bad, sizeof bad, "\"no-such-choice\"");
				snprintf(want, sizeof want, "is not a choice; expected one of \"%s\"",
					 ps->choices[0]);
				break;
			case ST_P_BOOL:
				snprintf(good, sizeof good, "true");
				snprintf(bad, sizeof bad, "1");
				snprintf(want, sizeof want, "expected true or false");
				break;
			default:
				fail_msg("%s.%s: unknown param type", pr->name, ps->name);
			}
			snprintf(text, sizeof text, "{\"name\": \"p\", \"title\": \"P\", \"topic\": "
				 "\"Foundations\", \"protocol\": \"%s\", \"nodes\": 3, "
				 "\"params\": {\"%s\": %s}}", pr->name, ps->name, good);
			st_scenario *sc = parse(text, err, sizeof err);
			if (!sc)
				fail_msg("%s", err);
			int64_t want_lo = ps->type == ST_P_INT ? hi : ps->type == ST_P_RANGE ? lo :
					  ps->type == ST_P_BOOL ? 1 : 0;
			assert_int_equal(sc->params[k].lo, want_lo);
			if (ps->type == ST_P_RANGE)
				assert_int_equal(sc->params[k].hi, hi);
			for (int o = 0; o < pr->n_params; o++)      /* the others: defaults */
				if (o != k)
					assert_int_equal(sc->params[o].lo, pr->params[o].def_lo);
			scenario_free(sc);
			snprintf(text, sizeof text, "{\"name\": \"p\", \"title\": \"P\", \"topic\": "
				 "\"Foundations\", \"protocol\": \"%s\", \"nodes\": 3, "
				 "\"params\": {\"%s\": %s}}", pr->name, ps->name, bad);
			assert_null(parse(text, err, sizeof err));
			if (!strstr(err, want) || !strstr(err, ps->name))
				fail_msg("want \"%s\" in: %s", want, err);
			if (ps->type == ST_P_RANGE && ps->max > ps->min) {
				snprintf(text, sizeof text, "{\"name\": \"p\", \"title\": \"P\", "
					 "\"topic\": \"Foundations\", \"protocol\": \"%s\", "
					 "\"nodes\": 3, \"params\": {\"%s\": [%lld, %lld]}}", pr->name,
					 ps->name, (long long)hi, (long long)lo);
				assert_null(parse(text, err, sizeof err));
				assert_non_null(strstr(err, "has lo > hi"));
			}
			tested++;
		}
		/* the unknown-param message lists the known ones */
		snprintf(text, sizeof text, "{\"name\": \"p\", \"title\": \"P\", \"topic\": "
			 "\"Foundations\", \"protocol\": \"%s\", \"nodes\": 3, \"params\": "
			 "{\"zzz\": 1}}", pr->name);
		assert_null(parse(text, err, sizeof err));
		assert_non_null(strstr(err, "params.zzz: unknown parameter"));
		if (pr->n_params)
			assert_non_null(strstr(err, pr->params[0].name));
	}
	print_message("      (%d protocol params checked)\n", tested);
}

static void test_proc_names(void **state)
{
	(void)state;
	char err[1024], name[16];
	st_scenario *sc = parse(M(""), err, sizeof err);
	assert_non_null(sc);
	static const struct { const char *name; int idx; } names[] = {
		{"n1", 0}, {"n5", 4}, {"c1", 5}, {"n6", -1}, {"c2", -1}, {"n0", -1}, {"n01", -1},
		{"n", -1}, {"", -1}, {"x1", -1}, {"n1x", -1}, {"N1", -1}, {"n-1", -1},
		{"n99999999999999999999", -1},
	};
	for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
		assert_int_equal(scenario_proc_index(sc, names[k].name), names[k].idx);
	for (int p = 0; p < sc->nprocs; p++) {
		scenario_proc_name(sc, p, name, sizeof name);
		assert_int_equal(scenario_proc_index(sc, name), p);
	}
	scenario_proc_name(sc, 5, name, sizeof name);
	assert_string_equal(name, "c1");
	scenario_free(sc);
}

static void test_line_col(void **state)
{
	(void)state;
	int l, c;
	const char *t = "ab\ncd\n\xc3\xa9x";
	json_line_col(t, 0, &l, &c);
	assert_int_equal(l, 1), assert_int_equal(c, 1);
	json_line_col(t, 4, &l, &c);
	assert_int_equal(l, 2), assert_int_equal(c, 2);
	json_line_col(t, 8, &l, &c);     /* after the two bytes of é */
	assert_int_equal(l, 3), assert_int_equal(c, 2);
}

static void test_tables(void **state)
{
	(void)state;
	assert_int_equal(sc_ntopics, 7);
	assert_string_equal(sc_topics[0], "Foundations");
	assert_string_equal(sc_topics[6], "Real systems");
	assert_null(sc_action_names[0]);
	for (int a = 1; a < DO__COUNT; a++)
		assert_non_null(sc_action_names[a]);
	assert_string_equal(sc_action_names[DO_REQUEST], "request");
	assert_string_equal(sc_action_names[DO_LATENCY], "latency");
}

/* Files: load, missing, a directory, and the search path. Runs in a private temp dir. */
static void test_files(void **state)
{
	(void)state;
	char err[1024], out[4096], old[4096], dir[] = "/tmp/st-scenario-XXXXXX";
	assert_non_null(getcwd(old, sizeof old));
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chdir(dir), 0);

	assert_null(scenario_load("missing.json", err, sizeof err));
	assert_string_equal(err, "missing.json: cannot read: No such file or directory");
	assert_int_equal(mkdir("adir", 0755), 0);
	assert_null(scenario_load("adir", err, sizeof err));
	assert_string_equal(err, "adir: cannot read: Is a directory");
	/* no ./scenarios here: whatever is found lies elsewhere */
	const char *d = scenario_path_dir(NULL, out, sizeof out);
	assert_true(d == NULL || strcmp(d, "scenarios") != 0);

	assert_int_equal(mkdir("scenarios", 0755), 0);
	FILE *f = fopen("scenarios/mini.json", "w");
	assert_non_null(f);
	fputs(minimal, f);
	fclose(f);
	assert_true(scenario_path_find("mini", "spacetime", out, sizeof out));
	assert_string_equal(out, "scenarios/mini.json");
	assert_true(scenario_path_find("mini.json", "spacetime", out, sizeof out));
	assert_string_equal(out, "scenarios/mini.json");
	assert_true(scenario_path_find("scenarios/mini.json", NULL, out, sizeof out));
	assert_string_equal(out, "scenarios/mini.json");
	assert_false(scenario_path_find("no-such-lesson", "spacetime", out, sizeof out));
	assert_false(scenario_path_find("", "spacetime", out, sizeof out));
	assert_false(scenario_path_find("mini", "spacetime", out, 4));  /* too small: no guess */
	assert_non_null(scenario_path_dir("spacetime", out, sizeof out));
	assert_string_equal(out, "scenarios");

	st_scenario *sc = scenario_load("scenarios/mini.json", err, sizeof err);
	if (!sc)
		fail_msg("%s", err);
	assert_string_equal(sc->path, "scenarios/mini.json");
	assert_string_equal(sc->name, "m");
	scenario_free(sc);

	f = fopen("bad.json", "w");
	fputs("{\n  \"name\": \"m\",\n  \"nodes\": 3.5\n}\n", f);
	fclose(f);
	assert_null(scenario_load("bad.json", err, sizeof err));
	assert_non_null(strstr(err, "bad.json:1:1: title: missing"));
	assert_null(scenario_load("/dev/null", err, sizeof err));
	assert_string_equal(err, "/dev/null:1:1: invalid JSON: the file is empty; expected a "
			    "JSON object");
	/* a small err buffer is cut, not overrun */
	char small[12];
	assert_null(scenario_load("bad.json", small, sizeof small));
	assert_int_equal(strlen(small), 11);

	remove("bad.json");
	remove("scenarios/mini.json");
	rmdir("scenarios");
	rmdir("adir");
	assert_int_equal(chdir(old), 0);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_value_errors),
		cmocka_unit_test(test_value_position),
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_truncations_and_mutations),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_proc_names),
		cmocka_unit_test(test_line_col),
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_files),
	};
	return cmocka_run_group_tests_name("scenario", tests, NULL, NULL);
}
