/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lde-trace's parts, as lde_trace.c's main() joins them: the options
 * (lde_trace_opts.c), a source of events (the live session,
 * lde_trace_live.c, whose BPF programs lde_trace_progs.c chooses; or a
 * trace file, lde_trace_replay.c), and the views they feed (lde_view.h).
 */
#ifndef _LDE_TRACE_CLI_H
#define _LDE_TRACE_CLI_H

#include <stdbool.h>
#include <sys/types.h>

#include "lde_boot.h"
#include "lde_line.h"
#include "lde_trace.h"
#include "lde_trace_file.h"
#include "lde_view.h"

/* What the command line asked for (lde_trace_opts.c). */
struct lde_trace_opts {
	pid_t pid;
	char comm[LDE_COMM_LEN];
	long duration;
	unsigned int stages;
	bool json;
	bool summary;
	bool protocol;
	bool figure;		/* -F: the card */
	bool strace;		/* -S */
	bool map;		/* -m */
	bool all;		/* -P without folding */
	bool boot;		/* the boot object/rows */
	bool stages_given;	/* -e */
	const char *output_path;	/* -o: Perfetto JSON, or .svg: a picture */
	const char *write_path;	/* -w: the trace file written */
	const char *read_path;	/* -r: a trace file replayed */
	bool quiet;		/* -q: no live view */
	bool verbose;
	long ringbuf_kb;
	char **command;
	const char *syscalls_arg;	/* -t: the names given */
	bool syscalls_wanted[LDE_MAX_SYSCALLS];	/* -t: by number */
	bool failed_only;	/* -x */
	/* -r: the window shown, in ns from the start; until 0: to the end. */
	unsigned long long since_ns, until_ns;
	unsigned long long min_kernel_ns;	/* -M */
	/*
	 * Not an option: a view asked for shows events in time order across
	 * CPUs (lde_views_time_order()), set with the stages.
	 */
	bool time_order;
};

/* Parses argv into o: 0, or the exit code of a usage error (said). */
int lde_trace_parse(struct lde_trace_opts *o, int argc, char **argv);
/* -F and the handout number -P's steps: they see the events -P would. */
bool lde_opts_story_view(const struct lde_trace_opts *o);
/* -s alone: no event lines, so traps and returns are counted in the kernel. */
bool lde_opts_summary_only(const struct lde_trace_opts *o);
/* No event is drawn live: -s alone, -q, or a view of its own (-F). */
bool lde_opts_no_event_lines(const struct lde_trace_opts *o);
/* -t: is call nr (of table compat) one of those named? */
bool lde_opts_call_wanted(const struct lde_trace_opts *o, long long nr,
			  unsigned int compat);
/* -r -t: the names given, numbered as the recording numbers them. */
void lde_opts_syscalls_by_recording(struct lde_trace_opts *o);
/* A text view's width: $COLUMNS, the terminal's, or 132. */
int lde_opts_text_width(void);

/* One run of lde-trace: its options, what the source says, the views. */
struct lde_trace_run {
	struct lde_trace_opts *opts;
	struct lde_boot boot;
	unsigned long long start_ns;	/* event times count from here */
	int trace_cpus;			/* the live system's, or the file's */
	unsigned int root_pid;		/* -p, or the command's process */
	char kernel[80];		/* the traced kernel's release */
	struct lde_trace_header header;	/* -w: what the file opens with */
	struct lde_views views;
	struct lde_line out;		/* the text views' lines, for stdout */
	void *source;			/* the source's own state */
};

/*
 * What the views asked for need of a source, into run->opts: the stages
 * to trace (or replay), and whether events come in time order across
 * CPUs.  A source decides them before it opens.
 */
void lde_trace_views_needs(struct lde_trace_run *run);
/* Every event of either source goes here: to each view. */
void lde_trace_show(struct lde_trace_run *run, const struct lde_event *e);
/* The same for the reorder (lde_reorder_emit_fn): run is the run. */
void lde_trace_show_in_order(void *run, const struct lde_event *e);
/* Says n events the reorder could not hold (no memory), if any. */
void lde_trace_say_unheld(unsigned long long n);
/* The lines so far out, now: the output stays live. */
void lde_trace_flush(struct lde_trace_run *run);

/*
 * A source of events.  open() learns the trace's facts (boot, CPUs,
 * stages, the start) before the views start; run() feeds the views until
 * the trace ends; end() says what was lost (in the lost-events note
 * between the views' two ends); close() frees it all and gives the exit
 * code.  Each returns 0, or an exit code after saying why.
 */
struct lde_trace_source {
	int (*open)(struct lde_trace_run *run);
	int (*run)(struct lde_trace_run *run);
	void (*end)(struct lde_trace_run *run, struct lde_view_end *end);
	void (*note)(struct lde_trace_run *run, const struct lde_view_end *end);
	int (*close)(struct lde_trace_run *run, int err);
};

extern const struct lde_trace_source lde_live_source;	/* lde_trace_live.c */
extern const struct lde_trace_source lde_replay_source;	/* lde_trace_replay.c */

/* lde_trace_progs.c: the BPF programs and settings the options need. */
struct lde_trace_bpf;
struct btf;
void lde_progs_configure(struct lde_trace_bpf *skel,
			 const struct lde_trace_opts *o,
			 const struct btf *vmlinux_btf);
/* -s on the live kernel: switches are summed there, not from events. */
bool lde_progs_switches_summed(const struct lde_trace_opts *o);
/* The views for people are fed in time order: the live reader holds them. */
bool lde_progs_reordered(const struct lde_trace_opts *o);

#endif /* _LDE_TRACE_CLI_H */
