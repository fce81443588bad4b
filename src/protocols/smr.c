/* smr.c: state machine replication on total order broadcast (Kleppmann's lecture 5.3, DDIA
 * chapter 9 "Total order broadcast").
 *
 * Every replica holds the same small key-value store (x, y, t) and applies the same commands
 * in the same order; if the commands are deterministic, replicas that applied the same prefix
 * of the order are in the same state. That is the whole idea, and the invariant the checker
 * holds them to: per applied prefix, one state digest.
 *
 * The total order comes from a fixed sequencer, n1 (the idea of broadcast-total, written small
 * and on its own here): clients submit commands to n1, which numbers each one, applies it and
 * sends it to the other replicas; a replica applies command g only after g-1, holding back
 * one that comes early. n1 announces its last number every sync_ms, so a replica that lost a
 * command asks for it again (or, when n1 no longer keeps it, for a snapshot of n1's state).
 * n1 is not replaced when it crashes: ordering stops until it restarts (its numbering and the
 * commands it keeps are on disk).
 *
 * The commands: "set x to v", "add one to y", and "set t to now()". The last one is where
 * determinism is at stake. Done right, n1 evaluates now() once, as it orders the command, and
 * sends "set t to 1234" to everyone. The weakened variant, bug=clock-command, sends "t=now()"
 * itself, and each replica reads its own clock when it applies it: different clocks, different
 * moments, different t, and the replicas diverge. */
#include <stdio.h>
#include <string.h>

#include "../base/hash.h"
#include "../base/names.h"
#include "smr.h"

/* ---------------------------------------------------------------------------------------- */
/* Tables                                                                                     */

static const char *const smr_msg_names[SMR_MSG__COUNT] = {
	[SMR_MSG_SUBMIT] = "Submit", [SMR_MSG_DONE] = "Done", [SMR_MSG_ORDER] = "Order",
	[SMR_MSG_SYNC] = "Sync", [SMR_MSG_NACK] = "Nack", [SMR_MSG_SNAPSHOT] = "Snapshot",
};

static const char *const smr_timer_names[SMR_T__COUNT] = {
	[SMR_T_SYNC] = "sync", [SMR_T_CLIENT] = "timeout",
};

static const char *const smr_bug_names[] = {"none", "clock-command", NULL};
const char *const smr_key_names[SMR_KEYS] = {"x", "y", "t"};

static const st_param_spec smr_params[SMR_P__COUNT] = {
	[SMR_P_BUG] = {"bug", ST_P_ENUM, 0, 0, SMR_BUG_NONE, SMR_BUG_NONE, smr_bug_names,
		       "clock-command (a bug, on purpose): \"set t to now()\" is sent as is and "
		       "each replica reads its own clock when it applies it, so the replicas "
		       "diverge; none: the sequencer evaluates now() once, when it orders it"},
	[SMR_P_SYNC] = {"sync_ms", ST_P_INT, 1, 3600000, 200, 200, NULL,
			"the sequencer announces its last command number this often, so a replica "
			"that lost a command asks for it again"},
	[SMR_P_TIMEOUT] = {"timeout_ms", ST_P_INT, 1, 3600000, 500, 500, NULL,
			   "a client with no answer for this long gives up on the command"},
};

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                    */

static void smr_cfg_load(smr_cfg *cfg, const st_param_val *p, int nnodes)
{
	st_param_val def[SMR_P__COUNT];
	if (!p) {
		for (int i = 0; i < SMR_P__COUNT; i++) {
			def[i].lo = smr_params[i].def_lo;
			def[i].hi = smr_params[i].def_hi;
		}
		p = def;
	}
	memset(cfg, 0, sizeof *cfg);
	cfg->bug = (uint8_t)p[SMR_P_BUG].lo;
	cfg->nnodes = nnodes;
	cfg->sync_us = p[SMR_P_SYNC].lo * 1000;
	cfg->timeout_us = p[SMR_P_TIMEOUT].lo * 1000;
}

static st_pname smr_name(const st_ctx *c, int p)
{
	return st_pname_of(p, c->nnodes, c->nprocs);
}

