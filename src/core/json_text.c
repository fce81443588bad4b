/* json_text.c: see json_text.h. */
#include <string.h>

#include "json_text.h"

void json_advance(const char *s, size_t n, long *line, long *col)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char b = (unsigned char)s[i];
		if (b == '\n') {
			++*line;
			*col = 1;
		} else if ((b & 0xC0) != 0x80) {    /* count characters, not UTF-8 bytes */
			++*col;
		}
	}
}

void json_line_col(const char *text, size_t off, int *line, int *col)
{
	long l = 1, c = 1;
	json_advance(text, off, &l, &c);
	if (line)
		*line = (int)l;
	if (col)
		*col = (int)c;
}

bool json_is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

size_t json_ws(const char *s, size_t len, size_t i)
{
	while (i < len && json_is_ws(s[i]))
		i++;
	return i;
}

size_t json_skip_string(const char *s, size_t len, size_t i, bool *closed)
{
	for (i++; i < len; i++) {
		if (s[i] == '\\') {
			i++;
		} else if (s[i] == '"') {
			if (closed)
				*closed = true;
			return i + 1;
		}
	}
	if (closed)
		*closed = false;
	return len;
}

size_t json_value_end(const char *s, size_t len, size_t i, bool *closed)
{
	bool ignored;
	if (!closed)
		closed = &ignored;
	*closed = i < len;
	if (i >= len)
		return len;
	if (s[i] == '"')
		return json_skip_string(s, len, i, closed);
	if (s[i] == '{' || s[i] == '[') {
		/* The closers expected, so `[1, 2}` counts as a wrong character and not as a
		 * value still open; past 256 levels only the depth is kept. */
		char want[256];
		size_t depth = 0;
		while (i < len) {
			char c = s[i];
			if (c == '"') {
				i = json_skip_string(s, len, i, closed);
				if (!*closed)
					return len;
				continue;
			}
			if (c == '{' || c == '[') {
				if (depth < sizeof want)
					want[depth] = c == '{' ? '}' : ']';
				depth++;
			} else if (c == '}' || c == ']') {
				if (depth <= sizeof want && want[depth - 1] != c)
					return i;
				if (--depth == 0)
					return i + 1;
			}
			i++;
		}
		*closed = false;
		return len;
	}
	while (i < len && !json_is_ws(s[i]) && s[i] != ',' && s[i] != ']' && s[i] != '}')
		i++;
	return i;
}

size_t json_skip_value(const char *s, size_t len, size_t i)
{
	bool closed;
	return json_value_end(s, len, i, &closed);
}

bool json_element(const char *s, size_t len, size_t arr, size_t idx, size_t *off)
{
	if (arr >= len || s[arr] != '[')
		return false;
	size_t i = arr + 1;
	for (size_t k = 0;; k++) {
		i = json_ws(s, len, i);
		if (i >= len || s[i] == ']')
			return false;
		if (k == idx) {
			*off = i;
			return true;
		}
		i = json_ws(s, len, json_skip_value(s, len, i));
		if (i >= len || s[i] != ',')
			return false;
		i++;
	}
}

bool json_int64(const cJSON *it, int64_t *out)
{
	if (!cJSON_IsNumber(it))
		return false;
	double d = it->valuedouble;
	if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
		return false;
	int64_t i = (int64_t)d;
	if ((double)i != d)
		return false;
	*out = i;
	return true;
}

const char *json_show(const cJSON *it, char *buf, size_t n)
{
	if (!it)
		return "missing";
	char *s = cJSON_PrintUnformatted(it);
	if (!s)
		return "?";
	size_t len = strlen(s);
	if (len < n) {
		memcpy(buf, s, len + 1);
	} else {
		size_t k = n - 4;
		while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
			k--;
		memcpy(buf, s, k);
		memcpy(buf + k, "...", 4);
	}
	cJSON_free(s);
	return buf;
}

bool json_member(const char *s, size_t len, size_t obj, const char *key, size_t *koff,
		 size_t *voff)
{
	size_t klen = strlen(key);
	if (obj >= len || s[obj] != '{')
		return false;
	size_t i = obj + 1;
	for (;;) {
		i = json_ws(s, len, i);
		if (i >= len || s[i] != '"')
			return false;
		size_t k = i;
		i = json_skip_string(s, len, i, NULL);
		size_t kend = i;
		i = json_ws(s, len, i);
		if (i >= len || s[i] != ':')
			return false;
		i = json_ws(s, len, i + 1);
		if (kend - k == klen + 2 && memcmp(s + k + 1, key, klen) == 0) {
			*koff = k;
			if (voff)
				*voff = i;
			return true;
		}
		i = json_ws(s, len, json_skip_value(s, len, i));
		if (i >= len || s[i] != ',')
			return false;
		i++;
	}
}
