/* script.c: protocol tests as scripts (see script.h), on the real simulator in manual mode.
 *
 * A script file is a sequence of blocks, in the manner of etcd raft's datadriven testdata:
 *
 *     # a comment line (kept as it is by a rewrite)
 *     deliver n1->n2 RequestVote        <- one command line: a command and its arguments
 *     ----                              <- the separator
 *     e7 0ms n2 recv "vote for n1" ...  <- the expected output, one line each,
 *                                       <- ended by a blank line (or the end of the file)
 *
 * Arguments are words separated by blanks; a word may be "quoted" (with \" and \\ inside), and
 * a KEY=VALUE word may quote its value (until="became leader"). `|` is a word of its own.
 *
 * Commands (a table, script_cmds below; PROC is n1.. or c1..):
 *   load NAME|PATH [seed=N] [nodes=N] [clients=N] [schedule=off] [workload=off] [KEY=VALUE..]
 *                      a fresh world from the scenario, with these params (the --param
 *                      syntax: 3, 150..300, true, commit-old-term), invariants checked after
 *                      every step and action, in manual mode; the processes start.
 *   deliver MSG        deliver one message in flight now. MSG is m12 (its id; m12.1 for the
 *   drop MSG           second copy of a duplicated one) or FROM->TO [TYPE]. A name that
 *   duplicate MSG      matches no message, or more than one, fails the script (it lists them).
 *   fire PROC TIMER    fire a pending timer now; TIMER is its name or a unique prefix of it.
 *   crash|restart|pause|resume PROC
 *   partition n1,n2 | n3,n4,n5        groups; a process in no group reaches every group.
 *   heal
 *   request CLIENT F [VALUE] [node=PROC]   a client operation (request c1 write 3).
 *   step [N]           N steps (default 1): scheduled actions and client operations only, as
 *                      manual mode runs them; messages and timers wait to be chosen.
 *   run [until=LABEL] [max=N] [timers=off]
 *                      deliver and fire until an event whose label starts with LABEL, at
 *                      most N actions (default 1000). Each action takes the earliest due of:
 *                      the messages in flight (in sim_inflight's order: delivery time, then
 *                      message id, then copy) to a process that is not paused, and the pending
 *                      timers of running processes (by fire time, then process, then timer);
 *                      on a tie of times the message goes first. timers=off delivers only.
 *                      With until, reaching the bound or running out of things to do fails
 *                      the script; without, the run ends when nothing is left (the bound
 *                      still fails it).
 *   state [PROC..]     each process's status and describe() key/values.
 *   inflight           the messages in flight, in delivery order.
 *   timers [PROC..]    the pending timers.
 *   check              "ok", or the first invariant violated: "violation: NAME: detail (at eN)".
 *
 * Output: every event the command caused, one line each:
 *     e<id> <time>ms <proc|world> <kind> ["label"] [m<msg> <from>-><to> <Type> {body}] [L<lamport>]
 * A send shows the message body as the protocol encodes it; recv and drop show the message
 * without it (a drop adds its reason); other events show their body {key=value ...}. The
 * input event that only records the script's own deliver or fire is not shown (the command
 * line says it; the recv or timer event follows). A command that makes an invariant fail adds the line
 * "violation: NAME: detail (at eN)". Then what the command asked for (state, inflight, ...).
 *
 * Results: a block whose output differs prints a unified-style diff (- expected, + actual)
 * and the file fails (exit 1); a malformed script (unknown command, bad argument, no ----)
 * stops at once with file:line:col (exit 2); a run-time failure (a message not in flight, an
 * ambiguous name, a bound reached) stops the file with file:line (exit 1). With
 * ST_SCRIPT_REWRITE=1 the actual outputs replace the expected ones: the file is written to a
 * temporary file in its directory and renamed over it, keeping its permissions, and only when
 * the whole script ran; a file that failed or is malformed is left untouched. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cJSON.h>

#include "base/mem.h"
#include "base/names.h"
#include "core/scenario.h"
#include "core/sim.h"
#include "core/trace.h"
#include "scenario_path.h"
#include "script.h"

#define SCRIPT_MAX_ARGS 64
#define SCRIPT_MAX_LINE 4096
#define SCRIPT_MAX_FILE (16u << 20)
#define SCRIPT_RUN_MAX 1000
#define SCRIPT_BODY_MAX 160     /* a body longer than this is cut, with "..." */
#define SCRIPT_MAX_FLIGHT 4096

/* ---------------------------------------------------------------------------------------- */
/* A growing text buffer                                                                      */

typedef struct { char *s; size_t len, cap; } sbuf;

static void sb_putn(sbuf *b, const char *s, size_t n)
{
	st_grow(&b->s, &b->cap, b->len + n + 1, 1);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}
static void sb_puts(sbuf *b, const char *s) { sb_putn(b, s, strlen(s)); }
static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof tmp) {
		sb_putn(b, tmp, (size_t)n);
		return;
	}
	char *big = st_alloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb_putn(b, big, (size_t)n);
	free(big);
}
static void sb_free(sbuf *b) { free(b->s); memset(b, 0, sizeof *b); }

/* ---------------------------------------------------------------------------------------- */
/* The file, split into blocks                                                                */

typedef struct {
	int line;               /* 1-based line of the command */
	char *cmd;              /* the command line, as written */
	char **want; int nwant; /* the expected output lines */
	char *before;           /* text before the command (comments, blank lines), verbatim */
	bool blank_after;       /* the expected output was ended by a blank line */
} script_block;

typedef struct {
	const char *path;
	script_block *b; int nb;
	char *tail;             /* text after the last block */
} script_file;

typedef struct { const char *s; int col; } script_arg;

/* The state of one file's run. */
typedef struct {
	const char *path, *argv0;
	int line;               /* the block being run */
	st_scenario *sc;
	st_trace *tr;
	st_sim *sim;
	bool violation_shown;
	sim_flight *flights;    /* room for SCRIPT_MAX_FLIGHT, for sim_inflight */
	sbuf out;               /* the actual output of the current block */
	/* a malformed script (col > 0) or a run-time failure (col == 0) */
	char err[1024];
	int err_col;
} script_run;

enum { SR_OK = 0, SR_FAIL = 1, SR_BAD = 2 };

static int sr_bad(script_run *r, int col, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int sr_bad(script_run *r, int col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->err, sizeof r->err, fmt, ap);
	va_end(ap);
	r->err_col = col > 0 ? col : 1;
	return SR_BAD;
}

static int sr_fail(script_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int sr_fail(script_run *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->err, sizeof r->err, fmt, ap);
	va_end(ap);
	r->err_col = 0;
	return SR_FAIL;
}

