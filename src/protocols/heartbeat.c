/* heartbeat.c: a heartbeat failure detector, the lesson on system models.
 *
 * Lecture 2 of Kleppmann's course and DDIA chapter 8: nodes send a heartbeat every interval; a
 * monitor that has heard nothing from a node for longer than a timeout suspects it has
 * crashed. In a synchronous system (known bounds on delays) such a detector is perfect. In a
 * partially synchronous one the bound exists only after some unknown time, so a live but slow
 * node is suspected falsely, and no timeout can be both short and never wrong. The lesson shows
 * both: the schedule raises the latency above the timeout and a live node is suspected; a
 * crashed node (the schedule's, or one the user crashes with x) is suspected for good.
 *
 * Deliberate choices, each a why:
 * - An eventually perfect detector (Chandra and Toueg's ◇P): each false suspicion raises the
 *   timeout for that node by timeout_increase_ms, so once delays stop growing the mistakes
 *   stop. Set it to 0 for a fixed timeout.
 * - One "check" timer, set for the earliest deadline among the trusted nodes, rather than a
 *   timer per node (a process has 8 timers, a cluster up to 16 nodes). Every handler also
 *   sweeps for overdue nodes first, so a node overdue at any step of the detector is
 *   suspected at that step, even when a pause held the timer back.
 * - Time is the detector's own clock (st_now_us): a real monitor has no other.
 * - mode all-to-all: every node sends to and watches every other, so each has its own view
 *   (and a node must never suspect itself). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/mem.h"
#include "../base/names.h"
#include "heartbeat.h"

/* ---------------------------------------------------------------------------------------- */
/* Tables                                                                                     */

static const char *const heartbeat_msg_names[HEARTBEAT_MSG__COUNT] = {
	[HEARTBEAT_MSG_BEAT] = "Heartbeat",
};

static const char *const heartbeat_timer_names[HEARTBEAT_T__COUNT] = {
	[HEARTBEAT_T_BEAT] = "beat",
	[HEARTBEAT_T_CHECK] = "check",
};

static const char *const heartbeat_mode_names[] = {"monitor", "all-to-all", NULL};

static const st_param_spec heartbeat_params[HEARTBEAT_P__COUNT] = {
	[HEARTBEAT_P_MODE] = {"mode", ST_P_ENUM, 0, 0, 0, 0, heartbeat_mode_names,
			      "monitor: n1 watches the others, which send it heartbeats; "
			      "all-to-all: every node sends to and watches every other"},
	[HEARTBEAT_P_INTERVAL] = {"heartbeat_ms", ST_P_INT, 1, 600000, 100, 100, NULL,
				  "how often a node sends a heartbeat"},
	[HEARTBEAT_P_TIMEOUT] = {"timeout_ms", ST_P_INT, 1, 3600000, 250, 250, NULL,
				 "a node silent for this long is suspected"},
	[HEARTBEAT_P_INCREASE] = {"timeout_increase_ms", ST_P_INT, 0, 3600000, 100, 100, NULL,
				  "after a false suspicion the timeout for that node grows by this "
				  "much (0: a fixed timeout)"},
};

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                    */

static void heartbeat_cfg_load(heartbeat_cfg *cfg, const st_param_val *p)
{
	st_param_val def[HEARTBEAT_P__COUNT];
	if (!p) {       /* no scenario (a unit test, a tool): the table's defaults */
		for (int i = 0; i < HEARTBEAT_P__COUNT; i++) {
			def[i].lo = heartbeat_params[i].def_lo;
			def[i].hi = heartbeat_params[i].def_hi;
		}
		p = def;
	}
	memset(cfg, 0, sizeof *cfg);
	cfg->mode = (int32_t)p[HEARTBEAT_P_MODE].lo;
	cfg->interval_us = p[HEARTBEAT_P_INTERVAL].lo * 1000;
	cfg->timeout_us = p[HEARTBEAT_P_TIMEOUT].lo * 1000;
	cfg->increase_us = p[HEARTBEAT_P_INCREASE].lo * 1000;
}

static int heartbeat_nn(const st_ctx *c)
{
	return c->nnodes < ST_MAX_PROCS ? c->nnodes : ST_MAX_PROCS;
}

