# test_diagram.sh: the diagram's reading aids (issue 9), each key doing what its help line
# says: T switches the time axis, 1-6 hide and show a message class, / searches (} and {
# step through the matches with a count), : goes to an event, a time or a milestone; and
# raft-figure8's logs in the nodes pane agree with the trace's states at every lesson moment.
# Sourced by run.sh.

replication=$scenarios/raft-replication.json
partition=$scenarios/raft-partition.json
figure8=$scenarios/raft-figure8.json

# type TEXT into the prompt opened by KEY and press enter
prompt() { keys "$1"; keys -l "$2"; keys Enter; }

# "T: time axis: real / logical"
test_diagram_axis_key() {
	start 120 40 -- "$replication"
	wait_for "event 0/" || return 1
	prompt : 1.5s
	wait_for "ms/col" || return 1
	keys T
	wait_for "timeline · logical time" || return 1
	wait_for "logical time: a column per instant" || return 1
	keys T
	wait_for "ms/col" || return 1
	case $LAST_SCREEN in *"logical time ─"*) fail "still logical after a second T"; return 1 ;; esac
	wait_for "real time: columns are equal spans of time"
}

# "1-6: hide / show a message class (numbered in the timeline's bottom edge)"
test_diagram_class_keys() {
	start 120 40 -- "$replication"
	wait_for "3 heartbeat " || return 1
	prompt : 1.5s
	wait_re "event [0-9]+ at 1500" || return 1
	local before
	before=$(printf '%s\n' "$LAST_SCREEN" | head -30)
	keys 3
	wait_for "heartbeat (hidden)" || return 1
	wait_for "heartbeat messages hidden" || return 1
	local hidden
	hidden=$(printf '%s\n' "$LAST_SCREEN" | head -30)
	[ "$hidden" != "$before" ] || fail "hiding heartbeats changed nothing on the timeline" || return 1
	keys 3
	wait_for "heartbeat messages shown" || return 1
	LAST_SCREEN=$(screen)
	[ "$(printf '%s\n' "$LAST_SCREEN" | head -30)" = "$before" ] ||
		fail "showing heartbeats again did not give the timeline back" || return 1
	keys 6
	wait_for "names no message class 6"
}

# "/: search events" and "> <: next / previous search match"; raft-partition's commit 4
test_diagram_search() {
	start 120 40 -- "$partition"
	wait_for "event 0/" || return 1
	prompt / "term 2"
	wait_re "'term 2': match 1 of [0-9]+ \(event ([0-9]+)" 10 || return 1
	local first
	first=$(printf '%s\n' "$LAST_SCREEN" | grep -Eo "match 1 of [0-9]+ \(event [0-9]+" | grep -Eo '[0-9]+$')
	keys '}'
	wait_re "'term 2': match 2 of" 5 || return 1
	keys '{'
	wait_for "match 1 of" || return 1
	printf '%s\n' "$LAST_SCREEN" | grep -q "(event $first;" || fail "{ did not come back to event $first" ||
		return 1
	prompt / "commit 4"
	wait_re "'commit 4': match 1 of [0-9]+ \(event [0-9]+" 10 || return 1
	wait_for "“commit 4”"
}

# ":: go to an event (e741), a time (1.5s) or a milestone"
test_diagram_goto() {
	start 120 40 -- "$partition"
	wait_for "event 0/" || return 1
	prompt : e741
	wait_for "event e741" || return 1
	wait_for "event 741 at" || return 1
	prompt : 1500ms
	wait_re "event [0-9]+ at 15[0-9][0-9]\.[0-9]+ ms" || return 1
	prompt : 0.2s
	wait_re "event [0-9]+ at (2[0-9][0-9])\.[0-9]+ ms" || return 1
	prompt : "became leader"
	wait_re "event [0-9]+ at [0-9.]+ ms: became leader" || return 1
	prompt : "nothing like this"
	wait_for "not in this run"
}

