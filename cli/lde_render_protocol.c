// SPDX-License-Identifier: GPL-2.0
/*
 * OSTEP's protocol view (-P): Figures 6.2 and 6.3 filled in by the running
 * kernel.  Three columns, as in the book: OS (kernel mode) | Hardware |
 * Program (user mode); each row says what the book says and, in brackets,
 * the fact from the live kernel that shows it (a PC, a CPL, argv, a
 * symbol).  Columns have fixed widths; longer text wraps inside its
 * column, so the separators always line up.
 *
 * What the steps are, and which are folded, is the story's
 * (lde_story.c); this file draws them.  Each step's first row opens with
 * its number (#12), a fold's with the numbers it holds (#12-20): the card
 * (-F) and the handout point at them.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lde_arch_words.h"
#include "lde_names.h"
#include "lde_render.h"
#include "lde_story.h"
#include "lde_syscalls.h"

#define COLS		3
#define OS		0
#define HW		1
#define PROG		2
#define TEXT_LEN	512

/* One protocol view: where it draws, how wide, and its story. */
struct lde_protocol {
	struct lde_line *l;		/* the text being appended to */
	struct lde_protocol_opts opts;
	const struct lde_boot *boot;
	int width[COLS];
	/* Put before the OS column of the next row: the step's number. */
	char tag[48];
	struct lde_story *story;
};

/* -- rows: text wrapped inside fixed-width columns ------------------------- */

static void row(struct lde_protocol *d, const char *os, const char *hw,
		const char *prog)
{
	const char *text[COLS] = { os, hw, prog };
	struct lde_line *l = d->l;
	char tagged[TEXT_LEN + 64];
	bool more = true;
	int c;

	/* A step's first row opens with its number. */
	if (d->tag[0]) {
		snprintf(tagged, sizeof(tagged), "%s%s%s", d->tag,
			 os[0] ? " " : "", os);
		text[0] = tagged;
		d->tag[0] = '\0';
	}
	while (more) {
		more = false;
		for (c = 0; c < COLS; c++) {
			size_t n = lde_text_piece_len(text[c], d->width[c]);
			char *col = l->end;

			lde_line_mem(l, text[c], n);
			text[c] += n;
			while (*text[c] == ' ')
				text[c]++;
			if (*text[c])
				more = true;
			if (c < COLS - 1) {
				lde_line_column(l, col, d->width[c]);
				lde_line_lit(l, "| ");
			}
		}
		/* No trailing blanks after the last column. */
		while (l->end > l->buf && l->end[-1] == ' ')
			l->end--;
		lde_line_char(l, '\n');
	}
}

static void rule(struct lde_protocol *d)
{
	int c, i;

	for (c = 0; c < COLS; c++) {
		/* A column, the space before its text and the one after. */
		for (i = 0; i < d->width[c] + (c == 1 ? 2 : 1); i++)
			lde_line_char(d->l, '-');
		if (c < COLS - 1)
			lde_line_char(d->l, '+');
	}
	lde_line_char(d->l, '\n');
}

static const char *fmt(char *buf, const char *f, ...)
	__attribute__((format(printf, 2, 3)));

static const char *fmt(char *buf, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vsnprintf(buf, TEXT_LEN, f, ap);
	va_end(ap);
	return buf;
}

static const char *handler(const struct lde_protocol *d, const char *name)
{
	return d->boot && d->boot->module ? name : "the trap handler";
}

/* An errno as strace writes it: -1 ENOENT (No such file or directory). */
/* A return value as strace shows it; buf holds RET_TEXT_LEN. */
#define RET_TEXT_LEN	160

static const char *ret_text(char *buf, long long nr, long long ret)
{
	struct lde_line l;

	lde_line_start(&l, buf, RET_TEXT_LEN - 1);
	lde_syscall_ret_text(&l, nr, ret);
	*l.end = '\0';
	return buf;
}

/*
 * A trap's arguments for people: pointers left out (the JSON and -S keep
 * them), cut with "..." where they do not fit buf.
 */
