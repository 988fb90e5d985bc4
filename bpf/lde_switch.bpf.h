/* SPDX-License-Identifier: GPL-2.0 */
/*
 * switch()'s saved context, for lde_trace.bpf.c's sched_switch (Figure
 * 6.3): how deep A and B are in their kernel stacks, where B's saved
 * kernel context resumes, and B's saved user PC.  The saved registers
 * are read through the arch header.
 */
#ifndef _LDE_SWITCH_BPF_H
#define _LDE_SWITCH_BPF_H

#include "lde_arch.bpf.h"
#include "lde_tasks.bpf.h"

/*
 * The top of a task's kernel stack: task->stack, a void * the verifier
 * loads as a number, plus THREAD_SIZE, the size of its vmalloc'ed area
 * (16 KiB on x86-64 and arm64, 32 KiB under KASAN).  CPU 0's idle task has the
 * static init stack, of no area: 16 KiB.
 */
static __always_inline __u64 stack_top(struct task_struct *t)
{
	__u64 base = (__u64)t->stack, size = 16384;
	struct vm_struct *area = NULL;

	if (bpf_core_field_exists(t->stack_vm_area))
		area = t->stack_vm_area;
	if (area && area->nr_pages)
		size = (__u64)area->nr_pages * 4096;
	return base + size;
}

/*
 * Where this program's frame is, as a number: the address of a local,
 * read back from the stack slot that holds it (the verifier gives no
 * pointer arithmetic a number; a read it does).  The program runs on
 * the current task's kernel stack.
 */
static __always_inline __u64 frame_address(void)
{
	__u64 marker = 0, address = 0;
	void *where = &marker;

	barrier_var(where);
	if (bpf_probe_read_kernel(&address, sizeof(address), &where))
		return 0;
	return address;
}

static __always_inline __u32 stack_depth(__u64 top, __u64 sp)
{
	return sp <= top && top - sp <= 65536 ? top - sp : 0;
}

/*
 * Figure 6.3's switch(): how deep A is in its kernel stack now (this
 * program runs on it), how deep B's stack pointer was saved in B's
 * thread struct, where B's saved kernel context resumes (the return
 * address it saved, as a symbol), and B's user PC, saved at the top of
 * its kernel stack when it entered the kernel.  No address is sent: depths, a symbol name, and a user PC.
 */
static const char resume_fmt[] = "%pS";

/*
 * Where B resumes, as %pS writes it, whole: every byte of the field
 * written.  %pS writes an address that is no symbol as "0x..." (no
 * symbol starts with a digit): "unknown" then, as lde.ko says it.
 */
static __always_inline void resume_symbol(struct lde_event *e, __u64 resume)
{
	char sym[LDE_SYM_LEN] = {};

	if (resume)
		bpf_snprintf(sym, sizeof(sym), resume_fmt, &resume,
			     sizeof(resume));
	if (sym[0] == '0' && sym[1] == 'x') {
		__builtin_memset(sym, 0, sizeof(sym));
		__builtin_memcpy(sym, "unknown", sizeof("unknown"));
	}
	__builtin_memcpy(e->sw.next_resume, sym, sizeof(sym));
}

static __always_inline void switch_stacks(struct lde_event *e,
					  struct task_struct *prev,
					  struct task_struct *next,
					  __u64 here)
{
	__u64 next_sp = lde_task_saved_sp(next);

	e->sw.prev_depth = stack_depth(stack_top(prev), here);
	e->sw.next_depth = stack_depth(stack_top(next), next_sp);
	resume_symbol(e, lde_task_saved_resume(next, next_sp));
	e->sw.next_user_ip = next->flags & PF_KTHREAD ? 0 :
			     lde_regs_ip((struct pt_regs *)
						 bpf_task_pt_regs(next));
}

#endif /* _LDE_SWITCH_BPF_H */
