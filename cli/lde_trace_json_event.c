// SPDX-License-Identifier: GPL-2.0
/*
 * An event line back into struct lde_event: every key lde_render_json.c
 * writes for an event, in one table with the setters of the keys that
 * need more than a store (a stage's name, a call's number and
 * arguments, a switch's reasons), and what the keys alone do not say
 * (finish_event()).  The table machinery is lde_trace_json.c's.
 */
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "lde_names.h"
#include "lde_syscalls.h"
#include "lde_trace_json.h"
#include "lde_trace_json_fields.h"

static int set_stage(struct parsed *pe, struct json_object *v)
{
	const char *s = json_object_get_string(v);

	pe->stage = lde_stage_of(s);
	if (pe->stage < 0) {
		snprintf(pe->why, pe->why_size, "no such stage \"%.32s\"", s);
		return -1;
	}
	return 0;
}

static int set_ip(struct parsed *pe, struct json_object *v)
{
	bool neg;

	pe->ip = lde_trace_json_int(v, &neg);
	return 0;
}

static int set_entry_ip(struct parsed *pe, struct json_object *v)
{
	bool neg;

	pe->exec_ret = true;
	pe->e.exec_ret.entry_ip = lde_trace_json_int(v, &neg);
	return 0;
}

static int keep_args(struct parsed *pe, struct json_object *v)
{
	pe->args = v;
	return 0;
}

static int keep_args_cut(struct parsed *pe, struct json_object *v)
{
	pe->args_cut = v;
	return 0;
}

static int set_argv(struct parsed *pe, struct json_object *v)
{
	struct lde_event *e = &pe->e;
	size_t i, n = json_object_array_length(v);

	for (i = 0; i < n; i++) {
		struct json_object *s = json_object_array_get_idx(v, i);

		if (!json_object_is_type(s, json_type_string))
			return lde_trace_json_bad(pe, "argv", "holds something not a string");
		if (i < LDE_ARGV_MAX)
			lde_trace_json_copy_str(e->exec_ret.argv[i], LDE_ARG_LEN, s);
	}
	e->exec_ret.argv_read = n < LDE_ARGV_MAX ? n : LDE_ARGV_MAX;
	return 0;
}

static int set_mode(struct parsed *pe, struct json_object *v)
{
	pe->e.timer.mode = strcmp(json_object_get_string(v), "user") ?
			   LDE_TIMER_KERNEL : LDE_TIMER_USER;
	return 0;
}

static int signal_of(const char *name)
{
	int sig;

	for (sig = 1; sig < NSIG; sig++)
		if (!strcmp(name, lde_signal_name(sig)))
			return sig;
	return 0;
}

/* A fault's signal is its name; an exit's, a number its code says again. */
static int set_signal(struct parsed *pe, struct json_object *v)
{
	if (json_object_is_type(v, json_type_string))
		pe->e.fault.sig = signal_of(json_object_get_string(v));
	else if (!json_object_is_type(v, json_type_int))
		return lde_trace_json_bad(pe, "signal", "is neither a name nor a number");
	return 0;
}

/* The names of a newer writer are not known here: left as unknown. */
static int set_end_state(struct parsed *pe, struct json_object *v)
{
	int st = lde_end_state_of(json_object_get_string(v));

	if (st >= 0)
		pe->e.sw.end_state = st;
	return 0;
}

static int set_reason(struct parsed *pe, struct json_object *v)
{
	int reason = lde_reason_of(json_object_get_string(v));

	if (reason >= 0) {
		pe->e.sw.reason = reason;
		pe->e.sw.known |= LDE_KNOWN_SCHED;
		pe->reason = true;
	}
	return 0;
}

/*
 * A call's number.  Writers before format 3 printed the -1 that
 * rt_sigreturn leaves in orig_ax as 4294967295: read back as -1.
 */
static int set_nr(struct parsed *pe, struct json_object *v)
{
	bool neg;
	unsigned long long u = lde_trace_json_int(v, &neg);
	long long nr = (long long)u;

	if (!neg && u == 4294967295ULL)
		nr = -1;
	if (nr < -1 || nr > INT_MAX)
		return lde_trace_json_bad(pe, "nr", "is out of range");
	pe->e.trap.nr = nr;	/* trap and ret both start with nr */
	return 0;
}

/* The table a call went through: "i386" (enum lde_compat), beside nr. */
static int set_compat(struct parsed *pe, struct json_object *v)
{
	int compat = lde_compat_of(json_object_get_string(v));

	if (compat < 0)
		return lde_trace_json_bad(pe, "compat", "names no system-call table lde knows");
	pe->e.trap.compat = compat;
	return 0;
}

/* rt_sigreturn's operand: the mask its signal frame restores. */
static int set_sigmask(struct parsed *pe, struct json_object *v)
{
	bool neg;

	pe->e.trap.args[LDE_SIGRETURN_MASK] = lde_trace_json_int(v, &neg);
	pe->e.trap.args[LDE_SIGRETURN_MASK_READ] = 1;
	return 0;
}

