#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Host test of scripts/console-verdict.sh: a guest that could not power
# off is told from a kernel splat, on consoles shaped as virtme-ng's
# guests print them.  TAP, with the harness's totals line.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
verdict=$top/scripts/console-verdict.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 pass=0 fail=0

boot='[    0.000000] Linux version 6.12.57+deb13-amd64 (debian-kernel@lists.debian.org)
[    9.873412] virtme-init: triggering udev coldplug
[   14.202117] lde: loading out-of-tree module taints kernel.'
# virtme-init is bash: its `poweroff -f` with no poweroff, as a trixie
# minbase chroot's guest printed it.
no_poweroff='[   63.089228] virtme-init: script returned {0}
/usr/lib/python3/dist-packages/virtme/guest/virtme-init: line 361: poweroff: command not found
[   63.446887] Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000000
[   63.454939] CPU: 0 UID: 0 PID: 1 Comm: virtme-init Not tainted 6.12.117+deb13-amd64 #1  Debian 6.12.117-1
[   63.456218] Call Trace:
[   63.457103]  <TASK>
[   63.460953]  dump_stack_lvl+0x5d/0x80
[   63.462298]  panic+0x118/0x2db
[   63.462465]  do_exit.cold+0x15/0x15
[   63.462605]  do_group_exit+0x30/0x80
[   63.464146]  __x64_sys_exit_group+0x18/0x20
[   63.469290] RIP: 0033:0x7f1faae3e015'
warning='[   30.117001] WARNING: CPU: 0 PID: 412 at kernel/sched/core.c:3105 set_task_cpu+0x1a0/0x1c0
[   30.117913] Call Trace:'

# expect NAME STATUS PATTERN CONSOLE: the verdict's exit status, and a
# line of what it said matching PATTERN.
expect() {
	local name=$1 want=$2 pattern=$3 got said
	n=$((n + 1))
	printf '%s\n' "$4" >"$tmp/console.log"
	said=$("$verdict" "$tmp/console.log" "$tmp/splats.txt" 2>&1)
	got=$?
	if [ "$got" -eq "$want" ] && grep -q -E -- "$pattern" <<<"$said"; then
		echo "ok $n - $name"
		pass=$((pass + 1))
	else
		echo "not ok $n - $name: exit $got (want $want), said: ${said:-nothing}"
		fail=$((fail + 1))
	fi
}

echo "TAP version 13"
expect "a clean console passes" 0 '^$' "$boot"
expect "no poweroff: could not power off, not a splat" 4 \
	'could not power off.*poweroff: command not found.*no kernel splat' \
	"$boot
$no_poweroff"
expect "a WARNING is a splat" 3 'shows a splat' "$boot
$warning"
expect "a WARNING before a failed power-off is still a splat" 3 \
	'shows a splat' "$boot
$warning
$no_poweroff"
expect "init killed by a signal is a splat" 3 'shows a splat' "$boot
[   61.402210] Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b"
echo "1..$n"
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:0 error:0"
[ "$fail" -eq 0 ]
