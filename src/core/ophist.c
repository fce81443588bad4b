/* ophist.c: the operation history, the format detection, and the reader of our own traces
 * (see ophist.h). The Jepsen readers are ophist_edn.c and ophist_log.c. */
#include "ophist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/mem.h"
#include "trace_import.h"

const char *const ophist_type_names[4] = {"ok", "fail", "info", "pending"};

void ophist_init(ophist *h)
{
	memset(h, 0, sizeof *h);
	lin_vals_init(&h->vals);
	h->format = "history";
}

void ophist_free(ophist *h)
{
	lin_vals_free(&h->vals);
	free(h->op);
	free(h->pname);
	intmap_free(&h->open);
	memset(h, 0, sizeof *h);
}

void ophist_line_col(const char *text, size_t off, uint32_t *line, uint32_t *col)
{
	uint32_t l = 1;
	size_t start = 0;
	for (size_t i = 0; i < off; i++)
		if (text[i] == '\n') {
			l++;
			start = i + 1;
		}
	*line = l;
	*col = (uint32_t)(off - start + 1);
}

bool ophist_invoke(ophist *h, int64_t proc, const char *f, uint32_t key, uint32_t in,
		   uint32_t line, uint32_t col, const char *where, char *err, size_t errlen)
{
	uint32_t *open = intmap_get(&h->open, proc);
	if (open && *open) {
		const oph_op *o = &h->op[*open - 1];
		snprintf(err, errlen, "%s: process %lld invokes %s while its %s of line %u has not "
			 "completed (a process has one operation at a time)", where, (long long)proc,
			 f, lin_vals_raw(&h->vals, o->f), o->line);
		return false;
	}
	if (h->n >= UINT32_MAX - 1 || h->nev >= UINT32_MAX - 2) {
		snprintf(err, errlen, "%s: too many operations", where);
		return false;
	}
	st_grow(&h->op, &h->cap, h->n + 1, sizeof *h->op);
	oph_op *o = &h->op[h->n];
	memset(o, 0, sizeof *o);
	o->proc = proc;
	o->f = lin_vals_scalar(&h->vals, LV_SYM, f, strlen(f), 0);
	o->key = key;
	o->in = in;
	o->out = LIN_NIL;
	o->type = OPH_NONE;
	o->call = h->nev++;
	o->ret = OPHIST_OPEN_RET;
	o->line = line;
	o->col = col;
	if (key != LIN_NONE)
		h->keyed = true;
	h->n++;
	if (!intmap_put(&h->open, proc, (uint32_t)h->n))
		st_oom(sizeof(intmap_slot));
	return true;
}

bool ophist_complete(ophist *h, int64_t proc, oph_type type, const char *f, uint32_t out,
		     uint32_t line, const char *where, char *err, size_t errlen)
{
	uint32_t *open = intmap_get(&h->open, proc);
	if (!open || !*open) {
		snprintf(err, errlen, "%s: process %lld completes %s :%s, but it invoked nothing "
			 "that is still outstanding", where, (long long)proc, f,
			 ophist_type_names[type]);
		return false;
	}
	oph_op *o = &h->op[*open - 1];
	const char *inf = lin_vals_raw(&h->vals, o->f);
	if (strcmp(inf, f) != 0) {
		snprintf(err, errlen, "%s: process %lld completes %s, but its outstanding operation "
			 "(line %u) is %s", where, (long long)proc, f, o->line, inf);
		return false;
	}
	o->type = (uint8_t)type;
	o->out = out;
	o->ret = h->nev++;
	o->ret_line = line;
	*open = 0;
	return true;
}

void ophist_who(const ophist *h, const oph_op *op, char *buf, size_t n)
{
	if (h->pname && op->proc >= 0 && op->proc < h->npname)
		snprintf(buf, n, " by %s", h->pname[op->proc]);
	else
		snprintf(buf, n, " by process %lld", (long long)op->proc);
}

/* ---- our traces ---- */

