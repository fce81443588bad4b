/* inspector.c: everything about one event, and how it relates to a second one.
 *
 * The timeline shows that something happened; the inspector says what and why: the event's
 * kind, process and time, its Lamport and vector clocks (with the process names over the
 * vector, so [3,1,0] reads as "3 events of n1 ..."), the message it sent or received with its
 * body as the protocol encodes it, the label and the note that explains it, the flight time of
 * a message, the reason for a drop. With a second event marked, it answers the question the
 * course asks about every pair of events: ordered or concurrent, and why, from the clocks.
 *
 * Lines are laid out top to bottom with a scroll offset (view_model.inspector_scroll) so a
 * large AppendEntries fits a small pane. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "view.h"

/* --- output with scrolling ----------------------------------------------------------------- */

typedef struct {
	grid *g;
	grid_rect in;       /* inside the box, one column of margin on the left */
	int row;            /* the line being written, counting from the top of the content */
	int skip;           /* lines scrolled away */
	int x;              /* column within the line */
} inspector_out;

static bool inspector_visible(const inspector_out *o)
{
	return o->row >= o->skip && o->row - o->skip < o->in.h;
}

static void inspector_put(inspector_out *o, const char *s, int role, int attr)
{
	int w = view_width(o->g, s);
	if (inspector_visible(o) && o->x < o->in.w)
		view_text(o->g, o->in.x + o->x, o->in.y + o->row - o->skip, s, o->in.w - o->x, role,
			  attr);
	o->x += w;
}

