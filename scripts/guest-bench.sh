#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest for `make bench`.  So far: the cost of lde.ko's
# sched_switch hook, measured as the kernel's own `perf bench sched pipe`
# pinned to one CPU (every round trip is two context switches), without and
# with the module, runs interleaved so drift hits both alike.
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

# Tracing overhead: the same getppid loop untraced and under each tracer,
# in this one run; the loop times itself, so start-up costs stay out.
work=$top/build/selftests/lde_workload
n=${LDE_BENCH_CALLS:-100000}
loop_ns() { grep -o 'ns_per_call [0-9.]*' | awk '{ print $2 }' | tail -n1; }
base=$("$work" loop "$n" | loop_ns)
declare -A cost
cost[untraced]=$base
cost["lde-trace (streaming trap+return)"]=$("$LDE_TRACE" -j -e trap,return -- "$work" loop "$n" 2>/dev/null | loop_ns)
cost["lde-trace -s"]=$("$LDE_TRACE" -s -e trap,return -- "$work" loop "$n" 2>/dev/null | loop_ns)
cost["bpftrace (count sys_enter)"]=$(bpftrace -q -e 'tracepoint:raw_syscalls:sys_enter { @[pid] = count(); }' -c "$work loop $n" 2>/dev/null | loop_ns)
cost["perf trace -s"]=$(perf trace -s -o /dev/null -- "$work" loop "$n" 2>/dev/null | loop_ns)
cost["strace -f"]=$(strace -f -o /dev/null "$work" loop $((n / 10)) 2>/dev/null | loop_ns)
{
	echo
	echo "## Tracing overhead (getppid loop, $n calls; strace: $((n / 10)))"
	echo
	echo "| tracer | ns/call | x untraced |"
	echo "|---|---|---|"
	for k in untraced "lde-trace -s" "lde-trace (streaming trap+return)" \
		 "bpftrace (count sys_enter)" "perf trace -s" "strace -f"; do
		v=${cost[$k]:-}
		if [ -n "$v" ]; then
			printf '| %s | %s | %s |\n' "$k" "$v" \
				"$(awk -v a="$v" -v b="$base" 'BEGIN { printf "%.2f", a / b }')"
		else
			printf '| %s | (did not run) | |\n' "$k"
		fi
	done
} | tee -a "$out/bench.md"

# One JSON for machines: lde-bench's figures, the hook's cost, the tracers.
python3 - "$out" <<'PY'
import json, sys, os
out = sys.argv[1]
md = open(os.path.join(out, "bench.md")).read()
rows = {}
for line in md.split("## Tracing overhead")[1].splitlines():
    f = [c.strip() for c in line.strip("|").split("|")]
    if len(f) == 3 and f[1].replace(".", "").isdigit():
        rows[f[0]] = {"ns_per_call": float(f[1]), "ratio": float(f[2])}
bench = {
    "lde_bench": json.load(open(os.path.join(out, "lde-bench.json"))),
    "hook_cost": json.load(open(os.path.join(out, "hook-cost.json"))),
    "tracing_overhead": rows,
}
json.dump(bench, open(os.path.join(out, "bench.json"), "w"), indent=1)
PY
