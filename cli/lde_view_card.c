// SPDX-License-Identifier: GPL-2.0
/*
 * The figure card (-F): OSTEP Figures 6.2 and 6.3 as the book lays them
 * out, on one screen, every row in the book's order and words, each filled
 * once with the first live instance of this run and its evidence, and the
 * -P step it came from.  A row the run did not show says so, and why.
 *
 * The card reads the story (lde_story.c) the -P view draws: every step,
 * folded or not, in number order; a row takes the first step that shows
 * it.  It prints when the trace ends: a row of Figure 6.3 may come before
 * the last of Figure 6.2.
 *
 * This file fills the rows (the data); lde_card_draw.c draws them.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lde_arch_words.h"
#include "lde_names.h"
#include "lde_story.h"
#include "lde_syscalls.h"
#include "lde_view.h"

#define OS	0
#define HW	1
#define PROG	2

/* The book's rows, in its order: which figure, which column, its words. */
enum row_id {
	R_BOOT_TABLE,
	R_BOOT_REMEMBER,
	R_BOOT_TIMER,
	R_BOOT_START_TIMER,
	/* Figure 6.2 */
	R_CREATE,
	R_LOAD,
	R_SETUP,
	R_ENTER,
	R_MAIN,
	R_CALL,
	R_SAVE,
	R_HANDLE,
	R_RETURN,
	R_RESTORE,
	R_EXIT_CALL,
	R_FREE,
	R_REMOVE,
	/* Figure 6.3 */
	R_PROCESS_A,
	R_TIMER,
	R_SWITCH_CALL,
	R_SWITCH,
	R_RETURN_B,
	R_RESTORE_B,
	R_PROCESS_B,
	NROWS
};

static const struct {
	int figure, column;
	const char *book;
} book[NROWS] = {
	[R_BOOT_TABLE] = { 0, OS, "initialize trap table" },
	[R_BOOT_REMEMBER] = { 0, HW, "remember addresses of...\nsyscall handler\ntimer handler" },
	[R_BOOT_TIMER] = { 0, OS, "start interrupt timer" },
	[R_BOOT_START_TIMER] = { 0, HW, "start timer\ninterrupt CPU in X ms" },
	[R_CREATE] = { 2, OS, "Create entry for process list" },
	[R_LOAD] = { 2, OS, "Allocate memory for program\nLoad program into memory" },
	[R_SETUP] = { 2, OS, "Setup user stack with argv\nFill kernel stack with reg/PC\nreturn-from-trap" },
	[R_ENTER] = { 2, HW, "restore regs\n(from kernel stack)\nmove to user mode\njump to main" },
	[R_MAIN] = { 2, PROG, "Run main()" },
	[R_CALL] = { 2, PROG, "Call system call\ntrap into OS" },
	[R_SAVE] = { 2, HW, "save regs\n(to kernel stack)\nmove to kernel mode\njump to trap handler" },
	[R_HANDLE] = { 2, OS, "Handle trap\nDo work of syscall" },
	[R_RETURN] = { 2, OS, "return-from-trap" },
	[R_RESTORE] = { 2, HW, "restore regs\n(from kernel stack)\nmove to user mode\njump to PC after trap" },
	[R_EXIT_CALL] = { 2, PROG, "return from main\ntrap (via exit())" },
	[R_FREE] = { 2, OS, "Free memory of process" },
	[R_REMOVE] = { 2, OS, "Remove from process list" },
	[R_PROCESS_A] = { 3, PROG, "Process A" },
	[R_TIMER] = { 3, HW, "timer interrupt\nsave regs(A) -> k-stack(A)\nmove to kernel mode\njump to trap handler" },
	[R_SWITCH_CALL] = { 3, OS, "Handle the trap\nCall switch() routine" },
	[R_SWITCH] = { 3, OS, "save regs(A) -> proc_t(A)\nrestore regs(B) <- proc_t(B)\nswitch to k-stack(B)" },
	[R_RETURN_B] = { 3, OS, "return-from-trap (into B)" },
	[R_RESTORE_B] = { 3, HW, "restore regs(B) <- k-stack(B)\nmove to user mode\njump to B's PC" },
	[R_PROCESS_B] = { 3, PROG, "Process B" },
};

