/* script.h: protocol tests as scripts, run on the real simulator in manual mode.
 *
 * A script (a .txt file under tests/script) is a list of commands, each followed by `----` and the output
 * it is expected to print, in the manner of etcd raft's datadriven testdata (the format is ours:
 * see the top of script.c and tests/script/README.md). `spacetime --script FILE...` runs every
 * file and compares; with ST_SCRIPT_REWRITE=1 in the environment it writes the actual outputs
 * back into the files instead (a file is replaced whole or not at all). */
#ifndef ST_SCRIPT_H
#define ST_SCRIPT_H

#include <stdbool.h>
#include <stdio.h>

#include "cli.h"

/* The --script mode: o->script_files (o->nscript_files of them). Exit 0 when every script
 * matched (or was rewritten), 1 when one did not (a diff is printed) or failed at run time,
 * 2 when a script is malformed (file:line:col and what was expected). */
int script_main(const cli_opts *o);

/* Run the scripts at paths; out gets diffs and the closing "scripts: N passed, M failed"
 * line, err the messages. rewrite: write actual outputs back. argv0 finds scenarios. */
int script_run_files(const char *const *paths, int n, bool rewrite, const char *argv0,
		     FILE *out, FILE *err);

/* One KEY=VALUE parameter, as a script's `load` and a --param option take it: VALUE is a
 * whole number (3), a range (150..300), true or false, or else a word (commit-old-term).
 * Returns the value as JSON text for a scenario's "params" (written into json), or false
 * with a message in err when the text is not KEY=VALUE. */
bool script_param_json(const char *kv, char *key, size_t keylen, char *json, size_t jsonlen,
		       char *err, size_t errlen);

#endif
