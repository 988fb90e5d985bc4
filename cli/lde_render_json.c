// SPDX-License-Identifier: GPL-2.0
/*
 * JSON Lines (-j): one object per event.  The keys are stable: tests and
 * users depend on them (Documentation/lde-trace.1).  This is the reader's
 * hot path when every system call streams: numbers and keys are appended
 * without printf, and text that repeats (who, which call, ip, sp) is kept.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lde_arch_words.h"
#include "lde_kept_line.h"
#include "lde_names.h"
#include "lde_render.h"
#include "lde_syscalls.h"
#include "lde_view.h"

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

JSON_INLINE void json_bool(struct lde_line *l, const char *key,
			   size_t key_len, bool v)
{
	lde_line_mem(l, key, key_len);
	if (v)
		lde_line_lit(l, "true");
	else
		lde_line_lit(l, "false");
}

#define JSON_BOOL(l, key, v)	json_bool(l, ",\"" key "\":", sizeof(key) + 3, v)

/*
 * A kept text of size bytes (len of them its text) appended, whole, where
 * it fits; near the line's end it is made anew, and cut as that is.
 */
static bool json_kept_append(struct lde_line *l, const char *text,
			     size_t size, size_t len)
{
	if (!len || lde_line_room(l) < size)
		return false;
	memcpy(l->end, text, size);
	l->end += len;
	return true;
}

/*
 * ,"ip":..,"sp":..,"user_cpl":..,"kernel_cpl":.. of a trap: the thread's
 * kept text when it is that text (the four numbers make it).
 */
static void json_trap_tail(struct lde_line *l, struct lde_json_trap_tail *k,
			   const struct lde_event *e)
{
	/* The level the handler runs at: CPL 0; arm64's EL1. */
	unsigned long long level = lde_arch_kernel_level();
	char *from = l->end;

	if (k->ip == e->trap.ip && k->sp == e->trap.sp &&
	    k->cpl == e->trap.cpl && k->kernel_level == level &&
	    json_kept_append(l, k->text, sizeof(k->text), k->len))
		return;
	JSON_U64(l, "ip", e->trap.ip);
	JSON_U64(l, "sp", e->trap.sp);
	JSON_U64(l, "user_cpl", e->trap.cpl);
	JSON_U64(l, "kernel_cpl", level);
	k->ip = e->trap.ip;
	k->sp = e->trap.sp;
	k->cpl = e->trap.cpl;
	k->kernel_level = level;
	k->len = lde_line_kept_len(l, from, sizeof(k->text));
	memcpy(k->text, from, k->len);
}

/* ,"pid":..,"tid":..,"comm":".." */
static void json_who(struct lde_line *l, struct lde_who_text *who,
		     const struct lde_event *e)
{
	char *from = l->end;

	if (lde_who_text_append(who, l, e))
		return;
	JSON_U64(l, "pid", e->pid);
	JSON_U64(l, "tid", e->tid);
	JSON_STR(l, "comm", e->comm, LDE_COMM_LEN);
	lde_who_text_keep(who, l, from, e);
}

/*
 * ,"stage":..,"nr":..,"name":.. of a trap or return, made once per number;
 * ,"compat":"i386" after them for a call of the i386 table, whose number
 * and name are that table's.
 */
JSON_INLINE void json_syscall(struct lde_line *l, struct lde_json_text *t,
			      unsigned int stage, long long nr,
			      unsigned int compat)
{
	struct lde_json_made *m = t->made && nr >= 0 &&
				  nr < LDE_MAX_SYSCALLS && !compat ?
				  &t->made[(stage == LDE_STAGE_TRAP) *
					   LDE_MAX_SYSCALLS + nr] : NULL;
	const char *table = lde_compat_name(compat);
	char *from = l->end;

	/* Near the line's end made anew: a cut string still closes. */
	if (m && m->text &&
	    lde_line_room(l) >= m->len + LDE_LINE_JSON_STR_ROOM) {
		lde_line_mem(l, m->text, m->len);
		return;
	}
	JSON_STR(l, "stage", lde_stage_names[stage], 16);
	JSON_S64(l, "nr", nr);
	JSON_STR(l, "name", lde_call_name(nr, compat), 64);
	if (table)
		JSON_STR(l, "compat", table, 16);
	/* Kept unless the line's end cut it short. */
	if (m && !m->text && lde_line_room(l) >= LDE_LINE_JSON_STR_ROOM) {
		m->len = l->end - from;
		m->text = strndup(from, m->len);
	}
}

