// SPDX-License-Identifier: GPL-2.0
/*
 * The toy trap table (OSTEP Figure 6.2): every toy system call returns what
 * it should, every bad input at the boundary gets its errno, the table
 * stays sealed, counters stay exact under a storm, and the lde:* trace
 * events fire with the right fields.
 */
#include <libgen.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "lde_test_util.h"
#include "kselftest_harness.h"

/* An address in the kernel half: user copies from it must fail. */
#define KERNEL_ADDR	0xffffffff81000000ULL

static __u64 ptr(const void *p)
{
	return (__u64)(unsigned long)p;
}

static __u64 now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	self->fd = lde_open_loaded();
	if (self->fd < 0)
		SKIP(return, "cannot load or open lde.ko: %s",
		     strerror(-self->fd));
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(dev, null_returns_zero)
{
	EXPECT_EQ(0, lde_trap(self->fd, LDE_SYS_NULL, 1, 2));
}

TEST_F(dev, getpid_is_the_callers_tgid)
{
	EXPECT_EQ(getpid(), lde_trap(self->fd, LDE_SYS_GETPID, 0, 0));
}

TEST_F(dev, write_then_read_round_trips)
{
	const char msg[] = "trap into the OS";
	char back[64] = {};

	EXPECT_EQ(sizeof(msg), lde_trap(self->fd, LDE_SYS_WRITE, ptr(msg),
					sizeof(msg)));
	EXPECT_EQ(sizeof(msg), lde_trap(self->fd, LDE_SYS_READ, ptr(back),
					sizeof(back)));
	EXPECT_STREQ(msg, back);
	/* A shorter read gets a short count. */
	EXPECT_EQ(4, lde_trap(self->fd, LDE_SYS_READ, ptr(back), 4));
}

TEST_F(dev, write_longer_than_buffer_is_a_short_count)
{
	size_t len = 3 * LDE_BUF_SIZE;
	char *big = malloc(len), *back = malloc(len);

	ASSERT_NE(NULL, big);
	ASSERT_NE(NULL, back);
	memset(big, 'x', len);
	EXPECT_EQ(LDE_BUF_SIZE, lde_trap(self->fd, LDE_SYS_WRITE, ptr(big),
					 len));
	EXPECT_EQ(LDE_BUF_SIZE, lde_trap(self->fd, LDE_SYS_READ, ptr(back),
					 len));
	/* A huge length is bounded, not trusted. */
	EXPECT_EQ(LDE_BUF_SIZE, lde_trap(self->fd, LDE_SYS_WRITE, ptr(big),
					 ~0ULL));
	free(big);
	free(back);
}

TEST_F(dev, buffer_is_per_open_file)
{
	int other = open(LDE_DEV, O_RDWR | O_CLOEXEC);
	char back[8];

	ASSERT_LE(0, other);
	EXPECT_EQ(5, lde_trap(self->fd, LDE_SYS_WRITE, ptr("hello"), 5));
	EXPECT_EQ(0, lde_trap(other, LDE_SYS_READ, ptr(back), sizeof(back)));
	close(other);
}

TEST_F(dev, time_is_the_kernel_clock)
{
	__u64 before = now_ns(CLOCK_MONOTONIC);
	long mono = lde_trap(self->fd, LDE_SYS_TIME, LDE_CLOCK_MONOTONIC, 0);
	__u64 after = now_ns(CLOCK_MONOTONIC);
	long real = lde_trap(self->fd, LDE_SYS_TIME, LDE_CLOCK_REALTIME, 0);
	__u64 real_after = now_ns(CLOCK_REALTIME);

	EXPECT_LE(before, mono);
	EXPECT_GE(after, mono);
	EXPECT_GE(real_after, real);
	EXPECT_LT(real_after - 1000000000ULL, real);
	EXPECT_EQ(-EINVAL, lde_trap(self->fd, LDE_SYS_TIME, 99, 0));
}

/*
 * With a spinner runnable on our CPU, yielding eventually switches.  Not at
 * once: CFS passes the CPU on a yield only to a task whose virtual runtime
 * is not far ahead, and the spinner has been running.  A yield that did not
 * switch reports 0, which is the truth; keep yielding until one does.
 */
