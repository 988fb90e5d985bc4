// SPDX-License-Identifier: GPL-2.0
/*
 * One panel of the timeline: a lane per CPU along a time window, each a
 * band in the colour of what ran (user mode plain, kernel mode hatched,
 * idle grey, an untraced task dashed), with switch lines and labels,
 * timer ticks, fork/exec/exit/reap marks and the time axis.  What falls
 * within one pixel is merged: a pixel shows what ran longest in it, one
 * tick, one switch line, so the size follows the width, not the events.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lde_names.h"
#include "lde_render.h"
#include "lde_svg_internal.h"

#define LABEL_CHAR_W	5.8	/* a character of a 10px sans-serif label, at most */

/* What a stretch of a lane shows. */
enum { KEY_NONE, KEY_IDLE, KEY_UNTRACED, KEY_TASKS };

static int task_key(int proc, bool kernel)
{
	return KEY_TASKS + 2 * proc + kernel;
}

/* The same task's key in kernel mode (on) or user mode. */
static int in_kernel(int key, bool on)
{
	if (key < KEY_TASKS)
		return key;
	return task_key((key - KEY_TASKS) / 2, on);
}

/* Per CPU, while drawing a panel. */
struct lane {
	int key;			/* what runs now */
	unsigned long long since;	/* ... since when */
	int proc;			/* the task's process on the CPU */
	unsigned int tid;
	bool in_call;
	long long call_nr;
	unsigned long long call_since;
	/* The pixel being filled: what covered it, and how long. */
	int px;
	int bin_key[4];
	double bin_ns[4];
	int nbin;
	/* The run of pixels of one key not drawn yet. */
	int run_key, run_from;
	int last_tick_px, last_switch_px, last_mark_px;
	double label_end, mark_label_end;
};

struct draw {
	struct lde_svg *s;
	FILE *f;
	/* Lines, marks and labels: written after the bands, over them. */
	FILE *over;
	char *over_text;
	size_t over_len;
	const struct panel *p;
	struct lane *lanes;
	/* Threads in a system call: switched in, they run in the kernel. */
	struct lde_tid_table in_call;
};

struct call_slot {
	unsigned int tid;
	int open;
};

static double x_of(const struct panel *p, unsigned long long t)
{
	if (t <= p->t0)
		return LEFT;
	if (t >= p->t1)
		return LEFT + PLOT_W;
	return LEFT + (t - p->t0) / p->ns_per_px;
}

static double lane_y(const struct panel *p, unsigned int cpu)
{
	return p->y + cpu * LANE_H;
}

/* A run of whole pixels of one key, as one rectangle. */
static void draw_run(struct draw *d, unsigned int cpu, int key, int from,
		     int to)
{
	double y = lane_y(d->p, cpu) + BAND_Y;
	int proc = (key - KEY_TASKS) / 2;

	if (key == KEY_NONE || to <= from)
		return;
	if (key == KEY_IDLE) {
		fprintf(d->f, "<rect class=\"idle\" x=\"%d\" y=\"%.0f\" width=\"%d\" height=\"%d\"/>\n",
			LEFT + from, y, to - from, BAND_H);
		return;
	}
	if (key == KEY_UNTRACED) {
		fprintf(d->f, "<rect class=\"untraced\" x=\"%d\" y=\"%.0f\" width=\"%d\" height=\"%d\"/>\n",
			LEFT + from, y + 4, to - from, BAND_H - 8);
		if (to - from > 60)
			fprintf(d->f, "<text class=\"untraced-label\" x=\"%d\" y=\"%.0f\">not traced</text>\n",
				LEFT + (from + to) / 2, y + BAND_H / 2 + 4);
		return;
	}
	if ((key - KEY_TASKS) & 1)
		fprintf(d->f, "<rect class=\"kernel\" x=\"%d\" y=\"%.0f\" width=\"%d\" height=\"%d\" fill=\"url(#k%d)\"><title>",
			LEFT + from, y, to - from, BAND_H, proc % NPALETTE);
	else
		fprintf(d->f, "<rect class=\"user\" x=\"%d\" y=\"%.0f\" width=\"%d\" height=\"%d\" fill=\"%s\"><title>",
			LEFT + from, y, to - from, BAND_H,
			lde_svg_palette[proc % NPALETTE]);
	lde_svg_proc_name(d->f, d->s, proc);
	fprintf(d->f, ", %s mode, %.3f-%.3f ms</title></rect>\n",
		(key - KEY_TASKS) & 1 ? "kernel" : "user",
		(d->p->t0 + from * d->p->ns_per_px) / 1e6,
		(d->p->t0 + to * d->p->ns_per_px) / 1e6);
}

