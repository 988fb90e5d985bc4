// SPDX-License-Identifier: GPL-2.0
/*
 * Events back in time order across CPUs (lde_reorder.h).  The BPF side
 * sends the views for people one record per event (bpf/lde_event.bpf.h),
 * but an event's time is read before the ring takes it, and a CPU that
 * stops in between (a vCPU the host does not run) lets other CPUs' later
 * events in ahead of it; an interrupt's event can come just before the
 * event it interrupted, and a trap held for a string comes at its return.
 * An event is held in its CPU's queue until the watermark, the newest
 * time seen (or the clock read before the ring was emptied) less the
 * window, passes it: by then every event older than the watermark has
 * come.  The queues are merged by their oldest event, through a min-heap
 * of the queues: taking an event in costs a copy and, mostly, nothing
 * else; letting one out, a walk down a heap as deep as the CPUs are few.
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

/*
 * An event held, by the time it goes out at.  Equal times keep the order
 * they came in: a queue is first in, first out among them, and queues
 * tie by their index.
 */
struct lde_reorder_entry {
	unsigned long long key;
	struct lde_event *e;
	struct lde_reorder_slab *slab;	/* where its slot goes back */
};

/* A queue in the heap of queues, with the time of its first event. */
struct lde_reorder_first {
	unsigned long long key;
	unsigned int queue;
};

/* A CPU's events, oldest first: a ring of entries, size a power of two. */
struct lde_reorder_queue {
	struct lde_reorder_entry *ring;
	size_t head, len, size;
	unsigned int pos;		/* in by_first, if it holds events */
};

/*
 * A held event's slot: a return fits 64 bytes, a trap 128, a switch 192;
 * one with strings (a path, argv) takes a whole event's.  Held events
 * stay few and close together: under TCG each page touched costs.
 */
#define SMALL_SLOT	192
#define SLAB_CHUNK	256	/* slots a chunk */

static void *slab_get(struct lde_reorder_slab *s)
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

static void slab_put(struct lde_reorder_slab *s, void *p)
{
	*(void **)p = s->free;
	s->free = p;
}

static void slab_free(struct lde_reorder_slab *s)
{
	while (s->nr_chunks)
		free(s->chunks[--s->nr_chunks]);
	free(s->chunks);
}

/* A copy of e, in a slot of its size; NULL if no memory. */
static struct lde_event *copy_event(struct lde_reorder_slab *slab,
				    const struct lde_event *e)
{
	struct lde_event *c = slab_get(slab);

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

void lde_reorder_init(struct lde_reorder *r, unsigned int nr_cpus,
		      unsigned long long window_ns, size_t max_bytes,
		      lde_reorder_emit_fn emit, void *ctx)
{
	unsigned int kind, i;

	memset(r, 0, sizeof(*r));
	r->emit = emit;
	r->ctx = ctx;
	r->window_ns = window_ns;
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

		r->slab_of[kind] = size <= SMALL_SLOT ?
				   &r->small[(size - 1) / 64] : &r->large;
	}
	r->queues = calloc(r->nr_cpus + 1, sizeof(*r->queues));
	r->by_first = calloc(r->nr_cpus + 1, sizeof(*r->by_first));
	if (r->queues && r->by_first)
		r->nr_queues = r->nr_cpus + 1;
}

static inline struct lde_reorder_entry *at(struct lde_reorder_queue *q,
					   size_t i)
{
	return &q->ring[(q->head + i) & (q->size - 1)];
}

/* First a goes before first b: older, or as old and a lower queue. */
static inline bool first_before(const struct lde_reorder_first *a,
				const struct lde_reorder_first *b)
{
	return a->key < b->key || (a->key == b->key && a->queue < b->queue);
}

static inline void by_first_set(struct lde_reorder *r, unsigned int pos,
				struct lde_reorder_first x)
{
	r->by_first[pos] = x;
	r->queues[x.queue].pos = pos;
}

