// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side tests of lde-trace's line building (kselftest harness): each
 * appender gives what the printf format it replaces gives.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "lde_line.h"

#define LINE_SIZE	1024

/* A line in a buffer of LINE_SIZE, started anew. */
static void start(struct lde_line *l)
{
	static char buf[LINE_SIZE];

	lde_line_start(l, buf, sizeof(buf));
}

/* The line so far, as a C string. */
static const char *line_text(struct lde_line *l)
{
	static char text[LINE_SIZE + 1];

	memcpy(text, l->buf, lde_line_len(l));
	text[lde_line_len(l)] = '\0';
	return text;
}

/* Values that cross every digit-count and sign boundary, and random ones. */
static unsigned long long sample(int i)
{
	static const unsigned long long edges[] = {
		0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 65535, 4294967295ULL,
		4294967296ULL, 999999999999ULL, 1000000000000ULL,
		9223372036854775807ULL, 9223372036854775808ULL,
		18446744073709551615ULL,
	};
	int n = sizeof(edges) / sizeof(edges[0]);

	if (i < n)
		return edges[i];
	return (unsigned long long)rand() << 33 ^ (unsigned long long)rand() << 11 ^
	       rand();
}

TEST(decimal_and_hex_match_printf)
{
	struct lde_line l;
	char want[64];
	int i;

	srand(1);
	for (i = 0; i < 10000; i++) {
		unsigned long long v = sample(i) >> (i % 64);

		start(&l);
		lde_line_u64(&l, v);
		snprintf(want, sizeof(want), "%llu", v);
		ASSERT_STREQ(want, line_text(&l));

		start(&l);
		lde_line_s64(&l, (long long)v);
		snprintf(want, sizeof(want), "%lld", (long long)v);
		ASSERT_STREQ(want, line_text(&l));

		start(&l);
		lde_line_hex(&l, v);
		snprintf(want, sizeof(want), "0x%llx", v);
		ASSERT_STREQ(want, line_text(&l));
	}
	start(&l);
	lde_line_s64(&l, LLONG_MIN);
	EXPECT_STREQ("-9223372036854775808", line_text(&l));
}

/* Times in a row: the kept high digits give what printf gives. */
TEST(near_values_match_printf)
{
	struct lde_u64_high last = {};
	unsigned long long v = 0;
	struct lde_line l;
	char want[64];
	int i;

	srand(2);
	for (i = 0; i < 100000; i++) {
		/* Small steps, some across a million, a few huge jumps. */
		v += i % 1000 ? rand() % 5000 : (unsigned long long)rand() << 20;
		if (i == 50000)
			v = 999999;
		start(&l);
		lde_line_u64_near(&l, &last, v);
		snprintf(want, sizeof(want), "%llu", v);
		ASSERT_STREQ(want, line_text(&l));
	}
	start(&l);
	lde_line_u64_near(&l, &last, 18446744073709551615ULL);
	EXPECT_STREQ("18446744073709551615", line_text(&l));
}

TEST(seconds_are_cut_to_the_microsecond)
{
	static const struct {
		unsigned long long ns;
		const char *text;
	} cases[] = {
		{ 0, "0.000000" },
		{ 999, "0.000000" },
		{ 1000, "0.000001" },
		{ 999999999, "0.999999" },
		{ 1000000000, "1.000000" },
		{ 1234567890123ULL, "1234.567890" },
	};
	struct lde_line l;
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		start(&l);
		lde_line_secs(&l, cases[i].ns);
		EXPECT_STREQ(cases[i].text, line_text(&l));
	}
}

TEST(kept_seconds_match_seconds_made_anew)
{
	struct lde_secs_kept last = {};
	unsigned long long ns = 0;
	char want[LINE_SIZE + 1];
	struct lde_line l;
	int i;

	srand(3);
	for (i = 0; i < 100000; i++) {
		/* Steps within a second, some across one, a few huge jumps. */
		ns += i % 1000 ? rand() % 5000000 : (unsigned long long)rand() << 24;
		if (i == 50000)
			ns = 0;
		start(&l);
		lde_line_secs(&l, ns);
		strcpy(want, line_text(&l));
		start(&l);
		lde_line_secs_near(&l, &last, ns);
		ASSERT_STREQ(want, line_text(&l));
	}
}

