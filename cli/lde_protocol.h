/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the protocol view (-P), shared by its two files only: the
 * columns (lde_render_protocol.c: layout, and steps into rows) and the
 * chapter's words for each kind of step (lde_render_protocol_rows.c).
 */
#ifndef _LDE_PROTOCOL_H
#define _LDE_PROTOCOL_H

#include "lde_render.h"
#include "lde_story.h"

#define COLS		3
#define OS		0
#define HW		1
#define PROG		2
#define TEXT_LEN	512

/* One protocol view: where it draws, how wide, and its story. */
struct lde_protocol {
	struct lde_line *l;		/* the text being appended to */
	struct lde_protocol_opts opts;
	const struct lde_boot *boot;
	int width[COLS];
	/* Put before the OS column of the next row: the step's number. */
	char tag[48];
	struct lde_story *story;
};

/* One row: each column's text wrapped inside its width. */
void lde_protocol_row(struct lde_protocol *d, const char *os, const char *hw,
		      const char *prog);
/* The rule under a header. */
void lde_protocol_rule(struct lde_protocol *d);

/* The chapter's rows, one function per kind of step. */
void lde_protocol_rows_boot(struct lde_protocol *d);
void lde_protocol_rows_header(struct lde_protocol *d);
void lde_protocol_rows_trap(struct lde_protocol *d, const struct lde_event *e);
void lde_protocol_rows_return(struct lde_protocol *d, const struct lde_event *e,
			      const struct lde_step_context *c);
void lde_protocol_rows_exec_return(struct lde_protocol *d,
				   const struct lde_event *e);
void lde_protocol_rows_timer(struct lde_protocol *d, const struct lde_event *e,
			     bool switch_follows);
void lde_protocol_rows_switch(struct lde_protocol *d, const struct lde_event *e,
			      const struct lde_step_context *c, bool after_tick);
void lde_protocol_rows_other(struct lde_protocol *d, const struct lde_event *e);
/* Text made with printf into buf, TEXT_LEN bytes. */
const char *lde_protocol_fmt(char *buf, const char *f, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* _LDE_PROTOCOL_H */
