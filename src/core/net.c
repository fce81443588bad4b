/* net.c: the network of the world (see sim_internal.h).
 *
 * Messages in flight live in a slot pool, each with its body and its sender's clocks, so the
 * world never reads the trace back. A message's fate is drawn when it is sent, in a fixed
 * order from the world's one PRNG (latency, then loss, then duplication), and checked again on
 * arrival (a partition or a crash since); every drop is an event with its reason. The user's
 * message actions (drop, deliver now, duplicate, delay) name a message and which of its copies.
 *
 * The random faults of --explore and --faults are here too: the nemesis decides, at intervals
 * drawn from the seed, to partition, crash, pause, or raise loss or duplication for a while.
 * How often and how long comes from sim_fault_opts (in the manner of TigerBeetle's packet
 * simulator options), so a search can shape the faults per seed. */
#include "sim_internal.h"


static slot_hdr *net_slot_at(const st_sim *s, uint32_t i)
{
	return (slot_hdr *)(s->pool + (size_t)i * s->slot_size);
}
static uint32_t *net_slot_vc(const st_sim *s, slot_hdr *h) { (void)s; return (uint32_t *)(h + 1); }
static uint8_t *net_slot_body(const st_sim *s, slot_hdr *h)
{
	return (uint8_t *)(h + 1) + (size_t)s->np * sizeof(uint32_t);
}

static uint32_t net_slot_alloc(st_sim *s)
{
	if (s->nfree == 0) {
		uint32_t old = s->nslots, grow = old ? old : 16;
		s->nslots += grow;
		s->pool = st_realloc(s->pool, (size_t)s->nslots * s->slot_size);
		memset(s->pool + (size_t)old * s->slot_size, 0, (size_t)grow * s->slot_size);
		s->freel = st_realloc(s->freel, s->nslots * sizeof *s->freel);
		for (uint32_t i = s->nslots; i > old; i--)
			s->freel[s->nfree++] = i - 1;
	}
	uint32_t i = s->freel[--s->nfree];
	slot_hdr *h = net_slot_at(s, i);
	h->flags = SLOT_USED;
	return i;
}

static void net_slot_free(st_sim *s, uint32_t i)
{
	slot_hdr *h = net_slot_at(s, i);
	h->flags = 0;
	h->gen++;
	s->freel[s->nfree++] = i;
}


bool net_blocked(const st_sim *s, int from, int to)
{
	return (s->c.blocked[from] >> to) & 1u;
}

static void net_queue_delivery(st_sim *s, uint32_t slot, int64_t delay_us)
{
	slot_hdr *h = net_slot_at(s, slot);
	h->deliver_us = s->c.now_us + delay_us;
	sim_queue_push(s, h->deliver_us, Q_DELIVER, h->to, h->gen, slot);
}

static uint32_t net_copy_slot(st_sim *s, uint32_t from_slot)
{
	uint32_t n = net_slot_alloc(s);
	slot_hdr *a = net_slot_at(s, from_slot), *b = net_slot_at(s, n);
	uint16_t gen = b->gen;
	memcpy(b, a, s->slot_size);
	b->gen = gen;
	b->flags = SLOT_USED;
	return n;
}

static void net_msg_pending(st_sim *s, uint32_t msg, int delta)
{
	if (msg >= s->tr->msg_base && msg < s->tr->msg_base + s->tr->nmsg && !sim_replaying(s))
		trace_msg(s->tr, msg)->pending = (uint8_t)(trace_msg(s->tr, msg)->pending + delta);
}


/* A protocol's send: the message gets its id, its send event and a slot with the sender's
 * clocks; its fate (latency, loss, duplication) is drawn now, in a fixed order. */
