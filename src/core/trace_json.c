/* trace_json.c: the trace exporter (see trace_json.h for why it is hand-written).
 *
 * Everything goes through one growable buffer (tj_buf); the file writer flushes it to disk
 * every 64 KiB. The same buffer, driven through the st_sink interface, writes protocol bodies
 * and states, so a protocol's encode() and describe() serve the exporter, the inspector and
 * the nodes pane alike. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/mem.h"
#include "outfile.h"
#include "trace_json.h"

static void jb_grow(tj_buf *b, size_t more) { st_grow(&b->buf, &b->cap, b->len + more, 1); }

/* The common case inline: a million events make a hundred million of these calls. */
static inline void jb_reserve(tj_buf *b, size_t more)
{
	if (b->len + more > b->cap)
		jb_grow(b, more);
}

static void jb_raw(tj_buf *b, const char *s, size_t n)
{
	jb_reserve(b, n);
	memcpy(b->buf + b->len, s, n);
	b->len += n;
}
static void jb_cstr(tj_buf *b, const char *s) { jb_raw(b, s, strlen(s)); }
static void jb_ch(tj_buf *b, char c) { jb_reserve(b, 1); b->buf[b->len++] = c; }

static void jb_int(tj_buf *b, int64_t v)
{
	char tmp[24];
	int n = 0;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do
		tmp[n++] = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	jb_reserve(b, (size_t)n + 1);
	if (v < 0)
		b->buf[b->len++] = '-';
	while (n)
		b->buf[b->len++] = tmp[--n];
}

static void jb_str(tj_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	jb_ch(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		/* a run of characters that need no escape goes in one copy */
		const unsigned char *q = p;
		while (*q >= 0x20 && *q != '"' && *q != '\\')
			q++;
		if (q > p) {
			jb_raw(b, (const char *)p, (size_t)(q - p));
			p = q;
			if (!*p)
				break;
		}
		unsigned char c = *p;
		if (c == '"' || c == '\\') {
			char e[2] = {'\\', (char)c};
			jb_raw(b, e, 2);
		} else if (c == '\n') {
			jb_raw(b, "\\n", 2);
		} else if (c == '\t') {
			jb_raw(b, "\\t", 2);
		} else if (c < 0x20) {
			char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
			jb_raw(b, e, 6);
		} else {
			jb_ch(b, (char)c);
		}
	}
	jb_ch(b, '"');
}

/* A member: comma if not first at this depth, then "key": (key NULL inside arrays). */
static void jb_key(tj_buf *b, const char *key)
{
	unsigned bit = 1u << (b->depth & 31);
	if (b->first & bit)
		b->first &= ~bit;
	else
		jb_ch(b, ',');
	if (key) {
		jb_str(b, key);
		jb_ch(b, ':');
	}
}

static void sk_int(st_sink *s, const char *key, int64_t v)
{ tj_buf *b = s->user; jb_key(b, key); jb_int(b, v); }
static void sk_str(st_sink *s, const char *key, const char *v)
{ tj_buf *b = s->user; jb_key(b, key); jb_str(b, v ? v : ""); }
static void sk_proc(st_sink *s, const char *key, int p)
{
	tj_buf *b = s->user;
	jb_key(b, key);
	if (p < 0)
		jb_cstr(b, "null");
	else
		jb_int(b, p);
}
static void sk_bool(st_sink *s, const char *key, bool v)
{ tj_buf *b = s->user; jb_key(b, key); jb_cstr(b, v ? "true" : "false"); }
/* Open an object or array as a member of the current level. */
static void jb_open(tj_buf *b, const char *key, bool array)
{
	jb_key(b, key);
	jb_ch(b, array ? '[' : '{');
	b->depth++;
	b->first |= 1u << (b->depth & 31);
	if (array)
		b->arrays |= 1u << (b->depth & 31);
	else
		b->arrays &= ~(1u << (b->depth & 31));
}
static void jb_close(tj_buf *b)
{
	bool array = (b->arrays >> (b->depth & 31)) & 1u;
	b->first &= ~(1u << (b->depth & 31));
	b->depth--;
	jb_ch(b, array ? ']' : '}');
}
static void sk_begin(st_sink *s, const char *key, bool array) { jb_open(s->user, key, array); }
static void sk_end(st_sink *s) { jb_close(s->user); }

void tj_buf_sink(tj_buf *b, st_sink *s)
{
	*s = (st_sink){sk_int, sk_str, sk_proc, sk_bool, sk_begin, sk_end, b};
}

void tj_buf_free(tj_buf *b)
{
	free(b->buf);
	memset(b, 0, sizeof *b);
}

