/* sim_queue.c: the world's event queue (see sim_internal.h).
 *
 * A binary heap ordered by (time, sequence number): the sequence number makes the order total,
 * so two items at the same microsecond always run in the order they were queued and a run is a
 * function of its seed. Items held by a paused process wait in a side list until it resumes. */
#include "sim_internal.h"


static bool sim_queue_less(const qitem *a, const qitem *b)
{
	return a->t_us < b->t_us || (a->t_us == b->t_us && a->seq < b->seq);
}

void sim_queue_push(st_sim *s, int64_t t_us, int type, int proc, uint16_t aux, uint32_t arg)
{
	st_grow32(&s->q, &s->qcap, (size_t)s->nq + 1, sizeof *s->q);
	qitem it = {t_us, s->c.seq++, arg, aux, (uint8_t)type, (uint8_t)proc};
	uint32_t i = s->nq++;
	while (i > 0) {
		uint32_t parent = (i - 1) / 2;
		if (!sim_queue_less(&it, &s->q[parent]))
			break;
		s->q[i] = s->q[parent];
		i = parent;
	}
	s->q[i] = it;
}

/* Put `it` at hole i and move it up or down until the heap holds again. */
static void sim_queue_place(st_sim *s, uint32_t i, qitem it)
{
	while (i > 0 && sim_queue_less(&it, &s->q[(i - 1) / 2])) {
		s->q[i] = s->q[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = i;
		const qitem *best = &it;
		if (l < s->nq && sim_queue_less(&s->q[l], best)) {
			m = l;
			best = &s->q[l];
		}
		if (r < s->nq && sim_queue_less(&s->q[r], best))
			m = r;
		if (m == i)
			break;
		s->q[i] = s->q[m];
		i = m;
	}
	s->q[i] = it;
}

/* Remove the item at index i (the last one fills its hole). */
void sim_queue_remove_at(st_sim *s, uint32_t i)
{
	qitem last = s->q[--s->nq];
	if (i < s->nq)
		sim_queue_place(s, i, last);
}

qitem sim_queue_pop(st_sim *s)
{
	qitem top = s->q[0];
	sim_queue_remove_at(s, 0);
	return top;
}

/* Manual mode: the earliest item that is neither a delivery nor a timer (those wait to be
 * chosen). A linear scan: manual mode is driven by a person, one choice at a time. */
bool sim_queue_pop_automatic(st_sim *s, qitem *out)
{
	uint32_t best = UINT32_MAX;
	for (uint32_t i = 0; i < s->nq; i++) {
		if (s->q[i].type == Q_DELIVER || s->q[i].type == Q_TIMER)
			continue;
		if (best == UINT32_MAX || sim_queue_less(&s->q[i], &s->q[best]))
			best = i;
	}
	if (best == UINT32_MAX)
		return false;
	*out = s->q[best];
	sim_queue_remove_at(s, best);
	return true;
}


void sim_queue_hold(st_sim *s, const qitem *it)
{
	st_grow32(&s->held, &s->heldcap, (size_t)s->nheld + 1, sizeof *s->held);
	s->held[s->nheld++] = *it;
}

