/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What lde-bench's files share: the options, the table of results and the
 * timed loop that fills it, the ping-pong, and the cross-checks' figures.
 * main, options and output in lde_bench.c; the timers in
 * lde_bench_timers.c; the context switch in lde_bench_switch.c; the
 * cross-check against perf bench in lde_bench_perf.c.
 */
#ifndef _LDE_BENCH_H
#define _LDE_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "lde_stats.h"

struct env {
	bool json;
	const char *json_file;
	bool cross_check;
	int samples;
	bool check;		/* --check: judge a program's own measurement */
	int check_run_fd;	/* --check-run FD: inside the check's trace */
	char **command;		/* after --check's "--" */
};
extern struct env env;

double now_ns(void);

/* One row of results. */
struct result {
	const char *name;
	const char *unit;
	struct lde_summary s;
	bool missing;
};

#define MAX_RESULTS 16
extern struct result results[MAX_RESULTS];
extern int nresults;
extern double timer_resolution_ns;

struct result *add_result(const char *name, const char *unit,
			  double *samples, size_t n);

/*
 * Per-operation cost: each sample times a batch that lasts at least 1000
 * timer resolutions (resolution under 0.1% of it).  A macro, not a function taking a
 * callback: the timed loop holds the operation itself, as perf bench's
 * does, with no indirect call in it.  Evaluates to the new row.
 */
#define BENCH_OP(name, stmt)						\
	({								\
		double *d_ = calloc(env.samples, sizeof(*d_)), t0_, t1_;\
		long batch_ = 1, i_;					\
		int s_;							\
									\
		for (;;) {						\
			t0_ = now_ns();					\
			for (i_ = 0; i_ < batch_; i_++)			\
				stmt;					\
			t1_ = now_ns();					\
			if (t1_ - t0_ >= 1000 * timer_resolution_ns ||	\
			    batch_ > 1 << 24)				\
				break;					\
			batch_ *= 2;					\
		}							\
		for (s_ = 0; s_ < env.samples; s_++) {			\
			t0_ = now_ns();					\
			for (i_ = 0; i_ < batch_; i_++)			\
				stmt;					\
			t1_ = now_ns();					\
			d_[s_] = (t1_ - t0_) / batch_;			\
		}							\
		add_result(name, "ns", d_, env.samples);		\
		free(d_);						\
		&results[nresults - 1];					\
	})

/* The timers (lde_bench_timers.c); the counter's rate in ticks per ns. */
extern double tsc_ghz;
void bench_clock(const char *name, int which);
void calibrate_tsc(void);
void bench_rdtsc(void);

/* The context switch (lde_bench_switch.c). */
/* The lmbench ping-pong: pipes a->b and b->a, one round trip per op. */
struct pingpong {
	int ab[2], ba[2];
};

int pin_cpu0(void);
void round_trip(struct pingpong *pp);
void pipe_transfer(const int *p);
void echo_loop(struct pingpong *pp);
struct result *bench_switch(bool threads);

/* The cross-checks against perf bench (-x; lde_bench_perf.c). */
#define CROSS_RUNS		4	/* two with lde-bench on each CPU */

struct cross_run {
	int lde_cpu;
	double lde_ns, perf_ns, ratio;
};

struct cross_check {
	const char *bench;	/* "syscall basic", "sched pipe" */
	long loops;
	struct cross_run runs[CROSS_RUNS];
	int nruns;
	double lde_ns, perf_ns, ratio;	/* medians over the runs */
};

extern struct cross_check syscall_check;
extern struct cross_check round_trip_check;

void cross_check_run(struct cross_check *c);
void cross_check_json(FILE *f, const char *key,
		      const struct cross_check *c);
void cross_check_print(const char *what, const struct cross_check *c);

#endif /* _LDE_BENCH_H */
