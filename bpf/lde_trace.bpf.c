// SPDX-License-Identifier: GPL-2.0
/*
 * lde-trace's kernel half: the limited-direct-execution sequence on the
 * running kernel (trap, return-from-trap, switch, timer, exec, exit, fault,
 * and lde.ko's own events), filtered here, in the kernel, and sent to user
 * space through a BPF ring buffer, a batch of a CPU's events at a time.
 * A batch the ring has no room for is counted lost, event by event, never
 * silently dropped.
 *
 * This file holds the programs, one per kernel hook; what they share is
 * in the bpf/lde_*.bpf.h headers included below.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "lde_trace.h"
#include "lde_module_events.h"

/*
 * The helpers, by concern (each header's opening comment says its job);
 * registers and layouts only through lde_arch.bpf.h's pick.
 */
#include "lde_arch.bpf.h"
#include "lde_event.bpf.h"
#include "lde_tasks.bpf.h"
#include "lde_syscall.bpf.h"
#include "lde_process.bpf.h"
#include "lde_sched.bpf.h"
#include "lde_switch.bpf.h"
#include "lde_timer.bpf.h"
#include "lde_module.bpf.h"

#define SIGILL	4
#define SIGBUS	7
#define SIGFPE	8
#define SIGSEGV	11

#define EEXIST		17

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/sys_enter")
int BPF_PROG(lde_sys_enter, struct pt_regs *regs, long id)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 cpu = task->thread_info.cpu;
	struct cpu_state *cs = bpf_map_lookup_elem(&cpu_states, &cpu);
	struct lde_batch *b;
	struct lde_event *e;
	__u32 compat;
	__u8 attrs;
	__u64 now;

	if (!cs || !current_wanted(cs, task))
		return 0;
	compat = lde_task_syscall_compat(task);
	attrs = syscall_attrs_of(id, compat);
	if (attrs & LDE_SYSCALL_SKIP)
		return 0;
	attrs &= (1U << LDE_TRAP_ARGS) - 1;	/* the strings */
	now = bpf_ktime_get_ns();
	if (defer_traps) {
		defer_trap(task, regs, id, compat, attrs, now);
		return 0;
	}
	if (stage_on(LDE_STAGE_RETURN)) {
		cs->trap_start = now;
		cs->trap_tid = task->pid;
		cs->trap_nr = id;
		cs->trap_compat = compat;
		cs->trap_held = 0;
	}
	if (!stage_on(LDE_STAGE_TRAP))
		return 0;
	if (aggregate_syscalls) {
		__u32 nr = lde_agg_slot(id, compat);
		struct lde_syscall_agg *agg = bpf_map_lookup_elem(&syscall_agg,
								  &nr);

		if (agg)
			agg->traps++;
		return 0;
	}
	/* Paths and names: off the hot path, a larger event. */
	if (attrs) {
		e = event_start(&b, cpu, LDE_EVENT_TRAP_STRINGS, now, task);
		if (!e)
			return 0;
		fill_trap(&e->trap, regs, id, compat);
		fill_trap_strings(e, attrs);
		/* A string not read yet waits for the return, in the task. */
		if (stage_on(LDE_STAGE_RETURN) && strings_to_read_again(e) &&
		    hold_trap(task, e)) {
			cs->trap_held = 1;
			event_cancel(b);
			return 0;
		}
		event_send(b, LDE_EVENT_TRAP_STRINGS);
		return 0;
	}
	e = event_start(&b, cpu, LDE_STAGE_TRAP, now, task);
	if (!e)
		return 0;
	fill_trap(&e->trap, regs, id, compat);
	event_send(b, LDE_STAGE_TRAP);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(lde_sys_exit, struct pt_regs *regs, long ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 cpu = task->thread_info.cpu, tid = task->pid;
	struct cpu_state *cs = bpf_map_lookup_elem(&cpu_states, &cpu);
	struct lde_batch *b;
	struct lde_event *e;
	__u64 now = 0, start;
	__u32 compat = 0, slot;
	__s32 nr = -1;

	/*
	 * Only a wanted task's trap left a start time: no second filter.
	 * No start time: the trap came before tracing began, not a pair.
	 * The number is the trap's, kept with its start time.
	 */
	if (!cs)
		return 0;
	if (defer_traps) {
		now = bpf_ktime_get_ns();
		start = deferred_start(cpu, task, ret, now, &nr, &compat);
		if (!start || !stage_on(LDE_STAGE_RETURN))
			return 0;
	} else if (cs->trap_tid == tid && tid) {
		start = cs->trap_start;
		nr = cs->trap_nr;
		compat = cs->trap_compat;
		cs->trap_tid = 0;
		if (unlikely(cs->trap_held)) {
			cs->trap_held = 0;
			send_held_trap(cpu, task, NULL);
		}
	} else {
		/* It left the CPU inside the call: the switch kept its trap. */
		struct task_state *st = bpf_task_storage_get(&task_states,
							     task, 0, 0);

		if (!st || !st->trap_start)
			return 0;
		start = st->trap_start;
		nr = st->trap_nr;
		compat = st->trap_compat;
		st->trap_start = 0;
		if (unlikely(st->pending_kind))
			send_held_trap(cpu, task, st);
	}
	if (!now)
		now = bpf_ktime_get_ns();
	/* A new program starts: off the hot path, a larger event. */
	if (unlikely(starts_program(nr, compat) && !ret &&
		     !aggregate_syscalls)) {
		send_exec_return(cpu, task, regs, now, start, nr, compat);
		return 0;
	}
	if (aggregate_syscalls) {
		struct lde_syscall_agg *agg;

		slot = lde_agg_slot(nr, compat);
		agg = bpf_map_lookup_elem(&syscall_agg, &slot);

		if (agg) {
			agg->returns++;
			agg->hist[log2_slot(now - start)]++;
		}
		return 0;
	}
	e = event_start(&b, cpu, LDE_STAGE_RETURN, now, task);
	if (!e)
		return 0;
	e->ret.nr = nr;
	e->ret.compat = compat;
	e->ret.ret = ret;
	e->ret.kernel_ns = now - start;
	event_send(b, LDE_STAGE_RETURN);
	return 0;
}

