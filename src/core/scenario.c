/* scenario.c: load a lesson file and refuse a bad one with a message a person can act on.
 *
 * A scenario is hand-written JSON, and the person who wrote it reads our error before anything
 * else, so most of this file is about errors: one message that names the file, the place
 * (file:line:col) and the field (schedule[2].groups[1][0]), says what is wrong and what was
 * expected. Three passes, each for a reason:
 *   1. an encoding check (UTF-8, no NUL, size): cJSON would stop at a NUL and take any bytes;
 *   2. a strict JSON scanner of our own: cJSON accepts some non-JSON (+1, 01, raw control
 *      characters in strings) and only reports an offset; ours says "trailing comma", "expected
 *      ',' or '}'", and bounds nesting before any recursion happens;
 *   3. cJSON builds the tree, and table-driven validators walk it into st_scenario.
 * When a value is wrong, the scanner is run again to find where that value sits in the text
 * (values are counted in document order, which is also cJSON's pre-order), so wrong values get
 * a line and column too, and the happy path keeps no position table. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "../base/mem.h"
#include "../base/names.h"
#include "json_text.h"
#include "scenario.h"
#include "trace.h"

#ifndef ST_DATADIR
#define ST_DATADIR "/usr/local/share/spacetime"
#endif

#define SC_MAX_FILE (4u << 20)          /* bytes; a lesson is a few kB */
#define SC_MAX_DEPTH 32                 /* a valid scenario nests 5 deep */
#define SC_MAX_TIME_MS 86400000         /* one day of virtual time */
#define SC_MAX_LATENCY_MS 60000
#define SC_MAX_OPS 1000000
#define SC_MAX_SKEW_MS 3600000
#define SC_MAX_DRIFT_PPM 100000
#define SC_MAX_INT_JSON 9007199254740992LL  /* 2^53: the doubles JSON numbers become */
#define SC_NAME_LEN 48
#define SC_TITLE_LEN 80
#define SC_TEXT_LEN 2000

const char *const sc_action_names[DO__COUNT] = {
	[DO_PARTITION] = "partition", [DO_HEAL] = "heal",
	[DO_CRASH] = "crash", [DO_RESTART] = "restart",
	[DO_PAUSE] = "pause", [DO_RESUME] = "resume",
	[DO_REQUEST] = "request",
	[DO_LOSS] = "loss", [DO_DUPLICATE] = "duplicate", [DO_LATENCY] = "latency",
};

/* The learning path, in order: the lesson picker groups and sorts by it. */
const char *const sc_topics[] = {
	"Foundations", "Failure and time", "System models", "Impossibility results",
	"Broadcast, replication and consensus", "Consistency models", "Real systems",
};
const int sc_ntopics = (int)(sizeof sc_topics / sizeof sc_topics[0]);

static void put(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || errlen == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------------------------------------ */
/* Pass 1: encoding. Returns the offset of the first bad byte, or len; *why says what. */

static size_t check_encoding(const unsigned char *s, size_t len, char *why, size_t whylen)
{
	if (len >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) {
		snprintf(why, whylen, "the file starts with a byte order mark; expected UTF-8 "
			 "without a BOM");
		return 0;
	}
	size_t i = 0;
	while (i < len) {
		unsigned char b = s[i];
		if (b == 0) {
			snprintf(why, whylen, "a NUL byte; expected UTF-8 text (is this a binary "
				 "file?)");
			return i;
		}
		if (b < 0x80) {
			i++;
			continue;
		}
		/* Length and the allowed range of the second byte (no overlongs, no surrogates,
		 * nothing past U+10FFFF), after RFC 3629's table. */
		int n = 0;
		unsigned char lo = 0x80, hi = 0xBF;
		if (b >= 0xC2 && b <= 0xDF) n = 2;
		else if (b == 0xE0) { n = 3; lo = 0xA0; }
		else if (b >= 0xE1 && b <= 0xEC) n = 3;
		else if (b == 0xED) { n = 3; hi = 0x9F; }
		else if (b >= 0xEE && b <= 0xEF) n = 3;
		else if (b == 0xF0) { n = 4; lo = 0x90; }
		else if (b >= 0xF1 && b <= 0xF3) n = 4;
		else if (b == 0xF4) { n = 4; hi = 0x8F; }
		bool ok = n > 0 && i + (size_t)n <= len;
		for (int k = 1; ok && k < n; k++) {
			unsigned char c = s[i + (size_t)k];
			if (k == 1 ? (c < lo || c > hi) : (c < 0x80 || c > 0xBF))
				ok = false;
		}
		if (!ok) {
			snprintf(why, whylen, "byte 0x%02x is not valid UTF-8; expected UTF-8 text "
				 "(is this a binary file?)", b);
			return i;
		}
		i += (size_t)n;
	}
	return len;
}

/* ------------------------------------------------------------------------------------------ */
/* Pass 2: a strict JSON scanner (RFC 8259), which also locates the N-th value. */

#define NO_OFF ((size_t)-1)

typedef struct {
	const char *s;
	size_t n, i;
	long count;         /* values started so far: the pre-order index of the next one */
	long target;        /* stop at this value and record where it is; -1 = scan everything */
	bool found;
	size_t key_off, val_off;
	size_t err_off;
	char msg[256];
} jscan;

static bool js_err(jscan *j, size_t off, const char *fmt, ...)
{
	if (j->target >= 0)     /* a locating re-scan of text that already passed */
		return false;
	j->err_off = off;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(j->msg, sizeof j->msg, fmt, ap);
	va_end(ap);
	return false;
}

/* What sits at off, for "unexpected X". */
static const char *js_what(const jscan *j, size_t off, char *buf, size_t len)
{
	if (off >= j->n)
		return "end of file";
	unsigned char c = (unsigned char)j->s[off];
	if (c >= 0x21 && c < 0x7F) {
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
			/* A bare word: show it whole (NaN, Infinity, an unquoted name). */
			size_t e = off;
			while (e < j->n && e - off < 24 &&
			       ((j->s[e] >= 'a' && j->s[e] <= 'z') || (j->s[e] >= 'A' && j->s[e] <= 'Z') ||
				(j->s[e] >= '0' && j->s[e] <= '9') || j->s[e] == '_' || j->s[e] == '-'))
				e++;
			snprintf(buf, len, "word '%.*s'", (int)(e - off), j->s + off);
		} else {
			snprintf(buf, len, "'%c'", c);
		}
	} else if (c < 0x80) {
		snprintf(buf, len, "character 0x%02x", c);
	} else {
		/* Already valid UTF-8: decode for U+XXXX. */
		unsigned cp = 0;
		int n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
		cp = c & (0xFFu >> (n + 1));
		for (int k = 1; k < n && off + (size_t)k < j->n; k++)
			cp = (cp << 6) | ((unsigned char)j->s[off + (size_t)k] & 0x3F);
		snprintf(buf, len, "character U+%04X", cp);
	}
	return buf;
}

