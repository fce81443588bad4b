/* scenario_path.c: where lessons are found (see scenario_path.h).
 *
 * Finding files on disk is the program's business, not the world's: core loads a scenario
 * from the path it is given, and this file turns what a user typed ("raft-election") into a
 * path, looking where a build, an install and the data directory put the lessons. */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scenario_path.h"

/* The candidate directories, in search order: ./scenarios, then beside the executable (as
 * built, and as installed under PREFIX), then the configured data directory. */
static int scenario_path_candidates(const char *argv0, char dirs[4][PATH_MAX])
{
	int n = 0;
	snprintf(dirs[n++], PATH_MAX, "scenarios");
	char exe[PATH_MAX];
	ssize_t r = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (r > 0) {
		exe[r] = 0;
	} else if (argv0 && strchr(argv0, '/') && strlen(argv0) < sizeof exe) {
		strcpy(exe, argv0);
	} else {
		exe[0] = 0;
	}
	char *slash = strrchr(exe, '/');
	if (slash) {
		*slash = 0;
		const char *d = slash == exe ? "" : exe;   /* the executable sits in / */
		if (snprintf(dirs[n], PATH_MAX, "%s/scenarios", d) < PATH_MAX)
			n++;
		if (snprintf(dirs[n], PATH_MAX, "%s/../share/spacetime/scenarios", d) < PATH_MAX)
			n++;
	}
	snprintf(dirs[n++], PATH_MAX, "%s/scenarios", ST_DATADIR);
	return n;
}

static bool scenario_path_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool scenario_path_is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool scenario_path_find(const char *name_or_path, const char *argv0, char *out, size_t outlen)
{
	struct stat st;
	if (!name_or_path || !*name_or_path || !out || outlen == 0)
		return false;
	if (stat(name_or_path, &st) == 0)
		return (size_t)snprintf(out, outlen, "%s", name_or_path) < outlen;
	char dirs[4][PATH_MAX], cand[PATH_MAX];
	int n = scenario_path_candidates(argv0, dirs);
	static const char *const suffixes[] = {"", ".json"};
	for (int d = 0; d < n; d++) {
		for (int s = 0; s < 2; s++) {
			int w = snprintf(cand, sizeof cand, "%s/%s%s", dirs[d], name_or_path,
					 suffixes[s]);
			if (w > 0 && w < (int)sizeof cand && scenario_path_is_file(cand))
				return (size_t)snprintf(out, outlen, "%s", cand) < outlen;
		}
	}
	return false;
}

const char *scenario_path_dir(const char *argv0, char *out, size_t outlen)
{
	char dirs[4][PATH_MAX];
	int n = scenario_path_candidates(argv0, dirs);
	for (int d = 0; d < n; d++)
		if (scenario_path_is_dir(dirs[d]) && out && (size_t)snprintf(out, outlen, "%s", dirs[d]) < outlen)
			return out;
	return NULL;
}

