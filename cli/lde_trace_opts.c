// SPDX-License-Identifier: GPL-2.0
/*
 * lde-trace's options: the command line (argp, as libbpf-tools parse
 * theirs) into a struct lde_trace_opts, with the stages each view needs
 * by default, and the questions the rest asks of them.
 */
#include <argp.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lde_names.h"
#include "lde_syscalls.h"
#include "lde_trace_cli.h"

const char *argp_program_version = "lde-trace " LDE_VERSION;
static const char doc[] =
"Watch the limited-direct-execution sequence live: trap, return-from-trap,\n"
"context switch, timer interrupt, exec, exit, fault (OSTEP chapter 6).\n"
"\n"
"USAGE: lde-trace [-p PID] [-c COMM] [-d SECONDS] [-e STAGES] [-t CALLS] [-x]\n"
"                 [-M NS] [-j] [-s] [-P] [-F] [-S] [-m] [-A] [-o FILE]\n"
"                 [-w FILE] [-q] [-v] [-- COMMAND [ARG...]]\n"
"       lde-trace -r FILE [-p PID] [-c COMM] [-e STAGES] [-t CALLS] [-j] [-s]\n"
"                 [-P] [-F] [-S] [-m] [-A] [-o FILE] [-w FILE]\n"
"                 [--since SECONDS] [--until SECONDS]\n"
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
"    lde-trace -r t.lde -P           # replay it, anywhere, as anyone\n"
"    lde-trace -P -o t.svg -w t.lde -- ./a.out  # views side by side\n";

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
	{ "write", 'w', "FILE", 0, "Record the trace to FILE (JSON Lines, versioned; FILE.zst compressed); with -r, what the filters keep" },
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
static void parse_syscalls(struct lde_trace_opts *env, const char *arg,
			   struct argp_state *state)
{
	char *list = strdup(arg), *tok, *save;
	const char *close[3];
	int nr, n;

