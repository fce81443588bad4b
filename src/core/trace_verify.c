/* trace_verify.c: `spacetime --verify`, an independent reader of JSON traces.
 *
 * Why it exists: see trace_verify.h. It is written from ../shared/trace-format.md, not from
 * trace.c or trace_json.c, on purpose: sharing their tables would make the verifier agree
 * with the writer's mistakes.
 *
 * How it reads: our exporter writes the header, then `"events":[`, then one event object per
 * line. Such a file is streamed: each line is parsed alone with cJSON, checked and freed, so
 * memory stays flat apart from what pairing needs (a record per message, per invoke, per Raft
 * term and log index). Anything else (another tool's pretty-printed trace) falls back to one
 * cJSON document of at most 512 MiB. Both paths feed the same per-event checks, which
 * recompute the clocks the way ../shared/tools/check-trace does (merge the send's recorded
 * clocks, and after a mismatch carry on from the recorded values, so one bad event gives one
 * message and not a cascade).
 *
 * Positions: every event keeps the text it came from, so a message can point at the column of
 * the offending key, found again only when there is something to report. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "intmap.h"
#include "json_text.h"
#include "trace_verify.h"
#include "utf8.h"
#include "../protocols/protocol.h"

#define TV_MAX_SHOWN 20                     /* problems printed before "... and N more" */
#define TV_MAX_LINE ((size_t)16 << 20)      /* an event line; states are O(1) by contract */
#define TV_MAX_HEADER ((size_t)16 << 20)    /* text before and after the events array */
#define TV_MAX_DOC ((size_t)512 << 20)      /* the whole-document fallback */
#define TV_MAX_PROCS 1024                   /* clocks cost n*n while reading, n per message */
#define TV_CLOCK_MAX ((int64_t)1 << 53)     /* recorded clocks beyond this are not adopted */

#define TV_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* ---- small containers ---- */

/* Interned strings (message types, Raft commands): id 0 is "none", ids start at 1. */
typedef struct {
	char **s;
	uint32_t n, cap;
	intmap ids;         /* string hash -> id; collisions resolved by probing hash + i */
} tv_strtab;

static int64_t tv_strhash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (int64_t)(h >> 1);
}

static uint32_t tv_intern(tv_strtab *t, const char *s)
{
	int64_t h = tv_strhash(s);
	for (;; h++) {
		uint32_t *id = intmap_get(&t->ids, h);
		if (!id)
			break;
		if (strcmp(t->s[*id - 1], s) == 0)
			return *id;
	}
	if (t->n == t->cap) {
		uint32_t cap = t->cap ? t->cap * 2 : 16;
		char **n = realloc(t->s, cap * sizeof *n);
		if (!n)
			return 0;
		t->s = n;
		t->cap = cap;
	}
	size_t len = strlen(s) + 1;
	char *copy = malloc(len);
	if (!copy)
		return 0;
	memcpy(copy, s, len);
	if (!intmap_put(&t->ids, h, t->n + 1)) {
		free(copy);
		return 0;
	}
	t->s[t->n++] = copy;
	return t->n;
}

static const char *tv_str(const tv_strtab *t, uint32_t id) { return id ? t->s[id - 1] : "?"; }

static void tv_strtab_free(tv_strtab *t)
{
	for (uint32_t i = 0; i < t->n; i++)
		free(t->s[i]);
	free(t->s);
	intmap_free(&t->ids);
}

/* Grow *p to hold need elements. */
static bool tv_grow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return true;
	size_t c = *cap ? *cap : 64;
	while (c < need)
		c *= 2;
	void *n = realloc(*p, c * elem);
	if (!n)
		return false;
	*p = n;
	*cap = c;
	return true;
}

typedef struct {
	char *p;
	size_t len, cap;
} tv_text;

static bool tv_text_add(tv_text *t, const char *s, size_t n)
{
	if (!tv_grow((void **)&t->p, &t->cap, t->len + n + 1, 1))
		return false;
	memcpy(t->p + t->len, s, n);
	t->len += n;
	t->p[t->len] = '\0';
	return true;
}

/* ---- JSON text: positions and a light scanner over text cJSON already accepted ---- */



/* Move line:col over n bytes; columns count characters, not UTF-8 bytes. */
static void tv_advance(const char *s, size_t n, long *line, long *col)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n') {
			++*line;
			*col = 1;
		} else if (((unsigned char)s[i] & 0xC0) != 0x80) {
			++*col;
		}
	}
}


/* ---- values ---- */

