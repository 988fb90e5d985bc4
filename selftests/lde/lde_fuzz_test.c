// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile input at the boundary: random ioctl commands, struct sizes, toy
 * system-call numbers, arguments and pointers (NULL, unmapped, kernel,
 * unaligned, straddling the end of a mapping, huge lengths).  Every call
 * must succeed or fail with a documented errno, and lde.ko's counters must
 * equal what the calls did: traps per toy syscall as predicted from the
 * inputs, errors per kind as observed from the results.
 *
 * Seeded (LDE_FUZZ_SEED, else the time), and the seed printed, so a failure
 * replays; LDE_FUZZ_CALLS sets the count (100000).
 *
 * A second test churns watches against tasks that come and go: watch,
 * read, unwatch and watch again children that exit at random moments (and
 * tids that may be reaped or reused), from several threads at once, while
 * switches run; every call must give a documented answer, and the module
 * must unload after.  LDE_FUZZ_CHURN_CALLS sets its count (20000).
 */
#include <pthread.h>
#include <sys/wait.h>
#include <stdint.h>
#include <sys/mman.h>
#include <time.h>

#include "lde_test_util.h"
#include "kselftest_harness.h"

#define PAGE		4096UL
#define KERNEL_ADDR	0xffffffff81000000ULL

static uint64_t rng_state;

/* xorshift64*: small, fast, and the same sequence for the same seed. */
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static uint64_t rnd_below(uint64_t n)
{
	return rnd() % n;
}

/*
 * Memory to aim at: a good area, followed by a PROT_NONE guard page, so a
 * pointer near the end of the good area straddles into the guard.
 */
struct arena {
	char *good;		/* 2 pages, read-write */
	char *guard;		/* 1 page, no access */
};

enum ptr_kind {
	PTR_GOOD, PTR_UNALIGNED, PTR_NULL, PTR_UNMAPPED, PTR_KERNEL,
	PTR_STRADDLE, PTR_KINDS
};

/* A pointer of a random kind; *readable: bytes readable from it. */
static char *pick_ptr(const struct arena *a, size_t *readable)
{
	size_t off;

	switch (rnd_below(PTR_KINDS)) {
	case PTR_GOOD:
		*readable = 2 * PAGE;
		return a->good;
	case PTR_UNALIGNED:
		off = 1 + rnd_below(7);
		*readable = 2 * PAGE - off;
		return a->good + off;
	case PTR_NULL:
		*readable = 0;
		return NULL;
	case PTR_UNMAPPED:
		*readable = 0;
		return a->guard + 16;
	case PTR_KERNEL:
		*readable = 0;
		return (char *)(uintptr_t)(KERNEL_ADDR + rnd_below(PAGE));
	default:		/* PTR_STRADDLE: the last few bytes of the area */
		off = 4 + rnd_below(128);
		*readable = off;
		return a->guard - off;
	}
}

static const int documented[] = {
	ENOSYS, EFAULT, EINVAL, E2BIG, EPERM, ENOTTY, ESRCH, EEXIST, ENOENT,
	ENOSPC,
};

static bool is_documented(int err)
{
	size_t i;

	for (i = 0; i < sizeof(documented) / sizeof(documented[0]); i++)
		if (documented[i] == err)
			return true;
	return false;
}

static int err_kind(int err)
{
	switch (err) {
	case ENOSYS: return LDE_ERR_NOSYS;
	case EFAULT: return LDE_ERR_FAULT;
	case EINVAL: return LDE_ERR_INVAL;
	case E2BIG: return LDE_ERR_2BIG;
	case EPERM: return LDE_ERR_PERM;
	case ENOTTY: return LDE_ERR_NOTTY;
	default: return LDE_ERR_OTHER;
	}
}

/*
 * Does cmd reach the request known as known?  The module matches type,
 * number and direction, not the size bits (Documentation/lde-abi.rst).
 */
static bool reaches(unsigned long cmd, unsigned long known)
{
	return _IOC_TYPE(cmd) == _IOC_TYPE(known) &&
	       _IOC_NR(cmd) == _IOC_NR(known) &&
	       _IOC_DIR(cmd) == _IOC_DIR(known);
}

