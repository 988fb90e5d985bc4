// SPDX-License-Identifier: GPL-2.0
/*
 * Trace files on the host: every stage's event, written as -j writes it,
 * reads back as the same event (what a replay draws from), hostile comms
 * and paths included; lines that are not events are refused.  (Whole
 * files replayed: lde_trace_replay_test.c.)  Also the protocol view's
 * fold row, from events made here.
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
