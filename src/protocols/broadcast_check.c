/* broadcast_check.c: the broadcast properties, checked two ways.
 *
 * broadcast_check() runs after every step with --check. It reads the step's "broadcast ..."
 * and "deliver ..." local events (st_view.event) and keeps its own record in fixed memory
 * (bc_checker in broadcast.h): validity (only broadcast messages are delivered), no
 * duplication, and, as `require` asks, FIFO order, causal order and total order.
 * broadcast_trace_check*() checks the same from a recorded trace for --verify, reading the
 * "broadcast ..." and "deliver ..." local events (body: from, seq, id) and `require` from
 * the nodes' state. It may allocate.
 *
 * Causal order is judged by the checker's own vector clocks, computed from what each node
 * delivered before it broadcast (Kleppmann's definition: m1 -> m2 when m2's sender had
 * delivered m1, or sent it, before broadcasting m2; closed transitively), never from the vc a
 * message carries: a protocol that keeps no vector clock (fifo) is checked the same way.
 *
 * Both exist so that a weak algorithm run against a stronger requirement (order fifo, require
 * causal) is caught the moment it delivers out of order, with a message naming the node and
 * the two messages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/mem.h"
#include "broadcast.h"

typedef struct { char s[24]; } bc_ck_str;

static bc_ck_str bc_ck_name(int origin, uint32_t seq)
{
	bc_ck_str s;
	broadcast_msg_name(origin, seq, s.s, sizeof s.s);
	return s;
}

/* "1st", "2nd", "3rd", "4th", "11th" */
static bc_ck_str bc_ck_nth(uint32_t k)
{
	static const char *const suf[] = {"th", "st", "nd", "rd"};
	bc_ck_str s;
	uint32_t t = k % 100, u = k % 10;
	snprintf(s.s, sizeof s.s, "%u%s", (unsigned)k,
		 (t >= 11 && t <= 13) || u > 3 ? "th" : suf[u]);
	return s;
}

static bool bc_ck_fail(st_violation *out, const char *inv)
{
	out->invariant = inv;
	return false;
}

/* ---------------------------------------------------------------------------------------- */
/* Over process states                                                                        */

/* A delivered prefix and a 128-seq window past it (bit i: base + 1 + i). */
static void bc_ck_shift(uint64_t *w, uint32_t s)
{
	if (s >= 128) {
		w[0] = w[1] = 0;
	} else if (s >= 64) {
		w[0] = s == 64 ? w[1] : w[1] >> (s - 64);
		w[1] = 0;
	} else if (s > 0) {
		w[0] = w[0] >> s | w[1] << (64 - s);
		w[1] >>= s;
	}
}

static bool bc_ck_has(uint32_t base, const uint64_t *w, uint32_t seq)
{
	if (seq <= base)
		return true;
	uint32_t d = seq - base - 1;
	return d < 128 && (w[d / 64] >> (d % 64) & 1);
}

/* A seq more than 128 past the prefix moves the prefix up: the protocol gives such gaps up
 * itself 64 past its own prefix, so it never delivers below ours afterwards. */
static void bc_ck_add(uint32_t *base, uint64_t *w, uint32_t seq)
{
	if (seq <= *base)
		return;
	uint32_t d = seq - *base - 1;
	if (d >= 128) {
		uint32_t sh = d - 127;
		*base += sh;
		bc_ck_shift(w, sh);
		d = 127;
	}
	w[d / 64] |= 1ull << (d % 64);
	while (w[0] & 1) {
		(*base)++;
		bc_ck_shift(w, 1);
	}
}

/* The two local steps the checkers read, live and from a trace: "broadcast ..." and
 * "deliver ..." with a body naming the message (from, seq). */
static bool bc_tc_is(const char *label, const char *word)
{
	size_t n = strlen(word);
	return label && strncmp(label, word, n) == 0 && (label[n] == '\0' || label[n] == ' ');
}

