/* timeline_geo.c: where things go on the timeline (a part of timeline.c's pane).
 *
 * The pane's geometry as a function of (model, rectangle) alone, so drawing and hit-testing
 * agree: the gutter of lane names, the columns of time (t0 and the zoom, us_per_col), the rows of
 * the lanes and the gaps between them (a slice of lanes around the selected one when they do not
 * all fit), the ruler and legend rows, the wall between two lanes, the row where a lost message
 * ends, and which events fall in a span of time (binary search: events never go back in time). */
#include <string.h>

#include "timeline.h"

bool timeline_geo_boxed(grid_rect r) { return r.w >= 24 && r.h >= 5; }

void timeline_geo_compute(const view_model *m, grid_rect r, timeline_geo *G)
{
	memset(G, 0, sizeof *G);
	G->in = timeline_geo_boxed(r) ? (grid_rect){r.x + 1, r.y + 1, r.w - 2, r.h - 2} : r;
	G->border_y = timeline_geo_boxed(r) ? r.y + r.h - 1 : -1;
	grid_rect in = G->in;
	const st_trace *t = m->trace;
	G->nl = t ? t->nprocs : 0;
	if (G->nl > ST_MAX_PROCS)
		G->nl = ST_MAX_PROCS;
	int namew = 2;
	for (int p = 0; p < G->nl; p++) {
		int n = (int)strlen(t->proc_names[p]);
		namew = n > namew ? n : namew;
	}
	G->style = in.w >= 130 ? 2 : in.w >= 96 ? 1 : 0;
	static const int style_w[3] = {2, 10, 15};
	G->gut_w = namew + style_w[G->style] + 1;
	if (G->gut_w > in.w / 3)
		G->gut_w = in.w / 3;
	G->x0 = in.x + G->gut_w;
	G->ncols = in.w - G->gut_w;
	if (G->ncols < 1)
		G->ncols = 1;

	/* The lanes shown, top to bottom: every process but the hidden ones (positions). */
	G->npos = 0;
	for (int p = 0; p < G->nl; p++) {
		G->pos_of[p] = -1;
		if (!(m->hidden_procs >> p & 1u)) {
			G->pos_of[p] = (int8_t)G->npos;
			G->pos[G->npos++] = (uint8_t)p;
		}
	}
	G->nhidden = G->nl - G->npos;

	/* Rows: a ruler (two rows when there is room, one, or the box's top edge), then the
	 * lanes with as many rows between them as fit, up to TL_GAP_MAX; then a legend. */
	int nl = G->npos > 0 ? G->npos : 1, h = in.h;
	int ruler = h >= 2 + nl + 2 * (nl - 1) + 1 ? 2 : h >= 1 + nl + (nl - 1) ? 1 : 0;
	G->ruler_in_border = ruler == 0 && timeline_geo_boxed(r);
	G->num_y = ruler ? in.y : G->ruler_in_border ? r.y : -1;   /* -1: no ruler at all */
	G->tick_y = ruler == 2 ? in.y + 1 : G->num_y;
	int top = in.y + ruler;
	int rest = h - ruler;
	G->legend_y = -1;
	if (rest >= nl + 3 * (nl - 1) + 3) {
		G->legend_y = in.y + h - 1;
		rest -= 2;
	}
	int extra = rest - nl;
	int gaps[ST_MAX_PROCS] = {0};
	G->first = 0;
	G->nvis = G->npos;
	if (extra < 0) {
		/* more lanes than rows: show a slice of adjacent lanes around the selected one */
		G->nvis = rest > 0 ? rest : 0;
		int sel = 0;
		for (int p = m->sel_proc; p >= 0 && p < G->nl; p--)
			if (G->pos_of[p] >= 0) {
				sel = G->pos_of[p];
				break;
			}
		G->first = sel - G->nvis / 2;
		if (G->first > G->npos - G->nvis)
			G->first = G->npos - G->nvis;
		if (G->first < 0)
			G->first = 0;
	} else if (nl > 1) {
		int pad = extra >= nl + 1 ? 1 : 0;   /* a row above the first lane for its clocks */
		int g = (extra - pad) / (nl - 1);
		if (g > TL_GAP_MAX)
			g = TL_GAP_MAX;
		for (int k = 0; k < nl - 1; k++)
			gaps[k] = g;
		if (g == 0)     /* some lanes touch: spread the rows there are evenly */
			for (int k = 0; k < nl - 1; k++)
				gaps[k] = (k + 1) * extra / (nl - 1) - k * extra / (nl - 1);
		top += pad;
	}
	G->gap = TL_GAP_MAX;
	int y = top - (G->first > 0 ? G->first : 0);
	for (int p = 0; p < G->nl; p++)
		G->lane_y[p] = TL_OFF_ROW;     /* hidden: far outside, so nothing lands on it */
	for (int k = 0; k < G->npos; k++) {
		G->lane_y[G->pos[k]] = y;
		y += 1 + (k < nl - 1 ? gaps[k] : 0);
		if (k + 1 < G->npos && gaps[k] < G->gap)
			G->gap = gaps[k];
	}
	if (G->npos < 2)
		G->gap = 0;
	for (int k = G->first; k < G->first + G->nvis; k++) {
		int ly = G->lane_y[G->pos[k]];
		if (ly >= in.y && ly - in.y < TL_MAP_ROWS)
			G->lane_rows[ly - in.y] = 1;
	}

	G->upc = m->us_per_col > 0 ? m->us_per_col : 10000;
	G->t0 = m->t0_us;
	int64_t span = (int64_t)G->ncols * G->upc;
	if (m->follow && (m->now_us < G->t0 || m->now_us >= G->t0 + span)) {
		/* the app keeps the present in view; this only guards a model that did not */
		int64_t t0 = m->now_us - span * 3 / 4;
		G->t0 = t0 > 0 ? t0 / G->upc * G->upc : 0;
	}
	if (m->logical && t && trace_count(t) > t->base)
		timeline_geo_logical(m, G);
}