void net_send(st_sim *s, int from, int to, int type, const void *body, size_t len)
{
	if (to < 0 || to >= s->np || type < 0 || type >= s->proto->n_msg_types ||
	    len > s->proto->max_msg_size)
		sim_fatal_protocol(s, "send() with a bad destination, type or size");
	uint32_t msg = s->c.next_msg++;
	uint32_t ev = sim_emit(s, KIND_SEND, from, msg, BY_NONE, 0);
	if (msg >= s->tr->msg_base + s->tr->nmsg)
		trace_add_msg(s->tr, ev, from, to, type, body, len);
	uint32_t slot = net_slot_alloc(s);
	slot_hdr *h = net_slot_at(s, slot);
	h->msg = msg;
	h->lamport = s->c.lamport[from];
	h->send_us = s->c.now_us;
	h->len = (uint16_t)len;
	h->from = (uint8_t)from;
	h->to = (uint8_t)to;
	h->type = (uint8_t)type;
	memcpy(net_slot_vc(s, h), &s->vc[(size_t)from * (size_t)s->np], (size_t)s->np * 4);
	if (len)
		memcpy(net_slot_body(s, h), body, len);
	/* The draws happen in a fixed order, so the run is a function of the seed. */
	int64_t lat = rng_range(&s->c.rng, s->c.lat_lo, s->c.lat_hi);
	if (rng_chance(&s->c.rng, s->c.loss))
		h->flags |= SLOT_LOST;
	if (net_blocked(s, from, to))
		h->flags |= SLOT_BLOCKED;
	bool dup = rng_chance(&s->c.rng, s->c.dup);
	net_queue_delivery(s, slot, lat);
	net_msg_pending(s, msg, 1);
	if (dup) {
		uint32_t d = net_copy_slot(s, slot);
		net_slot_at(s, d)->flags &= (uint8_t)~SLOT_LOST;
		net_queue_delivery(s, d, rng_range(&s->c.rng, s->c.lat_lo, s->c.lat_hi));
		net_msg_pending(s, msg, 1);
	}
}


static uint32_t net_drop(st_sim *s, uint32_t msg, st_drop_reason why, st_by by)
{
	uint32_t id = sim_emit(s, KIND_DROP, -1, msg, by, why);
	if (msg >= s->tr->msg_base && msg < s->tr->msg_base + s->tr->nmsg && !sim_replaying(s) &&
	    id + 1 == trace_count(s->tr)) {
		st_msgrec *m = trace_msg(s->tr, msg);
		if (m->end_ev == TRACE_NONE)
			m->end_ev = id;
	}
	net_msg_pending(s, msg, -1);
	return id;
}

bool net_run_deliver(st_sim *s, const qitem *it)
{
	uint32_t slot = it->arg;
	slot_hdr *h = net_slot_at(s, slot);
	if (!(h->flags & SLOT_USED) || h->gen != it->aux)
		return false;  /* dropped, delivered or rescheduled since */
	int to = h->to, from = h->from;
	uint32_t msg = h->msg;
	if (h->flags & SLOT_LOST) {
		net_drop(s, msg, DROP_LOSS, BY_NONE);
	} else if ((h->flags & SLOT_BLOCKED) || net_blocked(s, from, to)) {
		net_drop(s, msg, DROP_PARTITION, BY_NONE);
	} else if (s->c.status[to] == PROC_CRASHED) {
		net_drop(s, msg, DROP_CRASHED, BY_NONE);
	} else if (s->c.status[to] == PROC_PAUSED) {
		sim_queue_hold(s, it);
		return false;
	} else {
		/* Merge the sender's clocks, then count the receive. */
		uint32_t *vc = &s->vc[(size_t)to * (size_t)s->np], *svc = net_slot_vc(s, h);
		for (int i = 0; i < s->np; i++)
			if (svc[i] > vc[i])
				vc[i] = svc[i];
		if (h->lamport > s->c.lamport[to])
			s->c.lamport[to] = h->lamport;
		uint32_t id = sim_emit(s, KIND_RECV, to, msg, BY_NONE, 0);
		if (msg >= s->tr->msg_base && msg < s->tr->msg_base + s->tr->nmsg &&
		    id + 1 == trace_count(s->tr) && !sim_replaying(s)) {
			st_msgrec *m = trace_msg(s->tr, msg);
			if (m->end_ev == TRACE_NONE)
				m->end_ev = id;
		}
		net_msg_pending(s, msg, -1);
		memcpy(s->scratch, net_slot_body(s, h), h->len);
		st_msg m = {from, to, h->type, s->scratch, h->len};
		net_slot_free(s, slot);
		sim_touch(s, to, id, false);
		s->proto->on_message(&s->ctx[to], sim_state_of(s, to), &m);
		sim_ctx_handled(s, to);
		return true;
	}
	net_slot_free(s, slot);
	return true;
}