/* What a new program starts with: the execve's return-from-trap. */
static void json_exec_return(struct lde_line *l, const struct lde_event *e)
{
	unsigned int i;

	JSON_U64(l, "entry_ip", e->exec_ret.entry_ip);
	JSON_U64(l, "user_sp", e->exec_ret.user_sp);
	JSON_U64(l, "argc", e->exec_ret.argc);
	lde_line_lit(l, ",\"argv\":[");
	for (i = 0; i < e->exec_ret.argv_read && i < LDE_ARGV_MAX; i++) {
		if (i)
			lde_line_char(l, ',');
		lde_line_json_str(l, e->exec_ret.argv[i], LDE_ARG_LEN);
	}
	lde_line_char(l, ']');
	JSON_BOOL(l, "argv_truncated", e->exec_ret.argv_cut ||
		  e->exec_ret.argv_read < e->exec_ret.argc);
	/* Bit i: argv[i] was cut at LDE_ARG_LEN - 1 bytes. */
	JSON_U64(l, "argv_cut", e->exec_ret.argv_cut);
	JSON_BOOL(l, "regs_cleared", e->exec_ret.regs_cleared);
}

/*
 * ,"args":{"dfd":-100,"filename":"/etc/hosts","flags":524288,"mode":0}:
 * keyed by the format's names, numbers as their type says, strings as
 * read at the trap; a string that could not be read is its pointer.  A
 * call the formats do not describe gives arg0..arg5, raw.
 */
static void json_args(struct lde_line *l, const struct lde_event *e)
{
	const struct lde_syscall *sc = lde_call_info(e->trap.nr,
						     e->trap.compat);
	unsigned int i, n = sc ? sc->nargs : LDE_TRAP_ARGS, cut = 0;

	lde_line_lit(l, ",\"args\":{");
	for (i = 0; i < n; i++) {
		const struct lde_syscall_arg *a = sc ? &sc->args[i] : NULL;
		const char *s;
		bool s_cut = false;

		if (i)
			lde_line_char(l, ',');
		lde_line_char(l, '"');
		if (a) {
			lde_line_str(l, a->name);
		} else {
			lde_line_lit(l, "arg");
			lde_line_u64(l, i);
		}
		lde_line_lit(l, "\":");
		if (!a) {
			lde_line_u64(l, e->trap.args[i]);
			continue;
		}
		s = a->kind == LDE_ARG_STRING ?
		    lde_trap_string(e, i, &s_cut) : NULL;
		if (s) {
			lde_line_json_str(l, s, LDE_STR_LEN);
			cut |= s_cut << i;
		} else if (a->kind == LDE_ARG_SIGNED) {
			lde_line_s64(l, lde_call_arg_value(a, e->trap.args[i],
							   e->trap.compat));
		} else {
			lde_line_u64(l, lde_call_arg_value(a, e->trap.args[i],
							   e->trap.compat));
		}
	}
	lde_line_char(l, '}');
	if (!cut)
		return;
	/* The strings cut at LDE_STR_LEN - 1 bytes. */
	lde_line_lit(l, ",\"args_cut\":[");
	for (i = 0, n = 0; i < LDE_TRAP_ARGS; i++) {
		if (!(cut & 1U << i))
			continue;
		if (n++)
			lde_line_char(l, ',');
		lde_line_char(l, '"');
		lde_line_str(l, sc->args[i].name);
		lde_line_char(l, '"');
	}
	lde_line_char(l, ']');
}

/* ,"args":{"arg0":..,"arg5":..}: lde.ko's toy calls have no formats. */
static void json_toy_args(struct lde_line *l, const struct lde_event *e)
{
	unsigned int i;

	lde_line_lit(l, ",\"args\":{");
	for (i = 0; i < LDE_TRAP_ARGS; i++) {
		if (i)
			lde_line_char(l, ',');
		lde_line_lit(l, "\"arg");
		lde_line_u64(l, i);
		lde_line_lit(l, "\":");
		lde_line_u64(l, e->trap.args[i]);
	}
	lde_line_char(l, '}');
}

