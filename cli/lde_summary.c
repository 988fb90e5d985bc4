// SPDX-License-Identifier: GPL-2.0
/*
 * The summary (-s): counts per stage and per system call, log2 histograms
 * of time in the kernel, switches by kind, timer interrupts by mode; the
 * scheduler's part is lde_sched_summary.c's, which this file calls (and
 * which calls nothing here).  As a view (-s), it prints at the end.
 */
#include <errno.h>
#include <stdlib.h>

#include "lde_log2_hist.h"
#include "lde_names.h"
#include "lde_render.h"
#include "lde_sched_summary.h"
#include "lde_view.h"

struct lde_summary {
	unsigned long long stages[LDE_NR_STAGES];
	/* By lde_agg_slot(): the native table's calls, then the i386's. */
	unsigned long long traps[LDE_AGG_SLOTS];
	unsigned long long returns[LDE_AGG_SLOTS];
	unsigned long long hist[LDE_AGG_SLOTS][LDE_HIST_SLOTS];
	unsigned long long timer_user, timer_kernel;
	struct lde_sched_summary sched;
};

struct lde_summary *lde_summary_new(void)
{
	struct lde_summary *s = calloc(1, sizeof(*s));

	if (s)
		lde_sched_summary_init(&s->sched);
	return s;
}

void lde_summary_free(struct lde_summary *s)
{
	if (!s)
		return;
	lde_sched_summary_free(&s->sched);
	free(s);
}

/* A slot's name: the call's, and its table's after it when not native. */
static const char *slot_name(char buf[80], unsigned int slot)
{
	unsigned int compat = slot / LDE_MAX_SYSCALLS;
	const char *name = lde_call_name(slot % LDE_MAX_SYSCALLS, compat);

	if (!compat)
		return name;
	snprintf(buf, 80, "%s (%s)", name, lde_compat_name(compat));
	return buf;
}

void lde_summary_account(struct lde_summary *sum, const struct lde_event *e)
{
	unsigned int slot;

	sum->stages[lde_kind_stage(e->stage)]++;
	lde_sched_summary_account(&sum->sched, e);
	switch (e->stage) {
	case LDE_STAGE_TRAP:
	case LDE_EVENT_TRAP_STRINGS:
		slot = lde_agg_slot(e->trap.nr, e->trap.compat);
		if (slot < LDE_AGG_SLOTS)
			sum->traps[slot]++;
		break;
	case LDE_STAGE_RETURN:
	case LDE_EVENT_EXEC_RETURN:
		slot = lde_agg_slot(e->ret.nr, e->ret.compat);
		if (slot < LDE_AGG_SLOTS) {
			sum->returns[slot]++;
			sum->hist[slot][lde_log2_slot(e->ret.kernel_ns)]++;
		}
		break;
	case LDE_STAGE_TIMER:
		if (e->timer.mode == LDE_TIMER_USER)
			sum->timer_user++;
		else
			sum->timer_kernel++;
		break;
	}
}

/* Counts made in the kernel (-s alone) for one lde_agg_slot(). */
void lde_summary_add_syscall(struct lde_summary *sum, unsigned int nr,
			     const struct lde_syscall_agg *agg)
{
	int s;

	if (nr >= LDE_AGG_SLOTS)
		return;
	sum->traps[nr] += agg->traps;
	sum->returns[nr] += agg->returns;
	sum->stages[LDE_STAGE_TRAP] += agg->traps;
	sum->stages[LDE_STAGE_RETURN] += agg->returns;
	for (s = 0; s < LDE_HIST_SLOTS; s++)
		sum->hist[nr][s] += agg->hist[s];
}

/* Switches summed in the kernel (-s, live): one CPU's totals. */
void lde_summary_add_switches(struct lde_summary *sum,
			      const struct lde_sched_totals *t)
{
	sum->stages[LDE_STAGE_SWITCH] += t->switches;
	lde_sched_summary_add_totals(&sum->sched, t);
}

/* A task's switches summed in the kernel (-s, live). */
void lde_summary_add_task(struct lde_summary *sum, unsigned int tid,
			  const struct lde_sched_sum *s)
{
	lde_sched_summary_add_task(&sum->sched, tid, s);
}

