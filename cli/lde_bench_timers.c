// SPDX-License-Identifier: GPL-2.0
/*
 * lde-bench's timers: the smallest step gettimeofday(), clock_gettime()
 * and the cycle counter can show, and the counter's rate.
 */
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

#include "lde_bench.h"
#include "lde_counter.h"

double bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Back-to-back readings of a clock: the smallest step it can show. */
void bench_clock(const char *name, int which)
{
	double *d = calloc(bench_env.samples, sizeof(*d));
	int i = 0;

	while (i < bench_env.samples) {
		double a, b;
		struct timeval tv;
		struct timespec ts;

		if (which == 0) {
			gettimeofday(&tv, NULL);
			a = tv.tv_sec * 1e9 + tv.tv_usec * 1e3;
			do {
				gettimeofday(&tv, NULL);
				b = tv.tv_sec * 1e9 + tv.tv_usec * 1e3;
			} while (b == a);
		} else {
			clock_gettime(CLOCK_MONOTONIC, &ts);
			a = ts.tv_sec * 1e9 + ts.tv_nsec;
			do {
				clock_gettime(CLOCK_MONOTONIC, &ts);
				b = ts.tv_sec * 1e9 + ts.tv_nsec;
			} while (b == a);
		}
		d[i++] = b - a;
	}
	bench_add_result(name, "ns", d, bench_env.samples);
	free(d);
}

double bench_tsc_ghz;

/*
 * Counter ticks per ns: the rate the ISA states, else calibrated against
 * CLOCK_MONOTONIC over 200 ms.
 */
void bench_calibrate_tsc(void)
{
	double t0, t1;
	unsigned long long c0, c1;

	if (lde_counter_stated_hz()) {
		bench_tsc_ghz = lde_counter_stated_hz() / 1e9;
		return;
	}
	t0 = bench_now_ns();
	c0 = lde_counter_read();
	do
		t1 = bench_now_ns();
	while (t1 - t0 < 200e6);
	c1 = lde_counter_read();
	bench_tsc_ghz = (c1 - c0) / (t1 - t0);
}

void bench_rdtsc(void)
{
	double *d = calloc(bench_env.samples, sizeof(*d));
	int i;

	for (i = 0; i < bench_env.samples; i++) {
		unsigned long long a = lde_counter_read(), b;

		do
			b = lde_counter_read();
		while (b == a);
		d[i] = (b - a) / bench_tsc_ghz;
	}
	bench_add_result("timer: " LDE_COUNTER_INSN " back-to-back", "ns", d,
			 bench_env.samples);
	free(d);
}
