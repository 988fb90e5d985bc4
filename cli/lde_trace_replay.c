// SPDX-License-Identifier: GPL-2.0
/*
 * lde-trace -r: a trace file as a source of events (lde_trace_cli.h).
 * Needs no root, no BPF, no kernel: the file's header says what the live
 * system knew, and each recorded event is filtered as it would have been
 * live (-p, -c, -e, -t, --since, --until) before the views see it.
 * A file recorded a batch per CPU at a time (its header's "order":"cpu")
 * is put back in time order for the views for people, as the live
 * session does (lde_reorder.c), holding up to LDE_REORDER_MAX_BYTES of
 * events with no time window: a file has all the time it needs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lde_names.h"
#include "lde_reorder.h"
#include "lde_trace_cli.h"

struct replay {
	struct lde_trace_reader r;
	bool opened;
	bool reordered;		/* a batch per CPU, to views for people */
	struct lde_reorder order;
};

/* -r: a recorded event of the run, filtered as it would have been live. */
static void replay_event(void *run, const struct lde_event *e)
{
	struct lde_trace_run *replaying = run;
	const struct lde_trace_opts *o = replaying->opts;
	struct replay *s = replaying->source;
	bool sw = e->stage == LDE_STAGE_SWITCH ||
		  e->stage == LDE_STAGE_LDE_SWITCH;

	if (!(o->stages & 1U << lde_kind_stage(e->stage)))
		return;
	if (e->ts_ns < o->since_ns || (o->until_ns && e->ts_ns > o->until_ns))
		return;
	switch (e->stage) {
	case LDE_STAGE_TRAP:
	case LDE_EVENT_TRAP_STRINGS:
		if (!lde_opts_call_wanted(o, e->trap.nr, e->trap.compat))
			return;
		break;
	case LDE_STAGE_RETURN:
	case LDE_EVENT_EXEC_RETURN:
		if (!lde_opts_call_wanted(o, e->ret.nr, e->ret.compat))
			return;
		break;
	}
	if (o->pid && e->pid != (unsigned int)o->pid &&
	    !(sw && e->sw.next_pid == (unsigned int)o->pid))
		return;
	if (o->comm[0] && strncmp(e->comm, o->comm, LDE_COMM_LEN) &&
	    !(sw && !strncmp(e->sw.next_comm, o->comm, LDE_COMM_LEN)))
		return;
	if (s->reordered)
		lde_reorder_add(&s->order, e);
	else
		lde_trace_show(replaying, e);
}

/* The header: the boot facts, the CPUs, and the stages recorded. */
static int replay_open(struct lde_trace_run *run)
{
	struct lde_trace_opts *o = run->opts;
	struct replay *s = calloc(1, sizeof(*s));

	if (!s) {
		perror("lde-trace");
		return 1;
	}
	run->source = s;
	if (lde_trace_file_open(&s->r, o->read_path))
		return 1;
	s->opened = true;
	run->boot = s->r.header.boot;
	run->trace_cpus = s->r.header.cpus;
	snprintf(run->kernel, sizeof(run->kernel), "%s", s->r.header.kernel);
	if (!o->stages_given)
		o->stages = s->r.header.stages;
	run->start_ns = 0;	/* the file's times count from the start */
	run->root_pid = o->pid;
	/* -w: the file written keeps the recording's header. */
	run->header = s->r.header;
	lde_trace_views_needs(run);
	run->header.stages = o->stages;
	/*
	 * The views for people want time order, and so does the summary
	 * here: live, the kernel sums the switches (lde_sched.bpf.h); from
	 * a file, a task's sleep is its switch in less its switch out, which
	 * may come from two CPUs' batches.
	 */
	s->reordered = s->r.header.cpu_order &&
		       (lde_progs_reordered(o) || o->summary);
	if (s->reordered) {
		/*
		 * Every CPU a queue of its own, whatever the header says: the
		 * events of CPUs past its count would share one, and a file's
		 * batches of two CPUs in one queue cost an insertion each.
		 * A queue takes memory only once it holds an event.
		 */
		lde_reorder_init(&s->order, LDE_REORDER_MAX_CPUS,
				 LDE_REORDER_NO_WINDOW, LDE_REORDER_MAX_BYTES,
				 lde_trace_show_in_order, run);
		/* -w: what the views are shown is in time order. */
		run->header.cpu_order = false;
	}
	if (o->syscalls_arg)
		lde_opts_syscalls_by_recording(o);
	return 0;
}

static int replay_run(struct lde_trace_run *run)
{
	struct replay *s = run->source;
	int err;

	err = lde_trace_file_replay(&s->r, replay_event, run);
	/* What the reorder holds goes out, in order, even after bad input. */
	if (s->reordered)
		lde_reorder_flush(&s->order);
	return err ? 1 : 0;
}

static void replay_end(struct lde_trace_run *run, struct lde_view_end *end)
{
	struct replay *s = run->source;

	end->lost = s->r.end.lost;
	end->lost_processes = s->r.end.lost_processes;
}

/* Only a file closed whole knows what was lost. */
static void replay_note(struct lde_trace_run *run,
			const struct lde_view_end *end)
{
	struct replay *s = run->source;

	if (s->r.end.seen)
		fprintf(stderr, "lost %llu events\n", s->r.end.lost);
	if (s->reordered && s->order.late)
		fprintf(stderr, "lde-trace: %llu events of the file came after later ones were shown (up to %.1f ms late, more than the %lu MiB lde-trace holds to put a file recorded a batch per CPU in time order): shown as they came, out of time order\n",
			s->order.late, s->order.late_max_ns / 1e6,
			(unsigned long)(s->order.max_bytes >> 20));
	if (s->reordered)
		lde_trace_say_unheld(s->order.unheld);
}

static int replay_close(struct lde_trace_run *run, int err)
{
	struct replay *s = run->source;

	if (s && s->opened)
		lde_trace_file_close_reader(&s->r);
	if (s && s->reordered)
		lde_reorder_free(&s->order);
	free(s);
	run->source = NULL;
	return err ? 1 : 0;
}

const struct lde_trace_source lde_replay_source = {
	.open = replay_open,
	.run = replay_run,
	.end = replay_end,
	.note = replay_note,
	.close = replay_close,
};
