#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest for `make bench`: how much each tracer slows a
# getppid loop (the bare cost of a trap), then an openat loop over a real
# path (the cost of reading a path at each trap): /dev/null, in the
# guest's own devtmpfs, where the host's files it sees cost a round trip
# to the host each.  Each loop times itself,
# so tracer start-up stays out.  The
# tracers take turns, round after round, so drift hits all alike; each
# figure is the median of its rounds, each ratio a ratio of medians.
#
# $LDE_TCG_MODE names the QEMU setting (single or multi) for the heading:
# with single-threaded TCG one host thread runs both vCPUs, so a tracer's
# reader takes its time from the traced loop; with multi-threaded TCG it
# runs beside it, as on real hardware.
#
# $LDE_TRACE_BEFORE, another build of lde-trace, makes it a before/after
# comparison instead: only lde-trace's rows (getppid counted with -s,
# streamed as JSON and in the default view; the ping-pong streamed and
# summed), each run with
# that build (the row's name ends in _before) and with $LDE_TRACE, taking
# turns in each round, beside the untraced loop and bpftrace's count.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=${LDE_OUT:?}
mode=${LDE_TCG_MODE:-single}
rounds=${LDE_BENCH_ROUNDS:-5}
n=${LDE_BENCH_CALLS:-100000}
# openat+close pairs: each costs a path walk, a file and two traps.
n_open=${LDE_BENCH_OPENS:-20000}
work=$top/build/selftests/lde_workload
trace=${LDE_TRACE:?}
trace_before=${LDE_TRACE_BEFORE:-}

declare -A label=(
	[untraced]="untraced"
	[lde_s]="lde-trace -s (counted in the kernel)"
	[lde_quiet]="lde-trace -q, every trap and return read, none shown"
	[lde_stream]="lde-trace -j, every trap (arguments decoded) and return to /dev/null"
	[lde_view]="lde-trace, the default view (columns, default stages) to /dev/null"
	[bpftrace]="bpftrace counting sys_enter in a map"
	[bpftrace_str]="bpftrace printing str(args->filename) at sys_enter_openat"
	[perf_trace]="perf trace -s"
	[strace]="strace -f (calls / 10)"
	[lde_sched]="lde-trace -j -e switch,wakeup (why, waits, who woke whom) to /dev/null"
	[lde_sched_s]="lde-trace -s -e switch (per-task table, wait histogram)"
	[perf_sched]="perf sched record"
	[bpftrace_runqlat]="bpftrace keeping runqlat's histogram"
)

# A round trip of perf bench sched pipe, both ends pinned to CPU 1: two
# switches and two wakeups each.  Its "usecs/op" as ns.
# Full paths: bpftrace -c refuses a name found twice in PATH (/bin, /usr/bin).
pipe_cmd() { echo "$(command -v taskset) -c 1 $(command -v perf) bench sched pipe -l $1"; }
pipe_ns() { awk '/usecs\/op/ { printf "%.1f\n", $1 * 1000 }' | tail -n1; }
runqlat_bt='
tracepoint:sched:sched_wakeup, tracepoint:sched:sched_wakeup_new { @qtime[args->pid] = nsecs; }
tracepoint:sched:sched_switch {
	if (args->prev_state == 0) { @qtime[args->prev_pid] = nsecs; }
	$ns = @qtime[args->next_pid];
	if ($ns) { @usecs = hist((nsecs - $ns) / 1000); }
	delete(@qtime[args->next_pid]);
}'

# ns per round trip of the pipe ping-pong under tracer $1 ($2 round trips);
# lde-trace's lost-event count kept per round, in $3.
run_pipe() {
	local cmd lost=$3
	cmd=$(pipe_cmd "$2")
	case $1 in
	untraced)
		$cmd 2>/dev/null | pipe_ns ;;
	lde_sched)
		"$trace" -j -e switch,wakeup -- sh -c "exec $cmd >\"\$0\"" \
			"$out/pipe-loop.txt" >/dev/null 2>"$out/pipe.err" || true
		awk '/^lost [0-9]+ events/ { print $2 }' "$out/pipe.err" >>"$lost"
		pipe_ns <"$out/pipe-loop.txt" ;;
	lde_sched_s)
		"$trace" -s -e switch -- sh -c "exec $cmd >\"\$0\"" \
			"$out/pipe-loop.txt" >/dev/null 2>&1 || true
		pipe_ns <"$out/pipe-loop.txt" ;;
	perf_sched)
		perf sched record -o /tmp/lde-bench-sched.data -- $cmd 2>/dev/null |
			pipe_ns
		rm -f /tmp/lde-bench-sched.data ;;
	bpftrace_runqlat)
		bpftrace -q -o /dev/null -e "$runqlat_bt" -c "$cmd" 2>/dev/null |
			pipe_ns ;;
	esac
}

