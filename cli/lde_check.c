// SPDX-License-Identifier: GPL-2.0
/*
 * lde-bench --check: following the program's processes and threads
 * through the trace's events (see lde_check.h), into what the findings
 * (lde_check_findings.c) read.  Events come in a trace
 * file's order, which keeps each thread's events in order (lde-trace sends
 * a CPU's batch at every switch there) but not the order across CPUs; so
 * nothing here needs two threads' events in order, only each thread's.
 *
 * Everything is bounded: a program with more processes, threads or pairs
 * than the tables hold has the rest counted as not followed, and said so.
 */
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "lde_check.h"
#include "lde_check_state.h"


/* The number of call name on the arch libseccomp's token names, or NO_CALL. */
static long long call_nr(uint32_t arch, const char *name)
{
	int nr = seccomp_syscall_resolve_name_arch(arch, name);

	/* Negative: none (libseccomp's pseudo-numbers say "not on arch"). */
	return nr >= 0 ? nr : NO_CALL;
}

static void number_calls(struct lde_check *c, uint32_t arch)
{
	c->nr.read = call_nr(arch, "read");
	c->nr.gettimeofday = call_nr(arch, "gettimeofday");
	c->nr.clock_gettime = call_nr(arch, "clock_gettime");
	c->nr.time = call_nr(arch, "time");
	c->nr.sched_setaffinity = call_nr(arch, "sched_setaffinity");
}

int lde_check_arch(struct lde_check *c, const char *arch)
{
	uint32_t token = seccomp_arch_resolve_name(arch);

	if (!token)
		return -1;
	number_calls(c, token);
	return 0;
}

struct lde_check *lde_check_new(unsigned int program_pid)
{
	struct lde_check *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->program_pid = program_pid;
	c->procs[0].pid = program_pid;
	c->nprocs = 1;
	number_calls(c, SCMP_ARCH_NATIVE);
	return c;
}

void lde_check_free(struct lde_check *c)
{
	free(c);
}

/* -- following the program's processes and threads ----------------------- */

static struct proc *proc_of(struct lde_check *c, unsigned int pid)
{
	int i;

	for (i = 0; i < c->nprocs; i++)
		if (c->procs[i].pid == pid)
			return &c->procs[i];
	return NULL;
}

static struct thread *known_thread(struct lde_check *c, unsigned int tid)
{
	int i;

	for (i = 0; i < c->nthreads; i++)
		if (c->threads[i].tid == tid)
			return &c->threads[i];
	return NULL;
}

static struct thread *thread_of(struct lde_check *c, unsigned int pid,
				unsigned int tid, const char *comm)
{
	struct proc *p = proc_of(c, pid);
	struct thread *t;

	if (!p)
		return NULL;
	if (comm)
		memcpy(p->comm, comm, LDE_COMM_LEN);
	t = known_thread(c, tid);
	if (t)
		return t;
	if (c->nthreads == MAX_THREADS) {
		c->not_followed++;
		return NULL;
	}
	t = &c->threads[c->nthreads++];
	t->tid = tid;
	t->proc = p;
	t->last_cpu = -1;
	t->run.nr = -1;
	return t;
}

static struct pair *pair_of(struct lde_check *c, struct proc *x,
			    struct proc *y)
{
	struct pair *p;
	int i;

	for (i = 0; i < c->npairs; i++) {
		p = &c->pairs[i];
		if ((p->a == x && p->b == y) || (p->a == y && p->b == x))
			return p;
	}
	if (c->npairs == MAX_PAIRS) {
		c->not_followed++;
		return NULL;
	}
	p = &c->pairs[c->npairs++];
	p->a = x;
	p->b = y;
	return p;
}

static unsigned int cpu_slot(unsigned int cpu)
{
	return cpu < MAX_CPUS ? cpu : MAX_CPUS - 1;
}

