// SPDX-License-Identifier: GPL-2.0
/*
 * lde-trace's kernel half: the limited-direct-execution sequence on the
 * running kernel (trap, return-from-trap, switch, timer, exec, exit, fault,
 * and lde.ko's own events), filtered here, in the kernel, and sent to user
 * space through a BPF ring buffer, a batch of a CPU's events at a time.
 * A batch the ring has no room for is counted lost, event by event, never
 * silently dropped.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "lde_trace.h"
#include "lde_module_events.h"

#define SIGILL	4
#define SIGBUS	7
#define SIGFPE	8
#define SIGSEGV	11

#define TASK_DEAD	0x80	/* include/linux/sched.h */
#define EEXIST		17
#define PF_KTHREAD	0x00200000

#ifndef unlikely
#define unlikely(x)	__builtin_expect(!!(x), 0)
#endif

/* x86-64 system-call numbers of the calls that start a new program. */
#define NR_execve	59
#define NR_execveat	322
/* The same calls' numbers in the i386 table. */
#define NR_i386_execve		11
#define NR_i386_execveat	358
#define NR_rt_sigreturn		15

/*
 * arch/x86/include/asm/thread_info.h: the entry code sets TS_COMPAT in
 * thread_info.status for a system call made through the i386 table (int
 * $0x80, sysenter, a 32-bit syscall), and clears it on the way back to
 * user mode, after sys_exit: the kernel's own in_ia32_syscall().
 */
#define TS_COMPAT	0x0002
/* The user code segment of 64-bit mode (user_64bit_mode()). */
#define USER64_CS	0x33

/* Every part of an event is whole 8-byte words: no unwritten tail. */
#define PART_WORDS(part) \
	_Static_assert(LDE_EVENT_SIZE(part) % 8 == 0, #part " has a tail")
PART_WORDS(trap);
PART_WORDS(trap_str);
PART_WORDS(ret);
PART_WORDS(exec_ret);
PART_WORDS(sw);
PART_WORDS(timer);
PART_WORDS(exec);
PART_WORDS(exit);
PART_WORDS(fault);
PART_WORDS(fork);
PART_WORDS(reap);
PART_WORDS(wakeup);

/* Set by lde-trace between open and load. */
const volatile bool filter_tgid = false;	/* only tasks in traced_tasks */
const volatile bool follow_forks = false;	/* child processes join them */
const volatile char filter_comm[LDE_COMM_LEN] = {};
const volatile __u32 stage_mask = ~0U;
/* -s alone: count traps and returns here instead of sending each one. */
const volatile bool aggregate_syscalls = false;
/*
 * -s: sum each switch here (lde_sched_sum.h), and send its event only if
 * a view or a file needs it (send_switches).
 */
const volatile bool aggregate_sched = false;
const volatile bool send_switches = true;
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
 * A batch is sent when it cannot take one more event of this size
 * (LDE_EVENT_MAX to LDE_BATCH_BYTES): a small ring takes small batches,
 * and LDE_EVENT_MAX sends each event at once, in order across CPUs.
 */
const volatile __u32 batch_bytes = LDE_BATCH_BYTES;
/* Wake the reader once per this much sent (256 KiB); it also polls. */
const volatile __u32 wakeup_shift = 18;

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} events SEC(".maps");

/* What could not be sent or followed, per CPU, by enum lde_lost. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LDE_NR_LOST);
	__type(key, __u32);
	__type(value, __u64);
} lost_events SEC(".maps");

/*
 * The tasks traced (-p, -- COMMAND and its descendants): a mark in each
 * task's own storage, made before the task first runs (at its fork, by a
 * traced parent) or, for the process named at the start, by
 * lde_mark_process.  The mark lives and dies with the task_struct: a task
 * is traced up to its very last switch-out, which can come after its
 * parent reaped it from another CPU, and a pid reused later names a task
 * without one.  Storage that cannot be made (no memory) is counted in
 * LDE_LOST_FORKS, never silently left out.
 */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u8);	/* unused: the storage is the mark */
} traced_tasks SEC(".maps");

/*
 * While lde-trace marks the process named at the start (lde_mark_process),
 * its tgid: a thread it starts meanwhile is marked at its fork too.  0 the
 * rest of the time.
 */
volatile __u32 mark_tgid;

/*
 * Processes whose exit was sent: once, when the last thread exits.  In an
 * exit_group every thread exits at once, and those that counted
 * themselves out before the last may reach the tracepoint after it.
 * Cleared at the reap.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);	/* tgid */
	__type(value, __u8);
} exited_tgids SEC(".maps");

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

/*
 * Per CPU, in an array indexed by CPU (lde-trace sizes it): the verifier
 * inlines an array lookup, where a per-CPU array or task storage costs a
 * helper call.  Only the system-call programs use it, and they never
 * interrupt each other.
 *
 * The open trap of the task running here: a system call that does not
 * block returns on the CPU it trapped on, so its trap time waits here.  A
 * task leaves its CPU only through a switch, and the switch moves an open
 * trap to the task's storage, where its return finds it.
 *
 * Whether the task running here is traced, written by the switch to it:
 * a task is marked before it first runs and keeps its mark, so the
 * answer holds until the next switch, whatever pid it has (no lookup by
 * pid, which a new process can reuse).  A comm can change, so with -c
 * the comm is compared every time.
 */
struct cpu_state {
	__u64 trap_start;	/* when trap_tid trapped in */
	__u32 trap_tid;		/* 0: no traced trap open here */
	/*
	 * The number trap_tid trapped with, and its table: the return takes
	 * them from here, as strace does, not from orig_ax, which
	 * rt_sigreturn overwrites with the interrupted context's (-1).
	 */
	__s32 trap_nr;
	__u32 trap_compat;
	__u32 curr_tid;		/* the task switched to last, here */
	__u8 curr_known;	/* a switch here was seen: curr_* hold */
	__u8 curr_traced;	/* curr_tid is in traced_tasks */
	__u8 trap_held;		/* trap_tid's trap waits in its storage */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);	/* lde-trace sets: possible CPUs */
	__type(key, __u32);
	__type(value, struct cpu_state);
} cpu_states SEC(".maps");

