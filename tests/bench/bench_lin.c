/* bench_lin.c: the linearizability checker on real Jepsen histories, beside Porcupine.
 *
 * Every history of ../shared/data/jepsen-etcd and ../shared/data/jepsen-kv is read once and
 * checked ten times; the best time is printed beside Porcupine's from the data README's
 * tables (read from the README itself, so the numbers stay the README's), with the verdict
 * and the target (at most half of Porcupine's time). A wrong verdict fails the benchmark
 * (exit 1); a missed time target is printed, not failed, since the machine is shared.
 * The time is the check alone (lin_check), as Porcupine's is CheckOperations alone.
 * Without ../shared the benchmark says so and passes. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/lin_check.h"

#define DATA "../shared/data"
#define RUNS 10

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct {
	char file[64];
	bool linearizable;
	double ms;
} bl_ref;

/* The README's rows: | file | operations | verdict | N ms | */
static int bl_read_refs(bl_ref *refs, int max)
{
	FILE *f = fopen(DATA "/README.md", "r");
	if (!f)
		return 0;
	char line[512];
	int n = 0;
	while (n < max && fgets(line, sizeof line, f)) {
		char file[64], verdict[64];
		int ops;
		double ms;
		if (sscanf(line, "| %63[^ |] | %d | %63[^|]| %lf ms", file, &ops, verdict, &ms) != 4)
			continue;
		snprintf(refs[n].file, sizeof refs[n].file, "%s", file);
		refs[n].linearizable = strncmp(verdict, "linearizable", 12) == 0;
		refs[n].ms = ms;
		n++;
	}
	fclose(f);
	return n;
}

static int bl_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(void)
{
	bl_ref refs[64];
	int nrefs = bl_read_refs(refs, 64);
	if (!nrefs) {
		printf("bench_lin: skipped (%s/README.md is not here)\n", DATA);
		return 0;
	}
	static const char *const dirs[] = {DATA "/jepsen-etcd", DATA "/jepsen-kv"};
	int wrong = 0, slow = 0, total = 0;
	double sum_ms = 0, sum_porc = 0;
	printf("linearizability checker, best of %d (the check alone), beside Porcupine:\n", RUNS);
	printf("  %-14s %5s  %-17s %10s %12s %8s  %s\n", "file", "ops", "verdict", "ours ms",
	       "Porcupine ms", "ratio", "");
	for (size_t d = 0; d < sizeof dirs / sizeof dirs[0]; d++) {
		DIR *dir = opendir(dirs[d]);
		if (!dir)
			continue;
		char *names[256];
		int nn = 0;
		struct dirent *de;
		while ((de = readdir(dir)) && nn < 256)
			if (de->d_name[0] != '.')
				names[nn++] = strdup(de->d_name);
		closedir(dir);
		qsort(names, (size_t)nn, sizeof *names, bl_cmp);
		for (int i = 0; i < nn; i++) {
			char path[512], err[1024];
			snprintf(path, sizeof path, "%s/%s", dirs[d], names[i]);
			ophist h;
			ophist_init(&h);
			if (!ophist_read_file(path, &h, err, sizeof err)) {
				printf("  %-14s cannot be read: %s\n", names[i], err);
				wrong++;
				ophist_free(&h);
				free(names[i]);
				continue;
			}
			const lin_model *m = lin_model_guess(&h);
			double best = 1e9;
			lin_verdict v = LIN_BAD;
			for (int r = 0; r < RUNS && m; r++) {
				lin_result res;
				double t0 = now_s();
				v = lin_check(&h, m, NULL, path, &res);
				double ms = (now_s() - t0) * 1e3;
				lin_result_free(&res);
				if (ms < best)
					best = ms;
			}
			const bl_ref *ref = NULL;
			for (int k = 0; k < nrefs; k++)
				if (strcmp(refs[k].file, names[i]) == 0)
					ref = &refs[k];
			bool right = ref && (v == LIN_LINEARIZABLE) == ref->linearizable &&
				     (v == LIN_LINEARIZABLE || v == LIN_NOT);
			const char *mark = "";
			if (!ref)
				mark = "(no reference)";
			else if (!right)
				mark = "WRONG VERDICT";
			else if (best > ref->ms / 2)
				mark = "slower than half of Porcupine's";
			if (ref && !right)
				wrong++;
			if (ref && right && best > ref->ms / 2)
				slow++;
			total++;
			sum_ms += best;
			if (ref)
				sum_porc += ref->ms;
			char pm[32] = "-", ratio[32] = "-";
			if (ref) {
				snprintf(pm, sizeof pm, "%.2f", ref->ms);
				snprintf(ratio, sizeof ratio, "%.2fx", best / ref->ms);
			}
			printf("  %-14s %5zu  %-17s %10.3f %12s %8s  %s\n", names[i], h.n,
			       lin_verdict_names[v], best, pm, ratio, mark);
			ophist_free(&h);
			free(names[i]);
		}
	}
	if (!total) {
		printf("bench_lin: skipped (no histories under %s)\n", DATA);
		return 0;
	}
	printf("  %d histories: %.3f ms in all (Porcupine %.2f ms); %d wrong verdicts, %d over "
	       "half of Porcupine's time\n", total, sum_ms, sum_porc, wrong, slow);
	return wrong ? 1 : 0;
}