struct tj_writer {
	tj_buf b;
	outfile *out;
	uint32_t nwritten;   /* events so far: the first has no comma before it */
};

static void tj_flush(tj_writer *w)
{
	outfile_write(w->out, w->b.buf, w->b.len);
	w->b.len = 0;
}

/* The run's parameters in the scenario's words: an integer, a [lo, hi] pair, a choice by
 * name, true or false (what --verify hands the protocol's trace checker). */
static void tj_params(tj_buf *b, const st_trace *t)
{
	const st_protocol *pr = t->proto;
	if (!t->has_params || !pr || pr->n_params <= 0)
		return;
	jb_cstr(b, ",\"params\":{");
	for (int i = 0; i < pr->n_params && i < ST_MAX_PARAMS; i++) {
		const st_param_spec *sp = &pr->params[i];
		const st_param_val *v = &t->params[i];
		if (i)
			jb_ch(b, ',');
		jb_str(b, sp->name);
		jb_ch(b, ':');
		if (sp->type == ST_P_RANGE) {
			jb_ch(b, '[');
			jb_int(b, v->lo);
			jb_ch(b, ',');
			jb_int(b, v->hi);
			jb_ch(b, ']');
		} else if (sp->type == ST_P_ENUM) {
			int64_t k = 0;
			while (sp->choices && sp->choices[k] && k < v->lo)
				k++;
			jb_str(b, sp->choices && sp->choices[k] ? sp->choices[k] : "");
		} else if (sp->type == ST_P_BOOL) {
			jb_cstr(b, v->lo ? "true" : "false");
		} else {
			jb_int(b, v->lo);
		}
	}
	jb_ch(b, '}');
}

tj_writer *tj_open(const char *path, const st_trace *t, const tj_meta *meta, char *err,
		   size_t errlen)
{
	outfile *out = outfile_open(path, err, errlen);
	if (!out)
		return NULL;
	tj_writer *w = st_zalloc(1, sizeof *w);
	w->out = out;
	tj_buf *b = &w->b;
	jb_cstr(b, "{\"format\":\"spacetime-trace\",\"version\":1,\"scenario\":");
	jb_str(b, t->scenario);
	jb_cstr(b, ",\"protocol\":");
	jb_str(b, t->protocol);
	jb_cstr(b, ",\"protocol_version\":");
	jb_str(b, t->protocol_version);
	jb_cstr(b, ",\"seed\":");
	jb_int(b, (int64_t)t->seed);
	jb_cstr(b, ",\"time_unit\":\"us\"");
	if (meta && meta->scenario_path) {
		jb_cstr(b, ",\"scenario_path\":");
		jb_str(b, meta->scenario_path);
	}
	if (meta && meta->faults && *meta->faults) {
		jb_cstr(b, ",\"faults\":");
		jb_str(b, meta->faults);
	}
	tj_params(b, t);
	jb_cstr(b, ",\n\"processes\":[");
	for (int p = 0; p < t->nprocs; p++) {
		jb_cstr(b, p ? ",{\"name\":" : "{\"name\":");
		jb_str(b, t->proc_names[p]);
		jb_cstr(b, p < t->nnodes ? ",\"role\":\"node\"}" : ",\"role\":\"client\"}");
	}
	jb_cstr(b, "],\n\"events\":[\n");
	return w;
}

/* Write one kv list as an object member. */
static void tj_kv_member(tj_buf *b, const st_trace *t, const char *key, uint32_t list)
{
	st_sink s;
	tj_buf_sink(b, &s);
	jb_open(b, key, false);
	trace_kv_emit(t, list, &s);
	jb_close(b);
}

static void tj_msg_fields(tj_buf *b, const st_trace *t, const st_msgrec *m, bool send)
{
	jb_key(b, send ? "to" : "from");
	jb_int(b, send ? m->to : m->from);
	jb_key(b, "type");
	const st_protocol *pr = t->proto;
	jb_str(b, pr && m->type < pr->n_msg_types ? pr->msg_types[m->type] : "?");
	if (pr && pr->encode) {
		st_sink s;
		tj_buf_sink(b, &s);
		jb_open(b, "body", false);
		pr->encode(m->type, trace_msg_body(t, m), m->body_len, &s);
		jb_close(b);
	}
}

void tj_event(tj_writer *w, const st_trace *t, uint32_t id)
{
	if (w->nwritten++)
		jb_cstr(&w->b, ",\n");
	tj_event_json(&w->b, t, id);
	if (w->b.len >= 65536)
		tj_flush(w);
}

