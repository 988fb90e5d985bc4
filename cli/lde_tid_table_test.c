// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side tests of the one per-thread table (kselftest harness): every
 * thread kept is found again with what was written to it, across the
 * table's growth and removals; threads whose ids collide keep their own
 * records; a full table refuses and counts, never reuses a record; the
 * idle task is never kept.
 */
#include <stdlib.h>

#include "kselftest_harness.h"
#include "lde_tid_table.h"

struct rec {
	unsigned int tid;
	unsigned long long value;
};

/* 100,000 tasks: the table doubles from 1024 slots eight times. */
TEST(kept_tasks_survive_growth)
{
	struct lde_tid_table t;
	unsigned int tid, seen = 0;
	struct rec *r;
	size_t i;

	lde_tid_table_init(&t, sizeof(struct rec), LDE_TID_TABLE_LIMIT);
	for (tid = 1; tid <= 100000; tid++) {
		/* tids a power of two apart, as a direct map collides them */
		r = lde_tid_get(&t, tid * 1024 % 4194301);
		ASSERT_NE(NULL, r);
		ASSERT_EQ(0, r->value);	/* new: zeroed */
		r->value = tid;
	}
	EXPECT_EQ(100000, t.used);
	EXPECT_GE(t.size, 2 * t.used);
	for (tid = 1; tid <= 100000; tid++) {
		r = lde_tid_find(&t, tid * 1024 % 4194301);
		ASSERT_NE(NULL, r);
		ASSERT_EQ(tid, r->value);
		/* Asked again: the same record, nothing added. */
		ASSERT_EQ(r, lde_tid_get(&t, tid * 1024 % 4194301));
	}
	EXPECT_EQ(100000, t.used);
	EXPECT_EQ(0, t.refused);
	for (i = 0; i < t.size; i++)
		seen += lde_tid_slot(&t, i) != NULL;
	EXPECT_EQ(100000, seen);
	lde_tid_table_free(&t);
	EXPECT_EQ(0, t.used);
	EXPECT_EQ(NULL, lde_tid_find(&t, 1024));
}

/* 100 and 4196 shared a slot of -P's 4096-slot map: each reset the other. */
TEST(colliding_tids_keep_their_own_records)
{
	static const unsigned int tids[] = { 100, 4196, 8292, 12388 };
	struct lde_tid_table t;
	struct rec *r;
	unsigned int i;

	lde_tid_table_init(&t, sizeof(struct rec), LDE_TID_TABLE_LIMIT);
	for (i = 0; i < 4; i++) {
		r = lde_tid_get(&t, tids[i]);
		ASSERT_NE(NULL, r);
		r->value = 1000 + i;
	}
	for (i = 0; i < 4; i++) {
		r = lde_tid_get(&t, tids[i]);
		ASSERT_NE(NULL, r);
		EXPECT_EQ(tids[i], r->tid);
		EXPECT_EQ(1000 + i, r->value);
	}
	EXPECT_EQ(4, t.used);
	lde_tid_table_free(&t);
}

/* Removed in any order, the rest stay reachable; slots are reused. */
TEST(removed_tasks_leave_the_rest_reachable)
{
	struct lde_tid_table t;
	unsigned int tid;
	struct rec *r;

	lde_tid_table_init(&t, sizeof(struct rec), LDE_TID_TABLE_LIMIT);
	for (tid = 1; tid <= 20000; tid++) {
		r = lde_tid_get(&t, tid * 2048);
		ASSERT_NE(NULL, r);
		r->value = tid;
	}
	/* Every third, from the end: clusters are cut in the middle. */
	for (tid = 20000; tid >= 1; tid--)
		if (tid % 3 == 0)
			lde_tid_remove(&t, tid * 2048);
	lde_tid_remove(&t, 7);		/* never kept: nothing happens */
	EXPECT_EQ(20000 - 6666, t.used);
	for (tid = 1; tid <= 20000; tid++) {
		r = lde_tid_find(&t, tid * 2048);
		if (tid % 3 == 0) {
			ASSERT_EQ(NULL, r);
		} else {
			ASSERT_NE(NULL, r);
			ASSERT_EQ(tid, r->value);
		}
	}
	/* A removed tid comes back new. */
	r = lde_tid_get(&t, 3 * 2048);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(0, r->value);
	lde_tid_table_free(&t);
}

/* Removing while walking the slots, looking again where one was removed. */
TEST(a_walk_may_remove_what_it_finds)
{
	struct lde_tid_table t;
	unsigned int tid, left = 0;
	struct rec *r;
	size_t i;

	lde_tid_table_init(&t, sizeof(struct rec), LDE_TID_TABLE_LIMIT);
	for (tid = 1; tid <= 5000; tid++)
		((struct rec *)lde_tid_get(&t, tid))->value = tid % 2;
	for (i = 0; i < t.size; i++) {
		r = lde_tid_slot(&t, i);
		if (r && r->value) {
			lde_tid_remove(&t, r->tid);
			i--;	/* i again: another record may be there now */
		}
	}
	for (i = 0; i < t.size; i++) {
		r = lde_tid_slot(&t, i);
		if (r) {
			EXPECT_EQ(0, r->value);
			left++;
		}
	}
	EXPECT_EQ(2500, left);
	EXPECT_EQ(2500, t.used);
	lde_tid_table_free(&t);
}

/* Full: refused and counted; the threads kept keep their records. */
TEST(a_full_table_refuses_and_counts)
{
	struct lde_tid_table t;
	unsigned int tid;
	struct rec *r;

	lde_tid_table_init(&t, sizeof(struct rec), 3000);
	for (tid = 1; tid <= 3000; tid++)
		((struct rec *)lde_tid_get(&t, tid))->value = tid;
	EXPECT_EQ(NULL, lde_tid_get(&t, 3001));
	EXPECT_EQ(NULL, lde_tid_get(&t, 4096 + 1));
	EXPECT_EQ(2, t.refused);
	EXPECT_EQ(3000, t.used);
	EXPECT_LE(t.size, 8192);	/* 2 * 3000, a power of two */
	r = lde_tid_get(&t, 1);		/* kept ones are still given */
	ASSERT_NE(NULL, r);
	EXPECT_EQ(1, r->value);
	EXPECT_EQ(2, t.refused);
	lde_tid_remove(&t, 1);
	EXPECT_NE(NULL, lde_tid_get(&t, 3001));	/* room again */
	lde_tid_table_free(&t);
}

TEST(idle_and_unknown_tasks_are_not_found)
{
	struct lde_tid_table t;

	lde_tid_table_init(&t, sizeof(struct rec), LDE_TID_TABLE_LIMIT);
	EXPECT_EQ(NULL, lde_tid_find(&t, 7));	/* empty, never grown */
	EXPECT_EQ(NULL, lde_tid_get(&t, 0));	/* tid 0 marks a free slot */
	ASSERT_NE(NULL, lde_tid_get(&t, 7));
	EXPECT_EQ(NULL, lde_tid_find(&t, 0));
	EXPECT_EQ(NULL, lde_tid_find(&t, 7 + 1024));
	EXPECT_EQ(1, t.used);
	lde_tid_table_free(&t);
}

TEST_HARNESS_MAIN
