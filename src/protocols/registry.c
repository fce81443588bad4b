/* registry.c: protocol name -> protocol.
 *
 * One table, so --list, scenario validation and the trace reader agree on what exists. A new
 * protocol is one line here and one file beside it. */
#include <string.h>

#include "protocol.h"

extern const st_protocol raft_protocol;
extern const st_protocol chatter_protocol;
extern const st_protocol clocksync_protocol;
extern const st_protocol heartbeat_protocol;
extern const st_protocol rpc_protocol;
extern const st_protocol broadcast_protocol;
extern const st_protocol twopc_protocol;
extern const st_protocol paxos_protocol;
extern const st_protocol replag_protocol;
extern const st_protocol smr_protocol;

/* In the order of the learning path. */
static const st_protocol *const registry[] = {
	&chatter_protocol, &clocksync_protocol, &heartbeat_protocol, &rpc_protocol,
	&broadcast_protocol, &replag_protocol, &smr_protocol, &paxos_protocol, &raft_protocol,
	&twopc_protocol,
};
#define NREG ((int)(sizeof registry / sizeof registry[0]))

const st_protocol *registry_find(const char *name)
{
	for (int i = 0; i < NREG; i++)
		if (strcmp(registry[i]->name, name) == 0)
			return registry[i];
	return NULL;
}

const st_protocol *registry_at(int i)
{
	return i >= 0 && i < NREG ? registry[i] : NULL;
}