static int net_pick_node(st_sim *s, int want_status)
{
	int cand[ST_MAX_PROCS], n = 0;
	for (int p = 0; p < s->nn; p++)
		if (s->c.status[p] == want_status)
			cand[n++] = p;
	return n ? cand[rng_range(&s->c.rng, 0, n - 1)] : -1;
}

bool net_run_fault(st_sim *s, const qitem *it)
{
	uint32_t before = s->c.next_ev;
	const sim_fault_opts *fo = &s->fo;
	int64_t later = rng_range(&s->c.rng, fo->last_lo_us, fo->last_hi_us);
	switch (it->aux) {
	case FA_DECIDE: {
		int kinds[5], nk = 0;
		static const int all[5] = {FAULT_PARTITION, FAULT_CRASH, FAULT_LOSS, FAULT_DUP,
					   FAULT_PAUSE};
		for (int i = 0; i < 5; i++)
			if (s->o.faults & all[i])
				kinds[nk++] = all[i];
		int k = kinds[rng_range(&s->c.rng, 0, nk - 1)];
		if (k == FAULT_PARTITION && s->nn > 1) {
			int8_t g[ST_MAX_PROCS];
			memset(g, -1, sizeof g);
			int side[2] = {0, 0};
			for (int p = 0; p < s->nn; p++)
				side[g[p] = (int8_t)rng_range(&s->c.rng, 0, 1)]++;
			/* a split that leaves one side empty cuts nothing: move one node over */
			if (!side[0] || !side[1]) {
				int p = (int)rng_range(&s->c.rng, 0, s->nn - 1);
				g[p] = (int8_t)!g[p];
			}
			/* clients (in no group) reach both sides, as a client library would */
			sim_partition(s, g, 2, BY_SCHEDULE);
			sim_queue_push(s, s->c.now_us + later, Q_FAULT, 0, FA_HEAL, 0);
		} else if (k == FAULT_CRASH) {
			int p = net_pick_node(s, PROC_UP);
			if (p >= 0) {
				sim_crash(s, p, BY_SCHEDULE);
				sim_queue_push(s, s->c.now_us + later, Q_FAULT, p, FA_RESTART, 0);
			}
		} else if (k == FAULT_PAUSE) {
			int p = net_pick_node(s, PROC_UP);
			if (p >= 0) {
				sim_pause(s, p, BY_SCHEDULE);
				sim_queue_push(s, s->c.now_us + later, Q_FAULT, p, FA_RESUME, 0);
			}
		} else if (k == FAULT_LOSS) {
			sim_set_loss(s, rng_range(&s->c.rng, fo->loss_lo_pct, fo->loss_hi_pct) / 100.0,
				     BY_SCHEDULE);
			sim_queue_push(s, s->c.now_us + later, Q_FAULT, 0, FA_LOSS_END, 0);
		} else if (k == FAULT_DUP) {
			sim_set_duplicate(s, rng_range(&s->c.rng, fo->dup_lo_pct, fo->dup_hi_pct) / 100.0,
					  BY_SCHEDULE);
			sim_queue_push(s, s->c.now_us + later, Q_FAULT, 0, FA_DUP_END, 0);
		}
		sim_queue_push(s, s->c.now_us + rng_range(&s->c.rng, fo->gap_lo_us, fo->gap_hi_us),
			       Q_FAULT, 0, FA_DECIDE, 0);
		break;
	}
	case FA_HEAL: sim_heal(s, BY_SCHEDULE); break;
	case FA_RESTART: sim_restart(s, it->proc, BY_SCHEDULE); break;
	case FA_RESUME: sim_resume(s, it->proc, BY_SCHEDULE); break;
	case FA_LOSS_END: sim_set_loss(s, s->sc->loss, BY_SCHEDULE); break;
	case FA_DUP_END: sim_set_duplicate(s, s->sc->duplicate, BY_SCHEDULE); break;
	}
	return s->c.next_ev != before;
}


/* ---- public ---- */

/* The faults' shape when sim_opts leaves it zero: a decision every 0.1-1.5 s, the first
 * within 0.3-1.5 s; a fault lasts 0.2-3 s; loss 5-40 %, duplication 5-30 %. */