/* ,"errno":"ENOENT" of a failed return, when the name is known. */
static void json_errno(struct lde_line *l, int err)
{
	const char *name = lde_errno_name(err);

	if (name)
		JSON_STR(l, "errno", name, 32);
}

/*
 * ,"ret":..[,"errno":".."] of a return: a loop's calls often return the
 * same value; the thread's kept text when it is that value's.
 */
static void json_ret(struct lde_line *l, struct lde_json_ret_text *k,
		     long long ret)
{
	char *from = l->end;

	if (k->ret == ret && json_kept_append(l, k->text, sizeof(k->text),
					      k->len))
		return;
	JSON_S64(l, "ret", ret);
	if (lde_syscall_errno(ret))
		json_errno(l, lde_syscall_errno(ret));
	k->ret = ret;
	k->len = lde_line_kept_len(l, from, sizeof(k->text));
	memcpy(k->text, from, k->len);
}

static void json_switch(struct lde_line *l, const struct lde_event *e)
{
	JSON_U64(l, "prev_pid", e->pid);
	JSON_U64(l, "prev_tid", e->tid);
	JSON_STR(l, "prev_comm", e->comm, LDE_COMM_LEN);
	JSON_U64(l, "next_pid", e->sw.next_pid);
	JSON_U64(l, "next_tid", e->sw.next_tid);
	JSON_STR(l, "next_comm", e->sw.next_comm, LDE_COMM_LEN);
	JSON_BOOL(l, "nonvoluntary", e->sw.nonvoluntary);
	/* The old name of nonvoluntary, kept for one release. */
	JSON_BOOL(l, "preempt", e->sw.nonvoluntary);
	JSON_U64(l, "prev_state", e->sw.prev_state);
	JSON_U64(l, "prev_stack_depth", e->sw.prev_depth);
	JSON_U64(l, "next_stack_depth", e->sw.next_depth);
	if (e->stage != LDE_STAGE_SWITCH)
		return;
	JSON_STR(l, "next_resume", e->sw.next_resume, LDE_SYM_LEN);
	JSON_U64(l, "next_user_ip", e->sw.next_user_ip);
	/* A file recorded before these fields has none: none are made up. */
	if (!(e->sw.known & LDE_KNOWN_SCHED))
		return;
	/* The scheduler's side: why prev left, how long each waited, ran. */
	JSON_BOOL(l, "kernel_preempt", e->sw.preempt);
	JSON_STR(l, "end_state", lde_end_state_name(e->sw.end_state), 4);
	JSON_STR(l, "reason", lde_reason_name(e->sw.reason), 16);
	if (e->sw.blocked_nr >= 0)
		JSON_STR(l, "blocked_in", lde_syscall_name(e->sw.blocked_nr), 64);
	if (lde_reason_names_woken(e->sw.reason)) {
		JSON_U64(l, "wakeup_pid", e->sw.by_pid);
		JSON_U64(l, "wakeup_tid", e->sw.by_tid);
		JSON_STR(l, "wakeup_comm", e->sw.by_comm, LDE_COMM_LEN);
	}
	/* Said only when the trace follows one side alone (-p, -c, --). */
	if (!lde_next_traced(e->sw.known))
		JSON_STR(l, "traced", "prev", 8);
	else if (!lde_prev_traced(e->sw.known))
		JSON_STR(l, "traced", "next", 8);
	if (e->sw.known & LDE_KNOWN_WAIT)
		JSON_U64(l, "next_wait_ns", e->sw.next_wait_ns);
	if (e->sw.known & LDE_KNOWN_RUN)
		JSON_U64(l, "prev_run_ns", e->sw.prev_run_ns);
}

int lde_json_text_init(struct lde_json_text *t)
{
	memset(t, 0, sizeof(*t));
	t->made = calloc(2 * LDE_MAX_SYSCALLS, sizeof(*t->made));
	t->lines = calloc(1, sizeof(*t->lines));
	if (t->made && t->lines)
		return 0;
	lde_json_text_free(t);
	return -ENOMEM;
}

