#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# In the arm64 guest: run lde.ko's kselftests (static arm64 builds) one
# after another and say which failed.  lde_trace_test is skipped, with its
# reason: it drives lde-trace and the BPF object, which are not built for
# arm64 yet (the BPF side still reads x86 registers).
#
#   usage: guest-arm64-check.sh LDE_KO SELFTEST_DIR
set -u
export LDE_KO="${1:?usage: guest-arm64-check.sh LDE_KO SELFTEST_DIR}"
dir=${2:?usage: guest-arm64-check.sh LDE_KO SELFTEST_DIR}
grep -q ' /sys/kernel/debug ' /proc/mounts ||
	mount -t debugfs debugfs /sys/kernel/debug
grep -q ' /sys/kernel/tracing ' /proc/mounts ||
	mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
failed=
for t in lde_module_test lde_trap_test lde_switch_test lde_layout_test \
	lde_fuzz_test lde_unpriv_test lde_stress_test; do
	start=$(cut -d' ' -f1 /proc/uptime)
	"$dir/$t" || failed="$failed $t"
	echo "lde: $t took $(awk -v s="$start" '{ print $1 - s }' /proc/uptime) s"
done
echo "ok # SKIP lde_trace_test: needs lde-trace and the BPF object, not built for arm64 yet"
if [ -n "$failed" ]; then
	echo "lde: arm64 selftests failed:$failed"
	exit 1
fi
echo "lde: arm64 selftests passed"
