// SPDX-License-Identifier: GPL-2.0
/*
 * The figure as a sequence diagram (-F -o FILE.svg): Figures 6.2 and 6.3
 * redrawn from this run, in the book's columns turned into lifelines
 * (Program | Hardware | OS).  Each row of the card is a box on its
 * column's line, the book's words over the evidence; an arrow from one
 * column to the next is the hand-over the book describes (trap, jump to
 * the handler, return-from-trap, timer interrupt, switch), labelled with
 * the -P step and the live fact.  A row the run did not show is a dashed
 * box that says why.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lde_svg.h"
#include "lde_view.h"

#define WIDTH		1280
#define BOX_W		370
#define LINE_H		14
#define BOOK_CHARS	44	/* of a bold 11px line in a box, at most */
#define FACT_CHARS	54	/* of a 10.5px monospace line */

/* The lifelines, left to right: Program, Hardware, OS. */
static int line_x(int column)
{
	static const int x[3] = { 1070, 640, 205 };	/* OS, HW, Program */

	return x[column];
}

static void xml_text(FILE *f, const char *s, size_t n)
{
	lde_markup_text(f, s, n, ' ');
}

/* Text wrapped at chars, one <tspan> a line; returns the lines. */
static int wrapped(FILE *f, const char *s, size_t chars, double x, double y,
		   bool draw)
{
	int lines = 0;

	while (*s) {
		size_t n = lde_text_piece_len(s, chars);

		if (draw) {
			fprintf(f, "<tspan x=\"%.0f\" y=\"%.0f\">", x,
				y + lines * LINE_H);
			xml_text(f, s, n);
			fputs("</tspan>", f);
		}
		lines++;
		s += n;
		while (*s == ' ')
			s++;
	}
	return lines;
}

/* The book's words, its lines joined: "save regs (to kernel stack) ...". */
static int book_lines(const char *book)
{
	int n = 1;

	for (; *book; book++)
		n += *book == '\n';
	return n;
}

/* What the hand-over from one column to the next is called. */
static const char *handover(int figure, int from, int to, const char *book)
{
	if (from == 0 && to == 0 && strstr(book, "proc_t"))
		return "switch()";
	if (from == 2 && to == 1)
		return figure == 3 ? "timer interrupt" : "trap";
	if (from == 1 && to == 0)
		return "jump to the trap handler";
	if (from == 0 && to == 1)
		return "return-from-trap";
	if (from == 1 && to == 2)
		return "jump to the program";
	if (from == 0 && to == 2)
		return "return-from-trap";
	if (from == 2 && to == 0)
		return "trap";
	return NULL;
}

/* The first clause of the evidence: the arrow's live label. */
static void first_clause(char *buf, size_t size, const char *evidence)
{
	size_t n = strcspn(evidence, ";");

	if (n >= size)
		n = size - 1;
	memcpy(buf, evidence, n);
	buf[n] = '\0';
}

static double draw_figure(FILE *f, struct lde_card *card, int figure,
			  double y)
{
	static const char *const heads[3] = {
		"OS (kernel mode)", "Hardware", "Program (user mode)"
	};
	struct lde_card_row_info r, prev = { 0 };
	double top = y;
	bool have_prev = false;
	int i, c;

	fprintf(f, "<text class=\"fig\" x=\"20\" y=\"%.0f\">%s</text>\n", y,
		figure == 2 ? "Figure 6.2: Limited Direct Execution Protocol" :
		figure == 3 ? "Figure 6.3: Limited Direct Execution Protocol (Timer Interrupt)" :
		"OS @ boot (both figures)");
	y += 26;
	for (c = 0; c < 3; c++)
		fprintf(f, "<text class=\"head\" x=\"%d\" y=\"%.0f\">%s</text>\n",
			line_x(c), y, heads[c]);
	y += 12;
	top = y;
	for (i = 0; lde_card_row(card, i, &r); i++) {
		double x = line_x(r.column) - BOX_W / 2, h;
		int lines = book_lines(r.book);
		bool seen = strncmp(r.evidence, "not seen", 8);
		char book[256], label[160];
		char *p;

		if (r.figure != figure)
			continue;
		snprintf(book, sizeof(book), "%s", r.book);
		for (p = book; *p; p++)
			if (*p == '\n')
				*p = ' ';
		lines = wrapped(f, book, BOOK_CHARS, 0, 0, false) +
			wrapped(f, r.evidence, FACT_CHARS, 0, 0, false);
		h = lines * LINE_H + 10;
		y += 34;
		if (have_prev && figure) {
			const char *what = handover(figure, prev.column,
						    r.column, r.book);
			double x0 = line_x(prev.column), x1 = line_x(r.column);

			if (what && seen && x0 == x1) {
				first_clause(label, sizeof(label), r.evidence);
				/* On the box's left: the OS line is the rightmost. */
				fprintf(f, "<g class=\"arrow\"><path class=\"self\" d=\"M%.0f %.0f h -40 v 30 h 34\" marker-end=\"url(#head)\"/>"
					"<text class=\"arrow-label\" x=\"%.0f\" y=\"%.0f\">%s",
					x0 - BOX_W / 2, y - 30, x0 - BOX_W / 2 - 90,
					y - 12, what);
				if (r.step)
					fprintf(f, " (#%lu)", r.step);
				fputs("</text></g>\n", f);
			} else if (what && seen) {
				first_clause(label, sizeof(label), r.evidence);
				fprintf(f, "<g class=\"arrow\"><line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" marker-end=\"url(#head)\"/>"
					"<text class=\"arrow-label\" x=\"%.0f\" y=\"%.0f\">%s",
					x0, y - 16, x1 + (x1 > x0 ? -6 : 6), y - 16,
					(x0 + x1) / 2, y - 20, what);
				if (r.step)
					fprintf(f, " (#%lu)", r.step);
				fputs("</text><text class=\"arrow-fact\" x=\"", f);
				fprintf(f, "%.0f\" y=\"%.0f\">", (x0 + x1) / 2,
					y - 5);
				xml_text(f, label, 60);
				fputs("</text></g>\n", f);
			}
		}
		fprintf(f, "<g class=\"row%s\" id=\"seq-row%d\"><rect x=\"%.0f\" y=\"%.0f\" width=\"%d\" height=\"%.0f\" rx=\"4\"/>\n",
			seen ? "" : " unseen", i, x, y, BOX_W, h);
		fputs("<text class=\"book\">", f);
		lines = wrapped(f, book, BOOK_CHARS, x + 8, y + 15, true);
		fputs("</text><text class=\"evidence\">", f);
		wrapped(f, r.evidence, FACT_CHARS, x + 8,
			y + 15 + lines * LINE_H, true);
		fputs("</text>", f);
		if (r.step)
			fprintf(f, "<text class=\"step\" x=\"%.0f\" y=\"%.0f\">-P #%lu</text>",
				x + BOX_W - 6, y - 3, r.step);
		fputs("</g>\n", f);
		prev = r;
		have_prev = true;
		y += h;
	}
	for (c = 0; c < 3; c++)
		fprintf(f, "<line class=\"life\" x1=\"%d\" y1=\"%.0f\" x2=\"%d\" y2=\"%.0f\"/>\n",
			line_x(c), top, line_x(c), y + 10);
	return y + 50;
}

