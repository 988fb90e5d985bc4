// SPDX-License-Identifier: GPL-2.0
/*
 * lde-bench --check's findings: see lde_check.h.  Events come in a trace
 * file's order, which keeps each thread's events in order (lde-trace sends
 * a CPU's batch at every switch there) but not the order across CPUs; so
 * nothing here needs two threads' events in order, only each thread's.
 *
 * Everything is bounded: a program with more processes, threads or pairs
 * than the tables hold has the rest counted as not followed, and said so.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "lde_check.h"
#include "lde_line.h"
#include "lde_names.h"

#define MAX_PROCS	64
#define MAX_THREADS	256
#define MAX_PAIRS	64
#define MAX_CPUS	256	/* a CPU above is counted as the last */
#define MAX_FIGURES	8
#define NR_SYSCALLS	LDE_MAX_SYSCALLS

struct proc {
	unsigned int pid;
	char comm[LDE_COMM_LEN];
	bool pinned;		/* sched_setaffinity succeeded on it */
	bool inherited;		/* ... in its parent, before the fork */
	unsigned long long ins[MAX_CPUS];	/* switched in, per CPU */
	unsigned long long voluntary, preempted;
	unsigned long long calls[LDE_MAX_SYSCALLS];
};

/* Calls of one kind in a row by one thread, none leaving the CPU. */
struct run {
	long long nr;
	unsigned int tid;
	unsigned long long len, first_ns, last_ns;
};

struct thread {
	unsigned int tid;
	struct proc *proc;
	int last_cpu;		/* -1: not seen on a CPU yet */
	bool in_call;		/* between a trap and its return */
	bool left_cpu;		/* switched out inside that call */
	long long nr;
	long long setaffinity_target;
	struct run run;		/* the one going on */
};

struct pair {
	struct proc *a, *b;
	unsigned long long wake_ab, wake_ba;	/* a woke b, b woke a */
	unsigned long long crossed;	/* woken onto another CPU */
	unsigned long long direct;	/* switches from one straight to the other */
	unsigned long long first_ns, last_ns;
	/* The calls wakers were in, and how often: a send (write, on pipes). */
	struct {
		long long nr;
		unsigned long long n;
	} waking[4];
};

struct syscall_count {
	unsigned long long calls;
	unsigned long long stayed;	/* returned without leaving the CPU */
	unsigned long long kernel_ns;	/* summed over those */
};

struct figure {
	enum lde_figure_kind kind;
	double ns;
	char line[120];
};

struct lde_check {
	unsigned int program_pid;
	struct proc procs[MAX_PROCS];
	int nprocs;
	struct thread threads[MAX_THREADS];
	int nthreads;
	struct pair pairs[MAX_PAIRS];
	int npairs;
	unsigned long long not_followed;	/* events of tasks over the tables */
	struct syscall_count sc[NR_SYSCALLS];
	struct run loop;	/* the longest run: the timed loop */
	unsigned long long events;
	struct figure figures[MAX_FIGURES];
	int nfigures;
	unsigned int timers_imported, timers_named, timers_trapped;
	unsigned long long lost;
	int exit_status;
};

const char *lde_verdict_name(enum lde_verdict v)
{
	return v == LDE_VERDICT_OK ? "ok" : v == LDE_VERDICT_WRONG ? "wrong" :
	       "unknown";
}

