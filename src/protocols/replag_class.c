/* replag_class.c: the classes of replication-lag's messages, for the diagram
 * (st_protocol.msg_class).
 *
 * The lesson has three stories: the clients' writes and reads (where the anomalies show), the
 * leader shipping its log to the followers (Append and Ack: the lag itself) and failover.
 * Failover has no message of its own, but its traffic does: a newly promoted leader starts
 * every follower from a Snapshot of its log (next = 0), which is where a follower's extra
 * entries are discarded, and a client that wrote to the old leader is sent on by a Redirect.
 * An Ack asking for a snapshot belongs to the same story. (A follower down so long that the
 * leader's ring no longer holds its next entry gets a Snapshot too: a catch-up, rare, and
 * drawn as failover traffic.) */
#include <stddef.h>
#include <string.h>

#include "replag.h"

enum { RL_C_CLIENT = 0, RL_C_REPLICATION, RL_C_FAILOVER, RL_C__COUNT };

const char *const rl_msg_classes[RL_MSG_CLASSES] = {
	[RL_C_CLIENT] = "client", [RL_C_REPLICATION] = "replication",
	[RL_C_FAILOVER] = "failover",
};

static const int rl_class_of_type[RL_MSG__COUNT] = {
	[RL_MSG_WRITE] = RL_C_CLIENT, [RL_MSG_WRITE_OK] = RL_C_CLIENT,
	[RL_MSG_REDIRECT] = RL_C_FAILOVER, [RL_MSG_READ] = RL_C_CLIENT,
	[RL_MSG_READ_OK] = RL_C_CLIENT, [RL_MSG_APPEND] = RL_C_REPLICATION,
	[RL_MSG_SNAPSHOT] = RL_C_FAILOVER, [RL_MSG_ACK] = RL_C_REPLICATION,
};

int rl_msg_class(int from, int type, const void *body, size_t len)
{
	(void)from;
	if (type < 0 || type >= RL_MSG__COUNT)
		return -1;
	if (type == RL_MSG_ACK && body && len >= sizeof(rl_ack_m)) {
		rl_ack_m m;
		memcpy(&m, body, sizeof m);
		if (m.need_snap)
			return RL_C_FAILOVER;
	}
	return rl_class_of_type[type];
}
