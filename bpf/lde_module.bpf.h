/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lde.ko's events, for lde_trace.bpf.c's lde_mod_* programs: the toy
 * trap and its return sent for a wanted task; for the switch, whether
 * the task switched to is traced, and the event sent.
 */
#ifndef _LDE_MODULE_BPF_H
#define _LDE_MODULE_BPF_H

#include "lde_event.bpf.h"
#include "lde_module_events.h"
#include "lde_sched.bpf.h"
#include "lde_tasks.bpf.h"

/*
 * The task this CPU switches to, at sched_switch (lde.ko's probe runs
 * inside it): __schedule() has made it the run queue's current already.
 */
extern struct rq runqueues __ksym;

static __always_inline bool switching_to_traced(__u32 next_tid)
{
	struct rq *rq = bpf_this_cpu_ptr(&runqueues);
	struct task_struct *next;

	if (!filter_tgid)
		return true;
	next = rq->curr;
	return next && next->pid == next_tid && task_traced(next);
}

/*
 * lde.ko's switch event, kept when prev (current) or next is wanted;
 * lde_trace.bpf.c's lde_mod_switch and lde_mod_switch_btf differ only in
 * how they learn whether next is traced.
 */
static __always_inline void mod_switch_send(bool wanted,
					     struct lde_switch_ctx *ctx,
					     const char *prev,
					     const char *next)
{
	struct lde_batch *b;
	struct lde_event *e;

	if (!wanted)
		return;
	e = event_start_now(&b, LDE_STAGE_LDE_SWITCH,
			    bpf_get_current_task_btf());
	if (!e)
		return;
	e->pid = ctx->prev_pid;
	e->tid = ctx->prev_tid;
	/* From the copies: the verifier takes no second look at ctx + 16. */
	__builtin_memcpy(e->comm, prev, LDE_COMM_LEN);
	e->sw.next_pid = ctx->next_pid;
	e->sw.next_tid = ctx->next_tid;
	__builtin_memcpy(e->sw.next_comm, next, LDE_COMM_LEN);
	e->sw.nonvoluntary = ctx->nonvoluntary;
	e->sw.prev_state = ctx->prev_state;
	e->sw.prev_depth = ctx->prev_stack_depth;
	e->sw.next_depth = ctx->next_stack_depth;
	/* lde.ko's event does not carry these. */
	e->sw.next_user_ip = 0;
	__builtin_memset(e->sw.next_resume, 0, sizeof(e->sw.next_resume));
	switch_sched_unknown(e);
	event_send(b, LDE_STAGE_LDE_SWITCH);
}

/* An event of lde.ko's toy trap, if current is wanted; NULL if not. */
static __always_inline struct lde_event *mod_event_start(struct lde_batch **b,
							 unsigned int stage)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 cpu = task->thread_info.cpu;

	if (!current_wanted(bpf_map_lookup_elem(&cpu_states, &cpu), task))
		return NULL;
	return event_start_now(b, stage, bpf_get_current_task_btf());
}

/* lde.ko's toy trap: its /dev/lde ioctl. */
static __always_inline void mod_trap_send(struct lde_trap_ctx *ctx)
{
	struct lde_batch *b;
	struct lde_event *e = mod_event_start(&b, LDE_STAGE_LDE_TRAP);

	if (!e)
		return;
	e->trap.nr = ctx->nr;
	e->trap.compat = LDE_COMPAT_NONE;
	e->trap.ip = ctx->user_ip;
	e->trap.sp = 0;		/* the toy trap does not report it */
	e->trap.cpl = ctx->user_cpl;
	__builtin_memcpy(e->trap.args, ctx->args, sizeof(e->trap.args));
	event_send(b, LDE_STAGE_LDE_TRAP);
}

/* The toy trap's return-from-trap. */
static __always_inline void mod_return_send(struct lde_return_ctx *ctx)
{
	struct lde_batch *b;
	struct lde_event *e = mod_event_start(&b, LDE_STAGE_LDE_RETURN);

	if (!e)
		return;
	e->ret.nr = ctx->nr;
	e->ret.compat = LDE_COMPAT_NONE;
	e->ret.ret = ctx->ret;
	e->ret.kernel_ns = ctx->kernel_ns;
	event_send(b, LDE_STAGE_LDE_RETURN);
}

#endif /* _LDE_MODULE_BPF_H */
