/* broadcast.h: the broadcast protocol's internal types, shared by its files (broadcast.c:
 * entry points, receiving and delivering; broadcast_order.c: the delivery-order algorithms;
 * broadcast_relay.c: relaying; broadcast_text.c: describe and encode; broadcast_check.c: the
 * invariants) and by the unit test, which builds states and messages by hand.
 *
 * One protocol, several algorithms, chosen by params, because the lessons compare them on the
 * same run: `relay` (none, eager, gossip) is the reliability layer, `order` (none, fifo,
 * causal, total-sequencer, total-lamport) the delivery-order layer on top, and `require` the
 * property the invariant checker holds the run to. `require` is separate from `order` so that
 * a deliberately weak variant (order fifo, require causal) is caught.
 *
 * Everything here is plain fixed-size data with no pointers: a process state is copied byte
 * for byte into world snapshots, and a message body travels as its bytes. Nothing outside the
 * broadcast files should include this header. */
#ifndef ST_BROADCAST_H
#define ST_BROADCAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol.h"

/* Nodes that take part (scenarios allow 16; nodes past this neither broadcast nor deliver). */
#define BC_MAX_NODES 16
/* The hold-back queue: messages received but not yet deliverable. When it is full a message
 * that cannot be delivered at once is refused ("holdback full"): it is neither held, nor
 * relayed, nor acknowledged, as if lost; a later copy (a relay) may still be taken. */
#define BC_HOLD_MAX 24
/* Recent broadcasts and deliveries of a node, oldest overwritten: the invariant checker reads
 * them after every step. One step adds at most BC_HOLD_MAX + 2 deliveries, plus a broadcast
 * and a delivery for each of at most 4 answers (BC_REPLIES_MAX): 34 records. */
/* Own broadcasts still being sent one copy at a time (stagger_ms > 0). */
#define BC_OUTBOX_MAX 8
/* order none: which of a sender's seqs past the delivered prefix were delivered already. A
 * message more than this far ahead of a gap gives the gap up (it was lost). */
#define BC_WINDOW 64

typedef enum { BC_RELAY_NONE = 0, BC_RELAY_EAGER, BC_RELAY_GOSSIP, BC_RELAY__COUNT } bc_relay_kind;
typedef enum {
	BC_ORDER_NONE = 0, BC_ORDER_FIFO, BC_ORDER_CAUSAL, BC_ORDER_SEQUENCER, BC_ORDER_LAMPORT,
	BC_ORDER__COUNT
} bc_order_kind;
typedef enum {
	BC_REQ_NONE = 0, BC_REQ_FIFO, BC_REQ_CAUSAL, BC_REQ_TOTAL, BC_REQ__COUNT
} bc_require_kind;

typedef enum {
	BC_MSG_MSG = 0,     /* an application message (first copy, relay or sequenced copy) */
	BC_MSG_SUBMIT,      /* total-sequencer: a message on its way to the sequencer n1 */
	BC_MSG_ACK,         /* total-lamport: "I have it", to every node */
	BC_MSG_REQUEST,     /* client -> node: broadcast this value */
	BC_MSG_REPLY,       /* node -> client: delivered it here */
	BC_MSG__COUNT
} bc_msg_type;

typedef enum { BC_T_BROADCAST = 0, BC_T_SEND, BC_T_CLIENT, BC_T__COUNT } bc_timer;

typedef enum {
	BC_P_RELAY = 0, BC_P_ORDER, BC_P_REQUIRE, BC_P_INTERVAL, BC_P_COUNT, BC_P_SENDERS,
	BC_P_REPLY, BC_P_FANOUT, BC_P_ROUNDS, BC_P_STAGGER, BC_P_CLIENT_TIMEOUT, BC_P__COUNT
} bc_param;

/* The resolved parameters (handlers other than init/on_restart are not given them, so every
 * process keeps a copy). */
typedef struct {
	int64_t interval_lo_us, interval_hi_us;
	int64_t stagger_us;
	int64_t client_timeout_us;
	int32_t relay, order, require;
	int32_t count, senders, reply_pct, fanout, rounds;
} bc_cfg;

/* Which optional fields of a message mean something (the encoder has no params). */
enum { BC_W_REPLY = 1, BC_W_VC = 2, BC_W_TS = 4, BC_W_G = 8, BC_W_CLIENT = 16 };

/* An application message, named "n2#3": the 3rd broadcast of n2. Senders zero it first. */
typedef struct {
	uint8_t origin;             /* the node that broadcast it */
	uint8_t flags;              /* BC_W_* */
	uint8_t rounds;             /* gossip: hops it may still make */
	uint8_t re_origin;          /* BC_W_REPLY: the message it answers... */
	uint8_t client;             /* BC_W_CLIENT: the client (c1 = 0) to answer on delivery */
	uint8_t pad[3];
	uint32_t seq;               /* origin's counter, from 1 */
	uint32_t re_seq;            /* ...re_origin#re_seq */
	uint32_t g;                 /* BC_W_G: the sequencer's global number, from 1 */
	uint32_t ts;                /* BC_W_TS: Lamport timestamp */
	uint32_t invoke;            /* BC_W_CLIENT: the client's invoke event */
	uint32_t pad2;
	int64_t value;              /* the payload: a client's value, else the seq */
	uint32_t vc[BC_MAX_NODES];  /* BC_W_VC: causal dependencies (origin's entry: seq) */
} bc_wire;

