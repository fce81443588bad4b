# test_lessons_time.sh: the lessons on time and system models, played in the real terminal:
# each opens, plays (p, sped up with + so a test takes seconds), and shows its narration in
# the lesson pane and its protocol's own state in the nodes pane. Sourced by run.sh (the
# start / wait helpers live there).

# The lesson pane's text, its rows joined by single spaces (the pane wraps at spaces), so a
# phrase is found wherever the wrap falls. The pane is the box whose top edge carries the
# lesson's progress ("1/5 ┐").
lt_lesson_text() {
	local line start=-1 end=-1 out=""
	while IFS= read -r line; do
		if [ "$start" -lt 0 ]; then
			if printf '%s\n' "$line" | grep -Eq '┌[^┐]* [0-9]+/[0-9]+ ┐'; then
				local pre=${line%%[0-9]/[0-9]* ┐*}
				pre=${pre%┌*}
				start=${#pre}
				local rest=${line:$start}
				local box=${rest%%┐*}
				end=$((start + ${#box}))
			fi
			continue
		fi
		[ "${line:$start:1}" = "└" ] && break
		out="$out ${line:$((start + 1)):$((end - start - 1))}"
	done <<<"$LAST_SCREEN"
	printf '%s\n' "$out" | tr -s ' '
}

# wait_lesson PHRASE [TIMEOUT_S]: poll until the lesson pane says PHRASE.
wait_lesson() {
	local text=$1 timeout=${2:-10}
	local end=$((SECONDS + timeout))
	while :; do
		LAST_SCREEN=$(screen)
		case $(LC_ALL=C.UTF-8 lt_lesson_text) in *"$text"*) return 0 ;; esac
		[ $SECONDS -ge $end ] && { WHY="timed out waiting for the lesson to say '$text'"; return 1; }
		sleep 0.05
	done
}

# Open a lesson, check its opening narration, and play it faster than the default (three +:
# 0.05x becomes 0.5x).
lt_open_and_play() {
	local name=$1 opening=$2
	start 120 40 -- --no-page-pause "$scenarios/$name.json"
	wait_for "event 0/" || return 1
	wait_lesson "$opening" || return 1
	keys + + + p
	wait_re 'event [1-9][0-9]*/' 8 || return 1
}

test_lesson_clocks_lamport() {
	lt_open_and_play clocks-lamport "keeping a Lamport clock L" || return 1
	# the protocol's own clock in the nodes pane, and the receive rule on the timeline
	wait_re '│.n[1-4] +up +L [0-9]+ +sent [0-9]+' 10 || return 1
	wait_for "recv max(" 10 || return 1
	# the lesson's point: a concurrent pair with ordered timestamps
	wait_lesson "L(a) < L(b) does not imply a → b" 20 || return 1
	wait_lesson "the clock condition" 20 || return 1
}

test_lesson_clocks_vector() {
	lt_open_and_play clocks-vector "one counter per process" || return 1
	wait_re '│.n[1-4] +up +vc \[[0-9]+,[0-9]+,[0-9]+,[0-9]+\]' 10 || return 1
	wait_lesson "the inspector agrees" 20 || return 1
	# do what it says: mark an event, select one on another lane, compare
	keys p
	wait_for "paused" || return 1
	keys m
	wait_for "marked" 5 || return 1
	keys k h
	wait_re 'concurrent|happened before' 5 || return 1
	wait_for "compared with" 5 || return 1
}

test_lesson_clocks_physical() {
	lt_open_and_play clocks-physical "n1 is a time server" || return 1
	# local and corrected clocks, the offset, the round trip and the error bound
	wait_re '│.n[2-4] +up +raw -?[0-9]+\.[0-9] +corr -?[0-9]+\.[0-9] +θ [-+][0-9]+\.[0-9] +δ [0-9]+\.[0-9] +± [0-9]+\.[0-9]' 15 || return 1
	wait_re 'θ=-?[0-9]+\.[0-9] δ=[0-9]+\.[0-9] ±' 5 || return 1
	wait_lesson "within δ/2 = 38.4 ms" 20 || return 1
}

test_lesson_failure_detector() {
	lt_open_and_play failure-detector "suspects any node it has not heard from" || return 1
	wait_re '│.n1 +up +n2 alive +n3 alive +n4 alive' 10 || return 1
	# the slow network: a live node suspected
	wait_lesson "suspects it, wrongly" 30 || return 1
	wait_re '│.n1 +up +.*SUSPECT' 5 || return 1
	wait_lesson "eventually perfect detector" 30 || return 1
}

# A crash the user makes is suspected, and stays suspected.
test_lesson_failure_detector_crash() {
	start 120 40 -- --no-page-pause "$scenarios/failure-detector.json"
	wait_for "event 0/" || return 1
	keys j j
	wait_re '│▶n3' 5 || return 1
	keys x
	wait_for "crashed n3" 5 || return 1
	keys + + + p
	wait_re '│.n1 +up +n2 alive +n3 SUSPECT' 20 || return 1
	wait_for "suspect n3" 5 || return 1
}

test_lesson_rpc_retries() {
	lt_open_and_play rpc-retries "over a network that loses 20% of messages" || return 1
	wait_re '│.n1 +up +counter [0-9]+ +applies [0-9]+ +twice [0-9]+' 10 || return 1
	wait_re '│.c1 +up +req #[0-9]+ +tries [0-9]+ +ok [0-9]+' 10 || return 1
	wait_lesson "applied #4 again" 30 || return 1
	wait_re '│.n1 +up +counter [0-9]+ +applies [0-9]+ +twice [1-9]' 5 || return 1
	wait_for "applied twice!" 5 || return 1
}
