/* view.c: what every pane shares.
 *
 * The helpers exist so that every pane folds text to ASCII the same way (--ascii must hold for
 * scenario and protocol text, not only for our own glyphs), boxes itself the same way, names
 * processes the same way, and reads what holds at the cursor from the run's index the same
 * way. Panes may call these (and grid_*, theme_*, layout_*), never each other. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "core/utf8.h"
#include "view.h"

/* --- text ---------------------------------------------------------------------------------- */

/* What a non-ASCII code point becomes under --ascii. Anything not listed becomes "?". */
static const struct { uint32_t cp; const char *ascii; } view_folds[] = {
	{0x2192, "->"}, {0x2190, "<-"}, {0x2191, "^"}, {0x2193, "v"}, {0x21F8, "-/->"},
	{0x2225, "||"}, {0x2264, "<="}, {0x2265, ">="}, {0x2260, "!="}, {0x00D7, "x"},
	{0x25B6, ">"}, {0x25B8, ">"}, {0x275A, "|"}, {0x25CF, "*"}, {0x25CB, "o"},
	{0x2022, "*"}, {0x00B7, "."}, {0x2593, "#"}, {0x2592, ":"}, {0x2591, "."},
	{0x2588, "#"}, {0x2014, "--"}, {0x2013, "-"}, {0x2026, "..."}, {0x2018, "'"},
	{0x2019, "'"}, {0x201C, "\""}, {0x201D, "\""}, {0x2716, "x"}, {0x2713, "v"},
	{0x2500, "-"}, {0x2502, "|"}, {0x2503, "|"}, {0x00A0, " "}, {0x27F6, "->"},
};

static const char *view_fold(uint32_t cp)
{
	for (size_t i = 0; i < sizeof view_folds / sizeof view_folds[0]; i++)
		if (view_folds[i].cp == cp)
			return view_folds[i].ascii;
	return "?";
}

/* One code point from UTF-8 (invalid bytes read as '?'). */

int view_width(const grid *g, const char *utf8)
{
	if (!utf8)
		return 0;
	int n = 0;
	const unsigned char *p = (const unsigned char *)utf8;
	while (*p) {
		uint32_t c = utf8_next(&p);
		n += (g->ascii && c >= 0x80) ? (int)strlen(view_fold(c)) : 1;
	}
	return n;
}

int view_text(grid *g, int x, int y, const char *utf8, int max_w, int role, int attr)
{
	if (!utf8)
		return 0;
	int lim = g->w - x;
	if (max_w >= 0 && max_w < lim)
		lim = max_w;
	if (lim <= 0)
		return 0;
	bool cut = view_width(g, utf8) > lim;
	int room = cut ? lim - 1 : lim;     /* keep the last column for the ellipsis */
	int n = 0;
	const unsigned char *p = (const unsigned char *)utf8;
	while (*p && n < room) {
		uint32_t c = utf8_next(&p);
		if (c < 0x20 || c == 0x7f)
			c = '?';
		if (g->ascii && c >= 0x80) {
			const char *f = view_fold(c);
			for (; *f && n < room; f++)
				grid_put(g, x + n++, y, (uint32_t)(unsigned char)*f, role, attr);
		} else {
			grid_put(g, x + n++, y, c, role, attr);
		}
	}
	if (cut && lim >= 1)
		grid_put(g, x + n++, y, g->ascii ? '~' : 0x2026, role, attr);
	return n;
}

int view_printf(grid *g, int x, int y, int max_w, int role, int attr, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return view_text(g, x, y, buf, max_w, role, attr);
}

/* Draw a piece of a wrapped line when its row is inside the window being shown. */
static void view_wrap_put(grid *g, int x, int y, int row, int skip, int max_rows, const char *s,
			  int w, int role, int attr)
{
	int vr = row - skip;
	if (vr >= 0 && vr < max_rows)
		view_text(g, x, y + vr, s, w, role, attr);
}