static int set_blocked_in(struct parsed *pe, struct json_object *v)
{
	pe->e.sw.blocked_nr = lde_syscall_nr(json_object_get_string(v));
	pe->blocked_in = true;
	return 0;
}

/* Said only when the trace follows one side alone; absent: both. */
static int set_traced(struct parsed *pe, struct json_object *v)
{
	const char *s = json_object_get_string(v);

	if (!strcmp(s, "prev"))
		pe->e.sw.known |= LDE_KNOWN_PREV_TRACED;
	else if (!strcmp(s, "next"))
		pe->e.sw.known |= LDE_KNOWN_NEXT_TRACED;
	return 0;
}

/*
 * Every key an event line has, as lde_render_json.c writes it.  Keys
 * that hold the same thing for two stages share one entry (a switch's
 * prev_* is the event's own pid/tid/comm; a wakeup's and a reap's by_*
 * lie at the same place in the union).
 */
static struct field event_fields[] = {
	UINT("ts_ns", ts_ns),
	UINT("cpu", cpu),
	UINT("pid", pid),
	UINT("tid", tid),
	STR("comm", comm),
	FN("stage", json_type_string, set_stage),
	/* trap, return, lde_trap, lde_return: nr leads both parts. */
	FN("nr", json_type_int, set_nr),
	SKIP("name"),
	FN("compat", json_type_string, set_compat),
	FN("sigmask", json_type_int, set_sigmask),
	FN("args", json_type_object, keep_args),
	FN("args_cut", json_type_array, keep_args_cut),
	FN("ip", json_type_int, set_ip),
	UINT("sp", trap.sp),
	UINT("user_cpl", trap.cpl),
	SKIP("kernel_cpl"),
	SINT("ret", ret.ret),
	SKIP("errno"),
	UINT("kernel_ns", ret.kernel_ns),
	/* The return of an execve: what the new program starts with. */
	FN("entry_ip", json_type_int, set_entry_ip),
	UINT("user_sp", exec_ret.user_sp),
	UINT("argc", exec_ret.argc),
	FN("argv", json_type_array, set_argv),
	SKIP("argv_truncated"),
	UINT("argv_cut", exec_ret.argv_cut),
	BOOL("regs_cleared", exec_ret.regs_cleared),
	/* switch, lde_switch */
	UINT("prev_pid", pid),
	UINT("prev_tid", tid),
	STR("prev_comm", comm),
	UINT("next_pid", sw.next_pid),
	UINT("next_tid", sw.next_tid),
	STR("next_comm", sw.next_comm),
	BOOL("nonvoluntary", sw.nonvoluntary),
	SKIP("preempt"),
	UINT("prev_state", sw.prev_state),
	UINT("prev_stack_depth", sw.prev_depth),
	UINT("next_stack_depth", sw.next_depth),
	STR("next_resume", sw.next_resume),
	UINT("next_user_ip", sw.next_user_ip),
	BOOL("kernel_preempt", sw.preempt),
	FN("end_state", json_type_string, set_end_state),
	FN("reason", json_type_string, set_reason),
	FN("blocked_in", json_type_string, set_blocked_in),
	UINT("wakeup_pid", sw.by_pid),
	UINT("wakeup_tid", sw.by_tid),
	STR("wakeup_comm", sw.by_comm),
	FN("traced", json_type_string, set_traced),
	{ "next_wait_ns", F_UINT, json_type_int, LDE_KNOWN_WAIT,
	  EV(sw.next_wait_ns), NULL },
	{ "prev_run_ns", F_UINT, json_type_int, LDE_KNOWN_RUN,
	  EV(sw.prev_run_ns), NULL },
	/* timer */
	FN("mode", json_type_string, set_mode),
	/* exec, exit, fault, fork */
	STR("filename", exec.filename),
	SINT("exit_code", exit.code),
	SKIP("status"),
	FN("signal", json_type_null, set_signal),
	SINT("si_code", fault.code),
	UINT("addr", fault.addr),
	UINT("child_pid", fork.child_pid),
	UINT("child_tid", fork.child_tid),
	/* reap and wakeup: by_* at the same place in both parts */
	UINT("by_pid", reap.by_pid),
	UINT("by_tid", reap.by_tid),
	STR("by_comm", reap.by_comm),
	UINT("target_cpu", wakeup.target_cpu),
	BOOL("new_task", wakeup.new_task),
};

/* -- events back from their JSON -------------------------------------------- */

/* The index of a trap's argument named name ("argN" if none known). */
static int arg_index(const struct parsed *pe, const char *name)
{
	const struct lde_syscall *sc = NULL;
	unsigned int i;

	/* The toy trap's numbers are lde.ko's: its arguments are raw. */
	if (pe->stage == LDE_STAGE_TRAP)
		sc = lde_call_info(pe->e.trap.nr, pe->e.trap.compat);
	if (!sc) {
		if (!strncmp(name, "arg", 3) && name[3] >= '0' &&
		    name[3] < '0' + LDE_TRAP_ARGS && !name[4])
			return name[3] - '0';
		return -1;
	}
	for (i = 0; i < sc->nargs; i++)
		if (!strcmp(sc->args[i].name, name))
			return i;
	return -1;
}