TEST_F(dev, yield_reports_the_switch_it_caused)
{
	__u64 deadline = now_ns(CLOCK_MONOTONIC) + 3000000000ULL;
	long switched = 0, noswitch = 0;
	pid_t spinner;

	ASSERT_EQ(0, pin_to_cpu(0));
	spinner = fork();
	ASSERT_LE(0, spinner);
	if (spinner == 0) {
		for (;;)
			;
	}
	while (!switched && now_ns(CLOCK_MONOTONIC) < deadline) {
		switched = lde_trap(self->fd, LDE_SYS_YIELD, 0, 0);
		noswitch += !switched;
	}
	kill(spinner, SIGKILL);
	waitpid(spinner, NULL, 0);
	EXPECT_LE(1, switched) TH_LOG("%ld yields without a switch", noswitch);
}

static bool in_mapping(unsigned long addr, const char *perms, const char *tag)
{
	unsigned long lo, hi;
	char line[512], p[8];
	bool found = false;
	FILE *f = fopen("/proc/self/maps", "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, p) == 3 &&
		    addr >= lo && addr < hi && !strncmp(p, perms, strlen(perms)))
			found = !tag || strstr(line, tag);
	fclose(f);
	return found;
}

TEST_F(dev, frame_shows_user_mode_saved_and_kernel_mode_running)
{
	struct lde_frame frame = { .size = sizeof(frame) };
	unsigned long cs = lde_user_code_selector();

	ASSERT_EQ(0, lde_trap(self->fd, LDE_SYS_FRAME, ptr(&frame), 0));
	EXPECT_EQ(sizeof(frame), frame.size);
	EXPECT_EQ(LDE_USER_LEVEL, frame.user_cpl);
	EXPECT_EQ(LDE_KERNEL_LEVEL, frame.kernel_cpl);
	EXPECT_EQ(cs, frame.cs);
	/* x86: the saved cs carries the CPL; arm64: no selector, 0. */
	EXPECT_EQ(cs ? LDE_USER_LEVEL : 0, frame.cs & 3);
	/* The saved ip is in our code (libc's ioctl), sp on our stack. */
	EXPECT_TRUE(in_mapping(frame.ip, "r-x", NULL))
		TH_LOG("ip 0x%llx not in an executable mapping", frame.ip);
	EXPECT_TRUE(in_mapping(frame.sp, "rw", "[stack]"))
		TH_LOG("sp 0x%llx not on the stack", frame.sp);
	EXPECT_TRUE(lde_flags_irqs_on(frame.flags))
		TH_LOG("interrupts were off in user mode: flags 0x%llx",
		       frame.flags);
	/* pt_regs sit at the top of the kernel stack, the handler below. */
	EXPECT_LE(LDE_PT_REGS_MIN, frame.regs_depth);
	EXPECT_GT(frame.handler_stack_depth, frame.regs_depth);
	EXPECT_GT(frame.kernel_stack_size, frame.handler_stack_depth);
	EXPECT_LE(8192, frame.kernel_stack_size);
}

/*
 * The same frame as lde_workload toy prints it (the demo's line), in the
 * ISA's words: x86's saved cs and CPLs, arm64's saved pstate and ELs.
 * The saved value's own level must be the printed one.  Before, arm64
 * printed x86's words: "saved cs=0x0 (CPL 0), handler CPL 1".
 */
TEST_F(dev, toy_frame_line_says_the_isas_words)
{
	char exe[512], cmd[600], line[512] = "";
	unsigned int level = ~0U, handler_level = ~0U;
	unsigned long long saved = 0;
	ssize_t n;
	int end = 0;
	FILE *p;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ASSERT_LT(0, n);
	exe[n] = '\0';
	/* The workload is built next to this test binary. */
	snprintf(cmd, sizeof(cmd), "%s/lde_workload toy 2>/dev/null",
		 dirname(exe));
	p = popen(cmd, "r");
	ASSERT_NE(NULL, p);
	while (fgets(line, sizeof(line), p) && strncmp(line, "toy frame: ", 11))
		;
	EXPECT_EQ(0, pclose(p));
	ASSERT_EQ(3, sscanf(line, LDE_FRAME_LEVELS_SCAN, &saved, &level,
			    &handler_level, &end)) TH_LOG("%s", line);
	EXPECT_LT(0, end) TH_LOG("%s", line);
	EXPECT_EQ(LDE_USER_LEVEL, level);
	EXPECT_EQ(LDE_USER_LEVEL, lde_saved_level_of(saved))
		TH_LOG("saved 0x%llx", saved);
	EXPECT_EQ(LDE_KERNEL_LEVEL, handler_level);
}

