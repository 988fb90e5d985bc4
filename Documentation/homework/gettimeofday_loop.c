// SPDX-License-Identifier: GPL-2.0
/*
 * A mistaken answer to OSTEP chapter 6's homework: gettimeofday timed in a
 * loop and reported as the cost of a system call.  On Linux it never traps:
 * the vDSO reads the clock in user space.  lde-bench --check says so
 * (Documentation/homework.rst).
 *
 *   usage: gettimeofday_loop [CALLS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>

int main(int argc, char **argv)
{
	long calls = argc > 1 ? atol(argv[1]) : 1000000, i;
	struct timeval t0, t1, tv;
	double us;

	if (calls < 1)
		return fprintf(stderr, "usage: gettimeofday_loop [CALLS]\n"), 2;
	gettimeofday(&t0, NULL);
	for (i = 0; i < calls; i++)
		gettimeofday(&tv, NULL);
	gettimeofday(&t1, NULL);
	us = (t1.tv_sec - t0.tv_sec) * 1e6 + (t1.tv_usec - t0.tv_usec);
	printf("system call (gettimeofday): %.1f ns, %ld calls timed together\n",
	       us * 1e3 / calls, calls);
	return 0;
}
