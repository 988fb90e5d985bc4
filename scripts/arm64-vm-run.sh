#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boot Debian's arm64 kernel under QEMU (TCG) with virtme-ng, on the arm64
# root that scripts/arm64-fetch.sh laid out, run one command in the guest
# and judge the guest console: vm-run.sh's job for the second ISA.
#
#   usage: arm64-vm-run.sh [-t SECONDS] [-o DIR] -- COMMAND [ARG...]
#
# The guest's root is build/arm64/root (read-only); this source tree is
# mounted read-only at its own path, so host paths under it work as they
# are; DIR (default build/vm-arm64), $LDE_OUT in the guest, is the only
# writable place.  Exit status: the command's, 124 when the guest did not
# finish in time, 3 when the console shows a splat.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
timeout_s=600
outdir=$top/build/vm-arm64
while getopts "t:o:" opt; do
	case $opt in
	t) timeout_s=$OPTARG ;;
	o) outdir=$OPTARG ;;
	*) echo "usage: $0 [-t SECONDS] [-o DIR] -- COMMAND [ARG...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ "${1:-}" = "--" ] && shift
[ $# -gt 0 ] || { echo "usage: $0 [-t SECONDS] [-o DIR] -- COMMAND [ARG...]" >&2; exit 2; }

kver=${ARM64_KVER:-6.12.118+deb12-arm64}
root=$top/build/arm64/root
image=$root/boot/vmlinuz-$kver
if [ ! -e "$root/.lde-ready" ] || [ ! -e "$image" ]; then
	ARM64_KVER=$kver "$top/scripts/arm64-fetch.sh" "$top/build/arm64"
fi
# The mount point of the source tree inside the (read-only) root; vng
# wants the working directory inside the root, so the command cds there.
mkdir -p "$root$top"
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
console=$outdir/console.log
guest_out=$outdir/guest.out
: >"$console"
: >"$guest_out"

tail -n +1 -f "$guest_out" &
follower=$!
trap 'kill $follower 2>/dev/null || true' EXIT

# One host thread for both vCPUs, as vm-run.sh does for x86 (and why).
# --force-9p: the root over 9p, not virtiofs (saves a 7 s wait for
# virtiofsd).  cortex-a57: ARMv8.0, what Debian's kernel runs on anywhere.
qemu_opts="-accel tcg,thread=${LDE_TCG_THREAD:-single} -cpu cortex-a57"
cmd=$(printf '%q ' "$@")
guest_dir=/tmp/lde-out
rc=0
timeout --kill-after=10 "$timeout_s" \
	vng --arch arm64 --root "$root" -r "$image" --disable-kvm --force-9p \
	--cpus 2 --memory 2G --qemu-opts="$qemu_opts" \
	--verbose --rodir "$top=$top" --rwdir "$guest_dir=$outdir" --cwd "$root" \
	--exec "cd $(printf '%q' "$top") && LDE_OUT=$guest_dir $cmd" >"$guest_out" 2>"$console" </dev/null || rc=$?
sleep 0.3
kill $follower 2>/dev/null || true

if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
	echo "lde: the arm64 guest did not finish within ${timeout_s}s; console tail:" >&2
	tail -n 40 "$console" >&2
	exit 124
fi

splat='BUG:|WARNING:|Oops|general protection|Call Trace|possible circular locking|possible recursive locking|lockdep.*(turned off|disabled)|DEBUG_LOCKS_WARN|rcu.*(stall|detected stalls)|blocked for more than|Kernel panic|UBSAN:|suspected memory leak'
if grep -E -n "$splat" "$console" >"$outdir/splats.txt"; then
	echo "lde: the arm64 guest console shows a splat:" >&2
	head -n 40 "$outdir/splats.txt" >&2
	exit 3
fi
exit $rc
