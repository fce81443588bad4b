/* until.c: run-until jobs in slices (see until.h).
 *
 * Each slice steps the run through session_step (so the selection, "now" and a violation are
 * handled as for one step) and checks what the job waits for after every step. The first
 * page or milestone among the events a step added stops `n`; a state record of the watched
 * process stops `N`; a violation stops any job (session_step has explained it). */
#include <stdio.h>
#include <string.h>

#include "actions.h"
#include "session.h"
#include "until.h"

/* Budgets: `n` looks this far ahead for a milestone once no page is left (then stays where it
 * was); `N` and `!` run this many steps per press at most. Virtual time bounds `n` too, so a
 * lesson whose run goes on for ever (heartbeats) cannot carry the cursor hours ahead. */
#define UNTIL_PAGE_STEPS 100000
#define UNTIL_PAGE_AHEAD_US 10000000LL
#define UNTIL_RUN_STEPS 200000

bool until_running(const session *s) { return s->job.kind != UNTIL_NONE; }

int until_page_at(const session *s)
{
	if (!s->h || !s->rs.sc || s->rs.sc->nlesson == 0)
		return -1;
	return trace_index_lesson_at(history_index(s->h), history_cursor(s->h), s->now_us);
}

static void until_name(const session *s, int p, char *out, size_t n)
{
	if (p >= 0 && p < s->rs.sc->nprocs)
		scenario_proc_name(s->rs.sc, p, out, n);
	else
		snprintf(out, n, "the world");
}

void until_start(session *s, until_kind kind)
{
	if (!s->h)
		return;
	until_job *j = &s->job;
	memset(j, 0, sizeof *j);
	j->kind = kind;
	j->from = history_cursor(s->h);
	j->from_now_us = s->now_us;
	j->from_sel = s->selected;
	j->page = until_page_at(s);
	j->proc = s->sel_proc;
	j->was_playing = s->playing;
	bool paced = kind == UNTIL_PAGE || kind == UNTIL_MILESTONE;
	j->limit = paced ? UNTIL_PAGE_STEPS : UNTIL_RUN_STEPS;
	j->t_limit_us = paced ? s->now_us + UNTIL_PAGE_AHEAD_US : -1;
	s->playing = false;
	s->dirty = true;
}

void until_stop(session *s, const char *why)
{
	if (!until_running(s))
		return;
	s->job.kind = UNTIL_NONE;
	if (why)
		session_say(s, 5, "%s", why);
	s->dirty = true;
}

/* The job found nothing: `n` goes back to where it was (the run it looked through stays
 * recorded, ahead of the cursor); the others stay where they got to. */
static void until_nothing(session *s, const char *msg)
{
	until_job j = s->job;
	s->job.kind = UNTIL_NONE;
	if (j.kind == UNTIL_PAGE || j.kind == UNTIL_MILESTONE) {
		history_seek(s->h, j.from);
		session_after_seek(s);
		s->now_us = j.from_now_us;
		s->selected = j.from_sel;
	}
	session_say(s, 8, "%s", msg);
}

/* After one step over events [before, after): did the job find what it waits for? */
static bool until_found(session *s, uint32_t before, uint32_t after)
{
	until_job *j = &s->job;
	const st_trace *t = history_trace(s->h);
	char who[16];
	if (j->kind == UNTIL_PAGE || j->kind == UNTIL_MILESTONE) {
		uint32_t ms = trace_index_milestone_next(history_index(s->h), before);
		bool is_ms = ms != TRACE_NONE && ms < after;
		int page = j->kind == UNTIL_PAGE ? until_page_at(s) : j->page;
		if (!is_ms && page == j->page)
			return false;
		int np = s->rs.sc->nlesson;
		char pg[64] = "";
		if (page != j->page && page >= 0)
			snprintf(pg, sizeof pg, "page %d/%d", page + 1, np);
		if (is_ms) {
			const st_event *e = trace_at(t, ms);
			until_name(s, e->proc, who, sizeof who);
			s->selected = ms;
			session_say(s, 8, "%s%smilestone: %s %s (event %u)", pg, pg[0] ? "; " : "",
				    who, e->label ? trace_str(t, e->label) : "", ms);
		} else {
			session_say(s, 8, "%s%s (B goes back a page)", pg,
				    page + 1 == np ? ": the last page" : "");
		}
		return true;
	}
	if (j->kind == UNTIL_CHANGE) {
		for (uint32_t e = before; e < after; e++)
			if (trace_at(t, e)->proc == j->proc && trace_at(t, e)->state != TRACE_NONE) {
				s->selected = e;
				until_name(s, j->proc, who, sizeof who);
				session_say(s, 6, "%s changed state at event %u", who, e);
				return true;
			}
	}
	return false;
}

bool until_work(session *s, int steps)
{
	if (!until_running(s) || !s->h)
		return false;
	until_job *j = &s->job;
	char who[16], msg[200];
	for (int i = 0; i < steps; i++) {
		if (session_full(s)) {
			until_stop(s, NULL);
			return false;       /* session_full said so */
		}
		uint32_t before = history_cursor(s->h);
		sim_status st = session_step(s);
		uint32_t after = history_cursor(s->h);
		j->steps++;
		if (after > before && until_found(s, before, after)) {
			s->job.kind = UNTIL_NONE;
			s->follow = true;
			return false;
		}
		if (st == SIM_VIOLATION) {
			s->job.kind = UNTIL_NONE;   /* session_step named it and selected it */
			return false;
		}
		if (after == before || (st == SIM_IDLE && session_next_time(s) < 0)) {
			until_name(s, j->proc, who, sizeof who);
			snprintf(msg, sizeof msg, j->kind == UNTIL_PAGE
				 ? "no page or milestone ahead: the run went quiet (g rewinds, o "
				   "opens another lesson)"
				 : j->kind == UNTIL_MILESTONE ? "no milestone ahead: the run went quiet"
				 : j->kind == UNTIL_CHANGE ? "%s did not change: the run went quiet"
							   : "no invariant violated: the run went "
							     "quiet", who);
			until_nothing(s, msg);
			return false;
		}
		bool over_t = j->t_limit_us >= 0 && s->now_us > j->t_limit_us;
		if (j->steps >= j->limit || over_t) {
			until_name(s, j->proc, who, sizeof who);
			if (j->kind == UNTIL_PAGE)
				snprintf(msg, sizeof msg, "no page or milestone in the next %s: the "
					 "lesson has no more to show here (g rewinds, o opens another)",
					 over_t ? "10 s of the run" : "100000 steps");
			else if (j->kind == UNTIL_MILESTONE)
				snprintf(msg, sizeof msg, "no milestone in the next %s",
					 over_t ? "10 s of the run" : "100000 steps");
			else if (j->kind == UNTIL_CHANGE)
				snprintf(msg, sizeof msg, "%s did not change in %llu steps", who,
					 (unsigned long long)j->steps);
			else
				snprintf(msg, sizeof msg, "no invariant violated in %llu steps "
					 "(checked after every step; ! again runs on)",
					 (unsigned long long)j->steps);
			until_nothing(s, msg);
			return false;
		}
	}
	const char *what = j->kind == UNTIL_PAGE ? "looking for the next page or milestone"
			 : j->kind == UNTIL_MILESTONE ? "looking for the next milestone"
			 : j->kind == UNTIL_CHANGE ? "running until the process changes"
						   : "running until an invariant breaks";
	session_say(s, 0, "%s: %llu steps, t=%.3fs (esc stops)", what,
		    (unsigned long long)j->steps, (double)s->now_us / 1e6);
	return true;
}
