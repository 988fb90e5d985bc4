/* SPDX-License-Identifier: GPL-2.0 */
/*
 * System calls, for lde_trace.bpf.c's sys_enter and sys_exit: what a trap
 * captures (number, table, saved PC and SP, arguments, the strings they
 * point at, rt_sigreturn's mask), where an open trap waits for its
 * return when its task leaves the CPU inside the call (struct
 * task_state, moved there by sched_switch), and -x/-M's traps held until
 * their return decides.  Registers are read through the arch header.
 */
#ifndef _LDE_SYSCALL_BPF_H
#define _LDE_SYSCALL_BPF_H

#include "lde_arch.bpf.h"
#include "lde_event.bpf.h"
#include "lde_tasks.bpf.h"

/* Set by lde-trace between open and load. */
/* -s alone: count traps and returns here instead of sending each one. */
const volatile bool aggregate_syscalls = false;
/*
 * Per system-call number: which arguments are strings to read, and
 * whether -t leaves it out (LDE_SYSCALL_SKIP).  lde-trace fills it from
 * the kernel's own syscall trace-event formats.
 */
const volatile __u8 syscall_attrs[LDE_MAX_SYSCALLS] = {};
/* The same, per number of the i386 table (LDE_COMPAT_I386). */
const volatile __u8 compat_syscall_attrs[LDE_MAX_SYSCALLS] = {};
/*
 * -x, -M: a trap waits in its task's storage until its return decides
 * whether the call is shown: only failed calls, only calls that spent at
 * least min_kernel_ns in the kernel.
 */
const volatile bool defer_traps = false;
const volatile bool failed_only = false;
const volatile __u64 min_kernel_ns = 0;

/*
 * Per thread: when it trapped in, for a thread that left its CPU inside a
 * traced system call (see struct cpu_state).
 */
struct task_state {
	__u64 trap_start;	/* 0: not in a traced trap */
	/* The trap's number and table, for its return (see struct cpu_state). */
	__s32 trap_nr;
	__u32 trap_compat;
	/* -x, -M: the trap, until its return decides (see defer_traps). */
	__u32 pending_kind;
	__u32 pad;
	struct lde_event pending;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_state);
} task_states SEC(".maps");

/* Indexed by lde_agg_slot(): the native table's calls, then the i386's. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LDE_AGG_SLOTS);
	__type(key, __u32);
	__type(value, struct lde_syscall_agg);
} syscall_agg SEC(".maps");

/* What lde-trace said of system call nr: strings to read, filtered out. */
static __always_inline __u8 syscall_attrs_of(long nr, __u32 compat)
{
	__u32 i;

	if ((unsigned long)nr >= LDE_MAX_SYSCALLS)
		return 0;
	/* The mask, after the barrier, bounds the register that indexes. */
	i = nr;
	barrier_var(i);
	i &= LDE_MAX_SYSCALLS - 1;
	if (unlikely(compat))
		return compat_syscall_attrs[i];
	return syscall_attrs[i];
}

/* rt_sigreturn's operand, the mask it restores (see lde_trace.h). */
static __always_inline void fill_sigreturn_mask(struct lde_trap_part *t,
						__u64 sp)
{
	__u64 at = lde_sigreturn_mask_addr(sp);

	t->args[LDE_SIGRETURN_MASK] = 0;
	t->args[LDE_SIGRETURN_MASK_READ] =
		!bpf_probe_read_user(&t->args[LDE_SIGRETURN_MASK], 8,
				     (void *)at);
}

/* The user registers the entry code saved: where the trap came from. */
static __always_inline void fill_trap(struct lde_trap_part *t,
				      struct pt_regs *regs, long id,
				      __u32 compat)
{
	t->nr = id;
	t->compat = compat;
	t->ip = lde_regs_ip(regs);
	t->sp = lde_regs_sp(regs);
	t->cpl = lde_regs_privilege(regs);
	if (unlikely(compat)) {
		lde_regs_compat_args(regs, t->args);
		return;
	}
	lde_regs_syscall_args(regs, t->args);
	if (unlikely(id == LDE_ARCH_NR_rt_sigreturn))
		fill_sigreturn_mask(t, lde_regs_sp(regs));
}

/* The calls that start a new program, in either table. */
static __always_inline bool starts_program(__s32 nr, __u32 compat)
{
	if (unlikely(compat))
		return nr == LDE_ARCH_NR_COMPAT_execve ||
		       nr == LDE_ARCH_NR_COMPAT_execveat;
	return nr == LDE_ARCH_NR_execve || nr == LDE_ARCH_NR_execveat;
}