/* The queue at pos has a new first event, at key: back to its place. */
static inline void by_first_fix(struct lde_reorder *r, unsigned int pos,
				unsigned long long key)
{
	struct lde_reorder_first x = { key, r->by_first[pos].queue };
	unsigned int child, parent;

	while (pos && first_before(&x, &r->by_first[(pos - 1) / 2])) {
		parent = (pos - 1) / 2;
		by_first_set(r, pos, r->by_first[parent]);
		pos = parent;
	}
	for (;;) {
		child = 2 * pos + 1;
		if (child >= r->nr_by_first)
			break;
		if (child + 1 < r->nr_by_first &&
		    first_before(&r->by_first[child + 1], &r->by_first[child]))
			child++;
		if (!first_before(&r->by_first[child], &x))
			break;
		by_first_set(r, pos, r->by_first[child]);
		pos = child;
	}
	by_first_set(r, pos, x);
}

/* Queue q's first event goes out; the heap of queues is not fixed. */
static inline void take_first(struct lde_reorder *r,
			      struct lde_reorder_queue *q)
{
	struct lde_reorder_entry x = *at(q, 0);

	q->head = (q->head + 1) & (q->size - 1);
	q->len--;
	r->n--;
	r->held_bytes -= x.slab->slot;
	if (x.e->ts_ns > r->last_out)
		r->last_out = x.e->ts_ns;
	r->emit(r->ctx, x.e);
	slab_put(x.slab, x.e);
}

/* The first queue has taken events: back to its place, or out. */
static inline void first_fix(struct lde_reorder *r)
{
	struct lde_reorder_queue *q = &r->queues[r->by_first[0].queue];

	if (q->len) {
		by_first_fix(r, 0, at(q, 0)->key);
	} else if (--r->nr_by_first) {
		by_first_set(r, 0, r->by_first[r->nr_by_first]);
		by_first_fix(r, 0, r->by_first[0].key);
	}
}

/* The oldest event held goes out. */
static inline void pop_emit(struct lde_reorder *r)
{
	take_first(r, &r->queues[r->by_first[0].queue]);
	first_fix(r);
}

/* Room for one more in q: false if there is no memory for it. */
static bool queue_room(struct lde_reorder_queue *q)
{
	struct lde_reorder_entry *ring;
	size_t size, i;

	if (q->len < q->size)
		return true;
	size = q->size ? 2 * q->size : 256;
	ring = malloc(size * sizeof(*ring));
	if (!ring)
		return false;
	for (i = 0; i < q->len; i++)
		ring[i] = *at(q, i);
	free(q->ring);
	q->ring = ring;
	q->head = 0;
	q->size = size;
	return true;
}

/*
 * Into its CPU's queue, at its place by time: at the end, but for an
 * event that comes after a later one of its CPU.
 */
static bool queue_add(struct lde_reorder *r, unsigned int qi,
		      const struct lde_reorder_entry *x)
{
	struct lde_reorder_queue *q = &r->queues[qi];
	size_t i, moved = 0;

	if (!queue_room(q))
		return false;
	for (i = q->len; i && x->key < at(q, i - 1)->key; i--) {
		if (moved++ == LDE_REORDER_MAX_MOVE) {
			r->late++;
			if (r->newest - x->key > r->late_max_ns)
				r->late_max_ns = r->newest - x->key;
			break;
		}
		*at(q, i) = *at(q, i - 1);
	}
	*at(q, i) = *x;
	if (!q->len++) {
		r->by_first[r->nr_by_first].queue = qi;
		by_first_fix(r, r->nr_by_first++, x->key);
	} else if (!i) {
		by_first_fix(r, q->pos, x->key);
	}
	r->n++;
	return true;
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
		    first_before(&r->by_first[2], &next))
			next = r->by_first[2];
		if (next.key > r->watermark)
			next = (struct lde_reorder_first) { r->watermark, 0 };
		do {
			take_first(r, q);
			if (!q->len)
				break;
			head = (struct lde_reorder_first) { at(q, 0)->key, qi };
		} while (first_before(&head, &next));
		first_fix(r);
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

