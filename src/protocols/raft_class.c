/* raft_class.c: the classes of Raft's messages, for the diagram (st_protocol.msg_class).
 *
 * A five-node run after its first election is mostly heartbeats: an AppendEntries that
 * carries no entries, and the reply to it. Naming them apart from the elections, the
 * replication that moves the log and the clients' traffic lets the views colour each class
 * and hide the heartbeats, which is what makes the picture readable again. A reply carries
 * nothing that says what it answers, so AppendReply inherits the class of the message being
 * handled when it was sent (ST_CLASS_INHERIT): a reply to a heartbeat is a heartbeat. */
#include <stddef.h>
#include <string.h>

#include "raft.h"

enum { RAFT_C_ELECTION = 0, RAFT_C_REPLICATION, RAFT_C_HEARTBEAT, RAFT_C_CLIENT, RAFT_C__COUNT };

const char *const raft_msg_classes[RAFT_MSG_CLASSES] = {
	[RAFT_C_ELECTION] = "election", [RAFT_C_REPLICATION] = "replication",
	[RAFT_C_HEARTBEAT] = "heartbeat", [RAFT_C_CLIENT] = "client",
};

/* By type; AppendEntries is decided by its body. */
static const int raft_class_of_type[RAFT_MSG__COUNT] = {
	[RAFT_MSG_REQUEST_VOTE] = RAFT_C_ELECTION, [RAFT_MSG_VOTE_REPLY] = RAFT_C_ELECTION,
	[RAFT_MSG_APPEND] = RAFT_C_REPLICATION, [RAFT_MSG_APPEND_REPLY] = ST_CLASS_INHERIT,
	[RAFT_MSG_CLIENT_REQUEST] = RAFT_C_CLIENT, [RAFT_MSG_CLIENT_REPLY] = RAFT_C_CLIENT,
};

int raft_msg_class(int from, int type, const void *body, size_t len)
{
	(void)from;
	if (type < 0 || type >= RAFT_MSG__COUNT)
		return -1;
	if (type == RAFT_MSG_APPEND) {
		raft_append a;
		if (!body || len < offsetof(raft_append, e))
			return RAFT_C_REPLICATION;
		memcpy(&a, body, offsetof(raft_append, e));
		return a.n == 0 ? RAFT_C_HEARTBEAT : RAFT_C_REPLICATION;
	}
	return raft_class_of_type[type];
}