int view_wrap(grid *g, int x, int y, int w, int max_rows, int skip, const char *text, int role,
	      int attr)
{
	if (!text || w <= 0)
		return 0;
	int row = 0, col = 0;
	const char *s = text;
	while (*s) {
		if (*s == '\n' || *s == ' ') {
			if (*s++ == '\n')
				row++, col = 0;
			continue;
		}
		const char *e = s;
		while (*e && *e != ' ' && *e != '\n')
			e++;
		char word[512];
		size_t len = (size_t)(e - s) < sizeof word - 1 ? (size_t)(e - s) : sizeof word - 1;
		memcpy(word, s, len);
		word[len] = 0;
		s = e;
		int ww = view_width(g, word);
		if (col > 0 && col + 1 + ww > w)
			row++, col = 0;
		else if (col > 0)
			col++;
		/* a word longer than a line is cut into line-sized pieces */
		const char *piece = word;
		while (col == 0 && ww > w) {
			const unsigned char *q = (const unsigned char *)piece;
			for (int i = 0; i < w && *q; i++)
				utf8_next(&q);
			char buf[512];
			size_t n = (size_t)((const char *)q - piece);
			memcpy(buf, piece, n);
			buf[n] = 0;
			view_wrap_put(g, x, y, row, skip, max_rows, buf, w, role, attr);
			piece += n;
			ww = view_width(g, piece);
			row++;
		}
		if (*piece)
			view_wrap_put(g, x + col, y, row, skip, max_rows, piece, w - col, role, attr);
		col += ww;
	}
	return col > 0 ? row + 1 : row;
}

/* --- boxes and names ----------------------------------------------------------------------- */

grid_rect view_box(grid *g, grid_rect r, const char *title, bool focused)
{
	grid_box(g, r, NULL, focused ? R_FOCUS : R_BORDER);
	if (title && *title && r.w > 6) {
		/* through view_text so a title folds under --ascii like everything else */
		int role = focused ? R_FOCUS : R_BORDER;
		grid_put(g, r.x + 1, r.y, ' ', role, 0);
		int n = view_text(g, r.x + 2, r.y, title, r.w - 5, R_TITLE, A_BOLD_);
		grid_put(g, r.x + 2 + n, r.y, ' ', role, 0);
	}
	grid_rect in = {r.x + 1, r.y + 1, r.w - 2, r.h - 2};
	if (in.w < 0)
		in.w = 0;
	if (in.h < 0)
		in.h = 0;
	return in;
}

void view_more(grid *g, grid_rect r, bool above, bool below)
{
	if (r.w < 14)
		return;
	if (above)
		view_text(g, r.x + r.w - 10, r.y, " \u2191 more ", 8, R_BORDER, 0);
	if (below && r.h >= 2)
		view_text(g, r.x + r.w - 10, r.y + r.h - 1, " more \u2193 ", 8, R_BORDER, 0);
}

/* --- what a state record changed ---------------------------------------------------------- */

static void view_fields_add(st_sink *s, const char *key, const char *val)
{
	view_fields *c = s->user;
	if (c->depth > 0 || c->n >= VIEW_MAX_CHANGES || !key)
		return;
	snprintf(c->f[c->n].key, sizeof c->f[c->n].key, "%s", key);
	snprintf(c->f[c->n].val, sizeof c->f[c->n].val, "%s", val ? val : "");
	c->n++;
}
static void view_fields_int(st_sink *s, const char *key, int64_t v)
{
	char b[24];
	snprintf(b, sizeof b, "%lld", (long long)v);
	view_fields_add(s, key, b);
}
static void view_fields_str(st_sink *s, const char *key, const char *v) { view_fields_add(s, key, v); }
static void view_fields_proc(st_sink *s, const char *key, int p)
{
	view_fields_add(s, key, view_proc_name(((view_fields *)s->user)->t, p));
}
static void view_fields_bool(st_sink *s, const char *key, bool v)
{
	view_fields_add(s, key, v ? "yes" : "no");
}
static void view_fields_begin(st_sink *s, const char *key, bool array)
{
	(void)key, (void)array;
	((view_fields *)s->user)->depth++;
}
static void view_fields_end(st_sink *s) { ((view_fields *)s->user)->depth--; }

