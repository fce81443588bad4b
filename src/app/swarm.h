/* swarm.h: the fault engine of --explore: swarm faults, faults at protocol moments, coverage.
 *
 * Each seed draws a plan (swarm testing, after TigerBeetle's VOPR and FoundationDB's
 * simulator): which fault kinds are on, how often they come and how long they last, the time
 * window they fall in, how hard the clients push (extra requests: how many clients, how often),
 * and up to three triggers that tie a fault to a protocol moment (a label stem the protocol
 * writes: "became leader", "append", "vote for"): crash or isolate the process just after it,
 * crash the node whose timer fires next, drop what it just sent. The plan is drawn from the
 * seed with the world's PRNG type, never from the world's own stream, and its faults are
 * applied from outside the world as user actions, each recorded as (step, time, action): the
 * run is then that list, which replays exactly (shrink.c cuts it down) and which the exported
 * trace carries, so --replay re-simulates it.
 *
 * Coverage: when the protocol names an abstract state (st_protocol.abstract), every step's is
 * counted; plans that reached new ones are kept in a corpus and later seeds may mutate them. */
#ifndef ST_SWARM_H
#define ST_SWARM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/rng.h"
#include "core/scenario.h"
#include "core/sim.h"
#include "core/trace_json.h"

typedef enum {
	SW_CRASH = 0, SW_RESTART, SW_PARTITION, SW_HEAL, SW_PAUSE, SW_RESUME, SW_LOSS, SW_DUP,
	SW_REQUEST, SW_DROP, SW__COUNT
} sw_kind;

/* One action injected into a run, at its place: before step `step`, at virtual time at_us. */
typedef struct {
	uint64_t step;
	int64_t at_us;
	uint8_t kind;           /* sw_kind */
	int8_t proc;            /* crash .. resume: the process; request: the client */
	uint8_t copy;           /* drop: which copy */
	uint32_t msg;           /* drop: the message id */
	int64_t value;          /* request: the value; loss, dup: the rate in ppm */
	int8_t group[ST_MAX_PROCS];     /* partition: -1 for processes in no group */
} sw_act;

typedef struct {
	sw_act *a;
	uint32_t n, cap;
} sw_list;

/* What a trigger does when its moment comes. */
typedef enum { TF_CRASH_SELF = 0, TF_ISOLATE_SELF, TF_CRASH_NEXT_TIMER, TF_DROP_SENT,
	       TF_PAUSE_SELF, TF__COUNT } sw_trigger_fault;

#define SW_MAX_TRIG 3
typedef struct {
	uint64_t seed;
	int64_t parent;         /* the seed whose plan this one mutates, -1 when drawn fresh */
	int kinds;              /* FAULT_* mask of the random faults */
	sim_fault_opts fo;      /* first decision, gaps, durations, loss and dup ranges */
	int64_t end_us;         /* no new random fault after this virtual time; 0 = never stop */
	int req_clients;        /* extra requests from the first req_clients clients ... */
	int64_t req_lo_us, req_hi_us;   /* ... each waiting this long between two; 0 = none */
	int ntrig;
	struct {
		int moment;         /* index into the moments table */
		int fault;          /* sw_trigger_fault */
		int64_t delay_us;   /* 0: at once, after the step */
		int64_t last_us;    /* how long a crash, isolation or pause lasts */
		int times;          /* how many times it may fire in a run */
	} trig[SW_MAX_TRIG];
} sw_plan;

#define SW_MAX_MOMENTS 48
typedef struct {
	const st_scenario *sc;
	int base_kinds;         /* the fault kinds a plan may turn on */
	char moments[SW_MAX_MOMENTS][32];   /* label stems, in order of first sight */
	int nmoments;
	/* coverage: abstract states seen (open addressing, 0 = empty) */
	uint64_t *seen;
	uint32_t seen_cap, nseen;
	/* the corpus: plans that reached new abstract states */
	sw_plan *corpus;
	uint32_t ncorpus, corpus_cap;
} sw_engine;

typedef struct {
	sim_status status;
	char invariant[64];
	char detail[200];
	uint32_t viol_ev;
	uint64_t steps;
	uint32_t events;
	uint32_t new_states;    /* abstract states this run reached first */
	uint32_t requests;      /* extra client requests injected */
	bool export_ok;
	char export_err[512];
} sw_result;

void sw_engine_init(sw_engine *e, const st_scenario *sc, int base_kinds);
void sw_engine_free(sw_engine *e);
/* Learn the protocol's moments: the label stems of one fault-free run of the scenario. */
void sw_learn_moments(sw_engine *e, uint64_t steps);
/* The plan of a seed: drawn fresh, or (when the corpus has plans) maybe a mutant of one. */
void sw_plan_for(sw_engine *e, uint64_t seed, sw_plan *p);
/* One line describing the plan (the "mix"). */
void sw_plan_describe(const sw_engine *e, const sw_plan *p, char *out, size_t n);

/* Run a seed under a plan, recording what was injected into rec (which may be NULL), or
 * (plan NULL) replay the actions of `replay` whose keep[i] is true (keep NULL: all). Stops at
 * max_steps, a violation, or when nothing is left to happen. With export_path, the trace is
 * written there (res->export_ok says whether it was, res->export_err why not). */
/* How a run decides it failed: the world's invariant check after every step (fast, and the
 * first moment the state is wrong), or the protocol's trace checker fed every event, the
 * check --verify runs (the world's check off, so the run goes on until the trace shows it). */
typedef enum { SW_CHECK_STATE = 0, SW_CHECK_TRACE } sw_check;

void sw_run(sw_engine *e, sw_check how, uint64_t seed, const sw_plan *plan, const sw_list *replay,
	    const bool *keep, uint64_t max_steps, const char *export_path, const tj_meta *meta,
	    sw_list *rec, sw_result *res);

void sw_list_free(sw_list *l);
/* How many actions of a list (kept ones, keep NULL = all) are client requests. */
uint32_t sw_list_requests(const sw_list *l, const bool *keep);

#endif
