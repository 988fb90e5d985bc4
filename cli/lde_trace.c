// SPDX-License-Identifier: GPL-2.0
/*
 * lde-trace: watch OSTEP chapter 6's limited-direct-execution sequence
 * (trap, return-from-trap, switch, timer, exec, exit, fault) live on the
 * running kernel, with eBPF.
 */
#include <argp.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "lde_boot.h"
#include "lde_line.h"
#include "lde_names.h"
#include "lde_render.h"
#include "lde_sched_summary.h"
#include "lde_syscalls.h"
#include "lde_trace.h"
#include "lde_trace.skel.h"
#include "lde_trace_file.h"
#include "lde_view.h"

static struct env {
	pid_t pid;
	char comm[LDE_COMM_LEN];
	long duration;
	__u32 stages;
	bool json;
	bool summary;
	bool protocol;
	bool figure;		/* -F: the card */
	bool strace;		/* -S */
	bool map;		/* -m */
	bool all;		/* -P without folding */
	bool boot;		/* the boot object/rows */
	bool stages_given;	/* -e */
	const char *output_path;	/* -o: Perfetto JSON, or .svg: a picture */
	const char *write_path;	/* -w: the trace file written */
	const char *read_path;	/* -r: a trace file replayed */
	bool quiet;		/* -q: no live view */
	bool verbose;
	long ringbuf_kb;
	char **command;
	const char *syscalls_arg;	/* -t: the names given */
	bool syscalls_wanted[LDE_MAX_SYSCALLS];	/* -t: by number */
	bool failed_only;	/* -x */
	/* -r: the window shown, in ns from the start; until 0: to the end. */
	unsigned long long since_ns, until_ns;
	unsigned long long min_kernel_ns;	/* -M */
} env = {
	/* Wakeups are asked for (-e wakeup, -m): one per switch, or more. */
	.stages = ((1U << LDE_NR_STAGES) - 1) & ~(1U << LDE_STAGE_WAKEUP),
	.boot = true,
};

static volatile sig_atomic_t exiting;
static pid_t root_child;	/* -- COMMAND: its process */
static unsigned long long start_ns;
static struct lde_boot boot;
/* The CPUs the trace can hold: the live system's possible ones, a file's. */
static int trace_cpus;
/* The views chosen once (lde_views.c): the card, pictures, the handout. */
static struct lde_views views;

const char *argp_program_version = "lde-trace " LDE_VERSION;
static const char doc[] =
"Watch the limited-direct-execution sequence live: trap, return-from-trap,\n"
"context switch, timer interrupt, exec, exit, fault (OSTEP chapter 6).\n"
"\n"
"USAGE: lde-trace [-p PID] [-c COMM] [-d SECONDS] [-e STAGES] [-t CALLS] [-x]\n"
"                 [-M NS] [-j] [-s] [-P] [-F] [-S] [-m] [-A] [-o FILE]\n"
"                 [-w FILE] [-q] [-v] [-- COMMAND [ARG...]]\n"
"       lde-trace -r FILE [-p PID] [-c COMM] [-e STAGES] [-t CALLS] [-j] [-s]\n"
"                 [-P] [-F] [-S] [-m] [-A] [-o FILE] [--since SECONDS]\n"
"                 [--until SECONDS]\n"
"\n"
"STAGES: boot,fork,exec,trap,return,switch,timer,fault,exit,reap,\n"
"        lde_trap,lde_return,lde_switch, and wakeup (not by default)\n"
"\n"
"EXAMPLES:\n"
"    lde-trace -- ls                 # ls and its children; exits as ls does\n"
"    lde-trace -p 1234 -e switch     # context switches of process 1234\n"
"    lde-trace -s -d 5               # 5 s of the whole system, summary only\n"
"    lde-trace -j -- ./a.out         # JSON Lines, one object per event\n"
"    lde-trace -P -- ./a.out         # the chapter: OS | Hardware | Program\n"
"    lde-trace -F -- ./a.out         # Figures 6.2 and 6.3 on one screen\n"
"    lde-trace -o t.html -- ./a.out  # a handout: card, timeline, protocol\n"
"    lde-trace -S -- cat /etc/hosts  # strace-style lines, arguments decoded\n"
"    lde-trace -m -d 1               # who runs on which CPU, and why\n"
"    lde-trace -S -x -t openat -- ls # only the openat calls that failed\n"
"    lde-trace -o t.json -- ./a.out  # a Perfetto (chrome://tracing) timeline\n"
"    lde-trace -q -w t.lde -- ./a.out  # record, show nothing\n"
"    lde-trace -r t.lde -P           # replay it, anywhere, as anyone\n";

enum { OPT_SINCE = 0x100, OPT_UNTIL };

static const struct argp_option opts[] = {
	{ "pid", 'p', "PID", 0, "Trace this process (all its threads)" },
	{ "comm", 'c', "COMM", 0, "Trace tasks with this command name" },
	{ "duration", 'd', "SECONDS", 0, "Stop after this many seconds" },
	{ "events", 'e', "STAGES", 0, "Comma-separated stages to show" },
	{ "json", 'j', NULL, 0, "JSON Lines output" },
	{ "summary", 's', NULL, 0, "Summary at the end (alone: no event lines)" },
	{ "protocol", 'P', NULL, 0, "OSTEP protocol view: OS | Hardware | Program" },
	{ "figure", 'F', NULL, 0, "OSTEP Figures 6.2 and 6.3 on one screen, each row from this run" },
	{ "all", 'A', NULL, 0, "With -P: every step, no folding of repeats" },
	{ "strace", 'S', NULL, 0, "strace-style lines: name(args) = ret" },
	{ "map", 'm', NULL, 0, "CPU map, as perf sched map: who runs where, why it switched" },
	{ "syscalls", 't', "NAME[,NAME...]", 0, "Only these system calls" },
	{ "failed", 'x', NULL, 0, "Only system calls that failed" },
	{ "min-kernel-ns", 'M', "NS", 0, "Only system calls that spent at least NS in the kernel" },
	{ "since", OPT_SINCE, "SECONDS", 0, "With -r: from this many seconds after the start" },
	{ "until", OPT_UNTIL, "SECONDS", 0, "With -r: up to this many seconds after the start" },
	{ "write", 'w', "FILE", 0, "Record the trace to FILE (JSON Lines, versioned)" },
	{ "quiet", 'q', NULL, 0, "No live view (with -w: record only)" },
	{ "read", 'r', "FILE", 0, "Replay a trace file: no root, no BPF" },
	{ "output", 'o', "FILE", 0, "Also write a Perfetto trace-event JSON file, FILE.svg a picture (with -F: the figure), FILE.html a handout" },
	{ "ringbuf-kb", 'b', "KB", 0, "Ring buffer size in KiB (power of 2; 4096)" },
	{ "verbose", 'v', NULL, 0, "libbpf debug output" },
	{ NULL, 'h', NULL, OPTION_HIDDEN, "Show the full help" },
	{},
};

