// SPDX-License-Identifier: GPL-2.0
/*
 * strace-style lines (-S): one line per system call, at its return, as
 * `strace -f -o FILE` writes them:
 *
 *   1234 openat(dfd=-100, filename="/etc/hosts", flags=0x80000, mode=0) = 3
 *   1234 openat(dfd=-100, filename="/nope", flags=0, mode=0) = -1 ENOENT (No such file or directory)
 *   1234 exit_group(error_code=0) = ?
 *
 * The thread id leads; arguments are named, as the kernel's formats name
 * them.  A call whose trap came before tracing began is "<... NAME
 * resumed>"; one still open at the end is "<unfinished ...>"; the calls
 * a process's exit ends (exit_group) return "?", as do calls a signal
 * interrupted (the kernel's restart codes).  When a thread's calls go
 * through another table (int $0x80 from a 64-bit program, or an i386
 * program), a line says so before the first, as strace's does:
 *
 *   1234 [ Process PID=1234 runs in 32 bit mode. ]
 *
 * and the calls are named and decoded by the i386 table.  rt_sigreturn
 * shows the signal mask it restores, as strace does: {mask=[USR2]}.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "lde_names.h"
#include "lde_render.h"
#include "lde_syscalls.h"
#include "lde_tid_table.h"

/* Open traps by thread: a small table, searched whole (only -S uses it). */
#define OPEN_SLOTS	256

static struct open_trap {
	bool used;
	struct lde_event trap;
} open_traps[OPEN_SLOTS];

static struct open_trap *find_open(unsigned int tid)
{
	unsigned int i;

	for (i = 0; i < OPEN_SLOTS; i++)
		if (open_traps[i].used && open_traps[i].trap.tid == tid)
			return &open_traps[i];
	return NULL;
}

static struct open_trap *free_slot(unsigned int tid)
{
	unsigned int i;

	for (i = 0; i < OPEN_SLOTS; i++)
		if (!open_traps[i].used)
			return &open_traps[i];
	/* 256 threads inside calls at once: one of them is let go. */
	return &open_traps[tid % OPEN_SLOTS];
}

/*
 * A signal mask as strace prints one: names without SIG, RTMIN and RT_n
 * for the real-time signals; more than half of them set, the complement
 * after a "~".
 */
static void sigmask_text(struct lde_line *l, unsigned long long mask)
{
	const char *name;
	bool first = true;
	int sig;

	if (__builtin_popcountll(mask) > 32) {
		lde_line_char(l, '~');
		mask = ~mask;
	}
	lde_line_char(l, '[');
	for (sig = 1; sig <= 64; sig++) {
		if (!(mask & 1ULL << (sig - 1)))
			continue;
		if (!first)
			lde_line_char(l, ' ');
		first = false;
		name = sig < 32 ? sigabbrev_np(sig) : NULL;
		if (name) {
			lde_line_str(l, name);
		} else if (sig == 32) {
			lde_line_lit(l, "RTMIN");
		} else if (sig > 32) {
			lde_line_lit(l, "RT_");
			lde_line_u64(l, sig - 32);
		} else {
			lde_line_u64(l, sig);
		}
	}
	lde_line_char(l, ']');
}

static void call_text(struct lde_line *l, const struct lde_event *trap,
		      const struct lde_event *exec)
{
	lde_line_u64(l, trap->tid);
	lde_line_char(l, ' ');
	lde_line_str(l, lde_call_name(trap->trap.nr, trap->trap.compat));
	lde_line_char(l, '(');
	if (lde_trap_has_sigmask(trap)) {
		/* strace's way: the frame's mask is the argument. */
		lde_line_lit(l, "{mask=");
		sigmask_text(l, trap->trap.args[LDE_SIGRETURN_MASK]);
		lde_line_char(l, '}');
	} else {
		lde_syscall_args_text(l, trap, exec, false);
	}
	lde_line_char(l, ')');
}

/* The table each thread's calls went through last: strace's personality. */
struct thread_mode {
	unsigned int tid;
	unsigned int compat;
};

