// SPDX-License-Identifier: GPL-2.0
/*
 * A picture of the trace (-o FILE.svg), for a browser or a slide: a lane
 * per CPU along time.  Each traced process has its own colour, named in a
 * legend as comm[pid]; in its colour, user mode is plain and kernel mode
 * (a system call, a kernel thread) darker and hatched.  The idle task is
 * a pale grey; a CPU running a task the trace does not follow is a dashed
 * outline marked "not traced"; before anything is seen on a CPU, nothing.
 * A switch A -> B is where the colour changes, with a line and a label;
 * a timer tick is a red mark; fork, exec, exit and reap are marked and
 * named on the lane where they happened.  A long run (a spinner pair for
 * a second) gets a second panel, zoomed on the first switch the timer
 * caused, so that A -> timer -> switch -> B reads at slide size.
 *
 * This file is the document: its title, legend, colours and panels
 * placed, and the -o FILE.svg view.  The events are kept by
 * lde_svg_events.c until the end (the time span must be known to place
 * anything); each CPU's come in order and are merged across CPUs here in
 * one pass; a panel's lanes are drawn by lde_svg_lanes.c.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lde_render.h"
#include "lde_svg_internal.h"
#include "lde_view.h"

#define LEGEND_MAX	24	/* processes named; the rest counted */

/* Twelve hues told apart by most eyes (ColorBrewer Paired, dark members first). */
const char *const lde_svg_palette[NPALETTE] = {
	"#1f78b4", "#33a02c", "#e31a1c", "#ff7f00", "#6a3d9a", "#b15928",
	"#a6cee3", "#b2df8a", "#fb9a99", "#fdbf6f", "#cab2d6", "#8dd3c7",
};
static const char *const palette_dark[NPALETTE] = {
	"#0f3c5a", "#1a5016", "#710e0d", "#804000", "#351e4d", "#582c14",
	"#3f7f9f", "#5f9f3f", "#c0504d", "#c08030", "#7f6f9f", "#3f9f8f",
};

/*
 * Text for XML or HTML: markup escaped; a byte above 0x7f as its Latin-1
 * letter (the trace's strings are bytes); a newline as newline says (it
 * is kept, or a space, or '?'), other bytes no XML may hold as '?'.
 */
void lde_markup_text(FILE *f, const char *s, size_t max, char newline)
{
	size_t i;

	for (i = 0; i < max && s[i]; i++) {
		unsigned char c = s[i];

		if (c == '<')
			fputs("&lt;", f);
		else if (c == '>')
			fputs("&gt;", f);
		else if (c == '&')
			fputs("&amp;", f);
		else if (c == '"')
			fputs("&quot;", f);
		else if (c == '\n')
			fputc(newline, f);
		else if (c < 0x20 || c == 0x7f)
			fputc('?', f);
		else if (c > 0x7f)
			fprintf(f, "&#x%x;", c);
		else
			fputc(c, f);
	}
}

static void xml_text(FILE *f, const char *s, size_t max)
{
	lde_markup_text(f, s, max, '?');
}

void lde_svg_proc_name(FILE *f, const struct lde_svg *s, int proc)
{
	if (proc < 0) {
		fputs("idle", f);
		return;
	}
	xml_text(f, s->procs[proc].comm, LDE_COMM_LEN);
	fprintf(f, "[%u]", s->procs[proc].pid);
}

/* Each CPU's marks are in order: merged across CPUs, in one pass. */
static const struct mark **in_time_order(struct lde_svg *s)
{
	const struct mark **order = malloc(s->n * sizeof(*order) + 1);
	size_t *head = calloc(s->ncpus + 1, sizeof(*head));
	size_t *start = calloc(s->ncpus + 1, sizeof(*start));
	const struct mark **by_cpu = malloc(s->n * sizeof(*by_cpu) + 1);
	size_t i, k;
	unsigned int cpu;

	if (!order || !head || !start || !by_cpu) {
		free(order);
		order = NULL;
		goto out;
	}
	for (i = 0; i < s->n; i++)
		start[s->marks[i].cpu + 1]++;
	for (cpu = 1; cpu <= s->ncpus; cpu++)
		start[cpu] += start[cpu - 1];
	memcpy(head, start, (s->ncpus + 1) * sizeof(*head));
	for (i = 0; i < s->n; i++)
		by_cpu[head[s->marks[i].cpu]++] = &s->marks[i];
	memcpy(head, start, (s->ncpus + 1) * sizeof(*head));
	for (k = 0; k < s->n; k++) {
		unsigned int best = s->ncpus;

		for (cpu = 0; cpu < s->ncpus; cpu++)
			if (head[cpu] < start[cpu + 1] &&
			    (best == s->ncpus ||
			     by_cpu[head[cpu]]->t < by_cpu[head[best]]->t))
				best = cpu;
		order[k] = by_cpu[head[best]++];
	}
out:
	free(head);
	free(start);
	free(by_cpu);
	return order;
}

