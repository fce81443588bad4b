# test_surprises.sh: no surprises, and long work never blocks the keys (issue 10, items 5 and
# 6). Sourced by run.sh.

# RSS of the program in MB (from /proc), 0 when it is gone.
sp_rss_mb() {
	local pid kb
	pid=$(prog_pid)
	[ -n "$pid" ] || { echo 0; return; }
	kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
	echo $(( ${kb:-0} / 1024 ))
}

# 40 presses of ! in broadcast-total: the run goes on in slices, the program answers q within
# a second, and the record stays under its memory cap (here 16 MB) where the run pauses.
test_until_keys_and_cap() {
	start 120 40 -- --history-mb 16 "$scenarios/broadcast-total.json"
	wait_for "event 0/" || return 1
	local i rss max=0
	for i in $(seq 40); do
		keys '!'
		sleep 0.05
	done
	# it keeps working (and keeps answering) until the cap stops it
	local end=$((SECONDS + 60))
	while :; do
		LAST_SCREEN=$(screen)
		rss=$(sp_rss_mb)
		[ "$rss" -gt "$max" ] && max=$rss
		printf '%s\n' "$LAST_SCREEN" | grep -q "memory cap" && break
		[ $SECONDS -ge $end ] && { fail "the run never reached its 16 MB cap (rss ${max} MB)"; return 1; }
		sleep 0.2
	done
	# the record holds 16 MB at most; the process has the program and the screen besides
	[ "$max" -lt 80 ] || { fail "resident memory reached ${max} MB with a 16 MB cap"; return 1; }
	# more presses at the cap change nothing: the run stays paused and says so
	keys '!'
	wait_for "memory cap" 3 || return 1
	rss=$(sp_rss_mb)
	[ "$rss" -lt 80 ] || { fail "resident memory ${rss} MB after another !"; return 1; }
	# and q is answered at once
	local t0
	t0=$(date +%s%N)
	keys q
	wait_for "EXIT=0" 3 || return 1
	local ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	[ "$ms" -lt 1000 ] || { fail "q took ${ms} ms"; return 1; }
}

# While ! runs (no cap in sight), q still quits at once.
test_until_q_while_running() {
	start 120 40 -- "$scenarios/broadcast-total.json"
	wait_for "event 0/" || return 1
	local i
	for i in $(seq 40); do keys '!'; done
	wait_for "running until an invariant breaks" 5 || return 1
	local t0
	t0=$(date +%s%N)
	keys q
	wait_for "EXIT=0" 3 || return 1
	local ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	[ "$ms" -lt 1000 ] || { fail "q took ${ms} ms while ! ran"; return 1; }
}

# TERM=dumb cannot show a screen: exit 2 with a message that points to --headless.
test_term_dumb() {
	start 80 24 TERM=dumb -- "$scenarios/raft-election.json"
	wait_for "EXIT=2" 5 || return 1
	wait_for "use --headless" 1 || return 1
}

# TERM=linux (the Linux console): nothing outside ASCII on the screen, lesson and all.
test_term_linux_ascii() {
	infocmp linux >/dev/null 2>&1 || { echo "skip test_term_linux_ascii: no linux terminfo" >&2; return 0; }
	start 80 24 TERM=linux -- "$scenarios/raft-election.json"
	wait_for "event 0/" || return 1
	keys n n n
	wait_for "page 4/" 10 || return 1
	LAST_SCREEN=$(screen)
	if printf '%s\n' "$LAST_SCREEN" | LC_ALL=C grep -q '[^ -~]'; then
		fail "a character outside ASCII on TERM=linux: $(printf '%s\n' "$LAST_SCREEN" | LC_ALL=C grep -o '[^ -~]' | head -3 | tr '\n' ' ')"
		return 1
	fi
}

# raft-partition: dragging n5 across the wall and back restores the start exactly (a whole
# network), and c1, which reaches everyone, is never pulled into a group.
test_drag_restores_start() {
	start 120 40 -- "$scenarios/raft-partition.json"
	wait_for "event 0/" || return 1
	keys Tab Tab Tab j j j j
	wait_for "│▶n5" 3 || return 1
	keys l
	wait_for "n5 moved right across the wall: 2 groups" 3 || return 1
	wait_for "{n1 n2 n3 n4} | {n5}" 2 || return 1        # the status line: c1 in neither
	wait_for "c1  reach everyone" 2 || return 1            # the network pane
	keys h
	wait_for "n5 rejoined: the network is whole" 3 || return 1
	wait_for "no partition: everyone reaches" 2 || return 1
	screen | grep -q '{n' && { LAST_SCREEN=$(screen); fail "a group is left after dragging back"; return 1; }
	# the narration knows the run left the script, and did not play the scripted split
	wait_lesson "You changed the run (2 actions" 2 || return 1
	screen | grep -q "The network splits" && { LAST_SCREEN=$(screen); fail "the script's split page for the user's drag"; return 1; }
	return 0
}