TEST_F(dev, unknown_syscall_number_is_enosys)
{
	EXPECT_EQ(-ENOSYS, lde_trap(self->fd, LDE_NR_SYSCALLS, 0, 0));
	EXPECT_EQ(-ENOSYS, lde_trap(self->fd, 0xffffffff, 0, 0));
	EXPECT_EQ(-ENOSYS, lde_trap(self->fd, 0x80000000, 0, 0));
}

TEST_F(dev, bad_trap_pointers_are_efault)
{
	void *unmapped = mmap(NULL, 4096, PROT_NONE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, unmapped);
	errno = 0;
	EXPECT_EQ(-1, ioctl(self->fd, LDE_IOC_TRAP, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, LDE_IOC_TRAP, unmapped));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, LDE_IOC_TRAP, KERNEL_ADDR));
	EXPECT_EQ(EFAULT, errno);
	munmap(unmapped, 4096);
}

TEST_F(dev, bad_argument_pointers_are_efault)
{
	char buf[16];

	EXPECT_EQ(-EFAULT, lde_trap(self->fd, LDE_SYS_WRITE, 0, 8));
	EXPECT_EQ(-EFAULT, lde_trap(self->fd, LDE_SYS_WRITE, KERNEL_ADDR, 8));
	EXPECT_EQ(8, lde_trap(self->fd, LDE_SYS_WRITE, ptr(buf), 8));
	EXPECT_EQ(-EFAULT, lde_trap(self->fd, LDE_SYS_READ, KERNEL_ADDR, 8));
	EXPECT_EQ(-EFAULT, lde_trap(self->fd, LDE_SYS_READ, 0, 8));
	EXPECT_EQ(-EFAULT, lde_trap(self->fd, LDE_SYS_FRAME, 0, 0));
	EXPECT_EQ(-EFAULT, lde_trap(self->fd, LDE_SYS_FRAME, KERNEL_ADDR, 0));
}

/* A trap struct laid out on a larger, versioned buffer. */
struct trap_v2 {
	struct lde_trap v0;
	__u64 future;
};

TEST_F(dev, struct_size_rules_follow_copy_struct_from_user)
{
	struct trap_v2 t = { .v0 = { .nr = LDE_SYS_GETPID } };

	/* Too small for version 0. */
	t.v0.size = LDE_TRAP_SIZE_VER0 - 8;
	EXPECT_EQ(-1, ioctl(self->fd, LDE_IOC_TRAP, &t));
	EXPECT_EQ(EINVAL, errno);
	/* Larger with a zero tail: a newer caller, accepted. */
	t.v0.size = sizeof(t);
	EXPECT_EQ(0, ioctl(self->fd, LDE_IOC_TRAP, &t));
	EXPECT_EQ(getpid(), t.v0.ret);
	/* Larger with something unknown in the tail. */
	t.future = 1;
	EXPECT_EQ(-1, ioctl(self->fd, LDE_IOC_TRAP, &t));
	EXPECT_EQ(E2BIG, errno);
	/* Absurdly large. */
	t.v0.size = 1 << 20;
	EXPECT_EQ(-1, ioctl(self->fd, LDE_IOC_TRAP, &t));
	EXPECT_EQ(E2BIG, errno);
}

/*
 * A caller built against a grown struct uses a command that encodes the
 * larger size: the module dispatches on type, number and direction, and
 * reads the struct by its own size field.
 */
#define LDE_IOC_TRAP_V2		_IOWR(LDE_IOC_MAGIC, _IOC_NR(LDE_IOC_TRAP), \
				      struct trap_v2)

