#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`, on the host: the three boots' results into one table for
# people (DIR/bench.md) and one JSON for machines (DIR/bench.json).
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
bench = {
    "lde_bench": load("lde-bench.json"),
    "hook_cost": load("hook-cost.json"),
    "tracing_overhead": {m: load("tracers-" + m, "tracers.json")
                         for m in ("multi", "single")},
}
json.dump(bench, open(os.path.join(d, "bench.json"), "w"), indent=1)
PY
