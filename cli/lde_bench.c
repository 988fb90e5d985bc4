// SPDX-License-Identifier: GPL-2.0
/*
 * lde-bench: OSTEP chapter 6's measurement homework, done properly.
 * The precision of the timers, the cost of a null system call, of a trap
 * through /dev/lde, and of a context switch the lmbench way (two processes
 * pinned to one CPU, two pipes), each as min, median and p99 over many
 * samples, each sample long enough that timer resolution is under 0.1% of it.
 * The cross-checks compare medians, each of windows too short for most
 * host stalls (see perf_bench_median()).
 */
#include <argp.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/lde.h>
#include "lde_check_run.h"
#include "lde_counter.h"
#include "lde_stats.h"

static struct env {
	bool json;
	const char *json_file;
	bool cross_check;
	int samples;
	bool check;		/* --check: judge a program's own measurement */
	int check_run_fd;	/* --check-run FD: inside the check's trace */
	char **command;		/* after --check's "--" */
} env = { .samples = 200, .check_run_fd = -1 };

const char *argp_program_version = "lde-bench " LDE_VERSION;
static const char doc[] =
"The OSTEP chapter 6 homework: measure a system call and a context switch.\n"
"\n"
"USAGE: lde-bench [-j] [-n SAMPLES] [-o FILE] [-x]\n"
"       lde-bench --check [-j] -- PROGRAM [ARG...]\n"
"\n"
"EXAMPLES:\n"
"    lde-bench          # the table\n"
"    lde-bench -j -x    # JSON, with perf bench run beside it for a cross-check\n"
"    lde-bench -x -o r.json  # the table, and the same figures as JSON\n"
"    lde-bench --check -- ./myanswer  # what ./myanswer really measured\n";

/* No short option: only lde-bench --check runs it. */
#define CHECK_RUN_KEY	0x100