static char *dup_range(const char *s, size_t n)
{
	char *d = st_alloc(n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static bool line_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

static void file_free(script_file *f)
{
	for (int i = 0; i < f->nb; i++) {
		free(f->b[i].cmd);
		free(f->b[i].before);
		for (int k = 0; k < f->b[i].nwant; k++)
			free(f->b[i].want[k]);
		free(f->b[i].want);
	}
	free(f->b);
	free(f->tail);
	memset(f, 0, sizeof *f);
}

/* Split text into blocks. Returns false with file:line:col in err when malformed. */
static bool file_parse(script_file *f, const char *path, const char *text, size_t len,
		       char *err, size_t errlen)
{
	memset(f, 0, sizeof *f);
	f->path = path;
	size_t cap = 0, pos = 0, before = 0;
	int line = 0;
	while (pos < len) {
		size_t end = pos;
		while (end < len && text[end] != '\n')
			end++;
		line++;
		size_t n = end - pos;
		if (n > SCRIPT_MAX_LINE) {
			snprintf(err, errlen, "%s:%d:%d: line longer than %d bytes", path, line,
				 SCRIPT_MAX_LINE + 1, SCRIPT_MAX_LINE);
			return false;
		}
		if (memchr(text + pos, '\0', n)) {
			snprintf(err, errlen, "%s:%d:1: a NUL byte: expected text", path, line);
			return false;
		}
		const char *l = text + pos;
		size_t next = end < len ? end + 1 : end;
		if (line_blank(l, n) || l[0] == '#') {
			pos = next;
			continue;
		}
		if (n == 4 && memcmp(l, "----", 4) == 0) {
			snprintf(err, errlen, "%s:%d:1: ---- without a command before it", path, line);
			return false;
		}
		/* a command line: then ---- and the expected output */
		st_grow(&f->b, &cap, (size_t)f->nb + 1, sizeof *f->b);
		script_block *b = &f->b[f->nb++];
		memset(b, 0, sizeof *b);
		b->line = line;
		b->before = dup_range(text + before, pos - before);
		b->cmd = dup_range(l, n);
		pos = next;
		size_t send = pos;
		while (send < len && text[send] != '\n')
			send++;
		if (pos >= len || send - pos != 4 || memcmp(text + pos, "----", 4) != 0) {
			snprintf(err, errlen, "%s:%d:1: expected ---- after the command on line %d",
				 path, line + 1, line);
			return false;
		}
		line++;
		pos = send < len ? send + 1 : send;
		size_t wcap = 0;
		while (pos < len) {
			size_t e = pos;
			while (e < len && text[e] != '\n')
				e++;
			if (e - pos == 0 || line_blank(text + pos, e - pos)) {
				b->blank_after = true;
				break;     /* the blank line stays for the next block's "before" */
			}
			line++;
			if (e - pos > SCRIPT_MAX_LINE) {
				snprintf(err, errlen, "%s:%d:%d: line longer than %d bytes", path, line,
					 SCRIPT_MAX_LINE + 1, SCRIPT_MAX_LINE);
				return false;
			}
			st_grow(&b->want, &wcap, (size_t)b->nwant + 1, sizeof *b->want);
			b->want[b->nwant++] = dup_range(text + pos, e - pos);
			pos = e < len ? e + 1 : e;
		}
		before = pos;
	}
	f->tail = dup_range(text + before, len - before);
	if (f->nb == 0) {   /* a script that tests nothing cannot fail: refuse it */
		snprintf(err, errlen, "%s:%d:1: no commands: expected a command line, ---- and "
			 "its expected output", path, line > 0 ? line : 1);
		return false;
	}
	return true;
}

/* ---------------------------------------------------------------------------------------- */
/* Words of a command line                                                                    */

/* Split in place into words with their columns; quotes are taken off. `|` outside quotes is
 * a word of its own, with or without blanks around it. */
static int split_words(script_run *r, char *s, script_arg *out, int max)
{
	int n = 0;
	char *p = s;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (!*p)
			break;
		if (n >= max)
			return -sr_bad(r, (int)(p - s) + 1, "more than %d words", max);
		int col = (int)(p - s) + 1;
		if (*p == '|') {
			out[n++] = (script_arg){"|", col};
			*p++ = '\0';
			continue;
		}
		char *w = p, *d = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '|') {
			if (*p == '"') {
				int qcol = (int)(p - s) + 1;
				p++;
				while (*p && *p != '"') {
					if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
						p++;
					*d++ = *p++;
				}
				if (*p != '"')
					return -sr_bad(r, qcol, "a quote that is never closed");
				p++;
			} else {
				*d++ = *p++;
			}
		}
		out[n++] = (script_arg){w, col};
		if (*p == '|') {        /* the terminator would overwrite it: take it now */
			if (n >= max)
				return -sr_bad(r, (int)(p - s) + 1, "more than %d words", max);
			out[n++] = (script_arg){"|", (int)(p - s) + 1};
			*d = '\0';
			p++;
			continue;
		}
		bool more = *p != '\0';
		*d = '\0';
		if (more)
			p++;
	}
	return n;
}

/* KEY=VALUE: the value, or NULL when the word is not of that key. */
static const char *kv_value(const char *word, const char *key)
{
	size_t k = strlen(key);
	return strncmp(word, key, k) == 0 && word[k] == '=' ? word + k + 1 : NULL;
}

static bool parse_u64(const char *s, uint64_t *out)
{
	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	char *end;
	unsigned long long u = strtoull(s, &end, 10);
	if (errno || *end)
		return false;
	*out = u;
	return true;
}

static bool parse_i64(const char *s, int64_t *out)
{
	if (!s || !*s)
		return false;
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (errno || *end || end == s)
		return false;
	*out = v;
	return true;
}

bool script_param_json(const char *kv, char *key, size_t keylen, char *json, size_t jsonlen,
		       char *err, size_t errlen)
{
	const char *eq = strchr(kv, '=');
	if (!eq || eq == kv || (size_t)(eq - kv) >= keylen) {
		snprintf(err, errlen, "expected KEY=VALUE, got '%s'", kv);
		return false;
	}
	snprintf(key, keylen, "%.*s", (int)(eq - kv), kv);
	const char *v = eq + 1;
	int64_t a, b;
	const char *dots = strstr(v, "..");
	if (!*v) {
		snprintf(err, errlen, "%s= needs a value", key);
		return false;
	}
	if (parse_i64(v, &a)) {
		snprintf(json, jsonlen, "%lld", (long long)a);
	} else if (dots) {
		char lo[32];
		if ((size_t)(dots - v) >= sizeof lo)
			goto word;
		snprintf(lo, sizeof lo, "%.*s", (int)(dots - v), v);
		if (!parse_i64(lo, &a) || !parse_i64(dots + 2, &b))
			goto word;
		snprintf(json, jsonlen, "[%lld, %lld]", (long long)a, (long long)b);
	} else if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0) {
		snprintf(json, jsonlen, "%s", v);
	} else {
word:;
		cJSON *s = cJSON_CreateString(v);
		char *t = s ? cJSON_PrintUnformatted(s) : NULL;
		if (!t || strlen(t) >= jsonlen) {
			snprintf(err, errlen, "%s: value too long", key);
			cJSON_free(t);
			cJSON_Delete(s);
			return false;
		}
		snprintf(json, jsonlen, "%s", t);
		cJSON_free(t);
		cJSON_Delete(s);
	}
	return true;
}

/* ---------------------------------------------------------------------------------------- */
/* Writing events and key/values                                                              */

/* A sink that writes key=value words; arrays as [..], objects as {..}. */
typedef struct {
	st_sink k;
	sbuf *b;
	int nnodes, nprocs;
	bool first;             /* no blank before the next item */
	int depth;              /* open arrays and objects, with their closing brackets */
	char close[16];
} text_sink;

