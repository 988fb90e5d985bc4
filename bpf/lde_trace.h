/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The event that lde_trace.bpf.c sends and lde-trace reads: one struct for
 * every stage of the limited-direct-execution sequence.
 *
 * Every part of the union is a whole number of 8-byte words with no hole:
 * an event is sent as its common part and its stage's part, back to back
 * in a batch, and every byte sent is written.
 */
#ifndef _LDE_BPF_EVENT_H
#define _LDE_BPF_EVENT_H

#define LDE_COMM_LEN	16
#define LDE_PATH_LEN	64
/* The first argv strings of a new program, each cut at LDE_ARG_LEN - 1. */
#define LDE_ARGV_MAX	6
#define LDE_ARG_LEN	64
/* A kernel symbol and offset, as %pS writes it: __schedule+0x2d4/0x970. */
#define LDE_SYM_LEN	48
/* A system call's arguments, and the strings among them read at the trap. */
#define LDE_TRAP_ARGS	6
#define LDE_TRAP_STRS	2
#define LDE_STR_LEN	256	/* a string is cut at LDE_STR_LEN - 1 bytes */

/*
 * Which table a system call's number is in: a 64-bit task can trap with
 * int $0x80 (and an i386 program does), into the kernel's i386 table,
 * with its own numbers and argument registers (bx, cx, dx, si, di, bp).
 */
enum lde_compat {
	LDE_COMPAT_NONE,	/* the native (x86-64) table */
	LDE_COMPAT_I386,	/* the i386 table: "compat":"i386" */
};

/*
 * In-kernel aggregation for a summary (-s alone): per syscall number, the
 * native table's, then the i386 table's (LDE_COMPAT_I386).
 */
#define LDE_MAX_SYSCALLS	1024
#define LDE_AGG_SLOTS		(2 * LDE_MAX_SYSCALLS)

/* The slot of call nr of a table (enum lde_compat); LDE_AGG_SLOTS: none. */
static inline __attribute__((always_inline))
unsigned int lde_agg_slot(long long nr, unsigned int compat)
{
	if ((unsigned long long)nr >= LDE_MAX_SYSCALLS ||
	    compat > LDE_COMPAT_I386)
		return LDE_AGG_SLOTS;
	return compat * LDE_MAX_SYSCALLS + nr;
}

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
	LDE_STAGE_EXIT,		/* a process's last thread exits */
	LDE_STAGE_FAULT,	/* an illegal operation trapped, offender signalled */
	LDE_STAGE_LDE_TRAP,	/* lde.ko's toy trap */
	LDE_STAGE_LDE_RETURN,	/* lde.ko's toy return-from-trap */
	LDE_STAGE_LDE_SWITCH,	/* lde.ko's view of switch() */
	LDE_STAGE_FORK,		/* a new entry in the process list */
	LDE_STAGE_REAP,		/* a dead process removed from the list */
	LDE_STAGE_WAKEUP,	/* sched_wakeup: a task made runnable, by whom */
	LDE_NR_STAGES
};

/*
 * Kinds of event beyond the stages: the return of a successful execve is
 * a return (stage "return", enabled with it) that also carries what the
 * new program starts with, in a larger part of its own; the trap of a
 * system call with string arguments (paths, names) is a trap that also
 * carries the strings.
 */
#define LDE_EVENT_EXEC_RETURN	LDE_NR_STAGES
#define LDE_EVENT_TRAP_STRINGS	(LDE_NR_STAGES + 1)
#define LDE_NR_EVENT_KINDS	(LDE_NR_STAGES + 2)

/* The stage an event kind is shown and filtered as. */
static inline __attribute__((always_inline))
unsigned int lde_kind_stage(unsigned int kind)
{
	if (kind == LDE_EVENT_EXEC_RETURN)
		return LDE_STAGE_RETURN;
	if (kind == LDE_EVENT_TRAP_STRINGS)
		return LDE_STAGE_TRAP;
	return kind;
}

