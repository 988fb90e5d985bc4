// SPDX-License-Identifier: GPL-2.0
/*
 * A picture of the trace (-o FILE.svg), for a browser or a slide: a lane
 * per CPU along time; in each, what the CPU ran as bands (user mode,
 * kernel mode inside a system call or a kernel thread, idle, another task
 * the trace does not follow), the task's name over its
 * stretch, timer ticks as red marks along the top, switches as lines
 * labelled "A -> B", system calls long enough to hold a word named on
 * their band.  The events are kept until the end: a picture needs the
 * whole time span before it can place anything.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lde_names.h"
#include "lde_render.h"

/* What one event leaves in the picture. */
struct mark {
	unsigned long long t;	/* ns from the start */
	unsigned int cpu, tid, next_tid, pid, next_pid;
	unsigned int stage;
	unsigned int mode;	/* a timer's */
	bool next_kthread;	/* a switch's next never returns to user mode */
	long long nr;
	char comm[LDE_COMM_LEN], next_comm[LDE_COMM_LEN];
};

/* Beyond this many events, the picture says it shows the first ones. */
#define SVG_MAX_MARKS	(1 << 20)

static FILE *svg;
static struct mark *marks;
static size_t nmarks, cap, dropped;

/* Layout, in pixels. */
#define LEFT	110
#define PLOT_W	1400
#define TOP	70
#define LANE_H	64
#define LANE_GAP 26
#define BAND_Y	18	/* from the lane's top: the band under the tick row */
#define BAND_H	30
#define LABEL_CHAR_W 5.8	/* a character of a 10px sans-serif label, at most */

enum band { BAND_NONE, BAND_USER, BAND_KERNEL, BAND_IDLE, BAND_OTHER };

static const char *const band_fill[] = {
	[BAND_USER] = "#7fc97f",
	[BAND_KERNEL] = "#fdae61",
	[BAND_IDLE] = "#e0e0e0",
	[BAND_OTHER] = "#c6dbef",
};

static const char *const band_class[] = {
	[BAND_USER] = "user",
	[BAND_KERNEL] = "kernel",
	[BAND_IDLE] = "idle",
	[BAND_OTHER] = "other",
};

int lde_svg_open(const char *path)
{
	svg = fopen(path, "we");
	return svg ? 0 : -errno;
}

void lde_svg_event(const struct lde_event *e, unsigned long long start_ns)
{
	struct mark *m;

	if (!svg)
		return;
	if (nmarks == cap) {
		size_t want = cap ? cap * 2 : 4096;
		struct mark *more;

		if (want > SVG_MAX_MARKS ||
		    !(more = realloc(marks, want * sizeof(*marks)))) {
			dropped++;
			return;
		}
		marks = more;
		cap = want;
	}
	m = &marks[nmarks++];
	memset(m, 0, sizeof(*m));
	m->t = e->ts_ns - start_ns;
	m->cpu = e->cpu;
	m->tid = e->tid;
	m->pid = e->pid;
	m->stage = lde_kind_stage(e->stage);
	memcpy(m->comm, e->comm, LDE_COMM_LEN);
	switch (m->stage) {
	case LDE_STAGE_TRAP:
		m->nr = e->trap.nr;
		break;
	case LDE_STAGE_RETURN:
		m->nr = e->ret.nr;
		break;
	case LDE_STAGE_SWITCH:
		m->next_tid = e->sw.next_tid;
		m->next_pid = e->sw.next_pid;
		memcpy(m->next_comm, e->sw.next_comm, LDE_COMM_LEN);
		m->next_kthread = !e->sw.next_user_ip;
		break;
	case LDE_STAGE_TIMER:
		m->mode = e->timer.mode;
		break;
	}
}

/* Text for XML: markup escaped; bytes no XML may hold, as '?'. */
static void xml_text(const char *s, size_t max)
{
	size_t i;

	for (i = 0; i < max && s[i]; i++) {
		unsigned char c = s[i];

		if (c == '<')
			fputs("&lt;", svg);
		else if (c == '>')
			fputs("&gt;", svg);
		else if (c == '&')
			fputs("&amp;", svg);
		else if (c == '"')
			fputs("&quot;", svg);
		else if (c < 0x20 || c == 0x7f)
			fputc('?', svg);
		else if (c > 0x7f)
			fprintf(svg, "&#x%x;", c);	/* the byte, as Latin-1 */
		else
			fputc(c, svg);
	}
}

