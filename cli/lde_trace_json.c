// SPDX-License-Identifier: GPL-2.0
/*
 * A trace file's lines from JSON back into C (see lde_trace_json.h): the
 * header into struct lde_trace_header, each event into struct lde_event,
 * the end object into struct lde_trace_end.  json-c parses a line, its
 * nesting bounded (LDE_TRACE_DEPTH); keys are looked up in tables
 * (events, the header, its boot object, the end object), each key with
 * the JSON type it must have and where its value goes.  Keys this reader
 * does not know are skipped, so a newer writer's additions do not stop
 * an older reader; anything else not as lde-trace writes it is said,
 * in a few words, for the FILE:LINE: line.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lde_arch_words.h"
#include "lde_names.h"
#include "lde_syscalls.h"
#include "lde_trace_json.h"

/* -- JSON values into C ------------------------------------------------------ */

struct json_tokener *lde_trace_json_tokener(void)
{
	struct json_tokener *tok = json_tokener_new_ex(LDE_TRACE_DEPTH);

	if (tok)
		json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	return tok;
}

void lde_trace_json_tokener_free(struct json_tokener *tok)
{
	if (tok)
		json_tokener_free(tok);
}

/* A line as one JSON object, or NULL with why said. */
static struct json_object *parse_line(struct json_tokener *tok,
				      const char *line, size_t len,
				      char *why, size_t why_size)
{
	struct json_object *o;
	enum json_tokener_error err;

	if (memchr(line, '\0', len)) {
		snprintf(why, why_size, "a NUL byte in the line");
		return NULL;
	}
	json_tokener_reset(tok);
	o = json_tokener_parse_ex(tok, line, len);
	err = json_tokener_get_error(tok);
	if (!o) {
		if (err == json_tokener_continue)
			snprintf(why, why_size, "not JSON: the line ends inside a value");
		else if (err == json_tokener_error_depth)
			snprintf(why, why_size, "not JSON that lde-trace writes: nested deeper than %d",
				 LDE_TRACE_DEPTH - 1);
		else
			snprintf(why, why_size, "not JSON: %s at byte %zu",
				 json_tokener_error_desc(err),
				 json_tokener_get_parse_end(tok) + 1);
		return NULL;
	}
	if (json_tokener_get_parse_end(tok) != len) {
		snprintf(why, why_size, "not JSON: text after the object at byte %zu",
			 json_tokener_get_parse_end(tok) + 1);
		json_object_put(o);
		return NULL;
	}
	if (!json_object_is_type(o, json_type_object)) {
		snprintf(why, why_size, "not a JSON object");
		json_object_put(o);
		return NULL;
	}
	return o;
}

/*
 * A string as the writer writes it: each byte it holds is one code
 * point, U+0000..U+00FF (a byte above 0x7f escaped as \u00XX), which
 * json-c gives back in UTF-8.  Into dst (size bytes, NUL-padded), cut at
 * size - 1 bytes or at a NUL.
 */
static void copy_str(char *dst, size_t size, struct json_object *v)
{
	const unsigned char *s = (const void *)json_object_get_string(v);
	size_t len = json_object_get_string_len(v), i, n = 0;

	memset(dst, 0, size);
	for (i = 0; i < len && n + 1 < size; i++) {
		unsigned char c = s[i];

		if ((c == 0xc2 || c == 0xc3) && i + 1 < len &&
		    (s[i + 1] & 0xc0) == 0x80)
			c = (c & 0x1f) << 6 | (s[++i] & 0x3f);
		if (!c)
			break;
		dst[n++] = c;
	}
}

/* An integer's value, its sign kept: unsigned above INT64_MAX too. */
static unsigned long long int_value(struct json_object *v, bool *negative)
{
	long long s = json_object_get_int64(v);

	*negative = s < 0;
	return s < 0 ? (unsigned long long)s : json_object_get_uint64(v);
}

static const char *type_name(enum json_type t)
{
	switch (t) {
	case json_type_int:
		return "a number";
	case json_type_double:
		return "a fraction";
	case json_type_boolean:
		return "true or false";
	case json_type_string:
		return "a string";
	case json_type_array:
		return "an array";
	case json_type_object:
		return "an object";
	default:
		return "null";
	}
}

