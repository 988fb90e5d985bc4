// SPDX-License-Identifier: GPL-2.0
/* The default view: one line per event in fixed-width columns. */
#include <stdlib.h>

#include "lde_arch_words.h"
#include "lde_kept_line.h"
#include "lde_names.h"
#include "lde_render.h"
#include "lde_syscalls.h"
#include "lde_view.h"

void lde_columns_header(struct lde_line *l)
{
	lde_line_lit(l, "TIME(s)      CPU PID     TID     COMM             STAGE      DETAILS\n");
}

void lde_columns_boot(struct lde_line *l, const struct lde_boot *b)
{
	lde_line_lit(l, "-            -   -       -       -                boot       ");
	if (b->module) {
		lde_line_lit(l, "syscall entry ");
		lde_line_str(l, b->syscall_entry);
		lde_line_lit(l, ", timer vector ");
		lde_line_u64(l, b->timer_vector);
		lde_line_char(l, ' ');
		lde_line_str(l, b->timer_handler);
		lde_line_lit(l, ", page fault ");
		lde_line_str(l, b->fault_handler);
		lde_line_str(l, b->same_on_all_cpus ? " (same on " :
			     " (NOT the same on all ");
		lde_line_u64(l, b->cpus);
		lde_line_lit(l, " CPUs), HZ ");
		lde_line_u64(l, b->hz);
		lde_line_lit(l, ", ");
	}
	lde_line_lit(l, "clockevent ");
	lde_line_str(l, b->clockevent[0] ? b->clockevent : "?");
	lde_line_char(l, '\n');
}

/*
 * "comm:pid/tid" of the task a switch brings in, kept for the next
 * switch: lde.ko's lde_switch says the same switch again, and a CPU
 * shared by a few tasks switches to the same ones.
 */
static void columns_next(struct lde_who_text *next, struct lde_line *l,
			 const struct lde_event *e)
{
	char *from = l->end;

	if (next->len && e->sw.next_tid == next->tid &&
	    e->sw.next_pid == next->pid &&
	    !memcmp(e->sw.next_comm, next->comm, LDE_COMM_LEN)) {
		lde_line_mem(l, next->text, next->len);
		return;
	}
	lde_line_printable(l, e->sw.next_comm, LDE_COMM_LEN);
	lde_line_char(l, ':');
	lde_line_u64(l, e->sw.next_pid);
	lde_line_char(l, '/');
	lde_line_u64(l, e->sw.next_tid);
	next->pid = e->sw.next_pid;
	next->tid = e->sw.next_tid;
	memcpy(next->comm, e->sw.next_comm, LDE_COMM_LEN);
	next->len = l->end - from;
	/* Never keep a text a full line cut short. */
	if (next->len > sizeof(next->text) || !lde_line_room(l)) {
		next->len = 0;
		return;
	}
	memcpy(next->text, from, next->len);
}

static void columns_switch(struct lde_columns *c, struct lde_line *l,
			   const struct lde_event *e)
{
	lde_line_lit(l, "-> ");
	columns_next(&c->next, l, e);
	if (e->sw.nonvoluntary)
		lde_line_lit(l, " preempted (prev_state=");
	else
		lde_line_lit(l, " voluntary (prev_state=");
	lde_line_hex(l, e->sw.prev_state);
	lde_line_lit(l, ") kernel stack depth ");
	lde_line_u64(l, e->sw.prev_depth);
	lde_line_lit(l, " -> ");
	lde_line_u64(l, e->sw.next_depth);
	if (e->stage == LDE_STAGE_SWITCH && e->sw.next_resume[0]) {
		lde_line_lit(l, ", resumes at ");
		lde_line_printable(l, e->sw.next_resume, LDE_SYM_LEN);
	}
	if (e->stage == LDE_STAGE_SWITCH && e->sw.next_user_ip) {
		lde_line_lit(l, ", user ip=");
		lde_line_hex(l, e->sw.next_user_ip);
	}
}

static void columns_exec_return(struct lde_line *l, const struct lde_event *e)
{
	lde_line_lit(l, ", enters ip=");
	lde_line_hex(l, e->exec_ret.entry_ip);
	lde_line_lit(l, " sp=");
	lde_line_hex(l, e->exec_ret.user_sp);
	lde_line_lit(l, " argc=");
	lde_line_u64(l, e->exec_ret.argc);
	lde_line_lit(l, " argv=");
	lde_exec_argv_text(l, e);
	if (e->exec_ret.regs_cleared)
		lde_line_lit(l, ", registers cleared");
}

