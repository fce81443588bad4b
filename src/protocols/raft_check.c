/* raft_check.c: Raft's safety properties (Figure 3 of the Raft paper), checked two ways.
 *
 * raft_check() runs after every step of a simulation with --check. It sees only the states of
 * all processes and its own fixed memory (raft_checker in raft.h, copied with world
 * snapshots), so it remembers what it must compare against later: who led each term, which
 * entries have been committed (and in which term), which entries were applied at each index.
 * raft_trace_check*() checks a recorded trace for --verify from what the trace says: leaders
 * from the `state` of events, applies from the `local` "apply" events. It may allocate. With
 * raft_state_fields (what every recorded node state holds) and the summary counts, this is
 * all --verify knows of Raft: the core names no protocol.
 *
 * Both exist so a broken variant (the "commit-old-term" bug) is caught the moment it does
 * harm, with a message that names the nodes, the term and the index. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/mem.h"
#include "../base/names.h"
#include "raft.h"

/* ---------------------------------------------------------------------------------------- */
/* Over process states                                                                        */

static const raft_node *raft_ck_node(const st_view *v, int p)
{
	return &((const raft_state *)v->states[p])->n;
}

static bool raft_ck_up(const st_view *v, int p) { return !v->up || v->up[p]; }

static int raft_ck_nnodes(const st_view *v)
{
	return v->nnodes < ST_MAX_PROCS ? v->nnodes : ST_MAX_PROCS;
}

/* A log length as the checker trusts it: never past the array. */
static uint32_t raft_ck_len(const raft_node *n)
{
	return n->log_len <= RAFT_LOG_MAX ? n->log_len : RAFT_LOG_MAX;
}

static bool raft_ck_fail(st_violation *out, const char *inv)
{
	out->invariant = inv;
	return false;
}

/* Election safety: at most one leader per term, over the whole run (see the window in
 * raft.h). A crashed node's frozen state is not a leader that acts, so only up nodes count. */
static bool raft_ck_election(raft_checker *k, const st_view *v, st_violation *out)
{
	for (int p = 0; p < raft_ck_nnodes(v); p++) {
		const raft_node *n = raft_ck_node(v, p);
		if (!raft_ck_up(v, p) || n->role != RAFT_LEADER)
			continue;
		uint32_t slot = n->term % RAFT_CHECK_TERMS;
		if (k->lead_term[slot] == n->term && k->lead_who[slot] != 0 &&
		    k->lead_who[slot] != p + 1) {
			snprintf(out->detail, sizeof out->detail,
				 "n%d and n%d are both leaders of term %u", k->lead_who[slot], p + 1,
				 (unsigned)n->term);
			return raft_ck_fail(out, "election safety");
		}
		k->lead_term[slot] = n->term;
		k->lead_who[slot] = (int8_t)(p + 1);
	}
	return true;
}

/* Log matching: if two logs hold an entry with the same index and term, they are identical up
 * to it. The hash chain makes "identical up to i" one comparison, so per pair it is enough to
 * look at the highest index where the terms agree. */
static bool raft_ck_log_matching(const st_view *v, st_violation *out)
{
	int nn = raft_ck_nnodes(v);
	for (int a = 0; a < nn; a++) {
		const raft_node *A = raft_ck_node(v, a);
		for (int b = a + 1; b < nn; b++) {
			const raft_node *B = raft_ck_node(v, b);
			uint32_t la = raft_ck_len(A), lb = raft_ck_len(B);
			uint32_t i = la < lb ? la : lb;
			while (i > 0 && A->log[i].term != B->log[i].term)
				i--;
			if (i == 0 || A->log[i].hash == B->log[i].hash)
				continue;
			uint32_t j = 1;
			while (j < i && A->log[j].hash == B->log[j].hash)
				j++;
			snprintf(out->detail, sizeof out->detail,
				 "n%d and n%d both hold an entry of term %u at index %u, but their "
				 "logs differ at index %u (terms %u and %u)", a + 1, b + 1,
				 (unsigned)A->log[i].term, (unsigned)i, (unsigned)j,
				 (unsigned)A->log[j].term, (unsigned)B->log[j].term);
			return raft_ck_fail(out, "log matching");
		}
	}
	return true;
}

