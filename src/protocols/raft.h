/* raft.h: Raft's internal types, shared by raft.c (the state machine), raft_check.c (the
 * invariant checkers) and the unit test, which builds states and messages by hand.
 *
 * Everything here is plain fixed-size data with no pointers: a process state is copied byte
 * for byte into world snapshots, and a message body travels as its bytes. Nothing outside the
 * Raft files should include this header; the simulator knows Raft only through raft_protocol. */
#ifndef ST_RAFT_H
#define ST_RAFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol.h"

#define RAFT_LOG_MAX 1024       /* log capacity; a leader with a full log refuses commands */
#define RAFT_BATCH_MAX 32       /* the largest max_batch: entries per AppendEntries */
#define RAFT_CMD_STR 48         /* a command rendered as "c1:write 3", NUL included */

typedef enum { RAFT_FOLLOWER = 0, RAFT_CANDIDATE, RAFT_LEADER } raft_role;

typedef enum {
	RAFT_MSG_REQUEST_VOTE = 0, RAFT_MSG_VOTE_REPLY, RAFT_MSG_APPEND, RAFT_MSG_APPEND_REPLY,
	RAFT_MSG_CLIENT_REQUEST, RAFT_MSG_CLIENT_REPLY, RAFT_MSG__COUNT
} raft_msg_type;

typedef enum { RAFT_T_ELECTION = 0, RAFT_T_HEARTBEAT, RAFT_T_CLIENT, RAFT_T__COUNT } raft_timer;

/* Indexes into the params table (and into the st_param_val array init() receives). */
typedef enum {
	RAFT_P_ELECTION = 0, RAFT_P_HEARTBEAT, RAFT_P_CLIENT_TIMEOUT, RAFT_P_CLIENT_ATTEMPTS,
	RAFT_P_MAX_BATCH, RAFT_P_BUG, RAFT_P__COUNT
} raft_param;

typedef enum { RAFT_BUG_NONE = 0, RAFT_BUG_COMMIT_OLD_TERM } raft_bug;

/* The resolved parameters, in microseconds. Handlers other than init/on_restart are not given
 * the params, so every process keeps its own copy in its state. */
typedef struct {
	int64_t election_lo_us, election_hi_us;
	int64_t heartbeat_us;
	int64_t client_timeout_us;
	int32_t client_attempts;
	int32_t max_batch;
	int32_t bug;                /* raft_bug */
	int32_t pad;
} raft_cfg;

/* A client command: what the log replicates. client is the client's ordinal (c1 = 0), not
 * its process index, so a command renders as "c1:write 3" without knowing the node count. */
typedef struct {
	int64_t value;
	uint32_t invoke;            /* the client's invoke event id: lets the leader answer it */
	uint8_t client;
	uint8_t has_value;
	char f[ST_NAME_MAX];
} raft_cmd;

/* A log entry. hash chains the log: hash(previous entry's hash, term, cmd), computed by each
 * node from its own previous entry, so two logs with equal hashes at index i are identical up
 * to i. The log-matching check relies on it. */
typedef struct {
	raft_cmd cmd;
	uint32_t term;
	uint64_t hash;
} raft_entry;

typedef struct {
	/* persistent: survives a crash */
	uint32_t term;
	int32_t voted_for;          /* node index, -1 for none in this term */
	uint32_t log_len;
	/* volatile */
	uint8_t role;               /* raft_role */
	int32_t leader;             /* who this node believes leads its term, -1 unknown */
	uint32_t commit, applied;
	uint32_t votes;             /* candidate: bit p set when node p granted its vote */
	uint32_t next[ST_MAX_PROCS], match[ST_MAX_PROCS];   /* leader only */
	/* log[0] is a sentinel (term 0, hash 0) so prevLogIndex 0 needs no special case;
	 * entries are log[1..log_len]. */
	raft_entry log[RAFT_LOG_MAX + 1];
} raft_node;

typedef struct {
	int32_t leader;             /* the node it believes leads (its next first guess) */
	int32_t target;             /* the node asked by the current attempt */
	uint32_t attempts;          /* attempts for the current op */
	uint32_t done;              /* ops completed */
	bool busy;
	st_op op;
} raft_client;

typedef struct {
	raft_cfg cfg;
	union {
		raft_node n;        /* processes 0..nnodes-1 */
		raft_client c;      /* the rest */
	};
} raft_state;

