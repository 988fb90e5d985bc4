#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Host test of scripts/tap-failures.sh: from TAP nested as make check
# prints it, a failing test's own lines and the "not ok" lines come out,
# a passing test's never.  TAP (scripts/tap.sh), with the totals line.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$top/scripts/tap.sh"

# A guest's TAP (scripts/guest-check.sh): a passing test with a log line,
# a failing one, then the binary's verdict and the console's.
cat >"$tmp/guest.tap" <<'EOT'
TAP version 13
1..1
# TAP version 13
# 1..2
# #  RUN           trace.passes ...
# # lde_trace_test.c:10:passes:a log line of a passing test
# #            OK  trace.passes
# ok 1 trace.passes
# #  RUN           trace.fails ...
# # lde_trace_test.c:20:fails:Expected 0 (0) == late (3)
# # fails: Test failed
# #            FAIL  trace.fails
# not ok 2 trace.fails
# # FAILED: 1 / 2 tests passed.
not ok 1 selftests: lde: lde_trace_test # exit=1
# TAP version 13
# # Starting 2 tests from 1 test cases.
EOT
# The host's (scripts/tap.sh through scripts/host-check.sh): the words of
# a failing check come after its "not ok".
cat >"$tmp/host.tap" <<'EOT'
# TAP version 13
# ok 1 a check that passed
# not ok 2 a check that failed
# # what the failing command said
# 1..2
not ok - host: replay-check.sh
EOT
# A binary killed mid-test: its own file ends in the test's lines.
cat >"$tmp/killed.tap" <<'EOT'
TAP version 13
1..2
#  RUN           trace.slow ...
# lde_trace_test.c:30:slow:still waiting
EOT
long=$( {
	echo "# #  RUN           trace.long ..."
	seq 1 100 | sed 's/^/# # line /'
	echo "# not ok 3 trace.long"
})
printf '%s\n' "$long" >"$tmp/long.tap"

# expect NAME PATTERN [!]: what it said has a line matching PATTERN (or,
# with !, none).
expect() {
	local name=$1 pattern=$2 none=${3:-} found=no
	grep -q -E -- "$pattern" "$tmp/said" && found=yes
	if { [ -z "$none" ] && [ $found = yes ]; } ||
	   { [ -n "$none" ] && [ $found = no ]; }; then
		tap_ok "$name"
	else
		tap_not_ok "$name; it said:"
		sed 's/^/# /' "$tmp/said"
	fi
}

echo "TAP version 13"
"$top/scripts/tap-failures.sh" "6.1=$tmp/guest.tap" "host=$tmp/host.tap" "x=$tmp/long.tap" \
	"gone=$tmp/none.tap" "arm64, lde_trace_test=$tmp/killed.tap" >"$tmp/said" 2>&1
expect "a failing test is named with its kernel" '^# 6\.1: not ok 2 trace\.fails$'
expect "its assertion comes with it" '^#   lde_trace_test\.c:20:fails:Expected 0 \(0\) == late \(3\)$'
expect "the binary's verdict is named" '^# 6\.1: not ok 1 selftests: lde: lde_trace_test'
expect "a passing test's lines are not" 'a log line of a passing test|trace\.passes' !
expect "a host check's words after its not ok come" '^#   what the failing command said$'
expect "the host script's verdict is named" '^# host: not ok - host: replay-check\.sh$'
expect "a long test is cut in the middle" '^#   \.\.\. \(7[0-9] lines\)$'
expect "and keeps its last lines" '^#   line 100$'
expect "a file that is not there is passed over" 'gone' !
expect "a test with no verdict is told, by its file" '^# arm64, lde_trace_test: no verdict: its TAP ends here'
expect "with its lines" '^#   lde_trace_test\.c:30:slow:still waiting$'
expect "nothing after a binary's verdict is taken for its words" 'TAP version|Starting' !
tap_totals