/* -- the field tables -------------------------------------------------------- */

/* How a key's value is stored. */
enum field_kind {
	F_UINT,		/* an unsigned integer of size bytes at off */
	F_SINT,		/* a signed one */
	F_BOOL,		/* true/false into an integer of size bytes */
	F_STR,		/* a string into char[size] at off */
	F_FN,		/* its own setter */
	F_SKIP,		/* written for people; the event does not keep it */
};

struct parsed;

struct field {
	const char *key;
	unsigned char kind;		/* enum field_kind */
	unsigned char type;		/* enum json_type it must have; F_FN:
					 * json_type_null for any */
	unsigned char known;		/* LDE_KNOWN_* its presence says */
	unsigned short off, size;
	int (*set)(struct parsed *pe, struct json_object *v);
};

#define EV(m)		offsetof(struct lde_event, m), \
			sizeof(((struct lde_event *)0)->m)
#define UINT(k, m)	{ k, F_UINT, json_type_int, 0, EV(m), NULL }
#define SINT(k, m)	{ k, F_SINT, json_type_int, 0, EV(m), NULL }
#define BOOL(k, m)	{ k, F_BOOL, json_type_boolean, 0, EV(m), NULL }
#define STR(k, m)	{ k, F_STR, json_type_string, 0, EV(m), NULL }
#define FN(k, t, fn)	{ k, F_FN, t, 0, 0, 0, fn }
#define SKIP(k)		{ k, F_SKIP, json_type_null, 0, 0, 0, NULL }

/* One event line, as it is read. */
struct parsed {
	struct lde_event e;
	int stage;		/* -1: none yet */
	bool exec_ret;		/* a return with what a new program starts with */
	bool reason;		/* a switch with its reason (newer files) */
	bool blocked_in;	/* a switch with the call prev blocked in */
	unsigned long long ip;	/* a trap's or a timer's, by the stage */
	struct json_object *args, *args_cut;	/* read once the stage is */
	struct lde_trace_header *header;	/* the header's setters' */
	char *why;
	size_t why_size;
};

static int bad(struct parsed *pe, const char *key, const char *what)
{
	snprintf(pe->why, pe->why_size, "\"%s\" %s", key, what);
	return -1;
}

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

	pe->ip = int_value(v, &neg);
	return 0;
}

static int set_entry_ip(struct parsed *pe, struct json_object *v)
{
	bool neg;

	pe->exec_ret = true;
	pe->e.exec_ret.entry_ip = int_value(v, &neg);
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
			return bad(pe, "argv", "holds something not a string");
		if (i < LDE_ARGV_MAX)
			copy_str(e->exec_ret.argv[i], LDE_ARG_LEN, s);
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
		return bad(pe, "signal", "is neither a name nor a number");
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
	unsigned long long u = int_value(v, &neg);
	long long nr = (long long)u;

	if (!neg && u == 4294967295ULL)
		nr = -1;
	if (nr < -1 || nr > INT_MAX)
		return bad(pe, "nr", "is out of range");
	pe->e.trap.nr = nr;	/* trap and ret both start with nr */
	return 0;
}

/* The table a call went through: "i386" (enum lde_compat), beside nr. */
static int set_compat(struct parsed *pe, struct json_object *v)
{
	int compat = lde_compat_of(json_object_get_string(v));

	if (compat < 0)
		return bad(pe, "compat", "names no system-call table lde knows");
	pe->e.trap.compat = compat;
	return 0;
}

