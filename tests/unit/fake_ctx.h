/* fake_ctx.h: the one fake protocol context of the unit tests.
 *
 * Why it exists: test_raft.c, test_broadcast.c and test_lessons_time.c each used to carry
 * their own copy of this fake (~150 lines, nearly identical). It lives here once; each test
 * keeps only what is truly its own, as options set on the fake after fk_init()/fk_new().
 *
 * A fake st_ctx records what a handler did: the messages it sent (from, to, type, len and
 * the body bytes), the timers it set or cancelled with their delays, every label (in order,
 * and the last one again in label/note/label_flags), the local steps with their label, note,
 * flags and body (keys and string values copied, so a test looks up "index", "cmd", ... by
 * key) and the client operations it completed. It hands out a fixed "random" sequence (or
 * the values a test queued with fk_rand) and a local clock the test sets in `now`.
 *
 * Header only (static inline, so a test that leaves a helper unused still builds with
 * -Werror): each tests/unit/test_*.c is compiled alone. Sizes a test may choose, by defining
 * them before the #include: FK_MSG_BODY (body bytes kept per message), FK_MAX_SENT,
 * FK_MAX_LOCALS, FK_MAX_LABELS, FK_MAX_DONE. It includes cmocka.h and what cmocka.h needs. */
#ifndef ST_TEST_FAKE_CTX_H
#define ST_TEST_FAKE_CTX_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "src/protocols/protocol.h"

#ifndef FK_MSG_BODY
#define FK_MSG_BODY 256         /* body bytes kept per sent message; a longer send fails */
#endif
#ifndef FK_MAX_SENT
#define FK_MAX_SENT 64          /* sends per handler (between two fk_clear) */
#endif
#ifndef FK_MAX_LOCALS
#define FK_MAX_LOCALS 16        /* local steps per handler */
#endif
#ifndef FK_MAX_LABELS
#define FK_MAX_LABELS 16        /* labels per handler */
#endif
#ifndef FK_MAX_DONE
#define FK_MAX_DONE 16          /* completions per handler */
#endif
#define FK_MAX_KV 8             /* body entries of a local step */
#define FK_MAX_RND 32           /* queued "random" values */

typedef struct {
	int from, to, type;
	size_t len;
	unsigned char body[FK_MSG_BODY];
} fk_msg;

/* One body entry of a local step, copied. */
typedef struct {
	char key[24];
	st_vtype type;
	int64_t i;              /* as given, whatever the type */
	char s[64];             /* ST_V_STR only */
} fk_kv;

/* A label or a local step. */
typedef struct {
	char label[96], note[1024];
	int flags, nbody;
	fk_kv body[FK_MAX_KV];
} fk_ev;

/* A key a local step's body may hold, and its type (a NULL key ends a list). */
typedef struct {
	const char *key;
	st_vtype type;
} fk_key;

typedef struct {
	st_ctx ctx;

	/* Options: zero (as fk_init leaves them) means "no check". */
	int label_max;          /* every label, of st_label and st_local, is non-NULL and no longer */
	bool note_required;     /* every local step says why (a non-NULL note) */
	bool no_self_send;      /* nobody sends to itself */
	size_t max_msg;         /* no body longer (the protocol's max_msg_size) */
	int ntimers;            /* timers are 0..ntimers-1 (else ST_MAX_TIMERS) */
	int local_nbody;        /* every local step has exactly this many body entries */
	const fk_key *local_keys;       /* every body key is one of these, with its type */

	fk_msg sent[FK_MAX_SENT];
	int nsent;
	bool timer_on[ST_MAX_TIMERS];
	int64_t timer_delay[ST_MAX_TIMERS];
	int ntimer_sets;
	fk_ev labels[FK_MAX_LABELS];    /* every label, in order */
	int nlabels;
	char label[96], note[1024];     /* the last label again: the one the simulator keeps */
	int label_flags;
	fk_ev loc[FK_MAX_LOCALS];
	int nloc;
	struct { uint32_t invoke; st_optype type; } done[FK_MAX_DONE];
	int ndone;
	uint64_t rnd[FK_MAX_RND];
	int nrnd, rndi;
	bool rnd_cycle;         /* the fixed sequence, round and round (else queued, then 0) */
	int64_t now;            /* what st_now_us gives */
} fake;

