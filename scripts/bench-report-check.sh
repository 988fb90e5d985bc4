#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Host test of scripts/bench-report.sh: make bench's two homeworks come
# out as one table of ratios with both columns, and in bench.json as
# per_null_syscall for both; a missing one is said.  The homeworks are
# lde-bench's JSON as the guests wrote them (cli/testdata/bench/, both
# 2026-12-06): an x86 guest's make bench, from before lde-bench named its
# kernel (so that column says the ISA alone), and make bench-arm64's.
# TAP, with the harness's totals line.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
report=$top/scripts/bench-report.sh
data=$top/cli/testdata/bench
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 pass=0 fail=0

# check NAME COMMAND...: the command's success is the test's.
check() {
	local name=$1 said
	shift
	n=$((n + 1))
	if said=$("$@" 2>&1); then
		echo "ok $n - $name"
		pass=$((pass + 1))
	else
		echo "not ok $n - $name"
		printf '%s\n' "$said" | sed 's/^/# /'
		fail=$((fail + 1))
	fi
}

echo "TAP version 13"
mkdir -p "$tmp/both/arm64"
cp "$data/lde-bench.json" "$tmp/both/"
cp "$data/arm64/lde-bench.json" "$tmp/both/arm64/"
check "the report runs on both homeworks" "$report" "$tmp/both"
# The table after its heading, each row with both figures.
table() {
	sed -n '/^## The homework on two ISAs/,$p' "$tmp/both/bench.md"
}
check "the table has an x86-64 and an arm64 column, arm64's kernel named" \
	grep -q -E '^\| measurement \| x86-64( \([^)]+\))? \| arm64 \(6\.12\.[^)]*-arm64\) \|$' \
	<(table)
check "the null system call is 1 in both columns" \
	grep -q -x '| syscall: getppid via syscall(2) | 1 | 1 |' <(table)
check "rdtsc and cntvct_el0 are one row, the counter's" \
	grep -q -E '^\| timer: counter back-to-back \| [0-9.e-]+ \| [0-9.e-]+ \|$' \
	<(table)
check "every row has both ratios, the switch rows among them" python3 -c '
import sys
rows = [l.split("|")[1:-1] for l in sys.stdin if l.startswith("| ")][1:]
names = [r[0].strip() for r in rows]
for r in rows:
    assert len(r) == 3 and all(x.strip() == "not measurable" or
                               float(x) > 0 for x in r[1:]), r
for want in ("switch: one, processes", "switch: one, threads",
             "lde: trap, null toy syscall", "pipe: write+read 1 byte, no switch"):
    assert want in names, (want, names)
' < <(table)
check "gettimeofday (its resolution, not its cost) is no row" \
	bash -c '! grep -q "^| timer: gettimeofday" "$1"' _ "$tmp/both/bench.md"
check "bench.json holds both ISAs' ratios, the same rows" python3 -c '
import json, sys
b = json.load(open(sys.argv[1]))
x, a = b["lde_bench"]["per_null_syscall"], b["lde_bench_arm64"]["per_null_syscall"]
assert x["syscall: getppid via syscall(2)"] == a["syscall: getppid via syscall(2)"] == 1
assert set(x) == set(a), set(x) ^ set(a)
' "$tmp/both/bench.json"
mkdir -p "$tmp/x86-only"
cp "$data/lde-bench.json" "$tmp/x86-only/"
check "without the arm64 homework the report fails, saying so" bash -c '
out=$("$1" "$2" 2>&1) && exit 1
grep -q "arm64/lde-bench.json: no homework" <<<"$out"' _ "$report" "$tmp/x86-only"
echo "1..$n"
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:0 error:0"
[ "$fail" -eq 0 ]
