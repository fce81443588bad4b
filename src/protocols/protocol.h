/* protocol.h: the one door between a protocol and the simulator.
 *
 * A protocol is a pure state machine in the manner of etcd's raft library: it never does I/O,
 * never reads the wall clock, never allocates behind the simulator's back. It only reacts to
 * what the world hands it (a start, a message, a timer, a client operation, a restart) and acts
 * through the function table of its context (send, set a timer, label the current event,
 * record a local step, complete a client operation). Its state is plain data with no pointers,
 * so a snapshot of the world is a copy of bytes.
 *
 * Nothing here includes core headers: a protocol is tested against a fake context in a unit
 * test, and the core depends on this header, never the other way round. */
#ifndef ST_PROTOCOL_H
#define ST_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ST_MAX_PROCS 32     /* nodes + clients; vector clocks and lanes are sized by it */
#define ST_MAX_PARAMS 16    /* parameters a protocol may declare */
#define ST_MAX_TIMERS 8     /* timers per process */
#define ST_NAME_MAX 16      /* an operation's "f", NUL included */

typedef enum { ST_ROLE_NODE = 0, ST_ROLE_CLIENT = 1 } st_role;

/* A sink receives key/value data. describe() and encode() write into one; the JSON exporter,
 * the state recorder of the trace, the nodes pane and the inspector are sinks. Keys and string
 * values need only live for the duration of the call. kv_proc takes a process index, or -1
 * for JSON null. begin/end nest an object (array=false) or an array (array=true); inside an
 * array keys are NULL. State descriptions must be flat (no begin/end): the trace keeps them
 * O(1) in size. */
typedef struct st_sink st_sink;
struct st_sink {
	void (*kv_int)(st_sink *s, const char *key, int64_t v);
	void (*kv_str)(st_sink *s, const char *key, const char *v);
	void (*kv_proc)(st_sink *s, const char *key, int proc);
	void (*kv_bool)(st_sink *s, const char *key, bool v);
	void (*begin)(st_sink *s, const char *key, bool array);
	void (*end)(st_sink *s);
	void *user;
};

/* A small flat key/value list, for the body of a local event. */
typedef enum { ST_V_INT = 1, ST_V_STR, ST_V_PROC, ST_V_BOOL, ST_V_NULL } st_vtype;
typedef struct {
	const char *key;
	st_vtype type;
	int64_t i;          /* ST_V_INT, ST_V_PROC (-1 = null), ST_V_BOOL */
	const char *s;      /* ST_V_STR */
} st_kv;

/* A client operation, Jepsen-style: {"f": "write", "value": 3}. */
typedef enum { ST_OP_OK = 0, ST_OP_FAIL = 1, ST_OP_INFO = 2 } st_optype;
typedef struct {
	char f[ST_NAME_MAX];
	int64_t value;
	bool has_value;
	int node;           /* the node to ask first, or -1 for the client's own choice */
	uint32_t invoke;    /* id of the invoke event; pass it back to complete() */
} st_op;

/* A message as the receiver sees it. The body is the protocol's own bytes, at most
 * protocol->max_msg_size of them. */
typedef struct {
	int from, to;
	int type;           /* index into protocol->msg_types */
	const void *body;
	size_t len;
} st_msg;

/* Flags for st_label(): a milestone is a moment the "run to next milestone" key stops at; a
 * priority (0..127, ST_LABEL_PRIO(n)) says which of a handler's labels stands. */
enum { ST_LABEL_MILESTONE = 1 };
#define ST_LABEL_PRIO(n) (((n) & 0x7f) << 8)
#define ST_LABEL_PRIO_OF(flags) (((flags) >> 8) & 0x7f)