static const char *args_text(char *buf, size_t size,
			     const struct lde_event *e)
{
	struct lde_line l;

	/* Room kept for "..." and the NUL. */
	lde_line_start(&l, buf, size - 4);
	lde_syscall_args_text(&l, e, NULL, true);
	if (!lde_line_room(&l)) {
		memcpy(l.end, "...", 3);
		l.end += 3;
	}
	*l.end = '\0';
	return buf;
}

/* -- the chapter's rows, one function per step ----------------------------- */

static void rows_boot(struct lde_protocol *d)
{
	const struct lde_arch_words *aw = lde_arch_words();
	char a[TEXT_LEN], b[TEXT_LEN];
	char tv[LDE_ARCH_TEXT_LEN], fv[LDE_ARCH_TEXT_LEN];

	row(d, "OS @ boot (kernel mode)", "Hardware", "");
	rule(d);
	if (d->boot->module) {
		row(d, fmt(a, "initialize trap table [%s%s%s%s%s %d CPUs; lde.ko's toy table: %d entries, %s]",
			   d->boot->trap_table[0] ? aw->trap_table_reg : "",
			   d->boot->trap_table[0] ? " = " : "",
			   d->boot->trap_table,
			   d->boot->trap_table[0] ? ", " : "",
			   d->boot->same_on_all_cpus ? "the same on all" :
			   "NOT the same on all", d->boot->cpus,
			   d->boot->toy_entries, d->boot->toy_read_only ?
			   "read-only" : "writable"),
		    fmt(b, "remember syscall handler [%s: %s], timer handler [%s: %s], fault handler [%s: %s]",
			aw->syscall_reg, d->boot->syscall_entry,
			lde_arch_vector(tv, d->boot->timer_vector),
			d->boot->timer_handler,
			lde_arch_vector(fv, d->boot->fault_vector),
			d->boot->fault_handler),
		    "");
	} else {
		row(d, "initialize trap table [load lde.ko to read what the CPUs hold]",
		    "remember address of syscall handler, timer handler [needs lde.ko]",
		    "");
	}
	if (d->boot->module)
		fmt(a, "start interrupt timer [clockevent %s, HZ %d: a tick every %d ms]",
		    d->boot->clockevent[0] ? d->boot->clockevent : "?", d->boot->hz,
		    d->boot->hz ? 1000 / d->boot->hz : 0);
	else
		fmt(a, "start interrupt timer [clockevent %s; HZ needs lde.ko]",
		    d->boot->clockevent[0] ? d->boot->clockevent : "?");
	row(d, a, "start timer; interrupt CPU every tick", "");
	lde_line_char(d->l, '\n');
}

static void rows_header(struct lde_protocol *d)
{
	row(d, "OS @ run (kernel mode)", "Hardware", "Program (user mode)");
	rule(d);
}

static void rows_trap(struct lde_protocol *d, const struct lde_event *e)
{
	char a[TEXT_LEN], b[TEXT_LEN], w[40], args[320];
	char mode[LDE_ARCH_TEXT_LEN];
	bool toy = e->stage == LDE_STAGE_LDE_TRAP;
	const char *name = toy ? lde_toy_syscall_name(e->trap.nr) :
			   lde_call_name(e->trap.nr, e->trap.compat);

	if (toy) {
		row(d, "", "",
		    fmt(a, "%s: toy %s() through ioctl(/dev/lde) [ip %#llx]",
			lde_story_who(w, e->comm, e->tid), name, e->trap.ip));
		row(d, fmt(b, "lde.ko: handle trap: toy table[%d] = %s [%s]",
			   e->trap.nr, name,
			   lde_arch_to_kernel(mode, e->trap.cpl)), "", "");
		return;
	}
	row(d, "",
	    fmt(b, "save regs to kernel stack; move to kernel mode [%s]; jump to trap handler [%s]",
		lde_arch_to_kernel(mode, e->trap.cpl),
		handler(d, d->boot->syscall_entry)),
	    fmt(a, "%s: %s(%s) traps [ip %#llx, sp %#llx]",
		lde_story_who(w, e->comm, e->tid), name,
		args_text(args, sizeof(args), e), e->trap.ip, e->trap.sp));
	row(d, fmt(a, "handle trap: %s [syscall %d]", name, e->trap.nr),
	    "", "");
}