static void ts_sep(text_sink *t)
{
	if (!t->first)
		sb_puts(t->b, " ");
	t->first = false;
}
static void ts_key(text_sink *t, const char *key)
{
	ts_sep(t);
	if (key)
		sb_printf(t->b, "%s=", key);
}
static void ts_int(st_sink *k, const char *key, int64_t v)
{ text_sink *t = k->user; ts_key(t, key); sb_printf(t->b, "%lld", (long long)v); }
static void ts_str(st_sink *k, const char *key, const char *v)
{
	text_sink *t = k->user;
	ts_key(t, key);
	bool quote = !*v || strpbrk(v, " \t\"");
	sb_puts(t->b, quote ? "\"" : "");
	sb_puts(t->b, v);
	sb_puts(t->b, quote ? "\"" : "");
}
static void ts_proc(st_sink *k, const char *key, int p)
{
	text_sink *t = k->user;
	ts_key(t, key);
	if (p < 0) {
		sb_puts(t->b, "none");
		return;
	}
	char nm[16];
	sb_puts(t->b, st_proc_name(p, t->nnodes, t->nprocs, nm, sizeof nm));
}
static void ts_bool(st_sink *k, const char *key, bool v)
{ text_sink *t = k->user; ts_key(t, key); sb_puts(t->b, v ? "true" : "false"); }
static void ts_begin(st_sink *k, const char *key, bool array)
{
	text_sink *t = k->user;
	ts_key(t, key);
	sb_puts(t->b, array ? "[" : "{");
	if (t->depth < (int)sizeof t->close)
		t->close[t->depth] = array ? ']' : '}';
	t->depth++;
	t->first = true;
}
static void ts_end(st_sink *k)
{
	text_sink *t = k->user;
	if (t->depth > 0) {
		t->depth--;
		if (t->depth < (int)sizeof t->close)
			sb_putn(t->b, &t->close[t->depth], 1);
	}
	t->first = false;
}

static void ts_init(text_sink *t, sbuf *b, const st_trace *tr)
{
	memset(t, 0, sizeof *t);
	t->k = (st_sink){ts_int, ts_str, ts_proc, ts_bool, ts_begin, ts_end, t};
	t->b = b;
	t->nnodes = tr->nnodes;
	t->nprocs = tr->nprocs;
	t->first = true;
}

/* Cut a body written from offset start that has grown past the limit. */
static void cut_body(sbuf *b, size_t start)
{
	if (b->len - start > SCRIPT_BODY_MAX) {
		b->len = start + SCRIPT_BODY_MAX;
		b->s[b->len] = '\0';
		sb_puts(b, "...");
	}
}

static void put_time(sbuf *b, int64_t t_us)
{
	if (t_us % 1000 == 0)
		sb_printf(b, "%lldms", (long long)(t_us / 1000));
	else
		sb_printf(b, "%lld.%03lldms", (long long)(t_us / 1000), (long long)(t_us % 1000));
}

static const char *msg_type_name(const st_trace *tr, int type)
{
	if (tr->proto && type >= 0 && type < tr->proto->n_msg_types)
		return tr->proto->msg_types[type];
	return "?";
}

static void put_msg_body(sbuf *b, const st_trace *tr, const st_msgrec *m)
{
	if (!tr->proto || !tr->proto->encode)
		return;
	size_t start = b->len;
	sb_puts(b, " {");
	text_sink t;
	ts_init(&t, b, tr);
	tr->proto->encode(m->type, trace_msg_body(tr, m), m->body_len, &t.k);
	sb_puts(b, "}");
	if (b->len - start > SCRIPT_BODY_MAX + 3) {
		cut_body(b, start);
		sb_puts(b, "}");
	}
}

static void put_msg(sbuf *b, const st_trace *tr, uint32_t msg, bool body)
{
	if (msg < tr->msg_base || msg >= tr->msg_base + tr->nmsg) {
		sb_printf(b, " m%u", (unsigned)msg);
		return;
	}
	const st_msgrec *m = trace_msg(tr, msg);
	sb_printf(b, " m%u %s->%s %s", (unsigned)msg, tr->proc_names[m->from],
		  tr->proc_names[m->to], msg_type_name(tr, m->type));
	if (body)
		put_msg_body(b, tr, m);
}

/* Whether an input event only echoes the script's own message or timer action. */
static bool input_is_echo(const st_trace *tr, const st_event *e)
{
	if (e->kind != KIND_INPUT || e->body == TRACE_NONE || trace_kv_count(tr, e->body) == 0)
		return false;
	const st_kvrec *r = trace_kv_items(tr, e->body);
	if (r[0].type != ST_V_STR || strcmp(trace_str(tr, r[0].key), "action") != 0)
		return false;
	static const char *const echo[] = {"deliver", "fire_timer", "manual"};
	const char *a = trace_str(tr, (uint32_t)r[0].v);
	for (size_t i = 0; i < sizeof echo / sizeof echo[0]; i++)
		if (strcmp(a, echo[i]) == 0)
			return true;
	return false;
}

/* What an event of each kind adds after its label: a message, or how an operation ended. */
static void put_send(sbuf *b, const st_trace *tr, const st_event *e) { put_msg(b, tr, e->ref, true); }
static void put_recv(sbuf *b, const st_trace *tr, const st_event *e) { put_msg(b, tr, e->ref, false); }
static void put_drop(sbuf *b, const st_trace *tr, const st_event *e)
{
	put_msg(b, tr, e->ref, false);
	sb_printf(b, " (%s)", e->aux < 4 ? trace_drop_names[e->aux] : "?");
}
static void put_complete(sbuf *b, const st_trace *tr, const st_event *e)
{
	(void)tr;
	sb_printf(b, " %s e%u", e->aux < 3 ? trace_optype_names[e->aux] : "?", (unsigned)e->ref);
}
static void (*const put_kind[KIND__COUNT])(sbuf *b, const st_trace *tr, const st_event *e) = {
	[KIND_SEND] = put_send, [KIND_RECV] = put_recv, [KIND_DROP] = put_drop,
	[KIND_COMPLETE] = put_complete,
};

static void put_event(sbuf *b, const st_trace *tr, uint32_t id)
{
	const st_event *e = trace_at(tr, id);
	if (input_is_echo(tr, e))
		return;
	sb_printf(b, "e%u ", (unsigned)id);
	put_time(b, e->t_us);
	bool proc = e->proc != TRACE_WORLD && e->proc < tr->nprocs;
	sb_printf(b, " %s %s", proc ? tr->proc_names[e->proc] : "world",
		  e->kind < KIND__COUNT ? trace_kinds[e->kind].name : "?");
	if (e->label)
		sb_printf(b, " \"%s\"", trace_str(tr, e->label));
	if (e->kind < KIND__COUNT && put_kind[e->kind])
		put_kind[e->kind](b, tr, e);
	if (e->body != TRACE_NONE && e->kind != KIND_SEND && e->kind != KIND_RECV) {
		size_t start = b->len;
		sb_puts(b, " {");
		text_sink t;
		ts_init(&t, b, tr);
		trace_kv_emit(tr, e->body, &t.k);
		sb_puts(b, "}");
		if (b->len - start > SCRIPT_BODY_MAX + 3) {
			cut_body(b, start);
			sb_puts(b, "}");
		}
	}
	if (proc)
		sb_printf(b, " L%u", (unsigned)e->lamport);
	sb_puts(b, "\n");
}

/* The events from first to the end of the trace, then a violation if one appeared. */
static void put_events_since(script_run *r, uint32_t first)
{
	for (uint32_t id = first; id < trace_count(r->tr); id++)
		put_event(&r->out, r->tr, id);
	uint32_t ev = 0;
	const st_violation *v = sim_violation(r->sim, &ev);
	if (v && !r->violation_shown) {
		sb_printf(&r->out, "violation: %s: %s (at e%u)\n", v->invariant, v->detail,
			  (unsigned)ev);
		r->violation_shown = true;
	}
}

/* ---------------------------------------------------------------------------------------- */
/* Commands                                                                                   */

typedef int (*script_fn)(script_run *r, int argc, script_arg *argv);

static sim_flight *run_flights(script_run *r)
{
	if (!r->flights)
		r->flights = st_alloc(SCRIPT_MAX_FLIGHT * sizeof *r->flights);
	return r->flights;
}

static void world_free(script_run *r)
{
	sim_free(r->sim);
	trace_free(r->tr);
	scenario_free(r->sc);
	r->sim = NULL;
	r->tr = NULL;
	r->sc = NULL;
}

