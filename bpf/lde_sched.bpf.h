/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The scheduler's side of a switch, for lde_trace.bpf.c: why prev left
 * the CPU, how long next waited for it, how long prev ran; and who woke
 * whom (the wakeup stage).
 *
 * Why: a runnable task leaves the CPU because something set need-resched
 * on its CPU.  The paths that do are watched where the kernel takes them:
 * the scheduler tick (scheduler_tick(), sched_tick() since 6.10) and the
 * wakeup-preemption check (check_preempt_curr(), wakeup_preempt() since
 * 6.8), each with an fentry and an fexit program; lde-trace attaches them
 * to whichever name the running kernel's BTF has.  A call that found
 * need-resched clear and left it set is the one that set it: its reason
 * waits in the CPU's slot until the switch it causes.  A switch without
 * one is a sched_yield() (prev is in that system call) or "other".
 *
 * Times: a task is runnable from its first sched_waking (as perf sched
 * timehist counts it) or from being switched out still runnable, until
 * it is switched in; it ran from its switch in until its switch out.
 */
#ifndef _LDE_SCHED_BPF_H
#define _LDE_SCHED_BPF_H

#include "lde_arch.bpf.h"
#include "lde_event.bpf.h"
#include "lde_log2.bpf.h"
#include "lde_sched_sum.h"
#include "lde_tasks.bpf.h"

/*
 * Set by lde-trace between open and load.  -s: sum each switch here (lde_sched_sum.h), and send its event only if
 * a view or a file needs it (send_switches).
 */
const volatile bool aggregate_sched = false;
const volatile bool send_switches = true;

/* What a woken task waits with, until its switch in. */
struct sched_task {
	__u64 runnable_since;	/* 0: not known to be waiting */
	__u32 by_pid, by_tid;	/* who woke it (sched_waking's current) */
	char by_comm[LDE_COMM_LEN];
	__u8 by_wanted;		/* the waker is traced (wakeup stage only) */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sched_task);
} sched_tasks SEC(".maps");

/*
 * Per CPU, in an array indexed by CPU (lde-trace sizes it).  The reason
 * slot of a CPU is written under its run queue's lock (by whichever CPU
 * holds it) or by the CPU itself in its tick, and read and cleared by its
 * own switch, under the same lock.
 */
struct sched_cpu {
	__u64 last_switch;	/* when this CPU last switched; 0: not seen */
	__u8 reason;		/* LDE_REASON_*; BLOCKED (0): none waiting */
	__u8 nr_before;		/* fentry saw need-resched set (this CPU's call) */
	__u8 pad[2];
	__u32 by_pid, by_tid;	/* lde_reason_names_woken(): the woken task */
	char by_comm[LDE_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);	/* lde-trace sets: possible CPUs */
	__type(key, __u32);
	__type(value, struct sched_cpu);
} sched_cpus SEC(".maps");

static __always_inline struct sched_cpu *sched_cpu_of(__u32 cpu)
{
	return bpf_map_lookup_elem(&sched_cpus, &cpu);
}

static __always_inline bool need_resched_set(struct task_struct *t)
{
	return BPF_CORE_READ(t, thread_info.flags) &
	       (1UL << LDE_ARCH_TIF_NEED_RESCHED);
}

/* A checked path begins: is need-resched already set on its target? */
static __always_inline bool resched_path_enter(struct task_struct *curr)
{
	struct sched_cpu *here = sched_cpu_of(bpf_get_smp_processor_id());
	bool set = need_resched_set(curr);

	if (here)
		here->nr_before = set;
	return set;
}

static __always_inline void set_woken(struct sched_cpu *c,
				     struct task_struct *woken)
{
	c->by_pid = BPF_CORE_READ(woken, tgid);
	c->by_tid = BPF_CORE_READ(woken, pid);
	/* All of it: a shorter comm leaves no bytes of the last one here. */
	BPF_CORE_READ_INTO(&c->by_comm, woken, comm);
}

/*
 * A checked path ends: if it set need-resched on target_cpu's current
 * task, the reason waits in that CPU's slot (the first one wins until
 * the switch).
 */
static __always_inline void resched_path_exit(struct task_struct *curr,
					      __u32 target_cpu, __u8 reason,
					      struct task_struct *by)
{
	struct sched_cpu *here = sched_cpu_of(bpf_get_smp_processor_id());
	struct sched_cpu *there = sched_cpu_of(target_cpu);

	if (!here || !there || here->nr_before || !need_resched_set(curr) ||
	    there->reason != LDE_REASON_BLOCKED)
		return;
	there->reason = reason;
	if (by)
		set_woken(there, by);
}

