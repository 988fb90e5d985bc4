// SPDX-License-Identifier: GPL-2.0
/* Per-task records keyed by tid: see lde_tid_table.h. */
#include <stdlib.h>
#include <string.h>

#include "lde_tid_table.h"

void lde_tid_table_init(struct lde_tid_table *t, size_t record)
{
	memset(t, 0, sizeof(*t));
	t->record = record;
}

static unsigned int *at(const struct lde_tid_table *t, size_t i)
{
	return (unsigned int *)((char *)t->slots + i * t->record);
}

/* Where tid is, or the free slot it would take (the table is never full). */
static size_t probe(const struct lde_tid_table *t, unsigned int tid)
{
	size_t i;

	for (i = tid % t->size; *at(t, i) && *at(t, i) != tid;
	     i = (i + 1) % t->size)
		;
	return i;
}

static bool grow(struct lde_tid_table *t)
{
	struct lde_tid_table old = *t;
	size_t j;

	t->size = old.size ? old.size * 2 : 1024;
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
	if (t->used * 2 >= t->size && !grow(t))
		return NULL;
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

void *lde_tid_slot(const struct lde_tid_table *t, size_t i)
{
	return *at(t, i) ? at(t, i) : NULL;
}

void lde_tid_table_free(struct lde_tid_table *t)
{
	free(t->slots);
	lde_tid_table_init(t, t->record);
}
