// SPDX-License-Identifier: GPL-2.0
/*
 * The context switch (OSTEP Figure 6.3) as lde.ko's sched_switch probe sees
 * it, held to the kernel's own accounting: /proc/<pid>/status counts every
 * switch-out as voluntary (the task blocked) or not (it was still runnable:
 * preempted after the timer tick or a wakeup, or it yielded).
 */
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include "lde_test_util.h"
#include "kselftest_harness.h"

#define ROUNDS		2000
#define SPIN_COMM	"lde-spinner"

struct counts {
	unsigned long long vol, nonvol;
};

static int proc_counts(pid_t tid, struct counts *c)
{
	return proc_switch_counts(tid, &c->vol, &c->nonvol);
}

/* The state letter of a task in /proc/<pid>/stat. */
static char proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return '?';
	p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	fclose(f);
	return p && p[1] == ' ' ? p[2] : '?';
}

/*
 * Whether a task sleeps off its CPU, its last switch-out done and counted.
 * /proc's S alone is not that: a task sets it before it switches out, and
 * keeps it when preempted on the way to schedule().  /proc/<pid>/syscall
 * says "running" until wait_task_inactive() finds the task dequeued and
 * off the CPU, past the sched_switch tracepoint.
 */
static bool asleep_off_cpu(pid_t pid)
{
	char path[64], buf[16] = "";
	ssize_t n;
	int fd;

	if (proc_state(pid) != 'S')
		return false;
	snprintf(path, sizeof(path), "/proc/%d/syscall", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;	/* no such file: S is all there is to go on */
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 && strncmp(buf, "running", 7) != 0;
}

/* Wait until a task sleeps: its switch counts are then stable. */
static bool wait_sleeping(pid_t pid)
{
	int i;

	for (i = 0; i < 5000; i++) {
		if (asleep_off_cpu(pid))
			return true;
		usleep(1000);
	}
	return false;
}

/*
 * A task's own watch against its own switch counts (the kernel's nvcsw and
 * nivcsw, which /proc's status shows), read without a switch in between:
 * watch, counts, watch again, until both watch reads agree.  The counts
 * come from getrusage(RUSAGE_THREAD), one short call: formatting /proc's
 * status can take about a slice on the debug kernel, where two spinners
 * share the CPU, so that nearly every try would see a switch.
 */
static int self_offset(int fd, struct counts *off)
{
	struct lde_watch w1, w2;
	struct rusage ru;
	int i;

	for (i = 0; i < 1000; i++) {
		if (lde_watch_op(fd, LDE_IOC_WATCH_STATS, 0, &w1) ||
		    getrusage(RUSAGE_THREAD, &ru) ||
		    lde_watch_op(fd, LDE_IOC_WATCH_STATS, 0, &w2))
			return -1;
		if (!memcmp(&w1, &w2, sizeof(w1))) {
			off->vol = ru.ru_nvcsw - w1.voluntary;
			off->nonvol = ru.ru_nivcsw - w1.preempted;
			return 0;
		}
	}
	return -1;
}

FIXTURE(sw) {
	int fd;
};

FIXTURE_SETUP(sw)
{
	self->fd = lde_open_loaded();
	if (self->fd < 0)
		SKIP(return, "cannot load or open lde.ko: %s",
		     strerror(-self->fd));
}

FIXTURE_TEARDOWN(sw)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* One side of the lmbench ping-pong, pinned to CPU 0. */
static void pingpong_side(int go, int finished, int done, int in, int out,
			  bool starter)
{
	char c = 0;
	int i;

	if (pin_to_cpu(0) || read(go, &c, 1) != 1)
		_exit(1);
	for (i = 0; i < ROUNDS; i++) {
		if (starter && write(out, &c, 1) != 1)
			_exit(1);
		if (read(in, &c, 1) != 1)
			_exit(1);
		if (!starter && write(out, &c, 1) != 1)
			_exit(1);
	}
	/* Say so, then block until the parent has compared the counts. */
	if (write(finished, &c, 1) != 1 || read(done, &c, 1) < 0)
		_exit(1);
	_exit(0);
}

TEST_F(sw, pinned_pipe_pingpong_split_matches_the_kernel)
{
	int go[2], finished[2], done[2], ab[2], ba[2], i, status;
	char buf[2];
	struct counts before[2], after[2];
	struct lde_stats cpu0_before, cpu0_after;
	struct lde_watch w[2];
	unsigned long long seen = 0, kernel_vol = 0, kernel_nonvol = 0;
	pid_t kid[2];

	if (geteuid() != 0)
		SKIP(return, "watching other tasks needs CAP_SYS_ADMIN");
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(finished));
	ASSERT_EQ(0, pipe(done));
	ASSERT_EQ(0, pipe(ab));
	ASSERT_EQ(0, pipe(ba));
	for (i = 0; i < 2; i++) {
		kid[i] = fork();
		ASSERT_LE(0, kid[i]);
		if (kid[i] == 0) {
			close(go[1]);
			close(done[1]);
			if (i == 0)
				pingpong_side(go[0], finished[1], done[0],
					      ba[0], ab[1], true);
			pingpong_side(go[0], finished[1], done[0], ab[0],
				      ba[1], false);
		}
	}
	close(go[0]);
	close(done[0]);

	/*
	 * CPU 0's window opens before the tasks' and closes after, so that
	 * every switch-out counted in theirs is in it.  (When the tasks were
	 * taken as asleep at /proc's S, which a task sets before it switches
	 * out, and CPU 0 was read after them, one preempted switch-out of the
	 * pair fell outside CPU 0's window.)
	 */
	ASSERT_EQ(0, lde_get_stats(self->fd, 0, &cpu0_before));
	/*
	 * Both block on the go pipe, pinned to CPU 0: only then watch them
	 * and read their counts.  Watched from fork, a side was once counted
	 * preempted on CPU 1 when its pin_to_cpu(0) migrated it, a switch-out
	 * CPU 0 never saw (its split one short of the pair's).
	 */
	for (i = 0; i < 2; i++) {
		ASSERT_TRUE(wait_sleeping(kid[i]));
		ASSERT_EQ(0, lde_watch_op(self->fd, LDE_IOC_WATCH, kid[i],
					  &w[i]));
		ASSERT_EQ(0, lde_watch_op(self->fd, LDE_IOC_WATCH_STATS, kid[i],
					  &w[i]));
		ASSERT_EQ(0, proc_counts(kid[i], &before[i]));
		before[i].vol -= w[i].voluntary;
		before[i].nonvol -= w[i].preempted;
	}
	ASSERT_EQ(2, write(go[1], "gg", 2));

	/*
	 * Both finished and block on the done pipe: compare.  One byte from
	 * each side; a pipe may hand over the first before the second comes.
	 */
	ASSERT_EQ(1, read(finished[0], buf, 1));
	ASSERT_EQ(1, read(finished[0], buf + 1, 1));
	for (i = 0; i < 2; i++) {
		ASSERT_TRUE(wait_sleeping(kid[i]));
		ASSERT_EQ(0, proc_counts(kid[i], &after[i]));
		ASSERT_EQ(0, lde_watch_op(self->fd, LDE_IOC_WATCH_STATS, kid[i],
					  &w[i]));
	}
	ASSERT_EQ(0, lde_get_stats(self->fd, 0, &cpu0_after));
	close(go[1]);
	close(done[1]);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(kid[i], waitpid(kid[i], &status, 0));
		EXPECT_EQ(0, WEXITSTATUS(status));
	}

	for (i = 0; i < 2; i++) {
		TH_LOG("side %d: voluntary %llu preempted %llu (/proc: %llu %llu)",
		       i, w[i].voluntary, w[i].preempted,
		       after[i].vol - before[i].vol,
		       after[i].nonvol - before[i].nonvol);
		EXPECT_EQ(after[i].vol - before[i].vol, w[i].voluntary);
		EXPECT_EQ(after[i].nonvol - before[i].nonvol, w[i].preempted);
		seen += w[i].voluntary + w[i].preempted;
		kernel_vol += after[i].vol - before[i].vol;
		kernel_nonvol += after[i].nonvol - before[i].nonvol;
	}
	/* One CPU, two tasks taking turns: two switches a round trip. */
	EXPECT_LE(2ULL * ROUNDS, seen);
	EXPECT_LE(2ULL * ROUNDS, cpu0_after.switches - cpu0_before.switches);
	/*
	 * CPU 0's own counters, held to the kernel's split: both tasks are
	 * pinned there, so each of their switch-outs that /proc counts falls
	 * in CPU 0's wider window, of the kind /proc gives it.  Other tasks
	 * that ran on CPU 0 meanwhile only add to either.
	 */
	TH_LOG("cpu 0: voluntary %llu preempted %llu; the pair's, /proc: %llu %llu",
	       cpu0_after.voluntary - cpu0_before.voluntary,
	       cpu0_after.preempted - cpu0_before.preempted,
	       kernel_vol, kernel_nonvol);
	EXPECT_LE(kernel_vol, cpu0_after.voluntary - cpu0_before.voluntary);
	EXPECT_LE(kernel_nonvol, cpu0_after.preempted - cpu0_before.preempted);
}

