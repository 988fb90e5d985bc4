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

#include "lde_line.h"
#include "lde_log2_hist.h"
#include "lde_names.h"
#include "lde_sched_summary.h"
#include "lde_stats.h"
#include "lde_tid_table.h"

struct task_times {
	unsigned int tid;
	struct lde_sched_sum s;
};

void lde_sched_summary_init(struct lde_sched_summary *sched)
{
	memset(sched, 0, sizeof(*sched));
	lde_tid_table_init(&sched->tasks, sizeof(struct task_times),
			   LDE_TID_TABLE_LIMIT);
}

void lde_sched_summary_free(struct lde_sched_summary *sched)
{
	lde_tid_table_free(&sched->tasks);
}

static struct task_times *task_of(struct lde_sched_summary *sched,
				  unsigned int tid)
{
	return lde_tid_get(&sched->tasks, tid);
}

static void name_task(struct task_times *t, unsigned int pid,
		      const char *comm)
{
	t->s.pid = pid;
	memcpy(t->s.comm, comm, LDE_COMM_LEN);
}

void lde_sched_summary_account(struct lde_sched_summary *sched,
			       const struct lde_event *e)
{
	unsigned int known, slot;
	int prev_traced, next_traced;
	struct task_times *t;

	/* Only a switch has these bytes (lde_event_size()). */
	if (e->stage != LDE_STAGE_SWITCH)
		return;
	known = e->sw.known;
	prev_traced = lde_prev_traced(known);
	next_traced = lde_next_traced(known);
	slot = lde_reason_slot(e->sw.reason);
	/* A file recorded before the scheduler's fields: only its kind. */
	if (!(known & LDE_KNOWN_SCHED)) {
		sched->totals.switches++;
		if (e->sw.nonvoluntary)
			sched->totals.nonvoluntary++;
		else
			sched->totals.voluntary++;
		return;
	}
	lde_sched_totals_add(&sched->totals, prev_traced, slot,
			     e->sw.nonvoluntary, next_traced,
			     known & LDE_KNOWN_WAIT,
			     lde_log2_slot(e->sw.next_wait_ns / 1000));
	if (prev_traced && e->tid && (t = task_of(sched, e->tid))) {
		name_task(t, e->pid, e->comm);
		lde_sched_sum_out(&t->s, e->ts_ns, known & LDE_KNOWN_RUN,
				  e->sw.prev_run_ns, slot);
	}
	if (next_traced && e->sw.next_tid && (t = task_of(sched, e->sw.next_tid))) {
		name_task(t, e->sw.next_pid, e->sw.next_comm);
		lde_sched_sum_in(&t->s, e->ts_ns, known & LDE_KNOWN_WAIT,
				 e->sw.next_wait_ns);
	}
}

void lde_sched_summary_add_task(struct lde_sched_summary *sched,
				unsigned int tid, const struct lde_sched_sum *s)
{
	struct task_times *t = tid ? task_of(sched, tid) : NULL;

	if (t)
		t->s = *s;
}

void lde_sched_summary_add_totals(struct lde_sched_summary *sched,
				  const struct lde_sched_totals *add)
{
	struct lde_sched_totals *t = &sched->totals;
	int i;

	t->switches += add->switches;
	for (i = 0; i < LDE_NR_REASONS; i++)
		t->reasons[i] += add->reasons[i];
	for (i = 0; i < LDE_HIST_SLOTS; i++)
		t->wait_hist[i] += add->wait_hist[i];
	t->waits += add->waits;
	t->voluntary += add->voluntary;
	t->nonvoluntary += add->nonvoluntary;
}