typedef struct {
	uint8_t origin;
	uint8_t pad[3];
	uint32_t seq;
	uint32_t count;             /* broadcasts the acknowledging node had made when it acked */
} bc_ack;

typedef struct {
	int64_t value;
	uint32_t invoke;
	uint32_t pad;
} bc_request;

typedef struct {
	uint32_t invoke;
	uint8_t origin;
	uint8_t pad[3];
	uint32_t seq;
} bc_reply;

/* A hold-back queue entry. total-lamport also keeps acknowledgements that arrived before
 * their message: an entry with have = 0 is such a placeholder, not yet a message. */
typedef struct {
	bc_wire m;
	uint32_t acks;              /* total-lamport: bit q set when q acknowledged */
	uint32_t need[BC_MAX_NODES];/* total-lamport: q's broadcasts that must be in first */
	uint8_t have;
	uint8_t pad[7];
} bc_held;


typedef struct {
	bc_wire m;
	uint32_t next;              /* the next node to get a copy */
	uint32_t pad;
} bc_out;

typedef struct {
	/* all of this is persistent (the delivered log is on disk): a crash only stops the node.
	 * Forgetting delivered[] would deliver again, forgetting sent would reuse names. */
	uint8_t self, nn;           /* this node's index, and the nodes taking part */
	uint8_t pad[2];
	uint32_t sent;              /* own broadcasts so far: the seq of the last */
	uint32_t timer_sent;        /* of them, those the timer made (count limits these) */
	uint32_t ndelivered, relayed, refused;
	uint32_t own_delivered;     /* of ndelivered, its own messages */
	uint32_t delivered[BC_MAX_NODES];   /* per sender: delivered prefix (none: window base) */
	uint64_t window[BC_MAX_NODES];      /* order none: seqs base+1.. delivered already */
	uint32_t clock;             /* total-lamport: the Lamport clock */
	uint32_t gdone;             /* total-sequencer: global numbers delivered (1..gdone) */
	uint32_t assigned;          /* total-sequencer, n1: global numbers handed out */
	uint32_t sq_base[BC_MAX_NODES];     /* total-sequencer, n1: submissions numbered... */
	uint64_t sq_window[BC_MAX_NODES];   /* ...as a prefix and a window, like delivered */
	uint32_t nheld;
	bc_held held[BC_HOLD_MAX];
	/* volatile: lost in a crash */
	uint32_t nout;
	bc_out out[BC_OUTBOX_MAX];
} bc_node;

typedef struct {
	uint32_t done;
	uint8_t busy;
	st_op op;
} bc_client;

typedef struct {
	bc_cfg cfg;
	union {
		bc_node n;          /* processes 0..nnodes-1 */
		bc_client c;        /* the rest */
	};
} bc_state;

/* ---- shared by the broadcast_*.c files -------------------------------------------------- */

/* Label priorities: a receipt may relay, hold and deliver; the timeline shows what matters
 * most. */
enum { BC_LP_RELAY = 1, BC_LP_ORDER = 2, BC_LP_HOLD = 3, BC_LP_KEY = 4 };

/* What one handler run carries along: where its labels go (the simulator keeps the one of
 * highest priority; a quiet run labels nothing: a timer's broadcast, an answer's own
 * deliveries), and the answers it owes (a few at most, sent once the hold-back queue is
 * settled, so a broadcast never runs inside a release). */
#define BC_REPLIES_MAX 4
typedef struct {
	st_ctx *c;
	bool quiet;
	int nreply;
	struct { int origin; uint32_t seq; } re[BC_REPLIES_MAX];
} bc_run;

typedef struct { char s[24]; } bc_str;

/* One handler's world: the context, this node's state, its index and the nodes taking part. */
typedef struct bc_env {
	st_ctx *c;
	bc_state *s;
	int self, nn;
} bc_env;

typedef struct {
	/* m was delivered here already (a copy of a held message is caught apart) */
	bool (*delivered)(const bc_node *n, const bc_wire *m);
	/* held entry h may be delivered now */
	bool (*ready)(const bc_node *n, const bc_held *h, int self, int nn);
	/* record the delivery of m in the order's own state */
	void (*count)(bc_node *n, const bc_wire *m);
	/* why m must wait / why it may go now: a sentence or two for the inspector */
	void (*hold_note)(const bc_env *e, const bc_wire *m, char *buf, size_t len);
	void (*deliver_note)(const bc_env *e, const bc_wire *m, char *buf, size_t len);
	/* a key for listing the hold-back queue in the order it will (likely) go */
	uint64_t (*key)(const bc_held *h);
	bool hold_all;              /* every message waits in the queue (its own too) */
	bool hold_milestone;        /* a hold is worth stopping at */
} bc_order_ops;