/* The kernel's count of context switches since boot (/proc/stat ctxt). */
static unsigned long long proc_stat_ctxt(void)
{
	unsigned long long ctxt = 0;
	char line[256];
	FILE *f = fopen("/proc/stat", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "ctxt %llu", &ctxt) == 1)
			break;
	fclose(f);
	return ctxt;
}

static unsigned long long module_switches(int fd)
{
	struct lde_stats st;

	return lde_get_stats(fd, LDE_STATS_ALL_CPUS, &st) ? 0 : st.switches;
}

/*
 * The module's switch count against the kernel's own (rq->nr_switches,
 * bumped in __schedule() just before sched_switch fires), each read
 * nested inside the other's window: a switch on its way between the two
 * increments may fall in one window and not the other, at most one per
 * CPU at a time.
 */
TEST_F(sw, switch_count_matches_the_kernels_ctxt)
{
	unsigned long long k_outer0, m0, k0, k1, m1, k_outer1;
	int i, ncpu = sysconf(_SC_NPROCESSORS_CONF);

	k_outer0 = proc_stat_ctxt();
	m0 = module_switches(self->fd);
	k0 = proc_stat_ctxt();
	for (i = 0; i < ROUNDS / 2; i++)
		usleep(100);	/* blocks: a switch each */
	k1 = proc_stat_ctxt();
	m1 = module_switches(self->fd);
	k_outer1 = proc_stat_ctxt();
	ASSERT_NE(0, k_outer0);
	ASSERT_NE(0, m1);
	TH_LOG("kernel %llu (inner) %llu (outer), lde %llu switches",
	       k1 - k0, k_outer1 - k_outer0, m1 - m0);
	EXPECT_LE(ROUNDS / 2, k1 - k0);
	EXPECT_LE(k1 - k0, m1 - m0 + ncpu);
	EXPECT_LE(m1 - m0, k_outer1 - k_outer0 + ncpu);
}

