#!/bin/bash
# outputs.sh BINARY: every output is written safely (src/core/outfile.h), and a failed write
# is a failed run.
#
# In a scratch folder: --export onto a FIFO with a reader, a symlink, a 0600 file, a file of
# another owner, a mknod copy of /dev/null, /dev/stdout and a directory; an export that fails
# (read-only directory, full device, file-size limit) exits 1, names the file and leaves the
# old file and no temporary behind; SIGINT, SIGTERM and SIGHUP during a long export leave no
# temporary; every mode exits 1 when its stdout is a full disk. Each step is bounded by
# timeout(1). Steps that need root (mknod, chown) or a second user say so and are skipped.
# Prints one line per failure and ends with "outputs: N passed, M failed".
set -u
BIN=${1:-./spacetime}
case "$BIN" in /*) ;; *) BIN="$(pwd)/$BIN" ;; esac
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
T=$(mktemp -d "${TMPDIR:-/tmp}/spacetime-outputs.XXXXXX") || exit 1
trap 'chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $1"; }
skip() { echo "outputs: skipped: $1"; }
check() { # NAME COMMAND...: passes when the command succeeds
	local name=$1
	shift
	if "$@"; then ok; else bad "$name"; fi
}
# expect STATUS NAME -- command...: run (at most 60 s), stdout and stderr to $T/out, $T/err
expect() {
	local want=$1 name=$2
	shift 3
	timeout 60 "$@" >"$T/out" 2>"$T/err"
	local got=$?
	if [ "$got" -eq "$want" ]; then ok; else
		bad "$name: exit $got, expected $want"; tail -n 5 "$T/err" | sed 's/^/    /'
	fi
}
contains() { # NAME FILE TEXT
	if grep -qF -- "$3" "$2"; then ok; else bad "$1: '$3' not in $(basename "$2")"; sed 's/^/    /' "$2" | tail -n 5; fi
}
# no_temps NAME DIR: no ".NAME.XXXXXX" temporary left in DIR
no_temps() {
	local left
	left=$(cd "$2" && ls -A | grep -E '^\..+\.[A-Za-z0-9]{6}$')
	if [ -z "$left" ]; then ok; else bad "$1: temporary left behind: $left"; fi
}
verifies() { # NAME FILE: --verify accepts FILE
	if timeout 60 "$BIN" --verify "$2" >"$T/vout" 2>&1; then ok; else bad "$1: --verify rejects it"; tail -n 3 "$T/vout" | sed 's/^/    /'; fi
}
RUN=("$BIN" --headless raft-election --steps 400 --quiet)
is_root=0
[ "$(id -u)" = 0 ] && is_root=1

# --- a FIFO with a reader: streamed into, the reader gets the whole trace, still a FIFO
mkfifo "$T/fifo"
timeout 60 cat "$T/fifo" >"$T/from-fifo.json" &
reader=$!
expect 0 "export onto a FIFO" -- "$BIN" --headless raft-election --steps 2000 --quiet --export "$T/fifo"
wait "$reader"
check "the FIFO is still a FIFO" test -p "$T/fifo"
verifies "what the FIFO's reader got" "$T/from-fifo.json"
# the writer first: --headless waits for the reader
timeout 60 "$BIN" --headless raft-election --steps 500 --quiet --export "$T/fifo" &
writer=$!
sleep 0.3
timeout 60 cat "$T/fifo" >"$T/from-fifo2.json"
wait "$writer"
check "export onto a FIFO whose reader comes later exits 0" test $? -eq 0
verifies "what the later reader got" "$T/from-fifo2.json"
no_temps "FIFO" "$T"

# --- a symlink: followed, its target replaced, the link stays a link
echo old >"$T/target.json"
ln -s target.json "$T/link.json"
expect 0 "export onto a symlink" -- "${RUN[@]}" --export "$T/link.json"
check "the link is still a link" test -L "$T/link.json"
check "the link still points at its target" test "$(readlink "$T/link.json")" = target.json
verifies "the link's target" "$T/target.json"
# a chain of links, the last one dangling into a subdirectory: the file is made there
mkdir "$T/sub"
ln -s sub/made.json "$T/dangling.json"
ln -s dangling.json "$T/chain.json"
expect 0 "export onto a chain ending in a dangling link" -- "${RUN[@]}" --export "$T/chain.json"
check "both links stay links" test -L "$T/chain.json" -a -L "$T/dangling.json"
verifies "the dangling link's target, created" "$T/sub/made.json"
no_temps "symlink" "$T"
no_temps "symlink (subdirectory)" "$T/sub"

# --- an existing file keeps its mode (and owner, when we may give it)
echo old >"$T/private.json"
chmod 600 "$T/private.json"
expect 0 "export onto a 0600 file" -- "${RUN[@]}" --export "$T/private.json"
check "a 0600 file is still 0600" test "$(stat -c %a "$T/private.json")" = 600
verifies "the 0600 file" "$T/private.json"
echo old >"$T/shared.json"
chmod 664 "$T/shared.json"
expect 0 "export onto a 0664 file" -- "${RUN[@]}" --export "$T/shared.json"
check "a 0664 file is still 0664" test "$(stat -c %a "$T/shared.json")" = 664
( umask 027; timeout 60 "$BIN" --headless raft-election --steps 10 --quiet --export "$T/new.json" )
check "a new file gets 0666 less the umask" test "$(stat -c %a "$T/new.json")" = 640
if [ $is_root = 1 ]; then
	echo old >"$T/theirs.json"
	chown 65534:65534 "$T/theirs.json"
	expect 0 "export onto another user's file" -- "${RUN[@]}" --export "$T/theirs.json"
	check "another user's file keeps its owner" test "$(stat -c %u:%g "$T/theirs.json")" = 65534:65534
else
	skip "owner kept (needs root to make a file of another owner)"
fi

# --- devices: never replaced, written into. As root the real /dev/null and /dev/full are not
# targets: a binary that renamed over its target would replace them for the whole machine;
# mknod copies in the scratch folder stand in. Without root /dev is not writable, so the
# real ones are safe to aim at.
if [ $is_root = 1 ]; then
	devnull="$T/null" devfull="$T/full"
	mknod "$devnull" c 1 3 && mknod "$devfull" c 1 7 || { devnull=""; skip "mknod failed"; }
else
	devnull=/dev/null devfull=/dev/full
fi
if [ -n "$devnull" ]; then
	expect 0 "export onto a character device (null)" -- "${RUN[@]}" --export "$devnull"
	check "the null device is still a character device" test -c "$devnull"
	expect 1 "export onto a full device fails" -- "${RUN[@]}" --export "$devfull"
	contains "the full-device error names the file" "$T/err" "$devfull"
	check "the full device is still a character device" test -c "$devfull"
fi
# standard output by its names; /dev/fd/1 first (a rename there cannot reach /dev), the real
# /dev/stdout only once links are known to be followed (it is one, to /proc/self/fd/1)
for name in /dev/fd/1 /proc/self/fd/1 /dev/stdout; do
	if [ "$name" = /dev/stdout ] && ! [ -L "$T/link.json" ]; then
		skip "--export /dev/stdout (symlinks are not followed: it could be replaced)"
		continue
	fi
	timeout 60 "$BIN" --headless raft-election --steps 400 --export "$name" >"$T/stdout.json" 2>"$T/err"
	check "export onto $name exits 0" test $? -eq 0
	verifies "what $name got" "$T/stdout.json"
	contains "the summary goes to stderr when the trace takes $name" "$T/err" "messages:"
done
check "/dev/stdout is still a link" test -L /dev/stdout
no_temps "devices" "$T"

# --- a directory is refused as bad usage (exit 2): nothing created in or beside it
mkdir "$T/dir"
expect 2 "export onto a directory" -- "${RUN[@]}" --export "$T/dir"
contains "the directory refusal says why" "$T/err" "is a directory"
check "nothing created in the directory" test -z "$(ls -A "$T/dir")"
expect 2 "export onto a directory path ending in /" -- "${RUN[@]}" --export "$T/sub/"
expect 2 "export onto an empty file name" -- "${RUN[@]}" --export ""
contains "the empty name refusal says why" "$T/err" "an empty file name"
no_temps "directory" "$T"

# --- a read-only directory: exit 1, a message naming the file, the old file untouched
mkdir "$T/ro"
echo old >"$T/ro/kept.json"
chmod 555 "$T/ro"
AS=()
can=1
if [ $is_root = 1 ]; then
	# root writes anywhere: try as nobody, who may traverse the scratch folder but not write
	if command -v setpriv >/dev/null 2>&1; then
		chmod 755 "$T"
		AS=(setpriv --reuid=65534 --regid=65534 --clear-groups)
		# nobody must reach the binary and the lessons (a clone inside a 0700 folder: no)
		"${AS[@]}" "$BIN" --headless raft-election --steps 1 >/dev/null 2>&1 || can=0
	else
		can=0
	fi
fi
if [ $can = 1 ]; then
	expect 1 "export into a read-only directory" -- "${AS[@]}" "$BIN" --headless \
		raft-election --steps 10 --quiet --export "$T/ro/kept.json"
	contains "the read-only error names the file" "$T/err" "ro/kept.json"
	check "the old file is untouched" test "$(cat "$T/ro/kept.json")" = old
	no_temps "read-only directory" "$T/ro"
	# a file its user may not write is not replaced, though the directory would allow it
	mkdir "$T/rw"
	chmod 777 "$T/rw"
	echo old >"$T/rw/locked.json"
	chmod 444 "$T/rw/locked.json"
	[ $is_root = 1 ] && chown 65534:65534 "$T/rw/locked.json"
	expect 1 "export onto a read-only file" -- "${AS[@]}" "$BIN" --headless raft-election \
		--steps 10 --quiet --export "$T/rw/locked.json"
	contains "the read-only file error names it" "$T/err" "locked.json"
	check "the read-only file is untouched" test "$(cat "$T/rw/locked.json")" = old
	no_temps "read-only file" "$T/rw"
else
	skip "read-only directory (root, and no other user who can run this build)"
fi
chmod 700 "$T"

# --- a write that fails half-way (the file-size limit): exit 1, no half file, no temporary
echo old >"$T/limited.json"
( ulimit -f 64; timeout 60 "$BIN" --headless raft-replication --steps 20000 --quiet \
	--export "$T/limited.json" ) 2>"$T/err"
check "an export past the file-size limit exits 1" test $? -eq 1
contains "the size-limit error names the file" "$T/err" "limited.json"
check "the old file is untouched after a failed export" test "$(cat "$T/limited.json")" = old
no_temps "file-size limit" "$T"

# --- interrupted exports leave no temporary (timeout sends the signal twice, to the program
# and its group: the handler must not lose the race with the second one)
for sig in INT TERM HUP INT TERM INT; do
	for delay in 0.3 1; do
		timeout -s "$sig" "$delay" "$BIN" --headless raft-replication --steps 5000000 \
			--export "$T/long.json" >/dev/null 2>&1
		rc=$?
		if [ $rc -ne 124 ]; then bad "SIG$sig after $delay s: exit $rc, expected to be interrupted"; continue; fi
		if [ -e "$T/long.json" ]; then bad "SIG$sig after $delay s: a trace was renamed into place"; rm -f "$T/long.json"; continue; fi
		no_temps "SIG$sig after $delay s" "$T"
		rm -f "$T"/.long.json.*
	done
done

# --- every mode exits 1 when its stdout is a full disk
run_to_full() { # NAME ARGS...
	local name=$1
	shift
	timeout 60 "$BIN" "$@" >/dev/full 2>"$T/err"
	local got=$?
	if [ $got -eq 1 ]; then ok; else bad "$name > /dev/full: exit $got, expected 1"; fi
	contains "$name > /dev/full says so" "$T/err" "standard output"
}
run_to_full --list --list
run_to_full --help --help
run_to_full --keys --keys
run_to_full --version --version
run_to_full --headless --headless raft-election --steps 400
run_to_full "--export -" --headless raft-election --steps 400 --export -
run_to_full --verify --verify "$T/private.json"
run_to_full --explore --explore raft-election --seeds 2 --steps 200
run_to_full "--replay --headless" --replay --headless "$T/private.json"

# the machine's own devices are as they were (a canary for the guards above)
check "/dev/null is still a character device" test -c /dev/null
check "/dev/full is still a character device" test -c /dev/full

echo "outputs: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