/* The pixel px of the lane is whole: what covered it most is drawn. */
static void pixel_done(struct draw *d, unsigned int cpu, struct lane *ln)
{
	int i, best = KEY_NONE;
	double most = 0;

	for (i = 0; i < ln->nbin; i++)
		if (ln->bin_ns[i] > most) {
			most = ln->bin_ns[i];
			best = ln->bin_key[i];
		}
	ln->nbin = 0;
	if (best != ln->run_key) {
		draw_run(d, cpu, ln->run_key, ln->run_from, ln->px);
		ln->run_key = best;
		ln->run_from = ln->px;
	}
}

static void bin_add(struct lane *ln, int key, double ns)
{
	int i;

	for (i = 0; i < ln->nbin; i++)
		if (ln->bin_key[i] == key) {
			ln->bin_ns[i] += ns;
			return;
		}
	if (ln->nbin < 4) {
		ln->bin_key[ln->nbin] = key;
		ln->bin_ns[ln->nbin++] = ns;
	}
}

/* The lane showed key from ln->since to t. */
static void band(struct draw *d, unsigned int cpu, struct lane *ln,
		 unsigned long long t)
{
	const struct panel *p = d->p;
	unsigned long long from = ln->since < p->t0 ? p->t0 : ln->since;
	unsigned long long to = t > p->t1 ? p->t1 : t;
	double x0, x1;
	int px1;

	ln->since = t;
	if (to <= from)
		return;
	x0 = (from - p->t0) / p->ns_per_px;
	x1 = (to - p->t0) / p->ns_per_px;
	px1 = (int)x1;
	if (px1 >= PLOT_W)
		px1 = PLOT_W;
	/* Nothing was seen between the pixel being filled and x0. */
	if ((int)x0 > ln->px) {
		pixel_done(d, cpu, ln);
		ln->px++;
		if ((int)x0 > ln->px) {
			pixel_done(d, cpu, ln);
			ln->px = (int)x0;
		}
	}
	while (ln->px < px1) {
		double start = x0 > ln->px ? x0 : ln->px;

		bin_add(ln, ln->key, (ln->px + 1 - start) * p->ns_per_px);
		pixel_done(d, cpu, ln);
		ln->px++;
		/* Whole pixels of this key: no bins needed. */
		if (ln->px < px1 && ln->run_key == ln->key) {
			ln->px = px1;
		}
	}
	if (x1 > ln->px && ln->px < PLOT_W)
		bin_add(ln, ln->key, (x1 - (x0 > ln->px ? x0 : ln->px)) *
				     p->ns_per_px);
}

static bool in_call(struct draw *d, unsigned int tid)
{
	struct call_slot *c = lde_tid_find(&d->in_call, tid);

	return c && c->open;
}

static void set_in_call(struct draw *d, unsigned int tid, int open)
{
	struct call_slot *c = lde_tid_get(&d->in_call, tid);

	if (c)
		c->open = open;
}

/* What a task runs as when switched in. */
static int key_of(struct draw *d, int proc, unsigned int tid, bool kthread)
{
	if (proc < 0)
		return KEY_IDLE;
	if (!d->s->switches_only && !d->s->procs[proc].traced)
		return KEY_UNTRACED;
	return task_key(proc, kthread || in_call(d, tid));
}

static bool visible(const struct panel *p, unsigned long long t)
{
	return t >= p->t0 && t <= p->t1;
}