#define EVIDENCE_LEN	384

struct card_row {
	bool filled;
	bool said;		/* not filled: why is in evidence */
	char evidence[EVIDENCE_LEN];
	unsigned long step;
	unsigned long long t0, t1;
	unsigned int cpu;
};

struct lde_card {
	struct lde_view_env env;
	struct lde_story *story;
	struct card_row row[NROWS];
	bool finished;
	/* The program: the process of the first successful execve seen. */
	unsigned int program;
	unsigned long long program_entry;
	/* Figure 6.3 so far: a tick and switch that is not the book's own. */
	/*
	 * How close the tick's switch chosen is to the book's: 3, B was
	 * itself preempted in user mode; 2, B is new (it leaves the kernel
	 * through its parent's trap frame); 1, B goes to user mode some
	 * other way; 0, B stays in the kernel.
	 */
	int tick_rank;
	unsigned long user_ticks, user_ticks_switched;
	unsigned long switches;
	int exit_group_nr, exit_nr;
	/* Figure 6.2's call rows are one system call's. */
	bool call_filled;
};

static const char *who(char *buf, const char *comm, unsigned int tid)
{
	return lde_story_who(buf, comm, tid);
}

static void fill(struct lde_card *c, enum row_id r, const struct lde_step *s,
		 const char *f, ...) __attribute__((format(printf, 4, 5)));

static void fill(struct lde_card *c, enum row_id r, const struct lde_step *s,
		 const char *f, ...)
{
	struct card_row *row = &c->row[r];
	va_list ap;

	va_start(ap, f);
	vsnprintf(row->evidence, sizeof(row->evidence), f, ap);
	va_end(ap);
	row->filled = true;
	row->step = s ? s->number : 0;
	if (s) {
		row->t0 = s->ev[0].ts_ns - c->env.start_ns;
		row->t1 = s->ev[s->n - 1].ts_ns - c->env.start_ns;
		row->cpu = s->ev[0].cpu;
	}
}

static bool is_exit_call(const struct lde_card *c, long long nr)
{
	return nr == c->exit_group_nr || nr == c->exit_nr;
}

/* A process of the program (any, before its execve is seen). */
static bool of_program(const struct lde_card *c, unsigned int pid)
{
	return !c->program || pid == c->program;
}

static void see_event(struct lde_card *c, const struct lde_step *s)
{
	const struct lde_event *e = &s->ev[0];
	char w[40], by[40], argv[200], mode[LDE_ARCH_TEXT_LEN];
	struct lde_line path;
	unsigned int i;
	int code;

	who(w, e->comm, e->tid);
	switch (e->stage) {
	case LDE_STAGE_FORK:
		if (c->row[R_CREATE].filled || e->fork.child_pid == e->pid)
			return;
		fill(c, R_CREATE, s, "pid %u forked by %s",
		     e->fork.child_pid, w);
		return;
	case LDE_STAGE_EXEC:
		if (c->row[R_LOAD].filled)
			return;
		/* A path is any bytes: control characters shown as '?'. */
		lde_line_start(&path, argv, sizeof(argv) - 1);
		lde_line_printable(&path, e->exec.filename, LDE_PATH_LEN);
		*path.end = '\0';
		fill(c, R_LOAD, s, "execve: a new address space for process %u; %s loaded",
		     e->pid, argv);
		return;
	case LDE_EVENT_EXEC_RETURN:
		if (c->row[R_SETUP].filled)
			return;
		c->program = e->pid;
		c->program_entry = e->exec_ret.entry_ip;
		argv[0] = '\0';
		for (i = 0; i < e->exec_ret.argv_read && i < LDE_ARGV_MAX; i++) {
			struct lde_line l;
			size_t len = strlen(argv);

			lde_line_start(&l, argv + len, sizeof(argv) - len - 1);
			if (i)
				lde_line_char(&l, ' ');
			lde_line_json_str(&l, e->exec_ret.argv[i], LDE_ARG_LEN);
			*l.end = '\0';
		}
		fill(c, R_SETUP, s, "argc %u, %s%s on the new stack; %s, PC %#llx in pt_regs; execve = 0",
		     e->exec_ret.argc, argv,
		     e->exec_ret.argv_read < e->exec_ret.argc ? " ..." : "",
		     e->exec_ret.regs_cleared ? "every register 0" :
		     "registers NOT all 0", e->exec_ret.entry_ip);
		fill(c, R_ENTER, s, "%s; PC %#llx, sp %#llx: the ELF entry (ld.so's or _start); main is called later",
		     lde_arch_to_user(mode), e->exec_ret.entry_ip,
		     e->exec_ret.user_sp);
		return;
	case LDE_STAGE_EXIT:
		if (c->row[R_FREE].filled || !of_program(c, e->pid) ||
		    (c->program && e->pid != c->program))
			return;
		code = e->exit.code;
		fill(c, R_FREE, s, "%s exits, %s %d",
		     w, code & 0x7f ? "killed by signal" : "status",
		     code & 0x7f ? code & 0x7f : (code >> 8) & 0xff);
		return;
	case LDE_STAGE_REAP:
		if (c->row[R_REMOVE].filled || !c->program ||
		    e->pid != c->program)
			return;
		fill(c, R_REMOVE, s, "reaped by %s's wait()",
		     who(by, e->reap.by_comm, e->reap.by_tid));
		return;
	}
}

