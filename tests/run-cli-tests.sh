#!/bin/sh
# run-cli-tests.sh BINARY: the command line, end to end.
#
# Determinism (the same command twice gives the same bytes, another seed another run), the
# trace contract (our --verify and, when it is beside the repo, ../shared/tools/check-trace),
# the golden trace, Raft's Figure 8 with and without the bug, exit statuses, --list, a short
# --explore, and the broken-input suites (tests/bad-scenarios, tests/bad-traces).
# Prints one line per failure and ends with "cli: N passed, M failed".
set -u
BIN=${1:-./spacetime}
case "$BIN" in /*) ;; *) BIN="$(pwd)/$BIN" ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT INT TERM
CHECK_TRACE="$ROOT/../shared/tools/check-trace"
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $1"; }
# expect STATUS NAME -- command...
expect() {
	want=$1; name=$2; shift 3
	"$@" >"$TMP/out" 2>"$TMP/err"
	got=$?
	if [ "$got" -eq "$want" ]; then ok; else
		bad "$name: exit $got, expected $want"; tail -n 5 "$TMP/err" | sed 's/^/    /'
	fi
}
contains() { # NAME FILE TEXT
	if grep -qF -- "$3" "$2"; then ok; else bad "$1: '$3' not in output"; sed 's/^/    /' "$2" | tail -n 8; fi
}

# --- usage and exit statuses
expect 0 "--help" -- "$BIN" --help
contains "--help lists exit statuses" "$TMP/out" "3 an invariant was violated"
expect 0 "--version" -- "$BIN" --version
expect 2 "unknown option" -- "$BIN" --frobnicate
contains "unknown option message" "$TMP/err" "unknown option '--frobnicate'"
expect 2 "headless without scenario" -- "$BIN" --headless
expect 2 "bad number" -- "$BIN" --headless raft-election --seed -3
expect 2 "missing scenario" -- "$BIN" --headless no-such-scenario
contains "missing scenario message" "$TMP/err" "no-such-scenario"
expect 2 "unknown fault" -- "$BIN" --headless raft-election --faults meteor
contains "unknown fault message" "$TMP/err" "meteor"

# --- the README's key list is the key table (keys.c), so the two cannot disagree
expect 0 "--keys" -- "$BIN" --keys
sed -n '/<!-- keys:begin -->/,/<!-- keys:end -->/p' README.md | sed '1d;$d' > "$TMP/readme-keys"
if cmp -s "$TMP/out" "$TMP/readme-keys"; then ok; else
	bad "README key list differs from 'spacetime --keys' (regenerate it from --keys)"; fi
# --- the shipped man page is the generated one (options and keys from their tables)
expect 0 "--man" -- "$BIN" --man
if cmp -s "$TMP/out" assets/spacetime.1; then ok; else
	bad "assets/spacetime.1 differs from 'spacetime --man' (regenerate: ./spacetime --man > assets/spacetime.1)"; fi
if grep -q '^\.SH ENVIRONMENT' "$TMP/out" && grep -q '^\.SH EXIT STATUS' "$TMP/out" &&
   grep -q '^\.SH FILES' "$TMP/out" && grep -q '^\.SH KEYS' "$TMP/out" &&
   grep -q 'history\\-mb' "$TMP/out"; then ok; else bad "--man lacks a section or an option"; fi

# --- --list
expect 0 "--list" -- "$BIN" --list
contains "--list topic" "$TMP/out" "Broadcast, replication and consensus"
contains "--list scenario" "$TMP/out" "raft-election"

# --- the issue's headline run: a trace the contract accepts
expect 0 "raft-replication seed 7" -- "$BIN" --headless raft-replication --seed 7 --steps 20000 --export "$TMP/a.json"
contains "leaders elected" "$TMP/out" "became leader"
expect 0 "--verify our export" -- "$BIN" --verify "$TMP/a.json"
if [ -x "$CHECK_TRACE" ] || [ -f "$CHECK_TRACE" ]; then
	expect 0 "check-trace on our export" -- python3 "$CHECK_TRACE" "$TMP/a.json"
	contains "entries applied" "$TMP/out" "entries applied"
else
	echo "note: $CHECK_TRACE not found; the outside checker was skipped"
fi
if grep -q '"kind":"complete"' "$TMP/a.json" && grep -q '"type":"ok"' "$TMP/a.json"; then ok; else bad "client operations completed ok"; fi
if [ "$(grep -c '"label":"apply"' "$TMP/a.json")" -gt 20 ]; then ok; else bad "entries applied on the nodes"; fi

# --- --export - streams JSON to stdout; the summary goes to stderr then
"$BIN" --headless raft-election --steps 300 --export - 2>/dev/null > "$TMP/stdout.json"
if python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$TMP/stdout.json" 2>/dev/null; then ok; else bad "--export - is not JSON"; fi
expect 2 "--until-ms too far" -- "$BIN" --headless raft-election --until-ms 9223372036854775807

# --- a client that crashes mid-operation completes it as info and goes on after its restart
expect 0 "client crash and restart" -- "$BIN" --headless tests/fixtures/raft-client-crash.json --steps 20000 --check
contains "the workload goes on after the restart" "$TMP/out" "16 invoked, 15 ok, 0 fail, 1 info, 0 open"

# --- determinism: same command, same bytes; another seed, another run
expect 0 "raft-replication seed 7 again" -- "$BIN" --headless raft-replication --seed 7 --steps 20000 --export "$TMP/b.json"
if cmp -s "$TMP/a.json" "$TMP/b.json"; then ok; else bad "same seed gave different traces"; fi
expect 0 "raft-replication seed 8" -- "$BIN" --headless raft-replication --seed 8 --steps 20000 --export "$TMP/c.json"
if cmp -s "$TMP/a.json" "$TMP/c.json"; then bad "another seed gave the same trace"; else ok; fi
# streaming export equals the in-memory one: --until-ms takes another code path
expect 0 "until-ms run" -- "$BIN" --headless raft-election --until-ms 2000 --export "$TMP/u.json"
expect 0 "--verify until-ms export" -- "$BIN" --verify "$TMP/u.json"

# --- --replay: an export is the recipe of its run; a hand-edited one is caught where it differs
expect 0 "--replay of a headless export" -- "$BIN" --replay --headless "$TMP/a.json"
contains "--replay says it matches" "$TMP/out" "replay matches"
expect 0 "export with random faults" -- "$BIN" --headless raft-partition --seed 3 --steps 4000 --faults partition,crash,loss,dup,pause --export "$TMP/r.json"
expect 0 "--replay of a faulty run" -- "$BIN" --replay --headless "$TMP/r.json"
# a clock edited by hand breaks the contract: refused as --verify refuses it (exit 2, same line)
sed '300s/"lamport":[0-9]*/"lamport":7777/' "$TMP/r.json" > "$TMP/r-edited.json"
expect 2 "--replay of a trace with a hand-edited clock" -- "$BIN" --replay --headless "$TMP/r-edited.json"
contains "the broken event is placed" "$TMP/err" "r-edited.json:300:46: event 296: lamport is 7777"
# an edit the contract allows is a difference of the re-simulated run (exit 1)
sed '0,/"label":"became candidate"/s//"label":"became a candidate"/' "$TMP/r.json" > "$TMP/r-label.json"
expect 1 "--replay of a hand-edited trace" -- "$BIN" --replay --headless "$TMP/r-label.json"
contains "the first differing event is named" "$TMP/err" "differs: field \"label\" is \"became a candidate\" in the file"
expect 2 "--replay of a missing file" -- "$BIN" --replay --headless "$TMP/nope.json"
# a user's action whose numbers are out of range is refused before it is taken (the action
# vocabulary is --replay's, not the trace contract's: --verify accepts the file)
python3 - "$TMP/a.json" "$TMP/act-range.json" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().split('\n')
ev = [l.rstrip(',') for l in lines[3:33]]
t = json.loads(ev[-1])['t']
ev[-1] = '{"id":29,"t":%d,"kind":"input","label":"deliver","body":{"action":"deliver","msg":-5},"by":"user"}' % t
open(sys.argv[2], 'w').write('\n'.join(lines[:3]) + '\n' + ',\n'.join(ev) + '\n]}\n')
PY
expect 0 "--verify of a trace with an out-of-range action" -- "$BIN" --verify "$TMP/act-range.json"
expect 2 "--replay refuses an out-of-range action" -- "$BIN" --replay --headless "$TMP/act-range.json"
contains "the action's field is named" "$TMP/err" "event 29: the user's action has \"msg\" -5, expected a message id"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["processes"][1]["name"]="n9"; json.dump(d,open(sys.argv[2],"w"))' "$TMP/r.json" "$TMP/r-procs.json"
expect 1 "--replay of a trace with other processes" -- "$BIN" --replay --headless "$TMP/r-procs.json"
contains "the processes are named" "$TMP/err" "process 1 is n9 (node), the scenario's is n2"

