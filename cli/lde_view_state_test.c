// SPDX-License-Identifier: GPL-2.0
/*
 * Host-side tests of what the views keep between events (kselftest
 * harness), from events made here: the CPU map (-m) draws CPUs 64 and
 * above; -P, -S and -m keep each thread's own state when thread ids
 * collide in a direct-mapped table or outnumber a small one; what a view
 * cannot keep it says, never draws wrong; the views for people are fed in
 * time order whatever is beside them; the text the columns and -j keep
 * from one event for the next is the text they would make anew, at any
 * point a full line cuts it.
 */
#include <stdlib.h>
#include <string.h>

#include "lde_kept_line.h"
#include "lde_names.h"
#include "lde_render.h"
#include "lde_syscalls.h"
#include "lde_view.h"
#include "kselftest_harness.h"

static char out[1 << 22];

/* The calls the -S tests make, as the 6.1 kernel's formats give them. */
static void define_syscalls(void)
{
	lde_syscalls_define(39, "getpid()");
	lde_syscalls_define(35, "nanosleep(struct __kernel_timespec * rqtp, struct __kernel_timespec * rmtp)");
	lde_syscalls_define(61, "wait4(pid_t upid, int * stat_addr, int options, struct rusage * ru)");
	lde_syscalls_classify();
}

static struct lde_event event(unsigned int stage, unsigned long long ts,
			      unsigned int cpu, unsigned int tid)
{
	struct lde_event e;

	memset(&e, 0, sizeof(e));
	e.ts_ns = ts;
	e.cpu = cpu;
	e.pid = tid;
	e.tid = tid;
	e.stage = stage;
	snprintf(e.comm, LDE_COMM_LEN, "t%u", tid);
	return e;
}

/* prev (tid, or 0: the idle task) leaves cpu for next. */
static struct lde_event sw(unsigned long long ts, unsigned int cpu,
			   unsigned int prev, unsigned int next)
{
	struct lde_event e = event(LDE_STAGE_SWITCH, ts, cpu, prev);

	if (!prev)
		strcpy(e.comm, "swapper/0");
	e.sw.next_pid = next;
	e.sw.next_tid = next;
	snprintf(e.sw.next_comm, LDE_COMM_LEN, next ? "t%u" : "swapper/0",
		 next);
	e.sw.blocked_nr = -1;
	e.sw.reason = LDE_REASON_BLOCKED;
	e.sw.next_user_ip = 0x401000;
	return e;
}

static struct lde_event trap(unsigned long long ts, unsigned int tid,
			     long long nr, unsigned long long ip)
{
	struct lde_event e = event(LDE_STAGE_TRAP, ts, 0, tid);

	e.trap.nr = nr;
	e.trap.ip = ip;
	e.trap.cpl = 3;
	return e;
}

static struct lde_event ret(unsigned long long ts, unsigned int tid,
			    long long nr, long long value)
{
	struct lde_event e = event(LDE_STAGE_RETURN, ts, 0, tid);

	e.ret.nr = nr;
	e.ret.ret = value;
	return e;
}

/* The line of out that holds s, as a string of its own (static). */
static const char *line_with(const char *s)
{
	static char line[1 << 16];
	const char *at = strstr(out, s), *from, *to;

	if (!at)
		return NULL;
	for (from = at; from > out && from[-1] != '\n'; from--)
		;
	to = strchr(at, '\n');
	if (!to)
		to = at + strlen(at);
	snprintf(line, sizeof(line), "%.*s", (int)(to - from), from);
	return line;
}

static size_t count(const char *s)
{
	const char *p = out;
	size_t n = 0;

	while ((p = strstr(p, s))) {
		n++;
		p += strlen(s);
	}
	return n;
}

