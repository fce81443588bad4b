/* network.c: who can talk to whom at the cursor.
 *
 * The partition feature needs a picture, not a matrix: the processes stand in their groups
 * with a wall between the groups, one-way cuts are listed as "n1 ⇸ n2", and the loss and
 * duplication rates sit underneath. The state comes from the trace (the last partition or heal
 * at or before the cursor, then the one-way cuts after it), so it is right in the past too;
 * the status bar uses the same reading for its one-line summary. An index of the topology
 * events, built forward and binary-searched, keeps that O(log n) a frame. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view.h"

static struct {
	view_scan scan;
	uint32_t *ids;      /* partition, heal, cut and uncut events, in order */
	uint32_t n, cap;
} network_cache;

void network_cache_free(void)
{
	free(network_cache.ids);
	memset(&network_cache, 0, sizeof network_cache);
}

/* A one-way cut is an input labelled "cut one way" / "uncut one way" with body {from, to};
 * 1 cut, 0 uncut, -1 not a cut. */
static int network_cut_of(const st_trace *t, const st_event *e, int *from, int *to)
{
	if (e->kind != KIND_INPUT || !e->label || e->body == TRACE_NONE)
		return -1;
	const char *l = trace_str(t, e->label);
	int cut = strcmp(l, "cut one way") == 0 ? 1 : strcmp(l, "uncut one way") == 0 ? 0 : -1;
	int64_t a, b;
	if (cut < 0 || !trace_kv_int(t, e->body, "from", &a) || !trace_kv_int(t, e->body, "to", &b) ||
	    a < 0 || b < 0 || a >= t->nprocs || b >= t->nprocs)
		return -1;
	*from = (int)a;
	*to = (int)b;
	return cut;
}

static void network_index(const st_trace *t)
{
	bool reset;
	uint32_t from = view_scan_resume(&network_cache.scan, t, &reset);
	if (reset)
		network_cache.n = 0;
	uint32_t end = trace_count(t);
	for (uint32_t id = from; id < end; id++) {
		const st_event *e = trace_at(t, id);
		int a, b;
		if (e->kind != KIND_PARTITION && e->kind != KIND_HEAL && network_cut_of(t, e, &a, &b) < 0)
			continue;
		if (network_cache.n == network_cache.cap) {
			uint32_t cap = network_cache.cap ? network_cache.cap * 2 : 64;
			uint32_t *ids = realloc(network_cache.ids, cap * sizeof *ids);
			if (!ids)
				break;
			network_cache.ids = ids;
			network_cache.cap = cap;
		}
		network_cache.ids[network_cache.n++] = id;
	}
	view_scan_done(&network_cache.scan, t, end);
}

void network_state_at(const st_trace *t, uint32_t cursor, network_state *out)
{
	memset(out, 0, sizeof *out);
	memset(out->group, -1, sizeof out->group);
	out->since = TRACE_NONE;
	if (!t || cursor == TRACE_NONE || trace_count(t) == 0)
		return;
	network_index(t);
	/* the last topology event at or before the cursor */
	int64_t lo = 0, hi = (int64_t)network_cache.n - 1, last = -1;
	while (lo <= hi) {
		int64_t mid = (lo + hi) / 2;
		if (network_cache.ids[mid] <= cursor)
			last = mid, lo = mid + 1;
		else
			hi = mid - 1;
	}
	/* back to the partition or heal that set the groups, then replay the cuts after it */
	int64_t base = last;
	while (base >= 0 && trace_at(t, network_cache.ids[base])->kind == KIND_INPUT)
		base--;
	if (base >= 0) {
		uint32_t id = network_cache.ids[base];
		const st_event *e = trace_at(t, id);
		out->since = id;
		if (e->kind == KIND_PARTITION && e->body != TRACE_NONE) {
			const st_kvrec *r = trace_kv_items(t, e->body);
			uint32_t n = trace_kv_count(t, e->body);
			for (uint32_t i = 0; i < n; i++) {
				int g = atoi(trace_str(t, r[i].key));
				if (r[i].v >= 0 && r[i].v < t->nprocs && g >= 0 && g < SC_MAX_GROUPS) {
					out->group[r[i].v] = (int8_t)g;
					if (g + 1 > out->ngroups)
						out->ngroups = g + 1;
				}
			}
			for (int a = 0; a < t->nprocs; a++)
				for (int b = 0; b < t->nprocs; b++)
					if (out->group[a] >= 0 && out->group[b] >= 0 &&
					    out->group[a] != out->group[b])
						out->blocked[a] |= 1u << b;
		}
	}
	for (int64_t i = base + 1; i <= last; i++) {
		int a, b;
		int cut = network_cut_of(t, trace_at(t, network_cache.ids[i]), &a, &b);
		if (cut == 1)
			out->blocked[a] |= 1u << b;
		else if (cut == 0)
			out->blocked[a] &= ~(1u << b);
		if (cut >= 0 && out->since == TRACE_NONE)
			out->since = network_cache.ids[i];
	}
}

/* Blocked a -> b beyond what the groups explain: a one-way cut. */
static bool network_extra_cut(const network_state *ns, int a, int b)
{
	bool by_groups = ns->group[a] >= 0 && ns->group[b] >= 0 && ns->group[a] != ns->group[b];
	return (ns->blocked[a] >> b & 1u) && !by_groups;
}

static void network_cat(char *out, size_t outlen, const char *s)
{
	size_t n = strlen(out);
	if (n + 1 < outlen)
		snprintf(out + n, outlen - n, "%s", s);
}

