# test_branches.sh: acting where you look, and going back (issue 10, item 4). Sourced by run.sh.

# The time on the status line, in ms (t=0.270s -> 270).
br_t_ms() {
	printf '%s\n' "$LAST_SCREEN" | grep -Eo 't=[0-9]+\.[0-9]{3}s' | head -1 | tr -d 't=s.' | sed 's/^0*//;s/^$/0/'
}

# n until the lesson pane shows page P (at most 12 presses).
br_n_to_page() {
	local want=$1 i
	for i in $(seq 12); do
		keys n
		sleep 0.3
		LAST_SCREEN=$(screen)
		printf '%s\n' "$LAST_SCREEN" | grep -Eq " $want/[0-9]+ [┐+]" && return 0
	done
	fail "n never reached page $want"
}

# raft-election: at the page where n1 became leader, rewind, come back to it the same way (in
# the recorded past now), and crash n1: it crashes after it became leader (the time shown does
# not go back), and the branch list brings back the future the crash replaced; U undoes.
test_act_where_you_look() {
	start 120 40 -- "$scenarios/raft-election.json"
	wait_for "event 0/" || return 1
	br_n_to_page 5 || return 1
	wait_for "became leader" 2 || return 1
	local t_leader end_before
	t_leader=$(br_t_ms)
	br_n_to_page 7 || return 1      # run on, so there is a future to replace
	keys G
	wait_for "at the end of the record" 3 || return 1
	end_before=$(event_count)
	keys g
	wait_for "rewound to the start" 3 || return 1
	br_n_to_page 5 || return 1
	local t_seen
	t_seen=$(br_t_ms)
	[ "$t_seen" -ge "$t_leader" ] || { fail "back at page 5 at ${t_seen} ms, before the leader (${t_leader} ms)"; return 1; }
	keys x
	wait_for "crashed n1" 3 || return 1
	local t_crash
	t_crash=$(br_t_ms)
	[ "$t_crash" -ge "$t_seen" ] || { fail "the crash landed at ${t_crash} ms, before the moment shown (${t_seen} ms)"; return 1; }
	# n1 became leader before it crashed: its lane reads leader then the crash
	wait_re '│.n1 crashed' 3 || return 1
	# the old future is kept: R lists it, 1 returns to it (as long as it was)
	keys R
	wait_for "branch: its number" 3 || return 1
	wait_lesson "1 from e" 2 || return 1
	keys 1 Enter
	wait_for "back on branch 1" 20 || return 1
	local end_after
	end_after=$(printf '%s\n' "$LAST_SCREEN" | grep -Eo '[0-9]+ events recorded' | grep -Eo '^[0-9]+')
	[ "$end_after" = "$end_before" ] || { fail "the old future has $end_after events, it had $end_before"; return 1; }
	# and the crash's branch is kept in its turn: back to it, then undo the crash
	keys R
	wait_lesson "last action: crash n1" 3 || return 1
	keys 1 Enter
	wait_for "back on branch 1" 20 || return 1
	keys G
	wait_re '│.n1 crashed' 3 || return 1
	keys U
	wait_for "undone: the action at e" 5 || return 1
	wait_re '│.n1 up' 3 || return 1
}
