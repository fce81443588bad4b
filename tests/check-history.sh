#!/bin/sh
# check-history.sh BINARY: `spacetime --check-history`, end to end.
#
# Every Jepsen history beside the repo (../shared/data/jepsen-*) gets the verdict the data
# README gives it (exit 0 linearizable, 3 not), and a non-linearizable one names the
# operations that cannot be placed; skipped with a message when ../shared is absent. Every
# malformed history of tests/bad-histories gives exit 2 and its message with file:line:col
# (tests/bad-histories/expect.txt), and so do a few generated ones (empty of operations, a
# missing file, a directory). Our own exported trace is read too, and --model, --max-states
# and --check-linearizable are exercised. Ends with "check-history: N passed, M failed".
set -u
BIN=${1:-./spacetime}
case "$BIN" in /*) ;; *) BIN="$(pwd)/$BIN" ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT INT TERM
DATA="$ROOT/../shared/data"
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
		bad "$name: exit $got, expected $want"; tail -n 5 "$TMP/err" "$TMP/out" | sed 's/^/    /'
	fi
}
contains() { # NAME FILE TEXT
	if grep -qF -- "$3" "$2"; then ok; else bad "$1: '$3' not in output"; sed 's/^/    /' "$2" | tail -n 8; fi
}

# --- the real histories and their verdicts (the README's tables)
if [ -f "$DATA/README.md" ]; then
	for f in "$DATA"/jepsen-*/*; do
		[ -f "$f" ] || continue
		name=$(basename "$f")
		verdict=$(grep -F "| $name |" "$DATA/README.md" | head -n 1 | cut -d'|' -f4)
		case "$verdict" in
		*"not linearizable"*) want=3 ;;
		*linearizable*) want=0 ;;
		*) bad "$name: no verdict in the data README"; continue ;;
		esac
		expect $want "$name" -- "$BIN" --check-history "$f"
		if [ $want -eq 3 ]; then
			contains "$name names the stuck operations" "$TMP/out" "cannot be placed next:"
			contains "$name says why" "$TMP/out" ", but "
		else
			contains "$name verdict" "$TMP/out" "linearizable ("
		fi
	done
	# the model named explicitly, and the wrong one
	expect 0 "--model kv" -- "$BIN" --check-history "$DATA/jepsen-kv/c01-ok.txt" --model kv
	expect 2 "--model register on a kv history" -- "$BIN" --check-history "$DATA/jepsen-kv/c01-ok.txt" --model register
	contains "--model register on a kv history says why" "$TMP/err" "c01-ok.txt:1:1: operation 'append' is not one of the register's"
	expect 2 "--model unknown" -- "$BIN" --check-history "$DATA/jepsen-kv/c01-ok.txt" --model queue
	contains "--model unknown lists the models" "$TMP/err" "the models are: register kv"
	# a budget too small for a verdict: unknown, exit 1
	expect 1 "--max-states too small" -- "$BIN" --check-history "$DATA/jepsen-etcd/etcd_002.log" --max-states 100
	contains "--max-states says unknown" "$TMP/out" "unknown (the search budget ran out)"
	expect 3 "--quiet" -- "$BIN" --check-history "$DATA/jepsen-etcd/etcd_000.log" --quiet
	contains "--quiet prints the verdict" "$TMP/out" "etcd_000.log: not linearizable"
else
	echo "check-history: ../shared/data is absent: the Jepsen histories are skipped"
fi

# --- malformed histories: exit 2, the place named
grep -v '^#' tests/bad-histories/expect.txt | while IFS='	' read -r file msg; do
	[ -n "$file" ] || continue
	"$BIN" --check-history "tests/bad-histories/$file" >"$TMP/out" 2>"$TMP/err"
	echo "$? $file" >>"$TMP/status"
	if ! grep -qF -- "$msg" "$TMP/err"; then
		echo "FAIL: $file: '$msg' not in its message"; sed 's/^/    /' "$TMP/err"
		echo x >>"$TMP/msgfail"
	fi
done
while read -r st file; do
	if [ "$st" -eq 2 ]; then ok; else bad "$file: exit $st, expected 2"; fi
done <"$TMP/status"
nmsg=$(grep -vc '^#' tests/bad-histories/expect.txt)
nbad=0
[ -f "$TMP/msgfail" ] && nbad=$(wc -l <"$TMP/msgfail")
pass=$((pass + nmsg - nbad))
fail=$((fail + nbad))
for f in tests/bad-histories/*; do
	case "$f" in */expect.txt) continue ;; esac
	grep -qF "$(basename "$f")	" tests/bad-histories/expect.txt || bad "$f has no line in expect.txt"
done

printf 'INFO  jepsen.core - Running test\nnothing here\n' >"$TMP/no-ops.log"
expect 2 "a text with no operations" -- "$BIN" --check-history "$TMP/no-ops.log"
contains "no operations message" "$TMP/err" "no-ops.log:1:1: no operations here"
expect 2 "a missing file" -- "$BIN" --check-history "$TMP/absent.edn"
contains "missing file message" "$TMP/err" "absent.edn: cannot open the file"
expect 2 "a directory" -- "$BIN" --check-history "$TMP"
expect 2 "no file given" -- "$BIN" --check-history

# --- hand-written histories: pending operations, unknown reads, definite failures
printf '{:process 0, :type :invoke, :f :write, :value 1}\n{:process 0, :type :ok, :f :write, :value 1}\n{:process 1, :type :invoke, :f :read, :value nil}\n{:process 1, :type :ok, :f :read, :value 0}\n' >"$TMP/stale.edn"
expect 3 "a stale read" -- "$BIN" --check-history "$TMP/stale.edn"
contains "a stale read in words" "$TMP/out" "read by process 1 returned 0, but the register holds 1 after write(1) by process 0 (line 3)"
printf 'INFO  jepsen.util - 0\t:invoke\t:write\t1\nINFO  jepsen.util - 0\t:info\t:write\t:timed-out\nINFO  jepsen.util - 1\t:invoke\t:read\tnil\nINFO  jepsen.util - 1\t:ok\t:read\t1\nINFO  jepsen.util - 1\t:invoke\t:read\tnil\nINFO  jepsen.util - 1\t:fail\t:read\t:timed-out\n' >"$TMP/pending.log"
expect 0 "a pending write that took effect" -- "$BIN" --check-history "$TMP/pending.log"
printf 'INFO  jepsen.util - 0\t:invoke\t:write\t1\nINFO  jepsen.util - 0\t:fail\t:write\t1\nINFO  jepsen.util - 1\t:invoke\t:read\tnil\nINFO  jepsen.util - 1\t:ok\t:read\t1\n' >"$TMP/failed.log"
expect 3 "a definitely failed write read back" -- "$BIN" --check-history "$TMP/failed.log"

# --- our own traces: an exported run, checked as a file and during the run
"$BIN" --headless raft-replication --export "$TMP/run.json" >/dev/null 2>&1
expect 0 "our trace" -- "$BIN" --check-history "$TMP/run.json"
contains "our trace is read as one" "$TMP/out" "trace history"
expect 0 "--check-linearizable" -- "$BIN" --headless raft-replication --check-linearizable
contains "--check-linearizable verdict" "$TMP/out" "clients' history: linearizable"
expect 1 "--check-linearizable on ops no model knows" -- "$BIN" --headless rpc-retries --steps 200 --check-linearizable
contains "--check-linearizable says why" "$TMP/err" "the run: event 2: operation 'incr' is not one of the register's"
expect 0 "--help documents --check-history" -- "$BIN" --help
contains "--help has --check-history" "$TMP/out" "--check-history FILE"

echo "check-history: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