static bool bc_tc_body(const st_tev *e, int n, int *from, uint32_t *seq)
{
	int64_t f, q;
	if (!e->body_int || !e->body_int(e, "from", &f) || !e->body_int(e, "seq", &q))
		return false;
	if (f < 0 || f >= n || q < 1 || q > UINT32_MAX)
		return false;
	*from = (int)f;
	*seq = (uint32_t)q;
	return true;
}

static void bc_ck_broadcast(bc_checker *k, int p, uint32_t seq)
{
	k->vc[p][p] = seq;
	bc_ck_msg *m = &k->msg[p][seq % BC_CK_MSGS];
	m->seq = seq;
	memcpy(m->vc, k->vc[p], sizeof m->vc);
}

/* Node p delivers o#q: check it against everything before, then remember it. */
static bool bc_ck_deliver(bc_checker *k, int req, int nn, int p, int o, uint32_t q,
			  st_violation *out)
{
	bc_ck_str id = bc_ck_name(o, q);
	if (o >= nn || q == 0 || q > k->bcast[o]) {
		snprintf(out->detail, sizeof out->detail, "n%d delivers %s, but n%d has broadcast "
			 "only %u messages", p + 1, id.s, o + 1, o < nn ? (unsigned)k->bcast[o] : 0);
		return bc_ck_fail(out, "validity");
	}
	if (bc_ck_has(k->base[p][o], k->win[p][o], q)) {
		snprintf(out->detail, sizeof out->detail, "n%d delivers %s a second time", p + 1,
			 id.s);
		return bc_ck_fail(out, "no duplication");
	}
	if ((req == BC_REQ_FIFO || req == BC_REQ_CAUSAL) && k->base[p][o] != q - 1) {
		snprintf(out->detail, sizeof out->detail, "n%d delivers %s before %s, which n%d "
			 "sent first", p + 1, id.s, bc_ck_name(o, k->base[p][o] + 1).s, o + 1);
		return bc_ck_fail(out, "FIFO order");
	}
	const bc_ck_msg *m = &k->msg[o][q % BC_CK_MSGS];
	bool known = m->seq == q;
	if (req == BC_REQ_CAUSAL && known) {
		for (int j = 0; j < nn; j++) {
			if (j == o || k->base[p][j] >= m->vc[j])
				continue;
			bc_ck_str before = bc_ck_name(j, k->base[p][j] + 1);
			snprintf(out->detail, sizeof out->detail, "n%d delivers %s before %s, which "
				 "happened before it (%s's causal past holds n%d's messages up to "
				 "#%u)", p + 1, id.s, before.s, id.s, j + 1, (unsigned)m->vc[j]);
			return bc_ck_fail(out, "causal order");
		}
	}
	if (req == BC_REQ_TOTAL) {
		uint32_t kth = k->ndel[p] + 1;
		bc_ck_tot *t = &k->tot[(kth - 1) % BC_CK_TOTAL];
		if (kth <= k->ntot && k->ntot - kth < BC_CK_TOTAL) {
			if (t->origin != o || t->seq != q) {
				snprintf(out->detail, sizeof out->detail, "n%d's %s delivery is %s, "
					 "but n%d's %s delivery was %s", p + 1, bc_ck_nth(kth).s,
					 id.s, t->who + 1, bc_ck_nth(kth).s,
					 bc_ck_name(t->origin, t->seq).s);
				return bc_ck_fail(out, "total order");
			}
		} else if (kth > k->ntot) {
			k->ntot = kth;
			t->origin = (uint8_t)o;
			t->seq = q;
			t->who = (uint8_t)p;
		}
	}
	bc_ck_add(&k->base[p][o], k->win[p][o], q);
	k->ndel[p]++;
	if (o != p) {
		if (known) {
			for (int j = 0; j < nn; j++)
				if (m->vc[j] > k->vc[p][j])
					k->vc[p][j] = m->vc[j];
		} else if (q > k->vc[p][o]) {
			k->vc[p][o] = q;    /* an old message: its own entry at least */
		}
	}
	return true;
}

