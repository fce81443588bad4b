/* timeline_msg.c: the message lines of the timeline (a part of timeline.c's pane).
 *
 * Every message is a line from its send to its receive (or to the ✖ where the network lost it),
 * drawn as a staircase so its slope is its latency, crossing lanes in one cell. Lines are
 * queued first (identical strokes once: zoomed out, thousands of messages draw the same one),
 * then drawn bottom layer first: what is concurrent with the selection under what is not, what
 * is in the air at the cursor (hot up to where it is now, with an arrowhead there) over the rest,
 * the selection's own message on top; the bodies before the arrowheads and crosses. */
#include <stdlib.h>
#include <string.h>

#include "base/hash.h"
#include "base/mem.h"
#include "timeline.h"

/* ---- messages ----------------------------------------------------------------------------- */

/* Draws one cell of a line; returns whether it drew. */
static bool timeline_msg_cell(timeline_frame *f, const timeline_seg *s, int64_t x, int y, int gl)
{
	bool late = x > s->split;
	if (late && s->late_hidden)
		return false;
	uint8_t *o = timeline_occ(f, x, y);
	if (o && (*o & (O_MARK | O_END)))
		return false;
	/* crossing a lane: the line passes behind it, showing only where it goes through */
	if (gl == TG_HLINE && o && (*o & O_LANE))
		return false;
	if (gl == TG_VLINE && o && (*o & O_LANE))
		gl = TG_CROSS;
	if (!timeline_geo_in(&f->G, x, y))
		return false;
	/* a line drawn over another that shares no end with it: a crossing, counted once per
	 * cell (lines leaving one send or reaching one receive merge there, they do not cross) */
	uint8_t xing = 0;
	if (f->stats && o && (*o & O_LINE)) {
		size_t cell = (size_t)(o - f->occ);
		const timeline_seg *b = f->owner[cell] ? &f->seg[f->owner[cell] - 1] : NULL;
		bool merge = b && ((b->xs == s->xs && b->ys == s->ys) ||
				   (b->xe == s->xe && b->yend == s->yend && b->dir == s->dir));
		xing = (*o & O_XING) || !merge ? O_XING : 0;
		if (xing && !(*o & O_XING))
			f->stats->crossings++;
	}
	if (f->stats && o)
		f->owner[o - f->occ] = (uint32_t)(s - f->seg) + 1;
	timeline_put(f, x, y, gl, late ? s->role_late : s->role, 0, (uint8_t)(O_LINE | xing));
	return true;
}

#define TL_MAX_SPAN 512      /* rows a line may cross (lanes far off screen are clipped) */

/* The cells of a message line, row by row: rows after the sender's lane up to s->yend share
 * the columns from xs to xe as a staircase, so slope is latency. A lane on the way is crossed
 * in one cell (a flat run there would read as the lane itself); the columns go to the rows
 * between lanes. Row k spans [a[k], b[k]]. Returns the number of rows. */
static int timeline_msg_spans(const timeline_frame *f, const timeline_seg *s, int64_t *a,
			      int64_t *b, int *y)
{
	int n = (s->yend - s->ys) * s->dir;
	if (n > TL_MAX_SPAN)
		n = TL_MAX_SPAN;
	bool lane[TL_MAX_SPAN + 1];
	int nlane = 0;
	for (int k = 1; k <= n; k++) {
		y[k] = s->ys + s->dir * k;
		lane[k] = timeline_geo_lane_row(&f->G, y[k]);
		nlane += lane[k];
	}
	if (nlane == n)     /* lanes that touch: nothing between them to spread over */
		for (int k = 1; k <= n; k++)
			lane[k] = false, nlane = 0;
	int64_t dx = s->xe - s->xs;
	int rows = n - nlane;
	int64_t cross = dx >= n ? 1 : 0;     /* a flat line steps one column at each lane */
	int64_t share = dx - cross * nlane;
	int64_t prev = s->xs, used = 0;
	for (int k = 1, j = 0; k <= n; k++) {
		if (lane[k]) {
			used += cross;
			a[k] = b[k] = prev + cross;
		} else {
			j++;
			b[k] = s->xs + used + (share * j + rows / 2) / rows;
			a[k] = b[k] > prev ? prev + 1 : b[k];
		}
		prev = b[k];
	}
	return n;
}

