// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/lde from an unprivileged user (nobody): toy traps work, as the
 * device is mode 0666 (see Documentation/lde-abi.rst); everything that needs
 * privilege is refused with EPERM; nothing the module returns is a kernel
 * address.
 */
#include <grp.h>
#include <sys/wait.h>

#include "lde_test_util.h"
#include "kselftest_harness.h"

#define NOBODY		65534
#define USER_TOP	0x00007fffffffffffULL

FIXTURE(unpriv) {
	int fd;
};

FIXTURE_SETUP(unpriv)
{
	if (geteuid() != 0)
		SKIP(return, "needs root to become nobody");
	ASSERT_EQ(0, lde_ensure_loaded());
	/* The test runs in its own process: drop privileges for good. */
	ASSERT_EQ(0, setgroups(0, NULL));
	ASSERT_EQ(0, setgid(NOBODY));
	ASSERT_EQ(0, setuid(NOBODY));
	ASSERT_EQ(NOBODY, geteuid());
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
	EXPECT_GE(USER_TOP, frame.ip);
	EXPECT_GE(USER_TOP, frame.sp);
	/* ...and positions in the kernel stack are depths, not addresses. */
	EXPECT_GT(frame.kernel_stack_size, frame.handler_stack_depth);
	EXPECT_GT(frame.kernel_stack_size, frame.regs_depth);
	/* Counters are counts; the debugfs file is root's. */
	EXPECT_EQ(0, lde_get_stats(self->fd, LDE_STATS_ALL_CPUS, &st));
	EXPECT_NE(0, access("/sys/kernel/debug/lde/stats", R_OK));
}

LDE_HARNESS_MAIN