static void inspector_putf(inspector_out *o, int role, int attr, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void inspector_putf(inspector_out *o, int role, int attr, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	inspector_put(o, buf, role, attr);
}

static void inspector_nl(inspector_out *o)
{
	o->row++;
	o->x = 0;
}

/* A paragraph, word-wrapped from the current column's indent. */
static void inspector_para(inspector_out *o, int indent, const char *text, int role, int attr)
{
	if (o->x)
		inspector_nl(o);
	int rows = view_wrap(o->g, o->in.x + indent, o->in.y, o->in.w - indent, o->in.h,
			     o->skip - o->row, text, role, attr);
	o->row += rows;
	o->x = 0;
}

/* --- a message body as indented "key: value" lines ----------------------------------------- */

typedef struct {
	int indent;
	bool dash;          /* the first member of an object inside an array: "- key: value" */
	char key[40];
	char val[120];
	bool header;        /* "key:" opening a nested object or array */
} inspector_line;

/* One open object or array of the body being collected. */
typedef struct {
	int indent;         /* of its members */
	bool array;
	bool dash_pending;  /* an object in an array whose first member has not come yet */
	int count;
	int header;         /* its "key:" line, to become "key: []" when it stays empty */
} inspector_level;

typedef struct {
	inspector_line *lines;
	int n;
	unsigned cap;
	const st_trace *t;
	inspector_level st[16];
	int depth;
	int overflow;       /* levels opened past the end of st, ignored */
} inspector_body;

static inspector_line *inspector_body_line(inspector_body *b, const char *key, const char *val)
{
	st_grow32(&b->lines, &b->cap, (size_t)b->n + 1, sizeof *b->lines);
	inspector_line *l = &b->lines[b->n++];
	memset(l, 0, sizeof *l);
	snprintf(l->key, sizeof l->key, "%s", key ? key : "");
	snprintf(l->val, sizeof l->val, "%s", val ? val : "");
	inspector_level *lv = &b->st[b->depth];
	lv->count++;
	l->indent = lv->indent;
	if (lv->array) {
		l->dash = true;
	} else if (lv->dash_pending) {
		/* first member of an object in an array: shares the dash's line */
		l->indent -= 2;
		l->dash = true;
		lv->dash_pending = false;
	}
	return l;
}

static void inspector_kv(st_sink *s, const char *key, const char *val)
{
	inspector_body_line(s->user, key, val);
}
static void inspector_kv_int(st_sink *s, const char *key, int64_t v)
{
	char b[24];
	snprintf(b, sizeof b, "%lld", (long long)v);
	inspector_kv(s, key, b);
}
static void inspector_kv_str(st_sink *s, const char *key, const char *v)
{
	inspector_kv(s, key, v);
}
static void inspector_kv_proc(st_sink *s, const char *key, int p)
{
	inspector_kv(s, key, view_proc_name(((inspector_body *)s->user)->t, p));
}
static void inspector_kv_bool(st_sink *s, const char *key, bool v)
{
	inspector_kv(s, key, v ? "true" : "false");
}
static void inspector_begin(st_sink *s, const char *key, bool array)
{
	inspector_body *b = s->user;
	if (b->depth + 1 >= (int)(sizeof b->st / sizeof b->st[0])) {
		b->overflow++;
		return;
	}
	bool in_array = b->st[b->depth].array;
	int parent_indent = b->st[b->depth].indent, header = -1;
	if (in_array && !array) {
		/* an object that is an array element has no header: its first member carries
		 * the dash */
		b->st[b->depth].count++;
	} else {
		inspector_line *l = inspector_body_line(b, key, NULL);
		if (l) {
			l->header = true;
			header = b->n - 1;
		}
	}
	b->depth++;
	b->st[b->depth] = (inspector_level){parent_indent + 2, array, in_array && !array, 0,
					     header};
}
static void inspector_end(st_sink *s)
{
	inspector_body *b = s->user;
	if (b->overflow) {
		b->overflow--;
		return;
	}
	if (b->depth == 0)
		return;
	inspector_level *lv = &b->st[b->depth];
	if (lv->count == 0 && lv->header >= 0 && lv->header < b->n && b->lines[lv->header].header)
		snprintf(b->lines[lv->header].val, sizeof b->lines[lv->header].val, "%s",
			 lv->array ? "[]" : "{}");
	b->depth--;
}

static void inspector_body_init(inspector_body *b, const st_trace *t, st_sink *s)
{
	memset(b, 0, sizeof *b);
	b->t = t;
	b->st[0].header = -1;
	*s = (st_sink){inspector_kv_int, inspector_kv_str, inspector_kv_proc, inspector_kv_bool,
		       inspector_begin, inspector_end, b};
}

static void inspector_body_draw(inspector_out *o, const inspector_body *b, int indent)
{
	for (int i = 0; i < b->n; i++) {
		const inspector_line *l = &b->lines[i];
		if (o->x)
			inspector_nl(o);
		o->x = indent + l->indent;
		if (l->dash)
			inspector_put(o, "- ", R_DIM, 0);
		if (l->key[0]) {
			inspector_put(o, l->key, R_DIM, 0);
			inspector_put(o, ":", R_DIM, 0);
			if (l->val[0])
				inspector_put(o, " ", R_NORMAL, 0);
		}
		if (l->val[0])
			inspector_put(o, l->val, l->header ? R_DIM : R_NORMAL, 0);
	}
	if (o->x)
		inspector_nl(o);
}

/* --- pieces of the event ------------------------------------------------------------------- */

static const char *const inspector_drop_why[4] = {
	[DROP_LOSS] = "the network lost it (the scenario's loss rate)",
	[DROP_PARTITION] = "sender and receiver were on different sides of a partition",
	[DROP_CRASHED] = "the receiver was crashed when it arrived",
	[DROP_USER] = "you dropped it",
};

static const st_protocol *inspector_proto(const view_model *m)
{
	return m->trace->proto ? m->trace->proto : m->sc ? m->sc->protocol : NULL;
}

static const char *inspector_msg_type(const view_model *m, const st_msgrec *mr)
{
	const st_protocol *pr = inspector_proto(m);
	return pr && mr->type < pr->n_msg_types ? pr->msg_types[mr->type] : "message";
}

static const st_msgrec *inspector_msg(const st_trace *t, uint32_t msg)
{
	return msg >= t->msg_base && msg < t->msg_base + t->nmsg ? trace_msg(t, msg) : NULL;
}

static bool inspector_held(const st_trace *t, uint32_t id)
{
	return id != TRACE_NONE && id >= t->base && id < trace_count(t);
}

/* The vector clock as "[3,1,0]" (for sentences). */
static void inspector_vc_str(const st_trace *t, uint32_t id, char *out, size_t n)
{
	const uint32_t *vc = trace_vc(t, id);
	size_t o = (size_t)snprintf(out, n, "[");
	for (int p = 0; p < t->nprocs && o < n; p++)
		o += (size_t)snprintf(out + o, n - o, "%s%u", p ? "," : "", vc[p]);
	if (o < n)
		snprintf(out + o, n - o, "]");
}

/* The vector clock as two lines: the process names over their counts. */
static void inspector_vc(inspector_out *o, const view_model *m, uint32_t id)
{
	const st_trace *t = m->trace;
	const st_event *e = trace_at(t, id);
	const uint32_t *vc = trace_vc(t, id);
	int colw[ST_MAX_PROCS];
	char num[ST_MAX_PROCS][12];
	for (int p = 0; p < t->nprocs; p++) {
		snprintf(num[p], sizeof num[p], "%u", vc[p]);
		int a = view_width(o->g, t->proc_names[p]), b = (int)strlen(num[p]);
		colw[p] = a > b ? a : b;
	}
	o->x = 4;
	for (int p = 0; p < t->nprocs; p++) {
		int pad = colw[p] - view_width(o->g, t->proc_names[p]) + 1;
		o->x += pad;
		inspector_put(o, t->proc_names[p], p == e->proc ? view_proc_role(t, p) : R_DIM,
			 p == e->proc ? A_BOLD_ : 0);
	}
	inspector_nl(o);
	inspector_put(o, "vc  [", R_DIM, 0);
	for (int p = 0; p < t->nprocs; p++) {
		o->x += colw[p] - (int)strlen(num[p]);
		bool own = p == e->proc;
		inspector_put(o, num[p], own ? R_CLOCK : R_NORMAL, own ? A_BOLD_ : 0);
		inspector_put(o, p + 1 < t->nprocs ? "," : "]", R_DIM, 0);
	}
	inspector_nl(o);
}

/* send / recv / drop: the message, where it came from, where it went. */
static void inspector_message(inspector_out *o, const view_model *m, const st_event *e, uint32_t id)
{
	const st_trace *t = m->trace;
	const st_msgrec *mr = inspector_msg(t, e->ref);
	if (!mr) {
		inspector_putf(o, R_DIM, 0, "message #%u (no longer held)", e->ref);
		inspector_nl(o);
		return;
	}
	const char *type = inspector_msg_type(m, mr);
	if (e->kind == KIND_SEND) {
		inspector_put(o, type, R_MSG, A_BOLD_);
		inspector_putf(o, R_NORMAL, 0, " to %s", view_proc_name(t, mr->to));
		inspector_putf(o, R_DIM, 0, "  msg #%u", e->ref);
		inspector_nl(o);
		uint32_t end = mr->end_ev;
		char line[200];
		if (end == TRACE_NONE || (m->cursor != TRACE_NONE && end > m->cursor) ||
		    m->cursor == TRACE_NONE)
			snprintf(line, sizeof line, "in flight at the cursor");
		else if (inspector_held(t, end) && trace_at(t, end)->kind == KIND_DROP)
			snprintf(line, sizeof line, "lost: %s (e%u)",
				 inspector_drop_why[trace_at(t, end)->aux & 3], end);
		else if (inspector_held(t, end))
			snprintf(line, sizeof line, "received by %s at e%u, after %.1f ms",
				 view_proc_name(t, mr->to), end,
				 (double)(trace_at(t, end)->t_us - e->t_us) / 1000.0);
		else
			snprintf(line, sizeof line, "delivered (e%u)", end);
		inspector_para(o, 0, line, R_NORMAL, 0);
	} else {
		inspector_put(o, type, R_MSG, A_BOLD_);
		inspector_putf(o, R_NORMAL, 0, " %s\u2192%s", view_proc_name(t, mr->from),
			  view_proc_name(t, mr->to));
		inspector_putf(o, R_DIM, 0, "  msg #%u", e->ref);
		inspector_nl(o);
		char line[200];
		if (inspector_held(t, mr->send_ev)) {
			const st_event *s = trace_at(t, mr->send_ev);
			double flight = (double)(e->t_us - s->t_us) / 1000.0;
			if (e->kind == KIND_RECV)
				snprintf(line, sizeof line, "sent by %s at t=%.3fms (e%u), in flight %.1f ms",
					 view_proc_name(t, mr->from), (double)s->t_us / 1000.0,
					 mr->send_ev, flight);
			else
				snprintf(line, sizeof line, "sent by %s at t=%.3fms (e%u), lost after %.1f ms",
					 view_proc_name(t, mr->from), (double)s->t_us / 1000.0,
					 mr->send_ev, flight);
			inspector_para(o, 0, line, R_NORMAL, 0);
		}
		if (e->kind == KIND_DROP) {
			snprintf(line, sizeof line, "dropped: %s", inspector_drop_why[e->aux & 3]);
			inspector_para(o, 0, line, R_DROP, A_BOLD_);
		}
		if (e->kind == KIND_RECV && mr->end_ev != id && inspector_held(t, mr->end_ev))
			inspector_para(o, 0, "a duplicate: this message was delivered before",
				       R_WARN, 0);
	}
	const st_protocol *pr = inspector_proto(m);
	if (pr && pr->encode) {
		inspector_body b;
		st_sink s;
		inspector_body_init(&b, t, &s);
		pr->encode(mr->type, trace_msg_body(t, mr), mr->body_len, &s);
		inspector_body_draw(o, &b, 2);
		free(b.lines);
	}
}

/* Ordered or concurrent, and why, from the two vector clocks. */
static void inspector_compare(inspector_out *o, const view_model *m, uint32_t a, uint32_t b)
{
	const st_trace *t = m->trace;
	if (o->x)
		inspector_nl(o);
	inspector_putf(o, R_MARK, A_BOLD_, "compared with e%u (marked)", b);
	inspector_nl(o);
	if (!inspector_held(t, b)) {
		inspector_para(o, 0, "the marked event is no longer held", R_DIM, 0);
		return;
	}
	const st_event *ea = trace_at(t, a), *eb = trace_at(t, b);
	char line[640];
	if (!trace_kinds[ea->kind].proc_event || !trace_kinds[eb->kind].proc_event) {
		uint32_t w = !trace_kinds[ea->kind].proc_event ? a : b;
		snprintf(line, sizeof line, "e%u is a %s, a world event: it has no vector clock, "
			 "so happened-before does not apply to it", w,
			 trace_kinds[trace_at(t, w)->kind].name);
		inspector_para(o, 0, line, R_DIM, 0);
		return;
	}
	char va[160], vb[160];
	inspector_vc_str(t, a, va, sizeof va);
	inspector_vc_str(t, b, vb, sizeof vb);
	int ord = trace_order(t, a, b);
	if (ord != 0) {
		uint32_t x = ord > 0 ? a : b, y = ord > 0 ? b : a;
		inspector_putf(o, R_GOOD, A_BOLD_, "e%u \u2192 e%u", x, y);
		inspector_put(o, "  happened before", R_NORMAL, 0);
		snprintf(line, sizeof line, "e%u.vc %s \u2264 e%u.vc %s: e%u happened before e%u", x,
			 ord > 0 ? va : vb, y, ord > 0 ? vb : va, x, y);
		inspector_para(o, 0, line, R_NORMAL, 0);
		return;
	}
	inspector_putf(o, R_CONCURRENT, A_BOLD_, "e%u \u2225 e%u", a, b);
	inspector_put(o, "  concurrent", R_NORMAL, 0);
	/* a witness on each side: a process a knows more of, and one b knows more of */
	const uint32_t *ca = trace_vc(t, a), *cb = trace_vc(t, b);
	int pa = -1, pb = -1;
	for (int p = 0; p < t->nprocs; p++) {
		if (ca[p] > cb[p] && pa < 0)
			pa = p;
		if (cb[p] > ca[p] && pb < 0)
			pb = p;
	}
	if (pa >= 0 && pb >= 0)
		snprintf(line, sizeof line, "concurrent: e%u knows %u event%s of %s, e%u only %u; "
			 "e%u knows %u of %s, e%u only %u. Neither vc %s nor %s is \u2264 the other.",
			 a, ca[pa], ca[pa] == 1 ? "" : "s", t->proc_names[pa], b, cb[pa], b, cb[pb],
			 t->proc_names[pb], a, ca[pb], va, vb);
	else
		snprintf(line, sizeof line, "e%u and e%u have the same vector clock %s", a, b, va);
	inspector_para(o, 0, line, R_NORMAL, 0);
}

/* --- the pane ------------------------------------------------------------------------------ */

/* The protocol's picture of the event's process, as the world is at the cursor (the trace
 * keeps only the flat state). */
static void inspector_picture(inspector_out *o, const view_model *m, int p)
{
	view_pic *pic = st_zalloc(1, sizeof *pic);
	if (view_picture(m, p, pic)) {
		if (o->x)
			inspector_nl(o);
		inspector_put(o, view_proc_name(m->trace, p), view_proc_role(m->trace, p), A_BOLD_);
		inspector_put(o, " at the cursor", R_DIM, 0);
		inspector_nl(o);
		for (int k = 0; k < pic->nrows; k++) {
			if (inspector_visible(o))
				view_pic_draw(o->g, o->in.x + 2, o->in.y + o->row - o->skip, o->in.w - 2,
					      &pic->r[k], true);
			inspector_nl(o);
		}
	}
	free(pic);
}

/* The invariant the run broke at this event, first, as a warning: the reason play stopped
 * (issue 10). Shown on the violating event, or on the latest event when nothing is selected. */
static void inspector_violation(inspector_out *o, const view_model *m, uint32_t id, bool latest)
{
	if (!m->violation || (id != m->violation_ev && !latest))
		return;
	char head[160];
	snprintf(head, sizeof head, "\u2716 invariant violated: %s", m->violation);
	inspector_para(o, 0, head, R_WARN, A_BOLD_);    /* wrapped: the name is never cut */
	if (m->violation_text && m->violation_text[0])
		inspector_para(o, 2, m->violation_text, R_WARN, 0);
	if (id != m->violation_ev) {
		char line[64];
		snprintf(line, sizeof line, "at e%u (! returns to it)", m->violation_ev);
		inspector_para(o, 2, line, R_DIM, 0);
	}
	inspector_nl(o);
}

/* What this event changed of its process's state: each field against the state record
 * before it (the index's prev_state_ev at the event), "term 3→4"; a new field has no old
 * value. Nothing when the event carries no state record or there is none before it. */
static void inspector_changes(inspector_out *o, const view_model *m, uint32_t id)
{
	const st_trace *t = m->trace;
	const st_event *e = trace_at(t, id);
	if (!m->index || e->state == TRACE_NONE || !trace_kinds[e->kind].proc_event)
		return;
	trace_point pt;
	trace_index_at(m->index, id + 1, &pt);
	if (pt.state_ev[e->proc] != id)
		return;
	uint32_t prev = pt.prev_state_ev[e->proc];
	view_change ch[VIEW_MAX_CHANGES];
	int n = view_changes(t, prev, id, ch, VIEW_MAX_CHANGES);
	if (o->x)
		inspector_nl(o);
	if (n == 0) {
		inspector_put(o, inspector_held(t, prev) ? "changed nothing of its state"
			      : "its first state", R_DIM, 0);
		inspector_nl(o);
		return;
	}
	inspector_put(o, "changed", R_DIM, 0);
	for (int k = 0; k < n; k++) {
		int need = 2 + view_width(o->g, ch[k].key) + 1 + view_width(o->g, ch[k].val) +
			   (ch[k].had_old ? view_width(o->g, ch[k].old) + view_width(o->g, "\u2192") : 0);
		if (o->x + need > o->in.w && o->x > 2) {
			inspector_nl(o);
			o->x = 2;
		} else {
			o->x += 2;
		}
		inspector_put(o, ch[k].key, R_DIM, 0);
		inspector_put(o, " ", R_NORMAL, 0);
		if (ch[k].had_old) {
			inspector_put(o, ch[k].old, R_DIM, 0);
			inspector_put(o, "\u2192", R_DIM, 0);
		}
		inspector_put(o, ch[k].val, R_CHANGED, A_BOLD_);
	}
	inspector_nl(o);
}

static void inspector_event(inspector_out *o, const view_model *m, uint32_t id, bool latest)
{
	const st_trace *t = m->trace;
	const st_event *e = trace_at(t, id);
	bool proc_ev = trace_kinds[e->kind].proc_event;

	inspector_violation(o, m, id, latest);

	/* e57 recv at n3 */
	inspector_putf(o, R_TITLE, A_BOLD_, "e%u", id);
	inspector_put(o, " ", R_NORMAL, 0);
	inspector_put(o, trace_kinds[e->kind].name, R_NORMAL, A_BOLD_);
	if (proc_ev) {
		inspector_put(o, " at ", R_DIM, 0);
		inspector_put(o, view_proc_name(t, e->proc), view_proc_role(t, e->proc), A_BOLD_);
	}
	if (e->by)
		inspector_putf(o, R_DIM, 0, "  by %s", trace_by_names[e->by]);
	inspector_nl(o);
	/* t=123.456ms  lamport 7: when, in both of the run's senses of time */
	inspector_putf(o, R_NORMAL, 0, "t=%.3fms", (double)e->t_us / 1000.0);
	if (proc_ev) {
		inspector_put(o, "  lamport ", R_DIM, 0);
		inspector_putf(o, R_CLOCK, A_BOLD_, "%u", e->lamport);
	}
	inspector_nl(o);
	if (latest)
		inspector_para(o, 0, "(the latest event; select one on the timeline to inspect it)",
			       R_DIM, 0);
	if (m->cursor != TRACE_NONE && id > m->cursor)
		inspector_para(o, 0, "in the future of the cursor", R_FUTURE, 0);

	/* what it changed comes before why (the note): in a small pane it is what stays */
	if (proc_ev)
		inspector_changes(o, m, id);
	if (e->label) {
		if (o->x)
			inspector_nl(o);
		inspector_putf(o, R_TITLE, 0, "\u201c%s\u201d", trace_str(t, e->label));
		inspector_nl(o);
	}
	if (e->note)
		inspector_para(o, 0, trace_str(t, e->note), R_LESSON, 0);

	if (proc_ev)
		inspector_vc(o, m, id);

	switch (e->kind) {
	case KIND_SEND:
	case KIND_RECV:
	case KIND_DROP:
		inspector_message(o, m, e, id);
		break;
	case KIND_PARTITION: {
		trace_point pt;
		trace_net ns;
		if (!m->index)
			break;
		trace_index_at(m->index, id + 1, &pt);
		trace_index_net(m->index, &pt, &ns);
		char sum[200];
		view_net_summary(t, &ns, sum, sizeof sum);
		inspector_para(o, 0, sum, R_PARTITION, A_BOLD_);
		inspector_para(o, 0, "messages between groups are dropped until a heal", R_DIM, 0);
		break;
	}
	case KIND_HEAL:
		inspector_para(o, 0, "every partition removed: all processes can reach each other",
			       R_DIM, 0);
		break;
	case KIND_CRASH:
		inspector_para(o, 0, "the process stops; its volatile state is lost, its persistent state "
			  "kept", R_CRASH, 0);
		break;
	case KIND_COMPLETE:
		if (inspector_held(t, e->ref))
			inspector_putf(o, R_NORMAL, 0, "%s, invoked at e%u, took %.1f ms",
				  trace_optype_names[e->aux % 3], e->ref,
				  (double)(e->t_us - trace_at(t, e->ref)->t_us) / 1000.0);
		else
			inspector_putf(o, R_NORMAL, 0, "%s (invoke e%u)", trace_optype_names[e->aux % 3],
				       e->ref);
		inspector_nl(o);
		break;
	default:
		break;
	}
	if (e->body != TRACE_NONE && e->kind != KIND_PARTITION) {
		inspector_body b;
		st_sink s;
		inspector_body_init(&b, t, &s);
		if (o->x)
			inspector_nl(o);
		bool op = e->kind == KIND_INVOKE || e->kind == KIND_COMPLETE;
		inspector_put(o, op ? "op" : "body", R_DIM, 0);
		inspector_nl(o);
		trace_kv_emit(t, e->body, &s);
		inspector_body_draw(o, &b, 2);
		free(b.lines);
	}
	if (proc_ev)
		inspector_picture(o, m, e->proc);
	if (m->marked != TRACE_NONE && m->marked != id)
		inspector_compare(o, m, id, m->marked);
}

void inspector_draw(grid *g, grid_rect r, const view_model *m)
{
	const st_trace *t = m->trace;
	uint32_t id = m->selected;
	bool latest = false;
	if (t && !inspector_held(t, id)) {
		id = m->cursor;
		latest = true;
	}
	char title[48];
	if (t && inspector_held(t, id))
		snprintf(title, sizeof title, m->violation && id == m->violation_ev ?
			 "violation at e%u" : latest ? "latest event e%u" : "event e%u", id);
	else
		snprintf(title, sizeof title, "inspector");
	grid_rect in = view_box(g, r, title, m->focus == PANE_INSPECTOR);
	if (in.w <= 2 || in.h <= 0)
		return;
	inspector_out o = {g, {in.x + 1, in.y, in.w - 1, in.h}, 0, m->inspector_scroll, 0};
	if (o.skip < 0)
		o.skip = 0;
	if (!t || !inspector_held(t, id)) {
		inspector_para(&o, 0, m->selected != TRACE_NONE && t ?
			  "That event is no longer held in memory (the trace is streaming)."
			  : "Nothing has happened yet. Step, and select an event on the timeline "
			  "to see its clocks, its message and why it happened.", R_DIM, 0);
		return;
	}
	inspector_event(&o, m, id, latest);
	if (o.x)
		inspector_nl(&o);
	/* say there is more above or below, on the border */
	view_more(g, r, o.skip > 0, o.row - o.skip > in.h);
}
