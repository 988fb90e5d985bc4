// SPDX-License-Identifier: GPL-2.0
/*
 * OSTEP Figures 6.2 and 6.3, "OS @ boot": the trap table the kernel set up
 * and the hardware remembers, read back from every CPU.
 *
 * The system-call handler is the one the CPU jumps to on the syscall
 * instruction: MSR_LSTAR, written by syscall_init().  The timer and
 * page-fault handlers are the gates of the CPU's interrupt descriptor
 * table (the IDTR's table) for LOCAL_TIMER_VECTOR and X86_TRAP_PF.  Each
 * is reported as a symbol name, never as an address.  lde.ko's own toy
 * table is reported with whether its page really is read-only now.
 *
 * /sys/kernel/debug/lde/boot: one "key value..." line per fact.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/debugfs.h>
#include <linux/kallsyms.h>
#include <linux/seq_file.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <asm/desc.h>
#include <asm/irq_vectors.h>
#include <asm/msr.h>
#include <asm/trapnr.h>

#include "lde.h"

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

/* A symbol's name, or "unknown": an address is never shown. */
static void lde_show_symbol(struct seq_file *m, const char *key,
			    unsigned long addr, char *buf)
{
	sprint_symbol_no_offset(buf, addr);
	if (!strncmp(buf, "0x", 2))
		strscpy(buf, "unknown", KSYM_SYMBOL_LEN);
	seq_printf(m, " %s %s", key, buf);
}

static int lde_boot_show(struct seq_file *m, void *v)
{
	struct lde_cpu_entry ent;
	char *sym;
	int cpu, ret = 0;

	sym = kmalloc(KSYM_SYMBOL_LEN, GFP_KERNEL);
	if (!sym)
		return -ENOMEM;
	seq_printf(m, "hz %d\n", HZ);
	seq_printf(m, "kernel_stack_size %lu\n", THREAD_SIZE);
	seq_printf(m, "toy_trap_table entries %d read_only %d\n",
		   LDE_NR_SYSCALLS, lde_trap_table_sealed());
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		memset(&ent, 0, sizeof(ent));
		ret = smp_call_function_single(cpu, lde_read_cpu_entry, &ent,
					       1);
		if (ret)
			break;
		seq_printf(m, "cpu %d", cpu);
		lde_show_symbol(m, "syscall_entry", ent.syscall_entry, sym);
		seq_printf(m, " timer_vector %d", LOCAL_TIMER_VECTOR);
		lde_show_symbol(m, "timer_handler", ent.timer_handler, sym);
		seq_printf(m, " fault_vector %d", X86_TRAP_PF);
		lde_show_symbol(m, "fault_handler", ent.fault_handler, sym);
		seq_putc(m, '\n');
	}
	cpus_read_unlock();
	kfree(sym);
	return ret;
}
DEFINE_SHOW_ATTRIBUTE(lde_boot);

void lde_boot_debugfs_init(struct dentry *dir)
{
	debugfs_create_file("boot", 0444, dir, NULL, &lde_boot_fops);
}