struct stats_v2 {
	struct lde_stats v0;
	__u64 future;
};

#define LDE_IOC_GET_STATS_V2	_IOWR(LDE_IOC_MAGIC, \
				      _IOC_NR(LDE_IOC_GET_STATS), \
				      struct stats_v2)

struct watch_v2 {
	struct lde_watch v0;
	__u64 future;
};

#define LDE_IOC_WATCH_V2	_IOW(LDE_IOC_MAGIC, _IOC_NR(LDE_IOC_WATCH), \
				     struct watch_v2)

TEST_F(dev, a_grown_struct_reaches_the_same_request)
{
	struct trap_v2 t = { .v0 = { .size = sizeof(t), .nr = LDE_SYS_GETPID } };
	struct stats_v2 st = { .v0 = { .size = sizeof(st),
				       .cpu = LDE_STATS_ALL_CPUS } };
	struct watch_v2 w = { .v0 = { .size = sizeof(w) } };
	struct lde_watch w0;

	/* Larger, with a zero tail: the request as it was. */
	EXPECT_EQ(0, ioctl(self->fd, LDE_IOC_TRAP_V2, &t))
		TH_LOG("grown trap: %s", strerror(errno));
	EXPECT_EQ(getpid(), t.v0.ret);
	/* Larger, with something in the tail the module does not know. */
	t.future = 1;
	t.v0.ret = 0;
	EXPECT_EQ(-1, ioctl(self->fd, LDE_IOC_TRAP_V2, &t));
	EXPECT_EQ(E2BIG, errno);
	/* The size the module knows, under the grown command: as known. */
	t.v0.size = LDE_TRAP_SIZE_VER0;
	EXPECT_EQ(0, ioctl(self->fd, LDE_IOC_TRAP_V2, &t));
	EXPECT_EQ(getpid(), t.v0.ret);
	/* And under the command it was built with. */
	t.v0.ret = 0;
	EXPECT_EQ(0, ioctl(self->fd, LDE_IOC_TRAP, &t.v0));
	EXPECT_EQ(getpid(), t.v0.ret);

	/* Output: no more than the module knows, and size says so. */
	EXPECT_EQ(0, ioctl(self->fd, LDE_IOC_GET_STATS_V2, &st))
		TH_LOG("grown stats: %s", strerror(errno));
	EXPECT_EQ(sizeof(st.v0), st.v0.size);
	EXPECT_EQ(0, st.future);
	st.v0.size = sizeof(st);
	st.future = 7;
	EXPECT_EQ(-1, ioctl(self->fd, LDE_IOC_GET_STATS_V2, &st));
	EXPECT_EQ(E2BIG, errno);

	EXPECT_EQ(0, ioctl(self->fd, LDE_IOC_WATCH_V2, &w))
		TH_LOG("grown watch: %s", strerror(errno));
	EXPECT_EQ(0, lde_watch_op(self->fd, LDE_IOC_WATCH_STATS, 0, &w0));
	w.future = 1;
	EXPECT_EQ(-1, ioctl(self->fd, LDE_IOC_WATCH_V2, &w));
	EXPECT_EQ(E2BIG, errno);
}

TEST_F(dev, a_command_with_the_wrong_direction_is_enotty)
{
	struct lde_trap t = { .size = sizeof(t), .nr = LDE_SYS_NULL };

	EXPECT_EQ(-1, ioctl(self->fd, _IOR(LDE_IOC_MAGIC,
					   _IOC_NR(LDE_IOC_TRAP),
					   struct lde_trap), &t));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IOW(LDE_IOC_MAGIC,
					   _IOC_NR(LDE_IOC_NOP), int), &t));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_F(dev, unknown_ioctl_is_enotty)
{
	EXPECT_EQ(-1, ioctl(self->fd, _IO(LDE_IOC_MAGIC, 0x7f)));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IO('T', 0x01)));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(0, ioctl(self->fd, LDE_IOC_NOP));
}

/*
 * OS @ boot as the CPUs hold it: every online CPU's row names the ISA's
 * trap table and handlers (lde_test_util.h), by symbol, never an address,
 * and the toy table's page is read-only.
 */
