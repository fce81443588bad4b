/* network.c: who can talk to whom at the cursor.
 *
 * The partition feature needs a picture, not a matrix: the processes stand in their groups
 * with a wall between the groups, one-way cuts are listed as "n1 ⇸ n2", and the loss and
 * duplication rates sit underneath. All of it is what the run's index says holds at the
 * cursor (the last partition or heal, the one-way cuts after it, the last rate changes), so
 * it is right in the past too; the status bar reads the same for its one-line summary. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view.h"

/* One process name, coloured by what it is and whether it is up. */
static void network_put_proc(grid *g, int x, int y, int w, const view_model *m,
			     const trace_point *pt, int p)
{
	int st = pt->status[p];
	int role = st == TI_CRASHED ? R_CRASH : st == TI_PAUSED ? R_PAUSE
				    : view_proc_role(m->trace, p);
	int attr = 0;
	if (p == m->sel_proc)
		role = R_SELECT, attr = A_BOLD_ | A_REV_;
	view_text(g, x, y, view_proc_name(m->trace, p), w, role, attr);
	if (st == TI_CRASHED && w > 3)
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
	trace_point pt;
	trace_net ns;
	view_point(m, &pt);
	if (m->index)
		trace_index_net(m->index, &pt, &ns);
	else
		memset(&ns, 0, sizeof ns);
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
				network_put_proc(g, x, y, end - x, m, &pt, p);
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
				network_put_proc(g, cx, y, end - cx, m, &pt, p);
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
			if (a != b && view_net_extra_cut(&ns, a, b)) {
				char one[32];
				snprintf(one, sizeof one, "%s%s \u21f8 %s", cuts[0] ? "  " : "",
					 view_proc_name(t, a), view_proc_name(t, b));
				snprintf(cuts + strlen(cuts), sizeof cuts - strlen(cuts), "%s", one);
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
	/* the rates as far as they are known (a recorded trace does not say how it started) */
	char rates[64] = "";
	if (pt.loss_ppm >= 0)
		snprintf(rates, sizeof rates, "loss %.0f%%", pt.loss_ppm / 1e4);
	if (pt.dup_ppm >= 0)
		snprintf(rates + strlen(rates), sizeof rates - strlen(rates), "%sduplicate %.0f%%",
			 rates[0] ? "  " : "", pt.dup_ppm / 1e4);
	if (rates[0] && y < in.y + in.h)
		view_text(g, in.x + 1, y++, rates, in.w - 1, R_NORMAL, 0);
}