void lde_json_text_free(struct lde_json_text *t)
{
	int i;

	for (i = 0; t->made && i < 2 * LDE_MAX_SYSCALLS; i++)
		free(t->made[i].text);
	free(t->made);
	t->made = NULL;
	free(t->lines);
	t->lines = NULL;
}

void lde_json_event(struct lde_line *l, const struct lde_event *e,
		    unsigned long long start_ns)
{
	struct lde_json_text nothing_kept = { 0 };

	lde_json_text_event(&nothing_kept, l, e, start_ns);
}

void lde_json_text_event(struct lde_json_text *t, struct lde_line *l,
			 const struct lde_event *e, unsigned long long start_ns)
{
	struct lde_kept_line *kept = lde_kept_line_slot(t->lines, e);
	char *from, *to = NULL;

	lde_line_lit(l, "{\"ts_ns\":");
	lde_line_u64_near(l, &t->ts_high, e->ts_ns - start_ns);
	if (kept && lde_kept_line_append(kept, l, e)) {
		if (e->stage == LDE_STAGE_RETURN) {
			lde_line_u64(l, e->ret.kernel_ns);
			lde_line_lit(l, "}\n");
		}
		return;
	}
	from = l->end;
	JSON_U64(l, "cpu", e->cpu);
	json_who(l, lde_who_slot(&t->who, e), e);
	switch (e->stage) {
	case LDE_STAGE_TRAP:
	case LDE_EVENT_TRAP_STRINGS:
		/* A trap's or return's stage comes with its number and name. */
		json_syscall(l, t, LDE_STAGE_TRAP, e->trap.nr, e->trap.compat);
		json_args(l, e);
		/* rt_sigreturn's operand: the mask its frame restores. */
		if (lde_trap_has_sigmask(e))
			JSON_U64(l, "sigmask",
				 e->trap.args[LDE_SIGRETURN_MASK]);
		json_trap_tail(l, &t->tail[e->tid % LDE_WHO_KEPT], e);
		break;
	case LDE_STAGE_RETURN:
	case LDE_EVENT_EXEC_RETURN:
		json_syscall(l, t, LDE_STAGE_RETURN, e->ret.nr, e->ret.compat);
		json_ret(l, &t->ret[e->tid % LDE_WHO_KEPT], e->ret.ret);
		lde_line_lit(l, ",\"kernel_ns\":");
		to = l->end;
		lde_line_u64(l, e->ret.kernel_ns);
		if (e->stage == LDE_EVENT_EXEC_RETURN)
			json_exec_return(l, e);
		break;
	case LDE_STAGE_LDE_TRAP:
		JSON_STR(l, "stage", lde_stage_names[e->stage], 16);
		JSON_S64(l, "nr", e->trap.nr);
		JSON_STR(l, "name", lde_toy_syscall_name(e->trap.nr), 64);
		json_toy_args(l, e);
		JSON_U64(l, "ip", e->trap.ip);
		JSON_U64(l, "user_cpl", e->trap.cpl);
		break;
	case LDE_STAGE_LDE_RETURN:
		JSON_STR(l, "stage", lde_stage_names[e->stage], 16);
		JSON_S64(l, "nr", e->ret.nr);
		JSON_STR(l, "name", lde_toy_syscall_name(e->ret.nr), 64);
		JSON_S64(l, "ret", e->ret.ret);
		JSON_U64(l, "kernel_ns", e->ret.kernel_ns);
		break;
	default:
		JSON_STR(l, "stage", lde_kind_name(e->stage), 16);
		break;
	}
	switch (e->stage) {
	case LDE_STAGE_SWITCH:
	case LDE_STAGE_LDE_SWITCH:
		json_switch(l, e);
		break;
	case LDE_STAGE_TIMER:
		JSON_STR(l, "mode", e->timer.mode == LDE_TIMER_USER ?
			 "user" : "kernel", 8);
		if (e->timer.mode == LDE_TIMER_USER)
			JSON_U64(l, "ip", e->timer.ip);
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
		JSON_STR(l, "signal", lde_signal_name(e->fault.sig), 16);
		JSON_S64(l, "si_code", e->fault.code);
		JSON_U64(l, "addr", e->fault.addr);
		break;
	case LDE_STAGE_FORK:
		JSON_U64(l, "child_pid", e->fork.child_pid);
		JSON_U64(l, "child_tid", e->fork.child_tid);
		break;
	case LDE_STAGE_REAP:
		JSON_U64(l, "by_pid", e->reap.by_pid);
		JSON_U64(l, "by_tid", e->reap.by_tid);
		JSON_STR(l, "by_comm", e->reap.by_comm, LDE_COMM_LEN);
		break;
	case LDE_STAGE_WAKEUP:
		JSON_U64(l, "by_pid", e->wakeup.by_pid);
		JSON_U64(l, "by_tid", e->wakeup.by_tid);
		JSON_STR(l, "by_comm", e->wakeup.by_comm, LDE_COMM_LEN);
		JSON_U64(l, "target_cpu", e->wakeup.target_cpu);
		JSON_BOOL(l, "new_task", e->wakeup.new_task);
		break;
	}
	lde_line_lit(l, "}\n");
	if (kept)
		lde_kept_line_keep(kept, l, from, to ? to : l->end, e);
}

