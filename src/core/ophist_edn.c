/* ophist_edn.c: a small EDN reader, and Jepsen's EDN histories read with it (see ophist.h).
 *
 * EDN (extensible data notation) is what Jepsen writes: nil, true/false, integers, strings,
 * keywords (:ok), symbols, vectors [], lists (), maps {}, sets #{}, tags (#inst "...") and
 * comments. This reader covers all of them, interning every value into the history's pool
 * (a list or a set is kept as a vector: the checker compares values, it does not evaluate).
 * Floats and characters are kept as their text. An integer that does not fit 64 bits is an
 * error, not a wrap; nesting deeper than EDN_MAX_DEPTH is an error, not a stack overflow.
 *
 * A history is a sequence of operation maps, one a line as Jepsen writes them (a vector of
 * maps is read too). Each needs :process, :type and :f; :value and :key are optional. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/mem.h"
#include "ophist.h"

#define EDN_MAX_DEPTH 64

static bool edn_fail(edn_reader *r, size_t off, const char *fmt, const char *what)
{
	uint32_t line, col;
	edn_line_col(r, off, &line, &col);
	char msg[256];
	snprintf(msg, sizeof msg, fmt, what);
	snprintf(r->err, r->errlen, "%s:%u:%u: %s", r->name, line, col, msg);
	return false;
}

void edn_line_col(edn_reader *r, size_t off, uint32_t *line, uint32_t *col)
{
	if (off < r->cur_off || !r->cur_line) {
		r->cur_off = r->cur_start = 0;
		r->cur_line = 1;
	}
	for (size_t i = r->cur_off; i < off; i++)
		if (r->s[i] == '\n') {
			r->cur_line++;
			r->cur_start = i + 1;
		}
	r->cur_off = off;
	*line = r->cur_line;
	*col = (uint32_t)(off - r->cur_start + 1);
}

bool edn_skip_ws(edn_reader *r)
{
	while (r->i < r->len) {
		char c = r->s[r->i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',')
			r->i++;
		else if (c == ';')
			while (r->i < r->len && r->s[r->i] != '\n')
				r->i++;
		else
			return true;
	}
	return false;
}

static bool edn_delim(char c)
{
	return c == 0 || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' ||
	       c == '[' || c == ']' || c == '(' || c == ')' || c == '{' || c == '}' || c == '"' ||
	       c == ';';
}

/* A token: a symbol, keyword, number or character, up to a delimiter. */
static size_t edn_token_end(const edn_reader *r, size_t i)
{
	while (i < r->len && !edn_delim(r->s[i]))
		i++;
	return i;
}

static bool edn_number(edn_reader *r, lin_vals *p, size_t start, size_t end, uint32_t *out)
{
	const char *s = r->s + start;
	size_t n = end - start, k = 0;
	bool neg = false;
	if (s[0] == '-' || s[0] == '+')
		neg = s[k++] == '-';
	bool integer = true;
	for (size_t j = k; j < n; j++)
		if (!(s[j] >= '0' && s[j] <= '9') && !(j == n - 1 && s[j] == 'N'))
			integer = false;
	if (!integer) {
		/* 1.5, 1e3, 2M, 0x1f, 1/2: kept as their text; checked only for a plausible shape */
		for (size_t j = k; j < n; j++)
			if (!strchr("0123456789.eE+-MxXabcdefABCDEF/", s[j]))
				return edn_fail(r, start, "%s is not a number", "this");
		*out = lin_vals_scalar(p, LV_OTHER, s, n, 0);
		return true;
	}
	uint64_t v = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (size_t j = k; j < n && s[j] != 'N'; j++) {
		uint64_t d = (uint64_t)(s[j] - '0');
		if (v > (lim - d) / 10) {
			char b[48];
			snprintf(b, sizeof b, "%.*s%s", (int)(n > 30 ? 30 : n), s, n > 30 ? "..." : "");
			return edn_fail(r, start, "the number %s does not fit in 64 bits", b);
		}
		v = v * 10 + d;
	}
	int64_t i = neg ? (v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v) : (int64_t)v;
	*out = lin_vals_scalar(p, LV_INT, NULL, 0, i);
	return true;
}