static void js_ws(jscan *j)
{
	while (j->i < j->n && (j->s[j->i] == ' ' || j->s[j->i] == '\t' || j->s[j->i] == '\n' ||
			       j->s[j->i] == '\r'))
		j->i++;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

/* Four hex digits after "\u" at j->i (which points at 'u'). -1 and an error when malformed. */
static long js_hex4(jscan *j, size_t esc)
{
	long v = 0;
	for (int k = 1; k <= 4; k++) {
		int h = j->i + (size_t)k < j->n ? hexval(j->s[j->i + (size_t)k]) : -1;
		if (h < 0) {
			/* Show what was written, up to the first character that is not hex. */
			int shown = k;
			if (j->i + (size_t)k < j->n && (unsigned char)j->s[j->i + (size_t)k] >= 0x20 &&
			    (unsigned char)j->s[j->i + (size_t)k] < 0x7F)
				shown++;
			js_err(j, esc, "invalid escape '\\%.*s'; expected 4 hex digits after \\u",
			       shown, j->s + j->i);
			return -1;
		}
		v = v * 16 + h;
	}
	j->i += 5;
	return v;
}

static bool js_string(jscan *j)
{
	size_t start = j->i++;
	char buf[40];
	int l, c;
	for (;;) {
		if (j->i >= j->n) {
			json_line_col(j->s, start, &l, &c);
			return js_err(j, j->n, "unexpected end of file inside the string opened at "
				      "%d:%d; expected '\"'", l, c);
		}
		unsigned char ch = (unsigned char)j->s[j->i];
		if (ch == '"') {
			j->i++;
			return true;
		}
		if (ch < 0x20) {
			if (ch == '\n' || ch == '\r') {
				json_line_col(j->s, start, &l, &c);
				return js_err(j, j->i, "line break inside the string opened at %d:%d; "
					      "expected '\"' (or \\n inside the string)", l, c);
			}
			return js_err(j, j->i, "control character 0x%02x inside a string; expected "
				      "it escaped as \\u%04x", ch, ch);
		}
		if (ch != '\\') {
			j->i++;
			continue;
		}
		size_t esc = j->i++;
		if (j->i >= j->n)
			continue;   /* reported as end of file above */
		char e = j->s[j->i];
		if (e && strchr("\"\\/bfnrt", e)) {
			j->i++;
			continue;
		}
		if (e != 'u') {
			unsigned char ue = (unsigned char)e;
			if (ue >= 0x21 && ue < 0x7F)
				snprintf(buf, sizeof buf, "'\\%c'", e);
			else
				snprintf(buf, sizeof buf, "after '\\'");
			return js_err(j, esc, "invalid escape %s; expected one of \\\" \\\\ \\/ "
				      "\\b \\f \\n \\r \\t \\uXXXX", buf);
		}
		long u = js_hex4(j, esc);
		if (u < 0)
			return false;
		if (u == 0)
			return js_err(j, esc, "\\u0000 (a NUL character) inside a string; expected "
				      "text without NUL");
		if (u >= 0xDC00 && u <= 0xDFFF)
			return js_err(j, esc, "\\u%04lX is a lone low surrogate; expected a high "
				      "surrogate (\\uD800-\\uDBFF) before it", u);
		if (u >= 0xD800 && u <= 0xDBFF) {
			if (j->i + 1 >= j->n || j->s[j->i] != '\\' || j->s[j->i + 1] != 'u')
				return js_err(j, esc, "\\u%04lX is a lone high surrogate; expected a "
					      "low surrogate \\uDC00-\\uDFFF after it", u);
			size_t esc2 = j->i++;
			long u2 = js_hex4(j, esc2);
			if (u2 < 0)
				return false;
			if (u2 < 0xDC00 || u2 > 0xDFFF)
				return js_err(j, esc2, "\\u%04lX after a high surrogate; expected a low "
					      "surrogate \\uDC00-\\uDFFF", u2);
		}
	}
}

static bool js_digits(jscan *j, const char *after)
{
	if (j->i >= j->n || j->s[j->i] < '0' || j->s[j->i] > '9') {
		char buf[48];
		return js_err(j, j->i, "unexpected %s in a number; expected a digit after %s",
			      js_what(j, j->i, buf, sizeof buf), after);
	}
	while (j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9')
		j->i++;
	return true;
}

static bool js_number(jscan *j)
{
	size_t start = j->i;
	if (j->s[j->i] == '-')
		j->i++;
	if (j->i < j->n && j->s[j->i] == '0') {
		j->i++;
		if (j->i < j->n && j->s[j->i] >= '0' && j->s[j->i] <= '9')
			return js_err(j, start, "a number with a leading zero; expected a JSON "
				      "number (write 7, not 07)");
	} else if (!js_digits(j, "'-'")) {
		return false;
	}
	if (j->i < j->n && j->s[j->i] == '.') {
		j->i++;
		if (!js_digits(j, "'.'"))
			return false;
	}
	if (j->i < j->n && (j->s[j->i] == 'e' || j->s[j->i] == 'E')) {
		j->i++;
		if (j->i < j->n && (j->s[j->i] == '+' || j->s[j->i] == '-'))
			j->i++;
		if (!js_digits(j, "the exponent"))
			return false;
	}
	return true;
}

static bool js_value(jscan *j, int depth, size_t key_off);

/* An object or an array: they differ in the closing bracket and in "key": before values. */
static bool js_container(jscan *j, int depth, bool object)
{
	const char close = object ? '}' : ']';
	const char *what = object ? "object" : "array";
	size_t open = j->i++;
	char buf[48];
	int l, c;
	if (depth > SC_MAX_DEPTH)
		return js_err(j, open, "nesting deeper than %d levels; expected at most %d nested "
			      "arrays and objects", SC_MAX_DEPTH, SC_MAX_DEPTH);
	js_ws(j);
	if (j->i < j->n && j->s[j->i] == close) {
		j->i++;
		return true;
	}
	size_t comma = NO_OFF;
	for (;;) {
		js_ws(j);
		size_t key_off = NO_OFF;
		if (j->i < j->n && j->s[j->i] == close && comma != NO_OFF)
			return js_err(j, comma, "a trailing comma before '%c'; expected another %s "
				      "after ',' (JSON allows no trailing comma)", close,
				      object ? "field" : "value");
		if (object) {
			if (j->i >= j->n || j->s[j->i] != '"') {
				if (j->i < j->n && j->s[j->i] == '\'')
					return js_err(j, j->i, "a single quote; expected a field name "
						      "in double quotes");
				return js_err(j, j->i, "unexpected %s; expected a field name in "
					      "double quotes", js_what(j, j->i, buf, sizeof buf));
			}
			key_off = j->i;
			if (!js_string(j))
				return false;
			js_ws(j);
			if (j->i >= j->n || j->s[j->i] != ':')
				return js_err(j, j->i, "unexpected %s after a field name; expected "
					      "':'", js_what(j, j->i, buf, sizeof buf));
			j->i++;
		}
		if (!js_value(j, depth, key_off))
			return false;
		js_ws(j);
		if (j->i < j->n && j->s[j->i] == ',') {
			comma = j->i++;
			continue;
		}
		if (j->i < j->n && j->s[j->i] == close) {
			j->i++;
			return true;
		}
		if (j->i >= j->n) {
			json_line_col(j->s, open, &l, &c);
			return js_err(j, j->n, "unexpected end of file; expected ',' or '%c' (the %s "
				      "opened at %d:%d is not closed)", close, what, l, c);
		}
		return js_err(j, j->i, "unexpected %s; expected ',' or '%c'%s",
			      js_what(j, j->i, buf, sizeof buf), close,
			      j->s[j->i] == '"' ? " (a comma is missing?)" : "");
	}
}

static bool js_value(jscan *j, int depth, size_t key_off)
{
	char buf[48];
	js_ws(j);
	if (j->i >= j->n)
		return js_err(j, j->n, "unexpected end of file; expected a value");
	size_t start = j->i;
	if (j->count++ == j->target) {
		j->found = true;
		j->key_off = key_off;
		j->val_off = start;
		return false;   /* stop the scan */
	}
	char ch = j->s[start];
	if (ch == '{' || ch == '[')
		return js_container(j, depth + 1, ch == '{');
	if (ch == '"')
		return js_string(j);
	if (ch == '-' || (ch >= '0' && ch <= '9'))
		return js_number(j);
	static const char *const literals[] = {"true", "false", "null"};
	for (size_t k = 0; k < 3; k++) {
		size_t n = strlen(literals[k]);
		if (j->n - start >= n && memcmp(j->s + start, literals[k], n) == 0) {
			j->i += n;
			return true;
		}
	}
	if (ch == '\'')
		return js_err(j, start, "a single quote; expected a value (strings take double "
			      "quotes)");
	return js_err(j, start, "unexpected %s; expected a value (a number, a \"string\", true, "
		      "false, null, [ or {)", js_what(j, start, buf, sizeof buf));
}

/* Scan the whole text. false with j->err_off and j->msg set when it is not strict JSON. */
static bool js_check(jscan *j, const char *s, size_t n)
{
	memset(j, 0, sizeof *j);
	j->s = s;
	j->n = n;
	j->target = -1;
	js_ws(j);
	if (j->i >= n)
		return js_err(j, n, n == 0 ? "the file is empty; expected a JSON object" :
			      "the file holds only white space; expected a JSON object");
	if (!js_value(j, 0, NO_OFF))
		return false;
	js_ws(j);
	char buf[48];
	if (j->i < n)
		return js_err(j, j->i, "unexpected %s after the top-level value; expected the "
			      "end of the file", js_what(j, j->i, buf, sizeof buf));
	return true;
}

/* ------------------------------------------------------------------------------------------ */
/* Pass 3: validation. The context carries the text (to locate values), the field path being
 * validated, and the scenario being filled. */

typedef struct {
	const char *text;
	size_t len;
	const char *file;
	const cJSON *root;
	char *err;
	size_t errlen;
	char fp[256];       /* field path: schedule[2].groups[1][0] */
	size_t fplen;
	st_scenario *sc;
} P;

enum { AT_VALUE, AT_KEY };

static bool preorder(const cJSON *n, const cJSON *target, long *idx)
{
	if (n == target)
		return true;
	++*idx;
	for (const cJSON *c = n->child; c; c = c->next)
		if (preorder(c, target, idx))
			return true;
	return false;
}

/* Where node sits in the text: its key (for an object member, when at_key) or its value. */
static bool locate(const P *p, const cJSON *node, int where, size_t *off)
{
	long idx = 0;
	if (!node || !preorder(p->root, node, &idx))
		return false;
	jscan j;
	memset(&j, 0, sizeof j);
	j.s = p->text;
	j.n = p->len;
	j.target = idx;
	js_value(&j, 0, NO_OFF);
	if (!j.found)
		return false;
	*off = where == AT_KEY && j.key_off != NO_OFF ? j.key_off : j.val_off;
	return true;
}

/* The one error of a load: "file:line:col: field.path: what; expected what". */
static bool fail(P *p, const cJSON *at, int where, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	size_t off;
	char pos[32] = "";
	if (locate(p, at, where, &off)) {
		int l, c;
		json_line_col(p->text, off, &l, &c);
		snprintf(pos, sizeof pos, ":%d:%d", l, c);
	}
	put(p->err, p->errlen, "%s%s: %s%s%s", p->file, pos, p->fp, p->fplen ? ": " : "", msg);
	return false;
}

/* Field path: push returns the old length, pop restores it. User-supplied keys are shown
 * cut short and with anything unprintable replaced, since they go to a terminal. */
static size_t fp_key(P *p, const char *key)
{
	size_t old = p->fplen;
	size_t room = sizeof p->fp - 1;
	if (p->fplen && p->fplen < room)
		p->fp[p->fplen++] = '.';
	for (size_t k = 0; key[k] && k < 40 && p->fplen < room; k++) {
		unsigned char c = (unsigned char)key[k];
		p->fp[p->fplen++] = c >= 0x20 && c < 0x7F ? (char)c : '?';
	}
	p->fp[p->fplen] = 0;
	return old;
}

static size_t fp_idx(P *p, int i)
{
	size_t old = p->fplen;
	int n = snprintf(p->fp + p->fplen, sizeof p->fp - p->fplen, "[%d]", i);
	if (n > 0)
		p->fplen = p->fplen + (size_t)n < sizeof p->fp ? p->fplen + (size_t)n :
			   sizeof p->fp - 1;
	return old;
}

static void fp_pop(P *p, size_t old)
{
	p->fplen = old;
	p->fp[old] = 0;
}

/* A short, terminal-safe rendering of a string value, in double quotes. */
static void quote(const char *s, char *buf, size_t len)
{
	size_t o = 0, k = 0;
	if (len < 8)
		return;
	buf[o++] = '"';
	for (; s[k] && o + 9 < len && k < 40; k++) {  /* room for \xNN, "...", the quote, NUL */
		unsigned char c = (unsigned char)s[k];
		if (c < 0x20 || c == 0x7F) {
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", c);
		} else if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else {
			buf[o++] = (char)c;
		}
	}
	if (s[k]) {
		while (o > 1 && ((unsigned char)buf[o - 1] & 0xC0) == 0x80)
			o--;    /* do not cut a character in half */
		if (o > 1 && (unsigned char)buf[o - 1] >= 0xC0)
			o--;
		buf[o++] = '.';
		buf[o++] = '.';
		buf[o++] = '.';
	}
	buf[o++] = '"';
	buf[o] = 0;
}

static void num_text(double d, char *buf, size_t len)
{
	if (isfinite(d) && d == floor(d) && fabs(d) < 1e15)
		snprintf(buf, len, "%.0f", d);
	else
		snprintf(buf, len, "%g", d);
}

/* What a value is, for "got ...": a string ("five"), a number (3.5), an array, ... */
static const char *desc(const cJSON *v, char *buf, size_t len)
{
	char q[64];
	if (cJSON_IsString(v)) {
		quote(v->valuestring, q, sizeof q);
		snprintf(buf, len, "a string (%s)", q);
	} else if (cJSON_IsNumber(v)) {
		num_text(v->valuedouble, q, sizeof q);
		snprintf(buf, len, "a number (%s)", q);
	} else if (cJSON_IsArray(v)) {
		snprintf(buf, len, "an array");
	} else if (cJSON_IsObject(v)) {
		snprintf(buf, len, "an object");
	} else if (cJSON_IsTrue(v)) {
		snprintf(buf, len, "true");
	} else if (cJSON_IsFalse(v)) {
		snprintf(buf, len, "false");
	} else {
		snprintf(buf, len, "null");
	}
	return buf;
}

static bool get_int(P *p, const cJSON *v, int64_t min, int64_t max, int64_t *out)
{
	char b[96];
	if (!cJSON_IsNumber(v))
		return fail(p, v, AT_VALUE, "got %s; expected an integer %lld..%lld",
			    desc(v, b, sizeof b), (long long)min, (long long)max);
	double d = v->valuedouble;
	num_text(d, b, sizeof b);
	if (!isfinite(d))
		return fail(p, v, AT_VALUE, "the number is too large; expected an integer "
			    "%lld..%lld", (long long)min, (long long)max);
	if (d != floor(d))
		return fail(p, v, AT_VALUE, "%s is not an integer; expected an integer %lld..%lld",
			    b, (long long)min, (long long)max);
	if (d < (double)min || d > (double)max)
		return fail(p, v, AT_VALUE, "%s is out of range; expected an integer %lld..%lld", b,
			    (long long)min, (long long)max);
	*out = (int64_t)d;
	return true;
}

static bool get_rate(P *p, const cJSON *v, double *out)
{
	char b[96];
	if (!cJSON_IsNumber(v))
		return fail(p, v, AT_VALUE, "got %s; expected a number 0..1 (a probability)",
			    desc(v, b, sizeof b));
	double d = v->valuedouble;
	num_text(d, b, sizeof b);
	if (!isfinite(d) || d < 0 || d > 1)
		return fail(p, v, AT_VALUE, "%s is out of range; expected a number 0..1 (a "
			    "probability)", b);
	*out = d;
	return true;
}

/* One integer, or [lo, hi] with min <= lo <= hi <= max. */
static bool get_range(P *p, const cJSON *v, int64_t min, int64_t max, int64_t *lo, int64_t *hi)
{
	char b[96];
	if (cJSON_IsNumber(v)) {
		if (!get_int(p, v, min, max, lo))
			return false;
		*hi = *lo;
		return true;
	}
	if (!cJSON_IsArray(v))
		return fail(p, v, AT_VALUE, "got %s; expected an integer %lld..%lld or [lo, hi]",
			    desc(v, b, sizeof b), (long long)min, (long long)max);
	int n = cJSON_GetArraySize(v);
	if (n != 2)
		return fail(p, v, AT_VALUE, "an array of %d value%s; expected [lo, hi] (two "
			    "integers %lld..%lld)", n, n == 1 ? "" : "s", (long long)min,
			    (long long)max);
	int64_t r[2] = {0, 0};
	int k = 0;
	for (const cJSON *e = v->child; e; e = e->next, k++) {
		size_t old = fp_idx(p, k);
		bool ok = get_int(p, e, min, max, &r[k]);
		fp_pop(p, old);
		if (!ok)
			return false;
	}
	if (r[0] > r[1])
		return fail(p, v, AT_VALUE, "[%lld, %lld] has lo > hi; expected [lo, hi] with "
			    "lo <= hi", (long long)r[0], (long long)r[1]);
	*lo = r[0];
	*hi = r[1];
	return true;
}

enum { TXT_ASCII_NAME = 1, TXT_NEWLINES = 2 };

/* A string of minlen..maxlen characters. Display strings go straight to the terminal, so
 * control characters (an escape sequence, a C1 control) are refused; lesson text may break
 * lines. TXT_ASCII_NAME: [a-z0-9-] only. */
static bool get_text(P *p, const cJSON *v, int minlen, int maxlen, int flags, const char *what,
		     const char **out)
{
	char b[96];
	if (!cJSON_IsString(v))
		return fail(p, v, AT_VALUE, "got %s; expected %s", desc(v, b, sizeof b), what);
	const unsigned char *s = (const unsigned char *)v->valuestring;
	int chars = 0;
	for (size_t i = 0; s[i]; i++) {
		unsigned char c = s[i];
		if ((c & 0xC0) != 0x80)
			chars++;
		bool bad;
		if (flags & TXT_ASCII_NAME)
			bad = !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
		else
			bad = (c < 0x20 && !(c == '\n' && (flags & TXT_NEWLINES))) || c == 0x7F ||
			      (c == 0xC2 && s[i + 1] >= 0x80 && s[i + 1] <= 0x9F);
		if (bad) {
			quote(v->valuestring, b, sizeof b);
			if (flags & TXT_ASCII_NAME)
				return fail(p, v, AT_VALUE, "%s has a character other than a-z, 0-9 "
					    "and '-'; expected %s", b, what);
			return fail(p, v, AT_VALUE, "%s has a control character (U+%04X); "
				    "expected %s", b, c == 0xC2 ? s[i + 1] : c, what);
		}
	}
	if (chars < minlen || chars > maxlen) {
		quote(v->valuestring, b, sizeof b);
		return fail(p, v, AT_VALUE, "%s%s is %d characters long; expected %s",
			    chars ? "" : "the empty string", chars ? b : "", chars, what);
	}
	*out = v->valuestring;
	return true;
}

static bool dup_text(P *p, const cJSON *v, const char *s, char **out)
{
	(void)p, (void)v;
	*out = st_strdup(s);
	return true;
}

/* "n1..n5, c1": the processes of the scenario a field may name. */
enum { WANT_PROC, WANT_NODE, WANT_CLIENT };

static void list_kind(char *buf, size_t len, char prefix, int n)
{
	if (n == 1)
		snprintf(buf, len, "%c1", prefix);
	else if (n == 2)
		snprintf(buf, len, "%c1, %c2", prefix, prefix);
	else
		snprintf(buf, len, "%c1..%c%d", prefix, prefix, n);
}

static const char *proc_list(const st_scenario *sc, int want, char *buf, size_t len)
{
	char nodes[24] = "", clients[24] = "";
	if (want != WANT_CLIENT)
		list_kind(nodes, sizeof nodes, 'n', sc->nnodes);
	if (want != WANT_NODE && sc->nclients > 0)
		list_kind(clients, sizeof clients, 'c', sc->nclients);
	snprintf(buf, len, "%s%s%s", nodes, *nodes && *clients ? ", " : "", clients);
	return buf;
}

static bool get_proc(P *p, const cJSON *v, int want, int *out)
{
	static const char *const kinds[] = {"a process", "a node", "a client"};
	char b[96], l[64], q[64];
	const st_scenario *sc = p->sc;
	if (want == WANT_CLIENT && sc->nclients == 0)
		return fail(p, v, AT_VALUE, "this scenario has no clients; expected a client (set "
			    "\"clients\" at the top level)");
	if (!cJSON_IsString(v))
		return fail(p, v, AT_VALUE, "got %s; expected %s: one of %s", desc(v, b, sizeof b),
			    kinds[want], proc_list(sc, want, l, sizeof l));
	quote(v->valuestring, q, sizeof q);
	int i = scenario_proc_index(sc, v->valuestring);
	if (i < 0)
		return fail(p, v, AT_VALUE, "%s is not %s of this scenario; expected one of %s", q,
			    want == WANT_CLIENT ? "a client" : want == WANT_NODE ? "a node" :
			    "a process", proc_list(sc, want, l, sizeof l));
	if (want == WANT_NODE && i >= sc->nnodes)
		return fail(p, v, AT_VALUE, "%s is a client; expected a node: one of %s", q,
			    proc_list(sc, want, l, sizeof l));
	if (want == WANT_CLIENT && i < sc->nnodes)
		return fail(p, v, AT_VALUE, "%s is a node; expected a client: one of %s", q,
			    proc_list(sc, want, l, sizeof l));
	*out = i;
	return true;
}

/* ------------------------------------------------------------------------------------------ */
/* Objects are described by tables of fields: name, required, parser, and what to expect (for
 * "missing" messages). One walker checks unknown and repeated fields and runs the parsers in
 * table order, which is dependency order (nodes before the schedule that names them). */

typedef bool (*field_fn)(P *p, const cJSON *v, void *out);
typedef struct {
	const char *name;
	bool required;
	field_fn fn;
	const char *expect;
} field;

static void field_names(const field *f, int n, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = 0;
	for (int k = 0; k < n && o < len; k++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", k ? ", " : "", f[k].name);
}

static bool parse_object(P *p, const cJSON *obj, const field *f, int n, const char *context,
			 void *out)
{
	char b[512];
	if (!cJSON_IsObject(obj)) {
		char d[96];
		field_names(f, n, b, sizeof b);
		return fail(p, obj, AT_VALUE, "got %s; expected an object with fields %s",
			    desc(obj, d, sizeof d), b);
	}
	for (const cJSON *c = obj->child; c; c = c->next) {
		int k = 0;
		while (k < n && strcmp(f[k].name, c->string) != 0)
			k++;
		size_t old = fp_key(p, c->string);
		if (k == n) {
			field_names(f, n, b, sizeof b);
			fail(p, c, AT_KEY, "unknown field%s; expected one of %s", context, b);
			fp_pop(p, old);
			return false;
		}
		for (const cJSON *d = obj->child; d != c; d = d->next) {
			if (strcmp(d->string, c->string) == 0) {
				fail(p, c, AT_KEY, "the field is given twice; expected it once");
				fp_pop(p, old);
				return false;
			}
		}
		fp_pop(p, old);
	}
	for (int k = 0; k < n; k++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, f[k].name);
		size_t old = fp_key(p, f[k].name);
		bool ok;
		if (!v)
			ok = !f[k].required || fail(p, obj, AT_VALUE, "missing (a required field); "
						    "expected %s", f[k].expect);
		else
			ok = f[k].fn(p, v, out);
		fp_pop(p, old);
		if (!ok)
			return false;
	}
	return true;
}

#define NFIELDS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* --- top-level scalars -------------------------------------------------------------------- */

static bool f_name(P *p, const cJSON *v, void *out)
{
	st_scenario *sc = out;
	const char *s = NULL;
	return get_text(p, v, 1, SC_NAME_LEN, TXT_ASCII_NAME, "1..48 characters of a-z, 0-9 "
			"and '-'", &s) && dup_text(p, v, s, &sc->name);
}

static bool f_title(P *p, const cJSON *v, void *out)
{
	st_scenario *sc = out;
	const char *s = NULL;
	return get_text(p, v, 1, SC_TITLE_LEN, 0, "a title of 1..80 characters", &s) &&
	       dup_text(p, v, s, &sc->title);
}

static bool f_topic(P *p, const cJSON *v, void *out)
{
	st_scenario *sc = out;
	char list[400], b[96];
	size_t o = 0;
	for (int k = 0; k < sc_ntopics; k++) {
		if (cJSON_IsString(v) && strcmp(v->valuestring, sc_topics[k]) == 0)
			return dup_text(p, v, sc_topics[k], &sc->topic);
		o += (size_t)snprintf(list + o, sizeof list - o, "%s\"%s\"", k ? ", " : "",
				      sc_topics[k]);
	}
	if (cJSON_IsString(v))
		quote(v->valuestring, b, sizeof b);
	else
		desc(v, b, sizeof b);
	return fail(p, v, AT_VALUE, "%s%s is not a topic; expected one of %s",
		    cJSON_IsString(v) ? "" : "got ", b, list);
}

static bool f_protocol(P *p, const cJSON *v, void *out)
{
	st_scenario *sc = out;
	char list[400], b[96];
	size_t o = 0;
	for (int k = 0; registry_at(k) && o < sizeof list; k++)
		o += (size_t)snprintf(list + o, sizeof list - o, "%s\"%s\"", k ? ", " : "",
				      registry_at(k)->name);
	if (!cJSON_IsString(v))
		return fail(p, v, AT_VALUE, "got %s; expected a protocol name: one of %s",
			    desc(v, b, sizeof b), list);
	const st_protocol *pr = registry_find(v->valuestring);
	if (!pr) {
		quote(v->valuestring, b, sizeof b);
		return fail(p, v, AT_VALUE, "%s is not a known protocol; expected one of %s", b,
			    list);
	}
	if (pr->n_params > ST_MAX_PARAMS)
		return fail(p, v, AT_VALUE, "protocol \"%s\" declares %d parameters; expected at "
			    "most %d (ST_MAX_PARAMS)", pr->name, pr->n_params, ST_MAX_PARAMS);
	sc->protocol = pr;
	/* Defaults now, so params that are not set keep them. */
	for (int k = 0; k < pr->n_params; k++) {
		const st_param_spec *ps = &pr->params[k];
		sc->params[k].lo = ps->def_lo;
		sc->params[k].hi = ps->type == ST_P_RANGE ? ps->def_hi : ps->def_lo;
	}
	return dup_text(p, v, pr->name, &sc->protocol_name);
}

static bool f_nodes(P *p, const cJSON *v, void *out)
{
	st_scenario *sc = out;
	int64_t n = 0;
	if (!get_int(p, v, 1, SC_MAX_NODES, &n))
		return false;
	sc->nnodes = (int)n;
	sc->nprocs = sc->nnodes + sc->nclients;
	return true;
}

static bool f_clients(P *p, const cJSON *v, void *out)
{
	st_scenario *sc = out;
	int64_t n = 0;
	if (!get_int(p, v, 0, SC_MAX_CLIENTS, &n))
		return false;
	sc->nclients = (int)n;
	sc->nprocs = sc->nnodes + sc->nclients;
	return true;
}

static bool f_seed(P *p, const cJSON *v, void *out)
{
	st_scenario *sc = out;
	int64_t n = 0;
	if (!get_int(p, v, 0, SC_MAX_INT_JSON, &n))
		return false;
	sc->seed = (uint64_t)n;
	return true;
}

/* Where the lesson stands within its topic (lower first), for --list and the picker. */
static bool f_order(P *p, const cJSON *v, void *out)
{
	st_scenario *sc = out;
	int64_t n = 0;
	if (!get_int(p, v, 0, 999, &n))
		return false;
	sc->order = (int)n;
	return true;
}

/* --- network ------------------------------------------------------------------------------ */

static bool f_latency(P *p, const cJSON *v, void *out)
{
	st_scenario *sc = out;
	int64_t lo = 0, hi = 0;
	if (!get_range(p, v, 0, SC_MAX_LATENCY_MS, &lo, &hi))
		return false;
	sc->latency_lo_us = lo * 1000;
	sc->latency_hi_us = hi * 1000;
	return true;
}

static bool f_loss(P *p, const cJSON *v, void *out)
{
	return get_rate(p, v, &((st_scenario *)out)->loss);
}

static bool f_duplicate(P *p, const cJSON *v, void *out)
{
	return get_rate(p, v, &((st_scenario *)out)->duplicate);
}

static const field network_fields[] = {
	{"latency_ms", false, f_latency, "an integer 0..60000 or [lo, hi]"},
	{"loss", false, f_loss, "a number 0..1"},
	{"duplicate", false, f_duplicate, "a number 0..1"},
};

static bool f_network(P *p, const cJSON *v, void *out)
{
	return parse_object(p, v, network_fields, NFIELDS(network_fields), "", out);
}

/* --- params: validated against the protocol's own table, one parser per param type -------- */

static bool param_int(P *p, const cJSON *v, const st_param_spec *ps, st_param_val *out)
{
	if (!get_int(p, v, ps->min, ps->max, &out->lo))
		return false;
	out->hi = out->lo;
	return true;
}

static bool param_range(P *p, const cJSON *v, const st_param_spec *ps, st_param_val *out)
{
	return get_range(p, v, ps->min, ps->max, &out->lo, &out->hi);
}

static bool param_enum(P *p, const cJSON *v, const st_param_spec *ps, st_param_val *out)
{
	char list[400], b[96];
	size_t o = 0;
	list[0] = 0;
	for (int k = 0; ps->choices && ps->choices[k]; k++) {
		if (cJSON_IsString(v) && strcmp(v->valuestring, ps->choices[k]) == 0) {
			out->lo = out->hi = k;
			return true;
		}
		if (o < sizeof list)
			o += (size_t)snprintf(list + o, sizeof list - o, "%s\"%s\"", k ? ", " : "",
					      ps->choices[k]);
	}
	if (!cJSON_IsString(v))
		return fail(p, v, AT_VALUE, "got %s; expected one of %s", desc(v, b, sizeof b),
			    list);
	quote(v->valuestring, b, sizeof b);
	return fail(p, v, AT_VALUE, "%s is not a choice; expected one of %s", b, list);
}

static bool param_bool(P *p, const cJSON *v, const st_param_spec *ps, st_param_val *out)
{
	char b[96];
	(void)ps;
	if (!cJSON_IsBool(v))
		return fail(p, v, AT_VALUE, "got %s; expected true or false", desc(v, b, sizeof b));
	out->lo = out->hi = cJSON_IsTrue(v) ? 1 : 0;
	return true;
}

static bool (*const param_parsers[])(P *, const cJSON *, const st_param_spec *,
				     st_param_val *) = {
	[ST_P_INT] = param_int, [ST_P_RANGE] = param_range,
	[ST_P_ENUM] = param_enum, [ST_P_BOOL] = param_bool,
};

/* A params object of the scenario's protocol, parsed into dst; bit k of *given is set for
 * each param named (the scenario's "params" and each variant's share this). */
static bool params_into(P *p, const cJSON *v, const st_protocol *pr, st_param_val *dst,
			uint64_t *given)
{
	char list[512], b[96];
	size_t o = 0;
	list[0] = 0;
	for (int k = 0; k < pr->n_params && o < sizeof list; k++)
		o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", k ? ", " : "",
				      pr->params[k].name);
	if (!cJSON_IsObject(v))
		return fail(p, v, AT_VALUE, "got %s; expected an object of %s parameters (%s)",
			    desc(v, b, sizeof b), pr->name, pr->n_params ? list : "none");
	for (const cJSON *c = v->child; c; c = c->next) {
		size_t old = fp_key(p, c->string);
		int k = 0;
		while (k < pr->n_params && strcmp(pr->params[k].name, c->string) != 0)
			k++;
		bool ok;
		if (k == pr->n_params) {
			ok = fail(p, c, AT_KEY, "unknown parameter of %s; expected %s%s", pr->name,
				  pr->n_params ? "one of " : "none: it has no parameters",
				  pr->n_params ? list : "");
		} else {
			ok = true;
			for (const cJSON *d = v->child; d != c && ok; d = d->next)
				if (strcmp(d->string, c->string) == 0)
					ok = fail(p, c, AT_KEY, "the parameter is given twice; "
						  "expected it once");
			st_param_type t = pr->params[k].type;
			if (ok && (t < ST_P_INT || t > ST_P_BOOL))
				ok = fail(p, c, AT_KEY, "the protocol declares an unknown type "
					  "%d; expected a fixed protocol table", (int)t);
			if (ok)
				ok = param_parsers[t](p, c, &pr->params[k], &dst[k]);
			if (ok && given && k < 64)
				*given |= 1ull << k;
		}
		fp_pop(p, old);
		if (!ok)
			return false;
	}
	return true;
}

static bool f_params(P *p, const cJSON *v, void *out)
{
	st_scenario *sc = out;
	return params_into(p, v, sc->protocol, sc->params, NULL);
}

/* --- variants: named sets of params a learner switches between ---------------------------- */

typedef struct {
	st_scenario *sc;
	sc_variant *var;
} variant_out;

static bool v_name(P *p, const cJSON *v, void *out)
{
	variant_out *vo = out;
	const char *s = NULL;
	if (!get_text(p, v, 1, SC_NAME_LEN, TXT_ASCII_NAME, "1..48 characters of a-z, 0-9 and '-'",
		      &s))
		return false;
	for (sc_variant *w = vo->sc->variant; w < vo->var; w++)
		if (w->name && strcmp(w->name, s) == 0)
			return fail(p, v, AT_VALUE, "a second variant named \"%s\"; expected each "
				    "variant's name once", s);
	return dup_text(p, v, s, &vo->var->name);
}

static bool v_about(P *p, const cJSON *v, void *out)
{
	variant_out *vo = out;
	const char *s = NULL;
	return get_text(p, v, 1, SC_TITLE_LEN, 0, "one line of 1..80 characters", &s) &&
	       dup_text(p, v, s, &vo->var->about);
}

static bool v_params(P *p, const cJSON *v, void *out)
{
	variant_out *vo = out;
	memcpy(vo->var->params, vo->sc->params, sizeof vo->var->params);
	return params_into(p, v, vo->sc->protocol, vo->var->params, &vo->var->given);
}

static const field variant_fields[] = {
	{"name", true, v_name, "1..48 characters of a-z, 0-9 and '-'"},
	{"params", true, v_params, "an object of the protocol's parameters"},
	{"about", true, v_about, "one line of 1..80 characters"},
};

static bool f_variants(P *p, const cJSON *v, void *out)
{
	st_scenario *sc = out;
	char b[96];
	if (!cJSON_IsArray(v))
		return fail(p, v, AT_VALUE, "got %s; expected an array such as [{\"name\": "
			    "\"request-ids\", \"params\": {...}, \"about\": \"one line\"}]",
			    desc(v, b, sizeof b));
	int n = cJSON_GetArraySize(v);
	if (n > SC_MAX_VARIANTS)
		return fail(p, v, AT_VALUE, "%d variants; expected at most %d (SC_MAX_VARIANTS)", n,
			    SC_MAX_VARIANTS);
	if (n == 0)
		return true;
	sc->variant = st_zalloc((size_t)n, sizeof *sc->variant);
	int k = 0;
	for (const cJSON *e = v->child; e; e = e->next, k++) {
		size_t old = fp_idx(p, k);
		sc->nvariant = k + 1;   /* so scenario_free frees a half-filled entry */
		variant_out vo = {sc, &sc->variant[k]};
		bool ok = parse_object(p, e, variant_fields, NFIELDS(variant_fields),
				       " of a variant", &vo);
		fp_pop(p, old);
		if (!ok)
			return false;
	}
	return true;
}

/* --- clocks -------------------------------------------------------------------------------- */

typedef struct {
	st_scenario *sc;
	int proc;
} clock_out;

static bool f_skew(P *p, const cJSON *v, void *out)
{
	clock_out *c = out;
	int64_t ms = 0;
	if (!get_int(p, v, -SC_MAX_SKEW_MS, SC_MAX_SKEW_MS, &ms))
		return false;
	c->sc->clock_skew_us[c->proc] = ms * 1000;
	return true;
}

static bool f_drift(P *p, const cJSON *v, void *out)
{
	clock_out *c = out;
	int64_t ppm = 0;
	if (!get_int(p, v, -SC_MAX_DRIFT_PPM, SC_MAX_DRIFT_PPM, &ppm))
		return false;
	c->sc->clock_drift_ppm[c->proc] = (int32_t)ppm;
	return true;
}

static const field clock_fields[] = {
	{"skew_ms", false, f_skew, "an integer -3600000..3600000"},
	{"drift_ppm", false, f_drift, "an integer -100000..100000"},
};

static bool f_clocks(P *p, const cJSON *v, void *out)
{
	st_scenario *sc = out;
	char b[96], l[64], q[64];
	if (!cJSON_IsObject(v))
		return fail(p, v, AT_VALUE, "got %s; expected an object such as {\"n1\": "
			    "{\"skew_ms\": -20, \"drift_ppm\": 150}}", desc(v, b, sizeof b));
	for (const cJSON *c = v->child; c; c = c->next) {
		size_t old = fp_key(p, c->string);
		int proc = scenario_proc_index(sc, c->string);
		bool ok = true;
		if (proc < 0) {
			quote(c->string, q, sizeof q);
			ok = fail(p, c, AT_KEY, "%s is not a process of this scenario; expected "
				  "one of %s", q, proc_list(sc, WANT_PROC, l, sizeof l));
		}
		for (const cJSON *d = v->child; d != c && ok; d = d->next)
			if (strcmp(d->string, c->string) == 0)
				ok = fail(p, c, AT_KEY, "the process is given twice; expected it "
					  "once");
		clock_out co = {sc, proc};
		if (ok)
			ok = parse_object(p, c, clock_fields, NFIELDS(clock_fields), "", &co);
		fp_pop(p, old);
		if (!ok)
			return false;
	}
	return true;
}

/* --- workload ------------------------------------------------------------------------------ */

static bool f_ops(P *p, const cJSON *v, void *out)
{
	st_scenario *sc = out;
	int64_t n = 0;
	if (!get_int(p, v, 0, SC_MAX_OPS, &n))
		return false;
	if (n > 0 && sc->nclients == 0)
		return fail(p, v, AT_VALUE, "%lld operations but the scenario has no clients; "
			    "expected \"clients\" of 1..%d at the top level, or 0 ops", (long long)n,
			    SC_MAX_CLIENTS);
	sc->workload_ops = (int)n;
	return true;
}

static bool f_start(P *p, const cJSON *v, void *out)
{
	st_scenario *sc = out;
	int64_t ms = 0;
	if (!get_int(p, v, 0, SC_MAX_TIME_MS, &ms))
		return false;
	sc->workload_start_us = ms * 1000;
	return true;
}

static bool f_think(P *p, const cJSON *v, void *out)
{
	st_scenario *sc = out;
	int64_t lo = 0, hi = 0;
	if (!get_range(p, v, 0, SC_MAX_TIME_MS, &lo, &hi))
		return false;
	sc->think_lo_us = lo * 1000;
	sc->think_hi_us = hi * 1000;
	return true;
}

/* An operation name: short, and safe to print and to put in a trace unquoted. */
static bool get_opname(P *p, const cJSON *v, char out[ST_NAME_MAX])
{
	char b[96];
	static const char what[] = "an operation name of 1..15 characters of a-z, A-Z, 0-9, "
				   "'_' and '-'";
	if (!cJSON_IsString(v))
		return fail(p, v, AT_VALUE, "got %s; expected %s", desc(v, b, sizeof b), what);
	const char *s = v->valuestring;
	size_t n = strlen(s);
	bool ok = n >= 1 && n < ST_NAME_MAX;
	for (size_t k = 0; ok && k < n; k++)
		ok = (s[k] >= 'a' && s[k] <= 'z') || (s[k] >= 'A' && s[k] <= 'Z') ||
		     (s[k] >= '0' && s[k] <= '9') || s[k] == '_' || s[k] == '-';
	if (!ok) {
		quote(s, b, sizeof b);
		return fail(p, v, AT_VALUE, "%s is not a valid operation name; expected %s", b,
			    what);
	}
	memcpy(out, s, n + 1);
	return true;
}

static bool f_wl_f(P *p, const cJSON *v, void *out)
{
	return get_opname(p, v, ((st_scenario *)out)->workload_f);
}

static const field workload_fields[] = {
	{"ops", false, f_ops, "an integer 0..1000000"},
	{"start_ms", false, f_start, "an integer 0..86400000"},
	{"think_ms", false, f_think, "an integer 0..86400000 or [lo, hi]"},
	{"f", false, f_wl_f, "an operation name such as \"write\""},
};

static bool f_workload(P *p, const cJSON *v, void *out)
{
	return parse_object(p, v, workload_fields, NFIELDS(workload_fields), "", out);
}

/* --- schedule: a table of actions, each with the fields it allows --------------------------- */

static bool it_at(P *p, const cJSON *v, void *out)
{
	int64_t ms = 0;
	if (!get_int(p, v, 0, SC_MAX_TIME_MS, &ms))
		return false;
	((sc_item *)out)->at_us = ms * 1000;
	return true;
}

static bool it_do(P *p, const cJSON *v, void *out)
{
	(void)p, (void)v, (void)out;    /* read first, to choose the table */
	return true;
}

static bool it_proc(P *p, const cJSON *v, void *out)
{
	return get_proc(p, v, WANT_PROC, &((sc_item *)out)->proc);
}

static bool it_client(P *p, const cJSON *v, void *out)
{
	return get_proc(p, v, WANT_CLIENT, &((sc_item *)out)->proc);
}

static bool it_node(P *p, const cJSON *v, void *out)
{
	sc_item *it = out;
	if (!get_proc(p, v, WANT_NODE, &it->node))
		return false;
	it->op.node = it->node;
	return true;
}

static bool it_rate(P *p, const cJSON *v, void *out)
{
	return get_rate(p, v, &((sc_item *)out)->rate);
}

static bool it_latency(P *p, const cJSON *v, void *out)
{
	sc_item *it = out;
	if (!get_range(p, v, 0, SC_MAX_LATENCY_MS, &it->lo_us, &it->hi_us))
		return false;
	it->lo_us *= 1000;
	it->hi_us *= 1000;
	return true;
}

static bool op_f(P *p, const cJSON *v, void *out)
{
	return get_opname(p, v, ((st_op *)out)->f);
}

static bool op_value(P *p, const cJSON *v, void *out)
{
	st_op *op = out;
	if (!get_int(p, v, -SC_MAX_INT_JSON, SC_MAX_INT_JSON, &op->value))
		return false;
	op->has_value = true;
	return true;
}

static const field op_fields[] = {
	{"f", true, op_f, "an operation name such as \"write\""},
	{"value", false, op_value, "an integer"},
};

static bool it_op(P *p, const cJSON *v, void *out)
{
	return parse_object(p, v, op_fields, NFIELDS(op_fields), "", &((sc_item *)out)->op);
}

static bool it_groups(P *p, const cJSON *v, void *out)
{
	sc_item *it = out;
	const st_scenario *sc = p->sc;
	char b[96], l[64];
	/* Where each process was first seen, for "already in groups[0]". */
	int seen_group[ST_MAX_PROCS];
	for (int k = 0; k < ST_MAX_PROCS; k++)
		seen_group[k] = -1;
	if (!cJSON_IsArray(v))
		return fail(p, v, AT_VALUE, "got %s; expected an array of groups such as "
			    "[[\"n1\", \"n2\"], [\"n3\"]]", desc(v, b, sizeof b));
	int ng = cJSON_GetArraySize(v);
	if (ng == 0)
		return fail(p, v, AT_VALUE, "no groups; expected at least one group of processes");
	if (ng > SC_MAX_GROUPS)
		return fail(p, v, AT_VALUE, "%d groups; expected at most %d (SC_MAX_GROUPS)", ng,
			    SC_MAX_GROUPS);
	int g = 0;
	for (const cJSON *grp = v->child; grp; grp = grp->next, g++) {
		size_t old = fp_idx(p, g);
		bool ok = true;
		if (!cJSON_IsArray(grp))
			ok = fail(p, grp, AT_VALUE, "got %s; expected a group: an array of process "
				  "names from %s", desc(grp, b, sizeof b),
				  proc_list(sc, WANT_PROC, l, sizeof l));
		else if (!grp->child)
			ok = fail(p, grp, AT_VALUE, "an empty group; expected at least one process "
				  "name from %s", proc_list(sc, WANT_PROC, l, sizeof l));
		int e = 0;
		for (const cJSON *m = ok ? grp->child : NULL; m && ok; m = m->next, e++) {
			size_t old2 = fp_idx(p, e);
			int proc = 0;
			ok = get_proc(p, m, WANT_PROC, &proc);
			if (ok && seen_group[proc] >= 0) {
				quote(m->valuestring, b, sizeof b);
				ok = seen_group[proc] == g ?
				     fail(p, m, AT_VALUE, "%s is listed twice in this group; "
					  "expected each process once", b) :
				     fail(p, m, AT_VALUE, "%s is already in groups[%d]; expected "
					  "each process in at most one group", b, seen_group[proc]);
			}
			if (ok) {
				seen_group[proc] = g;
				it->group[proc] = (int8_t)g;
			}
			fp_pop(p, old2);
		}
		fp_pop(p, old);
		if (!ok)
			return false;
	}
	it->ngroups = ng;
	return true;
}

#define AT {"at_ms", true, it_at, "an integer 0..86400000 (ms of virtual time)"}
#define DO {"do", true, it_do, "an action"}
#define PROC {"proc", true, it_proc, "a process name such as \"n1\""}
#define RATE {"rate", true, it_rate, "a number 0..1"}
static const field act_partition[] = {
	AT, DO, {"groups", true, it_groups, "groups such as [[\"n1\", \"n2\"], [\"n3\"]]"},
};
static const field act_heal[] = {AT, DO};
static const field act_proc[] = {AT, DO, PROC};
static const field act_request[] = {
	AT, DO, {"client", true, it_client, "a client name such as \"c1\""},
	{"op", true, it_op, "an operation such as {\"f\": \"write\", \"value\": 3}"},
	{"node", false, it_node, "a node name such as \"n1\""},
};
static const field act_rate[] = {AT, DO, RATE};
static const field act_latency[] = {
	AT, DO, {"latency_ms", true, it_latency, "an integer 0..60000 or [lo, hi]"},
};
#undef AT
#undef DO
#undef PROC
#undef RATE

static const struct {
	const field *fields;
	int n;
} actions[DO__COUNT] = {
	[DO_PARTITION] = {act_partition, NFIELDS(act_partition)},
	[DO_HEAL] = {act_heal, NFIELDS(act_heal)},
	[DO_CRASH] = {act_proc, NFIELDS(act_proc)},
	[DO_RESTART] = {act_proc, NFIELDS(act_proc)},
	[DO_PAUSE] = {act_proc, NFIELDS(act_proc)},
	[DO_RESUME] = {act_proc, NFIELDS(act_proc)},
	[DO_REQUEST] = {act_request, NFIELDS(act_request)},
	[DO_LOSS] = {act_rate, NFIELDS(act_rate)},
	[DO_DUPLICATE] = {act_rate, NFIELDS(act_rate)},
	[DO_LATENCY] = {act_latency, NFIELDS(act_latency)},
};

static bool parse_item(P *p, const cJSON *v, sc_item *it)
{
	char b[96], list[200];
	size_t o = 0;
	for (int a = 1; a < DO__COUNT; a++)
		o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", a > 1 ? ", " : "",
				      sc_action_names[a]);
	if (!cJSON_IsObject(v))
		return fail(p, v, AT_VALUE, "got %s; expected an object such as {\"at_ms\": 100, "
			    "\"do\": \"crash\", \"proc\": \"n1\"}", desc(v, b, sizeof b));
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(v, "do");
	if (!d)
		return fail(p, v, AT_VALUE, "no \"do\" field; expected \"do\": one of %s", list);
	int a = 1;
	while (a < DO__COUNT && !(cJSON_IsString(d) && strcmp(d->valuestring,
							      sc_action_names[a]) == 0))
		a++;
	if (a == DO__COUNT) {
		size_t old = fp_key(p, "do");
		if (cJSON_IsString(d)) {
			quote(d->valuestring, b, sizeof b);
			fail(p, d, AT_VALUE, "%s is not an action; expected one of %s", b, list);
		} else {
			fail(p, d, AT_VALUE, "got %s; expected an action: one of %s",
			     desc(d, b, sizeof b), list);
		}
		fp_pop(p, old);
		return false;
	}
	memset(it, 0, sizeof *it);
	it->action = (sc_action)a;
	it->proc = it->node = it->op.node = -1;
	memset(it->group, -1, sizeof it->group);
	char ctx[48];
	snprintf(ctx, sizeof ctx, " for \"do\": \"%s\"", sc_action_names[a]);
	return parse_object(p, v, actions[a].fields, actions[a].n, ctx, it);
}

