/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What lde.ko's core asks of the instruction set it runs on.  Each ISA
 * answers in one file, chosen in module/Kbuild: lde_boot_x86.c (x86-64)
 * and lde_boot_arm64.c.  Nothing outside those files names a register, a
 * privilege level or a table of the CPU; a new ISA is a new file here.
 */
#ifndef _LDE_ARCH_H
#define _LDE_ARCH_H

#include <linux/types.h>

struct lde_frame;
struct pt_regs;
struct seq_file;
struct task_struct;

/* lde_boot.c: prints a symbol's name or "unknown", never an address. */
void lde_show_symbol(struct seq_file *m, const char *key, unsigned long addr,
		     char *buf);

#if defined(CONFIG_X86_64) || defined(CONFIG_ARM64)
/*
 * Rows of /sys/kernel/debug/lde/boot: the ISA's whole-machine lines after
 * the common ones, then one row's fields for each online CPU, read on that
 * CPU (the trap table's base register is per CPU).  buf holds
 * KSYM_SYMBOL_LEN bytes for lde_show_symbol().  Returns 0 or an errno.
 */
void lde_arch_boot_show(struct seq_file *m, char *buf);
int lde_arch_boot_show_cpu(struct seq_file *m, int cpu, char *buf);

/* The privilege level the saved registers ran at: x86's CPL, arm64's EL. */
unsigned int lde_arch_regs_level(const struct pt_regs *regs);
/* The level the kernel runs at now. */
unsigned int lde_arch_kernel_level(void);
/* The ISA's own saved registers of a trap frame (flags, selectors...). */
void lde_arch_fill_frame(struct lde_frame *frame, const struct pt_regs *regs);
/* Where switch() saved a task's kernel stack pointer when it left. */
unsigned long lde_arch_saved_kernel_sp(struct task_struct *task);
/* Whether the kernel page holding addr is mapped read-only. */
bool lde_arch_kernel_page_read_only(const void *addr);
#else
/* An ISA lde has no file for: the facts read as absent, not as x86's. */
static inline void lde_arch_boot_show(struct seq_file *m, char *buf) {}
static inline int lde_arch_boot_show_cpu(struct seq_file *m, int cpu,
					 char *buf)
{
	return 0;
}

static inline unsigned int lde_arch_regs_level(const struct pt_regs *regs)
{
	return 0;
}

static inline unsigned int lde_arch_kernel_level(void)
{
	return 0;
}

static inline void lde_arch_fill_frame(struct lde_frame *frame,
				       const struct pt_regs *regs) {}
static inline unsigned long lde_arch_saved_kernel_sp(struct task_struct *task)
{
	return 0;
}

static inline bool lde_arch_kernel_page_read_only(const void *addr)
{
	return false;
}
#endif

#endif /* _LDE_ARCH_H */