/* ---- the logical axis ---------------------------------------------------------------------
 *
 * Columns follow the order of events, packed: walking the events in order, an event joins the
 * current column unless its process already has an event there from another instant, or it
 * ends a message (a receive, a loss) sent in that column; then it opens the next column. So a
 * column holds at most one step per lane (a receive and the sends it caused are one mark), no
 * arrow runs inside a column (every arrow spans one at least),
 * and events with no arrow between them share columns, which keeps messages short and their
 * lines steep. Columns are runs of consecutive events, so an event's column is a binary search
 * over their first ids (lid). A pause longer than timeline_geo_idle() before a column gets a
 * column of its own, marked on the ruler. Events the diagram leaves out (hidden classes) take
 * no room. On a pane wide enough a column takes two cells: the blank between steps keeps
 * steep lines apart, which a column per cell would run together. The window: following, the present sits about three quarters across; otherwise it
 * starts at t0, moved as little as keeps the selection in view. Cost: the window's events,
 * walked once or twice. */

/* Events a walk looks at, at most: hiding a class may leave long stretches with nothing to
 * show (a Raft run at rest is heartbeats only), and a frame must still cost what is visible. */
#define TL_SCAN_MAX 8192u

/* An idle stretch worth marking: longer than the slowest message takes (two of them when the
 * scenario says its latency), else 10 ms. */
static int64_t timeline_geo_idle(const view_model *m)
{
	int64_t hi = m->sc ? m->sc->latency_hi_us : 0;
	return hi > 0 ? 2 * hi : 10000;
}

/* The message an event ends (a receive or a loss), or NULL. */
static const st_msgrec *timeline_geo_ended(const st_trace *t, const st_event *e)
{
	if (e->kind != KIND_RECV && e->kind != KIND_DROP)
		return NULL;
	return e->ref >= t->msg_base && e->ref - t->msg_base < t->nmsg ? trace_msg(t, e->ref) : NULL;
}

