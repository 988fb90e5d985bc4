// SPDX-License-Identifier: GPL-2.0
/*
 * lde-bench's context switch, the lmbench way: a round trip through two
 * pipes between two processes (or threads) pinned to one CPU, and the
 * pipe transfer with no switch that lmbench subtracts.
 */
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lde_bench.h"

int bench_pin_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

void bench_round_trip(struct bench_pingpong *pp)
{
	char c = 0;

	if (write(pp->ab[1], &c, 1) != 1 || read(pp->ba[0], &c, 1) != 1)
		abort();
}

/* A pipe transfer with no switch: write a byte, read it back. */
void bench_pipe_transfer(const int *p)
{
	char c = 0;

	if (write(p[1], &c, 1) != 1 || read(p[0], &c, 1) != 1)
		abort();
}

void bench_echo_loop(struct bench_pingpong *pp)
{
	char c;

	while (read(pp->ab[0], &c, 1) == 1)
		if (write(pp->ba[1], &c, 1) != 1)
			break;
}

static void *echo_thread(void *arg)
{
	bench_pin_cpu0();
	bench_echo_loop(arg);
	return NULL;
}

struct bench_result *bench_switch(bool threads)
{
	struct bench_result *r;
	struct bench_pingpong pp;
	pthread_t th;
	pid_t pid = 0;

	if (pipe(pp.ab) || pipe(pp.ba))
		return NULL;
	if (threads) {
		pthread_create(&th, NULL, echo_thread, &pp);
	} else {
		pid = fork();
		if (pid == 0) {
			/* Only the parent may hold the write end: EOF ends us. */
			close(pp.ab[1]);
			close(pp.ba[0]);
			bench_pin_cpu0();
			bench_echo_loop(&pp);
			_exit(0);
		}
	}
	r = BENCH_OP(threads ? "switch: round trip, 2 threads, 1 CPU" :
			      "switch: round trip, 2 processes, 1 CPU",
		 bench_round_trip(&pp));
	close(pp.ab[1]);	/* the echo side sees EOF and ends */
	if (threads)
		pthread_join(th, NULL);
	else
		waitpid(pid, NULL, 0);
	close(pp.ab[0]);
	close(pp.ba[0]);
	close(pp.ba[1]);
	return r;
}