/* A switch on CPU 70, 200 and 4095 of a 4096-CPU trace is drawn there. */
TEST(the_map_draws_cpus_64_and_above)
{
	struct lde_map_opts opts = { .ncpus = 2, .max_cpus = 4096 };
	static const unsigned int cpus[] = { 1, 70, 200, 4095 };
	struct lde_line l;
	struct lde_event e;
	const char *line;
	unsigned int i;

	lde_line_start(&l, out, sizeof(out));
	struct lde_map *m = lde_map_new(&opts);

	ASSERT_NE(NULL, m);
	for (i = 0; i < 4; i++) {
		e = sw(1000000 * (i + 1), cpus[i], 0, 100 + i);
		lde_map_event(m, &l, &e, 0);
	}
	/* Ticks there go in the next line's margin. */
	for (i = 0; i < 4; i++) {
		e = event(LDE_STAGE_TIMER, 8000000 + i, cpus[i], 100 + i);
		lde_map_event(m, &l, &e, 0);
	}
	e = sw(9000000, 0, 0, 99);
	lde_map_event(m, &l, &e, 0);
	lde_map_end(m, &l);
	lde_line_char(&l, '\0');

	/* A0 named on CPU 1; D0 on CPU 4095: the 4096th column, starred. */
	line = line_with("D0 => t103[103]");
	ASSERT_NE(NULL, line) TH_LOG("%.2000s", out);
	EXPECT_EQ(0, strncmp(line + 5 * 4095, "  *D0", 5))
		TH_LOG("%.200s", line + 5 * 4090);
	line = line_with("B0 => t101[101]");
	ASSERT_NE(NULL, line) TH_LOG("%.2000s", out);
	EXPECT_EQ(0, strncmp(line + 5 * 70, "  *B0", 5))
		TH_LOG("%.200s", line + 5 * 65);
	/* The last line: all four still running where they came in. */
	line = line_with("E0 => t99[99]");
	ASSERT_NE(NULL, line);
	EXPECT_EQ(0, strncmp(line + 5 * 70, "   B0", 5));
	EXPECT_EQ(0, strncmp(line + 5 * 200, "   C0", 5));
	EXPECT_EQ(0, strncmp(line + 5 * 4095, "   D0", 5));
	EXPECT_NE(NULL, strstr(line, "ticks: cpu1,cpu70,cpu200,cpu4095"))
		TH_LOG("%s", strstr(line, "ticks") ?: line);
	EXPECT_EQ(NULL, strstr(out, "not drawn"));
}

/* A CPU past what the trace holds is not drawn: said once, at the end. */
TEST(the_map_says_what_it_did_not_draw)
{
	struct lde_map_opts opts = { .ncpus = 4, .max_cpus = 8 };
	struct lde_line l;
	struct lde_event e;

	lde_line_start(&l, out, sizeof(out));
	struct lde_map *m = lde_map_new(&opts);

	ASSERT_NE(NULL, m);
	e = sw(1000, 3, 0, 100);
	lde_map_event(m, &l, &e, 0);
	e = sw(2000, 8, 0, 101);	/* a hostile file's CPU */
	lde_map_event(m, &l, &e, 0);
	e = sw(3000, 4000000000U, 0, 102);
	lde_map_event(m, &l, &e, 0);
	lde_map_end(m, &l);
	lde_line_char(&l, '\0');
	EXPECT_EQ(2, count("\n"));	/* one switch line, and what was not */
	EXPECT_NE(NULL, strstr(out, "A0 => t100[100]"));
	EXPECT_NE(NULL, strstr(out, "(2 events on CPUs past the trace's 8 not drawn)"))
		TH_LOG("%s", out);
}

/* Followed: the root and what it forks (upper case); others lower case. */
TEST(the_map_follows_the_processes_the_root_forks)
{
	struct lde_map_opts opts = { .root_pid = 100, .ncpus = 2 };
	struct lde_line l;
	struct lde_event e;

	lde_line_start(&l, out, sizeof(out));
	struct lde_map *m = lde_map_new(&opts);

	ASSERT_NE(NULL, m);
	e = event(LDE_STAGE_FORK, 1000, 0, 100);
	e.fork.child_pid = 4196;
	e.fork.child_tid = 4196;
	lde_map_event(m, &l, &e, 0);
	e = sw(2000, 0, 0, 4196);
	lde_map_event(m, &l, &e, 0);
	e = sw(3000, 1, 0, 300);
	lde_map_event(m, &l, &e, 0);
	lde_map_end(m, &l);
	lde_line_char(&l, '\0');
	EXPECT_NE(NULL, strstr(out, "A0 => t4196[4196]")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "b0 => t300[300]")) TH_LOG("%s", out);
}