loop_ns() { grep -o 'ns_per_call [0-9.]*' | awk '{ print $2 }' | tail -n1; }

# ns per call of one run of workload $2 ($3 calls) under tracer $1;
# lde-trace's lost-event count kept per round.  A tracer named NAME_before
# is NAME run with $LDE_TRACE_BEFORE.
run_one() {
	local w=$2 calls=$3 t=$1 trace=$trace
	local lost=$out/tracer-$w-$t.lost
	if [[ $t == *_before ]]; then
		t=${t%_before}
		trace=${trace_before:?}
	fi
	[ "$w" = pipe ] && { run_pipe "$t" "$calls" "$lost"; return; }
	case $t in
	untraced)
		"$work" "$w" "$calls" | loop_ns ;;
	lde_s)
		"$trace" -s -e trap,return -- "$work" "$w" "$calls" 2>/dev/null |
			loop_ns ;;
	lde_quiet)
		# Sent, read and decoded as -j's, then dropped: -j's cost less
		# its text (and -s's, the programs' alone, less the sending).
		"$trace" -q -e trap,return -- sh -c 'exec "$0" "$1" "$2" >"$3"' \
			"$work" "$w" "$calls" "$out/stream-loop.txt" \
			2>"$out/stream.err" || true
		awk '/^lost [0-9]+ events/ { print $2 }' "$out/stream.err" >>"$lost"
		loop_ns <"$out/stream-loop.txt" ;;
	lde_stream)
		# The events go to /dev/null, the loop's own line to a file.
		"$trace" -j -e trap,return -- sh -c 'exec "$0" "$1" "$2" >"$3"' \
			"$work" "$w" "$calls" "$out/stream-loop.txt" \
			>/dev/null 2>"$out/stream.err" || true
		awk '/^lost [0-9]+ events/ { print $2 }' "$out/stream.err" >>"$lost"
		loop_ns <"$out/stream-loop.txt" ;;
	lde_view)
		"$trace" -- sh -c 'exec "$0" "$1" "$2" >"$3"' \
			"$work" "$w" "$calls" "$out/stream-loop.txt" \
			>/dev/null 2>"$out/stream.err" || true
		awk '/^lost [0-9]+ events/ { print $2 }' "$out/stream.err" >>"$lost"
		loop_ns <"$out/stream-loop.txt" ;;
	bpftrace)
		bpftrace -q -e 'tracepoint:raw_syscalls:sys_enter { @[pid] = count(); }' \
			-c "$work $w $calls" 2>/dev/null | loop_ns ;;
	bpftrace_str)
		# Its lines to /dev/null (-o), as lde-trace's above.
		bpftrace -q -o /dev/null \
			-e 'tracepoint:syscalls:sys_enter_openat { printf("%s\n", str(args->filename)); }' \
			-c "$work $w $calls" 2>/dev/null | loop_ns ;;
	perf_trace)
		perf trace -s -o /dev/null -- "$work" "$w" "$calls" 2>/dev/null |
			loop_ns ;;
	strace)
		strace -f -o /dev/null "$work" "$w" $((calls / 10)) 2>/dev/null |
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

