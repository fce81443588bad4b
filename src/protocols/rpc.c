/* rpc.c: a remote call over a lossy network, retried on timeout: at-least-once, and what it
 * takes to make it exactly-once.
 *
 * The lesson on system models' other half (lecture 2 of Kleppmann's course, DDIA chapter 8
 * "Unreliable networks"): a client that got no reply cannot tell a lost request from a lost
 * reply or a slow server, so it sends the request again. If the request had arrived, the
 * server applies it twice: its counter goes up by two for one call. The cure is a request id
 * the server remembers (deduplication): a retry of a request already applied gets the saved
 * reply and changes nothing. The `dedupe` param switches the cure on; the scenario ships with
 * it off so the default run shows the double apply, labelled "applied twice!".
 *
 * Deliberate choices, each a why:
 * - Request ids are (client, sequence number), and the sequence number is persistent: a client
 *   that reused ids after a restart would see its new requests taken for old ones.
 * - The server's table of ids is persistent together with the counter (one transaction in a
 *   real server): a table lost in a crash would let a retry apply twice after all.
 * - The table keeps, per client, the highest id applied and a 64-bit window below it, which is
 *   what a client that runs one call at a time needs; an id older than the window is treated
 *   as seen (with dedupe, ignored), since only a long-delayed copy can be that old.
 * - Without dedupe the server still keeps the table, only to say "applied twice!" when it
 *   happens: the label is the report. The invariant "no request applied twice" is enforced
 *   when dedupe is on, or when check_exactly_once asks for it (to watch the checker catch the
 *   bug); otherwise it is reported, not enforced, because that run is the lesson. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/mem.h"
#include "rpc.h"

/* ---------------------------------------------------------------------------------------- */
/* Tables                                                                                     */

static const char *const rpc_msg_names[RPC_MSG__COUNT] = {
	[RPC_MSG_REQ] = "Request",
	[RPC_MSG_REPLY] = "Reply",
};

static const char *const rpc_timer_names[RPC_T__COUNT] = {
	[RPC_T_RETRY] = "timeout",
};

static const st_param_spec rpc_params[RPC_P__COUNT] = {
	[RPC_P_DEDUPE] = {"dedupe", ST_P_BOOL, 0, 1, 0, 0, NULL,
			  "the server remembers request ids and applies each request once; a "
			  "retry gets the saved reply"},
	[RPC_P_TIMEOUT] = {"timeout_ms", ST_P_INT, 1, 3600000, 100, 100, NULL,
			   "a client with no reply for this long sends the request again, with "
			   "the same id"},
	[RPC_P_ATTEMPTS] = {"max_attempts", ST_P_INT, 1, 1000, 5, 5, NULL,
			    "requests per call before the client gives up (outcome unknown: info)"},
	[RPC_P_CHECK] = {"check_exactly_once", ST_P_BOOL, 0, 1, 0, 0, NULL,
			 "enforce \"no request applied twice\" even without dedupe, to see the "
			 "checker catch the double apply (always enforced with dedupe)"},
};

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                    */

static void rpc_cfg_load(rpc_cfg *cfg, const st_param_val *p)
{
	st_param_val def[RPC_P__COUNT];
	if (!p) {       /* no scenario (a unit test, a tool): the table's defaults */
		for (int i = 0; i < RPC_P__COUNT; i++) {
			def[i].lo = rpc_params[i].def_lo;
			def[i].hi = rpc_params[i].def_hi;
		}
		p = def;
	}
	memset(cfg, 0, sizeof *cfg);
	cfg->dedupe = p[RPC_P_DEDUPE].lo != 0;
	cfg->timeout_us = p[RPC_P_TIMEOUT].lo * 1000;
	cfg->attempts = (int32_t)p[RPC_P_ATTEMPTS].lo;
	cfg->check_exactly_once = p[RPC_P_CHECK].lo != 0;
}

/* "c1#3": a request id as the lesson names it. */
typedef struct { char s[24]; } rpc_id;
static rpc_id rpc_idstr(int client, uint32_t seq)
{
	rpc_id r;
	snprintf(r.s, sizeof r.s, "c%d#%u", client + 1, (unsigned)seq);
	return r;
}

/* Has the server applied (client, seq) before? Past the window: assume so. */
static bool rpc_seen(const rpc_state *s, int ci, uint32_t seq, bool *old)
{
	*old = false;
	if (seq > s->last_seq[ci])
		return false;
	uint32_t back = s->last_seq[ci] - seq;
	if (back >= RPC_WINDOW) {
		*old = true;
		return true;
	}
	return (s->seen[ci] >> back) & 1u;
}