/*
 * The first switch a timer interrupt in user mode caused from one traced
 * task to another that goes back to user mode: a tick, then its CPU's
 * task preempted.  0 if none.
 */
static unsigned long long first_timer_switch(const struct lde_svg *s,
					     const struct mark *const *order)
{
	unsigned long long tick_t[64] = { 0 };
	unsigned int tick_tid[64] = { 0 };
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct mark *m = order[i];
		unsigned int c = m->cpu % 64;

		if (m->stage == LDE_STAGE_TIMER && m->mode == LDE_TIMER_USER) {
			tick_t[c] = m->t + 1;
			tick_tid[c] = m->tid;
		} else if (m->stage == LDE_STAGE_SWITCH && tick_t[c] &&
			   m->tid == tick_tid[c] && m->nonvoluntary &&
			   m->next_proc >= 0 && !m->next_kthread &&
			   (s->switches_only || s->procs[m->next_proc].traced)) {
			return m->t;
		} else if (m->stage == LDE_STAGE_SWITCH) {
			tick_t[c] = 0;
		}
	}
	return 0;
}

/* Returns where the legend ends. */
static int draw_legend(struct lde_svg *s, FILE *f)
{
	size_t i, shown = 0;
	int x = LEFT, y = 44;

	for (i = 0; i < s->nprocs; i++) {
		const struct proc *p = &s->procs[i];
		int w;

		if (!s->switches_only && !p->traced)
			continue;
		if (shown++ == LEGEND_MAX) {
			fprintf(f, "<text class=\"key\" x=\"%d\" y=\"%d\">and more</text>\n",
				x, y + 9);
			break;
		}
		w = 60 + 7 * strnlen(p->comm, LDE_COMM_LEN);
		if (x + w > LEFT + PLOT_W) {
			x = LEFT;
			y += 18;
		}
		fprintf(f, "<g class=\"legend-task\"><rect x=\"%d\" y=\"%d\" width=\"14\" height=\"10\" fill=\"%s\"/>"
			"<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"10\" fill=\"url(#k%zu)\"/>"
			"<text class=\"key\" x=\"%d\" y=\"%d\">",
			x, y, lde_svg_palette[i % NPALETTE], x + 15, y, i % NPALETTE,
			x + 33, y + 9);
		lde_svg_proc_name(f, s, i);
		fputs("</text></g>\n", f);
		x += w;
	}
	y += 18;
	x = LEFT;
	fprintf(f, "<text class=\"key\" x=\"%d\" y=\"%d\">each process its colour: plain in user mode, dark and hatched in kernel mode;</text>\n",
		x, y + 9);
	x += 470;
	fprintf(f, "<rect class=\"idle\" x=\"%d\" y=\"%d\" width=\"14\" height=\"10\"/><text class=\"key\" x=\"%d\" y=\"%d\">idle</text>\n",
		x, y, x + 18, y + 9);
	x += 50;
	fprintf(f, "<rect class=\"untraced\" x=\"%d\" y=\"%d\" width=\"14\" height=\"10\"/><text class=\"key\" x=\"%d\" y=\"%d\">not traced</text>\n",
		x, y, x + 18, y + 9);
	x += 90;
	fprintf(f, "<line class=\"tick\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/><text class=\"key\" x=\"%d\" y=\"%d\">timer interrupt</text>\n",
		x, y, x, y + 10, x + 6, y + 9);
	x += 110;
	fprintf(f, "<line class=\"switch\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/><text class=\"key\" x=\"%d\" y=\"%d\">switch A -&gt; B</text>\n",
		x, y - 2, x, y + 12, x + 6, y + 9);
	x += 110;
	fprintf(f, "<path class=\"mark\" d=\"M%d %dl-4 -7h8z\"/><text class=\"key\" x=\"%d\" y=\"%d\">fork, exec, exit, reap</text>\n",
		x, y + 10, x + 6, y + 9);
	return y + 20;
}