void view_fields_sink(view_fields *c, const st_trace *t, st_sink *s)
{
	memset(c, 0, sizeof *c);
	c->t = t;
	*s = (st_sink){view_fields_int, view_fields_str, view_fields_proc, view_fields_bool,
		       view_fields_begin, view_fields_end, c};
}

static void view_fields_of(const st_trace *t, uint32_t ev, view_fields *c)
{
	st_sink s;
	view_fields_sink(c, t, &s);
	trace_kv_emit(t, trace_at(t, ev)->state, &s);
}

static bool view_state_held(const st_trace *t, uint32_t id)
{
	return id != TRACE_NONE && id >= t->base && id < trace_count(t) &&
	       trace_at(t, id)->state != TRACE_NONE;
}

int view_changes(const st_trace *t, uint32_t before, uint32_t after, view_change *out, int max)
{
	if (!view_state_held(t, before) || !view_state_held(t, after))
		return 0;
	view_fields *a = st_alloc(2 * sizeof *a), *b = a + 1;
	view_fields_of(t, before, a);
	view_fields_of(t, after, b);
	int n = 0;
	for (int k = 0; k < b->n && n < max; k++) {
		const view_change *old = NULL;
		for (int i = 0; i < a->n && !old; i++)
			if (strcmp(a->f[i].key, b->f[k].key) == 0)
				old = &a->f[i];
		if (old && strcmp(old->val, b->f[k].val) == 0)
			continue;
		out[n] = b->f[k];
		out[n].had_old = old != NULL;
		snprintf(out[n].old, sizeof out[n].old, "%s", old ? old->val : "");
		n++;
	}
	free(a);
	return n;
}

const char *view_proc_name(const st_trace *t, int p)
{
	if (!t || p < 0 || p >= t->nprocs)
		return "-";
	return t->proc_names[p];
}

int view_proc_role(const st_trace *t, int p)
{
	return t && p >= t->nnodes ? R_CLIENT : R_NODE;
}

/* --- what holds at the cursor ------------------------------------------------------------- */

void view_point(const view_model *m, trace_point *out)
{
	if (!m->index) {
		trace_index_point_clear(out);
		return;
	}
	trace_index_at(m->index, m->cursor == TRACE_NONE ? 0 : m->cursor + 1, out);
}

bool view_net_extra_cut(const trace_net *ns, int a, int b)
{
	bool by_groups = ns->group[a] >= 0 && ns->group[b] >= 0 && ns->group[a] != ns->group[b];
	return (ns->blocked[a] >> b & 1u) && !by_groups;
}

static void view_cat(char *out, size_t outlen, const char *s)
{
	size_t n = strlen(out);
	if (n + 1 < outlen)
		snprintf(out + n, outlen - n, "%s", s);
}

void view_net_summary(const st_trace *t, const trace_net *ns, char *out, size_t outlen)
{
	out[0] = 0;
	if (!t)
		return;
	for (int g = 0; g < ns->ngroups; g++) {
		view_cat(out, outlen, g ? " | {" : "{");
		bool first = true;
		for (int p = 0; p < t->nprocs; p++)
			if (ns->group[p] == g) {
				view_cat(out, outlen, first ? "" : " ");
				view_cat(out, outlen, view_proc_name(t, p));
				first = false;
			}
		view_cat(out, outlen, "}");
	}
	for (int a = 0; a < t->nprocs; a++)
		for (int b = 0; b < t->nprocs; b++)
			if (a != b && view_net_extra_cut(ns, a, b)) {
				view_cat(out, outlen, out[0] ? "  " : "");
				view_cat(out, outlen, view_proc_name(t, a));
				view_cat(out, outlen, " \u21f8 ");
				view_cat(out, outlen, view_proc_name(t, b));
			}
}

