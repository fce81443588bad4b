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

typedef struct {
	const char *text;
	int role, attr;
} lesson_part;

/* The texts the pane shows below a menu, in order (see lesson_draw); the note is written
 * into the caller's buffer. */
static int lesson_parts(const view_model *m, lesson_part *out, char *note, size_t note_len)
{
	int n = 0;
	if (m->user_acts > 0) {
		snprintf(note, note_len, "You changed the run (%d action%s, the first at e%u): "
			 "the text follows the lesson's script. g rewinds to it.", m->user_acts,
			 m->user_acts == 1 ? "" : "s", m->user_first_ev);
		out[n++] = (lesson_part){note, R_WARN, 0};
	}
	if (m->violation_text)
		out[n++] = (lesson_part){m->violation_text, R_CRASH, A_BOLD_};
	const char *text = lesson_text_at(m, NULL);
	if (text)
		out[n++] = (lesson_part){text, R_LESSON, 0};
	else
		out[n++] = (lesson_part){m->sc ? "No narration yet: step to see the run unfold."
				       : "No lesson: this run has no scenario narration.", R_DIM, 0};
	return n;
}

void lesson_draw(grid *g, grid_rect r, const view_model *m)
{
	int idx;
	lesson_text_at(m, &idx);
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
	/* The parts, in order, scroll as one text: the note that the user left the script, the
	 * violation the run stopped at, the page's narration. */
	lesson_part parts[3];
	char note[200];
	int np = lesson_parts(m, parts, note, sizeof note);
	grid measure = {.ascii = g->ascii};
	int need = 0;
	for (int i = 0; i < np; i++)
		need += view_wrap(&measure, 0, 0, in.w - 2, 0, 0, parts[i].text, parts[i].role,
				  parts[i].attr);
	int skip = m->lesson_scroll < need - in.h ? m->lesson_scroll : need - in.h;
	if (skip < 0)
		skip = 0;
	int y = -skip;      /* the row, in the pane, where the next part starts */
	for (int i = 0; i < np && y < in.h; i++) {
		int h = view_wrap(&measure, 0, 0, in.w - 2, 0, 0, parts[i].text, parts[i].role,
				  parts[i].attr);
		int from = y < 0 ? -y : 0, top = y < 0 ? 0 : y;
		if (from < h)
			view_wrap(g, in.x + 1, in.y + top, in.w - 2, in.h - top, from, parts[i].text,
				  parts[i].role, parts[i].attr);
		y += h;
	}
	/* say that there is more rather than cut a sentence silently */
	view_more(g, r, skip > 0, need - skip > in.h);
}

int lesson_rows(const view_model *m, int w)
{
	lesson_part parts[3];
	char note[200];
	int np = lesson_parts(m, parts, note, sizeof note), need = 0;
	grid measure = {0};
	for (int i = 0; i < np; i++)
		need += view_wrap(&measure, 0, 0, w, 0, 0, parts[i].text, parts[i].role, parts[i].attr);
	return need;
}
