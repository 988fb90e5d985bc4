#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make check`, guest half: one boot runs every kselftest given; the guest
# console is judged too.  Prints the TAP, then last a line
# "N passed, N failed" (skips counted apart), and exits non-zero if any
# test failed, the console shows a splat, or the guest timed out.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/vm
rm -f "$out/results"

"$top/scripts/vm-run.sh" -t "${VM_TIMEOUT:-900}" -o "$out" -- \
	env LDE_KO="${LDE_KO:?}" LDE_DKMS_KO="${LDE_DKMS_KO:-}" \
	LDE_TRACE="${LDE_TRACE:?}" \
	"$top/scripts/guest-check.sh" "$@"
rc=$?

pass=0 fail=0 skip=0
if [ -f "$out/results" ]; then
	read -r pass fail skip <"$out/results"
else
	echo "# the guest wrote no results"
	fail=$((fail + 1))
fi
# The host-side unit tests (make check-host) count too.
if [ -f "$top/build/host-results" ]; then
	read -r hp hf hs <"$top/build/host-results"
	pass=$((pass + hp)) fail=$((fail + hf)) skip=$((skip + hs))
fi
# The console verdict counts as one more test.
case $rc in
0 | 1) echo "ok - guest console: no BUG, WARNING, Oops, lockdep report or RCU stall"
       pass=$((pass + 1)) ;;
3)     echo "not ok - guest console shows a splat (build/vm/splats.txt)"
       fail=$((fail + 1)) ;;
124)   echo "not ok - guest did not finish within ${VM_TIMEOUT:-900}s"
       fail=$((fail + 1)) ;;
*)     echo "not ok - guest run failed (exit $rc)"
       fail=$((fail + 1)) ;;
esac

if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
