/* scenario_path.h: finding a lesson's file by name or path. */
#ifndef ST_SCENARIO_PATH_H
#define ST_SCENARIO_PATH_H

#include <stdbool.h>
#include <stddef.h>

/* Find a scenario by name or path: a path that exists, else NAME or NAME.json in ./scenarios,
 * then in <dir of the executable>/scenarios, <dir of the executable>/../share/spacetime/scenarios
 * and ST_DATADIR/scenarios. Writes the found path into out; false when none exists (or out is
 * too small to hold it). */
bool scenario_path_find(const char *name_or_path, const char *argv0, char *out, size_t outlen);
/* The scenario directory in use (the first of the candidates above that exists), or NULL. */
const char *scenario_path_dir(const char *argv0, char *out, size_t outlen);

#endif
