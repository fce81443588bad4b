/* raft_live_size.c: how much of a Raft state is live, for --search (protocol.h, live_size).
 *
 * A node's state ends in a 1024-entry log of which only log[0..log_len] is ever read before
 * it is written (the sentinel and the entries); a client's state is the client struct. A
 * search that hashes and stores only these bytes handles ~1 KB per node instead of ~49.5 KB. */
#include "raft.h"

size_t raft_live_size(const void *state, st_role role)
{
	const raft_state *s = state;
	if (role != ST_ROLE_NODE)
		return offsetof(raft_state, c) + sizeof s->c;
	uint32_t len = s->n.log_len < RAFT_LOG_MAX ? s->n.log_len : RAFT_LOG_MAX;
	return offsetof(raft_state, n.log) + (size_t)(len + 1) * sizeof(raft_entry);
}
