/* trace.h: the append-only record of a run.
 *
 * Every event the world produces lands here, with its Lamport and vector clock, its label,
 * note, body and the process's state where it changed: exactly what docs/trace-format.md
 * asks for, in a compact in-memory form (about 40 bytes an event plus one 32-bit counter per
 * process for the vector clock). Strings are interned once; bodies and states are flat
 * key/value records in one arena; message bodies in another, keyed by message id.
 *
 * Views read it; the exporter writes it out; the world appends to it. A trace can also stream:
 * with a flush callback set, each finished step is handed over and forgotten, so a long
 * headless export keeps memory flat. Truncation (trace_truncate) is how time travel discards
 * an old future: the past is never rewritten. */
#ifndef ST_TRACE_H
#define ST_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../protocols/protocol.h"

typedef enum {
	KIND_START = 0, KIND_SEND, KIND_RECV, KIND_TIMER, KIND_LOCAL, KIND_CRASH, KIND_RESTART, KIND_INVOKE,
	KIND_COMPLETE,
	KIND_DROP, KIND_PARTITION, KIND_HEAL, KIND_INPUT,
	KIND__COUNT
} st_kind;

typedef struct {
	const char *name;   /* as in the trace format */
	bool proc_event;    /* has proc, lamport, vc */
	char glyph;         /* ASCII mark for the timeline */
} trace_kind_info;
extern const trace_kind_info trace_kinds[KIND__COUNT];
int trace_kind_from_name(const char *name);     /* -1 when unknown */

typedef enum { BY_NONE = 0, BY_SCHEDULE, BY_USER } st_by;
extern const char *const trace_by_names[3];     /* NULL, "schedule", "user" */
typedef enum { DROP_LOSS = 0, DROP_PARTITION, DROP_CRASHED, DROP_USER } st_drop_reason;
extern const char *const trace_drop_names[4];
extern const char *const trace_optype_names[3]; /* "ok", "fail", "info" */

#define TRACE_NONE UINT32_MAX
#define TRACE_WORLD 255     /* proc of a world event */
/* st_event.flags. EVF_STEP marks the first event of a step or of an action: the world can be
 * rebuilt exactly at such a boundary (history.c). It is not exported. */
enum { EVF_MILESTONE = 1, EVF_STEP = 2 };

typedef struct {
	int64_t t_us;
	uint32_t lamport;
	uint32_t ref;       /* send/recv/drop: msg id; complete: invoke event id; timer: timer */
	uint32_t body;      /* kv arena offset of a body, or TRACE_NONE */
	uint32_t state;     /* kv arena offset of the state, or TRACE_NONE */
	uint32_t label;     /* interned string, 0 = none */
	uint32_t note;      /* interned string, 0 = none */
	uint8_t kind;
	uint8_t proc;       /* TRACE_WORLD for world events */
	uint8_t by;         /* st_by */
	uint8_t aux;        /* drop: reason; complete: st_optype; recv/send: 0 */
	uint8_t flags;      /* EVF_* */
	uint8_t pad[3];
} st_event;

/* A message: who sent it, where it ended. */
typedef struct {
	uint32_t send_ev;
	uint32_t end_ev;    /* the first recv or drop, or TRACE_NONE while in flight */
	uint32_t body_off;  /* into the message byte arena */
	uint16_t body_len;
	uint8_t type, from, to;
	uint8_t pending;    /* deliveries still scheduled (a duplicated message has two) */
	uint8_t pad[2];
} st_msgrec;

/* A flat key/value record. A list starts with a header record {key = count, type = 0}. */
typedef struct {
	uint32_t key;       /* interned */
	uint8_t type;       /* st_vtype, or 0 for a list header */
	uint8_t pad[3];
	int64_t v;          /* int, proc (-1 null), bool, or interned string */
} st_kvrec;

typedef struct st_trace st_trace;
typedef void (*trace_flush_fn)(st_trace *t, uint32_t first, uint32_t count, void *user);

struct st_trace {
	/* header */
	char *scenario, *protocol, *protocol_version;
	uint64_t seed;
	int nprocs, nnodes, nclients;
	char proc_names[ST_MAX_PROCS][8];
	const st_protocol *proto;  /* may be NULL for a foreign trace */
	/* The run's parameters, indexed as proto->params (sim_new copies its scenario's), for the
	 * header's "params": so --verify judges a variant's trace by the variant's rules. */
	bool has_params;
	st_param_val params[ST_MAX_PARAMS];
	/* Message type names of an imported trace whose protocol this build does not know
	 * (trace_import.c): st_msgrec.type indexes this table when proto is NULL. Owned; freed
	 * by trace_free. NULL / 0 for every other trace. */
	char **foreign_msg_types; int n_foreign_types;

