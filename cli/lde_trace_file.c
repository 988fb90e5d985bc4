// SPDX-License-Identifier: GPL-2.0
/*
 * lde-trace's trace files: see lde_trace_file.h.  The writer appends the
 * -j renderer's lines to the file; the reader parses them back into
 * struct lde_event, so every renderer draws a replay as it drew the live
 * trace.  The parser knows only what the writer writes: flat objects of
 * strings, integers, booleans and arrays of strings, one nested object
 * (the header's boot).
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "lde_names.h"
#include "lde_render.h"
#include "lde_stats.h"
#include "lde_syscalls.h"
#include "lde_trace_file.h"

/* -- writing ---------------------------------------------------------------- */

static FILE *out;
static int out_err;
static char out_buf[1 << 17];	/* written when under LDE_EVENT_TEXT_MAX left */
static struct lde_line out_text;

static void out_flush(void)
{
	lde_line_flush(&out_text, out);
	if (ferror(out) && !out_err)
		out_err = errno ? -errno : -EIO;
}

int lde_trace_file_create(const char *path, const struct lde_trace_header *h)
{
	char boot[2048];
	struct lde_line b;
	int i, first = 1;

	out = fopen(path, "we");
	if (!out)
		return -errno;
	lde_line_start(&out_text, out_buf, sizeof(out_buf));
	lde_line_start(&b, boot, sizeof(boot));
	lde_json_boot(&b, &h->boot);
	/* The boot object without its newline, nested in the header. */
	if (b.end > b.buf && b.end[-1] == '\n')
		b.end--;
	fprintf(out, "{\"stage\":\"header\",\"format\":%d,\"version\":",
		LDE_TRACE_FORMAT);
	lde_json_str(out, h->version, sizeof(h->version));
	fputs(",\"kernel\":", out);
	lde_json_str(out, h->kernel, sizeof(h->kernel));
	fprintf(out, ",\"cpus\":%d,\"clock\":\"CLOCK_MONOTONIC\",\"stages\":[",
		h->cpus);
	for (i = 0; i < LDE_NR_STAGES; i++) {
		if (!(h->stages & 1U << i))
			continue;
		fprintf(out, "%s\"%s\"", first ? "" : ",", lde_stage_names[i]);
		first = 0;
	}
	fputc(']', out);
	lde_syscalls_write_json(out);
	fprintf(out, ",\"boot\":%.*s}\n", (int)(b.end - b.buf), b.buf);
	out_flush();
	return out_err;
}

void lde_trace_file_event(const struct lde_event *e,
			  unsigned long long start_ns)
{
	if (!out)
		return;
	if (lde_line_room(&out_text) < LDE_EVENT_TEXT_MAX)
		out_flush();
	/* Times in the file count from the start, as -j prints them. */
	lde_json_event(&out_text, e, start_ns);
}

int lde_trace_file_close(unsigned long long lost,
			 unsigned long long lost_processes)
{
	int err;

	if (!out)
		return 0;
	out_flush();
	fprintf(out, "{\"stage\":\"end\",\"lost\":%llu,\"lost_processes\":%llu}\n",
		lost, lost_processes);
	if (fflush(out) && !out_err)
		out_err = -errno;
	if (fclose(out) && !out_err)
		out_err = -errno;
	out = NULL;
	err = out_err;
	out_err = 0;
	return err;
}

/* -- a small JSON reader ---------------------------------------------------- */

#define JSON_ARR_MAX	LDE_NR_STAGES

struct jv {
	enum { J_STR, J_NUM, J_BOOL, J_ARR, J_NULL } type;
	char str[256];
	long long num;
	unsigned long long unum;
	bool b;
	int n;				/* array: strings read */
	char arr[JSON_ARR_MAX][LDE_ARG_LEN];
};

typedef void (*json_field)(void *ctx, const char *key, const struct jv *v);

static void skip_ws(const char **p)
{
	while (**p == ' ' || **p == '\t' || **p == '\r' || **p == '\n')
		(*p)++;
}