/* The lane bit of an event in a column (world events: none). */
static uint64_t timeline_geo_bit(const st_event *e)
{
	return e->proc < ST_MAX_PROCS ? 1ull << e->proc : 0;
}

/* Walk back from event `from` (included) over about `cols` columns by the same rule read
 * backwards (an event joins the column unless its lane is there or it sent a message that
 * ends there); returns the first event of the earliest column reached. */
static uint32_t timeline_geo_back(const view_model *m, uint32_t from, int cols)
{
	const st_trace *t = m->trace;
	int64_t idle = timeline_geo_idle(m), col_t = INT64_MIN;
	int64_t lane_t[ST_MAX_PROCS];
	uint64_t lanes = 0;
	uint32_t start = from, col_first = from + 1;
	int c = 0;
	for (uint32_t id = from + 1, n = 0; id > t->base && n < TL_SCAN_MAX; n++) {
		id--;
		if (timeline_ev_hidden(m, id)) {
			start = id;     /* a long hidden stretch: the window starts inside it */
			continue;
		}
		const st_event *e = trace_at(t, id);
		uint64_t bit = timeline_geo_bit(e);
		bool open = c == 0 || ((lanes & bit) && lane_t[e->proc] != e->t_us);
		if (!open && e->kind == KIND_SEND && e->ref >= t->msg_base &&
		    e->ref - t->msg_base < t->nmsg) {
			uint32_t end = trace_msg(t, e->ref)->end_ev;
			open = end != TRACE_NONE && end >= col_first && end <= from;
		}
		if (open) {
			int need = c > 0 && col_t - e->t_us > idle ? 2 : 1;
			if (c + need > cols)
				break;
			c += need;
			lanes = 0;
			col_t = e->t_us;
		}
		lanes |= bit;
		if (bit)
			lane_t[e->proc] = e->t_us;
		col_first = id;
		start = id;
	}
	return start;
}

/* Fill the columns from event `from` on. */
static void timeline_geo_fill(const view_model *m, timeline_geo *G, uint32_t from)
{
	const st_trace *t = m->trace;
	int ncols = G->nlc;
	int64_t idle = timeline_geo_idle(m), last_t = INT64_MIN;
	int64_t lane_t[ST_MAX_PROCS];
	uint64_t lanes = 0, recvs = 0;     /* lanes in the column; those with only receives */
	int c = -1;
	uint32_t count = trace_count(t), id = from;
	for (uint32_t n = 0; id < count && n < TL_SCAN_MAX; id++, n++) {
		if (timeline_ev_hidden(m, id))
			continue;
		const st_event *e = trace_at(t, id);
		const st_msgrec *mr = timeline_geo_ended(t, e);
		uint64_t bit = timeline_geo_bit(e);
		bool burst = e->kind == KIND_RECV && (recvs & bit);
		bool open = c < 0 || ((lanes & bit) && lane_t[e->proc] != e->t_us && !burst) ||
			    (mr && mr->send_ev >= G->lid[c] && mr->send_ev < id);
		if (open) {
			if (c + 1 >= ncols)
				break;
			if (c >= 0 && e->t_us - last_t > idle && c + 2 < ncols) {
				c++;
				G->lid[c] = id;
				G->lt[c] = last_t + 1;
				G->lgap[c] = 1;
			}
			c++;
			G->lid[c] = id;
			G->lt[c] = e->t_us;
			G->lgap[c] = 0;
			lanes = recvs = 0;
		}
		if (e->kind == KIND_RECV && (!(lanes & bit) || (recvs & bit)))
			recvs |= bit;
		else
			recvs &= ~bit;
		lanes |= bit;
		if (bit)
			lane_t[e->proc] = e->t_us;
		last_t = e->t_us;
	}
	G->nlt = c + 1;
	G->lend = id;
	if (c < 0) {    /* nothing shown in reach: one empty column where the walk began */
		G->lid[0] = from;
		G->lt[0] = from < count ? trace_at(t, from)->t_us : count > t->base ?
			   trace_at(t, count - 1)->t_us : 0;
		G->lgap[0] = 0;
		G->nlt = 1;
	}
	/* past the trace's end real time goes on, at the zoom's pace */
	for (int k = G->nlt; k < ncols; k++) {
		G->lid[k] = count;
		G->lt[k] = (k ? G->lt[k - 1] : 0) + G->upc;
		G->lgap[k] = 0;
	}
}

