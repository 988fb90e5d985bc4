// SPDX-License-Identifier: GPL-2.0
/* The one per-thread table: see lde_tid_table.h. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lde_tid_table.h"

#define FIRST_SIZE	1024

void lde_tid_table_init(struct lde_tid_table *t, size_t record, size_t limit)
{
	memset(t, 0, sizeof(*t));
	t->record = record;
	t->limit = limit;
}

static unsigned int *at(const struct lde_tid_table *t, size_t i)
{
	return (unsigned int *)((char *)t->slots + i * t->record);
}

/*
 * tid's first slot: the kernel's hash_32() (the golden ratio), its top
 * bits, so that tids a power of two apart spread over the table.
 */
static size_t home(const struct lde_tid_table *t, unsigned int tid)
{
	uint64_t h = (uint32_t)(tid * 0x61C88647U);

	return (h * t->size) >> 32;
}

/* Where tid is, or the free slot it would take (the table is never full). */
static size_t probe(const struct lde_tid_table *t, unsigned int tid)
{
	size_t i;

	for (i = home(t, tid); *at(t, i) && *at(t, i) != tid;
	     i = (i + 1) & (t->size - 1))
		;
	return i;
}

static bool grow(struct lde_tid_table *t)
{
	struct lde_tid_table old = *t;
	size_t j;

	t->size = old.size ? old.size * 2 : FIRST_SIZE;
	t->slots = calloc(t->size, t->record);
	if (!t->slots) {
		*t = old;
		return false;
	}
	for (j = 0; j < old.size; j++)
		if (*at(&old, j))
			memcpy(at(t, probe(t, *at(&old, j))), at(&old, j),
			       t->record);
	free(old.slots);
	return true;
}

void *lde_tid_get(struct lde_tid_table *t, unsigned int tid)
{
	unsigned int *r;

	if (!tid)
		return NULL;
	if (t->size) {
		r = at(t, probe(t, tid));
		if (*r)
			return r;
	}
	if (t->used >= t->limit ||
	    (t->used * 2 >= t->size && !grow(t))) {
		t->refused++;
		return NULL;
	}
	r = at(t, probe(t, tid));
	*r = tid;
	t->used++;
	return r;
}

void *lde_tid_find(const struct lde_tid_table *t, unsigned int tid)
{
	unsigned int *r;

	if (!tid || !t->size)
		return NULL;
	r = at(t, probe(t, tid));
	return *r ? r : NULL;
}

/* Is slot i cyclically in (from, to]? */
static bool between(size_t from, size_t i, size_t to)
{
	return from <= to ? from < i && i <= to : from < i || i <= to;
}

/*
 * Linear probing's deletion without tombstones (Knuth's Algorithm R):
 * each record after the hole that could live in it moves back, so that
 * every record stays reachable from its first slot.
 */
void lde_tid_remove(struct lde_tid_table *t, unsigned int tid)
{
	size_t hole, i, mask = t->size - 1;

	if (!tid || !t->size)
		return;
	hole = probe(t, tid);
	if (!*at(t, hole))
		return;
	for (i = (hole + 1) & mask; *at(t, i); i = (i + 1) & mask) {
		/* A record whose first slot is after the hole stays. */
		if (between(hole, home(t, *at(t, i)), i))
			continue;
		memcpy(at(t, hole), at(t, i), t->record);
		hole = i;
	}
	memset(at(t, hole), 0, t->record);
	t->used--;
}

void *lde_tid_slot(const struct lde_tid_table *t, size_t i)
{
	return *at(t, i) ? at(t, i) : NULL;
}

void lde_tid_table_free(struct lde_tid_table *t)
{
	free(t->slots);
	lde_tid_table_init(t, t->record, t->limit);
}