/* The events other than a system call's two: the STAGE column and details. */
static void columns_other(struct lde_columns *c, struct lde_line *l,
			  const struct lde_event *e)
{
	char *col = l->end;

	lde_line_str(l, lde_kind_name(e->stage));
	lde_line_column(l, col, 10);
	switch (e->stage) {
	case LDE_STAGE_SWITCH:
	case LDE_STAGE_LDE_SWITCH:
		columns_switch(c, l, e);
		break;
	case LDE_STAGE_TIMER:
		if (e->timer.mode == LDE_TIMER_USER) {
			lde_line_lit(l, "timer interrupt in user mode at ip=");
			lde_line_hex(l, e->timer.ip);
		} else {
			lde_line_lit(l, "timer interrupt in kernel mode");
		}
		break;
	case LDE_STAGE_EXEC:
		lde_line_printable(l, e->exec.filename, LDE_PATH_LEN);
		break;
	case LDE_STAGE_EXIT:
		if (e->exit.code & 0x7f) {
			lde_line_lit(l, "killed by ");
			lde_line_str(l, lde_signal_name(e->exit.code & 0x7f));
		} else {
			lde_line_lit(l, "exit status ");
			lde_line_u64(l, (e->exit.code >> 8) & 0xff);
		}
		break;
	case LDE_STAGE_FAULT:
		lde_line_str(l, lde_signal_name(e->fault.sig));
		lde_line_lit(l, " si_code=");
		lde_line_s64(l, e->fault.code);
		lde_line_lit(l, " addr=");
		lde_line_hex(l, e->fault.addr);
		break;
	case LDE_STAGE_FORK:
		lde_line_lit(l, "new task ");
		lde_line_u64(l, e->fork.child_pid);
		lde_line_char(l, '/');
		lde_line_u64(l, e->fork.child_tid);
		break;
	case LDE_STAGE_REAP:
		lde_line_lit(l, "removed from the process list by ");
		lde_line_printable(l, e->reap.by_comm, LDE_COMM_LEN);
		lde_line_char(l, ':');
		lde_line_u64(l, e->reap.by_pid);
		lde_line_char(l, '/');
		lde_line_u64(l, e->reap.by_tid);
		break;
	}
}

/* The STAGE column and the call's name, to its "(" or " = ". */
static void columns_call_text(struct lde_line *l, const struct lde_event *e,
			      bool ret, bool toy, long long nr,
			      unsigned int compat)
{
	char *col = l->end;

	lde_line_str(l, lde_kind_name(e->stage));
	lde_line_column(l, col, 10);
	if (toy)
		lde_line_lit(l, "toy ");
	lde_line_str(l, toy ? lde_toy_syscall_name(nr) :
		     lde_call_name(nr, compat));
	if (ret)
		lde_line_lit(l, " = ");
	else
		lde_line_char(l, '(');
}

/*
 * columns_call_text(), kept for the next trap or return of the same call
 * (the names are the run's, set before its first event).  A text that
 * would not fit its buffer is appended to l instead, and the slot keeps
 * nothing (stage -1): a trace file's names are at most 63 bytes, so it
 * does not happen today.
 */
static const struct lde_columns_call *
columns_call(struct lde_columns *c, struct lde_line *l,
	     const struct lde_event *e, bool ret, long long nr,
	     unsigned int compat)
{
	struct lde_columns_call *k = &c->call[ret];
	bool toy = e->stage == LDE_STAGE_LDE_TRAP ||
		   e->stage == LDE_STAGE_LDE_RETURN;
	struct lde_line text;

	if (k->stage == e->stage && k->nr == nr && k->compat == compat)
		return k;
	lde_line_start(&text, k->text, sizeof(k->text));
	columns_call_text(&text, e, ret, toy, nr, compat);
	k->hex_ret = ret && !toy && lde_call_returns_address(nr, compat);
	k->len = lde_line_len(&text);
	k->stage = e->stage;
	k->nr = nr;
	k->compat = compat;
	if (!lde_line_room(&text)) {
		k->stage = -1;
		columns_call_text(l, e, ret, toy, nr, compat);
	}
	return k;
}

/* "cpl 3 -> 0", "cpl 0 -> 3": kept while the ISA's words and levels hold. */
static void columns_mode(struct lde_line *l, struct lde_columns_mode *m,
			 bool to_kernel, unsigned long long from)
{
	/* The arch's words and kernel level as when made: a load, no call. */
	if (!m->len || m->arch_changes != lde_arch_changes || m->from != from) {
		if (to_kernel)
			lde_arch_columns_to_kernel(m->text, from);
		else
			lde_arch_columns_to_user(m->text);
		m->len = strlen(m->text);
		m->arch_changes = lde_arch_changes;
		m->from = from;
	}
	lde_line_kept(l, m->text, m->len, sizeof(m->text));
}

/* A return's end but its newline: its kernel_ns, the mode it returns to. */
static void columns_kernel_ns(struct lde_columns *c, struct lde_line *l,
			      const struct lde_event *e)
{
	lde_line_u64(l, e->ret.kernel_ns);
	lde_line_lit(l, " ns in kernel, ");
	columns_mode(l, &c->to_user, false, 0);
}