/* The state machine's digest: FNV-1a over the store, cut to 48 bits. */
uint64_t smr_digest_of(const int64_t kv[SMR_KEYS])
{
	return st_hash_bytes(kv, sizeof(int64_t) * SMR_KEYS) & SMR_DIGEST_MASK;
}

/* "x=20", "y+1", "t=now()", "t=1234": a command as the lesson writes it. */
typedef struct { char s[40]; } smr_cmdstr;
static smr_cmdstr smr_cmd_str(const smr_cmd *m)
{
	smr_cmdstr r;
	const char *k = m->key < SMR_KEYS ? smr_key_names[m->key] : "?";
	if (m->op == SMR_INCR)
		snprintf(r.s, sizeof r.s, "%s+1", k);
	else if (m->op == SMR_NOW)
		snprintf(r.s, sizeof r.s, "%s=now()", k);
	else
		snprintf(r.s, sizeof r.s, "%s=%lld", k, (long long)m->val);
	return r;
}

/* ---------------------------------------------------------------------------------------- */
/* Replicas                                                                                   */

static void smr_apply(st_ctx *c, smr_state *s, const smr_cmd *m)
{
	int64_t was = s->kv[m->key];
	char label[96], note[400];
	smr_cmdstr cs = smr_cmd_str(m);
	int flags = 0;
	if (m->op == SMR_SET) {
		s->kv[m->key] = m->val;
		snprintf(label, sizeof label, "apply #%u %s", (unsigned)m->g, cs.s);
		snprintf(note, sizeof note, "%s applies command #%u, %s: deterministic, so every "
			 "replica that applies it after the same %u commands gets the same store.",
			 smr_name(c, c->self).s, (unsigned)m->g, cs.s, (unsigned)m->g - 1);
	} else if (m->op == SMR_INCR) {
		s->kv[m->key] = was + 1;
		snprintf(label, sizeof label, "apply #%u %s=%lld", (unsigned)m->g, cs.s,
			 (long long)s->kv[m->key]);
		snprintf(note, sizeof note, "%s applies command #%u, %s: %s goes from %lld to %lld.",
			 smr_name(c, c->self).s, (unsigned)m->g, cs.s, smr_key_names[m->key],
			 (long long)was, (long long)s->kv[m->key]);
	} else {
		s->kv[m->key] = st_now_us(c) / 1000;
		snprintf(label, sizeof label, "apply #%u %s=%lld", (unsigned)m->g, cs.s,
			 (long long)s->kv[m->key]);
		snprintf(note, sizeof note, "%s applies command #%u, %s, by reading its own clock: "
			 "%lld ms. Another replica applies it at another moment, by another clock, "
			 "and gets another t: the command is not deterministic, and the replicas' "
			 "states part although they applied the same commands in the same order.",
			 smr_name(c, c->self).s, (unsigned)m->g, cs.s, (long long)s->kv[m->key]);
		flags = ST_LABEL_MILESTONE;
	}
	s->applied = m->g;
	s->digest = smr_digest_of(s->kv);
	st_kv body[4] = {
		{.key = "g", .type = ST_V_INT, .i = m->g},
		{.key = "cmd", .type = ST_V_STR, .s = cs.s},
		{.key = "value", .type = ST_V_INT, .i = s->kv[m->key]},
		{.key = "digest", .type = ST_V_INT, .i = (int64_t)s->digest},
	};
	st_local(c, label, note, body, 4, flags);
}

/* Apply what is due: the next command, then any held back behind it. */
static void smr_drain(st_ctx *c, smr_state *s)
{
	for (bool more = true; more;) {
		more = false;
		for (uint32_t i = 0; i < s->nheld; i++) {
			if (s->hold[i].g > s->applied + 1 && s->hold[i].g != 0)
				continue;
			smr_cmd m = s->hold[i];
			s->hold[i] = s->hold[--s->nheld];
			if (m.g == s->applied + 1)
				smr_apply(c, s, &m);
			more = true;
			break;
		}
	}
}

