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
	o->used = false;
}

static void strace_return(struct lde_line *l, const struct lde_event *e)
{
	struct open_trap *o = find_open(e->tid);
	bool exec = e->stage == LDE_EVENT_EXEC_RETURN;

	if (o && o->trap.trap.nr == e->ret.nr) {
		call_text(l, &o->trap, exec ? e : NULL);
		o->used = false;
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
