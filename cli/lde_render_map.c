// SPDX-License-Identifier: GPL-2.0
/*
 * The CPU map (-m), as perf sched map draws it: a column per CPU, a line
 * per switch, each task a two-character code (A0, B0, ... Z0, A1, ...)
 * named once where it first appears; the CPU that switched is starred;
 * an idle CPU is a dot.  Tasks the trace follows have upper-case codes,
 * the others (seen only as the other side of a switch) lower-case.  The
 * margin says why the CPU switched, how long the task coming in waited,
 * and the ticks and wakeups since the line before.
 *
 * Columns are made as CPUs are seen, up to the CPUs the trace says it can
 * hold (the live system's possible CPUs, a trace file's header), and never
 * past MAP_MAX_CPUS; an event on a CPU past them is not drawn, and the
 * map's last line says how many were not.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "lde_names.h"
#include "lde_render.h"
#include "lde_tid_table.h"
#include "lde_view.h"

/* Debian's NR_CPUS (x86's MAXSMP): as many CPUs as its kernel runs. */
#define MAP_MAX_CPUS	8192
/* The margin names this many CPUs' ticks at most, then says how many more. */
#define MARGIN_TICK_CPUS	64
#define MAP_TASKS	(26 * 10)	/* then codes are used again */

struct map_task {
	unsigned int tid;
	int code;		/* index into the codes; bit 9: not followed */
};

struct lde_map {
	struct lde_map_opts opts;
	unsigned int ncols;		/* CPUs drawn */
	unsigned int max_cpus;		/* the trace's CPUs, MAP_MAX_CPUS at most */
	unsigned int ncpus_kept;	/* the length of running[] and ticks[] */
	int *running;			/* code on each CPU; -1 idle/unknown */
	unsigned long long not_drawn;	/* events on CPUs past max_cpus */
	struct lde_tid_table tasks;	/* struct map_task */
	int next_code;
	struct lde_tid_table followed;	/* the processes followed, by tgid */
	/* Since the last line: ticks per CPU, wakeups (codes). */
	unsigned long long *ticks;
	char woke[256];
	size_t woke_len;
};

/*
 * Room for cpu in running[] and ticks[], grown (doubled) as CPUs are seen;
 * false, and counted, for a CPU past the trace's (or out of memory).
 */
static bool cpu_kept(struct lde_map *map, unsigned int cpu)
{
	unsigned int n, c;
	unsigned long long *ticks;
	int *running;

	if (cpu < map->ncpus_kept)
		return true;
	if (cpu >= map->max_cpus)
		goto not_kept;
	for (n = map->ncpus_kept ? map->ncpus_kept : 64; n <= cpu; n *= 2)
		;
	if (n > map->max_cpus)
		n = map->max_cpus;
	running = realloc(map->running, n * sizeof(*running));
	if (!running)
		goto not_kept;
	map->running = running;
	ticks = realloc(map->ticks, n * sizeof(*ticks));
	if (!ticks)
		goto not_kept;
	map->ticks = ticks;
	for (c = map->ncpus_kept; c < n; c++) {
		running[c] = -1;
		ticks[c] = 0;
	}
	map->ncpus_kept = n;
	return true;
not_kept:
	map->not_drawn++;
	return false;
}

static void map_follow(struct lde_map *map, unsigned int tgid);

struct lde_map *lde_map_new(const struct lde_map_opts *opts)
{
	struct lde_map *map = calloc(1, sizeof(*map));

	if (!map)
		return NULL;
	map->opts = *opts;
	map->max_cpus = opts->max_cpus && opts->max_cpus < MAP_MAX_CPUS ?
		       opts->max_cpus : MAP_MAX_CPUS;
	map->ncols = opts->ncpus < map->max_cpus ? opts->ncpus : map->max_cpus;
	if (map->ncols && !cpu_kept(map, map->ncols - 1))
		map->ncols = 0;
	lde_tid_table_init(&map->tasks, sizeof(struct map_task),
			   LDE_TID_TABLE_LIMIT);
	lde_tid_table_init(&map->followed, sizeof(unsigned int),
			   LDE_TID_TABLE_LIMIT);
	if (opts->root_pid)
		map_follow(map, opts->root_pid);
	return map;
}

/* A process past the table's limit is drawn as not followed: said at the end. */
static void map_follow(struct lde_map *map, unsigned int tgid)
{
	lde_tid_get(&map->followed, tgid);
}

static bool followed(const struct lde_map *map, unsigned int tgid,
		     const char *comm)
{
	if (map->opts.comm[0])
		return !strncmp(comm, map->opts.comm, LDE_COMM_LEN);
	if (!map->opts.root_pid)
		return true;
	return lde_tid_find(&map->followed, tgid);
}