static long parse_long(const char *arg, long min, long max,
		       struct argp_state *state, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || *end || end == arg || v < min || v > max)
		argp_error(state, "invalid %s: %s", what, arg);
	return v;
}

/* Seconds, with a fraction, as nanoseconds. */
static unsigned long long parse_seconds(const char *arg,
					struct argp_state *state)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || *end || end == arg || v < 0 || v > 86400.0 * 365)
		argp_error(state, "invalid SECONDS: %s", arg);
	return v * 1e9;
}

/* -t NAME[,NAME...]: an unknown name is a usage error naming the closest. */
static void parse_syscalls(const char *arg, struct argp_state *state)
{
	char *list = strdup(arg), *tok, *save;
	const char *close[3];
	int nr, n;

	env.syscalls_arg = arg;
	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		nr = lde_syscall_nr(tok);
		if (nr >= 0) {
			env.syscalls_wanted[nr] = true;
			continue;
		}
		n = lde_syscall_closest(tok, close, 3);
		argp_error(state, "unknown system call: %s%s%s%s%s%s%s%s", tok,
			   n ? " (closest: " : "", n > 0 ? close[0] : "",
			   n > 1 ? ", " : "", n > 1 ? close[1] : "",
			   n > 2 ? ", " : "", n > 2 ? close[2] : "",
			   n ? ")" : "");
	}
	free(list);
}

/*
 * -F and the handout number -P's steps: they see the events -P would,
 * lde.ko's lde_switch left out unless asked for.
 */