/* Milliseconds, whole: timeouts and silences read well rounded. */
static long long heartbeat_ms(int64_t us) { return (long long)((us + 500) / 1000); }

static void heartbeat_event(st_ctx *c, heartbeat_state *s)
{
	s->events++;
	s->local_us = st_now_us(c);
}

/* Trust everyone from now on: at the start, and after a restart (the detector's memory of
 * who was silent is gone with the crash). */
static void heartbeat_trust_all(heartbeat_state *s)
{
	for (int q = 0; q < ST_MAX_PROCS; q++) {
		s->suspect[q] = false;
		s->last_heard[q] = s->local_us;
		s->suspected_at[q] = 0;
	}
}

/* Set the check timer for the earliest deadline among the nodes still trusted. */
static void heartbeat_arm_check(st_ctx *c, const heartbeat_state *s)
{
	int64_t first = -1;
	for (int q = 0; q < s->nnodes; q++) {
		if (!s->watch[q] || s->suspect[q])
			continue;
		int64_t d = s->last_heard[q] + s->timeout[q];
		if (first < 0 || d < first)
			first = d;
	}
	if (first < 0) {
		st_cancel_timer(c, HEARTBEAT_T_CHECK);
		return;
	}
	int64_t delay = first - s->local_us;
	st_set_timer(c, HEARTBEAT_T_CHECK, delay > 0 ? delay : 0);
}

/* Suspect every trusted node silent for its timeout or longer. */
static void heartbeat_sweep(st_ctx *c, heartbeat_state *s)
{
	for (int q = 0; q < s->nnodes; q++) {
		if (!s->watch[q] || s->suspect[q])
			continue;
		int64_t silent = s->local_us - s->last_heard[q];
		if (silent < s->timeout[q])
			continue;
		s->suspect[q] = true;
		s->suspected_at[q] = s->local_us;
		s->suspicions++;
		char label[32], note[400];
		snprintf(label, sizeof label, "suspect n%d", q + 1);
		snprintf(note, sizeof note, "n%d has heard nothing from n%d for %lld ms, not less "
			 "than its timeout of %lld ms: it suspects n%d has crashed. It cannot tell a "
			 "crashed node from a slow network or a paused process, so the suspicion "
			 "may be wrong.", s->self + 1, q + 1, heartbeat_ms(silent),
			 heartbeat_ms(s->timeout[q]), q + 1);
		st_kv body[3] = {
			{.key = "who", .type = ST_V_PROC, .i = q},
			{.key = "silent_us", .type = ST_V_INT, .i = silent},
			{.key = "timeout_us", .type = ST_V_INT, .i = s->timeout[q]},
		};
		st_local(c, label, note, body, 3, ST_LABEL_MILESTONE);
	}
}

/* The suspicion of q was false: trust q again, and be more patient with it. */
static void heartbeat_restore(st_ctx *c, heartbeat_state *s, int q, int64_t silent)
{
	int64_t old = s->timeout[q];
	s->suspect[q] = false;
	s->timeout[q] += s->cfg.increase_us;
	s->restores++;
	char label[32], note[480], more[240];
	snprintf(label, sizeof label, "restore n%d", q + 1);
	if (s->cfg.increase_us)
		snprintf(more, sizeof more, "and raises its timeout for n%d from %lld to %lld ms, "
			 "so that once delays stop growing it stops making this mistake (an "
			 "eventually perfect failure detector).", q + 1, heartbeat_ms(old),
			 heartbeat_ms(s->timeout[q]));
	else
		snprintf(more, sizeof more, "but its timeout stays %lld ms, so it will make the "
			 "same mistake whenever delays grow again.", heartbeat_ms(old));
	snprintf(note, sizeof note, "A heartbeat from n%d arrives after %lld ms of silence: n%d "
		 "was alive all along, and the suspicion was false. n%d trusts it again %s", q + 1,
		 heartbeat_ms(silent), q + 1, s->self + 1, more);
	st_local(c, label, note, NULL, 0, ST_LABEL_MILESTONE);
}

static void heartbeat_arm_beat(st_ctx *c, const heartbeat_state *s, bool first)
{
	/* the first beats are spread over one interval, so the nodes do not beat in step */
	int64_t d = first ? st_random_range(c, 1000, s->cfg.interval_us) : s->cfg.interval_us;
	st_set_timer(c, HEARTBEAT_T_BEAT, d);
}

