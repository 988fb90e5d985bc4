// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side tests of the reorder (kselftest harness): CPUs' events that
 * come one at a time, some after a stall of their CPU, and CPUs' batches
 * that come out of order, go out in time order, every event once; an event
 * behind the watermark goes out at once, counted late if a later one went
 * out before it, and the window grows; a trap the kernel held until its
 * return goes out just before it; the clock lets out what an idle ring
 * leaves held, and not past an event the live session knows waits in
 * a batch; a full hold lets the oldest out first, counted; a CPU's
 * events in reverse cost a bounded move each.
 */
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "lde_reorder.h"
#include "lde_reorder_test.h"

/*
 * As the views for people get them: one record per event, sent a few
 * microseconds after its time, but now and then the CPU stops between
 * the two (a vCPU the host does not run) for up to 12 ms, and the other
 * CPU's later events come first.  The reader reads the clock, then the
 * ring: every event sent before the clock read is in.  Every event comes
 * out once, in time order, none late.
 */
static void stalls(struct __test_metadata *_metadata,
		   unsigned long long stall_max, unsigned long long *late,
		   unsigned long long *window)
{
	enum { CPUS = 2, EVENTS = 200000 };
	static struct lde_event sent[EVENTS];
	static unsigned long long sent_at[EVENTS];
	static unsigned int by_send[EVENTS];
	static struct sink s;
	unsigned long long now[CPUS] = { 0 }, sum_in = 0, sum_out = 0;
	unsigned long long next_read = 0;
	struct lde_reorder r;
	unsigned int i, j, cpu;

	memset(&s, 0, sizeof(s));
	srandom(26);
	for (i = 0; i < EVENTS; i++) {
		cpu = random() % CPUS;
		now[cpu] += 1 + random() % 5000;
		sent[i] = event(i % 2 ? LDE_STAGE_RETURN : LDE_STAGE_TRAP,
				cpu, 100 + cpu, now[cpu]);
		sum_in += now[cpu];
		sent_at[i] = now[cpu] + random() % 20000;
		if (random() % 1000 == 0)
			sent_at[i] = now[cpu] + random() % stall_max;
		/* The CPU runs on after it sent: its next events are later. */
		now[cpu] = sent_at[i];
		by_send[i] = i;
	}
	/* In the order the ring took them (insertion: nearly sorted). */
	for (i = 1; i < EVENTS; i++) {
		unsigned int x = by_send[i];

		for (j = i; j && sent_at[by_send[j - 1]] > sent_at[x]; j--)
			by_send[j] = by_send[j - 1];
		by_send[j] = x;
	}
	lde_reorder_init(&r, CPUS, LDE_REORDER_WINDOW_NS, LDE_REORDER_MAX_BYTES,
			 collect, &s);
	for (i = 0; i < EVENTS; i++) {
		/* The reader wakes every 100 us of sending: the clock, then all. */
		if (sent_at[by_send[i]] >= next_read) {
			lde_reorder_advance(&r, sent_at[by_send[i]]);
			next_read = sent_at[by_send[i]] + 100000;
		}
		lde_reorder_add(&r, &sent[by_send[i]]);
	}
	lde_reorder_flush(&r);
	ASSERT_EQ(EVENTS, s.n);
	for (i = 0; i < s.n; i++)
		sum_out += s.ts[i];
	EXPECT_EQ(sum_in, sum_out);
	EXPECT_EQ(0, r.forced);
	EXPECT_EQ(0, r.n);
	*late = r.late;
	*window = r.window_ns;
	/*
	 * Late, exactly the events shown after a later one (no trap here
	 * is matched to its return, whose kernel_ns is 0: a held trap
	 * shown before its return would be after a later one, not late).
	 */
	EXPECT_EQ(r.late, after_later_ones(&s));
	/* The window grew to twice the latest lateness seen, or more. */
	EXPECT_GE(r.window_ns, 2 * r.late_max_ns);
	lde_reorder_free(&r);
}

TEST(one_event_a_record_after_stalls_comes_out_in_time_order)
{
	unsigned long long late, window;

	stalls(_metadata, 12000000, &late, &window);
	EXPECT_EQ(0, late);
	/* Nothing came behind the watermark: the window never grew. */
	EXPECT_EQ(LDE_REORDER_WINDOW_NS, window);
}

