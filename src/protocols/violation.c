/* violation.c: filling in an st_violation, for every protocol's invariant check.
 *
 * Each check ends the same way on a violation: name the invariant, say what was seen, return
 * false. One function, so the protocols read as the invariants they check. */
#include <stdarg.h>
#include <stdio.h>

#include "protocol.h"

bool st_violate(st_violation *out, const char *invariant, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out->detail, sizeof out->detail, fmt, ap);
	va_end(ap);
	out->invariant = invariant;
	return false;
}