static void rows_return(struct lde_protocol *d, const struct lde_event *e,
			const struct lde_step_context *c)
{
	char a[TEXT_LEN], b[TEXT_LEN], w[96], r[RET_TEXT_LEN];
	char mode[LDE_ARCH_TEXT_LEN];
	bool toy = e->stage == LDE_STAGE_LDE_RETURN;
	const char *name = toy ? lde_toy_syscall_name(e->ret.nr) :
			   lde_call_name(e->ret.nr, e->ret.compat);

	if (toy) {
		row(d, fmt(a, "lde.ko: return-from-trap: toy %s = %lld [%llu ns in handler]",
			   name, e->ret.ret, e->ret.kernel_ns), "", "");
		return;
	}
	row(d, fmt(a, "return-from-trap: %s = %s [%llu ns in kernel]", name,
		   ret_text(r, e->ret.nr, e->ret.ret), e->ret.kernel_ns),
	    "", "");
	if (c->trap_ip)
		fmt(b, "restore regs from kernel stack; move to user mode [%s]; jump to PC after trap [%#llx]",
		    lde_arch_to_user(mode), c->trap_ip);
	else
		fmt(b, "restore regs from kernel stack; move to user mode [%s]; jump to PC after trap",
		    lde_arch_to_user(mode));
	row(d, "", b, fmt(a, "%s continues", lde_story_who(w, e->comm, e->tid)));
}

static void rows_exec_return(struct lde_protocol *d, const struct lde_event *e)
{
	char a[TEXT_LEN], b[TEXT_LEN], c[TEXT_LEN], w[40], *p = c;
	char mode[LDE_ARCH_TEXT_LEN];
	unsigned int i;

	for (i = 0; i < e->exec_ret.argv_read && i < LDE_ARGV_MAX; i++) {
		struct lde_line arg;

		lde_line_start(&arg, p, c + sizeof(c) - 8 - p);
		lde_line_json_str(&arg, e->exec_ret.argv[i], LDE_ARG_LEN);
		if (e->exec_ret.argv_cut & (1U << i))
			lde_line_lit(&arg, "...");
		lde_line_char(&arg, ' ');
		p = arg.end;
	}
	if (e->exec_ret.argv_read < e->exec_ret.argc)
		p += snprintf(p, c + sizeof(c) - p, "... ");
	*p = '\0';
	if (p > c)
		p[-1] = '\0';
	row(d, fmt(a, "execve = 0 [%llu ns in kernel]: set up user stack with argv [argc %u: %s]; fill kernel stack with reg/PC [%s; PC %#llx]; return-from-trap",
		   e->ret.kernel_ns, e->exec_ret.argc, c,
		   e->exec_ret.regs_cleared ? "every register 0" :
		   "registers NOT all 0", e->exec_ret.entry_ip), "", "");
	row(d, "",
	    fmt(b, "restore regs from kernel stack; move to user mode [%s]; jump to the program's entry [%#llx, sp %#llx] (Linux: the ELF entry, ld.so's for a dynamic program, not main)",
		lde_arch_to_user(mode), e->exec_ret.entry_ip,
		e->exec_ret.user_sp),
	    fmt(a, "%s starts; its C library calls main later",
		lde_story_who(w, e->comm, e->tid)));
}

static void rows_timer(struct lde_protocol *d, const struct lde_event *e,
		       bool switch_follows)
{
	char a[TEXT_LEN], b[TEXT_LEN], w[40];

	if (e->timer.mode != LDE_TIMER_USER) {
		row(d, "", fmt(b, "timer interrupt (in kernel mode); jump to %s",
			       handler(d, d->boot->timer_handler)),
		    fmt(a, "%s in the kernel", lde_story_who(w, e->comm, e->tid)));
		return;
	}
	row(d, "",
	    fmt(b, "timer interrupt: save regs(A) to k-stack(A) [user PC %#llx]; move to kernel mode; jump to trap handler [%s]",
		e->timer.ip, handler(d, d->boot->timer_handler)),
	    fmt(a, "A = %s runs [ip %#llx]", lde_story_who(w, e->comm, e->tid),
		e->timer.ip));
	if (!switch_follows)
		row(d, "handle the trap: no switch; return-from-trap to A", "",
		    "");
}