/* Most run time first, then by tid: the busiest tasks lead. */
static int by_run(const void *a, const void *b)
{
	const struct task_times *x = a, *y = b;

	if (x->s.run_ns != y->s.run_ns)
		return x->s.run_ns < y->s.run_ns ? 1 : -1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

/* The tasks seen, packed and sorted; how many.  Freed by the caller. */
static size_t sorted_tasks(const struct lde_sched_summary *sched,
			   struct task_times **out)
{
	size_t i, n = 0;

	*out = calloc(sched->tasks.used ? sched->tasks.used : 1, sizeof(**out));
	if (!*out)
		return 0;
	for (i = 0; i < sched->tasks.size; i++) {
		const struct task_times *t = lde_tid_slot(&sched->tasks, i);

		if (t && t->s.switches + t->s.wait_ns)
			(*out)[n++] = *t;
	}
	qsort(*out, n, sizeof(**out), by_run);
	return n;
}

static double ms(unsigned long long ns)
{
	return ns / 1e6;
}

void lde_sched_summary_print_text(const struct lde_sched_summary *sched,
				  FILE *f)
{
	struct task_times *t;
	size_t n, i;
	int r;

	if (!sched->tasks.used)
		return;
	fprintf(f, "\nswitches by reason:");
	for (r = 0; r < LDE_NR_REASONS; r++)
		fprintf(f, " %s %llu%s", lde_reason_name(r), sched->totals.reasons[r],
			r + 1 < LDE_NR_REASONS ? "," : "\n");
	n = sorted_tasks(sched, &t);
	fprintf(f, "\n%-16s %7s %8s %11s %11s %11s %11s\n", "TASK", "TID",
		"SWITCHES", "RUN ms", "WAIT ms", "SLEEP ms", "MAX WAIT ms");
	for (i = 0; i < n; i++) {
		struct lde_line l;
		char comm[80];

		lde_line_start(&l, comm, sizeof(comm));
		lde_line_printable(&l, t[i].s.comm, LDE_COMM_LEN);
		fprintf(f, "%-16.*s %7u %8llu %11.3f %11.3f %11.3f %11.3f\n",
			(int)(l.end - comm), comm, t[i].tid, t[i].s.switches,
			ms(t[i].s.run_ns), ms(t[i].s.wait_ns),
			ms(t[i].s.sleep_ns), ms(t[i].s.max_wait_ns));
	}
	free(t);
	if (sched->tasks.refused)
		fprintf(f, "(%llu switches in or out of tasks past the %zu this table keeps are in the totals only)\n",
			sched->tasks.refused, sched->tasks.limit);
	if (sched->totals.waits) {
		fprintf(f, "\nrun-queue wait (runnable, not running), %llu switches in:\n",
			sched->totals.waits);
		lde_print_log2_hist(f, sched->totals.wait_hist, LDE_HIST_SLOTS, "usecs");
	}
}

void lde_sched_summary_print_json(const struct lde_sched_summary *sched,
				  FILE *f)
{
	struct task_times *t = NULL;
	size_t n, i;
	int r, s;
	bool first = true;

	fprintf(f, ",\"reasons\":{");
	for (r = 0; r < LDE_NR_REASONS; r++)
		fprintf(f, "%s\"%s\":%llu", r ? "," : "", lde_reason_name(r),
			sched->totals.reasons[r]);
	fprintf(f, "},\"tasks\":[");
	n = sched->tasks.used ? sorted_tasks(sched, &t) : 0;
	for (i = 0; i < n; i++) {
		fprintf(f, "%s{\"tid\":%u,\"pid\":%u,\"comm\":", i ? "," : "",
			t[i].tid, t[i].s.pid);
		lde_json_str(f, t[i].s.comm, LDE_COMM_LEN);
		fprintf(f, ",\"switches\":%llu,\"run_ns\":%llu,\"wait_ns\":%llu,"
			"\"sleep_ns\":%llu,\"max_wait_ns\":%llu}",
			t[i].s.switches, t[i].s.run_ns, t[i].s.wait_ns,
			t[i].s.sleep_ns, t[i].s.max_wait_ns);
	}
	/* Allocated whenever a task was kept, even if none is listed. */
	free(t);
	fprintf(f, "]");
	/* Only when it happened: a whole table's output stays as it was. */
	if (sched->tasks.refused)
		fprintf(f, ",\"task_switches_not_kept\":%llu",
			sched->tasks.refused);
	fprintf(f, ",\"runq_wait_us_log2_hist\":{");
	for (s = 0; s < LDE_HIST_SLOTS; s++) {
		if (!sched->totals.wait_hist[s])
			continue;
		fprintf(f, "%s\"%llu\":%llu", first ? "" : ",",
			s ? 1ULL << s : 0ULL, sched->totals.wait_hist[s]);
		first = false;
	}
	fprintf(f, "}");
}