static cJSON *tv_get(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

static bool tv_in(const cJSON *it, const char *const *names)
{
	if (!cJSON_IsString(it))
		return false;
	for (; *names; names++)
		if (strcmp(it->valuestring, *names) == 0)
			return true;
	return false;
}

static void tv_fmt_clock(char *buf, size_t n, const int64_t *vc, int count)
{
	size_t k = 0;
	buf[k++] = '[';
	for (int i = 0; i < count && k + 24 < n; i++) {
		if (i == 32) {
			k += (size_t)snprintf(buf + k, n - k, ",...");
			break;
		}
		k += (size_t)snprintf(buf + k, n - k, "%s%lld", i ? "," : "", (long long)vc[i]);
	}
	snprintf(buf + k, n - k, "]");
}

/* ---- the verifier ---- */

typedef struct {
	int64_t ev, lamport;
	int32_t proc, to;       /* to: -1 when the send named no valid process */
	uint32_t type;          /* interned, 0 when the send had none */
} tv_msg;

typedef struct {
	int64_t ev;
	int32_t proc;
	bool reported;
} tv_leader;

typedef struct {
	int64_t ev, term;
	int32_t proc;
	uint32_t cmd;
	bool term_ok;
} tv_apply;

typedef struct {
	FILE *f;
	char *line;
	size_t len, cap, last_len;
	long lineno;
	bool too_long, error, eof;
	char *buf;              /* read-ahead, TV_CHUNK bytes */
	size_t pos, end;
} tv_reader;
#define TV_CHUNK 65536

/* Kinds, in the order of the contract's tables (and of st_kind). */
enum {
	TK_START, TK_SEND, TK_RECV, TK_TIMER, TK_LOCAL, TK_CRASH, TK_RESTART, TK_INVOKE,
	TK_COMPLETE, TK_DROP, TK_PARTITION, TK_HEAL, TK_INPUT, TV_NKINDS
};

typedef struct {
	const char *path;
	FILE *out, *err;
	bool fatal;             /* unreadable or not JSON: stop, status 2 */
	uint64_t nproblems, nshown;
	uint64_t ninvariant;     /* of the problems, how many are protocol invariants */
	bool streamed;

	/* from the header */
	int n;
	char **names;
	uint8_t *is_client;
	const st_protocol *proto;
	void *tc;               /* the protocol's trace checker, when it has one */
	bool raft;              /* Raft's format rules and counts apply */
	bool raft_inv;          /* ... and its apply rules and invariants are ours to check (no
				 * protocol checker) */

	/* per process */
	int64_t *lam, *vc, *scratch, *life_ev, *next_apply;
	uint8_t *life, *seen;

	/* along the events */
	uint64_t nevents, kind_count[TV_NKINDS], received;
	int64_t next_id;
	bool have_t;
	int64_t last_t, last_t_ev;

	intmap msgs;            /* msg id -> index into msg */
	tv_msg *msg;
	int64_t *msg_vc;        /* nmsg * n */
	size_t nmsg, msg_cap, msg_vc_cap;
	tv_strtab types;
	intmap invokes;         /* invoke event id -> proc << 1 | completed */

	intmap leaders;         /* Raft term -> index into lead */
	tv_leader *lead;
	size_t nlead, lead_cap;
	intmap applies;         /* Raft log index -> index into ap */
	tv_apply *ap;
	size_t nap, ap_cap;
	tv_strtab cmds;

	tv_reader rd;
} tv;

/* One event being checked, with the text it came from. */
typedef struct {
	cJSON *obj;
	const char *text;
	size_t len;
	long line, col;         /* where text starts */
	int64_t id;             /* its own id when that is an integer, else -1 */
	uint64_t pos;
	int kind;               /* index into tv_kinds, -1 when unknown */
	int proc;               /* -1 for world events and bad procs */
	bool t_ok;
	int64_t t;
	bool adopt;             /* a recv without its send: take its clocks as they are */
} tv_ev;

/* ---- reporting ---- */

static void tv_vreport(tv *v, long line, long col, const char *what, const char *fmt,
		       va_list ap)
{
	v->nproblems++;
	if (v->nshown >= TV_MAX_SHOWN || !v->err)
		return;
	v->nshown++;
	if (line > 0)
		fprintf(v->err, "%s:%ld:%ld: ", v->path, line, col);
	else
		fprintf(v->err, "%s: ", v->path);
	if (what)
		fprintf(v->err, "%s: ", what);
	vfprintf(v->err, fmt, ap);
	fputc('\n', v->err);
}

static void TV_PRINTF(5, 6) tv_report(tv *v, long line, long col, const char *what,
				      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tv_vreport(v, line, col, what, fmt, ap);
	va_end(ap);
}

/* The file cannot be taken as JSON (or not at all): always shown, and reading stops. */
static void TV_PRINTF(4, 5) tv_fatal(tv *v, long line, long col, const char *fmt, ...)
{
	v->fatal = true;
	v->nproblems++;
	if (!v->err)
		return;
	if (line > 0)
		fprintf(v->err, "%s:%ld:%ld: ", v->path, line, col);
	else
		fprintf(v->err, "%s: ", v->path);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(v->err, fmt, ap);
	va_end(ap);
	fputc('\n', v->err);
}

static void tv_oom(tv *v)
{
	if (!v->fatal)
		tv_fatal(v, 0, 0, "out of memory");
}

/* A problem with event e, at the column of its member KEY (or of the object when KEY is NULL
 * or absent). */
static void TV_PRINTF(4, 5) tv_evp(tv *v, const tv_ev *e, const char *key, const char *fmt, ...)
{
	long line = e->line, col = e->col;
	size_t koff;
	if (key && json_member(e->text, e->len, json_ws(e->text, e->len, 0), key, &koff, NULL))
		tv_advance(e->text, koff, &line, &col);
	char what[48];
	if (e->id >= 0)
		snprintf(what, sizeof what, "event %lld", (long long)e->id);
	else
		snprintf(what, sizeof what, "event at position %llu", (unsigned long long)e->pos);
	va_list ap;
	va_start(ap, fmt);
	tv_vreport(v, line, col, what, fmt, ap);
	va_end(ap);
}

/* Why a value that should close did not parse: cut short, or a wrong character. */
static void tv_syntax(tv *v, const char *s, size_t len, size_t start, const char *errp,
		      long line, long col, const char *what)
{
	bool closed;
	json_value_end(s, len, start, &closed);
	if (!closed) {
		tv_advance(s, len, &line, &col);
		tv_fatal(v, line, col, "invalid JSON: %s ends in the middle of a value "
			 "(cut short?)", what);
		return;
	}
	size_t off = errp && errp >= s && errp <= s + len ? (size_t)(errp - s) : start;
	if (off >= len)
		off = len ? len - 1 : 0;
	tv_advance(s, off, &line, &col);
	unsigned char c = len ? (unsigned char)s[off] : 0;
	if (c > 0x20 && c < 0x7f)
		tv_fatal(v, line, col, "invalid JSON: unexpected '%c' in %s", c, what);
	else
		tv_fatal(v, line, col, "invalid JSON: unexpected byte 0x%02x in %s", c, what);
}

static void tv_bad_text(tv *v, const char *s, long off, long line, long col)
{
	tv_advance(s, (size_t)off, &line, &col);
	unsigned char c = (unsigned char)s[off];
	if (c < 0x20)
		tv_fatal(v, line, col, "invalid JSON: control character 0x%02x (JSON wants it "
			 "escaped)", c);
	else
		tv_fatal(v, line, col, "invalid JSON: byte 0x%02x is not valid UTF-8", c);
}

static const char *tv_pname(const tv *v, int64_t p, char *buf, size_t n)
{
	if (p >= 0 && p < v->n && v->names[p])
		snprintf(buf, n, "process %lld (%.20s)", (long long)p, v->names[p]);
	else
		snprintf(buf, n, "process %lld", (long long)p);
	return buf;
}

/* ---- field rules: one table of fields, one table of kinds that need them ---- */

static const char *const tv_reasons[] = {"loss", "partition", "crashed", "user", NULL};
static const char *const tv_optypes[] = {"ok", "fail", "info", NULL};
static const char *const tv_bys[] = {"schedule", "user", NULL};
static const char *const tv_roles[] = {"node", "client", NULL};
static const char *const tv_raft_roles[] = {"follower", "candidate", "leader", NULL};

static bool tv_ok_int(tv *v, const cJSON *it)
{
	(void)v;
	int64_t x;
	return json_int64(it, &x);
}
static bool tv_ok_uint(tv *v, const cJSON *it)
{
	(void)v;
	int64_t x;
	return json_int64(it, &x) && x >= 0;
}
static bool tv_ok_proc(tv *v, const cJSON *it)
{
	int64_t x;
	return json_int64(it, &x) && x >= 0 && x < v->n;
}
static bool tv_ok_proc_or_null(tv *v, const cJSON *it)
{
	return cJSON_IsNull(it) || tv_ok_proc(v, it);
}
static bool tv_ok_str(tv *v, const cJSON *it) { (void)v; return cJSON_IsString(it); }
static bool tv_ok_name(tv *v, const cJSON *it)
{
	(void)v;
	return cJSON_IsString(it) && it->valuestring[0];
}
static bool tv_ok_object(tv *v, const cJSON *it) { (void)v; return cJSON_IsObject(it); }
static bool tv_ok_array(tv *v, const cJSON *it) { (void)v; return cJSON_IsArray(it); }
static bool tv_ok_op(tv *v, const cJSON *it)
{
	return cJSON_IsObject(it) && tv_ok_name(v, tv_get(it, "f"));
}
static bool tv_ok_reason(tv *v, const cJSON *it) { (void)v; return tv_in(it, tv_reasons); }
static bool tv_ok_by(tv *v, const cJSON *it) { (void)v; return tv_in(it, tv_bys); }
static bool tv_ok_raft_role(tv *v, const cJSON *it) { (void)v; return tv_in(it, tv_raft_roles); }
static bool tv_ok_format(tv *v, const cJSON *it)
{
	(void)v;
	return cJSON_IsString(it) && strcmp(it->valuestring, "spacetime-trace") == 0;
}
static bool tv_ok_version(tv *v, const cJSON *it)
{
	(void)v;
	int64_t x;
	return json_int64(it, &x) && x == 1;
}
/* A seed is a uint64 that writers may print signed: any integral number will do. */
static bool tv_ok_seed(tv *v, const cJSON *it)
{
	(void)v;
	int64_t x;
	return json_int64(it, &x) || (cJSON_IsNumber(it) && (it->valuedouble >= 9223372036854775808.0 ||
							 it->valuedouble < -9223372036854775808.0));
}
/* Disjoint process indexes, at least one. */
static bool tv_ok_groups(tv *v, const cJSON *it)
{
	if (!cJSON_IsArray(it))
		return false;
	memset(v->seen, 0, (size_t)v->n);
	size_t count = 0;
	const cJSON *g, *x;
	cJSON_ArrayForEach(g, it) {
		if (!cJSON_IsArray(g))
			return false;
		cJSON_ArrayForEach(x, g) {
			int64_t p;
			if (!json_int64(x, &p) || p < 0 || p >= v->n || v->seen[p])
				return false;
			v->seen[p] = 1;
			count++;
		}
	}
	return count > 0;
}

typedef bool (*tv_ok_fn)(tv *v, const cJSON *it);
typedef struct {
	const char *key;
	tv_ok_fn ok;
	const char *want;
} tv_field;

enum {
	TF_MSG, TF_TO, TF_FROM, TF_TYPE, TF_BODY, TF_LABEL, TF_NOTE, TF_STATE, TF_BY, TF_OP,
	TF_INVOKE, TF_REASON, TF_GROUPS, TF__COUNT
};
#define TF(x) (1u << TF_##x)

static const tv_field tv_fields[TF__COUNT] = {
	[TF_MSG] = {"msg", tv_ok_int, "an integer message id"},
	[TF_TO] = {"to", tv_ok_proc, "a process index"},
	[TF_FROM] = {"from", tv_ok_proc, "a process index"},
	[TF_TYPE] = {"type", tv_ok_name, "a message type (a non-empty string)"},
	[TF_BODY] = {"body", tv_ok_object, "an object"},
	[TF_LABEL] = {"label", tv_ok_str, "a string"},
	[TF_NOTE] = {"note", tv_ok_str, "a string"},
	[TF_STATE] = {"state", tv_ok_object, "an object"},
	[TF_BY] = {"by", tv_ok_by, "\"schedule\" or \"user\""},
	[TF_OP] = {"op", tv_ok_op, "an object with a string \"f\""},
	[TF_INVOKE] = {"invoke", tv_ok_int, "the id of an invoke event"},
	[TF_REASON] = {"reason", tv_ok_reason, "\"loss\", \"partition\", \"crashed\" or \"user\""},
	[TF_GROUPS] = {"groups", tv_ok_groups, "an array of disjoint arrays of process indexes"},
};
/* Any event may carry these; they are checked when present. */
#define TV_OPTIONAL (TF(LABEL) | TF(NOTE) | TF(STATE) | TF(BY) | TF(BODY))

/* A process's life: not started, up, crashed. Each kind moves it by one rule row. After a
 * complaint the process is taken to be where the event says it is, so a missing start or
 * restart is one message, not one per later event. */
enum { LIFE_UNSTARTED, LIFE_UP, LIFE_CRASHED };
typedef enum { TL_NONE, TL_RUN, TL_START, TL_CRASH, TL_RESTART, TL__COUNT } tv_life_rule;
static const struct {
	uint8_t next;
	const char *why;    /* NULL: allowed */
} tv_life[TL__COUNT][3] = {
	[TL_RUN] = {{LIFE_UP, "acts before its start event"}, {LIFE_UP, NULL},
		    {LIFE_UP, "acts while crashed"}},
	[TL_START] = {{LIFE_UP, NULL}, {LIFE_UP, "starts twice"}, {LIFE_UP, "starts twice"}},
	[TL_CRASH] = {{LIFE_CRASHED, "crashes before its start event"}, {LIFE_CRASHED, NULL},
		      {LIFE_CRASHED, "crashes while already crashed"}},
	[TL_RESTART] = {{LIFE_UP, "restarts before its start event"},
			{LIFE_UP, "restarts without having crashed"}, {LIFE_UP, NULL}},
};

typedef void (*tv_hook)(tv *v, tv_ev *e);
static void tv_before_recv(tv *v, tv_ev *e);
static void tv_after_send(tv *v, tv_ev *e);
static void tv_after_local(tv *v, tv_ev *e);
static void tv_after_restart(tv *v, tv_ev *e);
static void tv_after_invoke(tv *v, tv_ev *e);
static void tv_after_complete(tv *v, tv_ev *e);
static void tv_after_drop(tv *v, tv_ev *e);

typedef struct {
	const char *name;
	bool proc_event;        /* has proc, lamport, vc */
	tv_life_rule life;
	unsigned need;          /* TF_* bits it must carry */
	bool client_only;
	tv_hook before_clock;   /* recv merges its send's clocks here */
	tv_hook after;
} tv_kind;

/* The contract's two tables (trace-format.md, "Events"), in the order of st_kind. */
static const tv_kind tv_kinds[TV_NKINDS] = {
	[TK_START] = {"start", true, TL_START, TF(STATE), false, NULL, NULL},
	[TK_SEND] = {"send", true, TL_RUN, TF(MSG) | TF(TO) | TF(TYPE) | TF(BODY), false, NULL,
		     tv_after_send},
	[TK_RECV] = {"recv", true, TL_RUN, TF(MSG) | TF(FROM) | TF(TYPE) | TF(BODY), false,
		     tv_before_recv, NULL},
	[TK_TIMER] = {"timer", true, TL_RUN, TF(LABEL), false, NULL, NULL},
	[TK_LOCAL] = {"local", true, TL_RUN, TF(LABEL), false, NULL, tv_after_local},
	[TK_CRASH] = {"crash", true, TL_CRASH, 0, false, NULL, NULL},
	[TK_RESTART] = {"restart", true, TL_RESTART, TF(STATE), false, NULL, tv_after_restart},
	[TK_INVOKE] = {"invoke", true, TL_RUN, TF(OP), true, NULL, tv_after_invoke},
	[TK_COMPLETE] = {"complete", true, TL_RUN, TF(OP) | TF(INVOKE), true, NULL,
			 tv_after_complete},
	[TK_DROP] = {"drop", false, TL_NONE, TF(MSG) | TF(REASON), false, NULL, tv_after_drop},
	[TK_PARTITION] = {"partition", false, TL_NONE, TF(GROUPS), false, NULL, NULL},
	[TK_HEAL] = {"heal", false, TL_NONE, 0, false, NULL, NULL},
	[TK_INPUT] = {"input", false, TL_NONE, TF(LABEL), false, NULL, NULL},
};
static const char *const tv_world_forbidden[] = {"proc", "lamport", "vc"};

/* The top-level fields (trace-format.md, "Document"). */
static const tv_field tv_top[] = {
	{"format", tv_ok_format, "\"spacetime-trace\""},
	{"version", tv_ok_version, "1"},
	{"scenario", tv_ok_str, "a string"},
	{"protocol", tv_ok_str, "a string"},
	{"seed", tv_ok_seed, "an integer"},
	{"time_unit", tv_ok_name, "a non-empty string"},
	{"processes", tv_ok_array, "an array"},
	{"events", tv_ok_array, "an array"},
};
#define TV_NTOP (sizeof tv_top / sizeof tv_top[0])

/* What a Raft node reports in every state (trace-format.md, "Raft"). */
static const tv_field tv_raft_state[] = {
	{"role", tv_ok_raft_role, "\"follower\", \"candidate\" or \"leader\""},
	{"term", tv_ok_uint, "a non-negative integer"},
	{"voted_for", tv_ok_proc_or_null, "a process index or null"},
	{"commit", tv_ok_uint, "a non-negative integer"},
	{"log_len", tv_ok_uint, "a non-negative integer"},
};

/* ---- the header ---- */

static void tv_at_key(const char *text, size_t len, const char *key, long *line, long *col)
{
	size_t koff;
	*line = 1;
	*col = 1;
	if (text && json_member(text, len, json_ws(text, len, 0), key, &koff, NULL))
		tv_advance(text, koff, line, col);
}

static bool tv_alloc_procs(tv *v)
{
	size_t n = v->n ? (size_t)v->n : 1;
	v->names = calloc(n, sizeof *v->names);
	v->is_client = calloc(n, 1);
	v->lam = calloc(n, sizeof *v->lam);
	v->vc = calloc(n * n, sizeof *v->vc);
	v->scratch = calloc(n, sizeof *v->scratch);
	v->life_ev = calloc(n, sizeof *v->life_ev);
	v->next_apply = calloc(n, sizeof *v->next_apply);
	v->life = calloc(n, 1);
	v->seen = calloc(n, 1);
	if (!v->names || !v->is_client || !v->lam || !v->vc || !v->scratch || !v->life_ev ||
	    !v->next_apply || !v->life || !v->seen)
		return false;
	for (size_t p = 0; p < n; p++)
		v->next_apply[p] = 1;
	return true;
}

/* Check the document's top level (everything but the events) and set up for the events.
 * text/len is the JSON text the header came from, for positions. False when reading must
 * stop. */
static bool tv_header(tv *v, const cJSON *doc, const char *text, size_t len, bool streamed)
{
	char sa[64];
	long line, col;
	for (size_t i = 0; i < TV_NTOP; i++) {
		const tv_field *f = &tv_top[i];
		if (streamed && strcmp(f->key, "events") == 0)
			continue;   /* an array by construction */
		const cJSON *it = tv_get(doc, f->key);
		if (it && f->ok(v, it))
			continue;
		tv_at_key(text, len, f->key, &line, &col);
		if (!it)
			tv_report(v, line, col, NULL, "missing top-level field \"%s\"", f->key);
		else
			tv_report(v, line, col, NULL, "\"%s\" is %s, expected %s", f->key,
				  json_show(it, sa, sizeof sa), f->want);
	}

	const cJSON *procs = tv_get(doc, "processes");
	int n = cJSON_IsArray(procs) ? cJSON_GetArraySize(procs) : 0;
	if (n > TV_MAX_PROCS) {
		tv_at_key(text, len, "processes", &line, &col);
		tv_fatal(v, line, col, "%d processes: --verify handles at most %d", n,
			 TV_MAX_PROCS);
		return false;
	}
	v->n = n;
	if (!tv_alloc_procs(v)) {
		tv_oom(v);
		return false;
	}
	if (cJSON_IsArray(procs) && n == 0) {
		tv_at_key(text, len, "processes", &line, &col);
		tv_report(v, line, col, NULL, "no processes");
	}
	for (int p = 0; p < n; p++) {
		const cJSON *pr = cJSON_GetArrayItem(procs, p);
		const cJSON *name = tv_get(pr, "name");
		const cJSON *role = tv_get(pr, "role");
		bool ok = cJSON_IsObject(pr) && tv_ok_name(v, name) && tv_in(role, tv_roles);
		int dup = -1;
		if (ok) {
			for (int q = 0; q < p && dup < 0; q++)
				if (v->names[q] && strcmp(v->names[q], name->valuestring) == 0)
					dup = q;
			size_t nlen = strlen(name->valuestring) + 1;
			v->names[p] = malloc(nlen);
			if (!v->names[p]) {
				tv_oom(v);
				return false;
			}
			memcpy(v->names[p], name->valuestring, nlen);
			v->is_client[p] = strcmp(role->valuestring, "client") == 0;
		}
		if (ok && dup < 0)
			continue;
		line = 1;
		col = 1;
		size_t koff, arr, off;
		if (text && json_member(text, len, json_ws(text, len, 0), "processes", &koff, &arr) &&
		    json_element(text, len, arr, (size_t)p, &off))
			tv_advance(text, off, &line, &col);
		if (!ok)
			tv_report(v, line, col, NULL, "process %d: needs a \"name\" and a \"role\" "
				  "\"node\" or \"client\": %s", p, json_show(pr, sa, sizeof sa));
		else
			tv_report(v, line, col, NULL, "process %d: name \"%.20s\" is process %d's "
				  "too", p, name->valuestring, dup);
	}

	const cJSON *proto = tv_get(doc, "protocol");
	if (cJSON_IsString(proto)) {
		v->raft = strcmp(proto->valuestring, "raft") == 0;
		v->proto = registry_find(proto->valuestring);
		/* A protocol's checker sizes its tables by ST_MAX_PROCS: give it only what our
		 * simulator could have produced. */
		if (v->proto && v->proto->trace_check_new && v->proto->trace_check &&
		    n > 0 && n <= ST_MAX_PROCS)
			v->tc = v->proto->trace_check_new(n);
	}
	v->raft_inv = v->raft && !v->tc;
	return true;
}

/* ---- events ---- */

static tv_msg *tv_msg_find(tv *v, int64_t m)
{
	uint32_t *i = intmap_get(&v->msgs, m);
	return i ? &v->msg[*i] : NULL;
}

static void tv_before_recv(tv *v, tv_ev *e)
{
	char sa[64], pa[48], pb[48];
	int64_t m, from;
	if (!json_int64(tv_get(e->obj, "msg"), &m))
		return;     /* reported by the field rules */
	tv_msg *s = tv_msg_find(v, m);
	if (!s) {
		/* Its clocks cannot be recomputed without the send; one message is enough. */
		tv_evp(v, e, "msg", "recv of msg %lld has no matching send", (long long)m);
		e->adopt = true;
		return;
	}
	int p = e->proc;
	if (s->to >= 0 && s->to != p)
		tv_evp(v, e, "msg", "msg %lld was sent to %s but received by %s", (long long)m,
		       tv_pname(v, s->to, pa, sizeof pa), tv_pname(v, p, pb, sizeof pb));
	const cJSON *jf = tv_get(e->obj, "from");
	if (jf && (!json_int64(jf, &from) || from != s->proc))
		tv_evp(v, e, "from", "from is %s, but msg %lld was sent by %s",
		       json_show(jf, sa, sizeof sa), (long long)m,
		       tv_pname(v, s->proc, pa, sizeof pa));
	const cJSON *jt = tv_get(e->obj, "type");
	if (cJSON_IsString(jt) && s->type && strcmp(jt->valuestring, tv_str(&v->types, s->type)))
		tv_evp(v, e, "type", "type \"%.40s\" differs from the send's \"%.40s\"",
		       jt->valuestring, tv_str(&v->types, s->type));
	/* Merge the send's clocks before the receive counts (trace-format.md, "Clocks"). */
	const int64_t *svc = v->msg_vc + (size_t)(s - v->msg) * (size_t)v->n;
	int64_t *vc = v->vc + (size_t)p * (size_t)v->n;
	if (s->lamport > v->lam[p])
		v->lam[p] = s->lamport;
	for (int q = 0; q < v->n; q++)
		if (svc[q] > vc[q])
			vc[q] = svc[q];
	v->received++;
}

static void tv_after_send(tv *v, tv_ev *e)
{
	int64_t m, to;
	if (!json_int64(tv_get(e->obj, "msg"), &m))
		return;
	uint32_t *old = intmap_get(&v->msgs, m);
	uint32_t idx;
	if (old) {
		tv_evp(v, e, "msg", "msg id %lld is sent twice (first by event %lld); ids are "
		       "unique", (long long)m, (long long)v->msg[*old].ev);
		idx = *old;    /* like check-trace, the later send is the one recvs pair with */
	} else {
		size_t n = (size_t)v->n;
		if (!tv_grow((void **)&v->msg, &v->msg_cap, v->nmsg + 1, sizeof *v->msg) ||
		    !tv_grow((void **)&v->msg_vc, &v->msg_vc_cap, (v->nmsg + 1) * n,
			     sizeof *v->msg_vc) ||
		    !intmap_put(&v->msgs, m, (uint32_t)v->nmsg)) {
			tv_oom(v);
			return;
		}
		idx = (uint32_t)v->nmsg++;
	}
	tv_msg *s = &v->msg[idx];
	const cJSON *jt = tv_get(e->obj, "type");
	s->ev = e->id;
	s->proc = e->proc;
	s->to = json_int64(tv_get(e->obj, "to"), &to) && to >= 0 && to < v->n ? (int32_t)to : -1;
	s->type = 0;
	if (cJSON_IsString(jt) && !(s->type = tv_intern(&v->types, jt->valuestring))) {
		tv_oom(v);
		return;
	}
	s->lamport = v->lam[e->proc];
	memcpy(v->msg_vc + (size_t)idx * (size_t)v->n, v->vc + (size_t)e->proc * (size_t)v->n,
	       (size_t)v->n * sizeof *v->msg_vc);
}

static void tv_after_drop(tv *v, tv_ev *e)
{
	int64_t m;
	if (json_int64(tv_get(e->obj, "msg"), &m) && !tv_msg_find(v, m))
		tv_evp(v, e, "msg", "drop of msg %lld, which was never sent", (long long)m);
}

static void tv_after_restart(tv *v, tv_ev *e)
{
	v->next_apply[e->proc] = 1;   /* applies start again from the persistent log */
}

static void tv_after_invoke(tv *v, tv_ev *e)
{
	if (e->id >= 0 && !intmap_put(&v->invokes, e->id, (uint32_t)e->proc << 1))
		tv_oom(v);
}

static void tv_after_complete(tv *v, tv_ev *e)
{
	char sa[64], pa[48], pb[48];
	int64_t inv;
	const cJSON *op = tv_get(e->obj, "op");
	if (cJSON_IsObject(op) && !tv_in(tv_get(op, "type"), tv_optypes))
		tv_evp(v, e, "op", "op.type is %s, expected \"ok\", \"fail\" or \"info\"",
		       json_show(tv_get(op, "type"), sa, sizeof sa));
	if (!json_int64(tv_get(e->obj, "invoke"), &inv))
		return;
	uint32_t *rec = intmap_get(&v->invokes, inv);
	if (!rec)
		tv_evp(v, e, "invoke", "complete names invoke %lld, which is no earlier invoke "
		       "event", (long long)inv);
	else if ((int)(*rec >> 1) != e->proc)
		tv_evp(v, e, "invoke", "complete by %s names invoke %lld of %s",
		       tv_pname(v, e->proc, pa, sizeof pa), (long long)inv,
		       tv_pname(v, *rec >> 1, pb, sizeof pb));
	else if (*rec & 1)
		tv_evp(v, e, "invoke", "invoke %lld is completed twice", (long long)inv);
	else
		*rec |= 1;
}

/* Raft: "apply" locals go in order from 1 on each node between restarts (format), and one
 * index is never applied as two different entries (state machine safety). With Raft's own
 * trace checker present these are its to report; here they are only counted. */
static void tv_raft_apply(tv *v, tv_ev *e)
{
	char pa[48];
	const cJSON *body = tv_get(e->obj, "body");
	const cJSON *jc = tv_get(body, "cmd");
	int64_t idx = 0, term = 0;
	bool idx_ok = json_int64(tv_get(body, "index"), &idx);
	bool term_ok = json_int64(tv_get(body, "term"), &term);
	if (v->raft_inv && (!idx_ok || !term_ok || !cJSON_IsString(jc)))
		tv_evp(v, e, "body", "an apply's body needs an integer \"index\" and \"term\" "
		       "and a string \"cmd\"");
	if (!idx_ok)
		return;
	int p = e->proc;
	if (v->raft_inv && idx != v->next_apply[p])
		tv_evp(v, e, "body", "%s applies index %lld, expected %lld (in order from 1, "
		       "each once)", tv_pname(v, p, pa, sizeof pa), (long long)idx,
		       (long long)v->next_apply[p]);
	v->next_apply[p] = idx < TV_CLOCK_MAX ? idx + 1 : idx;
	uint32_t cmd = 0;
	if (cJSON_IsString(jc) && !(cmd = tv_intern(&v->cmds, jc->valuestring))) {
		tv_oom(v);
		return;
	}
	if (!term_ok)
		term = 0;
	uint32_t *i = intmap_get(&v->applies, idx);
	if (!i) {
		if (!tv_grow((void **)&v->ap, &v->ap_cap, v->nap + 1, sizeof *v->ap) ||
		    !intmap_put(&v->applies, idx, (uint32_t)v->nap)) {
			tv_oom(v);
			return;
		}
		v->ap[v->nap++] = (tv_apply){e->id, term, p, cmd, term_ok};
		return;
	}
	const tv_apply *a = &v->ap[*i];
	if (v->raft_inv && (a->term_ok != term_ok || a->term != term || a->cmd != cmd)) {
		v->ninvariant++;
		tv_evp(v, e, "body", "state machine safety: index %lld is applied as (term %lld, "
		       "\"%.40s\") here but as (term %lld, \"%.40s\") by %s at event %lld",
		       (long long)idx, (long long)term, tv_str(&v->cmds, cmd), (long long)a->term,
		       tv_str(&v->cmds, a->cmd), tv_pname(v, a->proc, pa, sizeof pa),
		       (long long)a->ev);
	}
}

static void tv_after_local(tv *v, tv_ev *e)
{
	const cJSON *label = tv_get(e->obj, "label");
	if (v->raft && cJSON_IsString(label) && strcmp(label->valuestring, "apply") == 0)
		tv_raft_apply(v, e);
}

/* Raft nodes report role, term, voted_for, commit and log_len; a leader's term is recorded
 * for the count and for election safety (one leader per term). */
static void tv_raft_state_check(tv *v, tv_ev *e)
{
	char sa[64], pa[48], pb[48];
	const cJSON *st = tv_get(e->obj, "state");
	if (!v->raft || v->is_client[e->proc] || !cJSON_IsObject(st))
		return;
	for (size_t i = 0; i < sizeof tv_raft_state / sizeof tv_raft_state[0]; i++) {
		const tv_field *f = &tv_raft_state[i];
		const cJSON *it = tv_get(st, f->key);
		if (!it || !f->ok(v, it))
			tv_evp(v, e, "state", "state.%s is %s, expected %s (a Raft node's state "
			       "has role, term, voted_for, commit and log_len)", f->key,
			       json_show(it, sa, sizeof sa), f->want);
	}
	const cJSON *role = tv_get(st, "role");
	int64_t term;
	if (!cJSON_IsString(role) || strcmp(role->valuestring, "leader") != 0 ||
	    !json_int64(tv_get(st, "term"), &term))
		return;
	uint32_t *i = intmap_get(&v->leaders, term);
	if (!i) {
		if (!tv_grow((void **)&v->lead, &v->lead_cap, v->nlead + 1, sizeof *v->lead) ||
		    !intmap_put(&v->leaders, term, (uint32_t)v->nlead)) {
			tv_oom(v);
			return;
		}
		v->lead[v->nlead++] = (tv_leader){e->id, e->proc, false};
		return;
	}
	tv_leader *l = &v->lead[*i];
	if (v->raft_inv && l->proc != e->proc && !l->reported) {
		l->reported = true;
		v->ninvariant++;
		tv_evp(v, e, "state", "election safety: term %lld has two leaders, %s (event %lld) "
		       "and %s", (long long)term, tv_pname(v, l->proc, pa, sizeof pa),
		       (long long)l->ev, tv_pname(v, e->proc, pb, sizeof pb));
	}
}

/* Count the event on its process's clocks and compare with what it records. */
static void tv_clock(tv *v, tv_ev *e)
{
	char sa[64], ca[768], cb[768];
	int p = e->proc, n = v->n;
	int64_t *vc = v->vc + (size_t)p * (size_t)n;
	v->lam[p]++;
	vc[p]++;

	const cJSON *jl = tv_get(e->obj, "lamport");
	int64_t l;
	bool l_ok = json_int64(jl, &l);
	if (!l_ok || l != v->lam[p]) {
		if (!l_ok || !e->adopt)
			tv_evp(v, e, jl ? "lamport" : NULL, "lamport is %s, the causal structure "
			       "gives %lld", json_show(jl, sa, sizeof sa), (long long)v->lam[p]);
		if (l_ok && l >= 0 && l < TV_CLOCK_MAX)
			v->lam[p] = l;
	}

	const cJSON *jv = tv_get(e->obj, "vc");
	bool shape = cJSON_IsArray(jv) && cJSON_GetArraySize(jv) == n;
	bool same = shape;
	if (shape) {
		int q = 0;
		const cJSON *x;
		cJSON_ArrayForEach(x, jv) {
			if (!json_int64(x, &v->scratch[q]) || v->scratch[q] < 0 ||
			    v->scratch[q] >= TV_CLOCK_MAX) {
				shape = same = false;
				break;
			}
			same = same && v->scratch[q] == vc[q];
			q++;
		}
	}
	if (same)
		return;
	tv_fmt_clock(cb, sizeof cb, vc, n);
	if (shape) {
		tv_fmt_clock(ca, sizeof ca, v->scratch, n);
		if (!e->adopt)
			tv_evp(v, e, "vc", "vc is %s, the causal structure gives %s", ca, cb);
		memcpy(vc, v->scratch, (size_t)n * sizeof *vc);
	} else {
		tv_evp(v, e, jv ? "vc" : NULL, "vc is %s, expected %d integers (one per "
		       "process): %s", json_show(jv, sa, sizeof sa), n, cb);
	}
}

static void tv_proc_event(tv *v, tv_ev *e, const tv_kind *k)
{
	char sa[64], pa[48];
	const cJSON *jp = tv_get(e->obj, "proc");
	int64_t p;
	if (!json_int64(jp, &p) || p < 0 || p >= v->n) {
		tv_evp(v, e, jp ? "proc" : NULL, "proc is %s, expected a process index (0..%d)",
		       json_show(jp, sa, sizeof sa), v->n - 1);
		return;
	}
	e->proc = (int)p;
	uint8_t was = v->life[p];
	const char *why = tv_life[k->life][was].why;
	if (why) {
		if (was == LIFE_CRASHED)
			tv_evp(v, e, "kind", "%s %s (%s since event %lld)",
			       tv_pname(v, p, pa, sizeof pa), why,
			       k->life == TL_RUN ? "crashed" : "down", (long long)v->life_ev[p]);
		else
			tv_evp(v, e, "kind", "%s %s", tv_pname(v, p, pa, sizeof pa), why);
	}
	v->life[p] = tv_life[k->life][was].next;
	if (k->life == TL_CRASH)
		v->life_ev[p] = e->id;
	if (k->client_only && !v->is_client[p])
		tv_evp(v, e, "proc", "%s by %s, which is not a client", k->name,
		       tv_pname(v, p, pa, sizeof pa));
	if (k->before_clock)
		k->before_clock(v, e);
	tv_clock(v, e);
	if (k->after)
		k->after(v, e);
	tv_raft_state_check(v, e);
}

/* The st_tev view a protocol's trace checker reads: lookups into the event's cJSON. */
static bool tv_tev_int(const st_tev *e, const char *obj, const char *key, int64_t *out)
{
	const cJSON *it = tv_get(tv_get(e->impl, obj), key);
	if (cJSON_IsNull(it)) {
		*out = -1;
		return true;
	}
	return json_int64(it, out);
}
static bool tv_tev_str(const st_tev *e, const char *obj, const char *key, const char **out)
{
	const cJSON *it = tv_get(tv_get(e->impl, obj), key);
	if (!cJSON_IsString(it))
		return false;
	*out = it->valuestring;
	return true;
}
static bool tv_tev_state_int(const st_tev *e, const char *k, int64_t *o)
{ return tv_tev_int(e, "state", k, o); }
static bool tv_tev_body_int(const st_tev *e, const char *k, int64_t *o)
{ return tv_tev_int(e, "body", k, o); }
static bool tv_tev_state_str(const st_tev *e, const char *k, const char **o)
{ return tv_tev_str(e, "state", k, o); }
static bool tv_tev_body_str(const st_tev *e, const char *k, const char **o)
{ return tv_tev_str(e, "body", k, o); }

static void tv_feed_checker(tv *v, tv_ev *e)
{
	if (!v->tc || e->kind < 0 || e->id < 0 || e->id > (int64_t)UINT32_MAX || !e->t_ok)
		return;
	const tv_kind *k = &tv_kinds[e->kind];
	if (k->proc_event && e->proc < 0)
		return;
	const cJSON *label = tv_get(e->obj, "label");
	st_tev te = {
		.id = (uint32_t)e->id, .t = e->t, .kind = k->name,
		.proc = k->proc_event ? e->proc : -1,
		.label = cJSON_IsString(label) ? label->valuestring : NULL,
		.has_state = cJSON_IsObject(tv_get(e->obj, "state")),
		.state_int = tv_tev_state_int, .state_str = tv_tev_state_str,
		.body_int = tv_tev_body_int, .body_str = tv_tev_body_str, .impl = e->obj,
	};
	st_violation viol;
	memset(&viol, 0, sizeof viol);
	if (!v->proto->trace_check(v->tc, &te, &viol)) {
		viol.detail[sizeof viol.detail - 1] = '\0';
		const char *key = te.has_state ? "state" : tv_get(e->obj, "body") ? "body" : NULL;
		v->ninvariant++;
		tv_evp(v, e, key, "%s: %s", viol.invariant ? viol.invariant : "invariant",
		       viol.detail);
	}
}

/* Check one event. text/len is its JSON text, starting at line:col. */
static void tv_event(tv *v, cJSON *obj, const char *text, size_t len, long line, long col)
{
	char sa[64], sb[64];
	tv_ev ev = {obj, text, len, line, col, -1, v->nevents++, -1, -1, false, 0, false};
	tv_ev *e = &ev;
	if (!cJSON_IsObject(obj)) {
		tv_evp(v, e, NULL, "is %s, not an object", json_show(obj, sa, sizeof sa));
		v->next_id++;
		return;
	}
	const cJSON *jid = tv_get(obj, "id");
	int64_t id;
	if (json_int64(jid, &id))
		e->id = id;
	if (!jid || e->id != v->next_id)
		tv_evp(v, e, jid ? "id" : NULL, "id is %s, expected %lld (ids are dense from 0, in "
		       "order)", json_show(jid, sa, sizeof sa), (long long)v->next_id);
	/* After a gap, follow the trace's numbering so one gap is one message. */
	v->next_id = e->id >= 0 && e->id < INT64_MAX ? e->id + 1 : v->next_id + 1;

	const cJSON *jt = tv_get(obj, "t");
	if (!json_int64(jt, &e->t)) {
		tv_evp(v, e, jt ? "t" : NULL, "t is %s, expected an integer (virtual time)",
		       json_show(jt, sa, sizeof sa));
	} else if (v->have_t && e->t < v->last_t) {
		e->t_ok = true;
		tv_evp(v, e, "t", "time runs backwards: t is %lld, after %lld at event %lld",
		       (long long)e->t, (long long)v->last_t, (long long)v->last_t_ev);
	} else {
		e->t_ok = true;
		v->have_t = true;
		v->last_t = e->t;
		v->last_t_ev = e->id;
	}

	const cJSON *jk = tv_get(obj, "kind");
	for (int k = 0; k < TV_NKINDS && cJSON_IsString(jk); k++)
		if (strcmp(jk->valuestring, tv_kinds[k].name) == 0)
			e->kind = k;
	if (e->kind < 0) {
		tv_evp(v, e, jk ? "kind" : NULL, "unknown kind %s", json_show(jk, sa, sizeof sa));
		return;
	}
	const tv_kind *k = &tv_kinds[e->kind];
	v->kind_count[e->kind]++;

	unsigned mask = k->need | TV_OPTIONAL;
	for (int f = 0; f < TF__COUNT; f++) {
		const tv_field *fd = &tv_fields[f];
		if (!(mask & (1u << f)))
			continue;
		const cJSON *it = tv_get(obj, fd->key);
		if (!it) {
			if (k->need & (1u << f))
				tv_evp(v, e, NULL, "%s has no \"%s\" (%s)", k->name, fd->key,
				       fd->want);
		} else if (!fd->ok(v, it)) {
			tv_evp(v, e, fd->key, "\"%s\" is %s, expected %s", fd->key,
			       json_show(it, sb, sizeof sb), fd->want);
		}
	}

	if (k->proc_event) {
		tv_proc_event(v, e, k);
	} else {
		for (size_t i = 0; i < sizeof tv_world_forbidden / sizeof *tv_world_forbidden; i++)
			if (tv_get(obj, tv_world_forbidden[i]))
				tv_evp(v, e, tv_world_forbidden[i], "world event %s carries \"%s\" "
				       "(only process events have proc, lamport and vc)", k->name,
				       tv_world_forbidden[i]);
		if (k->after)
			k->after(v, e);
	}
	tv_feed_checker(v, e);
}

/* ---- reading ---- */

/* The next line, without its "\n" or "\r\n", in r->line[0..r->len). Lines longer than
 * TV_MAX_LINE are cut there and flagged, so no input makes memory grow without bound. */
static bool tv_read_line(tv_reader *r)
{
	bool any = false;
	r->len = 0;
	r->too_long = false;
	for (;;) {
		if (r->pos == r->end) {
			if (r->eof)
				break;
			r->end = fread(r->buf, 1, TV_CHUNK, r->f);
			r->pos = 0;
			if (r->end == 0) {
				r->eof = true;
				r->error = ferror(r->f) != 0;
				break;
			}
		}
		any = true;
		char *nl = memchr(r->buf + r->pos, '\n', r->end - r->pos);
		size_t n = (nl ? (size_t)(nl - r->buf) : r->end) - r->pos;
		size_t take = n;
		if (r->len + take > TV_MAX_LINE) {
			take = TV_MAX_LINE - r->len;
			r->too_long = true;
		}
		if (!tv_grow((void **)&r->line, &r->cap, r->len + take + 1, 1)) {
			r->error = true;
			return false;
		}
		memcpy(r->line + r->len, r->buf + r->pos, take);
		r->len += take;
		r->pos += n;
		if (nl) {
			r->pos++;
			break;
		}
	}
	if (!any)
		return false;
	if (r->len && r->line[r->len - 1] == '\r')
		r->len--;
	r->line[r->len] = '\0';
	r->last_len = r->len;
	r->lineno++;
	return true;
}

static void tv_read_error(tv *v)
{
	tv_fatal(v, 0, 0, "cannot read: %s", errno ? strerror(errno) : "read error");
}

/* Does this line end with `"events":[`? Then *cut is where "events" begins. */
static bool tv_events_line(const char *s, size_t len, size_t *cut)
{
	for (size_t k = 0; k + 8 <= len; k++) {
		if (memcmp(s + k, "\"events\"", 8) != 0)
			continue;
		size_t j = json_ws(s, len, k + 8);
		if (j >= len || s[j] != ':')
			continue;
		j = json_ws(s, len, j + 1);
		if (j >= len || s[j] != '[')
			continue;
		if (json_ws(s, len, j + 1) == len) {
			*cut = k;
			return true;
		}
	}
	return false;
}

/* The header as a document of its own: the text before "events", closed with '}'. */
static cJSON *tv_parse_header(const char *h, size_t len)
{
	size_t n = len;
	while (n && json_is_ws(h[n - 1]))
		n--;
	if (n && h[n - 1] == ',')
		n--;
	char *b = malloc(n + 2);
	if (!b)
		return NULL;
	memcpy(b, h, n);
	b[n] = '}';
	b[n + 1] = '\0';
	/* cJSON wants the terminating NUL inside the length to accept the end. */
	cJSON *o = cJSON_ParseWithLengthOpts(b, n + 2, NULL, true);
	free(b);
	if (o && !cJSON_IsObject(o)) {
		cJSON_Delete(o);
		o = NULL;
	}
	return o;
}

/* Streaming needs the process list before the events; a header that lacks any top-level
 * field is another layout, and the fallback judges it as a whole. */
static bool tv_header_complete(const cJSON *h)
{
	for (size_t i = 0; i < TV_NTOP; i++)
		if (strcmp(tv_top[i].key, "events") != 0 && !tv_get(h, tv_top[i].key))
			return false;
	return true;
}

/* After the events array: `}` and nothing, or more top-level members and `}`. */
static void tv_stream_trailer(tv *v, const char *rest, size_t rlen, long line, long col)
{
	tv_reader *r = &v->rd;
	tv_text t = {0};
	bool ok = tv_text_add(&t, rest, rlen);
	while (ok && tv_read_line(r)) {
		ok = tv_text_add(&t, "\n", 1) && tv_text_add(&t, r->line, r->len);
		if (t.len > TV_MAX_HEADER) {
			tv_fatal(v, r->lineno, 1, "more than 16 MiB after the events array");
			free(t.p);
			return;
		}
	}
	if (!ok || r->error) {
		if (r->error)
			tv_read_error(v);
		else
			tv_oom(v);
		free(t.p);
		return;
	}
	const char *s = t.p ? t.p : "";
	size_t i = json_ws(s, t.len, 0);
	long bad = utf8_first_bad(s, t.len);
	if (bad >= 0) {
		tv_bad_text(v, s, bad, line, col);
	} else if (i >= t.len) {
		tv_advance(s, t.len, &line, &col);
		tv_fatal(v, line, col, "invalid JSON: the document ends without its closing '}' "
			 "(cut short?)");
	} else if (s[i] == '}') {
		size_t j = json_ws(s, t.len, i + 1);
		if (j < t.len) {
			tv_advance(s, j, &line, &col);
			tv_fatal(v, line, col, "invalid JSON: text after the end of the document");
		}
	} else if (s[i] == ',') {
		/* More top-level members: parse them as an object of their own. */
		tv_text o = {0};
		if (!tv_text_add(&o, "{", 1) || !tv_text_add(&o, s + i + 1, t.len - i - 1)) {
			tv_oom(v);
		} else {
			/* o.p[k] stands where s[i + k] stood: the ',' became '{'. */
			const char *end = NULL;
			cJSON *x = cJSON_ParseWithLengthOpts(o.p, o.len + 1, &end, true);
			tv_advance(s, i, &line, &col);
			if (!x)
				tv_syntax(v, o.p, o.len, 0, end, line, col,
					  "the members after the events array");
			cJSON_Delete(x);
		}
		free(o.p);
	} else {
		tv_advance(s, i, &line, &col);
		tv_fatal(v, line, col, "invalid JSON: expected '}' after the events array");
	}
	free(t.p);
}

enum { TV_DONE, TV_FALLBACK };

/* Past `"events":[`: one event object per line. Until the first event parses, anything
 * unexpected means another layout (TV_FALLBACK); after that it is a syntax error. */
static int tv_stream_events(tv *v, const cJSON *h, const tv_text *hdr)
{
	tv_reader *r = &v->rd;
	enum { AT_FIRST, AT_COMMA, AT_EVENT } at = AT_FIRST;
	static const char *const expect[] = {
		[AT_FIRST] = "expected an event object or ']'",
		[AT_COMMA] = "expected an event object after ','",
		[AT_EVENT] = "expected ',' or ']' after an event",
	};
	bool committed = false;
	while (tv_read_line(r)) {
		const char *s = r->line;
		size_t len = r->len;
		if (r->too_long) {
			if (!committed)
				return TV_FALLBACK;
			tv_fatal(v, r->lineno, 1, "line longer than 16 MiB; an event's line is far "
				 "shorter (state is O(1) by contract)");
			return TV_DONE;
		}
		for (size_t i = json_ws(s, len, 0); i < len; i = json_ws(s, len, i)) {
			char c = s[i];
			if (c == ',' && at == AT_EVENT) {
				at = AT_COMMA;
				i++;
				continue;
			}
			if (c != '{' && !(c == ']' && at != AT_COMMA)) {
				if (!committed)
					return TV_FALLBACK;
				long line = r->lineno, col = 1;
				tv_advance(s, i, &line, &col);
				tv_fatal(v, line, col, "invalid JSON: %s", c == ']' ?
					 "a ',' before ']' (trailing comma)" : expect[at]);
				return TV_DONE;
			}
			if (c == '{' && at == AT_EVENT) {
				if (!committed)
					return TV_FALLBACK;
				long line = r->lineno, col = 1;
				tv_advance(s, i, &line, &col);
				tv_fatal(v, line, col, "invalid JSON: missing ',' between events");
				return TV_DONE;
			}
			cJSON *o = NULL;
			const char *end = NULL;
			if (c == '{') {
				o = cJSON_ParseWithLengthOpts(s + i, len - i, &end, false);
				if (!o) {
					if (!committed)
						return TV_FALLBACK;
					tv_syntax(v, s, len, i, end, r->lineno, 1, "this event");
					return TV_DONE;
				}
			}
			if (!committed) {
				committed = v->streamed = true;
				long bad = utf8_first_bad(hdr->p, hdr->len);
				if (bad >= 0) {
					cJSON_Delete(o);
					tv_bad_text(v, hdr->p, bad, 1, 1);
					return TV_DONE;
				}
				if (!tv_header(v, h, hdr->p, hdr->len, true)) {
					cJSON_Delete(o);
					return TV_DONE;
				}
			}
			long line = r->lineno, col = 1;
			tv_advance(s, i, &line, &col);
			if (c == ']') {
				tv_stream_trailer(v, s + i + 1, len - i - 1, line, col + 1);
				return TV_DONE;
			}
			size_t olen = (size_t)(end - (s + i));
			long bad = utf8_first_bad(s + i, olen);
			if (bad >= 0) {
				cJSON_Delete(o);
				tv_bad_text(v, s + i, bad, line, col);
				return TV_DONE;
			}
			tv_event(v, o, s + i, olen, line, col);
			cJSON_Delete(o);
			if (v->fatal)
				return TV_DONE;
			at = AT_EVENT;
			i += olen;
		}
	}
	if (r->error) {
		tv_read_error(v);
		return TV_DONE;
	}
	if (!committed)
		return TV_FALLBACK;
	long line = r->lineno, col = 1;
	tv_advance(r->line, r->last_len, &line, &col);
	tv_fatal(v, line, col, "invalid JSON: the file ends inside the events array (cut short?)");
	return TV_DONE;
}

static int tv_stream(tv *v)
{
	tv_reader *r = &v->rd;
	tv_text hdr = {0};
	size_t cut = 0;
	bool found = false;
	while (tv_read_line(r)) {
		if (r->too_long)
			break;
		if ((found = tv_events_line(r->line, r->len, &cut)))
			break;
		if (!tv_text_add(&hdr, r->line, r->len) || !tv_text_add(&hdr, "\n", 1)) {
			free(hdr.p);
			tv_oom(v);
			return TV_DONE;
		}
		if (hdr.len > TV_MAX_HEADER)
			break;
	}
	if (r->error) {
		free(hdr.p);
		tv_read_error(v);
		return TV_DONE;
	}
	int rc = TV_FALLBACK;
	if (found && tv_text_add(&hdr, r->line, cut)) {
		cJSON *h = tv_parse_header(hdr.p, hdr.len);
		if (h && tv_header_complete(h))
			rc = tv_stream_events(v, h, &hdr);
		cJSON_Delete(h);
	}
	free(hdr.p);
	return rc;
}

/* Another layout: the whole document at once, with positions found again in its text. */
static void tv_fallback(tv *v, FILE *f, const struct stat *st)
{
	if (S_ISREG(st->st_mode) && (uint64_t)st->st_size > TV_MAX_DOC) {
		tv_fatal(v, 0, 0, "not in the one-event-per-line layout, and too large (%llu MiB) "
			 "to read whole: at most 512 MiB", (unsigned long long)(st->st_size >> 20));
		return;
	}
	if (fseek(f, 0, SEEK_SET) != 0) {
		tv_fatal(v, 0, 0, "not in the one-event-per-line layout, and cannot be read again "
			 "as a whole (not a regular file)");
		return;
	}
	tv_text t = {0};
	char *chunk = v->rd.buf;
	size_t n;
	while ((n = fread(chunk, 1, TV_CHUNK, f)) > 0) {
		if (t.len + n > TV_MAX_DOC) {
			tv_fatal(v, 0, 0, "not in the one-event-per-line layout, and larger than "
				 "512 MiB: too large to read whole");
			free(t.p);
			return;
		}
		if (!tv_text_add(&t, chunk, n)) {
			free(t.p);
			tv_oom(v);
			return;
		}
	}
	if (ferror(f)) {
		free(t.p);
		tv_read_error(v);
		return;
	}
	const char *s = t.p ? t.p : "";
	if (json_ws(s, t.len, 0) == t.len) {
		tv_fatal(v, 1, 1, "invalid JSON: the file is %s, not a trace",
			 t.len ? "only white space" : "empty");
		free(t.p);
		return;
	}
	const char *end = NULL;
	cJSON *doc = cJSON_ParseWithLengthOpts(s, t.len + 1, &end, true);
	long bad;
	if (!doc) {
		tv_syntax(v, s, t.len, json_ws(s, t.len, 0), end, 1, 1, "the document");
	} else if ((bad = utf8_first_bad(s, t.len)) >= 0) {
		tv_bad_text(v, s, bad, 1, 1);
	} else if (!cJSON_IsObject(doc)) {
		long line = 1, col = 1;
		tv_advance(s, json_ws(s, t.len, 0), &line, &col);
		tv_report(v, line, col, NULL, "the document is not a JSON object (a trace is "
			  "{\"format\": \"spacetime-trace\", ...})");
	} else if (tv_header(v, doc, s, t.len, false)) {
		const cJSON *evs = tv_get(doc, "events");
		size_t koff, i;
		if (cJSON_IsArray(evs) && json_member(s, t.len, json_ws(s, t.len, 0), "events", &koff, &i)) {
			size_t at = 0;
			long line = 1, col = 1;
			i++;    /* past '[' */
			cJSON *ev;
			cJSON_ArrayForEach(ev, evs) {
				i = json_ws(s, t.len, i);
				size_t e = json_skip_value(s, t.len, i);
				tv_advance(s + at, i - at, &line, &col);
				at = i;
				tv_event(v, ev, s + i, e - i, line, col);
				if (v->fatal)
					break;
				i = json_ws(s, t.len, e);
				if (i < t.len && s[i] == ',')
					i++;
			}
		}
	}
	cJSON_Delete(doc);
	free(t.p);
}

/* ---- the whole ---- */

/* "1 event", "2 events". */
static const char *tv_pl(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void tv_summary(const tv *v, char *buf, size_t n)
{
	uint64_t ev = v->nevents, sent = v->nmsg, drop = v->kind_count[TK_DROP];
	int k = snprintf(buf, n, "%llu %s, %d %s, %llu %s sent, %llu received, %llu dropped",
			 (unsigned long long)ev, tv_pl(ev, "event", "events"), v->n,
			 tv_pl((uint64_t)v->n, "process", "processes"), (unsigned long long)sent,
			 tv_pl(sent, "message", "messages"), (unsigned long long)v->received,
			 (unsigned long long)drop);
	if (v->raft && k > 0 && (size_t)k < n)
		snprintf(buf + k, n - (size_t)k, "; raft: %llu %s with a leader, %llu %s applied",
			 (unsigned long long)v->nlead, tv_pl(v->nlead, "term", "terms"),
			 (unsigned long long)v->nap, tv_pl(v->nap, "entry", "entries"));
}

static void tv_free(tv *v)
{
	if (v->tc && v->proto->trace_check_free)
		v->proto->trace_check_free(v->tc);
	for (int p = 0; v->names && p < v->n; p++)
		free(v->names[p]);
	free(v->names);
	free(v->is_client);
	free(v->lam);
	free(v->vc);
	free(v->scratch);
	free(v->life_ev);
	free(v->next_apply);
	free(v->life);
	free(v->seen);
	intmap_free(&v->msgs);
	free(v->msg);
	free(v->msg_vc);
	tv_strtab_free(&v->types);
	intmap_free(&v->invokes);
	intmap_free(&v->leaders);
	free(v->lead);
	intmap_free(&v->applies);
	free(v->ap);
	tv_strtab_free(&v->cmds);
	free(v->rd.line);
	free(v->rd.buf);
	free(v);
}

int trace_verify_file(const char *path, FILE *out, FILE *errout, trace_verify_stats *stats)
{
	tv *v = calloc(1, sizeof *v);
	char *buf = malloc(TV_CHUNK);
	if (!v || !buf) {
		if (errout)
			fprintf(errout, "%s: out of memory\n", path);
		free(v);
		free(buf);
		return TRACE_VERIFY_UNREADABLE;
	}
	v->path = path;
	v->out = out;
	v->err = errout;
	v->rd.buf = buf;

	struct stat st;
	FILE *f = fopen(path, "r");
	if (!f) {
		tv_fatal(v, 0, 0, "cannot open: %s", strerror(errno));
	} else if (fstat(fileno(f), &st) != 0) {
		tv_fatal(v, 0, 0, "cannot read: %s", strerror(errno));
	} else if (S_ISDIR(st.st_mode)) {
		tv_fatal(v, 0, 0, "is a directory, not a trace");
	} else {
		v->rd.f = f;
		if (tv_stream(v) == TV_FALLBACK)
			tv_fallback(v, f, &st);
	}
	if (f)
		fclose(f);

	if (!v->fatal && v->tc && v->proto->trace_check_end) {
		st_violation viol;
		memset(&viol, 0, sizeof viol);
		if (!v->proto->trace_check_end(v->tc, &viol)) {
			viol.detail[sizeof viol.detail - 1] = '\0';
			v->ninvariant++;
			tv_report(v, 0, 0, "after the last event", "%s: %s",
				  viol.invariant ? viol.invariant : "invariant", viol.detail);
		}
	}

	/* A trace that keeps the contract but shows a protocol invariant broken answers 3, like
	 * every mode of spacetime does for a violation. */
	int rc = v->fatal ? TRACE_VERIFY_UNREADABLE
		: v->nproblems && v->ninvariant == v->nproblems ? TRACE_VERIFY_VIOLATION
		: v->nproblems ? TRACE_VERIFY_BROKEN : TRACE_VERIFY_OK;
	char sum[256];
	tv_summary(v, sum, sizeof sum);
	if (errout && v->nproblems > v->nshown + (v->fatal ? 1 : 0))
		fprintf(errout, "%s: ... and %llu more problems\n", path,
			(unsigned long long)(v->nproblems - v->nshown - (v->fatal ? 1 : 0)));
	if (rc == TRACE_VERIFY_OK && out)
		fprintf(out, "%s: ok: %s\n", path, sum);
	else if ((rc == TRACE_VERIFY_BROKEN || rc == TRACE_VERIFY_VIOLATION) && errout)
		fprintf(errout, "%s: not ok: %llu problem%s; %s\n", path,
			(unsigned long long)v->nproblems, v->nproblems == 1 ? "" : "s", sum);
	if (stats) {
		*stats = (trace_verify_stats){
			.events = v->nevents, .sent = v->nmsg, .received = v->received,
			.dropped = v->kind_count[TK_DROP], .processes = v->n,
			.problems = v->nproblems,
			.streamed = v->streamed, .protocol_checked = v->tc != NULL,
			.leader_terms = v->nlead, .applied = v->nap,
		};
	}
	tv_free(v);
	return rc;
}