/* "X[tid]": the task whose wakeup made a switch. */
static const char *who_by(char *buf, const struct lde_event *e)
{
	lde_story_who(buf, e->sw.by_comm, e->sw.by_tid);
	return buf;
}

/* "; B had waited 1.234 ms for a CPU", when the trace saw B wait. */
static const char *b_waited(char *buf, const struct lde_event *e)
{
	buf[0] = '\0';
	if (e->sw.known & LDE_KNOWN_WAIT)
		snprintf(buf, 48, "; B had waited %.3f ms for a CPU",
			 e->sw.next_wait_ns / 1e6);
	return buf;
}

static void rows_switch(struct lde_protocol *d, const struct lde_event *e,
			const struct lde_step_context *c, bool after_tick)
{
	char a[TEXT_LEN], b[TEXT_LEN], w[40], n[40], by[40], waited[48];
	char mode[LDE_ARCH_TEXT_LEN];
	const char *ctx = lde_arch_words()->switch_ctx;
	bool idle_next = lde_is_idle(e->sw.next_comm, e->sw.next_pid);
	bool idle_prev = lde_is_idle(e->comm, e->pid);
	long long prev_nr = c->prev_nr, next_nr = c->next_nr;
	const char *resume = e->sw.next_resume[0] ? e->sw.next_resume : "?";

	lde_story_who(w, e->comm, e->tid);
	lde_story_who(n, e->sw.next_comm, e->sw.next_tid);
	if (e->stage == LDE_STAGE_LDE_SWITCH) {
		row(d, fmt(a, "lde.ko sees switch(): %s -> %s [%s; k-stack depth %u -> %u]",
			   w, n, e->sw.nonvoluntary ? "preempted" : "voluntary",
			   e->sw.prev_depth, e->sw.next_depth), "", "");
		return;
	}
	/* Why the OS calls switch(), as the kernel decided it. */
	if (e->sw.blocked_nr >= 0)
		prev_nr = e->sw.blocked_nr;
	if (idle_prev && lde_resumes_new_task(e))
		fmt(b, "%s, new, can run; the idle task calls switch()", n);
	else if (idle_prev)
		fmt(b, "%s can run again (woken); the idle task calls switch()",
		    n);
	else if (!e->sw.nonvoluntary && prev_nr >= 0)
		fmt(b, "%s blocks in %s(): calls switch() [voluntary]", w,
		    lde_syscall_name(prev_nr));
	else if (!e->sw.nonvoluntary && c->prev_user)
		fmt(b, "%s blocks outside a system call (a page fault waiting for I/O): calls switch() [voluntary]",
		    w);
	else if (!e->sw.nonvoluntary)
		fmt(b, "%s blocks: calls switch() [voluntary]", w);
	else if (e->sw.reason == LDE_REASON_YIELD)
		fmt(b, "%s yields the CPU (sched_yield()): call switch()", w);
	else if (e->sw.reason == LDE_REASON_WAKEUP)
		fmt(b, "%s is still runnable, but the wakeup of %s outranks it: call switch() [preempted]",
		    w, who_by(by, e));
	else if (e->sw.reason == LDE_REASON_SLICE)
		fmt(b, "%s is still runnable, its slice is used up (found when %s was woken and enqueued): call switch() [preempted]",
		    w, who_by(by, e));
	else if (after_tick && e->sw.reason == LDE_REASON_TICK)
		fmt(b, "handle the trap: %s is still runnable, its slice is used up (the timer interrupt set need-resched); call switch() [preempted]",
		    w);
	else if (e->sw.reason == LDE_REASON_TICK)
		fmt(b, "%s is still runnable, its slice used up at a timer interrupt: call switch() [preempted]",
		    w);
	else
		fmt(b, "%s is still runnable: call switch() [preempted]", w);
	row(d, b, "", "");
	if (idle_prev)
		fmt(a, "switch(): restore regs(B = %s) from proc_t(B) [B->%s, k-stack depth %u]; switch to k-stack(B) [resumes at %s]%s",
		    n, ctx, e->sw.next_depth, resume, b_waited(waited, e));
	else if (idle_next)
		fmt(a, "switch(): save regs(A = %s) to proc_t(A) [k-stack depth %u, kept in A->%s]; switch to the idle task [resumes at %s]: the CPU waits",
		    w, e->sw.prev_depth, ctx, resume);
	else
		fmt(a, "switch(): save regs(A = %s) to proc_t(A) [k-stack depth %u, kept in A->%s]; restore regs(B = %s) from proc_t(B) [B->%s, depth %u]; switch to k-stack(B) [B resumes at %s]%s",
		    w, e->sw.prev_depth, ctx, n, ctx, e->sw.next_depth,
		    resume, b_waited(waited, e));
	row(d, a, "", "");
	if (idle_next)
		return;
	if (!e->sw.next_user_ip) {
		row(d, fmt(a, "B = %s is a kernel thread: it never returns to user mode", n),
		    "", "");
		return;
	}
	/*
	 * B never ran: its kernel stack is its parent's trap frame, copied
	 * at fork with the return value 0, and ret_from_fork leaves the
	 * kernel through it (ret_from_fork_asm on 6.12).
	 */
	if (lde_resumes_new_task(e)) {
		row(d, "return-from-trap (into B): B is new, and returns from the trap its parent made to create it",
		    fmt(b, "restore regs(B) from k-stack(B) [copied from the parent's at fork, return value 0]; move to user mode [%s]; jump to PC after the parent's trap [%#llx]",
			lde_arch_to_user(mode), e->sw.next_user_ip),
		    fmt(a, e->sw.next_pid == e->sw.next_tid ?
			"B = %s starts: its fork returns 0 here" :
			"B = %s, a new thread, starts: its clone returns 0 here",
			n));
		return;
	}
	/* B was preempted in user mode: it goes back there. */
	if (c->next_from_user) {
		row(d, "return-from-trap (into B)",
		    fmt(b, "restore regs(B) from k-stack(B); move to user mode; jump to B's PC [%#llx]",
			e->sw.next_user_ip),
		    fmt(a, "B = %s runs", n));
		return;
	}
	if (next_nr >= 0 || !d->opts.traps || !c->next_seen) {
		if (!d->opts.traps || !c->next_seen) {
			row(d, "B goes on where it stopped", "",
			    fmt(a, "[B's user PC: %#llx]",
				e->sw.next_user_ip));
			return;
		}
		row(d, fmt(a, "B goes on with its %s() in the kernel",
			   lde_syscall_name(next_nr)), "", "");
		return;
	}
	row(d, "return-from-trap (into B)",
	    fmt(b, "restore regs(B) from k-stack(B); move to user mode; jump to B's PC [%#llx]",
		e->sw.next_user_ip),
	    fmt(a, "B = %s runs", n));
}

