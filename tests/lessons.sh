#!/bin/sh
# lessons.sh BINARY [quick|san|full]: every lesson, run long and checked.
#
# For each scenario in scenarios/: a headless run of at least 100,000 events with the
# invariants checked after every step, its trace accepted by our --verify and (when it is
# beside the repo) by ../shared/tools/check-trace, and --explore over 500 seeds with random
# faults. Then the deliberately weakened broadcast variants (a weaker order than the one
# required) must be caught by --explore, --check and --verify alike. `quick` (make test) runs
# 50 seeds and skips the outside checker; CI runs it all.
# Ends with "lessons: N passed, M failed".
set -u
BIN=${1:-./spacetime}
MODE=${2:-full}
case "$BIN" in /*) ;; *) BIN="$(pwd)/$BIN" ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT INT TERM
CHECK_TRACE="$ROOT/../shared/tools/check-trace"
SEEDS=500
STEPS=70000     # enough for 100,000 events
[ "$MODE" = quick ] && SEEDS=50
# `san` (make sanitize): the same checks on shorter runs, for an ASan+UBSan build's speed
[ "$MODE" = san ] && SEEDS=20 && STEPS=7000
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $1"; tail -n 4 "$TMP/err" 2>/dev/null | sed 's/^/    /'; }
run() { # WANT NAME -- command...
	want=$1; name=$2; shift 3
	"$@" >"$TMP/out" 2>"$TMP/err"
	got=$?
	if [ "$got" -eq "$want" ]; then ok; else bad "$name: exit $got, expected $want"; fi
}

for f in scenarios/*.json; do
	s=$(basename "$f" .json)
	# enough steps for 100,000 events: ask for them, then check the count
	run 0 "$s: 100k events with --check" -- "$BIN" --headless "$s" --steps "$STEPS" --check --export "$TMP/$s.json"
	n=$(grep -Eo '[0-9]+ events' "$TMP/out" | head -1 | grep -Eo '[0-9]+')
	if [ "$MODE" = san ] || [ "${n:-0}" -ge 100000 ]; then ok; else bad "$s: only ${n:-0} events"; fi
	run 0 "$s: --verify" -- "$BIN" --verify "$TMP/$s.json"
	if [ "$MODE" = full ] && [ -f "$CHECK_TRACE" ]; then
		run 0 "$s: check-trace" -- python3 "$CHECK_TRACE" "$TMP/$s.json"
	fi
	run 0 "$s: explore $SEEDS seeds" -- "$BIN" --explore "$s" --seeds "$SEEDS" --steps 2000 --faults partition,crash,loss,dup,pause
	rm -f "$TMP/$s.json"
done

# a weaker delivery order than the one required is caught, three ways
for w in fifo:FIFO causal:causal total:total; do
	f=tests/fixtures/broadcast-weak-${w%%:*}.json
	(cd "$TMP" && "$BIN" --explore "$ROOT/$f" --seeds 20 --steps 2000 >"$TMP/out" 2>"$TMP/err")
	if [ $? -eq 3 ] && grep -q "invariant violated: ${w#*:} order" "$TMP/err"; then ok; else bad "$f not caught by --explore"; fi
	run 3 "$f caught by --check" -- "$BIN" --headless "$f" --steps 3000 --check
	"$BIN" --headless "$f" --steps 3000 --export "$TMP/bw.json" >/dev/null 2>&1
	run 3 "$f caught by --verify" -- "$BIN" --verify "$TMP/bw.json"
done

# rpc without request ids applies a retry twice; with them, exactly once
variant() { # DEDUPE OUT: the shipped lesson with dedupe set and the exactly-once check on
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["params"].update(dedupe=sys.argv[2]=="1", check_exactly_once=True); json.dump(d, open(sys.argv[3], "w"))' \
		scenarios/rpc-retries.json "$1" "$2"
}
variant 1 "$TMP/rpc-once.json"
variant 0 "$TMP/rpc-twice.json"
run 0 "rpc with request ids: exactly once" -- "$BIN" --explore "$TMP/rpc-once.json" --seeds 200 --steps 2000 --faults loss,dup
(cd "$TMP" && "$BIN" --explore "$TMP/rpc-twice.json" --seeds 200 --steps 2000 --faults loss,dup >"$TMP/out" 2>"$TMP/err")
if [ $? -eq 3 ]; then ok; else bad "rpc without request ids: a double apply is not caught"; fi

# two-phase commit: a participant that aborts on its own after its yes vote
# (bug=unilateral-abort) breaks atomicity on the lesson's own run, caught three ways; a
# coordinator that sends its decision before logging it (bug=no-log) needs a crash in that
# window, which --explore finds; the correct lesson passes the same search (above)
for b in unilateral-abort no-log; do
	f=tests/fixtures/2pc-$b.json
	(cd "$TMP" && "$BIN" --explore "$ROOT/$f" --seeds 50 --steps 2000 --faults partition,crash,loss,dup,pause >"$TMP/out" 2>"$TMP/err")
	if [ $? -eq 3 ] && grep -q "invariant violated: atomicity" "$TMP/err"; then ok; else bad "$f not caught by --explore"; fi
done
f=tests/fixtures/2pc-unilateral-abort.json
run 3 "$f caught by --check" -- "$BIN" --headless "$f" --steps 3000 --check
"$BIN" --headless "$f" --steps 3000 --export "$TMP/2pc.json" >/dev/null 2>&1
run 3 "$f caught by --verify" -- "$BIN" --verify "$TMP/2pc.json"
# paxos: an acceptor that forgets its promise in a crash, and a proposer that ignores the
# accepted value the promises report, each let two values be chosen: --explore finds a run
# (forget-promise needs a crash at the right moment: swarm seed 121 of the shipped lesson), and
# --verify agrees on the trace it wrote
for f in tests/fixtures/paxos-forget-promise.json tests/fixtures/paxos-ignore-accepted.json; do
	rm -f "$TMP"/explore-*.json
	(cd "$TMP" && "$BIN" --explore "$ROOT/$f" --seeds 500 --steps 2000 --faults partition,crash,loss,dup,pause >"$TMP/out" 2>"$TMP/err")
	if [ $? -eq 3 ] && grep -q "invariant violated: agreement" "$TMP/err"; then ok; else bad "$f not caught by --explore"; fi
	tr=$(ls "$TMP"/explore-*.json 2>/dev/null | head -1)
	run 3 "$f caught by --verify" -- "$BIN" --verify "${tr:-$TMP/none.json}"
done
run 3 "paxos ignore-accepted caught by --check on the shipped seed" -- "$BIN" --headless tests/fixtures/paxos-ignore-accepted.json --steps 3000 --check
# replication-lag: asynchronous replication gives no session guarantee and loses acknowledged
# writes on failover; each enforced guarantee is caught. Synchronous replication keeps them.
for w in read-your-writes:"read your writes" monotonic-reads:"monotonic reads" \
	consistent-prefix:"consistent prefix" durability:durability; do
	f=tests/fixtures/replag-check-${w%%:*}.json
	(cd "$TMP" && "$BIN" --explore "$ROOT/$f" --seeds 20 --steps 2000 --faults partition,crash,loss,dup,pause >"$TMP/out" 2>"$TMP/err")
	if [ $? -eq 3 ] && grep -q "invariant violated: ${w#*:}" "$TMP/err"; then ok; else bad "$f not caught by --explore"; fi
	run 3 "$f caught by --check" -- "$BIN" --headless "$f" --steps 3000 --check
	"$BIN" --headless "$f" --steps 3000 --export "$TMP/rl.json" >/dev/null 2>&1
	run 3 "$f caught by --verify" -- "$BIN" --verify "$TMP/rl.json"
done
run 0 "replication-lag, sync: acknowledged writes survive failover" -- "$BIN" --explore tests/fixtures/replag-sync.json --seeds "$SEEDS" --steps 2000 --faults partition,crash,loss,dup,pause

# state-machine-replication: a command that reads the local clock makes the replicas diverge
f=tests/fixtures/smr-clock-command.json
(cd "$TMP" && "$BIN" --explore "$ROOT/$f" --seeds 20 --steps 2000 --faults partition,crash,loss,dup,pause >"$TMP/out" 2>"$TMP/err")
if [ $? -eq 3 ] && grep -q "invariant violated: replica agreement" "$TMP/err"; then ok; else bad "$f not caught by --explore"; fi
run 3 "$f caught by --check" -- "$BIN" --headless "$f" --steps 3000 --check
"$BIN" --headless "$f" --steps 3000 --export "$TMP/smr.json" >/dev/null 2>&1
run 3 "$f caught by --verify" -- "$BIN" --verify "$TMP/smr.json"

echo "lessons: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
