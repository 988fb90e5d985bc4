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

void lde_sched_summary_account(const struct lde_event *e);
/* Sums made in the kernel (-s, live): a task's, and the totals. */
void lde_sched_summary_add_task(unsigned int tid, const struct lde_sched_sum *s);
void lde_sched_summary_add_totals(const struct lde_sched_totals *add);
/* The totals so far: switches by kind, reason, wait. */
const struct lde_sched_totals *lde_sched_summary_totals(void);
void lde_sched_summary_print_text(FILE *f);
/* Appends its keys to the summary object: ,"reasons":...,"tasks":... */
void lde_sched_summary_print_json(FILE *f);

#endif /* _LDE_SCHED_SUMMARY_H */