/*
 * A random command no layer above the driver claims (FIO*, FS_IOC_*).
 * Not a counter reset: the counts are compared after the run.
 */
static unsigned long random_cmd(void)
{
	for (;;) {
		unsigned int type = rnd_below(256);
		unsigned long cmd;

		if (type == 'T' || type == 'f' || type == 'X' || type == 0x94)
			continue;
		cmd = _IOC(rnd_below(4), type, rnd_below(256),
			   rnd_below(1 << 14));
		if (!reaches(cmd, LDE_IOC_RESET_STATS))
			return cmd;
	}
}

static const unsigned long lde_cmds[] = {
	LDE_IOC_TRAP, LDE_IOC_TRAP, LDE_IOC_TRAP, LDE_IOC_TRAP,
	LDE_IOC_NOP, LDE_IOC_SET_TRAP, LDE_IOC_GET_STATS,
	LDE_IOC_WATCH, LDE_IOC_UNWATCH, LDE_IOC_WATCH_STATS,
};

/* Fill a struct-sized buffer at p (readable bytes known) for cmd. */
static void fill_struct(char *p, size_t readable, unsigned long cmd,
			const struct arena *a)
{
	uint32_t sizes[] = { 0, 4, 32, 56, 63, 64, 64, 64, 72, 128,
			     PAGE, PAGE + 8, 1 << 20, 0xffffffff };
	uint32_t size = sizes[rnd_below(sizeof(sizes) / sizeof(sizes[0]))];
	size_t i, fill = readable < 2 * PAGE ? readable : 2 * PAGE;
	size_t argreadable;

	if (!fill)
		return;
	/* Mostly zeros (a valid tail), sometimes noise past the struct. */
	memset(p, 0, fill);
	if (rnd_below(8) == 0)
		for (i = 64; i < fill; i += 1 + rnd_below(64))
			p[i] = rnd();
	if (fill >= 4)
		memcpy(p, &size, 4);
	if (cmd == LDE_IOC_TRAP && fill >= 64) {
		struct lde_trap *t = (struct lde_trap *)p;
		uint32_t nrs[] = { 0, 1, 2, 3, 4, 5, 6, 7, 100, 0x80000000,
				   0xffffffff };

		t->nr = nrs[rnd_below(sizeof(nrs) / sizeof(nrs[0]))];
		for (i = 0; i < 6; i++)
			t->args[i] = rnd();
		/* Pointer arguments only ever aim at the arena or worse. */
		t->args[0] = (uintptr_t)pick_ptr(a, &argreadable);
		if (rnd_below(2))
			t->args[1] = rnd_below(3 * PAGE);
		if (t->nr == LDE_SYS_FRAME && argreadable >= 4)
			memcpy((char *)(uintptr_t)t->args[0], &(uint32_t){
				rnd_below(2) ? 64 : rnd_below(200) }, 4);
		if (t->nr == LDE_SYS_TIME)
			t->args[0] = rnd_below(3);
	} else if ((cmd == LDE_IOC_GET_STATS) && fill >= 8) {
		int32_t cpus[] = { -1, 0, 1, 2, 63, -2, 1 << 20 };

		((struct lde_stats *)p)->cpu = cpus[rnd_below(7)];
	} else if (fill >= 8 && (cmd == LDE_IOC_WATCH ||
				 cmd == LDE_IOC_UNWATCH ||
				 cmd == LDE_IOC_WATCH_STATS)) {
		int32_t tids[] = { 0, 0, getpid(), 1, -1, 0x3fffffff };

		((struct lde_watch *)p)->tid = tids[rnd_below(6)];
	}
}

/*
 * Would the module have dispatched this trap (and counted it)?  Decided
 * from the bytes as they are now: a pointer argument may aim into the
 * struct itself and have changed it while it was filled.
 */
