// SPDX-License-Identifier: GPL-2.0
/*
 * The chapter's story (see lde_story.h): events grouped into steps, steps
 * numbered, repeats folded.  Moved out of the protocol view, which now
 * only draws what this decides.
 *
 * A step that repeats one seen in the last few steps (a thousand getppid
 * calls, fifty waits for page-in I/O during an execve, a spinner's ticks)
 * is folded: the sink gets one fold saying what was folded and how many
 * times.  Nothing is dropped without a count.
 */
#include <stdlib.h>
#include <string.h>

#include "lde_line.h"
#include "lde_names.h"
#include "lde_story.h"
#include "lde_syscalls.h"
#include "lde_tid_table.h"

/* What the story remembers of each thread. */
struct thread {
	unsigned int tid;
	bool known;			/* the fields below were set */
	long long open_nr;		/* -1: not in a system call */
	unsigned long long trap_ip;	/* the PC after its last trap */
	bool trapped;			/* a trap of it was seen */
	bool seen;			/* any event of it was seen */
	bool user_tick;			/* its last event: a tick in user mode */
	bool off_from_user;		/* preempted by that tick, not back yet */
};

/* What the last few steps were, to see a repeat. */
#define WINDOW		8

struct lde_story {
	struct lde_story_opts opts;
	struct lde_story_sink sink;
	struct lde_tid_table threads;
	/* The idle tasks (tid 0), and any thread the full table refused. */
	struct thread spare;
	/* Events of refused threads, told as if their thread were new. */
	unsigned long long unkept_events;
	unsigned long steps;		/* numbered so far */
	/* The step being gathered: its events wait here until it is whole. */
	struct lde_step held;
	/*
	 * A step of a kind that comes in bursts (a wait for I/O, a tick that
	 * changed nothing), held until the next step says whether a burst
	 * begins: a burst is one fold, its first step included.
	 */
	struct lde_step pending;
	uint64_t pending_sig;
	char pending_what[LDE_STEP_WHAT_LEN];
	uint64_t window[WINDOW];
	int window_next;
	struct lde_fold fold;
	int execve_nr, execveat_nr;
};

const char *lde_story_who(char *buf, const char *comm, unsigned int tid)
{
	struct lde_line l;

	lde_line_start(&l, buf, 39);
	lde_line_printable(&l, comm, LDE_COMM_LEN - 1);
	lde_line_char(&l, '[');
	lde_line_u64(&l, tid);
	lde_line_char(&l, ']');
	*l.end = '\0';
	return buf;
}

static struct thread *thread(struct lde_story *st, unsigned int tid)
{
	struct thread *t = lde_tid_get(&st->threads, tid);

	if (!t) {
		t = &st->spare;
		t->known = t->tid == tid && tid == 0 ? t->known : false;
		t->tid = tid;
	}
	if (!t->known) {
		t->known = true;
		t->open_nr = -1;
		t->trap_ip = 0;
		t->trapped = false;
		t->seen = false;
		t->user_tick = false;
		t->off_from_user = false;
	}
	return t;
}

static struct lde_step_context context_of(struct lde_story *st,
					  const struct lde_event *e)
{
	struct thread *t = thread(st, e->tid);
	struct lde_step_context c = {
		.prev_nr = t->open_nr,
		.next_nr = -1,
		.trap_ip = t->trap_ip,
		.prev_user = t->trapped,
	};

	if (e->stage == LDE_STAGE_SWITCH) {
		t = thread(st, e->sw.next_tid);
		c.next_nr = t->open_nr;
		c.next_seen = t->seen;
		c.next_from_user = t->off_from_user;
	}
	return c;
}

/* -- steps: events grouped, and repeats folded ----------------------------- */

static void tell_step(struct lde_story *st, const struct lde_step *s)
{
	if (st->sink.step)
		st->sink.step(st->sink.arg, s);
}

static void fold_flush(struct lde_story *st)
{
	if (!st->fold.steps)
		return;
	if (st->sink.fold)
		st->sink.fold(st->sink.arg, &st->fold);
	memset(&st->fold, 0, sizeof(st->fold));
}

/* Counted by kind of step; a kind's words are its first step's. */
static void fold_add(struct lde_story *st, const struct lde_step *s,
		     uint64_t sig, const char *what)
{
	struct lde_fold *fold = &st->fold;
	int i;

	if (!fold->steps++) {
		fold->first_ns = s->ev[0].ts_ns;
		fold->first = s->number;
	}
	fold->last_ns = s->ev[s->n - 1].ts_ns;
	fold->last = s->number;
	for (i = 0; i < fold->kinds; i++)
		if (fold->kind[i].sig == sig)
			break;
	if (i == fold->kinds) {
		if (i == LDE_FOLD_KINDS) {
			fold->other++;
			return;
		}
		snprintf(fold->kind[i].what, sizeof(fold->kind[i].what), "%s",
			 what);
		fold->kind[i].sig = sig;
		fold->kinds++;
	}
	fold->kind[i].count++;
}

