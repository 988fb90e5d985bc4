// SPDX-License-Identifier: GPL-2.0
/*
 * Events back in time order across CPUs (lde_reorder.h).  The BPF side
 * sends a CPU's events a batch at a time (bpf/lde_event.bpf.h), at its
 * next switch or tick or when the batch is full, so another CPU's later
 * events often come first; an event's time is read before the batch
 * takes it, and a CPU that stops in between (a vCPU the host does not
 * run) lets later ones in ahead of it; an interrupt's event can come
 * just before the event it interrupted, and a trap held for a string
 * comes at its return.  An event is held in its CPU's queue until the
 * watermark, the newest time seen (or the clock read before the ring was
 * emptied) less the window, passes it, and not past an event the live
 * session saw waiting in a batch (lde_reorder_wait_for()): by then every
 * event older than the watermark has come.  The queues are merged by
 * their oldest event, through a min-heap of the queues.
 *
 * A batch is copied once, whole (a chunk), and its events go out from
 * there: a queue holds runs, each a stretch of a batch's events of one
 * CPU in time order, so taking an event in costs a compare, and letting
 * one out a step along its run.  An event out of its CPU's order goes
 * back to its place, cutting a run in two; one taken alone (replay, the
 * drain, a held trap) is copied into a slot of its own, a run of one.
 *
 * An event that comes behind the watermark anyway is never dropped nor
 * silently misplaced: it goes out at once, counted (late, late_max_ns)
 * if a later one went out before it, and the window grows.  One kind
 * comes late by design: a trap the kernel held until its return to read
 * a string again, sent just before its return with the time it trapped.
 * It waits for its CPU's next event, its return, and goes out just before
 * it, as it was sent.  Memory is bounded (max_bytes): past it the oldest
 * go out early, counted (forced).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lde_reorder.h"
#include "lde_reorder_queue.h"
#include "lde_trace_batches.h"

void lde_reorder_init(struct lde_reorder *r, unsigned int nr_cpus,
		      unsigned long long window_ns, size_t max_bytes,
		      lde_reorder_emit_fn emit, void *ctx)
{
	unsigned int kind, i;

	memset(r, 0, sizeof(*r));
	r->emit = emit;
	r->ctx = ctx;
	r->window_ns = window_ns;
	r->waiting_from = ~0ULL;
	r->max_bytes = max_bytes;
	if (nr_cpus > LDE_REORDER_MAX_CPUS)
		nr_cpus = LDE_REORDER_MAX_CPUS;
	r->held_traps = calloc(nr_cpus, sizeof(*r->held_traps));
	r->nr_cpus = r->held_traps ? nr_cpus : 0;
	for (i = 0; i < 3; i++)
		r->small[i].slot = 64 * (i + 1);
	r->large.slot = sizeof(struct lde_event);
	for (kind = 0; kind < LDE_NR_EVENT_KINDS; kind++) {
		unsigned int size = lde_event_size(kind);

		r->slab_of[kind] = size <= LDE_REORDER_SMALL_SLOT ?
				   &r->small[(size - 1) / 64] : &r->large;
	}
	r->queues = calloc(r->nr_cpus + 1, sizeof(*r->queues));
	r->by_first = calloc(r->nr_cpus + 1, sizeof(*r->by_first));
	if (r->queues && r->by_first)
		r->nr_queues = r->nr_cpus + 1;
}

/*
 * Out, every event older than the watermark, oldest first: from the
 * oldest queue, a run of events until another queue's first is older.
 */
