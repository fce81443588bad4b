/* find.c: finding events by what they say (see find.h).
 *
 * A plain scan of the record: the app asks for the next match after the selection, which at
 * a key press is cheap enough over a million events, and needs no index of words that every
 * appended event would have to update. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "find.h"

/* Whether needle is part of hay, ignoring ASCII case. */
static bool find_has(const char *hay, const char *needle)
{
	if (!hay || !*needle)
		return false;
	size_t n = strlen(needle);
	for (; *hay; hay++) {
		size_t i = 0;
		while (i < n && hay[i] && tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
			i++;
		if (i == n)
			return true;
	}
	return false;
}

static bool find_same(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return false;
	return *a == *b;
}

/* "key value" of one record of a key/value list equals the query. */
static bool find_kv(const st_trace *t, uint32_t list, const char *q)
{
	if (list == TRACE_NONE || list >= t->nkv)
		return false;
	const st_kvrec *r = trace_kv_items(t, list);
	for (uint32_t i = 0; i < trace_kv_count(t, list); i++) {
		char buf[160];
		const char *key = trace_str(t, r[i].key);
		switch (r[i].type) {
		case ST_V_INT:
			snprintf(buf, sizeof buf, "%s %lld", key, (long long)r[i].v);
			break;
		case ST_V_STR:
			snprintf(buf, sizeof buf, "%s %s", key, trace_str(t, (uint32_t)r[i].v));
			break;
		case ST_V_PROC:
			snprintf(buf, sizeof buf, "%s %s", key,
				 r[i].v >= 0 && r[i].v < t->nprocs ? t->proc_names[r[i].v] : "null");
			break;
		case ST_V_BOOL:
			snprintf(buf, sizeof buf, "%s %s", key, r[i].v ? "true" : "false");
			break;
		default:
			continue;
		}
		if (find_same(buf, q))
			return true;
	}
	return false;
}

static const char *find_msg_type(const st_trace *t, const st_event *e)
{
	if (e->kind != KIND_SEND && e->kind != KIND_RECV && e->kind != KIND_DROP)
		return NULL;
	if (e->ref < t->msg_base || e->ref - t->msg_base >= t->nmsg)
		return NULL;
	int type = trace_msg(t, e->ref)->type;
	if (t->proto && type < t->proto->n_msg_types)
		return t->proto->msg_types[type];
	if (!t->proto && type < t->n_foreign_types)
		return t->foreign_msg_types[type];
	return NULL;
}

bool find_match(const st_trace *t, uint32_t id, const char *q)
{
	if (!q || !*q || id < t->base || id >= trace_count(t))
		return false;
	const st_event *e = trace_at(t, id);
	if ((e->label && find_has(trace_str(t, e->label), q)) ||
	    (e->note && find_has(trace_str(t, e->note), q)) ||
	    find_same(trace_kinds[e->kind].name, q) || find_has(find_msg_type(t, e), q))
		return true;
	if (e->proc < t->nprocs && find_same(t->proc_names[e->proc], q))
		return true;
	return find_kv(t, e->body, q) || find_kv(t, e->state, q);
}

/* A time: a number with a unit (s, ms, us); false when it is not one. */
static bool find_time(const char *in, int64_t *us)
{
	char *end;
	double v = strtod(in, &end);
	if (end == in || v < 0 || v > 1e12)
		return false;
	while (*end == ' ')
		end++;
	static const struct { const char *unit; double us; } units[] = {
		{"s", 1e6}, {"ms", 1e3}, {"us", 1}, {"\u00b5s", 1},
	};
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (find_same(end, units[i].unit)) {
			*us = (int64_t)(v * units[i].us + 0.5);
			return true;
		}
	return false;
}

find_goto find_goto_parse(const char *in, int64_t *num)
{
	while (*in == ' ')
		in++;
	if (!*in)
		return FIND_GOTO_BAD;
	if ((in[0] == 'e' || in[0] == 'E') && isdigit((unsigned char)in[1])) {
		char *end;
		unsigned long long v = strtoull(in + 1, &end, 10);
		while (*end == ' ')
			end++;
		if (!*end && v < UINT32_MAX) {
			*num = (int64_t)v;
			return FIND_GOTO_EVENT;
		}
	}
	if (find_time(in, num))
		return FIND_GOTO_TIME;
	return FIND_GOTO_NAME;
}