/*
 * Holds c (a copy in a slot of slab, now the reorder's) until key passes
 * the watermark.
 */
static void hold(struct lde_reorder *r, struct lde_event *c,
		 struct lde_reorder_slab *slab, unsigned long long key)
{
	struct lde_reorder_entry x = { .key = key, .e = c, .slab = slab };
	unsigned int qi = c->cpu < r->nr_cpus ? c->cpu : r->nr_cpus;

	if (key < r->watermark) {
		emit_late(r, c);
		slab_put(slab, c);
		return;
	}
	if (qi >= r->nr_queues || !queue_add(r, qi, &x)) {
		/* No room to hold it: out as it came, counted. */
		emit_unheld(r, c);
		slab_put(slab, c);
		return;
	}
	r->held_bytes += slab->slot;
	/* Too much held: the oldest go out, and the watermark with them. */
	while (r->held_bytes > r->max_bytes && r->n) {
		if (r->by_first[0].key > r->watermark)
			r->watermark = r->by_first[0].key;
		r->forced++;
		pop_emit(r);
	}
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

void lde_reorder_add(struct lde_reorder *r, const struct lde_event *e)
{
	struct lde_reorder_slab *slab;
	unsigned int cpu = e->cpu;
	struct lde_event *c;

	/* Not an event lde-trace knows (the ring reader stops before). */
	if (e->stage >= LDE_NR_EVENT_KINDS) {
		emit_unheld(r, e);
		return;
	}
	if (e->ts_ns > r->newest)
		r->newest = e->ts_ns;
	/* A held trap goes just before its return, or late if none. */
	if (cpu < r->nr_cpus && r->held_traps[cpu]) {
		struct lde_event *t = r->held_traps[cpu];

		r->held_traps[cpu] = NULL;
		if (returns_from(e, t)) {
			hold(r, t, r->slab_of[t->stage], e->ts_ns);
		} else {
			emit_late(r, t);
			slab_put(r->slab_of[t->stage], t);
		}
	}
	slab = r->slab_of[e->stage];
	c = copy_event(slab, e);
	if (!c) {
		emit_unheld(r, e);
	} else if (is_syscall_trap(c) && c->ts_ns < r->watermark &&
		   cpu < r->nr_cpus) {
		r->held_traps[cpu] = c;
	} else {
		hold(r, c, slab, c->ts_ns);
	}
	/*
	 * Out in runs: once the watermark can move an eighth of the window
	 * (compared as a difference: the watermark may be near 2^64).
	 */
	if (r->newest > r->watermark &&
	    r->newest - r->watermark > r->window_ns + r->window_ns / 8)
		advance_to(r, r->newest - r->window_ns);
}

void lde_reorder_advance(struct lde_reorder *r, unsigned long long now_ns)
{
	if (now_ns > r->window_ns)
		advance_to(r, now_ns - r->window_ns);
}

void lde_reorder_flush(struct lde_reorder *r)
{
	unsigned int cpu;

	for (cpu = 0; cpu < r->nr_cpus; cpu++) {
		if (!r->held_traps[cpu])
			continue;
		emit_late(r, r->held_traps[cpu]);
		slab_put(r->slab_of[r->held_traps[cpu]->stage],
			 r->held_traps[cpu]);
		r->held_traps[cpu] = NULL;
	}
	while (r->n)
		pop_emit(r);
}

void lde_reorder_free(struct lde_reorder *r)
{
	unsigned int qi;

	for (qi = 0; qi < r->nr_queues; qi++)
		free(r->queues[qi].ring);
	/* Every event held is in a slab's chunk. */
	slab_free(&r->small[0]);
	slab_free(&r->small[1]);
	slab_free(&r->small[2]);
	slab_free(&r->large);
	free(r->held_traps);
	free(r->queues);
	free(r->by_first);
	memset(r, 0, sizeof(*r));
}