bool broadcast_check(void *check_state, const st_param_val *params, const st_view *v,
		     st_violation *out)
{
	bc_checker *k = check_state;
	if (!k || !v || !out)
		return true;
	out->detail[0] = '\0';
	int req = params ? (int)params[BC_P_REQUIRE].lo : BC_REQ_NONE;
	int nn = v->nnodes < BC_MAX_NODES ? v->nnodes : BC_MAX_NODES;
	/* Pass 1: every new broadcast of the step, so validity never depends on the order the
	 * step's events are read in. */
	for (int i = 0; i < v->nevents; i++) {
		st_tev e;
		int from;
		uint32_t seq;
		if (v->event(v, i, &e) && strcmp(e.kind, "local") == 0 && e.proc >= 0 &&
		    e.proc < nn && bc_tc_is(e.label, "broadcast") && bc_tc_body(&e, nn, &from, &seq) &&
		    from == e.proc && seq > k->bcast[from])
			k->bcast[from] = seq;
	}
	/* Pass 2: the step's events in order (a reply follows the delivery it answers). */
	for (int i = 0; i < v->nevents; i++) {
		st_tev e;
		int from;
		uint32_t seq;
		if (!v->event(v, i, &e) || strcmp(e.kind, "local") != 0 || e.proc < 0 ||
		    e.proc >= nn || !bc_tc_body(&e, nn, &from, &seq))
			continue;
		if (bc_tc_is(e.label, "broadcast") && from == e.proc)
			bc_ck_broadcast(k, e.proc, seq);
		else if (bc_tc_is(e.label, "deliver") &&
			 !bc_ck_deliver(k, req, nn, e.proc, from, seq, out))
			return false;
	}
	return true;
}

/* ---------------------------------------------------------------------------------------- */
/* Over a trace (--verify)                                                                    */

/* Sequence numbers index growable arrays; a foreign trace with absurd numbers past this cap
 * is not checked for them rather than exhausting memory. */
#define BC_TC_CAP (1u << 22)

typedef struct {
	uint32_t *vc;               /* by seq: n entries each */
	uint32_t cap;               /* seqs it has room for */
} bc_tc_vcs;

typedef struct {
	uint8_t *bits;              /* delivered seqs, by seq */
	uint32_t cap;               /* bits it has room for (bytes * 8) */
	uint32_t base;              /* delivered without a gap from 1 */
} bc_tc_del;

typedef struct {
	int n;
	int req;
	uint32_t *bcast;            /* per process: highest seq broadcast */
	uint32_t *vc;               /* per process: its causal clock (n x n) */
	uint32_t *ndel;
	bc_tc_vcs *msgs;            /* per origin */
	bc_tc_del *del;             /* per process x origin */
	uint64_t *tot;              /* k-th delivery (from 1): origin << 32 | seq */
	int *totwho;
	uint32_t ntot, totcap;
} bc_tc;

void *broadcast_trace_check_new(const st_trace_info *info)
{
	int nprocs = info ? info->nprocs : 1;
	if (nprocs < 1)
		nprocs = 1;
	bc_tc *tc = st_zalloc(1, sizeof *tc);
	size_t n = (size_t)nprocs;
	tc->n = nprocs;
	tc->req = BC_REQ_NONE;
	tc->bcast = st_zalloc(n, sizeof *tc->bcast);
	tc->vc = st_zalloc(n * n, sizeof *tc->vc);
	tc->ndel = st_zalloc(n, sizeof *tc->ndel);
	tc->msgs = st_zalloc(n, sizeof *tc->msgs);
	tc->del = st_zalloc(n * n, sizeof *tc->del);
	return tc;
}