# Esc in the first picker does nothing (q quits).
test_picker_esc_stays() {
	CWD=$root start 80 24 --
	wait_for "raft-election" 5 || return 1
	keys Escape
	sleep 0.5
	wait_for "raft-election" 1 || return 1
	screen | grep -q "EXIT=" && { LAST_SCREEN=$(screen); fail "esc quit the picker"; return 1; }
	keys q
	wait_for "EXIT=0" 3 || return 1
}

# The messages pane's selection follows the message: after w delays the selected message (it
# moves down the list), d drops that same message, not the one now on its row.
test_messages_selection_follows() {
	start 120 40 -- --manual "$scenarios/raft-election.json"
	wait_for "manual" 5 || return 1
	keys Space Space Space Space Space Space Space Space   # the processes start
	wait_re "event [5-9]/" 3 || return 1
	keys t                                  # fire n1's election timer: its votes go out
	wait_for "fired n1's" 3 || return 1
	wait_re '#0 RequestVote n1→n2' 3 || return 1
	keys w
	wait_re 'delayed by 100 ms: RequestVote n1→n[0-9] \(msg [0-9]+\)' 3 || return 1
	local what
	what=$(printf '%s\n' "$LAST_SCREEN" | grep -Eo 'RequestVote n1→n[0-9] \(msg [0-9]+\)' | head -1)
	# it moved down the list (100 ms later than the others); the selection went with it
	keys d
	wait_for "dropped $what" 3 || return 1
}

# Stepping and n leave the selected process where the user put it: select n3, press n until
# a milestone elsewhere, and x crashes n3.
test_selection_stays() {
	start 120 40 -- "$scenarios/raft-election.json"
	wait_for "event 0/" || return 1
	keys j j
	wait_for "│▶n3" 3 || return 1
	keys '>'
	wait_for "milestone: n1 became leader" 10 || return 1
	wait_for "│▶n3" 2 || return 1
	keys x
	wait_for "crashed n3" 3 || return 1
}

# A click on a row of the nodes pane selects that process.
test_click_selects_row() {
	start 120 40 -- "$scenarios/raft-election.json"
	wait_for "event 0/" || return 1
	LAST_SCREEN=$(screen)
	local row
	row=$(printf '%s\n' "$LAST_SCREEN" | grep -n '^│ n4 ' | head -1 | cut -d: -f1)
	[ -n "$row" ] || { fail "no n4 row in the nodes pane"; return 1; }
	row=$((row - 1))                        # 0-based, as the mouse report counts
	# an X10 mouse report (what ncurses asks tmux for): button 1 down, then up, column 4
	local x y
	x=$(printf '\\x%x' $((33 + 4)))
	y=$(printf '\\x%x' $((33 + row)))
	keys -l "$(printf '\033[M\x20'"$x$y"'\033[M\x23'"$x$y")"
	wait_for "│▶n4" 3 || return 1
}

# The footer follows the focused pane: in the messages pane it lists d, D, enter, w.
test_footer_follows_pane() {
	start 120 40 -- "$scenarios/raft-election.json"
	wait_for "event 0/" || return 1
	keys Tab Tab Tab Tab
	wait_re 'd drop the selected message +D duplicate it' 3 || return 1
}

# At 80x24 the help scrolls instead of cutting its texts.
test_help_scrolls() {
	start 80 24 -- "$scenarios/raft-election.json"
	wait_for "event 0/" || return 1
	keys '?'
	wait_for "j/k scroll" 3 || return 1
	wait_for "more" 2 || return 1
	local i
	for i in $(seq 40); do keys j; done
	wait_for "undo your last action" 3 || return 1
	keys q
	wait_for "event 0/" 3 || return 1       # a key closes it (and does nothing else)
}

# Quitting with changes not exported asks once (y/n); after an export, q quits at once.
test_quit_asks_once() {
	start 120 40 -- "$scenarios/raft-election.json"
	wait_for "event 0/" || return 1
	keys Space Space Space x
	wait_for "crashed n1" 3 || return 1
	keys q
	wait_for "did not export it: quit anyway?" 3 || return 1
	keys n
	wait_for "kept the run" 3 || return 1
	keys o
	wait_for "open another lesson anyway?" 3 || return 1
	keys Escape
	wait_for "kept the run" 3 || return 1
	keys e Enter
	wait_for "exported" 5 || return 1
	keys q
	wait_for "EXIT=0" 3 || return 1
}

# ^C, even inside the export prompt, asks too; y quits.
test_ctrl_c_asks() {
	start 120 40 -- "$scenarios/raft-election.json"
	wait_for "event 0/" || return 1
	keys Space Space Space x
	wait_for "crashed n1" 3 || return 1
	keys e
	wait_for "export to:" 3 || return 1
	keys C-c
	wait_for "did not export it: quit anyway?" 3 || return 1
	keys y
	wait_for "EXIT=0" 3 || return 1
}
