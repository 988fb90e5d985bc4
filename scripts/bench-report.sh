#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`, on the host: the boots' results into one table for people
# (DIR/bench.md) and one JSON for machines (DIR/bench.json).  The arm64
# boot's homework (DIR/arm64/) is put beside x86's as ratios: each figure
# over its own boot's null system call, since under TCG an absolute time
# of one emulated ISA says nothing about the other's (both ratios also in
# bench.json, per_null_syscall).  Fails, saying which, when either
# homework is missing.
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
unit = "syscall: getppid via syscall(2)"
# make bench boots both: a homework missing is a boot that went wrong.
for name, b in (("lde-bench.json", x86), ("arm64/lde-bench.json", arm64)):
    if not b or unit not in b.get("results", {}):
        sys.exit("bench-report: %s/%s: no homework (%s), so no arm64 "
                 "column beside x86's" % (d, name, unit))
def ratios(b):
    r = b["results"]
    out = {k: v["median"] / r[unit]["median"] for k, v in r.items()
           if "median" in v and v["n"]}
    for k, v in b.get("context_switch_ns", {}).items():
        # null: lde-bench found the subtraction left nothing (noise)
        out["switch: one, " + k] = None if v is None else v / r[unit]["median"]
    return out
def same(k):	# the counter's row: rdtsc on one, cntvct_el0 on the other
    return "timer: counter back-to-back" if k.startswith("timer: ") and \
        ("rdtsc" in k or "cntvct_el0" in k) else k
rx = {same(k): v for k, v in ratios(x86).items()}
ra = {same(k): v for k, v in ratios(arm64).items()}
# gettimeofday back-to-back reads its microsecond resolution on both (1024
# ns), not its cost: as a ratio it would only say how slow the null call is.
coarse = "timer: gettimeofday back-to-back"
def column(isa, b):	# the boot's kernel, where lde-bench said it
    return "%s (%s)" % (isa, b["kernel"]) if "kernel" in b else isa
def cell(v):
    return "not measurable" if v is None else "%.3g" % v
with open(os.path.join(d, "bench.md"), "a") as md:
    md.write("\n## The homework on two ISAs: each median over its own boot's "
             "null system call (getppid via syscall(2))\n\n"
             "| measurement | %s | %s |\n|---|---|---|\n"
             % (column("x86-64", x86), column("arm64", arm64)))
    for k in rx:
        if k in ra and k != coarse:
            md.write("| %s | %s | %s |\n" % (k, cell(rx[k]), cell(ra[k])))
    md.write("\n(%s left out: both read its microsecond resolution, "
             "not its cost.)\n" % coarse)
x86["per_null_syscall"] = rx
arm64["per_null_syscall"] = ra
bench = {
    "lde_bench": x86,
    "lde_bench_arm64": arm64,
    "hook_cost": load("hook-cost.json"),
    "tracing_overhead": {m: load("tracers-" + m, "tracers.json")
                         for m in ("multi", "single")},
}
json.dump(bench, open(os.path.join(d, "bench.json"), "w"), indent=1)
PY