static bool bc_tc_grow(void **arr, uint32_t *cap, size_t unit, uint32_t want)
{
	if (want >= BC_TC_CAP)
		return false;
	if (want < *cap)
		return true;
	st_grow32(arr, cap, (size_t)want + 1, unit);
	return true;
}

static bool bc_tc_bit(const bc_tc_del *d, uint32_t seq)
{
	return seq <= d->base || (seq < d->cap && (d->bits[seq / 8] >> (seq % 8) & 1));
}

static void bc_tc_set(bc_tc_del *d, uint32_t seq)
{
	uint32_t bytes = d->cap / 8;
	if (!bc_tc_grow((void **)&d->bits, &bytes, 1, seq / 8 + 1))
		return;
	d->cap = bytes * 8;
	d->bits[seq / 8] |= (uint8_t)(1u << (seq % 8));
	while (d->base + 1 < d->cap && (d->bits[(d->base + 1) / 8] >> ((d->base + 1) % 8) & 1))
		d->base++;
}

static const uint32_t *bc_tc_msg_vc(const bc_tc *tc, int o, uint32_t seq)
{
	const bc_tc_vcs *m = &tc->msgs[o];
	return seq < m->cap && m->vc[(size_t)seq * (size_t)tc->n + (size_t)o] == seq ?
	       &m->vc[(size_t)seq * (size_t)tc->n] : NULL;
}

static bool bc_tc_broadcast(bc_tc *tc, int p, uint32_t seq)
{
	size_t n = (size_t)tc->n;
	uint32_t *vc = &tc->vc[(size_t)p * n];
	if (seq > tc->bcast[p])
		tc->bcast[p] = seq;
	if (seq > vc[p])
		vc[p] = seq;
	bc_tc_vcs *m = &tc->msgs[p];
	if (bc_tc_grow((void **)&m->vc, &m->cap, n * sizeof *m->vc, seq))
		memcpy(&m->vc[(size_t)seq * n], vc, n * sizeof *vc);
	return true;
}

static bool bc_tc_deliver(bc_tc *tc, int p, int o, uint32_t q, st_violation *out)
{
	size_t n = (size_t)tc->n;
	bc_ck_str id = bc_ck_name(o, q);
	bc_tc_del *d = &tc->del[(size_t)p * n + (size_t)o];
	if (q > tc->bcast[o]) {
		snprintf(out->detail, sizeof out->detail, "n%d delivers %s, but n%d has broadcast "
			 "only %u messages", p + 1, id.s, o + 1, (unsigned)tc->bcast[o]);
		return bc_ck_fail(out, "validity");
	}
	if (bc_tc_bit(d, q)) {
		snprintf(out->detail, sizeof out->detail, "n%d delivers %s a second time", p + 1,
			 id.s);
		return bc_ck_fail(out, "no duplication");
	}
	bool ok = true;
	if ((tc->req == BC_REQ_FIFO || tc->req == BC_REQ_CAUSAL) && d->base != q - 1) {
		snprintf(out->detail, sizeof out->detail, "n%d delivers %s before %s, which n%d "
			 "sent first", p + 1, id.s, bc_ck_name(o, d->base + 1).s, o + 1);
		ok = bc_ck_fail(out, "FIFO order");
	}
	const uint32_t *mvc = bc_tc_msg_vc(tc, o, q);
	if (ok && tc->req == BC_REQ_CAUSAL && mvc) {
		for (int j = 0; j < tc->n; j++) {
			uint32_t have = tc->del[(size_t)p * n + (size_t)j].base;
			if (j == o || have >= mvc[j])
				continue;
			snprintf(out->detail, sizeof out->detail, "n%d delivers %s before %s, which "
				 "happened before it", p + 1, id.s, bc_ck_name(j, have + 1).s);
			ok = bc_ck_fail(out, "causal order");
			break;
		}
	}
	if (ok && tc->req == BC_REQ_TOTAL) {
		uint32_t kth = tc->ndel[p] + 1;
		uint64_t key = (uint64_t)o << 32 | q;
		if (kth <= tc->ntot) {
			uint64_t was = tc->tot[kth - 1];
			if (was != key) {
				snprintf(out->detail, sizeof out->detail, "n%d's %s delivery is %s, "
					 "but n%d's %s delivery was %s", p + 1, bc_ck_nth(kth).s,
					 id.s, tc->totwho[kth - 1] + 1, bc_ck_nth(kth).s,
					 bc_ck_name((int)(was >> 32), (uint32_t)was).s);
				ok = bc_ck_fail(out, "total order");
			}
		} else if (kth == tc->ntot + 1) {
			uint32_t c1 = tc->totcap, c2 = tc->totcap;
			if (bc_tc_grow((void **)&tc->tot, &c1, sizeof *tc->tot, kth) &&
			    bc_tc_grow((void **)&tc->totwho, &c2, sizeof *tc->totwho, kth)) {
				tc->totcap = c1 < c2 ? c1 : c2;
				tc->tot[kth - 1] = key;
				tc->totwho[kth - 1] = p;
				tc->ntot = kth;
			}
		}
	}
	/* remember it even when reported: one problem, one report */
	bc_tc_set(d, q);
	tc->ndel[p]++;
	if (o != p) {
		uint32_t *vc = &tc->vc[(size_t)p * n];
		if (mvc) {
			for (size_t j = 0; j < n; j++)
				if (mvc[j] > vc[j])
					vc[j] = mvc[j];
		} else if (q > vc[o]) {
			vc[o] = q;
		}
	}
	return ok;
}

