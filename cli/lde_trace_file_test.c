// SPDX-License-Identifier: GPL-2.0
/*
 * Trace files on the host: every stage's event, written as -j writes it,
 * reads back as the same event (what a replay draws from), hostile comms
 * and paths included; lines that are not events are refused.  Also the
 * protocol view's fold row, from events made here.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lde_names.h"
#include "lde_render.h"
#include "lde_syscalls.h"
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

/* openat and mmap as the 6.1 kernel's formats describe them. */
static int define_syscalls(void)
{
	int err = 0;

	err |= lde_syscalls_define(257, "openat(int dfd, const char * filename, int flags, umode_t mode)");
	err |= lde_syscalls_define(9, "mmap(unsigned long addr, unsigned long len, unsigned long prot, unsigned long flags, unsigned long fd, unsigned long off)");
	err |= lde_syscalls_define(1, "write(unsigned int fd, const char * buf, size_t count)");
	err |= lde_syscalls_define(39, "getpid()");
	lde_syscalls_define_type("umode_t", "short unsigned int");
	lde_syscalls_define_type("size_t", "long unsigned int");
	lde_syscalls_classify();
	return err;
}

/* openat(AT_FDCWD, path, O_RDONLY|O_CLOEXEC, 0644) */
static void openat_trap(struct lde_event *e)
{
	e->trap.nr = 257;
	e->trap.ip = 0x7f0011223344ULL;
	e->trap.sp = 0x7ffd00112233ULL;
	e->trap.cpl = 3;
	e->trap.args[0] = (unsigned long long)-100LL;
	e->trap.args[1] = 0x5600aa00ULL;
	e->trap.args[2] = 0x80000;
	e->trap.args[3] = 0644;
}