static void see_syscall(struct lde_card *c, const struct lde_step *s)
{
	const struct lde_event *t = &s->ev[0];
	char w[40], args[160], r[160], mode[LDE_ARCH_TEXT_LEN];
	const char *name = lde_call_name(t->trap.nr, t->trap.compat);
	const struct lde_arch_words *aw = lde_arch_words();
	struct lde_line l;

	if (!c->program || t->pid != c->program)
		return;
	who(w, t->comm, t->tid);
	if (is_exit_call(c, t->trap.nr)) {
		if (c->row[R_EXIT_CALL].filled)
			return;
		lde_line_start(&l, args, sizeof(args) - 1);
		lde_syscall_args_text(&l, t, NULL, true);
		*l.end = '\0';
		fill(c, R_EXIT_CALL, s, "%s(%s), syscall %d, at PC %#llx",
		     name, args, t->trap.nr, t->trap.ip);
		return;
	}
	if (!c->row[R_MAIN].filled)
		fill(c, R_MAIN, s, "runs; first trap at PC %#llx",
		     t->trap.ip);
	if (c->call_filled || s->n < 2)
		return;
	c->call_filled = true;
	lde_line_start(&l, args, sizeof(args) - 4);
	lde_syscall_args_text(&l, t, NULL, true);
	if (!lde_line_room(&l))
		lde_line_lit(&l, "...");
	*l.end = '\0';
	fill(c, R_CALL, s, "%s: %s(%s) [%ssyscall %d]", w, name, args,
	     aw->trap_insn_prefix, t->trap.nr);
	fill(c, R_SAVE, s, "user %s %#llx, %s %#llx saved (pt_regs, top of the kernel stack); %s; %s",
	     aw->saved_pc, t->trap.ip, aw->saved_sp, t->trap.sp,
	     lde_arch_to_kernel(mode, t->trap.cpl),
	     c->env.boot->module ? c->env.boot->syscall_entry :
	     aw->syscall_handler_unknown);
	fill(c, R_HANDLE, s, "%s, number %d: %llu ns in the kernel", name,
	     t->trap.nr, s->ev[1].ret.kernel_ns);
	lde_line_start(&l, r, sizeof(r) - 1);
	lde_call_ret_text(&l, s->ev[1].ret.nr, s->ev[1].ret.compat,
			  s->ev[1].ret.ret);
	*l.end = '\0';
	fill(c, R_RETURN, s, "%s = %s", name, r);
	fill(c, R_RESTORE, s, "%s; PC %#llx, after the trap (%s)",
	     lde_arch_to_user(mode), t->trap.ip, aw->trap_return);
}

/*
 * Figure 6.3: a timer interrupt in user mode that took the CPU from A and
 * gave it to B.  The book's own has B go back to user mode where it was
 * preempted; failing one, the first that switched at all.
 */