static void timeline_msg_body(timeline_frame *f, const timeline_seg *s)
{
	timeline_geo *G = &f->G;
	int64_t xmin = G->x0, xmax = G->in.x + G->in.w - 1;
	if (s->xe < xmin || s->xs > xmax)
		return;
	int64_t a[TL_MAX_SPAN + 1], b[TL_MAX_SPAN + 1];
	int y[TL_MAX_SPAN + 1];
	int n = timeline_msg_spans(f, s, a, b, y);
	int diag = s->dir > 0 ? TG_DIAG_DOWN : TG_DIAG_UP;
	int64_t prev = s->xs;
	bool drew = false;
	for (int k = 1; k <= n; prev = b[k], k++) {
		if (y[k] < G->in.y || y[k] >= G->in.y + G->in.h || b[k] < xmin || a[k] > xmax)
			continue;
		int64_t lo = a[k] < xmin ? xmin : a[k], hi = b[k] > xmax ? xmax : b[k];
		for (int64_t x = lo; x <= hi; x++) {
			/* a step to the right leans; along a row it runs; straight down it falls */
			int gl = x != a[k] ? TG_HLINE : a[k] == prev ? TG_VLINE : diag;
			drew |= timeline_msg_cell(f, s, x, y[k], gl);
		}
	}
	if (drew && f->stats)
		f->stats->messages++;
}

/* Where a line is at column x (its row), for the in-flight head. */
static int timeline_msg_row_at(const timeline_frame *f, const timeline_seg *s, int64_t x)
{
	int64_t a[TL_MAX_SPAN + 1], b[TL_MAX_SPAN + 1];
	int y[TL_MAX_SPAN + 1];
	int n = timeline_msg_spans(f, s, a, b, y);
	for (int k = 1; k <= n; k++)
		if (b[k] >= x && !timeline_geo_lane_row(&f->G, y[k]))
			return y[k];
	return s->yend;
}

static void timeline_msg_ends(timeline_frame *f, const timeline_seg *s)
{
	int n = (s->yend - s->ys) * s->dir;
	bool late = s->xe > s->split;
	bool on_lane = timeline_geo_lane_row(&f->G, s->yend) && s->end != TG_DROP;
	if (s->end >= 0 && !(late && s->late_hidden) && n > 0 && !on_lane)
		timeline_put(f, s->xe, s->yend, s->end, late ? s->role_late : s->end_role, 0, O_END);
	else if (s->end == TG_DROP && n == 0 && !(late && s->late_hidden))
		timeline_put(f, s->xe, s->yend, TG_DROP, late ? s->role_late : s->end_role, 0, O_END);
	if (s->head && n > 0) {
		int64_t x = s->split < s->xe ? s->split : s->xe;
		if (x < s->xs)
			x = s->xs;
		int y = timeline_msg_row_at(f, s, x);
		timeline_put(f, x, y, s->dir > 0 ? TG_ARROW_DOWN : TG_ARROW_UP, R_MSG_HOT, A_BOLD_, O_END);
	}
}

/* When a message still in the air at the cursor will arrive: its end event if the trace has
 * it (the cursor is in the past), else the world's delivery time, else a guess. */
static int64_t timeline_msg_arrival(const timeline_frame *f, uint32_t msg, int64_t send_us,
				    size_t nfly)
{
	for (size_t i = 0; i < nfly; i++)
		if (f->fly[i].msg == msg)
			return f->fly[i].deliver_us;
	int64_t hi = f->m->sc ? f->m->sc->latency_hi_us : 0;
	int64_t guess = send_us + (hi > 0 ? hi : 10 * f->G.upc);
	return guess > f->m->now_us ? guess : f->m->now_us;
}

