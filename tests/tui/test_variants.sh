# test_variants.sh: a lesson's variants, switched live with V (issue 10, item 2), and a
# violation named on screen (item 3). Sourced by run.sh.

# raft-figure8: from the keys alone, the bug variant stops with the invariant named on the
# status line and explained in the lesson pane; ! later returns to it from the start.
test_variant_figure8_bug() {
	start 120 40 -- "$scenarios/raft-figure8.json"
	wait_for "event 0/" || return 1
	keys V
	wait_lesson "2 figure8-bug: commit old-term entries: the Figure 8 bug" 5 || return 1   # the list
	wait_for "variant: its number" 2 || return 1
	keys 2 Enter
	wait_for "variant figure8-bug" 10 || return 1
	keys '!'
	wait_for "leader completeness violated at e" 20 || return 1      # the status line
	wait_lesson 'The invariant "leader completeness" broke at event e' 2 || return 1  # lesson pane
	wait_re 'invariant violated: leader completeness at e[0-9]+' 2 || return 1
	# play and step refuse to go on; g rewinds; ! comes back to it
	keys g
	wait_for "rewound to the start" 5 || return 1
	screen | grep -q "leader completeness violated" && { LAST_SCREEN=$(screen); fail "the violation is still shown at the start"; return 1; }
	keys '!'
	wait_for "back to the violation: leader completeness at e" 10 || return 1
	wait_for "leader completeness violated at e" 2 || return 1
}

# rpc-retries: at the lesson's "applied twice!" moment, switching to request ids shows the
# same moment with the retry answered from the saved reply, and the run stays exactly-once.
test_variant_rpc_request_ids() {
	start 120 40 -- "$scenarios/rpc-retries.json"
	wait_for "event 0/" || return 1
	local i
	for i in 1 2 3 4 5 6; do
		keys n
		sleep 0.3
		screen | grep -q "applied twice!" && break
	done
	wait_for "applied twice!" 10 || return 1
	local t
	t=$(printf '%s\n' "$LAST_SCREEN" | grep -Eo 't=[0-9]+\.[0-9]+s' | head -1)
	keys V
	wait_lesson "2 request-ids: request ids: the server applies each request once" 5 || return 1
	keys 2 Enter
	wait_for "variant request-ids" 10 || return 1
	# the same moment, and the retry is recognised instead of applied again
	wait_for "$t" 2 || { WHY="the moment changed: expected $t"; return 1; }
	wait_re 'seen c1#[0-9]+: resend' 5 || return 1
	screen | grep -q "applied twice!" && { LAST_SCREEN=$(screen); fail "applied twice! under request ids"; return 1; }
	# and on through the run, no request is applied twice (request ids enforce the check):
	# ! runs in slices, the keys stay live, and esc stops it where it got to
	keys '!'
	wait_for "running until an invariant breaks" 5 || return 1
	sleep 3
	keys Escape
	wait_for "stopped where it got to" 3 || return 1
	screen | grep -Eq "invariant violated|applied twice!" && { LAST_SCREEN=$(screen); fail "a request was applied twice under request ids"; return 1; }
	# back to the lesson as written
	keys V
	wait_lesson "0 as written" 5 || return 1
	keys 0 Enter
	wait_for "variant as written" 10 || return 1
}
