// SPDX-License-Identifier: GPL-2.0
/*
 * The toy trap table: OSTEP Figure 6.2's "initialize trap table" at boot,
 * "handle trap" on every system call.
 *
 * The table is filled once at module init and lives in __ro_after_init
 * memory, which the module loader makes read-only when init returns: like
 * the CPU's own table (x86's IDT and MSR_LSTAR, arm64's VBAR_EL1), it
 * cannot be changed from user mode afterwards.
 * Handlers see their arguments only as numbers; anything that is a pointer
 * goes through copy_{from,to}_user(), so a bad one gives -EFAULT.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/log2.h>
#include <linux/math.h>
#include <linux/minmax.h>
#include <linux/nospec.h>
#include <linux/pgtable.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
/* After sched.h: its inline helpers use struct task_struct (6.1). */
#include <linux/randomize_kstack.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

#include "lde.h"
#include "lde_arch.h"
#include "lde_trace.h"

typedef long (*lde_syscall_fn)(struct lde_file *lf, const u64 *args);

static lde_syscall_fn lde_trap_table[LDE_NR_SYSCALLS] __ro_after_init;

static void __user *lde_user_ptr(u64 arg)
{
	return u64_to_user_ptr(arg);
}

static long lde_sys_null(struct lde_file *lf, const u64 *args)
{
	return 0;
}

static long lde_sys_getpid(struct lde_file *lf, const u64 *args)
{
	return task_tgid_vnr(current);
}

/* Keep up to LDE_BUF_SIZE bytes; a longer write is a short count. */
static long lde_sys_write(struct lde_file *lf, const u64 *args)
{
	size_t len = min_t(u64, args[1], LDE_BUF_SIZE);
	long ret = len;

	mutex_lock(&lf->buf_lock);
	if (copy_from_user(lf->buf, lde_user_ptr(args[0]), len)) {
		/* A half-copied buffer is no one's data: drop it. */
		lf->buf_len = 0;
		ret = -EFAULT;
	} else {
		lf->buf_len = len;
	}
	mutex_unlock(&lf->buf_lock);
	return ret;
}

static long lde_sys_read(struct lde_file *lf, const u64 *args)
{
	long ret;

	mutex_lock(&lf->buf_lock);
	ret = min_t(u64, args[1], lf->buf_len);
	if (copy_to_user(lde_user_ptr(args[0]), lf->buf, ret))
		ret = -EFAULT;
	mutex_unlock(&lf->buf_lock);
	return ret;
}

/*
 * The cooperative path: give up the CPU.  Whether a switch really happened
 * is read from the task's own switch counters, the ones /proc shows.
 */
static long lde_sys_yield(struct lde_file *lf, const u64 *args)
{
	unsigned long before = current->nvcsw + current->nivcsw;

	yield();
	return current->nvcsw + current->nivcsw - before;
}

static long lde_sys_time(struct lde_file *lf, const u64 *args)
{
	switch (args[0]) {
	case LDE_CLOCK_MONOTONIC:
		return ktime_get_ns();
	case LDE_CLOCK_REALTIME:
		return ktime_get_real_ns();
	default:
		return -EINVAL;
	}
}

/*
 * Each system call's entry moves the kernel stack down by a random offset
 * (add_random_kstack_offset(), on by default in Debian's kernels) before
 * any handler runs, so the handler's exact depth is that call's offset:
 * the very secret it is there to keep.  The kernel bounds the offset by
 * KSTACK_OFFSET_MAX() of all ones (0x3ff on 6.1, 0x3f0 on 6.12), and
 * alloca() rounds it up to the stack alignment, which divides the next
 * power of two: so the offset spans less than that power of two, and a
 * depth rounded up to it takes at most two values, which say no more than
 * whether the offset carried the depth past one boundary.  Taken from the
 * kernel's own macro, the bound follows it if it changes.
 */