static void see_tick(struct lde_card *c, const struct lde_step *s)
{
	const struct lde_event *t = &s->ev[0], *sw = &s->ev[1];
	const struct lde_step_context *bc = &s->ctx[1];
	const struct lde_arch_words *aw = lde_arch_words();
	char a[40], b[40], mode[LDE_ARCH_TEXT_LEN], vec[LDE_ARCH_TEXT_LEN];
	bool to_user;
	int rank;

	if (t->timer.mode != LDE_TIMER_USER)
		return;
	c->user_ticks++;
	if (s->n < 2)
		return;
	c->user_ticks_switched++;
	to_user = sw->sw.next_user_ip &&
		  !lde_is_idle(sw->sw.next_comm, sw->sw.next_pid);
	rank = !to_user ? 0 : bc->next_from_user ? 3 :
	       lde_resumes_new_task(sw) ? 2 : 1;
	if (c->row[R_TIMER].filled && rank <= c->tick_rank)
		return;
	c->tick_rank = rank;
	who(a, t->comm, t->tid);
	who(b, sw->sw.next_comm, sw->sw.next_tid);
	fill(c, R_PROCESS_A, s, "A = %s on CPU %u", a,
	     t->cpu);
	fill(c, R_TIMER, s, "user %s %#llx saved on A's kernel stack; %s; %s: %s",
	     aw->saved_pc, t->timer.ip, lde_arch_to_kernel(mode, aw->user_level),
	     lde_arch_vector(vec, c->env.boot->module ?
			     c->env.boot->timer_vector : aw->timer_vector),
	     c->env.boot->module ? c->env.boot->timer_handler :
	     aw->timer_handler_unknown);
	fill(c, R_SWITCH_CALL, s, "%s: need-resched; schedule() preempts A",
	     sw->sw.reason == LDE_REASON_TICK ? "A's slice is used up" :
	     sw->sw.reason == LDE_REASON_WAKEUP ? "a woken task outranks A" :
	     "the tick let another task run");
	fill(c, R_SWITCH, s, aw->card_switch_fmt, sw->sw.prev_depth, sw->sw.next_depth,
	     sw->sw.next_resume[0] ? sw->sw.next_resume : "?");
	if (!to_user) {
		fill(c, R_RETURN_B, s, "B = %s %s", b,
		     lde_is_idle(sw->sw.next_comm, sw->sw.next_pid) ?
		     "is the idle task: it stays in the kernel" :
		     "is a kernel thread: it stays in the kernel");
		fill(c, R_RESTORE_B, s, "not in this step: B stays in the kernel");
	} else {
		fill(c, R_RETURN_B, s, "B = %s, %s", b,
		     bc->next_from_user ? "preempted in user mode" :
		     lde_resumes_new_task(sw) ? "new: via ret_from_fork" :
		     "back to user mode its own way");
		fill(c, R_RESTORE_B, s, "%s; B's PC %#llx, from B's pt_regs",
		     lde_arch_to_user(mode), sw->sw.next_user_ip);
	}
	fill(c, R_PROCESS_B, s, "B = %s runs", b);
}

static void see_step(void *arg, const struct lde_step *s)
{
	struct lde_card *c = arg;

	switch (s->kind) {
	case LDE_STEP_EVENT:
		see_event(c, s);
		break;
	case LDE_STEP_SYSCALL:
		see_syscall(c, s);
		break;
	case LDE_STEP_TICK:
		see_tick(c, s);
		break;
	default:
		break;
	}
}

/* -- rows the run did not show: why ---------------------------------------- */

static bool traced(const struct lde_card *c, enum lde_stage st)
{
	return c->env.stages & 1U << st;
}

static void why_not(struct lde_card *c, enum row_id r, const char *f, ...)
	__attribute__((format(printf, 3, 4)));

static void why_not(struct lde_card *c, enum row_id r, const char *f, ...)
{
	struct card_row *row = &c->row[r];
	char why[EVIDENCE_LEN - 16];
	va_list ap;

	if (row->filled || row->said)
		return;
	row->said = true;
	va_start(ap, f);
	vsnprintf(why, sizeof(why), f, ap);
	va_end(ap);
	snprintf(row->evidence, sizeof(row->evidence), "not seen: %s", why);
	row->step = 0;
}