TEST_F(dev, boot_object_names_every_cpus_trap_table)
{
	char line[1024], sealed_line[64];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int rows = 0, sealed = 0;
	unsigned int i;
	FILE *f = fopen("/sys/kernel/debug/lde/boot", "re");

	if (!f && errno == ENOENT && access("/sys/kernel/debug/lde", F_OK))
		SKIP(return, "debugfs is not mounted here");
	ASSERT_NE(NULL, f) TH_LOG("lde's boot object: %s", strerror(errno));
	snprintf(sealed_line, sizeof(sealed_line),
		 "toy_trap_table entries %d read_only 1\n", LDE_NR_SYSCALLS);
	while (fgets(line, sizeof(line), f)) {
		EXPECT_EQ(NULL, strstr(line, " 0x")) TH_LOG("an address: %s", line);
		EXPECT_EQ(NULL, strstr(line, "unknown")) TH_LOG("%s", line);
		if (!strcmp(line, sealed_line))
			sealed++;
		if (strncmp(line, "cpu ", 4))
			continue;
		rows++;
		for (i = 0; i < ARRAY_SIZE(lde_boot_cpu_facts); i++)
			EXPECT_TRUE(strstr(line, lde_boot_cpu_facts[i]) != NULL)
				TH_LOG("fact %u missing in: %s", i, line);
	}
	fclose(f);
	EXPECT_EQ(1, sealed);
	EXPECT_EQ(cpus, rows);
}

TEST_F(dev, sealed_trap_table_refuses_even_root)
{
	struct lde_set_trap set = {
		.size = sizeof(set), .nr = LDE_SYS_NULL, .handler = 0,
	};

	EXPECT_EQ(-1, ioctl(self->fd, LDE_IOC_SET_TRAP, &set));
	EXPECT_EQ(EPERM, errno);
	if (geteuid() != 0)
		TH_LOG("not root: refused as a user only");
	/* And the table still works. */
	EXPECT_EQ(getpid(), lde_trap(self->fd, LDE_SYS_GETPID, 0, 0));
}

TEST_F(dev, stats_reject_an_impossible_cpu)
{
	struct lde_stats st;

	EXPECT_EQ(-EINVAL, lde_get_stats(self->fd, 1 << 20, &st));
	EXPECT_EQ(-EINVAL, lde_get_stats(self->fd, -2, &st));
	EXPECT_EQ(0, lde_get_stats(self->fd, 0, &st));
	EXPECT_EQ(sizeof(st), st.size);
}

/* A count no run could reach: a counter that wrapped below zero. */
#define WRAPPED		(1ULL << 40)

static int stats_wrapped(const struct lde_stats *st)
{
	int i, wrapped = 0;

	for (i = 0; i < LDE_NR_SYSCALLS; i++)
		wrapped += st->traps[i] >= WRAPPED;
	for (i = 0; i < LDE_ERR_KINDS; i++)
		wrapped += st->errors[i] >= WRAPPED;
	return wrapped + (st->switches >= WRAPPED) +
	       (st->voluntary >= WRAPPED) + (st->preempted >= WRAPPED);
}

TEST_F(dev, reset_counts_from_zero_on_every_cpu)
{
	struct lde_stats st;
	int i, ncpu = sysconf(_SC_NPROCESSORS_CONF);

	if (geteuid() != 0)
		SKIP(return, "resetting the counters needs CAP_SYS_ADMIN");
	ASSERT_EQ(0, pin_to_cpu(0));
	ASSERT_EQ(0, ioctl(self->fd, LDE_IOC_RESET_STATS));
	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, lde_trap(self->fd, LDE_SYS_NULL, 0, 0));
	ASSERT_EQ(0, lde_get_stats(self->fd, 0, &st));
	EXPECT_EQ(5, st.traps[LDE_SYS_NULL]);
	for (i = -1; i < ncpu; i++) {
		ASSERT_EQ(0, lde_get_stats(self->fd, i, &st));
		EXPECT_EQ(0, stats_wrapped(&st)) TH_LOG("cpu %d", i);
		EXPECT_EQ(i <= 0 ? 5 : 0, st.traps[LDE_SYS_NULL])
			TH_LOG("cpu %d", i);
	}
}

