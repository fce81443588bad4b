/* trace_verify.h: `spacetime --verify TRACE.json`, a reader that checks a JSON trace.
 *
 * The trace is the contract between the simulator, the views and outside tools
 * (../shared/trace-format.md). The exporter is one side of it; this is the other, written from
 * the contract rather than from trace.c, so a writer bug is caught instead of being read back
 * the same wrong way. It reads any trace (ours or another tool's), never changes the file,
 * never crashes on bad input, and keeps memory flat on our one-event-per-line layout.
 *
 * Messages go to errout as `PATH:LINE:COL: event ID: what is wrong` (at most 20, then
 * "... and N more"); on success one summary line goes to out. Either stream may be NULL. */
#ifndef ST_TRACE_VERIFY_H
#define ST_TRACE_VERIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

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
	bool streamed;              /* read line by line; false: whole-document fallback */
	bool protocol_checked;      /* the protocol's own trace checker ran */
	uint64_t leader_terms;      /* raft traces: terms in which some node was leader */
	uint64_t applied;           /* raft traces: distinct log indexes applied */
} trace_verify_stats;

int trace_verify_file(const char *path, FILE *out, FILE *errout, trace_verify_stats *stats);

#endif