/* A stall longer than the window: its event is late, said, never lost. */
TEST(a_stall_past_the_window_is_counted_late)
{
	unsigned long long late, window;

	stalls(_metadata, 200000000, &late, &window);
	EXPECT_LT(0, late);
}

/*
 * Four CPUs, each a stream in time order sent in batches of random
 * length, a batch at most 3 ms after its first event; the batches come
 * in the order they were sent.  Every event comes out once, in order.
 */
TEST(cpus_batches_come_out_in_time_order)
{
	enum { CPUS = 4, EVENTS = 100000 };
	unsigned long long next[CPUS] = { 0 }, first[CPUS] = { 0 };
	unsigned long long sent_at[CPUS] = { 0 };
	unsigned int pending[CPUS] = { 0 };
	static struct lde_event batch[CPUS][64];
	static struct sink s;
	struct lde_reorder r;
	unsigned long long sum_in = 0, sum_out = 0;
	unsigned int i, cpu, made = 0, k;

	srandom(25);
	lde_reorder_init(&r, CPUS, LDE_REORDER_WINDOW_NS, LDE_REORDER_MAX_BYTES,
			 collect, &s);
	while (made < EVENTS) {
		/* The CPU whose next event comes first makes it. */
		cpu = 0;
		for (i = 1; i < CPUS; i++)
			if (next[i] < next[cpu])
				cpu = i;
		if (!pending[cpu])
			first[cpu] = next[cpu];
		batch[cpu][pending[cpu]++] = event(LDE_STAGE_RETURN, cpu,
						   100 + cpu, next[cpu]);
		sum_in += next[cpu];
		made++;
		next[cpu] += 1 + random() % 20000;
		/* Sent when full, or at its switch or tick (within 3 ms). */
		sent_at[cpu] = first[cpu] + random() % 3000000;
		if (pending[cpu] == 64 || next[cpu] > sent_at[cpu]) {
			for (k = 0; k < pending[cpu]; k++)
				lde_reorder_add(&r, &batch[cpu][k]);
			pending[cpu] = 0;
		}
	}
	for (cpu = 0; cpu < CPUS; cpu++)
		for (k = 0; k < pending[cpu]; k++)
			lde_reorder_add(&r, &batch[cpu][k]);
	lde_reorder_flush(&r);
	ASSERT_EQ(EVENTS, s.n);
	for (i = 0; i < s.n; i++)
		sum_out += s.ts[i];
	EXPECT_EQ(sum_in, sum_out);
	EXPECT_TRUE(in_order(&s));
	EXPECT_EQ(0, r.late);
	EXPECT_EQ(0, r.forced);
	EXPECT_EQ(0, r.n);
	lde_reorder_free(&r);
}

/*
 * Batches as the kernel sends them, taken whole (lde_reorder_add_batch)
 * and event by event (lde_reorder_add): the same events out in the same
 * order.  Three CPUs' traps and returns, each CPU's batch sent when it
 * holds 30 events or at a tick (within 3 ms); now and then an
 * interrupt's event before the one it interrupted (a CPU's events out of
 * order), a wakeup of a task on another CPU, a trap held for a string
 * (sent at its return, with its time: behind the watermark), and a
 * stalled CPU whose batch comes after the window (late).
 */
/*
 * A reorder of two CPUs and a 1 us window that has taken two switches of
 * task tid on cpu, at first and then second: first is out, second held.
 */
static void two_switches_first_out(struct __test_metadata *_metadata,
				   struct lde_reorder *r, struct sink *s,
				   unsigned int cpu, unsigned int tid,
				   unsigned long long first,
				   unsigned long long second)
{
	lde_reorder_init(r, 2, 1000, LDE_REORDER_MAX_BYTES, collect, s);
	add(r, LDE_STAGE_SWITCH, cpu, tid, first);
	add(r, LDE_STAGE_SWITCH, cpu, tid, second);
	ASSERT_EQ(1, s->n);
}