/* Stable sort by time: an index breaks ties, so same-time items keep file order. */
typedef struct {
	int64_t at;
	int idx;
} sort_key;

static int cmp_key(const void *a, const void *b)
{
	const sort_key *x = a, *y = b;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

static bool f_schedule(P *p, const cJSON *v, void *out)
{
	st_scenario *sc = out;
	char b[96];
	if (!cJSON_IsArray(v))
		return fail(p, v, AT_VALUE, "got %s; expected an array of actions such as "
			    "[{\"at_ms\": 900, \"do\": \"heal\"}]", desc(v, b, sizeof b));
	int n = cJSON_GetArraySize(v);
	if (n > SC_MAX_SCHEDULE)
		return fail(p, v, AT_VALUE, "%d items; expected at most %d (SC_MAX_SCHEDULE)", n,
			    SC_MAX_SCHEDULE);
	if (n == 0)
		return true;
	sc->schedule = st_zalloc((size_t)n, sizeof *sc->schedule);
	sort_key *keys = st_zalloc((size_t)n, sizeof *keys);
	sc_item *tmp = st_zalloc((size_t)n, sizeof *tmp);
	bool ok = true;
	int k = 0;
	for (const cJSON *e = v->child; e && ok; e = e->next, k++) {
		size_t old = fp_idx(p, k);
		ok = parse_item(p, e, &tmp[k]);
		fp_pop(p, old);
		keys[k].at = tmp[k].at_us;
		keys[k].idx = k;
	}
	if (ok) {
		qsort(keys, (size_t)n, sizeof *keys, cmp_key);
		for (k = 0; k < n; k++)
			sc->schedule[k] = tmp[keys[k].idx];
		sc->nschedule = n;
	}
	free(keys);
	free(tmp);
	return ok;
}

/* --- lesson -------------------------------------------------------------------------------- */

/* "start", "label:<text>", "kind:<event kind>" or "at_ms:<n>": a table of prefixes, each with
 * a check of what follows that writes "<what is wrong>; expected <what>" when it fails. */
static bool when_start(const char *rest, char *why, size_t len)
{
	(void)why, (void)len;
	return !*rest;
}

static bool when_label(const char *rest, char *why, size_t len)
{
	if (!*rest) {
		snprintf(why, len, "the label is empty; expected \"label:<text>\" with the text of "
			 "a label, such as \"label:became leader\"");
		return false;
	}
	for (const unsigned char *s = (const unsigned char *)rest; *s; s++)
		if (*s < 0x20 || *s == 0x7F) {
			snprintf(why, len, "the label has a control character; expected printable "
				 "text");
			return false;
		}
	return true;
}

static bool when_kind(const char *rest, char *why, size_t len)
{
	if (trace_kind_from_name(rest) >= 0)
		return true;
	char q[64];
	quote(rest, q, sizeof q);
	size_t o = (size_t)snprintf(why, len, "%s is not an event kind; expected kind: and one of",
				    q);
	for (int k = 0; k < KIND__COUNT && o < len; k++)
		o += (size_t)snprintf(why + o, len - o, " %s", trace_kinds[k].name);
	return false;
}

static bool when_at(const char *rest, char *why, size_t len)
{
	long long ms = 0;
	size_t k = 0;
	for (; rest[k] >= '0' && rest[k] <= '9' && k < 9; k++)
		ms = ms * 10 + (rest[k] - '0');
	if (k == 0 || rest[k] || ms > SC_MAX_TIME_MS) {
		char q[64];
		quote(rest, q, sizeof q);
		snprintf(why, len, "%s is not a time; expected at_ms: and an integer 0..%d",
			 q, SC_MAX_TIME_MS);
		return false;
	}
	return true;
}

static const struct {
	const char *prefix;
	bool (*check)(const char *rest, char *why, size_t len);
} whens[] = {
	{"start", when_start}, {"label:", when_label}, {"kind:", when_kind},
	{"at_ms:", when_at},
};

static bool l_when(P *p, const cJSON *v, void *out)
{
	sc_lesson *ls = out;
	static const char what[] = "\"start\", \"label:<text>\", \"kind:<event kind>\" or "
				   "\"at_ms:<n>\"";
	char b[96], why[300] = "";
	if (!cJSON_IsString(v))
		return fail(p, v, AT_VALUE, "got %s; expected %s", desc(v, b, sizeof b), what);
	const char *s = v->valuestring;
	for (size_t k = 0; k < sizeof whens / sizeof whens[0]; k++) {
		size_t n = strlen(whens[k].prefix);
		if (strncmp(s, whens[k].prefix, n) != 0)
			continue;
		if (whens[k].check(s + n, why, sizeof why))
			return dup_text(p, v, s, &ls->when);
		if (*why)
			return fail(p, v, AT_VALUE, "%s", why);
	}
	quote(s, b, sizeof b);
	return fail(p, v, AT_VALUE, "%s is not a moment; expected %s", b, what);
}

static bool l_text(P *p, const cJSON *v, void *out)
{
	const char *s = NULL;
	return get_text(p, v, 1, SC_TEXT_LEN, TXT_NEWLINES, "a text of 1..2000 characters", &s) &&
	       dup_text(p, v, s, &((sc_lesson *)out)->text);
}

static const field lesson_fields[] = {
	{"when", true, l_when, "\"start\", \"label:<text>\", \"kind:<kind>\" or \"at_ms:<n>\""},
	{"text", true, l_text, "a text of 1..2000 characters"},
};

static bool f_lesson(P *p, const cJSON *v, void *out)
{
	st_scenario *sc = out;
	char b[96];
	if (!cJSON_IsArray(v))
		return fail(p, v, AT_VALUE, "got %s; expected an array such as [{\"when\": "
			    "\"start\", \"text\": \"...\"}]", desc(v, b, sizeof b));
	int n = cJSON_GetArraySize(v);
	if (n > SC_MAX_LESSON)
		return fail(p, v, AT_VALUE, "%d items; expected at most %d (SC_MAX_LESSON)", n,
			    SC_MAX_LESSON);
	if (n == 0)
		return true;
	sc->lesson = st_zalloc((size_t)n, sizeof *sc->lesson);
	int k = 0;
	for (const cJSON *e = v->child; e; e = e->next, k++) {
		size_t old = fp_idx(p, k);
		sc->nlesson = k + 1;    /* so scenario_free frees a half-filled entry */
		bool ok = parse_object(p, e, lesson_fields, NFIELDS(lesson_fields), "",
				       &sc->lesson[k]);
		fp_pop(p, old);
		if (!ok)
			return false;
	}
	return true;
}

/* --- the top level ------------------------------------------------------------------------- */

static const field top_fields[] = {
	{"name", true, f_name, "a name of 1..48 characters of a-z, 0-9 and '-'"},
	{"title", true, f_title, "a title of 1..80 characters"},
	{"topic", true, f_topic, "a topic such as \"Failure and time\""},
	{"order", false, f_order, "an integer 0..999 (the lesson's place in its topic)"},
	{"protocol", true, f_protocol, "the name of a registered protocol (spacetime --list shows the lessons)"},
	{"nodes", true, f_nodes, "an integer 1..16"},
	{"clients", false, f_clients, "an integer 0..8"},
	{"seed", false, f_seed, "an integer 0..2^53"},
	{"network", false, f_network, "an object"},
	{"params", false, f_params, "an object"},
	{"variants", false, f_variants, "an array of {\"name\", \"params\", \"about\"}"},
	{"clocks", false, f_clocks, "an object"},
	{"workload", false, f_workload, "an object"},
	{"schedule", false, f_schedule, "an array"},
	{"lesson", false, f_lesson, "an array"},
};

static bool parse_scenario(P *p)
{
	st_scenario *sc = p->sc;
	sc->seed = 1;
	sc->order = 500;
	sc->latency_lo_us = 10 * 1000;
	sc->latency_hi_us = 40 * 1000;
	sc->think_lo_us = sc->think_hi_us = 100 * 1000;
	strcpy(sc->workload_f, "write");
	if (!cJSON_IsObject(p->root)) {
		char b[96];
		return fail(p, p->root, AT_VALUE, "the top level is %s; expected an object "
			    "{\"name\": ..., \"protocol\": ..., ...}", desc(p->root, b, sizeof b));
	}
	return parse_object(p, p->root, top_fields, NFIELDS(top_fields), "", sc);
}

st_scenario *scenario_parse(const char *text, size_t len, const char *path, char *err,
			    size_t errlen)
{
	if (!path)
		path = "(scenario)";
	if (!text)
		text = "", len = 0;
	if (len > SC_MAX_FILE) {
		put(err, errlen, "%s: the file is %zu bytes; expected at most %u bytes (4 MiB)",
		    path, len, SC_MAX_FILE);
		return NULL;
	}
	char why[256];
	int l, c;
	size_t bad = check_encoding((const unsigned char *)text, len, why, sizeof why);
	if (bad < len) {
		json_line_col(text, bad, &l, &c);
		put(err, errlen, "%s:%d:%d: invalid JSON: %s", path, l, c, why);
		return NULL;
	}
	jscan j;
	if (!js_check(&j, text, len)) {
		json_line_col(text, j.err_off, &l, &c);
		put(err, errlen, "%s:%d:%d: invalid JSON: %s", path, l, c, j.msg);
		return NULL;
	}
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, false);
	if (!root) {
		/* The scanner passed it, so this is cJSON running out of memory, or a case
		 * the two disagree on: still report where. */
		size_t off = end && end >= text && end <= text + len ? (size_t)(end - text) : 0;
		json_line_col(text, off, &l, &c);
		put(err, errlen, "%s:%d:%d: invalid JSON: cJSON could not parse this (out of "
		    "memory?); expected a smaller file", path, l, c);
		return NULL;
	}
	st_scenario *sc = st_zalloc(1, sizeof *sc);
	sc->variant_in_use = -1;
	P p = {.text = text, .len = len, .file = path, .root = root, .err = err,
	       .errlen = errlen, .sc = sc};
	bool ok = parse_scenario(&p);
	if (ok) {
		sc->path = st_strdup(path);
		memcpy(sc->base_params, sc->params, sizeof sc->base_params);
	}
	cJSON_Delete(root);
	if (!ok) {
		scenario_free(sc);
		return NULL;
	}
	return sc;
}