/* EEVDF's sched_entity (6.6 on), whichever vmlinux.h this is built with. */
struct sched_entity___eevdf {
	__u64 deadline;
} __attribute__((preserve_access_index));

/* SCHED_NORMAL, SCHED_BATCH, SCHED_IDLE: the fair class's tasks. */
static __always_inline bool fair_policy(unsigned int policy)
{
	return policy == 0 || policy == 3 || policy == 5;
}

/*
 * A wakeup check began on target_cpu's current task with need-resched
 * already set (the caller saw it) and no reason waiting: none of the
 * watched paths set it since the CPU's last switch.  On EEVDF (6.6 on: a
 * sched_entity has a deadline), enqueueing the woken task, right before
 * the check, did when both are fair tasks (by policy): the enqueue runs
 * update_curr(), which sets need-resched when the current task's slice
 * is used up.  (Not the idle task: a remote wakeup sets its flag
 * directly while it polls.)
 */
static __always_inline void resched_at_enqueue(struct task_struct *curr,
					       __u32 target_cpu,
					       struct task_struct *woken)
{
	struct sched_cpu *there;

	if (!bpf_core_field_exists(struct sched_entity___eevdf, deadline) ||
	    !curr->pid || !fair_policy(curr->policy) ||
	    !fair_policy(woken->policy))
		return;
	there = sched_cpu_of(target_cpu);
	if (!there || there->reason != LDE_REASON_BLOCKED)
		return;
	there->reason = LDE_REASON_SLICE;
	set_woken(there, woken);
}

/*
 * The state prev leaves in, as the kernel's task_state_index() reports
 * it (include/linux/sched.h), or preempted.
 */
#define LDE_TASK_REPORT		0x7f
#define LDE_TASK_IDLE		0x402	/* TASK_UNINTERRUPTIBLE | TASK_NOLOAD */
#define LDE_TASK_REPORT_IDLE	0x80
#define LDE_TASK_RTLOCK_WAIT	0x1000
#define LDE_TASK_UNINTERRUPTIBLE 0x2

static __always_inline __u8 end_state(bool preempt, unsigned int state,
				      struct task_struct *prev)
{
	unsigned int report;
	__u8 index = 0;

	if (preempt)
		return LDE_END_STATE_PREEMPTED;
	report = (state | BPF_CORE_READ(prev, exit_state)) & LDE_TASK_REPORT;
	if ((state & LDE_TASK_IDLE) == LDE_TASK_IDLE)
		report = LDE_TASK_REPORT_IDLE;
	if (state & LDE_TASK_RTLOCK_WAIT)
		report = LDE_TASK_UNINTERRUPTIBLE;
	/* fls(), bounded for the verifier */
	for (int i = 0; i < 8; i++)
		if (report & (1U << i))
			index = i + 1;
	return index;
}

/*
 * The system call a user task is in, from its saved registers: they hold
 * the number during a call and a negative value in an interrupt or
 * exception.  -1: none.
 */
static __always_inline int syscall_in(struct task_struct *t)
{
	long nr;

	if (t->flags & PF_KTHREAD)
		return -1;
	nr = lde_regs_syscall_nr((struct pt_regs *)bpf_task_pt_regs(t));
	return nr >= 0 && nr < LDE_MAX_SYSCALLS ? nr : -1;
}

/*
 * -s: each task's sums by tid, and the totals per CPU, made here
 * by lde_sched_sum.h's rules and read by lde-trace at the end.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LDE_SCHED_SUM_TASKS);
	__type(key, __u32);	/* tid */
	__type(value, struct lde_sched_sum);
} sched_sums SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lde_sched_totals);
} sched_totals SEC(".maps");

static const struct lde_sched_sum sched_sum_zero;

/*
 * A task's sums, made on first sight; its pid and comm as they are now.
 * NULL when the table is full.  A task's sums are written only by the
 * CPU switching it out or in, and it is never doing both at once.
 */
static __always_inline struct lde_sched_sum *sched_sum_of(struct task_struct *t)
{
	__u32 tid = t->pid;
	struct lde_sched_sum *s = bpf_map_lookup_elem(&sched_sums, &tid);

	if (!s) {
		bpf_map_update_elem(&sched_sums, &tid, &sched_sum_zero,
				    BPF_NOEXIST);
		s = bpf_map_lookup_elem(&sched_sums, &tid);
		if (!s)
			return NULL;
	}
	s->pid = t->tgid;
	__builtin_memcpy(s->comm, t->comm, sizeof(s->comm));
	return s;
}