/*
 * The kernel's rule: voluntary only when not preempted and blocked.  Every
 * switch sends this CPU's batch, traced or not: prev's events are out
 * before prev can run on another CPU.
 */
SEC("tp_btf/sched_switch")
int BPF_PROG(lde_sched_switch, bool preempt, struct task_struct *prev,
	     struct task_struct *next, unsigned int prev_state)
{
	__u32 cpu = prev->thread_info.cpu;	/* prev is current */
	struct cpu_state *cs = bpf_map_lookup_elem(&cpu_states, &cpu);
	struct lde_batch *b;
	struct lde_event *e;
	bool prev_traced, next_traced, prev_wanted, next_wanted;
	/*
	 * First: waits and runs are differences of these stamps.  Not read
	 * when only system calls are traced: their path stays as it was.
	 */
	__u64 now = stage_on(LDE_STAGE_SWITCH) ? bpf_ktime_get_ns() : 0;

	if (cs)
		trap_leaves_with(cs, prev, prev_state);
	/*
	 * next runs here from now: what current_traced() says until the next
	 * switch.  prev's answer was written by the switch to it.
	 */
	prev_traced = current_traced(cs, prev);
	next_traced = task_traced(next);
	if (cs) {
		cs->curr_tid = next->pid;
		cs->curr_traced = next_traced;
		cs->curr_known = 1;
	}
	if (!stage_on(LDE_STAGE_SWITCH))
		goto flush;
	prev_wanted = prev_traced && task_wanted_comm(prev);
	next_wanted = next_traced && task_wanted_comm(next);
	e = (prev_wanted || next_wanted) && send_switches ?
	    event_start(&b, cpu, LDE_STAGE_SWITCH, now, prev) : NULL;
	if (!switch_sched(e, cpu, now, preempt, prev_state, prev, prev_wanted,
			  next, next_wanted))
		count_lost(1);
	if (!e)
		goto flush;
	e->sw.next_pid = next->tgid;
	e->sw.next_tid = next->pid;
	/* All of it: the kernel pads a comm with NULs (strscpy_pad). */
	__builtin_memcpy(e->sw.next_comm, next->comm, sizeof(e->sw.next_comm));
	e->sw.nonvoluntary = preempt || prev_state == 0;
	e->sw.prev_state = prev_state;
	/* This program runs on prev's kernel stack: how deep prev is now. */
	switch_stacks(e, prev, next, frame_address());
	event_send(b, LDE_STAGE_SWITCH);
flush:
	batch_flush(cpu);
	return 0;
}