/* Remember every newly committed entry, then leader completeness: a leader of a term after
 * the one an entry was committed in holds that entry. The first node seen with commit >= i
 * is the leader that committed it (followers learn commit from it in a later step), so its
 * current term is the commit term; were the checker turned on late, a follower's term would
 * only make the check weaker, never wrong. */
static bool raft_ck_commits(raft_checker *k, const st_view *v, st_violation *out)
{
	int nn = raft_ck_nnodes(v);
	for (int p = 0; p < nn; p++) {
		const raft_node *n = raft_ck_node(v, p);
		uint32_t c = n->commit < raft_ck_len(n) ? n->commit : raft_ck_len(n);
		for (uint32_t i = k->ncommitted + 1; i <= c; i++) {
			k->committed[i].hash = n->log[i].hash;
			k->committed[i].term = n->log[i].term;
			k->committed[i].commit_term = n->term;
			k->commit_by[i] = (uint8_t)p;
		}
		if (c > k->ncommitted)
			k->ncommitted = c;
	}
	for (int p = 0; p < nn; p++) {
		const raft_node *n = raft_ck_node(v, p);
		if (!raft_ck_up(v, p) || n->role != RAFT_LEADER)
			continue;
		for (uint32_t i = 1; i <= k->ncommitted; i++) {
			const raft_ck_commit *e = &k->committed[i];
			if (e->commit_term >= n->term)
				continue;
			if (i <= raft_ck_len(n) && n->log[i].hash == e->hash)
				continue;
			if (i <= raft_ck_len(n))
				snprintf(out->detail, sizeof out->detail,
					 "n%d leads term %u, but its entry %u has term %u where n%d "
					 "committed an entry of term %u in term %u", p + 1,
					 (unsigned)n->term, (unsigned)i, (unsigned)n->log[i].term,
					 k->commit_by[i] + 1, (unsigned)e->term,
					 (unsigned)e->commit_term);
			else
				snprintf(out->detail, sizeof out->detail,
					 "n%d leads term %u with %u entries, lacking entry %u (term %u) "
					 "that n%d committed in term %u", p + 1, (unsigned)n->term,
					 (unsigned)raft_ck_len(n), (unsigned)i, (unsigned)e->term,
					 k->commit_by[i] + 1, (unsigned)e->commit_term);
			return raft_ck_fail(out, "leader completeness");
		}
	}
	return true;
}

/* State machine safety: no two nodes apply different entries at one index. A node's applied
 * entries are log[1..applied]; each is compared once against the first apply seen at its
 * index. A node whose applied index goes down (a restart) is checked again from 1. */
static bool raft_ck_applied(raft_checker *k, const st_view *v, st_violation *out)
{
	for (int p = 0; p < raft_ck_nnodes(v); p++) {
		const raft_node *n = raft_ck_node(v, p);
		uint32_t a = n->applied < raft_ck_len(n) ? n->applied : raft_ck_len(n);
		if (a < k->seen_applied[p])
			k->seen_applied[p] = 0;
		for (uint32_t i = k->seen_applied[p] + 1; i <= a; i++) {
			const raft_entry *e = &n->log[i];
			if (i > k->napplied) {  /* i == napplied + 1: applies go in order */
				k->applied[i].hash = e->hash;
				k->applied[i].term = e->term;
				k->applied[i].who = p;
				k->napplied = i;
				continue;
			}
			if (k->applied[i].hash == e->hash)
				continue;
			char cmd[RAFT_CMD_STR];
			raft_cmd_str(&e->cmd, cmd, sizeof cmd);
			snprintf(out->detail, sizeof out->detail,
				 "n%d applies index %u as term %u (%s), but n%d applied a different "
				 "entry of term %u there", p + 1, (unsigned)i, (unsigned)e->term, cmd,
				 k->applied[i].who + 1, (unsigned)k->applied[i].term);
			k->seen_applied[p] = i - 1;
			return raft_ck_fail(out, "state machine safety");
		}
		k->seen_applied[p] = a;
	}
	return true;
}

