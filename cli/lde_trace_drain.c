// SPDX-License-Identifier: GPL-2.0
/*
 * What the live session reads out of the BPF object (lde_trace_live.h):
 * each ring-buffer record, a batch of one CPU's events, decoded and fed
 * to the views (or taken whole by the reorder); while they run, a batch
 * that waits on an idle CPU, sent by running lde_send_batch there; after
 * the programs are detached, the batches they still held (from the map's
 * memory, lde_trace_batches.c); the lost counters; and -s's sums the
 * kernel made instead of sending events.  What cannot be read is counted
 * lost, or said.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lde_render.h"
#include "lde_sched_summary.h"
#include "lde_trace_batches.h"
#include "lde_trace_live.h"

/* An event read: to the reorder for the views for people, else shown. */
static void show_event(void *ctx, const struct lde_event *e)
{
	struct lde_trace_run *run = ctx;
	struct live *s = run->source;

	if (s->reordered)
		lde_reorder_add(&s->order, e);
	else
		lde_trace_show(run, e);
}

/*
 * A ring-buffer record is a batch of one CPU's events, in order, each
 * holding only the common part and its kind's own part, back to back
 * (for the views for people, taken whole by the reorder).
 * A record that ends in bytes that are no whole event lost at least one
 * (the kernel sends whole events): counted, never passed over.
 */
int lde_live_batch(void *ctx, void *data, size_t size)
{
	struct lde_trace_run *run = ctx;
	struct live *s = run->source;
	bool cut;

	if (s->raw_records)
		fwrite(data, 1, size, s->raw_records);
	if (s->reordered)
		cut = lde_reorder_add_batch(&s->order, data, size) != size;
	else
		lde_batch_decode(data, size, show_event, run, &cut);
	if (cut)
		s->cut_records++;
	return 0;
}

/*
 * The batches map's values in lde-trace's memory (the map is
 * BPF_F_MMAPABLE): after detach they are read there, where a read cannot
 * fail half way through the CPUs and leave batches unread and uncounted.
 * Before the trace starts: 0, or a negative errno (no trace then).
 */
int lde_live_map_batches(struct live *s)
{
	const struct bpf_map *map = s->skel->maps.batches;
	long page = sysconf(_SC_PAGESIZE);
	size_t len = (size_t)bpf_map__max_entries(map) * LDE_BATCH_STRIDE;
	void *mem;

	if (bpf_map__value_size(map) != sizeof(struct lde_batch) ||
	    bpf_map__max_entries(map) % LDE_BATCH_SLOTS)
		return -EINVAL;
	len = (len + page - 1) / page * page;
	mem = mmap(NULL, len, PROT_READ, MAP_SHARED, bpf_map__fd(map), 0);
	if (mem == MAP_FAILED)
		return -errno;
	s->batches = mem;
	s->batches_len = len;
	return 0;
}

/* A program still writing a slot as it was detached: up to 100 ms. */
static int wait_a_little(int tries)
{
	if (tries >= 100)
		return 0;
	usleep(1000);
	return 1;
}

/* The batches map as lde-trace maps it (lde_live_map_batches()). */
static struct lde_batches_map batches_map(const struct live *s)
{
	return (struct lde_batches_map) {
		.mem = s->batches,
		.stride = LDE_BATCH_STRIDE,
		.ncpus = bpf_map__max_entries(s->skel->maps.batches) /
			 LDE_BATCH_SLOTS,
	};
}

/*
 * After the programs are detached: the events still waiting in each CPU's
 * batch and interrupt slots (lde_batches_drain()).  Returns the events
 * lost there.
 */
unsigned long long lde_live_drain_batches(struct lde_trace_run *run)
{
	struct lde_batches_map map = batches_map(run->source);

	return lde_batches_drain(&map, show_event, run, wait_a_little);
}

unsigned long long lde_live_send_waiting(struct lde_trace_run *run,
					 unsigned long long now)
{
	struct live *s = run->source;
	struct lde_batches_map map = batches_map(s);
	LIBBPF_OPTS(bpf_test_run_opts, opts, .flags = BPF_F_TEST_RUN_ON_CPU);
	int fd = bpf_program__fd(s->skel->progs.lde_send_batch);
	unsigned long long oldest, from = now;
	unsigned int cpu;
	bool sent = false;

	for (cpu = 0; cpu < map.ncpus; cpu++) {
		oldest = lde_batches_oldest(&map, cpu);
		if (oldest < now && now - oldest >= s->batch_wait_ns) {
			opts.cpu = cpu;
			/*
			 * Not run: an offline CPU, whose batch waits for the
			 * drain; its events will come late, and be said late.
			 */
			if (bpf_prog_test_run_opts(fd, &opts)) {
				s->unsent_waiting++;
				continue;
			}
			sent = true;
			s->sent_waiting++;
			/* Still there if that CPU was writing it. */
			oldest = lde_batches_oldest(&map, cpu);
		}
		if (oldest < from)
			from = oldest;
	}
	if (sent)
		ring_buffer__consume(s->rb);
	return from;
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

int lde_live_lost(struct lde_trace_bpf *skel, enum lde_lost what,
		  unsigned long long *total)
{
	int ncpus = libbpf_num_possible_cpus(), i, err;
	unsigned long long *vals;
	__u32 key = what;

	*total = 0;
	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	vals = calloc(ncpus, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	err = bpf_map__lookup_elem(skel->maps.lost_events, &key, sizeof(key),
				   vals, ncpus * sizeof(*vals), 0);
	if (!err)
		for (i = 0; i < ncpus; i++)
			*total += vals[i];
	free(vals);
	return err;
}

/*
 * Runs of lde-trace's programs the kernel skipped: a program is not run
 * again on a CPU where it is already running (something it does, or an
 * interrupt landing in it, hitting its own hook), and the kernel counts
 * each skip in the program's recursion_misses, in no map of lde's.
 * Summed over the loaded programs into *skipped; 0, or the -errno of a
 * program whose count could not be read.
 */
int lde_live_skipped_runs(struct lde_trace_bpf *skel,
			  unsigned long long *skipped)
{
	struct bpf_program *prog;
	int err = 0;

	*skipped = 0;
	bpf_object__for_each_program(prog, skel->obj) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(prog);

		if (fd < 0)
			continue;	/* not loaded */
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len))
			err = -errno;
		else
			*skipped += info.recursion_misses;
	}
	return err;
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
