/* history.h: a run you can rewind.
 *
 * The history owns a world, its trace, a log of the user's actions (each pinned to the event
 * position at which it happened) and periodic snapshots of the world. Stepping forward runs the
 * world; seeking to an earlier event restores the nearest snapshot before it and re-executes
 * steps and logged actions up to it (the trace is never rewritten: re-execution only checks
 * against it). Acting while in the past starts a new branch: the trace, the action log and the
 * snapshots after that point are discarded, and the new action is recorded.
 *
 * It also owns the run's index (trace_index.h), which every view reads.
 *
 * The terminal program and --replay drive a run through this; it is deterministic, so the
 * same scenario, seed and actions give the same trace. */
#ifndef ST_HISTORY_H
#define ST_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim.h"
#include "trace_index.h"

/* The actions a user (or a replayed trace) can take; the same as sim.h's, as data. */
typedef enum {
	ACT_PARTITION = 1, ACT_HEAL, ACT_CUT, ACT_UNCUT, ACT_CRASH, ACT_RESTART, ACT_PAUSE,
	ACT_RESUME, ACT_REQUEST, ACT_LOSS, ACT_DUPLICATE_RATE, ACT_LATENCY,
	ACT_MSG_DROP, ACT_MSG_DELIVER, ACT_MSG_DUP, ACT_MSG_DELAY, ACT_FIRE_TIMER, ACT_MANUAL, ACT_CLOCK,
	ACT__COUNT
} hist_act_kind;

typedef struct {
	hist_act_kind kind;
	uint32_t at;            /* trace position (event count) when it was taken */
	int proc, to;           /* process (crash, pause, request's client, cut from/to);
				   ACT_MANUAL: proc 1 on, 0 off */
	int8_t group[ST_MAX_PROCS];
	int ngroups;
	uint32_t msg;           /* message actions name the message by id ... */
	int copy;               /* ... and which of its copies in flight (0 unless duplicated) */
	int timer;
	int64_t a_us, b_us;     /* delay; latency range; ACT_CLOCK: skew in a_us, drift ppm in b_us */
	double rate;
	st_op op;
} hist_act;

typedef struct st_history st_history;

/* A future that acting in the past (or undo) discarded, kept so it can come back. */
typedef struct {
	uint32_t fork;          /* where it parted from the run it was cut from */
	uint32_t end;           /* how far it had been recorded */
	int64_t end_us;         /* the time it had reached */
	int nact;               /* its action log's length */
	hist_act last;          /* its last action (kind 0: none), to name it in a list */
} hist_branch_info;

st_history *history_new(const st_scenario *sc, const sim_opts *o);
/* A recorded trace that cannot be re-simulated, opened read-only (the history owns it):
 * there is no world (history_sim is NULL), stepping and seeking move through the recorded
 * events, and every action is refused. */
st_history *history_open_trace(st_trace *t);
void history_free(st_history *h);

st_sim *history_sim(const st_history *h);     /* the world at the cursor's step boundary, or
						  NULL for a read-only trace */
st_trace *history_trace(const st_history *h);
/* The index of the trace (what holds at any position): always complete, the history extends
 * it as the run grows and cuts it back when a branch cuts the trace. */
const trace_index *history_index(const st_history *h);
/* The narration whose moments the index tracks: history_new's scenario's; a read-only trace
 * has none until its scenario is given here. */
void history_set_lessons(st_history *h, const st_scenario *sc);
uint32_t history_end(const st_history *h);    /* events recorded */
/* The cursor: how many events have happened in the world shown (0..end). */
uint32_t history_cursor(const st_history *h);
bool history_at_end(const st_history *h);
bool history_branched(const st_history *h);   /* the last action discarded an old future
						  (until the next step) */

/* One step forward: if the cursor is in the past, move it forward through the recorded events
 * one step's worth; at the end, run the world one step. */
sim_status history_step(st_history *h);
/* Move the cursor to event count n (0..end): restores and re-executes as needed. */
void history_seek(st_history *h, uint32_t n);
/* Take an action at the cursor (branching first if the cursor is in the past). Returns false
 * when the action does not apply (crash of a crashed process, a message no longer in flight). */
bool history_act(st_history *h, const hist_act *a);

/* Where an action at the cursor takes effect: right after the event shown, i.e. at the end
 * of the step that event belongs to (the cursor itself when it is on a boundary). */
uint32_t history_act_point(const st_history *h);

/* Branches: the futures discarded so far, oldest first. */
const hist_branch_info *history_branches(const st_history *h, int *n);
/* Make branch i the run again (re-executed from where the two part; the present future is
 * kept as a branch in its turn) and put the cursor at position at (clamped to its end). */
bool history_restore_branch(st_history *h, int i, uint32_t at);
/* Undo the last action: the run goes back to just before it and the present (the action and
 * what followed) is kept as a branch. False when there is no action. */
bool history_undo(st_history *h);

/* Actions taken so far, in order. */
const hist_act *history_actions(const st_history *h, int *n);
/* Bytes held by snapshots (for the benchmark), and how many there are. */
size_t history_snapshot_bytes(const st_history *h, int *count);
/* Bytes the whole record holds: trace, snapshots, index and action log (for a memory cap). */
size_t history_bytes(const st_history *h);

#endif