static const sim_fault_opts net_fault_defaults = {
	300000, 1500000, 100000, 1500000, 200000, 3000000, 5, 40, 5, 30,
};

void sim_fault_opts_default(sim_fault_opts *fo) { *fo = net_fault_defaults; }

/* Queue the nemesis's first decision (sim_new, when random faults are on). */
void net_start_faults(st_sim *s)
{
	sim_queue_push(s, rng_range(&s->c.rng, s->fo.first_lo_us, s->fo.first_hi_us), Q_FAULT, 0,
		       FA_DECIDE, 0);
}

void sim_set_fault_opts(st_sim *s, const sim_fault_opts *fo)
{
	s->fo = *fo;
	if (!s->o.faults)
		return;
	for (uint32_t i = 0; i < s->nq; i++)
		if (s->q[i].type == Q_FAULT && s->q[i].aux == FA_DECIDE) {
			sim_queue_remove_at(s, i);
			break;
		}
	net_start_faults(s);
}

static const struct { const char *name; int bit; } net_fault_names[] = {
	{"partition", FAULT_PARTITION}, {"crash", FAULT_CRASH}, {"loss", FAULT_LOSS},
	{"dup", FAULT_DUP}, {"pause", FAULT_PAUSE},
};
#define NET_NFAULT_NAMES ((int)(sizeof net_fault_names / sizeof net_fault_names[0]))

int sim_parse_faults(const char *str, char *err, size_t errlen)
{
	int mask = 0;
	const char *p = str;
	while (*p) {
		size_t n = strcspn(p, ",");
		int found = 0;
		for (int i = 0; i < NET_NFAULT_NAMES; i++)
			if (strlen(net_fault_names[i].name) == n && strncmp(p, net_fault_names[i].name, n) == 0)
				found = net_fault_names[i].bit;
		if (!found) {
			snprintf(err, errlen,
				 "--faults: unknown fault '%.*s'; expected a comma-separated list of "
				 "partition, crash, loss, dup, pause", (int)n, p);
			return -1;
		}
		mask |= found;
		p += n;
		if (*p == ',')
			p++;
	}
	return mask;
}

void sim_faults_string(int mask, char *out, size_t outlen)
{
	size_t at = 0;
	out[0] = 0;
	for (int i = 0; i < NET_NFAULT_NAMES; i++)
		if (mask & net_fault_names[i].bit)
			at += (size_t)snprintf(out + at, at < outlen ? outlen - at : 0, "%s%s",
					       at ? "," : "", net_fault_names[i].name);
}


bool sim_blocked(const st_sim *s, int from, int to) { return net_blocked(s, from, to); }

int sim_groups(const st_sim *s, int8_t *group)
{
	memcpy(group, s->c.group, sizeof s->c.group);
	return s->c.ngroups;
}
double sim_loss(const st_sim *s) { return s->c.loss; }
double sim_duplicate(const st_sim *s) { return s->c.dup; }

static int net_flight_cmp(const void *a, const void *b)
{
	const sim_flight *x = a, *y = b;
	if (x->deliver_us != y->deliver_us)
		return x->deliver_us < y->deliver_us ? -1 : 1;
	if (x->msg != y->msg)
		return x->msg < y->msg ? -1 : 1;
	return x->slot < y->slot ? -1 : x->slot > y->slot;
}

/* Copies of one message in flight (a duplicated one has several) are told apart by their
 * place among that message's copies, in the order the pane lists them: that is what a user
 * picks, and what the trace records so a replay picks the same one. */
static bool net_copy_before(const slot_hdr *a, uint32_t ia, const slot_hdr *b, uint32_t ib)
{
	return a->deliver_us < b->deliver_us || (a->deliver_us == b->deliver_us && ia < ib);
}

static int net_copy_index(const st_sim *s, uint32_t slot)
{
	const slot_hdr *h = net_slot_at(s, slot);
	int n = 0;
	for (uint32_t i = 0; i < s->nslots; i++) {
		const slot_hdr *o = net_slot_at(s, i);
		if (i != slot && (o->flags & SLOT_USED) && o->msg == h->msg &&
		    net_copy_before(o, i, h, slot))
			n++;
	}
	return n;
}