/* One switch summed, as lde-trace would sum its event; false: not all. */
static __always_inline bool sched_sum_switch(__u64 now, bool nonvoluntary,
					     __u8 reason, __u8 known,
					     __u64 run, __u64 wait,
					     struct task_struct *prev,
					     struct task_struct *next)
{
	bool prev_traced = lde_prev_traced(known);
	bool next_traced = lde_next_traced(known);
	__u32 zero = 0;
	struct lde_sched_totals *tot = bpf_map_lookup_elem(&sched_totals,
							   &zero);
	__u32 slot = lde_reason_slot(reason);
	struct lde_sched_sum *s;
	bool all = true;

	/*
	 * An index the verifier can bound: masked after the barrier, where
	 * the compiler cannot drop the mask as needless.
	 */
	barrier_var(slot);
	slot &= LDE_REASON_SLOTS - 1;
	if (tot)
		lde_sched_totals_add(tot, prev_traced, slot, nonvoluntary,
				     next_traced, known & LDE_KNOWN_WAIT,
				     log2_slot(wait / 1000));
	/* The idle task (tid 0) is left out: it never waits. */
	if (prev_traced && prev->pid) {
		s = sched_sum_of(prev);
		if (s)
			lde_sched_sum_out(s, now, known & LDE_KNOWN_RUN, run,
					  slot);
		all = s;
	}
	if (next_traced && next->pid) {
		s = sched_sum_of(next);
		if (s)
			lde_sched_sum_in(s, now, known & LDE_KNOWN_WAIT, wait);
		all = all && s;
	}
	return tot && all;
}

/*
 * The switch's scheduler fields, on prev's CPU at now, written before
 * the rest of the event (e may be NULL: not sent); with -s, also summed
 * here, if the trace follows prev or next.  Also the bookkeeping
 * every switch does, shown or not: the CPU's reason slot is used up,
 * prev's run begins to count as a wait if it stays runnable, next's
 * wait ends.  False: a shown switch not summed whole.
 */
