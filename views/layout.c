/* layout.c: which rectangle each pane gets at a given terminal size.
 *
 * One function, so the app's mouse hit-testing and the drawing agree on where panes are. The
 * timeline is the point of the program, so it gets the full width (narrow terminals) or the
 * wide left column (large ones) and the most height; the nodes pane gets just the rows its
 * processes need; the lesson and the inspector share what is left. The network and messages
 * panes appear only when there is room, else the app can swap one into the inspector's place
 * (view_model.swap_pane). Rectangles are outer: each pane draws its own box inside. */
#include <string.h>

#include "view.h"

/* Wide layouts (a right-hand column) start at this width. */
#define LAYOUT_WIDE_W 120

static int layout_clamp(int v, int lo, int hi)
{
	if (hi < lo)
		hi = lo;
	return v < lo ? lo : v > hi ? hi : v;
}

static grid_rect layout_rect(int x, int y, int w, int h)
{
	if (w <= 0 || h <= 0)
		return (grid_rect){0, 0, 0, 0};
	return (grid_rect){x, y, w, h};
}

/* Rows the longest narration of the lesson takes at this width: the lesson pane is sized for
 * it once, so panes do not jump about as the narration changes while stepping. */
static int layout_lesson_rows(const view_model *m, int text_w)
{
	grid measure = {0};     /* no cells: view_wrap only counts rows when none are shown */
	/* a list being chosen from (variants, branches: view_model.menu) is shown whole */
	if (m && m->menu)
		return view_wrap(&measure, 0, 0, text_w, 0, 0, m->menu, 0, 0);
	if (!m || !m->sc || m->sc->nlesson == 0)
		return 1;
	int rows = 1;
	for (int i = 0; i < m->sc->nlesson; i++) {
		int r = view_wrap(&measure, 0, 0, text_w, 0, 0, m->sc->lesson[i].text, 0, 0);
		rows = r > rows ? r : rows;
	}
	return rows;
}

/* Large terminals: timeline and nodes (and network) on the left, lesson, inspector and
 * messages stacked in a right-hand column. */
static void layout_wide(int w, int body, int np, const view_model *m, view_layout *o)
{
	int rw = layout_clamp(w * 3 / 10, 40, 64);
	int lw = w - rw;
	int lesson_h = layout_clamp(layout_lesson_rows(m, rw - 4) + 2, 5,
				    m && m->menu ? body / 2 : body * 3 / 10);
	int msg_h = body >= 34 ? layout_clamp(body / 4, 7, 14) : 0;
	int insp_h = body - lesson_h - msg_h;
	o->lesson = layout_rect(lw, 0, rw, lesson_h);
	o->inspector = layout_rect(lw, lesson_h, rw, insp_h);
	o->messages = layout_rect(lw, lesson_h + insp_h, rw, msg_h);

	int nodes_h = layout_clamp(np + 2, 4, body / 2);
	int net_w = lw >= 110 ? layout_clamp(lw / 4, 30, 44) : 0;
	int band_h = net_w ? layout_clamp(nodes_h, 8, body / 2) : nodes_h;
	o->timeline = layout_rect(0, 0, lw, body - band_h);
	o->nodes = layout_rect(0, body - band_h, lw - net_w, band_h);
	o->network = layout_rect(lw - net_w, body - band_h, net_w, band_h);
}

/* Everything else: the timeline across the top, the lesson as a strip under it (narration
 * is what a learner reads first), then nodes beside the inspector. */
static void layout_narrow(int w, int body, int np, const view_model *m, view_layout *o)
{
	int band_h = layout_clamp(np + 2, 5, body / 2);
	/* the lesson as tall as its longest text, but never more than a quarter of the body
	 * nor so much that the timeline cannot show a lane per process (it scrolls instead) */
	int tl_min = np + 3;
	int lesson_max = body / 4 < body - band_h - tl_min ? body / 4 : body - band_h - tl_min;
	if (m && m->menu)       /* while choosing from a list, the list comes first */
		lesson_max = body - band_h - 3;
	int lesson_h = layout_clamp(layout_lesson_rows(m, w - 4) + 2, 3, lesson_max);
	int tl_h = body - band_h - lesson_h;
	int ins_w = layout_clamp(w * 3 / 8, 28, 46);
	o->timeline = layout_rect(0, 0, w, tl_h);
	o->lesson = layout_rect(0, tl_h, w, lesson_h);
	o->nodes = layout_rect(0, tl_h + lesson_h, w - ins_w, band_h);
	o->inspector = layout_rect(w - ins_w, tl_h + lesson_h, ins_w, band_h);
}

void layout_compute(int w, int h, const view_model *m, view_layout *out)
{
	memset(out, 0, sizeof *out);
	if (w < VIEW_MIN_W || h < VIEW_MIN_H) {
		out->too_small = true;
		return;
	}
	int np = m && m->trace ? m->trace->nprocs : 6;
	int status_h = h >= 20 ? 2 : 1;
	int body = h - status_h;
	out->status = layout_rect(0, body, w, status_h);
	if (w >= LAYOUT_WIDE_W)
		layout_wide(w, body, np, m, out);
	else
		layout_narrow(w, body, np, m, out);

	/* a pane with no room of its own can take the inspector's place when asked */
	if (m && (m->swap_pane == PANE_NETWORK || m->swap_pane == PANE_MESSAGES)) {
		grid_rect *want = m->swap_pane == PANE_NETWORK ? &out->network : &out->messages;
		if (want->w == 0) {
			*want = out->inspector;
			out->inspector = (grid_rect){0, 0, 0, 0};
		}
	}
}
