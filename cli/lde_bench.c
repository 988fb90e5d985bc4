// SPDX-License-Identifier: GPL-2.0
/*
 * lde-bench: OSTEP chapter 6's measurement homework, done properly.
 * The precision of the timers, the cost of a null system call, of a trap
 * through /dev/lde, and of a context switch the lmbench way (two processes
 * pinned to one CPU, two pipes), each as min, median and p99 over many
 * samples, each sample long enough that timer resolution is under 0.1% of it.
 * This file: the options, main (which runs the measurements in order) and
 * the output, a table or JSON.  What the files share is in lde_bench.h.
 */
#include <argp.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/lde.h>
#include "lde_bench.h"
#include "lde_check_run.h"
#include "lde_counter.h"
#include "lde_stats.h"

struct bench_env bench_env = { .samples = 200, .check_run_fd = -1 };

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
		bench_env.json = true;
		break;
	case 'x':
		bench_env.cross_check = true;
		break;
	case 'o':
		bench_env.json_file = arg;
		break;
	case 'c':
		bench_env.check = true;
		break;
	case CHECK_RUN_KEY:
		bench_env.check_run_fd = strtol(arg, &end, 10);
		if (*end || bench_env.check_run_fd < 0)
			argp_error(state, "--check-run takes a file descriptor");
		break;
	case ARGP_KEY_ARG:
		if (!bench_env.check && bench_env.check_run_fd < 0)
			argp_error(state, "a PROGRAM only goes with --check");
		bench_env.command = &state->argv[state->next - 1];
		state->next = state->argc;
		break;
	case ARGP_KEY_END:
		if ((bench_env.check || bench_env.check_run_fd >= 0) &&
		    !bench_env.command)
			argp_error(state, "--check needs a PROGRAM after --");
		break;
	case 'n':
		bench_env.samples = strtol(arg, &end, 10);
		if (*end || bench_env.samples < 10 ||
		    bench_env.samples > 100000)
			argp_error(state, "SAMPLES must be 10..100000");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

struct bench_result bench_results[BENCH_MAX_RESULTS];
int bench_nresults;
double bench_timer_resolution_ns = 1;

struct bench_result *bench_add_result(const char *name, const char *unit,
				      double *samples, size_t n)
{
	struct bench_result *r = &bench_results[bench_nresults++];

	r->name = name;
	r->unit = unit;
	r->s = lde_summarize(samples, n);
	return r;
}

/* One switch's figure, or null where the subtraction left nothing. */
static void print_switch_json(FILE *f, double ns)
{
	if (isnan(ns))
		fputs("null", f);
	else
		fprintf(f, "%.1f", ns);
}

static void print_switch(double ns, const char *between)
{
	if (isnan(ns))
		printf("not measurable %s", between);
	else
		printf("%.1f ns %s", ns, between);
}

static void print_json(FILE *f, double sw_proc, double sw_thread)
{
	struct utsname u;
	int i;

	/* Where they were measured: make bench sets two ISAs' side by side. */
	if (uname(&u)) {
		snprintf(u.machine, sizeof(u.machine), "unknown");
		snprintf(u.release, sizeof(u.release), "unknown");
	}
	fputs("{\"machine\":", f);
	lde_json_str(f, u.machine, sizeof(u.machine));
	fputs(",\"kernel\":", f);
	lde_json_str(f, u.release, sizeof(u.release));
	fprintf(f, ",\"samples\":%d,\"tsc_ghz\":%.4f,\"results\":{",
		bench_env.samples, bench_tsc_ghz);
	for (i = 0; i < bench_nresults; i++) {
		if (i)
			fputc(',', f);
		lde_json_summary(f, bench_results[i].name, &bench_results[i].s);
	}
	fputs("},\"context_switch_ns\":{\"processes\":", f);
	print_switch_json(f, sw_proc);
	fputs(",\"threads\":", f);
	print_switch_json(f, sw_thread);
	fputc('}', f);
	if (bench_env.cross_check) {
		fprintf(f, ",\"cross_check\":{\"method\":\"beside\","
			"\"syscall_ratio\":%.3f,\"round_trip_ratio\":%.3f,",
			bench_syscall_check.ratio,
			bench_round_trip_check.ratio);
		bench_cross_check_json(f, "syscall", &bench_syscall_check);
		fputc(',', f);
		bench_cross_check_json(f, "round_trip",
				       &bench_round_trip_check);
		fputc('}', f);
	}
	fprintf(f, "}\n");
}