# The last state record of each node at or before event $2 in trace $1: "p log_len
# last_log_term commit" lines.
f8_states() {
	awk -v at="$2" '
		match($0, /"id":[0-9]+/) { id = substr($0, RSTART + 5, RLENGTH - 5) + 0 }
		id > at { exit }
		/"state":\{"role"/ {
			match($0, /"proc":[0-9]+/); p = substr($0, RSTART + 7, RLENGTH - 7)
			match($0, /"log_len":[0-9]+/); l = substr($0, RSTART + 10, RLENGTH - 10)
			match($0, /"last_log_term":[0-9]+/); lt = substr($0, RSTART + 16, RLENGTH - 16)
			match($0, /"commit":[0-9]+/); c = substr($0, RSTART + 9, RLENGTH - 9)
			st[p] = p " " l " " lt " " c
		}
		END { for (p = 0; p < 5; p++) if (p in st) print st[p] }' "$1"
}

# The first event of each lesson moment of figure 8 (label, kind and at_ms entries).
f8_moments() {
	local trace=$1 when
	sed -n 's/.*"when": *"\([^"]*\)".*/\1/p' "$figure8" | while read -r when; do
		case $when in
		label:*) grep -n -m1 "\"label\":\"${when#label:}" "$trace" ;;
		kind:*) grep -n -m1 "\"kind\":\"${when#kind:}\"" "$trace" ;;
		at_ms:*) awk -v t="${when#at_ms:}" 'match($0, /"t":[0-9]+/) &&
			substr($0, RSTART + 4, RLENGTH - 4) + 0 >= t * 1000 { print; exit }' "$trace" ;;
		*) ;;
		esac | grep -Eo '"id":[0-9]+' | head -1 | grep -Eo '[0-9]+'
	done
}

# raft-figure8 at 120x40: at each lesson moment every server's log in the nodes pane has the
# trace's length, ends in the trace's last term and marks the commit index where it is.
test_diagram_figure8_logs() {
	"$bin" --headless "$figure8" --export "$tmp/f8.json" >/dev/null 2>&1 ||
		fail "headless figure8 failed" || return 1
	start 120 40 -- "$figure8"
	wait_for "event 0/" || return 1
	local id n=0 line p len lt commit row cells want
	for id in $(f8_moments "$tmp/f8.json" | sort -n | uniq); do
		prompt : "e$id"
		wait_for "event e$id" || return 1
		sleep 0.1
		LAST_SCREEN=$(screen)
		while read -r p len lt commit; do
			row=$(printf '%s\n' "$LAST_SCREEN" | grep -E "^│.?n$((p + 1)) (up|crashed|paused)" | head -1)
			cells=$(printf '%s\n' "$row" | sed -n 's/.* log \([^ │]*[│]\{0,1\}[^ │]*\) *│.*/\1/p')
			if [ "$len" = 0 ]; then
				case $row in
				*"log (empty)"*) ;;
				*) fail "e$id: n$((p + 1)) should have an empty log: $row"; return 1 ;;
				esac
				continue
			fi
			[ -n "$cells" ] || fail "e$id: no log on n$((p + 1))'s row: $row" || return 1
			local bare=${cells//│/}
			[ ${#bare} = "$len" ] || fail "e$id: n$((p + 1)) log '$cells', the trace says $len entries" || return 1
			[ "${bare: -1}" = "$lt" ] || fail "e$id: n$((p + 1)) log '$cells' should end in term $lt" || return 1
			if [ "$commit" -gt 0 ] && [ "$commit" -lt "$len" ]; then
				want=${bare:0:$commit}│${bare:$commit}
				[ "$cells" = "$want" ] || fail "e$id: n$((p + 1)) log '$cells', commit $commit: want '$want'" || return 1
			fi
		done < <(f8_states "$tmp/f8.json" "$id")
		n=$((n + 1))
	done
	[ "$n" -ge 10 ] || fail "only $n lesson moments found"
}

# "y: hide / show the selected process's lane"; raft-partition: hiding n5 and showing it again
# gives the screen back unchanged
test_diagram_hide_lane() {
	start 120 40 -- "$partition"
	wait_for "event 0/" || return 1
	prompt : e741
	wait_for "event 741 at" || return 1
	keys j                              # from n4's event to n5
	wait_re "event e[0-9]+ ─+┐" || return 1
	wait_re "^│n5 " || return 1
	sleep 0.2
	LAST_SCREEN=$(screen)
	local before
	before=$(printf '%s\n' "$LAST_SCREEN" | head -n -2)
	keys y
	wait_for "n5's lane hidden" || return 1
	wait_for "· 1 hidden" || return 1
	printf '%s\n' "$LAST_SCREEN" | grep -Eq "^│n5 " && { fail "n5's lane still drawn"; return 1; }
	printf '%s\n' "$LAST_SCREEN" | grep -Eq "^│.?n5 (up|crashed)" ||
		fail "n5 should stay in the nodes pane" || return 1
	keys y
	wait_for "n5's lane shown" || return 1
	[ "$(printf '%s\n' "$LAST_SCREEN" | head -n -2)" = "$before" ] ||
		fail "the screen did not come back unchanged after showing n5 again"
}
