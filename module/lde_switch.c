// SPDX-License-Identifier: GPL-2.0
/*
 * The context switch, OSTEP Figure 6.3: a probe on the scheduler's
 * sched_switch tracepoint sees every switch(), counts it per CPU, tells the
 * cooperative path (the task blocked) from the forced one (it was still
 * runnable, typically when the timer interrupt found its slice used up),
 * and reports the kernel-stack switch as the lde_switch trace event.
 *
 * sched_switch is not exported to modules, so it is found by name with
 * for_each_kernel_tracepoint(), as samples/trace_events/ explains.  The
 * probe runs with the runqueue lock held and interrupts off: it does not
 * sleep, allocate or print, and touches only per-CPU counters and the
 * fixed watch table.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/sched/task_stack.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <trace/events/sched.h>

#include "lde.h"
#include "lde_arch.h"
#include "lde_trace.h"

/*
 * Watched tasks: a fixed table, so the probe never allocates.  It is
 * shared by every user of the 0666 device, so one open file and one user
 * may hold only part of it (LDE_WATCHES_PER_FILE, LDE_WATCHES_PER_USER).
 */
#define LDE_MAX_WATCHES LDE_WATCH_SLOTS

struct lde_watch_slot {
	struct task_struct *task;	/* holds a reference; NULL: not watching */
	struct file *owner;		/* the open file that asked */
	/*
	 * Who the slot is charged to: the user who opened the owning file,
	 * as inotify charges a watch to the user who made the instance.
	 * Charged until the slot is free again, retiring included.
	 */
	kuid_t uid;
	/*
	 * Taken off the table, but a probe that read task before may still
	 * be counting into it: not reused until no probe can see it.
	 */
	bool retiring;
	atomic64_t voluntary;
	atomic64_t preempted;
	atomic64_t switched_in;
};

static struct lde_watch_slot lde_watches[LDE_MAX_WATCHES];
static DEFINE_MUTEX(lde_watch_lock);	/* serialises add and remove */
static atomic_t lde_nr_watches = ATOMIC_INIT(0);

static struct tracepoint *lde_tp_sched_switch;

/* Depth of sp below the top of task's kernel stack; 0 if not inside it. */
static u32 lde_stack_depth(struct task_struct *task, unsigned long sp)
{
	unsigned long top = (unsigned long)task_stack_page(task) + THREAD_SIZE;

	if (sp > top || sp < top - THREAD_SIZE)
		return 0;
	return top - sp;
}

/*
 * The kernel's own rule (__schedule): a switch-out counts as voluntary
 * (nvcsw) only when it was not a preemption and the task had left
 * TASK_RUNNING, i.e. it blocked.  Anything else (preempted in the kernel,
 * rescheduled on the way back to user mode after the timer tick, or
 * sched_yield()) counts as non-voluntary (nivcsw).
 */
static bool lde_switch_is_voluntary(bool preempt, unsigned int prev_state)
{
	return !preempt && prev_state != TASK_RUNNING;
}

static void lde_watch_count(struct task_struct *prev,
			    struct task_struct *next, bool voluntary)
{
	int i;

	for (i = 0; i < LDE_MAX_WATCHES; i++) {
		struct lde_watch_slot *w = &lde_watches[i];
		struct task_struct *task = READ_ONCE(w->task);

		if (!task)
			continue;
		if (task == prev)
			atomic64_inc(voluntary ? &w->voluntary : &w->preempted);
		if (task == next)
			atomic64_inc(&w->switched_in);
	}
}

