// SPDX-License-Identifier: GPL-2.0
/*
 * lde-trace: watch OSTEP chapter 6's limited-direct-execution sequence
 * (trap, return-from-trap, switch, timer, exec, exit, fault) live on the
 * running kernel, with eBPF.
 *
 * main() is the architecture: parse the options (lde_trace_opts.c), open
 * a source of events (the live session, lde_trace_live.c, or a trace
 * file, lde_trace_replay.c), pick the views the options ask for
 * (lde_views.c), run the source, which feeds every view each event, and
 * finish: the views end, what was lost is said, the views of files end.
 *
 * A new view is one file and one line in lde_views.c's table (see
 * lde_view.h); nothing here changes.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "lde_trace_cli.h"

/*
 * Event lines are appended here and written once per batch of events read
 * (or when full): one write per batch, output still live.
 */
static char out_buf[1 << 18];

void lde_trace_show(struct lde_trace_run *run, const struct lde_event *e)
{
	lde_views_event(&run->views, &run->out, e);
}

void lde_trace_show_in_order(void *run, const struct lde_event *e)
{
	lde_trace_show(run, e);
}

void lde_trace_say_unheld(unsigned long long n)
{
	if (n)
		fprintf(stderr, "lde-trace: %llu events not put in time order (no memory to hold them): shown as they came\n",
			n);
}

void lde_trace_flush(struct lde_trace_run *run)
{
	lde_line_flush(&run->out, stdout);
	fflush(stdout);
}

/*
 * -o and -w write at the end, or as they go: are they writable, first?
 * Never the file -r reads: it would be emptied before it is read.
 */
static int check_writable(const char *path, const char *read_path)
{
	struct stat a, b;
	FILE *f;

	if (!path)
		return 0;
	if (read_path && !stat(path, &a) && !stat(read_path, &b) &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
		fprintf(stderr, "lde-trace: %s is the file -r reads: write another\n",
			path);
		return 1;
	}
	f = fopen(path, "we");
	if (f) {
		fclose(f);
		return 0;
	}
	fprintf(stderr, "lde-trace: cannot write %s: %s\n", path,
		strerror(errno));
	return 1;
}

/* What the views are told: the options, and what the source knows. */
static void view_env(const struct lde_trace_run *run, struct lde_view_env *env)
{
	const struct lde_trace_opts *o = run->opts;

	*env = (struct lde_view_env) {
		.boot = &run->boot,
		.stages = o->stages,
		.stages_given = o->stages_given,
		.width = lde_opts_text_width(),
		.all = o->all,
		.figure = o->figure,
		.output_path = o->output_path,
		.start_ns = run->start_ns,
		.screen = stdout,
		.json = o->json,
		.protocol = o->protocol,
		.strace = o->strace,
		.map = o->map,
		.quiet = o->quiet,
		.summary = o->summary,
		.boot_rows = o->boot,
		.switches_summed = lde_progs_switches_summed(o),
		.root_pid = run->root_pid,
		.trace_cpus = run->trace_cpus,
		.write_path = o->write_path,
		.header = &run->header,
	};
	memcpy(env->comm, o->comm, LDE_COMM_LEN);
}

void lde_trace_views_needs(struct lde_trace_run *run)
{
	struct lde_view_env env;

	view_env(run, &env);
	run->opts->stages = lde_views_stages(&env);
	run->opts->time_order = lde_views_time_order(&env);
}

/* The views the options ask for: 0, or 1 (said). */
static int pick_views(struct lde_trace_run *run)
{
	struct lde_view_env env;
	int err;

	view_env(run, &env);
	err = lde_views_start(&run->views, &env, &run->out);
	lde_trace_flush(run);
	return err ? 1 : 0;
}

/* What the pictures are titled: what was traced, and where. */
static void title(const struct lde_trace_run *run, char *buf, size_t size)
{
	const struct lde_trace_opts *o = run->opts;
	const char *kernel = run->kernel[0] ? run->kernel : "?";

	if (o->read_path)
		snprintf(buf, size, "lde-trace -r %s (Linux %s)", o->read_path,
			 kernel);
	else if (o->command)
		snprintf(buf, size, "lde-trace -- %s (Linux %s)", o->command[0],
			 kernel);
	else if (o->pid)
		snprintf(buf, size, "lde-trace -p %d (Linux %s)", o->pid, kernel);
	else
		snprintf(buf, size, "lde-trace, whole system (Linux %s)", kernel);
}

/*
 * The views end: those that report on the screen (a text view's last
 * rows, the summary), then the source's note of what was lost, then the
 * views of files and the card.  0, or 1 if a view could not write.
 */
static int finish(struct lde_trace_run *run,
		  const struct lde_trace_source *src)
{
	struct lde_view_end end = { .kernel = run->kernel };
	char buf[512];
	int err;

	title(run, buf, sizeof(buf));
	end.title = buf;
	src->end(run, &end);
	err = lde_views_end(&run->views, &run->out, &end, true);
	lde_trace_flush(run);
	src->note(run, &end);
	err |= lde_views_end(&run->views, &run->out, &end, false);
	lde_trace_flush(run);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	static struct lde_trace_opts opts;
	struct lde_trace_run run = { .opts = &opts };
	const struct lde_trace_source *src;
	int err;

	err = lde_trace_parse(&opts, argc, argv);
	if (err)
		return err;
	if (check_writable(opts.output_path, opts.read_path) ||
	    check_writable(opts.write_path, opts.read_path))
		return 1;
	lde_line_start(&run.out, out_buf, sizeof(out_buf));
	src = opts.read_path ? &lde_replay_source : &lde_live_source;

	err = src->open(&run);
	if (!err)
		err = pick_views(&run);
	if (!err) {
		err = src->run(&run);
		err |= finish(&run, src);
	}
	return src->close(&run, err);
}