/* A trace kv record's value as a pool value. */
static uint32_t oph_kv_value(lin_vals *p, const st_trace *t, const st_kvrec *r)
{
	switch (r->type) {
	case ST_V_INT:
		return lin_vals_scalar(p, LV_INT, NULL, 0, r->v);
	case ST_V_STR: {
		const char *s = trace_str(t, (uint32_t)r->v);
		return lin_vals_scalar(p, LV_STR, s, strlen(s), 0);
	}
	case ST_V_BOOL:
		return lin_vals_scalar(p, LV_BOOL, NULL, 0, r->v != 0);
	case ST_V_PROC:
		return r->v < 0 ? LIN_NIL : lin_vals_scalar(p, LV_INT, NULL, 0, r->v);
	default:
		return LIN_NIL;
	}
}

/* The op's members: f, key and value; a value the importer flattened from an array
 * ("value[0]", "value[1]") is a vector again. */
static void oph_op_body(ophist *h, const st_trace *t, uint32_t body, const char **f,
			uint32_t *key, uint32_t *value)
{
	*f = NULL;
	*key = LIN_NONE;
	*value = LIN_NIL;
	if (body == TRACE_NONE)
		return;
	uint32_t n = trace_kv_count(t, body), kids[64];
	size_t nk = 0;
	const st_kvrec *it = trace_kv_items(t, body);
	for (uint32_t i = 0; i < n; i++) {
		const char *k = trace_str(t, it[i].key);
		if (strcmp(k, "f") == 0 && it[i].type == ST_V_STR)
			*f = trace_str(t, (uint32_t)it[i].v);
		else if (strcmp(k, "key") == 0)
			*key = oph_kv_value(&h->vals, t, &it[i]);
		else if (strcmp(k, "value") == 0)
			*value = oph_kv_value(&h->vals, t, &it[i]);
		else if (strncmp(k, "value[", 6) == 0 && nk < 64)
			kids[nk++] = oph_kv_value(&h->vals, t, &it[i]);
	}
	if (nk)
		*value = lin_vals_compound(&h->vals, LV_VEC, kids, nk);
}

bool ophist_trace_event(ophist *h, const st_trace *t, uint32_t id, char *err, size_t errlen)
{
	if (!h->pname && t->nprocs > 0) {
		h->pname = st_zalloc((size_t)t->nprocs, sizeof *h->pname);
		memcpy(h->pname, t->proc_names, (size_t)t->nprocs * sizeof *h->pname);
		h->npname = t->nprocs;
		h->format = "trace";
	}
	const st_event *e = trace_at(t, id);
	if (e->kind != KIND_INVOKE && e->kind != KIND_COMPLETE)
		return true;
	char where[48];
	snprintf(where, sizeof where, "event %u", id);
	const char *f;
	uint32_t key, value;
	oph_op_body(h, t, e->body, &f, &key, &value);
	if (!f) {
		snprintf(err, errlen, "%s: the %s has no op \"f\" (a string such as \"write\")",
			 where, trace_kinds[e->kind].name);
		return false;
	}
	if (e->kind == KIND_INVOKE)
		return ophist_invoke(h, e->proc, f, key, value, id, 0, where, err, errlen);
	uint32_t *open = intmap_get(&h->open, e->proc);
	if (open && *open && h->op[*open - 1].line != e->ref) {
		snprintf(err, errlen, "%s: the complete names invoke %u, but %s's outstanding "
			 "operation is event %u", where, e->ref, h->pname[e->proc],
			 h->op[*open - 1].line);
		return false;
	}
	return ophist_complete(h, e->proc, (oph_type)(e->aux % 3), f, value, id, where, err,
			       errlen);
}

bool ophist_from_trace(ophist *h, const st_trace *t, char *err, size_t errlen)
{
	for (uint32_t id = t->base; id < trace_count(t); id++)
		if (!ophist_trace_event(h, t, id, err, errlen))
			return false;
	return true;
}

/* The line of event id in our exporter's layout (one event a line, `{"id": N, ...`), so a
 * message about an event's op can name a place; 0 when not found. */
