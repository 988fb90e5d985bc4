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
trace=$(realpath "$1")
data=$top/cli/testdata
tmp=$(mktemp -d)
chmod 0755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
. "$top/scripts/tap.sh"

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
	check "$base: a zstd copy replays every view byte-identical" env trace="$trace" bash -c \
		'mkdir -p "$3/p" "$3/z" && cp "$2" "$3/p/t.lde" &&
		 zstd -q -1 -c "$2" >"$3/z/t.lde" || exit 1
		 # The same name in each (the SVG title says it).
		 d=$3
		 view() { (cd "$d/$1" && shift && COLUMNS=132 "$trace" -r t.lde "$@"); }
		 for v in "" -P -S -s -j -m "-o t.svg" "-o t.json"; do
			view p $v >"$3/p/out" 2>&1
			view z $v >"$3/z/out" 2>&1
			cmp "$3/p/out" "$3/z/out" || exit 1
		 done
		 cmp "$3/p/t.svg" "$3/z/t.svg" && cmp "$3/p/t.json" "$3/z/t.json"' \
		_ "$trace" "$f" "$tmp"
	# Views side by side (issue 25): each output of one session with -P
	# on the screen, -o FILE.svg and -w FILE is the one its view alone
	# writes; so with -j, -s, a Perfetto file and a compressed -w FILE.
	check "$base: -P -o t.svg -w FILE together: each as its view alone" env trace="$trace" bash -c \
		'd=$3/side && mkdir -p "$d/all" "$d/one" && cp "$2" "$d/all/t.lde" &&
		 cp "$2" "$d/one/t.lde" || exit 1
		 run() { (cd "$d/$1" && shift && COLUMNS=132 "$trace" -r t.lde "$@"); }
		 run all -P -o t.svg -w y.lde >"$d/all/out" 2>"$d/all/err" || exit 1
		 run one -P >"$d/one/out" 2>"$d/one/err" &&
		 run one -o t.svg >/dev/null 2>&1 && run one -w y.lde >/dev/null 2>&1 ||
			exit 1
		 cmp "$d/one/out" "$d/all/out" && cmp "$d/one/err" "$d/all/err" &&
		 cmp "$d/one/t.svg" "$d/all/t.svg" && cmp "$d/one/y.lde" "$d/all/y.lde" ||
			exit 1
		 run all -j -s -o t.json -w y.zst >"$d/all/out" 2>/dev/null &&
		 run one -j -s >"$d/one/out" 2>/dev/null &&
		 run one -o t.json >/dev/null 2>&1 && run one -w y.zst >/dev/null 2>&1 ||
			exit 1
		 cmp "$d/one/out" "$d/all/out" && cmp "$d/one/t.json" "$d/all/t.json" &&
		 cmp "$d/one/y.zst" "$d/all/y.zst"' \
		_ "$trace" "$f" "$tmp"
	# -w FILE.zst of a replay, replayed: every view as from the recording.
	check "$base: -w t.zst then -r t.zst: every view byte-identical" env trace="$trace" bash -c \
		'd=$3/rw && mkdir -p "$d/p" "$d/z" && cp "$2" "$d/p/t.lde" &&
		 "$trace" -r "$2" -w "$d/z/w.zst" >/dev/null 2>&1 &&
		 [ "$(head -c 4 "$d/z/w.zst" | od -An -tx1 | tr -d " ")" = 28b52ffd ] &&
		 mv "$d/z/w.zst" "$d/z/t.lde" || exit 1
		 view() { (cd "$d/$1" && shift && COLUMNS=132 "$trace" -r t.lde "$@"); }
		 for v in "" -P -S -s -j -m -F "-P -A" "-s -j" "-o t.svg" "-F -o t.svg" \
			  "-o t.json" "-o t.html"; do
			view p $v >"$d/p/out" 2>&1
			view z $v >"$d/z/out" 2>&1
			cmp "$d/p/out" "$d/z/out" || { echo "view: $v"; exit 1; }
			for o in t.svg t.json t.html; do
				[ -e "$d/p/$o" ] || continue
				cmp "$d/p/$o" "$d/z/$o" || { echo "view: $v"; exit 1; }
				rm -f "$d/p/$o" "$d/z/$o"
			done
		 done' \
		_ "$trace" "$f" "$tmp"
	# A file recorded a batch per CPU (-j, -q or -s alone: "order":"cpu"),
	# here made from this one (scripts/batch-order.py): each view for
	# people, and the summary, shows what the same events sorted show; -j
	# alone keeps the file's order; -w of a replay for people is in time
	# order.
	check "$base: a copy in per-CPU batch order replays as the sorted one" env trace="$trace" bash -c \
		'd=$3/batch && mkdir -p "$d/s" "$d/b" &&
		 python3 "$4/scripts/batch-order.py" "$2" "$d/s/t.lde" "$d/b/t.lde" || exit 1
		 view() { (cd "$d/$1" && shift && COLUMNS=132 "$trace" -r t.lde "$@"); }
		 for v in "" -P -S -m -F -s "-s -j" "-o t.svg" "-F -o t.svg" "-o t.html"; do
			view s $v >"$d/s/out" 2>&1
			view b $v >"$d/b/out" 2>&1
			cmp "$d/s/out" "$d/b/out" || { echo "view: $v"; exit 1; }
			for o in t.svg t.html; do
				[ -e "$d/s/$o" ] || continue
				cmp "$d/s/$o" "$d/b/$o" || { echo "view: $v"; exit 1; }
				rm -f "$d/s/$o" "$d/b/$o"
			done
		 done
		 diff <(sed -n "2,\$p" "$d/b/t.lde" | grep -v "^{\"stage\":\"end\"") \
		      <(view b -j -e "$5" 2>/dev/null | grep -v "^{\"stage\":\"boot\"") \
			>/dev/null || { echo "-j alone did not keep the file order"; exit 1; }
		 view b -s -w w.lde >/dev/null 2>&1 &&
		 head -n1 "$d/b/w.lde" | grep -q "\"order\":\"time\"" &&
		 view b -j -w x.lde >/dev/null 2>&1 &&
		 head -n1 "$d/b/x.lde" | grep -q "\"order\":\"cpu\"" &&
		 cmp <(sed 1d "$d/s/t.lde") <(sed 1d "$d/b/w.lde")' \
		_ "$trace" "$f" "$tmp" "$top" \
		"$(sed -n '1s/.*"stages":\[\([^]]*\)\].*/\1/p' "$f" | tr -d '"')"
	# The kernel's level in each view: x86's CPL 0, arm64's EL1 (issue
	# 27: the arm64 traps once said kernel_cpl 0 and "cpl 0 -> 0").
	case $base in
	arm64-*) to_kernel='"user_cpl":0,"kernel_cpl":1}' words='EL0 -> EL1' back='EL1 -> EL0' ;;
	*) to_kernel='"user_cpl":3,"kernel_cpl":0}' words='cpl 3 -> 0' back='cpl 0 -> 3' ;;
	esac
	check "$base: every trap goes $words (-j, columns) and returns $back" bash -c \
		'"$1" -r "$2" -j -e trap 2>/dev/null | grep "\"stage\":\"trap\"" >"$6/traps" &&
		 [ -s "$6/traps" ] && ! grep -vF -- "$3" "$6/traps" &&
		 "$1" -r "$2" -e trap,return 2>/dev/null >"$6/cols" &&
		 ! grep -E " trap  " "$6/cols" | grep -vF -- ", $4" &&
		 ! grep -E " return  " "$6/cols" | grep -vF -- "kernel, $5"' \
		_ "$trace" "$f" "$to_kernel" "$words" "$back" "$tmp"
	check "$base: a cut copy replays what it holds, with a warning" bash -c \
		'head -c $(( $(stat -c %s "$1") / 2 )) "$1" >"$3/cut.lde" &&
		 "$2" -r "$3/cut.lde" -j >"$3/cut.out" 2>"$3/cut.err" &&
		 grep -q "cut short" "$3/cut.err" && [ -s "$3/cut.out" ]' \
		_ "$f" "$trace" "$tmp"
