/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Process lifecycle, for lde_trace.bpf.c's fork, exec, exit and reap
 * programs and sys_exit: a successful execve's return into the new
 * program (entry PC, stack, argv, cleared registers) and the processes
 * whose exit was sent.
 */
#ifndef _LDE_PROCESS_BPF_H
#define _LDE_PROCESS_BPF_H

#include "lde_arch.bpf.h"
#include "lde_event.bpf.h"

/*
 * Processes whose exit was sent: once, when the last thread exits.  In an
 * exit_group every thread exits at once, and those that counted
 * themselves out before the last may reach the tracepoint after it.
 * Cleared at the reap.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);	/* tgid */
	__type(value, __u8);
} exited_tgids SEC(".maps");

/* A user word of 8 or 4 bytes (little-endian: the low half), as a u64. */
static __always_inline long read_user_word(__u64 *v, unsigned long addr,
					   __u32 word)
{
	*v = 0;
	if (word == 4)
		return bpf_probe_read_user(v, 4, (void *)addr);
	return bpf_probe_read_user(v, 8, (void *)addr);
}

/*
 * The return of a successful execve: return-from-trap into a new program.
 * start_thread() has written the registers the return restores: the PC
 * (the ELF interpreter's entry, or the program's when it has none), the
 * stack pointer at argc, argv[] above it; ELF_PLAT_INIT zeroed the rest.
 * The strings are read from the new user stack, LDE_ARGV_MAX of them at
 * most, each cut at LDE_ARG_LEN - 1 bytes (marked in argv_cut).
 */
static __always_inline void send_exec_return(__u32 cpu,
					     struct task_struct *task,
					     struct pt_regs *regs, __u64 now,
					     __u64 start, __s32 nr,
					     __u32 compat)
{
	unsigned long sp = lde_regs_sp(regs);
	/* The new program's words: 8 bytes, or 4 for a 32-bit one. */
	__u32 word = lde_regs_user_word(regs);
	struct lde_batch *b;
	struct lde_event *e;
	__u64 argc = 0, arg;
	long len;
	int i;

	e = event_start(&b, cpu, LDE_EVENT_EXEC_RETURN, now, task);
	if (!e)
		return;
	e->exec_ret.ret.nr = nr;
	e->exec_ret.ret.compat = compat;
	e->exec_ret.ret.ret = 0;
	e->exec_ret.ret.kernel_ns = now - start;
	e->exec_ret.entry_ip = lde_regs_ip(regs);
	e->exec_ret.user_sp = sp;
	e->exec_ret.regs_cleared = lde_regs_cleared(regs);
	if (read_user_word(&argc, sp, word))
		argc = 0;
	e->exec_ret.argc = argc;
	e->exec_ret.argv_read = 0;
	e->exec_ret.argv_cut = 0;
	__builtin_memset(e->exec_ret.argv, 0, sizeof(e->exec_ret.argv));
	for (i = 0; i < LDE_ARGV_MAX && i < argc; i++) {
		char *s = e->exec_ret.argv[i], last = 0;

		if (read_user_word(&arg, sp + word + word * i, word))
			break;
		len = bpf_probe_read_user_str(s, LDE_ARG_LEN, (void *)arg);
		if (len < 0)
			break;
		e->exec_ret.argv_read = i + 1;
		/* Full: cut, unless the string ended exactly there. */
		if (len == LDE_ARG_LEN &&
		    (bpf_probe_read_user(&last, 1,
					 (void *)(arg + LDE_ARG_LEN - 1)) ||
		     last))
			e->exec_ret.argv_cut |= 1U << i;
	}
	event_send(b, LDE_EVENT_EXEC_RETURN);
}

#endif /* _LDE_PROCESS_BPF_H */
