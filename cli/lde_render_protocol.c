// SPDX-License-Identifier: GPL-2.0
/*
 * OSTEP's protocol view (-P): Figures 6.2 and 6.3 filled in by the running
 * kernel.  Three columns, as in the book: OS (kernel mode) | Hardware |
 * Program (user mode); each row says what the book says and, in brackets,
 * the fact from the live kernel that shows it (a PC, a CPL, argv, a
 * symbol).  Columns have fixed widths; longer text wraps inside its
 * column, so the separators always line up.
 *
 * What the steps are, and which are folded, is the story's
 * (lde_story.c); this file lays out the columns and turns each step into
 * its rows, whose words are lde_render_protocol_rows.c's.  Each step's first row opens with
 * its number (#12), a fold's with the numbers it holds (#12-20): the card
 * (-F) and the handout point at them.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lde_protocol.h"

/* -- rows: text wrapped inside fixed-width columns ------------------------- */

void lde_protocol_row(struct lde_protocol *d, const char *os, const char *hw,
		const char *prog)
{
	const char *text[COLS] = { os, hw, prog };
	struct lde_line *l = d->l;
	char tagged[TEXT_LEN + 64];
	bool more = true;
	int c;

	/* A step's first row opens with its number. */
	if (d->tag[0]) {
		snprintf(tagged, sizeof(tagged), "%s%s%s", d->tag,
			 os[0] ? " " : "", os);
		text[0] = tagged;
		d->tag[0] = '\0';
	}
	while (more) {
		more = false;
		for (c = 0; c < COLS; c++) {
			size_t n = lde_text_piece_len(text[c], d->width[c]);
			char *col = l->end;

			lde_line_mem(l, text[c], n);
			text[c] += n;
			while (*text[c] == ' ')
				text[c]++;
			if (*text[c])
				more = true;
			if (c < COLS - 1) {
				lde_line_column(l, col, d->width[c]);
				lde_line_lit(l, "| ");
			}
		}
		/* No trailing blanks after the last column. */
		while (l->end > l->buf && l->end[-1] == ' ')
			l->end--;
		lde_line_char(l, '\n');
	}
}

void lde_protocol_rule(struct lde_protocol *d)
{
	int c, i;

	for (c = 0; c < COLS; c++) {
		/* A column, the space before its text and the one after. */
		for (i = 0; i < d->width[c] + (c == 1 ? 2 : 1); i++)
			lde_line_char(d->l, '-');
		if (c < COLS - 1)
			lde_line_char(d->l, '+');
	}
	lde_line_char(d->l, '\n');
}

/* -- steps, as the story tells them --------------------------------------- */

/* One event's rows: a step of one event, or one of a step's. */
static void rows_event(struct lde_protocol *d, const struct lde_event *e,
		       const struct lde_step_context *c)
{
	switch (e->stage) {
	case LDE_STAGE_TRAP:
	case LDE_EVENT_TRAP_STRINGS:
	case LDE_STAGE_LDE_TRAP:
		lde_protocol_rows_trap(d, e);
		break;
	case LDE_STAGE_RETURN:
	case LDE_STAGE_LDE_RETURN:
		lde_protocol_rows_return(d, e, c);
		break;
	case LDE_EVENT_EXEC_RETURN:
		lde_protocol_rows_exec_return(d, e);
		break;
	case LDE_STAGE_TIMER:
		lde_protocol_rows_timer(d, e, false);
		break;
	case LDE_STAGE_SWITCH:
	case LDE_STAGE_LDE_SWITCH:
		lde_protocol_rows_switch(d, e, c, false);
		break;
	default:
		lde_protocol_rows_other(d, e);
		break;
	}
}

static void step_rows(struct lde_protocol *d, const struct lde_step *s)
{
	switch (s->kind) {
	case LDE_STEP_SYSCALL:
		lde_protocol_rows_trap(d, &s->ev[0]);
		if (s->n > 1)
			lde_protocol_rows_return(d, &s->ev[1], &s->ctx[1]);
		break;
	case LDE_STEP_BLOCKED:
		lde_protocol_rows_switch(d, &s->ev[0], &s->ctx[0], false);
		if (s->n > 1)
			lde_protocol_rows_switch(d, &s->ev[1], &s->ctx[1], false);
		break;
	case LDE_STEP_ARRIVAL:
		lde_protocol_rows_switch(d, &s->ev[0], &s->ctx[0], false);
		break;
	case LDE_STEP_TICK:
		lde_protocol_rows_timer(d, &s->ev[0], s->n > 1);
		if (s->n > 1)
			lde_protocol_rows_switch(d, &s->ev[1], &s->ctx[1], true);
		if (s->n > 2)
			lde_protocol_rows_switch(d, &s->ev[2], &s->ctx[2], false);
		break;
	case LDE_STEP_EVENT:
		rows_event(d, &s->ev[0], &s->ctx[0]);
		break;
	}
}

