#!/bin/sh
# tests/bad-traces/run.sh BINARY: feed `BINARY --verify` and `BINARY --replay --headless` broken
# traces and check their answers.
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
#
# --replay reads with the same reader and checks the contract with the same checker, so it must
# agree: a file --verify finds unreadable (2) or broken (1) is refused by --replay with exit 2
# and the same first message (file:line:col); a file that keeps the contract (0, or 3 for an
# invariant) is not refused (these hand-made traces name no scenario of ours, so --replay says
# it cannot re-simulate them: 1), and a violation is still its first message. Every --replay
# answers in under a second here (the action-id-* files once made it simulate until memory
# ran out).
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

# now_ms: wall-clock milliseconds (GNU date), for the --replay time limit.
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# replay_agrees PATH VERIFY_STATUS: --replay's answer is the one --verify's implies (above).
replay_agrees() {
	rpath=$1 vrc=$2
	t0=$(now_ms)
	$TIMEOUT "$BIN" --replay --headless "$rpath" >"$TMP/rout" 2>"$TMP/rerr" </dev/null
	rrc=$?
	t1=$(now_ms)
	[ $((t1 - t0)) -lt 1000 ] || why="$why; --replay took $((t1 - t0)) ms"
	if grep -qE 'Sanitizer|runtime error' "$TMP/rout" "$TMP/rerr"; then
		why="$why; a sanitizer reported a problem under --replay"
	fi
	case $vrc in
	1|2)
		[ "$rrc" = 2 ] || why="$why; --replay exit status $rrc, expected 2"
		[ "$(head -n 1 "$TMP/rerr")" = "$(head -n 1 "$TMP/err")" ] ||
			why="$why; --replay's first message differs: $(head -n 1 "$TMP/rerr")" ;;
	3)
		[ "$rrc" = 1 ] || [ "$rrc" = 3 ] || why="$why; --replay exit status $rrc, expected 1 or 3"
		[ "$(head -n 1 "$TMP/rerr")" = "$(head -n 1 "$TMP/err")" ] ||
			why="$why; --replay's first message differs: $(head -n 1 "$TMP/rerr")" ;;
	*)
		[ "$rrc" = 0 ] || [ "$rrc" = 1 ] || why="$why; --replay exit status $rrc, expected 0 or 1" ;;
	esac
}

# check PATH STATUS SUBSTRING
check() {
	path=$1 want=$2 sub=$3
	before=$(fingerprint "$path")
	$TIMEOUT "$BIN" --verify "$path" >"$TMP/out" 2>"$TMP/err" </dev/null
	rc=$?
	why=""
	replay_agrees "$path" "$rc"
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
# A line longer than the reader's limit (16 MiB), and a file that is one endless line: both
# stop at the limit with a message, never read on (`--verify /dev/zero` once never returned).
{
	printf '%s\n%s\n%s\n' \
		'{"format":"spacetime-trace","version":1,"scenario":"x","protocol":"none","seed":1,"time_unit":"us",' \
		'"processes":[{"name":"n1","role":"node"}],' '"events":['
	printf '{"id":0,"t":0,"kind":"start","proc":0,"lamport":1,"vc":[1],"state":{},"label":"'
	head -c 17000000 /dev/zero | tr '\0' 'x'
	printf '"}\n]}\n'
} >"$TMP/long-line.json"
check "$TMP/long-line.json" 2 "long-line.json:4:1: line 4 is longer than 16 MiB"
check /dev/zero 2 "/dev/zero:1:1: line 1 is longer than 16 MiB"
mkdir "$TMP/dir.json"
check "$TMP/dir.json" 2 "is a directory"
check "$TMP/no-such-trace.json" 2 "no-such-trace.json: cannot open: No such file or directory"

echo "bad-traces: $pass passed, $fail failed"
[ "$fail" = 0 ]