static void advance_to(struct lde_reorder *r, unsigned long long watermark)
{
	if (watermark > r->watermark)
		r->watermark = watermark;
	while (r->n && r->by_first[0].key < r->watermark) {
		struct lde_reorder_first next = { r->watermark, ~0U };
		unsigned int qi = r->by_first[0].queue;
		struct lde_reorder_queue *q = &r->queues[qi];
		struct lde_reorder_first head;

		/* The second oldest queue's first, or the watermark. */
		if (r->nr_by_first > 1)
			next = r->by_first[1];
		if (r->nr_by_first > 2 &&
		    lde_reorder_first_before(&r->by_first[2], &next))
			next = r->by_first[2];
		if (next.key > r->watermark)
			next = (struct lde_reorder_first) { r->watermark, 0 };
		do {
			lde_reorder_take_first(r, q);
			if (!q->len)
				break;
			head = (struct lde_reorder_first) { lde_reorder_at(q, 0)->key, qi };
		} while (lde_reorder_first_before(&head, &next));
		lde_reorder_first_fix(r);
	}
}

/* e not held (no memory, or a kind unknown): out as it came, counted. */
static void emit_unheld(struct lde_reorder *r, const struct lde_event *e)
{
	r->unheld++;
	if (e->ts_ns > r->last_out)
		r->last_out = e->ts_ns;
	r->emit(r->ctx, e);
}

/*
 * e came behind the watermark: out now, and the window grows.  Counted
 * late if a later event was shown already: if none was, it is still in
 * time order.
 */
static void emit_late(struct lde_reorder *r, const struct lde_event *e)
{
	unsigned long long late_ns = r->newest - e->ts_ns;

	if (e->ts_ns < r->last_out) {
		r->late++;
		if (late_ns > r->late_max_ns)
			r->late_max_ns = late_ns;
	} else {
		r->last_out = e->ts_ns;
	}
	if (late_ns > LDE_REORDER_MAX_WINDOW_NS / 2)
		late_ns = LDE_REORDER_MAX_WINDOW_NS / 2;
	if (2 * late_ns > r->window_ns)
		r->window_ns = 2 * late_ns;
	r->emit(r->ctx, e);
}

/* Too much held: the oldest go out, and the watermark with them. */
static void hold_within_max(struct lde_reorder *r)
{
	while (r->held_bytes > r->max_bytes && r->n) {
		if (r->by_first[0].key > r->watermark)
			r->watermark = r->by_first[0].key;
		r->forced++;
		lde_reorder_pop_emit(r);
	}
}

/* Run x can go at the end of queue qi: after all it holds. */
static bool run_at_end(struct lde_reorder *r, unsigned int qi,
		       const struct lde_reorder_run *x)
{
	struct lde_reorder_queue *q = &r->queues[qi];

	return !q->len || x->key >= lde_reorder_at(q, q->len - 1)->last;
}

/*
 * Holds run x, of events of cpu, until its key passes the watermark:
 * its events are the reorder's from here (x->slab's slot, or x->n more
 * of x->chunk's).
 */
static void hold(struct lde_reorder *r, const struct lde_reorder_run *x,
		 unsigned int cpu)
{
	unsigned int qi = cpu < r->nr_cpus ? cpu : r->nr_cpus, i;
	bool late = x->key < r->watermark;
	const struct lde_event *e = x->e;
	struct lde_reorder_run one;

	/*
	 * Not all after what its queue holds, or behind the watermark (let
	 * by a full hold): event by event, each to its place.
	 */
	if (x->n > 1 && (late || (qi < r->nr_queues && !run_at_end(r, qi, x)))) {
		one = *x;
		one.n = 1;
		for (i = 0; i < x->n; i++, one.e = lde_reorder_next_event(one.e)) {
			one.key = one.last = one.e->ts_ns;
			hold(r, &one, cpu);
		}
		return;
	}
	if (!late && qi < r->nr_queues && lde_reorder_queue_add(r, qi, x)) {
		if (x->chunk)
			x->chunk->left++;
		else
			r->held_bytes += x->slab->slot;
		hold_within_max(r);
		return;
	}
	/* Behind the watermark: out now; or no room: out as they came. */
	for (i = 0; i < x->n; i++, e = lde_reorder_next_event(e)) {
		if (late)
			emit_late(r, e);
		else
			emit_unheld(r, e);
	}
	if (!x->chunk)
		lde_reorder_slab_put(x->slab, (void *)x->e);
}

