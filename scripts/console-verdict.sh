#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Judge a guest's kernel console (vm-run.sh's console.log): a splat, or a
# guest that could not power off, each said in one clear line.
#
#   usage: console-verdict.sh CONSOLE_LOG [SPLATS_OUT]
#
# Exit status: 0 clean; 3 a splat (BUG, WARNING, Oops, lockdep, RCU
# stall, a kernel panic, ...; its lines in SPLATS_OUT); 4 the guest could
# not power off.  virtme-ng's init (PID 1) ends with `poweroff -f`; where
# the host's root has no poweroff (a container or chroot with no init
# package: systemd-sysv is what provides it on Debian), init exits
# instead and the kernel panics with "Attempted to kill init!
# exitcode=0x00000000": the command had finished, the kernel is not at
# fault, and the panic's own stack dump is no splat either.
set -u
console=${1:?usage: console-verdict.sh CONSOLE_LOG [SPLATS_OUT]}
splats_out=${2:-/dev/null}

# What a healthy kernel never prints.
splat='BUG:|WARNING:|Oops|general protection|Call Trace|possible circular locking|possible recursive locking|lockdep.*(turned off|disabled)|DEBUG_LOCKS_WARN|rcu.*(stall|detected stalls)|blocked for more than|Kernel panic|UBSAN:|suspected memory leak'
init_exited='Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000000'

# Init exited normally: judge what came before the panic, and say why
# the power-off failed when init said so.
judged=$console
panic_line=$(grep -n -m1 -F "$init_exited" "$console" | cut -d: -f1)
if [ -n "$panic_line" ]; then
	judged=$(mktemp)
	trap 'rm -f "$judged"' EXIT
	head -n "$((panic_line - 1))" "$console" >"$judged"
fi
if grep -E -n "$splat" "$judged" >"$splats_out"; then
	echo "lde: the guest console shows a splat:" >&2
	head -n 40 "$splats_out" >&2
	exit 3
fi
if [ -n "$panic_line" ]; then
	why=$(grep -m1 -o -E 'poweroff: (command )?not found|poweroff: .*(No such file|Permission denied)' "$console")
	echo "lde: the guest could not power off: virtme-ng's init ended with 'poweroff -f'${why:+ (\"$why\")}, init exited, so the kernel panicked (exitcode=0x00000000) after the command had finished; no kernel splat.  This machine's root needs a poweroff (Debian: systemd-sysv; scripts/setup.sh installs it)" >&2
	exit 4
fi
exit 0