/* A task starts to wake: it waits for a CPU from here (waking_note()). */
SEC("tp_btf/sched_waking")
int BPF_PROG(lde_sched_waking, struct task_struct *p)
{
	waking_note(p);
	return 0;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(lde_sched_wakeup, struct task_struct *p)
{
	wakeup_send(p, false);
	return 0;
}

/* A new task's first wakeup: it waits from here for its first run. */
SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(lde_sched_wakeup_new, struct task_struct *p)
{
	if (!task_wanted(p) && !(stage_on(LDE_STAGE_WAKEUP) &&
				 task_wanted(bpf_get_current_task_btf())))
		return 0;
	wakeup_new_note(p);
	if (stage_on(LDE_STAGE_WAKEUP))
		wakeup_send(p, true);
	return 0;
}

SEC("fentry/check_preempt_curr")
int BPF_PROG(lde_preempt_check, struct rq *rq, struct task_struct *p,
	     int flags)
{
	struct task_struct *curr = rq->curr;

	/* Already set: by this wakeup's enqueue, perhaps (EEVDF). */
	if (resched_path_enter(curr) && check_is_wakeup(p, flags))
		resched_at_enqueue(curr, rq->cpu, p);
	return 0;
}

SEC("fexit/check_preempt_curr")
int BPF_PROG(lde_preempt_check_exit, struct rq *rq, struct task_struct *p,
	     int flags)
{
	bool woken = check_is_wakeup(p, flags);

	resched_path_exit(rq->curr, rq->cpu,
			  woken ? LDE_REASON_WAKEUP : LDE_REASON_OTHER,
			  woken ? p : NULL);
	return 0;
}

/* The scheduler tick (scheduler_tick, or sched_tick). */
SEC("fentry/scheduler_tick")
int BPF_PROG(lde_sched_tick)
{
	resched_path_enter(bpf_get_current_task_btf());
	return 0;
}

SEC("fexit/scheduler_tick")
int BPF_PROG(lde_sched_tick_exit)
{
	struct task_struct *t = bpf_get_current_task_btf();

	resched_path_exit(t, t->thread_info.cpu, LDE_REASON_TICK, NULL);
	return 0;
}

/*
 * The timer interrupt (the arch header names its tracepoint): the mode it
 * hit and the user PC it saved; and every tick sends this CPU's batch.
 */
SEC(LDE_ARCH_TIMER_TP)
int BPF_PROG(lde_timer)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 cpu = task->thread_info.cpu;
	struct lde_batch *b;
	struct lde_event *e;

	/* An interrupt the tracepoint shares with other devices. */
	if (!lde_arch_timer_tick(ctx))
		return 0;
	/* No task storage in an interrupt: the switch told this CPU. */
	if (!stage_on(LDE_STAGE_TIMER) ||
	    !current_wanted(bpf_map_lookup_elem(&cpu_states, &cpu), task))
		goto flush;
	e = event_start(&b, cpu, LDE_STAGE_TIMER, bpf_ktime_get_ns(), task);
	if (!e)
		goto flush;
	fill_timer(e);
	event_send(b, LDE_STAGE_TIMER);
flush:
	/* At most a tick: what waits in this CPU's batch goes out. */
	batch_flush(cpu);
	return 0;
}

/*
 * Never attached: lde-trace runs it on a CPU (a test run, on that CPU)
 * whose batch has waited longer than a tick lets a batch wait: an idle
 * CPU's, whose tick has stopped.  The views that show events in time
 * order cannot show a later event before that CPU's earlier ones have
 * come.
 */
SEC("raw_tp")
int lde_send_batch(void *ctx)
{
	batch_flush(bpf_get_smp_processor_id());
	return 0;
}

