# SPDX-License-Identifier: GPL-2.0
# The TAP the host checks print, sourced by replay-check.sh,
# handout-check.sh, help-check.sh, fuzz-check.sh and
# tap-failures-check.sh: tap_ok and tap_not_ok number a test and count
# it; check runs one, with what a failing command said as "# " lines;
# tap_totals ends the plan with kselftest's "# Totals" line.  A script
# that calls check first sets tmp to a directory of its own (the failing
# command's words go there, NUL bytes and all).
pass=0 fail=0 skip=0 n=0

tap_ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n $1"; }
tap_not_ok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n $1"; }

check() {	# check NAME COMMAND...: ok when the command succeeds
	local name=$1
	shift
	if "$@" >"$tmp/why" 2>&1; then
		tap_ok "$name"
	else
		tap_not_ok "$name"
		sed 's/^/# /' "$tmp/why" | head -n 20
	fi
}

tap_totals() {	# the plan and the totals; fails when a test failed
	echo "1..$n"
	echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
	[ "$fail" -eq 0 ]
}