static __always_inline bool switch_sched(struct lde_event *e, __u32 cpu,
					 __u64 now, bool preempt,
					 unsigned int prev_state,
					 struct task_struct *prev,
					 bool prev_wanted,
					 struct task_struct *next,
					 bool next_wanted)
{
	struct sched_cpu *sc = sched_cpu_of(cpu);
	bool runnable = preempt || prev_state == 0;
	struct sched_task *st;
	__u64 run = 0, wait = 0;
	__u8 known = LDE_KNOWN_SCHED, reason;
	bool summed = true;
	int nr;

	if (!sc)
		return true;
	if (sc->last_switch) {
		run = now - sc->last_switch;
		known |= LDE_KNOWN_RUN;
	}
	sc->last_switch = now;
	/* The slot is used up by this switch, sent or not. */
	reason = sc->reason;
	sc->reason = LDE_REASON_BLOCKED;

	/*
	 * The idle task never waits: it runs when nothing else can.  Only a
	 * task the trace follows gets storage.
	 */
	if (runnable && prev->pid && prev_wanted) {
		st = bpf_task_storage_get(&sched_tasks, prev, 0,
					  BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (st) {
			st->runnable_since = now;
			st->by_pid = 0;
		}
	} else if (!runnable) {
		st = bpf_task_storage_get(&sched_tasks, prev, 0, 0);
		if (st)
			st->runnable_since = 0;
	}
	st = bpf_task_storage_get(&sched_tasks, next, 0, 0);
	if (st && st->runnable_since) {
		wait = now - st->runnable_since;
		known |= LDE_KNOWN_WAIT;
		st->runnable_since = 0;
	}

	if (!(prev_wanted || next_wanted) || (!e && !aggregate_sched))
		return true;
	known |= (prev_wanted ? LDE_KNOWN_PREV_TRACED : 0) |
		 (next_wanted ? LDE_KNOWN_NEXT_TRACED : 0);
	nr = syscall_in(prev);
	if (!runnable)
		reason = LDE_REASON_BLOCKED;
	else if (!preempt && nr == LDE_ARCH_NR_sched_yield)
		reason = LDE_REASON_YIELD;
	else if (reason == LDE_REASON_BLOCKED)
		reason = LDE_REASON_OTHER;
	if (aggregate_sched)
		summed = sched_sum_switch(now, runnable, reason, known, run,
					  wait, prev, next);
	if (!e)
		return summed;
	e->sw.preempt = preempt;
	e->sw.reason = reason;
	e->sw.end_state = end_state(preempt, prev_state, prev);
	e->sw.known = known;
	e->sw.blocked_nr = reason == LDE_REASON_BLOCKED ||
			   reason == LDE_REASON_YIELD ? nr : -1;
	if (lde_reason_names_woken(reason)) {
		e->sw.by_pid = sc->by_pid;
		e->sw.by_tid = sc->by_tid;
		__builtin_memcpy(e->sw.by_comm, sc->by_comm,
				 sizeof(e->sw.by_comm));
	} else {
		e->sw.by_pid = 0;
		e->sw.by_tid = 0;
		__builtin_memset(e->sw.by_comm, 0, sizeof(e->sw.by_comm));
	}
	e->sw.next_wait_ns = wait;
	e->sw.prev_run_ns = run;
	return summed;
}

/* What lde.ko's switch event does not carry. */
static __always_inline void switch_sched_unknown(struct lde_event *e)
{
	e->sw.preempt = 0;
	e->sw.reason = e->sw.nonvoluntary ? LDE_REASON_OTHER :
					    LDE_REASON_BLOCKED;
	e->sw.end_state = 0;
	e->sw.known = 0;
	e->sw.blocked_nr = -1;
	e->sw.by_pid = 0;
	e->sw.by_tid = 0;
	__builtin_memset(e->sw.by_comm, 0, sizeof(e->sw.by_comm));
	e->sw.next_wait_ns = 0;
	e->sw.prev_run_ns = 0;
}

/*
 * sched_waking: p starts to wake: from now it counts as waiting for a
 * CPU (perf sched timehist counts from here too), and current is who
 * woke it.
 */
static __always_inline void waking_note(struct task_struct *p)
{
	struct task_struct *waker = bpf_get_current_task_btf();
	__u64 now = bpf_ktime_get_ns();	/* first: the switch's is too */
	struct sched_task *st;
	bool by_wanted = stage_on(LDE_STAGE_WAKEUP) && task_wanted(waker);

	if (!by_wanted && !task_wanted(p))
		return;
	st = bpf_task_storage_get(&sched_tasks, p, 0,
				  BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!st || st->runnable_since)
		return;
	st->runnable_since = now;
	st->by_pid = waker->tgid;
	st->by_tid = waker->pid;
	st->by_wanted = by_wanted;
	__builtin_memcpy(st->by_comm, waker->comm, sizeof(st->by_comm));
}

/* sched_wakeup_new: a new task waits from here for its first run. */
static __always_inline void wakeup_new_note(struct task_struct *p)
{
	struct sched_task *st = bpf_task_storage_get(&sched_tasks, p, 0,
					BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (st && !st->runnable_since) {
		st->runnable_since = bpf_ktime_get_ns();
		st->by_pid = 0;
	}
}

/* The wakeup stage: p is on target_cpu's run queue now. */
static __always_inline void wakeup_send(struct task_struct *p, bool new_task)
{
	struct task_struct *current = bpf_get_current_task_btf();
	__u32 cpu = current->thread_info.cpu;
	struct sched_task *st = NULL;
	struct lde_batch *b;
	struct lde_event *e;

	if (!new_task)
		st = bpf_task_storage_get(&sched_tasks, p, 0, 0);
	if (!task_wanted(p) &&
	    !(st && st->by_pid ? st->by_wanted : task_wanted(current)))
		return;
	e = event_start(&b, cpu, LDE_STAGE_WAKEUP, bpf_ktime_get_ns(), p);
	if (!e)
		return;
	e->cpu = cpu;		/* where it was woken, not where it will run */
	if (st && st->by_pid) {
		e->wakeup.by_pid = st->by_pid;
		e->wakeup.by_tid = st->by_tid;
		__builtin_memcpy(e->wakeup.by_comm, st->by_comm,
				 sizeof(e->wakeup.by_comm));
	} else {	/* a fork's child, or woken before its waking was seen */
		e->wakeup.by_pid = current->tgid;
		e->wakeup.by_tid = current->pid;
		__builtin_memcpy(e->wakeup.by_comm, current->comm,
				 sizeof(e->wakeup.by_comm));
	}
	e->wakeup.target_cpu = p->thread_info.cpu;
	e->wakeup.new_task = new_task;
	event_send(b, LDE_STAGE_WAKEUP);
}

/*
 * The wakeup-preemption check (check_preempt_curr, or wakeup_preempt:
 * lde-trace attaches these to the name the kernel has): p, woken or
 * moved onto rq, may outrank rq's current task.
 */
#define WF_FORK	0x04	/* kernel/sched/sched.h */
#define WF_TTWU	0x08

/*
 * A wakeup, not a move by the load balancer or a migration (flags 0): a
 * wakeup from another CPU's queue comes without WF_TTWU, but p is not
 * yet TASK_RUNNING until after this check.
 */
static __always_inline bool check_is_wakeup(struct task_struct *p, int flags)
{
	return (flags & (WF_TTWU | WF_FORK)) || p->__state;
}

#endif /* _LDE_SCHED_BPF_H */
