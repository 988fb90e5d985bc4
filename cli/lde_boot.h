/* SPDX-License-Identifier: GPL-2.0 */
/*
 * OS @ boot, as the running system reports it: the trap table the CPUs
 * hold (lde.ko reads MSR_LSTAR and the IDT on every CPU, in
 * /sys/kernel/debug/lde/boot) and the timer the kernel started (the
 * clock-event device of each CPU, from sysfs).
 */
#ifndef _LDE_BOOT_H
#define _LDE_BOOT_H

#include <stdbool.h>

#define LDE_BOOT_NAME_LEN	64

struct lde_boot {
	bool module;		/* lde.ko's facts below are known */
	int hz;
	unsigned int kernel_stack_size;
	int cpus;		/* CPUs lde.ko read */
	bool same_on_all_cpus;	/* every CPU holds the same handlers */
	char syscall_entry[LDE_BOOT_NAME_LEN];
	char timer_handler[LDE_BOOT_NAME_LEN];
	char fault_handler[LDE_BOOT_NAME_LEN];
	/* arm64: the table VBAR_EL1 holds ("vectors"); x86-64: "". */
	char trap_table[LDE_BOOT_NAME_LEN];
	int timer_vector, fault_vector;
	/*
	 * arm64: the arch timer's interrupt (lde.ko's "timer arch_timer"
	 * line): its Linux IRQ, GIC interrupt ID, handler and the counter's
	 * rate (CNTFRQ_EL0); timer_irq_handler "" when not said.
	 */
	int timer_irq;
	unsigned int timer_hwirq;
	char timer_irq_handler[LDE_BOOT_NAME_LEN];
	unsigned long long timer_counter_hz;
	/* arm64: the EL the kernel runs at (CurrentEL, 1; 2 with VHE). */
	bool has_kernel_level;
	unsigned int kernel_level;
	int toy_entries;
	bool toy_read_only;
	/* From sysfs, with or without lde.ko: CPU 0's; same on all? */
	char clockevent[LDE_BOOT_NAME_LEN];
	bool clockevent_same;
};

/* Fills b from the running system; b->module false without lde.ko. */
void lde_boot_read(struct lde_boot *b);
/* Parses lde.ko's boot file text into b; false if it is not one. */
bool lde_boot_parse(struct lde_boot *b, const char *text);

#endif /* _LDE_BOOT_H */
