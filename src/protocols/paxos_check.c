/* paxos_check.c: Paxos's safety, checked two ways.
 *
 * Safety of consensus is two properties. Agreement: at most one value is chosen, where a value
 * is chosen when a majority of acceptors accept it in one ballot. Validity: only a proposed
 * value (one of the proposers' own: A for n1, B for n2, ...) is chosen, or even accepted.
 * Two more keep the pieces honest: a ballot carries one value (a proposer sends one Accept
 * value per ballot), and a learner learns only the chosen value.
 *
 * paxos_check() runs after every step with --check and in --explore. It watches each
 * acceptor's accepted ballot change from step to step and counts, per ballot, which acceptors
 * accepted it (a ring of recent ballots in the world-owned paxos_checker), so "chosen" is what
 * happened over the run, not what the acceptors hold now (a later ballot overwrites them).
 * paxos_trace_check*() does the same for --verify from the `state` every node event records
 * (accepted_ballot, accepted_value, chosen), parsing the ballot strings ("3.n1") and refusing
 * ones it cannot read. Liveness (something is chosen) is no invariant: the duel lesson shows
 * it failing, and says so with a label instead. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/mem.h"
#include "../base/names.h"
#include "paxos.h"

#define PAXOS_CK_PROBE 16

/* The entry of ballot b: its own, an empty one, or (the table being full there) the one of
 * the lowest ballot nearby, evicted: a ballot that old is long over, as a duel's ballots are
 * hundreds of rounds on. */
static paxos_ck_ballot *paxos_ck_find(paxos_ck_ballot *tab, paxos_ballot b)
{
	uint32_t home = (b.round * 16u + (uint32_t)b.pid) % PAXOS_CK_BALLOTS;
	paxos_ck_ballot *victim = NULL;
	for (uint32_t i = 0; i < PAXOS_CK_PROBE; i++) {
		paxos_ck_ballot *e = &tab[(home + i) % PAXOS_CK_BALLOTS];
		if (e->b.round == 0 || paxos_ballot_cmp(e->b, b) == 0)
			return e;
		if (!victim || paxos_ballot_cmp(e->b, victim->b) < 0)
			victim = e;
	}
	victim->b = (paxos_ballot){0, -1};
	return victim;
}

/* The shared rule: acceptor p has just accepted v in ballot b. Counts it, and reports when
 * it makes a second value chosen or breaks validity. */
static bool paxos_ck_accept(paxos_ck_ballot *tab, int32_t *chosen, paxos_ballot *chosen_b,
			    int nproposers, int need, int p, paxos_ballot b, int32_t v,
			    uint32_t *nchosen, st_violation *out)
{
	paxos_bstr bs = paxos_ballot_str(b);
	if (v < 1 || v > nproposers)
		return st_violate(out, "validity", "n%d accepted %s in ballot %s, a value no "
				  "proposer proposed", p + 1, paxos_value_str(v).s, bs.s);
	paxos_ck_ballot *e = paxos_ck_find(tab, b);
	if (paxos_ballot_cmp(e->b, b) != 0 || e->b.round == 0) {
		e->b = b;
		e->value = v;
		e->mask = 0;
	} else if (e->value != v) {
		return st_violate(out, "one value per ballot", "ballot %s carries %s at one acceptor "
				  "and %s at n%d", bs.s, paxos_value_str(e->value).s,
				  paxos_value_str(v).s, p + 1);
	}
	uint32_t bit = p < 32 ? 1u << p : 0;
	if (e->mask & bit)
		return true;
	e->mask |= bit;
	if (paxos_popcount(e->mask) != need)
		return true;    /* not chosen yet, or counted already */
	(*nchosen)++;
	if (*chosen == 0) {
		*chosen = v;
		*chosen_b = b;
		return true;
	}
	if (*chosen != v)
		return st_violate(out, "agreement", "%s was chosen in ballot %s, and now %s is "
				  "chosen in ballot %s (accepted by %d acceptors, a majority): two "
				  "values chosen", paxos_value_str(*chosen).s,
				  paxos_ballot_str(*chosen_b).s, paxos_value_str(v).s, bs.s, need);
	return true;
}

