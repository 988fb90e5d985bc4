// SPDX-License-Identifier: GPL-2.0
/*
 * lde-bench --check's findings: what the followed events and the printed
 * figures (lde_check_state.h) say of the program's run, each a verdict
 * with its evidence and advice, set against lde-bench's own measurement
 * under the same trace.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lde_check.h"
#include "lde_check_state.h"

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

/*
 * Each of the pair sent to the other: both made the call the wakeups
 * between them came from (round_trips()) LDE_CHECK_PINGPONG_MIN times.
 * Not wakeups each way: on one CPU a reply that preempts its sender
 * finds it runnable, so the sender's next send wakes no one, and when
 * that holds for every round trip all the wakeups go one way (seen in
 * the guest: the careful answer's 510 round trips with 511 wakeups one
 * way and none the other).  Without such a call (no waker seen in one),
 * wakeups each way.
 */
static bool sent_each_way(const struct pair *p)
{
	long long nr = waking_call(p);

	if (nr < 0 || nr >= NR_SYSCALLS)
		return p->wake_ab && p->wake_ba;
	return round_trips(p) >= LDE_CHECK_PINGPONG_MIN;
}

/* The pair of processes that woke each other most, or NULL. */
static struct pair *pingpong(struct lde_check *c)
{
	struct pair *best = NULL;
	int i;

	for (i = 0; i < c->npairs; i++) {
		struct pair *p = &c->pairs[i];

		if (p->wake_ab + p->wake_ba >= LDE_CHECK_PINGPONG_MIN &&
		    sent_each_way(p) &&
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

/*
 * The kernel's own timing of one turn of the pipe in one process (a
 * write and a read, no switch): the longest loop of two calls in turn,
 * one of them the ping-pong's send; 0 without one of
 * LDE_CHECK_PINGPONG_MIN turns.
 */
static double transfer_ns(const struct lde_check *c, const struct pair *p)
{
	const struct two_call_run *r = &c->transfer;
	long long send = waking_call(p);

	if (r->len < 2 * LDE_CHECK_PINGPONG_MIN ||
	    (send >= 0 && send != r->nr[0] && send != r->nr[1]))
		return 0;
	return (double)(r->last_ns - r->first_ns) / (r->len / 2.0);
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
		EVIDENCE(f, "the program printed a switch figure, but no two of its processes woke each other %d times or more, each sending to the other as often",
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
 * the same run: the timed loop's calls, or the ping-pong's round trips.
 * Both then hold the same host stalls and the same tracer's cost, which
 * under TCG on a shared host make one run of a loop two or three times
 * slower than the next (seen in one boot).  A switch figure is held
 * against both of a student's methods: half a round trip, and lmbench's
 * subtraction ((round trip - 2 transfers) / 2) made of the kernel's
 * timing of the same two stretches, the ping-pong and the pipe in one
 * process.  Half a round trip alone is no yardstick for the subtraction:
 * the transfer loop runs at another moment than the ping-pong, and when
 * a stall made it slow, the subtraction comes out far under half a round
 * trip (a careful answer's 30.3 us against 84.4 us, ratio 0.36, in a
 * guest where the transfers cost more than the switch).  A factor of LDE_CHECK_TOLERANCE either way keeps
 * those methods apart from arithmetic mistakes (a wrong count, a wrong
 * unit: several times off).  lde-bench's own measurement, before the
 * program under the same trace, is said beside it; it is the yardstick
 * only where the trace timed no such stretch.
 */
static bool within(double ratio)
{
	return ratio >= 1 / LDE_CHECK_TOLERANCE && ratio <= LDE_CHECK_TOLERANCE;
}

static void figure_findings(struct lde_check *c, struct findings *fs,
			    const struct lde_check_reference *ref,
			    const struct pair *p)
{
	int i;

	for (i = 0; i < c->nfigures; i++) {
		const struct figure *g = &c->figures[i];
		bool sys = g->kind == LDE_FIGURE_SYSCALL;
		bool read0 = sys && c->loop.nr == c->nr.read && ref->read0_ns > 0;
		double bench = !sys ? ref->switch_ns :
			       read0 ? ref->read0_ns : ref->getppid_ns;
		const char *what = !sys ? "a context switch between two processes on one CPU (lmbench's subtraction)" :
				   read0 ? "a 0-byte read" : "getppid";
		double trip = !sys && p ? round_trip_ns(p) : 0;
		double seen = sys ? (have_loop(c) ? loop_ns_per_call(c) : 0) :
			      trip / 2;
		double transfer = trip > 0 ? transfer_ns(c, p) : 0;
		double lmbench = transfer > 0 ? (trip - 2 * transfer) / 2 : 0;
		double want = seen > 0 ? seen : bench;
		double ratio = want > 0 ? g->ns / want : 0;
		bool held = within(ratio) || (lmbench > 0 && within(g->ns / lmbench));
		/* The send named first, as a round trip goes: "write and read". */
		bool send_second = p && c->transfer.nr[1] == waking_call(p);
		struct lde_finding *f;
		char a[32], b[32], t[32];

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
			    held ? LDE_VERDICT_OK : LDE_VERDICT_WRONG);
		EVIDENCE(f, "it printed \"%s\": %s", g->line,
			 ns_text(a, sizeof(a), g->ns));
		if (seen > 0)
			EVIDENCE(f, "; the kernel timed %s at %s in this run: ratio %.2f",
				 sys ? "a call of the timed loop" :
				 "half a round trip of the ping-pong",
				 ns_text(b, sizeof(b), seen), ratio);
		if (lmbench > 0)
			EVIDENCE(f, "; lmbench's subtraction made of the kernel's timings (a round trip %s, a %s and %s in turn by one process %s): %s, ratio %.2f",
				 ns_text(b, sizeof(b), trip),
				 lde_syscall_name(c->transfer.nr[send_second]),
				 lde_syscall_name(c->transfer.nr[!send_second]),
				 ns_text(t, sizeof(t), transfer),
				 ns_text(a, sizeof(a), lmbench), g->ns / lmbench);
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
		EVIDENCE(f, "; within a factor of %.0f either way%s counts as the same",
			 LDE_CHECK_TOLERANCE, lmbench > 0 ? " of one of the two" : "");
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

	lde_check_end_runs(c);
	trace_finding(c, &fs);
	syscalls_finding(c, &fs);
	loop_finding(c, &fs);
	switch_findings(c, &fs, p);
	timer_finding(c, &fs, ref, p);
	figure_findings(c, &fs, ref, p);
	return fs.n;
}
