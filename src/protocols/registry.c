/* registry.c: protocol name -> protocol.
 *
 * One table, so --list, scenario validation and the trace reader agree on what exists. A new
 * protocol is one line here and one file beside it. */
#include <string.h>

#include "protocol.h"

extern const st_protocol raft_protocol;

static const st_protocol *const registry[] = {
	&raft_protocol,
};

const st_protocol *registry_find(const char *name)
{
	for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++)
		if (strcmp(registry[i]->name, name) == 0)
			return registry[i];
	return NULL;
}

const st_protocol *registry_at(int i)
{
	if (i < 0 || (size_t)i >= sizeof registry / sizeof registry[0])
		return NULL;
	return registry[i];
}
