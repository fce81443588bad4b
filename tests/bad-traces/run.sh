#!/bin/sh
# tests/bad-traces/run.sh BINARY: feed `BINARY --verify` broken traces and check its answers.
#
# Why: a reader of the trace format must answer bad input with a clear message naming the file,
# the line and column, and what is wrong, exit non-zero, never crash and never change the file
# (../../shared/trace-format.md, "Errors a reader must give"). Each file here breaks one rule.
#
# expect.txt has one line per file: FILE<TAB>a substring the output must contain. The exit
# status expected follows from the name: ok-* 0 (a control that must pass, checked on stdout),
# notjson-* 2 (not JSON at all), invariant-* 3 (the contract holds, a protocol invariant does
# not), every other file 1 (JSON that breaks the contract). The cases
# that cannot live in git well (an empty file, binary garbage, bad UTF-8, a directory, a
# missing file) are made here in a temporary directory.
#
# For each case: the status, the message (and that it names the file), no sanitizer report,
# and the file unchanged. The last line is exactly `bad-traces: N passed, M failed`.
set -u

if [ $# -ne 1 ]; then
	echo "usage: $0 BINARY" >&2
	exit 2
fi
BIN=$1
DIR=$(dirname "$0")
TMP=$(mktemp -d "${TMPDIR:-/tmp}/bad-traces.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM
TAB=$(printf '\t')
TIMEOUT=""
command -v timeout >/dev/null 2>&1 && TIMEOUT="timeout 60"
pass=0
fail=0

# fingerprint PATH: what must not change (contents of a file, existence of anything else).
fingerprint() {
	if [ -f "$1" ]; then
		cksum <"$1"
	elif [ -e "$1" ]; then
		ls -ld "$1"
	else
		echo absent
	fi
}

# check PATH STATUS SUBSTRING
check() {
	path=$1 want=$2 sub=$3
	before=$(fingerprint "$path")
	$TIMEOUT "$BIN" --verify "$path" >"$TMP/out" 2>"$TMP/err" </dev/null
	rc=$?
	why=""
	[ "$rc" = "$want" ] || why="$why; exit status $rc, expected $want"
	if [ "$want" = 0 ]; then
		msgs="$TMP/out"
		[ -s "$TMP/err" ] && why="$why; unexpected stderr"
	else
		msgs="$TMP/err"
	fi
	grep -qF -- "$path" "$msgs" || why="$why; the output does not name the file"
	grep -qF -- "$sub" "$msgs" || why="$why; the output lacks: $sub"
	if grep -qE 'Sanitizer|runtime error' "$TMP/out" "$TMP/err"; then
		why="$why; a sanitizer reported a problem"
	fi
	[ "$(fingerprint "$path")" = "$before" ] || why="$why; the file was changed"
	if [ -z "$why" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $path${why}" | sed 's/FAIL \([^;]*\); /FAIL \1: /'
		sed 's/^/  | /' "$TMP/err" "$TMP/out" | head -n 8
	fi
}

status_of() {
	case $1 in
	ok-*) echo 0 ;;
	notjson-*) echo 2 ;;
	invariant-*) echo 3 ;;
	*) echo 1 ;;
	esac
}

# The files of expect.txt.
listed=" "
while IFS=$TAB read -r file sub; do
	case $file in ''|'#'*) continue ;; esac
	listed="$listed$file "
	if [ ! -e "$DIR/$file" ]; then
		fail=$((fail + 1))
		echo "FAIL $DIR/$file: listed in expect.txt but missing"
		continue
	fi
	check "$DIR/$file" "$(status_of "$file")" "$sub"
done <"$DIR/expect.txt"

# Every trace here must be listed, or it would silently go untested.
for f in "$DIR"/*; do
	name=${f##*/}
	case $name in expect.txt|run.sh) continue ;; esac
	case $listed in *" $name "*) ;; *)
		fail=$((fail + 1))
		echo "FAIL $f: not listed in expect.txt" ;;
	esac
done

# Generated cases.
: >"$TMP/empty.json"
check "$TMP/empty.json" 2 "invalid JSON: the file is empty"
printf '\377\330\377\340\000\020JFIF\000\001\001\000garbage\200\201\n\033[31m\n' >"$TMP/garbage.bin"
check "$TMP/garbage.bin" 2 "invalid JSON"
printf '%s\n%s\n%s\n%s\n%s\n' \
	'{"format":"spacetime-trace","version":1,"scenario":"x","protocol":"none","seed":1,"time_unit":"us",' \
	'"processes":[{"name":"n1","role":"node"}],' '"events":[' \
	"$(printf '{"id":0,"t":0,"kind":"start","proc":0,"lamport":1,"vc":[1],"state":{},"label":"caf\351"}')" \
	']}' >"$TMP/latin1.json"
check "$TMP/latin1.json" 2 "latin1.json:4:83: invalid JSON: byte 0xe9 is not valid UTF-8"
mkdir "$TMP/dir.json"
check "$TMP/dir.json" 2 "is a directory"
check "$TMP/no-such-trace.json" 2 "no-such-trace.json: cannot open: No such file or directory"

echo "bad-traces: $pass passed, $fail failed"
[ "$fail" = 0 ]
