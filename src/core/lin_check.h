/* lin_check.h: is a history linearizable? (Wing & Gong's search, Lowe's just-in-time
 * linearization, memoised, one key at a time.)
 *
 * A history is linearizable when every operation can be given one instant between its
 * invocation and its completion such that, taken in the order of those instants, the
 * operations are a legal run of the sequential object (the model, lin_model.h). The checker
 * is protocol-blind: it sees an ophist and a model, nothing of who produced them.
 *
 * How (lin_check.c has the details):
 * - the operations that cannot matter are dropped first: a read that failed or never
 *   returned (it observed nothing, so any state accepts it), a write that definitely failed
 *   (it did not happen); an operation that is :info or never completed stays, able to take
 *   effect at any point after its invocation, or never (its completion is at infinity and
 *   the model lets it leave the state as it is where it cannot apply);
 * - P-compositionality: linearizability is local, so operations on different keys are
 *   checked apart, each key on its own (a history of one unkeyed object is one part);
 * - the search walks the invocations and completions in time order, and tries to linearize
 *   an operation only while no completion of an unlinearized one has been passed (Lowe's
 *   just-in-time linearization); it backtracks at such a completion. Every (set of linearized
 *   operations, model state) reached is remembered in a hash set, and never explored twice;
 * - a budget bounds it: past max_states remembered configurations (or LIN_MAX_CACHE_BYTES
 *   of them, or half that of values the model made) the verdict is LIN_UNKNOWN, never an
 *   unbounded wait or an unbounded heap.
 *
 * On LIN_NOT the result holds the part that fails, its longest linearizable prefix found (in
 * linearization order), the model state after it, and the operations that cannot come next;
 * lin_result_print (or lin_stuck_sentence) says why in words: "read by process 3 returned 4,
 * but the register holds 1 after write(1) by process 2". */
#ifndef ST_LIN_CHECK_H
#define ST_LIN_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lin_model.h"
#include "ophist.h"
#include "trace.h"

typedef enum { LIN_LINEARIZABLE = 0, LIN_NOT = 1, LIN_UNKNOWN = 2, LIN_BAD = 3 } lin_verdict;
extern const char *const lin_verdict_names[4];

#define LIN_DEFAULT_MAX_STATES 20000000u
#define LIN_MAX_CACHE_BYTES ((size_t)512 << 20)

typedef struct {
	uint64_t max_states;    /* the budget: configurations remembered, all parts; 0 = default */
} lin_opts;

typedef struct {
	lin_verdict verdict;
	uint64_t states;        /* configurations remembered, over every part checked */
	size_t nops, ndropped;  /* operations checked, and dropped as unable to matter */
	size_t nparts;          /* keys (parts) checked */
	/* LIN_NOT: the first part that fails (in the order of the keys' first operations) */
	uint32_t key;           /* its key's value id, LIN_NONE for an unkeyed history */
	uint32_t *prefix; size_t nprefix;   /* ophist op indexes, in linearization order */
	uint32_t *stuck; size_t nstuck;     /* ophist op indexes that cannot be placed next */
	uint64_t state;                     /* the model's state after the prefix */
	/* every ophist operation as the model reads it, and whether it was dropped */
	lin_opv *opv; uint8_t *dropped; size_t nopv;
	/* LIN_BAD: an operation the model cannot read, "NAME:LINE:COL: ..." */
	char err[512];
} lin_result;

/* Check h against m. name is used in LIN_BAD messages (the history's file). */
lin_verdict lin_check(ophist *h, const lin_model *m, const lin_opts *o, const char *name,
		      lin_result *r);
/* The clients' operations of a trace held in memory (e.g. at the end of a run), into h
 * (initialised here; the caller frees it with ophist_free, after using it for the words).
 * m NULL: lin_model_guess. */
lin_verdict lin_check_trace(const st_trace *t, const lin_model *m, const lin_opts *o,
			    ophist *h, lin_result *r);
void lin_result_free(lin_result *r);

/* The model a history fits when none is named: the key-value store when it has keys, the
 * register when not, or the first model that knows every operation's name. NULL when none. */
const lin_model *lin_model_guess(const ophist *h);

/* One operation in words, with its process: "write(3) by process 2". Dropped operations
 * and operations the model cannot read are described from the history alone. */
void lin_op_words(const ophist *h, const lin_model *m, const lin_result *r, uint32_t op,
		  char *buf, size_t n);
/* Why stuck operation i of r cannot come next after the prefix. */
void lin_stuck_sentence(const ophist *h, const lin_model *m, const lin_result *r, size_t i,
			char *buf, size_t n);
/* The verdict, and on LIN_NOT the prefix and the stuck operations, for people. */
void lin_result_print(FILE *f, const ophist *h, const lin_model *m, const lin_result *r);

#endif
