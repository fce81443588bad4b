/* test_verify.c: unit tests of trace_verify_file (`spacetime --verify`).
 *
 * Why: the verifier is what tells us the exporter and the simulator keep the trace contract
 * (docs/trace-format.md), so it must itself be shown to catch each kind of breakage, to
 * point at the right line and column, and to let a correct trace through. Each test writes a
 * small trace into a temporary file, runs the verifier with its output captured, and asserts
 * on the exit status, the messages and the counts.
 *
 * The traces are written with single quotes for readability; tv_json() turns them into JSON.
 * The base trace GOOD is a short but plausible Raft run (an election, one replicated write,
 * a partition, a drop, a crash and restart) whose clocks agree with check-trace. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "core/trace_verify.h"

#define HEADER \
	"{'format':'spacetime-trace','version':1,'scenario':'unit','protocol':'raft'," \
	"'protocol_version':'1','seed':42,'time_unit':'us',\n" \
	"'processes':[{'name':'n1','role':'node'},{'name':'n2','role':'node'}," \
	"{'name':'c1','role':'client'}],\n'events':[\n"
#define FIRST_EVENT_LINE 4     /* event i is on line FIRST_EVENT_LINE + i */

#define FOLLOWER0 "'state':{'role':'follower','term':0,'voted_for':null,'commit':0,'log_len':0}"
static const char *const GOOD[] = {
	"{'id':0,'t':0,'kind':'start','proc':0,'lamport':1,'vc':[1,0,0]," FOLLOWER0 "}",
	"{'id':1,'t':0,'kind':'start','proc':1,'lamport':1,'vc':[0,1,0]," FOLLOWER0 "}",
	"{'id':2,'t':0,'kind':'start','proc':2,'lamport':1,'vc':[0,0,1],'state':{'done':0}}",
	"{'id':3,'t':150,'kind':'timer','proc':0,'lamport':2,'vc':[2,0,0],"
	"'label':'election timeout','state':{'role':'candidate','term':1,'voted_for':0,"
	"'commit':0,'log_len':0}}",
	"{'id':4,'t':150,'kind':'send','proc':0,'lamport':3,'vc':[3,0,0],'msg':0,'to':1,"
	"'type':'RequestVote','body':{'term':1,'candidate':0,'last_log_index':0,"
	"'last_log_term':0}}",
	"{'id':5,'t':170,'kind':'recv','proc':1,'lamport':4,'vc':[3,2,0],'msg':0,'from':0,"
	"'type':'RequestVote','body':{'term':1,'candidate':0,'last_log_index':0,'last_log_term':0},"
	"'label':'grant vote to n1','state':{'role':'follower','term':1,'voted_for':0,'commit':0,"
	"'log_len':0}}",
	"{'id':6,'t':170,'kind':'send','proc':1,'lamport':5,'vc':[3,3,0],'msg':1,'to':0,"
	"'type':'VoteReply','body':{'term':1,'granted':true}}",
	"{'id':7,'t':190,'kind':'recv','proc':0,'lamport':6,'vc':[4,3,0],'msg':1,'from':1,"
	"'type':'VoteReply','body':{'term':1,'granted':true},'label':'became leader',"
	"'state':{'role':'leader','term':1,'voted_for':0,'commit':0,'log_len':0},'milestone':true}",
	"{'id':8,'t':200,'kind':'invoke','proc':2,'lamport':2,'vc':[0,0,2],"
	"'op':{'f':'write','value':1}}",
	"{'id':9,'t':200,'kind':'send','proc':2,'lamport':3,'vc':[0,0,3],'msg':2,'to':0,"
	"'type':'ClientRequest','body':{'cmd':'c1:write 1'}}",
	"{'id':10,'t':215,'kind':'recv','proc':0,'lamport':7,'vc':[5,3,3],'msg':2,'from':2,"
	"'type':'ClientRequest','body':{'cmd':'c1:write 1'},'state':{'role':'leader','term':1,"
	"'voted_for':0,'commit':0,'log_len':1}}",
	"{'id':11,'t':215,'kind':'send','proc':0,'lamport':8,'vc':[6,3,3],'msg':3,'to':1,"
	"'type':'AppendEntries','body':{'term':1,'leader':0,'prev_index':0,'prev_term':0,"
	"'leader_commit':0,'n':1}}",
	"{'id':12,'t':230,'kind':'recv','proc':1,'lamport':9,'vc':[6,4,3],'msg':3,'from':0,"
	"'type':'AppendEntries','body':{'term':1,'leader':0,'prev_index':0,'prev_term':0,"
	"'leader_commit':0,'n':1},'state':{'role':'follower','term':1,'voted_for':0,'commit':0,"
	"'log_len':1}}",
	"{'id':13,'t':230,'kind':'send','proc':1,'lamport':10,'vc':[6,5,3],'msg':4,'to':0,"
	"'type':'AppendReply','body':{'term':1,'success':true,'match_index':1}}",
	"{'id':14,'t':245,'kind':'recv','proc':0,'lamport':11,'vc':[7,5,3],'msg':4,'from':1,"
	"'type':'AppendReply','body':{'term':1,'success':true,'match_index':1},"
	"'state':{'role':'leader','term':1,'voted_for':0,'commit':1,'log_len':1}}",
	"{'id':15,'t':245,'kind':'local','proc':0,'lamport':12,'vc':[8,5,3],'label':'apply',"
	"'body':{'index':1,'term':1,'cmd':'c1:write 1'}}",
	"{'id':16,'t':245,'kind':'send','proc':0,'lamport':13,'vc':[9,5,3],'msg':5,'to':2,"
	"'type':'ClientReply','body':{'invoke':8,'status':'ok','index':1}}",
	"{'id':17,'t':260,'kind':'recv','proc':2,'lamport':14,'vc':[9,5,4],'msg':5,'from':0,"
	"'type':'ClientReply','body':{'invoke':8,'status':'ok','index':1}}",
	"{'id':18,'t':260,'kind':'complete','proc':2,'lamport':15,'vc':[9,5,5],"
	"'op':{'f':'write','value':1,'type':'ok'},'invoke':8,'state':{'done':1}}",
	"{'id':19,'t':280,'kind':'send','proc':0,'lamport':14,'vc':[10,5,3],'msg':6,'to':1,"
	"'type':'AppendEntries','body':{'term':1,'leader':0,'prev_index':1,'prev_term':1,"
	"'leader_commit':1,'n':0}}",
	"{'id':20,'t':290,'kind':'partition','groups':[[0],[1,2]],'by':'user',"
	"'label':'partition n1 | n2 c1'}",
	"{'id':21,'t':300,'kind':'drop','msg':6,'reason':'partition'}",
	"{'id':22,'t':310,'kind':'heal','by':'user'}",
	"{'id':23,'t':320,'kind':'crash','proc':1,'lamport':11,'vc':[6,6,3],'by':'schedule'}",
	"{'id':24,'t':330,'kind':'restart','proc':1,'lamport':12,'vc':[6,7,3],'by':'schedule',"
	"'state':{'role':'follower','term':1,'voted_for':0,'commit':0,'log_len':1}}",
	"{'id':25,'t':340,'kind':'input','label':'change loss','body':{'loss':10},'by':'user'}",
};
#define NGOOD (sizeof GOOD / sizeof GOOD[0])
#define MAXEV 64

