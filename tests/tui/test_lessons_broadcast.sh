# test_lessons_broadcast.sh: the broadcast lessons in the real terminal. Sourced by run.sh
# (helpers live there).
#
# Each test opens one lesson, plays it (or runs to its first milestone, where the lesson has
# one), and looks on the captured screen for the narration of the moment it reached and for
# the protocol's own state in the nodes pane: the hold-back queue, the vector clock, whom a
# message waits for. Phrases are short enough to sit on one line of the lesson pane at 120x40.

# The nodes pane of $LAST_SCREEN: the rows under its top edge down to its bottom edge.
bc_nodes_rows() {
	local in=0 line
	while IFS= read -r line; do
		if [ $in = 0 ]; then
			case $line in *"┌ nodes"*) in=1 ;; esac
			continue
		fi
		case $line in └*) break ;; esac
		printf '%s\n' "$line"
	done <<<"$LAST_SCREEN"
}

# bc_nodes_has TEXT: the nodes pane shows TEXT.
bc_nodes_has() {
	bc_nodes_rows | grep -qF -- "$1" || fail "nodes pane lacks '$1'"
}

# bc_open NAME: open a lesson at 120x40 and wait for its first screen.
bc_open() {
	start 120 40 -- --no-page-pause "$scenarios/$1.json"
	wait_for "event 0/" || return 1
}

# Eager relaying: n1 crashes half-way through its sends, n2 relays n1#1 to the rest.
test_lesson_broadcast_reliable() {
	bc_open broadcast-reliable || return 1
	keys + + p
	wait_for "n1 crashed" 20 || return 1
	wait_for "thanks to n2's" 20 || return 1
	bc_nodes_has "relayed" || return 1
	bc_nodes_has "delivered" || return 1
}

# Gossip: n2#1 never reaches n8, whose delivered count stays behind.
test_lesson_broadcast_gossip() {
	bc_open broadcast-gossip || return 1
	keys + p
	wait_for "node happened to pick n8" 20 || return 1
	keys p          # pause while n1#1 has not started: n8 alone delivered nothing
	bc_nodes_has "relayed" || return 1
	bc_nodes_rows | grep -q "n8 up  *delivered 0" || fail "n8 should have delivered nothing" ||
		return 1
}

# FIFO: the first milestone is n2's answer delivered at n3 before n1's question.
test_lesson_broadcast_fifo() {
	bc_open broadcast-fifo || return 1
	keys '>'
	wait_for "out of causal order" 20 || return 1
	wait_for "never seen" 10 || return 1
	bc_nodes_has "seqs [" || return 1
	bc_nodes_has "holdback" || return 1
	# play on: n1#3 overtakes n1#2 and FIFO holds it back
	keys + + p
	wait_for "holdback n1#3" 20 || return 1
}

# Causal: the same answer is held back at n3 until the question arrives.
test_lesson_broadcast_causal() {
	bc_open broadcast-causal || return 1
	keys '>'
	wait_for "hold n2#2" 20 || return 1
	wait_for "has not seen: n3 holds it" 10 || return 1
	bc_nodes_has "holdback n2#2" || return 1
	bc_nodes_has "vc [1,1,1]" || return 1
	keys + + p
	wait_for "holdback n1#3 n2#2" 20 || return 1
}

# Sequencer: n4 holds number 2 until number 1 arrives.
test_lesson_broadcast_total() {
	bc_open broadcast-total || return 1
	keys '>'
	wait_for "hold n3#1" 20 || return 1
	wait_for "crossed in the network" 10 || return 1
	bc_nodes_has "holdback n3#1@g2" || return 1
	bc_nodes_has "pending" || return 1
}

# Lamport: while n4 is paused, every node waits for its acknowledgement.
test_lesson_broadcast_lamport() {
	bc_open broadcast-lamport || return 1
	keys + + + p
	wait_for "One slow node" 30 || return 1
	wait_for "waits n4" 20 || return 1
	bc_nodes_has "holdback n1#4@21" || return 1
}
