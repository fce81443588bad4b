/* broadcast_class.c: the classes of broadcast's messages, for the diagram
 * (st_protocol.msg_class).
 *
 * One message type (Msg) does three jobs: the origin's first copy, a relay of someone else's
 * message (eager reliable broadcast, gossip) and the sequencer's numbered copy (total order);
 * told apart by who sends it and its flags, they read as the layers of the lecture: what is
 * broadcast, what reliability adds, what ordering adds. Acks (total order by Lamport
 * timestamps) and the clients' traffic are classes of their own. */
#include <stddef.h>
#include <string.h>

#include "broadcast.h"

enum { BC_C_FIRST = 0, BC_C_RELAY, BC_C_ACK, BC_C_ORDER, BC_C_CLIENT, BC_C__COUNT };

const char *const broadcast_msg_classes[BC_MSG_CLASSES] = {
	[BC_C_FIRST] = "first copy", [BC_C_RELAY] = "relay", [BC_C_ACK] = "ack",
	[BC_C_ORDER] = "sequencer order", [BC_C_CLIENT] = "client",
};

static const int broadcast_class_of_type[BC_MSG__COUNT] = {
	[BC_MSG_MSG] = BC_C_FIRST, [BC_MSG_SUBMIT] = BC_C_ORDER, [BC_MSG_ACK] = BC_C_ACK,
	[BC_MSG_REQUEST] = BC_C_CLIENT, [BC_MSG_REPLY] = BC_C_CLIENT,
};

int broadcast_msg_class(int from, int type, const void *body, size_t len)
{
	if (type < 0 || type >= BC_MSG__COUNT)
		return -1;
	if (type != BC_MSG_MSG || !body || len < sizeof(bc_wire))
		return broadcast_class_of_type[type];
	bc_wire w;
	memcpy(&w, body, sizeof w);
	if (w.flags & BC_W_G)
		return BC_C_ORDER;
	return from == w.origin ? BC_C_FIRST : BC_C_RELAY;
}
