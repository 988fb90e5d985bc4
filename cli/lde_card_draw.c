// SPDX-License-Identifier: GPL-2.0
/*
 * The figure card (-F) drawn: the rows lde_view_card.c filled, read
 * through lde_card_row(), laid out as the book's table (OS, Hardware,
 * Program, then this run's evidence and the -P step), each book line at
 * its own line, a wider one wrapped inside its column, at the screen's
 * width (80 to 132 columns).
 */
#include <stdio.h>
#include <string.h>

#include "lde_render.h"
#include "lde_view.h"

struct layout {
	int width[5];	/* OS, Hardware, Program, this run, -P */
};

/*
 * At 132 columns the book's words fit their columns unwrapped (its longest
 * line is 29 characters); narrower, they wrap and "this run" keeps a third.
 */
static void layout_of(int width, struct layout *lay)
{
	int w = width < 80 ? 80 : width > 132 ? 132 : width;
	/* Each column but the last: its text, a space, "| ". */
	int rest = w - 4 * 3;

	lay->width[4] = 5;	/* #1234 */
	lay->width[0] = 29 * w / 132;
	lay->width[1] = 29 * w / 132;
	lay->width[2] = 19 * w / 132;	/* "Program (user mode)" */
	lay->width[3] = rest - lay->width[0] - lay->width[1] -
			lay->width[2] - lay->width[4];
}

/* One line of a cell: its next piece that fits, or nothing. */
static void piece(struct lde_line *l, const char **text, int width)
{
	size_t n;

	while (**text == ' ')
		(*text)++;
	n = lde_text_piece_len(*text, width);
	lde_line_mem(l, *text, n);
	*text += n;
}

/* Five cells, wrapped inside their columns; book lines break at '\n'. */
static void table_row(struct lde_line *l, const struct layout *lay,
		      const char *cell[5])
{
	const char *text[5];
	char book_line[64];
	bool more = true;
	int c;

	memcpy(text, cell, sizeof(text));
	while (more) {
		more = false;
		for (c = 0; c < 5; c++) {
			char *col = l->end;
			const char *nl = strchr(text[c], '\n');

			if (nl && nl - text[c] < (long)sizeof(book_line) &&
			    nl - text[c] <= lay->width[c]) {
				memcpy(book_line, text[c], nl - text[c]);
				book_line[nl - text[c]] = '\0';
				lde_line_str(l, book_line);
				text[c] = nl + 1;
			} else if (nl) {
				/* A book line wider than its column wraps. */
				const char *p = text[c];
				size_t n;

				memcpy(book_line, p, nl - p < 63 ? nl - p : 63);
				book_line[nl - p < 63 ? nl - p : 63] = '\0';
				p = book_line;
				n = lde_text_piece_len(p, lay->width[c]);
				lde_line_mem(l, p, n);
				text[c] += n;
				while (*text[c] == ' ')
					text[c]++;
			} else {
				piece(l, &text[c], lay->width[c]);
			}
			if (*text[c])
				more = true;
			if (c < 4) {
				lde_line_column(l, col, lay->width[c]);
				lde_line_lit(l, "| ");
			}
		}
		while (l->end > l->buf && l->end[-1] == ' ')
			l->end--;
		lde_line_char(l, '\n');
	}
}

/* A rule under a figure's columns, with the figure's name in it. */
static void rule(struct lde_line *l, const struct layout *lay,
		 const char *title)
{
	size_t n = strlen(title), at = 0;
	int c, i;

	lde_line_lit(l, "--");
	lde_line_str(l, title);
	at = n + 2;
	if (n) {
		lde_line_char(l, ' ');
		at++;
	}
	for (c = 0; c < 5; c++) {
		for (i = 0; i < lay->width[c] + (c && c < 4 ? 2 : 1); i++)
			if (at)
				at--;
			else
				lde_line_char(l, '-');
		if (c < 4) {
			if (at)
				at--;
			else
				lde_line_char(l, '+');
		}
	}
	lde_line_char(l, '\n');
}

static void header(struct lde_line *l, const struct layout *lay,
		   const char *title, const char *os, const char *hw,
		   const char *prog)
{
	const char *cell[5] = { os, hw, prog, "this run", "-P" };

	rule(l, lay, title);
	table_row(l, lay, cell);
}

void lde_card_draw(const struct lde_card *c, struct lde_line *l,
		   const char *kernel, int width)
{
	struct lde_card_row_info row;
	struct layout lay;
	char step[24], boot_title[128];
	const char *last = "";
	int r, figure = -1;

	layout_of(width, &lay);
	snprintf(boot_title, sizeof(boot_title), "OSTEP Figures 6.2 and 6.3 on Linux %s",
		 kernel && *kernel ? kernel : "?");
	for (r = 0; lde_card_row(c, r, &row); r++) {
		const char *cell[5] = { "", "", "", row.evidence, step };

		if (row.figure != figure) {
			figure = row.figure;
			if (!figure)
				header(l, &lay, boot_title,
				       "OS @ boot (kernel mode)", "Hardware",
				       "");
			else
				header(l, &lay, figure == 2 ?
				       "Figure 6.2: Limited Direct Execution Protocol" :
				       "Figure 6.3: Limited Direct Execution Protocol (Timer Interrupt)",
				       "OS @ run (kernel mode)", "Hardware",
				       "Program (user mode)");
		}
		cell[row.column] = row.book;
		if (row.step)
			snprintf(step, sizeof(step), "#%lu", row.step);
		else
			snprintf(step, sizeof(step), "%s",
				 row.filled ? "boot" : "-");
		/* The same reason as the row above is not said twice. */
		if (!row.filled && !strcmp(row.evidence, last))
			cell[3] = "not seen: as above";
		last = row.evidence;
		table_row(l, &lay, cell);
	}
}
