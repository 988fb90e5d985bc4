// SPDX-License-Identifier: GPL-2.0
/* Host-side tests of lde-bench's arithmetic (kselftest harness). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "lde_stats.h"

TEST(summary_of_known_samples)
{
	double v[] = { 5, 1, 4, 2, 3 };
	struct lde_summary s = lde_summarize(v, 5);

	EXPECT_EQ(5, s.n);
	EXPECT_EQ(1, s.min);
	EXPECT_EQ(3, s.median);
	EXPECT_EQ(5, s.p99);
	EXPECT_EQ(3, s.mean);
	/* Sorted in place. */
	EXPECT_EQ(1, v[0]);
	EXPECT_EQ(5, v[4]);
}

TEST(median_of_even_count_is_the_middle_pair_mean)
{
	double v[] = { 4, 1, 3, 2 };

	EXPECT_EQ(2.5, lde_summarize(v, 4).median);
}

TEST(p99_is_nearest_rank)
{
	double v[1000];
	int i;

	for (i = 0; i < 1000; i++)
		v[i] = 1000 - i;	/* 1000 .. 1 */
	EXPECT_EQ(990, lde_summarize(v, 1000).p99);
	EXPECT_EQ(1, lde_percentile(v, 1000, 0.01));
	EXPECT_EQ(1000, lde_percentile(v, 1000, 100));
}

TEST(empty_samples_are_zero)
{
	struct lde_summary s = lde_summarize(NULL, 0);

	EXPECT_EQ(0, s.n);
	EXPECT_EQ(0, s.median);
}

TEST(lmbench_subtraction)
{
	/* 10 us round trip, 2 us per pipe transfer: (10 - 4) / 2 = 3 us. */
	EXPECT_EQ(3.0, lde_switch_cost(10.0, 2.0));
	/* Noise can make the transfers look dearer: no figure, not 0. */
	EXPECT_TRUE(isnan(lde_switch_cost(3.0, 2.0)));
	EXPECT_TRUE(isnan(lde_switch_cost(4.0, 2.0)));
}

static char *json_of(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	lde_json_str(f, s, 64);
	fclose(f);
	return buf;
}

TEST(a_fixed_cost_is_taken_off_a_runs_loops)
{
	/* 20000 loops of 60 us and a 76 ms fork: one run of one loop shows it. */
	EXPECT_EQ(60000.0, lde_loop_cost(20000 * 60000.0 + 76e6, 20000,
					 60000.0 + 76e6));
	EXPECT_EQ(0.0, lde_loop_cost(1e6, 1, 1e3));
	EXPECT_EQ(0.0, lde_loop_cost(1e6, 100, 2e6));
}

TEST(json_strings_are_escaped)
{
	char *out;

	out = json_of("plain");
	EXPECT_STREQ("\"plain\"", out);
	free(out);
	out = json_of("a\"b\\c\x01\n");
	EXPECT_STREQ("\"a\\\"b\\\\c\\u0001\\u000a\"", out);
	free(out);
}

TEST(json_summary_shape)
{
	double v[] = { 2, 4 };
	struct lde_summary s = lde_summarize(v, 2);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	lde_json_summary(f, "x", &s);
	fclose(f);
	EXPECT_STREQ("\"x\":{\"n\":2,\"min\":2.000,\"median\":3.000,\"p99\":4.000,\"mean\":3.000}",
		     buf);
	free(buf);
}

TEST_HARNESS_MAIN
