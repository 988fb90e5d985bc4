// SPDX-License-Identifier: GPL-2.0
/*
 * Chrome/Perfetto trace-event JSON (-o): system calls as slices on each
 * task's track, switches on a track per CPU (pid 0, one "thread" per CPU).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lde_names.h"
#include "lde_render.h"
#include "lde_stats.h"
#include "lde_view.h"

/* One Perfetto file being written. */
struct lde_perfetto {
	FILE *f;
	bool first;		/* no event written yet */
};

struct lde_perfetto *lde_perfetto_open(const char *path)
{
	struct lde_perfetto *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->f = fopen(path, "we");
	if (!p->f) {
		free(p);
		return NULL;
	}
	p->first = true;
	fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[", p->f);
	return p;
}

/* 0, or -errno if any write failed. */
int lde_perfetto_close(struct lde_perfetto *p)
{
	int err;

	fputs("\n]}\n", p->f);
	err = ferror(p->f) ? -EIO : 0;
	if (fclose(p->f) && !err)
		err = -errno;
	free(p);
	return err;
}

void lde_perfetto_event(struct lde_perfetto *p, const struct lde_event *e,
			unsigned long long start_ns)
{
	FILE *perfetto = p->f;
	double ts;

	ts = (e->ts_ns - start_ns) / 1e3;	/* microseconds */
	fputs(p->first ? "\n" : ",\n", perfetto);
	p->first = false;
	switch (e->stage) {
	case LDE_STAGE_TRAP:
	case LDE_EVENT_TRAP_STRINGS:
		fprintf(perfetto, "{\"ph\":\"B\",\"ts\":%.3f,\"pid\":%u,\"tid\":%u,"
			"\"name\":\"%s\",\"cat\":\"trap\"}", ts, e->pid, e->tid,
			lde_call_name(e->trap.nr, e->trap.compat));
		return;
	case LDE_STAGE_RETURN:
	case LDE_EVENT_EXEC_RETURN:
		fprintf(perfetto, "{\"ph\":\"E\",\"ts\":%.3f,\"pid\":%u,\"tid\":%u,"
			"\"args\":{\"ret\":%lld}}", ts, e->pid, e->tid,
			e->ret.ret);
		return;
	case LDE_STAGE_SWITCH:
	case LDE_STAGE_LDE_SWITCH:
		fprintf(perfetto, "{\"ph\":\"i\",\"s\":\"t\",\"ts\":%.3f,\"pid\":0,"
			"\"tid\":%u,\"name\":\"%s %s\",\"cat\":\"switch\","
			"\"args\":{\"prev_tid\":%u,\"next_tid\":%u,\"next_comm\":",
			ts, e->cpu, lde_kind_name(e->stage),
			e->sw.nonvoluntary ? "preempted" : "voluntary", e->tid,
			e->sw.next_tid);
		lde_json_str(perfetto, e->sw.next_comm, LDE_COMM_LEN);
		fputs("}}", perfetto);
		return;
	default:
		fprintf(perfetto, "{\"ph\":\"i\",\"s\":\"t\",\"ts\":%.3f,\"pid\":%u,"
			"\"tid\":%u,\"name\":\"%s\",\"cat\":\"%s\",\"args\":{\"comm\":",
			ts, e->pid, e->tid, lde_kind_name(e->stage),
			lde_kind_name(e->stage));
		lde_json_str(perfetto, e->comm, LDE_COMM_LEN);
		fputs("}}", perfetto);
	}
}

/* -- the view: -o FILE, not .svg or .html ---------------------------------- */

struct perfetto_view {
	struct lde_perfetto *p;
	unsigned long long start_ns;
};

static bool perfetto_wanted(const struct lde_view_env *env)
{
	return env->output_path &&
	       !lde_view_path_is(env->output_path, ".svg") &&
	       !lde_view_path_is(env->output_path, ".html");
}

static void *perfetto_start(const struct lde_view_env *env,
			    struct lde_line *out)
{
	struct perfetto_view *v = calloc(1, sizeof(*v));
	int err;

	if (!v)
		return NULL;
	v->p = lde_perfetto_open(env->output_path);
	if (!v->p) {
		err = errno;
		free(v);
		errno = err;
		return NULL;
	}
	v->start_ns = env->start_ns;
	return v;
}

static void perfetto_view_event(void *state, struct lde_line *out,
				const struct lde_event *e)
{
	struct perfetto_view *v = state;

	lde_perfetto_event(v->p, e, v->start_ns);
}

static int perfetto_end(void *state, struct lde_line *out,
			const struct lde_view_end *end)
{
	struct perfetto_view *v = state;
	int err = lde_perfetto_close(v->p);

	free(v);
	return err;
}

const struct lde_view_ops lde_perfetto_view = {
	.name = "the Perfetto file (-o)",
	.file = LDE_VIEW_OUTPUT,
	.wanted = perfetto_wanted,
	.start = perfetto_start,
	.event = perfetto_view_event,
	.end = perfetto_end,
};