static uint64_t timeline_msg_hash(const timeline_seg *s)
{
	/* what tells strokes apart, packed into two words (equal keys are compared whole), and
	 * the hash's high half folded into the low bits that pick the slot */
	uint64_t where = ((uint64_t)s->xs & 0xffffffff) | (uint64_t)s->xe << 32;
	uint64_t looks = ((uint64_t)s->ys & 0xffff) | ((uint64_t)s->yend & 0xffff) << 16 |
			 (uint64_t)s->role << 32 | (uint64_t)s->z << 40 | ((uint64_t)s->split & 0xffff) << 48;
	uint64_t h = st_hash_u64(st_hash_u64(ST_HASH_INIT, where), looks);
	return h ^ h >> 32;
}

/* Put segment idx in the frame's set; false when an identical one is there already. */
static bool timeline_msg_set_insert(timeline_frame *f, uint32_t idx)
{
	size_t mask = f->hs_cap - 1;
	for (size_t i = timeline_msg_hash(&f->seg[idx]) & mask;; i = (i + 1) & mask) {
		if (f->hs[i] == 0) {
			f->hs[i] = idx + 1;
			return true;
		}
		if (memcmp(&f->seg[f->hs[i] - 1], &f->seg[idx], sizeof *f->seg) == 0)
			return false;
	}
}

/* Queue a segment unless the very same stroke is queued already (zoomed out, thousands of
 * messages draw it). Segments are memset before they are filled, so equal looks compare
 * equal byte for byte. */
static void timeline_msg_queue(timeline_frame *f, const timeline_seg *s)
{
	if (f->nseg + 1 > f->seg_cap) {
		f->seg_cap = 2 * (f->nseg + 1);
		f->seg = grid_scratch(f->g, TL_S_SEG, f->seg_cap * sizeof *f->seg);
	}
	f->seg[f->nseg] = *s;
	if (f->hs_cap < 2 * (f->nseg + 1)) {
		f->hs_cap = f->hs_cap ? f->hs_cap * 2 : 1024;
		f->hs = grid_scratch(f->g, TL_S_SET, f->hs_cap * sizeof *f->hs);
		memset(f->hs, 0, f->hs_cap * sizeof *f->hs);
		for (uint32_t i = 0; i < f->nseg; i++)
			timeline_msg_set_insert(f, i);
	}
	if (timeline_msg_set_insert(f, (uint32_t)f->nseg))
		f->nseg++;
}

