#!/bin/sh
# check-core-blind.sh: no file under src/core names a registered protocol.
#
# The core is the protocol-blind world: it learns what it must know of a protocol (its state
# fields for --verify, its invariants, its summary) through protocol.h. A protocol's name in a
# core file, as a word or an identifier's part (raft, tv_raft_apply, "raft"), means the core
# has learned one by heart. The names come from the protocols' own st_protocol tables, so a
# protocol added later is checked too. The one allowed mention is the learning path's topic
# "Broadcast, replication and consensus", which names a topic, not the protocol.
# Usage: sh tests/check-core-blind.sh [DIR]   (DIR defaults to src/core)
#        sh tests/check-core-blind.sh --self-test   (a copy that names a protocol must fail)
if [ "${1:-}" = --self-test ]; then
	tmp=$(mktemp -d) || exit 1
	trap 'rm -rf "$tmp"' EXIT
	cp src/core/trace.h src/core/trace.c "$tmp/"
	sh "$0" "$tmp" 2>/dev/null || { echo "check-core-blind self-test: a clean copy was refused" >&2; exit 1; }
	for n in raft broadcast; do
		cp src/core/trace.c "$tmp/trace.c"
		echo "static int tv_${n}_rule(void) { return 0; }" >>"$tmp/trace.c"
		if sh "$0" "$tmp" 2>/dev/null; then
			echo "check-core-blind self-test: a core file naming $n passed" >&2
			exit 1
		fi
	done
	echo "check-core-blind self-test: every copy naming a protocol refused"
	exit 0
fi
dir=${1:-src/core}
names=$(sed -n 's/^[[:space:]]*\.name = "\([a-z0-9_-]*\)",.*/\1/p' src/protocols/*.c | sort -u)
[ -n "$names" ] || { echo "check-core-blind: found no protocol names in src/protocols" >&2; exit 1; }
bad=0
for n in $names; do
	hits=$(grep -niE "(^|[^a-z])$n([^a-z]|\$)" "$dir"/*.c "$dir"/*.h 2>/dev/null |
	       grep -v 'Broadcast, replication and consensus')
	if [ -n "$hits" ]; then
		echo "$hits" | sed "s/^/names protocol '$n': /" >&2
		bad=1
	fi
done
[ $bad = 0 ] || { echo "check-core-blind: src/core must not name a protocol (see docs/design.md)" >&2; exit 1; }
