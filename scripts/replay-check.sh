#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make check`, host half: lde-trace -r replays a trace recorded in the
# guest by lde-trace itself (cli/testdata/*.lde) through every view, as an
# unprivileged user where one exists, with no BPF and no kernel: each view
# must print what it printed when the expected output was recorded
# (cli/testdata/NAME.VIEW.out, made by scripts/record-testdata.sh), and -j
# must give back the file's events
# byte for byte.  Prints TAP and a kselftest "# Totals" line.
#   usage: replay-check.sh LDE_TRACE
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
trace=$1
data=$top/cli/testdata
tmp=$(mktemp -d)
chmod 0755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0 n=0

# As nobody when we are root: a replay needs no privilege.  Only where
# nobody can reach the binary and the data (a checkout under a 0700
# directory, as mktemp -d makes, is out of reach): the guest suite replays
# as nobody in any case.
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
as_nobody=0
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null &&
	nobody test -x "$trace" -a -r "$(ls "$data"/*.lde | head -n1)" 2>/dev/null; then
	as_nobody=1
fi
as_user() {
	if [ "$as_nobody" = 1 ]; then
		nobody "$@"
	else
		"$@"
	fi
}

check() {	# check NAME COMMAND...: ok when the command succeeds
	local name=$1
	shift
	n=$((n + 1))
	if "$@" >"$tmp/why" 2>&1; then
		echo "ok $n $name"
		pass=$((pass + 1))
	else
		echo "not ok $n $name"
		sed 's/^/# /' "$tmp/why" | head -n 20
		fail=$((fail + 1))
	fi
}

same_as_recorded() {	# FILE VIEW-NAME [FLAGS...]
	local file=$1 view=$2
	shift 2
	COLUMNS=132 as_user "$trace" -r "$file" "$@" >"$tmp/out" 2>/dev/null &&
		diff -u "${file%.lde}.$view.out" "$tmp/out"
}

echo "TAP version 13"
for f in "$data"/*.lde; do
	base=$(basename "$f" .lde)
	check "$base: columns as recorded" same_as_recorded "$f" columns
	check "$base: -P as recorded" same_as_recorded "$f" P -P
	check "$base: -S as recorded" same_as_recorded "$f" S -S
	check "$base: -F as recorded" same_as_recorded "$f" F -F
	check "$base: -F fits one screen (60 lines of 132 columns); a row not seen says so" bash -c \
		'COLUMNS=132 "$1" -r "$2" -F 2>/dev/null >"$3/card" &&
		 [ "$(wc -l <"$3/card")" -le 60 ] &&
		 awk "length(\$0) > 132 { exit 1 }" "$3/card" &&
		 ! grep -E "\| -\$" "$3/card" | grep -vq "not seen"' \
		_ "$trace" "$f" "$tmp"
	check "$base: -s as recorded" same_as_recorded "$f" s -s
	check "$base: -j as recorded" same_as_recorded "$f" j -j
	check "$base: -j gives back the file's events" bash -c \
		'diff <(sed -n "2,\$p" "$1" | grep -v "^{\"stage\":\"end\"") \
		      <("$2" -r "$1" -j -e "$3" 2>/dev/null | grep -v "^{\"stage\":\"boot\"")' \
		_ "$f" "$trace" "$(sed -n '1s/.*"stages":\[\([^]]*\)\].*/\1/p' "$f" | tr -d '"')"
	check "$base: the end object's lost count is said" bash -c \
		'n=$(sed -n "s/^{\"stage\":\"end\",\"lost\":\([0-9]*\).*/\1/p" "$1") &&
		 [ -n "$n" ] && "$2" -r "$1" -s 2>&1 >/dev/null | grep -qx "lost $n events"' \
		_ "$f" "$trace"
	check "$base: -o writes a Perfetto file that parses" bash -c \
		'"$1" -r "$2" -o "$3/t.json" -s >/dev/null 2>&1 &&
		 python3 -c "import json, sys; t = json.load(open(sys.argv[1])); assert len(t[\"traceEvents\"]) > 10" "$3/t.json"' \
		_ "$trace" "$f" "$tmp"
	check "$base: -o FILE.svg: a lane per CPU, a colour and a legend entry per process, marks for fork, exec, exit, reap" bash -c \
		'"$1" -r "$2" -o "$3/t.svg" >/dev/null 2>&1 &&
		 python3 "$4/scripts/svg-check.py" "$3/t.svg" "$2"' \
		_ "$trace" "$f" "$tmp" "$top"
	check "$base: -F -o FILE.svg draws the figure: a box per row of the card, an arrow per hand-over seen" bash -c \
		'"$1" -r "$2" -F -o "$3/seq.svg" >"$3/card" 2>/dev/null &&
		 python3 - "$3/seq.svg" "$3/card" <<-"PY"
			import sys, xml.etree.ElementTree as ET
			ns = "{http://www.w3.org/2000/svg}"
			root = ET.parse(sys.argv[1]).getroot()
			rows = [g for g in root.iter(ns + "g")
			        if (g.get("id") or "").startswith("seq-row")]
			assert len(rows) == 24, len(rows)
			card = open(sys.argv[2]).read()
			seen = card.count("| #")
			arrows = [g for g in root.iter(ns + "g") if g.get("class") == "arrow"]
			assert (seen > 0) == (len(arrows) > 0), (seen, len(arrows))
			for g in rows:
			    unseen = "unseen" in g.get("class")
			    text = "".join(g.itertext())
			    assert unseen == ("not seen" in text), text
		PY' \
		_ "$trace" "$f" "$tmp"
	check "$base: a cut copy replays what it holds, with a warning" bash -c \
		'head -c $(( $(stat -c %s "$1") / 2 )) "$1" >"$3/cut.lde" &&
		 "$2" -r "$3/cut.lde" -j >"$3/cut.out" 2>"$3/cut.err" &&
		 grep -q "cut short" "$3/cut.err" && [ -s "$3/cut.out" ]' \
		_ "$f" "$trace" "$tmp"
done
echo "1..$n"
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:0 error:0"
[ "$fail" -eq 0 ]
