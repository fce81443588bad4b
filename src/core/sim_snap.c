/* sim_snap.c: the world as bytes (see sim.h, sim_save and sim_load).
 *
 * Time travel restores the nearest snapshot and re-executes, so a snapshot must be the whole
 * world: the core struct (plain data), then each array with its length. The transient parts
 * of st_sim (the step being run, the standing labels) are empty between steps and are reset on
 * load; the trace is not part of a snapshot. */
#include "sim_internal.h"

typedef struct {
	sim_core c;
	uint32_t nq, nheld, nslots, nfree;
} snap_hdr;

void *sim_save(const st_sim *s, size_t *size)
{
	size_t vcb = (size_t)s->np * (size_t)s->np * sizeof *s->vc;
	size_t stb = (size_t)s->np * s->proto->state_size;
	size_t ckb = s->proto->check_size;
	size_t n = sizeof(snap_hdr) + vcb + stb + ckb + s->nq * sizeof(qitem) +
		   s->nheld * sizeof(qitem) + (size_t)s->nslots * s->slot_size +
		   s->nfree * sizeof(uint32_t);
	uint8_t *b = st_alloc(n), *p = b;
	snap_hdr h = {s->c, s->nq, s->nheld, s->nslots, s->nfree};
	memcpy(p, &h, sizeof h); p += sizeof h;
	memcpy(p, s->vc, vcb); p += vcb;
	memcpy(p, s->states, stb); p += stb;
	memcpy(p, s->check, ckb); p += ckb;
	if (s->nq) { memcpy(p, s->q, s->nq * sizeof(qitem)); p += s->nq * sizeof(qitem); }
	if (s->nheld) { memcpy(p, s->held, s->nheld * sizeof(qitem)); p += s->nheld * sizeof(qitem); }
	if (s->nslots) { memcpy(p, s->pool, (size_t)s->nslots * s->slot_size); p += (size_t)s->nslots * s->slot_size; }
	if (s->nfree) { memcpy(p, s->freel, s->nfree * sizeof(uint32_t)); p += s->nfree * sizeof(uint32_t); }
	*size = n;
	return b;
}

void sim_load(st_sim *s, const void *snap)
{
	const uint8_t *p = snap;
	snap_hdr h;
	memcpy(&h, p, sizeof h); p += sizeof h;
	s->c = h.c;
	size_t vcb = (size_t)s->np * (size_t)s->np * sizeof *s->vc;
	size_t stb = (size_t)s->np * s->proto->state_size;
	memcpy(s->vc, p, vcb); p += vcb;
	memcpy(s->states, p, stb); p += stb;
	memcpy(s->check, p, s->proto->check_size); p += s->proto->check_size;
	if (h.nq > s->qcap) { s->qcap = h.nq; s->q = st_realloc(s->q, s->qcap * sizeof(qitem)); }
	s->nq = h.nq;
	if (h.nq)
		memcpy(s->q, p, h.nq * sizeof(qitem));
	p += h.nq * sizeof(qitem);
	if (h.nheld > s->heldcap) { s->heldcap = h.nheld; s->held = st_realloc(s->held, s->heldcap * sizeof(qitem)); }
	s->nheld = h.nheld;
	if (h.nheld)
		memcpy(s->held, p, h.nheld * sizeof(qitem));
	p += h.nheld * sizeof(qitem);
	s->pool = st_realloc(s->pool, (size_t)h.nslots * s->slot_size);
	s->nslots = h.nslots;
	memcpy(s->pool, p, (size_t)h.nslots * s->slot_size); p += (size_t)h.nslots * s->slot_size;
	s->freel = st_realloc(s->freel, (h.nslots ? h.nslots : 1) * sizeof(uint32_t));
	s->nfree = h.nfree;
	if (h.nfree)
		memcpy(s->freel, p, h.nfree * sizeof(uint32_t));
	for (int q = 0; q < s->np; q++) {
		s->touched[q] = s->force_state[q] = false;
		s->state_ev[q] = s->trigger_ev[q] = TRACE_NONE;
	}
	s->depth = 0;
}

