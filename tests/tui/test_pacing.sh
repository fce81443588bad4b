# test_pacing.sh: every shipped lesson paces itself (issue 10, item 1). Sourced by run.sh.
#
# For each scenarios/*.json with narration, two tests:
# - test_pacing_n_NAME: pressing `n` again and again shows every page in order (the counter in
#   the lesson pane's top edge reads 1, 2, ..., N, never skipping one), and past the last page
#   and milestone `n` says so and leaves the cursor where it was;
# - test_pacing_play_NAME: playing from the start pauses when each page begins, so `p` again
#   and again shows pages 2, 3, ..., N in order; B then goes back a page, to its moment.

# The page counter "k/N" of the lesson pane (its top edge ends in " k/N ┐" or " k/N +").
pacing_page() {
	printf '%s\n' "$LAST_SCREEN" | grep -Eo ' [0-9]+/[0-9]+ [┐+]' | head -1 | grep -Eo '^ [0-9]+' |
		tr -d ' '
}
pacing_total() {
	printf '%s\n' "$LAST_SCREEN" | grep -Eo ' [0-9]+/[0-9]+ [┐+]' | head -1 | sed -E 's|^ [0-9]+/([0-9]+).*|\1|'
}

# After `n`: poll until the run-until it started has finished (its progress line is gone)
# and the cursor has moved from event BEFORE, or the status says there is nothing ahead.
pacing_settle() {
	local before=$1 timeout=${2:-20}
	local end=$((SECONDS + timeout))
	while :; do
		LAST_SCREEN=$(screen)
		if ! printf '%s\n' "$LAST_SCREEN" | grep -q 'esc stops'; then
			[ "$(event_count)" != "$before" ] && return 0
			printf '%s\n' "$LAST_SCREEN" | grep -Eq 'no page or milestone|invariant violated' && return 0
		fi
		[ $SECONDS -ge $end ] && { WHY="timed out waiting for n to stop"; return 1; }
		sleep 0.05
	done
}

pacing_n() {
	local name=$1 presses=0 page last=1 total seen="1" after_last=0
	start 120 40 -- "$scenarios/$name.json"
	wait_re ' 1/[0-9]+ [┐+]' 5 || return 1
	total=$(pacing_total)
	while [ $presses -lt 120 ]; do
		local before
		before=$(event_count)
		keys n
		presses=$((presses + 1))
		pacing_settle "$before" || return 1
		page=$(pacing_page)
		if printf '%s\n' "$LAST_SCREEN" | grep -q 'no page or milestone'; then
			[ "$last" = "$total" ] || { fail "n ran out at page $last of $total (seen: $seen)"; return 1; }
			[ "$(event_count)" = "$before" ] || { fail "n past the end moved the cursor ($before -> $(event_count))"; return 1; }
			return 0
		fi
		if [ "$page" != "$last" ]; then
			[ "$page" -eq $((last + 1)) ] || { fail "n went from page $last to $page (seen: $seen)"; return 1; }
			last=$page
			seen="$seen $page"
		elif [ "$last" = "$total" ]; then
			# past the last page, a run whose milestones go on (every delivery, every
			# round) stops at each: n is the next milestone there, one per press
			printf '%s\n' "$LAST_SCREEN" | grep -q 'milestone:' ||
				{ fail "past the last page n stopped at neither a milestone nor the end"; return 1; }
			after_last=$((after_last + 1))
			[ $after_last -ge 8 ] && return 0
		fi
	done
	fail "n never said the lesson was over (pages seen: $seen of $total)"
}

pacing_play() {
	local name=$1 page last=1 total seen="1" i
	start 120 40 -- "$scenarios/$name.json"
	wait_re ' 1/[0-9]+ [┐+]' 5 || return 1
	total=$(pacing_total)
	keys + + + + + + + + # fast, so a lesson plays in seconds: the pauses are what is tested
	sleep 0.2
	for ((i = 2; i <= total; i++)); do
		keys p
		wait_re "page $i/$total: paused to read" 30 || { WHY="$WHY (pages seen: $seen)"; return 1; }
		page=$(pacing_page)
		[ "$page" = "$i" ] || { fail "play paused with the pane at page $page, expected $i"; return 1; }
		seen="$seen $page"
		last=$page
	done
	# B goes back a page, to the moment it began
	keys B
	wait_re "back to page $((total - 1))/$total" 10 || return 1
	[ "$(pacing_page)" = "$((total - 1))" ] || { fail "B shows page $(pacing_page), expected $((total - 1))"; return 1; }
}

for _f in "$scenarios"/*.json; do
	_n=$(basename "$_f" .json)
	grep -q '"lesson"' "$_f" || continue
	_id=${_n//-/_}
	eval "test_pacing_n_$_id() { pacing_n $_n; }"
	eval "test_pacing_play_$_id() { pacing_play $_n; }"
done
unset _f _n _id