static void smr_deliver(st_ctx *c, smr_state *s, const smr_cmd *m)
{
	if (m->g <= s->applied || m->key >= SMR_KEYS || m->op >= SMR_OP__COUNT)
		return;
	if (m->g == s->applied + 1) {
		smr_apply(c, s, m);
		smr_drain(c, s);
		return;
	}
	for (uint32_t i = 0; i < s->nheld; i++)
		if (s->hold[i].g == m->g)
			return;
	if (s->nheld >= SMR_HOLD || m->g > s->applied + SMR_HOLD)
		return;         /* too far ahead: it will come again after a Nack */
	s->hold[s->nheld++] = *m;
	s->nholds++;
	char label[40], note[240];
	snprintf(label, sizeof label, "hold #%u", (unsigned)m->g);
	snprintf(note, sizeof note, "%s has applied commands up to #%u; #%u must wait until "
		 "#%u arrives, or the replicas would apply them in different orders.",
		 smr_name(c, c->self).s, (unsigned)s->applied, (unsigned)m->g,
		 (unsigned)s->applied + 1);
	st_label(c, label, note, s->nholds == 1 ? ST_LABEL_MILESTONE : 0);  /* the first */
}

static void smr_on_snapshot(st_ctx *c, smr_state *s, const smr_snapshot_m *m)
{
	if (m->applied <= s->applied)
		return;
	memcpy(s->kv, m->kv, sizeof s->kv);
	s->applied = m->applied;
	s->digest = smr_digest_of(s->kv);
	char label[40], note[240];
	snprintf(label, sizeof label, "snapshot @%u", (unsigned)m->applied);
	snprintf(note, sizeof note, "%s was too far behind for the sequencer to send the "
		 "commands again; it takes the sequencer's store as it stands after command #%u.",
		 smr_name(c, c->self).s, (unsigned)m->applied);
	st_kv body[2] = {
		{.key = "g", .type = ST_V_INT, .i = s->applied},
		{.key = "digest", .type = ST_V_INT, .i = (int64_t)s->digest},
	};
	st_local(c, label, note, body, 2, 0);
	smr_drain(c, s);
}

/* ---------------------------------------------------------------------------------------- */
/* The sequencer (n1)                                                                         */

static void smr_on_submit(st_ctx *c, smr_state *s, int from, const smr_submit_m *m)
{
	int ci = from - c->nnodes;
	if (ci < 0 || ci >= SMR_CLIENTS || m->key >= SMR_KEYS || m->op >= SMR_OP__COUNT)
		return;
	if (c->self != 0 || m->seq <= s->last_seq[ci])
		return;         /* only n1 numbers; a duplicate is numbered once */
	s->last_seq[ci] = m->seq;
	smr_cmd cmd;
	memset(&cmd, 0, sizeof cmd);
	cmd.g = ++s->next_g;
	cmd.seq = m->seq;
	cmd.op = m->op;
	cmd.key = m->key;
	cmd.val = m->val;
	cmd.client = (uint8_t)ci;
	char label[96], note[400];
	if (cmd.op == SMR_NOW && s->cfg.bug != SMR_BUG_CLOCK) {
		cmd.op = SMR_SET;
		cmd.val = st_now_us(c) / 1000;
		snprintf(label, sizeof label, "order #%u t=now() as t=%lld", (unsigned)cmd.g,
			 (long long)cmd.val);
		snprintf(note, sizeof note, "%s gives %s's command t=now() the number #%u. It reads "
			 "its clock here, once: the command every replica gets is \"set t to %lld\", "
			 "which gives the same t wherever and whenever it is applied.",
			 smr_name(c, c->self).s, smr_name(c, from).s, (unsigned)cmd.g,
			 (long long)cmd.val);
		st_label(c, label, note, ST_LABEL_MILESTONE);
	} else {
		smr_cmdstr cs = smr_cmd_str(&cmd);
		snprintf(label, sizeof label, "order #%u %s", (unsigned)cmd.g, cs.s);
		snprintf(note, sizeof note, "%s gives %s's command %s the number #%u and sends it "
			 "to every replica: all of them apply it as their command #%u.",
			 smr_name(c, c->self).s, smr_name(c, from).s, cs.s, (unsigned)cmd.g,
			 (unsigned)cmd.g);
		st_label(c, label, note, 0);
	}
	s->ring[cmd.g % SMR_RING] = cmd;
	smr_order_m o = {.cmd = cmd};
	for (int p = 1; p < c->nnodes; p++)
		st_send(c, p, SMR_MSG_ORDER, &o, sizeof o);
	smr_deliver(c, s, &cmd);
	smr_done_m d = {.seq = m->seq, .g = cmd.g};
	st_send(c, from, SMR_MSG_DONE, &d, sizeof d);
}