static void on_fork(struct lde_check *c, const struct lde_event *e)
{
	struct proc *parent = proc_of(c, e->pid), *child;

	if (!parent || e->fork.child_pid == e->pid ||
	    proc_of(c, e->fork.child_pid))
		return;		/* not the program's, or a thread */
	if (c->nprocs == MAX_PROCS) {
		c->not_followed++;
		return;
	}
	child = &c->procs[c->nprocs++];
	child->pid = e->fork.child_pid;
	memcpy(child->comm, parent->comm, LDE_COMM_LEN);
	/* The child starts with its parent's CPU affinity. */
	child->inherited = parent->pinned || parent->inherited;
}

/* time(2): x86-64 has one; arm64 has none (NO_CALL, never an event's). */
static bool is_timer_call(const struct lde_check *c, long long nr)
{
	return nr == c->nr.clock_gettime || nr == c->nr.gettimeofday ||
	       nr == c->nr.time;
}

static unsigned int timer_of_call(const struct lde_check *c, long long nr)
{
	return nr == c->nr.gettimeofday ? LDE_TIMER_GETTIMEOFDAY :
	       nr == c->nr.time ? LDE_TIMER_TIME : LDE_TIMER_CLOCK_GETTIME;
}

static void end_run(struct lde_check *c, struct thread *t)
{
	if (t->run.len > c->loop.len)
		c->loop = t->run;
	t->run.len = 0;
	t->run.nr = -1;
}

static void end_turns(struct lde_check *c, struct thread *t)
{
	if (t->turns.len >= 2 && t->turns.len > c->transfer.len)
		c->transfer = t->turns;
	t->turns.len = 0;
}

/* A trap goes on the calls in turn, or starts them anew with its call. */
static void turn(struct lde_check *c, struct thread *t, long long nr,
		 unsigned long long ts_ns)
{
	struct two_call_run *r = &t->turns;

	if (r->len == 1 && nr != r->nr[0]) {
		r->nr[1] = nr;
		return;
	}
	if (r->len > 1 && nr == r->nr[r->len % 2])
		return;
	end_turns(c, t);
	r->nr[0] = nr;
	r->tid = t->tid;
	r->first_ns = ts_ns;
}

void lde_check_end_runs(struct lde_check *c)
{
	int i;

	for (i = 0; i < c->nthreads; i++) {
		end_run(c, &c->threads[i]);
		end_turns(c, &c->threads[i]);
	}
}

static void on_trap(struct lde_check *c, const struct lde_event *e)
{
	struct thread *t = thread_of(c, e->pid, e->tid, e->comm);
	long long nr = e->trap.nr;

	if (!t)
		return;
	t->last_cpu = e->cpu;
	t->in_call = true;
	t->left_cpu = false;
	t->gave_way = false;
	t->nr = nr;
	if (nr != t->run.nr) {
		end_run(c, t);
		t->run.nr = nr;
		t->run.tid = t->tid;
		t->run.first_ns = e->ts_ns;
	}
	turn(c, t, nr, e->ts_ns);
	if (nr >= 0 && nr < NR_SYSCALLS) {
		c->sc[nr].calls++;
		t->proc->calls[nr]++;
	}
	if (is_timer_call(c, nr))
		c->timers_trapped |= timer_of_call(c, nr);
	if (nr == c->nr.sched_setaffinity)	/* pid 0: the caller */
		t->setaffinity_target = e->trap.args[0] ? (long long)
					(int)e->trap.args[0] : e->tid;
}

static void pin(struct lde_check *c, long long target)
{
	struct thread *t = known_thread(c, target);
	struct proc *p = t ? t->proc : proc_of(c, target);

	if (p)
		p->pinned = true;
}