static int want_proc(script_run *r, const script_arg *a, int *p)
{
	*p = st_proc_index(a->s, r->sc->nnodes, r->sc->nclients);
	if (*p < 0)
		return sr_bad(r, a->col, "'%s' is no process of %s: expected n1..n%d%s", a->s,
			      r->sc->name, r->sc->nnodes, r->sc->nclients ? " or c1.." : "");
	return SR_OK;
}

static char *read_all(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	sbuf b = {0};
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (b.len + n > SCRIPT_MAX_FILE) {
			snprintf(err, errlen, "%s: larger than %u bytes", path, SCRIPT_MAX_FILE);
			fclose(f);
			sb_free(&b);
			return NULL;
		}
		sb_putn(&b, chunk, n);
	}
	bool bad = ferror(f);
	fclose(f);
	if (bad) {
		snprintf(err, errlen, "%s: read error", path);
		sb_free(&b);
		return NULL;
	}
	if (!b.s)
		b.s = st_strdup("");
	*len = b.len;
	return b.s;
}

/* A scenario that does not validate with the script's changes: the place in the reprinted
 * JSON means nothing to the reader, so blame the script's word that set the field when the
 * message names one (params.bug, nodes), else the scenario's name. */
static int load_error(script_run *r, int argc, script_arg *argv, const char *path,
		      const char *err)
{
	for (int i = 2; i < argc; i++) {
		const char *eq = strchr(argv[i].s, '=');
		if (!eq)
			continue;
		char field[96];
		int kl = (int)(eq - argv[i].s);
		bool top = strncmp(argv[i].s, "nodes=", 6) == 0 || strncmp(argv[i].s, "clients=", 8) == 0;
		snprintf(field, sizeof field, "%s%.*s:", top ? "" : "params.", kl, argv[i].s);
		const char *at = strstr(err, field);
		if (at && (at == err || at[-1] == ' '))
			return sr_bad(r, argv[i].col, "%s (loading %s)", at, path);
	}
	return sr_bad(r, argv[1].col, "%s", err);
}

/* load NAME [seed=N] [nodes=N] [clients=N] [schedule=off] [workload=off] [KEY=VALUE...] */
static int cmd_load(script_run *r, int argc, script_arg *argv)
{
	char path[4096], err[2048];
	if (!scenario_path_find(argv[1].s, r->argv0, path, sizeof path))
		return sr_bad(r, argv[1].col, "%s: no such scenario file or name", argv[1].s);
	size_t len;
	char *text = read_all(path, &len, err, sizeof err);
	if (!text)
		return sr_bad(r, argv[1].col, "%s", err);
	cJSON *root = cJSON_ParseWithLength(text, len);
	free(text);
	if (!root || !cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return sr_bad(r, argv[1].col, "%s: not a scenario (see spacetime %s)", path, path);
	}
	bool has_seed = false;
	uint64_t seed = 0;
	for (int i = 2; i < argc; i++) {
		const char *w = argv[i].s, *v;
		uint64_t u;
		if ((v = kv_value(w, "seed"))) {
			if (!parse_u64(v, &u)) {
				cJSON_Delete(root);
				return sr_bad(r, argv[i].col + 5, "seed= needs a whole number");
			}
			has_seed = true;
			seed = u;
		} else if ((v = kv_value(w, "nodes")) || (v = kv_value(w, "clients"))) {
			if (!parse_u64(v, &u) || u > 1000) {
				cJSON_Delete(root);
				return sr_bad(r, argv[i].col, "%.*s needs a whole number",
					      (int)(v - w), w);
			}
			char key[16];
			snprintf(key, sizeof key, "%.*s", (int)(v - w - 1), w);
			cJSON_DeleteItemFromObjectCaseSensitive(root, key);
			cJSON_AddNumberToObject(root, key, (double)u);
		} else if ((v = kv_value(w, "schedule")) || (v = kv_value(w, "workload"))) {
			if (strcmp(v, "off") != 0) {
				cJSON_Delete(root);
				return sr_bad(r, argv[i].col, "%.*s takes only off", (int)(v - w), w);
			}
			char key[16];
			snprintf(key, sizeof key, "%.*s", (int)(v - w - 1), w);
			cJSON_DeleteItemFromObjectCaseSensitive(root, key);
		} else {
			char key[64], json[512];
			if (!script_param_json(w, key, sizeof key, json, sizeof json, err,
					       sizeof err)) {
				cJSON_Delete(root);
				return sr_bad(r, argv[i].col, "%s", err);
			}
			cJSON *params = cJSON_GetObjectItemCaseSensitive(root, "params");
			if (!params) {
				params = cJSON_AddObjectToObject(root, "params");
			} else if (!cJSON_IsObject(params)) {
				cJSON_Delete(root);
				return sr_bad(r, argv[1].col, "%s: params is not an object", path);
			}
			cJSON *val = cJSON_Parse(json);
			cJSON_DeleteItemFromObjectCaseSensitive(params, key);
			cJSON_AddItemToObject(params, key, val);
		}
	}
	char *json = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	st_scenario *sc = json ? scenario_parse(json, strlen(json), path, err, sizeof err) : NULL;
	cJSON_free(json);
	if (!sc)
		return load_error(r, argc, argv, path, err);
	world_free(r);
	r->sc = sc;
	if (!has_seed)
		seed = sc->seed;
	r->tr = trace_new(sc->name, sc->protocol, seed, sc->nnodes, sc->nclients, NULL);
	sim_opts so = {seed, true, 0};
	r->sim = sim_new(sc, &so, r->tr);
	r->violation_shown = false;
	if (!r->tr || !r->sim)
		st_oom(sizeof(void *));
	sim_set_manual(r->sim, true);
	/* the processes start: the first steps of the world, all at time 0 */
	sim_run_steps(r->sim, (uint64_t)sc->nprocs);
	return SR_OK;
}

/* A message in flight, named m12, m12.1 or FROM->TO [TYPE]; a name that matches none or
 * several fails, listing what is in flight. */