void scenario_free(st_scenario *sc)
{
	if (!sc)
		return;
	free(sc->path);
	free(sc->name);
	free(sc->title);
	free(sc->topic);
	free(sc->protocol_name);
	free(sc->schedule);
	for (int k = 0; k < sc->nlesson; k++) {
		free(sc->lesson[k].when);
		free(sc->lesson[k].text);
	}
	free(sc->lesson);
	for (int k = 0; k < sc->nvariant; k++) {
		free(sc->variant[k].name);
		free(sc->variant[k].about);
	}
	free(sc->variant);
	free(sc);
}

int scenario_variant_index(const st_scenario *sc, const char *name)
{
	for (int k = 0; sc && name && k < sc->nvariant; k++)
		if (strcmp(sc->variant[k].name, name) == 0)
			return k;
	return -1;
}

bool scenario_use_variant(st_scenario *sc, const char *name, char *err, size_t errlen)
{
	if (!name || !*name) {
		memcpy(sc->params, sc->base_params, sizeof sc->params);
		sc->variant_in_use = -1;
		return true;
	}
	int k = scenario_variant_index(sc, name);
	if (k < 0) {
		char list[512] = "";
		size_t o = 0;
		for (int i = 0; i < sc->nvariant && o < sizeof list; i++)
			o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", i ? ", " : "",
					      sc->variant[i].name);
		put(err, errlen, "%s: no variant named '%s'; expected %s%s", sc->path ? sc->path :
		    sc->name, name, sc->nvariant ? "one of " : "none: this scenario has no variants",
		    list);
		return false;
	}
	memcpy(sc->params, sc->variant[k].params, sizeof sc->params);
	sc->variant_in_use = k;
	return true;
}

