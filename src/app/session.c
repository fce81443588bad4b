/* session.c: the terminal program's state and how it moves (see session.h).
 *
 * Why this is apart from tui.c: the loop deals with the terminal, signals and wall-clock time;
 * everything the user sees changing (play, selection, follow, the prompt) is decided here from
 * plain numbers, so it can be reasoned about without a terminal. */
#include <curses.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "actions.h"
#include "base/mem.h"
#include "keys.h"
#include "session.h"

/* Play speeds, virtual seconds per wall second: a 1-2-5 ladder (roughly x2 a step, with
 * numbers a person can read) from 1/100x to 100x. Slow motion by default, chosen from the
 * scenario's network (session_default_speed). */
static const double session_speeds[] = {0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100};
enum { SESSION_NSPEEDS = sizeof session_speeds / sizeof session_speeds[0], SESSION_SPEED0 = 3 };

/* Watching a message travel: at the default speed a message of average latency takes about
 * this long on screen (Raft's 10-40 ms latencies: 0.05x, so a RequestVote crosses in half a
 * second and a whole election unfolds over a few seconds). */
#define SESSION_MESSAGE_WALL_S 0.5
/* ... and spans about this many columns of the timeline at the default zoom, so its line
 * visibly slants from sender to receiver. */
#define SESSION_MESSAGE_COLS 5

/* A play tick runs at most this many steps, so a fast speed cannot freeze the screen. */
#define SESSION_TICK_STEPS 2000
/* The present sits this far across the timeline while following (room to see what comes). */
#define SESSION_FOLLOW_AT 0.8

static const char *const session_pane_names[PANE__COUNT] = {
	"timeline", "nodes", "inspector", "network", "messages",
};

void session_say(session *s, double secs, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->message, sizeof s->message, fmt, ap);
	va_end(ap);
	s->message_until = secs > 0 ? s->wall_s + secs : 0;
	s->dirty = true;
}

double session_speed(const session *s) { return session_speeds[s->speed_i]; }

bool session_speed_step(session *s, int dir)
{
	int i = s->speed_i + (dir > 0 ? 1 : -1);
	if (i < 0 || i >= SESSION_NSPEEDS)
		return false;
	s->speed_i = i;
	s->dirty = true;
	return true;
}

void session_set_playing(session *s, bool on)
{
	if (on && !s->playing && s->h)
		s->play_page = until_page_at(s);   /* pause at the next page, not this one */
	s->playing = on;
	s->dirty = true;
}

static double session_avg_latency_s(const session *s)
{
	const st_scenario *sc = s->rs.sc;
	return sc ? (double)(sc->latency_lo_us + sc->latency_hi_us) / 2e6 : 0;
}

/* The ladder step nearest (in ratio) to the speed at which an average message takes
 * SESSION_MESSAGE_WALL_S on screen. */
static int session_default_speed(const session *s)
{
	double lat = session_avg_latency_s(s);
	if (lat <= 0)
		return SESSION_SPEED0;
	double want = lat / SESSION_MESSAGE_WALL_S;
	int best = 0;
	for (int i = 1; i < SESSION_NSPEEDS; i++)
		if (fabs(log(session_speeds[i] / want)) < fabs(log(session_speeds[best] / want)))
			best = i;
	return best;
}

/* Reset everything that belongs to one run (not the picker, not the loop's inputs). */
static void session_reset_run(session *s)
{
	s->selected = s->marked = TRACE_NONE;
	s->sel_proc = 0;
	s->sel_flight = -1;
	s->sel_msg = TRACE_NONE;
	s->now_us = 0;
	s->t0_us = 0;
	s->us_per_col = 0;      /* automatic: chosen for the screen width each frame */
	s->upc_eff = 0;
	s->follow = true;
	s->show_vc = false;
	s->show_labels = true;
	s->playing = false;
	s->speed_i = session_default_speed(s);
	s->focus = PANE_TIMELINE;
	s->swap_pane = PANE_INSPECTOR;
	s->inspector_scroll = 0;
	s->inspector_for = TRACE_NONE;
	s->help = false;
	s->user_value = 100;    /* the user's writes count from 101: told apart from workloads */
	s->prompt = PROMPT_NONE;
	s->page_pause = !(s->o && s->o->no_page_pause);
	s->play_page = -1;
	s->job.kind = UNTIL_NONE;
	s->viol_ev = TRACE_NONE;
	s->dirty = true;
}

/* The history's memory cap: --history-mb, else a quarter of the machine's memory (at least
 * 64 MB), so holding `!` down pauses the run long before the machine runs short. */
