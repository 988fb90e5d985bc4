// SPDX-License-Identifier: GPL-2.0
/*
 * The protocol view's words (-P, and the handout's protocol): for each
 * kind of step, the rows of OSTEP's Figures 6.2 and 6.3 it makes, what
 * the book says and, in brackets, the facts of this run that show it.
 * The columns they go in are lde_render_protocol.c's.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lde_arch_words.h"
#include "lde_names.h"
#include "lde_protocol.h"
#include "lde_syscalls.h"

const char *lde_protocol_fmt(char *buf, const char *f, ...)
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

void lde_protocol_rows_boot(struct lde_protocol *d)
{
	const struct lde_arch_words *aw = lde_arch_words();
	char a[TEXT_LEN], b[TEXT_LEN];
	char tv[LDE_ARCH_TEXT_LEN], fv[LDE_ARCH_TEXT_LEN];
	char table[LDE_BOOT_NAME_LEN + 32] = "";

	lde_protocol_row(d, "OS @ boot (kernel mode)", "Hardware", "");
	lde_protocol_rule(d);
	/* arm64: the table itself is in a register, VBAR_EL1 = vectors. */
	if (d->boot->trap_table[0])
		snprintf(table, sizeof(table), "trap table [%s = %s], ",
			 aw->trap_table_reg, d->boot->trap_table);
	if (d->boot->module) {
		lde_protocol_row(d, lde_protocol_fmt(a, "initialize trap table [%s %d CPUs; lde.ko's toy table: %d entries, %s]",
			   d->boot->same_on_all_cpus ? "the same on all" :
			   "NOT the same on all", d->boot->cpus,
			   d->boot->toy_entries, d->boot->toy_read_only ?
			   "read-only" : "writable"),
		    lde_protocol_fmt(b, "remember %ssyscall handler [%s: %s], timer handler [%s: %s], fault handler [%s: %s]",
			table, aw->syscall_reg, d->boot->syscall_entry,
			lde_arch_vector(tv, d->boot->timer_vector),
			d->boot->timer_handler,
			lde_arch_vector(fv, d->boot->fault_vector),
			d->boot->fault_handler),
		    "");
	} else {
		lde_protocol_row(d, "initialize trap table [load lde.ko to read what the CPUs hold]",
		    "remember address of syscall handler, timer handler [needs lde.ko]",
		    "");
	}
	if (d->boot->module && d->boot->timer_irq_handler[0])
		lde_protocol_fmt(a, "start interrupt timer [clockevent %s, HZ %d: a tick every %d ms; IRQ %d: %s, counter at %.1f MHz]",
		    d->boot->clockevent[0] ? d->boot->clockevent : "?", d->boot->hz,
		    d->boot->hz ? 1000 / d->boot->hz : 0, d->boot->timer_irq,
		    d->boot->timer_irq_handler, d->boot->timer_counter_hz / 1e6);
	else if (d->boot->module)
		lde_protocol_fmt(a, "start interrupt timer [clockevent %s, HZ %d: a tick every %d ms]",
		    d->boot->clockevent[0] ? d->boot->clockevent : "?", d->boot->hz,
		    d->boot->hz ? 1000 / d->boot->hz : 0);
	else
		lde_protocol_fmt(a, "start interrupt timer [clockevent %s; HZ needs lde.ko]",
		    d->boot->clockevent[0] ? d->boot->clockevent : "?");
	lde_protocol_row(d, a, "start timer; interrupt CPU every tick", "");
	lde_line_char(d->l, '\n');
}

void lde_protocol_rows_header(struct lde_protocol *d)
{
	lde_protocol_row(d, "OS @ run (kernel mode)", "Hardware", "Program (user mode)");
	lde_protocol_rule(d);
}

