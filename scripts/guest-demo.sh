#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest for `make demo`: OSTEP chapter 6 on the live kernel,
# one figure at a time, through lde-trace.  What lde-trace prints is shown
# whole: this script never filters it.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
trace=${LDE_TRACE:?}
# LDE_SELFTESTS: the workloads built for the guest's ISA (make demo ARCH=arm64).
tests=${LDE_SELFTESTS:-$top/build/selftests}
export COLUMNS=${COLUMNS:-132}

banner() { printf '\n==== %s\n\n' "$*"; }

banner "Boot: lde.ko builds its toy trap table, seals it, and reads the CPUs' own (insmod lde.ko)"
insmod "${LDE_KO:?}"
cat /sys/kernel/debug/lde/boot

out=${LDE_OUT:-/tmp}
cd "$tests"
# One figure: the card on screen (and the figure as a sequence diagram),
# recorded; then, from the recording, the whole story (-P), the handout
# and the timeline picture.
figure() {	# figure NAME COMMAND...
	local name=$1
	shift
	"$trace" -F -o "$out/lde-demo-$name-figure.svg" -w "$out/lde-demo-$name.lde" -- "$@"
	banner "Figure $name, the whole story (lde-trace -r lde-demo-$name.lde -P)"
	"$trace" -r "$out/lde-demo-$name.lde" -P
	"$trace" -r "$out/lde-demo-$name.lde" -q -o "$out/lde-demo-$name.html"
	"$trace" -r "$out/lde-demo-$name.lde" -q -o "$out/lde-demo-$name.svg"
}

banner "Figure 6.2: a program's life, from the process list to return-from-trap (lde-trace -F -- ./lde_lifecycle a 'b c')"
figure 6.2 ./lde_lifecycle a 'b c'

banner "Figure 6.3: the timer takes the CPU back from two spinners on CPU 0 (lde-trace -F -- lde_workload spin 1)"
figure 6.3 ./lde_workload spin 1
echo
echo "For each figure, in build/vm/: lde-demo-N.html, the handout (the card, the timeline, the whole story: open it in a browser);"
echo "lde-demo-N.svg, the timeline; lde-demo-N-figure.svg, the figure as a sequence diagram; lde-demo-N.lde, the trace (lde-trace -r)"

banner "The toy trap table: traps through /dev/lde (lde-trace -e lde_trap,lde_return -- lde_workload toy)"
"$trace" -e lde_trap,lde_return -- ./lde_workload toy

banner "The counts (lde-trace -s -e trap,return,switch,timer -- lde_workload getppid 1000)"
"$trace" -s -e trap,return,switch,timer -- ./lde_workload getppid 1000

banner "lde.ko's per-CPU counters (/sys/kernel/debug/lde/stats)"
cat /sys/kernel/debug/lde/stats
rmmod lde