/* rt_sigreturn's operand: the mask its signal frame restores. */
static int set_sigmask(struct parsed *pe, struct json_object *v)
{
	bool neg;

	pe->e.trap.args[LDE_SIGRETURN_MASK] = int_value(v, &neg);
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

#define N_OF(a)		(sizeof(a) / sizeof((a)[0]))

/*
 * A table's keys by hash (FNV-1a), open addressing: one string compare
 * a key, where a search in order took six.  Slots: a power of two at
 * least twice the keys.
 */
#define INDEX_SLOTS	256

struct field_index {
	struct field *table;
	size_t n;
	const struct field *slot[INDEX_SLOTS];
};

static unsigned int key_hash(const char *key)
{
	unsigned int h = 2166136261u;

	while (*key)
		h = (h ^ (unsigned char)*key++) * 16777619u;
	return h;
}

static void index_fields(struct field_index *x, struct field *table, size_t n)
{
	size_t i;

	x->table = table;
	x->n = n;
	for (i = 0; i < n; i++) {
		unsigned int h = key_hash(table[i].key);

		while (x->slot[h % INDEX_SLOTS])
			h++;
		x->slot[h % INDEX_SLOTS] = &table[i];
	}
}

static const struct field *field_of(const struct field_index *x,
				    const char *key)
{
	unsigned int h = key_hash(key);
	const struct field *f;

	while ((f = x->slot[h % INDEX_SLOTS])) {
		if (!strcmp(f->key, key))
			return f;
		h++;
	}
	return NULL;
}

/* An integer into an unsigned or signed C integer of f->size bytes. */
static int store_int(struct parsed *pe, const char *key, const struct field *f,
		     struct json_object *v, void *to)
{
	bool neg;
	unsigned long long u = int_value(v, &neg);
	int bits = f->size * 8;

	if (f->kind == F_UINT && neg)
		return bad(pe, key, "is negative");
	if (bits < 64) {
		long long s = (long long)u;

		if (f->kind == F_UINT ? u >> bits :
		    s < -(1LL << (bits - 1)) || s >= (1LL << (bits - 1)))
			return bad(pe, key, "is out of range");
	}
	switch (f->size) {
	case 1:
		*(unsigned char *)to = u;
		break;
	case 2:
		*(unsigned short *)to = u;
		break;
	case 4:
		*(unsigned int *)to = u;
		break;
	case 8:
		*(unsigned long long *)to = u;
		break;
	default:	/* no such field in the tables */
		return bad(pe, key, "has no integer of its size here");
	}
	return 0;
}

/* key: v, stored as the table says into base (an event, a header). */
static int set_field(struct parsed *pe, const struct field *f,
		     const char *key, struct json_object *v, void *base)
{
	enum json_type t = json_object_get_type(v);
	char *to = (char *)base + f->off;

	if (f->kind == F_SKIP)
		return 0;
	if (t != f->type && !(f->kind == F_FN && f->type == json_type_null)) {
		char what[48];

		snprintf(what, sizeof(what), "is %s, not %s", type_name(t),
			 type_name(f->type));
		return bad(pe, key, what);
	}
	switch (f->kind) {
	case F_UINT:
	case F_SINT:
		if (store_int(pe, key, f, v, to))
			return -1;
		break;
	case F_BOOL:
		memset(to, 0, f->size);
		*to = json_object_get_boolean(v);
		break;
	case F_STR:
		copy_str(to, f->size, v);
		break;
	case F_FN:
		return f->set(pe, v);
	}
	if (f->known)
		pe->e.sw.known |= f->known;
	return 0;
}

/* Each known key of o into base by its table; the others are skipped. */
static int set_fields(struct parsed *pe, const struct field_index *x,
		      struct json_object *o, void *base)
{
	json_object_object_foreach(o, key, v) {
		const struct field *f = field_of(x, key);

		if (f && set_field(pe, f, key, v, base))
			return -1;
	}
	return 0;
}

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
			e->trap.args[i] = int_value(v, &neg);
			continue;
		}
		if (!json_object_is_type(v, json_type_string) ||
		    pe->stage != LDE_STAGE_TRAP)
			return bad(pe, name, "is not an argument's value");
		if (n >= LDE_TRAP_STRS)
			continue;
		copy_str(e->trap_str.str[n], LDE_STR_LEN, v);
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
			return bad(pe, "args_cut", "holds something not a name");
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

static struct field_index event_index, header_index, boot_index, end_index;
static void index_tables(void);

