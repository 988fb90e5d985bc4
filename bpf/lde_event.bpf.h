/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Event plumbing, for lde_trace.bpf.c: an event is started in this CPU's
 * batch with its common header filled (time, CPU, ids, comm), its
 * stage's part written by the caller, then sent; a batch goes to the ring
 * buffer whole.  What cannot be sent is counted lost (lost_events), event
 * by event, never silently dropped.  Which stages are on, too.
 */
#ifndef _LDE_EVENT_BPF_H
#define _LDE_EVENT_BPF_H

#include "lde_trace.h"

#ifndef unlikely
#define unlikely(x)	__builtin_expect(!!(x), 0)
#endif

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
const volatile __u32 stage_mask = ~0U;
/*
 * A batch is sent when it cannot take one more event of this size
 * (LDE_EVENT_MAX to LDE_BATCH_BYTES): a small ring takes small batches,
 * and LDE_EVENT_MAX sends each event at once, in order across CPUs.
 */
const volatile __u32 batch_bytes = LDE_BATCH_BYTES;
/* Wake the reader once per this much sent (256 KiB); it also polls. */
const volatile __u32 wakeup_shift = 18;

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

static __always_inline bool stage_on(enum lde_stage stage)
{
	return stage_mask & (1U << stage);
}

/*
 * An atomic add, though the counter is this CPU's: a program that loses
 * events can be interrupted between the load and the store of a plain
 * += by an interrupt's program that loses some too, whose count the
 * store would then overwrite.
 */
static __always_inline void count_lost_as(enum lde_lost what, __u64 n)
{
	__u32 key = what;
	__u64 *lost = bpf_map_lookup_elem(&lost_events, &key);

	if (lost)
		__sync_fetch_and_add(lost, n);
}

static __always_inline void count_lost(__u64 events)
{
	count_lost_as(LDE_LOST_EVENTS, events);
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
 * writes it (busy): the interrupt's event is written in an interrupt
 * slot (1 or 2, the batch's irq_next says which), and waits there until
 * the batch, the event being written included, has gone
 * (interrupts_behind): it never overtakes the events it came after.  The
 * slot goes as soon as the interrupted program is done, or at the CPU's
 * next event, switch or tick; one that is full loses the next
 * interrupt's event, counted.  Two interrupt slots, because sending one
 * can itself be interrupted: the next interrupt's event goes to the other
 * (it went nowhere with one slot, and was lost: a tick now and then in an
 * arm64 guest, whose slower programs a stalled vCPU's late tick lands in
 * more often).
 */
#define BATCH_SLOT	0
#define INTERRUPT_SLOT	1

/*
 * Indexed by CPU * LDE_BATCH_SLOTS + slot: an array, for the inlined
 * lookup; mapped into lde-trace, which reads what is left after detach
 * there (a read that cannot fail and leave events uncounted).
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, LDE_BATCH_SLOTS);	/* lde-trace sets: x possible CPUs */
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
	if (!len)
		return;
	if (len > LDE_BATCH_BYTES) {	/* never written so: counted all the same */
		count_lost(n);
		return;
	}
	if (bpf_ringbuf_output(&events, b->data, len, wakeup_flag(len)))
		count_lost(n);
}

/*
 * The CPU's batch b (busy: this program holds it), then the interrupts'
 * events that came after it, in that order.
 */
static __always_inline void batch_send_with_interrupts(struct lde_batch *b)
{
	__u32 slot = bpf_get_smp_processor_id() * LDE_BATCH_SLOTS +
		     INTERRUPT_SLOT + (b->irq_next & 1);
	struct lde_batch *irq = bpf_map_lookup_elem(&batches, &slot);

	/* Busy: an interrupt of this program writes it; it goes next time. */
	if (!irq || irq->busy)
		return;
	batch_send(b);
	b->interrupts_behind = 0;
	/* An interrupt from here on writes the other slot: it goes after. */
	b->irq_next ^= 1;
	barrier();
	irq->busy = 1;
	barrier();
	batch_send(irq);
	barrier();
	irq->busy = 0;
}

/* Send this CPU's batch, unless this interrupts the program writing it. */
static __always_inline void batch_flush(__u32 cpu)
{
	__u32 slot = cpu * LDE_BATCH_SLOTS + BATCH_SLOT;
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
	__u32 slot = cpu * LDE_BATCH_SLOTS + BATCH_SLOT;
	struct lde_batch *b = bpf_map_lookup_elem(&batches, &slot);
	struct lde_batch *interrupted = NULL;
	struct lde_event *e;
	__u32 off;

	if (b && b->busy) {
		interrupted = b;
		slot = cpu * LDE_BATCH_SLOTS + INTERRUPT_SLOT +
		       (interrupted->irq_next & 1);
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

/* The event being written is not sent: its room in the batch stays free. */
static __always_inline void event_cancel(struct lde_batch *b)
{
	if (!b->interrupt_slot && unlikely(b->interrupts_behind))
		batch_send_with_interrupts(b);
	barrier();
	b->busy = 0;
}

#endif /* _LDE_EVENT_BPF_H */