static void rows_other(struct lde_protocol *d, const struct lde_event *e)
{
	char a[TEXT_LEN], b[TEXT_LEN], w[40], by[40];
	int code = e->exit.code;

	lde_story_who(w, e->comm, e->tid);
	switch (e->stage) {
	case LDE_STAGE_FORK:
		if (e->fork.child_pid == e->pid)
			fmt(a, "create a task: thread %u of %s", e->fork.child_tid,
			    w);
		else
			fmt(a, "create entry for process list: process %u [fork by %s]",
			    e->fork.child_pid, w);
		row(d, a, "", "");
		return;
	case LDE_STAGE_EXEC:
		row(d, fmt(a, "allocate memory for program (a new address space), load program into memory: %.*s [in %s]",
			   LDE_PATH_LEN, e->exec.filename, w), "", "");
		return;
	case LDE_STAGE_EXIT:
		if (code & 0x7f)
			fmt(b, "killed by %s", lde_signal_name(code & 0x7f));
		else
			fmt(b, "exit status %d", (code >> 8) & 0xff);
		row(d, fmt(a, "free memory of process: its last thread %s exits [%s]",
			   w, b), "", "");
		return;
	case LDE_STAGE_REAP:
		row(d, fmt(a, "remove from process list: process %u [reaped by %s]",
			   e->pid, lde_story_who(by, e->reap.by_comm, e->reap.by_tid)),
		    "", "");
		return;
	case LDE_STAGE_FAULT:
		row(d, "",
		    fmt(b, "illegal operation: exception; save regs; move to kernel mode; jump to trap handler [%s]",
			e->fault.sig == 11 ? handler(d, d->boot->fault_handler) :
			"its handler"),
		    fmt(a, "%s faults [addr %#llx]", w, e->fault.addr));
		row(d, fmt(a, "kill the offender: %s [si_code %d]",
			   lde_signal_name(e->fault.sig), e->fault.code), "", "");
		return;
	}
}

