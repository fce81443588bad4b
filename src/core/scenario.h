/* scenario.h: a lesson file, loaded and validated.
 *
 * A scenario says which protocol runs, on how many nodes and clients, over what network, with
 * which faults on a schedule and which narration. scenario_load() turns the JSON into this plain
 * struct, checking every field: a bad file gets one message naming the file and the place in it
 * (file:line:col for a syntax error, the field's path such as schedule[2].groups[1][0] for a
 * wrong value) and what was expected. Times in the file are milliseconds; here microseconds. */
#ifndef ST_SCENARIO_H
#define ST_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../protocols/protocol.h"

#define SC_MAX_NODES 16
#define SC_MAX_CLIENTS 8
#define SC_MAX_SCHEDULE 4096
#define SC_MAX_LESSON 64
#define SC_MAX_GROUPS 8

typedef enum {
	DO_PARTITION = 1,   /* groups */
	DO_HEAL,
	DO_CRASH,           /* proc */
	DO_RESTART,         /* proc */
	DO_PAUSE,           /* proc */
	DO_RESUME,          /* proc */
	DO_REQUEST,         /* proc = client, op; node = where to send it first, -1 = client's choice */
	DO_LOSS,            /* rate */
	DO_DUPLICATE,       /* rate */
	DO_LATENCY,         /* lo_us, hi_us */
	DO__COUNT
} sc_action;

/* The action names of the file ("do": "partition", ...), indexed by sc_action. */
extern const char *const sc_action_names[DO__COUNT];

/* The topics a scenario's "topic" may name, in learning-path order (Foundations first). */
extern const char *const sc_topics[];
extern const int sc_ntopics;

typedef struct {
	int64_t at_us;
	sc_action action;
	int proc;
	int node;
	/* partition: group[p] is the group of process p, or -1 when p is in none (it reaches
	 * everyone). ngroups groups. */
	int ngroups;
	int8_t group[ST_MAX_PROCS];
	st_op op;
	double rate;
	int64_t lo_us, hi_us;
} sc_item;

typedef struct {
	/* when: "start", "label:<text>" (an event labelled so), "kind:<kind>" (an event of
	 * that kind: drop, crash, partition, ...), or "at_ms:<n>" (virtual time reached). */
	char *when;
	char *text;
} sc_lesson;

/* A named variant: the scenario with some params changed ("request ids", "the Figure 8
 * bug"), which the learner switches to live or picks with --variant. */
#define SC_MAX_VARIANTS 8
typedef struct {
	char *name;         /* a-z, 0-9, '-' */
	char *about;        /* one line */
	st_param_val params[ST_MAX_PARAMS];     /* the scenario's params with the variant's over them */
	uint64_t given;     /* bit k: the variant names param k */
} sc_variant;

typedef struct {
	char *path;         /* as given or found */
	char *name, *title, *topic, *protocol_name;
	int order;          /* the lesson's place within its topic (lower first; default 500) */
	const st_protocol *protocol;
	int nnodes, nclients, nprocs;
	uint64_t seed;
	int64_t latency_lo_us, latency_hi_us;
	double loss, duplicate;
	st_param_val params[ST_MAX_PARAMS];
	/* Per-process local clocks: skew (offset at t=0) and drift in parts per million. */
	int64_t clock_skew_us[ST_MAX_PROCS];
	int32_t clock_drift_ppm[ST_MAX_PROCS];
	/* Client workload: each client runs ops operations one after another (closed loop),
	 * waiting a random think time in [think_lo_us, think_hi_us] before each, the first not
	 * before start_us. f is the operation ("write" by default; value counts up). */
	int workload_ops;
	int64_t workload_start_us, think_lo_us, think_hi_us;
	char workload_f[ST_NAME_MAX];
	sc_item *schedule;  /* sorted by at_us, stable */
	int nschedule;
	sc_lesson *lesson;
	int nlesson;
	sc_variant *variant;
	int nvariant;
	int variant_in_use;                     /* index, or -1: the params as the file gives them */
	st_param_val base_params[ST_MAX_PARAMS];/* the file's own params */
} st_scenario;

/* Load and validate a scenario file. On error returns NULL and writes one message (no trailing
 * newline) into err. */
st_scenario *scenario_load(const char *path, char *err, size_t errlen);
/* Load from a string (path is only used in messages). */
st_scenario *scenario_parse(const char *text, size_t len, const char *path, char *err,
			    size_t errlen);
void scenario_free(st_scenario *sc);

/* The variant named so, or -1. */
int scenario_variant_index(const st_scenario *sc, const char *name);
/* Run the variant named so from now on (its params replace the scenario's); NULL or "" goes
 * back to the file's own params. False, with a message naming the variants, when there is no
 * such variant. */
bool scenario_use_variant(st_scenario *sc, const char *name, char *err, size_t errlen);

/* Process names: n1..nN then c1..cK (src/base/names.h, for a scenario). */
void scenario_proc_name(const st_scenario *sc, int p, char *out, size_t outlen);
/* Parse "n3" / "c1" to an index; -1 when it names no process of this scenario. */
int scenario_proc_index(const st_scenario *sc, const char *name);


/* Set one protocol parameter by name after loading (--param KEY=VALUE), with the same
 * validation as the file's "params": VALUE is JSON (150, true, [150, 300]) or a bare word
 * (an enum choice). 0 on success; -1 and one message in err (naming --param, the key and
 * what was expected) otherwise, leaving sc->params as they were for other keys. */
int scenario_set_param(st_scenario *sc, const char *key, const char *value, char *err,
		       size_t errlen);

#endif