/* OS @ boot: one object, before the events. */
void lde_json_boot(struct lde_line *l, const struct lde_boot *b)
{
	lde_line_lit(l, "{\"stage\":\"boot\"");
	if (b->module) {
		JSON_STR(l, "syscall_entry", b->syscall_entry, LDE_BOOT_NAME_LEN);
		JSON_U64(l, "timer_vector", b->timer_vector);
		JSON_STR(l, "timer_handler", b->timer_handler, LDE_BOOT_NAME_LEN);
		JSON_U64(l, "fault_vector", b->fault_vector);
		JSON_STR(l, "fault_handler", b->fault_handler, LDE_BOOT_NAME_LEN);
		if (b->trap_table[0])
			JSON_STR(l, "trap_table", b->trap_table, LDE_BOOT_NAME_LEN);
		if (b->timer_irq_handler[0]) {
			JSON_U64(l, "timer_irq", b->timer_irq);
			JSON_U64(l, "timer_hwirq", b->timer_hwirq);
			JSON_STR(l, "timer_irq_handler", b->timer_irq_handler,
				 LDE_BOOT_NAME_LEN);
			JSON_U64(l, "timer_counter_hz", b->timer_counter_hz);
		}
		if (b->has_kernel_level)
			JSON_U64(l, "kernel_level", b->kernel_level);
		JSON_U64(l, "cpus", b->cpus);
		JSON_BOOL(l, "same_on_all_cpus", b->same_on_all_cpus);
		JSON_U64(l, "hz", b->hz);
		JSON_U64(l, "kernel_stack_size", b->kernel_stack_size);
		JSON_U64(l, "toy_trap_table_entries", b->toy_entries);
		JSON_BOOL(l, "toy_trap_table_read_only", b->toy_read_only);
	}
	JSON_STR(l, "clockevent", b->clockevent, LDE_BOOT_NAME_LEN);
	JSON_BOOL(l, "clockevent_same_on_all_cpus", b->clockevent_same);
	lde_line_lit(l, "}\n");
}

/* -- the view: -j ---------------------------------------------------------- */

struct json_view {
	struct lde_json_text t;
	unsigned long long start_ns;
};

static bool json_wanted(const struct lde_view_env *env)
{
	return lde_view_text_wanted(env) && env->json;
}

static void *json_start(const struct lde_view_env *env, struct lde_line *out)
{
	struct json_view *v = calloc(1, sizeof(*v));

	if (!v || lde_json_text_init(&v->t)) {
		free(v);
		errno = ENOMEM;
		return NULL;
	}
	v->start_ns = env->start_ns;
	if (env->boot_rows && env->boot->module)
		lde_json_boot(out, env->boot);
	return v;
}

static void json_view_event(void *state, struct lde_line *out,
			    const struct lde_event *e)
{
	struct json_view *v = state;

	lde_json_text_event(&v->t, out, e, v->start_ns);
}

static int json_end(void *state, struct lde_line *out,
		    const struct lde_view_end *end)
{
	struct json_view *v = state;

	lde_json_text_free(&v->t);
	free(v);
	return 0;
}

const struct lde_view_ops lde_json_view = {
	.name = "JSON Lines (-j)",
	.report = true,
	.wanted = json_wanted,
	.start = json_start,
	.event = json_view_event,
	.end = json_end,
};
