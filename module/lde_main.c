// SPDX-License-Identifier: GPL-2.0
/*
 * lde.ko: OSTEP chapter 6, "Limited Direct Execution", on a live kernel.
 *
 * /dev/lde is the machine's boundary between user and kernel mode.  The
 * LDE_IOC_TRAP ioctl plays the trap instruction: it carries a toy
 * system-call number and six arguments into the module, which checks them
 * at the boundary and dispatches through its sealed trap table; the ioctl's
 * return is the return-from-trap.  A probe on sched_switch shows the other
 * half of the chapter, the context switch.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/nospec.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "lde.h"

#define CREATE_TRACE_POINTS
#include "lde_trace.h"

static_assert(sizeof(struct lde_trap) == LDE_TRAP_SIZE_VER0);
static_assert(sizeof(struct lde_frame) == LDE_FRAME_SIZE_VER0);
static_assert(sizeof(struct lde_stats) == LDE_STATS_SIZE_VER0);
static_assert(sizeof(struct lde_watch) == LDE_WATCH_SIZE_VER0);
/* The ABI's arrays have room for every toy syscall and error kind. */
static_assert(sizeof_field(struct lde_stats, traps) / sizeof(u64) >=
	      LDE_NR_SYSCALLS);
static_assert(sizeof_field(struct lde_stats, errors) / sizeof(u64) >=
	      LDE_ERR_KINDS);

DEFINE_PER_CPU(struct lde_cpu_stats, lde_cpu_stats);

/*
 * What each counter held at the last reset; reads count from there.  The
 * lock makes a reset and a read take turns, so no read sees half a
 * snapshot.
 */
static DEFINE_PER_CPU(struct lde_cpu_stats, lde_cpu_stats_base);
static DEFINE_MUTEX(lde_stats_lock);

/* Read and snapshot as an array of counters, each with one 64-bit load. */
#define LDE_CPU_COUNTERS	(sizeof(struct lde_cpu_stats) / sizeof(u64))
static_assert(sizeof(struct lde_cpu_stats) % sizeof(u64) == 0);

static struct dentry *lde_debugfs_dir;

static const char * const lde_sys_names[LDE_NR_SYSCALLS] = LDE_SYSCALL_NAMES;

static const char * const lde_err_names[LDE_ERR_KINDS] = {
	[LDE_ERR_NOSYS] = "ENOSYS",
	[LDE_ERR_FAULT] = "EFAULT",
	[LDE_ERR_INVAL] = "EINVAL",
	[LDE_ERR_2BIG] = "E2BIG",
	[LDE_ERR_PERM] = "EPERM",
	[LDE_ERR_NOTTY] = "ENOTTY",
	[LDE_ERR_OTHER] = "other",
};

static void lde_count_error(long err)
{
	enum lde_err_kind kind;

	switch (err) {
	case -ENOSYS:
		kind = LDE_ERR_NOSYS;
		break;
	case -EFAULT:
		kind = LDE_ERR_FAULT;
		break;
	case -EINVAL:
		kind = LDE_ERR_INVAL;
		break;
	case -E2BIG:
		kind = LDE_ERR_2BIG;
		break;
	case -EPERM:
		kind = LDE_ERR_PERM;
		break;
	case -ENOTTY:
		kind = LDE_ERR_NOTTY;
		break;
	default:
		kind = LDE_ERR_OTHER;
	}
	this_cpu_inc(lde_cpu_stats.errors[kind]);
}

/*
 * Read a size-prefixed struct as clone3() and openat2() do: a smaller one
 * from an older caller reads as zero-extended, a larger one must have only
 * zeros past what this module knows (otherwise -E2BIG).
 */
static int lde_copy_struct_in(void *dst, size_t ksize, size_t min_size,
			      const void __user *src)
{
	u32 usize;

	if (get_user(usize, (const u32 __user *)src))
		return -EFAULT;
	if (usize < min_size)
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;
	return copy_struct_from_user(dst, ksize, src, usize);
}

/* Write back no more than the caller's struct holds. */
static int lde_copy_struct_out(void __user *dst, void *src, size_t ksize)
{
	u32 usize;

	if (get_user(usize, (u32 __user *)dst))
		return -EFAULT;
	*(u32 *)src = ksize;
	if (copy_to_user(dst, src, min_t(size_t, usize, ksize)))
		return -EFAULT;
	return 0;
}

static long lde_ioctl_trap(struct lde_file *lf, struct lde_trap __user *utrap)
{
	struct lde_trap trap;
	long ret;

	ret = lde_copy_struct_in(&trap, sizeof(trap), LDE_TRAP_SIZE_VER0,
				 utrap);
	if (ret)
		return ret;
	ret = lde_dispatch(lf, &trap);
	if (ret < 0)
		return ret;
	if (put_user(ret, &utrap->ret))
		return -EFAULT;
	return 0;
}

/*
 * Add one CPU's counts since the last reset.  Each counter only grows and
 * its base is a value it held before (the lock orders the two reads), so
 * no difference can wrap.
 */
