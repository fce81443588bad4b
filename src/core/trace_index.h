/* trace_index.h: what holds at any point of a run, answered from one index.
 *
 * Every pane asks the same questions of the trace at the cursor (or at the left edge of the
 * timeline's window): each process's last recorded state and its status (up, crashed,
 * paused), the network (partition groups, one-way cuts, loss, duplication, latency) and since
 * when it holds, the client operations still open, the milestones before and after, the
 * lesson page that applies. The answers are folds over the whole past, so they are computed
 * once, here, and every view reads them (views keep no caches of their own).
 *
 * How: a forward fold over the events keeps a trace_point (the facts after the events folded
 * so far); every TI_EVERY events a copy of it is kept as a checkpoint, with the messages then
 * in the air. A question about position n copies the checkpoint at or before n and folds the
 * fewer than TI_EVERY events after it. Milestones are a sorted list of event ids (binary
 * search); lesson moments are, per lesson entry, the first event that reaches it.
 *
 * Positions are event counts: the point "at n" holds after events [0, n) have happened, i.e.
 * just before event n. The owner (st_history) extends the index as the trace grows
 * (trace_index_sync) and cuts it back when a branch truncates the trace (trace_index_truncate).
 * It reads the trace it was made for and never changes it; it works the same for a read-only
 * imported trace. Held traces only: a streaming trace that forgets its prefix is not indexed. */
#ifndef ST_TRACE_INDEX_H
#define ST_TRACE_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scenario.h"
#include "trace.h"

#define TI_EVERY 1024u      /* events between checkpoints: bounds the fold per question */

/* A process's status as the trace tells it. */
typedef enum { TI_ABSENT = 0, TI_UP, TI_CRASHED, TI_PAUSED } ti_status;

/* What holds at one position. Plain data: views may copy it and fold their window's events
 * into the copy (trace_index_apply) to follow changes across the screen. */
typedef struct {
	uint32_t at;                         /* events folded: this holds just before event `at` */
	uint32_t state_ev[ST_MAX_PROCS];     /* p's last event carrying a state record, or NONE */
	uint32_t prev_state_ev[ST_MAX_PROCS];/* the state record before that one, or NONE */
	uint32_t op_ev[ST_MAX_PROCS];        /* p's open client operation (its invoke), or NONE */
	uint8_t status[ST_MAX_PROCS];        /* ti_status */
	/* the network */
	uint32_t topo_ev;                    /* the partition or heal the groups come from, or NONE */
	uint32_t part_ev;                    /* the partition in force (topo_ev when it is one) */
	uint32_t cut_ev;                     /* the first one-way cut of those still in force */
	uint32_t cut[ST_MAX_PROCS];          /* one-way cuts: bit b of cut[a], a cannot send to b */
	int32_t loss_ppm, dup_ppm;           /* rates in parts per million, -1 unknown */
	int64_t lat_lo_us, lat_hi_us;        /* the latency range, -1 unknown */
} trace_point;

/* The network of a point, decoded: group[p] is p's group or -1 (reaches everyone); blocked[a]
 * bit b set when a cannot send to b (by the groups or by a cut); since is the event it holds
 * from (the partition, or the first cut still in force), NONE for a whole network. */
typedef struct {
	int ngroups;
	int8_t group[ST_MAX_PROCS];
	uint32_t blocked[ST_MAX_PROCS];
	uint32_t since;
} trace_net;

typedef struct trace_index trace_index;

/* An index of trace t (which must outlive it), empty until synced. The network settings a run
 * starts with are not in the trace: sc gives them (NULL: unknown until an event sets them),
 * and its lesson entries become the moments tracked (see trace_index_set_lessons). */
trace_index *trace_index_new(const st_trace *t, const st_scenario *sc);
void trace_index_free(trace_index *ix);

/* Fold in the events appended since the last call (all of them the first time). */
void trace_index_sync(trace_index *ix);
/* Forget what the index knows from event n on (the trace was cut back to n events). */
void trace_index_truncate(trace_index *ix, uint32_t n);
uint32_t trace_index_count(const trace_index *ix);     /* events folded in */

/* What holds at position n (clamped to the trace); O(TI_EVERY) at worst. */
void trace_index_at(const trace_index *ix, uint32_t n, trace_point *out);
/* Fold event id into pt, by the very rule the index folds by; pt->at becomes id + 1. Folding
 * the events after pt->at in order gives the point after them (a caller that reads only some
 * facts may skip the events that cannot change them). */
void trace_index_apply(const trace_index *ix, trace_point *pt, uint32_t id);
/* A point where nothing has happened and nothing is known (at 0, network unknown). */
void trace_index_point_clear(trace_point *pt);
/* The network of a point. */
void trace_index_net(const trace_index *ix, const trace_point *pt, trace_net *out);

/* The messages in the air at position n: sent before n, not received nor dropped before n.
 * Writes their ids (ascending) into *ids (grown with st_grow32 as needed) and returns how
 * many. */
uint32_t trace_index_in_flight(const trace_index *ix, uint32_t n, uint32_t **ids, unsigned *cap);

/* Milestones: the first milestone event with id >= n, the last with id < n (TRACE_NONE when
 * there is none), and how many there are before n. */
uint32_t trace_index_milestone_next(const trace_index *ix, uint32_t n);
uint32_t trace_index_milestone_prev(const trace_index *ix, uint32_t n);
uint32_t trace_index_milestones_before(const trace_index *ix, uint32_t n);

/* Lesson moments. A lesson entry's "when" is "start", "label:<text>" (a phrase ending in a
 * digit must match the label whole, one without is a prefix: "label:grant vote" matches
 * "grant vote to n1"), "kind:<kind>" or "at_ms:<n>". The entry that applies at position n is
 * the last one reached: start always, a label or kind entry once an event before n matches
 * it, at_ms once now_us (or the time of event n - 1, if later) reaches it. Returns its index
 * in the list, or -1. The rules are copied: sc need not outlive the index. */
void trace_index_set_lessons(trace_index *ix, const st_scenario *sc);
int trace_index_lesson_at(const trace_index *ix, uint32_t n, int64_t now_us);

/* Bytes the index holds (for the benchmark's bytes-per-event figure). */
size_t trace_index_bytes(const trace_index *ix);

#endif