static size_t session_default_cap(const cli_opts *o)
{
	if (o && o->history_mb)
		return (size_t)o->history_mb << 20;
	long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
	size_t cap = pages > 0 && psize > 0 ? (size_t)pages / 4 * (size_t)psize : (size_t)1 << 30;
	return cap < ((size_t)64 << 20) ? (size_t)64 << 20 : cap;
}

bool session_full(session *s)
{
	if (!s->h || !history_sim(s->h) || !history_at_end(s->h))
		return false;
	size_t b = history_bytes(s->h);
	if (b < s->mem_cap)
		return false;
	s->playing = false;
	session_say(s, 0, "the recorded run reached its memory cap of %zu MB (--history-mb): it "
		    "pauses here; e exports it, g rewinds", s->mem_cap >> 20);
	return true;
}

static bool session_start_run(session *s, char *err, size_t errlen)
{
	sim_opts so = {s->rs.seed, true, s->rs.faults};
	s->h = history_new(s->rs.sc, &so);
	if (!s->h) {
		snprintf(err, errlen, "out of memory setting up the world");
		return false;
	}
	session_reset_run(s);
	if (s->o->manual) {
		hist_act a = {.kind = ACT_MANUAL, .proc = 1};
		history_act(s->h, &a);
		s->focus = s->swap_pane = PANE_MESSAGES;
	}
	history_actions(s->h, &s->acts_exported);
	return true;
}

session *session_new(const cli_opts *o, int *status)
{
	session *s = calloc(1, sizeof *s);
	if (!s) {
		fprintf(stderr, "spacetime: out of memory\n");
		*status = EXIT_RUNTIME;
		return NULL;
	}
	s->o = o;
	s->exit_status = EXIT_DONE;
	s->mem_cap = session_default_cap(o);
	session_reset_run(s);
	char err[256];
	if (o->faults && sim_parse_faults(o->faults, err, sizeof err) < 0) {
		fprintf(stderr, "spacetime: %s\n", err);
		*status = EXIT_BAD_INPUT;
		free(s);
		return NULL;
	}
	if (o->target) {
		int rc = run_setup_scenario(&s->rs, o);
		if (rc) {
			*status = rc;
			free(s);
			return NULL;
		}
		if (!session_start_run(s, err, sizeof err)) {
			fprintf(stderr, "spacetime: %s\n", err);
			*status = EXIT_RUNTIME;
			session_free(s);
			return NULL;
		}
		return s;
	}
	if (lessons_gather(&s->lessons, o->argv0) != 0 || s->lessons.n == 0) {
		fprintf(stderr, "spacetime: no lessons found (no scenarios directory with .json "
				"files); name a scenario file: spacetime FILE.json\n");
		lessons_free(&s->lessons);
		*status = EXIT_BAD_INPUT;
		free(s);
		return NULL;
	}
	s->have_lessons = true;
	s->picking = true;
	/* Start on the lesson the tour starts with, when it is there. */
	for (int i = 0; i < s->lessons.n; i++)
		if (strcmp(s->lessons.items[i].name, "raft-election") == 0)
			s->pick = i;
	return s;
}

session *session_new_history(const cli_opts *o, const st_scenario *sc, st_history *h)
{
	session *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->o = o;
	s->exit_status = EXIT_DONE;
	s->mem_cap = session_default_cap(o);
	s->borrowed = true;
	s->h = h;
	s->rs.sc = (st_scenario *)sc;   /* borrowed: never freed or changed here */
	snprintf(s->rs.path, sizeof s->rs.path, "%s", sc->path ? sc->path : sc->name);
	s->rs.seed = history_trace(h)->seed;
	history_set_lessons(h, sc);     /* a read-only trace's history has no narration of its own */
	session_reset_run(s);
	session_after_seek(s);
	return s;
}

static void session_close_run(session *s)
{
	if (s->borrowed) {
		s->h = NULL;
		memset(&s->rs, 0, sizeof s->rs);
		s->borrowed = false;
		return;
	}
	history_free(s->h);
	s->h = NULL;
	run_setup_close(&s->rs);
}

const picker_item *session_picker_items(session *s, int *n)
{
	*n = s->lessons.n;
	if (!s->pitems && s->lessons.n > 0) {
		s->pitems = calloc((size_t)s->lessons.n, sizeof *s->pitems);
		if (!s->pitems) {
			*n = 0;
			return NULL;
		}
		for (int i = 0; i < s->lessons.n; i++)
			s->pitems[i] = (picker_item){s->lessons.items[i].name,
						     s->lessons.items[i].title,
						     s->lessons.items[i].topic};
	}
	return s->pitems;
}

void session_free(session *s)
{
	if (!s)
		return;
	session_close_run(s);
	free(s->pitems);
	lessons_free(&s->lessons);
	free(s);
}