/* A JSON string into buf (cut at size - 1); -1 if malformed. */
static int parse_string(const char **p, char *buf, size_t size)
{
	const char *s = *p;
	size_t n = 0;

	if (*s++ != '"')
		return -1;
	while (*s && *s != '"') {
		char c = *s++;

		if (c == '\\') {
			switch (*s++) {
			case '"': c = '"'; break;
			case '\\': c = '\\'; break;
			case '/': c = '/'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'u': {
				char hex[5] = { 0 };

				if (strlen(s) < 4)
					return -1;
				memcpy(hex, s, 4);
				s += 4;
				/* lde-trace writes only \u00XX: one byte. */
				c = (char)strtoul(hex, NULL, 16);
				break;
			}
			default:
				return -1;
			}
		}
		if (n + 1 < size)
			buf[n++] = c;
	}
	if (*s != '"')
		return -1;
	buf[n] = '\0';
	*p = s + 1;
	return 0;
}

static int parse_object(const char **p, const char *prefix, json_field field,
			void *ctx);

static int parse_value(const char **p, struct jv *v, const char *key,
		       json_field field, void *ctx)
{
	char *end;

	skip_ws(p);
	memset(v, 0, offsetof(struct jv, arr));
	switch (**p) {
	case '"':
		v->type = J_STR;
		return parse_string(p, v->str, sizeof(v->str));
	case '{':
		return parse_object(p, key, field, ctx);
	case '[':
		v->type = J_ARR;
		(*p)++;
		skip_ws(p);
		while (**p != ']') {
			char s[256];

			if (parse_string(p, s, sizeof(s)))
				return -1;
			if (v->n < JSON_ARR_MAX)
				snprintf(v->arr[v->n++], LDE_ARG_LEN, "%.*s",
					 LDE_ARG_LEN - 1, s);
			skip_ws(p);
			if (**p == ',') {
				(*p)++;
				skip_ws(p);
			} else if (**p != ']') {
				return -1;
			}
		}
		(*p)++;
		return 0;
	case 't':
	case 'f':
		v->type = J_BOOL;
		v->b = **p == 't';
		if (strncmp(*p, v->b ? "true" : "false", v->b ? 4 : 5))
			return -1;
		*p += v->b ? 4 : 5;
		return 0;
	case 'n':
		v->type = J_NULL;
		if (strncmp(*p, "null", 4))
			return -1;
		*p += 4;
		return 0;
	default:
		v->type = J_NUM;
		errno = 0;
		if (**p == '-') {
			v->num = strtoll(*p, &end, 10);
			v->unum = v->num;
		} else {
			v->unum = strtoull(*p, &end, 10);
			v->num = v->unum;
		}
		if (end == *p || errno)
			return -1;
		*p = end;
		return 0;
	}
}

/* Calls field(ctx, key, value) for each member; nested keys "outer.inner". */
static int parse_object(const char **p, const char *prefix, json_field field,
			void *ctx)
{
	char key[128], full[256];
	struct jv *v = malloc(sizeof(*v));
	int ret = -1;

	if (!v)
		return -1;
	skip_ws(p);
	if (*(*p)++ != '{')
		goto out;
	skip_ws(p);
	while (**p != '}') {
		if (parse_string(p, key, sizeof(key)))
			goto out;
		skip_ws(p);
		if (*(*p)++ != ':')
			goto out;
		snprintf(full, sizeof(full), "%s%s%s", prefix ? prefix : "",
			 prefix ? "." : "", key);
		skip_ws(p);
		if (**p == '{') {
			if (parse_object(p, full, field, ctx))
				goto out;
		} else {
			if (parse_value(p, v, full, field, ctx))
				goto out;
			field(ctx, full, v);
		}
		skip_ws(p);
		if (**p == ',')
			(*p)++;
		else if (**p != '}')
			goto out;
		skip_ws(p);
	}
	(*p)++;
	ret = 0;
out:
	free(v);
	return ret;
}

/* -- events back from their JSON -------------------------------------------- */

struct parsed {
	struct lde_event e;
	int stage;		/* -1: none */
	bool strings;		/* a trap with string arguments */
	bool exec_ret;		/* a return with what a new program starts with */
	unsigned long long ip;	/* a trap's or a timer's, by the stage */
	bool known;		/* the stage is one of ours */
	bool reason;		/* a switch with its reason (newer files) */
	bool blocked_in;	/* a switch with the call prev blocked in */
};

