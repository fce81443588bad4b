/* history.c: a run you can rewind (see history.h).
 *
 * Positions are event counts. The world can be rebuilt exactly at an op boundary: the first
 * event of a step or of an action carries EVF_STEP. Snapshots are taken at boundaries every
 * HIST_SNAP_EVENTS events while the run moves forward, so reaching any earlier position costs
 * one snapshot copy plus at most that many events of re-execution; re-execution over recorded
 * events writes nothing (sim.c checks the trace position).
 *
 * The history also owns the index of its trace (trace_index.h): it is extended after every
 * step and action, and cut back with the trace when a branch discards the old future, so
 * views can always read it as complete. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/mem.h"
#include "history.h"

#define HIST_SNAP_EVENTS 16384u
#define HIST_MAX_BRANCHES 16u   /* discarded futures kept (the oldest goes first) */

typedef struct {
	uint32_t at;        /* trace position when taken */
	int nact;           /* actions applied before it */
	void *blob;
	size_t size;
} hist_snap;

struct st_history {
	const st_scenario *sc;
	sim_opts o;
	st_trace *tr;
	st_sim *sim;
	uint32_t cursor;
	bool branched;
	hist_act *act; int nact; unsigned act_cap;
	int next_act;       /* the next logged action the world has not applied yet */
	hist_snap *snap; unsigned nsnap, snap_cap;
	trace_index *ix;    /* what holds at every position of tr */
	/* Futures thrown away by acting in the past (or by undo), kept as what makes them: the
	 * run is deterministic, so an action log and an end position are the whole future. */
	hist_branch_info *br; unsigned nbr, br_cap;
	hist_act **br_act;  /* br_act[i]: branch i's whole action log (br[i].nact entries) */
};

static void hist_snapshot(st_history *h)
{
	st_grow32(&h->snap, &h->snap_cap, (size_t)h->nsnap + 1, sizeof *h->snap);
	hist_snap *s = &h->snap[h->nsnap++];
	s->at = sim_events(h->sim);
	s->nact = h->next_act;
	s->blob = sim_save(h->sim, &s->size);
}

st_history *history_new(const st_scenario *sc, const sim_opts *o)
{
	st_history *h = st_zalloc(1, sizeof *h);
	h->sc = sc;
	h->o = *o;
	h->tr = trace_new(sc->name, sc->protocol, o->seed, sc->nnodes, sc->nclients, NULL);
	h->sim = h->tr ? sim_new(sc, o, h->tr) : NULL;
	if (!h->sim) {
		history_free(h);
		return NULL;
	}
	h->ix = trace_index_new(h->tr, sc);
	trace_index_sync(h->ix);
	hist_snapshot(h);
	return h;
}

st_history *history_open_trace(st_trace *t)
{
	st_history *h = st_zalloc(1, sizeof *h);
	h->tr = t;
	h->ix = trace_index_new(t, NULL);
	trace_index_sync(h->ix);
	return h;
}

void history_free(st_history *h)
{
	if (!h)
		return;
	for (unsigned i = 0; i < h->nsnap; i++)
		free(h->snap[i].blob);
	free(h->snap);
	trace_index_free(h->ix);
	free(h->act);
	for (unsigned i = 0; i < h->nbr; i++)
		free(h->br_act[i]);
	free(h->br);
	free(h->br_act);
	sim_free(h->sim);
	trace_free(h->tr);
	free(h);
}

st_sim *history_sim(const st_history *h) { return h->sim; }
st_trace *history_trace(const st_history *h) { return h->tr; }
const trace_index *history_index(const st_history *h) { return h->ix; }
void history_set_lessons(st_history *h, const st_scenario *sc) { trace_index_set_lessons(h->ix, sc); }
uint32_t history_end(const st_history *h) { return trace_count(h->tr); }
uint32_t history_cursor(const st_history *h) { return h->cursor; }
bool history_at_end(const st_history *h) { return h->cursor >= trace_count(h->tr); }
bool history_branched(const st_history *h) { return h->branched; }

