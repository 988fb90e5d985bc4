#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest: every kselftest binary given, in order, as the
# kselftest runner does (one TAP line each, their own TAP nested as
# comments), and the harness totals summed into $LDE_OUT/results.
set -u
out=${LDE_OUT:?LDE_OUT names the directory shared with the host}
pass=0 fail=0 skip=0 n=0

# With LDE_DKMS_KO, the module's own tests run again on the module dkms
# built (they load and unload it themselves).
dkms_tests=()
if [ -n "${LDE_DKMS_KO:-}" ]; then
	for t in "$@"; do
		case $(basename "$t") in
		lde_module_test | lde_trap_test | lde_switch_test | lde_layout_test)
			dkms_tests+=("dkms:$t") ;;
		esac
	done
fi

# make check-debug: kmemleak forgets what boot leaked, and is asked again
# after the last rmmod, below.
kmemleak=/sys/kernel/debug/kmemleak
if [ -n "${LDE_KMEMLEAK:-}" ]; then
	mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
	[ -w "$kmemleak" ] && echo clear >"$kmemleak"
fi

echo "TAP version 13"
echo "1..$(($# + ${#dkms_tests[@]}))"
for t in "$@" "${dkms_tests[@]+"${dkms_tests[@]}"}"; do
	n=$((n + 1))
	ko=$LDE_KO
	if [ "${t#dkms:}" != "$t" ]; then
		t=${t#dkms:}
		ko=$LDE_DKMS_KO
		name="dkms-$(basename "$t")"
		# The suite's module is unloaded first: the DKMS one replaces it.
		[ -d /sys/module/lde ] && rmmod lde
	else
		name=$(basename "$t")
	fi
	log=$out/$name.tap
	LDE_KO=$ko "$t" >"$log" 2>&1 </dev/null
	rc=$?
	sed 's/^/# /' "$log"
	totals=$(grep -E '^# Totals: pass:' "$log" | tail -n1)
	if [ -n "$totals" ]; then
		read -r p f s < <(awk '{
			for (i = 3; i <= NF; i++) { split($i, kv, ":"); n[kv[1]] = kv[2] }
			print n["pass"], n["fail"] + n["error"], n["skip"]
		}' <<<"$totals")
		pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
		# A binary that failed without a failing test died some other way.
		[ $rc -ne 0 ] && [ "$f" -eq 0 ] && fail=$((fail + 1))
	else
		echo "# $name: exited $rc without harness totals"
		fail=$((fail + 1))
	fi
	if [ $rc -eq 0 ]; then
		echo "ok $n selftests: lde: $name"
	else
		echo "not ok $n selftests: lde: $name # exit=$rc"
	fi
done

# Leave the kernel as it was found: lde.ko must unload cleanly.
if [ -d /sys/module/lde ] && ! rmmod lde; then
	echo "# rmmod lde failed at the end of the suite"
	fail=$((fail + 1))
fi
if [ -n "${LDE_KMEMLEAK:-}" ]; then
	if [ ! -w "$kmemleak" ]; then
		echo "not ok - kmemleak: $kmemleak is missing"
		fail=$((fail + 1))
	else
		# Two scans: an object is reported once it stayed unreferenced
		# over a scan (kmemleak's own rule).
		echo scan >"$kmemleak"; sleep 6; echo scan >"$kmemleak"
		cat "$kmemleak" >"$out/kmemleak.txt"
		if [ -s "$out/kmemleak.txt" ]; then
			echo "not ok - kmemleak: $(grep -c '^unreferenced object' "$out/kmemleak.txt") objects leaked ($out/kmemleak.txt)"
			sed 's/^/# /' "$out/kmemleak.txt" | head -n 40
			fail=$((fail + 1))
		else
			echo "ok - kmemleak: nothing leaked after the last rmmod"
			pass=$((pass + 1))
		fi
	fi
fi
echo "$pass $fail $skip" >"$out/results"