static const struct argp_option opts[] = {
	{ "json", 'j', NULL, 0, "JSON output", 0 },
	{ "json-file", 'o', "FILE", 0, "Print the table, and write the JSON to FILE", 0 },
	{ "samples", 'n', "N", 0, "Samples per measurement (200)", 0 },
	{ "cross-check", 'x', NULL, 0, "Also run perf bench and print the ratios", 0 },
	{ "check", 'c', NULL, 0, "Run PROGRAM under lde-trace and say what it really measured", 0 },
	{ "check-run", CHECK_RUN_KEY, "FD", OPTION_HIDDEN, "Inside --check's trace", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	char *end;

	switch (key) {
	case 'j':
		env.json = true;
		break;
	case 'x':
		env.cross_check = true;
		break;
	case 'o':
		env.json_file = arg;
		break;
	case 'c':
		env.check = true;
		break;
	case CHECK_RUN_KEY:
		env.check_run_fd = strtol(arg, &end, 10);
		if (*end || env.check_run_fd < 0)
			argp_error(state, "--check-run takes a file descriptor");
		break;
	case ARGP_KEY_ARG:
		if (!env.check && env.check_run_fd < 0)
			argp_error(state, "a PROGRAM only goes with --check");
		env.command = &state->argv[state->next - 1];
		state->next = state->argc;
		break;
	case ARGP_KEY_END:
		if ((env.check || env.check_run_fd >= 0) && !env.command)
			argp_error(state, "--check needs a PROGRAM after --");
		break;
	case 'n':
		env.samples = strtol(arg, &end, 10);
		if (*end || env.samples < 10 || env.samples > 100000)
			argp_error(state, "SAMPLES must be 10..100000");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* One row of results. */
struct result {
	const char *name;
	const char *unit;
	struct lde_summary s;
	bool missing;
};

#define MAX_RESULTS 16
static struct result results[MAX_RESULTS];
static int nresults;
static double timer_resolution_ns = 1;

static struct result *add_result(const char *name, const char *unit,
				 double *samples, size_t n)
{
	struct result *r = &results[nresults++];

	r->name = name;
	r->unit = unit;
	r->s = lde_summarize(samples, n);
	return r;
}

/* Back-to-back readings of a clock: the smallest step it can show. */
static void bench_clock(const char *name, int which)
{
	double *d = calloc(env.samples, sizeof(*d));
	int i = 0;

	while (i < env.samples) {
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
	add_result(name, "ns", d, env.samples);
	free(d);
}

static double tsc_ghz;

/*
 * Counter ticks per ns: the rate the ISA states, else calibrated against
 * CLOCK_MONOTONIC over 200 ms.
 */
static void calibrate_tsc(void)
{
	double t0, t1;
	unsigned long long c0, c1;

	if (lde_counter_stated_hz()) {
		tsc_ghz = lde_counter_stated_hz() / 1e9;
		return;
	}
	t0 = now_ns();
	c0 = lde_counter_read();
	do
		t1 = now_ns();
	while (t1 - t0 < 200e6);
	c1 = lde_counter_read();
	tsc_ghz = (c1 - c0) / (t1 - t0);
}

static void bench_rdtsc(void)
{
	double *d = calloc(env.samples, sizeof(*d));
	int i;

	for (i = 0; i < env.samples; i++) {
		unsigned long long a = lde_counter_read(), b;

		do
			b = lde_counter_read();
		while (b == a);
		d[i] = (b - a) / tsc_ghz;
	}
	add_result("timer: " LDE_COUNTER_INSN " back-to-back", "ns", d, env.samples);
	free(d);
}

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





/* A pipe transfer with no switch: write a byte, read it back. */

static int pin_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* The lmbench ping-pong: pipes a->b and b->a, one round trip per op. */
struct pingpong {
	int ab[2], ba[2];
};


static void round_trip(struct pingpong *pp)
{
	char c = 0;

	if (write(pp->ab[1], &c, 1) != 1 || read(pp->ba[0], &c, 1) != 1)
		abort();
}

static void pipe_transfer(const int *p)
{
	char c = 0;

	if (write(p[1], &c, 1) != 1 || read(p[0], &c, 1) != 1)
		abort();
}

static void echo_loop(struct pingpong *pp)
{
	char c;

	while (read(pp->ab[0], &c, 1) == 1)
		if (write(pp->ba[1], &c, 1) != 1)
			break;
}

static void *echo_thread(void *arg)
{
	pin_cpu0();
	echo_loop(arg);
	return NULL;
}

static struct result *bench_switch(bool threads)
{
	struct result *r;
	struct pingpong pp;
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
			pin_cpu0();
			echo_loop(&pp);
			_exit(0);
		}
	}
	r = BENCH_OP(threads ? "switch: round trip, 2 threads, 1 CPU" :
			      "switch: round trip, 2 processes, 1 CPU",
		 round_trip(&pp));
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
#define CROSS_RUNS		4	/* two with lde-bench on each CPU */
#define PERF_SYSCALL_LOOPS	1000000
#define PERF_PIPE_LOOPS		20000
/* Stamp the count every so many operations: about a millisecond. */
#define SYSCALL_STAMP_EVERY	1024
#define ROUND_TRIP_STAMP_EVERY	8
#define STAMPS_MAX		(1 << 22)

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

static struct cross_check syscall_check = { "syscall basic", PERF_SYSCALL_LOOPS };
static struct cross_check round_trip_check = { "sched pipe", PERF_PIPE_LOOPS };

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
	b->t[b->n] = now_ns();
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
static pid_t spawn_perf(const struct cross_check *c, int cpu, int *out)
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
static bool cross_run(struct cross_check *c, int lde_cpu,
		      struct cross_run *r)
{
	struct beside b = { 0 };
	struct pingpong pp;
	double perf_ns = 0, end, ops, start_ops;
	pid_t echo = -1;
	long done = 0;
	int k;
	bool is_round_trip = c == &round_trip_check;

	if (pin_to(lde_cpu))
		return false;
	if (is_round_trip) {
		if (pipe2(pp.ab, O_CLOEXEC) || pipe2(pp.ba, O_CLOEXEC))
			return false;
		echo = fork();	/* on our CPU: the affinity is inherited */
		if (echo == 0) {
			close(pp.ab[1]);
			close(pp.ba[0]);
			echo_loop(&pp);
			_exit(0);
		}
	}
	b.perf = spawn_perf(c, lde_cpu, &b.out);
	if (b.perf > 0 && (!is_round_trip || echo > 0) && beside_stamp(&b, 0)) {
		if (is_round_trip) {
			do {
				for (k = 0; k < ROUND_TRIP_STAMP_EVERY; k++)
					round_trip(&pp);
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
static void cross_check_run(struct cross_check *c)
{
	double v[CROSS_RUNS];
	int i;

	for (i = 0; i < CROSS_RUNS; i++)
		if (cross_run(c, i % 2, &c->runs[c->nruns]))
			c->nruns++;
	pin_cpu0();
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

static void cross_check_json(FILE *f, const char *key,
			     const struct cross_check *c)
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

static void cross_check_print(const char *what, const struct cross_check *c)
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

static void print_json(FILE *f, double sw_proc, double sw_thread)
{
	int i;

	fprintf(f, "{\"samples\":%d,\"tsc_ghz\":%.4f,\"results\":{",
		env.samples, tsc_ghz);
	for (i = 0; i < nresults; i++) {
		if (i)
			fputc(',', f);
		lde_json_summary(f, results[i].name, &results[i].s);
	}
	fprintf(f, "},\"context_switch_ns\":{\"processes\":%.1f,\"threads\":%.1f}",
		sw_proc, sw_thread);
	if (env.cross_check) {
		fprintf(f, ",\"cross_check\":{\"method\":\"beside\","
			"\"syscall_ratio\":%.3f,\"round_trip_ratio\":%.3f,",
			syscall_check.ratio, round_trip_check.ratio);
		cross_check_json(f, "syscall", &syscall_check);
		fputc(',', f);
		cross_check_json(f, "round_trip", &round_trip_check);
		fputc('}', f);
	}
	fprintf(f, "}\n");
}

int main(int argc, char **argv)
{
	static const struct argp argp = {
		.options = opts, .parser = parse_arg, .doc = doc,
	};
	struct result *rt_proc, *rt_thread, *transfer;
	double sw_proc, sw_thread;
	int zero_fd, lde_fd, p[2], i;
	char c;

	argp_err_exit_status = 2;
	if (argp_parse(&argp, argc, argv, ARGP_IN_ORDER, NULL, NULL))
		return 2;
	if (env.check_run_fd >= 0)
		return lde_check_child(env.check_run_fd, env.command);
	if (env.check)
		return lde_check_main(env.command, env.json);
	if (pin_cpu0()) {
		perror("lde-bench: sched_setaffinity");
		return 1;
	}

	bench_clock("timer: gettimeofday back-to-back", 0);
	bench_clock("timer: clock_gettime(MONOTONIC) back-to-back", 1);
	timer_resolution_ns = results[1].s.median;
	calibrate_tsc();
	bench_rdtsc();

	zero_fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	if (zero_fd < 0 || pipe(p)) {
		perror("lde-bench");
		return 1;
	}
	BENCH_OP("syscall: getppid via syscall(2)",
		 syscall(SYS_getppid));
	/* The C library's getppid(), as perf bench syscall basic calls it. */
	BENCH_OP("syscall: getppid() as perf bench calls it",
		 getppid());
	BENCH_OP("syscall: 0-byte read",
		 if (read(zero_fd, &c, 0) < 0) abort());

	lde_fd = open("/dev/" LDE_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (lde_fd >= 0) {
		struct lde_trap t = { .size = sizeof(t), .nr = LDE_SYS_NULL };

		BENCH_OP("lde: trap, null toy syscall",
			 if (ioctl(lde_fd, LDE_IOC_TRAP, &t)) abort());
		BENCH_OP("lde: empty ioctl (LDE_IOC_NOP)",
			 if (ioctl(lde_fd, LDE_IOC_NOP)) abort());
		close(lde_fd);
	} else {
		results[nresults++] = (struct result){
			"lde: trap (lde.ko not loaded)", "ns", {}, true };
	}

	transfer = BENCH_OP("pipe: write+read 1 byte, no switch",
		 pipe_transfer(p));
	rt_proc = bench_switch(false);
	rt_thread = bench_switch(true);
	sw_proc = lde_switch_cost(rt_proc->s.median, transfer->s.median);
	sw_thread = lde_switch_cost(rt_thread->s.median, transfer->s.median);

	if (env.cross_check) {
		cross_check_run(&syscall_check);
		cross_check_run(&round_trip_check);
	}

	if (env.json_file) {
		FILE *f = fopen(env.json_file, "we");

		if (!f) {
			fprintf(stderr, "lde-bench: %s: %s\n", env.json_file,
				strerror(errno));
			return 1;
		}
		print_json(f, sw_proc, sw_thread);
		fclose(f);
	}
	if (env.json) {
		print_json(stdout, sw_proc, sw_thread);
		return 0;
	}

	printf("| %-46s | %10s | %10s | %10s | %6s |\n", "measurement",
	       "min ns", "median ns", "p99 ns", "n");
	printf("|%s|------------|------------|------------|--------|\n",
	       "------------------------------------------------");
	for (i = 0; i < nresults; i++) {
		if (results[i].missing) {
			printf("| %-46s | %10s | %10s | %10s | %6s |\n",
			       results[i].name, "-", "-", "-", "-");
			continue;
		}
		printf("| %-46s | %10.1f | %10.1f | %10.1f | %6zu |\n",
		       results[i].name, results[i].s.min, results[i].s.median,
		       results[i].s.p99, results[i].s.n);
	}
	printf("\ncontext switch (lmbench: (round trip - 2 pipe transfers) / 2): "
	       "%.1f ns between processes, %.1f ns between threads\n",
	       sw_proc, sw_thread);
	printf(LDE_COUNTER_NAME ": %.3f GHz (" LDE_COUNTER_RATE_FROM ")\n",
	       tsc_ghz);
	if (env.cross_check) {
		cross_check_print("getppid()", &syscall_check);
		cross_check_print("the ping-pong's round trip", &round_trip_check);
	}
	return 0;
}