void timeline_geo_logical(const view_model *m, timeline_geo *G)
{
	const st_trace *t = m->trace;
	uint32_t count = trace_count(t);
	G->lcw = G->ncols >= 2 * TL_LCOL_MIN ? 2 : 1;
	G->nlc = G->ncols / G->lcw < TL_MAX_COLS ? G->ncols / G->lcw : TL_MAX_COLS;
	int ncols = G->nlc;
	uint32_t from;
	G->logical = true;
	if (m->follow) {
		/* the walk back does not know how the columns will pack forward: correct it by
		 * where the present lands, twice at most */
		uint32_t cur = m->cursor == TRACE_NONE || m->cursor < t->base ? t->base
			       : m->cursor >= count ? count - 1 : m->cursor;
		int want = ncols * 3 / 4, back = want;
		from = timeline_geo_back(m, cur, back);
		for (int k = 0; k < 2; k++) {
			timeline_geo_fill(m, G, from);
			int at = (int)(timeline_geo_ecol(G, trace_at(t, cur), cur) - G->x0) / G->lcw;
			if (cur >= G->lend || at > want)
				back -= (cur >= G->lend ? ncols / 4 : at - want);
			else if (at < want - 2 && from > t->base)
				back += want - at;
			else
				break;
			if (back < 1)
				back = 1;
			from = timeline_geo_back(m, cur, back);
		}
	} else {
		from = timeline_geo_first_at(t, m->t0_us);
		if (from >= count)
			from = count - 1;
	}
	G->logical = true;
	timeline_geo_fill(m, G, from);
	uint32_t sel = m->selected;
	if (!m->follow && sel != TRACE_NONE && sel >= t->base && sel < count &&
	    (sel < G->lid[0] || sel >= G->lend))
		timeline_geo_fill(m, G, timeline_geo_back(m, sel, ncols / 4));
	G->t0 = G->lt[0];
}

/* An event's column: the last column whose first event is at or before it. */
int64_t timeline_geo_ecol(const timeline_geo *G, const st_event *e, uint32_t id)
{
	if (!G->logical)
		return timeline_geo_col(G, e->t_us);
	int n = G->nlc;
	if (id < G->lid[0]) {
		int64_t c = G->lid[0] - id;
		return G->x0 - (c > 1000000000 ? 1000000000 : c) * G->lcw;
	}
	if (id >= G->lend && G->nlt >= n) {
		int64_t c = id - G->lend;
		return G->x0 + (n + (c > 1000000000 ? 1000000000 : c)) * G->lcw;
	}
	int lo = 0, hi = (G->nlt > 0 ? G->nlt : 1) - 1;     /* lid[lo] <= id */
	while (lo < hi) {
		int mid = lo + (hi - lo + 1) / 2;
		if (G->lid[mid] <= id)
			lo = mid;
		else
			hi = mid - 1;
	}
	return G->x0 + (int64_t)lo * G->lcw;
}

bool timeline_geo_lane_shown(const timeline_geo *G, int p)
{
	int k = p >= 0 && p < G->nl ? G->pos_of[p] : -1;
	return k >= 0 && k >= G->first && k < G->first + G->nvis;
}

bool timeline_geo_lane_row(const timeline_geo *G, int y)
{
	if (y < G->in.y || y >= G->in.y + G->in.h)
		return false;   /* shown lanes are inside the pane */
	if (G->in.h <= TL_MAP_ROWS)
		return G->lane_rows[y - G->in.y];
	for (int k = G->first; k < G->first + G->nvis; k++)
		if (G->lane_y[G->pos[k]] == y)
			return true;
	return false;
}