bool session_open(session *s, const char *path)
{
	char err[2048];
	st_scenario *sc = scenario_load(path, err, sizeof err);
	if (!sc) {
		session_say(s, 8, "%s", err);
		return false;
	}
	session_close_run(s);
	snprintf(s->rs.path, sizeof s->rs.path, "%s", path);
	s->rs.sc = sc;
	s->rs.seed = s->o->has_seed ? s->o->seed : sc->seed;
	if (s->o->faults) {
		s->rs.faults = sim_parse_faults(s->o->faults, err, sizeof err);
		if (s->rs.faults < 0)
			s->rs.faults = 0;
		sim_faults_string(s->rs.faults, s->rs.faults_str, sizeof s->rs.faults_str);
	}
	if (!session_start_run(s, err, sizeof err)) {
		session_close_run(s);
		session_say(s, 8, "%s", err);
		return false;
	}
	s->picking = false;
	s->message[0] = '\0';
	return true;
}

const char *session_mode(const session *s)
{
	if (s->picking)
		return "picker";
	if (s->prompt != PROMPT_NONE)
		return "prompt";
	return session_pane_names[s->focus];
}

/* ---- stepping ---- */

int64_t session_next_time(const session *s)
{
	if (!s->h)
		return -1;
	const st_trace *t = history_trace(s->h);
	uint32_t cur = history_cursor(s->h);
	if (cur < history_end(s->h))
		return trace_at(t, cur)->t_us;
	return history_sim(s->h) ? sim_next_us(history_sim(s->h)) : -1;
}

/* At the end of the record after a violation, the world refuses to go on. */
static bool session_stopped(const session *s, uint32_t *ev)
{
	return history_at_end(s->h) && history_sim(s->h) &&
	       sim_violation(history_sim(s->h), ev) != NULL;
}

static void session_select(session *s, uint32_t ev)
{
	s->selected = ev;
	if (ev == TRACE_NONE)
		return;
	const st_event *e = trace_at(history_trace(s->h), ev);
	if (e->proc != TRACE_WORLD)
		s->sel_proc = e->proc;
}

/* The first event of the step (or action) that event ev belongs to: the receive or timer
 * that caused the rest, where the protocol's label sits. Selecting it after any move keeps
 * the screen a function of the cursor alone: stepping back and forward again, or stepping
 * through the past one event at a time, shows what live stepping showed. */
static uint32_t session_step_start(const session *s, const st_trace *t, uint32_t ev)
{
	if (!history_sim(s->h))
		return ev;      /* a recorded trace has no step boundaries: events one by one */
	while (ev > 0 && !(trace_at(t, ev)->flags & EVF_STEP))
		ev--;
	return ev;
}

/* Remember the violation (the world forgets it when the cursor goes back) and explain it in
 * a sentence with event ids: the event that broke it, and the last milestone before it, which
 * is usually the decision the invariant disagrees with (a commit, a delivery). */
static void session_note_violation(session *s, const st_violation *v, uint32_t ev)
{
	const st_trace *t = history_trace(s->h);
	s->viol_ev = ev;
	snprintf(s->viol_name, sizeof s->viol_name, "%s", v && v->invariant ? v->invariant : "?");
	char at[96] = "", before[160] = "";
	if (ev != TRACE_NONE && ev < trace_count(t)) {
		const st_event *e = trace_at(t, ev);
		char who[16] = "the world";
		if (e->proc != TRACE_WORLD)
			scenario_proc_name(s->rs.sc, e->proc, who, sizeof who);
		snprintf(at, sizeof at, " at event e%u (%s, t=%.3f s)", ev, who, (double)e->t_us / 1e6);
		uint32_t ms = trace_index_milestone_prev(history_index(s->h), ev + 1);
		if (ms != TRACE_NONE && ms != ev) {
			const st_event *m = trace_at(t, ms);
			char mw[16] = "?";
			if (m->proc != TRACE_WORLD)
				scenario_proc_name(s->rs.sc, m->proc, mw, sizeof mw);
			snprintf(before, sizeof before, " The last milestone before it: e%u, %s %s.", ms,
				 mw, m->label ? trace_str(t, m->label) : "");
		}
	}
	snprintf(s->viol_text, sizeof s->viol_text, "The invariant \"%s\" broke%s: %s.%s",
		 s->viol_name, at, v ? v->detail : "", before);
}

