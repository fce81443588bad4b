/* ophist.h: an operation history, what the clients of a system saw, and its readers.
 *
 * A history is a sequence of invocations and completions (Jepsen's vocabulary): a process
 * invokes an operation (f, value), and later the operation completes :ok (it happened, with
 * this result), :fail (it definitely did not happen) or :info (nobody knows: it may take
 * effect at any point after its invocation, or never); an operation never completed is :info
 * too. A process has at most one operation outstanding, so a completion belongs to its
 * process's latest invoke. The linearizability checker (lin_check.h) reads an ophist; the
 * name is ophist rather than history because history.c is the time-travel history.
 *
 * Readers, the format found from the content (ophist_read_file):
 * - our traces (../shared/trace-format.md): invoke and complete events, through trace_import;
 *   an st_trace held in memory can also be fed event by event (ophist_trace_event), which is
 *   how a run checks its own clients at the end while its trace streams away;
 * - Jepsen's EDN histories, one map a line ({:process 3, :type :invoke, :f :get, :key "7",
 *   :value nil}), read by a small real EDN reader (ophist_edn.c); operations of a process that
 *   is not an integer (:nemesis) are not the clients' and are skipped;
 * - Jepsen's log lines (INFO  jepsen.util - 3	:invoke	:read	nil), fields separated by
 *   tabs or runs of spaces; other log lines are skipped.
 * Bad input is a message `PATH:LINE:COL: what is wrong` and false, never a crash: binary
 * data, a truncated form, an unknown :type, a completion without an invoke, a number that does
 * not fit 64 bits, a file over OPHIST_MAX_BYTES. Memory is bounded by the file's size. */
#ifndef ST_OPHIST_H
#define ST_OPHIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "intmap.h"
#include "lin_model.h"
#include "trace.h"

#define OPHIST_MAX_BYTES ((size_t)256 << 20)
#define OPHIST_OPEN_RET UINT32_MAX   /* the ret of an operation that never completed */

typedef enum { OPH_OK = 0, OPH_FAIL, OPH_INFO, OPH_NONE } oph_type;  /* NONE: not completed */
extern const char *const ophist_type_names[4];  /* "ok", "fail", "info", "pending" */

typedef struct {
	int64_t proc;       /* the history's process number (a trace's: its process index) */
	uint32_t f;         /* value id of the function's name (lin_vals_raw gives "read") */
	uint32_t key;       /* value id of the key, LIN_NONE when the operation has none */
	uint32_t in, out;   /* value ids: the invoke's value and the completion's (LIN_NIL) */
	uint8_t type;       /* oph_type */
	uint32_t call, ret; /* places in the history's order of events; ret OPHIST_OPEN_RET */
	uint32_t line, col; /* where the invoke is (a trace's: its event id in line, col 0) */
	uint32_t ret_line;  /* where the completion is, 0 when none */
} oph_op;

typedef struct {
	lin_vals vals;
	oph_op *op; size_t n, cap;
	uint32_t nev;       /* invokes and completions so far: the next event's place */
	intmap open;        /* process -> index + 1 of its outstanding operation */
	bool keyed;         /* some operation has a key */
	const char *format; /* "trace", "edn", "jepsen-log" (static strings) */
	char (*pname)[8];   /* a trace's process names (c1, ...), NULL for Jepsen histories */
	int npname;
} ophist;

void ophist_init(ophist *h);
void ophist_free(ophist *h);

/* The readers' common step. where is "PATH:LINE:COL" for messages. False with err set when
 * the event does not fit: an invoke while the process has one outstanding, a completion with
 * no outstanding invoke or of another function. */
bool ophist_invoke(ophist *h, int64_t proc, const char *f, uint32_t key, uint32_t in,
		   uint32_t line, uint32_t col, const char *where, char *err, size_t errlen);
bool ophist_complete(ophist *h, int64_t proc, oph_type type, const char *f, uint32_t out,
		     uint32_t line, const char *where, char *err, size_t errlen);

/* Read a history file of any of the three formats. */
bool ophist_read_file(const char *path, ophist *h, char *err, size_t errlen);
/* Read from memory (the tests); name is used in messages. Traces need a file. */
bool ophist_read_text(const char *name, const char *text, size_t len, ophist *h, char *err,
		      size_t errlen);

/* One event of a trace held in memory: invokes and completes are added, other kinds ignored.
 * The first call takes the process names from t. */
bool ophist_trace_event(ophist *h, const st_trace *t, uint32_t id, char *err, size_t errlen);
/* Every event of t held in memory. */
bool ophist_from_trace(ophist *h, const st_trace *t, char *err, size_t errlen);

/* " by process 3" or " by c1", for the models' sentences. */
void ophist_who(const ophist *h, const oph_op *op, char *buf, size_t n);

/* ophist_edn.c / ophist_log.c: the two Jepsen readers (text is NUL-ended at len). */
bool ophist_read_edn(const char *name, const char *text, size_t len, ophist *h, char *err,
		     size_t errlen);
bool ophist_read_log(const char *name, const char *text, size_t len, ophist *h, char *err,
		     size_t errlen);

/* ---- the small EDN reader, shared by both Jepsen readers (ophist_edn.c) ---- */
typedef struct {
	const char *name, *s;
	size_t len, i;
	int depth;
	/* offsets of the elements of the form being read at depth pos_depth, for messages */
	size_t *pos; size_t npos, pos_cap;
	int pos_depth;
	char *err; size_t errlen;
	/* where the last place asked for was, so that naming each operation's line stays
	 * linear in the file's size */
	size_t cur_off, cur_start; uint32_t cur_line;
} edn_reader;

/* Read one value at r->i into the pool; false with "NAME:LINE:COL: ..." in err. */
bool edn_read(edn_reader *r, lin_vals *p, uint32_t *out);
/* Skip whitespace, commas and comments; false at the end of the text. */
bool edn_skip_ws(edn_reader *r);
/* LINE and COL (both from 1) of byte offset off of text. */
void ophist_line_col(const char *text, size_t off, uint32_t *line, uint32_t *col);
/* The same for the reader's text, from where it was last asked (offsets that only grow cost
 * only the bytes between them). */
void edn_line_col(edn_reader *r, size_t off, uint32_t *line, uint32_t *col);

#endif
