#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest for `make demo`: OSTEP chapter 6 on the live kernel,
# one figure at a time, through lde-trace.  What lde-trace prints is shown
# whole: this script never filters it.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
trace=${LDE_TRACE:?}
tests=$top/build/selftests
export COLUMNS=${COLUMNS:-132}

banner() { printf '\n==== %s\n\n' "$*"; }

banner "Boot: lde.ko builds its toy trap table, seals it, and reads the CPUs' own (insmod lde.ko)"
insmod "${LDE_KO:?}"
cat /sys/kernel/debug/lde/boot

out=${LDE_OUT:-/tmp}
banner "Figure 6.2: a program's life, from the process list to return-from-trap (lde-trace -P -o lde-demo-6.2.svg -- ./lde_lifecycle a 'b c')"
cd "$tests"
"$trace" -P -o "$out/lde-demo-6.2.svg" -- ./lde_lifecycle a 'b c'

banner "Figure 6.3: the timer takes the CPU back from two spinners on CPU 0 (lde-trace -P -e timer,switch -o lde-demo-6.3.svg -- lde_workload spin 1)"
"$trace" -P -e timer,switch -o "$out/lde-demo-6.3.svg" -- ./lde_workload spin 1
echo
echo "Pictures of both: lde-demo-6.2.svg and lde-demo-6.3.svg, in build/vm/ (open them in a browser)"

banner "The toy trap table: traps through /dev/lde (lde-trace -e lde_trap,lde_return -- lde_workload toy)"
"$trace" -e lde_trap,lde_return -- ./lde_workload toy

banner "The counts (lde-trace -s -e trap,return,switch,timer -- lde_workload getppid 1000)"
"$trace" -s -e trap,return,switch,timer -- ./lde_workload getppid 1000

banner "lde.ko's per-CPU counters (/sys/kernel/debug/lde/stats)"
cat /sys/kernel/debug/lde/stats
rmmod lde
