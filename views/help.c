/* help.c: the key overlay, drawn from the app's key table and nothing else.
 *
 * The design promise is that help cannot disagree with the code: the app hands its binding
 * table over as data (view_model.keys) and this pane lists every entry, grouped by mode in the
 * order the modes first appear, keys in one aligned column and what they do beside them. When
 * the list is taller than the screen it flows into a second (third...) column; when those
 * columns would cut the texts (a small terminal), it is one column of wrapped lines that
 * scrolls (view_model.help_scroll), with "more" marks, so nothing is ever cut mid-word. */
#include <string.h>

#include "view.h"

/* One display line: a mode heading or a binding. */
typedef struct {
	const char *mode;   /* heading when key is NULL */
	const view_key *key;
} help_line;

/* Heading for a mode: "" means the binding works everywhere. */
static const char *help_heading(const char *mode)
{
	return mode && *mode ? mode : "everywhere";
}

static bool help_same_mode(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

/* Bindings grouped by mode, modes in order of first appearance. Returns the lines. */
static int help_lines(const view_model *m, help_line *out, int max)
{
	int n = 0;
	for (int i = 0; i < m->nkeys; i++) {
		bool seen = false;
		for (int j = 0; j < i && !seen; j++)
			seen = help_same_mode(m->keys[j].mode, m->keys[i].mode);
		if (seen)
			continue;
		if (n < max)
			out[n++] = (help_line){help_heading(m->keys[i].mode), NULL};
		for (int j = i; j < m->nkeys; j++)
			if (help_same_mode(m->keys[j].mode, m->keys[i].mode) && n < max)
				out[n++] = (help_line){NULL, &m->keys[j]};
	}
	return n;
}

/* Place the lines in columns of at most rows rows, column by column, never leaving a mode
 * heading alone at the bottom of a column. Fills col/row of each line; returns the columns. */
static int help_place(const help_line *lines, int n, int rows, int *col, int *row)
{
	int c = 0, r = 0;
	for (int i = 0; i < n; i++) {
		bool orphan = !lines[i].key && r == rows - 1 && rows > 1;
		if (r >= rows || orphan)
			c++, r = 0;
		col[i] = c;
		row[i] = r++;
	}
	return n ? c + 1 : 0;
}

/* One column over the whole screen, each text wrapped beside its keys, from row
 * m->help_scroll on (clamped to the list). */
static void help_scrolled(grid *g, grid_rect r, const view_model *m, const help_line *lines,
			  int n, int keys_w)
{
	grid_fill(g, r, ' ', R_NORMAL, 0);
	grid_rect in = view_box(g, r, "keys: j/k scroll, any other key closes", true);
	int tx = 2 + keys_w + 2, tw = in.w - tx - 1;
	if (tw < 8 || in.h <= 0)
		return;
	grid measure = {.ascii = g->ascii};
	int total = 0;
	for (int i = 0; i < n; i++)
		total += lines[i].key ? view_wrap(&measure, 0, 0, tw, 0, 0, lines[i].key->help,
						  R_NORMAL, 0) : 1 + (i > 0);
	int skip = m->help_scroll < total - in.h ? m->help_scroll : total - in.h;
	if (skip < 0)
		skip = 0;
	int y = -skip;
	for (int i = 0; i < n && y < in.h; i++) {
		if (!lines[i].key) {
			y += i > 0;     /* a blank row before each heading but the first */
			if (y >= 0 && y < in.h)
				view_text(g, in.x + 1, in.y + y, lines[i].mode, in.w - 2, R_TITLE,
					  A_BOLD_ | A_UND_);
			y++;
			continue;
		}
		int h = view_wrap(&measure, 0, 0, tw, 0, 0, lines[i].key->help, R_NORMAL, 0);
		if (y >= 0)
			view_text(g, in.x + 3, in.y + y, lines[i].key->keys, keys_w, R_KEY, A_BOLD_);
		int from = y < 0 ? -y : 0;
		if (from < h) {
			int top = y < 0 ? 0 : y;
			view_wrap(g, in.x + tx, in.y + top, tw, in.h - top, from, lines[i].key->help,
				  R_NORMAL, 0);
		}
		y += h;
	}
	view_more(g, r, skip > 0, total - skip > in.h);
}

void help_draw(grid *g, grid_rect r, const view_model *m)
{
	if (r.w < 20 || r.h < 5)
		return;
	enum { HELP_MAX = 512 };
	help_line lines[HELP_MAX];
	int col[HELP_MAX], row[HELP_MAX];
	int n = help_lines(m, lines, HELP_MAX);
	int keys_w = 0, help_w = 0;
	for (int i = 0; i < n; i++) {
		if (!lines[i].key) {
			int w = view_width(g, lines[i].mode) - 2;
			help_w = w > help_w ? w : help_w;
			continue;
		}
		int kw = view_width(g, lines[i].key->keys), hw = view_width(g, lines[i].key->help);
		keys_w = kw > keys_w ? kw : keys_w;
		help_w = hw > help_w ? hw : help_w;
	}
	if (keys_w > 16)
		keys_w = 16;
	/* as few columns as the height allows: one tall list reads best */
	int avail = r.h - 4 >= 1 ? r.h - 4 : 1;   /* the box and a blank row inside, top and bottom */
	if (n > avail * 2 && r.h - 2 >= 1)
		avail = r.h - 2;                    /* tight: give up the blank rows first */
	int ncols = help_place(lines, n, avail, col, row);
	/* then balance them: the shortest columns that still need no more of them */
	int best = avail;
	for (int try = ncols ? (n + ncols - 1) / ncols : 1; try < avail; try++)
		if (help_place(lines, n, try, col, row) <= ncols) {
			best = try;
			break;
		}
	ncols = help_place(lines, n, best, col, row);
	int rows = 0;
	for (int i = 0; i < n; i++)
		rows = row[i] + 1 > rows ? row[i] + 1 : rows;
	int col_w = 2 + keys_w + 2 + help_w;
	if (ncols * (col_w + 2) + 2 > r.w) {
		help_scrolled(g, r, m, lines, n, keys_w);
		return;
	}
	int pad = rows + 4 <= r.h ? 1 : 0;
	int bw = ncols * (col_w + 2) + 2, bh = rows + 2 + 2 * pad;
	if (bw > r.w)
		bw = r.w;
	if (bh > r.h)
		bh = r.h;
	grid_rect box = {r.x + (r.w - bw) / 2, r.y + (r.h - bh) / 2, bw, bh};
	grid_fill(g, box, ' ', R_NORMAL, 0);
	grid_rect in = view_box(g, box, "keys", true);
	if (n == 0) {
		view_text(g, in.x + 1, in.y, "no key bindings", in.w - 2, R_DIM, 0);
		return;
	}
	for (int i = 0; i < n; i++) {
		int cx = in.x + 1 + col[i] * (col_w + 2), y = in.y + pad + row[i];
		int end = cx + col_w;
		if (!lines[i].key) {
			view_text(g, cx, y, lines[i].mode, end - cx, R_TITLE, A_BOLD_ | A_UND_);
			continue;
		}
		view_text(g, cx + 2, y, lines[i].key->keys, keys_w, R_KEY, A_BOLD_);
		view_text(g, cx + 2 + keys_w + 2, y, lines[i].key->help, end - (cx + 4 + keys_w),
			  R_NORMAL, 0);
	}
}