static inline fake *fk_of(st_ctx *c) { return c->impl; }

static inline void fk_check_label(const fake *f, const char *label)
{
	if (f->label_max > 0) {
		assert_non_null(label);
		assert_true(strlen(label) <= (size_t)f->label_max);  /* short, for a timeline */
	}
}

static inline void fk_send(st_ctx *c, int to, int type, const void *body, size_t len)
{
	fake *f = fk_of(c);
	assert_true(f->nsent < FK_MAX_SENT);
	assert_true(len <= FK_MSG_BODY);
	assert_true(f->max_msg == 0 || len <= f->max_msg);
	assert_in_range(to, 0, c->nprocs - 1);
	if (f->no_self_send)
		assert_int_not_equal(to, c->self);
	fk_msg *m = &f->sent[f->nsent++];
	m->from = c->self;
	m->to = to;
	m->type = type;
	m->len = len;
	memcpy(m->body, body, len);
}

static inline int fk_ntimers(const fake *f) { return f->ntimers > 0 ? f->ntimers : ST_MAX_TIMERS; }

static inline void fk_set_timer(st_ctx *c, int timer, int64_t delay)
{
	fake *f = fk_of(c);
	assert_in_range(timer, 0, fk_ntimers(f) - 1);
	assert_true(delay >= 0);
	f->timer_on[timer] = true;
	f->timer_delay[timer] = delay;
	f->ntimer_sets++;
}

static inline void fk_cancel_timer(st_ctx *c, int timer)
{
	fake *f = fk_of(c);
	assert_in_range(timer, 0, fk_ntimers(f) - 1);
	f->timer_on[timer] = false;
}

static inline void fk_record(fk_ev *e, const char *label, const char *note, const st_kv *body,
			     int n, int flags)
{
	assert_true(n >= 0 && n <= FK_MAX_KV);
	memset(e, 0, sizeof *e);
	snprintf(e->label, sizeof e->label, "%s", label ? label : "");
	snprintf(e->note, sizeof e->note, "%s", note ? note : "");
	e->flags = flags;
	e->nbody = n;
	for (int i = 0; i < n; i++) {
		fk_kv *kv = &e->body[i];
		snprintf(kv->key, sizeof kv->key, "%s", body[i].key);
		kv->type = body[i].type;
		kv->i = body[i].i;
		if (body[i].type == ST_V_STR && body[i].s)
			snprintf(kv->s, sizeof kv->s, "%s", body[i].s);
	}
}

/* As the simulator: the label of highest priority stands (equal replaces). */
static inline bool fk_label(st_ctx *c, const char *label, const char *note, int flags)
{
	fake *f = fk_of(c);
	fk_check_label(f, label);
	assert_true(f->nlabels < FK_MAX_LABELS);
	fk_ev *e = &f->labels[f->nlabels++];
	fk_record(e, label, note, NULL, 0, flags);
	if (f->label[0] && ST_LABEL_PRIO_OF(flags) < ST_LABEL_PRIO_OF(f->label_flags))
		return false;
	memcpy(f->label, e->label, sizeof f->label);
	memcpy(f->note, e->note, sizeof f->note);
	f->label_flags = flags;
	return true;
}

static inline void fk_label_note(st_ctx *c, const char *note)
{
	fake *f = fk_of(c);
	if (f->nlabels > 0)
		snprintf(f->labels[f->nlabels - 1].note, sizeof f->labels[0].note, "%s", note ? note : "");
	snprintf(f->note, sizeof f->note, "%s", note ? note : "");
}