# --- golden: a fixed seed gives a fixed trace
GOLD=tests/golden/raft-election-seed7-400.json
"$BIN" --headless raft-election --seed 7 --steps 400 --export "$TMP/g.json" >/dev/null 2>&1
if [ "${ST_UPDATE_GOLDEN:-}" = 1 ]; then cp "$TMP/g.json" "$GOLD"; echo "updated $GOLD"; fi
if cmp -s "$TMP/g.json" "$GOLD"; then ok; else bad "golden trace $GOLD differs (ST_UPDATE_GOLDEN=1 to accept)"; fi

# --- Figure 8: safe as written, caught with the bug
expect 0 "figure8 stays safe" -- "$BIN" --headless raft-figure8 --check --export "$TMP/f8.json"
expect 0 "--verify figure8" -- "$BIN" --verify "$TMP/f8.json"
sed '0,/"params": *{/s//"params": {"bug": "commit-old-term", /' scenarios/raft-figure8.json > "$TMP/figure8-bug.json"
expect 3 "figure8 with commit-old-term is caught" -- "$BIN" --headless "$TMP/figure8-bug.json" --check --export "$TMP/f8bug.json"
contains "violation names the invariant" "$TMP/err" "invariant violated"
contains "violation names the event" "$TMP/err" "at event"
if [ -s "$TMP/f8bug.json" ]; then ok; else bad "trace written on violation"; fi
expect 0 "--verify the violating trace's contract part" -- python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$TMP/f8bug.json"