/*
 * Per system-call number, what lde-trace tells the trap program: bit i
 * (i < LDE_TRAP_ARGS) says argument i is a string to read (at most
 * LDE_TRAP_STRS of them), LDE_SYSCALL_SKIP that the call is filtered out.
 */
#define LDE_SYSCALL_SKIP	0x80

/* How a string argument was read. */
enum lde_str_state {
	LDE_STR_READ,		/* whole, NUL-terminated */
	LDE_STR_CUT,		/* longer than LDE_STR_LEN - 1: cut there */
	LDE_STR_UNREADABLE,	/* the pointer did not point at readable memory */
};

/*
 * The part a trap and a trap with strings share.  nr and compat sit where
 * a return's do: whoever reads an event sets them once for both.
 */
struct lde_trap_part {
	int nr;
	unsigned int compat;	/* enum lde_compat */
	unsigned long long ip, sp;
	unsigned long long cpl;
	unsigned long long args[LDE_TRAP_ARGS];
};

enum lde_timer_mode {
	LDE_TIMER_KERNEL,
	LDE_TIMER_USER,
};

/*
 * Why prev left the CPU (a switch's reason), from what the kernel did:
 * blocked (it went to sleep), or, still runnable, the code path that set
 * need-resched on its CPU (see lde_trace.bpf.c), or sched_yield().
 */
enum lde_switch_reason {
	LDE_REASON_BLOCKED,	/* voluntary: it went to sleep */
	LDE_REASON_TICK,	/* the scheduler tick: slice used up */
	LDE_REASON_WAKEUP,	/* a task woken onto this CPU outranked it */
	LDE_REASON_YIELD,	/* it called sched_yield() */
	LDE_REASON_OTHER,	/* need-resched set by any other path */
	/*
	 * Its slice used up, found when a task woken onto this CPU was
	 * enqueued (EEVDF's update_curr(), 6.6 on): before the wakeup check.
	 */
	LDE_REASON_SLICE,
	LDE_NR_REASONS
};

/* The reasons that name the woken task (by_pid, by_tid, by_comm). */
static inline int lde_reason_names_woken(unsigned int reason)
{
	return reason == LDE_REASON_WAKEUP || reason == LDE_REASON_SLICE;
}

/*
 * The state prev leaves the CPU in, as the kernel reports it (its
 * task_state_index(): fls() of the report bits, so 0 is running), and
 * one more: preempted in the kernel while runnable, written "R+".
 */
#define LDE_END_STATE_PREEMPTED	0xff

/* What a switch's times say (bits of sw.known). */
#define LDE_KNOWN_WAIT		0x1	/* next_wait_ns: next was seen waiting */
#define LDE_KNOWN_RUN		0x2	/* prev_run_ns: prev was seen going in */
#define LDE_KNOWN_SCHED		0x4	/* preempt, reason, end_state, blocked_nr */
/*
 * Which of prev and next the trace follows (-p, -c, -- COMMAND): a switch
 * is sent when either is.  Neither bit: both (a file from before them).
 */
#define LDE_KNOWN_PREV_TRACED	0x8
#define LDE_KNOWN_NEXT_TRACED	0x10

static inline int lde_prev_traced(unsigned int known)
{
	return !(known & LDE_KNOWN_NEXT_TRACED) ||
	       (known & LDE_KNOWN_PREV_TRACED);
}

static inline int lde_next_traced(unsigned int known)
{
	return !(known & LDE_KNOWN_PREV_TRACED) ||
	       (known & LDE_KNOWN_NEXT_TRACED);
}

/*
 * x86-64's rt_sigreturn takes no argument in a register: what it works on
 * is the signal frame at the user stack pointer.  Its trap carries in
 * args[] the mask the frame restores (uc.uc_sigmask), which strace shows
 * as the call's argument, and whether it could be read.
 */