/*
 * Resets and reads from two threads while tasks switch on every CPU: no
 * read may see a counter below its reset, which shows as a wrapped count.
 * Zeroing another CPU's counters races with its increments, and
 * voluntary = switches - preempted read across an increment wraps.
 */
struct reset_race {
	int fd;
	volatile int *stop;
	unsigned long long resets, reads, wrapped, errors;
	struct lde_stats worst;
};

static void *reset_loop(void *arg)
{
	struct reset_race *r = arg;

	while (!*r->stop) {
		if (ioctl(r->fd, LDE_IOC_RESET_STATS))
			r->errors++;
		r->resets++;
	}
	return NULL;
}

static void *read_loop(void *arg)
{
	struct reset_race *r = arg;
	int cpu, ncpu = sysconf(_SC_NPROCESSORS_CONF);
	struct lde_stats st;

	while (!*r->stop) {
		for (cpu = -1; cpu < ncpu; cpu++) {
			if (lde_get_stats(r->fd, cpu, &st)) {
				r->errors++;
				continue;
			}
			r->reads++;
			if (stats_wrapped(&st)) {
				r->wrapped++;
				r->worst = st;
			}
		}
	}
	return NULL;
}

TEST_F(dev, reset_racing_switches_never_wraps)
{
	volatile int stop = 0;
	struct reset_race r = { .fd = self->fd, .stop = &stop };
	pthread_t resetter, reader;
	__u64 deadline = now_ns(CLOCK_MONOTONIC) + 2000000000ULL;
	pid_t kid[2];
	int i;

	if (geteuid() != 0)
		SKIP(return, "resetting the counters needs CAP_SYS_ADMIN");
	/* One blocks over and over, one yields over and over. */
	for (i = 0; i < 2; i++) {
		kid[i] = fork();
		ASSERT_LE(0, kid[i]);
		if (kid[i] == 0) {
			for (;;)
				i ? (void)sched_yield() : (void)usleep(100);
		}
	}
	ASSERT_EQ(0, pthread_create(&resetter, NULL, reset_loop, &r));
	ASSERT_EQ(0, pthread_create(&reader, NULL, read_loop, &r));
	while (now_ns(CLOCK_MONOTONIC) < deadline)
		lde_trap(self->fd, LDE_SYS_NULL, 0, 0);
	stop = 1;
	pthread_join(resetter, NULL);
	pthread_join(reader, NULL);
	for (i = 0; i < 2; i++) {
		kill(kid[i], SIGKILL);
		waitpid(kid[i], NULL, 0);
	}
	TH_LOG("%llu resets, %llu reads, %llu wrapped", r.resets, r.reads,
	       r.wrapped);
	EXPECT_EQ(0, r.errors);
	EXPECT_LT(0, r.resets);
	EXPECT_EQ(0, r.wrapped)
		TH_LOG("cpu %d: switches %llu voluntary %llu preempted %llu",
		       r.worst.cpu, r.worst.switches, r.worst.voluntary,
		       r.worst.preempted);
}

/* The storm: every trap made is counted exactly once. */
#define STORM_THREADS	4
#define STORM_PROCS	3
#define STORM_TRAPS	2000

static void *storm_thread(void *arg)
{
	int fd = open(LDE_DEV, O_RDWR | O_CLOEXEC), i;
	long bad = 0;

	if (fd < 0)
		return (void *)-1L;
	for (i = 0; i < STORM_TRAPS; i++) {
		/* Every fourth a null trap, the rest getpid; one bad nr. */
		unsigned int nr = (i % 4) ? LDE_SYS_GETPID : LDE_SYS_NULL;

		if (lde_trap(fd, nr, 0, 0) < 0)
			bad++;
		if (i % 100 == 0 && lde_trap(fd, 1000, 0, 0) != -ENOSYS)
			bad++;
	}
	close(fd);
	return (void *)bad;
}

