// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side tests of lde-trace's batch reading (kselftest harness), on
 * batches laid out here as the kernel's mapped array holds them: every
 * event held after detach is shown, in each CPU's order, or counted lost
 * (a slot still busy, a length over a batch, bytes that are no event);
 * none is passed over uncounted.
 */
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "lde_trace_batches.h"

#define NCPUS	4

struct seen {
	unsigned int n;
	unsigned long long ts[64];
};

static void record(void *ctx, const struct lde_event *e)
{
	struct seen *s = ctx;

	if (s->n < 64)
		s->ts[s->n] = e->ts_ns;
	s->n++;
}

static int waits;

static int no_wait(int tries)
{
	waits++;
	return tries < 3;
}

static struct lde_batch *slot(void *mem, unsigned int cpu, unsigned int i)
{
	return (void *)((unsigned char *)mem +
			(cpu * LDE_BATCH_SLOTS + i) * LDE_BATCH_STRIDE);
}

/* A switch event stamped ts, at the end of batch b. */
static void put(struct lde_batch *b, unsigned long long ts)
{
	struct lde_event *e = (void *)(b->data + b->len);

	memset(e, 0, lde_event_size(LDE_STAGE_SWITCH));
	e->stage = LDE_STAGE_SWITCH;
	e->ts_ns = ts;
	b->len += lde_event_size(LDE_STAGE_SWITCH);
	b->events++;
}

static void *batches(void)
{
	return calloc(NCPUS * LDE_BATCH_SLOTS, LDE_BATCH_STRIDE);
}

static unsigned long long drain(void *mem, struct seen *s)
{
	struct lde_batches_map map = {
		.mem = mem, .stride = LDE_BATCH_STRIDE, .ncpus = NCPUS,
	};

	memset(s, 0, sizeof(*s));
	return lde_batches_drain(&map, record, s, no_wait);
}

/* The batch, then the older interrupt slot, then the newer (irq_next). */
TEST(every_slot_is_read_in_order)
{
	void *mem = batches();
	struct seen s;

	put(slot(mem, 0, 0), 1);
	put(slot(mem, 0, 0), 2);
	slot(mem, 0, 0)->irq_next = 1;		/* slot 2 is the newer */
	put(slot(mem, 0, 2), 4);
	put(slot(mem, 0, 1), 3);
	put(slot(mem, 3, 1), 5);		/* the last CPU's too */
	EXPECT_EQ(0, drain(mem, &s));
	ASSERT_EQ(5, s.n);
	for (unsigned int i = 0; i < 5; i++)
		EXPECT_EQ(i + 1, s.ts[i]);
	free(mem);
}

/*
 * A slot a program still writes is waited for, then counted lost whole,
 * and the CPUs after it are still read (the lookup this replaces gave
 * up on every slot after one it could not read, and counted none).
 */
TEST(a_busy_slot_is_counted_and_the_rest_read)
{
	void *mem = batches();
	struct seen s;

	put(slot(mem, 1, 0), 10);
	put(slot(mem, 1, 0), 11);
	slot(mem, 1, 0)->busy = 1;
	put(slot(mem, 2, 0), 20);
	put(slot(mem, 3, 1), 30);
	waits = 0;
	EXPECT_EQ(2, drain(mem, &s));
	EXPECT_EQ(4, waits);			/* waited, then gave up */
	ASSERT_EQ(2, s.n);
	EXPECT_EQ(20, s.ts[0]);
	EXPECT_EQ(30, s.ts[1]);
	free(mem);
}

/* A length no batch can have, or bytes that are no event: counted. */
TEST(what_does_not_decode_is_counted)
{
	void *mem = batches();
	struct lde_batch *b;
	struct seen s;

	b = slot(mem, 0, 0);
	put(b, 1);
	b->len = LDE_BATCH_BYTES + 8;
	b->events = 7;
	b = slot(mem, 1, 0);
	put(b, 2);
	put(b, 3);
	put(b, 4);
	/* the third event's kind overwritten: it and what follows lost */
	((struct lde_event *)(b->data + 2 * lde_event_size(LDE_STAGE_SWITCH)))->stage = 200;
	b = slot(mem, 2, 0);
	put(b, 5);
	b->len -= 8;				/* cut short */
	EXPECT_EQ(7 + 1 + 1, drain(mem, &s));
	ASSERT_EQ(2, s.n);
	EXPECT_EQ(2, s.ts[0]);
	EXPECT_EQ(3, s.ts[1]);
	free(mem);
}

/* A ring record that ends in bytes that are no event says so. */
TEST(a_record_cut_short_is_said)
{
	struct lde_batch *b = calloc(1, sizeof(*b));
	struct seen s = {};
	bool cut;

	put(b, 1);
	put(b, 2);
	EXPECT_EQ(2, lde_batch_decode(b->data, b->len, record, &s, &cut));
	EXPECT_FALSE(cut);
	memset(&s, 0, sizeof(s));
	EXPECT_EQ(1, lde_batch_decode(b->data, b->len - 1, record, &s, &cut));
	EXPECT_TRUE(cut);
	EXPECT_EQ(1, s.n);
	free(b);
}

/*
 * What waits while the programs run: the oldest first event of a CPU's
 * three slots (an interrupt's may be older than its batch's), none for a
 * CPU with nothing waiting or past the map.
 */
TEST(the_oldest_waiting_event_is_found_in_any_slot)
{
	struct lde_batches_map map = { .stride = LDE_BATCH_STRIDE, .ncpus = NCPUS };
	void *mem = batches();

	map.mem = mem;
	put(slot(mem, 0, 0), 50);
	put(slot(mem, 0, 0), 30);	/* not first: the batch's is 50 */
	put(slot(mem, 0, 2), 40);
	put(slot(mem, 2, 1), 70);
	EXPECT_EQ(40, lde_batches_oldest(&map, 0));
	EXPECT_EQ(LDE_BATCHES_NONE, lde_batches_oldest(&map, 1));
	EXPECT_EQ(70, lde_batches_oldest(&map, 2));
	EXPECT_EQ(LDE_BATCHES_NONE, lde_batches_oldest(&map, NCPUS));
	/* Sent: the program set its length to 0 first. */
	slot(mem, 0, 2)->len = 0;
	EXPECT_EQ(50, lde_batches_oldest(&map, 0));
	free(mem);
}

TEST_HARNESS_MAIN