bool raft_check(void *check_state, const st_param_val *params, const st_view *v,
		st_violation *out)
{
	(void)params;
	raft_checker *k = check_state;
	if (!k || !v || !v->states || !out)
		return true;
	out->detail[0] = '\0';
	return raft_ck_election(k, v, out) && raft_ck_log_matching(v, out) &&
	       raft_ck_commits(k, v, out) && raft_ck_applied(k, v, out);
}

/* ---------------------------------------------------------------------------------------- */
/* Over a trace (--verify)                                                                    */

/* Terms and indexes index growable arrays; a foreign trace with numbers past this cap is
 * not checked for them rather than holding memory for them: at most 2^20 terms (4 MiB) and
 * log indexes (about 32 MiB), far past what a run of ours reaches (a log holds RAFT_LOG_MAX
 * entries). */
#define RAFT_TC_CAP (1u << 20)

typedef struct {
	int64_t term;
	char *cmd;
	int proc;
	bool set;
} raft_tc_apply;

typedef struct {
	int nprocs, nnodes;
	int64_t *next_apply;    /* per process: the index its next apply must have */
	int *leader;            /* by term: leading process + 1, 0 none, -1 two (reported) */
	size_t nleader;
	raft_tc_apply *applied; /* by index */
	size_t napplied;
	uint64_t leader_terms;  /* for the summary: terms with a leader, indexes applied */
	uint64_t applied_indexes;
} raft_tc;

/* "n3" / "c1" for a message. */
static st_pname raft_tc_name(const raft_tc *tc, int p)
{
	return st_pname_of(p, tc->nnodes, tc->nprocs);
}

/* What a Raft node reports in every recorded state (docs/trace-format.md, "Raft"). */
static const char *const raft_tc_roles[] = {"follower", "candidate", "leader", NULL};
const st_state_field raft_state_fields[RAFT_STATE_FIELDS] = {
	{"role", ST_F_ENUM, raft_tc_roles},
	{"term", ST_F_UINT, NULL},
	{"voted_for", ST_F_PROC_OR_NULL, NULL},
	{"commit", ST_F_UINT, NULL},
	{"log_len", ST_F_UINT, NULL},
};

void *raft_trace_check_new(const st_trace_info *info)
{
	int nprocs = info && info->nprocs > 0 ? info->nprocs : 1;
	raft_tc *tc = st_zalloc(1, sizeof *tc);
	tc->nprocs = nprocs;
	tc->nnodes = info ? info->nnodes : nprocs;
	tc->next_apply = st_alloc((size_t)nprocs * sizeof *tc->next_apply);
	for (int p = 0; p < nprocs; p++)
		tc->next_apply[p] = 1;
	return tc;
}

/* Make arr[want] addressable, zero-filled; false past the cap (a foreign trace's absurd
 * term or index is not checked rather than exhausting memory). */
static bool raft_tc_grow(void *arr, size_t *n, size_t elem, int64_t want)
{
	if (want < 0 || (uint64_t)want >= RAFT_TC_CAP)
		return false;
	st_grow(arr, n, (size_t)want + 1, elem);
	return true;
}

/* The caller (--verify) names the event and its place in the file; the detail names the
 * nodes, the term and the index. */
static bool raft_tc_fail(st_violation *out, const char *inv)
{
	out->invariant = inv;
	return false;
}