int sim_inflight(const st_sim *s, sim_flight *out, int max)
{
	int n = 0;
	for (uint32_t i = 0; i < s->nq && n < max; i++) {
		const qitem *it = &s->q[i];
		if (it->type != Q_DELIVER)
			continue;
		slot_hdr *h = net_slot_at(s, it->arg);
		if (!(h->flags & SLOT_USED) || h->gen != it->aux)
			continue;
		out[n++] = (sim_flight){h->msg, it->arg, h->from, h->to, h->type, h->send_us,
					h->deliver_us, (h->flags & (SLOT_LOST | SLOT_BLOCKED)) != 0};
	}
	qsort(out, (size_t)n, sizeof *out, net_flight_cmp);
	return n;
}


void sim_partition(st_sim *s, const int8_t *group, int ngroups, st_by by)
{
	sim_begin(s);
	memset(s->c.blocked, 0, sizeof s->c.blocked);
	memset(s->c.group, -1, sizeof s->c.group);
	for (int a = 0; a < s->np; a++) {
		s->c.group[a] = group[a];
		for (int b = 0; b < s->np; b++)
			if (group[a] >= 0 && group[b] >= 0 && group[a] != group[b])
				s->c.blocked[a] |= 1u << b;
	}
	s->c.ngroups = ngroups;
	uint32_t id = sim_emit(s, KIND_PARTITION, -1, 0, by, 0);
	if (id + 1 == trace_count(s->tr) && !sim_replaying(s)) {
		/* groups are stored as (key = group index, value = process) pairs */
		uint32_t list = trace_kv_begin(s->tr);
		char key[12];
		for (int g = 0; g < ngroups; g++)
			for (int p = 0; p < s->np; p++)
				if (group[p] == g) {
					snprintf(key, sizeof key, "%d", g);
					trace_kv_add(s->tr, list, key, ST_V_PROC, p, NULL);
				}
		trace_at(s->tr, id)->body = list;
	}
	sim_end(s);
}

void sim_cut(st_sim *s, int from, int to, bool blocked, st_by by)
{
	sim_begin(s);
	if (blocked)
		s->c.blocked[from] |= 1u << to;
	else
		s->c.blocked[from] &= ~(1u << to);
	st_kv body[2] = {{"from", ST_V_PROC, from, NULL}, {"to", ST_V_PROC, to, NULL}};
	sim_input(s, blocked ? "cut" : "uncut", blocked ? "cut one way" : "uncut one way", body, 2, by);
	sim_end(s);
}

void sim_heal(st_sim *s, st_by by)
{
	sim_begin(s);
	memset(s->c.blocked, 0, sizeof s->c.blocked);
	memset(s->c.group, -1, sizeof s->c.group);
	s->c.ngroups = 0;
	sim_emit(s, KIND_HEAL, -1, 0, by, 0);
	sim_end(s);
}


/* A rate the network applies to every send from now on (loss, duplication), as an input
 * event: its action, a label ("loss 0.20") and the rate in parts per million. */
static void net_set_rate(st_sim *s, double *field, double rate, const char *action,
			 const char *word, st_by by)
{
	sim_begin(s);
	*field = rate;
	char label[24];
	snprintf(label, sizeof label, "%s %.2f", word, rate);
	st_kv body[1] = {{"ppm", ST_V_INT, (int64_t)(rate * 1e6 + 0.5), NULL}};
	sim_input(s, action, label, body, 1, by);
	sim_end(s);
}

void sim_set_loss(st_sim *s, double rate, st_by by)
{
	net_set_rate(s, &s->c.loss, rate, "loss", "loss", by);
}

void sim_set_duplicate(st_sim *s, double rate, st_by by)
{
	net_set_rate(s, &s->c.dup, rate, "duplicate_rate", "duplicate", by);
}

void sim_set_latency(st_sim *s, int64_t lo_us, int64_t hi_us, st_by by)
{
	sim_begin(s);
	s->c.lat_lo = lo_us;
	s->c.lat_hi = hi_us;
	char label[64];
	snprintf(label, sizeof label, "latency %lld-%lld ms", (long long)(lo_us / 1000),
		 (long long)(hi_us / 1000));
	st_kv body[2] = {{"lo_us", ST_V_INT, lo_us, NULL}, {"hi_us", ST_V_INT, hi_us, NULL}};
	sim_input(s, "latency", label, body, 2, by);
	sim_end(s);
}

