/* label.c: labels and notes written with printf formats, for every protocol.
 *
 * A handler offers labels as it meets moments worth one ("commit 3", "vote for n2"), each with
 * a priority; the simulator keeps the one that stands (protocol.h). Most labels and notes are
 * formatted, so the formatting is written once, here, and a protocol writes only its words:
 * `if (st_labelf(c, ST_LABEL_PRIO(3), "commit %u", n)) st_notef(c, "...", ...)`, the note
 * written only when the label stands. */
#include <stdarg.h>
#include <stdio.h>

#include "protocol.h"

bool st_labelf(st_ctx *c, int flags, const char *fmt, ...)
{
	char text[32];      /* labels are short: a lane's label, <= 24 characters by convention */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	return st_label(c, text, NULL, flags);
}

void st_notef(st_ctx *c, const char *fmt, ...)
{
	char note[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(note, sizeof note, fmt, ap);
	va_end(ap);
	st_label_note(c, note);
}
