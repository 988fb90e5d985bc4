// SPDX-License-Identifier: GPL-2.0
/*
 * lde.ko's life cycle: load ("boot": the trap table is built and sealed),
 * unload, unload refused while in use, watches that outlive their task or
 * their file, and no leak over many cycles.
 */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lde_test_util.h"
#include "kselftest_harness.h"

static bool path_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* Active objects of one slab cache, from /proc/slabinfo. */
static long slab_active_objs(const char *cache)
{
	char line[512], name[64];
	long active = -1, n;
	FILE *f = fopen("/proc/slabinfo", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %ld", name, &n) == 2 &&
		    !strcmp(name, cache))
			active = n;
	fclose(f);
	return active;
}

FIXTURE(module) {};

FIXTURE_SETUP(module)
{
	if (!getenv("LDE_KO"))
		SKIP(return, "LDE_KO does not name lde.ko");
	if (geteuid() != 0)
		SKIP(return, "loading a module needs root");
	if (lde_loaded())
		ASSERT_EQ(0, lde_unload());
}

FIXTURE_TEARDOWN(module)
{
	if (lde_loaded())
		lde_unload();
}

TEST_F(module, load_creates_device_and_events_unload_removes_them)
{
	ASSERT_EQ(0, lde_load());
	EXPECT_TRUE(path_exists(LDE_DEV));
	EXPECT_TRUE(path_exists(TRACEFS "/events/lde/lde_trap"));
	EXPECT_TRUE(path_exists(TRACEFS "/events/lde/lde_return"));
	EXPECT_TRUE(path_exists(TRACEFS "/events/lde/lde_switch"));
	EXPECT_EQ(-EEXIST, lde_load());

	ASSERT_EQ(0, lde_unload());
	EXPECT_FALSE(path_exists(LDE_DEV));
	EXPECT_FALSE(path_exists(TRACEFS "/events/lde"));
	EXPECT_FALSE(lde_loaded());
}

TEST_F(module, unload_refused_while_open)
{
	int fd;

	ASSERT_EQ(0, lde_load());
	fd = open(LDE_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);

	EXPECT_EQ(-EWOULDBLOCK, lde_unload());
	EXPECT_TRUE(lde_loaded());
	EXPECT_EQ(0, lde_trap(fd, LDE_SYS_NULL, 0, 0));

	close(fd);
	EXPECT_EQ(0, lde_unload());
}

/*
 * The bound is a hang guard, not a timing: a fresh clone's make check in
 * a Debian 13 chroot, with five other guests on the 2-core host (load
 * 13), ran out of the harness's default 30 s here on 6.12.117+deb13.
 */
TEST_F_TIMEOUT(module, hundred_load_unload_cycles, 300)
{
	int i, fd;

	for (i = 0; i < 100; i++) {
		ASSERT_EQ(0, lde_load()) TH_LOG("cycle %d", i);
		fd = open(LDE_DEV, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, fd) TH_LOG("cycle %d", i);
		ASSERT_EQ(getpid(), lde_trap(fd, LDE_SYS_GETPID, 0, 0));
		close(fd);
		ASSERT_EQ(0, lde_unload()) TH_LOG("cycle %d", i);
		ASSERT_FALSE(lde_loaded());
	}
}

/*
 * Under KASAN a freed object waits in its quarantine, still counted as
 * active in /proc/slabinfo.  There (make check-debug) kmemleak's scan
 * after the last rmmod looks for leaks instead.
 */
static bool kasan_kernel(void)
{
	return !system("zcat /proc/config.gz 2>/dev/null | grep -qx CONFIG_KASAN=y");
}

/* Each open allocates its state (about 4 KiB); a close must free it. */
TEST_F(module, open_close_leaks_nothing)
{
	long before, after;
	int i, fd;

	if (kasan_kernel())
		SKIP(return, "KASAN quarantines freed objects: kmemleak checks leaks here");
	ASSERT_EQ(0, lde_load());
	before = slab_active_objs("kmalloc-8k");
	if (before < 0)
		SKIP(return, "no /proc/slabinfo");
	for (i = 0; i < 2000; i++) {
		fd = open(LDE_DEV, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, fd);
		close(fd);
	}
	after = slab_active_objs("kmalloc-8k");
	/* Other kernel users come and go: allow them a little. */
	EXPECT_GT(before + 200, after)
		TH_LOG("kmalloc-8k active objects %ld -> %ld", before, after);
}

TEST_F(module, unload_with_watched_tasks_alive)
{
	struct lde_watch w;
	pid_t child;
	int fd;

	ASSERT_EQ(0, lde_load());
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		pause();
		_exit(0);
	}
	fd = open(LDE_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, lde_watch_op(fd, LDE_IOC_WATCH, child, &w));
	ASSERT_EQ(0, lde_watch_op(fd, LDE_IOC_WATCH, 0, &w));
	close(fd);

	/* The watches ended with the file; the tasks live on. */
	EXPECT_EQ(0, lde_unload());
	EXPECT_EQ(0, kill(child, SIGKILL));
	EXPECT_EQ(child, waitpid(child, NULL, 0));
}

TEST_F(module, watched_task_exits_before_its_watch_ends)
{
	struct lde_watch w;
	pid_t child;
	int fd, status, go[2], tries;
	char c = 'g';

	ASSERT_EQ(0, lde_load());
	ASSERT_EQ(0, pipe(go));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		/* Exits only once watched: its last switch-out is counted. */
		close(go[1]);
		_exit(read(go[0], &c, 1) == 1 ? 7 : 1);
	}
	close(go[0]);
	fd = open(LDE_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, lde_watch_op(fd, LDE_IOC_WATCH, child, &w));
	ASSERT_EQ(1, write(go[1], &c, 1));
	close(go[1]);

	/*
	 * Still a zombie: its watch can be read after it exited.  A zombie
	 * is visible (exit_notify) a moment before its last switch-out
	 * (do_task_dead), which may run on the other CPU: wait for it.
	 */
	ASSERT_EQ(0, waitid(P_PID, child, NULL, WEXITED | WNOWAIT));
	for (tries = 0; tries < 5000; tries++) {
		ASSERT_EQ(0, lde_watch_op(fd, LDE_IOC_WATCH_STATS, child, &w));
		if (w.voluntary + w.preempted)
			break;
		usleep(1000);
	}
	EXPECT_LE(1, w.voluntary + w.preempted);

	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_EQ(7, WEXITSTATUS(status));
	/* Reaped: the tid names no task any more. */
	EXPECT_EQ(-ESRCH, lde_watch_op(fd, LDE_IOC_UNWATCH, child, &w));
	close(fd);
	EXPECT_EQ(0, lde_unload());
}

LDE_HARNESS_MAIN
