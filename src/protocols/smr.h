/* smr.h: the types of state machine replication (replicas applying a total order of
 * commands to a small key-value store), shared by smr.c and smr_check.c. Plain fixed-size
 * data, copied into world snapshots byte for byte. */
#ifndef ST_SMR_H
#define ST_SMR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol.h"

#define SMR_KEYS 3          /* x, y, t */
#define SMR_RING 64         /* ordered commands the sequencer keeps to send again */
#define SMR_HOLD 16         /* commands a replica holds back, waiting for an earlier one */
#define SMR_BATCH 8         /* commands per Resend */
#define SMR_CLIENTS 8
#define SMR_DIGEST_MASK ((1ull << 48) - 1)  /* digests fit a JSON number exactly */
#define SMR_CK_WINDOW 256   /* prefixes the live checker remembers a digest of */

typedef enum { SMR_P_BUG = 0, SMR_P_SYNC, SMR_P_TIMEOUT, SMR_P__COUNT } smr_param;
typedef enum { SMR_BUG_NONE = 0, SMR_BUG_CLOCK } smr_bug;
typedef enum { SMR_T_SYNC = 0, SMR_T_CLIENT, SMR_T__COUNT } smr_timer;
typedef enum {
	SMR_MSG_SUBMIT = 0, SMR_MSG_DONE, SMR_MSG_ORDER, SMR_MSG_SYNC, SMR_MSG_NACK,
	SMR_MSG_SNAPSHOT, SMR_MSG__COUNT
} smr_msg_type;
/* A command: set a key to a value, add one to it, or set it to the clock ("now()"). */
typedef enum { SMR_SET = 0, SMR_INCR, SMR_NOW, SMR_OP__COUNT } smr_op;

typedef struct {
	uint8_t bug;
	uint8_t pad[3];
	int32_t nnodes;
	int64_t sync_us, timeout_us;
} smr_cfg;

typedef struct {
	uint32_t g;             /* its place in the total order, from 1 */
	uint32_t seq;           /* the client's request number */
	int64_t val;
	uint8_t op, key, client;
	uint8_t pad[5];
} smr_cmd;

typedef struct {
	smr_cfg cfg;
	/* every replica, persistent: the state machine and how much of the order it applied */
	int64_t kv[SMR_KEYS];
	uint32_t applied;
	uint64_t digest;
	bool sequencer;             /* n1 */
	uint8_t pad0[7];
	/* the sequencer (n1), persistent */
	uint32_t next_g;
	uint32_t last_seq[SMR_CLIENTS];
	smr_cmd ring[SMR_RING];
	/* replica, volatile: commands that came before their turn */
	smr_cmd hold[SMR_HOLD];
	uint32_t nheld;
	uint32_t nholds;            /* commands held back so far */
	/* client */
	st_op op;
	bool busy;
	uint8_t kind, key;
	uint8_t pad;
	uint32_t seq, done, fails;
	int64_t val;
} smr_state;

typedef struct { uint32_t seq; uint8_t op, key, pad[2]; int64_t val; } smr_submit_m;
typedef struct { uint32_t seq, g; } smr_done_m;
typedef struct { smr_cmd cmd; } smr_order_m;
typedef struct { uint32_t next_g; } smr_sync_m;
typedef struct { uint32_t from; } smr_nack_m;
typedef struct { uint32_t applied, pad; uint64_t digest; int64_t kv[SMR_KEYS]; } smr_snapshot_m;

/* The live checker's memory: the digest each applied prefix produced first. */
typedef struct {
	uint32_t g[SMR_CK_WINDOW];
	int32_t proc[SMR_CK_WINDOW];
	uint64_t digest[SMR_CK_WINDOW];
} smr_checker;

extern const char *const smr_key_names[SMR_KEYS];
uint64_t smr_digest_of(const int64_t kv[SMR_KEYS]);

/* smr_check.c */
bool smr_check(void *check_state, const st_param_val *params, const st_view *v,
	       st_violation *out);
void *smr_trace_check_new(const st_trace_info *info);
bool smr_trace_check(void *tc, const st_tev *e, st_violation *out);
bool smr_trace_check_end(void *tc, st_violation *out);
void smr_trace_check_free(void *tc);
void smr_trace_check_summary(void *tc, char *buf, size_t n);

/* smr_class.c: message classes for the diagram */
#define SMR_MSG_CLASSES 3
extern const char *const smr_msg_classes[SMR_MSG_CLASSES];
int smr_msg_class(int from, int type, const void *body, size_t len);
/* smr_picture.c: the applied prefix and the store side by side, the hold-back queue */
void smr_picture(const void *state, st_role role, int self, int nnodes, int nprocs,
                 st_picture *out);

extern const st_protocol smr_protocol;

#endif
