# test_run.sh: a lesson opened from the command line: the diagram, stepping, play, the
# milestone key, help, export and quitting. Sourced by run.sh (helpers live there).

election=$scenarios/raft-election.json

# The timeline pane of $LAST_SCREEN: the rows under its top edge down to its bottom edge,
# each cut to the pane's width (wide layouts put other panes to its right).
timeline_rows() {
	local in=0 width=0 line
	while IFS= read -r line; do
		if [ $in = 0 ]; then
			case $line in *"┌ timeline"*)
				in=1
				local top=${line%%┐*}
				width=$((${#top} + 1)) ;;
			esac
			continue
		fi
		case $line in └*) break ;; esac
		printf '%s\n' "${line:0:$width}"
	done <<<"$LAST_SCREEN"
}

# Open raft-election, step, and check what any size must show in the timeline: a lane per
# node, message lines between lanes, Lamport times next to events, the event counter.
diagram_at() {
	local cols=$1 rows=$2 n
	start "$cols" "$rows" -- "$election"
	wait_for "event 0/" || return 1
	for n in 1 2 3 4 5 6 7 8 9 10 11 12; do keys Space; done
	wait_count 20 || return 1
	local tl
	tl=$(LC_ALL=C.UTF-8 timeline_rows)
	[ -n "$tl" ] || fail "no timeline pane" || return 1
	for n in 1 2 3 4 5; do
		printf '%s\n' "$tl" | grep -q "^│n$n" || fail "no lane for n$n" || return 1
	done
	# messages: slanted strokes or arrow heads on the rows between the lanes
	printf '%s\n' "$tl" | grep -v '^│n[0-9]' | grep -q '[╱╲▴▾▸◂]' ||
		fail "no message lines between lanes" || return 1
	# Lamport times: numbers on the rows beside the lanes (not the time axis)
	printf '%s\n' "$tl" | grep -v '^│n[0-9]' | grep -v '^│ms' | grep -q '[0-9]' ||
		fail "no Lamport times next to events" || return 1
}

test_diagram_80x24() { diagram_at 80 24; }
test_diagram_160x48() { diagram_at 160 48; }

test_event_counter_moves() {
	start 120 40 -- "$election"
	wait_for "event 0/" || return 1
	keys Space Space Space
	wait_count 3 || return 1
	local first
	first=$(event_count)
	keys Space Space Space Space
	wait_count $((first + 4)) || return 1
}

test_play_moves_by_itself() {
	start 120 40 -- "$election"
	wait_for "event 0/" || return 1
	keys p
	# no more keys: the counter must climb on its own (slow motion: give it a few seconds)
	wait_re 'event [1-9][0-9]*/' 8 || return 1
	local first
	first=$(event_count)
	local end=$((SECONDS + 8))
	while [ $SECONDS -lt $end ]; do
		LAST_SCREEN=$(screen)
		[ "$(event_count)" -gt "$first" ] && return 0
		sleep 0.1
	done
	fail "play did not move the event counter past $first"
}

test_milestone_shows_leader() {
	start 120 40 -- "$election"
	wait_for "event 0/" || return 1
	keys '>'
	wait_for "leader" 10 || return 1
}

test_help_overlay() {
	start 120 40 -- "$election"
	wait_for "event 0/" || return 1
	keys '?'
	# a help text from the key table that the status bar does not show
	wait_for "zoom the time axis in / out" || return 1
	keys x
	local end=$((SECONDS + 5))
	while [ $SECONDS -lt $end ]; do
		LAST_SCREEN=$(screen)
		case $LAST_SCREEN in *"zoom the time axis"*) sleep 0.05 ;; *) return 0 ;; esac
	done
	fail "any key should close the help"
}

test_export_then_verify() {
	start 120 40 -- "$election"
	wait_for "event 0/" || return 1
	keys '>'
	wait_for "leader" 10 || return 1
	keys e
	wait_for "raft-election-seed7.json" || return 1
	keys Enter
	wait_for "exported" || return 1
	[ -s "$tmp/raft-election-seed7.json" ] || fail "no file at $tmp/raft-election-seed7.json" || return 1
	"$bin" --verify "$tmp/raft-election-seed7.json" >"$tmp/verify.out" 2>&1 ||
		fail "--verify refused the export: $(head -5 "$tmp/verify.out")" || return 1
	rm -f "$tmp/raft-election-seed7.json"
}

