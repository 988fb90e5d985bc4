/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where the reorder's held events wait (lde_reorder.c's, not a public
 * interface): a queue per CPU of runs, each a stretch of one CPU's events
 * in time order as they lie in a batch taken whole (a chunk) or one event
 * copied into a slot of its own (a slab's); a min-heap of the queues by
 * their first event; and the memory they lie in.  Taking an event out is
 * inline here, on the path every event takes; making room, cutting a run
 * and putting an event back to its place are in lde_reorder_queue.c.
 */
#ifndef _LDE_REORDER_QUEUE_H
#define _LDE_REORDER_QUEUE_H

#include <stdbool.h>
#include <stddef.h>

#include "lde_reorder.h"

/*
 * Events held that go out one after another, from e on, by the time the
 * first goes out at: a run of one CPU's events lying in time order in a
 * batch taken whole (chunk), or one event in a slot of its own (slab),
 * which may go out at a time not its own (a held trap, at its return's).
 * Equal times keep the order they came in: a queue is first in, first
 * out among them, and queues tie by their index.
 */
struct lde_reorder_run {
	unsigned long long key;		/* the time its first goes out at */
	unsigned long long last;	/* the time its last goes out at */
	const struct lde_event *e;	/* its first */
	unsigned int n;			/* its events */
	struct lde_reorder_chunk *chunk;	/* where e lies, or NULL: */
	struct lde_reorder_slab *slab;	/* where e's slot goes back */
};

/* A queue in the heap of queues, with the time of its first event. */
struct lde_reorder_first {
	unsigned long long key;
	unsigned int queue;
};

/* A CPU's runs, oldest first: a ring of them, size a power of two. */
struct lde_reorder_queue {
	struct lde_reorder_run *ring;
	size_t head, len, size;
	unsigned int pos;		/* in by_first, if it holds events */
};

/*
 * A batch of events taken whole, one copy for all of them: they go out
 * from where they lie, and the chunk is free again once the last has.
 */
struct lde_reorder_chunk {
	struct lde_reorder_chunk *next_free;
	unsigned int left;		/* its runs held, and one while taken */
	unsigned char data[LDE_BATCH_BYTES] __attribute__((aligned(8)));
};

/*
 * A held event's slot: a return fits 64 bytes, a trap 128, a switch 192;
 * one with strings (a path, argv) takes a whole event's.  Held events
 * stay few and close together: under TCG each page touched costs.
 */
#define LDE_REORDER_SMALL_SLOT	192

void *lde_reorder_slab_get(struct lde_reorder_slab *s);
void lde_reorder_slab_free(struct lde_reorder_slab *s);
/* A copy of e, in a slot of its size; NULL if no memory. */
struct lde_event *lde_reorder_copy_event(struct lde_reorder_slab *slab,
					 const struct lde_event *e);
/* A chunk to take a batch into, counted held; NULL if no memory. */
struct lde_reorder_chunk *lde_reorder_chunk_get(struct lde_reorder *r);
/*
 * Run x (of queue qi's CPU) into queue qi, at its place by time: false
 * if there is no memory for it.
 */
bool lde_reorder_queue_add(struct lde_reorder *r, unsigned int qi,
			   const struct lde_reorder_run *x);

static inline void lde_reorder_slab_put(struct lde_reorder_slab *s, void *p)
{
	*(void **)p = s->free;
	s->free = p;
}

/* A run of c's is out, or its taker is done: free after the last. */
static inline void lde_reorder_chunk_put(struct lde_reorder *r,
					 struct lde_reorder_chunk *c)
{
	if (--c->left)
		return;
	r->held_bytes -= sizeof(*c);
	c->next_free = r->free_chunks;
	r->free_chunks = c;
}

static inline const struct lde_event *
lde_reorder_next_event(const struct lde_event *e)
{
	return (const void *)((const char *)e + lde_event_size(e->stage));
}

static inline struct lde_reorder_run *
lde_reorder_at(struct lde_reorder_queue *q, size_t i)
{
	return &q->ring[(q->head + i) & (q->size - 1)];
}

/* First a goes before first b: older, or as old and a lower queue. */
static inline bool
lde_reorder_first_before(const struct lde_reorder_first *a,
			 const struct lde_reorder_first *b)
{
	return a->key < b->key || (a->key == b->key && a->queue < b->queue);
}

static inline void lde_reorder_heap_set(struct lde_reorder *r,
					unsigned int pos,
					struct lde_reorder_first x)
{
	r->by_first[pos] = x;
	r->queues[x.queue].pos = pos;
}

/* The queue at pos has a new first event, at key: back to its place. */
static inline void lde_reorder_heap_fix(struct lde_reorder *r,
					unsigned int pos,
					unsigned long long key)
{
	struct lde_reorder_first x = { key, r->by_first[pos].queue };
	unsigned int child, parent;

	while (pos &&
	       lde_reorder_first_before(&x, &r->by_first[(pos - 1) / 2])) {
		parent = (pos - 1) / 2;
		lde_reorder_heap_set(r, pos, r->by_first[parent]);
		pos = parent;
	}
	for (;;) {
		child = 2 * pos + 1;
		if (child >= r->nr_by_first)
			break;
		if (child + 1 < r->nr_by_first &&
		    lde_reorder_first_before(&r->by_first[child + 1],
					     &r->by_first[child]))
			child++;
		if (!lde_reorder_first_before(&r->by_first[child], &x))
			break;
		lde_reorder_heap_set(r, pos, r->by_first[child]);
		pos = child;
	}
	lde_reorder_heap_set(r, pos, x);
}

/* A run's events are out: its chunk or its slot is given back. */
static inline void lde_reorder_run_done(struct lde_reorder *r,
					const struct lde_reorder_run *x)
{
	if (x->chunk) {
		lde_reorder_chunk_put(r, x->chunk);
	} else {
		r->held_bytes -= x->slab->slot;
		lde_reorder_slab_put(x->slab, (void *)x->e);
	}
}

/*
 * Queue q's first event goes out; the heap of queues is not fixed.  The
 * next of its run, if any, is the queue's first.
 */
static inline void lde_reorder_take_first(struct lde_reorder *r,
					  struct lde_reorder_queue *q)
{
	struct lde_reorder_run *x = lde_reorder_at(q, 0);
	const struct lde_event *e = x->e;

	r->n--;
	if (e->ts_ns > r->last_out)
		r->last_out = e->ts_ns;
	r->emit(r->ctx, e);
	if (--x->n) {
		/* In a chunk, in time order (lde_reorder_add_batch()). */
		x->e = lde_reorder_next_event(e);
		x->key = x->e->ts_ns;
		return;
	}
	lde_reorder_run_done(r, x);
	q->head = (q->head + 1) & (q->size - 1);
	q->len--;
}

/* The first queue has taken events: back to its place, or out. */
static inline void lde_reorder_first_fix(struct lde_reorder *r)
{
	struct lde_reorder_queue *q = &r->queues[r->by_first[0].queue];

	if (q->len) {
		lde_reorder_heap_fix(r, 0, lde_reorder_at(q, 0)->key);
	} else if (--r->nr_by_first) {
		lde_reorder_heap_set(r, 0, r->by_first[r->nr_by_first]);
		lde_reorder_heap_fix(r, 0, r->by_first[0].key);
	}
}

/* The oldest event held goes out. */
static inline void lde_reorder_pop_emit(struct lde_reorder *r)
{
	lde_reorder_take_first(r, &r->queues[r->by_first[0].queue]);
	lde_reorder_first_fix(r);
}

#endif /* _LDE_REORDER_QUEUE_H */
