/* trace_verify.h: `spacetime --verify TRACE.json`, the checker of the trace contract.
 *
 * The trace is the contract between the simulator, the views and outside tools
 * (docs/trace-format.md). The exporter is one side of it; this is the other, written from
 * the contract rather than from trace.c, so a writer bug is caught instead of being read back
 * the same wrong way. It reads any trace (ours or another tool's) through trace_read.h, never
 * changes the file, never crashes on bad input, and keeps memory flat apart from a record per
 * message and per client operation. It names no protocol: a protocol declares in protocol.h
 * what its states hold and what its trace checker checks.
 *
 * Messages go to errout as `PATH:LINE:COL: event ID: what is wrong` (at most 20, then
 * "... and N more"); on success one summary line goes to out. Either stream may be NULL.
 *
 * --replay checks the file with the same checker while it re-simulates, one event at a time
 * (trace_verify_begin / _event / _end), so both modes give a file the same verdict. */
#ifndef ST_TRACE_VERIFY_H
#define ST_TRACE_VERIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../protocols/protocol.h"
#include "trace_read.h"

/* The return value of trace_verify_file, usable as the process's exit status. */
enum {
	TRACE_VERIFY_OK = 0,        /* the trace holds */
	TRACE_VERIFY_BROKEN = 1,    /* JSON, but it breaks the contract */
	TRACE_VERIFY_UNREADABLE = 2, /* cannot be read, or is not JSON (syntax, UTF-8, size) */
	TRACE_VERIFY_VIOLATION = 3  /* the contract holds but a protocol invariant is broken */
};

/* What was read, filled whatever the verdict (for tests and callers that want numbers). */
typedef struct {
	uint64_t events, sent, received, dropped;
	int processes;
	uint64_t problems;          /* all of them, not only the 20 shown */
	bool streamed;              /* read in one pass (the header before the events) */
	bool protocol_checked;      /* the protocol's own trace checker ran */
	char protocol_summary[160]; /* what that checker counted, "" when none */
} trace_verify_stats;

int trace_verify_file(const char *path, FILE *out, FILE *errout, trace_verify_stats *stats);

/* The same, an event at a time. begin reads and checks the header (a refusal of the reader
 * is reported, and every later call does nothing); event checks one event and says whether
 * it kept the contract (an invariant violation still keeps it); end reports what is left,
 * prints the verdict like trace_verify_file, frees the checker and returns the status. The
 * reader stays the caller's. */
typedef struct trace_verify trace_verify;
trace_verify *trace_verify_begin(trace_rd *rd, FILE *errout);
bool trace_verify_event(trace_verify *v, const trace_rd_value *ev, uint64_t index);
/* Report a refusal the caller met (the reader's, usually) as the verdict: unreadable. */
void trace_verify_refused(trace_verify *v, const char *msg);
/* Problems so far that break the contract (an unreadable file counts), and invariant
 * violations. */
uint64_t trace_verify_broken(const trace_verify *v);
uint64_t trace_verify_violations(const trace_verify *v);
int trace_verify_end(trace_verify *v, FILE *out, trace_verify_stats *stats);

/* One of a protocol's parameters as a trace header's "params" records it (an integer, a
 * [lo, hi] pair, a choice by name, true or false); false when it is not a value it takes.
 * The importer reads the header with the same rule. */
struct cJSON;
bool trace_verify_param(const st_param_spec *sp, const struct cJSON *it, st_param_val *out);

#endif
