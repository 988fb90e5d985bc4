#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# In the guest: the scheduler cross-check of lde_trace_test
# (waits_runs_and_reasons_agree_with_perf_sched) run N times in one boot,
# the same commands as the test, each run's figures and verdict kept, and
# a tally at the end.  For the "N runs of N" of issue 24; make check runs
# the test itself once per kernel.
#
#   usage: guest-sched-vs-perf.sh [RUNS]    (in the guest; LDE_TRACE, LDE_OUT)
#
# Exit status: 0 when every run said ok.
set -uo pipefail

runs=${1:-10}
top=$(cd "$(dirname "$0")/.." && pwd)
sel=$top/build/selftests
trace=${LDE_TRACE:-$top/build/lde-trace}
out=${LDE_OUT:-/tmp}
passed=0

for i in $(seq 1 "$runs"); do
	dir=$out/sched-vs-perf-$i
	mkdir -p "$dir"
	pdata=/tmp/lde-sched-perf-$i.data
	start=$(date +%s)
	# As the test: both tracers and their readers on CPU 0, the
	# ping-pong's CPU 1 to itself.
	if ! taskset -c 0 perf sched record -k CLOCK_MONOTONIC -m 8192 -a -o "$pdata" -- \
		taskset -c 0 "$trace" -q -b 32768 -w "$dir/trace-sched.jsonl" -e switch -- \
		"$sel/lde_workload" sched 2 2>"$dir/record.err"; then
		echo "run $i: not ok - recording failed: $(tail -n1 "$dir/record.err")"
		continue
	fi
	perf sched timehist -i "$pdata" --state >"$dir/perf-timehist.txt" 2>&1
	perf script -i "$pdata" --ns -F cpu,time,event,trace >"$dir/perf-script.txt" 2>/dev/null
	rm -f "$pdata"
	python3 "$sel/lde_sched_vs_perf.py" "$dir/trace-sched.jsonl" \
		"$dir/perf-timehist.txt" "$dir/perf-script.txt" >"$dir/verdict.txt" 2>&1
	verdict=$(tail -n1 "$dir/verdict.txt")
	echo "run $i ($(($(date +%s) - start)) s): $verdict"
	grep '^#' "$dir/verdict.txt" | sed 's/^/    /'
	if [ "$verdict" = ok ]; then
		passed=$((passed + 1))
	else
		sed 's/^/    /' "$dir/verdict.txt" | tail -n 20
	fi
done
echo "sched vs perf: $passed of $runs runs ok ($(uname -r))"
[ "$passed" -eq "$runs" ]