#define LDE_SIGRETURN_MASK	0
#define LDE_SIGRETURN_MASK_READ	1

/*
 * The part a return and an execve's return share: the number and table
 * its trap had (a return cannot tell: rt_sigreturn's writes -1 over it).
 */
struct lde_ret_part {
	int nr;
	unsigned int compat;	/* enum lde_compat */
	long long ret;
	unsigned long long kernel_ns;
};

struct lde_event {
	unsigned long long ts_ns;	/* CLOCK_MONOTONIC */
	unsigned int cpu;
	unsigned int pid;		/* tgid */
	unsigned int tid;
	unsigned int stage;		/* enum lde_stage, or an event kind */
	char comm[LDE_COMM_LEN];
	union {
		struct lde_trap_part trap;	/* trap, lde_trap */
		struct {	/* LDE_EVENT_TRAP_STRINGS */
			struct lde_trap_part trap;
			unsigned int nstrs;	/* strings in str[] */
			/* Which argument each string is, how it was read. */
			unsigned char str_arg[LDE_TRAP_STRS];
			unsigned char str_state[LDE_TRAP_STRS];
			char str[LDE_TRAP_STRS][LDE_STR_LEN];
		} trap_str;
		struct lde_ret_part ret;	/* return, lde_return */
		struct {	/* LDE_EVENT_EXEC_RETURN */
			struct lde_ret_part ret;
			/* Where return-from-trap enters the new program. */
			unsigned long long entry_ip, user_sp;
			unsigned int argc;
			unsigned int regs_cleared;	/* every GPR is 0 */
			unsigned int argv_read;	/* strings in argv[] */
			unsigned int argv_cut;	/* bit i: argv[i] was cut */
			char argv[LDE_ARGV_MAX][LDE_ARG_LEN];
		} exec_ret;
		struct {	/* switch, lde_switch; pid/tid/comm above are prev's */
			unsigned int next_pid, next_tid;
			char next_comm[LDE_COMM_LEN];
			/* A was still runnable: /proc's nonvoluntary switch. */
			unsigned int nonvoluntary;
			unsigned int prev_state;
			/* Bytes below the top of each kernel stack. */
			unsigned int prev_depth, next_depth;
			/* B's user PC, saved at the top of its kernel stack. */
			unsigned long long next_user_ip;
			/* Where B's saved kernel context resumes. */
			char next_resume[LDE_SYM_LEN];
			/* sched_switch's own preempt: preempted in the kernel. */
			unsigned char preempt;
			unsigned char reason;		/* enum lde_switch_reason */
			unsigned char end_state;	/* see LDE_END_STATE_PREEMPTED */
			unsigned char known;		/* LDE_KNOWN_* */
			/* The system call prev blocked or yielded in; -1: none. */
			int blocked_nr;
			/* lde_reason_names_woken(): the task woken onto prev's CPU. */
			unsigned int by_pid, by_tid;
			char by_comm[LDE_COMM_LEN];
			/* How long next was runnable, waiting for a CPU. */
			unsigned long long next_wait_ns;
			/* How long prev ran, since its switch in. */
			unsigned long long prev_run_ns;
		} sw;
		struct {	/* wakeup; pid/tid/comm above are the woken task's */
			unsigned int by_pid, by_tid;	/* the waker */
			char by_comm[LDE_COMM_LEN];
			unsigned int target_cpu;	/* whose run queue */
			unsigned int new_task;		/* wake_up_new_task(): a fork */
		} wakeup;
		struct {
			unsigned int mode;	/* enum lde_timer_mode */
			unsigned int pad;
			unsigned long long ip;	/* the user PC it hit; 0 in kernel */
		} timer;
		struct {
			char filename[LDE_PATH_LEN];
		} exec;
		struct {
			int code;		/* exit status, wait(2) encoding */
			unsigned int pad;
		} exit;
		struct {
			int sig;
			int code;		/* si_code */
			unsigned long long addr; /* faulting user address */
		} fault;
		struct {
			unsigned int child_pid, child_tid;
		} fork;
		struct {	/* pid/tid/comm above: the process reaped */
			unsigned int by_pid, by_tid;
			char by_comm[LDE_COMM_LEN];
		} reap;
	};
};