static void smr_on_nack(st_ctx *c, smr_state *s, int from, const smr_nack_m *m)
{
	if (c->self != 0 || m->from == 0 || m->from > s->next_g)
		return;
	if (m->from + SMR_RING > s->next_g) {   /* still in the ring: send them again */
		for (uint32_t g = m->from; g <= s->next_g && g < m->from + SMR_BATCH; g++) {
			smr_order_m o = {.cmd = s->ring[g % SMR_RING]};
			st_send(c, from, SMR_MSG_ORDER, &o, sizeof o);
		}
		return;
	}
	smr_snapshot_m sn;
	memset(&sn, 0, sizeof sn);
	sn.applied = s->applied;
	sn.digest = s->digest;
	memcpy(sn.kv, s->kv, sizeof sn.kv);
	st_send(c, from, SMR_MSG_SNAPSHOT, &sn, sizeof sn);
}

static void smr_on_sync(st_ctx *c, smr_state *s, int from, const smr_sync_m *m)
{
	if (m->next_g <= s->applied)
		return;
	smr_nack_m n = {.from = s->applied + 1};
	st_send(c, from, SMR_MSG_NACK, &n, sizeof n);
}

/* ---------------------------------------------------------------------------------------- */
/* Clients                                                                                    */

static void smr_on_client(st_ctx *c, void *state, const st_op *op)
{
	smr_state *s = state;
	if (c->role != ST_ROLE_CLIENT || c->nnodes <= 0)
		return;
	if (s->busy) {
		s->busy = false;
		st_complete(c, &s->op, ST_OP_INFO);
	}
	s->op = *op;
	s->busy = true;
	s->seq++;
	uint32_t k = s->seq - 1;
	s->kind = (uint8_t)(k % SMR_OP__COUNT);   /* set x, then add one to y, then t=now() */
	s->key = s->kind;
	/* c1 sets x to 11, 21, ... and c2 to 12, 22, ...: the value says who set it last */
	s->val = (int64_t)(k / SMR_OP__COUNT + 1) * 10 + (c->self - c->nnodes + 1) % 10;
	smr_submit_m m;
	memset(&m, 0, sizeof m);
	m.seq = s->seq;
	m.op = s->kind;
	m.key = s->key;
	m.val = s->val;
	st_send(c, 0, SMR_MSG_SUBMIT, &m, sizeof m);
	st_set_timer(c, SMR_T_CLIENT, s->cfg.timeout_us);
}

static void smr_client_end(st_ctx *c, smr_state *s, st_optype t)
{
	st_cancel_timer(c, SMR_T_CLIENT);
	s->busy = false;
	if (t == ST_OP_OK)
		s->done++;
	else
		s->fails++;
	st_complete(c, &s->op, t);
}

/* ---------------------------------------------------------------------------------------- */
/* Entry points                                                                               */

static void smr_init(st_ctx *c, void *state, const st_param_val *params)
{
	smr_state *s = state;
	memset(s, 0, sizeof *s);
	smr_cfg_load(&s->cfg, params, c->nnodes);
	s->digest = smr_digest_of(s->kv);
	s->sequencer = c->role == ST_ROLE_NODE && c->self == 0;
	if (s->sequencer)
		st_set_timer(c, SMR_T_SYNC, s->cfg.sync_us);
}

