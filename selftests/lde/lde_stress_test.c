// SPDX-License-Identifier: GPL-2.0
/*
 * Stress: threads trap, read counters, watch themselves and open and close
 * /dev/lde while another task loops rmmod/insmod, with lde-trace attached.
 * Nothing may hang (the harness times the test out) or splat (make check
 * reads the console), and every failure must be one a caller can expect.
 * Then, without the unload loop, the counters must be exact.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "lde_test_util.h"
#include "kselftest_harness.h"

#define WORKERS		4
#define CHURN_SECONDS	8

static volatile int stop;
/*
 * The unload loop's hold: while set, no worker opens /dev/lde, and
 * open_now counts the workers between deciding to open and closing.
 */
static int hold_opens;
static int open_now;

struct worker {
	pthread_t th;
	unsigned long long traps, opens, bad;
	unsigned int seed;
};

static void *worker_loop(void *arg)
{
	struct worker *w = arg;
	struct lde_stats st;
	struct lde_watch wt;
	int fd, i;

	while (!stop) {
		/* Counted first, then the hold read: never both missed. */
		__atomic_add_fetch(&open_now, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&hold_opens, __ATOMIC_SEQ_CST)) {
			__atomic_sub_fetch(&open_now, 1, __ATOMIC_SEQ_CST);
			usleep(1000);
			continue;
		}
		fd = open(LDE_DEV, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			/* Unloaded between two opens: expected, retry. */
			if (errno != ENOENT && errno != ENXIO && errno != ENODEV)
				w->bad++;
			__atomic_sub_fetch(&open_now, 1, __ATOMIC_SEQ_CST);
			usleep(1000);
			continue;
		}
		w->opens++;
		lde_watch_op(fd, LDE_IOC_WATCH, 0, &wt);
		for (i = 0; i < 50; i++) {
			if (lde_trap(fd, LDE_SYS_GETPID, 0, 0) == getpid())
				w->traps++;
			else
				w->bad++;
		}
		if (lde_get_stats(fd, LDE_STATS_ALL_CPUS, &st))
			w->bad++;
		if (lde_watch_op(fd, LDE_IOC_WATCH_STATS, 0, &wt))
			w->bad++;
		close(fd);
		__atomic_sub_fetch(&open_now, 1, __ATOMIC_SEQ_CST);
		/*
		 * A gap in which an unload can succeed: long beside the work
		 * above under emulation, or all four workers are seldom idle
		 * at once (a run with 0 unloads in 3107 tries was seen).
		 */
		usleep(1000 + rand_r(&w->seed) % 8000);
	}
	return NULL;
}

/*
 * lde-trace -s on the given stages.  Attached to lde.ko's own events it
 * holds the module (an unload is refused); on the kernel's it does not.
 */
static pid_t start_tracer(const char *seconds, const char *stages)
{
	const char *t = getenv("LDE_TRACE");
	pid_t pid;

	if (!t)
		return 0;
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(null, 2);
		execl(t, t, "-s", "-d", seconds, "-e", stages, NULL);
		_exit(127);
	}
	return pid;
}

TEST(unload_churn_with_workers_and_tracer)
{
	struct worker w[WORKERS] = {};
	unsigned long long loads = 0, unloads = 0, busy = 0, held_unloads = 0;
	unsigned int tries = 0;
	time_t end;
	bool held;
	pid_t tracer;
	int i, ret, status;

	ASSERT_EQ(0, lde_ensure_loaded());
	tracer = start_tracer("12", "trap,return,switch,timer");
	usleep(500000);
	for (i = 0; i < WORKERS; i++) {
		w[i].seed = i + 1;
		ASSERT_EQ(0, pthread_create(&w[i].th, NULL, worker_loop, &w[i]));
	}

	end = time(NULL) + CHURN_SECONDS;
	while (time(NULL) < end) {
		/*
		 * Mostly an unload races the workers.  Every 50th try they are
		 * held off until none has the device open, so that unloads
		 * happen however slowly they work: on a debug kernel under
		 * TCG all four were never idle at once in 895 tries.
		 */
		held = ++tries % 50 == 0;
		if (held) {
			__atomic_store_n(&hold_opens, 1, __ATOMIC_SEQ_CST);
			while (__atomic_load_n(&open_now, __ATOMIC_SEQ_CST))
				usleep(1000);
		}
		ret = lde_unload();
		if (ret == 0) {
			unloads++;
			held_unloads += held;
			ASSERT_EQ(0, lde_load());
			loads++;
		} else {
			/* In use by a worker's open file or the tracer. */
			ASSERT_EQ(-EWOULDBLOCK, ret);
			busy++;
		}
		__atomic_store_n(&hold_opens, 0, __ATOMIC_SEQ_CST);
		usleep(2000);
	}
	stop = 1;
	for (i = 0; i < WORKERS; i++) {
		pthread_join(w[i].th, NULL);
		TH_LOG("worker %d: %llu opens, %llu traps, %llu unexpected",
		       i, w[i].opens, w[i].traps, w[i].bad);
		EXPECT_EQ(0, w[i].bad);
		EXPECT_LT(0, w[i].traps);
	}
	TH_LOG("%llu unloads and reloads (%llu with the workers held off), %llu refused while in use",
	       unloads, held_unloads, busy);
	EXPECT_LT(0, unloads);
	if (tracer > 0) {
		ASSERT_EQ(tracer, waitpid(tracer, &status, 0));
		EXPECT_EQ(0, WEXITSTATUS(status));
	}
	ASSERT_EQ(0, lde_ensure_loaded());
}

TEST(counts_stay_exact_under_concurrency)
{
	struct worker w[WORKERS] = {};
	struct lde_stats before, after;
	unsigned long long total = 0;
	pid_t tracer;
	int fd, i;

	ASSERT_EQ(0, lde_ensure_loaded());
	fd = open(LDE_DEV, O_RDWR | O_CLOEXEC);	/* holds the module */
	ASSERT_LE(0, fd);
	tracer = start_tracer("6", "lde_trap,lde_return,lde_switch,switch");
	usleep(500000);
	ASSERT_EQ(0, lde_get_stats(fd, LDE_STATS_ALL_CPUS, &before));
	/* The tracer holds the module through its lde:* events. */
	EXPECT_EQ(-EWOULDBLOCK, lde_unload());
	stop = 0;
	for (i = 0; i < WORKERS; i++)
		ASSERT_EQ(0, pthread_create(&w[i].th, NULL, worker_loop, &w[i]));
	sleep(3);
	stop = 1;
	for (i = 0; i < WORKERS; i++) {
		pthread_join(w[i].th, NULL);
		EXPECT_EQ(0, w[i].bad);
		total += w[i].traps;
	}
	ASSERT_EQ(0, lde_get_stats(fd, LDE_STATS_ALL_CPUS, &after));
	EXPECT_EQ(total, after.traps[LDE_SYS_GETPID] -
			 before.traps[LDE_SYS_GETPID]);
	TH_LOG("%llu traps by %d threads, counted %llu", total, WORKERS,
	       after.traps[LDE_SYS_GETPID] - before.traps[LDE_SYS_GETPID]);
	close(fd);
	if (tracer > 0)
		waitpid(tracer, NULL, 0);
}

LDE_HARNESS_MAIN
