#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest for `make bench`: the cost of lde.ko's
# sched_switch hook, measured as the kernel's own `perf bench sched pipe`
# pinned to one CPU (every round trip is two context switches), without and
# with the module, runs interleaved so drift hits both alike; then the
# chapter's homework, lde-bench.  The tracers are compared by
# scripts/guest-bench-tracers.sh, in a boot of their own.  In the arm64
# guest (make bench's last boot) only the homework runs: its busybox root
# has no perf, for the hook's figure or lde-bench's cross-check (-x).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=${LDE_OUT:?}
runs=${LDE_BENCH_RUNS:-7}
loops=${LDE_BENCH_LOOPS:-20000}

# usecs/op of one pinned run.
pipe_usecs() {
	taskset -c 0 perf bench sched pipe -l "$loops" 2>/dev/null |
		awk '/usecs\/op/ { print $1 }'
}

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

if ! command -v perf >/dev/null; then
	insmod "${LDE_KO:?}"
	{
		echo "## lde-bench on $(uname -m), $(uname -r): the chapter's homework (ns; min, median, p99 over samples)"
		echo
		echo "(no perf in this guest: no hook cost, no cross-check)"
		echo
		"${LDE_BENCH:?}" -o "$out/lde-bench.json"
	} | tee "$out/bench.md"
	rmmod lde
	exit 0
fi

: >"$out/hook-without.txt"
: >"$out/hook-with.txt"
for i in $(seq "$runs"); do
	pipe_usecs >>"$out/hook-without.txt"
	insmod "${LDE_KO:?}"
	pipe_usecs >>"$out/hook-with.txt"
	rmmod lde
	echo "# hook cost: run $i/$runs done" >&2
done
without=$(median <"$out/hook-without.txt")
with=$(median <"$out/hook-with.txt")
ratio=$(awk -v a="$with" -v b="$without" 'BEGIN { printf "%.3f", a / b }')
{
	echo "## sched_switch hook cost (perf bench sched pipe, pinned, $loops loops, median of $runs)"
	echo
	echo "| lde.ko | usecs/round trip | runs |"
	echo "|---|---|---|"
	echo "| not loaded | $without | $(paste -sd' ' "$out/hook-without.txt") |"
	echo "| loaded | $with | $(paste -sd' ' "$out/hook-with.txt") |"
	echo
	echo "ratio loaded/not loaded: $ratio"
} | tee "$out/bench.md"
printf '{"loops":%s,"runs":%s,"without_usecs":%s,"with_usecs":%s,"ratio":%s}\n' \
	"$loops" "$runs" "$without" "$with" "$ratio" >"$out/hook-cost.json"

# The homework itself, with lde.ko loaded for the /dev/lde rows.
insmod "$LDE_KO"
{
	echo
	echo "## lde-bench: the chapter's homework (ns; min, median, p99 over samples)"
	echo
	"${LDE_BENCH:?}" -x -o "$out/lde-bench.json"
} | tee -a "$out/bench.md"
rmmod lde