/* ---- helpers ---- */

/* Single quotes to double quotes (the test texts contain no apostrophes). */
static char *tv_json(const char *s)
{
	char *d = strdup(s);
	assert_non_null(d);
	for (char *p = d; *p; p++)
		if (*p == '\'')
			*p = '"';
	return d;
}

/* The exporter's layout: header lines, one event per line, then "]}". */
static char *build(const char *header, const char *const *ev, size_t n)
{
	size_t len = strlen(header) + 8;
	for (size_t i = 0; i < n; i++)
		len += strlen(ev[i]) + 2;
	char *q = malloc(len);
	assert_non_null(q);
	strcpy(q, header);
	for (size_t i = 0; i < n; i++) {
		strcat(q, ev[i]);
		strcat(q, i + 1 < n ? ",\n" : "\n");
	}
	strcat(q, "]}\n");
	char *d = tv_json(q);
	free(q);
	return d;
}

typedef struct {
	char path[64];
	int rc;
	char *out, *err;
	size_t outlen, errlen;
	trace_verify_stats st;
} run_t;

static void run_path(run_t *r)
{
	FILE *o = open_memstream(&r->out, &r->outlen);
	FILE *e = open_memstream(&r->err, &r->errlen);
	assert_non_null(o);
	assert_non_null(e);
	memset(&r->st, 0xAB, sizeof r->st);   /* the verifier must fill it */
	r->rc = trace_verify_file(r->path, o, e, &r->st);
	fclose(o);
	fclose(e);
}

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void run_bytes(run_t *r, const char *text, size_t len)
{
	memset(r, 0, sizeof *r);
	strcpy(r->path, "/tmp/st-verify-XXXXXX");
	int fd = mkstemp(r->path);
	assert_true(fd >= 0);
	close(fd);
	write_file(r->path, text, len);
	run_path(r);
}

static void run_text(run_t *r, const char *text) { run_bytes(r, text, strlen(text)); }

static void run_done(run_t *r)
{
	unlink(r->path);
	free(r->out);
	free(r->err);
}

/* GOOD with event idx replaced (or dropped when line is NULL), then run. */
static void run_with(run_t *r, size_t idx, const char *line)
{
	const char *ev[MAXEV];
	size_t n = 0;
	for (size_t i = 0; i < NGOOD; i++)
		if (i != idx || line)
			ev[n++] = i == idx ? line : GOOD[i];
	char *text = build(HEADER, ev, n);
	run_text(r, text);
	free(text);
}

/* GOOD with extra events inserted before position at. */
static void run_insert(run_t *r, size_t at, const char *const *extra, size_t nextra)
{
	const char *ev[MAXEV];
	size_t n = 0;
	for (size_t i = 0; i <= NGOOD; i++) {
		if (i == at)
			for (size_t k = 0; k < nextra; k++)
				ev[n++] = extra[k];
		if (i < NGOOD)
			ev[n++] = GOOD[i];
	}
	char *text = build(HEADER, ev, n);
	run_text(r, text);
	free(text);
}