/* The code of a task already named, or -1. */
static int code_known(const struct lde_map *map, unsigned int tid)
{
	struct map_task *t = lde_tid_find(&map->tasks, tid);

	return t ? t->code : -1;
}

static void put_code(struct lde_line *l, int code);

/* The code of a task, made (and named in l) on first sight. */
static int code_of(struct lde_map *map, struct lde_line *l, unsigned int tid,
		   unsigned int tgid, const char *comm)
{
	size_t before = map->tasks.used;
	struct map_task *t = lde_tid_get(&map->tasks, tid);

	if (!t)
		return -1;	/* out of memory: shown as "??" */
	if (map->tasks.used == before)
		return t->code;
	t->code = map->next_code++ % MAP_TASKS;
	/* Upper case: followed.  Bit 9 of the code keeps that. */
	if (!followed(map, tgid, comm))
		t->code |= 1 << 9;
	lde_line_lit(l, "  ");
	put_code(l, t->code);
	lde_line_lit(l, " => ");
	lde_line_printable(l, comm, LDE_COMM_LEN);
	lde_line_char(l, '[');
	lde_line_u64(l, tid);
	lde_line_char(l, ']');
	return t->code;
}

static void put_code(struct lde_line *l, int code)
{
	char letter;

	if (code < 0) {
		lde_line_lit(l, "??");
		return;
	}
	letter = 'A' + (code & 511) % 26;
	lde_line_char(l, code & 1 << 9 ? tolower(letter) : letter);
	lde_line_char(l, '0' + (code & 511) / 26);
}

static bool idle_task(unsigned int tid)
{
	return tid == 0;
}

static void margin(struct lde_map *map, struct lde_line *l)
{
	unsigned int c, named = 0, more = 0;
	bool any = false;

	for (c = 0; c < map->ncols; c++) {
		if (!map->ticks[c])
			continue;
		if (named == MARGIN_TICK_CPUS) {
			map->ticks[c] = 0;
			more++;
			continue;
		}
		named++;
		if (any)
			lde_line_lit(l, ",cpu");
		else
			lde_line_lit(l, "  ticks: cpu");
		lde_line_u64(l, c);
		if (map->ticks[c] > 1) {
			lde_line_char(l, 'x');
			lde_line_u64(l, map->ticks[c]);
		}
		map->ticks[c] = 0;
		any = true;
	}
	if (more) {
		lde_line_lit(l, " and ");
		lde_line_u64(l, more);
		lde_line_lit(l, " CPUs more");
	}
	if (map->woke_len) {
		lde_line_lit(l, "  woke:");
		lde_line_mem(l, map->woke, map->woke_len);
		map->woke_len = 0;
	}
}

static void map_switch(struct lde_map *map, struct lde_line *l,
		       const struct lde_event *e, unsigned long long start_ns)
{
	char names[256];
	struct lde_line nl;
	unsigned int c, cpu = e->cpu;
	int next, prev;

	if (!cpu_kept(map, cpu))
		return;
	if (cpu >= map->ncols)
		map->ncols = cpu + 1;
	lde_line_start(&nl, names, sizeof(names));
	prev = idle_task(e->tid) ? -1 : code_of(map, &nl, e->tid, e->pid, e->comm);
	next = idle_task(e->sw.next_tid) ? -1 :
	       code_of(map, &nl, e->sw.next_tid, e->sw.next_pid, e->sw.next_comm);
	map->running[cpu] = next;
	for (c = 0; c < map->ncols; c++) {
		lde_line_str(l, c == cpu ? "  *" : "   ");
		if (map->running[c] < 0 &&
		    (c != cpu || idle_task(e->sw.next_tid)))
			lde_line_lit(l, ". ");
		else
			put_code(l, map->running[c]);
	}
	lde_line_lit(l, "  ");
	lde_line_secs(l, e->ts_ns - start_ns);
	lde_line_mem(l, names, nl.end - names);
	/* Why the CPU switched, and what the task coming in waited. */
	if (prev >= 0) {
		lde_line_lit(l, "  ");
		put_code(l, prev);
		lde_line_char(l, ' ');
		switch (e->sw.reason) {
		case LDE_REASON_BLOCKED:
			lde_line_lit(l, "blocked");
			if (e->sw.blocked_nr >= 0) {
				lde_line_lit(l, " in ");
				lde_line_str(l, lde_syscall_name(e->sw.blocked_nr));
			}
			break;
		case LDE_REASON_TICK:
			lde_line_lit(l, "slice used up (tick)");
			break;
		case LDE_REASON_WAKEUP:
			lde_line_lit(l, "preempted by the wakeup of ");
			lde_line_printable(l, e->sw.by_comm, LDE_COMM_LEN);
			break;
		case LDE_REASON_SLICE:
			lde_line_lit(l, "slice used up (at the wakeup of ");
			lde_line_printable(l, e->sw.by_comm, LDE_COMM_LEN);
			lde_line_char(l, ')');
			break;
		default:
			lde_line_str(l, lde_reason_name(e->sw.reason));
			break;
		}
	}
	if (next >= 0 && (e->sw.known & LDE_KNOWN_WAIT)) {
		char ms[32];

		lde_line_str(l, prev >= 0 ? "; " : "  ");
		put_code(l, next);
		snprintf(ms, sizeof(ms), " waited %.3f ms",
			 e->sw.next_wait_ns / 1e6);
		lde_line_str(l, ms);
	}
	margin(map, l);
	lde_line_char(l, '\n');
}