int main(int argc, char **argv)
{
	static const struct argp argp = {
		.options = opts, .parser = parse_arg, .doc = doc,
	};
	struct bench_result *rt_proc, *rt_thread, *transfer;
	double sw_proc, sw_thread;
	int zero_fd, lde_fd, p[2], i;
	char c;

	argp_err_exit_status = 2;
	if (argp_parse(&argp, argc, argv, ARGP_IN_ORDER, NULL, NULL))
		return 2;
	if (bench_env.check_run_fd >= 0)
		return lde_check_child(bench_env.check_run_fd,
				       bench_env.command);
	if (bench_env.check)
		return lde_check_main(bench_env.command, bench_env.json);
	if (bench_pin_cpu0()) {
		perror("lde-bench: sched_setaffinity");
		return 1;
	}

	bench_clock("timer: gettimeofday back-to-back", 0);
	bench_clock("timer: clock_gettime(MONOTONIC) back-to-back", 1);
	bench_timer_resolution_ns = bench_results[1].s.median;
	bench_calibrate_tsc();
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
		bench_results[bench_nresults++] = (struct bench_result){
			"lde: trap (lde.ko not loaded)", "ns", {}, true };
	}

	transfer = BENCH_OP("pipe: write+read 1 byte, no switch",
		 bench_pipe_transfer(p));
	rt_proc = bench_switch(false);
	rt_thread = bench_switch(true);
	sw_proc = lde_switch_cost(rt_proc->s.median, transfer->s.median);
	sw_thread = lde_switch_cost(rt_thread->s.median, transfer->s.median);

	if (bench_env.cross_check) {
		bench_cross_check_run(&bench_syscall_check);
		bench_cross_check_run(&bench_round_trip_check);
	}

	if (bench_env.json_file) {
		FILE *f = fopen(bench_env.json_file, "we");

		if (!f) {
			fprintf(stderr, "lde-bench: %s: %s\n",
				bench_env.json_file, strerror(errno));
			return 1;
		}
		print_json(f, sw_proc, sw_thread);
		fclose(f);
	}
	if (bench_env.json) {
		print_json(stdout, sw_proc, sw_thread);
		return 0;
	}

	printf("| %-46s | %10s | %10s | %10s | %6s |\n", "measurement",
	       "min ns", "median ns", "p99 ns", "n");
	printf("|%s|------------|------------|------------|--------|\n",
	       "------------------------------------------------");
	for (i = 0; i < bench_nresults; i++) {
		if (bench_results[i].missing) {
			printf("| %-46s | %10s | %10s | %10s | %6s |\n",
			       bench_results[i].name, "-", "-", "-", "-");
			continue;
		}
		printf("| %-46s | %10.1f | %10.1f | %10.1f | %6zu |\n",
		       bench_results[i].name, bench_results[i].s.min,
		       bench_results[i].s.median, bench_results[i].s.p99,
		       bench_results[i].s.n);
	}
	printf("\ncontext switch (lmbench: (round trip - 2 pipe transfers) / 2): ");
	print_switch(sw_proc, "between processes");
	fputs(", ", stdout);
	print_switch(sw_thread, "between threads");
	putchar('\n');
	if (isnan(sw_proc) || isnan(sw_thread))
		printf("(not measurable: a round trip's median was no more than two pipe\n"
		       " transfers' medians, which noise under load does: run again)\n");
	printf(LDE_COUNTER_NAME ": %.3f GHz (" LDE_COUNTER_RATE_FROM ")\n",
	       bench_tsc_ghz);
	if (bench_env.cross_check) {
		bench_cross_check_print("getppid()", &bench_syscall_check);
		bench_cross_check_print("the ping-pong's round trip",
					&bench_round_trip_check);
	}
	return 0;
}
