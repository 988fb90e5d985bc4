/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which tasks are traced, for lde_trace.bpf.c (-p, -- COMMAND, -c): a
 * mark in each traced task's own storage (traced_tasks), made at its fork
 * by a traced parent or, for the process named at the start, by the
 * task iterator lde_mark_process; and what each CPU knows of the task it
 * switched to last (struct cpu_state), so the hot programs need no lookup.
 */
#ifndef _LDE_TASKS_BPF_H
#define _LDE_TASKS_BPF_H

#include "lde_event.bpf.h"

#define PF_KTHREAD	0x00200000

/* Set by lde-trace between open and load. */
const volatile bool filter_tgid = false;	/* only tasks in traced_tasks */
const volatile bool follow_forks = false;	/* child processes join them */
const volatile char filter_comm[LDE_COMM_LEN] = {};

/*
 * The tasks traced (-p, -- COMMAND and its descendants): a mark in each
 * task's own storage, made before the task first runs (at its fork, by a
 * traced parent) or, for the process named at the start, by
 * lde_mark_process.  The mark lives and dies with the task_struct: a task
 * is traced up to its very last switch-out, which can come after its
 * parent reaped it from another CPU, and a pid reused later names a task
 * without one.  Storage that cannot be made (no memory) is counted in
 * LDE_LOST_FORKS, never silently left out.
 */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u8);	/* unused: the storage is the mark */
} traced_tasks SEC(".maps");

/*
 * While lde-trace marks the process named at the start (lde_mark_process),
 * its tgid: a thread it starts meanwhile is marked at its fork too.  0 the
 * rest of the time.
 */
volatile __u32 mark_tgid;

/*
 * Per CPU, in an array indexed by CPU (lde-trace sizes it): the verifier
 * inlines an array lookup, where a per-CPU array or task storage costs a
 * helper call.  Only the system-call programs use it, and they never
 * interrupt each other.
 *
 * The open trap of the task running here: a system call that does not
 * block returns on the CPU it trapped on, so its trap time waits here.  A
 * task leaves its CPU only through a switch, and the switch moves an open
 * trap to the task's storage, where its return finds it.
 *
 * Whether the task running here is traced, written by the switch to it:
 * a task is marked before it first runs and keeps its mark, so the
 * answer holds until the next switch, whatever pid it has (no lookup by
 * pid, which a new process can reuse).  A comm can change, so with -c
 * the comm is compared every time.
 */
struct cpu_state {
	__u64 trap_start;	/* when trap_tid trapped in */
	__u32 trap_tid;		/* 0: no traced trap open here */
	/*
	 * The number trap_tid trapped with, and its table: the return takes
	 * them from here, as strace does, not from the saved registers'
	 * number (lde_regs_syscall_nr()), which rt_sigreturn overwrites with
	 * the interrupted context's (-1).
	 */
	__s32 trap_nr;
	__u32 trap_compat;
	__u32 curr_tid;		/* the task switched to last, here */
	__u8 curr_known;	/* a switch here was seen: curr_* hold */
	__u8 curr_traced;	/* curr_tid is in traced_tasks */
	__u8 trap_held;		/* trap_tid's trap waits in its storage */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);	/* lde-trace sets: possible CPUs */
	__type(key, __u32);
	__type(value, struct cpu_state);
} cpu_states SEC(".maps");

/* -c: comm, a copy on the stack, is the one asked for. */
static __always_inline bool comm_wanted(const char *comm)
{
	int i;

	for (i = 0; i < LDE_COMM_LEN; i++) {
		if (comm[i] != filter_comm[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

/*
 * Before 6.2, bpf_task_storage_get() finds nothing while another task
 * storage call is under way on this CPU (one this program interrupted:
 * the kernel's per-CPU bpf_task_storage_busy says so); since, a lookup
 * finds what is there.  A mark not found then proves nothing.
 */
extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern const int bpf_task_storage_busy __ksym __weak;

static __always_inline bool task_storage_blind(void)
{
	const int *busy;

	if (LINUX_KERNEL_VERSION >= KERNEL_VERSION(6, 2, 0) ||
	    !&bpf_task_storage_busy)
		return false;
	busy = bpf_this_cpu_ptr(&bpf_task_storage_busy);
	return *busy;
}

/*
 * -p, --: the task carries the mark (always, without them).  Not found
 * while blind (above): taken as untraced, and counted undecided, never
 * dropped silently.  (6.1 only, and seldom: when an interrupt's program
 * lands inside the kernel's own task-storage work, such as freeing a
 * dead task's.)
 */
static __always_inline bool task_traced(struct task_struct *task)
{
	if (!filter_tgid || bpf_task_storage_get(&traced_tasks, task, 0, 0))
		return true;
	if (unlikely(task_storage_blind()))
		count_lost_as(LDE_LOST_UNDECIDED, 1);
	return false;
}

/* Mark task traced; false: no storage for the mark. */
static __always_inline bool mark_traced(struct task_struct *task)
{
	return bpf_task_storage_get(&traced_tasks, task, 0,
				    BPF_LOCAL_STORAGE_GET_F_CREATE);
}

/* -p, -- and -c for a task known to be traced or not, and a comm. */
static __always_inline bool ids_wanted(bool traced, const char *comm)
{
	return traced && (!filter_comm[0] || comm_wanted(comm));
}

/* -c: the task's comm is the one asked for (always, without -c). */
static __always_inline bool task_wanted_comm(struct task_struct *task)
{
	char comm[LDE_COMM_LEN];

	if (!filter_comm[0])
		return true;
	BPF_CORE_READ_STR_INTO(&comm, task, comm);
	return comm_wanted(comm);
}

static __always_inline bool task_wanted(struct task_struct *task)
{
	return task_traced(task) && task_wanted_comm(task);
}

/*
 * The current task is traced: told by the switch to it (struct
 * cpu_state), or from its storage before this CPU's first switch seen.
 */
static __always_inline bool current_traced(struct cpu_state *cs,
					   struct task_struct *task)
{
	if (!filter_tgid)
		return true;
	if (cs && cs->curr_known && cs->curr_tid == task->pid)
		return cs->curr_traced;
	return task_traced(task);
}

/* task_wanted() of the current task, task, with its CPU's state cs. */
static __always_inline bool current_wanted(struct cpu_state *cs,
					   struct task_struct *task)
{
	return current_traced(cs, task) && task_wanted_comm(task);
}

#endif /* _LDE_TASKS_BPF_H */
