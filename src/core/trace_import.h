/* trace_import.h: reading a JSON trace (ours or another tool's) back into an st_trace.
 *
 * Why it exists: --replay re-simulates a trace, which needs our protocol, our version and our
 * scenario. A trace from another tool, from an older build, or one whose scenario is gone
 * cannot be re-simulated, yet it is still a complete record of a run: this loads that record
 * as it is, so the terminal program can open it read-only and every view (timeline, messages,
 * nodes, inspector) and stepping work on the recorded events. It reads the contract
 * (docs/trace-format.md), not our exporter's quirks, and checks what the views rely on
 * (dense ids, known kinds, clocks of the right length, every recv and drop naming a sent
 * message) so that a bad file is a message, never a crash later in a view.
 *
 * What the imported trace looks like, where it differs from a simulated one:
 * - Message bodies are not protocol bytes (there is no sender to encode them): each send
 *   event's e->body holds the message body as a kv list, and the st_msgrec has no bytes
 *   (body_len 0). The recv events carry no body of their own.
 * - st_msgrec.type is the index of the type name in t->proto->msg_types when the protocol is
 *   known (a name it lacks is an error), else in t->foreign_msg_types.
 * - Message ids are renumbered 0, 1, ... in send order (the file's only need to be unique);
 *   ours already are, so they stay as they were.
 * - Nested JSON in a body, op or state is flattened: {"a": {"b": 1}, "l": [5]} gives the keys
 *   "a.b" and "l[0]"; an empty object or array is kept as the string "{}" / "[]". Numbers that
 *   are not integers are kept as strings ("0.25"). Keys longer than 255 bytes are skipped.
 * - null is ST_V_PROC -1, integers ST_V_INT (a process reference such as voted_for comes back
 *   as an int, not ST_V_PROC: the file does not say which integers are processes).
 * - Processes keep the file's order. st_trace assumes nodes first, then clients; a foreign
 *   trace that interleaves them gets nnodes / nclients from the counts and every name in
 *   proc_names, but code that decides "node or client" by p < nnodes will be wrong for it
 *   (a limitation: st_trace has no per-process role). Names longer than 7 bytes are cut.
 * - Flags: only EVF_MILESTONE; EVF_STEP is never set (there is no world to rebuild).
 * - A timer event's ref is the index of its label among the protocol's timer names when the
 *   protocol is known, else 0.
 *
 * Errors: NULL and one message `PATH:LINE:COL: what is wrong` in err (`PATH: what` when no
 * place applies, e.g. the file cannot be read or is over 512 MiB). The syntax, UTF-8 and size
 * refusals are trace_read.c's, word for word what --verify and --replay say. The file is only
 * read. */
#ifndef ST_TRACE_IMPORT_H
#define ST_TRACE_IMPORT_H

#include <stddef.h>

#include "trace.h"

#define TRACE_IMPORT_MAX_BYTES ((size_t)512 << 20)

st_trace *trace_import(const char *path, char *err, size_t errlen);

#endif
