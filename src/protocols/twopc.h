/* twopc.h: the types of the two-phase commit protocol, shared by twopc.c, twopc_check.c and
 * the unit test. Plain fixed-size data, copied into world snapshots byte for byte. */
#ifndef ST_TWOPC_H
#define ST_TWOPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol.h"

#define TWOPC_COORD 0           /* n1 coordinates; n2.. are the participants */
#define TWOPC_LOG 16            /* decision records the coordinator keeps until all acked */
#define TWOPC_BLOCKED_ASKS 3     /* asks after which a participant's wait is a milestone */
#define TWOPC_CK_TXNS 128       /* transactions the checker remembers (a ring by txn id) */
#define TWOPC_CK_PROCS 64       /* nodes the checker's vote and outcome masks cover */

typedef enum {
	TWOPC_P_NO_PERCENT = 0, TWOPC_P_NO_TXN, TWOPC_P_WORK, TWOPC_P_VOTE_TIMEOUT, TWOPC_P_ASK,
	TWOPC_P_LOG_WRITE, TWOPC_P_GAP, TWOPC_P_RESEND, TWOPC_P_BUG, TWOPC_P__COUNT
} twopc_param;

typedef enum { TWOPC_BUG_NONE = 0, TWOPC_BUG_UNILATERAL, TWOPC_BUG_NO_LOG } twopc_bug;

typedef enum {
	TWOPC_T_NEXT = 0,       /* coordinator: start the next transaction */
	TWOPC_T_VOTES,          /* coordinator: stop waiting for votes */
	TWOPC_T_LOG,            /* coordinator: the forced write of a decision record is done */
	TWOPC_T_RESEND,         /* coordinator: resend decisions not yet acknowledged */
	TWOPC_T_WORK,           /* participant: its part of the transaction is done: vote */
	TWOPC_T_ASK,            /* participant: prepared and still uncertain */
	TWOPC_T__COUNT
} twopc_timer;

typedef enum {
	TWOPC_MSG_PREPARE = 0, TWOPC_MSG_VOTE, TWOPC_MSG_COMMIT, TWOPC_MSG_ABORT, TWOPC_MSG_ACK,
	TWOPC_MSG_ASK, TWOPC_MSG__COUNT
} twopc_msg_type;

typedef enum { TWOPC_NONE = 0, TWOPC_COMMIT = 1, TWOPC_ABORT = 2 } twopc_outcome;

/* coordinator phases */
typedef enum {
	TWOPC_C_IDLE = 0, TWOPC_C_VOTING, TWOPC_C_LOGGING, TWOPC_C_DONE, TWOPC_C_FULL
} twopc_cphase;

/* participant states: working and prepared hold the transaction's locks */
typedef enum {
	TWOPC_S_IDLE = 0, TWOPC_S_WORKING, TWOPC_S_PREPARED, TWOPC_S_COMMITTED, TWOPC_S_ABORTED
} twopc_pstate;

typedef enum { TWOPC_V_NONE = 0, TWOPC_V_YES, TWOPC_V_NO } twopc_vote;

typedef struct {
	int32_t no_percent;
	uint32_t no_txn;
	int64_t work_lo_us, work_hi_us;
	int64_t vote_timeout_us, ask_us, log_write_us, gap_lo_us, gap_hi_us, resend_us;
	int32_t bug;
} twopc_cfg;

/* One record of the coordinator's decision log. */
typedef struct {
	uint32_t txn;
	uint8_t outcome;            /* twopc_outcome; TWOPC_NONE: the slot is free */
	uint8_t pad[3];
	uint32_t acked;             /* bit p: participant p acknowledged the decision */
} twopc_rec;

typedef struct {
	twopc_cfg cfg;
	/* coordinator, persistent (its disk): the last transaction id handed out and the
	 * decision log; a record is kept until every participant acknowledged it */
	uint32_t last_txn;
	twopc_rec log[TWOPC_LOG];
	/* coordinator, volatile */
	uint8_t phase;              /* twopc_cphase */
	uint8_t decided;            /* twopc_outcome of last_txn as decided in memory */
	uint8_t coord;              /* this node is the coordinator (describe() needs it) */
	uint8_t nparts;             /* how many participants (describe() needs it) */
	uint32_t yes, no;           /* votes for last_txn, by process bit */
	uint32_t commits, aborts;   /* decisions made (both roles count their outcomes) */
	/* participant, persistent (its prepare and outcome records) */
	uint32_t txn;               /* the transaction it works on, or last worked on */
	uint8_t state;              /* twopc_pstate */
	uint8_t vote;               /* twopc_vote, its vote in txn */
	uint8_t pad1[2];
	uint32_t asks;              /* times it asked about txn while uncertain */
	uint32_t ops;               /* client: operations refused */
} twopc_state;

/* Every message carries the transaction id; a vote also its yes or no. */
typedef struct {
	uint32_t txn;
	uint8_t yes;
	uint8_t pad[3];
} twopc_msg;

/* The checker's memory of one transaction: who voted how, who committed or aborted it. */
typedef struct {
	uint32_t txn;
	uint32_t used;
	uint64_t yes, no, commit, abort;
} twopc_ck_slot;

typedef struct {
	twopc_ck_slot slot[TWOPC_CK_TXNS];
	uint32_t commits, aborts;   /* the coordinator's decisions seen */
} twopc_checker;

/* twopc_check.c: one event of a step or a trace against the atomicity rules. */
bool twopc_ck_event(twopc_checker *k, int nnodes, const st_tev *e, st_violation *out);
bool twopc_check(void *check_state, const st_param_val *params, const st_view *v,
		 st_violation *out);
void *twopc_trace_check_new(const st_trace_info *info);
bool twopc_trace_check(void *tc, const st_tev *e, st_violation *out);
bool twopc_trace_check_end(void *tc, st_violation *out);
void twopc_trace_check_free(void *tc);
void twopc_trace_check_summary(void *tc, char *buf, size_t n);
#define TWOPC_STATE_FIELDS 3
extern const st_state_field twopc_state_fields[TWOPC_STATE_FIELDS];

/* twopc_class.c: message classes for the diagram */
#define TWOPC_MSG_CLASSES 3
extern const char *const twopc_msg_classes[TWOPC_MSG_CLASSES];
int twopc_msg_class(int from, int type, const void *body, size_t len);
/* twopc_picture.c: the coordinator's votes and decision log, a participant's state and locks */
void twopc_picture(const void *state, st_role role, int self, int nnodes, int nprocs,
                   st_picture *out);

extern const st_protocol twopc_protocol;

#endif