/* broadcast.c: the protocol's entry points, receiving and delivering */
extern const st_protocol broadcast_protocol;
extern const char *const broadcast_require_names[];
void broadcast_msg_name(int origin, uint32_t seq, char *buf, size_t n);   /* "n2#3" */
bc_str broadcast_mname(int origin, uint32_t seq);
bc_str broadcast_pname(const st_ctx *c, int p);                          /* "n2", "c1" */
void broadcast_put(bc_run *r, int prio, int flags, const char *text, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void broadcast_lfmt(char *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* broadcast_order.c: the order algorithms and the hold-back queue */
const bc_order_ops *broadcast_order_ops(const bc_state *s);
void broadcast_vec_str(const uint32_t *v, int nn, char *buf, size_t len);  /* "[2,0,1]" */
bool broadcast_win_has(uint32_t base, uint64_t mask, uint32_t seq);
void broadcast_win_add(uint32_t *base, uint64_t *mask, uint32_t seq);
int broadcast_held_find(const bc_node *n, int origin, uint32_t seq);
void broadcast_held_remove(bc_node *n, int i);
uint32_t broadcast_nheld(const bc_node *n);
uint32_t broadcast_have_upto(const bc_node *n, int q);
int broadcast_lamport_head(const bc_node *n);

/* broadcast_relay.c: the reliability layer */
void broadcast_disseminate(const bc_env *e, const bc_wire *m);
void broadcast_relay(const bc_env *e, const bc_wire *m, int from, bc_run *r);

/* broadcast_text.c: describe() and encode() */
void broadcast_describe(const void *state, st_role role, st_sink *k);
void broadcast_encode(int type, const void *body, size_t len, st_sink *k);

/* broadcast_check.c: the invariants, over process states and over a trace.
 *
 * The state checker reads the step's broadcast and deliver events after every step and
 * keeps its own record in fixed memory (about 50 KB, owned by the world and copied with its
 * snapshots): per node its delivered prefix and a window past it (validity, no duplication,
 * FIFO), its causal vector clock computed from what it delivered and broadcast (not from the
 * protocol's own vc, so a protocol that keeps none is checked too), the vector clock of each
 * sender's last BC_CK_MSGS messages (older ones are checked for FIFO only), and the last
 * BC_CK_TOTAL entries of the common delivery sequence (total order: a node more than that
 * far behind the leader is not compared). */
#define BC_CK_MSGS 32
#define BC_CK_TOTAL 1024
#define BC_CK_WIN 2                 /* 64-bit words past the prefix: 128 seqs */
typedef struct {
	uint32_t seq;               /* 0: empty */
	uint32_t vc[BC_MAX_NODES];
} bc_ck_msg;
typedef struct {
	uint32_t seq;
	uint8_t origin, who;        /* the message; the node first seen delivering it there */
	uint16_t pad;
} bc_ck_tot;
typedef struct {
	uint32_t bcast[BC_MAX_NODES];       /* per sender: highest seq broadcast */
	uint32_t vc[BC_MAX_NODES][BC_MAX_NODES];            /* per node: its causal clock */
	uint32_t base[BC_MAX_NODES][BC_MAX_NODES];          /* per node, sender: prefix */
	uint64_t win[BC_MAX_NODES][BC_MAX_NODES][BC_CK_WIN];/* ... and delivered past it */
	uint32_t ndel[BC_MAX_NODES];                        /* per node: deliveries */
	uint32_t ntot;                                      /* length of the common sequence */
	bc_ck_msg msg[BC_MAX_NODES][BC_CK_MSGS];            /* by sender, seq % BC_CK_MSGS */
	bc_ck_tot tot[BC_CK_TOTAL];                         /* k-th delivery at (k-1) % ... */
} bc_checker;

bool broadcast_check(void *check_state, const st_param_val *params, const st_view *v,
		     st_violation *out);
void *broadcast_trace_check_new(const st_trace_info *info);
bool broadcast_trace_check(void *tc, const st_tev *e, st_violation *out);
bool broadcast_trace_check_end(void *tc, st_violation *out);
void broadcast_trace_check_free(void *tc);
/* broadcast_class.c: message classes for the diagram */
#define BC_MSG_CLASSES 5
extern const char *const broadcast_msg_classes[BC_MSG_CLASSES];
int broadcast_msg_class(int from, int type, const void *body, size_t len);
/* broadcast_picture.c: delivered prefixes and the hold-back queue */
void broadcast_picture(const void *state, st_role role, int self, int nnodes, int nprocs,
		       st_picture *out);

#endif
