/* trace_read.c: see trace_read.h for what it reads and the rules it keeps.
 *
 * Three layers, each bounded:
 * - lines: rd_line reads the next line (at most TRACE_RD_MAX_LINE bytes: past that it stops
 *   at once, so /dev/zero is a refusal, not a hang) and checks its UTF-8; a character never
 *   spans lines, so checking line by line is exact;
 * - values: rd_value finds where the value at the cursor ends (strings, escapes, nesting) and
 *   parses just that text with cJSON; a value on one line is parsed in place, one spread over
 *   lines (pretty-printed) is gathered first, up to TRACE_RD_MAX_VALUE;
 * - the document: the members of the top-level object, then the elements of "events", with
 *   the commas and brackets between them checked here, since no parser sees the whole.
 *
 * Columns count characters (json_advance); the column of the cursor is cached so a long line
 * of many events costs one walk, not one per event. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "../base/mem.h"
#include "json_text.h"
#include "trace_read.h"
#include "utf8.h"

#define RD_CHUNK 65536
#define RD_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* The header keys whose absence before "events" makes a regular file read ahead. */
static const char *const rd_header_keys[] = {
	"format", "version", "scenario", "protocol", "seed", "time_unit", "processes",
};

typedef struct {
	char *key;
	char *text;
	size_t len;
	long line, col, kline, kcol;
} rd_member;

/* Where in the document the cursor is. */
typedef enum {
	RD_START,       /* before the top-level '{' */
	RD_MEMBERS,     /* inside the top-level object, before a member or '}' */
	RD_EVENTS,      /* inside "events" */
	RD_AFTER,       /* past the top-level '}' */
	RD_DONE,        /* everything read */
} rd_phase;

struct trace_rd {
	const char *path;
	FILE *f;
	bool seekable, failed, one_pass, not_object;
	char err[1024];

	/* input */
	char *buf;
	size_t bpos, bend;
	bool eof;
	uint64_t boff;          /* file offset of buf[0] */

	/* the current line */
	char *line;
	size_t llen, lcap, at;  /* at: the cursor */
	bool have_line;
	long lineno, col0;      /* col0: the column of line[0] (1 but after a seek) */
	uint64_t loff;          /* file offset of line[0] */
	size_t cat;             /* column cache: the column of line[cat] is ccol */
	long ccol;

	/* a value gathered over lines */
	char *v;
	size_t vlen, vcap;
	cJSON *cur;             /* the last event's JSON */

	/* the header */
	cJSON *hdr;
	rd_member *mem;
	size_t nmem, memcap, hdr_bytes;
	bool header_ready;

	/* the document */
	rd_phase phase;
	bool first_member, events_seen, second_pass;
	int at_ev;              /* inside "events": 0 first, 1 after ',', 2 after an event */
	uint64_t nev;
	uint64_t ev_off;        /* read-ahead: where '[' of "events" is, and its place */
	long ev_line, ev_col;
};

/* ---- refusals ---- */