/* A step's identity for seeing repeats, and its words for a fold row. */
static uint64_t step_sig(const struct lde_step *s, char *what)
{
	const struct lde_event *e = &s->ev[0];
	char w[40], n[40];
	uint64_t sig;

	lde_story_who(w, e->comm, e->tid);
	switch (s->kind) {
	case LDE_STEP_SYSCALL:
		snprintf(what, 160, "%s() by %s",
			 lde_call_name(e->trap.nr, e->trap.compat), w);
		sig = (uint64_t)e->trap.nr << 8;
		break;
	case LDE_STEP_ARRIVAL:
		lde_story_who(n, e->sw.next_comm, e->sw.next_tid);
		snprintf(what, 160, "%s switched in (first seen)", n);
		sig = 5;
		break;
	case LDE_STEP_BLOCKED: {
		/* Back: the step saw the task come back (it may not, yet). */
		const char *back = s->n > 1 ? ", then back" : "";

		lde_story_who(n, e->sw.by_comm, e->sw.by_tid);
		if (s->ev[0].sw.reason == LDE_REASON_WAKEUP)
			snprintf(what, 160, "%s preempted by the wakeup of %s%s",
				 w, n, back);
		else if (s->ev[0].sw.reason == LDE_REASON_SLICE)
			snprintf(what, 160, "%s's slice used up, found at the wakeup of %s%s",
				 w, n, back);
		else if (s->ev[0].sw.reason == LDE_REASON_YIELD)
			snprintf(what, 160, "%s yielded%s", w, back);
		else if (s->ev[0].sw.nonvoluntary)
			snprintf(what, 160, "%s preempted%s", w, back);
		else if (s->ctx[0].prev_nr >= 0)
			snprintf(what, 160, "%s blocked in %s()%s", w,
				 lde_syscall_name(s->ctx[0].prev_nr), back);
		else if (s->ctx[0].prev_user)
			snprintf(what, 160, "%s blocked outside a system call (page fault)%s",
				 w, back);
		else
			snprintf(what, 160, "%s blocked%s", w, back);
		sig = (uint64_t)(s->ctx[0].prev_nr + 1) << 8 | 1 |
		      (uint64_t)s->ev[0].sw.nonvoluntary << 2 |
		      (uint64_t)(s->n > 1) << 3 |
		      (uint64_t)s->ev[0].sw.reason << 24;
		break;
	}
	default:
		if (s->n >= 2) {
			lde_story_who(n, s->ev[1].sw.next_comm,
				      s->ev[1].sw.next_tid);
			snprintf(what, 160, "timer interrupt (%s mode), %s preempted by %s%s%s",
				 e->timer.mode == LDE_TIMER_USER ? "user" :
				 "kernel", w, n,
				 s->ev[1].sw.reason == LDE_REASON_TICK ?
				 ": slice used up" : "",
				 s->n > 2 ? ", then back" : "");
			sig = (uint64_t)s->ev[1].sw.next_tid << 32 | 2 << 8 | 2 |
			      (uint64_t)e->timer.mode << 16 |
			      (uint64_t)(s->n > 2) << 17 |
			      (uint64_t)s->ev[1].sw.reason << 24;
		} else {
			snprintf(what, 160, "timer interrupt in %s (%s mode), no switch",
				 w, e->timer.mode == LDE_TIMER_USER ?
				 "user" : "kernel");
			sig = 3 | (uint64_t)e->timer.mode << 16;
		}
		break;
	}
	return sig ^ (uint64_t)e->tid << 40 ^ (uint64_t)s->kind << 60;
}

/*
 * Waits, ticks that changed nothing, and ticks that came while the task
 * was in the kernel: the bursts around the chapter's story.
 */
static bool comes_in_bursts(const struct lde_step *s)
{
	return s->kind == LDE_STEP_BLOCKED ||
	       (s->kind == LDE_STEP_TICK &&
		(s->n == 1 || s->ev[0].timer.mode != LDE_TIMER_USER));
}

static void remember_sig(struct lde_story *st, uint64_t sig)
{
	st->window[st->window_next++ % WINDOW] = sig;
}

/*
 * Before rows of anything else: the fold, then the step held after it
 * (a held step always came after every step folded so far).
 */
static void flush_held_steps(struct lde_story *st)
{
	fold_flush(st);
	if (st->pending.n) {
		tell_step(st, &st->pending);
		remember_sig(st, st->pending_sig);
		st->pending.n = 0;
	}
}

