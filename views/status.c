/* status.c: the bottom line or two: where we are, what mode we are in, what to press.
 *
 * The first line answers "what am I looking at": the lesson, the seed, virtual time, how far
 * through the run the cursor is, playing or paused, manual delivery, whether acting now would
 * branch off the recorded future, and how the network is cut. When it does not fit, the least
 * useful pieces go first. The second line is the short key list from the app's table (so it
 * cannot disagree with the keys), replaced by a transient message or an input prompt. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "view.h"

typedef struct {
	char text[160];
	int role, attr;
	int rank;           /* dropped from the highest when the line is too narrow */
} status_seg;

#define STATUS_MAX_SEGS 12

static void status_add(status_seg *s, int *n, int rank, int role, int attr, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static void status_add(status_seg *s, int *n, int rank, int role, int attr, const char *fmt, ...)
{
	if (*n >= STATUS_MAX_SEGS)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s[*n].text, sizeof s[*n].text, fmt, ap);
	va_end(ap);
	s[*n].role = role;
	s[*n].attr = attr;
	s[*n].rank = rank;
	(*n)++;
}

/* Lay the segments out left to right, two spaces apart, after dropping what does not fit. */
static int status_line(grid *g, int x, int y, int w, status_seg *s, int n)
{
	bool shown[STATUS_MAX_SEGS];
	for (int i = 0; i < n; i++)
		shown[i] = true;
	for (;;) {
		int total = 0, worst = -1;
		for (int i = 0; i < n; i++)
			if (shown[i]) {
				total += (total ? 2 : 0) + view_width(g, s[i].text);
				if (worst < 0 || s[i].rank > s[worst].rank)
					worst = i;
			}
		if (total <= w || worst < 0 || s[worst].rank == 0)
			break;
		shown[worst] = false;
	}
	int cx = x;
	for (int i = 0; i < n && cx < x + w; i++)
		if (shown[i]) {
			if (cx > x)
				cx += 2;
			cx += view_text(g, cx, y, s[i].text, x + w - cx, s[i].role, s[i].attr);
		}
	return cx - x;
}

/* The info segments of the first line. */
static int status_info(const view_model *m, status_seg *s)
{
	int n = 0;
	const st_trace *t = m->trace;
	const char *name = m->sc && m->sc->name ? m->sc->name : t && t->scenario ? t->scenario : "";
	if (*name)
		status_add(s, &n, 3, R_STATUS, A_BOLD_, "%s", name);
	status_add(s, &n, 6, R_STATUS, 0, "seed %llu", (unsigned long long)m->seed);
	status_add(s, &n, 0, R_STATUS, 0, "t=%.3fs", (double)m->now_us / 1e6);
	uint32_t count = t ? trace_count(t) : 0;
	uint32_t at = m->cursor == TRACE_NONE ? 0 : m->cursor + 1;
	status_add(s, &n, 0, R_STATUS, 0, "event %u/%u", at, count);
	if (m->playing)
		status_add(s, &n, 1, R_GOOD, A_BOLD_, "\u25b6 playing %gx", m->speed);
	else
		status_add(s, &n, 1, R_STATUS, 0, "\u275a\u275a paused");
	if (m->violation)
		status_add(s, &n, 0, R_CRASH, A_BOLD_, "%s %s violated at e%u",
			   "\u2716", m->violation, m->violation_ev);
	if (m->manual)
		status_add(s, &n, 2, R_WARN, A_BOLD_, "manual");
	if (m->read_only)
		status_add(s, &n, 2, R_WARN, 0, "read-only trace");
	else if (m->cursor != TRACE_NONE && count && m->cursor + 1 < count)
		status_add(s, &n, 2, R_WARN, 0, "in the past: acting here starts a branch");
	if (m->branched)
		status_add(s, &n, 4, R_WARN, 0, "new branch");
	if (t && count && m->index && m->cursor != TRACE_NONE) {
		trace_point pt;
		trace_net ns;
		view_point(m, &pt);
		trace_index_net(m->index, &pt, &ns);
		char sum[140];
		view_net_summary(t, &ns, sum, sizeof sum);
		if (sum[0])
			status_add(s, &n, 5, R_PARTITION, A_BOLD_, "%s", sum);
	}
	return n;
}

/* The pane names the key table's modes use, by view_pane. */
static const char *const status_pane_modes[PANE__COUNT] = {
	[PANE_TIMELINE] = "", [PANE_NODES] = "", [PANE_INSPECTOR] = "inspector",
	[PANE_NETWORK] = "network", [PANE_MESSAGES] = "messages",
};

/* One binding "keys help" at cx if it fits whole; returns the new cx (unchanged if not). */
static int status_binding(grid *g, int x, int cx, int end, int y, const view_key *k)
{
	int need = view_width(g, k->keys) + 1 + view_width(g, k->help);
	if (cx > x && cx + 2 + need > end)
		return -1;              /* whole bindings only: a half key is worse than none */
	if (cx > x)
		cx += 2;
	cx += view_text(g, cx, y, k->keys, end - cx, R_KEY, A_BOLD_) + 1;
	cx += view_text(g, cx, y, k->help, end - cx, R_STATUS, 0);
	return cx;
}

/* The short key list: the focused pane's own keys first ("d drop the selected message"),
 * then the few the table marks for the status bar ("space step  p play  ? help"). */
static void status_keys(grid *g, int x, int y, int w, const view_model *m)
{
	int cx = x, end = x + w;
	const char *mode = m->focus >= 0 && m->focus < PANE__COUNT ? status_pane_modes[m->focus] : "";
	if (mode && *mode) {
		for (int i = 0; i < m->nkeys && cx < end; i++) {
			const view_key *k = &m->keys[i];
			if (!k->mode || strcmp(k->mode, mode) != 0)
				continue;
			int nx = status_binding(g, x, cx, end, y, k);
			if (nx < 0)
				return;
			cx = nx;
		}
	}
	for (int i = 0; i < m->nkeys && cx < end; i++) {
		const view_key *k = &m->keys[i];
		if (!k->in_status)
			continue;
		int nx = status_binding(g, x, cx, end, y, k);
		if (nx < 0)
			break;
		cx = nx;
	}
}

/* Line two: the prompt, else the message, else the keys. */
static void status_second(grid *g, int x, int y, int w, const view_model *m)
{
	if (m->prompt) {
		int n = view_text(g, x, y, m->prompt, w - 1, R_STATUS, A_BOLD_);
		grid_put_glyph(g, x + n, y, G_BLOCK, R_STATUS, 0);
	} else if (m->message) {
		view_text(g, x, y, m->message, w, R_WARN, A_BOLD_);
	} else {
		status_keys(g, x, y, w, m);
	}
}

void status_draw(grid *g, grid_rect r, const view_model *m)
{
	if (r.w <= 0 || r.h <= 0)
		return;
	grid_fill(g, r, ' ', R_STATUS, 0);
	status_seg segs[STATUS_MAX_SEGS];
	int n = status_info(m, segs);
	int x = r.x + 1, w = r.w - 2;
	if (r.h >= 2) {
		status_line(g, x, r.y, w, segs, n);
		status_second(g, x, r.y + 1, w, m);
		return;
	}
	/* one row: a prompt or message wins; else the info, and the keys where room is left */
	if (m->prompt || m->message) {
		status_second(g, x, r.y, w, m);
		return;
	}
	int used = status_line(g, x, r.y, w, segs, n);
	if (used + 4 < w)
		status_keys(g, x + used + 4, r.y, w - used - 4, m);
}