static int find_msg(script_run *r, int argc, script_arg *argv, uint32_t *slot)
{
	sim_flight *fl = run_flights(r);
	int n = sim_inflight(r->sim, fl, SCRIPT_MAX_FLIGHT);
	const char *w = argv[1].s;
	sbuf names = {0};
	int hits = 0;
	uint32_t hit_slot = 0;
	if (w[0] == 'm' && w[1] >= '0' && w[1] <= '9') {
		if (argc > 2)
			return sr_bad(r, argv[2].col, "a message named by id takes nothing after it");
		char *dot = strchr(w, '.');
		uint64_t id, copy = 0;
		char idtxt[24];
		snprintf(idtxt, sizeof idtxt, "%.*s", (int)(dot ? dot - w - 1 : (long)strlen(w) - 1),
			 w + 1);
		if (!parse_u64(idtxt, &id) || id > UINT32_MAX || (dot && !parse_u64(dot + 1, &copy)))
			return sr_bad(r, argv[1].col, "expected a message as m<id>[.<copy>], got '%s'",
				      w);
		int k = 0;
		for (int i = 0; i < n; i++) {
			if (fl[i].msg != id)
				continue;
			if (!dot || (uint64_t)k == copy) {
				hits++;
				hit_slot = fl[i].slot;
				sb_printf(&names, "%sm%u.%d", hits > 1 ? ", " : "", (unsigned)id, k);
			}
			k++;
		}
		if (hits == 0)
			return sr_fail(r, "%s is not in flight", w);
		if (hits > 1) {
			sr_fail(r, "%s is ambiguous: %d copies in flight (%s); name one", w, hits,
				names.s);
			sb_free(&names);
			return SR_FAIL;
		}
		sb_free(&names);
		*slot = hit_slot;
		return SR_OK;
	}
	const char *arrow = strstr(w, "->");
	if (!arrow)
		return sr_bad(r, argv[1].col, "expected a message: m<id> or FROM->TO [TYPE]");
	char from_s[16], to_s[16];
	if (arrow - w >= (long)sizeof from_s || strlen(arrow + 2) >= sizeof to_s)
		return sr_bad(r, argv[1].col, "expected FROM->TO with process names");
	snprintf(from_s, sizeof from_s, "%.*s", (int)(arrow - w), w);
	snprintf(to_s, sizeof to_s, "%s", arrow + 2);
	int from = st_proc_index(from_s, r->sc->nnodes, r->sc->nclients);
	int to = st_proc_index(to_s, r->sc->nnodes, r->sc->nclients);
	if (from < 0)
		return sr_bad(r, argv[1].col, "'%s' is no process of %s", from_s, r->sc->name);
	if (to < 0)
		return sr_bad(r, argv[1].col + (int)(arrow - w) + 2, "'%s' is no process of %s",
			      to_s, r->sc->name);
	int type = -1;
	if (argc > 3)
		return sr_bad(r, argv[3].col, "expected FROM->TO [TYPE], no more");
	if (argc == 3) {
		for (int t = 0; t < r->sc->protocol->n_msg_types; t++)
			if (strcmp(r->sc->protocol->msg_types[t], argv[2].s) == 0)
				type = t;
		if (type < 0)
			return sr_bad(r, argv[2].col, "'%s' is no message type of %s", argv[2].s,
				      r->sc->protocol->name);
	}
	for (int i = 0; i < n; i++) {
		if (fl[i].from != from || fl[i].to != to || (type >= 0 && fl[i].type != type))
			continue;
		hits++;
		hit_slot = fl[i].slot;
		sb_printf(&names, "%sm%u %s", hits > 1 ? ", " : "", (unsigned)fl[i].msg,
			  r->sc->protocol->msg_types[fl[i].type]);
	}
	if (hits == 0)
		return sr_fail(r, "no message %s%s%s in flight", w, type >= 0 ? " " : "",
			       type >= 0 ? argv[2].s : "");
	if (hits > 1) {
		sr_fail(r, "%s%s%s is ambiguous: %d in flight (%s); name one by id", w,
			type >= 0 ? " " : "", type >= 0 ? argv[2].s : "", hits, names.s);
		sb_free(&names);
		return SR_FAIL;
	}
	sb_free(&names);
	*slot = hit_slot;
	return SR_OK;
}

typedef bool (*msg_action)(st_sim *s, uint32_t slot, st_by by);
static int msg_cmd(script_run *r, int argc, script_arg *argv, msg_action act)
{
	uint32_t slot = 0;
	int rc = find_msg(r, argc, argv, &slot);
	if (rc)
		return rc;
	uint32_t first = trace_count(r->tr);
	if (!act(r->sim, slot, BY_USER))
		return sr_fail(r, "%s: the simulator refused it", argv[1].s);
	put_events_since(r, first);
	return SR_OK;
}
static int cmd_deliver(script_run *r, int argc, script_arg *argv)
{ return msg_cmd(r, argc, argv, sim_msg_deliver_now); }
static int cmd_drop(script_run *r, int argc, script_arg *argv)
{ return msg_cmd(r, argc, argv, sim_msg_drop); }
static int cmd_duplicate(script_run *r, int argc, script_arg *argv)
{ return msg_cmd(r, argc, argv, sim_msg_duplicate); }

/* fire PROC TIMER: the timer by its name or a unique prefix. */
static int cmd_fire(script_run *r, int argc, script_arg *argv)
{
	(void)argc;
	int p, rc = want_proc(r, &argv[1], &p);
	if (rc)
		return rc;
	const st_protocol *pr = r->sc->protocol;
	int timer = -1, matches = 0;
	size_t wl = strlen(argv[2].s);
	for (int t = 0; t < pr->n_timers; t++) {
		if (strcmp(pr->timer_names[t], argv[2].s) == 0) {
			timer = t;
			matches = 1;
			break;
		}
		if (strncmp(pr->timer_names[t], argv[2].s, wl) == 0) {
			timer = t;
			matches++;
		}
	}
	if (matches != 1) {
		sbuf names = {0};
		for (int t = 0; t < pr->n_timers; t++)
			sb_printf(&names, "%s\"%s\"", t ? ", " : "", pr->timer_names[t]);
		sr_bad(r, argv[2].col, "'%s' names %s timer of %s: expected one of %s", argv[2].s,
		       matches ? "more than one" : "no", pr->name, names.s ? names.s : "(none)");
		sb_free(&names);
		return SR_BAD;
	}
	uint32_t first = trace_count(r->tr);
	if (!sim_fire_timer(r->sim, p, timer, BY_USER))
		return sr_fail(r, "%s's timer \"%s\" is not pending (or %s is not up)", argv[1].s,
			       pr->timer_names[timer], argv[1].s);
	put_events_since(r, first);
	return SR_OK;
}

typedef void (*proc_action)(st_sim *s, int p, st_by by);
static int proc_cmd(script_run *r, script_arg *argv, proc_action act, sim_proc_status want,
		    const char *what)
{
	int p, rc = want_proc(r, &argv[1], &p);
	if (rc)
		return rc;
	if (sim_proc_status_of(r->sim, p) != want)
		return sr_fail(r, "%s %s: it is not %s", what, argv[1].s,
			       want == PROC_UP ? "up" : want == PROC_CRASHED ? "crashed" : "paused");
	uint32_t first = trace_count(r->tr);
	act(r->sim, p, BY_USER);
	put_events_since(r, first);
	return SR_OK;
}
static int cmd_crash(script_run *r, int argc, script_arg *argv)
{
	(void)argc;
	int p, rc = want_proc(r, &argv[1], &p);
	if (rc)
		return rc;
	if (sim_proc_status_of(r->sim, p) == PROC_CRASHED)
		return sr_fail(r, "crash %s: it is crashed already", argv[1].s);
	uint32_t first = trace_count(r->tr);
	sim_crash(r->sim, p, BY_USER);
	put_events_since(r, first);
	return SR_OK;
}
static int cmd_restart(script_run *r, int argc, script_arg *argv)
{ (void)argc; return proc_cmd(r, argv, sim_restart, PROC_CRASHED, "restart"); }
static int cmd_pause(script_run *r, int argc, script_arg *argv)
{ (void)argc; return proc_cmd(r, argv, sim_pause, PROC_UP, "pause"); }
static int cmd_resume(script_run *r, int argc, script_arg *argv)
{ (void)argc; return proc_cmd(r, argv, sim_resume, PROC_PAUSED, "resume"); }

/* partition n1,n2 | n3,n4,n5 */
static int cmd_partition(script_run *r, int argc, script_arg *argv)
{
	int8_t group[ST_MAX_PROCS];
	memset(group, -1, sizeof group);
	int g = 0;
	bool empty = true;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i].s, "|") == 0) {
			if (empty)
				return sr_bad(r, argv[i].col, "an empty group before |");
			if (++g >= SC_MAX_GROUPS)
				return sr_bad(r, argv[i].col, "more than %d groups", SC_MAX_GROUPS);
			empty = true;
			continue;
		}
		char buf[SCRIPT_MAX_LINE];
		snprintf(buf, sizeof buf, "%s", argv[i].s);
		int off = 0;
		for (char *tok = buf; tok;) {
			char *comma = strchr(tok, ',');
			if (comma)
				*comma = '\0';
			if (*tok) {
				int p = st_proc_index(tok, r->sc->nnodes, r->sc->nclients);
				if (p < 0)
					return sr_bad(r, argv[i].col + off, "'%s' is no process of %s",
						      tok, r->sc->name);
				if (group[p] >= 0)
					return sr_bad(r, argv[i].col + off, "%s is in two groups", tok);
				group[p] = (int8_t)g;
				empty = false;
			}
			off += (int)strlen(tok) + 1;
			tok = comma ? comma + 1 : NULL;
		}
	}
	if (empty || g == 0)
		return sr_bad(r, argc > 1 ? argv[argc - 1].col : argv[0].col,
			      "expected two groups or more: partition n1,n2 | n3,n4,n5");
	uint32_t first = trace_count(r->tr);
	sim_partition(r->sim, group, g + 1, BY_USER);
	put_events_since(r, first);
	return SR_OK;
}