test_export_escape_cancels() {
	rm -f "$tmp/raft-election-seed7.json"
	start 120 40 -- "$election"
	wait_for "event 0/" || return 1
	keys Space e
	wait_for "export to:" || return 1
	keys Escape
	wait_for "cancelled" || return 1
	[ ! -e "$tmp/raft-election-seed7.json" ] || { rm -f "$tmp/raft-election-seed7.json"; fail "ESC still wrote the file"; }
}

test_quit_restores_terminal() {
	start 120 40 -- "$election"
	wait_for "event 0/" || return 1
	keys Space Space q
	wait_for "EXIT=0" || return 1
	case $LAST_SCREEN in *"event "*) fail "the program's screen is still up after q"; return 1 ;; esac
	[ "$(tm display -p -t t '#{alternate_on}')" = 0 ] || fail "still in the alternate screen"
}

test_rewind_and_branch() {
	start 120 40 -- "$election"
	wait_for "event 0/" || return 1
	keys Space Space Space Space Space
	wait_count 5 || return 1
	local end
	end=$(event_count)
	# b steps back one event at a time; space walks forward through the record again
	keys b b
	wait_for "event $((end - 2))/$end" || return 1
	keys Space
	wait_for "event $((end - 1))/$end" || return 1
}

# An invariant violation stops the run where it happened and says so (the figure-8 lesson with
# its bug switched on: a leader that commits an old term's entry by counting replicas).
test_violation_stops_play() {
	sed '0,/"params": {/s//"params": {"bug": "commit-old-term", /' "$scenarios/raft-figure8.json" \
		>"$tmp/figure8-bug.json"
	start 120 40 -- --no-page-pause "$tmp/figure8-bug.json"
	wait_for "event 0/" || return 1
	keys + + + + + + p
	wait_for "invariant violated" 20 || return 1
	case $LAST_SCREEN in *"▶ playing"*) fail "still playing after the violation"; return 1 ;; esac
	local n
	n=$(event_count)
	keys Space
	wait_for "stopped at an invariant violation" || return 1
	[ "$(event_count)" = "$n" ] || fail "stepped past the violation"
}

# A click on an event selects it: the inspector then describes it.
test_click_selects_event() {
	start 120 40 -- "$election"
	wait_for "event 0/" || return 1
	keys '>'
	wait_for "became leader" 10 || return 1
	# n1 became candidate at the diamond on its lane: find its row and column
	local row=0 line col=-1
	while IFS= read -r line; do
		case $line in "│n1"*)
			local before=${line%%◇*}
			[ "$before" != "$line" ] && col=${#before}
			break ;;
		esac
		row=$((row + 1))
	done <<<"$LAST_SCREEN"
	[ "$col" -ge 0 ] || fail "no ◇ on n1's lane" || return 1
	# an X10 mouse report (what ncurses asks tmux for): button 1 down, then up
	local x y
	x=$(printf '\\x%x' $((33 + col)))
	y=$(printf '\\x%x' $((33 + row)))
	keys -l "$(printf '\033[M\x20'"$x$y"'\033[M\x23'"$x$y")"
	wait_for "became candidate" || return 1
}

# The keys that change the world: each says what it did (and lands in the trace).
test_world_keys() {
	start 120 40 -- "$election"
	wait_for "event 0/" || return 1
	keys '>'
	wait_for "became leader" 10 || return 1
	keys x
	wait_for "crashed n1" || return 1
	keys x
	wait_for "restarted n1" || return 1
	keys i
	wait_for "isolated n1" || return 1
	keys H
	wait_for "healed the network" || return 1
	# the messages pane: Tab to it, drop the first message in flight
	keys Tab Tab Tab Tab d
	wait_for "dropped " || return 1
	keys e Enter
	wait_for "exported" || return 1
	"$bin" --verify "$tmp/raft-election-seed7.json" >"$tmp/verify.out" 2>&1 ||
		fail "--verify refused a run with user actions: $(head -5 "$tmp/verify.out")"
	rm -f "$tmp/raft-election-seed7.json"
}
