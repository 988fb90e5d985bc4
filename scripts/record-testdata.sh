#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The trace files under cli/testdata/, made by lde's own tools: recorded in
# the guest by lde-trace -w, then what each view prints from them, replayed
# on the host, as the expected output that `make check` compares against
# (scripts/replay-check.sh).  Run after a change to what a view prints, and
# read the diff before committing it.
#
#   usage: record-testdata.sh            boot the guest, record, then views
#          record-testdata.sh arm64      the same in the arm64 guest: a
#                                        program's life and two spinners,
#                                        as arm64-*.lde (the arm64 builds
#                                        are made first)
#          record-testdata.sh views      only the expected outputs, again
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
data=$top/cli/testdata
trace=$top/build/lde-trace
tests=$top/build/selftests

# The views each trace is replayed through, and their flags.
views() {
	local f
	for f in "$data"/*.lde; do
		COLUMNS=132 "$trace" -r "$f" >"${f%.lde}.columns.out" 2>/dev/null
		COLUMNS=132 "$trace" -r "$f" -P >"${f%.lde}.P.out" 2>/dev/null
		COLUMNS=132 "$trace" -r "$f" -S >"${f%.lde}.S.out" 2>/dev/null
		COLUMNS=132 "$trace" -r "$f" -s >"${f%.lde}.s.out" 2>/dev/null
		COLUMNS=132 "$trace" -r "$f" -j >"${f%.lde}.j.out" 2>/dev/null
		COLUMNS=132 "$trace" -r "$f" -F >"${f%.lde}.F.out" 2>/dev/null
		echo "  VIEWS   $(basename "$f")"
	done
}

case "${1:-}" in
guest)
	# In the guest: lde.ko loaded, so the boot facts are there.
	out=${LDE_OUT:?}
	insmod "$top/build/$(uname -r)/kmod/module/lde.ko"
	cd /tmp
	if [ "$(uname -m)" = aarch64 ]; then
		# The arm64 builds; two small traces, Figures 6.2 and 6.3, run
		# as ./NAME from their directory (as make demo does): the
		# card's rows then hold no checkout's path, and it keeps to
		# one screen.
		trace=$top/build/arm64/lde-trace
		cd "$top/build/arm64/selftests"
		"$trace" -q -w "$out/arm64-lifecycle.lde" -- ./lde_lifecycle a 'b c'
		"$trace" -q -w "$out/arm64-spin.lde" -- ./lde_workload spin 1
		rmmod lde
		exit 0
	fi
	# Figures 6.2 and 6.3: a program's life, argv with a space in it.
	"$trace" -q -w "$out/lifecycle.lde" -- "$tests/lde_lifecycle" a 'b c'
	# Hostile paths and comms, failing calls: what -S and -j must escape.
	"$trace" -q -w "$out/hostile.lde" -e trap,return,exec,exit,fork,reap -- \
		sh -c "$tests/lde_workload paths; $tests/lde_workload comm \"\$(printf 'a\"b\\\\c\\001d\\t')\""
	# Figure 6.3: two spinners on one CPU, the timer switching them.
	"$trace" -q -w "$out/spin.lde" -- "$tests/lde_workload" spin 1
	# A ring too small for a burst: lost events, said in the end object.
	"$trace" -q -b 4 -w "$out/lost.lde" -e trap,return -- \
		"$tests/lde_workload" getppid 4000
	rmmod lde
	;;
views)
	views
	;;
"" | arm64)
	make -C "$top" all >/dev/null
	# The arm64 guest's lde.ko, lde-trace and workloads, of today's tree.
	[ "${1:-}" != arm64 ] || make -C "$top" arm64-module arm64-selftests >/dev/null
	mkdir -p "$data"
	rec=$(mktemp -d)
	trap 'rm -rf "$rec"' EXIT
	"$top/scripts/vm-run.sh" -a "${1:-x86_64}" -t 600 -o "$rec" -- "$0" guest
	for f in "$rec"/*.lde; do
		cp "$f" "$data/"
		echo "  RECORD  $(basename "$f")"
	done
	views
	;;
*)
	echo "usage: $0 [arm64 | views]" >&2
	exit 2
	;;
esac