static void heartbeat_beat(st_ctx *c, heartbeat_state *s)
{
	heartbeat_msg m;
	memset(&m, 0, sizeof m);
	m.seq = ++s->seq;
	if (s->cfg.mode == HEARTBEAT_MONITOR) {
		st_send(c, 0, HEARTBEAT_MSG_BEAT, &m, sizeof m);
	} else {
		for (int q = 0; q < s->nnodes; q++)
			if (q != s->self)
				st_send(c, q, HEARTBEAT_MSG_BEAT, &m, sizeof m);
	}
	heartbeat_arm_beat(c, s, false);
}

/* ---------------------------------------------------------------------------------------- */
/* Entry points                                                                               */

/* Who sends and who watches whom, by mode. */
static void heartbeat_roles(const st_ctx *c, heartbeat_state *s)
{
	bool all = s->cfg.mode == HEARTBEAT_ALL;
	s->sends = all || c->self != 0;
	for (int q = 0; q < ST_MAX_PROCS; q++)
		s->watch[q] = q < s->nnodes && q != c->self && (all || c->self == 0);
}

static void heartbeat_init(st_ctx *c, void *state, const st_param_val *params)
{
	heartbeat_state *s = state;
	memset(s, 0, sizeof *s);
	heartbeat_cfg_load(&s->cfg, params);
	s->self = c->self;
	s->nnodes = heartbeat_nn(c);
	if (c->role != ST_ROLE_NODE)
		return;
	heartbeat_event(c, s);
	heartbeat_roles(c, s);
	for (int q = 0; q < ST_MAX_PROCS; q++)
		s->timeout[q] = s->cfg.timeout_us;
	heartbeat_trust_all(s);
	if (s->sends && s->nnodes > 1)
		heartbeat_arm_beat(c, s, true);
	heartbeat_arm_check(c, s);
}

/* A heartbeat from q: q's silence ends now (first, so a heartbeat arriving at the very moment
 * of its deadline counts as in time), then the others are swept. */
static void heartbeat_on_message(st_ctx *c, void *state, const st_msg *msg)
{
	heartbeat_state *s = state;
	int q = msg->from;
	if (c->role != ST_ROLE_NODE || msg->type != HEARTBEAT_MSG_BEAT || q < 0 || q >= s->nnodes)
		return;
	heartbeat_event(c, s);
	if (s->watch[q]) {
		int64_t silent = s->local_us - s->last_heard[q];
		s->last_heard[q] = s->local_us;
		if (s->suspect[q])
			heartbeat_restore(c, s, q, silent);
	}
	heartbeat_sweep(c, s);
	heartbeat_arm_check(c, s);
}

static void heartbeat_on_timer(st_ctx *c, void *state, int timer)
{
	heartbeat_state *s = state;
	if (c->role != ST_ROLE_NODE)
		return;
	heartbeat_event(c, s);
	heartbeat_sweep(c, s);
	if (timer == HEARTBEAT_T_BEAT && s->sends)
		heartbeat_beat(c, s);
	heartbeat_arm_check(c, s);
}

static void heartbeat_on_client(st_ctx *c, void *state, const st_op *op)
{
	heartbeat_state *s = state;
	if (c->role != ST_ROLE_CLIENT)
		return;
	s->ops++;
	st_complete(c, op, ST_OP_OK);
}

static void heartbeat_on_restart(st_ctx *c, void *state, const st_param_val *params)
{
	heartbeat_state *s = state;
	heartbeat_cfg_load(&s->cfg, params);
	if (c->role != ST_ROLE_NODE)
		return;
	heartbeat_event(c, s);
	heartbeat_roles(c, s);
	heartbeat_trust_all(s);
	if (s->sends && s->nnodes > 1)
		heartbeat_arm_beat(c, s, true);
	heartbeat_arm_check(c, s);
}

/* One key per watched node, "n3 SUSPECT" or "n3 alive", as the lesson asks; a node that only
 * sends shows how many heartbeats it has sent. */
