/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lde-bench --check: what a student's homework program really measured,
 * judged from the events lde-trace recorded of it and from what it
 * printed: each figure against the kernel's timing of the same stretch,
 * with lde-bench's own measurement under the same trace beside it.
 * This half only reads events and text (the host tests it from events
 * made there): lde_check.c follows the events, lde_check_output.c reads
 * the printed figures, lde_check_findings.c judges, lde_check_print.c
 * reports; lde_check_run.c runs the program under lde-trace.
 *
 * The program's figures are read from its standard output, one a line: a
 * line naming a system call ("syscall", "system call", "sys call") or a
 * switch ("switch") and holding a number with a unit (ns, nsec, us, usec,
 * µs, ms, nanoseconds, microseconds, milliseconds), e.g.
 *   null system call: 512 ns
 *   context switch (pinned, 1 CPU): 21.4 us
 * The first number followed by a unit is the figure; a line naming both
 * kinds counts as a switch.
 */
#ifndef _LDE_CHECK_H
#define _LDE_CHECK_H

#include <stdbool.h>
#include <stdio.h>

#include "lde_trace.h"

enum lde_verdict {
	LDE_VERDICT_OK,
	LDE_VERDICT_WRONG,
	LDE_VERDICT_UNKNOWN,
};

/*
 * A call made this many times in a row by one thread, none leaving the
 * CPU, is a timing loop: the homework asks for thousands; a stretch of
 * fewer is one a coarse clock (gettimeofday's microsecond) resolves
 * poorly, and a program that printed a figure with no such run timed
 * something else.
 */
#define LDE_CHECK_LOOP_MIN	1000
/* Two processes waking each other this often are a ping-pong. */
#define LDE_CHECK_PINGPONG_MIN	100
/*
 * A printed figure within this factor, either way, of the kernel's timing
 * of the same stretch is the same thing measured (see figure_findings()
 * in lde_check_findings.c for why 2).
 */
#define LDE_CHECK_TOLERANCE	2.0

/* What lde-bench measured in the same traced run (0: not measured). */
struct lde_check_reference {
	double getppid_ns;		/* median, syscall(SYS_getppid) */
	double read0_ns;		/* median, 0-byte read */
	double switch_ns;		/* lmbench's, two processes, one CPU */
	double gettimeofday_step_ns;	/* back-to-back steps, medians */
	double clock_gettime_step_ns;
	double rdtsc_step_ns;
};

/* How the program may read the time (bits), as far as can be seen. */
#define LDE_TIMER_GETTIMEOFDAY	0x1
#define LDE_TIMER_CLOCK_GETTIME	0x2
#define LDE_TIMER_RDTSC		0x4
#define LDE_TIMER_TIME		0x8	/* time(2): whole seconds */

enum lde_figure_kind {
	LDE_FIGURE_SYSCALL,
	LDE_FIGURE_SWITCH,
};

struct lde_finding {
	char check[24];
	enum lde_verdict verdict;
	char evidence[640];
	char advice[384];
};

#define LDE_CHECK_MAX_FINDINGS	24

struct lde_check;

/*
 * A checker for the program whose first process is program_pid, its calls
 * numbered as this machine numbers them; NULL: ENOMEM.
 */
struct lde_check *lde_check_new(unsigned int program_pid);
void lde_check_free(struct lde_check *c);
/*
 * The trace was recorded on arch (its header's, libseccomp's name:
 * "x86_64", "aarch64"): its call numbers are that arch's.  Before the
 * first event; 0, or -1 if libseccomp does not know arch.
 */
int lde_check_arch(struct lde_check *c, const char *arch);
/* Every event of the trace, in the file's order. */
void lde_check_event(struct lde_check *c, const struct lde_event *e);
/* One line of the program's standard output (no newline). */
void lde_check_output_line(struct lde_check *c, const char *line);
/* Timers seen outside the trace (the program's imports): LDE_TIMER_*. */
void lde_check_timers(struct lde_check *c, unsigned int timers);
/* What lde-trace's trace file says it lost, and the program's exit status. */
void lde_check_end(struct lde_check *c, unsigned long long lost,
		   int exit_status);

/* The findings, into out (at most LDE_CHECK_MAX_FINDINGS): how many. */
int lde_check_findings(struct lde_check *c,
		       const struct lde_check_reference *ref,
		       struct lde_finding *out);
/* Text, or with json one object a line; how many said wrong. */
int lde_check_print(FILE *f, const struct lde_finding *fs, int n, bool json);

/* A figure on a line (see above): 1 and *kind, *ns; 0 if none. */
int lde_check_parse_figure(const char *line, enum lde_figure_kind *kind,
			   double *ns);
/* Which timers text names (gettimeofday, clock_gettime, rdtsc, TSC). */
unsigned int lde_check_timers_named(const char *text);
const char *lde_verdict_name(enum lde_verdict v);

#endif /* _LDE_CHECK_H */
