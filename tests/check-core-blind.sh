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
