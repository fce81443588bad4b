/* trace_read.h: the one reader of JSON trace files, under --verify, the importer and --replay.
 *
 * It turns a file into a header (the document's top-level members, every one but "events")
 * and a stream of events, each a small cJSON value with the text it came from and the line
 * and column where that text starts, so the caller can place a message at any key of it. It
 * knows the syntax of JSON and the size and text rules of the trace format
 * (docs/trace-format.md), not what the fields mean: the contract is trace_verify.c's, the
 * st_trace the importer's.
 *
 * How it reads: one line at a time (a line is at most TRACE_RD_MAX_LINE bytes), checking each
 * line's UTF-8 as it comes; every top-level member and every event is cut out of the text by a
 * small scanner and parsed on its own, so memory stays at one line and one value whatever the
 * layout: one event per line as our exporter writes it, pretty-printed, or all on one line
 * below the line limit. A document whose "events" come before the header members needs the
 * file twice: a regular file is read ahead for the header and then again from the events;
 * a pipe cannot be, and is refused unless "processes" came first.
 *
 * Refusals: the first problem stops the reader, with one message `PATH:LINE:COL: what is
 * wrong` (`PATH: what` where no place applies: cannot open, cannot read). Nothing is written
 * to the file. */
#ifndef ST_TRACE_READ_H
#define ST_TRACE_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#define TRACE_RD_MAX_LINE ((size_t)16 << 20)    /* a line, newline excluded */
#define TRACE_RD_MAX_VALUE ((size_t)16 << 20)   /* one event, or one header member */
#define TRACE_RD_MAX_HEADER ((size_t)16 << 20)  /* all the header members together */
#define TRACE_RD_MAX_EVENTS ((uint64_t)UINT32_MAX) /* event ids are uint32 */

/* A value as read: its JSON, its text (not NUL-terminated) and where the text begins. Valid
 * until the next call on the reader. */
typedef struct {
	const cJSON *json;
	const char *text;
	size_t len;
	long line, col;
} trace_rd_value;

typedef struct trace_rd trace_rd;

/* Open PATH for reading (never NULL; a file that cannot be opened is an error of the
 * reader, seen by the first call). */
trace_rd *trace_rd_open(const char *path);
void trace_rd_close(trace_rd *r);

/* The header: an object of the top-level members other than "events", in file order; NULL
 * after a refusal. */
const cJSON *trace_rd_header(trace_rd *r);
/* The next event: 1 and *ev, 0 after the last one (the document then read to its end and
 * found well-formed), -1 after a refusal. *index is the event's position in the array. */
int trace_rd_next(trace_rd *r, trace_rd_value *ev, uint64_t *index);

/* The refusal, `PATH:LINE:COL: what`, or NULL while none. */
const char *trace_rd_error(const trace_rd *r);
const char *trace_rd_path(const trace_rd *r);
/* True when the refusal is of a well-formed JSON document that is not an object (`[1, 2]`):
 * JSON, but no trace. */
bool trace_rd_not_object(const trace_rd *r);
/* True once an "events" array was found (its elements are what trace_rd_next gives; a
 * non-array "events" is a header member). */
bool trace_rd_has_events(const trace_rd *r);
/* True when the file was read in one pass (the header came before the events). */
bool trace_rd_one_pass(const trace_rd *r);

/* Header member KEY: its value (the text of its value and where it starts), false when
 * absent. *key_line/col (may be NULL) is where its name is, else 1:1. */
bool trace_rd_member(const trace_rd *r, const char *key, trace_rd_value *out, long *key_line,
		     long *key_col);

/* Places inside a value's text: byte off; member KEY of the object (the value itself when
 * KEY is NULL or absent); element IDX of the array, then its member KEY. */
void trace_rd_at(const trace_rd_value *v, size_t off, long *line, long *col);
void trace_rd_key(const trace_rd_value *v, const char *key, long *line, long *col);
void trace_rd_elem(const trace_rd_value *v, size_t idx, const char *key, long *line, long *col);

#endif