sim_status session_step(session *s)
{
	if (session_full(s))
		return SIM_IDLE;
	uint32_t before = history_cursor(s->h);
	sim_status st = history_step(s->h);
	uint32_t after = history_cursor(s->h);
	const st_trace *t = history_trace(s->h);
	if (after > before) {
		/* Select the step's first event: the receive or the timer that caused the rest,
		 * which is where the protocol's label ("became leader") sits. */
		/* the event selected follows the run; the process selected stays where the user
		 * put it (j/k, a click), so the next x or i acts on the process they chose */
		if (s->follow || !s->playing)
			s->selected = session_step_start(s, t, after - 1);
		int64_t te = trace_at(t, after - 1)->t_us;
		if (te > s->now_us)
			s->now_us = te;
	}
	if (st == SIM_VIOLATION) {
		uint32_t ev = TRACE_NONE;
		const st_violation *v = sim_violation(history_sim(s->h), &ev);
		s->playing = false;
		if (ev != TRACE_NONE && ev < history_end(s->h))
			session_select(s, ev);
		session_note_violation(s, v, ev);
		session_say(s, 0, "invariant violated: %s at e%u (! returns here, b rewinds, "
			    "e exports)", s->viol_name, ev);
	} else if (st == SIM_IDLE && after == before) {
		s->playing = false;
		session_say(s, 5, "nothing left to happen: the run is quiet");
	}
	s->dirty = true;
	return st;
}

void session_after_seek(session *s)
{
	uint32_t cur = history_cursor(s->h), end = history_end(s->h);
	const st_trace *t = history_trace(s->h);
	if (s->selected != TRACE_NONE && s->selected >= cur)
		s->selected = cur ? session_step_start(s, t, cur - 1) : TRACE_NONE;
	if (s->marked != TRACE_NONE && s->marked >= end)
		s->marked = TRACE_NONE;
	s->now_us = cur ? trace_at(t, cur - 1)->t_us : 0;
	s->sel_flight = -1;
	s->sel_msg = TRACE_NONE;
	s->dirty = true;
}

/* Play pauses when a new page of the lesson begins (unless the user turned that off with A),
 * so the text can be read before the run moves on. True when it paused. */
static bool session_page_began(session *s)
{
	int page = until_page_at(s);
	if (page == s->play_page)
		return false;
	s->play_page = page;
	if (!s->page_pause || page < 0)
		return false;
	s->playing = false;
	s->dirty = true;
	session_say(s, 0, "page %d/%d: paused to read; p plays on (A: do not pause at pages)",
		    page + 1, s->rs.sc->nlesson);
	return true;
}

bool session_tick(session *s, double wall_dt)
{
	if (!s->playing || !s->h)
		return false;
	if (wall_dt > 0.25)     /* after a suspend or a stall: do not leap ahead */
		wall_dt = 0.25;
	int64_t target = s->now_us + (int64_t)(wall_dt * 1e6 * session_speed(s));
	int steps = 0;
	for (;;) {
		if (session_stopped(s, NULL)) {
			s->playing = false;
			break;
		}
		int64_t next = session_next_time(s);
		if (next < 0 || next > target)
			break;
		if (steps++ >= SESSION_TICK_STEPS) {
			/* Too much to show at this speed: slow the clock to what was run. */
			target = s->now_us;
			break;
		}
		sim_status st = session_step(s);
		if (st == SIM_VIOLATION || (st == SIM_IDLE && session_next_time(s) < 0))
			break;
		if (session_page_began(s))
			return false;
	}
	/* Let "now" run ahead of the last event so messages in flight move smoothly. */
	if (s->playing && target > s->now_us) {
		s->now_us = target;
		/* a page whose moment is a time ("at_ms") begins between events */
		if (session_page_began(s))
			return false;
	}
	if (s->playing && session_next_time(s) < 0) {
		s->playing = false;
		session_say(s, 5, "nothing left to happen: the run is quiet");
	}
	s->dirty = true;
	return s->playing;
}

/* ---- keys ---- */

bool session_unexported(const session *s)
{
	if (!s->h || !history_sim(s->h))
		return false;
	int n;
	history_actions(s->h, &n);
	return n != s->acts_exported;
}

bool session_may_drop(session *s, session_confirm_what what)
{
	if (s->prompt == PROMPT_CONFIRM || !session_unexported(s))
		return true;
	s->playing = false;
	until_stop(s, NULL);
	s->prompt = PROMPT_CONFIRM;
	s->confirm = what;
	s->input[0] = '\0';
	s->dirty = true;
	return false;
}

/* y goes ahead, anything else keeps the run (e exports it first). */
static void session_confirm_key(session *s, int key)
{
	if (key == 'y' || key == 'Y') {
		if (s->confirm == CONFIRM_QUIT) {
			s->prompt = PROMPT_NONE;
			s->quit = true;
			s->exit_status = EXIT_DONE;
		} else {
			actions_lessons(s, 0);  /* the open question is its permission */
		}
		s->prompt = PROMPT_NONE;
		s->dirty = true;
		return;
	}
	s->prompt = PROMPT_NONE;
	if (key == 'e') {
		actions_export(s, 0);
	} else {
		session_say(s, 3, "kept the run");
	}
	s->dirty = true;
}