static volatile sig_atomic_t stop_spinning;

static void on_stop(int sig)
{
	stop_spinning = 1;
}

/*
 * A CPU-bound spinner with no system call in its loop: only the timer
 * interrupt can take the CPU from it.  Says it is ready once watched and
 * counted, then reports its watch against /proc.
 */
static void spinner(int ready, int report)
{
	struct counts off, end;
	struct lde_watch w;
	unsigned long spins = 0;
	__u64 msg[4];
	int fd;

	signal(SIGUSR1, on_stop);
	prctl(PR_SET_NAME, SPIN_COMM);
	/* Each step its own exit status, for the parent to say which. */
	if (pin_to_cpu(0))
		_exit(2);
	fd = open(LDE_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0 || lde_watch_op(fd, LDE_IOC_WATCH, 0, &w))
		_exit(3);
	if (self_offset(fd, &off))
		_exit(4);
	/* Closed at once: a sibling that died early is not waited for. */
	if (write(ready, "r", 1) != 1 || close(ready))
		_exit(1);
	while (!stop_spinning)
		spins++;
	if (self_offset(fd, &end))
		_exit(5);
	if (lde_watch_op(fd, LDE_IOC_WATCH_STATS, 0, &w))
		_exit(6);
	/* Equal offsets: every switch the kernel counted, the watch counted. */
	msg[0] = w.voluntary;
	msg[1] = w.preempted;
	msg[2] = off.vol == end.vol && off.nonvol == end.nonvol;
	msg[3] = spins;
	_exit(write(report, msg, sizeof(msg)) == sizeof(msg) ? 0 : 1);
}

