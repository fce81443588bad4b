# test_faults.sh: breaking the world from the keyboard (issue 4): partitions by key and by
# dragging across the wall, crash and restart, manual delivery with drop and duplicate, time
# travel (back 50 and forward again gives the same screen; acting in the past branches), and
# export followed by --replay reaching the same final screen. Sourced by run.sh.

quiet=$root/tests/fixtures/tui-raft.json

# The nodes pane's row of process NAME on $LAST_SCREEN.
node_row() { printf '%s\n' "$LAST_SCREEN" | grep -E "^│.?$1 (up|crashed|paused)" | head -1; }
# The screen without its last two lines (the status bar's transient message).
body() { printf '%s\n' "$LAST_SCREEN" | head -n -2; }

test_isolate_leader_new_leader_heal_steps_down() {
	start 120 40 -- "$quiet"
	wait_for "event 0/" || return 1
	keys '>'                              # the first leader; the selection is on it
	wait_re 'leader +term 1' 5 || return 1
	local old
	old=$(printf '%s\n' "$LAST_SCREEN" | grep -Eo '^│.?n[0-9] up +leader' | grep -Eo 'n[0-9]' | head -1)
	[ -n "$old" ] || fail "no leader row" || return 1
	# select its lane (stepping leaves the selected process where the user put it)
	keys k k k k k k k k
	local j
	for ((j = 1; j < ${old#n}; j++)); do keys j; done
	keys i
	wait_for "isolated $old" || return 1
	keys '>'                              # the majority elects another leader
	wait_re 'leader +term [2-9]' 8 || return 1
	node_row "$old" | grep -Eq 'leader +term 1' || fail "$old should still think it leads term 1" || return 1
	keys H
	wait_for "healed" || return 1
	local i
	for i in $(seq 1 40); do keys Space; done
	local end=$((SECONDS + 8))
	while :; do
		LAST_SCREEN=$(screen)
		node_row "$old" | grep -Eq 'follower +term [2-9]' && return 0
		[ $SECONDS -ge $end ] && break
		keys Space Space Space Space
		sleep 0.1
	done
	fail "$old did not step down after the heal"
}

test_drag_across_the_wall() {
	start 120 40 -- "$quiet"
	wait_for "event 0/" || return 1
	keys '>'
	wait_for "milestone" || return 1
	keys Tab Tab Tab                    # timeline -> nodes -> inspector -> network
	wait_for "network" || return 1
	keys Right
	wait_for "across the wall" || return 1
	wait_re '\{[n0-9 c]+\} \| \{[n0-9 c]+\}' 3 || fail "no partition summary in the status bar" || return 1
	local before
	before=$(printf '%s\n' "$LAST_SCREEN" | grep -Eo '\{[^}]*\} \| \{[^}]*\}' | head -1)
	keys Down Right
	local end=$((SECONDS + 5))
	while :; do
		LAST_SCREEN=$(screen)
		local now
		now=$(printf '%s\n' "$LAST_SCREEN" | grep -Eo '\{[^}]*\}( \| \{[^}]*\})+' | head -1)
		[ -n "$now" ] && [ "$now" != "$before" ] && return 0
		[ $SECONDS -ge $end ] && break
		sleep 0.05
	done
	fail "the partition summary did not change after dragging a second process ($before)"
}

test_crash_and_restart() {
	start 120 40 -- "$quiet"
	wait_for "event 0/" || return 1
	keys '>'
	wait_for "milestone" || return 1
	keys j
	keys x
	wait_for "crashed n" || return 1
	wait_re '^│.?n[0-9] crashed' 3 || fail "no crashed row in the nodes pane" || return 1
	keys x                              # the selection stays on the crashed lane
	wait_for "restarted n" || return 1
	printf '%s\n' "$LAST_SCREEN" | grep -Eq '^│.?n[0-9] crashed' && fail "still crashed after restart" && return 1
	return 0
}

test_manual_drop_and_duplicate() {
	start 120 40 -- "$quiet"
	wait_for "event 0/" || return 1
	keys '>'
	wait_for "milestone" || return 1
	keys M                              # manual mode focuses the messages pane
	wait_for "manual" || return 1
	wait_re 'messages in flight \([1-9]' 3 || return 1
	keys d
	wait_re 'dropped [A-Za-z]+ n[0-9]' 3 || return 1
	keys D
	wait_re 'duplicated? [A-Za-z]+ n[0-9]' 3 || return 1
	keys Enter
	wait_re 'delivered? (now )?[A-Za-z]+ n[0-9]|deliver' 3 || return 1
}

test_back_50_and_forward_same_screen() {
	start 120 40 -- "$quiet"
	wait_for "event 0/" || return 1
	local i
	for i in $(seq 1 60); do keys Space; done
	wait_count 100 8 || return 1
	sleep 0.3
	LAST_SCREEN=$(screen)
	local n0 before
	n0=$(event_count)
	before=$(body)
	for i in $(seq 1 50); do keys b; done
	wait_count 0 || return 1
	local end=$((SECONDS + 5))
	while :; do
		LAST_SCREEN=$(screen)
		[ "$(event_count)" -eq $((n0 - 50)) ] && break
		[ $SECONDS -ge $end ] && { fail "did not go back 50 events from $n0"; return 1; }
		sleep 0.05
	done
	for i in $(seq 1 50); do keys Space; done
	end=$((SECONDS + 5))
	while :; do
		LAST_SCREEN=$(screen)
		[ "$(event_count)" -eq "$n0" ] && [ "$(body)" = "$before" ] && return 0
		[ $SECONDS -ge $end ] && break
		sleep 0.05
	done
	diff <(printf '%s\n' "$before") <(body) | head -20
	fail "back 50 and forward 50 did not give the same screen"
}

test_act_in_the_past_branches() {
	start 120 40 -- "$quiet"
	wait_for "event 0/" || return 1
	local i
	for i in $(seq 1 40); do keys Space; done
	wait_count 60 8 || return 1
	for i in $(seq 1 20); do keys b; done
	sleep 0.3
	keys x
	wait_for "new branch" 5 || return 1
}

test_export_then_replay_same_final_screen() {
	start 120 40 -- "$quiet"
	wait_for "event 0/" || return 1
	keys '>'
	wait_for "milestone" || return 1
	keys x Space Space Space i
	wait_for "isolated" || return 1
	local k
	for k in $(seq 1 30); do keys Space; done
	keys H
	wait_for "healed" || return 1
	keys e
	wait_for "export to:" || return 1
	keys C-u
	keys "$tmp/run.json" Enter
	wait_for "exported" 5 || return 1
	local final
	final=$(printf "%s\n" "$LAST_SCREEN" | grep -E "^│.?n[0-9] (up|crashed)" | sed "s/▶/ /")
	keys q
	wait_for "EXIT=0" || return 1
	# every user action and its effect are in the trace, and the trace keeps the contract
	grep -q '"by":"user"' "$tmp/run.json" || { fail "no user action in the export"; return 1; }
	"$bin" --verify "$tmp/run.json" >"$tmp/verify.out" 2>&1 ||
		{ LAST_SCREEN=$(cat "$tmp/verify.out"); fail "--verify rejects the export"; return 1; }
	if [ -f "$root/../shared/tools/check-trace" ]; then
		python3 "$root/../shared/tools/check-trace" "$tmp/run.json" >"$tmp/ct.out" 2>&1 ||
			{ LAST_SCREEN=$(cat "$tmp/ct.out"); fail "check-trace rejects the export"; return 1; }
	fi
	"$bin" --replay --headless "$tmp/run.json" >"$tmp/replay.out" 2>&1 ||
		{ LAST_SCREEN=$(cat "$tmp/replay.out"); fail "--replay --headless says the export differs"; return 1; }
	start 120 40 -- --replay "$tmp/run.json"
	wait_for "event 0/" 8 || return 1
	keys G
	wait_re 'event ([0-9]+)/\1' 5 || return 1
	local again
	again=$(printf '%s\n' "$LAST_SCREEN" | grep -E '^│.?n[0-9] (up|crashed)' | sed 's/▶/ /')
	[ "$final" = "$again" ] || { diff <(echo "$final") <(echo "$again"); fail "the replayed run ends in another state"; }
}

# A trace that cannot be re-simulated (here: a protocol this build does not have) opens
# read-only: the views work, stepping moves through the recorded events, actions are refused.
test_read_only_trace() {
	"$bin" --headless "$quiet" --steps 200 --export "$tmp/ro.json" >/dev/null 2>&1 || { fail "export"; return 1; }
	sed -i '1s/"protocol":"raft"/"protocol":"zab"/' "$tmp/ro.json"
	start 120 40 -- --replay "$tmp/ro.json"
	wait_for "read-only" 8 || return 1
	keys Space Space Space Space Space
	wait_count 5 || return 1
	wait_re '^│.?n1 up' 3 || fail "no nodes pane" || return 1
	keys x
	wait_for "cannot be changed" 3 || return 1
	keys b
	wait_count 4 || return 1
}

# A one-way cut, a skewed clock and a slower network, each from its key and a typed line;
# all recorded as user actions that --replay takes again.
test_cut_clock_latency() {
	start 120 40 -- "$quiet"
	wait_for "event 0/" || return 1
	keys '>'
	wait_for "milestone" || return 1
	keys u
	wait_for "cut one way, from the selected process to:" || return 1
	keys n3 Enter
	wait_re 'one-way cut: n[0-9] can no longer reach n3' 3 || return 1
	keys K
	wait_for "clock of the selected process" || return 1
	keys C-u "40 200" Enter
	wait_re "clock now reads true time \+40 ms, drifting \+200 ppm" 3 || return 1
	keys W
	wait_for "network latency ms" || return 1
	keys C-u "200 400" Enter
	wait_for "network latency now 200-400 ms" 3 || return 1
	local i
	for i in $(seq 1 20); do keys Space; done
	keys e
	wait_for "export to:" || return 1
	keys C-u "$tmp/ccl.json" Enter
	wait_for "exported" 5 || return 1
	"$bin" --replay --headless "$tmp/ccl.json" >"$tmp/ccl.out" 2>&1 ||
		{ LAST_SCREEN=$(cat "$tmp/ccl.out"); fail "--replay differs after cut, clock and latency"; return 1; }
}

# Copies of a duplicated message are told apart: drop the second copy, and the replay drops
# the same one.
test_drop_one_copy_replays() {
	start 120 40 -- "$quiet"
	wait_for "event 0/" || return 1
	keys '>'
	wait_for "milestone" || return 1
	keys M
	wait_for "manual" || return 1
	keys D
	wait_re 'duplicated? [A-Za-z]+ n[0-9]' 3 || return 1
	local k
	for k in 1 2 3 4 5 6 7 8 9; do keys j; done
	keys d
	wait_re 'dropped [A-Za-z]+ n[0-9]' 3 || return 1
	keys Enter Enter
	keys e
	wait_for "export to:" || return 1
	keys C-u "$tmp/copy.json" Enter
	wait_for "exported" 5 || return 1
	"$bin" --replay --headless "$tmp/copy.json" >"$tmp/copy.out" 2>&1 ||
		{ LAST_SCREEN=$(cat "$tmp/copy.out"); fail "--replay differs after dropping a copy"; return 1; }
}