const hist_act *history_actions(const st_history *h, int *n)
{
	*n = h->nact;
	return h->act;
}

size_t history_snapshot_bytes(const st_history *h, int *count)
{
	size_t n = 0;
	for (unsigned i = 0; i < h->nsnap; i++)
		n += h->snap[i].size;
	if (count)
		*count = (int)h->nsnap;
	return n;
}

size_t history_bytes(const st_history *h)
{
	return trace_bytes(h->tr) + history_snapshot_bytes(h, NULL) + trace_index_bytes(h->ix) +
	       (size_t)h->act_cap * sizeof *h->act;
}

/* Apply one action to the world; false when it does not apply. Table-driven by kind. */
typedef bool (*act_fn)(st_sim *s, const hist_act *a);
static bool act_partition(st_sim *s, const hist_act *a)
{ sim_partition(s, a->group, a->ngroups, BY_USER); return true; }
static bool act_heal(st_sim *s, const hist_act *a) { (void)a; sim_heal(s, BY_USER); return true; }
static bool act_cut(st_sim *s, const hist_act *a)
{ sim_cut(s, a->proc, a->to, true, BY_USER); return true; }
static bool act_uncut(st_sim *s, const hist_act *a)
{ sim_cut(s, a->proc, a->to, false, BY_USER); return true; }
static bool act_crash(st_sim *s, const hist_act *a)
{
	if (sim_proc_status_of(s, a->proc) == PROC_CRASHED)
		return false;
	sim_crash(s, a->proc, BY_USER);
	return true;
}
static bool act_restart(st_sim *s, const hist_act *a)
{
	if (sim_proc_status_of(s, a->proc) != PROC_CRASHED)
		return false;
	sim_restart(s, a->proc, BY_USER);
	return true;
}
static bool act_pause(st_sim *s, const hist_act *a)
{
	if (sim_proc_status_of(s, a->proc) != PROC_UP)
		return false;
	sim_pause(s, a->proc, BY_USER);
	return true;
}
static bool act_resume(st_sim *s, const hist_act *a)
{
	if (sim_proc_status_of(s, a->proc) != PROC_PAUSED)
		return false;
	sim_resume(s, a->proc, BY_USER);
	return true;
}
static bool act_request(st_sim *s, const hist_act *a)
{
	uint32_t before = sim_events(s);
	sim_request(s, a->proc, &a->op, BY_USER);
	return sim_events(s) != before;
}
static bool act_loss(st_sim *s, const hist_act *a) { sim_set_loss(s, a->rate, BY_USER); return true; }
static bool act_dup_rate(st_sim *s, const hist_act *a)
{ sim_set_duplicate(s, a->rate, BY_USER); return true; }
static bool act_latency(st_sim *s, const hist_act *a)
{ sim_set_latency(s, a->a_us, a->b_us, BY_USER); return true; }
static bool act_msg(st_sim *s, const hist_act *a)
{
	uint32_t slot;
	if (!sim_msg_slot(s, a->msg, a->copy, &slot))
		return false;
	switch (a->kind) {
	case ACT_MSG_DROP: return sim_msg_drop(s, slot, BY_USER);
	case ACT_MSG_DELIVER: return sim_msg_deliver_now(s, slot, BY_USER);
	case ACT_MSG_DUP: return sim_msg_duplicate(s, slot, BY_USER);
	default: return sim_msg_delay(s, slot, a->a_us, BY_USER);
	}
}
static bool act_fire(st_sim *s, const hist_act *a) { return sim_fire_timer(s, a->proc, a->timer, BY_USER); }
static bool act_manual(st_sim *s, const hist_act *a)
{
	if (sim_manual(s) == (a->proc != 0))
		return false;
	sim_set_manual(s, a->proc != 0);
	return true;
}

static bool act_clock(st_sim *s, const hist_act *a)
{
	sim_set_clock(s, a->proc, a->a_us, (int32_t)a->b_us, BY_USER);
	return true;
}

