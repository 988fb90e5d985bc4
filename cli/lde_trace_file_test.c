// SPDX-License-Identifier: GPL-2.0
/*
 * Trace files on the host: every stage's event, written as -j writes it,
 * reads back as the same event (what a replay draws from), hostile comms
 * and paths included; lines that are not events are refused.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lde_render.h"
#include "lde_trace_file.h"
#include "kselftest_harness.h"

/* The JSON of e, parsed back. */
static int round_trip(const struct lde_event *e, struct lde_event *back)
{
	char buf[LDE_EVENT_TEXT_MAX];
	struct lde_line l;

	lde_line_start(&l, buf, sizeof(buf));
	lde_json_event(&l, e, 0);
	lde_line_char(&l, '\0');
	memset(back, 0, sizeof(*back));
	return lde_trace_parse_event(buf, back);
}

/* The common part and the stage's part are the same. */
static bool same_event(const struct lde_event *a, const struct lde_event *b)
{
	return !memcmp(a, b, lde_event_size(a->stage));
}

static struct lde_event base(unsigned int stage)
{
	struct lde_event e;

	memset(&e, 0, sizeof(e));
	e.ts_ns = 123456789012ULL;
	e.cpu = 1;
	e.pid = 4242;
	e.tid = 4243;
	e.stage = stage;
	/* Quotes, a backslash, control bytes and a byte above 0x7f. */
	memcpy(e.comm, "a\"b\\c\001\t\xe9z", 10);
	return e;
}

TEST(every_stage_reads_back_as_written)
{
	struct lde_event e, back;
	unsigned int k;

	for (k = 0; k < LDE_NR_EVENT_KINDS; k++) {
		e = base(k);
		switch (k) {
		case LDE_STAGE_TRAP:
			e.trap.nr = 257;
			e.trap.ip = 0x7f0011223344ULL;
			e.trap.sp = 0x7ffd00112233ULL;
			e.trap.cpl = 3;
			break;
		case LDE_STAGE_LDE_TRAP:
			e.trap.nr = 6;
			e.trap.ip = 0x401000;
			e.trap.cpl = 3;
			break;
		case LDE_STAGE_RETURN:
		case LDE_STAGE_LDE_RETURN:
			e.ret.nr = 2;
			e.ret.ret = -2;
			e.ret.kernel_ns = 1500;
			break;
		case LDE_EVENT_EXEC_RETURN:
			e.exec_ret.ret.nr = 59;
			e.exec_ret.ret.kernel_ns = 9000000;
			e.exec_ret.entry_ip = 0x401550;
			e.exec_ret.user_sp = 0x7ffe7c689e80ULL;
			e.exec_ret.argc = 3;
			e.exec_ret.argv_read = 3;
			e.exec_ret.argv_cut = 4;
			e.exec_ret.regs_cleared = 1;
			strcpy(e.exec_ret.argv[0], "./prog");
			strcpy(e.exec_ret.argv[1], "a \"quoted\" \\ arg\n");
			memset(e.exec_ret.argv[2], 'x', LDE_ARG_LEN - 1);
			break;
		case LDE_STAGE_SWITCH:
		case LDE_STAGE_LDE_SWITCH:
			e.sw.next_pid = 17;
			e.sw.next_tid = 18;
			memcpy(e.sw.next_comm, "kworker/0:1", 11);
			e.sw.nonvoluntary = 1;
			e.sw.prev_state = 0x80;
			e.sw.prev_depth = 1720;
			e.sw.next_depth = 432;
			if (k == LDE_STAGE_SWITCH) {
				e.sw.next_user_ip = 0x7f3c9cc6c2adULL;
				strcpy(e.sw.next_resume, "__schedule+0x34d/0xa00");
			}
			break;
		case LDE_STAGE_TIMER:
			e.timer.mode = LDE_TIMER_USER;
			e.timer.ip = 0x418778;
			break;
		case LDE_STAGE_EXEC:
			strcpy(e.exec.filename, "/tmp/a \"b\"\\c\001\xff");
			break;
		case LDE_STAGE_EXIT:
			e.exit.code = 7 << 8;
			break;
		case LDE_STAGE_FAULT:
			e.fault.sig = 11;
			e.fault.code = 1;
			e.fault.addr = 0;
			break;
		case LDE_STAGE_FORK:
			e.fork.child_pid = 99;
			e.fork.child_tid = 99;
			break;
		case LDE_STAGE_REAP:
			e.reap.by_pid = 1;
			e.reap.by_tid = 1;
			memcpy(e.reap.by_comm, "lde-trace", 9);
			break;
		}
		ASSERT_EQ(0, round_trip(&e, &back)) TH_LOG("kind %u", k);
		EXPECT_TRUE(same_event(&e, &back)) TH_LOG("kind %u", k);
	}
}

