/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86-64's registers and layouts, for lde_trace.bpf.c: the one file of
 * bpf/ that names them (make lint checks, scripts/bpf-arch-check.sh).
 *
 * A new arch is a new lde_arch_<arch>.bpf.h beside this one, picked by
 * __TARGET_ARCH_<arch> in lde_arch.bpf.h, giving the same names:
 *
 *   LDE_ARCH_NR_execve, LDE_ARCH_NR_execveat, LDE_ARCH_NR_rt_sigreturn,
 *   LDE_ARCH_NR_sched_yield          native system-call numbers
 *   LDE_ARCH_NR_COMPAT_execve, LDE_ARCH_NR_COMPAT_execveat
 *                                    the same in the compat table
 *   LDE_ARCH_TIF_NEED_RESCHED        thread_info.flags' need-resched bit
 *   LDE_ARCH_TIMER_TP                the timer interrupt's tracepoint
 *   lde_regs_ip(), lde_regs_sp()     the saved user PC and stack pointer
 *   lde_regs_privilege()             the mode they were saved in, raw
 *   lde_regs_syscall_nr()            the number of the call under way
 *   lde_regs_syscall_args()          the six arguments, native table
 *   lde_regs_compat_args()           the six arguments, compat table
 *   lde_regs_user_word()             8 or 4: the program's word size
 *   lde_regs_cleared()               every general register is 0
 *   lde_task_syscall_compat()        enum lde_compat of the current call
 *   lde_sigreturn_mask_addr()        where rt_sigreturn's mask is
 *   lde_task_saved_sp()              switch(): a task's saved kernel SP
 *   lde_task_saved_resume()          switch(): where it resumes
 *   lde_arch_timer_tick()            this timer tracepoint is the tick
 *   lde_irq_regs_user(), lde_irq_regs_ip()
 *                                    __irq_regs: user mode? its PC
 */
#ifndef _LDE_ARCH_X86_BPF_H
#define _LDE_ARCH_X86_BPF_H

#include "lde_trace.h"

/* x86-64 system-call numbers of the calls the programs single out. */
#define LDE_ARCH_NR_execve		59
#define LDE_ARCH_NR_execveat		322
#define LDE_ARCH_NR_rt_sigreturn	15
#define LDE_ARCH_NR_sched_yield		24
/* The calls that start a program, in the i386 table. */
#define LDE_ARCH_NR_COMPAT_execve	11
#define LDE_ARCH_NR_COMPAT_execveat	358

/* x86's thread_info flag (arch/x86/include/asm/thread_info.h). */
#define LDE_ARCH_TIF_NEED_RESCHED	3

/*
 * arch/x86/include/asm/thread_info.h: the entry code sets TS_COMPAT in
 * thread_info.status for a system call made through the i386 table (int
 * $0x80, sysenter, a 32-bit syscall), and clears it on the way back to
 * user mode, after sys_exit: the kernel's own in_ia32_syscall().
 */
#define TS_COMPAT	0x0002
/* The user code segment of 64-bit mode (user_64bit_mode()). */
#define USER64_CS	0x33

/* The local APIC timer's interrupt, x86 only. */
#define LDE_ARCH_TIMER_TP	"tp_btf/local_timer_entry"

static __always_inline __u64 lde_regs_ip(struct pt_regs *regs)
{
	return regs->ip;
}

static __always_inline __u64 lde_regs_sp(struct pt_regs *regs)
{
	return regs->sp;
}

/* The CPL the registers were saved at: 3 for user mode, 0 for kernel. */
static __always_inline __u64 lde_regs_privilege(struct pt_regs *regs)
{
	return regs->cs & 3;
}

/*
 * The system call a task is in: orig_ax holds the number during a call
 * and a negative value in an interrupt or exception.
 */
static __always_inline long lde_regs_syscall_nr(struct pt_regs *regs)
{
	return regs->orig_ax;
}

/* The x86-64 system-call convention: di, si, dx, r10, r8, r9. */
static __always_inline void lde_regs_syscall_args(struct pt_regs *regs,
						  unsigned long long *args)
{
	args[0] = regs->di;
	args[1] = regs->si;
	args[2] = regs->dx;
	args[3] = regs->r10;
	args[4] = regs->r8;
	args[5] = regs->r9;
}

/*
 * The i386 convention: bx, cx, dx, si, di, bp, 32 bits each (the kernel's
 * __ia32_sys_* wrappers take the low halves).
 */
static __always_inline void lde_regs_compat_args(struct pt_regs *regs,
						 unsigned long long *args)
{
	args[0] = (__u32)regs->bx;
	args[1] = (__u32)regs->cx;
	args[2] = (__u32)regs->dx;
	args[3] = (__u32)regs->si;
	args[4] = (__u32)regs->di;
	args[5] = (__u32)regs->bp;
}

/*
 * The new program's words, at an execve's return: 4 bytes when
 * start_thread_ia32() made it a 32-bit one, whatever table the execve
 * came through.
 */
static __always_inline __u32 lde_regs_user_word(struct pt_regs *regs)
{
	return regs->cs == USER64_CS ? 8 : 4;
}

/* ELF_PLAT_INIT zeroed every general register of a new program. */
static __always_inline bool lde_regs_cleared(struct pt_regs *regs)
{
	return !(regs->ax | regs->bx | regs->cx | regs->dx | regs->si |
		 regs->di | regs->bp | regs->r8 | regs->r9 | regs->r10 |
		 regs->r11 | regs->r12 | regs->r13 | regs->r14 | regs->r15);
}

/* The table the current system call's number is in: in_ia32_syscall(). */
static __always_inline __u32 lde_task_syscall_compat(struct task_struct *task)
{
	return task->thread_info.status & TS_COMPAT ? LDE_COMPAT_I386 :
						     LDE_COMPAT_NONE;
}

/*
 * rt_sigreturn's operand, the mask it restores: the handler's return
 * popped pretcode, so the frame starts a word below the stack pointer,
 * where sys_rt_sigreturn() looks for it.
 */
static __always_inline __u64 lde_sigreturn_mask_addr(__u64 sp)
{
	return sp - sizeof(long) +
	       __builtin_offsetof(struct rt_sigframe, uc.uc_sigmask);
}

/* The kernel stack pointer switch() saved in t: thread.sp. */
static __always_inline __u64 lde_task_saved_sp(struct task_struct *t)
{
	return t->thread.sp;
}

/*
 * Where t's saved kernel context resumes: the return address on top of
 * the frame __switch_to_asm pushed (struct inactive_task_frame) at
 * thread.sp; 0 if it cannot be read.
 */
static __always_inline __u64 lde_task_saved_resume(struct task_struct *t,
						   __u64 saved_sp)
{
	struct inactive_task_frame *frame = (void *)saved_sp;
	__u64 resume = 0;

	if (bpf_probe_read_kernel(&resume, sizeof(resume), &frame->ret_addr))
		resume = 0;
	return resume;
}

/* local_timer_entry is the local APIC timer's alone: always the tick. */
static __always_inline bool lde_arch_timer_tick(unsigned long long *ctx)
{
	return true;
}

/* The registers the timer interrupted (__irq_regs) were user mode's. */
static __always_inline bool lde_irq_regs_user(struct pt_regs *regs)
{
	return BPF_CORE_READ(regs, cs) & 3;
}

static __always_inline __u64 lde_irq_regs_ip(struct pt_regs *regs)
{
	return BPF_CORE_READ(regs, ip);
}

#endif /* _LDE_ARCH_X86_BPF_H */
