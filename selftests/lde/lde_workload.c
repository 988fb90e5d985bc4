// SPDX-License-Identifier: GPL-2.0
/*
 * Workloads with known behaviour, for the lde-trace tests:
 *   lde_workload getppid N      N getppid() system calls, nothing else added
 *   lde_workload segv           a write through a NULL pointer
 *   lde_workload spin SECONDS   two CPU-bound spinners pinned to CPU 0,
 *                               both there for SECONDS
 *   lde_workload comm NAME      rename itself, then one getppid()
 *   lde_workload idle           getppid() every 10 ms until killed
 *   lde_workload toy            trap through /dev/lde: getpid, write, frame
 *   lde_workload loop N         N getppid() calls, then "ns_per_call X"
 *   lde_workload openloop N     N openat()+close() of /dev/null, then
 *                               "ns_per_call X" (per pair)
 *   lde_workload hop N          N times: move to the other CPU, sleep 2 ms
 *   lde_workload threadexit     main() calls pthread_exit(); a thread goes
 *                               on, makes system calls, and ends the process
 *   lde_workload forks N        N children, one after another, each exits
 *                               at once and is reaped
 *   lde_workload reaped N       as forks, with the parent on CPU 1 and each
 *                               child moving to CPU 0 to exit: the parent
 *                               reaps a child before its last switch-out
 *   lde_workload sched SECONDS  for SECONDS: two spinners (lde-spin) pinned
 *                               to CPU 0, and a pipe ping-pong (lde-ping,
 *                               lde-pong) pinned to CPU 1
 *   lde_workload paths          openat() on hostile paths (quotes, a
 *                               backslash, a newline, bytes above 0x7f, one
 *                               longer than lde's bound), failing on
 *                               purpose: ENOENT, EBADF, EFAULT
 *   lde_workload int80          getpid(), then getpid (20) and write (4,
 *                               to stderr) through the i386 table (int
 *                               $0x80), then getpid() again
 *   lde_workload signals        with SIGUSR2 blocked: kill(self, SIGUSR1),
 *                               whose handler returns (rt_sigreturn = 0),
 *                               then a sigsuspend a SIGALRM interrupts
 *                               (rt_sigreturn = -1 EINTR)
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/lde.h>

#include "lde_test_util.h"

static volatile sig_atomic_t stop;

static void on_alarm(int sig)
{
	stop = 1;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/*
 * Where two spinners meet before they time themselves: each counts
 * itself in once it runs on CPU 0.  Shared, as fork leaves it.
 */