void network_summary(const st_trace *t, const network_state *ns, char *out, size_t outlen)
{
	out[0] = 0;
	if (!t)
		return;
	for (int g = 0; g < ns->ngroups; g++) {
		network_cat(out, outlen, g ? " | {" : "{");
		bool first = true;
		for (int p = 0; p < t->nprocs; p++)
			if (ns->group[p] == g) {
				network_cat(out, outlen, first ? "" : " ");
				network_cat(out, outlen, view_proc_name(t, p));
				first = false;
			}
		network_cat(out, outlen, "}");
	}
	for (int a = 0; a < t->nprocs; a++)
		for (int b = 0; b < t->nprocs; b++)
			if (a != b && network_extra_cut(ns, a, b)) {
				network_cat(out, outlen, out[0] ? "  " : "");
				network_cat(out, outlen, view_proc_name(t, a));
				network_cat(out, outlen, " \u21f8 ");
				network_cat(out, outlen, view_proc_name(t, b));
			}
}

static uint32_t network_cursor(const view_model *m)
{
	uint32_t n = m->trace ? trace_count(m->trace) : 0;
	if (m->cursor == TRACE_NONE || n == 0)
		return TRACE_NONE;
	return m->cursor < n ? m->cursor : n - 1;
}

/* One process name, coloured by what it is and whether it is up. */
static void network_put_proc(grid *g, int x, int y, int w, const view_model *m, int p)
{
	sim_proc_status st = nodes_status_at(m, p);
	int role = st == PROC_CRASHED ? R_CRASH : st == PROC_PAUSED ? R_PAUSE
					 : view_proc_role(m->trace, p);
	int attr = 0;
	if (p == m->sel_proc)
		role = R_SELECT, attr = A_BOLD_ | A_REV_;
	view_text(g, x, y, view_proc_name(m->trace, p), w, role, attr);
	if (st == PROC_CRASHED && w > 3)
		grid_put_glyph(g, x + view_width(g, view_proc_name(m->trace, p)), y, G_X, R_CRASH, 0);
}

void network_draw(grid *g, grid_rect r, const view_model *m)
{
	grid_rect in = view_box(g, r, "network", m->focus == PANE_NETWORK);
	if (in.w <= 0 || in.h <= 0)
		return;
	const st_trace *t = m->trace;
	if (!t) {
		view_text(g, in.x + 1, in.y, "no trace", in.w - 1, R_DIM, 0);
		return;
	}
	network_state ns;
	network_state_at(t, network_cursor(m), &ns);
	int np = t->nprocs;
	int name_w = 0;
	for (int p = 0; p < np; p++) {
		int w = view_width(g, view_proc_name(t, p)) + 1;
		name_w = w > name_w ? w : name_w;
	}

	/* the groups side by side with a wall between them (two rows tall, so it reads as a
	 * wall); with no partition, one group of all. Groups that do not fit wrap below. */
	int ngroups = ns.ngroups ? ns.ngroups : 1;
	int x = in.x + 1, y = in.y, end = in.x + in.w;
	for (int gi = 0; gi < ngroups; gi++) {
		int members = 0;
		for (int p = 0; p < np; p++)
			members += (ns.ngroups ? ns.group[p] : 0) == gi;
		if (members == 0)
			continue;
		int gw = members * (name_w + 1);
		if (x > in.x + 1 && x + 3 + gw > end && y + 2 < in.y + in.h) {
			x = in.x + 1;       /* wrap: this group starts a new band */
			y += 2;
		}
		if (x > in.x + 1) {
			grid_put_glyph(g, x + 1, y, G_WALL, R_PARTITION, A_BOLD_);
			if (y + 1 < in.y + in.h)
				grid_put_glyph(g, x + 1, y + 1, G_WALL, R_PARTITION, A_BOLD_);
			x += 4;
		}
		for (int p = 0; p < np; p++)
			if ((ns.ngroups ? ns.group[p] : 0) == gi && x < end) {
				network_put_proc(g, x, y, end - x, m, p);
				x += name_w + 1;
			}
	}
	y += ns.ngroups > 1 ? 2 : 1;
	/* processes in no group reach everyone */
	if (ns.ngroups && y < in.y + in.h) {
		int cx = in.x + 1;
		bool any = false;
		for (int p = 0; p < np; p++)
			if (ns.group[p] < 0) {
				network_put_proc(g, cx, y, end - cx, m, p);
				cx += name_w + 1;
				any = true;
			}
		if (any) {
			view_text(g, cx, y, "reach everyone", end - cx, R_DIM, 0);
			y++;
		}
	}
	/* one-way cuts */
	char cuts[256] = "";
	for (int a = 0; a < np; a++)
		for (int b = 0; b < np; b++)
			if (a != b && network_extra_cut(&ns, a, b)) {
				char one[32];
				snprintf(one, sizeof one, "%s%s \u21f8 %s", cuts[0] ? "  " : "",
					 view_proc_name(t, a), view_proc_name(t, b));
				network_cat(cuts, sizeof cuts, one);
			}
	if (cuts[0] && y < in.y + in.h)
		view_text(g, in.x + 1, y++, cuts, in.w - 1, R_PARTITION, 0);
	if (!ns.ngroups && !cuts[0] && y < in.y + in.h)
		view_text(g, in.x + 1, y++, "no partition: everyone reaches everyone", in.w - 1,
			  R_DIM, 0);
	else if (ns.since != TRACE_NONE && y < in.y + in.h) {
		const st_event *e = trace_at(t, ns.since);
		view_printf(g, in.x + 1, y++, in.w - 1, R_DIM, 0, "since t=%.3fs (e%u)",
			    (double)e->t_us / 1e6, ns.since);
	}
	if (m->sim && y < in.y + in.h)
		view_printf(g, in.x + 1, y++, in.w - 1, R_NORMAL, 0, "loss %.0f%%  duplicate %.0f%%",
			    sim_loss(m->sim) * 100, sim_duplicate(m->sim) * 100);
}
