#!/bin/sh
# run.sh: every broken scenario is refused the same careful way, by the real program.
#
# A lesson author's first contact with spacetime may well be a typo in a scenario file, so the
# promise is checked end to end: for each FILE<TAB>SUBSTRING line of expect.txt, running
# `BINARY --headless FILE --steps 10` must exit with status 2 (bad input), print a message on
# stderr that names the file and holds the substring, never trip a sanitizer, and leave the
# file byte for byte as it was. Files that would put binary bytes in the repository (or are
# large, or are not files at all) are made here, in a temporary directory.
#
# usage: sh tests/bad-scenarios/run.sh ./spacetime
set -u

bin=${1:?usage: run.sh BINARY}
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bad-scenarios.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
mkdir "$tmp/in"
gen=$tmp/in

# --- generated inputs ------------------------------------------------------------------------
# The head of a good scenario, for files that break only further down.
head='{
  "name": "raft-gen",
  "title": "Raft: generated",
  "topic": "Broadcast, replication and consensus",
  "protocol": "raft",
  "nodes": 5,
'
# Binary garbage: the first bytes of a PNG.
printf '\211PNG\r\n\032\n\000\000\000\rIHDR\000\000\001\000' >"$gen/binary-garbage.json"
# A NUL byte inside a string on line 2.
printf '{\n  "name": "a\000b",\n  "nodes": 5\n}\n' >"$gen/nul-byte.json"
# Latin-1, not UTF-8: "Caf\351" on line 3.
printf '{\n  "name": "cafe",\n  "title": "Caf\351",\n  "nodes": 5\n}\n' >"$gen/invalid-utf8.json"
# One schedule item over the limit of 4096.
{
	printf '%s  "schedule": [\n' "$head"
	awk 'BEGIN { for (i = 0; i <= 4096; i++) printf "    {\"at_ms\": %d, \"do\": \"heal\"}%s\n", i, (i < 4096 ? "," : "") }'
	printf '  ]\n}\n'
} >"$gen/too-many-schedule-items.json"
# Over 4 MiB (of spaces around an otherwise fine head).
{
	printf '%s' "$head"
	head -c 5000000 /dev/zero | tr '\000' ' '
	printf '"seed": 1}\n'
} >"$gen/too-big.json"
# Not a file at all.
mkdir "$gen/a-directory.json"
# missing.json is, on purpose, never made.

# --- the checks ------------------------------------------------------------------------------
timeout=
command -v timeout >/dev/null 2>&1 && timeout="timeout 30"

pass=0
fail=0
bad() {
	printf 'FAIL %s: %s\n' "$1" "$2"
	fail=$((fail + 1))
}
sum() {
	if [ -f "$1" ]; then cksum <"$1"; else echo "not a file"; fi
}

listed=$tmp/listed
: >"$listed"
while IFS='	' read -r file want; do
	case $file in '' | '#'*) continue ;; esac
	echo "$file" >>"$listed"
	if [ -z "$want" ]; then
		bad "$file" "expect.txt gives no expected substring (FILE<TAB>SUBSTRING)"
		continue
	fi
	if [ -e "$here/$file" ]; then path=$here/$file; else path=$gen/$file; fi
	before=$(sum "$path")
	$timeout "$bin" --headless "$path" --steps 10 >"$tmp/out" 2>"$tmp/err" </dev/null
	status=$?
	after=$(sum "$path")
	err=$(head -c 600 "$tmp/err" | tr '\n' ' ')
	ok=1
	if [ "$status" -ne 2 ]; then
		bad "$file" "exit status $status, expected 2; stderr: $err"
		ok=0
	fi
	if grep -qE 'Sanitizer|runtime error' "$tmp/err"; then
		bad "$file" "a sanitizer report on stderr: $err"
		ok=0
	fi
	if ! grep -qF -- "$file" "$tmp/err"; then
		bad "$file" "stderr does not name the file: $err"
		ok=0
	fi
	if ! grep -qF -- "$want" "$tmp/err"; then
		bad "$file" "stderr lacks \"$want\": $err"
		ok=0
	fi
	if [ "$before" != "$after" ]; then
		bad "$file" "the file changed"
		ok=0
	fi
	[ $ok = 1 ] && pass=$((pass + 1))
done <"$here/expect.txt"

# A broken file nobody lists tests nothing: say so.
for f in "$here"/*.json; do
	[ -e "$f" ] || continue
	name=$(basename "$f")
	grep -qxF -- "$name" "$listed" || bad "$name" "not listed in expect.txt"
done

echo "bad-scenarios: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