static int cmd_heal(script_run *r, int argc, script_arg *argv)
{
	(void)argc;
	(void)argv;
	uint32_t first = trace_count(r->tr);
	sim_heal(r->sim, BY_USER);
	put_events_since(r, first);
	return SR_OK;
}

/* request CLIENT F [VALUE] [node=PROC] */
static int cmd_request(script_run *r, int argc, script_arg *argv)
{
	int c, rc = want_proc(r, &argv[1], &c);
	if (rc)
		return rc;
	if (c < r->sc->nnodes)
		return sr_bad(r, argv[1].col, "%s is a node: requests come from clients (c1..)",
			      argv[1].s);
	st_op op;
	memset(&op, 0, sizeof op);
	op.node = -1;
	if (strlen(argv[2].s) >= sizeof op.f || !argv[2].s[0] || strchr(argv[2].s, '='))
		return sr_bad(r, argv[2].col, "expected an operation name of at most %d characters",
			      (int)sizeof op.f - 1);
	snprintf(op.f, sizeof op.f, "%s", argv[2].s);
	for (int i = 3; i < argc; i++) {
		const char *v = kv_value(argv[i].s, "node");
		if (v) {
			op.node = st_proc_index(v, r->sc->nnodes, 0);
			if (op.node < 0)
				return sr_bad(r, argv[i].col + 5, "'%s' is no node of %s", v,
					      r->sc->name);
		} else if (i == 3 && parse_i64(argv[i].s, &op.value)) {
			op.has_value = true;
		} else {
			return sr_bad(r, argv[i].col, "expected a value or node=PROC, got '%s'",
				      argv[i].s);
		}
	}
	if (!sim_request_fits(r->sim, c))
		return sr_fail(r, "%s cannot take a request now (crashed, or its queue is full)",
			       argv[1].s);
	uint32_t first = trace_count(r->tr);
	sim_request(r->sim, c, &op, BY_USER);
	put_events_since(r, first);
	return SR_OK;
}

static int cmd_step(script_run *r, int argc, script_arg *argv)
{
	uint64_t n = 1;
	if (argc > 1 && (!parse_u64(argv[1].s, &n) || n == 0 || n > 1000000))
		return sr_bad(r, argv[1].col, "expected a number of steps (1..1000000)");
	uint32_t first = trace_count(r->tr);
	uint64_t done = 0;
	for (; done < n; done++)
		if (sim_step(r->sim) == SIM_IDLE)
			break;
	put_events_since(r, first);
	if (done < n)
		sb_printf(&r->out, "idle after %llu of %llu steps\n", (unsigned long long)done,
			  (unsigned long long)n);
	return SR_OK;
}

/* The next thing run does: a message (slot) or a timer (p, timer); false when none. */
static bool run_pick(script_run *r, bool timers, bool *is_msg, uint32_t *slot, int *p,
		     int *timer)
{
	sim_flight *fl = run_flights(r);
	int n = sim_inflight(r->sim, fl, SCRIPT_MAX_FLIGHT);
	bool have = false;
	int64_t best = 0;
	for (int i = 0; i < n; i++) {
		if (sim_proc_status_of(r->sim, fl[i].to) == PROC_PAUSED)
			continue;
		have = true;
		*is_msg = true;
		*slot = fl[i].slot;
		best = fl[i].deliver_us;
		break;
	}
	if (!timers)
		return have;
	for (int q = 0; q < r->sc->nprocs; q++) {
		if (sim_proc_status_of(r->sim, q) != PROC_UP)
			continue;
		for (int t = 0; t < r->sc->protocol->n_timers; t++) {
			int64_t set_us, fire_us;
			if (!sim_timer(r->sim, q, t, &set_us, &fire_us))
				continue;
			if (!have || fire_us < best) {
				have = true;
				*is_msg = false;
				*p = q;
				*timer = t;
				best = fire_us;
			}
		}
	}
	return have;
}

static bool label_in(const st_trace *tr, uint32_t first, const char *want)
{
	size_t n = strlen(want);
	for (uint32_t id = first; id < trace_count(tr); id++) {
		const st_event *e = trace_at(tr, id);
		if (e->label && strncmp(trace_str(tr, e->label), want, n) == 0)
			return true;
	}
	return false;
}

/* run [until=LABEL] [max=N] [timers=off] */
static int cmd_run(script_run *r, int argc, script_arg *argv)
{
	const char *until = NULL;
	uint64_t max = SCRIPT_RUN_MAX;
	bool timers = true;
	for (int i = 1; i < argc; i++) {
		const char *v;
		if ((v = kv_value(argv[i].s, "until"))) {
			if (!*v)
				return sr_bad(r, argv[i].col + 6, "until= needs a label");
			until = v;
		} else if ((v = kv_value(argv[i].s, "max"))) {
			if (!parse_u64(v, &max) || max == 0 || max > 1000000)
				return sr_bad(r, argv[i].col + 4, "max= needs a number 1..1000000");
		} else if ((v = kv_value(argv[i].s, "timers"))) {
			if (strcmp(v, "off") != 0 && strcmp(v, "on") != 0)
				return sr_bad(r, argv[i].col + 7, "timers= takes on or off");
			timers = strcmp(v, "on") == 0;
		} else {
			return sr_bad(r, argv[i].col, "expected until=LABEL, max=N or timers=off");
		}
	}
	uint32_t first = trace_count(r->tr);
	for (uint64_t k = 0; k < max; k++) {
		bool is_msg = false;
		uint32_t slot = 0;
		int p = 0, timer = 0;
		if (!run_pick(r, timers, &is_msg, &slot, &p, &timer)) {
			put_events_since(r, first);
			if (until)
				return sr_fail(r, "run: nothing left to deliver or fire after %llu "
					       "actions, and no event labelled \"%s\"",
					       (unsigned long long)k, until);
			return SR_OK;
		}
		uint32_t before = trace_count(r->tr);
		if (is_msg)
			sim_msg_deliver_now(r->sim, slot, BY_USER);
		else
			sim_fire_timer(r->sim, p, timer, BY_USER);
		if (until && label_in(r->tr, before, until)) {
			put_events_since(r, first);
			return SR_OK;
		}
	}
	put_events_since(r, first);
	if (until)
		return sr_fail(r, "run: no event labelled \"%s\" within max=%llu actions", until,
			       (unsigned long long)max);
	return sr_fail(r, "run: still busy after max=%llu actions", (unsigned long long)max);
}

static const char *const status_names[] = {"up", "crashed", "paused"};

/* The processes named from argv[1] on, or all of them: a bitmask. */
static int procs_of(script_run *r, int argc, script_arg *argv, uint32_t *mask)
{
	*mask = 0;
	if (argc == 1) {
		*mask = r->sc->nprocs >= 32 ? UINT32_MAX : (1u << r->sc->nprocs) - 1;
		return SR_OK;
	}
	for (int i = 1; i < argc; i++) {
		int p, rc = want_proc(r, &argv[i], &p);
		if (rc)
			return rc;
		*mask |= 1u << p;
	}
	return SR_OK;
}

