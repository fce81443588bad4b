/* paxos.h: the types of single-decree Paxos, shared by paxos.c, paxos_check.c and the unit
 * test. Plain fixed-size data, copied into world snapshots byte for byte.
 *
 * Every node is an acceptor and a learner; the first `proposers` nodes (n1 and n2 by default)
 * are proposers too. A ballot is (round, proposer): rounds order ballots, the proposer's index
 * breaks ties, so two proposers never share a ballot. Values are small integers shown as
 * letters: proposer n1 brings "A", n2 "B", and so on. */
#ifndef ST_PAXOS_H
#define ST_PAXOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol.h"

#define PAXOS_CK_BALLOTS 256    /* ballots the live checker remembers (a ring by ballot) */
#define PAXOS_DUEL_ROUNDS 10    /* ballots without a decision before "no value after 10 rounds" */

typedef enum {
	PAXOS_P_PROPOSERS = 0, PAXOS_P_BACKOFF, PAXOS_P_BACKOFF_MS, PAXOS_P_PROPOSE_MS,
	PAXOS_P_TIMEOUT_MS, PAXOS_P_BUG, PAXOS_P_RANDOM_FROM_MS, PAXOS_P__COUNT
} paxos_param;

typedef enum { PAXOS_BUG_NONE = 0, PAXOS_BUG_FORGET_PROMISE, PAXOS_BUG_IGNORE_ACCEPTED } paxos_bug;
typedef enum { PAXOS_BACKOFF_RANDOM = 0, PAXOS_BACKOFF_NONE } paxos_backoff;

typedef enum { PAXOS_T_PROPOSE = 0, PAXOS_T_TIMEOUT, PAXOS_T__COUNT } paxos_timer;
typedef enum {
	PAXOS_MSG_PREPARE = 0, PAXOS_MSG_PROMISE, PAXOS_MSG_ACCEPT, PAXOS_MSG_ACCEPTED,
	PAXOS_MSG_NACK, PAXOS_MSG__COUNT
} paxos_msg_type;

/* A proposer's phase: idle (waiting for its propose timer), gathering promises, gathering
 * acceptances. */
typedef enum { PAXOS_IDLE = 0, PAXOS_PREPARING, PAXOS_ACCEPTING } paxos_phase;

/* Key moments, a milestone the first time each node has one (the `n` key walks them). */
typedef enum {
	PAXOS_F_PREPARE = 1, PAXOS_F_OUTBID = 2, PAXOS_F_PROPOSE = 4, PAXOS_F_ADOPT = 8,
	PAXOS_F_PREEMPTED = 16, PAXOS_F_AGAIN = 32, PAXOS_F_BACKOFF = 64, PAXOS_F_RESTART = 128,
} paxos_first;

/* (round, proposer); round 0 is "no ballot". */
typedef struct {
	uint32_t round;
	int32_t pid;
} paxos_ballot;

typedef struct {
	int32_t proposers;
	int32_t nnodes, nprocs;     /* for names and majorities: only init sees the context */
	uint8_t backoff;            /* paxos_backoff */
	uint8_t bug;                /* paxos_bug */
	uint8_t proposer;           /* this node proposes */
	uint8_t pad;
	int64_t backoff_lo_us, backoff_hi_us;
	int64_t propose_lo_us, propose_hi_us;
	int64_t timeout_us;
	int64_t random_from_us;     /* backoff=none turns random from then on (0: never) */
} paxos_cfg;

typedef struct {
	paxos_cfg cfg;
	/* acceptor: persistent (on disk in a real acceptor), except the promise under
	 * bug=forget-promise */
	paxos_ballot promised;
	paxos_ballot acc_b;
	int32_t acc_v;              /* 0: nothing accepted */
	/* proposer: max_round is persistent, so a restarted proposer never reuses a ballot */
	uint32_t max_round;
	uint8_t phase;              /* paxos_phase */
	uint8_t pad[3];
	paxos_ballot bal;           /* the ballot in progress (or the last one) */
	int32_t value;              /* the value this ballot proposes (phase 2) */
	uint32_t promises, accepts; /* bitmasks of nodes */
	paxos_ballot best_b;        /* the highest accepted ballot the promises reported */
	int32_t best_v;
	uint32_t ballots;           /* ballots started */
	uint32_t undecided;         /* ballots started since this node last learned a value */
	uint32_t firsts;            /* paxos_first bits: which key moments this node has had */
	/* learner: volatile */
	paxos_ballot learn_b;       /* the ballot whose Accepted messages are being counted */
	uint32_t learn_mask;
	int32_t learn_v;
	int32_t chosen;             /* the value learned, 0 none */
	paxos_ballot chosen_b;
} paxos_state;

/* One body for every message type: Prepare {b}, Promise {b, accepted b2 = v}, Accept {b, v},
 * Accepted {b, v}, Nack {b rejected, b2 promised}. */
typedef struct {
	paxos_ballot b;
	paxos_ballot b2;
	int32_t value;
} paxos_msg;

typedef struct {
	paxos_ballot b;
	int32_t value;
	uint32_t mask;              /* acceptors seen accepting it */
} paxos_ck_ballot;

typedef struct {
	paxos_ballot seen[ST_MAX_PROCS];    /* each acceptor's accepted ballot at the last step */
	paxos_ck_ballot tab[PAXOS_CK_BALLOTS];
	int32_t chosen;
	paxos_ballot chosen_b;
} paxos_checker;

/* Ballots. paxos.c */
int paxos_ballot_cmp(paxos_ballot a, paxos_ballot b);
/* "3.n1", or "-" for no ballot. */
typedef struct { char s[24]; } paxos_bstr;
paxos_bstr paxos_ballot_str(paxos_ballot b);
/* "A".."Z", or "-" for 0. */
typedef struct { char s[8]; } paxos_vstr;
paxos_vstr paxos_value_str(int32_t v);
int paxos_majority(int nnodes);
int paxos_popcount(uint32_t m);

/* The invariants. paxos_check.c */
bool paxos_check(void *check_state, const st_param_val *params, const st_view *v,
		 st_violation *out);
void *paxos_trace_check_new(const st_trace_info *info);
bool paxos_trace_check(void *tc, const st_tev *e, st_violation *out);
bool paxos_trace_check_end(void *tc, st_violation *out);
void paxos_trace_check_free(void *tc);
void paxos_trace_check_summary(void *tc, char *buf, size_t n);
#define PAXOS_STATE_FIELDS 5
extern const st_state_field paxos_state_fields[PAXOS_STATE_FIELDS];

/* paxos_class.c: message classes for the diagram */
#define PAXOS_MSG_CLASSES 3
extern const char *const paxos_msg_classes[PAXOS_MSG_CLASSES];
int paxos_msg_class(int from, int type, const void *body, size_t len);
/* paxos_picture.c: an acceptor's promise and accepted (ballot, value), a proposer's ballot and promises, the value learned */
void paxos_picture(const void *state, st_role role, int self, int nnodes, int nprocs,
                   st_picture *out);

extern const st_protocol paxos_protocol;

#endif