/*
 * The string arguments of a trap (bits of strs), read from user memory at
 * the trap, LDE_TRAP_STRS at most, each cut at LDE_STR_LEN - 1 bytes.  A
 * pointer that does not point at readable memory (NULL, a bad address, a
 * page not present: the kernel cannot fault here) is said unreadable,
 * never guessed.
 */
static __always_inline void fill_trap_strings(struct lde_event *e, __u8 strs)
{
	__u32 n = 0;
	int i;

	__builtin_memset(e->trap_str.str, 0, sizeof(e->trap_str.str));
	e->trap_str.str_arg[0] = 0;
	e->trap_str.str_arg[1] = 0;
	e->trap_str.str_state[0] = LDE_STR_UNREADABLE;
	e->trap_str.str_state[1] = LDE_STR_UNREADABLE;
	for (i = 0; i < LDE_TRAP_ARGS; i++) {
		const char *user = (const char *)e->trap_str.trap.args[i];
		char *s, last = 0;
		long len;

		if (!(strs & (1U << i)) || n >= LDE_TRAP_STRS)
			continue;
		s = e->trap_str.str[n & (LDE_TRAP_STRS - 1)];
		len = bpf_probe_read_user_str(s, LDE_STR_LEN, user);
		e->trap_str.str_arg[n & (LDE_TRAP_STRS - 1)] = i;
		if (len < 0)
			e->trap_str.str_state[n & (LDE_TRAP_STRS - 1)] =
				LDE_STR_UNREADABLE;
		/* Full: cut, unless the string ended exactly there. */
		else if (len == LDE_STR_LEN &&
			 (bpf_probe_read_user(&last, 1,
					      user + LDE_STR_LEN - 1) || last))
			e->trap_str.str_state[n & (LDE_TRAP_STRS - 1)] =
				LDE_STR_CUT;
		else
			e->trap_str.str_state[n & (LDE_TRAP_STRS - 1)] =
				LDE_STR_READ;
		n++;
	}
	e->trap_str.nstrs = n;
}

/*
 * A string the trap could not read because its page was not present (the
 * program had not touched it yet: the trap program cannot fault it in)
 * can be read at the return, once the kernel has faulted it in to copy
 * it.  Not a NULL pointer, and not after an execve, whose return is in a
 * new address space.
 */
static __always_inline bool strings_to_read_again(const struct lde_event *e)
{
	__u32 n, arg;

	if (starts_program(e->trap.nr, e->trap.compat))
		return false;
	for (n = 0; n < LDE_TRAP_STRS; n++) {
		if (n >= e->trap_str.nstrs ||
		    e->trap_str.str_state[n] != LDE_STR_UNREADABLE)
			continue;
		arg = e->trap_str.str_arg[n];
		if (arg < LDE_TRAP_ARGS && e->trap.args[arg & 7])
			return true;
	}
	return false;
}

static __always_inline void read_strings_again(struct lde_event *e)
{
	__u32 n, arg;

	for (n = 0; n < LDE_TRAP_STRS; n++) {
		const char *user;
		char last = 0;
		long len;

		if (n >= e->trap_str.nstrs ||
		    e->trap_str.str_state[n] != LDE_STR_UNREADABLE)
			continue;
		arg = e->trap_str.str_arg[n];
		if (arg >= LDE_TRAP_ARGS)
			continue;
		user = (const char *)e->trap.args[arg & 7];
		if (!user)
			continue;
		len = bpf_probe_read_user_str(e->trap_str.str[n], LDE_STR_LEN,
					      user);
		if (len < 0)
			continue;
		if (len == LDE_STR_LEN &&
		    (bpf_probe_read_user(&last, 1, user + LDE_STR_LEN - 1) ||
		     last))
			e->trap_str.str_state[n] = LDE_STR_CUT;
		else
			e->trap_str.str_state[n] = LDE_STR_READ;
	}
}

/* The trap e, kept in task's storage until its return sends it. */
static __always_inline bool hold_trap(struct task_struct *task,
				      const struct lde_event *e)
{
	struct task_state *st;

	st = bpf_task_storage_get(&task_states, task, 0,
				  BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!st)
		return false;
	__builtin_memcpy(&st->pending, e, sizeof(st->pending));
	st->pending_kind = LDE_EVENT_TRAP_STRINGS;
	return true;
}

/*
 * -x, -M: the trap is written in its task's storage, not sent; the return
 * sends it, or not (send_deferred_trap).
 */