static inline void fk_local(st_ctx *c, const char *label, const char *note, const st_kv *body,
			    int n, int flags)
{
	fake *f = fk_of(c);
	assert_true(f->nloc < FK_MAX_LOCALS);
	fk_check_label(f, label);
	if (f->note_required)
		assert_non_null(note);
	if (f->local_nbody > 0)
		assert_int_equal(n, f->local_nbody);
	for (int i = 0; f->local_keys && i < n; i++) {
		const fk_key *k = f->local_keys;
		while (k->key && (strcmp(k->key, body[i].key) != 0 || k->type != body[i].type))
			k++;
		if (!k->key)
			fail_msg("unexpected body key %s", body[i].key);
	}
	fk_record(&f->loc[f->nloc++], label, note, body, n, flags);
}

static inline uint64_t fk_random(st_ctx *c)
{
	fake *f = fk_of(c);
	if (f->rnd_cycle)
		return f->rnd[f->rndi++ % f->nrnd];
	return f->rndi < f->nrnd ? f->rnd[f->rndi++] : 0;
}

static inline int64_t fk_now(st_ctx *c) { return fk_of(c)->now; }

static inline void fk_complete(st_ctx *c, const st_op *op, st_optype t)
{
	fake *f = fk_of(c);
	assert_int_equal(c->role, ST_ROLE_CLIENT);
	assert_true(f->ndone < FK_MAX_DONE);
	f->done[f->ndone].invoke = op->invoke;
	f->done[f->ndone].type = t;
	f->ndone++;
}

/* The fake's local steps as the events of a step, for a check() that reads them: st_tev with
 * kind "local", the fake's process, the label, and the body's entries. */
static inline const fk_kv *fk_tev_kv(const st_tev *e, const char *key)
{
	const fake *f = e->impl;
	const fk_ev *l = &f->loc[e->id];
	for (int i = 0; i < l->nbody; i++)
		if (strcmp(l->body[i].key, key) == 0)
			return &l->body[i];
	return NULL;
}
static inline bool fk_tev_int(const st_tev *e, const char *key, int64_t *out)
{
	const fk_kv *kv = fk_tev_kv(e, key);
	if (!kv || kv->type == ST_V_STR)
		return false;
	*out = kv->type == ST_V_NULL ? -1 : kv->i;
	return true;
}
static inline bool fk_tev_str(const st_tev *e, const char *key, const char **out)
{
	const fk_kv *kv = fk_tev_kv(e, key);
	if (!kv || kv->type != ST_V_STR)
		return false;
	*out = kv->s;
	return true;
}
static inline bool fk_tev_no_int(const st_tev *e, const char *key, int64_t *out)
{
	(void)e, (void)key, (void)out;
	return false;     /* a fake's local step has no state */
}
static inline bool fk_tev_no_str(const st_tev *e, const char *key, const char **out)
{
	(void)e, (void)key, (void)out;
	return false;
}
static inline bool fk_view_event(const st_view *v, int i, st_tev *out)
{
	const fake *f = v->impl;
	if (i < 0 || i >= f->nloc)
		return false;
	memset(out, 0, sizeof *out);
	out->id = (uint32_t)i;
	out->kind = "local";
	out->proc = f->ctx.self;
	out->label = f->loc[i].label;
	out->state_int = fk_tev_no_int;
	out->state_str = fk_tev_no_str;
	out->body_int = fk_tev_int;
	out->body_str = fk_tev_str;
	out->impl = (void *)f;
	return true;
}
/* Let v show f's local steps (since the last fk_clear) as the step's events. */
static inline void fk_view_events(const fake *f, st_view *v)
{
	v->nevents = f->nloc;
	v->event = fk_view_event;
	v->impl = f;
}

static const struct st_ctx_ops fk_ops = {
	.send = fk_send, .set_timer = fk_set_timer, .cancel_timer = fk_cancel_timer,
	.label = fk_label, .label_note = fk_label_note, .local = fk_local, .random = fk_random, .now_us = fk_now,
	.complete = fk_complete,
};

