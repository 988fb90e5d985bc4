/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The chapter's story told by a trace: events grouped into the steps of
 * Figures 6.2 and 6.3 (a system call, a task blocking and coming back, a
 * timer interrupt and the switch it caused), each numbered in the order it
 * happened, and repeats folded.  What the story is, not how it is drawn:
 * the protocol view (-P) draws its steps as rows, the card (-F) picks the
 * first instance of each of the book's rows, the handout links them.
 */
#ifndef _LDE_STORY_H
#define _LDE_STORY_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "lde_trace.h"

enum lde_step_kind {
	LDE_STEP_EVENT,		/* one event alone: fork, exec, exit, ... */
	LDE_STEP_SYSCALL,	/* trap, then its return */
	LDE_STEP_BLOCKED,	/* A -> X, then, on any CPU, X' -> A */
	LDE_STEP_TICK,		/* a timer interrupt, maybe a preempted switch, maybe back */
	LDE_STEP_ARRIVAL,	/* idle -> A, A not seen before: where it was is unknown */
};

/*
 * What the rows of an event need to know of its threads, taken when the
 * event arrives (a held step is drawn later, when they may have moved on).
 */
struct lde_step_context {
	long long prev_nr, next_nr;	/* their open system calls, or -1 */
	unsigned long long trap_ip;	/* the PC after prev's last trap; 0: none */
	bool prev_user;			/* prev seen trapping: a user task */
	bool next_seen;			/* anything of next seen before */
	bool next_from_user;		/* next left the CPU from user mode */
};

#define LDE_STEP_EVENTS	3

struct lde_step {
	unsigned long number;		/* from 1, in the order steps happen */
	enum lde_step_kind kind;
	int n;				/* events in ev[] */
	struct lde_event ev[LDE_STEP_EVENTS];
	struct lde_step_context ctx[LDE_STEP_EVENTS];
};

/* A run of folded steps: how many, of what, over how long. */
#define LDE_FOLD_KINDS	6
#define LDE_STEP_WHAT_LEN 160

struct lde_fold {
	int steps;
	unsigned long first, last;	/* step numbers */
	unsigned long long first_ns, last_ns;
	int kinds;
	struct {
		uint64_t sig;
		char what[LDE_STEP_WHAT_LEN];	/* the kind's first step, in words */
		int count;
	} kind[LDE_FOLD_KINDS];
	int other;			/* steps of kinds beyond LDE_FOLD_KINDS */
};

/* Where the story goes: called in the order the rows are to be read. */
struct lde_story_sink {
	void *arg;
	/* A step to show whole. */
	void (*step)(void *arg, const struct lde_step *s);
	/* A run of steps folded into one row. */
	void (*fold)(void *arg, const struct lde_fold *f);
	/* Every step as it is whole, shown or folded, in number order. */
	void (*each)(void *arg, const struct lde_step *s);
};

struct lde_story_opts {
	bool all;		/* no folding: every step shown */
	bool traps;		/* traps are traced: a thread's call is known */
};

struct lde_story;

struct lde_story *lde_story_new(const struct lde_story_opts *opts,
				const struct lde_story_sink *sink);
void lde_story_event(struct lde_story *st, const struct lde_event *e);
/* After the last event: what is held is told. */
void lde_story_end(struct lde_story *st);
/*
 * Events of threads the full per-thread table could not keep (told as if
 * their thread were new), and that table's limit.
 */
unsigned long long lde_story_unkept_events(const struct lde_story *st,
					   size_t *limit);
void lde_story_free(struct lde_story *st);

/* A task's first switch in: it resumes where fork left it. */
static inline bool lde_resumes_new_task(const struct lde_event *e)
{
	return !strncmp(e->sw.next_resume, "ret_from_fork",
			strlen("ret_from_fork"));
}

/* comm[tid] in buf (40 bytes), control characters as '?'. */
const char *lde_story_who(char *buf, const char *comm, unsigned int tid);

static inline bool lde_is_idle(const char *comm, unsigned int pid)
{
	return pid == 0 && !strncmp(comm, "swapper", 7);
}

#endif /* _LDE_STORY_H */