void lde_summary_print_text(const struct lde_summary *sum, FILE *f)
{
	const struct lde_sched_totals *sw = &sum->sched.totals;
	char name[80];
	int i;

	fprintf(f, "\n%-12s %12s\n", "STAGE", "COUNT");
	for (i = 0; i < LDE_NR_STAGES; i++)
		if (sum->stages[i])
			fprintf(f, "%-12s %12llu\n", lde_stage_names[i],
				sum->stages[i]);
	fprintf(f, "\nswitches: %llu voluntary, %llu preempted\n",
		sw->voluntary, sw->nonvoluntary);
	fprintf(f, "timer interrupts: %llu in user mode, %llu in kernel mode\n",
		sum->timer_user, sum->timer_kernel);
	lde_sched_summary_print_text(&sum->sched, f);
	fprintf(f, "\n%-20s %10s %10s\n", "SYSCALL", "TRAPS", "RETURNS");
	for (i = 0; i < LDE_AGG_SLOTS; i++)
		if (sum->traps[i] || sum->returns[i])
			fprintf(f, "%-20s %10llu %10llu\n", slot_name(name, i),
				sum->traps[i], sum->returns[i]);
	for (i = 0; i < LDE_AGG_SLOTS; i++) {
		if (!sum->returns[i])
			continue;
		fprintf(f, "\n%s: time in kernel (ns)\n", slot_name(name, i));
		lde_print_log2_hist(f, sum->hist[i], LDE_HIST_SLOTS, "nsecs");
	}
}

void lde_summary_print_json(const struct lde_summary *sum, FILE *f,
			    unsigned long long lost)
{
	const struct lde_sched_totals *sw = &sum->sched.totals;
	char name[80];
	bool first = true;
	int i, s;

	fprintf(f, "{\"stage\":\"summary\",\"stages\":{");
	for (i = 0; i < LDE_NR_STAGES; i++)
		fprintf(f, "%s\"%s\":%llu", i ? "," : "", lde_stage_names[i],
			sum->stages[i]);
	fprintf(f, "},\"switches\":{\"voluntary\":%llu,\"preempted\":%llu},"
		"\"timer\":{\"user\":%llu,\"kernel\":%llu},\"syscalls\":{",
		sw->voluntary, sw->nonvoluntary, sum->timer_user,
		sum->timer_kernel);
	for (i = 0; i < LDE_AGG_SLOTS; i++) {
		bool hfirst = true;

		if (!sum->traps[i] && !sum->returns[i])
			continue;
		fprintf(f, "%s\"%s\":{\"nr\":%d,", first ? "" : ",",
			slot_name(name, i), i % LDE_MAX_SYSCALLS);
		if (i >= LDE_MAX_SYSCALLS)
			fprintf(f, "\"compat\":\"%s\",",
				lde_compat_name(i / LDE_MAX_SYSCALLS));
		fprintf(f, "\"traps\":%llu,\"returns\":%llu,"
			"\"kernel_ns_log2_hist\":{", sum->traps[i],
			sum->returns[i]);
		first = false;
		for (s = 0; s < LDE_HIST_SLOTS; s++) {
			if (!sum->hist[i][s])
				continue;
			fprintf(f, "%s\"%llu\":%llu", hfirst ? "" : ",",
				s ? 1ULL << s : 0ULL, sum->hist[i][s]);
			hfirst = false;
		}
		fprintf(f, "}}");
	}
	fprintf(f, "}");
	lde_sched_summary_print_json(&sum->sched, f);
	fprintf(f, ",\"lost\":%llu}\n", lost);
}

/* -- the view: -s --------------------------------------------------------- */

struct summary_view {
	struct lde_summary *sum;
	FILE *screen;
	bool json;			/* -j: the summary is an object too */
	bool switches_summed;		/* live: by the kernel, not events */
};

static bool summary_wanted(const struct lde_view_env *env)
{
	return env->summary;
}

static void *summary_start(const struct lde_view_env *env,
			   struct lde_line *out)
{
	struct summary_view *v = calloc(1, sizeof(*v));

	if (!v || !(v->sum = lde_summary_new())) {
		free(v);
		errno = ENOMEM;
		return NULL;
	}
	v->screen = env->screen;
	v->json = env->json;
	v->switches_summed = env->switches_summed;
	return v;
}

static void summary_event(void *state, struct lde_line *out,
			  const struct lde_event *e)
{
	struct summary_view *v = state;

	if (!(v->switches_summed && e->stage == LDE_STAGE_SWITCH))
		lde_summary_account(v->sum, e);
}

static int summary_end(void *state, struct lde_line *out,
		       const struct lde_view_end *end)
{
	struct summary_view *v = state;

	if (end->add_kernel_sums)
		end->add_kernel_sums(end->session, v->sum);
	/* After the lines of the view it comes with. */
	lde_line_flush(out, v->screen);
	if (v->json)
		lde_summary_print_json(v->sum, v->screen, end->lost);
	else
		lde_summary_print_text(v->sum, v->screen);
	fflush(v->screen);
	lde_summary_free(v->sum);
	free(v);
	return 0;
}

const struct lde_view_ops lde_summary_view = {
	.name = "the summary (-s)",
	.report = true,
	.wanted = summary_wanted,
	.start = summary_start,
	.event = summary_event,
	.end = summary_end,
};
