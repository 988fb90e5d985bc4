// SPDX-License-Identifier: GPL-2.0
/*
 * lde.ko's arm64 layer (see lde_arch.h): the trap table as the CPU holds
 * it, exception levels, the saved registers of a trap and of switch().
 *
 * The trap table is VBAR_EL1: the base of 16 slots of 128 bytes, four
 * causes (synchronous, IRQ, FIQ, SError) for each of four origins (EL1
 * with SP_EL0, EL1 with SP_EL1, EL0 in AArch64, EL0 in AArch32).  An svc
 * or a fault from a 64-bit user program lands at +0x400, the timer's IRQ
 * taken in user mode at +0x480, and the same from the kernel at +0x200
 * and +0x280.  Each slot saves a little and branches to its handler
 * (el0t_64_sync, el0t_64_irq, el1h_64_sync, el1h_64_irq): the handler is
 * read by decoding that branch instruction in the live table.
 *
 * With KPTI (kernel unmapped at EL0), the kernel is not mapped while user
 * code runs, so VBAR_EL1 then points at tramp_vectors, a copy of the
 * table's EL0 slots in the one page that stays mapped: each remaps the
 * kernel, sets VBAR_EL1 back to the kernel's table and jumps into the
 * matching slot there.  The kernel reads VBAR_EL1 from EL1, so this file
 * sees the kernel's table and reports whether KPTI is on.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitfield.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irqdesc.h>
#include <linux/irqflags.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/arch_timer.h>
#include <asm/esr.h>
#include <asm/insn.h>
#include <asm/mmu.h>
#include <asm/ptrace.h>
#include <asm/sysreg.h>

#include "lde.h"
#include "lde_arch.h"

/* Bytes per vector slot (the table is aligned to 2 KiB, 16 slots). */
#define LDE_VECTOR_SLOT_SIZE	0x80

/* The slots the chapter's rows go through, by offset from VBAR_EL1. */
static const struct {
	const char *key;
	unsigned long offset;
} lde_vector_slots[] = {
	{ "el1_sync+0x200", 0x200 },	/* a fault in the kernel */
	{ "el1_irq+0x280", 0x280 },	/* the timer, in the kernel */
	{ "el0_sync+0x400", 0x400 },	/* svc and faults from user mode */
	{ "el0_irq+0x480", 0x480 },	/* the timer, in user mode */
};

struct lde_cpu_entry {
	unsigned long vbar;
	u64 current_el;
};

/* Runs on the CPU asked about: VBAR_EL1 is per CPU. */
static void lde_read_cpu_entry(void *info)
{
	struct lde_cpu_entry *ent = info;

	ent->vbar = read_sysreg(vbar_el1);
	ent->current_el = read_sysreg(CurrentEL);
}

/*
 * The handler a vector slot hands over to: the first unconditional branch
 * (B imm26) in the slot whose target lies outside the slot.  Branches
 * inside it (the KPTI cleanup skip, the stack-overflow check) come before
 * and stay inside.  0 when none is found or the text cannot be read.
 */
static unsigned long lde_vector_slot_handler(unsigned long slot)
{
	unsigned long pc;

	for (pc = slot; pc < slot + LDE_VECTOR_SLOT_SIZE; pc += 4) {
		unsigned long target;
		__le32 raw;
		u32 insn;

		if (get_kernel_nofault(raw, (__le32 *)pc))
			return 0;
		insn = le32_to_cpu(raw);
		if (!aarch64_insn_is_b(insn))
			continue;
		/* imm26, in instructions, signed: bits [25:0]. */
		target = pc + sign_extend64((u64)(insn & 0x03ffffff) << 2, 27);
		if (target < slot || target >= slot + LDE_VECTOR_SLOT_SIZE)
			return target;
	}
	return 0;
}

/*
 * The architected timer's interrupt, found as /proc/interrupts shows it:
 * the per-CPU IRQ the arch_timer driver requested under its own name.
 */
static void lde_show_arch_timer(struct seq_file *m, char *buf)
{
	unsigned int irq;

	for (irq = 0; irq < nr_irqs; irq++) {
		struct irq_data *data = irq_get_irq_data(irq);
		unsigned long flags, handler = 0, hwirq = 0;
		struct irq_desc *desc;

		if (!data)
			continue;
		desc = irq_data_to_desc(data);
		raw_spin_lock_irqsave(&desc->lock, flags);
		if (desc->action && desc->action->name &&
		    !strcmp(desc->action->name, "arch_timer")) {
			handler = (unsigned long)desc->action->handler;
			hwirq = data->hwirq;
		}
		raw_spin_unlock_irqrestore(&desc->lock, flags);
		if (!handler)
			continue;
		seq_printf(m, "timer arch_timer irq %u hwirq %lu", irq, hwirq);
		lde_show_symbol(m, "handler", handler, buf);
		seq_printf(m, " cntfrq %u\n", arch_timer_get_cntfrq());
		return;
	}
	seq_printf(m, "timer arch_timer irq none cntfrq %u\n",
		   arch_timer_get_cntfrq());
}

void lde_arch_boot_show(struct seq_file *m, char *buf)
{
	lde_show_arch_timer(m, buf);
	/* With KPTI, user mode runs on tramp_vectors (see the top). */
	seq_printf(m, "kpti %d\n", arm64_kernel_unmapped_at_el0());
}

int lde_arch_boot_show_cpu(struct seq_file *m, int cpu, char *buf)
{
	struct lde_cpu_entry ent = {};
	int i, ret;

	ret = smp_call_function_single(cpu, lde_read_cpu_entry, &ent, 1);
	if (ret)
		return ret;
	lde_show_symbol(m, "vbar_el1", ent.vbar, buf);
	for (i = 0; i < ARRAY_SIZE(lde_vector_slots); i++) {
		unsigned long slot = ent.vbar + lde_vector_slots[i].offset;

		lde_show_symbol(m, lde_vector_slots[i].key,
				lde_vector_slot_handler(slot), buf);
	}
	seq_printf(m, " current_el %llu", ent.current_el >> 2 & 3);
	return 0;
}

/* SPSR's mode field, saved in pstate: EL0t is 0, EL1t/EL1h are 4 and 5. */
unsigned int lde_arch_regs_level(const struct pt_regs *regs)
{
	return (regs->pstate & PSR_MODE_MASK) >> 2;
}

unsigned int lde_arch_kernel_level(void)
{
	return read_sysreg(CurrentEL) >> 2 & 3;
}

/* arm64 has no segment selectors: the saved PSTATE is its flags. */
void lde_arch_fill_frame(struct lde_frame *frame, const struct pt_regs *regs)
{
	frame->flags = regs->pstate;
}

/* cpu_switch_to saves x19-x28, fp, sp and pc in thread.cpu_context. */
unsigned long lde_arch_saved_kernel_sp(struct task_struct *task)
{
	return task->thread.cpu_context.sp;
}

/*
 * Ask the MMU itself: translate addr as an EL1 write (AT S1E1W).  A
 * permission fault in PAR_EL1 means the page is mapped and read-only.
 * Interrupts are off so that nothing else's translation lands in PAR_EL1
 * between the two instructions.
 */
bool lde_arch_kernel_page_read_only(const void *addr)
{
	unsigned long flags;
	u64 par;

	local_irq_save(flags);
	asm volatile("at s1e1w, %0" : : "r" (addr));
	isb();
	par = read_sysreg_par();
	local_irq_restore(flags);
	return (par & SYS_PAR_EL1_F) &&
	       esr_fsc_is_permission_fault(FIELD_GET(SYS_PAR_EL1_FST, par));
}