static bool story_view(void)
{
	return env.figure ||
	       (env.output_path && lde_view_path_is(env.output_path, ".html"));
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	char *list, *tok, *save;
	int i;


	switch (key) {
	case 'p':
		env.pid = parse_long(arg, 1, INT32_MAX, state, "PID");
		break;
	case 'c':
		if (strlen(arg) >= LDE_COMM_LEN)
			argp_error(state, "COMM is at most %d characters",
				   LDE_COMM_LEN - 1);
		strncpy(env.comm, arg, LDE_COMM_LEN - 1);
		break;
	case 'd':
		env.duration = parse_long(arg, 1, 86400 * 365, state,
					  "duration");
		break;
	case 'e':
		env.stages = 0;
		env.stages_given = true;
		env.boot = false;
		list = strdup(arg);
		for (tok = strtok_r(list, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			if (!strcmp(tok, "boot")) {
				env.boot = true;
				continue;
			}
			i = lde_stage_of(tok);
			if (i < 0)
				argp_error(state, "unknown stage: %s", tok);
			env.stages |= 1U << i;
		}
		free(list);
		if (!env.stages && !env.boot)
			argp_error(state, "no stage given");
		break;
	case 'j':
		env.json = true;
		break;
	case 's':
		env.summary = true;
		break;
	case 'P':
		env.protocol = true;
		break;
	case 'F':
		env.figure = true;
		break;
	case 'A':
		env.all = true;
		break;
	case 'S':
		env.strace = true;
		break;
	case 'm':
		env.map = true;
		break;
	case 't':
		parse_syscalls(arg, state);
		break;
	case 'x':
		env.failed_only = true;
		break;
	case 'M':
		env.min_kernel_ns = parse_long(arg, 0, LONG_MAX, state, "NS");
		break;
	case OPT_SINCE:
		env.since_ns = parse_seconds(arg, state);
		break;
	case OPT_UNTIL:
		env.until_ns = parse_seconds(arg, state);
		break;
	case 'w':
		env.write_path = arg;
		break;
	case 'q':
		env.quiet = true;
		break;
	case 'r':
		env.read_path = arg;
		break;
	case 'o':
		env.output_path = arg;
		break;
	case 'b':
		env.ringbuf_kb = parse_long(arg, 4, 1 << 20, state, "KB");
		if (env.ringbuf_kb & (env.ringbuf_kb - 1))
			argp_error(state, "KB must be a power of 2");
		break;
	case 'v':
		env.verbose = true;
		break;
	case 'h':
		argp_state_help(state, stderr, ARGP_HELP_STD_HELP);
		break;
	case ARGP_KEY_ARGS:
		env.command = state->argv + state->next;
		break;
	case ARGP_KEY_END:
		if (env.pid && env.command)
			argp_error(state, "-p and a command exclude each other");
		if (env.read_path && (env.command || env.write_path ||
				      env.duration))
			argp_error(state, "-r replays a file: no command, -w or -d");
		if (!env.read_path && (env.since_ns || env.until_ns))
			argp_error(state, "--since and --until choose a window of a trace file: with -r");
		if (env.until_ns && env.until_ns <= env.since_ns)
			argp_error(state, "--until must come after --since");
		if (env.read_path && (env.failed_only || env.min_kernel_ns))
			argp_error(state, "-x and -M decide in the kernel as it traces: not with -r");
		if (env.strace + env.protocol + env.json + env.map +
		    env.figure > 1)
			argp_error(state, "-S, -P, -F, -m and -j are views: choose one");
		/* -m draws switches; ticks and wakeups go in its margin. */
		if (env.map && !env.stages_given)
			env.stages = 1U << LDE_STAGE_SWITCH |
				     1U << LDE_STAGE_TIMER |
				     1U << LDE_STAGE_WAKEUP |
				     1U << LDE_STAGE_FORK;
		/* -S shows calls; a process's exit ends those left open. */
		if (env.strace && !env.stages_given)
			env.stages = 1U << LDE_STAGE_TRAP |
				     1U << LDE_STAGE_RETURN |
				     1U << LDE_STAGE_EXIT;
		/*
		 * lde.ko's lde_switch says again what every switch says:
		 * the protocol view shows it only when asked for.
		 */
		if ((env.protocol || story_view()) && !env.stages_given)
			env.stages &= ~(1U << LDE_STAGE_LDE_SWITCH);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* As libbpf-bootstrap: warnings and errors always, debug under -v. */
static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list args)
{
	if (level == LIBBPF_DEBUG && !env.verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static void on_signal(int sig)
{
	exiting = 1;
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* -s alone: no event lines, so traps and returns are counted in the kernel. */
static bool summary_only(void)
{
	return env.summary && !env.json && !env.protocol && !env.strace &&
	       !env.map && !env.figure;
}

/* No event is drawn live: -s alone, -q, or a view of its own (-F). */
static bool no_event_lines(void)
{
	return summary_only() || env.quiet || env.figure;
}

/* -s on the live kernel: switches are summed there, not from events. */
static bool switches_summed_in_kernel(void)
{
	return env.summary && !env.read_path;
}

/*
 * Event lines are appended here and written once per batch of events read
 * (or when full): one write per batch, output still live.
 */
static char event_text_buf[1 << 18];
static struct lde_line event_text;

static void flush_event_text(void)
{
	lde_line_flush(&event_text, stdout);
	fflush(stdout);
}

static void show_event(const struct lde_event *e)
{
	lde_trace_file_event(e, start_ns);
	/* The counts are only for the summary; switches are summed live. */
	if (env.summary && !(switches_summed_in_kernel() &&
			     e->stage == LDE_STAGE_SWITCH))
		lde_summary_account(e);
	lde_perfetto_event(e, start_ns);
	lde_views_event(&views, &event_text, e);
	if (no_event_lines())
		return;
	if (lde_line_room(&event_text) < LDE_EVENT_TEXT_MAX)
		lde_line_flush(&event_text, stdout);
	if (env.protocol)
		lde_protocol_event(&event_text, e, start_ns);
	else if (env.strace)
		lde_strace_event(&event_text, e);
	else if (env.map)
		lde_map_event(&event_text, e, start_ns);
	else if (env.json)
		lde_json_event(&event_text, e, start_ns);
	else
		lde_columns_event(&event_text, e, start_ns);
}

/* After the last event: what a view still holds. */
static void end_views(void)
{
	if (no_event_lines())
		return;
	if (env.protocol)
		lde_protocol_end(&event_text);
	else if (env.strace)
		lde_strace_end(&event_text);
	else if (env.map)
		lde_map_end(&event_text);
}

/* -t: the calls not named are left out. */
static bool syscall_wanted(long long nr)
{
	return !env.syscalls_arg ||
	       (nr >= 0 && nr < LDE_MAX_SYSCALLS && env.syscalls_wanted[nr]);
}

/* A text view's width: $COLUMNS, the terminal's, or 132. */
static int text_width(void)
{
	const char *cols = getenv("COLUMNS");
	struct winsize ws;

	if (cols && atoi(cols) > 0)
		return atoi(cols);
	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_col)
		return ws.ws_col;
	return 132;
}

/* The views of lde_views.c: 0, or -errno (said). */
static int start_views(void)
{
	struct lde_view_env venv = {
		.boot = &boot,
		.stages = env.stages,
		.width = text_width(),
		.all = env.all,
		.figure = env.figure,
		.output_path = env.output_path,
		.start_ns = start_ns,
	};
	const char *failed = NULL;
	int err = lde_views_start(&views, &venv, &event_text, &failed);

	if (err)
		fprintf(stderr, "lde-trace: cannot start %s: %s\n", failed,
			strerror(-err));
	return err;
}

/* -t names x86-64 calls: an i386 call is wanted by its name. */
static bool call_wanted(long long nr, unsigned int compat)
{
	if (!compat || !env.syscalls_arg)
		return syscall_wanted(nr);
	return syscall_wanted(lde_syscall_nr(lde_call_name(nr, compat)));
}

/* Before the first event: the header, and OS @ boot. */
static void show_start(void)
{
	struct lde_protocol_opts popts = {
		.width = 132,
		.all = env.all,
		.traps = env.stages & 1U << LDE_STAGE_TRAP,
	};

	if (start_views())
		exiting = 1;
	if (no_event_lines())
		return;
	if (env.protocol) {
		popts.width = text_width();
		lde_protocol_start(&event_text, &boot, &popts);
	} else if (env.map) {
		struct lde_map_opts mopts = {
			.root_pid = env.pid ?: root_child,
			.ncpus = boot.cpus,
			.max_cpus = trace_cpus > 0 ? trace_cpus : 0,
		};

		memcpy(mopts.comm, env.comm, LDE_COMM_LEN);
		lde_map_start(&mopts);
	} else if (env.json) {
		if (env.boot && boot.module)
			lde_json_boot(&event_text, &boot);
	} else if (!env.strace) {
		lde_columns_header(&event_text);
		if (env.boot)
			lde_columns_boot(&event_text, &boot);
	}
	flush_event_text();
}

/* LDE_TRACE_RAW=FILE: each record's bytes as the kernel sent them. */
static FILE *raw_records;

/*
 * A ring-buffer record is a batch of one CPU's events, in order, each
 * holding only the common part and its kind's own part, back to back.
 */
static int handle_batch(void *ctx, void *data, size_t size)
{
	const unsigned char *p = data;

	if (raw_records)
		fwrite(data, 1, size, raw_records);

	while (size >= offsetof(struct lde_event, trap)) {
		const struct lde_event *e = (const void *)p;
		size_t len;

		if (e->stage >= LDE_NR_EVENT_KINDS)
			break;
		len = lde_event_size(e->stage);
		if (size < len)
			break;
		show_event(e);
		p += len;
		size -= len;
	}
	return 0;
}

/*
 * After the programs are detached: the events still waiting in each CPU's
 * batch, then in its interrupt slot (which came after the batch).  A
 * program that was running as it was detached may still be writing one
 * (busy): wait for it, briefly; a batch still busy then is counted lost,
 * never read half-written.  Returns the events so lost.
 */
static unsigned long long drain_batches(struct lde_trace_bpf *skel)
{
	unsigned long long lost = 0;
	int ncpus = libbpf_num_possible_cpus(), tries;
	struct lde_batch *b = malloc(sizeof(*b));
	__u32 slot;

	if (ncpus <= 0 || !b)
		goto out;
	for (slot = 0; slot < 2 * ncpus; slot++) {
		for (tries = 0; tries < 100; tries++) {
			if (bpf_map__lookup_elem(skel->maps.batches, &slot,
						 sizeof(slot), b, sizeof(*b), 0))
				goto out;
			if (!b->busy)
				break;
			usleep(1000);
		}
		if (b->busy)
			lost += b->events;
		else if (b->len <= LDE_BATCH_BYTES)
			handle_batch(NULL, b->data, b->len);
	}
out:
	free(b);
	return lost;
}

/* Fold the kernel's per-CPU syscall counts into the summary. */
static void collect_aggregates(struct lde_trace_bpf *skel)
{
	int ncpus = libbpf_num_possible_cpus(), cpu;
	struct lde_syscall_agg *vals;
	__u32 nr;

	if (ncpus <= 0)
		return;
	vals = calloc(ncpus, sizeof(*vals));
	if (!vals)
		return;
	for (nr = 0; nr < LDE_AGG_SLOTS; nr++) {
		if (bpf_map__lookup_elem(skel->maps.syscall_agg, &nr,
					 sizeof(nr), vals,
					 ncpus * sizeof(*vals), 0))
			continue;
		for (cpu = 0; cpu < ncpus; cpu++)
			lde_summary_add_syscall(nr, &vals[cpu]);
	}
	free(vals);
}

/* The scheduler's sums made in the kernel (-s, live): tasks and totals. */
static void collect_sched_sums(struct lde_trace_bpf *skel)
{
	int ncpus = libbpf_num_possible_cpus(), cpu, fd;
	struct lde_sched_totals *tot;
	struct lde_sched_sum sum;
	__u32 key = 0, tid, *prev = NULL;

	fd = bpf_map__fd(skel->maps.sched_sums);
	while (!bpf_map_get_next_key(fd, prev, &tid)) {
		if (!bpf_map_lookup_elem(fd, &tid, &sum))
			lde_sched_summary_add_task(tid, &sum);
		key = tid;
		prev = &key;
	}
	if (ncpus <= 0)
		return;
	tot = calloc(ncpus, sizeof(*tot));
	key = 0;
	if (tot && !bpf_map__lookup_elem(skel->maps.sched_totals, &key,
					 sizeof(key), tot,
					 ncpus * sizeof(*tot), 0))
		for (cpu = 0; cpu < ncpus; cpu++)
			lde_summary_add_switches(&tot[cpu]);
	free(tot);
}

/* A counter of enum lde_lost, summed over CPUs. */
static unsigned long long lost_total(struct lde_trace_bpf *skel,
				     enum lde_lost what)
{
	int ncpus = libbpf_num_possible_cpus(), i;
	unsigned long long total = 0, *vals;
	__u32 key = what;

	if (ncpus <= 0)
		return 0;
	vals = calloc(ncpus, sizeof(*vals));
	if (vals && !bpf_map__lookup_elem(skel->maps.lost_events, &key,
					  sizeof(key), vals,
					  ncpus * sizeof(*vals), 0))
		for (i = 0; i < ncpus; i++)
			total += vals[i];
	free(vals);
	return total;
}

/*
 * Every program but the trap's, then the trap's: a trap it sees finds the
 * return and switch programs in place, so its return is seen too.  (A
 * slow kernel attaches one program at a time while traced tasks run: a
 * trap seen before its return's program was there stayed open.)
 */
static int attach_trap_last(struct lde_trace_bpf *skel)
{
	struct bpf_program *trap = skel->progs.lde_sys_enter;
	int err;

	bpf_program__set_autoattach(trap, false);
	err = lde_trace_bpf__attach(skel);
	if (err || !bpf_program__autoload(trap))
		return err;
	skel->links.lde_sys_enter = bpf_program__attach(trap);
	return skel->links.lde_sys_enter ? 0 : -errno;
}

/*
 * The process traced from the start (-p, or the command), every thread of
 * it, marked in the kernel by lde_mark_process, with the fork program
 * attached first: a thread it starts meanwhile is marked at its fork.
 */
static int mark_traced_process(struct lde_trace_bpf *skel, pid_t tgid)
{
	struct bpf_link *iter = NULL;
	int fd = -1, err = 0;
	char buf[64];
	ssize_t n;

	skel->links.lde_fork = bpf_program__attach(skel->progs.lde_fork);
	if (!skel->links.lde_fork)
		return -errno;
	/* Attached: the skeleton's attach leaves it be. */
	bpf_program__set_autoattach(skel->progs.lde_fork, false);
	skel->bss->mark_tgid = tgid;
	iter = bpf_program__attach_iter(skel->progs.lde_mark_process, NULL);
	if (!iter) {
		err = -errno;
		goto out;
	}
	fd = bpf_iter_create(bpf_link__fd(iter));
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		;
	if (n < 0)
		err = -errno;
out:
	skel->bss->mark_tgid = 0;
	if (fd >= 0)
		close(fd);
	bpf_link__destroy(iter);
	return err;
}

/* The running kernel is major.minor or later. */
static bool kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return false;
	return ma > major || (ma == major && mi >= minor);
}

/* Fork the command stopped before exec; it starts when released. */
static pid_t spawn_stopped(char **argv, int *release_fd)
{
	int go[2];
	pid_t pid;
	char c;

	if (pipe2(go, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(127);	/* lde-trace gave up */
		execvp(argv[0], argv);
		fprintf(stderr, "lde-trace: cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	close(go[0]);
	*release_fd = go[1];
	return pid;
}

static bool lde_module_events(void)
{
	return !access("/sys/kernel/tracing/events/lde/lde_trap", F_OK) ||
	       !access("/sys/kernel/debug/tracing/events/lde/lde_trap", F_OK);
}

/*
 * The scheduler's side of a switch (lde_sched.bpf.h) watches two kernel
 * functions renamed over time: attach to the name this kernel's BTF has.
 * Without them a switch's reason is "other"; said once.
 */
static void choose_sched_programs(struct lde_trace_bpf *skel,
				  const struct btf *btf)
{
	static const char *const tick_names[] = { "sched_tick", "scheduler_tick" };
	static const char *const check_names[] = { "wakeup_preempt",
						   "check_preempt_curr" };
	bool on = env.stages & (1U << LDE_STAGE_SWITCH | 1U << LDE_STAGE_WAKEUP);
	const char *tick = NULL, *check = NULL;
	int i;

	for (i = 0; on && btf && i < 2; i++) {
		if (!tick && btf__find_by_name_kind(btf, tick_names[i], BTF_KIND_FUNC) > 0)
			tick = tick_names[i];
		if (!check && btf__find_by_name_kind(btf, check_names[i], BTF_KIND_FUNC) > 0)
			check = check_names[i];
	}
	if (on && (!tick || !check))
		fprintf(stderr, "lde-trace: warning: this kernel has no %s in its BTF: a runnable task's switch reason is shown as \"other\"\n",
			!tick ? "sched_tick/scheduler_tick" : "wakeup_preempt/check_preempt_curr");
	bpf_program__set_autoload(skel->progs.lde_sched_waking, on);
	bpf_program__set_autoload(skel->progs.lde_sched_wakeup,
				  env.stages & (1U << LDE_STAGE_WAKEUP));
	bpf_program__set_autoload(skel->progs.lde_sched_wakeup_new, on);
	bpf_program__set_autoload(skel->progs.lde_sched_tick, tick);
	bpf_program__set_autoload(skel->progs.lde_sched_tick_exit, tick);
	bpf_program__set_autoload(skel->progs.lde_preempt_check, check);
	bpf_program__set_autoload(skel->progs.lde_preempt_check_exit, check);
	if (tick) {
		bpf_program__set_attach_target(skel->progs.lde_sched_tick, 0, tick);
		bpf_program__set_attach_target(skel->progs.lde_sched_tick_exit, 0, tick);
	}
	if (check) {
		bpf_program__set_attach_target(skel->progs.lde_preempt_check, 0, check);
		bpf_program__set_attach_target(skel->progs.lde_preempt_check_exit, 0, check);
	}
}

/*
 * Load only what the chosen stages need: unneeded programs never attach.
 * The switch program always runs: a thread that leaves its CPU inside a
 * system call takes its open trap along, and the CPU's batch is sent.
 * The timer program runs for the timer stage, and wherever events are
 * batched: it sends what waits in a CPU's batch at each tick.
 */
static void choose_programs(struct lde_trace_bpf *skel,
			    const struct btf *vmlinux_btf)
{
	const __u32 syscalls = 1U << LDE_STAGE_TRAP | 1U << LDE_STAGE_RETURN;
	bool lde = lde_module_events();
	__u32 s = env.stages;
	bool batched = skel->rodata->batch_bytes > LDE_EVENT_MAX &&
		       !(skel->rodata->aggregate_syscalls && !(s & ~syscalls));

	bpf_program__set_autoload(skel->progs.lde_sys_enter, s & syscalls);
	/* With -x or -M, a trap waits for its return to decide. */
	bpf_program__set_autoload(skel->progs.lde_sys_exit,
				  (s & (1U << LDE_STAGE_RETURN)) ||
				  ((s & syscalls) && skel->rodata->defer_traps));
	bpf_program__set_autoload(skel->progs.lde_timer,
				  batched || (s & (1U << LDE_STAGE_TIMER)));
	bpf_program__set_autoload(skel->progs.lde_exec,
				  s & (1U << LDE_STAGE_EXEC));
	bpf_program__set_autoload(skel->progs.lde_exit,
				  s & (1U << LDE_STAGE_EXIT));
	/* The reap also prunes the exits sent. */
	bpf_program__set_autoload(skel->progs.lde_reap,
				  s & (1U << LDE_STAGE_REAP | 1U << LDE_STAGE_EXIT));
	bpf_program__set_autoload(skel->progs.lde_fault,
				  s & (1U << LDE_STAGE_FAULT));
	/* A traced task's new threads (and children) are marked at fork. */
	bpf_program__set_autoload(skel->progs.lde_fork,
				  env.command || env.pid ||
				  (s & (1U << LDE_STAGE_FORK)));
	bpf_program__set_autoload(skel->progs.lde_mark_process,
				  env.command || env.pid);
	bpf_program__set_autoattach(skel->progs.lde_mark_process, false);
	bpf_program__set_autoload(skel->progs.lde_mod_trap,
				  lde && (s & (1U << LDE_STAGE_LDE_TRAP)));
	bpf_program__set_autoload(skel->progs.lde_mod_return,
				  lde && (s & (1U << LDE_STAGE_LDE_RETURN)));
	/* The plain tracepoint before 6.2, its BTF form since (bpf/). */
	bpf_program__set_autoload(skel->progs.lde_mod_switch,
				  lde && (s & (1U << LDE_STAGE_LDE_SWITCH)) &&
				  !kernel_at_least(6, 2));
	bpf_program__set_autoload(skel->progs.lde_mod_switch_btf,
				  lde && (s & (1U << LDE_STAGE_LDE_SWITCH)) &&
				  kernel_at_least(6, 2));
	choose_sched_programs(skel, vmlinux_btf);
}

/*
 * -o FILE.svg draws a picture, FILE.html a handout (views, lde_views.c);
 * any other FILE is Perfetto's JSON.
 */
static bool output_is_view(void)
{
	return lde_view_path_is(env.output_path, ".svg") ||
	       lde_view_path_is(env.output_path, ".html");
}

static int open_output(void)
{
	int err = 0;
	FILE *f;

	if (!output_is_view()) {
		err = lde_perfetto_open(env.output_path);
	} else {
		/* Written at the end: is it writable, before tracing? */
		f = fopen(env.output_path, "we");
		if (!f)
			err = -errno;
		else
			fclose(f);
	}
	if (err)
		fprintf(stderr, "lde-trace: cannot write %s: %s\n",
			env.output_path, strerror(-err));
	return err;
}

/* The picture is drawn now, titled with what was traced, and where. */
static int close_output(const char *kernel)
{
	struct lde_view_end vend = { .kernel = kernel ? kernel : "" };
	const char *failed = NULL;
	char title[512];
	int err;

	if (env.output_path && !output_is_view())
		lde_perfetto_close();
	if (!views.n)
		return 0;
	if (env.read_path)
		snprintf(title, sizeof(title), "lde-trace -r %s (Linux %s)",
			 env.read_path, kernel ? kernel : "?");
	else if (env.command)
		snprintf(title, sizeof(title), "lde-trace -- %s (Linux %s)",
			 env.command[0], kernel ? kernel : "?");
	else if (env.pid)
		snprintf(title, sizeof(title), "lde-trace -p %d (Linux %s)",
			 env.pid, kernel ? kernel : "?");
	else
		snprintf(title, sizeof(title), "lde-trace, whole system (Linux %s)",
			 kernel ? kernel : "?");
	vend.title = title;
	err = lde_views_end(&views, &event_text, &vend, &failed);
	flush_event_text();
	if (err)
		fprintf(stderr, "lde-trace: %s: cannot write %s: %s\n", failed,
			env.output_path ? env.output_path : "", strerror(-err));
	return err;
}

/* -r: a recorded event, filtered as it would have been live. */
static void replay_event(const struct lde_event *e)
{
	bool sw = e->stage == LDE_STAGE_SWITCH ||
		  e->stage == LDE_STAGE_LDE_SWITCH;

	if (!(env.stages & 1U << lde_kind_stage(e->stage)))
		return;
	if (e->ts_ns < env.since_ns || (env.until_ns && e->ts_ns > env.until_ns))
		return;
	switch (e->stage) {
	case LDE_STAGE_TRAP:
	case LDE_EVENT_TRAP_STRINGS:
		if (!call_wanted(e->trap.nr, e->trap.compat))
			return;
		break;
	case LDE_STAGE_RETURN:
	case LDE_EVENT_EXEC_RETURN:
		if (!call_wanted(e->ret.nr, e->ret.compat))
			return;
		break;
	}
	if (env.pid && e->pid != (unsigned int)env.pid &&
	    !(sw && e->sw.next_pid == (unsigned int)env.pid))
		return;
	if (env.comm[0] && strncmp(e->comm, env.comm, LDE_COMM_LEN) &&
	    !(sw && !strncmp(e->sw.next_comm, env.comm, LDE_COMM_LEN)))
		return;
	show_event(e);
}

/* -r -t: the names given, numbered as the recording numbers them. */
static void syscalls_by_recording(void)
{
	char *list = strdup(env.syscalls_arg), *tok, *save;
	int nr;

	memset(env.syscalls_wanted, 0, sizeof(env.syscalls_wanted));
	for (tok = list ? strtok_r(list, ",", &save) : NULL; tok;
	     tok = strtok_r(NULL, ",", &save)) {
		nr = lde_syscall_nr(tok);
		if (nr >= 0)
			env.syscalls_wanted[nr] = true;
	}
	free(list);
}

/*
 * -r: every view from a trace file, as it was drawn live.  Needs no root,
 * no BPF, no kernel: the file's header says what the live system knew.
 */
static int replay(void)
{
	struct lde_trace_reader r;
	int err;

	if (lde_trace_file_open(&r, env.read_path))
		return 1;
	boot = r.header.boot;
	trace_cpus = r.header.cpus;
	if (!env.stages_given) {
		env.stages = r.header.stages;
		if (env.protocol || story_view())
			env.stages &= ~(1U << LDE_STAGE_LDE_SWITCH);
	}
	start_ns = 0;	/* the file's times count from the start */
	if (env.syscalls_arg)
		syscalls_by_recording();
	show_start();
	if (exiting) {
		lde_trace_file_close_reader(&r);
		return 1;
	}
	err = lde_trace_file_replay(&r, replay_event);
	end_views();
	flush_event_text();
	if (env.summary) {
		if (env.json)
			lde_summary_print_json(stdout, r.end.lost);
		else
			lde_summary_print_text(stdout, r.end.lost);
	}
	fflush(stdout);
	if (r.end.seen)
		fprintf(stderr, "lost %llu events\n", r.end.lost);
	if (close_output(r.header.kernel))
		err = -1;
	lde_trace_file_close_reader(&r);
	return err ? 1 : 0;
}

/*
 * -p: a pidfd for the process, readable once all its threads have exited
 * (as strace -p and perf trace -p end with it); -1 after saying why not.
 */
static int open_traced_process(pid_t pid)
{
	int fd = pidfd_open(pid, 0);

	if (fd >= 0)
		return fd;
	if (errno == ESRCH)
		fprintf(stderr, "lde-trace: no such pid: %d\n", pid);
	else if (errno == EINVAL)
		fprintf(stderr, "lde-trace: %d is not a process's id (a thread's?): -p takes a process id\n",
			pid);
	else
		fprintf(stderr, "lde-trace: cannot watch pid %d: %s\n", pid,
			strerror(errno));
	return -1;
}

/*
 * The live session waits on one epoll set: the ring buffer's (libbpf's
 * own epoll set, nested) and, with -p, the process's pidfd.
 */
static int open_wait_set(struct ring_buffer *rb, int pidfd)
{
	struct epoll_event ev = { .events = EPOLLIN };
	int fd = epoll_create1(EPOLL_CLOEXEC), err;

	if (fd < 0)
		return -errno;
	ev.data.fd = ring_buffer__epoll_fd(rb);
	if (epoll_ctl(fd, EPOLL_CTL_ADD, ev.data.fd, &ev))
		goto fail;
	ev.data.fd = pidfd;
	if (pidfd >= 0 && epoll_ctl(fd, EPOLL_CTL_ADD, pidfd, &ev))
		goto fail;
	return fd;
fail:
	err = -errno;
	close(fd);
	return err;
}

/* -w: the file opens with what only the live system knows. */
static int start_recording(void)
{
	struct lde_trace_header h = {
		.format = LDE_TRACE_FORMAT,
		.cpus = libbpf_num_possible_cpus(),
		.stages = env.stages,
		.boot = boot,
	};
	struct utsname u;
	int err;

	if (!uname(&u)) {
		snprintf(h.kernel, sizeof(h.kernel), "%.*s",
			 (int)sizeof(h.kernel) - 1, u.release);
		snprintf(h.arch, sizeof(h.arch), "%.*s",
			 (int)sizeof(h.arch) - 1, u.machine);
	}
	snprintf(h.version, sizeof(h.version), "%s", argp_program_version);
	err = lde_trace_file_create(env.write_path, &h);
	if (err)
		fprintf(stderr, "lde-trace: cannot write %s: %s\n",
			env.write_path, strerror(-err));
	return err;
}

int main(int argc, char **argv)
{
	static const struct argp argp = {
		.options = opts,
		.parser = parse_arg,
		.doc = doc,
	};
	struct lde_trace_bpf *skel = NULL;
	struct ring_buffer *rb = NULL;
	struct btf *vmlinux_btf = NULL;
	unsigned long long deadline = 0, lost, lost_forks, undecided;
	int err, release_fd = -1, status = 0, exit_code = 0, ncpus;
	int pidfd = -1, wait_fd = -1;
	__u32 ring_bytes;
	pid_t child = 0;
	struct utsname u = {};
	int nr;

	argp_err_exit_status = 2;
	err = argp_parse(&argp, argc, argv, ARGP_IN_ORDER, NULL, NULL);
	if (err)
		return 2;
	libbpf_set_print(libbpf_print);
	lde_line_start(&event_text, event_text_buf, sizeof(event_text_buf));
	if (env.output_path && open_output())
		return 1;
	uname(&u);
	if (env.read_path)
		return replay();

	if (getenv("LDE_TRACE_RAW")) {
		raw_records = fopen(getenv("LDE_TRACE_RAW"), "we");
		if (!raw_records) {
			fprintf(stderr, "lde-trace: cannot write %s: %s\n",
				getenv("LDE_TRACE_RAW"), strerror(errno));
			return 1;
		}
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		fprintf(stderr, "lde-trace: this kernel has no BTF (/sys/kernel/btf/vmlinux): it needs CONFIG_DEBUG_INFO_BTF\n");
		return 1;
	}
	if (env.pid) {
		pidfd = open_traced_process(env.pid);
		if (pidfd < 0)
			return 1;
	}
	/* OS @ boot: what lde.ko reads of the CPUs, and the tick devices. */
	lde_boot_read(&boot);
	/*
	 * The kernel's BTF, parsed once for what lde-trace asks of it (the
	 * system calls' typedefs, the scheduler's function names): on a
	 * slow machine each parse is a visible part of the start.  (libbpf
	 * parses its own for the programs' CO-RE relocations.)
	 */
	if (env.stages & (1U << LDE_STAGE_TRAP | 1U << LDE_STAGE_RETURN |
			  1U << LDE_STAGE_SWITCH | 1U << LDE_STAGE_WAKEUP))
		vmlinux_btf = btf__load_vmlinux_btf();
	/* Each system call's arguments, as this kernel describes them. */
	if (env.stages & (1U << LDE_STAGE_TRAP | 1U << LDE_STAGE_RETURN)) {
		err = lde_syscalls_read_tracefs(vmlinux_btf);
		if (err <= 0)
			fprintf(stderr, "lde-trace: warning: no syscall trace-event formats in tracefs (%s): arguments are shown raw\n",
				err ? strerror(-err) : "none found");
	}
	if (env.write_path && start_recording()) {
		err = 1;
		goto cleanup;
	}

	skel = lde_trace_bpf__open();
	if (!skel) {
		fprintf(stderr, "lde-trace: cannot open the BPF object: %s\n",
			strerror(errno));
		err = 1;
		goto cleanup;
	}
	skel->rodata->filter_tgid = env.pid || env.command;
	skel->rodata->follow_forks = env.command != NULL;
	memcpy((char *)skel->rodata->filter_comm, env.comm, LDE_COMM_LEN);
	skel->rodata->stage_mask = env.stages;
	/* -x and -M decide at each return: every call goes by. */
	skel->rodata->defer_traps = env.failed_only || env.min_kernel_ns;
	skel->rodata->failed_only = env.failed_only;
	skel->rodata->min_kernel_ns = env.min_kernel_ns;
	/*
	 * -s: switches are summed in the kernel, so the summary holds every
	 * one even if the ring loses events; sent too only where seen.
	 */
	skel->rodata->aggregate_sched = switches_summed_in_kernel();
	skel->rodata->send_switches = !summary_only() || env.output_path ||
				      env.write_path;
	skel->rodata->aggregate_syscalls = summary_only() && !env.output_path &&
					   !env.write_path &&
					   !skel->rodata->defer_traps;
	for (nr = 0; nr < LDE_MAX_SYSCALLS; nr++)
		((__u8 *)skel->rodata->syscall_attrs)[nr] =
			lde_syscall_string_args(nr) |
			(syscall_wanted(nr) ? 0 : LDE_SYSCALL_SKIP);
	for (nr = 0; nr < LDE_MAX_SYSCALLS; nr++)
		((__u8 *)skel->rodata->compat_syscall_attrs)[nr] =
			lde_call_string_args(nr, LDE_COMPAT_I386) |
			(call_wanted(nr, LDE_COMPAT_I386) ? 0 :
			 LDE_SYSCALL_SKIP);
	if (env.ringbuf_kb)
		bpf_map__set_max_entries(skel->maps.events,
					 env.ringbuf_kb * 1024);
	ring_bytes = bpf_map__max_entries(skel->maps.events);
	/* Batches of at most an eighth of the ring: a small ring holds several. */
	skel->rodata->batch_bytes = ring_bytes / 8;
	if (skel->rodata->batch_bytes > LDE_BATCH_BYTES)
		skel->rodata->batch_bytes = LDE_BATCH_BYTES;
	/*
	 * Lines for people (columns, -P) come one event at a time, in the
	 * order they happen on all CPUs (so do -F's and the handout's steps,
	 * which follow a task across CPUs).  JSON, for programs, comes a batch
	 * per CPU at a time: in order per CPU and per thread, ts_ns sorts it.
	 */
	if (!env.json && (!no_event_lines() || story_view()))
		skel->rodata->batch_bytes = LDE_EVENT_MAX;
	/* A batch always has room for the largest event. */
	if (skel->rodata->batch_bytes < LDE_EVENT_MAX)
		skel->rodata->batch_bytes = LDE_EVENT_MAX;
	choose_programs(skel, vmlinux_btf);
	btf__free(vmlinux_btf);
	vmlinux_btf = NULL;
	/* Wake the reader per quarter of the ring sent, at most 256 KiB. */
	while (skel->rodata->wakeup_shift > 1 &&
	       1U << skel->rodata->wakeup_shift > ring_bytes / 4)
		skel->rodata->wakeup_shift--;
	/* Arrays indexed by CPU: the BPF programs' lookups are inlined. */
	ncpus = libbpf_num_possible_cpus();
	trace_cpus = ncpus;
	if (ncpus > 0) {
		bpf_map__set_max_entries(skel->maps.cpu_states, ncpus);
		bpf_map__set_max_entries(skel->maps.sched_cpus, ncpus);
		bpf_map__set_max_entries(skel->maps.batches, 2 * ncpus);
	}

	err = lde_trace_bpf__load(skel);
	if (err) {
		if (err == -EPERM || errno == EPERM)
			fprintf(stderr, "lde-trace: permission denied: run as root, or with CAP_BPF and CAP_PERFMON\n");
		else
			fprintf(stderr, "lde-trace: cannot load the BPF programs: %s (-v shows why)\n",
				strerror(-err));
		err = 1;
		goto cleanup;
	}

	if (env.command) {
		child = spawn_stopped(env.command, &release_fd);
		if (child < 0) {
			fprintf(stderr, "lde-trace: fork: %s\n", strerror(errno));
			err = 1;
			goto cleanup;
		}
	}
	root_child = child;
	if (env.pid || child) {
		err = mark_traced_process(skel, env.pid ? env.pid : child);
		if (err) {
			fprintf(stderr, "lde-trace: cannot mark the traced process: %s\n",
				strerror(-err));
			err = 1;
			goto cleanup;
		}
	}

	/* Before the first event can be made: times count from here. */
	start_ns = now_ns();
	err = attach_trap_last(skel);
	if (err) {
		fprintf(stderr, "lde-trace: cannot attach: %s\n", strerror(-err));
		err = 1;
		goto cleanup;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), handle_batch,
			      NULL, NULL);
	if (!rb) {
		fprintf(stderr, "lde-trace: cannot open the ring buffer\n");
		err = 1;
		goto cleanup;
	}
	wait_fd = open_wait_set(rb, pidfd);
	if (wait_fd < 0) {
		fprintf(stderr, "lde-trace: epoll: %s\n", strerror(-wait_fd));
		err = 1;
		goto cleanup;
	}

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (env.duration)
		deadline = start_ns + env.duration * 1000000000ULL;
	show_start();
	if (child) {
		/* Release the command: traced from its exec on. */
		if (write(release_fd, "g", 1) != 1)
			exiting = 1;
		close(release_fd);
		release_fd = -1;
	}

	while (!exiting) {
		struct epoll_event ready[2];
		bool process_ended = false;
		int i, n = epoll_wait(wait_fd, ready, 2, 100);

		for (i = 0; i < n; i++)
			process_ended |= ready[i].data.fd == pidfd;
		err = ring_buffer__consume(rb);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "lde-trace: ring buffer: %s\n",
				strerror(-err));
			break;
		}
		/* Live even into a pipe: a batch out as soon as it is read. */
		if (err > 0)
			flush_event_text();
		if (process_ended) {
			fprintf(stderr, "lde-trace: process %d has exited: the trace ends\n",
				env.pid);
			break;
		}
		if (deadline && now_ns() >= deadline)
			break;
		if (child && waitpid(child, &status, WNOHANG) == child) {
			child = 0;
			break;
		}
	}
	/*
	 * No new events from here: then what is in the ring, then batches,
	 * then the ring again, for what a program still running as it was
	 * detached sent meanwhile.
	 */
	lde_trace_bpf__detach(skel);
	ring_buffer__consume(rb);
	lost = drain_batches(skel);
	ring_buffer__consume(rb);
	end_views();
	flush_event_text();
	err = 0;

	if (skel->rodata->aggregate_syscalls)
		collect_aggregates(skel);
	if (skel->rodata->aggregate_sched)
		collect_sched_sums(skel);
	lost += lost_total(skel, LDE_LOST_EVENTS);
	if (env.summary) {
		if (env.json)
			lde_summary_print_json(stdout, lost);
		else
			lde_summary_print_text(stdout, lost);
	}
	fflush(stdout);
	fprintf(stderr, "lost %llu events\n", lost);
	lost_forks = lost_total(skel, LDE_LOST_FORKS);
	if (lost_forks)
		fprintf(stderr, "lost %llu processes or threads: not followed, no memory for their traced mark (task storage)\n",
			lost_forks);
	undecided = lost_total(skel, LDE_LOST_UNDECIDED);
	if (undecided)
		fprintf(stderr, "lde-trace: %llu events not decided: their task's traced mark could not be looked up (this kernel's task storage was busy on that CPU), whether the task was traced or not\n",
			undecided);
	if (env.write_path) {
		int werr = lde_trace_file_close(lost, lost_forks);

		if (werr) {
			fprintf(stderr, "lde-trace: cannot write %s: %s\n",
				env.write_path, strerror(-werr));
			err = 1;
		}
	}
	if (env.command) {
		if (child) {	/* interrupted: leave the command running */
			status = 0;
		}
		exit_code = WIFEXITED(status) ? WEXITSTATUS(status) :
			    WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 0;
	}

cleanup:
	if (release_fd >= 0)
		close(release_fd);
	if (wait_fd >= 0)
		close(wait_fd);
	if (pidfd >= 0)
		close(pidfd);
	/* On an error before the end: the file says what it holds. */
	if (err && env.write_path)
		lde_trace_file_close(0, 0);
	if (close_output(u.release) && !err)
		err = 1;
	ring_buffer__free(rb);
	lde_trace_bpf__destroy(skel);
	btf__free(vmlinux_btf);
	if (raw_records && fclose(raw_records) && !err)
		err = 1;
	return err ? err : exit_code;
}
