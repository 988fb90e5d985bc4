#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make check-host`: the fuzz target (cli/fuzz/lde_trace_fuzz.c: the
# trace-file reader and every view, under ASan and UBSan) first replays
# every input that ever crashed it (cli/fuzz/crashes/), then fuzzes for
# LDE_FUZZ_SECONDS (default 50) from the recorded traces.  The bound: the
# check's other host tests take about a minute, and the guest run about
# ten; under a minute of fuzzing (some thousands of inputs on one of two
# shared cores) finds what a change broke in the reader or a view
# without doubling the host half.  A crash fails the check and is left
# in build/fuzz/ with the command that replays it: fix it, then keep it
# in cli/fuzz/crashes/.  Prints TAP and a kselftest "# Totals" line.
#   usage: fuzz-check.sh LDE_TRACE_FUZZ
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
fuzz=$1
seconds=${LDE_FUZZ_SECONDS:-50}
out=$(dirname "$fuzz")
corpus=$out/corpus
. "$top/scripts/tap.sh"

echo "TAP version 13"
for f in "$top"/cli/fuzz/crashes/*; do
	[ -f "$f" ] || continue
	if "$fuzz" "$f" >"$out/replay.log" 2>&1; then
		tap_ok "no crash: cli/fuzz/crashes/$(basename "$f")"
	else
		tap_not_ok "no crash: cli/fuzz/crashes/$(basename "$f")"
		grep -E 'ERROR|runtime error|SUMMARY' "$out/replay.log" | head -n 5 |
			sed 's/^/# /'
	fi
done

# The seeds: the recorded traces, in windows (fuzz-seeds.py); each run
# starts from them alone, so its time goes to new inputs.
rm -rf "$corpus"
mkdir -p "$corpus"
python3 "$top/scripts/fuzz-seeds.py" "$corpus" "$top"/cli/testdata/*.lde \
	"$top"/cli/testdata/arch/*.lde
# And compressed, as -w FILE.zst writes them: the reader's zstd side.
for f in "$corpus"/*-0000.lde; do
	zstd -q -1 -c "$f" >"${f%.lde}.zst"
done
rm -f "$out"/crash-* "$out"/leak-* "$out"/timeout-* "$out"/oom-*
if "$fuzz" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
	-close_fd_mask=3 -artifact_prefix="$out/" "$corpus" \
	>"$out/fuzz.log" 2>&1; then
	tap_ok "$seconds s of fuzzing: $(grep -o 'Done [0-9]* runs' "$out/fuzz.log" | tail -n 1)"
else
	tap_not_ok "$seconds s of fuzzing found a crash"
	grep -E 'ERROR|runtime error|SUMMARY|Test unit written' "$out/fuzz.log" |
		head -n 8 | sed 's/^/# /'
	for c in "$out"/crash-* "$out"/leak-* "$out"/timeout-* "$out"/oom-*; do
		[ -f "$c" ] && echo "# replay: $fuzz $c; then keep it in cli/fuzz/crashes/"
	done
fi
tap_totals