static void draw_step(void *arg, const struct lde_step *s)
{
	struct lde_protocol *d = arg;

	snprintf(d->tag, sizeof(d->tag), "#%lu", s->number);
	step_rows(d, s);
	d->tag[0] = '\0';
}

/*
 * The fold's row: its kinds in the order first seen, as many as fit in
 * FOLD_ROW_LEN (six lines of the OS column), the rest counted as others.
 */
#define FOLD_ROW_LEN	320

static void draw_fold(void *arg, const struct lde_fold *fold)
{
	struct lde_protocol *d = arg;
	char a[TEXT_LEN], kind[200];
	int i, n, len, others = fold->other;

	if (fold->first == fold->last)
		snprintf(d->tag, sizeof(d->tag), "#%lu", fold->first);
	else
		snprintf(d->tag, sizeof(d->tag), "#%lu-%lu", fold->first,
			 fold->last);
	len = snprintf(a, sizeof(a), "[%d step%s folded, over %.3f ms]",
		       fold->steps, fold->steps > 1 ? "s" : "",
		       (fold->last_ns - fold->first_ns) / 1e6);
	for (i = 0; i < fold->kinds; i++) {
		n = snprintf(kind, sizeof(kind), "%s %d x %s", i ? ";" : "",
			     fold->kind[i].count, fold->kind[i].what);
		if (i && len + n > FOLD_ROW_LEN) {
			others += fold->kind[i].count;
			continue;
		}
		len += snprintf(a + len, sizeof(a) - len, "%s", kind);
	}
	if (others)
		snprintf(a + len, sizeof(a) - len, "; %d step%s of other kinds",
			 others, others > 1 ? "s" : "");
	lde_protocol_row(d, a, "", "");
	d->tag[0] = '\0';
}

void lde_protocol_draw_step(struct lde_protocol *d, struct lde_line *l,
			    const struct lde_step *s)
{
	d->l = l;
	draw_step(d, s);
}

void lde_protocol_draw_fold(struct lde_protocol *d, struct lde_line *l,
			    const struct lde_fold *f)
{
	d->l = l;
	draw_fold(d, f);
}

struct lde_protocol *lde_protocol_new(const struct lde_boot *b,
				      const struct lde_protocol_opts *o)
{
	struct lde_protocol *d = calloc(1, sizeof(*d));
	struct lde_story_opts so = { .all = o->all, .traps = o->traps };
	struct lde_story_sink sink = {
		.step = draw_step,
		.fold = draw_fold,
	};
	int w;

	if (!d)
		return NULL;
	sink.arg = d;
	d->story = lde_story_new(&so, &sink);
	if (!d->story) {
		free(d);
		return NULL;
	}
	d->opts = *o;
	d->boot = b;
	/* Two separators of three characters; the rest shared 40:33:27. */
	w = (d->opts.width < 80 ? 80 : d->opts.width) - 6;
	d->width[OS] = w * 40 / 100;
	d->width[HW] = w * 33 / 100;
	d->width[PROG] = w - d->width[OS] - d->width[HW];
	return d;
}

void lde_protocol_head(struct lde_protocol *d, struct lde_line *l)
{
	d->l = l;
	lde_protocol_rows_boot(d);
	lde_protocol_rows_header(d);
}

void lde_protocol_feed(struct lde_protocol *d, struct lde_line *l,
		       const struct lde_event *e)
{
	d->l = l;
	lde_story_event(d->story, e);
}

void lde_protocol_finish(struct lde_protocol *d, struct lde_line *l)
{
	char a[TEXT_LEN];
	unsigned long long unkept;
	size_t limit;

	d->l = l;
	lde_story_end(d->story);
	unkept = lde_story_unkept_events(d->story, &limit);
	if (unkept)
		lde_protocol_row(d, lde_protocol_fmt(a, "[lde-trace keeps what it knows of %zu threads at most: %llu events of threads past them were drawn as if their thread were new]",
			   limit, unkept), "", "");
}

void lde_protocol_free(struct lde_protocol *d)
{
	if (!d)
		return;
	lde_story_free(d->story);
	free(d);
}
