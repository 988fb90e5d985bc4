// SPDX-License-Identifier: GPL-2.0
/*
 * OSTEP Figures 6.2 and 6.3, "OS @ boot": the trap table the kernel set up
 * and the hardware remembers, read back from every CPU.
 *
 * The common rows (HZ, the kernel stack, lde.ko's own toy table and
 * whether its page really is read-only now) are here; the CPU's own table
 * and handlers come from the ISA's file (lde_arch.h).  Every handler is
 * reported as a symbol name, never as an address.
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

#include "lde.h"
#include "lde_arch.h"

/* A symbol's name, or "unknown": an address is never shown. */
void lde_show_symbol(struct seq_file *m, const char *key, unsigned long addr,
		     char *buf)
{
	sprint_symbol_no_offset(buf, addr);
	if (!strncmp(buf, "0x", 2))
		strscpy(buf, "unknown", KSYM_SYMBOL_LEN);
	seq_printf(m, " %s %s", key, buf);
}

static int lde_boot_show(struct seq_file *m, void *v)
{
	char *sym;
	int cpu, ret = 0;

	sym = kmalloc(KSYM_SYMBOL_LEN, GFP_KERNEL);
	if (!sym)
		return -ENOMEM;
	seq_printf(m, "hz %d\n", HZ);
	seq_printf(m, "kernel_stack_size %lu\n", THREAD_SIZE);
	seq_printf(m, "toy_trap_table entries %d read_only %d\n",
		   LDE_NR_SYSCALLS, lde_trap_table_sealed());
	lde_arch_boot_show(m, sym);
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		seq_printf(m, "cpu %d", cpu);
		ret = lde_arch_boot_show_cpu(m, cpu, sym);
		if (ret)
			break;
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