# bench WORKLOAD CALLS WHAT TRACER...: one table, tracers taking turns.
bench() {
	local w=$1 calls=$2 what=$3 t r v base
	shift 3
	for t in "$@"; do
		: >"$out/tracer-$w-$t.txt"
		rm -f "$out/tracer-$w-$t.lost"
	done
	for r in $(seq "$rounds"); do
		for t in "$@"; do
			v=$(run_one "$t" "$w" "$calls" || true)
			[ -n "$v" ] && echo "$v" >>"$out/tracer-$w-$t.txt"
		done
		echo "# tracers ($mode-threaded TCG, $w): round $r/$rounds done" >&2
	done
	base=$(median <"$out/tracer-$w-untraced.txt")
	echo "## Tracing overhead, $mode-threaded TCG ($what, $calls calls, median of $rounds rounds)"
	echo
	echo "| tracer | ns/call | x untraced | runs (ns/call) |"
	echo "|---|---|---|---|"
	for t in "$@"; do
		if [ ! -s "$out/tracer-$w-$t.txt" ]; then
			echo "| ${label[$t]} | (did not run) | | |"
			continue
		fi
		v=$(median <"$out/tracer-$w-$t.txt")
		printf '| %s | %s | %s | %s |\n' "${label[$t]}" "$v" \
			"$(awk -v a="$v" -v b="$base" 'BEGIN { printf "%.2f", a / b }')" \
			"$(paste -sd' ' "$out/tracer-$w-$t.txt")"
	done
	echo
	for t in "$@"; do
		[ -e "$out/tracer-$w-$t.lost" ] &&
			echo "${label[$t]}: events lost per round: $(paste -sd' ' "$out/tracer-$w-$t.lost")"
	done
	echo
}

getppid_tracers="untraced lde_s lde_quiet lde_stream lde_view bpftrace perf_trace strace"
openat_tracers="untraced lde_stream bpftrace_str strace"
# Round trips of the pinned pipe ping-pong (the scheduler's side).
n_pipe=${LDE_BENCH_PIPES:-20000}
pipe_tracers="untraced lde_sched lde_sched_s perf_sched bpftrace_runqlat"
# LDE_BENCH_TABLES: some of them only (loop openloop pipe).
tables=" ${LDE_BENCH_TABLES:-loop openloop pipe} "
if [ -n "$trace_before" ]; then
	for t in lde_s lde_stream lde_view lde_sched lde_sched_s; do
		label[${t}_before]="${label[$t]}, before"
		label[$t]="${label[$t]}, after"
	done
	getppid_tracers="untraced lde_s_before lde_s lde_stream_before lde_stream lde_view_before lde_view bpftrace"
	pipe_tracers="untraced lde_sched_before lde_sched lde_sched_s_before lde_sched_s bpftrace_runqlat"
	tables=" ${LDE_BENCH_TABLES:-loop pipe} "
fi
# LDE_BENCH_LOOP_TRACERS: the getppid table's rows, some of them only.
getppid_tracers=${LDE_BENCH_LOOP_TRACERS:-$getppid_tracers}
{
	[ -n "$trace_before" ] &&
		printf 'Before: %s\nAfter: %s\n\n' "$trace_before" "$trace"
	[[ $tables == *" loop "* ]] &&
		bench loop "$n" "getppid loop" $getppid_tracers
	[[ $tables == *" openloop "* ]] &&
		bench openloop "$n_open" "openat+close loop over /dev/null" $openat_tracers
	[[ $tables == *" pipe "* ]] &&
		bench pipe "$n_pipe" "perf bench sched pipe, both ends on CPU 1, per round trip" $pipe_tracers
	true
} | tee "$out/tracers.md"

python3 - "$out" "$mode" "$rounds" "loop:$n:$getppid_tracers" \
	"openloop:$n_open:$openat_tracers" "pipe:$n_pipe:$pipe_tracers" <<'PY'
import json, os, statistics, sys
out, mode, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
def runs(w, name, ext="txt"):
    path = os.path.join(out, "tracer-%s-%s.%s" % (w, name, ext))
    return [float(x) for x in open(path).read().split()] if os.path.exists(path) else []
def table(w, n, names):
    base = statistics.median_low(runs(w, "untraced"))
    result = {"tcg": mode, "calls": n, "rounds": rounds, "tracers": {}}
    for name in names:
        r = runs(w, name)
        if not r:
            continue
        med = statistics.median_low(r)
        result["tracers"][name] = {"ns_per_call": med, "ratio": round(med / base, 3), "runs": r}
    for name in result["tracers"]:
        if os.path.exists(os.path.join(out, "tracer-%s-%s.lost" % (w, name))):
            result["tracers"][name]["lost"] = [int(x) for x in runs(w, name, "lost")]
    return result
tables = {}
for spec in sys.argv[4:]:
    w, n, names = spec.split(":")
    if runs(w, "untraced"):
        tables[w] = table(w, int(n), names.split())
# The getppid table stays where it was; the others beside it.
result = tables.get("loop", {})
for w, key in (("openloop", "openat"), ("pipe", "sched_pipe")):
    if w in tables:
        result[key] = tables[w]
json.dump(result, open(os.path.join(out, "tracers.json"), "w"), indent=1)
PY
