/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one per-thread table of lde-trace's views: a record per thread, keyed
 * by tid (-P's thread state, -S's open calls, -s's scheduler table, -m's
 * task codes, the picture's traced set).  Open addressing with linear
 * probing on a multiplicative hash of the tid (tids that differ by a power
 * of two do not share a first slot), grown (doubled, from 1024 slots)
 * whenever half full.  Every record begins with its `unsigned int tid`;
 * tid 0 (the idle task, one per CPU) marks a free slot, so it is never
 * kept.
 *
 * Bounded: a table keeps at most `limit` records, in at most
 * 2 * limit (rounded up to a power of two) * record bytes.  When it is
 * full, lde_tid_get() gives NULL and counts the refusal in `refused`; the
 * view says so in its output (it never reuses another thread's record).
 *
 * A record's address holds until the next lde_tid_get() (which may grow
 * the table) or lde_tid_remove() (which may move records).
 */
#ifndef _LDE_TID_TABLE_H
#define _LDE_TID_TABLE_H

#include <stdbool.h>
#include <stddef.h>

/* The limit a view takes unless its records are large: 2^20 threads. */
#define LDE_TID_TABLE_LIMIT	(1U << 20)

struct lde_tid_table {
	void *slots;
	size_t size, used;	/* slots, records kept */
	size_t record;		/* bytes per record */
	size_t limit;		/* records kept at most */
	unsigned long long refused;	/* lde_tid_get()s refused: full */
};

/* An empty table of records of `record` bytes, at most `limit` of them. */
void lde_tid_table_init(struct lde_tid_table *t, size_t record, size_t limit);
/*
 * tid's record, zeroed (tid set) and kept on first sight; NULL: tid 0, or
 * the table is full (limit reached, or out of memory; counted in refused).
 */
void *lde_tid_get(struct lde_tid_table *t, unsigned int tid);
/* tid's record if kept, else NULL. */
void *lde_tid_find(const struct lde_tid_table *t, unsigned int tid);
/* Forgets tid's record, if kept; the others may move (slot order too). */
void lde_tid_remove(struct lde_tid_table *t, unsigned int tid);
/*
 * Slot i (0 <= i < t->size): a record, or NULL when free.  After its
 * record is removed, slot i may hold another one: look at it again.
 */
void *lde_tid_slot(const struct lde_tid_table *t, size_t i);
void lde_tid_table_free(struct lde_tid_table *t);

#endif /* _LDE_TID_TABLE_H */
