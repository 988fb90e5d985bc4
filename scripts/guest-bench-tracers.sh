#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest for `make bench`: how much each tracer slows a
# getppid loop.  The loop times itself, so tracer start-up stays out.  The
# tracers take turns, round after round, so drift hits all alike; each
# figure is the median of its rounds, each ratio a ratio of medians.
#
# $LDE_TCG_MODE names the QEMU setting (single or multi) for the heading:
# with single-threaded TCG one host thread runs both vCPUs, so a tracer's
# reader takes its time from the traced loop; with multi-threaded TCG it
# runs beside it, as on real hardware.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=${LDE_OUT:?}
mode=${LDE_TCG_MODE:-single}
rounds=${LDE_BENCH_ROUNDS:-5}
n=${LDE_BENCH_CALLS:-100000}
work=$top/build/selftests/lde_workload
trace=${LDE_TRACE:?}

tracers="untraced lde_s lde_stream bpftrace perf_trace strace"
declare -A label=(
	[untraced]="untraced"
	[lde_s]="lde-trace -s (counted in the kernel)"
	[lde_stream]="lde-trace -j, every trap and return to /dev/null"
	[bpftrace]="bpftrace counting sys_enter in a map"
	[perf_trace]="perf trace -s"
	[strace]="strace -f (calls / 10)"
)

loop_ns() { grep -o 'ns_per_call [0-9.]*' | awk '{ print $2 }' | tail -n1; }

# ns per call of one run; lde-trace's lost-event count kept per round.
run_one() {
	case $1 in
	untraced)
		"$work" loop "$n" | loop_ns ;;
	lde_s)
		"$trace" -s -e trap,return -- "$work" loop "$n" 2>/dev/null |
			loop_ns ;;
	lde_stream)
		# The events go to /dev/null, the loop's own line to a file.
		"$trace" -j -e trap,return -- sh -c 'exec "$0" loop "$1" >"$2"' \
			"$work" "$n" "$out/stream-loop.txt" \
			>/dev/null 2>"$out/stream.err" || true
		awk '/^lost [0-9]+ events/ { print $2 }' "$out/stream.err" \
			>>"$out/tracer-lde_stream.lost"
		loop_ns <"$out/stream-loop.txt" ;;
	bpftrace)
		bpftrace -q -e 'tracepoint:raw_syscalls:sys_enter { @[pid] = count(); }' \
			-c "$work loop $n" 2>/dev/null | loop_ns ;;
	perf_trace)
		perf trace -s -o /dev/null -- "$work" loop "$n" 2>/dev/null |
			loop_ns ;;
	strace)
		strace -f -o /dev/null "$work" loop $((n / 10)) 2>/dev/null |
			loop_ns ;;
	esac
}

# Multi-threaded TCG can hang when a hot kernel call site is re-patched
# (README), which a tracepoint's first attach and last detach do.  lde-trace
# always attaches sched_switch, and local_timer_entry when it streams: keep
# both enabled for the whole boot in tracefs, with tracing off, so that no
# tracer's attach or detach re-patches them.  Every tracer, and the
# untraced loop, runs with these two idle probes alike.
hold_call_sites() {
	local t
	for t in /sys/kernel/tracing /sys/kernel/debug/tracing; do
		[ -w "$t/tracing_on" ] || continue
		echo 0 >"$t/tracing_on"
		echo 1 >"$t/events/sched/sched_switch/enable"
		echo 1 >"$t/events/irq_vectors/local_timer_entry/enable"
		return 0
	done
	echo "# tracers: no tracefs; call sites not held" >&2
}
hold_call_sites

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

for t in $tracers; do : >"$out/tracer-$t.txt"; done
: >"$out/tracer-lde_stream.lost"
for r in $(seq "$rounds"); do
	for t in $tracers; do
		v=$(run_one "$t" || true)
		[ -n "$v" ] && echo "$v" >>"$out/tracer-$t.txt"
	done
	echo "# tracers ($mode-threaded TCG): round $r/$rounds done" >&2
done

base=$(median <"$out/tracer-untraced.txt")
{
	echo "## Tracing overhead, $mode-threaded TCG (getppid loop, $n calls, median of $rounds rounds)"
	echo
	echo "| tracer | ns/call | x untraced | runs (ns/call) |"
	echo "|---|---|---|---|"
	for t in $tracers; do
		if [ ! -s "$out/tracer-$t.txt" ]; then
			echo "| ${label[$t]} | (did not run) | | |"
			continue
		fi
		v=$(median <"$out/tracer-$t.txt")
		printf '| %s | %s | %s | %s |\n' "${label[$t]}" "$v" \
			"$(awk -v a="$v" -v b="$base" 'BEGIN { printf "%.2f", a / b }')" \
			"$(paste -sd' ' "$out/tracer-$t.txt")"
	done
	echo
	echo "lde-trace streaming, events lost per round (of $((2 * n)) and a few): $(paste -sd' ' "$out/tracer-lde_stream.lost")"
} | tee "$out/tracers.md"

python3 - "$out" "$mode" "$n" "$rounds" $tracers <<'PY'
import json, os, statistics, sys
out, mode, n, rounds, names = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5:]
def runs(name, ext="txt"):
    path = os.path.join(out, "tracer-%s.%s" % (name, ext))
    return [float(x) for x in open(path).read().split()] if os.path.exists(path) else []
base = statistics.median_low(runs("untraced"))
result = {"tcg": mode, "calls": n, "rounds": rounds, "tracers": {}}
for name in names:
    r = runs(name)
    if not r:
        continue
    med = statistics.median_low(r)
    result["tracers"][name] = {"ns_per_call": med, "ratio": round(med / base, 3), "runs": r}
if "lde_stream" in result["tracers"]:
    result["tracers"]["lde_stream"]["lost"] = [int(x) for x in runs("lde_stream", "lost")]
json.dump(result, open(os.path.join(out, "tracers.json"), "w"), indent=1)
PY