static void rpc_remember(rpc_state *s, int ci, uint32_t seq, int64_t result)
{
	if (seq > s->last_seq[ci]) {
		uint32_t shift = seq - s->last_seq[ci];
		s->seen[ci] = shift >= RPC_WINDOW ? 0 : s->seen[ci] << shift;
		s->seen[ci] |= 1u;
		s->last_seq[ci] = seq;
		s->last_result[ci] = result;
		return;
	}
	uint32_t back = s->last_seq[ci] - seq;
	if (back < RPC_WINDOW)
		s->seen[ci] |= (uint64_t)1 << back;
	if (back == 0)
		s->last_result[ci] = result;
}

/* ---------------------------------------------------------------------------------------- */
/* The server                                                                                 */

static void rpc_reply_send(st_ctx *c, int to, uint32_t seq, int64_t result, bool dup)
{
	rpc_reply r;
	memset(&r, 0, sizeof r);
	r.seq = seq;
	r.dup = dup;
	r.result = result;
	st_send(c, to, RPC_MSG_REPLY, &r, sizeof r);
}

static void rpc_apply_req(st_ctx *c, rpc_state *s, int from, int ci, uint32_t seq, bool twice)
{
	s->counter++;
	s->napplied++;
	rpc_remember(s, ci, seq, s->counter);
	rpc_id id = rpc_idstr(ci, seq);
	char label[40], note[400];
	if (twice) {
		s->twice++;
		snprintf(label, sizeof label, "applied twice!");
		snprintf(note, sizeof note, "n%d has already applied %s: this is a retry, sent "
			 "because the client got no reply in time (the reply was lost, or slow). "
			 "Without deduplication n%d cannot tell a retry from a new request, so it "
			 "applies it again: the counter goes to %lld for one call.", c->self + 1,
			 id.s, c->self + 1, (long long)s->counter);
	} else {
		snprintf(label, sizeof label, "apply %s", id.s);
		snprintf(note, sizeof note, "n%d applies %s: the counter goes from %lld to %lld. "
			 "%s", c->self + 1, id.s, (long long)s->counter - 1, (long long)s->counter,
			 s->cfg.dedupe ? "It records the id, so a retry of it will get this reply "
			 "again and change nothing." : "It keeps no record a retry could be "
			 "checked against.");
	}
	st_kv body[4] = {
		{.key = "client", .type = ST_V_PROC, .i = c->nnodes + ci},
		{.key = "seq", .type = ST_V_INT, .i = seq},
		{.key = "counter", .type = ST_V_INT, .i = s->counter},
		{.key = "dedupe", .type = ST_V_BOOL, .i = s->cfg.dedupe},
	};
	st_local(c, label, note, body, 4, twice ? ST_LABEL_MILESTONE : 0);
	rpc_reply_send(c, from, seq, s->counter, false);
}

static void rpc_on_request(st_ctx *c, rpc_state *s, int from, const rpc_req *m)
{
	int ci = from - c->nnodes;
	if (ci < 0 || ci >= ST_MAX_PROCS || m->client != ci)
		return;         /* only a client calls, and only under its own name */
	bool old;
	bool seen = rpc_seen(s, ci, m->seq, &old);
	if (!s->cfg.dedupe || !seen) {
		rpc_apply_req(c, s, from, ci, m->seq, seen && !old);
		return;
	}
	rpc_id id = rpc_idstr(ci, m->seq);
	char label[40], note[320];
	if (m->seq == s->last_seq[ci]) {
		s->dup_replies++;
		snprintf(label, sizeof label, "seen %s: resend", id.s);
		snprintf(note, sizeof note, "n%d has applied %s already: a retry. With "
			 "deduplication it does not apply it again; it sends the reply it saved "
			 "(counter %lld), and the call takes effect exactly once.", c->self + 1, id.s,
			 (long long)s->last_result[ci]);
		st_label(c, label, note, 0);
		rpc_reply_send(c, from, m->seq, s->last_result[ci], true);
		return;
	}
	snprintf(label, sizeof label, "old %s: ignored", id.s);
	snprintf(note, sizeof note, "A late copy of %s, which n%d applied long ago; the client "
		 "has moved on to later requests, so it is dropped.", id.s, c->self + 1);
	st_label(c, label, note, 0);
}

/* ---------------------------------------------------------------------------------------- */
/* The client                                                                                 */

