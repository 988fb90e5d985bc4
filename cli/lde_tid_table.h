/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-task records keyed by tid, for the views that keep one per task
 * (-s's scheduler table, -m's task codes): open addressing with linear
 * probing, grown (doubled) whenever half full.  Every record begins with
 * its `unsigned int tid`; tid 0 (the idle task) marks a free slot, so it
 * is never kept.
 */
#ifndef _LDE_TID_TABLE_H
#define _LDE_TID_TABLE_H

#include <stdbool.h>
#include <stddef.h>

struct lde_tid_table {
	void *slots;
	size_t size, used;	/* slots, records kept */
	size_t record;		/* bytes per record */
};

/* An empty table of records of `record` bytes. */
void lde_tid_table_init(struct lde_tid_table *t, size_t record);
/* tid's record, zeroed (tid set) and kept on first sight; NULL: tid 0 or out of memory. */
void *lde_tid_get(struct lde_tid_table *t, unsigned int tid);
/* tid's record if kept, else NULL. */
void *lde_tid_find(const struct lde_tid_table *t, unsigned int tid);
/* Slot i (0 <= i < t->size): a record, or NULL when free. */
void *lde_tid_slot(const struct lde_tid_table *t, size_t i);
void lde_tid_table_free(struct lde_tid_table *t);

#endif /* _LDE_TID_TABLE_H */
