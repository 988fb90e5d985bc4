// SPDX-License-Identifier: GPL-2.0
/*
 * lde-bench's cross-check against perf bench (-x): perf bench run beside
 * lde-bench's own loop of the same operation on one CPU, perf's
 * "# Executed" line read as it comes, and the ratio of the two.
 */
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lde_bench.h"
#include "lde_stats.h"

/*
 * The cross-checks (-x): perf bench and lde-bench's own loop of the same
 * operation sharing one CPU, in the same seconds.
 *
 * Why together, not in turns: under TCG the guest's clock runs on while
 * the host has QEMU's thread descheduled, and on a loaded host that
 * happens every millisecond or two.  Any window longer than that runs at
 * the share of the host QEMU got in it, and that share swung five-fold
 * from one second to the next (windows of 2000 round trips, seconds
 * apart: 81 to 598 us a round trip; Documentation/bench.rst).  perf bench
 * sched pipe cannot be run in shorter windows (its worker's fork alone
 * takes 12 ms and more) and each perf run costs seconds of start-up, so
 * lde-bench's windows before and after a run, even the nearest, measured
 * the host's load at other moments.  Sharing one CPU, the guest's
 * scheduler interleaves the two every few milliseconds and gives each
 * the same share of the CPU (CFS), so a stall of the host holds both
 * alike; what each did in the interval perf timed is the comparison.
 * Not two CPUs: under single-threaded TCG both vCPUs share one host
 * thread, which QEMU hands between them in its own way (a loop there ran
 * 16 times slower, and one side up to a fifth slower than the other,
 * the same code on both).  The figures of the cross-check are each
 * side's half of a shared CPU, not the table's; only their ratio is the
 * check.  Runs alternate CPU 0 and CPU 1, so what one CPU carries more
 * of (interrupts) falls on both.
 */
#define PERF_SYSCALL_LOOPS	1000000
#define PERF_PIPE_LOOPS		20000
/* Stamp the count every so many operations: about a millisecond. */
#define SYSCALL_STAMP_EVERY	1024
#define ROUND_TRIP_STAMP_EVERY	8
#define STAMPS_MAX		(1 << 22)

struct bench_cross_check bench_syscall_check = {
	"syscall basic", PERF_SYSCALL_LOOPS
};
struct bench_cross_check bench_round_trip_check = {
	"sched pipe", PERF_PIPE_LOOPS
};

/* What lde-bench's side did while perf ran: ops done by each time. */
struct beside {
	pid_t perf;
	int status;
	bool exited;	/* seen by beside_stamp() */
	int out;	/* perf's output, line-buffered, read as it comes */
	char text[4096];
	size_t len;
	size_t end;	/* the stamp where perf's results began: its run's end */
	size_t n, cap;
	double *t;
	long *ops;
};

/*
 * perf prints "# Executed ..." right after its timed loop; under
 * stdbuf -oL the line comes then, not at its exit, which on a loaded
 * guest came most of a second later (a second's work of lde-bench's
 * counted as perf's).
 */
static void beside_read(struct beside *b)
{
	ssize_t got;

	while (b->len < sizeof(b->text) - 1 &&
	       (got = read(b->out, b->text + b->len,
			   sizeof(b->text) - 1 - b->len)) > 0)
		b->len += got;
	b->text[b->len] = '\0';
	if (!b->end && b->n && strstr(b->text, "# Executed"))
		b->end = b->n - 1;
}

static int pin_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/*
 * Stamps the count; false once perf has exited (the stamp before is the
 * end of its interval) or the stamps are full.
 */
static bool beside_stamp(struct beside *b, long ops)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 4096;
		double *t = cap <= STAMPS_MAX ? realloc(b->t, cap * sizeof(*t)) : NULL;
		long *o = t ? realloc(b->ops, cap * sizeof(*o)) : NULL;

		if (t)
			b->t = t;
		if (!o)
			return false;
		b->ops = o;
		b->cap = cap;
	}
	b->t[b->n] = bench_now_ns();
	b->ops[b->n++] = ops;
	beside_read(b);
	b->exited = waitpid(b->perf, &b->status, WNOHANG) == b->perf;
	return !b->exited;
}

