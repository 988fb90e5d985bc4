#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make check`, host half: run the host-side kselftest binaries given and
# leave their summed totals in build/host-results for scripts/check.sh,
# and their TAP in build/host-check.tap (check.sh says what failed again).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
pass=0 fail=0 skip=0
tap=$top/build/host-check.tap
: >"$tap"
# Each argument is a test binary, or a command with its arguments.
for t in "$@"; do
	read -r -a cmd <<<"$t"
	out=$("${cmd[@]}" 2>&1)
	rc=$?
	echo "$out" | sed 's/^/# /' | tee -a "$tap"
	read -r p f s < <(echo "$out" | awk '/^# Totals: pass:/ {
		for (i = 3; i <= NF; i++) { split($i, kv, ":"); n[kv[1]] = kv[2] }
		print n["pass"], n["fail"] + n["error"], n["skip"]; found = 1 }
		END { if (!found) print 0, 1, 0 }')
	[ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	if [ $rc -eq 0 ]; then
		echo "ok - host: $(basename "${cmd[0]}")"
	else
		echo "not ok - host: $(basename "${cmd[0]}")"
	fi | tee -a "$tap"
done
echo "$pass $fail $skip" >"$top/build/host-results"
