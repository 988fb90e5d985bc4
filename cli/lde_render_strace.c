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
 * a process's exit ends (exit_group) return "?".
 */
#include <stdlib.h>
#include <string.h>

#include "lde_names.h"
#include "lde_render.h"
#include "lde_syscalls.h"
#include "lde_tid_table.h"

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

static struct lde_tid_table open_traps = {
	.record = sizeof(struct open_trap),
	.limit = OPEN_LIMIT,
};

static struct open_trap *find_open(unsigned int tid)
{
	return lde_tid_find(&open_traps, tid);
}

static void call_text(struct lde_line *l, const struct lde_event *trap,
		      const struct lde_event *exec)
{
	lde_line_u64(l, trap->tid);
	lde_line_char(l, ' ');
	lde_line_str(l, lde_syscall_name(trap->trap.nr));
	lde_line_char(l, '(');
	lde_syscall_args_text(l, trap, exec, false);
	lde_line_char(l, ')');
}

static void close_open(struct lde_line *l, struct open_trap *o,
		       const char *end)
{
	call_text(l, &o->trap, NULL);
	lde_line_str(l, end);
	lde_line_char(l, '\n');
	lde_tid_remove(&open_traps, o->tid);
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
static void close_all(struct lde_line *l, unsigned int pid, const char *end)
{
	const char *from = l->end;
	struct lde_event *open;
	size_t i, n = 0;

	if (!open_traps.used)
		return;
	open = malloc(open_traps.used * sizeof(*open));
	if (!open)
		return;
	for (i = 0; i < open_traps.size; i++) {
		const struct open_trap *o = lde_tid_slot(&open_traps, i);

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
		lde_tid_remove(&open_traps, open[i].tid);
	free(open);
}

static void strace_return(struct lde_line *l, const struct lde_event *e)
{
	struct open_trap *o = find_open(e->tid);
	bool exec = e->stage == LDE_EVENT_EXEC_RETURN;

	if (o && o->trap.trap.nr == e->ret.nr) {
		call_text(l, &o->trap, exec ? e : NULL);
		lde_tid_remove(&open_traps, e->tid);
	} else {
		lde_line_u64(l, e->tid);
		lde_line_lit(l, " <... ");
		lde_line_str(l, lde_syscall_name(e->ret.nr));
		lde_line_lit(l, " resumed>)");
	}
	lde_line_lit(l, " = ");
	lde_syscall_ret_text(l, e->ret.nr, e->ret.ret);
	lde_line_char(l, '\n');
}

void lde_strace_event(struct lde_line *l, const struct lde_event *e)
{
	struct open_trap *o;

	switch (e->stage) {
	case LDE_STAGE_TRAP:
	case LDE_EVENT_TRAP_STRINGS:
		/* An open one's return was never seen: it ends unfinished. */
		o = find_open(e->tid);
		if (o)
			close_open(l, o, " <unfinished ...>");
		o = lde_tid_get(&open_traps, e->tid);
		if (!o) {	/* full: written now, its return "resumed" */
			call_text(l, e, NULL);
			lde_line_lit(l, " <unfinished ...>\n");
			break;
		}
		o->trap = *e;
		break;
	case LDE_STAGE_RETURN:
	case LDE_EVENT_EXEC_RETURN:
		strace_return(l, e);
		break;
	case LDE_STAGE_EXIT:
		/* The process is gone: its threads' open calls never return. */
		close_all(l, e->pid, " = ?");
		break;
	}
}

void lde_strace_end(struct lde_line *l)
{
	close_all(l, 0, " <unfinished ...>");
	lde_tid_table_free(&open_traps);
}
