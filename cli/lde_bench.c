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

/* usecs/op from a perf bench command, or 0. */
static double perf_bench(const char *cmd)
{
	char line[256];
	double v = 0;
	FILE *p = popen(cmd, "r");

	if (!p)
		return 0;
	while (fgets(line, sizeof(line), p))
		if (strstr(line, "usecs/op"))
			sscanf(line, "%lf", &v);
	pclose(p);
	return v;
}

/*
 * The median over runs of a perf bench command, in ns per op; 0 if none
 * ran.  Under TCG the guest's clock runs on while the host has QEMU's
 * thread descheduled: a mean over a long window takes every such stall
 * in, in proportion to the host's load at that moment (one run of
 * `perf bench syscall basic -l 20000` gave 485 to 2800 ns a call on a
 * loaded host, in one boot).  A median over short runs, like
 * lde-bench's median over short samples, leaves them out.
 */
static double perf_bench_median(const char *cmd, int runs)
{
	double v[16], per_op;
	struct lde_summary sum;
	int n = 0, i;

	for (i = 0; i < runs && i < 16; i++) {
		per_op = perf_bench(cmd);
		if (per_op > 0)
			v[n++] = per_op * 1e3;
	}
	if (!n)
		return 0;
	sum = lde_summarize(v, n);
	return sum.median;
}

/* perf bench syscall basic: a getppid loop, only the loop timed. */
#define PERF_SYSCALL_LOOPS	2000
#define PERF_SYSCALL_RUNS	9

/*
 * The same window as one of perf's runs, right after it: a loop of
 * PERF_SYSCALL_LOOPS getppid() calls, in ns a call.  The emulated
 * machine's speed drifts by a fifth or more from one minute to the next
 * on a shared host (lde-bench's getppid median was 445 to 612 ns in four
 * runs of one boot): only figures taken within seconds of each other
 * compare within 15%.
 */
static double getppid_window(void)
{
	double t0, t1;
	int i;

	/* Warm, as perf's loop is after its start-up: a tenth first, untimed. */
	for (i = 0; i < PERF_SYSCALL_LOOPS / 10; i++)
		getppid();
	t0 = now_ns();
	for (i = 0; i < PERF_SYSCALL_LOOPS; i++)
		getppid();
	t1 = now_ns();
	return (t1 - t0) / PERF_SYSCALL_LOOPS;
}

/*
 * perf's runs and lde-bench's windows taking turns, a window first and
 * after every run: each run is held against the mean of the windows on
 * either side of it, so a drift in the machine's speed over the pair
 * cancels.  The median of those ratios, and of perf's figures (into
 * *perf_ns).
 */
static double paired_syscall_ratio(const char *cmd, double *perf_ns)
{
	double ratios[PERF_SYSCALL_RUNS], perfs[PERF_SYSCALL_RUNS], p;
	double before = getppid_window(), after;
	int n = 0, i;

	for (i = 0; i < PERF_SYSCALL_RUNS; i++) {
		p = perf_bench(cmd) * 1e3;
		after = getppid_window();
		if (p > 0) {
			perfs[n] = p;
			ratios[n++] = (before + after) / 2 / p;
		}
		before = after;
	}
	if (!n)
		return 0;
	*perf_ns = lde_summarize(perfs, n).median;
	return lde_summarize(ratios, n).median;
}

/*
 * perf bench sched pipe times its worker's fork and reaping with the
 * loop: tens to hundreds of ms under TCG (-l 1 took 12 to 354 ms in one
 * boot).  A run of one loop measures that cost, which is taken off.
 */
#define PERF_PIPE_LOOPS		20000
#define PERF_PIPE_RUNS		5
static double syscall_ratio, round_trip_ratio;

/*
 * lde-bench's ping-pong in a window as long as one of perf's runs (the
 * echo process forked outside it): ns a round trip.
 */