static void session_prompt_key(session *s, int key)
{
	if (s->prompt == PROMPT_CONFIRM) {
		session_confirm_key(s, key);
		return;
	}
	size_t n = strlen(s->input);
	if (key == 27) {                        /* ESC: cancel */
		s->prompt = PROMPT_NONE;
		session_say(s, 3, "cancelled");
	} else if (key == '\n' || key == '\r' || key == KEY_ENTER) {
		session_prompt kind = s->prompt;
		s->prompt = PROMPT_NONE;
		actions_prompt_enter(s, kind, s->input);
	} else if (key == KEY_BACKSPACE || key == 127 || key == 8) {
		/* drop one UTF-8 character: its continuation bytes, then its lead byte */
		while (n > 0 && ((unsigned char)s->input[n - 1] & 0xC0) == 0x80)
			n--;
		if (n > 0)
			n--;
		s->input[n] = '\0';
	} else if (key == 21) {                 /* ^U: clear the line */
		s->input[0] = '\0';
	} else if (key >= 32 && key <= 255 && key != 127 && n + 1 < sizeof s->input) {
		s->input[n] = (char)key;        /* UTF-8 arrives a byte at a time */
		s->input[n + 1] = '\0';
	}
	s->dirty = true;
}

void session_key(session *s, int key)
{
	if (key == KEY_RESIZE || key == ERR)
		return;
	s->dirty = true;
	if (s->help) {          /* j/k and the page keys scroll the help; any other key closes
				 * it, and does nothing else */
		static const struct { int key, rows; } scroll[] = {
			{'j', 1}, {KEY_DOWN, 1}, {'k', -1}, {KEY_UP, -1}, {KEY_NPAGE, 10},
			{' ', 10}, {KEY_PPAGE, -10},
		};
		for (size_t i = 0; i < sizeof scroll / sizeof scroll[0]; i++)
			if (scroll[i].key == key) {
				int v = s->help_scroll + scroll[i].rows, nk;
				keys_view(&nk);
				int most = nk * 3;      /* the view clamps to the list; this bounds the count */
				s->help_scroll = v < 0 ? 0 : v > most ? most : v;
				return;
			}
		s->help = false;
		return;
	}
	if (s->prompt != PROMPT_NONE) {
		session_prompt_key(s, key);
		return;
	}
	s->message[0] = '\0';
	if (until_running(s)) {         /* a key stops a run-until; esc only stops it */
		until_stop(s, key == 27 ? "stopped where it got to" : NULL);
		if (key == 27)
			return;
	}
	int arg = 0;
	const keys_binding *b = keys_lookup(key, session_mode(s), &arg);
	if (b) {
		b->fn(s, arg);
		return;
	}
	if (!s->picking && key != 27 && key != KEY_MOUSE) {
		const char *name = keyname(key);
		session_say(s, 3, "%s does nothing here; ? lists the keys", name ? name : "that key");
	}
}

/* ---- the view model ---- */

/* The 1-2-5 value nearest (in ratio) to want, at least 100 us. */
static int64_t session_nice_upc(double want)
{
	int64_t best = 100;
	for (int64_t base = 100; base <= 1000000000LL; base *= 10) {
		const int64_t c[3] = {base, 2 * base, 5 * base};
		for (int i = 0; i < 3; i++)
			if (fabs(log((double)c[i] / want)) < fabs(log((double)best / want)))
				best = c[i];
	}
	return best;
}

/* The zoom until the user picks one: an average message spans SESSION_MESSAGE_COLS columns,
 * so messages read as slanted lines; without latencies, about two seconds across. */
static int64_t session_auto_upc(const session *s, int cols)
{
	double lat = session_avg_latency_s(s);
	if (lat > 0)
		return session_nice_upc(lat * 1e6 / SESSION_MESSAGE_COLS);
	return session_nice_upc(2e6 / cols);
}

grid_rect session_timeline_rect(session *s, const view_model *m)
{
	view_layout lay;
	layout_compute(s->cols, s->rows, m, &lay);
	return lay.timeline;
}

int session_time_cols(session *s, const view_model *m, grid_rect *out)
{
	grid_rect r = session_timeline_rect(s, m);
	if (out)
		*out = r;
	if (r.w <= 0)
		return 0;
	int label = timeline_col_of(m, r, m->t0_us) - r.x;
	if (label < 0 || label >= r.w)
		label = 0;
	return r.w - label;
}

