/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers the lde selftests share: load and unload lde.ko through the
 * system calls themselves, trap through /dev/lde, read counters and
 * /proc switch counts, drive tracefs.
 */
#ifndef _LDE_TEST_UTIL_H
#define _LDE_TEST_UTIL_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/lde.h>

/*
 * The ISA's words for a trap frame (lde.ko's lde_arch.h on the kernel
 * side): the level the saved user registers ran at and the handler runs
 * at, the selector the frame saves (arm64 has none: 0), whether the saved
 * flags say interrupts were on, the least size of the saved registers, and
 * the highest user address.
 */
#if defined(__x86_64__)
#define LDE_ISA			"x86_64"
#define LDE_USER_LEVEL		3	/* CPL of the saved cs */
#define LDE_KERNEL_LEVEL	0
#define LDE_PT_REGS_MIN		168	/* sizeof(struct pt_regs) */
#define LDE_USER_TOP		0x00007fffffffffffULL	/* 4-level paging */
static inline unsigned long lde_user_code_selector(void)
{
	unsigned short cs;

	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	return cs;
}

static inline bool lde_flags_irqs_on(unsigned long long flags)
{
	return flags & 0x200;	/* rflags.IF */
}

/*
 * lde_workload toy's words for the frame's levels: the saved code
 * selector and its CPL (the selector's low two bits), the handler's CPL.
 * The SCAN twin reads them back (lde_trap_test), saved value first.
 */
#define LDE_FRAME_LEVELS_FMT	"saved cs=0x%llx (CPL %u), handler CPL %u"
#define LDE_FRAME_LEVELS_ARGS(f) (f)->cs, (f)->user_cpl, (f)->kernel_cpl
#define LDE_FRAME_LEVELS_SCAN	"toy frame: saved cs=0x%llx (CPL %u), handler CPL %u, %n"
static inline unsigned int lde_saved_level_of(unsigned long long cs)
{
	return cs & 3;
}

/* lde-trace's boot object: the system-call entry, part of the timer's
 * and the page fault's handler names. */
#define LDE_SYSCALL_ENTRY	"entry_SYSCALL_64"
#define LDE_TIMER_HANDLER_PART	"timer_interrupt"
#define LDE_FAULT_HANDLER_PART	"page_fault"

/* What each CPU's row of /sys/kernel/debug/lde/boot must say. */
static const char *const lde_boot_cpu_facts[] = {
	" syscall_entry entry_SYSCALL_64 ", " timer_vector 236 ",
	" fault_vector 14 fault_handler asm_exc_page_fault",
};
#elif defined(__aarch64__)
#define LDE_ISA			"aarch64"
#define LDE_USER_LEVEL		0	/* EL0, in the saved pstate */
#define LDE_KERNEL_LEVEL	1	/* EL1: CurrentEL without VHE */
#define LDE_PT_REGS_MIN		272	/* x0-x30, sp, pc, pstate */
/* User addresses fit in 52 bits (the most VA_BITS allows); kernel's don't. */
#define LDE_USER_TOP		((1ULL << 52) - 1)
static inline unsigned long lde_user_code_selector(void)
{
	return 0;
}

static inline bool lde_flags_irqs_on(unsigned long long flags)
{
	return !(flags & 0x80);	/* PSTATE.I: IRQs masked */
}

/*
 * lde_workload toy's words for the frame's levels: arm64 saves no
 * selector; the PSTATE the exception saved (SPSR_EL1, kept as
 * pt_regs->pstate) says the level in its mode field, M[3:2] (EL0t is 0),
 * and the handler runs at CurrentEL's.  The SCAN twin reads them back
 * (lde_trap_test), saved value first.
 */
#define LDE_FRAME_LEVELS_FMT	"saved pstate=0x%llx (EL%u), handler EL%u"
#define LDE_FRAME_LEVELS_ARGS(f) (f)->flags, (f)->user_cpl, (f)->kernel_cpl
#define LDE_FRAME_LEVELS_SCAN	"toy frame: saved pstate=0x%llx (EL%u), handler EL%u, %n"
static inline unsigned int lde_saved_level_of(unsigned long long pstate)
{
	return (pstate & 0xf) >> 2;
}

/* The EL0 slots of VBAR_EL1: svc and faults share the synchronous one. */
#define LDE_SYSCALL_ENTRY	"el0t_64_sync"
#define LDE_TIMER_HANDLER_PART	"el0t_64_irq"
#define LDE_FAULT_HANDLER_PART	"el0t_64_sync"

/*
 * What each CPU's row of /sys/kernel/debug/lde/boot must say: the table
 * (vectors, or a Spectre-BHB variant vectors_bhb_*) and the handlers the
 * chapter's slots branch to; a guest kernel runs at EL1.
 */
static const char *const lde_boot_cpu_facts[] = {
	" vbar_el1 vectors", " el1_sync+0x200 el1h_64_sync ",
	" el1_irq+0x280 el1h_64_irq ", " el0_sync+0x400 el0t_64_sync ",
	" el0_irq+0x480 el0t_64_irq ", " current_el 1",
};
#else
#error "lde selftests: no trap-frame words for this ISA (lde_test_util.h)"
#endif

/* A number as a string literal: LDE_STR(LDE_USER_LEVEL) is "3" or "0". */
#define LDE_STR_(x)	#x
#define LDE_STR(x)	LDE_STR_(x)