static bool trace_line_with(const char *trace, const char *a, const char *b,
			    const char *c)
{
	const char *line = trace;

	while (line && *line) {
		const char *end = strchr(line, '\n');
		char *copy = strndup(line, end ? (size_t)(end - line) :
					  strlen(line));
		bool hit = strstr(copy, a) && strstr(copy, b) && strstr(copy, c);

		free(copy);
		if (hit)
			return true;
		line = end ? end + 1 : NULL;
	}
	return false;
}

/* "prev_depth=N next_depth=M" of the first line with the marker. */
static bool depths_plausible(const char *trace, const char *marker)
{
	const char *p = strstr(trace, marker);
	unsigned int prev, next;

	p = p ? strstr(p, "prev_depth=") : NULL;
	if (!p || sscanf(p, "prev_depth=%u next_depth=%u", &prev, &next) != 2)
		return false;
	/* Inside a 16 KiB stack, below pt_regs (168 bytes) at the top. */
	return prev > 168 && prev < 16384 && next > 168 && next < 16384;
}

TEST_F(sw, spinners_without_syscalls_are_preempted)
{
	int ready[2], report[2], i, status;
	pid_t kid[2];
	__u64 msg[4];
	char *trace, said[2];
	ssize_t n = 0, got;

	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(report));
	if (!access(TRACEFS "/events/lde/lde_switch/enable", W_OK)) {
		tracefs_write("trace", "");
		tracefs_write("events/lde/lde_switch/filter",
			      "prev_comm == \"" SPIN_COMM "\"");
		tracefs_write("events/lde/lde_switch/enable", "1");
	}
	for (i = 0; i < 2; i++) {
		kid[i] = fork();
		ASSERT_LE(0, kid[i]);
		if (kid[i] == 0) {
			close(ready[0]);
			close(report[0]);
			spinner(ready[1], report[1]);
		}
	}
	close(ready[1]);
	close(report[1]);
	/*
	 * The two seconds start once both spin watched: a starved guest once
	 * took 1.5 s to move a second spinner to CPU 0, which would leave
	 * it a watch with no switch in it (and a signal before its handler
	 * would kill it).
	 */
	while (n < 2 && (got = read(ready[0], said + n, 2 - n)) > 0)
		n += got;
	close(ready[0]);
	if (n == 2)
		sleep(2);
	for (i = 0; i < 2; i++)
		kill(kid[i], SIGUSR1);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(kid[i], waitpid(kid[i], &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		ASSERT_EQ(0, WEXITSTATUS(status))
			TH_LOG("spinner failed: %s", (const char *[]){
				"", "report", "pin", "watch", "first read",
				"last read", "stats"}[WEXITSTATUS(status) % 7]);
		ASSERT_EQ(sizeof(msg), read(report[0], msg, sizeof(msg)));
		TH_LOG("spinner: voluntary %llu preempted %llu spins %llu",
		       msg[0], msg[1], msg[3]);
		EXPECT_LE(1, msg[1]);
		EXPECT_EQ(1, msg[2]) TH_LOG("watch and the kernel's counts disagree");
	}
	tracefs_write("events/lde/lde_switch/enable", "0");
	tracefs_write("events/lde/lde_switch/filter", "0");

	trace = tracefs_read_trace();
	if (!trace)
		SKIP(return, "no trace buffer");
	EXPECT_TRUE(trace_line_with(trace, "lde_switch:",
				    "prev=" SPIN_COMM, " nonvoluntary "))
		TH_LOG("no nonvoluntary lde_switch of a spinner in:\n%.2000s",
		       trace);
	EXPECT_TRUE(depths_plausible(trace, "prev=" SPIN_COMM));
	free(trace);
}