void session_model(session *s, view_model *m)
{
	memset(m, 0, sizeof *m);
	if (s->message[0] && s->message_until > 0 && s->wall_s >= s->message_until)
		s->message[0] = '\0';
	m->keys = keys_view(&m->nkeys);
	m->selected = m->marked = TRACE_NONE;
	m->cursor = TRACE_NONE;
	m->sel_flight = -1;
	m->message = s->message[0] ? s->message : NULL;
	if (!s->h)
		return;
	uint32_t cur = history_cursor(s->h);
	m->sc = s->rs.sc;
	m->sim = history_sim(s->h);
	m->read_only = m->sim == NULL;
	m->trace = history_trace(s->h);
	m->index = history_index(s->h);
	m->cursor = cur ? cur - 1 : TRACE_NONE;
	m->now_us = s->now_us;
	m->seed = s->rs.seed;
	m->selected = s->selected;
	m->marked = s->marked;
	m->sel_proc = s->sel_proc;
	if (s->focus == PANE_MESSAGES)
		session_flight_sync(s);
	m->sel_flight = s->focus == PANE_MESSAGES ? s->sel_flight : -1;
	m->follow = s->follow;
	m->show_vc = s->show_vc;
	m->show_labels = s->show_labels;
	m->logical = s->logical;
	m->hidden_classes = s->hidden_classes;
	m->hidden_procs = s->hidden_procs;
	m->cone = s->cone;
	m->playing = s->playing;
	m->speed = session_speed(s);
	m->manual = m->sim && sim_manual(m->sim);
	m->branched = history_branched(s->h);
	m->focus = s->focus;
	m->help = s->help;
	m->help_scroll = s->help_scroll;
	m->swap_pane = s->swap_pane;
	if (s->inspector_for != s->selected) {  /* a new selection starts at its top */
		s->inspector_for = s->selected;
		s->inspector_scroll = 0;
	}
	m->inspector_scroll = s->inspector_scroll;
	/* the narration scrolls (, and .); a new narration starts at its top */
	int li = -1;
	m->lesson_scroll = 0;
	lesson_text_at(m, &li);
	if (li != s->lesson_for) {
		s->lesson_for = li;
		s->lesson_scroll = 0;
	}
	m->lesson_scroll = s->lesson_scroll;
	if (s->viol_ev != TRACE_NONE && s->viol_ev >= history_end(s->h))
		s->viol_ev = TRACE_NONE;        /* a branch discarded it */
	if (s->viol_ev != TRACE_NONE && m->cursor != TRACE_NONE && m->cursor >= s->viol_ev) {
		m->violation = s->viol_name;
		m->violation_text = s->viol_text;
		m->violation_ev = s->viol_ev;
	}
	if (s->prompt == PROMPT_VARIANT)
		m->menu = session_variant_menu(s);
	else if (s->prompt == PROMPT_BRANCH)
		m->menu = session_branch_menu(s);
	int nact;
	const hist_act *acts = history_actions(s->h, &nact);
	for (int i = 0; i < nact && acts[i].at < cur; i++) {
		if (acts[i].kind == ACT_MANUAL && i == 0 && s->o->manual)
			continue;   /* --manual's own switch is not the user leaving the script */
		if (m->user_acts++ == 0)
			m->user_first_ev = acts[i].at;
	}
	if (s->prompt == PROMPT_CONFIRM) {
		snprintf(s->prompt_line, sizeof s->prompt_line, "you changed this run and did not "
			 "export it: %s anyway? y yes, e export, any other key keeps it ",
			 s->confirm == CONFIRM_QUIT ? "quit" : "open another lesson");
		m->prompt = s->prompt_line;
	} else if (s->prompt != PROMPT_NONE) {
		snprintf(s->prompt_line, sizeof s->prompt_line, "%s%s%s",
			 actions_prompt_label(s, s->prompt), s->input, s->ascii ? "_" : "\u2588");
		m->prompt = s->prompt_line;
	}

	/* The window of time: the views need us_per_col and t0; the width in columns of time
	 * is known only from the layout, so ask it (the lane names take some of the width). */
	m->t0_us = s->t0_us;
	m->us_per_col = s->upc_eff ? s->upc_eff : 10000;
	int cols = session_time_cols(s, m, NULL);
	if (cols < 8)
		cols = 8;
	s->time_cols = cols;
	s->upc_eff = s->us_per_col ? s->us_per_col : session_auto_upc(s, cols);
	m->us_per_col = s->upc_eff;
	if (s->follow) {
		int64_t span = (int64_t)(cols * SESSION_FOLLOW_AT) * s->upc_eff;
		int64_t t0 = s->now_us - span;
		/* whole columns, so the picture does not shimmer as it scrolls */
		t0 = t0 > 0 ? t0 / s->upc_eff * s->upc_eff : 0;
		s->t0_us = t0;
	}
	m->t0_us = s->t0_us;

	/* the narration scrolls no further than its end (so , comes straight back) */
	if (s->lesson_scroll > 0 && s->cols > 0) {
		view_layout lay;
		layout_compute(s->cols, s->rows, m, &lay);
		int w = lay.lesson.w - 4, h = lay.lesson.h - 2;
		int need = w > 0 ? lesson_rows(m, w) : 0;
		int most = need - (h > 0 ? h : 0);
		if (s->lesson_scroll > most)
			s->lesson_scroll = most > 0 ? most : 0;
		m->lesson_scroll = s->lesson_scroll;
	}
}