/*
 * An event is sent with only the common part and its stage's part of the
 * union: a return is 64 bytes, not the size of the largest part.
 */
#define LDE_EVENT_SIZE(part)						\
	(__builtin_offsetof(struct lde_event, part) +			\
	 sizeof(((struct lde_event *)0)->part))

/*
 * Events are sent in per-CPU batches: a ring-buffer record holds one or
 * more events back to back (each a multiple of 8 bytes long).  A batch is
 * at most LDE_BATCH_BYTES.
 */
#define LDE_BATCH_BYTES		4096
#define LDE_EVENT_MAX		sizeof(struct lde_event)
/* Per CPU: its batch and two interrupt slots (lde_event.bpf.h). */
#define LDE_BATCH_SLOTS		3

struct lde_batch {
	unsigned int len;	/* bytes of events waiting in data */
	unsigned int events;	/* how many */
	unsigned int busy;	/* an event is being written into data */
	/* The CPU's batch (slot 0): an interrupt slot holds events. */
	unsigned char interrupts_behind;
	/* An interrupt slot (1 or 2): sent only after slot 0. */
	unsigned char interrupt_slot;
	/* The batch's: which interrupt slot the next interrupt writes (0, 1). */
	unsigned char irq_next;
	unsigned char pad;
	/* The headroom lets the verifier see an event at any offset fit. */
	unsigned char data[LDE_BATCH_BYTES + LDE_EVENT_MAX];
};

/* 0: no such kind.  A constant wherever the kind is one. */
static inline __attribute__((always_inline))
unsigned int lde_event_size(unsigned int kind)
{
	switch (kind) {
	case LDE_STAGE_TRAP:
	case LDE_STAGE_LDE_TRAP:
		return LDE_EVENT_SIZE(trap);
	case LDE_EVENT_TRAP_STRINGS:
		return LDE_EVENT_SIZE(trap_str);
	case LDE_STAGE_RETURN:
	case LDE_STAGE_LDE_RETURN:
		return LDE_EVENT_SIZE(ret);
	case LDE_EVENT_EXEC_RETURN:
		return LDE_EVENT_SIZE(exec_ret);
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
	case LDE_STAGE_FORK:
		return LDE_EVENT_SIZE(fork);
	case LDE_STAGE_REAP:
		return LDE_EVENT_SIZE(reap);
	case LDE_STAGE_WAKEUP:
		return LDE_EVENT_SIZE(wakeup);
	}
	return 0;
}

#ifndef __bpf__
/*
 * A copy of e into a whole struct: only the bytes its kind has.  An event
 * read from a batch, a ring record or the reorder's slot is that long and
 * no longer (lde_batch_decode(), lde_reorder.c), so `*dst = *e` would read
 * past it.
 */
static inline void lde_event_copy(struct lde_event *dst,
				  const struct lde_event *e)
{
	unsigned int size = lde_event_size(e->stage);

	/* A kind lde-trace does not know: its common part, all it has. */
	__builtin_memcpy(dst, e, size ? size :
			 __builtin_offsetof(struct lde_event, trap));
}
#endif

/* Counters of what could not be sent or followed, per CPU. */
enum lde_lost {
	LDE_LOST_EVENTS,	/* the ring or a batch had no room */
	LDE_LOST_FORKS,		/* a task not followed: no storage for its mark */
	/*
	 * An event not sent because its task's traced mark could not be
	 * looked up (6.1: another task-storage call busy on the CPU),
	 * whether the task was traced or not.
	 */
	LDE_LOST_UNDECIDED,
	LDE_NR_LOST
};

#endif /* _LDE_BPF_EVENT_H */