static int by_time(const void *a, const void *b)
{
	const struct mark *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x < y ? -1 : 1;	/* stable: the order they came in */
}

static double span_ns;

static double x_of(unsigned long long t)
{
	return LEFT + PLOT_W * (double)t / span_ns;
}

static double lane_y(unsigned int cpu)
{
	return TOP + cpu * (LANE_H + LANE_GAP);
}

/* Per CPU, while drawing: the band open since since. */
struct lane {
	enum band band;
	unsigned long long since;
	unsigned int tid;
	char comm[LDE_COMM_LEN];
	unsigned long long task_since;	/* when tid came on */
	double label_end;	/* where the last switch label ends */
	long long trap_nr;
	unsigned long long trap_since;
};

static void close_band(struct lane *ln, unsigned int cpu,
		       unsigned long long t)
{
	double x0 = x_of(ln->since), x1 = x_of(t);

	if (ln->band != BAND_NONE && x1 > x0)
		fprintf(svg, "<rect class=\"%s\" x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%d\" fill=\"%s\"/>\n",
			band_class[ln->band], x0, lane_y(cpu) + BAND_Y, x1 - x0, BAND_H,
			band_fill[ln->band]);
	ln->since = t;
}

/* The task's name over its stretch of the lane, if it has room. */
static void name_task(struct lane *ln, unsigned int cpu,
		      unsigned long long t)
{
	double x0 = x_of(ln->task_since), x1 = x_of(t);

	if (!ln->comm[0] || x1 - x0 < 8 * strnlen(ln->comm, LDE_COMM_LEN))
		return;
	fprintf(svg, "<text class=\"task\" x=\"%.2f\" y=\"%.1f\">",
		(x0 + x1) / 2, lane_y(cpu) + BAND_Y + BAND_H + 13);
	xml_text(ln->comm, LDE_COMM_LEN);
	fputs("</text>\n", svg);
}

static bool is_idle(unsigned int pid)
{
	return pid == 0;
}

/*
 * The tasks traced: those some event other than a switch is about.  A
 * switch is sent when prev or next is traced, so a task switched in may
 * be another, whose leaving the trace will not show: its stretch is
 * drawn as "another task".  A trace of switches alone traces everyone.
 */
#define TRACED_SLOTS	8192
static unsigned int traced[TRACED_SLOTS];
static bool switches_only;

static void note_traced(unsigned int tid)
{
	traced[tid % TRACED_SLOTS] = tid;
}

static bool is_traced(unsigned int tid)
{
	return switches_only || traced[tid % TRACED_SLOTS] == tid;
}

/* What a task switched in runs as, until it traps or leaves. */
static enum band band_of(unsigned int pid, unsigned int tid, bool kthread);

/* Threads inside a system call, by tid: a switched-in one is in the kernel. */
#define OPEN_CALLS	4096
static unsigned int open_calls[OPEN_CALLS];

static bool in_call(unsigned int tid)
{
	return open_calls[tid % OPEN_CALLS] == tid && tid;
}

static enum band band_of(unsigned int pid, unsigned int tid, bool kthread)
{
	if (is_idle(pid))
		return BAND_IDLE;
	if (!is_traced(tid))
		return BAND_OTHER;
	return kthread || in_call(tid) ? BAND_KERNEL : BAND_USER;
}

