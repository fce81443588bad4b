#!/bin/bash
# run.sh: end-to-end tests of the terminal program, driving the real binary inside tmux.
#
# Why tmux: it gives the program a real pseudo-terminal (CI has none, and no stdin), lets the
# test type keys, resize the window and send signals, and shows what a person would see
# (capture-pane). Each test_* function (in the tests/tui/test_*.sh files sourced below) starts
# the program in a fresh tmux session on a private server, polls the screen until the text it
# expects appears (never a fixed sleep), and returns non-zero on failure after saying why.
#
# usage: bash tests/tui/run.sh ./spacetime [TEST_NAME...]
# Prints one line per failing test with the last screen it saw, then exactly
# `tui: N passed, M failed`; exits 1 when any failed.
if [ -z "${BASH_VERSION:-}" ]; then exec bash "$0" "$@"; fi
set -u
# The screens are UTF-8: string lengths, cuts and greps below count characters, not bytes.
export LC_ALL=C.UTF-8 LANG=C.UTF-8

bin=${1:?usage: run.sh BINARY [TEST...]}
shift
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
scenarios=$root/scenarios

if ! command -v tmux >/dev/null 2>&1; then
	echo "tui: tmux is missing (apt-get install tmux)"
	echo "tui: 0 passed, 1 failed"
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/spacetime-tui.XXXXXX") || exit 1
# pitfall 9: a private server, so the tests never touch the user's tmux, killed at the end
sock=st-$$
tm() { tmux -L "$sock" -f /dev/null "$@"; }
cleanup() { tm kill-server >/dev/null 2>&1; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 1' INT TERM

# tmux's own terminal type (pitfall 6: xterm-256color would show lqqk for boxes)
term=screen
infocmp tmux-256color >/dev/null 2>&1 && term=tmux-256color

# One idle session keeps the server up so the terminal type is set once for every test.
tm new-session -d -s keep -x 80 -y 24 "exec sleep 3600" || { echo "tui: tmux does not start"; echo "tui: 0 passed, 1 failed"; exit 1; }
tm set-option -g default-terminal "$term" >/dev/null

LAST_SCREEN=""
WHY=""

# start COLS ROWS [ENV=VAL...] -- ARGS...: run the binary in a new session "t" in $tmp (or
# $CWD), with the environment given (env, so tmux cannot override TERM). A
# wrapper prints EXIT=<status> when it ends and keeps the pane alive, so tests can read how it
# ended and whether the terminal was given back.
start() {
	local cols=$1 rows=$2
	shift 2
	local cmd="exec env"
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do cmd="$cmd '$1'"; shift; done
	[ "${1:-}" = "--" ] && shift
	cmd="$cmd '$bin'"
	local a
	for a in "$@"; do cmd="$cmd '$a'"; done
	# The wrapper traps SIGINT and SIGTSTP (^C and ^Z reach the whole foreground group) so
	# that it lives on to report; traps, not ignores, so the program starts with the defaults.
	printf "trap 'true' INT TSTP\n(%s)\necho EXIT=\$?\nexec sleep 600\n" "$cmd" >"$tmp/wrap.sh"
	tm kill-session -t t >/dev/null 2>&1
	tm new-session -d -s t -x "$cols" -y "$rows" -c "${CWD:-$tmp}" -e LANG=C.UTF-8 \
		-e LC_ALL=C.UTF-8 "sh $tmp/wrap.sh"
}

screen() { tm capture-pane -p -t t; }
keys() { tm send-keys -t t "$@"; }
fail() { WHY="$*"; return 1; }

# wait_for TEXT [TIMEOUT_S]: poll the screen until TEXT (fixed string) appears.
wait_for() {
	local text=$1 timeout=${2:-5}
	local end=$((SECONDS + timeout))
	while :; do
		LAST_SCREEN=$(screen)
		case $LAST_SCREEN in *"$text"*) return 0 ;; esac
		[ $SECONDS -ge $end ] && { WHY="timed out waiting for '$text'"; return 1; }
		sleep 0.05
	done
}

# wait_re REGEX [TIMEOUT_S]: the same with an extended regular expression.
wait_re() {
	local re=$1 timeout=${2:-5}
	local end=$((SECONDS + timeout))
	while :; do
		LAST_SCREEN=$(screen)
		printf '%s\n' "$LAST_SCREEN" | grep -Eq -- "$re" && return 0
		[ $SECONDS -ge $end ] && { WHY="timed out waiting for /$re/"; return 1; }
		sleep 0.05
	done
}

# The status bar's event counter: "event N/..." -> N (0 when not shown).
event_count() {
	local n
	n=$(printf '%s\n' "$LAST_SCREEN" | grep -Eo 'event [0-9]+' | head -1 | grep -Eo '[0-9]+')
	echo "${n:-0}"
}

# wait_count N [TIMEOUT_S]: until the event counter shows N or more (a step may make several
# events: a receive and the sends it causes).
wait_count() {
	local want=$1 timeout=${2:-5}
	local end=$((SECONDS + timeout))
	while :; do
		LAST_SCREEN=$(screen)
		[ "$(event_count)" -ge "$want" ] && return 0
		[ $SECONDS -ge $end ] && { WHY="timed out waiting for event >= $want"; return 1; }
		sleep 0.05
	done
}

# The pid of the program (the wrapper's child).
prog_pid() {
	local pane
	pane=$(tm display -p -t t '#{pane_pid}')
	pgrep -P "$pane" -f "$bin" | head -1
}

for f in "$here"/test_*.sh; do
	# shellcheck source=/dev/null
	. "$f"
done

if [ $# -gt 0 ]; then
	tests="$*"
else
	tests=$(declare -F | awk '{print $3}' | grep '^test_')
fi

passed=0
failed=0
for t in $tests; do
	LAST_SCREEN=""
	WHY=""
	if "$t"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL $t: ${WHY:-failed}"
		[ -n "$LAST_SCREEN" ] && printf '%s\n' "$LAST_SCREEN" | sed 's/^/    | /'
	fi
	tm kill-session -t t >/dev/null 2>&1
done
echo "tui: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