static void rpc_send_req(st_ctx *c, rpc_state *s)
{
	rpc_req m;
	memset(&m, 0, sizeof m);
	m.seq = s->seq;
	m.client = c->self - c->nnodes;
	st_send(c, s->target, RPC_MSG_REQ, &m, sizeof m);
	st_set_timer(c, RPC_T_RETRY, s->cfg.timeout_us);
}

static void rpc_finish(st_ctx *c, rpc_state *s, st_optype t)
{
	st_cancel_timer(c, RPC_T_RETRY);
	s->busy = false;
	if (t == ST_OP_OK)
		s->ok++;
	else
		s->info++;
	st_complete(c, &s->op, t);
}

static void rpc_on_client(st_ctx *c, void *state, const st_op *op)
{
	rpc_state *s = state;
	if (c->role != ST_ROLE_CLIENT || c->nnodes <= 0)
		return;
	if (s->busy)            /* the simulator runs one op at a time; be safe anyway */
		rpc_finish(c, s, ST_OP_INFO);
	s->op = *op;
	s->busy = true;
	s->seq++;
	s->attempts = 1;
	s->target = op->node >= 0 && op->node < c->nnodes ? op->node : 0;
	rpc_send_req(c, s);
}

static void rpc_on_timeout(st_ctx *c, rpc_state *s)
{
	if (!s->busy)
		return;
	int ci = c->self - c->nnodes;
	rpc_id id = rpc_idstr(ci, s->seq);
	char label[40], note[400];
	if ((int32_t)s->attempts >= s->cfg.attempts) {
		snprintf(label, sizeof label, "give up %s", id.s);
		snprintf(note, sizeof note, "c%d sent %s %u times and never got a reply. It cannot "
			 "know whether n%d applied it (zero, one or several times): the outcome is "
			 "unknown (info).", ci + 1, id.s, (unsigned)s->attempts, s->target + 1);
		st_label(c, label, note, 0);
		rpc_finish(c, s, ST_OP_INFO);
		return;
	}
	s->attempts++;
	snprintf(label, sizeof label, "retry %s", id.s);
	snprintf(note, sizeof note, "No reply to %s within %lld ms. The request may have been "
		 "lost, or the reply, or both may just be slow: c%d cannot tell which. It sends "
		 "the same request again (attempt %u), with the same id.", id.s,
		 (long long)(s->cfg.timeout_us / 1000), ci + 1, (unsigned)s->attempts);
	st_label(c, label, note, 0);    /* a local event of its own, before the send */
	rpc_send_req(c, s);
}

static void rpc_on_reply(st_ctx *c, rpc_state *s, const rpc_reply *m)
{
	if (!s->busy || m->seq != s->seq) {
		st_label(c, "stale reply", "A reply to a request this client has finished with "
			 "(a reply to an earlier attempt, or a duplicate): ignored.", 0);
		return;
	}
	s->result = m->result;
	rpc_finish(c, s, ST_OP_OK);
}

/* ---------------------------------------------------------------------------------------- */
/* Entry points                                                                               */

static void rpc_init(st_ctx *c, void *state, const st_param_val *params)
{
	rpc_state *s = state;
	(void)c;
	memset(s, 0, sizeof *s);
	rpc_cfg_load(&s->cfg, params);
}

static void rpc_on_message(st_ctx *c, void *state, const st_msg *msg)
{
	rpc_state *s = state;
	if (!msg->body || msg->from < 0 || msg->from >= c->nprocs)
		return;
	if (msg->type == RPC_MSG_REQ && c->role == ST_ROLE_NODE && msg->len >= sizeof(rpc_req)) {
		rpc_req m;
		memcpy(&m, msg->body, sizeof m);
		rpc_on_request(c, s, msg->from, &m);
	} else if (msg->type == RPC_MSG_REPLY && c->role == ST_ROLE_CLIENT &&
		   msg->len >= sizeof(rpc_reply)) {
		rpc_reply m;
		memcpy(&m, msg->body, sizeof m);
		rpc_on_reply(c, s, &m);
	}
}

static void rpc_on_timer(st_ctx *c, void *state, int timer)
{
	if (c->role == ST_ROLE_CLIENT && timer == RPC_T_RETRY)
		rpc_on_timeout(c, state);
}

static void rpc_on_restart(st_ctx *c, void *state, const st_param_val *params)
{
	rpc_state *s = state;
	rpc_cfg_load(&s->cfg, params);
	if (c->role == ST_ROLE_CLIENT) {
		/* the call in flight is lost with the crash (the simulator forgets it too);
		 * seq is kept, so new calls get new ids */
		s->busy = false;
		s->attempts = 0;
		st_cancel_timer(c, RPC_T_RETRY);
	}
}