static int storm_process(void)
{
	pthread_t th[STORM_THREADS];
	long bad = 0;
	void *ret;
	int i;

	for (i = 0; i < STORM_THREADS; i++)
		if (pthread_create(&th[i], NULL, storm_thread, NULL))
			return 1;
	for (i = 0; i < STORM_THREADS; i++) {
		pthread_join(th[i], &ret);
		bad += (long)ret;
	}
	return bad != 0;
}

TEST_F(dev, trap_storm_leaves_exact_counts)
{
	const __u64 workers = STORM_THREADS * STORM_PROCS;
	struct lde_stats before, after, percpu;
	__u64 sum = 0;
	int i, status, ncpu = sysconf(_SC_NPROCESSORS_CONF);
	pid_t pids[STORM_PROCS];

	ASSERT_EQ(0, lde_get_stats(self->fd, LDE_STATS_ALL_CPUS, &before));
	for (i = 0; i < STORM_PROCS; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0)
			_exit(storm_process());
	}
	for (i = 0; i < STORM_PROCS; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_EQ(0, WEXITSTATUS(status));
	}
	ASSERT_EQ(0, lde_get_stats(self->fd, LDE_STATS_ALL_CPUS, &after));

	EXPECT_EQ(workers * STORM_TRAPS / 4,
		  after.traps[LDE_SYS_NULL] - before.traps[LDE_SYS_NULL]);
	EXPECT_EQ(workers * STORM_TRAPS * 3 / 4,
		  after.traps[LDE_SYS_GETPID] - before.traps[LDE_SYS_GETPID]);
	EXPECT_EQ(workers * STORM_TRAPS / 100,
		  after.errors[LDE_ERR_NOSYS] - before.errors[LDE_ERR_NOSYS]);

	/* The per-CPU counts add up to the total. */
	for (i = 0; i < ncpu; i++) {
		ASSERT_EQ(0, lde_get_stats(self->fd, i, &percpu));
		sum += percpu.traps[LDE_SYS_GETPID];
	}
	EXPECT_EQ(after.traps[LDE_SYS_GETPID], sum);
}

/* Find a line in the trace holding every one of the given substrings. */
static bool trace_has_line(const char *trace, const char *const *parts,
			   int nparts)
{
	const char *line = trace;

	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char *copy = strndup(line, len);
		int i, hits = 0;

		for (i = 0; i < nparts; i++)
			hits += strstr(copy, parts[i]) != NULL;
		free(copy);
		if (hits == nparts)
			return true;
		line = end ? end + 1 : NULL;
	}
	return false;
}

TEST_F(dev, trace_events_fire_with_their_fields)
{
	char pid_field[32], level_field[32], *trace;
	const char *trap_line[] = {
		"lde_trap:", "nr=1 ", "args=(0x1de, 0xcafe,", level_field,
		pid_field,
	};
	const char *return_line[] = { "lde_return:", "nr=1 ", pid_field, NULL };
	char ret_field[32];

	if (access(TRACEFS "/events/lde/enable", W_OK))
		SKIP(return, "tracefs not writable here");
	snprintf(pid_field, sizeof(pid_field), "-%d ", getpid());
	snprintf(level_field, sizeof(level_field), "user_cpl=%d",
		 LDE_USER_LEVEL);
	snprintf(ret_field, sizeof(ret_field), "ret=%d ", getpid());
	return_line[3] = ret_field;

	ASSERT_EQ(0, tracefs_write("trace", ""));
	ASSERT_EQ(0, tracefs_write("events/lde/lde_trap/enable", "1"));
	ASSERT_EQ(0, tracefs_write("events/lde/lde_return/enable", "1"));
	EXPECT_EQ(getpid(), lde_trap(self->fd, LDE_SYS_GETPID, 0x1de, 0xcafe));
	tracefs_write("events/lde/enable", "0");

	trace = tracefs_read_trace();
	ASSERT_NE(NULL, trace);
	EXPECT_TRUE(trace_has_line(trace, trap_line, 5))
		TH_LOG("no lde_trap line in:\n%s", trace);
	EXPECT_TRUE(trace_has_line(trace, return_line, 4))
		TH_LOG("no lde_return line in:\n%s", trace);
	EXPECT_NE(NULL, strstr(trace, "kernel_ns="));
	free(trace);
}

LDE_HARNESS_MAIN