/* A fresh fake for process `self`, no options, the fixed "random" sequence: tests never
 * depend on the world's PRNG. */
static inline void fk_init(fake *f, int self, int nnodes, int nclients)
{
	static const uint64_t seq[] = {5, 91, 1234567, 42, 999983, 31337, 7, 100003};
	memset(f, 0, sizeof *f);
	f->ctx.self = self;
	f->ctx.nnodes = nnodes;
	f->ctx.nclients = nclients;
	f->ctx.nprocs = nnodes + nclients;
	f->ctx.role = self < nnodes ? ST_ROLE_NODE : ST_ROLE_CLIENT;
	f->ctx.ops = &fk_ops;
	f->ctx.impl = f;
	memcpy(f->rnd, seq, sizeof seq);
	f->nrnd = (int)(sizeof seq / sizeof seq[0]);
	f->rnd_cycle = true;
}

static inline fake *fk_new(int self, int nnodes, int nclients)
{
	fake *f = calloc(1, sizeof *f);
	assert_non_null(f);
	fk_init(f, self, nnodes, nclients);
	return f;
}

/* Forget what the last handler did (timers stay: they are state of the world; so does the
 * fixed sequence's position, but queued values go). */
static inline void fk_clear(fake *f)
{
	f->nsent = f->nlabels = f->nloc = f->ndone = 0;
	f->label[0] = f->note[0] = '\0';
	f->label_flags = 0;
	if (!f->rnd_cycle)
		f->nrnd = f->rndi = 0;
}

/* Hand the fake's process a message, or fire one of its timers, as the simulator would: a
 * fresh record of what the handler does (and the fired timer is off). */
static inline void fk_deliver(fake *f, const st_protocol *p, void *state, int from, int type,
			      const void *body, size_t len)
{
	st_msg m = {.from = from, .to = f->ctx.self, .type = type, .body = body, .len = len};
	fk_clear(f);
	p->on_message(&f->ctx, state, &m);
}

static inline void fk_fire(fake *f, const st_protocol *p, void *state, int timer)
{
	fk_clear(f);
	f->timer_on[timer] = false;
	p->on_timer(&f->ctx, state, timer);
}

/* How many messages of this type the last handler sent. */
static inline int fk_count_sent(const fake *f, int type)
{
	int k = 0;
	for (int i = 0; i < f->nsent; i++)
		k += f->sent[i].type == type;
	return k;
}

/* Queue "random" values: from now on st_random gives the queued values, then 0, and
 * fk_clear empties the queue. fk_rand(f, 0) alone just switches to that mode. */
static inline void fk_rand(fake *f, int n, ...)
{
	if (f->rnd_cycle) {
		f->rnd_cycle = false;
		f->nrnd = f->rndi = 0;
	}
	va_list ap;
	va_start(ap, n);
	for (int i = 0; i < n; i++) {
		assert_true(f->nrnd < FK_MAX_RND);
		f->rnd[f->nrnd++] = va_arg(ap, uint64_t);
	}
	va_end(ap);
}

/* A body entry of a recorded step, by key: NULL (fk_body: false) when absent. */
static inline const fk_kv *fk_find(const fk_ev *e, const char *key)
{
	for (int i = 0; i < e->nbody; i++)
		if (strcmp(e->body[i].key, key) == 0)
			return &e->body[i];
	return NULL;
}

static inline bool fk_body(const fk_ev *e, const char *key, int64_t *out)
{
	const fk_kv *kv = fk_find(e, key);
	*out = kv ? kv->i : 0;          /* always set: no "maybe uninitialized" in the caller */
	return kv != NULL;
}

/* The integer (or string) under key, 0 (or "") when absent. */
static inline int64_t fk_int(const fk_ev *e, const char *key)
{
	const fk_kv *kv = fk_find(e, key);
	return kv ? kv->i : 0;
}

static inline const char *fk_str(const fk_ev *e, const char *key)
{
	const fk_kv *kv = fk_find(e, key);
	return kv ? kv->s : "";
}

#endif