static void rpc_describe(const void *state, st_role role, st_sink *k)
{
	const rpc_state *s = state;
	if (role == ST_ROLE_NODE) {
		k->kv_int(k, "counter", s->counter);
		k->kv_int(k, "applies", s->napplied);
		k->kv_int(k, "twice", s->twice);
		k->kv_str(k, "dedupe", s->cfg.dedupe ? "on" : "off");
		return;
	}
	char req[16];
	snprintf(req, sizeof req, "#%u", (unsigned)s->seq);     /* the client's own: c1 */
	k->kv_str(k, "req", s->seq ? req : "-");
	k->kv_int(k, "tries", s->attempts);
	k->kv_int(k, "ok", s->ok);
	k->kv_int(k, "info", s->info);
}

static void rpc_encode(int type, const void *body, size_t len, st_sink *k)
{
	if (!body)
		return;
	if (type == RPC_MSG_REQ && len >= sizeof(rpc_req)) {
		rpc_req m;
		memcpy(&m, body, sizeof m);
		k->kv_str(k, "id", rpc_idstr(m.client, m.seq).s);
		k->kv_str(k, "f", "incr");
	} else if (type == RPC_MSG_REPLY && len >= sizeof(rpc_reply)) {
		rpc_reply m;
		memcpy(&m, body, sizeof m);
		k->kv_int(k, "seq", m.seq);
		k->kv_int(k, "counter", m.result);
		k->kv_bool(k, "resent", m.dup);
	}
}

/* ---------------------------------------------------------------------------------------- */
/* The invariants, over process states                                                        */

/* Every server: its counter moves only by applies; and, when enforced, no (client, id) is
 * applied twice, anywhere. The applies are the step's local events (their bodies name the
 * client, the request id and the counter after), so the server keeps no log for the checker. */
static bool rpc_check(void *check_state, const st_param_val *params, const st_view *v,
		      st_violation *out)
{
	rpc_checker *k = check_state;
	if (!k || !v || !v->states || !out)
		return true;
	out->detail[0] = '\0';
	bool enforce = params && (params[RPC_P_DEDUPE].lo || params[RPC_P_CHECK].lo);
	int nn = v->nnodes < ST_MAX_PROCS ? v->nnodes : ST_MAX_PROCS;
	for (int p = 0; p < nn; p++) {
		const rpc_state *s = v->states[p];
		if (s->counter != (int64_t)s->napplied)
			return st_violate(out, "counter consistency", "n%d's counter is %lld after %u "
					  "applies", p + 1, (long long)s->counter, (unsigned)s->napplied);
	}
	for (int i = 0; i < v->nevents; i++) {
		st_tev e;
		int64_t client, seq, counter;
		if (!v->event(v, i, &e) || strcmp(e.kind, "local") != 0 || e.proc < 0 ||
		    e.proc >= nn || !e.body_int(&e, "client", &client) ||
		    !e.body_int(&e, "seq", &seq) || !e.body_int(&e, "counter", &counter))
			continue;
		int ci = (int)(client - v->nnodes);
		if (ci < 0 || ci >= RPC_CK_CLIENTS || seq < 0 || seq > UINT32_MAX - 1)
			continue;
		uint32_t *slot = &k->applied[ci][seq % RPC_CK_WINDOW];
		if (*slot == (uint32_t)seq + 1 && enforce)
			return st_violate(out, "exactly once", "request %s was applied twice (n%d's "
					  "counter went to %lld for it again, event %u)",
					  rpc_idstr(ci, (uint32_t)seq).s, e.proc + 1,
					  (long long)counter, (unsigned)e.id);
		*slot = (uint32_t)seq + 1;
	}
	return true;
}

/* ---------------------------------------------------------------------------------------- */
/* The invariants, over a trace (--verify): from the apply events' bodies. Every apply moves
 * its server's counter by one; a repeat of a request id is a violation when the apply says
 * dedupe was on, and must be labelled "applied twice!" when it was off (the label is the
 * report, and must not lie either way). */

typedef struct {
	int nprocs;
	int64_t *counter;       /* per server: the counter after its last apply */
	uint8_t **applied;      /* per client process: applied[c][seq] */
	uint32_t *napplied;     /* per client process: capacity of applied[c] */
} rpc_tc;