/* Queue the line of message msg from its send to end_id (a recv or drop; NONE: in flight). */
static void timeline_msg_add(timeline_frame *f, uint32_t msg, uint32_t end_id, size_t nfly)
{
	const st_trace *t = f->t;
	const st_msgrec *mr = timeline_msgrec(t, msg);
	if (!mr || !timeline_held(t, mr->send_ev))
		return;
	const st_event *se = trace_at(t, mr->send_ev);
	int from = se->proc, to = mr->to;
	if (from >= f->G.nl || to >= f->G.nl || from == to)
		return;
	int cls = timeline_msg_class_of(t, msg);
	bool chosen = f->m->selected != TRACE_NONE &&
		      (f->m->selected == mr->send_ev || f->m->selected == end_id);
	chosen |= f->m->marked != TRACE_NONE && (f->m->marked == mr->send_ev || f->m->marked == end_id);
	if (cls >= 0 && cls < 32 && (f->m->hidden_classes >> cls & 1u) && !chosen)
		return;
	/* the cone only: a message goes when either end lies outside it */
	if (f->m->cone && !chosen && (timeline_ev_hidden(f->m, mr->send_ev) ||
				      (timeline_held(t, end_id) && timeline_ev_hidden(f->m, end_id))))
		return;
	/* a hidden lane's messages go with it; lines between two lanes scrolled off the same
	 * side are not drawn, those crossing the shown slice are */
	int pf = f->G.pos_of[from], pt = f->G.pos_of[to];
	if (pf < 0 || pt < 0)
		return;
	if (!timeline_geo_lane_shown(&f->G, from) && !timeline_geo_lane_shown(&f->G, to) &&
	    !((pf < f->G.first) != (pt < f->G.first)))
		return;
	const st_event *ee = timeline_held(t, end_id) ? trace_at(t, end_id) : NULL;
	bool drop = ee && ee->kind == KIND_DROP;
	timeline_seg s;
	memset(&s, 0, sizeof s);
	s.xs = timeline_geo_ecol(&f->G, se, mr->send_ev);
	s.ys = f->G.lane_y[from];
	s.dir = f->G.lane_y[to] > s.ys ? 1 : -1;
	const int8_t *walls = NULL;
	int8_t group[ST_MAX_PROCS];
	for (int i = 0; drop && ee->aux == DROP_PARTITION && i < f->nper; i++)
		if (ee->t_us >= f->per[i].t_a && ee->t_us <= f->per[i].t_b) {
			timeline_groups(t, f->per[i].part, group);
			walls = group;
		}
	s.yend = drop ? timeline_geo_drop_row(&f->G, from, to, walls) : f->G.lane_y[to] - s.dir;
	if ((s.yend - s.ys) * s.dir < 0)
		s.yend = s.ys;
	s.end = drop ? TG_DROP : s.dir > 0 ? TG_ARROW_DOWN : TG_ARROW_UP;
	s.split = INT64_MAX;
	int64_t end_t;
	bool sent = !timeline_future(f, mr->send_ev);
	bool arrived = ee && !timeline_future(f, end_id);
	if (ee)
		end_t = ee->t_us;
	else
		end_t = timeline_msg_arrival(f, msg, se->t_us, nfly);
	s.xe = ee ? timeline_geo_ecol(&f->G, ee, end_id) : timeline_geo_col(&f->G, end_t);
	if (s.xe < s.xs)
		s.xe = s.xs;
	if (f->G.logical && s.xe <= s.xs)
		s.xe = s.xs + f->G.lcw;     /* an arrow spans a column at least: its direction shows */

	/* roles: the causal picture first, then time */
	int rel_send = timeline_rel(f, mr->send_ev), rel_end = ee ? timeline_rel(f, end_id) : 2;
	bool sel = f->m->selected != TRACE_NONE &&
		   (f->m->selected == mr->send_ev || f->m->selected == end_id);
	bool mark = f->m->marked != TRACE_NONE &&
		    (f->m->marked == mr->send_ev || f->m->marked == end_id);
	int base = timeline_class_role(cls);
	int role = base, z = 2;
	if (f->anchor != TRACE_NONE) {
		if (rel_end == -1 || end_id == f->anchor)
			role = R_PAST, z = 3;
		else if (rel_send == 1)
			role = R_AFTER, z = 2;
		else
			role = R_CONCURRENT, z = 0;
	}
	s.role = s.role_late = s.end_role = (uint8_t)role;
	if (drop && role != R_CONCURRENT)
		s.end_role = R_DROP;
	if (!sent) {
		s.role = s.role_late = s.end_role = role == R_CONCURRENT ? R_CONCURRENT : R_FUTURE;
		z = role == R_CONCURRENT ? 0 : 1;
	} else if (!arrived) {
		/* in the air at the cursor: hot up to where it is now, dimmed beyond */
		s.role = R_MSG_HOT;
		s.role_late = R_FUTURE;
		s.split = f->G.logical ? f->now_col : timeline_geo_col(&f->G, f->m->now_us);
		s.late_hidden = !ee;
		s.head = true;
		z = 4;
	}
	if (sel || mark) {
		s.role = s.end_role = sel ? R_SELECT : R_MARK;
		if (!s.head)
			s.role_late = s.role;
		z = 5;
	}
	s.z = (uint8_t)z;
	timeline_msg_queue(f, &s);
}

