/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The timer interrupt, for lde_trace.bpf.c's lde_timer: which mode it
 * hit, and the user PC the hardware saved.  The tracepoint and the
 * registers are the arch header's.
 */
#ifndef _LDE_TIMER_BPF_H
#define _LDE_TIMER_BPF_H

#include "lde_arch.bpf.h"
#include "lde_trace.h"

/*
 * The registers the timer interrupted are the kernel's per-CPU
 * __irq_regs while the handler runs: the mode they were saved in says
 * whether the timer hit user or kernel mode.
 */
extern struct pt_regs *__irq_regs __ksym;

/* The timer's part of e: the mode it hit, the user PC it saved. */
static __always_inline void fill_timer(struct lde_event *e)
{
	struct pt_regs **irq_regs = bpf_this_cpu_ptr(&__irq_regs);
	struct pt_regs *regs = irq_regs ? *irq_regs : NULL;

	e->timer.mode = regs && lde_irq_regs_user(regs) ?
			LDE_TIMER_USER : LDE_TIMER_KERNEL;
	e->timer.pad = 0;
	/* The user PC the hardware saved; a kernel one is never sent. */
	e->timer.ip = e->timer.mode == LDE_TIMER_USER ?
		      lde_irq_regs_ip(regs) : 0;
}

#endif /* _LDE_TIMER_BPF_H */
