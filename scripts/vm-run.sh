#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boot Debian's kernel once under QEMU (TCG) with virtme-ng, run one command
# in the guest, and judge the guest console.
#
#   usage: vm-run.sh [-a ARCH] [-t SECONDS] [-o DIR] -- COMMAND [ARG...]
#
# ARCH (or $LDE_ARCH; a KVER ending in -arm64 says it too): x86_64, the
# default, boots the host's own kernel on the host's root; arm64 boots
# Debian's arm64 kernel ($ARM64_KVER, default below) on the arm64 root
# scripts/arm64-fetch.sh lays out in build/arm64 (fetched on first use),
# with this source tree mounted read-only at its own path.
# The guest sees the host's filesystem read-only; DIR (default build/vm,
# build/vm-arm64 for arm64), seen as $LDE_OUT in the guest, is the only
# place it may write back.  The command's output streams to stdout as it
# comes; the kernel console goes to DIR/console.log.  Exit status: the
# command's, or 124 when the guest did not finish in time, or 3 when the
# console shows a splat (BUG, WARNING, Oops, lockdep, RCU stall, ...), or
# 4 when the guest could not power off (scripts/console-verdict.sh).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
timeout_s=600
outdir=
usage="usage: $0 [-a x86_64|arm64] [-t SECONDS] [-o DIR] -- COMMAND [ARG...]"
arch=${LDE_ARCH:-}
case ${KVER:-} in *-arm64) arch=${arch:-arm64} ;; esac
while getopts "a:t:o:" opt; do
	case $opt in
	a) arch=$OPTARG ;;
	t) timeout_s=$OPTARG ;;
	o) outdir=$OPTARG ;;
	*) echo "$usage" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ "${1:-}" = "--" ] && shift
[ $# -gt 0 ] || { echo "$usage" >&2; exit 2; }

case ${arch:-x86_64} in
x86_64 | amd64 | x86)
	arch=x86_64
	kver=$("$top/scripts/kernel-release.sh")
	outdir=${outdir:-$top/build/vm} ;;
arm64 | aarch64)
	arch=arm64
	case ${KVER:-} in
	*-arm64) kver=$KVER ;;
	*) kver=$("$top/scripts/kernel-release.sh" --arm64) ;;
	esac
	root=$top/build/arm64/root
	# Lays out (or refreshes) the root; a no-op when it is as listed.
	ARM64_KVER=$kver "$top/scripts/arm64-fetch.sh" "$top/build/arm64" >/dev/null
	# The source tree's mount point inside the (read-only) root.
	mkdir -p "$root$top"
	outdir=${outdir:-$top/build/vm-arm64} ;;
*) echo "lde: vm-run.sh boots x86_64 or arm64, not '$arch'" >&2; exit 2 ;;
esac
# virtme-ng's init powers the guest off with the host root's poweroff,
# found on its own PATH (the arm64 root has busybox's).
[ "$arch" = arm64 ] ||
	PATH=/bin:/sbin:/usr/bin:/usr/sbin:/usr/local/bin command -v poweroff >/dev/null ||
	echo "lde: this machine has no poweroff (no init package: a container or chroot?): the guest will not power off at the end; scripts/setup.sh installs systemd-sysv" >&2
# LDE_KERNEL_IMAGE: boot this image instead (make check-debug's kernel).
if [ "$arch" = arm64 ]; then
	image=${LDE_KERNEL_IMAGE:-$root/boot/vmlinuz-$kver}
else
	image=${LDE_KERNEL_IMAGE:-/boot/vmlinuz-$kver}
fi
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
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
# no_timer_check: the boot's IO-APIC timer check counts ticks in a busy
# loop and panics ("IO-APIC + timer doesn't work!") when a busy host stalls
# the vCPU through it (seen booting the debug kernel at load 10); the
# emulated timer works, as on the virtual machines that pass it too.
kernel_args="clocksource=tsc tsc=reliable no_timer_check"
cmd=$(printf '%q ' "$@")
# The guest's root is read-only; its /tmp is a writable overlay, so the
# shared directory is mounted there (a path under the source tree is not).
guest_dir=/tmp/lde-out
vng_args=(-r "$image" --append "$kernel_args" --cwd "$top")
exec_cmd="LDE_OUT=$guest_dir $cmd"
if [ "$arch" = arm64 ]; then
	# The arm64 root, with this tree mounted at its own path (vng wants
	# the working directory inside the root, so the command cds there);
	# --force-9p: the root over 9p, not virtiofs (saves a 7 s wait for
	# virtiofsd); cortex-a57: ARMv8.0, what Debian's kernel runs on
	# anywhere.  Its counter is the arch timer: no TSC arguments.
	qemu_opts="$qemu_opts -cpu cortex-a57"
	vng_args=(--arch arm64 --root "$root" -r "$image" --force-9p
		--rodir "$top=$top" --cwd "$root")
	exec_cmd="cd $(printf '%q' "$top") && $exec_cmd"
fi
# LDE_VM_NICE: run QEMU at this nice value (make check-debug: its guest
# takes one host CPU, ahead of anything beside it).
nice_cmd=()
[ -z "${LDE_VM_NICE:-}" ] || nice_cmd=(nice -n "$LDE_VM_NICE")
# LDE_VM_UDEV_RULES=default (make check-debug): the guest's udev gets only
# the host's 50-udev-default.rules, copied at run time (the devices' modes,
# and the virtio-ports names virtme-init runs the command through): with
# every rule, a debug kernel's coldplug under TCG outlasted virtme-init's
# 120 s settle in four boots of five (at nice -20 too), and then the
# command never ran; with this one, its settle took 24 s.  Mounted over
# the rules in the guest only; the host's stay as they are.  Not in the
# arm64 root: it has no rules, and a stand-in udevd that reads none.
if [ "${LDE_VM_UDEV_RULES:-}" = default ] && [ "$arch" != arm64 ]; then
	rules=$top/build/vm-udev-rules
	mkdir -p "$rules"
	cp /usr/lib/udev/rules.d/50-udev-default.rules "$rules/"
	vng_args+=(--rodir "/usr/lib/udev/rules.d=$rules")
fi
rc=0
timeout --kill-after=10 "$timeout_s" \
	"${nice_cmd[@]}" vng "${vng_args[@]}" --disable-kvm --cpus 2 --memory 2G \
	--qemu-opts="$qemu_opts" \
	--verbose --rwdir "$guest_dir=$outdir" \
	--exec "$exec_cmd" >"$guest_out" 2>"$console" </dev/null || rc=$?
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
