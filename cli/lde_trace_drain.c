// SPDX-License-Identifier: GPL-2.0
/*
 * What the live session reads out of the BPF object (lde_trace_live.h):
 * each ring-buffer record, a batch of one CPU's events, decoded and fed
 * to the views; after the programs are detached, the batches they still
 * held; the lost counters; and -s's sums the kernel made instead of
 * sending events.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lde_render.h"
#include "lde_sched_summary.h"
#include "lde_trace_live.h"

/*
 * A ring-buffer record is a batch of one CPU's events, in order, each
 * holding only the common part and its kind's own part, back to back
 * (one event, for the views for people: those go through the reorder).
 */
int lde_live_batch(void *ctx, void *data, size_t size)
{
	struct lde_trace_run *run = ctx;
	struct live *s = run->source;
	const unsigned char *p = data;

	if (s->raw_records)
		fwrite(data, 1, size, s->raw_records);

	while (size >= offsetof(struct lde_event, trap)) {
		const struct lde_event *e = (const void *)p;
		size_t len;

		if (e->stage >= LDE_NR_EVENT_KINDS)
			break;
		len = lde_event_size(e->stage);
		if (size < len)
			break;
		if (s->reordered)
			lde_reorder_add(&s->order, e);
		else
			lde_trace_show(run, e);
		p += len;
		size -= len;
	}
	return 0;
}

/*
 * After the programs are detached: the events still waiting in each CPU's
 * batch, then in its interrupt slots (which came after the batch; the one
 * the batch's irq_next names last).  A program that was running as it was
 * detached may still be writing one (busy): wait for it, briefly; a batch
 * still busy then is counted lost, never read half-written.  Returns the
 * events so lost.
 */
unsigned long long lde_live_drain_batches(struct lde_trace_run *run,
					  struct lde_trace_bpf *skel)
{
	unsigned long long lost = 0;
	int ncpus = libbpf_num_possible_cpus(), tries, i;
	struct lde_batch *b = malloc(sizeof(*b));
	unsigned int next = 0;
	__u32 cpu, slot;

	if (ncpus <= 0 || !b)
		goto out;
	for (cpu = 0; cpu < (__u32)ncpus; cpu++) {
		for (i = 0; i < LDE_BATCH_SLOTS; i++) {
			/* The batch, the older interrupt slot, the newer. */
			slot = cpu * LDE_BATCH_SLOTS +
			       (i == 0 ? 0 : i == 1 ? 1 + (next ^ 1) : 1 + next);
			for (tries = 0; tries < 100; tries++) {
				if (bpf_map__lookup_elem(skel->maps.batches,
							 &slot, sizeof(slot), b,
							 sizeof(*b), 0))
					goto out;
				if (!b->busy)
					break;
				usleep(1000);
			}
			if (i == 0)
				next = b->irq_next & 1;
			if (b->busy)
				lost += b->events;
			else if (b->len <= LDE_BATCH_BYTES)
				lde_live_batch(run, b->data, b->len);
		}
	}
out:
	free(b);
	return lost;
}

/* Fold the kernel's per-CPU syscall counts into the summary. */
static void collect_aggregates(struct lde_trace_bpf *skel,
			       struct lde_summary *sum)
{
	int ncpus = libbpf_num_possible_cpus(), cpu;
	struct lde_syscall_agg *vals;
	__u32 nr;

	if (ncpus <= 0)
		return;
	vals = calloc(ncpus, sizeof(*vals));
	if (!vals)
		return;
	for (nr = 0; nr < LDE_AGG_SLOTS; nr++) {
		if (bpf_map__lookup_elem(skel->maps.syscall_agg, &nr,
					 sizeof(nr), vals,
					 ncpus * sizeof(*vals), 0))
			continue;
		for (cpu = 0; cpu < ncpus; cpu++)
			lde_summary_add_syscall(sum, nr, &vals[cpu]);
	}
	free(vals);
}

/* The scheduler's sums made in the kernel (-s, live): tasks and totals. */
static void collect_sched_sums(struct lde_trace_bpf *skel,
			       struct lde_summary *summary)
{
	int ncpus = libbpf_num_possible_cpus(), cpu, fd;
	struct lde_sched_totals *tot;
	struct lde_sched_sum sum;
	__u32 key = 0, tid, *prev = NULL;

	fd = bpf_map__fd(skel->maps.sched_sums);
	while (!bpf_map_get_next_key(fd, prev, &tid)) {
		if (!bpf_map_lookup_elem(fd, &tid, &sum))
			lde_summary_add_task(summary, tid, &sum);
		key = tid;
		prev = &key;
	}
	if (ncpus <= 0)
		return;
	tot = calloc(ncpus, sizeof(*tot));
	key = 0;
	if (tot && !bpf_map__lookup_elem(skel->maps.sched_totals, &key,
					 sizeof(key), tot,
					 ncpus * sizeof(*tot), 0))
		for (cpu = 0; cpu < ncpus; cpu++)
			lde_summary_add_switches(summary, &tot[cpu]);
	free(tot);
}

unsigned long long lde_live_lost(struct lde_trace_bpf *skel, enum lde_lost what)
{
	int ncpus = libbpf_num_possible_cpus(), i;
	unsigned long long total = 0, *vals;
	__u32 key = what;

	if (ncpus <= 0)
		return 0;
	vals = calloc(ncpus, sizeof(*vals));
	if (vals && !bpf_map__lookup_elem(skel->maps.lost_events, &key,
					  sizeof(key), vals,
					  ncpus * sizeof(*vals), 0))
		for (i = 0; i < ncpus; i++)
			total += vals[i];
	free(vals);
	return total;
}

/* -s: what the kernel summed instead of sending (lde_trace_progs.c). */
void lde_live_add_kernel_sums(const void *session, struct lde_summary *sum)
{
	const struct lde_trace_run *run = session;
	const struct live *s = run->source;

	if (s->skel->rodata->aggregate_syscalls)
		collect_aggregates(s->skel, sum);
	if (s->skel->rodata->aggregate_sched)
		collect_sched_sums(s->skel, sum);
}