void timeline_msg_draw(timeline_frame *f)
{
	const st_trace *t = f->t;
	if (f->m->sim) {
		/* all of them: sim_inflight fills at most the room given */
		for (size_t cap = 1024;; cap *= 2) {
			f->fly = grid_scratch(f->g, TL_S_FLY, cap * sizeof *f->fly);
			f->nfly = (size_t)sim_inflight(f->m->sim, f->fly, (int)cap);
			if (f->nfly < cap || cap >= (1u << 20))
				break;
		}
	}
	size_t nfly = f->nfly;
	/* messages crossing the whole window: in the air at its left edge, ending after it */
	uint32_t *air = NULL;
	unsigned air_cap = 0;
	uint32_t nair = trace_index_in_flight(f->m->index, f->i0, &air, &air_cap);
	/* room for a line per message met, so the set is sized once, not rehashed as it grows */
	size_t est = (size_t)nair + (f->i1 - f->i0) + 1;
	f->seg_cap = est;
	f->seg = grid_scratch(f->g, TL_S_SEG, est * sizeof *f->seg);
	for (f->hs_cap = 1024; f->hs_cap < 2 * est; f->hs_cap *= 2)
		;
	f->hs = grid_scratch(f->g, TL_S_SET, f->hs_cap * sizeof *f->hs);
	memset(f->hs, 0, f->hs_cap * sizeof *f->hs);
	for (uint32_t i = 0; i < nair; i++) {
		const st_msgrec *mr = timeline_msgrec(t, air[i]);
		if (mr && mr->send_ev < f->i0 && (mr->end_ev == TRACE_NONE || mr->end_ev >= f->i1))
			timeline_msg_add(f, air[i], mr->end_ev, nfly);
	}
	free(air);
	/* messages sent in the window, and those ending in it that were sent before */
	for (uint32_t id = f->i0; id < f->i1; id++) {
		const st_event *e = trace_at(t, id);
		if (e->kind == KIND_SEND) {
			const st_msgrec *mr = timeline_msgrec(t, e->ref);
			if (mr)
				timeline_msg_add(f, e->ref, mr->end_ev, nfly);
		} else if (e->kind == KIND_RECV || e->kind == KIND_DROP) {
			const st_msgrec *mr = timeline_msgrec(t, e->ref);
			if (mr && (mr->send_ev < f->i0 || mr->end_ev != id))
				timeline_msg_add(f, e->ref, id, nfly);
		}
	}
	/* bottom layer first, in a stable order so frames do not flicker: bodies, then the
	 * arrowheads and crosses on top of every body */
	uint32_t *order = grid_scratch(f->g, TL_S_ORDER, (f->nseg + 1) * sizeof *order);
	size_t start[TL_Z + 1] = {0};
	for (size_t i = 0; i < f->nseg; i++)
		start[f->seg[i].z + 1]++;
	for (int z = 0; z < TL_Z; z++)
		start[z + 1] += start[z];
	for (size_t i = 0; i < f->nseg; i++)
		order[start[f->seg[i].z]++] = (uint32_t)i;
	if (f->stats) {
		size_t n = (size_t)f->G.in.w * (size_t)f->G.in.h;
		f->owner = grid_scratch(f->g, TL_S_OWNER, (n + 1) * sizeof *f->owner);
		memset(f->owner, 0, (n + 1) * sizeof *f->owner);
	}
	for (size_t i = 0; i < f->nseg; i++)
		timeline_msg_body(f, &f->seg[order[i]]);
	for (size_t i = 0; i < f->nseg; i++)
		timeline_msg_ends(f, &f->seg[order[i]]);
}
