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
#include "lde_trace_batches.h"

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

/* A chunk to take a batch into, counted held; NULL if no memory. */
static struct lde_reorder_chunk *chunk_get(struct lde_reorder *r)
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

/* A run of c's is out, or its taker is done: free after the last. */
static inline void chunk_put(struct lde_reorder *r, struct lde_reorder_chunk *c)
{
	if (--c->left)
		return;
	r->held_bytes -= sizeof(*c);
	c->next_free = r->free_chunks;
	r->free_chunks = c;
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

		r->slab_of[kind] = size <= SMALL_SLOT ?
				   &r->small[(size - 1) / 64] : &r->large;
	}
	r->queues = calloc(r->nr_cpus + 1, sizeof(*r->queues));
	r->by_first = calloc(r->nr_cpus + 1, sizeof(*r->by_first));
	if (r->queues && r->by_first)
		r->nr_queues = r->nr_cpus + 1;
}

static inline struct lde_reorder_run *at(struct lde_reorder_queue *q,
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

/* A run's events are out: its chunk or its slot is given back. */
static inline void run_done(struct lde_reorder *r,
			    const struct lde_reorder_run *x)
{
	if (x->chunk) {
		chunk_put(r, x->chunk);
	} else {
		r->held_bytes -= x->slab->slot;
		slab_put(x->slab, (void *)x->e);
	}
}

/*
 * Queue q's first event goes out; the heap of queues is not fixed.  The
 * next of its run, if any, is the queue's first.
 */
static inline void take_first(struct lde_reorder *r,
			      struct lde_reorder_queue *q)
{
	struct lde_reorder_run *x = at(q, 0);
	const struct lde_event *e = x->e;

	r->n--;
	if (e->ts_ns > r->last_out)
		r->last_out = e->ts_ns;
	r->emit(r->ctx, e);
	if (--x->n) {
		/* In a chunk, whose events lie in time order (runs_add()). */
		x->e = (const void *)((const char *)e + lde_event_size(e->stage));
		x->key = x->e->ts_ns;
		return;
	}
	run_done(r, x);
	q->head = (q->head + 1) & (q->size - 1);
	q->len--;
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
		ring[i] = *at(q, i);
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
		e = (const void *)((const char *)e + lde_event_size(e->stage));
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
static bool queue_add(struct lde_reorder *r, unsigned int qi,
		      const struct lde_reorder_run *x)
{
	struct lde_reorder_queue *q = &r->queues[qi];
	struct lde_reorder_run *p, tail;
	size_t i, j, moved = 0;
	unsigned int k = 0, shift = 1;

	if (!queue_room(q))
		return false;
	for (i = q->len; i && x->key < at(q, i - 1)->last; i--) {
		p = at(q, i - 1);
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
		*at(q, j - 1 + shift) = *at(q, j - 1);
	if (shift == 2) {
		/* p's first k events stay before x, the rest go after it. */
		p = at(q, i - 1);
		tail = *p;
		tail.n -= k;
		for (j = 0; j < k; j++) {
			p->last = tail.e->ts_ns;
			tail.e = (const void *)((const char *)tail.e +
						lde_event_size(tail.e->stage));
		}
		tail.key = tail.e->ts_ns;
		p->n = k;
		*at(q, i + 1) = tail;
		/* A run more of the chunk, which its runs hold. */
		if (tail.chunk)
			tail.chunk->left++;
	}
	*at(q, i) = *x;
	q->len += shift;
	if (q->len == shift) {
		r->by_first[r->nr_by_first].queue = qi;
		by_first_fix(r, r->nr_by_first++, x->key);
	} else if (!i) {
		by_first_fix(r, q->pos, x->key);
	}
	r->n += x->n;
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

/* Too much held: the oldest go out, and the watermark with them. */
static void hold_within_max(struct lde_reorder *r)
{
	while (r->held_bytes > r->max_bytes && r->n) {
		if (r->by_first[0].key > r->watermark)
			r->watermark = r->by_first[0].key;
		r->forced++;
		pop_emit(r);
	}
}

static inline const struct lde_event *next_event(const struct lde_event *e)
{
	return (const void *)((const char *)e + lde_event_size(e->stage));
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
	if (x->n > 1 && (late || (qi < r->nr_queues && r->queues[qi].len &&
				  x->key < at(&r->queues[qi],
					      r->queues[qi].len - 1)->last))) {
		one = *x;
		one.n = 1;
		for (i = 0; i < x->n; i++, one.e = next_event(one.e)) {
			one.key = one.last = one.e->ts_ns;
			hold(r, &one, cpu);
		}
		return;
	}
	if (!late && qi < r->nr_queues && queue_add(r, qi, x)) {
		if (x->chunk)
			x->chunk->left++;
		else
			r->held_bytes += x->slab->slot;
		hold_within_max(r);
		return;
	}
	/* Behind the watermark: out now; or no room: out as they came. */
	for (i = 0; i < x->n; i++, e = next_event(e)) {
		if (late)
			emit_late(r, e);
		else
			emit_unheld(r, e);
	}
	if (!x->chunk)
		slab_put(x->slab, (void *)x->e);
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
		c = chunk_get(r);
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
	chunk_put(r, c);
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
		slab_put(r->slab_of[r->held_traps[cpu]->stage],
			 r->held_traps[cpu]);
		r->held_traps[cpu] = NULL;
	}
	r->nr_held_traps = 0;
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
	while (r->nr_chunks)
		free(r->chunks[--r->nr_chunks]);
	free(r->chunks);
	free(r->held_traps);
	free(r->queues);
	free(r->by_first);
	memset(r, 0, sizeof(*r));
}