static uint32_t oph_event_line(const char *text, size_t len, uint32_t id)
{
	uint32_t line = 1;
	for (size_t i = 0; i < len; line++) {
		size_t j = i;
		while (j < len && (text[j] == ' ' || text[j] == '\t' || text[j] == ','))
			j++;
		if (len - j > 6 && memcmp(text + j, "{\"id\":", 6) == 0 &&
		    strtoul(text + j + 6, NULL, 10) == id)
			return line;
		const char *nl = memchr(text + i, '\n', len - i);
		if (!nl)
			break;
		i = (size_t)(nl - text) + 1;
	}
	return 0;
}

static bool oph_read_trace(const char *path, const char *text, size_t len, ophist *h,
			   char *err, size_t errlen)
{
	st_trace *t = trace_import(path, err, errlen);
	if (!t)
		return false;
	char e2[512];
	bool ok = ophist_from_trace(h, t, e2, sizeof e2);
	if (!ok) {
		/* "event 9: ..." gets the file and the event's line */
		uint32_t id = (uint32_t)strtoul(e2 + 6, NULL, 10), line = oph_event_line(text, len, id);
		if (line)
			snprintf(err, errlen, "%s:%u:1: %s", path, line, e2);
		else
			snprintf(err, errlen, "%s: %s", path, e2);
	}
	trace_free(t);
	return ok;
}

/* ---- reading a file, the format from its content ---- */

/* Binary data is not a history: a NUL byte or bytes that are not UTF-8. */
static bool oph_text_ok(const char *name, const char *s, size_t len, char *err, size_t errlen)
{
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 :
			   (c & 0xf8) == 0xf0 ? 4 : 0;
		bool bad = n == 0 || c == 0 || i + n > len || (c < 0x20 && c != '\n' && c != '\r' &&
								c != '\t');
		for (size_t k = 1; !bad && k < n; k++)
			bad = ((unsigned char)s[i + k] & 0xc0) != 0x80;
		if (bad) {
			uint32_t line, col;
			ophist_line_col(s, i, &line, &col);
			snprintf(err, errlen, "%s:%u:%u: byte 0x%02x: this is binary data, not a "
				 "history (expected text: EDN maps, Jepsen log lines or a spacetime "
				 "trace)", name, line, col, c);
			return false;
		}
		i += n;
	}
	return true;
}

bool ophist_read_text(const char *name, const char *text, size_t len, ophist *h, char *err,
		      size_t errlen)
{
	if (!oph_text_ok(name, text, len, err, errlen))
		return false;
	size_t i = 0;
	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
		i++;
	if (i < len && (text[i] == '{' || text[i] == '[' || text[i] == '(' || text[i] == ';')) {
		h->format = "edn";
		return ophist_read_edn(name, text, len, h, err, errlen);
	}
	h->format = "jepsen-log";
	return ophist_read_log(name, text, len, h, err, errlen);
}

/* A spacetime trace is JSON: its first member is a quoted key. */
static bool oph_is_json(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	if (i >= len || s[i] != '{')
		return false;
	for (i++; i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'); i++)
		;
	return i < len && s[i] == '"';
}

bool ophist_read_file(const char *path, ophist *h, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: cannot open the file", path);
		return false;
	}
	size_t cap = 1 << 16, len = 0;
	char *buf = st_alloc(cap + 1);
	for (;;) {
		if (len == cap) {
			if (cap >= OPHIST_MAX_BYTES) {
				snprintf(err, errlen, "%s: the file is over %zu MiB, more than a history "
					 "this checker reads", path, OPHIST_MAX_BYTES >> 20);
				free(buf);
				fclose(f);
				return false;
			}
			cap *= 2;
			buf = st_realloc(buf, cap + 1);
		}
		size_t got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (!got)
			break;
	}
	bool rd_err = ferror(f);
	fclose(f);
	if (rd_err) {
		snprintf(err, errlen, "%s: cannot read the file", path);
		free(buf);
		return false;
	}
	buf[len] = 0;
	bool ok;
	if (oph_is_json(buf, len)) {
		ok = oph_read_trace(path, buf, len, h, err, errlen);
		h->format = "trace";
	} else {
		ok = ophist_read_text(path, buf, len, h, err, errlen);
	}
	free(buf);
	return ok;
}