static const act_fn act_table[ACT__COUNT] = {
	[ACT_PARTITION] = act_partition, [ACT_HEAL] = act_heal, [ACT_CUT] = act_cut,
	[ACT_UNCUT] = act_uncut, [ACT_CRASH] = act_crash, [ACT_RESTART] = act_restart,
	[ACT_PAUSE] = act_pause, [ACT_RESUME] = act_resume, [ACT_REQUEST] = act_request,
	[ACT_LOSS] = act_loss, [ACT_DUPLICATE_RATE] = act_dup_rate, [ACT_LATENCY] = act_latency,
	[ACT_MSG_DROP] = act_msg, [ACT_MSG_DELIVER] = act_msg, [ACT_MSG_DUP] = act_msg,
	[ACT_MSG_DELAY] = act_msg, [ACT_FIRE_TIMER] = act_fire, [ACT_MANUAL] = act_manual,
	[ACT_CLOCK] = act_clock,
};

/* Whether an action would change the world now: checked before acting in the past, so a
 * branch is only started by an action that happens (the old future is not thrown away for
 * a crash of a process already down). */
static bool hist_can(const st_sim *s, const hist_act *a)
{
	uint32_t slot;
	int64_t set, fire;
	switch (a->kind) {
	case ACT_CRASH: return sim_proc_status_of(s, a->proc) != PROC_CRASHED;
	case ACT_RESTART: return sim_proc_status_of(s, a->proc) == PROC_CRASHED;
	case ACT_PAUSE: return sim_proc_status_of(s, a->proc) == PROC_UP;
	case ACT_RESUME: return sim_proc_status_of(s, a->proc) == PROC_PAUSED;
	case ACT_REQUEST: return sim_request_fits(s, a->proc);
	case ACT_MSG_DROP: case ACT_MSG_DELIVER: case ACT_MSG_DUP: case ACT_MSG_DELAY:
		return sim_msg_slot(s, a->msg, a->copy, &slot);
	case ACT_FIRE_TIMER:
		return sim_proc_status_of(s, a->proc) == PROC_UP &&
		       sim_timer(s, a->proc, a->timer, &set, &fire);
	case ACT_MANUAL: return sim_manual(s) != (a->proc != 0);
	default: return a->kind > 0 && a->kind < ACT__COUNT;
	}
}

static bool hist_apply(st_history *h, const hist_act *a)
{
	if (a->kind <= 0 || a->kind >= ACT__COUNT || !act_table[a->kind])
		return false;
	return act_table[a->kind](h->sim, a);
}

/* Run the world forward to position target (a boundary), applying logged actions where they
 * were taken. */
static void hist_run_to(st_history *h, uint32_t target)
{
	while (sim_events(h->sim) < target) {
		uint32_t pos = sim_events(h->sim);
		if (h->next_act < h->nact && h->act[h->next_act].at == pos) {
			hist_apply(h, &h->act[h->next_act++]);
			continue;
		}
		if (sim_step(h->sim) == SIM_IDLE)
			break;
	}
}

/* The boundary at or before position n: the world can stand exactly there. */
static uint32_t hist_boundary(const st_history *h, uint32_t n)
{
	uint32_t end = trace_count(h->tr);
	if (n >= end)
		return end;
	while (n > 0 && !(trace_at(h->tr, n)->flags & EVF_STEP))
		n--;
	return n;
}

void history_seek(st_history *h, uint32_t n)
{
	uint32_t end = trace_count(h->tr);
	if (n > end)
		n = end;
	if (!h->sim) {
		h->cursor = n;
		return;
	}
	uint32_t b = hist_boundary(h, n);
	uint32_t pos = sim_events(h->sim);
	if (pos != b) {
		/* going forward a little: just run; otherwise restore the nearest snapshot */
		if (!(pos < b && b - pos <= HIST_SNAP_EVENTS)) {
			int k = (int)h->nsnap - 1;
			while (k > 0 && h->snap[k].at > b)
				k--;
			sim_load(h->sim, h->snap[k].blob);
			h->next_act = h->snap[k].nact;
		}
		hist_run_to(h, b);
	}
	h->cursor = n;
}

