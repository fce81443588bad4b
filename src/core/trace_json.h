/* trace_json.h: writing a trace as JSON (docs/trace-format.md, version 1).
 *
 * A hand-written writer rather than cJSON: a million events must go out in under a second and
 * without building a document in memory. One event per line, so readers can stream it. The
 * file itself is written by outfile.c: a regular file through a temporary renamed over it at
 * the end (a reader never sees half a trace, a failed export leaves the old file as it was),
 * a device or FIFO streamed into, a directory refused. */
#ifndef ST_TRACE_JSON_H
#define ST_TRACE_JSON_H

#include <stddef.h>

#include "trace.h"

typedef struct {
	const char *scenario_path;  /* where the scenario was loaded from (for --replay) */
	const char *faults;         /* the --faults words, or NULL */
} tj_meta;

typedef struct tj_writer tj_writer;

/* Open PATH for writing (outfile_open) and write the header. "-" writes to standard output.
 * NULL and a message in err on failure; errno as outfile_open leaves it. */
tj_writer *tj_open(const char *path, const st_trace *t, const tj_meta *meta, char *err,
		   size_t errlen);
void tj_event(tj_writer *w, const st_trace *t, uint32_t id);
/* Finish the document and rename it into place; 0 on success, -1 and a message otherwise
 * (then nothing is left behind and an old file at PATH is as it was). Frees w. */
int tj_close(tj_writer *w, char *err, size_t errlen);

/* Make a trace stream its finished steps into w (memory stays flat). */
void tj_stream(st_trace *t, tj_writer *w);

/* Export a whole in-memory trace. */
int trace_json_export(const st_trace *t, const char *path, const tj_meta *meta, char *err,
		      size_t errlen);

/* A sink that writes JSON members into a growable buffer (for the inspector and tests). */
typedef struct {
	char *buf;
	size_t len, cap;
	int depth;
	unsigned first;   /* bit d: the next member at depth d is the first */
	unsigned arrays;  /* bit d: depth d is an array */
} tj_buf;
void tj_buf_sink(tj_buf *b, st_sink *s);
/* One event as a JSON object appended to b (no separator, no newline). */
void tj_event_json(tj_buf *b, const st_trace *t, uint32_t id);
void tj_buf_free(tj_buf *b);

#endif