/*
 * Threads 100 and 4196 (4096 apart, one slot of a 4096-slot map): each
 * keeps the PC of its own trap, drawn at its return.
 */
TEST(protocol_threads_whose_ids_collide_keep_their_own_state)
{
	struct lde_protocol_opts opts = { .width = 200, .traps = true };
	struct lde_boot boot;
	struct lde_line l;
	struct lde_event e;

	memset(&boot, 0, sizeof(boot));
	lde_line_start(&l, out, sizeof(out));
	struct lde_protocol *p = lde_protocol_new(&boot, &opts);

	ASSERT_NE(NULL, p);
	lde_protocol_head(p, &l);
	e = trap(1000, 100, 39, 0x1111);
	lde_protocol_feed(p, &l, &e);
	e = trap(2000, 4196, 110, 0x2222);
	lde_protocol_feed(p, &l, &e);
	e = ret(3000, 100, 39, 100);
	lde_protocol_feed(p, &l, &e);
	e = ret(4000, 4196, 110, 1);
	lde_protocol_feed(p, &l, &e);
	lde_protocol_finish(p, &l);
	lde_protocol_free(p);
	lde_line_char(&l, '\0');
	EXPECT_EQ(1, count("jump to PC after trap [0x1111]")) TH_LOG("%s", out);
	EXPECT_EQ(1, count("jump to PC after trap [0x2222]")) TH_LOG("%s", out);
	EXPECT_EQ(NULL, strstr(out, "keeps what it knows"));
}

/*
 * 300 threads inside calls at once (a small table kept 256 and let the
 * rest go): every call is written whole at its return.
 */
TEST(strace_keeps_every_open_call)
{
	struct lde_strace *st;
	struct lde_line l;
	struct lde_event e;
	unsigned int tid;

	define_syscalls();
	st = lde_strace_new();
	ASSERT_NE(NULL, st);
	lde_line_start(&l, out, sizeof(out));
	for (tid = 1000; tid < 1300; tid++) {
		e = trap(tid, tid, 39, 0x1000);
		lde_strace_event(st, &l, &e);
	}
	for (tid = 1000; tid < 1300; tid++) {
		e = ret(10000 + tid, tid, 39, tid);
		lde_strace_event(st, &l, &e);
	}
	lde_strace_end(st, &l);
	lde_line_char(&l, '\0');
	EXPECT_EQ(300, count("getpid() = ")) TH_LOG("%.3000s", out);
	EXPECT_EQ(0, count("unfinished"));
	EXPECT_EQ(0, count("resumed"));
	EXPECT_NE(NULL, strstr(out, "1299 getpid() = 1299\n"));
}

/*
 * Past 65,536 threads inside calls at once, a call is written at its trap
 * as unfinished and at its return as resumed; the end says how many open
 * calls it did not write.
 */
TEST(strace_past_its_limit_says_so)
{
	struct lde_strace *st;
	struct lde_line l;
	struct lde_event e;
	unsigned int tid;

	define_syscalls();
	st = lde_strace_new();
	ASSERT_NE(NULL, st);
	lde_line_start(&l, out, sizeof(out));
	for (tid = 1; tid <= 65537; tid++) {
		e = trap(tid, tid, 39, 0x1000);
		lde_strace_event(st, &l, &e);
	}
	e = ret(100000, 65537, 39, 7);
	lde_strace_event(st, &l, &e);
	lde_line_char(&l, '\0');
	EXPECT_STREQ("65537 getpid() <unfinished ...>\n65537 <... getpid resumed>) = 7\n",
		     out);
	lde_line_start(&l, out, sizeof(out));
	lde_strace_end(st, &l);
	lde_line_char(&l, '\0');
	EXPECT_EQ(0, strncmp(out, "1 getpid() <unfinished ...>\n", 28));
	EXPECT_NE(NULL, strstr(out, " more open calls end here, not written: too many at once)\n"))
		TH_LOG("%s", out + strlen(out) - 200);
	EXPECT_GT(LDE_EVENT_TEXT_MAX, strlen(out));
}