static int cmd_state(script_run *r, int argc, script_arg *argv)
{
	uint32_t mask;
	int rc = procs_of(r, argc, argv, &mask);
	if (rc)
		return rc;
	for (int p = 0; p < r->sc->nprocs; p++) {
		if (!(mask & (1u << p)))
			continue;
		sb_printf(&r->out, "%s %s:", r->tr->proc_names[p],
			  status_names[sim_proc_status_of(r->sim, p)]);
		text_sink t;
		ts_init(&t, &r->out, r->tr);
		t.first = false;
		r->sc->protocol->describe(sim_proc_state(r->sim, p),
					  p < r->sc->nnodes ? ST_ROLE_NODE : ST_ROLE_CLIENT, &t.k);
		sb_puts(&r->out, "\n");
	}
	return SR_OK;
}

static int cmd_inflight(script_run *r, int argc, script_arg *argv)
{
	(void)argc;
	(void)argv;
	sim_flight *fl = run_flights(r);
	int n = sim_inflight(r->sim, fl, SCRIPT_MAX_FLIGHT);
	if (n == 0)
		sb_puts(&r->out, "nothing in flight\n");
	for (int i = 0; i < n; i++) {
		int copies = 0, copy = 0;
		for (int k = 0; k < n; k++)
			if (fl[k].msg == fl[i].msg) {
				if (k < i)
					copy++;
				copies++;
			}
		sb_printf(&r->out, "m%u", (unsigned)fl[i].msg);
		if (copies > 1)
			sb_printf(&r->out, ".%d", copy);
		sb_printf(&r->out, " %s->%s %s due ", r->tr->proc_names[fl[i].from],
			  r->tr->proc_names[fl[i].to], msg_type_name(r->tr, fl[i].type));
		put_time(&r->out, fl[i].deliver_us);
		if (fl[i].doomed)
			sb_puts(&r->out, " doomed");
		if (fl[i].msg >= r->tr->msg_base && fl[i].msg < r->tr->msg_base + r->tr->nmsg)
			put_msg_body(&r->out, r->tr, trace_msg(r->tr, fl[i].msg));
		sb_puts(&r->out, "\n");
	}
	return SR_OK;
}

static int cmd_timers(script_run *r, int argc, script_arg *argv)
{
	uint32_t mask;
	int rc = procs_of(r, argc, argv, &mask);
	if (rc)
		return rc;
	int shown = 0;
	for (int p = 0; p < r->sc->nprocs; p++) {
		if (!(mask & (1u << p)))
			continue;
		for (int t = 0; t < r->sc->protocol->n_timers; t++) {
			int64_t set_us, fire_us;
			if (!sim_timer(r->sim, p, t, &set_us, &fire_us))
				continue;
			sb_printf(&r->out, "%s \"%s\" due ", r->tr->proc_names[p],
				  r->sc->protocol->timer_names[t]);
			put_time(&r->out, fire_us);
			sb_puts(&r->out, "\n");
			shown++;
		}
	}
	if (!shown)
		sb_puts(&r->out, "no timers pending\n");
	return SR_OK;
}

static int cmd_check(script_run *r, int argc, script_arg *argv)
{
	(void)argc;
	(void)argv;
	uint32_t ev = 0;
	const st_violation *v = sim_violation(r->sim, &ev);
	if (v)
		sb_printf(&r->out, "violation: %s: %s (at e%u)\n", v->invariant, v->detail,
			  (unsigned)ev);
	else
		sb_puts(&r->out, "ok\n");
	r->violation_shown = v != NULL;
	return SR_OK;
}

static const struct {
	const char *name;
	script_fn fn;
	int min_args, max_args;     /* words after the command */
	bool needs_world;
	const char *usage;
} script_cmds[] = {
	{"load", cmd_load, 1, SCRIPT_MAX_ARGS, false, "load NAME|PATH [seed=N] [KEY=VALUE...]"},
	{"deliver", cmd_deliver, 1, 2, true, "deliver m<id> | deliver FROM->TO [TYPE]"},
	{"drop", cmd_drop, 1, 2, true, "drop m<id> | drop FROM->TO [TYPE]"},
	{"duplicate", cmd_duplicate, 1, 2, true, "duplicate m<id> | duplicate FROM->TO [TYPE]"},
	{"fire", cmd_fire, 2, 2, true, "fire PROC TIMER"},
	{"crash", cmd_crash, 1, 1, true, "crash PROC"},
	{"restart", cmd_restart, 1, 1, true, "restart PROC"},
	{"pause", cmd_pause, 1, 1, true, "pause PROC"},
	{"resume", cmd_resume, 1, 1, true, "resume PROC"},
	{"partition", cmd_partition, 3, SCRIPT_MAX_ARGS, true, "partition n1,n2 | n3,n4"},
	{"heal", cmd_heal, 0, 0, true, "heal"},
	{"request", cmd_request, 2, 4, true, "request CLIENT F [VALUE] [node=PROC]"},
	{"step", cmd_step, 0, 1, true, "step [N]"},
	{"run", cmd_run, 0, 3, true, "run [until=LABEL] [max=N] [timers=off]"},
	{"state", cmd_state, 0, SCRIPT_MAX_ARGS, true, "state [PROC...]"},
	{"inflight", cmd_inflight, 0, 0, true, "inflight"},
	{"timers", cmd_timers, 0, SCRIPT_MAX_ARGS, true, "timers [PROC...]"},
	{"check", cmd_check, 0, 0, true, "check"},
};
#define SCRIPT_NCMDS ((int)(sizeof script_cmds / sizeof script_cmds[0]))

static int run_command(script_run *r, const char *line)
{
	char buf[SCRIPT_MAX_LINE + 1];
	snprintf(buf, sizeof buf, "%s", line);
	script_arg argv[SCRIPT_MAX_ARGS + 1];
	int argc = split_words(r, buf, argv, SCRIPT_MAX_ARGS + 1);
	if (argc < 0)
		return -argc;
	if (argc == 0)
		return sr_bad(r, 1, "expected a command");
	for (int i = 0; i < SCRIPT_NCMDS; i++) {
		if (strcmp(script_cmds[i].name, argv[0].s) != 0)
			continue;
		int nargs = argc - 1;
		if (nargs < script_cmds[i].min_args)
			return sr_bad(r, (int)strlen(line) + 1, "too few arguments: %s",
				      script_cmds[i].usage);
		if (nargs > script_cmds[i].max_args)
			return sr_bad(r, argv[script_cmds[i].max_args + 1].col,
				      "too many arguments: %s", script_cmds[i].usage);
		if (script_cmds[i].needs_world && !r->sim)
			return sr_bad(r, argv[0].col, "no world yet: load a scenario first");
		int rc = script_cmds[i].fn(r, argc, argv);
		/* load prints what starting the processes did, from the new trace's start */
		if (rc == SR_OK && script_cmds[i].fn == cmd_load)
			put_events_since(r, 0);
		return rc;
	}
	sbuf names = {0};
	for (int i = 0; i < SCRIPT_NCMDS; i++)
		sb_printf(&names, "%s%s", i ? ", " : "", script_cmds[i].name);
	sr_bad(r, argv[0].col, "unknown command '%s': expected one of %s", argv[0].s, names.s);
	sb_free(&names);
	return SR_BAD;
}

/* ---------------------------------------------------------------------------------------- */
/* Comparing, diffing, rewriting                                                              */

/* Split the output buffer into lines (in place). */
static int out_lines(sbuf *b, char ***lines)
{
	int n = 0;
	size_t cap = 0;
	*lines = NULL;
	if (!b->s)
		return 0;
	char *p = b->s;
	while (*p) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		st_grow(lines, &cap, (size_t)n + 1, sizeof **lines);
		(*lines)[n++] = p;
		if (!nl)
			break;
		p = nl + 1;
	}
	return n;
}

