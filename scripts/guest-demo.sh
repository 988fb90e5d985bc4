#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest for `make demo`: load lde.ko, trap through /dev/lde
# from a small workload, and show the module's own lde:* trace events.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
t=/sys/kernel/tracing
insmod "${LDE_KO:?}"
echo "== lde.ko loaded: the trap table is built and sealed; /dev/lde is the trap"
echo > $t/trace
echo 1 > $t/events/lde/lde_trap/enable
echo 1 > $t/events/lde/lde_return/enable
echo 'prev_comm ~ "lde-*" || next_comm ~ "lde-*"' > $t/events/lde/lde_switch/filter
echo 1 > $t/events/lde/lde_switch/enable
"$top/build/selftests/lde_trap_test" -r dev.getpid_is_the_callers_tgid \
	-r dev.write_then_read_round_trips -r dev.frame_shows_user_mode_saved_and_kernel_mode_running \
	>/dev/null 2>&1 || true
echo 0 > $t/events/lde/enable
grep -v '^#' $t/trace | head -n 40
echo "== per-CPU counters (/sys/kernel/debug/lde/stats)"
cat /sys/kernel/debug/lde/stats
rmmod lde
