/* smr_check.c: the invariant of state machine replication, live (check()) and over a recorded
 * trace (--verify), by the same rule.
 *
 * Replica agreement: replicas that applied the same prefix of the total order have the same
 * state. Every apply (and every snapshot taken) is a local event whose body names the prefix
 * (g: commands 1..g applied) and the digest of the store after it; the first digest seen for a
 * prefix is the one every later replica must reach. The live checker remembers the last
 * SMR_CK_WINDOW prefixes (a replica further behind than that is not compared); the trace
 * checker remembers them all, up to a cap. Deterministic commands keep it; the clock-reading
 * command breaks it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/mem.h"
#include "../base/names.h"
#include "smr.h"

#define SMR_TC_CAP (1u << 22)   /* prefixes the trace checker follows */

/* One apply event: (node, prefix g, digest), or false when the event is not one. */
static bool smr_apply_of(const st_tev *e, int nnodes, uint32_t *g, uint64_t *digest)
{
	int64_t gv, dv;
	if (!e->kind || strcmp(e->kind, "local") != 0 || e->proc < 0 || e->proc >= nnodes ||
	    !e->body_int || !e->body_int(e, "g", &gv) || !e->body_int(e, "digest", &dv) ||
	    gv < 1 || gv > UINT32_MAX || dv < 0)
		return false;
	*g = (uint32_t)gv;
	*digest = (uint64_t)dv;
	return true;
}

static bool smr_disagree(st_violation *out, int nnodes, int nprocs, int first, int p,
			 uint32_t g, uint64_t d0, uint64_t d1, uint32_t id)
{
	return st_violate(out, "replica agreement", "%s and %s both applied commands 1..%u, "
			  "yet their stores differ (digest %06llx vs %06llx, event %u)",
			  st_pname_of(first, nnodes, nprocs).s, st_pname_of(p, nnodes, nprocs).s,
			  (unsigned)g, (unsigned long long)(d0 & 0xffffff),
			  (unsigned long long)(d1 & 0xffffff), (unsigned)id);
}

bool smr_check(void *check_state, const st_param_val *params, const st_view *v,
	       st_violation *out)
{
	smr_checker *k = check_state;
	(void)params;
	if (!k || !v || !out)
		return true;
	out->detail[0] = '\0';
	for (int i = 0; i < v->nevents; i++) {
		st_tev e;
		uint32_t g;
		uint64_t d;
		if (!v->event(v, i, &e) || !smr_apply_of(&e, v->nnodes, &g, &d))
			continue;
		uint32_t slot = g % SMR_CK_WINDOW;
		if (k->g[slot] == g) {
			if (k->digest[slot] != d)
				return smr_disagree(out, v->nnodes, v->nprocs, k->proc[slot], e.proc,
						    g, k->digest[slot], d, e.id);
			continue;
		}
		if (k->g[slot] > g)
			continue;       /* older than the window: not compared */
		k->g[slot] = g;
		k->digest[slot] = d;
		k->proc[slot] = e.proc;
	}
	return true;
}

typedef struct {
	int nnodes, nprocs;
	uint64_t *digest;       /* digest[g] + 1, 0 when no replica reached g yet */
	int32_t *first;         /* who reached it first */
	size_t cap, capf;
	uint32_t applies, highest;
} smr_tc;

void *smr_trace_check_new(const st_trace_info *info)
{
	smr_tc *tc = st_zalloc(1, sizeof *tc);
	tc->nnodes = info && info->nnodes > 0 ? info->nnodes : 0;
	tc->nprocs = info && info->nprocs > 0 ? info->nprocs : tc->nnodes;
	return tc;
}

bool smr_trace_check(void *tcv, const st_tev *e, st_violation *out)
{
	smr_tc *tc = tcv;
	uint32_t g;
	uint64_t d;
	if (!tc || !e || !out || !smr_apply_of(e, tc->nnodes, &g, &d) || g >= SMR_TC_CAP)
		return true;
	out->detail[0] = '\0';
	tc->applies++;
	if (g > tc->highest)
		tc->highest = g;
	st_grow(&tc->digest, &tc->cap, (size_t)g + 1, sizeof *tc->digest);
	st_grow(&tc->first, &tc->capf, (size_t)g + 1, sizeof *tc->first);
	if (tc->digest[g] == 0) {
		tc->digest[g] = d + 1;
		tc->first[g] = e->proc;
		return true;
	}
	if (tc->digest[g] != d + 1)
		return smr_disagree(out, tc->nnodes, tc->nprocs, tc->first[g], e->proc, g,
				    tc->digest[g] - 1, d, e->id);
	return true;
}

bool smr_trace_check_end(void *tc, st_violation *out)
{
	(void)tc, (void)out;
	return true;
}

void smr_trace_check_free(void *tcv)
{
	smr_tc *tc = tcv;
	if (!tc)
		return;
	free(tc->digest);
	free(tc->first);
	free(tc);
}

void smr_trace_check_summary(void *tcv, char *buf, size_t n)
{
	const smr_tc *tc = tcv;
	if (!tc || !buf || n == 0)
		return;
	snprintf(buf, n, "smr: %u applies compared, %u commands ordered", (unsigned)tc->applies,
		 (unsigned)tc->highest);
}
