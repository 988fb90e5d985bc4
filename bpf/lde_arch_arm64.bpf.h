/* SPDX-License-Identifier: GPL-2.0 */
/*
 * arm64's registers and layouts, for lde_trace.bpf.c: the same names as
 * lde_arch_x86.bpf.h (the list is at its top), in arm64's words.  A trap
 * is `svc #0` from EL0: el0_svc saved the user registers in pt_regs
 * (regs[0..30], sp, pc, pstate), the number in syscallno and the first
 * argument again in orig_x0; `eret` returns to pc.  cpu_switch_to saves
 * x19-x28, fp, sp and lr (as pc) in thread.cpu_context.  The timer is the
 * arch timer's per-CPU interrupt: arm64 has no local APIC timer event.
 */
#ifndef _LDE_ARCH_ARM64_BPF_H
#define _LDE_ARCH_ARM64_BPF_H

#include "lde_trace.h"

/* include/uapi/asm-generic/unistd.h: arm64's native table. */
#define LDE_ARCH_NR_execve		221
#define LDE_ARCH_NR_execveat		281
#define LDE_ARCH_NR_rt_sigreturn	139
#define LDE_ARCH_NR_sched_yield		124
/*
 * The AArch32 (EABI) table's, for completeness: lde_task_syscall_compat()
 * below never says compat on arm64, so these are never compared.
 */
#define LDE_ARCH_NR_COMPAT_execve	11
#define LDE_ARCH_NR_COMPAT_execveat	387

/* arch/arm64/include/asm/thread_info.h */
#define LDE_ARCH_TIF_NEED_RESCHED	1

/* arch/arm64/include/uapi/asm/ptrace.h: pstate's mode field. */
#define LDE_PSR_MODE_MASK	0x0000000fULL
#define LDE_PSR_MODE_EL0t	0x00000000ULL
#define LDE_PSR_MODE32_BIT	0x00000010ULL

/*
 * The arch timer's interrupt is a per-CPU IRQ (a GIC PPI) like any other:
 * irq_handler_entry, told apart by its handler (lde_arch_timer_tick()).
 */
#define LDE_ARCH_TIMER_TP	"tp_btf/irq_handler_entry"

static __always_inline __u64 lde_regs_ip(struct pt_regs *regs)
{
	return regs->pc;
}

static __always_inline __u64 lde_regs_sp(struct pt_regs *regs)
{
	return regs->sp;
}

/*
 * The exception level the registers were saved at (pstate's M[3:2]): 0
 * for user mode (EL0), 1 for the kernel.  x86's CPL counts the other way.
 * The level the handler runs at is the kernel's own, EL1 (EL2 with VHE):
 * CurrentEL, which only lde.ko can read (its boot file's current_el, the
 * trace's boot "kernel_level"); the views say it (lde_arch_words.c).
 */
static __always_inline __u64 lde_regs_privilege(struct pt_regs *regs)
{
	return (regs->pstate & LDE_PSR_MODE_MASK) >> 2;
}

/*
 * The system call a task is in: syscallno holds the number during a call
 * and NO_SYSCALL (-1) in an interrupt or exception (kernel_entry sets it).
 */
static __always_inline long lde_regs_syscall_nr(struct pt_regs *regs)
{
	return regs->syscallno;
}

/*
 * The arm64 system-call convention: x0-x5, the first as el0_svc saved it
 * in orig_x0 (x0 becomes the return value), as syscall_get_arguments().
 */
static __always_inline void lde_regs_syscall_args(struct pt_regs *regs,
						  unsigned long long *args)
{
	args[0] = regs->orig_x0;
	args[1] = regs->regs[1];
	args[2] = regs->regs[2];
	args[3] = regs->regs[3];
	args[4] = regs->regs[4];
	args[5] = regs->regs[5];
}

/* AArch32's: r0-r5, 32 bits each (never called: see below). */
static __always_inline void lde_regs_compat_args(struct pt_regs *regs,
						 unsigned long long *args)
{
	args[0] = (__u32)regs->orig_x0;
	args[1] = (__u32)regs->regs[1];
	args[2] = (__u32)regs->regs[2];
	args[3] = (__u32)regs->regs[3];
	args[4] = (__u32)regs->regs[4];
	args[5] = (__u32)regs->regs[5];
}

/* The new program's words, at an execve's return: 4 for an AArch32 one. */
static __always_inline __u32 lde_regs_user_word(struct pt_regs *regs)
{
	return regs->pstate & LDE_PSR_MODE32_BIT ? 4 : 8;
}

/*
 * start_thread_common() zeroed pt_regs before it set pc, sp and pstate,
 * and the execve's return value (x0) is 0: x0-x30 are all 0.
 */
static __always_inline bool lde_regs_cleared(struct pt_regs *regs)
{
	__u64 any = 0;
	int i;

	for (i = 0; i < 31; i++)
		any |= regs->regs[i];
	return !any;
}

/*
 * An AArch32 task's calls are in the compat table (TIF_32BIT); lde's
 * event has no name for that table (enum lde_compat is x86's i386), and
 * Debian's arm64 guests run no AArch32 program: always the native one.
 */
static __always_inline __u32 lde_task_syscall_compat(struct task_struct *task)
{
	return LDE_COMPAT_NONE;
}

/*
 * rt_sigreturn's operand, the mask it restores: sys_rt_sigreturn() finds
 * the frame right at the stack pointer (the handler's return went
 * through the sigtramp's svc, nothing popped).
 */
static __always_inline __u64 lde_sigreturn_mask_addr(__u64 sp)
{
	return sp + __builtin_offsetof(struct rt_sigframe, uc.uc_sigmask);
}

/* The kernel stack pointer cpu_switch_to saved in t: cpu_context.sp. */
static __always_inline __u64 lde_task_saved_sp(struct task_struct *t)
{
	return t->thread.cpu_context.sp;
}

/*
 * Where t's saved kernel context resumes: the lr cpu_switch_to saved as
 * cpu_context.pc: in __switch_to, right after its call of cpu_switch_to
 * (it returns into __schedule from there), or ret_from_fork for a new
 * task.
 */
static __always_inline __u64 lde_task_saved_resume(struct task_struct *t,
						   __u64 saved_sp)
{
	return t->thread.cpu_context.pc;
}

/*
 * The arch timer's handlers (drivers/clocksource/arm_arch_timer.c): the
 * virtual timer's in a guest, the physical one's on some hosts.  0 when
 * the kernel has none (libbpf resolves them through kallsyms).
 */
extern const void arch_timer_handler_virt __ksym __weak;
extern const void arch_timer_handler_phys __ksym __weak;

/* irq_handler_entry(irq, action): action is the arch timer's. */
static __always_inline bool lde_arch_timer_tick(unsigned long long *ctx)
{
	struct irqaction *action = (void *)ctx[1];
	unsigned long handler = (unsigned long)BPF_CORE_READ(action, handler);

	return handler && (handler == (unsigned long)&arch_timer_handler_virt ||
			   handler == (unsigned long)&arch_timer_handler_phys);
}

/* The registers the timer interrupted (__irq_regs) were EL0's. */
static __always_inline bool lde_irq_regs_user(struct pt_regs *regs)
{
	return (BPF_CORE_READ(regs, pstate) & LDE_PSR_MODE_MASK) ==
	       LDE_PSR_MODE_EL0t;
}

static __always_inline __u64 lde_irq_regs_ip(struct pt_regs *regs)
{
	return BPF_CORE_READ(regs, pc);
}

#endif /* _LDE_ARCH_ARM64_BPF_H */