/* Keep the future about to be discarded (from fork on) in the branch list. */
static void hist_keep_branch(st_history *h, uint32_t fork)
{
	uint32_t end = trace_count(h->tr);
	if (fork >= end)
		return;
	if (h->nbr == HIST_MAX_BRANCHES) {
		free(h->br_act[0]);
		memmove(h->br, h->br + 1, (h->nbr - 1) * sizeof *h->br);
		memmove(h->br_act, h->br_act + 1, (h->nbr - 1) * sizeof *h->br_act);
		h->nbr--;
	}
	unsigned cap = h->br_cap;
	st_grow32(&h->br, &cap, (size_t)h->nbr + 1, sizeof *h->br);
	st_grow32(&h->br_act, &h->br_cap, (size_t)h->nbr + 1, sizeof *h->br_act);
	hist_branch_info *b = &h->br[h->nbr];
	b->fork = fork;
	b->end = end;
	b->end_us = trace_at(h->tr, end - 1)->t_us;
	b->nact = h->nact;
	b->last = h->nact ? h->act[h->nact - 1] : (hist_act){0};
	h->br_act[h->nbr] = st_alloc((size_t)(h->nact ? h->nact : 1) * sizeof *h->act);
	if (h->nact)
		memcpy(h->br_act[h->nbr], h->act, (size_t)h->nact * sizeof *h->act);
	h->nbr++;
}

/* Discard everything after the world's position: the old future (kept as a branch). */
static void hist_branch(st_history *h)
{
	uint32_t pos = sim_events(h->sim);
	if (pos >= trace_count(h->tr))
		return;
	hist_keep_branch(h, pos);
	trace_truncate(h->tr, pos);
	trace_index_truncate(h->ix, pos);
	while (h->nact > 0 && h->act[h->nact - 1].at >= pos)
		h->nact--;
	if (h->next_act > h->nact)
		h->next_act = h->nact;
	while (h->nsnap > 1 && h->snap[h->nsnap - 1].at > pos) {
		free(h->snap[h->nsnap - 1].blob);
		h->nsnap--;
	}
	h->branched = true;
}

static void hist_maybe_snapshot(st_history *h)
{
	if (sim_events(h->sim) - h->snap[h->nsnap - 1].at >= HIST_SNAP_EVENTS)
		hist_snapshot(h);
}

sim_status history_step(st_history *h)
{
	uint32_t end = trace_count(h->tr);
	h->branched = false;    /* said once, at the action that branched */
	if (!h->sim) {          /* a recorded trace: stepping moves through it */
		if (h->cursor >= end)
			return SIM_IDLE;
		h->cursor++;
		return SIM_OK;
	}
	if (h->cursor < end) {
		history_seek(h, h->cursor + 1);
		return SIM_OK;
	}
	/* at the end: the world must be at the end too */
	if (sim_events(h->sim) != end)
		history_seek(h, end);
	sim_status st = sim_step(h->sim);
	trace_index_sync(h->ix);
	h->cursor = trace_count(h->tr);
	hist_maybe_snapshot(h);
	return st;
}

uint32_t history_act_point(const st_history *h)
{
	uint32_t end = trace_count(h->tr), n = h->cursor;
	while (n < end && n > 0 && !(trace_at(h->tr, n)->flags & EVF_STEP))
		n++;
	return n;
}