void lde_protocol_rows_trap(struct lde_protocol *d, const struct lde_event *e)
{
	char a[TEXT_LEN], b[TEXT_LEN], w[40], args[320];
	char mode[LDE_ARCH_TEXT_LEN];
	bool toy = e->stage == LDE_STAGE_LDE_TRAP;
	const char *name = toy ? lde_toy_syscall_name(e->trap.nr) :
			   lde_call_name(e->trap.nr, e->trap.compat);

	if (toy) {
		lde_protocol_row(d, "", "",
		    lde_protocol_fmt(a, "%s: toy %s() through ioctl(/dev/lde) [ip %#llx]",
			lde_story_who(w, e->comm, e->tid), name, e->trap.ip));
		lde_protocol_row(d, lde_protocol_fmt(b, "lde.ko: handle trap: toy table[%d] = %s [%s]",
			   e->trap.nr, name,
			   lde_arch_to_kernel(mode, e->trap.cpl)), "", "");
		return;
	}
	lde_protocol_row(d, "",
	    lde_protocol_fmt(b, "save regs to kernel stack; move to kernel mode [%s]; jump to trap handler [%s]",
		lde_arch_to_kernel(mode, e->trap.cpl),
		handler(d, d->boot->syscall_entry)),
	    lde_protocol_fmt(a, "%s: %s(%s) traps [ip %#llx, sp %#llx]",
		lde_story_who(w, e->comm, e->tid), name,
		args_text(args, sizeof(args), e), e->trap.ip, e->trap.sp));
	lde_protocol_row(d, lde_protocol_fmt(a, "handle trap: %s [syscall %d]", name, e->trap.nr),
	    "", "");
}

void lde_protocol_rows_return(struct lde_protocol *d, const struct lde_event *e,
			      const struct lde_step_context *c)
{
	char a[TEXT_LEN], b[TEXT_LEN], w[96], r[RET_TEXT_LEN];
	char mode[LDE_ARCH_TEXT_LEN];
	bool toy = e->stage == LDE_STAGE_LDE_RETURN;
	const char *name = toy ? lde_toy_syscall_name(e->ret.nr) :
			   lde_call_name(e->ret.nr, e->ret.compat);

	if (toy) {
		lde_protocol_row(d, lde_protocol_fmt(a, "lde.ko: return-from-trap: toy %s = %lld [%llu ns in handler]",
			   name, e->ret.ret, e->ret.kernel_ns), "", "");
		return;
	}
	lde_protocol_row(d, lde_protocol_fmt(a, "return-from-trap: %s = %s [%llu ns in kernel]", name,
		   ret_text(r, e->ret.nr, e->ret.ret), e->ret.kernel_ns),
	    "", "");
	if (c->trap_ip)
		lde_protocol_fmt(b, "restore regs from kernel stack; move to user mode [%s]; jump to PC after trap [%#llx]",
		    lde_arch_to_user(mode), c->trap_ip);
	else
		lde_protocol_fmt(b, "restore regs from kernel stack; move to user mode [%s]; jump to PC after trap",
		    lde_arch_to_user(mode));
	lde_protocol_row(d, "", b, lde_protocol_fmt(a, "%s continues", lde_story_who(w, e->comm, e->tid)));
}

void lde_protocol_rows_exec_return(struct lde_protocol *d,
				   const struct lde_event *e)
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
	lde_protocol_row(d, lde_protocol_fmt(a, "execve = 0 [%llu ns in kernel]: set up user stack with argv [argc %u: %s]; fill kernel stack with reg/PC [%s; PC %#llx]; return-from-trap",
		   e->ret.kernel_ns, e->exec_ret.argc, c,
		   e->exec_ret.regs_cleared ? "every register 0" :
		   "registers NOT all 0", e->exec_ret.entry_ip), "", "");
	lde_protocol_row(d, "",
	    lde_protocol_fmt(b, "restore regs from kernel stack; move to user mode [%s]; jump to the program's entry [%#llx, sp %#llx] (Linux: the ELF entry, ld.so's for a dynamic program, not main)",
		lde_arch_to_user(mode), e->exec_ret.entry_ip,
		e->exec_ret.user_sp),
	    lde_protocol_fmt(a, "%s starts; its C library calls main later",
		lde_story_who(w, e->comm, e->tid)));
}

