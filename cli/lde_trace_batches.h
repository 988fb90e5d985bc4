/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading lde-trace's per-CPU batches (bpf/lde_event.bpf.h) in user space,
 * with every event that cannot be read counted lost (lde_trace_batches.c):
 * the events of one batch, decoded from the bytes the ring or the map
 * holds; and after detach, the batches still held, read from the batches
 * map's memory mapped into lde-trace (no lookup that can fail half way).
 * Nothing here touches the BPF object: the host tests it on memory made
 * there.
 */
#ifndef _LDE_TRACE_BATCHES_H
#define _LDE_TRACE_BATCHES_H

#include <stdbool.h>
#include <stddef.h>

#include "lde_trace.h"

typedef void (*lde_event_fn)(void *ctx, const struct lde_event *e);

/*
 * The length of the event at the start of a batch's size bytes, or 0
 * if they are no whole event of a kind lde-trace knows (the kernel
 * writes only whole ones: whatever follows is lost, at least one).
 */
static inline size_t lde_batch_event_len(const void *data, size_t size)
{
	const struct lde_event *e = data;
	size_t len;

	if (size < offsetof(struct lde_event, trap) ||
	    e->stage >= LDE_NR_EVENT_KINDS)
		return 0;
	len = lde_event_size(e->stage);
	return size < len ? 0 : len;
}

/*
 * Each whole event of a batch's bytes to show, in order; how many.
 * *cut is set when bytes are left that are no whole event (a kind
 * unknown, or cut short): the kernel writes only whole events, so at
 * least one it sent is lost there.
 */
unsigned int lde_batch_decode(const void *data, size_t size,
			      lde_event_fn show, void *ctx, bool *cut);

/* The batches map's values, as mapped: LDE_BATCH_SLOTS per CPU. */
struct lde_batches_map {
	const volatile void *mem;
	size_t stride;		/* bytes from one value to the next */
	unsigned int ncpus;
};

/* The kernel's distance between an array map's values (8-byte aligned). */
#define LDE_BATCH_STRIDE	((sizeof(struct lde_batch) + 7) & ~(size_t)7)

/*
 * While the programs run: the time of the oldest event waiting in a
 * CPU's batch and interrupt slots, as the map holds them at this moment
 * (a program may be writing them: a hint, never read as an event), or
 * LDE_BATCHES_NONE if none waits.
 */
#define LDE_BATCHES_NONE	(~0ULL)
unsigned long long lde_batches_oldest(const struct lde_batches_map *map,
				      unsigned int cpu);

/*
 * After detach: every CPU's batch, then its interrupt slots (the older,
 * then the newer: the batch's irq_next names the newer), each event shown.
 * A slot a program still writes (busy) is waited for: wait(tries) waits
 * a little and returns 1, or 0 when it has waited long enough; a slot
 * still busy then, or holding more than a batch can, is counted lost
 * whole, and so is every event of a batch that does not decode.
 * Returns the events lost.
 */
unsigned long long lde_batches_drain(const struct lde_batches_map *map,
				     lde_event_fn show, void *ctx,
				     int (*wait)(int tries));

#endif /* _LDE_TRACE_BATCHES_H */