#ifdef CONFIG_RANDOMIZE_KSTACK_OFFSET
#define LDE_KSTACK_OFFSET_SPAN	roundup_pow_of_two(KSTACK_OFFSET_MAX(~0U) + 1)
#else
#define LDE_KSTACK_OFFSET_SPAN	1
#endif

/*
 * How deep below the stack's top the handler runs.  Exact only for
 * CAP_PERFMON, which perf already asks before it shows kernel stacks;
 * rounded up for everyone else.
 */
static u32 lde_handler_stack_depth(unsigned long top)
{
	u32 depth = top - current_stack_pointer;

	if (perfmon_capable())
		return depth;
	return round_up(depth, LDE_KSTACK_OFFSET_SPAN);
}

/*
 * The trap frame: the user registers that the entry code pushed on this
 * task's kernel stack (struct pt_regs, at the top of the stack), and how
 * deep below the top the handler is running now.
 */
static long lde_sys_frame(struct lde_file *lf, const u64 *args)
{
	struct lde_frame __user *uframe = lde_user_ptr(args[0]);
	struct pt_regs *regs = task_pt_regs(current);
	unsigned long top = (unsigned long)task_stack_page(current) +
			    THREAD_SIZE;
	struct lde_frame frame = {};
	u32 usize;

	if (get_user(usize, &uframe->size))
		return -EFAULT;
	if (usize < LDE_FRAME_SIZE_VER0)
		return -EINVAL;

	frame.size = sizeof(frame);
	frame.user_cpl = lde_arch_regs_level(regs);
	frame.kernel_cpl = lde_arch_kernel_level();
	frame.kernel_stack_size = THREAD_SIZE;
	frame.ip = instruction_pointer(regs);
	frame.sp = user_stack_pointer(regs);
	lde_arch_fill_frame(&frame, regs);
	frame.handler_stack_depth = lde_handler_stack_depth(top);
	frame.regs_depth = top - (unsigned long)regs;

	if (copy_to_user(uframe, &frame, min_t(u32, usize, sizeof(frame))))
		return -EFAULT;
	return 0;
}

void __init lde_trap_table_init(void)
{
	lde_trap_table[LDE_SYS_NULL] = lde_sys_null;
	lde_trap_table[LDE_SYS_GETPID] = lde_sys_getpid;
	lde_trap_table[LDE_SYS_WRITE] = lde_sys_write;
	lde_trap_table[LDE_SYS_READ] = lde_sys_read;
	lde_trap_table[LDE_SYS_YIELD] = lde_sys_yield;
	lde_trap_table[LDE_SYS_TIME] = lde_sys_time;
	lde_trap_table[LDE_SYS_FRAME] = lde_sys_frame;
}

/*
 * Whether the table's page is read-only now, as the page tables say: the
 * module loader seals __ro_after_init when init returns
 * (CONFIG_STRICT_MODULE_RWX).
 */
bool lde_trap_table_sealed(void)
{
	return lde_arch_kernel_page_read_only(lde_trap_table);
}

/*
 * Check the number, find the handler, run it.  The bounds check alone is
 * not enough: under speculation the CPU may run ahead with an out-of-range
 * index, so it is clamped as the kernel clamps system-call numbers.
 */
long lde_dispatch(struct lde_file *lf, const struct lde_trap *trap)
{
	struct pt_regs *regs = task_pt_regs(current);
	unsigned int nr = trap->nr;
	u64 start = 0;
	long ret;

	if (nr >= LDE_NR_SYSCALLS)
		return -ENOSYS;
	nr = array_index_nospec(nr, LDE_NR_SYSCALLS);

	this_cpu_inc(lde_cpu_stats.traps[nr]);
	trace_lde_trap(nr, trap->args, instruction_pointer(regs),
		       lde_arch_regs_level(regs));
	if (trace_lde_return_enabled())
		start = ktime_get_ns();

	ret = lde_trap_table[nr](lf, trap->args);

	if (trace_lde_return_enabled())
		trace_lde_return(nr, ret, start ? ktime_get_ns() - start : 0);
	return ret;
}
