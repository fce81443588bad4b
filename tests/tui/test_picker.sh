# test_picker.sh: with no argument the program opens the lesson picker. Sourced by run.sh.

test_picker_lists_and_opens() {
	CWD=$root start 120 40 --
	wait_for "raft-election" || return 1
	local topic
	topic=$(sed -n 's/.*"topic": *"\([^"]*\)".*/\1/p' "$scenarios/raft-election.json" | head -1)
	case $LAST_SCREEN in *"$topic"*) ;; *) fail "topic '$topic' not shown"; return 1 ;; esac
	# move to raft-election wherever it is: the picker starts on it
	keys Enter
	wait_for "event 0/" || return 1
	keys q
	wait_for "EXIT=0" || return 1
}

test_picker_quit() {
	CWD=$root start 100 30 --
	wait_for "raft-election" || return 1
	keys q
	wait_for "EXIT=0" || return 1
}