/* ---- variants (issue 10): the same lesson under another rule ---- */

const char *session_variant_menu(session *s)
{
	const st_scenario *sc = s->rs.sc;
	char *b = s->variant_menu;
	size_t cap = sizeof s->variant_menu, o = 0;
	o += (size_t)snprintf(b + o, cap - o, "%s0 as written\n",
			      sc->variant_in_use < 0 ? "\u25b6" : " ");
	for (int k = 0; k < sc->nvariant && o < cap; k++)
		o += (size_t)snprintf(b + o, cap - o, "%s%d %s: %s\n",
				      sc->variant_in_use == k ? "\u25b6" : " ", k + 1,
				      sc->variant[k].name, sc->variant[k].about);
	return b;
}

/* Run h forward through every event at or before t_us (bounded); false at a violation. */
static bool session_run_to_time(st_history *h, int64_t t_us)
{
	uint32_t ev;
	for (long i = 0; i < 2000000; i++) {
		st_sim *sim = history_sim(h);
		int64_t next = sim_next_us(sim);
		if (next < 0 || next > t_us)
			return true;
		if (sim_violation(sim, &ev))
			return false;
		uint32_t before = history_cursor(h);
		sim_status st = history_step(h);
		if (st == SIM_VIOLATION)
			return false;
		if (history_cursor(h) == before && st == SIM_IDLE)
			return true;
	}
	return true;
}

bool session_switch_variant(session *s, int k)
{
	st_scenario *sc = s->rs.sc;
	if (!s->h || !history_sim(s->h) || s->borrowed) {
		session_say(s, 5, "variants need a lesson run here (not a recorded trace)");
		return false;
	}
	if (k < -1 || k >= sc->nvariant) {
		session_say(s, 4, "no variant %d: this lesson has %d (V lists them)", k + 1,
			    sc->nvariant);
		return false;
	}
	/* what to carry over: the moment shown and the actions taken before it, with times */
	const st_trace *t = history_trace(s->h);
	uint32_t cur = history_cursor(s->h);
	int64_t moment = s->now_us;
	int nact;
	const hist_act *acts = history_actions(s->h, &nact);
	hist_act *keep = nact ? st_alloc((size_t)nact * sizeof *keep) : NULL;
	int64_t *when = nact ? st_alloc((size_t)nact * sizeof *when) : NULL;
	int nkeep = 0;
	for (int i = 0; i < nact; i++) {
		if (acts[i].at > cur)
			break;
		keep[nkeep] = acts[i];
		when[nkeep++] = acts[i].at ? trace_at(t, acts[i].at - 1)->t_us : 0;
	}
	char err[256];
	const char *name = k >= 0 ? sc->variant[k].name : NULL;
	history_free(s->h);
	s->h = NULL;
	scenario_use_variant(sc, name, err, sizeof err);
	sim_opts so = {s->rs.seed, true, s->rs.faults};
	s->h = history_new(sc, &so);
	if (!s->h) {
		free(keep);
		free(when);
		session_say(s, 8, "out of memory setting up the world");
		s->quit = true;
		s->exit_status = EXIT_RUNTIME;
		return false;
	}
	bool ok = true;
	int replayed = 0;
	for (int i = 0; i < nkeep && ok; i++) {
		ok = session_run_to_time(s->h, when[i]);
		if (ok && history_act(s->h, &keep[i]))
			replayed++;
	}
	if (ok)
		ok = session_run_to_time(s->h, moment);
	free(keep);
	free(when);
	/* the view stays (zoom, window, pane); the selection and the violation are the new run's */
	s->viol_ev = TRACE_NONE;
	s->marked = TRACE_NONE;
	s->job.kind = UNTIL_NONE;
	s->playing = false;
	uint32_t now = history_cursor(s->h);
	const st_trace *nt = history_trace(s->h);
	s->selected = now ? session_step_start(s, nt, now - 1) : TRACE_NONE;
	s->now_us = ok ? moment : (now ? trace_at(nt, now - 1)->t_us : 0);
	s->sel_flight = -1;
	s->dirty = true;
	const char *about = k >= 0 ? sc->variant[k].about : "the lesson as written";
	char acts_said[80] = "";
	if (nkeep)
		snprintf(acts_said, sizeof acts_said, "; %d of your %d actions replayed", replayed,
			 nkeep);
	uint32_t ev;
	const st_violation *v = sim_violation(history_sim(s->h), &ev);
	if (!ok && v) {
		if (ev != TRACE_NONE && ev < history_end(s->h))
			session_select(s, ev);
		session_note_violation(s, v, ev);
		session_say(s, 0, "variant %s (%s): invariant violated: %s at e%u, before the moment "
			    "you were at%s", name ? name : "as written", about, s->viol_name, ev,
			    acts_said);
	} else {
		session_say(s, 8, "variant %s: %s; the same moment, t=%.3f s, under this rule%s",
			    name ? name : "as written", about, (double)s->now_us / 1e6, acts_said);
	}
	return true;
}