static slot_hdr *net_live_slot(const st_sim *s, uint32_t slot)
{
	if (slot >= s->nslots)
		return NULL;
	slot_hdr *h = net_slot_at(s, slot);
	return (h->flags & SLOT_USED) ? h : NULL;
}


bool sim_msg_drop(st_sim *s, uint32_t slot, st_by by)
{
	slot_hdr *h = net_live_slot(s, slot);
	if (!h)
		return false;
	sim_begin(s);
	st_kv body[1] = {{"copy", ST_V_INT, net_copy_index(s, slot), NULL}};
	uint32_t id = net_drop(s, h->msg, DROP_USER, by);
	sim_set_body(s, id, body, 1);   /* which copy: what --replay needs to drop it again */
	net_slot_free(s, slot);
	sim_end(s);
	return true;
}

static void net_note_msg_action(st_sim *s, const char *action, const char *what, uint32_t slot,
				st_by by)
{
	uint32_t msg = net_slot_at(s, slot)->msg;
	st_kv body[2] = {{"msg", ST_V_INT, msg, NULL}, {"copy", ST_V_INT, net_copy_index(s, slot), NULL}};
	char label[40];
	snprintf(label, sizeof label, "%s msg %u", what, msg);
	sim_input(s, action, label, body, 2, by);
}

bool sim_msg_deliver_now(st_sim *s, uint32_t slot, st_by by)
{
	slot_hdr *h = net_live_slot(s, slot);
	if (!h)
		return false;
	sim_begin(s);
	net_note_msg_action(s, "deliver", "deliver now", slot, by);
	h->gen++;  /* the old queue item is stale now */
	if (s->c.manual) {
		qitem it = {s->c.now_us, s->c.seq++, slot, h->gen, Q_DELIVER, h->to};
		net_run_deliver(s, &it);
	} else {
		net_queue_delivery(s, slot, 0);
	}
	sim_end(s);
	return true;
}


bool sim_msg_slot(const st_sim *s, uint32_t msg, int copy, uint32_t *slot)
{
	for (uint32_t i = 0; i < s->nslots; i++) {
		slot_hdr *h = net_slot_at(s, i);
		if ((h->flags & SLOT_USED) && h->msg == msg && net_copy_index(s, i) == copy) {
			*slot = i;
			return true;
		}
	}
	return false;
}


bool sim_msg_duplicate(st_sim *s, uint32_t slot, st_by by)
{
	slot_hdr *h = net_live_slot(s, slot);
	if (!h)
		return false;
	sim_begin(s);
	net_note_msg_action(s, "duplicate_msg", "duplicate", slot, by);
	uint32_t d = net_copy_slot(s, slot);
	/* as the network's own duplication: the copy is not lost with the original (a
	 * partition still stops it on arrival) */
	net_slot_at(s, d)->flags &= (uint8_t)~SLOT_LOST;
	net_queue_delivery(s, d, rng_range(&s->c.rng, s->c.lat_lo, s->c.lat_hi));
	net_msg_pending(s, net_slot_at(s, d)->msg, 1);
	sim_end(s);
	return true;
}

bool sim_msg_delay(st_sim *s, uint32_t slot, int64_t delay_us, st_by by)
{
	slot_hdr *h = net_live_slot(s, slot);
	if (!h || delay_us < 0)
		return false;
	sim_begin(s);
	int64_t at = h->deliver_us + delay_us;
	h->gen++;
	st_kv body[3] = {{"msg", ST_V_INT, h->msg, NULL}, {"delay_us", ST_V_INT, delay_us, NULL},
			 {"copy", ST_V_INT, net_copy_index(s, slot), NULL}};
	char label[40];
	snprintf(label, sizeof label, "delay msg %u", h->msg);
	sim_input(s, "delay", label, body, 3, by);
	h->deliver_us = at;
	sim_queue_push(s, at, Q_DELIVER, h->to, h->gen, slot);
	sim_end(s);
	return true;
}

