/* messages.c: the messages in flight, the DSLabs / Oddity way.
 *
 * In manual mode nothing is delivered unless the user picks it, so the user needs the list of
 * what is on the wire: one message a row, in delivery order, with its type, route and when it
 * would arrive; the ones the network has already doomed (lost, or crossing a partition) say so.
 * The selected row (view_model.sel_flight) is what the app's deliver / drop / duplicate / delay
 * keys act on. The world is at the cursor, so this is right in the past too. */
#include <stdio.h>
#include <stdlib.h>

#include "base/mem.h"
#include "view.h"

/* All messages in flight (sim_inflight fills at most max, so grow until it does not fill). */
static int messages_collect(const st_sim *s, sim_flight **out)
{
	int cap = 256;
	for (;;) {
		sim_flight *f = st_alloc((size_t)cap * sizeof *f);
		int n = sim_inflight(s, f, cap);
		if (n < cap || cap >= 1 << 20) {
			*out = f;
			return n;
		}
		free(f);
		cap *= 2;
	}
}

void messages_draw(grid *g, grid_rect r, const view_model *m)
{
	sim_flight *f = NULL;
	int n = m->sim ? messages_collect(m->sim, &f) : 0;
	char title[48];
	snprintf(title, sizeof title, m->sim ? "messages in flight (%d)" : "messages in flight", n);
	grid_rect in = view_box(g, r, title, m->focus == PANE_MESSAGES);
	if (in.w <= 2 || in.h <= 0) {
		free(f);
		return;
	}
	int x = in.x + 1, w = in.w - 1;
	if (!m->sim) {
		view_text(g, x, in.y, "no live world (a recorded trace)", w, R_DIM, 0);
		return;
	}
	int y = in.y, rows = in.h;
	if (m->manual) {
		view_text(g, x, y++, "(manual: choose a message to deliver)", w, R_WARN, A_BOLD_);
		rows--;
	}
	if (n == 0) {
		if (rows > 0)
			view_text(g, x, y, "no messages in flight", w, R_DIM, 0);
		free(f);
		return;
	}
	const st_trace *t = m->trace;
	const st_protocol *pr = t && t->proto ? t->proto : m->sc ? m->sc->protocol : NULL;
	int64_t now = m->now_us > sim_now_us(m->sim) ? m->now_us : sim_now_us(m->sim);
	/* keep the selected row in view */
	int first = m->messages_scroll > 0 ? m->messages_scroll : 0;
	if (m->sel_flight >= 0 && m->sel_flight < first)
		first = m->sel_flight;
	if (m->sel_flight >= 0 && rows > 0 && m->sel_flight >= first + rows)
		first = m->sel_flight - rows + 1;
	if (first > n - 1)
		first = n - 1;
	for (int i = first; i < n && y < in.y + in.h; i++, y++) {
		const sim_flight *fl = &f[i];
		bool sel = i == m->sel_flight;
		int cx = x, end = x + w, base = sel ? R_SELECT : R_NORMAL, attr = sel ? A_REV_ : 0;
		if (sel)
			grid_fill(g, (grid_rect){x, y, w, 1}, ' ', R_SELECT, A_REV_);
		cx += view_printf(g, cx, y, end - cx, sel ? base : R_DIM, attr, "#%u ", fl->msg);
		const char *type = pr && fl->type >= 0 && fl->type < pr->n_msg_types
				   ? pr->msg_types[fl->type] : "message";
		cx += view_text(g, cx, y, type, end - cx, sel ? base : R_MSG, attr | A_BOLD_);
		cx += view_printf(g, cx, y, end - cx, base, attr, " %s\u2192%s ",
				  view_proc_name(t, fl->from), view_proc_name(t, fl->to));
		if (fl->doomed) {
			view_text(g, cx, y, "will be lost", end - cx, sel ? base : R_DROP, attr | A_BOLD_);
		} else {
			double ms = (double)(fl->deliver_us - now) / 1000.0;
			if (ms <= 0)
				view_text(g, cx, y, "arriving now", end - cx, base, attr);
			else
				/* the long form when it fits, else just "in 4.8ms" */
				view_printf(g, cx, y, end - cx, base, attr, "%s%.1fms",
					    end - cx >= 20 ? "arrives in " : "in ", ms);
		}
	}
	view_more(g, r, first > 0, rows > 0 && first + rows < n);
	free(f);
}
