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
 * Bounded: what falls within one pixel is merged (a pixel shows what ran
 * longest in it, one tick mark, one switch line), so the picture's size
 * follows its width, not the number of events.  The events are kept,
 * compactly, until the end: the time span must be known to place anything.
 * Each CPU's events come in order; they are merged across CPUs in one
 * pass.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lde_names.h"
#include "lde_render.h"
#include "lde_svg.h"
#include "lde_tid_table.h"
#include "lde_view.h"

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
#define LABEL_CHAR_W	5.8	/* a character of a 10px sans-serif label, at most */
#define MAX_MARKS	(1ULL << 25)
#define LEGEND_MAX	24	/* processes named; the rest counted */
#define NPALETTE	12

/* Twelve hues told apart by most eyes (ColorBrewer Paired, dark members first). */
static const char *const palette[NPALETTE] = {
	"#1f78b4", "#33a02c", "#e31a1c", "#ff7f00", "#6a3d9a", "#b15928",
	"#a6cee3", "#b2df8a", "#fb9a99", "#fdbf6f", "#cab2d6", "#8dd3c7",
};
static const char *const palette_dark[NPALETTE] = {
	"#0f3c5a", "#1a5016", "#710e0d", "#804000", "#351e4d", "#582c14",
	"#3f7f9f", "#5f9f3f", "#c0504d", "#c08030", "#7f6f9f", "#3f9f8f",
};

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

struct pid_slot {
	unsigned int pid;
	int index;
};

struct lde_svg *lde_svg_new(const struct lde_svg_opts *opts)
{
	struct lde_svg *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->opts = *opts;
	s->switches_only = true;
	s->ncpus = 1;
	lde_tid_table_init(&s->by_pid, sizeof(struct pid_slot),
			   LDE_TID_TABLE_LIMIT);
	return s;
}

void lde_svg_free(struct lde_svg *s)
{
	if (!s)
		return;
	free(s->marks);
	free(s->procs);
	lde_tid_table_free(&s->by_pid);
	free(s);
}

/* The process pid's index, made on first sight; -1 for the idle task. */
static int proc_of(struct lde_svg *s, unsigned int pid, const char *comm,
		   bool traced)
{
	struct pid_slot *slot;
	struct proc *p;

	if (!pid)
		return -1;
	slot = lde_tid_get(&s->by_pid, pid);
	if (!slot)
		return -1;
	if (!slot->index) {
		if (s->nprocs == s->procs_cap) {
			size_t want = s->procs_cap ? s->procs_cap * 2 : 64;
			struct proc *more = realloc(s->procs,
						    want * sizeof(*more));

			if (!more)
				return -1;
			s->procs = more;
			s->procs_cap = want;
		}
		p = &s->procs[s->nprocs];
		memset(p, 0, sizeof(*p));
		p->pid = pid;
		slot->index = ++s->nprocs;
	}
	p = &s->procs[slot->index - 1];
	/* Named as it is last seen: a process that execs takes the new name. */
	if (traced || !p->comm[0])
		memcpy(p->comm, comm, LDE_COMM_LEN);
	p->traced |= traced;
	return slot->index - 1;
}

void lde_svg_add(struct lde_svg *s, const struct lde_event *e)
{
	unsigned int stage = lde_kind_stage(e->stage);
	bool sw = stage == LDE_STAGE_SWITCH;
	struct mark *m;

	if (stage == LDE_STAGE_LDE_SWITCH || stage == LDE_STAGE_WAKEUP ||
	    stage == LDE_STAGE_LDE_TRAP || stage == LDE_STAGE_LDE_RETURN)
		return;
	if (s->n == s->cap) {
		size_t want = s->cap ? s->cap * 2 : 4096;
		struct mark *more;

		if (want > MAX_MARKS ||
		    !(more = realloc(s->marks, want * sizeof(*more)))) {
			s->dropped++;
			return;
		}
		s->marks = more;
		s->cap = want;
	}
	m = &s->marks[s->n++];
	memset(m, 0, sizeof(*m));
	m->t = e->ts_ns - s->opts.start_ns;
	m->cpu = e->cpu < 4096 ? e->cpu : 4095;
	m->tid = e->tid;
	m->pid = e->pid;
	m->stage = stage;
	if (!sw)
		s->switches_only = false;
	/* A switch is sent when prev or next is traced: it names both. */
	m->proc = proc_of(s, e->pid, e->comm,
			  !sw || lde_prev_traced(e->sw.known));
	m->next_proc = -1;
	if (m->cpu + 1 > s->ncpus)
		s->ncpus = m->cpu + 1;
	switch (stage) {
	case LDE_STAGE_TRAP:
		m->arg = e->trap.nr;
		m->compat = e->trap.compat;
		break;
	case LDE_STAGE_RETURN:
		m->arg = e->ret.nr;
		m->compat = e->ret.compat;
		break;
	case LDE_STAGE_SWITCH:
		m->next_tid = e->sw.next_tid;
		m->next_pid = e->sw.next_pid;
		m->next_kthread = !e->sw.next_user_ip;
		m->nonvoluntary = e->sw.nonvoluntary;
		m->next_proc = proc_of(s, e->sw.next_pid, e->sw.next_comm,
				       lde_next_traced(e->sw.known));
		break;
	case LDE_STAGE_TIMER:
		m->mode = e->timer.mode;
		break;
	case LDE_STAGE_FORK:
		m->arg = e->fork.child_pid;
		break;
	case LDE_STAGE_EXIT:
		m->arg = e->exit.code;
		break;
	}
}

/* -- drawing --------------------------------------------------------------- */

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

/* A panel: a time window drawn across PLOT_W pixels, from y. */
struct panel {
	unsigned long long t0, t1;
	double y;
	double ns_per_px;
};

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

static void proc_name(FILE *f, const struct lde_svg *s, int proc)
{
	if (proc < 0) {
		fputs("idle", f);
		return;
	}
	xml_text(f, s->procs[proc].comm, LDE_COMM_LEN);
	fprintf(f, "[%u]", s->procs[proc].pid);
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
			palette[proc % NPALETTE]);
	proc_name(d->f, d->s, proc);
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
		proc_name(d->over, d->s, m->proc);
		fputs(" -&gt; ", d->over);
		proc_name(d->over, d->s, m->next_proc);
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

static void draw_panel(struct lde_svg *s, FILE *f, const struct panel *p,
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
			x, y, palette[i % NPALETTE], x + 15, y, i % NPALETTE,
			x + 33, y + 9);
		proc_name(f, s, i);
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
			i, palette_dark[i], palette[i]);
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
	draw_panel(s, f, &full, order, "whole");
	if (inset) {
		fprintf(f, "<text class=\"panel-title\" x=\"10\" y=\"%.0f\">Zoomed on the first switch a timer interrupt caused: %.3f-%.3f ms</text>\n",
			zoom.y - 6, zoom.t0 / 1e6, zoom.t1 / 1e6);
		draw_panel(s, f, &zoom, order, "zoom");
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