/* ---- a protocol's picture of a process (st_protocol.picture) ----------------------------- */

static void view_pic_row_cb(st_picture *p, const char *label)
{
	view_pic *o = p->user;
	if (o->nrows >= VIEW_PIC_ROWS)
		return;
	view_pic_row *r = &o->r[o->nrows++];
	memset(r, 0, sizeof *r);
	snprintf(r->label, sizeof r->label, "%s", label ? label : "");
}

static void view_pic_cell_cb(st_picture *p, const char *text, int hue, int flags)
{
	view_pic *o = p->user;
	if (o->nrows == 0)
		view_pic_row_cb(p, "");
	view_pic_row *r = &o->r[o->nrows - 1];
	if (r->n >= VIEW_PIC_CELLS) {
		/* keep the newest: a long log drops its oldest cells */
		memmove(&r->c[0], &r->c[1], sizeof r->c[0] * (VIEW_PIC_CELLS - 1));
		r->n--;
		r->more = true;
	}
	view_pic_cell *c = &r->c[r->n++];
	snprintf(c->text, sizeof c->text, "%s", text ? text : "");
	c->hue = (int8_t)(hue < 0 ? -1 : hue % 120);
	c->flags = (uint8_t)flags;
}

bool view_picture(const view_model *m, int p, view_pic *out)
{
	out->nrows = 0;
	const st_protocol *pr = m->trace ? m->trace->proto : NULL;
	if (!pr || !pr->picture || !m->sim || p < 0 || p >= m->trace->nprocs)
		return false;
	st_picture pic = {view_pic_row_cb, view_pic_cell_cb, out};
	st_role role = p < m->trace->nnodes ? ST_ROLE_NODE : ST_ROLE_CLIENT;
	pr->picture(sim_proc_state(m->sim, p), role, p, m->trace->nnodes, m->trace->nprocs, &pic);
	return out->nrows > 0;
}

int view_pic_width(const grid *g, const view_pic_row *row, bool label)
{
	int w = label && row->label[0] ? view_width(g, row->label) + 1 : 0;
	for (int i = 0; i < row->n; i++)
		w += view_width(g, row->c[i].text);
	return w + (row->more ? 1 : 0);
}

static int view_pic_role(const view_pic_cell *c)
{
	if (c->flags & ST_PIC_SEP)
		return R_DIM;
	if (c->hue >= 0)
		return R_HUE1 + c->hue % 6;
	return (c->flags & ST_PIC_DIM) ? R_DIM : R_NORMAL;
}

int view_pic_draw(grid *g, int x, int y, int max_w, const view_pic_row *row, bool label)
{
	if (max_w <= 0)
		return 0;
	int x0 = x, end = x + max_w;
	if (label && row->label[0]) {
		x += view_text(g, x, y, row->label, end - x, R_DIM, 0);
		if (x < end)
			grid_put(g, x++, y, ' ', R_NORMAL, 0);
	}
	int cells = 0;
	for (int i = 0; i < row->n; i++)
		cells += view_width(g, row->c[i].text);
	int first = 0;
	bool cut = row->more;
	if (cells > end - x) {  /* keep the end: drop cells from the front behind a "…" */
		cut = true;
		while (first < row->n && cells > end - x - 1)
			cells -= view_width(g, row->c[first++].text);
	}
	if (cut && x < end)
		x += view_text(g, x, y, "\u2026", end - x, R_DIM, 0);
	for (int i = first; i < row->n && x < end; i++) {
		const view_pic_cell *c = &row->c[i];
		int attr = (c->flags & ST_PIC_BOLD) ? A_BOLD_ : 0;
		attr |= (c->flags & ST_PIC_MARK) ? A_REV_ : 0;
		attr |= (c->flags & ST_PIC_DIM) && c->hue >= 0 ? A_DIM_ : 0;
		x += view_text(g, x, y, c->text, end - x, view_pic_role(c), attr);
	}
	return x - x0;
}