done
# A recording from another arch (aarch64: getpid is 172, write 64) names
# its calls as the recording did: by its header's signatures, else by
# libseccomp for its arch; -t numbers names the same way.
arch=$data/arch/aarch64.lde
check "aarch64.lde: -S names calls as the recording did" bash -c \
	'"$1" -r "$2" -S 2>/dev/null | diff -u "${2%.lde}.S.out" -' _ "$trace" "$arch"
check "aarch64.lde: -t getpid picks the recording's getpid" bash -c \
	'"$1" -r "$2" -t getpid -S 2>/dev/null | diff -u "${2%.lde}.t-getpid.S.out" -' \
	_ "$trace" "$arch"

# A file someone handed you: every file that ever crashed the reader or a
# view (the nesting of issue 24, the fuzzer's finds: cli/fuzz/crashes/)
# replays through each view with exit 0, or exit 1 and one line
# FILE:LINE: what is wrong; never a signal.
no_crash() {	# FILE [FLAGS...]
	local file=$1 rc
	shift
	as_user "$trace" -r "$file" "$@" >/dev/null 2>"$tmp/err"
	rc=$?
	case $rc in
	0) return 0 ;;
	1) grep -v '^lde-trace: warning: ' "$tmp/err" >"$tmp/said"
	   [ "$(wc -l <"$tmp/said")" -eq 1 ] &&
		grep -Eq "^lde-trace: $file:[0-9]+: [^ ]" "$tmp/said" && return 0 ;;
	esac
	echo "exit $rc; said:"
	head -c 600 "$tmp/err"
	return 1
}
mkdir -m 1777 "$tmp/views"
for f in "$top"/cli/fuzz/crashes/*; do
	[ -f "$f" ] || continue
	base=$(basename "$f")
	check "$base: columns: no crash" no_crash "$f"
	for view in -P -S -s -j -m; do
		check "$base: $view: no crash" no_crash "$f" "$view"
	done
	check "$base: -o FILE.svg: no crash" no_crash "$f" -o "$tmp/views/crash.svg"
	check "$base: -o FILE.json: no crash" no_crash "$f" -o "$tmp/views/crash.json"
done
tap_totals