static void on_return(struct lde_check *c, const struct lde_event *e)
{
	struct thread *t = thread_of(c, e->pid, e->tid, NULL);
	long long nr = e->ret.nr;
	struct syscall_count *s;

	if (!t)
		return;
	t->last_cpu = e->cpu;
	if (!t->in_call || t->nr != nr)
		return;		/* its trap came before the trace */
	t->in_call = false;
	if (nr == c->nr.sched_setaffinity && e->ret.ret == 0)
		pin(c, t->setaffinity_target);
	if (t->gave_way) {
		end_turns(c, t);
	} else {
		t->turns.len++;
		t->turns.last_ns = e->ts_ns;
	}
	if (t->left_cpu) {
		end_run(c, t);
		return;
	}
	t->run.len++;
	t->run.last_ns = e->ts_ns;
	if (nr < 0 || nr >= NR_SYSCALLS)
		return;
	s = &c->sc[nr];
	s->stayed++;
	s->kernel_ns += e->ret.kernel_ns;
}

static void on_switch(struct lde_check *c, const struct lde_event *e)
{
	struct proc *prev = proc_of(c, e->pid);
	struct proc *next = proc_of(c, e->sw.next_pid);
	struct thread *t;
	struct pair *p;

	if (prev) {
		if (e->sw.nonvoluntary)
			prev->preempted++;
		else
			prev->voluntary++;
		t = thread_of(c, e->pid, e->tid, NULL);
		if (t) {
			t->last_cpu = e->cpu;
			if (t->in_call)
				t->left_cpu = true;
			if (t->in_call && (!e->sw.nonvoluntary || next))
				t->gave_way = true;
		}
	}
	if (next) {
		next->ins[cpu_slot(e->cpu)]++;
		t = thread_of(c, e->sw.next_pid, e->sw.next_tid, NULL);
		if (t)
			t->last_cpu = e->cpu;
	}
	if (prev && next && prev != next) {
		p = pair_of(c, prev, next);
		if (p)
			p->direct++;
	}
}

static void count_waking(struct pair *p, long long nr)
{
	int i;

	for (i = 0; i < 4; i++) {
		if (p->waking[i].n && p->waking[i].nr != nr)
			continue;
		p->waking[i].nr = nr;
		p->waking[i].n++;
		return;
	}
}

static void on_wakeup(struct lde_check *c, const struct lde_event *e)
{
	struct proc *woken = proc_of(c, e->pid);
	struct proc *waker = proc_of(c, e->wakeup.by_pid);
	struct thread *w;
	struct pair *p;
	int waker_cpu;

	if (!woken || !waker || woken == waker || e->wakeup.new_task)
		return;
	p = pair_of(c, waker, woken);
	if (!p)
		return;
	/* The waker's CPU as its own events last placed it. */
	w = known_thread(c, e->wakeup.by_tid);
	if (p->a == waker)
		p->wake_ab++;
	else
		p->wake_ba++;
	if (w && w->in_call)
		count_waking(p, w->nr);
	waker_cpu = w && w->last_cpu >= 0 ? w->last_cpu : (int)e->cpu;
	if ((unsigned int)waker_cpu != e->wakeup.target_cpu)
		p->crossed++;
	if (!p->first_ns || e->ts_ns < p->first_ns)
		p->first_ns = e->ts_ns;
	if (e->ts_ns > p->last_ns)
		p->last_ns = e->ts_ns;
}

void lde_check_event(struct lde_check *c, const struct lde_event *e)
{
	c->events++;
	switch (lde_kind_stage(e->stage)) {
	case LDE_STAGE_FORK:
		on_fork(c, e);
		break;
	case LDE_STAGE_EXEC:
		thread_of(c, e->pid, e->tid, e->comm);
		break;
	case LDE_STAGE_TRAP:
		if (proc_of(c, e->pid))
			on_trap(c, e);
		break;
	case LDE_STAGE_RETURN:
		if (proc_of(c, e->pid))
			on_return(c, e);
		break;
	case LDE_STAGE_SWITCH:
		on_switch(c, e);
		break;
	case LDE_STAGE_WAKEUP:
		on_wakeup(c, e);
		break;
	}
}

void lde_check_timers(struct lde_check *c, unsigned int timers)
{
	c->timers_imported |= timers;
}

void lde_check_end(struct lde_check *c, unsigned long long lost,
		   int exit_status)
{
	c->lost = lost;
	c->exit_status = exit_status;
}
