// SPDX-License-Identifier: GPL-2.0
/*
 * lde.ko's x86-64 layer (see lde_arch.h): the trap table as the CPU holds
 * it, privilege levels, the saved registers of a trap and of switch().
 *
 * The system-call handler is the one the CPU jumps to on the syscall
 * instruction: MSR_LSTAR, written by syscall_init().  The timer and
 * page-fault handlers are the gates of the CPU's interrupt descriptor
 * table (the IDTR's table) for LOCAL_TIMER_VECTOR and X86_TRAP_PF.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <asm/desc.h>
#include <asm/irq_vectors.h>
#include <asm/msr.h>
#include <asm/pgtable.h>
#include <asm/ptrace.h>
#include <asm/trapnr.h>

#include "lde.h"
#include "lde_arch.h"

struct lde_cpu_entry {
	unsigned long syscall_entry;
	unsigned long timer_handler;
	unsigned long fault_handler;
};

/* Runs on the CPU asked about: MSRs and the IDTR are per CPU. */
static void lde_read_cpu_entry(void *info)
{
	struct lde_cpu_entry *ent = info;
	struct desc_ptr idtr;
	const gate_desc *idt;

	rdmsrl(MSR_LSTAR, ent->syscall_entry);
	store_idt(&idtr);
	idt = (const gate_desc *)idtr.address;
	ent->timer_handler = gate_offset(&idt[LOCAL_TIMER_VECTOR]);
	ent->fault_handler = gate_offset(&idt[X86_TRAP_PF]);
}

/* x86 has no whole-machine rows beyond the common ones. */
void lde_arch_boot_show(struct seq_file *m, char *buf)
{
}

int lde_arch_boot_show_cpu(struct seq_file *m, int cpu, char *buf)
{
	struct lde_cpu_entry ent = {};
	int ret;

	ret = smp_call_function_single(cpu, lde_read_cpu_entry, &ent, 1);
	if (ret)
		return ret;
	lde_show_symbol(m, "syscall_entry", ent.syscall_entry, buf);
	seq_printf(m, " timer_vector %d", LOCAL_TIMER_VECTOR);
	lde_show_symbol(m, "timer_handler", ent.timer_handler, buf);
	seq_printf(m, " fault_vector %d", X86_TRAP_PF);
	lde_show_symbol(m, "fault_handler", ent.fault_handler, buf);
	return 0;
}

/* The CPL is the low two bits of the code segment selector. */
unsigned int lde_arch_regs_level(const struct pt_regs *regs)
{
	return regs->cs & 3;
}

unsigned int lde_arch_kernel_level(void)
{
	unsigned short cs;

	asm volatile("mov %%cs, %0" : "=r" (cs));
	return cs & 3;
}

void lde_arch_fill_frame(struct lde_frame *frame, const struct pt_regs *regs)
{
	frame->flags = regs->flags;
	frame->cs = regs->cs;
	frame->ss = regs->ss;
}

/* __switch_to_asm saves rsp in thread.sp. */
unsigned long lde_arch_saved_kernel_sp(struct task_struct *task)
{
	return task->thread.sp;
}

bool lde_arch_kernel_page_read_only(const void *addr)
{
	unsigned int level;
	pte_t *pte = lookup_address((unsigned long)addr, &level);

	return pte && !pte_write(*pte);
}