struct lde_check *lde_check_new(unsigned int program_pid)
{
	struct lde_check *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->program_pid = program_pid;
	c->procs[0].pid = program_pid;
	c->nprocs = 1;
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

static struct thread *thread_of(struct lde_check *c, unsigned int pid,
				unsigned int tid, const char *comm)
{
	struct proc *p = proc_of(c, pid);
	struct thread *t;
	int i;

	if (!p)
		return NULL;
	if (comm)
		memcpy(p->comm, comm, LDE_COMM_LEN);
	for (i = 0; i < c->nthreads; i++)
		if (c->threads[i].tid == tid)
			return &c->threads[i];
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

static struct thread *known_thread(struct lde_check *c, unsigned int tid)
{
	int i;

	for (i = 0; i < c->nthreads; i++)
		if (c->threads[i].tid == tid)
			return &c->threads[i];
	return NULL;
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

/* time(2): x86-64 has one; arm64 has none, and -1 is no call's number. */
#ifdef SYS_time
#define LDE_SYS_TIME	SYS_time
#else
#define LDE_SYS_TIME	(-1)
#endif

static bool is_timer_call(long long nr)
{
	return nr == SYS_clock_gettime || nr == SYS_gettimeofday ||
	       nr == LDE_SYS_TIME;
}

static unsigned int timer_of_call(long long nr)
{
	return nr == SYS_gettimeofday ? LDE_TIMER_GETTIMEOFDAY :
	       nr == LDE_SYS_TIME ? LDE_TIMER_TIME : LDE_TIMER_CLOCK_GETTIME;
}

static void end_run(struct lde_check *c, struct thread *t)
{
	if (t->run.len > c->loop.len)
		c->loop = t->run;
	t->run.len = 0;
	t->run.nr = -1;
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
	t->nr = nr;
	if (nr != t->run.nr) {
		end_run(c, t);
		t->run.nr = nr;
		t->run.tid = t->tid;
		t->run.first_ns = e->ts_ns;
	}
	if (nr >= 0 && nr < NR_SYSCALLS) {
		c->sc[nr].calls++;
		t->proc->calls[nr]++;
	}
	if (is_timer_call(nr))
		c->timers_trapped |= timer_of_call(nr);
	if (nr == SYS_sched_setaffinity)	/* pid 0: the caller */
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
	if (nr == SYS_sched_setaffinity && e->ret.ret == 0)
		pin(c, t->setaffinity_target);
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

/* The call most wakeups between the pair came from, or -1. */
static long long waking_call(const struct pair *p)
{
	int i, best = -1;

	for (i = 0; i < 4; i++)
		if (p->waking[i].n &&
		    (best < 0 || p->waking[i].n > p->waking[best].n))
			best = i;
	return best < 0 ? -1 : p->waking[best].nr;
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

/* -- the program's output ---------------------------------------------------- */

/* A unit word's scale to ns, or 0. */
static double unit_scale(const char *w, size_t n)
{
	static const struct {
		const char *word;
		double scale;
	} units[] = {
		{ "ns", 1 }, { "nsec", 1 }, { "nsecs", 1 },
		{ "nanosecond", 1 }, { "nanoseconds", 1 },
		{ "us", 1e3 }, { "usec", 1e3 }, { "usecs", 1e3 },
		{ "\xc2\xb5s", 1e3 },	/* MICRO SIGN */
		{ "\xce\xbcs", 1e3 },	/* GREEK SMALL LETTER MU */
		{ "microsecond", 1e3 }, { "microseconds", 1e3 },
		{ "ms", 1e6 }, { "msec", 1e6 }, { "msecs", 1e6 },
		{ "millisecond", 1e6 }, { "milliseconds", 1e6 },
	};
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strlen(units[i].word) == n && !strncmp(units[i].word, w, n))
			return units[i].scale;
	return 0;
}

static bool word_byte(unsigned char ch)
{
	return isalpha(ch) || ch >= 0x80;
}

int lde_check_parse_figure(const char *line, enum lde_figure_kind *kind,
			   double *ns)
{
	char low[512];
	const char *p;
	size_t i;

	for (i = 0; line[i] && i < sizeof(low) - 1; i++)
		low[i] = tolower((unsigned char)line[i]);
	low[i] = '\0';
	if (strstr(low, "switch"))
		*kind = LDE_FIGURE_SWITCH;
	else if (strstr(low, "syscall") || strstr(low, "system call") ||
		 strstr(low, "system-call") || strstr(low, "sys call"))
		*kind = LDE_FIGURE_SYSCALL;
	else
		return 0;
	for (p = low; *p; p++) {
		const char *w;
		char *end;
		double v, scale;

		/* A number starts at a digit not inside a word (x86, 2nd). */
		if (!isdigit((unsigned char)*p) ||
		    (p > low && (word_byte(p[-1]) || isdigit((unsigned char)p[-1]) ||
				 p[-1] == '.')))
			continue;
		v = strtod(p, &end);
		for (w = end; *w == ' ' || *w == '\t'; w++)
			;
		for (i = 0; word_byte(w[i]); i++)
			;
		scale = unit_scale(w, i);
		if (scale && v >= 0) {
			*ns = v * scale;
			return 1;
		}
		p = end - 1;
	}
	return 0;
}

unsigned int lde_check_timers_named(const char *text)
{
	char low[512];
	unsigned int t = 0;
	size_t i;

	for (i = 0; text[i] && i < sizeof(low) - 1; i++)
		low[i] = tolower((unsigned char)text[i]);
	low[i] = '\0';
	if (strstr(low, "gettimeofday"))
		t |= LDE_TIMER_GETTIMEOFDAY;
	if (strstr(low, "clock_gettime"))
		t |= LDE_TIMER_CLOCK_GETTIME;
	if (strstr(low, "rdtsc") || strstr(low, "tsc"))
		t |= LDE_TIMER_RDTSC;
	return t;
}

void lde_check_output_line(struct lde_check *c, const char *line)
{
	struct figure *f;

	c->timers_named |= lde_check_timers_named(line);
	if (c->nfigures == MAX_FIGURES)
		return;
	f = &c->figures[c->nfigures];
	if (lde_check_parse_figure(line, &f->kind, &f->ns)) {
		snprintf(f->line, sizeof(f->line), "%s", line);
		c->nfigures++;
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

/* -- findings ------------------------------------------------------------------ */

struct findings {
	struct lde_finding *f;
	int n;
};

static struct lde_finding *finding(struct findings *fs, const char *check,
				   enum lde_verdict v)
{
	struct lde_finding *f = &fs->f[fs->n < LDE_CHECK_MAX_FINDINGS - 1 ?
				       fs->n++ : fs->n];

	memset(f, 0, sizeof(*f));
	snprintf(f->check, sizeof(f->check), "%s", check);
	f->verdict = v;
	return f;
}

/* Appends to a finding's text, cut at its size. */
static void __attribute__((format(printf, 3, 4)))
say(char *buf, size_t size, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	if (len >= size - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
}

#define EVIDENCE(f, ...) say((f)->evidence, sizeof((f)->evidence), __VA_ARGS__)
#define ADVICE(f, ...) say((f)->advice, sizeof((f)->advice), __VA_ARGS__)

/* "512 ns", "21.4 us", "3.2 ms" */
static const char *ns_text(char *buf, size_t size, double ns)
{
	if (ns < 1e4)
		snprintf(buf, size, "%.0f ns", ns);
	else if (ns < 1e7)
		snprintf(buf, size, "%.1f us", ns / 1e3);
	else
		snprintf(buf, size, "%.1f ms", ns / 1e6);
	return buf;
}

static bool has_figure(const struct lde_check *c, enum lde_figure_kind k)
{
	int i;

	for (i = 0; i < c->nfigures; i++)
		if (c->figures[i].kind == k)
			return true;
	return false;
}

static void trace_finding(struct lde_check *c, struct findings *fs)
{
	struct lde_finding *f;
	int i;

	f = finding(fs, "trace", c->lost || c->not_followed ?
		    LDE_VERDICT_UNKNOWN : LDE_VERDICT_OK);
	EVIDENCE(f, "%llu events; the program's processes:", c->events);
	for (i = 0; i < c->nprocs; i++)
		EVIDENCE(f, "%s %u (%.*s)", i ? "," : "", c->procs[i].pid,
			 LDE_COMM_LEN, c->procs[i].comm);
	if (c->lost)
		EVIDENCE(f, "; lde-trace lost %llu events, so counts below may be short",
			 c->lost);
	if (c->not_followed)
		EVIDENCE(f, "; %llu events of tasks beyond the checker's tables (%d processes, %d threads) not followed",
			 c->not_followed, MAX_PROCS, MAX_THREADS);
	if (c->lost)
		ADVICE(f, "run it again with fewer iterations, or on a quieter machine");
	if (c->exit_status) {
		f = finding(fs, "exit", LDE_VERDICT_UNKNOWN);
		EVIDENCE(f, "the program exited with status %d", c->exit_status);
		ADVICE(f, "a program that fails may not have measured what it printed");
	}
}

static int by_calls(const void *a, const void *b, void *arg)
{
	const struct syscall_count *sc = arg;
	long long x = *(const long long *)a, y = *(const long long *)b;

	if (sc[x].calls != sc[y].calls)
		return sc[x].calls < sc[y].calls ? 1 : -1;
	return x < y ? -1 : 1;
}

static void syscalls_finding(struct lde_check *c, struct findings *fs)
{
	struct lde_finding *f = finding(fs, "syscalls", LDE_VERDICT_OK);
	long long nrs[NR_SYSCALLS];
	unsigned long long total = 0;
	int n = 0, i;
	long long nr;

	for (nr = 0; nr < NR_SYSCALLS; nr++)
		if (c->sc[nr].calls) {
			nrs[n++] = nr;
			total += c->sc[nr].calls;
		}
	qsort_r(nrs, n, sizeof(nrs[0]), by_calls, c->sc);
	EVIDENCE(f, "%llu system calls of %d kinds:", total, n);
	for (i = 0; i < n && i < 10; i++)
		EVIDENCE(f, "%s %s %llu", i ? "," : "",
			 lde_syscall_name(nrs[i]), c->sc[nrs[i]].calls);
	if (n > 10)
		EVIDENCE(f, ", and %d more kinds", n - 10);
}

/* The timed loop's calls, if it is one. */
static bool have_loop(const struct lde_check *c)
{
	return c->loop.len >= LDE_CHECK_LOOP_MIN;
}

/* The kernel's own timing of the loop: trap of its first call to return of its last. */
static double loop_ns_per_call(const struct lde_check *c)
{
	return (double)(c->loop.last_ns - c->loop.first_ns) / c->loop.len;
}

static void loop_finding(struct lde_check *c, struct findings *fs)
{
	bool printed = has_figure(c, LDE_FIGURE_SYSCALL);
	long long nr = c->loop.nr;
	struct lde_finding *f;
	char a[32], b[32], d[32];

	if (have_loop(c)) {
		const struct syscall_count *s = &c->sc[nr];

		f = finding(fs, "syscall-loop", LDE_VERDICT_OK);
		EVIDENCE(f, "the timed loop: %llu %s calls in a row by thread %u, none leaving the CPU, over %s: %s a call, trap of the first to return of the last; %s of each in the kernel on average (all %llu %s calls)",
			 c->loop.len, lde_syscall_name(nr), c->loop.tid,
			 ns_text(a, sizeof(a), c->loop.last_ns - c->loop.first_ns),
			 ns_text(b, sizeof(b), loop_ns_per_call(c)),
			 ns_text(d, sizeof(d), s->stayed ? (double)s->kernel_ns / s->stayed : 0),
			 s->calls, lde_syscall_name(nr));
		return;
	}
	if (!printed)
		return;		/* no system-call measurement here */
	f = finding(fs, "syscall-loop", LDE_VERDICT_WRONG);
	EVIDENCE(f, "the program printed a system-call figure, but made no system call %d times in a row without leaving the CPU",
		 LDE_CHECK_LOOP_MIN);
	if (c->loop.len)
		EVIDENCE(f, " (the longest run: %llu %s calls)", c->loop.len,
			 lde_syscall_name(c->loop.nr));
	EVIDENCE(f, ": what it timed never entered the kernel");
	if (c->timers_imported & (LDE_TIMER_GETTIMEOFDAY | LDE_TIMER_CLOCK_GETTIME))
		EVIDENCE(f, "; it calls %s%s%s, which the vDSO answers in user space, with no trap",
			 c->timers_imported & LDE_TIMER_GETTIMEOFDAY ? "gettimeofday" : "",
			 (c->timers_imported & LDE_TIMER_GETTIMEOFDAY) &&
			 (c->timers_imported & LDE_TIMER_CLOCK_GETTIME) ? " and " : "",
			 c->timers_imported & LDE_TIMER_CLOCK_GETTIME ? "clock_gettime" : "");
	ADVICE(f, "gettimeofday, clock_gettime and time are read from a page the kernel shares (the vDSO), and old C libraries cached getpid(): none of them traps. Time a call the kernel must answer, thousands of times in one loop: read(fd, buf, 0) or syscall(SYS_getppid)");
}

/*
 * Round trips of a pair: a round trip is one send each way, and a send
 * is the call a waker was in when it woke the other (write, on pipes).
 * Not the wakeups: on one CPU a sender preempted by the woken side is
 * still runnable when the reply comes, so that reply wakes no one.  The
 * fewer of the two processes' calls of that kind (one of them may use
 * it elsewhere too); without one, the more of the wakeups each way.
 */
static unsigned long long round_trips(const struct pair *p)
{
	long long nr = waking_call(p);
	unsigned long long a, b;

	if (nr < 0 || nr >= NR_SYSCALLS)
		return p->wake_ab > p->wake_ba ? p->wake_ab : p->wake_ba;
	a = p->a->calls[nr];
	b = p->b->calls[nr];
	return a < b ? a : b;
}

/* The pair of processes that woke each other most, or NULL. */
static struct pair *pingpong(struct lde_check *c)
{
	struct pair *best = NULL;
	int i;

	for (i = 0; i < c->npairs; i++) {
		struct pair *p = &c->pairs[i];

		if (p->wake_ab + p->wake_ba >= LDE_CHECK_PINGPONG_MIN &&
		    p->wake_ab && p->wake_ba &&
		    (!best || p->wake_ab + p->wake_ba >
			      best->wake_ab + best->wake_ba))
			best = p;
	}
	return best;
}

/* The kernel's own timing of a round trip: the ping-pong's span over them. */
static double round_trip_ns(const struct pair *p)
{
	unsigned long long rt = round_trips(p);

	return rt ? (double)(p->last_ns - p->first_ns) / rt : 0;
}

static void cpus_text(struct lde_finding *f, const struct proc *p)
{
	bool first = true;
	int cpu;

	EVIDENCE(f, "%u (%.*s) ran on CPU", p->pid, LDE_COMM_LEN, p->comm);
	for (cpu = 0; cpu < MAX_CPUS; cpu++) {
		if (!p->ins[cpu])
			continue;
		EVIDENCE(f, "%s %d (%llu times)", first ? "" : ",", cpu,
			 p->ins[cpu]);
		first = false;
	}
	if (first)
		EVIDENCE(f, " (never switched in)");
	EVIDENCE(f, ", %s", p->pinned ? "pinned by sched_setaffinity" :
		 p->inherited ? "pinned by its parent's sched_setaffinity before fork" :
		 "no sched_setaffinity");
}

/*
 * Where the ping-pong ran: ok when both were pinned (sched_setaffinity,
 * theirs or a parent's) and nine in ten of their switch-ins were on one
 * CPU (a process that pins itself may have started elsewhere).
 */
static void switch_findings(struct lde_check *c, struct findings *fs,
			    struct pair *p)
{
	unsigned long long total = 0, best = 0, rt;
	struct lde_finding *f;
	double per_rt, share;
	int cpu, best_cpu = 0;
	bool pinned;
	char a[32];

	if (!p) {
		if (!has_figure(c, LDE_FIGURE_SWITCH))
			return;
		f = finding(fs, "switch-cpus", LDE_VERDICT_WRONG);
		EVIDENCE(f, "the program printed a switch figure, but no two of its processes woke each other %d times or more",
			 LDE_CHECK_PINGPONG_MIN);
		ADVICE(f, "a context switch is measured between two processes that block on each other: two pipes, one process writes and waits to read, the other reads and writes back, thousands of round trips");
		return;
	}
	for (cpu = 0; cpu < MAX_CPUS; cpu++) {
		unsigned long long n = p->a->ins[cpu] + p->b->ins[cpu];

		total += n;
		if (n > best) {
			best = n;
			best_cpu = cpu;
		}
	}
	share = total ? (double)best / total : 0;
	rt = round_trips(p);
	/*
	 * Unpinned is wrong even when the scheduler kept the pair on one CPU
	 * this time: the next run may not, and the figure then measures
	 * something else (the homework asks for both on one processor).
	 */
	pinned = (p->a->pinned || p->a->inherited) &&
		 (p->b->pinned || p->b->inherited);
	f = finding(fs, "switch-cpus", share >= 0.9 && pinned ?
		    LDE_VERDICT_OK : LDE_VERDICT_WRONG);
	EVIDENCE(f, "ping-pong between ");
	cpus_text(f, p->a);
	EVIDENCE(f, "; ");
	cpus_text(f, p->b);
	EVIDENCE(f, "; %.0f%% of their switch-ins on CPU %d; %llu of %llu wakeups between them crossed CPUs",
		 100 * share, best_cpu, p->crossed, p->wake_ab + p->wake_ba);
	if (share < 0.9)
		ADVICE(f, "they were not on one CPU: each woke the other on another CPU, so what was timed is the pipe and a cross-CPU wakeup, not a context switch. Pin both to one CPU with sched_setaffinity (a set with one CPU, in the parent before fork: the child inherits it), or run the program under taskset -c 0");
	else if (!pinned)
		ADVICE(f, "nothing pinned them: the scheduler kept them on one CPU this time, and the next run it may not. Pin both to one CPU with sched_setaffinity (a set with one CPU, in the parent before fork: the child inherits it), or run the program under taskset -c 0");

	per_rt = rt ? (double)p->direct / rt : 0;
	f = finding(fs, "switch-rate", per_rt >= 1.5 && per_rt <= 2.5 ?
		    LDE_VERDICT_OK : LDE_VERDICT_WRONG);
	EVIDENCE(f, "%llu round trips (%s calls each way; wakeups each way: %llu, %llu), %s each; %llu switches straight from one to the other: %.2f per round trip (2 expected); switches out: %u %llu voluntary, %llu preempted; %u %llu voluntary, %llu preempted",
		 rt, lde_syscall_name(waking_call(p)),
		 p->wake_ab, p->wake_ba, ns_text(a, sizeof(a), round_trip_ns(p)),
		 p->direct, per_rt,
		 p->a->pid, p->a->voluntary, p->a->preempted,
		 p->b->pid, p->b->voluntary, p->b->preempted);
	if (per_rt < 1.5)
		ADVICE(f, "a round trip should be two switches, one process to the other and back; here each mostly switched to the idle task or to another task: pin both to one CPU (sched_setaffinity) and keep other work off it");
	else if (per_rt > 2.5)
		ADVICE(f, "more than two switches a round trip: something else ran between them; keep other work off their CPU");
}

/* The coarsest timer the program may use: its resolution in ns, and name. */
static double timer_resolution(unsigned int timers,
			       const struct lde_check_reference *ref,
			       const char **name)
{
	if (timers & LDE_TIMER_TIME) {
		*name = "time()";
		return 1e9;
	}
	if (timers & LDE_TIMER_GETTIMEOFDAY) {
		*name = "gettimeofday";
		return ref->gettimeofday_step_ns > 1000 ?
		       ref->gettimeofday_step_ns : 1000;
	}
	if (timers & LDE_TIMER_CLOCK_GETTIME) {
		*name = "clock_gettime";
		return ref->clock_gettime_step_ns > 1 ?
		       ref->clock_gettime_step_ns : 1;
	}
	*name = "rdtsc";
	return ref->rdtsc_step_ns > 1 ? ref->rdtsc_step_ns : 1;
}

static void timer_finding(struct lde_check *c, struct findings *fs,
			  const struct lde_check_reference *ref,
			  const struct pair *p)
{
	unsigned int timers = c->timers_imported | c->timers_named |
			      c->timers_trapped;
	unsigned long long span = 0;
	const char *name, *what = NULL;
	struct lde_finding *f;
	char a[32], b[32];
	double res;

	if (have_loop(c)) {
		span = c->loop.last_ns - c->loop.first_ns;
		what = "the system-call loop";
	}
	if (p && (!span || p->last_ns - p->first_ns < span)) {
		span = p->last_ns - p->first_ns;
		what = "the ping-pong";
	}
	if (!timers) {
		if (!c->nfigures)
			return;
		f = finding(fs, "timer", LDE_VERDICT_UNKNOWN);
		EVIDENCE(f, "no timer seen: gettimeofday and clock_gettime are answered by the vDSO without a trap, the program imports neither from the C library (a static program or a script?), and its output names none");
		ADVICE(f, "say in the output which clock you read (gettimeofday, clock_gettime, rdtsc)");
		return;
	}
	res = timer_resolution(timers, ref, &name);
	f = finding(fs, "timer", !span ? LDE_VERDICT_UNKNOWN :
		    res <= span / 100.0 ? LDE_VERDICT_OK : LDE_VERDICT_WRONG);
	EVIDENCE(f, "%s, seen by", name);
	if (c->timers_trapped)
		EVIDENCE(f, " its trapping into the kernel (a clock the vDSO does not serve)");
	else if (c->timers_imported)
		EVIDENCE(f, " the program's imports (the vDSO answers it without a trap, so the trace cannot show it)");
	else
		EVIDENCE(f, " the program's output naming it");
	EVIDENCE(f, "; it steps by %s", ns_text(a, sizeof(a), res));
	if (span)
		EVIDENCE(f, " against %s of %s: %.2g%% of it", what,
			 ns_text(b, sizeof(b), span), 100.0 * res / span);
	else
		EVIDENCE(f, "; no timed loop was seen to hold it against");
	if (span && res > span / 100.0)
		ADVICE(f, "the clock's step is over 1%% of the stretch timed: time many more iterations in one reading, or use clock_gettime(CLOCK_MONOTONIC)");
}

/*
 * A printed figure against the kernel's own timing of the same stretch in
 * the same run: the timed loop's calls, or the ping-pong's round trips
 * (a switch is at most half of one; lmbench's subtraction makes it a
 * little less).  Both then hold the same host stalls and the same
 * tracer's cost, which under TCG on a shared host make one run of a loop
 * two or three times slower than the next (seen in one boot).  A factor
 * of LDE_CHECK_TOLERANCE either way keeps a student's method (half a
 * round trip, or lmbench's subtraction: 0.8 to 1 of it here) apart from
 * arithmetic mistakes (a wrong count, a wrong unit: several times off).
 * lde-bench's own measurement, before the program under the same trace,
 * is said beside it; it is the yardstick only where the trace timed no
 * such stretch.
 */
static void figure_findings(struct lde_check *c, struct findings *fs,
			    const struct lde_check_reference *ref,
			    const struct pair *p)
{
	int i;

	for (i = 0; i < c->nfigures; i++) {
		const struct figure *g = &c->figures[i];
		bool sys = g->kind == LDE_FIGURE_SYSCALL;
		bool read0 = sys && c->loop.nr == SYS_read && ref->read0_ns > 0;
		double bench = !sys ? ref->switch_ns :
			       read0 ? ref->read0_ns : ref->getppid_ns;
		const char *what = !sys ? "a context switch between two processes on one CPU (lmbench's subtraction)" :
				   read0 ? "a 0-byte read" : "getppid";
		double seen = sys ? (have_loop(c) ? loop_ns_per_call(c) : 0) :
			      (p ? round_trip_ns(p) / 2 : 0);
		double want = seen > 0 ? seen : bench;
		double ratio = want > 0 ? g->ns / want : 0;
		struct lde_finding *f;
		char a[32], b[32];

		if (sys && !have_loop(c)) {
			/* syscall-loop said why: nothing trapped to compare. */
			f = finding(fs, "syscall-figure", LDE_VERDICT_WRONG);
			EVIDENCE(f, "it printed \"%s\": %s, but no loop of system calls was made (see syscall-loop): it is not the cost of one",
				 g->line, ns_text(a, sizeof(a), g->ns));
			if (bench > 0)
				EVIDENCE(f, "; lde-bench measured %s at %s under the same trace before it",
					 what, ns_text(b, sizeof(b), bench));
			ADVICE(f, "time a loop of a call that traps (see syscall-loop)");
			continue;
		}
		f = finding(fs, sys ? "syscall-figure" : "switch-figure",
			    want <= 0 ? LDE_VERDICT_UNKNOWN :
			    ratio >= 1 / LDE_CHECK_TOLERANCE &&
			    ratio <= LDE_CHECK_TOLERANCE ? LDE_VERDICT_OK :
			    LDE_VERDICT_WRONG);
		EVIDENCE(f, "it printed \"%s\": %s", g->line,
			 ns_text(a, sizeof(a), g->ns));
		if (seen > 0)
			EVIDENCE(f, "; the kernel timed %s at %s in this run: ratio %.2f",
				 sys ? "a call of the timed loop" :
				 "half a round trip of the ping-pong",
				 ns_text(b, sizeof(b), seen), ratio);
		if (bench > 0)
			EVIDENCE(f, "; lde-bench measured %s at %s under the same trace before it",
				 what, ns_text(b, sizeof(b), bench));
		if (seen <= 0 && bench > 0)
			EVIDENCE(f, ": ratio %.2f (the trace timed no ping-pong to hold it against)",
				 ratio);
		if (want <= 0) {
			EVIDENCE(f, "; nothing to hold it against");
			continue;
		}
		EVIDENCE(f, "; within a factor of %.0f either way counts as the same",
			 LDE_CHECK_TOLERANCE);
		if (f->verdict == LDE_VERDICT_WRONG)
			ADVICE(f, "%s: check the arithmetic (total time / number of %s), the unit, and that the timed loop holds only what you meant to time",
			       ratio > 1 ? "several times too slow" : "several times too fast",
			       sys ? "calls" : "switches: a round trip is two");
	}
}

int lde_check_findings(struct lde_check *c,
		       const struct lde_check_reference *ref,
		       struct lde_finding *out)
{
	struct findings fs = { .f = out };
	struct pair *p = pingpong(c);
	int i;

	for (i = 0; i < c->nthreads; i++)	/* runs still going at the end */
		end_run(c, &c->threads[i]);
	trace_finding(c, &fs);
	syscalls_finding(c, &fs);
	loop_finding(c, &fs);
	switch_findings(c, &fs, p);
	timer_finding(c, &fs, ref, p);
	figure_findings(c, &fs, ref, p);
	return fs.n;
}

static void json_str(FILE *f, const char *s)
{
	char buf[4096];
	struct lde_line l;

	lde_line_start(&l, buf, sizeof(buf));
	lde_line_json_str(&l, s, strlen(s) + 1);
	lde_line_flush(&l, f);
}

int lde_check_print(FILE *f, const struct lde_finding *fs, int n, bool json)
{
	int i, wrong = 0;

	for (i = 0; i < n; i++) {
		const struct lde_finding *x = &fs[i];

		wrong += x->verdict == LDE_VERDICT_WRONG;
		if (json) {
			fputs("{\"check\":", f);
			json_str(f, x->check);
			fprintf(f, ",\"verdict\":\"%s\",\"evidence\":",
				lde_verdict_name(x->verdict));
			json_str(f, x->evidence);
			fputs(",\"advice\":", f);
			json_str(f, x->advice);
			fputs("}\n", f);
			continue;
		}
		fprintf(f, "%-7s %s: %s\n", lde_verdict_name(x->verdict),
			x->check, x->evidence);
		if (x->advice[0])
			fprintf(f, "        advice: %s\n", x->advice);
	}
	if (!json)
		fprintf(f, "%d wrong, %d findings\n", wrong, n);
	return wrong;
}