/* c, a copy in a slot of slab, held until key passes the watermark. */
static void hold_copy(struct lde_reorder *r, struct lde_event *c,
		      struct lde_reorder_slab *slab, unsigned long long key)
{
	struct lde_reorder_run x = {
		.key = key, .last = key, .e = c, .n = 1, .slab = slab,
	};

	hold(r, &x, c->cpu);
}

static bool is_syscall_trap(const struct lde_event *e)
{
	return e->stage == LDE_STAGE_TRAP || e->stage == LDE_EVENT_TRAP_STRINGS;
}

/* e is the return of the trap t: its thread, and timed from it. */
static bool returns_from(const struct lde_event *e, const struct lde_event *t)
{
	return (e->stage == LDE_STAGE_RETURN ||
		e->stage == LDE_EVENT_EXEC_RETURN) &&
	       e->tid == t->tid && e->ts_ns >= t->ts_ns &&
	       e->ts_ns - t->ts_ns == e->ret.kernel_ns;
}

/*
 * Where the watermark may go at now_ns (over the window): a window
 * before it, but not past an event known to be on its way.
 */
static inline unsigned long long watermark_for(const struct lde_reorder *r,
					       unsigned long long now_ns)
{
	unsigned long long to = now_ns - r->window_ns;

	return to < r->waiting_from ? to : r->waiting_from;
}

/*
 * e, of a kind known, taken in: a copy held, or a trap behind the
 * watermark held until its CPU's next event (its return).
 */
static void add_one(struct lde_reorder *r, const struct lde_event *e)
{
	struct lde_reorder_slab *slab;
	unsigned int cpu = e->cpu;
	struct lde_event *c;

	/* A held trap goes just before its return, or late if none. */
	if (cpu < r->nr_cpus && r->held_traps[cpu]) {
		struct lde_event *t = r->held_traps[cpu];

		r->held_traps[cpu] = NULL;
		r->nr_held_traps--;
		if (returns_from(e, t)) {
			hold_copy(r, t, r->slab_of[t->stage], e->ts_ns);
		} else {
			emit_late(r, t);
			lde_reorder_slab_put(r->slab_of[t->stage], t);
		}
	}
	slab = r->slab_of[e->stage];
	c = lde_reorder_copy_event(slab, e);
	if (!c) {
		emit_unheld(r, e);
	} else if (is_syscall_trap(c) && c->ts_ns < r->watermark &&
		   cpu < r->nr_cpus) {
		r->held_traps[cpu] = c;
		r->nr_held_traps++;
	} else {
		hold_copy(r, c, slab, c->ts_ns);
	}
}

/*
 * Out in runs: once the watermark can move an eighth of the window
 * (compared as a difference: the watermark may be near 2^64).
 */
static void advance_if_due(struct lde_reorder *r)
{
	if (r->newest > r->window_ns) {
		unsigned long long to = watermark_for(r, r->newest);

		if (to > r->watermark && to - r->watermark > r->window_ns / 8)
			advance_to(r, to);
	}
}

void lde_reorder_add(struct lde_reorder *r, const struct lde_event *e)
{
	/* Not an event lde-trace knows (the ring reader stops before). */
	if (e->stage >= LDE_NR_EVENT_KINDS) {
		emit_unheld(r, e);
		return;
	}
	if (e->ts_ns > r->newest)
		r->newest = e->ts_ns;
	add_one(r, e);
	advance_if_due(r);
}

/*
 * A batch's bytes (whole 8-byte words: every event is) copied in blocks
 * of 32 and words, not by the C library's memcpy, whose choice on QEMU's
 * CPU (SSE2, then rep movsb from 2 KiB) costs more under TCG than the
 * events' decoding (perf in the guest).
 */