struct sequence_view {
	struct lde_card *card;
	const char *path;
};

static bool sequence_wanted(const struct lde_view_env *env)
{
	return env->figure && lde_view_path_is(env->output_path, ".svg");
}

static void *sequence_start(const struct lde_view_env *env,
			    struct lde_line *out)
{
	struct sequence_view *v = calloc(1, sizeof(*v));

	if (!v || !(v->card = lde_card_new(env))) {
		free(v);
		errno = ENOMEM;
		return NULL;
	}
	v->path = env->output_path;
	return v;
}

static void sequence_event(void *state, struct lde_line *out,
			   const struct lde_event *e)
{
	struct sequence_view *v = state;

	lde_card_event(v->card, e);
}

/* The diagram, drawn twice: once to measure its height, once to keep. */
static double sequence_draw(FILE *f, struct lde_card *card, const char *title,
			    double height)
{
	double y;

	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%.0f\" font-family=\"sans-serif\" font-size=\"11\">\n"
		"<style>.fig{font-size:15px;font-weight:bold}.head{font-size:13px;font-weight:bold;text-anchor:middle}"
		".life{stroke:#999;stroke-dasharray:6 4}.row rect{fill:#f4f8ff;stroke:#1f78b4}"
		".row.unseen rect{fill:#fafafa;stroke:#aaa;stroke-dasharray:4 3}.book{font-weight:bold}"
		".evidence{fill:#333;font-family:monospace;font-size:10.5px}.unseen .evidence{fill:#888;font-style:italic}"
		".step{font-size:10px;fill:#1f78b4;text-anchor:end}"
		".arrow line,.self{stroke:#d7191c;stroke-width:1.6;fill:none}.arrow-label{font-size:11px;font-weight:bold;fill:#d7191c;text-anchor:middle}"
		".arrow-fact{font-size:10px;fill:#444;text-anchor:middle;font-family:monospace}</style>\n"
		"<defs><marker id=\"head\" markerWidth=\"8\" markerHeight=\"8\" refX=\"7\" refY=\"4\" orient=\"auto\"><path d=\"M0 0L8 4L0 8z\" fill=\"#d7191c\"/></marker></defs>\n"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
		"<text x=\"20\" y=\"24\" font-size=\"14\" font-weight=\"bold\">",
		WIDTH, height);
	xml_text(f, title, strlen(title));
	fputs("</text>\n", f);
	y = draw_figure(f, card, 0, 56);
	y = draw_figure(f, card, 2, y);
	y = draw_figure(f, card, 3, y);
	fputs("</svg>\n", f);
	return y;
}

static int sequence_end(void *state, struct lde_line *out,
			const struct lde_view_end *end)
{
	struct sequence_view *v = state;
	FILE *f, *null = fopen("/dev/null", "we");
	double height = 3000;
	int err = 0;

	lde_card_finish(v->card);
	if (null) {
		height = sequence_draw(null, v->card, end->title, height);
		fclose(null);
	}
	f = fopen(v->path, "we");
	if (!f) {
		err = -errno;
	} else {
		fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
		sequence_draw(f, v->card, end->title, height);
		if (ferror(f))
			err = -EIO;
		if (fclose(f) && !err)
			err = -errno;
	}
	lde_card_free(v->card);
	free(v);
	return err;
}

const struct lde_view_ops lde_sequence_view = {
	.name = "the sequence diagram (-F -o FILE.svg)",
	.story = true,
	.file = LDE_VIEW_OUTPUT,
	.time_order = true,
	.wanted = sequence_wanted,
	.start = sequence_start,
	.event = sequence_event,
	.end = sequence_end,
};
