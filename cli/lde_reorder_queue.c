// SPDX-License-Identifier: GPL-2.0
/*
 * The reorder's queues (lde_reorder_queue.h): the memory held events lie
 * in (slabs of slots for events copied one by one, chunks for batches
 * taken whole), and a run put into its CPU's queue at its place by time,
 * a run it falls inside cut in two, at most LDE_REORDER_MAX_MOVE events
 * back.
 */
#include <stdlib.h>
#include <string.h>

#include "lde_reorder_queue.h"

#define SLAB_CHUNK	256	/* slots a chunk */

void *lde_reorder_slab_get(struct lde_reorder_slab *s)
{
	void **chunks, *p;
	char *chunk;
	size_t i;

	if (!s->free) {
		chunks = realloc(s->chunks, (s->nr_chunks + 1) * sizeof(*chunks));
		if (!chunks)
			return NULL;
		s->chunks = chunks;
		chunk = malloc(SLAB_CHUNK * s->slot);
		if (!chunk)
			return NULL;
		s->chunks[s->nr_chunks++] = chunk;
		for (i = 0; i < SLAB_CHUNK; i++) {
			*(void **)(chunk + i * s->slot) = s->free;
			s->free = chunk + i * s->slot;
		}
	}
	p = s->free;
	s->free = *(void **)p;
	return p;
}

void lde_reorder_slab_free(struct lde_reorder_slab *s)
{
	while (s->nr_chunks)
		free(s->chunks[--s->nr_chunks]);
	free(s->chunks);
}

struct lde_reorder_chunk *lde_reorder_chunk_get(struct lde_reorder *r)
{
	struct lde_reorder_chunk *c = r->free_chunks, **all;

	if (c) {
		r->free_chunks = c->next_free;
	} else {
		all = realloc(r->chunks, (r->nr_chunks + 1) * sizeof(*all));
		if (!all)
			return NULL;
		r->chunks = all;
		c = malloc(sizeof(*c));
		if (!c)
			return NULL;
		r->chunks[r->nr_chunks++] = c;
	}
	c->left = 0;
	r->held_bytes += sizeof(*c);
	return c;
}

struct lde_event *lde_reorder_copy_event(struct lde_reorder_slab *slab,
					 const struct lde_event *e)
{
	struct lde_event *c = lde_reorder_slab_get(slab);

	if (!c)
		return NULL;
	/* The system call's two, copied inline: no call a copy. */
	if (e->stage == LDE_STAGE_RETURN)
		memcpy(c, e, LDE_EVENT_SIZE(ret));
	else if (e->stage == LDE_STAGE_TRAP)
		memcpy(c, e, LDE_EVENT_SIZE(trap));
	else
		memcpy(c, e, lde_event_size(e->stage));
	return c;
}

/* Room for two more runs in q: false if there is no memory for it. */
static bool queue_room(struct lde_reorder_queue *q)
{
	struct lde_reorder_run *ring;
	size_t size, i;

	if (q->len + 2 <= q->size)
		return true;
	size = q->size ? 2 * q->size : 256;
	ring = malloc(size * sizeof(*ring));
	if (!ring)
		return false;
	for (i = 0; i < q->len; i++)
		ring[i] = *lde_reorder_at(q, i);
	free(q->ring);
	q->ring = ring;
	q->head = 0;
	q->size = size;
	return true;
}

/* Counted late: x will go out after later events (moved back too far). */
static void count_late(struct lde_reorder *r, unsigned long long key)
{
	r->late++;
	if (r->newest - key > r->late_max_ns)
		r->late_max_ns = r->newest - key;
}

/* How many of run p's events go out at or before key. */
static unsigned int run_events_by(const struct lde_reorder_run *p,
				  unsigned long long key)
{
	const struct lde_event *e = p->e;
	unsigned int k = 0;

	while (k < p->n && e->ts_ns <= key) {
		e = lde_reorder_next_event(e);
		k++;
	}
	return k;
}

/*
 * Into queue qi, at its place by time: at the end, but for events that
 * come after later ones of their CPU, which go back before them (a run
 * they fall inside is cut in two), at most LDE_REORDER_MAX_MOVE events
 * back.
 */
bool lde_reorder_queue_add(struct lde_reorder *r, unsigned int qi,
			   const struct lde_reorder_run *x)
{
	struct lde_reorder_queue *q = &r->queues[qi];
	struct lde_reorder_run *p, tail;
	size_t i, j, moved = 0;
	unsigned int k = 0, shift = 1;

	if (!queue_room(q))
		return false;
	for (i = q->len; i && x->key < lde_reorder_at(q, i - 1)->last; i--) {
		p = lde_reorder_at(q, i - 1);
		k = p->n > 1 && x->key >= p->key ? run_events_by(p, x->key) : 0;
		if (moved + p->n - k > LDE_REORDER_MAX_MOVE) {
			count_late(r, x->key);
			break;
		}
		if (k) {
			shift = 2;
			break;
		}
		moved += p->n;
	}
	for (j = q->len; j > i; j--)
		*lde_reorder_at(q, j - 1 + shift) = *lde_reorder_at(q, j - 1);
	if (shift == 2) {
		/* p's first k events stay before x, the rest go after it. */
		p = lde_reorder_at(q, i - 1);
		tail = *p;
		tail.n -= k;
		for (j = 0; j < k; j++) {
			p->last = tail.e->ts_ns;
			tail.e = lde_reorder_next_event(tail.e);
		}
		tail.key = tail.e->ts_ns;
		p->n = k;
		*lde_reorder_at(q, i + 1) = tail;
		/* A run more of the chunk, which its runs hold. */
		if (tail.chunk)
			tail.chunk->left++;
	}
	*lde_reorder_at(q, i) = *x;
	q->len += shift;
	if (q->len == shift) {
		r->by_first[r->nr_by_first].queue = qi;
		lde_reorder_heap_fix(r, r->nr_by_first++, x->key);
	} else if (!i) {
		lde_reorder_heap_fix(r, q->pos, x->key);
	}
	r->n += x->n;
	return true;
}