static double round_trip_window(long trips)
{
	struct pingpong pp;
	double t0, t1;
	pid_t pid;
	long i;

	if (pipe(pp.ab) || pipe(pp.ba))
		return 0;
	pid = fork();
	if (pid == 0) {
		close(pp.ab[1]);
		close(pp.ba[0]);
		echo_loop(&pp);
		_exit(0);
	}
	t0 = now_ns();
	for (i = 0; pid > 0 && i < trips; i++)
		round_trip(&pp);
	t1 = now_ns();
	close(pp.ab[1]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	close(pp.ab[0]);
	close(pp.ba[0]);
	close(pp.ba[1]);
	return pid > 0 ? (t1 - t0) / trips : 0;
}

/*
 * perf bench sched pipe cannot be run in short windows: it times its
 * worker's fork and reaping, hundreds of round trips' worth.  So each of
 * its long runs, less that fixed cost, is paired with a window of
 * lde-bench's as long, right after it: both take in the host's stalls of
 * those seconds.  As for the system call, each run is held against the
 * windows on either side of it.
 */
static double paired_round_trip_ratio(const char *cmd, double fixed,
				      double *perf_ns)
{
	double ratios[PERF_PIPE_RUNS], perfs[PERF_PIPE_RUNS], p;
	double before = round_trip_window(PERF_PIPE_LOOPS), after;
	int n = 0, i;

	for (i = 0; i < PERF_PIPE_RUNS; i++) {
		p = lde_loop_cost(perf_bench(cmd) * 1e3 * PERF_PIPE_LOOPS,
				  PERF_PIPE_LOOPS, fixed);
		after = round_trip_window(PERF_PIPE_LOOPS);
		if (p > 0) {
			perfs[n] = p;
			ratios[n++] = (before + after) / 2 / p;
		}
		before = after;
	}
	if (!n)
		return 0;
	*perf_ns = lde_summarize(perfs, n).median;
	return lde_summarize(ratios, n).median;
}

static void print_json(FILE *f, double sw_proc, double sw_thread,
		       double perf_syscall, double perf_pipe)
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
	if (env.cross_check)
		fprintf(f, ",\"cross_check\":{\"syscall_method\":\"paired windows\","
			"\"perf_syscall_basic_ns\":%.1f,"
			"\"perf_sched_pipe_ns\":%.1f,\"syscall_ratio\":%.3f,"
			"\"round_trip_ratio\":%.3f}",
			perf_syscall, perf_pipe, syscall_ratio,
			round_trip_ratio);
	fprintf(f, "}\n");
}

int main(int argc, char **argv)
{
	static const struct argp argp = {
		.options = opts, .parser = parse_arg, .doc = doc,
	};
	struct result *libc_getppid_r, *rt_proc, *rt_thread, *transfer;
	double sw_proc, sw_thread, perf_syscall = 0, perf_pipe = 0;
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
	libc_getppid_r = BENCH_OP("syscall: getppid() as perf bench calls it",
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
		char cmd[128];
		double fixed;

		snprintf(cmd, sizeof(cmd), "taskset -c 0 perf bench syscall basic -l %d 2>/dev/null",
			 PERF_SYSCALL_LOOPS);
		syscall_ratio = paired_syscall_ratio(cmd, &perf_syscall);
		snprintf(cmd, sizeof(cmd), "taskset -c 0 perf bench sched pipe -l %d 2>/dev/null",
			 PERF_PIPE_LOOPS);
		fixed = perf_bench_median("taskset -c 0 perf bench sched pipe -l 1 2>/dev/null",
					  PERF_PIPE_RUNS);
		round_trip_ratio = paired_round_trip_ratio(cmd, fixed,
							   &perf_pipe);
	}

	if (env.json_file) {
		FILE *f = fopen(env.json_file, "we");

		if (!f) {
			fprintf(stderr, "lde-bench: %s: %s\n", env.json_file,
				strerror(errno));
			return 1;
		}
		print_json(f, sw_proc, sw_thread, perf_syscall, perf_pipe);
		fclose(f);
	}
	if (env.json) {
		print_json(stdout, sw_proc, sw_thread, perf_syscall, perf_pipe);
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
		printf("cross-check: getppid() (median %.1f ns) vs perf bench syscall basic -l %d, pinned (median of %d runs %.1f ns), each run held against windows of as many calls on either side of it: median ratio %.3f\n",
		       libc_getppid_r->s.median, PERF_SYSCALL_LOOPS,
		       PERF_SYSCALL_RUNS, perf_syscall, syscall_ratio);
		printf("cross-check: round trip (median %.1f ns) vs perf bench sched pipe -l %d, pinned, less its worker's fork (median of %d runs %.1f ns), each run held against windows of as many round trips on either side of it: median ratio %.3f\n",
		       rt_proc->s.median, PERF_PIPE_LOOPS, PERF_PIPE_RUNS,
		       perf_pipe, round_trip_ratio);
	}
	return 0;
}