TEST(every_stage_reads_back_as_written)
{
	struct lde_event e, back;
	unsigned int k;

	ASSERT_EQ(0, define_syscalls());
	for (k = 0; k < LDE_NR_EVENT_KINDS; k++) {
		e = base(k);
		switch (k) {
		case LDE_STAGE_TRAP:
			openat_trap(&e);
			break;
		case LDE_EVENT_TRAP_STRINGS:
			openat_trap(&e);
			/* A string has no pointer in the file: none here. */
			e.trap.args[1] = 0;
			e.trap_str.nstrs = 1;
			e.trap_str.str_arg[0] = 1;
			e.trap_str.str_state[0] = LDE_STR_CUT;
			e.trap_str.str_state[1] = LDE_STR_UNREADABLE;
			strcpy(e.trap_str.str[0], "/tmp/a \"b\"\\c\n\001\xff");
			break;
		case LDE_STAGE_LDE_TRAP:
			/* toy write(0x5555aaaa, 0x5): its arguments too. */
			e.trap.nr = 1;
			e.trap.ip = 0x401000;
			e.trap.cpl = 3;
			e.trap.args[0] = 0x5555aaaa;
			e.trap.args[1] = 5;
			e.trap.args[5] = ~0ULL;
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
			/* As lde.ko's switch is sent: no scheduler fields. */
			e.sw.reason = LDE_REASON_OTHER;
			e.sw.blocked_nr = -1;
			if (k == LDE_STAGE_SWITCH) {
				e.sw.next_user_ip = 0x7f3c9cc6c2adULL;
				strcpy(e.sw.next_resume, "__schedule+0x34d/0xa00");
				e.sw.preempt = 1;
				e.sw.reason = LDE_REASON_WAKEUP;
				e.sw.end_state = LDE_END_STATE_PREEMPTED;
				e.sw.known = LDE_KNOWN_SCHED | LDE_KNOWN_WAIT |
					     LDE_KNOWN_RUN;
				e.sw.by_pid = 40;
				e.sw.by_tid = 41;
				memcpy(e.sw.by_comm, "lde-pong", 8);
				e.sw.next_wait_ns = 123456;
				e.sw.prev_run_ns = 7654321;
			}
			break;
		case LDE_STAGE_WAKEUP:
			e.wakeup.by_pid = 40;
			e.wakeup.by_tid = 41;
			memcpy(e.wakeup.by_comm, "lde-ping", 8);
			e.wakeup.target_cpu = 1;
			e.wakeup.new_task = 1;
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

/* A switch that blocked in a call, each end state by its name and back. */
TEST(switch_states_and_reasons_read_back)
{
	struct lde_event e = base(LDE_STAGE_SWITCH), back;
	unsigned int st;

	ASSERT_EQ(0, define_syscalls());
	e.sw.known = LDE_KNOWN_SCHED | LDE_KNOWN_RUN;
	e.sw.reason = LDE_REASON_BLOCKED;
	e.sw.blocked_nr = 0;	/* read */
	e.sw.prev_run_ns = 5;
	for (st = 0; st <= 8; st++) {
		e.sw.end_state = st;
		ASSERT_EQ(0, round_trip(&e, &back));
		EXPECT_TRUE(same_event(&e, &back)) TH_LOG("state %s",
			lde_end_state_name(st));
	}
	EXPECT_STREQ("R+", lde_end_state_name(LDE_END_STATE_PREEMPTED));
	EXPECT_STREQ("I", lde_end_state_name(8));
	EXPECT_EQ(LDE_REASON_TICK, lde_reason_of("tick"));
	EXPECT_EQ(-1, lde_reason_of("bogus"));
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
	/* Each says what is wrong. */
	EXPECT_EQ(-1, lde_trace_parse_event("{\"stage\":\"exit\",\"cpu\":\"0\"}", &e));
	EXPECT_STREQ("\"cpu\" is a string, not a number", lde_trace_parse_error());
	EXPECT_EQ(-1, lde_trace_parse_event("{\"stage\":\"exit\",\"cpu\":4294967296}", &e));
	EXPECT_STREQ("\"cpu\" is out of range", lde_trace_parse_error());
	EXPECT_EQ(-1, lde_trace_parse_event("{\"stage\":\"exit\",\"pid\":-1}", &e));
	EXPECT_STREQ("\"pid\" is negative", lde_trace_parse_error());
	EXPECT_EQ(-1, lde_trace_parse_event("{\"cpu\":0}", &e));
	EXPECT_STREQ("an object with no \"stage\"", lde_trace_parse_error());
	EXPECT_EQ(-1, lde_trace_parse_event("{\"stage\":\"nosuch\"}", &e));
	EXPECT_STREQ("no such stage \"nosuch\"", lde_trace_parse_error());
	EXPECT_EQ(-1, lde_trace_parse_event("{\"stage\":\"trap\",\"args\":{\"a\":{\"b\":[1]}}}", &e));
	EXPECT_STREQ("not JSON that lde-trace writes: nested deeper than 2",
		     lde_trace_parse_error());
	EXPECT_EQ(-1, lde_trace_parse_event("[1]", &e));
	EXPECT_STREQ("not a JSON object", lde_trace_parse_error());
	/* A key this reader does not know (a newer writer's) is skipped. */
	EXPECT_EQ(0, lde_trace_parse_event("{\"stage\":\"exit\",\"new_key\":[\"x\"]}", &e));
}

static int shown;

static void count_event(const struct lde_event *e)
{
	shown++;
}

/* A file with the given bytes; its path in a static buffer. */
static const char *file_with_bytes(const char *text, size_t len)
{
	static char path[] = "/tmp/lde-trace-file-test-XXXXXX";
	int fd;

	strcpy(path, "/tmp/lde-trace-file-test-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		return NULL;
	close(fd);
	return path;
}

static const char *file_with(const char *text)
{
	return file_with_bytes(text, strlen(text));
}

#define HEADER "{\"stage\":\"header\",\"format\":2,\"version\":\"t\",\"kernel\":\"k\",\"cpus\":2,\"clock\":\"CLOCK_MONOTONIC\",\"stages\":[\"exit\"],\"boot\":{\"stage\":\"boot\",\"clockevent\":\"lapic\",\"clockevent_same_on_all_cpus\":true}}\n"
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
	path = file_with("{\"stage\":\"header\",\"format\":4}\n");
	EXPECT_EQ(-1, lde_trace_file_open(&r, path));
	unlink(path);
}

/*
 * A file someone handed you: whatever it holds, the replay stops at the
 * first line that is not what lde-trace writes and says so in one line,
 * FILE:LINE: what; memory stays bounded (a line is never held whole past
 * its bound).  The nesting was a SIGSEGV with the hand-written parser.
 */
static char *big_text(const char *head, const char *unit, size_t times,
		      const char *tail)
{
	size_t u = strlen(unit), h = strlen(head), i;
	char *s = malloc(h + u * times + strlen(tail) + 1), *p = s;

	if (!s)
		return NULL;
	memcpy(p, head, h);
	p += h;
	for (i = 0; i < times; i++, p += u)
		memcpy(p, unit, u);
	strcpy(p, tail);
	return s;
}

/* What a replay of text says on stderr (NULL if it did not fail). */
static const char *replay_says_bytes(const char *text, size_t len)
{
	static char said[1024];
	struct lde_trace_reader r;
	const char *path = file_with_bytes(text, len);
	int saved = dup(2), fd, ret = 0;
	FILE *f;
	size_t n;

	if (!path)
		return NULL;
	f = tmpfile();
	fflush(stderr);
	dup2(fileno(f), 2);
	if (lde_trace_file_open(&r, path))
		ret = -1;
	else {
		ret = lde_trace_file_replay(&r, count_event);
		lde_trace_file_close_reader(&r);
	}
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(f);
	n = fread(said, 1, sizeof(said) - 1, f);
	said[n] = '\0';
	fclose(f);
	fd = unlink(path);
	(void)fd;
	return ret ? said : NULL;
}

static const char *replay_says(const char *text)
{
	return replay_says_bytes(text, strlen(text));
}

/* One line: "lde-trace: PATH:LINE: what\n", what holding want. */
static bool one_line_saying(const char *said, unsigned int line,
			    const char *want)
{
	char where[32];
	const char *nl;

	if (!said)
		return false;
	nl = strchr(said, '\n');
	snprintf(where, sizeof(where), ":%u: ", line);
	return nl && !nl[1] && strstr(said, where) && strstr(said, want) &&
	       !strncmp(said, "lde-trace: /tmp/", 16);
}

TEST(hostile_files_get_one_line_and_exit_1)
{
	char *nested = big_text(HEADER, "{\"a\":", 30000, "1\n");
	char *unclosed = big_text(HEADER EXIT_EVENT, "{\"a\":", 10000, "\n");
	char *long_line = big_text(HEADER EXIT_EVENT "{\"stage\":\"exit\",\"comm\":\"",
				   "x", LDE_TRACE_LINE_MAX, "\"}\n");
	char *no_newline = big_text(HEADER, "x", 2 * LDE_TRACE_HEADER_MAX, "");
	char *long_header = big_text("{\"stage\":\"header\",\"version\":\"", "x",
				     LDE_TRACE_HEADER_MAX, "\"}\n");
	const char *said;

	ASSERT_NE(NULL, nested);
	ASSERT_NE(NULL, unclosed);
	ASSERT_NE(NULL, long_line);
	ASSERT_NE(NULL, no_newline);
	ASSERT_NE(NULL, long_header);
	said = replay_says(nested);
	EXPECT_TRUE(one_line_saying(said, 2, "a line longer than 65536 bytes")) TH_LOG("%s", said);
	said = replay_says(unclosed);
	EXPECT_TRUE(one_line_saying(said, 3, "nested deeper than 2")) TH_LOG("%s", said);
	said = replay_says(long_line);
	EXPECT_TRUE(one_line_saying(said, 3, "a line longer than 65536 bytes")) TH_LOG("%s", said);
	said = replay_says(no_newline);
	EXPECT_TRUE(one_line_saying(said, 2, "a line longer than 65536 bytes")) TH_LOG("%s", said);
	said = replay_says(long_header);
	EXPECT_TRUE(one_line_saying(said, 1, "a line longer than 1048576 bytes")) TH_LOG("%s", said);
	said = replay_says(HEADER EXIT_EVENT "{\"stage\":\"exit\",\"comm\":\"a\\u0000b\"}\n");
	EXPECT_EQ(NULL, said) TH_LOG("%s", said);
	{
		static const char nul[] = HEADER "{\"stage\":\"exit\",\0\"comm\":1}\n";

		said = replay_says_bytes(nul, sizeof(nul) - 1);
		EXPECT_TRUE(one_line_saying(said, 2, "a NUL byte in the line")) TH_LOG("%s", said);
	}
	said = replay_says(HEADER EXIT_EVENT EXIT_EVENT "{\"stage\":\"exit\",\"tid\":true}\n");
	EXPECT_TRUE(one_line_saying(said, 4, "\"tid\" is true or false, not a number")) TH_LOG("%s", said);
	said = replay_says(HEADER "{\"stage\":\"trap\",\"nr\":1,\"args\":{\"arg0\":[]}}\n");
	EXPECT_TRUE(one_line_saying(said, 2, "\"arg0\" is not an argument's value")) TH_LOG("%s", said);
	said = replay_says("{\"stage\":\"header\",\"format\":2,\"syscalls\":{\"99999\":\"x()\"}}\n");
	EXPECT_TRUE(one_line_saying(said, 1, "not an lde-trace trace file")) TH_LOG("%s", said);
	said = replay_says("{\"stage\":\"header\",\"format\":2,\"syscalls\":{\"1\":\"x(\"}}\n");
	EXPECT_TRUE(one_line_saying(said, 1, "\"1\" is not a signature")) TH_LOG("%s", said);
	said = replay_says("");
	EXPECT_TRUE(one_line_saying(said, 1, "the file is empty")) TH_LOG("%s", said);
	free(nested);
	free(unclosed);
	free(long_line);
	free(no_newline);
	free(long_header);
}

/*
 * A replay names calls as the recording did: by its header's signatures
 * first, then by libseccomp for the recording's arch, never by this
 * machine's (x86_64's 172 is iopl, 93 fchown).
 */
TEST(a_replay_names_calls_as_the_recording_did)
{
	struct lde_trace_reader r;
	const char *path = file_with("{\"stage\":\"header\",\"format\":2,\"arch\":\"aarch64\","
		"\"syscalls\":{\"172\":\"getpid()\",\"500\":\"lde_renamed(int fd)\"}}\n");

	ASSERT_NE(NULL, path);
	ASSERT_EQ(0, lde_trace_file_open(&r, path));
	EXPECT_STREQ("getpid", lde_syscall_name(172));
	EXPECT_STREQ("exit", lde_syscall_name(93));
	EXPECT_STREQ("lde_renamed", lde_syscall_name(500));
	EXPECT_EQ(172, lde_syscall_nr("getpid"));
	EXPECT_EQ(93, lde_syscall_nr("exit"));
	EXPECT_EQ(500, lde_syscall_nr("lde_renamed"));
	EXPECT_EQ(-1, lde_syscall_nr("iopl"));	/* x86 only */
	lde_trace_file_close_reader(&r);
	unlink(path);
	/* An arch libseccomp does not know: said, not guessed. */
	EXPECT_NE(NULL, strstr(replay_says("{\"stage\":\"header\",\"format\":2,\"arch\":\"pdp11\"}\n") ?: "",
			      ":1: not an lde-trace trace file (the recording's arch \"pdp11\" is not one libseccomp knows)"));
}

static char replayed[1 << 20];
static struct lde_line replayed_text;

static void json_of_event(const struct lde_event *e)
{
	lde_json_event(&replayed_text, e, 0);
}

/* Each event of the file at path, as -j prints it; NULL if it fails. */
static const char *events_of(const char *path, struct lde_trace_header *h)
{
	struct lde_trace_reader r;

	lde_line_start(&replayed_text, replayed, sizeof(replayed) - 1);
	if (lde_trace_file_open(&r, path))
		return NULL;
	*h = r.header;
	if (lde_trace_file_replay(&r, json_of_event) || !r.end.seen) {
		lde_trace_file_close_reader(&r);
		return NULL;
	}
	lde_trace_file_close_reader(&r);
	*replayed_text.end = '\0';
	return replayed;
}

/* The same events to path: 0 when written whole. */
static int write_trace(const char *path)
{
	struct lde_trace_header h = {
		.format = LDE_TRACE_FORMAT,
		.cpus = 2,
		.stages = 1U << LDE_STAGE_TRAP | 1U << LDE_STAGE_EXIT,
	};
	struct lde_event e;
	int i;

	strcpy(h.kernel, "6.1.0-test");
	strcpy(h.arch, "x86_64");
	if (lde_trace_file_create(path, &h))
		return -1;
	for (i = 0; i < 2000; i++) {
		e = base(i % 2 ? LDE_STAGE_TRAP : LDE_STAGE_EXIT);
		e.ts_ns += i * 1000;
		if (e.stage == LDE_STAGE_TRAP)
			openat_trap(&e);
		else
			e.exit.code = i << 8;
		lde_trace_file_event(&e, 0);
	}
	return lde_trace_file_close(3, 1);
}

/*
 * -w FILE.zst writes one zstd frame (by the name); -r reads it by its
 * magic, whatever the name: the same header and events as the plain
 * file, which zstd -d gives back byte for byte.
 */
TEST(a_zst_file_is_compressed_and_replays_as_the_plain_one)
{
	char plain[] = "/tmp/lde-trace-file-test-XXXXXX";
	char zst[sizeof(plain) + 4], renamed[sizeof(plain) + 8], cmd[256];
	struct lde_trace_header h;
	const char *events;
	char *plain_events;
	unsigned char magic[4] = { 0 };
	FILE *f;
	int fd = mkstemp(plain);

	ASSERT_LE(0, fd);
	close(fd);
	snprintf(zst, sizeof(zst), "%s.zst", plain);
	snprintf(renamed, sizeof(renamed), "%s.plain", plain);
	ASSERT_EQ(0, define_syscalls());
	ASSERT_EQ(0, write_trace(plain));
	ASSERT_EQ(0, write_trace(zst));

	f = fopen(zst, "r");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(4, fread(magic, 1, 4, f));
	fclose(f);
	EXPECT_EQ(0x28, magic[0]);
	EXPECT_EQ(0xfd, magic[3]);
	snprintf(cmd, sizeof(cmd), "zstd -dcq %s | cmp -s - %s", zst, plain);
	EXPECT_EQ(0, system(cmd));

	events = events_of(plain, &h);
	ASSERT_NE(NULL, events);
	EXPECT_EQ(3, h.format);
	plain_events = strdup(events);
	/* Told by its first bytes, not its name. */
	ASSERT_EQ(0, rename(zst, renamed));
	events = events_of(renamed, &h);
	ASSERT_NE(NULL, events);
	EXPECT_STREQ("6.1.0-test", h.kernel);
	EXPECT_STREQ("x86_64", h.arch);
	EXPECT_EQ(0, strcmp(plain_events, events));
	EXPECT_LT(1000 * 100, strlen(events));
	free(plain_events);
	unlink(plain);
	unlink(renamed);
}

/* The text of an event's arguments and return, as the views show them. */
static const char *args_text_of(const struct lde_event *e, bool brief)
{
	static char buf[1024];
	struct lde_line l;

	lde_line_start(&l, buf, sizeof(buf) - 1);
	lde_syscall_args_text(&l, e, NULL, brief);
	*l.end = '\0';
	return buf;
}

static const char *ret_of(long long nr, long long ret)
{
	static char buf[256];
	struct lde_line l;

	lde_line_start(&l, buf, sizeof(buf) - 1);
	lde_syscall_ret_text(&l, nr, ret);
	*l.end = '\0';
	return buf;
}

static const char *args_of(const struct lde_event *e)
{
	return args_text_of(e, false);
}

TEST(arguments_and_returns_read_as_strace_writes_them)
{
	struct lde_event e = base(LDE_EVENT_TRAP_STRINGS);

	ASSERT_EQ(0, define_syscalls());
	openat_trap(&e);
	/* An int's upper half is not the call's: dfd is still -100. */
	e.trap.args[0] = 0xffffff9cULL;
	e.trap_str.nstrs = 1;
	e.trap_str.str_arg[0] = 1;
	strcpy(e.trap_str.str[0], "/a \"b\"\\\n\t\303\251");
	EXPECT_STREQ("dfd=-100, filename=\"/a \\\"b\\\"\\\\\\n\\t\\303\\251\", flags=0x80000, mode=0644",
		     args_of(&e));
	e.trap_str.str_state[0] = LDE_STR_CUT;
	EXPECT_NE(NULL, strstr(args_of(&e), "\\251\"..., flags"));
	/* Unreadable: the pointer, as strace shows it. */
	e.trap_str.str_state[0] = LDE_STR_UNREADABLE;
	EXPECT_NE(NULL, strstr(args_of(&e), "filename=0x5600aa00,"));
	/* For people (-P): no pointers, said with "...". */
	EXPECT_STREQ("dfd=-100, flags=0x80000, mode=0644, ...",
		     args_text_of(&e, true));
	e.trap.args[1] = 0;
	EXPECT_NE(NULL, strstr(args_of(&e), "filename=NULL,"));

	/* write's buf is a counted buffer, not a string: never read. */
	EXPECT_EQ(0, lde_syscall_string_args(1));
	EXPECT_EQ(1U << 1, lde_syscall_string_args(257));
	e = base(LDE_STAGE_TRAP);
	e.trap.nr = 39;
	EXPECT_STREQ("", args_of(&e));
	/* A call the formats do not describe: six raw registers. */
	e.trap.nr = 1000;
	e.trap.args[0] = 1;
	EXPECT_STREQ("0x1, 0x0, 0x0, 0x0, 0x0, 0x0", args_of(&e));

	EXPECT_STREQ("3", ret_of(257, 3));
	EXPECT_STREQ("-1 ENOENT (No such file or directory)", ret_of(257, -2));
	EXPECT_STREQ("-1 EFAULT (Bad address)", ret_of(257, -14));
	EXPECT_STREQ("-1 ERESTARTSYS", ret_of(0, -512));
	EXPECT_STREQ("0x7f2c10000000", ret_of(9, 0x7f2c10000000LL));
}

/* An event of the task "prog" (pid 4242, tid 4243), or of kthread k. */
static struct lde_event of_task(unsigned int stage, unsigned long long ts,
				int kthread)
{
	struct lde_event e = base(stage);

	e.ts_ns = ts;
	if (kthread < 0) {
		strcpy(e.comm, "prog");
		return e;
	}
	e.pid = e.tid = 100 + kthread;
	snprintf(e.comm, sizeof(e.comm), "kworker/u4:%d", kthread);
	return e;
}

static struct lde_event switch_to(struct lde_event e, int kthread)
{
	e.sw.blocked_nr = -1;
	e.sw.next_user_ip = kthread < 0 ? 0x401000 : 0;
	strcpy(e.sw.next_resume, "__schedule+0x34d/0xa00");
	if (kthread < 0) {
		e.sw.next_pid = 4242;
		e.sw.next_tid = 4243;
		strcpy(e.sw.next_comm, "prog");
	} else {
		e.sw.next_pid = e.sw.next_tid = 100 + kthread;
		snprintf(e.sw.next_comm, sizeof(e.sw.next_comm),
			 "kworker/u4:%d", kthread);
	}
	return e;
}

/*
 * -P folds a burst into one row.  A slow kernel's execve, taken from by
 * kthread after kthread, has more kinds of step than the row can name:
 * the row stays within six lines of its column, and the kinds it leaves
 * out are counted, not cut mid-word.
 */
TEST(a_protocol_fold_of_many_kinds_counts_the_rest)
{
	static char buf[1 << 16];
	struct lde_protocol_opts opts = { .width = 132, .traps = true };
	struct lde_boot boot;
	unsigned long long ts = 1000000;
	struct lde_line l;
	struct lde_event e;
	struct lde_protocol *p;
	char *fold, *end;
	int k, lines = 0;

	memset(&boot, 0, sizeof(boot));
	ASSERT_EQ(0, define_syscalls());
	lde_line_start(&l, buf, sizeof(buf));
	p = lde_protocol_new(&boot, &opts);
	ASSERT_NE(NULL, p);
	lde_protocol_head(p, &l);
	e = of_task(LDE_STAGE_TRAP, ts, -1);
	e.trap.nr = 39;
	e.trap.cpl = 3;
	lde_protocol_feed(p, &l, &e);
	/* Eight kthreads, each taking the CPU at a tick, then giving it back. */
	for (k = 0; k < 8; k++) {
		e = of_task(LDE_STAGE_TIMER, ts += 1000, -1);
		e.timer.mode = LDE_TIMER_KERNEL;
		lde_protocol_feed(p, &l, &e);
		e = switch_to(of_task(LDE_STAGE_SWITCH, ts += 1000, -1), k);
		e.sw.nonvoluntary = 1;
		e.sw.reason = LDE_REASON_TICK;
		lde_protocol_feed(p, &l, &e);
		e = switch_to(of_task(LDE_STAGE_SWITCH, ts += 1000, k), -1);
		e.sw.reason = LDE_REASON_BLOCKED;
		lde_protocol_feed(p, &l, &e);
	}
	e = of_task(LDE_STAGE_RETURN, ts += 1000, -1);
	e.ret.nr = 39;
	e.ret.ret = 4242;
	lde_protocol_feed(p, &l, &e);
	lde_protocol_finish(p, &l);
	lde_protocol_free(p);
	lde_line_char(&l, '\0');

	fold = strstr(buf, "[8 steps folded");
	ASSERT_NE(NULL, fold) TH_LOG("%s", buf);
	end = strstr(fold, " of other kinds");
	ASSERT_NE(NULL, end) TH_LOG("%s", buf);
	for (; fold < end; fold++)
		lines += *fold == '\n';
	EXPECT_GE(6, lines) TH_LOG("%s", buf);
	/* Two kinds named, once each, and six steps counted. */
	EXPECT_NE(NULL, strstr(buf, "then back; 6 steps of other kinds"))
		TH_LOG("%s", buf);
}

/*
 * A call of the i386 table and rt_sigreturn's mask: written to -j and read
 * back whole; named and decoded by the i386 table (write is 4 there, its
 * arguments 32 bits wide).
 */
TEST(i386_calls_and_sigreturn_masks_read_back)
{
	struct lde_event e = base(LDE_STAGE_TRAP), back;
	char buf[256];
	struct lde_line l;

	ASSERT_EQ(0, define_syscalls());
	e.trap.nr = 4;
	e.trap.compat = LDE_COMPAT_I386;
	e.trap.cpl = 3;
	e.trap.args[0] = 2;
	e.trap.args[1] = 0x40001000;
	e.trap.args[2] = 6;
	ASSERT_EQ(0, round_trip(&e, &back));
	EXPECT_TRUE(same_event(&e, &back));
	EXPECT_STREQ("write", lde_call_name(4, LDE_COMPAT_I386));
	EXPECT_STREQ("fd=2, buf=0x40001000, count=6", args_of(&e));
	/* i386's mmap takes one pointer: no x86-64 format fits it. */
	EXPECT_EQ(NULL, lde_call_info(90, LDE_COMPAT_I386));

	e = base(LDE_STAGE_RETURN);
	e.ret.nr = 20;
	e.ret.compat = LDE_COMPAT_I386;
	e.ret.ret = 4242;
	ASSERT_EQ(0, round_trip(&e, &back));
	EXPECT_TRUE(same_event(&e, &back));

	e = base(LDE_STAGE_TRAP);
	e.trap.nr = 15;
	e.trap.args[LDE_SIGRETURN_MASK] = 1ULL << (SIGUSR2 - 1);
	e.trap.args[LDE_SIGRETURN_MASK_READ] = 1;
	EXPECT_TRUE(lde_trap_has_sigmask(&e));
	ASSERT_EQ(0, round_trip(&e, &back));
	EXPECT_TRUE(same_event(&e, &back));

	lde_line_start(&l, buf, sizeof(buf) - 1);
	lde_call_ret_text(&l, 192, LDE_COMPAT_I386, 0x40001000);
	*l.end = '\0';
	EXPECT_STREQ("0x40001000", buf);	/* mmap2: an address */
}

TEST_HARNESS_MAIN