static void heartbeat_describe(const void *state, st_role role, st_sink *k)
{
	const heartbeat_state *s = state;
	if (role != ST_ROLE_NODE) {
		k->kv_int(k, "ops", s->ops);
		return;
	}
	bool watches = false;
	for (int q = 0; q < s->nnodes; q++) {
		if (!s->watch[q])
			continue;
		k->kv_str(k, st_pname_of(q, s->nnodes, s->nnodes).s,
			  s->suspect[q] ? "SUSPECT" : "alive");
		watches = true;
	}
	if (!watches || s->cfg.mode == HEARTBEAT_ALL)
		k->kv_int(k, "beats", s->seq);
}

static void heartbeat_encode(int type, const void *body, size_t len, st_sink *k)
{
	if (type != HEARTBEAT_MSG_BEAT || !body || len < sizeof(heartbeat_msg))
		return;
	heartbeat_msg m;
	memcpy(&m, body, sizeof m);
	k->kv_int(k, "seq", m.seq);
}

/* ---------------------------------------------------------------------------------------- */
/* The invariants, over process states.
 *
 * What a failure detector promises is mostly about the limit: strong completeness (every
 * crashed node is eventually suspected for good by every correct one) and eventual strong
 * accuracy (eventually no correct node is suspected). Both say "eventually", so no finite
 * prefix of a run can break them, and no check after an event can catch their violation;
 * even "suspected within timeout + interval + latency" needs a known latency bound, which
 * partial synchrony does not give. What holds at every step is the detector's own
 * consistency, and that is what is checked:
 *   - a node never suspects itself;
 *   - a suspicion was raised only after the node had been silent for its timeout;
 *   - at every step of the detector, no trusted node is overdue (it was not missed). */

static bool heartbeat_ck_node(heartbeat_checker *k, int p, const heartbeat_state *s,
			      st_violation *out)
{
	bool acted = s->events && (!k->seen[p] || s->events != k->events[p]);
	k->seen[p] = true;
	k->events[p] = s->events;
	if (s->suspect[p])
		return st_violate(out, "no self-suspicion", "n%d suspects itself", p + 1);
	for (int q = 0; q < s->nnodes && q < ST_MAX_PROCS; q++) {
		if (!s->watch[q])
			continue;
		if (s->suspect[q] && s->suspected_at[q] - s->last_heard[q] < s->timeout[q])
			return st_violate(out, "suspicion only after timeout", "n%d suspects "
					      "n%d after %lld ms of silence, short of its timeout "
					      "of %lld ms", p + 1, q + 1,
					      heartbeat_ms(s->suspected_at[q] - s->last_heard[q]),
					      heartbeat_ms(s->timeout[q]));
		if (acted && !s->suspect[q] && s->local_us - s->last_heard[q] >= s->timeout[q])
			return st_violate(out, "no missed suspicion", "n%d still trusts n%d "
					      "after %lld ms of silence, past its timeout of %lld ms",
					      p + 1, q + 1,
					      heartbeat_ms(s->local_us - s->last_heard[q]),
					      heartbeat_ms(s->timeout[q]));
	}
	return true;
}

static bool heartbeat_check(void *check_state, const st_param_val *params, const st_view *v,
			    st_violation *out)
{
	(void)params;
	heartbeat_checker *k = check_state;
	if (!k || !v || !v->states || !out)
		return true;
	out->detail[0] = '\0';
	int nn = v->nnodes < ST_MAX_PROCS ? v->nnodes : ST_MAX_PROCS;
	for (int p = 0; p < nn; p++)
		if (!heartbeat_ck_node(k, p, v->states[p], out))
			return false;
	return true;
}

/* ---------------------------------------------------------------------------------------- */
/* The invariants, over a trace (--verify): from the suspect and restore events and the
 * states. A suspicion names who and how long it was silent; a restore must follow a
 * suspicion of the same node by the same detector (a restart forgets them all). */

typedef struct {
	int nprocs;
	uint8_t *suspected;     /* nprocs * nprocs: [detector][who] */
} heartbeat_tc;

static void *heartbeat_trace_check_new(const st_trace_info *info)
{
	int nprocs = info ? info->nprocs : 1;
	if (nprocs < 1)
		nprocs = 1;
	heartbeat_tc *tc = st_zalloc(1, sizeof *tc);
	tc->nprocs = nprocs;
	tc->suspected = st_zalloc((size_t)nprocs * (size_t)nprocs, 1);
	return tc;
}