#define LDE_DEV		"/dev/lde"
#define TRACEFS		"/sys/kernel/tracing"

static inline bool lde_loaded(void)
{
	return access("/sys/module/lde", F_OK) == 0;
}

/* finit_module(2) on $LDE_KO; 0 or -errno. */
static inline int lde_load(void)
{
	const char *ko = getenv("LDE_KO");
	int fd, ret = 0;

	if (!ko)
		return -ENOENT;
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, "", 0))
		ret = -errno;
	close(fd);
	return ret;
}

/* delete_module(2) without waiting, as rmmod does; 0 or -errno. */
static inline int lde_unload(void)
{
	return syscall(SYS_delete_module, "lde", O_NONBLOCK) ? -errno : 0;
}

/* Make sure lde.ko is loaded, for tests that only use it. */
static inline int lde_ensure_loaded(void)
{
	int ret;

	if (lde_loaded())
		return 0;
	ret = lde_load();
	return ret == -EEXIST ? 0 : ret;
}

/* Load lde.ko if needed and open /dev/lde: an fd, or -errno. */
static inline int lde_open_loaded(void)
{
	int ret = lde_ensure_loaded();

	if (ret)
		return ret;
	ret = open(LDE_DEV, O_RDWR | O_CLOEXEC);
	return ret < 0 ? -errno : ret;
}

/* One trap: the toy system call's result, or -errno. */
static inline long lde_trap(int fd, unsigned int nr, __u64 a0, __u64 a1)
{
	struct lde_trap trap = {
		.size = sizeof(trap),
		.nr = nr,
		.args = { a0, a1 },
	};

	if (ioctl(fd, LDE_IOC_TRAP, &trap))
		return -errno;
	return trap.ret;
}

static inline int lde_get_stats(int fd, int cpu, struct lde_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	st->cpu = cpu;
	return ioctl(fd, LDE_IOC_GET_STATS, st) ? -errno : 0;
}

static inline int lde_watch_op(int fd, unsigned long cmd, pid_t tid,
			       struct lde_watch *w)
{
	memset(w, 0, sizeof(*w));
	w->size = sizeof(*w);
	w->tid = tid;
	return ioctl(fd, cmd, w) ? -errno : 0;
}

/* voluntary_ctxt_switches and nonvoluntary_ctxt_switches of a thread. */
static inline int proc_switch_counts(pid_t tid, unsigned long long *vol,
				     unsigned long long *nonvol)
{
	char path[64], line[256];
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		found += sscanf(line, "voluntary_ctxt_switches: %llu", vol);
		found += sscanf(line, "nonvoluntary_ctxt_switches: %llu",
				nonvol);
	}
	fclose(f);
	return found == 2 ? 0 : -EINVAL;
}

static inline int pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* Write a string to a tracefs file; 0 or -errno. */
static inline int tracefs_write(const char *file, const char *val)
{
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), TRACEFS "/%s", file);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

/* The whole trace buffer as a malloc'd string, or NULL. */
static inline char *tracefs_read_trace(void)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	ssize_t n;
	int fd;

	fd = open(TRACEFS "/trace", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !buf) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += n;
		if (cap - len < 4096) {
			char *bigger = realloc(buf, cap *= 2);

			if (!bigger)
				break;
			buf = bigger;
		}
	}
	buf[len] = '\0';
	close(fd);
	return buf;
}

/*
 * LDE_TEST_TIMEOUT_SCALE, 1 to 999: how many times slower than an x86
 * guest this one runs (the arm64 guest's 4, make check-debug's 20).  A
 * test's own waits are scaled by it, as the harness's bounds are.
 */
static inline int lde_test_env_scale(const char *name)
{
	const char *scale_env = getenv(name);
	int scale = scale_env ? atoi(scale_env) : 1;

	return scale > 1 && scale < 1000 ? scale : 1;
}

static inline int lde_test_time_scale(void)
{
	return lde_test_env_scale("LDE_TEST_TIMEOUT_SCALE");
}

/*
 * LDE_TEST_BOUND_SCALE, 1 to 999: how many times more the harness's
 * time bounds (hang guards) allow beside that (make check's 2: guests
 * under TCG share the host's CPUs), leaving a test's own waits and
 * figures alone.
 */
static inline int lde_test_bound_scale(void)
{
	return lde_test_env_scale("LDE_TEST_BOUND_SCALE");
}

/*
 * In place of TEST_HARNESS_MAIN.  LDE_TEST_TIMEOUT_SCALE=N multiplies
 * every test's time bound (compiled into the harness's metadata) by N:
 * make check-debug's KASAN and lockdep kernel under TCG runs everything
 * many times slower; LDE_TEST_BOUND_SCALE multiplies them again.  This
 * constructor follows every test's registering one in the file, so it
 * runs after them (.init_array runs in order).
 */
#define LDE_HARNESS_MAIN						\
	static void __attribute__((constructor)) lde_scale_timeouts(void) \
	{								\
		int scale = lde_test_time_scale() *			\
			    lde_test_bound_scale();			\
		struct __fixture_metadata *f;				\
		struct __test_metadata *t;				\
									\
		for (f = __fixture_list; scale > 1 && f; f = f->next)	\
			for (t = f->tests; t; t = t->next)		\
				t->timeout *= scale;			\
	}								\
	TEST_HARNESS_MAIN

#endif /* _LDE_TEST_UTIL_H */
