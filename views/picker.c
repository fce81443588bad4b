/* picker.c: choosing a lesson.
 *
 * The first screen a newcomer sees. Lessons come in learning-path order (the app sorts them:
 * topic by topic, Foundations first); the picker draws a heading wherever the topic changes,
 * so the path reads as a syllabus, with each lesson's name and title beneath. The selected row
 * is highlighted and kept in view; the last line says how to choose. */
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "view.h"

/* Display rows: a heading (item = -1, with a blank line before all but the first) or an item. */
typedef struct { int item; const char *topic; } picker_row;

static bool picker_new_topic(const picker_item *items, int i)
{
	const char *a = i > 0 ? items[i - 1].topic : NULL, *b = items[i].topic;
	if (i == 0)
		return true;
	return strcmp(a ? a : "", b ? b : "") != 0;
}

/* Rows for all items; rows may be NULL to count them. */
static int picker_rows(const picker_item *items, int n, picker_row *rows)
{
	int k = 0;
	for (int i = 0; i < n; i++) {
		if (picker_new_topic(items, i)) {
			if (i > 0) {
				if (rows)
					rows[k] = (picker_row){-2, NULL};   /* a blank line */
				k++;
			}
			if (rows)
				rows[k] = (picker_row){-1, items[i].topic && *items[i].topic
						       ? items[i].topic : "Other"};
			k++;
		}
		if (rows)
			rows[k] = (picker_row){i, NULL};
		k++;
	}
	return k;
}

/* The row index of item i. */
static int picker_row_of(const picker_item *items, int n, int i)
{
	int k = 0;
	for (int j = 0; j < n && j <= i; j++) {
		if (picker_new_topic(items, j))
			k += j > 0 ? 2 : 1;
		if (j == i)
			return k;
		k++;
	}
	return 0;
}

/* Rows of the list: the box (2), the title line and a blank (2), the footer and a blank (2). */
static int picker_list_h(int h) { return h - 6 > 1 ? h - 6 : 1; }

int picker_scroll(int h, const picker_item *items, int n, int selected, int scroll)
{
	int list_h = picker_list_h(h), total = picker_rows(items, n, NULL);
	if (selected >= 0 && selected < n) {
		int row = picker_row_of(items, n, selected);
		/* show the topic heading with the first lesson of a topic */
		int top = row;
		if (picker_new_topic(items, selected))
			top = row - 1;
		if (top < scroll)
			scroll = top;
		if (row >= scroll + list_h)
			scroll = row - list_h + 1;
	}
	if (scroll > total - list_h)
		scroll = total - list_h;
	return scroll < 0 ? 0 : scroll;
}

void picker_draw(grid *g, const picker_item *items, int n, int selected, int scroll)
{
	grid_clear(g);
	grid_rect box = {0, 0, g->w, g->h};
	grid_rect in = view_box(g, box, "spacetime: lessons", true);
	if (in.w <= 4 || in.h <= 2)
		return;
	int x = in.x + 2, w = in.w - 4;
	view_text(g, x, in.y, "Distributed systems, one run at a time. Pick a lesson:", w, R_NORMAL,
		  0);
	const char *foot = "\u2191\u2193 choose   enter open   q quit";
	view_text(g, x, in.y + in.h - 1, foot, w, R_KEY, 0);
	if (n <= 0) {
		view_text(g, x, in.y + 2, "No lessons found: spacetime looks for scenarios/*.json "
			  "here and in its install directory.", w, R_WARN, 0);
		return;
	}
	int total = picker_rows(items, n, NULL);
	picker_row *rows = st_alloc((size_t)total * sizeof *rows);
	picker_rows(items, n, rows);
	int list_h = picker_list_h(g->h);
	scroll = picker_scroll(g->h, items, n, selected, scroll);
	int name_w = 0;
	for (int i = 0; i < n; i++) {
		int nw = view_width(g, items[i].name ? items[i].name : "");
		name_w = nw > name_w ? nw : name_w;
	}
	if (name_w > w / 2)
		name_w = w / 2;
	int y0 = in.y + 2;
	for (int k = scroll; k < total && k - scroll < list_h; k++) {
		int y = y0 + k - scroll;
		const picker_row *row = &rows[k];
		if (row->item == -1) {
			view_text(g, x, y, row->topic, w, R_TITLE, A_BOLD_ | A_UND_);
			continue;
		}
		if (row->item < 0)
			continue;
		const picker_item *it = &items[row->item];
		bool sel = row->item == selected;
		int role = sel ? R_SELECT : R_NORMAL, attr = sel ? A_REV_ | A_BOLD_ : 0;
		if (sel) {
			grid_fill(g, (grid_rect){x, y, w, 1}, ' ', role, attr);
			grid_put_glyph(g, x, y, G_TRI_R, role, attr);
		}
		view_text(g, x + 2, y, it->name ? it->name : "", name_w, sel ? role : R_KEY, attr);
		view_text(g, x + 2 + name_w + 3, y, it->title ? it->title : "", w - name_w - 5, role,
			  sel ? attr : 0);
	}
	free(rows);
	view_more(g, (grid_rect){in.x - 1, in.y - 1, in.w + 2, in.h + 2}, scroll > 0,
		  scroll + list_h < total);
}
