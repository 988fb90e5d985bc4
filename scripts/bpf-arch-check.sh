#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make lint: x86's registers and layouts are named in bpf/ by
# lde_arch_x86.bpf.h alone; every other file reads them through its
# functions (lde_arch.bpf.h picks the arch header), so a second arch is a
# header, not edits all over.  Prints file:line: what, for each, and exits
# 1 if any.  Usage: bpf-arch-check.sh [DIR] (default: bpf/ of this tree).
set -u
dir=${1:-$(cd "$(dirname "$0")/.." && pwd)/bpf}

# Names only x86 has: pt_regs' registers, the switch frame, the
# tracepoint of the local APIC timer, the compat flag and segment.
# A register is read as regs->X, (cast)->X or BPF_CORE_READ(regs, X); an
# event's own ip and sp fields (lde_trace.h) are not registers.
reg='(regs->|\)->|BPF_CORE_READ\([^,]*, *)'
x86_only="orig_ax|inactive_task_frame|local_timer_entry|TS_COMPAT|USER64_CS|thread_info\\.status|thread\\.sp\\b|$reg(ip|cs|ss|ax|bx|cx|dx|si|di|bp|r8|r9|r1[0-5])\\b"
# What every arch has, read only by an arch header: a register saved in
# pt_regs (sp), and the thread struct of the switch's saved context.
any_arch="${reg}sp\\b|[.>]thread\\."

bad=0
for f in "$dir"/*.h "$dir"/*.c; do
	[ -e "$f" ] || continue
	name=$(basename "$f")
	case $name in
	lde_arch_x86.bpf.h) continue ;;
	lde_arch_*.bpf.h) pattern=$x86_only ;;
	*) pattern="$x86_only|$any_arch" ;;
	esac
	while IFS= read -r hit; do
		echo "$f:${hit%%:*}: x86 register or layout outside lde_arch_x86.bpf.h: ${hit#*:}" >&2
		bad=1
	done < <(grep -nE "$pattern" "$f")
done
[ $bad = 0 ] || exit 1
echo "ok - bpf-arch: no x86 register or layout named outside lde_arch_x86.bpf.h"