/* The toy yield's switch shows up as our own switch-out, and as an event. */
TEST_F(sw, yield_is_linked_to_its_switch)
{
	__u64 deadline;
	struct lde_watch w;
	struct timespec ts;
	char marker[64], *trace;
	long switched = 0;
	pid_t spin;

	ASSERT_EQ(0, pin_to_cpu(0));
	spin = fork();
	ASSERT_LE(0, spin);
	if (spin == 0) {
		prctl(PR_SET_NAME, SPIN_COMM);
		for (;;)
			;
	}
	snprintf(marker, sizeof(marker), "prev_pid == %d", getpid());
	tracefs_write("trace", "");
	tracefs_write("events/lde/lde_switch/filter", marker);
	tracefs_write("events/lde/lde_switch/enable", "1");

	ASSERT_EQ(0, lde_watch_op(self->fd, LDE_IOC_WATCH, 0, &w));
	clock_gettime(CLOCK_MONOTONIC, &ts);
	deadline = ts.tv_sec + 3;
	while (!switched && (__u64)ts.tv_sec < deadline) {
		switched = lde_trap(self->fd, LDE_SYS_YIELD, 0, 0);
		clock_gettime(CLOCK_MONOTONIC, &ts);
	}
	ASSERT_EQ(0, lde_watch_op(self->fd, LDE_IOC_WATCH_STATS, 0, &w));
	tracefs_write("events/lde/lde_switch/enable", "0");
	tracefs_write("events/lde/lde_switch/filter", "0");
	kill(spin, SIGKILL);
	waitpid(spin, NULL, 0);

	ASSERT_LE(1, switched);
	/* Linux counts a yield as non-voluntary: the task stayed runnable. */
	EXPECT_LE((__u64)switched, w.preempted);
	/*
	 * Our own switch-out, still runnable.  Its next task is whichever
	 * the scheduler picked: usually the spinner, sometimes a kworker
	 * that became runnable on this CPU.
	 */
	snprintf(marker, sizeof(marker), ":%d/%d next=", getpid(), getpid());
	trace = tracefs_read_trace();
	ASSERT_NE(NULL, trace);
	EXPECT_TRUE(trace_line_with(trace, "lde_switch:", marker, "nonvoluntary"))
		TH_LOG("no nonvoluntary switch-out of ours in:\n%.2000s", trace);
	free(trace);
}

TEST_F(sw, watching_another_users_task_needs_cap_sys_admin)
{
	struct lde_watch w;

	/* Self is always allowed; a bad tid is refused. */
	EXPECT_EQ(0, lde_watch_op(self->fd, LDE_IOC_WATCH, 0, &w));
	EXPECT_EQ(-EEXIST, lde_watch_op(self->fd, LDE_IOC_WATCH, 0, &w));
	EXPECT_EQ(0, lde_watch_op(self->fd, LDE_IOC_UNWATCH, 0, &w));
	EXPECT_EQ(-ENOENT, lde_watch_op(self->fd, LDE_IOC_WATCH_STATS, 0, &w));
	EXPECT_EQ(-EINVAL, lde_watch_op(self->fd, LDE_IOC_WATCH, -5, &w));
	if (geteuid() == 0) {
		EXPECT_EQ(-ESRCH, lde_watch_op(self->fd, LDE_IOC_WATCH,
					       0x3fffffff, &w));
	} else {
		EXPECT_EQ(-EPERM, lde_watch_op(self->fd, LDE_IOC_WATCH, 1, &w));
	}
}