static void draw_event(struct lane *lanes, const struct mark *m)
{
	struct lane *ln = &lanes[m->cpu];
	double x = x_of(m->t), y = lane_y(m->cpu);

	switch (m->stage) {
	case LDE_STAGE_TRAP:
		open_calls[m->tid % OPEN_CALLS] = m->tid;
		close_band(ln, m->cpu, m->t);
		ln->band = BAND_KERNEL;
		ln->trap_nr = m->nr;
		ln->trap_since = m->t;
		break;
	case LDE_STAGE_RETURN:
		if (in_call(m->tid))
			open_calls[m->tid % OPEN_CALLS] = 0;
		close_band(ln, m->cpu, m->t);
		/* A call long enough to hold its name is named. */
		if (ln->trap_nr == m->nr && ln->trap_since &&
		    x - x_of(ln->trap_since) > 7.0 * strlen(lde_syscall_name(m->nr)))
			fprintf(svg, "<text class=\"call\" x=\"%.2f\" y=\"%.1f\">%s</text>\n",
				(x + x_of(ln->trap_since)) / 2,
				y + BAND_Y + BAND_H / 2 + 4,
				lde_syscall_name(m->nr));
		ln->trap_since = 0;
		ln->band = BAND_USER;
		break;
	case LDE_STAGE_SWITCH:
		close_band(ln, m->cpu, m->t);
		name_task(ln, m->cpu, m->t);
		ln->band = band_of(m->next_pid, m->next_tid, m->next_kthread);
		ln->tid = m->next_tid;
		memcpy(ln->comm, m->next_comm, LDE_COMM_LEN);
		ln->task_since = m->t;
		ln->trap_since = 0;
		fprintf(svg, "<line class=\"switch\" x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" y2=\"%.1f\"/>\n",
			x, y + BAND_Y - 4, x, y + BAND_Y + BAND_H + 2);
		/* A label only where the last one has ended: none overlap. */
		if (x < ln->label_end)
			break;
		ln->label_end = x + 10 + LABEL_CHAR_W *
			(strnlen(m->comm, LDE_COMM_LEN) +
			 strnlen(m->next_comm, LDE_COMM_LEN) + 4);
		fprintf(svg, "<text class=\"label\" x=\"%.2f\" y=\"%.1f\">", x + 2,
			y + BAND_Y - 6);
		xml_text(m->comm, LDE_COMM_LEN);
		fputs(" -&gt; ", svg);
		xml_text(m->next_comm, LDE_COMM_LEN);
		fputs("</text>\n", svg);
		break;
	case LDE_STAGE_TIMER:
		fprintf(svg, "<line class=\"tick\" x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" y2=\"%.1f\"/>\n",
			x, y + BAND_Y + BAND_H, x, y + BAND_Y + BAND_H + 5);
		break;
	default:
		/* Before any switch, the lane's task is who an event is about. */
		if (ln->band == BAND_NONE) {
			ln->since = m->t;
			ln->task_since = m->t;
			memcpy(ln->comm, m->comm, LDE_COMM_LEN);
			ln->band = band_of(m->pid, m->tid, false);
		}
		break;
	}
}

/* Time along the bottom: a round step, in milliseconds. */
static void draw_axis(unsigned int ncpus)
{
	static const double steps[] = { 1, 2, 5 };
	double step = 1e3, y = lane_y(ncpus) + 4, t;
	int i;

	for (;;) {
		for (i = 0; i < 3; i++)
			if (span_ns / (steps[i] * step) <= 12)
				break;
		if (i < 3) {
			step *= steps[i];
			break;
		}
		step *= 10;
	}
	fprintf(svg, "<line class=\"axis\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>\n",
		LEFT, y, LEFT + PLOT_W, y);
	for (t = 0; t <= span_ns; t += step)
		fprintf(svg, "<line class=\"axis\" x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" y2=\"%.1f\"/>"
			"<text class=\"time\" x=\"%.2f\" y=\"%.1f\">%g ms</text>\n",
			x_of(t), y, x_of(t), y + 5, x_of(t), y + 18, t / 1e6);
}

