// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side tests of the per-task tables behind -s and -m (kselftest
 * harness): every task kept is found again with what was written to it,
 * across the table's growth, and the idle task is never kept.
 */
#include <stdlib.h>

#include "kselftest_harness.h"
#include "lde_tid_table.h"

struct rec {
	unsigned int tid;
	unsigned long long value;
};

/* 100,000 tasks: the table doubles from 1024 slots seven times. */
TEST(kept_tasks_survive_growth)
{
	struct lde_tid_table t;
	unsigned int tid, seen = 0;
	struct rec *r;
	size_t i;

	lde_tid_table_init(&t, sizeof(struct rec));
	for (tid = 1; tid <= 100000; tid++) {
		/* tids that collide: every 1024th lands in one slot first */
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
	for (i = 0; i < t.size; i++)
		seen += lde_tid_slot(&t, i) != NULL;
	EXPECT_EQ(100000, seen);
	lde_tid_table_free(&t);
	EXPECT_EQ(0, t.used);
	EXPECT_EQ(NULL, lde_tid_find(&t, 1024));
}

TEST(idle_and_unknown_tasks_are_not_found)
{
	struct lde_tid_table t;

	lde_tid_table_init(&t, sizeof(struct rec));
	EXPECT_EQ(NULL, lde_tid_find(&t, 7));	/* empty, never grown */
	EXPECT_EQ(NULL, lde_tid_get(&t, 0));	/* tid 0 marks a free slot */
	ASSERT_NE(NULL, lde_tid_get(&t, 7));
	EXPECT_EQ(NULL, lde_tid_find(&t, 0));
	EXPECT_EQ(NULL, lde_tid_find(&t, 7 + 1024));	/* same first slot */
	EXPECT_EQ(1, t.used);
	lde_tid_table_free(&t);
}

TEST_HARNESS_MAIN