/* Operations done by time t, between stamps; -1 before the first. */
static double beside_ops_at(const struct beside *b, double t)
{
	size_t lo = 0, hi = b->n - 1, mid;

	if (!b->n || t < b->t[0])
		return -1;
	if (t >= b->t[hi])
		return b->ops[hi];
	while (hi - lo > 1) {
		mid = (lo + hi) / 2;
		if (b->t[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return b->ops[lo] + (b->ops[hi] - b->ops[lo]) *
	       (t - b->t[lo]) / (b->t[hi] - b->t[lo]);
}

/*
 * taskset -c CPU stdbuf -oL perf bench COLLECTION BENCH -l LOOPS, its
 * output to *out, non-blocking.
 */
static pid_t spawn_perf(const struct bench_cross_check *c, int cpu, int *out)
{
	char cpu_s[16], loops_s[24], bench[32], *coll, *name;
	int p[2], null_fd;
	pid_t pid;

	snprintf(cpu_s, sizeof(cpu_s), "%d", cpu);
	snprintf(loops_s, sizeof(loops_s), "%ld", c->loops);
	snprintf(bench, sizeof(bench), "%s", c->bench);
	coll = bench;
	name = strchr(bench, ' ');
	*name++ = '\0';
	if (pipe2(p, O_CLOEXEC) || fcntl(p[0], F_SETFL, O_NONBLOCK))
		return -1;
	pid = fork();
	if (pid == 0) {
		null_fd = open("/dev/null", O_WRONLY);
		if (dup2(p[1], STDOUT_FILENO) < 0 || null_fd < 0 ||
		    dup2(null_fd, STDERR_FILENO) < 0)
			_exit(127);
		execlp("taskset", "taskset", "-c", cpu_s, "stdbuf", "-oL",
		       "perf", "bench", coll, name, "-l", loops_s, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	if (pid < 0)
		close(p[0]);
	else
		*out = p[0];
	return pid;
}

/* perf's usecs/op from its output, or 0. */
static double usecs_per_op(char *text)
{
	char *line;
	double v = 0;

	for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		if (strstr(line, "usecs/op"))
			sscanf(line, "%lf", &v);
	return v;
}

/*
 * One run: perf and lde-bench's loop of the same operation on one CPU,
 * until perf exits; false if either side gave nothing.
 */
static bool cross_run(struct bench_cross_check *c, int lde_cpu,
		      struct bench_cross_run *r)
{
	struct beside b = { 0 };
	struct bench_pingpong pp;
	double perf_ns = 0, end, ops, start_ops;
	pid_t echo = -1;
	long done = 0;
	int k;
	bool is_round_trip = c == &bench_round_trip_check;

	if (pin_to(lde_cpu))
		return false;
	if (is_round_trip) {
		if (pipe2(pp.ab, O_CLOEXEC) || pipe2(pp.ba, O_CLOEXEC))
			return false;
		echo = fork();	/* on our CPU: the affinity is inherited */
		if (echo == 0) {
			close(pp.ab[1]);
			close(pp.ba[0]);
			bench_echo_loop(&pp);
			_exit(0);
		}
	}
	b.perf = spawn_perf(c, lde_cpu, &b.out);
	if (b.perf > 0 && (!is_round_trip || echo > 0) && beside_stamp(&b, 0)) {
		if (is_round_trip) {
			do {
				for (k = 0; k < ROUND_TRIP_STAMP_EVERY; k++)
					bench_round_trip(&pp);
				done += ROUND_TRIP_STAMP_EVERY;
			} while (beside_stamp(&b, done));
		} else {
			do {
				for (k = 0; k < SYSCALL_STAMP_EVERY; k++)
					getppid();
				done += SYSCALL_STAMP_EVERY;
			} while (beside_stamp(&b, done));
		}
	}
	if (b.perf > 0) {
		if (!b.exited)
			waitpid(b.perf, &b.status, 0);
		beside_read(&b);	/* the rest: it has exited */
		perf_ns = usecs_per_op(b.text) * 1e3;
		close(b.out);
	}
	if (is_round_trip) {
		close(pp.ab[1]);	/* the echo side sees EOF and ends */
		if (echo > 0)
			waitpid(echo, NULL, 0);
		close(pp.ab[0]);
		close(pp.ba[0]);
		close(pp.ba[1]);
	}
	/*
	 * perf timed its c->loops operations just before it exited; what
	 * lde-bench's side did in as long, up to then.  Nothing if perf
	 * failed, or timed more than the stamps cover.
	 */
	ops = 0;
	if (b.exited && b.end && perf_ns > 0) {
		end = b.t[b.end];
		start_ops = beside_ops_at(&b, end - perf_ns * c->loops);
		if (start_ops >= 0)
			ops = b.ops[b.end] - start_ops;
	}
	free(b.t);
	free(b.ops);
	if (!WIFEXITED(b.status) || WEXITSTATUS(b.status) || ops <= 0)
		return false;
	r->lde_cpu = lde_cpu;
	r->perf_ns = perf_ns;
	r->lde_ns = perf_ns * c->loops / ops;
	r->ratio = r->lde_ns / r->perf_ns;
	return true;
}

/* The runs, on CPU 0 then 1 and so on; the medians. */
void bench_cross_check_run(struct bench_cross_check *c)
{
	double v[BENCH_CROSS_RUNS];
	int i;

	for (i = 0; i < BENCH_CROSS_RUNS; i++)
		if (cross_run(c, i % 2, &c->runs[c->nruns]))
			c->nruns++;
	bench_pin_cpu0();
	if (!c->nruns)
		return;
	for (i = 0; i < c->nruns; i++)
		v[i] = c->runs[i].lde_ns;
	c->lde_ns = lde_summarize(v, c->nruns).median;
	for (i = 0; i < c->nruns; i++)
		v[i] = c->runs[i].perf_ns;
	c->perf_ns = lde_summarize(v, c->nruns).median;
	for (i = 0; i < c->nruns; i++)
		v[i] = c->runs[i].ratio;
	c->ratio = lde_summarize(v, c->nruns).median;
}

void bench_cross_check_json(FILE *f, const char *key,
			    const struct bench_cross_check *c)
{
	int i;

	fprintf(f, "\"%s\":{\"perf_loops\":%ld,\"lde_ns\":%.1f,\"perf_ns\":%.1f,"
		"\"ratio\":%.3f,\"runs\":[", key, c->loops, c->lde_ns,
		c->perf_ns, c->ratio);
	for (i = 0; i < c->nruns; i++)
		fprintf(f, "%s{\"lde_cpu\":%d,\"lde_ns\":%.1f,\"perf_ns\":%.1f,"
			"\"ratio\":%.3f}", i ? "," : "", c->runs[i].lde_cpu,
			c->runs[i].lde_ns, c->runs[i].perf_ns,
			c->runs[i].ratio);
	fprintf(f, "]}");
}

void bench_cross_check_print(const char *what,
			     const struct bench_cross_check *c)
{
	int i;

	if (!c->nruns) {
		printf("cross-check: %s: perf bench %s did not run (perf and taskset are needed)\n",
		       what, c->bench);
		return;
	}
	printf("cross-check: %s and perf bench %s -l %ld sharing one CPU, in the same seconds: %.1f against %.1f ns (medians of %d runs; each had half the CPU), ratio %.3f (runs:",
	       what, c->bench, c->loops, c->lde_ns, c->perf_ns, c->nruns,
	       c->ratio);
	for (i = 0; i < c->nruns; i++)
		printf(" %.3f", c->runs[i].ratio);
	printf(")\n");
}