static void lde_probe_sched_switch(void *data, bool preempt,
				   struct task_struct *prev,
				   struct task_struct *next,
				   unsigned int prev_state)
{
	bool voluntary = lde_switch_is_voluntary(preempt, prev_state);

	this_cpu_inc(lde_cpu_stats.switches);
	if (voluntary)
		this_cpu_inc(lde_cpu_stats.voluntary);
	else
		this_cpu_inc(lde_cpu_stats.preempted);

	if (atomic_read(&lde_nr_watches))
		lde_watch_count(prev, next, voluntary);

	if (trace_lde_switch_enabled())
		/* The probe runs on prev's stack: its live sp is prev's. */
		trace_lde_switch(prev, next, !voluntary, prev_state,
				 lde_stack_depth(prev, current_stack_pointer),
				 lde_stack_depth(next,
						 lde_arch_saved_kernel_sp(next)));
}

static void lde_find_tracepoint(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "sched_switch"))
		lde_tp_sched_switch = tp;
}

/* The probe must match the running kernel's sched_switch prototype. */
static void __maybe_unused lde_check_probe_type(void)
{
	check_trace_callback_type_sched_switch(lde_probe_sched_switch);
}

int lde_switch_hook_init(void)
{
	int ret;

	for_each_kernel_tracepoint(lde_find_tracepoint, NULL);
	if (!lde_tp_sched_switch) {
		pr_err("sched_switch tracepoint not found\n");
		return -ENOENT;
	}
	ret = tracepoint_probe_register(lde_tp_sched_switch,
					lde_probe_sched_switch, NULL);
	if (ret)
		pr_err("cannot attach to sched_switch: %d\n", ret);
	return ret;
}

void lde_switch_hook_exit(void)
{
	tracepoint_probe_unregister(lde_tp_sched_switch,
				    lde_probe_sched_switch, NULL);
	/* No probe may still be running when the module text goes away. */
	tracepoint_synchronize_unregister();
}

static struct lde_watch_slot *lde_watch_find(struct file *owner,
					     struct task_struct *task)
{
	int i;

	for (i = 0; i < LDE_MAX_WATCHES; i++)
		if (lde_watches[i].task == task &&
		    lde_watches[i].owner == owner)
			return &lde_watches[i];
	return NULL;
}

/* Under lde_watch_lock: take a slot off the table; it retires. */
static void lde_watch_clear(struct lde_watch_slot *w)
{
	WRITE_ONCE(w->task, NULL);
	w->owner = NULL;
	w->retiring = true;
	atomic_dec(&lde_nr_watches);
}

/*
 * Once no probe can still be reading the slots taken off the table: drop
 * their task references and let them be reused.  A probe that loaded a
 * slot's task before it was cleared may count into the slot until then;
 * a new watch in it before then would get the old task's counts.
 */
static void lde_watch_retire(struct lde_watch_slot **slots,
			     struct task_struct **tasks, int n)
{
	int i;

	if (!n)
		return;
	tracepoint_synchronize_unregister();
	for (i = 0; i < n; i++)
		put_task_struct(tasks[i]);
	mutex_lock(&lde_watch_lock);
	for (i = 0; i < n; i++)
		slots[i]->retiring = false;
	mutex_unlock(&lde_watch_lock);
}

/*
 * The task a caller may watch: itself, or with CAP_SYS_ADMIN any task.
 * Returns a referenced task or an ERR_PTR.
 */
static struct task_struct *lde_watch_target(pid_t tid)
{
	struct task_struct *task;

	if (tid < 0)
		return ERR_PTR(-EINVAL);
	if (tid == 0 || tid == task_pid_vnr(current)) {
		get_task_struct(current);
		return current;
	}
	if (!capable(CAP_SYS_ADMIN))
		return ERR_PTR(-EPERM);
	rcu_read_lock();
	task = get_pid_task(find_vpid(tid), PIDTYPE_PID);
	rcu_read_unlock();
	return task ? task : ERR_PTR(-ESRCH);
}

/*
 * Under lde_watch_lock: may this file, opened by uid, take one more slot?
 * Slots still retiring count against their user: unwatching in a loop
 * from many threads must not hold more than the bound either.
 */
