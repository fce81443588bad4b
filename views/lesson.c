/* lesson.c: the scenario's narration for the moment the cursor has reached.
 *
 * A lesson is a list of (when, text): "start", "label:<text>", "kind:<kind>", "at_ms:<n>". The
 * pane shows the last entry whose moment has come at the cursor, so stepping back in time
 * brings back the earlier explanation. Whether "label:became leader" has happened by event N
 * is a question about the whole past; asking it by scanning backwards every frame would cost a
 * whole trace per frame for a moment that never comes. So a cache remembers, for each entry,
 * the first event that reaches it, built by one incremental forward scan (label matches are
 * memoised per interned label), and the question becomes "first[i] <= cursor". */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view.h"

#define LESSON_MEMO 512

static struct {
	view_scan scan;
	const st_scenario *sc;
	uint64_t sc_fp;
	uint32_t first[SC_MAX_LESSON];          /* first event reaching entry i, or TRACE_NONE */
	struct { uint32_t label; uint64_t mask; bool used; } memo[LESSON_MEMO];
} lesson_cache;

void lesson_cache_free(void)
{
	memset(&lesson_cache, 0, sizeof lesson_cache);
}

typedef enum { LW_START, LW_LABEL, LW_KIND, LW_AT, LW_NEVER } lesson_kind;
static const struct { const char *prefix; lesson_kind kind; } lesson_whens[] = {
	{"label:", LW_LABEL}, {"kind:", LW_KIND}, {"at_ms:", LW_AT}, {"start", LW_START},
};

static lesson_kind lesson_when(const char *when, const char **arg)
{
	for (size_t i = 0; i < sizeof lesson_whens / sizeof lesson_whens[0]; i++) {
		size_t n = strlen(lesson_whens[i].prefix);
		if (when && strncmp(when, lesson_whens[i].prefix, n) == 0) {
			*arg = when + n;
			return lesson_whens[i].kind;
		}
	}
	*arg = "";
	return LW_NEVER;
}

/* "label:grant vote" matches "grant vote to n1" (a phrase without a number is a prefix);
 * "label:commit 3" matches only "commit 3". */
static bool lesson_label_matches(const char *want, const char *label)
{
	size_t n = strlen(want);
	if (n && isdigit((unsigned char)want[n - 1]))
		return strcmp(want, label) == 0;
	return strncmp(want, label, n) == 0;
}

/* Which label entries of the lesson an interned label satisfies, as a bit mask. */
static uint64_t lesson_label_mask(const st_scenario *sc, const st_trace *t, uint32_t label)
{
	unsigned slot = (label * 2654435761u) % LESSON_MEMO;
	if (lesson_cache.memo[slot].used && lesson_cache.memo[slot].label == label)
		return lesson_cache.memo[slot].mask;
	uint64_t mask = 0;
	const char *text = trace_str(t, label);
	for (int i = 0; i < sc->nlesson && i < 64; i++) {
		const char *arg;
		if (lesson_when(sc->lesson[i].when, &arg) == LW_LABEL && lesson_label_matches(arg, text))
			mask |= 1ull << i;
	}
	lesson_cache.memo[slot].label = label;
	lesson_cache.memo[slot].mask = mask;
	lesson_cache.memo[slot].used = true;
	return mask;
}

/* The scenario's identity: its pointer could be reused by the next one loaded. */
static uint64_t lesson_sc_fp(const st_scenario *sc)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)sc->nlesson;
	for (int i = 0; i < sc->nlesson; i++)
		for (const char *s = sc->lesson[i].when; s && *s; s++)
			h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static void lesson_update(const st_scenario *sc, const st_trace *t)
{
	bool reset;
	uint64_t fp = lesson_sc_fp(sc);
	if (lesson_cache.sc != sc || lesson_cache.sc_fp != fp) {
		memset(&lesson_cache.scan, 0, sizeof lesson_cache.scan);
		lesson_cache.sc = sc;
		lesson_cache.sc_fp = fp;
	}
	uint32_t from = view_scan_resume(&lesson_cache.scan, t, &reset);
	if (reset) {
		for (int i = 0; i < SC_MAX_LESSON; i++)
			lesson_cache.first[i] = TRACE_NONE;
		memset(lesson_cache.memo, 0, sizeof lesson_cache.memo);
	}
	/* which entries each event kind satisfies */
	uint64_t kind_mask[KIND__COUNT] = {0}, pending = 0;
	for (int i = 0; i < sc->nlesson && i < 64; i++) {
		const char *arg;
		lesson_kind k = lesson_when(sc->lesson[i].when, &arg);
		if (k == LW_KIND) {
			int kind = trace_kind_from_name(arg);
			if (kind >= 0)
				kind_mask[kind] |= 1ull << i;
		}
		if ((k == LW_KIND || k == LW_LABEL) && lesson_cache.first[i] == TRACE_NONE)
			pending |= 1ull << i;
	}
	uint32_t end = trace_count(t);
	for (uint32_t id = from; id < end && pending; id++) {
		const st_event *e = trace_at(t, id);
		uint64_t hit = kind_mask[e->kind];
		if (e->label)
			hit |= lesson_label_mask(sc, t, e->label);
		hit &= pending;
		for (int i = 0; hit; i++, hit >>= 1)
			if (hit & 1) {
				lesson_cache.first[i] = id;
				pending &= ~(1ull << i);
			}
	}
	view_scan_done(&lesson_cache.scan, t, end);
}

const char *lesson_text_at(const view_model *m, int *index)
{
	if (index)
		*index = -1;
	const st_scenario *sc = m->sc;
	if (!sc || sc->nlesson == 0)
		return NULL;
	const st_trace *t = m->trace;
	uint32_t cur = m->cursor;
	if (t && cur != TRACE_NONE && trace_count(t) && cur >= trace_count(t))
		cur = trace_count(t) - 1;
	if (!t || trace_count(t) == 0)
		cur = TRACE_NONE;
	if (t)
		lesson_update(sc, t);
	int64_t now = m->now_us;
	if (cur != TRACE_NONE && cur >= t->base && trace_at(t, cur)->t_us > now)
		now = trace_at(t, cur)->t_us;
	for (int i = sc->nlesson - 1; i >= 0; i--) {
		const char *arg;
		bool reached = false;
		switch (lesson_when(sc->lesson[i].when, &arg)) {
		case LW_START:
			reached = true;
			break;
		case LW_LABEL:
		case LW_KIND:
			reached = i < 64 && cur != TRACE_NONE && lesson_cache.first[i] <= cur;
			break;
		case LW_AT:
			reached = now >= (int64_t)atoll(arg) * 1000;
			break;
		case LW_NEVER:
			break;
		}
		if (reached) {
			if (index)
				*index = i;
			return sc->lesson[i].text;
		}
	}
	return NULL;
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