/* Column of time t, absolute, clamped far outside so arithmetic on it cannot overflow. */
/* The logical axis's column of t: the last column whose time is at or before t. */
static int64_t timeline_geo_lcol(const timeline_geo *G, int64_t t)
{
	int n = G->nlc;
	if (t < G->lt[0]) {
		int64_t c = (G->lt[0] - t + G->upc - 1) / G->upc;
		return G->x0 - (c > 1000000000 ? 1000000000 : c) * G->lcw;
	}
	if (t > G->lt[n - 1]) {
		int64_t c = (t - G->lt[n - 1]) / G->upc;
		return G->x0 + (n + (c > 1000000000 ? 1000000000 : c)) * G->lcw;
	}
	int lo = 0, hi = n - 1;     /* lt[lo] <= t */
	while (lo < hi) {
		int mid = lo + (hi - lo + 1) / 2;
		if (G->lt[mid] <= t)
			lo = mid;
		else
			hi = mid - 1;
	}
	return G->x0 + (int64_t)lo * G->lcw;
}

int64_t timeline_geo_col(const timeline_geo *G, int64_t t)
{
	if (G->logical)
		return timeline_geo_lcol(G, t);
	int64_t d = t - G->t0;
	int64_t c = d >= 0 ? d / G->upc : -((-d + G->upc - 1) / G->upc);
	if (c > 1000000000)
		c = 1000000000;
	if (c < -1000000000)
		c = -1000000000;
	return G->x0 + c;
}

int64_t timeline_geo_time(const timeline_geo *G, int64_t col)
{
	if (G->logical) {
		int n = G->nlc;
		int64_t d = col - G->x0, c = d >= 0 ? d / G->lcw : -((-d + G->lcw - 1) / G->lcw);
		if (c < 0)
			return G->lt[0] + c * G->upc;
		if (c >= n)
			return G->lt[n - 1] + (c - n + 1) * G->upc;
		return G->lt[c];
	}
	return G->t0 + (col - G->x0) * G->upc;
}

bool timeline_geo_in(const timeline_geo *G, int64_t x, int y)
{
	return x >= G->x0 && x < G->in.x + G->in.w && y >= G->in.y && y < G->in.y + G->in.h;
}

/* The row of the wall between two neighbouring lanes (the same whichever way it is asked). */
int timeline_geo_wall_row(int ya, int yb)
{
	return ya < yb ? ya + (yb - ya) / 2 : yb + (ya - yb) / 2;
}

/* The row where a lost message ends: on the wall it hit when a partition dropped it (group:
 * the groups then in force), else halfway to its receiver; never on a lane. */
int timeline_geo_drop_row(const timeline_geo *G, int from, int to, const int8_t *group)
{
	int ys = G->lane_y[from], yb = G->lane_y[to], dir = yb > ys ? 1 : -1;
	int a = G->pos_of[from], b = G->pos_of[to], step = b > a ? 1 : -1;
	for (int k = a; group && group[from] >= 0 && a >= 0 && b >= 0 && k != b; k += step) {
		int ga = group[G->pos[k]], gb = group[G->pos[k + step]];
		int y0 = G->lane_y[G->pos[k]], y1 = G->lane_y[G->pos[k + step]];
		if (ga >= 0 && gb >= 0 && ga != gb && (y1 - y0) * dir >= 2)
			return timeline_geo_wall_row(y0, y1);
	}
	/* the free row nearest halfway; with none (lanes touch), the receiver's own row */
	int d = (yb - ys) * dir, best = yb, bestd = d + 1;
	for (int k = 1; k < d; k++) {
		int y = ys + dir * k, off = 2 * k - d < 0 ? d - 2 * k : 2 * k - d;
		if (!timeline_geo_lane_row(G, y) && off < bestd)
			best = y, bestd = off;
	}
	return best;
}

/* First held event with t_us >= t (binary search: events never go back in time). */
uint32_t timeline_geo_first_at(const st_trace *t, int64_t t_us)
{
	uint32_t lo = t->base, hi = trace_count(t);
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (trace_at(t, mid)->t_us < t_us)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}