bool history_act(st_history *h, const hist_act *a)
{
	if (!h->sim)
		return false;   /* a recorded trace cannot be changed */
	if (h->cursor < trace_count(h->tr) || sim_events(h->sim) != trace_count(h->tr)) {
		/* right after the event shown: the end of its step, where the world can stand */
		history_seek(h, history_act_point(h));
		if (!hist_can(h->sim, a))
			return false;
		hist_branch(h);
	}
	hist_act rec = *a;
	rec.at = sim_events(h->sim);
	bool ok = hist_apply(h, &rec);
	trace_index_sync(h->ix);    /* even a refused action may have recorded nothing new */
	if (!ok) {
		h->cursor = trace_count(h->tr);
		return false;
	}
	st_grow32(&h->act, &h->act_cap, (size_t)h->nact + 1, sizeof *h->act);
	h->act[h->nact++] = rec;
	h->next_act = h->nact;
	h->cursor = trace_count(h->tr);
	hist_maybe_snapshot(h);
	return true;
}

/* ---- branches and undo -------------------------------------------------------------------- */

const hist_branch_info *history_branches(const st_history *h, int *n)
{
	*n = (int)h->nbr;
	return h->br;
}

/* Run the world (at the end of the record) forward, recording, to position target, applying
 * the logged actions where they were taken: how a kept future is made again. */
static void hist_regrow(st_history *h, uint32_t target)
{
	while (sim_events(h->sim) < target) {
		uint32_t pos = sim_events(h->sim);
		if (h->next_act < h->nact && h->act[h->next_act].at <= pos) {
			hist_apply(h, &h->act[h->next_act++]);
		} else if (sim_step(h->sim) != SIM_OK && sim_events(h->sim) == pos) {
			break;
		}
		trace_index_sync(h->ix);
		hist_maybe_snapshot(h);
	}
	trace_index_sync(h->ix);
	h->cursor = trace_count(h->tr);
}

bool history_restore_branch(st_history *h, int i, uint32_t at)
{
	if (!h->sim || i < 0 || (unsigned)i >= h->nbr)
		return false;
	hist_branch_info b = h->br[i];
	hist_act *log = h->br_act[i];
	/* out of the list: it is about to become the present */
	memmove(h->br + i, h->br + i + 1, (h->nbr - (unsigned)i - 1) * sizeof *h->br);
	memmove(h->br_act + i, h->br_act + i + 1, (h->nbr - (unsigned)i - 1) * sizeof *h->br_act);
	h->nbr--;
	/* the two runs agree up to the first action they do not share (and the fork) */
	uint32_t common = b.fork;
	int j = 0;
	while (j < h->nact && j < b.nact && memcmp(&h->act[j], &log[j], sizeof *log) == 0)
		j++;
	if (j < h->nact && h->act[j].at < common)
		common = h->act[j].at;
	if (j < b.nact && log[j].at < common)
		common = log[j].at;
	history_seek(h, common);
	common = sim_events(h->sim);    /* a boundary at or before it */
	hist_branch(h);                 /* the present future joins the list */
	h->branched = false;
	/* the kept log becomes the log; what the world has applied so far is the same */
	st_grow32(&h->act, &h->act_cap, (size_t)(b.nact ? b.nact : 1), sizeof *h->act);
	if (b.nact)
		memcpy(h->act, log, (size_t)b.nact * sizeof *log);
	h->nact = b.nact;
	h->next_act = 0;
	while (h->next_act < h->nact && h->act[h->next_act].at < common)
		h->next_act++;
	free(log);
	hist_regrow(h, b.end);
	history_seek(h, at < b.end ? at : b.end);
	return true;
}

bool history_undo(st_history *h)
{
	if (!h->sim || h->nact == 0)
		return false;
	uint32_t at = h->act[h->nact - 1].at;
	history_seek(h, at);
	if (sim_events(h->sim) != at)
		return false;   /* actions sit on boundaries: this cannot happen */
	/* keep the whole present (the action and what followed) as a branch, then cut */
	if (at < trace_count(h->tr)) {
		hist_branch(h);
	} else {
		hist_keep_branch(h, at);
		h->nact--;
	}
	if (h->nact > 0 && h->act[h->nact - 1].at >= at)
		h->nact--;
	h->next_act = h->nact;
	h->cursor = trace_count(h->tr);
	h->branched = false;
	return true;
}
