/* rpc.h: the types of the rpc protocol, shared by rpc.c and its unit test. Plain fixed-size
 * data, copied into world snapshots byte for byte. */
#ifndef ST_RPC_H
#define ST_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol.h"

#define RPC_WINDOW 64           /* the server remembers, per client, the last 64 request ids */
#define RPC_CK_CLIENTS 8        /* clients the checker follows (a scenario has at most 8) */
#define RPC_CK_WINDOW 1024      /* request ids per client the checker remembers */

typedef enum {
	RPC_P_DEDUPE = 0, RPC_P_TIMEOUT, RPC_P_ATTEMPTS, RPC_P_CHECK, RPC_P__COUNT
} rpc_param;

typedef enum { RPC_T_RETRY = 0, RPC_T__COUNT } rpc_timer;
typedef enum { RPC_MSG_REQ = 0, RPC_MSG_REPLY, RPC_MSG__COUNT } rpc_msg_type;

typedef struct {
	int64_t timeout_us;
	int32_t attempts;
	bool dedupe;
	bool check_exactly_once;
} rpc_cfg;

typedef struct {
	rpc_cfg cfg;
	/* server (every node serves; clients call n1 unless an op names another): the counter
	 * and the table of request ids are persistent, written together, as a real server
	 * would keep them in one transaction */
	int64_t counter;
	uint32_t napplied, twice, dup_replies;
	uint32_t last_seq[ST_MAX_PROCS];    /* per client: the highest request id applied */
	uint64_t seen[ST_MAX_PROCS];        /* bit i: request last_seq - i has been applied */
	int64_t last_result[ST_MAX_PROCS];  /* the reply to last_seq, sent again to a retry */
	/* client */
	uint32_t seq;               /* persistent: request ids are never reused */
	uint32_t attempts, ok, info;
	int32_t target;
	int64_t result;             /* the counter the last reply reported */
	bool busy;
	st_op op;
} rpc_state;

typedef struct {
	uint32_t seq;
	int32_t client;             /* ordinal, c1 = 0 */
} rpc_req;

typedef struct {
	uint32_t seq;
	uint8_t dup;                /* answered from the table, not applied again */
	uint8_t pad[3];
	int64_t result;
} rpc_reply;

typedef struct {
	uint32_t applied[RPC_CK_CLIENTS][RPC_CK_WINDOW]; /* request id + 1 at id % window */
} rpc_checker;

extern const st_protocol rpc_protocol;

#endif
