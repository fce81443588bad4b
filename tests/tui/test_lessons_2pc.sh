# test_lessons_2pc.sh: the two-phase-commit lesson in the real terminal. Sourced by run.sh
# (start, keys, wait_for, event_count live there; lt_lesson_text and wait_lesson in
# test_lessons_time.sh).
#
# One test walks the narration with `n` alone, page by page (each checked by the phrase it
# opens with, which is on screen before any scrolling), and checks the nodes pane at the
# blocking; the other crashes the coordinator from the keys right after the yes votes and
# watches the participants stay uncertain, locks held, until it is restarted. The vote is
# read from the picture (votes: a letter per participant on the coordinator; vote on a
# participant), which takes the room the vote field had, after the timer bars.

# The nodes pane's row of process $1 (n1, n2, ...) in $LAST_SCREEN.
tpc_row() {
	printf '%s\n' "$LAST_SCREEN" | grep -E "^│.$1 +(up|crashed|paused) " | head -1
}

# tpc_rows_match REGEX PROC...: each process's row in the nodes pane matches REGEX.
tpc_rows_match() {
	local re=$1 p
	shift
	for p in "$@"; do
		tpc_row "$p" | grep -Eq -- "$re" || fail "$p's row lacks /$re/: $(tpc_row "$p")" ||
			return 1
	done
}

# tpc_legend: the timeline's bottom border names the message classes.
tpc_legend() {
	printf '%s\n' "$LAST_SCREEN" | grep -q "└─ 1 prepare/vote  2 decision  3 recovery " ||
		fail "the legend does not name two-phase commit's classes"
}

# tpc_next_page I: press n (one milestone at a time) until the lesson pane is at page I/9.
tpc_next_page() {
	local want=$1 i
	for i in $(seq 1 40); do
		LAST_SCREEN=$(screen)
		printf '%s\n' "$LAST_SCREEN" | grep -q " $want/9 ┐" && return 0
		local before
		before=$(event_count)
		keys n
		wait_count $((before + 1)) 5 || return 1
	done
	fail "page $want/9 not reached with n"
}

test_lesson_2pc_pages() {
	start 120 40 -- "$scenarios/two-phase-commit.json"
	wait_for "event 0/" || return 1
	wait_lesson "at all of them or at none" || return 1
	local pages=(
		"2:A yes is a promise"
		"3:only now does n1 send Commit"
		"4:t2: n4 votes no"
		"5:t3: n3 crashed at 850 ms while working"
		"6:What can they do?"
		"7:Nothing but wait"
		"8:reads its decision log"
		"9:Life goes on"
	)
	local pg
	for pg in "${pages[@]}"; do
		tpc_next_page "${pg%%:*}" || return 1
		wait_lesson "${pg#*:}" 5 || return 1
		case ${pg%%:*} in
		2)	# the yes votes are in: prepared, locks held; the coordinator's picture has a
			# yes per participant, and the legend names the classes
			tpc_rows_match 'prepared \(uncertain\) +locks held .*vote yes' n2 n3 n4 ||
				return 1
			tpc_rows_match 'votes YYY' n1 || return 1
			tpc_legend || return 1 ;;
		7)	# n1 is down after the yes votes: everyone uncertain, locks held
			tpc_rows_match 'crashed +txn 5' n1 || return 1
			tpc_rows_match 'txn 5 +prepared \(uncertain\) +locks held .*vote yes' n2 n3 n4 ||
				return 1 ;;
		8)	# restarted, n1 has its log but not the votes (they were in memory)
			tpc_rows_match 'n1 up +txn 5.*votes \?\?\?' n1 || return 1 ;;
		esac
	done
	# by the last page the blocked transaction has ended everywhere, and t6 has committed
	tpc_rows_match 'txn 6 +committed' n1 || return 1
}

# From the keys: stop at the yes votes (n), crash n1 (it is selected: the milestone is its
# event), play on, and the participants stay prepared, holding their locks, while they ask
# the crashed n1 in vain; select n1 again and restart it, and they learn the outcome.
test_lesson_2pc_coordinator_crash() {
	start 120 40 -- "$scenarios/two-phase-commit.json"
	wait_for "event 0/" || return 1
	keys n
	wait_for "milestone: n1 all voted yes t1" 5 || return 1
	tpc_rows_match '^│▶n1 ' n1 || return 1
	tpc_rows_match 'votes YYY' n1 || return 1
	keys x
	wait_for "crashed n1" 5 || return 1
	tpc_rows_match 'n1 crashed' n1 || return 1
	tpc_rows_match 'txn 1 +prepared \(uncertain\) +locks held .*vote yes' n2 n3 n4 || return 1
	# play: their questions are lost on the crashed n1, and they stay uncertain
	keys + + + p
	wait_for "uncertain t1: ask n1" 15 || return 1
	wait_re 't=0\.[7-9][0-9]*s|t=[1-9]\.' 20 || return 1
	keys p
	wait_for "paused" 5 || return 1
	tpc_rows_match 'n1 crashed' n1 || return 1
	tpc_rows_match 'txn 1 +prepared \(uncertain\) +locks held .*vote yes' n2 n3 n4 || return 1
	# select n1 (the lane at the top) and restart it: it reads its log and aborts t1
	keys k k k k
	wait_re '│▶n1 ' 5 || return 1
	keys x
	wait_for "restarted n1" 5 || return 1
	local i before
	for i in $(seq 1 30); do     # one event at a time (space) until the Aborts are in
		LAST_SCREEN=$(screen)
		tpc_rows_match 'txn 1 +aborted +locks none .*vote yes' n2 n3 n4 && break
		before=$(event_count)
		keys Space
		wait_count $((before + 1)) 5 || return 1
	done
	# restarted, n1 decided from its log without the votes, which it had in memory only
	tpc_rows_match 'n1 up +txn 1 +aborted.*votes \?\?\?' n1 || return 1
	tpc_rows_match 'txn 1 +aborted +locks none .*vote yes' n2 n3 n4 || return 1
}