static void lde_stats_add_cpu(struct lde_stats *st, int cpu)
{
	const u64 *now = (const u64 *)per_cpu_ptr(&lde_cpu_stats, cpu);
	const u64 *base = (const u64 *)per_cpu_ptr(&lde_cpu_stats_base, cpu);
	struct lde_cpu_stats c;
	u64 *since = (u64 *)&c;
	int i;

	lockdep_assert_held(&lde_stats_lock);
	for (i = 0; i < LDE_CPU_COUNTERS; i++)
		since[i] = READ_ONCE(now[i]) - base[i];

	for (i = 0; i < LDE_NR_SYSCALLS; i++)
		st->traps[i] += c.traps[i];
	for (i = 0; i < LDE_ERR_KINDS; i++)
		st->errors[i] += c.errors[i];
	st->switches += c.switches;
	st->voluntary += c.voluntary;
	st->preempted += c.preempted;
}

/* Sum over every possible CPU: counts of a CPU gone offline still count. */
static void lde_stats_sum(struct lde_stats *st)
{
	int cpu;

	for_each_possible_cpu(cpu)
		lde_stats_add_cpu(st, cpu);
}

static long lde_ioctl_get_stats(struct lde_stats __user *ustats)
{
	struct lde_stats req, st = {};
	int ret;

	ret = lde_copy_struct_in(&req, sizeof(req), LDE_STATS_SIZE_VER0,
				 ustats);
	if (ret)
		return ret;

	st.cpu = req.cpu;
	if (st.cpu != LDE_STATS_ALL_CPUS &&
	    (st.cpu < 0 || st.cpu >= nr_cpu_ids || !cpu_possible(st.cpu)))
		return -EINVAL;

	mutex_lock(&lde_stats_lock);
	if (st.cpu == LDE_STATS_ALL_CPUS)
		lde_stats_sum(&st);
	else
		lde_stats_add_cpu(&st, st.cpu);
	mutex_unlock(&lde_stats_lock);
	return lde_copy_struct_out(ustats, &st, sizeof(st));
}

/*
 * Zeroing another CPU's counters would race with its this_cpu_inc(): an
 * increment that read the old value stores it back after the zero, and a
 * counter reset between two reads of its neighbours makes them disagree.
 * So a reset only snapshots what the counters hold; reads count from it.
 */
static long lde_ioctl_reset_stats(void)
{
	int cpu, i;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	mutex_lock(&lde_stats_lock);
	for_each_possible_cpu(cpu) {
		const u64 *now = (const u64 *)per_cpu_ptr(&lde_cpu_stats, cpu);
		u64 *base = (u64 *)per_cpu_ptr(&lde_cpu_stats_base, cpu);

		for (i = 0; i < LDE_CPU_COUNTERS; i++)
			base[i] = READ_ONCE(now[i]);
	}
	mutex_unlock(&lde_stats_lock);
	return 0;
}

static long lde_ioctl_watch(struct file *file, unsigned int cmd,
			    struct lde_watch __user *uwatch)
{
	struct lde_watch watch;
	int ret;

	ret = lde_copy_struct_in(&watch, sizeof(watch), LDE_WATCH_SIZE_VER0,
				 uwatch);
	if (ret)
		return ret;

	switch (cmd) {
	case LDE_IOC_WATCH:
		return lde_watch_add(file, watch.tid);
	case LDE_IOC_UNWATCH:
		return lde_watch_remove(file, watch.tid);
	default:
		ret = lde_watch_read(file, watch.tid, &watch);
		if (ret)
			return ret;
		return lde_copy_struct_out(uwatch, &watch, sizeof(watch));
	}
}

/* The commands this module knows, by number. */
static const unsigned int lde_ioctl_cmds[] = {
	[_IOC_NR(LDE_IOC_TRAP)] = LDE_IOC_TRAP,
	[_IOC_NR(LDE_IOC_NOP)] = LDE_IOC_NOP,
	[_IOC_NR(LDE_IOC_SET_TRAP)] = LDE_IOC_SET_TRAP,
	[_IOC_NR(LDE_IOC_GET_STATS)] = LDE_IOC_GET_STATS,
	[_IOC_NR(LDE_IOC_RESET_STATS)] = LDE_IOC_RESET_STATS,
	[_IOC_NR(LDE_IOC_WATCH)] = LDE_IOC_WATCH,
	[_IOC_NR(LDE_IOC_UNWATCH)] = LDE_IOC_UNWATCH,
	[_IOC_NR(LDE_IOC_WATCH_STATS)] = LDE_IOC_WATCH_STATS,
};

/*
 * The command as this module spells it, or 0 if it knows none.  The size
 * bits that _IOWR() encodes are not compared, as drm_ioctl() does not:
 * each struct carries its own size, read with copy_struct_from_user(), so
 * a caller built against a grown struct (whose command encodes the larger
 * size) reaches the same request.  Type, number and direction must match.
 */
