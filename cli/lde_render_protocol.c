// SPDX-License-Identifier: GPL-2.0
/*
 * OSTEP's protocol view (-P): Figures 6.2 and 6.3 filled in by the running
 * kernel.  Three columns, as in the book: OS (kernel mode) | Hardware |
 * Program (user mode); each row says what the book says and, in brackets,
 * the fact from the live kernel that shows it (a PC, a CPL, argv, a
 * symbol).  Columns have fixed widths; longer text wraps inside its
 * column, so the separators always line up.
 *
 * Events are grouped into the chapter's steps: a system call (its trap and
 * its return), a task blocking and coming back (two switches on one CPU),
 * a timer interrupt (and the switch it caused).  A step that repeats one
 * seen in the last few steps (a thousand getppid calls, fifty waits for
 * page-in I/O during an execve, a spinner's ticks) is folded: the rows are
 * printed once, and one row says what was folded and how many times.
 * Nothing is dropped without a count.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lde_names.h"
#include "lde_render.h"
#include "lde_syscalls.h"

#define COLS		3
#define OS		0
#define HW		1
#define PROG		2
#define TEXT_LEN	512

static struct lde_protocol_opts opts;
static const struct lde_boot *boot;
static int width[COLS];

/* -- rows: text wrapped inside fixed-width columns ------------------------- */

/*
 * The length of the next piece of s that fits in w: broken at a space, or
 * else after a comma, a slash or an underscore, or else cut.
 */
static size_t piece_len(const char *s, size_t w)
{
	size_t n = strlen(s), cut;

	if (n <= w)
		return n;
	for (cut = w; cut > w / 2; cut--)
		if (s[cut] == ' ')
			return cut;
	for (cut = w; cut > w / 2; cut--)
		if (strchr(",/_", s[cut - 1]))
			return cut;
	return w;
}

static void row(struct lde_line *l, const char *os, const char *hw,
		const char *prog)
{
	const char *text[COLS] = { os, hw, prog };
	bool more = true;
	int c;

	while (more) {
		more = false;
		for (c = 0; c < COLS; c++) {
			size_t n = piece_len(text[c], width[c]);
			char *col = l->end;

			lde_line_mem(l, text[c], n);
			text[c] += n;
			while (*text[c] == ' ')
				text[c]++;
			if (*text[c])
				more = true;
			if (c < COLS - 1) {
				lde_line_column(l, col, width[c]);
				lde_line_lit(l, "| ");
			}
		}
		/* No trailing blanks after the last column. */
		while (l->end > l->buf && l->end[-1] == ' ')
			l->end--;
		lde_line_char(l, '\n');
	}
}