/* Message bodies. Senders zero them first: padding bytes land in the trace's byte arena. */
typedef struct {
	uint32_t term;
	int32_t candidate;
	uint32_t last_log_index, last_log_term;
} raft_vote_req;

typedef struct {
	uint32_t term;
	uint8_t granted;
} raft_vote_reply;

typedef struct {
	raft_cmd cmd;
	uint32_t term;
} raft_wire_entry;

/* Sent with only n entries' worth of bytes: len = offsetof(raft_append, e) + n * entry. */
typedef struct {
	uint32_t term;
	int32_t leader;
	uint32_t prev_index, prev_term;
	uint32_t leader_commit;
	uint32_t n;
	raft_wire_entry e[RAFT_BATCH_MAX];
} raft_append;

typedef struct {
	uint32_t term;
	uint8_t success;
	uint32_t match_index;       /* success: the follower's log matches the leader's up to here */
	uint32_t hint;              /* failure: where the leader should try next (nextIndex) */
} raft_append_reply;

typedef struct {
	raft_cmd cmd;
} raft_client_req;

typedef enum { RAFT_REPLY_OK = 0, RAFT_REPLY_REDIRECT, RAFT_REPLY_FULL } raft_reply_status;

typedef struct {
	uint32_t invoke;
	uint8_t status;             /* raft_reply_status */
	int32_t leader;             /* redirect: the leader hint, -1 none */
	uint32_t index;             /* ok: the log index the command was applied at */
} raft_client_reply;

/* raft.c */
extern const st_protocol raft_protocol;
uint64_t raft_entry_hash(uint64_t prev, uint32_t term, const raft_cmd *cmd);
void raft_cmd_str(const raft_cmd *cmd, char *buf, size_t n);

/* raft_check.c: the invariants, over process states and over a trace.
 *
 * The state checker's memory, owned by the world and copied with its snapshots (about 38 KB).
 * Election safety remembers who led each term in a window of RAFT_CHECK_TERMS slots indexed by
 * term modulo the window: two leaders of one term are caught unless more than
 * RAFT_CHECK_TERMS newer terms came between them, by which time the older one has long lost
 * any majority. The other tables are indexed by log index, as big as a log. */
#define RAFT_CHECK_TERMS 1024
typedef struct {
	uint64_t hash;
	uint32_t term;
	uint32_t commit_term;       /* the current term of the first node seen committing it */
} raft_ck_commit;
typedef struct {
	uint64_t hash;
	uint32_t term;
	int32_t who;                /* the first node seen applying it */
} raft_ck_apply;
typedef struct {
	uint32_t lead_term[RAFT_CHECK_TERMS];
	int8_t lead_who[RAFT_CHECK_TERMS];      /* node + 1; 0 = no leader seen */
	uint32_t ncommitted;                    /* committed[1..ncommitted] are known */
	uint8_t commit_by[RAFT_LOG_MAX + 1];
	raft_ck_commit committed[RAFT_LOG_MAX + 1];
	uint32_t napplied;                      /* applied[1..napplied] are known */
	raft_ck_apply applied[RAFT_LOG_MAX + 1];
	uint32_t seen_applied[ST_MAX_PROCS];    /* per node: applies already checked */
} raft_checker;

bool raft_check(void *check_state, const st_param_val *params, const st_view *v,
		st_violation *out);
void *raft_trace_check_new(const st_trace_info *info);
bool raft_trace_check(void *tc, const st_tev *e, st_violation *out);
bool raft_trace_check_end(void *tc, st_violation *out);
void raft_trace_check_free(void *tc);
void raft_trace_check_summary(void *tc, char *buf, size_t n);
#define RAFT_STATE_FIELDS 5
extern const st_state_field raft_state_fields[RAFT_STATE_FIELDS];
/* raft_class.c: message classes for the diagram */
#define RAFT_MSG_CLASSES 4
extern const char *const raft_msg_classes[RAFT_MSG_CLASSES];
int raft_msg_class(int from, int type, const void *body, size_t len);
/* raft_picture.c: a server's log, coloured by term, and a leader's nextIndex / matchIndex */
void raft_picture(const void *state, st_role role, int self, int nnodes, int nprocs,
		  st_picture *out);

/* raft_abstract.c: the abstract state explore's coverage counts (protocol.h, abstract). */
uint64_t raft_abstract(const st_view *v);
/* raft_live_size.c: the live bytes of a state, for --search (protocol.h, live_size). */
size_t raft_live_size(const void *state, st_role role);

#endif
