/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lde-trace's renderers.  A renderer knows events, not where they came
 * from: each takes one struct lde_event at a time (from the live ring
 * buffer or a trace file) and appends text to a struct lde_line, which
 * the caller writes out.  Times are shown from start_ns.  Each keeps what
 * it must remember in a state of its own, never in a static variable;
 * the views (lde_view.h) wrap them.
 */
#ifndef _LDE_RENDER_H
#define _LDE_RENDER_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lde_arch_words.h"
#include "lde_boot.h"
#include "lde_line.h"
#include "lde_trace.h"

struct lde_kept_lines;

/*
 * The longest text one event appends: a protocol fold, or a CPU map line
 * of 8192 CPUs (five characters each) and its margin.
 */
#define LDE_EVENT_TEXT_MAX	49152

/*
 * The text of who an event is about (its pid, tid and comm), kept for the
 * next event of that thread: a system call makes two events in a row for
 * one thread, and a few threads on a few CPUs take turns.  A slot per
 * tid % LDE_WHO_KEPT; a slot whose len is 0 keeps nothing.
 */
struct lde_who_text {
	unsigned int pid, tid;
	char comm[LDE_COMM_LEN];
	size_t len;
	/*
	 * The columns' text fits (comm at most 16 bytes); -j's, with a comm
	 * escaped to 96 bytes, can be longer (140), and is then not kept.
	 */
	char text[128];
};

#define LDE_WHO_KEPT	4

struct lde_who_texts {
	struct lde_who_text slot[LDE_WHO_KEPT];
};

static inline struct lde_who_text *lde_who_slot(struct lde_who_texts *w,
						const struct lde_event *e)
{
	return &w->slot[e->tid % LDE_WHO_KEPT];
}

/*
 * Appends the kept text if it is e's; false when it must be made anew.
 * Near the end of the line it is made anew too: a text cut short there
 * is cut as the made one is (a JSON string still closes its quote).
 */
static inline bool lde_who_text_append(struct lde_who_text *who,
				       struct lde_line *l,
				       const struct lde_event *e)
{
	if (!who->len ||
	    lde_line_room(l) < sizeof(who->text) + LDE_LINE_JSON_STR_ROOM ||
	    e->tid != who->tid || e->pid != who->pid ||
	    memcmp(e->comm, who->comm, LDE_COMM_LEN))
		return false;
	memcpy(l->end, who->text, sizeof(who->text));
	l->end += who->len;
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
	/* Never a text the line's end cut short, nor one too long. */
	who->len = lde_line_kept_len(l, from, sizeof(who->text));
	memcpy(who->text, from, who->len);
}

/* JSON Lines (-j): lde_render_json.c */

/*
 * A trap's ,"ip":..,"sp":..,"user_cpl":..,"kernel_cpl":.. as last made,
 * by thread (lde_who_slot's slots): a program traps from the same few
 * call sites with the same few stack pointers, so a loop's traps repeat
 * it whole, and its 15-digit numbers need not be made.
 */
struct lde_json_trap_tail {
	unsigned long long ip, sp, cpl, kernel_level;
	size_t len;		/* 0: nothing kept */
	char text[128];		/* 4 keys, 4 numbers of up to 20 digits */
};

/* A return's ,"ret":..[,"errno":".."] as last made, by thread too. */
struct lde_json_ret_text {
	long long ret;
	size_t len;		/* 0: nothing kept */
	char text[80];		/* 20 digits and a sign, an errno's name */
};

struct lde_json_made {
	char *text;
	size_t len;
};

/* One -j stream's text kept from event to event: the same lines faster. */
struct lde_json_text {
	struct lde_who_texts who;
	struct lde_json_trap_tail tail[LDE_WHO_KEPT];
	struct lde_json_ret_text ret[LDE_WHO_KEPT];
	struct lde_u64_high ts_high;
	/* ,"stage":..,"nr":..,"name":.. by [return, trap][nr]; NULL: none */
	struct lde_json_made *made;
	/* Whole lines (lde_kept_line.h); NULL: none (lde_json_event()'s) */
	struct lde_kept_lines *lines;
};
int lde_json_text_init(struct lde_json_text *t);
void lde_json_text_free(struct lde_json_text *t);
void lde_json_text_event(struct lde_json_text *t, struct lde_line *l,
			 const struct lde_event *e, unsigned long long start_ns);
/* The same line with nothing kept, for one who keeps no state. */
void lde_json_event(struct lde_line *l, const struct lde_event *e,
		    unsigned long long start_ns);
void lde_json_boot(struct lde_line *l, const struct lde_boot *b);

/* As %#llx (lde_line_hex), the text kept for the same value next time. */
struct lde_kept_hex {
	unsigned long long v;
	size_t len;		/* 0: nothing kept */
	char text[24];		/* 0x and 16 digits */
};