static struct lde_tid_table modes;

/* "[ Process PID=N runs in 32 bit mode. ]" when a thread changes table. */
static void mode_text(struct lde_line *l, unsigned int tid,
		      unsigned int compat)
{
	struct thread_mode *m;

	if (!modes.record)
		lde_tid_table_init(&modes, sizeof(struct thread_mode));
	m = compat ? lde_tid_get(&modes, tid) : lde_tid_find(&modes, tid);
	/* Every thread starts in the native table. */
	if (!m || m->compat == compat)
		return;
	m->compat = compat;
	lde_line_u64(l, tid);
	lde_line_lit(l, " [ Process PID=");
	lde_line_u64(l, tid);
	if (compat)
		lde_line_lit(l, " runs in 32 bit mode. ]\n");
	else
		lde_line_lit(l, " runs in 64 bit mode. ]\n");
}

/*
 * The kernel's restart codes: the program never sees them (the call is
 * restarted, or fails with EINTR); strace prints "?" and says which.
 */
static const char *restart_text(long long ret)
{
	switch (lde_syscall_errno(ret)) {
	case 512: return "? ERESTARTSYS (To be restarted if SA_RESTART is set)";
	case 513: return "? ERESTARTNOINTR (To be restarted)";
	case 514: return "? ERESTARTNOHAND (To be restarted if no handler)";
	case 516: return "? ERESTART_RESTARTBLOCK (Interrupted by signal)";
	}
	return NULL;
}

static void close_open(struct lde_line *l, struct open_trap *o,
		       const char *end)
{
	call_text(l, &o->trap, NULL);
	lde_line_str(l, end);
	lde_line_char(l, '\n');
	o->used = false;
}

static void strace_return(struct lde_line *l, const struct lde_event *e)
{
	struct open_trap *o = find_open(e->tid);
	bool exec = e->stage == LDE_EVENT_EXEC_RETURN;

	const char *restart = restart_text(e->ret.ret);

	if (o && o->trap.trap.nr == e->ret.nr &&
	    o->trap.trap.compat == e->ret.compat) {
		call_text(l, &o->trap, exec ? e : NULL);
		o->used = false;
	} else {
		mode_text(l, e->tid, e->ret.compat);
		lde_line_u64(l, e->tid);
		lde_line_lit(l, " <... ");
		lde_line_str(l, lde_call_name(e->ret.nr, e->ret.compat));
		lde_line_lit(l, " resumed>)");
	}
	lde_line_lit(l, " = ");
	if (restart)
		lde_line_str(l, restart);
	else
		lde_call_ret_text(l, e->ret.nr, e->ret.compat, e->ret.ret);
	lde_line_char(l, '\n');
}

void lde_strace_event(struct lde_line *l, const struct lde_event *e)
{
	struct open_trap *o;
	unsigned int i;

	switch (e->stage) {
	case LDE_STAGE_TRAP:
	case LDE_EVENT_TRAP_STRINGS:
		/* An open one's return was never seen: it ends unfinished. */
		o = find_open(e->tid);
		if (o)
			close_open(l, o, " <unfinished ...>");
		o = free_slot(e->tid);
		if (o->used)
			close_open(l, o, " <unfinished ...>");
		mode_text(l, e->tid, e->trap.compat);
		o->used = true;
		o->trap = *e;
		break;
	case LDE_STAGE_RETURN:
	case LDE_EVENT_EXEC_RETURN:
		strace_return(l, e);
		break;
	case LDE_STAGE_EXIT:
		/* The process is gone: its threads' open calls never return. */
		for (i = 0; i < OPEN_SLOTS; i++)
			if (open_traps[i].used && open_traps[i].trap.pid == e->pid)
				close_open(l, &open_traps[i], " = ?");
		break;
	}
}

void lde_strace_end(struct lde_line *l)
{
	unsigned int i;

	for (i = 0; i < OPEN_SLOTS; i++)
		if (open_traps[i].used)
			close_open(l, &open_traps[i], " <unfinished ...>");
}
