/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A view of lde-trace: {start, event, end} with its own state, chosen once
 * from the options.  The live session and the trace-file reader feed every
 * chosen view the same events.  A new view is a file that defines a
 * struct lde_view_ops and one line in the table of lde_views.c.
 */
#ifndef _LDE_VIEW_H
#define _LDE_VIEW_H

#include <stdbool.h>

#include "lde_boot.h"
#include "lde_line.h"
#include "lde_trace.h"

/* What every view is told when it starts. */
struct lde_view_env {
	const struct lde_boot *boot;
	unsigned int stages;		/* traced: 1 << enum lde_stage */
	int width;			/* of a text view, in characters */
	bool all;			/* -A: no folding */
	bool figure;			/* -F */
	const char *output_path;	/* -o */
	unsigned long long start_ns;	/* event times count from here */
};

/* What every view is told at the end. */
struct lde_view_end {
	const char *title;		/* what was traced, and where */
	const char *kernel;		/* its release */
};

struct lde_view_ops {
	const char *name;
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
#define LDE_VIEWS_MAX	8
struct lde_views {
	int n;
	const struct lde_view_ops *ops[LDE_VIEWS_MAX];
	void *state[LDE_VIEWS_MAX];
};

/* Starts every view asked for; 0, or -errno naming the view in *failed. */
int lde_views_start(struct lde_views *v, const struct lde_view_env *env,
		    struct lde_line *out, const char **failed);
void lde_views_event(struct lde_views *v, struct lde_line *out,
		     const struct lde_event *e);
/* Ends every view; 0, or the first -errno (its view in *failed). */
int lde_views_end(struct lde_views *v, struct lde_line *out,
		  const struct lde_view_end *end, const char **failed);

/* The views: each in its own file. */
extern const struct lde_view_ops lde_card_view;		/* -F */
extern const struct lde_view_ops lde_svg_view;		/* -o FILE.svg */
extern const struct lde_view_ops lde_sequence_view;	/* -F -o FILE.svg */
extern const struct lde_view_ops lde_html_view;		/* -o FILE.html */

/* The card's text, for the handout: the card of these events. */
struct lde_card;
struct lde_card *lde_card_new(const struct lde_view_env *env);
void lde_card_event(struct lde_card *c, const struct lde_event *e);
/* Ends the story; then rows can be read and drawn. */
void lde_card_finish(struct lde_card *c);
void lde_card_draw(struct lde_card *c, struct lde_line *out,
		   const char *kernel);
/* Row i's book words, -P step (0: none), and time span; false past the last. */
struct lde_card_row_info {
	int figure;			/* 2 or 3: Figure 6.2 or 6.3; 0: boot */
	int column;			/* 0 OS, 1 Hardware, 2 Program */
	const char *book;		/* the book's words, lines split by '\n' */
	const char *evidence;		/* what this run showed, or why not */
	unsigned long step;		/* the -P step it came from; 0: none */
	unsigned long long t0, t1;	/* ns from the start, when step */
	unsigned int cpu;
};
bool lde_card_row(const struct lde_card *c, int i,
		  struct lde_card_row_info *info);
void lde_card_free(struct lde_card *c);

#endif /* _LDE_VIEW_H */