/* "args": a number is the argument, a string what the trap read. */
static int set_args(struct parsed *pe)
{
	struct lde_event *e = &pe->e;

	json_object_object_foreach(pe->args, name, v) {
		int i = arg_index(pe, name);
		unsigned int n = e->trap_str.nstrs;
		bool neg;

		if (i < 0)
			continue;
		if (json_object_is_type(v, json_type_int)) {
			e->trap.args[i] = lde_trace_json_int(v, &neg);
			continue;
		}
		if (!json_object_is_type(v, json_type_string) ||
		    pe->stage != LDE_STAGE_TRAP)
			return lde_trace_json_bad(pe, name, "is not an argument's value");
		if (n >= LDE_TRAP_STRS)
			continue;
		lde_trace_json_copy_str(e->trap_str.str[n], LDE_STR_LEN, v);
		e->trap_str.str_arg[n] = i;
		e->trap_str.str_state[n] = LDE_STR_READ;
		e->trap_str.nstrs = n + 1;
	}
	return 0;
}

/* "args_cut": the strings cut at LDE_STR_LEN - 1 bytes. */
static int set_args_cut(struct parsed *pe)
{
	struct lde_event *e = &pe->e;
	size_t j, len = json_object_array_length(pe->args_cut);
	unsigned int n;

	for (j = 0; j < len; j++) {
		struct json_object *s = json_object_array_get_idx(pe->args_cut, j);
		int i;

		if (!json_object_is_type(s, json_type_string))
			return lde_trace_json_bad(pe, "args_cut", "holds something not a name");
		i = arg_index(pe, json_object_get_string(s));
		for (n = 0; n < e->trap_str.nstrs && n < LDE_TRAP_STRS; n++)
			if (e->trap_str.str_arg[n] == i)
				e->trap_str.str_state[n] = LDE_STR_CUT;
	}
	return 0;
}

/* The event in o, its stage known: what the fields alone do not say. */
static int finish_event(struct parsed *pe)
{
	struct lde_event *e = &pe->e;

	if (pe->stage < 0) {
		snprintf(pe->why, pe->why_size, "an object with no \"stage\"");
		return -1;
	}
	e->stage = pe->stage;
	if (pe->stage == LDE_STAGE_TRAP || pe->stage == LDE_STAGE_LDE_TRAP) {
		if (pe->args && set_args(pe))
			return -1;
		if (pe->args_cut && set_args_cut(pe))
			return -1;
		e->trap.ip = pe->ip;
	}
	if (pe->stage == LDE_STAGE_TIMER)
		e->timer.ip = pe->ip;
	if (pe->stage == LDE_STAGE_RETURN && pe->exec_ret)
		e->stage = LDE_EVENT_EXEC_RETURN;
	if (pe->stage == LDE_STAGE_SWITCH || pe->stage == LDE_STAGE_LDE_SWITCH) {
		if (!pe->blocked_in)
			e->sw.blocked_nr = -1;
		/* A file older than reasons: what nonvoluntary says. */
		if (!pe->reason)
			e->sw.reason = e->sw.nonvoluntary ? LDE_REASON_OTHER :
							    LDE_REASON_BLOCKED;
	}
	if (pe->stage == LDE_STAGE_TRAP && e->trap_str.nstrs) {
		unsigned int n;

		e->stage = LDE_EVENT_TRAP_STRINGS;
		/* As the trap program leaves the slots it did not fill. */
		for (n = e->trap_str.nstrs; n < LDE_TRAP_STRS; n++)
			e->trap_str.str_state[n] = LDE_STR_UNREADABLE;
	}
	return 0;
}

static struct field_index event_index;

static void index_events(void)
{
	static bool indexed;

	if (indexed)
		return;
	lde_trace_json_index(&event_index, event_fields, N_OF(event_fields));
	indexed = true;
}

int lde_trace_json_event(struct json_object *o, struct lde_event *e,
			 char *why, size_t why_size)
{
	struct parsed pe = {
		.stage = -1,
		.why = why,
		.why_size = why_size,
	};

	index_events();
	if (lde_trace_json_set_fields(&pe, &event_index, o, &pe.e) ||
	    finish_event(&pe))
		return -1;
	*e = pe.e;
	return 0;
}

static char parse_why[256];

int lde_trace_parse_event(const char *line, struct lde_event *e)
{
	static struct json_tokener *tok;
	struct json_object *o;
	int ret;

	if (!tok)
		tok = lde_trace_json_tokener();
	if (!tok) {
		snprintf(parse_why, sizeof(parse_why), "out of memory");
		return -1;
	}
	o = lde_trace_json_parse(tok, line, strlen(line), parse_why, sizeof(parse_why));
	if (!o)
		return -1;
	ret = lde_trace_json_event(o, e, parse_why, sizeof(parse_why));
	json_object_put(o);
	return ret;
}

const char *lde_trace_parse_error(void)
{
	return parse_why;
}