static const char *not_traced(const struct lde_card *c, char *buf,
			      const char *stage)
{
	snprintf(buf, 96, "%s not traced (-e)", stage);
	return buf;
}

static void boot_rows(struct lde_card *c)
{
	const struct lde_boot *b = c->env.boot;
	const struct lde_arch_words *aw = lde_arch_words();
	char vec[LDE_ARCH_TEXT_LEN];

	if (b->module) {
		fill(c, R_BOOT_TABLE, NULL, "read back from %d CPU%s: %s",
		     b->cpus, b->cpus == 1 ? "" : "s",
		     b->same_on_all_cpus ? "the same on all" :
		     "NOT the same on all");
		fill(c, R_BOOT_REMEMBER, NULL, "%s%s%s%s%s = %s; %s = %s",
		     b->trap_table[0] ? aw->trap_table_reg : "",
		     b->trap_table[0] ? " = " : "", b->trap_table,
		     b->trap_table[0] ? "; " : "", aw->syscall_reg,
		     b->syscall_entry,
		     lde_arch_vector(vec, b->timer_vector), b->timer_handler);
		if (b->timer_irq_handler[0])
			/* arm64: the arch timer's IRQ, handler and rate. */
			fill(c, R_BOOT_START_TIMER, NULL,
			     "HZ %d: a tick every %d ms; IRQ %d %s, %.1f MHz",
			     b->hz, b->hz ? 1000 / b->hz : 0, b->timer_irq,
			     b->timer_irq_handler, b->timer_counter_hz / 1e6);
		else
			fill(c, R_BOOT_START_TIMER, NULL,
			     "HZ %d: a tick every %d ms", b->hz,
			     b->hz ? 1000 / b->hz : 0);
	} else {
		why_not(c, R_BOOT_TABLE, "lde.ko was not loaded: it reads what the CPUs hold");
		why_not(c, R_BOOT_REMEMBER, "%s", aw->boot_needs_module);
		why_not(c, R_BOOT_START_TIMER, "HZ needs lde.ko");
	}
	if (b->clockevent[0])
		fill(c, R_BOOT_TIMER, NULL, "clockevent %s%s",
		     b->clockevent, b->clockevent_same ? ", on every CPU" :
		     " (CPU 0's)");
	else
		why_not(c, R_BOOT_TIMER, "no clockevent in sysfs");
	c->row[R_BOOT_TABLE].step = c->row[R_BOOT_REMEMBER].step = 0;
}