/* A mark above the band, named where the last name has ended. */
static void draw_mark(struct draw *d, const struct mark *m, struct lane *ln,
		      const char *what, const char *arg_fmt, long long arg)
{
	double x = x_of(d->p, m->t), y = lane_y(d->p, m->cpu);
	char label[64];
	int px = (int)(x - LEFT);

	if (!visible(d->p, m->t) || px == ln->last_mark_px)
		return;
	ln->last_mark_px = px;
	snprintf(label, sizeof(label), arg_fmt, what, arg);
	fprintf(d->over, "<path class=\"mark\" d=\"M%.1f %.0fl-4 -7h8z\"><title>%s</title></path>\n",
		x, y + BAND_Y - 1, label);
	if (x < ln->mark_label_end)
		return;
	ln->mark_label_end = x + 8 + LABEL_CHAR_W * strlen(label);
	fprintf(d->over, "<text class=\"mark-label\" x=\"%.1f\" y=\"%.0f\">%s</text>\n",
		x + 5, y + BAND_Y - 2, label);
}

static void draw_event(struct draw *d, const struct mark *m)
{
	struct lane *ln = &d->lanes[m->cpu];
	const struct panel *p = d->p;
	double x = x_of(p, m->t), y = lane_y(p, m->cpu);
	int px = (int)(x - LEFT);

	switch (m->stage) {
	case LDE_STAGE_TRAP:
		set_in_call(d, m->tid, 1);
		band(d, m->cpu, ln, m->t);
		ln->key = in_kernel(ln->key, true);
		ln->call_nr = m->arg;
		ln->call_since = m->t;
		break;
	case LDE_STAGE_RETURN:
		set_in_call(d, m->tid, 0);
		band(d, m->cpu, ln, m->t);
		if (ln->key >= KEY_TASKS)
			ln->key = in_kernel(ln->key, false);
		else if (ln->key == KEY_NONE && m->proc >= 0)
			ln->key = task_key(m->proc, false);
		/* A call long enough to hold its name is named. */
		if (ln->call_nr == m->arg && ln->call_since &&
		    visible(p, m->t) &&
		    x - x_of(p, ln->call_since) >
		    7.0 * strlen(lde_call_name(m->arg, m->compat)))
			fprintf(d->over, "<text class=\"call\" x=\"%.1f\" y=\"%.0f\">%s</text>\n",
				(x + x_of(p, ln->call_since)) / 2,
				y + BAND_Y + BAND_H / 2 + 4,
				lde_call_name(m->arg, m->compat));
		ln->call_since = 0;
		break;
	case LDE_STAGE_SWITCH:
		band(d, m->cpu, ln, m->t);
		ln->key = key_of(d, m->next_proc, m->next_tid,
				 m->next_kthread);
		ln->proc = m->next_proc;
		ln->tid = m->next_tid;
		ln->call_since = 0;
		if (!visible(p, m->t) || px == ln->last_switch_px)
			break;
		ln->last_switch_px = px;
		fprintf(d->over, "<line class=\"switch\" x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\"/>\n",
			x, y + BAND_Y - 3, x, y + BAND_Y + BAND_H + 3);
		/* A label only where the last one has ended: none overlap. */
		if (x < ln->label_end)
			break;
		fprintf(d->over, "<text class=\"label\" x=\"%.1f\" y=\"%.0f\">", x + 2,
			y + BAND_Y + BAND_H + 14);
		lde_svg_proc_name(d->over, d->s, m->proc);
		fputs(" -&gt; ", d->over);
		lde_svg_proc_name(d->over, d->s, m->next_proc);
		fputs("</text>\n", d->over);
		ln->label_end = x + 10 + LABEL_CHAR_W * 2 *
			(LDE_COMM_LEN + 4);
		break;
	case LDE_STAGE_TIMER:
		if (!visible(p, m->t) || px == ln->last_tick_px)
			break;
		ln->last_tick_px = px;
		fprintf(d->over, "<line class=\"tick\" x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\"/>\n",
			x, y + BAND_Y + BAND_H - 12, x, y + BAND_Y + BAND_H + 5);
		break;
	case LDE_STAGE_FORK:
		draw_mark(d, m, ln, "fork", "%s %lld", m->arg);
		break;
	case LDE_STAGE_EXEC:
		draw_mark(d, m, ln, "exec", "%s", 0);
		break;
	case LDE_STAGE_EXIT:
		draw_mark(d, m, ln, "exit", "%s %lld", (m->arg >> 8) & 0xff);
		break;
	case LDE_STAGE_REAP:
		draw_mark(d, m, ln, "reap", "%s %lld", m->pid);
		break;
	default:
		break;
	}
	/* Before any switch, the lane's task is who an event is about. */
	if (ln->key == KEY_NONE && m->stage != LDE_STAGE_SWITCH) {
		ln->since = m->t;
		ln->proc = m->proc;
		ln->key = key_of(d, m->proc, m->tid, false);
		if (m->stage == LDE_STAGE_TRAP)
			ln->key = in_kernel(ln->key, true);
	}
}

