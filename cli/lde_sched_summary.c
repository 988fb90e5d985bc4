// SPDX-License-Identifier: GPL-2.0
/*
 * The scheduler's part of the summary (-s), from switch events: per task,
 * as perf sched timehist -s and perf sched latency print it, the time it
 * ran, waited runnable for a CPU, slept, its switches and longest wait;
 * and the run-queue wait of every switch in, as a log2 histogram the way
 * bcc's runqlat draws one.  The idle task is left out: it never waits,
 * it runs when nothing else can (bcc#1732).
 */
#include <stdlib.h>

#include "lde_names.h"
#include "lde_render.h"
#include "lde_sched_summary.h"
#include "lde_stats.h"
#include "lde_tid_table.h"

struct task_times {
	unsigned int tid, pid;
	char comm[LDE_COMM_LEN];
	unsigned long long switches, run_ns, wait_ns, sleep_ns, max_wait_ns;
	unsigned long long reasons[LDE_NR_REASONS];
	unsigned long long out_ts;	/* last switch out; 0: none seen */
	bool out_blocked;		/* it left asleep */
};

static struct {
	struct lde_tid_table tasks;	/* struct task_times */
	unsigned long long wait_hist[LDE_HIST_SLOTS];	/* microseconds */
	unsigned long long reasons[LDE_NR_REASONS];
	unsigned long long waits;
} sched = { .tasks.record = sizeof(struct task_times) };

static struct task_times *task_of(unsigned int tid)
{
	return lde_tid_get(&sched.tasks, tid);
}

void lde_sched_summary_account(const struct lde_event *e)
{
	struct task_times *prev, *next;

	/* A file recorded before these fields: nothing to say. */
	if (e->stage != LDE_STAGE_SWITCH || !(e->sw.known & LDE_KNOWN_SCHED))
		return;
	sched.reasons[e->sw.reason < LDE_NR_REASONS ? e->sw.reason :
			LDE_REASON_OTHER]++;
	if (e->tid && (prev = task_of(e->tid))) {
		prev->pid = e->pid;
		memcpy(prev->comm, e->comm, LDE_COMM_LEN);
		prev->switches++;
		if (e->sw.known & LDE_KNOWN_RUN)
			prev->run_ns += e->sw.prev_run_ns;
		if (e->sw.reason < LDE_NR_REASONS)
			prev->reasons[e->sw.reason]++;
		prev->out_ts = e->ts_ns;
		prev->out_blocked = e->sw.reason == LDE_REASON_BLOCKED;
	}
	if (!e->sw.next_tid || !(next = task_of(e->sw.next_tid)))
		return;
	next->pid = e->sw.next_pid;
	memcpy(next->comm, e->sw.next_comm, LDE_COMM_LEN);
	if (e->sw.known & LDE_KNOWN_WAIT) {
		next->wait_ns += e->sw.next_wait_ns;
		if (e->sw.next_wait_ns > next->max_wait_ns)
			next->max_wait_ns = e->sw.next_wait_ns;
		sched.wait_hist[lde_log2_slot(e->sw.next_wait_ns / 1000)]++;
		sched.waits++;
	}
	/* Off the CPU asleep: all of it but the wait that ended it. */
	if (next->out_ts && next->out_blocked && e->ts_ns > next->out_ts) {
		unsigned long long off = e->ts_ns - next->out_ts;
		unsigned long long wait = e->sw.known & LDE_KNOWN_WAIT ?
					  e->sw.next_wait_ns : 0;

		next->sleep_ns += off > wait ? off - wait : 0;
	}
	next->out_ts = 0;
}

/* Most run time first, then by tid: the busiest tasks lead. */
static int by_run(const void *a, const void *b)
{
	const struct task_times *x = a, *y = b;

	if (x->run_ns != y->run_ns)
		return x->run_ns < y->run_ns ? 1 : -1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

/* The tasks seen, packed and sorted; how many.  Freed by the caller. */
static size_t sorted_tasks(struct task_times **out)
{
	size_t i, n = 0;

	*out = calloc(sched.tasks.used ? sched.tasks.used : 1, sizeof(**out));
	if (!*out)
		return 0;
	for (i = 0; i < sched.tasks.size; i++) {
		const struct task_times *t = lde_tid_slot(&sched.tasks, i);

		if (t && t->switches + t->wait_ns)
			(*out)[n++] = *t;
	}
	qsort(*out, n, sizeof(**out), by_run);
	return n;
}

static double ms(unsigned long long ns)
{
	return ns / 1e6;
}

void lde_sched_summary_print_text(FILE *f)
{
	struct task_times *t;
	size_t n, i;
	int r;

	if (!sched.tasks.used)
		return;
	fprintf(f, "\nswitches by reason:");
	for (r = 0; r < LDE_NR_REASONS; r++)
		fprintf(f, " %s %llu%s", lde_reason_name(r), sched.reasons[r],
			r + 1 < LDE_NR_REASONS ? "," : "\n");
	n = sorted_tasks(&t);
	fprintf(f, "\n%-16s %7s %8s %11s %11s %11s %11s\n", "TASK", "TID",
		"SWITCHES", "RUN ms", "WAIT ms", "SLEEP ms", "MAX WAIT ms");
	for (i = 0; i < n; i++) {
		struct lde_line l;
		char comm[80];

		lde_line_start(&l, comm, sizeof(comm));
		lde_line_printable(&l, t[i].comm, LDE_COMM_LEN);
		fprintf(f, "%-16.*s %7u %8llu %11.3f %11.3f %11.3f %11.3f\n",
			(int)(l.end - comm), comm, t[i].tid, t[i].switches,
			ms(t[i].run_ns), ms(t[i].wait_ns), ms(t[i].sleep_ns),
			ms(t[i].max_wait_ns));
	}
	free(t);
	if (sched.waits) {
		fprintf(f, "\nrun-queue wait (runnable, not running), %llu switches in:\n",
			sched.waits);
		lde_print_log2_hist(f, sched.wait_hist, LDE_HIST_SLOTS, "usecs");
	}
}

void lde_sched_summary_print_json(FILE *f)
{
	struct task_times *t;
	size_t n, i;
	int r, s;
	bool first = true;

	fprintf(f, ",\"reasons\":{");
	for (r = 0; r < LDE_NR_REASONS; r++)
		fprintf(f, "%s\"%s\":%llu", r ? "," : "", lde_reason_name(r),
			sched.reasons[r]);
	fprintf(f, "},\"tasks\":[");
	n = sched.tasks.used ? sorted_tasks(&t) : 0;
	for (i = 0; i < n; i++) {
		fprintf(f, "%s{\"tid\":%u,\"pid\":%u,\"comm\":", i ? "," : "",
			t[i].tid, t[i].pid);
		lde_json_str(f, t[i].comm, LDE_COMM_LEN);
		fprintf(f, ",\"switches\":%llu,\"run_ns\":%llu,\"wait_ns\":%llu,"
			"\"sleep_ns\":%llu,\"max_wait_ns\":%llu}", t[i].switches,
			t[i].run_ns, t[i].wait_ns, t[i].sleep_ns, t[i].max_wait_ns);
	}
	if (n)
		free(t);
	fprintf(f, "],\"runq_wait_us_log2_hist\":{");
	for (s = 0; s < LDE_HIST_SLOTS; s++) {
		if (!sched.wait_hist[s])
			continue;
		fprintf(f, "%s\"%llu\":%llu", first ? "" : ",",
			s ? 1ULL << s : 0ULL, sched.wait_hist[s]);
		first = false;
	}
	fprintf(f, "}");
}
