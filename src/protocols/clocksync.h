/* clocksync.h: the types of the clocksync protocol, shared by clocksync.c and its unit test.
 *
 * Plain fixed-size data: a process state is copied into world snapshots byte for byte.
 * Nothing outside clocksync.c and the tests includes this header. */
#ifndef ST_CLOCKSYNC_H
#define ST_CLOCKSYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol.h"

#define CLOCKSYNC_QUEUE 16      /* requests the server holds at once; more are dropped */
#define CLOCKSYNC_SERVER 0      /* n1 is the time server */

typedef enum {
	CLOCKSYNC_P_POLL = 0, CLOCKSYNC_P_SERVER_DELAY, CLOCKSYNC_P_MAX_DRIFT, CLOCKSYNC_P_FILTER,
	CLOCKSYNC_P__COUNT
} clocksync_param;

typedef enum { CLOCKSYNC_T_POLL = 0, CLOCKSYNC_T_SERVE, CLOCKSYNC_T__COUNT } clocksync_timer;
typedef enum {
	CLOCKSYNC_MSG_REQ = 0, CLOCKSYNC_MSG_REPLY, CLOCKSYNC_MSG__COUNT
} clocksync_msg_type;

typedef struct {
	int64_t poll_lo_us, poll_hi_us;
	int64_t server_delay_us;
	int64_t max_drift_ppm;
	bool filter;                /* keep the old offset when a round is worse than it */
} clocksync_cfg;

/* A request the server holds between t2 (arrival) and t3 (reply). */
typedef struct {
	int32_t from;
	uint32_t seq;
	int64_t t1, t2;
} clocksync_held;

/* One round's four timestamps and what the client made of them, all in microseconds; t1 and
 * t4 on the client's raw (uncorrected) clock, t2 and t3 on the server's. */
typedef struct {
	int64_t t1, t2, t3, t4;
	int64_t theta;              /* offset: ((t2 - t1) + (t3 - t4)) / 2 */
	int64_t delta;              /* round trip: (t4 - t1) - (t3 - t2) */
} clocksync_round;

typedef struct {
	clocksync_cfg cfg;
	bool server;                /* n1: describe() has no process index to tell by */
	uint32_t events;            /* own events handled: the checker sees when we acted */
	int64_t local_us;           /* the raw local clock, read at the last event */
	/* client (every node but n1) */
	int64_t correction_us;      /* corrected = local + correction; volatile */
	bool synced, waiting;
	uint32_t seq;               /* persistent: a reply to an old request never matches */
	int64_t t1;                 /* of the request in flight */
	uint32_t syncs, rejected;
	clocksync_round last;       /* the round the correction comes from */
	/* server (n1) */
	clocksync_held held[CLOCKSYNC_QUEUE];
	uint32_t head, nheld;
	bool serving;
	uint32_t served, refused;
	uint32_t ops;               /* clients only: operations answered */
} clocksync_state;

typedef struct {
	uint32_t seq;
	uint32_t pad;
	int64_t t1;
} clocksync_req;

typedef struct {
	uint32_t seq;
	uint32_t pad;
	int64_t t1, t2, t3;         /* t1 echoed: the client matches the reply to its request */
} clocksync_reply;

/* The checker's memory. */
typedef struct {
	bool seen[ST_MAX_PROCS];
	uint32_t events[ST_MAX_PROCS];
	int64_t server_err_us;      /* the largest |server clock - true time| seen so far */
} clocksync_checker;

extern const st_protocol clocksync_protocol;
/* The arithmetic of one round (NTP's, also Cristian's with t2 = t3). */
void clocksync_compute(clocksync_round *r);
/* The error bound the checker allows a synced clock at local time now: delta/2, the server's
 * own error, and 2 * max_drift over the time since t1 (the client's drift during the round
 * and since), plus a few microseconds of rounding. */
int64_t clocksync_bound_us(const clocksync_round *r, int64_t now_local_us, int64_t server_err_us,
			   int64_t max_drift_ppm);

#endif