# --- explore, briefly (the long run is in .ci/run)
expect 0 "explore 40 seeds" -- "$BIN" --explore raft-replication --seeds 40 --steps 3000 --faults partition,crash,loss,dup
contains "explore reports rates" "$TMP/out" "seeds/s"

# --- export never leaves a half file; a bad target path is a clean error
expect 1 "export to a missing directory" -- "$BIN" --headless raft-election --steps 10 --export "$TMP/nope/x.json"
contains "export error names the file" "$TMP/err" "nope/x.json"

# --- broken inputs
if sh tests/bad-scenarios/run.sh "$BIN" >"$TMP/bs" 2>&1; then ok; else bad "bad scenarios"; tail -n 15 "$TMP/bs"; fi
tail -n 1 "$TMP/bs"
if [ -f tests/bad-traces/run.sh ]; then
	if sh tests/bad-traces/run.sh "$BIN" >"$TMP/bt" 2>&1; then ok; else bad "bad traces"; tail -n 15 "$TMP/bt"; fi
	tail -n 1 "$TMP/bt"
fi

# --- protocol scripts (tests/script): a changed expected line fails with a diff; the rewrite
# variable puts it right, keeping the file's mode; a malformed script is exit 2 at file:line:col
mkdir -p "$TMP/scripts"
cp tests/script/raft-election.txt "$TMP/scripts/s.txt"
chmod 0640 "$TMP/scripts/s.txt"
sed 's/^n2 up: role=candidate term=1 /n2 up: role=leader term=1 /' "$TMP/scripts/s.txt" > "$TMP/scripts/t" && cat "$TMP/scripts/t" > "$TMP/scripts/s.txt"
if cmp -s "$TMP/scripts/s.txt" tests/script/raft-election.txt; then bad "script test: the sed changed nothing"; else ok; fi
expect 1 "a changed script line fails" -- "$BIN" --script "$TMP/scripts/s.txt"
contains "the diff shows the expected line" "$TMP/out" "-n2 up: role=leader term=1 "
contains "the diff shows the actual line" "$TMP/out" "+n2 up: role=candidate term=1 "
contains "the diff names the command" "$TMP/out" "s.txt:"
contains "scripts closing line" "$TMP/out" "scripts: 0 passed, 1 failed"
ST_SCRIPT_REWRITE=1 "$BIN" --script "$TMP/scripts/s.txt" >"$TMP/out" 2>"$TMP/err"
if [ $? -eq 0 ] && cmp -s "$TMP/scripts/s.txt" tests/script/raft-election.txt; then ok; else
	bad "ST_SCRIPT_REWRITE=1 restores the script"; fi
if [ "$(stat -c %a "$TMP/scripts/s.txt")" = 640 ]; then ok; else bad "the rewrite keeps the file's mode"; fi
if [ "$(ls "$TMP/scripts")" = "s.txt
t" ]; then ok; else bad "the rewrite leaves no temporary file: $(ls "$TMP/scripts")"; fi
expect 0 "the rewritten script passes" -- "$BIN" --script "$TMP/scripts/s.txt"
printf 'load raft-election\n----\n\nfire n9 election\n----\n' > "$TMP/scripts/bad.txt"
cp "$TMP/scripts/bad.txt" "$TMP/scripts/bad.orig"
expect 2 "a malformed script" -- "$BIN" --script "$TMP/scripts/bad.txt"
contains "malformed script: file:line:col" "$TMP/err" "bad.txt:4:6:"
ST_SCRIPT_REWRITE=1 "$BIN" --script "$TMP/scripts/bad.txt" >/dev/null 2>&1
if cmp -s "$TMP/scripts/bad.txt" "$TMP/scripts/bad.orig"; then ok; else bad "a malformed script is never rewritten"; fi
printf 'load raft-election\nfire n1 election\n' > "$TMP/scripts/nosep.txt"
expect 2 "a command without ----" -- "$BIN" --script "$TMP/scripts/nosep.txt"
contains "missing ---- names the line" "$TMP/err" "nosep.txt:2:1: expected ----"
printf 'load raft-election schedule=off\n----\n\nrun until="no such label" max=5\n----\n' > "$TMP/scripts/bound.txt"
expect 1 "run until reaches its bound" -- "$BIN" --script "$TMP/scripts/bound.txt"
contains "the bound is named" "$TMP/err" "within max=5 actions"
expect 2 "--script without files" -- "$BIN" --script

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
