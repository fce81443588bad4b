/* shrink.c: ddmin over a run's injected actions (see shrink.h).
 *
 * The sublist is kept as a list of indexes into the recorded actions, in order. Two cheap
 * passes come first: drop every action of one kind at once, then find the shortest failing
 * prefix by halving. ddmin then splits it into n chunks and tries each chunk's complement (and
 * each chunk alone); a sublist that still fails becomes the current one, otherwise n doubles,
 * until n reaches the list's length and no single removal fails any more: the result is
 * 1-minimal (unless the budget of replays ran out first). */
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "shrink.h"

typedef struct {
	sw_engine *e;
	sw_check how;
	uint64_t seed, max_steps;
	const sw_list *rec;
	const char *invariant;
	bool *mask;
	uint32_t runs, max_runs;
	sw_result last;
} sh_ctx;

/* Does the run with exactly these actions still break the invariant? */
static bool sh_test(sh_ctx *c, const uint32_t *idx, uint32_t n)
{
	if (c->runs >= c->max_runs)
		return false;
	c->runs++;
	memset(c->mask, 0, c->rec->n * sizeof *c->mask);
	for (uint32_t i = 0; i < n; i++)
		c->mask[idx[i]] = true;
	sw_result r;
	sw_run(c->e, c->how, c->seed, NULL, c->rec, c->mask, c->max_steps, NULL, NULL, NULL, &r);
	bool fails = r.status == SIM_VIOLATION && strcmp(r.invariant, c->invariant) == 0;
	if (fails)
		c->last = r;
	return fails;
}

bool shrink_run(sw_engine *e, sw_check how, uint64_t seed, const sw_list *rec,
		const char *invariant, uint64_t max_steps, uint32_t max_runs, bool *keep,
		shrink_stats *st)
{
	memset(st, 0, sizeof *st);
	sh_ctx c = {e, how, seed, max_steps, rec, invariant, st_zalloc(rec->n + 1, sizeof(bool)), 0,
		    max_runs, {0}};
	uint32_t n = rec->n;
	uint32_t *cur = st_alloc((n + 1) * sizeof *cur), *tmp = st_alloc((n + 1) * sizeof *tmp);
	for (uint32_t i = 0; i < n; i++)
		cur[i] = i;
	st->acts_before = n;
	st->requests_before = sw_list_requests(rec, NULL);
	c.max_runs = max_runs + 1;
	bool ok = sh_test(&c, cur, n);
	c.max_runs = max_runs;
	if (ok) {
		st->steps_before = c.last.steps;
		st->events_before = c.last.events;
		/* the empty list first: the bug may need no fault at all */
		if (n > 0 && sh_test(&c, cur, 0))
			n = 0;
		/* then whole kinds at once (every request, every partition, ...): a few replays
		 * that often take most of the list away before ddmin cuts finer */
		for (int k = 0; k < SW__COUNT && n > 1; k++) {
			uint32_t m = 0;
			for (uint32_t i = 0; i < n; i++)
				if (rec->a[cur[i]].kind != k)
					tmp[m++] = cur[i];
			if (m < n && sh_test(&c, tmp, m)) {
				memcpy(cur, tmp, m * sizeof *cur);
				n = m;
			}
		}
		/* and the shortest prefix that still fails, by halving: the actions after the
		 * ones the bug needs only cost steps */
		uint32_t lo = 0, hi = n;     /* the prefix of hi fails; of lo, not known */
		while (hi - lo > 1 && c.runs < c.max_runs) {
			uint32_t mid = lo + (hi - lo) / 2;
			if (sh_test(&c, cur, mid))
				hi = mid;
			else
				lo = mid;
		}
		n = hi;
		uint32_t parts = 2;
		while (n >= 2 && c.runs < c.max_runs) {
			uint32_t chunk = (n + parts - 1) / parts;
			bool reduced = false;
			for (uint32_t p = 0; p < parts && !reduced; p++) {
				uint32_t lo = p * chunk, hi = lo + chunk < n ? lo + chunk : n;
				if (lo >= hi)
					break;
				/* the complement of chunk p */
				uint32_t m = 0;
				for (uint32_t i = 0; i < n; i++)
					if (i < lo || i >= hi)
						tmp[m++] = cur[i];
				if (sh_test(&c, tmp, m)) {
					memcpy(cur, tmp, m * sizeof *cur);
					n = m;
					parts = parts > 2 ? parts - 1 : 2;
					reduced = true;
				} else if (parts > 2 && sh_test(&c, cur + lo, hi - lo)) {
					memmove(cur, cur + lo, (hi - lo) * sizeof *cur);
					n = hi - lo;
					parts = 2;
					reduced = true;
				}
			}
			if (!reduced) {
				if (parts >= n)
					break;
				parts = parts * 2 < n ? parts * 2 : n;
			}
		}
		if (n == 1 && sh_test(&c, cur, 0))
			n = 0;
		st->budget_spent = c.runs >= c.max_runs;
		/* the final list, run once more so its sizes are the ones reported */
		c.max_runs = c.runs + 1;
		sh_test(&c, cur, n);
		memcpy(keep, c.mask, rec->n * sizeof *keep);
		st->acts_after = n;
		st->requests_after = sw_list_requests(rec, keep);
		st->steps_after = c.last.steps;
		st->events_after = c.last.events;
	}
	st->runs = c.runs;
	free(cur);
	free(tmp);
	free(c.mask);
	return ok;
}
