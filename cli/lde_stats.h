/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The arithmetic of lde-bench, apart so the host can test it: summary
 * statistics of samples, lmbench's context-switch subtraction, JSON output.
 */
#ifndef _LDE_STATS_H
#define _LDE_STATS_H

#include <stddef.h>
#include <stdio.h>

struct lde_summary {
	size_t n;
	double min, median, p99, mean;
};

/* Sorts samples in place; n == 0 gives all zeros. */
struct lde_summary lde_summarize(double *samples, size_t n);

/* Nearest-rank percentile (0 < pct <= 100) of sorted samples. */
double lde_percentile(const double *sorted, size_t n, double pct);

/*
 * lmbench's context-switch cost: a ping-pong round trip holds two switches
 * and two pipe transfers (write + read) that would cost the same without a
 * switch; what is left, halved, is one switch.  NAN when nothing is left
 * (the transfers measured as dear as the round trip: noise, not a free
 * switch), so no made-up 0 is printed as a figure.
 */
double lde_switch_cost(double round_trip, double pipe_transfer);

/*
 * The cost of one loop of a run of loops that took total_ns, when a run
 * of one loop took one_ns: what a benchmark's fixed cost (perf bench sched
 * pipe's fork and reaping of its worker) adds is taken off.  0 if the
 * figures cannot hold (loops < 2, or the short run took longer).
 */
double lde_loop_cost(double total_ns, long loops, double one_ns);

/* A JSON string: quotes, backslashes, control characters, bytes > 0x7f escaped. */
void lde_json_str(FILE *f, const char *s, size_t max);

/* "name":{"n":..,"min":..,"median":..,"p99":..,"mean":..} */
void lde_json_summary(FILE *f, const char *name,
		      const struct lde_summary *s);

#endif /* _LDE_STATS_H */
