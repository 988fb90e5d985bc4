// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side tests of the reorder taking the kernel's batches whole
 * (lde_reorder_add_batch(), kselftest harness): the same events out in
 * the same order as taken event by event; a stalled CPU's batch late,
 * said, and whole; an event that comes after later ones of its CPU put
 * back inside the run of a batch before.
 */
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "lde_reorder.h"
#include "lde_reorder_test.h"

static int by_ts(const void *a, const void *b)
{
	const unsigned long long *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

static void sort_ts(unsigned long long *ts, size_t n)
{
	qsort(ts, n, sizeof(*ts), by_ts);
}

/* A batch to one reorder whole, and to the other event by event. */
static void send_both(struct __test_metadata *_metadata,
		      struct lde_reorder *whole, struct lde_reorder *each,
		      const unsigned char *batch, size_t len)
{
	size_t k;

	EXPECT_EQ(len, lde_reorder_add_batch(whole, batch, len));
	for (k = 0; k < len;
	     k += lde_event_size(((const struct lde_event *)(batch + k))->stage))
		lde_reorder_add(each, (const void *)(batch + k));
}

static void batches_whole_and_each(struct __test_metadata *_metadata,
				   bool stalls)
{
	enum { CPUS = 3, EVENTS = 150000, PER = 30 };
	static unsigned char batch[CPUS][LDE_BATCH_BYTES];
	static struct sink whole, each;
	size_t len[CPUS] = { 0 }, n[CPUS] = { 0 }, stalled[CPUS] = { 0 };
	unsigned long long now[CPUS] = { 0 }, first[CPUS] = { 0 };
	struct lde_reorder rw, re;
	unsigned int i, cpu, made = 0, late_batches = 0;

	srandom(27);
	lde_reorder_init(&rw, CPUS, LDE_REORDER_WINDOW_NS,
			 LDE_REORDER_MAX_BYTES, collect, &whole);
	lde_reorder_init(&re, CPUS, LDE_REORDER_WINDOW_NS,
			 LDE_REORDER_MAX_BYTES, collect, &each);
	for (cpu = 0; cpu < CPUS; cpu++)
		now[cpu] = 1000000000ULL;
	while (made < EVENTS) {
		unsigned int stage = made % 2 ? LDE_STAGE_RETURN : LDE_STAGE_TRAP;
		struct lde_event e, *at;
		size_t size;

		cpu = 0;
		for (i = 1; i < CPUS; i++)
			if (now[i] < now[cpu])
				cpu = i;
		if (stalled[cpu]) {
			send_both(_metadata, &rw, &re, batch[cpu], len[cpu]);
			len[cpu] = n[cpu] = stalled[cpu] = 0;
		}
		if (!n[cpu])
			first[cpu] = now[cpu];
		e = event(stage, cpu, 100 + cpu, now[cpu]);
		if (random() % 200 == 0) {
			e = event(LDE_STAGE_WAKEUP, (cpu + 1) % CPUS, 200,
				  now[cpu]);
		} else if (random() % 300 == 0) {
			/* A trap held for its string, with its return. */
			e = event(LDE_EVENT_TRAP_STRINGS, cpu, 100 + cpu,
				  now[cpu] > 30000000 ? now[cpu] - 30000000 : 0);
		}
		size = lde_event_size(e.stage);
		at = (void *)(batch[cpu] + len[cpu]);
		memcpy(at, &e, size);
		if (e.stage == LDE_EVENT_TRAP_STRINGS) {
			struct lde_event ret = event(LDE_STAGE_RETURN, cpu,
						     100 + cpu, now[cpu]);

			ret.ret.kernel_ns = now[cpu] - e.ts_ns;
			len[cpu] += size;
			n[cpu]++;
			made++;
			size = lde_event_size(LDE_STAGE_RETURN);
			at = (void *)(batch[cpu] + len[cpu]);
			memcpy(at, &ret, size);
		}
		/* An interrupt's event before the one it interrupted. */
		if (n[cpu] && random() % 50 == 0 && e.stage == LDE_STAGE_RETURN)
			at->ts_ns -= 1 + random() % 500;
		len[cpu] += size;
		n[cpu]++;
		made++;
		now[cpu] += 1 + random() % 20000;
		if (n[cpu] >= PER || now[cpu] - first[cpu] > random() % 3000000) {
			/*
			 * Now and then the CPU stalls before it sends, past
			 * the window: the others' batches go first.
			 */
			if (stalls && random() % 500 == 0) {
				now[cpu] += 40000000;
				stalled[cpu] = 1;
				late_batches++;
				continue;
			}
			send_both(_metadata, &rw, &re, batch[cpu], len[cpu]);
			len[cpu] = n[cpu] = 0;
		}
	}
	for (cpu = 0; cpu < CPUS; cpu++)
		send_both(_metadata, &rw, &re, batch[cpu], len[cpu]);
	lde_reorder_flush(&rw);
	lde_reorder_flush(&re);
	ASSERT_EQ(made, whole.n);
	ASSERT_EQ(made, each.n);
	EXPECT_EQ(0, rw.n);
	if (!stalls) {
		EXPECT_EQ(0, memcmp(each.ts, whole.ts, sizeof(whole.ts)));
		EXPECT_EQ(0, memcmp(each.tid, whole.tid, sizeof(whole.tid)));
		EXPECT_EQ(0, memcmp(each.stage, whole.stage, sizeof(whole.stage)));
		EXPECT_EQ(0, re.late);
		EXPECT_EQ(0, rw.late);
	} else {
		/*
		 * A batch is let out after it is taken, event by event
		 * between its events: fewer of a stalled batch's come late.
		 */
		EXPECT_LT(0, late_batches);
		EXPECT_LT(0, rw.late);
		EXPECT_GE(re.late, rw.late);
		/* Held traps out before their returns are after later ones too. */
		EXPECT_GE(after_later_ones(&each), after_later_ones(&whole));
		EXPECT_LE(rw.late, after_later_ones(&whole));
		sort_ts(each.ts, each.n);
		sort_ts(whole.ts, whole.n);
		EXPECT_EQ(0, memcmp(each.ts, whole.ts, sizeof(whole.ts)));
	}
	lde_reorder_free(&rw);
	lde_reorder_free(&re);
}

TEST(a_batch_taken_whole_is_taken_as_event_by_event)
{
	batches_whole_and_each(_metadata, false);
}

/* A CPU stalled past the window: its batch late, said, never lost. */
TEST(a_stalled_batch_taken_whole_is_late_and_whole)
{
	batches_whole_and_each(_metadata, true);
}

/*
 * A CPU's event that comes in a later batch than later ones of its CPU
 * goes back to its place, inside the run of the batch before: the run
 * is cut in two.
 */
TEST(an_event_goes_back_inside_a_batch_taken_whole)
{
	unsigned int size = lde_event_size(LDE_STAGE_RETURN);
	static unsigned char b1[4 * sizeof(struct lde_event)];
	static unsigned char b2[2 * sizeof(struct lde_event)];
	static struct sink s;
	struct lde_reorder r;
	unsigned int i;

	for (i = 0; i < 4; i++) {
		struct lde_event e = event(LDE_STAGE_RETURN, 0, 7, 10000 * (i + 1));

		memcpy(b1 + i * size, &e, size);
	}
	for (i = 0; i < 2; i++) {
		struct lde_event e = event(LDE_STAGE_RETURN, 0, 7, 25000 * (i + 1));

		memcpy(b2 + i * size, &e, size);
	}
	lde_reorder_init(&r, 2, 1000000, LDE_REORDER_MAX_BYTES, collect, &s);
	EXPECT_EQ(4 * size, lde_reorder_add_batch(&r, b1, 4 * size));
	EXPECT_EQ(2 * size, lde_reorder_add_batch(&r, b2, 2 * size));
	lde_reorder_flush(&r);
	ASSERT_EQ(6, s.n);
	EXPECT_EQ(10000, s.ts[0]);
	EXPECT_EQ(20000, s.ts[1]);
	EXPECT_EQ(25000, s.ts[2]);
	EXPECT_EQ(30000, s.ts[3]);
	EXPECT_EQ(40000, s.ts[4]);
	EXPECT_EQ(50000, s.ts[5]);
	EXPECT_EQ(0, r.late);
	lde_reorder_free(&r);
}

TEST_HARNESS_MAIN
