# test_terminal.sh: the terminal is always given back, whatever ends the program, and the
# program copes with sizes, colour settings and missing terminals. Sourced by run.sh.

election=$scenarios/raft-election.json

test_resize_too_small_and_back() {
	start 120 40 -- "$election"
	wait_for "event 0/" || return 1
	keys Space Space
	wait_count 2 || return 1
	local n
	n=$(event_count)
	tm resize-window -t t -x 40 -y 12
	wait_for "too small" || return 1
	tm resize-window -t t -x 120 -y 40
	wait_for "event $n/" || return 1
	case $LAST_SCREEN in *"too small"*|*EXIT=*) fail "did not redraw at 120x40"; return 1 ;; esac
	keys Space
	wait_count $((n + 1)) || return 1
}

test_sigterm_restores_terminal() {
	start 120 40 -- "$election"
	wait_for "event 0/" || return 1
	local pid
	pid=$(prog_pid)
	[ -n "$pid" ] || fail "cannot find the program's pid" || return 1
	kill -TERM "$pid"
	wait_for "EXIT=0" || return 1
	[ "$(tm display -p -t t '#{alternate_on}')" = 0 ] || fail "still in the alternate screen"
}

test_sighup_restores_terminal() {
	start 120 40 -- "$election"
	wait_for "event 0/" || return 1
	kill -HUP "$(prog_pid)"
	wait_for "EXIT=0" || return 1
	[ "$(tm display -p -t t '#{alternate_on}')" = 0 ] || fail "still in the alternate screen"
}

# Our own crash (a SIGSEGV, sent here from outside to take the same path) still gives the
# terminal back before the program dies of the signal.
test_crash_restores_terminal() {
	start 120 40 -- "$election"
	wait_for "event 0/" || return 1
	kill -SEGV "$(prog_pid)"
	wait_for "EXIT=139" || return 1
	[ "$(tm display -p -t t '#{alternate_on}')" = 0 ] || fail "still in the alternate screen"
}

test_ctrl_c_restores_terminal() {
	start 120 40 -- "$election"
	wait_for "event 0/" || return 1
	keys p C-c
	wait_for "EXIT=0" || return 1
	[ "$(tm display -p -t t '#{alternate_on}')" = 0 ] || fail "still in the alternate screen"
}

test_suspend_and_resume() {
	start 120 40 -- "$election"
	wait_for "event 0/" || return 1
	keys Space Space
	wait_count 2 || return 1
	local pid n
	n=$(event_count)
	pid=$(prog_pid)
	keys C-z
	# stopped, with the terminal given back: out of the alternate screen
	local end=$((SECONDS + 5))
	while [ "$(tm display -p -t t '#{alternate_on}')" != 0 ]; do
		[ $SECONDS -ge $end ] && { fail "^Z did not give the terminal back"; return 1; }
		sleep 0.05
	done
	grep -q '^State:.*T' "/proc/$pid/status" 2>/dev/null || fail "^Z did not stop the program" || return 1
	kill -CONT "$pid"
	wait_for "event $n/" || return 1
	keys Space
	wait_count $((n + 1)) || return 1
}

test_no_terminal_is_refused() {
	local rc=0
	"$bin" "$election" </dev/null >"$tmp/out" 2>"$tmp/err" || rc=$?
	[ "$rc" = 2 ] || fail "exit $rc without a terminal, expected 2" || return 1
	grep -q "needs a terminal" "$tmp/err" || fail "no clear message: $(cat "$tmp/err")"
}

test_unknown_term_is_refused() {
	start 100 30 TERM=no-such-terminal -- "$election"
	wait_for "EXIT=" || return 1
	case $LAST_SCREEN in *"unknown terminal type 'no-such-terminal'"*) ;; *) fail "no clear message"; return 1 ;; esac
	case $LAST_SCREEN in *EXIT=1*) ;; *) fail "expected exit status 1 on an unknown terminal"; return 1 ;; esac
}

test_no_color_has_no_colours() {
	start 120 40 NO_COLOR=1 -- "$election"
	wait_for "event 0/" || return 1
	keys Space Space Space
	wait_count 3 || return 1
	# SGR colour codes: 30-37, 40-47, 90-97, 38;5 / 48;5
	if tm capture-pane -p -e -t t | grep -Eq $'\e\\[([0-9;]*;)?(3[0-8]|4[0-8]|9[0-7])(;[0-9;]*)?m'; then
		fail "colours drawn under NO_COLOR"
		return 1
	fi
	tm capture-pane -p -e -t t | grep -q $'\e\\[' || fail "no attributes at all under NO_COLOR"
}

test_ascii_has_no_line_drawing() {
	start 120 40 -- --ascii "$election"
	wait_for "event 0/" || return 1
	keys Space Space Space Space Space Space
	wait_count 6 || return 1
	if printf '%s\n' "$LAST_SCREEN" | LC_ALL=C grep -q $'[\x80-\xff]'; then
		fail "non-ASCII on screen under --ascii: $(printf '%s\n' "$LAST_SCREEN" | LC_ALL=C grep -o $'[\x80-\xff]\+' | head -3 | tr '\n' ' ')"
		return 1
	fi
}
