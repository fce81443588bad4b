# test_views2.sh: the diagram's second reading aids (issues 9 and 10): a violation named in
# the inspector, and what the selected event changed. Sourced by run.sh.

# raft-figure8 under its bug variant: ! runs to the violation, and the inspector (its own
# box, not the status line) names the invariant and explains it with event ids, as a warning.
test_views2_violation_in_inspector() {
	start 120 40 -- --variant figure8-bug "$scenarios/raft-figure8.json"
	wait_for "event 0/" 5 || return 1
	keys '!'
	wait_re 'violation at e[0-9]+' 20 || return 1                  # the inspector's title
	local ev
	ev=$(printf '%s\n' "$LAST_SCREEN" | grep -Eo 'violation at e[0-9]+' | head -1 | grep -Eo '[0-9]+$')
	wait_for "│ ✖ invariant violated: leader" 2 || return 1
	wait_for "│ completeness " 2 || return 1
	wait_re "│   The invariant \"leader completeness\" *│" 2 || return 1
	wait_re "broke at event e$ev " 2 || return 1
	# drawn in the warning role (bold yellow in the default theme)
	tm capture-pane -e -p -t t | grep -qF "$(printf '\033[1m\033[33m')violated:" ||
		{ LAST_SCREEN=$(screen); fail "the inspector's violation is not drawn as a warning"; return 1; }
	# at 80x24 too, the name is whole (wrapped, not cut)
	tm resize-window -t t -x 80 -y 24
	wait_for "│ ✖ invariant violated:" 3 || return 1
	wait_for "│ leader completeness" 2 || return 1
}

# raft-election: the event where n1 became candidate says what it changed, old→new, in the
# inspector; after later steps of other processes the nodes pane still marks the fields that
# event changed on n1's row while it stays selected.
test_views2_what_changed() {
	start 120 40 -- "$scenarios/raft-election.json"
	wait_for "event 0/" 5 || return 1
	keys n
	sleep 0.3
	keys n
	wait_for "vote for n1" 5 || return 1
	local i
	for i in 1 2 3 4 5 6 7 8; do
		keys h
		sleep 0.2
		screen | grep -q "role follower→candidate" && break
	done
	wait_for "changed  role follower→candidate" 2 || return 1
	wait_for "term 0→1" 2 || return 1
	wait_for "voted_for -→n1" 2 || return 1
	tm capture-pane -e -p -t t | grep "n1 " | grep -qF "$(printf '\033[1m\033[33m')candidate" ||
		{ LAST_SCREEN=$(screen); fail "n1's new role is not marked in the nodes pane"; return 1; }
	# an event that changed no state: no "changed" line
	keys l
	wait_re 'e[0-9]+ send at n1' 2 || return 1
	screen | grep -q "changed  role" && { LAST_SCREEN=$(screen); fail "a send shows a change"; return 1; }
	return 0
}

# C does what its help line says: only what happened before and after the selected event
# stays in the diagram. raft-election, e20 (n3's vote reply to n1) selected: n5's candidacy is
# concurrent with it and leaves, n1's request that caused the reply stays; the edge names the
# tints and then the cone; C again gives the diagram back unchanged.
test_views2_cone_key() {
	start 120 40 -- "$scenarios/raft-election.json"
	wait_for "event 0/" 5 || return 1
	keys n
	sleep 0.3
	keys n
	sleep 0.3
	keys n
	wait_for "reject vote" 5 || return 1
	keys :
	wait_for "go to" 3 || return 1
	keys e20 Enter
	wait_for "e20 send at n3" 5 || return 1
	wait_re "before  ?after  ?concurrent" 2 || return 1
	local before
	before=$(screen | head -31)
	keys C
	wait_for "only the selected event's causal cone" 3 || return 1
	wait_re "cone(: | of e20: )before  ?after" 2 || return 1
	screen | grep -q "reject vote" && { LAST_SCREEN=$(screen); fail "n5's concurrent step is still drawn"; return 1; }
	screen | grep -q "after  *concurrent" && { LAST_SCREEN=$(screen); fail "the edge still names the concurrent tint"; return 1; }
	wait_for "became candidate" 1 || return 1      # n1's candidacy is in e20's past
	keys C
	wait_for "every event shown" 3 || return 1
	wait_for "reject vote" 2 || return 1
	[ "$(screen | head -31)" = "$before" ] || { LAST_SCREEN=$(screen); fail "the diagram did not come back unchanged"; return 1; }
}