static void rule(struct lde_line *l)
{
	int c, i;

	for (c = 0; c < COLS; c++) {
		/* A column, the space before its text and the one after. */
		for (i = 0; i < width[c] + (c == 1 ? 2 : 1); i++)
			lde_line_char(l, '-');
		if (c < COLS - 1)
			lde_line_char(l, '+');
	}
	lde_line_char(l, '\n');
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

/* comm[tid] for a row, control characters as '?' (lde_line_printable). */
static const char *who(char *buf, const char *comm, unsigned int tid)
{
	struct lde_line l;

	lde_line_start(&l, buf, 39);
	lde_line_printable(&l, comm, LDE_COMM_LEN - 1);
	lde_line_char(&l, '[');
	lde_line_u64(&l, tid);
	lde_line_char(&l, ']');
	*l.end = '\0';
	return buf;
}

static bool is_idle(const char *comm, unsigned int pid)
{
	return pid == 0 && !strncmp(comm, "swapper", 7);
}

/* -- what the renderer remembers of each thread ---------------------------- */

#define THREADS		4096

static struct thread {
	unsigned int tid;
	long long open_nr;		/* -1: not in a system call */
	unsigned long long trap_ip;	/* the PC after its last trap */
	bool trapped;			/* a trap of it was seen */
	bool seen;			/* any event of it was seen */
	bool user_tick;			/* its last event: a tick in user mode */
	bool off_from_user;		/* preempted by that tick, not back yet */
} threads[THREADS];

static struct thread *thread(unsigned int tid)
{
	struct thread *t = &threads[tid % THREADS];

	if (t->tid != tid) {
		t->tid = tid;
		t->open_nr = -1;
		t->trap_ip = 0;
		t->trapped = false;
		t->seen = false;
		t->user_tick = false;
		t->off_from_user = false;
	}
	return t;
}

static const char *handler(const char *name)
{
	return boot && boot->module ? name : "the trap handler";
}

/*
 * What the rows of an event need to know of its threads, taken when the
 * event arrives (a held step is drawn later, when they may have moved on).
 */
struct context {
	long long prev_nr, next_nr;	/* their open system calls, or -1 */
	bool prev_user;			/* prev seen trapping: a user task */
	bool next_seen;			/* anything of next seen before */
	bool next_from_user;		/* next left the CPU from user mode */
};

static struct context context_of(const struct lde_event *e)
{
	struct context c = {
		.prev_nr = thread(e->tid)->open_nr,
		.next_nr = -1,
		.prev_user = thread(e->tid)->trapped,
	};

	if (e->stage == LDE_STAGE_SWITCH) {
		c.next_nr = thread(e->sw.next_tid)->open_nr;
		c.next_seen = thread(e->sw.next_tid)->seen;
		c.next_from_user = thread(e->sw.next_tid)->off_from_user;
	}
	return c;
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

static void rows_boot(struct lde_line *l)
{
	char a[TEXT_LEN], b[TEXT_LEN];

	row(l, "OS @ boot (kernel mode)", "Hardware", "");
	rule(l);
	if (boot->module) {
		row(l, fmt(a, "initialize trap table [%s %d CPUs; lde.ko's toy table: %d entries, %s]",
			   boot->same_on_all_cpus ? "the same on all" :
			   "NOT the same on all", boot->cpus,
			   boot->toy_entries, boot->toy_read_only ?
			   "read-only" : "writable"),
		    fmt(b, "remember syscall handler [MSR_LSTAR: %s], timer handler [IDT %d: %s], fault handler [IDT %d: %s]",
			boot->syscall_entry, boot->timer_vector,
			boot->timer_handler, boot->fault_vector,
			boot->fault_handler),
		    "");
	} else {
		row(l, "initialize trap table [load lde.ko to read what the CPUs hold]",
		    "remember address of syscall handler, timer handler [needs lde.ko]",
		    "");
	}
	if (boot->module)
		fmt(a, "start interrupt timer [clockevent %s, HZ %d: a tick every %d ms]",
		    boot->clockevent[0] ? boot->clockevent : "?", boot->hz,
		    boot->hz ? 1000 / boot->hz : 0);
	else
		fmt(a, "start interrupt timer [clockevent %s; HZ needs lde.ko]",
		    boot->clockevent[0] ? boot->clockevent : "?");
	row(l, a, "start timer; interrupt CPU every tick", "");
	lde_line_char(l, '\n');
}

static void rows_header(struct lde_line *l)
{
	row(l, "OS @ run (kernel mode)", "Hardware", "Program (user mode)");
	rule(l);
}

static void rows_trap(struct lde_line *l, const struct lde_event *e)
{
	char a[TEXT_LEN], b[TEXT_LEN], w[40], args[320];
	bool toy = e->stage == LDE_STAGE_LDE_TRAP;
	const char *name = toy ? lde_toy_syscall_name(e->trap.nr) :
			   lde_call_name(e->trap.nr, e->trap.compat);

	if (toy) {
		row(l, "", "",
		    fmt(a, "%s: toy %s() through ioctl(/dev/lde) [ip %#llx]",
			who(w, e->comm, e->tid), name, e->trap.ip));
		row(l, fmt(b, "lde.ko: handle trap: toy table[%d] = %s [CPL %llu -> 0]",
			   e->trap.nr, name, e->trap.cpl), "", "");
		return;
	}
	row(l, "",
	    fmt(b, "save regs to kernel stack; move to kernel mode [CPL %llu -> 0]; jump to trap handler [%s]",
		e->trap.cpl, handler(boot->syscall_entry)),
	    fmt(a, "%s: %s(%s) traps [ip %#llx, sp %#llx]",
		who(w, e->comm, e->tid), name,
		args_text(args, sizeof(args), e), e->trap.ip, e->trap.sp));
	row(l, fmt(a, "handle trap: %s [syscall %d]", name, e->trap.nr),
	    "", "");
}

static void rows_return(struct lde_line *l, const struct lde_event *e)
{
	char a[TEXT_LEN], b[TEXT_LEN], w[96], r[RET_TEXT_LEN];
	struct thread *t = thread(e->tid);
	bool toy = e->stage == LDE_STAGE_LDE_RETURN;
	const char *name = toy ? lde_toy_syscall_name(e->ret.nr) :
			   lde_call_name(e->ret.nr, e->ret.compat);

	if (toy) {
		row(l, fmt(a, "lde.ko: return-from-trap: toy %s = %lld [%llu ns in handler]",
			   name, e->ret.ret, e->ret.kernel_ns), "", "");
		return;
	}
	row(l, fmt(a, "return-from-trap: %s = %s [%llu ns in kernel]", name,
		   ret_text(r, e->ret.nr, e->ret.ret), e->ret.kernel_ns),
	    "", "");
	if (t->trap_ip)
		fmt(b, "restore regs from kernel stack; move to user mode [CPL 0 -> 3]; jump to PC after trap [%#llx]",
		    t->trap_ip);
	else
		fmt(b, "restore regs from kernel stack; move to user mode [CPL 0 -> 3]; jump to PC after trap");
	row(l, "", b, fmt(a, "%s continues", who(w, e->comm, e->tid)));
}

static void rows_exec_return(struct lde_line *l, const struct lde_event *e)
{
	char a[TEXT_LEN], b[TEXT_LEN], c[TEXT_LEN], w[40], *p = c;
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
	row(l, fmt(a, "execve = 0 [%llu ns in kernel]: set up user stack with argv [argc %u: %s]; fill kernel stack with reg/PC [%s; PC %#llx]; return-from-trap",
		   e->ret.kernel_ns, e->exec_ret.argc, c,
		   e->exec_ret.regs_cleared ? "every register 0" :
		   "registers NOT all 0", e->exec_ret.entry_ip), "", "");
	row(l, "",
	    fmt(b, "restore regs from kernel stack; move to user mode [CPL 0 -> 3]; jump to the program's entry [%#llx, sp %#llx] (Linux: the ELF entry, ld.so's for a dynamic program, not main)",
		e->exec_ret.entry_ip, e->exec_ret.user_sp),
	    fmt(a, "%s starts; its C library calls main later",
		who(w, e->comm, e->tid)));
}

static void rows_timer(struct lde_line *l, const struct lde_event *e,
		       bool switch_follows)
{
	char a[TEXT_LEN], b[TEXT_LEN], w[40];

	if (e->timer.mode != LDE_TIMER_USER) {
		row(l, "", fmt(b, "timer interrupt (in kernel mode); jump to %s",
			       handler(boot->timer_handler)),
		    fmt(a, "%s in the kernel", who(w, e->comm, e->tid)));
		return;
	}
	row(l, "",
	    fmt(b, "timer interrupt: save regs(A) to k-stack(A) [user PC %#llx]; move to kernel mode; jump to trap handler [%s]",
		e->timer.ip, handler(boot->timer_handler)),
	    fmt(a, "A = %s runs [ip %#llx]", who(w, e->comm, e->tid),
		e->timer.ip));
	if (!switch_follows)
		row(l, "handle the trap: no switch; return-from-trap to A", "",
		    "");
}

/* "X[tid]": the task whose wakeup made a switch. */
static const char *who_by(char *buf, const struct lde_event *e)
{
	who(buf, e->sw.by_comm, e->sw.by_tid);
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

/* A task's first switch in: it resumes where fork left it. */
static bool resumes_new_task(const struct lde_event *e)
{
	return !strncmp(e->sw.next_resume, "ret_from_fork",
			strlen("ret_from_fork"));
}

static void rows_switch(struct lde_line *l, const struct lde_event *e,
			const struct context *c, bool after_tick)
{
	char a[TEXT_LEN], b[TEXT_LEN], w[40], n[40], by[40], waited[48];
	bool idle_next = is_idle(e->sw.next_comm, e->sw.next_pid);
	bool idle_prev = is_idle(e->comm, e->pid);
	long long prev_nr = c->prev_nr, next_nr = c->next_nr;
	const char *resume = e->sw.next_resume[0] ? e->sw.next_resume : "?";

	who(w, e->comm, e->tid);
	who(n, e->sw.next_comm, e->sw.next_tid);
	if (e->stage == LDE_STAGE_LDE_SWITCH) {
		row(l, fmt(a, "lde.ko sees switch(): %s -> %s [%s; k-stack depth %u -> %u]",
			   w, n, e->sw.nonvoluntary ? "preempted" : "voluntary",
			   e->sw.prev_depth, e->sw.next_depth), "", "");
		return;
	}
	/* Why the OS calls switch(), as the kernel decided it. */
	if (e->sw.blocked_nr >= 0)
		prev_nr = e->sw.blocked_nr;
	if (idle_prev && resumes_new_task(e))
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
	row(l, b, "", "");
	if (idle_prev)
		fmt(a, "switch(): restore regs(B = %s) from proc_t(B) [B->thread.sp, k-stack depth %u]; switch to k-stack(B) [resumes at %s]%s",
		    n, e->sw.next_depth, resume, b_waited(waited, e));
	else if (idle_next)
		fmt(a, "switch(): save regs(A = %s) to proc_t(A) [k-stack depth %u, kept in A->thread.sp]; switch to the idle task [resumes at %s]: the CPU waits",
		    w, e->sw.prev_depth, resume);
	else
		fmt(a, "switch(): save regs(A = %s) to proc_t(A) [k-stack depth %u, kept in A->thread.sp]; restore regs(B = %s) from proc_t(B) [B->thread.sp, depth %u]; switch to k-stack(B) [B resumes at %s]%s",
		    w, e->sw.prev_depth, n, e->sw.next_depth, resume,
		    b_waited(waited, e));
	row(l, a, "", "");
	if (idle_next)
		return;
	if (!e->sw.next_user_ip) {
		row(l, fmt(a, "B = %s is a kernel thread: it never returns to user mode", n),
		    "", "");
		return;
	}
	/*
	 * B never ran: its kernel stack is its parent's trap frame, copied
	 * at fork with the return value 0, and ret_from_fork leaves the
	 * kernel through it (ret_from_fork_asm on 6.12).
	 */
	if (resumes_new_task(e)) {
		row(l, "return-from-trap (into B): B is new, and returns from the trap its parent made to create it",
		    fmt(b, "restore regs(B) from k-stack(B) [copied from the parent's at fork, return value 0]; move to user mode [CPL 0 -> 3]; jump to PC after the parent's trap [%#llx]",
			e->sw.next_user_ip),
		    fmt(a, e->sw.next_pid == e->sw.next_tid ?
			"B = %s starts: its fork returns 0 here" :
			"B = %s, a new thread, starts: its clone returns 0 here",
			n));
		return;
	}
	/* B was preempted in user mode: it goes back there. */
	if (c->next_from_user) {
		row(l, "return-from-trap (into B)",
		    fmt(b, "restore regs(B) from k-stack(B); move to user mode; jump to B's PC [%#llx]",
			e->sw.next_user_ip),
		    fmt(a, "B = %s runs", n));
		return;
	}
	if (next_nr >= 0 || !opts.traps || !c->next_seen) {
		if (!opts.traps || !c->next_seen) {
			row(l, "B goes on where it stopped", "",
			    fmt(a, "[B's user PC: %#llx]",
				e->sw.next_user_ip));
			return;
		}
		row(l, fmt(a, "B goes on with its %s() in the kernel",
			   lde_syscall_name(next_nr)), "", "");
		return;
	}
	row(l, "return-from-trap (into B)",
	    fmt(b, "restore regs(B) from k-stack(B); move to user mode; jump to B's PC [%#llx]",
		e->sw.next_user_ip),
	    fmt(a, "B = %s runs", n));
}

static void rows_other(struct lde_line *l, const struct lde_event *e)
{
	char a[TEXT_LEN], b[TEXT_LEN], w[40], by[40];
	int code = e->exit.code;

	who(w, e->comm, e->tid);
	switch (e->stage) {
	case LDE_STAGE_FORK:
		if (e->fork.child_pid == e->pid)
			fmt(a, "create a task: thread %u of %s", e->fork.child_tid,
			    w);
		else
			fmt(a, "create entry for process list: process %u [fork by %s]",
			    e->fork.child_pid, w);
		row(l, a, "", "");
		return;
	case LDE_STAGE_EXEC:
		row(l, fmt(a, "allocate memory for program (a new address space), load program into memory: %.*s [in %s]",
			   LDE_PATH_LEN, e->exec.filename, w), "", "");
		return;
	case LDE_STAGE_EXIT:
		if (code & 0x7f)
			fmt(b, "killed by %s", lde_signal_name(code & 0x7f));
		else
			fmt(b, "exit status %d", (code >> 8) & 0xff);
		row(l, fmt(a, "free memory of process: its last thread %s exits [%s]",
			   w, b), "", "");
		return;
	case LDE_STAGE_REAP:
		row(l, fmt(a, "remove from process list: process %u [reaped by %s]",
			   e->pid, who(by, e->reap.by_comm, e->reap.by_tid)),
		    "", "");
		return;
	case LDE_STAGE_FAULT:
		row(l, "",
		    fmt(b, "illegal operation: exception; save regs; move to kernel mode; jump to trap handler [%s]",
			e->fault.sig == 11 ? handler(boot->fault_handler) :
			"its handler"),
		    fmt(a, "%s faults [addr %#llx]", w, e->fault.addr));
		row(l, fmt(a, "kill the offender: %s [si_code %d]",
			   lde_signal_name(e->fault.sig), e->fault.code), "", "");
		return;
	}
}

/* -- steps: events grouped, and repeats folded ----------------------------- */

enum step_kind {
	STEP_NONE,
	STEP_SYSCALL,	/* trap, then its return */
	STEP_BLOCKED,	/* A -> X, then, on any CPU, X' -> A */
	STEP_TICK,	/* a timer interrupt, maybe a preempted switch, maybe back */
	STEP_ARRIVAL,	/* idle -> A, A not seen before: where it was is unknown */
};

/* The step being gathered: its events wait here until it is whole. */
static struct step {
	enum step_kind kind;
	int n;
	struct lde_event ev[3];
	struct context ctx[3];
} held;

/*
 * A step of a kind that comes in bursts (a wait for I/O, a tick that
 * changed nothing), held until the next step says whether a burst
 * begins: a burst is one fold row, its first step included.
 */
static struct step pending;
static uint64_t pending_sig;
static char pending_what[160];

/* What the last few steps were, to see a repeat. */
#define WINDOW		8
static uint64_t window[WINDOW];
static int window_next;

/* A run of folded steps: how many, of what, over how long. */
#define FOLD_KINDS	6
static struct fold {
	int steps;
	unsigned long long first_ns, last_ns;
	int kinds;
	struct {
		uint64_t sig;
		char what[160];
		int count;
	} kind[FOLD_KINDS];
	int other;
} fold;

static void step_rows(struct lde_line *l, const struct step *s);

/*
 * The fold's row: its kinds in the order first seen, as many as fit in
 * FOLD_ROW_LEN (six lines of the OS column), the rest counted as others.
 */
#define FOLD_ROW_LEN	320

static void fold_flush(struct lde_line *l)
{
	char a[TEXT_LEN], kind[200];
	int i, n, len, others = fold.other;

	if (!fold.steps)
		return;
	len = snprintf(a, sizeof(a), "[%d step%s folded, over %.3f ms]",
		       fold.steps, fold.steps > 1 ? "s" : "",
		       (fold.last_ns - fold.first_ns) / 1e6);
	for (i = 0; i < fold.kinds; i++) {
		n = snprintf(kind, sizeof(kind), "%s %d x %s", i ? ";" : "",
			     fold.kind[i].count, fold.kind[i].what);
		if (i && len + n > FOLD_ROW_LEN) {
			others += fold.kind[i].count;
			continue;
		}
		len += snprintf(a + len, sizeof(a) - len, "%s", kind);
	}
	if (others)
		snprintf(a + len, sizeof(a) - len, "; %d step%s of other kinds",
			 others, others > 1 ? "s" : "");
	row(l, a, "", "");
	memset(&fold, 0, sizeof(fold));
}

/* Counted by kind of step; a kind's words are its first step's. */
static void fold_add(const struct step *s, uint64_t sig, const char *what)
{
	int i;

	if (!fold.steps++)
		fold.first_ns = s->ev[0].ts_ns;
	fold.last_ns = s->ev[s->n - 1].ts_ns;
	for (i = 0; i < fold.kinds; i++)
		if (fold.kind[i].sig == sig)
			break;
	if (i == fold.kinds) {
		if (i == FOLD_KINDS) {
			fold.other++;
			return;
		}
		snprintf(fold.kind[i].what, sizeof(fold.kind[i].what), "%s",
			 what);
		fold.kind[i].sig = sig;
		fold.kinds++;
	}
	fold.kind[i].count++;
}

/* A step's identity for seeing repeats, and its words for a fold row. */
static uint64_t step_sig(const struct step *s, char *what)
{
	const struct lde_event *e = &s->ev[0];
	char w[40], n[40];
	uint64_t sig;

	who(w, e->comm, e->tid);
	switch (s->kind) {
	case STEP_SYSCALL:
		snprintf(what, 160, "%s() by %s", lde_call_name(e->trap.nr, e->trap.compat), w);
		sig = (uint64_t)e->trap.nr << 8;
		break;
	case STEP_ARRIVAL:
		who(n, e->sw.next_comm, e->sw.next_tid);
		snprintf(what, 160, "%s switched in (first seen)", n);
		sig = 5;
		break;
	case STEP_BLOCKED: {
		/* Back: the step saw the task come back (it may not, yet). */
		const char *back = s->n > 1 ? ", then back" : "";

		if (s->ev[0].sw.reason == LDE_REASON_WAKEUP)
			snprintf(what, 160, "%s preempted by the wakeup of %s%s",
				 w, who_by(n, &s->ev[0]), back);
		else if (s->ev[0].sw.reason == LDE_REASON_SLICE)
			snprintf(what, 160, "%s's slice used up, found at the wakeup of %s%s",
				 w, who_by(n, &s->ev[0]), back);
		else if (s->ev[0].sw.reason == LDE_REASON_YIELD)
			snprintf(what, 160, "%s yielded%s", w, back);
		else if (s->ev[0].sw.nonvoluntary)
			snprintf(what, 160, "%s preempted%s", w, back);
		else if (s->ctx[0].prev_nr >= 0)
			snprintf(what, 160, "%s blocked in %s()%s", w,
				 lde_syscall_name(s->ctx[0].prev_nr), back);
		else if (s->ctx[0].prev_user)
			snprintf(what, 160, "%s blocked outside a system call (page fault)%s",
				 w, back);
		else
			snprintf(what, 160, "%s blocked%s", w, back);
		sig = (uint64_t)(s->ctx[0].prev_nr + 1) << 8 | 1 |
		      (uint64_t)s->ev[0].sw.nonvoluntary << 2 |
		      (uint64_t)(s->n > 1) << 3 |
		      (uint64_t)s->ev[0].sw.reason << 24;
		break;
	}
	default:
		if (s->n >= 2) {
			who(n, s->ev[1].sw.next_comm, s->ev[1].sw.next_tid);
			snprintf(what, 160, "timer interrupt (%s mode), %s preempted by %s%s%s",
				 e->timer.mode == LDE_TIMER_USER ? "user" :
				 "kernel", w, n,
				 s->ev[1].sw.reason == LDE_REASON_TICK ?
				 ": slice used up" : "",
				 s->n > 2 ? ", then back" : "");
			sig = (uint64_t)s->ev[1].sw.next_tid << 32 | 2 << 8 | 2 |
			      (uint64_t)e->timer.mode << 16 |
			      (uint64_t)(s->n > 2) << 17 |
			      (uint64_t)s->ev[1].sw.reason << 24;
		} else {
			snprintf(what, 160, "timer interrupt in %s (%s mode), no switch",
				 w, e->timer.mode == LDE_TIMER_USER ?
				 "user" : "kernel");
			sig = 3 | (uint64_t)e->timer.mode << 16;
		}
		break;
	}
	return sig ^ (uint64_t)e->tid << 40 ^ (uint64_t)s->kind << 60;
}

/*
 * Waits, ticks that changed nothing, and ticks that came while the task
 * was in the kernel: the bursts around the chapter's story.
 */
static bool comes_in_bursts(const struct step *s)
{
	return s->kind == STEP_BLOCKED ||
	       (s->kind == STEP_TICK &&
		(s->n == 1 || s->ev[0].timer.mode != LDE_TIMER_USER));
}

static void remember_sig(uint64_t sig)
{
	window[window_next++ % WINDOW] = sig;
}

/*
 * Before rows of anything else: the fold, then the step held after it
 * (a held step always came after every step folded so far).
 */
static void flush_held_steps(struct lde_line *l)
{
	fold_flush(l);
	if (pending.n) {
		step_rows(l, &pending);
		remember_sig(pending_sig);
		pending.n = 0;
	}
}

static bool seen_lately(uint64_t sig)
{
	int i;

	for (i = 0; i < WINDOW; i++)
		if (window[i] == sig)
			return true;
	return false;
}

/*
 * Waits that are not the chapter's story, folded from the first: a
 * program being loaded waiting for its pages (blocked in execve), and a
 * task that never trapped (when traps are traced, one the trace does not
 * follow) blocking, which a traced task's coming back shows.
 */
static bool background_wait(const struct step *s)
{
	static int execve_nr = -2, execveat_nr = -2;
	long long nr = s->ctx[0].prev_nr;

	if (s->kind != STEP_BLOCKED)
		return false;
	if (execve_nr == -2) {
		execve_nr = lde_syscall_nr("execve");
		execveat_nr = lde_syscall_nr("execveat");
	}
	if (nr >= 0 && (nr == execve_nr || nr == execveat_nr))
		return true;
	return opts.traps && !thread(s->ev[0].tid)->trapped;
}

/* A step that switches in a task that never ran. */
static bool starts_new_task(const struct step *s)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->ev[i].stage == LDE_STAGE_SWITCH &&
		    resumes_new_task(&s->ev[i]))
			return true;
	return false;
}

/*
 * A whole step: folded when it repeats one of the last few (with the
 * bursty step held before it, if any), held when it may begin a burst,
 * printed otherwise.
 */
static void step_done(struct lde_line *l, const struct step *s)
{
	char what[160];
	uint64_t sig = step_sig(s, what);

	/*
	 * A tick while the task was in the kernel, and what it caused: the
	 * chapter's timer story is the one that interrupts user mode.
	 */
	bool kernel_tick = (s->kind == STEP_TICK &&
			    s->ev[0].timer.mode != LDE_TIMER_USER) ||
			   s->kind == STEP_ARRIVAL;
	/*
	 * Whatever else the step is, a task's first return to user mode is
	 * the chapter's story, never a repeat.
	 */
	bool may_fold = !opts.all && !starts_new_task(s);

	if (may_fold && (seen_lately(sig) || kernel_tick ||
			 background_wait(s) ||
			 (pending.n && pending_sig == sig))) {
		if (pending.n) {
			fold_add(&pending, pending_sig, pending_what);
			remember_sig(pending_sig);
			pending.n = 0;
		}
		fold_add(s, sig, what);
		if (!seen_lately(sig))
			remember_sig(sig);
		return;
	}
	if (comes_in_bursts(s) && may_fold) {
		/* Two new bursty steps in a row: the first is alone. */
		if (pending.n)
			flush_held_steps(l);
		pending = *s;
		pending_sig = sig;
		memcpy(pending_what, what, sizeof(what));
		return;
	}
	flush_held_steps(l);
	step_rows(l, s);
	remember_sig(sig);
}

static void step_rows(struct lde_line *l, const struct step *s)
{
	switch (s->kind) {
	case STEP_SYSCALL:
		rows_trap(l, &s->ev[0]);
		if (s->n > 1)
			rows_return(l, &s->ev[1]);
		break;
	case STEP_BLOCKED:
		rows_switch(l, &s->ev[0], &s->ctx[0], false);
		if (s->n > 1)
			rows_switch(l, &s->ev[1], &s->ctx[1], false);
		break;
	case STEP_ARRIVAL:
		rows_switch(l, &s->ev[0], &s->ctx[0], false);
		break;
	case STEP_TICK:
		rows_timer(l, &s->ev[0], s->n > 1);
		if (s->n > 1)
			rows_switch(l, &s->ev[1], &s->ctx[1], true);
		if (s->n > 2)
			rows_switch(l, &s->ev[2], &s->ctx[2], false);
		break;
	case STEP_NONE:
		break;
	}
}

/* What an event tells the renderer about its thread, after its rows. */
static void remember(const struct lde_event *e)
{
	struct thread *t = thread(e->tid);

	t->seen = true;
	if (e->stage == LDE_STAGE_SWITCH) {
		t->off_from_user = e->sw.nonvoluntary && t->user_tick;
		t->user_tick = false;
		thread(e->sw.next_tid)->off_from_user = false;
		return;
	}
	t->user_tick = e->stage == LDE_STAGE_TIMER &&
		       e->timer.mode == LDE_TIMER_USER;
	switch (e->stage) {
	case LDE_STAGE_TRAP:
	case LDE_EVENT_TRAP_STRINGS:
		thread(e->tid)->open_nr = e->trap.nr;
		thread(e->tid)->trap_ip = e->trap.ip;
		thread(e->tid)->trapped = true;
		break;
	case LDE_STAGE_RETURN:
	case LDE_EVENT_EXEC_RETURN:
		thread(e->tid)->open_nr = -1;
		break;
	}
}

/* Does e finish the held step? */
static bool completes(const struct lde_event *e)
{
	const struct lde_event *h = &held.ev[0];

	switch (held.kind) {
	case STEP_SYSCALL:
		return e->stage == LDE_STAGE_RETURN && e->tid == h->tid &&
		       e->ret.nr == h->trap.nr;
	case STEP_BLOCKED:
		/* Woken, it may come back on another CPU. */
		return e->stage == LDE_STAGE_SWITCH &&
		       e->sw.next_tid == h->tid;
	case STEP_TICK:
		/* The switch the tick caused, then A's way back. */
		if (held.n == 1)
			return e->stage == LDE_STAGE_SWITCH &&
			       e->cpu == h->cpu && e->tid == h->tid &&
			       e->sw.nonvoluntary;
		return held.n == 2 && e->stage == LDE_STAGE_SWITCH &&
		       e->sw.next_tid == h->tid;
	default:
		return false;
	}
}

/* The step e starts, if it starts one. */
static enum step_kind starts(const struct lde_event *e)
{
	switch (e->stage) {
	case LDE_STAGE_TRAP:
	case LDE_EVENT_TRAP_STRINGS:
		return STEP_SYSCALL;
	case LDE_STAGE_SWITCH:
		/*
		 * A task leaves the CPU.  The idle task's leaving is no step,
		 * unless it lets in a task seen for the first time (where it
		 * was, blocked or preempted, the trace does not say).
		 */
		if (is_idle(e->comm, e->pid))
			return thread(e->sw.next_tid)->seen ? STEP_NONE :
			       STEP_ARRIVAL;
		return STEP_BLOCKED;
	case LDE_STAGE_TIMER:
		return STEP_TICK;
	default:
		return STEP_NONE;
	}
}

/* The held step ends before it is whole: a lone tick is whole anyway. */
static bool background_wait(const struct step *s);

static void held_end(struct lde_line *l)
{
	if (!held.n)
		return;
	/* Whole with or without the way back; a background wait folds. */
	if (held.kind == STEP_TICK || background_wait(&held)) {
		step_done(l, &held);
	} else {
		flush_held_steps(l);
		step_rows(l, &held);
	}
	held.n = 0;
	held.kind = STEP_NONE;
}

void lde_protocol_event(struct lde_line *l, const struct lde_event *e,
			unsigned long long start_ns)
{
	enum step_kind kind;

	/* Rows carry no times: start_ns is for the renderers that do. */
	if (held.n && completes(e)) {
		held.ctx[held.n] = context_of(e);
		held.ev[held.n++] = *e;
		remember(e);
		/* A tick and the switch it caused: A may come back next. */
		if (held.kind == STEP_TICK && held.n == 2)
			return;
		step_done(l, &held);
		held.n = 0;
		held.kind = STEP_NONE;
		return;
	}
	held_end(l);
	kind = starts(e);
	if (kind == STEP_ARRIVAL) {
		struct step one = { .kind = kind, .n = 1 };

		one.ev[0] = *e;
		one.ctx[0] = context_of(e);
		step_done(l, &one);
		remember(e);
		return;
	}
	if (kind != STEP_NONE) {
		held.kind = kind;
		held.ev[0] = *e;
		held.ctx[0] = context_of(e);
		held.n = 1;
		remember(e);
		return;
	}
	flush_held_steps(l);
	switch (e->stage) {
	case LDE_STAGE_TRAP:
	case LDE_EVENT_TRAP_STRINGS:
	case LDE_STAGE_LDE_TRAP:
		rows_trap(l, e);
		break;
	case LDE_STAGE_RETURN:
	case LDE_STAGE_LDE_RETURN:
		rows_return(l, e);
		break;
	case LDE_EVENT_EXEC_RETURN:
		rows_exec_return(l, e);
		break;
	case LDE_STAGE_TIMER:
		rows_timer(l, e, false);
		break;
	case LDE_STAGE_SWITCH:
	case LDE_STAGE_LDE_SWITCH: {
		struct context c = context_of(e);

		rows_switch(l, e, &c, false);
		break;
	}
	default:
		rows_other(l, e);
		break;
	}
	remember(e);
}

void lde_protocol_start(struct lde_line *l, const struct lde_boot *b,
			const struct lde_protocol_opts *o)
{
	int w;

	opts = *o;
	boot = b;
	/* Two separators of three characters; the rest shared 40:33:27. */
	w = (opts.width < 80 ? 80 : opts.width) - 6;
	width[OS] = w * 40 / 100;
	width[HW] = w * 33 / 100;
	width[PROG] = w - width[OS] - width[HW];
	rows_boot(l);
	rows_header(l);
}

void lde_protocol_end(struct lde_line *l)
{
	held_end(l);
	flush_held_steps(l);
}