static void explain_missing(struct lde_card *c)
{
	char buf[96];
	int hz = c->env.boot->module ? c->env.boot->hz : 0;

	if (!traced(c, LDE_STAGE_FORK))
		why_not(c, R_CREATE, "%s", not_traced(c, buf, "fork"));
	why_not(c, R_CREATE, "the command was forked before tracing began, and made no process of its own");
	if (!traced(c, LDE_STAGE_EXEC))
		why_not(c, R_LOAD, "%s", not_traced(c, buf, "exec"));
	why_not(c, R_LOAD, "no execve in this trace");
	if (!traced(c, LDE_STAGE_RETURN)) {
		why_not(c, R_SETUP, "%s", not_traced(c, buf, "return"));
		why_not(c, R_ENTER, "%s", not_traced(c, buf, "return"));
	}
	why_not(c, R_SETUP, "no successful execve in this trace");
	why_not(c, R_ENTER, "no successful execve in this trace");
	if (!traced(c, LDE_STAGE_TRAP) || !traced(c, LDE_STAGE_RETURN)) {
		static const enum row_id calls[] = {
			R_MAIN, R_CALL, R_SAVE, R_HANDLE, R_RETURN, R_RESTORE,
			R_EXIT_CALL
		};
		unsigned int i;

		for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
			why_not(c, calls[i], "%s", not_traced(c, buf,
				traced(c, LDE_STAGE_TRAP) ? "return" : "trap"));
	}
	why_not(c, R_MAIN, "the program made no system call after its execve");
	why_not(c, R_CALL, "no system call of the program returned");
	why_not(c, R_SAVE, "no system call of the program returned");
	why_not(c, R_HANDLE, "no system call of the program returned");
	why_not(c, R_RETURN, "no system call of the program returned");
	why_not(c, R_RESTORE, "no system call of the program returned");
	why_not(c, R_EXIT_CALL, "the program's exit_group() was not seen");
	if (!traced(c, LDE_STAGE_EXIT))
		why_not(c, R_FREE, "%s", not_traced(c, buf, "exit"));
	why_not(c, R_FREE, "the program did not exit while traced");
	if (!traced(c, LDE_STAGE_REAP))
		why_not(c, R_REMOVE, "%s", not_traced(c, buf, "reap"));
	why_not(c, R_REMOVE, "the program was not reaped while traced");
	/* Figure 6.3: one reason for all its rows. */
	if (!traced(c, LDE_STAGE_TIMER) || !traced(c, LDE_STAGE_SWITCH))
		snprintf(buf, sizeof(buf), "%s not traced (-e)",
			 !traced(c, LDE_STAGE_TIMER) ? "timer" : "switch");
	else if (!c->user_ticks)
		snprintf(buf, sizeof(buf), "no tick in user mode (the program never ran a whole %d ms tick)",
			 hz ? 1000 / hz : 4);
	else
		snprintf(buf, sizeof(buf), "%lu tick%s in user mode, none took the CPU (no other task wanted it)",
			 c->user_ticks, c->user_ticks > 1 ? "s" : "");
	for (int r = R_PROCESS_A; r <= R_PROCESS_B; r++)
		why_not(c, r, "%s", buf);
}

bool lde_card_row(const struct lde_card *c, int i,
		  struct lde_card_row_info *info)
{
	if (i < 0 || i >= NROWS)
		return false;
	info->figure = book[i].figure;
	info->column = book[i].column;
	info->book = book[i].book;
	info->evidence = c->row[i].evidence;
	info->filled = c->row[i].filled;
	info->step = c->row[i].step;
	info->t0 = c->row[i].t0;
	info->t1 = c->row[i].t1;
	info->cpu = c->row[i].cpu;
	return true;
}

struct lde_card *lde_card_new(const struct lde_view_env *env)
{
	struct lde_card *c = calloc(1, sizeof(*c));
	struct lde_story_opts so = {
		.all = true,	/* the card sees every step anyway */
		.traps = env->stages & 1U << LDE_STAGE_TRAP,
	};
	struct lde_story_sink sink = { .each = see_step };

	if (!c)
		return NULL;
	sink.arg = c;
	c->env = *env;
	c->story = lde_story_new(&so, &sink);
	if (!c->story) {
		free(c);
		return NULL;
	}
	c->exit_group_nr = lde_syscall_nr("exit_group");
	c->exit_nr = lde_syscall_nr("exit");
	return c;
}

void lde_card_event(struct lde_card *c, const struct lde_event *e)
{
	lde_story_event(c->story, e);
}

void lde_card_finish(struct lde_card *c)
{
	if (c->finished)
		return;
	c->finished = true;
	lde_story_end(c->story);
	boot_rows(c);
	explain_missing(c);
}

void lde_card_free(struct lde_card *c)
{
	if (!c)
		return;
	lde_story_free(c->story);
	free(c);
}

/* -- the view: -F ---------------------------------------------------------- */

static bool card_wanted(const struct lde_view_env *env)
{
	return env->figure;
}

static void *card_start(const struct lde_view_env *env, struct lde_line *out)
{
	return lde_card_new(env);
}

static void card_event(void *state, struct lde_line *out,
		       const struct lde_event *e)
{
	lde_card_event(state, e);
}

static int card_end(void *state, struct lde_line *out,
		    const struct lde_view_end *end)
{
	struct lde_card *c = state;

	lde_card_finish(c);
	lde_card_draw(c, out, end->kernel, c->env.width);
	lde_card_free(c);
	return 0;
}

const struct lde_view_ops lde_card_view = {
	.name = "the card (-F)",
	.story = true,
	.time_order = true,
	.wanted = card_wanted,
	.start = card_start,
	.event = card_event,
	.end = card_end,
};