static bool paxos_ck_learned(int p, int32_t learned, int32_t chosen, st_violation *out)
{
	if (learned == 0 || learned == chosen)
		return true;
	if (chosen == 0)
		return st_violate(out, "learners learn the chosen value", "n%d learned %s, and "
				  "no value has been chosen", p + 1, paxos_value_str(learned).s);
	return st_violate(out, "learners learn the chosen value", "n%d learned %s, but %s is "
			  "the value chosen", p + 1, paxos_value_str(learned).s,
			  paxos_value_str(chosen).s);
}

/* ---------------------------------------------------------------------------------------- */
/* Over process states                                                                        */

bool paxos_check(void *check_state, const st_param_val *params, const st_view *v,
		 st_violation *out)
{
	paxos_checker *k = check_state;
	if (!k || !v || !v->states || !out)
		return true;
	out->detail[0] = '\0';
	int nn = v->nnodes < ST_MAX_PROCS ? v->nnodes : ST_MAX_PROCS;
	int nprop = params ? (int)params[PAXOS_P_PROPOSERS].lo : 2;
	int need = paxos_majority(v->nnodes);
	uint32_t nchosen = 0;
	for (int p = 0; p < nn; p++) {
		const paxos_state *s = v->states[p];
		if (paxos_ballot_cmp(s->acc_b, k->seen[p]) == 0)
			continue;
		k->seen[p] = s->acc_b;
		if (s->acc_b.round == 0)
			continue;
		if (!paxos_ck_accept(k->tab, &k->chosen, &k->chosen_b, nprop, need, p, s->acc_b,
				     s->acc_v, &nchosen, out))
			return false;
	}
	for (int p = 0; p < nn; p++)
		if (!paxos_ck_learned(p, ((const paxos_state *)v->states[p])->chosen, k->chosen,
				      out))
			return false;
	return true;
}

/* ---------------------------------------------------------------------------------------- */
/* Over a trace (--verify)                                                                    */

static const char *const paxos_tc_roles[] = {"proposer", "acceptor", NULL};

const st_state_field paxos_state_fields[PAXOS_STATE_FIELDS] = {
	{"role", ST_F_ENUM, paxos_tc_roles},
	{"promised", ST_F_STR, NULL},
	{"accepted_ballot", ST_F_STR, NULL},
	{"accepted_value", ST_F_STR, NULL},
	{"chosen", ST_F_STR, NULL},
};

typedef struct {
	int nprocs, nnodes, nclients, nproposers, need;
	const st_role *roles;       /* not owned; NULL: nodes first */
	st_role *role_copy;
	paxos_ballot *seen;         /* per process: its accepted ballot at its last state */
	paxos_ck_ballot tab[PAXOS_CK_BALLOTS];
	int32_t chosen;
	paxos_ballot chosen_b;
	uint32_t nchosen, naccepts;
} paxos_tc;

void *paxos_trace_check_new(const st_trace_info *info)
{
	paxos_tc *tc = st_zalloc(1, sizeof *tc);
	tc->nprocs = info && info->nprocs > 0 ? info->nprocs : 1;
	tc->nnodes = info ? info->nnodes : tc->nprocs;
	tc->nclients = info ? info->nclients : 0;
	tc->nproposers = info && info->params ? (int)info->params[PAXOS_P_PROPOSERS].lo : 2;
	tc->need = paxos_majority(tc->nnodes);
	if (info && info->roles) {
		tc->role_copy = st_zalloc((size_t)tc->nprocs, sizeof *tc->role_copy);
		memcpy(tc->role_copy, info->roles, (size_t)tc->nprocs * sizeof *tc->role_copy);
	}
	tc->seen = st_zalloc((size_t)tc->nprocs, sizeof *tc->seen);
	return tc;
}

