/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lde's trace events (system "lde"): the module reports through the
 * kernel's own tracing infrastructure, so perf, trace-cmd, bpftrace and
 * lde-trace all read the same events from tracefs.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM lde

#if !defined(_LDE_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _LDE_TRACE_H

#include <linux/sched.h>
#include <linux/tracepoint.h>

/* Trap into the toy OS: the number, the arguments and the saved user state. */
TRACE_EVENT(lde_trap,
	TP_PROTO(u32 nr, const u64 *args, unsigned long user_ip,
		 u8 user_cpl),
	TP_ARGS(nr, args, user_ip, user_cpl),

	TP_STRUCT__entry(
		__field(u32, nr)
		__array(u64, args, 6)
		__field(unsigned long, user_ip)
		__field(u8, user_cpl)
	),

	TP_fast_assign(
		__entry->nr = nr;
		memcpy(__entry->args, args, sizeof(__entry->args));
		__entry->user_ip = user_ip;
		__entry->user_cpl = user_cpl;
	),

	TP_printk("nr=%u args=(0x%llx, 0x%llx, 0x%llx, 0x%llx, 0x%llx, 0x%llx) user_ip=0x%lx user_cpl=%u",
		  __entry->nr, __entry->args[0], __entry->args[1],
		  __entry->args[2], __entry->args[3], __entry->args[4],
		  __entry->args[5], __entry->user_ip, __entry->user_cpl)
);

/* Return-from-trap: the result and the time spent in the handler. */
TRACE_EVENT(lde_return,
	TP_PROTO(u32 nr, long ret, u64 kernel_ns),
	TP_ARGS(nr, ret, kernel_ns),

	TP_STRUCT__entry(
		__field(u32, nr)
		__field(long, ret)
		__field(u64, kernel_ns)
	),

	TP_fast_assign(
		__entry->nr = nr;
		__entry->ret = ret;
		__entry->kernel_ns = kernel_ns;
	),

	TP_printk("nr=%u ret=%ld kernel_ns=%llu",
		  __entry->nr, __entry->ret, __entry->kernel_ns)
);

/*
 * switch(): A gives up the CPU, B gets it.  nonvoluntary: A was still
 * runnable, as /proc's nonvoluntary_ctxt_switches counts it (sched_yield
 * included), not sched_switch's own preempt, which means kernel
 * preemption.  The depths say how far below the top of its kernel stack
 * each task's stack pointer sits at the switch (A's live, B's as saved
 * when it last switched out): the kernel-stack switch of OSTEP Figure 6.3,
 * without revealing an address.
 */
TRACE_EVENT(lde_switch,
	TP_PROTO(struct task_struct *prev, struct task_struct *next,
		 bool nonvoluntary, unsigned int prev_state,
		 u32 prev_stack_depth, u32 next_stack_depth),
	TP_ARGS(prev, next, nonvoluntary, prev_state, prev_stack_depth,
		next_stack_depth),

	TP_STRUCT__entry(
		__field(pid_t, prev_pid)
		__field(pid_t, prev_tid)
		__array(char, prev_comm, TASK_COMM_LEN)
		__field(pid_t, next_pid)
		__field(pid_t, next_tid)
		__array(char, next_comm, TASK_COMM_LEN)
		__field(bool, nonvoluntary)
		__field(unsigned int, prev_state)
		__field(u32, prev_stack_depth)
		__field(u32, next_stack_depth)
	),

	TP_fast_assign(
		__entry->prev_pid = prev->tgid;
		__entry->prev_tid = prev->pid;
		memcpy(__entry->prev_comm, prev->comm, TASK_COMM_LEN);
		__entry->next_pid = next->tgid;
		__entry->next_tid = next->pid;
		memcpy(__entry->next_comm, next->comm, TASK_COMM_LEN);
		__entry->nonvoluntary = nonvoluntary;
		__entry->prev_state = prev_state;
		__entry->prev_stack_depth = prev_stack_depth;
		__entry->next_stack_depth = next_stack_depth;
	),

	TP_printk("prev=%s:%d/%d next=%s:%d/%d %s prev_state=0x%x prev_depth=%u next_depth=%u",
		  __entry->prev_comm, __entry->prev_pid, __entry->prev_tid,
		  __entry->next_comm, __entry->next_pid, __entry->next_tid,
		  __entry->nonvoluntary ? "nonvoluntary" : "voluntary",
		  __entry->prev_state, __entry->prev_stack_depth,
		  __entry->next_stack_depth)
);

#endif /* _LDE_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE lde_trace
#include <trace/define_trace.h>
