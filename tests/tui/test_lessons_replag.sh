# test_lessons_replag.sh: the replication lessons (replication-lag, state-machine-replication)
# in the real terminal. Sourced by run.sh (start, keys, wait_for live there; wait_lesson and
# lt_lesson_text, the lesson pane's text, in test_lessons_time.sh).
#
# Each test opens a lesson at 120x40, presses n (next milestone) until each page of the
# narration shows, in order, and reads the nodes pane at the moments the lesson is about: the
# followers' log positions and values, the lost writes, the replicas' stores side by side.

# The nodes pane of $LAST_SCREEN, its rows only.
rl_nodes_rows() {
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

# rl_nodes_re REGEX: a row of the nodes pane matches REGEX.
rl_nodes_re() {
	rl_nodes_rows | grep -Eq -- "$1" || fail "nodes pane has no row matching /$1/"
}

# rl_legend TEXT: the timeline's bottom border names the message classes as TEXT.
rl_legend() {
	printf '%s\n' "$LAST_SCREEN" | grep -q "└─ $1 " || fail "the legend does not say '$1'"
}

# rl_page PHRASE [MAX]: press n until the lesson pane says PHRASE (at most MAX presses).
rl_page() {
	local phrase=$1 max=${2:-6} i
	for i in $(seq "$max"); do
		keys n
		wait_lesson "$phrase" 2 && return 0
	done
	WHY="pressed n $max times and the lesson never said '$phrase'"
	return 1
}

rl_open() {
	start 120 40 -- "$scenarios/$1.json"
	wait_for "event 0/" || return 1
	wait_lesson "$2" || return 1
}

test_lesson_replication_lag() {
	rl_open replication-lag "n1 is the leader" || return 1
	rl_page "Read your writes, broken" || return 1
	# n1 has c1's two writes; n3, which c1 just read from, has none of them
	rl_nodes_re 'n1 up +leader +log 2 +x 1@1 +y 1@2' || return 1
	rl_nodes_re 'n3 up +follower +log 0 +x - +y -' || return 1
	# the picture: the leader knows n3 lags both entries (it has acknowledged nothing)
	rl_nodes_re 'n1 up +leader .* lag n2:[0-2] n3:2' || return 1
	rl_nodes_re 'n3 up +follower .* lag \?' || return 1
	rl_legend "1 client  2 replication  3 failover" || return 1
	rl_nodes_re 'c1 up .*last read x=- n3' || return 1
	rl_page "Monotonic reads, broken" || return 1
	rl_page "Consistent prefix reads, broken" || return 1
	rl_page "n1 crashes at 3400 ms" || return 1
	rl_page "Failover. The rule" || return 1
	# the new leader lacks c1's acknowledged writes #11 and #12 (the c1 column gives way to
	# the picture's lag on a crashed row: "crashed" is wider than "up")
	rl_nodes_re 'n1 crashed +leader +log 12 +x 6@11 +y 6@12 ' || return 1
	rl_nodes_re 'n2 up +leader +log 10 +x 5@9 +y 5@10 ' || return 1
	rl_nodes_re 'c1 up .*acked 12' || return 1
	rl_page "n3 takes n2's log as it is" || return 1
	wait_for "discard 1 write!" || return 1
	rl_page "n1 restarted at 6500 ms" || return 1
	wait_for "discard 2 writes!" || return 1
	rl_nodes_re 'n1 up +follower +log 14' || return 1
}

test_lesson_state_machine_replication() {
	rl_open state-machine-replication "Three replicas, n1 to n3" || return 1
	rl_page "c1's third command" || return 1
	wait_for "order #5 t=now() as t=707" || return 1
	rl_page "The Order for #6 reached n2" || return 1
	# the replicas side by side: n2 holds #6 back, n2 and n3 agree at #4
	rl_nodes_re 'n1 up +applied 6 +digest 68c979 +store x=12 y=2 t=712' || return 1
	# (the picture's first row lists the hold-back queue where the held count was)
	rl_nodes_re 'n2 up +applied 4 +digest 0dfd0b +store x=12 y=2 t=0 .*held #6' || return 1
	rl_legend "1 client command  2 ordering  3 catch-up" || return 1
	rl_nodes_re 'n3 up +applied 4 +digest 0dfd0b +store x=12 y=2 t=0' || return 1
	rl_page "n3 crashes at 2000 ms" || return 1
	rl_page "n3 restarts at 3500 ms" || return 1
	rl_page "n3 has caught up" || return 1
	# the page's moment (4000 ms): n3 holds what the narration says, #30 applied; n1 and n2
	# are one command ahead, with the digest of #31 (equal prefixes, equal digests)
	rl_nodes_re 'n3 up +applied 30 +digest 1e0bf2 +store x=62 y=10 t=3641' || return 1
	rl_nodes_re 'n1 up +applied 31 +digest c4670d +store x=62 y=10 t=3961' || return 1
	rl_nodes_re 'n2 up +applied 31 +digest c4670d +store x=62 y=10 t=3961' || return 1
	rl_page "That only works because" || return 1
}