/* -- steps, as the story tells them --------------------------------------- */

/* One event's rows: a step of one event, or one of a step's. */
static void rows_event(struct lde_protocol *d, const struct lde_event *e,
		       const struct lde_step_context *c)
{
	switch (e->stage) {
	case LDE_STAGE_TRAP:
	case LDE_EVENT_TRAP_STRINGS:
	case LDE_STAGE_LDE_TRAP:
		rows_trap(d, e);
		break;
	case LDE_STAGE_RETURN:
	case LDE_STAGE_LDE_RETURN:
		rows_return(d, e, c);
		break;
	case LDE_EVENT_EXEC_RETURN:
		rows_exec_return(d, e);
		break;
	case LDE_STAGE_TIMER:
		rows_timer(d, e, false);
		break;
	case LDE_STAGE_SWITCH:
	case LDE_STAGE_LDE_SWITCH:
		rows_switch(d, e, c, false);
		break;
	default:
		rows_other(d, e);
		break;
	}
}

static void step_rows(struct lde_protocol *d, const struct lde_step *s)
{
	switch (s->kind) {
	case LDE_STEP_SYSCALL:
		rows_trap(d, &s->ev[0]);
		if (s->n > 1)
			rows_return(d, &s->ev[1], &s->ctx[1]);
		break;
	case LDE_STEP_BLOCKED:
		rows_switch(d, &s->ev[0], &s->ctx[0], false);
		if (s->n > 1)
			rows_switch(d, &s->ev[1], &s->ctx[1], false);
		break;
	case LDE_STEP_ARRIVAL:
		rows_switch(d, &s->ev[0], &s->ctx[0], false);
		break;
	case LDE_STEP_TICK:
		rows_timer(d, &s->ev[0], s->n > 1);
		if (s->n > 1)
			rows_switch(d, &s->ev[1], &s->ctx[1], true);
		if (s->n > 2)
			rows_switch(d, &s->ev[2], &s->ctx[2], false);
		break;
	case LDE_STEP_EVENT:
		rows_event(d, &s->ev[0], &s->ctx[0]);
		break;
	}
}

static void draw_step(void *arg, const struct lde_step *s)
{
	struct lde_protocol *d = arg;

	snprintf(d->tag, sizeof(d->tag), "#%lu", s->number);
	step_rows(d, s);
	d->tag[0] = '\0';
}

/*
 * The fold's row: its kinds in the order first seen, as many as fit in
 * FOLD_ROW_LEN (six lines of the OS column), the rest counted as others.
 */
#define FOLD_ROW_LEN	320