static void edn_utf8(char *o, size_t *n, uint32_t cp)
{
	if (cp < 0x80) {
		o[(*n)++] = (char)cp;
	} else if (cp < 0x800) {
		o[(*n)++] = (char)(0xc0 | (cp >> 6));
		o[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else {
		o[(*n)++] = (char)(0xe0 | (cp >> 12));
		o[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[(*n)++] = (char)(0x80 | (cp & 0x3f));
	}
}

static bool edn_string(edn_reader *r, lin_vals *p, uint32_t *out)
{
	size_t start = r->i++, n = 0, end = r->i;
	while (end < r->len && r->s[end] != '"')
		end += r->s[end] == '\\' ? 2 : 1;
	char *buf = st_alloc(end - r->i + 4);  /* an escape never writes more than it reads */
	for (;;) {
		if (r->i >= r->len) {
			free(buf);
			return edn_fail(r, start, "%s string is not closed: the history is cut short "
					"(expected a closing \")", "this");
		}
		char c = r->s[r->i++];
		if (c == '"')
			break;
		if (c != '\\') {
			buf[n++] = c;
			continue;
		}
		if (r->i >= r->len)
			continue;  /* reported as unclosed above */
		char e = r->s[r->i++];
		static const char from[] = "tnrbf\"\\/", to[] = "\t\n\r\b\f\"\\/";
		const char *k = strchr(from, e);
		if (e && k) {
			buf[n++] = to[k - from];
		} else if (e == 'u' && r->i + 4 <= r->len) {
			char hex[5] = {0};
			memcpy(hex, r->s + r->i, 4);
			char *end;
			unsigned long cp = strtoul(hex, &end, 16);
			if (*end) {
				free(buf);
				return edn_fail(r, r->i - 2, "%s: expected four hex digits after \\u",
						"bad escape");
			}
			r->i += 4;
			edn_utf8(buf, &n, (uint32_t)cp);
		} else {
			free(buf);
			return edn_fail(r, r->i - 2, "unknown escape in a string (%s)",
					"expected \\t \\n \\r \\\" \\\\ or \\uXXXX");
		}
	}
	*out = lin_vals_scalar(p, LV_STR, buf, n, 0);
	free(buf);
	return true;
}

static bool edn_read_at(edn_reader *r, lin_vals *p, uint32_t *out);

static bool edn_seq(edn_reader *r, lin_vals *p, char close, lin_vtype type, uint32_t *out)
{
	size_t start = r->i - 1;
	if (r->depth >= EDN_MAX_DEPTH)
		return edn_fail(r, start, "nested deeper than %s levels", "64");
	r->depth++;
	bool record = r->depth == r->pos_depth;
	if (record)
		r->npos = 0;
	uint32_t stack[16], *kids = stack;
	size_t n = 0, cap = 16;
	bool ok = true;
	for (;;) {
		if (!edn_skip_ws(r)) {
			char want[48];
			snprintf(want, sizeof want, "expected '%c': the history is cut short", close);
			ok = edn_fail(r, start, "this form is not closed (%s)", want);
			break;
		}
		char c = r->s[r->i];
		if (c == close) {
			r->i++;
			break;
		}
		if (c == ']' || c == ')' || c == '}') {
			char want[64];
			snprintf(want, sizeof want, "'%c' where '%c' closes the form", c, close);
			ok = edn_fail(r, r->i, "unexpected %s", want);
			break;
		}
		if (record) {
			st_grow(&r->pos, &r->pos_cap, r->npos + 1, sizeof *r->pos);
			r->pos[r->npos++] = r->i;
		}
		uint32_t v;
		if (!edn_read_at(r, p, &v)) {
			ok = false;
			break;
		}
		if (n == cap) {
			uint32_t *k = st_alloc(cap * 2 * sizeof *k);
			memcpy(k, kids, n * sizeof *k);
			if (kids != stack)
				free(kids);
			kids = k;
			cap *= 2;
		}
		kids[n++] = v;
	}
	r->depth--;
	if (ok && type == LV_MAP && n % 2)
		ok = edn_fail(r, start, "this map has a key without a value (%s)",
			      "an odd number of forms");
	if (ok)
		*out = lin_vals_compound(p, type, kids, n);
	if (kids != stack)
		free(kids);
	return ok;
}

static bool edn_read_at(edn_reader *r, lin_vals *p, uint32_t *out)
{
	if (!edn_skip_ws(r))
		return edn_fail(r, r->len, "expected a value: %s", "the history is cut short");
	size_t start = r->i;
	char c = r->s[r->i];
	switch (c) {
	case '"':
		return edn_string(r, p, out);
	case '[':
		r->i++;
		return edn_seq(r, p, ']', LV_VEC, out);
	case '(':
		r->i++;
		return edn_seq(r, p, ')', LV_VEC, out);
	case '{':
		r->i++;
		return edn_seq(r, p, '}', LV_MAP, out);
	case ']': case ')': case '}':
		return edn_fail(r, start, "unexpected '%s' (expected a value)",
				c == ']' ? "]" : c == ')' ? ")" : "}");
	case '#':
		if (r->i + 1 < r->len && r->s[r->i + 1] == '{') {
			r->i += 2;
			return edn_seq(r, p, '}', LV_VEC, out);
		}
		if (r->i + 1 < r->len && r->s[r->i + 1] == '_') {   /* #_ discards a form */
			r->i += 2;
			uint32_t skip;
			return edn_read_at(r, p, &skip) && edn_read_at(r, p, out);
		}
		if (r->i + 1 < r->len && r->s[r->i + 1] == '#') {   /* ##Inf, ##NaN */
			size_t end = edn_token_end(r, r->i);
			*out = lin_vals_scalar(p, LV_OTHER, r->s + r->i, end - r->i, 0);
			r->i = end;
			return true;
		}
		{
			/* #tag value: the value, tagged or not, is what the checker compares */
			size_t end = edn_token_end(r, r->i + 1);
			if (end == r->i + 1)
				return edn_fail(r, start, "'#' must start a tag, a set or %s", "#_");
			r->i = end;
			return edn_read_at(r, p, out);
		}
	case '\\': {
		size_t end = edn_token_end(r, r->i + 1);
		if (end == r->i + 1 && end < r->len)
			end++;  /* \( or \space-like single delimiters */
		*out = lin_vals_scalar(p, LV_OTHER, r->s + r->i, end - r->i, 0);
		r->i = end;
		return true;
	}
	default:
		break;
	}
	size_t end = edn_token_end(r, r->i);
	if (end == r->i)
		return edn_fail(r, start, "unexpected character (%s)", "expected a value");
	r->i = end;
	const char *s = r->s + start;
	size_t n = end - start;
	if ((s[0] >= '0' && s[0] <= '9') ||
	    ((s[0] == '-' || s[0] == '+') && n > 1 && s[1] >= '0' && s[1] <= '9'))
		return edn_number(r, p, start, end, out);
	if (s[0] == ':') {
		if (n == 1)
			return edn_fail(r, start, "a keyword needs a name after %s", "':'");
		*out = lin_vals_scalar(p, LV_KW, s, n, 0);
		return true;
	}
	if (n == 3 && memcmp(s, "nil", 3) == 0) {
		*out = LIN_NIL;
		return true;
	}
	if ((n == 4 && memcmp(s, "true", 4) == 0) || (n == 5 && memcmp(s, "false", 5) == 0)) {
		*out = lin_vals_scalar(p, LV_BOOL, NULL, 0, n == 4);
		return true;
	}
	*out = lin_vals_scalar(p, LV_SYM, s, n, 0);
	return true;
}

bool edn_read(edn_reader *r, lin_vals *p, uint32_t *out)
{
	r->depth = 0;
	return edn_read_at(r, p, out);
}

/* ---- Jepsen's EDN histories ---- */

static const char *const edn_types[] = {":ok", ":fail", ":info", ":invoke", NULL};

/* The offset of the value of map member kw (the reader recorded the members' places). */
static size_t edn_member_pos(const edn_reader *r, const lin_vals *p, uint32_t map,
			     const char *kw, size_t dflt)
{
	const lin_val *m = lin_vals_get(p, map);
	for (uint32_t k = 0; k + 1 < m->nkids && k + 1 < r->npos; k += 2) {
		const lin_val *key = lin_vals_get(p, p->kid[m->kids + k]);
		if (key->type == LV_KW && strcmp(p->bytes + key->raw, kw) == 0)
			return r->pos[k + 1];
	}
	return dflt;
}

static bool edn_op(edn_reader *r, ophist *h, uint32_t map, size_t at)
{
	lin_vals *p = &h->vals;
	char b[80];
	if (lin_vals_get(p, map)->type != LV_MAP) {
		lin_vals_show(p, map, b, sizeof b);
		return edn_fail(r, at, "expected an operation map like {:process 0, :type :invoke, "
				":f :read, :value nil}, got %s", b);
	}
	uint32_t proc = lin_vals_map_get(p, map, ":process"),
		 type = lin_vals_map_get(p, map, ":type"), f = lin_vals_map_get(p, map, ":f"),
		 value = lin_vals_map_get(p, map, ":value"), key = lin_vals_map_get(p, map, ":key");
	if (type == LIN_NONE)
		return edn_fail(r, at, "the operation has no :type (expected %s)",
				":invoke, :ok, :fail or :info");
	const char *tt = lin_vals_text(p, type);
	int k = 0;
	while (edn_types[k] && (lin_vals_get(p, type)->type != LV_KW || strcmp(edn_types[k], tt)))
		k++;
	if (!edn_types[k]) {
		lin_vals_show(p, type, b, sizeof b);
		return edn_fail(r, edn_member_pos(r, p, map, ":type", at), "unknown :type %s "
				"(expected :invoke, :ok, :fail or :info)", b);
	}
	if (proc == LIN_NONE)
		return edn_fail(r, at, "the operation has no :process (%s)",
				"expected an integer, or :nemesis");
	if (lin_vals_get(p, proc)->type != LV_INT) {
		if (lin_vals_get(p, proc)->type == LV_KW)
			return true;    /* the nemesis and other non-client actors */
		lin_vals_show(p, proc, b, sizeof b);
		return edn_fail(r, edn_member_pos(r, p, map, ":process", at), "the :process is %s, "
				"expected an integer", b);
	}
	if (f == LIN_NONE)
		return edn_fail(r, at, "the operation has no :f (%s)", "expected a keyword like :read");
	const lin_val *fv = lin_vals_get(p, f);
	if (fv->type != LV_KW && fv->type != LV_STR && fv->type != LV_SYM) {
		lin_vals_show(p, f, b, sizeof b);
		return edn_fail(r, edn_member_pos(r, p, map, ":f", at), "the :f is %s, expected a "
				"keyword like :read", b);
	}
	char fname[128];
	snprintf(fname, sizeof fname, "%s", lin_vals_raw(p, f) + (fv->type == LV_KW));
	if (value == LIN_NONE)
		value = LIN_NIL;
	uint32_t line, col;
	edn_line_col(r, at, &line, &col);
	char where[600];
	snprintf(where, sizeof where, "%s:%u:%u", r->name, line, col);
	int64_t pr = lin_vals_get(p, proc)->i;
	if (k == 3)
		return ophist_invoke(h, pr, fname, key, value, line, col, where, r->err, r->errlen);
	return ophist_complete(h, pr, (oph_type)k, fname, value, line, where, r->err, r->errlen);
}

bool ophist_read_edn(const char *name, const char *text, size_t len, ophist *h, char *err,
		     size_t errlen)
{
	edn_reader r = {.name = name, .s = text, .len = len, .err = err, .errlen = errlen,
			.pos_depth = 1};
	bool ok = true;
	while (ok && edn_skip_ws(&r)) {
		size_t at = r.i;
		bool vec = text[at] == '[' || text[at] == '(';
		if (vec) {
			/* [{...} {...}]: a whole history in one vector */
			r.i++;
			char close = text[at] == '[' ? ']' : ')';
			r.pos_depth = 1;
			for (;;) {
				if (!edn_skip_ws(&r)) {
					ok = edn_fail(&r, at, "this history vector is not closed (%s)",
						      "the file is cut short");
					break;
				}
				if (text[r.i] == close) {
					r.i++;
					break;
				}
				size_t oat = r.i;
				uint32_t v;
				ok = edn_read(&r, &h->vals, &v) && edn_op(&r, h, v, oat);
				if (!ok)
					break;
			}
			continue;
		}
		uint32_t v;
		ok = edn_read(&r, &h->vals, &v) && edn_op(&r, h, v, at);
	}
	free(r.pos);
	return ok;
}