	env->syscalls_arg = arg;
	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		nr = lde_syscall_nr(tok);
		if (nr >= 0) {
			env->syscalls_wanted[nr] = true;
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
bool lde_opts_story_view(const struct lde_trace_opts *env)
{
	return env->figure ||
	       (env->output_path && lde_view_path_is(env->output_path, ".html"));
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	struct lde_trace_opts *env = state->input;
	char *list, *tok, *save;
	int i;

	switch (key) {
	case 'p':
		env->pid = parse_long(arg, 1, INT32_MAX, state, "PID");
		break;
	case 'c':
		if (strlen(arg) >= LDE_COMM_LEN)
			argp_error(state, "COMM is at most %d characters",
				   LDE_COMM_LEN - 1);
		strncpy(env->comm, arg, LDE_COMM_LEN - 1);
		break;
	case 'd':
		env->duration = parse_long(arg, 1, 86400 * 365, state,
					  "duration");
		break;
	case 'e':
		env->stages = 0;
		env->stages_given = true;
		env->boot = false;
		list = strdup(arg);
		for (tok = strtok_r(list, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			if (!strcmp(tok, "boot")) {
				env->boot = true;
				continue;
			}
			i = lde_stage_of(tok);
			if (i < 0)
				argp_error(state, "unknown stage: %s", tok);
			env->stages |= 1U << i;
		}
		free(list);
		if (!env->stages && !env->boot)
			argp_error(state, "no stage given");
		break;
	case 'j':
		env->json = true;
		break;
	case 's':
		env->summary = true;
		break;
	case 'P':
		env->protocol = true;
		break;
	case 'F':
		env->figure = true;
		break;
	case 'A':
		env->all = true;
		break;
	case 'S':
		env->strace = true;
		break;
	case 'm':
		env->map = true;
		break;
	case 't':
		parse_syscalls(env, arg, state);
		break;
	case 'x':
		env->failed_only = true;
		break;
	case 'M':
		env->min_kernel_ns = parse_long(arg, 0, LONG_MAX, state, "NS");
		break;
	case OPT_SINCE:
		env->since_ns = parse_seconds(arg, state);
		break;
	case OPT_UNTIL:
		env->until_ns = parse_seconds(arg, state);
		break;
	case 'w':
		env->write_path = arg;
		break;
	case 'q':
		env->quiet = true;
		break;
	case 'r':
		env->read_path = arg;
		break;
	case 'o':
		env->output_path = arg;
		break;
	case 'b':
		env->ringbuf_kb = parse_long(arg, 4, 1 << 20, state, "KB");
		if (env->ringbuf_kb & (env->ringbuf_kb - 1))
			argp_error(state, "KB must be a power of 2");
		break;
	case 'v':
		env->verbose = true;
		break;
	case 'h':
		argp_state_help(state, stderr, ARGP_HELP_STD_HELP);
		break;
	case ARGP_KEY_ARGS:
		env->command = state->argv + state->next;
		break;
	case ARGP_KEY_END:
		if (env->pid && env->command)
			argp_error(state, "-p and a command exclude each other");
		if (env->read_path && (env->command || env->duration))
			argp_error(state, "-r replays a file: no command or -d");
		if (!env->read_path && (env->since_ns || env->until_ns))
			argp_error(state, "--since and --until choose a window of a trace file: with -r");
		if (env->until_ns && env->until_ns <= env->since_ns)
			argp_error(state, "--until must come after --since");
		if (env->read_path && (env->failed_only || env->min_kernel_ns))
			argp_error(state, "-x and -M decide in the kernel as it traces: not with -r");
		if (env->strace + env->protocol + env->json + env->map +
		    env->figure > 1)
			argp_error(state, "-S, -P, -F, -m and -j are views: choose one");
		/* -m draws switches; ticks and wakeups go in its margin. */
		if (env->map && !env->stages_given)
			env->stages = 1U << LDE_STAGE_SWITCH |
				     1U << LDE_STAGE_TIMER |
				     1U << LDE_STAGE_WAKEUP |
				     1U << LDE_STAGE_FORK;
		/* -S shows calls; a process's exit ends those left open. */
		if (env->strace && !env->stages_given)
			env->stages = 1U << LDE_STAGE_TRAP |
				     1U << LDE_STAGE_RETURN |
				     1U << LDE_STAGE_EXIT;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

int lde_trace_parse(struct lde_trace_opts *o, int argc, char **argv)
{
	static const struct argp argp = {
		.options = opts,
		.parser = parse_arg,
		.doc = doc,
	};

	memset(o, 0, sizeof(*o));
	/* Wakeups are asked for (-e wakeup, -m): one per switch, or more. */
	o->stages = ((1U << LDE_NR_STAGES) - 1) & ~(1U << LDE_STAGE_WAKEUP);
	o->boot = true;
	argp_err_exit_status = 2;
	return argp_parse(&argp, argc, argv, ARGP_IN_ORDER, NULL, o) ? 2 : 0;
}

bool lde_opts_summary_only(const struct lde_trace_opts *o)
{
	return o->summary && !o->json && !o->protocol && !o->strace &&
	       !o->map && !o->figure;
}

bool lde_opts_no_event_lines(const struct lde_trace_opts *o)
{
	return lde_opts_summary_only(o) || o->quiet || o->figure;
}

/* -t: the calls not named are left out. */
static bool syscall_wanted(const struct lde_trace_opts *o, long long nr)
{
	return !o->syscalls_arg ||
	       (nr >= 0 && nr < LDE_MAX_SYSCALLS && o->syscalls_wanted[nr]);
}

/* -t names the native table's calls: another table's call by its name. */
bool lde_opts_call_wanted(const struct lde_trace_opts *o, long long nr,
			  unsigned int compat)
{
	if (!compat || !o->syscalls_arg)
		return syscall_wanted(o, nr);
	return syscall_wanted(o, lde_syscall_nr(lde_call_name(nr, compat)));
}

void lde_opts_syscalls_by_recording(struct lde_trace_opts *o)
{
	char *list = strdup(o->syscalls_arg), *tok, *save;
	int nr;

	memset(o->syscalls_wanted, 0, sizeof(o->syscalls_wanted));
	for (tok = list ? strtok_r(list, ",", &save) : NULL; tok;
	     tok = strtok_r(NULL, ",", &save)) {
		nr = lde_syscall_nr(tok);
		if (nr >= 0)
			o->syscalls_wanted[nr] = true;
	}
	free(list);
}

int lde_opts_text_width(void)
{
	const char *cols = getenv("COLUMNS");
	struct winsize ws;

	if (cols && atoi(cols) > 0)
		return atoi(cols);
	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_col)
		return ws.ws_col;
	return 132;
}