/* The error output must contain this (printf-style) text. */
static void TV_expect(const run_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void TV_expect(const run_t *r, const char *fmt, ...)
{
	char want[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(want, sizeof want, fmt, ap);
	va_end(ap);
	if (!r->err || !strstr(r->err, want)) {
		print_error("stderr does not contain: %s\n--- stderr was:\n%s---\n", want,
			    r->err ? r->err : "(null)");
		fail();
	}
}

static void expect_not(const run_t *r, const char *text)
{
	if (r->err && strstr(r->err, text)) {
		print_error("stderr should not contain: %s\n--- stderr was:\n%s---\n", text,
			    r->err);
		fail();
	}
}

/* 1-based column of "key" in an event line of GOOD (as written, quotes are one byte). */
static long col_of(const char *line, const char *key)
{
	char k[64];
	snprintf(k, sizeof k, "'%s'", key);
	const char *p = strstr(line, k);
	assert_non_null(p);
	return (long)(p - line) + 1;
}

static size_t count_lines(const char *s, const char *needle)
{
	size_t n = 0;
	for (const char *p = s; p && (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* ---- a correct trace ---- */

static void test_good_trace_passes(void **state)
{
	(void)state;
	run_t r;
	run_with(&r, NGOOD, NULL);
	if (r.rc != 0)
		print_error("stderr:\n%s\n", r.err);
	assert_int_equal(r.rc, TRACE_VERIFY_OK);
	assert_int_equal(r.errlen, 0);
	char want[256];
	snprintf(want, sizeof want, "%s: ok: 26 events, 3 processes, 7 messages sent, 6 received, "
		 "1 dropped; raft: 1 term with a leader, 1 entry applied\n", r.path);
	assert_string_equal(r.out, want);
	assert_int_equal(r.st.events, 26);
	assert_int_equal(r.st.processes, 3);
	assert_int_equal(r.st.sent, 7);
	assert_int_equal(r.st.received, 6);
	assert_int_equal(r.st.dropped, 1);
	assert_int_equal(r.st.problems, 0);
	/* the protocol's counts come from its own checker: core names no protocol */
	assert_string_equal(r.st.protocol_summary, "raft: 1 term with a leader, 1 entry applied");
	assert_true(r.st.streamed);
	assert_true(r.st.protocol_checked);   /* raft has a trace checker in the registry */
	run_done(&r);
}

static void test_null_streams_and_stats(void **state)
{
	(void)state;
	char *text = build(HEADER, GOOD, NGOOD);
	run_t r;
	run_text(&r, text);
	assert_int_equal(trace_verify_file(r.path, NULL, NULL, NULL), 0);
	run_done(&r);
	free(text);
}

static void test_file_is_unchanged(void **state)
{
	(void)state;
	char *text = build(HEADER, GOOD, NGOOD);
	run_t r;
	run_text(&r, text);
	struct stat before, after;
	assert_int_equal(stat(r.path, &before), 0);
	free(r.out);
	free(r.err);
	run_path(&r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(stat(r.path, &after), 0);
	FILE *f = fopen(r.path, "rb");
	assert_non_null(f);
	char *back = calloc(1, strlen(text) + 16);
	size_t n = fread(back, 1, strlen(text) + 8, f);
	fclose(f);
	assert_int_equal(n, strlen(text));
	assert_memory_equal(back, text, n);
	assert_int_equal(before.st_size, after.st_size);
	assert_true(before.st_mtim.tv_sec == after.st_mtim.tv_sec &&
		    before.st_mtim.tv_nsec == after.st_mtim.tv_nsec);
	free(back);
	run_done(&r);
	free(text);
}

static void test_zero_events(void **state)
{
	(void)state;
	char *text = tv_json(HEADER "\n]}\n");
	run_t r;
	run_text(&r, text);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.st.events, 0);
	assert_true(r.st.streamed);
	run_done(&r);
	free(text);
}

static void test_other_protocol_has_no_raft_part(void **state)
{
	(void)state;
	char *hdr = strdup(HEADER);
	char *p = strstr(hdr, "'raft'");
	memcpy(p, "'echo'", 6);
	const char *ev[] = {GOOD[0], GOOD[1], GOOD[2]};
	char *text = build(hdr, ev, 3);
	run_t r;
	run_text(&r, text);
	assert_int_equal(r.rc, 0);
	assert_non_null(strstr(r.out, "ok: 3 events, 3 processes, 0 messages sent, 0 received, "
			       "0 dropped\n"));
	assert_false(r.st.protocol_checked);
	run_done(&r);
	free(text);
	free(hdr);
}

/* ---- clocks ---- */

static void test_wrong_lamport(void **state)
{
	(void)state;
	/* Event 12 with lamport 8 (the merge gives 9), and every later clock of n2 shifted to
	 * agree with it, as a writer that forgot one merge would: one message, not a cascade. */
	const char *e12 = "{'id':12,'t':230,'kind':'recv','proc':1,'lamport':8,'vc':[6,4,3],"
		"'msg':3,'from':0,'type':'AppendEntries','body':{'term':1},"
		"'state':{'role':'follower',"
		"'term':1,'voted_for':0,'commit':0,'log_len':1}}";
	const char *ev[MAXEV];
	memcpy(ev, GOOD, sizeof GOOD);
	ev[12] = e12;
	ev[13] = "{'id':13,'t':230,'kind':'send','proc':1,'lamport':9,'vc':[6,5,3],'msg':4,"
		"'to':0,'type':'AppendReply','body':{'term':1,'success':true,'match_index':1}}";
	ev[14] = "{'id':14,'t':245,'kind':'recv','proc':0,'lamport':10,'vc':[7,5,3],'msg':4,"
		"'from':1,'type':'AppendReply','body':{},'state':{'role':'leader','term':1,"
		"'voted_for':0,'commit':1,'log_len':1}}";
	ev[15] = "{'id':15,'t':245,'kind':'local','proc':0,'lamport':11,'vc':[8,5,3],"
		"'label':'apply','body':{'index':1,'term':1,'cmd':'c1:write 1'}}";
	ev[16] = "{'id':16,'t':245,'kind':'send','proc':0,'lamport':12,'vc':[9,5,3],'msg':5,"
		"'to':2,'type':'ClientReply','body':{}}";
	ev[17] = "{'id':17,'t':260,'kind':'recv','proc':2,'lamport':13,'vc':[9,5,4],'msg':5,"
		"'from':0,'type':'ClientReply','body':{}}";
	ev[18] = "{'id':18,'t':260,'kind':'complete','proc':2,'lamport':14,'vc':[9,5,5],"
		"'op':{'f':'write','value':1,'type':'ok'},'invoke':8}";
	ev[19] = "{'id':19,'t':280,'kind':'send','proc':0,'lamport':13,'vc':[10,5,3],'msg':6,"
		"'to':1,'type':'AppendEntries','body':{}}";
	ev[23] = "{'id':23,'t':320,'kind':'crash','proc':1,'lamport':10,'vc':[6,6,3]}";
	ev[24] = "{'id':24,'t':330,'kind':'restart','proc':1,'lamport':11,'vc':[6,7,3],"
		"'state':{'role':'follower','term':1,'voted_for':0,'commit':0,'log_len':1}}";
	char *text = build(HEADER, ev, NGOOD);
	run_t r;
	run_text(&r, text);
	assert_int_equal(r.rc, TRACE_VERIFY_BROKEN);
	TV_expect(&r, "%s:%d:%ld: event 12: lamport is 8, the causal structure gives 9\n", r.path,
		  FIRST_EVENT_LINE + 12, col_of(e12, "lamport"));
	assert_int_equal(r.st.problems, 1);
	TV_expect(&r, "%s: not ok: 1 problem; 26 events", r.path);
	run_done(&r);
	free(text);
}

static void test_wrong_lamport_missing(void **state)
{
	(void)state;
	run_t r;
	run_with(&r, 8, "{'id':8,'t':200,'kind':'invoke','proc':2,'vc':[0,0,2],"
		 "'op':{'f':'write','value':1}}");
	assert_int_equal(r.rc, 1);
	TV_expect(&r, "%s:%d:1: event 8: lamport is missing, the causal structure gives 2\n",
		  r.path, FIRST_EVENT_LINE + 8);
	run_done(&r);
}

static void test_wrong_vc(void **state)
{
	(void)state;
	/* n1's vc forgets n2's entry on the recv of the vote; later events of n1 shift with it. */
	const char *e7 = "{'id':7,'t':190,'kind':'recv','proc':0,'lamport':6,'vc':[4,0,0],'msg':1,"
		"'from':1,'type':'VoteReply','body':{'term':1,'granted':true},"
		"'state':{'role':'leader','term':1,'voted_for':0,'commit':0,'log_len':0}}";
	run_t r;
	run_with(&r, 7, e7);
	assert_int_equal(r.rc, 1);
	TV_expect(&r, "%s:%d:%ld: event 7: vc is [4,0,0], the causal structure gives [4,3,0]\n",
		  r.path, FIRST_EVENT_LINE + 7, col_of(e7, "vc"));
	run_done(&r);
}

static void test_vc_wrong_length(void **state)
{
	(void)state;
	const char *e0 = "{'id':0,'t':0,'kind':'start','proc':0,'lamport':1,'vc':[1,0],"
		FOLLOWER0 "}";
	run_t r;
	run_with(&r, 0, e0);
	assert_int_equal(r.rc, 1);
	TV_expect(&r, "event 0: vc is [1,0], expected 3 integers (one per process): [1,0,0]");
	run_done(&r);
}

/* ---- messages ---- */

static void test_recv_without_send(void **state)
{
	(void)state;
	const char *e12 = "{'id':12,'t':230,'kind':'recv','proc':1,'lamport':9,'vc':[6,4,3],"
		"'msg':99,'from':0,'type':'AppendEntries','body':{},'state':{'role':'follower',"
		"'term':1,'voted_for':0,'commit':0,'log_len':1}}";
	run_t r;
	run_with(&r, 12, e12);
	assert_int_equal(r.rc, 1);
	TV_expect(&r, "%s:%d:%ld: event 12: recv of msg 99 has no matching send\n", r.path,
		  FIRST_EVENT_LINE + 12, col_of(e12, "msg"));
	/* Without its send the clocks cannot be recomputed: no second complaint about them. */
	expect_not(&r, "causal structure");
	assert_int_equal(r.st.problems, 1);
	assert_int_equal(r.st.received, 5);
	run_done(&r);
}

static void test_recv_by_wrong_process(void **state)
{
	(void)state;
	/* c1 receives msg 3, which n1 sent to n2 (and n2 receives it too, later). */
	const char *extra[] = {
		"{'id':12,'t':230,'kind':'recv','proc':2,'lamport':9,'vc':[6,3,4],'msg':3,'from':0,"
		"'type':'AppendEntries','body':{}}",
	};
	const char *ev[MAXEV];
	size_t n = 0;
	for (size_t i = 0; i < 12; i++)
		ev[n++] = GOOD[i];
	ev[n++] = extra[0];
	char *text = build(HEADER, ev, n);
	run_t r;
	run_text(&r, text);
	assert_int_equal(r.rc, 1);
	TV_expect(&r, "%s:%d:%ld: event 12: msg 3 was sent to process 1 (n2) but received by "
		  "process 2 (c1)\n", r.path, FIRST_EVENT_LINE + 12, col_of(extra[0], "msg"));
	assert_int_equal(r.st.problems, 1);
	run_done(&r);
	free(text);
}

static void test_recv_from_and_type_mismatch(void **state)
{
	(void)state;
	run_t r;
	run_with(&r, 5, "{'id':5,'t':170,'kind':'recv','proc':1,'lamport':4,'vc':[3,2,0],'msg':0,"
		 "'from':2,'type':'VoteReply','body':{},'state':{'role':'follower','term':1,"
		 "'voted_for':0,'commit':0,'log_len':0}}");
	assert_int_equal(r.rc, 1);
	TV_expect(&r, "event 5: from is 2, but msg 0 was sent by process 0 (n1)");
	TV_expect(&r, "event 5: type \"VoteReply\" differs from the send's \"RequestVote\"");
	run_done(&r);
}

static void test_msg_sent_twice(void **state)
{
	(void)state;
	run_t r;
	run_with(&r, 6, "{'id':6,'t':170,'kind':'send','proc':1,'lamport':5,'vc':[3,3,0],'msg':0,"
		 "'to':0,'type':'VoteReply','body':{}}");
	assert_int_equal(r.rc, 1);
	TV_expect(&r, "event 6: msg id 0 is sent twice (first by event 4)");
	run_done(&r);
}

static void test_duplicate_delivery_is_fine(void **state)
{
	(void)state;
	/* msg 5 delivered twice to c1 (duplication): two recvs of one send are allowed. */
	const char *extra[] = {
		"{'id':18,'t':262,'kind':'recv','proc':2,'lamport':15,'vc':[9,5,5],'msg':5,"
		"'from':0,'type':'ClientReply','body':{}}",
	};
	const char *ev[MAXEV];
	size_t n = 0;
	for (size_t i = 0; i < 18; i++)
		ev[n++] = GOOD[i];
	ev[n++] = extra[0];
	char *text = build(HEADER, ev, n);
	run_t r;
	run_text(&r, text);
	if (r.rc)
		print_error("%s", r.err);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.st.received, 7);
	assert_int_equal(r.st.sent, 6);
	run_done(&r);
	free(text);
}

static void test_drop_rules(void **state)
{
	(void)state;
	run_t r;
	run_with(&r, 21, "{'id':21,'t':300,'kind':'drop','msg':77,'reason':'gremlins'}");
	assert_int_equal(r.rc, 1);
	TV_expect(&r, "event 21: \"reason\" is \"gremlins\", expected \"loss\", \"partition\", "
		  "\"crashed\" or \"user\"");
	TV_expect(&r, "event 21: drop of msg 77, which was never sent");
	run_done(&r);
}

static void test_partition_groups(void **state)
{
	(void)state;
	run_t r;
	run_with(&r, 20, "{'id':20,'t':290,'kind':'partition','groups':[[0,1],[1,2]]}");
	assert_int_equal(r.rc, 1);
	TV_expect(&r, "event 20: \"groups\" is [[0,1],[1,2]], expected an array of disjoint "
		  "arrays of process indexes");
	run_done(&r);
	run_with(&r, 20, "{'id':20,'t':290,'kind':'partition','groups':[[0],[3]]}");
	assert_int_equal(r.rc, 1);
	TV_expect(&r, "event 20: \"groups\" is [[0],[3]]");
	run_done(&r);
	run_with(&r, 20, "{'id':20,'t':290,'kind':'partition','groups':[]}");
	assert_int_equal(r.rc, 1);
	run_done(&r);
}

/* ---- order and kinds ---- */

static void test_time_backwards(void **state)
{
	(void)state;
	const char *e9 = "{'id':9,'t':100,'kind':'send','proc':2,'lamport':3,'vc':[0,0,3],'msg':2,"
		"'to':0,'type':'ClientRequest','body':{'cmd':'c1:write 1'}}";
	run_t r;
	run_with(&r, 9, e9);
	assert_int_equal(r.rc, 1);
	TV_expect(&r, "%s:%d:%ld: event 9: time runs backwards: t is 100, after 200 at event 8\n",
		  r.path, FIRST_EVENT_LINE + 9, col_of(e9, "t"));
	assert_int_equal(r.st.problems, 1);
	run_done(&r);
}

static void test_id_gap(void **state)
{
	(void)state;
	/* The heal (22) is missing and the ids after it run on: one gap, one message. */
	const char *ev[MAXEV];
	size_t n = 0;
	for (size_t i = 0; i < NGOOD; i++)
		if (i != 22)
			ev[n++] = GOOD[i];
	char *text = build(HEADER, ev, n);
	run_t r;
	run_text(&r, text);
	assert_int_equal(r.rc, 1);
	TV_expect(&r, "%s:%d:2: event 23: id is 23, expected 22 (ids are dense from 0, in order)\n",
		  r.path, FIRST_EVENT_LINE + 22);
	assert_int_equal(r.st.problems, 1);
	run_done(&r);
	free(text);
}

static void test_unknown_kind(void **state)
{
	(void)state;
	const char *e25 = "{'id':25,'t':340,'kind':'teleport','label':'whoosh'}";
	run_t r;
	run_with(&r, 25, e25);
	assert_int_equal(r.rc, 1);
	TV_expect(&r, "%s:%d:%ld: event 25: unknown kind \"teleport\"\n", r.path,
		  FIRST_EVENT_LINE + 25, col_of(e25, "kind"));
	run_done(&r);
}

static void test_missing_required_field(void **state)
{
	(void)state;
	run_t r;
	run_with(&r, 3, "{'id':3,'t':150,'kind':'timer','proc':0,'lamport':2,'vc':[2,0,0],"
		 "'state':{'role':'candidate','term':1,'voted_for':0,'commit':0,'log_len':0}}");
	assert_int_equal(r.rc, 1);
	TV_expect(&r, "%s:%d:1: event 3: timer has no \"label\" (a string)\n", r.path,
		  FIRST_EVENT_LINE + 3);
	run_done(&r);
}

static void test_world_event_with_vc(void **state)
{
	(void)state;
	const char *e22 = "{'id':22,'t':310,'kind':'heal','vc':[1,1,1]}";
	run_t r;
	run_with(&r, 22, e22);
	assert_int_equal(r.rc, 1);
	TV_expect(&r, "%s:%d:%ld: event 22: world event heal carries \"vc\"", r.path,
		  FIRST_EVENT_LINE + 22, col_of(e22, "vc"));
	assert_int_equal(r.st.problems, 1);
	run_done(&r);
}

static void test_proc_out_of_range(void **state)
{
	(void)state;
	run_t r;
	run_with(&r, 2, "{'id':2,'t':0,'kind':'start','proc':3,'lamport':1,'vc':[0,0,1],"
		 "'state':{}}");
	assert_int_equal(r.rc, 1);
	TV_expect(&r, "event 2: proc is 3, expected a process index (0..2)");
	/* c1 never started, so its next event says so */
	TV_expect(&r, "event 8: process 2 (c1) acts before its start event");
	run_done(&r);
}

static void test_start_twice_and_crashed(void **state)
{
	(void)state;
	/* Two steps of n2 after its crash and no restart: one problem, not one per event. */
	const char *extra[] = {
		"{'id':24,'t':325,'kind':'timer','proc':1,'lamport':12,'vc':[6,7,3],"
		"'label':'election timeout'}",
		"{'id':25,'t':326,'kind':'local','proc':1,'lamport':13,'vc':[6,8,3],"
		"'label':'step down'}",
	};
	const char *ev[MAXEV];
	size_t n = 0;
	for (size_t i = 0; i < 24; i++)
		ev[n++] = GOOD[i];
	ev[n++] = extra[0];
	ev[n++] = extra[1];
	char *text = build(HEADER, ev, n);
	run_t r;
	run_text(&r, text);
	assert_int_equal(r.rc, 1);
	TV_expect(&r, "event 24: process 1 (n2) acts while crashed (crashed since event 23)");
	assert_int_equal(r.st.problems, 1);
	run_done(&r);
	free(text);
	run_with(&r, 2, "{'id':2,'t':0,'kind':'start','proc':1,'lamport':2,'vc':[0,2,0],"
		 "'state':{'role':'follower','term':0,'voted_for':null,'commit':0,'log_len':0}}");
	TV_expect(&r, "event 2: process 1 (n2) starts twice");
	run_done(&r);
}

/* ---- clients ---- */

static void test_complete_without_invoke(void **state)
{
	(void)state;
	const char *e18 = "{'id':18,'t':260,'kind':'complete','proc':2,'lamport':15,'vc':[9,5,5],"
		"'op':{'f':'write','value':1,'type':'ok'},'invoke':99}";
	run_t r;
	run_with(&r, 18, e18);
	assert_int_equal(r.rc, 1);
	TV_expect(&r, "%s:%d:%ld: event 18: complete names invoke 99, which is no earlier invoke "
		  "event\n", r.path, FIRST_EVENT_LINE + 18, col_of(e18, "invoke"));
	run_done(&r);
}

static void test_complete_twice_and_bad_type(void **state)
{
	(void)state;
	const char *extra[] = {
		"{'id':19,'t':262,'kind':'complete','proc':2,'lamport':16,'vc':[9,5,6],"
		"'op':{'f':'write','value':1,'type':'maybe'},'invoke':8}",
	};
	run_t r;
	run_insert(&r, 19, extra, 1);
	assert_int_equal(r.rc, 1);
	TV_expect(&r, "event 19: op.type is \"maybe\", expected \"ok\", \"fail\" or \"info\"");
	TV_expect(&r, "event 19: invoke 8 is completed twice");
	run_done(&r);
}

static void test_invoke_by_node(void **state)
{
	(void)state;
	const char *extra[] = {
		"{'id':8,'t':195,'kind':'invoke','proc':0,'lamport':7,'vc':[5,3,0],"
		"'op':{'f':'read'}}",
	};
	const char *ev[MAXEV];
	size_t n = 0;
	for (size_t i = 0; i < 8; i++)
		ev[n++] = GOOD[i];
	ev[n++] = extra[0];
	char *text = build(HEADER, ev, n);
	run_t r;
	run_text(&r, text);
	assert_int_equal(r.rc, 1);
	TV_expect(&r, "event 8: invoke by process 0 (n1), which is not a client");
	run_done(&r);
	free(text);
}

/* ---- raft ---- */

static void test_raft_two_leaders_in_one_term(void **state)
{
	(void)state;
	/* n2, a follower that voted for n1 in term 1, claims leadership of term 1 as well. */
	run_t r;
	run_with(&r, 12, "{'id':12,'t':230,'kind':'recv','proc':1,'lamport':9,'vc':[6,4,3],"
		 "'msg':3,'from':0,'type':'AppendEntries','body':{},'state':{'role':'leader',"
		 "'term':1,'voted_for':0,'commit':0,'log_len':1}}");
	assert_int_equal(r.rc, 3);   /* the contract holds: an invariant does not */
	TV_expect(&r, "%s:%d:", r.path, FIRST_EVENT_LINE + 12);
	TV_expect(&r, "event 12: election safety");
	run_done(&r);
}

static void test_raft_conflicting_applies(void **state)
{
	(void)state;
	/* After its restart n2 applies index 1 as a different command than n1 did. */
	const char *extra[] = {
		"{'id':25,'t':335,'kind':'local','proc':1,'lamport':13,'vc':[6,8,3],"
		"'label':'apply','body':{'index':1,'term':1,'cmd':'c1:write 2'}}",
		"{'id':26,'t':340,'kind':'input','label':'change loss','body':{'loss':10}}",
	};
	const char *ev[MAXEV];
	size_t n = 0;
	for (size_t i = 0; i < 25; i++)
		ev[n++] = GOOD[i];
	ev[n++] = extra[0];
	ev[n++] = extra[1];
	char *text = build(HEADER, ev, n);
	run_t r;
	run_text(&r, text);
	assert_int_equal(r.rc, 3);
	TV_expect(&r, "%s:%d:", r.path, FIRST_EVENT_LINE + 25);
	TV_expect(&r, "event 25: state machine safety");
	assert_string_equal(r.st.protocol_summary, "raft: 1 term with a leader, 1 entry applied");
	run_done(&r);
	free(text);
}

static void test_raft_state_keys(void **state)
{
	(void)state;
	run_t r;
	run_with(&r, 1, "{'id':1,'t':0,'kind':'start','proc':1,'lamport':1,'vc':[0,1,0],"
		 "'state':{'role':'boss','term':0,'commit':0,'log_len':0}}");
	assert_int_equal(r.rc, 1);
	TV_expect(&r, "event 1: state.role is \"boss\", expected \"follower\", \"candidate\" or "
		  "\"leader\"");
	TV_expect(&r, "event 1: state.voted_for is missing");
	run_done(&r);
}

/* ---- reading ---- */

static void test_truncated_json_has_line_and_col(void **state)
{
	(void)state;
	char *text = build(HEADER, GOOD, NGOOD);
	/* Cut in the middle of event 10's line. */
	char *line10 = text;
	for (int i = 1; i < FIRST_EVENT_LINE + 10; i++)
		line10 = strchr(line10, '\n') + 1;
	size_t keep = (size_t)(line10 - text) + 40;
	run_t r;
	run_bytes(&r, text, keep);
	assert_int_equal(r.rc, TRACE_VERIFY_UNREADABLE);
	TV_expect(&r, "%s:%d:41: invalid JSON: this event ends in the middle of a value",
		  r.path, FIRST_EVENT_LINE + 10);
	run_done(&r);
	/* Cut after a complete line: the events array is never closed. */
	keep = (size_t)(line10 - text);
	run_bytes(&r, text, keep);
	assert_int_equal(r.rc, 2);
	TV_expect(&r, "%s:%d:", r.path, FIRST_EVENT_LINE + 9);
	TV_expect(&r, "invalid JSON: the file ends inside the events array");
	run_done(&r);
	free(text);
}

static void test_syntax_error_in_event_line(void **state)
{
	(void)state;
	run_t r;
	run_with(&r, 6, "{'id':6,'t':170,'kind':'send','proc':1,'lamport':5,'vc':[3,3,0],'msg':1;"
		 "'to':0,'type':'VoteReply','body':{}}");
	assert_int_equal(r.rc, 2);
	TV_expect(&r, "%s:%d:", r.path, FIRST_EVENT_LINE + 6);
	TV_expect(&r, "invalid JSON: unexpected ';' in this event");
	run_done(&r);
}

static void test_trailing_and_missing_commas(void **state)
{
	(void)state;
	char *text = build(HEADER, GOOD, NGOOD);
	char *end = strstr(text, "\n]}");
	size_t at = (size_t)(end - text);
	char *t2 = malloc(strlen(text) + 2);
	memcpy(t2, text, at);
	strcpy(t2 + at, ",");
	strcat(t2, text + at);
	run_t r;
	run_text(&r, t2);
	assert_int_equal(r.rc, 2);
	TV_expect(&r, "%s:%d:1: invalid JSON: a ',' before ']' (trailing comma)", r.path,
		  FIRST_EVENT_LINE + (int)NGOOD);
	run_done(&r);
	free(t2);
	/* No comma after event 3. */
	char *p = text;
	for (int i = 1; i < FIRST_EVENT_LINE + 4; i++)
		p = strchr(p, '\n') + 1;
	p[-2] = ' ';
	run_text(&r, text);
	assert_int_equal(r.rc, 2);
	TV_expect(&r, "%s:%d:1: invalid JSON: missing ',' between events", r.path,
		  FIRST_EVENT_LINE + 4);
	run_done(&r);
	free(text);
}

static void test_pretty_printed_trace_streams(void **state)
{
	(void)state;
	char *text = build(HEADER, GOOD, NGOOD);
	cJSON *doc = cJSON_Parse(text);
	assert_non_null(doc);
	char *pretty = cJSON_Print(doc);   /* tabs and one member per line */
	run_t r;
	run_text(&r, pretty);
	if (r.rc)
		print_error("%s", r.err);
	assert_int_equal(r.rc, 0);
	assert_true(r.st.streamed);     /* one pass: the reader cuts values, not lines */
	assert_int_equal(r.st.events, 26);
	assert_int_equal(r.st.received, 6);
	assert_non_null(strstr(r.out, ": ok: 26 events"));
	run_done(&r);

	/* A wrong lamport there is reported on the line of its "lamport" member. */
	cJSON *e12 = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "events"), 12);
	cJSON_ReplaceItemInObject(e12, "lamport", cJSON_CreateNumber(4242));
	char *bad = cJSON_Print(doc);
	const char *at = strstr(bad, "4242");
	assert_non_null(at);
	int line = 1;
	for (const char *q = bad; q < at; q++)
		line += *q == '\n';
	const char *bol = at;
	while (bol > bad && bol[-1] != '\n')
		bol--;
	long col = 1;
	for (const char *q = bol; *q != '"'; q++)
		col++;
	run_text(&r, bad);
	assert_int_equal(r.rc, 1);
	TV_expect(&r, "%s:%d:%ld: event 12: lamport is 4242, the causal structure gives 9\n",
		  r.path, line, col);
	run_done(&r);

	/* And its syntax errors keep their line and column too. */
	char *cut = strdup(bad);
	strstr(cut, "4242")[1] = 'x';
	run_text(&r, cut);
	assert_int_equal(r.rc, 2);
	TV_expect(&r, "%s:%d:", r.path, line);
	TV_expect(&r, "invalid JSON: unexpected 'x' in this event");
	run_done(&r);

	free(cut);
	free(bad);
	free(pretty);
	cJSON_Delete(doc);
	free(text);
}

/* More processes than the simulator runs (ST_MAX_PROCS): the protocol's own checker still
 * checks (there is no core fallback that knows Raft): 40 nodes, two leaders of term 1. */
static void test_many_processes_protocol_checked(void **state)
{
	(void)state;
	enum { N = 40 };
	size_t cap = 1 << 16, len = 0;
	char *q = malloc(cap);
	assert_non_null(q);
	len += (size_t)snprintf(q + len, cap - len, "{\"format\":\"spacetime-trace\",\"version\":1,"
				"\"scenario\":\"unit\",\"protocol\":\"raft\",\"seed\":1,"
				"\"time_unit\":\"us\",\n\"processes\":[");
	for (int p = 0; p < N; p++)
		len += (size_t)snprintf(q + len, cap - len, "%s{\"name\":\"n%d\",\"role\":\"node\"}",
					p ? "," : "", p + 1);
	len += (size_t)snprintf(q + len, cap - len, "],\n\"events\":[\n");
	for (int p = 0; p < N; p++) {
		const char *role = p < 2 ? "leader" : "follower";
		len += (size_t)snprintf(q + len, cap - len, "{\"id\":%d,\"t\":0,\"kind\":\"start\","
					"\"proc\":%d,\"lamport\":1,\"vc\":[", p, p);
		for (int k = 0; k < N; k++)
			len += (size_t)snprintf(q + len, cap - len, "%s%d", k ? "," : "", k == p);
		len += (size_t)snprintf(q + len, cap - len, "],\"state\":{\"role\":\"%s\",\"term\":%d,"
					"\"voted_for\":null,\"commit\":0,\"log_len\":0}}%s\n", role,
					p < 2, p + 1 < N ? "," : "");
	}
	len += (size_t)snprintf(q + len, cap - len, "]}\n");
	assert_true(len < cap);
	run_t r;
	run_text(&r, q);
	assert_int_equal(r.rc, 3);
	assert_true(r.st.protocol_checked);
	TV_expect(&r, "event 1: election safety: n1 and n2 are both leaders of term 1");
	assert_string_equal(r.st.protocol_summary, "raft: 1 term with a leader, 0 entries applied");
	run_done(&r);
	free(q);
}

/* A header may record the scenario's params (the protocol's checker gets them, or its
 * defaults): they are checked against the protocol's own table. */
static void test_header_params(void **state)
{
	(void)state;
	static const char *const good[] = {"'params':{'election_timeout_ms':[100,200],"
					   "'heartbeat_ms':40,'bug':'none'},", NULL};
	static const struct { const char *params, *want; } bad[] = {
		{"'params':{'heartbeat_ms':0},", "params.heartbeat_ms is 0, not a value it takes"},
		{"'params':{'bug':'gremlins'},", "params.bug is \"gremlins\", not a value it takes"},
		{"'params':{'election_timeout_ms':[300,200]},",
		 "params.election_timeout_ms is [300,200], not a value it takes"},
		{"'params':{'warp':1},", "params.warp: protocol raft has no such parameter"},
		{"'params':[1],", "\"params\" is [1], expected an object"},
	};
	for (size_t i = 0; i < 1 + sizeof bad / sizeof bad[0]; i++) {
		const char *p = i == 0 ? good[0] : bad[i - 1].params;
		char *hdr = malloc(strlen(HEADER) + strlen(p) + 1);
		assert_non_null(hdr);
		const char *at = strstr(HEADER, "'processes'");
		memcpy(hdr, HEADER, (size_t)(at - HEADER));
		strcpy(hdr + (at - HEADER), p);
		strcat(hdr, at);
		char *text = build(hdr, GOOD, NGOOD);
		run_t r;
		run_text(&r, text);
		if (i == 0) {
			if (r.rc)
				print_error("%s", r.err);
			assert_int_equal(r.rc, 0);
		} else {
			assert_int_equal(r.rc, 1);
			TV_expect(&r, "%s:2:", r.path);
			TV_expect(&r, "%s", bad[i - 1].want);
		}
		run_done(&r);
		free(text);
		free(hdr);
	}
}

/* Keys in sorted order (what `jq -S` writes) put "events" before the header: a regular file is
 * read ahead for the header, then again from the events, with the same verdicts and places. */
static void test_events_before_header(void **state)
{
	(void)state;
	char *text = build(HEADER, GOOD, NGOOD);
	cJSON *doc = cJSON_Parse(text);
	assert_non_null(doc);
	cJSON *evs = cJSON_DetachItemFromObject(doc, "events");
	assert_true(cJSON_InsertItemInArray(doc, 0, evs));   /* objects are lists too */
	char *first = cJSON_Print(doc);
	assert_true(strstr(first, "\"events\"") < strstr(first, "\"processes\""));
	run_t r;
	run_text(&r, first);
	if (r.rc)
		print_error("%s", r.err);
	assert_int_equal(r.rc, 0);
	assert_false(r.st.streamed);    /* two passes */
	assert_int_equal(r.st.events, 26);
	assert_string_equal(r.st.protocol_summary, "raft: 1 term with a leader, 1 entry applied");
	run_done(&r);

	cJSON_ReplaceItemInObject(cJSON_GetArrayItem(evs, 12), "lamport", cJSON_CreateNumber(4242));
	char *bad = cJSON_Print(doc);
	const char *at = strstr(bad, "4242");
	int line = 1;
	for (const char *q = bad; q < at; q++)
		line += *q == '\n';
	run_text(&r, bad);
	assert_int_equal(r.rc, 1);
	TV_expect(&r, "%s:%d:", r.path, line);
	TV_expect(&r, "event 12: lamport is 4242, the causal structure gives 9\n");
	run_done(&r);
	free(bad);
	free(first);
	cJSON_Delete(doc);
	free(text);
}

static void test_header_problems(void **state)
{
	(void)state;
	char *hdr = strdup(HEADER);
	memcpy(strstr(hdr, "'version':1"), "'version':2", 11);
	char *text = build(hdr, GOOD, NGOOD);
	run_t r;
	run_text(&r, text);
	assert_int_equal(r.rc, 1);
	TV_expect(&r, "%s:1:%ld: \"version\" is 2, expected 1\n", r.path,
		  (long)(strstr(HEADER, "'version'") - HEADER) + 1);
	assert_true(r.st.streamed);
	run_done(&r);
	free(text);
	free(hdr);

	hdr = strdup(HEADER);
	memcpy(strstr(hdr, "'role':'client'"), "'role':'clown' ", 15);
	text = build(hdr, GOOD, 3);
	run_text(&r, text);
	assert_int_equal(r.rc, 1);
	TV_expect(&r, "%s:2:%ld: process 2: needs a \"name\" and a \"role\" \"node\" or \"client\"",
		  r.path,
		  (long)(strstr(HEADER, "{'name':'c1'") - strstr(HEADER, "'processes'")) + 1);
	run_done(&r);
	free(text);
	free(hdr);
}

static void test_missing_top_level_field(void **state)
{
	(void)state;
	char *hdr = strdup(HEADER);
	char *p = strstr(hdr, "'seed':42,");
	memmove(p, p + 10, strlen(p + 10) + 1);
	char *text = build(hdr, GOOD, NGOOD);
	run_t r;
	run_text(&r, text);
	assert_int_equal(r.rc, 1);
	TV_expect(&r, "%s:1:1: missing top-level field \"seed\"\n", r.path);
	run_done(&r);
	free(text);
	free(hdr);
}

static void test_not_a_trace_at_all(void **state)
{
	(void)state;
	run_t r;
	run_text(&r, "");
	assert_int_equal(r.rc, 2);
	TV_expect(&r, "%s:1:1: invalid JSON: the file is empty", r.path);
	run_done(&r);

	char junk[512];
	for (size_t i = 0; i < sizeof junk; i++)
		junk[i] = (char)(i * 37 + 11);
	run_bytes(&r, junk, sizeof junk);
	assert_int_equal(r.rc, 2);
	TV_expect(&r, "%s:1:", r.path);
	TV_expect(&r, ": invalid JSON: ");
	run_done(&r);

	run_text(&r, "[1, 2, 3]\n");
	assert_int_equal(r.rc, 1);
	TV_expect(&r, "the document is not a JSON object");
	run_done(&r);

	memset(&r, 0, sizeof r);
	strcpy(r.path, "/tmp/st-verify-no-such-file.json");
	run_path(&r);
	assert_int_equal(r.rc, 2);
	TV_expect(&r, "%s: cannot open: No such file or directory", r.path);
	free(r.out);
	free(r.err);

	memset(&r, 0, sizeof r);
	strcpy(r.path, "/tmp");
	run_path(&r);
	assert_int_equal(r.rc, 2);
	TV_expect(&r, "/tmp: is a directory");
	free(r.out);
	free(r.err);
}

static void test_bad_utf8_and_control_bytes(void **state)
{
	(void)state;
	char *text = build(HEADER, GOOD, NGOOD);
	char *p = strstr(text, "c1:write 1");
	p[3] = (char)0xC3;   /* a UTF-8 lead byte followed by 'r', not a continuation byte */
	run_t r;
	run_text(&r, text);
	assert_int_equal(r.rc, 2);
	TV_expect(&r, "invalid JSON: byte 0xc3 is not valid UTF-8");
	run_done(&r);
	p[3] = 0x01;
	run_text(&r, text);
	assert_int_equal(r.rc, 2);
	TV_expect(&r, "invalid JSON: control character 0x01");
	run_done(&r);
	p[3] = 'w';
	/* in the header too, which streaming parses on its own */
	p = strstr(text, "\"unit\"");
	p[2] = (char)0xFF;
	run_text(&r, text);
	assert_int_equal(r.rc, 2);
	TV_expect(&r, "%s:1:%ld: invalid JSON: byte 0xff is not valid UTF-8", r.path,
		  (long)(p - text) + 3);
	run_done(&r);
	free(text);
}

static void test_problem_cap(void **state)
{
	(void)state;
	/* 30 heal events each carrying a proc: 30 problems, 20 shown. */
	const char *ev[MAXEV];
	char *lines[30];
	size_t n = 0;
	for (size_t i = 0; i < NGOOD; i++)
		ev[n++] = GOOD[i];
	for (int i = 0; i < 30; i++) {
		lines[i] = malloc(80);
		snprintf(lines[i], 80, "{'id':%d,'t':400,'kind':'heal','proc':0}", 26 + i);
		ev[n++] = lines[i];
	}
	char *text = build(HEADER, ev, n);
	run_t r;
	run_text(&r, text);
	assert_int_equal(r.rc, 1);
	assert_int_equal(r.st.problems, 30);
	assert_int_equal(count_lines(r.err, "carries \"proc\""), 20);
	TV_expect(&r, "%s: ... and 10 more problems\n", r.path);
	TV_expect(&r, "%s: not ok: 30 problems; 56 events", r.path);
	run_done(&r);
	free(text);
	for (int i = 0; i < 30; i++)
		free(lines[i]);
}

static void test_members_after_events(void **state)
{
	(void)state;
	/* Another writer may put more top-level members after the events. */
	const char *ev[] = {GOOD[0], GOOD[1], GOOD[2]};
	char *text = build(HEADER, ev, 3);
	char *end = strstr(text, "]}\n");
	char *t2 = malloc(strlen(text) + 64);
	memcpy(t2, text, (size_t)(end - text));
	strcpy(t2 + (end - text), "],\n\"extra\": {\"a\": [1, 2]}\n}\n");
	run_t r;
	run_text(&r, t2);
	if (r.rc)
		print_error("%s", r.err);
	assert_int_equal(r.rc, 0);
	assert_true(r.st.streamed);
	run_done(&r);
	strcpy(t2 + (end - text), "],\n\"extra\": {\"a\": [1, 2}\n}\n");
	run_text(&r, t2);
	assert_int_equal(r.rc, 2);
	TV_expect(&r, "%s:%d:", r.path, FIRST_EVENT_LINE + 4);
	run_done(&r);
	strcpy(t2 + (end - text), "]}\ntrailing words\n");
	run_text(&r, t2);
	assert_int_equal(r.rc, 2);
	TV_expect(&r, "%s:%d:1: invalid JSON: text after the end of the document", r.path,
		  FIRST_EVENT_LINE + 4);
	run_done(&r);
	free(t2);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_trace_passes),
		cmocka_unit_test(test_null_streams_and_stats),
		cmocka_unit_test(test_file_is_unchanged),
		cmocka_unit_test(test_zero_events),
		cmocka_unit_test(test_other_protocol_has_no_raft_part),
		cmocka_unit_test(test_wrong_lamport),
		cmocka_unit_test(test_wrong_lamport_missing),
		cmocka_unit_test(test_wrong_vc),
		cmocka_unit_test(test_vc_wrong_length),
		cmocka_unit_test(test_recv_without_send),
		cmocka_unit_test(test_recv_by_wrong_process),
		cmocka_unit_test(test_recv_from_and_type_mismatch),
		cmocka_unit_test(test_msg_sent_twice),
		cmocka_unit_test(test_duplicate_delivery_is_fine),
		cmocka_unit_test(test_drop_rules),
		cmocka_unit_test(test_partition_groups),
		cmocka_unit_test(test_time_backwards),
		cmocka_unit_test(test_id_gap),
		cmocka_unit_test(test_unknown_kind),
		cmocka_unit_test(test_missing_required_field),
		cmocka_unit_test(test_world_event_with_vc),
		cmocka_unit_test(test_proc_out_of_range),
		cmocka_unit_test(test_start_twice_and_crashed),
		cmocka_unit_test(test_complete_without_invoke),
		cmocka_unit_test(test_complete_twice_and_bad_type),
		cmocka_unit_test(test_invoke_by_node),
		cmocka_unit_test(test_raft_two_leaders_in_one_term),
		cmocka_unit_test(test_raft_conflicting_applies),
		cmocka_unit_test(test_raft_state_keys),
		cmocka_unit_test(test_truncated_json_has_line_and_col),
		cmocka_unit_test(test_syntax_error_in_event_line),
		cmocka_unit_test(test_trailing_and_missing_commas),
		cmocka_unit_test(test_pretty_printed_trace_streams),
		cmocka_unit_test(test_events_before_header),
		cmocka_unit_test(test_header_params),
		cmocka_unit_test(test_many_processes_protocol_checked),
		cmocka_unit_test(test_header_problems),
		cmocka_unit_test(test_missing_top_level_field),
		cmocka_unit_test(test_not_a_trace_at_all),
		cmocka_unit_test(test_bad_utf8_and_control_bytes),
		cmocka_unit_test(test_problem_cap),
		cmocka_unit_test(test_members_after_events),
	};
	return cmocka_run_group_tests_name("verify", tests, NULL, NULL);
}
