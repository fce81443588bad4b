/* sim_internal.h: what the files of the simulator share, and nothing outside them sees.
 *
 * The world is one struct (st_sim) whose mutable part is plain data, split along its seams:
 *   sim.c        recording events, stepping, the processes' actions, the schedule
 *   sim_queue.c  the event queue, a binary heap on (time, sequence number)
 *   net.c        the network: messages in flight (a slot pool), latency, loss, duplication,
 *                partitions and one-way cuts, message actions, and the random faults of
 *                --explore with their options (sim_fault_opts)
 *   sim_ctx.c    the protocol's context: send, timers, labels (the simulator owns their
 *                priority), local steps, completing client operations
 *   sim_snap.c   snapshots: the world saved and restored as bytes
 * Only these files include this header. */
#ifndef ST_SIM_INTERNAL_H
#define ST_SIM_INTERNAL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/mem.h"
#include "rng.h"
#include "sim.h"

enum { Q_START = 1, Q_DELIVER, Q_TIMER, Q_SCHED, Q_CLIENT, Q_FAULT };
enum { FA_DECIDE = 0, FA_HEAL, FA_RESTART, FA_LOSS_END, FA_DUP_END, FA_RESUME };

typedef struct {
	int64_t t_us;
	uint64_t seq;
	uint32_t arg;       /* slot, schedule index, timer generation, fault target */
	uint16_t aux;       /* timer index, slot generation, fault action */
	uint8_t type;
	uint8_t proc;
} qitem;

enum { SLOT_USED = 1, SLOT_LOST = 2, SLOT_BLOCKED = 4 };
typedef struct {
	uint32_t msg;
	uint32_t lamport;
	int64_t send_us, deliver_us;
	uint16_t len, gen;
	uint8_t from, to, type, flags;
	/* followed by uint32_t vc[nprocs], then the body */
} slot_hdr;

#define CLIENT_QUEUE 8
typedef struct {
	uint32_t gen;
	bool pending;
	int64_t set_us, fire_us;
} sim_timer_t;

typedef struct {
	bool busy;
	st_op cur;              /* the operation in progress while busy */
	int ops_done, ops_started;
	int64_t next_value;
	int npend;
	st_op pend[CLIENT_QUEUE];
	uint8_t pend_by[CLIENT_QUEUE];
} sim_client;

/* Everything the world is, apart from the arrays below. */
typedef struct {
	int64_t now_us;
	uint64_t seq, steps;
	st_rng rng;
	double loss, dup;
	int64_t lat_lo, lat_hi;
	uint32_t blocked[ST_MAX_PROCS];   /* bit b of blocked[a]: a -> b is cut */
	int8_t group[ST_MAX_PROCS];
	int ngroups;
	uint32_t next_msg, next_ev;
	uint8_t status[ST_MAX_PROCS];
	uint32_t lamport[ST_MAX_PROCS];
	uint64_t state_hash[ST_MAX_PROCS];
	int64_t skew_us[ST_MAX_PROCS];      /* local clocks: offset at t = 0 ... */
	int32_t drift_ppm[ST_MAX_PROCS];    /* ... and rate error, from the scenario or the user */
	sim_timer_t timer[ST_MAX_PROCS][ST_MAX_TIMERS];
	sim_client client[SC_MAX_CLIENTS];
	bool violated;
	bool manual;
	uint32_t viol_ev;
	st_violation viol;
} sim_core;

/* The label a handler has offered so far (sim_ctx.c): the highest priority stands. */
typedef struct {
	bool set, has_text;
	int prio, flags;
	char text[32];
	char note[1024];
} sim_label;

struct st_sim {
	const st_scenario *sc;
	const st_protocol *proto;
	st_trace *tr;
	sim_opts o;
	sim_fault_opts fo;      /* the random faults' shape, defaults filled in */
	int np, nn, nc;
	sim_core c;
	uint32_t *vc;           /* np * np */
	uint8_t *states;        /* np * state_size */
	uint8_t *check;         /* check_size */
	qitem *q; uint32_t nq, qcap;
	qitem *held; uint32_t nheld, heldcap;
	uint8_t *pool; uint32_t nslots, slot_size;
	uint32_t *freel; uint32_t nfree;

	/* transient: the step being run */
	st_ctx ctx[ST_MAX_PROCS];
	uint32_t trigger_ev[ST_MAX_PROCS];  /* the event being handled: labels go here */
	sim_label lbl[ST_MAX_PROCS];
	uint32_t state_ev[ST_MAX_PROCS];    /* where a touched process's state goes */
	bool touched[ST_MAX_PROCS], force_state[ST_MAX_PROCS];
	int depth;
	uint32_t step_first_ev;     /* the first event of the step or action being run */
	bool op_start;          /* the next event begins a step or an action */
	uint8_t *scratch;
	const void *view_states[ST_MAX_PROCS];
	bool view_up[ST_MAX_PROCS];
};

/* sim.c */
bool sim_replaying(const st_sim *s);
uint32_t sim_emit(st_sim *s, int kind, int p, uint32_t ref, st_by by, int aux);
st_event *sim_ev(st_sim *s, uint32_t id);
void sim_set_body(st_sim *s, uint32_t id, const st_kv *kv, int n);
void sim_touch(st_sim *s, int p, uint32_t ev, bool force);
void sim_begin(st_sim *s);
void sim_end(st_sim *s);
void sim_label_event(st_sim *s, uint32_t id, const char *label, const char *note, int flags);
void sim_input(st_sim *s, const char *action, const char *label, const st_kv *body, int n,
	       st_by by);
void sim_client_next(st_sim *s, int p, int64_t delay_us);
_Noreturn void sim_fatal_protocol(st_sim *s, const char *what);
static inline void *sim_state_of(st_sim *s, int p)
{ return s->states + (size_t)p * s->proto->state_size; }

/* sim_queue.c */
void sim_queue_push(st_sim *s, int64_t t_us, int type, int proc, uint16_t aux, uint32_t arg);
qitem sim_queue_pop(st_sim *s);
void sim_queue_remove_at(st_sim *s, uint32_t i);
bool sim_queue_pop_automatic(st_sim *s, qitem *out);
void sim_queue_hold(st_sim *s, const qitem *it);

/* net.c */
void net_send(st_sim *s, int from, int to, int type, const void *body, size_t len);
bool net_run_deliver(st_sim *s, const qitem *it);
bool net_run_fault(st_sim *s, const qitem *it);
bool net_blocked(const st_sim *s, int from, int to);
void net_start_faults(st_sim *s);

/* sim_ctx.c */
extern const struct st_ctx_ops sim_ctx_ops;
void sim_ctx_complete(st_sim *s, int p, const st_op *op, st_optype type);
/* The end of a handler of process p: its standing label goes on the event it handled (or,
 * for a timer, becomes a local step). */
void sim_ctx_handled(st_sim *s, int p);

#endif
