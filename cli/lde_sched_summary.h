/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The scheduler's part of the summary (-s): per task run, wait and sleep
 * times, and the run-queue wait histogram.  See lde_sched_summary.c.
 */
#ifndef _LDE_SCHED_SUMMARY_H
#define _LDE_SCHED_SUMMARY_H

#include <stdio.h>

#include "lde_trace.h"

void lde_sched_summary_account(const struct lde_event *e);
void lde_sched_summary_print_text(FILE *f);
/* Appends its keys to the summary object: ,"reasons":...,"tasks":... */
void lde_sched_summary_print_json(FILE *f);

#endif /* _LDE_SCHED_SUMMARY_H */
