// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/lde from an unprivileged user (nobody): toy traps work, as the
 * device is mode 0666 (see Documentation/lde-abi.rst); everything that needs
 * privilege is refused with EPERM; nothing the module returns is a kernel
 * address or the kernel stack's random offset; no user takes every watch.
 */
#include <grp.h>
#include <pthread.h>
#include <sys/wait.h>

#include "lde_test_util.h"
#include "kselftest_harness.h"

#define NOBODY		65534

/* Drop every privilege for good: become nobody.  0 or -errno. */
static int become_nobody(void)
{
	if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY))
		return -errno;
	return geteuid() == NOBODY ? 0 : -EPERM;
}

FIXTURE(unpriv) {
	int fd;
};

FIXTURE_SETUP(unpriv)
{
	self->fd = -1;
	if (geteuid() != 0)
		SKIP(return, "needs root to become nobody");
	ASSERT_EQ(0, lde_ensure_loaded());
	/* The test runs in its own process: drop privileges for good. */
	ASSERT_EQ(0, become_nobody());
	self->fd = open(LDE_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(unpriv)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(unpriv, toy_traps_work)
{
	char buf[8];

	EXPECT_EQ(0, lde_trap(self->fd, LDE_SYS_NULL, 0, 0));
	EXPECT_EQ(getpid(), lde_trap(self->fd, LDE_SYS_GETPID, 0, 0));
	EXPECT_EQ(3, lde_trap(self->fd, LDE_SYS_WRITE,
			      (unsigned long)"abc", 3));
	EXPECT_EQ(3, lde_trap(self->fd, LDE_SYS_READ, (unsigned long)buf, 8));
	EXPECT_EQ(-ENOSYS, lde_trap(self->fd, 77, 0, 0));
}

TEST_F(unpriv, privileged_requests_are_eperm)
{
	struct lde_set_trap set = { .size = sizeof(set) };
	struct lde_watch w;

	EXPECT_EQ(-1, ioctl(self->fd, LDE_IOC_RESET_STATS));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, ioctl(self->fd, LDE_IOC_SET_TRAP, &set));
	EXPECT_EQ(EPERM, errno);
	/* Another user's task (init), and any task but itself. */
	EXPECT_EQ(-EPERM, lde_watch_op(self->fd, LDE_IOC_WATCH, 1, &w));
	EXPECT_EQ(-EPERM, lde_watch_op(self->fd, LDE_IOC_WATCH, getppid(), &w));
	/* Itself: allowed. */
	EXPECT_EQ(0, lde_watch_op(self->fd, LDE_IOC_WATCH, 0, &w));
}

TEST_F(unpriv, no_kernel_address_is_revealed)
{
	struct lde_frame frame = { .size = sizeof(frame) };
	struct lde_stats st;

	ASSERT_EQ(0, lde_trap(self->fd, LDE_SYS_FRAME,
			      (unsigned long)&frame, 0));
	/* Saved registers are the caller's own user values... */
	EXPECT_GE(LDE_USER_TOP, frame.ip);
	EXPECT_GE(LDE_USER_TOP, frame.sp);
	/* ...and positions in the kernel stack are depths, not addresses. */
	EXPECT_GT(frame.kernel_stack_size, frame.handler_stack_depth);
	EXPECT_GT(frame.kernel_stack_size, frame.regs_depth);
	/* Counters are counts; the debugfs file is root's. */
	EXPECT_EQ(0, lde_get_stats(self->fd, LDE_STATS_ALL_CPUS, &st));
	EXPECT_NE(0, access("/sys/kernel/debug/lde/stats", R_OK));
}

/*
 * Each system call enters the kernel at a random depth (the kernel's
 * add_random_kstack_offset(), 64 or more positions): an exact handler
 * depth would hand each call's offset to any user.  Rounded, the depths
 * of many calls from one place take at most two values.
 */
#define FRAME_TRAPS	2000

TEST_F(unpriv, frame_depth_hides_the_random_kstack_offset)
{
	__u32 depths[FRAME_TRAPS], distinct[FRAME_TRAPS];
	struct lde_frame frame;
	int i, j, n = 0;

	for (i = 0; i < FRAME_TRAPS; i++) {
		memset(&frame, 0, sizeof(frame));
		frame.size = sizeof(frame);
		ASSERT_EQ(0, lde_trap(self->fd, LDE_SYS_FRAME,
				      (unsigned long)&frame, 0));
		depths[i] = frame.handler_stack_depth;
		/* Still a depth, below the saved registers. */
		ASSERT_LT(frame.regs_depth, depths[i]);
		ASSERT_GT(frame.kernel_stack_size, depths[i]);
	}
	for (i = 0; i < FRAME_TRAPS; i++) {
		for (j = 0; j < n && distinct[j] != depths[i]; j++)
			;
		if (j == n)
			distinct[n++] = depths[i];
	}
	TH_LOG("%d distinct handler depths in %d frame traps, first %u",
	       n, FRAME_TRAPS, distinct[0]);
	EXPECT_GE(2, n);
}

/* A thread that watches itself through the fd it is given. */
struct self_watch {
	int fd;
	int err;	/* 0 or the errno LDE_IOC_WATCH gave */
};

static void *watch_self(void *arg)
{
	struct self_watch *sw = arg;
	struct lde_watch w;

	sw->err = -lde_watch_op(sw->fd, LDE_IOC_WATCH, 0, &w);
	return NULL;
}

/*
 * A new thread watches itself through fd (a new file when fd < 0, left
 * open): 0 or the errno.  The thread exits; its watch lasts with the file.
 */
static int watch_from_new_thread(int fd)
{
	struct self_watch sw = { .fd = fd };
	pthread_t th;

	if (sw.fd < 0)
		sw.fd = open(LDE_DEV, O_RDWR | O_CLOEXEC);
	if (sw.fd < 0)
		return errno;
	if (pthread_create(&th, NULL, watch_self, &sw))
		return EAGAIN;
	pthread_join(th, NULL);
	return sw.err;
}

TEST_F(unpriv, watches_per_file_are_bounded)
{
	int i, other;

	for (i = 0; i < LDE_WATCHES_PER_FILE; i++)
		ASSERT_EQ(0, watch_from_new_thread(self->fd))
			TH_LOG("watch %d of %d", i + 1, LDE_WATCHES_PER_FILE);
	EXPECT_EQ(ENOSPC, watch_from_new_thread(self->fd));
	/* The bound is the file's: another file may still watch. */
	other = open(LDE_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, other);
	EXPECT_EQ(0, watch_from_new_thread(other));
	close(other);
}

/*
 * A child that becomes nobody and tries to take every slot, one file and
 * one thread a watch.  It reports how many it took and the errno that
 * stopped it, then holds them until a byte (or EOF) comes on go.
 */
static pid_t nobody_taking_every_watch(int report, int go)
{
	int i, taken = 0, err = 0, msg[2];
	pid_t child = fork();
	char c;

	if (child)
		return child;
	if (become_nobody())
		_exit(1);
	for (i = 0; i < LDE_WATCH_SLOTS && !err; i++) {
		err = watch_from_new_thread(-1);
		taken += !err;
	}
	msg[0] = taken;
	msg[1] = err;
	if (write(report, msg, sizeof(msg)) != sizeof(msg) ||
	    read(go, &c, 1) < 0)
		_exit(1);
	_exit(0);
}

/*
 * nobody takes what it may; then root, another user, must still find a
 * slot.  Twice: the watches of a process that exited are charged no more.
 */
TEST(one_user_cannot_take_every_watch_slot)
{
	int report[2], go[2], round, status, fd, msg[2];
	struct lde_watch w;
	pid_t child;
	char c = 0;

	if (geteuid() != 0)
		SKIP(return, "needs root to become nobody");
	ASSERT_EQ(0, lde_ensure_loaded());
	ASSERT_EQ(0, pipe(report));
	ASSERT_EQ(0, pipe(go));
	for (round = 0; round < 2; round++) {
		child = nobody_taking_every_watch(report[1], go[0]);
		ASSERT_LE(0, child);
		ASSERT_EQ(sizeof(msg), read(report[0], msg, sizeof(msg)));
		fd = open(LDE_DEV, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, fd);
		EXPECT_EQ(0, lde_watch_op(fd, LDE_IOC_WATCH, 0, &w))
			TH_LOG("nobody took %d watches: none left for root",
			       msg[0]);
		close(fd);
		ASSERT_EQ(1, write(go[1], &c, 1));
		ASSERT_EQ(child, waitpid(child, &status, 0));
		EXPECT_EQ(0, WEXITSTATUS(status));
		EXPECT_EQ(LDE_WATCHES_PER_USER, msg[0]) TH_LOG("round %d", round);
		EXPECT_EQ(ENOSPC, msg[1]) TH_LOG("round %d: %s", round,
						 strerror(msg[1]));
	}
}

LDE_HARNESS_MAIN
