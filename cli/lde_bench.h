/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What lde-bench's files share: the options, the table of results and the
 * timed loop that fills it, the ping-pong, and the cross-checks' figures.
 * main, options and output in lde_bench.c; the timers in
 * lde_bench_timers.c; the context switch in lde_bench_switch.c; the
 * cross-check against perf bench in lde_bench_perf.c.  Every name shared
 * here starts bench_ (BENCH_): lde-bench links lde-bench --check's and
 * lde-trace's reader's files too, whose own names need not dodge these.
 */
#ifndef _LDE_BENCH_H
#define _LDE_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "lde_stats.h"

struct bench_env {
	bool json;
	const char *json_file;
	bool cross_check;
	int samples;
	bool check;		/* --check: judge a program's own measurement */
	int check_run_fd;	/* --check-run FD: inside the check's trace */
	char **command;		/* after --check's "--" */
};
extern struct bench_env bench_env;

double bench_now_ns(void);

/* One row of results. */
struct bench_result {
	const char *name;
	const char *unit;
	struct lde_summary s;
	bool missing;
};

#define BENCH_MAX_RESULTS 16
extern struct bench_result bench_results[BENCH_MAX_RESULTS];
extern int bench_nresults;
extern double bench_timer_resolution_ns;

struct bench_result *bench_add_result(const char *name, const char *unit,
				      double *samples, size_t n);

/*
 * Per-operation cost: each sample times a batch that lasts at least 1000
 * timer resolutions (resolution under 0.1% of it).  A macro, not a function taking a
 * callback: the timed loop holds the operation itself, as perf bench's
 * does, with no indirect call in it.  Evaluates to the new row.
 */
#define BENCH_OP(name, stmt)						\
	({								\
		double *d_ = calloc(bench_env.samples, sizeof(*d_));	\
		double t0_, t1_;					\
		long batch_ = 1, i_;					\
		int s_;							\
									\
		for (;;) {						\
			t0_ = bench_now_ns();				\
			for (i_ = 0; i_ < batch_; i_++)			\
				stmt;					\
			t1_ = bench_now_ns();				\
			if (t1_ - t0_ >=					\
			    1000 * bench_timer_resolution_ns ||		\
			    batch_ > 1 << 24)				\
				break;					\
			batch_ *= 2;					\
		}							\
		for (s_ = 0; s_ < bench_env.samples; s_++) {		\
			t0_ = bench_now_ns();				\
			for (i_ = 0; i_ < batch_; i_++)			\
				stmt;					\
			t1_ = bench_now_ns();				\
			d_[s_] = (t1_ - t0_) / batch_;			\
		}							\
		bench_add_result(name, "ns", d_, bench_env.samples);	\
		free(d_);						\
		&bench_results[bench_nresults - 1];			\
	})

/* The timers (lde_bench_timers.c); the counter's rate in ticks per ns. */
extern double bench_tsc_ghz;
void bench_clock(const char *name, int which);
void bench_calibrate_tsc(void);
void bench_rdtsc(void);

/* The context switch (lde_bench_switch.c). */
/* The lmbench ping-pong: pipes a->b and b->a, one round trip per op. */
struct bench_pingpong {
	int ab[2], ba[2];
};

int bench_pin_cpu0(void);
void bench_round_trip(struct bench_pingpong *pp);
void bench_pipe_transfer(const int *p);
void bench_echo_loop(struct bench_pingpong *pp);
struct bench_result *bench_switch(bool threads);

/* The cross-checks against perf bench (-x; lde_bench_perf.c). */
#define BENCH_CROSS_RUNS	4	/* two with lde-bench on each CPU */

struct bench_cross_run {
	int lde_cpu;
	double lde_ns, perf_ns, ratio;
};

struct bench_cross_check {
	const char *bench;	/* "syscall basic", "sched pipe" */
	long loops;
	struct bench_cross_run runs[BENCH_CROSS_RUNS];
	int nruns;
	double lde_ns, perf_ns, ratio;	/* medians over the runs */
};

extern struct bench_cross_check bench_syscall_check;
extern struct bench_cross_check bench_round_trip_check;

void bench_cross_check_run(struct bench_cross_check *c);
void bench_cross_check_json(FILE *f, const char *key,
			    const struct bench_cross_check *c);
void bench_cross_check_print(const char *what,
			     const struct bench_cross_check *c);

#endif /* _LDE_BENCH_H */
