/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Events put back in time order across CPUs, for the views that show
 * them to people (lde_reorder.c).  The kernel sends each CPU's events a
 * batch at a time, in order per CPU, but not across CPUs: a CPU's batch
 * goes at its next switch or tick, and an event's time is taken before
 * its place in the batch, so a CPU stopped between the two (a vCPU the
 * host does not run) lets other CPUs' later events in first.  The reader
 * holds what it decodes and lets out the events older than a watermark,
 * as perf's ordered_events does.
 */
#ifndef _LDE_REORDER_H
#define _LDE_REORDER_H

#include <stddef.h>

#include "lde_trace.h"

/*
 * How late an event may reach the ring after a later one of another CPU:
 * its batch waits for its CPU's next switch or tick (4 ms at HZ=250; an
 * idle CPU's, which has no tick, the live session sends itself), or its
 * CPU stopped after it took the time and before the batch took the
 * event.  Under QEMU TCG on a loaded host, a vCPU thread the host does
 * not run for a while: 12 ms was seen (getppid loops on two CPUs); on
 * hardware an NMI or SMI, microseconds.  An event later than this is
 * shown as it comes (counted late if a later one was shown before it),
 * and the window grows to twice its lateness (at most
 * LDE_REORDER_MAX_WINDOW_NS).  A longer window holds more
 * events, and under TCG every page the reader touches costs.
 */
#define LDE_REORDER_WINDOW_NS		(25ULL * 1000 * 1000)
#define LDE_REORDER_MAX_WINDOW_NS	(2000ULL * 1000 * 1000)
/* The events held, at most: past it the oldest go out first. */
#define LDE_REORDER_MAX_BYTES		(32UL << 20)
/*
 * A window no time passes: events go out only when more than max_bytes
 * are held, oldest first, or at the flush.  For a file, which has all
 * the time it needs: replay of one recorded a batch per CPU, where an
 * idle CPU's batch can come at the end of the trace (lde_trace_replay.c).
 * Small enough that window + window / 8 does not wrap (the watermark,
 * which a hostile file's times can take near 2^64, is compared apart).
 */
#define LDE_REORDER_NO_WINDOW		(~0ULL >> 3)
/* The CPUs kept apart, at most (a file says how many): the rest share one. */
#define LDE_REORDER_MAX_CPUS		4096U
/*
 * How far back in its CPU's queue an event is moved, at most: a CPU's
 * events come nearly in order (an interrupt's before the event it
 * interrupted), and a hostile file's reversed ones must not make taking
 * an event in cost the whole queue.  One that would go further stays
 * where it got to, counted late: it will be shown out of time order.
 */
#define LDE_REORDER_MAX_MOVE		256

typedef void (*lde_reorder_emit_fn)(void *ctx, const struct lde_event *e);

struct lde_reorder_queue;
struct lde_reorder_first;
struct lde_reorder_chunk;

/* Room for held events, of one size: taken and given back in O(1). */
struct lde_reorder_slab {
	void *free;			/* a list through the free slots */
	void **chunks;
	size_t nr_chunks, slot;
};

struct lde_reorder {
	lde_reorder_emit_fn emit;
	void *ctx;
	/*
	 * Each CPU's events in a queue of their own, in time order, in runs
	 * (lde_reorder_queue.h; they come nearly so: an event that comes
	 * before an earlier one of its CPU is moved back to its place); the
	 * last queue takes events of a CPU past nr_cpus.  The queues that
	 * hold events are in a min-heap by their first event: the oldest
	 * of all is its first.
	 */
	struct lde_reorder_queue *queues;
	struct lde_reorder_first *by_first;	/* the heap of queues */
	unsigned int nr_queues, nr_by_first;
	size_t n;			/* events held */
	size_t held_bytes, max_bytes;	/* their slots' and chunks' bytes */
	struct lde_reorder_slab small[3], large;	/* 64, 128, 192 bytes */
	struct lde_reorder_slab *slab_of[LDE_NR_EVENT_KINDS];	/* by kind */
	/* Batches taken whole: every one made, and those free again. */
	struct lde_reorder_chunk **chunks, *free_chunks;
	size_t nr_chunks;
	unsigned long long newest;	/* the newest time seen */
	unsigned long long watermark;	/* everything older is out */
	unsigned long long last_out;	/* the newest time shown */
	unsigned long long window_ns;
	/* An event from this time on may still come (lde_reorder_wait_for). */
	unsigned long long waiting_from;
	/*
	 * Per CPU: a trap the kernel held until its return (a string read
	 * again there) and that came behind the watermark, waiting for the
	 * CPU's next event, its return; NULL if none.
	 */
	struct lde_event **held_traps;
	unsigned int nr_held_traps;
	unsigned int nr_cpus;
	/* What came after a later event was shown, shown as it came. */
	unsigned long long late, late_max_ns;
	/* Let out early, the held events over max_bytes. */
	unsigned long long forced;
	/* Out of memory: shown as they came. */
	unsigned long long unheld;
};

/*
 * Events from CPUs 0 to nr_cpus - 1 go out to emit(ctx, e), in time
 * order, held at most window_ns after the newest seen and max_bytes in
 * all.
 */
void lde_reorder_init(struct lde_reorder *r, unsigned int nr_cpus,
		      unsigned long long window_ns, size_t max_bytes,
		      lde_reorder_emit_fn emit, void *ctx);
/* Takes a copy of e, which must be whole (lde_event_size of its kind). */
void lde_reorder_add(struct lde_reorder *r, const struct lde_event *e);
/*
 * A batch of events as the kernel sends them, back to back, each taken
 * as lde_reorder_add() takes it, but copied once for all of them.
 * Returns the bytes of whole events it began with and took; size less
 * that is no event (lde_batch_event_len()).
 */
size_t lde_reorder_add_batch(struct lde_reorder *r, const void *data,
			     size_t size);
/*
 * The clock read at now_ns (CLOCK_MONOTONIC, the events' clock) before
 * the ring buffer was read to its end: every event older than the window
 * before it has come, whether or not a later one did.
 */
void lde_reorder_advance(struct lde_reorder *r, unsigned long long now_ns);
/*
 * An event stamped ts or later may still come, however old: the
 * watermark stops before ts until told again (~0: no such event).  For
 * the live session, whose CPUs' batches hold events until a tick or a
 * switch sends them, and which looks at what they hold.
 */
void lde_reorder_wait_for(struct lde_reorder *r, unsigned long long ts);
/* The trace ended, everything read: all that is held goes out. */
void lde_reorder_flush(struct lde_reorder *r);
void lde_reorder_free(struct lde_reorder *r);

#endif /* _LDE_REORDER_H */
