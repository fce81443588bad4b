# test_outputs.sh: the terminal program's side of safe outputs (src/core/outfile.h): SIGQUIT
# gives the terminal back like SIGINT/SIGTERM/SIGHUP, and the `e` export refuses a directory
# and writes through a symlink to its target, and does not hang on a FIFO nobody reads.
# Sourced by run.sh.

test_sigquit_restores_terminal() {
	start 120 40 -- "$scenarios/raft-election.json"
	wait_for "event 0/" || return 1
	local pid
	pid=$(prog_pid)
	[ -n "$pid" ] || fail "cannot find the program's pid" || return 1
	kill -QUIT "$pid"
	wait_for "EXIT=0" || return 1
	[ "$(tm display -p -t t '#{alternate_on}')" = 0 ] || fail "still in the alternate screen"
}

test_export_key_refuses_directory_and_follows_symlink() {
	rm -rf "$tmp/outdir" "$tmp/out-target.json" "$tmp/out-link.json"
	mkdir "$tmp/outdir"
	echo old >"$tmp/out-target.json"
	ln -s out-target.json "$tmp/out-link.json"
	start 120 40 -- "$scenarios/raft-election.json"
	wait_for "event 0/" || return 1
	keys Space Space Space
	wait_count 3 || return 1
	keys e
	wait_for "export to:" || return 1
	keys C-u "$tmp/outdir" Enter
	wait_for "is a directory" 5 || return 1
	[ -z "$(ls -A "$tmp/outdir")" ] || { fail "something was written into the directory"; return 1; }
	keys e
	wait_for "export to:" || return 1
	keys C-u "$tmp/out-link.json" Enter
	wait_for "exported" 5 || return 1
	[ -L "$tmp/out-link.json" ] || { fail "the symlink was replaced by a file"; return 1; }
	"$bin" --verify "$tmp/out-target.json" >"$tmp/verify.out" 2>&1 ||
		{ LAST_SCREEN=$(cat "$tmp/verify.out"); fail "the link's target is not a valid trace"; return 1; }
	keys q
	wait_for "EXIT=0" || return 1
}

test_export_key_fifo_without_reader_fails_and_stays_responsive() {
	rm -f "$tmp/nobody.fifo"
	mkfifo "$tmp/nobody.fifo"
	start 120 40 -- "$scenarios/raft-election.json"
	wait_for "event 0/" || return 1
	keys e
	wait_for "export to:" || return 1
	keys C-u "$tmp/nobody.fifo" Enter
	wait_for "no process is reading" 10 || return 1
	[ -p "$tmp/nobody.fifo" ] || { fail "the FIFO was replaced"; return 1; }
	keys Space
	wait_count 1 || return 1
	keys q
	wait_for "EXIT=0" || return 1
}