static void smr_on_message(st_ctx *c, void *state, const st_msg *msg)
{
	smr_state *s = state;
	if (!msg->body || msg->from < 0 || msg->from >= c->nprocs)
		return;
	union {
		smr_submit_m su; smr_done_m d; smr_order_m o; smr_sync_m sy; smr_nack_m n;
		smr_snapshot_m sn;
	} u;
	memset(&u, 0, sizeof u);
	size_t n = msg->len < sizeof u ? msg->len : sizeof u;
	memcpy(&u, msg->body, n);
	bool node = c->role == ST_ROLE_NODE, from_node = msg->from < c->nnodes;
	if (msg->type == SMR_MSG_SUBMIT && node && !from_node && n >= sizeof u.su)
		smr_on_submit(c, s, msg->from, &u.su);
	else if (msg->type == SMR_MSG_ORDER && node && msg->from == 0 && n >= sizeof u.o)
		smr_deliver(c, s, &u.o.cmd);
	else if (msg->type == SMR_MSG_SYNC && node && msg->from == 0 && n >= sizeof u.sy)
		smr_on_sync(c, s, msg->from, &u.sy);
	else if (msg->type == SMR_MSG_NACK && node && from_node && n >= sizeof u.n)
		smr_on_nack(c, s, msg->from, &u.n);
	else if (msg->type == SMR_MSG_SNAPSHOT && node && msg->from == 0 && n >= sizeof u.sn)
		smr_on_snapshot(c, s, &u.sn);
	else if (msg->type == SMR_MSG_DONE && !node && from_node && n >= sizeof u.d &&
		 s->busy && u.d.seq == s->seq)
		smr_client_end(c, s, ST_OP_OK);
}

static void smr_on_timer(st_ctx *c, void *state, int timer)
{
	smr_state *s = state;
	if (c->role == ST_ROLE_CLIENT) {
		if (timer == SMR_T_CLIENT && s->busy) {
			st_label(c, "gave up", "No answer in time: the sequencer may be down, or "
				 "a message lost. The command may or may not have been ordered.", 0);
			smr_client_end(c, s, ST_OP_INFO);
		}
		return;
	}
	if (timer == SMR_T_SYNC && c->self == 0) {
		smr_sync_m m = {.next_g = s->next_g};
		for (int p = 1; p < c->nnodes; p++)
			st_send(c, p, SMR_MSG_SYNC, &m, sizeof m);
		st_set_timer(c, SMR_T_SYNC, s->cfg.sync_us);
	}
}

static void smr_on_restart(st_ctx *c, void *state, const st_param_val *params)
{
	smr_state *s = state;
	smr_cfg_load(&s->cfg, params, c->nnodes);
	if (c->role == ST_ROLE_CLIENT) {
		s->busy = false;
		st_cancel_timer(c, SMR_T_CLIENT);
		return;
	}
	s->nheld = 0;           /* held-back commands were in memory; they come again */
	memset(s->hold, 0, sizeof s->hold);
	if (c->self == 0)
		st_set_timer(c, SMR_T_SYNC, s->cfg.sync_us);
}

static void smr_describe(const void *state, st_role role, st_sink *k)
{
	const smr_state *s = state;
	if (role == ST_ROLE_NODE) {
		char d[16];
		snprintf(d, sizeof d, "%06llx", (unsigned long long)(s->digest & 0xffffff));
		/* the store as one value, so the replicas' stores line up side by side */
		char store[96];
		size_t at = 0;
		for (int i = 0; i < SMR_KEYS && at + 24 < sizeof store; i++)
			at += (size_t)snprintf(store + at, sizeof store - at, "%s%s=%lld",
					       i ? " " : "", smr_key_names[i], (long long)s->kv[i]);
		k->kv_int(k, "applied", s->applied);
		k->kv_str(k, "digest", d);
		k->kv_str(k, "store", store);
		k->kv_int(k, "held", s->nheld);
		k->kv_str(k, "role", s->sequencer ? "sequencer" : "replica");
		return;
	}
	char op[40] = "-";
	if (s->busy) {
		smr_cmd m = {.op = s->kind, .key = s->key, .val = s->val};
		snprintf(op, sizeof op, "%s", smr_cmd_str(&m).s);
	}
	k->kv_str(k, "cmd", op);
	k->kv_int(k, "done", s->done);
	k->kv_int(k, "failed", s->fails);
}

