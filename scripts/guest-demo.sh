#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest for `make demo`: OSTEP chapter 6 on the live kernel,
# one step at a time, through lde-trace.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
trace=${LDE_TRACE:?}
work=$top/build/selftests/lde_workload

banner() { printf '\n==== %s\n\n' "$*"; }

banner "Boot: lde.ko builds its trap table and seals it (insmod)"
insmod "${LDE_KO:?}"
echo "/dev/lde is the trap instruction; the table is read-only from now on."

banner "1. A system call, as Figure 6.2 draws it (lde-trace -P -- lde_workload getppid 2)"
"$trace" -P -e trap,return,exec,exit -- "$work" getppid 2 2>&1 | tail -n 16

banner "2. The toy trap table: traps through /dev/lde (lde-trace -e lde_trap,lde_return)"
"$trace" -e lde_trap,lde_return -- "$work" toy 2>&1

banner "3. The timer takes the CPU back: two spinners on CPU 0 (lde-trace -e timer,switch)"
echo "(only the spinners' own lines: a timer tick in user mode, then the switch that preempts)"
"$trace" -e timer,switch,lde_switch -- "$work" spin 1 2>&1 |
	awk '/^TIME/ || ($5 == "lde_workload" && /user mode|preempted/)' | head -n 16

banner "4. The counts (lde-trace -s -- lde_workload getppid 1000)"
"$trace" -s -e trap,return,switch,timer -- "$work" getppid 1000 2>&1 |
	grep -v -E '^\s*$' | head -n 30

banner "lde.ko's per-CPU counters (/sys/kernel/debug/lde/stats)"
cat /sys/kernel/debug/lde/stats
rmmod lde