typedef struct st_ctx st_ctx;
struct st_ctx_ops {
	void (*send)(st_ctx *c, int to, int type, const void *body, size_t len);
	void (*set_timer)(st_ctx *c, int timer, int64_t delay_us);  /* re-setting replaces */
	void (*cancel_timer)(st_ctx *c, int timer);
	/* Label the event being handled (the recv, start, ...). The note explains why; either
	 * may be NULL. The simulator owns priority: of the labels a handler offers, the one of
	 * highest ST_LABEL_PRIO stands (a later one of equal priority replaces an earlier);
	 * returns whether this one stands now, so a protocol can skip writing a losing note.
	 * A timer event keeps the timer's name as its label: what a timer's handler labels
	 * becomes a local event of its own, right before that process's next event (or at the
	 * end of the handler). The strings are copied. */
	bool (*label)(st_ctx *c, const char *label, const char *note, int flags);
	/* Set the note of the label that stands now (after a label() that returned true). */
	void (*label_note)(st_ctx *c, const char *note);
	/* Record a local step (an apply, a decision) as its own event, with an optional body. */
	void (*local)(st_ctx *c, const char *label, const char *note, const st_kv *body, int nbody,
		      int flags);
	uint64_t (*random)(st_ctx *c);                  /* from the world's seeded PRNG */
	int64_t (*now_us)(st_ctx *c);                   /* this process's local clock */
	void (*complete)(st_ctx *c, const st_op *op, st_optype type); /* clients only */
};
struct st_ctx {
	int self;           /* process index */
	int nprocs, nnodes, nclients;   /* nodes are 0..nnodes-1, clients follow */
	st_role role;
	const struct st_ctx_ops *ops;
	void *impl;         /* the simulator's, opaque */
};

static inline void st_send(st_ctx *c, int to, int type, const void *body, size_t len)
{ c->ops->send(c, to, type, body, len); }
static inline void st_set_timer(st_ctx *c, int timer, int64_t delay_us)
{ c->ops->set_timer(c, timer, delay_us); }
static inline void st_cancel_timer(st_ctx *c, int timer) { c->ops->cancel_timer(c, timer); }
static inline bool st_label(st_ctx *c, const char *label, const char *note, int flags)
{ return c->ops->label(c, label, note, flags); }
static inline void st_label_note(st_ctx *c, const char *note) { c->ops->label_note(c, note); }
/* The same with printf formats (label.c): st_labelf returns whether the label stands, so
 * the caller writes its note with st_notef only then. */
