/* twopc_class.c: the classes of two-phase commit's messages, for the diagram
 * (st_protocol.msg_class).
 *
 * The protocol's two phases and what blocking adds: the voting round (Prepare and the
 * participants' Votes), the decision (Commit or Abort, and the Ack that lets the coordinator
 * drop its log record), and recovery (an uncertain participant's Ask). A decision sent in
 * answer to an Ask stays a decision: it is the same message, and the Ask before it already
 * marks the recovery on the diagram. */
#include <stddef.h>

#include "twopc.h"

enum { TWOPC_CL_VOTE = 0, TWOPC_CL_DECISION, TWOPC_CL_RECOVERY, TWOPC_CL__COUNT };

const char *const twopc_msg_classes[TWOPC_MSG_CLASSES] = {
	[TWOPC_CL_VOTE] = "prepare/vote", [TWOPC_CL_DECISION] = "decision",
	[TWOPC_CL_RECOVERY] = "recovery",
};

static const int twopc_class_of_type[TWOPC_MSG__COUNT] = {
	[TWOPC_MSG_PREPARE] = TWOPC_CL_VOTE, [TWOPC_MSG_VOTE] = TWOPC_CL_VOTE,
	[TWOPC_MSG_COMMIT] = TWOPC_CL_DECISION, [TWOPC_MSG_ABORT] = TWOPC_CL_DECISION,
	[TWOPC_MSG_ACK] = TWOPC_CL_DECISION, [TWOPC_MSG_ASK] = TWOPC_CL_RECOVERY,
};

int twopc_msg_class(int from, int type, const void *body, size_t len)
{
	(void)from;
	(void)body;
	(void)len;
	if (type < 0 || type >= TWOPC_MSG__COUNT)
		return -1;
	return twopc_class_of_type[type];
}
