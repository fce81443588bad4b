/* screen_all.c: the whole screen, composed of the panes.
 *
 * view_draw_all() is the one call the app makes per frame: clear, lay out, let every pane draw
 * into its rectangle, then the help overlay or the too-small notice on top. This is the one
 * views file that calls the panes (tests/check-views.sh): they never call each other. */
#include <stdio.h>

#include "view.h"

/* --- the screen ---------------------------------------------------------------------------- */

static void screen_all_too_small(grid *g)
{
	char msg[96];
	snprintf(msg, sizeof msg, "terminal too small: %dx%d, need %dx%d", g->w, g->h, VIEW_MIN_W,
		 VIEW_MIN_H);
	int w = view_width(g, msg);
	int x = w < g->w ? (g->w - w) / 2 : 0;
	view_text(g, x, g->h / 2, msg, g->w, R_WARN, A_BOLD_);
	const char *hint = "make the window larger";
	int hw = view_width(g, hint);
	if (g->h > 2)
		view_text(g, hw < g->w ? (g->w - hw) / 2 : 0, g->h / 2 + 1, hint, g->w, R_DIM, 0);
}

/* The panes in drawing order; a pane with no room (w = 0) is skipped. */
typedef void (*view_draw_fn)(grid *, grid_rect, const view_model *);

void view_draw_all(grid *g, const view_model *m)
{
	grid_clear(g);
	view_layout l;
	layout_compute(g->w, g->h, m, &l);
	if (l.too_small) {
		screen_all_too_small(g);
		return;
	}
	const struct { grid_rect r; view_draw_fn draw; } panes[] = {
		{l.timeline, timeline_draw}, {l.nodes, nodes_draw}, {l.inspector, inspector_draw},
		{l.lesson, lesson_draw}, {l.network, network_draw}, {l.messages, messages_draw},
		{l.status, status_draw},
	};
	for (size_t i = 0; i < sizeof panes / sizeof panes[0]; i++)
		if (panes[i].r.w > 0 && panes[i].r.h > 0)
			panes[i].draw(g, panes[i].r, m);
	/* when the inspector's place holds another pane, the layout says so by giving that pane
	 * the inspector's rectangle and the inspector none */
	if (m->help)
		help_draw(g, (grid_rect){0, 0, g->w, g->h}, m);
}