/* An event object into e: 0, or -1 with why said. */
static int event_of(struct json_object *o, struct lde_event *e, char *why,
		    size_t why_size)
{
	struct parsed pe = {
		.stage = -1,
		.why = why,
		.why_size = why_size,
	};

	index_tables();
	if (set_fields(&pe, &event_index, o, &pe.e) ||
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
	o = parse_line(tok, line, strlen(line), parse_why, sizeof(parse_why));
	if (!o)
		return -1;
	ret = event_of(o, e, parse_why, sizeof(parse_why));
	json_object_put(o);
	return ret;
}

const char *lde_trace_parse_error(void)
{
	return parse_why;
}

/* -- the header and the end object ------------------------------------------ */

#define HD(m)		offsetof(struct lde_trace_header, m), \
			sizeof(((struct lde_trace_header *)0)->m)
#define BT(m)		offsetof(struct lde_boot, m), \
			sizeof(((struct lde_boot *)0)->m)

static int set_header_stage(struct parsed *pe, struct json_object *v)
{
	if (strcmp(json_object_get_string(v), "header")) {
		snprintf(pe->why, pe->why_size, "the first line is not a header object");
		return -1;
	}
	return 0;
}

static int set_stages(struct parsed *pe, struct json_object *v)
{
	size_t i, n = json_object_array_length(v);

	for (i = 0; i < n; i++) {
		struct json_object *s = json_object_array_get_idx(v, i);
		int stage;

		if (!json_object_is_type(s, json_type_string))
			return bad(pe, "stages", "holds something not a stage");
		stage = lde_stage_of(json_object_get_string(s));
		if (stage >= 0)
			pe->header->stages |= 1U << stage;
	}
	return 0;
}

/* "syscalls":{"257":"openat(int dfd, ...)"}: as the recording knew them. */
static int set_syscalls(struct parsed *pe, struct json_object *v)
{
	json_object_object_foreach(v, key, sig) {
		char *end;
		long nr;

		errno = 0;
		nr = strtol(key, &end, 10);
		if (!*key || *end || errno || nr < 0 || nr >= LDE_MAX_SYSCALLS)
			return bad(pe, "syscalls", "has a key that is not a system-call number");
		if (!json_object_is_type(sig, json_type_string) ||
		    lde_syscalls_define(nr, json_object_get_string(sig))) {
			snprintf(pe->why, pe->why_size, "\"syscalls\": \"%ld\" is not a signature",
				 nr);
			return -1;
		}
	}
	return 0;
}

static int set_types(struct parsed *pe, struct json_object *v)
{
	json_object_object_foreach(v, key, base) {
		if (!json_object_is_type(base, json_type_string))
			return bad(pe, "types", "holds something not a type");
		lde_syscalls_define_type(key, json_object_get_string(base));
	}
	return 0;
}

static struct field boot_fields[] = {
	SKIP("stage"),
	{ "syscall_entry", F_STR, json_type_string, 0, BT(syscall_entry), NULL },
	{ "timer_vector", F_SINT, json_type_int, 0, BT(timer_vector), NULL },
	{ "timer_handler", F_STR, json_type_string, 0, BT(timer_handler), NULL },
	{ "fault_vector", F_SINT, json_type_int, 0, BT(fault_vector), NULL },
	{ "fault_handler", F_STR, json_type_string, 0, BT(fault_handler), NULL },
	{ "trap_table", F_STR, json_type_string, 0, BT(trap_table), NULL },
	{ "cpus", F_SINT, json_type_int, 0, BT(cpus), NULL },
	{ "same_on_all_cpus", F_BOOL, json_type_boolean, 0, BT(same_on_all_cpus), NULL },
	{ "hz", F_SINT, json_type_int, 0, BT(hz), NULL },
	{ "kernel_stack_size", F_UINT, json_type_int, 0, BT(kernel_stack_size), NULL },
	{ "toy_trap_table_entries", F_SINT, json_type_int, 0, BT(toy_entries), NULL },
	{ "toy_trap_table_read_only", F_BOOL, json_type_boolean, 0, BT(toy_read_only), NULL },
	{ "clockevent", F_STR, json_type_string, 0, BT(clockevent), NULL },
	{ "clockevent_same_on_all_cpus", F_BOOL, json_type_boolean, 0, BT(clockevent_same), NULL },
};

static int set_boot(struct parsed *pe, struct json_object *v)
{
	struct lde_boot *b = &pe->header->boot;

	/* lde.ko's facts come together: the syscall entry says they are. */
	b->module = json_object_object_get_ex(v, "syscall_entry", NULL);
	return set_fields(pe, &boot_index, v, b);
}

static struct field header_fields[] = {
	FN("stage", json_type_string, set_header_stage),
	{ "format", F_SINT, json_type_int, 0, HD(format), NULL },
	{ "version", F_STR, json_type_string, 0, HD(version), NULL },
	{ "kernel", F_STR, json_type_string, 0, HD(kernel), NULL },
	{ "arch", F_STR, json_type_string, 0, HD(arch), NULL },
	{ "cpus", F_SINT, json_type_int, 0, HD(cpus), NULL },
	SKIP("clock"),
	FN("stages", json_type_array, set_stages),
	FN("syscalls", json_type_object, set_syscalls),
	FN("types", json_type_object, set_types),
	FN("boot", json_type_object, set_boot),
};

static struct field end_fields[] = {
	SKIP("stage"),
	{ "lost", F_UINT, json_type_int, 0,
	  offsetof(struct lde_trace_end, lost), sizeof(unsigned long long), NULL },
	{ "lost_processes", F_UINT, json_type_int, 0,
	  offsetof(struct lde_trace_end, lost_processes),
	  sizeof(unsigned long long), NULL },
};

static void index_tables(void)
{
	static bool indexed;

	if (indexed)
		return;
	index_fields(&event_index, event_fields, N_OF(event_fields));
	index_fields(&header_index, header_fields, N_OF(header_fields));
	index_fields(&boot_index, boot_fields, N_OF(boot_fields));
	index_fields(&end_index, end_fields, N_OF(end_fields));
	indexed = true;
}

/*
 * Calls are named as the recording named them, not as this machine
 * would: by the header's signatures ("257":"openat(...)"), and for a
 * number with none, by libseccomp for the recording's arch.
 */
static int name_by_recording(const struct lde_trace_header *h,
			     struct json_object *o, char *why, size_t why_size)
{
	const char *arch = h->arch[0] ? h->arch : "x86_64";
	struct json_object *syscalls;

	if (lde_syscall_names_arch(arch)) {
		snprintf(why, why_size,
			 "the recording's arch \"%.32s\" is not one libseccomp knows",
			 arch);
		return -1;
	}
	/* The rows in the recording's words too, where lde has them. */
	lde_arch_words_use(arch);
	if (!json_object_object_get_ex(o, "syscalls", &syscalls))
		return 0;
	/* set_syscalls() checked each key and signature. */
	json_object_object_foreach(syscalls, key, sig) {
		const char *s = json_object_get_string(sig);
		char name[64];
		size_t len = strcspn(s, "( ");

		if (len >= sizeof(name))
			continue;
		memcpy(name, s, len);
		name[len] = '\0';
		lde_syscall_name_set(strtol(key, NULL, 10), name);
	}
	return 0;
}

int lde_trace_json_header(struct json_tokener *tok, const char *line,
			  size_t len, struct lde_trace_header *h, char *why,
			  size_t why_size)
{
	struct parsed pe = {
		.why = why,
		.why_size = why_size,
		.header = h,
	};
	struct json_object *o;
	int ret = -1;

	index_tables();
	o = parse_line(tok, line, len, why, why_size);
	if (!o)
		return -1;
	if (!json_object_object_get_ex(o, "stage", NULL)) {
		snprintf(why, why_size, "the first line is not a header object");
		goto out;
	}
	if (set_fields(&pe, &header_index, o, h))
		goto out;
	if (h->format <= 0) {
		snprintf(why, why_size, "the header says no format");
		goto out;
	}
	if (name_by_recording(h, o, why, why_size))
		goto out;
	ret = 0;
out:
	json_object_put(o);
	return ret;
}

int lde_trace_json_line(struct json_tokener *tok, const char *line,
			size_t len, struct lde_event *e,
			struct lde_trace_end *end, char *why, size_t why_size)
{
	struct json_object *o, *stage;
	int ret = -1;

	o = parse_line(tok, line, len, why, why_size);
	if (!o)
		return -1;
	if (json_object_object_get_ex(o, "stage", &stage) &&
	    json_object_is_type(stage, json_type_string) &&
	    !strcmp(json_object_get_string(stage), "end")) {
		struct parsed pe = {
			.why = why,
			.why_size = why_size,
		};

		if (!set_fields(&pe, &end_index, o, end)) {
			end->seen = true;
			ret = 0;
		}
	} else if (!event_of(o, e, why, why_size)) {
		ret = 1;
	}
	json_object_put(o);
	return ret;
}