TEST(lines_that_are_not_events_are_refused)
{
	struct lde_event e;

	EXPECT_EQ(-1, lde_trace_parse_event("", &e));
	EXPECT_EQ(-1, lde_trace_parse_event("not json", &e));
	EXPECT_EQ(-1, lde_trace_parse_event("{\"stage\":\"nosuch\"}", &e));
	EXPECT_EQ(-1, lde_trace_parse_event("{\"stage\":\"trap\",\"nr\":", &e));
	EXPECT_EQ(-1, lde_trace_parse_event("{\"stage\":\"trap\"} trailing", &e));
	EXPECT_EQ(-1, lde_trace_parse_event("{\"stage\":\"exec\",\"filename\":\"\\q\"}", &e));
}

static int shown;

static void count_event(const struct lde_event *e)
{
	shown++;
}

/* A file with the given text; its path in a static buffer. */
static const char *file_with(const char *text)
{
	static char path[] = "/tmp/lde-trace-file-test-XXXXXX";
	int fd;

	strcpy(path, "/tmp/lde-trace-file-test-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		return NULL;
	close(fd);
	return path;
}

#define HEADER "{\"stage\":\"header\",\"format\":1,\"version\":\"t\",\"kernel\":\"k\",\"cpus\":2,\"clock\":\"CLOCK_MONOTONIC\",\"stages\":[\"exit\"],\"boot\":{\"stage\":\"boot\",\"clockevent\":\"lapic\",\"clockevent_same_on_all_cpus\":true}}\n"
#define EXIT_EVENT "{\"ts_ns\":5,\"cpu\":0,\"pid\":9,\"tid\":9,\"comm\":\"x\",\"stage\":\"exit\",\"exit_code\":0,\"status\":0,\"signal\":0}\n"

TEST(a_cut_last_line_keeps_the_events_before_it)
{
	struct lde_trace_reader r;
	const char *path = file_with(HEADER EXIT_EVENT EXIT_EVENT "{\"ts_ns\":7,\"cpu");

	ASSERT_NE(NULL, path);
	ASSERT_EQ(0, lde_trace_file_open(&r, path));
	EXPECT_STREQ("lapic", r.header.boot.clockevent);
	EXPECT_EQ(1U << LDE_STAGE_EXIT, r.header.stages);
	shown = 0;
	EXPECT_EQ(0, lde_trace_file_replay(&r, count_event));
	EXPECT_EQ(2, shown);
	EXPECT_FALSE(r.end.seen);
	lde_trace_file_close_reader(&r);
	unlink(path);
}

TEST(a_bad_line_stops_the_replay_and_says_where)
{
	struct lde_trace_reader r;
	const char *path = file_with(HEADER EXIT_EVENT "garbage\n" EXIT_EVENT);

	ASSERT_NE(NULL, path);
	ASSERT_EQ(0, lde_trace_file_open(&r, path));
	shown = 0;
	EXPECT_EQ(-1, lde_trace_file_replay(&r, count_event));
	EXPECT_EQ(1, shown);
	EXPECT_EQ(3, r.line);
	lde_trace_file_close_reader(&r);
	unlink(path);
}

TEST(the_end_object_gives_the_lost_counts)
{
	struct lde_trace_reader r;
	const char *path = file_with(HEADER EXIT_EVENT
		"{\"stage\":\"end\",\"lost\":12,\"lost_processes\":3}\n");

	ASSERT_NE(NULL, path);
	ASSERT_EQ(0, lde_trace_file_open(&r, path));
	EXPECT_EQ(0, lde_trace_file_replay(&r, count_event));
	EXPECT_TRUE(r.end.seen);
	EXPECT_EQ(12, r.end.lost);
	EXPECT_EQ(3, r.end.lost_processes);
	lde_trace_file_close_reader(&r);
	unlink(path);
}

TEST(a_file_that_is_not_a_trace_is_refused)
{
	struct lde_trace_reader r;
	const char *path = file_with("hello\n");

	ASSERT_NE(NULL, path);
	EXPECT_EQ(-1, lde_trace_file_open(&r, path));
	unlink(path);
	path = file_with("{\"stage\":\"header\",\"format\":2}\n");
	EXPECT_EQ(-1, lde_trace_file_open(&r, path));
	unlink(path);
}

TEST_HARNESS_MAIN
