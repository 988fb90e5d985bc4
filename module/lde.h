/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internal interfaces between the parts of lde.ko: the device and its
 * counters (lde_main.c), the toy trap table (lde_traptable.c) and the
 * sched_switch hook (lde_switch.c).
 */
#ifndef _LDE_H
#define _LDE_H

#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/types.h>
#include <linux/lde.h>

/* Per-open-file state: the toy write/read buffer. */
struct lde_file {
	struct mutex buf_lock;	/* serialises the toy write and read calls */
	size_t buf_len;
	char buf[LDE_BUF_SIZE];
};

/*
 * Per-CPU counters: bumped with this_cpu_inc(), which on x86 is a single
 * instruction, safe against preemption and interrupts, so the sum over
 * CPUs is exact however many tasks trap or switch at once.  Only its own
 * CPU ever writes a counter, and a counter only grows: a reset takes a
 * snapshot to count from (lde_main.c) instead of zeroing from afar, which
 * would race with the increments.  Every field is a u64.
 */
struct lde_cpu_stats {
	u64 traps[LDE_NR_SYSCALLS];
	u64 errors[LDE_ERR_KINDS];
	u64 switches;
	u64 voluntary;
	u64 preempted;
};
DECLARE_PER_CPU(struct lde_cpu_stats, lde_cpu_stats);

struct dentry;

/* lde_traptable.c */
void lde_trap_table_init(void);
bool lde_trap_table_sealed(void);
long lde_dispatch(struct lde_file *lf, const struct lde_trap *trap);

/* lde_switch.c */
int lde_switch_hook_init(void);
void lde_switch_hook_exit(void);
int lde_watch_add(struct file *owner, pid_t tid);
int lde_watch_remove(struct file *owner, pid_t tid);
int lde_watch_read(struct file *owner, pid_t tid, struct lde_watch *out);
void lde_watch_release_file(struct file *owner);

/* lde_boot.c: what the CPUs hold since boot (the ISA's part: lde_arch.h) */
void lde_boot_debugfs_init(struct dentry *dir);

#endif /* _LDE_H */
