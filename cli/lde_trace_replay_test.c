// SPDX-License-Identifier: GPL-2.0
/*
 * Trace files replayed whole on the host: a cut last line, a bad line, the
 * end object's lost counts, a file that is no trace, hostile files (one
 * line FILE:LINE: what, exit 1), calls named as the recording named them,
 * a FILE.zst written and read as the plain file, and two trace files
 * written side by side in one process.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lde_names.h"
#include "lde_render.h"
#include "lde_syscalls.h"
#include "lde_trace_file.h"
#include "lde_trace_test_events.h"
#include "lde_view.h"
#include "kselftest_harness.h"

static int shown;

static void count_event(void *ctx, const struct lde_event *e)
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
	EXPECT_EQ(0, lde_trace_file_replay(&r, count_event, NULL));
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
	EXPECT_EQ(-1, lde_trace_file_replay(&r, count_event, NULL));
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
	EXPECT_EQ(0, lde_trace_file_replay(&r, count_event, NULL));
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

/* The order a header line says: 1 "cpu", 0 "time" or none, -1 refused. */
static int order_of(const char *header_line)
{
	struct lde_trace_reader r;
	const char *path = file_with(header_line);
	int cpu_order;

	if (!path)
		return -2;
	if (lde_trace_file_open(&r, path)) {
		unlink(path);
		return -1;
	}
	cpu_order = r.header.cpu_order;
	lde_trace_file_close_reader(&r);
	unlink(path);
	return cpu_order;
}

/*
 * The header's "order": "cpu" for a file recorded a batch per CPU (which
 * a replay for people sorts), "time" or none for one in time order; the
 * writer says which, the reader reads it back, and anything else is bad.
 */
TEST(the_header_says_the_files_order)
{
	struct lde_trace_reader r;
	struct lde_trace_header h = { .format = LDE_TRACE_FORMAT, .cpus = 2 };
	struct lde_trace_writer *w;
	char written[] = "/tmp/lde-trace-file-test-XXXXXX";
	int fd, i;

	EXPECT_EQ(0, order_of(HEADER));
	EXPECT_EQ(0, order_of("{\"stage\":\"header\",\"format\":3,\"order\":\"time\"}\n"));
	EXPECT_EQ(1, order_of("{\"stage\":\"header\",\"format\":3,\"order\":\"cpu\"}\n"));
	EXPECT_EQ(-1, order_of("{\"stage\":\"header\",\"format\":3,\"order\":\"sideways\"}\n"));

	fd = mkstemp(written);
	ASSERT_LE(0, fd);
	close(fd);
	for (i = 0; i < 2; i++) {
		h.cpu_order = i;
		ASSERT_EQ(0, lde_trace_file_create(&w, written, &h));
		ASSERT_EQ(0, lde_trace_file_close(w, 0, 0));
		ASSERT_EQ(0, lde_trace_file_open(&r, written));
		EXPECT_EQ(i, r.header.cpu_order);
		lde_trace_file_close_reader(&r);
	}
	unlink(written);
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
		ret = lde_trace_file_replay(&r, count_event, NULL);
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

static void json_of_event(void *ctx, const struct lde_event *e)
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
	if (lde_trace_file_replay(&r, json_of_event, NULL) || !r.end.seen) {
		lde_trace_file_close_reader(&r);
		return NULL;
	}
	lde_trace_file_close_reader(&r);
	*replayed_text.end = '\0';
	return replayed;
}

/* The header write_trace() writes. */
static struct lde_trace_header test_header(void)
{
	struct lde_trace_header h = {
		.format = LDE_TRACE_FORMAT,
		.cpus = 2,
		.stages = 1U << LDE_STAGE_TRAP | 1U << LDE_STAGE_EXIT,
	};

	strcpy(h.kernel, "6.1.0-test");
	strcpy(h.arch, "x86_64");
	return h;
}

/* write_trace()'s event i. */
static struct lde_event test_event(int i)
{
	struct lde_event e = base(i % 2 ? LDE_STAGE_TRAP : LDE_STAGE_EXIT);

	e.ts_ns += i * 1000;
	if (e.stage == LDE_STAGE_TRAP)
		openat_trap(&e);
	else
		e.exit.code = i << 8;
	return e;
}

/* The same events to path: 0 when written whole. */
static int write_trace(const char *path)
{
	struct lde_trace_header h = test_header();
	struct lde_trace_writer *w;
	struct lde_event e;
	int i;

	if (lde_trace_file_create(&w, path, &h))
		return -1;
	for (i = 0; i < 2000; i++) {
		e = test_event(i);
		lde_trace_file_event(w, &e, 0);
	}
	return lde_trace_file_close(w, 3, 1);
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

static int same_bytes(const char *a, const char *b)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "cmp -s %s %s", a, b);
	return system(cmd) == 0;
}

/*
 * Two -w views in one process (e.g. two sessions, or a view that keeps
 * a second file), fed the same events in turn: each file is the one a
 * writer alone writes, byte for byte.  Each writer keeps its own file,
 * buffer, texts and error: none is shared.
 */
TEST(two_trace_files_written_side_by_side_are_each_a_lone_writers)
{
	char alone[] = "/tmp/lde-trace-file-test-XXXXXX";
	char first[sizeof(alone) + 2], second[sizeof(alone) + 2];
	struct lde_trace_header h = test_header();
	struct lde_view_env env = { .header = &h };
	struct lde_view_end end = { .lost = 3, .lost_processes = 1 };
	void *a, *b;
	struct lde_event e;
	int fd = mkstemp(alone), i;

	ASSERT_LE(0, fd);
	close(fd);
	snprintf(first, sizeof(first), "%s.a", alone);
	snprintf(second, sizeof(second), "%s.b", alone);
	ASSERT_EQ(0, define_syscalls());
	ASSERT_EQ(0, write_trace(alone));

	env.write_path = first;
	a = lde_write_view.start(&env, NULL);
	ASSERT_NE(NULL, a);
	env.write_path = second;
	b = lde_write_view.start(&env, NULL);
	ASSERT_NE(NULL, b);
	for (i = 0; i < 2000; i++) {
		e = test_event(i);
		lde_write_view.event(a, NULL, &e);
		lde_write_view.event(b, NULL, &e);
	}
	EXPECT_EQ(0, lde_write_view.end(a, NULL, &end));
	EXPECT_EQ(0, lde_write_view.end(b, NULL, &end));
	EXPECT_TRUE(same_bytes(alone, first));
	EXPECT_TRUE(same_bytes(alone, second));
	unlink(alone);
	unlink(first);
	unlink(second);
}

TEST_HARNESS_MAIN