/* Time along the bottom of a panel: a round step, in milliseconds. */
static void draw_axis(struct draw *d, unsigned int ncpus)
{
	static const double steps[] = { 1, 2, 5 };
	const struct panel *p = d->p;
	double span = p->t1 - p->t0, step = 1e3, y = lane_y(p, ncpus) + 4, t;
	int i;

	for (;;) {
		for (i = 0; i < 3; i++)
			if (span / (steps[i] * step) <= 12)
				break;
		if (i < 3) {
			step *= steps[i];
			break;
		}
		step *= 10;
	}
	fprintf(d->f, "<line class=\"axis\" x1=\"%d\" y1=\"%.0f\" x2=\"%d\" y2=\"%.0f\"/>\n",
		LEFT, y, LEFT + PLOT_W, y);
	/* Round times from the start of the trace. */
	for (t = step * (unsigned long long)((p->t0 + step - 1) / step);
	     t <= p->t1; t += step)
		fprintf(d->f, "<line class=\"axis\" x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\"/>"
			"<text class=\"time\" x=\"%.1f\" y=\"%.0f\">%g ms</text>\n",
			x_of(p, t), y, x_of(p, t), y + 5, x_of(p, t), y + 18,
			t / 1e6);
}

void lde_svg_draw_panel(struct lde_svg *s, FILE *f, const struct panel *p,
			const struct mark *const *order, const char *name)
{
	struct draw d = { .s = s, .f = f, .p = p };
	unsigned int cpu;
	size_t i;

	d.lanes = calloc(s->ncpus, sizeof(*d.lanes));
	d.over = open_memstream(&d.over_text, &d.over_len);
	if (!d.lanes || !d.over) {
		if (d.over)
			fclose(d.over);
		free(d.over_text);
		free(d.lanes);
		return;
	}
	lde_tid_table_init(&d.in_call, sizeof(struct call_slot),
			   LDE_TID_TABLE_LIMIT);
	for (cpu = 0; cpu < s->ncpus; cpu++) {
		d.lanes[cpu].last_tick_px = d.lanes[cpu].last_switch_px = -1;
		d.lanes[cpu].last_mark_px = -1;
		d.lanes[cpu].proc = -1;
	}
	/* The handout places a time on the panel from these. */
	fprintf(f, "<g class=\"panel\" id=\"%s\" data-x=\"%d\" data-w=\"%d\" data-y=\"%.0f\" data-h=\"%u\" data-t0=\"%llu\" data-t1=\"%llu\" data-lane=\"%d\">\n",
		name, LEFT, PLOT_W, p->y, s->ncpus * LANE_H, p->t0, p->t1,
		LANE_H);
	for (cpu = 0; cpu < s->ncpus; cpu++)
		fprintf(f, "<text class=\"cpu\" x=\"10\" y=\"%.0f\">CPU %u</text>\n",
			lane_y(p, cpu) + BAND_Y + BAND_H / 2 + 4, cpu);
	for (i = 0; i < s->n; i++) {
		const struct mark *m = order[i];

		if (m->t > p->t1 && m->stage != LDE_STAGE_SWITCH)
			continue;
		draw_event(&d, m);
	}
	for (cpu = 0; cpu < s->ncpus; cpu++) {
		struct lane *ln = &d.lanes[cpu];

		/* The last thing seen on a CPU goes on until its last event. */
		band(&d, cpu, ln, ln->since);
		if (ln->px < PLOT_W) {
			pixel_done(&d, cpu, ln);
			ln->px++;
		}
		draw_run(&d, cpu, ln->run_key, ln->run_from, ln->px);
	}
	fclose(d.over);
	fwrite(d.over_text, 1, d.over_len, f);
	free(d.over_text);
	draw_axis(&d, s->ncpus);
	fputs("</g>\n", f);
	lde_tid_table_free(&d.in_call);
	free(d.lanes);
}
