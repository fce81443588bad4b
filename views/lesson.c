/* lesson.c: the scenario's narration for the moment the cursor has reached.
 *
 * A lesson is a list of (when, text): "start", "label:<text>", "kind:<kind>", "at_ms:<n>". The
 * pane shows the last entry whose moment has come at the cursor, so stepping back in time
 * brings back the earlier explanation. Which entry that is, is the run index's answer
 * (trace_index_lesson_at): it knows, for each entry, the first event that reaches it, so the
 * question costs nothing per frame however long the run. */
#include <stdio.h>
#include <string.h>

#include "view.h"

const char *lesson_text_at(const view_model *m, int *index)
{
	if (index)
		*index = -1;
	const st_scenario *sc = m->sc;
	if (!sc || sc->nlesson == 0 || !m->index)
		return NULL;
	uint32_t n = m->cursor == TRACE_NONE ? 0 : m->cursor + 1;
	int i = trace_index_lesson_at(m->index, n, m->now_us);
	if (i < 0 || i >= sc->nlesson)
		return NULL;
	if (index)
		*index = i;
	return sc->lesson[i].text;
}

void lesson_draw(grid *g, grid_rect r, const view_model *m)
{
	int idx;
	const char *text = lesson_text_at(m, &idx);
	/* the title is the lesson's; how far through it we are sits at the right of the top
	 * edge, so a long title cannot push it out */
	char progress[24] = "";
	if (idx >= 0)
		snprintf(progress, sizeof progress, " %d/%d ", idx + 1, m->sc->nlesson);
	int pw = (int)strlen(progress);
	const char *name = m->sc && m->sc->title ? m->sc->title : "lesson";
	grid_rect in = view_box(g, r, NULL, false);
	if (r.w > pw + 10) {
		grid_put(g, r.x + 1, r.y, ' ', R_BORDER, 0);
		int n = view_text(g, r.x + 2, r.y, name, r.w - pw - 6, R_TITLE, A_BOLD_);
		grid_put(g, r.x + 2 + n, r.y, ' ', R_BORDER, 0);
		view_text(g, r.x + r.w - pw - 1, r.y, progress, pw, R_TITLE, 0);
	}
	if (in.w <= 2 || in.h <= 0)
		return;
	/* a list being chosen from takes the pane while the prompt is open */
	if (m->menu) {
		view_wrap(g, in.x + 1, in.y, in.w - 2, in.h, 0, m->menu, R_LESSON, 0);
		return;
	}
	/* once the user changed the run, the script's words may no longer fit it: say so */
	if (m->user_acts > 0 && in.h > 3) {
		char note[200];
		snprintf(note, sizeof note, "You changed the run (%d action%s, the first at e%u): "
			 "the text follows the lesson's script. g rewinds to it.", m->user_acts,
			 m->user_acts == 1 ? "" : "s", m->user_first_ev);
		grid measure1 = {.ascii = g->ascii};
		int nh = view_wrap(&measure1, 0, 0, in.w - 2, 0, 0, note, R_WARN, 0);
		if (nh < in.h - 1) {
			view_wrap(g, in.x + 1, in.y, in.w - 2, nh, 0, note, R_WARN, 0);
			in.y += nh;
			in.h -= nh;
		}
	}
	/* a violation the run stopped at comes first, in the lesson's own words */
	if (m->violation_text) {
		grid measure0 = {.ascii = g->ascii};
		int vh = view_wrap(&measure0, 0, 0, in.w - 2, 0, 0, m->violation_text, R_CRASH, A_BOLD_);
		if (vh > in.h)
			vh = in.h;
		view_wrap(g, in.x + 1, in.y, in.w - 2, vh, 0, m->violation_text, R_CRASH, A_BOLD_);
		in.y += vh;
		in.h -= vh;
		if (in.h <= 0)
			return;
	}
	if (!text) {
		view_text(g, in.x + 1, in.y, m->sc ? "No narration yet: step to see the run unfold."
				    : "No lesson: this run has no scenario narration.",
			  in.w - 2, R_DIM, 0);
		return;
	}
	/* measure first, so the scroll can be clamped to the text */
	grid measure = {.ascii = g->ascii};
	int need = view_wrap(&measure, 0, 0, in.w - 2, 0, 0, text, R_LESSON, 0);
	int skip = m->lesson_scroll < need - in.h ? m->lesson_scroll : need - in.h;
	if (skip < 0)
		skip = 0;
	view_wrap(g, in.x + 1, in.y, in.w - 2, in.h, skip, text, R_LESSON, 0);
	/* say that there is more rather than cut a sentence silently */
	view_more(g, r, skip > 0, need - skip > in.h);
}