	/* events [base, base + len): base > 0 only when streaming has forgotten a prefix */
	uint32_t base;
	st_event *ev; uint32_t len, cap;
	uint32_t *vc;       /* len * nprocs */
	uint32_t vc_cap_events;

	st_msgrec *msg; uint32_t msg_base, nmsg, msg_cap;
	uint8_t *bytes; uint32_t nbytes, bytes_cap;

	st_kvrec *kv; uint32_t nkv, kv_cap;

	/* interned strings: id 0 is "" */
	char **str; uint32_t nstr, str_cap;
	uint32_t *str_hash; uint32_t str_hash_cap;
	struct { const char *p; uint32_t id; } str_cache[256];  /* pointer -> id, checked */

	/* streaming */
	trace_flush_fn flush; void *flush_user;
	uint32_t step_first;    /* first event of the step being built */
};

st_trace *trace_new(const char *scenario, const st_protocol *proto, uint64_t seed,
		    int nnodes, int nclients, const char (*names)[8]);
void trace_free(st_trace *t);

/* Total number of events ever appended (including a forgotten streamed prefix). */
static inline uint32_t trace_count(const st_trace *t) { return t->base + t->len; }
/* The event with this id; it must be held (id >= base). */
static inline st_event *trace_at(const st_trace *t, uint32_t id) { return &t->ev[id - t->base]; }
static inline const uint32_t *trace_vc(const st_trace *t, uint32_t id)
{ return &t->vc[(size_t)(id - t->base) * (size_t)t->nprocs]; }
static inline st_msgrec *trace_msg(const st_trace *t, uint32_t msg)
{ return &t->msg[msg - t->msg_base]; }

uint32_t trace_intern(st_trace *t, const char *s);
static inline const char *trace_str(const st_trace *t, uint32_t id) { return t->str[id]; }

/* Append an event; returns its id. vc may be NULL for a world event. */
uint32_t trace_append(st_trace *t, const st_event *e, const uint32_t *vc);
/* Messages: ids are dense from 0 in send order. */
uint32_t trace_add_msg(st_trace *t, uint32_t send_ev, int from, int to, int type,
		       const void *body, size_t len);
static inline const void *trace_msg_body(const st_trace *t, const st_msgrec *m)
{ return t->bytes + m->body_off; }

/* Key/value lists. */
uint32_t trace_kv_from_list(st_trace *t, const st_kv *kv, int n);
uint32_t trace_kv_begin(st_trace *t);
void trace_kv_add(st_trace *t, uint32_t list, const char *key, st_vtype type, int64_t v,
		  const char *s);
static inline uint32_t trace_kv_count(const st_trace *t, uint32_t list)
{ return t->kv[list].key; }
static inline const st_kvrec *trace_kv_items(const st_trace *t, uint32_t list)
{ return &t->kv[list + 1]; }
/* Look up an int (an int, a proc, a bool) or a string in a list; false when absent, or when
 * list is TRACE_NONE or not a list of this trace. */
bool trace_kv_int(const st_trace *t, uint32_t list, const char *key, int64_t *out);
bool trace_kv_str(const st_trace *t, uint32_t list, const char *key, const char **out);
/* A recorded event as a checker sees it (protocol.h's st_tev); false when not held. */
bool trace_tev(const st_trace *t, uint32_t id, st_tev *out);
/* Write a kv list into a sink. */
void trace_kv_emit(const st_trace *t, uint32_t list, st_sink *s);

/* Called by the world when a step is complete: a streaming trace flushes and forgets. */
void trace_step_done(st_trace *t);
/* Forget events from id on (time travel's branch): events, messages sent by them, and the
 * ends of messages that they ended. */
void trace_truncate(st_trace *t, uint32_t id);

/* Happens-before from the vector clocks: 1 when a -> b, -1 when b -> a, 0 when concurrent
 * (or equal / world events). */
int trace_order(const st_trace *t, uint32_t a, uint32_t b);

/* Bytes held, for the benchmark's bytes-per-event figure. */
size_t trace_bytes(const st_trace *t);

#endif