static unsigned int lde_ioctl_known(unsigned int cmd)
{
	unsigned int nr = _IOC_NR(cmd), known;

	if (_IOC_TYPE(cmd) != LDE_IOC_MAGIC || nr >= ARRAY_SIZE(lde_ioctl_cmds))
		return 0;
	known = lde_ioctl_cmds[array_index_nospec(nr,
						  ARRAY_SIZE(lde_ioctl_cmds))];
	return _IOC_DIR(cmd) == _IOC_DIR(known) ? known : 0;
}

static long lde_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	long ret;

	cmd = lde_ioctl_known(cmd);
	switch (cmd) {
	case LDE_IOC_TRAP:
		ret = lde_ioctl_trap(file->private_data, uarg);
		break;
	case LDE_IOC_NOP:
		return 0;
	case LDE_IOC_SET_TRAP:
		/*
		 * Installing a trap handler is a privileged instruction, and
		 * after boot not even the kernel does it: refused to all.
		 */
		ret = -EPERM;
		break;
	case LDE_IOC_GET_STATS:
		ret = lde_ioctl_get_stats(uarg);
		break;
	case LDE_IOC_RESET_STATS:
		ret = lde_ioctl_reset_stats();
		break;
	case LDE_IOC_WATCH:
	case LDE_IOC_UNWATCH:
	case LDE_IOC_WATCH_STATS:
		ret = lde_ioctl_watch(file, cmd, uarg);
		break;
	default:
		ret = -ENOTTY;
	}
	if (ret < 0)
		lde_count_error(ret);
	return ret;
}

static int lde_open(struct inode *inode, struct file *file)
{
	struct lde_file *lf = kzalloc(sizeof(*lf), GFP_KERNEL);

	if (!lf)
		return -ENOMEM;
	mutex_init(&lf->buf_lock);
	file->private_data = lf;
	return 0;
}

static int lde_release(struct inode *inode, struct file *file)
{
	lde_watch_release_file(file);
	kfree(file->private_data);
	return 0;
}

static const struct file_operations lde_fops = {
	.owner = THIS_MODULE,
	.open = lde_open,
	.release = lde_release,
	.unlocked_ioctl = lde_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/*
 * Mode 0666: trapping is what every user program does, so every user may;
 * what needs privilege (watching others, resetting counters) is checked
 * per request with capable(), and replacing the trap table is refused.
 */
static struct miscdevice lde_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = LDE_DEVICE_NAME,
	.fops = &lde_fops,
	.mode = 0666,
};

static void lde_stats_show_row(struct seq_file *m, const char *label,
			       const struct lde_stats *st)
{
	int i;

	seq_printf(m, "%-8s", label);
	for (i = 0; i < LDE_NR_SYSCALLS; i++)
		seq_printf(m, " %10llu", st->traps[i]);
	for (i = 0; i < LDE_ERR_KINDS; i++)
		seq_printf(m, " %8llu", st->errors[i]);
	seq_printf(m, " %12llu %12llu %12llu\n", st->switches,
		   st->voluntary, st->preempted);
}

static int lde_stats_show(struct seq_file *m, void *v)
{
	struct lde_stats total = {};
	char label[16];
	int cpu, i;

	seq_printf(m, "%-8s", "cpu");
	for (i = 0; i < LDE_NR_SYSCALLS; i++)
		seq_printf(m, " %10s", lde_sys_names[i]);
	for (i = 0; i < LDE_ERR_KINDS; i++)
		seq_printf(m, " %8s", lde_err_names[i]);
	seq_printf(m, " %12s %12s %12s\n", "switches", "voluntary",
		   "preempted");

	mutex_lock(&lde_stats_lock);
	for_each_possible_cpu(cpu) {
		struct lde_stats st = {};

		lde_stats_add_cpu(&st, cpu);
		snprintf(label, sizeof(label), "%d", cpu);
		lde_stats_show_row(m, label, &st);
	}
	lde_stats_sum(&total);
	mutex_unlock(&lde_stats_lock);
	lde_stats_show_row(m, "total", &total);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(lde_stats);

static int __init lde_init(void)
{
	int ret;

	lde_trap_table_init();

	ret = lde_switch_hook_init();
	if (ret)
		return ret;

	ret = misc_register(&lde_misc);
	if (ret) {
		pr_err("cannot register /dev/%s: %d\n", LDE_DEVICE_NAME, ret);
		goto err_unhook;
	}

	/* Diagnostics only: lde works without debugfs. */
	lde_debugfs_dir = debugfs_create_dir("lde", NULL);
	debugfs_create_file("stats", 0444, lde_debugfs_dir, NULL,
			    &lde_stats_fops);
	lde_boot_debugfs_init(lde_debugfs_dir);
	return 0;

err_unhook:
	lde_switch_hook_exit();
	return ret;
}

static void __exit lde_exit(void)
{
	debugfs_remove(lde_debugfs_dir);
	misc_deregister(&lde_misc);
	lde_switch_hook_exit();
}

module_init(lde_init);
module_exit(lde_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The lde developers");
MODULE_DESCRIPTION("OSTEP chapter 6, Limited Direct Execution, on a live kernel");