/* ------------------------------------------------------------------------------------------ */
/* Files */

st_scenario *scenario_load(const char *path, char *err, size_t errlen)
{
	if (!path || !*path) {
		put(err, errlen, "%s: cannot read: %s", path ? path : "(null)", strerror(ENOENT));
		return NULL;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		put(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		return NULL;
	}
	struct stat st;
	int e = fstat(fd, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
	if (e) {
		close(fd);
		put(err, errlen, "%s: cannot read: %s", path, strerror(e));
		return NULL;
	}
	if (S_ISREG(st.st_mode) && st.st_size > (off_t)SC_MAX_FILE) {
		close(fd);
		put(err, errlen, "%s: the file is %lld bytes; expected at most %u bytes (4 MiB)",
		    path, (long long)st.st_size, SC_MAX_FILE);
		return NULL;
	}
	/* Read at most one byte past the limit (a pipe or a device has no size to trust). */
	size_t cap = S_ISREG(st.st_mode) && (uint64_t)st.st_size < SC_MAX_FILE
		     ? (size_t)st.st_size + 1 : 65536, n = 0;
	char *buf = st_alloc(cap + 1);
	for (;;) {
		if (n == cap) {
			if (cap > SC_MAX_FILE)
				break;
			cap *= 2;
			buf = st_realloc(buf, cap + 1);
			continue;
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			close(fd);
			put(err, errlen, "%s: cannot read: %s", path, strerror(e));
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = 0;
	if (n > SC_MAX_FILE) {
		free(buf);
		put(err, errlen, "%s: the file is over %u bytes; expected at most %u bytes (4 MiB)",
		    path, SC_MAX_FILE, SC_MAX_FILE);
		return NULL;
	}
	st_scenario *sc = scenario_parse(buf, n, path, err, errlen);
	free(buf);
	return sc;
}

/* ------------------------------------------------------------------------------------------ */
/* Process names */

void scenario_proc_name(const st_scenario *sc, int p, char *out, size_t outlen)
{
	st_proc_name(p, sc ? sc->nnodes : 0, sc ? sc->nprocs : 0, out, outlen);
}

int scenario_proc_index(const st_scenario *sc, const char *name)
{
	return sc ? st_proc_index(name, sc->nnodes, sc->nclients) : -1;
}

/* ------------------------------------------------------------------------------------------ */
/* --param KEY=VALUE: one parameter set after loading, validated by the same parsers as the
 * file's "params". VALUE is read as JSON when it is JSON (150, true, [150, 300]) and as a
 * string otherwise (commit-old-term), so the command line needs no quoting of enum words. */

int scenario_set_param(st_scenario *sc, const char *key, const char *value, char *err,
		       size_t errlen)
{
	size_t kl = strlen(key), vl = strlen(value);
	if (!kl || kl > 64 || vl > 256) {
		put(err, errlen, "--param %.64s: expected KEY=VALUE with a key of 1 to 64 "
		    "characters and a value of at most 256", key);
		return -1;
	}
	/* {"key": value}: value verbatim when it parses on its own, else as a JSON string */
	cJSON *alone = cJSON_ParseWithLength(value, vl);
	bool verbatim = alone && !cJSON_IsString(alone) && !cJSON_IsObject(alone);
	cJSON_Delete(alone);
	char *text = st_alloc(kl + 2 * vl + 16);
	size_t n = 0;
	text[n++] = '{';
	text[n++] = '"';
	for (size_t i = 0; i < kl; i++)
		text[n++] = key[i] == '"' || key[i] == '\\' || (unsigned char)key[i] < 0x20 ? '?' : key[i];
	text[n++] = '"';
	text[n++] = ':';
	if (verbatim) {
		memcpy(text + n, value, vl);
		n += vl;
	} else {
		text[n++] = '"';
		for (size_t i = 0; i < vl; i++) {
			unsigned char c = (unsigned char)value[i];
			if (c == '"' || c == '\\')
				text[n++] = '\\';
			text[n++] = c < 0x20 ? '?' : (char)c;
		}
		text[n++] = '"';
	}
	text[n++] = '}';
	text[n] = 0;
	cJSON *root = cJSON_ParseWithLength(text, n);
	int rc = -1;
	if (!root) {
		put(err, errlen, "--param %s=%s: cannot read the value; expected a number, true, "
		    "false, [lo, hi] or a word", key, value);
	} else {
		P p;
		memset(&p, 0, sizeof p);
		p.text = text;
		p.len = n;
		p.file = "--param";
		p.root = root;
		p.err = err;
		p.errlen = errlen;
		p.sc = sc;
		fp_key(&p, "params");
		/* the protocol table decides, exactly as for the file */
		rc = f_params(&p, root, sc) ? 0 : -1;
	}
	cJSON_Delete(root);
	free(text);
	return rc;
}