static int *spinners_met(void)
{
	int *met = mmap(NULL, sizeof(*met), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return met == MAP_FAILED ? NULL : met;
}

/*
 * Spins on CPU 0 for SECONDS once the other spinner is there too: each
 * alarm started at its own fork let one spinner run most of its time
 * alone where moving the second to CPU 0 took long (1.5 s in a starved
 * arm64 guest), and the two shared the CPU for a few ticks only.
 */
static void spin(int seconds, int *met)
{
	unsigned long n = 0;

	pin(0);
	__atomic_add_fetch(met, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(met, __ATOMIC_SEQ_CST) < 2)
		;	/* no system call while waiting either */
	signal(SIGALRM, on_alarm);
	alarm(seconds);
	while (!stop)	/* no system call in the loop */
		n++;
	_exit(n == 0);
}

/*
 * One side of a pipe ping-pong on CPU 1, until the alarm: each byte read
 * is written back (ping starts).  Either side sees the other's end as EOF.
 */
static void pingpong(const char *name, int in, int out, int seconds)
{
	char c = 'x';

	prctl(PR_SET_NAME, name);
	pin(1);
	signal(SIGALRM, on_alarm);
	alarm(seconds);
	if (!strcmp(name, "lde-ping") && write(out, &c, 1) != 1)
		_exit(1);
	while (!stop && read(in, &c, 1) == 1)
		if (write(out, &c, 1) != 1)
			break;
	_exit(0);
}

/* Whether the thread tid of this process has exited (a zombie, 'Z'). */
static int thread_exited(pid_t tid)
{
	char path[64], stat[256], *state;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	f = fopen(path, "re");
	if (!f)
		return 1;
	n = fread(stat, 1, sizeof(stat) - 1, f);
	fclose(f);
	stat[n] = '\0';
	state = strrchr(stat, ')');
	return state && state[1] == ' ' && state[2] == 'Z';
}

/* Outlives main(): its last system call comes after main's exit. */
/*
 * Paths meant to fail, each opened once: what a tracer decodes of them is
 * compared with strace's.  Raw system calls: the C library adds none.
 */
static int open_hostile_paths(void)
{
	static const char *const paths[] = {
		"/tmp/lde no \"such\" \\ file\n\xc3\xa9\x01\x7f\xff",
		"/tmp/lde-\t-tab-\r-",
		"",
	};
	char longpath[400];
	unsigned int i;
	int fd;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (syscall(SYS_openat, AT_FDCWD, paths[i], O_RDONLY) >= 0)
			return 1;
	/* 399 bytes: past lde's bound, under any component's limit. */
	memset(longpath, 'd', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	for (i = 0; i < sizeof(longpath) - 1; i += 50)
		longpath[i] = '/';
	if (syscall(SYS_openat, AT_FDCWD, longpath, O_RDONLY) >= 0)
		return 1;
	/* A relative path from a descriptor that is not open: EBADF. */
	if (syscall(SYS_openat, 1000, "relative", O_RDONLY) >= 0)
		return 1;
	/* A pointer to nothing: EFAULT, and no tracer may fault on it. */
	if (syscall(SYS_openat, AT_FDCWD, (const char *)1, O_RDONLY) >= 0)
		return 1;
	/* And one that works. */
	fd = syscall(SYS_openat, AT_FDCWD, "/", O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return 1;
	close(fd);
	return 0;
}

static void *last_thread(void *arg)
{
	struct timespec ms = { .tv_nsec = 1000000 };
	pid_t main_tid = getpid();
	int i;

	/* Until main() has really gone (at most 10 s). */
	for (i = 0; i < 10000 && !thread_exited(main_tid); i++)
		nanosleep(&ms, NULL);
	for (i = 0; i < 20; i++) {
		nanosleep(&ms, NULL);
		syscall(SYS_getppid);
	}
	return NULL;	/* the last thread: the C library ends the process */
}

/*
 * A 64-bit program's calls through the i386 table: int $0x80 takes the
 * number in eax and arguments in ebx, ecx, edx (32 bits: the buffer is
 * mapped below 4 GiB), and clobbers r8-r11 on the way back.
 */
static int int80_calls(void)
{
#if defined(__x86_64__)
	char *buf = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	long pid = syscall(SYS_getpid), ret;

	if (buf == MAP_FAILED)
		return 1;
	memcpy(buf, "int80\n", 6);
	asm volatile("int $0x80" : "=a"(ret) : "a"(20L)
		     : "r8", "r9", "r10", "r11", "memory");
	if (ret != pid)
		return 1;
	/* To stderr: lde-trace's stdout is the trace. */
	asm volatile("int $0x80" : "=a"(ret) : "a"(4L), "b"(2L), "c"(buf),
		     "d"(6L) : "r8", "r9", "r10", "r11", "memory");
	if (ret != 6)
		return 1;
	return syscall(SYS_getpid) == pid ? 0 : 1;
#else
	fprintf(stderr, "lde_workload: int80: an x86-64 program's i386 calls; this ISA has none\n");
	return 1;
#endif
}

static void on_signal(int sig)
{
}

/*
 * Two returns from a handler: after a call, and after an interrupted one.
 * SIGALRM is blocked before its timer is set and let in by sigsuspend()
 * alone, so it interrupts that call however late the call comes: a
 * nanosleep after the timer, as this was, once ran its whole length
 * when a stall under strace in a loaded TCG guest let the signal in
 * first.  The handler's frame restores the mask sigsuspend replaced:
 * rt_sigreturn({mask=[USR2 ALRM]}) = -1 EINTR.
 */
static int signal_returns(void)
{
	struct sigaction sa = { .sa_handler = on_signal };	/* no SA_RESTART */
	struct itimerval soon = { .it_value.tv_usec = 100000 };
	sigset_t usr2, alrm;

	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	sigemptyset(&alrm);
	sigaddset(&alrm, SIGALRM);
	if (sigaction(SIGUSR1, &sa, NULL) || sigaction(SIGALRM, &sa, NULL) ||
	    sigprocmask(SIG_BLOCK, &usr2, NULL))
		return 1;
	if (syscall(SYS_kill, getpid(), SIGUSR1))
		return 1;
	if (sigprocmask(SIG_BLOCK, &alrm, NULL) ||
	    setitimer(ITIMER_REAL, &soon, NULL))
		return 1;
	/* Always -1 EINTR, after the handler. */
	if (sigsuspend(&usr2) != -1 || errno != EINTR)
		return 1;
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	long i, n;

	if (!strcmp(mode, "getppid") && argc > 2) {
		n = atol(argv[2]);
		for (i = 0; i < n; i++)
			syscall(SYS_getppid);
		return 0;
	}
	if (!strcmp(mode, "openloop") && argc > 2) {
		struct timespec a, b;
		int fd;

		n = atol(argv[2]);
		clock_gettime(CLOCK_MONOTONIC, &a);
		for (i = 0; i < n; i++) {
			fd = syscall(SYS_openat, AT_FDCWD, "/dev/null",
				     O_RDONLY);
			if (fd < 0)
				return 1;
			syscall(SYS_close, fd);
		}
		clock_gettime(CLOCK_MONOTONIC, &b);
		printf("ns_per_call %.1f\n", ((b.tv_sec - a.tv_sec) * 1e9 +
		       (b.tv_nsec - a.tv_nsec)) / n);
		return 0;
	}
	if (!strcmp(mode, "loop") && argc > 2) {
		struct timespec a, b;

		n = atol(argv[2]);
		clock_gettime(CLOCK_MONOTONIC, &a);
		for (i = 0; i < n; i++)
			syscall(SYS_getppid);
		clock_gettime(CLOCK_MONOTONIC, &b);
		printf("ns_per_call %.1f\n", ((b.tv_sec - a.tv_sec) * 1e9 +
		       (b.tv_nsec - a.tv_nsec)) / n);
		return 0;
	}
	if (!strcmp(mode, "segv")) {
		*(volatile int *)NULL = 1;
		return 0;
	}
	if (!strcmp(mode, "spin") && argc > 2) {
		int *met = spinners_met();
		pid_t a, b;

		if (!met)
			return 1;
		a = fork();
		if (a == 0)
			spin(atoi(argv[2]), met);
		b = a < 0 ? -1 : fork();
		if (b == 0)
			spin(atoi(argv[2]), met);
		if (b < 0) {	/* the first would wait for the second forever */
			if (a > 0)
				kill(a, SIGKILL);
			return 1;
		}
		waitpid(a, NULL, 0);
		waitpid(b, NULL, 0);
		return 0;
	}
	if (!strcmp(mode, "sched") && argc > 2) {
		int to_pong[2], to_ping[2], seconds = atoi(argv[2]), k;
		int *met = spinners_met();
		pid_t kids[4];

		if (!met || pipe(to_pong) || pipe(to_ping))
			return 1;
		for (k = 0; k < 4; k++) {
			kids[k] = fork();
			if (kids[k] < 0) {
				while (k--)
					kill(kids[k], SIGKILL);
				return 1;
			}
			if (kids[k])
				continue;
			if (k < 2) {
				close(to_pong[0]), close(to_pong[1]);
				close(to_ping[0]), close(to_ping[1]);
				prctl(PR_SET_NAME, "lde-spin");
				spin(seconds, met);
			}
			/* Only its own ends: the other's exit is its EOF. */
			close(k == 2 ? to_ping[1] : to_pong[1]);
			close(k == 2 ? to_pong[0] : to_ping[0]);
			if (k == 2)
				pingpong("lde-ping", to_ping[0], to_pong[1], seconds);
			pingpong("lde-pong", to_pong[0], to_ping[1], seconds);
		}
		close(to_pong[0]), close(to_pong[1]);
		close(to_ping[0]), close(to_ping[1]);
		for (k = 0; k < 4; k++)
			waitpid(kids[k], NULL, 0);
		return 0;
	}
	if (!strcmp(mode, "comm") && argc > 2) {
		prctl(PR_SET_NAME, argv[2]);
		syscall(SYS_getppid);
		return 0;
	}
	if (!strcmp(mode, "toy")) {
		struct lde_frame frame = { .size = sizeof(frame) };
		struct lde_trap trap = { .size = sizeof(trap) };
		int fd = open("/dev/lde", O_RDWR | O_CLOEXEC);

		if (fd < 0) {
			perror("/dev/lde");
			return 1;
		}
		trap.nr = LDE_SYS_GETPID;
		ioctl(fd, LDE_IOC_TRAP, &trap);
		trap.nr = LDE_SYS_WRITE;
		trap.args[0] = (unsigned long)"hello";
		trap.args[1] = 5;
		ioctl(fd, LDE_IOC_TRAP, &trap);
		trap.nr = LDE_SYS_FRAME;
		trap.args[0] = (unsigned long)&frame;
		ioctl(fd, LDE_IOC_TRAP, &trap);
		/* The levels in the ISA's words (lde_test_util.h). */
		printf("toy frame: " LDE_FRAME_LEVELS_FMT ", handler %u bytes deep in a %u-byte kernel stack, pt_regs in the top %u\n",
		       LDE_FRAME_LEVELS_ARGS(&frame),
		       frame.handler_stack_depth, frame.kernel_stack_size,
		       frame.regs_depth);
		trap.nr = 99;
		if (ioctl(fd, LDE_IOC_TRAP, &trap))
			perror("toy syscall 99");
		close(fd);
		return 0;
	}
	if (!strcmp(mode, "hop") && argc > 2) {
		/* System calls that return on another CPU, or after a sleep. */
		struct timespec two_ms = { .tv_nsec = 2000000 };
		cpu_set_t set;

		n = atol(argv[2]);
		for (i = 0; i < n; i++) {
			CPU_ZERO(&set);
			CPU_SET(i % 2, &set);
			if (sched_setaffinity(0, sizeof(set), &set))
				return 1;
			nanosleep(&two_ms, NULL);
		}
		return 0;
	}
	if (!strcmp(mode, "forks") && argc > 2) {
		n = atol(argv[2]);
		for (i = 0; i < n; i++) {
			pid_t child = fork();

			if (child < 0)
				return 1;
			if (child == 0)
				_exit(0);
			if (waitpid(child, NULL, 0) != child)
				return 1;
		}
		return 0;
	}
	/*
	 * The parent waits on CPU 1, idle, so it runs as soon as exit_notify()
	 * wakes it, while the child still has do_exit() to finish on CPU 0.
	 */
	if (!strcmp(mode, "reaped") && argc > 2) {
		n = atol(argv[2]);
		pin(1);
		for (i = 0; i < n; i++) {
			pid_t child = fork();

			if (child < 0)
				return 1;
			if (child == 0) {
				pin(0);
				_exit(0);
			}
			if (waitpid(child, NULL, 0) != child)
				return 1;
		}
		return 0;
	}
	if (!strcmp(mode, "threadexit")) {
		pthread_t t;

		if (pthread_create(&t, NULL, last_thread, NULL))
			return 1;
		pthread_exit(NULL);
	}
	if (!strcmp(mode, "paths"))
		return open_hostile_paths();
	if (!strcmp(mode, "int80"))
		return int80_calls();
	if (!strcmp(mode, "signals"))
		return signal_returns();
	if (!strcmp(mode, "idle")) {
		for (;;) {
			syscall(SYS_getppid);
			usleep(10000);
		}
	}
	fprintf(stderr, "usage: %s getppid N | segv | spin S | comm NAME | idle | toy | loop N | hop N | threadexit | forks N | reaped N | paths | openloop N | int80 | signals\n",
		argv[0]);
	return 2;
}
