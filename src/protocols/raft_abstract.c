/* raft_abstract.c: Raft's abstract state, for explore's coverage (protocol.h, abstract).
 *
 * Coverage-guided exploration needs a map of the world small enough that reaching a new
 * point of it means something: not the exact terms and indexes (they grow forever, every run
 * would look new) but how the nodes stand to each other. Per node a cell: its role, whether it
 * is up, how far its term is behind the highest term (0, 1, 2 or more), whether its commit
 * index is behind the highest commit, and whether it holds entries it has not committed
 * (none, one, more). The cells are sorted, so which node is in which corner does not count:
 * a stale leader beside a newer one, followers holding uncommitted entries of an old term,
 * those are the corners Figure 8 lives in, whoever the nodes are. */
#include "../base/hash.h"
#include "raft.h"

static uint32_t raft_abstract_bucket(uint32_t v, uint32_t cap) { return v < cap ? v : cap; }

uint64_t raft_abstract(const st_view *v)
{
	uint32_t max_term = 0, max_commit = 0;
	for (int p = 0; p < v->nnodes; p++) {
		const raft_node *n = &((const raft_state *)v->states[p])->n;
		if (n->term > max_term)
			max_term = n->term;
		if (n->commit > max_commit)
			max_commit = n->commit;
	}
	uint8_t cell[ST_MAX_PROCS];
	int nc = 0;
	for (int p = 0; p < v->nnodes && p < ST_MAX_PROCS; p++) {
		const raft_node *n = &((const raft_state *)v->states[p])->n;
		uint32_t uncommitted = n->log_len > n->commit ? n->log_len - n->commit : 0;
		uint8_t c = (uint8_t)((n->role <= RAFT_LEADER ? n->role : 0) |
				      (v->up[p] ? 1 : 0) << 2 |
				      raft_abstract_bucket(max_term - n->term, 2) << 3 |
				      (n->commit < max_commit ? 1 : 0) << 5 |
				      raft_abstract_bucket(uncommitted, 2) << 6);
		/* insertion sort: a handful of nodes */
		int i = nc++;
		while (i > 0 && cell[i - 1] > c) {
			cell[i] = cell[i - 1];
			i--;
		}
		cell[i] = c;
	}
	return st_hash_bytes(cell, (size_t)nc);
}
