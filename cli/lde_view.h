/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A view of lde-trace: {wanted, start, event, end} with its own state,
 * chosen once from the options.  The live session (lde_trace_live.c) and
 * the trace-file reader (lde_trace_replay.c) feed every chosen view the
 * same events, through lde_views_event().  Every way lde-trace shows or
 * keeps a trace is one: the text views on the screen (the columns, -j,
 * -P, -S, -m, the card -F), the summary (-s), the trace file (-w), and
 * the files of -o (Perfetto's JSON, the pictures, the handout).  A view
 * keeps all it knows in the state its start() returns, never in a static
 * variable: two views, or two of one kind, run side by side.
 *
 * Where a new view goes: one file (cli/lde_view_NAME.c, or the renderer's
 * own lde_render_NAME.c) that defines a const struct lde_view_ops, its
 * extern line below, and one line in the table of lde_views.c; its
 * wanted() reads the options from struct lde_view_env (add a field there
 * if it needs a new one, set in lde_trace.c's view_env()); its file in
 * the Makefile's TRACE_SRCS.  A view that does more than one job keeps
 * them in files of its own: the timeline keeps its events in
 * lde_svg_events.c, draws a panel in lde_svg_lanes.c and the document in
 * lde_render_svg.c; the card fills its rows in lde_view_card.c and draws
 * them in lde_card_draw.c.
 */
#ifndef _LDE_VIEW_H
#define _LDE_VIEW_H

#include <stdbool.h>
#include <stdio.h>

#include "lde_boot.h"
#include "lde_line.h"
#include "lde_trace.h"

struct lde_trace_header;

/* What every view is told when it starts: the options, and the trace. */
struct lde_view_env {
	const struct lde_boot *boot;
	unsigned int stages;		/* traced: 1 << enum lde_stage */
	bool stages_given;		/* -e: the stages were asked for */
	int width;			/* of a text view, in characters */
	bool all;			/* -A: no folding */
	bool figure;			/* -F */
	const char *output_path;	/* -o */
	unsigned long long start_ns;	/* event times count from here */
	FILE *screen;			/* where the text views' lines go */
	/* The text view asked for (none: the columns), unless quiet. */
	bool json, protocol, strace, map;
	bool quiet;			/* -q: no text view */
	bool summary;			/* -s */
	bool boot_rows;			/* the boot object or row (-e boot) */
	/* Live -s: switches are summed in the kernel, not from events. */
	bool switches_summed;
	unsigned int root_pid;		/* -p, or the command's: 0 none */
	char comm[LDE_COMM_LEN];	/* -c: "" none */
	int trace_cpus;			/* the CPUs the trace can hold */
	const char *write_path;		/* -w */
	const struct lde_trace_header *header;	/* -w: the file's header */
};

struct lde_summary;

/* What every view is told at the end. */
struct lde_view_end {
	const char *title;		/* what was traced, and where */
	const char *kernel;		/* its release */
	unsigned long long lost, lost_processes;
	/* Live -s: adds the sums the kernel made (NULL: none). */
	void (*add_kernel_sums)(const void *session, struct lde_summary *sum);
	const void *session;
};

/* Where a view writes, for what is said when it cannot. */
enum lde_view_file {
	LDE_VIEW_SCREEN,		/* the lines it is handed */
	LDE_VIEW_OUTPUT,		/* -o FILE */
	LDE_VIEW_WRITE,			/* -w FILE */
};

struct lde_view_ops {
	const char *name;
	enum lde_view_file file;
	/*
	 * Said on the screen as the trace ends, before the lost-events note
	 * (a text view's last rows, the summary); the others end after it.
	 */
	bool report;
	/*
	 * It tells -P's steps (the protocol, the card, the handout, the
	 * sequence diagram): lde.ko's lde_switch says again what every switch
	 * says, so it is not fed one unless -e asks for the stage.
	 */
	bool story;
	/*
	 * It shows what happened on all CPUs in the order it happened (a
	 * view for people): the live session puts events in time order for
	 * it (lde_reorder.h).  The others need only each thread's order.
	 */
	bool time_order;
	/* Is this view asked for? */
	bool (*wanted)(const struct lde_view_env *env);
	/* Its state, or NULL (and errno set) if it cannot start. */
	void *(*start)(const struct lde_view_env *env, struct lde_line *out);
	void (*event)(void *state, struct lde_line *out,
		      const struct lde_event *e);
	/* Writes what it holds and frees its state: 0, or -errno. */
	int (*end)(void *state, struct lde_line *out,
		   const struct lde_view_end *end);
};

/* The views of this file name, e.g. -o x.svg: is path's suffix sfx? */
bool lde_view_path_is(const char *path, const char *sfx);

/* The views chosen for one session. */
#define LDE_VIEWS_MAX	16
struct lde_views {
	int n;
	const struct lde_view_ops *ops[LDE_VIEWS_MAX];
	void *state[LDE_VIEWS_MAX];
	bool no_lde_switch[LDE_VIEWS_MAX];	/* a story's, not asked for */
	FILE *screen;
	const char *output_path, *write_path;
};

/* Every view, in the order they start, are fed and end. */
extern const struct lde_view_ops *const lde_views_all[];
extern const unsigned int lde_views_count;

/*
 * The stages a trace for these views needs: env->stages, without
 * lde_switch when every view asked for is a story's and -e did not ask.
 */
unsigned int lde_views_stages(const struct lde_view_env *env);
/* Is a view asked for one whose events come in time order (time_order)? */
bool lde_views_time_order(const struct lde_view_env *env);
/*
 * Starts every view asked for: 0, or -errno (said on stderr, the views
 * started are ended).  Then a view of a file can still fail at its end.
 */
int lde_views_start(struct lde_views *v, const struct lde_view_env *env,
		    struct lde_line *out);
/* One event to every view; the lines are written out when near full. */
void lde_views_event(struct lde_views *v, struct lde_line *out,
		     const struct lde_event *e);
/*
 * Ends the views that report (ops->report) or the others; 0, or the
 * first -errno (each said on stderr).
 */
int lde_views_end(struct lde_views *v, struct lde_line *out,
		  const struct lde_view_end *end, bool report);

/* The views: each in its own file. */
extern const struct lde_view_ops lde_columns_view;	/* the default */
extern const struct lde_view_ops lde_json_view;		/* -j */
extern const struct lde_view_ops lde_protocol_view;	/* -P */
extern const struct lde_view_ops lde_strace_view;	/* -S */
extern const struct lde_view_ops lde_map_view;		/* -m */
extern const struct lde_view_ops lde_summary_view;	/* -s */
extern const struct lde_view_ops lde_write_view;	/* -w FILE */
extern const struct lde_view_ops lde_perfetto_view;	/* -o FILE(.json) */
extern const struct lde_view_ops lde_card_view;		/* -F */
extern const struct lde_view_ops lde_svg_view;		/* -o FILE.svg */
extern const struct lde_view_ops lde_sequence_view;	/* -F -o FILE.svg */
extern const struct lde_view_ops lde_html_view;		/* -o FILE.html */

/* Is this text view the one asked for, the screen's? (the columns: none) */
bool lde_view_text_wanted(const struct lde_view_env *env);

/* The card's text, for the handout: the card of these events. */
struct lde_card;
struct lde_card *lde_card_new(const struct lde_view_env *env);
void lde_card_event(struct lde_card *c, const struct lde_event *e);
/* Ends the story; then rows can be read and drawn. */
void lde_card_finish(struct lde_card *c);
/* The card as a table at the screen's width (lde_card_draw.c). */
void lde_card_draw(const struct lde_card *c, struct lde_line *out,
		   const char *kernel, int width);
/* Row i's book words, -P step (0: none), and time span; false past the last. */
struct lde_card_row_info {
	int figure;			/* 2 or 3: Figure 6.2 or 6.3; 0: boot */
	int column;			/* 0 OS, 1 Hardware, 2 Program */
	const char *book;		/* the book's words, lines split by '\n' */
	const char *evidence;		/* what this run showed, or why not */
	bool filled;			/* shown by this run (else: why not) */
	unsigned long step;		/* the -P step it came from; 0: none */
	unsigned long long t0, t1;	/* ns from the start, when step */
	unsigned int cpu;
};
bool lde_card_row(const struct lde_card *c, int i,
		  struct lde_card_row_info *info);
void lde_card_free(struct lde_card *c);

#endif /* _LDE_VIEW_H */
