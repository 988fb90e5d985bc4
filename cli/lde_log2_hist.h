/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Log2 histograms as bcc's tools draw them (print_log2_hist), for the
 * summary's parts (-s): the time of each system call in the kernel
 * (lde_summary.c) and the run-queue wait (lde_sched_summary.c).  Both
 * use this; neither uses the other's functions for it.
 */
#ifndef _LDE_LOG2_HIST_H
#define _LDE_LOG2_HIST_H

#include <stdio.h>

/* The slot of v in a log2 histogram: floor(log2(v)), 0 for 0 and 1. */
unsigned int lde_log2_slot(unsigned long long v);
/* "low -> high : count |bar|", a line per slot up to the last one used. */
void lde_print_log2_hist(FILE *f, const unsigned long long *slots, int n,
			 const char *unit);

#endif /* _LDE_LOG2_HIST_H */