void lde_columns_init(struct lde_columns *c)
{
	memset(c, 0, sizeof(*c));	/* no text kept */
	c->call[0].stage = -1;
	c->call[1].stage = -1;
}

void lde_columns_event(struct lde_columns *c, struct lde_line *l,
		       const struct lde_event *e, unsigned long long start_ns)
{
	bool toy = e->stage == LDE_STAGE_LDE_TRAP ||
		   e->stage == LDE_STAGE_LDE_RETURN;
	struct lde_kept_line *kept = lde_kept_line_slot(c->lines, e);
	const struct lde_columns_call *call;
	struct lde_who_text *who;
	char *col, *from, *to = NULL;

	col = l->end;
	lde_line_secs_near(l, &c->secs, e->ts_ns - start_ns);
	lde_line_column(l, col, 12);
	if (kept && lde_kept_line_append(kept, l, e)) {
		if (e->stage == LDE_STAGE_RETURN) {
			columns_kernel_ns(c, l, e);
			lde_line_char(l, '\n');
		}
		return;
	}
	from = l->end;
	col = l->end;
	lde_line_u64(l, e->cpu);
	lde_line_column(l, col, 3);
	who = lde_who_slot(&c->who, e);
	if (!lde_who_text_append(who, l, e)) {
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
		lde_who_text_keep(who, l, from, e);
	}
	switch (e->stage) {
	case LDE_STAGE_TRAP:
	case LDE_EVENT_TRAP_STRINGS:
	case LDE_STAGE_LDE_TRAP:
		call = columns_call(c, l, e, false, e->trap.nr, e->trap.compat);
		if (call->stage >= 0)
			lde_line_kept(l, call->text, call->len,
				      sizeof(call->text));
		if (toy) {
			lde_line_hex(l, e->trap.args[0]);
			lde_line_lit(l, ", ");
			lde_line_hex(l, e->trap.args[1]);
		} else {
			lde_syscall_args_text(l, e, NULL, false);
		}
		lde_line_lit(l, ") from ip=");
		lde_line_hex_kept(l, &c->ip, e->trap.ip);
		if (!toy) {
			lde_line_lit(l, " sp=");
			lde_line_hex_kept(l, &c->sp, e->trap.sp);
		}
		lde_line_lit(l, ", ");
		columns_mode(l, &c->to_kernel, true, e->trap.cpl);
		break;
	case LDE_STAGE_RETURN:
	case LDE_STAGE_LDE_RETURN:
	case LDE_EVENT_EXEC_RETURN:
		call = columns_call(c, l, e, true, e->ret.nr, e->ret.compat);
		if (call->stage >= 0)
			lde_line_kept(l, call->text, call->len,
				      sizeof(call->text));
		if (toy)
			lde_line_s64(l, e->ret.ret);
		else
			lde_ret_text(l, e->ret.ret, call->hex_ret);
		lde_line_lit(l, ", ");
		to = l->end;
		if (toy) {
			lde_line_u64(l, e->ret.kernel_ns);
			lde_line_lit(l, " ns in handler");
		} else {
			columns_kernel_ns(c, l, e);
		}
		if (e->stage == LDE_EVENT_EXEC_RETURN)
			columns_exec_return(l, e);
		break;
	default:
		columns_other(c, l, e);
		break;
	}
	lde_line_char(l, '\n');
	if (kept)
		lde_kept_line_keep(kept, l, from, to ? to : l->end, e);
}

/* -- the view: the default ------------------------------------------------- */

struct columns_view {
	struct lde_columns c;
	struct lde_kept_lines lines;
	unsigned long long start_ns;
};

static bool columns_wanted(const struct lde_view_env *env)
{
	return lde_view_text_wanted(env) && !env->json && !env->protocol &&
	       !env->strace && !env->map;
}

static void *columns_start(const struct lde_view_env *env,
			   struct lde_line *out)
{
	struct columns_view *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	lde_columns_init(&v->c);
	v->c.lines = &v->lines;
	v->start_ns = env->start_ns;
	lde_columns_header(out);
	if (env->boot_rows)
		lde_columns_boot(out, env->boot);
	return v;
}

static void columns_view_event(void *state, struct lde_line *out,
			       const struct lde_event *e)
{
	struct columns_view *v = state;

	lde_columns_event(&v->c, out, e, v->start_ns);
}

static int columns_end(void *state, struct lde_line *out,
		       const struct lde_view_end *end)
{
	free(state);
	return 0;
}

const struct lde_view_ops lde_columns_view = {
	.name = "the columns",
	.report = true,
	.time_order = true,
	.wanted = columns_wanted,
	.start = columns_start,
	.event = columns_view_event,
	.end = columns_end,
};
