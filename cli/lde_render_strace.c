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
#include "lde_view.h"

/*
 * Open traps by thread, each kept from its trap to its return: at most
 * 65,536 threads inside calls at once (2^17 slots of 648 bytes, 81 MiB).
 * A trap the full table cannot keep is written at once, "<unfinished
 * ...>", and its return "<... NAME resumed>", as strace writes calls it
 * sees interleaved.
 */
#define OPEN_LIMIT	65536

struct open_trap {
	unsigned int tid;	/* first: an lde_tid_table record */
	struct lde_event trap;
};

/* The table each thread's calls went through last: strace's personality. */
struct thread_mode {
	unsigned int tid;
	unsigned int compat;
};

/* One -S view: the calls open, and each thread's table. */
struct lde_strace {
	struct lde_tid_table open_traps;	/* struct open_trap */
	struct lde_tid_table modes;		/* struct thread_mode */
};

struct lde_strace *lde_strace_new(void)
{
	struct lde_strace *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	lde_tid_table_init(&s->open_traps, sizeof(struct open_trap),
			   OPEN_LIMIT);
	lde_tid_table_init(&s->modes, sizeof(struct thread_mode),
			   LDE_TID_TABLE_LIMIT);
	return s;
}

static struct open_trap *find_open(struct lde_strace *s, unsigned int tid)
{
	return lde_tid_find(&s->open_traps, tid);
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

/* "[ Process PID=N runs in 32 bit mode. ]" when a thread changes table. */
static void mode_text(struct lde_strace *s, struct lde_line *l,
		      unsigned int tid, unsigned int compat)
{
	struct thread_mode *m;

	m = compat ? lde_tid_get(&s->modes, tid) : lde_tid_find(&s->modes, tid);
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

static void close_open(struct lde_strace *s, struct lde_line *l,
		       struct open_trap *o, const char *end)
{
	call_text(l, &o->trap, NULL);
	lde_line_str(l, end);
	lde_line_char(l, '\n');
	lde_tid_remove(&s->open_traps, o->tid);
}

/* Oldest trap first; then by tid. */
static int by_trap_time(const void *a, const void *b)
{
	const struct lde_event *x = a, *y = b;

	if (x->ts_ns != y->ts_ns)
		return x->ts_ns < y->ts_ns ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

/* A call's line is at most this long: two strings of 255 bytes as \xNN. */
#define CALL_TEXT_MAX	4096

/*
 * The open calls of process pid (0: of all), oldest first, ended with
 * end; past what one event may append, one line says how many are left.
 */
static void close_all(struct lde_strace *s, struct lde_line *l,
		      unsigned int pid, const char *end)
{
	const char *from = l->end;
	struct lde_event *open;
	size_t i, n = 0;

	if (!s->open_traps.used)
		return;
	open = malloc(s->open_traps.used * sizeof(*open));
	if (!open)
		return;
	for (i = 0; i < s->open_traps.size; i++) {
		const struct open_trap *o = lde_tid_slot(&s->open_traps, i);

		if (o && (!pid || o->trap.pid == pid))
			open[n++] = o->trap;
	}
	qsort(open, n, sizeof(*open), by_trap_time);
	for (i = 0; i < n; i++) {
		if (l->end - from > LDE_EVENT_TEXT_MAX - CALL_TEXT_MAX) {
			lde_line_lit(l, "(");
			lde_line_u64(l, n - i);
			lde_line_lit(l, " more open calls end here, not written: too many at once)\n");
			break;
		}
		call_text(l, &open[i], NULL);
		lde_line_str(l, end);
		lde_line_char(l, '\n');
	}
	for (i = 0; i < n; i++)
		lde_tid_remove(&s->open_traps, open[i].tid);
	free(open);
}

static void strace_return(struct lde_strace *s, struct lde_line *l,
			  const struct lde_event *e)
{
	struct open_trap *o = find_open(s, e->tid);
	bool exec = e->stage == LDE_EVENT_EXEC_RETURN;

	const char *restart = restart_text(e->ret.ret);

	if (o && o->trap.trap.nr == e->ret.nr &&
	    o->trap.trap.compat == e->ret.compat) {
		call_text(l, &o->trap, exec ? e : NULL);
		lde_tid_remove(&s->open_traps, e->tid);
	} else {
		mode_text(s, l, e->tid, e->ret.compat);
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

void lde_strace_event(struct lde_strace *s, struct lde_line *l,
		      const struct lde_event *e)
{
	struct open_trap *o;

	switch (e->stage) {
	case LDE_STAGE_TRAP:
	case LDE_EVENT_TRAP_STRINGS:
		/* An open one's return was never seen: it ends unfinished. */
		o = find_open(s, e->tid);
		if (o)
			close_open(s, l, o, " <unfinished ...>");
		mode_text(s, l, e->tid, e->trap.compat);
		o = lde_tid_get(&s->open_traps, e->tid);
		if (!o) {	/* full: written now, its return "resumed" */
			call_text(l, e, NULL);
			lde_line_lit(l, " <unfinished ...>\n");
			break;
		}
		lde_event_copy(&o->trap, e);
		break;
	case LDE_STAGE_RETURN:
	case LDE_EVENT_EXEC_RETURN:
		strace_return(s, l, e);
		break;
	case LDE_STAGE_EXIT:
		/* The process is gone: its threads' open calls never return. */
		close_all(s, l, e->pid, " = ?");
		break;
	}
}

void lde_strace_end(struct lde_strace *s, struct lde_line *l)
{
	close_all(s, l, 0, " <unfinished ...>");
	lde_tid_table_free(&s->open_traps);
	lde_tid_table_free(&s->modes);
	free(s);
}

/* -- the view: -S ---------------------------------------------------------- */

static bool strace_wanted(const struct lde_view_env *env)
{
	return lde_view_text_wanted(env) && env->strace;
}

static void *strace_start(const struct lde_view_env *env,
			  struct lde_line *out)
{
	return lde_strace_new();
}

static void strace_view_event(void *state, struct lde_line *out,
			      const struct lde_event *e)
{
	lde_strace_event(state, out, e);
}

static int strace_view_end(void *state, struct lde_line *out,
			   const struct lde_view_end *end)
{
	lde_strace_end(state, out);
	return 0;
}

const struct lde_view_ops lde_strace_view = {
	.name = "strace-style lines (-S)",
	.report = true,
	.time_order = true,
	.wanted = strace_wanted,
	.start = strace_start,
	.event = strace_view_event,
	.end = strace_view_end,
};