/* A unified-style diff of two line lists (longest common subsequence). */
static void print_diff(FILE *f, char **a, int na, char **b, int nb)
{
	size_t w = (size_t)nb + 1;
	uint32_t *L = st_zalloc(((size_t)na + 1) * w, sizeof *L);
	for (int i = na - 1; i >= 0; i--)
		for (int j = nb - 1; j >= 0; j--)
			L[(size_t)i * w + (size_t)j] = strcmp(a[i], b[j]) == 0 ?
				L[(size_t)(i + 1) * w + (size_t)(j + 1)] + 1 :
				(L[(size_t)(i + 1) * w + (size_t)j] > L[(size_t)i * w + (size_t)(j + 1)] ?
				 L[(size_t)(i + 1) * w + (size_t)j] : L[(size_t)i * w + (size_t)(j + 1)]);
	int i = 0, j = 0;
	while (i < na || j < nb) {
		if (i < na && j < nb && strcmp(a[i], b[j]) == 0) {
			fprintf(f, " %s\n", a[i]);
			i++;
			j++;
		} else if (i < na && (j == nb || L[(size_t)(i + 1) * w + (size_t)j] >=
					      L[(size_t)i * w + (size_t)(j + 1)])) {
			fprintf(f, "-%s\n", a[i++]);   /* deletions first, as diff -u writes them */
		} else {
			fprintf(f, "+%s\n", b[j++]);
		}
	}
	free(L);
}

/* Write the file with new outputs: temp file in the same directory, then rename. */
static bool rewrite_file(const script_file *sf, char ***outs, const int *nouts, FILE *err)
{
	sbuf b = {0};
	for (int i = 0; i < sf->nb; i++) {
		const script_block *bl = &sf->b[i];
		sb_puts(&b, bl->before);
		sb_printf(&b, "%s\n----\n", bl->cmd);
		for (int k = 0; k < nouts[i]; k++)
			sb_printf(&b, "%s\n", outs[i][k]);
	}
	sb_puts(&b, sf->tail);
	struct stat st;
	mode_t mode = 0644;
	if (stat(sf->path, &st) == 0)
		mode = st.st_mode & 07777;
	size_t pl = strlen(sf->path);
	char *tmp = st_alloc(pl + 16);
	snprintf(tmp, pl + 16, "%s.tmpXXXXXX", sf->path);
	int fd = mkstemp(tmp);
	bool ok = fd >= 0;
	if (ok) {
		size_t off = 0;
		while (ok && off < b.len) {
			ssize_t w = write(fd, b.s + off, b.len - off);
			if (w < 0 && errno == EINTR)
				continue;
			ok = w > 0;
			off += w > 0 ? (size_t)w : 0;
		}
		ok = fchmod(fd, mode) == 0 && ok;
		ok = fsync(fd) == 0 && ok;
		ok = close(fd) == 0 && ok;
		ok = ok && rename(tmp, sf->path) == 0;
		if (!ok)
			unlink(tmp);
	}
	if (!ok)
		fprintf(err, "spacetime: %s: cannot rewrite: %s\n", sf->path, strerror(errno));
	free(tmp);
	sb_free(&b);
	return ok;
}

/* Run one file: SR_OK (matched or rewritten), SR_FAIL, SR_BAD. */
static int script_file_run(const char *path, bool rewrite, const char *argv0, FILE *out,
			   FILE *err)
{
	char msg[2048];
	size_t len;
	char *text = read_all(path, &len, msg, sizeof msg);
	if (!text) {
		fprintf(err, "spacetime: %s\n", msg);
		return SR_BAD;
	}
	script_file sf;
	if (!file_parse(&sf, path, text, len, msg, sizeof msg)) {
		free(text);
		file_free(&sf);
		fprintf(err, "spacetime: %s\n", msg);
		return SR_BAD;
	}
	free(text);
	script_run r;
	memset(&r, 0, sizeof r);
	r.path = path;
	r.argv0 = argv0;
	char ***outs = st_zalloc((size_t)sf.nb + 1, sizeof *outs);
	int *nouts = st_zalloc((size_t)sf.nb + 1, sizeof *nouts);
	sbuf *bufs = st_zalloc((size_t)sf.nb + 1, sizeof *bufs);
	int rc = SR_OK;
	bool differs = false;
	for (int i = 0; i < sf.nb; i++) {
		script_block *bl = &sf.b[i];
		r.line = bl->line;
		memset(&r.out, 0, sizeof r.out);
		int c = run_command(&r, bl->cmd);
		bufs[i] = r.out;
		nouts[i] = out_lines(&bufs[i], &outs[i]);
		if (c == SR_BAD) {
			fprintf(err, "spacetime: %s:%d:%d: %s\n", path, bl->line, r.err_col, r.err);
			rc = SR_BAD;
			break;
		}
		if (c == SR_FAIL) {     /* its output so far is printed with the failure */
			fprintf(err, "spacetime: %s:%d: %s: %s\n", path, bl->line, bl->cmd, r.err);
			if (nouts[i] > 0)
				fprintf(err, "  what it printed before failing:\n");
			for (int k = 0; k < nouts[i]; k++)
				fprintf(err, "    %s\n", outs[i][k]);
			rc = SR_FAIL;
			break;
		}
		bool same = nouts[i] == bl->nwant;
		for (int k = 0; same && k < nouts[i]; k++)
			same = strcmp(outs[i][k], bl->want[k]) == 0;
		if (!same && !rewrite) {
			differs = true;
			fprintf(out, "--- %s:%d: %s (expected)\n+++ %s:%d: %s (actual)\n"
				"@@ -1,%d +1,%d @@\n", path, bl->line, bl->cmd, path, bl->line,
				bl->cmd, bl->nwant, nouts[i]);
			print_diff(out, bl->want, bl->nwant, outs[i], nouts[i]);
		} else if (!same) {
			differs = true;
		}
	}
	if (rc == SR_OK && differs) {
		if (rewrite) {
			if (rewrite_file(&sf, outs, nouts, err))
				fprintf(out, "rewrote %s\n", path);
			else
				rc = SR_FAIL;
		} else {
			rc = SR_FAIL;
		}
	}
	for (int i = 0; i < sf.nb; i++) {
		free(outs[i]);
		sb_free(&bufs[i]);
	}
	free(outs);
	free(nouts);
	free(bufs);
	world_free(&r);
	free(r.flights);
	file_free(&sf);
	return rc;
}

int script_run_files(const char *const *paths, int n, bool rewrite, const char *argv0,
		     FILE *out, FILE *err)
{
	int passed = 0, failed = 0, worst = 0;
	for (int i = 0; i < n; i++) {
		int rc = script_file_run(paths[i], rewrite, argv0, out, err);
		if (rc == SR_OK)
			passed++;
		else
			failed++;
		if (rc == SR_BAD || (rc == SR_FAIL && worst == 0))
			worst = rc;
	}
	fprintf(out, "scripts: %d passed, %d failed\n", passed, failed);
	if (fflush(out) != 0 || ferror(out))
		return EXIT_RUNTIME;
	return worst == SR_BAD ? EXIT_BAD_INPUT : worst == SR_FAIL ? EXIT_RUNTIME : EXIT_DONE;
}

int script_main(const cli_opts *o)
{
	const char *rw = getenv("ST_SCRIPT_REWRITE");
	bool rewrite = rw && *rw && strcmp(rw, "0") != 0;
	return script_run_files(o->files, o->nfiles, rewrite, o->argv0, stdout, stderr);
}