/* Near the end of a buffer, each is cut where the one it replaces is. */
TEST(kept_texts_are_cut_short_as_made_ones)
{
	char made[64], kept[64];
	struct lde_secs_kept last = {};
	struct lde_line a, b;
	size_t size;

	for (size = 0; size < 20; size++) {
		lde_line_start(&a, made, size);
		lde_line_secs(&a, 1234567890123ULL);
		lde_line_start(&b, kept, size);
		lde_line_secs_near(&b, &last, 1234567890123ULL);
		ASSERT_EQ(lde_line_len(&a), lde_line_len(&b));
		ASSERT_EQ(0, memcmp(made, kept, lde_line_len(&a)));
		/* And once more, from what was kept. */
		lde_line_start(&a, made, size);
		lde_line_secs(&a, 1234567890999ULL);
		lde_line_start(&b, kept, size);
		lde_line_secs_near(&b, &last, 1234567890999ULL);
		ASSERT_EQ(lde_line_len(&a), lde_line_len(&b));
		ASSERT_EQ(0, memcmp(made, kept, lde_line_len(&a)));
	}
	for (size = 0; size < 40; size++) {
		char *col;

		lde_line_start(&a, made, size);
		col = a.end;
		lde_line_str(&a, "bash");
		lde_line_column(&a, col, 16);
		lde_line_char(&a, '|');
		lde_line_start(&b, kept, sizeof(kept));
		col = b.end;
		lde_line_str(&b, "bash");
		lde_line_column(&b, col, 16);
		lde_line_char(&b, '|');
		ASSERT_EQ(size < 18 ? size : 18, lde_line_len(&a));
		ASSERT_EQ(0, memcmp(made, kept, lde_line_len(&a)));
	}
}

TEST(columns_match_left_justified_printf)
{
	struct lde_line l;
	char want[128], *col;

	start(&l);
	col = l.end;
	lde_line_str(&l, "bash");
	lde_line_column(&l, col, 16);
	col = l.end;
	lde_line_str(&l, "a-stage-wider-than-ten");
	lde_line_column(&l, col, 10);
	lde_line_str(&l, "end");
	snprintf(want, sizeof(want), "%-16s %-10s end", "bash",
		 "a-stage-wider-than-ten");
	EXPECT_STREQ(want, line_text(&l));
}

TEST(json_strings_escape_everything_a_parser_rejects)
{
	struct lde_line l;

	start(&l);
	lde_line_json_str(&l, "a\"b\\c\x01\n\x7f\xc3\xa9", 64);
	EXPECT_STREQ("\"a\\\"b\\\\c\\u0001\\u000a\\u007f\\u00c3\\u00a9\"",
		     line_text(&l));
	/* At most max bytes: a comm is not NUL-terminated when full. */
	start(&l);
	lde_line_json_str(&l, "0123456789", 4);
	EXPECT_STREQ("\"0123\"", line_text(&l));
}

TEST(a_full_line_is_cut_short_and_its_json_string_still_closes)
{
	struct lde_line l;
	char big[LINE_SIZE];

	memset(big, '\x01', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	start(&l);
	lde_line_json_str(&l, big, sizeof(big));
	ASSERT_LE(lde_line_len(&l), LINE_SIZE);
	EXPECT_EQ('"', l.buf[0]);
	EXPECT_EQ('"', l.buf[lde_line_len(&l) - 1]);
	/* Nothing more fits, and nothing is written past the end. */
	lde_line_mem(&l, big, sizeof(big));
	lde_line_u64(&l, 12345);
	lde_line_char(&l, 'x');
	EXPECT_EQ(LINE_SIZE, lde_line_len(&l));
}

TEST(printable_columns_hide_control_characters)
{
	struct lde_line l;

	start(&l);
	lde_line_printable(&l, "a\tb\x7f" "c", 16);
	EXPECT_STREQ("a?b?c", line_text(&l));
}

TEST_HARNESS_MAIN
