/* find.h: finding events by what they say, for search (/) and go-to (:).
 *
 * An event matches a query when the query, ignoring case, is part of its label, its note,
 * its kind ("recv"), its message's type ("AppendEntries") or its process's name, or is one of
 * the "key value" pairs of its body or its state record ("term 7", "commit 4": a value is
 * matched whole, so "term 7" does not find "term 71"). The go-to prompt reads an event id
 * ("e741"), a time ("1.5s", "1500ms", "250us") or else a milestone's label. */
#ifndef ST_FIND_H
#define ST_FIND_H

#include <stdbool.h>
#include <stdint.h>

#include "core/trace.h"

bool find_match(const st_trace *t, uint32_t id, const char *query);

typedef enum { FIND_GOTO_BAD = 0, FIND_GOTO_EVENT, FIND_GOTO_TIME, FIND_GOTO_NAME } find_goto;
/* What a go-to line asks for: an event id or a time in microseconds in *num. */
find_goto find_goto_parse(const char *in, int64_t *num);

#endif