/* A process's exit ends its threads' open calls, oldest first, no other. */
TEST(strace_exit_ends_that_process_calls_oldest_first)
{
	struct lde_strace *st;
	struct lde_line l;
	struct lde_event e;
	char *a, *b;

	define_syscalls();
	st = lde_strace_new();
	ASSERT_NE(NULL, st);
	lde_line_start(&l, out, sizeof(out));
	e = trap(3000, 4196, 61, 0x1000);	/* wait4 */
	e.pid = 100;
	lde_strace_event(st, &l, &e);
	e = trap(2000, 100, 35, 0x1000);	/* nanosleep, older */
	lde_strace_event(st, &l, &e);
	e = trap(4000, 200, 39, 0x1000);	/* another process */
	lde_strace_event(st, &l, &e);
	e = event(LDE_STAGE_EXIT, 5000, 0, 100);
	lde_strace_event(st, &l, &e);
	lde_line_char(&l, '\0');
	a = strstr(out, "100 nanosleep(");
	b = strstr(out, "4196 wait4(");
	ASSERT_NE(NULL, a) TH_LOG("%s", out);
	ASSERT_NE(NULL, b) TH_LOG("%s", out);
	EXPECT_LT(a, b);
	EXPECT_EQ(2, count(") = ?\n")) TH_LOG("%s", out);
	EXPECT_EQ(NULL, strstr(out, "200 getpid"));
	lde_line_start(&l, out, sizeof(out));
	lde_strace_end(st, &l);
	lde_line_char(&l, '\0');
	EXPECT_STREQ("200 getpid() <unfinished ...>\n", out);
}

/*
 * The live session puts events in time order across CPUs when a view for
 * people is asked for (lde_progs_reordered): the handout beside -j too,
 * whose batches alone come a CPU at a time.
 */
TEST(views_for_people_get_time_order_whatever_is_beside_them)
{
	struct lde_view_env env;

#define ENV(...) (env = (struct lde_view_env){ __VA_ARGS__ }, &env)
	EXPECT_TRUE(lde_views_time_order(ENV(.width = 80)));
	EXPECT_TRUE(lde_views_time_order(ENV(.protocol = true)));
	EXPECT_TRUE(lde_views_time_order(ENV(.strace = true)));
	EXPECT_TRUE(lde_views_time_order(ENV(.summary = true, .map = true)));
	EXPECT_TRUE(lde_views_time_order(ENV(.figure = true)));
	EXPECT_TRUE(lde_views_time_order(ENV(.json = true,
					     .output_path = "h.html")));
	EXPECT_TRUE(lde_views_time_order(ENV(.quiet = true,
					     .output_path = "h.html")));
	EXPECT_FALSE(lde_views_time_order(ENV(.json = true)));
	EXPECT_FALSE(lde_views_time_order(ENV(.json = true, .summary = true,
					      .output_path = "t.json")));
	EXPECT_FALSE(lde_views_time_order(ENV(.quiet = true,
					      .output_path = "t.svg")));
	EXPECT_FALSE(lde_views_time_order(ENV(.summary = true)));
#undef ENV
}