bool broadcast_trace_check(void *tcv, const st_tev *e, st_violation *out)
{
	bc_tc *tc = tcv;
	if (!tc || !e || !out || !e->kind)
		return true;
	out->detail[0] = '\0';
	int p = e->proc;
	if (p < 0 || p >= tc->n)
		return true;
	static const char *const reqs[BC_REQ__COUNT] = {"none", "fifo", "causal", "total"};
	const char *req;
	if (e->has_state && e->state_str && e->state_str(e, "require", &req))
		for (int i = 0; i < BC_REQ__COUNT; i++)
			if (strcmp(req, reqs[i]) == 0)
				tc->req = i;
	if (strcmp(e->kind, "local") != 0)
		return true;
	bool bc = bc_tc_is(e->label, "broadcast"), dl = bc_tc_is(e->label, "deliver");
	if (!bc && !dl)
		return true;
	int from;
	uint32_t seq;
	if (!bc_tc_body(e, tc->n, &from, &seq)) {
		snprintf(out->detail, sizeof out->detail, "n%d's %s lacks a process `from` or a "
			 "positive integer `seq`", p + 1, bc ? "broadcast" : "deliver");
		return bc_ck_fail(out, "broadcast format");
	}
	if (bc && from != p) {
		snprintf(out->detail, sizeof out->detail, "n%d broadcasts a message from n%d",
			 p + 1, from + 1);
		return bc_ck_fail(out, "broadcast format");
	}
	return bc ? bc_tc_broadcast(tc, p, seq) : bc_tc_deliver(tc, p, from, seq, out);
}

bool broadcast_trace_check_end(void *tc, st_violation *out)
{
	(void)tc;
	(void)out;
	return true;    /* every property is checked as the events come */
}

void broadcast_trace_check_free(void *tcv)
{
	bc_tc *tc = tcv;
	if (!tc)
		return;
	for (int i = 0; tc->msgs && i < tc->n; i++)
		free(tc->msgs[i].vc);
	for (int i = 0; tc->del && i < tc->n * tc->n; i++)
		free(tc->del[i].bits);
	free(tc->msgs);
	free(tc->del);
	free(tc->bcast);
	free(tc->vc);
	free(tc->ndel);
	free(tc->tot);
	free(tc->totwho);
	free(tc);
}