/* Indexed by lde_agg_slot(): the native table's calls, then the i386's. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LDE_AGG_SLOTS);
	__type(key, __u32);
	__type(value, struct lde_syscall_agg);
} syscall_agg SEC(".maps");

static __always_inline bool stage_on(enum lde_stage stage)
{
	return stage_mask & (1U << stage);
}

/* -c: comm, a copy on the stack, is the one asked for. */
static __always_inline bool comm_wanted(const char *comm)
{
	int i;

	for (i = 0; i < LDE_COMM_LEN; i++) {
		if (comm[i] != filter_comm[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

static __always_inline void count_lost_as(enum lde_lost what, __u64 n)
{
	__u32 key = what;
	__u64 *lost = bpf_map_lookup_elem(&lost_events, &key);

	if (lost)
		*lost += n;
}

static __always_inline void count_lost(__u64 events)
{
	count_lost_as(LDE_LOST_EVENTS, events);
}

/*
 * Before 6.2, bpf_task_storage_get() finds nothing while another task
 * storage call is under way on this CPU (one this program interrupted:
 * the kernel's per-CPU bpf_task_storage_busy says so); since, a lookup
 * finds what is there.  A mark not found then proves nothing.
 */
extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern const int bpf_task_storage_busy __ksym __weak;

static __always_inline bool task_storage_blind(void)
{
	const int *busy;

	if (LINUX_KERNEL_VERSION >= KERNEL_VERSION(6, 2, 0) ||
	    !&bpf_task_storage_busy)
		return false;
	busy = bpf_this_cpu_ptr(&bpf_task_storage_busy);
	return *busy;
}

/*
 * -p, --: the task carries the mark (always, without them).  Not found
 * while blind (above): taken as untraced, and counted undecided, never
 * dropped silently.  (6.1 only, and seldom: when an interrupt's program
 * lands inside the kernel's own task-storage work, such as freeing a
 * dead task's.)
 */
static __always_inline bool task_traced(struct task_struct *task)
{
	if (!filter_tgid || bpf_task_storage_get(&traced_tasks, task, 0, 0))
		return true;
	if (unlikely(task_storage_blind()))
		count_lost_as(LDE_LOST_UNDECIDED, 1);
	return false;
}

/* Mark task traced; false: no storage for the mark. */
static __always_inline bool mark_traced(struct task_struct *task)
{
	return bpf_task_storage_get(&traced_tasks, task, 0,
				    BPF_LOCAL_STORAGE_GET_F_CREATE);
}

/* -p, -- and -c for a task known to be traced or not, and a comm. */
static __always_inline bool ids_wanted(bool traced, const char *comm)
{
	return traced && (!filter_comm[0] || comm_wanted(comm));
}

/* -c: the task's comm is the one asked for (always, without -c). */
static __always_inline bool task_wanted_comm(struct task_struct *task)
{
	char comm[LDE_COMM_LEN];

	if (!filter_comm[0])
		return true;
	BPF_CORE_READ_STR_INTO(&comm, task, comm);
	return comm_wanted(comm);
}

static __always_inline bool task_wanted(struct task_struct *task)
{
	return task_traced(task) && task_wanted_comm(task);
}

/*
 * Wake the reader once per 2^wakeup_shift bytes sent, when a record
 * crosses such a mark.  A wakeup per record costs more than the record,
 * and waking on every record while a backlog waits costs an irq_work each
 * (10.5 us per getppid, measured, against 2.0 us).  Between marks the
 * reader's 100 ms poll timeout collects what waits; it never sleeps on a
 * non-empty ring (the ring buffer's poll reports data while any is there).
 */
static __u64 sent_bytes;

static __always_inline __u64 wakeup_flag(__u32 len)
{
	/* Each record also holds an 8-byte header, rounded up to 8. */
	__u64 rec = (len + 8 + 7) & ~7ULL;
	__u64 before = __sync_fetch_and_add(&sent_bytes, rec);

	return before >> wakeup_shift != (before + rec) >> wakeup_shift ?
	       BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;
}

/*
 * Events wait in a per-CPU batch and go to the ring buffer a batch at a
 * time: a ring-buffer record costs a spinlock taken with interrupts off,
 * which under QEMU TCG cost more than the rest of an event; a batch pays
 * it once for some forty events.  Order is kept per CPU, and per task: a
 * task leaves a CPU only through a switch, which sends the CPU's batch.
 * The timer tick sends it too, so no event waits longer than a tick
 * (4 ms at HZ=250); lde-trace reads what is left when it stops.
 *
 * Slot 0 is the CPU's batch.  An interrupt can land while a program
 * writes it (busy): the interrupt's event is written in slot 1, the
 * interrupt slot, and waits there until the batch, the event being
 * written included, has gone (interrupts_behind): it never overtakes the
 * events it came after.  The slot goes as soon as the interrupted program
 * is done, or at the CPU's next event, switch or tick; one that is full
 * loses the next interrupt's event, counted.
 */
#define BATCH_SLOT	0
#define INTERRUPT_SLOT	1

/* Indexed by CPU * 2 + slot: an array, for the inlined lookup. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);	/* lde-trace sets: 2 x possible CPUs */
	__type(key, __u32);
	__type(value, struct lde_batch);
} batches SEC(".maps");

static __always_inline void batch_send(struct lde_batch *b)
{
	__u64 len = b->len, n = b->events;

	b->len = 0;
	b->events = 0;
	/* Never over LDE_BATCH_BYTES: the test lets the verifier see it. */
	barrier_var(len);
	if (!len || len > LDE_BATCH_BYTES)
		return;
	if (bpf_ringbuf_output(&events, b->data, len, wakeup_flag(len)))
		count_lost(n);
}

/*
 * The CPU's batch b (busy: this program holds it), then the interrupts'
 * events that came after it, in that order.
 */
static __always_inline void batch_send_with_interrupts(struct lde_batch *b)
{
	__u32 slot = bpf_get_smp_processor_id() * 2 + INTERRUPT_SLOT;
	struct lde_batch *irq = bpf_map_lookup_elem(&batches, &slot);

	/* Busy: an interrupt of this program writes it; it goes next time. */
	if (!irq || irq->busy)
		return;
	batch_send(b);
	b->interrupts_behind = 0;
	irq->busy = 1;
	barrier();
	batch_send(irq);
	barrier();
	irq->busy = 0;
}

/* Send this CPU's batch, unless this interrupts the program writing it. */
static __always_inline void batch_flush(__u32 cpu)
{
	__u32 slot = cpu * 2 + BATCH_SLOT;
	struct lde_batch *b = bpf_map_lookup_elem(&batches, &slot);

	if (!b || b->busy)
		return;
	/* Busy while it goes, for lde-trace's last look at the batches. */
	b->busy = 1;
	barrier();
	batch_send(b);
	if (unlikely(b->interrupts_behind))
		batch_send_with_interrupts(b);
	barrier();
	b->busy = 0;
}

/* floor(log2(v)) by halving the range: six steps, no loop. */
static __always_inline __u32 log2_slot(__u64 v)
{
	__u32 slot = 0, shift;

	shift = (v > 0xffffffffULL) << 5; v >>= shift; slot |= shift;
	shift = (v > 0xffff) << 4; v >>= shift; slot |= shift;
	shift = (v > 0xff) << 3; v >>= shift; slot |= shift;
	shift = (v > 0xf) << 2; v >>= shift; slot |= shift;
	shift = (v > 0x3) << 1; v >>= shift; slot |= shift;
	slot |= (v >> 1);
	/*
	 * slot < 64 always (a u64 has 64 bits).  The mask, kept after the
	 * barrier so the compiler cannot hoist it, lets the verifier see it.
	 */
	barrier_var(slot);
	return slot & (LDE_HIST_SLOTS - 1);
}

/* The scheduler's side of a switch: after log2_slot(), which it uses. */
#include "lde_sched.bpf.h"

/*
 * The current task is traced: told by the switch to it (struct
 * cpu_state), or from its storage before this CPU's first switch seen.
 */
static __always_inline bool current_traced(struct cpu_state *cs,
					   struct task_struct *task)
{
	if (!filter_tgid)
		return true;
	if (cs && cs->curr_known && cs->curr_tid == task->pid)
		return cs->curr_traced;
	return task_traced(task);
}

/* task_wanted() of the current task, task, with its CPU's state cs. */
static __always_inline bool current_wanted(struct cpu_state *cs,
					   struct task_struct *task)
{
	return current_traced(cs, task) && task_wanted_comm(task);
}

/*
 * Start an event of a stage, stamped at ts, on behalf of task, in the
 * batch of this CPU, cpu (or its interrupt slot, see above), or count it
 * lost.  Only
 * the stage's part of the union is written.  The task's ids and comm are
 * read as BTF loads: no helper call, no string copy.  event_send()
 * finishes it.
 */
static __always_inline struct lde_event *event_start(struct lde_batch **bp,
						     __u32 cpu,
						     unsigned int stage,
						     __u64 ts,
						     struct task_struct *task)
{
	__u32 slot = cpu * 2 + BATCH_SLOT;
	struct lde_batch *b = bpf_map_lookup_elem(&batches, &slot);
	struct lde_batch *interrupted = NULL;
	struct lde_event *e;
	__u32 off;

	if (b && b->busy) {
		interrupted = b;
		slot = cpu * 2 + INTERRUPT_SLOT;
		b = bpf_map_lookup_elem(&batches, &slot);
	}
	/* The interrupt slot is not sent when full: it waits its turn. */
	if (!b || b->busy ||
	    (interrupted && b->len > LDE_BATCH_BYTES - LDE_EVENT_MAX)) {
		count_lost(1);
		return NULL;
	}
	/*
	 * Busy before the length is read: an interrupt from here on writes
	 * its event in the interrupt slot, and one that came before has
	 * added its own.
	 */
	b->busy = 1;
	barrier();
	if (interrupted) {
		b->interrupt_slot = 1;
		interrupted->interrupts_behind = 1;
	} else if (unlikely(b->interrupts_behind)) {
		/* Left waiting by the last event's race with an interrupt. */
		batch_send_with_interrupts(b);
	}
	/*
	 * Room for this event: event_send() sends a batch that cannot take
	 * one more of LDE_EVENT_MAX.  The mask is for the verifier only.
	 */
	off = b->len;
	barrier_var(off);
	off &= LDE_BATCH_BYTES - 1;
	*bp = b;
	e = (void *)b->data + off;
	e->ts_ns = ts;
	/*
	 * The CPU the task runs on, which is this one for the current task
	 * and for a switch's prev: task_cpu(), a load, not a helper call.
	 */
	e->cpu = task->thread_info.cpu;
	e->pid = task->tgid;
	e->tid = task->pid;
	e->stage = stage;
	__builtin_memcpy(e->comm, task->comm, sizeof(e->comm));
	return e;
}

/* An event stamped now, on this CPU, from a program off the hot path. */
static __always_inline struct lde_event *
event_start_now(struct lde_batch **bp, unsigned int stage,
		struct task_struct *task)
{
	return event_start(bp, bpf_get_smp_processor_id(), stage,
			   bpf_ktime_get_ns(), task);
}

static __always_inline void event_send(struct lde_batch *b,
				       unsigned int stage)
{
	b->len += lde_event_size(stage);
	b->events++;
	/* The interrupt slot goes after the batch it interrupted. */
	if (b->interrupt_slot)
		goto done;
	/* Full, or one event at a time (no batching): it goes now. */
	if (b->len > batch_bytes - LDE_EVENT_MAX)
		batch_send(b);
	/* An interrupt's events came after this one: they go now, after it. */
	if (unlikely(b->interrupts_behind))
		batch_send_with_interrupts(b);
done:
	barrier();
	b->busy = 0;
}

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

/* The table the current system call's number is in: in_ia32_syscall(). */
static __always_inline __u32 syscall_compat(struct task_struct *task)
{
	return task->thread_info.status & TS_COMPAT ? LDE_COMPAT_I386 :
						     LDE_COMPAT_NONE;
}

/*
 * rt_sigreturn's operand, the mask it restores (see lde_trace.h): the
 * handler's return popped pretcode, so the frame starts a word below the
 * stack pointer, where sys_rt_sigreturn() looks for it.
 */
static __always_inline void fill_sigreturn_mask(struct lde_trap_part *t,
						__u64 sp)
{
	__u64 at = sp - sizeof(long) +
		   __builtin_offsetof(struct rt_sigframe, uc.uc_sigmask);

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
	t->ip = regs->ip;
	t->sp = regs->sp;
	t->cpl = regs->cs & 3;
	if (unlikely(compat)) {
		/*
		 * The i386 convention: bx, cx, dx, si, di, bp, 32 bits each
		 * (the kernel's __ia32_sys_* wrappers take the low halves).
		 */
		t->args[0] = (__u32)regs->bx;
		t->args[1] = (__u32)regs->cx;
		t->args[2] = (__u32)regs->dx;
		t->args[3] = (__u32)regs->si;
		t->args[4] = (__u32)regs->di;
		t->args[5] = (__u32)regs->bp;
		return;
	}
	/* The x86-64 system-call convention: di, si, dx, r10, r8, r9. */
	t->args[0] = regs->di;
	t->args[1] = regs->si;
	t->args[2] = regs->dx;
	t->args[3] = regs->r10;
	t->args[4] = regs->r8;
	t->args[5] = regs->r9;
	if (unlikely(id == NR_rt_sigreturn))
		fill_sigreturn_mask(t, regs->sp);
}

/* The calls that start a new program, in either table. */
static __always_inline bool starts_program(__s32 nr, __u32 compat)
{
	if (unlikely(compat))
		return nr == NR_i386_execve || nr == NR_i386_execveat;
	return nr == NR_execve || nr == NR_execveat;
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

/* The event being written is not sent: its room in the batch stays free. */
static __always_inline void event_cancel(struct lde_batch *b)
{
	if (!b->interrupt_slot && unlikely(b->interrupts_behind))
		batch_send_with_interrupts(b);
	barrier();
	b->busy = 0;
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

SEC("tp_btf/sys_enter")
int BPF_PROG(lde_sys_enter, struct pt_regs *regs, long id)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 cpu = task->thread_info.cpu;
	struct cpu_state *cs = bpf_map_lookup_elem(&cpu_states, &cpu);
	struct lde_batch *b;
	struct lde_event *e;
	__u32 compat;
	__u8 attrs;
	__u64 now;

	if (!cs || !current_wanted(cs, task))
		return 0;
	compat = syscall_compat(task);
	attrs = syscall_attrs_of(id, compat);
	if (attrs & LDE_SYSCALL_SKIP)
		return 0;
	attrs &= (1U << LDE_TRAP_ARGS) - 1;	/* the strings */
	now = bpf_ktime_get_ns();
	if (defer_traps) {
		defer_trap(task, regs, id, compat, attrs, now);
		return 0;
	}
	if (stage_on(LDE_STAGE_RETURN)) {
		cs->trap_start = now;
		cs->trap_tid = task->pid;
		cs->trap_nr = id;
		cs->trap_compat = compat;
		cs->trap_held = 0;
	}
	if (!stage_on(LDE_STAGE_TRAP))
		return 0;
	if (aggregate_syscalls) {
		__u32 nr = lde_agg_slot(id, compat);
		struct lde_syscall_agg *agg = bpf_map_lookup_elem(&syscall_agg,
								  &nr);

		if (agg)
			agg->traps++;
		return 0;
	}
	/* Paths and names: off the hot path, a larger event. */
	if (attrs) {
		e = event_start(&b, cpu, LDE_EVENT_TRAP_STRINGS, now, task);
		if (!e)
			return 0;
		fill_trap(&e->trap, regs, id, compat);
		fill_trap_strings(e, attrs);
		/* A string not read yet waits for the return, in the task. */
		if (stage_on(LDE_STAGE_RETURN) && strings_to_read_again(e) &&
		    hold_trap(task, e)) {
			cs->trap_held = 1;
			event_cancel(b);
			return 0;
		}
		event_send(b, LDE_EVENT_TRAP_STRINGS);
		return 0;
	}
	e = event_start(&b, cpu, LDE_STAGE_TRAP, now, task);
	if (!e)
		return 0;
	fill_trap(&e->trap, regs, id, compat);
	event_send(b, LDE_STAGE_TRAP);
	return 0;
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

/* A user word of 8 or 4 bytes (little-endian: the low half), as a u64. */
static __always_inline long read_user_word(__u64 *v, unsigned long addr,
					   __u32 word)
{
	*v = 0;
	if (word == 4)
		return bpf_probe_read_user(v, 4, (void *)addr);
	return bpf_probe_read_user(v, 8, (void *)addr);
}

/*
 * The return of a successful execve: return-from-trap into a new program.
 * start_thread() has written the registers the return restores: the PC
 * (the ELF interpreter's entry, or the program's when it has none), the
 * stack pointer at argc, argv[] above it; ELF_PLAT_INIT zeroed the rest.
 * The strings are read from the new user stack, LDE_ARGV_MAX of them at
 * most, each cut at LDE_ARG_LEN - 1 bytes (marked in argv_cut).
 */
static __always_inline void send_exec_return(__u32 cpu,
					     struct task_struct *task,
					     struct pt_regs *regs, __u64 now,
					     __u64 start, __s32 nr,
					     __u32 compat)
{
	unsigned long sp = regs->sp;
	/*
	 * The new program's words: 4 bytes when start_thread_ia32() made it
	 * a 32-bit one, whatever table the execve came through.
	 */
	__u32 word = regs->cs == USER64_CS ? 8 : 4;
	struct lde_batch *b;
	struct lde_event *e;
	__u64 argc = 0, arg;
	long len;
	int i;

	e = event_start(&b, cpu, LDE_EVENT_EXEC_RETURN, now, task);
	if (!e)
		return;
	e->exec_ret.ret.nr = nr;
	e->exec_ret.ret.compat = compat;
	e->exec_ret.ret.ret = 0;
	e->exec_ret.ret.kernel_ns = now - start;
	e->exec_ret.entry_ip = regs->ip;
	e->exec_ret.user_sp = sp;
	e->exec_ret.regs_cleared =
		!(regs->ax | regs->bx | regs->cx | regs->dx | regs->si |
		  regs->di | regs->bp | regs->r8 | regs->r9 | regs->r10 |
		  regs->r11 | regs->r12 | regs->r13 | regs->r14 | regs->r15);
	if (read_user_word(&argc, sp, word))
		argc = 0;
	e->exec_ret.argc = argc;
	e->exec_ret.argv_read = 0;
	e->exec_ret.argv_cut = 0;
	__builtin_memset(e->exec_ret.argv, 0, sizeof(e->exec_ret.argv));
	for (i = 0; i < LDE_ARGV_MAX && i < argc; i++) {
		char *s = e->exec_ret.argv[i], last = 0;

		if (read_user_word(&arg, sp + word + word * i, word))
			break;
		len = bpf_probe_read_user_str(s, LDE_ARG_LEN, (void *)arg);
		if (len < 0)
			break;
		e->exec_ret.argv_read = i + 1;
		/* Full: cut, unless the string ended exactly there. */
		if (len == LDE_ARG_LEN &&
		    (bpf_probe_read_user(&last, 1,
					 (void *)(arg + LDE_ARG_LEN - 1)) ||
		     last))
			e->exec_ret.argv_cut |= 1U << i;
	}
	event_send(b, LDE_EVENT_EXEC_RETURN);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(lde_sys_exit, struct pt_regs *regs, long ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 cpu = task->thread_info.cpu, tid = task->pid;
	struct cpu_state *cs = bpf_map_lookup_elem(&cpu_states, &cpu);
	struct lde_batch *b;
	struct lde_event *e;
	__u64 now = 0, start;
	__u32 compat = 0, slot;
	__s32 nr = -1;

	/*
	 * Only a wanted task's trap left a start time: no second filter.
	 * No start time: the trap came before tracing began, not a pair.
	 * The number is the trap's, kept with its start time.
	 */
	if (!cs)
		return 0;
	if (defer_traps) {
		now = bpf_ktime_get_ns();
		start = deferred_start(cpu, task, ret, now, &nr, &compat);
		if (!start || !stage_on(LDE_STAGE_RETURN))
			return 0;
	} else if (cs->trap_tid == tid && tid) {
		start = cs->trap_start;
		nr = cs->trap_nr;
		compat = cs->trap_compat;
		cs->trap_tid = 0;
		if (unlikely(cs->trap_held)) {
			cs->trap_held = 0;
			send_held_trap(cpu, task, NULL);
		}
	} else {
		/* It left the CPU inside the call: the switch kept its trap. */
		struct task_state *st = bpf_task_storage_get(&task_states,
							     task, 0, 0);

		if (!st || !st->trap_start)
			return 0;
		start = st->trap_start;
		nr = st->trap_nr;
		compat = st->trap_compat;
		st->trap_start = 0;
		if (unlikely(st->pending_kind))
			send_held_trap(cpu, task, st);
	}
	if (!now)
		now = bpf_ktime_get_ns();
	/* A new program starts: off the hot path, a larger event. */
	if (unlikely(starts_program(nr, compat) && !ret &&
		     !aggregate_syscalls)) {
		send_exec_return(cpu, task, regs, now, start, nr, compat);
		return 0;
	}
	if (aggregate_syscalls) {
		struct lde_syscall_agg *agg;

		slot = lde_agg_slot(nr, compat);
		agg = bpf_map_lookup_elem(&syscall_agg, &slot);

		if (agg) {
			agg->returns++;
			agg->hist[log2_slot(now - start)]++;
		}
		return 0;
	}
	e = event_start(&b, cpu, LDE_STAGE_RETURN, now, task);
	if (!e)
		return 0;
	e->ret.nr = nr;
	e->ret.compat = compat;
	e->ret.ret = ret;
	e->ret.kernel_ns = now - start;
	event_send(b, LDE_STAGE_RETURN);
	return 0;
}

/*
 * The top of a task's kernel stack: task->stack, a void * the verifier
 * loads as a number, plus THREAD_SIZE, the size of its vmalloc'ed area
 * (16 KiB on x86-64, 32 KiB under KASAN).  CPU 0's idle task has the
 * static init stack, of no area: 16 KiB.
 */
static __always_inline __u64 stack_top(struct task_struct *t)
{
	__u64 base = (__u64)t->stack, size = 16384;
	struct vm_struct *area = NULL;

	if (bpf_core_field_exists(t->stack_vm_area))
		area = t->stack_vm_area;
	if (area && area->nr_pages)
		size = (__u64)area->nr_pages * 4096;
	return base + size;
}

/*
 * Where this program's frame is, as a number: the address of a local,
 * read back from the stack slot that holds it (the verifier gives no
 * pointer arithmetic a number; a read it does).  The program runs on
 * the current task's kernel stack.
 */
static __always_inline __u64 frame_address(void)
{
	__u64 marker = 0, address = 0;
	void *where = &marker;

	barrier_var(where);
	if (bpf_probe_read_kernel(&address, sizeof(address), &where))
		return 0;
	return address;
}

static __always_inline __u32 stack_depth(__u64 top, __u64 sp)
{
	return sp <= top && top - sp <= 65536 ? top - sp : 0;
}

/*
 * Figure 6.3's switch(): how deep A is in its kernel stack now (this
 * program runs on it), how deep B's stack pointer was saved in
 * B->thread.sp, where B's saved kernel context resumes (the return
 * address on top of the frame __switch_to_asm pushed, as a symbol), and
 * B's user PC, saved at the top of its kernel stack when it entered the
 * kernel.  No address is sent: depths, a symbol name, and a user PC.
 */
static const char resume_fmt[] = "%pS";

/*
 * Where B resumes, as %pS writes it, whole: every byte of the field
 * written.  %pS writes an address that is no symbol as "0x..." (no
 * symbol starts with a digit): "unknown" then, as lde.ko says it.
 */
static __always_inline void resume_symbol(struct lde_event *e, __u64 resume)
{
	char sym[LDE_SYM_LEN] = {};

	if (resume)
		bpf_snprintf(sym, sizeof(sym), resume_fmt, &resume,
			     sizeof(resume));
	if (sym[0] == '0' && sym[1] == 'x') {
		__builtin_memset(sym, 0, sizeof(sym));
		__builtin_memcpy(sym, "unknown", sizeof("unknown"));
	}
	__builtin_memcpy(e->sw.next_resume, sym, sizeof(sym));
}

static __always_inline void switch_stacks(struct lde_event *e,
					  struct task_struct *prev,
					  struct task_struct *next,
					  __u64 here)
{
	__u64 next_sp = next->thread.sp;
	struct inactive_task_frame *frame = (void *)next_sp;
	__u64 resume = 0;

	e->sw.prev_depth = stack_depth(stack_top(prev), here);
	e->sw.next_depth = stack_depth(stack_top(next), next_sp);
	if (bpf_probe_read_kernel(&resume, sizeof(resume), &frame->ret_addr))
		resume = 0;
	resume_symbol(e, resume);
	e->sw.next_user_ip = next->flags & PF_KTHREAD ? 0 :
			     ((struct pt_regs *)bpf_task_pt_regs(next))->ip;
}

/*
 * The kernel's rule: voluntary only when not preempted and blocked.  Every
 * switch sends this CPU's batch, traced or not: prev's events are out
 * before prev can run on another CPU.
 */
SEC("tp_btf/sched_switch")
int BPF_PROG(lde_sched_switch, bool preempt, struct task_struct *prev,
	     struct task_struct *next, unsigned int prev_state)
{
	__u32 cpu = prev->thread_info.cpu;	/* prev is current */
	struct cpu_state *cs = bpf_map_lookup_elem(&cpu_states, &cpu);
	struct lde_batch *b;
	struct lde_event *e;
	bool prev_traced, next_traced, prev_wanted, next_wanted;
	/*
	 * First: waits and runs are differences of these stamps.  Not read
	 * when only system calls are traced: their path stays as it was.
	 */
	__u64 now = stage_on(LDE_STAGE_SWITCH) ? bpf_ktime_get_ns() : 0;

	/*
	 * prev leaves inside a traced system call: its trap goes with it,
	 * unless prev is dead (exit_group traps and never returns).
	 */
	if (cs && cs->trap_tid && cs->trap_tid == prev->pid) {
		struct task_state *st = NULL;

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
	/*
	 * next runs here from now: what current_traced() says until the next
	 * switch.  prev's answer was written by the switch to it.
	 */
	prev_traced = current_traced(cs, prev);
	next_traced = task_traced(next);
	if (cs) {
		cs->curr_tid = next->pid;
		cs->curr_traced = next_traced;
		cs->curr_known = 1;
	}
	if (!stage_on(LDE_STAGE_SWITCH))
		goto flush;
	prev_wanted = prev_traced && task_wanted_comm(prev);
	next_wanted = next_traced && task_wanted_comm(next);
	e = (prev_wanted || next_wanted) && send_switches ?
	    event_start(&b, cpu, LDE_STAGE_SWITCH, now, prev) : NULL;
	if (!switch_sched(e, cpu, now, preempt, prev_state, prev, prev_wanted,
			  next, next_wanted))
		count_lost(1);
	if (!e)
		goto flush;
	e->sw.next_pid = next->tgid;
	e->sw.next_tid = next->pid;
	/* All of it: the kernel pads a comm with NULs (strscpy_pad). */
	__builtin_memcpy(e->sw.next_comm, next->comm, sizeof(e->sw.next_comm));
	e->sw.nonvoluntary = preempt || prev_state == 0;
	e->sw.prev_state = prev_state;
	/* This program runs on prev's kernel stack: how deep prev is now. */
	switch_stacks(e, prev, next, frame_address());
	event_send(b, LDE_STAGE_SWITCH);
flush:
	batch_flush(cpu);
	return 0;
}

/*
 * A task starts to wake: from now it counts as waiting for a CPU (perf
 * sched timehist counts from here too), and current is who woke it.
 */
SEC("tp_btf/sched_waking")
int BPF_PROG(lde_sched_waking, struct task_struct *p)
{
	struct task_struct *waker = bpf_get_current_task_btf();
	__u64 now = bpf_ktime_get_ns();	/* first: the switch's is too */
	struct sched_task *st;
	bool by_wanted = stage_on(LDE_STAGE_WAKEUP) && task_wanted(waker);

	if (!by_wanted && !task_wanted(p))
		return 0;
	st = bpf_task_storage_get(&sched_tasks, p, 0,
				  BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!st || st->runnable_since)
		return 0;
	st->runnable_since = now;
	st->by_pid = waker->tgid;
	st->by_tid = waker->pid;
	st->by_wanted = by_wanted;
	__builtin_memcpy(st->by_comm, waker->comm, sizeof(st->by_comm));
	return 0;
}

/* The wakeup stage: p is on target_cpu's run queue now. */
static __always_inline void wakeup_send(struct task_struct *p, bool new_task)
{
	struct task_struct *current = bpf_get_current_task_btf();
	__u32 cpu = current->thread_info.cpu;
	struct sched_task *st = NULL;
	struct lde_batch *b;
	struct lde_event *e;

	if (!new_task)
		st = bpf_task_storage_get(&sched_tasks, p, 0, 0);
	if (!task_wanted(p) &&
	    !(st && st->by_pid ? st->by_wanted : task_wanted(current)))
		return;
	e = event_start(&b, cpu, LDE_STAGE_WAKEUP, bpf_ktime_get_ns(), p);
	if (!e)
		return;
	e->cpu = cpu;		/* where it was woken, not where it will run */
	if (st && st->by_pid) {
		e->wakeup.by_pid = st->by_pid;
		e->wakeup.by_tid = st->by_tid;
		__builtin_memcpy(e->wakeup.by_comm, st->by_comm,
				 sizeof(e->wakeup.by_comm));
	} else {	/* a fork's child, or woken before its waking was seen */
		e->wakeup.by_pid = current->tgid;
		e->wakeup.by_tid = current->pid;
		__builtin_memcpy(e->wakeup.by_comm, current->comm,
				 sizeof(e->wakeup.by_comm));
	}
	e->wakeup.target_cpu = p->thread_info.cpu;
	e->wakeup.new_task = new_task;
	event_send(b, LDE_STAGE_WAKEUP);
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(lde_sched_wakeup, struct task_struct *p)
{
	wakeup_send(p, false);
	return 0;
}

/* A new task's first wakeup: it waits from here for its first run. */
SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(lde_sched_wakeup_new, struct task_struct *p)
{
	struct sched_task *st;

	if (!task_wanted(p) && !(stage_on(LDE_STAGE_WAKEUP) &&
				 task_wanted(bpf_get_current_task_btf())))
		return 0;
	st = bpf_task_storage_get(&sched_tasks, p, 0,
				  BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (st && !st->runnable_since) {
		st->runnable_since = bpf_ktime_get_ns();
		st->by_pid = 0;
	}
	if (stage_on(LDE_STAGE_WAKEUP))
		wakeup_send(p, true);
	return 0;
}

/*
 * The wakeup-preemption check (check_preempt_curr, or wakeup_preempt:
 * lde-trace attaches these to the name the kernel has): p, woken or
 * moved onto rq, may outrank rq's current task.
 */
#define WF_FORK	0x04	/* kernel/sched/sched.h */
#define WF_TTWU	0x08

/*
 * A wakeup, not a move by the load balancer or a migration (flags 0): a
 * wakeup from another CPU's queue comes without WF_TTWU, but p is not
 * yet TASK_RUNNING until after this check.
 */
static __always_inline bool check_is_wakeup(struct task_struct *p, int flags)
{
	return (flags & (WF_TTWU | WF_FORK)) || p->__state;
}

SEC("fentry/check_preempt_curr")
int BPF_PROG(lde_preempt_check, struct rq *rq, struct task_struct *p,
	     int flags)
{
	struct task_struct *curr = rq->curr;

	/* Already set: by this wakeup's enqueue, perhaps (EEVDF). */
	if (resched_path_enter(curr) && check_is_wakeup(p, flags))
		resched_at_enqueue(curr, rq->cpu, p);
	return 0;
}

SEC("fexit/check_preempt_curr")
int BPF_PROG(lde_preempt_check_exit, struct rq *rq, struct task_struct *p,
	     int flags)
{
	bool woken = check_is_wakeup(p, flags);

	resched_path_exit(rq->curr, rq->cpu,
			  woken ? LDE_REASON_WAKEUP : LDE_REASON_OTHER,
			  woken ? p : NULL);
	return 0;
}

/* The scheduler tick (scheduler_tick, or sched_tick). */
SEC("fentry/scheduler_tick")
int BPF_PROG(lde_sched_tick)
{
	resched_path_enter(bpf_get_current_task_btf());
	return 0;
}

SEC("fexit/scheduler_tick")
int BPF_PROG(lde_sched_tick_exit)
{
	struct task_struct *t = bpf_get_current_task_btf();

	resched_path_exit(t, t->thread_info.cpu, LDE_REASON_TICK, NULL);
	return 0;
}

/*
 * The timer interrupt.  The registers it interrupted are the kernel's
 * per-CPU __irq_regs while the handler runs: their cs says whether the
 * timer hit user or kernel mode.
 */
extern struct pt_regs *__irq_regs __ksym;

SEC("tp_btf/local_timer_entry")
int BPF_PROG(lde_timer, int vector)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 cpu = task->thread_info.cpu;
	struct pt_regs **irq_regs, *regs;
	struct lde_batch *b;
	struct lde_event *e;

	/* No task storage in an interrupt: the switch told this CPU. */
	if (!stage_on(LDE_STAGE_TIMER) ||
	    !current_wanted(bpf_map_lookup_elem(&cpu_states, &cpu), task))
		goto flush;
	e = event_start(&b, cpu, LDE_STAGE_TIMER, bpf_ktime_get_ns(), task);
	if (!e)
		goto flush;
	irq_regs = bpf_this_cpu_ptr(&__irq_regs);
	regs = irq_regs ? *irq_regs : NULL;
	e->timer.mode = regs && (BPF_CORE_READ(regs, cs) & 3) ?
			LDE_TIMER_USER : LDE_TIMER_KERNEL;
	e->timer.pad = 0;
	/* The user PC the hardware saved; a kernel one is never sent. */
	e->timer.ip = e->timer.mode == LDE_TIMER_USER ?
		      BPF_CORE_READ(regs, ip) : 0;
	event_send(b, LDE_STAGE_TIMER);
flush:
	/* At most a tick: what waits in this CPU's batch goes out. */
	batch_flush(cpu);
	return 0;
}

/*
 * "Create entry for process list".  A traced task's new threads, and with
 * a COMMAND its child processes, are marked traced before they first
 * run; one that cannot be (no memory for its storage) is counted, never
 * silently left out.
 */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(lde_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	struct lde_batch *b;
	struct lde_event *e;

	if (filter_tgid &&
	    (((ctgid == ptgid || follow_forks) && task_traced(parent)) ||
	     (mark_tgid && ctgid == mark_tgid)) &&
	    !mark_traced(child))
		count_lost_as(LDE_LOST_FORKS, 1);
	if (!stage_on(LDE_STAGE_FORK) || !task_wanted(parent))
		return 0;
	e = event_start_now(&b, LDE_STAGE_FORK, parent);
	if (!e)
		return 0;
	e->fork.child_pid = ctgid;
	e->fork.child_tid = child->pid;
	event_send(b, LDE_STAGE_FORK);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(lde_exec, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	struct lde_batch *b;
	struct lde_event *e;

	if (!task_wanted(p))
		return 0;
	e = event_start_now(&b, LDE_STAGE_EXEC, p);
	if (!e)
		return 0;
	/* The read stops at the NUL: the rest of the field is zeros. */
	__builtin_memset(e->exec.filename, 0, sizeof(e->exec.filename));
	bpf_probe_read_kernel_str(e->exec.filename, sizeof(e->exec.filename),
				  BPF_CORE_READ(bprm, filename));
	event_send(b, LDE_STAGE_EXEC);
	return 0;
}

/*
 * "Free memory of process": once per process, when its last thread exits
 * (signal->live reached 0 before this tracepoint), with the status the
 * process ends with.  main() may call pthread_exit() and leave others
 * running: its exit is not the process's.
 */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(lde_exit, struct task_struct *p)
{
	__u32 tgid = p->tgid;
	struct lde_batch *b;
	struct lde_event *e;
	__u8 one = 1;

	if (BPF_CORE_READ(p, signal, live.counter) || !task_wanted(p))
		return 0;
	if (bpf_map_update_elem(&exited_tgids, &tgid, &one, BPF_NOEXIST) ==
	    -EEXIST)
		return 0;
	e = event_start_now(&b, LDE_STAGE_EXIT, p);
	if (!e)
		return 0;
	e->exit.code = BPF_CORE_READ(p, signal, group_exit_code) ?:
		       BPF_CORE_READ(p, exit_code);
	e->exit.pad = 0;
	event_send(b, LDE_STAGE_EXIT);
	return 0;
}

/*
 * "Remove from process list": release_task() of a thread-group leader
 * whose threads are all dead, run by the parent's wait() (or by the
 * process itself when no one waits).  Not the old leader a non-leader's
 * execve releases: that process lives on.
 */
SEC("fentry/release_task")
int BPF_PROG(lde_reap, struct task_struct *p)
{
	struct task_struct *by = bpf_get_current_task_btf();
	__u32 tgid = p->tgid;
	struct lde_batch *b;
	struct lde_event *e;

	if (p->pid != tgid || BPF_CORE_READ(p, signal, live.counter))
		return 0;
	bpf_map_delete_elem(&exited_tgids, &tgid);
	if (stage_on(LDE_STAGE_REAP) && task_wanted(p)) {
		e = event_start_now(&b, LDE_STAGE_REAP, p);
		if (e) {
			e->cpu = bpf_get_smp_processor_id();
			e->reap.by_pid = by->tgid;
			e->reap.by_tid = by->pid;
			__builtin_memcpy(e->reap.by_comm, by->comm,
					 sizeof(e->reap.by_comm));
			event_send(b, LDE_STAGE_REAP);
		}
	}
	return 0;
}

/* A fault the kernel turned into a signal (si_code > 0: not from kill). */
SEC("tp_btf/signal_generate")
int BPF_PROG(lde_fault, int sig, struct kernel_siginfo *info,
	     struct task_struct *task, int group, int result)
{
	struct lde_batch *b;
	struct lde_event *e;
	int code;

	if (sig != SIGSEGV && sig != SIGILL && sig != SIGFPE && sig != SIGBUS)
		return 0;
	/* SEND_SIG_NOINFO and SEND_SIG_PRIV are small constants. */
	if ((unsigned long)info < 4096)
		return 0;
	code = BPF_CORE_READ(info, si_code);
	if (code <= 0 || !task_wanted(task))
		return 0;
	e = event_start_now(&b, LDE_STAGE_FAULT, task);
	if (!e)
		return 0;
	e->fault.sig = sig;
	e->fault.code = code;
	e->fault.addr = (unsigned long)BPF_CORE_READ(info, _sifields._sigfault._addr);
	event_send(b, LDE_STAGE_FAULT);
	return 0;
}

/*
 * lde.ko's events.  The module carries no BTF, so these are classic
 * tracepoints read through their tracefs format: the layouts are in
 * lde_module_events.h, which a selftest checks against
 * events/lde/<name>/format on the running kernel.
 */
SEC("tracepoint/lde/lde_trap")
int lde_mod_trap(struct lde_trap_ctx *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 cpu = task->thread_info.cpu;
	struct lde_batch *b;
	struct lde_event *e;

	if (!current_wanted(bpf_map_lookup_elem(&cpu_states, &cpu), task))
		return 0;
	e = event_start_now(&b, LDE_STAGE_LDE_TRAP,
			    bpf_get_current_task_btf());
	if (!e)
		return 0;
	e->trap.nr = ctx->nr;
	e->trap.compat = LDE_COMPAT_NONE;
	e->trap.ip = ctx->user_ip;
	e->trap.sp = 0;		/* the toy trap does not report it */
	e->trap.cpl = ctx->user_cpl;
	__builtin_memcpy(e->trap.args, ctx->args, sizeof(e->trap.args));
	event_send(b, LDE_STAGE_LDE_TRAP);
	return 0;
}

SEC("tracepoint/lde/lde_return")
int lde_mod_return(struct lde_return_ctx *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 cpu = task->thread_info.cpu;
	struct lde_batch *b;
	struct lde_event *e;

	if (!current_wanted(bpf_map_lookup_elem(&cpu_states, &cpu), task))
		return 0;
	e = event_start_now(&b, LDE_STAGE_LDE_RETURN,
			    bpf_get_current_task_btf());
	if (!e)
		return 0;
	e->ret.nr = ctx->nr;
	e->ret.compat = LDE_COMPAT_NONE;
	e->ret.ret = ctx->ret;
	e->ret.kernel_ns = ctx->kernel_ns;
	event_send(b, LDE_STAGE_LDE_RETURN);
	return 0;
}

/*
 * The task this CPU switches to, at sched_switch (lde.ko's probe runs
 * inside it): __schedule() has made it the run queue's current already.
 */
extern struct rq runqueues __ksym;

static __always_inline bool switching_to_traced(__u32 next_tid)
{
	struct rq *rq = bpf_this_cpu_ptr(&runqueues);
	struct task_struct *next;

	if (!filter_tgid)
		return true;
	next = rq->curr;
	return next && next->pid == next_tid && task_traced(next);
}

/*
 * lde.ko's switch event, kept when prev (current) or next is wanted;
 * lde_mod_switch and lde_mod_switch_btf below differ only in how they
 * learn whether next is traced.
 */
static __always_inline void mod_switch_send(bool wanted,
					     struct lde_switch_ctx *ctx,
					     const char *prev,
					     const char *next)
{
	struct lde_batch *b;
	struct lde_event *e;

	if (!wanted)
		return;
	e = event_start_now(&b, LDE_STAGE_LDE_SWITCH,
			    bpf_get_current_task_btf());
	if (!e)
		return;
	e->pid = ctx->prev_pid;
	e->tid = ctx->prev_tid;
	/* From the copies: the verifier takes no second look at ctx + 16. */
	__builtin_memcpy(e->comm, prev, LDE_COMM_LEN);
	e->sw.next_pid = ctx->next_pid;
	e->sw.next_tid = ctx->next_tid;
	__builtin_memcpy(e->sw.next_comm, next, LDE_COMM_LEN);
	e->sw.nonvoluntary = ctx->nonvoluntary;
	e->sw.prev_state = ctx->prev_state;
	e->sw.prev_depth = ctx->prev_stack_depth;
	e->sw.next_depth = ctx->next_stack_depth;
	/* lde.ko's event does not carry these. */
	e->sw.next_user_ip = 0;
	__builtin_memset(e->sw.next_resume, 0, sizeof(e->sw.next_resume));
	switch_sched_unknown(e);
	event_send(b, LDE_STAGE_LDE_SWITCH);
}

/*
 * Before 6.2 (lde-trace chooses): next is the run queue's current task,
 * which that verifier lets the task-storage lookup take.
 */
SEC("tracepoint/lde/lde_switch")
int lde_mod_switch(struct lde_switch_ctx *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 cpu = task->thread_info.cpu;
	char prev[LDE_COMM_LEN], next[LDE_COMM_LEN];

	__builtin_memcpy(prev, ctx->prev_comm, LDE_COMM_LEN);
	__builtin_memcpy(next, ctx->next_comm, LDE_COMM_LEN);
	mod_switch_send(ids_wanted(current_traced(bpf_map_lookup_elem(&cpu_states,
								      &cpu),
						  task), prev) ||
			ids_wanted(switching_to_traced(ctx->next_tid), next),
			ctx, prev, next);
	return 0;
}

/*
 * 6.2 and later: a task read from the run queue is untrusted there, and
 * task storage refuses it; the event's own BTF hands over next trusted.
 * The fields are read through the tracepoint's raw arguments, as the
 * plain tracepoint's record would hold them.
 */
SEC("tp_btf/lde_switch")
int BPF_PROG(lde_mod_switch_btf, struct task_struct *prev_task,
	     struct task_struct *next_task, bool nonvoluntary,
	     unsigned int prev_state, __u32 prev_depth, __u32 next_depth)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 cpu = task->thread_info.cpu;
	struct lde_switch_ctx c = {};
	char prev[LDE_COMM_LEN] = {}, next[LDE_COMM_LEN] = {};

	/* The verifier holds a tracepoint's task arguments maybe NULL. */
	if (!prev_task || !next_task)
		return 0;
	c = (struct lde_switch_ctx){
		.prev_pid = prev_task->tgid,
		.prev_tid = prev_task->pid,
		.next_pid = next_task->tgid,
		.next_tid = next_task->pid,
		.nonvoluntary = nonvoluntary,
		.prev_state = prev_state,
		.prev_stack_depth = prev_depth,
		.next_stack_depth = next_depth,
	};

	bpf_probe_read_kernel_str(prev, sizeof(prev), prev_task->comm);
	bpf_probe_read_kernel_str(next, sizeof(next), next_task->comm);
	mod_switch_send(ids_wanted(current_traced(bpf_map_lookup_elem(&cpu_states,
								      &cpu),
						  task), prev) ||
			ids_wanted(task_traced(next_task), next),
			&c, prev, next);
	return 0;
}

/*
 * The process named at the start (-p PID, or the COMMAND, stopped before
 * its exec), marked traced thread by thread: lde-trace runs this iterator
 * once over every task, with mark_tgid set and the fork program attached.
 */
SEC("iter/task")
int lde_mark_process(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;

	if (task && mark_tgid && task->tgid == mark_tgid &&
	    !mark_traced(task))
		count_lost_as(LDE_LOST_FORKS, 1);
	return 0;
}