static unsigned long long xorshift(unsigned long long *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/*
 * A loop's events, mostly: a few threads of a few comms (one escaped in
 * JSON to 24 bytes), the same calls from the same ip and sp, and now and
 * then anything.
 */
static struct lde_event random_event(unsigned long long *x)
{
	static const char *const comms[] = {
		"", "sh", "lde_workload", "0123456789abcdef", "a\"b\\c",
		"\x01\x7f\xff\xfe",
	};
	static const long long nrs[] = { 39, 35, 61, 0, -1, 100000 };
	static const unsigned int stages[] = {
		LDE_STAGE_TRAP, LDE_STAGE_RETURN, LDE_STAGE_TRAP,
		LDE_STAGE_RETURN, LDE_STAGE_LDE_TRAP, LDE_STAGE_LDE_RETURN,
		LDE_STAGE_SWITCH, LDE_STAGE_TIMER,
	};
	unsigned int tid = 100 + xorshift(x) % 6;
	struct lde_event e;
	const char *comm;

	e = event(stages[xorshift(x) % 8], xorshift(x) % 5000000000ULL,
		  xorshift(x) % 4, xorshift(x) % 8 ? tid : -1U);
	if (e.tid == -1U)
		e.pid = 0;
	comm = comms[xorshift(x) % 6];
	memcpy(e.comm, comm, strlen(comm));
	switch (e.stage) {
	case LDE_STAGE_TRAP:
	case LDE_STAGE_LDE_TRAP:
		e.trap.nr = nrs[xorshift(x) % 6];
		e.trap.compat = xorshift(x) % 4 == 0;
		e.trap.ip = 0x7f0000001000ULL + xorshift(x) % 2;
		e.trap.sp = xorshift(x) % 4 ? 0x7ffd00000000ULL : xorshift(x);
		e.trap.cpl = xorshift(x) % 8 ? 3 : 0;
		break;
	case LDE_STAGE_RETURN:
	case LDE_STAGE_LDE_RETURN:
		e.ret.nr = nrs[xorshift(x) % 6];
		e.ret.ret = (long long)(xorshift(x) % 200) - 100;
		e.ret.kernel_ns = xorshift(x) % 100000;
		break;
	case LDE_STAGE_SWITCH:
		e.sw.next_tid = xorshift(x) % 4 ? tid : -1U;
		e.sw.next_pid = e.sw.next_tid == -1U ? 0 : tid;
		memcpy(e.sw.next_comm, comm, strlen(comm));
		break;
	}
	return e;
}

TEST(kept_text_is_the_text_made_anew)
{
	static char kept_buf[4096], made_buf[4096];
	unsigned long long x = 88172645463325252ULL;
	struct lde_json_text json, json_made;
	struct lde_columns columns, columns_made;
	struct lde_line kept, made;
	static struct lde_kept_lines columns_lines;
	struct lde_event last[2][8] = { 0 };
	int i, view, repeats = 0, kept_lines = 0;

	define_syscalls();
	lde_columns_init(&columns);
	columns.lines = &columns_lines;
	ASSERT_EQ(0, lde_json_text_init(&json));
	for (i = 0; i < 100000; i++) {
		struct lde_event e = random_event(&x);

		/* One in three a thread's last trap or return again, later. */
		if (xorshift(&x) % 3 == 0 && (e.stage == LDE_STAGE_TRAP ||
					      e.stage == LDE_STAGE_RETURN)) {
			struct lde_event *again = &last[e.stage == LDE_STAGE_RETURN][e.tid % 8];

			if (again->stage == e.stage) {
				again->ts_ns += xorshift(&x) % 5000;
				if (e.stage == LDE_STAGE_RETURN)
					again->ret.kernel_ns = xorshift(&x) % 100000;
				e = *again;
				repeats++;
			}
			*again = e;
		}
		/* Whole lines mostly; one in four cut anywhere. */
		size_t size = xorshift(&x) % 4 ? sizeof(kept_buf) :
			      xorshift(&x) % 320;

		for (view = 0; view < 2; view++) {
			lde_line_start(&kept, kept_buf, size);
			lde_line_start(&made, made_buf, size);
			if (view) {
				lde_json_text_event(&json, &kept, &e, 0);
				memset(&json_made, 0, sizeof(json_made));
				lde_json_text_event(&json_made, &made, &e, 0);
			} else {
				lde_columns_event(&columns, &kept, &e, 0);
				lde_columns_init(&columns_made);
				lde_columns_event(&columns_made, &made, &e, 0);
			}
			ASSERT_EQ(lde_line_len(&made), lde_line_len(&kept))
				TH_LOG("event %d, %s, a line of %zu", i,
				       view ? "-j" : "the columns", size);
			ASSERT_EQ(0, memcmp(made_buf, kept_buf,
					    lde_line_len(&made)))
				TH_LOG("event %d, %s, a line of %zu: %.*s", i,
				       view ? "-j" : "the columns", size,
				       (int)lde_line_len(&kept), kept_buf);
		}
	}
	/* Lines were kept whole, and used: repeats were many. */
	for (i = 0; i < 2 * LDE_WHO_KEPT; i++) {
		kept_lines += json.lines->slot[i / LDE_WHO_KEPT][i % LDE_WHO_KEPT].len > 0;
		kept_lines += columns_lines.slot[i / LDE_WHO_KEPT][i % LDE_WHO_KEPT].len > 0;
	}
	EXPECT_LT(10000, repeats);
	EXPECT_LT(1, kept_lines);
	lde_json_text_free(&json);
}

TEST_HARNESS_MAIN
