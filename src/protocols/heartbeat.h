/* heartbeat.h: the types of the heartbeat failure detector, shared by heartbeat.c and its
 * unit test. Plain fixed-size data, copied into world snapshots byte for byte. */
#ifndef ST_HEARTBEAT_H
#define ST_HEARTBEAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol.h"

typedef enum { HEARTBEAT_MONITOR = 0, HEARTBEAT_ALL } heartbeat_mode;

typedef enum {
	HEARTBEAT_P_MODE = 0, HEARTBEAT_P_INTERVAL, HEARTBEAT_P_TIMEOUT, HEARTBEAT_P_INCREASE,
	HEARTBEAT_P__COUNT
} heartbeat_param;

typedef enum { HEARTBEAT_T_BEAT = 0, HEARTBEAT_T_CHECK, HEARTBEAT_T__COUNT } heartbeat_timer;
typedef enum { HEARTBEAT_MSG_BEAT = 0, HEARTBEAT_MSG__COUNT } heartbeat_msg_type;

typedef struct {
	int64_t interval_us, timeout_us, increase_us;
	int32_t mode;               /* heartbeat_mode */
	int32_t pad;
} heartbeat_cfg;

typedef struct {
	heartbeat_cfg cfg;
	int32_t self, nnodes;       /* describe() is given neither */
	uint32_t events;            /* own events: the checker sees when this node acted */
	int64_t local_us;           /* the node's own clock at its last event */
	bool sends;                 /* sends heartbeats (monitor mode: all but n1) */
	uint32_t seq;               /* heartbeats sent */
	/* the detector, per process q it watches: all volatile (a restart trusts everyone and
	 * starts counting afresh) except the grown timeouts, which it keeps */
	bool watch[ST_MAX_PROCS];
	bool suspect[ST_MAX_PROCS];
	int64_t last_heard[ST_MAX_PROCS];   /* local time of q's last heartbeat (or our start) */
	int64_t suspected_at[ST_MAX_PROCS]; /* local time the suspicion was raised */
	int64_t timeout[ST_MAX_PROCS];      /* grows after each false suspicion of q */
	uint32_t suspicions, restores;
	uint32_t ops;               /* clients only */
} heartbeat_state;

typedef struct {
	uint32_t seq;
} heartbeat_msg;

typedef struct {
	bool seen[ST_MAX_PROCS];
	uint32_t events[ST_MAX_PROCS];
} heartbeat_checker;

extern const st_protocol heartbeat_protocol;

#endif