static bool seen_lately(const struct lde_story *st, uint64_t sig)
{
	int i;

	for (i = 0; i < WINDOW; i++)
		if (st->window[i] == sig)
			return true;
	return false;
}

/*
 * Waits that are not the chapter's story, folded from the first: a
 * program being loaded waiting for its pages (blocked in execve), and a
 * task that never trapped (when traps are traced, one the trace does not
 * follow) blocking, which a traced task's coming back shows.
 */
static bool background_wait(struct lde_story *st, const struct lde_step *s)
{
	long long nr = s->ctx[0].prev_nr;

	if (s->kind != LDE_STEP_BLOCKED)
		return false;
	if (nr >= 0 && (nr == st->execve_nr || nr == st->execveat_nr))
		return true;
	return st->opts.traps && !thread(st, s->ev[0].tid)->trapped;
}

/* A step that switches in a task that never ran. */
static bool starts_new_task(const struct lde_step *s)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->ev[i].stage == LDE_STAGE_SWITCH &&
		    lde_resumes_new_task(&s->ev[i]))
			return true;
	return false;
}

/* A step is whole: it gets its number, and every sink that wants all. */
static void number_step(struct lde_story *st, struct lde_step *s)
{
	s->number = ++st->steps;
	if (st->sink.each)
		st->sink.each(st->sink.arg, s);
}

/*
 * A whole step: folded when it repeats one of the last few (with the
 * bursty step held before it, if any), held when it may begin a burst,
 * told otherwise.
 */
static void step_done(struct lde_story *st, struct lde_step *s)
{
	char what[LDE_STEP_WHAT_LEN];
	uint64_t sig;
	/*
	 * A tick while the task was in the kernel, and what it caused: the
	 * chapter's timer story is the one that interrupts user mode.
	 */
	bool kernel_tick = (s->kind == LDE_STEP_TICK &&
			    s->ev[0].timer.mode != LDE_TIMER_USER) ||
			   s->kind == LDE_STEP_ARRIVAL;
	/*
	 * Whatever else the step is, a task's first return to user mode is
	 * the chapter's story, never a repeat.
	 */
	bool may_fold = !st->opts.all && !starts_new_task(s);

	number_step(st, s);
	sig = step_sig(s, what);
	if (may_fold && (seen_lately(st, sig) || kernel_tick ||
			 background_wait(st, s) ||
			 (st->pending.n && st->pending_sig == sig))) {
		if (st->pending.n) {
			fold_add(st, &st->pending, st->pending_sig,
				 st->pending_what);
			remember_sig(st, st->pending_sig);
			st->pending.n = 0;
		}
		fold_add(st, s, sig, what);
		if (!seen_lately(st, sig))
			remember_sig(st, sig);
		return;
	}
	if (comes_in_bursts(s) && may_fold) {
		/* Two new bursty steps in a row: the first is alone. */
		if (st->pending.n)
			flush_held_steps(st);
		st->pending = *s;
		st->pending_sig = sig;
		memcpy(st->pending_what, what, sizeof(what));
		return;
	}
	flush_held_steps(st);
	tell_step(st, s);
	remember_sig(st, sig);
}

/* What an event tells the story about its thread, after its step. */
static void remember(struct lde_story *st, const struct lde_event *e)
{
	struct thread *t = thread(st, e->tid);

	t->seen = true;
	if (e->stage == LDE_STAGE_SWITCH) {
		t->off_from_user = e->sw.nonvoluntary && t->user_tick;
		t->user_tick = false;
		thread(st, e->sw.next_tid)->off_from_user = false;
		return;
	}
	t->user_tick = e->stage == LDE_STAGE_TIMER &&
		       e->timer.mode == LDE_TIMER_USER;
	switch (e->stage) {
	case LDE_STAGE_TRAP:
	case LDE_EVENT_TRAP_STRINGS:
		t->open_nr = e->trap.nr;
		t->trap_ip = e->trap.ip;
		t->trapped = true;
		break;
	case LDE_STAGE_RETURN:
	case LDE_EVENT_EXEC_RETURN:
		t->open_nr = -1;
		break;
	}
}

/* Does e finish the held step? */
static bool completes(const struct lde_story *st, const struct lde_event *e)
{
	const struct lde_event *h = &st->held.ev[0];

	switch (st->held.kind) {
	case LDE_STEP_SYSCALL:
		return e->stage == LDE_STAGE_RETURN && e->tid == h->tid &&
		       e->ret.nr == h->trap.nr;
	case LDE_STEP_BLOCKED:
		/* Woken, it may come back on another CPU. */
		return e->stage == LDE_STAGE_SWITCH &&
		       e->sw.next_tid == h->tid;
	case LDE_STEP_TICK:
		/* The switch the tick caused, then A's way back. */
		if (st->held.n == 1)
			return e->stage == LDE_STAGE_SWITCH &&
			       e->cpu == h->cpu && e->tid == h->tid &&
			       e->sw.nonvoluntary;
		return st->held.n == 2 && e->stage == LDE_STAGE_SWITCH &&
		       e->sw.next_tid == h->tid;
	default:
		return false;
	}
}

