/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * lde: OSTEP chapter 6 ("Limited Direct Execution") on a live kernel.
 *
 * The one ABI that lde.ko, the command-line tools and the selftests share.
 * /dev/lde plays the machine: LDE_IOC_TRAP is the trap instruction, the toy
 * system-call number selects a handler in a trap table that the module
 * builds at load time ("boot") and seals, and the ioctl's return is the
 * return-from-trap.
 *
 * Structs that cross the boundary start with their size, as clone3() and
 * openat2() do: an older binary passes a smaller struct (the rest reads as
 * zero), a newer one a larger struct whose unknown tail must be zero
 * (otherwise -E2BIG).  The module tells the ioctls apart by type, number
 * and direction, not by the size that _IOWR() encodes, so a struct can grow
 * without the command changing meaning.  See Documentation/lde-abi.rst.
 */
#ifndef _UAPI_LINUX_LDE_H
#define _UAPI_LINUX_LDE_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define LDE_DEVICE_NAME		"lde"

/* Toy system-call numbers: the index into the module's trap table. */
enum lde_sysno {
	LDE_SYS_NULL	= 0,	/* does nothing; returns 0 */
	LDE_SYS_GETPID	= 1,	/* the caller's tgid in its pid namespace */
	LDE_SYS_WRITE	= 2,	/* args: buf, len; returns bytes kept */
	LDE_SYS_READ	= 3,	/* args: buf, len; returns bytes copied */
	LDE_SYS_YIELD	= 4,	/* returns context switches it caused */
	LDE_SYS_TIME	= 5,	/* args: clock (LDE_CLOCK_*); returns ns */
	LDE_SYS_FRAME	= 6,	/* args: struct lde_frame *; returns 0 */
	LDE_NR_SYSCALLS
};

/* The toy system calls' names, indexed by enum lde_sysno. */
#define LDE_SYSCALL_NAMES \
	{ "null", "getpid", "write", "read", "yield", "time", "frame" }

/* Bytes the toy write call keeps per open file; longer writes are short. */
#define LDE_BUF_SIZE		4096

#define LDE_CLOCK_MONOTONIC	0
#define LDE_CLOCK_REALTIME	1

/* The trap: a toy system-call number and up to six arguments. */
struct lde_trap {
	__u32 size;		/* sizeof(struct lde_trap) as the caller knows it */
	__u32 nr;		/* enum lde_sysno */
	__u64 args[6];
	__s64 ret;		/* out: the handler's result when the ioctl succeeds */
};
#define LDE_TRAP_SIZE_VER0	64

/*
 * The trap frame: the user-mode registers that the entry path saved on the
 * task's kernel stack, and where the handler runs.  Depths are in bytes
 * below the top of the kernel stack, never addresses.
 */
struct lde_frame {
	__u32 size;		/* in: sizeof(struct lde_frame) as the caller knows it */
	__u32 user_cpl;		/* privilege level of the saved cs: 3 (arm64: saved pstate's EL, 0) */
	__u32 kernel_cpl;	/* privilege level the handler runs at: 0 (arm64: CurrentEL, 1) */
	__u32 kernel_stack_size;	/* THREAD_SIZE */
	__u64 ip;		/* saved user instruction pointer */
	__u64 sp;		/* saved user stack pointer */
	__u64 flags;		/* saved rflags (arm64: saved pstate) */
	__u64 cs;		/* saved code segment selector (arm64: 0) */
	__u64 ss;		/* saved stack segment selector (arm64: 0) */
	/*
	 * The handler's stack pointer, below the top.  Exact for
	 * CAP_PERFMON; for others rounded up to hide the random offset
	 * that each system call adds to the kernel stack.
	 */
	__u32 handler_stack_depth;
	__u32 regs_depth;	/* start of the saved registers, below the top */
};
#define LDE_FRAME_SIZE_VER0	64

