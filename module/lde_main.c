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

static void lde_stats_add_cpu(struct lde_stats *st, int cpu)
{
	const struct lde_cpu_stats *c = per_cpu_ptr(&lde_cpu_stats, cpu);
	int i;

	for (i = 0; i < LDE_NR_SYSCALLS; i++)
		st->traps[i] += READ_ONCE(c->traps[i]);
	for (i = 0; i < LDE_ERR_KINDS; i++)
		st->errors[i] += READ_ONCE(c->errors[i]);
	st->switches += READ_ONCE(c->switches);
	st->preempted += READ_ONCE(c->preempted);
	st->voluntary = st->switches - st->preempted;
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
	if (st.cpu == LDE_STATS_ALL_CPUS)
		lde_stats_sum(&st);
	else if (st.cpu >= 0 && st.cpu < nr_cpu_ids && cpu_possible(st.cpu))
		lde_stats_add_cpu(&st, st.cpu);
	else
		return -EINVAL;
	return lde_copy_struct_out(ustats, &st, sizeof(st));
}

static long lde_ioctl_reset_stats(void)
{
	int cpu;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	for_each_possible_cpu(cpu)
		memset(per_cpu_ptr(&lde_cpu_stats, cpu), 0,
		       sizeof(struct lde_cpu_stats));
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

static long lde_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	long ret;

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

	for_each_possible_cpu(cpu) {
		struct lde_stats st = {};

		lde_stats_add_cpu(&st, cpu);
		snprintf(label, sizeof(label), "%d", cpu);
		lde_stats_show_row(m, label, &st);
	}
	lde_stats_sum(&total);
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