static inline void lde_line_hex_kept(struct lde_line *l, struct lde_kept_hex *k,
				     unsigned long long v)
{
	char *from = l->end;

	if (k->len && k->v == v) {
		lde_line_kept(l, k->text, k->len, sizeof(k->text));
		return;
	}
	lde_line_hex(l, v);
	k->v = v;
	k->len = l->end - from;
	/* Kept unless a full line cut it short; whole, it fits text[]. */
	if (!lde_line_room(l) || k->len > sizeof(k->text))
		k->len = 0;
	memcpy(k->text, from, k->len);
}

/*
 * Columns under a header (default): lde_render_columns.c.  A system call
 * streams two lines, and a loop's lines differ in little but the time
 * and a return value: the text of what stays (the call's stage and name,
 * its ip and sp, the mode change) is kept and copied, not made again.
 */
struct lde_columns_call {
	int stage;		/* -1: nothing kept */
	long long nr;
	unsigned int compat;
	bool hex_ret;		/* a return shown in hex (mmap, brk) */
	size_t len;
	char text[96];		/* "trap       getppid(", "return     getppid = " */
};

struct lde_columns_mode {
	unsigned int arch_changes;	/* lde_arch_changes when made */
	unsigned long long from;
	size_t len;		/* 0: nothing kept */
	char text[LDE_ARCH_TEXT_LEN];		/* "cpl 3 -> 0" */
};

struct lde_columns {
	struct lde_kept_lines *lines;	/* lde_kept_line.h; NULL: none */
	struct lde_who_texts who;
	struct lde_who_text next;	/* a switch's next task */
	struct lde_secs_kept secs;
	struct lde_columns_call call[2];	/* [trap, return] */
	struct lde_kept_hex ip, sp;
	struct lde_columns_mode to_kernel, to_user;
};
void lde_columns_init(struct lde_columns *c);
void lde_columns_header(struct lde_line *l);
void lde_columns_boot(struct lde_line *l, const struct lde_boot *b);
void lde_columns_event(struct lde_columns *c, struct lde_line *l,
		       const struct lde_event *e, unsigned long long start_ns);

/*
 * OSTEP's protocol view (-P): lde_render_protocol.c draws the rows, the
 * story (lde_story.c) says what they are; lde_view_protocol.c is -P.
 */
struct lde_protocol_opts {
	int width;		/* of the whole line, in characters */
	bool all;		/* no folding: every event its rows */
	bool traps;		/* traps are traced: a thread's call is known */
};
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
struct lde_map;
struct lde_map *lde_map_new(const struct lde_map_opts *opts);
void lde_map_event(struct lde_map *m, struct lde_line *l,
		   const struct lde_event *e, unsigned long long start_ns);
/* Says what was not drawn, and frees m. */
void lde_map_end(struct lde_map *m, struct lde_line *l);

/* strace-style lines (-S): lde_render_strace.c */
struct lde_strace;
struct lde_strace *lde_strace_new(void);
void lde_strace_event(struct lde_strace *s, struct lde_line *l,
		      const struct lde_event *e);
/* Ends the calls still open, and frees s. */
void lde_strace_end(struct lde_strace *s, struct lde_line *l);

/* The summary (-s): lde_summary.c */
struct lde_summary;
struct lde_summary *lde_summary_new(void);
void lde_summary_account(struct lde_summary *s, const struct lde_event *e);
/* Sums made in the kernel (live): one lde_agg_slot()'s, a task's, a CPU's. */
void lde_summary_add_syscall(struct lde_summary *s, unsigned int nr,
			     const struct lde_syscall_agg *agg);
struct lde_sched_sum;
void lde_summary_add_task(struct lde_summary *s, unsigned int tid,
			  const struct lde_sched_sum *sum);
struct lde_sched_totals;
void lde_summary_add_switches(struct lde_summary *s,
			      const struct lde_sched_totals *t);
void lde_summary_print_text(const struct lde_summary *s, FILE *f);
void lde_summary_print_json(const struct lde_summary *s, FILE *f,
			    unsigned long long lost);
void lde_summary_free(struct lde_summary *s);

/* Chrome/Perfetto trace-event JSON (-o): lde_render_perfetto.c */
struct lde_perfetto;
/* NULL, errno set, if path cannot be written. */
struct lde_perfetto *lde_perfetto_open(const char *path);
void lde_perfetto_event(struct lde_perfetto *p, const struct lde_event *e,
			unsigned long long start_ns);
/* Ends the file and frees p: 0, or -errno if a write failed. */
int lde_perfetto_close(struct lde_perfetto *p);

#endif /* _LDE_RENDER_H */