static void draw_legend(void)
{
	static const struct {
		const char *what;
		enum band band;
	} keys[] = {
		{ "user mode", BAND_USER },
		{ "kernel mode", BAND_KERNEL },
		{ "idle", BAND_IDLE },
		{ "another task, not traced", BAND_OTHER },
	};
	unsigned int i;
	int x = LEFT;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		fprintf(svg, "<rect x=\"%d\" y=\"38\" width=\"14\" height=\"10\" fill=\"%s\"/>"
			"<text class=\"key\" x=\"%d\" y=\"47\">%s</text>\n",
			x, band_fill[keys[i].band], x + 18, keys[i].what);
		x += 40 + 7 * strlen(keys[i].what);
	}
	fprintf(svg, "<line class=\"tick\" x1=\"%d\" y1=\"38\" x2=\"%d\" y2=\"48\"/>"
		"<text class=\"key\" x=\"%d\" y=\"47\">timer interrupt</text>\n",
		x, x, x + 6);
	x += 130;
	fprintf(svg, "<line class=\"switch\" x1=\"%d\" y1=\"36\" x2=\"%d\" y2=\"50\"/>"
		"<text class=\"key\" x=\"%d\" y=\"47\">switch A -&gt; B</text>\n",
		x, x, x + 6);
}

int lde_svg_close(const char *title)
{
	unsigned int ncpus = 1, cpu;
	struct lane *lanes;
	size_t i;
	int err = 0;

	if (!svg)
		return 0;
	/* No events, no marks array: qsort() must not be given NULL. */
	if (nmarks)
		qsort(marks, nmarks, sizeof(*marks), by_time);
	for (i = 0; i < nmarks; i++)
		if (marks[i].cpu + 1 > ncpus && marks[i].cpu < 4096)
			ncpus = marks[i].cpu + 1;
	span_ns = nmarks ? marks[nmarks - 1].t - marks[0].t : 0;
	if (span_ns < 1000)
		span_ns = 1000;
	/* Times from the first event drawn. */
	for (i = nmarks; i-- > 0; )
		marks[i].t -= marks[0].t;
	lanes = calloc(ncpus, sizeof(*lanes));
	if (!lanes) {
		err = -ENOMEM;
		goto out;
	}
	fprintf(svg, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%.0f\" "
		"font-family=\"sans-serif\" font-size=\"11\">\n"
		"<style>.switch{stroke:#333;stroke-width:1}.tick{stroke:#d7191c;stroke-width:1}"
		".axis{stroke:#666}.label{font-size:10px;fill:#333}.time{font-size:10px;text-anchor:middle}"
		".task{font-size:10px;text-anchor:middle;fill:#222}.call{font-size:9px;text-anchor:middle}"
		".cpu{font-size:12px;font-weight:bold}.key{font-size:11px}</style>\n"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
		LEFT + PLOT_W + 160, lane_y(ncpus) + 40);
	fputs("<text x=\"10\" y=\"22\" font-size=\"14\" font-weight=\"bold\">", svg);
	xml_text(title, strlen(title));
	if (dropped)
		fprintf(svg, " (the first %zu events; %zu more not drawn)",
			nmarks, dropped);
	fputs("</text>\n", svg);
	draw_legend();
	for (cpu = 0; cpu < ncpus; cpu++) {
		fprintf(svg, "<text class=\"cpu\" x=\"10\" y=\"%.1f\">CPU %u</text>\n",
			lane_y(cpu) + BAND_Y + BAND_H / 2 + 4, cpu);
	}
	memset(traced, 0, sizeof(traced));
	switches_only = true;
	for (i = 0; i < nmarks; i++)
		if (marks[i].stage != LDE_STAGE_SWITCH &&
		    marks[i].stage != LDE_STAGE_LDE_SWITCH) {
			note_traced(marks[i].tid);
			switches_only = false;
		}
	for (i = 0; i < nmarks; i++)
		if (marks[i].cpu < ncpus)
			draw_event(lanes, &marks[i]);
	for (cpu = 0; cpu < ncpus; cpu++) {
		unsigned long long end = span_ns;

		close_band(&lanes[cpu], cpu, end);
		name_task(&lanes[cpu], cpu, end);
	}
	draw_axis(ncpus);
	fputs("</svg>\n", svg);
	free(lanes);
out:
	if (ferror(svg) && !err)
		err = -EIO;
	if (fclose(svg) && !err)
		err = -errno;
	svg = NULL;
	free(marks);
	marks = NULL;
	nmarks = cap = 0;
	return err;
}
