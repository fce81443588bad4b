/* twopc_check.c: the invariants of two-phase commit, live and over a trace.
 *
 * Atomicity, in two rules, both read from the local events twopc.c records (their bodies
 * carry "txn", and "vote" and/or "outcome"):
 * - agreement: no process commits a transaction another (or the same one) aborted, and the
 *   other way round; the coordinator's decision counts as its outcome;
 * - validity: nobody commits a transaction unless every participant (n2..nN) voted yes on it.
 * One classifier, twopc_ck_event, serves both the live check (fed the step's events) and
 * --verify (fed the trace's), so the two cannot disagree. The memory is a ring of
 * TWOPC_CK_TXNS transactions by id: the coordinator never has more than TWOPC_LOG undecided
 * or unacknowledged ones, so an id that old has no outcome left to come. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/mem.h"
#include "../base/names.h"
#include "twopc.h"

/* The lowest process in a mask, as a name. */
static st_pname twopc_ck_who(uint64_t m, int nnodes)
{
	int p = 0;
	while (p < TWOPC_CK_PROCS - 1 && !(m >> p & 1u))
		p++;
	return st_pname_of(p, nnodes, nnodes);
}

bool twopc_ck_event(twopc_checker *k, int nnodes, const st_tev *e, st_violation *out)
{
	int64_t txn;
	const char *vote = NULL, *outcome = NULL;
	if (!k || !e || !e->kind || strcmp(e->kind, "local") != 0 || e->proc < 0 ||
	    e->proc >= nnodes || e->proc >= TWOPC_CK_PROCS || !e->body_int ||
	    !e->body_int(e, "txn", &txn) || txn <= 0 || txn > UINT32_MAX)
		return true;
	if (e->body_str) {
		if (!e->body_str(e, "vote", &vote))
			vote = NULL;
		if (!e->body_str(e, "outcome", &outcome))
			outcome = NULL;
	}
	twopc_ck_slot *sl = &k->slot[txn % TWOPC_CK_TXNS];
	if (!sl->used || sl->txn < (uint32_t)txn) {
		memset(sl, 0, sizeof *sl);
		sl->used = 1;
		sl->txn = (uint32_t)txn;
	} else if (sl->txn > (uint32_t)txn) {
		return true;    /* older than the ring: see the comment at the top */
	}
	uint64_t bit = (uint64_t)1 << e->proc;
	if (vote && strcmp(vote, "yes") == 0)
		sl->yes |= bit;
	else if (vote && strcmp(vote, "no") == 0)
		sl->no |= bit;
	int n = nnodes < TWOPC_CK_PROCS ? nnodes : TWOPC_CK_PROCS;
	uint64_t parts = (n >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << n) - 1)) & ~(uint64_t)1;
	st_pname me = st_pname_of(e->proc, nnodes, nnodes);
	if (outcome && strcmp(outcome, "commit") == 0) {
		if (e->proc == TWOPC_COORD)
			k->commits++;
		if (sl->abort)
			return st_violate(out, "atomicity", "%s commits t%lld, which %s aborted",
					  me.s, (long long)txn, twopc_ck_who(sl->abort, nnodes).s);
		uint64_t missing = parts & ~sl->yes;
		if (missing)
			return st_violate(out, "commit needs all yes", "%s commits t%lld, but %s "
					  "did not vote yes", me.s, (long long)txn,
					  twopc_ck_who(missing, nnodes).s);
		sl->commit |= bit;
	} else if (outcome && strcmp(outcome, "abort") == 0) {
		if (e->proc == TWOPC_COORD)
			k->aborts++;
		if (sl->commit)
			return st_violate(out, "atomicity", "%s aborts t%lld, which %s committed",
					  me.s, (long long)txn,
					  twopc_ck_who(sl->commit, nnodes).s);
		sl->abort |= bit;
	}
	return true;
}

bool twopc_check(void *check_state, const st_param_val *params, const st_view *v,
		 st_violation *out)
{
	twopc_checker *k = check_state;
	(void)params;
	if (!k || !v || !out || !v->event)
		return true;
	out->detail[0] = '\0';
	for (int i = 0; i < v->nevents; i++) {
		st_tev e;
		if (v->event(v, i, &e) && !twopc_ck_event(k, v->nnodes, &e, out))
			return false;
	}
	return true;
}

/* ---------------------------------------------------------------------------------------- */
/* --verify: the same classifier over a recorded trace                                        */

typedef struct {
	twopc_checker k;
	int nnodes;
} twopc_tc;

static const char *const twopc_tc_roles[] = {"coordinator", "participant", NULL};
static const char *const twopc_tc_states[] = {
	"idle", "collecting votes", "writing log", "committed", "aborted", "log full",
	"working", "prepared (uncertain)", NULL,
};

const st_state_field twopc_state_fields[TWOPC_STATE_FIELDS] = {
	{"role", ST_F_ENUM, twopc_tc_roles},
	{"txn", ST_F_UINT, NULL},
	{"state", ST_F_ENUM, twopc_tc_states},
};

void *twopc_trace_check_new(const st_trace_info *info)
{
	twopc_tc *tc = st_zalloc(1, sizeof *tc);
	tc->nnodes = info && info->nnodes > 0 ? info->nnodes : 1;
	return tc;
}

bool twopc_trace_check(void *tcv, const st_tev *e, st_violation *out)
{
	twopc_tc *tc = tcv;
	if (!tc || !out)
		return true;
	out->detail[0] = '\0';
	return twopc_ck_event(&tc->k, tc->nnodes, e, out);
}

bool twopc_trace_check_end(void *tc, st_violation *out)
{
	(void)tc;
	(void)out;
	return true;
}

void twopc_trace_check_free(void *tc)
{
	free(tc);
}

void twopc_trace_check_summary(void *tcv, char *buf, size_t n)
{
	const twopc_tc *tc = tcv;
	if (!tc || !buf || n == 0)
		return;
	snprintf(buf, n, "twopc: %u transactions committed, %u aborted", (unsigned)tc->k.commits,
		 (unsigned)tc->k.aborts);
}
