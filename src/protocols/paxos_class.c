/* paxos_class.c: the classes of Paxos's messages, for the diagram (st_protocol.msg_class).
 *
 * The two phases of a ballot are what the lesson walks through, so they are the classes:
 * phase 1 (Prepare and its answer, Promise) reserves a ballot and learns what may already be
 * chosen; phase 2 (Accept) asks the acceptors to accept a value. Accepted goes from every
 * acceptor to every learner: it is how a value becomes known, a class of its own ("learning"),
 * and the busiest one, which hiding it thins out. A Nack answers either a Prepare or an
 * Accept and says nothing of which, so it inherits the class of the message it refuses
 * (ST_CLASS_INHERIT): a refused Prepare is phase 1, a refused Accept phase 2. */
#include <stddef.h>

#include "paxos.h"

enum { PAXOS_C_PHASE1 = 0, PAXOS_C_PHASE2, PAXOS_C_LEARN, PAXOS_C__COUNT };

const char *const paxos_msg_classes[PAXOS_MSG_CLASSES] = {
	[PAXOS_C_PHASE1] = "phase 1", [PAXOS_C_PHASE2] = "phase 2", [PAXOS_C_LEARN] = "learning",
};

static const int paxos_class_of_type[PAXOS_MSG__COUNT] = {
	[PAXOS_MSG_PREPARE] = PAXOS_C_PHASE1, [PAXOS_MSG_PROMISE] = PAXOS_C_PHASE1,
	[PAXOS_MSG_ACCEPT] = PAXOS_C_PHASE2, [PAXOS_MSG_ACCEPTED] = PAXOS_C_LEARN,
	[PAXOS_MSG_NACK] = ST_CLASS_INHERIT,
};

int paxos_msg_class(int from, int type, const void *body, size_t len)
{
	(void)from;
	(void)body;
	(void)len;
	if (type < 0 || type >= PAXOS_MSG__COUNT)
		return -1;
	return paxos_class_of_type[type];
}
