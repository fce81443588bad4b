/* sim.h: the deterministic world.
 *
 * The simulator owns virtual time (integer microseconds), one event queue ordered by (time,
 * sequence number), one seeded PRNG, the processes and their protocol states, and the network
 * (latency range, loss, duplication, partitions as a blocked matrix). One step pops the next
 * queue item that does something (a delivery, a timer, a scheduled action, a client's next
 * operation) and runs it to completion, appending its events to the trace with their clocks.
 * Given the same scenario, seed and actions, two runs append byte-identical traces.
 *
 * Everything the world is lives in plain arrays, so sim_save() is a copy and sim_load() puts
 * it back: time travel restores the nearest snapshot and re-executes. */
#ifndef ST_SIM_H
#define ST_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scenario.h"
#include "trace.h"

typedef struct st_sim st_sim;

enum {  /* random faults for --explore and --faults, drawn from the seed */
	FAULT_PARTITION = 1, FAULT_CRASH = 2, FAULT_LOSS = 4, FAULT_DUP = 8, FAULT_PAUSE = 16
};
/* Parse "partition,crash,loss,dup" into a mask; -1 (and a message in err) when a word is
 * unknown. */
int sim_parse_faults(const char *s, char *err, size_t errlen);
/* The mask back as words ("partition,crash"), for the reproduce command. */
void sim_faults_string(int mask, char *out, size_t outlen);

/* The shape of the random faults (net.c), in the manner of TigerBeetle's packet simulator
 * options: when the nemesis first decides and how often after, how long a fault lasts, and
 * the ranges of loss and duplication rates it sets. All zero means the defaults. */
typedef struct {
	int64_t first_lo_us, first_hi_us;
	int64_t gap_lo_us, gap_hi_us;
	int64_t last_lo_us, last_hi_us;
	int loss_lo_pct, loss_hi_pct;
	int dup_lo_pct, dup_hi_pct;
} sim_fault_opts;
void sim_fault_opts_default(sim_fault_opts *fo);

typedef struct {
	uint64_t seed;
	bool check;         /* run the protocol's invariants after every step */
	int faults;         /* FAULT_* mask: which random faults the nemesis may pick */
} sim_opts;

typedef enum { SIM_OK = 0, SIM_IDLE, SIM_VIOLATION } sim_status;

st_sim *sim_new(const st_scenario *sc, const sim_opts *o, st_trace *trace);
/* Shape the random faults (before the first step; sim_new uses the defaults): the first
 * decision moves to a time drawn from the new window. */
void sim_set_fault_opts(st_sim *s, const sim_fault_opts *fo);
void sim_free(st_sim *s);

sim_status sim_step(st_sim *s);
sim_status sim_run_steps(st_sim *s, uint64_t steps);
/* Run every event at or before t_us, then set the clock to t_us. */
sim_status sim_run_until_us(st_sim *s, int64_t t_us);

int64_t sim_now_us(const st_sim *s);
int64_t sim_next_us(const st_sim *s);   /* time of the next queued item, -1 when none */
uint64_t sim_steps(const st_sim *s);
uint32_t sim_events(const st_sim *s);   /* events this world has produced (its trace position) */
/* After SIM_VIOLATION: what and where (the last event of the violating step). */
const st_violation *sim_violation(const st_sim *s, uint32_t *event_id);

/* Processes, for the views. */
typedef enum { PROC_UP = 0, PROC_CRASHED, PROC_PAUSED } sim_proc_status;
sim_proc_status sim_proc_status_of(const st_sim *s, int p);
const void *sim_proc_state(const st_sim *s, int p);
int64_t sim_local_clock_us(const st_sim *s, int p);
/* A pending timer: when it was set and when it fires; false when not pending. */
bool sim_timer(const st_sim *s, int p, int timer, int64_t *set_us, int64_t *fire_us);
bool sim_blocked(const st_sim *s, int from, int to);
/* The partition's groups (group[p], -1 for none; ST_MAX_PROCS entries); 0 when healed. */
int sim_groups(const st_sim *s, int8_t *group);
double sim_loss(const st_sim *s);
double sim_duplicate(const st_sim *s);

/* Messages in flight, in delivery order. */
typedef struct {
	uint32_t msg;
	uint32_t slot;      /* handle for the message actions below */
	int from, to, type;
	int64_t send_us, deliver_us;
	bool doomed;        /* will be dropped on arrival (loss or partition at send) */
} sim_flight;
int sim_inflight(const st_sim *s, sim_flight *out, int max);

