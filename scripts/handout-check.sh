#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make check`, host half: each handout lde-trace -r makes from the recorded
# traces (cli/testdata/*.lde) opened in a real browser, Debian's chromium,
# headless: the page must load with no script error, and selecting a row
# of the card (the page's test hook, #select=rowN in the URL) must mark the
# timeline where that row's step happened.  Also: the file is
# self-contained (nothing fetched from anywhere) and bounded.
# Prints TAP and a kselftest "# Totals" line.
#   usage: handout-check.sh LDE_TRACE
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
trace=$1
data=$top/cli/testdata
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$top/scripts/tap.sh"
chromium=/usr/bin/chromium

# The DOM after the page's scripts ran, and what the browser logged.
dump() {	# dump FILE.html FRAGMENT OUT
	local profile
	profile=$(mktemp -d -p "$tmp")
	timeout 120 "$chromium" --headless --no-sandbox --disable-gpu \
		--disable-background-networking --disable-component-update \
		--disable-sync --no-first-run --user-data-dir="$profile" \
		--enable-logging=stderr --v=0 \
		--dump-dom "file://$1$2" >"$3" 2>"$3.log"
}

# Where a row's time span falls on the whole run's panel, from the page's
# own numbers, against what the page marked.
selects_its_span() {	# FILE.html ROW-ID
	dump "$1" "#select=$2" "$tmp/dom" || { cat "$tmp/dom.log"; return 1; }
	python3 - "$tmp/dom" "$2" "$tmp/dom.log" <<-"PY"
		import re, sys, html.parser
		dom, want, log = sys.argv[1], sys.argv[2], sys.argv[3]

		class Page(html.parser.HTMLParser):
		    def __init__(self):
		        super().__init__()
		        self.by_id, self.panels, self.marks = {}, [], []
		    def handle_starttag(self, tag, attrs):
		        a = dict(attrs)
		        if "id" in a:
		            self.by_id[a["id"]] = a
		        if tag == "g" and a.get("class") == "panel":
		            self.panels.append(a)
		        if tag == "rect" and a.get("class") == "highlight":
		            self.marks.append(a)
		    handle_startendtag = handle_starttag

		p = Page()
		p.feed(open(dom, encoding="utf-8").read())
		sel = p.by_id["selection"]
		assert sel.get("data-ready") == "1", "the page's script did not finish"
		assert not sel.get("data-errors"), sel.get("data-errors")
		errors = [l for l in open(log, errors="replace")
		          if "CONSOLE" in l and ("rror" in l or "Uncaught" in l)]
		assert not errors, errors
		assert sel.get("data-id") == want, (sel.get("data-id"), want)
		row = p.by_id[want]
		assert "selected" in row.get("class", ""), row
		t0, t1 = int(row["data-t0"]), int(row["data-t1"])
		whole = [g for g in p.panels if g["id"] == "whole"][0]
		a, b = int(whole["data-t0"]), int(whole["data-t1"])
		x, w = float(whole["data-x"]), float(whole["data-w"])
		clamp = lambda t: min(max(t, a), b)
		x0 = x + w * (clamp(t0) - a) / (b - a)
		x1 = x + w * (clamp(t1) - a) / (b - a)
		assert abs(float(sel["data-x0"]) - x0) < 0.1, (sel["data-x0"], x0)
		assert abs(float(sel["data-x1"]) - x1) < 0.1, (sel["data-x1"], x1)
		assert int(sel["data-marks"]) >= 1 and p.marks, "nothing marked"
		mark = p.marks[0]
		assert float(mark["x"]) <= x0 and \
		       float(mark["x"]) + float(mark["width"]) >= x1, (mark, x0, x1)
		# On the lane of the row's CPU.
		y = float(whole["data-y"]) + int(whole["data-lane"]) * int(row["data-cpu"])
		assert y <= float(mark["y"]) < y + int(whole["data-lane"]), (mark, y)
	PY
}

self_contained() {	# FILE.html: nothing from elsewhere, a bounded size
	! grep -Eio '(src|href)="(https?:)?//[^"]*|@import|url\((https?:)?//' "$1" &&
		[ "$(stat -c %s "$1")" -lt $((4 << 20)) ]
}

echo "TAP version 13"
if [ ! -x "$chromium" ]; then
	echo "1..0 # SKIP no $chromium: scripts/setup.sh installs it"
	echo "# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:1 error:0"
	exit 0
fi
for f in "$data"/*.lde; do
	base=$(basename "$f" .lde)
	page=$tmp/$base.html
	check "$base: -o FILE.html writes one self-contained page" bash -c \
		'"$1" -r "$2" -o "$3" >/dev/null 2>&1 && [ -s "$3" ]' _ "$trace" "$f" "$page"
	check "$base: the page is self-contained and under 4 MB" self_contained "$page"
	# The first card row seen in a step, and the last: each marks its span.
	rows=$(grep -o '<tr class="row" id="row[0-9]*" data-t0' "$page" |
		sed 's/.*id="\(row[0-9]*\)".*/\1/' | sed -n '1p;$p')
	for row in $rows; do
		check "$base: chromium loads it with no error; selecting $row marks its span on its CPU's lane" \
			selects_its_span "$page" "$row"
	done
	step=$(grep -o 'class="step" id="step-[0-9]*"' "$page" | sed -n '5s/.*id="\(step-[0-9]*\)"/\1/p')
	[ -n "$step" ] && check "$base: selecting protocol $step marks its span" \
		selects_its_span "$page" "$step"
done
tap_totals