static bool RD_PRINTF(4, 5) rd_fail(trace_rd *r, long line, long col, const char *fmt, ...)
{
	if (r->failed)
		return false;
	r->failed = true;
	int n = line > 0 ? snprintf(r->err, sizeof r->err, "%s:%ld:%ld: ", r->path, line, col)
			 : snprintf(r->err, sizeof r->err, "%s: ", r->path);
	if (n >= 0 && (size_t)n < sizeof r->err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(r->err + n, sizeof r->err - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return false;
}

/* ---- lines ---- */

/* The column of line[at]. */
static long rd_col(trace_rd *r, size_t at)
{
	if (at < r->cat) {
		r->cat = 0;
		r->ccol = r->col0;
	}
	long line = 0;
	json_advance(r->line + r->cat, at - r->cat, &line, &r->ccol);
	r->cat = at;
	return r->ccol;
}

static bool rd_fill(trace_rd *r)
{
	if (r->eof)
		return false;
	r->boff += r->bend;
	r->bpos = 0;
	r->bend = fread(r->buf, 1, RD_CHUNK, r->f);
	if (r->bend == 0) {
		r->eof = true;
		if (ferror(r->f))
			rd_fail(r, 0, 0, "cannot read: %s", errno ? strerror(errno) : "read error");
		return false;
	}
	return true;
}

/* The next line into r->line, the cursor at its start; false at the end of the file or after
 * a refusal (a line too long, bad UTF-8, a read error). */
static bool rd_line(trace_rd *r)
{
	/* at the end, the last line stays: "cut short" messages point past its end */
	if (r->failed || (r->bpos == r->bend && !rd_fill(r)))
		return false;
	r->have_line = false;
	r->llen = r->at = r->cat = 0;
	r->ccol = r->col0 = 1;
	r->loff = r->boff + r->bpos;
	bool any = false;
	for (;;) {
		if (r->bpos == r->bend && !rd_fill(r))
			break;
		any = true;
		char *nl = memchr(r->buf + r->bpos, '\n', r->bend - r->bpos);
		size_t n = (nl ? (size_t)(nl - r->buf) : r->bend) - r->bpos;
		if (r->llen + n > TRACE_RD_MAX_LINE)
			return rd_fail(r, r->lineno + 1, 1, "line %ld is longer than %zu MiB, the "
				       "limit of a line (an event's line is far shorter: a state is "
				       "O(1) by contract)", r->lineno + 1, TRACE_RD_MAX_LINE >> 20);
		st_grow(&r->line, &r->lcap, r->llen + n + 1, 1);
		memcpy(r->line + r->llen, r->buf + r->bpos, n);
		r->llen += n;
		r->bpos += n;
		if (nl) {
			r->bpos++;
			break;
		}
	}
	if (r->failed || !any)
		return false;
	r->line[r->llen] = '\0';
	r->lineno++;
	r->have_line = true;
	if (r->lineno == 1 && r->llen >= 3 && memcmp(r->line, "\xEF\xBB\xBF", 3) == 0)
		r->at = 3;      /* a byte order mark, as cJSON skips it */
	long bad = utf8_first_bad(r->line + r->at, r->llen - r->at);
	if (bad >= 0) {
		size_t off = r->at + (size_t)bad;
		unsigned char c = (unsigned char)r->line[off];
		long col = rd_col(r, off);
		if (c < 0x20)
			return rd_fail(r, r->lineno, col, "invalid JSON: control character 0x%02x "
				       "(JSON wants it escaped)", c);
		return rd_fail(r, r->lineno, col, "invalid JSON: byte 0x%02x is not valid UTF-8", c);
	}
	return true;
}

/* The next character that is not white space, the cursor on it; -1 at the end of the file
 * or after a refusal. */
static int rd_peek(trace_rd *r)
{
	for (;;) {
		if (r->failed)
			return -1;
		if (r->have_line) {
			r->at = json_ws(r->line, r->llen, r->at);
			if (r->at < r->llen)
				return (unsigned char)r->line[r->at];
		}
		if (!rd_line(r))
			return -1;
	}
}

/* Where the end of the file is, for "cut short" messages. */
static void rd_end_place(trace_rd *r, long *line, long *col)
{
	*line = r->lineno ? r->lineno : 1;
	*col = r->have_line || r->lineno ? rd_col(r, r->llen) : 1;
}

/* ---- values ---- */

/* Scan state for the end of a value spread over lines. */
typedef struct {
	char want[256];     /* the closers expected; past 256 levels only the depth is kept */
	size_t depth;
	bool in_str, esc, started;
} rd_scan;

/* Scan s[i..n) for the end of the value; the offset just past it, or n when it goes on. A
 * wrong closer (`[1, 2}`) ends it where it stands, for cJSON to name. */
static size_t rd_scan_more(rd_scan *sc, const char *s, size_t i, size_t n, bool *done)
{
	*done = false;
	for (; i < n; i++) {
		char c = s[i];
		if (sc->in_str) {
			if (sc->esc)
				sc->esc = false;
			else if (c == '\\')
				sc->esc = true;
			else if (c == '"') {
				sc->in_str = false;
				if (sc->depth == 0) {
					*done = true;
					return i + 1;
				}
			}
			continue;
		}
		if (c == '"') {
			sc->in_str = true;
		} else if (c == '{' || c == '[') {
			if (sc->depth < sizeof sc->want)
				sc->want[sc->depth] = c == '{' ? '}' : ']';
			sc->depth++;
		} else if (c == '}' || c == ']') {
			if (sc->depth == 0 || (sc->depth <= sizeof sc->want && sc->want[sc->depth - 1] != c)) {
				*done = true;
				return i + 1;
			}
			if (--sc->depth == 0) {
				*done = true;
				return i + 1;
			}
		}
	}
	return n;
}

static void rd_vadd(trace_rd *r, const char *s, size_t n)
{
	st_grow(&r->v, &r->vcap, r->vlen + n + 1, 1);
	memcpy(r->v + r->vlen, s, n);
	r->vlen += n;
	r->v[r->vlen] = '\0';
}

/* The value at the cursor (a non-white character), WHAT naming it for messages ("this
 * event"). keep: parse it into *out (the caller owns out->json); else only skip past it.
 * False after a refusal. */
static bool rd_value(trace_rd *r, const char *what, bool keep, trace_rd_value *out, cJSON **json)
{
	long line = r->lineno, col = rd_col(r, r->at);
	size_t start = r->at;
	char c = r->line[start];
	const char *text;
	size_t len;
	bool closed = true;
	if (c != '"' && c != '{' && c != '[') {
		size_t i = start;
		while (i < r->llen && !json_is_ws(r->line[i]) && r->line[i] != ',' &&
		       r->line[i] != ']' && r->line[i] != '}')
			i++;
		if (i == start)
			i++;    /* a stray ']' or '}': one character for cJSON to refuse */
		text = r->line + start;
		len = i - start;
		r->at = i;
	} else {
		rd_scan sc;
		memset(&sc, 0, sizeof sc);
		bool done;
		size_t e = rd_scan_more(&sc, r->line, start, r->llen, &done);
		if (done) {
			text = r->line + start;
			len = e - start;
			r->at = e;
		} else {
			r->vlen = 0;
			if (keep)
				rd_vadd(r, r->line + start, r->llen - start);
			size_t total = r->llen - start;
			while (!done) {
				if (!rd_line(r)) {
					if (r->failed)
						return false;
					closed = false;
					break;
				}
				e = rd_scan_more(&sc, r->line, 0, r->llen, &done);
				total += e + 1;
				/* only what is kept is bounded: a skipped events array may be long */
				if (keep && total > TRACE_RD_MAX_VALUE)
					return rd_fail(r, line, col, "%s is longer than %zu MiB, the "
						       "limit of one value", what,
						       TRACE_RD_MAX_VALUE >> 20);
				if (keep) {
					rd_vadd(r, "\n", 1);
					rd_vadd(r, r->line, e);
				}
				r->at = e;
			}
			text = r->v ? r->v : "";
			len = r->vlen;
		}
	}
	if (!closed) {
		long el, ec;
		rd_end_place(r, &el, &ec);
		return rd_fail(r, el, ec, "invalid JSON: %s ends in the middle of a value "
			       "(cut short?)", what);
	}
	if (!keep)
		return true;
	const char *end = NULL;
	cJSON *j = cJSON_ParseWithLengthOpts(text, len, &end, false);
	size_t used = end && end >= text && end <= text + len ? (size_t)(end - text) : 0;
	if (!j || used != len) {
		cJSON_Delete(j);
		if (!j && used >= len && len)
			used = len - 1;
		long l = line, cl = col;
		json_advance(text, used, &l, &cl);
		unsigned char b = (unsigned char)text[used];
		if (b > 0x20 && b < 0x7f)
			return rd_fail(r, l, cl, "invalid JSON: unexpected '%c' in %s", b, what);
		return rd_fail(r, l, cl, "invalid JSON: unexpected byte 0x%02x in %s", b, what);
	}
	*json = j;
	*out = (trace_rd_value){j, text, len, line, col};
	return true;
}

/* ---- the document ---- */

static const char *rd_type_name(const cJSON *j)
{
	return cJSON_IsArray(j) ? "an array" : cJSON_IsString(j) ? "a string"
		: cJSON_IsNumber(j) ? "a number" : cJSON_IsNull(j) ? "null" : "true or false";
}

static bool rd_header_has(const trace_rd *r, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(r->hdr, key) != NULL;
}

static bool rd_header_complete(const trace_rd *r)
{
	for (size_t i = 0; i < sizeof rd_header_keys / sizeof *rd_header_keys; i++)
		if (!rd_header_has(r, rd_header_keys[i]))
			return false;
	return true;
}

/* After the top-level '}': only white space may follow. */
static bool rd_after(trace_rd *r)
{
	if (rd_peek(r) >= 0)
		return rd_fail(r, r->lineno, rd_col(r, r->at), "invalid JSON: text after the end of "
			       "the document");
	if (r->failed)
		return false;
	r->phase = RD_DONE;
	return true;
}

/* Go back to the '[' of "events", after reading the header ahead. */
static bool rd_seek_events(trace_rd *r)
{
	if (fseeko(r->f, (off_t)r->ev_off, SEEK_SET) != 0)
		return rd_fail(r, 0, 0, "cannot read again: %s", strerror(errno));
	r->eof = false;
	r->boff = r->ev_off;
	r->bpos = r->bend = 0;
	r->lineno = r->ev_line - 1;
	r->have_line = false;
	if (!rd_line(r))
		return r->failed ? false : rd_fail(r, r->ev_line, r->ev_col, "the file changed "
						    "while it was read");
	/* rd_line started the line at column 1: this one starts where '[' stood */
	r->col0 = r->ccol = r->ev_col;
	r->cat = 0;
	r->second_pass = true;
	r->phase = RD_EVENTS;
	r->at_ev = 0;
	r->at = 1;      /* past '[' */
	return true;
}

/* Read top-level members until the events can be streamed (header_ready) or the document
 * ends. */
static bool rd_members(trace_rd *r)
{
	while (r->phase == RD_MEMBERS && !r->header_ready) {
		int c = rd_peek(r);
		if (c < 0) {
			if (r->failed)
				return false;
			long l, cl;
			rd_end_place(r, &l, &cl);
			return rd_fail(r, l, cl, "invalid JSON: the document ends without its "
				       "closing '}' (cut short?)");
		}
		long line = r->lineno, col = rd_col(r, r->at);
		if (c == '}' && r->first_member) {
			r->at++;
			r->phase = RD_AFTER;
			break;
		}
		if (!r->first_member) {
			if (c == '}') {
				r->at++;
				r->phase = RD_AFTER;
				break;
			}
			if (c != ',')
				return rd_fail(r, line, col, "invalid JSON: expected ',' or '}' after "
					       "a top-level member, found '%c'", c);
			r->at++;
			c = rd_peek(r);
			if (c < 0)
				continue;   /* cut short: said above */
			line = r->lineno;
			col = rd_col(r, r->at);
		}
		if (c != '"')
			return rd_fail(r, line, col, "invalid JSON: expected a member name (a string "
				       "in double quotes), found '%c'", c);
		trace_rd_value kv;
		cJSON *kj = NULL;
		if (!rd_value(r, "a member name", true, &kv, &kj))
			return false;
		char *key = st_strdup(kj->valuestring);
		cJSON_Delete(kj);
		c = rd_peek(r);
		if (c != ':') {
			free(key);
			if (c < 0)
				continue;
			return rd_fail(r, r->lineno, rd_col(r, r->at), "invalid JSON: expected ':' "
				       "after the member name");
		}
		r->at++;
		c = rd_peek(r);
		if (c < 0) {
			free(key);
			continue;
		}
		r->first_member = false;
		if (strcmp(key, "events") == 0 && c == '[' && !r->events_seen) {
			free(key);
			r->events_seen = true;
			if (rd_header_complete(r) || (!r->seekable && rd_header_has(r, "processes"))) {
				r->one_pass = true;
				r->header_ready = true;
				r->phase = RD_EVENTS;
				r->at_ev = 0;
				r->at++;
				return true;
			}
			if (!r->seekable)
				return rd_fail(r, line, col, "\"events\" comes before \"processes\": "
					       "input that is not a regular file cannot be read twice "
					       "(write the header first, as spacetime does)");
			r->ev_off = r->loff + r->at;
			r->ev_line = r->lineno;
			r->ev_col = rd_col(r, r->at);
			if (!rd_value(r, "the events array", false, NULL, NULL))
				return false;
			continue;
		}
		trace_rd_value v;
		cJSON *j = NULL;
		if (!rd_value(r, "a top-level member", true, &v, &j)) {
			free(key);
			return false;
		}
		r->hdr_bytes += v.len + strlen(key);
		if (r->hdr_bytes > TRACE_RD_MAX_HEADER) {
			free(key);
			cJSON_Delete(j);
			return rd_fail(r, line, col, "the top-level members other than \"events\" "
				       "are longer than %zu MiB together", TRACE_RD_MAX_HEADER >> 20);
		}
		cJSON_AddItemToObject(r->hdr, key, j);
		st_grow(&r->mem, &r->memcap, r->nmem + 1, sizeof *r->mem);
		rd_member *m = &r->mem[r->nmem++];
		m->key = key;
		m->text = st_alloc(v.len + 1);
		memcpy(m->text, v.text, v.len);
		m->text[v.len] = '\0';
		m->len = v.len;
		m->line = v.line;
		m->col = v.col;
		m->kline = kv.line;
		m->kcol = kv.col;
	}
	if (r->phase == RD_AFTER) {
		if (!rd_after(r))
			return false;
		if (r->events_seen && !r->one_pass)
			return rd_seek_events(r) && (r->header_ready = true);
		r->header_ready = true;
	}
	return true;
}

static bool rd_start(trace_rd *r)
{
	int c = rd_peek(r);
	if (c < 0) {
		if (r->failed)
			return false;
		return rd_fail(r, 1, 1, "invalid JSON: the file is %s, not a trace",
			       r->lineno ? "only white space" : "empty");
	}
	if (c != '{') {
		long line = r->lineno, col = rd_col(r, r->at);
		trace_rd_value v;
		cJSON *j = NULL;
		if (!rd_value(r, "the document", true, &v, &j))
			return false;
		const char *kind = rd_type_name(j);
		cJSON_Delete(j);
		r->not_object = true;
		return rd_fail(r, line, col, "the document is not a JSON object (it is %s; a trace "
			       "is {\"format\": \"spacetime-trace\", ...})", kind);
	}
	r->at++;
	r->phase = RD_MEMBERS;
	r->first_member = true;
	return true;
}

const cJSON *trace_rd_header(trace_rd *r)
{
	if (!r->header_ready && !r->failed) {
		if (!r->f) {
			/* trace_rd_open kept the errno */
		} else if (r->phase == RD_START && !rd_start(r)) {
			/* said */
		} else {
			rd_members(r);
		}
	}
	return r->failed ? NULL : r->hdr;
}

int trace_rd_next(trace_rd *r, trace_rd_value *ev, uint64_t *index)
{
	cJSON_Delete(r->cur);
	r->cur = NULL;
	if (!trace_rd_header(r))
		return -1;
	static const char *const expect[] = {
		"expected an event object or ']'",
		"expected an event object after ','",
		"expected ',' or ']' after an event",
	};
	while (r->phase == RD_EVENTS) {
		int c = rd_peek(r);
		if (c < 0) {
			if (r->failed)
				return -1;
			long l, cl;
			rd_end_place(r, &l, &cl);
			rd_fail(r, l, cl, "invalid JSON: the file ends inside the events array "
				"(cut short?)");
			return -1;
		}
		long line = r->lineno, col = rd_col(r, r->at);
		if (c == ',' && r->at_ev == 2) {
			r->at_ev = 1;
			r->at++;
			continue;
		}
		if (c == ']' && r->at_ev != 1) {
			r->at++;
			if (r->second_pass) {
				r->phase = RD_DONE;
				return 0;
			}
			r->phase = RD_MEMBERS;
			r->header_ready = false;
			if (!rd_members(r))
				return -1;
			break;
		}
		if (c != '{' && c != ']') {
			if (r->at_ev == 2) {
				rd_fail(r, line, col, "invalid JSON: %s", expect[2]);
				return -1;
			}
			/* not an object: a value all the same, refused by the caller's rules */
		} else if (c == ']') {
			rd_fail(r, line, col, "invalid JSON: a ',' before ']' (trailing comma)");
			return -1;
		} else if (r->at_ev == 2) {
			rd_fail(r, line, col, "invalid JSON: missing ',' between events");
			return -1;
		}
		if (r->nev >= TRACE_RD_MAX_EVENTS) {
			rd_fail(r, line, col, "more than %llu events", (unsigned long long)TRACE_RD_MAX_EVENTS);
			return -1;
		}
		if (!rd_value(r, "this event", true, ev, &r->cur))
			return -1;
		r->at_ev = 2;
		*index = r->nev++;
		return 1;
	}
	return r->failed ? -1 : 0;
}

/* ---- open, close, questions ---- */

trace_rd *trace_rd_open(const char *path)
{
	trace_rd *r = st_zalloc(1, sizeof *r);
	r->path = path;
	r->hdr = cJSON_CreateObject();
	if (!r->hdr)
		st_oom(sizeof(cJSON));
	r->col0 = 1;
	struct stat st;
	r->f = fopen(path, "rb");
	if (!r->f) {
		rd_fail(r, 0, 0, "cannot open: %s", strerror(errno));
		return r;
	}
	if (fstat(fileno(r->f), &st) != 0) {
		rd_fail(r, 0, 0, "cannot read: %s", strerror(errno));
	} else if (S_ISDIR(st.st_mode)) {
		rd_fail(r, 0, 0, "is a directory, not a trace");
	}
	r->seekable = S_ISREG(st.st_mode);
	r->buf = st_alloc(RD_CHUNK);
	return r;
}

void trace_rd_close(trace_rd *r)
{
	if (!r)
		return;
	if (r->f)
		fclose(r->f);
	for (size_t i = 0; i < r->nmem; i++) {
		free(r->mem[i].key);
		free(r->mem[i].text);
	}
	free(r->mem);
	cJSON_Delete(r->cur);
	cJSON_Delete(r->hdr);
	free(r->buf);
	free(r->line);
	free(r->v);
	free(r);
}

const char *trace_rd_error(const trace_rd *r) { return r->failed ? r->err : NULL; }
const char *trace_rd_path(const trace_rd *r) { return r->path; }
bool trace_rd_one_pass(const trace_rd *r) { return r->one_pass; }
bool trace_rd_has_events(const trace_rd *r) { return r->events_seen; }
bool trace_rd_not_object(const trace_rd *r) { return r->not_object; }

bool trace_rd_member(const trace_rd *r, const char *key, trace_rd_value *out, long *key_line,
		     long *key_col)
{
	for (size_t i = 0; i < r->nmem; i++) {
		const rd_member *m = &r->mem[i];
		if (strcmp(m->key, key) != 0)
			continue;
		if (out)
			*out = (trace_rd_value){cJSON_GetObjectItemCaseSensitive(r->hdr, key),
						m->text, m->len, m->line, m->col};
		if (key_line)
			*key_line = m->kline;
		if (key_col)
			*key_col = m->kcol;
		return true;
	}
	if (key_line)
		*key_line = 1;
	if (key_col)
		*key_col = 1;
	return false;
}

void trace_rd_at(const trace_rd_value *v, size_t off, long *line, long *col)
{
	*line = v->line;
	*col = v->col;
	json_advance(v->text, off < v->len ? off : v->len, line, col);
}

void trace_rd_key(const trace_rd_value *v, const char *key, long *line, long *col)
{
	size_t koff = 0;
	if (!key || !json_member(v->text, v->len, json_ws(v->text, v->len, 0), key, &koff, NULL))
		koff = 0;
	trace_rd_at(v, koff, line, col);
}

void trace_rd_elem(const trace_rd_value *v, size_t idx, const char *key, long *line, long *col)
{
	size_t el = 0, koff, voff;
	if (!json_element(v->text, v->len, json_ws(v->text, v->len, 0), idx, &el))
		el = 0;
	if (key && json_member(v->text, v->len, el, key, &koff, &voff))
		el = koff;
	trace_rd_at(v, el, line, col);
}