void tj_event_json(tj_buf *b, const st_trace *t, uint32_t id)
{
	const st_event *e = trace_at(t, id);
	jb_cstr(b, "{\"id\":");
	jb_int(b, id);
	b->depth = 1;
	b->first = 0;   /* "id" is written: every member from here takes a comma */
	jb_key(b, "t");
	jb_int(b, e->t_us);
	jb_key(b, "kind");
	jb_str(b, trace_kinds[e->kind].name);
	if (trace_kinds[e->kind].proc_event) {
		jb_key(b, "proc");
		jb_int(b, e->proc);
		jb_key(b, "lamport");
		jb_int(b, e->lamport);
		jb_key(b, "vc");
		jb_ch(b, '[');
		const uint32_t *vc = trace_vc(t, id);
		for (int p = 0; p < t->nprocs; p++) {
			if (p)
				jb_ch(b, ',');
			jb_int(b, vc[p]);
		}
		jb_ch(b, ']');
	}
	switch (e->kind) {
	case KIND_SEND:
	case KIND_RECV:
		jb_key(b, "msg");
		jb_int(b, e->ref);
		if (e->ref >= t->msg_base && e->ref < t->msg_base + t->nmsg)
			tj_msg_fields(b, t, trace_msg(t, e->ref), e->kind == KIND_SEND);
		break;
	case KIND_DROP:
		jb_key(b, "msg");
		jb_int(b, e->ref);
		jb_key(b, "reason");
		jb_str(b, trace_drop_names[e->aux & 3]);
		int64_t copy;
		if (trace_kv_int(t, e->body, "copy", &copy)) {   /* a user's drop: which copy */
			jb_key(b, "copy");
			jb_int(b, copy);
		}
		break;
	case KIND_PARTITION: {
		jb_key(b, "groups");
		jb_ch(b, '[');
		if (e->body != TRACE_NONE) {
			const st_kvrec *r = trace_kv_items(t, e->body);
			uint32_t n = trace_kv_count(t, e->body);
			for (uint32_t i = 0; i < n; i++) {
				bool fresh = i == 0 || r[i].key != r[i - 1].key;
				if (fresh && i)
					jb_cstr(b, "],");
				jb_ch(b, fresh ? '[' : ',');
				jb_int(b, r[i].v);
			}
			if (n)
				jb_ch(b, ']');
		}
		jb_ch(b, ']');
		break;
	}
	case KIND_INVOKE:
	case KIND_COMPLETE:
		if (e->body != TRACE_NONE) {
			st_sink s;
			tj_buf_sink(b, &s);
			jb_open(b, "op", false);
			trace_kv_emit(t, e->body, &s);
			if (e->kind == KIND_COMPLETE) {
				jb_key(b, "type");
				jb_str(b, trace_optype_names[e->aux % 3]);
			}
			jb_close(b);
		}
		if (e->kind == KIND_COMPLETE) {
			jb_key(b, "invoke");
			jb_int(b, e->ref);
		}
		break;
	case KIND_LOCAL:
	case KIND_INPUT:
		if (e->body != TRACE_NONE)
			tj_kv_member(b, t, "body", e->body);
		break;
	default:
		break;
	}
	if (e->label) {
		jb_key(b, "label");
		jb_str(b, trace_str(t, e->label));
	}
	if (e->note) {
		jb_key(b, "note");
		jb_str(b, trace_str(t, e->note));
	}
	if (e->state != TRACE_NONE)
		tj_kv_member(b, t, "state", e->state);
	if (e->by) {
		jb_key(b, "by");
		jb_str(b, trace_by_names[e->by]);
	}
	if (e->flags & EVF_MILESTONE) {
		jb_key(b, "milestone");
		jb_cstr(b, "true");
	}
	jb_ch(b, '}');
	b->depth = 0;
}

int tj_close(tj_writer *w, char *err, size_t errlen)
{
	jb_cstr(&w->b, "\n]}\n");
	tj_flush(w);
	int rc = outfile_close(w->out, err, errlen);
	free(w->b.buf);
	free(w);
	return rc;
}

static void tj_stream_flush(st_trace *t, uint32_t first, uint32_t count, void *user)
{
	for (uint32_t i = 0; i < count; i++)
		tj_event(user, t, first + i);
}

void tj_stream(st_trace *t, tj_writer *w)
{
	t->flush = tj_stream_flush;
	t->flush_user = w;
}

int trace_json_export(const st_trace *t, const char *path, const tj_meta *meta, char *err,
		      size_t errlen)
{
	tj_writer *w = tj_open(path, t, meta, err, errlen);
	if (!w)
		return -1;
	for (uint32_t id = t->base; id < trace_count(t); id++)
		tj_event(w, t, id);
	return tj_close(w, err, errlen);
}