/* Kinds of error counted by the module, one counter each. */
enum lde_err_kind {
	LDE_ERR_NOSYS,		/* unknown toy system-call number */
	LDE_ERR_FAULT,		/* bad user pointer */
	LDE_ERR_INVAL,		/* bad size or argument */
	LDE_ERR_2BIG,		/* unknown non-zero trailing bytes */
	LDE_ERR_PERM,		/* privileged request refused */
	LDE_ERR_NOTTY,		/* unknown ioctl command */
	LDE_ERR_OTHER,
	LDE_ERR_KINDS
};

#define LDE_STATS_MAX_SYSCALLS	16
#define LDE_STATS_ALL_CPUS	(-1)

/*
 * Counters, for one CPU or summed over all.  Switch-outs are split as the
 * kernel splits /proc/<pid>/status: voluntary when the task blocked,
 * preempted when it was still runnable (timer tick, wakeup preemption, and
 * sched_yield(), which Linux counts as non-voluntary).  Each is counted on
 * its own, and the three are read one after another while switches go on,
 * so switches may differ from voluntary + preempted by the switches in
 * flight.  Counts are since load or the last LDE_IOC_RESET_STATS.
 */
struct lde_stats {
	__u32 size;		/* in: sizeof(struct lde_stats) as the caller knows it */
	__s32 cpu;		/* in: CPU number or LDE_STATS_ALL_CPUS */
	__u64 traps[LDE_STATS_MAX_SYSCALLS];	/* dispatched, per toy syscall */
	__u64 errors[8];	/* failed ioctls, per enum lde_err_kind */
	__u64 switches;		/* sched_switch events */
	__u64 voluntary;
	__u64 preempted;
};
#define LDE_STATS_SIZE_VER0	224

/*
 * Watch the context switches of one task (a thread).  The module has
 * LDE_WATCH_SLOTS watches in all; one open file holds at most
 * LDE_WATCHES_PER_FILE of them and one user (who opened the files) at most
 * LDE_WATCHES_PER_USER, so no user can take them all: past either bound
 * LDE_IOC_WATCH fails with ENOSPC, as inotify_add_watch() does at its
 * per-user limit.
 */
#define LDE_WATCH_SLOTS		64
#define LDE_WATCHES_PER_FILE	8
#define LDE_WATCHES_PER_USER	16

/* What one watch counts, and which task it names. */
struct lde_watch {
	__u32 size;		/* in: sizeof(struct lde_watch) as the caller knows it */
	__s32 tid;		/* in: thread id in the caller's namespace, 0: self */
	__u64 voluntary;	/* out (LDE_IOC_WATCH_STATS): switch-outs, blocked */
	__u64 preempted;	/* out: switch-outs while still runnable */
	__u64 switched_in;	/* out: times the task was switched in */
};
#define LDE_WATCH_SIZE_VER0	32

/* Replacing a trap-table entry: refused to everyone (-EPERM). */
struct lde_set_trap {
	__u32 size;
	__u32 nr;
	__u64 handler;
};

#define LDE_IOC_MAGIC		0xE6

#define LDE_IOC_TRAP		_IOWR(LDE_IOC_MAGIC, 0x00, struct lde_trap)
#define LDE_IOC_NOP		_IO(LDE_IOC_MAGIC, 0x01)
#define LDE_IOC_SET_TRAP	_IOW(LDE_IOC_MAGIC, 0x02, struct lde_set_trap)
#define LDE_IOC_GET_STATS	_IOWR(LDE_IOC_MAGIC, 0x03, struct lde_stats)
#define LDE_IOC_RESET_STATS	_IO(LDE_IOC_MAGIC, 0x04)
#define LDE_IOC_WATCH		_IOW(LDE_IOC_MAGIC, 0x05, struct lde_watch)
#define LDE_IOC_UNWATCH		_IOW(LDE_IOC_MAGIC, 0x06, struct lde_watch)
#define LDE_IOC_WATCH_STATS	_IOWR(LDE_IOC_MAGIC, 0x07, struct lde_watch)

#endif /* _UAPI_LINUX_LDE_H */
