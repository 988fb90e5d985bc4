/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the timeline's files share (lde_svg.h is its face): the events
 * kept (lde_svg_events.c), the layout and colours, and one panel drawn
 * (lde_svg_lanes.c) for the document (lde_render_svg.c).
 */
#ifndef _LDE_SVG_INTERNAL_H
#define _LDE_SVG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "lde_svg.h"
#include "lde_tid_table.h"

/* What one event leaves in the picture. */
struct mark {
	unsigned long long t;	/* ns from the start */
	unsigned int cpu, tid, pid, next_tid, next_pid;
	int proc, next_proc;	/* processes[] index; -1: none (idle) */
	long long arg;		/* a call's nr; a fork's child; an exit code */
	unsigned char stage;
	unsigned char mode;	/* a timer's */
	unsigned char next_kthread;	/* never returns to user mode */
	unsigned char nonvoluntary;
	unsigned char compat;	/* a call's table (lde_trace.h) */
};

/* A process drawn: its colour, its name in the legend. */
struct proc {
	unsigned int pid;
	char comm[LDE_COMM_LEN];
	bool traced;		/* an event other than a switch is about it */
};

/* Layout, in pixels. */
#define LEFT		110
#define PLOT_W		1400
#define LANE_H		70
#define BAND_Y		22	/* from the lane's top: under labels and marks */
#define BAND_H		30
#define NPALETTE	12

/* A process's colour in user mode (lde_render_svg.c's table). */
extern const char *const lde_svg_palette[NPALETTE];

struct lde_svg {
	struct lde_svg_opts opts;
	unsigned long long start_ns;
	struct mark *marks;
	size_t n, cap, dropped;
	struct proc *procs;
	size_t nprocs, procs_cap;
	struct lde_tid_table by_pid;	/* pid -> processes[] index + 1 */
	bool switches_only;
	unsigned int ncpus;
};

/* A panel: a time window drawn across PLOT_W pixels, from y. */
struct panel {
	unsigned long long t0, t1;
	double y;
	double ns_per_px;
};

/* A process as the picture names it: comm[pid], or idle (proc -1). */
void lde_svg_proc_name(FILE *f, const struct lde_svg *s, int proc);
/*
 * One panel: a lane per CPU along p's window, from order, the marks in
 * time order; name is its id (the handout places times from its data).
 */
void lde_svg_draw_panel(struct lde_svg *s, FILE *f, const struct panel *p,
			const struct mark *const *order, const char *name);

#endif /* _LDE_SVG_INTERNAL_H */