/* Actions on the world, by the schedule or the user; each is an event in the trace. */
void sim_partition(st_sim *s, const int8_t *group, int ngroups, st_by by);
void sim_cut(st_sim *s, int from, int to, bool blocked, st_by by);  /* one way */
void sim_heal(st_sim *s, st_by by);
void sim_crash(st_sim *s, int p, st_by by);
void sim_restart(st_sim *s, int p, st_by by);
void sim_pause(st_sim *s, int p, st_by by);
void sim_resume(st_sim *s, int p, st_by by);
void sim_request(st_sim *s, int client, const st_op *op, st_by by);
/* Whether a request to this client would be taken now (it is up, its queue has room). */
bool sim_request_fits(const st_sim *s, int client);
void sim_set_loss(st_sim *s, double rate, st_by by);
void sim_set_duplicate(st_sim *s, double rate, st_by by);
void sim_set_latency(st_sim *s, int64_t lo_us, int64_t hi_us, st_by by);
bool sim_msg_drop(st_sim *s, uint32_t slot, st_by by);
bool sim_msg_deliver_now(st_sim *s, uint32_t slot, st_by by);
bool sim_msg_duplicate(st_sim *s, uint32_t slot, st_by by);
bool sim_msg_delay(st_sim *s, uint32_t slot, int64_t delay_us, st_by by);
/* Find the slot of a message in flight by its id and which of its copies (0 unless it was
 * duplicated: copies count in the order sim_inflight lists them); false when not in flight. */
bool sim_msg_slot(const st_sim *s, uint32_t msg, int copy, uint32_t *slot);

/* Manual mode (the DSLabs / Oddity way): steps run only scheduled actions and client ops;
 * messages are delivered (sim_msg_deliver_now, which then delivers at once) and timers fire
 * (sim_fire_timer) only when chosen. */
void sim_set_manual(st_sim *s, bool manual);
bool sim_manual(const st_sim *s);
bool sim_fire_timer(st_sim *s, int p, int timer, st_by by);

/* Local clocks: set process p's offset from true time (now) and its drift; read them back
 * (the offset now, which drift changes as time passes). */
void sim_set_clock(st_sim *s, int p, int64_t skew_us, int32_t drift_ppm, st_by by);
void sim_clock_of(const st_sim *s, int p, int64_t *skew_us, int32_t *drift_ppm);

/* Snapshots: a malloc'd copy of the whole world; load puts it back (same sim, same
 * scenario). The trace is not part of it. */
void *sim_save(const st_sim *s, size_t *size);
void sim_load(st_sim *s, const void *snap);

/* ---- search (sim_search.c): what an exhaustive search of a small world needs ----
 *
 * A choice is one thing that may happen next in manual mode: deliver or drop a message in
 * flight, fire a pending timer, crash or restart a node, a client request, or the next
 * automatic item (a start, a scheduled action, a workload operation). Applied, each is the
 * user's action (BY_USER), so a trace of a path replays with --replay. */
typedef enum { SIM_CH_DELIVER = 0, SIM_CH_DROP, SIM_CH_TIMER, SIM_CH_CRASH, SIM_CH_RESTART,
	       SIM_CH_REQUEST, SIM_CH_STEP, SIM_CH__COUNT } sim_choice_kind;
typedef struct {
	uint8_t kind;       /* sim_choice_kind */
	uint8_t proc;       /* timer, crash, restart: the process; request: the client */
	uint8_t timer;
	uint8_t pad;
	uint32_t slot;      /* deliver, drop */
} sim_choice;
/* The choices open now, of the kinds whose bit (1 << kind) is in `kinds`, in a fixed order;
 * returns how many there are (only the first max are written). */
int sim_choices(const st_sim *s, unsigned kinds, sim_choice *out, int max);
/* Take a choice (a request sends op); false when it no longer applies. */
bool sim_apply_choice(st_sim *s, const sim_choice *c, const st_op *op);
/* A hash of the world's state for a search's seen-set: the protocol states, the checker's
 * memory, process status, which timers are pending (not when), the partition, the clients'
 * queues, and the messages in flight as a multiset of (from, to, type, body), excluding
 * times, ids, clocks and the PRNG. */
uint64_t sim_fingerprint(const st_sim *s);

/* Compact snapshots for a search frontier: the world as the words that differ from a base
 * image (most of a state is zeros or unchanged: a 49.5 KB process state with a fixed log
 * shrinks to a few hundred bytes). The trace is not part of it; after a decode a streaming
 * trace continues from the decoded world's position (as sim_load_rebase). */
typedef struct sim_base sim_base;
sim_base *sim_base_new(const st_sim *s);
void sim_base_free(sim_base *b);
/* A malloc'd encoding of the world now against b, *nwords 8-byte words long. */
uint64_t *sim_encode(const st_sim *s, const sim_base *b, size_t *nwords);
void sim_decode(st_sim *s, const sim_base *b, const uint64_t *enc);
/* The same, faster for the children of one parent: the checker's memory (tens of KB)
 * changes in few steps, so after a parent is decoded the cache keeps a copy of it and its
 * hash; a child's fingerprint reuses the hash when the memory is unchanged (one memcmp), and
 * going back to the parent copies the memory back only when a child changed it. */
typedef struct sim_search_cache sim_search_cache;
sim_search_cache *sim_search_cache_new(const st_sim *s);
void sim_search_cache_free(sim_search_cache *c);
void sim_search_cache_parent(sim_search_cache *c, const st_sim *s);
uint64_t sim_fingerprint_cached(const st_sim *s, sim_search_cache *c);
void sim_decode_cached(st_sim *s, const sim_base *b, const uint64_t *enc, sim_search_cache *c);
/* sim_load, then a streaming trace (flush set) continues at the loaded world's position: the
 * next event appended gets the id the world expects, not a re-execution of a forgotten past. */
void sim_load_rebase(st_sim *s, const void *snap);

#endif
