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
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <seccomp.h>

#include <linux/lde.h>
#include "lde_line.h"
#include "lde_stats.h"
#include "lde_trace.h"
#include "lde_trace.skel.h"

#define MAX_SYSCALLS	LDE_MAX_SYSCALLS
#define HIST_SLOTS	LDE_HIST_SLOTS

static const char *const stage_names[LDE_NR_STAGES] = {
	[LDE_STAGE_TRAP] = "trap",
	[LDE_STAGE_RETURN] = "return",
	[LDE_STAGE_SWITCH] = "switch",
	[LDE_STAGE_TIMER] = "timer",
	[LDE_STAGE_EXEC] = "exec",
	[LDE_STAGE_EXIT] = "exit",
	[LDE_STAGE_FAULT] = "fault",
	[LDE_STAGE_LDE_TRAP] = "lde_trap",
	[LDE_STAGE_LDE_RETURN] = "lde_return",
	[LDE_STAGE_LDE_SWITCH] = "lde_switch",
};

static const char *const lde_sys_names[LDE_NR_SYSCALLS] = LDE_SYSCALL_NAMES;

static struct env {
	pid_t pid;
	char comm[LDE_COMM_LEN];
	long duration;
	__u32 stages;
	bool json;
	bool summary;
	bool protocol;
	const char *perfetto_path;
	bool verbose;
	long ringbuf_kb;
	char **command;
} env = {
	.stages = (1U << LDE_NR_STAGES) - 1,
};

/* What -s reports. */
static struct summary {
	unsigned long long stages[LDE_NR_STAGES];
	unsigned long long traps[MAX_SYSCALLS];
	unsigned long long returns[MAX_SYSCALLS];
	unsigned long long hist[MAX_SYSCALLS][HIST_SLOTS];
	unsigned long long voluntary, preempted;
	unsigned long long timer_user, timer_kernel;
} sum;

static volatile sig_atomic_t exiting;
static unsigned long long start_ns;
static FILE *perfetto;
static bool perfetto_first = true;

const char *argp_program_version = "lde-trace 0.1";
const char *argp_program_bug_address = "<lde issues>";
static const char doc[] =
"Watch the limited-direct-execution sequence live: trap, return-from-trap,\n"
"context switch, timer interrupt, exec, exit, fault (OSTEP chapter 6).\n"
"\n"
"USAGE: lde-trace [-p PID] [-c COMM] [-d SECONDS] [-e STAGES] [-j] [-s] [-P]\n"
"                 [-o FILE] [-v] [-- COMMAND [ARG...]]\n"
"\n"
"STAGES: trap,return,switch,timer,exec,exit,fault,lde_trap,lde_return,lde_switch\n"
"\n"
"EXAMPLES:\n"
"    lde-trace -- ls                # trace ls and its children, exit with its status\n"
"    lde-trace -p 1234 -e switch    # context switches of process 1234\n"
"    lde-trace -s -d 5              # 5 s of the whole system, summary only\n"
"    lde-trace -j -- ./a.out        # JSON Lines, one object per event\n"
"    lde-trace -P -- ./a.out        # OSTEP's protocol view: OS | Hardware | Program\n"
"    lde-trace -o t.json -- ./a.out # Perfetto / chrome://tracing timeline\n";

