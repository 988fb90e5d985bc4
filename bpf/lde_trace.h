/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The event that lde_trace.bpf.c sends and lde-trace reads: one struct for
 * every stage of the limited-direct-execution sequence.
 */
#ifndef _LDE_TRACE_H
#define _LDE_TRACE_H

#define LDE_COMM_LEN	16
#define LDE_PATH_LEN	64

/* In-kernel aggregation for a summary (-s alone): per syscall number. */
#define LDE_MAX_SYSCALLS	1024
#define LDE_HIST_SLOTS		64	/* log2 buckets of nanoseconds: all of a u64 */

struct lde_syscall_agg {
	unsigned long long traps;
	unsigned long long returns;
	unsigned long long hist[LDE_HIST_SLOTS];
};

/* Stages, in the order of the chapter; the names are lde-trace's. */
enum lde_stage {
	LDE_STAGE_TRAP,		/* sys_enter: trap into the OS */
	LDE_STAGE_RETURN,	/* sys_exit: return-from-trap */
	LDE_STAGE_SWITCH,	/* sched_switch: switch() */
	LDE_STAGE_TIMER,	/* local APIC timer interrupt */
	LDE_STAGE_EXEC,		/* a program loaded into a process */
	LDE_STAGE_EXIT,		/* a process leaves the process list */
	LDE_STAGE_FAULT,	/* an illegal operation trapped, offender signalled */
	LDE_STAGE_LDE_TRAP,	/* lde.ko's toy trap */
	LDE_STAGE_LDE_RETURN,	/* lde.ko's toy return-from-trap */
	LDE_STAGE_LDE_SWITCH,	/* lde.ko's view of switch() */
	LDE_NR_STAGES
};

enum lde_timer_mode {
	LDE_TIMER_KERNEL,
	LDE_TIMER_USER,
};

struct lde_event {
	unsigned long long ts_ns;	/* CLOCK_MONOTONIC */
	unsigned int cpu;
	unsigned int pid;		/* tgid */
	unsigned int tid;
	unsigned int stage;		/* enum lde_stage */
	char comm[LDE_COMM_LEN];
	union {
		struct {	/* trap, lde_trap */
			long long nr;
			unsigned long long ip, sp;
			unsigned int cpl;
			unsigned long long args[2];
		} trap;
		struct {	/* return, lde_return */
			long long nr;
			long long ret;
			unsigned long long kernel_ns;
		} ret;
		struct {	/* switch, lde_switch; pid/tid/comm above are prev's */
			unsigned int next_pid, next_tid;
			char next_comm[LDE_COMM_LEN];
			unsigned int preempt;	/* still runnable: non-voluntary */
			unsigned int prev_state;
			unsigned int prev_depth, next_depth;	/* lde_switch only */
		} sw;
		struct {
			unsigned int mode;	/* enum lde_timer_mode */
		} timer;
		struct {
			char filename[LDE_PATH_LEN];
		} exec;
		struct {
			int code;		/* exit status, wait(2) encoding */
		} exit;
		struct {
			int sig;
			int code;		/* si_code */
			unsigned long long addr; /* faulting user address */
		} fault;
	};
};

/*
 * An event is sent with only the common part and its stage's part of the
 * union: a return is 64 bytes, not the 104 of the largest stage.
 */
#define LDE_EVENT_SIZE(part)						\
	(__builtin_offsetof(struct lde_event, part) +			\
	 sizeof(((struct lde_event *)0)->part))

/*
 * Events are sent in per-CPU batches: a ring-buffer record holds one or
 * more events back to back, each at an 8-byte aligned offset
 * (lde_event_stride()).  A batch is at most LDE_BATCH_BYTES.
 */
#define LDE_BATCH_BYTES		4096
#define LDE_EVENT_MAX		((sizeof(struct lde_event) + 7) & ~7UL)

struct lde_batch {
	unsigned int len;	/* bytes of events waiting in data */
	unsigned int events;	/* how many */
	unsigned int busy;	/* an event is being written into data */
	unsigned int alone;	/* slot 1: each event is sent at once */
	/* The headroom lets the verifier see an event at any offset fit. */
	unsigned char data[LDE_BATCH_BYTES + LDE_EVENT_MAX];
};

/* 0: no such stage.  A constant wherever stage is one. */
static inline __attribute__((always_inline))
unsigned int lde_event_size(unsigned int stage)
{
	switch (stage) {
	case LDE_STAGE_TRAP:
	case LDE_STAGE_LDE_TRAP:
		return LDE_EVENT_SIZE(trap);
	case LDE_STAGE_RETURN:
	case LDE_STAGE_LDE_RETURN:
		return LDE_EVENT_SIZE(ret);
	case LDE_STAGE_SWITCH:
	case LDE_STAGE_LDE_SWITCH:
		return LDE_EVENT_SIZE(sw);
	case LDE_STAGE_TIMER:
		return LDE_EVENT_SIZE(timer);
	case LDE_STAGE_EXEC:
		return LDE_EVENT_SIZE(exec);
	case LDE_STAGE_EXIT:
		return LDE_EVENT_SIZE(exit);
	case LDE_STAGE_FAULT:
		return LDE_EVENT_SIZE(fault);
	}
	return 0;
}

/* Where the next event of a batch starts. */
static inline __attribute__((always_inline))
unsigned int lde_event_stride(unsigned int stage)
{
	return (lde_event_size(stage) + 7) & ~7U;
}

#endif /* _LDE_TRACE_H */
