// SPDX-License-Identifier: GPL-2.0
/*
 * OSTEP chapter 6's homework, answered carefully: the cost of a null
 * system call and of a context switch, each timed over thousands of
 * repetitions with a clock whose step is known.  lde-bench --check finds
 * nothing wrong with it (Documentation/homework.rst).
 *
 *   usage: careful [--no-pin] [--miscount] [CALLS [ROUND_TRIPS]]
 *
 * --no-pin leaves out the one sched_setaffinity call: the usual mistake,
 * the two processes may then run on two CPUs.  --miscount divides by a
 * tenth of the repetitions: figures ten times too large.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* One byte there and back through two pipes: the other side echoes it. */
static void round_trip(int to, int from)
{
	char c = 0;

	if (write(to, &c, 1) != 1 || read(from, &c, 1) != 1)
		die("pipe");
}

int main(int argc, char **argv)
{
	bool pin = true, miscount = false;
	long calls = 20000, trips = 2000, i;
	double t0, t1, step, syscall_ns, transfer_ns, trip_ns;
	int zero, self[2], ab[2], ba[2], arg = 1;
	pid_t child;
	char c;

	for (; arg < argc && argv[arg][0] == '-'; arg++) {
		if (!strcmp(argv[arg], "--no-pin"))
			pin = false;
		else if (!strcmp(argv[arg], "--miscount"))
			miscount = true;
		else
			return fprintf(stderr, "usage: careful [--no-pin] [--miscount] [CALLS [ROUND_TRIPS]]\n"), 2;
	}
	if (arg < argc)
		calls = atol(argv[arg++]);
	if (arg < argc)
		trips = atol(argv[arg++]);
	if (calls < 10 || trips < 10)
		return fprintf(stderr, "careful: at least 10 of each\n"), 2;

	/* The clock's step: the loops below last thousands of them. */
	t0 = now_ns();
	do
		t1 = now_ns();
	while (t1 == t0);
	step = t1 - t0;
	printf("timer: clock_gettime(CLOCK_MONOTONIC) steps by %.0f ns\n", step);

	/* One CPU for both processes, set before fork: the child inherits it. */
	if (pin) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(0, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			die("sched_setaffinity");
	}

	/* A null system call: a read of 0 bytes traps and returns at once. */
	zero = open("/dev/zero", O_RDONLY);
	if (zero < 0)
		die("/dev/zero");
	for (i = 0; i < 100; i++)	/* warm up */
		if (read(zero, &c, 0) < 0)
			die("read");
	t0 = now_ns();
	for (i = 0; i < calls; i++)
		if (read(zero, &c, 0) < 0)
			die("read");
	t1 = now_ns();
	syscall_ns = (t1 - t0) / (miscount ? calls / 10 : calls);
	printf("null system call (0-byte read): %.0f ns, %ld calls timed together\n",
	       syscall_ns, calls);

	/* What a round trip costs without a switch: both ends in one process. */
	if (pipe(self))
		die("pipe");
	t0 = now_ns();
	for (i = 0; i < trips; i++)
		round_trip(self[1], self[0]);
	t1 = now_ns();
	transfer_ns = (t1 - t0) / trips;

	/* lmbench's ping-pong: every round trip is two context switches. */
	if (pipe(ab) || pipe(ba))
		die("pipe");
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		close(ab[1]);
		while (read(ab[0], &c, 1) == 1)
			if (write(ba[1], &c, 1) != 1)
				break;
		_exit(0);
	}
	close(ab[0]);
	close(ba[1]);
	for (i = 0; i < 10; i++)	/* warm up */
		round_trip(ab[1], ba[0]);
	t0 = now_ns();
	for (i = 0; i < trips; i++)
		round_trip(ab[1], ba[0]);
	t1 = now_ns();
	close(ab[1]);
	waitpid(child, NULL, 0);
	trip_ns = (t1 - t0) / (miscount ? trips / 10 : trips);
	printf("round trip %.1f us, pipe write+read in one process %.1f us\n",
	       trip_ns / 1e3, transfer_ns / 1e3);
	printf("context switch (lmbench: (round trip - 2 transfers) / 2): %.1f us\n",
	       (trip_ns - 2 * transfer_ns) / 2 / 1e3);
	return 0;
}
