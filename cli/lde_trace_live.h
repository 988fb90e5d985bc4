/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The live session's state, shared by its two files: lde_trace_live.c
 * opens, loads, attaches, polls and detaches; lde_trace_drain.c reads
 * what the BPF object holds (each ring record's batch of events, the
 * batches left after detach, the lost counters, the kernel's sums).
 */
#ifndef _LDE_TRACE_LIVE_H
#define _LDE_TRACE_LIVE_H

#include <stdio.h>
#include <sys/types.h>

#include "lde_reorder.h"
#include "lde_trace_cli.h"
#include "lde_trace.skel.h"

/*
 * A CPU's batch goes out at its next switch or tick: a running CPU's
 * events wait a tick at most (4 ms at HZ=250, 10 at HZ=100).  Events that
 * waited longer wait on a CPU with no tick, an idle one, and lde-trace
 * sends them (lde_live_send_waiting()).  LDE_TRACE_BATCH_WAIT_MS sets
 * another wait, for tests: 0 sends every batch that waits at each look.
 */
#define LDE_BATCH_WAIT_MS	12

/* The live session's own state. */
struct live {
	struct lde_trace_bpf *skel;
	struct ring_buffer *rb;
	int pidfd, wait_fd, release_fd;
	pid_t child;			/* -- COMMAND, until it is reaped */
	int status;
	FILE *raw_records;		/* LDE_TRACE_RAW=FILE */
	const volatile void *batches;	/* the batches map, mapped */
	size_t batches_len;
	unsigned long long lost, lost_forks, undecided;
	bool reordered;			/* the views for people: held, in order */
	struct lde_reorder order;
	/* Ring records that ended in bytes that are no event: one lost each. */
	unsigned long long cut_records;
	int lost_unread;		/* the lost counters' read: 0, -errno */
	unsigned long long skipped_runs;	/* lde_live_skipped_runs() */
	/* Batches that waited on a CPU and were sent (lde_live_send_waiting). */
	unsigned long long sent_waiting, unsent_waiting;
	unsigned long long batch_wait_ns;	/* how long one may wait first */
};

/*
 * libbpf's ring-buffer callback (ctx: the run): a batch to the views, or
 * to the reorder before them.
 */
int lde_live_batch(void *ctx, void *data, size_t size);
/* After load: the batches map into s->batches; 0, or a negative errno. */
int lde_live_map_batches(struct live *s);
/* After detach: the batches still held; returns the events lost. */
unsigned long long lde_live_drain_batches(struct lde_trace_run *run);
/*
 * The views for people, live (they hold events for time order): at now,
 * a batch that has waited longer than a tick lets one wait (an idle
 * CPU's) is sent, by running lde_send_batch on its CPU, and read.
 * Returns the time from which events may still come: the oldest still
 * waiting in a batch (its CPU was writing it), or now.
 */
unsigned long long lde_live_send_waiting(struct lde_trace_run *run,
					 unsigned long long now);
/* A counter of enum lde_lost, summed over CPUs, in *total; 0, or -errno. */
int lde_live_lost(struct lde_trace_bpf *skel, enum lde_lost what,
		  unsigned long long *total);
/* Program runs the kernel skipped (recursion), summed; 0, or -errno. */
int lde_live_skipped_runs(struct lde_trace_bpf *skel,
			  unsigned long long *skipped);
/* -s: what the kernel summed instead of sending (session: the run). */
void lde_live_add_kernel_sums(const void *session, struct lde_summary *sum);

#endif /* _LDE_TRACE_LIVE_H */