static void smr_encode(int type, const void *body, size_t len, st_sink *k)
{
	if (!body)
		return;
	union {
		smr_submit_m su; smr_done_m d; smr_order_m o; smr_sync_m sy; smr_nack_m n;
		smr_snapshot_m sn;
	} u;
	memset(&u, 0, sizeof u);
	size_t n = len < sizeof u ? len : sizeof u;
	memcpy(&u, body, n);
	if (type == SMR_MSG_SUBMIT && n >= sizeof u.su && u.su.key < SMR_KEYS &&
	    u.su.op < SMR_OP__COUNT) {
		smr_cmd m = {.op = u.su.op, .key = u.su.key, .val = u.su.val};
		k->kv_int(k, "seq", u.su.seq);
		k->kv_str(k, "cmd", smr_cmd_str(&m).s);
	} else if (type == SMR_MSG_DONE && n >= sizeof u.d) {
		k->kv_int(k, "seq", u.d.seq);
		k->kv_int(k, "g", u.d.g);
	} else if (type == SMR_MSG_ORDER && n >= sizeof u.o) {
		k->kv_int(k, "g", u.o.cmd.g);
		k->kv_str(k, "cmd", smr_cmd_str(&u.o.cmd).s);
	} else if (type == SMR_MSG_SYNC && n >= sizeof u.sy) {
		k->kv_int(k, "last", u.sy.next_g);
	} else if (type == SMR_MSG_NACK && n >= sizeof u.n) {
		k->kv_int(k, "from", u.n.from);
	} else if (type == SMR_MSG_SNAPSHOT && n >= sizeof u.sn) {
		k->kv_int(k, "applied", u.sn.applied);
		for (int i = 0; i < SMR_KEYS; i++)
			k->kv_int(k, smr_key_names[i], u.sn.kv[i]);
	}
}

static const st_role_style smr_roles[] = {
	{"sequencer", ST_STYLE_STRONG}, {"replica", ST_STYLE_QUIET}, {NULL, 0},
};
static const st_state_field smr_node_fields[] = {
	{"applied", ST_F_UINT, NULL},
	{"digest", ST_F_STR, NULL},
};
static const st_state_field smr_client_fields[] = {
	{"done", ST_F_UINT, NULL},
};

const st_protocol smr_protocol = {
	.name = "smr",
	.version = "1",
	.summary = "State machine replication on total order: same commands, same order, same state",
	.state_size = sizeof(smr_state),
	.max_msg_size = sizeof(smr_snapshot_m),
	.msg_types = smr_msg_names, .n_msg_types = SMR_MSG__COUNT,
	.timer_names = smr_timer_names, .n_timers = SMR_T__COUNT,
	.params = smr_params, .n_params = SMR_P__COUNT,
	.role_key = "role",
	.role_styles = smr_roles,
	.init = smr_init,
	.on_message = smr_on_message,
	.on_timer = smr_on_timer,
	.on_client = smr_on_client,
	.on_restart = smr_on_restart,
	.describe = smr_describe,
	.encode = smr_encode,
	.check_size = sizeof(smr_checker),
	.check = smr_check,
	.trace_check_new = smr_trace_check_new,
	.trace_check = smr_trace_check,
	.trace_check_end = smr_trace_check_end,
	.trace_check_free = smr_trace_check_free,
	.trace_check_summary = smr_trace_check_summary,
	.node_fields = smr_node_fields, .n_node_fields = 2,
	.client_fields = smr_client_fields, .n_client_fields = 1,
	.msg_classes = smr_msg_classes, .n_msg_classes = SMR_MSG_CLASSES,
	.msg_class = smr_msg_class,
	.picture = smr_picture,
};