/* Held until the watermark passes: not one event out before then. */
TEST(an_event_waits_for_the_window)
{
	static struct sink s;
	struct lde_reorder r;

	lde_reorder_init(&r, 2, 1000, LDE_REORDER_MAX_BYTES, collect, &s);
	add(&r, LDE_STAGE_SWITCH, 1, 7, 5000);
	add(&r, LDE_STAGE_SWITCH, 0, 8, 5999);
	EXPECT_EQ(0, s.n);
	/*
	 * The newest at 6200: 5000 is older than the window, 5999 not (the
	 * watermark moves once it can move an eighth of the window).
	 */
	add(&r, LDE_STAGE_SWITCH, 0, 8, 6200);
	ASSERT_EQ(1, s.n);
	EXPECT_EQ(5000, s.ts[0]);
	/* The clock, with nothing new: an idle ring lets 5999 out. */
	lde_reorder_advance(&r, 7000);
	ASSERT_EQ(2, s.n);
	EXPECT_EQ(5999, s.ts[1]);
	lde_reorder_flush(&r);
	ASSERT_EQ(3, s.n);
	EXPECT_EQ(0, r.late);
	lde_reorder_free(&r);
}

/*
 * The live session saw an event from 5000 waiting in an idle CPU's
 * batch: nothing from 5000 on goes out, whatever the window says, until
 * it has come and nothing is said to wait; then all in order, none late.
 */
TEST(an_event_known_to_wait_holds_the_watermark)
{
	static struct sink s;
	struct lde_reorder r;
	unsigned long long ts;

	lde_reorder_init(&r, 2, 1000, LDE_REORDER_MAX_BYTES, collect, &s);
	lde_reorder_wait_for(&r, 5000);
	for (ts = 4000; ts <= 20000; ts += 2000)
		add(&r, LDE_STAGE_SWITCH, 0, 8, ts);
	lde_reorder_advance(&r, 30000);
	ASSERT_EQ(1, s.n);
	EXPECT_EQ(4000, s.ts[0]);
	add(&r, LDE_STAGE_SWITCH, 1, 7, 5000);
	EXPECT_EQ(1, s.n);
	lde_reorder_wait_for(&r, ~0ULL);
	lde_reorder_advance(&r, 30000);
	EXPECT_EQ(10, s.n);
	EXPECT_EQ(5000, s.ts[1]);
	EXPECT_TRUE(in_order(&s));
	EXPECT_EQ(0, r.late);
	lde_reorder_free(&r);
}

/*
 * Behind the watermark, after a later event went out: out at once,
 * counted, and the window grows.
 */
TEST(a_late_event_is_counted_and_shown_at_once)
{
	static struct sink s;
	struct lde_reorder r;

	two_switches_first_out(_metadata, &r, &s, 0, 7, 10000, 20000);
	add(&r, LDE_STAGE_SWITCH, 0, 7, 30000);
	ASSERT_EQ(2, s.n);
	add(&r, LDE_STAGE_TIMER, 1, 9, 12000);	/* 18000 ns late */
	ASSERT_EQ(3, s.n);
	EXPECT_EQ(12000, s.ts[2]);
	EXPECT_EQ(1, r.late);
	EXPECT_EQ(18000, r.late_max_ns);
	EXPECT_EQ(36000, r.window_ns);
	lde_reorder_flush(&r);
	EXPECT_EQ(4, s.n);
	lde_reorder_free(&r);
}

/*
 * Behind the watermark, but later than every event out: shown at once,
 * and in time order still, so not counted late (the window grows all
 * the same).
 */
TEST(an_event_behind_the_watermark_with_nothing_later_shown_is_in_order)
{
	static struct sink s;
	struct lde_reorder r;

	two_switches_first_out(_metadata, &r, &s, 0, 7, 10000, 20000);
	add(&r, LDE_STAGE_TIMER, 1, 9, 12000);	/* behind, 8000 ns */
	ASSERT_EQ(2, s.n);
	EXPECT_EQ(12000, s.ts[1]);
	EXPECT_EQ(0, r.late);
	EXPECT_EQ(16000, r.window_ns);
	add(&r, LDE_STAGE_TIMER, 1, 9, 11000);	/* now after 12000: late */
	EXPECT_EQ(1, r.late);
	lde_reorder_flush(&r);
	ASSERT_EQ(4, s.n);
	EXPECT_EQ(20000, s.ts[3]);
	lde_reorder_free(&r);
}

/*
 * A trap held in the kernel until its return (a string read again) comes
 * with the time it trapped, just before its return: out just before the
 * return, not counted late.  One whose next event on its CPU is not its
 * return is late.
 */
