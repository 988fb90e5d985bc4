/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lde-trace's renderers.  A renderer knows events, not where they came
 * from: each takes one struct lde_event at a time (from the live ring
 * buffer today) and appends text to a struct lde_line, which the caller
 * writes out.  Times are shown from start_ns.
 */
#ifndef _LDE_RENDER_H
#define _LDE_RENDER_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lde_boot.h"
#include "lde_line.h"
#include "lde_trace.h"

/*
 * The longest text one event appends: a protocol fold, or a CPU map line
 * of 8192 CPUs (five characters each) and its margin.
 */
#define LDE_EVENT_TEXT_MAX	49152

/* JSON Lines (-j): lde_render_json.c */
void lde_json_boot(struct lde_line *l, const struct lde_boot *b);
void lde_json_event(struct lde_line *l, const struct lde_event *e,
		    unsigned long long start_ns);

/* Columns under a header (default): lde_render_columns.c */
void lde_columns_header(struct lde_line *l);
void lde_columns_boot(struct lde_line *l, const struct lde_boot *b);
void lde_columns_event(struct lde_line *l, const struct lde_event *e,
		       unsigned long long start_ns);

/* OSTEP's protocol view (-P): lde_render_protocol.c */
struct lde_protocol_opts {
	int width;		/* of the whole line, in characters */
	bool all;		/* no folding: every event its rows */
	bool traps;		/* traps are traced: a thread's call is known */
};
void lde_protocol_start(struct lde_line *l, const struct lde_boot *b,
			const struct lde_protocol_opts *opts);
void lde_protocol_event(struct lde_line *l, const struct lde_event *e,
			unsigned long long start_ns);
void lde_protocol_end(struct lde_line *l);
/* The same view as an object of its own, for views that embed it. */
struct lde_protocol;
struct lde_protocol *lde_protocol_new(const struct lde_boot *b,
				      const struct lde_protocol_opts *opts);
/* OS @ boot and the header of OS @ run. */
void lde_protocol_head(struct lde_protocol *p, struct lde_line *l);
void lde_protocol_feed(struct lde_protocol *p, struct lde_line *l,
		       const struct lde_event *e);
void lde_protocol_finish(struct lde_protocol *p, struct lde_line *l);
void lde_protocol_free(struct lde_protocol *p);
/* One step's rows, one fold's row, for a story told elsewhere (the handout). */
struct lde_step;
struct lde_fold;
void lde_protocol_draw_step(struct lde_protocol *p, struct lde_line *l,
			    const struct lde_step *s);
void lde_protocol_draw_fold(struct lde_protocol *p, struct lde_line *l,
			    const struct lde_fold *f);

/* The CPU map (-m), as perf sched map draws it: lde_render_map.c */
struct lde_map_opts {
	unsigned int root_pid;		/* -p or -- COMMAND: 0, none */
	char comm[LDE_COMM_LEN];	/* -c: "" none */
	unsigned int ncpus;		/* columns to start with; more as seen */
	unsigned int max_cpus;		/* the trace's CPUs; 0: not known */
};
void lde_map_start(const struct lde_map_opts *opts);
/* A process the trace follows (its code is upper case). */
void lde_map_follow(unsigned int tgid);
void lde_map_event(struct lde_line *l, const struct lde_event *e,
		   unsigned long long start_ns);
void lde_map_end(struct lde_line *l);

/* strace-style lines (-S): lde_render_strace.c */
void lde_strace_event(struct lde_line *l, const struct lde_event *e);
void lde_strace_end(struct lde_line *l);

/* The summary (-s): lde_summary.c */
void lde_summary_account(const struct lde_event *e);
void lde_summary_add_syscall(unsigned int nr,
			     const struct lde_syscall_agg *agg);
struct lde_sched_totals;
void lde_summary_add_switches(const struct lde_sched_totals *t);
void lde_summary_print_text(FILE *f, unsigned long long lost);
void lde_summary_print_json(FILE *f, unsigned long long lost);

/* Chrome/Perfetto trace-event JSON (-o): lde_render_perfetto.c */
int lde_perfetto_open(const char *path);
void lde_perfetto_event(const struct lde_event *e,
			unsigned long long start_ns);
void lde_perfetto_close(void);

/*
 * The text of who an event is about (its pid, tid and comm), kept for the
 * next event: a system call makes two events in a row for one thread.
 */
struct lde_who_text {
	unsigned int pid, tid;
	char comm[LDE_COMM_LEN];
	size_t len;
	char text[128];		/* a comm escaped is at most 96 bytes */
};

/* Appends the kept text if it is e's; false when it must be made anew. */
static inline bool lde_who_text_append(struct lde_who_text *who,
				       struct lde_line *l,
				       const struct lde_event *e)
{
	if (e->tid != who->tid || e->pid != who->pid ||
	    memcmp(e->comm, who->comm, LDE_COMM_LEN))
		return false;
	lde_line_mem(l, who->text, who->len);
	return true;
}

/* Keeps what was appended to l since from as e's text, for the next. */
static inline void lde_who_text_keep(struct lde_who_text *who,
				     const struct lde_line *l,
				     const char *from,
				     const struct lde_event *e)
{
	who->pid = e->pid;
	who->tid = e->tid;
	memcpy(who->comm, e->comm, LDE_COMM_LEN);
	who->len = l->end - from;
	if (who->len > sizeof(who->text)) {
		who->tid = -1U;	/* cannot happen; never keep a cut text */
		return;
	}
	memcpy(who->text, from, who->len);
}

#endif /* _LDE_RENDER_H */