/*
 * A watch slot is reused only when no probe can still count into it.  One
 * thread watches and unwatches G, a task that switches without pause on
 * CPU 1, over and over; an unwatch waits out the probes that may still
 * hold G.  Meanwhile another thread watches Q, a task blocked in read() all
 * along, and may get the slot just freed.  Were the slot reusable at once,
 * a probe that loaded G from it just before it was cleared could count
 * G's switch into Q's watch: Q's counts must stay 0.
 */
#define CHURN_ROUNDS	300

struct churn {
	int fd;
	pid_t tid;
	volatile int *stop;
	unsigned long long stray, rounds, errors;
};

static void *churn_g(void *arg)
{
	struct churn *c = arg;
	struct lde_watch w;

	while (!*c->stop) {
		if (lde_watch_op(c->fd, LDE_IOC_WATCH, c->tid, &w) ||
		    lde_watch_op(c->fd, LDE_IOC_UNWATCH, c->tid, &w))
			c->errors++;
		c->rounds++;
	}
	return NULL;
}

static void *churn_q(void *arg)
{
	struct churn *c = arg;
	struct lde_watch w;
	int i;

	for (i = 0; i < CHURN_ROUNDS; i++) {
		if (lde_watch_op(c->fd, LDE_IOC_WATCH, c->tid, &w) ||
		    lde_watch_op(c->fd, LDE_IOC_WATCH_STATS, c->tid, &w)) {
			c->errors++;
			continue;
		}
		c->stray += w.voluntary + w.preempted + w.switched_in;
		if (lde_watch_op(c->fd, LDE_IOC_UNWATCH, c->tid, &w))
			c->errors++;
		c->rounds++;
	}
	*c->stop = 1;
	return NULL;
}

TEST_F(sw, a_reused_watch_slot_counts_only_its_own_task)
{
	volatile int stop = 0;
	struct churn cg = { .stop = &stop }, cq = { .stop = &stop };
	pthread_t tg, tq;
	int block[2];
	pid_t g, q;

	if (geteuid() != 0)
		SKIP(return, "watching another task needs CAP_SYS_ADMIN");
	ASSERT_EQ(0, pipe(block));
	q = fork();
	ASSERT_LE(0, q);
	if (q == 0) {
		char c;

		close(block[1]);
		_exit(read(block[0], &c, 1) == 0 ? 0 : 1);
	}
	g = fork();
	ASSERT_LE(0, g);
	if (g == 0) {
		struct timespec none = { 0 };

		pin_to_cpu(1);
		for (;;)
			nanosleep(&none, NULL);
	}
	close(block[0]);
	/* Q is asleep in read(), off its CPU, before its watches begin. */
	ASSERT_TRUE(wait_sleeping(q));
	/* Two files: the watches of each are its own. */
	cg.fd = self->fd;
	cg.tid = g;
	cq.fd = open(LDE_DEV, O_RDWR | O_CLOEXEC);
	cq.tid = q;
	ASSERT_LE(0, cq.fd);
	ASSERT_EQ(0, pthread_create(&tg, NULL, churn_g, &cg));
	ASSERT_EQ(0, pthread_create(&tq, NULL, churn_q, &cq));
	pthread_join(tq, NULL);
	pthread_join(tg, NULL);
	close(cq.fd);
	kill(g, SIGKILL);
	waitpid(g, NULL, 0);
	close(block[1]);	/* Q's read returns 0: it exits */
	waitpid(q, NULL, 0);
	TH_LOG("%llu watches of G, %llu of Q", cg.rounds, cq.rounds);
	EXPECT_EQ(0, cg.errors + cq.errors);
	EXPECT_EQ(CHURN_ROUNDS, cq.rounds);
	EXPECT_EQ(0, cq.stray) TH_LOG("a task that never ran was counted");
}

LDE_HARNESS_MAIN