/*
 * "Create entry for process list".  A traced task's new threads, and with
 * a COMMAND its child processes, are marked traced before they first
 * run; one that cannot be (no memory for its storage) is counted, never
 * silently left out.
 */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(lde_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	struct lde_batch *b;
	struct lde_event *e;

	if (filter_tgid &&
	    (((ctgid == ptgid || follow_forks) && task_traced(parent)) ||
	     (mark_tgid && ctgid == mark_tgid)) &&
	    !mark_traced(child))
		count_lost_as(LDE_LOST_FORKS, 1);
	if (!stage_on(LDE_STAGE_FORK) || !task_wanted(parent))
		return 0;
	e = event_start_now(&b, LDE_STAGE_FORK, parent);
	if (!e)
		return 0;
	e->fork.child_pid = ctgid;
	e->fork.child_tid = child->pid;
	event_send(b, LDE_STAGE_FORK);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(lde_exec, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	struct lde_batch *b;
	struct lde_event *e;

	if (!task_wanted(p))
		return 0;
	e = event_start_now(&b, LDE_STAGE_EXEC, p);
	if (!e)
		return 0;
	/* The read stops at the NUL: the rest of the field is zeros. */
	__builtin_memset(e->exec.filename, 0, sizeof(e->exec.filename));
	bpf_probe_read_kernel_str(e->exec.filename, sizeof(e->exec.filename),
				  BPF_CORE_READ(bprm, filename));
	event_send(b, LDE_STAGE_EXEC);
	return 0;
}

/*
 * "Free memory of process": once per process, when its last thread exits
 * (signal->live reached 0 before this tracepoint), with the status the
 * process ends with.  main() may call pthread_exit() and leave others
 * running: its exit is not the process's.
 */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(lde_exit, struct task_struct *p)
{
	__u32 tgid = p->tgid;
	struct lde_batch *b;
	struct lde_event *e;
	__u8 one = 1;

	if (BPF_CORE_READ(p, signal, live.counter) || !task_wanted(p))
		return 0;
	if (bpf_map_update_elem(&exited_tgids, &tgid, &one, BPF_NOEXIST) ==
	    -EEXIST)
		return 0;
	e = event_start_now(&b, LDE_STAGE_EXIT, p);
	if (!e)
		return 0;
	e->exit.code = BPF_CORE_READ(p, signal, group_exit_code) ?:
		       BPF_CORE_READ(p, exit_code);
	e->exit.pad = 0;
	event_send(b, LDE_STAGE_EXIT);
	return 0;
}

/*
 * "Remove from process list": release_task() of a thread-group leader
 * whose threads are all dead, run by the parent's wait() (or by the
 * process itself when no one waits).  Not the old leader a non-leader's
 * execve releases: that process lives on.
 */
SEC("fentry/release_task")
int BPF_PROG(lde_reap, struct task_struct *p)
{
	struct task_struct *by = bpf_get_current_task_btf();
	__u32 tgid = p->tgid;
	struct lde_batch *b;
	struct lde_event *e;

	if (p->pid != tgid || BPF_CORE_READ(p, signal, live.counter))
		return 0;
	bpf_map_delete_elem(&exited_tgids, &tgid);
	if (stage_on(LDE_STAGE_REAP) && task_wanted(p)) {
		e = event_start_now(&b, LDE_STAGE_REAP, p);
		if (e) {
			e->cpu = bpf_get_smp_processor_id();
			e->reap.by_pid = by->tgid;
			e->reap.by_tid = by->pid;
			__builtin_memcpy(e->reap.by_comm, by->comm,
					 sizeof(e->reap.by_comm));
			event_send(b, LDE_STAGE_REAP);
		}
	}
	return 0;
}

/* A fault the kernel turned into a signal (si_code > 0: not from kill). */
SEC("tp_btf/signal_generate")
int BPF_PROG(lde_fault, int sig, struct kernel_siginfo *info,
	     struct task_struct *task, int group, int result)
{
	struct lde_batch *b;
	struct lde_event *e;
	int code;

	if (sig != SIGSEGV && sig != SIGILL && sig != SIGFPE && sig != SIGBUS)
		return 0;
	/* SEND_SIG_NOINFO and SEND_SIG_PRIV are small constants. */
	if ((unsigned long)info < 4096)
		return 0;
	code = BPF_CORE_READ(info, si_code);
	if (code <= 0 || !task_wanted(task))
		return 0;
	e = event_start_now(&b, LDE_STAGE_FAULT, task);
	if (!e)
		return 0;
	e->fault.sig = sig;
	e->fault.code = code;
	e->fault.addr = (unsigned long)BPF_CORE_READ(info, _sifields._sigfault._addr);
	event_send(b, LDE_STAGE_FAULT);
	return 0;
}

/*
 * lde.ko's events.  The module carries no BTF, so these are classic
 * tracepoints read through their tracefs format: the layouts are in
 * lde_module_events.h, which a selftest checks against
 * events/lde/<name>/format on the running kernel.
 */
SEC("tracepoint/lde/lde_trap")
int lde_mod_trap(struct lde_trap_ctx *ctx)
{
	mod_trap_send(ctx);
	return 0;
}

SEC("tracepoint/lde/lde_return")
int lde_mod_return(struct lde_return_ctx *ctx)
{
	mod_return_send(ctx);
	return 0;
}

/*
 * Before 6.2 (lde-trace chooses): next is the run queue's current task,
 * which that verifier lets the task-storage lookup take.
 */
SEC("tracepoint/lde/lde_switch")
int lde_mod_switch(struct lde_switch_ctx *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 cpu = task->thread_info.cpu;
	char prev[LDE_COMM_LEN], next[LDE_COMM_LEN];

	__builtin_memcpy(prev, ctx->prev_comm, LDE_COMM_LEN);
	__builtin_memcpy(next, ctx->next_comm, LDE_COMM_LEN);
	mod_switch_send(ids_wanted(current_traced(bpf_map_lookup_elem(&cpu_states,
								      &cpu),
						  task), prev) ||
			ids_wanted(switching_to_traced(ctx->next_tid), next),
			ctx, prev, next);
	return 0;
}

/*
 * 6.2 and later: a task read from the run queue is untrusted there, and
 * task storage refuses it; the event's own BTF hands over next trusted.
 * The fields are read through the tracepoint's raw arguments, as the
 * plain tracepoint's record would hold them.
 */
SEC("tp_btf/lde_switch")
int BPF_PROG(lde_mod_switch_btf, struct task_struct *prev_task,
	     struct task_struct *next_task, bool nonvoluntary,
	     unsigned int prev_state, __u32 prev_depth, __u32 next_depth)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 cpu = task->thread_info.cpu;
	struct lde_switch_ctx c = {};
	char prev[LDE_COMM_LEN] = {}, next[LDE_COMM_LEN] = {};

	/* The verifier holds a tracepoint's task arguments maybe NULL. */
	if (!prev_task || !next_task)
		return 0;
	c = (struct lde_switch_ctx){
		.prev_pid = prev_task->tgid,
		.prev_tid = prev_task->pid,
		.next_pid = next_task->tgid,
		.next_tid = next_task->pid,
		.nonvoluntary = nonvoluntary,
		.prev_state = prev_state,
		.prev_stack_depth = prev_depth,
		.next_stack_depth = next_depth,
	};

	bpf_probe_read_kernel_str(prev, sizeof(prev), prev_task->comm);
	bpf_probe_read_kernel_str(next, sizeof(next), next_task->comm);
	mod_switch_send(ids_wanted(current_traced(bpf_map_lookup_elem(&cpu_states,
								      &cpu),
						  task), prev) ||
			ids_wanted(task_traced(next_task), next),
			&c, prev, next);
	return 0;
}

/*
 * The process named at the start (-p PID, or the COMMAND, stopped before
 * its exec), marked traced thread by thread: lde-trace runs this iterator
 * once over every task, with mark_tgid set and the fork program attached.
 */
SEC("iter/task")
int lde_mark_process(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;

	if (task && mark_tgid && task->tgid == mark_tgid &&
	    !mark_traced(task))
		count_lost_as(LDE_LOST_FORKS, 1);
	return 0;
}
