# test_lessons_paxos.sh: the Paxos lessons in the real terminal. Sourced by run.sh (start,
# keys, wait_re live there; wait_lesson, which reads the lesson pane, in test_lessons_time.sh).
#
# Each lesson is walked with n (next milestone) from its first page to its last: every page
# must show up. In paxos the nodes pane must show, for every node, the chosen value and the
# acceptor's promised and accepted ballots and value.

# px_walk PHRASE...: for each page's phrase in turn, press n (at most 12 times) until the
# lesson pane says it.
px_walk() {
	local phrase i
	for phrase in "$@"; do
		for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
			wait_lesson "$phrase" 1 && break
			keys n
		done
		wait_lesson "$phrase" 2 || return 1
	done
}

test_lesson_paxos() {
	start 120 40 -- "$scenarios/paxos.json"
	wait_for "event 0/" || return 1
	px_walk "Three nodes must agree on one value" "Phase 1. n1 starts ballot 1.n1" \
		"n3 promised 1.n1 at 318.9 ms" "Phase 2. n1 has promises" "n3 crashed at 340 ms" \
		"n2 has promises for 1.n2" "n3 restarts from what it keeps on disk" \
		"n2 accepted its own 1.n2 B" "n1 tries again with ballot 2.n1" || return 1
	# the page's event is n1's: its picture has the proposer's rows, a promise from each of
	# n2 and n3 (bold; the own acceptor's is counted without a message) and the highest
	# accepted value they reported, B, which it must propose
	px_inspect "│ +proposer b 2\.n1 phase 2 B " || return 1
	px_inspect "│ +promises n1 n2 n3 best 1\.n2=B " || return 1
	px_walk "Ballot 2.n1 chooses B again" || return 1
	# the flat fields, then the picture's first row (acc: promised p, accepted a ballot=value);
	# the picture takes the room accepted_value had, so the value is read from it
	local n
	for n in n1 n2 n3; do
		wait_re "│.$n +up +chosen B +promised 2\.n1 +accepted_ballot ([12]\.n[12]) .*acc .*a\1=B" 5 ||
			return 1
	done
	px_picture_and_legend "2\.n1" || return 1
}

# px_inspect REGEX: Tab to the inspector and scroll it (j) until a line matches REGEX.
px_inspect() {
	local i
	for i in 1 2 3 4 5 6; do
		wait_for "scroll the inspector" 1 && break
		keys Tab
	done
	for i in $(seq 1 40); do
		wait_re "$1" 1 && return 0
		keys j
	done
	fail "the inspector never showed /$1/"
}

# px_picture_and_legend BALLOT_RE: the timeline's bottom border names the message classes,
# and the inspector draws the picture of the event's node: its promise (BALLOT_RE) and
# accepted value in the first row, the value it learned in the last.
px_picture_and_legend() {
	wait_for "└─ 1 phase 1  2 phase 2  3 learning " 5 || return 1
	px_inspect "│ +acc p$1 a[0-9]+\.n[0-9]+=B " || return 1
	px_inspect "│ +learned B in [0-9]+\.n[0-9]+ " || return 1
}

test_lesson_paxos_duel() {
	start 120 40 -- "$scenarios/paxos-duel.json"
	wait_for "event 0/" || return 1
	px_walk "Paxos is safe whatever the timing" "n2 started ballot 1.n2 first" \
		"n2 has promises for 1.n2 from itself and n3" "Prepare 2.n1 reaches n2" \
		"Ten ballots each" "At 3000 ms the proposers switch" \
		"B is chosen in ballot 131.n2" || return 1
	wait_re "│.n[1-3] +up +chosen B +promised 131\.n2" 5 || return 1
	px_picture_and_legend "131\.n2" || return 1
}
