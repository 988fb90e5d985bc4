/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The timeline picture as an object (lde_render_svg.c; its events kept
 * by lde_svg_events.c, its lanes drawn by lde_svg_lanes.c): the -o
 * FILE.svg view draws it to a file, the handout inline.
 */
#ifndef _LDE_SVG_H
#define _LDE_SVG_H

#include <stdio.h>

#include "lde_trace.h"

struct lde_svg_opts {
	unsigned long long start_ns;	/* event times count from here */
};

struct lde_svg;
struct lde_svg *lde_svg_new(const struct lde_svg_opts *opts);
void lde_svg_add(struct lde_svg *s, const struct lde_event *e);
/*
 * The <svg> element, titled: a lane per CPU, each a group of class
 * "panel" whose data-x, data-w, data-t0, data-t1 place a time (ns from
 * the start) along it.  0, or -errno.
 */
int lde_svg_write(struct lde_svg *s, FILE *f, const char *title);
void lde_svg_free(struct lde_svg *s);

/*
 * s (at most n bytes) as XML or HTML text: markup escaped, a byte above
 * 0x7f as its Latin-1 letter, '\n' as newline says, other control bytes
 * as '?'.  Shared by the pictures and the handout.
 */
void lde_markup_text(FILE *f, const char *s, size_t n, char newline);

#endif /* _LDE_SVG_H */
