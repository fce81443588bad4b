/* chatter.h: the types of the chatter protocol, shared by chatter.c and its unit test.
 *
 * Chatter is the protocol of the clock lessons: processes that do nothing but talk to random
 * peers and take local steps, while each keeps its own Lamport clock and vector clock, the
 * algorithms being taught. The state is plain fixed-size data, copied into world snapshots;
 * nothing outside chatter.c and the tests includes this header. */
#ifndef ST_CHATTER_H
#define ST_CHATTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol.h"

typedef enum { CHATTER_CLOCK_LAMPORT = 0, CHATTER_CLOCK_VECTOR } chatter_clock;
typedef enum { CHATTER_BUG_NONE = 0, CHATTER_BUG_FORGET_MAX } chatter_bug;

typedef enum {
	CHATTER_P_CLOCK = 0, CHATTER_P_EVERY, CHATTER_P_SEND_PCT, CHATTER_P_BUG, CHATTER_P__COUNT
} chatter_param;

typedef enum { CHATTER_T_TICK = 0, CHATTER_T__COUNT } chatter_timer;
typedef enum { CHATTER_MSG_CHAT = 0, CHATTER_MSG__COUNT } chatter_msg_type;

/* Handlers other than init/on_restart get no params: each process keeps its copy. */
typedef struct {
	int64_t every_lo_us, every_hi_us;
	int32_t clock;              /* chatter_clock: the one describe() and the labels show */
	int32_t send_pct;
	int32_t bug;                /* chatter_bug */
	int32_t pad;
} chatter_cfg;

/* One process. Both clocks are always kept (the checker checks both); the `clock` param only
 * chooses which one the lesson shows. The clocks are persistent: a process that forgot its
 * clock in a crash would hand out timestamps it had already used. */
typedef struct {
	chatter_cfg cfg;
	int32_t n;                  /* vector clock entries: one per process */
	uint32_t events;            /* own events counted so far (== vc[self]) */
	uint64_t L;                 /* the Lamport clock */
	uint32_t vc[ST_MAX_PROCS];  /* the vector clock */
	uint32_t sent, recvd, steps;
	/* The last receive, kept for the invariant check: the message's timestamp and the
	 * timestamp given to the receive event. */
	uint64_t msg_L, recv_L;
	uint32_t msg_vc[ST_MAX_PROCS], recv_vc[ST_MAX_PROCS];
	uint32_t ops;               /* clients only: operations answered */
} chatter_state;

/* The message: the sender's clocks at the send event. Sent with n vector entries only. */
typedef struct {
	uint8_t clock;              /* chatter_clock of the sender, for encode() */
	uint8_t n;
	uint8_t pad[6];
	uint64_t L;
	uint32_t vc[ST_MAX_PROCS];
} chatter_msg;

#define CHATTER_MSG_LEN(n) (offsetof(chatter_msg, vc) + (size_t)(n) * sizeof(uint32_t))

/* The checker's memory (owned by the world, copied with its snapshots). */
typedef struct {
	bool seen[ST_MAX_PROCS];
	uint32_t events[ST_MAX_PROCS], recvd[ST_MAX_PROCS];
	uint64_t L[ST_MAX_PROCS];
	uint32_t vc[ST_MAX_PROCS][ST_MAX_PROCS];
} chatter_checker;

extern const st_protocol chatter_protocol;
/* chatter_picture.c: the Lamport and vector clocks */
void chatter_picture(const void *state, st_role role, int self, int nnodes, int nprocs,
		     st_picture *out);
/* "[2,0,1,0]": the form describe() and the labels use; n entries. */
void chatter_vc_str(const uint32_t *vc, int n, char *buf, size_t len);

#endif