bool raft_trace_check(void *tcv, const st_tev *e, st_violation *out)
{
	raft_tc *tc = tcv;
	if (!tc || !e || !out || !e->kind)
		return true;
	out->detail[0] = '\0';
	int p = e->proc;
	if (p < 0 || p >= tc->nprocs)
		return true;
	if (strcmp(e->kind, "restart") == 0)
		tc->next_apply[p] = 1;

	/* Election safety: a state saying leader, with its term. */
	const char *role;
	int64_t term;
	if (e->has_state && e->state_str && e->state_str(e, "role", &role) &&
	    strcmp(role, "leader") == 0 && e->state_int(e, "term", &term) &&
	    raft_tc_grow(&tc->leader, &tc->nleader, sizeof *tc->leader, term)) {
		int *who = &tc->leader[term];
		if (*who > 0 && *who != p + 1) {
			snprintf(out->detail, sizeof out->detail,
				 "%s and %s are both leaders of term %lld",
				 raft_tc_name(tc, *who - 1).s, raft_tc_name(tc, p).s, (long long)term);
			*who = -1;      /* reported: one problem, one report */
			return raft_tc_fail(out, "election safety");
		}
		if (*who == 0) {
			*who = p + 1;
			tc->leader_terms++;
		}
	}

	/* State machine safety: applies in order per node, one entry per index everywhere. */
	if (strcmp(e->kind, "local") != 0 || !e->label || strcmp(e->label, "apply") != 0)
		return true;
	int64_t idx, t;
	const char *cmd;
	if (!e->body_int || !e->body_int(e, "index", &idx) || !e->body_int(e, "term", &t) ||
	    !e->body_str || !e->body_str(e, "cmd", &cmd)) {
		snprintf(out->detail, sizeof out->detail,
			 "%s's apply lacks an integer index, an integer term or a string cmd",
			 raft_tc_name(tc, p).s);
		return raft_tc_fail(out, "apply format");
	}
	/* the next index expected; an absurd index (a foreign trace's) must not overflow */
	int64_t next = idx < INT64_MAX ? idx + 1 : idx;
	if (raft_tc_grow(&tc->applied, &tc->napplied, sizeof *tc->applied, idx)) {
		raft_tc_apply *a = &tc->applied[idx];
		if (a->set && (a->term != t || strcmp(a->cmd, cmd) != 0)) {
			snprintf(out->detail, sizeof out->detail,
				 "%s applies index %lld as term %lld \"%.40s\", but %s applied term "
				 "%lld \"%.40s\" there", raft_tc_name(tc, p).s, (long long)idx,
				 (long long)t, cmd, raft_tc_name(tc, a->proc).s, (long long)a->term,
				 a->cmd);
			tc->next_apply[p] = next;    /* one problem, one report */
			return raft_tc_fail(out, "state machine safety");
		}
		if (!a->set) {
			a->cmd = st_strdup(cmd);
			a->term = t;
			a->proc = p;
			a->set = true;
			tc->applied_indexes++;
		}
	}
	if (idx != tc->next_apply[p]) {
		snprintf(out->detail, sizeof out->detail,
			 "%s applies index %lld, but its next apply should be index %lld (in "
			 "order from 1, again from 1 after a restart)", raft_tc_name(tc, p).s,
			 (long long)idx, (long long)tc->next_apply[p]);
		tc->next_apply[p] = next;
		return raft_tc_fail(out, "state machine safety");
	}
	tc->next_apply[p] = next;
	return true;
}

bool raft_trace_check_end(void *tc, st_violation *out)
{
	(void)tc;
	(void)out;
	return true;    /* every property is checked as the events come */
}

/* "1 term", "2 terms". */
static const char *raft_tc_pl(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

void raft_trace_check_summary(void *tcv, char *buf, size_t n)
{
	const raft_tc *tc = tcv;
	snprintf(buf, n, "raft: %llu %s with a leader, %llu %s applied",
		 (unsigned long long)tc->leader_terms, raft_tc_pl(tc->leader_terms, "term", "terms"),
		 (unsigned long long)tc->applied_indexes,
		 raft_tc_pl(tc->applied_indexes, "entry", "entries"));
}

void raft_trace_check_free(void *tcv)
{
	raft_tc *tc = tcv;
	if (!tc)
		return;
	for (size_t i = 0; i < tc->napplied; i++)
		free(tc->applied[i].cmd);
	free(tc->applied);
	free(tc->leader);
	free(tc->next_apply);
	free(tc);
}
