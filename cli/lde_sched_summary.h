/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The scheduler's part of the summary (-s): per task run, wait and sleep
 * times, and the run-queue wait histogram.  See lde_sched_summary.c.
 */
#ifndef _LDE_SCHED_SUMMARY_H
#define _LDE_SCHED_SUMMARY_H

#include <stdio.h>

#include "lde_sched_sum.h"
#include "lde_trace.h"

#include "lde_tid_table.h"

/* One summary's scheduler part: the tasks seen, and the totals. */
struct lde_sched_summary {
	struct lde_tid_table tasks;	/* per task: lde_sched_summary.c's */
	struct lde_sched_totals totals;	/* switches by kind, reason, wait */
};

void lde_sched_summary_init(struct lde_sched_summary *sched);
void lde_sched_summary_free(struct lde_sched_summary *sched);
void lde_sched_summary_account(struct lde_sched_summary *sched,
			       const struct lde_event *e);
/* Sums made in the kernel (-s, live): a task's, and the totals. */
void lde_sched_summary_add_task(struct lde_sched_summary *sched,
				unsigned int tid, const struct lde_sched_sum *s);
void lde_sched_summary_add_totals(struct lde_sched_summary *sched,
				  const struct lde_sched_totals *add);
void lde_sched_summary_print_text(const struct lde_sched_summary *sched,
				  FILE *f);
/* Appends its keys to the summary object: ,"reasons":...,"tasks":... */
void lde_sched_summary_print_json(const struct lde_sched_summary *sched,
				  FILE *f);

#endif /* _LDE_SCHED_SUMMARY_H */
