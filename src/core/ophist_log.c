/* ophist_log.c: Jepsen's log lines as a history (see ophist.h).
 *
 *   INFO  jepsen.util - 3	:invoke	:cas	[1 4]
 *
 * A log line is LEVEL LOGGER - MESSAGE; the operation lines are jepsen.util's whose message is
 * PROCESS :TYPE :F VALUE, the fields separated by a tab or by runs of spaces, the value an EDN
 * form (nil, 4, [1 4], :timed-out), optionally followed by annotations as keyword-value
 * pairs (`:hint 3`, which some of Porcupine's etcd logs carry), which are ignored. The bare message, without the log prefix, is read too.
 * Lines of other loggers, and jepsen.util lines whose process is not a number (:nemesis), are
 * not client operations and are skipped; a line that looks like an operation (its process is
 * a number) must be a well-formed one. A file with text but no operation at all is not a
 * history. */
#include <stdio.h>
#include <string.h>

#include "ophist.h"

static size_t lg_ws(const char *s, size_t i, size_t end)
{
	while (i < end && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}
static size_t lg_word(const char *s, size_t i, size_t end)
{
	while (i < end && s[i] != ' ' && s[i] != '\t')
		i++;
	return i;
}

static bool lg_fail(const char *name, const char *text, size_t off, char *err, size_t errlen,
		    const char *what)
{
	uint32_t line, col;
	ophist_line_col(text, off, &line, &col);
	snprintf(err, errlen, "%s:%u:%u: %s", name, line, col, what);
	return false;
}

static const char *const lg_types[] = {":ok", ":fail", ":info", ":invoke", NULL};

/* One operation line's message, from its process field at s[i]. */
static bool lg_op(const char *name, const char *text, size_t i, size_t end, uint32_t lineno,
		  size_t ls, ophist *h, char *err, size_t errlen)
{
	/* the reader's place starts at this line, so its messages count from here */
	edn_reader r = {.name = name, .s = text, .len = end, .err = err, .errlen = errlen,
			.cur_off = ls, .cur_start = ls, .cur_line = lineno};
	r.i = i;
	uint32_t proc, type, f, value;
	if (!edn_read(&r, &h->vals, &proc))
		return false;
	size_t at_type = lg_ws(text, r.i, end);
	if (at_type == end)
		return lg_fail(name, text, at_type, err, errlen, "expected :invoke, :ok, :fail or "
			       ":info after the process: the line is cut short");
	r.i = at_type;
	if (!edn_read(&r, &h->vals, &type))
		return false;
	int k = 0;
	while (lg_types[k] && strcmp(lg_types[k], lin_vals_text(&h->vals, type)))
		k++;
	if (!lg_types[k] || lin_vals_get(&h->vals, type)->type != LV_KW) {
		char b[80], msg[160];
		lin_vals_show(&h->vals, type, b, sizeof b);
		snprintf(msg, sizeof msg, "unknown type %s (expected :invoke, :ok, :fail or :info)", b);
		return lg_fail(name, text, at_type, err, errlen, msg);
	}
	size_t at_f = lg_ws(text, r.i, end);
	if (at_f == end)
		return lg_fail(name, text, at_f, err, errlen, "expected the operation (:read, "
			       ":write, ...) after the type: the line is cut short");
	r.i = at_f;
	if (!edn_read(&r, &h->vals, &f))
		return false;
	if (lin_vals_get(&h->vals, f)->type != LV_KW)
		return lg_fail(name, text, at_f, err, errlen, "expected the operation as a keyword "
			       "(:read, :write, :cas, ...)");
	size_t at_v = lg_ws(text, r.i, end);
	value = LIN_NIL;
	if (at_v < end) {
		r.i = at_v;
		if (!edn_read(&r, &h->vals, &value))
			return false;
		/* annotations may follow, as keyword-value pairs (`:hint 3`); nothing else may */
		for (size_t rest = lg_ws(text, r.i, end); rest < end; rest = lg_ws(text, r.i, end)) {
			uint32_t ann;
			if (text[rest] != ':')
				return lg_fail(name, text, rest, err, errlen, "unexpected text after the "
					       "operation's value (expected nothing, or :keyword value "
					       "annotations)");
			r.i = rest;
			if (!edn_read(&r, &h->vals, &ann))
				return false;
			size_t v2 = lg_ws(text, r.i, end);
			if (v2 < end && text[v2] != ':') {
				r.i = v2;
				if (!edn_read(&r, &h->vals, &ann))
					return false;
			}
		}
	}
	uint32_t line = lineno, col = (uint32_t)(i - ls + 1);
	char where[600];
	snprintf(where, sizeof where, "%s:%u:%u", name, line, col);
	const char *fname = lin_vals_raw(&h->vals, f) + 1;
	char fbuf[128];
	snprintf(fbuf, sizeof fbuf, "%s", fname);
	int64_t pr = lin_vals_get(&h->vals, proc)->i;
	if (k == 3)
		return ophist_invoke(h, pr, fbuf, LIN_NONE, value, line, col, where, err, errlen);
	return ophist_complete(h, pr, (oph_type)k, fbuf, value, line, where, err, errlen);
}

bool ophist_read_log(const char *name, const char *text, size_t len, ophist *h, char *err,
		     size_t errlen)
{
	size_t lines = 0;
	uint32_t lineno = 0;
	for (size_t ls = 0; ls < len;) {
		lineno++;
		const char *nl = memchr(text + ls, '\n', len - ls);
		size_t le = nl ? (size_t)(nl - text) : len, end = le;
		while (end > ls && (text[end - 1] == '\r' || text[end - 1] == ' ' ||
				    text[end - 1] == '\t'))
			end--;
		size_t i = lg_ws(text, ls, end);
		if (i < end)
			lines++;
		/* LEVEL LOGGER - MESSAGE, or the bare message */
		size_t w1 = lg_word(text, i, end), j = lg_ws(text, w1, end),
		       w2 = lg_word(text, j, end), m = lg_ws(text, w2, end);
		bool from_util = false;
		if (m < end && text[m] == '-' && (m + 1 == end || text[m + 1] == ' ' ||
						  text[m + 1] == '\t')) {
			from_util = w2 - j == 11 && memcmp(text + j, "jepsen.util", 11) == 0;
			i = lg_ws(text, m + 1, end);
		} else {
			from_util = true;   /* a bare message */
		}
		bool digit = i < end && ((text[i] >= '0' && text[i] <= '9') ||
					 (text[i] == '-' && i + 1 < end && text[i + 1] >= '0' &&
					  text[i + 1] <= '9'));
		if (from_util && digit && !lg_op(name, text, i, end, lineno, ls, h, err, errlen))
			return false;
		ls = le + 1;
	}
	if (lines && !h->n)
		return lg_fail(name, text, 0, err, errlen, "no operations here: expected Jepsen log "
			       "lines (INFO  jepsen.util - 3\t:invoke\t:read\tnil), EDN maps or a "
			       "spacetime trace");
	return true;
}
