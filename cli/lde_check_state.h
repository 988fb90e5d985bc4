/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside lde-bench --check: what the checker keeps of a program's run (its
 * processes, threads, pairs that wake each other, calls, the longest
 * timing loop, the figures it printed), filled by following the events
 * (lde_check.c) and the output (lde_check_output.c), read by the
 * findings (lde_check_findings.c).
 */
#ifndef _LDE_CHECK_STATE_H
#define _LDE_CHECK_STATE_H

#include <limits.h>

#include "lde_check.h"
#include "lde_names.h"

#define MAX_PROCS	64
#define MAX_THREADS	256
#define MAX_PAIRS	64
#define MAX_CPUS	256	/* a CPU above is counted as the last */
#define MAX_FIGURES	8
#define NR_SYSCALLS	LDE_MAX_SYSCALLS
/* No event's call number: a call the recording's arch does not have. */
#define NO_CALL		LLONG_MIN

struct proc {
	unsigned int pid;
	char comm[LDE_COMM_LEN];
	bool pinned;		/* sched_setaffinity succeeded on it */
	bool inherited;		/* ... in its parent, before the fork */
	unsigned long long ins[MAX_CPUS];	/* switched in, per CPU */
	unsigned long long voluntary, preempted;
	unsigned long long calls[LDE_MAX_SYSCALLS];
};

/* Calls of one kind in a row by one thread, none leaving the CPU. */
struct run {
	long long nr;
	unsigned int tid;
	unsigned long long len, first_ns, last_ns;
};

/*
 * Calls of two kinds in turn by one thread, none giving way to the
 * program's other processes: a write and a read of one pipe in one
 * process, what lmbench subtracts from a round trip of its ping-pong.
 * A call preempted by another program goes on (the program's clock holds
 * that time too); one that waited, or was preempted by its partner in a
 * ping-pong (a write whose reply came at once), ends it.  len counts
 * calls returned.
 */
struct two_call_run {
	long long nr[2];
	unsigned int tid;
	unsigned long long len, first_ns, last_ns;
};

struct thread {
	unsigned int tid;
	struct proc *proc;
	int last_cpu;		/* -1: not seen on a CPU yet */
	bool in_call;		/* between a trap and its return */
	bool left_cpu;		/* switched out inside that call */
	bool gave_way;		/* ... waiting, or to the program's own */
	long long nr;
	long long setaffinity_target;
	struct run run;		/* the one going on */
	struct two_call_run turns;	/* the one going on */
};

struct pair {
	struct proc *a, *b;
	unsigned long long wake_ab, wake_ba;	/* a woke b, b woke a */
	unsigned long long crossed;	/* woken onto another CPU */
	unsigned long long direct;	/* switches from one straight to the other */
	unsigned long long first_ns, last_ns;
	/* The calls wakers were in, and how often: a send (write, on pipes). */
	struct {
		long long nr;
		unsigned long long n;
	} waking[4];
};

struct syscall_count {
	unsigned long long calls;
	unsigned long long stayed;	/* returned without leaving the CPU */
	unsigned long long kernel_ns;	/* summed over those */
};

struct figure {
	enum lde_figure_kind kind;
	double ns;
	char line[120];
};

struct lde_check {
	unsigned int program_pid;
	struct proc procs[MAX_PROCS];
	int nprocs;
	struct thread threads[MAX_THREADS];
	int nthreads;
	struct pair pairs[MAX_PAIRS];
	int npairs;
	unsigned long long not_followed;	/* events of tasks over the tables */
	struct syscall_count sc[NR_SYSCALLS];
	struct run loop;	/* the longest run: the timed loop */
	struct two_call_run transfer;	/* the longest: the pipe in one process */
	unsigned long long events;
	struct figure figures[MAX_FIGURES];
	int nfigures;
	unsigned int timers_imported, timers_named, timers_trapped;
	/*
	 * The calls the checks look for, numbered by the recording's arch
	 * (lde_check_arch()): arm64's read is x86-64's uname.  NO_CALL for
	 * one that arch has none of (time(2) on arm64).
	 */
	struct {
		long long read, gettimeofday, clock_gettime, time,
			  sched_setaffinity;
	} nr;
	unsigned long long lost;
	int exit_status;
};

/* The runs still going at the end of the trace closed: the longest kept. */
void lde_check_end_runs(struct lde_check *c);

#endif /* _LDE_CHECK_STATE_H */