static int predicted_dispatch(unsigned long cmd, const char *p,
			      size_t readable)
{
	const struct lde_trap *t = (const struct lde_trap *)p;
	uint32_t usize;
	size_t i;

	if (!reaches(cmd, LDE_IOC_TRAP) || readable < 4)
		return -1;
	memcpy(&usize, p, sizeof(usize));
	if (usize < LDE_TRAP_SIZE_VER0 || usize > PAGE || usize > readable)
		return -1;
	for (i = sizeof(*t); i < usize; i++)
		if (p[i])
			return -1;
	return t->nr < LDE_NR_SYSCALLS ? (int)t->nr : -1;
}

TEST(fuzz_ioctls)
{
	const char *seed_env = getenv("LDE_FUZZ_SEED");
	const char *calls_env = getenv("LDE_FUZZ_CALLS");
	unsigned long long seed, calls, i, ok = 0, by_errno[256] = {};
	unsigned long long traps[LDE_NR_SYSCALLS] = {}, errs[LDE_ERR_KINDS] = {};
	struct lde_stats before, after;
	struct arena a;
	char *map;
	int fd, e, ret;

	ASSERT_EQ(0, lde_ensure_loaded());
	seed = seed_env ? strtoull(seed_env, NULL, 0) :
	       (unsigned long long)time(NULL) ^ getpid();
	calls = calls_env ? strtoull(calls_env, NULL, 0) : 100000;
	rng_state = seed ?: 1;
	printf("# fuzz seed %llu (replay: LDE_FUZZ_SEED=%llu), %llu calls\n",
	       seed, seed, calls);
	fflush(stdout);

	map = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, mprotect(map + 2 * PAGE, PAGE, PROT_NONE));
	a.good = map;
	a.guard = map + 2 * PAGE;

	fd = open(LDE_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, lde_get_stats(fd, LDE_STATS_ALL_CPUS, &before));

	for (i = 0; i < calls; i++) {
		unsigned long cmd = rnd_below(4) ? lde_cmds[rnd_below(10)] :
				    random_cmd();
		size_t readable;
		char *p = pick_ptr(&a, &readable);
		int nr;

		fill_struct(p, readable, cmd, &a);
		nr = predicted_dispatch(cmd, p, readable);
		if (nr >= 0)
			traps[nr]++;
		ret = ioctl(fd, cmd, p);
		if (ret == 0) {
			ok++;
			continue;
		}
		e = errno;
		ASSERT_EQ(-1, ret);
		ASSERT_TRUE(is_documented(e))
			TH_LOG("call %llu: cmd 0x%lx gave undocumented errno %d (%s)",
			       i, cmd, e, strerror(e));
		by_errno[e & 255]++;
		errs[err_kind(e)]++;
	}
	ASSERT_EQ(0, lde_get_stats(fd, LDE_STATS_ALL_CPUS, &after));
	close(fd);
	munmap(map, 3 * PAGE);

	printf("# %llu calls: %llu succeeded", calls, ok);
	for (e = 0; e < 256; e++)
		if (by_errno[e])
			printf(", %s %llu", strerrorname_np(e), by_errno[e]);
	printf("\n");
	fflush(stdout);
	for (e = 0; e < LDE_NR_SYSCALLS; e++)
		EXPECT_EQ(traps[e], after.traps[e] - before.traps[e])
			TH_LOG("toy syscall %d", e);
	for (e = 0; e < LDE_ERR_KINDS; e++)
		EXPECT_EQ(errs[e], after.errors[e] - before.errors[e])
			TH_LOG("error kind %d", e);
}

/* The children a churn thread plays with: their tids, maybe gone. */
#define CHURN_KIDS	8
#define CHURN_THREADS	3

struct churn {
	uint64_t rng;		/* this thread's own sequence */
	unsigned long long calls;
	unsigned long long ok, gone, full, exists, bad;	/* by answer */
	int fd;
};

static uint64_t churn_rnd(struct churn *c)
{
	c->rng ^= c->rng >> 12;
	c->rng ^= c->rng << 25;
	c->rng ^= c->rng >> 27;
	return c->rng * 0x2545F4914F6CDD1DULL;
}

/* A child that lives 0-2 ms, sleeping and spinning: it switches. */
static pid_t short_child(struct churn *c)
{
	long ns = churn_rnd(c) % 2000000;
	pid_t pid = fork();

	if (pid == 0) {
		struct timespec t = { .tv_nsec = ns / 2 };

		nanosleep(&t, NULL);
		for (volatile long i = 0; i < ns / 100; i++)
			;
		_exit(0);
	}
	return pid;
}