/* "n12" -> 11; -1 when the label does not end in a node name. */
static int heartbeat_label_node(const char *s)
{
	if (s[0] != 'n' || s[1] < '1' || s[1] > '9')
		return -1;
	return atoi(s + 1) - 1;
}

static bool heartbeat_trace_check(void *tcv, const st_tev *e, st_violation *out)
{
	heartbeat_tc *tc = tcv;
	if (!tc || !e || !out || !e->kind || e->proc < 0 || e->proc >= tc->nprocs)
		return true;
	out->detail[0] = '\0';
	int p = e->proc;
	uint8_t *mine = tc->suspected + (size_t)p * (size_t)tc->nprocs;
	if (strcmp(e->kind, "restart") == 0 || strcmp(e->kind, "start") == 0)
		memset(mine, 0, (size_t)tc->nprocs);
	const char *v;
	st_pname self = st_pname_of(p, p + 1, p + 1);   /* a node's name */
	if (e->has_state && e->state_str && e->state_str(e, self.s, &v) && strcmp(v, "SUSPECT") == 0)
		return st_violate(out, "no self-suspicion", "n%d suspects itself", p + 1);
	if (strcmp(e->kind, "local") != 0 || !e->label)
		return true;
	bool sus = strncmp(e->label, "suspect ", 8) == 0, res = strncmp(e->label, "restore ", 8) == 0;
	if (!sus && !res)
		return true;
	int q = heartbeat_label_node(e->label + 8);
	if (q < 0 || q >= tc->nprocs)
		return true;
	if (q == p)
		return st_violate(out, "no self-suspicion", "n%d: \"%s\"", p + 1, e->label);
	if (res) {
		if (!mine[q])
			return st_violate(out, "restore after suspicion", "n%d restores n%d, "
					      "which it did not suspect", p + 1, q + 1);
		mine[q] = 0;
		return true;
	}
	int64_t silent, timeout;
	if (mine[q])
		return st_violate(out, "suspicion only after timeout", "n%d suspects n%d "
				      "again without having restored it", p + 1, q + 1);
	mine[q] = 1;
	if (e->body_int && e->body_int(e, "silent_us", &silent) &&
	    e->body_int(e, "timeout_us", &timeout) && silent < timeout)
		return st_violate(out, "suspicion only after timeout", "n%d suspects n%d after "
				      "%lld ms of silence, short of its timeout of %lld ms", p + 1,
				      q + 1, heartbeat_ms(silent), heartbeat_ms(timeout));
	return true;
}

static bool heartbeat_trace_check_end(void *tc, st_violation *out)
{
	(void)tc;
	(void)out;
	return true;
}

static void heartbeat_trace_check_free(void *tcv)
{
	heartbeat_tc *tc = tcv;
	if (!tc)
		return;
	free(tc->suspected);
	free(tc);
}

const st_protocol heartbeat_protocol = {
	.name = "heartbeat",
	.version = "1",
	.summary = "A heartbeat failure detector: timeouts, false and true suspicions",
	.state_size = sizeof(heartbeat_state),
	.max_msg_size = sizeof(heartbeat_msg),
	.msg_types = heartbeat_msg_names, .n_msg_types = HEARTBEAT_MSG__COUNT,
	.timer_names = heartbeat_timer_names, .n_timers = HEARTBEAT_T__COUNT,
	.params = heartbeat_params, .n_params = HEARTBEAT_P__COUNT,
	.init = heartbeat_init,
	.on_message = heartbeat_on_message,
	.on_timer = heartbeat_on_timer,
	.on_client = heartbeat_on_client,
	.on_restart = heartbeat_on_restart,
	.describe = heartbeat_describe,
	.encode = heartbeat_encode,
	.check_size = sizeof(heartbeat_checker),
	.check = heartbeat_check,
	.trace_check_new = heartbeat_trace_check_new,
	.trace_check = heartbeat_trace_check,
	.trace_check_end = heartbeat_trace_check_end,
	.trace_check_free = heartbeat_trace_check_free,
};