static const struct argp_option opts[] = {
	{ "pid", 'p', "PID", 0, "Trace this process (all its threads)" },
	{ "comm", 'c', "COMM", 0, "Trace tasks with this command name" },
	{ "duration", 'd', "SECONDS", 0, "Stop after this many seconds" },
	{ "events", 'e', "STAGES", 0, "Comma-separated stages to show" },
	{ "json", 'j', NULL, 0, "JSON Lines output" },
	{ "summary", 's', NULL, 0, "Summary at the end (alone: no event lines)" },
	{ "protocol", 'P', NULL, 0, "OSTEP protocol view: OS | Hardware | Program" },
	{ "output", 'o', "FILE", 0, "Also write a Perfetto trace-event JSON file" },
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
		list = strdup(arg);
		for (tok = strtok_r(list, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			for (i = 0; i < LDE_NR_STAGES; i++)
				if (!strcmp(tok, stage_names[i]))
					break;
			if (i == LDE_NR_STAGES)
				argp_error(state, "unknown stage: %s", tok);
			env.stages |= 1U << i;
		}
		free(list);
		if (!env.stages)
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
	case 'o':
		env.perfetto_path = arg;
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
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list args)
{
	if (level == LIBBPF_DEBUG && !env.verbose)
		return 0;
	return env.verbose ? vfprintf(stderr, fmt, args) : 0;
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

/* The kernel's name for a system call number, from libseccomp's tables. */
static const char *syscall_name(long long nr)
{
	static char *cache[MAX_SYSCALLS];
	static char unknown[32];

	if (nr >= 0 && nr < MAX_SYSCALLS) {
		if (!cache[nr])
			cache[nr] = seccomp_syscall_resolve_num_arch(
				SCMP_ARCH_NATIVE, nr);
		if (cache[nr])
			return cache[nr];
	}
	snprintf(unknown, sizeof(unknown), "syscall_%lld", nr);
	return unknown;
}

static const char *lde_sys_name(long long nr)
{
	if (nr >= 0 && nr < LDE_NR_SYSCALLS && lde_sys_names[nr])
		return lde_sys_names[nr];
	return "unknown";
}

static const char *signal_name(int sig)
{
	static char buf[16];
	const char *abbrev = sigabbrev_np(sig);

	snprintf(buf, sizeof(buf), "SIG%s", abbrev ? abbrev : "?");
	return buf;
}

/* A comm for a fixed-width column: control characters shown as '?'. */
static const char *printable(const char *s, char *buf)
{
	int i;

	for (i = 0; i < LDE_COMM_LEN - 1 && s[i]; i++)
		buf[i] = (s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
	buf[i] = '\0';
	return buf;
}

/* floor(log2(v)), 0 for 0: at most 63, so always a slot. */
static unsigned int log2_slot(unsigned long long v)
{
	return v > 1 ? 63 - __builtin_clzll(v) : 0;
}

static void account(const struct lde_event *e)
{
	sum.stages[e->stage]++;
	switch (e->stage) {
	case LDE_STAGE_TRAP:
		if (e->trap.nr >= 0 && e->trap.nr < MAX_SYSCALLS)
			sum.traps[e->trap.nr]++;
		break;
	case LDE_STAGE_RETURN:
		if (e->ret.nr >= 0 && e->ret.nr < MAX_SYSCALLS) {
			sum.returns[e->ret.nr]++;
			sum.hist[e->ret.nr][log2_slot(e->ret.kernel_ns)]++;
		}
		break;
	case LDE_STAGE_SWITCH:
		if (e->sw.preempt)
			sum.preempted++;
		else
			sum.voluntary++;
		break;
	case LDE_STAGE_TIMER:
		if (e->timer.mode == LDE_TIMER_USER)
			sum.timer_user++;
		else
			sum.timer_kernel++;
		break;
	}
}

/* Inlined, so that a key's length stays a constant: a few moves copy it. */
#define JSON_INLINE	static inline __attribute__((always_inline))

JSON_INLINE void json_u64(struct lde_line *l, const char *key, size_t key_len,
			  unsigned long long v)
{
	lde_line_mem(l, key, key_len);
	lde_line_u64(l, v);
}

/* ,"key":number with the key's length known when compiling. */
#define JSON_U64(l, key, v)	json_u64(l, ",\"" key "\":", sizeof(key) + 3, v)

JSON_INLINE void json_s64(struct lde_line *l, const char *key, size_t key_len,
			  long long v)
{
	lde_line_mem(l, key, key_len);
	lde_line_s64(l, v);
}

#define JSON_S64(l, key, v)	json_s64(l, ",\"" key "\":", sizeof(key) + 3, v)

JSON_INLINE void json_str(struct lde_line *l, const char *key, size_t key_len,
			  const char *s, size_t max)
{
	lde_line_mem(l, key, key_len);
	lde_line_json_str(l, s, max);
}

#define JSON_STR(l, key, s, max) \
	json_str(l, ",\"" key "\":", sizeof(key) + 3, s, max)

/*
 * The text of a number kept for the next event: a program traps from the
 * same few call sites with the same few stack pointers, so an ip or sp
 * is most often the last one again, and its 15 digits need not be made.
 */
struct kept_number {
	unsigned long long v;
	size_t len;		/* 0: nothing kept */
	char text[48];		/* ,"key":digits */
};

JSON_INLINE void json_u64_kept(struct lde_line *l, struct kept_number *k,
			       const char *key, size_t key_len,
			       unsigned long long v)
{
	char *from = l->end;

	if (k->len && k->v == v) {
		lde_line_mem(l, k->text, k->len);
		return;
	}
	json_u64(l, key, key_len, v);
	k->v = v;
	k->len = l->end - from;
	/* Kept unless a full line cut it short; whole, it fits text[]. */
	if (!lde_line_room(l))
		k->len = 0;
	memcpy(k->text, from, k->len);
}

#define JSON_U64_KEPT(l, kept, key, v) \
	json_u64_kept(l, kept, ",\"" key "\":", sizeof(key) + 3, v)

/*
 * The text of who an event is about (its pid, tid and comm), kept for the
 * next event: a system call makes two events in a row for one thread.
 */
struct who_text {
	unsigned int pid, tid;
	char comm[LDE_COMM_LEN];
	size_t len;
	char text[128];		/* a comm escaped is at most 96 bytes */
};

/* Appends the kept text if it is e's; false when it must be made anew. */
static bool who_text_append(struct who_text *who, struct lde_line *l,
			    const struct lde_event *e)
{
	if (e->tid != who->tid || e->pid != who->pid ||
	    memcmp(e->comm, who->comm, LDE_COMM_LEN))
		return false;
	lde_line_mem(l, who->text, who->len);
	return true;
}

/* Keeps what was appended to l since from as e's text, for the next. */
static void who_text_keep(struct who_text *who, const struct lde_line *l,
			  const char *from, const struct lde_event *e)
{
	who->pid = e->pid;
	who->tid = e->tid;
	memcpy(who->comm, e->comm, LDE_COMM_LEN);
	who->len = l->end - from;
	if (who->len > sizeof(who->text)) {
		who->tid = -1U;	/* cannot happen; never keep a cut text */
		return;
	}
	memcpy(who->text, from, who->len);
}

/* ,"pid":..,"tid":..,"comm":".." */
static void json_who(struct lde_line *l, const struct lde_event *e)
{
	static struct who_text who = { .tid = -1U };
	char *from = l->end;

	if (who_text_append(&who, l, e))
		return;
	JSON_U64(l, "pid", e->pid);
	JSON_U64(l, "tid", e->tid);
	JSON_STR(l, "comm", e->comm, LDE_COMM_LEN);
	who_text_keep(&who, l, from, e);
}

/* ,"stage":..,"nr":..,"name":.. of a trap or return, made once per number. */
JSON_INLINE void json_syscall(struct lde_line *l, unsigned int stage,
			      long long nr)
{
	static struct made_text {
		char *text;
		size_t len;
	} made[2][MAX_SYSCALLS];
	struct made_text *m = nr >= 0 && nr < MAX_SYSCALLS ?
			      &made[stage == LDE_STAGE_TRAP][nr] : NULL;
	char *from = l->end;

	if (m && m->text) {
		lde_line_mem(l, m->text, m->len);
		return;
	}
	JSON_STR(l, "stage", stage_names[stage], 16);
	JSON_S64(l, "nr", nr);
	JSON_STR(l, "name", syscall_name(nr), 64);
	if (m) {
		m->len = l->end - from;
		m->text = strndup(from, m->len);
	}
}

static void print_json(struct lde_line *l, const struct lde_event *e)
{
	static struct kept_number kept_ip, kept_sp;
	static struct lde_u64_high ts_high;

	lde_line_lit(l, "{\"ts_ns\":");
	lde_line_u64_near(l, &ts_high, e->ts_ns - start_ns);
	JSON_U64(l, "cpu", e->cpu);
	json_who(l, e);
	/* A trap's or return's stage comes with its number and name. */
	if (e->stage != LDE_STAGE_TRAP && e->stage != LDE_STAGE_RETURN)
		JSON_STR(l, "stage", stage_names[e->stage], 16);
	switch (e->stage) {
	case LDE_STAGE_TRAP:
		json_syscall(l, e->stage, e->trap.nr);
		JSON_U64_KEPT(l, &kept_ip, "ip", e->trap.ip);
		JSON_U64_KEPT(l, &kept_sp, "sp", e->trap.sp);
		JSON_U64(l, "user_cpl", e->trap.cpl);
		lde_line_lit(l, ",\"kernel_cpl\":0");
		break;
	case LDE_STAGE_RETURN:
		json_syscall(l, e->stage, e->ret.nr);
		JSON_S64(l, "ret", e->ret.ret);
		JSON_U64(l, "kernel_ns", e->ret.kernel_ns);
		break;
	case LDE_STAGE_LDE_TRAP:
		JSON_S64(l, "nr", e->trap.nr);
		JSON_STR(l, "name", lde_sys_name(e->trap.nr), 64);
		JSON_U64(l, "ip", e->trap.ip);
		JSON_U64(l, "user_cpl", e->trap.cpl);
		break;
	case LDE_STAGE_LDE_RETURN:
		JSON_S64(l, "nr", e->ret.nr);
		JSON_STR(l, "name", lde_sys_name(e->ret.nr), 64);
		JSON_S64(l, "ret", e->ret.ret);
		JSON_U64(l, "kernel_ns", e->ret.kernel_ns);
		break;
	case LDE_STAGE_SWITCH:
	case LDE_STAGE_LDE_SWITCH:
		JSON_U64(l, "prev_pid", e->pid);
		JSON_U64(l, "prev_tid", e->tid);
		JSON_STR(l, "prev_comm", e->comm, LDE_COMM_LEN);
		JSON_U64(l, "next_pid", e->sw.next_pid);
		JSON_U64(l, "next_tid", e->sw.next_tid);
		JSON_STR(l, "next_comm", e->sw.next_comm, LDE_COMM_LEN);
		if (e->sw.preempt)
			lde_line_lit(l, ",\"preempt\":true");
		else
			lde_line_lit(l, ",\"preempt\":false");
		JSON_U64(l, "prev_state", e->sw.prev_state);
		if (e->stage == LDE_STAGE_LDE_SWITCH) {
			JSON_U64(l, "prev_stack_depth", e->sw.prev_depth);
			JSON_U64(l, "next_stack_depth", e->sw.next_depth);
		}
		break;
	case LDE_STAGE_TIMER:
		JSON_STR(l, "mode", e->timer.mode == LDE_TIMER_USER ?
			 "user" : "kernel", 8);
		break;
	case LDE_STAGE_EXEC:
		JSON_STR(l, "filename", e->exec.filename, LDE_PATH_LEN);
		break;
	case LDE_STAGE_EXIT:
		JSON_S64(l, "exit_code", e->exit.code);
		JSON_S64(l, "status", (e->exit.code >> 8) & 0xff);
		JSON_S64(l, "signal", e->exit.code & 0x7f);
		break;
	case LDE_STAGE_FAULT:
		JSON_STR(l, "signal", signal_name(e->fault.sig), 16);
		JSON_S64(l, "si_code", e->fault.code);
		JSON_U64(l, "addr", e->fault.addr);
		break;
	}
	lde_line_lit(l, "}\n");
}

/* The columns under the header printed in main(). */
static void print_line(struct lde_line *l, const struct lde_event *e)
{
	static struct who_text who = { .tid = -1U };
	char *col;

	col = l->end;
	lde_line_secs(l, e->ts_ns - start_ns);
	lde_line_column(l, col, 12);
	col = l->end;
	lde_line_u64(l, e->cpu);
	lde_line_column(l, col, 3);
	if (!who_text_append(&who, l, e)) {
		char *from = l->end;

		col = l->end;
		lde_line_u64(l, e->pid);
		lde_line_column(l, col, 7);
		col = l->end;
		lde_line_u64(l, e->tid);
		lde_line_column(l, col, 7);
		col = l->end;
		lde_line_printable(l, e->comm, LDE_COMM_LEN);
		lde_line_column(l, col, 16);
		who_text_keep(&who, l, from, e);
	}
	col = l->end;
	lde_line_str(l, stage_names[e->stage]);
	lde_line_column(l, col, 10);
	switch (e->stage) {
	case LDE_STAGE_TRAP:
	case LDE_STAGE_LDE_TRAP:
		if (e->stage == LDE_STAGE_LDE_TRAP)
			lde_line_lit(l, "toy ");
		lde_line_str(l, e->stage == LDE_STAGE_TRAP ?
			     syscall_name(e->trap.nr) : lde_sys_name(e->trap.nr));
		lde_line_char(l, '(');
		lde_line_hex(l, e->trap.args[0]);
		lde_line_lit(l, ", ");
		lde_line_hex(l, e->trap.args[1]);
		if (e->stage == LDE_STAGE_TRAP)
			lde_line_lit(l, ", ...) from ip=");
		else
			lde_line_lit(l, ") from ip=");
		lde_line_hex(l, e->trap.ip);
		if (e->stage == LDE_STAGE_TRAP) {
			lde_line_lit(l, " sp=");
			lde_line_hex(l, e->trap.sp);
		}
		lde_line_lit(l, ", cpl ");
		lde_line_u64(l, e->trap.cpl);
		lde_line_lit(l, " -> 0");
		break;
	case LDE_STAGE_RETURN:
	case LDE_STAGE_LDE_RETURN:
		if (e->stage == LDE_STAGE_LDE_RETURN)
			lde_line_lit(l, "toy ");
		lde_line_str(l, e->stage == LDE_STAGE_RETURN ?
			     syscall_name(e->ret.nr) : lde_sys_name(e->ret.nr));
		lde_line_lit(l, " = ");
		lde_line_s64(l, e->ret.ret);
		lde_line_lit(l, ", ");
		lde_line_u64(l, e->ret.kernel_ns);
		if (e->stage == LDE_STAGE_RETURN)
			lde_line_lit(l, " ns in kernel, cpl 0 -> 3");
		else
			lde_line_lit(l, " ns in handler");
		break;
	case LDE_STAGE_SWITCH:
	case LDE_STAGE_LDE_SWITCH:
		lde_line_lit(l, "-> ");
		lde_line_printable(l, e->sw.next_comm, LDE_COMM_LEN);
		lde_line_char(l, ':');
		lde_line_u64(l, e->sw.next_pid);
		lde_line_char(l, '/');
		lde_line_u64(l, e->sw.next_tid);
		if (e->sw.preempt)
			lde_line_lit(l, " preempted (prev_state=");
		else
			lde_line_lit(l, " voluntary (prev_state=");
		lde_line_hex(l, e->sw.prev_state);
		lde_line_char(l, ')');
		if (e->stage == LDE_STAGE_LDE_SWITCH) {
			lde_line_lit(l, " kernel stack depth ");
			lde_line_u64(l, e->sw.prev_depth);
			lde_line_lit(l, " -> ");
			lde_line_u64(l, e->sw.next_depth);
		}
		break;
	case LDE_STAGE_TIMER:
		if (e->timer.mode == LDE_TIMER_USER)
			lde_line_lit(l, "timer interrupt in user mode");
		else
			lde_line_lit(l, "timer interrupt in kernel mode");
		break;
	case LDE_STAGE_EXEC:
		lde_line_printable(l, e->exec.filename, LDE_PATH_LEN);
		break;
	case LDE_STAGE_EXIT:
		if (e->exit.code & 0x7f) {
			lde_line_lit(l, "killed by ");
			lde_line_str(l, signal_name(e->exit.code & 0x7f));
		} else {
			lde_line_lit(l, "exit status ");
			lde_line_u64(l, (e->exit.code >> 8) & 0xff);
		}
		break;
	case LDE_STAGE_FAULT:
		lde_line_str(l, signal_name(e->fault.sig));
		lde_line_lit(l, " si_code=");
		lde_line_s64(l, e->fault.code);
		lde_line_lit(l, " addr=");
		lde_line_hex(l, e->fault.addr);
		break;
	}
	lde_line_char(l, '\n');
}

/* OSTEP Figures 6.2 and 6.3: who does what at each step. */
static void print_protocol(const struct lde_event *e)
{
	char comm[LDE_COMM_LEN], next[LDE_COMM_LEN], prog[64], os[64];
	const char *hw = "", *o = "", *p = "";

	printable(e->comm, comm);
	switch (e->stage) {
	case LDE_STAGE_TRAP:
	case LDE_STAGE_LDE_TRAP:
		snprintf(prog, sizeof(prog), "%s: %s%s -> trap", comm,
			 e->stage == LDE_STAGE_LDE_TRAP ? "toy " : "",
			 e->stage == LDE_STAGE_TRAP ? syscall_name(e->trap.nr) :
			 lde_sys_name(e->trap.nr));
		snprintf(os, sizeof(os), "handle trap: %s",
			 e->stage == LDE_STAGE_TRAP ? syscall_name(e->trap.nr) :
			 lde_sys_name(e->trap.nr));
		p = prog;
		hw = "save regs to k-stack; user->kernel mode; jump to handler";
		o = os;
		printf("%-36s | %-58s | %s\n", "", hw, p);
		printf("%-36s | %-58s | %s\n", o, "", "");
		return;
	case LDE_STAGE_RETURN:
	case LDE_STAGE_LDE_RETURN:
		snprintf(os, sizeof(os), "return-from-trap (%s = %lld)",
			 e->stage == LDE_STAGE_RETURN ? syscall_name(e->ret.nr) :
			 lde_sys_name(e->ret.nr), e->ret.ret);
		snprintf(prog, sizeof(prog), "%s continues", comm);
		printf("%-36s | %-58s | %s\n", os, "", "");
		printf("%-36s | %-58s | %s\n", "",
		       "restore regs from k-stack; kernel->user mode; jump to PC",
		       prog);
		return;
	case LDE_STAGE_TIMER:
		printf("%-36s | %-58s | %s\n", "",
		       e->timer.mode == LDE_TIMER_USER ?
		       "timer interrupt: save regs(A) to k-stack(A); to kernel" :
		       "timer interrupt (already in kernel mode)", comm);
		return;
	case LDE_STAGE_SWITCH:
	case LDE_STAGE_LDE_SWITCH:
		snprintf(os, sizeof(os), "switch() %s: %s -> %s",
			 e->sw.preempt ? "preempted" : "voluntary", comm,
			 printable(e->sw.next_comm, next));
		printf("%-36s | %-58s | %s\n", os,
		       "save regs(A) to proc(A); restore regs(B); k-stack(B)", "");
		return;
	case LDE_STAGE_EXEC:
		snprintf(os, sizeof(os), "load program: %.24s", e->exec.filename);
		o = os;
		break;
	case LDE_STAGE_EXIT:
		o = "free memory; remove from process list";
		break;
	case LDE_STAGE_FAULT:
		snprintf(os, sizeof(os), "illegal op: %s to %s",
			 signal_name(e->fault.sig), comm);
		printf("%-36s | %-58s | %s\n", "", "exception: trap to kernel",
		       comm);
		o = os;
		break;
	}
	printf("%-36s | %-58s | %s\n", o, "", p);
}

/* Chrome/Perfetto trace-event JSON: a track per task, and one per CPU. */
static void perfetto_event(const struct lde_event *e)
{
	double ts;

	if (!perfetto)
		return;
	ts = (e->ts_ns - start_ns) / 1e3;	/* microseconds */
	fputs(perfetto_first ? "\n" : ",\n", perfetto);
	perfetto_first = false;
	switch (e->stage) {
	case LDE_STAGE_TRAP:
		fprintf(perfetto, "{\"ph\":\"B\",\"ts\":%.3f,\"pid\":%u,\"tid\":%u,"
			"\"name\":\"%s\",\"cat\":\"trap\"}", ts, e->pid, e->tid,
			syscall_name(e->trap.nr));
		return;
	case LDE_STAGE_RETURN:
		fprintf(perfetto, "{\"ph\":\"E\",\"ts\":%.3f,\"pid\":%u,\"tid\":%u,"
			"\"args\":{\"ret\":%lld}}", ts, e->pid, e->tid,
			e->ret.ret);
		return;
	case LDE_STAGE_SWITCH:
	case LDE_STAGE_LDE_SWITCH:
		/* On the CPU's track: pid 0 holds one "thread" per CPU. */
		fprintf(perfetto, "{\"ph\":\"i\",\"s\":\"t\",\"ts\":%.3f,\"pid\":0,"
			"\"tid\":%u,\"name\":\"%s %s\",\"cat\":\"switch\","
			"\"args\":{\"prev_tid\":%u,\"next_tid\":%u,\"next_comm\":",
			ts, e->cpu, stage_names[e->stage],
			e->sw.preempt ? "preempted" : "voluntary", e->tid,
			e->sw.next_tid);
		lde_json_str(perfetto, e->sw.next_comm, LDE_COMM_LEN);
		fputs("}}", perfetto);
		return;
	default:
		fprintf(perfetto, "{\"ph\":\"i\",\"s\":\"t\",\"ts\":%.3f,\"pid\":%u,"
			"\"tid\":%u,\"name\":\"%s\",\"cat\":\"%s\",\"args\":{\"comm\":",
			ts, e->pid, e->tid, stage_names[e->stage],
			stage_names[e->stage]);
		lde_json_str(perfetto, e->comm, LDE_COMM_LEN);
		fputs("}}", perfetto);
	}
}

/* -s alone: no event lines, so traps and returns are counted in the kernel. */
static bool summary_only(void)
{
	return env.summary && !env.json && !env.protocol;
}

/*
 * Event lines are appended here and written once per batch of events read
 * (or when full): one write per batch, output still live.
 */
#define EVENT_TEXT_MAX	2048	/* the longest event line, escaped, fits */
static char event_text_buf[1 << 18];
static struct lde_line event_text;

static void flush_event_text(void)
{
	lde_line_flush(&event_text, stdout);
	fflush(stdout);
}

static void show_event(const struct lde_event *e)
{
	/* The counts are only for the summary. */
	if (env.summary)
		account(e);
	perfetto_event(e);
	if (summary_only())
		return;
	if (env.protocol) {
		print_protocol(e);
		return;
	}
	if (lde_line_room(&event_text) < EVENT_TEXT_MAX)
		lde_line_flush(&event_text, stdout);
	if (env.json)
		print_json(&event_text, e);
	else
		print_line(&event_text, e);
}

/*
 * A ring-buffer record is a batch of one CPU's events, in order, each at
 * lde_event_stride() from the last and holding only the common part and
 * its stage's own part.
 */
static int handle_batch(void *ctx, void *data, size_t size)
{
	const unsigned char *p = data;

	while (size >= offsetof(struct lde_event, trap)) {
		const struct lde_event *e = (const void *)p;
		size_t stride;

		if (e->stage >= LDE_NR_STAGES ||
		    size < lde_event_size(e->stage))
			break;
		show_event(e);
		stride = lde_event_stride(e->stage);
		if (stride >= size)
			break;
		p += stride;
		size -= stride;
	}
	return 0;
}

/*
 * After the programs are detached: the events still waiting in each CPU's
 * batch.  A program that was running as it was detached may still be
 * writing one (busy): wait for it, briefly.
 */
static void drain_batches(struct lde_trace_bpf *skel)
{
	int ncpus = libbpf_num_possible_cpus(), tries;
	struct lde_batch *b = malloc(sizeof(*b));
	__u32 cpu, slot;

	if (ncpus <= 0 || !b)
		goto out;
	for (cpu = 0; cpu < ncpus; cpu++) {
		slot = cpu * 2;	/* the CPU's batch, not its alone slot */
		for (tries = 0; tries < 100; tries++) {
			if (bpf_map__lookup_elem(skel->maps.batches, &slot,
						 sizeof(slot), b, sizeof(*b), 0))
				goto out;
			if (!b->busy)
				break;
			usleep(1000);
		}
		if (b->len <= LDE_BATCH_BYTES)
			handle_batch(NULL, b->data, b->len);
	}
out:
	free(b);
}

/* Fold the kernel's per-CPU syscall counts into the summary. */
static void collect_aggregates(struct lde_trace_bpf *skel)
{
	int ncpus = libbpf_num_possible_cpus(), cpu, s;
	struct lde_syscall_agg *vals;
	__u32 nr;

	if (ncpus <= 0)
		return;
	vals = calloc(ncpus, sizeof(*vals));
	if (!vals)
		return;
	for (nr = 0; nr < MAX_SYSCALLS; nr++) {
		if (bpf_map__lookup_elem(skel->maps.syscall_agg, &nr,
					 sizeof(nr), vals,
					 ncpus * sizeof(*vals), 0))
			continue;
		for (cpu = 0; cpu < ncpus; cpu++) {
			sum.traps[nr] += vals[cpu].traps;
			sum.returns[nr] += vals[cpu].returns;
			sum.stages[LDE_STAGE_TRAP] += vals[cpu].traps;
			sum.stages[LDE_STAGE_RETURN] += vals[cpu].returns;
			for (s = 0; s < HIST_SLOTS; s++)
				sum.hist[nr][s] += vals[cpu].hist[s];
		}
	}
	free(vals);
}

static unsigned long long lost_total(struct lde_trace_bpf *skel)
{
	int ncpus = libbpf_num_possible_cpus(), i;
	unsigned long long total = 0, *vals;
	__u32 zero = 0;

	if (ncpus <= 0)
		return 0;
	vals = calloc(ncpus, sizeof(*vals));
	if (vals && !bpf_map__lookup_elem(skel->maps.lost_events, &zero,
					  sizeof(zero), vals,
					  ncpus * sizeof(*vals), 0))
		for (i = 0; i < ncpus; i++)
			total += vals[i];
	free(vals);
	return total;
}

static void print_summary_text(unsigned long long lost)
{
	int i, s;

	printf("\n%-12s %12s\n", "STAGE", "COUNT");
	for (i = 0; i < LDE_NR_STAGES; i++)
		if (sum.stages[i])
			printf("%-12s %12llu\n", stage_names[i], sum.stages[i]);
	printf("\nswitches: %llu voluntary, %llu preempted\n", sum.voluntary,
	       sum.preempted);
	printf("timer interrupts: %llu in user mode, %llu in kernel mode\n",
	       sum.timer_user, sum.timer_kernel);
	printf("\n%-20s %10s %10s\n", "SYSCALL", "TRAPS", "RETURNS");
	for (i = 0; i < MAX_SYSCALLS; i++)
		if (sum.traps[i] || sum.returns[i])
			printf("%-20s %10llu %10llu\n", syscall_name(i),
			       sum.traps[i], sum.returns[i]);
	for (i = 0; i < MAX_SYSCALLS; i++) {
		if (!sum.returns[i])
			continue;
		printf("\n%s: time in kernel (ns)\n", syscall_name(i));
		for (s = 0; s < HIST_SLOTS; s++)
			if (sum.hist[i][s])
				printf("  [%llu, %llu] %llu\n",
				       s ? 1ULL << s : 0ULL,
				       (1ULL << s) - 1 + (1ULL << s),
				       sum.hist[i][s]);
	}
}

static void print_summary_json(unsigned long long lost)
{
	bool first = true;
	int i, s;

	printf("{\"stage\":\"summary\",\"stages\":{");
	for (i = 0; i < LDE_NR_STAGES; i++)
		printf("%s\"%s\":%llu", i ? "," : "", stage_names[i],
		       sum.stages[i]);
	printf("},\"switches\":{\"voluntary\":%llu,\"preempted\":%llu},"
	       "\"timer\":{\"user\":%llu,\"kernel\":%llu},\"syscalls\":{",
	       sum.voluntary, sum.preempted, sum.timer_user, sum.timer_kernel);
	for (i = 0; i < MAX_SYSCALLS; i++) {
		bool hfirst = true;

		if (!sum.traps[i] && !sum.returns[i])
			continue;
		printf("%s\"%s\":{\"nr\":%d,\"traps\":%llu,\"returns\":%llu,"
		       "\"kernel_ns_log2_hist\":{", first ? "" : ",",
		       syscall_name(i), i, sum.traps[i], sum.returns[i]);
		first = false;
		for (s = 0; s < HIST_SLOTS; s++) {
			if (!sum.hist[i][s])
				continue;
			printf("%s\"%llu\":%llu", hfirst ? "" : ",",
			       s ? 1ULL << s : 0ULL, sum.hist[i][s]);
			hfirst = false;
		}
		printf("}}");
	}
	printf("},\"lost\":%llu}\n", lost);
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
 * Load only what the chosen stages need: unneeded programs never attach.
 * The switch program always runs: a thread that leaves its CPU inside a
 * system call takes its open trap along, and the CPU's batch is sent.
 * The timer program runs for the timer stage, and wherever events are
 * batched: it sends what waits in a CPU's batch at each tick.
 */
static void choose_programs(struct lde_trace_bpf *skel)
{
	const __u32 syscalls = 1U << LDE_STAGE_TRAP | 1U << LDE_STAGE_RETURN;
	bool lde = lde_module_events();
	__u32 s = env.stages;
	bool batched = skel->rodata->batch_bytes > LDE_EVENT_MAX &&
		       !(skel->rodata->aggregate_syscalls && !(s & ~syscalls));

	bpf_program__set_autoload(skel->progs.lde_sys_enter, s & syscalls);
	bpf_program__set_autoload(skel->progs.lde_sys_exit,
				  s & (1U << LDE_STAGE_RETURN));
	bpf_program__set_autoload(skel->progs.lde_timer,
				  batched || (s & (1U << LDE_STAGE_TIMER)));
	bpf_program__set_autoload(skel->progs.lde_exec,
				  s & (1U << LDE_STAGE_EXEC));
	bpf_program__set_autoload(skel->progs.lde_exit,
				  s & (1U << LDE_STAGE_EXIT));
	bpf_program__set_autoload(skel->progs.lde_fault,
				  s & (1U << LDE_STAGE_FAULT));
	bpf_program__set_autoload(skel->progs.lde_fork, env.command != NULL);
	bpf_program__set_autoload(skel->progs.lde_mod_trap,
				  lde && (s & (1U << LDE_STAGE_LDE_TRAP)));
	bpf_program__set_autoload(skel->progs.lde_mod_return,
				  lde && (s & (1U << LDE_STAGE_LDE_RETURN)));
	bpf_program__set_autoload(skel->progs.lde_mod_switch,
				  lde && (s & (1U << LDE_STAGE_LDE_SWITCH)));
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
	unsigned long long deadline = 0, lost;
	int err, release_fd = -1, status = 0, exit_code = 0, ncpus;
	__u32 ring_bytes;
	pid_t child = 0;
	__u8 one = 1;

	argp_err_exit_status = 2;
	err = argp_parse(&argp, argc, argv, ARGP_IN_ORDER, NULL, NULL);
	if (err)
		return 2;
	libbpf_set_print(libbpf_print);
	lde_line_start(&event_text, event_text_buf, sizeof(event_text_buf));

	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		fprintf(stderr, "lde-trace: this kernel has no BTF (/sys/kernel/btf/vmlinux): it needs CONFIG_DEBUG_INFO_BTF\n");
		return 1;
	}
	if (env.pid && kill(env.pid, 0) && errno == ESRCH) {
		fprintf(stderr, "lde-trace: no such pid: %d\n", env.pid);
		return 1;
	}
	if (env.perfetto_path) {
		perfetto = fopen(env.perfetto_path, "we");
		if (!perfetto) {
			fprintf(stderr, "lde-trace: cannot write %s: %s\n",
				env.perfetto_path, strerror(errno));
			return 1;
		}
		fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[", perfetto);
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
	skel->rodata->aggregate_syscalls = summary_only() && !env.perfetto_path;
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
	 * order they happen on all CPUs.  JSON, for programs, comes a batch
	 * per CPU at a time: in order per CPU and per thread, ts_ns sorts it.
	 */
	if (!env.json && !summary_only())
		skel->rodata->batch_bytes = LDE_EVENT_MAX;
	choose_programs(skel);
	/* Wake the reader per quarter of the ring sent, at most 256 KiB. */
	while (skel->rodata->wakeup_shift > 1 &&
	       1U << skel->rodata->wakeup_shift > ring_bytes / 4)
		skel->rodata->wakeup_shift--;
	/* Arrays indexed by CPU: the BPF programs' lookups are inlined. */
	ncpus = libbpf_num_possible_cpus();
	if (ncpus > 0) {
		bpf_map__set_max_entries(skel->maps.cpu_states, ncpus);
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
	if (env.pid || child) {
		__u32 tgid = env.pid ? env.pid : child;

		bpf_map__update_elem(skel->maps.traced_tgids, &tgid,
				     sizeof(tgid), &one, sizeof(one), BPF_ANY);
	}

	/* Before the first event can be made: times count from here. */
	start_ns = now_ns();
	err = lde_trace_bpf__attach(skel);
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

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (env.duration)
		deadline = start_ns + env.duration * 1000000000ULL;
	if (!env.json && !env.summary && !env.protocol)
		printf("%-12s %-3s %-7s %-7s %-16s %-10s %s\n", "TIME(s)", "CPU",
		       "PID", "TID", "COMM", "STAGE", "DETAILS");
	if (env.protocol)
		printf("%-36s | %-58s | %s\n", "OS (kernel mode)", "Hardware",
		       "Program (user mode)");
	if (child) {
		/* Release the command: traced from its exec on. */
		if (write(release_fd, "g", 1) != 1)
			exiting = 1;
		close(release_fd);
		release_fd = -1;
	}

	while (!exiting) {
		err = ring_buffer__poll(rb, 100);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "lde-trace: ring buffer: %s\n",
				strerror(-err));
			break;
		}
		/* Live even into a pipe: a batch out as soon as it is read. */
		if (err > 0)
			flush_event_text();
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
	drain_batches(skel);
	ring_buffer__consume(rb);
	flush_event_text();
	err = 0;

	if (skel->rodata->aggregate_syscalls)
		collect_aggregates(skel);
	lost = lost_total(skel);
	if (env.summary) {
		if (env.json)
			print_summary_json(lost);
		else
			print_summary_text(lost);
	}
	fflush(stdout);
	fprintf(stderr, "lost %llu events\n", lost);
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
	if (perfetto) {
		fputs("\n]}\n", perfetto);
		fclose(perfetto);
	}
	ring_buffer__free(rb);
	lde_trace_bpf__destroy(skel);
	return err ? err : exit_code;
}