static void *churn_thread(void *arg)
{
	struct churn *c = arg;
	pid_t kids[CHURN_KIDS] = {};
	unsigned long long i;
	int k, ret;

	for (i = 0; i < c->calls; i++) {
		struct lde_watch w = { .size = sizeof(w) };
		unsigned long cmd;

		k = churn_rnd(c) % CHURN_KIDS;
		switch (churn_rnd(c) % 8) {
		case 0:	/* reap a child if it is done, start another */
			if (kids[k] > 0 && waitpid(kids[k], NULL, WNOHANG) == 0)
				break;
			kids[k] = short_child(c);
			break;
		case 1:
		case 2:
			cmd = LDE_IOC_UNWATCH;
			goto call;
		case 3:
		case 4:
			cmd = LDE_IOC_WATCH_STATS;
			goto call;
		default:
			cmd = LDE_IOC_WATCH;
call:
			/* Its tid, or one just past it: maybe nobody, maybe reused. */
			w.tid = kids[k] + (churn_rnd(c) % 16 == 0);
			ret = ioctl(c->fd, cmd, &w);
			if (!ret)
				c->ok++;
			else if (errno == ESRCH || errno == ENOENT)
				c->gone++;
			else if (errno == ENOSPC)
				c->full++;
			else if (errno == EEXIST)
				c->exists++;
			else
				c->bad++;
			break;
		}
	}
	for (k = 0; k < CHURN_KIDS; k++)
		if (kids[k] > 0)
			waitpid(kids[k], NULL, 0);
	return NULL;
}

FIXTURE(churn) {};
FIXTURE_SETUP(churn) {}
FIXTURE_TEARDOWN(churn) {}

/*
 * Its bound guards against a hang, it does not time the churn: forking
 * children for every call, it takes seconds alone and several times that
 * beside other guests on the same host (over the harness's default 30 s).
 */
TEST_F_TIMEOUT(churn, watches_against_exiting_tasks, 300)
{
	const char *seed_env = getenv("LDE_FUZZ_SEED");
	const char *calls_env = getenv("LDE_FUZZ_CHURN_CALLS");
	struct churn c[CHURN_THREADS] = {};
	pthread_t th[CHURN_THREADS];
	unsigned long long seed, calls, ok = 0, gone = 0, full = 0, exists = 0;
	int t, fd;

	ASSERT_EQ(0, lde_ensure_loaded());
	seed = seed_env ? strtoull(seed_env, NULL, 0) :
	       (unsigned long long)time(NULL) ^ getpid();
	calls = calls_env ? strtoull(calls_env, NULL, 0) : 20000;
	printf("# churn seed %llu (replay: LDE_FUZZ_SEED=%llu), %llu calls x %d threads\n",
	       seed, seed, calls, CHURN_THREADS);
	fflush(stdout);
	fd = open(LDE_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	for (t = 0; t < CHURN_THREADS; t++) {
		c[t].rng = (seed ?: 1) + t * 0x9E3779B97F4A7C15ULL;
		c[t].calls = calls;
		c[t].fd = fd;
		ASSERT_EQ(0, pthread_create(&th[t], NULL, churn_thread, &c[t]));
	}
	for (t = 0; t < CHURN_THREADS; t++) {
		pthread_join(th[t], NULL);
		ok += c[t].ok;
		gone += c[t].gone;
		full += c[t].full;
		exists += c[t].exists;
		EXPECT_EQ(0, c[t].bad) TH_LOG("thread %d: undocumented errnos", t);
	}
	close(fd);
	printf("# churn: %llu succeeded, %llu ESRCH/ENOENT, %llu ENOSPC, %llu EEXIST\n",
	       ok, gone, full, exists);
	EXPECT_LT(0, ok);
	EXPECT_LT(0, gone);
	/* Every watch left behind goes with the module: it must unload. */
	EXPECT_EQ(0, system("rmmod lde"));
}

LDE_HARNESS_MAIN
