// SPDX-License-Identifier: GPL-2.0
/*
 * libbpf's lines in lde-trace's live session (lde_libbpf_log.c): shown as
 * libbpf-bootstrap shows them, held while attaching and let out after,
 * all but the lines of the one failure lde-trace says in its own line.
 * The lines are libbpf 1.1's own, as an attach on arm64 6.1 printed them.
 */
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "lde_libbpf_log.h"

static char *text;
static size_t text_len;
static FILE *out;

static void start(bool verbose)
{
	free(text);
	text = NULL;
	out = open_memstream(&text, &text_len);
	lde_libbpf_log_init(verbose, out);
}

static const char *said(void)
{
	fflush(out);
	return text;
}

static int libbpf_says(enum libbpf_print_level level, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = lde_libbpf_print(level, fmt, ap);
	va_end(ap);
	return n;
}

#define ENOTSUPP_LINE_1 "libbpf: prog 'lde_sys_exit': failed to attach: Unknown error 524\n"
#define ENOTSUPP_LINE_2 "libbpf: prog 'lde_sys_exit': failed to auto-attach: -524\n"

TEST(warnings_show_and_debug_only_with_v)
{
	start(false);
	libbpf_says(LIBBPF_WARN, "libbpf: %s\n", "a warning");
	libbpf_says(LIBBPF_DEBUG, "libbpf: %s\n", "a debug line");
	EXPECT_STREQ("libbpf: a warning\n", said());
	start(true);
	libbpf_says(LIBBPF_DEBUG, "libbpf: %s\n", "a debug line");
	EXPECT_STREQ("libbpf: a debug line\n", said());
}

/* An attach that worked hides nothing it warned of. */
TEST(held_lines_come_out_after_an_attach_that_worked)
{
	start(false);
	lde_libbpf_hold();
	libbpf_says(LIBBPF_WARN, "libbpf: prog '%s': %s\n", "lde_timer",
		    "a warning while attaching");
	EXPECT_STREQ("", said());
	lde_libbpf_release(0);
	EXPECT_STREQ("libbpf: prog 'lde_timer': a warning while attaching\n",
		     said());
	/* Not held any more. */
	libbpf_says(LIBBPF_WARN, "libbpf: after\n");
	EXPECT_NE(NULL, strstr(said(), "libbpf: after\n"));
}

/* -524: lde-trace's own line says it; libbpf's lines of it are dropped. */
TEST(only_the_expected_failure_is_dropped)
{
	start(false);
	lde_libbpf_hold();
	libbpf_says(LIBBPF_WARN, "libbpf: map '%s': something else\n", "events");
	libbpf_says(LIBBPF_WARN, ENOTSUPP_LINE_1);
	libbpf_says(LIBBPF_WARN, ENOTSUPP_LINE_2);
	libbpf_says(LIBBPF_WARN, "libbpf: error 5240 elsewhere\n");
	lde_libbpf_release(-524);
	EXPECT_STREQ("libbpf: map 'events': something else\n"
		     "libbpf: error 5240 elsewhere\n", said());
}

/* Another failure: every line, for lde-trace's one line names no cause. */
TEST(another_failure_keeps_all_its_lines)
{
	start(false);
	lde_libbpf_hold();
	libbpf_says(LIBBPF_WARN, ENOTSUPP_LINE_1);
	libbpf_says(LIBBPF_WARN, "libbpf: prog 'lde_fork': failed to attach: Invalid argument\n");
	lde_libbpf_release(0);
	EXPECT_STREQ(ENOTSUPP_LINE_1
		     "libbpf: prog 'lde_fork': failed to attach: Invalid argument\n",
		     said());
}

/* -v: each line as it comes, once. */
TEST(with_v_nothing_waits_and_nothing_comes_twice)
{
	start(true);
	lde_libbpf_hold();
	libbpf_says(LIBBPF_WARN, ENOTSUPP_LINE_1);
	EXPECT_STREQ(ENOTSUPP_LINE_1, said());
	lde_libbpf_release(-524);
	EXPECT_STREQ(ENOTSUPP_LINE_1, said());
}

/* A flood while attaching is kept in bounds, and what was cut is said. */
TEST(a_flood_is_cut_and_counted)
{
	int i;

	start(false);
	lde_libbpf_hold();
	for (i = 0; i < 1000; i++)
		libbpf_says(LIBBPF_WARN, "libbpf: line %04d of a flood\n", i);
	lde_libbpf_release(0);
	EXPECT_NE(NULL, strstr(said(), "libbpf: line 0000 of a flood\n"));
	EXPECT_EQ(NULL, strstr(said(), "line 0999"));
	EXPECT_NE(NULL, strstr(said(), "more lines while attaching, not kept)\n"));
	/* Whole lines only. */
	EXPECT_EQ('\n', said()[strlen(said()) - 1]);
}

TEST_HARNESS_MAIN