static void copy_batch(unsigned char *to, const unsigned char *from,
		       size_t size)
{
	size_t i;

	for (i = 0; i + 32 <= size; i += 32)
		__builtin_memcpy(to + i, from + i, 32);
	for (; i < size; i += 8)
		__builtin_memcpy(to + i, from + i, 8);
}

size_t lde_reorder_add_batch(struct lde_reorder *r, const void *data,
			     size_t size)
{
	const unsigned char *p = data, *end = p + size, *from;
	struct lde_reorder_run x = { .n = 0 };
	struct lde_reorder_chunk *c = NULL;
	const struct lde_event *e;
	unsigned int cpu = 0;
	size_t len;

	if (size && size <= LDE_BATCH_BYTES)
		c = lde_reorder_chunk_get(r);
	if (!c) {
		/* No room for it whole: event by event, each copied. */
		for (; (len = lde_batch_event_len(p, end - p)); p += len)
			lde_reorder_add(r, (const void *)p);
		return p - (const unsigned char *)data;
	}
	copy_batch(c->data, data, size);
	c->left = 1;		/* not free again before its last run is held */
	from = c->data;
	for (p = from, end = p + size; (len = lde_batch_event_len(p, end - p));
	     p += len) {
		e = (const void *)p;
		if (e->ts_ns > r->newest)
			r->newest = e->ts_ns;
		/* The run goes on while its CPU's events lie in time order. */
		if (x.n && e->cpu == cpu && e->ts_ns >= x.last) {
			x.n++;
			x.last = e->ts_ns;
			continue;
		}
		if (x.n)
			hold(r, &x, cpu);
		x.n = 0;
		/* Late, or a trap held, or the return it waits for: alone. */
		if (e->ts_ns < r->watermark ||
		    (r->nr_held_traps && e->cpu < r->nr_cpus &&
		     r->held_traps[e->cpu])) {
			add_one(r, e);
			continue;
		}
		x = (struct lde_reorder_run) {
			.key = e->ts_ns, .last = e->ts_ns, .e = e, .n = 1,
			.chunk = c,
		};
		cpu = e->cpu;
	}
	if (x.n)
		hold(r, &x, cpu);
	lde_reorder_chunk_put(r, c);
	advance_if_due(r);
	return p - from;
}

void lde_reorder_advance(struct lde_reorder *r, unsigned long long now_ns)
{
	if (now_ns > r->window_ns)
		advance_to(r, watermark_for(r, now_ns));
}

void lde_reorder_wait_for(struct lde_reorder *r, unsigned long long ts)
{
	r->waiting_from = ts;
}

void lde_reorder_flush(struct lde_reorder *r)
{
	unsigned int cpu;

	for (cpu = 0; cpu < r->nr_cpus; cpu++) {
		if (!r->held_traps[cpu])
			continue;
		emit_late(r, r->held_traps[cpu]);
		lde_reorder_slab_put(r->slab_of[r->held_traps[cpu]->stage],
				     r->held_traps[cpu]);
		r->held_traps[cpu] = NULL;
	}
	r->nr_held_traps = 0;
	while (r->n)
		lde_reorder_pop_emit(r);
}

void lde_reorder_free(struct lde_reorder *r)
{
	unsigned int qi;

	for (qi = 0; qi < r->nr_queues; qi++)
		free(r->queues[qi].ring);
	/* Every event held is in a slab's chunk. */
	lde_reorder_slab_free(&r->small[0]);
	lde_reorder_slab_free(&r->small[1]);
	lde_reorder_slab_free(&r->small[2]);
	lde_reorder_slab_free(&r->large);
	while (r->nr_chunks)
		free(r->chunks[--r->nr_chunks]);
	free(r->chunks);
	free(r->held_traps);
	free(r->queues);
	free(r->by_first);
	memset(r, 0, sizeof(*r));
}