/* ---- branches (issue 10): the futures acting in the past discarded ---- */

static const char *const session_act_names[ACT__COUNT] = {
	[ACT_PARTITION] = "partition", [ACT_HEAL] = "heal", [ACT_CUT] = "cut",
	[ACT_UNCUT] = "uncut", [ACT_CRASH] = "crash", [ACT_RESTART] = "restart",
	[ACT_PAUSE] = "pause", [ACT_RESUME] = "resume", [ACT_REQUEST] = "request",
	[ACT_LOSS] = "loss", [ACT_DUPLICATE_RATE] = "duplication", [ACT_LATENCY] = "latency",
	[ACT_MSG_DROP] = "drop", [ACT_MSG_DELIVER] = "deliver", [ACT_MSG_DUP] = "duplicate",
	[ACT_MSG_DELAY] = "delay", [ACT_FIRE_TIMER] = "fire timer", [ACT_MANUAL] = "manual",
	[ACT_CLOCK] = "clock",
};

const char *session_branch_menu(session *s)
{
	char *b = s->variant_menu;
	size_t cap = sizeof s->variant_menu, o = 0;
	int n;
	const hist_branch_info *br = history_branches(s->h, &n);
	o += (size_t)snprintf(b + o, cap - o, "Kept branches, newest first (the run you leave "
			      "is kept in its turn):\n");
	for (int i = n - 1, k = 1; i >= 0 && o < cap; i--, k++) {
		char what[64] = "no action of yours";
		if (br[i].last.kind > 0 && br[i].last.kind < ACT__COUNT) {
			char who[16] = "";
			if (br[i].last.proc >= 0 && br[i].last.proc < s->rs.sc->nprocs &&
			    br[i].last.kind != ACT_MANUAL && br[i].last.kind != ACT_HEAL)
				scenario_proc_name(s->rs.sc, br[i].last.proc, who, sizeof who);
			snprintf(what, sizeof what, "last action: %s %s at e%u",
				 session_act_names[br[i].last.kind], who, br[i].last.at);
		}
		o += (size_t)snprintf(b + o, cap - o, "%d from e%u to e%u (t=%.3f s), %s\n", k,
				      br[i].fork, br[i].end, (double)br[i].end_us / 1e6, what);
	}
	return b;
}

/* ---- the messages pane's selection (issue 10) ---- */

#define SESSION_MAX_FLIGHTS 512

void session_flight_sync(session *s)
{
	if (!s->h || !history_sim(s->h))
		return;
	static sim_flight f[SESSION_MAX_FLIGHTS];
	int n = sim_inflight(history_sim(s->h), f, SESSION_MAX_FLIGHTS);
	if (s->sel_msg != TRACE_NONE)
		for (int i = 0; i < n; i++)
			if (f[i].msg == s->sel_msg && f[i].slot == s->sel_slot) {
				s->sel_flight = i;
				return;
			}
	if (n == 0 || s->sel_flight < 0) {
		s->sel_msg = TRACE_NONE;
		if (n == 0)
			s->sel_flight = s->sel_flight >= 0 ? 0 : -1;
		return;
	}
	if (s->sel_flight >= n)
		s->sel_flight = n - 1;
	s->sel_msg = f[s->sel_flight].msg;
	s->sel_slot = f[s->sel_flight].slot;
}

void session_flight_pick(session *s, int i)
{
	s->sel_flight = i;
	s->sel_msg = TRACE_NONE;
	session_flight_sync(s);
}
