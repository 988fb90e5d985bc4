/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The scheduler's sums of -s: per task, and over every switch.  The same
 * functions make them in two places: in the kernel (-s on the live
 * kernel: lde_trace.bpf.c sums each switch as it happens), and in
 * lde-trace from switch events (-r, a replay).  One rule, so both print
 * the same table.  A task is summed only where the trace follows it: a
 * switch between a traced task and another says nothing of the other's
 * whole run or wait.
 */
#ifndef _LDE_SCHED_SUM_H
#define _LDE_SCHED_SUM_H

#include "lde_trace.h"

/*
 * Room for every reason, rounded up to a power of two: the kernel's side
 * masks its index to stay inside, which the BPF verifier can follow.
 */
#define LDE_REASON_SLOTS	8
_Static_assert(LDE_NR_REASONS <= LDE_REASON_SLOTS, "a reason past its slots");

/* Tasks the kernel sums (-s); a switch of one more is counted lost. */
#define LDE_SCHED_SUM_TASKS	16384

/* One task's, keyed by its tid. */
struct lde_sched_sum {
	unsigned long long switches, run_ns, wait_ns, sleep_ns, max_wait_ns;
	unsigned long long reasons[LDE_REASON_SLOTS];	/* of its switches out */
	unsigned long long out_ts;	/* its last switch out; 0: none since in */
	unsigned int pid;
	unsigned int out_blocked;	/* it left asleep */
	char comm[LDE_COMM_LEN];
};

/*
 * Over every switch summed: all of them, and what the trace follows of
 * them: prev's reason and kind, next's wait.
 */
struct lde_sched_totals {
	unsigned long long switches;
	unsigned long long reasons[LDE_REASON_SLOTS];
	unsigned long long voluntary, nonvoluntary;
	unsigned long long wait_hist[LDE_HIST_SLOTS];	/* log2 of microseconds */
	unsigned long long waits;	/* switches in with a known wait */
};

/* A switch's reason as its slot in reasons[]: one not known is "other". */
static inline unsigned int lde_reason_slot(unsigned int reason)
{
	return reason < LDE_NR_REASONS ? reason : LDE_REASON_OTHER;
}

/*
 * A task leaves its CPU at ts, for the reason in slot (lde_reason_slot()),
 * having run run_ns if known.
 */
static inline void lde_sched_sum_out(struct lde_sched_sum *t,
				     unsigned long long ts, int run_known,
				     unsigned long long run_ns,
				     unsigned int slot)
{
	t->switches++;
	if (run_known)
		t->run_ns += run_ns;
	t->reasons[slot]++;
	t->out_ts = ts;
	t->out_blocked = slot == LDE_REASON_BLOCKED;
}

/*
 * A task is switched in at ts after waiting wait_ns runnable, if known.
 * If it left asleep, it slept all the time it was off its CPU but the
 * wait that ended it.
 */
static inline void lde_sched_sum_in(struct lde_sched_sum *t,
				    unsigned long long ts, int wait_known,
				    unsigned long long wait_ns)
{
	unsigned long long off, wait = wait_known ? wait_ns : 0;

	if (wait_known) {
		t->wait_ns += wait_ns;
		if (wait_ns > t->max_wait_ns)
			t->max_wait_ns = wait_ns;
	}
	if (t->out_ts && t->out_blocked && ts > t->out_ts) {
		off = ts - t->out_ts;
		t->sleep_ns += off > wait ? off - wait : 0;
	}
	t->out_ts = 0;
}

/*
 * Every switch summed: prev's reason (its slot) and kind if the trace
 * follows prev, next's wait if known and the trace follows next, in the
 * histogram slot wait_slot (floor(log2(microseconds)): the caller's, as
 * the kernel and user space compute a log2 differently).
 */
static inline void lde_sched_totals_add(struct lde_sched_totals *t,
					int prev_traced, unsigned int slot,
					int nonvoluntary, int next_traced,
					int wait_known, unsigned int wait_slot)
{
	t->switches++;
	if (prev_traced) {
		t->reasons[slot]++;
		if (nonvoluntary)
			t->nonvoluntary++;
		else
			t->voluntary++;
	}
	if (next_traced && wait_known && wait_slot < LDE_HIST_SLOTS) {
		t->wait_hist[wait_slot]++;
		t->waits++;
	}
}

#endif /* _LDE_SCHED_SUM_H */