static void copy_str(char *dst, size_t size, const struct jv *v)
{
	memset(dst, 0, size);
	if (v->type == J_STR)
		memcpy(dst, v->str, strnlen(v->str, size - 1));
}

static int signal_of(const char *name)
{
	int sig;

	for (sig = 1; sig < NSIG; sig++)
		if (!strcmp(name, lde_signal_name(sig)))
			return sig;
	return 0;
}

/* The index of a trap's argument named name ("argN" if none known). */
static int arg_index(long long nr, unsigned int compat, const char *name)
{
	const struct lde_syscall *sc = lde_call_info(nr, compat);
	unsigned int i;

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

/* "args.NAME": a number is the argument, a string what the trap read. */
static void trap_arg(struct parsed *pe, const char *name, const struct jv *v)
{
	struct lde_event *e = &pe->e;
	int i = arg_index(e->trap.nr, e->trap.compat, name);
	unsigned int n = e->trap_str.nstrs;

	if (i < 0)
		return;
	if (v->type == J_NUM) {
		e->trap.args[i] = v->unum;
		return;
	}
	if (v->type != J_STR || n >= LDE_TRAP_STRS)
		return;
	copy_str(e->trap_str.str[n], LDE_STR_LEN, v);
	e->trap_str.str_arg[n] = i;
	e->trap_str.str_state[n] = LDE_STR_READ;
	e->trap_str.nstrs = n + 1;
	pe->strings = true;
}

static void trap_args_cut(struct parsed *pe, const struct jv *v)
{
	struct lde_event *e = &pe->e;
	unsigned int n;
	int i, j;

	for (j = 0; j < v->n; j++) {
		i = arg_index(e->trap.nr, e->trap.compat, v->arr[j]);
		for (n = 0; n < e->trap_str.nstrs && n < LDE_TRAP_STRS; n++)
			if (e->trap_str.str_arg[n] == i)
				e->trap_str.str_state[n] = LDE_STR_CUT;
	}
}

static void event_field(void *ctx, const char *k, const struct jv *v)
{
	struct parsed *pe = ctx;
	struct lde_event *e = &pe->e;
	unsigned int i;

	if (!strncmp(k, "args.", 5)) {
		trap_arg(pe, k + 5, v);
	} else if (!strcmp(k, "args_cut") && v->type == J_ARR) {
		trap_args_cut(pe, v);
	} else if (!strcmp(k, "stage")) {
		pe->stage = v->type == J_STR ? lde_stage_of(v->str) : -1;
		pe->known = pe->stage >= 0;
	} else if (!strcmp(k, "ts_ns")) {
		e->ts_ns = v->unum;
	} else if (!strcmp(k, "cpu")) {
		e->cpu = v->unum;
	} else if (!strcmp(k, "pid") || !strcmp(k, "prev_pid")) {
		e->pid = v->unum;
	} else if (!strcmp(k, "tid") || !strcmp(k, "prev_tid")) {
		e->tid = v->unum;
	} else if (!strcmp(k, "comm") || !strcmp(k, "prev_comm")) {
		copy_str(e->comm, LDE_COMM_LEN, v);
	} else if (!strcmp(k, "nr")) {
		e->trap.nr = v->num;	/* trap and ret both start with nr */
	} else if (!strcmp(k, "compat")) {
		/* and the table, beside it in both */
		if (v->type == J_STR && lde_compat_of(v->str) > 0)
			e->trap.compat = lde_compat_of(v->str);
	} else if (!strcmp(k, "sigmask")) {
		e->trap.args[LDE_SIGRETURN_MASK] = v->unum;
		e->trap.args[LDE_SIGRETURN_MASK_READ] = 1;
	} else if (!strcmp(k, "ip")) {
		pe->ip = v->unum;
	} else if (!strcmp(k, "sp")) {
		e->trap.sp = v->unum;
	} else if (!strcmp(k, "user_cpl")) {
		e->trap.cpl = v->unum;
	} else if (!strcmp(k, "ret")) {
		e->ret.ret = v->num;
	} else if (!strcmp(k, "kernel_ns")) {
		e->ret.kernel_ns = v->unum;
	} else if (!strcmp(k, "entry_ip")) {
		pe->exec_ret = true;
		e->exec_ret.entry_ip = v->unum;
	} else if (!strcmp(k, "user_sp")) {
		e->exec_ret.user_sp = v->unum;
	} else if (!strcmp(k, "argc")) {
		e->exec_ret.argc = v->unum;
	} else if (!strcmp(k, "argv") && v->type == J_ARR) {
		for (i = 0; i < (unsigned int)v->n && i < LDE_ARGV_MAX; i++)
			memcpy(e->exec_ret.argv[i], v->arr[i],
			       strnlen(v->arr[i], LDE_ARG_LEN - 1));
		e->exec_ret.argv_read = i;
	} else if (!strcmp(k, "argv_cut")) {
		e->exec_ret.argv_cut = v->unum;
	} else if (!strcmp(k, "regs_cleared")) {
		e->exec_ret.regs_cleared = v->b;
	} else if (!strcmp(k, "next_pid")) {
		e->sw.next_pid = v->unum;
	} else if (!strcmp(k, "next_tid")) {
		e->sw.next_tid = v->unum;
	} else if (!strcmp(k, "next_comm")) {
		copy_str(e->sw.next_comm, LDE_COMM_LEN, v);
	} else if (!strcmp(k, "nonvoluntary")) {
		e->sw.nonvoluntary = v->b;
	} else if (!strcmp(k, "prev_state")) {
		e->sw.prev_state = v->unum;
	} else if (!strcmp(k, "prev_stack_depth")) {
		e->sw.prev_depth = v->unum;
	} else if (!strcmp(k, "next_stack_depth")) {
		e->sw.next_depth = v->unum;
	} else if (!strcmp(k, "next_resume")) {
		copy_str(e->sw.next_resume, LDE_SYM_LEN, v);
	} else if (!strcmp(k, "next_user_ip")) {
		e->sw.next_user_ip = v->unum;
	} else if (!strcmp(k, "mode")) {
		e->timer.mode = v->type == J_STR && !strcmp(v->str, "user") ?
				LDE_TIMER_USER : LDE_TIMER_KERNEL;
	} else if (!strcmp(k, "filename")) {
		copy_str(e->exec.filename, LDE_PATH_LEN, v);
	} else if (!strcmp(k, "exit_code")) {
		e->exit.code = v->num;
	} else if (!strcmp(k, "signal") && v->type == J_STR) {
		e->fault.sig = signal_of(v->str);
	} else if (!strcmp(k, "si_code")) {
		e->fault.code = v->num;
	} else if (!strcmp(k, "addr")) {
		e->fault.addr = v->unum;
	} else if (!strcmp(k, "child_pid")) {
		e->fork.child_pid = v->unum;
	} else if (!strcmp(k, "child_tid")) {
		e->fork.child_tid = v->unum;
	} else if (!strcmp(k, "kernel_preempt")) {
		e->sw.preempt = v->b;
	} else if (!strcmp(k, "end_state") && v->type == J_STR &&
		   lde_end_state_of(v->str) >= 0) {
		e->sw.end_state = lde_end_state_of(v->str);
	} else if (!strcmp(k, "reason") && v->type == J_STR &&
		   lde_reason_of(v->str) >= 0) {
		e->sw.reason = lde_reason_of(v->str);
		e->sw.known |= LDE_KNOWN_SCHED;
		pe->reason = true;
	} else if (!strcmp(k, "blocked_in") && v->type == J_STR) {
		e->sw.blocked_nr = lde_syscall_nr(v->str);
		pe->blocked_in = true;
	} else if (!strcmp(k, "wakeup_pid")) {
		e->sw.by_pid = v->unum;
	} else if (!strcmp(k, "wakeup_tid")) {
		e->sw.by_tid = v->unum;
	} else if (!strcmp(k, "wakeup_comm")) {
		copy_str(e->sw.by_comm, LDE_COMM_LEN, v);
	} else if (!strcmp(k, "traced") && v->type == J_STR) {
		/* Absent: both sides are traced (neither bit). */
		if (!strcmp(v->str, "prev"))
			e->sw.known |= LDE_KNOWN_PREV_TRACED;
		else if (!strcmp(v->str, "next"))
			e->sw.known |= LDE_KNOWN_NEXT_TRACED;
	} else if (!strcmp(k, "next_wait_ns")) {
		e->sw.next_wait_ns = v->unum;
		e->sw.known |= LDE_KNOWN_WAIT;
	} else if (!strcmp(k, "prev_run_ns")) {
		e->sw.prev_run_ns = v->unum;
		e->sw.known |= LDE_KNOWN_RUN;
	} else if (!strcmp(k, "target_cpu")) {
		e->wakeup.target_cpu = v->unum;
	} else if (!strcmp(k, "new_task")) {
		e->wakeup.new_task = v->b;
	} else if (!strcmp(k, "by_pid")) {
		e->reap.by_pid = v->unum;
	} else if (!strcmp(k, "by_tid")) {
		e->reap.by_tid = v->unum;
	} else if (!strcmp(k, "by_comm")) {
		copy_str(e->reap.by_comm, LDE_COMM_LEN, v);
	}
}

int lde_trace_parse_event(const char *line, struct lde_event *e)
{
	struct parsed *pe = calloc(1, sizeof(*pe));
	const char *p = line;
	int ret = -1;

	if (!pe)
		return -1;
	pe->stage = -1;
	if (parse_object(&p, NULL, event_field, pe) || !pe->known)
		goto out;
	skip_ws(&p);
	if (*p)
		goto out;
	*e = pe->e;
	e->stage = pe->stage;
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
	if (pe->stage == LDE_STAGE_TIMER)
		e->timer.ip = pe->ip;
	else if (pe->stage == LDE_STAGE_TRAP || pe->stage == LDE_STAGE_LDE_TRAP)
		e->trap.ip = pe->ip;
	if (pe->stage == LDE_STAGE_TRAP && pe->strings) {
		unsigned int n;

		e->stage = LDE_EVENT_TRAP_STRINGS;
		/* As the trap program leaves the slots it did not fill. */
		for (n = e->trap_str.nstrs; n < LDE_TRAP_STRS; n++)
			e->trap_str.str_state[n] = LDE_STR_UNREADABLE;
	}
	ret = 0;
out:
	free(pe);
	return ret;
}

/* -- reading a file ---------------------------------------------------------- */

static void header_field(void *ctx, const char *k, const struct jv *v)
{
	struct lde_trace_header *h = ctx;
	struct lde_boot *b = &h->boot;
	int i, s;

	if (!strcmp(k, "stage") && v->type == J_STR &&
	    strcmp(v->str, "header"))
		h->format = -1;		/* not a header */
	else if (!strcmp(k, "format") && h->format >= 0)
		h->format = v->num;
	else if (!strcmp(k, "version"))
		copy_str(h->version, sizeof(h->version), v);
	else if (!strcmp(k, "kernel"))
		copy_str(h->kernel, sizeof(h->kernel), v);
	else if (!strcmp(k, "cpus"))
		h->cpus = v->num;
	else if (!strcmp(k, "stages") && v->type == J_ARR)
		for (i = 0; i < v->n; i++) {
			s = lde_stage_of(v->arr[i]);
			if (s >= 0)
				h->stages |= 1U << s;
		}
	else if (!strncmp(k, "syscalls.", 9) && v->type == J_STR)
		lde_syscalls_define(strtoll(k + 9, NULL, 10), v->str);
	else if (!strncmp(k, "types.", 6) && v->type == J_STR)
		lde_syscalls_define_type(k + 6, v->str);
	else if (!strcmp(k, "boot.syscall_entry"))
		copy_str(b->syscall_entry, LDE_BOOT_NAME_LEN, v), b->module = true;
	else if (!strcmp(k, "boot.timer_handler"))
		copy_str(b->timer_handler, LDE_BOOT_NAME_LEN, v);
	else if (!strcmp(k, "boot.fault_handler"))
		copy_str(b->fault_handler, LDE_BOOT_NAME_LEN, v);
	else if (!strcmp(k, "boot.timer_vector"))
		b->timer_vector = v->num;
	else if (!strcmp(k, "boot.fault_vector"))
		b->fault_vector = v->num;
	else if (!strcmp(k, "boot.cpus"))
		b->cpus = v->num;
	else if (!strcmp(k, "boot.same_on_all_cpus"))
		b->same_on_all_cpus = v->b;
	else if (!strcmp(k, "boot.hz"))
		b->hz = v->num;
	else if (!strcmp(k, "boot.kernel_stack_size"))
		b->kernel_stack_size = v->num;
	else if (!strcmp(k, "boot.toy_trap_table_entries"))
		b->toy_entries = v->num;
	else if (!strcmp(k, "boot.toy_trap_table_read_only"))
		b->toy_read_only = v->b;
	else if (!strcmp(k, "boot.clockevent"))
		copy_str(b->clockevent, LDE_BOOT_NAME_LEN, v);
	else if (!strcmp(k, "boot.clockevent_same_on_all_cpus"))
		b->clockevent_same = v->b;
}

static void end_field(void *ctx, const char *k, const struct jv *v)
{
	struct lde_trace_end *end = ctx;

	if (!strcmp(k, "lost"))
		end->lost = v->unum;
	else if (!strcmp(k, "lost_processes"))
		end->lost_processes = v->unum;
}

/* The next line, whole; NULL at the end.  *cut: it had no newline. */
static char *next_line(struct lde_trace_reader *r, char **buf, size_t *cap,
		       bool *cut)
{
	ssize_t n = getline(buf, cap, r->f);

	if (n < 0)
		return NULL;
	r->line++;
	*cut = (*buf)[n - 1] != '\n';
	if (!*cut)
		(*buf)[n - 1] = '\0';
	return *buf;
}

int lde_trace_file_open(struct lde_trace_reader *r, const char *path)
{
	char *buf = NULL, *line;
	const char *p;
	size_t cap = 0;
	bool cut;

	memset(r, 0, sizeof(*r));
	r->path = path;
	r->f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	if (!r->f) {
		fprintf(stderr, "lde-trace: cannot read %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	line = next_line(r, &buf, &cap, &cut);
	p = line;
	if (!line || parse_object(&p, NULL, header_field, &r->header) ||
	    r->header.format <= 0) {
		fprintf(stderr, "lde-trace: %s:1: not an lde-trace trace file (no header object)\n",
			path);
		free(buf);
		return -1;
	}
	free(buf);
	if (r->header.format > LDE_TRACE_FORMAT) {
		fprintf(stderr, "lde-trace: %s:1: trace format %d is newer than this lde-trace reads (%d)\n",
			path, r->header.format, LDE_TRACE_FORMAT);
		return -1;
	}
	if (r->header.format < LDE_TRACE_FORMAT) {
		fprintf(stderr, "lde-trace: %s:1: trace format %d has no system-call arguments; this lde-trace reads format %d: record it again\n",
			path, r->header.format, LDE_TRACE_FORMAT);
		return -1;
	}
	lde_syscalls_classify();
	return 0;
}

int lde_trace_file_replay(struct lde_trace_reader *r,
			  void (*show)(const struct lde_event *e))
{
	struct lde_event e;
	char *buf = NULL, *line;
	size_t cap = 0;
	bool cut;
	int ret = 0;

	while ((line = next_line(r, &buf, &cap, &cut))) {
		const char *p = line;

		if (cut) {
			fprintf(stderr, "lde-trace: warning: %s:%lu: the last line is cut short (the trace was not closed); the events before it are shown\n",
				r->path, r->line);
			break;
		}
		if (!*line)
			continue;
		if (strstr(line, "\"stage\":\"end\"") == line + 1) {
			if (parse_object(&p, NULL, end_field, &r->end) == 0)
				r->end.seen = true;
			continue;
		}
		if (lde_trace_parse_event(line, &e)) {
			fprintf(stderr, "lde-trace: %s:%lu: not an lde-trace event\n",
				r->path, r->line);
			ret = -1;
			break;
		}
		show(&e);
	}
	if (!ret && !cut && !r->end.seen)
		fprintf(stderr, "lde-trace: warning: %s: no end object (the trace was not closed); the events it holds are shown\n",
			r->path);
	free(buf);
	return ret;
}

void lde_trace_file_close_reader(struct lde_trace_reader *r)
{
	if (r->f && r->f != stdin)
		fclose(r->f);
	r->f = NULL;
}