/* The step e starts, if it starts one; LDE_STEP_EVENT: none. */
static enum lde_step_kind starts(struct lde_story *st,
				 const struct lde_event *e)
{
	switch (e->stage) {
	case LDE_STAGE_TRAP:
	case LDE_EVENT_TRAP_STRINGS:
		return LDE_STEP_SYSCALL;
	case LDE_STAGE_SWITCH:
		/*
		 * A task leaves the CPU.  The idle task's leaving is no step,
		 * unless it lets in a task seen for the first time (where it
		 * was, blocked or preempted, the trace does not say).
		 */
		if (lde_is_idle(e->comm, e->pid))
			return thread(st, e->sw.next_tid)->seen ?
			       LDE_STEP_EVENT : LDE_STEP_ARRIVAL;
		return LDE_STEP_BLOCKED;
	case LDE_STAGE_TIMER:
		return LDE_STEP_TICK;
	default:
		return LDE_STEP_EVENT;
	}
}

/* The held step ends before it is whole: a lone tick is whole anyway. */
static void held_end(struct lde_story *st)
{
	if (!st->held.n)
		return;
	/* Whole with or without the way back; a background wait folds. */
	if (st->held.kind == LDE_STEP_TICK || background_wait(st, &st->held)) {
		step_done(st, &st->held);
	} else {
		number_step(st, &st->held);
		flush_held_steps(st);
		tell_step(st, &st->held);
	}
	st->held.n = 0;
	st->held.kind = LDE_STEP_EVENT;
}

static void story_event(struct lde_story *st, const struct lde_event *e);

void lde_story_event(struct lde_story *st, const struct lde_event *e)
{
	unsigned long long refused = st->threads.refused;

	story_event(st, e);
	if (st->threads.refused != refused)
		st->unkept_events++;
}

unsigned long long lde_story_unkept_events(const struct lde_story *st,
					   size_t *limit)
{
	*limit = st->threads.limit;
	return st->unkept_events;
}

static void story_event(struct lde_story *st, const struct lde_event *e)
{
	struct lde_step *held = &st->held;
	enum lde_step_kind kind;

	if (held->n && completes(st, e)) {
		held->ctx[held->n] = context_of(st, e);
		lde_event_copy(&held->ev[held->n++], e);
		remember(st, e);
		/* A tick and the switch it caused: A may come back next. */
		if (held->kind == LDE_STEP_TICK && held->n == 2)
			return;
		step_done(st, held);
		held->n = 0;
		held->kind = LDE_STEP_EVENT;
		return;
	}
	held_end(st);
	kind = starts(st, e);
	if (kind == LDE_STEP_ARRIVAL) {
		struct lde_step *one = &st->held;

		one->kind = kind;
		one->n = 1;
		lde_event_copy(&one->ev[0], e);
		one->ctx[0] = context_of(st, e);
		step_done(st, one);
		one->n = 0;
		one->kind = LDE_STEP_EVENT;
		remember(st, e);
		return;
	}
	if (kind != LDE_STEP_EVENT) {
		held->kind = kind;
		lde_event_copy(&held->ev[0], e);
		held->ctx[0] = context_of(st, e);
		held->n = 1;
		remember(st, e);
		return;
	}
	/* An event alone is a step of its own, never folded. */
	held->kind = LDE_STEP_EVENT;
	lde_event_copy(&held->ev[0], e);
	held->ctx[0] = context_of(st, e);
	held->n = 1;
	number_step(st, held);
	flush_held_steps(st);
	tell_step(st, held);
	held->n = 0;
	remember(st, e);
}

struct lde_story *lde_story_new(const struct lde_story_opts *opts,
				const struct lde_story_sink *sink)
{
	struct lde_story *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->opts = *opts;
	st->sink = *sink;
	lde_tid_table_init(&st->threads, sizeof(struct thread),
			   LDE_TID_TABLE_LIMIT);
	st->execve_nr = lde_syscall_nr("execve");
	st->execveat_nr = lde_syscall_nr("execveat");
	if (st->execve_nr < 0)
		st->execve_nr = -2;
	if (st->execveat_nr < 0)
		st->execveat_nr = -2;
	return st;
}

void lde_story_end(struct lde_story *st)
{
	held_end(st);
	flush_held_steps(st);
}

void lde_story_free(struct lde_story *st)
{
	if (!st)
		return;
	lde_tid_table_free(&st->threads);
	free(st);
}
