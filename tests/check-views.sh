#!/bin/sh
# check-views.sh: the views' two rules, checked on the source (make check-layers runs it).
#
#   1. Views keep nothing between frames: no file of views/ declares mutable static storage
#      (a `static` variable at file scope or in a function; `static const` tables are fine).
#      What holds at a point of the run is the index's (src/core/trace_index.h), scratch memory
#      is the grid's (grid_scratch).
#   2. No view calls another: the panes are grouped by the first word of their file name
#      (timeline.c and timeline_*.c are one pane, nodes.c another, ...); a function a pane
#      defines with external linkage may be called from that pane's files only, and from
#      screen_all.c, which composes the screen. The shared helpers (view.c: view_*, grid.c,
#      theme.c, layout.c) may be called by every pane and call no pane themselves.
#
# How: comments and strings are stripped; each file's external function definitions are the
# lines at column 0 that name a function followed by "(" and are not static; every other
# file is searched for "name(". A failure names file:line and the rule.
#
# usage: sh tests/check-views.sh [DIR]        check DIR (default views)
#        sh tests/check-views.sh --self-test   break copies of views/ on purpose; the check
#                                              must refuse each (so it can fail at all)
set -u
here=$(cd "$(dirname "$0")" && pwd)

if [ "${1:-}" = "--self-test" ]; then
	root=$(cd "$here/.." && pwd)
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-views.XXXXXX") || exit 1
	trap 'rm -rf "$tmp"' EXIT
	fail=0
	# a static cache of trace data, at file scope and inside a function; a call to another pane
	for breakage in filescope funcscope crosscall; do
		rm -rf "$tmp/views" && cp -r "$root/views" "$tmp/views"
		case $breakage in
		filescope) printf '\nstatic struct { uint32_t *ids; uint32_t n; } nodes_cache;\n' \
			>> "$tmp/views/nodes.c" ;;
		funcscope) sed -i 's/^void status_draw(grid \*g, grid_rect r, const view_model \*m)$/&\n{\n\tstatic uint32_t last_cursor;\n\t(void)last_cursor;\n}\nvoid status_draw2(grid *g, grid_rect r, const view_model *m)/' \
			"$tmp/views/status.c" ;;
		crosscall) sed -i 's/^\t*view_text(g, in.x + 1, y++, cuts, .*$/&\n\t\tnodes_draw(g, r, m);/' \
			"$tmp/views/network.c" ;;
		esac
		if cmp -s "$root/views/nodes.c" "$tmp/views/nodes.c" &&
		   cmp -s "$root/views/status.c" "$tmp/views/status.c" &&
		   cmp -s "$root/views/network.c" "$tmp/views/network.c"; then
			echo "check-views self-test: could not break a copy ($breakage)" >&2
			fail=1
		elif sh "$0" "$tmp/views" >/dev/null 2>&1; then
			echo "check-views self-test: a copy broken on purpose ($breakage) passed" >&2
			fail=1
		fi
	done
	[ $fail = 0 ] && echo "check-views self-test: every broken copy refused"
	exit $fail
fi

dir=${1:-views}
exec python3 - "$dir" <<'EOF'
import os, re, sys

d = sys.argv[1]
HELPERS = {"view", "grid", "theme", "layout"}   # shared: callable by every pane
COMPOSER = "screen_all.c"                       # calls the panes' draw functions

def strip(src):
    # comments and string/char literals out, line structure kept
    out, i, n = [], 0, len(src)
    while i < n:
        c = src[i]
        if src.startswith("/*", i):
            j = src.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("\n" * src.count("\n", i, j))
            i = j
        elif src.startswith("//", i):
            j = src.find("\n", i)
            i = n if j < 0 else j
        elif c in "\"'":
            j = i + 1
            while j < n and src[j] != c:
                j += 2 if src[j] == "\\" else 1
            out.append(c + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)

files = sorted(f for f in os.listdir(d) if f.endswith((".c", ".h")))
text = {f: strip(open(os.path.join(d, f), encoding="utf-8").read()) for f in files}
bad = []

# 1. mutable static storage
func = re.compile(r"^\s*static\s+(inline\s+)?[^=;\[{(]*?\b[A-Za-z_]\w*\(")
for f in files:
    for no, line in enumerate(text[f].split("\n"), 1):
        if not re.match(r"^\s*static\b", line) or re.match(r"^\s*static\s+const\b", line):
            continue
        if func.match(line):
            continue    # a function
        bad.append(f"{d}/{f}:{no}: mutable static storage in a view (views keep nothing "
                   f"between frames: ask the index, borrow grid_scratch): {line.strip()}")

# 2. calls between panes
def group(f):
    base = f[:-2]
    return base.split("_")[0] if f != COMPOSER else None

defs = {}   # function -> group defining it
defn = re.compile(r"^(?!static\b)(?:[A-Za-z_][\w \t\*]*?[\s\*])([A-Za-z_]\w*)\(")
for f in files:
    if not f.endswith(".c") or group(f) is None:
        continue
    for line in text[f].split("\n"):
        m = defn.match(line)
        if m and not line.rstrip().endswith(";") and not line.startswith(("typedef", "return")):
            defs[m.group(1)] = group(f)
for f in files:
    if not f.endswith(".c") or f == COMPOSER:
        continue
    g = group(f)
    for no, line in enumerate(text[f].split("\n"), 1):
        for name in re.findall(r"\b([A-Za-z_]\w*)\s*\(", line):
            owner = defs.get(name)
            if owner is None or owner == g or owner in HELPERS:
                continue
            bad.append(f"{d}/{f}:{no}: {name}() belongs to the {owner} pane: a view calls only "
                       f"its own files and the shared helpers (view_*, grid_*, theme_*, layout_*)")

for b in bad:
    print(b, file=sys.stderr)
if bad:
    print(f"check-views: {len(bad)} problem(s) above", file=sys.stderr)
    sys.exit(1)
print(f"check-views: {len(files)} files, {len(defs)} pane and helper functions: no view keeps "
      f"state or calls another")
EOF