void lde_protocol_rows_timer(struct lde_protocol *d, const struct lde_event *e,
			     bool switch_follows)
{
	char a[TEXT_LEN], b[TEXT_LEN], w[40];

	if (e->timer.mode != LDE_TIMER_USER) {
		lde_protocol_row(d, "", lde_protocol_fmt(b, "timer interrupt (in kernel mode); jump to %s",
			       handler(d, d->boot->timer_handler)),
		    lde_protocol_fmt(a, "%s in the kernel", lde_story_who(w, e->comm, e->tid)));
		return;
	}
	lde_protocol_row(d, "",
	    lde_protocol_fmt(b, "timer interrupt: save regs(A) to k-stack(A) [user PC %#llx]; move to kernel mode; jump to trap handler [%s]",
		e->timer.ip, handler(d, d->boot->timer_handler)),
	    lde_protocol_fmt(a, "A = %s runs [ip %#llx]", lde_story_who(w, e->comm, e->tid),
		e->timer.ip));
	if (!switch_follows)
		lde_protocol_row(d, "handle the trap: no switch; return-from-trap to A", "",
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

void lde_protocol_rows_switch(struct lde_protocol *d, const struct lde_event *e,
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
		lde_protocol_row(d, lde_protocol_fmt(a, "lde.ko sees switch(): %s -> %s [%s; k-stack depth %u -> %u]",
			   w, n, e->sw.nonvoluntary ? "preempted" : "voluntary",
			   e->sw.prev_depth, e->sw.next_depth), "", "");
		return;
	}
	/* Why the OS calls switch(), as the kernel decided it. */
	if (e->sw.blocked_nr >= 0)
		prev_nr = e->sw.blocked_nr;
	if (idle_prev && lde_resumes_new_task(e))
		lde_protocol_fmt(b, "%s, new, can run; the idle task calls switch()", n);
	else if (idle_prev)
		lde_protocol_fmt(b, "%s can run again (woken); the idle task calls switch()",
		    n);
	else if (!e->sw.nonvoluntary && prev_nr >= 0)
		lde_protocol_fmt(b, "%s blocks in %s(): calls switch() [voluntary]", w,
		    lde_syscall_name(prev_nr));
	else if (!e->sw.nonvoluntary && c->prev_user)
		lde_protocol_fmt(b, "%s blocks outside a system call (a page fault waiting for I/O): calls switch() [voluntary]",
		    w);
	else if (!e->sw.nonvoluntary)
		lde_protocol_fmt(b, "%s blocks: calls switch() [voluntary]", w);
	else if (e->sw.reason == LDE_REASON_YIELD)
		lde_protocol_fmt(b, "%s yields the CPU (sched_yield()): call switch()", w);
	else if (e->sw.reason == LDE_REASON_WAKEUP)
		lde_protocol_fmt(b, "%s is still runnable, but the wakeup of %s outranks it: call switch() [preempted]",
		    w, who_by(by, e));
	else if (e->sw.reason == LDE_REASON_SLICE)
		lde_protocol_fmt(b, "%s is still runnable, its slice is used up (found when %s was woken and enqueued): call switch() [preempted]",
		    w, who_by(by, e));
	else if (after_tick && e->sw.reason == LDE_REASON_TICK)
		lde_protocol_fmt(b, "handle the trap: %s is still runnable, its slice is used up (the timer interrupt set need-resched); call switch() [preempted]",
		    w);
	else if (e->sw.reason == LDE_REASON_TICK)
		lde_protocol_fmt(b, "%s is still runnable, its slice used up at a timer interrupt: call switch() [preempted]",
		    w);
	else
		lde_protocol_fmt(b, "%s is still runnable: call switch() [preempted]", w);
	lde_protocol_row(d, b, "", "");
	if (idle_prev)
		lde_protocol_fmt(a, "switch(): restore regs(B = %s) from proc_t(B) [B->%s, k-stack depth %u]; switch to k-stack(B) [resumes at %s]%s",
		    n, ctx, e->sw.next_depth, resume, b_waited(waited, e));
	else if (idle_next)
		lde_protocol_fmt(a, "switch(): save regs(A = %s) to proc_t(A) [k-stack depth %u, kept in A->%s]; switch to the idle task [resumes at %s]: the CPU waits",
		    w, e->sw.prev_depth, ctx, resume);
	else
		lde_protocol_fmt(a, "switch(): save regs(A = %s) to proc_t(A) [k-stack depth %u, kept in A->%s]; restore regs(B = %s) from proc_t(B) [B->%s, depth %u]; switch to k-stack(B) [B resumes at %s]%s",
		    w, e->sw.prev_depth, ctx, n, ctx, e->sw.next_depth,
		    resume, b_waited(waited, e));
	lde_protocol_row(d, a, "", "");
	if (idle_next)
		return;
	if (!e->sw.next_user_ip) {
		lde_protocol_row(d, lde_protocol_fmt(a, "B = %s is a kernel thread: it never returns to user mode", n),
		    "", "");
		return;
	}
	/*
	 * B never ran: its kernel stack is its parent's trap frame, copied
	 * at fork with the return value 0, and ret_from_fork leaves the
	 * kernel through it (ret_from_fork_asm on 6.12).
	 */
	if (lde_resumes_new_task(e)) {
		lde_protocol_row(d, "return-from-trap (into B): B is new, and returns from the trap its parent made to create it",
		    lde_protocol_fmt(b, "restore regs(B) from k-stack(B) [copied from the parent's at fork, return value 0]; move to user mode [%s]; jump to PC after the parent's trap [%#llx]",
			lde_arch_to_user(mode), e->sw.next_user_ip),
		    lde_protocol_fmt(a, e->sw.next_pid == e->sw.next_tid ?
			"B = %s starts: its fork returns 0 here" :
			"B = %s, a new thread, starts: its clone returns 0 here",
			n));
		return;
	}
	/* B was preempted in user mode: it goes back there. */
	if (c->next_from_user) {
		lde_protocol_row(d, "return-from-trap (into B)",
		    lde_protocol_fmt(b, "restore regs(B) from k-stack(B); move to user mode; jump to B's PC [%#llx]",
			e->sw.next_user_ip),
		    lde_protocol_fmt(a, "B = %s runs", n));
		return;
	}
	if (next_nr >= 0 || !d->opts.traps || !c->next_seen) {
		if (!d->opts.traps || !c->next_seen) {
			lde_protocol_row(d, "B goes on where it stopped", "",
			    lde_protocol_fmt(a, "[B's user PC: %#llx]",
				e->sw.next_user_ip));
			return;
		}
		lde_protocol_row(d, lde_protocol_fmt(a, "B goes on with its %s() in the kernel",
			   lde_syscall_name(next_nr)), "", "");
		return;
	}
	lde_protocol_row(d, "return-from-trap (into B)",
	    lde_protocol_fmt(b, "restore regs(B) from k-stack(B); move to user mode; jump to B's PC [%#llx]",
		e->sw.next_user_ip),
	    lde_protocol_fmt(a, "B = %s runs", n));
}

void lde_protocol_rows_other(struct lde_protocol *d, const struct lde_event *e)
{
	char a[TEXT_LEN], b[TEXT_LEN], w[40], by[40];
	int code;

	lde_story_who(w, e->comm, e->tid);
	switch (e->stage) {
	case LDE_STAGE_FORK:
		if (e->fork.child_pid == e->pid)
			lde_protocol_fmt(a, "create a task: thread %u of %s", e->fork.child_tid,
			    w);
		else
			lde_protocol_fmt(a, "create entry for process list: process %u [fork by %s]",
			    e->fork.child_pid, w);
		lde_protocol_row(d, a, "", "");
		return;
	case LDE_STAGE_EXEC:
		lde_protocol_row(d, lde_protocol_fmt(a, "allocate memory for program (a new address space), load program into memory: %.*s [in %s]",
			   LDE_PATH_LEN, e->exec.filename, w), "", "");
		return;
	case LDE_STAGE_EXIT:
		code = e->exit.code;	/* an exit's bytes only (lde_event_size) */
		if (code & 0x7f)
			lde_protocol_fmt(b, "killed by %s", lde_signal_name(code & 0x7f));
		else
			lde_protocol_fmt(b, "exit status %d", (code >> 8) & 0xff);
		lde_protocol_row(d, lde_protocol_fmt(a, "free memory of process: its last thread %s exits [%s]",
			   w, b), "", "");
		return;
	case LDE_STAGE_REAP:
		lde_protocol_row(d, lde_protocol_fmt(a, "remove from process list: process %u [reaped by %s]",
			   e->pid, lde_story_who(by, e->reap.by_comm, e->reap.by_tid)),
		    "", "");
		return;
	case LDE_STAGE_FAULT:
		lde_protocol_row(d, "",
		    lde_protocol_fmt(b, "illegal operation: exception; save regs; move to kernel mode; jump to trap handler [%s]",
			e->fault.sig == 11 ? handler(d, d->boot->fault_handler) :
			"its handler"),
		    lde_protocol_fmt(a, "%s faults [addr %#llx]", w, e->fault.addr));
		lde_protocol_row(d, lde_protocol_fmt(a, "kill the offender: %s [si_code %d]",
			   lde_signal_name(e->fault.sig), e->fault.code), "", "");
		return;
	}
}

