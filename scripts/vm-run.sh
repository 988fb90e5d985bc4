#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boot Debian's kernel once under QEMU (TCG) with virtme-ng, run one command
# in the guest, and judge the guest console.
#
#   usage: vm-run.sh [-t SECONDS] [-o DIR] -- COMMAND [ARG...]
#
# The guest sees the host's filesystem read-only; DIR (default build/vm),
# seen as $LDE_OUT in the guest, is the only place it may write back.  The command's output streams to stdout as it
# comes; the kernel console goes to DIR/console.log.  Exit status: the
# command's, or 124 when the guest did not finish in time, or 3 when the
# console shows a splat (BUG, WARNING, Oops, lockdep, RCU stall, ...), or
# 4 when the guest could not power off (scripts/console-verdict.sh).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
timeout_s=600
outdir=$top/build/vm
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

kver=$("$top/scripts/kernel-release.sh")
# virtme-ng's init powers the guest off with the host root's poweroff,
# found on its own PATH.
PATH=/bin:/sbin:/usr/bin:/usr/sbin:/usr/local/bin command -v poweroff >/dev/null ||
	echo "lde: this machine has no poweroff (no init package: a container or chroot?): the guest will not power off at the end; scripts/setup.sh installs systemd-sysv" >&2
# LDE_KERNEL_IMAGE: boot this image instead (make check-debug's kernel).
image=${LDE_KERNEL_IMAGE:-/boot/vmlinuz-$kver}
mkdir -p "$outdir"
console=$outdir/console.log
guest_out=$outdir/guest.out
: >"$console"
: >"$guest_out"

# vng loses guest output written to a pipe, so it goes to a file that is
# followed here for live progress.
tail -n +1 -f "$guest_out" &
follower=$!
trap 'kill $follower 2>/dev/null || true' EXIT

# One host thread runs both vCPUs (thread=single).  Multi-threaded TCG hangs
# the guest, after a few to a few hundred toggles, when the kernel re-patches
# a hot call site such as sched_switch's (first probe on, last probe off):
# seen toggling sched:sched_switch in tracefs with no lde code loaded, and
# gone with thread=single (1500 toggles clean).
#
# LDE_TCG_THREAD=multi asks for multi-threaded TCG all the same: `make
# bench` uses it for the tracer comparison only, where a tracer's reader
# must run beside the traced program as on real hardware; that boot
# re-patches only the system-call tracepoints, a few dozen times.
qemu_opts="-accel tcg,thread=${LDE_TCG_THREAD:-single}"
# TCG's TSC runs at a constant rate from the host clock, but the kernel's
# watchdog distrusts it and falls back to the emulated HPET, where every
# clock read is an MMIO exit (clock_gettime then costs a system call and
# each BPF timestamp a device emulation).  Trust the TSC.
kernel_args="clocksource=tsc tsc=reliable"
cmd=$(printf '%q ' "$@")
# The guest's root is read-only; its /tmp is a writable overlay, so the
# shared directory is mounted there (a path under the source tree is not).
guest_dir=/tmp/lde-out
rc=0
timeout --kill-after=10 "$timeout_s" \
	vng -r "$image" --disable-kvm --cpus 2 --memory 2G \
	--qemu-opts="$qemu_opts" --append "$kernel_args" \
	--verbose --rwdir "$guest_dir=$outdir" --cwd "$top" \
	--exec "LDE_OUT=$guest_dir $cmd" >"$guest_out" 2>"$console" </dev/null || rc=$?
sleep 0.3
kill $follower 2>/dev/null || true

if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
	echo "lde: the guest did not finish within ${timeout_s}s; console tail:" >&2
	tail -n 40 "$console" >&2
	exit 124
fi

rc_console=0
"$top/scripts/console-verdict.sh" "$console" "$outdir/splats.txt" || rc_console=$?
[ $rc_console -ne 0 ] && exit $rc_console
exit $rc
