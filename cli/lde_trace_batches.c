// SPDX-License-Identifier: GPL-2.0
/*
 * Reading lde-trace's per-CPU batches in user space (lde_trace_batches.h):
 * a batch's bytes decoded into events, and the batches still held after
 * detach read from their mapped memory, every event that cannot be read
 * counted lost.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "lde_trace_batches.h"

unsigned int lde_batch_decode(const void *data, size_t size,
			      lde_event_fn show, void *ctx, bool *cut)
{
	const unsigned char *p = data;
	unsigned int shown = 0;

	*cut = false;
	while (size) {
		size_t len = lde_batch_event_len(p, size);

		if (!len)
			break;
		show(ctx, (const void *)p);
		shown++;
		p += len;
		size -= len;
	}
	*cut = size != 0;
	return shown;
}

static const volatile struct lde_batch *slot_of(const struct lde_batches_map *m,
						unsigned int slot)
{
	return (const volatile void *)((const volatile unsigned char *)m->mem +
				       (size_t)slot * m->stride);
}

/*
 * A copy of slot taken while no program writes it: true, or false if it
 * stayed busy through every wait (copy->events then says how many it
 * held).  The copy is checked against the slot after it is made: a
 * program that started writing meanwhile makes it wait again.
 */
static bool copy_idle(const volatile struct lde_batch *slot,
		      struct lde_batch *copy, int (*wait)(int tries))
{
	int tries = 0;

	for (;;) {
		if (!slot->busy) {
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			memcpy(copy, (const void *)slot, sizeof(*copy));
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			if (!slot->busy && slot->len == copy->len &&
			    slot->events == copy->events && !copy->busy)
				return true;
		}
		if (!wait(tries++)) {
			copy->events = slot->events;
			return false;
		}
	}
}

unsigned long long lde_batches_oldest(const struct lde_batches_map *map,
				      unsigned int cpu)
{
	unsigned long long oldest = LDE_BATCHES_NONE, ts;
	unsigned int i;

	for (i = 0; cpu < map->ncpus && i < LDE_BATCH_SLOTS; i++) {
		const volatile struct lde_batch *b =
			slot_of(map, cpu * LDE_BATCH_SLOTS + i);
		const volatile struct lde_event *e = (const volatile void *)b->data;

		/* Its first event is whole before len counts it. */
		if (b->len < offsetof(struct lde_event, trap))
			continue;
		ts = e->ts_ns;
		if (ts < oldest)
			oldest = ts;
	}
	return oldest;
}

unsigned long long lde_batches_drain(const struct lde_batches_map *map,
				     lde_event_fn show, void *ctx,
				     int (*wait)(int tries))
{
	static struct lde_batch b;	/* 4.5 KiB: not on the stack */
	unsigned long long lost = 0;
	unsigned int cpu, i, slot, next = 0, shown;
	bool idle, cut;

	for (cpu = 0; cpu < map->ncpus; cpu++) {
		for (i = 0; i < LDE_BATCH_SLOTS; i++) {
			/* The batch, the older interrupt slot, the newer. */
			slot = cpu * LDE_BATCH_SLOTS +
			       (i == 0 ? 0 : i == 1 ? 1 + (next ^ 1) : 1 + next);
			idle = copy_idle(slot_of(map, slot), &b, wait);
			if (i == 0)
				next = (idle ? b.irq_next :
					slot_of(map, slot)->irq_next) & 1;
			if (!idle || b.len > LDE_BATCH_BYTES) {
				lost += b.events;
				continue;
			}
			shown = lde_batch_decode(b.data, b.len, show, ctx, &cut);
			/* What the batch held and did not decode, at least one. */
			if (shown < b.events)
				lost += b.events - shown;
			else if (cut)
				lost++;
		}
	}
	return lost;
}