/* "3.n1" -> {3, 0}; "-" -> no ballot. False when it is neither. */
static bool paxos_tc_ballot(const paxos_tc *tc, const char *s, paxos_ballot *out)
{
	*out = (paxos_ballot){0, -1};
	if (strcmp(s, "-") == 0)
		return true;
	char *end;
	unsigned long r = strtoul(s, &end, 10);
	if (end == s || *end != '.' || r == 0 || r > UINT32_MAX || s[0] == '-' || s[0] == '+')
		return false;
	int p = st_proc_index(end + 1, tc->nnodes, tc->nclients);
	if (p < 0 || p >= tc->nnodes)
		return false;
	*out = (paxos_ballot){(uint32_t)r, p};
	return true;
}

/* "A".."Z" -> 1..26; "-" -> 0. False otherwise. */
static bool paxos_tc_value(const char *s, int32_t *out)
{
	*out = 0;
	if (strcmp(s, "-") == 0)
		return true;
	if (s[0] >= 'A' && s[0] <= 'Z' && s[1] == '\0') {
		*out = s[0] - 'A' + 1;
		return true;
	}
	return false;
}

bool paxos_trace_check(void *tcv, const st_tev *e, st_violation *out)
{
	paxos_tc *tc = tcv;
	if (!tc || !e || !out || !e->has_state || !e->state_str || e->proc < 0 ||
	    e->proc >= tc->nprocs || e->proc >= 32)
		return true;
	if (tc->role_copy ? tc->role_copy[e->proc] != ST_ROLE_NODE : e->proc >= tc->nnodes)
		return true;
	out->detail[0] = '\0';
	const char *bs, *vs, *cs;
	if (!e->state_str(e, "accepted_ballot", &bs) || !e->state_str(e, "accepted_value", &vs) ||
	    !e->state_str(e, "chosen", &cs))
		return st_violate(out, "state format", "n%d's state lacks accepted_ballot, "
				  "accepted_value or chosen", e->proc + 1);
	paxos_ballot b;
	int32_t v, learned;
	if (!paxos_tc_ballot(tc, bs, &b))
		return st_violate(out, "state format", "n%d's accepted_ballot \"%.40s\" is not a "
				  "ballot like 3.n1 (or -)", e->proc + 1, bs);
	if (!paxos_tc_value(vs, &v) || !paxos_tc_value(cs, &learned))
		return st_violate(out, "state format", "n%d's accepted_value or chosen is not a "
				  "value A..Z (or -)", e->proc + 1);
	if (paxos_ballot_cmp(b, tc->seen[e->proc]) != 0) {
		tc->seen[e->proc] = b;
		if (b.round != 0) {
			tc->naccepts++;
			if (!paxos_ck_accept(tc->tab, &tc->chosen, &tc->chosen_b, tc->nproposers,
					     tc->need, e->proc, b, v, &tc->nchosen, out))
				return false;
		}
	}
	return paxos_ck_learned(e->proc, learned, tc->chosen, out);
}

bool paxos_trace_check_end(void *tcv, st_violation *out)
{
	(void)tcv;
	(void)out;
	return true;
}

void paxos_trace_check_free(void *tcv)
{
	paxos_tc *tc = tcv;
	if (!tc)
		return;
	free(tc->role_copy);
	free(tc->seen);
	free(tc);
}

void paxos_trace_check_summary(void *tcv, char *buf, size_t n)
{
	paxos_tc *tc = tcv;
	if (!tc || !buf || n == 0)
		return;
	if (tc->chosen)
		snprintf(buf, n, "paxos: %u acceptances, %u ballots accepted by a majority, the "
			 "first choosing %s", (unsigned)tc->naccepts, (unsigned)tc->nchosen,
			 paxos_value_str(tc->chosen).s);
	else
		snprintf(buf, n, "paxos: %u acceptances, no value chosen", (unsigned)tc->naccepts);
}