static __always_inline void defer_trap(struct task_struct *task,
				       struct pt_regs *regs, long id,
				       __u32 compat, __u8 strs, __u64 now)
{
	struct task_state *st;
	struct lde_event *e;

	st = bpf_task_storage_get(&task_states, task, 0,
				  BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!st) {
		count_lost(1);
		return;
	}
	e = &st->pending;
	e->ts_ns = now;
	e->cpu = task->thread_info.cpu;
	e->pid = task->tgid;
	e->tid = task->pid;
	__builtin_memcpy(e->comm, task->comm, sizeof(e->comm));
	fill_trap(&e->trap, regs, id, compat);
	if (strs) {
		fill_trap_strings(e, strs);
		st->pending_kind = LDE_EVENT_TRAP_STRINGS;
	} else {
		st->pending_kind = LDE_STAGE_TRAP;
	}
	e->stage = st->pending_kind;
	st->trap_start = now;
	st->trap_nr = id;
	st->trap_compat = compat;
}

/*
 * A trap held in its task (-x, -M, or a string to read again) goes out
 * just before its return, with the time and comm it had when it trapped.
 */
static __always_inline void send_deferred_trap(__u32 cpu,
					       struct task_struct *task,
					       struct task_state *st)
{
	struct lde_batch *b;
	struct lde_event *e;

	if (st->pending_kind == LDE_EVENT_TRAP_STRINGS) {
		if (strings_to_read_again(&st->pending))
			read_strings_again(&st->pending);
		e = event_start(&b, cpu, LDE_EVENT_TRAP_STRINGS,
				st->pending.ts_ns, task);
		if (!e)
			return;
		__builtin_memcpy(e->comm, st->pending.comm, sizeof(e->comm));
		__builtin_memcpy(&e->trap_str, &st->pending.trap_str,
				 sizeof(e->trap_str));
		event_send(b, LDE_EVENT_TRAP_STRINGS);
		return;
	}
	e = event_start(&b, cpu, LDE_STAGE_TRAP, st->pending.ts_ns, task);
	if (!e)
		return;
	__builtin_memcpy(e->comm, st->pending.comm, sizeof(e->comm));
	__builtin_memcpy(&e->trap, &st->pending.trap, sizeof(e->trap));
	event_send(b, LDE_STAGE_TRAP);
}

/* The trap held for a string to read again: out now, before its return. */
static __always_inline void send_held_trap(__u32 cpu,
					   struct task_struct *task,
					   struct task_state *st)
{
	if (!st)
		st = bpf_task_storage_get(&task_states, task, 0, 0);
	if (!st || !st->pending_kind)
		return;
	send_deferred_trap(cpu, task, st);
	st->pending_kind = 0;
}

/*
 * -x, -M: the start of the call whose return this is, if it is shown,
 * and its number and table in *nr and *compat.
 */
static __always_inline __u64 deferred_start(__u32 cpu,
					    struct task_struct *task,
					    long ret, __u64 now, __s32 *nr,
					    __u32 *compat)
{
	struct task_state *st = bpf_task_storage_get(&task_states, task, 0, 0);
	__u64 start;

	if (!st || !st->trap_start)
		return 0;
	start = st->trap_start;
	st->trap_start = 0;
	*nr = st->trap_nr;
	*compat = st->trap_compat;
	if (failed_only && !(ret < 0 && ret >= -4095))
		return 0;
	if (now - start < min_kernel_ns)
		return 0;
	if (stage_on(LDE_STAGE_TRAP))
		send_deferred_trap(cpu, task, st);
	return start;
}

#define TASK_DEAD	0x80	/* include/linux/sched.h */

/*
 * sched_switch: prev leaves inside a traced system call: its trap goes
 * with it, to its task's storage, unless prev is dead (exit_group traps
 * and never returns).
 */
static __always_inline void trap_leaves_with(struct cpu_state *cs,
					     struct task_struct *prev,
					     unsigned int prev_state)
{
	struct task_state *st = NULL;

	if (!cs->trap_tid || cs->trap_tid != prev->pid)
		return;
	if (!(prev_state & TASK_DEAD)) {
		st = bpf_task_storage_get(&task_states, prev, 0,
					  BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (!st)
			count_lost(1);	/* its return */
	}
	if (st) {
		st->trap_start = cs->trap_start;
		st->trap_nr = cs->trap_nr;
		st->trap_compat = cs->trap_compat;
	}
	cs->trap_tid = 0;
	cs->trap_held = 0;	/* the held trap is in prev's storage */
}

#endif /* _LDE_SYSCALL_BPF_H */