void lde_map_event(struct lde_map *map, struct lde_line *l,
		   const struct lde_event *e, unsigned long long start_ns)
{
	char names[160];
	struct lde_line nl;

	switch (e->stage) {
	case LDE_STAGE_SWITCH:
		map_switch(map, l, e, start_ns);
		break;
	case LDE_STAGE_TIMER:
		if (cpu_kept(map, e->cpu))
			map->ticks[e->cpu]++;
		break;
	case LDE_STAGE_FORK:
		if (followed(map, e->pid, e->comm) &&
		    e->fork.child_pid != e->pid)
			map_follow(map, e->fork.child_pid);
		break;
	case LDE_STAGE_WAKEUP:
		if (map->woke_len + 48 > sizeof(map->woke))
			break;
		lde_line_start(&nl, names, sizeof(names));
		lde_line_char(&nl, ' ');
		if (code_known(map, e->tid) >= 0) {
			put_code(&nl, code_known(map, e->tid));
		} else {	/* not named yet: by its name */
			lde_line_printable(&nl, e->comm, LDE_COMM_LEN);
			lde_line_char(&nl, '[');
			lde_line_u64(&nl, e->tid);
			lde_line_char(&nl, ']');
		}
		lde_line_lit(&nl, "->cpu");
		lde_line_u64(&nl, e->wakeup.target_cpu);
		memcpy(map->woke + map->woke_len, names, nl.end - names);
		map->woke_len += nl.end - names;
		break;
	}
}

void lde_map_end(struct lde_map *map, struct lde_line *l)
{
	if (map->not_drawn) {
		lde_line_lit(l, "(");
		lde_line_u64(l, map->not_drawn);
		lde_line_lit(l, " events on CPUs past the trace's ");
		lde_line_u64(l, map->max_cpus);
		lde_line_lit(l, " not drawn)\n");
	}
	if (map->tasks.refused) {
		lde_line_lit(l, "(");
		lde_line_u64(l, map->tasks.refused);
		lde_line_lit(l, " times a task was drawn as ??: the map keeps ");
		lde_line_u64(l, map->tasks.limit);
		lde_line_lit(l, " tasks at most)\n");
	}
	if (map->followed.refused) {
		lde_line_lit(l, "(");
		lde_line_u64(l, map->followed.refused);
		lde_line_lit(l, " processes followed past the map's ");
		lde_line_u64(l, map->followed.limit);
		lde_line_lit(l, " have lower-case codes)\n");
	}
	lde_tid_table_free(&map->tasks);
	lde_tid_table_free(&map->followed);
	free(map->running);
	free(map->ticks);
	free(map);
}

/* -- the view: -m ---------------------------------------------------------- */

struct map_view {
	struct lde_map *map;
	unsigned long long start_ns;
};

static bool map_wanted(const struct lde_view_env *env)
{
	return lde_view_text_wanted(env) && env->map;
}

static void *map_start(const struct lde_view_env *env, struct lde_line *out)
{
	struct lde_map_opts o = {
		.root_pid = env->root_pid,
		.ncpus = env->boot->cpus,
		.max_cpus = env->trace_cpus > 0 ? env->trace_cpus : 0,
	};
	struct map_view *v = calloc(1, sizeof(*v));

	memcpy(o.comm, env->comm, LDE_COMM_LEN);
	if (!v || !(v->map = lde_map_new(&o))) {
		free(v);
		errno = ENOMEM;
		return NULL;
	}
	v->start_ns = env->start_ns;
	return v;
}

static void map_view_event(void *state, struct lde_line *out,
			   const struct lde_event *e)
{
	struct map_view *v = state;

	lde_map_event(v->map, out, e, v->start_ns);
}

static int map_view_end(void *state, struct lde_line *out,
			const struct lde_view_end *end)
{
	struct map_view *v = state;

	lde_map_end(v->map, out);
	free(v);
	return 0;
}

const struct lde_view_ops lde_map_view = {
	.name = "the CPU map (-m)",
	.report = true,
	.time_order = true,
	.wanted = map_wanted,
	.start = map_start,
	.event = map_view_event,
	.end = map_view_end,
};
