/* smr_class.c: the classes of state machine replication's messages, for the diagram
 * (st_protocol.msg_class).
 *
 * The layers of the lesson: the clients' commands (Submit, and the Done that answers it),
 * the sequencer's total order (Order: the command with its place), and catch-up, how a
 * replica that missed an Order gets back in line (the sequencer's Sync announcing how far the
 * order has gone, a replica's Nack asking from where it stopped, the Snapshot that answers
 * when the commands are no longer kept). */
#include <stddef.h>

#include "smr.h"

enum { SMR_C_CLIENT = 0, SMR_C_ORDER, SMR_C_CATCHUP, SMR_C__COUNT };

const char *const smr_msg_classes[SMR_MSG_CLASSES] = {
	[SMR_C_CLIENT] = "client command", [SMR_C_ORDER] = "ordering",
	[SMR_C_CATCHUP] = "catch-up",
};

static const int smr_class_of_type[SMR_MSG__COUNT] = {
	[SMR_MSG_SUBMIT] = SMR_C_CLIENT, [SMR_MSG_DONE] = SMR_C_CLIENT,
	[SMR_MSG_ORDER] = SMR_C_ORDER, [SMR_MSG_SYNC] = SMR_C_CATCHUP,
	[SMR_MSG_NACK] = SMR_C_CATCHUP, [SMR_MSG_SNAPSHOT] = SMR_C_CATCHUP,
};

int smr_msg_class(int from, int type, const void *body, size_t len)
{
	(void)from;
	(void)body;
	(void)len;
	if (type < 0 || type >= SMR_MSG__COUNT)
		return -1;
	return smr_class_of_type[type];
}
