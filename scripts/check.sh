#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `make check`, guest half: one boot per kernel runs every kselftest given;
# each guest's console is judged too.  The boots run side by side (each
# single-threaded TCG guest takes one host CPU), their TAP is printed one
# kernel after the other, and last comes one line "N passed, N failed"
# over all kernels and the host tests (skips counted apart), after what
# failed told again (scripts/tap-failures.sh: a log cut to its head and
# tail still names the failure and its lines).  Exits
# non-zero if any test failed, a console shows a splat, or a guest timed
# out.
#
#   usage: check.sh KVER:LDE_KO:DKMS_KO... -- TEST...
#
# LDE_GUEST_ENV: more NAME=VALUE words for the guest's environment;
# LDE_NO_HOST_RESULTS: leave make check-host's counts out (make check-debug).
#
# A KVER ending in -arm64 boots the arm64 guest (vm-run.sh -a arm64) and
# runs the same tests built for arm64, each TEST's name taken from
# $LDE_ARM64_SELFTESTS, with $LDE_ARM64_TRACE as its lde-trace.  Its time
# bounds are scaled by LDE_ARM64_TIMEOUT_SCALE (default 4): TCG runs an
# arm64 guest on an x86 host many times slower than an x86 one (a null
# system call: 23.6 us against 0.38 us, lde-bench's medians); its whole
# boot gets VM_TIMEOUT and half again (it powered off at 722-1020 s in make check,
# the x86 guests at 607-682 s; at 1,812-1,940 s with five guests on two CPUs;
# no more than CI's 90 minutes).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
specs=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
	specs+=("$1")
	shift
done
shift
pids=()
for spec in "${specs[@]}"; do
	IFS=: read -r kver ko dkms_ko <<<"$spec"
	out=$top/build/vm/$kver
	mkdir -p "$out"
	rm -f "$out/results" "$out/rc"
	tests=("$@")
	trace=${LDE_TRACE:?}
	read -ra guest_env <<<"${LDE_GUEST_ENV:-}"
	# The harness's time bounds are hang guards, not timings: twice
	# theirs under TCG (a 30 s test, most of it lde-trace's start, BTF
	# and the verifier, ran past 30 s with six guests on two CPUs).
	guest_env=("LDE_TEST_BOUND_SCALE=${LDE_TEST_BOUND_SCALE:-2}" "${guest_env[@]}")
	vm_timeout=${VM_TIMEOUT:-3000}
	case $kver in
	*-arm64)
		tests=()
		for t in "$@"; do
			tests+=("${LDE_ARM64_SELFTESTS:?}/${t##*/}")
		done
		trace=${LDE_ARM64_TRACE:?}
		guest_env=("LDE_TEST_TIMEOUT_SCALE=${LDE_ARM64_TIMEOUT_SCALE:-4}" "${guest_env[@]}")
		vm_timeout=$((vm_timeout * 3 / 2)) ;;
	esac
	(
		KVER=$kver "$top/scripts/vm-run.sh" -t "$vm_timeout" \
			-o "$out" -- \
			env LDE_KO="$ko" LDE_DKMS_KO="$dkms_ko" \
			LDE_TRACE="$trace" "${guest_env[@]}" \
			"$top/scripts/guest-check.sh" "${tests[@]}" >"$out/tap.txt" 2>&1
		echo $? >"$out/rc"
	) &
	pids+=($!)
done
wait "${pids[@]}"

pass=0 fail=0 skip=0
guest_failures=()
# not_ok WHAT: a guest's verdict that failed, counted and told again last.
not_ok() {
	echo "not ok - $1"
	guest_failures+=("$1")
	fail=$((fail + 1))
}
for spec in "${specs[@]}"; do
	IFS=: read -r kver _ <<<"$spec"
	out=$top/build/vm/$kver
	echo "# kernel $kver"
	cat "$out/tap.txt"
	if [ -f "$out/results" ]; then
		read -r p f s <"$out/results"
		pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	else
		not_ok "the guest ($kver) wrote no results"
		# virtme-ng's init waits 120 s for udev to make the virtio
		# ports; a slow guest can miss that (a debug kernel's did with
		# every udev rule: LDE_VM_UDEV_RULES, scripts/vm-run.sh).
		grep -q "cannot find script I/O ports" "$out/console.log" 2>/dev/null &&
			echo "# its udev did not make the script ports within virtme-init's 120 s settle (console.log: 'waiting for udev to settle')"
	fi
	# The console verdict counts as one more test.
	rc=$(cat "$out/rc" 2>/dev/null || echo 2)
	case $rc in
	0 | 1) echo "ok - guest console ($kver): no BUG, WARNING, Oops, lockdep report or RCU stall"
	       pass=$((pass + 1)) ;;
	3)     not_ok "guest console ($kver) shows a splat (build/vm/$kver/splats.txt)" ;;
	4)     not_ok "guest ($kver) could not power off, no kernel splat: its init exited instead (the lde: line above says why)" ;;
	124)   not_ok "guest ($kver) did not finish within VM_TIMEOUT (${VM_TIMEOUT:-3000} s; half again for arm64)" ;;
	*)     not_ok "guest run ($kver) failed (exit $rc)" ;;
	esac
done
# The host-side unit tests (make check-host) count too, where they ran.
if [ -z "${LDE_NO_HOST_RESULTS:-}" ] && [ -f "$top/build/host-results" ]; then
	read -r hp hf hs <"$top/build/host-results"
	pass=$((pass + hp)) fail=$((fail + hf)) skip=$((skip + hs))
fi

if [ "$fail" -gt 0 ]; then
	echo "# what failed, again:"
	failed_taps=()
	[ -z "${LDE_NO_HOST_RESULTS:-}" ] && failed_taps+=("host=$top/build/host-check.tap")
	for spec in "${specs[@]}"; do
		IFS=: read -r kver _ <<<"$spec"
		failed_taps+=("$kver=$top/build/vm/$kver/tap.txt")
		# A binary that never finished (killed, or its guest timed out)
		# left its lines in its own file only (scripts/guest-check.sh).
		for t in "$top/build/vm/$kver"/*.tap; do
			[ -f "$t" ] && ! grep -q '^# Totals: ' "$t" &&
				failed_taps+=("$kver, $(basename "$t" .tap)=$t")
		done
	done
	"$top/scripts/tap-failures.sh" "${failed_taps[@]}"
	for verdict in "${guest_failures[@]+"${guest_failures[@]}"}"; do
		echo "# not ok - $verdict"
	done
fi
if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