bool st_labelf(st_ctx *c, int flags, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void st_notef(st_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline void st_local(st_ctx *c, const char *label, const char *note, const st_kv *body,
			    int nbody, int flags)
{ c->ops->local(c, label, note, body, nbody, flags); }
static inline uint64_t st_random(st_ctx *c) { return c->ops->random(c); }
/* A uniform integer in [lo, hi]. */
static inline int64_t st_random_range(st_ctx *c, int64_t lo, int64_t hi)
{ return hi <= lo ? lo : lo + (int64_t)(c->ops->random(c) % (uint64_t)(hi - lo + 1)); }
static inline int64_t st_now_us(st_ctx *c) { return c->ops->now_us(c); }
static inline void st_complete(st_ctx *c, const st_op *op, st_optype t)
{ c->ops->complete(c, op, t); }

/* Parameters: a protocol declares them in a table; the scenario loader validates
 * "params" against it (names, types, ranges) and hands init() the resolved values, indexed
 * as the table. Scenario files speak milliseconds: a param named *_ms is given in ms and the
 * protocol converts. */
typedef enum { ST_P_INT = 1, ST_P_RANGE, ST_P_ENUM, ST_P_BOOL } st_param_type;
typedef struct {
	const char *name;
	st_param_type type;
	int64_t min, max;           /* INT and RANGE bounds, inclusive */
	int64_t def_lo, def_hi;     /* defaults: INT, ENUM (index) and BOOL use def_lo */
	const char *const *choices; /* ENUM: NULL-terminated */
	const char *help;
} st_param_spec;
typedef struct { int64_t lo, hi; } st_param_val;

/* An invariant violation, as the checker reports it. */
typedef struct {
	const char *invariant;      /* "election safety", ... */
	char detail[200];
} st_violation;

/* Fill *out (the invariant's name, a printf-style detail) and return false, for a check's
 * "return st_violate(out, ...)". violation.c. */
bool st_violate(st_violation *out, const char *invariant, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));


/* One event of a trace as a trace-level checker sees it (from --verify, reading JSON). */
typedef struct st_tev st_tev;
struct st_tev {
	uint32_t id;
	int64_t t;
	const char *kind;           /* "start", "recv", ... */
	int proc;                   /* -1 for world events */
	const char *label;          /* NULL when absent */
	bool has_state;
	/* Look up an integer field of the state or the body; false when absent or not an
	 * integer. A null (voted_for: null) reads as -1 and true. */
	bool (*state_int)(const st_tev *e, const char *key, int64_t *out);
	bool (*state_str)(const st_tev *e, const char *key, const char **out);
	bool (*body_int)(const st_tev *e, const char *key, int64_t *out);
	bool (*body_str)(const st_tev *e, const char *key, const char **out);
	void *impl;
};

/* A read-only view of all processes, for the invariant check, and of the events of the step
 * just run: event(v, i, out) fills *out with the i-th of them (0 <= i < nevents), so a checker
 * sees what happened (a delivery, an apply) without the protocol keeping a log of it. */
typedef struct st_view st_view;
struct st_view {
	int nprocs, nnodes, nclients;
	const void *const *states;  /* states[p]: process p's protocol state */
	const bool *up;             /* up[p]: false while crashed */
	int64_t now_us;
	int nevents;
	bool (*event)(const st_view *v, int i, st_tev *out);
	const void *impl;           /* the simulator's */
};
/* What a protocol's recorded states hold, for --verify to check every "state" of a trace
 * without knowing the protocol: each listed key must be present with a value of its type.
 * Keys not listed are allowed (a state may say more). */
typedef enum {
	ST_F_INT = 1,       /* an integer */
	ST_F_UINT,          /* a non-negative integer */
	ST_F_STR,           /* a string */
	ST_F_ENUM,          /* one of the strings in allowed */
	ST_F_PROC,          /* a process index */
	ST_F_PROC_OR_NULL,  /* a process index or null */
	ST_F_BOOL,          /* true or false */
} st_field_type;
typedef struct {
	const char *key;
	st_field_type type;
	const char *const *allowed; /* ST_F_ENUM: NULL-terminated */
} st_state_field;

/* What a trace-level checker is told of the run it checks. params are the trace header's
 * "params" when it records them, else the protocol's defaults, indexed as protocol->params. */
typedef struct {
	int nprocs, nnodes, nclients;
	const st_role *roles;       /* roles[p], p < nprocs (a foreign trace may interleave) */
	const st_param_val *params;
} st_trace_info;

/* How the views show a process's role without knowing the protocol: the value of the state
 * key role_key in one of three colour classes (a leader-like, a contending, a following
 * role). */
enum { ST_STYLE_STRONG = 1, ST_STYLE_ACTIVE, ST_STYLE_QUIET };
typedef struct { const char *value; int style; } st_role_style;

/* What a protocol's picture() writes into: rows, each a label ("log", "next") and cells of
 * short text. A cell's hue is -1 or a number the views turn into a colour (equal hues, equal
 * colours: Raft gives an entry's term); flags say how it stands out. */
enum { ST_PIC_DIM = 1, ST_PIC_BOLD = 2, ST_PIC_MARK = 4, ST_PIC_SEP = 8 };
typedef struct st_picture st_picture;
struct st_picture {
	void (*row)(st_picture *p, const char *label);
	void (*cell)(st_picture *p, const char *text, int hue, int flags);
	void *user;
};

typedef struct st_protocol {
	const char *name;
	const char *version;        /* recorded in traces; --replay refuses another version */
	const char *summary;        /* one line for --list and --help */
	size_t state_size;          /* bytes of one process's state (nodes and clients alike) */
	size_t max_msg_size;        /* the largest body send() is ever given */
	const char *const *msg_types;   int n_msg_types;
	const char *const *timer_names; int n_timers;   /* a timer event's label */
	const st_param_spec *params;    int n_params;

	/* Presentation, all optional: the state key naming a process's role, the role values
	 * with their style (NULL-terminated), and a key shown beside the role on a wide lane
	 * label (its first letter and value: "t7"). */
	const char *role_key;
	const st_role_style *role_styles;
	const char *epoch_key;

	void (*init)(st_ctx *c, void *state, const st_param_val *params);
	void (*on_message)(st_ctx *c, void *state, const st_msg *m);
	void (*on_timer)(st_ctx *c, void *state, int timer);
	void (*on_client)(st_ctx *c, void *state, const st_op *op);   /* clients: a new op */
	/* After a crash: reset volatile state, keep persistent state, set timers again. */
	void (*on_restart)(st_ctx *c, void *state, const st_param_val *params);

	/* Flat key/value lines of a process's visible state: the nodes pane and the trace's
	 * "state". Must be deterministic and cheap: it runs after every event. */
	void (*describe)(const void *state, st_role role, st_sink *s);
	/* A message body for the trace and the inspector. */
	void (*encode)(int type, const void *body, size_t len, st_sink *s);

	/* Invariants over all processes, run after every step when checking is on. check_state
	 * is check_size zeroed bytes owned by the world (and copied with its snapshots), for a
	 * checker that must remember history (who led which term, what was applied where).
	 * Returns false and fills *out on a violation. May be NULL. */
	size_t check_size;
	bool (*check)(void *check_state, const st_param_val *params, const st_view *v,
		      st_violation *out);

	/* Trace-level invariants for --verify: a checker fed the events of a trace in order.
	 * trace_check_new may be given any number of processes the trace format allows (up to
	 * --verify's own limit): size by info->nprocs, never by ST_MAX_PROCS. May be NULL. */
	void *(*trace_check_new)(const st_trace_info *info);
	bool (*trace_check)(void *tc, const st_tev *e, st_violation *out);
	bool (*trace_check_end)(void *tc, st_violation *out);
	void (*trace_check_free)(void *tc);
	/* What the checker counted, one phrase for --verify's summary line ("raft: 2 terms with
	 * a leader, 5 entries applied"), written into buf. May be NULL. */
	void (*trace_check_summary)(void *tc, char *buf, size_t n);
	/* The keys every recorded state of a node and of a client must hold (see
	 * st_state_field); NULL and 0 when nothing is required. */
	const st_state_field *node_fields;   int n_node_fields;
	const st_state_field *client_fields; int n_client_fields;

	/* Coverage for --explore, optional: a small abstract state of the whole world (Raft:
	 * each node's role, and its term, commit index and log length bucketed relative to the
	 * others), so that explore can keep the fault schedules that reach abstract states not
	 * seen before and mutate them. Deterministic; collisions only cost coverage. */
	uint64_t (*abstract)(const st_view *v);

	/* For --search, optional: how many leading bytes of a process's state are live; the
	 * protocol never reads the bytes past them before writing them (Raft: the log up to
	 * log_len), so a search hashes and stores only the live part. NULL: all state_size. */
	size_t (*live_size)(const void *state, st_role role);

	/* Message classes for the diagram (issue 9), optional: names of the classes, and the
	 * class of a message (an index into msg_classes) from its sender, type and body, or
	 * ST_CLASS_INHERIT for "the class of the message whose handling sent it" (a reply to a
	 * heartbeat is a heartbeat), or -1 for none. The views colour, name and hide by class. */
	const char *const *msg_classes; int n_msg_classes;
	int (*msg_class)(int from, int type, const void *body, size_t len);
	/* A process in detail (issue 9), optional: rows of styled cells that the nodes pane and
	 * the inspector draw (Raft: the log as cells coloured by term, the commit index marked,
	 * the leader's nextIndex and matchIndex). The trace's state stays flat; this reads the
	 * live state. self is the process's index; see st_picture. */
	void (*picture)(const void *state, st_role role, int self, int nnodes, int nprocs,
			st_picture *out);
} st_protocol;

#define ST_CLASS_INHERIT (-2)   /* msg_class: the class of the message being handled */

/* registry.c */
const st_protocol *registry_find(const char *name);
const st_protocol *registry_at(int i);   /* NULL past the end */

#endif
