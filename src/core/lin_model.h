/* lin_model.h: the sequential objects a history is checked against, as data.
 *
 * A linearizability checker (lin_check.c) asks one question of a model: "in this state, can
 * this operation take effect, and what state follows?". Everything protocol- or object-
 * specific lives behind that question, in a table of models (lin_models[]): a register with
 * read, write and cas; a key-value store with get, put and append; a new object is a new row.
 *
 * Values. Histories carry values of several shapes (nil, integers, strings, keywords, vectors
 * such as cas's [from to]); lin_vals interns each one, so a value is a 32-bit id and two
 * values are equal exactly when their ids are. A model state is one 64-bit word with the same
 * rule, canonical: equal states have equal words, so the checker hashes and compares states as
 * words. A register's state is the id of the value it holds; a key's string is the id of the
 * interned string (append interns the concatenation), so no model needs a hash or an equality
 * of its own.
 *
 * Operations. A history's operation (ophist.h) has a function name, the invoke's value, the
 * completion's value and type; the model's `make` turns that into a lin_opv it can step, or
 * says the operation cannot matter (a read whose result is unknown, a write that definitely
 * failed) so the checker drops it, or says it is malformed for this model. */
#ifndef ST_LIN_MODEL_H
#define ST_LIN_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- interned values ---- */
typedef enum { LV_NIL = 0, LV_INT, LV_STR, LV_KW, LV_SYM, LV_BOOL, LV_OTHER, LV_VEC, LV_MAP }
	lin_vtype;

typedef struct {
	uint8_t type;       /* lin_vtype */
	uint32_t len;       /* bytes of raw */
	uint32_t raw;       /* offset in lin_vals.bytes, NUL-ended: a string's own bytes; for
			     * other values the same as text */
	uint32_t text;      /* offset in lin_vals.bytes of the printed form (EDN), NUL-ended */
	uint32_t kids, nkids; /* LV_VEC / LV_MAP: offset in lin_vals.kid of the elements */
	int64_t i;          /* LV_INT: the number; LV_BOOL: 0 / 1 */
	uint64_t hash;      /* the pool's hash of it (FNV-1a streams: a concatenation's hash
			     * continues from its first part's) */
} lin_val;

typedef struct { uint32_t tag, x, y, out; } lin_memo;

typedef struct {
	lin_val *v; size_t n, cap;
	char *bytes; size_t nbytes, bytes_cap;
	uint32_t *kid; size_t nkid, kid_cap;
	uint32_t *slot; size_t slot_cap;    /* open addressing: value id + 1, 0 = empty */
	uint64_t *slot_hash;
	/* results a model derived from values (append's concatenation), remembered: a search
	 * steps the same operation from the same state many times */
	lin_memo *memo; size_t memo_cap;   /* direct-mapped */
} lin_vals;

#define LIN_NIL 0u          /* the id of nil in every pool */
#define LIN_NONE UINT32_MAX /* "no value" (an operation without a key) */

void lin_vals_init(lin_vals *p);
void lin_vals_free(lin_vals *p);
/* Intern a scalar: LV_INT takes i; LV_BOOL takes i (0/1); LV_STR takes the raw bytes;
 * LV_KW / LV_SYM / LV_OTHER take their text (":timed-out", "foo", "1.5"). */
uint32_t lin_vals_scalar(lin_vals *p, lin_vtype type, const char *s, size_t len, int64_t i);
/* Intern the string x followed by the string y (both LV_STR), hashing only y's bytes. */
uint32_t lin_vals_concat(lin_vals *p, uint32_t x, uint32_t y);
/* Intern a vector or a map (map: key, value, key, value...). */
uint32_t lin_vals_compound(lin_vals *p, lin_vtype type, const uint32_t *kids, size_t n);
static inline const lin_val *lin_vals_get(const lin_vals *p, uint32_t id) { return &p->v[id]; }
/* The value written as EDN (strings quoted); stays valid until the pool grows. */
const char *lin_vals_text(const lin_vals *p, uint32_t id);
/* A string's raw bytes (NUL-ended), or the EDN text for other values. */
const char *lin_vals_raw(const lin_vals *p, uint32_t id);
/* Write the value into buf for a message, shortened with "..." when long. */
void lin_vals_show(const lin_vals *p, uint32_t id, char *buf, size_t n);
/* The remembered result of f_tag(x, y), or LIN_NONE; remembering may forget older ones. */
uint32_t lin_vals_memo_get(const lin_vals *p, uint32_t tag, uint32_t x, uint32_t y);
void lin_vals_memo_put(lin_vals *p, uint32_t tag, uint32_t x, uint32_t y, uint32_t out);
/* Map lookup by keyword text (":type"); LIN_NONE when absent. */
uint32_t lin_vals_map_get(const lin_vals *p, uint32_t map, const char *kw);

/* ---- operations and models ---- */
/* A history operation's outcome, as the checker needs it. */
enum { LIN_DONE = 0,     /* completed ok: its result is known */
       LIN_FAILED = 1,   /* completed :fail (a definite failure) */
       LIN_OPEN = 2 };   /* :info or never completed: it may take effect later, or never */

typedef struct {
	uint8_t f;          /* the model's own operation index */
	uint8_t known;      /* the output is known (an ok or a definite fail) */
	uint8_t failed;     /* it completed :fail, and for this f that is an observation */
	uint32_t a, b;      /* arguments (value ids) */
	uint32_t out;       /* the observed result (value id) */
} lin_opv;

typedef enum { LIN_MAKE_KEEP = 0, LIN_MAKE_DROP, LIN_MAKE_BAD } lin_make_rc;

typedef struct lin_model {
	const char *name;           /* --model NAME */
	const char *noun;           /* "register", "key": names the object in sentences */
	const char *const *fs;      /* the operation names it knows, NULL-ended */
	/* Turn a history operation into one the model steps. outcome is LIN_DONE, LIN_FAILED or
	 * LIN_OPEN; in is the invoke's value, out the completion's (LIN_NIL when none). On
	 * LIN_MAKE_BAD writes what is wrong into err. */
	lin_make_rc (*make)(lin_vals *p, const char *f, int outcome, uint32_t in, uint32_t out,
			    lin_opv *op, char *err, size_t errlen);
	uint64_t (*init)(lin_vals *p);
	/* Can op take effect in state s? If so *next is the state after it. */
	bool (*step)(lin_vals *p, uint64_t s, const lin_opv *op, uint64_t *next);
	/* "holds 3", "holds \"x 0 1 y\"" */
	void (*describe_state)(const lin_vals *p, uint64_t s, char *buf, size_t n);
	/* The operation in words, who (" by process 3", or "") after its name: "read by process 3
	 * returned 4", "write(3) by process 2", "cas(1 -> 4) by process 1 failed",
	 * "write(3) by process 2 (pending)". */
	void (*describe_op)(const lin_vals *p, const lin_opv *op, const char *who, char *buf,
			    size_t n);
	/* Does op change the state (a write, a successful cas)? For the "after write(1) by 2" of a
	 * stuck operation's sentence. */
	bool (*writes)(const lin_opv *op);
} lin_model;

extern const lin_model lin_model_register, lin_model_kv;
extern const lin_model *const lin_models[];   /* NULL-ended */
const lin_model *lin_model_find(const char *name);

#endif
