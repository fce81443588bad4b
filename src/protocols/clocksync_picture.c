/* clocksync_picture.c: the physical-clock lesson's picture of a process
 * (st_protocol.picture).
 *
 * The clock values the lesson is about: a client's raw clock, the correction it applies and
 * the corrected time it reads, and the last round's offset (theta) and round trip (delta);
 * the server's clock. Milliseconds with three decimals, as the inspector shows times. */
#include <stdio.h>

#include "clocksync.h"

static void clocksync_picture_ms(st_picture *out, const char *label, int64_t us, int flags)
{
	char buf[40];
	out->row(out, label);
	snprintf(buf, sizeof buf, "%s%lld.%03lld ms", us < 0 ? "-" : "",
		 (long long)((us < 0 ? -us : us) / 1000), (long long)((us < 0 ? -us : us) % 1000));
	out->cell(out, buf, -1, flags);
}

void clocksync_picture(const void *state, st_role role, int self, int nnodes, int nprocs,
		       st_picture *out)
{
	(void)self;
	(void)nnodes;
	(void)nprocs;
	const clocksync_state *s = state;
	if (role != ST_ROLE_NODE)
		return;
	clocksync_picture_ms(out, "local", s->local_us, s->server ? ST_PIC_BOLD : 0);
	if (s->server)
		return;
	clocksync_picture_ms(out, "corrected", s->local_us + s->correction_us,
			     s->synced ? ST_PIC_BOLD : ST_PIC_DIM);
	clocksync_picture_ms(out, "correction", s->correction_us, 0);
	if (s->syncs) {
		clocksync_picture_ms(out, "theta", s->last.theta, 0);
		clocksync_picture_ms(out, "delta", s->last.delta, 0);
	}
}