static void draw_fold(void *arg, const struct lde_fold *fold)
{
	struct lde_protocol *d = arg;
	char a[TEXT_LEN], kind[200];
	int i, n, len, others = fold->other;

	if (fold->first == fold->last)
		snprintf(d->tag, sizeof(d->tag), "#%lu", fold->first);
	else
		snprintf(d->tag, sizeof(d->tag), "#%lu-%lu", fold->first,
			 fold->last);
	len = snprintf(a, sizeof(a), "[%d step%s folded, over %.3f ms]",
		       fold->steps, fold->steps > 1 ? "s" : "",
		       (fold->last_ns - fold->first_ns) / 1e6);
	for (i = 0; i < fold->kinds; i++) {
		n = snprintf(kind, sizeof(kind), "%s %d x %s", i ? ";" : "",
			     fold->kind[i].count, fold->kind[i].what);
		if (i && len + n > FOLD_ROW_LEN) {
			others += fold->kind[i].count;
			continue;
		}
		len += snprintf(a + len, sizeof(a) - len, "%s", kind);
	}
	if (others)
		snprintf(a + len, sizeof(a) - len, "; %d step%s of other kinds",
			 others, others > 1 ? "s" : "");
	row(d, a, "", "");
	d->tag[0] = '\0';
}

void lde_protocol_draw_step(struct lde_protocol *d, struct lde_line *l,
			    const struct lde_step *s)
{
	d->l = l;
	draw_step(d, s);
}

void lde_protocol_draw_fold(struct lde_protocol *d, struct lde_line *l,
			    const struct lde_fold *f)
{
	d->l = l;
	draw_fold(d, f);
}

struct lde_protocol *lde_protocol_new(const struct lde_boot *b,
				      const struct lde_protocol_opts *o)
{
	struct lde_protocol *d = calloc(1, sizeof(*d));
	struct lde_story_opts so = { .all = o->all, .traps = o->traps };
	struct lde_story_sink sink = {
		.step = draw_step,
		.fold = draw_fold,
	};
	int w;

	if (!d)
		return NULL;
	sink.arg = d;
	d->story = lde_story_new(&so, &sink);
	if (!d->story) {
		free(d);
		return NULL;
	}
	d->opts = *o;
	d->boot = b;
	/* Two separators of three characters; the rest shared 40:33:27. */
	w = (d->opts.width < 80 ? 80 : d->opts.width) - 6;
	d->width[OS] = w * 40 / 100;
	d->width[HW] = w * 33 / 100;
	d->width[PROG] = w - d->width[OS] - d->width[HW];
	return d;
}

void lde_protocol_head(struct lde_protocol *d, struct lde_line *l)
{
	d->l = l;
	rows_boot(d);
	rows_header(d);
}

void lde_protocol_feed(struct lde_protocol *d, struct lde_line *l,
		       const struct lde_event *e)
{
	d->l = l;
	lde_story_event(d->story, e);
}

void lde_protocol_finish(struct lde_protocol *d, struct lde_line *l)
{
	char a[TEXT_LEN];
	unsigned long long unkept;
	size_t limit;

	d->l = l;
	lde_story_end(d->story);
	unkept = lde_story_unkept_events(d->story, &limit);
	if (unkept)
		row(d, fmt(a, "[lde-trace keeps what it knows of %zu threads at most: %llu events of threads past them were drawn as if their thread were new]",
			   limit, unkept), "", "");
}

void lde_protocol_free(struct lde_protocol *d)
{
	if (!d)
		return;
	lde_story_free(d->story);
	free(d);
}

/* The -P view of lde-trace's session: one instance. */
static struct lde_protocol *session_view;

void lde_protocol_start(struct lde_line *l, const struct lde_boot *b,
			const struct lde_protocol_opts *o)
{
	session_view = lde_protocol_new(b, o);
	if (session_view)
		lde_protocol_head(session_view, l);
}

void lde_protocol_event(struct lde_line *l, const struct lde_event *e,
			unsigned long long start_ns)
{
	/* Rows carry no times: start_ns is for the renderers that do. */
	if (session_view)
		lde_protocol_feed(session_view, l, e);
}

void lde_protocol_end(struct lde_line *l)
{
	if (!session_view)
		return;
	lde_protocol_finish(session_view, l);
	lde_protocol_free(session_view);
	session_view = NULL;
}