TEST(a_held_trap_goes_out_before_its_return)
{
	static struct sink s;
	struct lde_reorder r;
	struct lde_event e;

	two_switches_first_out(_metadata, &r, &s, 1, 5, 1000, 50000);
	/* openat trapped at 2000 on CPU 0, returned at 51000. */
	add(&r, LDE_EVENT_TRAP_STRINGS, 0, 7, 2000);
	EXPECT_EQ(1, s.n);
	e = event(LDE_STAGE_RETURN, 0, 7, 51000);
	e.ret.kernel_ns = 49000;
	lde_reorder_add(&r, &e);
	add(&r, LDE_STAGE_SWITCH, 1, 5, 50500);
	lde_reorder_flush(&r);
	ASSERT_EQ(5, s.n);
	EXPECT_EQ(50000, s.ts[1]);
	EXPECT_EQ(50500, s.ts[2]);
	EXPECT_EQ(LDE_EVENT_TRAP_STRINGS, s.stage[3]);
	EXPECT_EQ(2000, s.ts[3]);
	EXPECT_EQ(LDE_STAGE_RETURN, s.stage[4]);
	EXPECT_EQ(0, r.late);

	/* Its return lost: the next event on CPU 0 is another's. */
	add(&r, LDE_STAGE_TRAP, 0, 7, 3000);
	add(&r, LDE_STAGE_SWITCH, 0, 7, 60000);
	ASSERT_EQ(6, s.n);
	EXPECT_EQ(3000, s.ts[5]);
	EXPECT_EQ(1, r.late);
	lde_reorder_flush(&r);
	EXPECT_EQ(7, s.n);
	lde_reorder_free(&r);
}

/* Past max_bytes the oldest go out first, counted; order holds. */
TEST(a_full_hold_lets_the_oldest_out)
{
	static struct sink s;
	struct lde_reorder r;
	struct lde_event e;
	unsigned int i;

	lde_reorder_init(&r, 1, 1000000, 10 * lde_event_size(LDE_STAGE_RETURN),
			 collect, &s);
	for (i = 0; i < 100; i++) {
		e = event(LDE_STAGE_RETURN, 0, 7, 1000 + i);
		lde_reorder_add(&r, &e);
		EXPECT_GE(10 * lde_event_size(LDE_STAGE_RETURN), r.held_bytes);
	}
	EXPECT_LT(0, s.n);
	EXPECT_EQ(s.n, r.forced);
	EXPECT_EQ(100, s.n + r.n);
	lde_reorder_flush(&r);
	EXPECT_EQ(100, s.n);
	EXPECT_TRUE(in_order(&s));
	EXPECT_EQ(0, r.late);
	lde_reorder_free(&r);
}

/*
 * With no window (a file's replay), a CPU's events that come in reverse
 * are each moved back LDE_REORDER_MAX_MOVE places at most, the rest
 * counted late; all go out.  Times a hostile file gives, near 2^64 (past
 * even that window), lose no event, and what is out of order is said.
 */
TEST(a_reversed_cpu_costs_a_bounded_move_and_is_said)
{
	static struct sink s;
	struct lde_reorder r;
	unsigned int i, n = 4 * LDE_REORDER_MAX_MOVE;

	lde_reorder_init(&r, 1, LDE_REORDER_NO_WINDOW, LDE_REORDER_MAX_BYTES,
			 collect, &s);
	for (i = 0; i < n; i++)
		add(&r, LDE_STAGE_RETURN, 0, 7, 1000000 - i);
	EXPECT_EQ(n - LDE_REORDER_MAX_MOVE - 1, r.late);
	EXPECT_EQ(0, s.n);
	lde_reorder_flush(&r);
	EXPECT_EQ(n, s.n);
	EXPECT_EQ(r.late, after_later_ones(&s));
	lde_reorder_free(&r);

	memset(&s, 0, sizeof(s));
	lde_reorder_init(&r, 2, LDE_REORDER_NO_WINDOW, LDE_REORDER_MAX_BYTES,
			 collect, &s);
	add(&r, LDE_STAGE_RETURN, 0, 7, ~0ULL - 5);
	add(&r, LDE_STAGE_RETURN, 1, 8, 10);
	add(&r, LDE_STAGE_RETURN, 1, 8, ~0ULL - 4);
	add(&r, LDE_STAGE_RETURN, 0, 7, 20);
	lde_reorder_flush(&r);
	EXPECT_EQ(4, s.n);
	EXPECT_EQ(r.late, after_later_ones(&s));
	lde_reorder_free(&r);
}

TEST_HARNESS_MAIN