int lde_svg_write(struct lde_svg *s, FILE *f, const char *title)
{
	const struct mark **order = NULL;
	unsigned long long span, hit = 0;
	struct panel full, zoom;
	double height;
	FILE *null;
	size_t i;
	bool inset;

	if (s->n) {
		order = in_time_order(s);
		if (!order)
			return -ENOMEM;
	}
	span = s->n ? order[s->n - 1]->t : 0;
	full.t0 = s->n ? order[0]->t : 0;
	full.t1 = span > full.t0 + 1000 ? span : full.t0 + 1000;
	full.ns_per_px = (double)(full.t1 - full.t0) / PLOT_W;
	if (s->n)
		hit = first_timer_switch(s, order);
	/* Zoomed: 30 ms around the first switch by the timer, in a long run. */
	inset = hit && full.t1 - full.t0 > 120000000ULL;
	zoom.t0 = inset && hit > full.t0 + 8000000ULL ? hit - 8000000ULL :
		  full.t0;
	zoom.t1 = zoom.t0 + 30000000ULL;
	zoom.ns_per_px = (double)(zoom.t1 - zoom.t0) / PLOT_W;
	/* The legend's height, from a dry run: it wraps by its names. */
	null = fopen("/dev/null", "we");
	full.y = (null ? draw_legend(s, null) : 80) + 24;
	if (null)
		fclose(null);
	zoom.y = full.y + s->ncpus * LANE_H + 60;
	height = (inset ? zoom.y : full.y) + s->ncpus * LANE_H + 30;
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"lde-timeline\" width=\"%d\" height=\"%.0f\" viewBox=\"0 0 %d %.0f\" "
		"font-family=\"sans-serif\" font-size=\"11\">\n"
		"<style>.switch{stroke:#000;stroke-width:1.2}.tick{stroke:#d7191c;stroke-width:2}"
		".axis{stroke:#666}.label{font-size:10px;fill:#222}.time{font-size:10px;text-anchor:middle}"
		".call{font-size:9px;text-anchor:middle;fill:#fff}.cpu{font-size:12px;font-weight:bold}.key{font-size:11px}"
		".idle{fill:#ececec}.untraced{fill:none;stroke:#999;stroke-dasharray:4 3}"
		".untraced-label{font-size:9px;font-style:italic;fill:#888;text-anchor:middle}"
		".mark{fill:#000}.mark-label{font-size:10px;font-weight:bold}"
		".panel-title{font-size:12px;font-weight:bold}</style>\n"
		"<defs>",
		LEFT + PLOT_W + 60, height, LEFT + PLOT_W + 60, height);
	for (i = 0; i < NPALETTE; i++)
		fprintf(f, "<pattern id=\"k%zu\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
			"<rect width=\"6\" height=\"6\" fill=\"%s\"/><rect width=\"2\" height=\"6\" fill=\"%s\"/></pattern>",
			i, palette_dark[i], lde_svg_palette[i]);
	fputs("</defs>\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
	      "<text x=\"10\" y=\"22\" font-size=\"14\" font-weight=\"bold\">", f);
	xml_text(f, title, strlen(title));
	if (s->dropped)
		fprintf(f, " (the first %zu events; %zu more not drawn)",
			s->n, s->dropped);
	fputs("</text>\n", f);
	draw_legend(s, f);
	fprintf(f, "<text class=\"panel-title\" x=\"10\" y=\"%.0f\">The whole run, %.3f ms</text>\n",
		full.y - 6, (full.t1 - full.t0) / 1e6);
	lde_svg_draw_panel(s, f, &full, order, "whole");
	if (inset) {
		fprintf(f, "<text class=\"panel-title\" x=\"10\" y=\"%.0f\">Zoomed on the first switch a timer interrupt caused: %.3f-%.3f ms</text>\n",
			zoom.y - 6, zoom.t0 / 1e6, zoom.t1 / 1e6);
		lde_svg_draw_panel(s, f, &zoom, order, "zoom");
	}
	fputs("</svg>\n", f);
	free(order);
	return ferror(f) ? -EIO : 0;
}

/* -- the view: -o FILE.svg, without -F ------------------------------------- */

struct svg_view {
	struct lde_svg *svg;
	const char *path;
};

static bool svg_wanted(const struct lde_view_env *env)
{
	return !env->figure && lde_view_path_is(env->output_path, ".svg");
}

static void *svg_start(const struct lde_view_env *env, struct lde_line *out)
{
	struct lde_svg_opts o = { .start_ns = env->start_ns };
	struct svg_view *v = calloc(1, sizeof(*v));

	if (!v || !(v->svg = lde_svg_new(&o))) {
		free(v);
		errno = ENOMEM;
		return NULL;
	}
	v->path = env->output_path;
	return v;
}

static void svg_event(void *state, struct lde_line *out,
		      const struct lde_event *e)
{
	struct svg_view *v = state;

	lde_svg_add(v->svg, e);
}

static int svg_end(void *state, struct lde_line *out,
		   const struct lde_view_end *end)
{
	struct svg_view *v = state;
	FILE *f = fopen(v->path, "we");
	int err;

	if (!f) {
		err = -errno;
	} else {
		fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
		err = lde_svg_write(v->svg, f, end->title);
		if (fclose(f) && !err)
			err = -errno;
	}
	lde_svg_free(v->svg);
	free(v);
	return err;
}

const struct lde_view_ops lde_svg_view = {
	.name = "the picture (-o FILE.svg)",
	.file = LDE_VIEW_OUTPUT,
	.wanted = svg_wanted,
	.start = svg_start,
	.event = svg_event,
	.end = svg_end,
};