static void *rpc_trace_check_new(const st_trace_info *info)
{
	int nprocs = info ? info->nprocs : 1;
	if (nprocs < 1)
		nprocs = 1;
	rpc_tc *tc = st_zalloc(1, sizeof *tc);
	tc->nprocs = nprocs;
	tc->counter = st_zalloc((size_t)nprocs, sizeof *tc->counter);
	tc->applied = st_zalloc((size_t)nprocs, sizeof *tc->applied);
	tc->napplied = st_zalloc((size_t)nprocs, sizeof *tc->napplied);
	return tc;
}

/* &applied[c][seq], grown as needed; NULL past 2^24 ids. */
static uint8_t *rpc_tc_slot(rpc_tc *tc, int c, int64_t seq)
{
	if (seq < 0 || seq >= (1 << 24))
		return NULL;
	if ((uint32_t)seq >= tc->napplied[c]) {
		st_grow32(&tc->applied[c], &tc->napplied[c], (size_t)seq + 1, 1);
	}
	return &tc->applied[c][seq];
}

static bool rpc_trace_check(void *tcv, const st_tev *e, st_violation *out)
{
	rpc_tc *tc = tcv;
	if (!tc || !e || !out || !e->kind || !e->label || e->proc < 0 || e->proc >= tc->nprocs ||
	    strcmp(e->kind, "local") != 0 || !e->body_int)
		return true;
	out->detail[0] = '\0';
	bool twice = strcmp(e->label, "applied twice!") == 0;
	if (!twice && strncmp(e->label, "apply ", 6) != 0)
		return true;
	int64_t client, seq, counter, dedupe;
	if (!e->body_int(e, "client", &client) || !e->body_int(e, "seq", &seq) ||
	    !e->body_int(e, "counter", &counter))
		return st_violate(out, "apply format", "n%d's apply lacks client, seq or counter",
				e->proc + 1);
	if (!e->body_int(e, "dedupe", &dedupe))
		dedupe = 0;
	int p = e->proc;
	if (counter != tc->counter[p] + 1) {
		int64_t was = tc->counter[p];
		tc->counter[p] = counter;
		return st_violate(out, "counter consistency", "n%d's counter goes from %lld to %lld "
				"in one apply", p + 1, (long long)was, (long long)counter);
	}
	tc->counter[p] = counter;
	if (client < 0 || client >= tc->nprocs)
		return true;
	uint8_t *slot = rpc_tc_slot(tc, (int)client, seq);
	if (!slot)
		return true;
	bool again = *slot != 0;
	*slot = 1;
	int ci = (int)client;
	if (again && dedupe)
		return st_violate(out, "exactly once", "n%d applies request #%lld of the client at "
				"process index %d a second time, with dedupe on", p + 1, (long long)seq,
				ci);
	if (twice && !again)
		return st_violate(out, "double apply reported", "n%d says \"applied twice!\" for "
				"request #%lld of the client at process index %d, applied here for the "
				"first time", p + 1, (long long)seq, ci);
	return true;
}

static bool rpc_trace_check_end(void *tcv, st_violation *out)
{
	(void)tcv;
	(void)out;
	return true;    /* every rule is checked as the events come */
}

static void rpc_trace_check_free(void *tcv)
{
	rpc_tc *tc = tcv;
	if (!tc)
		return;
	for (int c = 0; c < tc->nprocs; c++)
		free(tc->applied[c]);
	free(tc->applied);
	free(tc->napplied);
	free(tc->counter);
	free(tc);
}

const st_protocol rpc_protocol = {
	.name = "rpc",
	.version = "1",
	.summary = "A remote call retried on timeout: double applies, and request ids",
	.state_size = sizeof(rpc_state),
	.max_msg_size = sizeof(rpc_reply),
	.msg_types = rpc_msg_names, .n_msg_types = RPC_MSG__COUNT,
	.timer_names = rpc_timer_names, .n_timers = RPC_T__COUNT,
	.params = rpc_params, .n_params = RPC_P__COUNT,
	.init = rpc_init,
	.on_message = rpc_on_message,
	.on_timer = rpc_on_timer,
	.on_client = rpc_on_client,
	.on_restart = rpc_on_restart,
	.describe = rpc_describe,
	.encode = rpc_encode,
	.check_size = sizeof(rpc_checker),
	.check = rpc_check,
	.trace_check_new = rpc_trace_check_new,
	.trace_check = rpc_trace_check,
	.trace_check_end = rpc_trace_check_end,
	.trace_check_free = rpc_trace_check_free,
};
