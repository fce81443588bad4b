/* replag.h: the types of the replication-lag protocol (single-leader replication, DDIA
 * chapter 5), shared by replag.c and replag_check.c. Plain fixed-size data, copied into world
 * snapshots byte for byte. */
#ifndef ST_REPLAG_H
#define ST_REPLAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol.h"

#define RL_KEYS 2           /* x (the question) and y (the answer, written after x) */
#define RL_RING 32          /* log entries the leader keeps to ship; older: a snapshot */
#define RL_BATCH 8          /* entries per Append */
#define RL_NODES 16
#define RL_CLIENTS 8
#define RL_STAGGER_US 300000 /* each node waits this much longer than the one before it */

typedef enum {
	RL_P_MODE = 0, RL_P_CHECK, RL_P_SHIP, RL_P_FAILOVER, RL_P_TIMEOUT, RL_P__COUNT
} rl_param;
typedef enum { RL_ASYNC = 0, RL_SYNC } rl_mode;
/* Which guarantee the checker enforces (the anomalies are always labelled). */
typedef enum {
	RL_CK_NONE = 0, RL_CK_RYW, RL_CK_MONO, RL_CK_PREFIX, RL_CK_DURABLE, RL_CK_ALL
} rl_checks;

typedef enum { RL_T_SHIP = 0, RL_T_FAILOVER, RL_T_CLIENT, RL_T__COUNT } rl_timer;
typedef enum {
	RL_MSG_WRITE = 0, RL_MSG_WRITE_OK, RL_MSG_REDIRECT, RL_MSG_READ, RL_MSG_READ_OK,
	RL_MSG_APPEND, RL_MSG_SNAPSHOT, RL_MSG_ACK, RL_MSG__COUNT
} rl_msg_type;
typedef enum { RL_FOLLOWER = 0, RL_LEADER } rl_role;

typedef struct {
	uint8_t mode, check;
	uint8_t pad[2];
	int16_t nclients, nnodes;
	int64_t ship_lo_us, ship_hi_us, failover_us, timeout_us;
} rl_cfg;

/* A key's value, the log index of the write that set it (0: never written) and, for y, the
 * index of the x write it answers. */
typedef struct { int32_t val; uint32_t idx, dep; } rl_cell;

typedef struct {
	uint32_t idx, dep, seq;
	int32_t val;
	uint8_t key, client;    /* client: ordinal, c1 = 0 */
	uint8_t pad[2];
} rl_entry;

typedef struct { uint32_t idx, seq; bool on; uint8_t pad[3]; } rl_pending;

typedef struct {
	rl_cfg cfg;
	/* node, persistent (on disk): the log and what it has made of the keys */
	uint32_t epoch;             /* the leader of epoch e is node e % nnodes */
	uint32_t log_epoch;         /* the epoch whose leader's log this log follows */
	uint32_t len;               /* log position: entries 1..len */
	uint32_t ring_from;         /* the first index the ring holds */
	uint32_t epoch_base;        /* the position at which log_epoch's leader took over */
	rl_cell kv[RL_KEYS];
	uint32_t wseq[RL_CLIENTS];  /* per client: the last of its writes in this log */
	rl_entry ring[RL_RING];     /* entry i at i % RL_RING, for i >= ring_from */
	uint32_t discarded;         /* writes thrown away when adopting a new leader's log */
	/* node, volatile */
	uint8_t role;
	uint8_t rr;                 /* leader: the follower shipped to last */
	uint8_t pad[2];
	uint32_t leader_len;        /* follower: the leader's position, as last heard */
	uint32_t match[RL_NODES];   /* leader: each follower's acknowledged position */
	uint32_t next[RL_NODES];    /* leader: the next index to ship; 0: send a snapshot */
	rl_pending pend[RL_CLIENTS];/* leader, sync: writes waiting for every follower */
	/* client */
	st_op op;
	bool busy;
	uint8_t kind;               /* the op in flight: RL_OP_* */
	uint8_t key;
	uint8_t redirects;
	int32_t target;             /* the node asked */
	int32_t leader_guess;
	uint32_t seq;               /* persistent: write ids are never reused */
	uint32_t nops;
	uint32_t acked;             /* the last write acknowledged */
	int32_t val;
	uint32_t own_idx[RL_KEYS];  /* the session: my last acknowledged write of each key */
	uint32_t seen_idx[RL_KEYS]; /* the newest write of each key I have read */
	uint32_t seen_dep;          /* the newest question an answer I read depends on */
	rl_cell last;               /* the last read */
	uint8_t last_key;
	uint8_t pad2[3];
	int32_t last_node;
	uint32_t stale, backward, unprefix, fails;
	uint32_t write_timeouts;
} rl_state;

enum { RL_OP_WRITE = 1, RL_OP_READ };

/* Message bodies. */
typedef struct { uint32_t seq, dep; int32_t val; uint8_t key, pad[3]; } rl_write_m;
typedef struct { uint32_t seq, idx; } rl_write_ok_m;
typedef struct { uint32_t seq; int32_t leader; } rl_redirect_m;
typedef struct { uint32_t seq; uint8_t key, pad[3]; } rl_read_m;
typedef struct { uint32_t seq, pos; rl_cell cell; uint8_t key, leader, pad[2]; } rl_read_ok_m;
typedef struct {
	uint32_t epoch, from, leader_len;
	uint8_t n, pad[3];
	rl_entry e[RL_BATCH];
} rl_append_m;
typedef struct {
	uint32_t epoch, len, base;
	rl_cell kv[RL_KEYS];
	uint32_t wseq[RL_CLIENTS];
} rl_snapshot_m;
typedef struct { uint32_t epoch, len; uint8_t need_snap, pad[3]; } rl_ack_m;

/* The checker's memory: each client's session as the record shows it. */
typedef struct {
	uint32_t own_idx[RL_CLIENTS][RL_KEYS];
	uint32_t seen_idx[RL_CLIENTS][RL_KEYS];
	uint32_t seen_dep[RL_CLIENTS];
	uint32_t acked[RL_CLIENTS];
	uint32_t reads, writes;
} rl_checker;

/* replag_check.c */
bool rl_check_event(rl_checker *k, int check, int nnodes, const st_tev *e, st_violation *out);
bool rl_check(void *check_state, const st_param_val *params, const st_view *v,
	      st_violation *out);
void *rl_trace_check_new(const st_trace_info *info);
bool rl_trace_check(void *tc, const st_tev *e, st_violation *out);
bool rl_trace_check_end(void *tc, st_violation *out);
void rl_trace_check_free(void *tc);
void rl_trace_check_summary(void *tc, char *buf, size_t n);
extern const char *const rl_key_names[RL_KEYS];
extern const char *const rl_check_names[RL_CK_ALL + 2];  /* the check param's choices */

/* replag_class.c: message classes for the diagram */
#define RL_MSG_CLASSES 3
extern const char *const rl_msg_classes[RL_MSG_CLASSES];
int rl_msg_class(int from, int type, const void *body, size_t len);
/* replag_picture.c: a node's log as cells, the acknowledged entries bold, the lag */
void rl_picture(const void *state, st_role role, int self, int nnodes, int nprocs,
                st_picture *out);

extern const st_protocol replag_protocol;

#endif
