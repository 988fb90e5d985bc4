#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`, on the host: the boots' results into one table for people
# (DIR/bench.md) and one JSON for machines (DIR/bench.json).  The arm64
# boot's homework (DIR/arm64/) is put beside x86's as ratios: each figure
# over its own boot's null system call, since under TCG an absolute time
# of one emulated ISA says nothing about the other's.
#
#   usage: bench-report.sh DIR
set -eu
dir=${1:?usage: bench-report.sh DIR}
for mode in multi single; do
	if [ -s "$dir/tracers-$mode/tracers.md" ]; then
		{ echo; cat "$dir/tracers-$mode/tracers.md"; } >>"$dir/bench.md"
	fi
done
python3 - "$dir" <<'PY'
import json, os, sys
d = sys.argv[1]
def load(*path):
    p = os.path.join(d, *path)
    return json.load(open(p)) if os.path.exists(p) else None
x86, arm64 = load("lde-bench.json"), load("arm64", "lde-bench.json")
if x86 and arm64:
    unit = "syscall: getppid via syscall(2)"
    def ratios(b):
        r = b["results"]
        out = {k: v["median"] / r[unit]["median"] for k, v in r.items()
               if "median" in v and v["n"]}
        for k, v in b.get("context_switch_ns", {}).items():
            out["switch: one, " + k] = v / r[unit]["median"]
        return out
    rx, ra = ratios(x86), ratios(arm64)
    def same(k):	# the counter's row: rdtsc on one, cntvct_el0 on the other
        return "timer: counter back-to-back" if k.startswith("timer: ") and \
            ("rdtsc" in k or "cntvct_el0" in k) else k
    rx = {same(k): v for k, v in rx.items()}
    ra = {same(k): v for k, v in ra.items()}
    with open(os.path.join(d, "bench.md"), "a") as md:
        md.write("\n## The homework on two ISAs: each median over its own boot's "
                 "null system call (getppid via syscall(2))\n\n"
                 "| measurement | x86-64 | arm64 |\n|---|---|---|\n")
        for k in rx:
            if k in ra:
                md.write("| %s | %.3g | %.3g |\n" % (k, rx[k], ra[k]))
    arm64["per_null_syscall"] = ra
bench = {
    "lde_bench": load("lde-bench.json"),
    "lde_bench_arm64": arm64,
    "hook_cost": load("hook-cost.json"),
    "tracing_overhead": {m: load("tracers-" + m, "tracers.json")
                         for m in ("multi", "single")},
}
json.dump(bench, open(os.path.join(d, "bench.json"), "w"), indent=1)
PY