static bool lde_watch_within_bounds(struct file *owner, kuid_t uid)
{
	int i, by_file = 0, by_user = 0;

	for (i = 0; i < LDE_MAX_WATCHES; i++) {
		const struct lde_watch_slot *w = &lde_watches[i];

		if (!w->task && !w->retiring)
			continue;
		if (w->task && w->owner == owner)
			by_file++;
		if (uid_eq(w->uid, uid))
			by_user++;
	}
	return by_file < LDE_WATCHES_PER_FILE && by_user < LDE_WATCHES_PER_USER;
}

/*
 * Past a bound, or with the table full: -ENOSPC, what inotify_add_watch()
 * and fanotify_mark() return when their user's or group's watches run out.
 */
int lde_watch_add(struct file *owner, pid_t tid)
{
	struct task_struct *task = lde_watch_target(tid);
	kuid_t uid = owner->f_cred->euid;
	int i, ret = -ENOSPC;

	if (IS_ERR(task))
		return PTR_ERR(task);

	mutex_lock(&lde_watch_lock);
	if (lde_watch_find(owner, task)) {
		ret = -EEXIST;
		goto unlock;
	}
	if (!lde_watch_within_bounds(owner, uid))
		goto unlock;
	for (i = 0; i < LDE_MAX_WATCHES; i++) {
		struct lde_watch_slot *w = &lde_watches[i];

		if (w->task || w->retiring)
			continue;
		atomic64_set(&w->voluntary, 0);
		atomic64_set(&w->preempted, 0);
		atomic64_set(&w->switched_in, 0);
		w->owner = owner;
		w->uid = uid;
		atomic_inc(&lde_nr_watches);
		/* Publish last: the probe counts once it sees the task. */
		smp_store_release(&w->task, task);
		task = NULL;	/* the slot owns the reference now */
		ret = 0;
		break;
	}
unlock:
	mutex_unlock(&lde_watch_lock);
	if (task)
		put_task_struct(task);
	return ret;
}

int lde_watch_remove(struct file *owner, pid_t tid)
{
	struct task_struct *task = lde_watch_target(tid);
	struct lde_watch_slot *w;

	if (IS_ERR(task))
		return PTR_ERR(task);

	mutex_lock(&lde_watch_lock);
	w = lde_watch_find(owner, task);
	if (w)
		lde_watch_clear(w);
	mutex_unlock(&lde_watch_lock);

	if (!w) {
		put_task_struct(task);
		return -ENOENT;
	}
	/* The slot's own reference, then the one lde_watch_target took. */
	lde_watch_retire(&w, &task, 1);
	put_task_struct(task);
	return 0;
}

int lde_watch_read(struct file *owner, pid_t tid, struct lde_watch *out)
{
	struct task_struct *task = lde_watch_target(tid);
	struct lde_watch_slot *w;
	int ret = 0;

	if (IS_ERR(task))
		return PTR_ERR(task);

	mutex_lock(&lde_watch_lock);
	w = lde_watch_find(owner, task);
	if (w) {
		out->voluntary = atomic64_read(&w->voluntary);
		out->preempted = atomic64_read(&w->preempted);
		out->switched_in = atomic64_read(&w->switched_in);
	} else {
		ret = -ENOENT;
	}
	mutex_unlock(&lde_watch_lock);
	put_task_struct(task);
	return ret;
}

/* The file is closing: every watch it holds ends. */
void lde_watch_release_file(struct file *owner)
{
	struct lde_watch_slot *slots[LDE_MAX_WATCHES];
	struct task_struct *tasks[LDE_MAX_WATCHES];
	int i, n = 0;

	mutex_lock(&lde_watch_lock);
	for (i = 0; i < LDE_MAX_WATCHES; i++) {
		struct lde_watch_slot *w = &lde_watches[i];

		if (w->task && w->owner == owner) {
			slots[n] = w;
			tasks[n++] = w->task;
			lde_watch_clear(w);
		}
	}
	mutex_unlock(&lde_watch_lock);
	lde_watch_retire(slots, tasks, n);
}
